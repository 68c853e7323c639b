/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-batch-metrics"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "brm-batch-metrics.h"
#include "brm-rate-window.h"

/**
 * BrmBatchMetrics:
 *
 * One batch's history for the detail pane's charts, recorded from the
 * batch's property changes (processed leads, estimated and actual cost,
 * status) and from an optional periodic sample, so the throughput falls
 * back to zero when the batch stops moving. Series, x in seconds since the
 * Unix epoch:
 *
 * - "throughput": leads per minute over the trailing
 *   %BRM_BATCH_METRICS_THROUGHPUT_WINDOW_SECONDS;
 * - "estimated-cost" and "actual-cost": the batch's USD figures;
 * - "progress": percent done, for the header's sparkline.
 *
 * History starts when the object is made (when the operator opens the
 * batch); the last %BRM_LIVE_METRICS_SPAN_SECONDS are kept.
 */
struct _BrmBatchMetrics
{
  GObject         parent_instance;

  BrBatch        *batch;

  BrmClockFunc    clock_func;
  gpointer        clock_data;
  GDestroyNotify  clock_destroy;

  guint           interval;
  guint           timer_id;

  BrmRateWindow   rate;
  double          last_t;
  gint64          last_processed;
  double          throughput_now;

  BrmChartSeries *throughput;
  BrmChartSeries *estimated_cost;
  BrmChartSeries *actual_cost;
  BrmChartSeries *progress;
};

G_DEFINE_FINAL_TYPE (BrmBatchMetrics, brm_batch_metrics, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BATCH,
  PROP_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gint64
now_us (BrmBatchMetrics *self)
{
  return self->clock_func != NULL ? self->clock_func (self->clock_data) : g_get_real_time ();
}

/**
 * brm_batch_metrics_sample_at:
 * @now_us: µs since the Unix epoch
 *
 * Records the batch as it is now. A time not after the last sample is
 * ignored (series are x-sorted).
 */
void
brm_batch_metrics_sample_at (BrmBatchMetrics *self,
                             gint64           now_us)
{
  double t = (double) now_us / G_USEC_PER_SEC;
  gint64 processed;
  double rate;
  BrmChartSeries *all[4];

  g_return_if_fail (BRM_IS_BATCH_METRICS (self));

  if (t <= self->last_t)
    return;
  self->last_t = t;

  processed = br_batch_get_processed_leads (self->batch);
  /* A retry puts failed leads back to pending and the count down: measure
   * afresh rather than show negative throughput. */
  if (processed < self->last_processed)
    brm_rate_window_reset (&self->rate);
  self->last_processed = processed;
  rate = brm_rate_window_add (&self->rate, t, (double) processed);
  self->throughput_now = rate * 60.0;

  brm_chart_series_append (self->throughput, t, self->throughput_now);
  brm_chart_series_append (self->estimated_cost, t, MAX (0.0, br_batch_get_estimated_cost_usd (self->batch)));
  brm_chart_series_append (self->actual_cost, t, MAX (0.0, br_batch_get_actual_cost_usd (self->batch)));
  brm_chart_series_append (self->progress, t, CLAMP (br_batch_get_progress_percentage (self->batch), 0.0, 100.0));

  all[0] = self->throughput;
  all[1] = self->estimated_cost;
  all[2] = self->actual_cost;
  all[3] = self->progress;
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    brm_chart_series_trim_before (all[i], t - BRM_LIVE_METRICS_SPAN_SECONDS);
}

void
brm_batch_metrics_sample (BrmBatchMetrics *self)
{
  g_return_if_fail (BRM_IS_BATCH_METRICS (self));

  brm_batch_metrics_sample_at (self, now_us (self));
}

static void
batch_changed_cb (BrmBatchMetrics *self)
{
  gint64 now = now_us (self);

  if ((double) now / G_USEC_PER_SEC - self->last_t >= BRM_BATCH_METRICS_MIN_SPACING_SECONDS)
    brm_batch_metrics_sample_at (self, now);
}

static gboolean
timer_cb (gpointer data)
{
  brm_batch_metrics_sample (data);
  return G_SOURCE_CONTINUE;
}

static void
brm_batch_metrics_constructed (GObject *object)
{
  BrmBatchMetrics *self = BRM_BATCH_METRICS (object);
  static const char *const watched[] = {
    "notify::processed-leads", "notify::estimated-cost-usd",
    "notify::actual-cost-usd", "notify::status",
  };

  G_OBJECT_CLASS (brm_batch_metrics_parent_class)->constructed (object);

  g_return_if_fail (BR_IS_BATCH (self->batch));

  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    g_signal_connect_object (self->batch, watched[i], G_CALLBACK (batch_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
brm_batch_metrics_dispose (GObject *object)
{
  BrmBatchMetrics *self = BRM_BATCH_METRICS (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->batch != NULL)
    g_signal_handlers_disconnect_by_data (self->batch, self);
  g_clear_object (&self->batch);
  if (self->clock_destroy != NULL)
    g_clear_pointer (&self->clock_data, self->clock_destroy);

  G_OBJECT_CLASS (brm_batch_metrics_parent_class)->dispose (object);
}

static void
brm_batch_metrics_finalize (GObject *object)
{
  BrmBatchMetrics *self = BRM_BATCH_METRICS (object);

  brm_rate_window_clear (&self->rate);
  g_clear_object (&self->throughput);
  g_clear_object (&self->estimated_cost);
  g_clear_object (&self->actual_cost);
  g_clear_object (&self->progress);

  G_OBJECT_CLASS (brm_batch_metrics_parent_class)->finalize (object);
}

static void
brm_batch_metrics_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  BrmBatchMetrics *self = BRM_BATCH_METRICS (object);

  switch (prop_id)
    {
    case PROP_BATCH:
      g_value_set_object (value, self->batch);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_batch_metrics_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  BrmBatchMetrics *self = BRM_BATCH_METRICS (object);

  switch (prop_id)
    {
    case PROP_BATCH:
      self->batch = g_value_dup_object (value);
      break;
    case PROP_INTERVAL:
      brm_batch_metrics_set_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_batch_metrics_class_init (BrmBatchMetricsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = brm_batch_metrics_constructed;
  object_class->dispose = brm_batch_metrics_dispose;
  object_class->finalize = brm_batch_metrics_finalize;
  object_class->get_property = brm_batch_metrics_get_property;
  object_class->set_property = brm_batch_metrics_set_property;

  properties[PROP_BATCH] =
    g_param_spec_object ("batch", NULL, NULL, BR_TYPE_BATCH,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_batch_metrics_init (BrmBatchMetrics *self)
{
  brm_rate_window_init (&self->rate, BRM_BATCH_METRICS_THROUGHPUT_WINDOW_SECONDS);
  self->throughput_now = NAN;
  self->throughput = brm_chart_series_new ("throughput", _("Throughput"));
  self->estimated_cost = brm_chart_series_new ("estimated-cost", _("Estimated cost"));
  self->actual_cost = brm_chart_series_new ("actual-cost", _("Actual cost"));
  self->progress = brm_chart_series_new ("progress", _("Progress"));
}

BrmBatchMetrics *
brm_batch_metrics_new (BrBatch *batch)
{
  g_return_val_if_fail (BR_IS_BATCH (batch), NULL);

  return g_object_new (BRM_TYPE_BATCH_METRICS, "batch", batch, NULL);
}

BrBatch *
brm_batch_metrics_get_batch (BrmBatchMetrics *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_METRICS (self), NULL);
  return self->batch;
}

/**
 * brm_batch_metrics_set_clock:
 * @func: (nullable): the clock; %NULL for g_get_real_time()
 */
void
brm_batch_metrics_set_clock (BrmBatchMetrics *self,
                             BrmClockFunc     func,
                             gpointer         user_data,
                             GDestroyNotify   destroy)
{
  g_return_if_fail (BRM_IS_BATCH_METRICS (self));

  if (self->clock_destroy != NULL)
    g_clear_pointer (&self->clock_data, self->clock_destroy);
  self->clock_func = func;
  self->clock_data = user_data;
  self->clock_destroy = destroy;
}

guint
brm_batch_metrics_get_interval (BrmBatchMetrics *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_METRICS (self), 0);
  return self->interval;
}

/* Milliseconds between periodic samples; 0 records property changes only. */
void
brm_batch_metrics_set_interval (BrmBatchMetrics *self,
                                guint            interval_ms)
{
  g_return_if_fail (BRM_IS_BATCH_METRICS (self));

  if (self->interval == interval_ms)
    return;
  self->interval = interval_ms;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (interval_ms > 0)
    {
      self->timer_id = g_timeout_add (interval_ms, timer_cb, self);
      g_source_set_name_by_id (self->timer_id, "[brm] batch metrics");
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

/* Leads per minute at the last sample; NAN before two samples. */
double
brm_batch_metrics_get_throughput_now (BrmBatchMetrics *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_METRICS (self), NAN);
  return self->throughput_now;
}

#define SERIES_GETTER(name) \
  BrmChartSeries * \
  brm_batch_metrics_get_##name (BrmBatchMetrics *self) \
  { \
    g_return_val_if_fail (BRM_IS_BATCH_METRICS (self), NULL); \
    return self->name; \
  }

SERIES_GETTER (throughput)
SERIES_GETTER (estimated_cost)
SERIES_GETTER (actual_cost)
SERIES_GETTER (progress)

#undef SERIES_GETTER
