/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include <adwaita.h>
#include <string.h>

#include "brm-preferences-window.h"
#include "brm-token-store.h"
#include "brt-daemon.h"
#include "brt-session.h"

#define SERVER "http://batches.example:8600"
#define TOKEN "prefs-token-5f1e2d"

typedef struct
{
  GSettings            *settings;
  BrmTokenStore        *tokens;
  BrmPreferencesWindow *window;
} Fixture;

static GtkWidget *
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), BRM_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static void
open_window (Fixture *f)
{
  f->window = BRM_PREFERENCES_WINDOW (brm_preferences_window_new (f->settings, f->tokens));
  g_object_ref_sink (f->window);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
close_window (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (g_steal_pointer (&f->window));
}

static void
fixture_setup (Fixture *f)
{
  /* A settings backend of its own: no test sees another's changes. */
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();

  f->settings = g_settings_new_with_backend (APP_ID, backend);
  f->tokens = brm_token_store_new ();
  open_window (f);
}

static gboolean
only_owner (gpointer data)
{
  return G_OBJECT (data)->ref_count == 1;
}

static void
fixture_teardown (Fixture *f)
{
  if (f->window != NULL)
    close_window (f);
  /* A keyring lookup the window started (and cancelled) holds the store
   * until its task completes. */
  brt_wait_until (only_owner, f->tokens, 10000);
  g_assert_finalize_object (g_steal_pointer (&f->tokens));
  g_assert_finalize_object (g_steal_pointer (&f->settings));
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef struct
{
  guint  count;
  char  *server;
  char  *token;
} Applied;

static void
token_applied_cb (BrmPreferencesWindow *window,
                  const char           *server,
                  const char           *token,
                  Applied              *applied)
{
  applied->count++;
  g_free (applied->server);
  applied->server = g_strdup (server);
  g_free (applied->token);
  applied->token = g_strdup (token);
}

static gboolean
applied_once (gpointer data)
{
  return ((Applied *) data)->count > 0;
}

static void
apply_entry (GtkWidget  *row,
             const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  g_signal_emit_by_name (row, "apply");
}

static GtkWidget *
find_text (GtkWidget *widget)
{
  if (GTK_IS_TEXT (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_text (c);
      if (found)
        return found;
    }
  return NULL;
}

/* Settings ↔ switches: each way, and the row activates its switch (the
 * keyboard path: a focused row and Enter or Space). */
static void
test_switches (void)
{
  Fixture f = { 0 };
  const struct { const char *key; const char *row; const char *control; } rows[] = {
    { "notify-completed", "completed_row", "completed_switch" },
    { "notify-failed", "failed_row", "failed_switch" },
    { "notify-failure-rate", "rate_row", "rate_switch" },
    { "notify-budget", "budget_row", "budget_switch" },
  };

  fixture_setup (&f);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GtkSwitch *sw = GTK_SWITCH (child (&f, rows[i].control));
      GtkWidget *row = child (&f, rows[i].row);

      g_assert_true (g_settings_get_boolean (f.settings, rows[i].key));
      g_assert_true (gtk_switch_get_active (sw));

      g_settings_set_boolean (f.settings, rows[i].key, FALSE);
      g_assert_false (gtk_switch_get_active (sw));

      gtk_switch_set_active (sw, TRUE);
      g_assert_true (g_settings_get_boolean (f.settings, rows[i].key));

      g_assert_true (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)) == GTK_WIDGET (sw));
      adw_action_row_activate (ADW_ACTION_ROW (row));
      g_assert_false (g_settings_get_boolean (f.settings, rows[i].key));
      g_assert_false (gtk_switch_get_active (sw));
    }

  /* A threshold row follows its switch: no threshold without the warning. */
  g_assert_false (gtk_widget_get_sensitive (child (&f, "rate_threshold_row")));
  g_settings_set_boolean (f.settings, "notify-failure-rate", TRUE);
  g_assert_true (gtk_widget_get_sensitive (child (&f, "rate_threshold_row")));

  fixture_teardown (&f);
}

static void
test_thresholds_in_percent (void)
{
  Fixture f = { 0 };
  GtkSpinButton *rate;
  GtkSpinButton *budget;

  fixture_setup (&f);
  rate = GTK_SPIN_BUTTON (child (&f, "rate_threshold_spin"));
  budget = GTK_SPIN_BUTTON (child (&f, "budget_threshold_spin"));

  /* Defaults: 0.2 and 0.8 of the settings are 20 % and 80 %. */
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (rate), 20.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (budget), 80.0, 1e-9);

  g_settings_set_double (f.settings, "failure-rate-threshold", 0.35);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (rate), 35.0, 1e-9);

  gtk_spin_button_set_value (rate, 50);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (f.settings, "failure-rate-threshold"), 0.5, 1e-9);
  gtk_spin_button_set_value (budget, 95);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (f.settings, "budget-warning-fraction"), 0.95, 1e-9);

  /* The spin buttons stop at 100 %, the settings' upper bound. */
  gtk_spin_button_set_value (budget, 150);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (f.settings, "budget-warning-fraction"), 1.0, 1e-9);

  fixture_teardown (&f);
}

static void
test_color_scheme (void)
{
  Fixture f = { 0 };
  AdwStyleManager *manager = adw_style_manager_get_default ();
  AdwComboRow *row;
  g_autofree char *nick = NULL;

  fixture_setup (&f);
  row = ADW_COMBO_ROW (child (&f, "color_scheme_row"));
  brm_apply_color_scheme (f.settings);

  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_DEFAULT);

  g_settings_set_string (f.settings, "color-scheme", "dark");
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 2);
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_FORCE_DARK);

  adw_combo_row_set_selected (row, 1);
  nick = g_settings_get_string (f.settings, "color-scheme");
  g_assert_cmpstr (nick, ==, "light");
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_FORCE_LIGHT);

  g_settings_reset (f.settings, "color-scheme");
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_DEFAULT);

  fixture_teardown (&f);
}

static void
test_server_and_path (void)
{
  Fixture f = { 0 };
  GtkWidget *server_row;
  GtkWidget *path_row;
  g_autofree char *server = NULL;
  g_autofree char *still = NULL;
  g_autofree char *path = NULL;
  g_autofree char *bad_path = NULL;
  g_autofree char *reset_path = NULL;

  fixture_setup (&f);
  server_row = child (&f, "server_row");
  path_row = child (&f, "base_path_row");

  /* Empty: the local service; the token belongs to it and is not asked. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (server_row)), ==, "");
  g_assert_false (gtk_widget_get_sensitive (child (&f, "token_row")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (path_row)), ==, "/api/v1");

  /* Typing alone changes nothing; applying does (trailing slash dropped). */
  gtk_editable_set_text (GTK_EDITABLE (server_row), "https://batches.example:8600/");
  g_assert_cmpstr ((server = g_settings_get_string (f.settings, "server-url")), ==, "");
  g_clear_pointer (&server, g_free);
  g_signal_emit_by_name (server_row, "apply");
  server = g_settings_get_string (f.settings, "server-url");
  g_assert_cmpstr (server, ==, "https://batches.example:8600");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (server_row)), ==, "https://batches.example:8600");
  g_assert_true (gtk_widget_get_sensitive (child (&f, "token_row")));

  /* Not an address: refused, marked, the setting kept. */
  apply_entry (server_row, "ftp://files.example");
  still = g_settings_get_string (f.settings, "server-url");
  g_assert_cmpstr (still, ==, "https://batches.example:8600");
  g_assert_true (gtk_widget_has_css_class (server_row, "error"));

  /* The setting changed elsewhere (command line, another window). */
  g_settings_set_string (f.settings, "server-url", "http://elsewhere.example:1");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (server_row)), ==, "http://elsewhere.example:1");
  g_assert_false (gtk_widget_has_css_class (server_row, "error"));

  /* Back to empty: the local service again. */
  apply_entry (server_row, "  ");
  g_clear_pointer (&server, g_free);
  server = g_settings_get_string (f.settings, "server-url");
  g_assert_cmpstr (server, ==, "");
  g_assert_false (gtk_widget_get_sensitive (child (&f, "token_row")));

  apply_entry (path_row, "/api/");
  path = g_settings_get_string (f.settings, "api-base-path");
  g_assert_cmpstr (path, ==, "/api");
  apply_entry (path_row, "api");
  bad_path = g_settings_get_string (f.settings, "api-base-path");
  g_assert_cmpstr (bad_path, ==, "/api");
  g_assert_true (gtk_widget_has_css_class (path_row, "error"));
  apply_entry (path_row, "");
  reset_path = g_settings_get_string (f.settings, "api-base-path");
  g_assert_cmpstr (reset_path, ==, "/api/v1");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (path_row)), ==, "/api/v1");

  fixture_teardown (&f);
}

/* Every control a screen reader lands on says what it is for. */
static void
test_accessible (void)
{
  Fixture f = { 0 };
  const struct { const char *control; const char *name; GtkAccessibleRole role; } controls[] = {
    { "completed_switch", "Batch Completed", GTK_ACCESSIBLE_ROLE_SWITCH },
    { "failed_switch", "Batch Failed", GTK_ACCESSIBLE_ROLE_SWITCH },
    { "rate_switch", "High Failure Rate", GTK_ACCESSIBLE_ROLE_SWITCH },
    { "rate_threshold_spin", "Failure Rate Threshold", GTK_ACCESSIBLE_ROLE_SPIN_BUTTON },
    { "budget_switch", "Daily Budget Warning", GTK_ACCESSIBLE_ROLE_SWITCH },
    { "budget_threshold_spin", "Budget Warning Threshold", GTK_ACCESSIBLE_ROLE_SPIN_BUTTON },
  };
  const struct { const char *row; const char *name; } entries[] = {
    { "server_row", "Server Address" },
    { "base_path_row", "API Base Path" },
    { "token_row", "API Token" },
  };

  fixture_setup (&f);

  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    {
      GtkWidget *w = child (&f, controls[i].control);

      gtk_test_accessible_assert_role (GTK_ACCESSIBLE (w), controls[i].role);
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (w), GTK_ACCESSIBLE_PROPERTY_LABEL, controls[i].name);
    }

  /* The spin buttons say what the number means. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child (&f, "rate_threshold_spin")),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "Percent of processed leads");

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      GtkWidget *text = find_text (child (&f, entries[i].row));

      g_assert_nonnull (text);
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child (&f, entries[i].row)),
                                           GTK_ACCESSIBLE_PROPERTY_LABEL, entries[i].name);
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_PROPERTY_LABEL, entries[i].name);
    }

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child (&f, "color_scheme_row")),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Style");

  fixture_teardown (&f);
}

static gboolean
note_visible (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_get_visible (child (f, "memory_note"));
}

static void
got_result (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static char *
lookup (BrmTokenStore *tokens,
        const char    *server)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  brm_token_store_lookup_async (tokens, server, NULL, got_result, &result);
  g_assert_true (brt_wait_until (has_result, &result, 20000));
  token = brm_token_store_lookup_finish (tokens, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  return token;
}

static gboolean
is_persistent (gpointer data)
{
  return brm_token_store_get_persistent (data);
}

static gboolean
row_has_text (gpointer data)
{
  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (data)), TOKEN) == 0;
}

/* With a keyring: no note; an applied token lands there, and a window
 * opened later shows it. */
static void
test_token_keyring_subprocess (void)
{
  g_autoptr(BrtSession) session = brt_session_new (TRUE);
  Fixture f = { 0 };
  Applied applied = { 0 };
  g_autoptr(BrmTokenStore) later = NULL;
  g_autofree char *stored = NULL;

  fixture_setup (&f);
  g_signal_connect (f.window, "token-applied", G_CALLBACK (token_applied_cb), &applied);
  g_settings_set_string (f.settings, "server-url", SERVER);

  g_assert_true (brt_wait_until (is_persistent, f.tokens, 20000));
  iterate ();
  g_assert_false (gtk_widget_get_visible (child (&f, "memory_note")));

  apply_entry (child (&f, "token_row"), TOKEN);
  g_assert_true (brt_wait_until (applied_once, &applied, 20000));
  g_assert_cmpstr (applied.server, ==, SERVER);
  g_assert_cmpstr (applied.token, ==, TOKEN);

  later = brm_token_store_new ();
  stored = lookup (later, SERVER);
  g_assert_cmpstr (stored, ==, TOKEN);

  /* Reopened, the window shows the stored token (masked). */
  close_window (&f);
  brt_wait_until (only_owner, f.tokens, 10000);
  g_assert_finalize_object (g_steal_pointer (&f.tokens));
  f.tokens = g_steal_pointer (&later);
  open_window (&f);
  g_assert_true (brt_wait_until (row_has_text, child (&f, "token_row"), 20000));

  g_free (applied.server);
  g_free (applied.token);
  fixture_teardown (&f);
}

/* Without one: the note says the token will not outlive this run, and
 * it does not. */
static void
test_token_memory_only_subprocess (void)
{
  g_autoptr(BrtSession) session = brt_session_new (FALSE);
  Fixture f = { 0 };
  Applied applied = { 0 };
  g_autoptr(BrmTokenStore) later = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *gone = NULL;

  fixture_setup (&f);
  g_signal_connect (f.window, "token-applied", G_CALLBACK (token_applied_cb), &applied);

  /* The local service needs no token, so no note either. */
  iterate ();
  g_assert_false (gtk_widget_get_visible (child (&f, "memory_note")));

  g_settings_set_string (f.settings, "server-url", SERVER);
  g_assert_true (brt_wait_until (note_visible, &f, 20000));
  g_assert_false (brm_token_store_get_persistent (f.tokens));

  apply_entry (child (&f, "token_row"), TOKEN);
  g_assert_true (brt_wait_until (applied_once, &applied, 20000));
  g_assert_cmpstr (applied.token, ==, TOKEN);
  kept = lookup (f.tokens, SERVER);
  g_assert_cmpstr (kept, ==, TOKEN);

  later = brm_token_store_new ();
  gone = lookup (later, SERVER);
  g_assert_null (gone);

  /* Emptied and applied: removed. */
  applied.count = 0;
  apply_entry (child (&f, "token_row"), "");
  g_assert_true (brt_wait_until (applied_once, &applied, 20000));
  g_assert_null (applied.token);

  g_free (applied.server);
  g_free (applied.token);
  fixture_teardown (&f);
}

static void
run_in_subprocess (gconstpointer path)
{
  g_test_trap_subprocess (path, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  /* Never the user's session bus and keyring: the keyring cases make a
   * private one, the others have none. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/brt-no-bus", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* A switch toggled by its row animates first; with no frames to come
   * (pages not shown, Broadway at 1 fps), it must toggle at once. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/monitor/preferences/switches", test_switches);
  g_test_add_func ("/monitor/preferences/thresholds-in-percent", test_thresholds_in_percent);
  g_test_add_func ("/monitor/preferences/color-scheme", test_color_scheme);
  g_test_add_func ("/monitor/preferences/server-and-path", test_server_and_path);
  g_test_add_func ("/monitor/preferences/accessible", test_accessible);
  g_test_add_func ("/monitor/preferences/token-keyring/subprocess", test_token_keyring_subprocess);
  g_test_add_func ("/monitor/preferences/token-memory-only/subprocess", test_token_memory_only_subprocess);
  g_test_add_data_func ("/monitor/preferences/token-keyring", "/monitor/preferences/token-keyring/subprocess",
                        run_in_subprocess);
  g_test_add_data_func ("/monitor/preferences/token-memory-only",
                        "/monitor/preferences/token-memory-only/subprocess", run_in_subprocess);

  return g_test_run ();
}
