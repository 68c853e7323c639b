/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Server state change → property notify in the client's store, end to
 * end: a real batch-runnerd (noop processor, default 100 ms coalescing)
 * runs N_BATCHES batches of 1,000 leads at once; BrLiveFeed + BrBatchStore
 * (16 ms tick, as in the monitor) follow them. For every notify of
 * processed-leads the latency is now minus the batch's updated_at, the
 * time the server committed that state.
 *   bench-feed-latency [N_BATCHES] [SECONDS]      (default 100, 10) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "batchrunner.h"
#include "brt-daemon.h"

static GArray *latencies;   /* double ms */
static gboolean measuring;

static void
on_processed (BrBatch    *batch,
              GParamSpec *pspec,
              gpointer    data)
{
  gint64 updated;

  if (!measuring)
    return;
  g_object_get (batch, "updated-at", &updated, NULL);
  if (updated > 0)
    {
      double ms = (g_get_real_time () - updated) / 1000.0;
      g_array_append_val (latencies, ms);
    }
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    data)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (model, i);
      g_signal_connect (batch, "notify::processed-leads", G_CALLBACK (on_processed), NULL);
    }
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static gboolean
stop_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
connected (gpointer data)
{
  return br_live_feed_get_state (data) == BR_FEED_STATE_CONNECTED;
}

int
main (int    argc,
      char **argv)
{
  guint n_batches = argc > 1 ? atoi (argv[1]) : 100;
  guint seconds = argc > 2 ? atoi (argv[2]) : 10;
  g_autoptr(BrtDaemon) daemon = NULL;
  g_autoptr(GString) leads = g_string_new ("[");
  g_autoptr(GString) ids = g_string_new ("[");
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(JsonNode) preview = NULL;
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(BrLiveFeed) feed = NULL;
  g_autofree char *preview_body = NULL;
  g_autofree char *start_body = NULL;
  JsonArray *array;
  gboolean done = FALSE;
  guint status;
  double p50, p99, max;

  g_setenv ("G_SLICE", "always-malloc", FALSE);
  daemon = brt_daemon_start ("--processor", "noop", "--workers", "64", NULL);
  latencies = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (leads, "%s{\"company_name\":\"Bench %u\",\"domain\":\"bench-%u.example\","
                            "\"enrichment_status\":\"completed\"}", i ? "," : "", i, i);
  g_string_append (leads, "]");
  json_node_unref (brt_http (daemon, "POST", "/api/v1/leads", leads->str, &status));
  g_assert_cmpuint (status, ==, 200);

  listed = brt_http (daemon, "GET", "/api/v1/leads?limit=1000", NULL, &status);
  array = json_object_get_array_member (json_node_get_object (listed), "leads");
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_string_append_printf (ids, "%s\"%s\"", i ? "," : "",
                            json_object_get_string_member (json_array_get_object_element (array, i), "id"));
  g_string_append (ids, "]");

  preview_body = g_strdup_printf ("{\"lead_ids\":%s}", ids->str);
  preview = brt_http (daemon, "POST", "/api/v1/batch/preview", preview_body, &status);
  start_body = g_strdup_printf ("{\"lead_ids\":%s,\"estimated_cost_usd\":%.6f,\"cost_approved\":true,\"max_concurrent\":20}",
                                ids->str, json_object_get_double_member (json_node_get_object (preview), "estimated_cost_usd"));

  feed = br_live_feed_new (session, brt_daemon_get_url (daemon), "/api/v1", store);
  g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed), NULL);
  br_live_feed_start (feed);
  g_assert_true (brt_wait_until (connected, feed, 10000));

  for (guint i = 0; i < n_batches; i++)
    {
      json_node_unref (brt_http (daemon, "POST", "/api/v1/batch/start", start_body, &status));
      g_assert_cmpuint (status, ==, 201);
    }

  measuring = TRUE;
  g_timeout_add_seconds (seconds, stop_cb, &done);
  brt_wait_until (is_true, &done, (seconds + 5) * 1000);
  measuring = FALSE;

  g_array_sort (latencies, cmp_double);
  if (latencies->len == 0)
    {
      g_printerr ("no updates observed\n");
      return 1;
    }
  p50 = g_array_index (latencies, double, latencies->len / 2);
  p99 = g_array_index (latencies, double, (guint) (latencies->len * 0.99));
  max = g_array_index (latencies, double, latencies->len - 1);
  printf ("| state change → notify, %u batches running, %u s | %u notifies (%.0f/s) | p50 %.1f ms | p99 %.1f ms | max %.1f ms |\n",
          n_batches, seconds, latencies->len, latencies->len / (double) seconds, p50, p99, max);

  br_live_feed_stop (feed);
  return 0;
}
