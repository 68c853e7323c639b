/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BR_TYPE_PROVIDER_COST (br_provider_cost_get_type ())

G_DECLARE_FINAL_TYPE (BrProviderCost, br_provider_cost, BR, PROVIDER_COST, GObject)

BrProviderCost *br_provider_cost_new_from_json       (const char      *provider,
                                                      JsonObject      *obj,
                                                      GError         **error);

const char     *br_provider_cost_get_provider        (BrProviderCost  *self);
gint64          br_provider_cost_get_leads_processed (BrProviderCost  *self);
double          br_provider_cost_get_cost_per_lead   (BrProviderCost  *self);
double          br_provider_cost_get_total_cost      (BrProviderCost  *self);

G_END_DECLS
