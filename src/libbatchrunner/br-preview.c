/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-preview"

#include "config.h"

#include "br-error.h"
#include "br-object-private.h"
#include "br-preview.h"
#include "br-provider-cost.h"
#include "br-wire-private.h"

/**
 * BrPreview:
 *
 * The answer to `POST /batch/preview`: what a batch of these leads would
 * cost and take. The members of `cost_breakdown` and of our `budget` are
 * flat properties (#BrPreview:base-cost … #BrPreview:total-cost,
 * #BrPreview:daily-budget-usd, #BrPreview:spent-today-usd,
 * #BrPreview:remaining-usd; the budget ones are -1 from a server without
 * `budget`). `provider_breakdown` is #BrPreview:provider-breakdown, a
 * #GListModel of #BrProviderCost sorted by provider.
 */
struct _BrPreview
{
  GObject     parent_instance;

  gint64      lead_count;
  char       *template_version;
  double      estimated_cost_usd;
  double      base_cost;
  double      provider_costs;
  double      subtotal;
  double      volume_discount_rate;
  double      volume_discount_amount;
  double      discounted_subtotal;
  double      overhead_cost;
  double      total_cost;
  double      estimated_duration_minutes;
  double      cost_per_lead;
  gboolean    is_within_budget;
  char       *budget_warning;
  char       *accuracy_note;
  double      daily_budget_usd;
  double      spent_today_usd;
  double      remaining_usd;

  GStrv       valid_lead_ids;
  GStrv       invalid_lead_ids;
  GListStore *provider_breakdown;
};

G_DEFINE_FINAL_TYPE (BrPreview, br_preview, G_TYPE_OBJECT)

static const BrField preview_fields[] = {
  BR_FIELD (BrPreview, lead_count, "lead_count", BR_FIELD_INT),
  BR_FIELD (BrPreview, template_version, "template_version", BR_FIELD_STRING),
  BR_FIELD (BrPreview, estimated_cost_usd, "estimated_cost_usd", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, base_cost, "base_cost", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, provider_costs, "provider_costs", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, subtotal, "subtotal", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, volume_discount_rate, "volume_discount_rate", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, volume_discount_amount, "volume_discount_amount", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, discounted_subtotal, "discounted_subtotal", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, overhead_cost, "overhead_cost", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, total_cost, "total_cost", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, estimated_duration_minutes, "estimated_duration_minutes", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, cost_per_lead, "cost_per_lead", BR_FIELD_DOUBLE),
  BR_FIELD (BrPreview, is_within_budget, "is_within_budget", BR_FIELD_BOOL),
  BR_FIELD (BrPreview, budget_warning, "budget_warning", BR_FIELD_STRING),
  BR_FIELD (BrPreview, accuracy_note, "accuracy_note", BR_FIELD_STRING),
  BR_FIELD (BrPreview, daily_budget_usd, "daily_budget_usd", BR_FIELD_NDOUBLE),
  BR_FIELD (BrPreview, spent_today_usd, "spent_today_usd", BR_FIELD_NDOUBLE),
  BR_FIELD (BrPreview, remaining_usd, "remaining_usd", BR_FIELD_NDOUBLE),
};

static const BrNestedMember preview_nested[] = {
  { "cost_breakdown", "base_cost", "base_cost" },
  { "cost_breakdown", "provider_costs", "provider_costs" },
  { "cost_breakdown", "subtotal", "subtotal" },
  { "cost_breakdown", "volume_discount_rate", "volume_discount_rate" },
  { "cost_breakdown", "volume_discount_amount", "volume_discount_amount" },
  { "cost_breakdown", "discounted_subtotal", "discounted_subtotal" },
  { "cost_breakdown", "overhead_cost", "overhead_cost" },
  { "cost_breakdown", "total_cost", "total_cost" },
  { "budget", "daily_budget_usd", "daily_budget_usd" },
  { "budget", "spent_today_usd", "spent_today_usd" },
  { "budget", "remaining_usd", "remaining_usd" },
};

static BrFieldTable table = { preview_fields, G_N_ELEMENTS (preview_fields), NULL };

enum {
  PROP_VALID_LEAD_IDS = G_N_ELEMENTS (preview_fields) + 1,
  PROP_INVALID_LEAD_IDS,
  PROP_PROVIDER_BREAKDOWN,
};

static void
br_preview_finalize (GObject *object)
{
  BrPreview *self = BR_PREVIEW (object);

  _br_field_table_finalize (&table, object);
  g_clear_pointer (&self->valid_lead_ids, g_strfreev);
  g_clear_pointer (&self->invalid_lead_ids, g_strfreev);
  g_clear_object (&self->provider_breakdown);

  G_OBJECT_CLASS (br_preview_parent_class)->finalize (object);
}

static void
br_preview_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  BrPreview *self = BR_PREVIEW (object);

  switch (prop_id)
    {
    case PROP_VALID_LEAD_IDS:
      g_value_set_boxed (value, self->valid_lead_ids);
      break;
    case PROP_INVALID_LEAD_IDS:
      g_value_set_boxed (value, self->invalid_lead_ids);
      break;
    case PROP_PROVIDER_BREAKDOWN:
      g_value_set_object (value, self->provider_breakdown);
      break;
    default:
      _br_field_get_property (&table, object, prop_id, value);
      break;
    }
}

static void
br_preview_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  _br_field_set_property (&table, object, prop_id, value);
}

static void
br_preview_class_init (BrPreviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = br_preview_finalize;
  object_class->get_property = br_preview_get_property;
  object_class->set_property = br_preview_set_property;

  _br_field_table_install (&table, object_class);

  /**
   * BrPreview:valid-lead-ids:
   *
   * The requested leads the server knows, which a start would process.
   */
  g_object_class_install_property (object_class, PROP_VALID_LEAD_IDS,
                                   g_param_spec_boxed ("valid-lead-ids", NULL, NULL, G_TYPE_STRV, flags));

  /**
   * BrPreview:invalid-lead-ids:
   *
   * The requested ids that are not leads, or %NULL from a server that does
   * not say.
   */
  g_object_class_install_property (object_class, PROP_INVALID_LEAD_IDS,
                                   g_param_spec_boxed ("invalid-lead-ids", NULL, NULL, G_TYPE_STRV, flags));

  /**
   * BrPreview:provider-breakdown:
   *
   * A #GListModel of #BrProviderCost, sorted by provider.
   */
  g_object_class_install_property (object_class, PROP_PROVIDER_BREAKDOWN,
                                   g_param_spec_object ("provider-breakdown", NULL, NULL, G_TYPE_LIST_MODEL, flags));
}

static void
br_preview_init (BrPreview *self)
{
  self->is_within_budget = TRUE;
  self->daily_budget_usd = -1;
  self->spent_today_usd = -1;
  self->remaining_usd = -1;
  self->provider_breakdown = g_list_store_new (BR_TYPE_PROVIDER_COST);
}

static gboolean
decode_providers (JsonObject  *obj,
                  GPtrArray   *out,
                  GError     **error)
{
  g_autoptr(GList) names = NULL;
  JsonObject *breakdown = NULL;

  if (!_br_json_get_object (obj, "provider_breakdown", &breakdown, error))
    return FALSE;
  if (breakdown == NULL)
    return TRUE;

  names = g_list_sort (json_object_get_members (breakdown), (GCompareFunc) g_strcmp0);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (breakdown, l->data);
      BrProviderCost *line;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE,
                       "“provider_breakdown.%s” must be an object", (const char *) l->data);
          return FALSE;
        }
      line = br_provider_cost_new_from_json (l->data, json_node_get_object (node), error);
      if (line == NULL)
        return FALSE;
      g_ptr_array_add (out, line);
    }
  return TRUE;
}

/**
 * br_preview_new_from_json:
 * @obj: the body of `POST /batch/preview`
 * @error: where to say what was wrong
 *
 * Returns: (transfer full) (nullable): a new #BrPreview, or %NULL if a
 *   member has the wrong type (%BR_DECODE_ERROR)
 */
BrPreview *
br_preview_new_from_json (JsonObject  *obj,
                          GError     **error)
{
  g_autoptr(BrPreview) self = NULL;
  g_autoptr(JsonObject) flat = NULL;
  g_autoptr(GPtrArray) providers = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) valid = NULL;
  g_auto(GStrv) invalid = NULL;
  gboolean has_valid, has_invalid;

  g_return_val_if_fail (obj != NULL, NULL);

  if (!_br_json_get_strv (obj, "valid_lead_ids", &has_valid, &valid, error) ||
      !_br_json_get_strv (obj, "invalid_lead_ids", &has_invalid, &invalid, error) ||
      !decode_providers (obj, providers, error))
    return NULL;
  flat = _br_json_flatten (obj, preview_nested, G_N_ELEMENTS (preview_nested), error);
  if (flat == NULL)
    return NULL;

  self = g_object_new (BR_TYPE_PREVIEW, NULL);
  if (!_br_field_table_apply_json (&table, G_OBJECT (self), flat, error))
    return NULL;

  self->valid_lead_ids = valid ? g_steal_pointer (&valid) : g_new0 (char *, 1);
  self->invalid_lead_ids = g_steal_pointer (&invalid);
  g_list_store_splice (self->provider_breakdown, 0, 0, providers->pdata, providers->len);

  return g_steal_pointer (&self);
}

/**
 * br_preview_get_valid_lead_ids:
 * @self: a #BrPreview
 *
 * Returns: (transfer none) (array zero-terminated=1): the leads a start
 *   would process; empty, never %NULL
 */
const char * const *
br_preview_get_valid_lead_ids (BrPreview *self)
{
  g_return_val_if_fail (BR_IS_PREVIEW (self), NULL);

  return (const char * const *) self->valid_lead_ids;
}

/**
 * br_preview_get_invalid_lead_ids:
 * @self: a #BrPreview
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   requested ids that are not leads; %NULL from a server that does not say
 */
const char * const *
br_preview_get_invalid_lead_ids (BrPreview *self)
{
  g_return_val_if_fail (BR_IS_PREVIEW (self), NULL);

  return (const char * const *) self->invalid_lead_ids;
}

/**
 * br_preview_get_provider_breakdown:
 * @self: a #BrPreview
 *
 * Returns: (transfer none): a #GListModel of #BrProviderCost, sorted by
 *   provider
 */
GListModel *
br_preview_get_provider_breakdown (BrPreview *self)
{
  g_return_val_if_fail (BR_IS_PREVIEW (self), NULL);

  return G_LIST_MODEL (self->provider_breakdown);
}

#define GETTER(type, name) \
  type br_preview_get_##name (BrPreview *self) \
  { \
    g_return_val_if_fail (BR_IS_PREVIEW (self), 0); \
    return self->name; \
  }

GETTER (gint64, lead_count)
GETTER (const char *, template_version)
GETTER (double, estimated_cost_usd)
GETTER (double, base_cost)
GETTER (double, provider_costs)
GETTER (double, subtotal)
GETTER (double, volume_discount_rate)
GETTER (double, volume_discount_amount)
GETTER (double, discounted_subtotal)
GETTER (double, overhead_cost)
GETTER (double, total_cost)
GETTER (double, estimated_duration_minutes)
GETTER (double, cost_per_lead)
GETTER (gboolean, is_within_budget)
GETTER (const char *, budget_warning)
GETTER (const char *, accuracy_note)
GETTER (double, daily_budget_usd)
GETTER (double, spent_today_usd)
GETTER (double, remaining_usd)

#undef GETTER
