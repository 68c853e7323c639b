/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "br-enums.h"

G_BEGIN_DECLS

#define BR_TYPE_LEAD (br_lead_get_type ())

G_DECLARE_FINAL_TYPE (BrLead, br_lead, BR, LEAD, GObject)

BrLead             *br_lead_new_from_json          (JsonObject  *obj,
                                                    GError     **error);
gboolean            br_lead_update_from_json       (BrLead      *self,
                                                    JsonObject  *obj,
                                                    GError     **error);
JsonNode           *br_lead_to_json                (BrLead      *self);

const char         *br_lead_get_id                 (BrLead      *self);
const char         *br_lead_get_company_name       (BrLead      *self);
const char         *br_lead_get_domain             (BrLead      *self);
const char         *br_lead_get_email              (BrLead      *self);
const char         *br_lead_get_contact_name       (BrLead      *self);
const char         *br_lead_get_source             (BrLead      *self);
const char         *br_lead_get_industry           (BrLead      *self);
BrEnrichmentStatus  br_lead_get_enrichment_status  (BrLead      *self);
gint64              br_lead_get_created_at         (BrLead      *self);
gint64              br_lead_get_last_processed_at  (BrLead      *self);
const char         *br_lead_get_last_batch_id      (BrLead      *self);
gboolean            br_lead_get_in_active_batch    (BrLead      *self);

G_END_DECLS
