/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brt-daemon"

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "brt-daemon.h"

#define START_TIMEOUT_MS 20000

struct _BrtDaemon
{
  GPtrArray   *args;
  char        *dir;
  char        *db_path;
  char        *url;
  GSubprocess *proc;
  SoupSession *session;
};

static void
child_setup (gpointer data)
{
  /* Die with the test: a killed test must not leave a daemon behind. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static const char *
daemon_path (void)
{
  const char *path = g_getenv ("BRD_BIN");

  if (path == NULL)
    g_error ("BRD_BIN is not set: run the tests through meson test");
  return path;
}

BrtDaemon *
brt_daemon_new (const char * const *extra_args)
{
  BrtDaemon *self = g_new0 (BrtDaemon, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *db_url = NULL;
  g_autofree char *reports = NULL;

  self->dir = g_dir_make_tmp ("brt-daemon-XXXXXX", &error);
  g_assert_no_error (error);
  self->db_path = g_build_filename (self->dir, "batch-runner.db", NULL);
  db_url = g_strconcat ("sqlite://", self->db_path, NULL);
  reports = g_build_filename (self->dir, "reports", NULL);

  self->args = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->args, g_strdup (daemon_path ()));
  g_ptr_array_add (self->args, g_strdup ("--listen"));
  g_ptr_array_add (self->args, g_strdup ("127.0.0.1:0"));
  g_ptr_array_add (self->args, g_strdup ("--database"));
  g_ptr_array_add (self->args, g_strdup (db_url));
  g_ptr_array_add (self->args, g_strdup ("--reports-dir"));
  g_ptr_array_add (self->args, g_strdup (reports));
  for (guint i = 0; extra_args && extra_args[i]; i++)
    g_ptr_array_add (self->args, g_strdup (extra_args[i]));
  g_ptr_array_add (self->args, NULL);

  self->session = soup_session_new_with_options ("timeout", 30, NULL);

  return self;
}

typedef struct
{
  char    *line;
  GError  *error;
  gboolean done;
} ReadLine;

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadLine *rl = user_data;

  rl->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result,
                                                        NULL, &rl->error);
  rl->done = TRUE;
}

static gboolean
read_line_done (gpointer data)
{
  return ((ReadLine *) data)->done;
}

gboolean
brt_daemon_launch (BrtDaemon  *self,
                   GError    **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) stdout_stream = NULL;
  ReadLine rl = { 0 };

  g_assert_null (self->proc);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) self->args->pdata, error);
  if (self->proc == NULL)
    return FALSE;

  stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->proc));
  g_data_input_stream_read_line_async (stdout_stream, G_PRIORITY_DEFAULT, NULL, read_line_cb, &rl);

  if (!brt_wait_until (read_line_done, &rl, START_TIMEOUT_MS))
    {
      g_subprocess_force_exit (self->proc);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "batch-runnerd did not start in time");
      brt_wait_until (read_line_done, &rl, 1000);
      g_clear_pointer (&rl.line, g_free);
      g_clear_error (&rl.error);
      g_clear_object (&self->proc);
      return FALSE;
    }

  if (rl.line == NULL || !g_str_has_prefix (rl.line, "listening on "))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "batch-runnerd failed to start: %s",
                   rl.error ? rl.error->message : rl.line ? rl.line : "no output");
      g_clear_error (&rl.error);
      g_free (rl.line);
      g_subprocess_wait (self->proc, NULL, NULL);
      g_clear_object (&self->proc);
      return FALSE;
    }

  g_free (self->url);
  self->url = g_strdup (rl.line + strlen ("listening on "));
  g_free (rl.line);
  return TRUE;
}

BrtDaemon *
brt_daemon_start (const char *first_arg,
                  ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  BrtDaemon *self;
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  self = brt_daemon_new ((const char * const *) args->pdata);
  brt_daemon_launch (self, &error);
  g_assert_no_error (error);
  return self;
}

const char *
brt_daemon_get_url (BrtDaemon *self)
{
  return self->url;
}

const char *
brt_daemon_get_dir (BrtDaemon *self)
{
  return self->dir;
}

const char *
brt_daemon_get_db_path (BrtDaemon *self)
{
  return self->db_path;
}

/* SIGTERM, then wait: the daemon's graceful stop. Returns the exit status. */
int
brt_daemon_stop (BrtDaemon *self)
{
  g_autoptr(GError) error = NULL;
  int status;

  if (self->proc == NULL)
    return -1;

  g_subprocess_send_signal (self->proc, SIGTERM);
  g_subprocess_wait (self->proc, NULL, &error);
  g_assert_no_error (error);
  status = g_subprocess_get_if_exited (self->proc) ? g_subprocess_get_exit_status (self->proc) : -1;
  g_clear_object (&self->proc);
  return status;
}

/* SIGKILL: a crash, for the tests of crash safety. */
void
brt_daemon_kill (BrtDaemon *self)
{
  if (self->proc == NULL)
    return;

  g_subprocess_force_exit (self->proc);
  g_subprocess_wait (self->proc, NULL, NULL);
  g_clear_object (&self->proc);
}

/* Starts the daemon again on the same database (a new port). */
void
brt_daemon_restart (BrtDaemon *self)
{
  g_autoptr(GError) error = NULL;

  if (self->proc != NULL)
    brt_daemon_stop (self);
  brt_daemon_launch (self, &error);
  g_assert_no_error (error);
}

/* Starts the daemon again on the same database and the same port, so
 * clients that hold the URL can come back (reconnect tests). */
void
brt_daemon_restart_same_port (BrtDaemon *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  const char *port;

  g_assert_nonnull (self->url);
  port = strrchr (self->url, ':');
  g_assert_nonnull (port);
  listen = g_strconcat ("127.0.0.1", port, NULL);

  if (self->proc != NULL)
    brt_daemon_stop (self);
  for (guint i = 0; i < self->args->len; i++)
    if (g_strcmp0 (self->args->pdata[i], "127.0.0.1:0") == 0 ||
        (i > 0 && g_strcmp0 (self->args->pdata[i - 1], "--listen") == 0))
      {
        g_free (self->args->pdata[i]);
        self->args->pdata[i] = g_strdup (listen);
      }
  brt_daemon_launch (self, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

void
brt_daemon_free (BrtDaemon *self)
{
  if (self == NULL)
    return;

  if (self->proc != NULL)
    brt_daemon_kill (self);
  if (g_getenv ("BRT_KEEP_TMP") == NULL)
    remove_tree (self->dir);
  g_clear_object (&self->session);
  g_ptr_array_unref (self->args);
  g_free (self->dir);
  g_free (self->db_path);
  g_free (self->url);
  g_free (self);
}

JsonNode *
brt_http_with_token (BrtDaemon  *self,
                     const char *token,
                     const char *method,
                     const char *path,
                     const char *body,
                     guint      *status)
{
  g_autofree char *url = g_strconcat (self->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);

  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  response = soup_session_send_and_read (self->session, msg, NULL, &error);
  g_assert_no_error (error);

  if (status != NULL)
    *status = soup_message_get_status (msg);

  if (g_bytes_get_size (response) == 0 ||
      !json_parser_load_from_data (parser, g_bytes_get_data (response, NULL),
                                   g_bytes_get_size (response), NULL))
    return NULL;

  return json_node_copy (json_parser_get_root (parser));
}

JsonNode *
brt_http (BrtDaemon  *self,
          const char *method,
          const char *path,
          const char *body,
          guint      *status)
{
  return brt_http_with_token (self, NULL, method, path, body, status);
}

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
brt_wait_until (gboolean (*condition) (gpointer),
                gpointer   data,
                guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  gboolean met;
  guint id = g_timeout_add (timeout_ms, timed_out_cb, &timed_out);

  /* The answer is the last evaluation: checking once more after the loop
   * would ask a server that has moved on since, and report a condition
   * that held as failed. */
  while (!(met = condition (data)) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  return met;
}
