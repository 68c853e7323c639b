/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-local-service"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "brm-local-service.h"

/* The daemon migrates its database before it listens; on a slow disk
 * with a large database that takes a while. */
#define START_TIMEOUT_SECONDS 30
/* SIGTERM lets leads in flight finish for this long (the daemon's
 * --shutdown-grace-ms), and stop() waits a little longer than that
 * before it uses SIGKILL. */
#define SHUTDOWN_GRACE_MS     3000
#define STOP_WAIT_MS          5000
#define STDERR_TAIL_LINES     8
#define TOKEN_BYTES           32

struct _BrmLocalService
{
  GObject       parent_instance;

  char         *daemon_path;   /* as given; NULL: search */
  char         *resolved_path;
  char         *data_dir;
  char         *url;
  char         *token;
  char         *config_path;

  GSubprocess  *proc;
  /* Cancels the reads of the daemon's output and the wait for its exit:
   * their callbacks touch `self` only when not cancelled. */
  GCancellable *io;
  /* While starting: the start_async() calls waiting for it. */
  GPtrArray    *start_tasks;
  guint         start_timeout_id;
  GQueue        stderr_tail;

  guint         running : 1;
  guint         exited : 1;
  guint         stdout_closed : 1;
  guint         stderr_closed : 1;
};

G_DEFINE_FINAL_TYPE (BrmLocalService, brm_local_service, G_TYPE_OBJECT)
G_DEFINE_QUARK (brm-local-service-error-quark, brm_local_service_error)

enum {
  PROP_0,
  PROP_URL,
  PROP_TOKEN,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/* The URL and token are visible (through the getters) only while the
 * daemon runs, so they change exactly when this does. */
static void
set_running (BrmLocalService *self,
             gboolean         running)
{
  running = !!running;
  if (self->running == running)
    return;
  self->running = running;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Hex of TOKEN_BYTES from the kernel's CSPRNG: g_random is predictable
 * and not for secrets. */
static char *
random_token (GError **error)
{
  guint8 bytes[TOKEN_BYTES];
  gsize got = 0;
  char *hex;
  int fd;

  fd = g_open ("/dev/urandom", O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_SETUP,
                   _("Could not make a token for the local service: %s"), g_strerror (saved));
      return NULL;
    }
  while (got < sizeof bytes)
    {
      gssize n = read (fd, bytes + got, sizeof bytes - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_SETUP,
                       _("Could not make a token for the local service: %s"),
                       n == 0 ? _("no random data") : g_strerror (saved));
          return NULL;
        }
      got += n;
    }
  close (fd);

  hex = g_malloc (2 * TOKEN_BYTES + 1);
  for (guint i = 0; i < TOKEN_BYTES; i++)
    {
      static const char digits[] = "0123456789abcdef";

      hex[2 * i] = digits[bytes[i] >> 4];
      hex[2 * i + 1] = digits[bytes[i] & 0xf];
    }
  hex[2 * TOKEN_BYTES] = '\0';
  explicit_bzero (bytes, sizeof bytes);
  return hex;
}

static gboolean
is_executable_file (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (path, G_FILE_TEST_IS_DIR);
}

/* The given path; else $BATCH_RUNNERD; else the build tree next to the
 * running monitor (src/monitor/../daemon/, for running uninstalled); else
 * BINDIR; else PATH. A path set explicitly is not second-guessed. */
static char *
find_daemon (BrmLocalService  *self,
             GError          **error)
{
  const char *env = g_getenv ("BATCH_RUNNERD");
  g_autofree char *exe = NULL;
  g_autofree char *installed = NULL;
  char *found;

  if (self->daemon_path != NULL || (env != NULL && *env != '\0'))
    {
      const char *path = self->daemon_path ? self->daemon_path : env;

      if (is_executable_file (path))
        return g_strdup (path);
      g_set_error (error, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_NOT_FOUND,
                   _("Cannot start a local service: %s is not an executable batch-runnerd"), path);
      return NULL;
    }

  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      g_autofree char *sibling = g_build_filename (dir, "..", "daemon", "batch-runnerd", NULL);

      if (is_executable_file (sibling))
        return g_canonicalize_filename (sibling, NULL);
    }

  installed = g_build_filename (BINDIR, "batch-runnerd", NULL);
  if (is_executable_file (installed))
    return g_steal_pointer (&installed);

  found = g_find_program_in_path ("batch-runnerd");
  if (found != NULL)
    return found;

  g_set_error (error, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_NOT_FOUND,
               _("Cannot start a local service: batch-runnerd was found neither next to the monitor, "
                 "nor in %s, nor in PATH. Install it, set BATCH_RUNNERD to its path, "
                 "or connect to a server in Preferences."), BINDIR);
  return NULL;
}

static void
die_with_monitor (gpointer data)
{
  /* A monitor that crashes or is killed takes its local service along,
   * with the daemon's graceful stop. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static char *
database_path (BrmLocalService *self)
{
  return g_build_filename (self->data_dir, "batch-runner.db", NULL);
}

static char *
stderr_tail_text (BrmLocalService *self)
{
  GString *s = g_string_new (NULL);

  for (GList *l = self->stderr_tail.head; l; l = l->next)
    {
      if (s->len > 0)
        g_string_append_c (s, '\n');
      g_string_append (s, l->data);
    }
  return g_string_free (s, FALSE);
}

/* Runs the main context of a private loop until @proc exits or @timeout_ms
 * pass; returns whether it exited. Used where stop() must be synchronous
 * (quitting) but bounded. */
typedef struct
{
  gboolean done;
  gboolean abandoned;
} WaitData;

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  WaitData *w = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  if (w->abandoned)
    g_free (w);
  else
    w->done = TRUE;
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
terminate_and_reap (GSubprocess *proc,
                    gboolean     gracefully)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  WaitData *w = g_new0 (WaitData, 1);

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (proc, NULL, wait_done_cb, w);

  for (guint round = gracefully ? 0 : 1; round < 2 && !w->done; round++)
    {
      g_autoptr(GSource) timeout = g_timeout_source_new (STOP_WAIT_MS);
      gboolean timed_out = FALSE;

      if (round == 0)
        g_subprocess_send_signal (proc, SIGTERM);
      else
        g_subprocess_force_exit (proc);

      g_source_set_callback (timeout, wait_timeout_cb, &timed_out, NULL);
      g_source_attach (timeout, context);
      while (!w->done && !timed_out)
        g_main_context_iteration (context, TRUE);
      g_source_destroy (timeout);

      if (!w->done && round == 0)
        g_message ("The local service did not stop within %u ms; killing it", STOP_WAIT_MS);
    }

  g_main_context_pop_thread_default (context);

  if (w->done)
    g_free (w);
  else
    {
      /* Unkillable (stuck in the kernel): the wait completes, and frees
       * this, whenever the context is next run — if ever. */
      g_warning ("The local service (pid %s) did not exit after SIGKILL",
                 g_subprocess_get_identifier (proc));
      w->abandoned = TRUE;
    }
}

/* Back to "not started": no process, no output readers, no secrets. */
static void
reset (BrmLocalService *self,
       gboolean         gracefully)
{
  g_clear_handle_id (&self->start_timeout_id, g_source_remove);

  g_cancellable_cancel (self->io);
  g_clear_object (&self->io);
  self->io = g_cancellable_new ();

  if (self->proc != NULL)
    {
      if (!self->exited)
        terminate_and_reap (self->proc, gracefully);
      g_clear_object (&self->proc);
    }
  self->exited = FALSE;
  self->stdout_closed = FALSE;
  self->stderr_closed = FALSE;
  g_queue_clear_full (&self->stderr_tail, g_free);

  if (self->config_path != NULL)
    {
      g_unlink (self->config_path);
      g_clear_pointer (&self->config_path, g_free);
    }

  set_running (self, FALSE);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->token, wipe_free);
}

/* Answers every start_async() waiting: success with @error %NULL, else
 * @error (taken), after going back to "not started". */
static void
complete_start (BrmLocalService *self,
                GError          *error)
{
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->start_tasks);

  g_assert (tasks != NULL);
  if (error != NULL)
    reset (self, FALSE);

  for (guint i = 0; i < tasks->len; i++)
    {
      if (error != NULL)
        g_task_return_error (g_ptr_array_index (tasks, i), g_error_copy (error));
      else
        g_task_return_boolean (g_ptr_array_index (tasks, i), TRUE);
    }
  g_clear_error (&error);
}

static void
fail_start (BrmLocalService *self,
            GError          *error)
{
  complete_start (self, error);
}

/* The daemon went away before it said where it listens: once its exit
 * status and last words are in, say so with both. */
static void
maybe_fail_exited (BrmLocalService *self)
{
  g_autofree char *tail = NULL;
  g_autofree char *status = NULL;

  if (self->start_tasks == NULL || !self->exited || !self->stdout_closed || !self->stderr_closed)
    return;

  if (g_subprocess_get_if_exited (self->proc))
    status = g_strdup_printf (_("exit status %d"), g_subprocess_get_exit_status (self->proc));
  else
    status = g_strdup_printf (_("signal %d"), g_subprocess_get_term_sig (self->proc));

  tail = stderr_tail_text (self);
  fail_start (self, g_error_new (BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_EXITED,
                                 _("The local service stopped before it was ready (%s)%s%s"),
                                 status, *tail ? ": " : "", tail));
}

static void
exited_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  BrmLocalService *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->exited = TRUE;
  if (self->start_tasks != NULL)
    {
      maybe_fail_exited (self);
      return;
    }

  /* Not through stop(): it crashed or was killed. The URL and token
   * stay readable inside until reset (stop()), but are no longer shown. */
  g_message ("The local service exited unexpectedly (%s %d)",
             g_subprocess_get_if_exited (G_SUBPROCESS (object)) ? "status" : "signal",
             g_subprocess_get_if_exited (G_SUBPROCESS (object))
               ? g_subprocess_get_exit_status (G_SUBPROCESS (object))
               : g_subprocess_get_term_sig (G_SUBPROCESS (object)));
  set_running (self, FALSE);
}

static void
stderr_line_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  BrmLocalService *self = user_data;
  GDataInputStream *stream = G_DATA_INPUT_STREAM (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (stream, result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (line == NULL)
    {
      self->stderr_closed = TRUE;
      maybe_fail_exited (self);
      return;
    }

  /* The daemon's log, for G_MESSAGES_DEBUG=brm-local-service; the last
   * lines also explain a failed start. */
  g_debug ("batch-runnerd: %s", line);
  g_queue_push_tail (&self->stderr_tail, g_steal_pointer (&line));
  while (self->stderr_tail.length > STDERR_TAIL_LINES)
    g_free (g_queue_pop_head (&self->stderr_tail));

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, self->io, stderr_line_cb, self);
}

static void
drain_stdout_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  BrmLocalService *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return;

  /* Nothing else is expected there; read it so the daemon never blocks
   * on a full pipe. */
  g_input_stream_read_bytes_async (G_INPUT_STREAM (object), 4096, G_PRIORITY_LOW, self->io,
                                   drain_stdout_cb, self);
}

static void
first_line_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  BrmLocalService *self = user_data;
  GDataInputStream *stream = G_DATA_INPUT_STREAM (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *prefix = "listening on ";

  line = g_data_input_stream_read_line_finish_utf8 (stream, result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->start_tasks == NULL)
    return;

  if (line == NULL)
    {
      self->stdout_closed = TRUE;
      maybe_fail_exited (self);
      return;
    }

  if (!g_str_has_prefix (line, prefix) || !g_str_has_prefix (line + strlen (prefix), "http://"))
    {
      fail_start (self, g_error_new (BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_BAD_OUTPUT,
                                     _("The local service printed “%s” instead of the address it listens on"),
                                     line));
      return;
    }

  g_clear_handle_id (&self->start_timeout_id, g_source_remove);
  /* Read once at start; the token has no business lying around. */
  g_unlink (self->config_path);
  g_clear_pointer (&self->config_path, g_free);

  g_free (self->url);
  self->url = g_strdup (line + strlen (prefix));
  set_running (self, TRUE);

  g_input_stream_read_bytes_async (G_INPUT_STREAM (stream), 4096, G_PRIORITY_LOW, self->io,
                                   drain_stdout_cb, self);

  complete_start (self, NULL);
}

static gboolean
start_timeout_cb (gpointer user_data)
{
  BrmLocalService *self = user_data;
  g_autofree char *tail = stderr_tail_text (self);

  self->start_timeout_id = 0;
  fail_start (self, g_error_new (BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_TIMED_OUT,
                                 _("The local service did not start within %d seconds%s%s"),
                                 START_TIMEOUT_SECONDS, *tail ? ": " : "", tail));
  return G_SOURCE_REMOVE;
}

/* The audit log records this name for everything done with the token. */
static const char *
token_owner (void)
{
  const char *user = g_get_user_name ();

  if (user == NULL || *user == '\0' || strpbrk (user, ":;\n") != NULL)
    return "local";
  return user;
}

static void
launch_daemon (BrmLocalService *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = database_path (self);
  g_autofree char *db_url = g_strconcat ("sqlite://", db, NULL);
  g_autofree char *reports = g_build_filename (self->data_dir, "reports", NULL);
  g_autofree char *config = NULL;
  g_autofree char *grace = g_strdup_printf ("%d", SHUTDOWN_GRACE_MS);

  g_clear_pointer (&self->token, wipe_free);
  self->token = random_token (&error);
  if (self->token == NULL)
    {
      fail_start (self, g_steal_pointer (&error));
      return;
    }

  /* The token goes in a file only we can read, not on the command line,
   * where every local user could see it in ps. */
  self->config_path = g_build_filename (self->data_dir, "local-service.conf", NULL);
  config = g_strdup_printf ("# Written by the monitor for its local service; removed once it runs.\n"
                            "[service]\ntokens=admin:%s:%s\n", token_owner (), self->token);
  if (!g_file_set_contents_full (self->config_path, config, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      explicit_bzero (config, strlen (config));
      g_prefix_error (&error, _("Cannot start a local service: "));
      fail_start (self, g_steal_pointer (&error));
      return;
    }
  explicit_bzero (config, strlen (config));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_monitor, NULL, NULL);
  self->proc = g_subprocess_launcher_spawn (launcher, &error, self->resolved_path,
                                            "--config", self->config_path,
                                            "--listen", "127.0.0.1:0",
                                            "--database", db_url,
                                            "--reports-dir", reports,
                                            "--shutdown-grace-ms", grace,
                                            NULL);
  if (self->proc == NULL)
    {
      g_prefix_error (&error, _("Cannot start a local service: "));
      fail_start (self, g_steal_pointer (&error));
      return;
    }

  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (self->proc));
  g_data_input_stream_read_line_async (err, G_PRIORITY_DEFAULT, self->io, stderr_line_cb, self);
  g_subprocess_wait_async (self->proc, self->io, exited_cb, self);

  /* The daemon prints "listening on http://ADDR:PORT" once it accepts. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->proc));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, self->io, first_line_cb, self);
  self->start_timeout_id = g_timeout_add_seconds (START_TIMEOUT_SECONDS, start_timeout_cb, self);
}

static void
remove_database_files (const char *db)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db, suffixes[i], NULL);
      g_unlink (path);
    }
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(BrmLocalService) self = user_data;
  GSubprocess *proc = G_SUBPROCESS (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *db = database_path (self);
  g_autofree char *staging = g_strconcat (db, ".import", NULL);
  gboolean communicated;

  communicated = g_subprocess_communicate_utf8_finish (proc, result, &output, NULL, &error);
  /* Stopped meanwhile: stop() has killed and reaped the import. */
  if (self->start_tasks == NULL || proc != self->proc)
    {
      remove_database_files (staging);
      return;
    }

  if (!communicated)
    {
      remove_database_files (staging);
      fail_start (self, g_steal_pointer (&error));
      return;
    }

  /* communicate() returns once the process has exited and been reaped. */
  g_clear_object (&self->proc);

  if (!g_subprocess_get_successful (proc))
    {
      remove_database_files (staging);
      fail_start (self, g_error_new (BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_IMPORT,
                                     _("Could not import the sample leads into the local service: %s"),
                                     output && *output ? g_strstrip (output) : _("no details")));
      return;
    }

  /* The import went to a file of its own and is renamed into place whole,
   * so a failed or interrupted import is tried again next time rather
   * than leaving a database without the sample leads. */
  if (g_rename (staging, db) != 0)
    {
      int saved = errno;
      remove_database_files (staging);
      fail_start (self, g_error_new (BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_IMPORT,
                                     _("Could not import the sample leads into the local service: %s"),
                                     g_strerror (saved)));
      return;
    }

  launch_daemon (self);
}

static void
import_sample_leads (BrmLocalService *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = database_path (self);
  g_autofree char *staging = g_strconcat (db, ".import", NULL);
  g_autofree char *staging_url = g_strconcat ("sqlite://", staging, NULL);

  remove_database_files (staging);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_monitor, NULL, NULL);
  self->proc = g_subprocess_launcher_spawn (launcher, &error, self->resolved_path, "import-leads", "--sample",
                                            "--database", staging_url, NULL);
  if (self->proc == NULL)
    {
      g_prefix_error (&error, _("Cannot start a local service: "));
      fail_start (self, g_steal_pointer (&error));
      return;
    }

  /* Not the caller's cancellable: stop() ends the import through
   * self->proc, and cancellation is checked once it is done (it takes
   * about a second). */
  g_subprocess_communicate_utf8_async (self->proc, NULL, NULL, import_done_cb, g_object_ref (self));
}

static void
brm_local_service_dispose (GObject *object)
{
  BrmLocalService *self = BRM_LOCAL_SERVICE (object);

  reset (self, TRUE);
  g_cancellable_cancel (self->io);
  g_clear_object (&self->io);

  G_OBJECT_CLASS (brm_local_service_parent_class)->dispose (object);
}

static void
brm_local_service_finalize (GObject *object)
{
  BrmLocalService *self = BRM_LOCAL_SERVICE (object);

  g_free (self->daemon_path);
  g_free (self->resolved_path);
  g_free (self->data_dir);
  g_free (self->url);
  wipe_free (self->token);

  G_OBJECT_CLASS (brm_local_service_parent_class)->finalize (object);
}

static void
brm_local_service_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BrmLocalService *self = BRM_LOCAL_SERVICE (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, brm_local_service_get_url (self));
      break;
    case PROP_TOKEN:
      g_value_set_string (value, brm_local_service_get_token (self));
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_local_service_class_init (BrmLocalServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = brm_local_service_dispose;
  object_class->finalize = brm_local_service_finalize;
  object_class->get_property = brm_local_service_get_property;

  /* The address and token; %NULL unless running. */
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, ro);
  properties[PROP_TOKEN] = g_param_spec_string ("token", NULL, NULL, NULL, ro);
  /* Becomes %FALSE, with a notification, if the daemon dies on its own. */
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_local_service_init (BrmLocalService *self)
{
  self->io = g_cancellable_new ();
  g_queue_init (&self->stderr_tail);
}

/**
 * brm_local_service_new:
 * @daemon_path: (nullable): the batch-runnerd to run; %NULL to look for
 *   it ($BATCH_RUNNERD, the build tree, BINDIR, PATH)
 * @data_dir: (nullable): where the database and reports live; %NULL for
 *   `$XDG_DATA_HOME/batch-runner`
 *
 * Returns: (transfer full): a service, not started
 */
BrmLocalService *
brm_local_service_new (const char *daemon_path,
                       const char *data_dir)
{
  BrmLocalService *self = g_object_new (BRM_TYPE_LOCAL_SERVICE, NULL);

  self->daemon_path = g_strdup (daemon_path);
  if (data_dir != NULL)
    self->data_dir = g_strdup (data_dir);
  else
    self->data_dir = g_build_filename (g_get_user_data_dir (), "batch-runner", NULL);
  return self;
}

/**
 * brm_local_service_start_async:
 *
 * Finds batch-runnerd, imports the sample leads if the database does not
 * exist yet, starts the daemon and completes once it listens. Fails with
 * a #BrmLocalServiceError that says what went wrong, in a sentence for
 * the user.
 *
 * Succeeds at once when the service runs already; a call made while it
 * starts completes with that start. Cancelling only stops the waiting
 * (the call then fails with %G_IO_ERROR_CANCELLED): stop() stops the
 * service.
 */
void
brm_local_service_start_async (BrmLocalService     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *reports = NULL;

  g_return_if_fail (BRM_IS_LOCAL_SERVICE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, brm_local_service_start_async);

  if (self->running)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->start_tasks != NULL)
    {
      /* Starting already: this call waits for the same start. */
      g_ptr_array_add (self->start_tasks, g_steal_pointer (&task));
      return;
    }

  /* A daemon that died on its own leaves its remains until now. */
  if (self->proc != NULL && self->exited)
    reset (self, FALSE);
  g_assert (self->proc == NULL);

  g_free (self->resolved_path);
  self->resolved_path = find_daemon (self, &error);
  if (self->resolved_path == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  reports = g_build_filename (self->data_dir, "reports", NULL);
  if (g_mkdir_with_parents (reports, 0700) != 0)
    {
      int saved = errno;
      g_task_return_new_error (task, BRM_LOCAL_SERVICE_ERROR, BRM_LOCAL_SERVICE_ERROR_SETUP,
                               _("Cannot start a local service: cannot create %s: %s"),
                               reports, g_strerror (saved));
      return;
    }

  self->start_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->start_tasks, g_steal_pointer (&task));
  db = database_path (self);
  if (g_file_test (db, G_FILE_TEST_EXISTS))
    launch_daemon (self);
  else
    import_sample_leads (self);
}

gboolean
brm_local_service_start_finish (BrmLocalService  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == brm_local_service_start_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
brm_local_service_get_url (BrmLocalService *self)
{
  g_return_val_if_fail (BRM_IS_LOCAL_SERVICE (self), NULL);
  return self->running ? self->url : NULL;
}

const char *
brm_local_service_get_token (BrmLocalService *self)
{
  g_return_val_if_fail (BRM_IS_LOCAL_SERVICE (self), NULL);
  return self->running ? self->token : NULL;
}

const char *
brm_local_service_get_data_dir (BrmLocalService *self)
{
  g_return_val_if_fail (BRM_IS_LOCAL_SERVICE (self), NULL);
  return self->data_dir;
}

GPid
brm_local_service_get_pid (BrmLocalService *self)
{
  const char *id;

  g_return_val_if_fail (BRM_IS_LOCAL_SERVICE (self), 0);

  if (self->proc == NULL || self->exited || (id = g_subprocess_get_identifier (self->proc)) == NULL)
    return 0;
  return (GPid) g_ascii_strtoll (id, NULL, 10);
}

gboolean
brm_local_service_is_running (BrmLocalService *self)
{
  g_return_val_if_fail (BRM_IS_LOCAL_SERVICE (self), FALSE);
  return self->running;
}

/**
 * brm_local_service_stop:
 *
 * Stops the daemon: SIGTERM (it finishes the leads in flight, for up to
 * three seconds), then SIGKILL if it is still there five seconds later.
 * Waits for it and reaps it. Leads not started stay pending; the next
 * start carries on with them. A start in progress fails with
 * %G_IO_ERROR_CANCELLED. Does nothing when not running.
 */
void
brm_local_service_stop (BrmLocalService *self)
{
  g_return_if_fail (BRM_IS_LOCAL_SERVICE (self));

  if (self->start_tasks != NULL)
    {
      g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->start_tasks);

      reset (self, TRUE);
      for (guint i = 0; i < tasks->len; i++)
        g_task_return_new_error (g_ptr_array_index (tasks, i), G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 _("The local service was stopped before it was ready"));
      return;
    }

  reset (self, TRUE);
}
