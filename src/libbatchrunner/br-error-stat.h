/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BR_TYPE_ERROR_STAT (br_error_stat_get_type ())

G_DECLARE_FINAL_TYPE (BrErrorStat, br_error_stat, BR, ERROR_STAT, GObject)

BrErrorStat *br_error_stat_new_from_json      (JsonObject   *obj,
                                               GError      **error);

const char  *br_error_stat_get_error_code     (BrErrorStat  *self);
gint64       br_error_stat_get_count          (BrErrorStat  *self);
const char  *br_error_stat_get_sample_message (BrErrorStat  *self);
const char  *br_error_stat_get_hint           (BrErrorStat  *self);

G_END_DECLS
