/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brt-session"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>

#include "brt-session.h"

#define KEYRING_TIMEOUT_MS 20000

struct _BrtSession
{
  GSubprocess *bus;
  GSubprocess *keyring;
  char        *dir;
};

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
name_has_owner (const char *name)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static void
start_keyring (BrtSession *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_build_filename (self->dir, "home", NULL);
  g_autofree char *runtime = g_build_filename (self->dir, "runtime", NULL);
  g_autofree char *data = g_build_filename (home, ".local", "share", NULL);
  g_autofree char *config = g_build_filename (home, ".config", NULL);
  g_autofree char *cache = g_build_filename (home, ".cache", NULL);
  GOutputStream *input;
  gint64 deadline;

  g_assert_cmpint (g_mkdir_with_parents (data, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (config, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (cache, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  self->keyring = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                               "--unlock", "--components=secrets", NULL);
  g_assert_no_error (error);

  /* --unlock reads the login keyring's password from standard input. */
  input = g_subprocess_get_stdin_pipe (self->keyring);
  g_output_stream_write_all (input, "test", 4, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (input, NULL, &error);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + KEYRING_TIMEOUT_MS * 1000;
  while (!name_has_owner ("org.freedesktop.secrets"))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("gnome-keyring-daemon did not take org.freedesktop.secrets");
      g_usleep (20 * 1000);
    }
}

/* Only what a session bus needs, and no <servicedir>: nothing on this bus
 * is started on demand, so the real keyring or a notification daemon
 * cannot slip in. */
static const char bus_config[] =
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
  "<busconfig>\n"
  "  <type>session</type>\n"
  "  <listen>unix:dir=%s</listen>\n"
  "  <auth>EXTERNAL</auth>\n"
  "  <policy context=\"default\">\n"
  "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
  "    <allow eavesdrop=\"true\"/>\n"
  "    <allow own=\"*\"/>\n"
  "  </policy>\n"
  "</busconfig>\n";

static void
start_bus (BrtSession *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = g_build_filename (self->dir, "bus.conf", NULL);
  g_autofree char *config = g_strdup_printf (bus_config, self->dir);
  g_autofree char *address = NULL;

  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  self->bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork", "--print-address=1",
                                           "--config-file", config_path, NULL);
  g_assert_no_error (error);

  /* dbus-daemon prints the address once it listens. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->bus));
  address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (address == NULL || *address == '\0')
    g_error ("dbus-daemon did not print its address");
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
}

BrtSession *
brt_session_new (gboolean with_keyring)
{
  BrtSession *self = g_new0 (BrtSession, 1);
  g_autoptr(GError) error = NULL;

  self->dir = g_dir_make_tmp ("brt-session-XXXXXX", &error);
  g_assert_no_error (error);

  /* No DISPLAY: D-Bus must never be autolaunched for an X session here. */
  g_unsetenv ("DISPLAY");
  start_bus (self);

  if (with_keyring)
    start_keyring (self);
  return self;
}

static void
stop_process (GSubprocess **proc)
{
  if (*proc == NULL)
    return;
  g_subprocess_send_signal (*proc, SIGTERM);
  g_subprocess_wait (*proc, NULL, NULL);
  g_clear_object (proc);
}

static gboolean
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                        NULL, NULL);
  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_remove (child);
      g_object_unref (info);
    }
  return g_rmdir (path) == 0;
}

void
brt_session_free (BrtSession *self)
{
  if (self == NULL)
    return;

  /* The session bus singleton quits the process when its bus goes away;
   * this one goes away on purpose. Libraries under test (libsecret, GTK)
   * may keep that connection until exit. */
  {
    g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

    if (bus != NULL)
      g_dbus_connection_set_exit_on_close (bus, FALSE);
  }

  stop_process (&self->keyring);
  stop_process (&self->bus);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");

  remove_tree (self->dir);
  g_free (self->dir);
  g_free (self);
}
