/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "batchrunner.h"
#include "brt-daemon.h"
#include "brt-fixtures.h"

/* Fixtures (the shared ones are in brt-fixtures.c) ------------------------ */

static GPtrArray *
import_leads (BrtDaemon  *daemon,
              guint       n,
              const char *tag)
{
  BrtLeadSpec spec = { .name_prefix = tag, .domain_prefix = tag, .enrichment_status = "completed" };

  return brt_import_leads (daemon, n, &spec);
}

/* Starts a batch of ids[first .. first + count) at its previewed price. */
static char *
start_batch (BrtDaemon *daemon,
             GPtrArray *ids,
             guint      first,
             guint      count,
             guint      max_concurrent)
{
  g_autoptr(GPtrArray) slice = g_ptr_array_new ();
  g_autofree char *extra = g_strdup_printf ("\"max_concurrent\": %u", max_concurrent);

  for (guint i = first; i < first + count; i++)
    g_ptr_array_add (slice, ids->pdata[i]);
  return brt_start_batch (daemon, slice, extra);
}

static BrLiveFeed *
new_feed (BrtDaemon    *daemon,
          BrBatchStore *store,
          gboolean      polling)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  BrLiveFeed *feed = br_live_feed_new (session, brt_daemon_get_url (daemon), "/api/v1", store);

  g_object_set (feed, "prefer-polling", polling, "poll-interval", 200, NULL);
  br_batch_store_set_tick_interval (store, 10);
  br_live_feed_start (feed);
  return feed;
}

typedef struct
{
  BrtDaemon    *daemon;
  BrBatchStore *store;
  char         *mismatch;   /* the last difference seen, for the log */
} Compare;

static gboolean
matches (Compare *c,
         guint    timeout_ms);

/* The store holds exactly what GET /batch says: the same batches, and each
 * with the same status and counters. */
static gboolean
store_matches_server (gpointer data)
{
  Compare *c = data;
  g_autoptr(JsonNode) listed = NULL;
  JsonArray *batches;
  guint status = 0;

  br_batch_store_flush (c->store);
  listed = brt_http (c->daemon, "GET", "/api/v1/batch?limit=200", NULL, &status);
  if (status != 200)
    return FALSE;
  batches = json_object_get_array_member (json_node_get_object (listed), "batches");
  if (json_array_get_length (batches) != g_list_model_get_n_items (G_LIST_MODEL (c->store)))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (batches); i++)
    {
      JsonObject *obj = json_array_get_object_element (batches, i);
      BrBatch *b = br_batch_store_lookup (c->store, json_object_get_string_member (obj, "id"));

      if (b == NULL ||
          g_strcmp0 (br_batch_status_to_string (br_batch_get_status (b)), json_object_get_string_member (obj, "status")) != 0 ||
          br_batch_get_processed_leads (b) != json_object_get_int_member (obj, "processed_leads") ||
          br_batch_get_successful_leads (b) != json_object_get_int_member (obj, "successful_leads") ||
          br_batch_get_total_leads (b) != json_object_get_int_member (obj, "total_leads"))
        {
          g_free (c->mismatch);
          c->mismatch = g_strdup_printf ("batch %s: server %s %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                         ", store %s %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                                         json_object_get_string_member (obj, "id"),
                                         json_object_get_string_member (obj, "status"),
                                         json_object_get_int_member (obj, "processed_leads"),
                                         json_object_get_int_member (obj, "total_leads"),
                                         b ? br_batch_status_to_string (br_batch_get_status (b)) : "missing",
                                         b ? br_batch_get_processed_leads (b) : -1,
                                         b ? br_batch_get_total_leads (b) : -1);
          return FALSE;
        }
    }
  return TRUE;
}

/* Waits for the store to match the server; on failure, says how not. */
static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Whether the store comes to hold what the server says within
 * @timeout_ms. Not brt_wait_until(): it asks the condition once more
 * after it held, and while batches run the server moves on in between,
 * before its event has reached the store (the feed decodes messages in
 * its own thread), so a store that converged could fail that second
 * look. */
static gboolean
matches (Compare *c,
         guint    timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timed_out_cb, &timed_out);
  gboolean ok;

  while (!(ok = store_matches_server (c)) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  if (!ok)
    g_test_message ("The store never matched the server: %s", c->mismatch ? c->mismatch : "count differs");
  g_clear_pointer (&c->mismatch, g_free);
  return ok;
}

static gboolean
all_terminal (gpointer data)
{
  Compare *c = data;
  g_autoptr(JsonNode) listed = NULL;
  JsonArray *batches;
  guint status = 0;

  listed = brt_http (c->daemon, "GET", "/api/v1/batch?status=pending,running,paused", NULL, &status);
  batches = json_object_get_array_member (json_node_get_object (listed), "batches");
  return status == 200 && json_array_get_length (batches) == 0;
}

/* Nothing left to run: every batch is terminal or paused, so the server
 * stops changing and both stores can be compared with it. */
static gboolean
all_settled (gpointer data)
{
  Compare *c = data;
  g_autoptr(JsonNode) listed = NULL;
  JsonArray *batches;
  guint status = 0;

  listed = brt_http (c->daemon, "GET", "/api/v1/batch?status=pending,running", NULL, &status);
  batches = json_object_get_array_member (json_node_get_object (listed), "batches");
  return status == 200 && json_array_get_length (batches) == 0;
}

static gboolean
feed_connected (gpointer data)
{
  return br_live_feed_get_state (data) == BR_FEED_STATE_CONNECTED;
}

static gboolean
feed_reconnecting (gpointer data)
{
  return br_live_feed_get_state (data) == BR_FEED_STATE_RECONNECTING;
}

/* Tests ------------------------------------------------------------------------ */

static void
test_snapshot_then_live (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GPtrArray) ids = import_leads (daemon, 60, "live");
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrLiveFeed) feed = NULL;
  g_autofree char *first = start_batch (daemon, ids, 0, 20, 5);
  Compare c = { daemon, store, NULL };

  /* One batch exists before the feed connects (snapshot), two after (live). */
  feed = new_feed (daemon, store, FALSE);
  g_assert_true (brt_wait_until (feed_connected, feed, 10000));
  g_assert_cmpint (br_live_feed_get_mode (feed), ==, BR_FEED_MODE_EVENTS);
  g_free (start_batch (daemon, ids, 20, 20, 5));
  g_free (start_batch (daemon, ids, 40, 20, 5));

  g_assert_true (brt_wait_until (all_terminal, &c, 20000));
  g_assert_true (matches (&c, 10000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 3);
  g_assert_cmpint (br_batch_get_status (br_batch_store_lookup (store, first)), ==, BR_BATCH_STATUS_COMPLETED);
  g_assert_cmpint (br_live_feed_get_last_seq (feed), >, 0);
  g_assert_cmpuint (br_live_feed_get_n_bad_messages (feed), ==, 0);
  g_assert_cmpuint (br_live_feed_get_n_resyncs (feed), ==, 0);
  g_assert_cmpint (br_live_feed_get_last_update (feed), >, 0);
  br_live_feed_stop (feed);
}

static void
test_kill_restart_converges (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec",
                                                  "--exec-command", "sh -c 'sleep 0.05; echo {}'",
                                                  "--workers", "4", NULL);
  g_autoptr(GPtrArray) ids = import_leads (daemon, 40, "crash");
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrLiveFeed) feed = new_feed (daemon, store, FALSE);
  g_autofree char *batch = NULL;
  Compare c = { daemon, store, NULL };
  gint64 seq_before;

  g_assert_true (brt_wait_until (feed_connected, feed, 10000));
  batch = start_batch (daemon, ids, 0, 40, 4);

  /* Let it get going, then crash the service under the feed. */
  while (br_batch_store_lookup (store, batch) == NULL ||
         br_batch_get_processed_leads (br_batch_store_lookup (store, batch)) < 5)
    g_main_context_iteration (NULL, TRUE);
  seq_before = br_live_feed_get_last_seq (feed);
  brt_daemon_kill (daemon);

  g_assert_true (brt_wait_until (feed_reconnecting, feed, 40000));
  g_assert_cmpint (br_live_feed_get_next_attempt (feed), >, 0);
  g_assert_nonnull (br_live_feed_get_last_error (feed));
  /* The last known data stays. */
  g_assert_nonnull (br_batch_store_lookup (store, batch));

  brt_daemon_restart_same_port (daemon);
  g_assert_true (brt_wait_until (feed_connected, feed, 40000));
  g_assert_true (brt_wait_until (all_terminal, &c, 60000));
  g_assert_true (matches (&c, 10000));

  /* No duplicate or missing batch, and exactly-once processing. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_cmpint (br_batch_get_processed_leads (br_batch_store_lookup (store, batch)), ==, 40);
  g_assert_cmpint (br_batch_get_successful_leads (br_batch_store_lookup (store, batch)), ==, 40);
  g_assert_cmpint (br_live_feed_get_last_seq (feed), >, seq_before);
  br_live_feed_stop (feed);
}

static void
test_polling_equals_events (void)
{
  /* Slow enough that the last batch is still running when it is paused. */
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec",
                                                  "--exec-command", "sh -c 'sleep 0.1; echo {}'", NULL);
  g_autoptr(GPtrArray) ids = import_leads (daemon, 50, "poll");
  g_autoptr(BrBatchStore) events_store = br_batch_store_new ();
  g_autoptr(BrBatchStore) polling_store = br_batch_store_new ();
  g_autoptr(BrLiveFeed) events_feed = new_feed (daemon, events_store, FALSE);
  g_autoptr(BrLiveFeed) polling_feed = new_feed (daemon, polling_store, TRUE);
  Compare ce = { daemon, events_store, NULL };
  Compare cp = { daemon, polling_store, NULL };
  g_autofree char *paused = NULL;
  g_autoptr(JsonNode) answer = NULL;
  guint status = 0;
  g_autofree char *path = NULL;

  g_assert_true (brt_wait_until (feed_connected, events_feed, 10000));
  g_assert_true (brt_wait_until (feed_connected, polling_feed, 10000));
  g_assert_cmpint (br_live_feed_get_mode (polling_feed), ==, BR_FEED_MODE_POLLING);

  for (guint i = 0; i < 4; i++)
    g_free (start_batch (daemon, ids, i * 10, 10, 2));
  paused = start_batch (daemon, ids, 40, 10, 1);
  path = g_strdup_printf ("/api/v1/batch/%s/pause", paused);
  answer = brt_http (daemon, "POST", path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  /* Comparing with a server whose batches still run races the polling
   * interval; once it has settled, both stores must equal it. */
  g_assert_true (brt_wait_until (all_settled, &ce, 30000));
  g_assert_true (matches (&ce, 20000));
  g_assert_true (matches (&cp, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (events_store)), ==, 5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (polling_store)), ==, 5);
  g_assert_cmpuint (br_batch_store_get_n_paused (polling_store), ==, br_batch_store_get_n_paused (events_store));

  br_live_feed_stop (events_feed);
  br_live_feed_stop (polling_feed);
}

static void
count_lead_updates (BrLiveFeed *feed,
                    const char *batch_id,
                    JsonObject *result,
                    guint      *count)
{
  g_assert_nonnull (json_object_get_string_member (result, "lead_id"));
  (*count)++;
}

typedef struct
{
  guint *count;
  guint  want;
} Want;

static gboolean
enough (gpointer data)
{
  Want *w = data;
  return *w->count >= w->want;
}

static void
test_watch_lead_updates (gconstpointer data)
{
  gboolean polling = GPOINTER_TO_INT (data);
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec",
                                                  "--exec-command", "sh -c 'sleep 0.1; echo {}'", NULL);
  g_autoptr(GPtrArray) ids = import_leads (daemon, 10, polling ? "watchp" : "watche");
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrLiveFeed) feed = new_feed (daemon, store, polling);
  g_autofree char *batch = NULL;
  guint count = 0;
  Want want = { &count, 5 };

  g_signal_connect (feed, "lead-updated", G_CALLBACK (count_lead_updates), &count);
  g_assert_true (brt_wait_until (feed_connected, feed, 10000));
  batch = start_batch (daemon, ids, 0, 10, 1);
  br_live_feed_watch (feed, batch);
  g_assert_true (brt_wait_until (enough, &want, 20000));
  br_live_feed_stop (feed);
}

static void
test_offline_then_back (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrLiveFeed) feed = new_feed (daemon, store, FALSE);
  gint64 last_update;

  g_assert_true (brt_wait_until (feed_connected, feed, 10000));
  last_update = br_live_feed_get_last_update (feed);
  g_assert_cmpint (last_update, >, 0);

  brt_daemon_stop (daemon);
  g_assert_true (brt_wait_until (feed_reconnecting, feed, 40000));
  g_assert_cmpint (br_live_feed_get_next_attempt (feed), >, g_get_real_time () - G_USEC_PER_SEC);

  brt_daemon_restart_same_port (daemon);
  br_live_feed_reconnect_now (feed);
  g_assert_true (brt_wait_until (feed_connected, feed, 40000));
  g_assert_cmpint (br_live_feed_get_next_attempt (feed), ==, 0);

  br_live_feed_stop (feed);
  g_assert_cmpint (br_live_feed_get_state (feed), ==, BR_FEED_STATE_OFFLINE);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/libbatchrunner/live-feed/snapshot-then-live", test_snapshot_then_live);
  g_test_add_func ("/libbatchrunner/live-feed/kill-restart-converges", test_kill_restart_converges);
  g_test_add_func ("/libbatchrunner/live-feed/polling-equals-events", test_polling_equals_events);
  g_test_add_data_func ("/libbatchrunner/live-feed/watch-events", GINT_TO_POINTER (FALSE), test_watch_lead_updates);
  g_test_add_data_func ("/libbatchrunner/live-feed/watch-polling", GINT_TO_POINTER (TRUE), test_watch_lead_updates);
  g_test_add_func ("/libbatchrunner/live-feed/offline-then-back", test_offline_then_back);

  return g_test_run ();
}
