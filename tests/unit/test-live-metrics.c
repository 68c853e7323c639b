/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <batchrunner.h>

#include "brm-batch-metrics.h"
#include "brm-live-metrics.h"

/* BrmLiveMetrics and BrmBatchMetrics with a fake clock: the series must
 * hold exactly the throughput and spend that the batches' changes imply.
 * (tests/ui/test-live-charts.c checks the same objects against a real
 * daemon.) */

/* 2026-11-23T10:00:00Z */
#define T0 ((gint64) 1795428000 * G_USEC_PER_SEC)
#define SEC(s) ((gint64) (s) * G_USEC_PER_SEC)

static gint64 fake_now;

static gint64
fake_clock (gpointer data)
{
  return fake_now;
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static BrBatch *
add_batch (BrBatchStore *store,
           const char   *id,
           const char   *created,
           gint64        processed,
           double        actual_cost)
{
  g_autofree char *text = g_strdup_printf ("{\"id\":\"%s\",\"name\":\"%s\",\"status\":\"running\",\"total_leads\":1000,"
                                           "\"processed_leads\":%" G_GINT64_FORMAT ",\"estimated_cost_usd\":50.0,"
                                           "\"actual_cost_usd\":%.2f,\"created_at\":\"%s\",\"started_at\":\"%s\"}",
                                           id, id, processed, actual_cost, created, created);
  g_autoptr(JsonObject) obj = parse_object (text);
  g_autoptr(BrBatch) batch = br_batch_new_from_json (obj, NULL);

  g_assert_nonnull (batch);
  br_batch_store_upsert (store, batch);
  return br_batch_store_lookup (store, id);
}

static void
set_progress (BrBatch *batch,
              gint64   processed,
              double   actual_cost)
{
  g_autofree char *text = g_strdup_printf ("{\"id\":\"%s\",\"processed_leads\":%" G_GINT64_FORMAT ","
                                           "\"progress_percentage\":%.1f,\"actual_cost_usd\":%.2f}",
                                           br_batch_get_id (batch), processed, processed / 10.0, actual_cost);
  g_autoptr(JsonObject) obj = parse_object (text);

  g_assert_true (br_batch_update_from_json (batch, obj, NULL));
}

static BrHealth *
health_of (const char *text)
{
  g_autoptr(JsonObject) obj = parse_object (text);
  BrHealth *health = br_health_new_from_json (obj, NULL);

  g_assert_nonnull (health);
  return health;
}

static double
last_y (BrmChartSeries *series)
{
  BrmChartSample last;

  g_assert_true (brm_chart_series_get_last (series, &last));
  return last.y;
}

static double
last_x (BrmChartSeries *series)
{
  BrmChartSample last;

  g_assert_true (brm_chart_series_get_last (series, &last));
  return last.x;
}

static void
test_throughput (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrmLiveMetrics) metrics = brm_live_metrics_new (store, NULL);
  BrmChartSeries *series = brm_live_metrics_get_throughput (metrics);
  BrBatch *a, *b, *c;

  a = add_batch (store, "a", "2026-11-23T09:00:00Z", 100, 0);
  b = add_batch (store, "b", "2026-11-23T09:00:00Z", 0, 0);

  /* The first sample only sets the baseline: the 100 leads done before
   * the monitor looked are not throughput. */
  brm_live_metrics_sample_at (metrics, T0);
  g_assert_cmpuint (brm_chart_series_get_n_samples (series), ==, 1);
  g_assert_true (isnan (last_y (series)));

  /* 30 leads in 30 s: 60 leads/min. */
  set_progress (a, 120, 0);
  set_progress (b, 10, 0);
  brm_live_metrics_sample_at (metrics, T0 + SEC (30));
  g_assert_cmpfloat_with_epsilon (last_y (series), 60.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (last_x (series), (double) T0 / G_USEC_PER_SEC + 30, 1e-9);

  /* A batch started since the last sample counts whole (15), and a batch
   * whose count went down (a retry) counts as no progress, not negative. */
  c = add_batch (store, "c", "2026-11-23T10:00:45Z", 15, 0);
  g_assert_nonnull (c);
  set_progress (a, 165, 0);
  set_progress (b, 5, 0);
  brm_live_metrics_sample_at (metrics, T0 + SEC (60));
  /* 30 + 45 + 15 = 90 leads over the 60 s window. */
  g_assert_cmpfloat_with_epsilon (last_y (series), 90.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (brm_live_metrics_get_throughput_now (metrics), 90.0, 1e-9);

  /* Nothing more: the window now reaches back to T0+30 (cumulative 30),
   * so (90 − 30) leads over 60 s. */
  brm_live_metrics_sample_at (metrics, T0 + SEC (90));
  g_assert_cmpfloat_with_epsilon (last_y (series), 60.0, 1e-9);
  /* b's count rising back to 10 is progress again (from 5). */
  set_progress (b, 10, 0);
  brm_live_metrics_sample_at (metrics, T0 + SEC (150));
  g_assert_cmpfloat_with_epsilon (last_y (series), 5.0, 1e-9);
  brm_live_metrics_sample_at (metrics, T0 + SEC (210));
  g_assert_cmpfloat_with_epsilon (last_y (series), 0.0, 1e-9);

  /* A removed batch is forgotten, its leads do not count again. */
  g_assert_true (br_batch_store_remove (store, "a"));
  brm_live_metrics_sample_at (metrics, T0 + SEC (270));
  g_assert_cmpfloat_with_epsilon (last_y (series), 0.0, 1e-9);
  g_assert_cmpuint (brm_chart_series_get_n_samples (series), ==, 7);
}

static void
set_status (BrBatch    *batch,
            const char *status,
            gint64      processed)
{
  g_autofree char *text = g_strdup_printf ("{\"id\":\"%s\",\"status\":\"%s\",\"processed_leads\":%" G_GINT64_FORMAT "}",
                                           br_batch_get_id (batch), status, processed);
  g_autoptr(JsonObject) obj = parse_object (text);

  g_assert_true (br_batch_update_from_json (batch, obj, NULL));
}

/* Most samples visit only the unfinished batches; a batch that finishes
 * between two samples still counts its last leads, and a finished batch
 * that is retried (back to running) is found again. */
static void
test_finished_and_retried (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrmLiveMetrics) metrics = brm_live_metrics_new (store, NULL);
  BrmChartSeries *series = brm_live_metrics_get_throughput (metrics);
  BrBatch *a = add_batch (store, "a", "2026-11-23T09:00:00Z", 0, 0);
  BrBatch *done = add_batch (store, "done", "2026-11-23T09:00:00Z", 50, 0);

  set_status (done, "completed", 50);
  brm_live_metrics_sample_at (metrics, T0);

  /* a finishes with 20 more leads. */
  set_status (a, "completed", 20);
  brm_live_metrics_sample_at (metrics, T0 + SEC (60));
  g_assert_cmpfloat_with_epsilon (last_y (series), 20.0, 1e-9);

  /* done is retried: 10 leads redone from 40. */
  set_status (done, "running", 40);
  brm_live_metrics_sample_at (metrics, T0 + SEC (120));
  g_assert_cmpfloat_with_epsilon (last_y (series), 0.0, 1e-9);
  set_status (done, "running", 50);
  brm_live_metrics_sample_at (metrics, T0 + SEC (180));
  g_assert_cmpfloat_with_epsilon (last_y (series), 10.0, 1e-9);
  set_status (done, "completed", 56);
  brm_live_metrics_sample_at (metrics, T0 + SEC (240));
  g_assert_cmpfloat_with_epsilon (last_y (series), 6.0, 1e-9);
  /* Finished for good: nothing more. */
  brm_live_metrics_sample_at (metrics, T0 + SEC (300));
  g_assert_cmpfloat_with_epsilon (last_y (series), 0.0, 1e-9);
}

static void
test_spend_and_budget (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrmLiveMetrics) metrics = brm_live_metrics_new (store, NULL);
  g_autoptr(BrHealth) health = NULL;
  g_autoptr(BrHealth) basic = NULL;
  BrmChartSeries *spend = brm_live_metrics_get_spend (metrics);
  BrBatch *today;

  g_assert_true (isnan (brm_live_metrics_get_daily_budget (metrics)));

  /* Before any health report: the batches created today (UTC). */
  today = add_batch (store, "today", "2026-11-23T08:00:00Z", 10, 1.25);
  add_batch (store, "today2", "2026-11-23T00:00:00Z", 10, 2.50);
  add_batch (store, "yesterday", "2026-11-22T23:59:59Z", 10, 100.0);
  brm_live_metrics_sample_at (metrics, T0);
  g_assert_cmpfloat_with_epsilon (last_y (spend), 3.75, 1e-9);
  g_assert_false (brm_live_metrics_get_spend_from_health (metrics));
  set_progress (today, 20, 2.0);
  brm_live_metrics_sample_at (metrics, T0 + SEC (2));
  g_assert_cmpfloat_with_epsilon (last_y (spend), 4.50, 1e-9);

  /* The service's figure wins once it reports one. */
  health = health_of ("{\"status\":\"healthy\",\"database\":\"connected\",\"spent_today_usd\":12.30,"
                      "\"daily_budget_usd\":100.0,\"workers\":{\"busy\":3,\"total\":8},"
                      "\"queue_depth\":40,\"websocket_clients\":2}");
  brm_live_metrics_record_health (metrics, health, T0 + SEC (3));
  g_assert_cmpfloat_with_epsilon (brm_live_metrics_get_daily_budget (metrics), 100.0, 1e-9);
  brm_live_metrics_sample_at (metrics, T0 + SEC (4));
  g_assert_cmpfloat_with_epsilon (last_y (spend), 12.30, 1e-9);
  g_assert_true (brm_live_metrics_get_spend_from_health (metrics));
  g_assert_cmpfloat_with_epsilon (brm_live_metrics_get_spent_today (metrics), 12.30, 1e-9);

  /* A server without the ext fields (FastAPI): back to the batches, and
   * the budget stays what was last known. */
  basic = health_of ("{\"status\":\"healthy\",\"database\":\"connected\",\"message\":\"ok\"}");
  brm_live_metrics_record_health (metrics, basic, T0 + SEC (5));
  brm_live_metrics_sample_at (metrics, T0 + SEC (6));
  g_assert_cmpfloat_with_epsilon (last_y (spend), 4.50, 1e-9);
  g_assert_cmpfloat_with_epsilon (brm_live_metrics_get_daily_budget (metrics), 100.0, 1e-9);
}

static void
count_notify (guint *count)
{
  (*count)++;
}

static void
test_health_history (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrmLiveMetrics) metrics = brm_live_metrics_new (store, NULL);
  g_autoptr(BrHealth) basic = NULL;
  guint notified = 0;

  g_signal_connect_swapped (metrics, "notify::health", G_CALLBACK (count_notify), &notified);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"status\":\"healthy\",\"workers\":{\"busy\":%u,\"total\":4},"
                                               "\"queue_depth\":%u,\"websocket_clients\":%u,"
                                               "\"spent_today_usd\":%u.5}", i, 10 * i, i + 1, i);
      g_autoptr(BrHealth) health = health_of (text);

      brm_live_metrics_record_health (metrics, health, T0 + SEC (5 * i));
      g_assert_cmpuint (notified, ==, i + 1);
      g_assert_cmpuint (brm_chart_series_get_n_samples (brm_live_metrics_get_workers_busy (metrics)), ==, i + 1);
      g_assert_cmpfloat (last_y (brm_live_metrics_get_workers_busy (metrics)), ==, i);
      g_assert_cmpfloat (last_y (brm_live_metrics_get_queue_depth (metrics)), ==, 10 * i);
      g_assert_cmpfloat (last_y (brm_live_metrics_get_websocket_clients (metrics)), ==, i + 1);
      g_assert_cmpfloat_with_epsilon (last_y (brm_live_metrics_get_health_spend (metrics)), i + 0.5, 1e-9);
      g_assert_true (brm_live_metrics_get_health (metrics) == health);
    }
  g_assert_cmpuint (brm_live_metrics_get_n_health_reports (metrics), ==, notified);

  /* Fields the server does not send are gaps, not zeros. */
  basic = health_of ("{\"status\":\"healthy\"}");
  brm_live_metrics_record_health (metrics, basic, T0 + SEC (30));
  g_assert_true (isnan (last_y (brm_live_metrics_get_workers_busy (metrics))));
  g_assert_true (isnan (last_y (brm_live_metrics_get_queue_depth (metrics))));
  g_assert_true (isnan (last_y (brm_live_metrics_get_health_spend (metrics))));
}

static void
test_trim (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrmLiveMetrics) metrics = brm_live_metrics_new (store, NULL);
  BrmChartSeries *series = brm_live_metrics_get_throughput (metrics);
  const BrmChartSample *samples;
  guint n;
  BrBatch *a = add_batch (store, "a", "2026-11-23T09:00:00Z", 0, 0);

  fake_now = T0;
  brm_live_metrics_set_clock (metrics, fake_clock, NULL, NULL);
  g_assert_cmpint (brm_live_metrics_now (metrics), ==, T0);

  /* Two hours, a sample a minute, 12 leads a minute. */
  for (guint i = 0; i <= 120; i++)
    {
      fake_now = T0 + SEC (60 * i);
      set_progress (a, 12 * i, 0);
      brm_live_metrics_sample (metrics);
    }
  samples = brm_chart_series_peek_samples (series, &n);
  /* Exactly the last 60 minutes, both ends included. */
  g_assert_cmpuint (n, ==, 61);
  g_assert_cmpfloat (samples[0].x, ==, (double) (fake_now - SEC (3600)) / G_USEC_PER_SEC);
  g_assert_cmpfloat (samples[n - 1].x, ==, (double) fake_now / G_USEC_PER_SEC);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (samples[i].y, 12.0, 1e-9);
  g_assert_cmpuint (brm_chart_series_get_n_samples (brm_live_metrics_get_spend (metrics)), ==, 61);
}

static void
test_gap_when_disconnected (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(SoupSession) session = soup_session_new ();
  /* Never started: the feed is offline, as after losing the service. */
  g_autoptr(BrLiveFeed) feed = br_live_feed_new (session, "http://127.0.0.1:9", NULL, store);
  g_autoptr(BrmLiveMetrics) metrics = brm_live_metrics_new (store, feed);
  g_autoptr(BrHealth) health = health_of ("{\"status\":\"healthy\",\"workers\":{\"busy\":1,\"total\":4},"
                                          "\"queue_depth\":3,\"websocket_clients\":1,\"spent_today_usd\":2}");
  BrmChartSeries *throughput = brm_live_metrics_get_throughput (metrics);
  BrmChartSeries *workers = brm_live_metrics_get_workers_busy (metrics);
  BrBatch *a = add_batch (store, "a", "2026-11-23T09:00:00Z", 0, 1.0);

  g_assert_cmpint (br_live_feed_get_state (feed), !=, BR_FEED_STATE_CONNECTED);

  brm_live_metrics_record_health (metrics, health, T0);
  for (guint i = 1; i <= 3; i++)
    {
      set_progress (a, 10 * i, 1.0);
      brm_live_metrics_sample_at (metrics, T0 + SEC (2 * i));
      g_assert_true (isnan (last_y (throughput)));
      g_assert_true (isnan (last_y (brm_live_metrics_get_spend (metrics))));
      g_assert_cmpfloat (last_x (throughput), ==, (double) (T0 + SEC (2 * i)) / G_USEC_PER_SEC);
    }
  g_assert_cmpuint (brm_chart_series_get_n_samples (throughput), ==, 3);
  g_assert_true (isnan (brm_live_metrics_get_throughput_now (metrics)));
  /* The health series get one break, not a row of them. */
  g_assert_cmpuint (brm_chart_series_get_n_samples (workers), ==, 2);
  g_assert_true (isnan (last_y (workers)));
}

static void
test_batch_metrics (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  BrBatch *a = add_batch (store, "a", "2026-11-23T09:00:00Z", 0, 0);
  g_autoptr(BrmBatchMetrics) metrics = brm_batch_metrics_new (a);
  BrmChartSeries *throughput = brm_batch_metrics_get_throughput (metrics);
  BrmChartSeries *estimated = brm_batch_metrics_get_estimated_cost (metrics);
  BrmChartSeries *actual = brm_batch_metrics_get_actual_cost (metrics);
  const BrmChartSample *samples;
  guint n;

  fake_now = T0;
  brm_batch_metrics_set_clock (metrics, fake_clock, NULL, NULL);
  brm_batch_metrics_sample (metrics);
  g_assert_true (isnan (last_y (throughput)));

  /* Property changes are samples of their own... */
  fake_now = T0 + SEC (10);
  set_progress (a, 20, 0.40);
  g_assert_cmpuint (brm_chart_series_get_n_samples (throughput), ==, 2);
  g_assert_cmpfloat_with_epsilon (last_y (throughput), 120.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (last_y (actual), 0.40, 1e-9);
  g_assert_cmpfloat_with_epsilon (last_y (estimated), 50.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (last_y (brm_batch_metrics_get_progress (metrics)), 2.0, 1e-9);

  /* ...but not more than one a second. */
  set_progress (a, 21, 0.42);
  g_assert_cmpuint (brm_chart_series_get_n_samples (throughput), ==, 2);

  /* 30 s window: at T0+40 the reference is T0+10 (20 leads). */
  fake_now = T0 + SEC (40);
  set_progress (a, 50, 1.00);
  g_assert_cmpfloat_with_epsilon (last_y (throughput), 60.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (brm_batch_metrics_get_throughput_now (metrics), 60.0, 1e-9);

  /* A stalled batch falls to zero through the periodic sample. */
  brm_batch_metrics_sample_at (metrics, T0 + SEC (80));
  g_assert_cmpfloat_with_epsilon (last_y (throughput), 0.0, 1e-9);

  /* Retry: the count drops, the throughput restarts instead of going
   * negative. */
  fake_now = T0 + SEC (90);
  set_progress (a, 45, 1.00);
  g_assert_true (isnan (last_y (throughput)));

  samples = brm_chart_series_peek_samples (actual, &n);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpfloat_with_epsilon (samples[1].y, 0.40, 1e-9);
  g_assert_cmpfloat_with_epsilon (samples[2].y, 1.00, 1e-9);

  /* An hour later the first samples are gone. */
  brm_batch_metrics_sample_at (metrics, T0 + SEC (3600 + 20));
  samples = brm_chart_series_peek_samples (actual, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat (samples[0].x, ==, (double) (T0 + SEC (40)) / G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/monitor/live-metrics/throughput", test_throughput);
  g_test_add_func ("/monitor/live-metrics/finished-and-retried", test_finished_and_retried);
  g_test_add_func ("/monitor/live-metrics/spend-and-budget", test_spend_and_budget);
  g_test_add_func ("/monitor/live-metrics/health-history", test_health_history);
  g_test_add_func ("/monitor/live-metrics/trim", test_trim);
  g_test_add_func ("/monitor/live-metrics/gap-when-disconnected", test_gap_when_disconnected);
  g_test_add_func ("/monitor/batch-metrics/series", test_batch_metrics);

  return g_test_run ();
}
