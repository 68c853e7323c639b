/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <batchrunner.h>

#include "brm-chart-series.h"

G_BEGIN_DECLS

/**
 * BrmClockFunc:
 * @user_data: the data given with the function
 *
 * Returns: the current time in microseconds since the Unix epoch (UTC),
 *   as g_get_real_time() does; tests give a fake clock instead of sleeping
 */
typedef gint64 (*BrmClockFunc) (gpointer user_data);

/* How much history the live charts keep. */
#define BRM_LIVE_METRICS_SPAN_SECONDS 3600
/* Throughput is the leads processed over this trailing window, per minute. */
#define BRM_LIVE_METRICS_THROUGHPUT_WINDOW_SECONDS 60
/* The sampling period the monitor uses (brm_live_metrics_set_interval()). */
#define BRM_LIVE_METRICS_DEFAULT_INTERVAL_MS 2000

#define BRM_TYPE_LIVE_METRICS (brm_live_metrics_get_type ())

G_DECLARE_FINAL_TYPE (BrmLiveMetrics, brm_live_metrics, BRM, LIVE_METRICS, GObject)

BrmLiveMetrics *brm_live_metrics_new                   (BrBatchStore   *store,
                                                        BrLiveFeed     *feed);
BrBatchStore   *brm_live_metrics_get_store             (BrmLiveMetrics *self);
BrLiveFeed     *brm_live_metrics_get_feed              (BrmLiveMetrics *self);
void            brm_live_metrics_set_clock             (BrmLiveMetrics *self,
                                                        BrmClockFunc    func,
                                                        gpointer        user_data,
                                                        GDestroyNotify  destroy);
gint64          brm_live_metrics_now                   (BrmLiveMetrics *self);
guint           brm_live_metrics_get_interval          (BrmLiveMetrics *self);
void            brm_live_metrics_set_interval          (BrmLiveMetrics *self,
                                                        guint           interval_ms);
void            brm_live_metrics_sample                (BrmLiveMetrics *self);
void            brm_live_metrics_sample_at             (BrmLiveMetrics *self,
                                                        gint64          now_us);
void            brm_live_metrics_record_health         (BrmLiveMetrics *self,
                                                        BrHealth       *health,
                                                        gint64          now_us);
BrHealth       *brm_live_metrics_get_health            (BrmLiveMetrics *self);
guint           brm_live_metrics_get_n_health_reports  (BrmLiveMetrics *self);
double          brm_live_metrics_get_throughput_now    (BrmLiveMetrics *self);
double          brm_live_metrics_get_spent_today       (BrmLiveMetrics *self);
gboolean        brm_live_metrics_get_spend_from_health (BrmLiveMetrics *self);
double          brm_live_metrics_get_daily_budget      (BrmLiveMetrics *self);
BrmChartSeries *brm_live_metrics_get_throughput        (BrmLiveMetrics *self);
BrmChartSeries *brm_live_metrics_get_spend             (BrmLiveMetrics *self);
BrmChartSeries *brm_live_metrics_get_workers_busy      (BrmLiveMetrics *self);
BrmChartSeries *brm_live_metrics_get_queue_depth       (BrmLiveMetrics *self);
BrmChartSeries *brm_live_metrics_get_websocket_clients (BrmLiveMetrics *self);
BrmChartSeries *brm_live_metrics_get_health_spend      (BrmLiveMetrics *self);

G_END_DECLS
