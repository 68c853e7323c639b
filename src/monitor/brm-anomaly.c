/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-anomaly"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "brm-anomaly.h"

struct _BrmAnomaly
{
  GObject           parent_instance;

  char             *subject;
  char             *batch_id;
  BrmAnomalyMetric  metric;
  double            value;
  double            median;
  double            score;
  char             *sentence;
};

G_DEFINE_FINAL_TYPE (BrmAnomaly, brm_anomaly, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SUBJECT,
  PROP_BATCH_ID,
  PROP_SENTENCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
brm_anomaly_finalize (GObject *object)
{
  BrmAnomaly *self = BRM_ANOMALY (object);

  g_free (self->subject);
  g_free (self->batch_id);
  g_free (self->sentence);

  G_OBJECT_CLASS (brm_anomaly_parent_class)->finalize (object);
}

static void
brm_anomaly_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  BrmAnomaly *self = BRM_ANOMALY (object);

  switch (prop_id)
    {
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_BATCH_ID:
      g_value_set_string (value, self->batch_id);
      break;
    case PROP_SENTENCE:
      g_value_set_string (value, self->sentence);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_anomaly_class_init (BrmAnomalyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = brm_anomaly_finalize;
  object_class->get_property = brm_anomaly_get_property;

  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, flags);
  properties[PROP_BATCH_ID] = g_param_spec_string ("batch-id", NULL, NULL, NULL, flags);
  properties[PROP_SENTENCE] = g_param_spec_string ("sentence", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_anomaly_init (BrmAnomaly *self)
{
}

static char *
format_metric (BrmAnomalyMetric metric,
               double           value)
{
  if (metric == BRM_ANOMALY_FAILURE_RATE)
    /* TRANSLATORS: a percentage, "34 %" */
    return g_strdup_printf (_("%.0f %%"), value * 100);
  /* TRANSLATORS: money per lead, "$0.0420" */
  return g_strdup_printf (_("$%.4f"), value);
}

/**
 * brm_anomaly_new:
 * @subject: what is anomalous, for the sentence: "18 Nov" or a batch name
 * @batch_id: (nullable): the batch, or %NULL for a day
 * @value: the failure rate (0 … 1) or cost per lead (USD)
 * @score: signed distance from @median in MADs
 * @mad_was_zero: the MAD was 0 and the score uses the fallback scale
 */
BrmAnomaly *
brm_anomaly_new (const char       *subject,
                 const char       *batch_id,
                 BrmAnomalyMetric  metric,
                 double            value,
                 double            median,
                 double            score,
                 gboolean          mad_was_zero)
{
  BrmAnomaly *self = g_object_new (BRM_TYPE_ANOMALY, NULL);
  g_autofree char *value_text = format_metric (metric, value);
  g_autofree char *median_text = format_metric (metric, median);
  const char *what = metric == BRM_ANOMALY_FAILURE_RATE ? _("failure rate") : _("cost per lead");
  const char *direction = score > 0 ? _("above") : _("below");

  self->subject = g_strdup (subject);
  self->batch_id = g_strdup (batch_id);
  self->metric = metric;
  self->value = value;
  self->median = median;
  self->score = score;

  if (mad_was_zero)
    /* TRANSLATORS: "18 Nov: failure rate 34 % is 5.2 MADs above the 30-day
     * median of 4 % (most values equal the median, so the spread is
     * measured by the mean absolute deviation)" */
    self->sentence = g_strdup_printf (_("%s: %s %s is %.1f MADs %s the 30-day median of %s "
                                        "(most values equal the median, so the spread is the mean absolute deviation)"),
                                      subject, what, value_text, fabs (score), direction, median_text);
  else
    /* TRANSLATORS: "18 Nov: failure rate 34 % is 5.2 MADs above the 30-day median of 4 %" */
    self->sentence = g_strdup_printf (_("%s: %s %s is %.1f MADs %s the 30-day median of %s"),
                                      subject, what, value_text, fabs (score), direction, median_text);
  return self;
}

const char *
brm_anomaly_get_subject (BrmAnomaly *self)
{
  g_return_val_if_fail (BRM_IS_ANOMALY (self), NULL);
  return self->subject;
}

const char *
brm_anomaly_get_batch_id (BrmAnomaly *self)
{
  g_return_val_if_fail (BRM_IS_ANOMALY (self), NULL);
  return self->batch_id;
}

BrmAnomalyMetric
brm_anomaly_get_metric (BrmAnomaly *self)
{
  g_return_val_if_fail (BRM_IS_ANOMALY (self), BRM_ANOMALY_FAILURE_RATE);
  return self->metric;
}

double
brm_anomaly_get_value (BrmAnomaly *self)
{
  g_return_val_if_fail (BRM_IS_ANOMALY (self), NAN);
  return self->value;
}

double
brm_anomaly_get_median (BrmAnomaly *self)
{
  g_return_val_if_fail (BRM_IS_ANOMALY (self), NAN);
  return self->median;
}

double
brm_anomaly_get_score (BrmAnomaly *self)
{
  g_return_val_if_fail (BRM_IS_ANOMALY (self), NAN);
  return self->score;
}

const char *
brm_anomaly_get_sentence (BrmAnomaly *self)
{
  g_return_val_if_fail (BRM_IS_ANOMALY (self), NULL);
  return self->sentence;
}
