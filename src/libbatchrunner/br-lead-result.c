/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-lead-result"

#include "config.h"

#include "br-enum-types.h"
#include "br-error.h"
#include "br-lead-result.h"
#include "br-object-private.h"
#include "br-wire-private.h"

/**
 * BrLeadResult:
 *
 * What became of one lead in a batch (API.md, "LeadResult", with our
 * `attempts`, `company_name` and `domain`). Every field is a property.
 * `processing_duration_ms` and `quality_score` are -1 when the server sent
 * null (not processed yet). `cost_breakdown` ({provider: usd}) is the
 * read-only #BrLeadResult:cost-breakdown property.
 */
struct _BrLeadResult
{
  GObject     parent_instance;

  char       *lead_id;
  int         status;
  char       *report_url;
  double      actual_cost_usd;
  gint64      processing_duration_ms;
  double      quality_score;
  char       *error_code;
  char       *error_message;
  gint64      retry_count;
  gint64      attempts;
  gint64      started_at;
  gint64      completed_at;
  char       *company_name;
  char       *domain;

  JsonObject *cost_breakdown;   /* sealed, members sorted by provider */
};

G_DEFINE_FINAL_TYPE (BrLeadResult, br_lead_result, G_TYPE_OBJECT)

static const BrField result_fields[] = {
  BR_FIELD_REQ (BrLeadResult, lead_id, "lead_id", BR_FIELD_STRING),
  BR_FIELD_E (BrLeadResult, status, "status", br_lead_status_get_type,
              br_lead_status_from_string, br_lead_status_to_string),
  BR_FIELD (BrLeadResult, report_url, "report_url", BR_FIELD_STRING),
  BR_FIELD (BrLeadResult, actual_cost_usd, "actual_cost_usd", BR_FIELD_DOUBLE),
  BR_FIELD (BrLeadResult, processing_duration_ms, "processing_duration_ms", BR_FIELD_NINT),
  BR_FIELD (BrLeadResult, quality_score, "quality_score", BR_FIELD_NDOUBLE),
  BR_FIELD (BrLeadResult, error_code, "error_code", BR_FIELD_STRING),
  BR_FIELD (BrLeadResult, error_message, "error_message", BR_FIELD_STRING),
  BR_FIELD (BrLeadResult, retry_count, "retry_count", BR_FIELD_INT),
  BR_FIELD (BrLeadResult, attempts, "attempts", BR_FIELD_INT),
  BR_FIELD (BrLeadResult, started_at, "started_at", BR_FIELD_TIME),
  BR_FIELD (BrLeadResult, completed_at, "completed_at", BR_FIELD_TIME),
  BR_FIELD (BrLeadResult, company_name, "company_name", BR_FIELD_STRING),
  BR_FIELD (BrLeadResult, domain, "domain", BR_FIELD_STRING),
};

static BrFieldTable table = { result_fields, G_N_ELEMENTS (result_fields), NULL };

enum {
  PROP_COST_BREAKDOWN = G_N_ELEMENTS (result_fields) + 1,
};

static GParamSpec *cost_breakdown_pspec;

static JsonObject *
empty_breakdown (void)
{
  JsonObject *obj = json_object_new ();

  json_object_seal (obj);
  return obj;
}

/* Decodes `cost_breakdown`: an object of numbers (null is an empty one).
 * Providers are sorted so equal breakdowns compare and encode the same. */
static gboolean
decode_breakdown (JsonNode    *node,
                  JsonObject **out,
                  GError     **error)
{
  g_autoptr(JsonObject) sorted = json_object_new ();
  g_autoptr(GList) names = NULL;
  JsonObject *obj;

  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = empty_breakdown ();
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE,
                   "“cost_breakdown” must be an object of provider costs");
      return FALSE;
    }

  obj = json_node_get_object (node);
  names = g_list_sort (json_object_get_members (obj), (GCompareFunc) g_strcmp0);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *what = g_strdup_printf ("cost_breakdown.%s", (const char *) l->data);
      double usd = 0;

      if (!_br_json_node_get_double (json_object_get_member (obj, l->data), what, &usd, error))
        return FALSE;
      json_object_set_double_member (sorted, l->data, usd);
    }

  json_object_seal (sorted);
  *out = g_steal_pointer (&sorted);
  return TRUE;
}

static gboolean
breakdown_equal (JsonObject *a,
                 JsonObject *b)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (json_object_get_size (a) != json_object_get_size (b))
    return FALSE;

  json_object_iter_init (&iter, a);
  while (json_object_iter_next (&iter, &name, &node))
    {
      JsonNode *other = json_object_get_member (b, name);

      if (other == NULL || json_node_get_double (other) != json_node_get_double (node))
        return FALSE;
    }
  return TRUE;
}

static void
br_lead_result_finalize (GObject *object)
{
  BrLeadResult *self = BR_LEAD_RESULT (object);

  _br_field_table_finalize (&table, object);
  g_clear_pointer (&self->cost_breakdown, json_object_unref);

  G_OBJECT_CLASS (br_lead_result_parent_class)->finalize (object);
}

static void
br_lead_result_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  if (prop_id == PROP_COST_BREAKDOWN)
    g_value_set_boxed (value, BR_LEAD_RESULT (object)->cost_breakdown);
  else
    _br_field_get_property (&table, object, prop_id, value);
}

static void
br_lead_result_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  _br_field_set_property (&table, object, prop_id, value);
}

static void
br_lead_result_class_init (BrLeadResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = br_lead_result_finalize;
  object_class->get_property = br_lead_result_get_property;
  object_class->set_property = br_lead_result_set_property;

  _br_field_table_install (&table, object_class);

  /**
   * BrLeadResult:cost-breakdown:
   *
   * What the lead cost at each provider: a sealed #JsonObject whose
   * members (sorted by provider) are numbers in USD. Empty, never %NULL.
   */
  cost_breakdown_pspec =
    g_param_spec_boxed ("cost-breakdown", NULL, NULL, JSON_TYPE_OBJECT,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property (object_class, PROP_COST_BREAKDOWN, cost_breakdown_pspec);
}

static void
br_lead_result_init (BrLeadResult *self)
{
  self->processing_duration_ms = -1;
  self->quality_score = -1;
  self->cost_breakdown = empty_breakdown ();
}

static gboolean
apply_json (BrLeadResult  *self,
            JsonObject    *obj,
            GError       **error)
{
  g_autoptr(JsonObject) breakdown = NULL;
  JsonNode *node = json_object_get_member (obj, "cost_breakdown");
  gboolean changed;

  /* Check the breakdown before the table applies anything. */
  if (node != NULL && !decode_breakdown (node, &breakdown, error))
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  if (!_br_field_table_apply_json (&table, G_OBJECT (self), obj, error))
    {
      g_object_thaw_notify (G_OBJECT (self));
      return FALSE;
    }

  changed = breakdown != NULL && !breakdown_equal (breakdown, self->cost_breakdown);
  if (changed)
    {
      json_object_unref (self->cost_breakdown);
      self->cost_breakdown = g_steal_pointer (&breakdown);
      g_object_notify_by_pspec (G_OBJECT (self), cost_breakdown_pspec);
    }
  g_object_thaw_notify (G_OBJECT (self));

  return TRUE;
}

/**
 * br_lead_result_new_from_json:
 * @obj: a LeadResult object as the service sends it
 * @error: where to say what was wrong
 *
 * Returns: (transfer full) (nullable): a new #BrLeadResult, or %NULL if
 *   `lead_id` is missing, a member has the wrong type, or `cost_breakdown`
 *   is not an object of numbers (%BR_DECODE_ERROR).
 */
BrLeadResult *
br_lead_result_new_from_json (JsonObject  *obj,
                              GError     **error)
{
  g_autoptr(BrLeadResult) self = NULL;

  g_return_val_if_fail (obj != NULL, NULL);

  self = g_object_new (BR_TYPE_LEAD_RESULT, NULL);
  if (!apply_json (self, obj, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * br_lead_result_update_from_json:
 * @self: a #BrLeadResult
 * @obj: the same lead's result, newer (a `lead_updated` event's `result`)
 * @error: where to say what was wrong
 *
 * Applies @obj in place; only properties whose value changed notify.
 * Nothing changes if a member has the wrong type or the lead differs.
 *
 * Returns: whether @obj was applied
 */
gboolean
br_lead_result_update_from_json (BrLeadResult  *self,
                                 JsonObject    *obj,
                                 GError       **error)
{
  JsonNode *id;

  g_return_val_if_fail (BR_IS_LEAD_RESULT (self), FALSE);
  g_return_val_if_fail (obj != NULL, FALSE);

  id = json_object_get_member (obj, "lead_id");
  if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING &&
      g_strcmp0 (json_node_get_string (id), self->lead_id) != 0)
    {
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE,
                   "The result of lead %s cannot be updated from lead %s",
                   self->lead_id, json_node_get_string (id));
      return FALSE;
    }

  return apply_json (self, obj, error);
}

/**
 * br_lead_result_to_json:
 * @self: a #BrLeadResult
 *
 * Returns: (transfer full): the result in its wire form
 */
JsonNode *
br_lead_result_to_json (BrLeadResult *self)
{
  JsonNode *node;
  JsonObject *copy;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  g_return_val_if_fail (BR_IS_LEAD_RESULT (self), NULL);

  node = _br_field_table_to_json (&table, G_OBJECT (self));
  copy = json_object_new ();
  json_object_iter_init (&iter, self->cost_breakdown);
  while (json_object_iter_next (&iter, &name, &member))
    json_object_set_double_member (copy, name, json_node_get_double (member));
  json_object_set_object_member (json_node_get_object (node), "cost_breakdown", copy);

  return node;
}

/**
 * br_lead_result_get_cost_breakdown:
 * @self: a #BrLeadResult
 *
 * What the lead cost at each provider, in USD: iterate it with
 * #JsonObjectIter (members are sorted by provider) or read one provider
 * with json_object_get_double_member_with_default().
 *
 * Returns: (transfer none): a sealed object of numbers, empty when the
 *   lead has cost nothing yet
 */
JsonObject *
br_lead_result_get_cost_breakdown (BrLeadResult *self)
{
  g_return_val_if_fail (BR_IS_LEAD_RESULT (self), NULL);

  return self->cost_breakdown;
}

#define GETTER(type, name) \
  type br_lead_result_get_##name (BrLeadResult *self) \
  { \
    g_return_val_if_fail (BR_IS_LEAD_RESULT (self), 0); \
    return self->name; \
  }

GETTER (const char *, lead_id)
GETTER (BrLeadStatus, status)
GETTER (const char *, report_url)
GETTER (double, actual_cost_usd)
GETTER (gint64, processing_duration_ms)
GETTER (double, quality_score)
GETTER (const char *, error_code)
GETTER (const char *, error_message)
GETTER (gint64, retry_count)
GETTER (gint64, attempts)
GETTER (gint64, started_at)
GETTER (gint64, completed_at)
GETTER (const char *, company_name)
GETTER (const char *, domain)

#undef GETTER
