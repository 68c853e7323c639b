/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "brm-application.h"
#include "brm-connection.h"
#include "brm-new-batch-window.h"
#include "brt-daemon.h"
#include "brt-fixtures.h"

/* The new-batch window against a real batch-runnerd: what the operator
 * sees is what the service computes, nothing over the per-batch limit is
 * ever selected, unavailable templates cannot be chosen, the budget
 * warning shows, a refused start loses nothing, imports report refused
 * rows, and a draft survives closing the window. */

#define WAIT_MS 20000

/* Widgets by what they show ------------------------------------------------------ */

typedef gboolean (*Match) (GtkWidget *widget,
                           gconstpointer data);

static GtkWidget *
find_widget (GtkWidget     *root,
             Match          match,
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
         gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  return find_widget (root, is_type, GSIZE_TO_POINTER (type));
}

static gboolean
is_row_titled (GtkWidget     *widget,
               gconstpointer  title)
{
  return ADW_IS_PREFERENCES_ROW (widget) &&
         g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  GtkWidget *row = find_widget (root, is_row_titled, title);

  g_assert_nonnull (row);
  return row;
}

static gboolean
is_numeric_label (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "numeric");
}

/* The figure a cost or budget row shows. */
static const char *
row_value (GtkWidget  *root,
           const char *title)
{
  GtkWidget *label = find_widget (find_row (root, title), is_numeric_label, NULL);

  g_assert_nonnull (label);
  return gtk_label_get_label (GTK_LABEL (label));
}

static gboolean
is_label_text (GtkWidget     *widget,
               gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_label_with_prefix (GtkWidget     *widget,
                      gconstpointer  prefix)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_str_has_prefix (gtk_label_get_label (GTK_LABEL (widget)), prefix);
}

/* A label on screen (mapped: revealed, visible page) starting with @prefix. */
static GtkWidget *
find_shown_label (GtkWidget  *root,
                  const char *prefix)
{
  return find_widget (root, is_label_with_prefix, prefix);
}

static const char *
check_text (GtkCheckButton *check)
{
  GtkWidget *child = gtk_check_button_get_child (check);

  if (GTK_IS_LABEL (child))
    return gtk_label_get_label (GTK_LABEL (child));
  return gtk_check_button_get_label (check);
}

static gboolean
is_check_with_prefix (GtkWidget     *widget,
                      gconstpointer  prefix)
{
  return GTK_IS_CHECK_BUTTON (widget) && check_text (GTK_CHECK_BUTTON (widget)) != NULL &&
         g_str_has_prefix (check_text (GTK_CHECK_BUTTON (widget)), prefix);
}

static GtkCheckButton *
approve_check (BrmNewBatchWindow *window)
{
  GtkWidget *check = find_widget (GTK_WIDGET (window), is_check_with_prefix, "I approve");

  g_assert_nonnull (check);
  return GTK_CHECK_BUTTON (check);
}

/* A button's text: its label child (our buttons have one, see
 * brm-lead-browser.c) or its label. */
static const char *
button_text (GtkButton *button)
{
  GtkWidget *child = gtk_button_get_child (button);

  if (GTK_IS_LABEL (child))
    return gtk_label_get_label (GTK_LABEL (child));
  return gtk_button_get_label (button);
}

static gboolean
is_button_labelled (GtkWidget     *widget,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && button_text (GTK_BUTTON (widget)) != NULL &&
         g_str_has_prefix (button_text (GTK_BUTTON (widget)), label);
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  GtkWidget *button = find_widget (root, is_button_labelled, label);

  g_assert_nonnull (button);
  return button;
}

static char *
usd (double value,
     int    decimals)
{
  return g_strdup_printf ("$%.*f", decimals, value);
}

static guint
string_position (GtkDropDown *dropdown,
                 const char  *value)
{
  GListModel *model = gtk_drop_down_get_model (dropdown);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (gtk_string_object_get_string (item), value) == 0)
        return i;
    }
  return G_MAXUINT;
}

static gboolean
is_dropdown_labelled (GtkWidget     *widget,
                      gconstpointer  label)
{
  /* The accessible label is not readable back in GTK 4.8; the drop-downs
   * are told apart by their first item instead. */
  if (!GTK_IS_DROP_DOWN (widget))
    return FALSE;
  if (g_str_equal (label, "Source filter"))
    return string_position (GTK_DROP_DOWN (widget), "Any source") == 0;
  if (g_str_equal (label, "Industry filter"))
    return string_position (GTK_DROP_DOWN (widget), "Any industry") == 0;
  return string_position (GTK_DROP_DOWN (widget), "Any enrichment") == 0;
}

/* Session -------------------------------------------------------------------------- */

typedef struct
{
  BrtDaemon         *daemon;
  BrmConnection     *connection;
  GSettings         *settings;
} Session;

static Session *
session_new (const char *first_arg,
             ...)
{
  Session *s = g_new0 (Session, 1);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (args, (gpointer) "--processor");
  g_ptr_array_add (args, (gpointer) "noop");
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  s->daemon = brt_daemon_new ((const char * const *) args->pdata);
  brt_daemon_launch (s->daemon, &error);
  g_assert_no_error (error);
  s->connection = brm_connection_new (brt_daemon_get_url (s->daemon), NULL, NULL);
  s->settings = g_settings_new ("io.github.batchrunner.Monitor");
  g_settings_reset (s->settings, "new-batch-draft");
  return s;
}

static void
session_free (Session *s)
{
  brm_connection_stop (s->connection);
  g_assert_finalize_object (s->connection);
  g_object_unref (s->settings);
  brt_daemon_free (s->daemon);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

static BrmLeadPageModel *
model_of (BrmNewBatchWindow *window)
{
  return brm_lead_browser_get_model (brm_new_batch_window_get_browser (window));
}

static BrmLeadSelection *
selection_of (BrmNewBatchWindow *window)
{
  return brm_draft_get_selection (brm_batch_composer_get_draft (brm_new_batch_window_get_composer (window)));
}

static gboolean
first_page_loaded (gpointer data)
{
  BrmLeadPageModel *model = model_of (data);

  return !brm_lead_page_model_get_loading (model) && brm_lead_page_model_get_total (model) >= 0 &&
         (brm_lead_page_model_get_total (model) == 0 || brm_lead_page_model_get_lead (model, 0) != NULL);
}

static gboolean
templates_loaded (gpointer data)
{
  return g_list_model_get_n_items (brm_batch_composer_get_templates (brm_new_batch_window_get_composer (data))) > 0;
}

static BrmNewBatchWindow *
open_window (Session *s)
{
  BrmNewBatchWindow *window = g_object_new (BRM_TYPE_NEW_BATCH_WINDOW,
                                            "connection", s->connection,
                                            "settings", s->settings,
                                            NULL);

  g_object_ref_sink (window);
  /* Quicker than an operator clicking, the same code path. */
  brm_batch_composer_set_preview_delay (brm_new_batch_window_get_composer (window), 30);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (brt_wait_until (first_page_loaded, window, WAIT_MS));
  g_assert_true (brt_wait_until (templates_loaded, window, WAIT_MS));
  return window;
}

static void
close_window (BrmNewBatchWindow *window)
{
  gtk_window_close (GTK_WINDOW (window));
  brt_run_for (20);
  g_assert_finalize_object (window);
}

static gboolean
preview_settled (gpointer data)
{
  BrmBatchComposer *composer = brm_new_batch_window_get_composer (data);

  return brm_batch_composer_get_preview_current (composer) && !brm_batch_composer_get_updating (composer);
}

static void
wait_preview (BrmNewBatchWindow *window)
{
  g_assert_true (brt_wait_until (preview_settled, window, WAIT_MS));
}

static GPtrArray *
selected_ids (BrmNewBatchWindow *window)
{
  const char * const *ids = brm_lead_selection_get_ids (selection_of (window));
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; ids[i]; i++)
    g_ptr_array_add (array, g_strdup (ids[i]));
  return array;
}

static void
set_search (BrmNewBatchWindow *window,
            const char        *text)
{
  gtk_editable_set_text (GTK_EDITABLE (brm_lead_browser_get_search_entry (brm_new_batch_window_get_browser (window))),
                         text);
}

static gboolean
all_items_listed (gpointer data)
{
  BrmLeadPageModel *model = data;

  return g_list_model_get_n_items (G_LIST_MODEL (model)) == (guint) brm_lead_page_model_get_total (model);
}

static gboolean
row_loaded (gpointer *data)
{
  return brm_lead_row_get_lead (data[1]) != NULL;
}

typedef struct
{
  BrmNewBatchWindow *window;
  gint64             total;
} TotalWait;

static gboolean
total_is (gpointer data)
{
  TotalWait *w = data;

  return first_page_loaded (w->window) && brm_lead_page_model_get_total (model_of (w->window)) == w->total;
}

static void
wait_total (BrmNewBatchWindow *window,
            gint64             total)
{
  TotalWait w = { window, total };

  g_assert_true (brt_wait_until (total_is, &w, WAIT_MS));
}

static guint
template_position (BrmNewBatchWindow *window,
                   const char        *version)
{
  GListModel *templates = brm_batch_composer_get_templates (brm_new_batch_window_get_composer (window));

  for (guint i = 0; i < g_list_model_get_n_items (templates); i++)
    {
      g_autoptr(BrTemplate) t = g_list_model_get_item (templates, i);

      if (g_strcmp0 (br_template_get_version (t), version) == 0)
        return i;
    }
  g_assert_not_reached ();
  return 0;
}

/* Every figure the window shows equals the service's own preview. */
static void
assert_preview_shown (BrmNewBatchWindow *window,
                      BrtDaemon         *daemon,
                      const char        *version)
{
  g_autoptr(GPtrArray) ids = selected_ids (window);
  g_autoptr(JsonObject) server = brt_preview (daemon, ids, version);
  JsonObject *breakdown = json_object_get_object_member (server, "cost_breakdown");
  JsonObject *providers = json_object_get_object_member (server, "provider_breakdown");
  g_autoptr(GList) names = json_object_get_members (providers);
  GtkWidget *root = GTK_WIDGET (window);
  struct { const char *row; double value; int decimals; } figures[] = {
    { "Total", brt_num (server, "estimated_cost_usd"), 2 },
    { "Cost per Lead", brt_num (server, "cost_per_lead"), 4 },
    { "Base Cost", brt_num (breakdown, "base_cost"), 2 },
    { "Provider Costs", brt_num (breakdown, "provider_costs"), 2 },
    { "Overhead", brt_num (breakdown, "overhead_cost"), 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      g_autofree char *expected = usd (figures[i].value, figures[i].decimals);

      g_assert_cmpstr (row_value (root, figures[i].row), ==, expected);
    }

  {
    g_autofree char *discount = usd (brt_num (breakdown, "volume_discount_amount"), 2);
    g_autofree char *expected = g_strdup_printf ("−%s", discount);

    g_assert_cmpstr (row_value (root, "Volume Discount"), ==, expected);
  }

  /* One row per provider, with its total. */
  g_assert_cmpuint (g_list_length (names), >, 0);
  for (GList *l = names; l; l = l->next)
    {
      JsonObject *line = json_object_get_object_member (providers, l->data);
      g_autofree char *expected = usd (brt_num (line, "total_cost"), 2);

      g_assert_cmpstr (row_value (root, l->data), ==, expected);
    }

  /* And the budget, from the same answer. */
  {
    JsonObject *budget = json_object_get_object_member (server, "budget");
    g_autofree char *remaining = usd (brt_num (budget, "remaining_usd"), 2);

    g_assert_cmpstr (row_value (root, "Remaining Today"), ==, remaining);
  }
}

/* Compose, preview, start ---------------------------------------------------------- */

static void
batch_started_cb (BrmNewBatchWindow  *window,
                  BrBatch            *batch,
                  BrBatch           **out)
{
  g_assert_null (*out);
  *out = g_object_ref (batch);
}

static gboolean
batch_not_null (gpointer data)
{
  return *(BrBatch **) data != NULL;
}

typedef struct
{
  BrBatchStore *store;
  const char   *id;
} StoreWait;

static gboolean
store_has (gpointer data)
{
  StoreWait *w = data;

  return br_batch_store_lookup (w->store, w->id) != NULL;
}

static void
test_compose_preview_start (void)
{
  g_autoptr(Session) s = session_new (NULL);
  g_autoptr(GPtrArray) leads = brt_import_leads (s->daemon, 12, NULL);
  g_autoptr(BrBatch) batch = NULL;
  g_autoptr(JsonObject) server_batch = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *previewed_total = NULL;
  BrmNewBatchWindow *window;
  BrmBatchComposer *composer;
  GtkWidget *start_button;
  GtkSelectionModel *model;
  double previewed = 0;
  StoreWait store_wait;

  brm_connection_start (s->connection);
  window = open_window (s);
  composer = brm_new_batch_window_get_composer (window);
  model = GTK_SELECTION_MODEL (model_of (window));
  start_button = find_button (GTK_WIDGET (window), "_Start Batch");

  g_assert_cmpint (brm_lead_page_model_get_total (model_of (window)), ==, 12);
  /* The default template is preselected; nothing to start yet, and why. */
  g_assert_cmpstr (brm_draft_get_template_version (brm_batch_composer_get_draft (composer)), ==, "v1");
  g_assert_false (gtk_widget_is_sensitive (start_button));
  g_assert_cmpstr (brm_batch_composer_get_start_blocker (composer), ==, "Select at least one lead.");

  /* A click on row 0, then shift-click on row 4, as GtkListBase does them. */
  g_assert_true (gtk_selection_model_select_item (model, 0, TRUE));
  {
    g_autoptr(GtkBitset) selected = gtk_bitset_new_range (0, 5);
    g_autoptr(GtkBitset) mask = gtk_bitset_new_range (0, 12);

    g_assert_true (gtk_selection_model_set_selection (model, selected, mask));
  }
  g_assert_cmpuint (brm_lead_selection_get_n_selected (selection_of (window)), ==, 5);
  g_assert_true (gtk_selection_model_is_selected (model, 4));
  g_assert_false (gtk_selection_model_is_selected (model, 5));
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "5 of 1000 leads selected"));

  wait_preview (window);
  assert_preview_shown (window, s->daemon, NULL);

  /* Another template: the preview follows, and still equals the service's. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (GTK_WIDGET (window), "Template")),
                              template_position (window, "v2"));
  g_assert_cmpstr (brm_draft_get_template_version (brm_batch_composer_get_draft (composer)), ==, "v2");
  wait_preview (window);
  assert_preview_shown (window, s->daemon, "v2");
  ids = selected_ids (window);
  {
    g_autoptr(JsonObject) preview = brt_preview (s->daemon, ids, "v2");

    previewed = brt_num (preview, "estimated_cost_usd");
  }

  /* Not without an approval of this total. */
  g_assert_false (gtk_widget_is_sensitive (start_button));
  previewed_total = usd (previewed, 2);
  {
    g_autofree char *blocker = g_strdup_printf ("Approve the estimated cost of %s first.", previewed_total);

    g_assert_cmpstr (brm_batch_composer_get_start_blocker (composer), ==, blocker);
  }

  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (window), "Name")), "UI batch");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_type (find_row (GTK_WIDGET (window), "Leads at Once"),
                                                         GTK_TYPE_SPIN_BUTTON)), 3);
  wait_preview (window);
  gtk_check_button_set_active (approve_check (window), TRUE);
  g_assert_true (brm_batch_composer_get_approved (composer));
  g_assert_cmpfloat_with_epsilon (brm_batch_composer_get_approved_total (composer), previewed, 0.00005);
  g_assert_null (brm_batch_composer_get_start_blocker (composer));
  g_assert_true (gtk_widget_is_sensitive (start_button));

  g_signal_connect (window, "batch-started", G_CALLBACK (batch_started_cb), &batch);
  gtk_widget_activate_action (GTK_WIDGET (window), "new-batch.start", NULL);
  g_assert_true (brt_wait_until (batch_not_null, &batch, WAIT_MS));

  /* The batch is what was previewed and approved. */
  g_assert_cmpint (br_batch_get_total_leads (batch), ==, 5);
  g_assert_cmpfloat_with_epsilon (br_batch_get_estimated_cost_usd (batch), previewed, 0.00005);
  g_assert_cmpstr (br_batch_get_name (batch), ==, "UI batch");
  server_batch = brt_get_batch (s->daemon, br_batch_get_id (batch));
  g_assert_cmpint (brt_int (server_batch, "total_leads"), ==, 5);
  g_assert_cmpint (brt_int (server_batch, "max_concurrent"), ==, 3);
  g_assert_cmpstr (brt_str (server_batch, "template_version"), ==, "v2");
  g_assert_cmpfloat_with_epsilon (brt_num (server_batch, "estimated_cost_usd"), previewed, 0.00005);

  /* It reaches the dashboard's store, with the same totals. */
  store_wait.store = brm_connection_get_store (s->connection);
  store_wait.id = br_batch_get_id (batch);
  g_assert_true (brt_wait_until (store_has, &store_wait, WAIT_MS));
  g_assert_cmpfloat_with_epsilon (br_batch_get_estimated_cost_usd (br_batch_store_lookup (store_wait.store,
                                                                                          store_wait.id)),
                                  previewed, 0.00005);
  g_assert_cmpint (br_batch_get_total_leads (br_batch_store_lookup (store_wait.store, store_wait.id)), ==, 5);

  /* The window closed itself, and the draft is gone. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_finalize_object (window);
  {
    g_autofree char *draft = g_settings_get_string (s->settings, "new-batch-draft");

    g_assert_cmpstr (draft, ==, "");
  }
}

/* Changing the selection after approving withdraws the approval. */
static void
test_approval_invalidated (void)
{
  g_autoptr(Session) s = session_new (NULL);
  g_autoptr(GPtrArray) leads = brt_import_leads (s->daemon, 6, NULL);
  BrmNewBatchWindow *window = open_window (s);
  BrmBatchComposer *composer = brm_new_batch_window_get_composer (window);
  GtkSelectionModel *model = GTK_SELECTION_MODEL (model_of (window));
  GtkWidget *start_button = find_button (GTK_WIDGET (window), "_Start Batch");

  g_assert_true (gtk_selection_model_select_range (model, 0, 3, TRUE));
  wait_preview (window);
  gtk_check_button_set_active (approve_check (window), TRUE);
  g_assert_true (gtk_widget_is_sensitive (start_button));

  /* Ctrl-click one more row. */
  g_assert_true (gtk_selection_model_select_item (model, 3, FALSE));
  g_assert_false (brm_batch_composer_get_approved (composer));
  g_assert_false (gtk_check_button_get_active (approve_check (window)));
  g_assert_false (gtk_widget_is_sensitive (start_button));
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "The leads or the template changed after you approved"));

  /* The new total must be approved on its own. */
  wait_preview (window);
  g_assert_true (g_str_has_prefix (brm_batch_composer_get_start_blocker (composer), "Approve the estimated cost"));
  gtk_check_button_set_active (approve_check (window), TRUE);
  g_assert_true (gtk_widget_is_sensitive (start_button));

  /* The name does not change the price: the approval stays. */
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (window), "Name")), "Renamed");
  g_assert_true (brm_batch_composer_get_approved (composer));

  close_window (window);
}

/* The limit --------------------------------------------------------------------------- */

static gboolean
n_selected_is (gpointer data)
{
  BrmNewBatchWindow *window = ((gpointer *) data)[0];
  guint n = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return brm_lead_selection_get_n_selected (selection_of (window)) == n &&
         !brm_lead_page_model_get_busy (model_of (window));
}

static void
wait_n_selected (BrmNewBatchWindow *window,
                 guint              n)
{
  gpointer data[2] = { window, GUINT_TO_POINTER (n) };

  if (!brt_wait_until (n_selected_is, data, WAIT_MS))
    g_error ("%u leads selected (busy: %d), not %u",
             brm_lead_selection_get_n_selected (selection_of (window)),
             brm_lead_page_model_get_busy (model_of (window)), n);
}

static void
test_limit (void)
{
  g_autoptr(Session) s = session_new (NULL);
  BrtLeadSpec alpha = { .name_prefix = "Alpha", .domain_prefix = "alpha" };
  BrtLeadSpec beta = { .name_prefix = "Beta", .domain_prefix = "beta" };
  g_autoptr(GPtrArray) alpha_ids = brt_import_leads (s->daemon, 1000, &alpha);
  g_autoptr(GPtrArray) beta_ids = brt_import_leads (s->daemon, 50, &beta);
  BrmNewBatchWindow *window = open_window (s);
  BrmLeadSelection *selection = selection_of (window);
  GtkSelectionModel *model = GTK_SELECTION_MODEL (model_of (window));
  GtkWidget *select_all = find_button (GTK_WIDGET (window), "_Select All");

  wait_total (window, 1050);

  /* Said before anything is refused: the limit, and that all cannot be
   * selected. */
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "A batch holds at most 1000 leads; 1050 match."));
  g_assert_false (gtk_widget_is_sensitive (select_all));
  g_assert_true (strstr (gtk_widget_get_tooltip_text (select_all), "more than the 1000") != NULL);

  /* Ctrl+A is refused in the UI, and says why. */
  g_assert_false (gtk_selection_model_select_all (model));
  g_assert_cmpuint (brm_lead_selection_get_n_selected (selection), ==, 0);
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "Not selected: a batch holds at most 1000 leads, "
                                                           "and this would make 1050."));

  /* Select all 50 Beta leads, then try all 1000 Alpha ones on top. */
  set_search (window, "Beta");
  wait_total (window, 50);
  g_assert_true (gtk_widget_is_sensitive (select_all));
  gtk_widget_activate_action (GTK_WIDGET (brm_new_batch_window_get_browser (window)), "leads.select-all-matching", NULL);
  wait_n_selected (window, 50);

  set_search (window, "Alpha");
  wait_total (window, 1000);
  g_assert_true (gtk_widget_is_sensitive (select_all));
  g_assert_cmpstr (button_text (GTK_BUTTON (select_all)), ==, "_Select All 1000 Matching");
  gtk_widget_activate_action (GTK_WIDGET (brm_new_batch_window_get_browser (window)), "leads.select-all-matching", NULL);
  brt_run_for (200);
  wait_n_selected (window, 50);
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "Not selected: a batch holds at most 1000 leads, "
                                                           "and this would make 1050."));

  /* Alone, the 1000 fit: most of their rows are not loaded, so their ids
   * are fetched first. */
  gtk_widget_activate_action (GTK_WIDGET (brm_new_batch_window_get_browser (window)), "leads.clear-selection", NULL);
  g_assert_cmpuint (brm_lead_selection_get_n_selected (selection), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (brm_new_batch_window_get_browser (window)), "leads.select-all-matching", NULL);
  wait_n_selected (window, 1000);
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "A batch holds at most 1000 leads: the selection is full."));
  for (guint i = 0; i < alpha_ids->len; i++)
    g_assert_true (brm_lead_selection_contains (selection, alpha_ids->pdata[i]));

  /* Full: one more (a ctrl-click on a Beta row) is refused too. */
  set_search (window, "Beta");
  wait_total (window, 50);
  g_assert_false (gtk_selection_model_select_item (model, 0, FALSE));
  g_assert_cmpuint (brm_lead_selection_get_n_selected (selection), ==, 1000);
  g_assert_false (gtk_selection_model_is_selected (model, 0));
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "Not selected: a batch holds at most 1000 leads, "
                                                           "and this would make 1001."));

  /* 1000 is a batch the service accepts: its preview prices all of them. */
  wait_preview (window);
  g_assert_cmpint (br_preview_get_lead_count (brm_batch_composer_get_preview (brm_new_batch_window_get_composer (window))),
                   ==, 1000);

  close_window (window);
}

/* Search and filters ------------------------------------------------------------------------ */

static void
test_search_and_filters (void)
{
  g_autoptr(Session) s = session_new (NULL);
  BrtLeadSpec alpha = { .name_prefix = "Alpha", .domain_prefix = "alpha", .source = "web_form",
                        .industry = "retail", .enrichment_status = "completed" };
  BrtLeadSpec beta = { .name_prefix = "Beta", .domain_prefix = "beta", .source = "referral",
                       .industry = "finance", .enrichment_status = "pending" };
  g_autoptr(GPtrArray) alpha_ids = brt_import_leads (s->daemon, 150, &alpha);
  g_autoptr(GPtrArray) beta_ids = brt_import_leads (s->daemon, 30, &beta);
  BrmNewBatchWindow *window = open_window (s);
  GtkSelectionModel *model = GTK_SELECTION_MODEL (model_of (window));
  g_autoptr(BrmLeadRow) first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  GtkDropDown *source, *industry, *enrichment;
  BrLead *lead;

  wait_total (window, 180);
  /* Alpha sorts first; select one of them. */
  g_assert_true (g_str_has_prefix (br_lead_get_company_name (brm_lead_row_get_lead (first)), "Alpha"));
  g_assert_true (gtk_selection_model_select_item (model, 0, TRUE));
  lead = brm_lead_row_get_lead (first);
  g_assert_true (brm_lead_selection_contains (selection_of (window), br_lead_get_id (lead)));

  /* A search: the first rows change in place (same row objects, the new
   * leads), the count follows, and the selection stays. */
  set_search (window, "Beta");
  wait_total (window, 30);
  {
    g_autoptr(BrmLeadRow) row = g_list_model_get_item (G_LIST_MODEL (model), 0);

    g_assert_true (row == first);
    g_assert_true (g_str_has_prefix (br_lead_get_company_name (brm_lead_row_get_lead (row)), "Beta"));
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 30);
  g_assert_cmpuint (brm_lead_selection_get_n_selected (selection_of (window)), ==, 1);
  g_assert_false (gtk_selection_model_is_selected (model, 0));
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "1 of 1000 leads selected"));

  /* Back: the Alpha lead shows selected again. */
  set_search (window, "");
  wait_total (window, 180);
  g_assert_true (gtk_selection_model_is_selected (model, 0));

  /* The list gets the first rows at once and the rest after a few
   * frames (brm-lead-page-model.c, SHOWN_AT_ONCE); the total is the
   * server's count from the start. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), <=, 180);
  g_assert_true (brt_wait_until (all_items_listed, model, WAIT_MS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 180);

  /* Rows past the first page load as they are asked for. */
  {
    g_autoptr(BrmLeadRow) far = g_list_model_get_item (G_LIST_MODEL (model), 170);
    gpointer data[2] = { model, far };

    g_assert_true (brt_wait_until ((gboolean (*) (gpointer)) row_loaded, data, WAIT_MS));
    g_assert_true (g_str_has_prefix (br_lead_get_company_name (brm_lead_row_get_lead (far)), "Beta"));
  }

  /* The filters offer the values seen, and filter on the server. */
  source = GTK_DROP_DOWN (find_widget (GTK_WIDGET (window), is_dropdown_labelled, "Source filter"));
  industry = GTK_DROP_DOWN (find_widget (GTK_WIDGET (window), is_dropdown_labelled, "Industry filter"));
  enrichment = GTK_DROP_DOWN (find_widget (GTK_WIDGET (window), is_dropdown_labelled, "Enrichment status filter"));
  g_assert_cmpuint (string_position (source, "referral"), >, 0);
  gtk_drop_down_set_selected (source, string_position (source, "referral"));
  wait_total (window, 30);
  gtk_drop_down_set_selected (source, 0);
  gtk_drop_down_set_selected (industry, string_position (industry, "retail"));
  wait_total (window, 150);
  gtk_drop_down_set_selected (enrichment, 1 /* pending */);
  wait_total (window, 0);
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "No Matching Leads"));
  gtk_drop_down_set_selected (enrichment, 3 /* completed */);
  wait_total (window, 150);

  close_window (window);
}

/* Templates ----------------------------------------------------------------------------- */

static gboolean
list_shows_premium (gpointer data)
{
  return find_widget (data, is_label_text, "Premium deep-dive (v3-beta)") != NULL;
}

static void
test_unavailable_template (void)
{
  g_autoptr(Session) s = session_new (NULL);
  g_autoptr(GPtrArray) leads = brt_import_leads (s->daemon, 3, NULL);
  BrmNewBatchWindow *window = open_window (s);
  BrmBatchComposer *composer = brm_new_batch_window_get_composer (window);
  AdwComboRow *row = ADW_COMBO_ROW (find_row (GTK_WIDGET (window), "Template"));
  guint beta = template_position (window, "v3-beta");
  GtkWidget *list_window, *list, *label;

  gtk_selection_model_select_range (GTK_SELECTION_MODEL (model_of (window)), 0, 3, TRUE);
  wait_preview (window);

  /* The row's drop-down list, with its own factory (popovers need a
   * monitor, which Broadway here has not): every template is listed,
   * the unavailable one with its reason, insensitive. */
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (adw_combo_row_get_model (row)))),
                            g_object_ref (adw_combo_row_get_list_factory (row)));
  list_window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (list_window), list);
  gtk_window_present (GTK_WINDOW (list_window));
  g_assert_true (brt_wait_until (list_shows_premium, list_window, WAIT_MS));
  label = find_widget (list_window, is_label_text, "Premium deep-dive (v3-beta)");
  g_assert_false (gtk_widget_is_sensitive (label));
  g_assert_nonnull (find_widget (list_window, is_label_text, "Unavailable: In private beta; not enabled on this service"));
  g_assert_true (gtk_widget_is_sensitive (find_widget (list_window, is_label_text, "Detailed assessment (v2)")));
  g_assert_nonnull (find_widget (list_window, is_label_text, "Default · standard"));
  gtk_window_destroy (GTK_WINDOW (list_window));

  /* Chosen anyway (as a stale draft would): refused, the default stays,
   * and the row says why. */
  adw_combo_row_set_selected (row, beta);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, template_position (window, "v1"));
  g_assert_cmpstr (brm_draft_get_template_version (brm_batch_composer_get_draft (composer)), ==, "v1");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "“Premium deep-dive” (v3-beta) cannot be chosen: In private beta; not enabled on this service");
  g_assert_false (brm_batch_composer_choose_template (composer, "v3-beta"));
  g_assert_true (preview_settled (window));
  g_assert_cmpstr (br_preview_get_template_version (brm_batch_composer_get_preview (composer)), ==, "v1");

  close_window (window);
}

/* Budget ---------------------------------------------------------------------------------- */

static void
test_budget_warning (void)
{
  g_autoptr(Session) s = session_new ("--daily-budget", "1", NULL);
  g_autoptr(GPtrArray) leads = brt_import_leads (s->daemon, 10, NULL);
  BrmNewBatchWindow *window = open_window (s);
  g_autoptr(JsonObject) server = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *total = NULL;
  g_autofree char *expected = NULL;

  /* Before any preview: today's figures from /health. */
  g_assert_cmpstr (row_value (GTK_WIDGET (window), "Spent Today"), ==, "$0.00 of $1.00");
  g_assert_null (find_shown_label (GTK_WIDGET (window), "Over today’s budget"));

  gtk_widget_activate_action (GTK_WIDGET (brm_new_batch_window_get_browser (window)), "leads.select-all-matching", NULL);
  wait_n_selected (window, 10);
  wait_preview (window);

  ids = selected_ids (window);
  server = brt_preview (s->daemon, ids, NULL);
  g_assert_false (json_object_get_boolean_member (server, "is_within_budget"));

  total = usd (brt_num (server, "estimated_cost_usd"), 2);
  expected = g_strdup_printf ("Over today’s budget: this batch’s estimated %s is more than the $1.00 left "
                              "of today’s budget.", total);
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), expected));
  g_assert_true (g_str_has_prefix (row_value (GTK_WIDGET (window), "After This Batch"), "Over by $"));
  g_assert_true (strstr (check_text (approve_check (window)), "over today’s remaining budget") != NULL);

  /* A smaller batch fits: the warning goes. */
  gtk_widget_activate_action (GTK_WIDGET (brm_new_batch_window_get_browser (window)), "leads.clear-selection", NULL);
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (model_of (window)), 0, TRUE);
  wait_preview (window);
  g_assert_null (find_shown_label (GTK_WIDGET (window), "Over today’s budget"));

  close_window (window);
}

/* A refused start keeps the form ------------------------------------------------------------- */

static gboolean
start_error_shown (gpointer data)
{
  return brm_batch_composer_get_start_error (brm_new_batch_window_get_composer (data)) != NULL &&
         !brm_batch_composer_get_starting (brm_new_batch_window_get_composer (data));
}

static void
test_start_error_keeps_form (void)
{
  g_autoptr(Session) s = session_new (NULL);
  BrtLeadSpec pending = { .enrichment_status = "pending" };
  BrtLeadSpec completed = { .enrichment_status = "completed" };
  g_autoptr(GPtrArray) leads = brt_import_leads (s->daemon, 4, &pending);
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GString) body = g_string_new ("[");
  g_autoptr(JsonObject) answer = NULL;
  BrmNewBatchWindow *window = open_window (s);
  BrmBatchComposer *composer = brm_new_batch_window_get_composer (window);
  BrBatch *batch = NULL;
  double approved;

  gtk_widget_activate_action (GTK_WIDGET (brm_new_batch_window_get_browser (window)), "leads.select-all-matching", NULL);
  wait_n_selected (window, 4);
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (window), "Name")), "Keep me");
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (window), "Description")), "Kept too");
  wait_preview (window);
  gtk_check_button_set_active (approve_check (window), TRUE);
  approved = brm_batch_composer_get_approved_total (composer);

  /* Meanwhile the leads get enriched elsewhere: they cost less now. */
  for (guint i = 0; i < leads->len; i++)
    {
      g_autofree char *lead = brt_lead_json (leads->pdata[i], 9000 + i, &completed);

      g_string_append (body, i ? "," : "");
      g_string_append (body, lead);
    }
  g_string_append (body, "]");
  answer = brt_request (s->daemon, "POST", "/api/v1/leads", body->str, 200);

  g_signal_connect (window, "batch-started", G_CALLBACK (batch_started_cb), &batch);
  gtk_widget_activate_action (GTK_WIDGET (window), "new-batch.start", NULL);
  g_assert_true (brt_wait_until (start_error_shown, window, WAIT_MS));

  /* The service's reason is on screen; nothing was lost. */
  g_assert_null (batch);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (g_str_has_prefix (brm_batch_composer_get_start_error (composer), "The approved estimate $"));
  g_assert_nonnull (find_shown_label (GTK_WIDGET (window), "The service did not start the batch: The approved estimate $"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (GTK_WIDGET (window), "Name"))), ==, "Keep me");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (GTK_WIDGET (window), "Description"))), ==, "Kept too");
  ids = selected_ids (window);
  g_assert_cmpuint (ids->len, ==, 4);
  for (guint i = 0; i < leads->len; i++)
    g_assert_true (brm_lead_selection_contains (selection_of (window), leads->pdata[i]));
  {
    g_autoptr(JsonObject) list = brt_request (s->daemon, "GET", "/api/v1/batch", NULL, 200);

    g_assert_cmpint (brt_int (list, "total_count"), ==, 0);
  }

  /* The approval was for the old price: withdrawn, and the new price is
   * previewed for a new approval. */
  g_assert_false (brm_batch_composer_get_approved (composer));
  wait_preview (window);
  g_assert_cmpfloat (br_preview_get_estimated_cost_usd (brm_batch_composer_get_preview (composer)), <, approved);
  assert_preview_shown (window, s->daemon, NULL);
  gtk_check_button_set_active (approve_check (window), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (window), "new-batch.start", NULL);
  g_assert_true (brt_wait_until (batch_not_null, &batch, WAIT_MS));
  g_assert_cmpstr (br_batch_get_name (batch), ==, "Keep me");
  g_object_unref (batch);
  g_assert_finalize_object (window);
}

/* Import ------------------------------------------------------------------------------------ */

static void
import_finished_cb (BrmLeadBrowser    *browser,
                    BrmLeadImport     *import,
                    AdwMessageDialog  *report,
                    AdwMessageDialog **out)
{
  *out = g_object_ref (report);
}

static gboolean
dialog_not_null (gpointer data)
{
  return *(AdwMessageDialog **) data != NULL;
}

static GPtrArray *
report_lines (AdwMessageDialog *report)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *list = adw_message_dialog_get_extra_child (report);

  if (list == NULL)
    return lines;
  list = find_type (list, GTK_TYPE_LIST_BOX);
  for (int i = 0; gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i); i++)
    {
      GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i));

      g_ptr_array_add (lines, g_strdup (gtk_label_get_label (GTK_LABEL (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row))))));
    }
  return lines;
}

static AdwMessageDialog *
import_file (BrmNewBatchWindow *window,
             const char        *dir,
             const char        *name,
             const char        *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  AdwMessageDialog *report = NULL;
  gulong id;

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  id = g_signal_connect (brm_new_batch_window_get_browser (window), "import-finished",
                         G_CALLBACK (import_finished_cb), &report);
  brm_lead_browser_import_file (brm_new_batch_window_get_browser (window), file);
  g_assert_true (brt_wait_until (dialog_not_null, &report, WAIT_MS));
  g_signal_handler_disconnect (brm_new_batch_window_get_browser (window), id);
  return report;
}

static void
test_import_report (void)
{
  g_autoptr(Session) s = session_new (NULL);
  g_autofree char *dir = brt_make_tmp_dir ();
  BrmNewBatchWindow *window = open_window (s);
  AdwMessageDialog *report;
  g_autoptr(GPtrArray) lines = NULL;

  g_assert_cmpint (brm_lead_page_model_get_total (model_of (window)), ==, 0);

  report = import_file (window, dir, "leads.csv",
                        "company_name,domain,email,source\n"
                        "Good One,good1.example.com,a@good1.example.com,csv\n"
                        "Bad Domain,not a domain,,csv\n"
                        ",missing.example.com,,csv\n"
                        "Good Two,good2.example.com,,csv\n"
                        "Too,many,fields,here,really\n"
                        "\"Good, Three\",good3.example.com,,csv\n");
  g_assert_cmpstr (adw_message_dialog_get_heading (report), ==, "Imported 3 of 6 Leads");
  g_assert_cmpstr (adw_message_dialog_get_body (report), ==, "3 rows were refused:");
  lines = report_lines (report);
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpstr (lines->pdata[0], ==,
                   "Line 3: domain \"not a domain\" is not a host name (expected something like acme.example)");
  g_assert_cmpstr (lines->pdata[1], ==, "Line 4: company_name is required and must not be empty");
  g_assert_cmpstr (lines->pdata[2], ==, "Line 6: the row has 5 fields but the header has 4");
  gtk_window_destroy (GTK_WINDOW (report));
  g_object_unref (report);

  /* The imported leads are in the table now. */
  wait_total (window, 3);
  g_clear_pointer (&lines, g_ptr_array_unref);

  /* JSON: items, not lines. */
  report = import_file (window, dir, "leads.json",
                        "[{\"company_name\": \"Json Co\", \"domain\": \"json.example.com\"},"
                        " 42,"
                        " {\"company_name\": \"No Contact\"}]");
  g_assert_cmpstr (adw_message_dialog_get_heading (report), ==, "Imported 1 of 3 Leads");
  lines = report_lines (report);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (lines->pdata[0], ==, "Item 2: a lead must be a JSON object");
  g_assert_cmpstr (lines->pdata[1], ==, "Item 3: domain or email is required: a lead needs at least one of them");
  gtk_window_destroy (GTK_WINDOW (report));
  g_object_unref (report);
  wait_total (window, 4);

  /* A file that is not leads at all says so, and imports nothing. */
  report = import_file (window, dir, "notes.csv", "just,some\nwords,here\n");
  g_assert_cmpstr (adw_message_dialog_get_heading (report), ==, "Could Not Import “notes.csv”");
  g_assert_cmpstr (adw_message_dialog_get_body (report), ==,
                   "The header row needs a company_name column and a domain or email column");
  gtk_window_destroy (GTK_WINDOW (report));
  g_object_unref (report);

  close_window (window);
  brt_remove_tree (dir);
}

/* Drafts ------------------------------------------------------------------------------------- */

static void
test_draft_survives (void)
{
  g_autoptr(Session) s = session_new (NULL);
  g_autoptr(GPtrArray) leads = brt_import_leads (s->daemon, 8, NULL);
  g_autoptr(GPtrArray) chosen = NULL;
  BrmNewBatchWindow *window = open_window (s);
  GtkSelectionModel *model = GTK_SELECTION_MODEL (model_of (window));

  g_assert_true (gtk_selection_model_select_item (model, 1, TRUE));
  g_assert_true (gtk_selection_model_select_item (model, 6, FALSE));
  g_assert_true (gtk_selection_model_select_item (model, 3, FALSE));
  gtk_editable_set_text (GTK_EDITABLE (find_row (GTK_WIDGET (window), "Name")), "Half done");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (find_type (find_row (GTK_WIDGET (window), "Retries per Lead"),
                                                         GTK_TYPE_SPIN_BUTTON)), 1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_row (GTK_WIDGET (window), "Template")),
                              template_position (window, "v0"));
  chosen = selected_ids (window);
  close_window (window);

  /* Kept as the monitor would keep it across a restart. */
  {
    g_autofree char *draft = g_settings_get_string (s->settings, "new-batch-draft");

    g_assert_true (strstr (draft, "Half done") != NULL);
  }

  window = open_window (s);
  {
    g_autoptr(GPtrArray) restored = selected_ids (window);

    g_assert_cmpuint (restored->len, ==, 3);
    for (guint i = 0; i < chosen->len; i++)
      g_assert_cmpstr (restored->pdata[i], ==, chosen->pdata[i]);
  }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (GTK_WIDGET (window), "Name"))), ==, "Half done");
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (find_type (find_row (GTK_WIDGET (window),
                                                                                      "Retries per Lead"),
                                                                            GTK_TYPE_SPIN_BUTTON))), ==, 1);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (find_row (GTK_WIDGET (window), "Template"))), ==,
                    template_position (window, "v0"));
  /* The restored rows show as selected, and the draft is priced at once. */
  g_assert_true (gtk_selection_model_is_selected (GTK_SELECTION_MODEL (model_of (window)), 6));
  wait_preview (window);
  assert_preview_shown (window, s->daemon, "v0");

  /* Discarding empties the form and forgets the draft. */
  gtk_widget_activate_action (GTK_WIDGET (window), "new-batch.discard", NULL);
  g_assert_cmpuint (brm_lead_selection_get_n_selected (selection_of (window)), ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_row (GTK_WIDGET (window), "Name"))), ==, "");
  {
    g_autofree char *draft = g_settings_get_string (s->settings, "new-batch-draft");

    g_assert_cmpstr (draft, ==, "");
  }
  close_window (window);

  window = open_window (s);
  g_assert_cmpuint (brm_lead_selection_get_n_selected (selection_of (window)), ==, 0);
  close_window (window);
}

/* Accessibility -------------------------------------------------------------------------------- */

static void
test_accessible (void)
{
  g_autoptr(Session) s = session_new (NULL);
  g_autoptr(GPtrArray) leads = brt_import_leads (s->daemon, 2, NULL);
  BrmNewBatchWindow *window = open_window (s);
  BrmLeadBrowser *browser = brm_new_batch_window_get_browser (window);
  GtkWidget *start_button = find_button (GTK_WIDGET (window), "_Start Batch");

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (start_button), GTK_ACCESSIBLE_ROLE_BUTTON);
  /* Named by their text alone (no label property: GTK 4.8 would read it,
   * underscore and all, before the text). */
  g_assert_null (gtk_button_get_label (GTK_BUTTON (start_button)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (start_button)))), ==,
                   "Start Batch");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (find_button (GTK_WIDGET (window),
                                                                                                 "_Select All"))))),
                   ==, "Select All 2 Matching");
  /* Disabled, and the reason is its description. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (start_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Select at least one lead.");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (brm_lead_browser_get_search_entry (browser)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Search leads");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (brm_lead_browser_get_column_view (browser)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Leads");
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (approve_check (window)), GTK_ACCESSIBLE_ROLE_CHECKBOX);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (approve_check (window)), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "I approve the estimated cost (waiting for the estimate)");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (find_type (find_row (GTK_WIDGET (window), "Leads at Once"),
                                                                  GTK_TYPE_SPIN_BUTTON)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Leads at once");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (find_type (find_row (GTK_WIDGET (window), "Retry Failed Leads"),
                                                                  GTK_TYPE_SWITCH)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Retry failed leads");

  /* Each row's check box names its lead. */
  {
    GtkWidget *check = find_type (GTK_WIDGET (brm_lead_browser_get_column_view (browser)), GTK_TYPE_CHECK_BUTTON);
    BrLead *lead = brm_lead_page_model_get_lead (model_of (window), 0);
    g_autofree char *name = g_strdup_printf ("Select %s", br_lead_get_company_name (lead));

    g_assert_nonnull (check);
    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, name);

    /* Ticking it adds the lead without touching the rest. */
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (model_of (window)), 1, TRUE);
    gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
    g_assert_cmpuint (brm_lead_selection_get_n_selected (selection_of (window)), ==, 2);
  }

  close_window (window);
}

/* Ctrl+N (app.new-batch) ------------------------------------------------------------ */

static gboolean
app_connected (gpointer data)
{
  return brm_application_get_connection (data) != NULL;
}

/* The new-batch windows among the toplevels; @found gets the last. */
static guint
count_new_batch_windows (BrmNewBatchWindow **found)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  *found = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (BRM_IS_NEW_BATCH_WINDOW (window))
        {
          n++;
          *found = BRM_NEW_BATCH_WINDOW (window);
        }
    }
  return n;
}

/* The toplevels that are not shown. GTK 4.8's AT-SPI root answers an
 * index past the shown windows with the last toplevel, and with a NULL
 * object path when that one is hidden (a GLib-CRITICAL): the application
 * keeps no hidden toplevel (see new_batch_action in brm-application.c). */
static guint
count_hidden_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (!gtk_widget_get_visible (window))
        {
          g_test_message ("hidden toplevel: %s", G_OBJECT_TYPE_NAME (window));
          n++;
        }
    }
  return n;
}

/* The GtkShortcutsWindow among the toplevels, or NULL. */
static GtkWindow *
find_shortcuts_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_SHORTCUTS_WINDOW (window))
        return window;
    }
  return NULL;
}

typedef struct
{
  BrmNewBatchWindow *window;
  const char        *company;
  gint64             total;
} FirstLeadWait;

static gboolean
first_lead_is (gpointer data)
{
  FirstLeadWait *w = data;
  BrmLeadPageModel *model = model_of (w->window);
  BrLead *lead = brm_lead_page_model_get_lead (model, 0);

  return !brm_lead_page_model_get_loading (model) && brm_lead_page_model_get_total (model) == w->total &&
         lead != NULL && g_strcmp0 (br_lead_get_company_name (lead), w->company) == 0;
}

/* Through the application's own action, as Ctrl+N does: activating it
 * twice gives one window, shown; closing destroys that window (no hidden
 * toplevel is left) and the next Ctrl+N opens a new one, with the leads
 * read again. The keyboard shortcuts window is built on demand and goes
 * on close, too. */
static void
test_one_window (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.batchrunner.Monitor");
  g_autoptr(BrmApplication) app = brm_application_new ();
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 30, NULL);
  g_autoptr(JsonObject) imported = NULL;
  g_autoptr(GError) error = NULL;
  BrmNewBatchWindow *window, *again;
  FirstLeadWait wait = { NULL, NULL, 0 };
  GtkWindow *main_window;
  GtkWidget *focus, *search;

  g_settings_set_string (settings, "server-url", brt_daemon_get_url (daemon));
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  g_assert_true (brt_wait_until (app_connected, app, WAIT_MS));
  main_window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_nonnull (main_window);
  g_assert_cmpuint (count_hidden_toplevels (), ==, 0);

  /* Ctrl+?: shown when asked for, gone when closed. */
  g_assert_null (find_shortcuts_window ());
  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  g_assert_nonnull (find_shortcuts_window ());
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (find_shortcuts_window ())));
  g_assert_true (gtk_window_get_transient_for (find_shortcuts_window ()) == main_window);
  gtk_window_close (find_shortcuts_window ());
  g_assert_null (find_shortcuts_window ());
  g_assert_cmpuint (count_hidden_toplevels (), ==, 0);

  g_assert_cmpuint (count_new_batch_windows (&window), ==, 0);
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-batch", NULL);
  g_assert_cmpuint (count_new_batch_windows (&window), ==, 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (window)) == main_window);
  g_assert_true (brt_wait_until (first_page_loaded, window, WAIT_MS));

  g_action_group_activate_action (G_ACTION_GROUP (app), "new-batch", NULL);
  g_assert_cmpuint (count_new_batch_windows (&again), ==, 1);
  g_assert_true (again == window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));

  /* Closed: destroyed, not hidden. A lead that sorts first arrives. */
  gtk_window_close (GTK_WINDOW (window));
  g_assert_cmpuint (count_new_batch_windows (&again), ==, 0);
  g_assert_cmpuint (count_hidden_toplevels (), ==, 0);
  imported = brt_request (daemon, "POST", "/api/v1/leads",
                          "[{\"company_name\": \"AAA First Lead\", \"domain\": \"aaa.example\"}]", 200);
  g_assert_cmpint (brt_int (imported, "imported"), ==, 1);

  g_action_group_activate_action (G_ACTION_GROUP (app), "new-batch", NULL);
  g_assert_cmpuint (count_new_batch_windows (&window), ==, 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (brt_wait_until (first_page_loaded, window, WAIT_MS));
  focus = gtk_window_get_focus (GTK_WINDOW (window));
  search = brm_lead_browser_get_search_entry (brm_new_batch_window_get_browser (window));
  g_assert_true (focus != NULL && (focus == search || gtk_widget_is_ancestor (focus, search)));
  wait.window = window;
  wait.company = "AAA First Lead";
  wait.total = ids->len + 1;
  g_assert_true (brt_wait_until (first_lead_is, &wait, WAIT_MS));

  /* The window goes with the main window. */
  brm_connection_stop (brm_application_get_connection (app));
  gtk_window_destroy (main_window);
  g_assert_cmpuint (count_new_batch_windows (&again), ==, 0);
  g_settings_reset (settings, "server-url");
}

/* The dialog fits a phone: its content asks for no more than 360 px. */
static void
test_narrow (void)
{
  g_autoptr(Session) s = session_new (NULL);
  g_autoptr(GPtrArray) leads = brt_import_leads (s->daemon, 2, NULL);
  BrmNewBatchWindow *window = open_window (s);
  GtkWidget *content = gtk_window_get_child (GTK_WINDOW (window));
  int min = 0, nat = 0;

  gtk_widget_measure (content, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  g_test_message ("new-batch window content: minimum %d px, natural %d px wide", min, nat);
  g_assert_cmpint (min, <=, 360);

  close_window (window);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* Revealers show and hide at once, so "on screen" is decided without
   * waiting for frames (Broadway draws about one a second). */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/monitor/new-batch/compose-preview-start", test_compose_preview_start);
  g_test_add_func ("/monitor/new-batch/approval-invalidated", test_approval_invalidated);
  g_test_add_func ("/monitor/new-batch/limit", test_limit);
  g_test_add_func ("/monitor/new-batch/search-and-filters", test_search_and_filters);
  g_test_add_func ("/monitor/new-batch/unavailable-template", test_unavailable_template);
  g_test_add_func ("/monitor/new-batch/budget-warning", test_budget_warning);
  g_test_add_func ("/monitor/new-batch/start-error-keeps-form", test_start_error_keeps_form);
  g_test_add_func ("/monitor/new-batch/import-report", test_import_report);
  g_test_add_func ("/monitor/new-batch/draft-survives", test_draft_survives);
  g_test_add_func ("/monitor/new-batch/accessible", test_accessible);
  g_test_add_func ("/monitor/new-batch/one-window", test_one_window);
  g_test_add_func ("/monitor/new-batch/narrow", test_narrow);

  return g_test_run ();
}
