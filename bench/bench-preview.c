/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-preview"

#include "config.h"

#include <stdlib.h>

#include "bench-common.h"

/* Cost preview of 1,000 leads (DESIGN.md: target < 5 ms in the service).
 * 200 previews one after another on one keep-alive connection; the time
 * is from writing the request to having read the whole response, which
 * on loopback is the server's time plus a few tens of microseconds. */

#define N_LEADS    1000
#define N_WARMUP   10
#define N_PREVIEWS 200
#define TARGET_MS  5.0

static int
run (void)
{
  const char * const args[] = { "--processor", "noop", NULL };
  g_autoptr(BrtDaemon) daemon = NULL;
  g_autoptr(BenchConn) conn = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *list = NULL;
  g_autofree char *body = NULL;
  BenchStats s;
  gint64 t0, bytes = 0;
  int pid;
  double cpu0, cpu1;

  daemon = bench_daemon_start (args);
  conn = bench_conn_new (daemon, &error);
  if (conn == NULL)
    goto fail;

  ids = bench_import_leads (conn, N_LEADS, &error);
  if (ids == NULL)
    goto fail;

  list = bench_ids_json (ids, 0, N_LEADS);
  body = g_strdup_printf ("{\"lead_ids\":%s,\"template_version\":\"v1\"}", list);
  g_print ("bench-preview: %u leads imported; request body %zu bytes\n", N_LEADS, strlen (body));

  bench_measure_begin ("previews");
  pid = bench_daemon_pid ();
  cpu0 = bench_process_cpu_s (pid);
  t0 = bench_now_us ();
  for (guint i = 0; i < N_WARMUP + N_PREVIEWS; i++)
    {
      gint64 start = bench_now_us ();
      guint status = 0;
      const char *resp;
      gsize len = 0;

      if (!bench_conn_send (conn, "POST", "/api/v1/batch/preview", body, &error) ||
          !bench_conn_wait_response (conn, 10000, &status, &resp, &len, &error))
        goto fail;
      if (i >= N_WARMUP)
        {
          gint64 elapsed = bench_now_us () - start;
          g_array_append_val (samples, elapsed);
        }
      if (status != 200)
        {
          g_set_error (&error, BENCH_ERROR, 0, "preview: HTTP %u: %.*s", status, (int) MIN (len, 300), resp);
          goto fail;
        }
      /* The first answer must be a preview of every lead. */
      if (i == 0)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          JsonObject *obj;

          if (!json_parser_load_from_data (parser, resp, len, &error))
            goto fail;
          obj = json_node_get_object (json_parser_get_root (parser));
          g_print ("bench-preview: lead_count %" G_GINT64_FORMAT ", estimated_cost_usd %.4f, response %zu bytes\n",
                   json_object_get_int_member (obj, "lead_count"),
                   json_object_get_double_member (obj, "estimated_cost_usd"), len);
          if (json_object_get_int_member (obj, "lead_count") != N_LEADS)
            {
              g_set_error (&error, BENCH_ERROR, 0, "The preview covers %" G_GINT64_FORMAT " leads, not %u",
                           json_object_get_int_member (obj, "lead_count"), N_LEADS);
              goto fail;
            }
        }
      bytes += len;
      bench_conn_consume (conn);
    }
  cpu1 = bench_process_cpu_s (pid);
  bench_measure_end ();

  bench_stats_compute (samples, &s);
  g_print ("bench-preview: %u previews of %u leads in %.2f s (%.0f previews/s, daemon CPU %.2f s)\n",
           N_WARMUP + N_PREVIEWS, N_LEADS, (bench_now_us () - t0) / 1e6,
           (N_WARMUP + N_PREVIEWS) / ((bench_now_us () - t0) / 1e6), cpu1 - cpu0);
  bench_stats_print ("preview latency", samples);

  bench_result ("preview", "POST /batch/preview (1,000 leads) p50", "< 5 ms", bench_met (s.p50_ms < TARGET_MS),
                "%.2f ms", s.p50_ms);
  bench_result ("preview", "POST /batch/preview (1,000 leads) p99", "< 5 ms", bench_met (s.p99_ms < TARGET_MS),
                "%.2f ms", s.p99_ms);
  bench_result ("preview", "POST /batch/preview (1,000 leads) max", "-", "-", "%.2f ms", s.max_ms);
  return EXIT_SUCCESS;

fail:
  g_printerr ("bench-preview: %s\n", error ? error->message : "failed");
  return EXIT_FAILURE;
}

int
main (int    argc,
      char **argv)
{
  bench_print_machine ();
  return run ();
}
