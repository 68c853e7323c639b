/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-chart-series"

#include "config.h"

#include <math.h>

#include "brm-chart-series.h"

/**
 * BrmChartPoint:
 *
 * One sample of a #BrmChartSeries as an object, made on demand when a list
 * (the "Show as table" view) asks for it. Charts read the packed samples
 * with brm_chart_series_peek_samples() instead, so a series of thousands of
 * points costs no objects until somebody looks at it as a table.
 */
struct _BrmChartPoint
{
  GObject parent_instance;
  double  x;
  double  y;
};

G_DEFINE_FINAL_TYPE (BrmChartPoint, brm_chart_point, G_TYPE_OBJECT)

enum {
  POINT_PROP_0,
  POINT_PROP_X,
  POINT_PROP_Y,
  POINT_N_PROPS
};

static GParamSpec *point_properties[POINT_N_PROPS];

static void
brm_chart_point_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BrmChartPoint *self = BRM_CHART_POINT (object);

  switch (prop_id)
    {
    case POINT_PROP_X:
      g_value_set_double (value, self->x);
      break;
    case POINT_PROP_Y:
      g_value_set_double (value, self->y);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_chart_point_class_init (BrmChartPointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = brm_chart_point_get_property;

  point_properties[POINT_PROP_X] =
    g_param_spec_double ("x", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* NAN for a gap: GParamSpecDouble accepts it as a value. */
  point_properties[POINT_PROP_Y] =
    g_param_spec_double ("y", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, POINT_N_PROPS, point_properties);
}

static void
brm_chart_point_init (BrmChartPoint *self)
{
}

double
brm_chart_point_get_x (BrmChartPoint *self)
{
  g_return_val_if_fail (BRM_IS_CHART_POINT (self), 0);
  return self->x;
}

/**
 * brm_chart_point_get_y:
 *
 * Returns: the value, or NAN where the series has a gap
 */
double
brm_chart_point_get_y (BrmChartPoint *self)
{
  g_return_val_if_fail (BRM_IS_CHART_POINT (self), NAN);
  return self->y;
}

/**
 * BrmChartSeries:
 *
 * The data of one line, area or bar stack of a chart: samples kept sorted
 * by x in one packed array. It is a #GListModel of #BrmChartPoint so the
 * same series feeds a chart and its table view; items-changed tells both
 * what changed, and the charts redraw from the packed array.
 *
 * A y of NAN is a gap: "no data here", which is not the same as zero.
 */
struct _BrmChartSeries
{
  GObject  parent_instance;

  char    *id;
  char    *label;
  GArray  *samples;

  /* Extents over the non-gap samples, computed when first asked. */
  gboolean extents_valid;
  gboolean has_extents;
  double   x_min, x_max, y_min, y_max;
};

static void brm_chart_series_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BrmChartSeries, brm_chart_series, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      brm_chart_series_list_model_init))

enum {
  PROP_0,
  PROP_ID,
  PROP_LABEL,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
brm_chart_series_get_item_type (GListModel *model)
{
  return BRM_TYPE_CHART_POINT;
}

static guint
brm_chart_series_get_n_items (GListModel *model)
{
  return BRM_CHART_SERIES (model)->samples->len;
}

static gpointer
brm_chart_series_get_item (GListModel *model,
                           guint       position)
{
  BrmChartSeries *self = BRM_CHART_SERIES (model);
  BrmChartPoint *point;
  const BrmChartSample *sample;

  if (position >= self->samples->len)
    return NULL;

  sample = &g_array_index (self->samples, BrmChartSample, position);
  point = g_object_new (BRM_TYPE_CHART_POINT, NULL);
  point->x = sample->x;
  point->y = sample->y;

  return point;
}

static void
brm_chart_series_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = brm_chart_series_get_item_type;
  iface->get_n_items = brm_chart_series_get_n_items;
  iface->get_item = brm_chart_series_get_item;
}

static void
brm_chart_series_finalize (GObject *object)
{
  BrmChartSeries *self = BRM_CHART_SERIES (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->samples, g_array_unref);

  G_OBJECT_CLASS (brm_chart_series_parent_class)->finalize (object);
}

static void
brm_chart_series_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BrmChartSeries *self = BRM_CHART_SERIES (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->samples->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_chart_series_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BrmChartSeries *self = BRM_CHART_SERIES (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_LABEL:
      brm_chart_series_set_label (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_chart_series_class_init (BrmChartSeriesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = brm_chart_series_finalize;
  object_class->get_property = brm_chart_series_get_property;
  object_class->set_property = brm_chart_series_set_property;

  /**
   * BrmChartSeries:id:
   *
   * A stable identifier (e.g. "throughput"), used by tests and exports.
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BrmChartSeries:label:
   *
   * The translated name shown in legends, table headers and the chart's
   * accessible description.
   */
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_chart_series_init (BrmChartSeries *self)
{
  self->samples = g_array_new (FALSE, FALSE, sizeof (BrmChartSample));
}

BrmChartSeries *
brm_chart_series_new (const char *id,
                      const char *label)
{
  return g_object_new (BRM_TYPE_CHART_SERIES,
                       "id", id,
                       "label", label,
                       NULL);
}

const char *
brm_chart_series_get_id (BrmChartSeries *self)
{
  g_return_val_if_fail (BRM_IS_CHART_SERIES (self), NULL);
  return self->id;
}

const char *
brm_chart_series_get_label (BrmChartSeries *self)
{
  g_return_val_if_fail (BRM_IS_CHART_SERIES (self), NULL);
  return self->label;
}

void
brm_chart_series_set_label (BrmChartSeries *self,
                            const char     *label)
{
  g_return_if_fail (BRM_IS_CHART_SERIES (self));

  if (g_strcmp0 (self->label, label) == 0)
    return;

  g_free (self->label);
  self->label = g_strdup (label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

guint
brm_chart_series_get_n_samples (BrmChartSeries *self)
{
  g_return_val_if_fail (BRM_IS_CHART_SERIES (self), 0);
  return self->samples->len;
}

/**
 * brm_chart_series_peek_samples:
 * @n_samples: (out) (optional): the number of samples
 *
 * Returns: (transfer none): the samples sorted by x, valid until the
 *   series next changes; %NULL when empty
 */
const BrmChartSample *
brm_chart_series_peek_samples (BrmChartSeries *self,
                               guint          *n_samples)
{
  g_return_val_if_fail (BRM_IS_CHART_SERIES (self), NULL);

  if (n_samples)
    *n_samples = self->samples->len;

  return self->samples->len ? (const BrmChartSample *) (gpointer) self->samples->data : NULL;
}

/**
 * brm_chart_series_get_last:
 * @last: (out): the sample with the largest x
 *
 * Returns: %FALSE when the series is empty
 */
gboolean
brm_chart_series_get_last (BrmChartSeries *self,
                           BrmChartSample *last)
{
  g_return_val_if_fail (BRM_IS_CHART_SERIES (self), FALSE);
  g_return_val_if_fail (last != NULL, FALSE);

  if (self->samples->len == 0)
    return FALSE;

  *last = g_array_index (self->samples, BrmChartSample, self->samples->len - 1);
  return TRUE;
}

static void
changed (BrmChartSeries *self,
         guint           position,
         guint           removed,
         guint           added)
{
  self->extents_valid = FALSE;
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* The index of the first sample whose x is greater than @x. */
static guint
upper_bound (BrmChartSeries *self,
             double          x)
{
  guint lo = 0, hi = self->samples->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->samples, BrmChartSample, mid).x <= x)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/* The index of the first sample whose x is not less than @x. */
static guint
lower_bound (BrmChartSeries *self,
             double          x)
{
  guint lo = 0, hi = self->samples->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->samples, BrmChartSample, mid).x < x)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

/**
 * brm_chart_series_append:
 * @x: a finite position
 * @y: the value, or NAN for a gap
 *
 * Adds a sample. Live series append in order, which costs nothing more
 * than the copy; a sample older than the last one is inserted in place
 * (after samples with the same x) so the series stays sorted.
 */
void
brm_chart_series_append (BrmChartSeries *self,
                         double          x,
                         double          y)
{
  BrmChartSample sample = { x, y };
  guint position;

  g_return_if_fail (BRM_IS_CHART_SERIES (self));
  g_return_if_fail (isfinite (x));

  position = upper_bound (self, x);
  g_array_insert_val (self->samples, position, sample);
  changed (self, position, 0, 1);
}

static int
compare_samples (gconstpointer a,
                 gconstpointer b)
{
  const BrmChartSample *sa = a, *sb = b;

  return (sa->x > sb->x) - (sa->x < sb->x);
}

/**
 * brm_chart_series_set_samples:
 * @samples: (array length=n_samples) (nullable): the new samples, in any order
 *
 * Replaces every sample at once (one items-changed). Samples whose x is
 * not finite are dropped.
 */
void
brm_chart_series_set_samples (BrmChartSeries       *self,
                              const BrmChartSample *samples,
                              guint                 n_samples)
{
  guint removed;

  g_return_if_fail (BRM_IS_CHART_SERIES (self));
  g_return_if_fail (samples != NULL || n_samples == 0);

  removed = self->samples->len;
  g_array_set_size (self->samples, 0);
  for (guint i = 0; i < n_samples; i++)
    if (isfinite (samples[i].x))
      g_array_append_val (self->samples, samples[i]);

  /* g_array_sort is a stable merge sort, so equal x keep their order. */
  g_array_sort (self->samples, compare_samples);

  if (removed != 0 || self->samples->len != 0)
    changed (self, 0, removed, self->samples->len);
}

void
brm_chart_series_clear (BrmChartSeries *self)
{
  guint removed;

  g_return_if_fail (BRM_IS_CHART_SERIES (self));

  removed = self->samples->len;
  if (removed == 0)
    return;

  g_array_set_size (self->samples, 0);
  changed (self, 0, removed, 0);
}

/**
 * brm_chart_series_trim_before:
 *
 * Drops the samples whose x is less than @x: a live chart keeps only its
 * window of time.
 *
 * Returns: how many samples were dropped
 */
guint
brm_chart_series_trim_before (BrmChartSeries *self,
                              double          x)
{
  guint n;

  g_return_val_if_fail (BRM_IS_CHART_SERIES (self), 0);

  n = lower_bound (self, x);
  if (n == 0)
    return 0;

  g_array_remove_range (self->samples, 0, n);
  changed (self, 0, n, 0);

  return n;
}

/**
 * brm_chart_series_get_extents:
 * @x_min: (out) (optional):
 * @x_max: (out) (optional):
 * @y_min: (out) (optional):
 * @y_max: (out) (optional):
 *
 * The bounds of the samples that are not gaps.
 *
 * Returns: %FALSE when every sample is a gap or there is none
 */
gboolean
brm_chart_series_get_extents (BrmChartSeries *self,
                              double         *x_min,
                              double         *x_max,
                              double         *y_min,
                              double         *y_max)
{
  g_return_val_if_fail (BRM_IS_CHART_SERIES (self), FALSE);

  if (!self->extents_valid)
    {
      self->has_extents = FALSE;
      for (guint i = 0; i < self->samples->len; i++)
        {
          const BrmChartSample *s = &g_array_index (self->samples, BrmChartSample, i);

          if (isnan (s->y))
            continue;

          if (!self->has_extents)
            {
              self->x_min = self->x_max = s->x;
              self->y_min = self->y_max = s->y;
              self->has_extents = TRUE;
              continue;
            }

          self->x_min = MIN (self->x_min, s->x);
          self->x_max = MAX (self->x_max, s->x);
          self->y_min = MIN (self->y_min, s->y);
          self->y_max = MAX (self->y_max, s->y);
        }
      self->extents_valid = TRUE;
    }

  if (!self->has_extents)
    return FALSE;

  if (x_min)
    *x_min = self->x_min;
  if (x_max)
    *x_max = self->x_max;
  if (y_min)
    *y_min = self->y_min;
  if (y_max)
    *y_max = self->y_max;

  return TRUE;
}

/**
 * brm_chart_series_find:
 *
 * The sample nearest to @x, for a crosshair or keyboard focus. Ties go
 * to the earlier sample.
 *
 * Returns: its index, or %G_MAXUINT when the series is empty
 */
guint
brm_chart_series_find (BrmChartSeries *self,
                       double          x)
{
  guint after;

  g_return_val_if_fail (BRM_IS_CHART_SERIES (self), G_MAXUINT);

  if (self->samples->len == 0)
    return G_MAXUINT;

  after = lower_bound (self, x);
  if (after == 0)
    return 0;
  if (after == self->samples->len)
    return after - 1;

  if (x - g_array_index (self->samples, BrmChartSample, after - 1).x
      <= g_array_index (self->samples, BrmChartSample, after).x - x)
    return after - 1;

  return after;
}
