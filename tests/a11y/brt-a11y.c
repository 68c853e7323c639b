/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brt-a11y"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "brt-a11y.h"

/* A guard against walking a runaway tree (a list with thousands of rows)
 * for the whole test timeout. */
#define MAX_NODES 20000
#define MAX_DEPTH 64

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
brt_a11y_wait_until (gboolean (*condition) (gpointer),
                     gpointer   data,
                     guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  gboolean held;
  guint id = g_timeout_add (timeout_ms, timed_out_cb, &timed_out);

  /* Most conditions ask the application over D-Bus and no event wakes us
   * when its answer would change, so poll: dispatch what is pending, then
   * nap briefly. 20 ms keeps the 2-core machine free for the app. */
  while (!(held = condition (data)) && !timed_out)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (!timed_out)
        g_usleep (20 * 1000);
    }

  if (!timed_out)
    g_source_remove (id);
  return held;
}

static void
child_setup (gpointer data)
{
  /* Die with the test: a test killed on timeout must leave nothing. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocess *
brt_a11y_spawn (const char * const *argv,
                GSubprocessFlags    flags,
                GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);

  /* stdout is the TAP stream: the children's chatter goes to stderr. */
  if (!(flags & (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE)))
    {
      int fd = dup (STDERR_FILENO);

      if (fd < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "dup: %s", g_strerror (saved));
          return NULL;
        }
      g_subprocess_launcher_take_stdout_fd (launcher, fd);
    }

  /* A GLib-CRITICAL in a program under test is a failure even when the
   * caller's environment does not say so (meson's does): fatal, the
   * program dies, and the harness reports it (brt_a11y_test_add()). */
  {
    const char *debug = g_getenv ("G_DEBUG");

    if (debug == NULL || *debug == '\0')
      g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-criticals", TRUE);
    else if (strstr (debug, "fatal-criticals") == NULL && strstr (debug, "fatal-warnings") == NULL)
      {
        g_autofree char *with = g_strconcat (debug, ",fatal-criticals", NULL);

        g_subprocess_launcher_setenv (launcher, "G_DEBUG", with, TRUE);
      }
  }

  /* GTK registers with AT-SPI only on X11 here (not under Broadway), and
   * either of these would switch the registration off. */
  g_subprocess_launcher_setenv (launcher, "GDK_BACKEND", "x11", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GTK_A11Y");
  g_subprocess_launcher_unsetenv (launcher, "NO_AT_BRIDGE");
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

void
brt_a11y_stop (GSubprocess *proc,
               guint        grace_ms)
{
  gboolean done = FALSE;

  if (proc == NULL)
    return;

  /* The identifier is gone once the child has been reaped. */
  if (g_subprocess_get_identifier (proc) == NULL)
    return;

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait_async (proc, NULL, wait_cb, &done);
  if (!brt_a11y_wait_until (flag_set, &done, grace_ms))
    {
      g_printerr ("# process %s ignored SIGTERM for %u ms: killing it\n",
                  g_subprocess_get_identifier (proc), grace_ms);
      g_subprocess_force_exit (proc);
    }
  /* The async wait holds a pointer to done: let it finish. */
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- batch-runnerd ---------------------------------------------------- */

typedef struct
{
  char     *line;
  GError   *error;
  gboolean  done;
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

/* Whatever the daemon prints after its first line goes on to stderr, so
 * its pipe never fills up and blocks it. */
static void
drain_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GInputStream *stream = G_INPUT_STREAM (object);
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (stream, result, NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      g_object_unref (stream);
      return;
    }
  fwrite (g_bytes_get_data (bytes, NULL), 1, g_bytes_get_size (bytes), stderr);
  g_input_stream_read_bytes_async (stream, 4096, G_PRIORITY_DEFAULT, NULL, drain_cb, NULL);
}

static char *
fetch_version (const char  *url,
               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *request = NULL;
  const char *body;
  const char *version;
  JsonObject *obj;
  guint8 buf[4096];
  gssize n;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return NULL;

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 10);
  conn = g_socket_client_connect_to_uri (client, url, 80, NULL, error);
  if (conn == NULL)
    return NULL;

  /* HTTP/1.0 so the body is neither chunked nor kept alive: read to EOF. */
  request = g_strdup_printf ("GET /api/v1/health HTTP/1.0\r\n"
                             "Host: %s:%d\r\n"
                             "Accept: application/json\r\n"
                             "\r\n",
                             g_uri_get_host (uri), g_uri_get_port (uri));
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                  request, strlen (request), NULL, NULL, error))
    return NULL;

  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)),
                                   buf, sizeof buf, NULL, error)) > 0)
    g_byte_array_append (reply, buf, n);
  if (n < 0)
    return NULL;
  g_byte_array_append (reply, (const guint8 *) "", 1);

  if (!g_str_has_prefix ((const char *) reply->data, "HTTP/1.") ||
      strncmp ((const char *) reply->data + 8, " 200", 4) != 0 ||
      (body = strstr ((const char *) reply->data, "\r\n\r\n")) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "GET /api/v1/health: unexpected reply: %.80s", (const char *) reply->data);
      return NULL;
    }
  body += 4;

  if (!json_parser_load_from_data (parser, body, -1, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      (obj = json_node_get_object (json_parser_get_root (parser))) == NULL ||
      (version = json_object_get_string_member_with_default (obj, "version", NULL)) == NULL ||
      *version == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "GET /api/v1/health: no \"version\" in %s", body);
      return NULL;
    }

  return g_strdup (version);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
brt_a11y_daemon_free (BrtA11yDaemon *daemon)
{
  if (daemon == NULL)
    return;

  if (daemon->proc != NULL)
    {
      /* SIGTERM is the daemon's graceful stop; give it time to finish. */
      brt_a11y_stop (daemon->proc, 10000);
      g_clear_object (&daemon->proc);
    }
  if (daemon->dir != NULL)
    remove_tree (daemon->dir);
  g_free (daemon->dir);
  g_free (daemon->url);
  g_free (daemon->version);
  g_free (daemon);
}

BrtA11yDaemon *
brt_a11y_daemon_start (GError **error)
{
  g_autoptr(BrtA11yDaemon) daemon = g_new0 (BrtA11yDaemon, 1);
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *db_url = NULL;
  const char *bin = g_getenv ("BRD_BIN");
  ReadLine rl = { 0 };

  if (bin == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "BRD_BIN is not set: run the tests through meson test");
      return NULL;
    }

  daemon->dir = g_dir_make_tmp ("br-a11y-XXXXXX", error);
  if (daemon->dir == NULL)
    return NULL;
  db_url = g_strconcat ("sqlite://", daemon->dir, "/batch-runner.db", NULL);

  {
    /* Slow leads, one worker: a batch started by a test stays running
     * long enough to be found, read and paused by name. */
    const char *argv[] = { bin, "--listen", "127.0.0.1:0", "--database", db_url,
                           "--processor", "exec", "--exec-command", "sh -c 'sleep 0.5; echo {}'",
                           "--workers", "1", NULL };

    daemon->proc = brt_a11y_spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
    if (daemon->proc == NULL)
      return NULL;
  }

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon->proc));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, read_line_cb, &rl);
  if (!brt_a11y_wait_until (read_line_done, &rl, BRT_A11Y_TIMEOUT_MS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "batch-runnerd printed nothing in %d ms", BRT_A11Y_TIMEOUT_MS);
      /* Killing it ends the read, which points at rl. */
      g_subprocess_force_exit (daemon->proc);
      while (!rl.done)
        g_main_context_iteration (NULL, TRUE);
      g_free (rl.line);
      g_clear_error (&rl.error);
      return NULL;
    }

  if (rl.line == NULL || !g_str_has_prefix (rl.line, "listening on "))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "batch-runnerd did not start: %s",
                   rl.error ? rl.error->message : rl.line ? rl.line : "no output (see stderr)");
      g_free (rl.line);
      g_clear_error (&rl.error);
      return NULL;
    }

  daemon->url = g_strdup (g_strstrip (rl.line + strlen ("listening on ")));
  g_free (rl.line);
  g_input_stream_read_bytes_async (G_INPUT_STREAM (g_steal_pointer (&out)), 4096,
                                   G_PRIORITY_DEFAULT, NULL, drain_cb, NULL);

  daemon->version = fetch_version (daemon->url, error);
  if (daemon->version == NULL)
    {
      g_prefix_error (error, "batch-runnerd at %s: ", daemon->url);
      return NULL;
    }

  return g_steal_pointer (&daemon);
}

/* ---- batch-runner-monitor ----------------------------------------------- */

void
brt_a11y_monitor_free (BrtA11yMonitor *monitor)
{
  if (monitor == NULL)
    return;

  if (monitor->proc != NULL)
    brt_a11y_stop (monitor->proc, 5000);
  g_clear_object (&monitor->proc);
  g_clear_object (&monitor->app);
  g_clear_pointer (&monitor->daemon, brt_a11y_daemon_free);
  g_free (monitor);
}

BrtA11yMonitor *
brt_a11y_monitor_start (const char * const  *extra_args,
                        GError             **error)
{
  g_autoptr(BrtA11yMonitor) monitor = g_new0 (BrtA11yMonitor, 1);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *bin = g_getenv ("BRM_BIN");

  if (bin == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "BRM_BIN is not set: run the tests through meson test");
      return NULL;
    }

  monitor->daemon = brt_a11y_daemon_start (error);
  if (monitor->daemon == NULL)
    return NULL;

  g_ptr_array_add (argv, (gpointer) bin);
  g_ptr_array_add (argv, (gpointer) "--server");
  g_ptr_array_add (argv, monitor->daemon->url);
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  monitor->proc = brt_a11y_spawn ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, error);
  if (monitor->proc == NULL)
    return NULL;

  monitor->app = brt_a11y_find_app (atoi (g_subprocess_get_identifier (monitor->proc)),
                                    BRT_A11Y_TIMEOUT_MS, error);
  if (monitor->app == NULL)
    return NULL;

  return g_steal_pointer (&monitor);
}

/* ---- test programs ------------------------------------------------------ */

/* g_test_init() makes every warning fatal. libatspi warns (domain "dbind")
 * each time an application lacks the AT-SPI cache object, which GTK 4
 * does not implement: that is no failure of ours. A handler of the domain
 * keeps the message off stdout (GLib's test handler would print it as a
 * TAP "Bail out!"), and the fatal handler keeps it from aborting. */
static void
dbind_log_handler (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  g_printerr ("%s warning (not a test failure): %s\n", log_domain, message);
}

static gboolean
fatal_handler (const char     *log_domain,
               GLogLevelFlags  log_level,
               const char     *message,
               gpointer        user_data)
{
  return !(g_strcmp0 (log_domain, "dbind") == 0 && (log_level & G_LOG_LEVEL_WARNING));
}

static gboolean
process_reaped (gpointer data)
{
  return g_subprocess_get_identifier (data) == NULL;
}

static void check_shared_monitor (void);

static void
run_test (gconstpointer data)
{
  g_test_log_set_fatal_handler (fatal_handler, NULL);
  ((GTestFunc) data) ();
  check_shared_monitor ();
}

void
brt_a11y_test_add (const char *path,
                   GTestFunc   func)
{
  g_test_add_data_func (path, (gconstpointer) func, run_test);
}

void
brt_a11y_test_init (int    *argc,
                    char ***argv)
{
  /* The names we print ("Service healthy — …") are UTF-8. */
  setlocale (LC_ALL, "");
  g_test_init (argc, argv, NULL);
  g_log_set_handler ("dbind", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL, dbind_log_handler, NULL);

  if (atspi_init () > 1)
    {
      g_print ("Bail out! no AT-SPI bus: run through tests/a11y/run-a11y.sh\n");
      exit (1);
    }
  /* A GTK app on a busy 2-core machine can take longer than libatspi's
   * default 0.8 s to answer while it starts up. */
  atspi_set_timeout (5000, 15000);
}

/* ---- finding things --------------------------------------------------- */

typedef struct
{
  GPid             pid;
  AtspiAccessible *app;
} FindApp;

static gboolean
find_app_cb (gpointer data)
{
  FindApp *fa = data;
  g_autoptr(AtspiAccessible) desktop = atspi_get_desktop (0);
  int n;

  if (desktop == NULL)
    return FALSE;

  /* The registry's list of applications changes as they come and go. */
  atspi_accessible_clear_cache (desktop);
  n = atspi_accessible_get_child_count (desktop, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) app = atspi_accessible_get_child_at_index (desktop, i, NULL);

      if (app != NULL && (GPid) atspi_accessible_get_process_id (app, NULL) == fa->pid)
        {
          fa->app = g_steal_pointer (&app);
          return TRUE;
        }
    }
  return FALSE;
}

AtspiAccessible *
brt_a11y_find_app (GPid    pid,
                   guint   timeout_ms,
                   GError **error)
{
  FindApp fa = { pid, NULL };

  if (!brt_a11y_wait_until (find_app_cb, &fa, timeout_ms))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "process %d did not appear on the AT-SPI desktop in %u ms",
                   (int) pid, timeout_ms);
      return NULL;
    }

  /* Names change as the app runs (the status label), and libatspi does
   * not see those changes without an event loop of its own: never cache. */
  atspi_accessible_set_cache_mask (fa.app, ATSPI_CACHE_NONE);
  return fa.app;
}

typedef struct
{
  AtspiAccessible *app;
  const char      *title;
  AtspiAccessible *window;
} FindWindow;

static gboolean
find_window_cb (gpointer data)
{
  FindWindow *fw = data;
  int n = atspi_accessible_get_child_count (fw->app, NULL);

  /* Windows are the application's direct children. */
  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (fw->app, i, NULL);
      g_autofree char *name = child ? brt_a11y_get_name (child) : NULL;

      if (child != NULL && g_strcmp0 (name, fw->title) == 0)
        {
          fw->window = g_steal_pointer (&child);
          return TRUE;
        }
    }
  return FALSE;
}

AtspiAccessible *
brt_a11y_wait_for_window (AtspiAccessible *app,
                          const char      *title,
                          guint            timeout_ms)
{
  FindWindow fw = { app, title, NULL };

  g_return_val_if_fail (ATSPI_IS_ACCESSIBLE (app), NULL);

  brt_a11y_wait_until (find_window_cb, &fw, timeout_ms);
  return fw.window;
}

char *
brt_a11y_get_name (AtspiAccessible *accessible)
{
  char *name;

  atspi_accessible_clear_cache (accessible);
  name = atspi_accessible_get_name (accessible, NULL);
  return name ? name : g_strdup ("");
}

typedef gboolean (*MatchFunc) (AtspiAccessible *accessible,
                               AtspiRole        role,
                               gpointer         data);

/* Pre-order walk; returns the first match (a new reference) or NULL. */
static AtspiAccessible *
walk (AtspiAccessible *node,
      MatchFunc        match,
      gpointer         data,
      guint            depth,
      guint           *budget)
{
  AtspiRole role;
  int n;

  if (depth > MAX_DEPTH || *budget == 0)
    return NULL;
  (*budget)--;

  role = atspi_accessible_get_role (node, NULL);
  if (match (node, role, data))
    return g_object_ref (node);

  n = atspi_accessible_get_child_count (node, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (node, i, NULL);
      AtspiAccessible *found;

      if (child == NULL)
        continue;
      if ((found = walk (child, match, data, depth + 1, budget)))
        return found;
    }
  return NULL;
}

typedef struct
{
  AtspiRole   role;
  const char *name;
} RoleName;

static gboolean
match_role_name (AtspiAccessible *accessible,
                 AtspiRole        role,
                 gpointer         data)
{
  RoleName *rn = data;
  g_autofree char *name = NULL;

  if (rn->role != ATSPI_ROLE_INVALID && role != rn->role)
    return FALSE;
  if (rn->name == NULL)
    return TRUE;
  name = brt_a11y_get_name (accessible);
  return g_strcmp0 (name, rn->name) == 0;
}

AtspiAccessible *
brt_a11y_find (AtspiAccessible *root,
               AtspiRole        role,
               const char      *name)
{
  RoleName rn = { role, name };
  guint budget = MAX_NODES;

  g_return_val_if_fail (ATSPI_IS_ACCESSIBLE (root), NULL);

  return walk (root, match_role_name, &rn, 0, &budget);
}

typedef struct
{
  AtspiAccessible *root;
  AtspiRole        role;
  const char      *name;
  AtspiAccessible *found;
} WaitFor;

static gboolean
wait_for_cb (gpointer data)
{
  WaitFor *wf = data;

  wf->found = brt_a11y_find (wf->root, wf->role, wf->name);
  return wf->found != NULL;
}

AtspiAccessible *
brt_a11y_wait_for (AtspiAccessible *root,
                   AtspiRole        role,
                   const char      *name,
                   guint            timeout_ms)
{
  WaitFor wf = { root, role, name, NULL };

  brt_a11y_wait_until (wait_for_cb, &wf, timeout_ms);
  return wf.found;
}

/* ---- the unnamed-controls check --------------------------------------- */

gboolean
brt_a11y_name_is_type_name (const char *name)
{
  /* The prefixes of every toolkit and of our own widgets. */
  static const char * const prefixes[] = { "Gtk", "Adw", "Brm", "Br", NULL };

  if (name == NULL)
    return FALSE;

  for (guint i = 0; prefixes[i]; i++)
    {
      gsize len = strlen (prefixes[i]);

      if (strncmp (name, prefixes[i], len) != 0 || !g_ascii_isupper (name[len]))
        continue;
      for (const char *p = name + len; *p; p++)
        if (!g_ascii_isalnum (*p))
          return FALSE;
      return TRUE;
    }
  return FALSE;
}

static gboolean
is_control (AtspiAccessible *accessible,
            AtspiRole        role)
{
  switch ((int) role)
    {
    case ATSPI_ROLE_PUSH_BUTTON:
    case ATSPI_ROLE_PUSH_BUTTON_MENU:
    case ATSPI_ROLE_TOGGLE_BUTTON:
    case ATSPI_ROLE_RADIO_BUTTON:
    case ATSPI_ROLE_CHECK_BOX:
    case ATSPI_ROLE_COMBO_BOX:
    case ATSPI_ROLE_ENTRY:
    case ATSPI_ROLE_PASSWORD_TEXT:
    case ATSPI_ROLE_SPIN_BUTTON:
    case ATSPI_ROLE_SLIDER:
      return TRUE;

    case ATSPI_ROLE_TEXT:
      {
        /* GTK's text boxes; read-only text is not something to label. */
        g_autoptr(AtspiStateSet) states = atspi_accessible_get_state_set (accessible);

        return states != NULL && atspi_state_set_contains (states, ATSPI_STATE_EDITABLE);
      }

    default:
      return FALSE;
    }
}

static char *
describe (AtspiAccessible *accessible,
          AtspiRole        role,
          const char      *name,
          int              index)
{
  g_autofree char *role_name = atspi_role_get_name (role);
  GString *s = g_string_new (role_name ? role_name : "unknown role");

  if (index >= 0)
    g_string_append_printf (s, "[%d]", index);
  if (name != NULL && *name != '\0')
    g_string_append_printf (s, " '%s'", name);
  return g_string_free (s, FALSE);
}

gboolean
brt_a11y_name_is_repeated (const char *name)
{
  g_auto(GStrv) words = NULL;
  guint n;

  if (name == NULL)
    return FALSE;
  words = g_strsplit_set (name, " \t\n", -1);
  /* Consecutive separators leave empty words: drop them. */
  n = 0;
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      {
        char *w = words[i];

        words[i] = NULL;
        words[n++] = w;
      }
    else
      g_clear_pointer (&words[i], g_free);
  words[n] = NULL;

  if (n < 2 || n % 2 != 0)
    return FALSE;
  for (guint i = 0; i < n / 2; i++)
    if (!g_str_equal (words[i], words[n / 2 + i]))
      return FALSE;
  return TRUE;
}

typedef gboolean (*NameCheck) (const char *name);

static gboolean
name_is_missing (const char *name)
{
  return *name == '\0' || brt_a11y_name_is_type_name (name);
}

static void
collect_controls (AtspiAccessible *node,
                  const char      *parent_path,
                  int              index,
                  NameCheck        bad_name,
                  GPtrArray       *offenders,
                  guint            depth,
                  guint           *budget)
{
  AtspiRole role;
  g_autofree char *name = NULL;
  g_autofree char *here = NULL;
  g_autofree char *path = NULL;
  int n;

  if (depth > MAX_DEPTH || *budget == 0)
    return;
  (*budget)--;

  role = atspi_accessible_get_role (node, NULL);
  name = brt_a11y_get_name (node);
  here = describe (node, role, name, index);
  path = parent_path ? g_strconcat (parent_path, " > ", here, NULL) : g_strdup (here);

  if (is_control (node, role))
    {
      g_strstrip (name);
      if (bad_name (name))
        g_ptr_array_add (offenders, g_strdup (path));
    }

  n = atspi_accessible_get_child_count (node, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (node, i, NULL);

      if (child != NULL)
        collect_controls (child, path, i, bad_name, offenders, depth + 1, budget);
    }
}

GPtrArray *
brt_a11y_find_unnamed_controls (AtspiAccessible *root)
{
  GPtrArray *offenders = g_ptr_array_new_with_free_func (g_free);
  guint budget = MAX_NODES;

  g_return_val_if_fail (ATSPI_IS_ACCESSIBLE (root), offenders);

  collect_controls (root, NULL, -1, name_is_missing, offenders, 0, &budget);
  if (budget == 0)
    g_ptr_array_add (offenders, g_strdup_printf ("(walk stopped after %d nodes)", MAX_NODES));
  return offenders;
}

GPtrArray *
brt_a11y_find_controls_named_twice (AtspiAccessible *root)
{
  GPtrArray *offenders = g_ptr_array_new_with_free_func (g_free);
  guint budget = MAX_NODES;

  g_return_val_if_fail (ATSPI_IS_ACCESSIBLE (root), offenders);

  collect_controls (root, NULL, -1, brt_a11y_name_is_repeated, offenders, 0, &budget);
  if (budget == 0)
    g_ptr_array_add (offenders, g_strdup_printf ("(walk stopped after %d nodes)", MAX_NODES));
  return offenders;
}

/* ---- acting ------------------------------------------------------------ */

gboolean
brt_a11y_activate (AtspiAccessible  *accessible,
                   GError          **error)
{
  static const char * const preferred[] = { "click", "activate", "press", "toggle", NULL };
  g_autoptr(AtspiAction) action = atspi_accessible_get_action_iface (accessible);
  g_autoptr(GString) names = g_string_new (NULL);
  int n;

  if (action == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no Action interface");
      return FALSE;
    }

  n = atspi_action_get_n_actions (action, error);
  if (n < 0)
    return FALSE;

  for (guint p = 0; preferred[p]; p++)
    for (int i = 0; i < n; i++)
      {
        g_autofree char *name = atspi_action_get_action_name (action, i, NULL);

        if (g_strcmp0 (name, preferred[p]) == 0)
          return atspi_action_do_action (action, i, error);
      }

  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = atspi_action_get_action_name (action, i, NULL);

      g_string_append_printf (names, "%s'%s'", i ? ", " : "", name ? name : "");
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               "no click/activate/press/toggle action among %d: %s", n, names->str);
  return FALSE;
}

static void
dump (AtspiAccessible *node,
      guint            depth,
      int              index,
      guint           *budget)
{
  AtspiRole role;
  g_autofree char *name = NULL;
  g_autofree char *here = NULL;
  g_autofree char *description = NULL;
  int n;

  if (depth > MAX_DEPTH || *budget == 0)
    return;
  (*budget)--;

  role = atspi_accessible_get_role (node, NULL);
  name = brt_a11y_get_name (node);
  here = describe (node, role, name, index);
  description = atspi_accessible_get_description (node, NULL);
  n = atspi_accessible_get_child_count (node, NULL);
  g_printerr ("%*s%s%s%s%s\n", (int) depth * 2, "", here,
              description && *description ? " — " : "",
              description && *description ? description : "",
              is_control (node, role) ? "  [control]" : "");

  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (node, i, NULL);

      if (child != NULL)
        dump (child, depth + 1, i, budget);
    }
}

void
brt_a11y_dump (AtspiAccessible *root)
{
  guint budget = MAX_NODES;

  dump (root, 0, -1, &budget);
}

static struct
{
  gboolean        started;
  char           *error;
  BrtA11yMonitor *monitor;
} shared;

BrtA11yMonitor *
brt_a11y_shared_monitor (void)
{
  if (!shared.started)
    {
      g_autoptr(GError) error = NULL;

      shared.started = TRUE;
      shared.monitor = brt_a11y_monitor_start (NULL, &error);
      if (shared.monitor == NULL)
        shared.error = g_strdup (error->message);
      else
        g_test_message ("batch-runnerd %s at %s",
                        shared.monitor->daemon->version, shared.monitor->daemon->url);
    }

  if (shared.error != NULL)
    {
      g_test_fail_printf ("could not start the monitor: %s", shared.error);
      return NULL;
    }
  return shared.monitor;
}

/* After each test: the shared monitor must still be running and
 * answering. A monitor that died (a GLib-CRITICAL is fatal to it, see
 * brt_a11y_spawn()) can otherwise pass a test: a window that should go
 * away is gone when the whole application is. */
static void
check_shared_monitor (void)
{
  BrtA11yMonitor *monitor = shared.monitor;
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;
  int n;

  if (monitor == NULL)
    return;

  /* A call of its own over the bus: it answers only once it has handled
   * every call the test made before. */
  n = atspi_accessible_get_child_count (monitor->app, &error);
  proc = monitor->proc;
  if (error == NULL && n >= 0 && g_subprocess_get_identifier (proc) != NULL)
    return;

  /* Not answering: give the child watch the time to reap it, to say how
   * it ended. */
  brt_a11y_wait_until (process_reaped, proc, 5000);
  if (g_subprocess_get_identifier (proc) != NULL)
    g_test_fail_printf ("the monitor stopped answering over AT-SPI: %s",
                        error ? error->message : "no child count");
  else if (g_subprocess_get_if_signaled (proc))
    g_test_fail_printf ("the monitor died during the test, killed by signal %d (%s): "
                        "look for a GLib-CRITICAL from batch-runner-monitor in the test's stderr",
                        g_subprocess_get_term_sig (proc), g_strsignal (g_subprocess_get_term_sig (proc)));
  else
    g_test_fail_printf ("the monitor exited during the test with status %d",
                        g_subprocess_get_exit_status (proc));

  /* Later tests of the program fail at once with the reason. */
  shared.error = g_strdup ("it died in an earlier test");
  g_clear_pointer (&shared.monitor, brt_a11y_monitor_free);
}

void
brt_a11y_shared_monitor_free (void)
{
  g_clear_pointer (&shared.monitor, brt_a11y_monitor_free);
  g_clear_pointer (&shared.error, g_free);
}

void
brt_a11y_maybe_dump (AtspiAccessible *root)
{
  if (g_getenv ("BR_A11Y_DUMP"))
    brt_a11y_dump (root);
}

JsonNode *
brt_a11y_http (const char *url,
               const char *method,
               const char *path,
               const char *body)
{
  g_autoptr(SoupSession) http = soup_session_new ();
  g_autofree char *full = g_strconcat (url, "/api/v1", path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, full);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (msg == NULL)
    {
      g_test_message ("%s %s: not a valid address", method, full);
      return NULL;
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (http, msg, NULL, &error);
  if (answer == NULL || !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)) ||
      !json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL))
    {
      g_test_message ("%s %s: HTTP %u %s", method, path, soup_message_get_status (msg), error ? error->message : "");
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}
