/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-template"

#include "config.h"

#include "br-error.h"
#include "br-object-private.h"
#include "br-template.h"

/**
 * BrTemplate:
 *
 * A report template the service can run (`GET /templates`): `version` is
 * what a batch names in `template_version`. A template the service lists
 * but cannot run now has #BrTemplate:available %FALSE and says why in
 * #BrTemplate:unavailable-reason.
 */
struct _BrTemplate
{
  GObject   parent_instance;

  char     *version;
  char     *name;
  char     *description;
  char     *complexity;
  gboolean  is_default;
  gboolean  available;
  char     *unavailable_reason;
};

G_DEFINE_FINAL_TYPE (BrTemplate, br_template, G_TYPE_OBJECT)

static const BrField template_fields[] = {
  BR_FIELD_REQ (BrTemplate, version, "version", BR_FIELD_STRING),
  BR_FIELD (BrTemplate, name, "name", BR_FIELD_STRING),
  BR_FIELD (BrTemplate, description, "description", BR_FIELD_STRING),
  BR_FIELD (BrTemplate, complexity, "complexity", BR_FIELD_STRING),
  BR_FIELD (BrTemplate, is_default, "is_default", BR_FIELD_BOOL),
  BR_FIELD (BrTemplate, available, "available", BR_FIELD_BOOL),
  BR_FIELD (BrTemplate, unavailable_reason, "unavailable_reason", BR_FIELD_STRING),
};

static BrFieldTable table = { template_fields, G_N_ELEMENTS (template_fields), NULL };

static void
br_template_finalize (GObject *object)
{
  _br_field_table_finalize (&table, object);

  G_OBJECT_CLASS (br_template_parent_class)->finalize (object);
}

static void
br_template_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  _br_field_get_property (&table, object, prop_id, value);
}

static void
br_template_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  _br_field_set_property (&table, object, prop_id, value);
}

static void
br_template_class_init (BrTemplateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = br_template_finalize;
  object_class->get_property = br_template_get_property;
  object_class->set_property = br_template_set_property;

  _br_field_table_install (&table, object_class);
}

static void
br_template_init (BrTemplate *self)
{
  /* A server that does not say is taken to be able to run it. */
  self->available = TRUE;
}

/**
 * br_template_new_from_json:
 * @obj: one element of `GET /templates`
 * @error: where to say what was wrong
 *
 * Returns: (transfer full) (nullable): a new #BrTemplate, or %NULL if
 *   `version` is missing or a member has the wrong type (%BR_DECODE_ERROR).
 */
BrTemplate *
br_template_new_from_json (JsonObject  *obj,
                           GError     **error)
{
  g_autoptr(BrTemplate) self = NULL;

  g_return_val_if_fail (obj != NULL, NULL);

  self = g_object_new (BR_TYPE_TEMPLATE, NULL);
  if (!_br_field_table_apply_json (&table, G_OBJECT (self), obj, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * br_template_update_from_json:
 * @self: a #BrTemplate
 * @obj: the same template, newer
 * @error: where to say what was wrong
 *
 * Applies @obj in place; only properties whose value changed notify.
 * Nothing changes if a member has the wrong type or the version differs.
 *
 * Returns: whether @obj was applied
 */
gboolean
br_template_update_from_json (BrTemplate  *self,
                              JsonObject  *obj,
                              GError     **error)
{
  JsonNode *version;

  g_return_val_if_fail (BR_IS_TEMPLATE (self), FALSE);
  g_return_val_if_fail (obj != NULL, FALSE);

  version = json_object_get_member (obj, "version");
  if (version != NULL && JSON_NODE_HOLDS_VALUE (version) && json_node_get_value_type (version) == G_TYPE_STRING &&
      g_strcmp0 (json_node_get_string (version), self->version) != 0)
    {
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE,
                   "Template %s cannot be updated from template %s",
                   self->version, json_node_get_string (version));
      return FALSE;
    }

  return _br_field_table_apply_json (&table, G_OBJECT (self), obj, error);
}

/**
 * br_template_to_json:
 * @self: a #BrTemplate
 *
 * Returns: (transfer full): the template in its wire form
 */
JsonNode *
br_template_to_json (BrTemplate *self)
{
  g_return_val_if_fail (BR_IS_TEMPLATE (self), NULL);

  return _br_field_table_to_json (&table, G_OBJECT (self));
}

#define GETTER(type, name) \
  type br_template_get_##name (BrTemplate *self) \
  { \
    g_return_val_if_fail (BR_IS_TEMPLATE (self), 0); \
    return self->name; \
  }

GETTER (const char *, version)
GETTER (const char *, name)
GETTER (const char *, description)
GETTER (const char *, complexity)
GETTER (gboolean, is_default)
GETTER (gboolean, available)
GETTER (const char *, unavailable_reason)

#undef GETTER
