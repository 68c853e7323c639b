/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "batchrunner.h"
#include "br-live-feed-private.h"

typedef struct
{
  guint position, removed, added;
} Change;

static void
record_change (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               GArray     *changes)
{
  Change c = { position, removed, added };
  g_array_append_val (changes, c);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_node_copy (json_parser_get_root (parser));
}

static char *
batch_json (const char *id,
            const char *status,
            int         processed,
            double      rate)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"name\":\"Batch %s\",\"status\":\"%s\",\"total_leads\":100,"
                          "\"processed_leads\":%d,\"processing_rate_per_second\":%g,"
                          "\"created_at\":\"2026-11-23T09:00:00\",\"completed_at\":%s}",
                          id, id, status, processed, rate,
                          g_str_equal (status, "failed") ? "\"2099-01-01T00:00:00Z\"" : "null");
}

static JsonArray *
snapshot_of (const char * const *ids,
             const char * const *statuses)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; ids[i]; i++)
    {
      g_autofree char *text = batch_json (ids[i], statuses[i], (int) i, 1.0);
      json_array_add_element (array, parse (text));
    }
  return array;
}

static void
test_snapshot_minimal_changes (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  const char *ids1[] = { "a", "b", "c", "d", "e", NULL };
  const char *st1[] = { "running", "pending", "completed", "running", "paused" };
  const char *ids2[] = { "a", "c", "e", "f", NULL };
  const char *st2[] = { "running", "completed", "running", "pending" };
  g_autoptr(JsonArray) snap1 = snapshot_of (ids1, st1);
  g_autoptr(JsonArray) snap2 = snapshot_of (ids2, st2);
  g_autoptr(BrBatch) a_before = NULL;
  g_autoptr(BrBatch) a_after = NULL;

  g_signal_connect (store, "items-changed", G_CALLBACK (record_change), changes);

  g_assert_true (br_batch_store_apply_snapshot (store, snap1, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 5);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 5);
  g_assert_cmpuint (br_batch_store_get_n_running (store), ==, 2);
  g_assert_cmpuint (br_batch_store_get_n_pending (store), ==, 1);
  g_assert_cmpuint (br_batch_store_get_n_paused (store), ==, 1);

  a_before = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_array_set_size (changes, 0);

  /* b and d leave (two separate runs), f arrives, a/c/e stay in place. */
  g_assert_true (br_batch_store_apply_snapshot (store, snap2, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 4);
  g_assert_cmpuint (changes->len, ==, 3);
  g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, 3);
  g_assert_cmpuint (g_array_index (changes, Change, 0).removed, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 1).position, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 1).removed, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 2).position, ==, 3);
  g_assert_cmpuint (g_array_index (changes, Change, 2).added, ==, 1);

  a_after = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (a_before == a_after);
  g_assert_nonnull (br_batch_store_lookup (store, "f"));
  g_assert_null (br_batch_store_lookup (store, "b"));
  g_assert_cmpint (br_batch_get_status (br_batch_store_lookup (store, "e")), ==, BR_BATCH_STATUS_RUNNING);
  g_assert_cmpuint (br_batch_store_get_n_running (store), ==, 2);
  g_assert_cmpuint (br_batch_store_get_n_paused (store), ==, 0);
}

static void
test_snapshot_invalid_changes_nothing (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  const char *ids[] = { "a", NULL };
  const char *st[] = { "running" };
  g_autoptr(JsonArray) good = snapshot_of (ids, st);
  g_autoptr(JsonNode) bad = parse ("[{\"id\":\"x\",\"status\":\"running\"},{\"id\":\"y\",\"total_leads\":\"many\"}]");
  g_autoptr(JsonNode) dup = parse ("[{\"id\":\"x\"},{\"id\":\"x\"}]");
  g_autoptr(GError) error = NULL;

  g_assert_true (br_batch_store_apply_snapshot (store, good, NULL));
  g_assert_false (br_batch_store_apply_snapshot (store, json_node_get_array (bad), &error));
  g_assert_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE);
  g_clear_error (&error);
  g_assert_false (br_batch_store_apply_snapshot (store, json_node_get_array (dup), &error));
  g_assert_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_nonnull (br_batch_store_lookup (store, "a"));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              GPtrArray  *names)
{
  g_ptr_array_add (names, g_strdup (pspec->name));
}

static void
test_updates_in_place_and_folded (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(GPtrArray) notified = g_ptr_array_new_with_free_func (g_free);
  const char *ids[] = { "a", NULL };
  const char *st[] = { "running" };
  g_autoptr(JsonArray) snap = snapshot_of (ids, st);
  BrBatch *a;

  br_batch_store_set_tick_interval (store, 0);
  g_assert_true (br_batch_store_apply_snapshot (store, snap, NULL));
  a = br_batch_store_lookup (store, "a");
  g_signal_connect (store, "items-changed", G_CALLBACK (record_change), changes);
  g_signal_connect (a, "notify", G_CALLBACK (count_notify), notified);

  /* Three updates before the tick fold into the newest. */
  for (int i = 1; i <= 3; i++)
    {
      g_autofree char *text = batch_json ("a", "running", 10 * i, 1.0);
      g_autoptr(JsonNode) node = parse (text);
      g_assert_true (br_batch_store_queue_update (store, json_node_get_object (node), NULL));
    }
  g_assert_cmpuint (br_batch_store_get_n_queued (store), ==, 1);
  g_assert_cmpint (br_batch_get_processed_leads (a), ==, 0);

  br_batch_store_flush (store);
  g_assert_cmpint (br_batch_get_processed_leads (a), ==, 30);
  g_assert_cmpuint (changes->len, ==, 0);
  /* Only what changed notified: processed_leads, once. */
  g_assert_cmpuint (notified->len, ==, 1);
  g_assert_cmpstr (notified->pdata[0], ==, "processed-leads");

  /* A status change moves the counters. */
  {
    g_autofree char *text = batch_json ("a", "failed", 30, 1.0);
    g_autoptr(JsonNode) node = parse (text);
    g_assert_true (br_batch_store_queue_update (store, json_node_get_object (node), NULL));
    br_batch_store_flush (store);
  }
  g_assert_cmpuint (br_batch_store_get_n_running (store), ==, 0);
  g_assert_cmpuint (br_batch_store_get_n_failed_today (store), ==, 1);
  g_assert_cmpfloat (br_batch_store_get_leads_per_minute (store), ==, 0.0);

  /* New batches are appended at the tick, in one change. */
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("n%d", i);
      g_autofree char *text = batch_json (id, "running", 1, 0.5);
      g_autoptr(JsonNode) node = parse (text);
      g_assert_true (br_batch_store_queue_update (store, json_node_get_object (node), NULL));
    }
  br_batch_store_flush (store);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).position, ==, 1);
  g_assert_cmpuint (g_array_index (changes, Change, 0).added, ==, 3);
  g_assert_cmpfloat_with_epsilon (br_batch_store_get_leads_per_minute (store), 90.0, 1e-9);
}

static void
test_bad_update_keeps_last_good_state (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  const char *ids[] = { "a", NULL };
  const char *st[] = { "running" };
  g_autoptr(JsonArray) snap = snapshot_of (ids, st);
  g_autoptr(JsonNode) bad = parse ("{\"id\":\"a\",\"processed_leads\":\"lots\",\"status\":\"completed\"}");
  g_autoptr(JsonNode) no_id = parse ("{\"status\":\"completed\"}");
  g_autoptr(GError) error = NULL;
  BrBatch *a;

  g_assert_true (br_batch_store_apply_snapshot (store, snap, NULL));
  a = br_batch_store_lookup (store, "a");
  g_assert_true (br_batch_store_queue_update (store, json_node_get_object (bad), NULL));
  br_batch_store_flush (store);
  g_assert_cmpint (br_batch_get_status (a), ==, BR_BATCH_STATUS_RUNNING);
  g_assert_false (br_batch_store_queue_update (store, json_node_get_object (no_id), &error));
  g_assert_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_MISSING);
}

static void
count_has_queued (GObject    *object,
                  GParamSpec *pspec,
                  guint      *n)
{
  (*n)++;
}

/* A budgeted flush applies a burst over several calls, in arrival order,
 * and says when the queue is empty. */
static void
test_flush_budget (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  guint n_has_queued = 0, n_calls = 0, applied_before;
  gboolean more;

  br_batch_store_set_tick_interval (store, 0);
  g_signal_connect (store, "items-changed", G_CALLBACK (record_change), changes);
  g_signal_connect (store, "notify::has-queued", G_CALLBACK (count_has_queued), &n_has_queued);
  g_assert_false (br_batch_store_get_has_queued (store));
  g_assert_false (br_batch_store_flush_budget (store, 0));

  for (int i = 0; i < 100; i++)
    {
      g_autofree char *id = g_strdup_printf ("b%03d", i);
      g_autofree char *text = batch_json (id, "running", i, 1.0);
      g_autoptr(JsonNode) node = parse (text);

      g_assert_true (br_batch_store_queue_update (store, json_node_get_object (node), NULL));
    }
  g_assert_true (br_batch_store_get_has_queued (store));
  g_assert_cmpuint (n_has_queued, ==, 1);

  /* No time at all still makes progress, from the oldest update on. */
  g_assert_true (br_batch_store_flush_budget (store, 0));
  applied_before = g_list_model_get_n_items (G_LIST_MODEL (store));
  g_assert_cmpuint (applied_before, >, 0);
  g_assert_cmpuint (applied_before, <, 100);
  g_assert_cmpuint (br_batch_store_get_n_queued (store), ==, 100 - applied_before);
  g_assert_nonnull (br_batch_store_lookup (store, "b000"));
  g_assert_null (br_batch_store_lookup (store, "b099"));

  /* A newer update of a batch still queued folds into it, in its place. */
  {
    g_autofree char *text = batch_json ("b099", "running", 500, 1.0);
    g_autoptr(JsonNode) node = parse (text);

    g_assert_true (br_batch_store_queue_update (store, json_node_get_object (node), NULL));
  }
  g_assert_cmpuint (br_batch_store_get_n_queued (store), ==, 100 - applied_before);

  do
    {
      more = br_batch_store_flush_budget (store, 0);
      n_calls++;
    }
  while (more && n_calls < 1000);
  g_assert_false (more);
  g_assert_cmpuint (n_calls, >, 1);
  g_assert_false (br_batch_store_get_has_queued (store));
  g_assert_cmpuint (n_has_queued, ==, 2);
  g_assert_cmpuint (br_batch_store_get_n_queued (store), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 100);
  g_assert_cmpint (br_batch_get_processed_leads (br_batch_store_lookup (store, "b099")), ==, 500);
  g_assert_cmpuint (br_batch_store_get_n_running (store), ==, 100);

  /* Rows were appended in arrival order, one change per call. */
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *id = g_strdup_printf ("b%03u", i);

      g_assert_cmpstr (br_batch_get_id (batch), ==, id);
    }
  g_assert_cmpuint (changes->len, ==, n_calls + 1);
  g_assert_cmpuint (g_array_index (changes, Change, 1).position, ==, applied_before);
}

/* Strings many batches share are held once; changing one batch's copy
 * leaves the others alone. */
static void
test_shared_strings (void)
{
  g_autoptr(JsonNode) ja = parse ("{\"id\":\"a\",\"template_version\":\"v7\",\"created_by\":\"ana\",\"description\":\"d\"}");
  g_autoptr(JsonNode) jb = parse ("{\"id\":\"b\",\"template_version\":\"v7\",\"created_by\":\"ana\",\"description\":\"d\"}");
  g_autoptr(JsonNode) change = parse ("{\"id\":\"b\",\"template_version\":\"v8\",\"created_by\":null}");
  g_autoptr(BrBatch) a = br_batch_new_from_json (json_node_get_object (ja), NULL);
  g_autoptr(BrBatch) b = br_batch_new_from_json (json_node_get_object (jb), NULL);

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_true (br_batch_get_template_version (a) == br_batch_get_template_version (b));
  g_assert_true (br_batch_get_created_by (a) == br_batch_get_created_by (b));
  g_assert_true (br_batch_get_description (a) == br_batch_get_description (b));

  g_assert_true (br_batch_update_from_json (b, json_node_get_object (change), NULL));
  g_assert_cmpstr (br_batch_get_template_version (b), ==, "v8");
  g_assert_null (br_batch_get_created_by (b));
  g_assert_cmpstr (br_batch_get_template_version (a), ==, "v7");
  g_assert_cmpstr (br_batch_get_created_by (a), ==, "ana");

  br_batch_update_from_batch (b, a);
  g_assert_true (br_batch_get_template_version (a) == br_batch_get_template_version (b));
  g_assert_cmpstr (br_batch_get_created_by (b), ==, "ana");
}

static gboolean
tick_done (gpointer data)
{
  return br_batch_store_get_n_queued (data) == 0;
}

static gboolean
give_up (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_tick_applies_on_its_own (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autofree char *text = batch_json ("t", "pending", 0, 0);
  g_autoptr(JsonNode) node = parse (text);
  gboolean timed_out = FALSE;
  guint id;

  br_batch_store_set_tick_interval (store, 5);
  g_assert_true (br_batch_store_queue_update (store, json_node_get_object (node), NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  id = g_timeout_add (5000, give_up, &timed_out);
  while (!tick_done (store) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
}

/* The live feed's decoder, driven with messages as a server sends them. */

static BrLiveFeed *
new_feed (BrBatchStore *store)
{
  g_autoptr(SoupSession) session = soup_session_new ();

  return br_live_feed_new (session, "http://127.0.0.1:1", "/api/v1", store);
}

static void
feed (BrLiveFeed *f,
      const char *text)
{
  _br_live_feed_process_text (f, text, strlen (text));
}

static void
test_feed_sequence (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrLiveFeed) f = new_feed (store);
  g_autofree char *b1 = batch_json ("a", "running", 5, 1);
  g_autofree char *b2 = batch_json ("a", "running", 6, 1);
  g_autofree char *b3 = batch_json ("a", "running", 9, 1);
  g_autofree char *snap = g_strdup_printf ("{\"type\":\"snapshot\",\"seq\":10,\"batches\":[%s]}", b1);
  g_autofree char *next = g_strdup_printf ("{\"type\":\"batch_updated\",\"seq\":11,\"batch\":%s}", b2);
  g_autofree char *dup = g_strdup_printf ("{\"type\":\"batch_updated\",\"seq\":11,\"batch\":%s}", b3);
  g_autofree char *gap = g_strdup_printf ("{\"type\":\"batch_updated\",\"seq\":14,\"batch\":%s}", b3);

  br_batch_store_set_tick_interval (store, 0);
  feed (f, snap);
  g_assert_cmpint (br_live_feed_get_last_seq (f), ==, 10);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  feed (f, next);
  br_batch_store_flush (store);
  g_assert_cmpint (br_live_feed_get_last_seq (f), ==, 11);
  g_assert_cmpint (br_batch_get_processed_leads (br_batch_store_lookup (store, "a")), ==, 6);

  /* A duplicate is ignored. */
  feed (f, dup);
  br_batch_store_flush (store);
  g_assert_cmpint (br_batch_get_processed_leads (br_batch_store_lookup (store, "a")), ==, 6);

  /* A gap is not applied: it triggers a resync from the last good seq. */
  feed (f, gap);
  br_batch_store_flush (store);
  g_assert_cmpuint (_br_live_feed_get_n_resyncs (f), ==, 1);
  g_assert_cmpint (br_live_feed_get_last_seq (f), ==, 11);
  g_assert_cmpint (br_batch_get_processed_leads (br_batch_store_lookup (store, "a")), ==, 6);
  g_assert_cmpuint (br_live_feed_get_n_bad_messages (f), ==, 0);
}

/* The socket's path: messages decoded in the feed's thread and applied on
 * this one, in the order they came, with the same sequence rules. */
static void
receive (BrLiveFeed *f,
         const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  _br_live_feed_receive_text (f, bytes);
}

typedef struct
{
  BrLiveFeed *feed;
  guint64     n_bad;
} BadWait;

static gboolean
bad_messages_reach (gpointer data)
{
  BadWait *w = data;

  return br_live_feed_get_n_bad_messages (w->feed) >= w->n_bad;
}

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (10000, give_up, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
}

static void
test_feed_threaded (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrLiveFeed) f = new_feed (store);
  g_autoptr(GString) snap = g_string_new ("{\"type\":\"snapshot\",\"seq\":20,\"batches\":[");
  g_autoptr(GString) bad_snap = g_string_new ("{\"type\":\"snapshot\",\"seq\":40,\"batches\":[");
  g_autofree char *b1 = batch_json ("b0", "running", 50, 1);
  g_autofree char *b2 = batch_json ("b0", "running", 60, 1);
  g_autofree char *b3 = batch_json ("b1", "running", 70, 1);
  g_autofree char *next = g_strdup_printf ("{\"type\":\"batch_updated\",\"seq\":21,\"batch\":%s}", b1);
  g_autofree char *dup = g_strdup_printf ("{\"type\":\"batch_updated\",\"seq\":21,\"batch\":%s}", b2);
  g_autofree char *after = g_strdup_printf ("{\"type\":\"batch_updated\",\"seq\":22,\"batch\":%s}", b2);
  g_autofree char *gap = g_strdup_printf ("{\"type\":\"batch_updated\",\"seq\":30,\"batch\":%s}", b3);
  BadWait wait = { f, 0 };

  br_batch_store_set_tick_interval (store, 0);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *id = g_strdup_printf ("b%u", i);
      g_autofree char *batch = batch_json (id, i % 2 ? "completed" : "running", 10, 1);

      g_string_append_printf (snap, "%s%s", i ? "," : "", batch);
      g_string_append_printf (bad_snap, "%s%s", i ? "," : "", i == 299 ? "{\"id\":\"x\",\"total_leads\":\"many\"}" : batch);
    }
  g_string_append (snap, "]}");
  g_string_append (bad_snap, "]}");

  /* All at once, before any is decoded: they apply in order. */
  receive (f, snap->str);
  receive (f, next);
  receive (f, dup);
  receive (f, "{not json");
  receive (f, after);
  receive (f, gap);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  wait.n_bad = 1;
  iterate_until (bad_messages_reach, &wait);
  /* The gap came last: it was not applied and asked for a resync. */
  while (_br_live_feed_get_n_resyncs (f) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (br_live_feed_get_n_bad_messages (f), ==, 1);
  g_assert_cmpint (br_live_feed_get_last_seq (f), ==, 22);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 300);
  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *id = g_strdup_printf ("b%u", i);

      g_assert_cmpstr (br_batch_get_id (batch), ==, id);
    }
  br_batch_store_flush (store);
  g_assert_cmpint (br_batch_get_processed_leads (br_batch_store_lookup (store, "b0")), ==, 60);
  g_assert_cmpint (br_batch_get_processed_leads (br_batch_store_lookup (store, "b1")), ==, 10);
  g_assert_cmpuint (br_batch_store_get_n_running (store), ==, 150);

  /* A snapshot with one bad batch changes nothing. */
  receive (f, bad_snap->str);
  wait.n_bad = 2;
  iterate_until (bad_messages_reach, &wait);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 300);
  g_assert_cmpint (br_live_feed_get_last_seq (f), ==, 22);

  /* Stopping drops what was received and not yet applied. */
  receive (f, snap->str);
  br_live_feed_stop (f);
  receive (f, "{not json either");
  wait.n_bad = 3;
  iterate_until (bad_messages_reach, &wait);
  g_assert_cmpint (br_live_feed_get_last_seq (f), ==, 22);
}

/* Many objects side by side are not deep nesting (a depth count once
 * counted each object twice and refused big snapshots). */
static void
test_feed_big_snapshot (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrLiveFeed) f = new_feed (store);
  g_autoptr(GString) text = g_string_new ("{\"type\":\"snapshot\",\"seq\":7,\"batches\":[");

  for (guint i = 0; i < 250; i++)
    {
      g_autofree char *id = g_strdup_printf ("b%u", i);
      g_autofree char *batch = batch_json (id, "completed", 10, 0);

      g_string_append_printf (text, "%s%s", i ? "," : "", batch);
    }
  g_string_append (text, "]}");

  feed (f, text->str);
  g_assert_cmpuint (br_live_feed_get_n_bad_messages (f), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 250);
  g_assert_cmpint (br_live_feed_get_last_seq (f), ==, 7);
}

static void
test_feed_hostile_frames (void)
{
  g_autoptr(BrBatchStore) store = br_batch_store_new ();
  g_autoptr(BrLiveFeed) f = new_feed (store);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autofree char *deep = NULL;
  g_autofree char *good = batch_json ("a", "running", 1, 1);
  g_autofree char *snap = g_strdup_printf ("{\"type\":\"snapshot\",\"seq\":1,\"batches\":[%s]}", good);
  const char *fixed[] = {
    "", "{", "[]", "null", "42", "\"x\"", "{\"type\":5}", "{\"type\":null}",
    "{\"type\":\"snapshot\"}", "{\"type\":\"snapshot\",\"batches\":{}}",
    "{\"type\":\"snapshot\",\"seq\":2,\"batches\":[{\"id\":7}]}",
    "{\"type\":\"batch_updated\"}", "{\"type\":\"batch_updated\",\"seq\":\"2\",\"batch\":{}}",
    "{\"type\":\"batch_updated\",\"seq\":2,\"batch\":[]}",
    "{\"type\":\"batch_updated\",\"seq\":2,\"batch\":{\"name\":\"no id\"}}",
    "{\"type\":\"batch_updated\",\"seq\":1e400,\"batch\":{}}",
    "{\"type\":\"batch_updated\",\"seq\":99999999999999999999999,\"batch\":{}}",
    "{\"type\":\"batch_removed\",\"seq\":2}",
    "{\"type\":\"lead_updated\",\"batch_id\":[]}", "{\"type\":\"lead_updated\",\"batch_id\":\"a\"}",
    "{\"type\":\"health\",\"spent_today_usd\":\"lots\"}", "\xff\xfe\xfd",
  };
  GString *s = g_string_new (NULL);
  guint64 expected_min = 0;

  feed (f, snap);

  for (int i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  deep = g_string_free (s, FALSE);
  feed (f, deep);
  expected_min++;

  for (guint i = 0; i < 10000; i++)
    {
      const char *base = fixed[i % G_N_ELEMENTS (fixed)];
      g_autofree char *mutated = g_strdup (base);
      gsize len = strlen (mutated);

      /* Every other frame: cut short or with a byte flipped. */
      if (i % 2 == 1 && len > 1)
        {
          if (g_rand_boolean (rand))
            len = g_rand_int_range (rand, 1, len);
          else
            mutated[g_rand_int_range (rand, 0, len)] ^= 0x5a;
        }
      _br_live_feed_process_text (f, mutated, len);
    }

  /* Still alive, still holding the good state, and it counted. */
  br_batch_store_flush (store);
  g_assert_nonnull (br_batch_store_lookup (store, "a"));
  g_assert_cmpuint (br_live_feed_get_n_bad_messages (f), >=, expected_min + 5000);
  g_assert_cmpint (br_live_feed_get_last_seq (f), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libbatchrunner/batch-store/snapshot-minimal-changes", test_snapshot_minimal_changes);
  g_test_add_func ("/libbatchrunner/batch-store/snapshot-invalid-changes-nothing", test_snapshot_invalid_changes_nothing);
  g_test_add_func ("/libbatchrunner/batch-store/apply-delta", test_updates_in_place_and_folded);
  g_test_add_func ("/libbatchrunner/batch-store/bad-update-keeps-state", test_bad_update_keeps_last_good_state);
  g_test_add_func ("/libbatchrunner/batch-store/tick", test_tick_applies_on_its_own);
  g_test_add_func ("/libbatchrunner/batch-store/flush-budget", test_flush_budget);
  g_test_add_func ("/libbatchrunner/batch/shared-strings", test_shared_strings);
  g_test_add_func ("/libbatchrunner/live-feed/sequence", test_feed_sequence);
  g_test_add_func ("/libbatchrunner/live-feed/big-snapshot", test_feed_big_snapshot);
  g_test_add_func ("/libbatchrunner/live-feed/threaded", test_feed_threaded);
  g_test_add_func ("/libbatchrunner/live-feed/hostile-frames", test_feed_hostile_frames);

  return g_test_run ();
}
