/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: everything a server can send on /events or a
 * per-batch socket goes through the live feed's decoder into a store.
 * Whatever the bytes, it must neither crash nor leak (ASan/LSan). */
#include "config.h"

#include <stdint.h>

#include "batchrunner.h"
#include "br-live-feed-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static BrBatchStore *store;
static BrLiveFeed *feed;

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (feed == NULL)
    {
      g_autoptr(SoupSession) session = soup_session_new ();

      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
      store = br_batch_store_new ();
      br_batch_store_set_tick_interval (store, 0);
      feed = br_live_feed_new (session, "http://127.0.0.1:1", "/api/v1", store);
    }

  _br_live_feed_process_text (feed, (const char *) data, size);
  br_batch_store_flush (store);

  /* Keep the store from growing without bound across inputs. */
  if (g_list_model_get_n_items (G_LIST_MODEL (store)) > 1000)
    {
      g_autoptr(JsonArray) empty = json_array_new ();
      br_batch_store_apply_snapshot (store, empty, NULL);
    }

  return 0;
}
