/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "brd-processor.h"

typedef struct
{
  BrdJobResult *result;
  GError       *error;
  gboolean      done;
} Outcome;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Outcome *o = user_data;

  o->result = brd_processor_run_finish (NULL, result, &o->error);
  o->done = TRUE;
}

static BrdJob *
make_job (const char *lead_id,
          const char *domain,
          const char *email)
{
  BrdJob *job = brd_job_new ();

  job->lead = brd_lead_new ();
  job->lead->id = g_strdup (lead_id);
  job->lead->company_name = g_strdup ("Northwind Robotics");
  job->lead->domain = g_strdup (domain);
  job->lead->email = g_strdup (email);
  job->lead->contact_name = g_strdup ("Ada Lovelace");
  job->lead->enrichment_status = g_strdup ("partial");
  job->batch_id = g_strdup ("batch-1");
  job->batch_name = g_strdup ("Unit batch");
  job->template_version = g_strdup ("v1");
  job->attempt = 1;
  job->expected_costs = json_object_new ();
  json_object_set_double_member (job->expected_costs, "base", 0.12);
  json_object_set_double_member (job->expected_costs, "web_analysis", 0.03);
  json_object_set_double_member (job->expected_costs, "llm_report", 0.10);
  json_object_set_double_member (job->expected_costs, "overhead", 0.02);
  job->expected_total = 0.27;
  return job;
}

static Outcome
run (BrdProcessor *processor,
     BrdJob       *job,
     GCancellable *cancellable)
{
  Outcome o = { 0 };

  brd_processor_run_async (processor, job, cancellable, done_cb, &o);
  while (!o.done)
    g_main_context_iteration (NULL, TRUE);
  return o;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
test_report_writes_pdf (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_REPORT, dir, NULL, 10, NULL);
  Outcome o = run (processor, make_job ("lead-1", "northwind-robotics.example", "ada@northwind-robotics.example"), NULL);
  g_autofree char *pdf_path = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_path = g_build_filename (dir, "batch-1", "lead-1.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  double base, web;

  g_assert_no_error (o.error);
  g_assert_true (o.result->success);
  pdf_path = g_filename_from_uri (o.result->report_url, NULL, NULL);
  g_assert_nonnull (pdf_path);
  g_assert_true (g_file_get_contents (pdf_path, &pdf, &len, NULL));
  g_assert_cmpuint (len, >, 1000);
  g_assert_true (g_str_has_prefix (pdf, "%PDF-"));

  g_assert_true (g_file_get_contents (json_path, &json, NULL, NULL));
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (json_parser_get_root (parser)), "quality_score"),
                     ==, o.result->quality_score);

  /* Base and overhead are exact; providers bill within ±4%. */
  base = json_object_get_double_member (o.result->cost_breakdown, "base");
  web = json_object_get_double_member (o.result->cost_breakdown, "web_analysis");
  g_assert_cmpfloat (base, ==, 0.12);
  g_assert_cmpfloat (web, >=, 0.03 * 0.96);
  g_assert_cmpfloat (web, <=, 0.03 * 1.04);
  g_assert_cmpfloat_with_epsilon (o.result->cost_usd, 0.27, 0.27 * 0.04);

  /* No temporary files are left. */
  {
    g_autofree char *part = g_strconcat (pdf_path, ".part", NULL);
    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  }
  brd_job_result_free (o.result);
  remove_tree (dir);
}

static void
test_report_variance_is_deterministic (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_REPORT, dir, NULL, 10, NULL);
  Outcome a = run (processor, make_job ("lead-v", "v.example", NULL), NULL);
  Outcome b = run (processor, make_job ("lead-v", "v.example", NULL), NULL);

  g_assert_cmpfloat (a.result->cost_usd, ==, b.result->cost_usd);
  brd_job_result_free (a.result);
  brd_job_result_free (b.result);
  remove_tree (dir);
}

static void
test_report_failures (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_REPORT, dir, NULL, 10, NULL);
  Outcome unreachable = run (processor, make_job ("l2", "unreachable-acme.example", NULL), NULL);
  Outcome invalid = run (processor, make_job ("l3", NULL, NULL), NULL);

  g_assert_false (unreachable.result->success);
  g_assert_cmpstr (unreachable.result->error_code, ==, "DOMAIN_UNREACHABLE");
  g_assert_nonnull (strstr (unreachable.result->error_message, "unreachable-acme.example"));
  g_assert_false (invalid.result->success);
  g_assert_cmpstr (invalid.result->error_code, ==, "INVALID_LEAD");
  brd_job_result_free (unreachable.result);
  brd_job_result_free (invalid.result);
  remove_tree (dir);
}

static void
test_report_cancelled (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_REPORT, dir, NULL, 10, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *pdf = g_build_filename (dir, "batch-1", "l4.pdf", NULL);
  Outcome o;

  g_cancellable_cancel (cancellable);
  o = run (processor, make_job ("l4", "c.example", NULL), cancellable);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (o.result);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_clear_error (&o.error);
  remove_tree (dir);
}

static void
test_noop (void)
{
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_NOOP, NULL, NULL, 10, NULL);
  Outcome o = run (processor, make_job ("l5", "n.example", NULL), NULL);

  g_assert_true (o.result->success);
  g_assert_cmpfloat (o.result->cost_usd, ==, 0);
  g_assert_cmpuint (json_object_get_size (o.result->cost_breakdown), ==, 0);
  brd_job_result_free (o.result);
}

static void
test_exec_bad_command (void)
{
  g_autoptr(GError) error = NULL;
  BrdProcessor *processor = brd_processor_new (BRD_PROCESSOR_EXEC, NULL, "sh -c 'unterminated", 10, &error);

  g_assert_null (processor);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_exec_empty_output_succeeds (void)
{
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_EXEC, NULL, "/bin/true", 10, NULL);
  Outcome o = run (processor, make_job ("l6", "e.example", NULL), NULL);

  g_assert_true (o.result->success);
  g_assert_cmpfloat (o.result->cost_usd, ==, 0);
  brd_job_result_free (o.result);
}


/* Helpers for the exec processor tests ------------------------------------- */

/* "sh -c SCRIPT", quoted for the processor's g_shell_parse_argv. */
static char *
sh_command (const char *script)
{
  g_autofree char *quoted = g_shell_quote (script);

  return g_strconcat ("sh -c ", quoted, NULL);
}

static Outcome
run_command (const char   *command,
             double        timeout,
             BrdJob       *job,
             GCancellable *cancellable,
             gint64       *elapsed_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_EXEC, NULL, command, timeout, &error);
  gint64 t0 = g_get_monotonic_time ();
  Outcome o;

  g_assert_no_error (error);
  o = run (processor, job ? job : make_job ("lead-x", "x.example", NULL), cancellable);
  if (elapsed_ms != NULL)
    *elapsed_ms = (g_get_monotonic_time () - t0) / 1000;
  return o;
}

/* Runs what is due now, including idles scheduled by what ran. */
static void
drain_main_context (void)
{
  gint64 until = g_get_monotonic_time () + 200 * 1000;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Waits (up to 5 s) for a script to write its background pid. */
static int
read_pid (const char *path)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (path, &text, NULL, NULL) && atoi (text) > 0)
        return atoi (text);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  g_assert_not_reached ();
}

/* Alive and not a zombie: orphans are not reaped on every machine. */
static gboolean
process_alive (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  state = strrchr (stat, ')');
  return state != NULL && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}

/* SIGKILL can take a moment to land. */
static gboolean
process_gone_soon (int pid)
{
  for (guint i = 0; i < 100 && process_alive (pid); i++)
    g_usleep (10 * 1000);
  return !process_alive (pid);
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Exec: lifetime, pipes, process groups ------------------------------------ */

/* A cancel that arrives after the command has exited races the completion
 * of the run; whichever wins, nothing may touch the finished run after its
 * callback (the cancel used to be an idle holding a raw pointer). */
static void
test_exec_cancel_after_exit (void)
{
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_EXEC, NULL, "/bin/true", 10, NULL);

  for (guint round = 0; round < 10; round++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      Outcome o = { 0 };

      brd_processor_run_async (processor, make_job ("l-race", "r.example", NULL), cancellable, done_cb, &o);
      /* Let the command exit and its pipes reach EOF without dispatching. */
      g_usleep (100 * 1000);
      g_cancellable_cancel (cancellable);
      while (!o.done)
        g_main_context_iteration (NULL, TRUE);
      drain_main_context ();

      if (o.error != NULL)
        {
          g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_null (o.result);
          g_clear_error (&o.error);
        }
      else
        {
          g_assert_true (o.result->success);
          brd_job_result_free (o.result);
        }
    }
}

/* A cancelled lead does not start its command at all. */
static void
test_exec_cancelled_before_start (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autofree char *mark = g_build_filename (dir, "ran", NULL);
  g_autofree char *script = g_strdup_printf ("touch '%s'", mark);
  g_autofree char *command = sh_command (script);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome o;

  g_cancellable_cancel (cancellable);
  o = run_command (command, 10, NULL, cancellable, NULL);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (o.result);
  g_usleep (200 * 1000);
  g_assert_false (g_file_test (mark, G_FILE_TEST_EXISTS));
  g_clear_error (&o.error);
  remove_tree (dir);
}

/* `cmd &` in the command: the background process inherits stdin, stdout
 * and stderr and keeps them open after the command exits. The lead is
 * judged shortly after the exit, with what the command printed. */
static void
test_exec_background_keeps_pipes (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autofree char *pid_file = g_build_filename (dir, "bg.pid", NULL);
  /* sh gives a background job /dev/null as stdin unless told otherwise. */
  g_autofree char *script = g_strdup_printf ("exec 3<&0; sleep 30 <&3 3<&- & echo $! > '%s';"
                                             " echo '{\"quality_score\": 0.5}'", pid_file);
  g_autofree char *command = sh_command (script);
  BrdJob *job = make_job ("l-bg", "bg.example", NULL);
  Outcome warm_up, o;
  guint fds_before;
  gint64 elapsed;
  int bg;

  /* The first run sets up GLib's child watching (fds that stay); what
   * earlier runs still had open is closed once their callbacks ran. */
  warm_up = run_command ("/bin/true", 10, NULL, NULL, NULL);
  brd_job_result_free (warm_up.result);
  drain_main_context ();
  fds_before = count_fds ();

  /* A lead bigger than a pipe buffer, which nobody reads: the write into
   * stdin cannot complete while the background process holds it open. */
  g_free (job->lead->company_name);
  job->lead->company_name = g_strnfill (256 * 1024, 'n');

  o = run_command (command, 20, job, NULL, &elapsed);
  bg = read_pid (pid_file);
  g_assert_no_error (o.error);
  g_assert_true (o.result->success);
  g_assert_cmpfloat (o.result->quality_score, ==, 0.5);
  g_assert_cmpint (o.result->duration_ms, <=, elapsed);
  /* Not when `sleep 30` ends, nor at the 20 s timeout. */
  g_assert_cmpint (elapsed, <, 5000);

  /* Our ends of the three pipes are closed, the write abandoned. */
  drain_main_context ();
  g_assert_cmpuint (count_fds (), <=, fds_before);

  /* What a command that succeeded left running is its own business. */
  g_assert_true (process_alive (bg));
  kill (bg, SIGKILL);
  brd_job_result_free (o.result);
  remove_tree (dir);
}

/* The same with only stdin held: the output pipes reach EOF when the
 * command exits, and the write that cannot complete is abandoned then. */
static void
test_exec_background_holds_stdin (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autofree char *pid_file = g_build_filename (dir, "bg.pid", NULL);
  g_autofree char *script = g_strdup_printf ("exec 3<&0; sleep 30 <&3 3<&- >/dev/null 2>&1 & echo $! > '%s'; echo '{}'",
                                             pid_file);
  g_autofree char *command = sh_command (script);
  BrdJob *job = make_job ("l-stdin", "stdin.example", NULL);
  Outcome warm_up, o;
  guint fds_before;
  gint64 elapsed;
  int bg;

  warm_up = run_command ("/bin/true", 10, NULL, NULL, NULL);
  brd_job_result_free (warm_up.result);
  drain_main_context ();
  fds_before = count_fds ();

  g_free (job->lead->company_name);
  job->lead->company_name = g_strnfill (256 * 1024, 'n');
  o = run_command (command, 20, job, NULL, &elapsed);
  bg = read_pid (pid_file);
  g_assert_true (o.result->success);
  g_assert_cmpint (elapsed, <, 5000);

  drain_main_context ();
  g_assert_cmpuint (count_fds (), <=, fds_before);
  kill (bg, SIGKILL);
  brd_job_result_free (o.result);
  remove_tree (dir);
}

/* On timeout the command's whole process group is stopped: SIGTERM, then
 * SIGKILL for what ignores it; a background process holding the pipes
 * does not keep the lead running. */
static void
test_exec_timeout_kills_group (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autofree char *pid_file = g_build_filename (dir, "bg.pid", NULL);
  g_autofree char *script = g_strdup_printf ("(trap '' TERM; exec sleep 30) & echo $! > '%s'; exec sleep 30",
                                             pid_file);
  g_autofree char *command = sh_command (script);
  gint64 elapsed;
  Outcome o;
  int bg;

  o = run_command (command, 0.5, NULL, NULL, &elapsed);
  bg = read_pid (pid_file);
  g_assert_no_error (o.error);
  g_assert_false (o.result->success);
  g_assert_cmpstr (o.result->error_code, ==, "TIMEOUT");
  /* 0.5 s timeout + 2 s from SIGTERM to SIGKILL, and some slack. */
  g_assert_cmpint (elapsed, >=, 500);
  g_assert_cmpint (elapsed, <, 6000);
  g_assert_true (process_gone_soon (bg));
  if (process_alive (bg))
    kill (bg, SIGKILL);
  brd_job_result_free (o.result);
  remove_tree (dir);
}

static gboolean
cancel_when_started (gpointer data)
{
  GCancellable *cancellable = data;

  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

static void
test_exec_cancel_kills_group (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autofree char *pid_file = g_build_filename (dir, "bg.pid", NULL);
  g_autofree char *script = g_strdup_printf ("sleep 30 & echo $! > '%s'; wait", pid_file);
  g_autofree char *command = sh_command (script);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_EXEC, NULL, command, 20, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome o = { 0 };
  gint64 t0;
  int bg;

  brd_processor_run_async (processor, make_job ("l-cancel", "c.example", NULL), cancellable, done_cb, &o);
  bg = read_pid (pid_file);
  t0 = g_get_monotonic_time ();
  /* From another thread, as the engine's callers may. */
  g_thread_unref (g_thread_new ("canceller", (GThreadFunc) cancel_when_started, cancellable));
  while (!o.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (o.result);
  g_assert_cmpint ((g_get_monotonic_time () - t0) / 1000, <, 3000);
  g_assert_true (process_gone_soon (bg));
  if (process_alive (bg))
    kill (bg, SIGKILL);
  g_clear_error (&o.error);
  remove_tree (dir);
}

/* Stdout is capped: a command printing without end fails as BAD_OUTPUT
 * as soon as it passes the cap, it does not run into the timeout. */
static void
test_exec_stdout_cap (void)
{
  gint64 elapsed;
  Outcome o = run_command ("yes", 30, NULL, NULL, &elapsed);

  g_assert_false (o.result->success);
  g_assert_cmpstr (o.result->error_code, ==, "BAD_OUTPUT");
  g_assert_nonnull (strstr (o.result->error_message, "1 MiB"));
  g_assert_cmpint (elapsed, <, 10000);
  brd_job_result_free (o.result);
}

/* Only the tail of stderr is kept, and it is the end of what was written. */
static void
test_exec_stderr_tail (void)
{
  g_autofree char *command = sh_command ("head -c 3000000 /dev/zero | tr '\\0' x >&2; echo the-last-words >&2; exit 2");
  Outcome o = run_command (command, 30, NULL, NULL, NULL);

  g_assert_false (o.result->success);
  g_assert_cmpstr (o.result->error_code, ==, "EXIT_2");
  g_assert_cmpuint (strlen (o.result->error_message), <, 2048 + 100);
  g_assert_true (g_str_has_suffix (o.result->error_message, "the-last-words"));
  brd_job_result_free (o.result);
}

/* The command sees its BR_* variables and default signal dispositions:
 * the daemon ignores SIGPIPE for itself, its commands must not inherit
 * that (`yes | head -1` and friends rely on SIGPIPE). */
static void
test_exec_environment (void)
{
  g_autofree char *command = sh_command ("echo \"lead=$BR_LEAD_ID batch=$BR_BATCH_ID attempt=$BR_ATTEMPT\" >&2;"
                                         " grep '^SigIgn:' /proc/self/status >&2; exit 1");
  Outcome o = run_command (command, 10, make_job ("l-env", "env.example", NULL), NULL, NULL);
  const char *ign;
  guint64 mask;

  g_assert_cmpstr (o.result->error_code, ==, "EXIT_1");
  g_assert_nonnull (strstr (o.result->error_message, "lead=l-env batch=batch-1 attempt=1"));
  ign = strstr (o.result->error_message, "SigIgn:");
  g_assert_nonnull (ign);
  mask = g_ascii_strtoull (ign + strlen ("SigIgn:"), NULL, 16);
  g_assert_cmpuint (mask & (G_GUINT64_CONSTANT (1) << (SIGPIPE - 1)), ==, 0);
  brd_job_result_free (o.result);
}

static void
test_exec_cannot_start (void)
{
  Outcome o = run_command ("/nonexistent/brd-no-such-command", 10, NULL, NULL, NULL);

  g_assert_false (o.result->success);
  g_assert_cmpstr (o.result->error_code, ==, "EXIT_127");
  g_assert_cmpint (o.result->duration_ms, >=, 0);
  brd_job_result_free (o.result);
}

/* Exec: the output document ------------------------------------------------- */

static Outcome
run_with_output (const char *output,
                 gssize      len)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "out", NULL);
  g_autofree char *quoted = g_shell_quote (file);
  g_autofree char *command = g_strconcat ("cat ", quoted, NULL);
  g_autoptr(GError) error = NULL;
  Outcome o;

  g_file_set_contents (file, output, len, &error);
  g_assert_no_error (error);
  o = run_command (command, 10, NULL, NULL, NULL);
  g_assert_no_error (o.error);
  remove_tree (dir);
  return o;
}

/* Every member has a type; anything else is BAD_OUTPUT naming the member,
 * never a critical (the tests run with fatal criticals) nor a crash. */
static void
test_exec_bad_output (void)
{
  static const struct
  {
    const char *output;
    const char *says;
  } cases[] = {
    { "{\"success\": false, \"error_code\": {\"a\": 1}}", "error_code" },
    { "{\"success\": false, \"error_code\": [\"X\"]}", "error_code" },
    { "{\"success\": false, \"error_code\": 42}", "error_code" },
    { "{\"success\": false, \"error_code\": \"CRM\", \"error_message\": {\"x\": 1}}", "error_message" },
    { "{\"success\": false, \"error_message\": 7}", "error_message" },
    { "{\"success\": false, \"error_message\": [\"no\"]}", "error_message" },
    { "{\"success\": \"false\"}", "success" },
    { "{\"success\": 0}", "success" },
    { "{\"report_url\": 5}", "report_url" },
    { "{\"report_url\": [\"https://x\"]}", "report_url" },
    { "{\"report_url\": {}}", "report_url" },
    { "{\"quality_score\": \"0.5\"}", "quality_score" },
    { "{\"quality_score\": 1.5}", "quality_score" },
    { "{\"quality_score\": -0.1}", "quality_score" },
    { "{\"quality_score\": {\"v\": 1}}", "quality_score" },
    { "{\"quality_score\": true}", "quality_score" },
    { "{\"quality_score\": 1e400}", "quality_score" },
    { "{\"cost_breakdown\": [1, 2]}", "cost_breakdown" },
    { "{\"cost_breakdown\": 3}", "cost_breakdown" },
    { "{\"cost_breakdown\": \"cheap\"}", "cost_breakdown" },
    { "{\"cost_breakdown\": {\"llm\": \"0.1\"}}", "cost_breakdown" },
    { "{\"cost_breakdown\": {\"llm\": {\"usd\": 0.1}}}", "cost_breakdown" },
    { "{\"cost_breakdown\": {\"llm\": [0.1]}}", "cost_breakdown" },
    { "{\"cost_breakdown\": {\"llm\": null}}", "cost_breakdown" },
    { "{\"cost_breakdown\": {\"llm\": true}}", "cost_breakdown" },
    { "{\"cost_breakdown\": {\"llm\": -1}}", "cost_breakdown" },
    { "{\"cost_breakdown\": {\"llm\": 1e400}}", "cost_breakdown" },
    { "{\"cost_breakdown\": {\"a\": 1e308, \"b\": 1e308}}", "cost_breakdown" },
    { "[1, 2, 3]", "JSON object" },
    { "\"just a string\"", "JSON object" },
    { "this is not json", "JSON object" },
    { "{\"quality_score\": 0.5} trailing", "JSON object" },
    { "{\"quality_score\": 0.5,}", "JSON object" },
    { "{'quality_score': 0.5}", "JSON object" },
    { "{\"report_url\": \"\xff\xfe\"}", "JSON object" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Outcome o = run_with_output (cases[i].output, -1);

      g_autofree char *shown = g_strescape (cases[i].output, NULL);

      g_test_message ("output: %s", shown);
      g_assert_false (o.result->success);
      g_assert_cmpstr (o.result->error_code, ==, "BAD_OUTPUT");
      g_assert_nonnull (strstr (o.result->error_message, cases[i].says));
      g_assert_cmpfloat (o.result->cost_usd, ==, 0);
      g_assert_cmpuint (json_object_get_size (o.result->cost_breakdown), ==, 0);
      brd_job_result_free (o.result);
    }
}

/* json-glib's parser recurses: deep nesting within the 1 MiB cap must not
 * take the service down. A NUL byte is not whitespace either. */
static void
test_exec_hostile_output (void)
{
  g_autofree char *deep = g_strnfill (500 * 1000, '[');
  Outcome o = run_with_output (deep, -1);

  g_assert_cmpstr (o.result->error_code, ==, "BAD_OUTPUT");
  brd_job_result_free (o.result);

  o = run_with_output ("{}\0{\"quality_score\": 2}", 23);
  g_assert_cmpstr (o.result->error_code, ==, "BAD_OUTPUT");
  brd_job_result_free (o.result);
}

static void
test_exec_good_output (void)
{
  g_autofree char *long_message = g_strnfill (100 * 1000, 'm');
  g_autofree char *long_doc = g_strdup_printf ("{\"success\": false, \"error_code\": \"X\", \"error_message\": \"%s\"}",
                                               long_message);
  Outcome o;

  o = run_with_output ("{\"success\": true, \"report_url\": \"https://r.example/1\", \"quality_score\": 1,"
                       " \"cost_breakdown\": {\"a\": 0, \"b\": 2}, \"extra\": {\"ignored\": [1]}}", -1);
  g_assert_true (o.result->success);
  g_assert_cmpstr (o.result->report_url, ==, "https://r.example/1");
  g_assert_cmpfloat (o.result->quality_score, ==, 1);
  g_assert_cmpfloat (o.result->cost_usd, ==, 2);
  g_assert_cmpuint (json_object_get_size (o.result->cost_breakdown), ==, 2);
  brd_job_result_free (o.result);

  /* Nothing at all (or only whitespace) is success: see exec-processor.md. */
  o = run_with_output (" \n\t\n", -1);
  g_assert_true (o.result->success);
  g_assert_cmpfloat (o.result->quality_score, ==, -1);
  brd_job_result_free (o.result);

  o = run_with_output ("{\"success\": false, \"error_code\": \"CRM_REJECTED\", \"error_message\": \"The CRM said no\","
                       " \"cost_breakdown\": {\"crm\": 0.01}}", -1);
  g_assert_false (o.result->success);
  g_assert_cmpstr (o.result->error_code, ==, "CRM_REJECTED");
  g_assert_cmpstr (o.result->error_message, ==, "The CRM said no");
  g_assert_cmpfloat (o.result->cost_usd, ==, 0.01);
  brd_job_result_free (o.result);

  /* Codes outside [A-Z0-9_]{1,64} become FAILED; null means "not given". */
  o = run_with_output ("{\"success\": false, \"error_code\": \"not a code\"}", -1);
  g_assert_cmpstr (o.result->error_code, ==, "FAILED");
  g_assert_nonnull (o.result->error_message);
  brd_job_result_free (o.result);
  o = run_with_output ("{\"success\": false, \"error_code\": null, \"error_message\": null}", -1);
  g_assert_cmpstr (o.result->error_code, ==, "FAILED");
  g_assert_cmpstr (o.result->error_message, ==, "The command reported a failure");
  brd_job_result_free (o.result);

  /* A long message is cut, not stored whole. */
  o = run_with_output (long_doc, -1);
  g_assert_cmpstr (o.result->error_code, ==, "X");
  g_assert_cmpuint (strlen (o.result->error_message), <=, 2048 + strlen ("…"));
  g_assert_true (g_str_has_prefix (o.result->error_message, "mmmm"));
  brd_job_result_free (o.result);
}

/* Report: durations and the chart ------------------------------------------- */

typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean open;
} Gate;

static void
wait_at_gate (GTask        *task,
              gpointer      source,
              gpointer      data,
              GCancellable *cancellable)
{
  Gate *gate = data;

  g_mutex_lock (&gate->mutex);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);
  g_task_return_boolean (task, TRUE);
}

static gboolean
open_gate (gpointer data)
{
  Gate *gate = data;

  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->mutex);
  return G_SOURCE_REMOVE;
}

/* A failure's duration counts like a success's: from the start of the run
 * to the result. Worker threads busy elsewhere make that time long enough
 * to see (GLib's task pool runs 10 threads before it grows). */
static void
test_report_failure_durations (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_REPORT, dir, NULL, 10, NULL);
  Gate gate = { 0 };
  gint64 t0;
  Outcome invalid, unreachable;

  g_mutex_init (&gate.mutex);
  g_cond_init (&gate.cond);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GTask) blocker = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_task_data (blocker, &gate, NULL);
      g_task_run_in_thread (blocker, wait_at_gate);
    }
  g_timeout_add (300, open_gate, &gate);

  t0 = g_get_monotonic_time ();
  invalid = run (processor, make_job ("l-invalid", NULL, NULL), NULL);
  unreachable = run (processor, make_job ("l-unreach", "unreachable-x.example", NULL), NULL);

  g_assert_cmpstr (invalid.result->error_code, ==, "INVALID_LEAD");
  g_assert_cmpint (invalid.result->duration_ms, >=, 50);
  g_assert_cmpint (invalid.result->duration_ms, <=, (g_get_monotonic_time () - t0) / 1000);
  g_assert_cmpstr (unreachable.result->error_code, ==, "DOMAIN_UNREACHABLE");
  g_assert_cmpint (unreachable.result->duration_ms, >=, 0);

  /* The blockers return through the main context. */
  while (!gate.open)
    g_main_context_iteration (NULL, TRUE);
  drain_main_context ();
  g_mutex_clear (&gate.mutex);
  g_cond_clear (&gate.cond);
  brd_job_result_free (invalid.result);
  brd_job_result_free (unreachable.result);
  remove_tree (dir);
}

static const guint8 *
find_bytes (const guint8 *haystack,
            gsize         len,
            const char   *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (haystack + i, needle, n) == 0)
      return haystack + i;
  return NULL;
}

/* The page's drawing operators: cairo writes them Flate-compressed. */
static char *
pdf_page_operators (const char *path)
{
  g_autofree char *pdf = NULL;
  gsize len = 0;
  const guint8 *p, *end;
  GString *ops = g_string_new (NULL);

  g_assert_true (g_file_get_contents (path, &pdf, &len, NULL));
  p = (const guint8 *) pdf;
  end = p + len;
  while ((p = find_bytes (p, end - p, "stream\n")) != NULL)
    {
      const guint8 *data = p + strlen ("stream\n");
      const guint8 *stop = find_bytes (data, end - data, "endstream");
      g_autoptr(GInputStream) raw = NULL;
      g_autoptr(GConverter) z = NULL;
      g_autoptr(GInputStream) in = NULL;
      g_autoptr(GOutputStream) out = NULL;

      g_assert_nonnull (stop);
      raw = g_memory_input_stream_new_from_data (data, stop - data, NULL);
      z = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB));
      in = g_converter_input_stream_new (raw, z);
      out = g_memory_output_stream_new_resizable ();
      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL) > 0)
        {
          const char *text = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out));
          gsize size = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));

          if (find_bytes ((const guint8 *) text, size, " re f") != NULL)
            g_string_append_len (ops, text, size);
        }
      p = stop + strlen ("endstream");
    }
  return g_string_free (ops, FALSE);
}

/* The score in the PDF, the chart under it and the JSON summary agree: the
 * score is the sum of the components' points, each bar is filled to its
 * component's points out of its maximum. */
static void
test_report_chart_matches_score (void)
{
  static const struct
  {
    const char *domain;
    const char *email;
    const char *contact;
    const char *industry;
    const char *enrichment;
    int         score;
  } leads[] = {
    { "full.example", "a@full.example", "Ada", NULL, "completed", 90 },
    { NULL, "b@mail.example", NULL, NULL, "pending", 18 },
    { "all.example", "c@all.example", "Cy", "software", "completed", 100 },
    { "some.example", NULL, NULL, "retail", "partial", 55 },
  };
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_REPORT, dir, NULL, 10, NULL);
  g_autoptr(GRegex) fraction = g_regex_new ("\\((\\d+) / (\\d+)\\)", 0, 0, NULL);
  g_autoptr(GRegex) bar = g_regex_new ("\\b150 (\\d+(?:\\.\\d+)?) (\\d+(?:\\.\\d+)?) 12 re f", 0, 0, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (leads); i++)
    {
      g_autofree char *id = g_strdup_printf ("l-chart-%u", i);
      BrdJob *job = make_job (id, leads[i].domain, leads[i].email);
      g_autofree char *json_path = NULL;
      g_autofree char *pdf_path = NULL;
      g_autofree char *json = NULL;
      g_autofree char *ops = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GMatchInfo) match = NULL;
      g_autoptr(GArray) bar_y = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) bar_fill = g_array_new (FALSE, FALSE, sizeof (double));
      JsonObject *summary;
      JsonArray *components;
      Outcome o;
      int points = 0, max_points = 0;

      g_free (job->lead->contact_name);
      job->lead->contact_name = g_strdup (leads[i].contact);
      job->lead->industry = g_strdup (leads[i].industry);
      g_free (job->lead->enrichment_status);
      job->lead->enrichment_status = g_strdup (leads[i].enrichment);
      o = run (processor, job, NULL);
      g_assert_true (o.result->success);
      g_assert_cmpfloat_with_epsilon (o.result->quality_score, leads[i].score / 100.0, 1e-9);

      /* The JSON summary: the score and the components it is made of. */
      json_path = g_strdup_printf ("%s/batch-1/%s.json", dir, id);
      g_assert_true (g_file_get_contents (json_path, &json, NULL, NULL));
      g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
      summary = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpfloat (json_object_get_double_member (summary, "quality_score"), ==, o.result->quality_score);
      components = json_object_get_array_member (summary, "quality_components");
      g_assert_nonnull (components);
      g_assert_cmpuint (json_array_get_length (components), >=, 3);
      for (guint c = 0; c < json_array_get_length (components); c++)
        {
          JsonObject *component = json_array_get_object_element (components, c);

          g_assert_nonnull (json_object_get_string_member (component, "name"));
          g_assert_cmpint (json_object_get_int_member (component, "points"), <=,
                           json_object_get_int_member (component, "max_points"));
          points += json_object_get_int_member (component, "points");
          max_points += json_object_get_int_member (component, "max_points");
        }
      g_assert_cmpint (max_points, ==, 100);
      g_assert_cmpint (points, ==, leads[i].score);

      /* The PDF: "S / 100", then "P / M" per component in the same order,
       * and one bar per component filled to P / M. */
      pdf_path = g_filename_from_uri (o.result->report_url, NULL, NULL);
      ops = pdf_page_operators (pdf_path);
      g_assert_true (g_regex_match (fraction, ops, 0, &match));
      {
        g_autofree char *s = g_match_info_fetch (match, 1);
        g_autofree char *m = g_match_info_fetch (match, 2);

        g_assert_cmpint (atoi (s), ==, leads[i].score);
        g_assert_cmpint (atoi (m), ==, 100);
      }
      g_clear_pointer (&match, g_match_info_free);
      g_assert_true (g_regex_match (bar, ops, 0, &match));
      for (; g_match_info_matches (match); g_match_info_next (match, NULL))
        {
          g_autofree char *y_text = g_match_info_fetch (match, 1);
          g_autofree char *w_text = g_match_info_fetch (match, 2);
          double y = g_ascii_strtod (y_text, NULL);
          double w = g_ascii_strtod (w_text, NULL);

          /* Each row: the empty track (300 wide), then the fill if any. */
          if (bar_y->len > 0 && g_array_index (bar_y, double, bar_y->len - 1) == y)
            g_array_index (bar_fill, double, bar_fill->len - 1) = w / 300;
          else
            {
              g_assert_cmpfloat (w, ==, 300);
              g_array_append_val (bar_y, y);
              g_array_append_val (bar_fill, (double) { 0 });
            }
        }
      g_clear_pointer (&match, g_match_info_free);
      g_assert_cmpuint (bar_fill->len, ==, json_array_get_length (components));

      g_regex_match (fraction, ops, 0, &match);
      for (guint c = 0; c < json_array_get_length (components); c++)
        {
          JsonObject *component = json_array_get_object_element (components, c);
          gint64 p = json_object_get_int_member (component, "points");
          gint64 m = json_object_get_int_member (component, "max_points");
          g_autofree char *p_text = NULL;
          g_autofree char *m_text = NULL;

          g_assert_true (g_match_info_next (match, NULL));
          p_text = g_match_info_fetch (match, 1);
          m_text = g_match_info_fetch (match, 2);
          g_assert_cmpint (atoi (p_text), ==, p);
          g_assert_cmpint (atoi (m_text), ==, m);
          g_assert_cmpfloat_with_epsilon (g_array_index (bar_fill, double, c), (double) p / m, 0.005);
          g_assert_nonnull (strstr (ops, json_object_get_string_member (component, "name")));
        }
      brd_job_result_free (o.result);
    }
  remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/daemon/processor/report/writes-pdf", test_report_writes_pdf);
  g_test_add_func ("/daemon/processor/report/variance-deterministic", test_report_variance_is_deterministic);
  g_test_add_func ("/daemon/processor/report/failures", test_report_failures);
  g_test_add_func ("/daemon/processor/report/cancelled", test_report_cancelled);
  g_test_add_func ("/daemon/processor/report/failure-durations", test_report_failure_durations);
  g_test_add_func ("/daemon/processor/report/chart-matches-score", test_report_chart_matches_score);
  g_test_add_func ("/daemon/processor/noop", test_noop);
  g_test_add_func ("/daemon/processor/exec/bad-command", test_exec_bad_command);
  g_test_add_func ("/daemon/processor/exec/empty-output-succeeds", test_exec_empty_output_succeeds);
  g_test_add_func ("/daemon/processor/exec/cancel-after-exit", test_exec_cancel_after_exit);
  g_test_add_func ("/daemon/processor/exec/cancelled-before-start", test_exec_cancelled_before_start);
  g_test_add_func ("/daemon/processor/exec/background-keeps-pipes", test_exec_background_keeps_pipes);
  g_test_add_func ("/daemon/processor/exec/background-holds-stdin", test_exec_background_holds_stdin);
  g_test_add_func ("/daemon/processor/exec/timeout-kills-group", test_exec_timeout_kills_group);
  g_test_add_func ("/daemon/processor/exec/cancel-kills-group", test_exec_cancel_kills_group);
  g_test_add_func ("/daemon/processor/exec/stdout-cap", test_exec_stdout_cap);
  g_test_add_func ("/daemon/processor/exec/stderr-tail", test_exec_stderr_tail);
  g_test_add_func ("/daemon/processor/exec/environment", test_exec_environment);
  g_test_add_func ("/daemon/processor/exec/cannot-start", test_exec_cannot_start);
  g_test_add_func ("/daemon/processor/exec/bad-output", test_exec_bad_output);
  g_test_add_func ("/daemon/processor/exec/hostile-output", test_exec_hostile_output);
  g_test_add_func ("/daemon/processor/exec/good-output", test_exec_good_output);

  return g_test_run ();
}
