/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "brm-batch-detail.h"
#include "brm-chart-view.h"
#include "brm-connection.h"
#include "brm-lead-list.h"
#include "brt-daemon.h"
#include "brt-fixtures.h"

#define WAIT_MS 20000

/* A daemon whose leads wait at a gate ------------------------------------------- */

/* The exec processor runs this per lead: it waits until the file "open"
 * exists next to it (or the folder is gone), then fails the leads of
 * "unreachable-" domains and completes the others. Tests hold a batch
 * running for as long as they need, then let it finish at once. */
static const char gate_script[] =
  "in=$(cat)\n"
  "dir=$(dirname \"$0\")\n"
  "while [ ! -e \"$dir/open\" ]; do [ -d \"$dir\" ] || exit 1; sleep 0.02; done\n"
  "case \"$in\" in\n"
  "  *unreachable-*) printf '%s\\n' '{\"success\": false, \"error_code\": \"DOMAIN_UNREACHABLE\","
  " \"error_message\": \"The domain did not answer\"}' ;;\n"
  "  *) printf '%s\\n' '{\"quality_score\": 0.5, \"report_url\": \"https://reports.example/lead\","
  " \"cost_breakdown\": {\"llm\": 0.02}}' ;;\n"
  "esac\n";

typedef struct
{
  BrtDaemon *daemon;
  char      *dir;
} Service;

static Service *
service_new (gboolean open)
{
  Service *s = g_new0 (Service, 1);
  g_autofree char *script = NULL;
  g_autofree char *command = NULL;

  s->dir = brt_make_tmp_dir ();
  script = g_build_filename (s->dir, "gate.sh", NULL);
  g_assert_true (g_file_set_contents (script, gate_script, -1, NULL));
  command = g_strdup_printf ("sh %s", script);
  if (open)
    {
      g_autofree char *gate = g_build_filename (s->dir, "open", NULL);

      g_assert_true (g_file_set_contents (gate, "", 0, NULL));
    }
  s->daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command,
                                "--workers", "4", "--progress-interval-ms", "20", NULL);
  return s;
}

static void
service_open (Service *s)
{
  g_autofree char *gate = g_build_filename (s->dir, "open", NULL);

  g_assert_true (g_file_set_contents (gate, "", 0, NULL));
}

static void
service_free (Service *s)
{
  /* Open first: a lead still waiting finishes instead of looping. */
  service_open (s);
  brt_daemon_free (s->daemon);
  brt_remove_tree (s->dir);
  g_free (s->dir);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Service, service_free)

/* @n_ok leads that complete and @n_failing that fail, in that order. */
static char *
start_batch (BrtDaemon *daemon,
             guint      n_ok,
             guint      n_failing)
{
  BrtLeadSpec failing = { .name_prefix = "Broken", .domain_prefix = "unreachable-" };
  g_autoptr(GPtrArray) ids = n_ok > 0 ? brt_import_leads (daemon, n_ok, NULL) : g_ptr_array_new_with_free_func (g_free);

  if (n_failing > 0)
    {
      g_autoptr(GPtrArray) bad = brt_import_leads (daemon, n_failing, &failing);

      for (guint i = 0; i < bad->len; i++)
        g_ptr_array_add (ids, g_strdup (bad->pdata[i]));
    }
  return brt_start_batch (daemon, ids, "\"retry_failed\": false, \"max_concurrent\": 4");
}

/* Waiting -------------------------------------------------------------------------- */

static gboolean
list_idle (gpointer data)
{
  BrmLeadList *list = data;

  return !brm_lead_list_get_loading (list) && brm_lead_list_get_total_count (list) >= 0;
}

static gboolean
list_failed (gpointer data)
{
  return brm_lead_list_get_error (data) != NULL;
}

static void
wait_list (BrmLeadList *list)
{
  g_assert_true (brt_wait_until (list_idle, list, WAIT_MS));
  g_assert_null (brm_lead_list_get_error (list));
}

typedef struct
{
  BrmLeadList *list;
  guint        n;
} ListSize;

static gboolean
list_has_n (gpointer data)
{
  ListSize *ls = data;

  return g_list_model_get_n_items (G_LIST_MODEL (ls->list)) == ls->n && !brm_lead_list_get_loading (ls->list);
}

static void
count_cb (gpointer  instance,
          guint    *counter)
{
  (*counter)++;
}

static void
count_items_changed_cb (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        guint      *counter)
{
  (*counter)++;
}

static BrmConnection *
connect_to (BrtDaemon *daemon)
{
  BrmConnection *connection = brm_connection_new (brt_daemon_get_url (daemon), NULL, NULL);

  br_batch_store_set_tick_interval (brm_connection_get_store (connection), 10);
  brm_connection_start (connection);
  return connection;
}

typedef struct
{
  BrmConnection *connection;
  const char    *batch_id;
  BrBatchStatus  status;
} StoreWait;

static gboolean
store_has_status (gpointer data)
{
  StoreWait *w = data;
  BrBatch *batch = br_batch_store_lookup (brm_connection_get_store (w->connection), w->batch_id);

  return batch != NULL && (w->status == BR_BATCH_STATUS_UNKNOWN || br_batch_get_status (batch) == w->status) &&
         brm_connection_get_capabilities (w->connection) != NULL;
}

static BrBatch *
wait_store_batch (BrmConnection *connection,
                  const char    *batch_id,
                  BrBatchStatus  status)
{
  StoreWait w = { connection, batch_id, status };

  g_assert_true (brt_wait_until (store_has_status, &w, WAIT_MS));
  return br_batch_store_lookup (brm_connection_get_store (connection), batch_id);
}

/* Finding widgets -------------------------------------------------------------------- */

typedef gboolean (*WidgetMatch) (GtkWidget  *widget,
                                 gconstpointer data);

static GtkWidget *
find_widget (GtkWidget     *root,
             WidgetMatch    match,
             gconstpointer  data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_type (GtkWidget     *widget,
         gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

static gboolean
has_name (GtkWidget     *widget,
          gconstpointer  data)
{
  return g_strcmp0 (gtk_widget_get_name (widget), data) == 0;
}

static gboolean
has_action (GtkWidget     *widget,
            gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

static gboolean
is_label_with_prefix (GtkWidget     *widget,
                      gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
         g_str_has_prefix (gtk_label_get_label (GTK_LABEL (widget)), data);
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  return find_widget (root, is_type, GSIZE_TO_POINTER (type));
}

/* The per-lead table (the charts' "Show as Table" views are column views
 * too). */
static gboolean
is_lead_view (GtkWidget     *widget,
              gconstpointer  data)
{
  return GTK_IS_COLUMN_VIEW (widget) && gtk_widget_get_ancestor (widget, BRM_TYPE_CHART_VIEW) == NULL;
}

static GtkWidget *
find_lead_view (GtkWidget *root)
{
  return find_widget (root, is_lead_view, NULL);
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  GtkWidget *widget = find_widget (root, has_name, name);

  g_assert_nonnull (widget);
  return widget;
}

/* Whether @widget and all its ancestors up to @top are visible. */
static gboolean
shown_within (GtkWidget *widget,
              GtkWidget *top)
{
  for (; widget != NULL && widget != top; widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget))
      return FALSE;
  return widget == top;
}

typedef struct
{
  GtkWidget  *root;
  const char *prefix;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *w = data;
  GtkWidget *label = find_widget (w->root, is_label_with_prefix, w->prefix);

  return label != NULL && shown_within (label, w->root);
}

static void
wait_label (GtkWidget  *root,
            const char *prefix)
{
  LabelWait w = { root, prefix };

  if (!brt_wait_until (label_shown, &w, WAIT_MS))
    g_error ("No label starting with “%s” appeared", prefix);
}

/* The value of a key/value grid: the label after the key's label. */
static gboolean
is_grid_key (GtkWidget     *widget,
             gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && GTK_IS_GRID (gtk_widget_get_parent (widget)) &&
         g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), data) == 0;
}

static const char *
detail_value (GtkWidget  *detail,
              const char *key)
{
  GtkWidget *label = find_widget (detail, is_grid_key, key);
  GtkWidget *value;

  if (label == NULL)
    g_error ("No value labelled “%s”", key);
  value = gtk_widget_get_next_sibling (label);
  g_assert_true (GTK_IS_LABEL (value));
  return gtk_label_get_label (GTK_LABEL (value));
}

typedef struct
{
  GtkWidget  *detail;
  const char *key;
  const char *value;
} ValueWait;

static gboolean
value_is (gpointer data)
{
  ValueWait *w = data;

  return g_strcmp0 (detail_value (w->detail, w->key), w->value) == 0;
}

static void
wait_value (GtkWidget  *detail,
            const char *key,
            const char *value)
{
  ValueWait w = { detail, key, value };

  if (!brt_wait_until (value_is, &w, WAIT_MS))
    g_error ("“%s” is “%s”, not “%s”", key, detail_value (detail, key), value);
}

static guint
n_rows (GtkListBox *list)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, n) != NULL)
    n++;
  return n;
}

static GtkWindow *
present (GtkWidget *detail)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, 1100, 1000);
  gtk_window_set_child (window, detail);
  gtk_window_present (window);
  return window;
}

/* Tests ------------------------------------------------------------------------------- */

static void
test_empty_and_accessible (void)
{
  static const struct { const char *action; const char *name; } buttons[] = {
    { "win.batch-pause", "Pause" },
    { "win.batch-resume", "Resume" },
    { "win.batch-cancel", "Cancel Batch" },
    { "win.batch-retry-failed", "Retry Failed" },
    { "win.lead-retry-selected", "Retry Selected" },
    { "win.lead-open-report", "Open Report" },
    { "win.batch-copy-id", "Copy ID" },
  };
  GtkWidget *detail = g_object_ref_sink (brm_batch_detail_new ());
  GtkStack *stack = GTK_STACK (find_type (detail, GTK_TYPE_STACK));
  GtkWidget *status_page = find_type (detail, ADW_TYPE_STATUS_PAGE);
  GtkWidget *view = find_lead_view (detail);
  GtkWidget *progress = find_type (detail, GTK_TYPE_PROGRESS_BAR);
  GtkWidget *filter = find_type (detail, GTK_TYPE_DROP_DOWN);

  g_assert_null (brm_batch_detail_get_batch (BRM_BATCH_DETAIL (detail)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status_page)), ==, "Select a batch");
  g_assert_cmpuint (brm_batch_detail_get_n_selected_leads (BRM_BATCH_DETAIL (detail)), ==, 0);

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (detail), GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (detail), GTK_ACCESSIBLE_PROPERTY_LABEL, "Batch details");

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      GtkWidget *button = find_widget (detail, has_action, buttons[i].action);
      GtkWidget *content;

      g_assert_nonnull (button);
      gtk_test_accessible_assert_role (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_ROLE_BUTTON);
      /* Named by its visible label alone: an accessible label on top
       * makes GTK 4.8 read it twice ("Pause Pause"). */
      g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL));
      g_assert_nonnull (gtk_widget_get_tooltip_text (button));
      /* Icon and visible text both. */
      content = gtk_button_get_child (GTK_BUTTON (button));
      g_assert_true (ADW_IS_BUTTON_CONTENT (content));
      g_assert_cmpstr (adw_button_content_get_label (ADW_BUTTON_CONTENT (content)), ==, buttons[i].name);
      g_assert_true (g_str_has_suffix (adw_button_content_get_icon_name (ADW_BUTTON_CONTENT (content)), "-symbolic"));
      /* No window installs the actions here: nothing to do. */
      g_assert_false (gtk_widget_is_sensitive (button));
    }

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, "Lead results");
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (progress), GTK_ACCESSIBLE_ROLE_PROGRESS_BAR);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (progress), GTK_ACCESSIBLE_PROPERTY_LABEL, "Batch progress");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (filter), GTK_ACCESSIBLE_PROPERTY_LABEL, "Lead status filter");

  g_assert_finalize_object (detail);
}

/* Keyboard: the action buttons are tab stops themselves, not their
 * flow box cells. */
static void
test_keyboard_reaches_buttons (void)
{
  static const char * const names[] = {
    "batch-pause", "batch-resume", "batch-cancel", "batch-retry-failed",
    "lead-retry-selected", "lead-open-report", "batch-copy-id",
  };
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  GtkWidget *detail = g_object_ref_sink (brm_batch_detail_new ());
  GtkWindow *window;
  GtkWidget *flow = find_type (detail, GTK_TYPE_FLOW_BOX);
  GtkWidget *focus;

  /* The window's actions, as the window installs them. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GSimpleAction) action = g_simple_action_new (names[i], NULL);

      g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
    }
  window = present (detail);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "win", G_ACTION_GROUP (group));
  g_assert_true (gtk_widget_is_sensitive (find_widget (detail, has_action, "win.batch-pause")));

  g_assert_true (gtk_widget_child_focus (flow, GTK_DIR_TAB_FORWARD));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  if (!GTK_IS_BUTTON (focus))
    g_error ("The focus went to a %s", G_OBJECT_TYPE_NAME (focus));
  g_assert_true (GTK_IS_BUTTON (focus));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (focus)), ==, "win.batch-pause");

  gtk_window_destroy (window);
  g_assert_finalize_object (detail);
}

static void
test_lead_list_paging (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 250, NULL);
  g_autofree char *batch_id = brt_start_batch (daemon, ids, NULL);
  g_autoptr(JsonObject) done = brt_wait_batch_status (daemon, batch_id, "completed", WAIT_MS);
  g_autoptr(JsonArray) server = brt_get_results (daemon, batch_id, NULL);
  g_autoptr(BrClient) client = br_client_new (brt_daemon_get_url (daemon));
  g_autoptr(BrmLeadList) list = brm_lead_list_new (client, batch_id);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(BrLeadResult) probe = NULL;
  ListSize ls = { list, 0 };
  guint changes = 0;

  g_signal_connect (list, "items-changed", G_CALLBACK (count_items_changed_cb), &changes);
  g_assert_true (brm_lead_list_get_loading (list));
  g_assert_cmpint (brm_lead_list_get_total_count (list), ==, -1);

  /* First page only. */
  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 100);
  g_assert_cmpint (brm_lead_list_get_total_count (list), ==, 250);
  g_assert_true (brm_lead_list_get_has_more (list));
  g_assert_cmpuint (changes, ==, 1);

  /* Reading far from the end loads nothing. */
  probe = g_list_model_get_item (G_LIST_MODEL (list), 10);
  g_clear_object (&probe);
  brt_run_for (200);
  g_assert_false (brm_lead_list_get_loading (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 100);

  /* Within a quarter page of the end: the next page comes. */
  probe = g_list_model_get_item (G_LIST_MODEL (list), 80);
  g_clear_object (&probe);
  ls.n = 200;
  g_assert_true (brt_wait_until (list_has_n, &ls, WAIT_MS));
  g_assert_cmpuint (changes, ==, 2);

  probe = g_list_model_get_item (G_LIST_MODEL (list), 199);
  g_clear_object (&probe);
  ls.n = 250;
  g_assert_true (brt_wait_until (list_has_n, &ls, WAIT_MS));
  g_assert_false (brm_lead_list_get_has_more (list));

  /* The end: no more requests. */
  probe = g_list_model_get_item (G_LIST_MODEL (list), 249);
  g_clear_object (&probe);
  brt_run_for (200);
  g_assert_false (brm_lead_list_get_loading (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 250);
  g_assert_cmpuint (changes, ==, 3);

  /* The server's order, each lead once, and lookup finds each. */
  g_assert_cmpuint (json_array_get_length (server), ==, 250);
  for (guint i = 0; i < 250; i++)
    {
      g_autoptr(BrLeadResult) result = g_list_model_get_item (G_LIST_MODEL (list), i);
      const char *id = br_lead_result_get_lead_id (result);

      g_assert_cmpstr (id, ==, brt_str (json_array_get_object_element (server, i), "lead_id"));
      g_assert_true (g_hash_table_add (seen, (gpointer) id));
      g_assert_true (brm_lead_list_lookup (list, id) == result);
      g_assert_cmpint (br_lead_result_get_status (result), ==, BR_LEAD_STATUS_COMPLETED);
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 250));

  /* A smaller page size takes effect from the next load. */
  brm_lead_list_set_page_size (list, 30);
  brm_lead_list_reload (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 30);
  brm_lead_list_load_more (list);
  ls.n = 60;
  g_assert_true (brt_wait_until (list_has_n, &ls, WAIT_MS));
}

static void
test_lead_list_filter_and_stale (void)
{
  g_autoptr(Service) service = service_new (TRUE);
  g_autofree char *batch_a = start_batch (service->daemon, 4, 2);
  g_autofree char *batch_b = start_batch (service->daemon, 3, 0);
  g_autoptr(JsonObject) a_done = brt_wait_batch_status (service->daemon, batch_a, "completed", WAIT_MS);
  g_autoptr(JsonObject) b_done = brt_wait_batch_status (service->daemon, batch_b, "completed", WAIT_MS);
  g_autoptr(BrClient) client = br_client_new (brt_daemon_get_url (service->daemon));
  g_autoptr(BrmLeadList) list = brm_lead_list_new (client, NULL);

  g_assert_false (brm_lead_list_get_loading (list));
  g_assert_false (brm_lead_list_get_has_more (list));

  /* The server filters. */
  brm_lead_list_set_batch_id (list, batch_a);
  brm_lead_list_set_status (list, BR_LEAD_STATUS_FAILED);
  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_cmpint (brm_lead_list_get_total_count (list), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(BrLeadResult) r = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_assert_cmpint (br_lead_result_get_status (r), ==, BR_LEAD_STATUS_FAILED);
      g_assert_cmpstr (br_lead_result_get_error_code (r), ==, "DOMAIN_UNREACHABLE");
      g_assert_cmpstr (br_lead_result_get_company_name (r), !=, NULL);
    }

  brm_lead_list_set_status (list, BR_LEAD_STATUS_COMPLETED);
  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 4);
  g_assert_cmpint (brm_lead_list_get_total_count (list), ==, 4);

  /* Switching batch while A's page is in flight: only B's results land. */
  brm_lead_list_set_status (list, BR_LEAD_STATUS_UNKNOWN);
  brm_lead_list_set_batch_id (list, batch_a);
  g_assert_true (brm_lead_list_get_loading (list));
  brm_lead_list_set_batch_id (list, batch_b);
  wait_list (list);
  brt_run_for (300);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  g_assert_cmpint (brm_lead_list_get_total_count (list), ==, 3);
  {
    g_autoptr(JsonArray) b_results = brt_get_results (service->daemon, batch_b, NULL);

    for (guint i = 0; i < 3; i++)
      g_assert_nonnull (brm_lead_list_lookup (list, brt_str (json_array_get_object_element (b_results, i), "lead_id")));
  }
}

static void
test_lead_list_updates (void)
{
  g_autoptr(Service) service = service_new (TRUE);
  g_autofree char *batch_id = start_batch (service->daemon, 4, 2);
  g_autoptr(JsonObject) done = brt_wait_batch_status (service->daemon, batch_id, "completed", WAIT_MS);
  g_autoptr(BrClient) client = br_client_new (brt_daemon_get_url (service->daemon));
  g_autoptr(BrmLeadList) list = brm_lead_list_new (client, batch_id);
  g_autoptr(BrLeadResult) first = NULL;
  g_autoptr(BrLeadResult) failed = NULL;
  g_autoptr(BrLeadResult) completed = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *failed_id = NULL;
  guint changes = 0;

  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 6);
  g_signal_connect (list, "items-changed", G_CALLBACK (count_items_changed_cb), &changes);

  /* In place: the same object, no row change. */
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  node = br_lead_result_to_json (first);
  json_object_set_string_member (json_node_get_object (node), "status", "processing");
  json_object_remove_member (json_node_get_object (node), "company_name");
  g_assert_true (brm_lead_list_apply_update (list, json_node_get_object (node)));
  g_assert_cmpint (br_lead_result_get_status (first), ==, BR_LEAD_STATUS_PROCESSING);
  g_assert_nonnull (br_lead_result_get_company_name (first));
  g_assert_cmpuint (changes, ==, 0);
  g_clear_pointer (&node, json_node_unref);

  /* An update that arrives while a page loads may be newer than the
   * page: it wins. */
  {
    g_autoptr(JsonObject) newer = json_object_new ();
    g_autofree char *id = g_strdup (br_lead_result_get_lead_id (first));

    brm_lead_list_reload (list);
    g_assert_true (brm_lead_list_get_loading (list));
    json_object_set_string_member (newer, "lead_id", id);
    json_object_set_string_member (newer, "status", "processing");
    g_assert_false (brm_lead_list_apply_update (list, newer));
    wait_list (list);
    g_clear_object (&first);
    first = g_object_ref (brm_lead_list_lookup (list, id));
    g_assert_cmpint (br_lead_result_get_status (first), ==, BR_LEAD_STATUS_PROCESSING);
    g_assert_nonnull (br_lead_result_get_company_name (first));
    changes = 0;
  }

  /* A lead of no loaded row and no filter: it would come with its page. */
  {
    g_autoptr(JsonObject) stranger = json_object_new ();

    json_object_set_string_member (stranger, "lead_id", "00000000-0000-4000-8000-000000000000");
    json_object_set_string_member (stranger, "status", "failed");
    brm_lead_list_set_page_size (list, 2);
    brm_lead_list_reload (list);
    wait_list (list);
    g_assert_true (brm_lead_list_get_has_more (list));
    g_assert_false (brm_lead_list_apply_update (list, stranger));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
    brm_lead_list_set_page_size (list, 100);
  }

  /* Filtered on failed: a failed lead going back to pending leaves, a
   * completed one failing comes in. */
  brm_lead_list_set_status (list, BR_LEAD_STATUS_FAILED);
  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  changes = 0;

  failed = g_list_model_get_item (G_LIST_MODEL (list), 0);
  failed_id = g_strdup (br_lead_result_get_lead_id (failed));
  node = br_lead_result_to_json (failed);
  json_object_set_string_member (json_node_get_object (node), "status", "pending");
  g_assert_true (brm_lead_list_apply_update (list, json_node_get_object (node)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_cmpint (brm_lead_list_get_total_count (list), ==, 1);
  g_assert_null (brm_lead_list_lookup (list, failed_id));
  g_assert_cmpuint (changes, ==, 1);
  g_clear_pointer (&node, json_node_unref);

  {
    g_autoptr(JsonArray) done_results = brt_get_results (service->daemon, batch_id, "completed");
    JsonObject *obj = json_array_get_object_element (done_results, 0);
    g_autoptr(JsonObject) update = json_object_new ();

    json_object_set_string_member (update, "lead_id", brt_str (obj, "lead_id"));
    json_object_set_string_member (update, "status", "failed");
    json_object_set_string_member (update, "error_code", "TIMEOUT");
    g_assert_true (brm_lead_list_apply_update (list, update));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
    g_assert_cmpint (brm_lead_list_get_total_count (list), ==, 2);
    completed = g_object_ref (brm_lead_list_lookup (list, brt_str (obj, "lead_id")));
    g_assert_cmpstr (br_lead_result_get_error_code (completed), ==, "TIMEOUT");

    /* Not matching the filter: ignored. */
    json_object_set_string_member (update, "lead_id", "00000000-0000-4000-8000-000000000001");
    json_object_set_string_member (update, "status", "completed");
    g_assert_false (brm_lead_list_apply_update (list, update));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  }
}

typedef struct
{
  char  *batch_id;
  guint  n;
  char  *last_lead;
} FeedCount;

static void
lead_updated_cb (BrLiveFeed *feed,
                 const char *batch_id,
                 JsonObject *result,
                 FeedCount  *counts)
{
  for (FeedCount *c = counts; c->batch_id != NULL; c++)
    if (g_str_equal (c->batch_id, batch_id))
      {
        c->n++;
        g_free (c->last_lead);
        c->last_lead = g_strdup (json_object_get_string_member_with_default (result, "lead_id", NULL));
      }
}

static gboolean
all_final (gpointer data)
{
  BrmLeadList *list = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrLeadResult) r = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (!br_lead_status_is_final (br_lead_result_get_status (r)))
        return FALSE;
    }
  return n > 0;
}

typedef struct
{
  GtkListBox *list;
  const char *title_prefix;
  const char *subtitle_prefix;
} RowWait;

static GtkWidget *
find_row (RowWait *w)
{
  GtkListBoxRow *row;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (w->list, i)) != NULL; i++)
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

      if (g_str_has_prefix (title, w->title_prefix) &&
          (w->subtitle_prefix == NULL || (subtitle != NULL && g_str_has_prefix (subtitle, w->subtitle_prefix))))
        return GTK_WIDGET (row);
    }
  return NULL;
}

static gboolean
row_shown (gpointer data)
{
  return find_row (data) != NULL;
}

static GtkWidget *
wait_row (GtkListBox *list,
          const char *title_prefix,
          const char *subtitle_prefix)
{
  RowWait w = { list, title_prefix, subtitle_prefix };

  if (!brt_wait_until (row_shown, &w, WAIT_MS))
    g_error ("No row “%s” / “%s” appeared", title_prefix, subtitle_prefix ? subtitle_prefix : "");
  return find_row (&w);
}

static gboolean
is_report_button (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_sensitive (widget) &&
         g_strcmp0 (gtk_widget_get_tooltip_text (widget), "Open the report of this lead") == 0;
}

static void
activated_cb (GSimpleAction *action,
              GVariant      *parameter,
              guint         *counter)
{
  (*counter)++;
}

static void
test_live (void)
{
  g_autoptr(Service) service = service_new (FALSE);
  g_autoptr(BrmConnection) connection = connect_to (service->daemon);
  g_autofree char *batch_id = start_batch (service->daemon, 4, 2);
  FeedCount counts[] = { { batch_id, 0, NULL }, { NULL } };
  BrBatch *batch = wait_store_batch (connection, batch_id, BR_BATCH_STATUS_RUNNING);
  GtkWidget *detail = g_object_ref_sink (brm_batch_detail_new ());
  GtkWindow *window = present (detail);
  BrmLeadList *list = brm_batch_detail_get_lead_list (BRM_BATCH_DETAIL (detail));
  GtkWidget *progress = find_type (detail, GTK_TYPE_PROGRESS_BAR);
  GtkListBox *errors = GTK_LIST_BOX (find_named (detail, "error-list"));
  GtkListBox *activity = GTK_LIST_BOX (find_named (detail, "activity-list"));
  GtkListBox *audit = GTK_LIST_BOX (find_named (detail, "audit-list"));
  GtkStack *stack = GTK_STACK (find_type (detail, GTK_TYPE_STACK));
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *hint = NULL;
  const char *expected;
  GtkWidget *error_row;
  guint changes = 0;

  g_signal_connect (brm_connection_get_feed (connection), "lead-updated", G_CALLBACK (lead_updated_cb), counts);

  g_object_set (detail, "connection", connection, "batch", batch, NULL);
  g_assert_true (brm_batch_detail_get_batch (BRM_BATCH_DETAIL (detail)) == batch);
  g_assert_true (brm_batch_detail_get_connection (BRM_BATCH_DETAIL (detail)) == connection);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "batch");

  /* Held at the gate: running, nothing done. */
  wait_label (detail, "Running");
  wait_label (detail, br_batch_get_name (batch));
  g_assert_cmpstr (detail_value (detail, "Total"), ==, "6");
  g_assert_cmpstr (detail_value (detail, "Processed"), ==, "0");
  g_assert_cmpstr (detail_value (detail, "Failed"), ==, "0");
  g_assert_cmpstr (detail_value (detail, "Completed"), ==, "Not finished");
  g_assert_cmpstr (detail_value (detail, "Time left"), !=, "Finished");
  g_assert_true (g_str_has_prefix (detail_value (detail, "Difference"), "−$"));
  expected = "0% · 0 of 6 leads";
  g_assert_cmpstr (gtk_progress_bar_get_text (GTK_PROGRESS_BAR (progress)), ==, expected);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (progress), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, expected);

  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      BrLeadResult *r = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_assert_false (br_lead_status_is_final (br_lead_result_get_status (r)));
      g_ptr_array_add (before, r);
    }
  wait_label (detail, "6 leads");
  g_signal_connect (list, "items-changed", G_CALLBACK (count_items_changed_cb), &changes);

  /* The audit trail knows who started it. */
  wait_row (audit, "Started", NULL);

  /* Let them go. The watch was sent with the set_batch above; give the
   * server's loop a moment to take it before the first result. */
  brt_run_for (200);
  service_open (service);
  wait_store_batch (connection, batch_id, BR_BATCH_STATUS_COMPLETED);

  wait_label (detail, "Completed");
  wait_value (detail, "Failed", "2");
  g_assert_cmpstr (detail_value (detail, "Processed"), ==, "6");
  g_assert_cmpstr (detail_value (detail, "Succeeded"), ==, "4");
  g_assert_cmpstr (detail_value (detail, "Failed"), ==, "2");
  g_assert_cmpstr (detail_value (detail, "Skipped"), ==, "0");
  g_assert_cmpstr (detail_value (detail, "Time left"), ==, "Finished");
  g_assert_cmpstr (detail_value (detail, "Completed"), !=, "Not finished");
  expected = "100% · 6 of 6 leads";
  g_assert_cmpstr (gtk_progress_bar_get_text (GTK_PROGRESS_BAR (progress)), ==, expected);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (progress), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, expected);

  /* The rows changed in place, through the watch: same objects, no
   * reload, final statuses. */
  g_assert_true (brt_wait_until (all_final, list, WAIT_MS));
  g_assert_cmpuint (changes, ==, 0);
  g_assert_cmpuint (counts[0].n, >=, 6);
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(BrLeadResult) r = g_list_model_get_item (G_LIST_MODEL (list), i);
      BrLeadStatus status = br_lead_result_get_status (r);

      g_assert_true (r == g_ptr_array_index (before, i));
      g_assert_cmpint (status, ==, i < 4 ? BR_LEAD_STATUS_COMPLETED : BR_LEAD_STATUS_FAILED);
      if (status == BR_LEAD_STATUS_FAILED)
        g_assert_cmpstr (br_lead_result_get_error_code (r), ==, "DOMAIN_UNREACHABLE");
    }

  /* A status cell says it in words, an error cell says why. */
  wait_label (GTK_WIDGET (find_lead_view (detail)), "DOMAIN_UNREACHABLE: The domain did not answer");
  wait_label (GTK_WIDGET (find_lead_view (detail)), "Failed");

  /* A row's report button opens that lead's report through the window's
   * action, with the row as the selection. */
  {
    g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
    g_autoptr(GSimpleAction) open = g_simple_action_new ("lead-open-report", NULL);
    g_autoptr(GPtrArray) selected = NULL;
    GtkWidget *button;
    guint opened = 0;

    g_signal_connect (open, "activate", G_CALLBACK (activated_cb), &opened);
    g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (open));
    gtk_widget_insert_action_group (GTK_WIDGET (window), "win", G_ACTION_GROUP (group));
    button = find_widget (find_lead_view (detail), is_report_button, NULL);
    g_assert_nonnull (button);
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, "Open Report");
    g_signal_emit_by_name (button, "clicked");
    g_assert_cmpuint (opened, ==, 1);
    selected = brm_batch_detail_dup_selected_leads (BRM_BATCH_DETAIL (detail));
    g_assert_cmpuint (selected->len, ==, 1);
    g_assert_cmpstr (br_lead_result_get_report_url (g_ptr_array_index (selected, 0)), ==,
                     "https://reports.example/lead");
  }

  /* Errors by code, with the count and the server's hint. */
  error_row = wait_row (errors, "DOMAIN_UNREACHABLE", "The lead's domain did not resolve");
  g_assert_cmpuint (n_rows (errors), ==, 1);
  hint = g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (error_row)));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (error_row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "DOMAIN_UNREACHABLE: 2 failed leads");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (error_row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, hint);
  g_assert_nonnull (find_widget (error_row, is_label_with_prefix, "2"));

  /* Recent activity: newest first, capped. */
  g_assert_cmpuint (n_rows (activity), >=, 1);
  g_assert_cmpuint (n_rows (activity), <=, 20);
  {
    BrLeadResult *last = brm_lead_list_lookup (list, counts[0].last_lead);
    GtkListBoxRow *top = gtk_list_box_get_row_at_index (activity, 0);

    g_assert_nonnull (last);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (top)), ==,
                     br_lead_result_get_company_name (last));
  }

  g_signal_handlers_disconnect_by_data (brm_connection_get_feed (connection), counts);
  g_free (counts[0].last_lead);
  gtk_window_destroy (window);
  g_assert_finalize_object (detail);
}

static void
test_selection (void)
{
  g_autoptr(Service) service = service_new (TRUE);
  g_autoptr(BrmConnection) connection = connect_to (service->daemon);
  g_autofree char *batch_id = start_batch (service->daemon, 4, 2);
  g_autoptr(JsonObject) done = brt_wait_batch_status (service->daemon, batch_id, "completed", WAIT_MS);
  BrBatch *batch = wait_store_batch (connection, batch_id, BR_BATCH_STATUS_COMPLETED);
  GtkWidget *detail = g_object_ref_sink (brm_batch_detail_new ());
  BrmBatchDetail *d = BRM_BATCH_DETAIL (detail);
  BrmLeadList *list = brm_batch_detail_get_lead_list (d);
  GtkSelectionModel *selection = brm_batch_detail_get_lead_selection (d);
  GtkDropDown *filter = GTK_DROP_DOWN (find_type (detail, GTK_TYPE_DROP_DOWN));
  g_autoptr(GPtrArray) selected = NULL;
  guint signalled = 0;

  g_signal_connect (detail, "lead-selection-changed", G_CALLBACK (count_cb), &signalled);
  brm_batch_detail_set_connection (d, connection);
  brm_batch_detail_set_batch (d, batch);
  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, 6);

  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_cmpuint (signalled, ==, 1);
  g_assert_cmpuint (brm_batch_detail_get_n_selected_leads (d), ==, 1);

  gtk_selection_model_select_range (selection, 4, 2, FALSE);
  g_assert_cmpuint (signalled, ==, 2);
  g_assert_cmpuint (brm_batch_detail_get_n_selected_leads (d), ==, 3);

  selected = brm_batch_detail_dup_selected_leads (d);
  g_assert_cmpuint (selected->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(BrLeadResult) item = g_list_model_get_item (G_LIST_MODEL (list), i == 0 ? 0 : 3 + i);

      g_assert_true (g_ptr_array_index (selected, i) == item);
    }
  g_assert_cmpint (br_lead_result_get_status (g_ptr_array_index (selected, 2)), ==, BR_LEAD_STATUS_FAILED);

  /* Another filter is another list: the selection empties, and says so. */
  gtk_drop_down_set_selected (filter, BR_LEAD_STATUS_FAILED);
  g_assert_cmpint (brm_lead_list_get_status (list), ==, BR_LEAD_STATUS_FAILED);
  g_assert_cmpuint (signalled, ==, 3);
  g_assert_cmpuint (brm_batch_detail_get_n_selected_leads (d), ==, 0);
  g_clear_pointer (&selected, g_ptr_array_unref);
  selected = brm_batch_detail_dup_selected_leads (d);
  g_assert_cmpuint (selected->len, ==, 0);
  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);

  gtk_selection_model_select_all (selection);
  g_assert_cmpuint (brm_batch_detail_get_n_selected_leads (d), ==, 2);
  g_assert_cmpuint (signalled, ==, 4);

  /* Refresh loads the results again, under the same filter. */
  brm_batch_detail_refresh (d);
  g_assert_true (brm_lead_list_get_loading (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpuint (brm_batch_detail_get_n_selected_leads (d), ==, 0);
  g_assert_cmpuint (signalled, ==, 5);
  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_cmpint (brm_lead_list_get_status (list), ==, BR_LEAD_STATUS_FAILED);

  /* So does showing no batch. */
  gtk_selection_model_select_item (selection, 1, TRUE);
  g_assert_cmpuint (signalled, ==, 6);
  brm_batch_detail_set_batch (d, NULL);
  g_assert_cmpuint (signalled, ==, 7);
  g_assert_cmpuint (brm_batch_detail_get_n_selected_leads (d), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (find_type (detail, GTK_TYPE_STACK))), ==, "empty");

  g_assert_finalize_object (detail);
}

typedef struct
{
  BrBatch *batch;
  gint64   seq;
} SeqWait;

static gboolean
seq_reached (gpointer data)
{
  SeqWait *w = data;

  return br_batch_get_seq (w->batch) >= w->seq;
}

static void
test_switch_batch (void)
{
  g_autoptr(Service) service = service_new (FALSE);
  g_autoptr(BrmConnection) connection = connect_to (service->daemon);
  g_autofree char *batch_a = start_batch (service->daemon, 3, 0);
  g_autofree char *batch_b = start_batch (service->daemon, 2, 1);
  FeedCount counts[] = { { batch_a, 0, NULL }, { batch_b, 0, NULL }, { NULL } };
  BrBatch *a = wait_store_batch (connection, batch_a, BR_BATCH_STATUS_UNKNOWN);
  BrBatch *b = wait_store_batch (connection, batch_b, BR_BATCH_STATUS_UNKNOWN);
  GtkWidget *detail = g_object_ref_sink (brm_batch_detail_new ());
  BrmBatchDetail *d = BRM_BATCH_DETAIL (detail);
  BrmLeadList *list = brm_batch_detail_get_lead_list (d);
  g_autoptr(JsonArray) b_results = NULL;

  g_signal_connect (brm_connection_get_feed (connection), "lead-updated", G_CALLBACK (lead_updated_cb), counts);
  brm_batch_detail_set_connection (d, connection);

  /* Shown and left before its page came: that page never lands. */
  brm_batch_detail_set_batch (d, a);
  g_assert_true (brm_lead_list_get_loading (list));
  brm_batch_detail_set_batch (d, b);
  g_assert_cmpstr (brm_lead_list_get_batch_id (list), ==, batch_b);
  wait_list (list);
  brt_run_for (300);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  b_results = brt_get_results (service->daemon, batch_b, NULL);
  for (guint i = 0; i < 3; i++)
    g_assert_nonnull (brm_lead_list_lookup (list, brt_str (json_array_get_object_element (b_results, i), "lead_id")));

  /* Shown long enough to load, then left. */
  brm_batch_detail_set_batch (d, a);
  wait_list (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  brm_batch_detail_set_batch (d, b);
  wait_list (list);

  /* Only B is watched now: its leads' updates come, A's never do. */
  brt_run_for (200);
  service_open (service);
  wait_store_batch (connection, batch_a, BR_BATCH_STATUS_COMPLETED);
  wait_store_batch (connection, batch_b, BR_BATCH_STATUS_COMPLETED);
  g_assert_true (brt_wait_until (all_final, list, WAIT_MS));
  g_assert_cmpuint (counts[1].n, >=, 3);
  g_assert_cmpuint (counts[0].n, ==, 0);

  /* And none once the pane shows nothing: B's failed lead runs again,
   * and when the store has the batch's last event, no lead update came
   * before it (one socket, in order). */
  brm_batch_detail_set_batch (d, NULL);
  counts[1].n = 0;
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/retry", batch_b);
    g_autoptr(JsonObject) retried = brt_request (service->daemon, "POST", path, "{}", 200);
    g_autoptr(JsonObject) again = brt_wait_batch_status (service->daemon, batch_b, "completed", WAIT_MS);
    SeqWait w = { b, brt_int (again, "seq") };

    g_assert_cmpint (brt_int (again, "failed_leads"), ==, 1);
    g_assert_true (brt_wait_until (seq_reached, &w, WAIT_MS));
  }
  g_assert_cmpuint (counts[1].n, ==, 0);

  g_signal_handlers_disconnect_by_data (brm_connection_get_feed (connection), counts);
  g_free (counts[0].last_lead);
  g_free (counts[1].last_lead);
  g_assert_finalize_object (detail);
}

static void
test_server_error (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(BrmConnection) connection = connect_to (daemon);
  g_autoptr(JsonObject) ghost_json = json_object_new ();
  g_autoptr(BrBatch) ghost = NULL;
  g_autofree char *ghost_id = g_uuid_string_random ();
  g_autofree char *expected = NULL;
  GtkWidget *detail = g_object_ref_sink (brm_batch_detail_new ());
  GtkWindow *window = present (detail);
  BrmLeadList *list = brm_batch_detail_get_lead_list (BRM_BATCH_DETAIL (detail));
  GtkWidget *retry;

  json_object_set_string_member (ghost_json, "id", ghost_id);
  json_object_set_string_member (ghost_json, "name", "Ghost");
  json_object_set_string_member (ghost_json, "status", "running");
  ghost = br_batch_new_from_json (ghost_json, NULL);
  g_assert_nonnull (ghost);

  brm_batch_detail_set_connection (BRM_BATCH_DETAIL (detail), connection);
  brm_batch_detail_set_batch (BRM_BATCH_DETAIL (detail), ghost);

  /* The server's own words, inline, with a way to try again. */
  g_assert_true (brt_wait_until (list_failed, list, WAIT_MS));
  g_assert_cmpuint (br_client_error_get_http_status (brm_lead_list_get_error (list)), ==, 404);
  expected = g_strdup_printf ("Could not load the lead results: No batch with id %s", ghost_id);
  wait_label (detail, expected);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Could not load the error summary: No batch with id %s", ghost_id);
  wait_label (detail, expected);

  /* The button beside the message. */
  retry = gtk_widget_get_last_child (gtk_widget_get_parent (find_widget (detail, is_label_with_prefix,
                                                                         "Could not load the lead results")));
  g_assert_true (GTK_IS_BUTTON (retry));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (retry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Retry loading the lead results");
  g_signal_emit_by_name (retry, "clicked");
  g_assert_true (brm_lead_list_get_loading (list));
  g_assert_null (brm_lead_list_get_error (list));
  g_assert_true (brt_wait_until (list_failed, list, WAIT_MS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  /* A stopped server: the network error, still inline. */
  brt_daemon_stop (daemon);
  g_signal_emit_by_name (retry, "clicked");
  g_assert_true (brt_wait_until (list_failed, list, WAIT_MS));
  if (!g_error_matches (brm_lead_list_get_error (list), BR_CLIENT_ERROR, BR_CLIENT_ERROR_NETWORK))
    g_error ("Not a network error: %s %d: %s", g_quark_to_string (brm_lead_list_get_error (list)->domain),
             brm_lead_list_get_error (list)->code, brm_lead_list_get_error (list)->message);
  wait_label (detail, "Could not load the lead results: ");

  gtk_window_destroy (window);
  g_assert_finalize_object (detail);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/monitor/batch-detail/empty-and-accessible", test_empty_and_accessible);
  g_test_add_func ("/monitor/batch-detail/keyboard", test_keyboard_reaches_buttons);
  g_test_add_func ("/monitor/batch-detail/lead-list/paging", test_lead_list_paging);
  g_test_add_func ("/monitor/batch-detail/lead-list/filter-and-stale", test_lead_list_filter_and_stale);
  g_test_add_func ("/monitor/batch-detail/lead-list/updates", test_lead_list_updates);
  g_test_add_func ("/monitor/batch-detail/live", test_live);
  g_test_add_func ("/monitor/batch-detail/selection", test_selection);
  g_test_add_func ("/monitor/batch-detail/switch-batch", test_switch_batch);
  g_test_add_func ("/monitor/batch-detail/server-error", test_server_error);

  return g_test_run ();
}
