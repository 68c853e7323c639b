/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-object"

#include "config.h"

#include <math.h>
#include <string.h>

#include "br-error.h"
#include "br-object-private.h"

#define MAX_JSON_DEPTH 32
#define STACK_FIELDS   40

G_DEFINE_QUARK (br-decode-error-quark, br_decode_error)

#define FIELD_PTR(object, field) ((guint8 *) (object) + (field)->offset)

static char *
property_name (const char *key)
{
  char *name = g_strdup (key);

  g_strdelimit (name, "_", '-');
  return name;
}

void
_br_field_table_install (BrFieldTable *table,
                         GObjectClass *klass)
{
  table->pspecs = g_new0 (GParamSpec *, table->n_fields);

  for (guint i = 0; i < table->n_fields; i++)
    {
      const BrField *f = &table->fields[i];
      g_autofree char *hyphenated = property_name (f->key);
      const char *name = g_intern_string (hyphenated);
      GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
      GParamSpec *pspec = NULL;

      switch (f->type)
        {
        case BR_FIELD_STRING:
          pspec = g_param_spec_string (name, NULL, NULL, NULL, flags);
          break;
        case BR_FIELD_INT:
        case BR_FIELD_TIME:
          pspec = g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
          break;
        case BR_FIELD_NINT:
          pspec = g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, -1, flags);
          break;
        case BR_FIELD_DOUBLE:
          pspec = g_param_spec_double (name, NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
          break;
        case BR_FIELD_NDOUBLE:
          pspec = g_param_spec_double (name, NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, -1, flags);
          break;
        case BR_FIELD_BOOL:
          pspec = g_param_spec_boolean (name, NULL, NULL, FALSE, flags);
          break;
        case BR_FIELD_ENUM:
          pspec = g_param_spec_enum (name, NULL, NULL, f->enum_type (), 0, flags);
          break;
        default:
          g_assert_not_reached ();
        }

      table->pspecs[i] = pspec;
      g_object_class_install_property (klass, i + 1, pspec);
    }
}

void
_br_field_get_property (BrFieldTable *table,
                        GObject      *object,
                        guint         prop_id,
                        GValue       *value)
{
  const BrField *f;
  guint8 *p;

  g_assert (prop_id >= 1 && prop_id <= table->n_fields);
  f = &table->fields[prop_id - 1];
  p = FIELD_PTR (object, f);

  switch (f->type)
    {
    case BR_FIELD_STRING:
      g_value_set_string (value, *(char **) p);
      break;
    case BR_FIELD_INT:
    case BR_FIELD_TIME:
    case BR_FIELD_NINT:
      g_value_set_int64 (value, *(gint64 *) p);
      break;
    case BR_FIELD_DOUBLE:
    case BR_FIELD_NDOUBLE:
      g_value_set_double (value, *(double *) p);
      break;
    case BR_FIELD_BOOL:
      g_value_set_boolean (value, *(gboolean *) p);
      break;
    case BR_FIELD_ENUM:
      g_value_set_enum (value, *(int *) p);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Stores @value in the field; returns whether it changed. */
static gboolean
store_value (const BrField *f,
             GObject       *object,
             const GValue  *value)
{
  guint8 *p = FIELD_PTR (object, f);

  switch (f->type)
    {
    case BR_FIELD_STRING:
      {
        char **slot = (char **) p;
        const char *v = g_value_get_string (value);

        if (g_strcmp0 (*slot, v) == 0)
          return FALSE;
        if (f->interned)
          {
            g_clear_pointer (slot, g_ref_string_release);
            *slot = v != NULL ? g_ref_string_new_intern (v) : NULL;
          }
        else
          {
            g_free (*slot);
            *slot = g_strdup (v);
          }
        return TRUE;
      }
    case BR_FIELD_INT:
    case BR_FIELD_TIME:
    case BR_FIELD_NINT:
      if (*(gint64 *) p == g_value_get_int64 (value))
        return FALSE;
      *(gint64 *) p = g_value_get_int64 (value);
      return TRUE;
    case BR_FIELD_DOUBLE:
    case BR_FIELD_NDOUBLE:
      if (*(double *) p == g_value_get_double (value))
        return FALSE;
      *(double *) p = g_value_get_double (value);
      return TRUE;
    case BR_FIELD_BOOL:
      if (!!*(gboolean *) p == !!g_value_get_boolean (value))
        return FALSE;
      *(gboolean *) p = !!g_value_get_boolean (value);
      return TRUE;
    case BR_FIELD_ENUM:
      if (*(int *) p == g_value_get_enum (value))
        return FALSE;
      *(int *) p = g_value_get_enum (value);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

void
_br_field_set_property (BrFieldTable *table,
                        GObject      *object,
                        guint         prop_id,
                        const GValue *value)
{
  g_assert (prop_id >= 1 && prop_id <= table->n_fields);

  if (store_value (&table->fields[prop_id - 1], object, value))
    g_object_notify_by_pspec (object, table->pspecs[prop_id - 1]);
}

void
_br_field_table_finalize (BrFieldTable *table,
                          GObject      *object)
{
  for (guint i = 0; i < table->n_fields; i++)
    if (table->fields[i].type == BR_FIELD_STRING && table->fields[i].interned)
      g_clear_pointer ((char **) FIELD_PTR (object, &table->fields[i]), g_ref_string_release);
    else if (table->fields[i].type == BR_FIELD_STRING)
      g_clear_pointer ((char **) FIELD_PTR (object, &table->fields[i]), g_free);
}

gboolean
_br_json_parse_time (const char *text,
                     gint64     *out_usec)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;

  /* A naive timestamp (the FastAPI service sends them) means UTC. */
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return FALSE;

  *out_usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

char *
_br_json_format_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autofree char *base = NULL;

  if (dt == NULL)
    return NULL;
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, (int) ((usec % G_USEC_PER_SEC) / 1000));
}

static const char *
json_type_name (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_INT64:
    case G_TYPE_DOUBLE:
      return "a number";
    default:
      return "a value";
    }
}

static gboolean
wrong_type (GError     **error,
            const char  *key,
            const char  *expected,
            JsonNode    *node)
{
  g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "“%s” must be %s, not %s",
               key, expected, json_type_name (node));
  return FALSE;
}

/* Converts one JSON member to a GValue of the field's type. */
static gboolean
decode_field (const BrField  *f,
              JsonNode       *node,
              GValue         *value,
              GError        **error)
{
  gboolean is_null = JSON_NODE_HOLDS_NULL (node);
  GType vtype = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  switch (f->type)
    {
    case BR_FIELD_STRING:
      g_value_init (value, G_TYPE_STRING);
      if (is_null)
        return TRUE;
      if (vtype != G_TYPE_STRING)
        return wrong_type (error, f->key, "a string", node);
      /* Only read while @node lives; store_value () copies it. */
      g_value_set_static_string (value, json_node_get_string (node));
      return TRUE;

    case BR_FIELD_INT:
    case BR_FIELD_NINT:
      g_value_init (value, G_TYPE_INT64);
      if (is_null && f->type == BR_FIELD_NINT)
        {
          g_value_set_int64 (value, -1);
          return TRUE;
        }
      if (vtype == G_TYPE_INT64)
        {
          g_value_set_int64 (value, json_node_get_int (node));
          return TRUE;
        }
      if (vtype == G_TYPE_DOUBLE)
        {
          double d = json_node_get_double (node);

          /* 5.0 is an integer; 5.5, 1e300 and NaN are not. */
          if (isfinite (d) && d == floor (d) && fabs (d) < 9.0e15)
            {
              g_value_set_int64 (value, (gint64) d);
              return TRUE;
            }
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE, "“%s” must be a whole number", f->key);
          return FALSE;
        }
      return wrong_type (error, f->key, "a whole number", node);

    case BR_FIELD_DOUBLE:
    case BR_FIELD_NDOUBLE:
      g_value_init (value, G_TYPE_DOUBLE);
      if (is_null && f->type == BR_FIELD_NDOUBLE)
        {
          g_value_set_double (value, -1);
          return TRUE;
        }
      if (vtype != G_TYPE_INT64 && vtype != G_TYPE_DOUBLE)
        return wrong_type (error, f->key, "a number", node);
      if (!isfinite (json_node_get_double (node)))
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE, "“%s” must be a finite number", f->key);
          return FALSE;
        }
      g_value_set_double (value, json_node_get_double (node));
      return TRUE;

    case BR_FIELD_BOOL:
      g_value_init (value, G_TYPE_BOOLEAN);
      if (vtype != G_TYPE_BOOLEAN)
        return wrong_type (error, f->key, "true or false", node);
      g_value_set_boolean (value, json_node_get_boolean (node));
      return TRUE;

    case BR_FIELD_TIME:
      g_value_init (value, G_TYPE_INT64);
      if (is_null)
        return TRUE;
      if (vtype != G_TYPE_STRING)
        return wrong_type (error, f->key, "an ISO 8601 timestamp", node);
      {
        gint64 usec = 0;

        if (!_br_json_parse_time (json_node_get_string (node), &usec))
          {
            g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE,
                         "“%s” is not an ISO 8601 timestamp", f->key);
            return FALSE;
          }
        g_value_set_int64 (value, usec);
      }
      return TRUE;

    case BR_FIELD_ENUM:
      g_value_init (value, f->enum_type ());
      if (is_null)
        return TRUE;
      if (vtype != G_TYPE_STRING)
        return wrong_type (error, f->key, "a string", node);
      /* An unknown name (a newer server) decodes to the 0 "unknown"
       * value rather than failing the whole object. */
      g_value_set_enum (value, f->from_string (json_node_get_string (node)));
      return TRUE;

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

static gboolean
apply_json (BrFieldTable  *table,
            GObject       *object,
            JsonObject    *obj,
            gboolean       notify,
            GError       **error)
{
  /* On the stack for the usual tables: this runs for every live update
   * (10,000 a second with 1,000 running batches). */
  GValue stack_values[STACK_FIELDS] = { G_VALUE_INIT };
  gboolean stack_present[STACK_FIELDS] = { FALSE };
  g_autofree GValue *heap_values = NULL;
  g_autofree gboolean *heap_present = NULL;
  GValue *values = stack_values;
  gboolean *present = stack_present;
  gboolean ok = TRUE;

  if (table->n_fields > STACK_FIELDS)
    {
      values = heap_values = g_new0 (GValue, table->n_fields);
      present = heap_present = g_new0 (gboolean, table->n_fields);
    }

  /* Decode everything first, so a bad member leaves the object as it was. */
  for (guint i = 0; i < table->n_fields && ok; i++)
    {
      const BrField *f = &table->fields[i];
      JsonNode *node = json_object_get_member (obj, f->key);

      if (node == NULL)
        {
          if (f->required)
            {
              g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_MISSING, "“%s” is missing", f->key);
              ok = FALSE;
            }
          continue;
        }
      if (f->required && JSON_NODE_HOLDS_NULL (node))
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_MISSING, "“%s” must not be null", f->key);
          ok = FALSE;
          continue;
        }

      present[i] = TRUE;
      ok = decode_field (f, node, &values[i], error);
    }

  if (ok && !notify)
    {
      for (guint i = 0; i < table->n_fields; i++)
        if (present[i])
          store_value (&table->fields[i], object, &values[i]);
    }
  else if (ok)
    {
      g_object_freeze_notify (object);
      for (guint i = 0; i < table->n_fields; i++)
        if (present[i] && store_value (&table->fields[i], object, &values[i]))
          g_object_notify_by_pspec (object, table->pspecs[i]);
      g_object_thaw_notify (object);
    }

  for (guint i = 0; i < table->n_fields; i++)
    if (G_IS_VALUE (&values[i]))
      g_value_unset (&values[i]);

  return ok;
}

gboolean
_br_field_table_apply_json (BrFieldTable  *table,
                            GObject       *object,
                            JsonObject    *obj,
                            GError       **error)
{
  return apply_json (table, object, obj, TRUE, error);
}

gboolean
_br_field_table_init_from_json (BrFieldTable  *table,
                                GObject       *object,
                                JsonObject    *obj,
                                GError       **error)
{
  return apply_json (table, object, obj, FALSE, error);
}

JsonNode *
_br_field_table_to_json (BrFieldTable *table,
                         GObject      *object)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  for (guint i = 0; i < table->n_fields; i++)
    {
      const BrField *f = &table->fields[i];
      guint8 *p = FIELD_PTR (object, f);

      json_builder_set_member_name (b, f->key);
      switch (f->type)
        {
        case BR_FIELD_STRING:
          if (*(char **) p)
            json_builder_add_string_value (b, *(char **) p);
          else
            json_builder_add_null_value (b);
          break;
        case BR_FIELD_INT:
          json_builder_add_int_value (b, *(gint64 *) p);
          break;
        case BR_FIELD_NINT:
          if (*(gint64 *) p >= 0)
            json_builder_add_int_value (b, *(gint64 *) p);
          else
            json_builder_add_null_value (b);
          break;
        case BR_FIELD_DOUBLE:
          json_builder_add_double_value (b, *(double *) p);
          break;
        case BR_FIELD_NDOUBLE:
          if (*(double *) p >= 0)
            json_builder_add_double_value (b, *(double *) p);
          else
            json_builder_add_null_value (b);
          break;
        case BR_FIELD_BOOL:
          json_builder_add_boolean_value (b, *(gboolean *) p);
          break;
        case BR_FIELD_TIME:
          if (*(gint64 *) p > 0)
            {
              g_autofree char *text = _br_json_format_time (*(gint64 *) p);
              json_builder_add_string_value (b, text);
            }
          else
            json_builder_add_null_value (b);
          break;
        case BR_FIELD_ENUM:
          {
            const char *name = f->to_string (*(int *) p);
            if (name)
              json_builder_add_string_value (b, name);
            else
              json_builder_add_null_value (b);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

void
_br_field_table_copy (BrFieldTable *table,
                      GObject      *to,
                      GObject      *from)
{
  g_object_freeze_notify (to);
  for (guint i = 0; i < table->n_fields; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, table->pspecs[i]->value_type);
      _br_field_get_property (table, from, i + 1, &value);
      if (store_value (&table->fields[i], to, &value))
        g_object_notify_by_pspec (to, table->pspecs[i]);
    }
  g_object_thaw_notify (to);
}

static int
json_depth (const char *data,
            gsize       len)
{
  int depth = 0, deepest = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          /* Not inside MAX (): it evaluates its arguments twice. */
          depth++;
          deepest = MAX (deepest, depth);
        }
      else if (c == '}' || c == ']')
        depth--;
    }
  return deepest;
}

/* json-glib 1.6 accepts more than JSON (single quotes, bare names, a
 * second value after the first). A client's bad JSON must be refused with
 * a clear error, not half-understood, so the text is checked against the
 * RFC 8259 grammar first. Nesting is already bounded by max_depth(). */
typedef struct
{
  const char *p;
  const char *end;
} Scan;

static void
skip_ws (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean scan_value (Scan *s);

static gboolean
scan_string (Scan *s)
{
  if (s->p >= s->end || *s->p != '"')
    return FALSE;
  s->p++;
  while (s->p < s->end)
    {
      guchar c = *s->p++;

      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return FALSE;
      if (c == '\\')
        {
          if (s->p >= s->end)
            return FALSE;
          c = *s->p++;
          if (c == 'u')
            {
              for (int i = 0; i < 4; i++, s->p++)
                if (s->p >= s->end || !g_ascii_isxdigit (*s->p))
                  return FALSE;
            }
          else if (!strchr ("\"\\/bfnrt", c))
            return FALSE;
        }
    }
  return FALSE;
}

static gboolean
scan_number (Scan *s)
{
  const char *start = s->p;

  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p >= s->end || !g_ascii_isdigit (*s->p))
    return FALSE;
  if (*s->p == '0')
    s->p++;
  else
    while (s->p < s->end && g_ascii_isdigit (*s->p))
      s->p++;
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        return FALSE;
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        s->p++;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (s->p >= s->end || !g_ascii_isdigit (*s->p))
        return FALSE;
      while (s->p < s->end && g_ascii_isdigit (*s->p))
        s->p++;
    }
  return s->p > start;
}

static gboolean
scan_literal (Scan       *s,
              const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (s->end - s->p) < n || memcmp (s->p, word, n) != 0)
    return FALSE;
  s->p += n;
  return TRUE;
}

static gboolean
scan_value (Scan *s)
{
  skip_ws (s);
  if (s->p >= s->end)
    return FALSE;

  switch (*s->p)
    {
    case '{':
      s->p++;
      skip_ws (s);
      if (s->p < s->end && *s->p == '}')
        {
          s->p++;
          return TRUE;
        }
      for (;;)
        {
          skip_ws (s);
          if (!scan_string (s))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end || *s->p++ != ':')
            return FALSE;
          if (!scan_value (s))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end)
            return FALSE;
          if (*s->p == '}')
            {
              s->p++;
              return TRUE;
            }
          if (*s->p++ != ',')
            return FALSE;
        }
    case '[':
      s->p++;
      skip_ws (s);
      if (s->p < s->end && *s->p == ']')
        {
          s->p++;
          return TRUE;
        }
      for (;;)
        {
          if (!scan_value (s))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end)
            return FALSE;
          if (*s->p == ']')
            {
              s->p++;
              return TRUE;
            }
          if (*s->p++ != ',')
            return FALSE;
        }
    case '"':
      return scan_string (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      return scan_number (s);
    }
}

static gboolean
is_strict_json (const char *data,
                gsize       len,
                gsize      *error_offset)
{
  Scan s = { data, data + len };
  gboolean ok = scan_value (&s);

  if (ok)
    {
      skip_ws (&s);
      ok = s.p == s.end;
    }
  *error_offset = s.p - data;
  return ok;
}

/* Parses JSON from the other side (a server's message, a client's body):
 * strict RFC 8259, bounded nesting (json-glib recurses), valid UTF-8, a
 * clear error otherwise. The daemon uses it too (brd_json_parse). */
JsonNode *
_br_json_parse_untrusted (const char  *data,
                          gsize        len,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (len == 0)
    {
      g_set_error_literal (error, BR_DECODE_ERROR, BR_DECODE_ERROR_SYNTAX, "The message is empty");
      return NULL;
    }
  if (!g_utf8_validate (data, len, NULL))
    {
      g_set_error_literal (error, BR_DECODE_ERROR, BR_DECODE_ERROR_SYNTAX, "The message is not valid UTF-8");
      return NULL;
    }
  if (json_depth (data, len) > MAX_JSON_DEPTH)
    {
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_SYNTAX,
                   "The message is nested more than %d levels deep", MAX_JSON_DEPTH);
      return NULL;
    }
  {
    gsize offset = 0;

    if (!is_strict_json (data, len, &offset))
      {
        g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_SYNTAX, "Malformed JSON: not valid JSON at byte %" G_GSIZE_FORMAT, offset);
        return NULL;
      }
  }
  if (!json_parser_load_from_data (parser, data, len, &local_error) || json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_SYNTAX, "The message is not JSON: %s",
                   local_error ? local_error->message : "empty");
      return NULL;
    }

  return json_node_copy (json_parser_get_root (parser));
}
