/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-error-row"

#include "config.h"

#include <glib/gi18n.h>

#include "brm-error-row.h"

struct _BrmErrorRow
{
  GObject        parent_instance;

  char          *code;
  gint64         count;
  char          *sample_message;
  char          *hint;
  BrmErrorTrend  trend;
  gint64         recent_count;
  char          *trend_text;
};

G_DEFINE_FINAL_TYPE (BrmErrorRow, brm_error_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CODE,
  PROP_COUNT,
  PROP_SAMPLE_MESSAGE,
  PROP_HINT,
  PROP_TREND_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
brm_error_row_finalize (GObject *object)
{
  BrmErrorRow *self = BRM_ERROR_ROW (object);

  g_free (self->code);
  g_free (self->sample_message);
  g_free (self->hint);
  g_free (self->trend_text);

  G_OBJECT_CLASS (brm_error_row_parent_class)->finalize (object);
}

static void
brm_error_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BrmErrorRow *self = BRM_ERROR_ROW (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_COUNT:
      g_value_set_int64 (value, self->count);
      break;
    case PROP_SAMPLE_MESSAGE:
      g_value_set_string (value, self->sample_message);
      break;
    case PROP_HINT:
      g_value_set_string (value, self->hint);
      break;
    case PROP_TREND_TEXT:
      g_value_set_string (value, self->trend_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_error_row_class_init (BrmErrorRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = brm_error_row_finalize;
  object_class->get_property = brm_error_row_get_property;

  properties[PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_COUNT] = g_param_spec_int64 ("count", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_SAMPLE_MESSAGE] = g_param_spec_string ("sample-message", NULL, NULL, NULL, flags);
  properties[PROP_HINT] = g_param_spec_string ("hint", NULL, NULL, NULL, flags);
  properties[PROP_TREND_TEXT] = g_param_spec_string ("trend-text", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_error_row_init (BrmErrorRow *self)
{
}

/**
 * brm_error_row_new:
 * @recent_count: occurrences in the latest @recent_days days (ignored for
 *   %BRM_ERROR_TREND_NONE)
 * @earlier_days: the days of the period before those
 *
 * The rows are immutable: a refresh builds new ones.
 */
BrmErrorRow *
brm_error_row_new (const char    *code,
                   gint64         count,
                   const char    *sample_message,
                   const char    *hint,
                   BrmErrorTrend  trend,
                   gint64         recent_count,
                   guint          recent_days,
                   guint          earlier_days)
{
  BrmErrorRow *self = g_object_new (BRM_TYPE_ERROR_ROW, NULL);
  gint64 earlier = count - recent_count;

  self->code = g_strdup (code);
  self->count = count;
  self->sample_message = g_strdup (sample_message);
  self->hint = g_strdup (hint);
  self->trend = trend;
  self->recent_count = recent_count;

  /* The arrow is decoration; the words carry the meaning. */
  switch (trend)
    {
    case BRM_ERROR_TREND_NEW:
      /* TRANSLATORS: an error trend; %lld is a count, %u a number of days */
      self->trend_text = g_strdup_printf (_("New: %lld in the last %u days, none before"),
                                          (long long) recent_count, recent_days);
      break;
    case BRM_ERROR_TREND_RISING:
      /* TRANSLATORS: an error trend: count, days, count, days */
      self->trend_text = g_strdup_printf (_("↑ Rising: %lld in the last %u days, %lld in the %u days before"),
                                          (long long) recent_count, recent_days, (long long) earlier, earlier_days);
      break;
    case BRM_ERROR_TREND_FALLING:
      self->trend_text = g_strdup_printf (_("↓ Falling: %lld in the last %u days, %lld in the %u days before"),
                                          (long long) recent_count, recent_days, (long long) earlier, earlier_days);
      break;
    case BRM_ERROR_TREND_STEADY:
      self->trend_text = g_strdup_printf (_("Steady: %lld in the last %u days, %lld in the %u days before"),
                                          (long long) recent_count, recent_days, (long long) earlier, earlier_days);
      break;
    case BRM_ERROR_TREND_NONE:
    default:
      self->trend_text = g_strdup (_("No trend: the server gives no data to compare"));
      break;
    }

  return self;
}

const char *
brm_error_row_get_code (BrmErrorRow *self)
{
  g_return_val_if_fail (BRM_IS_ERROR_ROW (self), NULL);
  return self->code;
}

gint64
brm_error_row_get_count (BrmErrorRow *self)
{
  g_return_val_if_fail (BRM_IS_ERROR_ROW (self), 0);
  return self->count;
}

const char *
brm_error_row_get_sample_message (BrmErrorRow *self)
{
  g_return_val_if_fail (BRM_IS_ERROR_ROW (self), NULL);
  return self->sample_message;
}

const char *
brm_error_row_get_hint (BrmErrorRow *self)
{
  g_return_val_if_fail (BRM_IS_ERROR_ROW (self), NULL);
  return self->hint;
}

BrmErrorTrend
brm_error_row_get_trend (BrmErrorRow *self)
{
  g_return_val_if_fail (BRM_IS_ERROR_ROW (self), BRM_ERROR_TREND_NONE);
  return self->trend;
}

gint64
brm_error_row_get_recent_count (BrmErrorRow *self)
{
  g_return_val_if_fail (BRM_IS_ERROR_ROW (self), 0);
  return self->recent_count;
}

gint64
brm_error_row_get_earlier_count (BrmErrorRow *self)
{
  g_return_val_if_fail (BRM_IS_ERROR_ROW (self), 0);
  return self->count - self->recent_count;
}

const char *
brm_error_row_get_trend_text (BrmErrorRow *self)
{
  g_return_val_if_fail (BRM_IS_ERROR_ROW (self), NULL);
  return self->trend_text;
}
