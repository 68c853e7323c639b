/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-events"

#include "config.h"

#include <string.h>

#include "brd-events.h"
#include "brd-http.h"
#include "brd-json.h"

#define SNAPSHOT_TERMINAL   200
#define IDLE_PING_USEC      (15 * G_USEC_PER_SEC)
#define MAX_CLIENT_MESSAGE  (64 * 1024)

typedef struct
{
  gint64  seq;
  GBytes *text;
} Event;

typedef enum
{
  CLIENT_FEED,
  CLIENT_PROGRESS,
} ClientKind;

typedef struct
{
  BrdEvents               *events;
  SoupWebsocketConnection *conn;
  ClientKind               kind;
  gboolean                 subscribed;   /* feed: after `subscribe` */
  GHashTable              *watched;      /* feed: batch ids */
  char                    *batch_id;     /* progress: the batch */
  gint64                   last_sent;
} Client;

typedef struct
{
  gint64   last_sent;
  gboolean dirty;
} BatchState;

struct _BrdEvents
{
  BrdStore      *store;
  guint          progress_interval_ms;
  guint          replay_capacity;
  gint64         seq;
  GQueue         ring;           /* Event, oldest first */
  GPtrArray     *clients;        /* Client */
  GHashTable    *batches;        /* id → BatchState */
  GHashTable    *batch_seq;      /* id → gint64 seq of its last event */
  guint          flush_source;
  guint          health_source;
  BrdHealthFunc  health_func;
  gpointer       health_data;
  guint64        n_bad_messages;
};

static void
event_free (Event *event)
{
  g_bytes_unref (event->text);
  g_free (event);
}

static void
client_free (Client *client)
{
  g_signal_handlers_disconnect_by_data (client->conn, client);
  g_object_unref (client->conn);
  g_clear_pointer (&client->watched, g_hash_table_unref);
  g_free (client->batch_id);
  g_free (client);
}

static char *
now_text (void)
{
  return brd_http_now_iso8601 ();
}

static void
send_text (Client *client,
           GBytes *text)
{
  if (soup_websocket_connection_get_state (client->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  soup_websocket_connection_send_message (client->conn, SOUP_WEBSOCKET_DATA_TEXT, text);
  client->last_sent = g_get_monotonic_time ();
}

static void
send_node (Client   *client,
           JsonNode *node)
{
  g_autofree char *text = brd_json_to_string (node);
  g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), strlen (text ? text : ""));

  send_text (client, bytes);
}

static JsonBuilder *
begin_message (const char *type)
{
  JsonBuilder *b = json_builder_new ();
  g_autofree char *ts = now_text ();

  json_builder_begin_object (b);
  brd_json_add_string (b, "type", type);
  brd_json_add_string (b, "timestamp", ts);
  return b;
}

static JsonNode *
end_message (JsonBuilder *b)
{
  JsonNode *node;

  json_builder_end_object (b);
  node = json_builder_get_root (b);
  g_object_unref (b);
  return node;
}

static void
send_simple (Client     *client,
             const char *type)
{
  g_autoptr(JsonNode) node = end_message (begin_message (type));

  send_node (client, node);
}

static void
send_error (Client     *client,
            const char *detail)
{
  JsonBuilder *b = begin_message ("error");
  g_autoptr(JsonNode) node = NULL;

  brd_json_add_string (b, "error", "BAD_MESSAGE");
  brd_json_add_string (b, "detail", detail);
  node = end_message (b);
  send_node (client, node);
}

gint64
brd_events_get_seq (BrdEvents *self)
{
  return self->seq;
}

gint64
brd_events_get_batch_seq (BrdEvents  *self,
                          const char *batch_id)
{
  gpointer value = g_hash_table_lookup (self->batch_seq, batch_id);

  return value ? *(gint64 *) value : 0;
}

guint
brd_events_get_n_clients (BrdEvents *self)
{
  return self->clients->len;
}

guint64
brd_events_get_n_bad_messages (BrdEvents *self)
{
  return self->n_bad_messages;
}

/* Allocates the next seq. It is saved before anything carrying it is
 * sent, so after a restart the counter continues above every seq a
 * client can have seen: strictly increasing, across restarts too. */
static gint64
next_seq (BrdEvents *self)
{
  g_autoptr(GError) error = NULL;

  self->seq++;
  if (!brd_store_set_meta_int (self->store, "event_seq", self->seq, &error))
    g_warning ("Saving the event sequence: %s", error->message);
  return self->seq;
}

static void
remember (BrdEvents *self,
          gint64     seq,
          GBytes    *text)
{
  Event *event = g_new0 (Event, 1);

  event->seq = seq;
  event->text = g_bytes_ref (text);
  g_queue_push_tail (&self->ring, event);
  while (self->ring.length > self->replay_capacity)
    event_free (g_queue_pop_head (&self->ring));
}

static void
broadcast_feed (BrdEvents *self,
                GBytes    *text)
{
  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (client->kind == CLIENT_FEED && client->subscribed)
        send_text (client, text);
    }
}

static gboolean
has_progress_clients (BrdEvents  *self,
                      const char *batch_id)
{
  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (client->kind == CLIENT_PROGRESS && g_str_equal (client->batch_id, batch_id))
        return TRUE;
    }
  return FALSE;
}

static JsonNode *
progress_update (BrdEvents      *self,
                 const BrdBatch *batch)
{
  JsonBuilder *b = begin_message ("progress_update");
  g_autoptr(GPtrArray) recent = brd_store_recent_results (self->store, batch->id, 1);
  gint64 now = g_get_real_time ();
  double rate = brd_batch_rate (batch, now);
  int remaining = batch->pending_leads + batch->processing_leads;

  brd_json_add_string (b, "batch_id", batch->id);
  brd_json_add_string (b, "status", batch->status);
  brd_json_add_int (b, "processed", batch->processed_leads);
  brd_json_add_int (b, "total", batch->total_leads);
  brd_json_add_int (b, "successful", batch->successful_leads);
  brd_json_add_int (b, "failed", batch->failed_leads);
  brd_json_add_int (b, "skipped", batch->skipped_leads);
  brd_json_add_double (b, "progress_percentage", brd_batch_progress (batch));
  brd_json_add_string (b, "current_lead", batch->processing_leads > 0 ? batch->current_lead_id : NULL);
  brd_json_add_double (b, "processing_rate_per_second", rate);
  json_builder_set_member_name (b, "estimated_remaining_seconds");
  if (rate > 0)
    json_builder_add_int_value (b, (gint64) (remaining / rate + 0.5));
  else
    json_builder_add_null_value (b);
  brd_json_add_money (b, "actual_cost_usd", batch->actual_cost_usd);
  json_builder_set_member_name (b, "last_result");
  if (recent->len > 0)
    {
      const BrdLeadResult *r = g_ptr_array_index (recent, 0);

      json_builder_begin_object (b);
      brd_json_add_string (b, "lead_id", r->lead_id);
      brd_json_add_bool (b, "success", g_strcmp0 (r->status, "completed") == 0);
      brd_json_add_string (b, "error", r->error_message);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);

  return end_message (b);
}

static JsonNode *
batch_completed (const BrdBatch *batch)
{
  JsonBuilder *b = begin_message ("batch_completed");
  gint64 end = batch->completed_at > 0 ? batch->completed_at : g_get_real_time ();

  brd_json_add_string (b, "batch_id", batch->id);
  brd_json_add_string (b, "status", batch->status);
  brd_json_add_int (b, "total_leads", batch->total_leads);
  brd_json_add_int (b, "successful", batch->successful_leads);
  brd_json_add_int (b, "failed", batch->failed_leads);
  brd_json_add_int (b, "skipped", batch->skipped_leads);
  brd_json_add_money (b, "total_cost", batch->actual_cost_usd);
  brd_json_add_double (b, "duration_seconds",
                       batch->started_at > 0 ? (end - batch->started_at) / 1e6 : 0);
  brd_json_add_time (b, "completed_at", batch->completed_at);
  return end_message (b);
}

static JsonNode *
batch_error (const BrdBatch *batch)
{
  JsonBuilder *b = begin_message ("batch_error");

  brd_json_add_string (b, "batch_id", batch->id);
  brd_json_add_string (b, "error_message", batch->error_message ? batch->error_message : "The batch failed");
  brd_json_add_string (b, "error_code", "BATCH_FAILED");
  return end_message (b);
}

static void
send_progress_messages (BrdEvents      *self,
                        const BrdBatch *batch)
{
  g_autoptr(JsonNode) update = NULL;
  g_autoptr(JsonNode) completed = NULL;
  g_autoptr(JsonNode) failed = NULL;

  if (!has_progress_clients (self, batch->id))
    return;

  update = progress_update (self, batch);
  if (g_str_equal (batch->status, "failed"))
    failed = batch_error (batch);
  if (g_str_equal (batch->status, "completed") || g_str_equal (batch->status, "failed") ||
      g_str_equal (batch->status, "cancelled"))
    completed = batch_completed (batch);

  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (client->kind != CLIENT_PROGRESS || !g_str_equal (client->batch_id, batch->id))
        continue;
      send_node (client, update);
      if (failed)
        send_node (client, failed);
      if (completed)
        send_node (client, completed);
    }
}

static void
emit_batch (BrdEvents  *self,
            const char *type,
            const char *batch_id)
{
  g_autoptr(BrdBatch) batch = brd_store_get_batch (self->store, batch_id);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gint64 *stored_seq;
  JsonBuilder *b;
  gint64 seq;

  if (batch == NULL)
    return;

  seq = next_seq (self);
  stored_seq = g_new (gint64, 1);
  *stored_seq = seq;
  g_hash_table_insert (self->batch_seq, g_strdup (batch_id), stored_seq);
  {
    g_autoptr(GError) error = NULL;

    /* The batch keeps the seq of its last event across restarts. */
    if (!brd_store_set_batch_seq (self->store, batch_id, seq, &error))
      g_warning ("%s", error->message);
  }

  b = begin_message (type);
  brd_json_add_int (b, "seq", seq);
  json_builder_set_member_name (b, "batch");
  json_builder_add_value (b, brd_batch_to_json (batch, seq, g_get_real_time ()));
  node = end_message (b);
  text = brd_json_to_string (node);
  bytes = g_bytes_new_take (g_steal_pointer (&text), strlen (text));

  remember (self, seq, bytes);
  broadcast_feed (self, bytes);
  send_progress_messages (self, batch);
}

static BatchState *
batch_state (BrdEvents  *self,
             const char *batch_id)
{
  BatchState *state = g_hash_table_lookup (self->batches, batch_id);

  if (state == NULL)
    {
      state = g_new0 (BatchState, 1);
      g_hash_table_insert (self->batches, g_strdup (batch_id), state);
    }
  return state;
}

void
brd_events_batch_created (BrdEvents  *self,
                          const char *batch_id)
{
  BatchState *state = batch_state (self, batch_id);

  state->dirty = FALSE;
  state->last_sent = g_get_monotonic_time ();
  emit_batch (self, "batch_created", batch_id);
}

static gboolean
flush_cb (gpointer data)
{
  BrdEvents *self = data;

  self->flush_source = 0;
  brd_events_flush (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (BrdEvents *self,
                gint64     due)
{
  gint64 delay_ms = MAX (0, (due - g_get_monotonic_time ()) / 1000);

  if (self->flush_source != 0)
    return;
  self->flush_source = g_timeout_add (delay_ms, flush_cb, self);
}

/* Coalescing: a batch's progress goes out at most once per interval;
 * changes in between are folded into the next message, which always
 * carries the whole, current batch. A status change goes out at once. */
void
brd_events_batch_changed (BrdEvents  *self,
                          const char *batch_id,
                          gboolean    status_changed)
{
  BatchState *state = batch_state (self, batch_id);
  gint64 now = g_get_monotonic_time ();
  gint64 interval = (gint64) self->progress_interval_ms * 1000;

  if (status_changed || now - state->last_sent >= interval)
    {
      state->dirty = FALSE;
      state->last_sent = now;
      emit_batch (self, "batch_updated", batch_id);
      return;
    }

  state->dirty = TRUE;
  schedule_flush (self, state->last_sent + interval);
}

void
brd_events_flush (BrdEvents *self)
{
  GHashTableIter iter;
  gpointer key, value;
  gint64 now = g_get_monotonic_time ();
  gint64 interval = (gint64) self->progress_interval_ms * 1000;
  gint64 next_due = G_MAXINT64;
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  g_hash_table_iter_init (&iter, self->batches);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      BatchState *state = value;

      if (!state->dirty)
        continue;
      if (now - state->last_sent >= interval)
        g_ptr_array_add (due, g_strdup (key));
      else
        next_due = MIN (next_due, state->last_sent + interval);
    }

  /* Many batches flushed together share one transaction for their seqs. */
  if (due->len > 1 && !brd_store_begin (self->store, &error))
    g_warning ("%s", error->message);

  for (guint i = 0; i < due->len; i++)
    {
      BatchState *state = g_hash_table_lookup (self->batches, due->pdata[i]);

      state->dirty = FALSE;
      state->last_sent = now;
      emit_batch (self, "batch_updated", due->pdata[i]);
    }

  if (due->len > 1 && error == NULL && !brd_store_commit (self->store, &error))
    g_warning ("%s", error->message);

  if (next_due != G_MAXINT64)
    schedule_flush (self, next_due);
}

void
brd_events_lead_updated (BrdEvents  *self,
                         const char *batch_id,
                         const char *lead_id)
{
  g_autoptr(BrdLeadResult) result = NULL;
  g_autoptr(JsonNode) feed_msg = NULL;
  g_autoptr(JsonNode) progress_msg = NULL;

  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);
      gboolean wants;

      wants = (client->kind == CLIENT_FEED && client->subscribed && client->watched != NULL &&
               g_hash_table_contains (client->watched, batch_id)) ||
              (client->kind == CLIENT_PROGRESS && g_str_equal (client->batch_id, batch_id));
      if (!wants)
        continue;

      if (result == NULL)
        {
          JsonBuilder *b;

          result = brd_store_get_result (self->store, batch_id, lead_id);
          if (result == NULL)
            return;

          b = begin_message ("lead_updated");
          brd_json_add_string (b, "batch_id", batch_id);
          json_builder_set_member_name (b, "result");
          json_builder_add_value (b, brd_lead_result_to_json (result));
          feed_msg = end_message (b);

          /* The per-batch socket's form: the result's fields at top level. */
          progress_msg = brd_lead_result_to_json (result);
          json_object_set_string_member (json_node_get_object (progress_msg), "type", "lead_update");
          json_object_set_string_member (json_node_get_object (progress_msg), "batch_id", batch_id);
          {
            g_autofree char *ts = now_text ();
            json_object_set_string_member (json_node_get_object (progress_msg), "timestamp", ts);
          }
        }

      send_node (client, client->kind == CLIENT_FEED ? feed_msg : progress_msg);
    }
}

/* Clients ------------------------------------------------------------------ */

static void
send_snapshot (BrdEvents *self,
               Client    *client)
{
  g_autoptr(GPtrArray) batches = brd_store_snapshot_batches (self->store, SNAPSHOT_TERMINAL);
  g_autoptr(JsonNode) node = NULL;
  gint64 now = g_get_real_time ();
  JsonBuilder *b = begin_message ("snapshot");

  brd_json_add_int (b, "seq", self->seq);
  json_builder_set_member_name (b, "batches");
  json_builder_begin_array (b);
  for (guint i = 0; i < batches->len; i++)
    {
      const BrdBatch *batch = g_ptr_array_index (batches, i);
      gint64 seq = brd_events_get_batch_seq (self, batch->id);

      json_builder_add_value (b, brd_batch_to_json (batch, seq ? seq : batch->seq, now));
    }
  json_builder_end_array (b);
  node = end_message (b);
  send_node (client, node);
}

static void
subscribe (BrdEvents *self,
           Client    *client,
           JsonNode  *since)
{
  Event *oldest = g_queue_peek_head (&self->ring);
  gint64 from;

  client->subscribed = TRUE;

  if (since == NULL || JSON_NODE_TYPE (since) != JSON_NODE_VALUE ||
      json_node_get_value_type (since) != G_TYPE_INT64)
    {
      send_snapshot (self, client);
      return;
    }

  from = json_node_get_int (since);

  /* A seq from the future (another database, a reset) or older than the
   * ring cannot be replayed exactly: start over with a snapshot. */
  if (from > self->seq || from < 0 ||
      (from < self->seq && (oldest == NULL || from < oldest->seq - 1)))
    {
      send_snapshot (self, client);
      return;
    }

  for (GList *l = self->ring.head; l; l = l->next)
    {
      Event *event = l->data;

      if (event->seq > from)
        send_text (client, event->text);
    }
}

static void
on_message (SoupWebsocketConnection *conn,
            gint                     type,
            GBytes                  *message,
            gpointer                 user_data)
{
  Client *client = user_data;
  BrdEvents *self = client->events;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize len;
  JsonObject *obj;
  const char *msg_type;

  data = g_bytes_get_data (message, &len);

  if (type != SOUP_WEBSOCKET_DATA_TEXT || len > MAX_CLIENT_MESSAGE)
    {
      self->n_bad_messages++;
      send_error (client, "Messages must be JSON text frames of at most 64 KiB");
      return;
    }

  root = brd_json_parse (data, len, &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      self->n_bad_messages++;
      send_error (client, error ? error->message : "A message must be a JSON object");
      return;
    }

  obj = json_node_get_object (root);
  msg_type = NULL;
  if (json_object_has_member (obj, "type") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "type")) &&
      json_node_get_value_type (json_object_get_member (obj, "type")) == G_TYPE_STRING)
    msg_type = json_object_get_string_member (obj, "type");

  if (g_strcmp0 (msg_type, "ping") == 0)
    send_simple (client, "pong");
  else if (g_strcmp0 (msg_type, "pong") == 0)
    ;
  else if (client->kind == CLIENT_FEED && g_strcmp0 (msg_type, "subscribe") == 0)
    subscribe (self, client, json_object_get_member (obj, "since"));
  else if (client->kind == CLIENT_FEED &&
           (g_strcmp0 (msg_type, "watch") == 0 || g_strcmp0 (msg_type, "unwatch") == 0))
    {
      JsonNode *id = json_object_get_member (obj, "batch_id");

      if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
        {
          self->n_bad_messages++;
          send_error (client, "watch and unwatch need a string batch_id");
          return;
        }
      if (client->watched == NULL)
        client->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (msg_type[0] == 'w')
        g_hash_table_add (client->watched, g_strdup (json_node_get_string (id)));
      else
        g_hash_table_remove (client->watched, json_node_get_string (id));
    }
  else
    {
      self->n_bad_messages++;
      send_error (client, msg_type ? "Unknown message type" : "A message needs a string \"type\"");
    }
}

static void
on_closed (SoupWebsocketConnection *conn,
           gpointer                 user_data)
{
  Client *client = user_data;

  g_ptr_array_remove_fast (client->events->clients, client);
}

static Client *
add_client (BrdEvents               *self,
            SoupWebsocketConnection *conn,
            ClientKind               kind)
{
  Client *client = g_new0 (Client, 1);

  client->events = self;
  client->conn = g_object_ref (conn);
  client->kind = kind;
  client->last_sent = g_get_monotonic_time ();

  /* Protocol-level pings keep proxies from closing idle sockets; the
   * JSON pings of the health timer are what clients can see. */
  soup_websocket_connection_set_keepalive_interval (conn, 15);
  soup_websocket_connection_set_max_incoming_payload_size (conn, MAX_CLIENT_MESSAGE * 4);

  g_signal_connect (conn, "message", G_CALLBACK (on_message), client);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed), client);
  g_ptr_array_add (self->clients, client);
  return client;
}

void
brd_events_add_feed_client (BrdEvents               *self,
                            SoupWebsocketConnection *conn)
{
  add_client (self, conn, CLIENT_FEED);
}

void
brd_events_add_progress_client (BrdEvents               *self,
                                SoupWebsocketConnection *conn,
                                const char              *batch_id)
{
  Client *client = add_client (self, conn, CLIENT_PROGRESS);
  g_autoptr(BrdBatch) batch = brd_store_get_batch (self->store, batch_id);
  JsonBuilder *b = begin_message ("connection_established");
  g_autoptr(JsonNode) hello = NULL;
  g_autoptr(JsonNode) update = NULL;

  client->batch_id = g_strdup (batch_id);

  brd_json_add_string (b, "batch_id", batch_id);
  brd_json_add_string (b, "message", "Connected to batch progress updates");
  hello = end_message (b);
  send_node (client, hello);

  /* The current state at once, so a late watcher need not wait. */
  if (batch != NULL)
    {
      update = progress_update (self, batch);
      send_node (client, update);
    }
}

static gboolean
health_cb (gpointer data)
{
  BrdEvents *self = data;
  g_autoptr(JsonNode) health = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gint64 now = g_get_monotonic_time ();

  if (self->clients->len == 0)
    return G_SOURCE_CONTINUE;

  if (self->health_func != NULL)
    {
      g_autofree char *text = NULL;
      JsonObject *obj;

      health = self->health_func (self->health_data);
      obj = json_node_get_object (health);
      json_object_set_string_member (obj, "type", "health");
      text = brd_json_to_string (health);
      bytes = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
    }

  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (client->kind == CLIENT_FEED && client->subscribed && bytes != NULL)
        send_text (client, bytes);
      else if (now - client->last_sent >= IDLE_PING_USEC)
        send_simple (client, "ping");
    }

  return G_SOURCE_CONTINUE;
}

BrdEvents *
brd_events_new (BrdStore *store,
                guint     progress_interval_ms,
                guint     replay_capacity,
                guint     health_interval_ms)
{
  BrdEvents *self = g_new0 (BrdEvents, 1);

  self->store = store;
  self->progress_interval_ms = progress_interval_ms;
  self->replay_capacity = MAX (replay_capacity, 16);
  self->seq = brd_store_get_meta_int (store, "event_seq", 0);
  g_queue_init (&self->ring);
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
  self->batches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->batch_seq = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->health_source = g_timeout_add (health_interval_ms, health_cb, self);

  return self;
}

void
brd_events_set_health_func (BrdEvents     *self,
                            BrdHealthFunc  func,
                            gpointer       user_data)
{
  self->health_func = func;
  self->health_data = user_data;
}

void
brd_events_close_all (BrdEvents *self)
{
  /* A plain copy: closing emits "closed", which frees clients from the
   * real array while we walk this one. */
  g_autoptr(GPtrArray) clients = g_ptr_array_new ();

  for (guint i = 0; i < self->clients->len; i++)
    g_ptr_array_add (clients, g_object_ref (((Client *) self->clients->pdata[i])->conn));

  for (guint i = 0; i < clients->len; i++)
    {
      SoupWebsocketConnection *conn = g_ptr_array_index (clients, i);

      if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "The service is stopping");
      g_object_unref (conn);
    }
}

/* For clients that did not answer the close handshake: cut the stream, so
 * the connections finish closing (libsoup wants its I/O closed first). */
void
brd_events_drop_all (BrdEvents *self)
{
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->clients->len; i++)
    g_ptr_array_add (conns, g_object_ref (((Client *) self->clients->pdata[i])->conn));

  for (guint i = 0; i < conns->len; i++)
    g_io_stream_close (soup_websocket_connection_get_io_stream (conns->pdata[i]), NULL, NULL);
}

void
brd_events_free (BrdEvents *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->flush_source, g_source_remove);
  g_clear_handle_id (&self->health_source, g_source_remove);
  g_ptr_array_unref (self->clients);
  g_queue_clear_full (&self->ring, (GDestroyNotify) event_free);
  g_hash_table_unref (self->batches);
  g_hash_table_unref (self->batch_seq);
  g_free (self);
}
