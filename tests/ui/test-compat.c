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

/* The monitor against a service that has only the FastAPI service's
 * contract (issue 5, last bullet): batch-runnerd --compat=base serves it
 * under /api with no /events, no capabilities in /health, and no pause,
 * resume, retry or other ext endpoints. The monitor is given the base
 * path /api, as `--api-base /api` does. No mock: the real daemon. */

#define EXEC_COMMAND "sh -c 'read -r lead; sleep 0.2; echo {}'"
#define N_LEADS 120
#define WAIT_MS 20000

typedef struct
{
  BrtDaemon     *daemon;
  GPtrArray     *lead_ids;
  BrmConnection *connection;
  BrmWindow     *window;
} Fixture;

/* The base contract has no lead import over HTTP: the leads go in with
 * the daemon's own `import-leads` on the same database before it starts,
 * as an operator of the FastAPI service loads them by other means. */
static void
import_leads (Fixture *f)
{
  g_autoptr(GString) json = g_string_new ("[");
  g_autofree char *file = g_build_filename (brt_daemon_get_dir (f->daemon), "leads.json", NULL);
  g_autofree char *db_url = g_strconcat ("sqlite://", brt_daemon_get_db_path (f->daemon), NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("BRD_BIN"), "--database", db_url, "import-leads", file, NULL };
  int status = 0;

  f->lead_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < N_LEADS; i++)
    {
      char *id = g_uuid_string_random ();

      g_ptr_array_add (f->lead_ids, id);
      g_string_append_printf (json, "%s{\"id\":\"%s\",\"company_name\":\"Compat Company %u\","
                              "\"domain\":\"compat%u.example.com\",\"enrichment_status\":\"completed\"}",
                              i ? "," : "", id, i, i);
    }
  g_string_append_c (json, ']');
  g_file_set_contents (file, json->str, -1, &error);
  g_assert_no_error (error);

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("batch-runnerd import-leads failed: %s", err);
}

static JsonObject *
request (Fixture    *f,
         const char *method,
         const char *path,
         const char *body,
         guint       expected)
{
  guint status = 0;
  g_autoptr(JsonNode) node = brt_http (f->daemon, method, path, body, &status);

  if (status != expected)
    g_error ("%s %s answered %u, expected %u", method, path, status, expected);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

/* Starts a batch of @n leads from @first through the base contract. */
static char *
start_batch (Fixture    *f,
             const char *name,
             guint       first,
             guint       n)
{
  g_autoptr(GString) ids = g_string_new ("[");
  g_autoptr(JsonObject) preview = NULL;
  g_autoptr(JsonObject) batch = NULL;
  g_autofree char *body = NULL;
  char cost[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = first; i < first + n; i++)
    g_string_append_printf (ids, "%s\"%s\"", i > first ? "," : "", (const char *) f->lead_ids->pdata[i]);
  g_string_append_c (ids, ']');

  body = g_strdup_printf ("{\"lead_ids\":%s}", ids->str);
  preview = request (f, "POST", "/api/batch/preview", body, 200);
  g_ascii_dtostr (cost, sizeof cost, json_object_get_double_member (preview, "estimated_cost_usd"));
  g_free (body);
  body = g_strdup_printf ("{\"lead_ids\":%s,\"estimated_cost_usd\":%s,\"cost_approved\":true,"
                          "\"max_concurrent\":1,\"name\":\"%s\"}", ids->str, cost, name);
  batch = request (f, "POST", "/api/batch/start", body, 201);
  return g_strdup (json_object_get_string_member (batch, "id"));
}

static char *
server_status (Fixture    *f,
               const char *id,
               gint64     *processed)
{
  g_autofree char *path = g_strdup_printf ("/api/batch/%s/status", id);
  g_autoptr(JsonObject) status = request (f, "GET", path, NULL, 200);

  if (processed != NULL)
    *processed = json_object_get_int_member (status, "processed_leads");
  return g_strdup (json_object_get_string_member (status, "status"));
}

static gboolean
connected (gpointer data)
{
  Fixture *f = data;
  BrLiveFeed *feed = brm_connection_get_feed (f->connection);

  return br_live_feed_get_state (feed) == BR_FEED_STATE_CONNECTED &&
         brm_connection_get_capabilities (f->connection) != NULL;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *args[] = { "--compat", "base", "--processor", "exec", "--exec-command", EXEC_COMMAND,
                         "--workers", "2", NULL };
  g_autoptr(GError) error = NULL;

  f->daemon = brt_daemon_new (args);
  import_leads (f);
  if (!brt_daemon_launch (f->daemon, &error))
    g_error ("batch-runnerd --compat=base: %s", error->message);
}

/* The monitor, connected as `--api-base /api` connects it. */
static void
start_monitor (Fixture *f)
{
  f->connection = brm_connection_new (brt_daemon_get_url (f->daemon), "/api", NULL);
  g_object_set (brm_connection_get_feed (f->connection), "poll-interval", 300, NULL);
  brm_connection_start (f->connection);
  if (!brt_wait_until (connected, f, WAIT_MS))
    g_error ("the monitor never connected to the base-profile service (%s)",
             br_live_feed_get_last_error (brm_connection_get_feed (f->connection)));

  f->window = g_object_new (BRM_TYPE_WINDOW, "connection", f->connection, NULL);
  g_object_ref_sink (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1600, 900);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (f->window));
      g_assert_finalize_object (f->window);
    }
  if (f->connection != NULL)
    {
      brm_connection_stop (f->connection);
      g_assert_finalize_object (f->connection);
    }
  brt_daemon_free (f->daemon);
  g_clear_pointer (&f->lead_ids, g_ptr_array_unref);
}

/* The daemon's side ------------------------------------------------------------ */

static void
assert_status (Fixture    *f,
               const char *method,
               const char *path,
               guint       expected)
{
  guint status = 0;
  g_autoptr(JsonNode) node = brt_http (f->daemon, method, path, method[0] == 'P' ? "{}" : NULL, &status);

  if (status != expected)
    g_error ("%s %s answered %u, expected %u", method, path, status, expected);
}

static void
test_daemon_profile (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) health = request (f, "GET", "/api/health", NULL, 200);
  g_autofree char *id = start_batch (f, "Profile", 0, 5);
  g_autofree char *path = NULL;
  g_autofree char *ws = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(JsonObject) page = NULL;
  JsonObject *listed;

  /* The FastAPI service's health: no capabilities, no version. */
  g_assert_cmpstr (json_object_get_string_member (health, "status"), ==, "healthy");
  g_assert_true (json_object_has_member (health, "database"));
  g_assert_false (json_object_has_member (health, "capabilities"));
  g_assert_false (json_object_has_member (health, "version"));

  /* Only under /api. */
  assert_status (f, "GET", "/api/v1/health", 404);
  assert_status (f, "GET", "/api/v1/batch", 404);
  assert_status (f, "GET", "/metrics", 404);

  /* The base endpoints answer; their Batch has the base fields only, and
   * websocket_url points under /api. */
  page = request (f, "GET", "/api/batch", NULL, 200);
  listed = json_array_get_object_element (json_object_get_array_member (page, "batches"), 0);
  g_assert_cmpstr (json_object_get_string_member (listed, "id"), ==, id);
  g_assert_true (json_object_has_member (listed, "progress_percentage"));
  g_assert_false (json_object_has_member (listed, "seq"));
  g_assert_false (json_object_has_member (listed, "skipped_leads"));
  ws = g_strdup_printf ("/api/batch/%s/progress", id);
  g_assert_cmpstr (json_object_get_string_member (listed, "websocket_url"), ==, ws);
  path = g_strdup_printf ("/api/batch/%s/status", id);
  status = request (f, "GET", path, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (status, "batch_id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (status, "websocket_url"), ==, ws);
  assert_status (f, "GET", "/api/batch/analytics", 200);

  /* The ext endpoints do not exist. */
  assert_status (f, "GET", "/api/events", 404);
  assert_status (f, "GET", "/api/leads", 404);
  assert_status (f, "GET", "/api/templates", 404);
  assert_status (f, "GET", "/api/audit", 404);
  g_free (path);
  path = g_strdup_printf ("/api/batch/%s", id);
  assert_status (f, "GET", path, 404);
  for (guint i = 0; i < 4; i++)
    {
      static const char * const ext[] = { "pause", "resume", "retry", "leads" };

      g_free (path);
      path = g_strdup_printf ("/api/batch/%s/%s", id, ext[i]);
      assert_status (f, i == 3 ? "GET" : "POST", path, 404);
    }

  /* Cancel is base. */
  g_free (path);
  path = g_strdup_printf ("/api/batch/%s/cancel", id);
  assert_status (f, "POST", path, 200);
}

/* The monitor against it --------------------------------------------------------- */

typedef struct
{
  Fixture       *f;
  const char    *id;
  BrBatchStatus  status;
  gint64         processed_above;
} StoreWait;

static gboolean
in_store (gpointer data)
{
  StoreWait *w = data;
  BrBatch *batch = br_batch_store_lookup (brm_connection_get_store (w->f->connection), w->id);

  return batch != NULL && (w->status == (BrBatchStatus) -1 || br_batch_get_status (batch) == w->status) &&
         br_batch_get_processed_leads (batch) > w->processed_above;
}

static void
wait_store (Fixture       *f,
            const char    *id,
            BrBatchStatus  status,
            gint64         processed_above,
            const char    *what)
{
  StoreWait w = { f, id, status, processed_above };

  if (!brt_wait_until (in_store, &w, WAIT_MS))
    g_error ("the monitor never saw %s", what);
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *action_name)
{
  if (GTK_IS_BUTTON (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action_name) == 0 &&
      gtk_widget_get_ancestor (root, BRM_TYPE_BATCH_DETAIL) == NULL)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, action_name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return brm_window_get_dialog (data) != NULL;
}

static void
test_monitor_against_base (Fixture       *f,
                           gconstpointer  data)
{
  static const char * const unsupported[] = { "win.batch-pause", "win.batch-resume", "win.batch-retry-failed", NULL };
  g_autofree char *first = start_batch (f, "Compat first", 0, 50);
  g_autofree char *second = NULL;
  g_autofree char *status = NULL;
  BrLiveFeed *feed;
  BrBatch *watched, *unwatched;
  gint64 watched_before, unwatched_before, server_unwatched = 0;
  GtkWidget *cancel;
  AdwMessageDialog *dialog;

  start_monitor (f);
  feed = brm_connection_get_feed (f->connection);

  /* No /events: the feed polls, and knows the server has no ext feature. */
  g_assert_cmpint (br_live_feed_get_mode (feed), ==, BR_FEED_MODE_POLLING);
  g_assert_false (brm_connection_has_capability (f->connection, "pause"));
  g_assert_false (brm_connection_has_capability (f->connection, "events"));

  /* The table fills by polling, and a batch started later shows up too. */
  wait_store (f, first, (BrBatchStatus) -1, -1, "the first batch");
  second = start_batch (f, "Compat second", 50, 50);
  wait_store (f, second, (BrBatchStatus) -1, -1, "the batch started after it connected (polling)");
  g_assert_cmpuint (brm_batch_table_get_n_visible (BRM_BATCH_TABLE (brm_window_get_table (f->window))), ==, 2);

  /* Polling all but stops; the shown batch is watched, so its progress
   * comes through its per-batch WebSocket alone. The other one, not
   * watched, stands still in the store while the server moves it on. */
  g_object_set (feed, "poll-interval", 600000, NULL);
  brt_run_for (1000);
  g_assert_true (brm_window_show_batch (f->window, first));
  watched = br_batch_store_lookup (brm_connection_get_store (f->connection), first);
  unwatched = br_batch_store_lookup (brm_connection_get_store (f->connection), second);
  watched_before = br_batch_get_processed_leads (watched);
  unwatched_before = br_batch_get_processed_leads (unwatched);
  wait_store (f, first, (BrBatchStatus) -1, watched_before + 3, "the watched batch's progress over its WebSocket");
  g_free (server_status (f, second, &server_unwatched));
  g_assert_cmpint (server_unwatched, >, unwatched_before);
  g_assert_cmpint (br_batch_get_processed_leads (unwatched), ==, unwatched_before);

  /* Pause, resume and retry: disabled, saying why, to the eye and to a
   * screen reader. */
  for (guint i = 0; unsupported[i] != NULL; i++)
    {
      GtkWidget *button = find_button (GTK_WIDGET (f->window), unsupported[i]);
      const char *tooltip;

      g_assert_nonnull (button);
      g_assert_false (gtk_widget_get_sensitive (button));
      tooltip = gtk_widget_get_tooltip_text (button);
      g_assert_nonnull (tooltip);
      g_assert_nonnull (strstr (tooltip, "this service does not support it"));
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip);
    }

  /* Cancel works: asked, sent, and the row follows (by polling again). */
  g_object_set (feed, "poll-interval", 300, NULL);
  cancel = find_button (GTK_WIDGET (f->window), "win.batch-cancel");
  g_assert_true (gtk_widget_get_sensitive (cancel));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.batch-cancel", NULL);
  if (!brt_wait_until (dialog_shown, f->window, WAIT_MS))
    g_error ("Cancel asked nothing");
  dialog = brm_window_get_dialog (f->window);
  adw_message_dialog_response (dialog, "confirm");
  wait_store (f, first, BR_BATCH_STATUS_CANCELLED, -1, "the first batch cancelled");
  status = server_status (f, first, NULL);
  g_assert_cmpstr (status, ==, "cancelled");
  g_clear_pointer (&status, g_free);
  status = server_status (f, second, NULL);
  g_assert_cmpstr (status, !=, "cancelled");
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/monitor/compat/daemon-profile", Fixture, NULL, fixture_setup, test_daemon_profile, fixture_teardown);
  g_test_add ("/monitor/compat/monitor", Fixture, NULL, fixture_setup, test_monitor_against_base, fixture_teardown);

  return g_test_run ();
}
