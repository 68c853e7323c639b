/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-batch-store"

#include "config.h"

#include <math.h>
#ifdef __GLIBC__
# include <malloc.h>
#endif

#include "br-batch-store.h"
#include "br-batch-store-private.h"
#include "br-error.h"

/* How many batches a snapshot must hold before the store gives the freed
 * decoding memory back to the system (see trim_idle_cb). */
#define TRIM_AFTER_N_BATCHES 5000
/* How long the store's own tick may spend applying updates before it
 * leaves the rest for the next tick: half a 60 Hz frame. */
#define TICK_BUDGET_US 8000

/**
 * BrBatchStore:
 *
 * The live list of batches: a #GListModel of #BrBatch keyed by id.
 *
 * Updates change the existing objects' properties in place, so rows never
 * flicker or lose their selection. Incoming updates are queued, folded
 * per batch (the newest wins) and applied at most once per tick: either
 * on its own timer (#BrBatchStore:tick-interval) or when the owner calls
 * br_batch_store_flush() (the monitor ties it to the frame clock).
 *
 * It also keeps the numbers of the summary strip: batches by status,
 * throughput and spend.
 */
struct _BrBatchStore
{
  GObject     parent_instance;

  GPtrArray  *items;          /* BrBatch, model order */
  GHashTable *by_id;          /* id → BrBatch (borrowed from items) */
  GHashTable *queued;         /* id → JsonObject, newest wins */
  GPtrArray  *queue_order;    /* ids in arrival order, for deterministic application */
  guint       tick_interval;
  guint       tick_source;
  guint       trim_source;

  guint       n_running;
  guint       n_pending;
  guint       n_paused;
  guint       n_failed_today;
  double      rate_sum;       /* leads per second, running batches */
  gint64      day_start;      /* of n_failed_today, unix µs */
  double      spent_today;
  double      daily_budget;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BrBatchStore, br_batch_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  PROP_TICK_INTERVAL,
  PROP_N_RUNNING,
  PROP_N_PENDING,
  PROP_N_PAUSED,
  PROP_N_FAILED_TODAY,
  PROP_LEADS_PER_MINUTE,
  PROP_SPENT_TODAY,
  PROP_DAILY_BUDGET,
  PROP_HAS_QUEUED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DAY_USEC G_GINT64_CONSTANT (86400000000)

static GType
list_model_get_item_type (GListModel *model)
{
  return BR_TYPE_BATCH;
}

static guint
list_model_get_n_items (GListModel *model)
{
  return BR_BATCH_STORE (model)->items->len;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  BrBatchStore *self = BR_BATCH_STORE (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

/* Summary counters -------------------------------------------------------- */

typedef struct
{
  BrBatchStatus status;
  double        rate;
  gint64        completed_at;
} Contribution;

static Contribution
contribution_of (BrBatch *batch)
{
  Contribution c = { br_batch_get_status (batch), br_batch_get_rate (batch), br_batch_get_completed_at (batch) };
  return c;
}

static void
account (BrBatchStore *self,
         Contribution  c,
         int           sign)
{
  switch (c.status)
    {
    case BR_BATCH_STATUS_RUNNING:
      self->n_running += sign;
      self->rate_sum += sign * c.rate;
      break;
    case BR_BATCH_STATUS_PENDING:
      self->n_pending += sign;
      break;
    case BR_BATCH_STATUS_PAUSED:
      self->n_paused += sign;
      break;
    case BR_BATCH_STATUS_FAILED:
      if (c.completed_at >= self->day_start)
        self->n_failed_today += sign;
      break;
    case BR_BATCH_STATUS_UNKNOWN:
    case BR_BATCH_STATUS_COMPLETED:
    case BR_BATCH_STATUS_CANCELLED:
    default:
      break;
    }
}

typedef struct
{
  guint  n_running, n_pending, n_paused, n_failed_today;
  double rate_sum;
} Counters;

static Counters
counters_of (BrBatchStore *self)
{
  Counters c = { self->n_running, self->n_pending, self->n_paused, self->n_failed_today, self->rate_sum };
  return c;
}

static void
notify_counters (BrBatchStore *self,
                 Counters      before)
{
  if (before.n_running != self->n_running)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RUNNING]);
  if (before.n_pending != self->n_pending)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
  if (before.n_paused != self->n_paused)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAUSED]);
  if (before.n_failed_today != self->n_failed_today)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FAILED_TODAY]);
  if (fabs (before.rate_sum - self->rate_sum) > 1e-9)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEADS_PER_MINUTE]);
}

/* Recounts from scratch: after a snapshot, and when the day changes. */
static void
recount (BrBatchStore *self)
{
  gint64 now = g_get_real_time ();

  self->day_start = now - now % DAY_USEC;
  self->n_running = self->n_pending = self->n_paused = self->n_failed_today = 0;
  self->rate_sum = 0;
  for (guint i = 0; i < self->items->len; i++)
    account (self, contribution_of (g_ptr_array_index (self->items, i)), +1);
  /* Sums of many small rates drift; the recount puts it right. */
  if (self->n_running == 0)
    self->rate_sum = 0;
}

static void
maybe_new_day (BrBatchStore *self)
{
  gint64 now = g_get_real_time ();

  if (now - self->day_start >= DAY_USEC)
    recount (self);
}

/* Changes ------------------------------------------------------------------- */

static void
append_batch (BrBatchStore *self,
              BrBatch      *batch)
{
  g_ptr_array_add (self->items, g_object_ref (batch));
  g_hash_table_insert (self->by_id, (gpointer) br_batch_get_id (batch), batch);
  account (self, contribution_of (batch), +1);
}

static void
update_batch (BrBatchStore *self,
              BrBatch      *existing,
              JsonObject   *obj,
              GError      **error)
{
  Contribution before = contribution_of (existing);

  if (br_batch_update_from_json (existing, obj, error))
    {
      account (self, before, -1);
      account (self, contribution_of (existing), +1);
    }
}

BrBatch *
br_batch_store_lookup (BrBatchStore *self,
                       const char   *id)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->by_id, id);
}

/* Removes the items whose index is set in @gone, emitting one
 * items-changed per contiguous run, last run first so that positions in
 * the signals stay valid. */
static void
remove_marked (BrBatchStore *self,
               gboolean     *gone)
{
  guint i = self->items->len;

  while (i > 0)
    {
      guint end, start;

      if (!gone[i - 1])
        {
          i--;
          continue;
        }
      end = i;
      while (i > 0 && gone[i - 1])
        i--;
      start = i;

      for (guint j = start; j < end; j++)
        {
          BrBatch *batch = g_ptr_array_index (self->items, j);

          account (self, contribution_of (batch), -1);
          g_hash_table_remove (self->by_id, br_batch_get_id (batch));
        }
      g_ptr_array_remove_range (self->items, start, end - start);
      g_list_model_items_changed (G_LIST_MODEL (self), start, end - start, 0);
    }
}

/**
 * _br_batch_store_decode_snapshot:
 * @batches: the server's `snapshot.batches`
 * @error: where to say what was wrong
 *
 * Decodes and checks every element of @batches (an object, a valid batch,
 * no id twice) without touching any store. It may run in a worker thread:
 * the batches it returns are new and shared with nobody, so the thread
 * that receives them may own them.
 *
 * Returns: (transfer full) (nullable): the #BrBatch objects in order
 */
GPtrArray *
_br_batch_store_decode_snapshot (JsonArray  *batches,
                                 GError    **error)
{
  g_autoptr(GPtrArray) decoded = NULL;
  g_autoptr(GHashTable) incoming = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = json_array_get_length (batches);

  decoded = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (batches, i);
      BrBatch *batch;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "snapshot.batches[%u] is not an object", i);
          return NULL;
        }
      batch = br_batch_new_from_json (json_node_get_object (node), error);
      if (batch == NULL)
        {
          g_prefix_error (error, "snapshot.batches[%u]: ", i);
          return NULL;
        }
      if (!g_hash_table_add (incoming, (gpointer) br_batch_get_id (batch)))
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE,
                       "snapshot.batches holds batch %s twice", br_batch_get_id (batch));
          g_object_unref (batch);
          return NULL;
        }
      g_ptr_array_add (decoded, batch);
    }
  return g_steal_pointer (&decoded);
}

#ifdef __GLIBC__
/* Decoding a large snapshot builds a parse tree several times the size of
 * the batches and frees it again, but the batches made after it sit above
 * it in the heap, and glibc only trims from the top on its own: the hole
 * would stay in the process for good (about 500 MB for 100,000 batches).
 * malloc_trim() returns the free pages of every arena. Once, when the
 * main loop is idle. */
static gboolean
trim_idle_cb (gpointer data)
{
  BrBatchStore *self = data;

  self->trim_source = 0;
  malloc_trim (0);
  return G_SOURCE_REMOVE;
}
#endif

static void
queue_trim (BrBatchStore *self)
{
#ifdef __GLIBC__
  if (self->trim_source == 0)
    self->trim_source = g_idle_add_full (G_PRIORITY_LOW, trim_idle_cb, self, NULL);
#endif
}

static void
set_queue_empty (BrBatchStore *self)
{
  gboolean had = self->queue_order->len > 0;

  g_hash_table_remove_all (self->queued);
  g_ptr_array_set_size (self->queue_order, 0);
  if (had)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_QUEUED]);
}

/**
 * _br_batch_store_apply_decoded_snapshot:
 * @self: a #BrBatchStore
 * @decoded: (transfer none): what _br_batch_store_decode_snapshot() made
 *
 * The second half of br_batch_store_apply_snapshot(): makes the store hold
 * exactly @decoded.
 */
void
_br_batch_store_apply_decoded_snapshot (BrBatchStore *self,
                                        GPtrArray    *decoded)
{
  g_autofree gboolean *gone = NULL;
  Counters before = counters_of (self);
  guint old_len, added = 0;

  g_return_if_fail (BR_IS_BATCH_STORE (self));

  set_queue_empty (self);

  gone = g_new0 (gboolean, self->items->len + 1);
  if (self->items->len > 0)
    {
      g_autoptr(GHashTable) incoming = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < decoded->len; i++)
        g_hash_table_add (incoming, (gpointer) br_batch_get_id (g_ptr_array_index (decoded, i)));
      for (guint i = 0; i < self->items->len; i++)
        gone[i] = !g_hash_table_contains (incoming, br_batch_get_id (g_ptr_array_index (self->items, i)));
      remove_marked (self, gone);
    }

  old_len = self->items->len;
  for (guint i = 0; i < decoded->len; i++)
    {
      BrBatch *batch = g_ptr_array_index (decoded, i);
      BrBatch *existing = g_hash_table_lookup (self->by_id, br_batch_get_id (batch));

      if (existing != NULL)
        {
          Contribution c = contribution_of (existing);

          br_batch_update_from_batch (existing, batch);
          account (self, c, -1);
          account (self, contribution_of (existing), +1);
        }
      else
        {
          append_batch (self, batch);
          added++;
        }
    }
  if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), old_len, 0, added);

  recount (self);
  if (self->items->len != old_len || added > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  notify_counters (self, before);

  if (decoded->len >= TRIM_AFTER_N_BATCHES)
    queue_trim (self);
}

/**
 * br_batch_store_apply_snapshot:
 * @self: a #BrBatchStore
 * @batches: the server's `snapshot.batches`
 * @error: where to say what was wrong
 *
 * Makes the store hold exactly @batches. Batches already present are
 * updated in place (their rows stay), those absent are removed and new
 * ones appended, each with the smallest items-changed ranges. Queued
 * updates older than the snapshot are dropped. If any element is not a
 * valid batch nothing changes.
 */
gboolean
br_batch_store_apply_snapshot (BrBatchStore  *self,
                               JsonArray     *batches,
                               GError       **error)
{
  g_autoptr(GPtrArray) decoded = NULL;

  g_return_val_if_fail (BR_IS_BATCH_STORE (self), FALSE);

  /* Validate everything before touching the model. */
  decoded = _br_batch_store_decode_snapshot (batches, error);
  if (decoded == NULL)
    return FALSE;
  _br_batch_store_apply_decoded_snapshot (self, decoded);
  return TRUE;
}

static gboolean
tick_cb (gpointer data)
{
  BrBatchStore *self = data;

  self->tick_source = 0;
  /* A burst larger than the budget goes on at the next tick, and the
   * frames in between run. */
  if (br_batch_store_flush_budget (self, TICK_BUDGET_US) && self->tick_interval > 0 && self->tick_source == 0)
    self->tick_source = g_timeout_add (self->tick_interval, tick_cb, self);
  return G_SOURCE_REMOVE;
}

/**
 * br_batch_store_queue_update:
 * @self: a #BrBatchStore
 * @batch: a whole Batch object (`batch_created` / `batch_updated`)
 * @error: where to say what was wrong
 *
 * Queues @batch for the next tick. Several updates of one batch before
 * the tick fold into the newest. A message that is not a batch (no id)
 * is refused at once.
 */
gboolean
br_batch_store_queue_update (BrBatchStore  *self,
                             JsonObject    *batch,
                             GError       **error)
{
  JsonNode *id_node;
  const char *id;

  g_return_val_if_fail (BR_IS_BATCH_STORE (self), FALSE);
  g_return_val_if_fail (batch != NULL, FALSE);

  id_node = json_object_get_member (batch, "id");
  if (id_node == NULL || !JSON_NODE_HOLDS_VALUE (id_node) || json_node_get_value_type (id_node) != G_TYPE_STRING)
    {
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_MISSING, "The batch has no string “id”");
      return FALSE;
    }
  id = json_node_get_string (id_node);

  if (!g_hash_table_contains (self->queued, id))
    {
      g_ptr_array_add (self->queue_order, g_strdup (id));
      if (self->queue_order->len == 1)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_QUEUED]);
    }
  g_hash_table_replace (self->queued, g_strdup (id), json_object_ref (batch));

  if (self->tick_interval > 0 && self->tick_source == 0)
    self->tick_source = g_timeout_add (self->tick_interval, tick_cb, self);

  return TRUE;
}

/**
 * br_batch_store_upsert:
 * @self: a #BrBatchStore
 * @batch: a batch (e.g. a REST answer)
 *
 * Applies @batch now: updates the batch of the same id in place, or
 * appends it.
 */
void
br_batch_store_upsert (BrBatchStore *self,
                       BrBatch      *batch)
{
  BrBatch *existing;
  Counters before;

  g_return_if_fail (BR_IS_BATCH_STORE (self));
  g_return_if_fail (BR_IS_BATCH (batch));

  before = counters_of (self);
  existing = g_hash_table_lookup (self->by_id, br_batch_get_id (batch));
  if (existing == batch)
    return;

  if (existing != NULL)
    {
      Contribution c = contribution_of (existing);

      br_batch_update_from_batch (existing, batch);
      account (self, c, -1);
      account (self, contribution_of (existing), +1);
    }
  else
    {
      append_batch (self, batch);
      g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  notify_counters (self, before);
}

gboolean
br_batch_store_remove (BrBatchStore *self,
                       const char   *id)
{
  BrBatch *batch;
  Counters before;
  guint pos;

  g_return_val_if_fail (BR_IS_BATCH_STORE (self), FALSE);

  batch = g_hash_table_lookup (self->by_id, id);
  if (batch == NULL || !g_ptr_array_find (self->items, batch, &pos))
    return FALSE;

  before = counters_of (self);
  account (self, contribution_of (batch), -1);
  g_hash_table_remove (self->by_id, id);
  g_ptr_array_remove_index (self->items, pos);
  g_list_model_items_changed (G_LIST_MODEL (self), pos, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  notify_counters (self, before);
  return TRUE;
}

/**
 * br_batch_store_flush:
 * @self: a #BrBatchStore
 *
 * Applies every queued update now. Updates of known batches change them
 * in place; new batches are appended with one items-changed. An update
 * that does not decode is dropped (and logged): the batch keeps its last
 * good state.
 */
void
br_batch_store_flush (BrBatchStore *self)
{
  g_return_if_fail (BR_IS_BATCH_STORE (self));

  br_batch_store_flush_budget (self, -1);
}

/**
 * br_batch_store_flush_budget:
 * @self: a #BrBatchStore
 * @max_us: how long applying may take, in µs; negative for no limit
 *
 * Applies queued updates in the order they arrived, as
 * br_batch_store_flush() does, until @max_us have passed; the rest stay
 * queued, still in order, for the next call. The monitor calls this once
 * per frame so that a burst of updates is spread over frames instead of
 * delaying one. At least one update is applied per call.
 *
 * Returns: whether updates remain queued
 */
gboolean
br_batch_store_flush_budget (BrBatchStore *self,
                             gint64        max_us)
{
  Counters before;
  guint old_len, added = 0, done;
  gint64 deadline;

  g_return_val_if_fail (BR_IS_BATCH_STORE (self), FALSE);

  if (self->queue_order->len == 0)
    {
      g_clear_handle_id (&self->tick_source, g_source_remove);
      return FALSE;
    }

  maybe_new_day (self);
  before = counters_of (self);
  old_len = self->items->len;
  deadline = max_us >= 0 ? g_get_monotonic_time () + max_us : G_MAXINT64;

  for (done = 0; done < self->queue_order->len; done++)
    {
      const char *id = g_ptr_array_index (self->queue_order, done);
      g_autoptr(JsonObject) obj = NULL;
      g_autofree char *key = NULL;
      BrBatch *existing = g_hash_table_lookup (self->by_id, id);
      g_autoptr(GError) error = NULL;

      /* Reading the clock costs about as much as a small update. */
      if (done > 0 && done % 8 == 0 && g_get_monotonic_time () >= deadline)
        break;

      g_hash_table_steal_extended (self->queued, id, (gpointer *) &key, (gpointer *) &obj);
      g_assert (obj != NULL);

      if (existing != NULL)
        update_batch (self, existing, obj, &error);
      else
        {
          g_autoptr(BrBatch) batch = br_batch_new_from_json (obj, &error);

          if (batch != NULL)
            {
              append_batch (self, batch);
              added++;
            }
        }

      if (error != NULL)
        g_debug ("Dropped an update of batch %s: %s", id, error->message);
    }
  g_ptr_array_remove_range (self->queue_order, 0, done);

  if (added > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), old_len, 0, added);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  notify_counters (self, before);

  if (self->queue_order->len > 0)
    return TRUE;
  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_QUEUED]);
  return FALSE;
}

/**
 * br_batch_store_get_has_queued:
 * @self: a #BrBatchStore
 *
 * Returns: whether updates wait to be applied; #BrBatchStore:has-queued
 *   notifies when this changes, so an owner can flush on its frames only
 *   while there is work
 */
gboolean
br_batch_store_get_has_queued (BrBatchStore *self)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), FALSE);
  return self->queue_order->len > 0;
}

guint
br_batch_store_get_n_queued (BrBatchStore *self)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), 0);
  return self->queue_order->len;
}

guint
br_batch_store_get_tick_interval (BrBatchStore *self)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), 0);
  return self->tick_interval;
}

/**
 * br_batch_store_set_tick_interval:
 * @self: a #BrBatchStore
 * @interval_ms: how long an update may wait before it is applied; 0 means
 *   only when br_batch_store_flush() is called
 */
void
br_batch_store_set_tick_interval (BrBatchStore *self,
                                  guint         interval_ms)
{
  g_return_if_fail (BR_IS_BATCH_STORE (self));

  if (self->tick_interval == interval_ms)
    return;
  self->tick_interval = interval_ms;
  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (interval_ms > 0 && self->queue_order->len > 0)
    self->tick_source = g_timeout_add (interval_ms, tick_cb, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TICK_INTERVAL]);
}

guint
br_batch_store_get_n_running (BrBatchStore *self)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), 0);
  return self->n_running;
}

guint
br_batch_store_get_n_pending (BrBatchStore *self)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), 0);
  return self->n_pending;
}

guint
br_batch_store_get_n_paused (BrBatchStore *self)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), 0);
  return self->n_paused;
}

guint
br_batch_store_get_n_failed_today (BrBatchStore *self)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), 0);
  maybe_new_day (self);
  return self->n_failed_today;
}

/* Throughput of all running batches together, in leads per minute. */
double
br_batch_store_get_leads_per_minute (BrBatchStore *self)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), 0);
  return self->n_running > 0 ? MAX (0.0, self->rate_sum * 60.0) : 0.0;
}

double
br_batch_store_get_spent_today (BrBatchStore *self)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), 0);
  return self->spent_today;
}

/* Spend is the server's figure (health), not a sum of batch costs: a
 * batch that started yesterday has spent part of its cost yesterday. */
void
br_batch_store_set_spent_today (BrBatchStore *self,
                                double        usd)
{
  g_return_if_fail (BR_IS_BATCH_STORE (self));

  if (self->spent_today == usd)
    return;
  self->spent_today = usd;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPENT_TODAY]);
}

double
br_batch_store_get_daily_budget (BrBatchStore *self)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (self), 0);
  return self->daily_budget;
}

void
br_batch_store_set_daily_budget (BrBatchStore *self,
                                 double        usd)
{
  g_return_if_fail (BR_IS_BATCH_STORE (self));

  if (self->daily_budget == usd)
    return;
  self->daily_budget = usd;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DAILY_BUDGET]);
}

static void
br_batch_store_finalize (GObject *object)
{
  BrBatchStore *self = BR_BATCH_STORE (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_handle_id (&self->trim_source, g_source_remove);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->queued, g_hash_table_unref);
  g_clear_pointer (&self->queue_order, g_ptr_array_unref);

  G_OBJECT_CLASS (br_batch_store_parent_class)->finalize (object);
}

static void
br_batch_store_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BrBatchStore *self = BR_BATCH_STORE (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    case PROP_TICK_INTERVAL:
      g_value_set_uint (value, self->tick_interval);
      break;
    case PROP_N_RUNNING:
      g_value_set_uint (value, self->n_running);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    case PROP_N_PAUSED:
      g_value_set_uint (value, self->n_paused);
      break;
    case PROP_N_FAILED_TODAY:
      g_value_set_uint (value, br_batch_store_get_n_failed_today (self));
      break;
    case PROP_LEADS_PER_MINUTE:
      g_value_set_double (value, br_batch_store_get_leads_per_minute (self));
      break;
    case PROP_SPENT_TODAY:
      g_value_set_double (value, self->spent_today);
      break;
    case PROP_DAILY_BUDGET:
      g_value_set_double (value, self->daily_budget);
      break;
    case PROP_HAS_QUEUED:
      g_value_set_boolean (value, self->queue_order->len > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
br_batch_store_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BrBatchStore *self = BR_BATCH_STORE (object);

  switch (prop_id)
    {
    case PROP_TICK_INTERVAL:
      br_batch_store_set_tick_interval (self, g_value_get_uint (value));
      break;
    case PROP_SPENT_TODAY:
      br_batch_store_set_spent_today (self, g_value_get_double (value));
      break;
    case PROP_DAILY_BUDGET:
      br_batch_store_set_daily_budget (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
br_batch_store_class_init (BrBatchStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = br_batch_store_finalize;
  object_class->get_property = br_batch_store_get_property;
  object_class->set_property = br_batch_store_set_property;

  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_TICK_INTERVAL] = g_param_spec_uint ("tick-interval", NULL, NULL, 0, 10000, 16, rw);
  properties[PROP_N_RUNNING] = g_param_spec_uint ("n-running", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_PENDING] = g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_PAUSED] = g_param_spec_uint ("n-paused", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_FAILED_TODAY] = g_param_spec_uint ("n-failed-today", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LEADS_PER_MINUTE] = g_param_spec_double ("leads-per-minute", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_SPENT_TODAY] = g_param_spec_double ("spent-today", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);
  properties[PROP_DAILY_BUDGET] = g_param_spec_double ("daily-budget", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);
  /**
   * BrBatchStore:has-queued:
   *
   * Whether updates wait for the next tick or flush.
   */
  properties[PROP_HAS_QUEUED] = g_param_spec_boolean ("has-queued", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
br_batch_store_init (BrBatchStore *self)
{
  gint64 now = g_get_real_time ();

  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->queued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  self->queue_order = g_ptr_array_new_with_free_func (g_free);
  self->tick_interval = 16;
  self->day_start = now - now % DAY_USEC;
}

/**
 * br_batch_store_new:
 *
 * Returns: (transfer full): an empty store that applies updates every
 *   16 ms
 */
BrBatchStore *
br_batch_store_new (void)
{
  return g_object_new (BR_TYPE_BATCH_STORE, NULL);
}
