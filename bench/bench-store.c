/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libbatchrunner's costs, without a server: decoding one event, applying
 * updates to the store, and the memory 100,000 batches take.
 *   bench-store [N_BATCHES]            (default 100000)
 * Run it with G_SLICE=always-malloc as well: GLib 2.74's slice allocator
 * keeps the freed JSON parse tree (json-glib allocates nodes with it) in
 * slabs that live batches pin, which the heap figure then includes. */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "batchrunner.h"
#include "br-live-feed-private.h"

static gsize
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

static char *
batch_text (guint i,
            guint processed)
{
  return g_strdup_printf ("{\"id\":\"%08x-1d2c-4b8e-9a51-%012u\",\"name\":\"Q4 outreach wave %u\","
                          "\"description\":\"Leads from the November trade show\",\"status\":\"running\","
                          "\"total_leads\":1000,\"processed_leads\":%u,\"successful_leads\":%u,"
                          "\"failed_leads\":0,\"progress_percentage\":%.1f,\"estimated_cost_usd\":312.5,"
                          "\"actual_cost_usd\":%.4f,\"template_version\":\"v1\","
                          "\"websocket_url\":\"/api/v1/batch/%08x/progress\","
                          "\"created_at\":\"2026-11-23T09:00:00.000Z\",\"started_at\":\"2026-11-23T09:00:01.000Z\","
                          "\"completed_at\":null,\"created_by\":\"operator\",\"error_message\":null,"
                          "\"skipped_leads\":0,\"max_concurrent\":5,\"retry_failed\":true,\"retry_count\":3,"
                          "\"current_lead_id\":\"5c1e2b9a-0000-4000-8000-000000000001\","
                          "\"processing_rate_per_second\":1.2,\"estimated_remaining_seconds\":700,"
                          "\"updated_at\":\"2026-11-23T09:05:00.000Z\",\"seq\":%u}",
                          i, i, i, processed, processed, processed / 10.0, processed * 0.3125, i, i + processed);
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(BrLiveFeed) feed = NULL;
  g_autoptr(GString) snapshot = g_string_new ("{\"type\":\"snapshot\",\"seq\":1,\"batches\":[");
  gsize rss_before, rss_after, used_before, used_after;
  gint64 t0, t1;
  const guint n_events = 20000;

  br_batch_store_set_tick_interval (store, 0);
  feed = br_live_feed_new (session, "http://127.0.0.1:1", "/api/v1", store);

  /* Baselines before the snapshot text exists: it is freed before the
   * second reading, and must not be subtracted from the store. */
  malloc_trim (0);
  rss_before = rss_kib ();
  used_before = mallinfo2 ().uordblks;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *b = batch_text (i, 0);
      g_string_append_printf (snapshot, "%s%s", i ? "," : "", b);
    }
  g_string_append (snapshot, "]}");

  /* Memory: what the store holds once the snapshot text is gone. */
  t0 = g_get_monotonic_time ();
  _br_live_feed_process_text (feed, snapshot->str, snapshot->len);
  t1 = g_get_monotonic_time ();
  g_string_free (g_steal_pointer (&snapshot), TRUE);
  /* The parse tree is gone but glibc keeps the pages: hand them back so
   * the figure is what the store holds, not the peak of decoding. */
  malloc_trim (0);
  rss_after = rss_kib ();
  used_after = mallinfo2 ().uordblks;
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, n);

  printf ("| snapshot of %u batches: decode + apply | %.1f ms |\n", n, (t1 - t0) / 1000.0);
  printf ("| store memory for %u batches (heap bytes in use) | %.1f MiB |\n",
          n, (double) (used_after - used_before) / (1024.0 * 1024.0));
  printf ("| RSS growth after the snapshot (includes heap fragmentation left by the parse tree) | %.1f MiB |\n",
          (double) (rss_after > rss_before ? rss_after - rss_before : 0) / 1024.0);

  /* Decoding cost per event: batch_updated messages for existing batches,
   * each applied (one notify set per batch per tick). */
  {
    g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < n_events; i++)
      {
        g_autofree char *b = batch_text (i % n, 1 + i / n);
        g_ptr_array_add (events, g_strdup_printf ("{\"type\":\"batch_updated\",\"seq\":%u,\"batch\":%s}", 2 + i, b));
      }

    t0 = g_get_monotonic_time ();
    for (guint i = 0; i < n_events; i++)
      _br_live_feed_process_text (feed, events->pdata[i], strlen (events->pdata[i]));
    t1 = g_get_monotonic_time ();
    printf ("| decode + queue one batch_updated event | %.1f µs |\n", (double) (t1 - t0) / n_events);

    t0 = g_get_monotonic_time ();
    br_batch_store_flush (store);
    t1 = g_get_monotonic_time ();
    printf ("| apply one queued update in place (flush of %u) | %.1f µs |\n", n_events, (double) (t1 - t0) / n_events);
  }

  return 0;
}
