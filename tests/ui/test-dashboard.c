/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "brm-batch-detail.h"
#include "brm-batch-table.h"
#include "brm-connection.h"
#include "brm-window.h"
#include "brt-daemon.h"
#include "brt-fixtures.h"

/* The dashboard as an operator uses it, in process under Broadway, against
 * a real batch-runnerd: leads whose company name starts with "Fail" make
 * the exec processor fail, the others take a moment each so batches stay
 * running long enough to act on. */

#define EXEC_COMMAND "sh -c 'read -r lead; case \"$lead\" in *Fail*) echo boom >&2; exit 3;; esac; sleep 0.3; echo {}'"

typedef struct
{
  BrtDaemon     *daemon;
  BrmConnection *connection;
  BrmWindow     *window;
} Fixture;

static gboolean
feed_connected (gpointer data)
{
  return br_live_feed_get_state (brm_connection_get_feed (data)) == BR_FEED_STATE_CONNECTED &&
         brm_connection_get_capabilities (data) != NULL;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->daemon = brt_daemon_start ("--processor", "exec", "--exec-command", EXEC_COMMAND,
                                "--workers", "2", "--retry-backoff-ms", "50", NULL);
  f->connection = brm_connection_new (brt_daemon_get_url (f->daemon), NULL, NULL);
  br_batch_store_set_tick_interval (brm_connection_get_store (f->connection), 10);
  brm_connection_start (f->connection);
  g_assert_true (brt_wait_until (feed_connected, f->connection, 10000));

  f->window = g_object_new (BRM_TYPE_WINDOW, "connection", f->connection, NULL);
  g_object_ref_sink (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1920, 1080);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
  brm_connection_stop (f->connection);
  g_assert_finalize_object (f->connection);
  brt_daemon_free (f->daemon);
}

/* Starts a batch of @n_ok good and @n_fail failing leads; returns its id. */
static char *
start_batch (Fixture *f,
             guint    n_ok,
             guint    n_fail,
             const char *extra)
{
  BrtLeadSpec ok = { .name_prefix = "Company", .enrichment_status = "completed" };
  BrtLeadSpec bad = { .name_prefix = "FailCo", .enrichment_status = "completed" };
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (n_ok > 0)
    {
      g_autoptr(GPtrArray) a = brt_import_leads (f->daemon, n_ok, &ok);

      for (guint i = 0; i < a->len; i++)
        g_ptr_array_add (ids, g_strdup (g_ptr_array_index (a, i)));
    }
  if (n_fail > 0)
    {
      g_autoptr(GPtrArray) b = brt_import_leads (f->daemon, n_fail, &bad);

      for (guint i = 0; i < b->len; i++)
        g_ptr_array_add (ids, g_strdup (g_ptr_array_index (b, i)));
    }
  return brt_start_batch (f->daemon, ids, extra);
}

typedef struct
{
  Fixture       *f;
  const char    *id;
  BrBatchStatus  status;
} BatchWait;

static gboolean
store_has_status (gpointer data)
{
  BatchWait *w = data;
  BrBatch *batch = br_batch_store_lookup (brm_connection_get_store (w->f->connection), w->id);

  return batch != NULL && br_batch_get_status (batch) == w->status;
}

static void
wait_status (Fixture       *f,
             const char    *id,
             BrBatchStatus  status)
{
  BatchWait w = { f, id, status };

  if (!brt_wait_until (store_has_status, &w, 15000))
    {
      BrBatch *batch = br_batch_store_lookup (brm_connection_get_store (f->connection), id);

      g_error ("batch %s did not reach status %d in the store (it is %d)", id, status,
               batch ? (int) br_batch_get_status (batch) : -1);
    }
}

static BrmBatchTable *
table_of (Fixture *f)
{
  return BRM_BATCH_TABLE (brm_window_get_table (f->window));
}

/* Selects exactly the batches named, by their place in the view. */
static void
select_batches (Fixture            *f,
                const char * const *ids)
{
  GtkSelectionModel *selection = brm_batch_table_get_selection (table_of (f));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (selection));

  gtk_selection_model_unselect_all (selection);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (g_strv_contains (ids, br_batch_get_id (batch)))
        gtk_selection_model_select_item (selection, i, FALSE);
    }
  g_assert_cmpuint (brm_batch_table_get_n_selected (table_of (f)), ==, g_strv_length ((char **) ids));
}

static GtkWidget *
find_button_in (GtkWidget  *root,
                const char *action_name,
                gboolean    in_detail)
{
  if (GTK_IS_BUTTON (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action_name) == 0 &&
      (in_detail || gtk_widget_get_ancestor (root, BRM_TYPE_BATCH_DETAIL) == NULL))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_in (child, action_name, in_detail);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The window's own button for @action_name (the selection bar, the header
 * bar), or the detail pane's when only it has one. */
static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action_name)
{
  GtkWidget *button = find_button_in (root, action_name, FALSE);

  return button != NULL ? button : find_button_in (root, action_name, TRUE);
}

static gboolean
action_enabled (Fixture    *f,
                const char *action_name)
{
  GtkWidget *button = find_action_button (GTK_WIDGET (f->window), action_name);

  if (button == NULL)
    g_error ("no button for %s outside the detail pane", action_name);
  return gtk_widget_get_sensitive (button);
}

static const char *
action_tooltip (Fixture    *f,
                const char *action_name)
{
  return gtk_widget_get_tooltip_text (find_action_button (GTK_WIDGET (f->window), action_name));
}

typedef struct
{
  Fixture    *f;
  const char *action_name;
} ActionWait;

static gboolean
action_becomes_enabled (gpointer data)
{
  ActionWait *w = data;

  return action_enabled (w->f, w->action_name);
}

/* The window enables an action once the store and the controller agree
 * the batch is in a state it applies to; that can trail the status the
 * store shows by a main-loop turn or a server round trip. */
static void
wait_enabled (Fixture    *f,
              const char *action_name)
{
  ActionWait w = { f, action_name };

  if (!brt_wait_until (action_becomes_enabled, &w, 10000))
    g_error ("%s stayed disabled: %s", action_name, action_tooltip (f, action_name));
}

static char *
server_status (Fixture    *f,
               const char *id)
{
  g_autoptr(JsonObject) batch = brt_get_batch (f->daemon, id);

  return g_strdup (brt_str (batch, "status"));
}

static gboolean
dialog_open (gpointer data)
{
  return brm_window_get_dialog (data) != NULL;
}

static AdwMessageDialog *
wait_dialog (Fixture *f)
{
  g_assert_true (brt_wait_until (dialog_open, f->window, 5000));
  return brm_window_get_dialog (f->window);
}

static void
test_fills_and_follows (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *id = start_batch (f, 8, 0, "\"max_concurrent\": 1, \"name\": \"Spring leads\"");
  g_autofree char *summary = NULL;
  BrBatch *batch;
  gint64 seen;

  wait_status (f, id, BR_BATCH_STATUS_RUNNING);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table_of (f)), ==, 1);
  summary = brm_window_dup_summary_text (f->window);
  g_assert_nonnull (strstr (summary, "Running 1"));
  g_assert_cmpstr (brm_window_get_connection_text (f->window), ==, "Connected");

  /* The row's object is updated in place as leads finish. */
  batch = br_batch_store_lookup (brm_connection_get_store (f->connection), id);
  seen = br_batch_get_processed_leads (batch);
  wait_status (f, id, BR_BATCH_STATUS_COMPLETED);
  g_assert_true (br_batch_store_lookup (brm_connection_get_store (f->connection), id) == batch);
  g_assert_cmpint (br_batch_get_processed_leads (batch), >, seen);
  g_assert_cmpint (br_batch_get_processed_leads (batch), ==, 8);

  g_clear_pointer (&summary, g_free);
  summary = brm_window_dup_summary_text (f->window);
  g_assert_nonnull (strstr (summary, "Running 0"));

  /* Enter on a row (batch-activated) shows it in the detail pane. */
  g_assert_true (brm_window_show_batch (f->window, id));
  g_assert_true (brm_batch_detail_get_batch (BRM_BATCH_DETAIL (brm_window_get_detail (f->window))) == batch);
  g_assert_false (brm_window_show_batch (f->window, "no-such-batch"));
}

static void
test_actions_follow_selection (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *running = start_batch (f, 20, 0, "\"max_concurrent\": 1");
  g_autofree char *done = start_batch (f, 1, 1, NULL);
  const char *only_running[] = { running, NULL };
  const char *both[] = { running, done, NULL };
  const char *only_done[] = { done, NULL };

  wait_status (f, running, BR_BATCH_STATUS_RUNNING);
  wait_status (f, done, BR_BATCH_STATUS_COMPLETED);

  /* Nothing selected: nothing applies, and the buttons say why. */
  gtk_selection_model_unselect_all (brm_batch_table_get_selection (table_of (f)));
  g_assert_false (action_enabled (f, "win.batch-pause"));
  g_assert_nonnull (strstr (action_tooltip (f, "win.batch-pause"), "no batch is selected"));

  select_batches (f, only_running);
  g_assert_true (action_enabled (f, "win.batch-pause"));
  g_assert_false (action_enabled (f, "win.batch-resume"));
  g_assert_true (action_enabled (f, "win.batch-cancel"));
  g_assert_false (action_enabled (f, "win.batch-retry-failed"));
  g_assert_nonnull (strstr (action_tooltip (f, "win.batch-resume"), "only paused batches"));

  /* A completed batch with a failed lead: retry only. */
  select_batches (f, only_done);
  g_assert_false (action_enabled (f, "win.batch-pause"));
  g_assert_false (action_enabled (f, "win.batch-cancel"));
  g_assert_true (action_enabled (f, "win.batch-retry-failed"));

  /* Enabled only when it applies to every selected batch. */
  select_batches (f, both);
  g_assert_false (action_enabled (f, "win.batch-pause"));
  g_assert_false (action_enabled (f, "win.batch-cancel"));
  g_assert_false (action_enabled (f, "win.batch-retry-failed"));
  g_assert_true (action_enabled (f, "win.batch-copy-id"));
}

static void
test_pause_resume_cancel_reach_server (Fixture       *f,
                                       gconstpointer  data)
{
  g_autofree char *id = start_batch (f, 30, 0, "\"max_concurrent\": 1");
  const char *only[] = { id, NULL };
  g_autofree char *status = NULL;
  AdwMessageDialog *dialog;

  wait_status (f, id, BR_BATCH_STATUS_RUNNING);
  select_batches (f, only);

  /* One batch: pause at once, no dialog. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.batch-pause", NULL);
  g_assert_null (brm_window_get_dialog (f->window));
  wait_status (f, id, BR_BATCH_STATUS_PAUSED);
  status = server_status (f, id);
  g_assert_cmpstr (status, ==, "paused");
  g_assert_true (action_enabled (f, "win.batch-resume"));
  g_assert_false (action_enabled (f, "win.batch-pause"));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.batch-resume", NULL);
  wait_status (f, id, BR_BATCH_STATUS_RUNNING);

  /* Cancel always asks, and says how many leads it drops. */
  wait_enabled (f, "win.batch-cancel");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.batch-cancel", NULL);
  dialog = wait_dialog (f);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "will be skipped"));
  adw_message_dialog_response (dialog, "cancel");
  brt_run_for (200);
  g_clear_pointer (&status, g_free);
  status = server_status (f, id);
  g_assert_cmpstr (status, ==, "running");

  wait_enabled (f, "win.batch-cancel");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.batch-cancel", NULL);
  dialog = wait_dialog (f);
  adw_message_dialog_response (dialog, "confirm");
  wait_status (f, id, BR_BATCH_STATUS_CANCELLED);
  g_clear_pointer (&status, g_free);
  status = server_status (f, id);
  g_assert_cmpstr (status, ==, "cancelled");
}

typedef struct
{
  Fixture    *f;
  const char *id;
} RetryWait;

static gboolean
all_failed_retried (gpointer data)
{
  RetryWait *rw = data;
  g_autoptr(JsonArray) failed = brt_get_results (rw->f->daemon, rw->id, "failed");
  guint retried = 0;

  for (guint i = 0; i < json_array_get_length (failed); i++)
    if (brt_int (json_array_get_object_element (failed, i), "retry_count") >= 1)
      retried++;
  return retried == 3 && json_array_get_length (failed) == 3;
}

static void
test_retry_failed (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *id = start_batch (f, 2, 3, "\"retry_failed\": false");
  const char *only[] = { id, NULL };
  AdwMessageDialog *dialog;

  wait_status (f, id, BR_BATCH_STATUS_COMPLETED);
  select_batches (f, only);
  g_assert_true (action_enabled (f, "win.batch-retry-failed"));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.batch-retry-failed", NULL);
  dialog = wait_dialog (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Retry 3 Failed Leads?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Estimated cost: $"));
  adw_message_dialog_response (dialog, "confirm");

  /* The leads fail again (they always do here), but they were retried:
   * the server counts a manual retry for each. */
  {
    RetryWait rw = { f, id };

    g_assert_true (brt_poll_until (all_failed_retried, &rw, 15000, 100));
  }
  wait_status (f, id, BR_BATCH_STATUS_COMPLETED);
}

static void
test_bulk_pause_dialog (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *a = start_batch (f, 20, 0, "\"max_concurrent\": 1");
  g_autofree char *b = start_batch (f, 20, 0, "\"max_concurrent\": 1");
  const char *both[] = { a, b, NULL };
  AdwMessageDialog *dialog;
  g_autofree char *sa = NULL;
  g_autofree char *sb = NULL;

  wait_status (f, a, BR_BATCH_STATUS_RUNNING);
  wait_status (f, b, BR_BATCH_STATUS_RUNNING);
  select_batches (f, both);
  g_assert_true (action_enabled (f, "win.batch-pause"));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.batch-pause", NULL);
  dialog = wait_dialog (f);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Pause 2 Batches?");
  adw_message_dialog_response (dialog, "confirm");
  wait_status (f, a, BR_BATCH_STATUS_PAUSED);
  wait_status (f, b, BR_BATCH_STATUS_PAUSED);
  sa = server_status (f, a);
  sb = server_status (f, b);
  g_assert_cmpstr (sa, ==, "paused");
  g_assert_cmpstr (sb, ==, "paused");

  /* Both still selected (rows updated in place), so resume applies to both. */
  g_assert_cmpuint (brm_batch_table_get_n_selected (table_of (f)), ==, 2);
  g_assert_true (action_enabled (f, "win.batch-resume"));
}

static gboolean
connection_text_starts (gpointer data)
{
  gpointer *args = data;

  return g_str_has_prefix (brm_window_get_connection_text (args[0]), args[1]);
}

static void
wait_connection_text (Fixture    *f,
                      const char *prefix)
{
  gpointer args[] = { f->window, (gpointer) prefix };

  if (!brt_wait_until (connection_text_starts, args, 15000))
    g_error ("connection indicator reads '%s', expected '%s…'", brm_window_get_connection_text (f->window), prefix);
}

static void
test_offline_stale_reconnect (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *id = start_batch (f, 1, 0, NULL);
  GtkWidget *table = brm_window_get_table (f->window);

  wait_status (f, id, BR_BATCH_STATUS_COMPLETED);
  wait_connection_text (f, "Connected");
  g_assert_false (gtk_widget_has_css_class (table, "stale"));

  brt_daemon_kill (f->daemon);
  wait_connection_text (f, "Reconnecting");
  /* The last known data stays, marked stale, with its age. */
  brt_run_for (1100);
  g_assert_nonnull (strstr (brm_window_get_connection_text (f->window), "updated"));
  g_assert_nonnull (br_batch_store_lookup (brm_connection_get_store (f->connection), id));
  g_assert_true (gtk_widget_has_css_class (table, "stale"));

  brt_daemon_restart_same_port (f->daemon);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.reconnect", NULL);
  wait_connection_text (f, "Connected");
  g_assert_false (gtk_widget_has_css_class (table, "stale"));
  g_assert_nonnull (br_batch_store_lookup (brm_connection_get_store (f->connection), id));
}

static void
test_accessible_names (Fixture       *f,
                       gconstpointer  data)
{
  GtkWidget *pause = find_action_button (GTK_WIDGET (f->window), "win.batch-pause");
  GtkWidget *cancel = find_action_button (GTK_WIDGET (f->window), "win.batch-cancel");
  GtkWidget *new_batch = find_action_button (GTK_WIDGET (f->window), "app.new-batch");

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (pause), GTK_ACCESSIBLE_ROLE_BUTTON);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (pause), GTK_ACCESSIBLE_PROPERTY_LABEL, "Pause");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (cancel), GTK_ACCESSIBLE_PROPERTY_LABEL, "Cancel Batch");
  /* The wide New Batch shows its text, which names it (an accessible
   * label too would be read twice); the narrow one is an icon, named. */
  g_assert_true (ADW_IS_BUTTON_CONTENT (gtk_button_get_child (GTK_BUTTON (new_batch))));
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (new_batch), GTK_ACCESSIBLE_PROPERTY_LABEL));
  {
    GtkWidget *squeezer = gtk_widget_get_ancestor (new_batch, ADW_TYPE_SQUEEZER);
    GtkWidget *icon_only = NULL;

    g_assert_nonnull (squeezer);
    for (GtkWidget *child = gtk_widget_get_first_child (squeezer); child; child = gtk_widget_get_next_sibling (child))
      if (child != new_batch)
        icon_only = child;
    g_assert_true (GTK_IS_BUTTON (icon_only));
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (icon_only)), ==, "app.new-batch");
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (icon_only), GTK_ACCESSIBLE_PROPERTY_LABEL, "New Batch");
    g_assert_nonnull (gtk_widget_get_tooltip_text (icon_only));
  }
  /* A disabled control says why in its description. */
  gtk_selection_model_unselect_all (brm_batch_table_get_selection (table_of (f)));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (pause), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Pause (Ctrl+P) — not available: no batch is selected");
}

static gboolean
id_filter_set (gpointer data)
{
  return brm_batch_table_get_id_filter_text (data) != NULL;
}

/* Analytics' "Show Batches With This Error": the table shows exactly the
 * batches the service lists for the code, and one button brings back the
 * rest. */
static void
test_batches_with_error (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *a = start_batch (f, 2, 2, "\"retry_failed\": false");
  g_autofree char *b = start_batch (f, 3, 0, "\"retry_failed\": false");
  g_autofree char *c = start_batch (f, 1, 1, "\"retry_failed\": false");
  g_autoptr(JsonNode) listed = NULL;
  BrmBatchTable *table = table_of (f);
  guint status = 0;

  wait_status (f, a, BR_BATCH_STATUS_COMPLETED);
  wait_status (f, b, BR_BATCH_STATUS_COMPLETED);
  wait_status (f, c, BR_BATCH_STATUS_COMPLETED);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 3);

  /* What the service says, independently of the window. */
  listed = brt_http (f->daemon, "GET", "/api/v1/batch?error_code=EXIT_3", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (listed), "total_count"), ==, 2);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-batches-with-error", "s", "EXIT_3");
  g_assert_true (brt_wait_until (id_filter_set, table, 10000));
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 2);
  g_assert_cmpstr (brm_batch_table_get_id_filter_text (table), ==, "2 batches with a lead that failed with EXIT_3");
  g_assert_true (brm_batch_table_select_batch (table, a));
  g_assert_true (brm_batch_table_select_batch (table, c));
  g_assert_false (brm_batch_table_select_batch (table, b));

  /* "Show All Batches" undoes only this. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (table), "table.clear-id-filter", NULL));
  g_assert_null (brm_batch_table_get_id_filter_text (table));
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 3);

  /* A code no lead failed with: nothing matches, and the table says so. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-batches-with-error", "s", "NO_SUCH_CODE");
  g_assert_true (brt_wait_until (id_filter_set, table, 10000));
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 0);
  g_assert_cmpstr (brm_batch_table_get_id_filter_text (table), ==, "0 batches with a lead that failed with NO_SUCH_CODE");
  brm_batch_table_clear_filters (table);
  g_assert_null (brm_batch_table_get_id_filter_text (table));
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 3);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/monitor/dashboard/fills-and-follows", Fixture, NULL, fixture_setup, test_fills_and_follows, fixture_teardown);
  g_test_add ("/monitor/dashboard/actions-follow-selection", Fixture, NULL, fixture_setup, test_actions_follow_selection, fixture_teardown);
  g_test_add ("/monitor/dashboard/pause-resume-cancel", Fixture, NULL, fixture_setup, test_pause_resume_cancel_reach_server, fixture_teardown);
  g_test_add ("/monitor/dashboard/retry-failed", Fixture, NULL, fixture_setup, test_retry_failed, fixture_teardown);
  g_test_add ("/monitor/dashboard/bulk-pause-dialog", Fixture, NULL, fixture_setup, test_bulk_pause_dialog, fixture_teardown);
  g_test_add ("/monitor/dashboard/offline-stale-reconnect", Fixture, NULL, fixture_setup, test_offline_stale_reconnect, fixture_teardown);
  g_test_add ("/monitor/dashboard/accessible-names", Fixture, NULL, fixture_setup, test_accessible_names, fixture_teardown);
  g_test_add ("/monitor/dashboard/batches-with-error", Fixture, NULL, fixture_setup, test_batches_with_error, fixture_teardown);

  return g_test_run ();
}
