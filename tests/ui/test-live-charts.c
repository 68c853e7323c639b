/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "brm-batch-detail.h"
#include "brm-batch-table.h"
#include "brm-connection.h"
#include "brm-health-page.h"
#include "brm-live-metrics.h"
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

  return g_test_run ();
}
