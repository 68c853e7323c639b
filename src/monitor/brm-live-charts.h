/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "brm-chart-view.h"
#include "brm-live-metrics.h"

G_BEGIN_DECLS

#define BRM_TYPE_LIVE_CHARTS (brm_live_charts_get_type ())

G_DECLARE_FINAL_TYPE (BrmLiveCharts, brm_live_charts, BRM, LIVE_CHARTS, GtkWidget)

GtkWidget      *brm_live_charts_new                (void);
BrmLiveMetrics *brm_live_charts_get_metrics        (BrmLiveCharts  *self);
void            brm_live_charts_set_metrics        (BrmLiveCharts  *self,
                                                    BrmLiveMetrics *metrics);
guint           brm_live_charts_get_minutes        (BrmLiveCharts  *self);
void            brm_live_charts_set_minutes        (BrmLiveCharts  *self,
                                                    guint           minutes);
BrmChartView   *brm_live_charts_get_throughput_view (BrmLiveCharts *self);
BrmChartView   *brm_live_charts_get_spend_view     (BrmLiveCharts  *self);
GtkWidget      *brm_live_charts_get_minutes_button (BrmLiveCharts  *self,
                                                    guint           minutes);
gboolean        brm_live_charts_get_compact        (BrmLiveCharts  *self);

G_END_DECLS
