/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-lead-row"

#include "config.h"

#include "brm-lead-row.h"

/**
 * BrmLeadRow:
 *
 * One position of the lead browser's paged model. The row exists as soon
 * as the list asks for its position; #BrmLeadRow:lead stays %NULL until
 * the page holding it has arrived from the service, then changes in
 * place, so the list keeps its widgets, focus and scroll position while
 * pages load.
 */
struct _BrmLeadRow
{
  GObject  parent_instance;

  guint    position;
  BrLead  *lead;
};

G_DEFINE_FINAL_TYPE (BrmLeadRow, brm_lead_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_POSITION,
  PROP_LEAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
brm_lead_row_dispose (GObject *object)
{
  BrmLeadRow *self = BRM_LEAD_ROW (object);

  g_clear_object (&self->lead);

  G_OBJECT_CLASS (brm_lead_row_parent_class)->dispose (object);
}

static void
brm_lead_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  BrmLeadRow *self = BRM_LEAD_ROW (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;
    case PROP_LEAD:
      g_value_set_object (value, self->lead);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_lead_row_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  BrmLeadRow *self = BRM_LEAD_ROW (object);

  switch (prop_id)
    {
    case PROP_POSITION:
      self->position = g_value_get_uint (value);
      break;
    case PROP_LEAD:
      brm_lead_row_set_lead (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_lead_row_class_init (BrmLeadRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = brm_lead_row_dispose;
  object_class->get_property = brm_lead_row_get_property;
  object_class->set_property = brm_lead_row_set_property;

  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LEAD] =
    g_param_spec_object ("lead", NULL, NULL, BR_TYPE_LEAD,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_lead_row_init (BrmLeadRow *self)
{
}

BrmLeadRow *
brm_lead_row_new (guint position)
{
  return g_object_new (BRM_TYPE_LEAD_ROW, "position", position, NULL);
}

guint
brm_lead_row_get_position (BrmLeadRow *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_ROW (self), 0);
  return self->position;
}

/* Returns: (transfer none) (nullable): the lead, %NULL while loading */
BrLead *
brm_lead_row_get_lead (BrmLeadRow *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_ROW (self), NULL);
  return self->lead;
}

void
brm_lead_row_set_lead (BrmLeadRow *self,
                       BrLead     *lead)
{
  g_return_if_fail (BRM_IS_LEAD_ROW (self));
  g_return_if_fail (lead == NULL || BR_IS_LEAD (lead));

  if (g_set_object (&self->lead, lead))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEAD]);
}
