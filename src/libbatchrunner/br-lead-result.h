/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "br-enums.h"

G_BEGIN_DECLS

#define BR_TYPE_LEAD_RESULT (br_lead_result_get_type ())

G_DECLARE_FINAL_TYPE (BrLeadResult, br_lead_result, BR, LEAD_RESULT, GObject)

BrLeadResult *br_lead_result_new_from_json              (JsonObject    *obj,
                                                         GError       **error);
gboolean      br_lead_result_update_from_json           (BrLeadResult  *self,
                                                         JsonObject    *obj,
                                                         GError       **error);
JsonNode     *br_lead_result_to_json                    (BrLeadResult  *self);

const char   *br_lead_result_get_lead_id                (BrLeadResult  *self);
BrLeadStatus  br_lead_result_get_status                 (BrLeadResult  *self);
const char   *br_lead_result_get_report_url             (BrLeadResult  *self);
double        br_lead_result_get_actual_cost_usd        (BrLeadResult  *self);
JsonObject   *br_lead_result_get_cost_breakdown         (BrLeadResult  *self);
gint64        br_lead_result_get_processing_duration_ms (BrLeadResult  *self);
double        br_lead_result_get_quality_score          (BrLeadResult  *self);
const char   *br_lead_result_get_error_code             (BrLeadResult  *self);
const char   *br_lead_result_get_error_message          (BrLeadResult  *self);
gint64        br_lead_result_get_retry_count            (BrLeadResult  *self);
gint64        br_lead_result_get_attempts               (BrLeadResult  *self);
gint64        br_lead_result_get_started_at             (BrLeadResult  *self);
gint64        br_lead_result_get_completed_at           (BrLeadResult  *self);
const char   *br_lead_result_get_company_name           (BrLeadResult  *self);
const char   *br_lead_result_get_domain                 (BrLeadResult  *self);

G_END_DECLS
