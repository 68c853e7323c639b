/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "brm-analytics-page.h"
#include "brm-bar-chart.h"
#include "brm-chart-view.h"
#include "brm-heat-strip.h"
#include "brm-connection.h"
#include "brm-csv.h"
#include "brm-window.h"
#include "brt-daemon.h"
#include "brt-fixtures.h"

/* The Analytics page in the window, in process under Broadway, against a
 * real batch-runnerd with the exec processor: "FailCo" leads exit 3
 * (EXIT_3), "Reject" leads report CRM_REJECTED with a message full of
 * commas, quotes and a newline, the others succeed at $0.01 each. The
 * page's numbers are checked against what the service's REST API says. */

#define PROCESSOR_SCRIPT \
  "#!/bin/sh\n" \
  "read -r lead\n" \
  "case \"$lead\" in\n" \
  "  *FailCo*) echo 'boom, \"bad\"' >&2; exit 3;;\n" \
  "  *Reject*) printf '%s\\n' '{\"success\": false, \"error_code\": \"CRM_REJECTED\", \"error_message\": \"rejected, \\\"duplicate\\\"\\nsecond line\"}'; exit 0;;\n" \
  "esac\n" \
  "echo '{\"cost_breakdown\": {\"exec\": 0.01}}'\n"

#define ODD_NAME "Spring, \"hot\" leads\nwest"

typedef struct
{
  BrtDaemon        *daemon;
  char             *dir;
  BrmConnection    *connection;
  BrmWindow        *window;
  BrmAnalyticsPage *page;
  BrmAnalyticsModel *model;
} Fixture;

static gboolean
feed_connected (gpointer data)
{
  return br_live_feed_get_state (brm_connection_get_feed (data)) == BR_FEED_STATE_CONNECTED &&
         brm_connection_get_capabilities (data) != NULL;
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
model_idle (gpointer data)
{
  Fixture *f = data;

  return brm_analytics_model_get_state (f->model) == BRM_ANALYTICS_STATE_READY ||
         brm_analytics_model_get_state (f->model) == BRM_ANALYTICS_STATE_ERROR;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *script = NULL;
  GtkWidget *stack;

  f->dir = brt_make_tmp_dir ();
  script = g_build_filename (f->dir, "processor.sh", NULL);
  g_assert_true (g_file_set_contents (script, PROCESSOR_SCRIPT, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);

  f->daemon = brt_daemon_start ("--processor", "exec", "--exec-command", script,
                                "--workers", "4", "--retry-backoff-ms", "50", NULL);
  f->connection = brm_connection_new (brt_daemon_get_url (f->daemon), NULL, NULL);
  br_batch_store_set_tick_interval (brm_connection_get_store (f->connection), 10);
  brm_connection_start (f->connection);
  g_assert_true (brt_wait_until (feed_connected, f->connection, 10000));

  f->window = g_object_new (BRM_TYPE_WINDOW, "connection", f->connection, NULL);
  g_object_ref_sink (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1920, 1080);
  gtk_window_present (GTK_WINDOW (f->window));

  f->page = BRM_ANALYTICS_PAGE (find_type (GTK_WIDGET (f->window), BRM_TYPE_ANALYTICS_PAGE));
  g_assert_nonnull (f->page);
  g_assert_true (brm_analytics_page_get_connection (f->page) == f->connection);
  f->model = brm_analytics_page_get_model (f->page);

  /* Show the page as an operator would: it fetches when it appears. */
  stack = gtk_widget_get_ancestor (GTK_WIDGET (f->page), ADW_TYPE_VIEW_STACK);
  g_assert_nonnull (stack);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "analytics");
  g_assert_true (brt_wait_until (model_idle, f, 10000));
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
  brt_remove_tree (f->dir);
  g_free (f->dir);
}

/* Starts a batch of good, EXIT_3 and CRM_REJECTED leads and waits until
 * the service and the monitor's store both have it completed. */
static char *
run_batch (Fixture    *f,
           const char *name,
           guint       n_ok,
           guint       n_fail,
           guint       n_reject)
{
  BrtLeadSpec ok = { .name_prefix = "Company", .enrichment_status = "completed" };
  BrtLeadSpec fail = { .name_prefix = "FailCo", .enrichment_status = "completed" };
  BrtLeadSpec reject = { .name_prefix = "Reject", .enrichment_status = "completed" };
  const BrtLeadSpec *specs[] = { &ok, &fail, &reject };
  guint counts[] = { n_ok, n_fail, n_reject };
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) name_node = NULL;
  g_autofree char *name_json = NULL;
  g_autofree char *extra = NULL;
  g_autoptr(JsonObject) done = NULL;
  char *id;

  for (guint k = 0; k < G_N_ELEMENTS (specs); k++)
    if (counts[k] > 0)
      {
        g_autoptr(GPtrArray) a = brt_import_leads (f->daemon, counts[k], specs[k]);

        for (guint i = 0; i < a->len; i++)
          g_ptr_array_add (ids, g_strdup (g_ptr_array_index (a, i)));
      }

  name_node = json_node_init_string (json_node_alloc (), name);
  json_generator_set_root (gen, name_node);
  name_json = json_generator_to_data (gen, NULL);
  extra = g_strdup_printf ("\"retry_failed\": false, \"name\": %s", name_json);
  id = brt_start_batch (f->daemon, ids, extra);
  done = brt_wait_batch_status (f->daemon, id, "completed|failed", 20000);
  return id;
}

typedef struct
{
  Fixture    *f;
  const char *id;
} StoreWait;

static gboolean
store_has_done (gpointer data)
{
  StoreWait *w = data;
  BrBatch *batch = br_batch_store_lookup (brm_connection_get_store (w->f->connection), w->id);

  return batch != NULL && br_batch_status_is_terminal (br_batch_get_status (batch));
}

static void
wait_in_store (Fixture    *f,
               const char *id)
{
  StoreWait w = { f, id };

  g_assert_true (brt_wait_until (store_has_done, &w, 15000));
}

typedef struct
{
  Fixture *f;
  guint    seen;
} RefreshWait;

static gboolean
refreshed (gpointer data)
{
  RefreshWait *w = data;

  return brm_analytics_model_get_n_refreshes (w->f->model) > w->seen &&
         brm_analytics_model_get_state (w->f->model) == BRM_ANALYTICS_STATE_READY;
}

static void
refresh_and_wait (Fixture *f)
{
  RefreshWait w = { f, brm_analytics_model_get_n_refreshes (f->model) };

  brm_analytics_model_refresh (f->model);
  g_assert_true (brt_wait_until (refreshed, &w, 10000));
}

static double
series_y (BrmChartSeries *series,
          guint           i)
{
  guint n = 0;
  const BrmChartSample *samples = brm_chart_series_peek_samples (series, &n);

  g_assert_cmpuint (i, <, n);
  return samples[i].y;
}

static BrmChartSeries *
status_series (Fixture    *f,
               const char *id)
{
  GListModel *list = brm_analytics_model_get_status_series (f->model);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(BrmChartSeries) s = g_list_model_get_item (list, i);

      if (g_str_equal (brm_chart_series_get_id (s), id))
        return s;   /* the list keeps it alive */
    }
  g_error ("no status series %s", id);
}

static BrmErrorRow *
error_row (Fixture    *f,
           const char *code)
{
  GListModel *list = brm_analytics_model_get_error_breakdown (f->model);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(BrmErrorRow) row = g_list_model_get_item (list, i);

      if (g_str_equal (brm_error_row_get_code (row), code))
        return row;
    }
  return NULL;
}

static void
test_numbers_match_service (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *a = run_batch (f, ODD_NAME, 4, 0, 0);
  g_autofree char *b = run_batch (f, "Mixed", 3, 2, 0);
  g_autofree char *c = run_batch (f, "Refused", 2, 0, 2);
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) listing = NULL;
  JsonArray *daily, *errors, *batches;
  guint n_days, last;
  gint64 completed_today = 0;
  double cost_today = 0;
  gint64 failed_rows = 0;
  g_autoptr(BrBatch) top_failure = NULL;

  wait_in_store (f, a);
  wait_in_store (f, b);
  wait_in_store (f, c);
  refresh_and_wait (f);
  g_assert_cmpstr (brm_analytics_page_get_view (f->page), ==, "content");

  /* Every daily value equals the service's row for that day. */
  answer = brt_request (f->daemon, "GET", "/api/v1/batch/analytics?days=7", NULL, 200);
  daily = json_object_get_array_member (answer, "daily");
  n_days = json_array_get_length (daily);
  g_assert_cmpuint (n_days, ==, 7);
  g_assert_cmpuint (brm_analytics_model_get_n_days (f->model), ==, n_days);
  for (guint i = 0; i < n_days; i++)
    {
      JsonObject *day = json_array_get_object_element (daily, i);
      gint64 processed = brt_int (day, "leads_processed");

      g_assert_cmpstr (brm_analytics_model_get_day_date (f->model, i), ==, brt_str (day, "date"));
      g_assert_cmpfloat (series_y (brm_analytics_model_get_series (f->model, BRM_ANALYTICS_SERIES_LEADS), i), ==, processed);
      g_assert_cmpfloat_with_epsilon (series_y (brm_analytics_model_get_series (f->model, BRM_ANALYTICS_SERIES_COST), i),
                                      brt_num (day, "cost_usd"), 1e-9);
      if (processed > 0)
        g_assert_cmpfloat_with_epsilon (series_y (brm_analytics_model_get_series (f->model, BRM_ANALYTICS_SERIES_SUCCESS_RATE), i),
                                        100.0 * brt_int (day, "successful") / processed, 1e-9);
      else
        g_assert_true (isnan (series_y (brm_analytics_model_get_series (f->model, BRM_ANALYTICS_SERIES_SUCCESS_RATE), i)));
    }

  /* … and what we ran: 13 leads today, 4 failed; the cost is what the
   * batches' own rows add up to. */
  last = n_days - 1;
  g_assert_cmpfloat (series_y (brm_analytics_model_get_series (f->model, BRM_ANALYTICS_SERIES_LEADS), last), ==, 13);
  g_assert_cmpfloat_with_epsilon (series_y (brm_analytics_model_get_series (f->model, BRM_ANALYTICS_SERIES_SUCCESS_RATE), last),
                                  100.0 * 9 / 13, 1e-9);

  /* Batches per day by status equal GET /batch's batches of today. */
  listing = brt_request (f->daemon, "GET", "/api/v1/batch?limit=200", NULL, 200);
  batches = json_object_get_array_member (listing, "batches");
  for (guint i = 0; i < json_array_get_length (batches); i++)
    {
      JsonObject *batch = json_array_get_object_element (batches, i);

      if (g_str_equal (brt_str (batch, "status"), "completed"))
        completed_today++;
      cost_today += brt_num (batch, "actual_cost_usd");
    }
  g_assert_cmpfloat (cost_today, >, 0);
  g_assert_cmpfloat_with_epsilon (series_y (brm_analytics_model_get_series (f->model, BRM_ANALYTICS_SERIES_COST), last),
                                  cost_today, 1e-6);
  g_assert_cmpint (completed_today, ==, 3);
  g_assert_cmpfloat (series_y (status_series (f, "completed"), last), ==, completed_today);
  g_assert_cmpfloat (series_y (status_series (f, "failed"), last), ==, 0);
  g_assert_cmpfloat (series_y (status_series (f, "not-loaded"), last), ==, 0);
  g_assert_nonnull (strstr (brm_analytics_page_get_totals_text (f->page), "3 batches"));
  g_assert_nonnull (strstr (brm_analytics_page_get_totals_text (f->page), "13 leads processed"));

  /* Error breakdown: the service's counts, which are the failed rows. */
  errors = json_object_get_array_member (answer, "error_breakdown");
  g_assert_cmpuint (g_list_model_get_n_items (brm_analytics_model_get_error_breakdown (f->model)), ==,
                    json_array_get_length (errors));
  for (guint i = 0; i < json_array_get_length (errors); i++)
    {
      JsonObject *e = json_array_get_object_element (errors, i);
      BrmErrorRow *row = error_row (f, brt_str (e, "error_code"));

      g_assert_nonnull (row);
      g_assert_cmpint (brm_error_row_get_count (row), ==, brt_int (e, "count"));
    }
  failed_rows = brt_count_results (f->daemon, b, "failed") + brt_count_results (f->daemon, c, "failed");
  g_assert_cmpint (failed_rows, ==, 4);
  g_assert_cmpint (brm_error_row_get_count (error_row (f, "EXIT_3")), ==, 2);
  g_assert_cmpint (brm_error_row_get_count (error_row (f, "CRM_REJECTED")), ==, 2);
  g_assert_cmpstr (brm_error_row_get_sample_message (error_row (f, "CRM_REJECTED")), ==, "rejected, \"duplicate\"\nsecond line");
  /* Everything happened today, the latest half: a new error, said in words. */
  g_assert_cmpint (brm_error_row_get_trend (error_row (f, "EXIT_3")), ==, BRM_ERROR_TREND_NEW);
  g_assert_cmpint (brm_error_row_get_recent_count (error_row (f, "EXIT_3")), ==, 2);
  g_assert_true (g_str_has_prefix (brm_error_row_get_trend_text (error_row (f, "EXIT_3")), "New: 2 in the last 3 days"));

  /* Top batches: "Refused" fails 2 of 4, "Mixed" 2 of 5; the odd name costs most (4 × $0.01). */
  top_failure = g_list_model_get_item (brm_analytics_model_get_top_by_failure_rate (f->model), 0);
  g_assert_cmpstr (br_batch_get_id (top_failure), ==, c);
  g_assert_cmpuint (g_list_model_get_n_items (brm_analytics_model_get_top_by_failure_rate (f->model)), ==, 2);
  {
    g_autoptr(BrBatch) top_cost = g_list_model_get_item (brm_analytics_model_get_top_by_cost (f->model), 0);

    g_assert_cmpstr (br_batch_get_id (top_cost), ==, a);
  }
  /* Three batches are too few to call any of them unusual. */
  g_assert_cmpuint (g_list_model_get_n_items (brm_analytics_model_get_anomalies (f->model)), ==, 0);
}

static void
collect_type (GtkWidget *root,
              GType      type,
              GPtrArray *out)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (out, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    collect_type (child, type, out);
}

static void
test_charts_show_model_series (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *a = run_batch (f, "Mixed", 3, 2, 0);
  g_autoptr(GPtrArray) views = g_ptr_array_new ();
  g_autoptr(GPtrArray) bars = g_ptr_array_new ();
  g_autoptr(GPtrArray) strips = g_ptr_array_new ();
  BrmChart *bar;
  GListModel *statuses = brm_analytics_model_get_status_series (f->model);

  wait_in_store (f, a);
  refresh_and_wait (f);

  /* Five sections, six charts, each in a view with its table toggle. */
  collect_type (GTK_WIDGET (f->page), BRM_TYPE_CHART_VIEW, views);
  g_assert_cmpuint (views->len, ==, 6);
  for (guint i = 0; i < views->len; i++)
    {
      BrmChart *chart = brm_chart_view_get_chart (g_ptr_array_index (views, i));
      g_autofree char *summary = brm_chart_dup_summary (chart);

      g_assert_cmpuint (g_list_model_get_n_items (brm_chart_get_series (chart)), >, 0);
      g_assert_nonnull (summary);
      g_assert_cmpstr (summary, !=, "");
    }

  /* The stacked bars draw the model's own status series, in order. */
  collect_type (GTK_WIDGET (f->page), BRM_TYPE_BAR_CHART, bars);
  g_assert_cmpuint (bars->len, ==, 1);
  bar = g_ptr_array_index (bars, 0);
  g_assert_cmpuint (g_list_model_get_n_items (brm_chart_get_series (bar)), ==, g_list_model_get_n_items (statuses));
  for (guint i = 0; i < g_list_model_get_n_items (statuses); i++)
    {
      g_autoptr(BrmChartSeries) drawn = g_list_model_get_item (brm_chart_get_series (bar), i);
      g_autoptr(BrmChartSeries) model = g_list_model_get_item (statuses, i);

      g_assert_true (drawn == model);
    }
  g_assert_cmpfloat (series_y (status_series (f, "completed"), 6), ==, 1);

  /* The heat strip has the 24 hours, and today's 5 leads in them. */
  collect_type (GTK_WIDGET (f->page), BRM_TYPE_HEAT_STRIP, strips);
  g_assert_cmpuint (strips->len, ==, 1);
  {
    g_autoptr(BrmChartSeries) hourly = g_list_model_get_item (brm_chart_get_series (g_ptr_array_index (strips, 0)), 0);
    guint n = 0;
    const BrmChartSample *samples = brm_chart_series_peek_samples (hourly, &n);
    double total = 0;

    g_assert_cmpuint (n, ==, 24);
    for (guint h = 0; h < n; h++)
      total += samples[h].y;
    g_assert_cmpfloat (total, ==, 5);
  }
}

static void
test_period_change_refetches (Fixture       *f,
                              gconstpointer  data)
{
  GtkDropDown *dropdown = GTK_DROP_DOWN (find_type (GTK_WIDGET (f->page), GTK_TYPE_DROP_DOWN));
  RefreshWait w = { f, brm_analytics_model_get_n_refreshes (f->model) };

  g_assert_cmpuint (brm_analytics_model_get_period_days (f->model), ==, 7);
  g_assert_cmpint (br_analytics_get_period_days (brm_analytics_model_get_analytics (f->model)), ==, 7);

  gtk_drop_down_set_selected (dropdown, 1);
  g_assert_cmpuint (brm_analytics_model_get_period_days (f->model), ==, 30);
  g_assert_true (brt_wait_until (refreshed, &w, 10000));
  g_assert_cmpint (br_analytics_get_period_days (brm_analytics_model_get_analytics (f->model)), ==, 30);
  g_assert_cmpuint (brm_analytics_model_get_n_days (f->model), ==, 30);

  w.seen = brm_analytics_model_get_n_refreshes (f->model);
  gtk_drop_down_set_selected (dropdown, 2);
  g_assert_true (brt_wait_until (refreshed, &w, 10000));
  g_assert_cmpuint (brm_analytics_model_get_n_days (f->model), ==, 90);
  /* No batches at all: the empty state, not a page of zeros. */
  g_assert_cmpstr (brm_analytics_page_get_view (f->page), ==, "empty");
}

static void
test_anomaly_flags_outlier (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *outlier = NULL;
  g_autoptr(GPtrArray) normal = g_ptr_array_new_with_free_func (g_free);
  GListModel *anomalies;
  guint n_failure = 0;

  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("Normal %u", i);

      g_ptr_array_add (normal, run_batch (f, name, 2, 0, 0));
    }
  outlier = run_batch (f, "Outlier", 1, 3, 0);
  for (guint i = 0; i < normal->len; i++)
    wait_in_store (f, g_ptr_array_index (normal, i));
  wait_in_store (f, outlier);
  refresh_and_wait (f);

  /* Six batches at 0 % and one at 75 %: the MAD is 0, so the spread is the
   * mean absolute deviation (1.2533 × 0.75 / 7), and 75 % is 5.6 of those
   * above the median. Only the outlier is flagged for its failure rate. */
  anomalies = brm_analytics_model_get_anomalies (f->model);
  for (guint i = 0; i < g_list_model_get_n_items (anomalies); i++)
    {
      g_autoptr(BrmAnomaly) a = g_list_model_get_item (anomalies, i);

      if (brm_anomaly_get_metric (a) != BRM_ANOMALY_FAILURE_RATE)
        continue;
      n_failure++;
      g_assert_cmpstr (brm_anomaly_get_batch_id (a), ==, outlier);
      g_assert_cmpfloat_with_epsilon (brm_anomaly_get_value (a), 0.75, 1e-9);
      g_assert_cmpfloat (brm_anomaly_get_median (a), ==, 0);
      g_assert_cmpfloat_with_epsilon (brm_anomaly_get_score (a), 0.75 / (1.2533 * 0.75 / 7), 1e-6);
      g_assert_true (g_str_has_prefix (brm_anomaly_get_sentence (a),
                                       "Outlier: failure rate 75 % is 5.6 MADs above the 30-day median of 0 %"));
    }
  g_assert_cmpuint (n_failure, ==, 1);
}

static GPtrArray *
table_after (GPtrArray  *records,
             const char *first_header,
             guint      *index)
{
  for (guint i = 0; i < records->len; i++)
    {
      char **r = g_ptr_array_index (records, i);

      if (r[0] != NULL && g_str_equal (r[0], first_header))
        {
          GPtrArray *rows = g_ptr_array_new ();

          for (guint j = i + 1; j < records->len; j++)
            {
              char **row = g_ptr_array_index (records, j);

              if (row[0] == NULL)
                break;
              g_ptr_array_add (rows, row);
            }
          *index = i;
          return rows;
        }
    }
  g_error ("no table starting with %s", first_header);
}

typedef struct
{
  Fixture *f;
  guint    seen;
} ExportWait;

static gboolean
exported (gpointer data)
{
  ExportWait *w = data;

  return brm_analytics_page_get_n_exports (w->f->page) > w->seen;
}

static void
test_csv_round_trip (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *a = run_batch (f, ODD_NAME, 4, 0, 0);
  g_autofree char *c = run_batch (f, "Refused", 2, 0, 2);
  g_autofree char *path = g_build_filename (f->dir, "analytics.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad = g_file_new_for_path ("/nonexistent-dir/analytics.csv");
  g_autofree char *text = NULL;
  gsize length;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) days = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GPtrArray) top = NULL;
  g_autoptr(GError) error = NULL;
  ExportWait w = { f, 0 };
  guint at;
  gboolean odd_name_seen = FALSE;

  wait_in_store (f, a);
  wait_in_store (f, c);
  refresh_and_wait (f);

  w.seen = brm_analytics_page_get_n_exports (f->page);
  brm_analytics_page_export_to_file (f->page, file);
  g_assert_true (brt_wait_until (exported, &w, 10000));
  g_assert_cmpstr (brm_analytics_page_get_status_text (f->page), ==, "Saved “analytics.csv”");

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  records = brm_csv_parse (text, length, &error);
  g_assert_no_error (error);

  /* Daily rows: one per day, every column, the model's numbers. */
  days = table_after (records, "date", &at);
  g_assert_cmpuint (g_strv_length (g_ptr_array_index (records, at)), ==, 18);
  g_assert_cmpuint (days->len, ==, brm_analytics_model_get_n_days (f->model));
  for (guint i = 0; i < days->len; i++)
    {
      char **row = g_ptr_array_index (days, i);
      double rate = series_y (brm_analytics_model_get_series (f->model, BRM_ANALYTICS_SERIES_SUCCESS_RATE), i);

      g_assert_cmpuint (g_strv_length (row), ==, 18);
      g_assert_cmpstr (row[0], ==, brm_analytics_model_get_day_date (f->model, i));
      g_assert_cmpfloat (g_ascii_strtod (row[2], NULL), ==, series_y (status_series (f, "completed"), i));
      g_assert_cmpfloat (g_ascii_strtod (row[9], NULL), ==,
                         series_y (brm_analytics_model_get_series (f->model, BRM_ANALYTICS_SERIES_LEADS), i));
      if (isnan (rate))
        g_assert_cmpstr (row[12], ==, "");
      else
        g_assert_cmpfloat (g_ascii_strtod (row[12], NULL), ==, rate);
      g_assert_cmpfloat (g_ascii_strtod (row[13], NULL), ==,
                         series_y (brm_analytics_model_get_series (f->model, BRM_ANALYTICS_SERIES_COST), i));
    }
  g_assert_cmpstr (((char **) g_ptr_array_index (days, days->len - 1))[9], ==, "8");

  /* Errors, with the sample message's comma, quotes and newline intact. */
  errors = table_after (records, "error_code", &at);
  g_assert_cmpuint (errors->len, ==, g_list_model_get_n_items (brm_analytics_model_get_error_breakdown (f->model)));
  for (guint i = 0; i < errors->len; i++)
    {
      char **row = g_ptr_array_index (errors, i);
      BrmErrorRow *model_row = error_row (f, row[0]);

      g_assert_nonnull (model_row);
      g_assert_cmpint (g_ascii_strtoll (row[1], NULL, 10), ==, brm_error_row_get_count (model_row));
      g_assert_cmpstr (row[4], ==, "new");
      g_assert_cmpstr (row[5], ==, brm_error_row_get_sample_message (model_row));
    }
  g_assert_cmpstr (((char **) g_ptr_array_index (errors, 0))[5], ==, "rejected, \"duplicate\"\nsecond line");

  /* Top batches, with the name's comma, quotes and newline intact. */
  top = table_after (records, "top_by", &at);
  for (guint i = 0; i < top->len; i++)
    {
      char **row = g_ptr_array_index (top, i);

      if (g_str_equal (row[1], a))
        {
          odd_name_seen = TRUE;
          g_assert_cmpstr (row[2], ==, ODD_NAME);
          g_assert_cmpfloat_with_epsilon (g_ascii_strtod (row[3], NULL), 0.04, 1e-9);
        }
    }
  g_assert_true (odd_name_seen);

  /* A file that cannot be written: said, not swallowed. */
  w.seen = brm_analytics_page_get_n_exports (f->page);
  brm_analytics_page_export_to_file (f->page, bad);
  g_assert_true (brt_wait_until (exported, &w, 10000));
  g_assert_true (g_str_has_prefix (brm_analytics_page_get_status_text (f->page), "Could not save “analytics.csv”"));
}

static GtkWidget *
find_button_labelled (GtkWidget  *root,
                      const char *label)
{
  if (GTK_IS_BUTTON (root) &&
      (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0 ||
       (GTK_IS_LABEL (gtk_button_get_child (GTK_BUTTON (root))) &&
        g_strcmp0 (gtk_label_get_label (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (root)))), label) == 0)))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_labelled (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
collect_list_boxes (GtkWidget *root,
                    GPtrArray *out)
{
  if (GTK_IS_LIST_BOX (root))
    g_ptr_array_add (out, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    collect_list_boxes (child, out);
}

static void
test_accessible_names (Fixture       *f,
                       gconstpointer  data)
{
  GtkWidget *page = GTK_WIDGET (f->page);
  GtkWidget *dropdown = find_type (page, GTK_TYPE_DROP_DOWN);
  GtkWidget *export = find_button_labelled (page, "_Export as CSV…");
  GtkWidget *refresh = NULL;

  for (GtkWidget *w = gtk_widget_get_first_child (gtk_widget_get_parent (export)); w; w = gtk_widget_get_next_sibling (w))
    if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (w)), "view-refresh-symbolic") == 0)
      refresh = w;

  g_assert_nonnull (dropdown);
  g_assert_nonnull (refresh);
  /* Its own name only: a mnemonic label would name it a second time. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, "Period");
  g_assert_false (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (refresh), GTK_ACCESSIBLE_ROLE_BUTTON);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (refresh), GTK_ACCESSIBLE_PROPERTY_LABEL, "Refresh Analytics");
  g_assert_nonnull (export);
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (export), GTK_ACCESSIBLE_PROPERTY_LABEL));
  gtk_test_accessible_assert_relation (GTK_ACCESSIBLE (export), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                      gtk_button_get_child (GTK_BUTTON (export)), NULL);
  /* Every table on the page has a name (the charts' tables too), and the
   * error breakdown's is "Errors by code". */
  {
    g_autoptr(GPtrArray) tables = g_ptr_array_new ();
    guint named_errors = 0;

    collect_type (page, GTK_TYPE_COLUMN_VIEW, tables);
    g_assert_cmpuint (tables->len, ==, 7);
    for (guint i = 0; i < tables->len; i++)
      {
        g_autofree char *mismatch = NULL;

        g_assert_true (gtk_test_accessible_has_property (g_ptr_array_index (tables, i), GTK_ACCESSIBLE_PROPERTY_LABEL));
        mismatch = gtk_test_accessible_check_property (g_ptr_array_index (tables, i), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                       "Errors by code");
        if (mismatch == NULL)
          named_errors++;
      }
    g_assert_cmpuint (named_errors, ==, 1);
  }

  {
    const char *lists[] = { "Top batches by cost", "Top batches by failure rate", "Anomalies" };
    g_autoptr(GPtrArray) boxes = g_ptr_array_new ();

    collect_list_boxes (page, boxes);
    g_assert_cmpuint (boxes->len, ==, G_N_ELEMENTS (lists));
    for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (g_ptr_array_index (boxes, i)),
                                           GTK_ACCESSIBLE_PROPERTY_LABEL, lists[i]);
  }
}

static void
test_error_state_when_stopped (Fixture       *f,
                               gconstpointer  data)
{
  BrmAnalyticsPage *fresh;
  BrmAnalyticsModel *model;
  GtkWidget *retry;

  brt_daemon_kill (f->daemon);

  /* The page in the window keeps its data and says why it is old. */
  brm_analytics_model_refresh (f->model);
  g_assert_true (brt_wait_until (model_idle, f, 15000));
  g_assert_cmpint (brm_analytics_model_get_state (f->model), ==, BRM_ANALYTICS_STATE_ERROR);
  g_assert_true (g_str_has_prefix (brm_analytics_page_get_status_text (f->page), "Showing older data: "));

  /* A page that never had data shows the error page, with Retry. */
  fresh = g_object_ref_sink (BRM_ANALYTICS_PAGE (brm_analytics_page_new ()));
  brm_analytics_page_set_connection (fresh, f->connection);
  model = brm_analytics_page_get_model (fresh);
  brm_analytics_model_refresh (model);
  {
    Fixture tmp = *f;

    tmp.model = model;
    g_assert_true (brt_wait_until (model_idle, &tmp, 15000));
  }
  g_assert_cmpint (brm_analytics_model_get_state (model), ==, BRM_ANALYTICS_STATE_ERROR);
  g_assert_cmpstr (brm_analytics_page_get_view (fresh), ==, "error");
  retry = find_button_labelled (GTK_WIDGET (fresh), "_Retry");
  g_assert_nonnull (retry);
  g_assert_nonnull (brm_analytics_model_get_error_message (model));

  /* Retry works once the service is back. */
  brt_daemon_restart_same_port (f->daemon);
  g_signal_emit_by_name (retry, "clicked");
  {
    Fixture tmp = *f;

    tmp.model = model;
    g_assert_true (brt_wait_until (model_idle, &tmp, 15000));
  }
  g_assert_cmpint (brm_analytics_model_get_state (model), ==, BRM_ANALYTICS_STATE_READY);
  g_assert_cmpstr (brm_analytics_page_get_view (fresh), !=, "error");
  g_assert_finalize_object (fresh);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/monitor/analytics/numbers-match-service", Fixture, NULL, fixture_setup, test_numbers_match_service, fixture_teardown);
  g_test_add ("/monitor/analytics/charts-show-model-series", Fixture, NULL, fixture_setup, test_charts_show_model_series, fixture_teardown);
  g_test_add ("/monitor/analytics/period-change-refetches", Fixture, NULL, fixture_setup, test_period_change_refetches, fixture_teardown);
  g_test_add ("/monitor/analytics/anomaly-flags-outlier", Fixture, NULL, fixture_setup, test_anomaly_flags_outlier, fixture_teardown);
  g_test_add ("/monitor/analytics/csv-round-trip", Fixture, NULL, fixture_setup, test_csv_round_trip, fixture_teardown);
  g_test_add ("/monitor/analytics/accessible-names", Fixture, NULL, fixture_setup, test_accessible_names, fixture_teardown);
  g_test_add ("/monitor/analytics/error-state", Fixture, NULL, fixture_setup, test_error_state_when_stopped, fixture_teardown);

  return g_test_run ();
}
