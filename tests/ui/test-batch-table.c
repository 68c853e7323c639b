/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <stdlib.h>
#include <string.h>

#include "brm-batch-table.h"
#include "brm-progress-cell.h"
#include "brm-status-cell.h"
#include "brm-connection.h"
#include "brt-daemon.h"
#include "brt-image.h"
#include "brt-fixtures.h"

#define SCHEMA_ID "io.github.batchrunner.Monitor"

/* Widgets ---------------------------------------------------------------------- */

static GtkWidget *
find_by_type (GtkWidget *root,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  /* The cells show text with GtkInscription, the status with a cell of
   * its own. */
  if (GTK_IS_INSCRIPTION (root) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (root)), text) == 0)
    return root;
  if (BRM_IS_STATUS_CELL (root) && g_strcmp0 (brm_status_cell_get_text (BRM_STATUS_CELL (root)), text) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);
      if (found)
        return found;
    }
  return NULL;
}

/* The filter after @status: its sibling, or, when the filter row (a flow
 * box, so it wraps on a narrow window) holds it in a child of its own, the
 * widget in the next flow box child. */
static GtkWidget *
next_filter (GtkWidget *status)
{
  GtkWidget *cell;

  if (gtk_widget_get_next_sibling (status) != NULL)
    return gtk_widget_get_next_sibling (status);
  cell = gtk_widget_get_next_sibling (gtk_widget_get_parent (status));
  g_assert_true (GTK_IS_FLOW_BOX_CHILD (cell));
  return gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (cell));
}

static GtkColumnView *
column_view_of (BrmBatchTable *table)
{
  GtkWidget *view = find_by_type (GTK_WIDGET (table), GTK_TYPE_COLUMN_VIEW);

  g_assert_nonnull (view);
  return GTK_COLUMN_VIEW (view);
}

/* The row widget showing the batch named @name, or NULL. */
static GtkWidget *
row_of (BrmBatchTable *table,
        const char    *name)
{
  GtkWidget *list_view = find_by_type (GTK_WIDGET (column_view_of (table)), GTK_TYPE_LIST_VIEW);
  GtkWidget *w;

  g_assert_nonnull (list_view);
  w = find_label (list_view, name);
  while (w != NULL && gtk_widget_get_parent (w) != list_view)
    w = gtk_widget_get_parent (w);
  return w;
}

static GtkColumnViewColumn *
view_column (BrmBatchTable *table,
             const char    *id)
{
  g_auto(GStrv) order = brm_batch_table_dup_column_order (table);
  GListModel *columns = gtk_column_view_get_columns (column_view_of (table));

  for (guint i = 0; order[i] != NULL; i++)
    if (g_str_equal (order[i], id))
      {
        GtkColumnViewColumn *column = g_list_model_get_item (columns, i);

        g_object_unref (column);
        return column;
      }
  g_assert_not_reached ();
}

typedef struct
{
  GtkWidget     *window;
  BrmBatchTable *table;
} Shown;

static gboolean
table_allocated (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

static Shown
show_table (BrmBatchTable *table)
{
  Shown shown = { gtk_window_new (), table };

  gtk_window_set_default_size (GTK_WINDOW (shown.window), 1800, 700);
  gtk_window_set_child (GTK_WINDOW (shown.window), GTK_WIDGET (table));
  gtk_window_present (GTK_WINDOW (shown.window));
  g_assert_true (brt_wait_until (table_allocated, table, 10000));
  return shown;
}

static void
close_table (Shown *shown)
{
  gtk_window_destroy (GTK_WINDOW (shown->window));
  g_assert_finalize_object (shown->table);
}

static BrmBatchTable *
new_table (void)
{
  return g_object_ref_sink (BRM_BATCH_TABLE (brm_batch_table_new ()));
}

static BrBatch *
row_item (BrmBatchTable *table,
          guint          position)
{
  BrBatch *batch = g_list_model_get_item (G_LIST_MODEL (brm_batch_table_get_selection (table)), position);

  g_assert_nonnull (batch);
  g_object_unref (batch);   /* the model keeps it */
  return batch;
}

static void
count_cb (gpointer  instance,
          guint    *count)
{
  (*count)++;
}

/* Batches made locally ---------------------------------------------------------------- */

static const char * const names[] = { "alpha", "Bravo", "charlie", "Delta", "echo", "Foxtrot", "golf", "Hotel" };
static const char * const creators[] = { "ana@example.com", "Bob", "carla", NULL };
static const char * const templates[] = { "v0", "v1", "v2" };
static const char * const statuses[] = { "running", "pending", "paused", "failed", "completed", "cancelled" };

static BrBatch *
make_batch (guint  i,
            GRand *rand)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(GDateTime) started = g_date_time_new_from_unix_utc (1700000000 + g_rand_int_range (rand, 0, 10000000));
  g_autofree char *id = g_strdup_printf ("%08x-0000-4000-8000-%012u", g_rand_int (rand), i);
  g_autofree char *name = g_strdup_printf ("%s %u", names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))],
                                           g_rand_int_range (rand, 0, 100000));
  g_autofree char *iso = g_date_time_format_iso8601 (started);
  const char *creator = creators[i % G_N_ELEMENTS (creators)];
  gint64 total = g_rand_int_range (rand, 1, 1000);
  gint64 processed = g_rand_int_range (rand, 0, total + 1);
  gint64 failed = g_rand_int_range (rand, 0, processed + 1);
  g_autoptr(GError) error = NULL;
  BrBatch *batch;

  json_object_set_string_member (obj, "id", id);
  json_object_set_string_member (obj, "name", name);
  json_object_set_string_member (obj, "status", statuses[g_rand_int_range (rand, 0, G_N_ELEMENTS (statuses))]);
  json_object_set_int_member (obj, "total_leads", total);
  json_object_set_int_member (obj, "processed_leads", processed);
  json_object_set_int_member (obj, "failed_leads", failed);
  json_object_set_int_member (obj, "successful_leads", processed - failed);
  json_object_set_double_member (obj, "progress_percentage", 100.0 * processed / total);
  json_object_set_double_member (obj, "estimated_cost_usd", g_rand_int_range (rand, 0, 100000) / 100.0);
  json_object_set_double_member (obj, "actual_cost_usd", g_rand_int_range (rand, 0, 100000) / 100.0);
  json_object_set_double_member (obj, "processing_rate_per_second", g_rand_int_range (rand, 0, 500) / 100.0);
  if (g_rand_boolean (rand))
    json_object_set_int_member (obj, "estimated_remaining_seconds", g_rand_int_range (rand, 0, 20000));
  else
    json_object_set_null_member (obj, "estimated_remaining_seconds");
  json_object_set_string_member (obj, "template_version", templates[g_rand_int_range (rand, 0, G_N_ELEMENTS (templates))]);
  json_object_set_string_member (obj, "started_at", iso);
  if (creator != NULL)
    json_object_set_string_member (obj, "created_by", creator);

  batch = br_batch_new_from_json (obj, &error);
  g_assert_no_error (error);
  return batch;
}

static BrBatchStore *
make_store (guint n)
{
  BrBatchStore *store = br_batch_store_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrBatch) batch = make_batch (i, rand);

      br_batch_store_upsert (store, batch);
    }
  return store;
}

/* The order each column promises, written independently of the table. */
static int
cmp_str (const char *a,
         const char *b)
{
  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);
  return g_ascii_strcasecmp (a, b);
}

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int
expected_order (const char *column,
                BrBatch    *a,
                BrBatch    *b)
{
  if (g_str_equal (column, "status"))
    return CMP (br_batch_get_status (a), br_batch_get_status (b));
  if (g_str_equal (column, "name"))
    return cmp_str (br_batch_get_name (a), br_batch_get_name (b));
  if (g_str_equal (column, "progress"))
    return CMP (br_batch_get_progress_percentage (a), br_batch_get_progress_percentage (b));
  if (g_str_equal (column, "processed"))
    return CMP (br_batch_get_processed_leads (a), br_batch_get_processed_leads (b));
  if (g_str_equal (column, "succeeded"))
    return CMP (br_batch_get_successful_leads (a), br_batch_get_successful_leads (b));
  if (g_str_equal (column, "failed"))
    return CMP (br_batch_get_failed_leads (a), br_batch_get_failed_leads (b));
  if (g_str_equal (column, "rate"))
    return CMP (br_batch_get_rate (a), br_batch_get_rate (b));
  if (g_str_equal (column, "eta"))
    {
      /* Unknown (-1) waits longest. */
      guint64 ea = (guint64) br_batch_get_eta_seconds (a), eb = (guint64) br_batch_get_eta_seconds (b);
      return CMP (ea, eb);
    }
  if (g_str_equal (column, "estimated-cost"))
    return CMP (br_batch_get_estimated_cost_usd (a), br_batch_get_estimated_cost_usd (b));
  if (g_str_equal (column, "actual-cost"))
    return CMP (br_batch_get_actual_cost_usd (a), br_batch_get_actual_cost_usd (b));
  if (g_str_equal (column, "template"))
    return cmp_str (br_batch_get_template_version (a), br_batch_get_template_version (b));
  if (g_str_equal (column, "started"))
    return CMP (br_batch_get_started_at (a), br_batch_get_started_at (b));
  if (g_str_equal (column, "created-by"))
    return cmp_str (br_batch_get_created_by (a), br_batch_get_created_by (b));
  g_assert_not_reached ();
}

#undef CMP

static void
assert_sorted (BrmBatchTable *table,
               const char    *column,
               gboolean       descending)
{
  GListModel *rows = G_LIST_MODEL (brm_batch_table_get_selection (table));
  guint n = g_list_model_get_n_items (rows);
  g_autoptr(BrBatch) prev = n > 0 ? g_list_model_get_item (rows, 0) : NULL;

  for (guint i = 1; i < n; i++)
    {
      g_autoptr(BrBatch) cur = g_list_model_get_item (rows, i);
      int r = expected_order (column, prev, cur);

      if (descending ? r < 0 : r > 0)
        g_error ("Sorted by %s %s, rows %u and %u are out of order", column, descending ? "desc" : "asc", i - 1, i);
      g_set_object (&prev, cur);
    }
}

static gboolean
contains_nocase (const char *haystack,
                 const char *needle)
{
  g_autofree char *h = haystack ? g_ascii_strdown (haystack, -1) : NULL;

  return h != NULL && strstr (h, needle) != NULL;
}

static guint
count_matching (GListModel *model,
                const char *text,
                int         status,
                const char *template_version)
{
  guint n = g_list_model_get_n_items (model), count = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrBatch) b = g_list_model_get_item (model, i);

      if (status >= 0 && (int) br_batch_get_status (b) != status)
        continue;
      if (template_version && g_strcmp0 (br_batch_get_template_version (b), template_version) != 0)
        continue;
      if (text && !contains_nocase (br_batch_get_name (b), text) && !contains_nocase (br_batch_get_id (b), text) &&
          !contains_nocase (br_batch_get_created_by (b), text) && !contains_nocase (br_batch_get_template_version (b), text))
        continue;
      count++;
    }
  return count;
}

/* Tests without a service --------------------------------------------------------------- */

static const char * const all_columns[] = {
  "status", "name", "progress", "processed", "succeeded", "failed", "rate", "eta",
  "estimated-cost", "actual-cost", "template", "started", "created-by",
};

/* 10,000 batches: every column sorts both ways, every filter finds what a
 * plain scan finds. */
static void
test_model_at_size (void)
{
  g_autoptr(BrBatchStore) store = make_store (10000);
  BrmBatchTable *table = new_table ();
  gint64 t0;

  t0 = g_get_monotonic_time ();
  brm_batch_table_set_model (table, G_LIST_MODEL (store));
  g_test_message ("set_model, 10,000 batches: %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 10000);

  /* The default: newest first. */
  g_assert_cmpstr (brm_batch_table_get_sort_column (table, NULL), ==, "started");
  assert_sorted (table, "started", TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (all_columns); i++)
    for (int desc = 0; desc <= 1; desc++)
      {
        gboolean got_desc;

        t0 = g_get_monotonic_time ();
        brm_batch_table_sort_by (table, all_columns[i], desc);
        g_test_message ("sort by %s %s: %.1f ms", all_columns[i], desc ? "desc" : "asc",
                        (g_get_monotonic_time () - t0) / 1000.0);
        g_assert_cmpstr (brm_batch_table_get_sort_column (table, &got_desc), ==, all_columns[i]);
        g_assert_cmpint (got_desc, ==, desc);
        assert_sorted (table, all_columns[i], desc);
      }

  /* Filters, alone and together, against a plain scan. */
  t0 = g_get_monotonic_time ();
  brm_batch_table_set_search_text (table, "Ec");
  g_test_message ("search: %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, count_matching (G_LIST_MODEL (store), "ec", -1, NULL));
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), >, 0);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), <, 10000);
  /* Stricter, then looser again, then different. */
  brm_batch_table_set_search_text (table, "ECHO 1");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, count_matching (G_LIST_MODEL (store), "echo 1", -1, NULL));
  brm_batch_table_set_search_text (table, "ech");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, count_matching (G_LIST_MODEL (store), "ech", -1, NULL));
  brm_batch_table_set_search_text (table, "BOB");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, count_matching (G_LIST_MODEL (store), "bob", -1, NULL));
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 2500);
  /* Ids are searched too. */
  brm_batch_table_set_search_text (table, "-000000004242");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 1);
  brm_batch_table_set_search_text (table, "");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 10000);

  brm_batch_table_set_status_filter (table, BR_BATCH_STATUS_PAUSED);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, count_matching (G_LIST_MODEL (store), NULL, BR_BATCH_STATUS_PAUSED, NULL));
  brm_batch_table_set_status_filter (table, BR_BATCH_STATUS_RUNNING);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, count_matching (G_LIST_MODEL (store), NULL, BR_BATCH_STATUS_RUNNING, NULL));
  brm_batch_table_set_template_filter (table, "v2");
  brm_batch_table_set_search_text (table, "golf");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==,
                    count_matching (G_LIST_MODEL (store), "golf", BR_BATCH_STATUS_RUNNING, "v2"));
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), >, 0);
  for (guint i = 0; i < brm_batch_table_get_n_visible (table); i++)
    {
      BrBatch *b = row_item (table, i);

      g_assert_cmpint (br_batch_get_status (b), ==, BR_BATCH_STATUS_RUNNING);
      g_assert_cmpstr (br_batch_get_template_version (b), ==, "v2");
      g_assert_true (contains_nocase (br_batch_get_name (b), "golf"));
    }
  /* Filtered rows stay sorted. */
  assert_sorted (table, "created-by", TRUE);
  brm_batch_table_clear_filters (table);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 10000);
  g_assert_cmpint (brm_batch_table_get_status_filter (table), ==, -1);
  g_assert_null (brm_batch_table_get_template_filter (table));

  /* The drop-downs are the same filters, for the operator. */
  {
    GtkWidget *status = find_by_type (GTK_WIDGET (table), GTK_TYPE_DROP_DOWN);
    GtkDropDown *template = GTK_DROP_DOWN (next_filter (status));
    GListModel *versions = gtk_drop_down_get_model (template);
    const char * const listed[] = { "All Templates", "v0", "v1", "v2" };
    g_autoptr(GRand) rand = g_rand_new_with_seed (11);
    g_autoptr(BrBatch) newer = make_batch (20000, rand);
    g_autoptr(JsonObject) change = json_object_new ();

    g_assert_cmpuint (g_list_model_get_n_items (versions), ==, G_N_ELEMENTS (listed));
    for (guint i = 0; i < G_N_ELEMENTS (listed); i++)
      g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (versions), i), ==, listed[i]);

    gtk_drop_down_set_selected (GTK_DROP_DOWN (status), BR_BATCH_STATUS_FAILED);
    g_assert_cmpint (brm_batch_table_get_status_filter (table), ==, BR_BATCH_STATUS_FAILED);
    gtk_drop_down_set_selected (template, 2);
    g_assert_cmpstr (brm_batch_table_get_template_filter (table), ==, "v1");
    g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==,
                      count_matching (G_LIST_MODEL (store), NULL, BR_BATCH_STATUS_FAILED, "v1"));

    /* A new version arriving sorts in before the chosen one; the choice stays. */
    json_object_set_string_member (change, "id", br_batch_get_id (newer));
    json_object_set_string_member (change, "template_version", "v0-beta");
    g_assert_true (br_batch_update_from_json (newer, change, NULL));
    br_batch_store_upsert (store, newer);
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (versions), 2), ==, "v0-beta");
    g_assert_cmpuint (gtk_drop_down_get_selected (template), ==, 3);
    g_assert_cmpstr (brm_batch_table_get_template_filter (table), ==, "v1");

    /* And the API moves the drop-downs. */
    brm_batch_table_clear_filters (table);
    g_assert_cmpuint (gtk_drop_down_get_selected (template), ==, 0);
    g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (status)), ==, 0);
    g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 10001);
  }

  g_assert_finalize_object (table);
}

/* A row keeps its place while its values change; a new sort or a new row
 * puts things where they belong. */
static void
test_live_rows_keep_their_place (void)
{
  g_autoptr(BrBatchStore) store = make_store (200);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  BrmBatchTable *table = new_table ();
  g_autoptr(JsonObject) change = json_object_new ();
  g_autoptr(BrBatch) added = NULL;
  BrBatch *first;
  guint n;

  brm_batch_table_set_model (table, G_LIST_MODEL (store));
  brm_batch_table_sort_by (table, "processed", FALSE);
  first = row_item (table, 0);

  json_object_set_string_member (change, "id", br_batch_get_id (first));
  json_object_set_int_member (change, "processed_leads", 100000);
  g_assert_true (br_batch_update_from_json (first, change, NULL));
  g_assert_true (row_item (table, 0) == first);

  brm_batch_table_sort_by (table, "processed", TRUE);
  g_assert_true (row_item (table, 0) == first);
  assert_sorted (table, "processed", TRUE);

  /* Sorting again in the same order sorts by today's values, for a
   * numeric column (whose keys the sort model caches) as for a text one. */
  {
    guint n_rows = brm_batch_table_get_n_visible (table);
    BrBatch *bottom = row_item (table, n_rows - 1);
    g_autoptr(JsonObject) more = json_object_new ();

    json_object_set_string_member (more, "id", br_batch_get_id (bottom));
    json_object_set_int_member (more, "processed_leads", 200000);
    g_assert_true (br_batch_update_from_json (bottom, more, NULL));
    g_assert_true (row_item (table, n_rows - 1) == bottom);
    brm_batch_table_sort_by (table, "processed", TRUE);
    g_assert_true (row_item (table, 0) == bottom);
    assert_sorted (table, "processed", TRUE);
    json_object_set_int_member (more, "processed_leads", 0);
    g_assert_true (br_batch_update_from_json (bottom, more, NULL));
    brm_batch_table_sort_by (table, "processed", TRUE);
    g_assert_true (row_item (table, 0) == first);
  }
  brm_batch_table_sort_by (table, "name", FALSE);
  assert_sorted (table, "name", FALSE);
  {
    BrBatch *top = row_item (table, 0);
    g_autoptr(JsonObject) rename = json_object_new ();

    json_object_set_string_member (rename, "id", br_batch_get_id (top));
    json_object_set_string_member (rename, "name", "zzzz last");
    g_assert_true (br_batch_update_from_json (top, rename, NULL));
    g_assert_true (row_item (table, 0) == top);
    brm_batch_table_sort_by (table, "name", FALSE);
    assert_sorted (table, "name", FALSE);
    g_assert_true (row_item (table, brm_batch_table_get_n_visible (table) - 1) == top);
  }
  brm_batch_table_sort_by (table, "processed", TRUE);

  /* A new batch goes to its place in the current order. */
  added = make_batch (999, rand);
  json_object_set_string_member (change, "id", br_batch_get_id (added));
  json_object_set_int_member (change, "processed_leads", 50000);
  g_assert_true (br_batch_update_from_json (added, change, NULL));
  br_batch_store_upsert (store, added);
  g_assert_true (row_item (table, 1) == added);
  n = brm_batch_table_get_n_visible (table);
  g_assert_cmpuint (n, ==, 201);

  g_assert_finalize_object (table);
}

static void
test_empty_state (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(BrBatch) batch = make_batch (0, rand);
  BrmBatchTable *table = new_table ();
  /* The table's own stack: the drop-downs hold stacks too. */
  GtkStack *stack = GTK_STACK (gtk_widget_get_last_child (GTK_WIDGET (table)));
  AdwStatusPage *page = ADW_STATUS_PAGE (find_by_type (GTK_WIDGET (table), ADW_TYPE_STATUS_PAGE));
  GtkWidget *clear = find_by_type (GTK_WIDGET (page), GTK_TYPE_BUTTON);
  Shown shown = show_table (table);

  brm_batch_table_set_model (table, G_LIST_MODEL (store));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "No batches yet");
  g_assert_false (gtk_widget_get_visible (clear));

  br_batch_store_upsert (store, batch);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "table");

  brm_batch_table_set_search_text (table, "no such batch");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "No batches match");
  g_assert_true (gtk_widget_get_visible (clear));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (clear), GTK_ACCESSIBLE_ROLE_BUTTON);

  /* The page's button clears the filters. */
  g_signal_emit_by_name (clear, "clicked");
  g_assert_cmpstr (brm_batch_table_get_search_text (table), ==, "");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 1);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "table");

  close_table (&shown);
}

static void
test_search_keyboard (void)
{
  g_autoptr(BrBatchStore) store = make_store (50);
  BrmBatchTable *table = new_table ();
  GtkWidget *entry = find_by_type (GTK_WIDGET (table), GTK_TYPE_SEARCH_ENTRY);
  Shown shown = show_table (table);
  GtkWidget *focus;

  brm_batch_table_set_model (table, G_LIST_MODEL (store));

  brm_batch_table_focus_search (table);
  focus = gtk_root_get_focus (GTK_ROOT (shown.window));
  g_assert_nonnull (focus);
  g_assert_true (focus == entry || gtk_widget_is_ancestor (focus, entry));

  /* Typing filters after the entry's short pause. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "zzz");
  while (brm_batch_table_get_n_visible (table) != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (brm_batch_table_get_search_text (table), ==, "zzz");

  /* Escape clears, a second one goes back to the rows. */
  g_signal_emit_by_name (entry, "stop-search");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 50);
  g_signal_emit_by_name (entry, "stop-search");
  focus = gtk_root_get_focus (GTK_ROOT (shown.window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (column_view_of (table))) ||
                 focus == GTK_WIDGET (column_view_of (table)));

  close_table (&shown);
}

static void
reset_settings (GSettings *settings)
{
  const char * const keys[] = { "column-order", "hidden-columns", "column-widths", "sort-column", "sort-descending" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
}

static gboolean
settings_saved (gpointer data)
{
  GSettings *settings = data;
  g_auto(GStrv) order = g_settings_get_strv (settings, "column-order");
  g_auto(GStrv) hidden = g_settings_get_strv (settings, "hidden-columns");
  g_autoptr(GVariant) widths = g_settings_get_value (settings, "column-widths");
  g_autofree char *sort = g_settings_get_string (settings, "sort-column");
  int width = 0;

  return g_strv_length (order) == 13 && g_str_equal (order[0], "eta") &&
         g_strv_length (hidden) == 1 && g_str_equal (hidden[0], "rate") &&
         g_variant_lookup (widths, "name", "i", &width) && width == 321 &&
         g_str_equal (sort, "failed") && !g_settings_get_boolean (settings, "sort-descending");
}

static void
test_persistence (void)
{
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(BrBatchStore) store = make_store (500);
  BrmBatchTable *table = new_table ();
  BrmBatchTable *again;
  g_auto(GStrv) default_order = NULL;
  g_auto(GStrv) order = NULL;
  g_auto(GStrv) restored_order = NULL;
  g_autoptr(GVariant) widths = NULL;
  gboolean desc = TRUE;

  reset_settings (settings);
  default_order = g_settings_get_strv (settings, "column-order");

  brm_batch_table_set_model (table, G_LIST_MODEL (store));
  brm_batch_table_set_settings (table, settings);
  order = brm_batch_table_dup_column_order (table);
  g_assert_cmpstrv (order, default_order);
  g_assert_cmpstr (brm_batch_table_get_sort_column (table, &desc), ==, "started");
  g_assert_true (desc);
  g_clear_pointer (&order, g_strfreev);

  /* What the operator does: hide a column from the menu, drag one to the
   * front, resize one, click a header. */
  g_assert_true (brm_batch_table_get_column_visible (table, "rate"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (table), "table.show-rate", NULL));
  g_assert_false (brm_batch_table_get_column_visible (table, "rate"));
  gtk_column_view_sort_by_column (column_view_of (table), view_column (table, "failed"), GTK_SORT_ASCENDING);
  gtk_column_view_insert_column (column_view_of (table), 0, view_column (table, "eta"));
  gtk_column_view_column_set_fixed_width (view_column (table, "name"), 321);
  /* Moving a column does not lose the sort. */
  g_assert_cmpstr (brm_batch_table_get_sort_column (table, &desc), ==, "failed");
  g_assert_false (desc);
  assert_sorted (table, "failed", FALSE);

  g_assert_true (brt_wait_until (settings_saved, settings, 5000));
  order = brm_batch_table_dup_column_order (table);
  g_assert_cmpstr (order[0], ==, "eta");

  /* The name column cannot be hidden: it tells rows apart. */
  brm_batch_table_set_column_visible (table, "name", FALSE);
  g_assert_true (brm_batch_table_get_column_visible (table, "name"));

  /* A new table (the next run) comes back the same. */
  again = new_table ();
  brm_batch_table_set_model (again, G_LIST_MODEL (store));
  brm_batch_table_set_settings (again, settings);
  restored_order = brm_batch_table_dup_column_order (again);
  g_assert_cmpstrv (restored_order, order);
  g_assert_false (brm_batch_table_get_column_visible (again, "rate"));
  g_assert_true (brm_batch_table_get_column_visible (again, "eta"));
  g_assert_cmpint (gtk_column_view_column_get_fixed_width (view_column (again, "name")), ==, 321);
  g_assert_cmpint (gtk_column_view_column_get_fixed_width (view_column (again, "eta")), ==, -1);
  g_assert_cmpstr (brm_batch_table_get_sort_column (again, &desc), ==, "failed");
  g_assert_false (desc);
  assert_sorted (again, "failed", FALSE);

  /* A second click on the header inverts, and that is kept too. */
  gtk_column_view_sort_by_column (column_view_of (again), view_column (again, "failed"), GTK_SORT_DESCENDING);
  assert_sorted (again, "failed", TRUE);
  g_assert_finalize_object (again);   /* a pending save is written on the way out */
  g_assert_true (g_settings_get_boolean (settings, "sort-descending"));

  /* Showing it again from the menu. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (table), "table.show-rate", NULL));
  g_assert_finalize_object (table);
  g_assert_cmpuint (g_strv_length (g_settings_get_strv (settings, "hidden-columns")), ==, 0);
  widths = g_settings_get_value (settings, "column-widths");
  g_assert_cmpuint (g_variant_n_children (widths), ==, 1);

  reset_settings (settings);
}

static void
test_accessible (void)
{
  g_autoptr(BrBatchStore) store = make_store (3);
  BrmBatchTable *table = new_table ();
  Shown shown = show_table (table);
  GtkWidget *entry = find_by_type (GTK_WIDGET (table), GTK_TYPE_SEARCH_ENTRY);
  GtkWidget *status = find_by_type (GTK_WIDGET (table), GTK_TYPE_DROP_DOWN);
  GtkWidget *template = next_filter (status);
  GtkWidget *columns = find_by_type (GTK_WIDGET (table), GTK_TYPE_MENU_BUTTON);
  GtkColumnView *view = column_view_of (table);

  brm_batch_table_set_model (table, G_LIST_MODEL (store));

  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_ROLE_TREE_GRID);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, "Batches");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, "Search batches");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (status), GTK_ACCESSIBLE_PROPERTY_LABEL, "Filter by status");
  g_assert_true (GTK_IS_DROP_DOWN (template));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (template), GTK_ACCESSIBLE_PROPERTY_LABEL, "Filter by template");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (columns), GTK_ACCESSIBLE_PROPERTY_LABEL, "Columns");

  /* Offline: dimmed, and said. */
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
  brm_batch_table_set_stale (table, TRUE);
  g_assert_true (brm_batch_table_get_stale (table));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (table), "stale"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Last known data, not updated while offline");
  brm_batch_table_set_stale (table, FALSE);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (table), "stale"));
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));

  close_table (&shown);
}

static gboolean
scrolled_to_top (gpointer data)
{
  return gtk_adjustment_get_value (data) == 0.0;
}

static gboolean
scrolled_down (gpointer data)
{
  return gtk_adjustment_get_value (data) > 0.0;
}

/* A new order or a new search shows its first rows (or the selection),
 * not the place the old top row went to. */
static void
test_scroll_follows_sort (void)
{
  g_autoptr(BrBatchStore) store = make_store (300);
  BrmBatchTable *table = new_table ();
  Shown shown = show_table (table);
  GtkAdjustment *vadj;
  g_autofree char *last = NULL;
  g_autofree char *middle = NULL;

  brm_batch_table_set_model (table, G_LIST_MODEL (store));
  brm_batch_table_sort_by (table, "processed", FALSE);
  vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (column_view_of (table)));

  last = g_strdup (br_batch_get_id (row_item (table, 299)));
  g_assert_true (brm_batch_table_select_batch (table, last));
  g_assert_true (brt_wait_until (scrolled_down, vadj, 10000));

  gtk_selection_model_unselect_all (brm_batch_table_get_selection (table));
  brm_batch_table_sort_by (table, "name", FALSE);
  g_assert_true (brt_wait_until (scrolled_to_top, vadj, 10000));

  /* With a selection, the new order shows it. */
  middle = g_strdup (br_batch_get_id (row_item (table, 250)));
  g_assert_true (brm_batch_table_select_batch (table, middle));
  brm_batch_table_set_search_text (table, "o");   /* every name but "alpha" */
  g_assert_true (brt_wait_until (scrolled_down, vadj, 10000));
  brm_batch_table_set_search_text (table, NULL);
  gtk_selection_model_unselect_all (brm_batch_table_get_selection (table));
  brm_batch_table_set_status_filter (table, BR_BATCH_STATUS_FAILED);
  g_assert_true (brt_wait_until (scrolled_to_top, vadj, 10000));

  close_table (&shown);
}

/* With the service ----------------------------------------------------------------------- */

typedef struct
{
  BrmBatchTable *table;
  const char    *name;
  BrBatch       *batch;
  guint          min_processed;
} RowWait;

static gboolean
row_shown (gpointer data)
{
  RowWait *w = data;
  GtkWidget *row = row_of (w->table, w->name);
  GtkWidget *bar = row ? find_by_type (row, GTK_TYPE_PROGRESS_BAR) : NULL;

  return bar != NULL && br_batch_get_processed_leads (w->batch) >= w->min_processed;
}

static gboolean
n_visible_is (gpointer data)
{
  RowWait *w = data;

  return brm_batch_table_get_n_visible (w->table) == w->min_processed;
}

static gboolean
batch_paused (gpointer data)
{
  return br_batch_get_status (data) == BR_BATCH_STATUS_PAUSED;
}

static void
activated_cb (BrmBatchTable  *table,
              BrBatch        *batch,
              BrBatch       **out)
{
  g_set_object (out, batch);
}

static char *
start_named (BrtDaemon  *daemon,
             guint       n,
             const char *name,
             const char *template_version,
             guint       max_concurrent)
{
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, n, NULL);
  g_autofree char *extra = g_strdup_printf ("\"name\": \"%s\", \"template_version\": \"%s\", \"max_concurrent\": %u",
                                            name, template_version, max_concurrent);

  return brt_start_batch (daemon, ids, extra);
}

static void
test_live_service (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec",
                                                  "--exec-command", "sh -c 'sleep 0.25; echo {}'",
                                                  "--workers", "4", "--progress-interval-ms", "20", NULL);
  g_autofree char *alpha = start_named (daemon, 2, "Alpha", "v1", 2);
  g_autofree char *beta = start_named (daemon, 3, "Beta", "v0", 3);
  g_autofree char *gamma = NULL;
  g_autoptr(JsonObject) done_a = NULL;
  g_autoptr(JsonObject) done_b = NULL;
  g_autoptr(BrmConnection) connection = NULL;
  g_autoptr(GPtrArray) selected = NULL;
  g_autoptr(BrBatch) activated = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id_prefix = NULL;
  g_autofree char *percent = NULL;
  g_autofree char *value_text = NULL;
  BrmBatchTable *table = new_table ();
  Shown shown = show_table (table);
  BrBatchStore *store;
  BrBatch *batch;
  GtkWidget *row, *bar, *status_label, *progress_cell;
  RowWait wait;
  guint changes = 0, position;

  done_a = brt_wait_batch_status (daemon, alpha, "completed", 20000);
  done_b = brt_wait_batch_status (daemon, beta, "completed", 20000);
  /* 40 leads one at a time: it runs for ten seconds unless paused. */
  gamma = start_named (daemon, 40, "Gamma", "v1", 1);

  connection = brm_connection_new (brt_daemon_get_url (daemon), NULL, NULL);
  store = brm_connection_get_store (connection);
  brm_batch_table_set_model (table, G_LIST_MODEL (store));
  brm_connection_start (connection);

  /* The snapshot fills the table. */
  wait = (RowWait) { table, NULL, NULL, 3 };
  g_assert_true (brt_wait_until (n_visible_is, &wait, 15000));
  batch = br_batch_store_lookup (store, gamma);
  g_assert_nonnull (batch);

  /* Filters. */
  brm_batch_table_set_template_filter (table, "v0");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 1);
  g_assert_cmpstr (br_batch_get_id (row_item (table, 0)), ==, beta);
  brm_batch_table_set_template_filter (table, "v1");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 2);
  brm_batch_table_set_template_filter (table, NULL);
  brm_batch_table_set_status_filter (table, BR_BATCH_STATUS_COMPLETED);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 2);
  brm_batch_table_set_status_filter (table, BR_BATCH_STATUS_RUNNING);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 1);
  g_assert_true (row_item (table, 0) == batch);
  brm_batch_table_set_status_filter (table, -1);
  brm_batch_table_set_search_text (table, "ALPH");
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 1);
  id_prefix = g_strndup (gamma, 13);
  brm_batch_table_set_search_text (table, id_prefix);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 1);
  g_assert_true (row_item (table, 0) == batch);
  brm_batch_table_set_search_text (table, NULL);
  g_assert_cmpuint (brm_batch_table_get_n_visible (table), ==, 3);

  /* Sorting by name, both ways. */
  brm_batch_table_sort_by (table, "name", FALSE);
  g_assert_cmpstr (br_batch_get_id (row_item (table, 0)), ==, alpha);
  g_assert_cmpstr (br_batch_get_id (row_item (table, 1)), ==, beta);
  g_assert_cmpstr (br_batch_get_id (row_item (table, 2)), ==, gamma);
  brm_batch_table_sort_by (table, "name", TRUE);
  g_assert_cmpstr (br_batch_get_id (row_item (table, 0)), ==, gamma);
  g_assert_cmpstr (br_batch_get_id (row_item (table, 2)), ==, alpha);

  /* Select the running batch; its row follows the progress in place. */
  g_assert_false (brm_batch_table_select_batch (table, "00000000-0000-0000-0000-000000000000"));
  g_assert_true (brm_batch_table_select_batch (table, gamma));
  g_assert_cmpuint (brm_batch_table_get_n_selected (table), ==, 1);
  selected = brm_batch_table_dup_selected (table);
  g_assert_cmpuint (selected->len, ==, 1);
  g_assert_true (selected->pdata[0] == batch);
  position = 0;
  g_assert_true (gtk_selection_model_is_selected (brm_batch_table_get_selection (table), position));

  wait = (RowWait) { table, "Gamma", batch, 1 };
  g_assert_true (brt_wait_until (row_shown, &wait, 15000));
  row = row_of (table, "Gamma");
  bar = find_by_type (row, GTK_TYPE_PROGRESS_BAR);
  wait.min_processed = br_batch_get_processed_leads (batch) + 2;
  g_assert_true (brt_wait_until (row_shown, &wait, 15000));

  g_assert_true (row_of (table, "Gamma") == row);
  g_assert_true (find_by_type (row, GTK_TYPE_PROGRESS_BAR) == bar);
  g_assert_true (gtk_widget_get_state_flags (row) & GTK_STATE_FLAG_SELECTED);
  g_assert_true (row_item (table, position) == batch);
  g_assert_true (gtk_selection_model_is_selected (brm_batch_table_get_selection (table), position));
  g_assert_cmpuint (brm_batch_table_get_n_selected (table), ==, 1);
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)),
                                  br_batch_get_progress_percentage (batch) / 100.0, 1e-9);
  g_assert_cmpfloat (br_batch_get_progress_percentage (batch), >, 0.0);
  percent = g_strdup_printf ("%d %%", (int) br_batch_get_progress_percentage (batch));
  value_text = g_strdup_printf ("%s, %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " leads", percent,
                                br_batch_get_processed_leads (batch), br_batch_get_total_leads (batch));
  g_assert_cmpint (br_batch_get_total_leads (batch), ==, 40);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_ROLE_PROGRESS_BAR);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 1.0);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW,
                                       br_batch_get_progress_percentage (batch) / 100.0);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, value_text);
  /* The percentage is drawn beside the bar by the cell that holds it. */
  progress_cell = find_by_type (row, BRM_TYPE_PROGRESS_CELL);
  g_assert_nonnull (progress_cell);
  g_assert_true (gtk_widget_is_ancestor (bar, progress_cell));
  g_assert_cmpstr (brm_progress_cell_get_text (BRM_PROGRESS_CELL (progress_cell)), ==, percent);
  status_label = find_label (row, "Running");
  g_assert_nonnull (status_label);
  g_assert_true (BRM_IS_STATUS_CELL (status_label));
  g_assert_cmpstr (brm_status_cell_get_icon_name (BRM_STATUS_CELL (status_label)), ==, "media-playback-start-symbolic");
  g_assert_true (gtk_widget_has_css_class (status_label, "running"));
  /* Cells are read as text, not only seen. */
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (status_label), GTK_ACCESSIBLE_ROLE_LABEL);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (status_label), GTK_ACCESSIBLE_PROPERTY_LABEL, "Running");

  /* Pausing the selected batch changes what may be done with the selection. */
  g_signal_connect (table, "selection-changed", G_CALLBACK (count_cb), &changes);
  path = g_strdup_printf ("/api/v1/batch/%s/pause", gamma);
  g_clear_pointer (&done_a, json_object_unref);
  done_a = brt_request (daemon, "POST", path, NULL, 200);
  g_assert_true (brt_wait_until (batch_paused, batch, 10000));
  g_assert_cmpuint (changes, >, 0);
  /* The same label now says so. */
  g_assert_true (row_of (table, "Gamma") == row);
  g_assert_cmpstr (brm_status_cell_get_text (BRM_STATUS_CELL (status_label)), ==, "Paused");
  g_assert_true (gtk_widget_has_css_class (status_label, "paused"));
  g_assert_false (gtk_widget_has_css_class (status_label, "running"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (status_label), GTK_ACCESSIBLE_PROPERTY_LABEL, "Paused");

  /* Enter or a double click on a row. */
  g_signal_connect (table, "batch-activated", G_CALLBACK (activated_cb), &activated);
  g_signal_emit_by_name (column_view_of (table), "activate", position);
  g_assert_true (activated == batch);

  /* Filtering the selected row out changes the selection too. */
  changes = 0;
  brm_batch_table_set_status_filter (table, BR_BATCH_STATUS_COMPLETED);
  g_assert_cmpuint (brm_batch_table_get_n_selected (table), ==, 0);
  g_assert_cmpuint (changes, >, 0);
  g_assert_false (brm_batch_table_select_batch (table, gamma));
  g_assert_true (brm_batch_table_select_batch (table, alpha));
  brm_batch_table_set_status_filter (table, -1);

  g_signal_handlers_disconnect_by_data (table, &changes);
  g_signal_handlers_disconnect_by_data (table, &activated);
  brm_connection_stop (connection);
  close_table (&shown);
}

/* With the store's own tick off, only the table's frame tick applies live
 * updates: while the table is on screen, in frames, and a burst larger
 * than one frame's budget still arrives whole, in order. */
typedef struct
{
  BrBatchStore *store;
  guint         n_frames;
} FlushWait;

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  ((FlushWait *) data)->n_frames++;
  return G_SOURCE_CONTINUE;
}

static gboolean
store_flushed (gpointer data)
{
  return !br_batch_store_get_has_queued (((FlushWait *) data)->store);
}

static void
queue_progress (BrBatchStore *store,
                guint         n,
                gint64        processed)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autoptr(JsonObject) change = json_object_new ();

      json_object_set_string_member (change, "id", br_batch_get_id (batch));
      json_object_set_int_member (change, "processed_leads", processed);
      g_assert_true (br_batch_store_queue_update (store, change, NULL));
    }
}

static void
test_updates_follow_frames (void)
{
  g_autoptr(BrBatchStore) store = make_store (3000);
  BrmBatchTable *table = new_table ();
  FlushWait wait = { store, 0 };
  Shown shown;
  guint tick;

  br_batch_store_set_tick_interval (store, 0);
  brm_batch_table_set_model (table, G_LIST_MODEL (store));

  /* Not on screen: nothing applies them. */
  queue_progress (store, 3000, 7);
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (br_batch_store_get_has_queued (store));

  shown = show_table (table);
  tick = gtk_widget_add_tick_callback (GTK_WIDGET (table), count_frame_cb, &wait, NULL);
  g_assert_true (brt_wait_until (store_flushed, &wait, 30000));
  for (guint i = 0; i < 3000; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_assert_cmpint (br_batch_get_processed_leads (batch), ==, 7);
    }

  /* Later updates come in later frames, then the tick stops. */
  queue_progress (store, 10, 9);
  g_assert_true (brt_wait_until (store_flushed, &wait, 10000));
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_assert_cmpint (br_batch_get_processed_leads (batch), ==, 9);
    }
  g_assert_cmpuint (wait.n_frames, >, 0);

  gtk_widget_remove_tick_callback (GTK_WIDGET (table), tick);
  close_table (&shown);
}

/* The status and progress cells draw their content themselves ------------------ */

/* Painted pixels in columns [x0, x1); the most opaque one in
 * *most_opaque (all zero when none). */
static guint
painted_in (const BrtImage *image,
            int          x0,
            int          x1,
            const guchar **most_opaque)
{
  static const guchar nothing[4] = { 0 };
  guint n = 0;

  if (most_opaque != NULL)
    *most_opaque = nothing;
  for (int y = 0; y < image->height; y++)
    for (int x = MAX (x0, 0); x < MIN (x1, image->width); x++)
      {
        const guchar *p = image->pixels + ((gsize) y * image->width + x) * 4;

        if (p[3] == 0)
          continue;
        n++;
        if (most_opaque != NULL && p[3] > (*most_opaque)[3])
          *most_opaque = p;
      }
  return n;
}

/* Broadway paces frames a second apart: lay @widget out now, where it is. */
static void
relayout (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, NULL, NULL, NULL, NULL);
  gtk_widget_size_allocate (widget, &(GtkAllocation) { 0, 0, width, height }, -1);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_cells (void)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *status = brm_status_cell_new (10);
  GtkWidget *progress = brm_progress_cell_new ();
  GtkProgressBar *bar = brm_progress_cell_get_bar (BRM_PROGRESS_CELL (progress));
  g_auto(BrtImage) before = { 0 };
  g_auto(BrtImage) after = { 0 };
  const guchar *p;
  int nat_running, nat_cancelled, text_x;
  guint notifies = 0;
  GtkAllocation bar_alloc;
  /* Variables: the assertion macro would take a literal's "%" for a format. */
  const char *read_25 = "42 %, 25 of 60 leads";
  const char *read_26 = "42 %, 26 of 60 leads";
  const char *read_1 = "100 %, 1 of 1 lead";

  gtk_css_provider_load_from_data (css, ".cell-test { color: rgb(200, 0, 0); }", -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 10);
  gtk_widget_add_css_class (status, "cell-test");
  gtk_widget_set_halign (status, GTK_ALIGN_START);
  gtk_widget_set_halign (progress, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), status);
  gtk_box_append (GTK_BOX (box), progress);
  gtk_window_set_child (GTK_WINDOW (window), box);

  /* Status: an icon and a text, in the CSS colour, read as a label. */
  g_signal_connect (status, "notify::text", G_CALLBACK (count_notify_cb), &notifies);
  brm_status_cell_set (BRM_STATUS_CELL (status), "media-playback-start-symbolic", "Running");
  g_assert_cmpuint (notifies, ==, 1);
  brm_status_cell_set (BRM_STATUS_CELL (status), "media-playback-start-symbolic", "Running");
  g_assert_cmpuint (notifies, ==, 1);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (status), GTK_ACCESSIBLE_ROLE_LABEL);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (status), GTK_ACCESSIBLE_PROPERTY_LABEL, "Running");

  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_width (status) <= 0 || gtk_widget_get_width (progress) <= 0)
    g_main_context_iteration (NULL, TRUE);

  brt_image_render (status, &before);
  g_assert_cmpint (before.height, >=, 16);
  /* The icon, in the first 16 pixels … */
  g_assert_cmpuint (painted_in (&before, 0, 16, &p), >, 10);
  /* … drawn in the text's colour (premultiplied B, G, R, A). */
  g_assert_cmpint (p[3], >, 128);
  g_assert_cmpint (abs (p[2] * 255 / p[3] - 200), <=, 8);
  g_assert_cmpint (p[1] * 255 / p[3], <=, 8);
  g_assert_cmpint (p[0] * 255 / p[3], <=, 8);
  /* … and the text after it, in that colour too. */
  g_assert_cmpuint (painted_in (&before, 22, before.width, &p), >, 20);
  g_assert_cmpint (p[3], >, 128);
  g_assert_cmpint (abs (p[2] * 255 / p[3] - 200), <=, 8);
  g_assert_cmpint (p[1] * 255 / p[3], <=, 8);

  /* Its width comes from the number of characters, not from the text:
   * a new status redraws, it does not lay the rows out again. */
  gtk_widget_measure (status, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat_running, NULL, NULL);
  brm_status_cell_set (BRM_STATUS_CELL (status), "process-stop-symbolic", "Cancelled");
  g_assert_cmpuint (notifies, ==, 2);
  gtk_widget_measure (status, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat_cancelled, NULL, NULL);
  g_assert_cmpint (nat_running, ==, nat_cancelled);
  g_assert_cmpint (nat_running, >, 16 + 6 + 10 * 4);
  g_assert_cmpstr (brm_status_cell_get_text (BRM_STATUS_CELL (status)), ==, "Cancelled");
  g_assert_cmpstr (brm_status_cell_get_icon_name (BRM_STATUS_CELL (status)), ==, "process-stop-symbolic");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (status), GTK_ACCESSIBLE_PROPERTY_LABEL, "Cancelled");
  brt_image_render (status, &after);
  g_assert_true (brt_image_differ (&before, &after));

  /* Progress: the bar, and the percentage drawn at the end of the cell. */
  brm_progress_cell_set (BRM_PROGRESS_CELL (progress), 42.5, 25, 60);
  g_assert_cmpstr (brm_progress_cell_get_text (BRM_PROGRESS_CELL (progress)), ==, "42 %");
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (bar), 0.425, 1e-9);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_ROLE_PROGRESS_BAR);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, "Progress");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, read_25);
  /* A tick that leaves the percentage alone still tells the leads. */
  brm_progress_cell_set (BRM_PROGRESS_CELL (progress), 42.9, 26, 60);
  g_assert_cmpstr (brm_progress_cell_get_text (BRM_PROGRESS_CELL (progress)), ==, "42 %");
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (bar), 0.429, 1e-9);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, read_26);
  brm_progress_cell_set (BRM_PROGRESS_CELL (progress), 250.0, 1, 1);
  g_assert_cmpfloat (brm_progress_cell_get_percent (BRM_PROGRESS_CELL (progress)), ==, 100.0);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, read_1);

  /* Laid out (as a frame would, before drawing): the bar at the start,
   * the text after it. */
  relayout (box);
  gtk_widget_get_allocation (GTK_WIDGET (bar), &bar_alloc);
  g_assert_cmpint (bar_alloc.x, ==, 0);
  g_assert_cmpint (bar_alloc.width, >=, 80);
  text_x = bar_alloc.width + 6;
  g_assert_cmpint (text_x, <, gtk_widget_get_width (progress));
  brt_image_render (progress, &before);
  g_assert_cmpuint (painted_in (&before, text_x, before.width, NULL), >, 20);
  brm_progress_cell_set (BRM_PROGRESS_CELL (progress), 7.0, 4, 60);
  relayout (box);
  brt_image_render (progress, &after);
  g_assert_true (brt_image_differ (&before, &after));

  gtk_style_context_remove_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/monitor/batch-table/cells", test_cells);
  g_test_add_func ("/monitor/batch-table/model-at-size", test_model_at_size);
  g_test_add_func ("/monitor/batch-table/live-rows-keep-their-place", test_live_rows_keep_their_place);
  g_test_add_func ("/monitor/batch-table/empty-state", test_empty_state);
  g_test_add_func ("/monitor/batch-table/search-keyboard", test_search_keyboard);
  g_test_add_func ("/monitor/batch-table/persistence", test_persistence);
  g_test_add_func ("/monitor/batch-table/accessible", test_accessible);
  g_test_add_func ("/monitor/batch-table/scroll-follows-sort", test_scroll_follows_sort);
  g_test_add_func ("/monitor/batch-table/live-service", test_live_service);
  g_test_add_func ("/monitor/batch-table/updates-follow-frames", test_updates_follow_frames);

  return g_test_run ();
}
