/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pause, resume, cancel and retry; the limits on concurrency; automatic
 * retries with backoff; cancel stopping an exec child. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "brt-fixtures.h"

#define WAIT_MS 20000
#define SHORT_EXEC "sh -c 'sleep 0.3; echo {}'"

/* Leads that need no provider: nothing waits for rate limits. */
static const BrtLeadSpec enriched = { .enrichment_status = "completed" };

static JsonObject *
control (BrtDaemon  *daemon,
         const char *batch_id,
         const char *action,
         const char *body,
         guint       expected_status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/%s", batch_id, action);

  return brt_request (daemon, "POST", path, body, expected_status);
}

static void
assert_transition_refused (BrtDaemon  *daemon,
                           const char *batch_id,
                           const char *action)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/%s", batch_id, action);

  brt_assert_error (daemon, "POST", path, NULL, 400, "INVALID_TRANSITION", NULL);
}

typedef struct
{
  BrtDaemon  *daemon;
  const char *batch_id;
  const char *status;
  gint64      count;
} CountWait;

static gboolean
count_is (gpointer data)
{
  CountWait *w = data;

  return brt_count_results (w->daemon, w->batch_id, w->status) == w->count;
}

static void
wait_count (BrtDaemon  *daemon,
            const char *batch_id,
            const char *status,
            gint64      count)
{
  CountWait w = { daemon, batch_id, status, count };

  if (!brt_poll_until (count_is, &w, WAIT_MS, 20))
    g_error ("Batch %s never had %" G_GINT64_FORMAT " %s leads (now %" G_GINT64_FORMAT ")", batch_id, count,
             status, brt_count_results (daemon, batch_id, status));
}

static void
test_pause_resume (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command", SHORT_EXEC, NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 6, &enriched);
  g_autofree char *id = brt_start_batch (daemon, ids, "\"max_concurrent\": 2");
  g_autoptr(JsonObject) paused = control (daemon, id, "pause", NULL, 200);
  g_autoptr(JsonObject) still = NULL;
  g_autoptr(JsonObject) resumed = NULL;
  g_autoptr(JsonObject) done = NULL;
  gint64 completed;

  g_assert_cmpstr (brt_str (paused, "status"), ==, "paused");
  assert_transition_refused (daemon, id, "pause");

  /* Leads in flight finish; then nothing new starts. */
  wait_count (daemon, id, "processing", 0);
  completed = brt_count_results (daemon, id, "completed");
  g_assert_cmpint (completed, <=, 2);
  /* Longer than a lead takes: a lead started now would have finished. */
  brt_run_for (700);
  g_assert_cmpint (brt_count_results (daemon, id, "completed"), ==, completed);
  g_assert_cmpint (brt_count_results (daemon, id, "processing"), ==, 0);
  g_assert_cmpint (brt_count_results (daemon, id, "pending"), ==, 6 - completed);
  still = brt_get_batch (daemon, id);
  g_assert_cmpstr (brt_str (still, "status"), ==, "paused");

  resumed = control (daemon, id, "resume", NULL, 200);
  g_assert_cmpstr (brt_str (resumed, "status"), ==, brt_str (paused, "started_at") ? "running" : "pending");
  assert_transition_refused (daemon, id, "resume");

  done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, id);
  g_assert_cmpint (brt_int (done, "successful_leads"), ==, 6);

  /* A terminal batch refuses every transition but retry of failed leads. */
  assert_transition_refused (daemon, id, "pause");
  assert_transition_refused (daemon, id, "resume");
  assert_transition_refused (daemon, id, "cancel");
  assert_transition_refused (daemon, id, "retry");

  /* Unknown ids. */
  brt_assert_error (daemon, "POST", "/api/v1/batch/00000000-0000-4000-8000-000000000000/pause", NULL, 404,
                    "NOT_FOUND", NULL);
  brt_assert_error (daemon, "POST", "/api/v1/batch/00000000-0000-4000-8000-000000000000/resume", NULL, 404,
                    "NOT_FOUND", NULL);
  brt_assert_error (daemon, "POST", "/api/v1/batch/00000000-0000-4000-8000-000000000000/cancel", NULL, 404,
                    "NOT_FOUND", NULL);
  brt_assert_error (daemon, "POST", "/api/v1/batch/00000000-0000-4000-8000-000000000000/retry", NULL, 404,
                    "NOT_FOUND", NULL);
}

/* Paused while its last leads were in flight: when they finish the batch
 * stays paused (nothing left to start), and a resume completes it. */
static void
test_resume_when_nothing_left (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command", SHORT_EXEC, NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 2, &enriched);
  g_autofree char *id = brt_start_batch (daemon, ids, "\"max_concurrent\": 2");
  g_autoptr(JsonObject) paused = control (daemon, id, "pause", NULL, 200);
  g_autoptr(JsonObject) still = NULL;
  g_autoptr(JsonObject) resumed = NULL;
  g_autoptr(JsonObject) done = NULL;

  g_assert_cmpstr (brt_str (paused, "status"), ==, "paused");
  wait_count (daemon, id, "completed", 2);
  still = brt_get_batch (daemon, id);
  g_assert_cmpstr (brt_str (still, "status"), ==, "paused");
  g_assert_cmpint (brt_int (still, "processed_leads"), ==, 2);

  resumed = control (daemon, id, "resume", NULL, 200);
  g_assert_cmpstr (brt_str (resumed, "status"), ==, "completed");
  g_assert_nonnull (brt_str (resumed, "completed_at"));
  done = brt_assert_counters_match_rows (daemon, id);
  g_assert_cmpstr (brt_str (done, "status"), ==, "completed");
}

/* A script that runs forever for a lead named "Slowpoke" (writing its pid
 * to DIR/slow.pid) and briefly for any other. */
static char *
write_script (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (dir, "lead.sh", NULL);
  g_autofree char *text = g_strdup_printf ("in=$(cat)\n"
                                           "case \"$in\" in\n"
                                           "  *Slowpoke*) echo $$ > '%s/slow.pid.tmp'; mv '%s/slow.pid.tmp' '%s/slow.pid';"
                                           " exec sleep 30 ;;\n"
                                           "esac\n"
                                           "sleep 0.2\n"
                                           "echo '{}'\n", dir, dir, dir);

  g_file_set_contents (script, text, -1, &error);
  g_assert_no_error (error);
  return g_strdup_printf ("sh %s", script);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
process_gone (gpointer data)
{
  return !brt_process_alive (GPOINTER_TO_INT (data));
}

static void
test_cancel_stops_exec_child (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *command = write_script (dir);
  g_autofree char *pid_file = g_build_filename (dir, "slow.pid", NULL);
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command, NULL);
  BrtLeadSpec slow = { .name_prefix = "Slowpoke", .enrichment_status = "completed" };
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 1, &slow);
  g_autoptr(GPtrArray) others = brt_import_leads (daemon, 3, &enriched);
  g_autofree char *id = NULL;
  g_autofree char *pid_text = NULL;
  g_autoptr(JsonObject) cancelled = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0;
  int pid;

  for (guint i = 0; i < others->len; i++)
    g_ptr_array_add (ids, g_strdup (others->pdata[i]));
  id = brt_start_batch (daemon, ids, "\"max_concurrent\": 1");

  /* The slow lead is first: wait until its child runs. */
  g_assert_true (brt_poll_until (file_exists, pid_file, WAIT_MS, 20));
  g_file_get_contents (pid_file, &pid_text, NULL, &error);
  g_assert_no_error (error);
  pid = atoi (pid_text);
  g_assert_cmpint (pid, >, 1);
  g_assert_true (brt_process_alive (pid));

  t0 = g_get_monotonic_time ();
  cancelled = control (daemon, id, "cancel", NULL, 200);
  g_assert_cmpstr (brt_str (json_object_get_object_member (cancelled, "batch"), "status"), ==, "cancelled");

  /* The child is stopped, not left to run its 30 s. */
  if (!brt_poll_until (process_gone, GINT_TO_POINTER (pid), 5000, 20))
    g_error ("The exec child %d still runs 5 s after the cancel", pid);
  wait_count (daemon, id, "skipped", 4);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);

  done = brt_assert_counters_match_rows (daemon, id);
  g_assert_cmpstr (brt_str (done, "status"), ==, "cancelled");
  g_assert_cmpint (brt_int (done, "skipped_leads"), ==, 4);
  g_assert_cmpint (brt_int (done, "processed_leads"), ==, 0);
  /* Skipped leads are no progress: nothing was processed, so 0 %, not the
   * full bar that (processed + skipped) / total would give. */
  g_assert_cmpfloat (brt_num (done, "progress_percentage"), ==, 0);
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/status", id);
    g_autoptr(JsonObject) status = brt_request (daemon, "GET", path, NULL, 200);

    g_assert_cmpfloat (brt_num (status, "progress_percentage"), ==, 0);
  }
  g_assert_nonnull (brt_str (done, "completed_at"));
  rows = brt_get_results (daemon, id, NULL);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);

      g_assert_cmpstr (brt_str (r, "status"), ==, "skipped");
      g_assert_cmpstr (brt_str (r, "error_code"), ==, "CANCELLED");
      g_assert_nonnull (brt_str (r, "error_message"));
    }

  /* Cancelled is terminal. */
  assert_transition_refused (daemon, id, "cancel");
  assert_transition_refused (daemon, id, "pause");
  assert_transition_refused (daemon, id, "resume");
  assert_transition_refused (daemon, id, "retry");

  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
  brt_remove_tree (dir);
}

/* Pause and resume of a batch that never started, and cancel of a paused one. */
static void
test_pause_pending_and_cancel_paused (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *command = write_script (dir);
  g_autofree char *pid_file = g_build_filename (dir, "slow.pid", NULL);
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command,
                                                  "--workers", "1", NULL);
  BrtLeadSpec slow = { .name_prefix = "Slowpoke", .enrichment_status = "completed" };
  g_autoptr(GPtrArray) blocker_ids = brt_import_leads (daemon, 1, &slow);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 3, &enriched);
  g_autoptr(GPtrArray) more_ids = brt_import_leads (daemon, 2, &enriched);
  g_autofree char *blocker = brt_start_batch (daemon, blocker_ids, NULL);
  g_autofree char *waiting = brt_start_batch (daemon, ids, NULL);
  g_autofree char *doomed = brt_start_batch (daemon, more_ids, NULL);
  g_autoptr(JsonObject) paused = NULL;
  g_autoptr(JsonObject) resumed = NULL;
  g_autoptr(JsonObject) cancelled = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonObject) blocked = NULL;

  g_assert_true (brt_poll_until (file_exists, pid_file, WAIT_MS, 20));
  done = brt_get_batch (daemon, waiting);
  g_assert_cmpstr (brt_str (done, "status"), ==, "pending");
  g_clear_pointer (&done, json_object_unref);

  paused = control (daemon, waiting, "pause", NULL, 200);
  g_assert_cmpstr (brt_str (paused, "status"), ==, "paused");
  g_assert_null (brt_str (paused, "started_at"));
  resumed = control (daemon, waiting, "resume", NULL, 200);
  g_assert_cmpstr (brt_str (resumed, "status"), ==, "pending");

  /* Cancel of a paused batch skips all its leads. */
  g_clear_pointer (&paused, json_object_unref);
  paused = control (daemon, doomed, "pause", NULL, 200);
  cancelled = control (daemon, doomed, "cancel", NULL, 200);
  g_assert_cmpstr (brt_str (json_object_get_object_member (cancelled, "batch"), "status"), ==, "cancelled");
  g_assert_cmpint (brt_int (json_object_get_object_member (cancelled, "batch"), "skipped_leads"), ==, 2);
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, doomed);

  /* Free the worker: the waiting batch runs to the end. */
  blocked = control (daemon, blocker, "cancel", NULL, 200);
  g_clear_pointer (&done, json_object_unref);
  done = brt_wait_batch_status (daemon, waiting, "completed", WAIT_MS);
  g_assert_cmpint (brt_int (done, "successful_leads"), ==, 3);
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, waiting);
  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
  brt_remove_tree (dir);
}

typedef struct
{
  BrtDaemon  *daemon;
  GPtrArray  *batch_ids;
  gint64      max_per_batch;  /* leads?status=processing of one batch, one query each */
  gint64      max_busy;       /* /health workers.busy */
  GHashTable *ran;            /* batch ids seen processing */
} Sampler;

/* One sample of how many leads are processing; TRUE once all batches ended. */
static gboolean
sample (gpointer data)
{
  Sampler *s = data;
  g_autoptr(JsonObject) health = brt_request (s->daemon, "GET", "/api/v1/health", NULL, 200);
  gboolean all_done = TRUE;

  s->max_busy = MAX (s->max_busy, brt_int (json_object_get_object_member (health, "workers"), "busy"));
  for (guint i = 0; i < s->batch_ids->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/status", (char *) s->batch_ids->pdata[i]);
      g_autoptr(JsonObject) status = brt_request (s->daemon, "GET", path, NULL, 200);
      gint64 processing = brt_count_results (s->daemon, s->batch_ids->pdata[i], "processing");

      if (processing > 0)
        g_hash_table_add (s->ran, s->batch_ids->pdata[i]);
      s->max_per_batch = MAX (s->max_per_batch, processing);
      all_done &= g_str_equal (brt_str (status, "status"), "completed");
    }
  return all_done;
}

/* An exec command that logs when it starts and ends, so that how many
 * ran at once can be counted from the children's side. */
static char *
write_logging_script (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (dir, "lead.sh", NULL);
  g_autofree char *text = g_strdup_printf ("cat >/dev/null\n"
                                           "echo \"+ $(date +%%s%%N)\" >> '%s/runs.log'\n"
                                           "sleep 0.3\n"
                                           "echo \"- $(date +%%s%%N)\" >> '%s/runs.log'\n"
                                           "echo '{}'\n", dir, dir);

  g_file_set_contents (script, text, -1, &error);
  g_assert_no_error (error);
  return g_strdup_printf ("sh %s", script);
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  const char *ea = *(const char * const *) a;
  const char *eb = *(const char * const *) b;
  gint64 ta = g_ascii_strtoll (ea + 2, NULL, 10);
  gint64 tb = g_ascii_strtoll (eb + 2, NULL, 10);

  /* At the same instant, an end before a start. */
  if (ta != tb)
    return ta < tb ? -1 : 1;
  return ea[0] == '-' ? -1 : eb[0] == '-' ? 1 : 0;
}

/* The most commands that ran at once, and how many ran in all. */
static guint
max_overlap (const char *dir,
             guint      *n_runs)
{
  g_autofree char *log = g_build_filename (dir, "runs.log", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new ();
  g_auto(GStrv) lines = NULL;
  guint running = 0, most = 0;

  g_file_get_contents (log, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (*lines[i])
      g_ptr_array_add (events, lines[i]);
  g_ptr_array_sort (events, compare_events);
  *n_runs = 0;
  for (guint i = 0; i < events->len; i++)
    {
      const char *e = events->pdata[i];

      if (e[0] == '+')
        {
          running++;
          (*n_runs)++;
        }
      else
        running--;
      most = MAX (most, running);
    }
  return most;
}

static void
test_max_concurrent (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *command = write_logging_script (dir);
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command, NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 8, &enriched);
  g_autoptr(GPtrArray) batch_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) ran = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonObject) done = NULL;
  Sampler s = { daemon, batch_ids, 0, 0, ran };
  guint runs = 0;

  g_ptr_array_add (batch_ids, brt_start_batch (daemon, ids, "\"max_concurrent\": 2"));
  g_assert_true (brt_poll_until (sample, &s, WAIT_MS, 25));
  g_assert_cmpint (s.max_per_batch, ==, 2);
  g_assert_cmpint (s.max_busy, <=, 2);
  g_assert_cmpuint (max_overlap (dir, &runs), ==, 2);
  g_assert_cmpuint (runs, ==, 8);
  done = brt_assert_counters_match_rows (daemon, batch_ids->pdata[0]);
  g_assert_cmpint (brt_int (done, "successful_leads"), ==, 8);
  brt_remove_tree (dir);
}

static void
test_global_workers (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *command = write_logging_script (dir);
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command,
                                                  "--workers", "3", NULL);
  g_autoptr(GPtrArray) a = brt_import_leads (daemon, 6, &enriched);
  g_autoptr(GPtrArray) b = brt_import_leads (daemon, 6, &enriched);
  g_autoptr(GPtrArray) batch_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) ran = g_hash_table_new (g_str_hash, g_str_equal);
  Sampler s = { daemon, batch_ids, 0, 0, ran };
  guint runs = 0;

  g_ptr_array_add (batch_ids, brt_start_batch (daemon, a, "\"max_concurrent\": 5"));
  g_ptr_array_add (batch_ids, brt_start_batch (daemon, b, "\"max_concurrent\": 5"));
  g_assert_true (brt_poll_until (sample, &s, WAIT_MS, 25));
  g_assert_cmpint (s.max_per_batch, <=, 3);
  g_assert_cmpint (s.max_busy, <=, 3);
  /* Counted from the commands themselves: never more than 3 at once. */
  g_assert_cmpuint (max_overlap (dir, &runs), ==, 3);
  g_assert_cmpuint (runs, ==, 12);
  /* Both batches got workers while both were running. */
  g_assert_cmpuint (g_hash_table_size (ran), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) done = brt_assert_counters_match_rows (daemon, batch_ids->pdata[i]);
      g_assert_cmpint (brt_int (done, "successful_leads"), ==, 6);
    }
  brt_remove_tree (dir);
}

typedef struct
{
  BrtDaemon  *daemon;
  const char *batch_id;
  const char *lead_id;
  gint64      seen_at[3];    /* when retry_count 1, 2 and the final failure were first seen */
  gboolean    pending_with_error;
} RetryWatch;

static gboolean
watch_retries (gpointer data)
{
  RetryWatch *w = data;
  g_autoptr(JsonArray) rows = brt_get_results (w->daemon, w->batch_id, NULL);
  JsonObject *r = brt_find_result (rows, w->lead_id);
  gint64 now = g_get_monotonic_time ();
  gint64 retries = brt_int (r, "retry_count");
  const char *status = brt_str (r, "status");

  if (retries >= 1 && w->seen_at[0] == 0)
    w->seen_at[0] = now;
  if (retries >= 2 && w->seen_at[1] == 0)
    w->seen_at[1] = now;
  if (g_str_equal (status, "failed") && w->seen_at[2] == 0)
    w->seen_at[2] = now;
  /* Between attempts the lead waits as pending, its last error shown. */
  if (g_str_equal (status, "pending") && retries >= 1)
    w->pending_with_error |= g_strcmp0 (brt_str (r, "error_code"), "DOMAIN_UNREACHABLE") == 0;

  return w->seen_at[2] != 0;
}

static void
test_automatic_retry_backoff (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "report", "--retry-backoff-ms", "300", NULL);
  BrtLeadSpec bad = { .domain_prefix = "unreachable-" };
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 1, &bad);
  g_autoptr(GPtrArray) good = brt_import_leads (daemon, 1, NULL);
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonArray) rows = NULL;
  JsonObject *r;
  RetryWatch w = { daemon, NULL, NULL, { 0 }, FALSE };
  gint64 t0;

  g_ptr_array_add (ids, g_strdup (good->pdata[0]));
  t0 = g_get_monotonic_time ();
  id = brt_start_batch (daemon, ids, "\"retry_count\": 2");
  w.batch_id = id;
  w.lead_id = ids->pdata[0];
  g_assert_true (brt_poll_until (watch_retries, &w, WAIT_MS, 15));

  /* Backoff 300 ms, then 600 ms. Each change is seen up to one poll (and
   * a request) late, so a gap can look up to that much shorter. */
  g_test_message ("retries seen %" G_GINT64_FORMAT " ms and %" G_GINT64_FORMAT " ms apart",
                  (w.seen_at[1] - w.seen_at[0]) / 1000, (w.seen_at[2] - w.seen_at[1]) / 1000);
  g_assert_cmpint (w.seen_at[1] - w.seen_at[0], >=, 300 * 1000 - 100 * 1000);
  g_assert_cmpint (w.seen_at[2] - w.seen_at[1], >=, 600 * 1000 - 100 * 1000);
  g_assert_cmpint (w.seen_at[2] - t0, >=, 900 * 1000);
  g_assert_true (w.pending_with_error);

  done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, id);
  g_assert_cmpint (brt_int (done, "successful_leads"), ==, 1);
  g_assert_cmpint (brt_int (done, "failed_leads"), ==, 1);
  rows = brt_get_results (daemon, id, NULL);
  r = brt_find_result (rows, ids->pdata[0]);
  g_assert_cmpstr (brt_str (r, "status"), ==, "failed");
  g_assert_cmpint (brt_int (r, "retry_count"), ==, 2);
  g_assert_cmpstr (brt_str (r, "error_code"), ==, "DOMAIN_UNREACHABLE");
  g_assert_nonnull (brt_str (r, "error_message"));
  r = brt_find_result (rows, ids->pdata[1]);
  g_assert_cmpstr (brt_str (r, "status"), ==, "completed");
  g_assert_cmpint (brt_int (r, "retry_count"), ==, 0);
}

static void
test_manual_retry (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "report", "--retry-backoff-ms", "10", NULL);
  BrtLeadSpec bad = { .domain_prefix = "unreachable-" };
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 2, NULL);
  g_autoptr(GPtrArray) failing = brt_import_leads (daemon, 1, &bad);
  g_autoptr(GPtrArray) all_bad = brt_import_leads (daemon, 2, &bad);
  g_autofree char *id = NULL;
  g_autofree char *id2 = NULL;
  g_autofree char *body = NULL;
  g_autofree char *fix = NULL;
  g_autofree char *retry_path = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonObject) retried = NULL;
  g_autoptr(JsonObject) fixed = NULL;
  g_autoptr(JsonArray) rows = NULL;
  const char *bad_id = failing->pdata[0];
  JsonObject *r;

  g_ptr_array_add (ids, g_strdup (bad_id));
  id = brt_start_batch (daemon, ids, "\"retry_failed\": false");
  done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
  g_assert_cmpint (brt_int (done, "failed_leads"), ==, 1);
  g_assert_cmpint (brt_int (done, "successful_leads"), ==, 2);

  /* Naming a lead that did not fail is refused, and changes nothing. */
  retry_path = g_strdup_printf ("/api/v1/batch/%s/retry", id);
  body = g_strdup_printf ("{\"lead_ids\": [\"%s\"]}", (char *) ids->pdata[0]);
  brt_assert_error (daemon, "POST", retry_path, body, 422, "VALIDATION_ERROR", NULL);
  g_free (body);
  body = g_strdup_printf ("{\"lead_ids\": [\"%s\", \"not-in-the-batch\"]}", bad_id);
  brt_assert_error (daemon, "POST", retry_path, body, 422, "VALIDATION_ERROR", NULL);
  g_clear_pointer (&done, json_object_unref);
  done = brt_get_batch (daemon, id);
  g_assert_cmpstr (brt_str (done, "status"), ==, "completed");
  g_assert_cmpint (brt_int (done, "failed_leads"), ==, 1);

  /* Fix the lead's domain, retry every failed lead: the batch runs again. */
  fix = g_strdup_printf ("[{\"id\": \"%s\", \"company_name\": \"Fixed Co\", \"domain\": \"fixed.example.com\"}]", bad_id);
  fixed = brt_request (daemon, "POST", "/api/v1/leads", fix, 200);
  retried = brt_request (daemon, "POST", retry_path, NULL, 200);
  g_assert_true (g_str_equal (brt_str (retried, "status"), "running") ||
                 g_str_equal (brt_str (retried, "status"), "completed"));
  g_assert_null (brt_str (retried, "error_message"));
  g_clear_pointer (&done, json_object_unref);
  done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, id);
  g_assert_cmpint (brt_int (done, "successful_leads"), ==, 3);
  g_assert_cmpint (brt_int (done, "failed_leads"), ==, 0);
  rows = brt_get_results (daemon, id, NULL);
  r = brt_find_result (rows, bad_id);
  g_assert_cmpstr (brt_str (r, "status"), ==, "completed");
  g_assert_cmpint (brt_int (r, "retry_count"), ==, 1);
  g_assert_null (brt_str (r, "error_code"));

  /* Nothing failed any more. */
  assert_transition_refused (daemon, id, "retry");

  /* A failed batch; retry just one of its leads. */
  id2 = brt_start_batch (daemon, all_bad, "\"retry_failed\": false");
  g_clear_pointer (&done, json_object_unref);
  done = brt_wait_batch_status (daemon, id2, "completed|failed", WAIT_MS);
  g_assert_cmpstr (brt_str (done, "status"), ==, "failed");
  g_free (body);
  body = g_strdup_printf ("{\"lead_ids\": [\"%s\"]}", (char *) all_bad->pdata[0]);
  g_clear_pointer (&retried, json_object_unref);
  retried = control (daemon, id2, "retry", body, 200);
  g_assert_cmpstr (brt_str (retried, "status"), !=, "failed");
  g_clear_pointer (&done, json_object_unref);
  done = brt_wait_batch_status (daemon, id2, "completed|failed", WAIT_MS);
  g_assert_cmpstr (brt_str (done, "status"), ==, "failed");
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, id2);
  g_clear_pointer (&rows, json_array_unref);
  rows = brt_get_results (daemon, id2, NULL);
  g_assert_cmpint (brt_int (brt_find_result (rows, all_bad->pdata[0]), "retry_count"), ==, 1);
  g_assert_cmpint (brt_int (brt_find_result (rows, all_bad->pdata[1]), "retry_count"), ==, 0);
  g_assert_cmpstr (brt_str (brt_find_result (rows, all_bad->pdata[0]), "status"), ==, "failed");

  /* An empty object retries all failed leads too. */
  g_clear_pointer (&retried, json_object_unref);
  retried = control (daemon, id2, "retry", "{}", 200);
  g_clear_pointer (&done, json_object_unref);
  done = brt_wait_batch_status (daemon, id2, "completed|failed", WAIT_MS);
  g_clear_pointer (&rows, json_array_unref);
  rows = brt_get_results (daemon, id2, NULL);
  g_assert_cmpint (brt_int (brt_find_result (rows, all_bad->pdata[0]), "retry_count"), ==, 2);
  g_assert_cmpint (brt_int (brt_find_result (rows, all_bad->pdata[1]), "retry_count"), ==, 1);
}

/* A provider limited to 60 requests a minute (a burst of 5, then one a
 * second): the batch slows down to that rate, and still finishes, also
 * when every slot of the batch is waiting for the provider. */
static void
test_provider_rate_limit (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *card = brt_rate_card (dir, "web_analysis", 60);
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command", "sh -c 'cat >/dev/null; echo {}'",
                                                  "--rate-card", card, NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 7, &enriched);
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) done = NULL;
  gint64 t0 = g_get_monotonic_time (), elapsed;

  id = brt_start_batch (daemon, ids, "\"max_concurrent\": 2");
  done = brt_wait_batch_status (daemon, id, "completed|failed", 15000);
  elapsed = g_get_monotonic_time () - t0;
  g_test_message ("7 leads at 60 rpm after a burst of 5: %" G_GINT64_FORMAT " ms", elapsed / 1000);
  g_assert_cmpstr (brt_str (done, "status"), ==, "completed");
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, id);
  g_assert_cmpint (brt_int (done, "successful_leads"), ==, 7);
  /* 5 at once, then 2 more at one a second. */
  g_assert_cmpint (elapsed, >=, 1500 * 1000);
  brt_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/integration/control/pause-resume", test_pause_resume);
  g_test_add_func ("/integration/control/resume-when-nothing-left", test_resume_when_nothing_left);
  g_test_add_func ("/integration/control/pause-pending-cancel-paused", test_pause_pending_and_cancel_paused);
  g_test_add_func ("/integration/control/cancel-stops-exec-child", test_cancel_stops_exec_child);
  g_test_add_func ("/integration/control/max-concurrent", test_max_concurrent);
  g_test_add_func ("/integration/control/global-workers", test_global_workers);
  g_test_add_func ("/integration/control/provider-rate-limit", test_provider_rate_limit);
  g_test_add_func ("/integration/control/automatic-retry-backoff", test_automatic_retry_backoff);
  g_test_add_func ("/integration/control/manual-retry", test_manual_retry);

  return g_test_run ();
}
