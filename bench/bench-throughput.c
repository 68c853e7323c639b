/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-throughput"

#include "config.h"

#include <stdlib.h>

#include "bench-common.h"

/* Orchestration overhead per lead (DESIGN.md: ≥ 2,000 leads/s with the
 * no-op processor). `--workers 64`, ten batches of 1,000 leads each
 * (max_concurrent 20) started back to back; the clock runs from writing
 * the first start request to receiving, on /events, the event that the
 * last of the ten has ended. Everything the engine does per lead is in
 * it: claim, dispatch, result, group commit, recount, events.
 *
 * Durability comes from the environment, which the daemon inherits:
 * unset = WAL + synchronous=NORMAL (survives a crash of the process),
 * BRD_SQLITE_SYNCHRONOUS=FULL (survives a power cut). bench/run.sh runs
 * both. */

#define N_BATCHES     10
#define N_PER_BATCH   1000
#define TIMEOUT_MS    300000
#define TARGET_RATE   2000.0

static gint64
iso_us (JsonObject *batch,
        const char *member)
{
  const char *text = json_object_get_string_member_with_default (batch, member, NULL);
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    return 0;
  dt = g_date_time_new_from_iso8601 (text, NULL);
  return dt ? g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt) : 0;
}

static int
run (void)
{
  const char * const args[] = { "--processor", "noop", "--workers", "64", NULL };
  const char *sync = g_getenv ("BRD_SQLITE_SYNCHRONOUS");
  g_autofree char *mode = g_strdup_printf ("synchronous=%s", sync && *sync ? sync : "NORMAL (default)");
  g_autoptr(BrtDaemon) daemon = NULL;
  g_autoptr(BenchConn) conn = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) batch_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(BenchFeed) feed = NULL;
  g_autoptr(GArray) start_latency = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *metric = NULL;
  double estimates[N_BATCHES];
  BenchWatch watch;
  gint64 t0, t_started, first_created = G_MAXINT64, last_completed = 0;
  gint64 successful = 0, failed = 0;
  double seconds, rate, server_rate = 0, cpu0, cpu1;
  int pid;

  bench_watch_init (&watch);
  g_print ("bench-throughput: noop processor, 64 workers, %d batches x %d leads, %s\n",
           N_BATCHES, N_PER_BATCH, mode);

  daemon = bench_daemon_start (args);
  conn = bench_conn_new (daemon, &error);
  if (conn == NULL)
    goto fail;
  t0 = bench_now_us ();
  ids = bench_import_leads (conn, N_BATCHES * N_PER_BATCH, &error);
  if (ids == NULL)
    goto fail;
  g_print ("bench-throughput: %d leads imported in %.2f s\n", N_BATCHES * N_PER_BATCH, (bench_now_us () - t0) / 1e6);

  for (guint i = 0; i < N_BATCHES; i++)
    if (!bench_preview (conn, ids, i * N_PER_BATCH, N_PER_BATCH, &estimates[i], &error))
      goto fail;

  session = soup_session_new_with_options ("timeout", 30, NULL);
  feed = bench_feed_connect (daemon, session, 1, 1, bench_watch_feed_func, &watch, 10000, &error);
  if (feed == NULL)
    goto fail;

  bench_measure_begin ("throughput");
  pid = bench_daemon_pid ();
  cpu0 = bench_process_cpu_s (pid);
  t0 = bench_now_us ();
  for (guint i = 0; i < N_BATCHES; i++)
    {
      gint64 before = bench_now_us ();
      char *id = bench_start_batch (conn, ids, i * N_PER_BATCH, N_PER_BATCH, estimates[i], 20, TRUE, 3, &error);
      gint64 elapsed;

      if (id == NULL)
        goto fail;
      elapsed = bench_now_us () - before;
      g_array_append_val (start_latency, elapsed);
      g_ptr_array_add (batch_ids, id);
      bench_watch_add (&watch, id, bench_now_us ());
    }
  t_started = bench_now_us ();

  if (!bench_watch_wait (&watch, TIMEOUT_MS))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Only %u of %d batches ended in %d s",
                   watch.n_terminal, N_BATCHES, TIMEOUT_MS / 1000);
      goto fail;
    }
  cpu1 = bench_process_cpu_s (pid);
  bench_measure_end ();

  seconds = (watch.last_terminal_us - t0) / 1e6;
  rate = N_BATCHES * N_PER_BATCH / seconds;

  for (guint i = 0; i < batch_ids->len; i++)
    {
      g_autoptr(JsonObject) batch = bench_get_batch (conn, batch_ids->pdata[i], &error);

      if (batch == NULL)
        goto fail;
      successful += json_object_get_int_member_with_default (batch, "successful_leads", 0);
      failed += json_object_get_int_member_with_default (batch, "failed_leads", 0);
      first_created = MIN (first_created, iso_us (batch, "created_at"));
      last_completed = MAX (last_completed, iso_us (batch, "completed_at"));
    }
  if (last_completed > first_created)
    server_rate = N_BATCHES * N_PER_BATCH / ((last_completed - first_created) / 1e6);

  g_print ("bench-throughput: %d leads in %.3f s -> %.0f leads/s end to end (%s)\n",
           N_BATCHES * N_PER_BATCH, seconds, rate, mode);
  g_print ("  the 10 starts took %.3f s; %" G_GINT64_FORMAT " successful, %" G_GINT64_FORMAT " failed;"
           " %u /events messages\n", (t_started - t0) / 1e6, successful, failed, watch.n_messages);
  g_print ("  server clock (first created_at -> last completed_at): %.3f s -> %.0f leads/s\n",
           (last_completed - first_created) / 1e6, server_rate);
  g_print ("  daemon CPU during the run: %.2f s (%.0f%% of one core)\n", cpu1 - cpu0,
           100 * (cpu1 - cpu0) / seconds);
  bench_stats_print ("POST /batch/start (1,000 leads)", start_latency);

  metric = g_strdup_printf ("noop, 64 workers, 10 x 1,000 leads, %s", mode);
  bench_result ("throughput", metric, ">= 2,000 leads/s", bench_met (rate >= TARGET_RATE), "%.0f leads/s", rate);

  bench_watch_clear (&watch);
  if (successful + failed != N_BATCHES * N_PER_BATCH || failed > 0)
    {
      g_printerr ("bench-throughput: %" G_GINT64_FORMAT " leads failed, %" G_GINT64_FORMAT " succeeded\n",
                  failed, successful);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;

fail:
  bench_watch_clear (&watch);
  g_printerr ("bench-throughput: %s\n", error ? error->message : "failed");
  return EXIT_FAILURE;
}

int
main (int    argc,
      char **argv)
{
  bench_print_machine ();
  return run ();
}
