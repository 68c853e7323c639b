/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "brm-batch-metrics.h"
#include "brm-chart-view.h"

G_BEGIN_DECLS

#define BRM_TYPE_BATCH_CHARTS (brm_batch_charts_get_type ())

G_DECLARE_FINAL_TYPE (BrmBatchCharts, brm_batch_charts, BRM, BATCH_CHARTS, GtkWidget)

GtkWidget       *brm_batch_charts_new                 (void);
BrBatch         *brm_batch_charts_get_batch           (BrmBatchCharts *self);
void             brm_batch_charts_set_batch           (BrmBatchCharts *self,
                                                       BrBatch        *batch);
BrmBatchMetrics *brm_batch_charts_get_metrics         (BrmBatchCharts *self);
BrmChartView    *brm_batch_charts_get_throughput_view (BrmBatchCharts *self);
BrmChartView    *brm_batch_charts_get_cost_view       (BrmBatchCharts *self);

G_END_DECLS
