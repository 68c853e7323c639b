/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-exec"

#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench-common.h"

/* The exec processor's cost per lead: `--exec-command /bin/true
 * --workers 8`, one batch of 500 leads (max_concurrent 20, so the 8
 * workers are the limit), no automatic retries (each lead runs once).
 * The shipped rate card limits providers to 300-1,200 requests a minute,
 * which would hold the batch at 5 leads/s whatever exec costs; the
 * daemon gets a copy of the card with every limit at 0 (unlimited).
 * /bin/true exits 0 with an empty stdout; whether the processor counts
 * that as a success or as BAD_OUTPUT is its decision, so successes and
 * failures are reported separately, with the failures' error codes.
 * Either way every lead costs one fork + exec + wait + a result row. */

#define N_LEADS     500
#define RATE_CARD   SOURCE_DATADIR "/daemon/rate-card.json"
#define TIMEOUT_MS  180000

/* The shipped rate card with no provider rate limits, in a temp file. */
static char *
unlimited_rate_card (GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *path = NULL;
  JsonObject *providers;
  int fd;

  if (!json_parser_load_from_file (parser, RATE_CARD, error))
    return NULL;
  providers = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "providers");
  if (providers != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (providers);

      for (GList *l = names; l; l = l->next)
        {
          JsonObject *provider = json_object_get_object_member (providers, l->data);

          if (provider != NULL && json_object_has_member (provider, "requests_per_minute"))
            json_object_set_int_member (provider, "requests_per_minute", 0);
        }
    }

  fd = g_file_open_tmp ("bench-rate-card-XXXXXX.json", &path, error);
  if (fd < 0)
    return NULL;
  close (fd);
  json_generator_set_root (gen, json_parser_get_root (parser));
  if (!json_generator_to_file (gen, path, error))
    return NULL;
  return g_steal_pointer (&path);
}

static int
run (void)
{
  g_autofree char *rate_card = NULL;
  const char *args[] = { "--processor", "exec", "--exec-command", "/bin/true", "--workers", "8",
                         "--rate-card", NULL, NULL };
  g_autoptr(BrtDaemon) daemon = NULL;
  g_autoptr(BenchConn) conn = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(BenchFeed) feed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) batch = NULL;
  g_autoptr(JsonNode) status_node = NULL;
  g_autoptr(GString) codes = g_string_new (NULL);
  g_autofree char *batch_id = NULL;
  g_autofree char *status_path = NULL;
  BenchWatch watch;
  double estimate = 0, seconds, rate, cpu0, cpu1;
  gint64 t0, successful, failed;
  JsonObject *summary;
  const char *verdict;
  int pid;

  bench_watch_init (&watch);
  rate_card = unlimited_rate_card (&error);
  if (rate_card == NULL)
    goto fail;
  args[7] = rate_card;
  daemon = bench_daemon_start (args);
  conn = bench_conn_new (daemon, &error);
  if (conn == NULL)
    goto fail;
  ids = bench_import_leads (conn, N_LEADS, &error);
  if (ids == NULL || !bench_preview (conn, ids, 0, N_LEADS, &estimate, &error))
    goto fail;

  session = soup_session_new_with_options ("timeout", 30, NULL);
  feed = bench_feed_connect (daemon, session, 1, 1, bench_watch_feed_func, &watch, 10000, &error);
  if (feed == NULL)
    goto fail;

  bench_measure_begin ("exec throughput");
  pid = bench_daemon_pid ();
  cpu0 = bench_process_cpu_s (pid);
  t0 = bench_now_us ();
  batch_id = bench_start_batch (conn, ids, 0, N_LEADS, estimate, 20, FALSE, 0, &error);
  if (batch_id == NULL)
    goto fail;
  bench_watch_add (&watch, batch_id, bench_now_us ());
  if (!bench_watch_wait (&watch, TIMEOUT_MS))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "The batch did not end in %d s", TIMEOUT_MS / 1000);
      goto fail;
    }
  cpu1 = bench_process_cpu_s (pid);
  bench_measure_end ();
  seconds = (watch.last_terminal_us - t0) / 1e6;
  rate = N_LEADS / seconds;

  batch = bench_get_batch (conn, batch_id, &error);
  if (batch == NULL)
    goto fail;
  successful = json_object_get_int_member_with_default (batch, "successful_leads", 0);
  failed = json_object_get_int_member_with_default (batch, "failed_leads", 0);

  status_path = g_strdup_printf ("/api/v1/batch/%s/status", batch_id);
  status_node = bench_conn_request_ok (conn, "GET", status_path, NULL, &error);
  if (status_node == NULL)
    goto fail;
  summary = json_object_get_object_member (json_node_get_object (status_node), "error_summary");
  if (summary != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (summary);

      for (GList *l = members; l; l = l->next)
        g_string_append_printf (codes, "%s%s x %" G_GINT64_FORMAT, codes->len ? ", " : "", (const char *) l->data,
                                json_object_get_int_member (summary, l->data));
    }

  verdict = failed == 0 ? "empty stdout counts as success"
          : successful == 0 ? "empty stdout counts as a failure" : "mixed";
  g_print ("bench-exec: %d leads through /bin/true in %.3f s -> %.0f leads/s (batch %s)\n", N_LEADS, seconds, rate,
           json_object_get_string_member (batch, "status"));
  g_print ("  %" G_GINT64_FORMAT " successful, %" G_GINT64_FORMAT " failed%s%s%s - %s\n", successful, failed,
           codes->len ? " (" : "", codes->str, codes->len ? ")" : "", verdict);
  g_print ("  daemon CPU during the run: %.2f s (%.0f%% of one core; the children's time is not included)\n",
           cpu1 - cpu0, 100 * (cpu1 - cpu0) / seconds);

  bench_result ("exec", "exec /bin/true, 8 workers, 500 leads, no rate limits", "-", "-", "%.0f leads/s", rate);
  bench_result ("exec", "exec /bin/true: successes / failures", "-", "-", "%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT "%s%s%s (%s)",
                successful, failed, codes->len ? " " : "", codes->str, "", verdict);

  bench_watch_clear (&watch);
  g_unlink (rate_card);
  if (successful + failed != N_LEADS)
    {
      g_printerr ("bench-exec: only %" G_GINT64_FORMAT " of %d leads were processed\n", successful + failed, N_LEADS);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;

fail:
  bench_watch_clear (&watch);
  if (rate_card != NULL)
    g_unlink (rate_card);
  g_printerr ("bench-exec: %s\n", error ? error->message : "failed");
  return EXIT_FAILURE;
}

int
main (int    argc,
      char **argv)
{
  bench_print_machine ();
  return run ();
}
