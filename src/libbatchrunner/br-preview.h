/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BR_TYPE_PREVIEW (br_preview_get_type ())

G_DECLARE_FINAL_TYPE (BrPreview, br_preview, BR, PREVIEW, GObject)

BrPreview          *br_preview_new_from_json                (JsonObject  *obj,
                                                             GError     **error);

gint64              br_preview_get_lead_count               (BrPreview   *self);
const char * const *br_preview_get_valid_lead_ids           (BrPreview   *self);
const char * const *br_preview_get_invalid_lead_ids         (BrPreview   *self);
const char         *br_preview_get_template_version         (BrPreview   *self);
double              br_preview_get_estimated_cost_usd       (BrPreview   *self);
double              br_preview_get_base_cost                (BrPreview   *self);
double              br_preview_get_provider_costs           (BrPreview   *self);
double              br_preview_get_subtotal                 (BrPreview   *self);
double              br_preview_get_volume_discount_rate     (BrPreview   *self);
double              br_preview_get_volume_discount_amount   (BrPreview   *self);
double              br_preview_get_discounted_subtotal      (BrPreview   *self);
double              br_preview_get_overhead_cost            (BrPreview   *self);
double              br_preview_get_total_cost               (BrPreview   *self);
GListModel         *br_preview_get_provider_breakdown       (BrPreview   *self);
double              br_preview_get_estimated_duration_minutes (BrPreview *self);
double              br_preview_get_cost_per_lead            (BrPreview   *self);
gboolean            br_preview_get_is_within_budget         (BrPreview   *self);
const char         *br_preview_get_budget_warning           (BrPreview   *self);
const char         *br_preview_get_accuracy_note            (BrPreview   *self);
double              br_preview_get_daily_budget_usd         (BrPreview   *self);
double              br_preview_get_spent_today_usd          (BrPreview   *self);
double              br_preview_get_remaining_usd            (BrPreview   *self);

G_END_DECLS
