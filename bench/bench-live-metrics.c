/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the live charts cost the monitor's main loop: one
 * brm_live_metrics_sample_at() (every 2 s: it visits the unfinished and
 * the new batches, or the whole store after batches were removed) and
 * one health report, with N batches of which 1,000 are running and move
 * between samples. No server, no display.
 *   bench-live-metrics [N_BATCHES]     (default 100000) */
#include "config.h"

#include <math.h>

#include "batchrunner.h"
#include "bench-common.h"
#include "brm-live-metrics.h"

#define N_RUNNING 1000
#define N_SAMPLES 200

static char *
batch_text (guint i)
{
  return g_strdup_printf ("{\"id\":\"%08x-1d2c-4b8e-9a51-%012u\",\"name\":\"Wave %u\",\"status\":\"%s\","
                          "\"total_leads\":100000,\"processed_leads\":0,\"actual_cost_usd\":1.5,"
                          "\"created_at\":\"2026-11-23T09:00:00Z\",\"started_at\":\"2026-11-23T09:00:01Z\"}",
                          i, i, i, i < N_RUNNING ? "running" : "completed");
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrmLiveMetrics) metrics = brm_live_metrics_new (store, NULL);
  g_autoptr(GPtrArray) running = g_ptr_array_new ();
  g_autoptr(GArray) sample_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) health_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) rescan_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(BrHealth) health = NULL;
  gint64 now = (gint64) 1795428000 * G_USEC_PER_SEC;
  BenchStats s, h, r;
  BrmChartSample last;

  bench_print_machine ();

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = batch_text (i);
      g_autoptr(BrBatch) batch = NULL;

      g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
      batch = br_batch_new_from_json (json_node_get_object (json_parser_get_root (parser)), NULL);
      br_batch_store_upsert (store, batch);
      if (i < N_RUNNING)
        g_ptr_array_add (running, br_batch_store_lookup (store, br_batch_get_id (batch)));
    }
  g_assert_true (json_parser_load_from_data (parser,
                                             "{\"status\":\"healthy\",\"workers\":{\"busy\":8,\"total\":8},"
                                             "\"queue_depth\":1200,\"websocket_clients\":3,"
                                             "\"spent_today_usd\":312.4,\"daily_budget_usd\":500}", -1, NULL));
  health = br_health_new_from_json (json_node_get_object (json_parser_get_root (parser)), NULL);

  bench_measure_begin ("live metrics");
  for (guint k = 0; k <= N_SAMPLES; k++)
    {
      gint64 t0, t1;

      /* Every running batch moved by a lead since the last sample. */
      for (guint i = 0; i < running->len; i++)
        g_object_set (g_ptr_array_index (running, i), "processed-leads", (gint64) k, NULL);

      /* Every fifth sample a new batch arrived (visited alone); every
       * tenth, a finished one was removed: the whole store is walked
       * again (the worst case). */
      if (k > 0 && k % 10 == 5)
        {
          g_autofree char *text = batch_text (n + k);
          g_autoptr(BrBatch) batch = NULL;

          g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
          batch = br_batch_new_from_json (json_node_get_object (json_parser_get_root (parser)), NULL);
          br_batch_store_upsert (store, batch);
        }
      if (k > 0 && k % 10 == 0)
        {
          g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (store), n - k);

          g_assert_true (br_batch_store_remove (store, br_batch_get_id (batch)));
        }

      now += 2 * G_USEC_PER_SEC;
      t0 = g_get_monotonic_time ();
      brm_live_metrics_sample_at (metrics, now);
      t1 = g_get_monotonic_time ();
      if (k > 0)
        g_array_append_val (k % 10 == 0 ? rescan_us : sample_us, (gint64) { t1 - t0 });

      t0 = g_get_monotonic_time ();
      brm_live_metrics_record_health (metrics, health, now + G_USEC_PER_SEC);
      t1 = g_get_monotonic_time ();
      g_array_append_val (health_us, (gint64) { t1 - t0 });
    }
  bench_measure_end ();

  /* The figure the chart shows must be the one the work implies. */
  g_assert_true (brm_chart_series_get_last (brm_live_metrics_get_throughput (metrics), &last));
  g_assert_true (fabs (last.y - N_RUNNING / 2.0 * 60.0) < 1e-6);

  bench_stats_compute (sample_us, &s);
  bench_stats_compute (health_us, &h);
  bench_stats_compute (rescan_us, &r);
  g_print ("live metrics, %u batches (%u running): sample p50 %.3f ms, p99 %.3f ms, max %.3f ms; "
           "after a batch was removed (whole store walked) p50 %.3f ms, max %.3f ms; "
           "health report p50 %.4f ms, max %.4f ms\n",
           n, N_RUNNING, s.p50_ms, s.p99_ms, s.max_ms, r.p50_ms, r.max_ms, h.p50_ms, h.max_ms);
  bench_result ("live-metrics", "sample (sum of progress over the store), p99", "< 16 ms (one frame)",
                bench_met (s.p99_ms < 16), "%.3f ms with %u batches", s.p99_ms, n);
  bench_result ("live-metrics", "sample after a batch was removed (walks the store), p50", "< 16 ms (one frame)",
                bench_met (r.p50_ms < 16), "%.3f ms with %u batches", r.p50_ms, n);
  bench_result ("live-metrics", "health report recorded, max", "-", "-", "%.4f ms", h.max_ms);
  return 0;
}
