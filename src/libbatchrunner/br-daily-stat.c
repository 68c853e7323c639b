/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-daily-stat"

#include "config.h"

#include "br-daily-stat.h"
#include "br-error.h"
#include "br-object-private.h"

/**
 * BrDailyStat:
 *
 * One day of `GET /batch/analytics` `daily[]`: #BrDailyStat:date is the
 * UTC day as "YYYY-MM-DD"; the percentiles are -1 when the server sent
 * null (no lead finished that day).
 */
struct _BrDailyStat
{
  GObject  parent_instance;

  char    *date;
  gint64   batches;
  gint64   leads_processed;
  gint64   successful;
  gint64   failed;
  double   cost_usd;
  gint64   p50_lead_ms;
  gint64   p95_lead_ms;
};

G_DEFINE_FINAL_TYPE (BrDailyStat, br_daily_stat, G_TYPE_OBJECT)

static const BrField daily_fields[] = {
  BR_FIELD_REQ (BrDailyStat, date, "date", BR_FIELD_STRING),
  BR_FIELD (BrDailyStat, batches, "batches", BR_FIELD_INT),
  BR_FIELD (BrDailyStat, leads_processed, "leads_processed", BR_FIELD_INT),
  BR_FIELD (BrDailyStat, successful, "successful", BR_FIELD_INT),
  BR_FIELD (BrDailyStat, failed, "failed", BR_FIELD_INT),
  BR_FIELD (BrDailyStat, cost_usd, "cost_usd", BR_FIELD_DOUBLE),
  BR_FIELD (BrDailyStat, p50_lead_ms, "p50_lead_ms", BR_FIELD_NINT),
  BR_FIELD (BrDailyStat, p95_lead_ms, "p95_lead_ms", BR_FIELD_NINT),
};

static BrFieldTable table = { daily_fields, G_N_ELEMENTS (daily_fields), NULL };

static void
br_daily_stat_finalize (GObject *object)
{
  _br_field_table_finalize (&table, object);

  G_OBJECT_CLASS (br_daily_stat_parent_class)->finalize (object);
}

static void
br_daily_stat_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  _br_field_get_property (&table, object, prop_id, value);
}

static void
br_daily_stat_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  _br_field_set_property (&table, object, prop_id, value);
}

static void
br_daily_stat_class_init (BrDailyStatClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = br_daily_stat_finalize;
  object_class->get_property = br_daily_stat_get_property;
  object_class->set_property = br_daily_stat_set_property;

  _br_field_table_install (&table, object_class);
}

static void
br_daily_stat_init (BrDailyStat *self)
{
  self->p50_lead_ms = -1;
  self->p95_lead_ms = -1;
}

/**
 * br_daily_stat_new_from_json:
 * @obj: one element of `daily[]`
 * @error: where to say what was wrong
 *
 * Returns: (transfer full) (nullable): a new #BrDailyStat, or %NULL if
 *   `date` is missing or a member has the wrong type (%BR_DECODE_ERROR)
 */
BrDailyStat *
br_daily_stat_new_from_json (JsonObject  *obj,
                             GError     **error)
{
  g_autoptr(BrDailyStat) self = NULL;

  g_return_val_if_fail (obj != NULL, NULL);

  self = g_object_new (BR_TYPE_DAILY_STAT, NULL);
  if (!_br_field_table_apply_json (&table, G_OBJECT (self), obj, error))
    return NULL;
  return g_steal_pointer (&self);
}

#define GETTER(type, name) \
  type br_daily_stat_get_##name (BrDailyStat *self) \
  { \
    g_return_val_if_fail (BR_IS_DAILY_STAT (self), 0); \
    return self->name; \
  }

GETTER (const char *, date)
GETTER (gint64, batches)
GETTER (gint64, leads_processed)
GETTER (gint64, successful)
GETTER (gint64, failed)
GETTER (double, cost_usd)
GETTER (gint64, p50_lead_ms)
GETTER (gint64, p95_lead_ms)

#undef GETTER
