/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "brm-chart.h"
#include "brm-connection.h"
#include "brm-live-metrics.h"

G_BEGIN_DECLS

#define BRM_TYPE_HEALTH_PAGE (brm_health_page_get_type ())

G_DECLARE_FINAL_TYPE (BrmHealthPage, brm_health_page, BRM, HEALTH_PAGE, AdwBin)

GtkWidget      *brm_health_page_new            (void);
BrmConnection  *brm_health_page_get_connection (BrmHealthPage  *self);
void            brm_health_page_set_connection (BrmHealthPage  *self,
                                                BrmConnection  *connection);
BrmLiveMetrics *brm_health_page_get_metrics    (BrmHealthPage  *self);
void            brm_health_page_set_metrics    (BrmHealthPage  *self,
                                                BrmLiveMetrics *metrics);
const char     *brm_health_page_get_field      (BrmHealthPage  *self,
                                                const char     *field);
BrmChart       *brm_health_page_get_history_chart (BrmHealthPage *self,
                                                   guint          index);

G_END_DECLS
