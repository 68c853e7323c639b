/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "brm-batch-charts.h"
#include "brm-batch-detail.h"
#include "brm-batch-table.h"
#include "brm-connection.h"
#include "brm-health-page.h"
#include "brm-live-charts.h"
#include "brm-live-metrics.h"
#include "brm-time-chart.h"
#include "brm-window.h"
#include "brt-daemon.h"
#include "brt-fixtures.h"

/* The live charts and the Health page, in process under Broadway, against
 * a real batch-runnerd whose exec processor takes a moment per lead. The
 * samplers get a fake clock: the service really processes leads, and the
 * series must hold exactly the throughput and spend that the store's
 * counts imply over the faked intervals. */

/* Each lead takes 0.1 s and costs $0.25. */
#define EXEC_COMMAND "sh -c 'read -r lead; sleep 0.1; echo \"{\\\"cost_breakdown\\\": {\\\"llm\\\": 0.25}}\"'"

typedef struct
{
  BrtDaemon     *daemon;
  BrmConnection *connection;
  BrmWindow     *window;
  BrmLiveMetrics *metrics;
  gint64         now;
} Fixture;

static gint64
fixture_clock (gpointer data)
{
  Fixture *f = data;

  return f->now;
}

static gboolean
feed_connected (gpointer data)
{
  return br_live_feed_get_state (brm_connection_get_feed (data)) == BR_FEED_STATE_CONNECTED &&
         brm_connection_get_capabilities (data) != NULL;
}

static gboolean
feed_disconnected (gpointer data)
{
  return br_live_feed_get_state (brm_connection_get_feed (data)) != BR_FEED_STATE_CONNECTED;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->daemon = brt_daemon_start ("--processor", "exec", "--exec-command", EXEC_COMMAND,
                                "--workers", "2", "--progress-interval-ms", "20",
                                "--health-interval-ms", "100", "--daily-budget", "250", NULL);
  f->connection = brm_connection_new (brt_daemon_get_url (f->daemon), NULL, NULL);
  br_batch_store_set_tick_interval (brm_connection_get_store (f->connection), 10);

  f->window = g_object_new (BRM_TYPE_WINDOW, "connection", f->connection, NULL);
  g_object_ref_sink (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (f->window));

  /* Samples only when the test says, at the test's time. */
  f->metrics = brm_window_get_live_metrics (f->window);
  g_assert_nonnull (f->metrics);
  brm_live_metrics_set_interval (f->metrics, 0);
  f->now = g_get_real_time ();
  brm_live_metrics_set_clock (f->metrics, fixture_clock, f, NULL);

  brm_connection_start (f->connection);
  g_assert_true (brt_wait_until (feed_connected, f->connection, 10000));
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

static char *
start_batch (Fixture    *f,
             guint       n,
             const char *extra)
{
  BrtLeadSpec spec = { .name_prefix = "Company", .enrichment_status = "completed" };
  g_autoptr(GPtrArray) ids = brt_import_leads (f->daemon, n, &spec);

  return brt_start_batch (f->daemon, ids, extra);
}

typedef struct
{
  Fixture       *f;
  const char    *id;
  BrBatchStatus  status;
  gint64         processed;
} BatchWait;

static gboolean
store_has (gpointer data)
{
  BatchWait *w = data;
  BrBatch *batch = br_batch_store_lookup (brm_connection_get_store (w->f->connection), w->id);

  return batch != NULL && br_batch_get_status (batch) == w->status &&
         br_batch_get_processed_leads (batch) >= w->processed;
}

static void
wait_batch (Fixture       *f,
            const char    *id,
            BrBatchStatus  status,
            gint64         processed)
{
  BatchWait w = { f, id, status, processed };

  g_assert_true (brt_wait_until (store_has, &w, 20000));
}

static gint64
store_processed (Fixture *f)
{
  GListModel *model = G_LIST_MODEL (brm_connection_get_store (f->connection));
  gint64 sum = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (model, i);

      sum += br_batch_get_processed_leads (batch);
    }
  return sum;
}

static double
last_y (BrmChartSeries *series)
{
  BrmChartSample last;

  g_assert_true (brm_chart_series_get_last (series, &last));
  return last.y;
}

static JsonObject *
get_health (Fixture *f)
{
  return brt_request (f->daemon, "GET", "/api/v1/health", NULL, 200);
}

typedef struct
{
  BrmLiveMetrics *metrics;
  guint           n;
} ReportWait;

static gboolean
reports_reached (gpointer data)
{
  ReportWait *w = data;

  return brm_live_metrics_get_n_health_reports (w->metrics) >= w->n;
}

/* Waits for @n more health reports from the feed. */
static void
wait_reports (Fixture *f,
              guint    n)
{
  ReportWait w = { f->metrics, brm_live_metrics_get_n_health_reports (f->metrics) + n };

  g_assert_true (brt_wait_until (reports_reached, &w, 10000));
}

static void
test_throughput_follows_service (Fixture       *f,
                                 gconstpointer  data)
{
  g_autofree char *id = start_batch (f, 40, "\"max_concurrent\": 2");
  BrmChartSeries *throughput = brm_live_metrics_get_throughput (f->metrics);
  gint64 before, after;

  wait_batch (f, id, BR_BATCH_STATUS_RUNNING, 1);

  brm_live_metrics_sample (f->metrics);
  before = store_processed (f);
  /* Let the service process more leads, then say 20 s have passed. */
  wait_batch (f, id, BR_BATCH_STATUS_RUNNING, before + 4);
  f->now += 20 * G_USEC_PER_SEC;
  after = store_processed (f);
  brm_live_metrics_sample (f->metrics);

  g_assert_cmpint (after, >, before);
  g_assert_cmpfloat (last_y (throughput), >, 0);
  g_assert_cmpfloat_with_epsilon (last_y (throughput), (after - before) / 20.0 * 60.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (brm_live_metrics_get_throughput_now (f->metrics), last_y (throughput), 1e-9);

  /* When it is done, nothing more moves: a window later it is zero. */
  wait_batch (f, id, BR_BATCH_STATUS_COMPLETED, 40);
  f->now += 20 * G_USEC_PER_SEC;
  brm_live_metrics_sample (f->metrics);
  f->now += BRM_LIVE_METRICS_THROUGHPUT_WINDOW_SECONDS * G_USEC_PER_SEC;
  brm_live_metrics_sample (f->metrics);
  g_assert_cmpfloat (last_y (throughput), ==, 0);
}

typedef struct
{
  Fixture *f;
  double   spent;
} SpendWait;

static gboolean
report_spend_is (gpointer data)
{
  SpendWait *w = data;
  BrHealth *health = brm_live_metrics_get_health (w->f->metrics);

  return health != NULL && fabs (br_health_get_spent_today_usd (health) - w->spent) < 1e-6;
}

static void
test_spend_is_service_spend (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *id = start_batch (f, 6, NULL);
  g_autoptr(JsonObject) health = NULL;
  g_autoptr(JsonObject) batch = NULL;
  SpendWait w = { f, 0 };

  wait_batch (f, id, BR_BATCH_STATUS_COMPLETED, 6);
  batch = brt_get_batch (f->daemon, id);
  health = get_health (f);
  w.spent = json_object_get_double_member (health, "spent_today_usd");
  /* The only batch today is this one: the service's spend is its cost. */
  g_assert_cmpfloat (w.spent, >, 0);
  g_assert_cmpfloat_with_epsilon (w.spent, json_object_get_double_member (batch, "actual_cost_usd"), 0.005);

  g_assert_true (brt_wait_until (report_spend_is, &w, 10000));
  f->now += G_USEC_PER_SEC;
  brm_live_metrics_sample (f->metrics);
  g_assert_true (brm_live_metrics_get_spend_from_health (f->metrics));
  g_assert_cmpfloat_with_epsilon (last_y (brm_live_metrics_get_spend (f->metrics)), w.spent, 1e-9);
  g_assert_cmpfloat_with_epsilon (brm_live_metrics_get_daily_budget (f->metrics), 250.0, 1e-9);
}

static void
test_gap_while_offline (Fixture       *f,
                        gconstpointer  data)
{
  BrmChartSeries *throughput = brm_live_metrics_get_throughput (f->metrics);
  BrmChartSeries *spend = brm_live_metrics_get_spend (f->metrics);
  BrmChartSeries *workers = brm_live_metrics_get_workers_busy (f->metrics);

  wait_reports (f, 1);
  brm_live_metrics_sample (f->metrics);
  f->now += 2 * G_USEC_PER_SEC;
  brm_live_metrics_sample (f->metrics);
  g_assert_false (isnan (last_y (throughput)));
  g_assert_false (isnan (last_y (spend)));

  brt_daemon_kill (f->daemon);
  g_assert_true (brt_wait_until (feed_disconnected, f->connection, 10000));
  f->now += 2 * G_USEC_PER_SEC;
  brm_live_metrics_sample (f->metrics);
  g_assert_true (isnan (last_y (throughput)));
  g_assert_true (isnan (last_y (spend)));
  g_assert_true (isnan (last_y (workers)));
  g_assert_true (isnan (brm_live_metrics_get_throughput_now (f->metrics)));

  /* The page says the service is not reachable, keeping the last report. */
  g_assert_nonnull (strstr (brm_health_page_get_field (BRM_HEALTH_PAGE (brm_window_get_health_page (f->window)), "status"),
                            "Not connected"));

  brt_daemon_restart_same_port (f->daemon);
  g_assert_true (brt_wait_until (feed_connected, f->connection, 20000));
  f->now += 2 * G_USEC_PER_SEC;
  wait_reports (f, 1);
  f->now += 2 * G_USEC_PER_SEC;
  brm_live_metrics_sample (f->metrics);
  f->now += 2 * G_USEC_PER_SEC;
  brm_live_metrics_sample (f->metrics);
  g_assert_cmpfloat (last_y (throughput), ==, 0);
  g_assert_false (isnan (last_y (workers)));
}

static gboolean
page_matches_service (gpointer data)
{
  Fixture *f = data;
  BrmHealthPage *page = BRM_HEALTH_PAGE (brm_window_get_health_page (f->window));
  g_autoptr(JsonObject) health = get_health (f);
  JsonObject *workers = json_object_get_object_member (health, "workers");
  g_autofree char *workers_text = g_strdup_printf ("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT,
                                                   json_object_get_int_member (workers, "busy"),
                                                   json_object_get_int_member (workers, "total"));
  g_autofree char *queue = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (health, "queue_depth"));
  g_autofree char *clients = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (health, "websocket_clients"));
  g_autofree char *spend = g_strdup_printf ("$%.2f of $%.2f",
                                            json_object_get_double_member (health, "spent_today_usd"),
                                            json_object_get_double_member (health, "daily_budget_usd"));

  return g_strcmp0 (brm_health_page_get_field (page, "workers"), workers_text) == 0 &&
         g_strcmp0 (brm_health_page_get_field (page, "queue-depth"), queue) == 0 &&
         g_strcmp0 (brm_health_page_get_field (page, "websocket-clients"), clients) == 0 &&
         g_strcmp0 (brm_health_page_get_field (page, "spend"), spend) == 0 &&
         g_strcmp0 (brm_health_page_get_field (page, "database"), brt_str (health, "database")) == 0 &&
         g_strcmp0 (brm_health_page_get_field (page, "version"), brt_str (health, "version")) == 0;
}

static void
test_health_page_rows (Fixture       *f,
                       gconstpointer  data)
{
  BrmHealthPage *page = BRM_HEALTH_PAGE (brm_window_get_health_page (f->window));
  g_autofree char *id = start_batch (f, 4, NULL);
  g_autoptr(JsonObject) health = NULL;
  g_autofree char *address = NULL;
  const char *features;

  /* Once the batch is done nothing moves, so the next report and
   * GET /health agree field by field. */
  wait_batch (f, id, BR_BATCH_STATUS_COMPLETED, 4);
  g_assert_true (brt_wait_until (page_matches_service, f, 10000));

  health = get_health (f);
  g_assert_cmpstr (brt_str (health, "status"), ==, "healthy");
  g_assert_true (g_str_has_prefix (brm_health_page_get_field (page, "status"), "Healthy"));
  g_assert_nonnull (strstr (brm_health_page_get_field (page, "status"), brt_str (health, "message")));
  g_assert_cmpfloat (json_object_get_double_member (health, "spent_today_usd"), >, 0);
  address = g_strconcat (brt_daemon_get_url (f->daemon), "/api/v1", NULL);
  g_assert_true (g_str_has_prefix (address, brm_health_page_get_field (page, "address")));

  /* Capabilities in words, every one of them. */
  features = brm_health_page_get_field (page, "capabilities");
  g_assert_nonnull (strstr (features, "Live updates"));
  g_assert_nonnull (strstr (features, "Pause and resume"));
  g_assert_nonnull (strstr (features, "Audit trail"));
  g_assert_null (strstr (features, "analytics.daily"));
  g_assert_cmpuint (g_strv_length ((char **) brm_connection_get_capabilities (f->connection)), ==,
                    json_array_get_length (json_object_get_array_member (health, "capabilities")));
}

static void
test_health_history_grows (Fixture       *f,
                           gconstpointer  data)
{
  BrmChartSeries *workers = brm_live_metrics_get_workers_busy (f->metrics);
  BrmChartSeries *queue = brm_live_metrics_get_queue_depth (f->metrics);
  BrmChartSeries *clients = brm_live_metrics_get_websocket_clients (f->metrics);
  BrmChartSeries *spend = brm_live_metrics_get_health_spend (f->metrics);

  for (guint i = 0; i < 3; i++)
    {
      guint n = brm_chart_series_get_n_samples (workers);
      guint reports = brm_live_metrics_get_n_health_reports (f->metrics);

      /* One report, one point each (the clock moves so no two share x). */
      f->now += G_USEC_PER_SEC;
      wait_reports (f, 1);
      g_assert_cmpuint (brm_live_metrics_get_n_health_reports (f->metrics), ==, reports + 1);
      g_assert_cmpuint (brm_chart_series_get_n_samples (workers), ==, n + 1);
      g_assert_cmpuint (brm_chart_series_get_n_samples (queue), ==, n + 1);
      g_assert_cmpuint (brm_chart_series_get_n_samples (clients), ==, n + 1);
      g_assert_cmpuint (brm_chart_series_get_n_samples (spend), ==, n + 1);
      /* This test's feed is a live client of the service. */
      g_assert_cmpfloat (last_y (clients), >=, 1);
    }
}

static BrmLiveCharts *
live_charts_of (Fixture *f)
{
  return BRM_LIVE_CHARTS (brm_window_get_live_charts (f->window));
}

/* The dashboard's charts show the sampler's series, and the throughput
 * chart's accessible description says the current figure. */
static void
test_dashboard_charts (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *id = start_batch (f, 40, "\"max_concurrent\": 2");
  BrmLiveCharts *charts = live_charts_of (f);
  BrmChart *throughput = brm_chart_view_get_chart (brm_live_charts_get_throughput_view (charts));
  BrmChart *spend = brm_chart_view_get_chart (brm_live_charts_get_spend_view (charts));
  BrmChartSeries *series;
  g_autofree char *summary = NULL;
  g_autofree char *figure = NULL;
  const char *label = NULL;
  gint64 before;
  BrmChartSample last;

  g_assert_cmpuint (brm_chart_get_n_series (throughput), ==, 1);
  series = brm_chart_get_series_at (throughput, 0);
  g_assert_true (series == brm_live_metrics_get_throughput (f->metrics));
  g_assert_true (brm_chart_get_series_at (spend, 0) == brm_live_metrics_get_spend (f->metrics));
  g_assert_cmpint (brm_chart_get_unit (throughput), ==, BRM_CHART_UNIT_LEADS_PER_MINUTE);
  g_assert_cmpint (brm_chart_get_unit (spend), ==, BRM_CHART_UNIT_USD);

  wait_batch (f, id, BR_BATCH_STATUS_RUNNING, 1);
  brm_live_metrics_sample (f->metrics);
  before = store_processed (f);
  wait_batch (f, id, BR_BATCH_STATUS_RUNNING, before + 3);
  f->now += 10 * G_USEC_PER_SEC;
  brm_live_metrics_sample (f->metrics);

  g_assert_true (brm_chart_series_get_last (series, &last));
  g_assert_cmpfloat (last.y, >, 0);
  brm_chart_flush_summary (throughput);
  summary = brm_chart_dup_summary (throughput);
  figure = brm_chart_format_y (throughput, last.y);
  g_assert_nonnull (strstr (summary, figure));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (throughput), GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (throughput), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary);

  /* The budget line is the service's budget. */
  wait_reports (f, 1);
  g_assert_cmpfloat_with_epsilon (brm_chart_get_threshold (spend, &label), 250.0, 1e-9);
  g_assert_cmpstr (label, ==, "Daily budget");
}

static gboolean
minutes_are_60 (gpointer data)
{
  return brm_live_charts_get_minutes (data) == 60;
}

static gboolean
minutes_are_15 (gpointer data)
{
  return brm_live_charts_get_minutes (data) == 15;
}

static void
test_span_toggles (Fixture       *f,
                   gconstpointer  data)
{
  BrmLiveCharts *charts = live_charts_of (f);
  GtkWidget *b15 = brm_live_charts_get_minutes_button (charts, 15);
  GtkWidget *b60 = brm_live_charts_get_minutes_button (charts, 60);
  BrmTimeChart *throughput = BRM_TIME_CHART (brm_chart_view_get_chart (brm_live_charts_get_throughput_view (charts)));
  BrmTimeChart *spend = BRM_TIME_CHART (brm_chart_view_get_chart (brm_live_charts_get_spend_view (charts)));

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (b15), GTK_ACCESSIBLE_PROPERTY_LABEL, "Last 15 minutes");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (b60), GTK_ACCESSIBLE_PROPERTY_LABEL, "Last 60 minutes");
  g_assert_true (gtk_widget_get_focusable (b15) || gtk_widget_get_can_focus (b15));

  g_assert_cmpuint (brm_live_charts_get_minutes (charts), ==, 15);
  g_assert_cmpfloat (brm_time_chart_get_window (throughput), ==, 15 * 60);

  /* What Space or Enter does (the button releases after a short delay). */
  g_assert_true (gtk_widget_activate (b60));
  g_assert_true (brt_wait_until (minutes_are_60, charts, 5000));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (b60)));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (b15)));
  g_assert_cmpfloat (brm_time_chart_get_window (throughput), ==, 60 * 60);
  g_assert_cmpfloat (brm_time_chart_get_window (spend), ==, 60 * 60);

  g_assert_true (gtk_widget_activate (b15));
  g_assert_true (brt_wait_until (minutes_are_15, charts, 5000));
  g_assert_cmpfloat (brm_time_chart_get_window (spend), ==, 15 * 60);
}

static GtkWidget *
find_toggle (GtkWidget *root)
{
  if (GTK_IS_TOGGLE_BUTTON (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_toggle (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
showing_table (gpointer data)
{
  return brm_chart_view_get_show_table (data);
}

static gboolean
showing_chart (gpointer data)
{
  return !brm_chart_view_get_show_table (data);
}

/* "Show as Table" shows the same points as the chart, here and on the
 * Health page. */
static void
test_show_as_table (Fixture       *f,
                    gconstpointer  data)
{
  BrmChartView *view = brm_live_charts_get_throughput_view (live_charts_of (f));
  BrmChartSeries *series = brm_live_metrics_get_throughput (f->metrics);
  GtkWidget *toggle = find_toggle (GTK_WIDGET (view));
  GListModel *rows;

  for (guint i = 0; i < 4; i++)
    {
      f->now += 2 * G_USEC_PER_SEC;
      brm_live_metrics_sample (f->metrics);
    }

  g_assert_nonnull (toggle);
  g_assert_false (brm_chart_view_get_show_table (view));
  gtk_widget_activate (toggle);
  g_assert_true (brt_wait_until (showing_table, view, 5000));
  rows = brm_chart_view_get_rows (view);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, brm_chart_series_get_n_samples (series));
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(BrmChartPoint) point = g_list_model_get_item (rows, i);
      const BrmChartSample *samples = brm_chart_series_peek_samples (series, NULL);

      g_assert_cmpfloat (brm_chart_point_get_x (point), ==, samples[i].x);
    }
  /* A new sample is a new row. */
  f->now += 2 * G_USEC_PER_SEC;
  brm_live_metrics_sample (f->metrics);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, brm_chart_series_get_n_samples (series));
  gtk_widget_activate (toggle);
  g_assert_true (brt_wait_until (showing_chart, view, 5000));
}

static void
test_health_history_charts (Fixture       *f,
                            gconstpointer  data)
{
  BrmHealthPage *page = BRM_HEALTH_PAGE (brm_window_get_health_page (f->window));
  BrmChartSeries *expected[] = {
    brm_live_metrics_get_workers_busy (f->metrics),
    brm_live_metrics_get_queue_depth (f->metrics),
    brm_live_metrics_get_websocket_clients (f->metrics),
    brm_live_metrics_get_health_spend (f->metrics),
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      BrmChart *chart = brm_health_page_get_history_chart (page, i);

      g_assert_nonnull (chart);
      g_assert_cmpuint (brm_chart_get_n_series (chart), ==, 1);
      g_assert_true (brm_chart_get_series_at (chart, 0) == expected[i]);
      g_assert_nonnull (gtk_widget_get_ancestor (GTK_WIDGET (chart), BRM_TYPE_CHART_VIEW));
    }
  g_assert_null (brm_health_page_get_history_chart (page, 4));

  f->now += G_USEC_PER_SEC;
  wait_reports (f, 1);
  g_assert_cmpuint (brm_chart_series_get_n_samples (brm_chart_get_series_at (brm_health_page_get_history_chart (page, 0), 0)), >=, 1);
}

/* The detail pane charts the batch shown, and starts afresh for another. */
static void
test_detail_follows_selection (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *first = start_batch (f, 30, "\"max_concurrent\": 1");
  g_autofree char *second = start_batch (f, 3, NULL);
  BrmBatchDetail *detail = BRM_BATCH_DETAIL (brm_window_get_detail (f->window));
  BrmBatchCharts *charts = brm_batch_detail_get_charts (detail);
  BrmChart *throughput = brm_chart_view_get_chart (brm_batch_charts_get_throughput_view (charts));
  BrmChart *cost = brm_chart_view_get_chart (brm_batch_charts_get_cost_view (charts));
  BrmBatchMetrics *metrics;
  BrBatch *batch;
  gint64 before;
  BrmChartSample last;

  wait_batch (f, first, BR_BATCH_STATUS_RUNNING, 1);
  g_assert_true (brm_window_show_batch (f->window, first));
  batch = br_batch_store_lookup (brm_connection_get_store (f->connection), first);
  g_assert_true (brm_batch_charts_get_batch (charts) == batch);
  metrics = brm_batch_charts_get_metrics (charts);
  brm_batch_metrics_set_interval (metrics, 0);
  brm_batch_metrics_set_clock (metrics, fixture_clock, f, NULL);

  g_assert_true (brm_chart_get_series_at (throughput, 0) == brm_batch_metrics_get_throughput (metrics));
  g_assert_cmpuint (brm_chart_get_n_series (cost), ==, 2);
  g_assert_true (brm_chart_get_series_at (cost, 0) == brm_batch_metrics_get_estimated_cost (metrics));
  g_assert_true (brm_chart_get_series_at (cost, 1) == brm_batch_metrics_get_actual_cost (metrics));

  f->now += 5 * G_USEC_PER_SEC;
  brm_batch_metrics_sample (metrics);
  before = br_batch_get_processed_leads (batch);
  wait_batch (f, first, BR_BATCH_STATUS_RUNNING, before + 2);
  /* The clock stands still while the service works, so only the explicit
   * sample below counts. */
  f->now += 6 * G_USEC_PER_SEC;
  brm_batch_metrics_sample (metrics);
  g_assert_true (brm_chart_series_get_last (brm_batch_metrics_get_throughput (metrics), &last));
  g_assert_cmpfloat (last.y, >, 0);
  g_assert_true (brm_chart_series_get_last (brm_batch_metrics_get_actual_cost (metrics), &last));
  g_assert_cmpfloat_with_epsilon (last.y, br_batch_get_actual_cost_usd (batch), 1e-9);
  g_assert_cmpfloat (last.y, >, 0);
  g_assert_true (brm_chart_series_get_last (brm_batch_metrics_get_estimated_cost (metrics), &last));
  g_assert_cmpfloat_with_epsilon (last.y, br_batch_get_estimated_cost_usd (batch), 1e-9);

  wait_batch (f, second, BR_BATCH_STATUS_COMPLETED, 3);
  {
    /* Held, so a new recorder cannot be allocated at the old one's
     * address and pass for it. */
    g_autoptr(BrmBatchMetrics) old = g_object_ref (metrics);

    g_assert_true (brm_window_show_batch (f->window, second));
    batch = br_batch_store_lookup (brm_connection_get_store (f->connection), second);
    g_assert_true (brm_batch_charts_get_batch (charts) == batch);
    g_assert_true (brm_batch_charts_get_metrics (charts) != old);
  }
  metrics = brm_batch_charts_get_metrics (charts);
  g_assert_true (brm_chart_get_series_at (throughput, 0) == brm_batch_metrics_get_throughput (metrics));
  g_assert_cmpuint (brm_chart_series_get_n_samples (brm_batch_metrics_get_actual_cost (metrics)), ==, 1);
  g_assert_true (brm_chart_series_get_last (brm_batch_metrics_get_actual_cost (metrics), &last));
  g_assert_cmpfloat_with_epsilon (last.y, br_batch_get_actual_cost_usd (batch), 1e-9);
}

static gboolean
charts_compact (gpointer data)
{
  return gtk_widget_get_width (data) > 0 && brm_live_charts_get_compact (data);
}

static gboolean
charts_full (gpointer data)
{
  return gtk_widget_get_width (data) > 0 && !brm_live_charts_get_compact (data);
}

/* At 360 px the row shows sparklines and the window still works; wide,
 * the charts. (A second window: Broadway sizes a window when it is first
 * shown.) */
static void
test_narrow (Fixture       *f,
             gconstpointer  data)
{
  BrmLiveCharts *wide = live_charts_of (f);
  g_autoptr(BrmWindow) narrow = g_object_new (BRM_TYPE_WINDOW, "connection", f->connection, NULL);
  BrmLiveCharts *charts;
  int min_width;

  g_assert_true (brt_wait_until (charts_full, wide, 10000));

  g_object_ref_sink (narrow);
  gtk_window_set_default_size (GTK_WINDOW (narrow), 360, 720);
  gtk_window_present (GTK_WINDOW (narrow));
  charts = BRM_LIVE_CHARTS (brm_window_get_live_charts (narrow));
  g_assert_true (brt_wait_until (charts_compact, charts, 10000));
  /* Neither the row nor the Health page asks for more than 360 px. (The
   * window as a whole is as narrow as its widest page allows.) */
  gtk_widget_measure (GTK_WIDGET (charts), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360 - 24);
  gtk_widget_measure (brm_window_get_health_page (narrow), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  /* The batch table is still there beside the compact row. */
  g_assert_true (gtk_widget_get_mapped (brm_window_get_table (narrow)));

  gtk_window_destroy (GTK_WINDOW (narrow));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add ("/monitor/live-charts/throughput-follows-service", Fixture, NULL, fixture_setup, test_throughput_follows_service, fixture_teardown);
  g_test_add ("/monitor/live-charts/spend-is-service-spend", Fixture, NULL, fixture_setup, test_spend_is_service_spend, fixture_teardown);
  g_test_add ("/monitor/live-charts/gap-while-offline", Fixture, NULL, fixture_setup, test_gap_while_offline, fixture_teardown);
  g_test_add ("/monitor/health-page/rows-equal-service", Fixture, NULL, fixture_setup, test_health_page_rows, fixture_teardown);
  g_test_add ("/monitor/health-page/history-grows", Fixture, NULL, fixture_setup, test_health_history_grows, fixture_teardown);

  g_test_add ("/monitor/live-charts/dashboard-charts", Fixture, NULL, fixture_setup, test_dashboard_charts, fixture_teardown);
  g_test_add ("/monitor/live-charts/span-toggles", Fixture, NULL, fixture_setup, test_span_toggles, fixture_teardown);
  g_test_add ("/monitor/live-charts/show-as-table", Fixture, NULL, fixture_setup, test_show_as_table, fixture_teardown);
  g_test_add ("/monitor/live-charts/detail-follows-selection", Fixture, NULL, fixture_setup, test_detail_follows_selection, fixture_teardown);
  g_test_add ("/monitor/live-charts/narrow", Fixture, NULL, fixture_setup, test_narrow, fixture_teardown);
  g_test_add ("/monitor/health-page/history-charts", Fixture, NULL, fixture_setup, test_health_history_charts, fixture_teardown);

  return g_test_run ();
}
