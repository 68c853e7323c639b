/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-list"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-common.h"

/* GET /batch?limit=50 with 2,000 batches in the database, at a constant
 * 200 requests/s for 10 s (DESIGN.md: p99 < 5 ms).
 *
 * Open loop: request i is due at t0 + i × 5 ms whatever happened to the
 * ones before it, and its latency counts from that due time, not from
 * when it was actually written. A slow response therefore also charges
 * the requests queued behind it (no coordinated omission). Due requests
 * go out on any idle connection; a new one is opened when all are busy,
 * up to MAX_CONNS. Then, if wrk is installed, a closed-loop cross-check. */

#define N_BATCHES        2000
#define N_LEADS          50
#define RATE             200
#define DURATION_S       10
#define DRAIN_S          5
#define INITIAL_CONNS    4
#define MAX_CONNS        32
#define TARGET_P99_MS    5.0
#define LIST_PATH        "/api/v1/batch?limit=50"

typedef struct
{
  BenchConn *conn;
  gboolean   busy;
  gint64     due;
  gint64     sent;
} Slot;

/* BENCH_TRACE=FILE: one line per request (due time from the start,
 * latency from due, latency from send, connection), to see when stalls
 * happen. */
static FILE *trace;

static gboolean
create_batches (BenchConn  *conn,
                GError    **error)
{
  g_autoptr(GPtrArray) ids = NULL;
  double estimates[N_LEADS];
  gint64 t0;

  ids = bench_import_leads (conn, N_LEADS, error);
  if (ids == NULL)
    return FALSE;

  /* One lead per batch; each lead's own price, approved as the API asks. */
  for (guint i = 0; i < N_LEADS; i++)
    if (!bench_preview (conn, ids, i, 1, &estimates[i], error))
      return FALSE;

  t0 = bench_now_us ();
  for (guint i = 0; i < N_BATCHES; i++)
    {
      g_autofree char *id = bench_start_batch (conn, ids, i % N_LEADS, 1, estimates[i % N_LEADS],
                                               1, FALSE, 0, error);
      if (id == NULL)
        return FALSE;
    }
  g_print ("bench-list: %u one-lead batches started in %.2f s (%.0f starts/s)\n",
           N_BATCHES, (bench_now_us () - t0) / 1e6, N_BATCHES / ((bench_now_us () - t0) / 1e6));

  if (!bench_wait_idle (conn, 120000, error))
    return FALSE;
  g_print ("bench-list: all batches finished %.2f s after the first start\n", (bench_now_us () - t0) / 1e6);
  return TRUE;
}

static gboolean
open_loop (BrtDaemon  *daemon,
           GArray     *latency,
           GArray     *service,
           guint      *n_errors,
           guint      *n_conns,
           double     *achieved_rate,
           GError    **error)
{
  Slot slots[MAX_CONNS] = { { 0 } };
  struct pollfd pfds[MAX_CONNS];
  guint n_slots = 0, n_total = RATE * DURATION_S, next = 0, done = 0, late = 0;
  gint64 period = G_USEC_PER_SEC / RATE;
  gint64 t0, end_by, last_done = 0;
  gboolean ok = FALSE;

  for (; n_slots < INITIAL_CONNS; n_slots++)
    {
      slots[n_slots].conn = bench_conn_new (daemon, error);
      if (slots[n_slots].conn == NULL)
        goto out;
      bench_conn_set_nonblocking (slots[n_slots].conn, TRUE);
    }

  t0 = bench_now_us () + 20 * 1000;
  end_by = t0 + (DURATION_S + DRAIN_S) * G_USEC_PER_SEC;

  while (done < n_total)
    {
      gint64 now = bench_now_us ();
      guint n_busy = 0;
      gint64 wait_us;
      struct timespec ts;
      int n_ready;

      if (now > end_by)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "%u of %u requests unanswered %d s after the last was due", n_total - done, n_total, DRAIN_S);
          goto out;
        }

      /* Send everything that is due. */
      while (next < n_total && t0 + next * period <= now)
        {
          Slot *slot = NULL;

          for (guint i = 0; i < n_slots && slot == NULL; i++)
            if (!slots[i].busy)
              slot = &slots[i];
          if (slot == NULL && n_slots < MAX_CONNS)
            {
              slot = &slots[n_slots];
              slot->conn = bench_conn_new (daemon, error);
              if (slot->conn == NULL)
                goto out;
              bench_conn_set_nonblocking (slot->conn, TRUE);
              n_slots++;
            }
          if (slot == NULL)
            break;

          slot->due = t0 + next * period;
          slot->sent = bench_now_us ();
          if (slot->sent - slot->due > 1000)
            late++;
          if (!bench_conn_send (slot->conn, "GET", LIST_PATH, NULL, error))
            goto out;
          slot->busy = TRUE;
          next++;
        }

      for (guint i = 0; i < n_slots; i++)
        {
          pfds[i].fd = bench_conn_get_fd (slots[i].conn);
          pfds[i].events = slots[i].busy ? POLLIN : 0;
          pfds[i].revents = 0;
          n_busy += slots[i].busy;
        }

      /* Sleep until the next request is due or a response arrives. */
      now = bench_now_us ();
      if (next < n_total)
        wait_us = MAX (0, t0 + next * period - now);
      else
        wait_us = 100 * 1000;
      if (next < n_total && n_busy == n_slots && n_slots == MAX_CONNS)
        wait_us = 100 * 1000;   /* due, but every connection is busy */
      ts.tv_sec = wait_us / G_USEC_PER_SEC;
      ts.tv_nsec = (wait_us % G_USEC_PER_SEC) * 1000;
      n_ready = ppoll (pfds, n_slots, &ts, NULL);
      if (n_ready < 0 && errno != EINTR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "ppoll: %s", g_strerror (errno));
          goto out;
        }
      if (n_ready <= 0)
        continue;

      for (guint i = 0; i < n_slots; i++)
        {
          Slot *slot = &slots[i];
          guint status = 0;
          const char *body;
          gsize len;
          GError *local_error = NULL;

          if (!slot->busy || (pfds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
            continue;
          if (!bench_conn_read (slot->conn, error))
            goto out;
          if (!bench_conn_response_ready (slot->conn, &status, &body, &len, &local_error))
            {
              if (local_error != NULL)
                {
                  g_propagate_error (error, local_error);
                  goto out;
                }
              continue;
            }

          now = bench_now_us ();
          {
            gint64 from_due = now - slot->due;
            gint64 from_sent = now - slot->sent;

            g_array_append_val (latency, from_due);
            g_array_append_val (service, from_sent);
            if (trace != NULL)
              fprintf (trace, "%.3f %.3f %.3f %u\n", (slot->due - t0) / 1e3, from_due / 1e3, from_sent / 1e3, i);
          }
          if (status != 200 || len < 20 || memcmp (body, "{\"batches\":[", 12) != 0)
            {
              if (*n_errors == 0)
                g_printerr ("bench-list: first bad response: HTTP %u %.*s\n", status, (int) MIN (len, 200), body);
              (*n_errors)++;
            }
          bench_conn_consume (slot->conn);
          slot->busy = FALSE;
          last_done = now;
          done++;
        }
    }

  *achieved_rate = n_total / ((last_done - t0) / 1e6);
  *n_conns = n_slots;
  if (late > 0)
    g_print ("bench-list: %u of %u requests went out more than 1 ms after their due time\n", late, n_total);
  ok = TRUE;

out:
  for (guint i = 0; i < n_slots; i++)
    bench_conn_free (slots[i].conn);
  return ok;
}

/* "    50%    1.23ms" → milliseconds. */
static double
wrk_ms (const char *text,
        const char *label)
{
  const char *p = strstr (text, label);
  char *end = NULL;
  double v;

  if (p == NULL)
    return -1;
  v = g_ascii_strtod (p + strlen (label), &end);
  while (end && *end == ' ')
    end++;
  if (end == NULL)
    return -1;
  if (g_str_has_prefix (end, "us"))
    return v / 1000;
  if (g_str_has_prefix (end, "ms"))
    return v;
  if (g_str_has_prefix (end, "s"))
    return v * 1000;
  if (g_str_has_prefix (end, "m"))
    return v * 60000;
  return -1;
}

static void
run_wrk (BrtDaemon *daemon)
{
  g_autofree char *wrk = g_find_program_in_path ("wrk");
  g_autofree char *url = g_strconcat (brt_daemon_get_url (daemon), LIST_PATH, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { NULL, "-t1", "-c4", "-d5s", "--timeout", "2s", "--latency", NULL, NULL };
  const char *rps;
  int status = 0;

  if (wrk == NULL)
    {
      g_print ("bench-list: wrk is not installed; no cross-check\n");
      bench_result ("list", "wrk -t1 -c4 -d5s (closed loop) p99", "-", "-", "not run (no wrk)");
      return;
    }

  argv[0] = wrk;
  argv[7] = url;
  g_assert (g_str_has_prefix (url, "http://127.0.0.1:"));
  g_print ("bench-list: cross-check: %s -t1 -c4 -d5s --timeout 2s --latency %s\n"
           "  (closed loop: Debian's wrk has no fixed-rate mode, so this is latency at saturation"
           " with 4 connections, not at 200 req/s)\n", wrk, url);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
    {
      g_print ("bench-list: wrk failed to run: %s\n", error->message);
      bench_result ("list", "wrk -t1 -c4 -d5s (closed loop) p99", "-", "-", "wrk failed");
      return;
    }
  g_print ("%s", out);
  rps = strstr (out, "Requests/sec:");
  bench_result ("list", "wrk -t1 -c4 -d5s (closed loop) p50 / p99", "-", "-", "%.2f / %.2f ms",
                wrk_ms (out, "50%"), wrk_ms (out, "99%"));
  bench_result ("list", "wrk -t1 -c4 -d5s (closed loop) throughput", "-", "-", "%.0f req/s",
                rps ? g_ascii_strtod (rps + strlen ("Requests/sec:"), NULL) : -1.0);
}

static int
run (void)
{
  const char * const args[] = { "--processor", "noop", NULL };
  g_autoptr(BrtDaemon) daemon = NULL;
  g_autoptr(BenchConn) conn = NULL;
  g_autoptr(GArray) latency = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) service = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  guint n_errors = 0, n_conns = 0;
  double rate = 0, cpu0, cpu1;
  BenchStats s;
  int pid;

  daemon = bench_daemon_start (args);
  conn = bench_conn_new (daemon, &error);
  if (conn == NULL || !create_batches (conn, &error))
    goto fail;

  first = bench_conn_request_ok (conn, "GET", LIST_PATH, NULL, &error);
  if (first == NULL)
    goto fail;
  g_print ("bench-list: total_count %" G_GINT64_FORMAT ", %u batches per page\n",
           json_object_get_int_member (json_node_get_object (first), "total_count"),
           json_array_get_length (json_object_get_array_member (json_node_get_object (first), "batches")));

  bench_measure_begin ("GET /batch at 200 req/s");
  pid = bench_daemon_pid ();
  cpu0 = bench_process_cpu_s (pid);
  g_print ("bench-list: open loop, GET %s at %d req/s for %d s\n", LIST_PATH, RATE, DURATION_S);
  if (!open_loop (daemon, latency, service, &n_errors, &n_conns, &rate, &error))
    goto fail;
  cpu1 = bench_process_cpu_s (pid);
  bench_measure_end ();

  g_print ("bench-list: %u requests, %u errors, achieved %.1f req/s, %u connections used, daemon CPU %.2f s (%.0f%% of one core)\n",
           latency->len, n_errors, rate, n_conns, cpu1 - cpu0, 100 * (cpu1 - cpu0) / DURATION_S);
  bench_stats_print ("from due time (reported)", latency);
  bench_stats_print ("from actual send", service);
  bench_stats_compute (latency, &s);

  bench_result ("list", "GET /batch?limit=50 @ 200 req/s p50", "-", "-", "%.2f ms", s.p50_ms);
  bench_result ("list", "GET /batch?limit=50 @ 200 req/s p99", "< 5 ms", bench_met (s.p99_ms < TARGET_P99_MS),
                "%.2f ms", s.p99_ms);
  bench_result ("list", "GET /batch?limit=50 @ 200 req/s max", "-", "-", "%.2f ms", s.max_ms);

  run_wrk (daemon);

  if (n_errors > 0)
    {
      g_printerr ("bench-list: %u requests failed\n", n_errors);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;

fail:
  g_printerr ("bench-list: %s\n", error ? error->message : "failed");
  return EXIT_FAILURE;
}

int
main (int    argc,
      char **argv)
{
  int rc;

  bench_print_machine ();
  if (g_getenv ("BENCH_TRACE") != NULL)
    trace = fopen (g_getenv ("BENCH_TRACE"), "w");
  rc = run ();
  if (trace != NULL)
    fclose (trace);
  return rc;
}
