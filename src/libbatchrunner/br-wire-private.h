/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Helpers for wire objects whose members do not fit the field table of
 * br-object-private.h as they are: nested objects shown as flat
 * properties, string arrays, lists of small objects. They follow the same
 * rules: strict about types, BR_DECODE_ERROR on anything else, nothing
 * applied until everything has been checked. */

typedef struct
{
  const char *outer;   /* member holding an object, e.g. "cost_breakdown" */
  const char *inner;   /* member inside it, e.g. "base_cost" */
  const char *flat;    /* the field-table key it is decoded as */
} BrNestedMember;

/* Returns a copy of @obj with every @map member of a nested object added
 * at top level under its flat name, ready for _br_field_table_apply_json().
 * An absent or null container adds nothing; anything else but an object is
 * an error. */
JsonObject *_br_json_flatten          (JsonObject            *obj,
                                       const BrNestedMember  *map,
                                       guint                  n_map,
                                       GError               **error);

/* Reads an array of strings. Absent: returns TRUE and leaves *@present
 * FALSE. null: *@out = NULL. */
gboolean    _br_json_get_strv         (JsonObject            *obj,
                                       const char            *key,
                                       gboolean              *present,
                                       GStrv                 *out,
                                       GError               **error);

/* Reads an optional array (absent or null → NULL, transfer none). */
gboolean    _br_json_get_array        (JsonObject            *obj,
                                       const char            *key,
                                       JsonArray            **out,
                                       GError               **error);

/* Reads an optional object (absent or null → NULL, transfer none). */
gboolean    _br_json_get_object       (JsonObject            *obj,
                                       const char            *key,
                                       JsonObject           **out,
                                       GError               **error);

/* Reads a whole number that fits a gint64 (an integral double is accepted). */
gboolean    _br_json_node_get_int     (JsonNode              *node,
                                       const char            *what,
                                       gint64                *out,
                                       GError               **error);

/* Reads a finite number. */
gboolean    _br_json_node_get_double  (JsonNode              *node,
                                       const char            *what,
                                       double                *out,
                                       GError               **error);

gboolean    _br_strv_equal            (const char * const    *a,
                                       const char * const    *b);

G_END_DECLS
