/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-a11y-new-batch"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "brt-a11y.h"

/* The new-batch flow as a screen reader user drives it: the monitor on
 * Xvfb with a real batch-runnerd, every step found by accessible role and
 * name over AT-SPI and activated through its action — "New Batch" in the
 * main window, a lead's "Select …" check box, the approval of the
 * previewed total, "Start Batch" — and the batch checked on the service.
 * Run through run-a11y.sh (meson test --suite a11y). */

#define MAIN_WINDOW_TITLE "Batch Runner"
#define NEW_BATCH_TITLE   "New Batch"
#define N_LEADS           3

/* Depth-first: the first descendant of @root with @role whose name starts
 * with @prefix (names with figures in them: "I approve spending $…"). */
static AtspiAccessible *
find_prefixed (AtspiAccessible *root,
               AtspiRole        role,
               const char      *prefix)
{
  g_autofree char *name = brt_a11y_get_name (root);
  int n;

  if (atspi_accessible_get_role (root, NULL) == role && g_str_has_prefix (name, prefix))
    return g_object_ref (root);

  n = atspi_accessible_get_child_count (root, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (root, i, NULL);
      AtspiAccessible *found = child ? find_prefixed (child, role, prefix) : NULL;

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  AtspiAccessible *root;
  AtspiRole        role;
  const char      *prefix;
  gboolean         enabled;
  AtspiAccessible *found;
} PrefixWait;

static gboolean
prefixed_found (gpointer data)
{
  PrefixWait *w = data;

  g_clear_object (&w->found);
  w->found = find_prefixed (w->root, w->role, w->prefix);
  if (w->found != NULL && w->enabled)
    {
      g_autoptr(AtspiStateSet) states = atspi_accessible_get_state_set (w->found);

      if (!atspi_state_set_contains (states, ATSPI_STATE_SENSITIVE))
        return FALSE;
    }
  return w->found != NULL;
}

static AtspiAccessible *
wait_prefixed (AtspiAccessible *root,
               AtspiRole        role,
               const char      *prefix,
               gboolean         enabled)
{
  PrefixWait w = { root, role, prefix, enabled, NULL };

  brt_a11y_wait_until (prefixed_found, &w, BRT_A11Y_TIMEOUT_MS);
  return w.found;
}

static gboolean
is_checked (AtspiAccessible *accessible)
{
  g_autoptr(AtspiStateSet) states = atspi_accessible_get_state_set (accessible);

  return atspi_state_set_contains (states, ATSPI_STATE_CHECKED);
}

static gboolean
has_focus (gpointer data)
{
  g_autoptr(AtspiStateSet) states = atspi_accessible_get_state_set (data);

  return atspi_state_set_contains (states, ATSPI_STATE_FOCUSED);
}

static gboolean
is_checked_cb (gpointer data)
{
  return is_checked (data);
}

static gboolean
press (guint    keysym,
       GError **error)
{
  if (!atspi_generate_keyboard_event (keysym, NULL, ATSPI_KEY_SYM, error))
    {
      if (*error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the key press could not be generated");
      return FALSE;
    }
  return TRUE;
}

/* Ticks a check box the way a screen reader user does: Tab until it has
 * the focus, then Space. (GTK 4.8 exports no action for check buttons
 * and no GrabFocus, so there is no other way over AT-SPI.) */
static gboolean
tick (AtspiAccessible  *check,
      GError          **error)
{
  if (is_checked (check))
    return TRUE;
  if (brt_a11y_activate (check, NULL))
    {
      if (brt_a11y_wait_until (is_checked_cb, check, BRT_A11Y_TIMEOUT_MS))
        return TRUE;
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "its action did not tick it");
      return FALSE;
    }

  for (guint i = 0; !has_focus (check); i++)
    {
      if (i == 80)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Tab never reached it (80 presses)");
          return FALSE;
        }
      if (!press (0xff09 /* XK_Tab */, error))
        return FALSE;
      brt_a11y_wait_until (has_focus, check, 150);
    }
  if (!press (0x20 /* XK_space */, error))
    return FALSE;
  if (!brt_a11y_wait_until (is_checked_cb, check, BRT_A11Y_TIMEOUT_MS))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Space did not tick it");
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  const char *url;
  guint       n_batches;
  gint64      total_leads;
} BatchWait;

static gboolean
batch_created (gpointer data)
{
  BatchWait *w = data;
  g_autoptr(JsonNode) node = brt_a11y_http (w->url, "GET", "/batch", NULL);
  JsonObject *obj = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonArray *batches = obj ? json_object_get_array_member (obj, "batches") : NULL;

  if (batches == NULL || json_array_get_length (batches) == 0)
    return FALSE;
  w->n_batches = json_array_get_length (batches);
  w->total_leads = json_object_get_int_member (json_array_get_object_element (batches, 0), "total_leads");
  return TRUE;
}

typedef struct
{
  AtspiAccessible *app;
} GoneWait;

static gboolean
window_gone (gpointer data)
{
  GoneWait *w = data;
  int n = atspi_accessible_get_child_count (w->app, NULL);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (w->app, i, NULL);
      g_autofree char *name = child ? brt_a11y_get_name (child) : NULL;

      if (g_strcmp0 (name, NEW_BATCH_TITLE) == 0)
        return FALSE;
    }
  return TRUE;
}

static void
test_new_batch_by_name (void)
{
  BrtA11yMonitor *monitor = brt_a11y_shared_monitor ();
  g_autoptr(GString) leads = g_string_new ("[");
  g_autoptr(JsonNode) imported = NULL;
  g_autoptr(AtspiAccessible) main_window = NULL;
  g_autoptr(AtspiAccessible) new_batch = NULL;
  g_autoptr(AtspiAccessible) dialog = NULL;
  g_autoptr(AtspiAccessible) check = NULL;
  g_autoptr(AtspiAccessible) select_all = NULL;
  g_autoptr(AtspiAccessible) approve = NULL;
  g_autoptr(AtspiAccessible) start = NULL;
  g_autoptr(GPtrArray) offenders = NULL;
  g_autoptr(GError) error = NULL;
  BatchWait bw = { 0 };
  GoneWait gw = { 0 };

  if (monitor == NULL)
    return;

  /* Leads to choose from, imported as any client would. */
  for (guint i = 0; i < N_LEADS; i++)
    g_string_append_printf (leads, "%s{\"company_name\":\"Spoken Lead %u\",\"domain\":\"spoken%u.example.com\"}",
                            i ? "," : "", i, i);
  g_string_append_c (leads, ']');
  imported = brt_a11y_http (monitor->daemon->url, "POST", "/leads", leads->str);
  if (imported == NULL)
    {
      g_test_fail_printf ("could not import leads into the service");
      return;
    }

  main_window = brt_a11y_wait_for_window (monitor->app, MAIN_WINDOW_TITLE, BRT_A11Y_TIMEOUT_MS);
  if (main_window == NULL)
    {
      g_test_fail_printf ("no window named '%s'", MAIN_WINDOW_TITLE);
      return;
    }

  /* "New Batch" in the main window opens the composer. (By prefix: GTK
   * 4.8 reads a button's label and its label child both, and the main
   * window's button has both.) */
  new_batch = wait_prefixed (main_window, ATSPI_ROLE_PUSH_BUTTON, "New Batch", FALSE);
  if (new_batch == NULL)
    {
      brt_a11y_maybe_dump (main_window);
      g_test_fail_printf ("no push button named 'New Batch' in the main window");
      return;
    }
  if (!brt_a11y_activate (new_batch, &error))
    {
      g_test_fail_printf ("activating 'New Batch': %s", error->message);
      return;
    }
  dialog = brt_a11y_wait_for_window (monitor->app, NEW_BATCH_TITLE, BRT_A11Y_TIMEOUT_MS);
  if (dialog == NULL)
    {
      brt_a11y_maybe_dump (monitor->app);
      g_test_fail_printf ("'New Batch' opened no window named '%s'", NEW_BATCH_TITLE);
      return;
    }

  /* Every control of the composer has a name. */
  offenders = brt_a11y_find_unnamed_controls (dialog);
  for (guint i = 0; i < offenders->len; i++)
    g_test_message ("control without an accessible name: %s", (const char *) offenders->pdata[i]);
  if (offenders->len > 0)
    g_test_fail_printf ("%u controls of the New Batch window have no accessible name", offenders->len);

  /* Start is there, disabled, before anything is chosen. */
  start = brt_a11y_wait_for (dialog, ATSPI_ROLE_PUSH_BUTTON, "Start Batch", BRT_A11Y_TIMEOUT_MS);
  if (start == NULL)
    {
      brt_a11y_maybe_dump (dialog);
      g_test_fail_printf ("no push button named 'Start Batch'");
      return;
    }
  {
    g_autoptr(AtspiStateSet) states = atspi_accessible_get_state_set (start);

    if (atspi_state_set_contains (states, ATSPI_STATE_SENSITIVE))
      g_test_fail_printf ("'Start Batch' is enabled with no lead chosen");
  }

  /* Every lead, by the button that names how many match; each row's
   * check box is named after its lead. */
  check = wait_prefixed (dialog, ATSPI_ROLE_CHECK_BOX, "Select Spoken Lead 1", FALSE);
  if (check == NULL)
    {
      brt_a11y_maybe_dump (dialog);
      g_test_fail_printf ("no check box named 'Select Spoken Lead 1'");
      return;
    }
  select_all = brt_a11y_wait_for (dialog, ATSPI_ROLE_PUSH_BUTTON, "Select All 3 Matching", BRT_A11Y_TIMEOUT_MS);
  if (select_all == NULL)
    {
      brt_a11y_maybe_dump (dialog);
      g_test_fail_printf ("no push button named 'Select All 3 Matching'");
      return;
    }
  if (!brt_a11y_activate (select_all, &error))
    {
      g_test_fail_printf ("activating 'Select All 3 Matching': %s", error->message);
      return;
    }
  if (!brt_a11y_wait_until (is_checked_cb, check, BRT_A11Y_TIMEOUT_MS))
    g_test_fail_printf ("'Select Spoken Lead 1' is not checked after 'Select All 3 Matching'");

  /* The approval names the previewed total; it is enabled once the
   * preview is in. */
  approve = wait_prefixed (dialog, ATSPI_ROLE_CHECK_BOX, "I approve spending $", TRUE);
  if (approve == NULL)
    {
      brt_a11y_maybe_dump (dialog);
      g_test_fail_printf ("no enabled check box 'I approve spending $…' after choosing a lead");
      return;
    }
  {
    g_autofree char *name = brt_a11y_get_name (approve);

    g_test_message ("approval: %s", name);
  }
  if (!tick (approve, &error))
    {
      g_test_fail_printf ("ticking the approval: %s", error->message);
      return;
    }

  /* Start, by name; the service gets the batch and the window closes. */
  g_clear_object (&start);
  start = wait_prefixed (dialog, ATSPI_ROLE_PUSH_BUTTON, "Start Batch", TRUE);
  if (start == NULL)
    {
      g_test_fail_printf ("'Start Batch' never became enabled after the approval");
      return;
    }
  if (!brt_a11y_activate (start, &error))
    {
      g_test_fail_printf ("activating 'Start Batch': %s", error->message);
      return;
    }

  bw.url = monitor->daemon->url;
  if (!brt_a11y_wait_until (batch_created, &bw, BRT_A11Y_TIMEOUT_MS))
    {
      g_test_fail_printf ("no batch on the service after 'Start Batch'");
      return;
    }
  g_assert_cmpuint (bw.n_batches, ==, 1);
  g_assert_cmpint (bw.total_leads, ==, N_LEADS);

  gw.app = monitor->app;
  if (!brt_a11y_wait_until (window_gone, &gw, BRT_A11Y_TIMEOUT_MS))
    g_test_fail_printf ("the New Batch window stayed open after the batch started");
}

int
main (int    argc,
      char **argv)
{
  int status;

  brt_a11y_test_init (&argc, &argv);
  brt_a11y_test_add ("/a11y/new-batch/flow-by-name", test_new_batch_by_name);

  status = g_test_run ();
  brt_a11y_shared_monitor_free ();
  return status;
}
