/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GET /batch/analytics against a known history: batches run through the
 * real daemon, then moved into the past in its SQLite file while it is
 * stopped (the daemon has no clock of its own to fake). Every number the
 * service returns is compared with what the rows say, computed here from
 * the rows themselves. Also GET /batch?error_code= and the library's
 * decoding of it all (BrAnalytics, br_client_list_batches_full_async). */
#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "batchrunner.h"
#include "brt-fixtures.h"

#define WAIT_MS 60000
#define DAY_US  G_GINT64_CONSTANT (86400000000)
#define HOUR_US G_GINT64_CONSTANT (3600000000)

/* The rows ------------------------------------------------------------------ */

typedef struct
{
  char   *id;
  char   *status;
  gint64  created_at;
  gint64  started_at;      /* 0 = null */
  gint64  completed_at;
  gint64  total;
  gint64  processed;
  gint64  successful;
  gint64  skipped;
  double  cost;
} BatchRow;

typedef struct
{
  char   *batch_id;
  char   *status;
  gint64  completed_at;    /* 0 = null */
  double  cost;
  gint64  ms;              /* -1 = null */
  char   *code;
  char   *message;
} LeadRow;

typedef struct
{
  GArray *batches;         /* BatchRow */
  GArray *leads;           /* LeadRow */
} Rows;

static void
rows_free (Rows *rows)
{
  for (guint i = 0; i < rows->batches->len; i++)
    {
      BatchRow *b = &g_array_index (rows->batches, BatchRow, i);
      g_free (b->id);
      g_free (b->status);
    }
  for (guint i = 0; i < rows->leads->len; i++)
    {
      LeadRow *l = &g_array_index (rows->leads, LeadRow, i);
      g_free (l->batch_id);
      g_free (l->status);
      g_free (l->code);
      g_free (l->message);
    }
  g_array_unref (rows->batches);
  g_array_unref (rows->leads);
  g_free (rows);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Rows, rows_free)

static sqlite3 *
open_db (BrtDaemon *daemon)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (brt_daemon_get_db_path (daemon), &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static void
exec_db (sqlite3    *db,
         const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
}

static char *
dup_col (sqlite3_stmt *stmt,
         int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

/* Everything the analytics are computed from, read straight from the
 * daemon's database (WAL: readable while it runs). */
static Rows *
read_rows (BrtDaemon *daemon)
{
  sqlite3 *db = open_db (daemon);
  sqlite3_stmt *stmt = NULL;
  Rows *rows = g_new0 (Rows, 1);

  rows->batches = g_array_new (FALSE, TRUE, sizeof (BatchRow));
  rows->leads = g_array_new (FALSE, TRUE, sizeof (LeadRow));

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, status, created_at, COALESCE (started_at, 0),"
                                       " COALESCE (completed_at, 0), total_leads, processed_leads,"
                                       " successful_leads, skipped_leads, actual_cost_usd FROM batches",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      BatchRow b = {
        dup_col (stmt, 0), dup_col (stmt, 1), sqlite3_column_int64 (stmt, 2), sqlite3_column_int64 (stmt, 3),
        sqlite3_column_int64 (stmt, 4), sqlite3_column_int64 (stmt, 5), sqlite3_column_int64 (stmt, 6),
        sqlite3_column_int64 (stmt, 7), sqlite3_column_int64 (stmt, 8), sqlite3_column_double (stmt, 9),
      };
      g_array_append_val (rows->batches, b);
    }
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT batch_id, status, COALESCE (completed_at, 0), actual_cost_usd,"
                                       " COALESCE (processing_duration_ms, -1), error_code, error_message"
                                       " FROM batch_leads", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      LeadRow l = {
        dup_col (stmt, 0), dup_col (stmt, 1), sqlite3_column_int64 (stmt, 2), sqlite3_column_double (stmt, 3),
        sqlite3_column_int64 (stmt, 4), dup_col (stmt, 5), dup_col (stmt, 6),
      };
      g_array_append_val (rows->leads, l);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rows;
}

static int
cmp_int64 (gconstpointer a,
           gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
is_done (const LeadRow *l)
{
  return l->completed_at > 0 && (g_str_equal (l->status, "completed") || g_str_equal (l->status, "failed"));
}

/* Nearest rank: the ceil(p/100 · n)-th smallest. */
static gint64
nearest_rank (GArray *sorted,
              guint   p)
{
  gint64 n = sorted->len;

  return g_array_index (sorted, gint64, (p * n + 99) / 100 - 1);
}

static void
assert_money (double got,
              double want)
{
  /* The service rounds money to 1/100 of a cent. */
  g_assert_cmpfloat_with_epsilon (got, round (want * 10000) / 10000, 0.00005001);
}

static void
assert_null_or_int (JsonObject *obj,
                    const char *member,
                    gint64      want)
{
  if (want < 0)
    g_assert_true (json_object_get_null_member (obj, member));
  else
    g_assert_cmpint (brt_int (obj, member), ==, want);
}

/* Asks for @days of analytics and checks every number against @rows. */
static JsonObject *
check_analytics (BrtDaemon *daemon,
                 Rows      *rows,
                 guint      days)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/analytics?days=%u", days);
  JsonObject *a = brt_request (daemon, "GET", path, NULL, 200);
  gint64 now = brt_parse_time (brt_str (a, "generated_at"));
  gint64 first_day = now / DAY_US - (days - 1);
  gint64 start = first_day * DAY_US;
  JsonObject *stats = json_object_get_object_member (a, "statistics");
  JsonObject *breakdown = json_object_get_object_member (a, "status_breakdown");
  JsonArray *daily = json_object_get_array_member (a, "daily");
  JsonArray *hourly = json_object_get_array_member (a, "hourly_throughput");
  JsonArray *errors = json_object_get_array_member (a, "error_breakdown");
  g_autoptr(GHashTable) statuses = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 hours[24] = { 0 };
  gint64 n_batches = 0, n_done = 0, prev_count = G_MAXINT64;
  double sum_ok = 0, sum_progress = 0, sum_cost = 0, sum_duration = 0;
  guint n_progress = 0;
  const char *prev_code = NULL;

  g_assert_cmpint (brt_int (a, "period_days"), ==, days);
  g_assert_cmpint (brt_parse_time (brt_str (a, "start_date")), ==, start);

  /* statistics and status_breakdown: batches created in the period. */
  for (guint i = 0; i < rows->batches->len; i++)
    {
      BatchRow *b = &g_array_index (rows->batches, BatchRow, i);

      if (b->created_at < start)
        continue;
      n_batches++;
      sum_ok += b->successful;
      if (b->total > 0)
        {
          sum_progress += 100.0 * (b->processed + b->skipped) / b->total;
          n_progress++;
        }
      sum_cost += b->cost;
      if (b->started_at > 0 && b->completed_at > 0)
        {
          sum_duration += (b->completed_at - b->started_at) / 1e6;
          n_done++;
        }
      g_hash_table_insert (statuses, b->status,
                           GSIZE_TO_POINTER (GPOINTER_TO_SIZE (g_hash_table_lookup (statuses, b->status)) + 1));
    }
  g_assert_cmpint (brt_int (stats, "total_batches"), ==, n_batches);
  g_assert_cmpfloat_with_epsilon (brt_num (stats, "average_successful_leads"),
                                  n_batches ? sum_ok / n_batches : 0, 0.005001);
  g_assert_cmpfloat_with_epsilon (brt_num (stats, "average_progress"),
                                  n_progress ? sum_progress / n_progress : 0, 0.005001);
  assert_money (brt_num (stats, "total_cost_usd"), sum_cost);
  g_assert_cmpfloat_with_epsilon (brt_num (stats, "average_duration_seconds"),
                                  n_done ? sum_duration / n_done : 0, 0.05001);

  g_assert_cmpuint (json_object_get_size (breakdown), ==, g_hash_table_size (statuses));
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, statuses);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_assert_cmpint (brt_int (breakdown, key), ==, GPOINTER_TO_SIZE (value));
  }

  /* daily: one entry per UTC day, oldest first, today last. */
  g_assert_cmpuint (json_array_get_length (daily), ==, days);
  for (guint d = 0; d < days; d++)
    {
      JsonObject *day = json_array_get_object_element (daily, d);
      gint64 from = (first_day + d) * DAY_US, to = from + DAY_US;
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (from / G_USEC_PER_SEC);
      g_autofree char *date = g_date_time_format (dt, "%Y-%m-%d");
      g_autoptr(GArray) ms = g_array_new (FALSE, FALSE, sizeof (gint64));
      gint64 batches = 0, ok = 0, failed = 0;
      double cost = 0;

      for (guint i = 0; i < rows->batches->len; i++)
        {
          BatchRow *b = &g_array_index (rows->batches, BatchRow, i);
          batches += b->created_at >= from && b->created_at < to;
        }
      for (guint i = 0; i < rows->leads->len; i++)
        {
          LeadRow *l = &g_array_index (rows->leads, LeadRow, i);

          if (l->completed_at < from || l->completed_at >= to)
            continue;
          cost += l->cost;
          if (!is_done (l))
            continue;
          ok += g_str_equal (l->status, "completed");
          failed += g_str_equal (l->status, "failed");
          if (l->ms >= 0)
            g_array_append_val (ms, l->ms);
        }
      g_array_sort (ms, cmp_int64);

      g_assert_cmpstr (brt_str (day, "date"), ==, date);
      g_assert_cmpint (brt_int (day, "batches"), ==, batches);
      g_assert_cmpint (brt_int (day, "successful"), ==, ok);
      g_assert_cmpint (brt_int (day, "failed"), ==, failed);
      g_assert_cmpint (brt_int (day, "leads_processed"), ==, ok + failed);
      assert_money (brt_num (day, "cost_usd"), cost);
      assert_null_or_int (day, "p50_lead_ms", ms->len ? nearest_rank (ms, 50) : -1);
      assert_null_or_int (day, "p95_lead_ms", ms->len ? nearest_rank (ms, 95) : -1);
    }

  /* hourly_throughput: finished leads of the period by UTC hour of day. */
  for (guint i = 0; i < rows->leads->len; i++)
    {
      LeadRow *l = &g_array_index (rows->leads, LeadRow, i);

      if (is_done (l) && l->completed_at >= start)
        hours[(l->completed_at / HOUR_US) % 24]++;
    }
  g_assert_cmpuint (json_array_get_length (hourly), ==, 24);
  for (guint h = 0; h < 24; h++)
    {
      JsonObject *o = json_array_get_object_element (hourly, h);

      g_assert_cmpint (brt_int (o, "hour"), ==, h);
      g_assert_cmpint (brt_int (o, "leads"), ==, hours[h]);
    }

  /* error_breakdown: failed leads of the period by code, most first; the
   * sample is the newest failure's message; built-in codes have a hint. */
  for (guint i = 0; i < rows->leads->len; i++)
    {
      LeadRow *l = &g_array_index (rows->leads, LeadRow, i);

      if (g_str_equal (l->status, "failed") && l->completed_at >= start)
        g_hash_table_insert (codes, l->code,
                             GSIZE_TO_POINTER (GPOINTER_TO_SIZE (g_hash_table_lookup (codes, l->code)) + 1));
    }
  g_assert_cmpuint (json_array_get_length (errors), ==, g_hash_table_size (codes));
  for (guint e = 0; e < json_array_get_length (errors); e++)
    {
      JsonObject *o = json_array_get_object_element (errors, e);
      const char *code = brt_str (o, "error_code");
      const char *sample = brt_str (o, "sample_message");
      gint64 count = brt_int (o, "count");
      gint64 newest = 0;
      gboolean sample_is_newest = FALSE;

      g_assert_cmpint (count, ==, GPOINTER_TO_SIZE (g_hash_table_lookup (codes, code)));
      g_assert_cmpint (count, <=, prev_count);
      if (count == prev_count)
        g_assert_cmpstr (prev_code, <, code);
      prev_count = count;
      prev_code = code;

      for (guint i = 0; i < rows->leads->len; i++)
        {
          LeadRow *l = &g_array_index (rows->leads, LeadRow, i);
          if (g_str_equal (l->status, "failed") && g_strcmp0 (l->code, code) == 0 && l->completed_at >= start)
            newest = MAX (newest, l->completed_at);
        }
      /* Several leads can finish in the same engine turn: any of the
       * newest is the newest. */
      for (guint i = 0; i < rows->leads->len; i++)
        {
          LeadRow *l = &g_array_index (rows->leads, LeadRow, i);
          if (g_str_equal (l->status, "failed") && g_strcmp0 (l->code, code) == 0 && l->completed_at == newest)
            sample_is_newest |= g_strcmp0 (l->message, sample) == 0;
        }
      g_assert_true (sample_is_newest);
      g_assert_nonnull (brt_str (o, "hint"));
      g_assert_cmpuint (strlen (brt_str (o, "hint")), >, 20);
    }

  return a;
}

/* The history ------------------------------------------------------------ */

typedef struct
{
  BrtDaemon *daemon;
  char      *mixed;        /* 6 good + 3 unreachable leads, moved 3 days back */
  char      *old;          /* 3 unreachable leads, moved 40 days back */
  char      *today;        /* 2 good leads + 1 without domain or email */
  gint64     mixed_day;    /* UTC day number of the mixed batch */
} History;

static void
history_free (History *h)
{
  g_free (h->mixed);
  g_free (h->old);
  g_free (h->today);
  g_clear_pointer (&h->daemon, brt_daemon_free);
  g_free (h);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (History, history_free)

/* Moves a finished batch @days_back days into the past: the batch row and
 * its lead rows. Lead i finishes at hour (@first_hour + i) of that day and
 * took (i + 1) · @ms_step ms, so the percentiles are known. */
static void
move_back (sqlite3    *db,
           const char *batch_id,
           gint64      day,
           int         first_hour,
           gint64      ms_step)
{
  g_autofree char *sql = NULL;
  gint64 base = day * DAY_US;

  sql = g_strdup_printf ("UPDATE batches SET created_at = %" G_GINT64_FORMAT ", started_at = %" G_GINT64_FORMAT ","
                         " completed_at = %" G_GINT64_FORMAT ", updated_at = %" G_GINT64_FORMAT " WHERE id = '%s'",
                         base + first_hour * HOUR_US - 60 * G_USEC_PER_SEC,
                         base + first_hour * HOUR_US - 30 * G_USEC_PER_SEC,
                         base + (first_hour + 9) * HOUR_US, base + (first_hour + 9) * HOUR_US, batch_id);
  exec_db (db, sql);
  g_free (sql);
  /* A different minute per lead: the newest failure is unambiguous. */
  sql = g_strdup_printf ("UPDATE batch_leads SET"
                         " completed_at = %" G_GINT64_FORMAT " + (%d + position) * %" G_GINT64_FORMAT
                         "   + position * 60000000,"
                         " started_at = %" G_GINT64_FORMAT " + (%d + position) * %" G_GINT64_FORMAT ","
                         " processing_duration_ms = (position + 1) * %" G_GINT64_FORMAT
                         " WHERE batch_id = '%s'",
                         base, first_hour, HOUR_US, base, first_hour, HOUR_US, ms_step, batch_id);
  exec_db (db, sql);
}

static History *
build_history (void)
{
  History *h = g_new0 (History, 1);
  BrtLeadSpec bad = { .domain_prefix = "unreachable-" };
  g_autoptr(GPtrArray) mixed = NULL;
  g_autoptr(GPtrArray) failing = NULL;
  g_autoptr(GPtrArray) old = NULL;
  g_autoptr(GPtrArray) good = NULL;
  g_autoptr(GPtrArray) invalid = NULL;
  g_autofree char *strip = NULL;
  const char *ids[3];
  gint64 today;
  sqlite3 *db;

  h->daemon = brt_daemon_start ("--processor", "report", "--retry-backoff-ms", "10", NULL);
  mixed = brt_import_leads (h->daemon, 6, NULL);
  failing = brt_import_leads (h->daemon, 3, &bad);
  old = brt_import_leads (h->daemon, 3, &bad);
  good = brt_import_leads (h->daemon, 2, NULL);
  invalid = brt_import_leads (h->daemon, 1, NULL);
  for (guint i = 0; i < failing->len; i++)
    g_ptr_array_add (mixed, g_strdup (failing->pdata[i]));
  g_ptr_array_add (good, g_strdup (invalid->pdata[0]));

  /* A lead with neither domain nor email (the processor's INVALID_LEAD):
   * imports refuse those now, older databases can hold them. */
  g_assert_cmpint (brt_daemon_stop (h->daemon), ==, 0);
  db = open_db (h->daemon);
  strip = g_strdup_printf ("UPDATE leads SET domain = NULL, email = NULL WHERE id = '%s'",
                           (const char *) invalid->pdata[0]);
  exec_db (db, strip);
  sqlite3_close (db);
  brt_daemon_restart (h->daemon);

  h->mixed = brt_start_batch (h->daemon, mixed, "\"retry_failed\": false");
  h->old = brt_start_batch (h->daemon, old, "\"retry_failed\": false");
  h->today = brt_start_batch (h->daemon, good, "\"retry_failed\": false");
  ids[0] = h->mixed;
  ids[1] = h->old;
  ids[2] = h->today;
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(JsonObject) b = brt_wait_batch_status (h->daemon, ids[i], "completed|failed", WAIT_MS);
      g_autoptr(JsonObject) counted = brt_assert_counters_match_rows (h->daemon, ids[i]);
    }

  /* Into the past, with the daemon stopped: the triggers that keep the
   * analytics rollup run inside these UPDATEs like inside the daemon's. */
  g_assert_cmpint (brt_daemon_stop (h->daemon), ==, 0);
  today = g_get_real_time () / DAY_US;
  h->mixed_day = today - 3;
  db = open_db (h->daemon);
  exec_db (db, "BEGIN");
  move_back (db, h->mixed, h->mixed_day, 1, 10);
  move_back (db, h->old, today - 40, 14, 100);
  exec_db (db, "COMMIT");
  sqlite3_close (db);
  brt_daemon_restart (h->daemon);

  return h;
}

static JsonObject *
daily_entry (JsonObject *analytics,
             gint64      day)
{
  JsonArray *daily = json_object_get_array_member (analytics, "daily");
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (day * 86400);
  g_autofree char *date = g_date_time_format (dt, "%Y-%m-%d");

  for (guint i = 0; i < json_array_get_length (daily); i++)
    {
      JsonObject *d = json_array_get_object_element (daily, i);
      if (g_str_equal (brt_str (d, "date"), date))
        return d;
    }
  g_error ("No daily entry for %s", date);
}

static void
test_history (void)
{
  g_autoptr(History) h = build_history ();
  g_autoptr(Rows) rows = read_rows (h->daemon);
  g_autoptr(Rows) after = NULL;
  g_autoptr(JsonObject) a1 = NULL;
  g_autoptr(JsonObject) a7 = NULL;
  g_autoptr(JsonObject) a30 = NULL;
  g_autoptr(JsonObject) a90 = NULL;
  g_autoptr(JsonObject) retried = NULL;
  g_autofree char *retry_path = g_strdup_printf ("/api/v1/batch/%s/retry", h->mixed);
  JsonObject *day;

  /* Each window sees exactly its rows: 1 day (today's batch), 7 (plus the
   * mixed batch), 30 (the same), 90 (plus the old one). */
  a1 = check_analytics (h->daemon, rows, 1);
  a7 = check_analytics (h->daemon, rows, 7);
  a30 = check_analytics (h->daemon, rows, 30);
  a90 = check_analytics (h->daemon, rows, 90);
  g_assert_cmpint (brt_int (json_object_get_object_member (a1, "statistics"), "total_batches"), ==, 1);
  g_assert_cmpint (brt_int (json_object_get_object_member (a7, "statistics"), "total_batches"), ==, 2);
  g_assert_cmpint (brt_int (json_object_get_object_member (a90, "statistics"), "total_batches"), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (a7, "error_breakdown")), ==, 2);

  /* The numbers the history was built to have, not only recomputed ones:
   * the mixed batch's 9 leads took 10, 20, … 90 ms → nearest rank p50 is
   * the 5th (50), p95 the 9th (90); its leads finished at hours 1 to 9. */
  day = daily_entry (a7, h->mixed_day);
  g_assert_cmpint (brt_int (day, "batches"), ==, 1);
  g_assert_cmpint (brt_int (day, "successful"), ==, 6);
  g_assert_cmpint (brt_int (day, "failed"), ==, 3);
  g_assert_cmpint (brt_int (day, "p50_lead_ms"), ==, 50);
  g_assert_cmpint (brt_int (day, "p95_lead_ms"), ==, 90);
  day = daily_entry (a90, h->mixed_day - 37);
  g_assert_cmpint (brt_int (day, "failed"), ==, 3);
  g_assert_cmpint (brt_int (day, "p50_lead_ms"), ==, 200);
  g_assert_cmpint (brt_int (day, "p95_lead_ms"), ==, 300);
  g_assert_cmpstr (brt_str (json_array_get_object_element (json_object_get_array_member (a90, "error_breakdown"), 0),
                            "error_code"), ==, "DOMAIN_UNREACHABLE");
  g_assert_cmpint (brt_int (json_array_get_object_element (json_object_get_array_member (a90, "error_breakdown"), 0),
                            "count"), ==, 6);

  /* The percentiles of past days are cached; a change to one of those
   * days' rows must drop the cache. Retrying the mixed batch takes its 3
   * failures out of that day (they fail again today). */
  g_clear_pointer (&retried, json_object_unref);
  retried = brt_request (h->daemon, "POST", retry_path, "{}", 200);
  g_clear_pointer (&retried, json_object_unref);
  retried = brt_wait_batch_status (h->daemon, h->mixed, "completed|failed", WAIT_MS);
  g_clear_pointer (&retried, json_object_unref);
  retried = brt_assert_counters_match_rows (h->daemon, h->mixed);
  after = read_rows (h->daemon);
  g_clear_pointer (&a7, json_object_unref);
  g_clear_pointer (&a90, json_object_unref);
  a7 = check_analytics (h->daemon, after, 7);
  a90 = check_analytics (h->daemon, after, 90);
  day = daily_entry (a7, h->mixed_day);
  g_assert_cmpint (brt_int (day, "successful"), ==, 6);
  g_assert_cmpint (brt_int (day, "failed"), ==, 0);
  g_assert_cmpint (brt_int (day, "p50_lead_ms"), ==, 30);
  g_assert_cmpint (brt_int (day, "p95_lead_ms"), ==, 60);

  /* And a restart changes nothing: the rollup lives in the database. */
  brt_daemon_restart (h->daemon);
  g_clear_pointer (&a90, json_object_unref);
  a90 = check_analytics (h->daemon, after, 90);
}

static void
test_validation (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(JsonObject) empty = NULL;
  JsonArray *daily;

  brt_assert_error (daemon, "GET", "/api/v1/batch/analytics?days=0", NULL, 422, "VALIDATION_ERROR", "days:");
  brt_assert_error (daemon, "GET", "/api/v1/batch/analytics?days=91", NULL, 422, "VALIDATION_ERROR", "days:");
  brt_assert_error (daemon, "GET", "/api/v1/batch/analytics?days=-1", NULL, 422, "VALIDATION_ERROR", "days:");
  brt_assert_error (daemon, "GET", "/api/v1/batch/analytics?days=7.5", NULL, 422, "VALIDATION_ERROR", "days:");
  brt_assert_error (daemon, "GET", "/api/v1/batch/analytics?days=x", NULL, 422, "VALIDATION_ERROR", "days:");

  /* No history at all: zeros, null percentiles, 24 empty hours. An empty
   * parameter is no parameter (as everywhere in the API): 7 days. */
  empty = brt_request (daemon, "GET", "/api/v1/batch/analytics?days=", NULL, 200);
  g_assert_cmpint (brt_int (empty, "period_days"), ==, 7);
  daily = json_object_get_array_member (empty, "daily");
  g_assert_cmpuint (json_array_get_length (daily), ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      JsonObject *d = json_array_get_object_element (daily, i);
      g_assert_cmpint (brt_int (d, "leads_processed"), ==, 0);
      g_assert_true (json_object_get_null_member (d, "p50_lead_ms"));
    }
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (empty, "hourly_throughput")), ==, 24);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (empty, "error_breakdown")), ==, 0);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (empty, "status_breakdown")), ==, 0);
}

/* A version-1 database (before the analytics rollup) with history in it:
 * the migration builds the rollup from the rows it finds. */
static void
test_migration (void)
{
  g_autoptr(History) h = build_history ();
  g_autoptr(Rows) rows = NULL;
  g_autoptr(JsonObject) a7 = NULL;
  g_autoptr(JsonObject) a90 = NULL;
  sqlite3 *db;

  g_assert_cmpint (brt_daemon_stop (h->daemon), ==, 0);
  db = open_db (h->daemon);
  exec_db (db, "BEGIN;"
               "DROP TRIGGER batch_leads_rollup_insert; DROP TRIGGER batch_leads_rollup_delete;"
               "DROP TRIGGER batch_leads_rollup_update; DROP TABLE lead_rollup; DROP TABLE lead_day_percentiles;"
               "DROP INDEX batch_leads_done; DROP INDEX batch_leads_failed_code; DROP INDEX batches_analytics;"
               "CREATE INDEX batch_leads_completed ON batch_leads (completed_at);"
               /* and what version 3 added after it (the lead search), so the
                * file is a true version 1 that both migrations run over */
               "DROP TRIGGER leads_search_ai; DROP TRIGGER leads_search_au; DROP TRIGGER leads_search_ad;"
               "DROP TABLE lead_search; DROP TABLE lead_search_log; DROP TABLE lead_search_text;"
               "DROP INDEX leads_company_nocase; DROP INDEX batch_leads_started;"
               "PRAGMA user_version = 1; COMMIT");
  sqlite3_close (db);

  brt_daemon_restart (h->daemon);
  rows = read_rows (h->daemon);
  a7 = check_analytics (h->daemon, rows, 7);
  a90 = check_analytics (h->daemon, rows, 90);
  g_assert_cmpint (brt_int (json_object_get_object_member (a90, "statistics"), "total_batches"), ==, 3);
  g_assert_cmpint (brt_int (daily_entry (a7, h->mixed_day), "p95_lead_ms"), ==, 90);
}

/* Every failure the exec processor can record gets its hint; a code the
 * command makes up gets none. */
static const char hint_script[] =
  "in=$(cat)\n"
  "case \"$in\" in\n"
  "  *Exits*) echo 'fatal: the pipeline broke' >&2; exit 7 ;;\n"
  "  *Killed*) kill -9 $$ ;;\n"
  "  *Slow*) exec sleep 30 ;;\n"
  "  *Garbage*) echo 'this is not json' ;;\n"
  "  *Vague*) echo '{\"success\": false}' ;;\n"
  "  *Custom*) echo '{\"success\": false, \"error_code\": \"CRM_REJECTED\", \"error_message\": \"No\"}' ;;\n"
  "  *) echo '{}' ;;\n"
  "esac\n";

static void
test_exec_hints (void)
{
  static const struct { const char *prefix; const char *code; gboolean hint; } cases[] = {
    { "Exits", "EXIT_7", TRUE },
    { "Killed", "SIGNAL_9", TRUE },
    { "Slow", "TIMEOUT", TRUE },
    { "Garbage", "BAD_OUTPUT", TRUE },
    { "Vague", "FAILED", TRUE },
    { "Custom", "CRM_REJECTED", FALSE },
  };
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *script = g_build_filename (dir, "lead.sh", NULL);
  g_autofree char *command = g_strdup_printf ("sh %s", script);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrtDaemon) daemon = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) batch = NULL;
  g_autoptr(JsonObject) analytics = NULL;
  g_autofree char *id = NULL;
  JsonArray *errors;
  const char *exit_hint = NULL, *signal_hint = NULL;

  g_file_set_contents (script, hint_script, -1, &error);
  g_assert_no_error (error);
  daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command, "--exec-timeout", "0.5", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      BrtLeadSpec spec = { .name_prefix = cases[i].prefix };
      g_autoptr(GPtrArray) one = brt_import_leads (daemon, 1, &spec);

      g_ptr_array_add (ids, g_strdup (one->pdata[0]));
    }
  id = brt_start_batch (daemon, ids, "\"retry_failed\": false");
  batch = brt_wait_batch_status (daemon, id, "completed|failed", WAIT_MS);
  g_assert_cmpstr (brt_str (batch, "status"), ==, "failed");

  analytics = brt_request (daemon, "GET", "/api/v1/batch/analytics?days=1", NULL, 200);
  errors = json_object_get_array_member (analytics, "error_breakdown");
  g_assert_cmpuint (json_array_get_length (errors), ==, G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      JsonObject *found = NULL;

      for (guint e = 0; e < json_array_get_length (errors); e++)
        if (g_str_equal (brt_str (json_array_get_object_element (errors, e), "error_code"), cases[i].code))
          found = json_array_get_object_element (errors, e);
      if (found == NULL)
        g_error ("No %s in error_breakdown", cases[i].code);
      g_assert_cmpint (brt_int (found, "count"), ==, 1);
      g_assert_nonnull (brt_str (found, "sample_message"));
      if (cases[i].hint)
        g_assert_cmpuint (strlen (brt_str (found, "hint")), >, 20);
      else
        g_assert_null (brt_str (found, "hint"));
      if (g_str_equal (cases[i].code, "EXIT_7"))
        exit_hint = brt_str (found, "hint");
      if (g_str_equal (cases[i].code, "SIGNAL_9"))
        signal_hint = brt_str (found, "hint");
    }
  /* SIGKILL has advice of its own (the OOM killer), not the generic one. */
  g_assert_cmpstr (exit_hint, !=, signal_hint);
  g_assert_nonnull (strstr (signal_hint, "memory"));

  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
  brt_remove_tree (dir);
}

/* GET /batch?error_code= ---------------------------------------------------- */

static GPtrArray *
list_ids (BrtDaemon  *daemon,
          const char *query,
          gint64     *total)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/batch?%s", query);
  g_autoptr(JsonObject) page = brt_request (daemon, "GET", path, NULL, 200);
  JsonArray *batches = json_object_get_array_member (page, "batches");
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (batches); i++)
    g_ptr_array_add (ids, g_strdup (brt_str (json_array_get_object_element (batches, i), "id")));
  *total = brt_int (page, "total_count");
  return ids;
}

static gboolean
has_id (GPtrArray  *ids,
        const char *id)
{
  return g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL);
}

static void
test_error_code_filter (void)
{
  g_autoptr(History) h = build_history ();
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(JsonObject) health = brt_request (h->daemon, "GET", "/api/v1/health", NULL, 200);
  JsonArray *caps = json_object_get_array_member (health, "capabilities");
  gboolean advertised = FALSE;
  gint64 total = 0;

  for (guint i = 0; i < json_array_get_length (caps); i++)
    advertised |= g_str_equal (json_array_get_string_element (caps, i), "batches.error_code");
  g_assert_true (advertised);

  ids = list_ids (h->daemon, "error_code=DOMAIN_UNREACHABLE", &total);
  g_assert_cmpint (total, ==, 2);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_true (has_id (ids, h->mixed));
  g_assert_true (has_id (ids, h->old));
  g_clear_pointer (&ids, g_ptr_array_unref);

  ids = list_ids (h->daemon, "error_code=INVALID_LEAD", &total);
  g_assert_cmpint (total, ==, 1);
  g_assert_cmpstr (ids->pdata[0], ==, h->today);
  g_clear_pointer (&ids, g_ptr_array_unref);

  /* With the other filters and paging. */
  ids = list_ids (h->daemon, "error_code=DOMAIN_UNREACHABLE&status=failed", &total);
  g_assert_cmpint (total, ==, 1);
  g_assert_cmpstr (ids->pdata[0], ==, h->old);
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = list_ids (h->daemon, "error_code=DOMAIN_UNREACHABLE&limit=1&skip=1", &total);
  g_assert_cmpint (total, ==, 2);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (ids->pdata[0], ==, h->old);      /* newest first: the old one is second */
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = list_ids (h->daemon, "error_code=TIMEOUT", &total);
  g_assert_cmpint (total, ==, 0);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = list_ids (h->daemon, "status=completed", &total);
  g_assert_cmpint (total, ==, 2);               /* without the filter: as before */
  g_clear_pointer (&ids, g_ptr_array_unref);

  brt_assert_error (h->daemon, "GET", "/api/v1/batch?error_code=domain_unreachable", NULL, 422,
                    "VALIDATION_ERROR", "error_code:");
  /* An empty parameter is no parameter. */
  ids = list_ids (h->daemon, "error_code=", &total);
  g_assert_cmpint (total, ==, 3);
  g_clear_pointer (&ids, g_ptr_array_unref);
  brt_assert_error (h->daemon, "GET", "/api/v1/batch?error_code=A%27%20OR%201%3D1", NULL, 422,
                    "VALIDATION_ERROR", "error_code:");

  /* Combined with a date filter. */
  ids = list_ids (h->daemon, "error_code=DOMAIN_UNREACHABLE&created_after=2000-01-01T00:00:00Z", &total);
  g_assert_cmpint (total, ==, 2);
}

/* The library ---------------------------------------------------------------- */

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_library (void)
{
  g_autoptr(History) h = build_history ();
  g_autoptr(BrClient) client = br_client_new (brt_daemon_get_url (h->daemon));
  g_autoptr(Rows) rows = read_rows (h->daemon);
  g_autoptr(JsonObject) json = check_analytics (h->daemon, rows, 90);
  g_autoptr(BrAnalytics) analytics = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(BrHealth) health = NULL;
  JsonObject *stats = json_object_get_object_member (json, "statistics");
  JsonObject *breakdown = json_object_get_object_member (json, "status_breakdown");
  JsonArray *daily = json_object_get_array_member (json, "daily");
  JsonArray *errors = json_object_get_array_member (json, "error_breakdown");
  JsonArray *hourly = json_object_get_array_member (json, "hourly_throughput");
  GListModel *model;
  BrBatchQuery query = { 0 };
  const char * const failed_only[] = { "failed", NULL };
  guint hours[24];
  gint64 total = 0;

  /* The client checks capabilities against the last health it saw. */
  br_client_get_health_async (client, NULL, store_result, &res);
  health = br_client_get_health_finish (client, await (&res), &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_true (br_client_has_capability (client, "batches.error_code"));

  br_client_get_analytics_async (client, 90, NULL, store_result, &res);
  analytics = br_client_get_analytics_finish (client, await (&res), &error);
  g_assert_no_error (error);
  g_clear_object (&res);

  /* Every field decoded equals the service's JSON (checked above against
   * the rows). */
  g_assert_cmpint (br_analytics_get_period_days (analytics), ==, 90);
  g_assert_cmpint (br_analytics_get_start_date (analytics), ==, brt_parse_time (brt_str (json, "start_date")));
  g_assert_cmpint (br_analytics_get_total_batches (analytics), ==, brt_int (stats, "total_batches"));
  g_assert_cmpfloat (br_analytics_get_average_successful_leads (analytics), ==,
                     brt_num (stats, "average_successful_leads"));
  g_assert_cmpfloat (br_analytics_get_average_progress (analytics), ==, brt_num (stats, "average_progress"));
  g_assert_cmpfloat (br_analytics_get_total_cost_usd (analytics), ==, brt_num (stats, "total_cost_usd"));
  g_assert_cmpfloat (br_analytics_get_average_duration_seconds (analytics), ==,
                     brt_num (stats, "average_duration_seconds"));
  g_assert_cmpint (br_analytics_get_status_count (analytics, "completed"), ==, brt_int (breakdown, "completed"));
  g_assert_cmpint (br_analytics_get_status_count (analytics, "failed"), ==, brt_int (breakdown, "failed"));
  g_assert_cmpint (br_analytics_get_status_count (analytics, "running"), ==, 0);

  model = br_analytics_get_daily (analytics);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 90);
  for (guint i = 0; i < 90; i++)
    {
      g_autoptr(BrDailyStat) s = g_list_model_get_item (model, i);
      JsonObject *d = json_array_get_object_element (daily, i);

      g_assert_cmpstr (br_daily_stat_get_date (s), ==, brt_str (d, "date"));
      g_assert_cmpint (br_daily_stat_get_batches (s), ==, brt_int (d, "batches"));
      g_assert_cmpint (br_daily_stat_get_leads_processed (s), ==, brt_int (d, "leads_processed"));
      g_assert_cmpint (br_daily_stat_get_successful (s), ==, brt_int (d, "successful"));
      g_assert_cmpint (br_daily_stat_get_failed (s), ==, brt_int (d, "failed"));
      g_assert_cmpfloat (br_daily_stat_get_cost_usd (s), ==, brt_num (d, "cost_usd"));
      /* null → -1 */
      g_assert_cmpint (br_daily_stat_get_p50_lead_ms (s), ==,
                       json_object_get_null_member (d, "p50_lead_ms") ? -1 : brt_int (d, "p50_lead_ms"));
      g_assert_cmpint (br_daily_stat_get_p95_lead_ms (s), ==,
                       json_object_get_null_member (d, "p95_lead_ms") ? -1 : brt_int (d, "p95_lead_ms"));
    }

  g_assert_true (br_analytics_get_hourly (analytics, hours));
  for (guint i = 0; i < 24; i++)
    g_assert_cmpint (hours[i], ==, brt_int (json_array_get_object_element (hourly, i), "leads"));

  model = br_analytics_get_error_breakdown (analytics);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, json_array_get_length (errors));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(BrErrorStat) s = g_list_model_get_item (model, i);
      JsonObject *e = json_array_get_object_element (errors, i);

      g_assert_cmpstr (br_error_stat_get_error_code (s), ==, brt_str (e, "error_code"));
      g_assert_cmpint (br_error_stat_get_count (s), ==, brt_int (e, "count"));
      g_assert_cmpstr (br_error_stat_get_sample_message (s), ==, brt_str (e, "sample_message"));
      g_assert_cmpstr (br_error_stat_get_hint (s), ==, brt_str (e, "hint"));
    }

  /* "Show batches with this error". */
  br_client_list_batches_full_async (client, NULL, "DOMAIN_UNREACHABLE", NULL, store_result, &res);
  batches = br_client_list_batches_full_finish (client, await (&res), &total, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpint (total, ==, 2);
  g_assert_cmpuint (batches->len, ==, 2);
  g_clear_pointer (&batches, g_ptr_array_unref);

  query.statuses = failed_only;
  br_client_list_batches_full_async (client, &query, "DOMAIN_UNREACHABLE", NULL, store_result, &res);
  batches = br_client_list_batches_full_finish (client, await (&res), &total, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpint (total, ==, 1);
  g_assert_cmpstr (br_batch_get_id (batches->pdata[0]), ==, h->old);
  g_clear_pointer (&batches, g_ptr_array_unref);

  /* No code: the same as br_client_list_batches_async(). */
  br_client_list_batches_full_async (client, NULL, NULL, NULL, store_result, &res);
  batches = br_client_list_batches_full_finish (client, await (&res), &total, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  g_assert_cmpint (total, ==, 3);
  g_clear_pointer (&batches, g_ptr_array_unref);

  /* The server's 422 comes through. */
  br_client_list_batches_full_async (client, NULL, "not a code", NULL, store_result, &res);
  batches = br_client_list_batches_full_finish (client, await (&res), &total, &error);
  g_assert_null (batches);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 422);
  g_clear_error (&error);
  g_clear_object (&res);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/integration/analytics/history", test_history);
  g_test_add_func ("/integration/analytics/validation", test_validation);
  g_test_add_func ("/integration/analytics/migration", test_migration);
  g_test_add_func ("/integration/analytics/exec-hints", test_exec_hints);
  g_test_add_func ("/integration/analytics/error-code-filter", test_error_code_filter);
  g_test_add_func ("/integration/analytics/library", test_library);

  return g_test_run ();
}
