/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "brm-local-service.h"
#include "brt-fixtures.h"

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Start;

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Start *s = user_data;

  s->ok = brm_local_service_start_finish (BRM_LOCAL_SERVICE (object), result, &s->error);
  s->done = TRUE;
}

static gboolean
start_done (gpointer data)
{
  return ((Start *) data)->done;
}

/* Starts @service and waits; returns the error (NULL on success). */
static GError *
start_service (BrmLocalService *service)
{
  Start s = { 0 };

  brm_local_service_start_async (service, NULL, started_cb, &s);
  g_assert_true (brt_wait_until (start_done, &s, 60000));
  g_assert_true (s.ok == (s.error == NULL));
  return s.error;
}

/* GET @path on the service with @token (or none); returns the JSON body. */
static JsonNode *
get_json (const char *base_url,
          const char *token,
          const char *path,
          guint      *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL) ||
      json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static guint
count_imports (BrmLocalService *service)
{
  g_autoptr(JsonNode) audit = NULL;
  JsonArray *entries;
  guint status = 0, n = 0;

  audit = get_json (brm_local_service_get_url (service), brm_local_service_get_token (service),
                    "/api/v1/audit?limit=200", &status);
  g_assert_cmpuint (status, ==, 200);
  entries = json_object_get_array_member (json_node_get_object (audit), "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);

      if (g_str_equal (brt_str (e, "action"), "import-leads"))
        {
          /* The built-in file, imported from the command line. */
          g_assert_cmpstr (brt_str (e, "actor"), ==, "cli");
          g_assert_cmpstr (brt_str (e, "detail"), ==, "sample-leads.csv (built in)");
          n++;
        }
    }
  return n;
}

static gint64
count_leads (BrmLocalService *service)
{
  g_autoptr(JsonNode) leads = NULL;
  guint status = 0;

  leads = get_json (brm_local_service_get_url (service), brm_local_service_get_token (service),
                    "/api/v1/leads?limit=1", &status);
  g_assert_cmpuint (status, ==, 200);
  return brt_int (json_node_get_object (leads), "total_count");
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static gboolean
is_hex (const char *s)
{
  for (; *s; s++)
    if (!g_ascii_isxdigit (*s))
      return FALSE;
  return TRUE;
}

static void
test_start_import_stop (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *db = g_build_filename (data_dir, "batch-runner.db", NULL);
  g_autofree char *staging = g_strconcat (db, ".import", NULL);
  g_autofree char *conf = g_build_filename (data_dir, "local-service.conf", NULL);
  g_autoptr(BrmLocalService) service = NULL;
  g_autoptr(JsonNode) health = NULL;
  g_autoptr(JsonNode) anonymous = NULL;
  g_autoptr(JsonNode) wrong = NULL;
  g_autofree char *first_token = NULL;
  g_autofree char *first_url = NULL;
  GError *error;
  guint running_notifies = 0;
  guint status = 0;
  GPid pid;

  /* Found through $BATCH_RUNNERD, as an installation would set it. */
  g_setenv ("BATCH_RUNNERD", g_getenv ("BRD_BIN"), TRUE);
  service = brm_local_service_new (NULL, data_dir);
  g_signal_connect (service, "notify::running", G_CALLBACK (count_notify), &running_notifies);

  g_assert_false (brm_local_service_is_running (service));
  g_assert_null (brm_local_service_get_url (service));
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));

  error = start_service (service);
  g_unsetenv ("BATCH_RUNNERD");
  g_assert_no_error (error);
  g_assert_true (brm_local_service_is_running (service));
  g_assert_cmpuint (running_notifies, ==, 1);
  g_assert_true (g_str_has_prefix (brm_local_service_get_url (service), "http://127.0.0.1:"));
  g_assert_cmpuint (strlen (brm_local_service_get_token (service)), ==, 64);
  g_assert_true (is_hex (brm_local_service_get_token (service)));
  pid = brm_local_service_get_pid (service);
  g_assert_cmpint (pid, >, 0);
  g_assert_true (brt_process_alive (pid));

  /* The database was created with the sample leads, the import's staging
   * file is gone and the token is not left on disk. */
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (staging, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (conf, G_FILE_TEST_EXISTS));

  /* The token is required, and it is an admin's. */
  health = get_json (brm_local_service_get_url (service), brm_local_service_get_token (service),
                     "/api/v1/health", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (brt_str (json_node_get_object (health), "status"), ==, "healthy");
  anonymous = get_json (brm_local_service_get_url (service), NULL, "/api/v1/health", &status);
  g_assert_cmpuint (status, ==, 401);
  wrong = get_json (brm_local_service_get_url (service), "not-the-token", "/api/v1/health", &status);
  g_assert_cmpuint (status, ==, 401);

  g_assert_cmpint (count_leads (service), ==, 2000);
  g_assert_cmpuint (count_imports (service), ==, 1);

  first_token = g_strdup (brm_local_service_get_token (service));
  first_url = g_strdup (brm_local_service_get_url (service));

  brm_local_service_stop (service);
  g_assert_false (brm_local_service_is_running (service));
  g_assert_cmpuint (running_notifies, ==, 2);
  g_assert_null (brm_local_service_get_url (service));
  g_assert_null (brm_local_service_get_token (service));
  g_assert_cmpint (brm_local_service_get_pid (service), ==, 0);
  /* Reaped, not a zombie: gone from /proc. */
  {
    g_autofree char *proc_dir = g_strdup_printf ("/proc/%d", pid);
    g_assert_false (g_file_test (proc_dir, G_FILE_TEST_EXISTS));
  }

  /* Idempotent. */
  brm_local_service_stop (service);
  g_assert_cmpuint (running_notifies, ==, 2);

  /* Second start on the same data: no second import, a new token. */
  g_setenv ("BATCH_RUNNERD", g_getenv ("BRD_BIN"), TRUE);
  error = start_service (service);
  g_unsetenv ("BATCH_RUNNERD");
  g_assert_no_error (error);
  g_assert_true (brm_local_service_is_running (service));
  g_assert_cmpstr (brm_local_service_get_token (service), !=, first_token);
  g_assert_cmpint (count_leads (service), ==, 2000);
  g_assert_cmpuint (count_imports (service), ==, 1);
  {
    g_autoptr(JsonNode) old_token = get_json (brm_local_service_get_url (service), first_token,
                                              "/api/v1/health", &status);
    g_assert_cmpuint (status, ==, 401);
  }

  pid = brm_local_service_get_pid (service);
  g_clear_object (&service);
  /* Dropping the object stops the daemon too. */
  {
    g_autofree char *proc_dir = g_strdup_printf ("/proc/%d", pid);
    g_assert_false (g_file_test (proc_dir, G_FILE_TEST_EXISTS));
  }

  brt_remove_tree (dir);
}

static void
test_missing_daemon (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autoptr(BrmLocalService) service = brm_local_service_new ("/nonexistent/bin/batch-runnerd", dir);
  g_autoptr(BrmLocalService) from_env = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) env_error = NULL;

  error = start_service (service);
  g_assert_error (error, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/bin/batch-runnerd"));
  g_assert_false (brm_local_service_is_running (service));

  /* A wrong $BATCH_RUNNERD is reported, not silently passed over. */
  g_setenv ("BATCH_RUNNERD", "/nonexistent/env/batch-runnerd", TRUE);
  from_env = brm_local_service_new (NULL, dir);
  env_error = start_service (from_env);
  g_unsetenv ("BATCH_RUNNERD");
  g_assert_error (env_error, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (env_error->message, "/nonexistent/env/batch-runnerd"));

  /* Nothing was created. */
  {
    g_autofree char *db = g_build_filename (dir, "batch-runner.db", NULL);
    g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  }
  brt_remove_tree (dir);
}

static void
test_daemon_fails_to_start (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *db = g_build_filename (dir, "batch-runner.db", NULL);
  g_autofree char *conf = g_build_filename (dir, "local-service.conf", NULL);
  g_autoptr(BrmLocalService) service = brm_local_service_new (g_getenv ("BRD_BIN"), dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  /* A database the daemon cannot open: it says why on stderr and exits. */
  g_file_set_contents (db, "this is not an SQLite database, not at all, no.", -1, &error);
  g_assert_no_error (error);

  error = start_service (service);
  g_assert_error (error, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_EXITED);
  g_assert_nonnull (strstr (error->message, "exit status 1"));
  /* The daemon's own words are in the message. */
  g_assert_nonnull (strstr (error->message, "not a database"));
  g_assert_false (brm_local_service_is_running (service));
  g_assert_cmpint (brm_local_service_get_pid (service), ==, 0);
  g_assert_false (g_file_test (conf, G_FILE_TEST_EXISTS));

  /* And it can be tried again (same result, no leftovers in the way). */
  error2 = start_service (service);
  g_assert_error (error2, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_EXITED);

  brt_remove_tree (dir);
}

static void
test_unexpected_output (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *db = g_build_filename (dir, "batch-runner.db", NULL);
  g_autoptr(BrmLocalService) service = brm_local_service_new ("/bin/echo", dir);
  g_autoptr(GError) error = NULL;

  /* An existing database: straight to the start, whose first line (echo's
   * arguments) is not an address. */
  g_file_set_contents (db, "", 0, &error);
  g_assert_no_error (error);

  error = start_service (service);
  g_assert_error (error, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_BAD_OUTPUT);
  g_assert_nonnull (strstr (error->message, "--listen 127.0.0.1:0"));
  g_assert_false (brm_local_service_is_running (service));

  brt_remove_tree (dir);
}

static void
test_import_fails (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *db = g_build_filename (dir, "batch-runner.db", NULL);
  g_autofree char *staging = g_strconcat (db, ".import", NULL);
  g_autoptr(BrmLocalService) service = brm_local_service_new ("/bin/false", dir);
  g_autoptr(GError) error = NULL;

  error = start_service (service);
  g_assert_error (error, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_IMPORT);
  g_assert_nonnull (strstr (error->message, "sample leads"));
  /* No database without the sample leads: the next start tries again. */
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (staging, G_FILE_TEST_EXISTS));

  brt_remove_tree (dir);
}

/* Asked twice while starting, and again once running: one daemon. */
static void
test_start_twice (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autoptr(BrmLocalService) service = brm_local_service_new (g_getenv ("BRD_BIN"), dir);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Start first = { 0 };
  Start second = { 0 };
  Start cancelled = { 0 };
  GPid pid;

  brm_local_service_start_async (service, NULL, started_cb, &first);
  brm_local_service_start_async (service, NULL, started_cb, &second);
  brm_local_service_start_async (service, cancellable, started_cb, &cancelled);
  g_cancellable_cancel (cancellable);
  g_assert_true (brt_wait_until (start_done, &first, 60000));
  g_assert_true (brt_wait_until (start_done, &second, 60000));
  g_assert_true (brt_wait_until (start_done, &cancelled, 60000));
  g_assert_no_error (first.error);
  g_assert_no_error (second.error);
  /* Cancelling one waiter stops its waiting, not the service. */
  g_assert_error (cancelled.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&cancelled.error);
  g_assert_true (brm_local_service_is_running (service));
  pid = brm_local_service_get_pid (service);

  g_assert_no_error (start_service (service));
  g_assert_cmpint (brm_local_service_get_pid (service), ==, pid);
  g_assert_cmpuint (count_imports (service), ==, 1);

  brm_local_service_stop (service);
  brt_remove_tree (dir);
}

static void
test_stop_while_starting (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autoptr(BrmLocalService) service = brm_local_service_new (g_getenv ("BRD_BIN"), dir);
  Start s = { 0 };

  brm_local_service_start_async (service, NULL, started_cb, &s);
  brm_local_service_stop (service);
  g_assert_true (brt_wait_until (start_done, &s, 10000));
  g_assert_false (s.ok);
  g_assert_error (s.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&s.error);
  g_assert_false (brm_local_service_is_running (service));

  /* It starts fine afterwards. */
  g_assert_no_error (start_service (service));
  g_assert_cmpint (count_leads (service), ==, 2000);
  brm_local_service_stop (service);

  brt_remove_tree (dir);
}

/* The child starts a service and leaves without stopping it, as a crashed
 * monitor would; PR_SET_PDEATHSIG must take the daemon down. */
static void
test_dies_with_monitor_subprocess (void)
{
  BrmLocalService *service = brm_local_service_new (g_getenv ("BRD_BIN"), g_getenv ("BRT_DATA_DIR"));
  g_autofree char *pid = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_no_error (start_service (service));
  pid = g_strdup_printf ("%d", brm_local_service_get_pid (service));
  g_file_set_contents (g_getenv ("BRT_PID_FILE"), pid, -1, &error);
  g_assert_no_error (error);
  _exit (0);
}

static gboolean
process_gone (gpointer data)
{
  return !brt_process_alive (GPOINTER_TO_INT (data));
}

static void
test_dies_with_monitor (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *pid_file = g_build_filename (dir, "pid", NULL);
  g_autofree char *pid_text = NULL;
  g_autoptr(GError) error = NULL;
  int pid;

  g_setenv ("BRT_DATA_DIR", data_dir, TRUE);
  g_setenv ("BRT_PID_FILE", pid_file, TRUE);
  g_test_trap_subprocess ("/monitor/local-service/dies-with-monitor/subprocess", 60 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  g_file_get_contents (pid_file, &pid_text, NULL, &error);
  g_assert_no_error (error);
  pid = atoi (pid_text);
  g_assert_cmpint (pid, >, 0);
  g_assert_true (brt_poll_until (process_gone, GINT_TO_POINTER (pid), 10000, 50));

  brt_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/monitor/local-service/start-import-stop", test_start_import_stop);
  g_test_add_func ("/monitor/local-service/missing-daemon", test_missing_daemon);
  g_test_add_func ("/monitor/local-service/daemon-fails-to-start", test_daemon_fails_to_start);
  g_test_add_func ("/monitor/local-service/unexpected-output", test_unexpected_output);
  g_test_add_func ("/monitor/local-service/import-fails", test_import_fails);
  g_test_add_func ("/monitor/local-service/start-twice", test_start_twice);
  g_test_add_func ("/monitor/local-service/stop-while-starting", test_stop_while_starting);
  g_test_add_func ("/monitor/local-service/dies-with-monitor", test_dies_with_monitor);
  g_test_add_func ("/monitor/local-service/dies-with-monitor/subprocess", test_dies_with_monitor_subprocess);

  return g_test_run ();
}
