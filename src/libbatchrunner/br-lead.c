/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-lead"

#include "config.h"

#include "br-enum-types.h"
#include "br-error.h"
#include "br-lead.h"
#include "br-object-private.h"

/**
 * BrLead:
 *
 * A sales lead as the service lists it (API.md, "Lead", with our
 * `last_processed_at`, `last_batch_id` and `in_active_batch`). Every field
 * is a property; timestamps are Unix microseconds, 0 when unknown.
 */
struct _BrLead
{
  GObject   parent_instance;

  char     *id;
  char     *company_name;
  char     *domain;
  char     *email;
  char     *contact_name;
  char     *source;
  char     *industry;
  int       enrichment_status;
  gint64    created_at;
  gint64    last_processed_at;
  char     *last_batch_id;
  gboolean  in_active_batch;
};

G_DEFINE_FINAL_TYPE (BrLead, br_lead, G_TYPE_OBJECT)

static const BrField lead_fields[] = {
  BR_FIELD_REQ (BrLead, id, "id", BR_FIELD_STRING),
  BR_FIELD (BrLead, company_name, "company_name", BR_FIELD_STRING),
  BR_FIELD (BrLead, domain, "domain", BR_FIELD_STRING),
  BR_FIELD (BrLead, email, "email", BR_FIELD_STRING),
  BR_FIELD (BrLead, contact_name, "contact_name", BR_FIELD_STRING),
  BR_FIELD (BrLead, source, "source", BR_FIELD_STRING),
  BR_FIELD (BrLead, industry, "industry", BR_FIELD_STRING),
  BR_FIELD_E (BrLead, enrichment_status, "enrichment_status", br_enrichment_status_get_type,
              br_enrichment_status_from_string, br_enrichment_status_to_string),
  BR_FIELD (BrLead, created_at, "created_at", BR_FIELD_TIME),
  BR_FIELD (BrLead, last_processed_at, "last_processed_at", BR_FIELD_TIME),
  BR_FIELD (BrLead, last_batch_id, "last_batch_id", BR_FIELD_STRING),
  BR_FIELD (BrLead, in_active_batch, "in_active_batch", BR_FIELD_BOOL),
};

static BrFieldTable table = { lead_fields, G_N_ELEMENTS (lead_fields), NULL };

static void
br_lead_finalize (GObject *object)
{
  _br_field_table_finalize (&table, object);

  G_OBJECT_CLASS (br_lead_parent_class)->finalize (object);
}

static void
br_lead_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  _br_field_get_property (&table, object, prop_id, value);
}

static void
br_lead_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  _br_field_set_property (&table, object, prop_id, value);
}

static void
br_lead_class_init (BrLeadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = br_lead_finalize;
  object_class->get_property = br_lead_get_property;
  object_class->set_property = br_lead_set_property;

  _br_field_table_install (&table, object_class);
}

static void
br_lead_init (BrLead *self)
{
}

/**
 * br_lead_new_from_json:
 * @obj: a Lead object as the service sends it
 * @error: where to say what was wrong
 *
 * Members the type does not know are ignored; the FastAPI service's naive
 * timestamps are taken as UTC.
 *
 * Returns: (transfer full) (nullable): a new #BrLead, or %NULL if `id` is
 *   missing or a member has the wrong type (%BR_DECODE_ERROR).
 */
BrLead *
br_lead_new_from_json (JsonObject  *obj,
                       GError     **error)
{
  g_autoptr(BrLead) self = NULL;

  g_return_val_if_fail (obj != NULL, NULL);

  self = g_object_new (BR_TYPE_LEAD, NULL);
  if (!_br_field_table_apply_json (&table, G_OBJECT (self), obj, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * br_lead_update_from_json:
 * @self: a #BrLead
 * @obj: the same lead, newer
 * @error: where to say what was wrong
 *
 * Applies @obj in place; only properties whose value changed notify.
 * Nothing changes if a member has the wrong type or the id differs.
 *
 * Returns: whether @obj was applied
 */
gboolean
br_lead_update_from_json (BrLead      *self,
                          JsonObject  *obj,
                          GError     **error)
{
  JsonNode *id;

  g_return_val_if_fail (BR_IS_LEAD (self), FALSE);
  g_return_val_if_fail (obj != NULL, FALSE);

  id = json_object_get_member (obj, "id");
  if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING &&
      g_strcmp0 (json_node_get_string (id), self->id) != 0)
    {
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE, "Lead %s cannot be updated from lead %s",
                   self->id, json_node_get_string (id));
      return FALSE;
    }

  return _br_field_table_apply_json (&table, G_OBJECT (self), obj, error);
}

/**
 * br_lead_to_json:
 * @self: a #BrLead
 *
 * Returns: (transfer full): the lead in its wire form, as `POST /leads`
 *   takes it
 */
JsonNode *
br_lead_to_json (BrLead *self)
{
  g_return_val_if_fail (BR_IS_LEAD (self), NULL);

  return _br_field_table_to_json (&table, G_OBJECT (self));
}

#define GETTER(type, name) \
  type br_lead_get_##name (BrLead *self) \
  { \
    g_return_val_if_fail (BR_IS_LEAD (self), 0); \
    return self->name; \
  }

GETTER (const char *, id)
GETTER (const char *, company_name)
GETTER (const char *, domain)
GETTER (const char *, email)
GETTER (const char *, contact_name)
GETTER (const char *, source)
GETTER (const char *, industry)
GETTER (BrEnrichmentStatus, enrichment_status)
GETTER (gint64, created_at)
GETTER (gint64, last_processed_at)
GETTER (const char *, last_batch_id)
GETTER (gboolean, in_active_batch)

#undef GETTER
