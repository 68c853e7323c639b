/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-a11y-test"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "brt-a11y.h"

/* The main window as a screen reader sees it: batch-runner-monitor on
 * Xvfb, talking to a real batch-runnerd, inspected and driven over AT-SPI.
 * Run through run-a11y.sh (meson test --suite a11y). */

#define MAIN_WINDOW_TITLE "Batch Runner"

/* Fails the test unless @app has a frame titled @title; returns it. */
static AtspiAccessible *
check_frame (AtspiAccessible *app,
             const char      *title)
{
  g_autoptr(AtspiAccessible) window = brt_a11y_wait_for_window (app, title, BRT_A11Y_TIMEOUT_MS);
  AtspiRole role;

  if (window == NULL)
    {
      brt_a11y_maybe_dump (app);
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
  BrtA11yMonitor *monitor = brt_a11y_shared_monitor ();
  g_autoptr(AtspiAccessible) window = NULL;

  if (monitor == NULL)
    return;

  window = check_frame (monitor->app, MAIN_WINDOW_TITLE);
  brt_a11y_maybe_dump (monitor->app);
}

static void
test_window_named_controls (void)
{
  BrtA11yMonitor *monitor = brt_a11y_shared_monitor ();
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

/* A button with a visible label gets its name from that label; one that
 * also sets an accessible label is read twice ("Pause Pause") by GTK 4.8.
 * Checked over the whole application: the main window, with the detail
 * pane's actions beside the table. */
static void
test_window_names_not_repeated (void)
{
  BrtA11yMonitor *monitor = brt_a11y_shared_monitor ();
  g_autoptr(AtspiAccessible) window = NULL;
  g_autoptr(GPtrArray) offenders = NULL;
  g_autoptr(GPtrArray) unnamed = NULL;

  if (monitor == NULL)
    return;
  if ((window = check_frame (monitor->app, MAIN_WINDOW_TITLE)) == NULL)
    return;

  offenders = brt_a11y_find_controls_named_twice (monitor->app);
  for (guint i = 0; i < offenders->len; i++)
    g_test_message ("control whose name is said twice: %s",
                    (const char *) g_ptr_array_index (offenders, i));
  if (offenders->len > 0)
    g_test_fail_printf ("%u controls read their name twice (listed above): a button with a "
                        "visible label needs no accessible label", offenders->len);

  /* Dropping the doubled labels must leave every control named. */
  unnamed = brt_a11y_find_unnamed_controls (monitor->app);
  for (guint i = 0; i < unnamed->len; i++)
    g_test_message ("control without an accessible name: %s",
                    (const char *) g_ptr_array_index (unnamed, i));
  if (unnamed->len > 0)
    g_test_fail_printf ("%u controls without an accessible name with a batch selected (listed above)",
                        unnamed->len);
}

/* A few leads and a slow batch over them, created through the REST API as
 * any client would; returns the batch id. */
static JsonObject *
http_json (const char *url,
           const char *method,
           const char *path,
           const char *body)
{
  g_autoptr(JsonNode) node = brt_a11y_http (url, method, path, body);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

static char *
start_batch_of (const char *url,
                const char *name,
                guint       n_leads)
{
  g_autoptr(GString) leads = g_string_new ("[");
  g_autoptr(GString) ids = g_string_new ("[");
  g_autoptr(JsonObject) imported = NULL;
  g_autoptr(JsonObject) preview = NULL;
  g_autoptr(JsonObject) batch = NULL;
  g_autofree char *preview_body = NULL;
  g_autofree char *start_body = NULL;
  char cost[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < n_leads; i++)
    {
      g_autofree char *id = g_uuid_string_random ();

      g_string_append_printf (leads, "%s{\"id\":\"%s\",\"company_name\":\"A11y Company %u\",\"domain\":\"a11y%u.example.com\","
                              "\"enrichment_status\":\"completed\"}", i ? "," : "", id, i, i);
      g_string_append_printf (ids, "%s\"%s\"", i ? "," : "", id);
    }
  g_string_append_c (leads, ']');
  g_string_append_c (ids, ']');

  if ((imported = http_json (url, "POST", "/leads", leads->str)) == NULL)
    return NULL;
  preview_body = g_strdup_printf ("{\"lead_ids\":%s}", ids->str);
  if ((preview = http_json (url, "POST", "/batch/preview", preview_body)) == NULL)
    return NULL;
  g_ascii_dtostr (cost, sizeof cost, json_object_get_double_member (preview, "estimated_cost_usd"));
  start_body = g_strdup_printf ("{\"lead_ids\":%s,\"estimated_cost_usd\":%s,\"cost_approved\":true,"
                                "\"max_concurrent\":1,\"name\":\"%s\"}", ids->str, cost, name);
  if ((batch = http_json (url, "POST", "/batch/start", start_body)) == NULL)
    return NULL;
  return g_strdup (json_object_get_string_member (batch, "id"));
}

static char *
start_slow_batch (const char *url,
                  const char *name)
{
  return start_batch_of (url, name, 40);
}

typedef struct
{
  const char *url;
  const char *id;
  const char *status;
} ServerWait;

static gboolean
server_status_is (gpointer data)
{
  ServerWait *w = data;
  g_autofree char *path = g_strdup_printf ("/batch/%s", w->id);
  g_autoptr(JsonObject) batch = http_json (w->url, "GET", path, NULL);

  g_auto(GStrv) wanted = g_strsplit (w->status, "|", -1);

  return batch != NULL &&
         g_strv_contains ((const char * const *) wanted, json_object_get_string_member_with_default (batch, "status", ""));
}

/* The row of the batch named @name: the first descendant of @table whose
 * name mentions it (GTK names a row after the text of its cells). */
static AtspiAccessible *
find_named_descendant (AtspiAccessible *root,
                       const char      *fragment,
                       AtspiRole        role)
{
  g_autofree char *name = brt_a11y_get_name (root);
  int n;

  if ((role == ATSPI_ROLE_INVALID || atspi_accessible_get_role (root, NULL) == role) &&
      strstr (name, fragment) != NULL)
    return g_object_ref (root);

  n = atspi_accessible_get_child_count (root, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (root, i, NULL);
      AtspiAccessible *found = child ? find_named_descendant (child, fragment, role) : NULL;

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  AtspiAccessible *root;
  const char      *fragment;
  AtspiRole        role;
  AtspiAccessible *found;
} FindWait;

static gboolean
found_named_descendant (gpointer data)
{
  FindWait *w = data;

  g_clear_object (&w->found);
  w->found = find_named_descendant (w->root, w->fragment, w->role);
  return w->found != NULL;
}

static void
test_dashboard_pause_by_name (void)
{
  BrtA11yMonitor *monitor = brt_a11y_shared_monitor ();
  g_autoptr(AtspiAccessible) window = NULL;
  g_autoptr(AtspiAccessible) table = NULL;
  g_autoptr(AtspiAccessible) progress = NULL;
  g_autoptr(AtspiAccessible) pause = NULL;
  g_autoptr(AtspiAccessible) cell = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  FindWait fw = { 0 };
  ServerWait sw = { 0 };

  if (monitor == NULL)
    return;
  if ((window = check_frame (monitor->app, MAIN_WINDOW_TITLE)) == NULL)
    return;

  id = start_slow_batch (monitor->daemon->url, "Accessible batch");
  if (id == NULL)
    {
      g_test_fail_printf ("could not start a batch on the service");
      return;
    }

  table = brt_a11y_wait_for (window, ATSPI_ROLE_TABLE, "Batches", BRT_A11Y_TIMEOUT_MS);
  if (table == NULL)
    table = brt_a11y_wait_for (window, ATSPI_ROLE_TREE_TABLE, "Batches", 1000);
  if (table == NULL)
    {
      brt_a11y_maybe_dump (window);
      g_test_fail_printf ("no table named 'Batches'");
      return;
    }

  /* The row's cells read as text: the name, and the progress as a value. */
  fw = (FindWait) { table, "Accessible batch", ATSPI_ROLE_INVALID, NULL };
  if (!brt_a11y_wait_until (found_named_descendant, &fw, BRT_A11Y_TIMEOUT_MS))
    {
      brt_a11y_maybe_dump (table);
      g_test_fail_printf ("the batch 'Accessible batch' never showed in the table");
      return;
    }
  cell = g_steal_pointer (&fw.found);
  progress = brt_a11y_find (table, ATSPI_ROLE_PROGRESS_BAR, NULL);
  if (progress == NULL)
    {
      brt_a11y_maybe_dump (table);
      g_test_fail_printf ("the batch row has no progress bar");
      return;
    }
  else
    {
      AtspiValue *value = atspi_accessible_get_value_iface (progress);
      g_autofree char *text = value ? atspi_value_get_text (value, NULL) : NULL;

      g_test_message ("progress: %.1f of %.1f, reads '%s'",
                      value ? atspi_value_get_current_value (value, NULL) : -1.0,
                      value ? atspi_value_get_maximum_value (value, NULL) : -1.0, text ? text : "");
      /* GTK 4.8 does not export the value text over AT-SPI (its Value
       * interface has no Text); the value itself must be there. */
      if (value == NULL || atspi_value_get_maximum_value (value, NULL) <= 0 ||
          atspi_value_get_current_value (value, NULL) < 0 ||
          atspi_value_get_current_value (value, NULL) > atspi_value_get_maximum_value (value, NULL))
        g_test_fail_printf ("the progress bar has no sensible value");
      g_clear_object (&value);
    }

  /* Pause, found by its name. With no batch selected it is disabled and
   * says why. Selecting a row and pausing it is the keyboard test below
   * (GTK 4.8 offers no AT-SPI Selection on list views nor GrabFocus). */
  pause = brt_a11y_find (window, ATSPI_ROLE_PUSH_BUTTON, "Pause");
  if (pause == NULL)
    {
      brt_a11y_maybe_dump (window);
      g_test_fail_printf ("no push button named 'Pause'");
      return;
    }
  {
    g_autofree char *why = atspi_accessible_get_description (pause, NULL);
    g_autoptr(AtspiStateSet) states = atspi_accessible_get_state_set (pause);

    g_test_message ("Pause: '%s'", why ? why : "");
    if (atspi_state_set_contains (states, ATSPI_STATE_SENSITIVE))
      g_test_fail_printf ("'Pause' is enabled with no batch selected");
    else if (why == NULL || strstr (why, "no batch is selected") == NULL)
      g_test_fail_printf ("the disabled 'Pause' does not say why ('%s')", why ? why : "");
  }

  /* The batch runs on: nothing paused it behind the operator's back. */
  sw = (ServerWait) { monitor->daemon->url, id, "running|completed" };
  if (!brt_a11y_wait_until (server_status_is, &sw, BRT_A11Y_TIMEOUT_MS))
    g_test_fail_printf ("the service's batch is neither running nor completed");
  (void) error;
}

/* ---- pausing a batch from the keyboard ----------------------------------- */

/* X keysyms (keysymdef.h), to keep X11 headers out of the test. */
#define XK_Tab       0xff09
#define XK_space     0x0020
#define XK_f         0x0066

static gboolean
press_key (guint    keysym,
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

/* Ctrl+@keysym: Control_L held down (its keycode, 37, in the keymaps
 * Xvfb loads: X's own and evdev's) around the key. */
#define CONTROL_L_KEYCODE 37

static gboolean
press_control_key (guint    keysym,
                   GError **error)
{
  gboolean ok;

  if (!atspi_generate_keyboard_event (CONTROL_L_KEYCODE, NULL, ATSPI_KEY_PRESS, error))
    return FALSE;
  ok = press_key (keysym, error);
  atspi_generate_keyboard_event (CONTROL_L_KEYCODE, NULL, ATSPI_KEY_RELEASE, NULL);
  return ok;
}

static gboolean
type_text (const char  *text,
           GError     **error)
{
  if (!atspi_generate_keyboard_event (0, text, ATSPI_KEY_STRING, error))
    {
      if (*error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the text could not be typed");
      return FALSE;
    }
  return TRUE;
}

/* Whether @root or one of its descendants has the keyboard focus (a search
 * entry's focus is on the text inside it, a table's on a row or cell). */
static gboolean
focus_within (AtspiAccessible *root,
              guint            depth)
{
  g_autoptr(AtspiStateSet) states = atspi_accessible_get_state_set (root);
  int n;

  if (states != NULL && atspi_state_set_contains (states, ATSPI_STATE_FOCUSED))
    return TRUE;
  /* The focus is on a row (a child of the table) or on a cell, or on the
   * text inside an entry: no need to walk deeper, and every step is a
   * D-Bus round trip. */
  if (depth >= 3)
    return FALSE;
  n = atspi_accessible_get_child_count (root, NULL);
  /* A table's rows are its children; more than a screenful is not ours. */
  for (int i = 0; i < MIN (n, 64); i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (root, i, NULL);

      if (child != NULL && focus_within (child, depth + 1))
        return TRUE;
    }
  return FALSE;
}

static gboolean
focus_within_cb (gpointer data)
{
  return focus_within (data, 0);
}

static gboolean
is_sensitive (gpointer data)
{
  g_autoptr(AtspiStateSet) states = atspi_accessible_get_state_set (data);

  /* GTK 4.8 reports SENSITIVE for an enabled button, and not ENABLED. */
  return states != NULL && atspi_state_set_contains (states, ATSPI_STATE_SENSITIVE);
}

static gboolean
gone_named_descendant (gpointer data)
{
  return !found_named_descendant (data);
}

/* Tab until the focus is inside @target; FALSE after @max presses. */
static gboolean
tab_into (AtspiAccessible  *target,
          guint             max,
          const char       *what,
          GError          **error)
{
  for (guint i = 0; !focus_within (target, 0); i++)
    {
      if (i == max)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Tab never reached %s (%u presses)", what, max);
          return FALSE;
        }
      if (!press_key (XK_Tab, error))
        return FALSE;
      brt_a11y_wait_until (focus_within_cb, target, 300);
    }
  return TRUE;
}

typedef struct
{
  AtspiAccessible *app;
  AtspiAccessible *main_window;
  AtspiAccessible *found;
} DialogWait;

/* A "Pause" push button in a top-level window other than the main one:
 * the confirmation dialog. */
static gboolean
dialog_button_found (gpointer data)
{
  DialogWait *w = data;
  int n = atspi_accessible_get_child_count (w->app, NULL);

  for (int i = 0; i < n && w->found == NULL; i++)
    {
      g_autoptr(AtspiAccessible) top = atspi_accessible_get_child_at_index (w->app, i, NULL);

      /* The dialog may carry the application's title: tell the main
       * window by its role (frame; a dialog is a dialog or an alert). */
      if (top == NULL || top == w->main_window || atspi_accessible_get_role (top, NULL) == ATSPI_ROLE_FRAME)
        continue;
      w->found = brt_a11y_find (top, ATSPI_ROLE_PUSH_BUTTON, "Pause");
    }
  return w->found != NULL;
}

typedef struct
{
  DialogWait *dialog;
  ServerWait *server;
} PauseWait;

static gboolean
paused_or_asked (gpointer data)
{
  PauseWait *w = data;

  return server_status_is (w->server) || dialog_button_found (w->dialog);
}

/* The operator's way with a keyboard and a screen reader: Ctrl+F, type the
 * batch's name so one row remains, Tab into the table, Space selects the
 * row, then the "Pause" button (found by its name, now enabled) and the
 * dialog's "Pause". GTK 4.8 has no AT-SPI Selection on list views and no
 * GrabFocus, so selecting the row takes the keys; buttons have an action. */
static void
test_dashboard_pause_by_keyboard (void)
{
  static const char batch_name[] = "Keyboard pause";
  BrtA11yMonitor *monitor = brt_a11y_shared_monitor ();
  g_autoptr(AtspiAccessible) window = NULL;
  g_autoptr(AtspiAccessible) table = NULL;
  g_autoptr(AtspiAccessible) search = NULL;
  g_autoptr(AtspiAccessible) pause = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *other_id = NULL;
  FindWait fw = { 0 };
  ServerWait sw = { 0 };
  DialogWait dw = { 0 };
  PauseWait pw = { 0 };
  gboolean selected = FALSE;
  gint64 t0 = g_get_monotonic_time ();

  if (monitor == NULL)
    return;
  if ((window = check_frame (monitor->app, MAIN_WINDOW_TITLE)) == NULL)
    return;

  /* Two batches, so the search has something to leave out. The service
   * runs one lead at a time per batch, 0.5 s each: at 400 leads they stay
   * running or pending for minutes, far longer than the test. */
  other_id = start_batch_of (monitor->daemon->url, "Other keyboard", 400);
  id = start_batch_of (monitor->daemon->url, batch_name, 400);
  if (id == NULL || other_id == NULL)
    {
      g_test_fail_printf ("could not start the batches on the service");
      return;
    }

  /* GTK 4.8 exposes a column view as a tree table. */
  table = brt_a11y_wait_for (window, ATSPI_ROLE_TREE_TABLE, "Batches", BRT_A11Y_TIMEOUT_MS);
  if (table == NULL)
    table = brt_a11y_find (window, ATSPI_ROLE_TABLE, "Batches");
  search = brt_a11y_find (window, ATSPI_ROLE_ENTRY, "Search batches");
  if (table == NULL || search == NULL)
    {
      brt_a11y_maybe_dump (window);
      g_test_fail_printf ("no %s", table == NULL ? "table 'Batches'" : "entry 'Search batches'");
      return;
    }
  fw = (FindWait) { table, "Other keyboard", ATSPI_ROLE_INVALID, NULL };
  if (!brt_a11y_wait_until (found_named_descendant, &fw, BRT_A11Y_TIMEOUT_MS))
    {
      brt_a11y_maybe_dump (table);
      g_test_fail_printf ("the batch 'Other keyboard' never showed in the table");
      return;
    }
  g_clear_object (&fw.found);

  g_test_message ("%.1f s: the table shows both batches", (g_get_monotonic_time () - t0) / 1e6);
  /* Ctrl+F focuses the search (Tab gets there too, should the key
   * latching not reach the app). */
  if (!press_control_key (XK_f, &error))
    g_test_message ("Ctrl+F could not be sent (%s); tabbing to the search", error->message);
  g_clear_error (&error);
  if (brt_a11y_wait_until (focus_within_cb, search, 3000))
    g_test_message ("Ctrl+F focused the search");
  else if (!tab_into (search, 40, "the search entry", &error))
    {
      g_test_fail_printf ("the search entry never got the focus: %s", error->message);
      return;
    }

  /* The name narrows the table to the one batch. */
  /* "pause" is enough: the search matches names case-insensitively. */
  if (!type_text ("pause", &error))
    {
      g_test_fail_printf ("typing into the search: %s", error->message);
      return;
    }
  if (!brt_a11y_wait_until (gone_named_descendant, &fw, BRT_A11Y_TIMEOUT_MS))
    {
      brt_a11y_maybe_dump (table);
      g_test_fail_printf ("the search for 'pause' left 'Other keyboard' in the table");
      return;
    }
  g_clear_object (&fw.found);
  fw = (FindWait) { table, batch_name, ATSPI_ROLE_INVALID, NULL };
  if (!brt_a11y_wait_until (found_named_descendant, &fw, BRT_A11Y_TIMEOUT_MS))
    {
      brt_a11y_maybe_dump (table);
      g_test_fail_printf ("the search for 'pause' left no row for '%s'", batch_name);
      return;
    }
  g_clear_object (&fw.found);

  g_test_message ("%.1f s: the search left one row", (g_get_monotonic_time () - t0) / 1e6);
  /* Tab from the search over the filters into the rows. */
  if (!tab_into (table, 20, "the table", &error))
    {
      brt_a11y_maybe_dump (window);
      g_test_fail_printf ("%s", error->message);
      return;
    }

  pause = brt_a11y_find (window, ATSPI_ROLE_PUSH_BUTTON, "Pause");
  if (pause == NULL)
    {
      brt_a11y_maybe_dump (window);
      g_test_fail_printf ("no push button named 'Pause'");
      return;
    }

  /* Space selects the focused row. It toggles: if the row was selected
   * already (focus may select it), a second Space selects it again. */
  for (guint attempt = 0; attempt < 3 && !selected; attempt++)
    {
      if (!press_key (XK_space, &error))
        {
          g_test_fail_printf ("pressing Space: %s", error->message);
          return;
        }
      selected = brt_a11y_wait_until (is_sensitive, pause, 3000);
    }
  if (!selected)
    {
      g_autofree char *why = atspi_accessible_get_description (pause, NULL);

      g_autofree char *path = g_strdup_printf ("/batch/%s", id);
      g_autoptr(JsonObject) batch = http_json (monitor->daemon->url, "GET", path, NULL);

      g_test_message ("the service says the batch is '%s'",
                      batch ? json_object_get_string_member_with_default (batch, "status", "?") : "(no answer)");
      brt_a11y_maybe_dump (window);
      g_test_fail_printf ("'Pause' never became enabled after selecting the row with Space "
                          "(it says: '%s')", why ? why : "");
      return;
    }

  g_test_message ("%.1f s: the row is selected, 'Pause' is enabled", (g_get_monotonic_time () - t0) / 1e6);
  if (!brt_a11y_activate (pause, &error))
    {
      g_test_fail_printf ("'Pause' could not be pressed: %s", error->message);
      return;
    }

  /* One batch pauses at once; several would ask first (answered by the
   * dialog's button name). Whichever comes. */
  dw = (DialogWait) { monitor->app, window, NULL };
  sw = (ServerWait) { monitor->daemon->url, id, "paused" };
  pw = (PauseWait) { &dw, &sw };
  if (!brt_a11y_wait_until (paused_or_asked, &pw, BRT_A11Y_TIMEOUT_MS))
    {
      brt_a11y_maybe_dump (monitor->app);
      g_test_fail_printf ("after pressing 'Pause' the batch is not paused and no dialog asks");
      return;
    }
  if (dw.found != NULL)
    {
      g_test_message ("a dialog asks; answering 'Pause'");
      if (!brt_a11y_activate (dw.found, &error))
        {
          g_clear_object (&dw.found);
          g_test_fail_printf ("the dialog's 'Pause' could not be pressed: %s", error->message);
          return;
        }
      g_clear_object (&dw.found);
    }
  g_test_message ("%.1f s: 'Pause' done", (g_get_monotonic_time () - t0) / 1e6);

  /* The service's batch, and only that one, is paused. */
  sw = (ServerWait) { monitor->daemon->url, id, "paused" };
  if (!brt_a11y_wait_until (server_status_is, &sw, BRT_A11Y_TIMEOUT_MS))
    {
      g_test_fail_printf ("the service's batch '%s' never became paused", batch_name);
      return;
    }
  sw = (ServerWait) { monitor->daemon->url, other_id, "running|pending|completed" };
  if (!server_status_is (&sw))
    g_test_fail_printf ("the other batch changed status too");
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
      brt_a11y_maybe_dump (window);
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

  g_assert_true (brt_a11y_name_is_repeated ("Pause Pause"));
  g_assert_true (brt_a11y_name_is_repeated ("Cancel Batch Cancel Batch"));
  g_assert_true (brt_a11y_name_is_repeated ("New Batch  New Batch"));
  g_assert_false (brt_a11y_name_is_repeated ("Pause"));
  g_assert_false (brt_a11y_name_is_repeated ("Cancel Batch"));
  g_assert_false (brt_a11y_name_is_repeated ("Retry Failed Leads"));
  g_assert_false (brt_a11y_name_is_repeated ("Batch Batch Runner"));
  g_assert_false (brt_a11y_name_is_repeated (""));
  g_assert_false (brt_a11y_name_is_repeated (NULL));
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
  brt_a11y_test_add ("/a11y/window/dashboard-table-and-pause", test_dashboard_pause_by_name);
  brt_a11y_test_add ("/a11y/window/names-not-repeated", test_window_names_not_repeated);
  brt_a11y_test_add ("/a11y/window/pause-by-keyboard", test_dashboard_pause_by_keyboard);

  ret = g_test_run ();

  brt_a11y_shared_monitor_free ();
  atspi_exit ();
  return ret;
}
