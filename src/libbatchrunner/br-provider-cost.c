/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-provider-cost"

#include "config.h"

#include "br-error.h"
#include "br-object-private.h"
#include "br-provider-cost.h"

/**
 * BrProviderCost:
 *
 * One line of a cost preview's `provider_breakdown`: what one external
 * provider will charge for the leads that need it.
 */
struct _BrProviderCost
{
  GObject  parent_instance;

  char    *provider;
  gint64   leads_processed;
  double   cost_per_lead;
  double   total_cost;
};

G_DEFINE_FINAL_TYPE (BrProviderCost, br_provider_cost, G_TYPE_OBJECT)

static const BrField provider_cost_fields[] = {
  BR_FIELD (BrProviderCost, provider, "provider", BR_FIELD_STRING),
  BR_FIELD (BrProviderCost, leads_processed, "leads_processed", BR_FIELD_INT),
  BR_FIELD (BrProviderCost, cost_per_lead, "cost_per_lead", BR_FIELD_DOUBLE),
  BR_FIELD (BrProviderCost, total_cost, "total_cost", BR_FIELD_DOUBLE),
};

static BrFieldTable table = { provider_cost_fields, G_N_ELEMENTS (provider_cost_fields), NULL };

static void
br_provider_cost_finalize (GObject *object)
{
  _br_field_table_finalize (&table, object);

  G_OBJECT_CLASS (br_provider_cost_parent_class)->finalize (object);
}

static void
br_provider_cost_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  _br_field_get_property (&table, object, prop_id, value);
}

static void
br_provider_cost_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  _br_field_set_property (&table, object, prop_id, value);
}

static void
br_provider_cost_class_init (BrProviderCostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = br_provider_cost_finalize;
  object_class->get_property = br_provider_cost_get_property;
  object_class->set_property = br_provider_cost_set_property;

  _br_field_table_install (&table, object_class);
}

static void
br_provider_cost_init (BrProviderCost *self)
{
}

/**
 * br_provider_cost_new_from_json:
 * @provider: the member name in `provider_breakdown`
 * @obj: its value, `{leads_processed, cost_per_lead, total_cost}`
 * @error: where to say what was wrong
 *
 * Returns: (transfer full) (nullable): a new #BrProviderCost, or %NULL if
 *   a member has the wrong type (%BR_DECODE_ERROR)
 */
BrProviderCost *
br_provider_cost_new_from_json (const char  *provider,
                                JsonObject  *obj,
                                GError     **error)
{
  g_autoptr(BrProviderCost) self = NULL;

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (obj != NULL, NULL);

  self = g_object_new (BR_TYPE_PROVIDER_COST, NULL);
  if (!_br_field_table_apply_json (&table, G_OBJECT (self), obj, error))
    {
      g_prefix_error (error, "provider_breakdown.%s: ", provider);
      return NULL;
    }
  /* The name is the member's key, not one of its members. */
  g_free (self->provider);
  self->provider = g_strdup (provider);
  return g_steal_pointer (&self);
}

#define GETTER(type, name) \
  type br_provider_cost_get_##name (BrProviderCost *self) \
  { \
    g_return_val_if_fail (BR_IS_PROVIDER_COST (self), 0); \
    return self->name; \
  }

GETTER (const char *, provider)
GETTER (gint64, leads_processed)
GETTER (double, cost_per_lead)
GETTER (double, total_cost)

#undef GETTER
