/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-a11y-test"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "brt-a11y.h"

/* The main window as a screen reader sees it: batch-runner-monitor on
 * Xvfb, talking to a real batch-runnerd, inspected and driven over AT-SPI.
 * Run through run-a11y.sh (meson test --suite a11y). */

#define MAIN_WINDOW_TITLE "Batch Runner"

/* One monitor for the whole program: starting it is the slow part, and
 * only the last test changes anything in it. */
static struct
{
  gboolean        started;
  char           *error;
  BrtA11yMonitor *monitor;
} session;

/* Starts the monitor on first use; a failure fails every test that needs
 * it, with the reason, instead of aborting the whole program. */
static BrtA11yMonitor *
session_monitor (void)
{
  if (!session.started)
    {
      g_autoptr(GError) error = NULL;

      session.started = TRUE;
      session.monitor = brt_a11y_monitor_start (NULL, &error);
      if (session.monitor == NULL)
        session.error = g_strdup (error->message);
      else
        g_test_message ("batch-runnerd %s at %s",
                        session.monitor->daemon->version, session.monitor->daemon->url);
    }

  if (session.error != NULL)
    {
      g_test_fail_printf ("could not start the monitor: %s", session.error);
      return NULL;
    }
  return session.monitor;
}

static void
maybe_dump (AtspiAccessible *root)
{
  if (g_getenv ("BR_A11Y_DUMP"))
    brt_a11y_dump (root);
}

/* Fails the test unless @app has a frame titled @title; returns it. */
static AtspiAccessible *
check_frame (AtspiAccessible *app,
             const char      *title)
{
  g_autoptr(AtspiAccessible) window = brt_a11y_wait_for_window (app, title, BRT_A11Y_TIMEOUT_MS);
  AtspiRole role;

  if (window == NULL)
    {
      maybe_dump (app);
      g_test_fail_printf ("no window named '%s' in %d ms", title, BRT_A11Y_TIMEOUT_MS);
      return NULL;
    }

  role = atspi_accessible_get_role (window, NULL);
  if (role != ATSPI_ROLE_FRAME)
    {
      g_autofree char *role_name = atspi_role_get_name (role);

      g_test_fail_printf ("window '%s' has role '%s', not 'frame'", title, role_name);
      return NULL;
    }
  return g_steal_pointer (&window);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_window_found (void)
{
  BrtA11yMonitor *monitor = session_monitor ();
  g_autoptr(AtspiAccessible) window = NULL;

  if (monitor == NULL)
    return;

  window = check_frame (monitor->app, MAIN_WINDOW_TITLE);
  maybe_dump (monitor->app);
}

static void
test_window_named_controls (void)
{
  BrtA11yMonitor *monitor = session_monitor ();
  g_autoptr(AtspiAccessible) window = NULL;
  g_autoptr(GPtrArray) offenders = NULL;

  if (monitor == NULL)
    return;
  /* Walk only once the window is there, or there is nothing to check. */
  if ((window = check_frame (monitor->app, MAIN_WINDOW_TITLE)) == NULL)
    return;

  /* The whole application, not only the main window: open dialogs and
   * popovers count too. */
  offenders = brt_a11y_find_unnamed_controls (monitor->app);
  for (guint i = 0; i < offenders->len; i++)
    g_test_message ("control without an accessible name: %s",
                    (const char *) g_ptr_array_index (offenders, i));
  if (offenders->len > 0)
    g_test_fail_printf ("%u controls without an accessible name (listed above): give each "
                        "a label, or GTK_ACCESSIBLE_PROPERTY_LABEL (a tooltip is no name in GTK 4.8)",
                        offenders->len);
}

typedef struct
{
  AtspiAccessible *label;
  char            *name;
} LabelWatch;

static gboolean
label_settled_cb (gpointer data)
{
  LabelWatch *lw = data;

  g_free (lw->name);
  lw->name = brt_a11y_get_name (lw->label);
  return g_str_has_prefix (lw->name, "Service healthy") ||
         g_str_has_prefix (lw->name, "Service unreachable");
}

static void
test_window_check_service (void)
{
  BrtA11yMonitor *monitor = session_monitor ();
  g_autoptr(AtspiAccessible) window = NULL;
  g_autoptr(AtspiAccessible) button = NULL;
  g_autoptr(AtspiAccessible) label = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  const char *version;
  LabelWatch lw = { NULL, NULL };
  gboolean settled;

  if (monitor == NULL)
    return;
  if ((window = check_frame (monitor->app, MAIN_WINDOW_TITLE)) == NULL)
    return;
  version = monitor->daemon->version;

  button = brt_a11y_find (window, ATSPI_ROLE_PUSH_BUTTON, "Check Service");
  if (button == NULL)
    {
      maybe_dump (window);
      g_test_fail_printf ("no push button named 'Check Service'");
      return;
    }

  /* The status label is found by its text before the check, then followed
   * by identity: its accessible name is its text. */
  label = brt_a11y_find (window, ATSPI_ROLE_LABEL, "Not checked yet");
  if (label == NULL)
    {
      maybe_dump (window);
      g_test_fail_printf ("no status label reading 'Not checked yet'");
      return;
    }

  if (!brt_a11y_activate (button, &error))
    {
      g_test_fail_printf ("could not activate 'Check Service': %s", error->message);
      return;
    }

  lw.label = label;
  settled = brt_a11y_wait_until (label_settled_cb, &lw, BRT_A11Y_TIMEOUT_MS);
  name = g_steal_pointer (&lw.name);

  if (!settled)
    g_test_fail_printf ("status label still reads '%s' after %d ms", name, BRT_A11Y_TIMEOUT_MS);
  else if (!g_str_has_prefix (name, "Service healthy"))
    g_test_fail_printf ("status label reads '%s', expected 'Service healthy'", name);
  else if (strstr (name, version) == NULL)
    g_test_fail_printf ("status label '%s' does not name the daemon's version %s", name, version);
  else
    g_test_message ("status label: %s", name);
}

/* The named-controls check must catch what it is meant to catch: run it on
 * br-a11y-fixture, a window with unlabelled controls of each kind next to
 * labelled ones, and expect exactly the unlabelled ones. */
static void
test_selftest_unnamed_controls_caught (void)
{
  /* The ends of the offenders' paths, as GTK 4.8 shows them: an icon-only
   * button is named after its GtkImage child, a toggle button is a push
   * button, an entry is "text", and a placeholder is no name. */
  static const char * const expected[] = {
    "push button[1] 'GtkImage'",
    "push button[3] 'GtkImage'",
    "check box[4] 'GtkCheckButton'",
    "text[6] 'GtkEntry'",
    NULL
  };
  const char *argv[] = { g_getenv ("BR_A11Y_FIXTURE_BIN"), NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(AtspiAccessible) app = NULL;
  g_autoptr(AtspiAccessible) window = NULL;
  g_autoptr(GPtrArray) offenders = NULL;
  g_autoptr(GError) error = NULL;

  proc = brt_a11y_spawn (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);

  app = brt_a11y_find_app (atoi (g_subprocess_get_identifier (proc)), BRT_A11Y_TIMEOUT_MS, &error);
  if (app == NULL)
    g_test_fail_printf ("fixture: %s", error->message);
  else if ((window = check_frame (app, "Unlabelled Controls")) != NULL)
    {
      maybe_dump (window);
      offenders = brt_a11y_find_unnamed_controls (app);
      for (guint i = 0; i < offenders->len; i++)
        g_test_message ("caught: %s", (const char *) g_ptr_array_index (offenders, i));

      for (guint e = 0; expected[e] != NULL; e++)
        {
          gboolean found = FALSE;

          for (guint i = 0; i < offenders->len && !found; i++)
            found = g_str_has_suffix (g_ptr_array_index (offenders, i), expected[e]);
          if (!found)
            g_test_fail_printf ("the check missed the unlabelled control '%s'", expected[e]);
        }
      if (offenders->len != g_strv_length ((char **) expected))
        g_test_fail_printf ("the check reported %u controls, expected exactly %u "
                            "(labelled ones must pass)",
                            offenders->len, g_strv_length ((char **) expected));
    }

  brt_a11y_stop (proc, 5000);
}

static void
test_selftest_type_names (void)
{
  g_assert_true (brt_a11y_name_is_type_name ("GtkButton"));
  g_assert_true (brt_a11y_name_is_type_name ("GtkListItemWidget"));
  g_assert_true (brt_a11y_name_is_type_name ("AdwSplitButton"));
  g_assert_true (brt_a11y_name_is_type_name ("BrmBatchRow"));
  g_assert_false (brt_a11y_name_is_type_name ("Check Service"));
  g_assert_false (brt_a11y_name_is_type_name ("Gtk"));
  g_assert_false (brt_a11y_name_is_type_name ("Gtkfoo"));
  g_assert_false (brt_a11y_name_is_type_name ("Adw Button"));
  g_assert_false (brt_a11y_name_is_type_name ("Brand"));
  g_assert_false (brt_a11y_name_is_type_name (""));
  g_assert_false (brt_a11y_name_is_type_name (NULL));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  brt_a11y_test_init (&argc, &argv);

  brt_a11y_test_add ("/a11y/selftest/type-names", test_selftest_type_names);
  if (g_getenv ("BR_A11Y_FIXTURE_BIN"))
    brt_a11y_test_add ("/a11y/selftest/unnamed-controls-caught", test_selftest_unnamed_controls_caught);
  brt_a11y_test_add ("/a11y/window/found", test_window_found);
  brt_a11y_test_add ("/a11y/window/named-controls", test_window_named_controls);
  brt_a11y_test_add ("/a11y/window/check-service", test_window_check_service);

  ret = g_test_run ();

  g_clear_pointer (&session.monitor, brt_a11y_monitor_free);
  g_clear_pointer (&session.error, g_free);
  atspi_exit ();
  return ret;
}
