/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "brm-chart.h"

G_BEGIN_DECLS

#define BRM_TYPE_CHART_VIEW (brm_chart_view_get_type ())

G_DECLARE_FINAL_TYPE (BrmChartView, brm_chart_view, BRM, CHART_VIEW, GtkWidget)

BrmChartView *brm_chart_view_new            (BrmChart     *chart);
gboolean      brm_chart_view_get_show_table (BrmChartView *self);
void          brm_chart_view_set_show_table (BrmChartView *self,
                                             gboolean      show_table);
BrmChart     *brm_chart_view_get_chart      (BrmChartView *self);
/* The rows of the table: one BrmChartPoint per x of the first series,
 * re-emitted when any series changes. */
GListModel   *brm_chart_view_get_rows       (BrmChartView *self);

G_END_DECLS
