/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-error-stat"

#include "config.h"

#include "br-error.h"
#include "br-error-stat.h"
#include "br-object-private.h"

/**
 * BrErrorStat:
 *
 * One line of `GET /batch/analytics` `error_breakdown[]`: how often leads
 * failed with one error code, an example message, and what to do about it
 * (#BrErrorStat:hint, may be %NULL).
 */
struct _BrErrorStat
{
  GObject  parent_instance;

  char    *error_code;
  gint64   count;
  char    *sample_message;
  char    *hint;
};

G_DEFINE_FINAL_TYPE (BrErrorStat, br_error_stat, G_TYPE_OBJECT)

static const BrField error_stat_fields[] = {
  BR_FIELD_REQ (BrErrorStat, error_code, "error_code", BR_FIELD_STRING),
  BR_FIELD (BrErrorStat, count, "count", BR_FIELD_INT),
  BR_FIELD (BrErrorStat, sample_message, "sample_message", BR_FIELD_STRING),
  BR_FIELD (BrErrorStat, hint, "hint", BR_FIELD_STRING),
};

static BrFieldTable table = { error_stat_fields, G_N_ELEMENTS (error_stat_fields), NULL };

static void
br_error_stat_finalize (GObject *object)
{
  _br_field_table_finalize (&table, object);

  G_OBJECT_CLASS (br_error_stat_parent_class)->finalize (object);
}

static void
br_error_stat_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  _br_field_get_property (&table, object, prop_id, value);
}

static void
br_error_stat_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  _br_field_set_property (&table, object, prop_id, value);
}

static void
br_error_stat_class_init (BrErrorStatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = br_error_stat_finalize;
  object_class->get_property = br_error_stat_get_property;
  object_class->set_property = br_error_stat_set_property;

  _br_field_table_install (&table, object_class);
}

static void
br_error_stat_init (BrErrorStat *self)
{
}

/**
 * br_error_stat_new_from_json:
 * @obj: one element of `error_breakdown[]`
 * @error: where to say what was wrong
 *
 * Returns: (transfer full) (nullable): a new #BrErrorStat, or %NULL if
 *   `error_code` is missing or a member has the wrong type
 *   (%BR_DECODE_ERROR)
 */
BrErrorStat *
br_error_stat_new_from_json (JsonObject  *obj,
                             GError     **error)
{
  g_autoptr(BrErrorStat) self = NULL;

  g_return_val_if_fail (obj != NULL, NULL);

  self = g_object_new (BR_TYPE_ERROR_STAT, NULL);
  if (!_br_field_table_apply_json (&table, G_OBJECT (self), obj, error))
    return NULL;
  return g_steal_pointer (&self);
}

#define GETTER(type, name) \
  type br_error_stat_get_##name (BrErrorStat *self) \
  { \
    g_return_val_if_fail (BR_IS_ERROR_STAT (self), 0); \
    return self->name; \
  }

GETTER (const char *, error_code)
GETTER (gint64, count)
GETTER (const char *, sample_message)
GETTER (const char *, hint)

#undef GETTER
