/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BR_TYPE_DAILY_STAT (br_daily_stat_get_type ())

G_DECLARE_FINAL_TYPE (BrDailyStat, br_daily_stat, BR, DAILY_STAT, GObject)

BrDailyStat *br_daily_stat_new_from_json       (JsonObject   *obj,
                                                GError      **error);

const char  *br_daily_stat_get_date            (BrDailyStat  *self);
gint64       br_daily_stat_get_batches         (BrDailyStat  *self);
gint64       br_daily_stat_get_leads_processed (BrDailyStat  *self);
gint64       br_daily_stat_get_successful      (BrDailyStat  *self);
gint64       br_daily_stat_get_failed          (BrDailyStat  *self);
double       br_daily_stat_get_cost_usd        (BrDailyStat  *self);
gint64       br_daily_stat_get_p50_lead_ms     (BrDailyStat  *self);
gint64       br_daily_stat_get_p95_lead_ms     (BrDailyStat  *self);

G_END_DECLS
