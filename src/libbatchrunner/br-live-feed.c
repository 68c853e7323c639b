/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-live-feed"

#include "config.h"

#include <math.h>
#include <string.h>

#include "br-batch-store-private.h"
#include "br-enum-types.h"
#include "br-error.h"
#include "br-live-feed.h"
#include "br-live-feed-private.h"
#include "br-object-private.h"

/**
 * BrLiveFeed:
 *
 * Keeps a #BrBatchStore true to the server, through disconnects.
 *
 * With a server that has `/events` it holds one WebSocket: subscribe with
 * the last applied `seq` (the server replays what was missed, or sends a
 * snapshot), heartbeat (ping when quiet, dead after #BrLiveFeed:dead-after
 * of silence), reconnect with exponential backoff and jitter (1 s doubling
 * to 30 s, reset after a stable minute), and resync on a sequence gap.
 * With a server without it (the FastAPI service) it polls `GET /batch`
 * and follows the batches being watched through their per-batch progress
 * sockets: the store ends up the same either way.
 */

#define MIN_BACKOFF_MS     1000
#define MAX_BACKOFF_MS     30000
#define STABLE_USEC        (60 * G_USEC_PER_SEC)
#define PING_AFTER_USEC    (10 * G_USEC_PER_SEC)
#define HEARTBEAT_MS       1000
#define SNAPSHOT_TERMINAL  200
#define MAX_MESSAGE        (64 * 1024 * 1024)

struct _BrLiveFeed
{
  GObject                  parent_instance;

  SoupSession             *session;
  char                    *base_url;
  char                    *base_path;
  char                    *token;
  BrBatchStore            *store;

  BrFeedState              state;
  BrFeedMode               mode;
  GStrv                    capabilities;
  gboolean                 capabilities_known;

  SoupWebsocketConnection *conn;
  GCancellable            *cancellable;   /* everything of the current attempt */
  guint                    retry_source;
  guint                    heartbeat_source;
  guint                    poll_source;
  guint                    attempt;
  gint64                   next_attempt;   /* real µs */
  gint64                   connected_at;   /* monotonic µs */
  gint64                   last_received;  /* monotonic µs */
  gint64                   last_sent;      /* monotonic µs */
  gint64                   last_update;    /* real µs */
  gint64                   last_seq;
  guint                    dead_after_ms;
  guint                    poll_interval_ms;
  gboolean                 prefer_polling;
  guint64                  n_bad_messages;
  guint                    n_resyncs;
  char                    *last_error;

  GHashTable              *watched;        /* batch id → SoupWebsocketConnection (polling) or NULL */

  struct _Decoder         *decoder;        /* the socket's messages, parsed in a thread; made on first use */
  guint                    generation;     /* of received messages; br_live_feed_stop() drops older ones */
  gint64                   main_thread_us; /* spent applying decoded messages */
};

G_DEFINE_FINAL_TYPE (BrLiveFeed, br_live_feed, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_STATE,
  PROP_MODE,
  PROP_NEXT_ATTEMPT,
  PROP_LAST_UPDATE,
  PROP_LAST_SEQ,
  PROP_LAST_ERROR,
  PROP_DEAD_AFTER,
  PROP_POLL_INTERVAL,
  PROP_PREFER_POLLING,
  PROP_N_BAD_MESSAGES,
  N_PROPS
};

enum {
  LEAD_UPDATED,
  HEALTH,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void connect_attempt (BrLiveFeed *self);
static void schedule_retry  (BrLiveFeed *self,
                             const char *why);

/* Small setters that notify only on change -------------------------------- */

static void
set_state (BrLiveFeed  *self,
           BrFeedState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_mode (BrLiveFeed *self,
          BrFeedMode  mode)
{
  if (self->mode == mode)
    return;
  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

static void
set_next_attempt (BrLiveFeed *self,
                  gint64      at)
{
  if (self->next_attempt == at)
    return;
  self->next_attempt = at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_ATTEMPT]);
}

static void
set_last_error (BrLiveFeed *self,
                const char *error)
{
  if (g_strcmp0 (self->last_error, error) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
touch (BrLiveFeed *self)
{
  self->last_update = g_get_real_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_UPDATE]);
}

static void
set_last_seq (BrLiveFeed *self,
              gint64      seq)
{
  if (self->last_seq == seq)
    return;
  self->last_seq = seq;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEQ]);
}

static void
bad_message (BrLiveFeed *self,
             const char *why)
{
  self->n_bad_messages++;
  g_debug ("Ignored a message from the server: %s", why);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_BAD_MESSAGES]);
}

/* URLs and requests ---------------------------------------------------------- */

static char *
build_url (BrLiveFeed *self,
           const char *path,
           const char *query,
           gboolean    websocket)
{
  const char *base = self->base_url;
  g_autofree char *trimmed = g_strdup (base);
  g_autofree char *url = NULL;

  while (g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';

  url = g_strconcat (trimmed, self->base_path ? self->base_path : "", path, query ? "?" : "", query ? query : "", NULL);
  if (websocket)
    {
      if (g_str_has_prefix (url, "https://"))
        return g_strconcat ("wss://", url + strlen ("https://"), NULL);
      if (g_str_has_prefix (url, "http://"))
        return g_strconcat ("ws://", url + strlen ("http://"), NULL);
    }
  return g_steal_pointer (&url);
}

static SoupMessage *
new_message (BrLiveFeed *self,
             const char *path,
             const char *query,
             gboolean    websocket)
{
  g_autofree char *url = build_url (self, path, query, websocket);
  SoupMessage *msg = soup_message_new ("GET", url);

  if (msg != NULL && self->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  return msg;
}

static void
send_json (BrLiveFeed *self,
           const char *text)
{
  if (self->conn == NULL || soup_websocket_connection_get_state (self->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  soup_websocket_connection_send_text (self->conn, text);
  self->last_sent = g_get_monotonic_time ();
}

static void
send_subscribe (BrLiveFeed *self)
{
  g_autofree char *text = NULL;

  if (self->last_seq > 0)
    text = g_strdup_printf ("{\"type\":\"subscribe\",\"since\":%" G_GINT64_FORMAT "}", self->last_seq);
  else
    text = g_strdup ("{\"type\":\"subscribe\",\"since\":null}");
  send_json (self, text);
}

static void
send_watch (BrLiveFeed *self,
            const char *type,
            const char *batch_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, type);
  json_builder_set_member_name (b, "batch_id");
  json_builder_add_string_value (b, batch_id);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  send_json (self, text);
}

/* Messages --------------------------------------------------------------------- */

static gboolean
get_seq (JsonObject *obj,
         gint64     *seq)
{
  JsonNode *node = json_object_get_member (obj, "seq");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *seq = json_node_get_int (node);
  return *seq > 0;
}

static void
handle_health (BrLiveFeed *self,
               JsonObject *obj)
{
  JsonNode *spent = json_object_get_member (obj, "spent_today_usd");
  JsonNode *budget = json_object_get_member (obj, "daily_budget_usd");

  if (spent && JSON_NODE_HOLDS_VALUE (spent) &&
      (json_node_get_value_type (spent) == G_TYPE_DOUBLE || json_node_get_value_type (spent) == G_TYPE_INT64))
    br_batch_store_set_spent_today (self->store, MAX (0.0, json_node_get_double (spent)));
  if (budget && JSON_NODE_HOLDS_VALUE (budget) &&
      (json_node_get_value_type (budget) == G_TYPE_DOUBLE || json_node_get_value_type (budget) == G_TYPE_INT64))
    br_batch_store_set_daily_budget (self->store, MAX (0.0, json_node_get_double (budget)));

  g_signal_emit (self, signals[HEALTH], 0, obj);
}

/* A batch event with a seq: apply it if it is the next one; ignore a
 * duplicate; on a gap, ask the server to replay from the last good seq
 * (the event that revealed the gap comes again in that replay). */
static void
handle_batch_event (BrLiveFeed *self,
                    JsonObject *obj,
                    const char *type)
{
  g_autoptr(GError) error = NULL;
  JsonNode *batch = json_object_get_member (obj, "batch");
  gint64 seq = 0;

  if (!get_seq (obj, &seq))
    {
      bad_message (self, "a batch event without a positive integer seq");
      return;
    }

  if (seq <= self->last_seq)
    return;

  if (self->last_seq > 0 && seq > self->last_seq + 1)
    {
      self->n_resyncs++;
      g_debug ("Sequence gap: had %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT "; resubscribing",
               self->last_seq, seq);
      send_subscribe (self);
      return;
    }

  if (g_str_equal (type, "batch_removed"))
    {
      JsonNode *id = json_object_get_member (obj, "batch_id");

      if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
        {
          bad_message (self, "batch_removed without a string batch_id");
          return;
        }
      br_batch_store_flush (self->store);
      br_batch_store_remove (self->store, json_node_get_string (id));
    }
  else if (batch == NULL || !JSON_NODE_HOLDS_OBJECT (batch) ||
           !br_batch_store_queue_update (self->store, json_node_get_object (batch), &error))
    {
      bad_message (self, error ? error->message : "a batch event without a batch object");
      return;
    }

  set_last_seq (self, seq);
}

static void
handle_snapshot (BrLiveFeed *self,
                 JsonObject *obj)
{
  g_autoptr(GError) error = NULL;
  JsonNode *batches = json_object_get_member (obj, "batches");
  gint64 seq = 0;

  if (batches == NULL || !JSON_NODE_HOLDS_ARRAY (batches))
    {
      bad_message (self, "a snapshot without a batches array");
      return;
    }
  if (!get_seq (obj, &seq))
    seq = 0;

  if (!br_batch_store_apply_snapshot (self->store, json_node_get_array (batches), &error))
    {
      bad_message (self, error->message);
      return;
    }

  /* A snapshot restarts the count, even at a lower seq (a reset server). */
  self->last_seq = 0;
  set_last_seq (self, seq);
}

static void
handle_lead_updated (BrLiveFeed *self,
                     JsonObject *obj,
                     gboolean    progress_form)
{
  JsonNode *id = json_object_get_member (obj, "batch_id");
  JsonNode *result = progress_form ? NULL : json_object_get_member (obj, "result");

  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
    {
      bad_message (self, "a lead update without a string batch_id");
      return;
    }
  if (!progress_form && (result == NULL || !JSON_NODE_HOLDS_OBJECT (result)))
    {
      bad_message (self, "lead_updated without a result object");
      return;
    }

  g_signal_emit (self, signals[LEAD_UPDATED], 0, json_node_get_string (id),
                 progress_form ? obj : json_node_get_object (result));
}

/* The per-batch progress message, mapped onto the Batch's field names. */
static void
handle_progress_update (BrLiveFeed *self,
                        JsonObject *obj)
{
  static const struct { const char *from; const char *to; } map[] = {
    { "batch_id", "id" },
    { "status", "status" },
    { "processed", "processed_leads" },
    { "total", "total_leads" },
    { "successful", "successful_leads" },
    { "failed", "failed_leads" },
    { "skipped", "skipped_leads" },
    { "progress_percentage", "progress_percentage" },
    { "current_lead", "current_lead_id" },
    { "processing_rate_per_second", "processing_rate_per_second" },
    { "estimated_remaining_seconds", "estimated_remaining_seconds" },
    { "actual_cost_usd", "actual_cost_usd" },
  };
  g_autoptr(JsonObject) batch = json_object_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      JsonNode *node = json_object_get_member (obj, map[i].from);

      if (node != NULL)
        json_object_set_member (batch, map[i].to, json_node_copy (node));
    }

  /* Only batches already in the store: a partial object is no batch. */
  if (!json_object_has_member (batch, "id") ||
      !JSON_NODE_HOLDS_VALUE (json_object_get_member (batch, "id")) ||
      json_node_get_value_type (json_object_get_member (batch, "id")) != G_TYPE_STRING ||
      br_batch_store_lookup (self->store, json_object_get_string_member (batch, "id")) == NULL)
    return;

  if (!br_batch_store_queue_update (self->store, batch, &error))
    bad_message (self, error->message);
}

/* Applies one parsed server message (@root), or counts a message that
 * did not parse (@parse_error). Anything that is not a valid message is
 * counted and ignored: a server can never crash the client. */
static void
process_root (BrLiveFeed *self,
              JsonNode   *root,
              const char *parse_error)
{
  JsonObject *obj;
  JsonNode *type_node;
  const char *type;

  if (root == NULL)
    {
      bad_message (self, parse_error);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      bad_message (self, "not a JSON object");
      return;
    }

  obj = json_node_get_object (root);
  type_node = json_object_get_member (obj, "type");
  if (type_node == NULL || !JSON_NODE_HOLDS_VALUE (type_node) || json_node_get_value_type (type_node) != G_TYPE_STRING)
    {
      bad_message (self, "a message without a string type");
      return;
    }
  type = json_node_get_string (type_node);

  if (g_str_equal (type, "snapshot"))
    handle_snapshot (self, obj);
  else if (g_str_equal (type, "batch_created") || g_str_equal (type, "batch_updated") ||
           g_str_equal (type, "batch_removed"))
    handle_batch_event (self, obj, type);
  else if (g_str_equal (type, "health"))
    handle_health (self, obj);
  else if (g_str_equal (type, "lead_updated"))
    handle_lead_updated (self, obj, FALSE);
  else if (g_str_equal (type, "lead_update"))
    handle_lead_updated (self, obj, TRUE);
  else if (g_str_equal (type, "progress_update"))
    handle_progress_update (self, obj);
  else if (g_str_equal (type, "ping"))
    send_json (self, "{\"type\":\"pong\"}");
  else if (g_str_equal (type, "pong") || g_str_equal (type, "connection_established") ||
           g_str_equal (type, "batch_completed") || g_str_equal (type, "batch_error"))
    ;
  else if (g_str_equal (type, "error"))
    g_debug ("The server refused a message of ours: %s",
             json_object_get_string_member_with_default (obj, "detail", "no detail"));
  else
    {
      /* A newer server's message: not an error, just not ours to know. */
      g_debug ("Unknown message type %s", type);
      return;
    }

  touch (self);
}

/**
 * _br_live_feed_process_text:
 * @self: a #BrLiveFeed
 * @data: one message as received
 * @len: its length
 *
 * Decodes and applies one server message now, on this thread.
 */
void
_br_live_feed_process_text (BrLiveFeed *self,
                            const char *data,
                            gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = _br_json_parse_untrusted (data, len, &error);

  self->last_received = g_get_monotonic_time ();
  process_root (self, root, error ? error->message : NULL);
}

/* Decoding in a thread --------------------------------------------------------------
 *
 * Parsing JSON is most of the cost of a message (25–45 µs per batch), and
 * with 1,000 running batches the server sends 10,000 messages a second: on
 * the main thread that took a third of a core and delayed frames by up to
 * 120 ms. So the socket's messages are parsed in one worker thread, in the
 * order they came, and handed back to the main thread in that order, where
 * everything else happens as before (sequence checks, resync, the store).
 * A snapshot's batches are also made into BrBatch objects in the worker and
 * its parse tree freed there: new objects that nobody else holds, handed
 * over whole. */

typedef struct
{
  GBytes    *text;
  guint      generation;
  gboolean   stop;

  /* What the worker made of it: */
  JsonNode  *root;
  char      *error;           /* the message did not parse */
  gboolean   is_snapshot;     /* then root is NULL and these say what it held: */
  GPtrArray *snapshot;        /* BrBatch, or NULL if one did not decode */
  gint64     snapshot_seq;
  char      *snapshot_error;
} Job;

struct _Decoder
{
  gatomicrefcount  ref;
  GAsyncQueue     *in;          /* Job, to the worker */
  GMutex           lock;        /* guards done and wake_queued */
  GQueue           done;        /* Job, decoded, in order */
  gboolean         wake_queued;
  gint             stopping;    /* atomic */
  GMainContext    *context;
  BrLiveFeed      *feed;        /* main thread only; NULL once the feed is gone */
};
typedef struct _Decoder Decoder;

static void
job_free (Job *job)
{
  g_clear_pointer (&job->text, g_bytes_unref);
  g_clear_pointer (&job->root, json_node_unref);
  g_clear_pointer (&job->snapshot, g_ptr_array_unref);
  g_free (job->error);
  g_free (job->snapshot_error);
  g_free (job);
}

static Decoder *
decoder_ref (Decoder *d)
{
  g_atomic_ref_count_inc (&d->ref);
  return d;
}

static void
decoder_unref (Decoder *d)
{
  Job *job;

  if (!g_atomic_ref_count_dec (&d->ref))
    return;
  while ((job = g_async_queue_try_pop (d->in)) != NULL)
    job_free (job);
  g_async_queue_unref (d->in);
  while ((job = g_queue_pop_head (&d->done)) != NULL)
    job_free (job);
  g_mutex_clear (&d->lock);
  g_main_context_unref (d->context);
  g_free (d);
}

/* Worker thread. */
static void
decode_job (Job *job)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (job->text, &len);
  JsonObject *obj;
  JsonNode *type_node, *batches;

  job->root = _br_json_parse_untrusted (data, len, &error);
  g_clear_pointer (&job->text, g_bytes_unref);
  if (job->root == NULL)
    {
      job->error = g_strdup (error->message);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (job->root))
    return;

  obj = json_node_get_object (job->root);
  type_node = json_object_get_member (obj, "type");
  if (type_node == NULL || !JSON_NODE_HOLDS_VALUE (type_node) || json_node_get_value_type (type_node) != G_TYPE_STRING ||
      !g_str_equal (json_node_get_string (type_node), "snapshot"))
    return;
  batches = json_object_get_member (obj, "batches");
  if (batches == NULL || !JSON_NODE_HOLDS_ARRAY (batches))
    return;   /* the main thread says what is wrong with it */

  job->is_snapshot = TRUE;
  if (!get_seq (obj, &job->snapshot_seq))
    job->snapshot_seq = 0;
  job->snapshot = _br_batch_store_decode_snapshot (json_node_get_array (batches), &error);
  if (job->snapshot == NULL)
    job->snapshot_error = g_strdup (error->message);
  /* Freed here, the tree's memory goes back to this thread's arena. */
  g_clear_pointer (&job->root, json_node_unref);
}

static gboolean decoder_drain_cb (gpointer data);

static gpointer
decoder_thread (gpointer data)
{
  Decoder *d = data;

  for (;;)
    {
      Job *job = g_async_queue_pop (d->in);
      gboolean wake;

      if (job->stop)
        {
          job_free (job);
          break;
        }
      if (g_atomic_int_get (&d->stopping))
        {
          job_free (job);
          continue;
        }
      decode_job (job);

      g_mutex_lock (&d->lock);
      g_queue_push_tail (&d->done, job);
      wake = !d->wake_queued;
      d->wake_queued = TRUE;
      g_mutex_unlock (&d->lock);

      /* One wake-up for all the messages decoded until the main thread
       * gets to them. */
      if (wake)
        {
          GSource *source = g_idle_source_new ();

          g_source_set_priority (source, G_PRIORITY_DEFAULT);
          g_source_set_callback (source, decoder_drain_cb, decoder_ref (d), (GDestroyNotify) decoder_unref);
          g_source_set_static_name (source, "[libbatchrunner] decoded messages");
          g_source_attach (source, d->context);
          g_source_unref (source);
        }
    }
  decoder_unref (d);
  return NULL;
}

static void
apply_job (BrLiveFeed *self,
           Job        *job)
{
  if (!job->is_snapshot)
    {
      process_root (self, job->root, job->error);
      return;
    }

  /* As handle_snapshot() and process_root(), with the decoding done. */
  if (job->snapshot == NULL)
    bad_message (self, job->snapshot_error);
  else
    {
      _br_batch_store_apply_decoded_snapshot (self->store, job->snapshot);
      self->last_seq = 0;
      set_last_seq (self, job->snapshot_seq);
    }
  touch (self);
}

/* Main thread: applies what the worker decoded, in order. */
static gboolean
decoder_drain_cb (gpointer data)
{
  Decoder *d = data;
  g_autoptr(BrLiveFeed) self = d->feed ? g_object_ref (d->feed) : NULL;
  GQueue jobs;
  Job *job;
  gint64 t0 = g_get_monotonic_time ();

  g_mutex_lock (&d->lock);
  jobs = d->done;
  g_queue_init (&d->done);
  d->wake_queued = FALSE;
  g_mutex_unlock (&d->lock);

  while ((job = g_queue_pop_head (&jobs)) != NULL)
    {
      if (self != NULL && d->feed == self && job->generation == self->generation)
        apply_job (self, job);
      job_free (job);
    }
  if (self != NULL)
    self->main_thread_us += g_get_monotonic_time () - t0;
  return G_SOURCE_REMOVE;
}

static void
decoder_stop (Decoder *d)
{
  Job *stop = g_new0 (Job, 1);

  d->feed = NULL;
  g_atomic_int_set (&d->stopping, TRUE);
  stop->stop = TRUE;
  g_async_queue_push (d->in, stop);
  decoder_unref (d);
}

/**
 * _br_live_feed_receive_text:
 * @self: a #BrLiveFeed
 * @message: one text message as received from the socket
 *
 * Hands @message to the decoding thread; it is applied on the main
 * thread, after every message received before it, once decoded.
 */
void
_br_live_feed_receive_text (BrLiveFeed *self,
                            GBytes     *message)
{
  Job *job;

  self->last_received = g_get_monotonic_time ();

  if (self->decoder == NULL)
    {
      Decoder *d = g_new0 (Decoder, 1);
      g_autoptr(GThread) thread = NULL;

      g_atomic_ref_count_init (&d->ref);
      d->in = g_async_queue_new ();
      g_mutex_init (&d->lock);
      g_queue_init (&d->done);
      d->context = g_main_context_ref_thread_default ();
      d->feed = self;
      thread = g_thread_new ("br-feed-decode", decoder_thread, decoder_ref (d));
      self->decoder = d;
    }

  job = g_new0 (Job, 1);
  job->text = g_bytes_ref (message);
  job->generation = self->generation;
  g_async_queue_push (self->decoder->in, job);
}

gint64
_br_live_feed_get_main_thread_us (BrLiveFeed *self)
{
  return self->main_thread_us;
}

guint
_br_live_feed_get_n_resyncs (BrLiveFeed *self)
{
  return self->n_resyncs;
}

/* The WebSocket -------------------------------------------------------------------- */

static void
close_connection (BrLiveFeed *self)
{
  g_clear_handle_id (&self->heartbeat_source, g_source_remove);
  if (self->conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->conn, self);
      if (soup_websocket_connection_get_state (self->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->conn);
    }
}

static void
on_ws_message (SoupWebsocketConnection *conn,
               gint                     type,
               GBytes                  *message,
               gpointer                 user_data)
{
  BrLiveFeed *self = user_data;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      self->last_received = g_get_monotonic_time ();
      bad_message (self, "a binary frame");
      return;
    }
  _br_live_feed_receive_text (self, message);
}

static void
on_ws_closed (SoupWebsocketConnection *conn,
              gpointer                 user_data)
{
  BrLiveFeed *self = user_data;
  g_autofree char *why = NULL;
  const char *data = soup_websocket_connection_get_close_data (conn);

  why = g_strdup_printf ("The connection closed (%u%s%s)", soup_websocket_connection_get_close_code (conn),
                         data && *data ? ": " : "", data ? data : "");
  close_connection (self);
  schedule_retry (self, why);
}

static void
on_ws_error (SoupWebsocketConnection *conn,
             GError                  *error,
             gpointer                 user_data)
{
  g_debug ("WebSocket error: %s", error->message);
}

static gboolean
heartbeat_cb (gpointer data)
{
  BrLiveFeed *self = data;
  gint64 now = g_get_monotonic_time ();

  if (now - self->last_received > (gint64) self->dead_after_ms * 1000)
    {
      /* Silence is death: the server pings and sends health every few
       * seconds, so a quiet socket is a half-open one. */
      self->heartbeat_source = 0;
      close_connection (self);
      schedule_retry (self, "The server stopped answering");
      return G_SOURCE_REMOVE;
    }

  if (now - self->last_sent > PING_AFTER_USEC)
    send_json (self, "{\"type\":\"ping\"}");

  return G_SOURCE_CONTINUE;
}

static void
websocket_connected_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(BrLiveFeed) self = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *conn;
  GHashTableIter iter;
  gpointer key;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (conn == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        schedule_retry (self, error->message);
      return;
    }

  self->conn = conn;
  soup_websocket_connection_set_max_incoming_payload_size (conn, MAX_MESSAGE);
  soup_websocket_connection_set_keepalive_interval (conn, 15);
  g_signal_connect (conn, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (conn, "closed", G_CALLBACK (on_ws_closed), self);
  g_signal_connect (conn, "error", G_CALLBACK (on_ws_error), self);

  self->connected_at = self->last_received = g_get_monotonic_time ();
  set_mode (self, BR_FEED_MODE_EVENTS);
  set_next_attempt (self, 0);
  set_last_error (self, NULL);
  set_state (self, BR_FEED_STATE_CONNECTED);
  touch (self);

  send_subscribe (self);
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    send_watch (self, "watch", key);

  self->heartbeat_source = g_timeout_add (HEARTBEAT_MS, heartbeat_cb, self);
}

static void
open_websocket (BrLiveFeed *self)
{
  g_autoptr(SoupMessage) msg = new_message (self, "/events", NULL, TRUE);

  if (msg == NULL)
    {
      schedule_retry (self, "The server address is not valid");
      return;
    }
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, websocket_connected_cb, g_object_ref (self));
}

/* Polling ------------------------------------------------------------------------ */

typedef struct
{
  BrLiveFeed *self;
  GPtrArray  *pages;   /* JsonArray of batches, one per request */
  guint       pending;
  char       *error;
} Poll;

static void
poll_free (Poll *poll)
{
  g_object_unref (poll->self);
  g_ptr_array_unref (poll->pages);
  g_free (poll->error);
  g_free (poll);
}

static gboolean poll_cb (gpointer data);

static JsonArray *
batches_of (GBytes  *body,
            GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);
  g_autoptr(JsonNode) root = _br_json_parse_untrusted (data, len, error);
  JsonNode *batches;

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      (batches = json_object_get_member (json_node_get_object (root), "batches")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (batches))
    {
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "GET /batch did not answer {\"batches\": [...]}");
      return NULL;
    }
  return json_array_ref (json_node_get_array (batches));
}

/* The polled equivalent of a snapshot: every non-terminal batch plus the
 * newest terminal ones, so the store holds the same either way. */
static JsonArray *
merge_pages (GPtrArray *pages)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *merged = json_array_new ();
  guint n_terminal = 0;

  for (guint p = 0; p < pages->len; p++)
    {
      JsonArray *page = g_ptr_array_index (pages, p);

      for (guint i = 0; i < json_array_get_length (page); i++)
        {
          JsonNode *node = json_array_get_element (page, i);
          JsonObject *obj;
          const char *id;
          BrBatchStatus status;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          obj = json_node_get_object (node);
          id = json_object_get_string_member_with_default (obj, "id", NULL);
          if (id == NULL || !g_hash_table_add (seen, (gpointer) id))
            continue;
          status = br_batch_status_from_string (json_object_get_string_member_with_default (obj, "status", NULL));
          if (br_batch_status_is_terminal (status) && n_terminal++ >= SNAPSHOT_TERMINAL)
            continue;
          json_array_add_element (merged, json_node_copy (node));
        }
    }
  return merged;
}

static void
poll_done (Poll *poll)
{
  BrLiveFeed *self = poll->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) merged = NULL;

  if (self->mode != BR_FEED_MODE_POLLING || self->state == BR_FEED_STATE_OFFLINE)
    {
      poll_free (poll);
      return;
    }

  if (poll->error != NULL)
    {
      schedule_retry (self, poll->error);
      poll_free (poll);
      return;
    }

  merged = merge_pages (poll->pages);
  if (!br_batch_store_apply_snapshot (self->store, merged, &error))
    bad_message (self, error->message);
  else
    touch (self);

  set_next_attempt (self, 0);
  set_last_error (self, NULL);
  self->attempt = 0;
  set_state (self, BR_FEED_STATE_CONNECTED);
  self->poll_source = g_timeout_add (self->poll_interval_ms, poll_cb, g_object_ref (self));
  poll_free (poll);
}

static void
poll_page_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Poll *poll = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);

  if (body == NULL)
    {
      if (poll->error == NULL)
        poll->error = g_strdup (error->message);
    }
  else if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      if (poll->error == NULL)
        poll->error = g_strdup_printf ("GET /batch answered HTTP %u", soup_message_get_status (msg));
    }
  else
    {
      JsonArray *page = batches_of (body, &error);

      if (page != NULL)
        g_ptr_array_add (poll->pages, page);
      else if (poll->error == NULL)
        poll->error = g_strdup (error->message);
    }

  if (--poll->pending == 0)
    poll_done (poll);
}

static gboolean
poll_cb (gpointer data)
{
  g_autoptr(BrLiveFeed) self = data;
  static const char * const queries[] = {
    "status=pending&status=running&status=paused&limit=200",
    "limit=200",
  };
  Poll *poll;

  self->poll_source = 0;
  if (self->mode != BR_FEED_MODE_POLLING || self->state == BR_FEED_STATE_OFFLINE)
    return G_SOURCE_REMOVE;

  poll = g_new0 (Poll, 1);
  poll->self = g_object_ref (self);
  poll->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_array_unref);
  poll->pending = G_N_ELEMENTS (queries);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr(SoupMessage) msg = new_message (self, "/batch", queries[i], FALSE);

      soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                        poll_page_cb, poll);
    }

  return G_SOURCE_REMOVE;
}

static void
progress_message_cb (SoupWebsocketConnection *conn,
                     gint                     type,
                     GBytes                  *message,
                     gpointer                 user_data)
{
  BrLiveFeed *self = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    _br_live_feed_process_text (self, data, len);
  else
    bad_message (self, "a binary frame");
}

typedef struct
{
  BrLiveFeed *self;
  char       *batch_id;
} ProgressConnect;

static void
progress_connected_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  ProgressConnect *pc = user_data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *conn = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  if (conn != NULL)
    {
      /* Unwatched while connecting: let it go. */
      if (!g_hash_table_contains (pc->self->watched, pc->batch_id) || pc->self->mode != BR_FEED_MODE_POLLING)
        {
          soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
          g_object_unref (conn);
        }
      else
        {
          g_signal_connect (conn, "message", G_CALLBACK (progress_message_cb), pc->self);
          g_hash_table_replace (pc->self->watched, g_strdup (pc->batch_id), conn);
        }
    }
  else
    g_debug ("Progress socket of %s: %s", pc->batch_id, error->message);

  g_object_unref (pc->self);
  g_free (pc->batch_id);
  g_free (pc);
}

static void
open_progress_socket (BrLiveFeed *self,
                      const char *batch_id)
{
  g_autofree char *path = g_strdup_printf ("/batch/%s/progress", batch_id);
  g_autoptr(SoupMessage) msg = new_message (self, path, NULL, TRUE);
  ProgressConnect *pc;

  if (msg == NULL)
    return;
  pc = g_new0 (ProgressConnect, 1);
  pc->self = g_object_ref (self);
  pc->batch_id = g_strdup (batch_id);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, progress_connected_cb, pc);
}

static void
start_polling (BrLiveFeed *self)
{
  GHashTableIter iter;
  gpointer key;

  set_mode (self, BR_FEED_MODE_POLLING);
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    open_progress_socket (self, key);
  poll_cb (g_object_ref (self));
}

/* Capabilities and attempts ------------------------------------------------------- */

static void
health_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BrLiveFeed) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(JsonNode) root = NULL;
  JsonNode *caps;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        schedule_retry (self, error->message);
      return;
    }

  if (soup_message_get_status (msg) == SOUP_STATUS_UNAUTHORIZED || soup_message_get_status (msg) == SOUP_STATUS_FORBIDDEN)
    {
      schedule_retry (self, "The server refused the token");
      return;
    }

  root = _br_json_parse_untrusted (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      schedule_retry (self, "The server's /health is not a health report");
      return;
    }

  caps = json_object_get_member (json_node_get_object (root), "capabilities");
  if (caps != NULL && JSON_NODE_HOLDS_ARRAY (caps))
    {
      JsonArray *array = json_node_get_array (caps);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *el = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (el) && json_node_get_value_type (el) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (el));
        }
    }
  g_strfreev (self->capabilities);
  self->capabilities = g_strv_builder_end (builder);
  self->capabilities_known = TRUE;
  handle_health (self, json_node_get_object (root));

  if (g_strv_contains ((const char * const *) self->capabilities, "events") && !self->prefer_polling)
    open_websocket (self);
  else
    start_polling (self);
}

static void
connect_attempt (BrLiveFeed *self)
{
  g_autoptr(SoupMessage) msg = new_message (self, "/health", NULL, FALSE);

  if (msg == NULL)
    {
      schedule_retry (self, "The server address is not valid");
      return;
    }
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                    health_cb, g_object_ref (self));
}

static gboolean
retry_cb (gpointer data)
{
  BrLiveFeed *self = data;

  self->retry_source = 0;
  connect_attempt (self);
  return G_SOURCE_REMOVE;
}

/* Exponential backoff with ±20% jitter, so that many monitors losing one
 * server do not all come back in the same instant. */
static guint
backoff_ms (guint attempt)
{
  double base = MIN ((double) MAX_BACKOFF_MS, MIN_BACKOFF_MS * pow (2.0, MIN (attempt, 16u)));
  double jitter = g_random_double_range (0.8, 1.2);

  return (guint) MIN ((double) MAX_BACKOFF_MS * 1.2, base * jitter);
}

static void
schedule_retry (BrLiveFeed *self,
                const char *why)
{
  guint delay;

  if (self->state == BR_FEED_STATE_OFFLINE)
    return;

  close_connection (self);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  g_clear_handle_id (&self->retry_source, g_source_remove);

  /* A connection that held for a minute was a good one: start over. */
  if (self->connected_at > 0 && g_get_monotonic_time () - self->connected_at >= STABLE_USEC)
    self->attempt = 0;
  self->connected_at = 0;

  delay = backoff_ms (self->attempt++);
  set_last_error (self, why);
  set_next_attempt (self, g_get_real_time () + (gint64) delay * 1000);
  set_state (self, BR_FEED_STATE_RECONNECTING);
  g_debug ("Reconnecting in %u ms: %s", delay, why);
  self->retry_source = g_timeout_add (delay, retry_cb, self);
}

/* Public --------------------------------------------------------------------------- */

void
br_live_feed_start (BrLiveFeed *self)
{
  g_return_if_fail (BR_IS_LIVE_FEED (self));

  if (self->state != BR_FEED_STATE_OFFLINE)
    return;

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->attempt = 0;
  set_state (self, BR_FEED_STATE_CONNECTING);
  connect_attempt (self);
}

void
br_live_feed_stop (BrLiveFeed *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (BR_IS_LIVE_FEED (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  close_connection (self);
  /* Messages received and not yet decoded are not applied any more. */
  self->generation++;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (value != NULL)
        {
          g_signal_handlers_disconnect_by_data (value, self);
          soup_websocket_connection_close (value, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
          g_object_unref (value);
        }
      g_hash_table_iter_replace (&iter, NULL);
    }

  set_next_attempt (self, 0);
  set_mode (self, BR_FEED_MODE_NONE);
  set_state (self, BR_FEED_STATE_OFFLINE);
}

/* Skips the wait of a reconnect ("Reconnect now" in the UI). */
void
br_live_feed_reconnect_now (BrLiveFeed *self)
{
  g_return_if_fail (BR_IS_LIVE_FEED (self));

  if (self->state != BR_FEED_STATE_RECONNECTING)
    return;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  set_next_attempt (self, 0);
  connect_attempt (self);
}

void
br_live_feed_watch (BrLiveFeed *self,
                    const char *batch_id)
{
  g_return_if_fail (BR_IS_LIVE_FEED (self));
  g_return_if_fail (batch_id != NULL);

  if (g_hash_table_contains (self->watched, batch_id))
    return;
  g_hash_table_insert (self->watched, g_strdup (batch_id), NULL);

  if (self->mode == BR_FEED_MODE_EVENTS)
    send_watch (self, "watch", batch_id);
  else if (self->mode == BR_FEED_MODE_POLLING)
    open_progress_socket (self, batch_id);
}

void
br_live_feed_unwatch (BrLiveFeed *self,
                      const char *batch_id)
{
  SoupWebsocketConnection *conn;

  g_return_if_fail (BR_IS_LIVE_FEED (self));

  if (!g_hash_table_lookup_extended (self->watched, batch_id, NULL, (gpointer *) &conn))
    return;
  if (conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (conn, self);
      soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (conn);
    }
  g_hash_table_remove (self->watched, batch_id);
  if (self->mode == BR_FEED_MODE_EVENTS)
    send_watch (self, "unwatch", batch_id);
}

BrFeedState
br_live_feed_get_state (BrLiveFeed *self)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), BR_FEED_STATE_OFFLINE);
  return self->state;
}

BrFeedMode
br_live_feed_get_mode (BrLiveFeed *self)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), BR_FEED_MODE_NONE);
  return self->mode;
}

gint64
br_live_feed_get_next_attempt (BrLiveFeed *self)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), 0);
  return self->next_attempt;
}

gint64
br_live_feed_get_last_update (BrLiveFeed *self)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), 0);
  return self->last_update;
}

gint64
br_live_feed_get_last_seq (BrLiveFeed *self)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), 0);
  return self->last_seq;
}

guint64
br_live_feed_get_n_bad_messages (BrLiveFeed *self)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), 0);
  return self->n_bad_messages;
}

guint
br_live_feed_get_n_resyncs (BrLiveFeed *self)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), 0);
  return self->n_resyncs;
}

const char *
br_live_feed_get_last_error (BrLiveFeed *self)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), NULL);
  return self->last_error;
}

/**
 * br_live_feed_dup_capabilities:
 *
 * Returns: (transfer full) (nullable): what the server said it can do, or
 *   %NULL before it said anything
 */
GStrv
br_live_feed_dup_capabilities (BrLiveFeed *self)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), NULL);
  return self->capabilities_known ? g_strdupv (self->capabilities) : NULL;
}

gboolean
br_live_feed_has_capability (BrLiveFeed *self,
                             const char *capability)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), FALSE);
  return self->capabilities != NULL && g_strv_contains ((const char * const *) self->capabilities, capability);
}

BrBatchStore *
br_live_feed_get_store (BrLiveFeed *self)
{
  g_return_val_if_fail (BR_IS_LIVE_FEED (self), NULL);
  return self->store;
}

void
br_live_feed_set_token (BrLiveFeed *self,
                        const char *token)
{
  g_return_if_fail (BR_IS_LIVE_FEED (self));

  g_free (self->token);
  self->token = g_strdup (token);
}

static void
br_live_feed_dispose (GObject *object)
{
  BrLiveFeed *self = BR_LIVE_FEED (object);

  if (self->state != BR_FEED_STATE_OFFLINE)
    br_live_feed_stop (self);

  G_OBJECT_CLASS (br_live_feed_parent_class)->dispose (object);
}

static void
br_live_feed_finalize (GObject *object)
{
  BrLiveFeed *self = BR_LIVE_FEED (object);

  g_clear_pointer (&self->decoder, decoder_stop);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->capabilities, g_strfreev);
  g_free (self->base_url);
  g_free (self->base_path);
  g_free (self->token);
  g_free (self->last_error);

  G_OBJECT_CLASS (br_live_feed_parent_class)->finalize (object);
}

static void
br_live_feed_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  BrLiveFeed *self = BR_LIVE_FEED (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_NEXT_ATTEMPT:
      g_value_set_int64 (value, self->next_attempt);
      break;
    case PROP_LAST_UPDATE:
      g_value_set_int64 (value, self->last_update);
      break;
    case PROP_LAST_SEQ:
      g_value_set_int64 (value, self->last_seq);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_DEAD_AFTER:
      g_value_set_uint (value, self->dead_after_ms);
      break;
    case PROP_POLL_INTERVAL:
      g_value_set_uint (value, self->poll_interval_ms);
      break;
    case PROP_PREFER_POLLING:
      g_value_set_boolean (value, self->prefer_polling);
      break;
    case PROP_N_BAD_MESSAGES:
      g_value_set_uint64 (value, self->n_bad_messages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
br_live_feed_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  BrLiveFeed *self = BR_LIVE_FEED (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_set_object (&self->store, g_value_get_object (value));
      break;
    case PROP_DEAD_AFTER:
      self->dead_after_ms = MAX (100u, g_value_get_uint (value));
      break;
    case PROP_POLL_INTERVAL:
      self->poll_interval_ms = MAX (100u, g_value_get_uint (value));
      break;
    case PROP_PREFER_POLLING:
      self->prefer_polling = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
br_live_feed_class_init (BrLiveFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = br_live_feed_dispose;
  object_class->finalize = br_live_feed_finalize;
  object_class->get_property = br_live_feed_get_property;
  object_class->set_property = br_live_feed_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, BR_TYPE_BATCH_STORE,
                                                G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, BR_TYPE_FEED_STATE, BR_FEED_STATE_OFFLINE, ro);
  properties[PROP_MODE] = g_param_spec_enum ("mode", NULL, NULL, BR_TYPE_FEED_MODE, BR_FEED_MODE_NONE, ro);
  /**
   * BrLiveFeed:next-attempt:
   *
   * When the next reconnect attempt starts (real time, µs), or 0.
   */
  properties[PROP_NEXT_ATTEMPT] = g_param_spec_int64 ("next-attempt", NULL, NULL, 0, G_MAXINT64, 0, ro);
  /**
   * BrLiveFeed:last-update:
   *
   * When the server last told us something (real time, µs): data older
   * than a few seconds while not connected is stale.
   */
  properties[PROP_LAST_UPDATE] = g_param_spec_int64 ("last-update", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LAST_SEQ] = g_param_spec_int64 ("last-seq", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  properties[PROP_DEAD_AFTER] = g_param_spec_uint ("dead-after", NULL, NULL, 100, G_MAXUINT, 30000, rw);
  properties[PROP_POLL_INTERVAL] = g_param_spec_uint ("poll-interval", NULL, NULL, 100, G_MAXUINT, 2000, rw);
  /**
   * BrLiveFeed:prefer-polling:
   *
   * Poll even when the server has `/events` (a proxy that breaks
   * WebSockets; and the tests of the polling path).
   */
  properties[PROP_PREFER_POLLING] = g_param_spec_boolean ("prefer-polling", NULL, NULL, FALSE, rw);
  properties[PROP_N_BAD_MESSAGES] = g_param_spec_uint64 ("n-bad-messages", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BrLiveFeed::lead-updated:
   * @batch_id: the batch
   * @result: the LeadResult (per-batch sockets: the message itself)
   *
   * A lead of a watched batch changed.
   */
  signals[LEAD_UPDATED] =
    g_signal_new ("lead-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);

  /**
   * BrLiveFeed::health:
   * @health: the health report (GET /health fields)
   */
  signals[HEALTH] =
    g_signal_new ("health", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
}

static void
br_live_feed_init (BrLiveFeed *self)
{
  self->watched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->dead_after_ms = 30000;
  self->poll_interval_ms = 2000;
  self->cancellable = g_cancellable_new ();
}

/**
 * br_live_feed_new:
 * @session: the session to use (shared with the REST client)
 * @base_url: e.g. `http://127.0.0.1:8600`
 * @base_path: `/api/v1` (or `/api` on the FastAPI service)
 * @store: the store to keep true
 *
 * Returns: (transfer full): a feed, offline until br_live_feed_start()
 */
BrLiveFeed *
br_live_feed_new (SoupSession  *session,
                  const char   *base_url,
                  const char   *base_path,
                  BrBatchStore *store)
{
  BrLiveFeed *self;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (BR_IS_BATCH_STORE (store), NULL);

  self = g_object_new (BR_TYPE_LIVE_FEED, "store", store, NULL);
  self->session = g_object_ref (session);
  self->base_url = g_strdup (base_url);
  self->base_path = g_strdup (base_path ? base_path : "/api/v1");
  return self;
}
