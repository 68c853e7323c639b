/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-engine"

#include "config.h"

#include <math.h>
#include <string.h>

#include "brd-engine.h"
#include "brd-json.h"

#define MAX_BACKOFF_USEC (60 * G_USEC_PER_SEC)

typedef struct _EngineBatch EngineBatch;

typedef struct
{
  BrdEngine    *engine;
  EngineBatch  *batch;         /* weak: the batch outlives its jobs */
  char         *batch_id;
  BrdLead      *lead;
  guint         attempt;
  GCancellable *cancellable;
  GStrv         providers;
  gboolean      dispatched;
} Job;

struct _EngineBatch
{
  char              *id;
  char              *name;
  char              *status;
  const BrdTemplate *tmpl;
  int                max_concurrent;
  gboolean           retry_failed;
  int                retry_count;
  int                total_leads;
  gint64             started_at;
  GHashTable        *jobs;      /* lead id → Job, claimed and not yet recorded */
  gboolean           exhausted; /* nothing claimable right now */
};

typedef struct
{
  Job          *job;
  BrdJobResult *result;         /* NULL when cancelled */
} Completion;

typedef struct
{
  double tokens;
  double capacity;
  double per_usec;
  gint64 last;
} Bucket;

struct _BrdEngine
{
  BrdConfig    *config;
  BrdStore     *store;
  BrdEvents    *events;
  BrdPricing   *pricing;
  BrdProcessor *processor;

  GHashTable   *batches;        /* id → EngineBatch, non-terminal only */
  GQueue        rotation;       /* ids (owned by batches), fair order */
  guint         in_flight;      /* claimed jobs, dispatched or waiting for rate */
  GQueue        rate_waiting;   /* Job, claimed, waiting for provider quota */
  GHashTable   *buckets;        /* provider → Bucket */
  GPtrArray    *completions;    /* Completion */
  guint         commit_source;
  guint         schedule_source;
  guint         wake_source;
  gint64        wake_at;
  guint64       leads_done;
  guint64       leads_failed;

  gboolean      shutting_down;
  GTask        *shutdown_task;
  guint         grace_source;
};

G_DEFINE_QUARK (brd-engine-error-quark, brd_engine_error)

static void schedule_soon (BrdEngine *self);
static void maybe_finish_shutdown (BrdEngine *self);

static void
job_free (Job *job)
{
  g_free (job->batch_id);
  brd_lead_free (job->lead);
  g_clear_object (&job->cancellable);
  g_strfreev (job->providers);
  g_free (job);
}

static void
engine_batch_free (EngineBatch *b)
{
  g_hash_table_unref (b->jobs);
  g_free (b->id);
  g_free (b->name);
  g_free (b->status);
  g_free (b);
}

static void
set_status (EngineBatch *b,
            const char  *status)
{
  g_free (b->status);
  b->status = g_strdup (status);
}

static gboolean
is_runnable (EngineBatch *b)
{
  return g_str_equal (b->status, "pending") || g_str_equal (b->status, "running");
}

static EngineBatch *
track_batch (BrdEngine      *self,
             const BrdBatch *batch)
{
  EngineBatch *b = g_new0 (EngineBatch, 1);

  b->id = g_strdup (batch->id);
  b->name = g_strdup (batch->name);
  b->status = g_strdup (batch->status);
  b->tmpl = brd_pricing_find_template (self->pricing, batch->template_version);
  if (b->tmpl == NULL)
    b->tmpl = brd_pricing_get_default_template (self->pricing);
  b->max_concurrent = MAX (1, batch->max_concurrent);
  b->retry_failed = batch->retry_failed;
  b->retry_count = batch->retry_count;
  b->total_leads = batch->total_leads;
  b->started_at = batch->started_at;
  b->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, NULL);

  g_hash_table_insert (self->batches, b->id, b);
  g_queue_push_tail (&self->rotation, b->id);
  return b;
}

static void
untrack_batch (BrdEngine   *self,
               EngineBatch *b)
{
  /* Jobs still in flight keep a pointer; a terminal batch is only
   * dropped once they are all recorded. */
  if (g_hash_table_size (b->jobs) > 0)
    return;
  g_queue_remove (&self->rotation, b->id);
  g_hash_table_remove (self->batches, b->id);
}

/* Provider rate limits --------------------------------------------------- */

static Bucket *
bucket_for (BrdEngine  *self,
            const char *provider)
{
  Bucket *bucket = g_hash_table_lookup (self->buckets, provider);
  guint rpm;

  if (bucket != NULL)
    return bucket;

  rpm = brd_pricing_get_provider_rpm (self->pricing, provider);
  if (rpm == 0)
    return NULL;

  bucket = g_new0 (Bucket, 1);
  /* A few seconds of burst, then the steady rate. */
  bucket->capacity = MAX (1.0, rpm / 12.0);
  bucket->tokens = bucket->capacity;
  bucket->per_usec = rpm / 60.0 / G_USEC_PER_SEC;
  bucket->last = g_get_monotonic_time ();
  g_hash_table_insert (self->buckets, g_strdup (provider), bucket);
  return bucket;
}

static void
refill (Bucket *bucket,
        gint64  now)
{
  bucket->tokens = MIN (bucket->capacity, bucket->tokens + (now - bucket->last) * bucket->per_usec);
  bucket->last = now;
}

/* Takes one request from each of the job's providers, all or none.
 * Returns 0 when taken, else how long until they would be available. */
static gint64
take_tokens (BrdEngine *self,
             Job       *job)
{
  gint64 now = g_get_monotonic_time ();
  gint64 wait = 0;

  for (guint i = 0; job->providers && job->providers[i]; i++)
    {
      Bucket *bucket = bucket_for (self, job->providers[i]);

      if (bucket == NULL)
        continue;
      refill (bucket, now);
      if (bucket->tokens < 1.0)
        wait = MAX (wait, (gint64) ceil ((1.0 - bucket->tokens) / bucket->per_usec));
    }

  if (wait > 0)
    return wait;

  for (guint i = 0; job->providers && job->providers[i]; i++)
    {
      Bucket *bucket = bucket_for (self, job->providers[i]);
      if (bucket != NULL)
        bucket->tokens -= 1.0;
    }
  return 0;
}

/* Dispatch --------------------------------------------------------------- */

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;
  BrdEngine *self = job->engine;
  g_autoptr(GError) error = NULL;
  Completion *c = g_new0 (Completion, 1);

  c->job = job;
  c->result = brd_processor_run_finish (self->processor, result, &error);
  if (c->result == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Processors report a lead's failure as a result; anything else is
       * still that lead's failure, never the engine's. */
      c->result = g_new0 (BrdJobResult, 1);
      c->result->success = FALSE;
      c->result->cost_breakdown = json_object_new ();
      c->result->quality_score = -1;
      c->result->error_code = g_strdup ("PROCESSOR_ERROR");
      c->result->error_message = g_strdup (error ? error->message : "The processor failed");
    }

  g_ptr_array_add (self->completions, c);
  schedule_soon (self);
}

static void
dispatch (BrdEngine *self,
          Job       *job)
{
  g_autoptr(BrdJob) brd_job = brd_job_new ();

  job->dispatched = TRUE;

  brd_job->lead = brd_lead_copy (job->lead);
  brd_job->batch_id = g_strdup (job->batch_id);
  brd_job->batch_name = g_strdup (job->batch->name);
  brd_job->template_version = g_strdup (job->batch->tmpl ? job->batch->tmpl->version : "v1");
  brd_job->template_name = g_strdup (job->batch->tmpl ? job->batch->tmpl->name : NULL);
  brd_job->attempt = job->attempt;
  brd_job->expected_costs = json_object_new ();
  if (job->batch->tmpl != NULL)
    brd_job->expected_total = brd_pricing_lead_cost (self->pricing, job->batch->tmpl, job->lead,
                                                     job->batch->total_leads, brd_job->expected_costs);

  brd_processor_run_async (self->processor, g_steal_pointer (&brd_job), job->cancellable,
                           job_done_cb, job);
}

static gboolean
wake_cb (gpointer data)
{
  BrdEngine *self = data;

  self->wake_source = 0;
  self->wake_at = 0;
  for (GList *l = self->rotation.head; l; l = l->next)
    {
      EngineBatch *b = g_hash_table_lookup (self->batches, l->data);
      b->exhausted = FALSE;
    }
  schedule_soon (self);
  return G_SOURCE_REMOVE;
}

static void
wake_in (BrdEngine *self,
         gint64     delay_usec)
{
  gint64 at = g_get_monotonic_time () + MAX (delay_usec, 1000);

  if (self->wake_source != 0 && self->wake_at <= at)
    return;
  g_clear_handle_id (&self->wake_source, g_source_remove);
  self->wake_at = at;
  self->wake_source = g_timeout_add (MAX (1, (guint) ((delay_usec + 999) / 1000)), wake_cb, self);
}

static void
dispatch_rate_waiting (BrdEngine *self)
{
  guint n = self->rate_waiting.length;
  gint64 soonest = G_MAXINT64;

  for (guint i = 0; i < n; i++)
    {
      Job *job = g_queue_pop_head (&self->rate_waiting);
      gint64 wait = take_tokens (self, job);

      if (wait == 0)
        dispatch (self, job);
      else
        {
          soonest = MIN (soonest, wait);
          g_queue_push_tail (&self->rate_waiting, job);
        }
    }

  if (soonest != G_MAXINT64)
    wake_in (self, soonest);
}

static void
mark_started (BrdEngine   *self,
              EngineBatch *b,
              GPtrArray   *status_changed)
{
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (b->status, "pending"))
    return;

  b->started_at = b->started_at > 0 ? b->started_at : g_get_real_time ();
  if (!brd_store_update_batch_state (self->store, b->id, "running", b->started_at, 0, NULL, &error))
    {
      g_warning ("Starting batch %s: %s", b->id, error->message);
      return;
    }
  set_status (b, "running");
  g_ptr_array_add (status_changed, g_strdup (b->id));
}

/* Fills free worker slots fairly: one lead per runnable batch per round,
 * so a big batch cannot starve a small one, each within its own
 * max_concurrent. All claims of one call share one transaction. */
static void
schedule (BrdEngine *self)
{
  g_autoptr(GPtrArray) status_changed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) progressed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) to_dispatch = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) quota = g_hash_table_new (g_str_hash, g_str_equal);
  guint free_slots;
  gboolean progress = TRUE;
  gint64 now = g_get_real_time ();

  if (self->shutting_down)
    return;

  free_slots = self->config->workers > (int) self->in_flight ? self->config->workers - self->in_flight : 0;

  /* Hand out slots round-robin in memory first... */
  while (free_slots > 0 && progress)
    {
      progress = FALSE;
      for (GList *l = self->rotation.head; l && free_slots > 0; l = l->next)
        {
          EngineBatch *b = g_hash_table_lookup (self->batches, l->data);
          guint q = GPOINTER_TO_UINT (g_hash_table_lookup (quota, b->id));

          if (!is_runnable (b) || b->exhausted)
            continue;
          if ((int) (g_hash_table_size (b->jobs) + q) >= b->max_concurrent)
            continue;
          g_hash_table_insert (quota, b->id, GUINT_TO_POINTER (q + 1));
          free_slots--;
          progress = TRUE;
        }
    }

  if (g_hash_table_size (quota) == 0)
    {
      /* Nothing new to claim, but claimed leads may now get their quota. */
      dispatch_rate_waiting (self);
      goto out;
    }

  /* ...then claim them in one transaction. */
  if (!brd_store_begin (self->store, &error))
    {
      g_warning ("Scheduling: %s", error->message);
      return;
    }

  for (GList *l = self->rotation.head; l; l = l->next)
    {
      EngineBatch *b = g_hash_table_lookup (self->batches, l->data);
      guint q = GPOINTER_TO_UINT (g_hash_table_lookup (quota, b->id));
      g_autoptr(GPtrArray) leads = NULL;

      if (q == 0)
        continue;

      leads = brd_store_claim_leads (self->store, b->id, q, now, &error);
      if (leads == NULL)
        {
          g_warning ("Claiming leads of %s: %s", b->id, error->message);
          brd_store_rollback (self->store);
          return;
        }

      if (leads->len < q)
        {
          gint64 next = brd_store_next_attempt_at (self->store, b->id);

          b->exhausted = TRUE;
          if (next > now)
            wake_in (self, next - now);
        }

      if (leads->len == 0)
        continue;

      mark_started (self, b, status_changed);
      g_ptr_array_add (progressed, g_strdup (b->id));

      for (guint i = 0; i < leads->len; i++)
        {
          Job *job = g_new0 (Job, 1);
          g_autoptr(BrdLeadResult) row = NULL;

          job->engine = self;
          job->batch = b;
          job->batch_id = g_strdup (b->id);
          job->lead = g_steal_pointer (&leads->pdata[i]);
          job->cancellable = g_cancellable_new ();
          if (brd_processor_get_kind (self->processor) != BRD_PROCESSOR_NOOP)
            job->providers = brd_pricing_providers_for_lead (self->pricing, job->lead);
          row = brd_store_get_result (self->store, b->id, job->lead->id);
          job->attempt = row ? (guint) row->attempts : 1;

          g_hash_table_insert (b->jobs, job->lead->id, job);
          self->in_flight++;
          g_ptr_array_add (to_dispatch, job);
        }
    }

  if (!brd_store_commit (self->store, &error))
    {
      g_warning ("Scheduling: %s", error->message);
      return;
    }

  for (guint i = 0; i < to_dispatch->len; i++)
    g_queue_push_tail (&self->rate_waiting, to_dispatch->pdata[i]);
  dispatch_rate_waiting (self);

  for (guint i = 0; i < status_changed->len; i++)
    brd_events_batch_changed (self->events, status_changed->pdata[i], TRUE);
  for (guint i = 0; i < progressed->len; i++)
    if (!g_ptr_array_find_with_equal_func (status_changed, progressed->pdata[i], g_str_equal, NULL))
      brd_events_batch_changed (self->events, progressed->pdata[i], FALSE);

  /* Rotate, so the next round starts with another batch. */
  if (self->rotation.length > 1)
    g_queue_push_tail (&self->rotation, g_queue_pop_head (&self->rotation));

out:
  return;
}

/* Results ---------------------------------------------------------------- */

static gint64
backoff_usec (BrdEngine *self,
              guint      attempt)
{
  gint64 base = (gint64) self->config->retry_backoff_ms * 1000;
  gint64 delay = base << MIN (attempt > 0 ? attempt - 1 : 0, 20u);

  return MIN (delay, MAX_BACKOFF_USEC);
}

/* A batch with nothing left to do ends: completed, or failed when every
 * lead it processed failed. Returns TRUE if the status changed. */
static gboolean
maybe_finish_batch (BrdEngine    *self,
                    EngineBatch  *b,
                    GError      **error)
{
  g_autoptr(BrdBatch) row = brd_store_get_batch (self->store, b->id);
  g_autofree char *message = NULL;
  const char *status;

  if (row == NULL || !g_str_equal (row->status, "running"))
    return FALSE;
  if (row->pending_leads > 0 || row->processing_leads > 0)
    return FALSE;

  if (row->failed_leads > 0 && row->successful_leads == 0)
    {
      status = "failed";
      message = g_strdup_printf ("All %d processed leads failed", row->failed_leads);
    }
  else
    status = "completed";

  if (!brd_store_update_batch_state (self->store, b->id, status, row->started_at,
                                     g_get_real_time (), message, error))
    return FALSE;
  set_status (b, status);
  return TRUE;
}

static void
record (BrdEngine        *self,
        Completion       *c,
        GHashTable       *touched,
        GError          **error)
{
  Job *job = c->job;
  EngineBatch *b = job->batch;
  g_autoptr(BrdLeadResult) r = g_new0 (BrdLeadResult, 1);
  gint64 now = g_get_real_time ();

  r->lead_id = g_strdup (job->lead->id);
  r->processing_duration_ms = -1;
  r->quality_score = -1;
  {
    g_autoptr(BrdLeadResult) row = brd_store_get_result (self->store, job->batch_id, job->lead->id);
    r->retry_count = row ? row->retry_count : 0;
  }

  if (c->result == NULL)
    {
      /* Stopped: by a graceful shutdown (back to pending, to be done on the
       * next start) or by a cancel of the batch (skipped). */
      if (self->shutting_down && !g_str_equal (b->status, "cancelled"))
        {
          if (!brd_store_requeue_lead (self->store, job->batch_id, job->lead->id, error))
            return;
          g_hash_table_add (touched, job->batch_id);
          return;
        }
      r->status = g_strdup ("skipped");
      r->error_code = g_strdup ("CANCELLED");
      r->error_message = g_strdup ("Stopped because the batch was cancelled");
      r->completed_at = now;
    }
  else
    {
      BrdJobResult *res = c->result;

      r->report_url = g_strdup (res->report_url);
      r->actual_cost_usd = res->cost_usd;
      if (res->cost_breakdown != NULL)
        {
          JsonNode *node = json_node_init_object (json_node_alloc (), res->cost_breakdown);
          r->cost_breakdown = brd_json_to_string (node);
          json_node_unref (node);
        }
      r->processing_duration_ms = res->duration_ms;
      r->quality_score = res->quality_score;

      if (res->success)
        {
          r->status = g_strdup ("completed");
          r->completed_at = now;
          self->leads_done++;
        }
      else
        {
          r->error_code = g_strdup (res->error_code ? res->error_code : "FAILED");
          r->error_message = g_strdup (res->error_message);

          if (b->retry_failed && (int) job->attempt <= b->retry_count &&
              !g_str_equal (b->status, "cancelled"))
            {
              /* Automatic retry: pending again, after a backoff that doubles
               * with each attempt. The last error stays visible meanwhile. */
              r->status = g_strdup ("pending");
              r->next_attempt_at = now + backoff_usec (self, job->attempt);
              r->retry_count++;
              b->exhausted = FALSE;
              wake_in (self, r->next_attempt_at - now);
            }
          else
            {
              r->status = g_strdup ("failed");
              r->completed_at = now;
              self->leads_done++;
              self->leads_failed++;
            }
        }
    }

  if (!brd_store_record_result (self->store, job->batch_id, r, error))
    return;
  g_hash_table_add (touched, job->batch_id);
}

static gboolean
commit_cb (gpointer data)
{
  BrdEngine *self = data;
  g_autoptr(GPtrArray) completions = NULL;
  g_autoptr(GHashTable) touched = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) touched_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key;

  self->commit_source = 0;

  if (self->completions->len > 0)
    {
      completions = g_steal_pointer (&self->completions);
      self->completions = g_ptr_array_new ();

      /* Group commit: every result that arrived since the last run, in one
       * transaction with the recount of the batches they belong to. */
      if (!brd_store_begin (self->store, &error))
        g_error ("Cannot record results: %s", error->message);

      for (guint i = 0; i < completions->len; i++)
        {
          Completion *c = g_ptr_array_index (completions, i);

          record (self, c, touched, &error);
          if (error != NULL)
            g_error ("Cannot record the result of lead %s: %s", c->job->lead->id, error->message);
        }

      g_hash_table_iter_init (&iter, touched);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          EngineBatch *b = g_hash_table_lookup (self->batches, key);

          if (!brd_store_recount_batch (self->store, key, &error))
            g_error ("Cannot count the leads of %s: %s", (char *) key, error->message);
          g_ptr_array_add (touched_ids, g_strdup (key));
          if (b != NULL && !self->shutting_down && maybe_finish_batch (self, b, &error))
            g_ptr_array_add (finished, g_strdup (key));
          if (error != NULL)
            g_error ("Cannot finish batch %s: %s", (char *) key, error->message);
        }

      if (!brd_store_commit (self->store, &error))
        g_error ("Cannot record results: %s", error->message);

      /* Now that it is durable, let go of the jobs and tell the world. */
      for (guint i = 0; i < completions->len; i++)
        {
          Completion *c = g_ptr_array_index (completions, i);
          Job *job = c->job;

          brd_events_lead_updated (self->events, job->batch_id, job->lead->id);
          g_hash_table_remove (job->batch->jobs, job->lead->id);
          self->in_flight--;
          brd_job_result_free (c->result);
          job_free (job);
          g_free (c);
        }

      for (guint i = 0; i < touched_ids->len; i++)
        {
          const char *id = touched_ids->pdata[i];
          gboolean changed = g_ptr_array_find_with_equal_func (finished, id, g_str_equal, NULL);
          EngineBatch *b = g_hash_table_lookup (self->batches, id);

          brd_events_batch_changed (self->events, id, changed);
          if (b != NULL && !is_runnable (b) && !g_str_equal (b->status, "paused"))
            untrack_batch (self, b);
        }
    }

  if (self->shutting_down)
    maybe_finish_shutdown (self);
  else
    schedule (self);

  return G_SOURCE_REMOVE;
}

/* Runs after the main context has dispatched everything of higher
 * priority: all results ready by then are committed together. */
static void
schedule_soon (BrdEngine *self)
{
  if (self->commit_source == 0)
    self->commit_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, commit_cb, self, NULL);
}

/* Control ---------------------------------------------------------------- */

static BrdBatch *
load_batch (BrdEngine   *self,
            const char  *batch_id,
            GError     **error)
{
  BrdBatch *batch = brd_store_get_batch (self->store, batch_id);

  if (batch == NULL)
    g_set_error (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_NOT_FOUND, "No batch with id %s", batch_id);
  return batch;
}

static gboolean
store_failed (GError **error,
              GError  *store_error)
{
  g_set_error (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_FAILED, "%s", store_error->message);
  g_error_free (store_error);
  return FALSE;
}

char *
brd_engine_create_batch (BrdEngine          *self,
                         const BrdBatch     *spec,
                         const char * const *lead_ids,
                         guint               n_leads,
                         const BrdActor     *actor,
                         GError            **error)
{
  BrdBatch batch = *spec;
  g_autoptr(BrdBatch) row = NULL;
  g_autofree char *detail = NULL;
  GError *local_error = NULL;

  batch.id = g_uuid_string_random ();
  batch.status = (char *) "pending";
  batch.created_at = g_get_real_time ();

  if (!brd_store_begin (self->store, &local_error))
    {
      g_free (batch.id);
      store_failed (error, local_error);
      return NULL;
    }
  detail = g_strdup_printf ("%u leads, template %s, estimated $%.4f", n_leads,
                            batch.template_version, batch.estimated_cost_usd);
  if (!brd_store_insert_batch (self->store, &batch, lead_ids, n_leads, &local_error) ||
      !brd_store_audit (self->store, actor->actor, actor->role, "start", batch.id, detail, &local_error) ||
      !brd_store_commit (self->store, &local_error))
    {
      brd_store_rollback (self->store);
      g_free (batch.id);
      store_failed (error, local_error);
      return NULL;
    }

  row = brd_store_get_batch (self->store, batch.id);
  track_batch (self, row);
  brd_events_batch_created (self->events, batch.id);
  schedule (self);

  return batch.id;
}

static gboolean
change_state (BrdEngine      *self,
              const char     *batch_id,
              const char     *action,
              const char     *new_status,
              const BrdActor *actor,
              GError        **error)
{
  g_autoptr(BrdBatch) batch = load_batch (self, batch_id, error);
  GError *local_error = NULL;
  EngineBatch *b;

  if (batch == NULL)
    return FALSE;

  if (!brd_store_begin (self->store, &local_error))
    return store_failed (error, local_error);
  if (!brd_store_update_batch_state (self->store, batch_id, new_status, batch->started_at,
                                     batch->completed_at, batch->error_message, &local_error) ||
      !brd_store_audit (self->store, actor->actor, actor->role, action, batch_id, NULL, &local_error) ||
      !brd_store_commit (self->store, &local_error))
    {
      brd_store_rollback (self->store);
      return store_failed (error, local_error);
    }

  b = g_hash_table_lookup (self->batches, batch_id);
  if (b != NULL)
    set_status (b, new_status);
  return TRUE;
}

gboolean
brd_engine_pause (BrdEngine       *self,
                  const char      *batch_id,
                  const BrdActor  *actor,
                  GError         **error)
{
  g_autoptr(BrdBatch) batch = load_batch (self, batch_id, error);
  EngineBatch *b;

  if (batch == NULL)
    return FALSE;
  if (!g_str_equal (batch->status, "running") && !g_str_equal (batch->status, "pending"))
    {
      g_set_error (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_INVALID_TRANSITION,
                   "Cannot pause a %s batch: only pending or running batches can be paused", batch->status);
      return FALSE;
    }

  if (!change_state (self, batch_id, "pause", "paused", actor, error))
    return FALSE;

  /* Leads waiting for provider quota have not started: back to pending. */
  b = g_hash_table_lookup (self->batches, batch_id);
  if (b != NULL)
    {
      for (GList *l = self->rate_waiting.head; l;)
        {
          GList *next = l->next;
          Job *job = l->data;

          if (job->batch == b)
            {
              g_cancellable_cancel (job->cancellable);
              g_queue_delete_link (&self->rate_waiting, l);
              brd_store_requeue_lead (self->store, job->batch_id, job->lead->id, NULL);
              g_hash_table_remove (b->jobs, job->lead->id);
              self->in_flight--;
              job_free (job);
            }
          l = next;
        }
      brd_store_recount_batch (self->store, batch_id, NULL);
    }

  brd_events_batch_changed (self->events, batch_id, TRUE);
  return TRUE;
}

gboolean
brd_engine_resume (BrdEngine       *self,
                   const char      *batch_id,
                   const BrdActor  *actor,
                   GError         **error)
{
  g_autoptr(BrdBatch) batch = load_batch (self, batch_id, error);
  g_autoptr(GError) finish_error = NULL;
  EngineBatch *b;

  if (batch == NULL)
    return FALSE;
  if (!g_str_equal (batch->status, "paused"))
    {
      g_set_error (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_INVALID_TRANSITION,
                   "Cannot resume a %s batch: only paused batches can be resumed", batch->status);
      return FALSE;
    }

  if (!change_state (self, batch_id, "resume", batch->started_at > 0 ? "running" : "pending", actor, error))
    return FALSE;

  b = g_hash_table_lookup (self->batches, batch_id);
  if (b != NULL)
    {
      b->exhausted = FALSE;
      if (maybe_finish_batch (self, b, &finish_error))
        untrack_batch (self, b);
    }

  brd_events_batch_changed (self->events, batch_id, TRUE);
  schedule (self);
  return TRUE;
}

gboolean
brd_engine_cancel (BrdEngine       *self,
                   const char      *batch_id,
                   const BrdActor  *actor,
                   GError         **error)
{
  g_autoptr(BrdBatch) batch = load_batch (self, batch_id, error);
  g_autofree char *reason = NULL;
  GError *local_error = NULL;
  EngineBatch *b;
  guint skipped;

  if (batch == NULL)
    return FALSE;
  if (!g_str_equal (batch->status, "pending") && !g_str_equal (batch->status, "running") &&
      !g_str_equal (batch->status, "paused"))
    {
      g_set_error (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_INVALID_TRANSITION,
                   "Cannot cancel a %s batch: it has already ended", batch->status);
      return FALSE;
    }

  reason = g_strdup_printf ("Skipped because %s cancelled the batch", actor->actor);
  if (!brd_store_begin (self->store, &local_error))
    return store_failed (error, local_error);
  skipped = brd_store_skip_pending (self->store, batch_id, reason, &local_error);
  if (skipped == G_MAXUINT ||
      !brd_store_update_batch_state (self->store, batch_id, "cancelled", batch->started_at,
                                     g_get_real_time (), NULL, &local_error) ||
      !brd_store_recount_batch (self->store, batch_id, &local_error))
    {
      brd_store_rollback (self->store);
      return store_failed (error, local_error);
    }
  {
    g_autofree char *detail = g_strdup_printf ("%u pending leads skipped", skipped);
    if (!brd_store_audit (self->store, actor->actor, actor->role, "cancel", batch_id, detail, &local_error) ||
        !brd_store_commit (self->store, &local_error))
      {
        brd_store_rollback (self->store);
        return store_failed (error, local_error);
      }
  }

  /* Stop what is in flight; each stopped lead is recorded as skipped. */
  b = g_hash_table_lookup (self->batches, batch_id);
  if (b != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      set_status (b, "cancelled");
      g_hash_table_iter_init (&iter, b->jobs);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Job *job = value;

          if (job->dispatched)
            g_cancellable_cancel (job->cancellable);
          else
            {
              /* Never started (waiting for quota): a completion of its own. */
              Completion *c = g_new0 (Completion, 1);

              g_queue_remove (&self->rate_waiting, job);
              job->dispatched = TRUE;
              c->job = job;
              g_ptr_array_add (self->completions, c);
              schedule_soon (self);
            }
        }
      untrack_batch (self, b);
    }

  brd_events_batch_changed (self->events, batch_id, TRUE);
  return TRUE;
}

guint
brd_engine_retry (BrdEngine          *self,
                  const char         *batch_id,
                  const char * const *lead_ids,
                  const BrdActor     *actor,
                  GError            **error)
{
  g_autoptr(BrdBatch) batch = load_batch (self, batch_id, error);
  g_autoptr(GPtrArray) failed = NULL;
  g_autofree char *detail = NULL;
  GError *local_error = NULL;
  gboolean terminal;
  const char *new_status;
  EngineBatch *b;
  guint n;

  if (batch == NULL)
    return 0;

  failed = brd_store_failed_lead_ids (self->store, batch_id);
  if (lead_ids != NULL)
    {
      g_autoptr(GString) bad = g_string_new (NULL);

      for (guint i = 0; lead_ids[i]; i++)
        if (!g_ptr_array_find_with_equal_func (failed, lead_ids[i], g_str_equal, NULL))
          g_string_append_printf (bad, "%s%s", bad->len ? ", " : "", lead_ids[i]);
      if (bad->len > 0)
        {
          g_set_error (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_INVALID,
                       "These leads are not failed leads of the batch: %s", bad->str);
          return 0;
        }
    }
  if (failed->len == 0)
    {
      g_set_error (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_INVALID_TRANSITION,
                   "The batch has no failed leads to retry");
      return 0;
    }
  if (g_str_equal (batch->status, "cancelled"))
    {
      g_set_error (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_INVALID_TRANSITION,
                   "Cannot retry leads of a cancelled batch");
      return 0;
    }

  terminal = g_str_equal (batch->status, "completed") || g_str_equal (batch->status, "failed");
  new_status = terminal ? "running" : batch->status;

  if (!brd_store_begin (self->store, &local_error))
    {
      store_failed (error, local_error);
      return 0;
    }
  n = brd_store_retry_failed (self->store, batch_id, lead_ids, &local_error);
  detail = g_strdup_printf ("%u failed leads back to pending", n);
  if (n == G_MAXUINT ||
      !brd_store_update_batch_state (self->store, batch_id, new_status,
                                     batch->started_at > 0 ? batch->started_at : 0,
                                     terminal ? 0 : batch->completed_at, NULL, &local_error) ||
      !brd_store_recount_batch (self->store, batch_id, &local_error) ||
      !brd_store_audit (self->store, actor->actor, actor->role, "retry", batch_id, detail, &local_error) ||
      !brd_store_commit (self->store, &local_error))
    {
      brd_store_rollback (self->store);
      store_failed (error, local_error);
      return 0;
    }

  b = g_hash_table_lookup (self->batches, batch_id);
  if (b == NULL)
    {
      g_autoptr(BrdBatch) row = brd_store_get_batch (self->store, batch_id);
      b = track_batch (self, row);
    }
  set_status (b, new_status);
  b->exhausted = FALSE;

  brd_events_batch_changed (self->events, batch_id, TRUE);
  schedule (self);
  return n;
}

/* Life cycle ------------------------------------------------------------- */

BrdEngine *
brd_engine_new (BrdConfig    *config,
                BrdStore     *store,
                BrdEvents    *events,
                BrdPricing   *pricing,
                BrdProcessor *processor)
{
  BrdEngine *self = g_new0 (BrdEngine, 1);

  self->config = config;
  self->store = store;
  self->events = events;
  self->pricing = pricing;
  self->processor = processor;
  self->batches = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) engine_batch_free);
  g_queue_init (&self->rotation);
  g_queue_init (&self->rate_waiting);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->completions = g_ptr_array_new ();

  return self;
}

void
brd_engine_start (BrdEngine *self)
{
  g_autoptr(GPtrArray) active = brd_store_list_active_batches (self->store);

  for (guint i = 0; i < active->len; i++)
    track_batch (self, g_ptr_array_index (active, i));

  if (active->len > 0)
    g_message ("Resuming %u unfinished batches", active->len);

  schedule (self);
}

void
brd_engine_free (BrdEngine *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->commit_source, g_source_remove);
  g_clear_handle_id (&self->wake_source, g_source_remove);
  g_clear_handle_id (&self->grace_source, g_source_remove);
  g_queue_clear (&self->rotation);
  g_queue_clear (&self->rate_waiting);
  g_hash_table_unref (self->batches);
  g_hash_table_unref (self->buckets);
  g_ptr_array_unref (self->completions);
  g_clear_object (&self->shutdown_task);
  g_free (self);
}

guint
brd_engine_get_busy (BrdEngine *self)
{
  return self->in_flight - self->rate_waiting.length;
}

guint
brd_engine_get_workers (BrdEngine *self)
{
  return self->config->workers;
}

gint64
brd_engine_get_queue_depth (BrdEngine *self)
{
  gint64 depth = self->rate_waiting.length;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (brd_store_get_db (self->store),
                          "SELECT COALESCE (SUM (pending_leads), 0) FROM batches WHERE status IN ('pending','running')",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    depth += sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return depth;
}

guint64
brd_engine_get_leads_done (BrdEngine *self,
                           guint64   *failed)
{
  if (failed)
    *failed = self->leads_failed;
  return self->leads_done;
}

static void
maybe_finish_shutdown (BrdEngine *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->shutdown_task == NULL || self->in_flight > 0)
    return;

  g_clear_handle_id (&self->grace_source, g_source_remove);
  task = g_steal_pointer (&self->shutdown_task);
  g_task_return_boolean (task, TRUE);
}

static gboolean
grace_expired_cb (gpointer data)
{
  BrdEngine *self = data;
  GHashTableIter iter;
  gpointer value;

  self->grace_source = 0;
  g_message ("Leads still in flight after the grace period: stopping them; they stay pending");

  g_hash_table_iter_init (&iter, self->batches);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      EngineBatch *b = value;
      GHashTableIter jobs;
      gpointer job;

      g_hash_table_iter_init (&jobs, b->jobs);
      while (g_hash_table_iter_next (&jobs, NULL, &job))
        g_cancellable_cancel (((Job *) job)->cancellable);
    }

  return G_SOURCE_REMOVE;
}

void
brd_engine_shutdown_async (BrdEngine           *self,
                           guint                grace_ms,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  g_task_set_source_tag (task, brd_engine_shutdown_async);
  self->shutting_down = TRUE;
  self->shutdown_task = task;
  g_clear_handle_id (&self->wake_source, g_source_remove);

  /* Leads waiting for provider quota never started: pending again now. */
  while (self->rate_waiting.length > 0)
    {
      Job *job = g_queue_pop_head (&self->rate_waiting);
      Completion *c = g_new0 (Completion, 1);

      job->dispatched = TRUE;
      c->job = job;
      g_ptr_array_add (self->completions, c);
    }
  if (self->completions->len > 0)
    schedule_soon (self);

  if (self->in_flight > 0)
    {
      g_message ("Waiting up to %u ms for %u leads in flight", grace_ms, self->in_flight);
      self->grace_source = g_timeout_add (grace_ms, grace_expired_cb, self);
    }
  else
    maybe_finish_shutdown (self);
}

gboolean
brd_engine_shutdown_finish (BrdEngine     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
