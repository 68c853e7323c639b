/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <batchrunner.h>

#include "brm-anomaly.h"
#include "brm-chart-series.h"
#include "brm-connection.h"
#include "brm-error-row.h"

G_BEGIN_DECLS

typedef enum
{
  BRM_ANALYTICS_STATE_IDLE = 0,   /* nothing asked yet */
  BRM_ANALYTICS_STATE_LOADING,
  BRM_ANALYTICS_STATE_READY,
  BRM_ANALYTICS_STATE_ERROR,      /* the last refresh failed; older data, if any, stays */
} BrmAnalyticsState;

/* The daily and hourly series; the batches per day by status are
 * brm_analytics_model_get_status_series(). */
typedef enum
{
  BRM_ANALYTICS_SERIES_COST = 0,        /* USD per day */
  BRM_ANALYTICS_SERIES_BUDGET,          /* the daily budget, each day; gaps when there is none */
  BRM_ANALYTICS_SERIES_LEADS,           /* leads processed (completed + failed) per day */
  BRM_ANALYTICS_SERIES_SUCCESS_RATE,    /* percent 0–100 of processed; gap on days without leads */
  BRM_ANALYTICS_SERIES_P50,             /* lead processing time, ms; gap on days without leads */
  BRM_ANALYTICS_SERIES_P95,
  BRM_ANALYTICS_SERIES_HOURLY,          /* x = hour of day 0–23 (UTC), y = leads processed */
  BRM_ANALYTICS_N_SERIES
} BrmAnalyticsSeriesKind;

#define BRM_TYPE_ANALYTICS_MODEL (brm_analytics_model_get_type ())

G_DECLARE_FINAL_TYPE (BrmAnalyticsModel, brm_analytics_model, BRM, ANALYTICS_MODEL, GObject)

BrmAnalyticsModel *brm_analytics_model_new                  (BrmConnection          *connection);
BrmConnection     *brm_analytics_model_get_connection       (BrmAnalyticsModel      *self);
void               brm_analytics_model_set_connection       (BrmAnalyticsModel      *self,
                                                             BrmConnection          *connection);
guint              brm_analytics_model_get_period_days      (BrmAnalyticsModel      *self);
void               brm_analytics_model_set_period_days      (BrmAnalyticsModel      *self,
                                                             guint                   days);
void               brm_analytics_model_refresh              (BrmAnalyticsModel      *self);
BrmAnalyticsState  brm_analytics_model_get_state            (BrmAnalyticsModel      *self);
const char        *brm_analytics_model_get_error_message    (BrmAnalyticsModel      *self);
guint              brm_analytics_model_get_n_refreshes      (BrmAnalyticsModel      *self);

BrAnalytics       *brm_analytics_model_get_analytics        (BrmAnalyticsModel      *self);
gboolean           brm_analytics_model_get_has_daily        (BrmAnalyticsModel      *self);
guint              brm_analytics_model_get_n_days           (BrmAnalyticsModel      *self);
const char        *brm_analytics_model_get_day_date         (BrmAnalyticsModel      *self,
                                                             guint                   day);
double             brm_analytics_model_get_daily_budget     (BrmAnalyticsModel      *self);
GListModel        *brm_analytics_model_get_status_series    (BrmAnalyticsModel      *self);
BrmChartSeries    *brm_analytics_model_get_series           (BrmAnalyticsModel      *self,
                                                             BrmAnalyticsSeriesKind  kind);
GListModel        *brm_analytics_model_get_error_breakdown  (BrmAnalyticsModel      *self);
GListModel        *brm_analytics_model_get_top_by_cost      (BrmAnalyticsModel      *self);
GListModel        *brm_analytics_model_get_top_by_failure_rate (BrmAnalyticsModel   *self);
GListModel        *brm_analytics_model_get_anomalies        (BrmAnalyticsModel      *self);

char              *brm_analytics_model_dup_csv              (BrmAnalyticsModel      *self);
void               brm_analytics_model_write_csv_async      (BrmAnalyticsModel      *self,
                                                             GOutputStream          *stream,
                                                             GCancellable           *cancellable,
                                                             GAsyncReadyCallback     callback,
                                                             gpointer                user_data);
gboolean           brm_analytics_model_write_csv_finish     (BrmAnalyticsModel      *self,
                                                             GAsyncResult           *result,
                                                             GError                **error);

G_END_DECLS
