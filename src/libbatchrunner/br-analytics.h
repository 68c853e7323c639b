/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BR_TYPE_ANALYTICS (br_analytics_get_type ())

G_DECLARE_FINAL_TYPE (BrAnalytics, br_analytics, BR, ANALYTICS, GObject)

BrAnalytics *br_analytics_new_from_json                (JsonObject   *obj,
                                                        GError      **error);

gint64       br_analytics_get_period_days              (BrAnalytics  *self);
gint64       br_analytics_get_start_date               (BrAnalytics  *self);
gint64       br_analytics_get_generated_at             (BrAnalytics  *self);
gint64       br_analytics_get_total_batches            (BrAnalytics  *self);
double       br_analytics_get_average_successful_leads (BrAnalytics  *self);
double       br_analytics_get_average_progress         (BrAnalytics  *self);
double       br_analytics_get_total_cost_usd           (BrAnalytics  *self);
double       br_analytics_get_average_duration_seconds (BrAnalytics  *self);
gint64       br_analytics_get_status_count             (BrAnalytics  *self,
                                                        const char   *status);
GStrv        br_analytics_dup_statuses                 (BrAnalytics  *self);
GListModel  *br_analytics_get_daily                    (BrAnalytics  *self);
gboolean     br_analytics_get_hourly                   (BrAnalytics  *self,
                                                        guint         out[24]);
GListModel  *br_analytics_get_error_breakdown          (BrAnalytics  *self);

G_END_DECLS
