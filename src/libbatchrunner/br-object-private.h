/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The wire objects are described by a table of fields. One table drives
 * their GObject properties, their JSON decoding (strict about types),
 * their encoding, and in-place updates that notify only what changed:
 * the rules cannot drift apart between objects or directions. */

typedef enum
{
  BR_FIELD_STRING,    /* char *            JSON string or null */
  BR_FIELD_INT,       /* gint64            JSON integer (an integral double is accepted) */
  BR_FIELD_DOUBLE,    /* double            JSON number */
  BR_FIELD_BOOL,      /* gboolean          JSON boolean */
  BR_FIELD_TIME,      /* gint64 unix µs    ISO 8601 string (naive = UTC) or null → 0 */
  BR_FIELD_ENUM,      /* int               JSON string, mapped by from_string */
  BR_FIELD_NINT,      /* gint64            nullable integer: null → -1 */
  BR_FIELD_NDOUBLE,   /* double            nullable number: null → -1 */
} BrFieldType;

typedef struct
{
  const char  *key;          /* JSON member name; the property is its hyphenated form */
  BrFieldType  type;
  gsize        offset;       /* into the instance struct */
  gboolean     required;
  GType      (*enum_type) (void);
  int        (*from_string) (const char *);
  const char *(*to_string) (int);
  gboolean     interned;     /* BR_FIELD_STRING held as an interned GRefString */
} BrField;

typedef struct
{
  const BrField *fields;
  guint          n_fields;
  GParamSpec   **pspecs;     /* n_fields, index-aligned with fields */
} BrFieldTable;

#define BR_FIELD(Type, member, key_, kind) \
  { key_, kind, G_STRUCT_OFFSET (Type, member), FALSE, NULL, NULL, NULL }
#define BR_FIELD_REQ(Type, member, key_, kind) \
  { key_, kind, G_STRUCT_OFFSET (Type, member), TRUE, NULL, NULL, NULL }
/* A string that many objects share (a template version, an operator): one
 * interned copy for all of them instead of one each. */
#define BR_FIELD_SHARED(Type, member, key_) \
  { key_, BR_FIELD_STRING, G_STRUCT_OFFSET (Type, member), FALSE, NULL, NULL, NULL, TRUE }
#define BR_FIELD_E(Type, member, key_, gtype, from, to) \
  { key_, BR_FIELD_ENUM, G_STRUCT_OFFSET (Type, member), FALSE, gtype, (int (*) (const char *)) from, (const char *(*) (int)) to }

/* Installs one property per field (prop ids 1..n) on @klass. */
void      _br_field_table_install     (BrFieldTable   *table,
                                       GObjectClass   *klass);
void      _br_field_get_property      (BrFieldTable   *table,
                                       GObject        *object,
                                       guint           prop_id,
                                       GValue         *value);
void      _br_field_set_property      (BrFieldTable   *table,
                                       GObject        *object,
                                       guint           prop_id,
                                       const GValue   *value);
void      _br_field_table_finalize    (BrFieldTable   *table,
                                       GObject        *object);

/* Checks every field of @obj present in the table, then applies them to
 * @object, notifying only the properties whose value changed. Nothing is
 * applied if any field has the wrong type. Members not in the table are
 * ignored; missing optional ones keep their value. */
gboolean  _br_field_table_apply_json  (BrFieldTable   *table,
                                       GObject        *object,
                                       JsonObject     *obj,
                                       GError        **error);
/* The same for an object nobody has seen yet (just made): no notifies,
 * which nobody could hear and which cost a notify queue per object. */
gboolean  _br_field_table_init_from_json (BrFieldTable *table,
                                          GObject      *object,
                                          JsonObject   *obj,
                                          GError      **error);
JsonNode *_br_field_table_to_json     (BrFieldTable   *table,
                                       GObject        *object);
/* Copies every field of @from to @to (same type), notifying changes. */
void      _br_field_table_copy        (BrFieldTable   *table,
                                       GObject        *to,
                                       GObject        *from);

/* Shared decoding rules, also for objects with nested members. */
gboolean  _br_json_parse_time         (const char     *text,
                                       gint64         *out_usec);
char     *_br_json_format_time        (gint64          usec);
JsonNode *_br_json_parse_untrusted    (const char     *data,
                                       gsize           len,
                                       GError        **error);

G_END_DECLS
