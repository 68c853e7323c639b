/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-wire"

#include "config.h"

#include <math.h>

#include "br-error.h"
#include "br-wire-private.h"

static const char *
node_kind (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return "a string";
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return "a boolean";
  return "a number";
}

static gboolean
wrong_type (GError     **error,
            const char  *what,
            const char  *expected,
            JsonNode    *node)
{
  g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "“%s” must be %s, not %s",
               what, expected, node_kind (node));
  return FALSE;
}

JsonObject *
_br_json_flatten (JsonObject            *obj,
                  const BrNestedMember  *map,
                  guint                  n_map,
                  GError               **error)
{
  g_autoptr(JsonObject) flat = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  /* Check every container before copying anything. */
  for (guint i = 0; i < n_map; i++)
    {
      JsonNode *outer = json_object_get_member (obj, map[i].outer);

      if (outer != NULL && !JSON_NODE_HOLDS_NULL (outer) && !JSON_NODE_HOLDS_OBJECT (outer))
        {
          wrong_type (error, map[i].outer, "an object", outer);
          return NULL;
        }
    }

  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &name, &node))
    json_object_set_member (flat, name, json_node_ref (node));

  for (guint i = 0; i < n_map; i++)
    {
      JsonNode *outer = json_object_get_member (obj, map[i].outer);
      JsonNode *inner;

      if (outer == NULL || !JSON_NODE_HOLDS_OBJECT (outer))
        continue;
      inner = json_object_get_member (json_node_get_object (outer), map[i].inner);
      if (inner != NULL)
        json_object_set_member (flat, map[i].flat, json_node_ref (inner));
    }

  return g_steal_pointer (&flat);
}

gboolean
_br_json_get_strv (JsonObject  *obj,
                   const char  *key,
                   gboolean    *present,
                   GStrv       *out,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  *present = FALSE;
  *out = NULL;

  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *present = TRUE;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (error, key, "an array of strings", node);

  array = json_node_get_array (node);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_autofree char *what = g_strdup_printf ("%s[%u]", key, i);

          return wrong_type (error, what, "a string", element);
        }
      g_strv_builder_add (builder, json_node_get_string (element));
    }

  *present = TRUE;
  *out = g_strv_builder_end (builder);
  return TRUE;
}

gboolean
_br_json_get_array (JsonObject  *obj,
                    const char  *key,
                    JsonArray  **out,
                    GError     **error)
{
  JsonNode *node = json_object_get_member (obj, key);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (error, key, "an array", node);
  *out = json_node_get_array (node);
  return TRUE;
}

gboolean
_br_json_get_object (JsonObject  *obj,
                     const char  *key,
                     JsonObject **out,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (obj, key);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (error, key, "an object", node);
  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
_br_json_node_get_int (JsonNode    *node,
                       const char  *what,
                       gint64      *out,
                       GError     **error)
{
  GType vtype = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (vtype == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  if (vtype == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (isfinite (d) && d == floor (d) && fabs (d) < 9.0e15)
        {
          *out = (gint64) d;
          return TRUE;
        }
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE, "“%s” must be a whole number", what);
      return FALSE;
    }
  return wrong_type (error, what, "a whole number", node);
}

gboolean
_br_json_node_get_double (JsonNode    *node,
                          const char  *what,
                          double      *out,
                          GError     **error)
{
  GType vtype = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  if (vtype != G_TYPE_INT64 && vtype != G_TYPE_DOUBLE)
    return wrong_type (error, what, "a number", node);
  if (!isfinite (json_node_get_double (node)))
    {
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE, "“%s” must be a finite number", what);
      return FALSE;
    }
  *out = json_node_get_double (node);
  return TRUE;
}

gboolean
_br_strv_equal (const char * const *a,
                const char * const *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strv_equal (a, b);
}
