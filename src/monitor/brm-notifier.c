/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-notifier"

#include "config.h"

#include <glib/gi18n.h>

#include "brm-notifier.h"

typedef struct _Tracked Tracked;

struct _BrmNotifier
{
  GObject       parent_instance;

  GApplication *app;        /* weak: the application owns us */
  BrBatchStore *store;
  GSettings    *settings;

  GHashTable   *tracked;    /* batch id → Tracked */
  /* Notification ids already decided (sent, or suppressed by a switch):
   * an event is news once, even if its batch leaves the store and comes
   * back in a later snapshot. */
  GHashTable   *decided;

  /* When we started (local clock, µs). */
  gint64        started_at;
  /* The store was empty when we came: its first fill is the initial
   * snapshot, whose batches are the baseline, not news. (An empty
   * snapshot changes nothing, so the first live batches count as that
   * fill too; see is_news().) */
  gboolean      baseline_open;
  guint         close_baseline_id;

  gboolean      budget_known;
  char         *budget_day; /* UTC day whose warning is decided */
};

struct _Tracked
{
  BrmNotifier   *self;
  BrBatch       *batch;
  gulong         handler;
  BrBatchStatus  status;    /* as last seen */
  gboolean       rate_decided;
};

G_DEFINE_FINAL_TYPE (BrmNotifier, brm_notifier, G_TYPE_OBJECT)

enum {
  NOTIFICATION_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
tracked_free (Tracked *tr)
{
  g_clear_signal_handler (&tr->handler, tr->batch);
  g_clear_object (&tr->batch);
  g_free (tr);
}

static char *
format_count (gint64 n)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, n);
}

static void
send (BrmNotifier   *self,
      const char    *id,
      GNotification *notification)
{
  /* An application that is not registered cannot send. Nor can one
   * without a session bus: GLib 2.74's fallback backend then fails a
   * critical (g_bus_watch_name_on_connection on NULL). The decision
   * stands all the same. */
  if (self->app != NULL && g_application_get_is_registered (self->app) &&
      !g_application_get_is_remote (self->app) && g_application_get_dbus_connection (self->app) != NULL)
    g_application_send_notification (self->app, id, notification);
  g_signal_emit (self, signals[NOTIFICATION_SENT], 0, id, notification);
}

/* Whether the event @id is news: TRUE once, and only if @key allows it. */
static gboolean
decide (BrmNotifier *self,
        const char  *id,
        const char  *key)
{
  if (!g_hash_table_add (self->decided, g_strdup (id)))
    return FALSE;
  return g_settings_get_boolean (self->settings, key);
}

static GNotification *
batch_notification (BrBatch    *batch,
                    const char *title,
                    const char *body)
{
  GNotification *n = g_notification_new (title);

  g_notification_set_body (n, body);
  g_notification_set_default_action_and_target (n, "app.show-batch", "s", br_batch_get_id (batch));
  return n;
}

static const char *
batch_label (BrBatch *batch)
{
  const char *name = br_batch_get_name (batch);

  return name != NULL && *name != '\0' ? name : br_batch_get_id (batch);
}

static void
notify_finished (BrmNotifier *self,
                 BrBatch     *batch,
                 gboolean     failed)
{
  g_autofree char *id = g_strdup_printf ("batch-%s-%s", failed ? "failed" : "completed", br_batch_get_id (batch));
  g_autoptr(GNotification) n = NULL;
  g_autofree char *body = NULL;
  g_autofree char *processed = format_count (br_batch_get_processed_leads (batch));
  g_autofree char *succeeded = format_count (br_batch_get_successful_leads (batch));
  g_autofree char *failures = format_count (br_batch_get_failed_leads (batch));

  if (!decide (self, id, failed ? "notify-failed" : "notify-completed"))
    return;

  if (failed)
    {
      const char *message = br_batch_get_error_message (batch);

      if (message != NULL && *message != '\0')
        /* Translators: a batch name, then the server's error message */
        body = g_strdup_printf (_("“%s”: %s"), batch_label (batch), message);
      else
        /* Translators: a batch name, then a number of leads */
        body = g_strdup_printf (_("“%s”: all %s processed leads failed."), batch_label (batch), processed);
      n = batch_notification (batch, _("Batch failed"), body);
      g_notification_set_priority (n, G_NOTIFICATION_PRIORITY_HIGH);
    }
  else
    {
      /* Translators: a batch name, leads succeeded, leads failed, cost in US dollars */
      body = g_strdup_printf (_("“%s”: %s succeeded, %s failed. Cost $%.2f."), batch_label (batch), succeeded,
                              failures, br_batch_get_actual_cost_usd (batch));
      n = batch_notification (batch, _("Batch completed"), body);
    }

  send (self, id, n);
}

static gboolean
over_failure_rate (BrmNotifier *self,
                   BrBatch     *batch)
{
  gint64 processed = br_batch_get_processed_leads (batch);
  double threshold = g_settings_get_double (self->settings, "failure-rate-threshold");

  /* A few early failures say little; wait for a sample. */
  if (processed < BRM_NOTIFIER_MIN_PROCESSED)
    return FALSE;
  return (double) br_batch_get_failed_leads (batch) / (double) processed > threshold;
}

static void
notify_failure_rate (BrmNotifier *self,
                     BrBatch     *batch)
{
  g_autofree char *id = g_strdup_printf ("batch-failure-rate-%s", br_batch_get_id (batch));
  g_autoptr(GNotification) n = NULL;
  g_autofree char *body = NULL;
  g_autofree char *processed = format_count (br_batch_get_processed_leads (batch));
  g_autofree char *failures = format_count (br_batch_get_failed_leads (batch));
  double rate = (double) br_batch_get_failed_leads (batch) / (double) br_batch_get_processed_leads (batch);

  if (!decide (self, id, "notify-failure-rate"))
    return;

  /* Translators: a percentage, a batch name, failed leads, processed leads */
  body = g_strdup_printf (_("%.0f%% of the leads “%s” processed so far failed (%s of %s)."),
                          100.0 * rate, batch_label (batch), failures, processed);
  n = batch_notification (batch, _("High failure rate"), body);
  g_notification_set_priority (n, G_NOTIFICATION_PRIORITY_HIGH);
  send (self, id, n);
}

static void
evaluate (Tracked *tr)
{
  BrmNotifier *self = tr->self;
  BrBatchStatus status = br_batch_get_status (tr->batch);

  if (status != tr->status)
    {
      tr->status = status;
      if (status == BR_BATCH_STATUS_COMPLETED)
        notify_finished (self, tr->batch, FALSE);
      else if (status == BR_BATCH_STATUS_FAILED)
        notify_finished (self, tr->batch, TRUE);
    }

  if (!tr->rate_decided && status == BR_BATCH_STATUS_RUNNING && over_failure_rate (self, tr->batch))
    {
      tr->rate_decided = TRUE;
      notify_failure_rate (self, tr->batch);
    }
}

static void
batch_notify_cb (BrBatch    *batch,
                 GParamSpec *pspec,
                 Tracked    *tr)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "status") || g_str_equal (name, "processed-leads") ||
      g_str_equal (name, "failed-leads"))
    evaluate (tr);
}

static void
track (BrmNotifier *self,
       BrBatch     *batch,
       gboolean     baseline)
{
  Tracked *tr = g_new0 (Tracked, 1);

  tr->self = self;
  tr->batch = g_object_ref (batch);
  tr->handler = g_signal_connect (batch, "notify", G_CALLBACK (batch_notify_cb), tr);
  g_hash_table_replace (self->tracked, g_strdup (br_batch_get_id (batch)), tr);

  if (baseline)
    {
      /* What it is now is the starting point, not an event. */
      tr->status = br_batch_get_status (batch);
      tr->rate_decided = over_failure_rate (self, batch);
    }
  else
    {
      /* Created since we started: whatever it already is, is news. */
      tr->status = BR_BATCH_STATUS_UNKNOWN;
      evaluate (tr);
    }
}

/* Whether what @batch already is when first seen is news.
 *
 * In the initial snapshot: only a batch that still runs and was created
 * since we started — one that is already over the failure threshold, say.
 * Finished batches there never are (a batch that completed before the
 * monitor started is not news), whatever the clocks say. The creation
 * time is the server's clock: one minute ahead of ours is believed, more
 * is a wrong clock, and then nothing there is news.
 *
 * Later (a batch created meanwhile, or a snapshot after a long outage):
 * everything but a batch that finished before we started. */
static gboolean
is_news (BrmNotifier *self,
         BrBatch     *batch)
{
  if (self->baseline_open)
    {
      gint64 created = br_batch_get_created_at (batch);

      return !br_batch_is_terminal (batch) &&
             created >= self->started_at &&
             created <= g_get_real_time () + 60 * G_USEC_PER_SEC;
    }

  return !br_batch_is_terminal (batch) ||
         br_batch_get_completed_at (batch) == 0 ||
         br_batch_get_completed_at (batch) >= self->started_at;
}

static gboolean
close_baseline_cb (gpointer user_data)
{
  BrmNotifier *self = user_data;

  self->close_baseline_id = 0;
  self->baseline_open = FALSE;
  return G_SOURCE_REMOVE;
}

static void
items_changed_cb (BrmNotifier *self,
                  guint        position,
                  guint        removed,
                  guint        added,
                  GListModel  *model)
{
  if (removed > 0)
    {
      GHashTableIter iter;
      const char *id;
      Tracked *tr;

      g_hash_table_iter_init (&iter, self->tracked);
      while (g_hash_table_iter_next (&iter, (gpointer *) &id, (gpointer *) &tr))
        {
          if (br_batch_store_lookup (self->store, id) != tr->batch)
            g_hash_table_iter_remove (&iter);
        }
    }

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (model, i);
      Tracked *tr = g_hash_table_lookup (self->tracked, br_batch_get_id (batch));

      if (tr == NULL || tr->batch != batch)
        track (self, batch, !is_news (self, batch));
    }

  /* A snapshot may arrive as several changes in one go; everything it
   * brings is baseline, so the door closes once it is all in. */
  if (added > 0 && self->baseline_open && self->close_baseline_id == 0)
    self->close_baseline_id = g_idle_add (close_baseline_cb, self);
}

static char *
utc_day (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static void
check_budget (BrmNotifier *self)
{
  double budget = br_batch_store_get_daily_budget (self->store);
  double spent = br_batch_store_get_spent_today (self->store);
  double fraction = g_settings_get_double (self->settings, "budget-warning-fraction");
  g_autofree char *today = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GNotification) n = NULL;
  gboolean over;

  /* Zero until the server first said what the budget is. */
  if (budget <= 0)
    return;

  today = utc_day ();
  over = spent >= fraction * budget;

  if (!self->budget_known)
    {
      /* The first figures are the baseline: a budget already passed when
       * the monitor starts is not news. */
      self->budget_known = TRUE;
      if (over)
        {
          g_free (self->budget_day);
          self->budget_day = g_steal_pointer (&today);
        }
      return;
    }

  if (!over || g_strcmp0 (self->budget_day, today) == 0)
    return;

  g_free (self->budget_day);
  self->budget_day = g_strdup (today);
  id = g_strdup_printf ("budget-%s", today);
  if (!decide (self, id, "notify-budget"))
    return;

  /* Translators: dollars spent, the daily budget in dollars, the percentage */
  body = g_strdup_printf (_("$%.2f of the $%.2f daily budget is spent (%.0f%%)."),
                          spent, budget, 100.0 * spent / budget);
  n = g_notification_new (_("Daily budget almost spent"));
  g_notification_set_body (n, body);
  g_notification_set_priority (n, G_NOTIFICATION_PRIORITY_HIGH);
  send (self, id, n);
}

static void
budget_changed_cb (BrmNotifier *self)
{
  check_budget (self);
}

static void
threshold_changed_cb (BrmNotifier *self)
{
  GHashTableIter iter;
  Tracked *tr;

  /* A lower threshold may put running batches over it now. */
  g_hash_table_iter_init (&iter, self->tracked);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &tr))
    evaluate (tr);
}

static void
brm_notifier_dispose (GObject *object)
{
  BrmNotifier *self = BRM_NOTIFIER (object);

  g_clear_handle_id (&self->close_baseline_id, g_source_remove);
  if (self->tracked != NULL)
    g_hash_table_remove_all (self->tracked);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_weak_pointer (&self->app);

  G_OBJECT_CLASS (brm_notifier_parent_class)->dispose (object);
}

static void
brm_notifier_finalize (GObject *object)
{
  BrmNotifier *self = BRM_NOTIFIER (object);

  g_clear_pointer (&self->tracked, g_hash_table_unref);
  g_clear_pointer (&self->decided, g_hash_table_unref);
  g_free (self->budget_day);

  G_OBJECT_CLASS (brm_notifier_parent_class)->finalize (object);
}

static void
brm_notifier_class_init (BrmNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = brm_notifier_dispose;
  object_class->finalize = brm_notifier_finalize;

  signals[NOTIFICATION_SENT] =
    g_signal_new ("notification-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_NOTIFICATION);
}

static void
brm_notifier_init (BrmNotifier *self)
{
  self->tracked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) tracked_free);
  self->decided = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->started_at = g_get_real_time ();
}

/**
 * brm_notifier_new:
 * @app: the application that sends the notifications (not referenced)
 * @store: the batches to watch
 * @settings: the monitor's settings (switches and thresholds)
 *
 * Everything @store holds now, and everything its first fill brings if it
 * is empty, is the baseline: only what changes afterwards is notified.
 * Make the notifier before the connection starts.
 *
 * Returns: (transfer full): a notifier
 */
BrmNotifier *
brm_notifier_new (GApplication *app,
                  BrBatchStore *store,
                  GSettings    *settings)
{
  BrmNotifier *self;
  guint n;

  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (BR_IS_BATCH_STORE (store), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (BRM_TYPE_NOTIFIER, NULL);
  g_set_weak_pointer (&self->app, app);
  self->store = g_object_ref (store);
  self->settings = g_object_ref (settings);

  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  self->baseline_open = n == 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (store), i);

      track (self, batch, TRUE);
    }

  g_signal_connect_swapped (store, "items-changed", G_CALLBACK (items_changed_cb), self);
  g_signal_connect_swapped (store, "notify::spent-today", G_CALLBACK (budget_changed_cb), self);
  g_signal_connect_swapped (store, "notify::daily-budget", G_CALLBACK (budget_changed_cb), self);
  g_signal_connect_swapped (settings, "changed::failure-rate-threshold", G_CALLBACK (threshold_changed_cb), self);
  g_signal_connect_swapped (settings, "changed::budget-warning-fraction", G_CALLBACK (budget_changed_cb), self);

  check_budget (self);
  return self;
}
