/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <batchrunner.h>

#include "brm-chart-series.h"
#include "brm-live-metrics.h"

G_BEGIN_DECLS

/* One batch's throughput is averaged over a shorter window than the
 * dashboard's total: a batch of a few hundred leads lasts minutes. */
#define BRM_BATCH_METRICS_THROUGHPUT_WINDOW_SECONDS 30
/* Property changes closer together than this make one sample. */
#define BRM_BATCH_METRICS_MIN_SPACING_SECONDS 1

#define BRM_TYPE_BATCH_METRICS (brm_batch_metrics_get_type ())

G_DECLARE_FINAL_TYPE (BrmBatchMetrics, brm_batch_metrics, BRM, BATCH_METRICS, GObject)

BrmBatchMetrics *brm_batch_metrics_new                (BrBatch         *batch);
BrBatch         *brm_batch_metrics_get_batch          (BrmBatchMetrics *self);
void             brm_batch_metrics_set_clock          (BrmBatchMetrics *self,
                                                       BrmClockFunc     func,
                                                       gpointer         user_data,
                                                       GDestroyNotify   destroy);
guint            brm_batch_metrics_get_interval       (BrmBatchMetrics *self);
void             brm_batch_metrics_set_interval       (BrmBatchMetrics *self,
                                                       guint            interval_ms);
void             brm_batch_metrics_sample             (BrmBatchMetrics *self);
void             brm_batch_metrics_sample_at          (BrmBatchMetrics *self,
                                                       gint64           now_us);
double           brm_batch_metrics_get_throughput_now (BrmBatchMetrics *self);
BrmChartSeries  *brm_batch_metrics_get_throughput     (BrmBatchMetrics *self);
BrmChartSeries  *brm_batch_metrics_get_estimated_cost (BrmBatchMetrics *self);
BrmChartSeries  *brm_batch_metrics_get_actual_cost    (BrmBatchMetrics *self);
BrmChartSeries  *brm_batch_metrics_get_progress       (BrmBatchMetrics *self);

G_END_DECLS
