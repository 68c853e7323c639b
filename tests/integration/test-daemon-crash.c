/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Crash safety: SIGKILL mid-batch and a restart finish every lead exactly
 * once; SIGTERM stops gracefully and requeues what was in flight. */
#include "config.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "brt-fixtures.h"

#define WAIT_MS 60000

/* One integer from the (dead) daemon's database. */
static gint64
db_int (BrtDaemon  *daemon,
        const char *sql,
        const char *param)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (brt_daemon_get_db_path (daemon), &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (param != NULL)
    sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
db_text (BrtDaemon  *daemon,
         const char *sql,
         const char *param)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (brt_daemon_get_db_path (daemon), &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (param != NULL)
    sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static double
metric (BrtDaemon  *daemon,
        const char *name)
{
  g_autoptr(BrtResponse) r = brt_http_raw (daemon, NULL, "GET", "/metrics", NULL, 0);
  g_autofree char *text = g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  g_assert_cmpuint (r->status, ==, 200);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], name) && lines[i][strlen (name)] == ' ')
      return g_ascii_strtod (lines[i] + strlen (name) + 1, NULL);
  g_error ("No metric %s", name);
  return 0;
}

static gint64
max_seq (BrtWs *ws)
{
  GPtrArray *log = brt_ws_get_log (ws);
  gint64 seq = 0;

  for (guint i = 0; i < log->len; i++)
    {
      JsonObject *msg = log->pdata[i];

      if (json_object_has_member (msg, "seq"))
        seq = MAX (seq, json_object_get_int_member (msg, "seq"));
    }
  return seq;
}

typedef struct
{
  BrtDaemon  *daemon;
  const char *batch_id;
  gint64      at_least;
} Processed;

static gboolean
processed_enough (gpointer data)
{
  Processed *w = data;
  g_autoptr(JsonObject) b = brt_get_batch (w->daemon, w->batch_id);

  return brt_int (b, "processed_leads") >= w->at_least;
}

static void
test_kill_mid_batch (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *card = brt_rate_card (dir, NULL, 0);
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "report", "--workers", "3", "--rate-card", card,
                                                  "--progress-interval-ms", "20", NULL);
  const guint n = 200;
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, n, NULL);
  g_autofree char *id = brt_start_batch (daemon, ids, "\"max_concurrent\": 3");
  g_autoptr(BrtWs) before = brt_events_connect (daemon, NULL);
  g_autoptr(BrtWs) after = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autofree char *status_at_crash = NULL;
  Processed w = { daemon, id, n / 10 };
  gint64 completed_at_crash, processing_at_crash, seen_seq, seq_in_db;

  g_assert_true (brt_poll_until (processed_enough, &w, WAIT_MS, 5));
  brt_ws_sync (before);
  seen_seq = max_seq (before);
  brt_daemon_kill (daemon);
  g_clear_pointer (&before, brt_ws_free);

  /* What the crash left: some leads done, some in flight, the rest pending. */
  status_at_crash = db_text (daemon, "SELECT status FROM batches WHERE id = ?", id);
  completed_at_crash = db_int (daemon, "SELECT COUNT(*) FROM batch_leads WHERE batch_id = ? AND status = 'completed'", id);
  processing_at_crash = db_int (daemon, "SELECT COUNT(*) FROM batch_leads WHERE batch_id = ? AND status = 'processing'", id);
  seq_in_db = db_int (daemon, "SELECT CAST (value AS INTEGER) FROM meta WHERE key = 'event_seq'", NULL);
  g_test_message ("At the crash: batch %s, %" G_GINT64_FORMAT " completed, %" G_GINT64_FORMAT " processing",
                  status_at_crash, completed_at_crash, processing_at_crash);
  g_assert_cmpstr (status_at_crash, ==, "running");
  g_assert_cmpint (completed_at_crash, >=, n / 10);
  if (completed_at_crash >= n)
    g_error ("The batch finished before the kill; make it longer");
  g_assert_cmpint (seq_in_db, >=, seen_seq);

  brt_daemon_restart (daemon);
  after = brt_events_connect (daemon, NULL);
  done = brt_wait_batch_status (daemon, id, "completed|failed|cancelled", WAIT_MS);
  g_assert_cmpstr (brt_str (done, "status"), ==, "completed");
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, id);
  g_assert_cmpint (brt_int (done, "total_leads"), ==, n);
  g_assert_cmpint (brt_int (done, "processed_leads"), ==, n);
  g_assert_cmpint (brt_int (done, "successful_leads"), ==, n);

  /* Exactly once: each lead has one completed row and one counted attempt,
   * and the restarted daemon did just the leads not done before the crash. */
  rows = brt_get_results (daemon, id, NULL);
  g_assert_cmpuint (json_array_get_length (rows), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);

      g_assert_cmpstr (brt_str (r, "lead_id"), ==, ids->pdata[i]);
      g_assert_cmpstr (brt_str (r, "status"), ==, "completed");
      g_assert_cmpint (brt_int (r, "attempts"), ==, 1);
      g_assert_cmpint (brt_int (r, "retry_count"), ==, 0);
      g_assert_null (brt_str (r, "error_code"));
    }
  g_assert_cmpfloat (metric (daemon, "batch_runner_leads_processed_total"), ==, n - completed_at_crash);

  /* The sequence went on above everything a client saw before the crash. */
  brt_ws_sync (after);
  g_assert_cmpint (brt_int (g_ptr_array_index (brt_ws_get_log (after), 0), "seq"), >=, seen_seq);
  g_assert_cmpint (brt_int (done, "seq"), >, seen_seq);
  {
    GPtrArray *log = brt_ws_get_log (after);

    for (guint i = 1; i < log->len; i++)
      if (json_object_has_member (log->pdata[i], "seq"))
        g_assert_cmpint (json_object_get_int_member (log->pdata[i], "seq"), >, seen_seq);
  }
  brt_remove_tree (dir);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
test_sigterm_requeues (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *script = g_build_filename (dir, "lead.sh", NULL);
  g_autofree char *fast = g_build_filename (dir, "fast", NULL);
  g_autofree char *pid_file = g_build_filename (dir, "pid", NULL);
  g_autofree char *text = g_strdup_printf ("in=$(cat)\n"
                                           "if [ -e '%s' ]; then echo '{}'; exit 0; fi\n"
                                           "echo $$ > '%s.tmp'; mv '%s.tmp' '%s'\n"
                                           "exec sleep 30\n", fast, pid_file, pid_file, pid_file);
  g_autofree char *command = g_strdup_printf ("sh %s", script);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrtDaemon) daemon = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *id = NULL;
  g_autofree char *pid_text = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autofree char *batch_status = NULL;
  gint64 t0, elapsed;
  int pid;

  g_file_set_contents (script, text, -1, &error);
  g_assert_no_error (error);
  daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command, "--shutdown-grace-ms", "300",
                             "--retry-backoff-ms", "10", NULL);
  {
    BrtLeadSpec enriched = { .enrichment_status = "completed" };
    ids = brt_import_leads (daemon, 2, &enriched);
  }
  id = brt_start_batch (daemon, ids, "\"max_concurrent\": 1");
  g_assert_true (brt_poll_until (file_exists, pid_file, WAIT_MS, 20));
  g_file_get_contents (pid_file, &pid_text, NULL, &error);
  g_assert_no_error (error);
  pid = atoi (pid_text);
  g_assert_true (brt_process_alive (pid));

  /* Graceful stop: the lead in flight gets 300 ms, then is stopped. */
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
  elapsed = g_get_monotonic_time () - t0;
  g_test_message ("Stopped in %" G_GINT64_FORMAT " ms", elapsed / 1000);
  g_assert_cmpint (elapsed, >=, 250 * 1000);
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
  g_assert_false (brt_process_alive (pid));

  /* It is pending again, its attempt not counted, the batch not ended. */
  batch_status = db_text (daemon, "SELECT status FROM batches WHERE id = ?", id);
  g_assert_cmpstr (batch_status, ==, "running");
  g_assert_cmpint (db_int (daemon, "SELECT COUNT(*) FROM batch_leads WHERE batch_id = ? AND status = 'pending'", id),
                   ==, 2);
  g_assert_cmpint (db_int (daemon, "SELECT MAX (attempts) FROM batch_leads WHERE batch_id = ?", id), ==, 0);
  g_assert_cmpint (db_int (daemon, "SELECT MAX (retry_count) FROM batch_leads WHERE batch_id = ?", id), ==, 0);
  g_assert_cmpint (db_int (daemon, "SELECT pending_leads FROM batches WHERE id = ?", id), ==, 2);
  g_assert_cmpint (db_int (daemon, "SELECT processing_leads FROM batches WHERE id = ?", id), ==, 0);

  /* Next start: it runs and completes. */
  g_file_set_contents (fast, "", -1, &error);
  g_assert_no_error (error);
  brt_daemon_restart (daemon);
  done = brt_wait_batch_status (daemon, id, "completed|failed", WAIT_MS);
  g_assert_cmpstr (brt_str (done, "status"), ==, "completed");
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, id);
  g_assert_cmpint (brt_int (done, "successful_leads"), ==, 2);
  rows = brt_get_results (daemon, id, NULL);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);

      g_assert_cmpstr (brt_str (r, "status"), ==, "completed");
      g_assert_cmpint (brt_int (r, "attempts"), ==, 1);
      g_assert_cmpint (brt_int (r, "retry_count"), ==, 0);
    }

  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
  brt_remove_tree (dir);
}

/* A batch's seq is the seq of the last event about it (API.md), also
 * after a restart: in GET /batch/{id}, in lists and in the snapshot. */
static void
test_batch_seq_survives_restart (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 3, NULL);
  g_autofree char *id = brt_start_batch (daemon, ids, NULL);
  g_autoptr(JsonObject) done = brt_wait_batch_status (daemon, id, "completed", 10000);
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(BrtWs) ws = NULL;
  JsonObject *snapshot;
  gint64 seq = brt_int (done, "seq");

  g_assert_cmpint (seq, >, 0);
  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
  brt_daemon_restart (daemon);

  again = brt_get_batch (daemon, id);
  ws = brt_events_connect (daemon, NULL);
  snapshot = g_ptr_array_index (brt_ws_get_log (ws), 0);
  g_assert_cmpint (brt_int (snapshot, "seq"), >=, seq);
  if (brt_int (again, "seq") != seq)
    g_test_fail_printf ("After a restart GET /batch/{id} says seq %" G_GINT64_FORMAT ", before it was %"
                        G_GINT64_FORMAT, brt_int (again, "seq"), seq);
  if (brt_int (json_array_get_object_element (json_object_get_array_member (snapshot, "batches"), 0), "seq") != seq)
    g_test_fail_printf ("After a restart the snapshot says seq %" G_GINT64_FORMAT " for the batch, before it was %"
                        G_GINT64_FORMAT,
                        brt_int (json_array_get_object_element (json_object_get_array_member (snapshot, "batches"), 0),
                                 "seq"), seq);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/integration/crash/kill-mid-batch-exactly-once", test_kill_mid_batch);
  g_test_add_func ("/integration/crash/sigterm-requeues-in-flight", test_sigterm_requeues);
  g_test_add_func ("/integration/crash/batch-seq-survives-restart", test_batch_seq_survives_restart);

  return g_test_run ();
}
