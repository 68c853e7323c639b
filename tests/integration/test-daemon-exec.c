/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The exec processor: a command per lead, lead JSON on stdin, a result
 * document on stdout; exit codes, timeouts and bad output are the lead's
 * failures with an error code. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "brt-fixtures.h"

#define WAIT_MS 20000

static const char script_text[] =
  "in=$(cat)\n"
  "case \"$in\" in\n"
  "  *Capture*) printf '%s' \"$in\" > \"$OUT/stdin.json\"; echo '{\"report_url\": \"https://reports.example.com/capture.pdf\"}' ;;\n"
  "  *ExitThree*) echo 'first line of noise' >&2; echo 'fatal: the pipeline broke' >&2; exit 3 ;;\n"
  "  *Sleepy*) echo $$ > \"$OUT/sleepy.pid\"; exec sleep 30 ;;\n"
  "  *Garbage*) echo 'this is not json' ;;\n"
  "  *WrongShape*) echo '[1, 2, 3]' ;;\n"
  "  *Background*) sleep 30 & echo $! > \"$OUT/background.pid\"; echo '{\"quality_score\": 0.25}' ;;\n"
  "  *Family*) sleep 30 & echo $! > \"$OUT/family.tmp\"; mv \"$OUT/family.tmp\" \"$OUT/family.pid\"; wait ;;\n"
  "  *TypedWrong*) echo '{\"success\": false, \"error_code\": {\"nested\": true}}' ;;\n"
  "  *Nested*) head -c 300000 /dev/zero | tr '\\0' '[' ;;\n"
  "  *Reported*) echo '{\"success\": false, \"error_code\": \"CRM_REJECTED\", \"error_message\": \"The CRM said no\"}' ;;\n"
  "  *) echo '{\"report_url\": \"https://reports.example.com/r.pdf\","
  " \"cost_breakdown\": {\"openai\": 0.02, \"clearbit\": 0.0125}, \"quality_score\": 0.87}' ;;\n"
  "esac\n";

typedef struct
{
  char      *dir;
  BrtDaemon *daemon;
} Exec;

static void
exec_start (Exec       *e,
            const char *timeout)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *text = NULL;
  g_autofree char *command = NULL;

  e->dir = brt_make_tmp_dir ();
  script = g_build_filename (e->dir, "lead.sh", NULL);
  text = g_strdup_printf ("OUT='%s'\n%s", e->dir, script_text);
  g_file_set_contents (script, text, -1, &error);
  g_assert_no_error (error);
  command = g_strdup_printf ("sh %s", script);
  e->daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command, "--exec-timeout", timeout, NULL);
}

static void
exec_stop (Exec *e)
{
  g_assert_cmpint (brt_daemon_stop (e->daemon), ==, 0);
  brt_daemon_free (e->daemon);
  brt_remove_tree (e->dir);
  g_free (e->dir);
}

/* Imports one lead per name prefix and returns the ids in that order. */
static GPtrArray *
import_named (BrtDaemon          *daemon,
              const char * const *names)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; names[i]; i++)
    {
      BrtLeadSpec spec = { .name_prefix = names[i], .enrichment_status = "completed" };
      g_autoptr(GPtrArray) one = brt_import_leads (daemon, 1, &spec);

      g_ptr_array_add (ids, g_strdup (one->pdata[0]));
    }
  return ids;
}

static JsonObject *
run_one_batch (BrtDaemon  *daemon,
               GPtrArray  *ids,
               JsonArray **rows)
{
  g_autofree char *id = brt_start_batch (daemon, ids, "\"retry_failed\": false, \"max_concurrent\": 10");
  g_autoptr(JsonObject) done = brt_wait_batch_status (daemon, id, "completed|failed", WAIT_MS);

  *rows = brt_get_results (daemon, id, NULL);
  return brt_assert_counters_match_rows (daemon, id);
}

static void
test_success_result (void)
{
  Exec e = { 0 };
  const char * const names[] = { "Regular", "Regular", NULL };
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(JsonObject) batch = NULL;
  g_autoptr(JsonArray) rows = NULL;

  exec_start (&e, "10");
  ids = import_named (e.daemon, names);
  batch = run_one_batch (e.daemon, ids, &rows);
  g_assert_cmpstr (brt_str (batch, "status"), ==, "completed");
  g_assert_cmpint (brt_int (batch, "successful_leads"), ==, 2);
  g_assert_cmpfloat_with_epsilon (brt_num (batch, "actual_cost_usd"), 2 * 0.0325, 1e-4);

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);
      JsonObject *costs = json_object_get_object_member (r, "cost_breakdown");

      g_assert_cmpstr (brt_str (r, "status"), ==, "completed");
      g_assert_cmpstr (brt_str (r, "report_url"), ==, "https://reports.example.com/r.pdf");
      g_assert_cmpuint (json_object_get_size (costs), ==, 2);
      g_assert_cmpfloat_with_epsilon (brt_num (costs, "openai"), 0.02, 1e-9);
      g_assert_cmpfloat_with_epsilon (brt_num (costs, "clearbit"), 0.0125, 1e-9);
      g_assert_cmpfloat_with_epsilon (brt_num (r, "actual_cost_usd"), 0.0325, 1e-9);
      g_assert_cmpfloat_with_epsilon (brt_num (r, "quality_score"), 0.87, 1e-9);
      g_assert_cmpint (brt_int (r, "processing_duration_ms"), >=, 0);
      g_assert_null (brt_str (r, "error_code"));
      g_assert_null (brt_str (r, "error_message"));
    }
  exec_stop (&e);
}

/* Finds an object anywhere in @node with "id" == @id. */
static JsonObject *
find_by_id (JsonNode   *node,
            const char *id)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *obj = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (obj);

      if (g_strcmp0 (json_object_get_string_member_with_default (obj, "id", NULL), id) == 0)
        return obj;
      for (GList *l = members; l; l = l->next)
        {
          JsonObject *found = find_by_id (json_object_get_member (obj, l->data), id);
          if (found)
            return found;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *found = find_by_id (json_array_get_element (array, i), id);
          if (found)
            return found;
        }
    }
  return NULL;
}

static void
test_stdin_is_the_lead (void)
{
  Exec e = { 0 };
  const char * const names[] = { "Capture", NULL };
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(JsonObject) batch = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stdin_file = NULL;
  g_autoptr(JsonObject) lead_page = NULL;
  JsonObject *sent, *stored;

  exec_start (&e, "10");
  ids = import_named (e.daemon, names);
  batch = run_one_batch (e.daemon, ids, &rows);
  g_assert_cmpstr (brt_str (batch, "status"), ==, "completed");
  /* Missing result fields are fine: no cost, no quality. */
  g_assert_cmpstr (brt_str (json_array_get_object_element (rows, 0), "report_url"), ==,
                   "https://reports.example.com/capture.pdf");
  g_assert_cmpfloat (brt_num (json_array_get_object_element (rows, 0), "actual_cost_usd"), ==, 0);

  stdin_file = g_build_filename (e.dir, "stdin.json", NULL);
  json_parser_load_from_file (parser, stdin_file, &error);
  g_assert_no_error (error);
  sent = find_by_id (json_parser_get_root (parser), ids->pdata[0]);
  g_assert_nonnull (sent);

  lead_page = brt_request (e.daemon, "GET", "/api/v1/leads?search=Capture", NULL, 200);
  stored = json_array_get_object_element (json_object_get_array_member (lead_page, "leads"), 0);
  g_assert_cmpstr (json_object_get_string_member (sent, "company_name"), ==, brt_str (stored, "company_name"));
  g_assert_cmpstr (json_object_get_string_member (sent, "domain"), ==, brt_str (stored, "domain"));
  g_assert_cmpstr (json_object_get_string_member (sent, "email"), ==, brt_str (stored, "email"));
  g_assert_cmpstr (json_object_get_string_member (sent, "enrichment_status"), ==, "completed");
  exec_stop (&e);
}

static void
test_failures (void)
{
  Exec e = { 0 };
  const char * const names[] = { "ExitThree", "Sleepy", "Garbage", "WrongShape", "Regular", NULL };
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(JsonObject) batch = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autofree char *status_path = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *pid_text = NULL;
  JsonObject *r, *summary;
  gint64 t0 = g_get_monotonic_time ();

  exec_start (&e, "0.5");
  ids = import_named (e.daemon, names);
  batch = run_one_batch (e.daemon, ids, &rows);
  g_test_message ("The batch took %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - t0) / 1000);
  g_assert_cmpstr (brt_str (batch, "status"), ==, "completed");
  g_assert_cmpint (brt_int (batch, "failed_leads"), ==, 4);
  g_assert_cmpint (brt_int (batch, "successful_leads"), ==, 1);
  /* The timeout, not the 30 s sleep, decided how long this took. */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 10 * G_USEC_PER_SEC);

  r = brt_find_result (rows, ids->pdata[0]);
  g_assert_cmpstr (brt_str (r, "status"), ==, "failed");
  g_assert_cmpstr (brt_str (r, "error_code"), ==, "EXIT_3");
  g_assert_nonnull (strstr (brt_str (r, "error_message"), "fatal: the pipeline broke"));

  r = brt_find_result (rows, ids->pdata[1]);
  g_assert_cmpstr (brt_str (r, "status"), ==, "failed");
  g_assert_cmpstr (brt_str (r, "error_code"), ==, "TIMEOUT");
  g_assert_nonnull (brt_str (r, "error_message"));
  pid_file = g_build_filename (e.dir, "sleepy.pid", NULL);
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  g_assert_false (brt_process_alive (atoi (pid_text)));

  r = brt_find_result (rows, ids->pdata[2]);
  g_assert_cmpstr (brt_str (r, "status"), ==, "failed");
  g_assert_cmpstr (brt_str (r, "error_code"), ==, "BAD_OUTPUT");
  g_assert_nonnull (brt_str (r, "error_message"));

  r = brt_find_result (rows, ids->pdata[3]);
  g_assert_cmpstr (brt_str (r, "status"), ==, "failed");
  g_assert_cmpstr (brt_str (r, "error_code"), ==, "BAD_OUTPUT");

  r = brt_find_result (rows, ids->pdata[4]);
  g_assert_cmpstr (brt_str (r, "status"), ==, "completed");

  /* The status endpoint sums the errors by code. */
  status_path = g_strdup_printf ("/api/v1/batch/%s/status", brt_str (batch, "id"));
  status = brt_request (e.daemon, "GET", status_path, NULL, 200);
  summary = json_object_get_object_member (status, "error_summary");
  g_assert_cmpuint (json_object_get_size (summary), ==, 3);
  g_assert_cmpint (brt_int (summary, "EXIT_3"), ==, 1);
  g_assert_cmpint (brt_int (summary, "TIMEOUT"), ==, 1);
  g_assert_cmpint (brt_int (summary, "BAD_OUTPUT"), ==, 2);
  exec_stop (&e);
}

/* Output of the wrong shape is the lead's BAD_OUTPUT, never a critical
 * (the daemon runs with fatal criticals) nor a crash (deep nesting); a
 * command that leaves a background process holding its pipes is judged
 * when it exits, not when that process ends. */
static void
test_hostile_commands (void)
{
  Exec e = { 0 };
  const char * const names[] = { "TypedWrong", "Nested", "Reported", "Background", "Regular", NULL };
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(JsonObject) batch = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *pid_text = NULL;
  JsonObject *r;
  gint64 t0 = g_get_monotonic_time ();

  exec_start (&e, "20");
  ids = import_named (e.daemon, names);
  batch = run_one_batch (e.daemon, ids, &rows);
  g_assert_cmpstr (brt_str (batch, "status"), ==, "completed");
  /* Neither the 30 s background sleep nor the 20 s timeout. */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpint (brt_int (batch, "failed_leads"), ==, 3);
  g_assert_cmpint (brt_int (batch, "successful_leads"), ==, 2);

  r = brt_find_result (rows, ids->pdata[0]);
  g_assert_cmpstr (brt_str (r, "error_code"), ==, "BAD_OUTPUT");
  g_assert_nonnull (strstr (brt_str (r, "error_message"), "error_code must be a string"));
  g_assert_cmpint (brt_int (r, "processing_duration_ms"), >=, 0);

  r = brt_find_result (rows, ids->pdata[1]);
  g_assert_cmpstr (brt_str (r, "error_code"), ==, "BAD_OUTPUT");

  r = brt_find_result (rows, ids->pdata[2]);
  g_assert_cmpstr (brt_str (r, "status"), ==, "failed");
  g_assert_cmpstr (brt_str (r, "error_code"), ==, "CRM_REJECTED");
  g_assert_cmpstr (brt_str (r, "error_message"), ==, "The CRM said no");

  r = brt_find_result (rows, ids->pdata[3]);
  g_assert_cmpstr (brt_str (r, "status"), ==, "completed");
  g_assert_cmpfloat_with_epsilon (brt_num (r, "quality_score"), 0.25, 1e-9);

  /* Still serving. */
  json_object_unref (brt_get_batch (e.daemon, brt_str (batch, "id")));

  pid_file = g_build_filename (e.dir, "background.pid", NULL);
  if (g_file_get_contents (pid_file, &pid_text, NULL, NULL) && atoi (pid_text) > 1)
    kill (atoi (pid_text), SIGKILL);
  exec_stop (&e);
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

typedef struct
{
  BrtDaemon  *daemon;
  const char *batch_id;
} SkippedQuery;

static gboolean
one_skipped (gpointer data)
{
  SkippedQuery *q = data;

  return brt_count_results (q->daemon, q->batch_id, "skipped") == 1;
}

/* Cancelling the batch stops everything the command started: its process
 * group, not only the command (which here waits for a background sleep). */
static void
test_cancel_stops_process_group (void)
{
  Exec e = { 0 };
  const char * const names[] = { "Family", NULL };
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *id = NULL;
  g_autofree char *pid_file = NULL;
  g_autofree char *pid_text = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) cancelled = NULL;
  g_autoptr(JsonObject) done = NULL;
  int pid;

  exec_start (&e, "20");
  ids = import_named (e.daemon, names);
  id = brt_start_batch (e.daemon, ids, "\"retry_failed\": false");
  pid_file = g_build_filename (e.dir, "family.pid", NULL);
  g_assert_true (brt_poll_until (file_exists, pid_file, WAIT_MS, 20));
  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  pid = atoi (pid_text);
  g_assert_cmpint (pid, >, 1);
  g_assert_true (brt_process_alive (pid));

  path = g_strdup_printf ("/api/v1/batch/%s/cancel", id);
  cancelled = brt_request (e.daemon, "POST", path, NULL, 200);
  if (!brt_poll_until (process_gone, GINT_TO_POINTER (pid), 5000, 20))
    {
      kill (pid, SIGKILL);
      g_error ("The command's background process %d still runs 5 s after the cancel", pid);
    }
  done = brt_wait_batch_status (e.daemon, id, "cancelled", WAIT_MS);
  /* The lead is recorded once its whole group is gone. */
  g_assert_true (brt_poll_until (one_skipped, &(SkippedQuery) { e.daemon, id }, WAIT_MS, 50));
  exec_stop (&e);
}

/* A command that never reads its standard input still runs fine. */
static void
test_command_ignoring_stdin (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command",
                                                  "sh -c 'echo \"{\\\"quality_score\\\": 0.5}\"'", NULL);
  BrtLeadSpec spec = { .enrichment_status = "completed" };
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 5, &spec);
  g_autoptr(JsonObject) batch = NULL;
  g_autoptr(JsonArray) rows = NULL;

  batch = run_one_batch (daemon, ids, &rows);
  g_assert_cmpstr (brt_str (batch, "status"), ==, "completed");
  g_assert_cmpint (brt_int (batch, "successful_leads"), ==, 5);
  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/integration/exec/success-result", test_success_result);
  g_test_add_func ("/integration/exec/stdin-is-the-lead", test_stdin_is_the_lead);
  g_test_add_func ("/integration/exec/failures", test_failures);
  g_test_add_func ("/integration/exec/command-ignoring-stdin", test_command_ignoring_stdin);
  g_test_add_func ("/integration/exec/hostile-commands", test_hostile_commands);
  g_test_add_func ("/integration/exec/cancel-stops-process-group", test_cancel_stops_process_group);

  return g_test_run ();
}
