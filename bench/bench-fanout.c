/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-fanout"

#include "config.h"

#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"

/* One event fanned out to 200 /events clients (DESIGN.md: p99 < 50 ms).
 *
 * 200 WebSocket clients in this process, on one main loop, each
 * subscribed. Then 50 times: pause or resume (alternately) one batch —
 * a status change, which the service sends at once — and take, per
 * client, the time from writing the HTTP request to that client's
 * receiving the batch_updated carrying the new status. That is the whole
 * path: HTTP parse, the engine's transaction, building the event once,
 * 200 WebSocket writes, and the client's read. The clients share the
 * machine's two cores with the daemon, so the figure includes our own
 * receive work; the handler keeps that to a timestamp and two memmem.
 *
 * The batch must stay alive, with nothing else happening, for all 50
 * changes: it has one lead that the exec processor fails (/bin/false)
 * and that is then held back by the retry backoff, so the batch sits in
 * `running` with no lead in flight. (The engine caps the backoff at
 * 60 s; the 50 changes take a few seconds.) */

#define N_CLIENTS     200
#define N_EVENTS      50
#define GAP_MS        20
#define EVENT_TIMEOUT 5000
#define TARGET_P99_MS 50.0

typedef struct
{
  const char *batch_id;
  const char *want[2];        /* status strings that count as the change */
  gboolean    armed;
  gint64      sent;
  gint64      hit[N_CLIENTS];
  guint       n_hits;
  guint       n_messages;
} Fanout;

static void
message_cb (guint       client,
            const char *text,
            gsize       len,
            gint64      received,
            gpointer    user_data)
{
  Fanout *f = user_data;
  gboolean wanted = FALSE;

  f->n_messages++;
  if (!f->armed || f->hit[client] != 0)
    return;
  if (memmem (text, len, "\"type\":\"batch_updated\"", 22) == NULL ||
      memmem (text, len, f->batch_id, strlen (f->batch_id)) == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (f->want) && f->want[i]; i++)
    if (memmem (text, len, f->want[i], strlen (f->want[i])) != NULL)
      wanted = TRUE;
  if (!wanted)
    return;

  f->hit[client] = received;
  f->n_hits++;
}

typedef struct
{
  BenchConn *conn;
  gboolean   done;
  guint      status;
  gint64     at;
  GError    *error;
} Trigger;

static gboolean
trigger_readable_cb (int          fd,
                     GIOCondition condition,
                     gpointer     user_data)
{
  Trigger *t = user_data;
  const char *body;
  gsize len;

  if (!bench_conn_read (t->conn, &t->error))
    {
      t->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  if (!bench_conn_response_ready (t->conn, &t->status, &body, &len, &t->error))
    {
      if (t->error == NULL)
        return G_SOURCE_CONTINUE;
      t->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  if (t->status != 200)
    g_set_error (&t->error, BENCH_ERROR, 0, "HTTP %u: %.*s", t->status, (int) MIN (len, 300), body);
  t->at = bench_now_us ();
  bench_conn_consume (t->conn);
  t->done = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits (up to 15 s) until the lead has failed once and waits for its
 * retry: the batch is then `running` with nothing in flight. */
static gboolean
wait_parked (BenchConn   *conn,
             const char  *batch_id,
             GError     **error)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/leads", batch_id);
  gint64 deadline = bench_now_us () + 15 * G_USEC_PER_SEC;

  while (bench_now_us () < deadline)
    {
      g_autoptr(JsonNode) node = bench_conn_request_ok (conn, "GET", path, NULL, error);
      g_autoptr(JsonObject) batch = NULL;
      JsonArray *results;
      JsonObject *r;

      if (node == NULL)
        return FALSE;
      results = json_object_get_array_member (json_node_get_object (node), "results");
      r = results && json_array_get_length (results) > 0 ? json_array_get_object_element (results, 0) : NULL;
      if (r != NULL && g_strcmp0 (json_object_get_string_member_with_default (r, "status", NULL), "pending") == 0 &&
          json_object_get_int_member_with_default (r, "retry_count", 0) >= 1)
        {
          batch = bench_get_batch (conn, batch_id, error);
          if (batch == NULL)
            return FALSE;
          if (g_strcmp0 (json_object_get_string_member (batch, "status"), "running") != 0)
            {
              g_set_error (error, BENCH_ERROR, 0, "The batch is %s, not running",
                           json_object_get_string_member (batch, "status"));
              return FALSE;
            }
          g_print ("bench-fanout: batch %s parked: lead failed with %s, retry pending\n", batch_id,
                   json_object_get_string_member_with_default (r, "error_code", "?"));
          return TRUE;
        }
      if (r != NULL && g_strcmp0 (json_object_get_string_member_with_default (r, "status", NULL), "completed") == 0)
        {
          g_set_error (error, BENCH_ERROR, 0, "The exec processor counted /bin/false as a success");
          return FALSE;
        }
      g_usleep (50 * 1000);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "The batch's lead did not fail and wait for a retry in 15 s");
  return FALSE;
}

static gboolean
timeout_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static int
run (void)
{
  const char * const args[] = {
    "--processor", "exec", "--exec-command", "/bin/false", "--workers", "2",
    "--retry-backoff-ms", "3600000", NULL
  };
  g_autoptr(BrtDaemon) daemon = NULL;
  g_autoptr(BenchConn) conn = NULL;
  g_autoptr(BenchConn) trigger_conn = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(BenchFeed) feed = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) http = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *batch_id = NULL;
  g_autofree char *want_paused = NULL;
  g_autofree char *want_running = NULL;
  g_autofree char *want_pending = NULL;
  Fanout f = { 0 };
  BenchStats s;
  double estimate = 0, cpu0, cpu1;
  guint missed = 0;
  gint64 t0;
  int pid;

  daemon = bench_daemon_start (args);
  conn = bench_conn_new (daemon, &error);
  if (conn == NULL)
    goto fail;
  ids = bench_import_leads (conn, 1, &error);
  if (ids == NULL || !bench_preview (conn, ids, 0, 1, &estimate, &error))
    goto fail;
  batch_id = bench_start_batch (conn, ids, 0, 1, estimate, 1, TRUE, 5, &error);
  if (batch_id == NULL || !wait_parked (conn, batch_id, &error))
    goto fail;

  session = soup_session_new_with_options ("max-conns", N_CLIENTS + 16,
                                           "max-conns-per-host", N_CLIENTS + 16,
                                           "timeout", 30,
                                           NULL);
  f.batch_id = batch_id;
  t0 = bench_now_us ();
  feed = bench_feed_connect (daemon, session, N_CLIENTS, 16, message_cb, &f, 30000, &error);
  if (feed == NULL)
    goto fail;
  g_print ("bench-fanout: %u /events clients subscribed in %.2f s\n", N_CLIENTS, (bench_now_us () - t0) / 1e6);

  trigger_conn = bench_conn_new (daemon, &error);
  if (trigger_conn == NULL)
    goto fail;
  bench_conn_set_nonblocking (trigger_conn, TRUE);

  want_paused = g_strdup ("\"status\":\"paused\"");
  want_running = g_strdup ("\"status\":\"running\"");
  want_pending = g_strdup ("\"status\":\"pending\"");

  bench_measure_begin ("fan-out");
  pid = bench_daemon_pid ();
  cpu0 = bench_process_cpu_s (pid);
  for (guint k = 0; k < N_EVENTS; k++)
    {
      gboolean pause = k % 2 == 0;
      g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/%s", batch_id, pause ? "pause" : "resume");
      Trigger t = { trigger_conn, FALSE, 0, 0, NULL };
      gboolean timed_out = FALSE;
      guint timeout_id, fd_id;
      gint64 earliest = G_MAXINT64;

      memset (f.hit, 0, sizeof f.hit);
      f.n_hits = 0;
      f.want[0] = pause ? want_paused : want_running;
      f.want[1] = pause ? NULL : want_pending;
      f.armed = TRUE;

      f.sent = bench_now_us ();
      if (!bench_conn_send (trigger_conn, "POST", path, NULL, &error))
        goto fail;
      fd_id = g_unix_fd_add (bench_conn_get_fd (trigger_conn), G_IO_IN | G_IO_HUP | G_IO_ERR,
                             trigger_readable_cb, &t);
      timeout_id = g_timeout_add (EVENT_TIMEOUT, timeout_flag_cb, &timed_out);
      while (!timed_out && !(t.done && f.n_hits == N_CLIENTS))
        g_main_context_iteration (NULL, TRUE);
      if (!timed_out)
        g_source_remove (timeout_id);
      if (!t.done)
        g_source_remove (fd_id);
      f.armed = FALSE;

      if (!t.done)
        {
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "POST %s: no response in %d ms", path, EVENT_TIMEOUT);
          goto fail;
        }
      if (t.error != NULL)
        {
          g_propagate_prefixed_error (&error, t.error, "POST %s: ", path);
          goto fail;
        }
      {
        gint64 elapsed = t.at - f.sent;
        g_array_append_val (http, elapsed);
      }

      for (guint i = 0; i < N_CLIENTS; i++)
        {
          if (f.hit[i] == 0)
            {
              missed++;
              continue;
            }
          {
            gint64 latency = f.hit[i] - f.sent;
            g_array_append_val (samples, latency);
            earliest = MIN (earliest, latency);
          }
        }
      if (earliest != G_MAXINT64)
        g_array_append_val (first, earliest);

      bench_sleep_ms (GAP_MS);
    }
  cpu1 = bench_process_cpu_s (pid);
  bench_measure_end ();

  g_print ("bench-fanout: %u events x %u clients: %u deliveries, %u missing after %d ms; %u messages seen;"
           " %u clients still open; daemon CPU %.2f s\n",
           N_EVENTS, N_CLIENTS, samples->len, missed, EVENT_TIMEOUT, f.n_messages,
           bench_feed_get_n_open (feed), cpu1 - cpu0);
  bench_stats_print ("send -> client receive", samples);
  bench_stats_print ("send -> first client", first);
  bench_stats_print ("pause/resume HTTP response", http);
  bench_stats_compute (samples, &s);

  bench_result ("fanout", "event -> 200 /events clients p50", "-", "-", "%.2f ms", s.p50_ms);
  bench_result ("fanout", "event -> 200 /events clients p99", "< 50 ms", bench_met (s.p99_ms < TARGET_P99_MS),
                "%.2f ms", s.p99_ms);
  bench_result ("fanout", "event -> 200 /events clients max", "-", "-", "%.2f ms", s.max_ms);

  if (missed > 0)
    {
      g_printerr ("bench-fanout: %u deliveries missing\n", missed);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;

fail:
  g_printerr ("bench-fanout: %s\n", error ? error->message : "failed");
  return EXIT_FAILURE;
}

int
main (int    argc,
      char **argv)
{
  bench_print_machine ();
  return run ();
}
