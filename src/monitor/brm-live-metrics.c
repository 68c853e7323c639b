/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-live-metrics"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "brm-live-metrics.h"
#include "brm-rate-window.h"

/**
 * BrmLiveMetrics:
 *
 * The data behind the live charts: it samples a batch store and the health
 * reports of a live feed into #BrmChartSeries, and keeps the last
 * %BRM_LIVE_METRICS_SPAN_SECONDS of them. It knows nothing of widgets.
 *
 * Every brm_live_metrics_sample_at() adds one point to each of:
 *
 * - "throughput": leads per minute across all batches, measured from the
 *   change in their processed counts over the trailing
 *   %BRM_LIVE_METRICS_THROUGHPUT_WINDOW_SECONDS (see brm-rate-window.h);
 *   a count that goes down (a retry resets it) counts as no progress;
 * - "spend": cumulative USD spent today. That is the service's own figure,
 *   health's `spent_today_usd`, once a health report carried it (it counts
 *   the leads finished today, UTC, even of a batch started yesterday);
 *   before that, or from a server without it, the sum of the actual costs
 *   of the batches created today (UTC).
 *
 * Each health report (the feed's "health" signal, every 5 s) adds one
 * point to "workers-busy", "queue-depth", "websocket-clients" and
 * "health-spend", and sets #BrmLiveMetrics:daily-budget from
 * `daily_budget_usd` (the monitor has no budget setting of its own, only
 * the warning fraction).
 *
 * While the feed is not connected each sample is a gap (NAN, never zero:
 * nothing is known), and after reconnecting the throughput starts afresh
 * so the leads processed while away do not show as a spike.
 *
 * Time comes from a clock that tests replace (brm_live_metrics_set_clock());
 * x values are seconds since the Unix epoch.
 */
struct _BrmLiveMetrics
{
  GObject         parent_instance;

  BrBatchStore   *store;
  BrLiveFeed     *feed;
  BrHealth       *health;

  BrmClockFunc    clock_func;
  gpointer        clock_data;
  GDestroyNotify  clock_destroy;

  guint           interval;
  guint           timer_id;

  /* Each batch carries its processed count at the previous sample under
   * this instance's quark (+1, so that 0 means "not seen yet"): a lookup
   * on the object is several times cheaper than hashing 100,000 ids. */
  GQuark          processed_quark;
  /* The batches that were not finished at the last sample: only they, and
   * the batches added since, can move, so most samples visit them alone.
   * When the store counts more unfinished batches than that (a finished
   * one was retried) or batches were removed, the sample walks the whole
   * store again. */
  GPtrArray      *active;
  GPtrArray      *added;
  gboolean        rescan_needed;
  double          last_sample_t;
  double          cumulative;
  gboolean        baseline_needed;
  BrmRateWindow   rate;

  double          throughput_now;
  double          spent_today;
  double          daily_budget;
  guint           n_health_reports;

  BrmChartSeries *throughput;
  BrmChartSeries *spend;
  BrmChartSeries *workers_busy;
  BrmChartSeries *queue_depth;
  BrmChartSeries *websocket_clients;
  BrmChartSeries *health_spend;
};

G_DEFINE_FINAL_TYPE (BrmLiveMetrics, brm_live_metrics, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_FEED,
  PROP_INTERVAL,
  PROP_HEALTH,
  PROP_THROUGHPUT_NOW,
  PROP_SPENT_TODAY,
  PROP_DAILY_BUDGET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
same_double (double a,
             double b)
{
  return a == b || (isnan (a) && isnan (b));
}

static void
set_double_prop (BrmLiveMetrics *self,
                 double         *field,
                 double          value,
                 guint           prop)
{
  if (same_double (*field, value))
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static gboolean
is_connected (BrmLiveMetrics *self)
{
  return self->feed == NULL || br_live_feed_get_state (self->feed) == BR_FEED_STATE_CONNECTED;
}

static gint64
start_of_today_utc (gint64 now_us)
{
  gint64 day = (gint64) G_USEC_PER_SEC * 86400;

  return now_us - now_us % day;
}

static void
trim_all (BrmLiveMetrics *self,
          double          now_s)
{
  BrmChartSeries *all[] = {
    self->throughput, self->spend, self->workers_busy,
    self->queue_depth, self->websocket_clients, self->health_spend,
  };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    brm_chart_series_trim_before (all[i], now_s - BRM_LIVE_METRICS_SPAN_SECONDS);
}

/* The health series get points only when a report comes, so an outage
 * needs one gap point to break the line; more would add nothing. */
static void
append_gap_once (BrmChartSeries *series,
                 double          x)
{
  BrmChartSample last;

  if (brm_chart_series_get_last (series, &last) && isnan (last.y))
    return;
  if (brm_chart_series_get_n_samples (series) == 0)
    return;
  if (brm_chart_series_get_last (series, &last) && x <= last.x)
    return;
  brm_chart_series_append (series, x, NAN);
}

static void
append_point (BrmChartSeries *series,
              double          x,
              double          y)
{
  BrmChartSample last;

  /* Series are x-sorted; a sample at the same second replaces nothing, it
   * is dropped (two ticks in one second carry no new information). */
  if (brm_chart_series_get_last (series, &last) && x <= last.x)
    return;
  brm_chart_series_append (series, x, y);
}

/* The leads @batch processed since the previous sample. */
static double
batch_progress (BrmLiveMetrics *self,
                BrBatch        *batch,
                gboolean        baseline)
{
  gint64 processed = MAX (0, br_batch_get_processed_leads (batch));
  gsize stored = GPOINTER_TO_SIZE (g_object_get_qdata (G_OBJECT (batch), self->processed_quark));
  double delta = 0;

  if (baseline)
    ;
  else if (stored != 0)
    delta = MAX (0, processed - (gint64) (stored - 1));
  else if (br_batch_get_started_at (batch) >= (gint64) (self->last_sample_t * G_USEC_PER_SEC))
    /* Born since the last sample: all its progress is new. */
    delta = processed;

  if (stored != (gsize) processed + 1)
    g_object_set_qdata (G_OBJECT (batch), self->processed_quark, GSIZE_TO_POINTER ((gsize) processed + 1));
  return delta;
}

static guint
n_unfinished (BrBatchStore *store)
{
  return br_batch_store_get_n_running (store) + br_batch_store_get_n_pending (store) +
         br_batch_store_get_n_paused (store);
}

/* Sums the processed leads since the previous sample over every batch
 * that can have moved. Batches no longer in the store are not visited. A
 * batch visited twice in one sample adds nothing the second time. */
static double
sum_progress (BrmLiveMetrics *self,
              gboolean        baseline)
{
  GListModel *model = G_LIST_MODEL (self->store);
  double delta = 0;
  guint n;

  if (!baseline && !self->rescan_needed)
    {
      for (guint i = self->active->len; i > 0; i--)
        {
          BrBatch *batch = g_ptr_array_index (self->active, i - 1);

          delta += batch_progress (self, batch, FALSE);
          if (br_batch_is_terminal (batch))
            g_ptr_array_remove_index_fast (self->active, i - 1);
        }
      for (guint i = 0; i < self->added->len; i++)
        {
          BrBatch *batch = g_ptr_array_index (self->added, i);

          delta += batch_progress (self, batch, FALSE);
          if (!br_batch_is_terminal (batch))
            g_ptr_array_add (self->active, g_object_ref (batch));
        }
      g_ptr_array_set_size (self->added, 0);

      if (n_unfinished (self->store) <= self->active->len)
        return delta;
    }

  g_ptr_array_set_size (self->added, 0);
  g_ptr_array_set_size (self->active, 0);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      BrBatch *batch = g_list_model_get_item (model, i);

      delta += batch_progress (self, batch, baseline);
      if (!br_batch_is_terminal (batch))
        g_ptr_array_add (self->active, g_steal_pointer (&batch));
      g_clear_object (&batch);
    }
  self->rescan_needed = FALSE;
  return delta;
}

static void
store_items_changed_cb (BrmLiveMetrics *self,
                        guint           position,
                        guint           removed,
                        guint           added)
{
  if (removed > 0 || self->rescan_needed)
    {
      self->rescan_needed = TRUE;
      g_ptr_array_set_size (self->added, 0);
      return;
    }
  for (guint i = 0; i < added; i++)
    g_ptr_array_add (self->added, g_list_model_get_item (G_LIST_MODEL (self->store), position + i));
}

static double
spend_from_batches (BrmLiveMetrics *self,
                    gint64          now_us)
{
  GListModel *model = G_LIST_MODEL (self->store);
  guint n = g_list_model_get_n_items (model);
  gint64 today = start_of_today_utc (now_us);
  double sum = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (model, i);

      if (br_batch_get_created_at (batch) >= today)
        sum += MAX (0.0, br_batch_get_actual_cost_usd (batch));
    }
  return sum;
}

/**
 * brm_live_metrics_sample_at:
 * @now_us: the time of the sample, µs since the Unix epoch
 *
 * Adds one point to the throughput and spend series (a gap when the feed
 * is not connected) and trims what is older than an hour.
 */
void
brm_live_metrics_sample_at (BrmLiveMetrics *self,
                            gint64          now_us)
{
  double now_s = (double) now_us / G_USEC_PER_SEC;
  double spent;

  g_return_if_fail (BRM_IS_LIVE_METRICS (self));

  if (!is_connected (self))
    {
      append_point (self->throughput, now_s, NAN);
      append_point (self->spend, now_s, NAN);
      append_gap_once (self->workers_busy, now_s);
      append_gap_once (self->queue_depth, now_s);
      append_gap_once (self->websocket_clients, now_s);
      append_gap_once (self->health_spend, now_s);
      self->baseline_needed = TRUE;
      brm_rate_window_reset (&self->rate);
      set_double_prop (self, &self->throughput_now, NAN, PROP_THROUGHPUT_NOW);
      trim_all (self, now_s);
      return;
    }

  if (self->baseline_needed)
    {
      sum_progress (self, TRUE);
      self->baseline_needed = FALSE;
    }
  else
    self->cumulative += sum_progress (self, FALSE);
  self->last_sample_t = now_s;

  set_double_prop (self, &self->throughput_now,
                   brm_rate_window_add (&self->rate, now_s, self->cumulative) * 60.0,
                   PROP_THROUGHPUT_NOW);
  append_point (self->throughput, now_s, self->throughput_now);

  if (self->health != NULL && br_health_get_spent_today_usd (self->health) >= 0)
    spent = br_health_get_spent_today_usd (self->health);
  else
    spent = spend_from_batches (self, now_us);
  set_double_prop (self, &self->spent_today, spent, PROP_SPENT_TODAY);
  append_point (self->spend, now_s, spent);

  trim_all (self, now_s);
}

/**
 * brm_live_metrics_sample:
 *
 * brm_live_metrics_sample_at() at the clock's time.
 */
void
brm_live_metrics_sample (BrmLiveMetrics *self)
{
  g_return_if_fail (BRM_IS_LIVE_METRICS (self));

  brm_live_metrics_sample_at (self, brm_live_metrics_now (self));
}

static double
count_or_nan (gint64 value)
{
  return value >= 0 ? (double) value : NAN;
}

/**
 * brm_live_metrics_record_health:
 * @health: a health report
 * @now_us: when it arrived, µs since the Unix epoch
 *
 * Adds one point to each health series; fields the server did not send
 * are gaps. Makes @health the #BrmLiveMetrics:health.
 */
void
brm_live_metrics_record_health (BrmLiveMetrics *self,
                                BrHealth       *health,
                                gint64          now_us)
{
  double now_s = (double) now_us / G_USEC_PER_SEC;
  double spent, budget;

  g_return_if_fail (BRM_IS_LIVE_METRICS (self));
  g_return_if_fail (BR_IS_HEALTH (health));

  spent = br_health_get_spent_today_usd (health);
  budget = br_health_get_daily_budget_usd (health);

  append_point (self->workers_busy, now_s, count_or_nan (br_health_get_workers_busy (health)));
  append_point (self->queue_depth, now_s, count_or_nan (br_health_get_queue_depth (health)));
  append_point (self->websocket_clients, now_s, count_or_nan (br_health_get_websocket_clients (health)));
  append_point (self->health_spend, now_s, spent >= 0 ? spent : NAN);
  trim_all (self, now_s);

  self->n_health_reports++;
  g_set_object (&self->health, health);
  if (spent >= 0)
    set_double_prop (self, &self->spent_today, spent, PROP_SPENT_TODAY);
  if (budget >= 0)
    set_double_prop (self, &self->daily_budget, budget, PROP_DAILY_BUDGET);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
}

static void
feed_health_cb (BrmLiveMetrics *self,
                JsonObject     *obj)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BrHealth) health = br_health_new_from_json (obj, &error);

  if (health == NULL)
    {
      g_debug ("ignoring a health report: %s", error->message);
      return;
    }
  brm_live_metrics_record_health (self, health, brm_live_metrics_now (self));
}

static gboolean
timer_cb (gpointer data)
{
  brm_live_metrics_sample (data);
  return G_SOURCE_CONTINUE;
}

static void
brm_live_metrics_dispose (GObject *object)
{
  BrmLiveMetrics *self = BRM_LIVE_METRICS (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->feed != NULL)
    g_signal_handlers_disconnect_by_data (self->feed, self);
  g_clear_object (&self->feed);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_pointer (&self->active, g_ptr_array_unref);
  g_clear_pointer (&self->added, g_ptr_array_unref);
  g_clear_object (&self->health);
  if (self->clock_destroy != NULL)
    g_clear_pointer (&self->clock_data, self->clock_destroy);

  G_OBJECT_CLASS (brm_live_metrics_parent_class)->dispose (object);
}

static void
brm_live_metrics_finalize (GObject *object)
{
  BrmLiveMetrics *self = BRM_LIVE_METRICS (object);

  brm_rate_window_clear (&self->rate);
  g_clear_object (&self->throughput);
  g_clear_object (&self->spend);
  g_clear_object (&self->workers_busy);
  g_clear_object (&self->queue_depth);
  g_clear_object (&self->websocket_clients);
  g_clear_object (&self->health_spend);

  G_OBJECT_CLASS (brm_live_metrics_parent_class)->finalize (object);
}

static void
brm_live_metrics_constructed (GObject *object)
{
  BrmLiveMetrics *self = BRM_LIVE_METRICS (object);

  G_OBJECT_CLASS (brm_live_metrics_parent_class)->constructed (object);

  g_return_if_fail (BR_IS_BATCH_STORE (self->store));

  g_signal_connect_object (self->store, "items-changed", G_CALLBACK (store_items_changed_cb), self, G_CONNECT_SWAPPED);

  if (self->feed != NULL)
    g_signal_connect_object (self->feed, "health", G_CALLBACK (feed_health_cb), self, G_CONNECT_SWAPPED);
}

static void
brm_live_metrics_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BrmLiveMetrics *self = BRM_LIVE_METRICS (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_FEED:
      g_value_set_object (value, self->feed);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_HEALTH:
      g_value_set_object (value, self->health);
      break;
    case PROP_THROUGHPUT_NOW:
      g_value_set_double (value, self->throughput_now);
      break;
    case PROP_SPENT_TODAY:
      g_value_set_double (value, self->spent_today);
      break;
    case PROP_DAILY_BUDGET:
      g_value_set_double (value, self->daily_budget);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_live_metrics_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BrmLiveMetrics *self = BRM_LIVE_METRICS (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_FEED:
      self->feed = g_value_dup_object (value);
      break;
    case PROP_INTERVAL:
      brm_live_metrics_set_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_live_metrics_class_init (BrmLiveMetricsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = brm_live_metrics_constructed;
  object_class->dispose = brm_live_metrics_dispose;
  object_class->finalize = brm_live_metrics_finalize;
  object_class->get_property = brm_live_metrics_get_property;
  object_class->set_property = brm_live_metrics_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, BR_TYPE_BATCH_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FEED] =
    g_param_spec_object ("feed", NULL, NULL, BR_TYPE_LIVE_FEED,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BrmLiveMetrics:interval:
   *
   * Milliseconds between samples taken on the main loop; 0 (the default)
   * samples only when brm_live_metrics_sample() is called.
   */
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BrmLiveMetrics:health:
   *
   * The last health report; notified on every report, even an identical
   * one, so views can show that the service still reports.
   */
  properties[PROP_HEALTH] =
    g_param_spec_object ("health", NULL, NULL, BR_TYPE_HEALTH,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_THROUGHPUT_NOW] =
    g_param_spec_double ("throughput-now", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPENT_TODAY] =
    g_param_spec_double ("spent-today", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BrmLiveMetrics:daily-budget:
   *
   * The service's daily budget in USD, NAN until a health report said it.
   */
  properties[PROP_DAILY_BUDGET] =
    g_param_spec_double ("daily-budget", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_live_metrics_init (BrmLiveMetrics *self)
{
  static gint instances;
  g_autofree char *quark_name = g_strdup_printf ("brm-live-metrics-processed-%d", g_atomic_int_add (&instances, 1));

  self->processed_quark = g_quark_from_string (quark_name);
  self->active = g_ptr_array_new_with_free_func (g_object_unref);
  self->added = g_ptr_array_new_with_free_func (g_object_unref);
  self->rescan_needed = TRUE;
  self->baseline_needed = TRUE;
  brm_rate_window_init (&self->rate, BRM_LIVE_METRICS_THROUGHPUT_WINDOW_SECONDS);
  self->throughput_now = NAN;
  self->spent_today = NAN;
  self->daily_budget = NAN;

  /* The labels are what the legend and the table view show. */
  self->throughput = brm_chart_series_new ("throughput", _("Throughput"));
  self->spend = brm_chart_series_new ("spend", _("Spent today"));
  self->workers_busy = brm_chart_series_new ("workers-busy", _("Workers busy"));
  self->queue_depth = brm_chart_series_new ("queue-depth", _("Queue depth"));
  self->websocket_clients = brm_chart_series_new ("websocket-clients", _("WebSocket clients"));
  self->health_spend = brm_chart_series_new ("health-spend", _("Spent today"));
}

/**
 * brm_live_metrics_new:
 * @store: the batches to measure
 * @feed: (nullable): the feed whose health reports and state to follow;
 *   without one the store counts as always connected
 */
BrmLiveMetrics *
brm_live_metrics_new (BrBatchStore *store,
                      BrLiveFeed   *feed)
{
  g_return_val_if_fail (BR_IS_BATCH_STORE (store), NULL);
  g_return_val_if_fail (feed == NULL || BR_IS_LIVE_FEED (feed), NULL);

  return g_object_new (BRM_TYPE_LIVE_METRICS, "store", store, "feed", feed, NULL);
}

BrBatchStore *
brm_live_metrics_get_store (BrmLiveMetrics *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), NULL);
  return self->store;
}

BrLiveFeed *
brm_live_metrics_get_feed (BrmLiveMetrics *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), NULL);
  return self->feed;
}

/**
 * brm_live_metrics_set_clock:
 * @func: (nullable): the clock; %NULL for g_get_real_time()
 *
 * Replaces the clock that brm_live_metrics_sample() and the health
 * reports are stamped with.
 */
void
brm_live_metrics_set_clock (BrmLiveMetrics *self,
                            BrmClockFunc    func,
                            gpointer        user_data,
                            GDestroyNotify  destroy)
{
  g_return_if_fail (BRM_IS_LIVE_METRICS (self));

  if (self->clock_destroy != NULL)
    g_clear_pointer (&self->clock_data, self->clock_destroy);
  self->clock_func = func;
  self->clock_data = user_data;
  self->clock_destroy = destroy;
}

gint64
brm_live_metrics_now (BrmLiveMetrics *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), 0);

  return self->clock_func != NULL ? self->clock_func (self->clock_data) : g_get_real_time ();
}

guint
brm_live_metrics_get_interval (BrmLiveMetrics *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), 0);
  return self->interval;
}

void
brm_live_metrics_set_interval (BrmLiveMetrics *self,
                               guint           interval_ms)
{
  g_return_if_fail (BRM_IS_LIVE_METRICS (self));

  if (self->interval == interval_ms)
    return;
  self->interval = interval_ms;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (interval_ms > 0)
    {
      self->timer_id = g_timeout_add (interval_ms, timer_cb, self);
      g_source_set_name_by_id (self->timer_id, "[brm] live metrics");
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

/**
 * brm_live_metrics_get_health:
 *
 * Returns: (nullable) (transfer none): the last health report
 */
BrHealth *
brm_live_metrics_get_health (BrmLiveMetrics *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), NULL);
  return self->health;
}

guint
brm_live_metrics_get_n_health_reports (BrmLiveMetrics *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), 0);
  return self->n_health_reports;
}

/* Leads per minute at the last sample; NAN before two samples or while
 * disconnected. */
double
brm_live_metrics_get_throughput_now (BrmLiveMetrics *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), NAN);
  return self->throughput_now;
}

double
brm_live_metrics_get_spent_today (BrmLiveMetrics *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), NAN);
  return self->spent_today;
}

/* Whether the spend series is the service's figure rather than the sum of
 * today's batches. */
gboolean
brm_live_metrics_get_spend_from_health (BrmLiveMetrics *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), FALSE);
  return self->health != NULL && br_health_get_spent_today_usd (self->health) >= 0;
}

double
brm_live_metrics_get_daily_budget (BrmLiveMetrics *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), NAN);
  return self->daily_budget;
}

#define SERIES_GETTER(name) \
  BrmChartSeries * \
  brm_live_metrics_get_##name (BrmLiveMetrics *self) \
  { \
    g_return_val_if_fail (BRM_IS_LIVE_METRICS (self), NULL); \
    return self->name; \
  }

SERIES_GETTER (throughput)
SERIES_GETTER (spend)
SERIES_GETTER (workers_busy)
SERIES_GETTER (queue_depth)
SERIES_GETTER (websocket_clients)
SERIES_GETTER (health_spend)

#undef SERIES_GETTER
