/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "brm-analytics-page.h"
#include "brm-batch-detail.h"
#include "brm-batch-table.h"
#include "brm-connection.h"
#include "brm-health-page.h"
#include "brm-live-charts.h"
#include "brm-live-metrics.h"
#include "brm-window.h"

G_BEGIN_DECLS

struct _BrmWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwHeaderBar         *header_bar;
  AdwViewStack         *view_stack;
  AdwLeaflet           *leaflet;
  GtkWidget            *list_page;
  GtkButton            *back_button;
  GtkWidget            *connection_box;
  GtkImage             *connection_icon;
  GtkLabel             *connection_label;
  GtkRevealer          *offline_revealer;
  GtkLabel             *offline_label;
  GtkLabel             *running_label;
  GtkLabel             *pending_label;
  GtkLabel             *paused_label;
  GtkLabel             *failed_label;
  GtkLabel             *throughput_label;
  GtkLabel             *spend_label;
  GtkImage             *budget_icon;
  GtkLabel             *selection_label;
  BrmBatchTable        *table;
  BrmBatchDetail       *detail;
  BrmHealthPage        *health_page;
  BrmLiveCharts        *live_charts;
  BrmAnalyticsPage     *analytics_page;

  BrmConnection        *connection;
  BrmLiveMetrics       *metrics;
  GSettings            *settings;
  GSignalGroup         *store_signals;
  GSignalGroup         *feed_signals;
  char                 *status_message;
  guint                 clock_id;
  GCancellable         *cancellable;
  /* The dialog waiting for the operator's answer, if any (tests answer it). */
  AdwMessageDialog     *dialog;
};

/* brm-window-actions.c */
void brm_window_actions_class_init (GtkWidgetClass *widget_class);
void brm_window_actions_update     (BrmWindow      *self);
void brm_window_toast              (BrmWindow      *self,
                                    const char     *text);

G_END_DECLS
