/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The /events feed and the per-batch /progress sockets: snapshot, seq
 * order without gaps, fan-out to several clients, replay, coalescing,
 * and a server that shrugs off garbage. */
#include "config.h"

#include <string.h>

#include "brt-fixtures.h"

#define WAIT_MS 30000

static const BrtLeadSpec enriched = { .enrichment_status = "completed" };

static const char *
msg_type (JsonObject *msg)
{
  return json_object_get_string_member_with_default (msg, "type", "");
}

static gboolean
is_batch_event (JsonObject *msg)
{
  return g_str_equal (msg_type (msg), "batch_created") || g_str_equal (msg_type (msg), "batch_updated") ||
         g_str_equal (msg_type (msg), "batch_removed");
}

/* The batch events of a log, in order (transfer container). */
static GPtrArray *
batch_events (BrtWs *ws)
{
  GPtrArray *log = brt_ws_get_log (ws);
  GPtrArray *events = g_ptr_array_new ();

  for (guint i = 0; i < log->len; i++)
    if (is_batch_event (log->pdata[i]))
      g_ptr_array_add (events, log->pdata[i]);
  return events;
}

static GPtrArray *
messages_of_type (BrtWs      *ws,
                  const char *type)
{
  GPtrArray *log = brt_ws_get_log (ws);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < log->len; i++)
    if (g_str_equal (msg_type (log->pdata[i]), type))
      g_ptr_array_add (out, log->pdata[i]);
  return out;
}

static JsonObject *
event_batch (JsonObject *event)
{
  return json_object_get_object_member (event, "batch");
}

/* Seqs of @events are @first, @first + 1, ... */
static void
assert_contiguous (GPtrArray *events,
                   gint64     first)
{
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *e = events->pdata[i];

      if (brt_int (e, "seq") != first + i)
        g_error ("Event %u has seq %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT " (a gap or a repeat)",
                 i, brt_int (e, "seq"), first + (gint64) i);
      /* The batch object carries the seq of the event that carried it last. */
      if (!g_str_equal (msg_type (e), "batch_removed"))
        g_assert_cmpint (brt_int (event_batch (e), "seq"), ==, brt_int (e, "seq"));
      brt_parse_time (brt_str (e, "timestamp"));
    }
}

static void
assert_same_events (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      g_autoptr(JsonNode) na = json_node_init_object (json_node_alloc (), a->pdata[i]);
      g_autoptr(JsonNode) nb = json_node_init_object (json_node_alloc (), b->pdata[i]);

      if (!json_node_equal (na, nb))
        {
          g_autofree char *ta = json_to_string (na, FALSE);
          g_autofree char *tb = json_to_string (nb, FALSE);

          g_error ("Event %u differs:\n%s\n%s", i, ta, tb);
        }
    }
}

static void
test_snapshot (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 5, NULL);
  g_autofree char *id = brt_start_batch (daemon, ids, "\"name\": \"Snapshotted\"");
  g_autoptr(JsonObject) done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
  g_autoptr(JsonObject) health = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(BrtWs) ws = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *batches;
  JsonObject *batch;

  /* Nothing is sent before subscribe: only the pong of our ping. */
  ws = brt_ws_connect (daemon, "/api/v1/events", NULL, &error);
  g_assert_no_error (error);
  brt_ws_sync (ws);
  g_assert_cmpuint (brt_ws_get_log (ws)->len, ==, 1);
  brt_parse_time (brt_str (g_ptr_array_index (brt_ws_get_log (ws), 0), "timestamp"));

  health = brt_request (daemon, "GET", "/api/v1/health", NULL, 200);
  brt_ws_send (ws, "{\"type\":\"subscribe\",\"since\":null}");
  snapshot = brt_ws_wait_type (ws, "snapshot", 10000);
  g_assert_nonnull (snapshot);
  brt_parse_time (brt_str (snapshot, "timestamp"));
  g_assert_cmpint (brt_int (snapshot, "seq"), ==, brt_int (health, "event_seq"));
  g_assert_cmpint (brt_int (snapshot, "seq"), >=, brt_int (done, "seq"));
  batches = json_object_get_array_member (snapshot, "batches");
  g_assert_cmpuint (json_array_get_length (batches), ==, 1);
  batch = json_array_get_object_element (batches, 0);
  g_assert_cmpstr (brt_str (batch, "id"), ==, id);
  g_assert_cmpstr (brt_str (batch, "name"), ==, "Snapshotted");
  g_assert_cmpstr (brt_str (batch, "status"), ==, "completed");
  g_assert_cmpint (brt_int (batch, "processed_leads"), ==, 5);
  g_assert_cmpint (brt_int (batch, "seq"), ==, brt_int (done, "seq"));
}

/* The snapshot holds every non-terminal batch, however old, and the
 * newest 200 terminal ones. */
static void
test_snapshot_limit (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--workers", "1", "--exec-command",
                                                  "sh -c 'cat >/dev/null; exec sleep 20'", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 1, &enriched);
  g_autoptr(GPtrArray) batch_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) in_snapshot = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(BrtWs) ws = NULL;
  g_autoptr(JsonObject) cancelled = NULL;
  JsonArray *batches;
  char *oldest;

  /* The oldest batch runs (one worker, a lead that never ends)... */
  oldest = brt_start_batch (daemon, ids, NULL);
  g_ptr_array_add (batch_ids, oldest);
  /* ...and 203 newer ones end at once. */
  for (guint i = 0; i < 203; i++)
    {
      char *id = brt_start_batch (daemon, ids, NULL);
      g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/cancel", id);

      g_clear_pointer (&cancelled, json_object_unref);
      cancelled = brt_request (daemon, "POST", path, NULL, 200);
      g_ptr_array_add (batch_ids, id);
    }

  ws = brt_events_connect (daemon, NULL);
  batches = json_object_get_array_member (g_ptr_array_index (brt_ws_get_log (ws), 0), "batches");
  g_assert_cmpuint (json_array_get_length (batches), ==, 201);
  for (guint i = 0; i < json_array_get_length (batches); i++)
    g_hash_table_add (in_snapshot, (gpointer) brt_str (json_array_get_object_element (batches, i), "id"));
  g_assert_true (g_hash_table_contains (in_snapshot, oldest));
  /* 203 ended: the 3 oldest of them are left out. */
  g_assert_cmpuint (batch_ids->len, ==, 204);
  for (guint i = 1; i < 4; i++)
    g_assert_false (g_hash_table_contains (in_snapshot, batch_ids->pdata[i]));
  for (guint i = 4; i < batch_ids->len; i++)
    g_assert_true (g_hash_table_contains (in_snapshot, batch_ids->pdata[i]));

  g_clear_pointer (&cancelled, json_object_unref);
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/cancel", oldest);
    cancelled = brt_request (daemon, "POST", path, NULL, 200);
  }
}

typedef struct
{
  BrtDaemon *daemon;
  GPtrArray *batch_ids;
  const char *statuses;
} AllDone;

static gboolean
all_terminal (gpointer data)
{
  AllDone *w = data;
  g_auto(GStrv) wanted = g_strsplit (w->statuses, "|", -1);

  for (guint i = 0; i < w->batch_ids->len; i++)
    {
      g_autoptr(JsonObject) b = brt_get_batch (w->daemon, w->batch_ids->pdata[i]);

      if (!g_strv_contains ((const char * const *) wanted, brt_str (b, "status")))
        return FALSE;
    }
  return TRUE;
}

static void
wait_all (BrtDaemon  *daemon,
          GPtrArray  *batch_ids,
          const char *statuses)
{
  AllDone w = { daemon, batch_ids, statuses };

  g_assert_true (brt_poll_until (all_terminal, &w, WAIT_MS, 25));
}

/* Two clients, two concurrent batches: every event once, in seq order,
 * without gaps, the same for both. */
static void
test_live_order_two_clients (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", "--health-interval-ms", "100",
                                                  "--progress-interval-ms", "20", NULL);
  g_autoptr(BrtWs) a = brt_events_connect (daemon, NULL);
  g_autoptr(BrtWs) b = brt_events_connect (daemon, NULL);
  g_autoptr(GPtrArray) ids1 = brt_import_leads (daemon, 300, NULL);
  g_autoptr(GPtrArray) ids2 = brt_import_leads (daemon, 300, NULL);
  g_autoptr(GPtrArray) batch_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ea = NULL;
  g_autoptr(GPtrArray) eb = NULL;
  g_autoptr(GPtrArray) health = NULL;
  JsonObject *snapshot;
  gint64 first;

  g_ptr_array_add (batch_ids, brt_start_batch (daemon, ids1, NULL));
  g_ptr_array_add (batch_ids, brt_start_batch (daemon, ids2, NULL));
  wait_all (daemon, batch_ids, "completed");
  brt_ws_sync (a);
  brt_ws_sync (b);

  snapshot = g_ptr_array_index (brt_ws_get_log (a), 0);
  g_assert_cmpstr (msg_type (snapshot), ==, "snapshot");
  first = brt_int (snapshot, "seq") + 1;

  ea = batch_events (a);
  eb = batch_events (b);
  g_assert_cmpuint (ea->len, >=, 4);
  assert_contiguous (ea, first);
  assert_same_events (ea, eb);

  /* Per batch: created (pending) first, completed last with the final counts. */
  for (guint n = 0; n < batch_ids->len; n++)
    {
      JsonObject *created = NULL, *last = NULL;

      for (guint i = 0; i < ea->len; i++)
        {
          JsonObject *e = ea->pdata[i];

          if (!g_str_equal (brt_str (event_batch (e), "id"), batch_ids->pdata[n]))
            continue;
          if (created == NULL)
            created = e;
          last = e;
        }
      g_assert_nonnull (created);
      g_assert_cmpstr (msg_type (created), ==, "batch_created");
      g_assert_cmpstr (brt_str (event_batch (created), "status"), ==, "pending");
      g_assert_cmpstr (msg_type (last), ==, "batch_updated");
      g_assert_cmpstr (brt_str (event_batch (last), "status"), ==, "completed");
      g_assert_cmpint (brt_int (event_batch (last), "processed_leads"), ==, 300);
      g_assert_cmpint (brt_int (event_batch (last), "successful_leads"), ==, 300);
    }

  /* Health events go to subscribers, with the fields of GET /health. */
  health = messages_of_type (a, "health");
  g_assert_cmpuint (health->len, >=, 1);
  g_assert_cmpstr (brt_str (health->pdata[0], "status"), ==, "healthy");
  g_assert_nonnull (json_object_get_object_member (health->pdata[0], "workers"));
  brt_int (health->pdata[0], "queue_depth");
  brt_int (health->pdata[0], "websocket_clients");
}

static gboolean
message_is_batch_completed (JsonObject *msg,
                            gpointer    data)
{
  return g_str_equal (msg_type (msg), "batch_completed");
}

/* A script: leads named "Broken" exit 3, the others take a moment. */
static char *
write_script (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (dir, "lead.sh", NULL);
  const char *text = "in=$(cat)\n"
                     "case \"$in\" in\n"
                     /* Not at once: the batch must still be running when
                      * the test pauses it, even on a busy machine. */
                     "  *Broken*) sleep 0.3; echo 'broken lead' >&2; exit 3 ;;\n"
                     "esac\n"
                     "sleep 0.05\n"
                     "echo '{}'\n";

  g_file_set_contents (script, text, -1, &error);
  g_assert_no_error (error);
  return g_strdup_printf ("sh %s", script);
}

typedef struct
{
  BrtDaemon  *daemon;
  const char *batch_id;
} Idle;

static gboolean
nothing_processing (gpointer data)
{
  Idle *w = data;

  return brt_count_results (w->daemon, w->batch_id, "processing") == 0;
}

/* Starts a batch and pauses it at once; returns when nothing is in flight. */
static char *
start_paused (BrtDaemon  *daemon,
              GPtrArray  *ids,
              const char *extra)
{
  char *id = brt_start_batch (daemon, ids, extra);
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/pause", id);
  g_autoptr(JsonObject) paused = brt_request (daemon, "POST", path, NULL, 200);
  Idle w = { daemon, id };

  g_assert_true (brt_poll_until (nothing_processing, &w, WAIT_MS, 20));
  return id;
}

static void
resume (BrtDaemon  *daemon,
        const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/resume", id);
  g_autoptr(JsonObject) resumed = brt_request (daemon, "POST", path, NULL, 200);
}

static GPtrArray *
lead_updates (BrtWs *ws)
{
  return messages_of_type (ws, "lead_update");
}

static void
test_progress_two_clients (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *command = write_script (dir);
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command, NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 8, &enriched);
  BrtLeadSpec broken = { .name_prefix = "Broken", .enrichment_status = "completed" };
  g_autoptr(GPtrArray) broken_ids = brt_import_leads (daemon, 2, &broken);
  g_autofree char *id = start_paused (daemon, ids, "\"max_concurrent\": 2");
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/progress", id);
  g_autoptr(BrtWs) p1 = NULL;
  g_autoptr(BrtWs) p2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) hello = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) completed1 = NULL;
  g_autoptr(JsonObject) completed2 = NULL;
  g_autoptr(GPtrArray) u1 = NULL;
  g_autoptr(GPtrArray) u2 = NULL;
  g_autoptr(GPtrArray) updates = NULL;
  g_autoptr(GHashTable) done_leads = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *failed_id = NULL;
  g_autofree char *failed_path = NULL;
  g_autoptr(BrtWs) pf = NULL;
  g_autoptr(JsonObject) batch_error = NULL;
  g_autoptr(JsonObject) failed_completed = NULL;
  JsonObject *last_progress;
  gint64 pending_at_resume = brt_count_results (daemon, id, "pending");

  g_assert_cmpint (pending_at_resume, >, 0);
  p1 = brt_ws_connect (daemon, path, NULL, &error);
  g_assert_no_error (error);
  p2 = brt_ws_connect (daemon, path, NULL, &error);
  g_assert_no_error (error);

  /* A greeting, then the current state at once. */
  hello = brt_ws_wait_type (p1, "connection_established", 5000);
  g_assert_nonnull (hello);
  g_assert_cmpstr (brt_str (hello, "batch_id"), ==, id);
  g_assert_nonnull (brt_str (hello, "message"));
  first = brt_ws_wait_type (p1, "progress_update", 5000);
  g_assert_nonnull (first);
  g_assert_cmpstr (brt_str (first, "batch_id"), ==, id);
  g_assert_cmpint (brt_int (first, "total"), ==, 8);
  g_assert_cmpint (brt_int (first, "processed"), ==, 8 - pending_at_resume);
  g_clear_pointer (&hello, json_object_unref);
  hello = brt_ws_wait_type (p2, "connection_established", 5000);
  g_assert_nonnull (hello);
  g_assert_cmpstr (msg_type (g_ptr_array_index (brt_ws_get_log (p2), 0)), ==, "connection_established");

  resume (daemon, id);
  completed1 = brt_ws_wait_match (p1, message_is_batch_completed, NULL, WAIT_MS);
  completed2 = brt_ws_wait_match (p2, message_is_batch_completed, NULL, WAIT_MS);
  g_assert_nonnull (completed1);
  g_assert_nonnull (completed2);
  brt_ws_sync (p1);
  brt_ws_sync (p2);

  /* batch_completed: the final numbers. */
  g_assert_cmpstr (brt_str (completed1, "batch_id"), ==, id);
  g_assert_cmpstr (brt_str (completed1, "status"), ==, "completed");
  g_assert_cmpint (brt_int (completed1, "total_leads"), ==, 8);
  g_assert_cmpint (brt_int (completed1, "successful"), ==, 8);
  g_assert_cmpint (brt_int (completed1, "failed"), ==, 0);
  brt_num (completed1, "total_cost");
  g_assert_cmpfloat (brt_num (completed1, "duration_seconds"), >, 0);
  brt_parse_time (brt_str (completed1, "completed_at"));

  /* Each client saw every lead that was pending finish, once, in the same order. */
  u1 = lead_updates (p1);
  u2 = lead_updates (p2);
  g_assert_cmpuint (u1->len, ==, pending_at_resume);
  assert_same_events (u1, u2);
  for (guint i = 0; i < u1->len; i++)
    {
      JsonObject *u = u1->pdata[i];

      g_assert_cmpstr (brt_str (u, "batch_id"), ==, id);
      g_assert_cmpstr (brt_str (u, "status"), ==, "completed");
      g_assert_true (g_ptr_array_find_with_equal_func (ids, brt_str (u, "lead_id"), g_str_equal, NULL));
      g_assert_true (g_hash_table_add (done_leads, (gpointer) brt_str (u, "lead_id")));
    }

  /* The last progress_update before batch_completed shows the end state. */
  updates = messages_of_type (p1, "progress_update");
  last_progress = updates->pdata[updates->len - 1];
  g_assert_cmpint (brt_int (last_progress, "processed"), ==, 8);
  g_assert_cmpint (brt_int (last_progress, "successful"), ==, 8);
  g_assert_cmpfloat (brt_num (last_progress, "progress_percentage"), ==, 100);
  g_assert_true (json_object_has_member (last_progress, "last_result"));
  g_assert_true (json_object_has_member (last_progress, "processing_rate_per_second"));
  g_assert_true (json_object_has_member (last_progress, "estimated_remaining_seconds"));

  /* A failed batch: batch_error, then batch_completed. */
  failed_id = start_paused (daemon, broken_ids, "\"retry_failed\": false, \"max_concurrent\": 1");
  failed_path = g_strdup_printf ("/api/v1/batch/%s/progress", failed_id);
  pf = brt_ws_connect (daemon, failed_path, NULL, &error);
  g_assert_no_error (error);
  resume (daemon, failed_id);
  failed_completed = brt_ws_wait_match (pf, message_is_batch_completed, NULL, WAIT_MS);
  g_assert_nonnull (failed_completed);
  g_assert_cmpstr (brt_str (failed_completed, "status"), ==, "failed");
  g_assert_cmpint (brt_int (failed_completed, "failed"), ==, 2);
  {
    g_autoptr(GPtrArray) errors = messages_of_type (pf, "batch_error");

    g_assert_cmpuint (errors->len, ==, 1);
    batch_error = json_object_ref (errors->pdata[0]);
  }
  g_assert_cmpstr (brt_str (batch_error, "batch_id"), ==, failed_id);
  g_assert_nonnull (brt_str (batch_error, "error_message"));
  g_assert_nonnull (brt_str (batch_error, "error_code"));

  /* Unknown batch: the handshake is refused. */
  {
    g_autoptr(GError) unknown_error = NULL;
    BrtWs *unknown = brt_ws_connect (daemon, "/api/v1/batch/00000000-0000-4000-8000-000000000000/progress", NULL,
                                     &unknown_error);

    g_assert_null (unknown);
    g_assert_nonnull (unknown_error);
  }

  /* Stopping with clients connected has a test of its own. */
  g_clear_pointer (&p1, brt_ws_free);
  g_clear_pointer (&p2, brt_ws_free);
  g_clear_pointer (&pf, brt_ws_free);
  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
  brt_remove_tree (dir);
}

static gboolean
is_lead_updated (JsonObject *msg,
                 gpointer    data)
{
  return g_str_equal (msg_type (msg), "lead_updated");
}

/* watch/unwatch on /events: lead_updated for the watched batch only. */
static void
test_watch (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *command = write_script (dir);
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command, NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 5, &enriched);
  g_autoptr(GPtrArray) other_ids = brt_import_leads (daemon, 5, &enriched);
  g_autofree char *id = start_paused (daemon, ids, NULL);
  g_autofree char *other = start_paused (daemon, other_ids, NULL);
  g_autofree char *watch = g_strdup_printf ("{\"type\":\"watch\",\"batch_id\":\"%s\"}", id);
  g_autofree char *unwatch = g_strdup_printf ("{\"type\":\"unwatch\",\"batch_id\":\"%s\"}", id);
  g_autoptr(BrtWs) ws = brt_events_connect (daemon, NULL);
  g_autoptr(GPtrArray) updates = NULL;
  g_autoptr(GPtrArray) batch_ids = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 pending = brt_count_results (daemon, id, "pending");
  g_autofree char *more = NULL;
  g_autoptr(GPtrArray) more_ids = brt_import_leads (daemon, 3, &enriched);
  guint before;

  brt_ws_send (ws, watch);
  brt_ws_sync (ws);
  resume (daemon, id);
  resume (daemon, other);
  g_ptr_array_add (batch_ids, id);
  g_ptr_array_add (batch_ids, other);
  wait_all (daemon, batch_ids, "completed");
  brt_ws_sync (ws);

  updates = messages_of_type (ws, "lead_updated");
  g_assert_cmpuint (updates->len, ==, pending);
  for (guint i = 0; i < updates->len; i++)
    {
      JsonObject *u = updates->pdata[i];
      JsonObject *result = json_object_get_object_member (u, "result");

      g_assert_cmpstr (brt_str (u, "batch_id"), ==, id);
      g_assert_cmpstr (brt_str (result, "status"), ==, "completed");
      g_assert_true (g_ptr_array_find_with_equal_func (ids, brt_str (result, "lead_id"), g_str_equal, NULL));
      g_assert_true (g_hash_table_add (seen, (gpointer) brt_str (result, "lead_id")));
    }

  /* After unwatch, nothing more about it: retry-free way to get more lead
   * events is another batch; watch it, unwatch it before it runs. */
  more = start_paused (daemon, more_ids, NULL);
  g_free (watch);
  g_free (unwatch);
  watch = g_strdup_printf ("{\"type\":\"watch\",\"batch_id\":\"%s\"}", more);
  unwatch = g_strdup_printf ("{\"type\":\"unwatch\",\"batch_id\":\"%s\"}", more);
  brt_ws_send (ws, watch);
  brt_ws_send (ws, unwatch);
  brt_ws_sync (ws);
  before = brt_ws_get_log (ws)->len;
  resume (daemon, more);
  g_ptr_array_set_size (batch_ids, 0);
  g_ptr_array_add (batch_ids, more);
  wait_all (daemon, batch_ids, "completed");
  brt_ws_sync (ws);
  for (guint i = before; i < brt_ws_get_log (ws)->len; i++)
    g_assert_false (is_lead_updated (g_ptr_array_index (brt_ws_get_log (ws), i), NULL));

  g_clear_pointer (&ws, brt_ws_free);
  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
  brt_remove_tree (dir);
}

/* Every seq message of @ws after @after, in order (transfer container). */
static GPtrArray *
events_after (BrtWs  *ws,
              gint64  after)
{
  g_autoptr(GPtrArray) all = batch_events (ws);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < all->len; i++)
    if (brt_int (all->pdata[i], "seq") > after)
      g_ptr_array_add (out, all->pdata[i]);
  return out;
}

static gint64
last_seq (BrtWs *ws)
{
  g_autoptr(GPtrArray) all = batch_events (ws);

  g_assert_cmpuint (all->len, >, 0);
  return brt_int (all->pdata[all->len - 1], "seq");
}

static void
run_batch (BrtDaemon *daemon,
           guint      n)
{
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, n, NULL);
  g_autofree char *id = brt_start_batch (daemon, ids, NULL);
  g_autoptr(JsonObject) done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
}

static void
test_replay_since (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", "--progress-interval-ms", "10", NULL);
  g_autoptr(BrtWs) a = brt_events_connect (daemon, NULL);
  g_autoptr(BrtWs) c = NULL;
  g_autoptr(BrtWs) now_ws = NULL;
  g_autoptr(BrtWs) future = NULL;
  g_autoptr(BrtWs) bad_since = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GPtrArray) replayed = NULL;
  g_autoptr(GPtrArray) live = NULL;
  g_autofree char *since = NULL;
  g_autofree char *current = NULL;
  g_autofree char *ahead = NULL;
  gint64 k, end;

  run_batch (daemon, 40);
  brt_ws_sync (a);
  k = last_seq (a);

  /* Missed while away: a second batch. */
  run_batch (daemon, 40);
  brt_ws_sync (a);
  end = last_seq (a);
  g_assert_cmpint (end, >, k + 1);

  since = g_strdup_printf ("%" G_GINT64_FORMAT, k);
  c = brt_events_connect (daemon, since);
  brt_ws_sync (c);
  {
    g_autoptr(GPtrArray) snapshots = messages_of_type (c, "snapshot");
    g_assert_cmpuint (snapshots->len, ==, 0);
  }
  expected = events_after (a, k);
  replayed = batch_events (c);
  assert_same_events (expected, replayed);

  /* Then live, continuing the same sequence. */
  run_batch (daemon, 5);
  brt_ws_sync (a);
  brt_ws_sync (c);
  g_ptr_array_unref (replayed);
  replayed = batch_events (c);
  live = events_after (a, k);
  assert_same_events (live, replayed);
  assert_contiguous (replayed, k + 1);

  /* since = the current seq: nothing to replay. */
  current = g_strdup_printf ("%" G_GINT64_FORMAT, last_seq (a));
  now_ws = brt_events_connect (daemon, current);
  brt_ws_sync (now_ws);
  {
    g_autoptr(GPtrArray) nothing = batch_events (now_ws);
    g_autoptr(GPtrArray) snapshots = messages_of_type (now_ws, "snapshot");

    g_assert_cmpuint (nothing->len, ==, 0);
    g_assert_cmpuint (snapshots->len, ==, 0);
  }

  /* A seq from the future, or not a number: a snapshot. */
  ahead = g_strdup_printf ("%" G_GINT64_FORMAT, last_seq (a) + 1000);
  future = brt_events_connect (daemon, ahead);
  g_assert_nonnull (brt_ws_wait_type (future, "snapshot", 5000));
  bad_since = brt_events_connect (daemon, "\"yesterday\"");
  g_assert_nonnull (brt_ws_wait_type (bad_since, "snapshot", 5000));
}

/* With a replay ring of 16 events, an older seq gets a snapshot and a
 * recent one exactly what followed it. */
static void
test_replay_ring_overflow (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *conf = g_build_filename (dir, "batch-runnerd.conf", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrtDaemon) daemon = NULL;
  g_autoptr(BrtWs) a = NULL;
  g_autoptr(BrtWs) old = NULL;
  g_autoptr(BrtWs) recent = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GPtrArray) got = NULL;
  g_autofree char *since = NULL;
  gint64 end;

  g_file_set_contents (conf, "[service]\nreplay-capacity=16\n", -1, &error);
  g_assert_no_error (error);
  daemon = brt_daemon_start ("--config", conf, "--processor", "noop", "--progress-interval-ms", "0", NULL);
  a = brt_events_connect (daemon, NULL);
  for (guint i = 0; i < 8; i++)
    run_batch (daemon, 4);
  brt_ws_sync (a);
  end = last_seq (a);
  g_assert_cmpint (end, >, 21);

  old = brt_events_connect (daemon, "1");
  g_assert_nonnull (brt_ws_wait_type (old, "snapshot", 5000));

  since = g_strdup_printf ("%" G_GINT64_FORMAT, end - 5);
  recent = brt_events_connect (daemon, since);
  brt_ws_sync (recent);
  expected = events_after (a, end - 5);
  got = batch_events (recent);
  g_assert_cmpuint (got->len, ==, 5);
  assert_same_events (expected, got);
  brt_remove_tree (dir);
}

/* The statuses a batch went through, as the feed told them, without repeats. */
static char *
status_path (GPtrArray  *events,
             const char *batch_id)
{
  GString *path = g_string_new (NULL);
  const char *previous = NULL;

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *b = event_batch (events->pdata[i]);
      const char *status = brt_str (b, "status");

      if (!g_str_equal (brt_str (b, "id"), batch_id) || g_strcmp0 (previous, status) == 0)
        continue;
      g_string_append_printf (path, "%s%s", path->len ? "," : "", status);
      previous = status;
    }
  return g_string_free (path, FALSE);
}

typedef struct
{
  BrtDaemon  *daemon;
  const char *batch_id;
} Progressing;

static gboolean
some_processed (gpointer data)
{
  Progressing *w = data;
  g_autoptr(JsonObject) b = brt_get_batch (w->daemon, w->batch_id);

  return brt_int (b, "processed_leads") >= 50;
}

static void
test_coalescing (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", "--progress-interval-ms", "200",
                                                  "--workers", "2", NULL);
  g_autoptr(BrtWs) ws = brt_events_connect (daemon, NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 1000, NULL);
  g_autofree char *id = brt_start_batch (daemon, ids, "\"max_concurrent\": 2");
  g_autofree char *pause_path = g_strdup_printf ("/api/v1/batch/%s/pause", id);
  g_autofree char *resume_path = g_strdup_printf ("/api/v1/batch/%s/resume", id);
  g_autoptr(JsonObject) paused = NULL;
  g_autoptr(JsonObject) resumed = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *statuses = NULL;
  Progressing w = { daemon, id };
  JsonObject *previous = NULL, *last = NULL;
  guint n_progress = 0;
  gint64 min_gap = G_MAXINT64;

  /* Mid-run, a pause and a resume well within one interval: neither
   * status change may be folded away. */
  g_assert_true (brt_poll_until (some_processed, &w, WAIT_MS, 10));
  paused = brt_request (daemon, "POST", pause_path, NULL, 200);
  resumed = brt_request (daemon, "POST", resume_path, NULL, 200);
  done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
  brt_ws_sync (ws);

  events = batch_events (ws);
  statuses = status_path (events, id);
  g_assert_cmpstr (statuses, ==, "pending,running,paused,running,completed");

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *e = events->pdata[i];
      JsonObject *b = event_batch (e);

      if (!g_str_equal (brt_str (b, "id"), id))
        continue;
      if (previous != NULL &&
          g_str_equal (brt_str (event_batch (previous), "status"), brt_str (b, "status")))
        {
          gint64 gap = brt_parse_time (brt_str (e, "timestamp")) - brt_parse_time (brt_str (previous, "timestamp"));

          /* At most one per interval; timestamps have millisecond precision. */
          if (gap < 190 * 1000)
            g_error ("Two batch_updated of one status %" G_GINT64_FORMAT " ms apart (seq %" G_GINT64_FORMAT
                     " and %" G_GINT64_FORMAT ")", gap / 1000, brt_int (previous, "seq"), brt_int (e, "seq"));
          min_gap = MIN (min_gap, gap);
          n_progress++;
        }
      previous = e;
      last = e;
    }

  /* The run took long enough to be coalesced at all. */
  g_test_message ("%u coalesced progress events, smallest gap %" G_GINT64_FORMAT " ms", n_progress,
                  min_gap / 1000);
  g_assert_cmpuint (n_progress, >=, 1);
  g_assert_nonnull (last);
  g_assert_cmpstr (brt_str (event_batch (last), "status"), ==, "completed");
  g_assert_cmpint (brt_int (event_batch (last), "processed_leads"), ==, 1000);
  g_assert_cmpint (brt_int (event_batch (last), "successful_leads"), ==, 1000);
  g_assert_cmpfloat (brt_num (event_batch (last), "progress_percentage"), ==, 100);
}

/* 1000 bad frames of many kinds: each answered with BAD_MESSAGE, and the
 * connection stays open and useful. */
static void
send_garbage (BrtWs *ws,
              guint  n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) huge_number = g_string_new ("1");
  g_autoptr(GString) big = g_string_new ("{\"type\":\"ping\",\"pad\":\"");
  const char * const texts[] = {
    "{\"type\":\"subscribe\",\"since\":",
    "{\"type\": 1e999}",
    "{\"type\":\"watch\",\"batch_id\":12345}",
    "{\"type\":[\"ping\"]}",
    "{\"type\":\"no-such-type\"}",
    "[]",
    "null",
    "",
    "{\"no_type\": true}",
    "{\"type\":\"unwatch\"}",
    "{\"type\":{\"nested\":\"ping\"}}",
    "\"ping\"",
    "{\"type\":\"ping\"",
    "{\"type\":\"ping\",}",
  };

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 400; i++)
    g_string_append_c (huge_number, '9');
  for (guint i = 0; i < 70 * 1024; i++)
    g_string_append_c (big, 'x');
  g_string_append (big, "\"}");

  for (guint i = 0; i < n; i++)
    {
      guint kind = i % (G_N_ELEMENTS (texts) + 4);

      if (kind < G_N_ELEMENTS (texts))
        brt_ws_send (ws, texts[kind]);
      else if (kind == G_N_ELEMENTS (texts))
        brt_ws_send (ws, deep->str);
      else if (kind == G_N_ELEMENTS (texts) + 1)
        brt_ws_send (ws, huge_number->str);
      else if (kind == G_N_ELEMENTS (texts) + 2)
        {
          guint8 bytes[64];

          for (guint j = 0; j < sizeof bytes; j++)
            bytes[j] = g_rand_int_range (rand, 0, 256);
          /* Binary frames, even of valid JSON, are not messages. */
          if (i % 2)
            brt_ws_send_bytes (ws, TRUE, bytes, sizeof bytes);
          else
            brt_ws_send_bytes (ws, TRUE, "{\"type\":\"ping\"}", strlen ("{\"type\":\"ping\"}"));
        }
      else if (i % 7 == 0)
        brt_ws_send (ws, big->str);
      else
        brt_ws_send (ws, "{\"type\":\"watch\",\"batch_id\":null}");
    }
}

typedef struct
{
  BrtWs *ws;
  guint  n;
} CountErrors;

static gboolean
enough_errors (gpointer data)
{
  CountErrors *c = data;
  g_autoptr(GPtrArray) errors = messages_of_type (c->ws, "error");

  return errors->len >= c->n || !brt_ws_is_open (c->ws);
}

static void
assert_garbage_tolerated (BrtWs *ws,
                          guint  n)
{
  CountErrors c = { ws, n };
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(JsonObject) pong = NULL;

  send_garbage (ws, n);
  if (!brt_wait_until (enough_errors, &c, WAIT_MS))
    {
      g_autoptr(GPtrArray) so_far = messages_of_type (ws, "error");
      g_error ("%u of %u bad frames answered; the connection is %s", so_far->len, n,
               brt_ws_is_open (ws) ? "open" : "closed");
    }
  g_assert_true (brt_ws_is_open (ws));
  brt_ws_sync (ws);
  errors = messages_of_type (ws, "error");
  g_assert_cmpuint (errors->len, ==, n);
  for (guint i = 0; i < errors->len; i++)
    {
      g_assert_cmpstr (brt_str (errors->pdata[i], "error"), ==, "BAD_MESSAGE");
      g_assert_nonnull (brt_str (errors->pdata[i], "detail"));
    }

  /* Still open, still answering. */
  brt_ws_send (ws, "{\"type\":\"ping\"}");
  pong = brt_ws_wait_type (ws, "pong", 5000);
  g_assert_nonnull (pong);
  g_assert_true (brt_ws_is_open (ws));
}

static void
test_garbage_frames (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 3, NULL);
  g_autofree char *id = brt_start_batch (daemon, ids, NULL);
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/progress", id);
  g_autoptr(JsonObject) done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
  g_autoptr(BrtWs) feed = NULL;
  g_autoptr(BrtWs) progress = NULL;
  g_autoptr(BrtWs) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) health = NULL;

  feed = brt_ws_connect (daemon, "/api/v1/events", NULL, &error);
  g_assert_no_error (error);
  assert_garbage_tolerated (feed, 1000);

  /* The feed still works as a feed after all that. */
  brt_ws_send (feed, "{\"type\":\"subscribe\",\"since\":null}");
  g_assert_nonnull (brt_ws_wait_type (feed, "snapshot", 5000));

  progress = brt_ws_connect (daemon, path, NULL, &error);
  g_assert_no_error (error);
  assert_garbage_tolerated (progress, 200);

  /* The daemon is fine, and counts its clients right. */
  after = brt_events_connect (daemon, NULL);
  health = brt_request (daemon, "GET", "/api/v1/health", NULL, 200);
  g_assert_cmpstr (brt_str (health, "status"), ==, "healthy");
  g_assert_cmpint (brt_int (health, "websocket_clients"), ==, 3);
}

/* Text that JSON parsers are sometimes lenient with is still not JSON:
 * it gets BAD_MESSAGE like any garbage, not a pong. */
typedef struct
{
  BrtWs *ws;
  guint  len;
} LogGrew;

static gboolean
log_grew (gpointer data)
{
  LogGrew *w = data;

  return brt_ws_get_log (w->ws)->len > w->len;
}

static void
test_not_quite_json (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrtWs) ws = brt_ws_connect (daemon, "/api/v1/events", NULL, &error);
  const char * const texts[] = {
    "{'type':'ping'}",
    "{\"type\":\"ping\"} {\"type\":\"ping\"}",
    "{type: \"ping\"}",
  };
  guint accepted = 0;

  g_assert_no_error (error);
  /* Each text gets exactly one answer: wait for it, then look at it. */
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      LogGrew w = { ws, brt_ws_get_log (ws)->len };
      JsonObject *answer;

      brt_ws_send (ws, texts[i]);
      g_assert_true (brt_wait_until (log_grew, &w, 5000));
      answer = g_ptr_array_index (brt_ws_get_log (ws), w.len);
      if (!g_str_equal (msg_type (answer), "error"))
        {
          g_test_message ("%s was answered with %s", texts[i], msg_type (answer));
          accepted++;
        }
    }
  if (accepted > 0)
    g_test_fail_printf ("%u texts that are not JSON were taken as messages", accepted);
}

static gboolean
is_closed (gpointer data)
{
  return !brt_ws_is_open (data);
}

/* SIGTERM with WebSocket clients connected: they are told goodbye and
 * the daemon still exits 0. */
static void
test_stop_with_clients_connected (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 3, NULL);
  g_autofree char *id = brt_start_batch (daemon, ids, NULL);
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/progress", id);
  g_autoptr(JsonObject) done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
  g_autoptr(BrtWs) feed = brt_events_connect (daemon, NULL);
  g_autoptr(BrtWs) idle = NULL;
  g_autoptr(BrtWs) progress = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  idle = brt_ws_connect (daemon, "/api/v1/events", NULL, &error);
  g_assert_no_error (error);
  progress = brt_ws_connect (daemon, path, NULL, &error);
  g_assert_no_error (error);
  brt_ws_sync (progress);
  brt_ws_sync (idle);

  status = brt_daemon_stop (daemon);
  if (status != 0)
    g_test_fail_printf ("SIGTERM with 3 WebSocket clients connected: exit status %d, not 0", status);
  g_assert_true (brt_wait_until (is_closed, feed, 5000));
  g_assert_true (brt_wait_until (is_closed, idle, 5000));
  g_assert_true (brt_wait_until (is_closed, progress, 5000));
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/integration/events/snapshot", test_snapshot);
  g_test_add_func ("/integration/events/snapshot-limit", test_snapshot_limit);
  g_test_add_func ("/integration/events/live-order-two-clients", test_live_order_two_clients);
  g_test_add_func ("/integration/events/progress-two-clients", test_progress_two_clients);
  g_test_add_func ("/integration/events/watch", test_watch);
  g_test_add_func ("/integration/events/replay-since", test_replay_since);
  g_test_add_func ("/integration/events/replay-ring-overflow", test_replay_ring_overflow);
  g_test_add_func ("/integration/events/coalescing", test_coalescing);
  g_test_add_func ("/integration/events/garbage-frames", test_garbage_frames);
  g_test_add_func ("/integration/events/not-quite-json", test_not_quite_json);
  g_test_add_func ("/integration/events/stop-with-clients-connected", test_stop_with_clients_connected);

  return g_test_run ();
}
