/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-analytics"

#include "config.h"

#include <string.h>

#include "br-analytics.h"
#include "br-daily-stat.h"
#include "br-error.h"
#include "br-error-stat.h"
#include "br-object-private.h"
#include "br-wire-private.h"

/**
 * BrAnalytics:
 *
 * The answer to `GET /batch/analytics`. The members of `statistics` are
 * flat properties (#BrAnalytics:total-batches …); `status_breakdown` is
 * read with br_analytics_get_status_count(). Our additions are
 * #BrAnalytics:daily (#BrDailyStat), #BrAnalytics:error-breakdown
 * (#BrErrorStat) and br_analytics_get_hourly(); from a server without them
 * (the FastAPI service) the models are empty and there is no hourly data.
 */
struct _BrAnalytics
{
  GObject     parent_instance;

  gint64      period_days;
  gint64      start_date;
  gint64      generated_at;
  gint64      total_batches;
  double      average_successful_leads;
  double      average_progress;
  double      total_cost_usd;
  double      average_duration_seconds;

  GHashTable *status_breakdown;   /* char* → gint64* */
  GListStore *daily;
  GListStore *error_breakdown;
  guint       hourly[24];
  gboolean    has_hourly;
};

G_DEFINE_FINAL_TYPE (BrAnalytics, br_analytics, G_TYPE_OBJECT)

static const BrField analytics_fields[] = {
  BR_FIELD (BrAnalytics, period_days, "period_days", BR_FIELD_INT),
  BR_FIELD (BrAnalytics, start_date, "start_date", BR_FIELD_TIME),
  BR_FIELD (BrAnalytics, generated_at, "generated_at", BR_FIELD_TIME),
  BR_FIELD (BrAnalytics, total_batches, "total_batches", BR_FIELD_INT),
  BR_FIELD (BrAnalytics, average_successful_leads, "average_successful_leads", BR_FIELD_DOUBLE),
  BR_FIELD (BrAnalytics, average_progress, "average_progress", BR_FIELD_DOUBLE),
  BR_FIELD (BrAnalytics, total_cost_usd, "total_cost_usd", BR_FIELD_DOUBLE),
  BR_FIELD (BrAnalytics, average_duration_seconds, "average_duration_seconds", BR_FIELD_DOUBLE),
};

static const BrNestedMember analytics_nested[] = {
  { "statistics", "total_batches", "total_batches" },
  { "statistics", "average_successful_leads", "average_successful_leads" },
  { "statistics", "average_progress", "average_progress" },
  { "statistics", "total_cost_usd", "total_cost_usd" },
  { "statistics", "average_duration_seconds", "average_duration_seconds" },
};

static BrFieldTable table = { analytics_fields, G_N_ELEMENTS (analytics_fields), NULL };

enum {
  PROP_DAILY = G_N_ELEMENTS (analytics_fields) + 1,
  PROP_ERROR_BREAKDOWN,
};

static void
br_analytics_finalize (GObject *object)
{
  BrAnalytics *self = BR_ANALYTICS (object);

  _br_field_table_finalize (&table, object);
  g_clear_pointer (&self->status_breakdown, g_hash_table_unref);
  g_clear_object (&self->daily);
  g_clear_object (&self->error_breakdown);

  G_OBJECT_CLASS (br_analytics_parent_class)->finalize (object);
}

static void
br_analytics_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  BrAnalytics *self = BR_ANALYTICS (object);

  switch (prop_id)
    {
    case PROP_DAILY:
      g_value_set_object (value, self->daily);
      break;
    case PROP_ERROR_BREAKDOWN:
      g_value_set_object (value, self->error_breakdown);
      break;
    default:
      _br_field_get_property (&table, object, prop_id, value);
      break;
    }
}

static void
br_analytics_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  _br_field_set_property (&table, object, prop_id, value);
}

static void
br_analytics_class_init (BrAnalyticsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = br_analytics_finalize;
  object_class->get_property = br_analytics_get_property;
  object_class->set_property = br_analytics_set_property;

  _br_field_table_install (&table, object_class);

  /**
   * BrAnalytics:daily:
   *
   * A #GListModel of #BrDailyStat, oldest day first; empty from a server
   * without `daily`.
   */
  g_object_class_install_property (object_class, PROP_DAILY,
                                   g_param_spec_object ("daily", NULL, NULL, G_TYPE_LIST_MODEL, flags));

  /**
   * BrAnalytics:error-breakdown:
   *
   * A #GListModel of #BrErrorStat, most frequent first as the server sent
   * them; empty from a server without `error_breakdown`.
   */
  g_object_class_install_property (object_class, PROP_ERROR_BREAKDOWN,
                                   g_param_spec_object ("error-breakdown", NULL, NULL, G_TYPE_LIST_MODEL, flags));
}

static void
br_analytics_init (BrAnalytics *self)
{
  self->status_breakdown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->daily = g_list_store_new (BR_TYPE_DAILY_STAT);
  self->error_breakdown = g_list_store_new (BR_TYPE_ERROR_STAT);
}

/* `start_date` may be a bare date (Python's date.isoformat()): midnight UTC. */
static void
normalize_start_date (JsonObject *flat)
{
  JsonNode *node = json_object_get_member (flat, "start_date");
  const char *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return;
  text = json_node_get_string (node);
  if (strlen (text) == 10 && text[4] == '-' && text[7] == '-')
    {
      g_autofree char *full = g_strconcat (text, "T00:00:00Z", NULL);

      json_object_set_string_member (flat, "start_date", full);
    }
}

static gboolean
decode_status_breakdown (JsonObject  *obj,
                         GHashTable  *out,
                         GError     **error)
{
  JsonObject *breakdown = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  if (!_br_json_get_object (obj, "status_breakdown", &breakdown, error))
    return FALSE;
  if (breakdown == NULL)
    return TRUE;

  json_object_iter_init (&iter, breakdown);
  while (json_object_iter_next (&iter, &name, &node))
    {
      g_autofree char *what = g_strdup_printf ("status_breakdown.%s", name);
      gint64 count = 0;

      if (!_br_json_node_get_int (node, what, &count, error))
        return FALSE;
      g_hash_table_insert (out, g_strdup (name), g_memdup2 (&count, sizeof count));
    }
  return TRUE;
}

static gboolean
decode_list (JsonObject  *obj,
             const char  *key,
             gpointer   (*decode) (JsonObject *, GError **),
             GPtrArray   *out,
             GError     **error)
{
  JsonArray *array = NULL;

  if (!_br_json_get_array (obj, key, &array, error))
    return FALSE;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gpointer item;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "“%s[%u]” must be an object", key, i);
          return FALSE;
        }
      item = decode (json_node_get_object (element), error);
      if (item == NULL)
        {
          g_prefix_error (error, "%s[%u]: ", key, i);
          return FALSE;
        }
      g_ptr_array_add (out, item);
    }
  return TRUE;
}

static gboolean
decode_hourly (JsonObject  *obj,
               guint        hours[24],
               gboolean    *present,
               GError     **error)
{
  JsonArray *array = NULL;

  *present = FALSE;
  if (!_br_json_get_array (obj, "hourly_throughput", &array, error))
    return FALSE;
  if (array == NULL)
    return TRUE;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *entry;
      JsonNode *hour_node, *leads_node;
      gint64 hour = 0, leads = 0;
      g_autofree char *hour_what = g_strdup_printf ("hourly_throughput[%u].hour", i);
      g_autofree char *leads_what = g_strdup_printf ("hourly_throughput[%u].leads", i);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE,
                       "“hourly_throughput[%u]” must be an object", i);
          return FALSE;
        }
      entry = json_node_get_object (element);
      hour_node = json_object_get_member (entry, "hour");
      leads_node = json_object_get_member (entry, "leads");
      if (hour_node == NULL || leads_node == NULL)
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_MISSING,
                       "“%s” is missing", hour_node == NULL ? hour_what : leads_what);
          return FALSE;
        }
      if (!_br_json_node_get_int (hour_node, hour_what, &hour, error) ||
          !_br_json_node_get_int (leads_node, leads_what, &leads, error))
        return FALSE;
      if (hour < 0 || hour > 23 || leads < 0 || leads > G_MAXUINT)
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE,
                       "“hourly_throughput[%u]” must be an hour from 0 to 23 and a count", i);
          return FALSE;
        }
      hours[hour] = (guint) leads;
    }

  *present = TRUE;
  return TRUE;
}

/**
 * br_analytics_new_from_json:
 * @obj: the body of `GET /batch/analytics`
 * @error: where to say what was wrong
 *
 * Returns: (transfer full) (nullable): a new #BrAnalytics, or %NULL if a
 *   member has the wrong type (%BR_DECODE_ERROR)
 */
BrAnalytics *
br_analytics_new_from_json (JsonObject  *obj,
                            GError     **error)
{
  g_autoptr(BrAnalytics) self = NULL;
  g_autoptr(JsonObject) flat = NULL;
  g_autoptr(GPtrArray) daily = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint hours[24] = { 0 };
  gboolean has_hourly = FALSE;

  g_return_val_if_fail (obj != NULL, NULL);

  if (!decode_status_breakdown (obj, statuses, error) ||
      !decode_list (obj, "daily", (gpointer (*) (JsonObject *, GError **)) br_daily_stat_new_from_json,
                    daily, error) ||
      !decode_list (obj, "error_breakdown", (gpointer (*) (JsonObject *, GError **)) br_error_stat_new_from_json,
                    errors, error) ||
      !decode_hourly (obj, hours, &has_hourly, error))
    return NULL;

  flat = _br_json_flatten (obj, analytics_nested, G_N_ELEMENTS (analytics_nested), error);
  if (flat == NULL)
    return NULL;
  normalize_start_date (flat);

  self = g_object_new (BR_TYPE_ANALYTICS, NULL);
  if (!_br_field_table_apply_json (&table, G_OBJECT (self), flat, error))
    return NULL;

  g_hash_table_unref (self->status_breakdown);
  self->status_breakdown = g_steal_pointer (&statuses);
  g_list_store_splice (self->daily, 0, 0, daily->pdata, daily->len);
  g_list_store_splice (self->error_breakdown, 0, 0, errors->pdata, errors->len);
  memcpy (self->hourly, hours, sizeof hours);
  self->has_hourly = has_hourly;

  return g_steal_pointer (&self);
}

/**
 * br_analytics_get_status_count:
 * @self: a #BrAnalytics
 * @status: a batch status name, e.g. "completed"
 *
 * Returns: how many batches of the period have @status (0 if the server
 *   did not list it)
 */
gint64
br_analytics_get_status_count (BrAnalytics *self,
                               const char  *status)
{
  const gint64 *count;

  g_return_val_if_fail (BR_IS_ANALYTICS (self), 0);
  g_return_val_if_fail (status != NULL, 0);

  count = g_hash_table_lookup (self->status_breakdown, status);
  return count ? *count : 0;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/**
 * br_analytics_dup_statuses:
 * @self: a #BrAnalytics
 *
 * Returns: (transfer full): the statuses `status_breakdown` lists, sorted
 */
GStrv
br_analytics_dup_statuses (BrAnalytics *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  GStrv out;

  g_return_val_if_fail (BR_IS_ANALYTICS (self), NULL);

  g_hash_table_iter_init (&iter, self->status_breakdown);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);
  g_ptr_array_sort (names, compare_names);

  out = g_new0 (char *, names->len + 1);
  for (guint i = 0; i < names->len; i++)
    out[i] = g_strdup (names->pdata[i]);
  return out;
}

/**
 * br_analytics_get_daily:
 * @self: a #BrAnalytics
 *
 * Returns: (transfer none): a #GListModel of #BrDailyStat
 */
GListModel *
br_analytics_get_daily (BrAnalytics *self)
{
  g_return_val_if_fail (BR_IS_ANALYTICS (self), NULL);

  return G_LIST_MODEL (self->daily);
}

/**
 * br_analytics_get_error_breakdown:
 * @self: a #BrAnalytics
 *
 * Returns: (transfer none): a #GListModel of #BrErrorStat
 */
GListModel *
br_analytics_get_error_breakdown (BrAnalytics *self)
{
  g_return_val_if_fail (BR_IS_ANALYTICS (self), NULL);

  return G_LIST_MODEL (self->error_breakdown);
}

/**
 * br_analytics_get_hourly:
 * @self: a #BrAnalytics
 * @out: (out caller-allocates) (array fixed-size=24): leads finished in
 *   each hour of the day (UTC) over the period
 *
 * Returns: whether the server sent `hourly_throughput`; if not, @out is
 *   all zeros
 */
gboolean
br_analytics_get_hourly (BrAnalytics *self,
                         guint        out[24])
{
  g_return_val_if_fail (BR_IS_ANALYTICS (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memcpy (out, self->hourly, sizeof self->hourly);
  return self->has_hourly;
}

#define GETTER(type, name) \
  type br_analytics_get_##name (BrAnalytics *self) \
  { \
    g_return_val_if_fail (BR_IS_ANALYTICS (self), 0); \
    return self->name; \
  }

GETTER (gint64, period_days)
GETTER (gint64, start_date)
GETTER (gint64, generated_at)
GETTER (gint64, total_batches)
GETTER (double, average_successful_leads)
GETTER (double, average_progress)
GETTER (double, total_cost_usd)
GETTER (double, average_duration_seconds)

#undef GETTER
