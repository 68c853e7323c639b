/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-time-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "brm-time-chart.h"

/**
 * BrmTimeChart:
 *
 * Lines (or areas) over time for several series, with a legend, axes
 * labelled in the chart's unit, a hover crosshair reading every series
 * at the nearest x, keyboard focus moving between points, and an
 * optional threshold line.
 *
 * Geometry is cached until the data, the x window or the width changes:
 * a sparse series is decimated to at most four samples per pixel column
 * (first, lowest, highest, last — the Sysprof way) and stroked; a dense
 * one keeps the min/max of each plot column, written into the layer's
 * pixels. What does not move with live data (legend, grid, y labels) is
 * painted into an image of its own and reused; see docs/charts.md.
 */
struct _BrmTimeChart
{
  BrmChart          parent_instance;

  BrmTimeChartStyle style;
  double            window;

  /* Decimated samples per series (GArray of BrmChartSample) and what
   * they were made for. */
  GPtrArray        *cache;
  guint64           generation;
  guint64           cache_generation;
  double            cache_x_min;
  double            cache_x_max;
  guint             cache_columns;

  /* Per series, for dense series: the lowest and highest value of each
   * plot column (2 × cache_columns doubles), or NULL for a sparse series
   * drawn as a stroked line; made with the cache above. */
  GPtrArray        *spans;

  /* The x the crosshair read in the last frame, NAN for none. */
  double            hover_data_x;

  /* Two layers, each painted into its own image: what stays put while
   * data streams in (legend, y grid and labels, the x baseline), redrawn
   * only when its key changes, and what moves (series, x ticks, the
   * threshold, the crosshair), redrawn every frame. */
  BrmChartCanvas   *static_layer;
  struct {
    int             width;
    int             height;
    int             scale;
    guint           style_serial;
    guint           labels_hash;
    guint           n_series;
    BrmChartUnit    unit;
    double          y_min;
    double          y_max;
    double          y_step;
    graphene_rect_t plot;
  }                 static_key;
  gboolean          static_valid;
  BrmChartCanvas   *dynamic_layer;
};

/* Where everything goes in one frame. */
typedef struct
{
  double          x_min;
  double          x_max;
  double          y_min;
  double          y_max;
  double          y_step;
  GArray         *y_ticks;
  double          legend_h;
  double          label_w;
  graphene_rect_t plot;
  BrmChartScale   xs;
  BrmChartScale   ys;
  guint           plot_columns;
} Layout;

G_DEFINE_FINAL_TYPE (BrmTimeChart, brm_time_chart, BRM_TYPE_CHART)

G_DEFINE_ENUM_TYPE (BrmTimeChartStyle, brm_time_chart_style,
                    G_DEFINE_ENUM_VALUE (BRM_TIME_CHART_LINE, "line"),
                    G_DEFINE_ENUM_VALUE (BRM_TIME_CHART_AREA, "area"))

enum {
  PROP_0,
  PROP_STYLE,
  PROP_WINDOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
spans_free (gpointer data)
{
  if (data)
    g_array_unref (data);
}

BrmTimeChart *
brm_time_chart_new (void)
{
  return g_object_new (BRM_TYPE_TIME_CHART, NULL);
}

/* The x domain: the window up to the newest sample, or every sample. */
static gboolean
get_x_domain (BrmTimeChart *self,
              double       *x_min,
              double       *x_max)
{
  BrmChart *chart = BRM_CHART (self);
  guint n = brm_chart_get_n_series (chart);
  gboolean any = FALSE;
  double lo = INFINITY, hi = -INFINITY;

  for (guint i = 0; i < n; i++)
    {
      BrmChartSeries *series = brm_chart_get_series_at (chart, i);
      guint n_samples;
      const BrmChartSample *s = brm_chart_series_peek_samples (series, &n_samples);

      /* Gaps count: a window ending in a gap still ends there. */
      if (n_samples == 0)
        continue;
      lo = MIN (lo, s[0].x);
      hi = MAX (hi, s[n_samples - 1].x);
      any = TRUE;
    }

  if (!any)
    return FALSE;

  if (self->window > 0)
    lo = hi - self->window;

  /* A day is a place on the axis, not an instant: half a day either side
   * keeps the first and last days' markers inside the plot. */
  if (brm_chart_get_x_kind (chart) == BRM_CHART_X_DAY && hi > lo)
    {
      lo -= 43200;
      hi += 43200;
    }

  if (hi - lo <= 0)
    {
      /* A single point sits in the middle of a little time around it. */
      double pad;

      switch (brm_chart_get_x_kind (chart))
        {
        case BRM_CHART_X_DAY:
          pad = 43200;
          break;
        case BRM_CHART_X_HOUR:
          pad = 0.5;
          break;
        case BRM_CHART_X_TIME:
        default:
          pad = 30;
          break;
        }
      lo -= pad;
      hi += pad;
    }

  *x_min = lo;
  *x_max = hi;
  return TRUE;
}

/* A series with more samples than one per 8 pixels is drawn column by
 * column: stroking thousands of overlapping segments is what makes Cairo
 * slow (about 150 ms for 10 × 3,600 points here), filling 1-pixel-wide
 * columns is not. */
static gboolean
is_dense (guint n_samples,
          guint columns)
{
  return n_samples > columns / 8;
}

/* Per series either the decimated samples (sparse series, stroked) or
 * the min/max of each plot column (dense series), kept until the data,
 * the x domain or the width changes. A dense series is never decimated:
 * its columns are all that is drawn. */
static void
ensure_cache (BrmTimeChart *self,
              double        x_min,
              double        x_max,
              guint         columns)
{
  BrmChart *chart = BRM_CHART (self);
  guint n = brm_chart_get_n_series (chart);

  if (self->cache->len == n && self->cache_generation == self->generation
      && self->cache_x_min == x_min && self->cache_x_max == x_max && self->cache_columns == columns)
    return;

  g_ptr_array_set_size (self->cache, 0);
  g_ptr_array_set_size (self->spans, 0);
  for (guint i = 0; i < n; i++)
    {
      BrmChartSeries *series = brm_chart_get_series_at (chart, i);
      guint n_samples;
      const BrmChartSample *s = brm_chart_series_peek_samples (series, &n_samples);
      GArray *spans = NULL;

      if (is_dense (n_samples, columns))
        {
          spans = g_array_sized_new (FALSE, FALSE, sizeof (double), 2 * columns);
          g_array_set_size (spans, 2 * columns);
          brm_chart_column_spans (s, n_samples, x_min, x_max, columns,
                                  (double *) (gpointer) spans->data,
                                  (double *) (gpointer) spans->data + columns);
          g_ptr_array_add (self->cache, g_array_new (FALSE, FALSE, sizeof (BrmChartSample)));
        }
      else
        g_ptr_array_add (self->cache, brm_chart_decimate (s, n_samples, x_min, x_max, columns));
      g_ptr_array_add (self->spans, spans);
    }
  self->cache_generation = self->generation;
  self->cache_x_min = x_min;
  self->cache_x_max = x_max;
  self->cache_columns = columns;
}

/* The dash of series @index, by column: series differ by pattern as
 * well as colour in column drawing too. */
static gboolean
column_on (guint index,
           guint column)
{
  switch (brm_chart_style_index (index))
    {
    case 0:
      return TRUE;
    case 1:
      return column % 10 < 6;
    case 2:
      return column % 4 < 2;
    case 3:
      return column % 16 < 8 || (column % 16 >= 11 && column % 16 < 13);
    case 4:
      return column % 18 < 13;
    default:
      return column % 6 < 3;
    }
}

static inline guint32
premultiply (const GdkRGBA *c)
{
  double a = CLAMP (c->alpha, 0, 1);

  return ((guint32) (a * 255 + 0.5) << 24)
         | ((guint32) (CLAMP (c->red, 0, 1) * a * 255 + 0.5) << 16)
         | ((guint32) (CLAMP (c->green, 0, 1) * a * 255 + 0.5) << 8)
         | (guint32) (CLAMP (c->blue, 0, 1) * a * 255 + 0.5);
}

/* @src over @dst, both premultiplied ARGB32. */
static inline guint32
over (guint32 src,
      guint32 dst)
{
  guint32 ia = 255 - (src >> 24), out = 0;

  for (int shift = 0; shift < 32; shift += 8)
    {
      guint32 d = (dst >> shift) & 0xff;
      guint32 t = d * ia + 128;

      out |= (((src >> shift) & 0xff) + ((t + (t >> 8)) >> 8)) << shift;
    }
  return out;
}

/* Fills each plot column of a dense series from its low to its high
 * value as a box of pixels, written straight into the layer's image:
 * for thousands of boxes a frame, Cairo's per-rectangle path work costs
 * far more than the pixels themselves. @area fills down to @base
 * instead. Clipped to @plot (grown by the line width). */
static void
fill_columns (cairo_surface_t       *surface,
              int                    scale,
              GArray                *spans,
              guint                  columns,
              const graphene_rect_t *plot,
              const BrmChartScale   *ys,
              double                 lw,
              guint                  index,
              double                 base,
              gboolean               area,
              const GdkRGBA         *color)
{
  const double *lo = (const double *) (gpointer) spans->data;
  const double *hi = lo + columns;
  guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface) / 4;
  int surface_w = cairo_image_surface_get_width (surface);
  int surface_h = cairo_image_surface_get_height (surface);
  int clip_top = MAX (0, (int) floor ((plot->origin.y - lw) * scale));
  int clip_bottom = MIN (surface_h, (int) ceil ((plot->origin.y + plot->size.height + lw) * scale));
  guint32 pixel = premultiply (color);
  gboolean opaque = (pixel >> 24) == 0xff;

  for (guint c = 0; c < columns; c++)
    {
      double top, bottom;
      int x0, y0, y1;

      if (isnan (lo[c]) || (!area && !column_on (index, c)))
        continue;
      top = floor (brm_chart_scale_map (ys, hi[c]) - (area ? 0 : lw / 2));
      bottom = area ? base : ceil (brm_chart_scale_map (ys, lo[c]) + lw / 2);
      bottom = MAX (bottom, top + 1);

      x0 = (int) ((plot->origin.x + c) * scale);
      y0 = MAX (clip_top, (int) (top * scale));
      y1 = MIN (clip_bottom, (int) (bottom * scale));
      for (int x = x0; x < x0 + scale && x < surface_w; x++)
        for (int y = y0; y < y1; y++)
          {
            guint32 *p = (guint32 *) (gpointer) data + (gsize) y * stride + x;

            *p = opaque ? pixel : over (pixel, *p);
          }
    }
}

/* The x nearest to @x among every series' samples. */
static gboolean
nearest_x (BrmTimeChart *self,
           double        x,
           double       *found)
{
  BrmChart *chart = BRM_CHART (self);
  guint n = brm_chart_get_n_series (chart);
  gboolean any = FALSE;

  for (guint i = 0; i < n; i++)
    {
      BrmChartSeries *series = brm_chart_get_series_at (chart, i);
      guint index = brm_chart_series_find (series, x);
      const BrmChartSample *s;

      if (index == G_MAXUINT)
        continue;
      s = brm_chart_series_peek_samples (series, NULL);
      if (!any || fabs (s[index].x - x) < fabs (*found - x))
        *found = s[index].x;
      any = TRUE;
    }
  return any;
}

static void
draw_x_axis (BrmTimeChart          *self,
             cairo_t               *cr,
             const graphene_rect_t *plot,
             const BrmChartScale   *xs,
             double                 label_w)
{
  BrmChart *chart = BRM_CHART (self);
  guint max_ticks = MAX (2, (guint) (plot->size.width / (label_w + 24)));
  g_autoptr(GArray) ticks = NULL;
  double step = 0;
  GdkRGBA fg, axis;

  if (brm_chart_get_x_kind (chart) == BRM_CHART_X_HOUR)
    {
      ticks = brm_chart_nice_ticks (xs->domain_min, xs->domain_max, max_ticks, NULL, NULL, &step);
      step = MAX (step, 1);
    }
  else if (brm_chart_get_x_kind (chart) == BRM_CHART_X_DAY)
    {
      /* Days are labelled under their own points, every one that fits,
       * counted back from the newest; a clock step would label one day
       * twice (at midnight and noon). */
      guint n_days = 0, stride;
      const BrmChartSample *days = brm_chart_series_peek_samples (brm_chart_get_series_at (chart, 0), &n_days);

      ticks = g_array_new (FALSE, FALSE, sizeof (double));
      stride = MAX (1, (guint) ceil ((double) n_days / max_ticks));
      for (guint i = 0; i < n_days; i++)
        if ((n_days - 1 - i) % stride == 0)
          g_array_append_val (ticks, days[i].x);
      step = 86400.0 * stride;
    }
  else
    ticks = brm_chart_time_ticks (xs->domain_min, xs->domain_max, max_ticks, &step);

  brm_chart_get_foreground (chart, &fg);
  axis = fg;
  axis.alpha = brm_chart_get_high_contrast (chart) ? 1 : 0.5;

  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < ticks->len; i++)
    {
      double v = g_array_index (ticks, double, i);
      double x = round (brm_chart_scale_map (xs, v)) + 0.5;
      g_autofree char *text = NULL;
      double tw;

      if (v < xs->domain_min || v > xs->domain_max)
        continue;

      /* Ticks land on the clock; the span decides whether the day shows. */
      text = brm_chart_format_x_value (brm_chart_get_x_kind (chart), v,
                                       step >= 86400 ? 2 * 86400 : step < 60 ? 60 : 3600);
      gdk_cairo_set_source_rgba (cr, &axis);
      cairo_move_to (cr, x, plot->origin.y + plot->size.height);
      cairo_line_to (cr, x, plot->origin.y + plot->size.height + 4);
      cairo_stroke (cr);
      /* Centred under its tick, but never reaching left into the y
       * labels: the first one starts at the plot's edge instead. */
      brm_chart_measure_text (chart, text, &tw, NULL);
      gdk_cairo_set_source_rgba (cr, &fg);
      brm_chart_draw_text (chart, cr, text, MAX (x, plot->origin.x + tw / 2), plot->origin.y + plot->size.height + 5,
                           0.5, 0, NULL, NULL);
    }
  cairo_restore (cr);
}

static void
trace_series (cairo_t             *cr,
              GArray              *points,
              const BrmChartScale *xs,
              const BrmChartScale *ys,
              GArray              *singles)
{
  const BrmChartSample *s = (const BrmChartSample *) (gpointer) points->data;
  g_autoptr(GArray) segments = brm_chart_split_segments (s, points->len);

  for (guint k = 0; k < segments->len; k++)
    {
      BrmChartSegment *seg = &g_array_index (segments, BrmChartSegment, k);

      if (seg->end - seg->start == 1)
        {
          /* A lone sample between gaps has no line: it gets a marker. */
          if (singles)
            g_array_append_val (singles, s[seg->start]);
          continue;
        }
      cairo_move_to (cr, brm_chart_scale_map (xs, s[seg->start].x), brm_chart_scale_map (ys, s[seg->start].y));
      for (guint j = seg->start + 1; j < seg->end; j++)
        cairo_line_to (cr, brm_chart_scale_map (xs, s[j].x), brm_chart_scale_map (ys, s[j].y));
    }
}

static void
fill_area (cairo_t             *cr,
           GArray              *points,
           const BrmChartScale *xs,
           const BrmChartScale *ys,
           double               base)
{
  const BrmChartSample *s = (const BrmChartSample *) (gpointer) points->data;
  g_autoptr(GArray) segments = brm_chart_split_segments (s, points->len);

  for (guint k = 0; k < segments->len; k++)
    {
      BrmChartSegment *seg = &g_array_index (segments, BrmChartSegment, k);

      if (seg->end - seg->start < 2)
        continue;
      cairo_move_to (cr, brm_chart_scale_map (xs, s[seg->start].x), base);
      for (guint j = seg->start; j < seg->end; j++)
        cairo_line_to (cr, brm_chart_scale_map (xs, s[j].x), brm_chart_scale_map (ys, s[j].y));
      cairo_line_to (cr, brm_chart_scale_map (xs, s[seg->end - 1].x), base);
      cairo_close_path (cr);
    }
  cairo_fill (cr);
}

static void
draw_point_highlight (BrmTimeChart          *self,
                      cairo_t               *cr,
                      double                 x,
                      const BrmChartScale   *xs,
                      const BrmChartScale   *ys,
                      const graphene_rect_t *plot,
                      gboolean               ring)
{
  BrmChart *chart = BRM_CHART (self);
  guint n = brm_chart_get_n_series (chart);
  double px = brm_chart_scale_map (xs, x);
  double top_y = plot->origin.y + plot->size.height;
  GdkRGBA fg;

  brm_chart_get_foreground (chart, &fg);

  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  fg.alpha = brm_chart_get_high_contrast (chart) ? 1 : 0.6;
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_move_to (cr, round (px) + 0.5, plot->origin.y);
  cairo_line_to (cr, round (px) + 0.5, plot->origin.y + plot->size.height);
  cairo_stroke (cr);
  fg.alpha = 1;

  for (guint i = 0; i < n; i++)
    {
      double v = brm_chart_series_value_at (brm_chart_get_series_at (chart, i), x);
      double py;
      GdkRGBA c;

      if (isnan (v))
        continue;
      py = brm_chart_scale_map (ys, v);
      top_y = MIN (top_y, py);
      brm_chart_get_series_color (chart, i, &c);
      gdk_cairo_set_source_rgba (cr, &c);
      brm_chart_draw_marker (cr, i, px, py, 4.5);
      if (ring)
        {
          /* The focused point: a ring in the text colour. */
          gdk_cairo_set_source_rgba (cr, &fg);
          cairo_set_line_width (cr, 2);
          cairo_new_sub_path (cr);
          cairo_arc (cr, px, py, 8, 0, 2 * G_PI);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);

  brm_chart_draw_readout (chart, cr, x, px, top_y, plot);
}

/* The frame's layout: x domain, y range and ticks, the plot area. FALSE
 * when there is nothing to draw. */
static gboolean
compute_layout (BrmTimeChart *self,
                int           width,
                int           height,
                Layout       *layout)
{
  BrmChart *chart = BRM_CHART (self);
  guint n = brm_chart_get_n_series (chart);
  double y_min = INFINITY, y_max = -INFINITY, threshold, label_h, axis_w;
  g_autofree char *sample_label = NULL;

  memset (layout, 0, sizeof *layout);
  if (!get_x_domain (self, &layout->x_min, &layout->x_max))
    return FALSE;

  if (n > 1)
    layout->legend_h = brm_chart_measure_legend (chart, width - 8) + 8;

  sample_label = brm_chart_format_x_value (brm_chart_get_x_kind (chart), layout->x_max, 3600);
  brm_chart_measure_text (chart, sample_label, &layout->label_w, &label_h);

  /* The y range of what is in the window, from the samples themselves
   * (a pass over them costs less than a decimation). */
  for (guint i = 0; i < n; i++)
    {
      guint n_samples;
      const BrmChartSample *s = brm_chart_series_peek_samples (brm_chart_get_series_at (chart, i), &n_samples);

      for (guint j = 0; j < n_samples; j++)
        {
          if (isnan (s[j].y) || s[j].x < layout->x_min || s[j].x > layout->x_max)
            continue;
          y_min = MIN (y_min, s[j].y);
          y_max = MAX (y_max, s[j].y);
        }
    }
  threshold = brm_chart_get_threshold (chart, NULL);
  if (brm_chart_threshold_in_range (chart, y_max))
    {
      y_min = MIN (y_min, threshold);
      y_max = MAX (y_max, threshold);
    }
  if (!isfinite (y_min))
    y_min = 0, y_max = 1;

  layout->y_ticks = brm_chart_value_ticks (chart, y_min, y_max,
                                          MAX (2, (guint) ((height - layout->legend_h - label_h - 16) / 36)),
                                          &layout->y_min, &layout->y_max, &layout->y_step);
  axis_w = brm_chart_measure_y_axis (chart, layout->y_ticks, layout->y_step);

  layout->plot = GRAPHENE_RECT_INIT (ceil (axis_w) + 10, round (layout->legend_h + label_h / 2 + 2), 0, 0);
  layout->plot.size.width = MAX (1, floor (width - layout->plot.origin.x - layout->label_w / 2 - 4));
  layout->plot.size.height = MAX (1, round (height - layout->plot.origin.y - label_h - 8));
  layout->plot_columns = (guint) layout->plot.size.width;

  brm_chart_scale_init (&layout->xs, layout->x_min, layout->x_max,
                        layout->plot.origin.x, layout->plot.origin.x + layout->plot.size.width);
  brm_chart_scale_init (&layout->ys, layout->y_min, layout->y_max,
                        layout->plot.origin.y + layout->plot.size.height, layout->plot.origin.y);
  return TRUE;
}

/* The x-axis line, which does not move with the data. */
static void
draw_x_baseline (BrmTimeChart          *self,
                 cairo_t               *cr,
                 const graphene_rect_t *plot)
{
  BrmChart *chart = BRM_CHART (self);
  double y = round (plot->origin.y + plot->size.height) + 0.5;
  GdkRGBA axis;

  brm_chart_get_foreground (chart, &axis);
  axis.alpha = brm_chart_get_high_contrast (chart) ? 1 : 0.5;
  cairo_set_line_width (cr, 1);
  gdk_cairo_set_source_rgba (cr, &axis);
  cairo_move_to (cr, plot->origin.x, y);
  cairo_line_to (cr, plot->origin.x + plot->size.width, y);
  cairo_stroke (cr);
}

static guint
labels_hash (BrmChart *chart)
{
  guint n = brm_chart_get_n_series (chart), hash = n;

  for (guint i = 0; i < n; i++)
    {
      const char *label = brm_chart_series_get_label (brm_chart_get_series_at (chart, i));

      hash = hash * 31 + (label ? g_str_hash (label) : 0);
    }
  return hash;
}

/* Legend, horizontal grid and y labels, x baseline: repainted only when
 * the size, the y range, the unit, the series' names or the style
 * change. */
static void
update_static_layer (BrmTimeChart *self,
                     int           width,
                     int           height,
                     int           scale,
                     const Layout *layout)
{
  BrmChart *chart = BRM_CHART (self);
  guint n = brm_chart_get_n_series (chart);
  cairo_t *cr;

  if (self->static_valid
      && self->static_key.width == width && self->static_key.height == height
      && self->static_key.scale == scale
      && self->static_key.style_serial == brm_chart_get_style_serial (chart)
      && self->static_key.n_series == n && self->static_key.labels_hash == labels_hash (chart)
      && self->static_key.unit == brm_chart_get_unit (chart)
      && self->static_key.y_min == layout->y_min && self->static_key.y_max == layout->y_max
      && self->static_key.y_step == layout->y_step
      && graphene_rect_equal (&self->static_key.plot, &layout->plot))
    return;

  cr = brm_chart_canvas_begin (self->static_layer, width, height, scale);
  if (n > 1)
    brm_chart_draw_legend (chart, cr, 4, 0, width - 8, FALSE);
  brm_chart_draw_y_axis (chart, cr, &layout->plot, layout->y_ticks, layout->y_step, &layout->ys);
  draw_x_baseline (self, cr, &layout->plot);
  brm_chart_canvas_end (self->static_layer, cr);

  self->static_key.width = width;
  self->static_key.height = height;
  self->static_key.scale = scale;
  self->static_key.style_serial = brm_chart_get_style_serial (chart);
  self->static_key.n_series = n;
  self->static_key.unit = brm_chart_get_unit (chart);
  self->static_key.labels_hash = labels_hash (chart);
  self->static_key.y_min = layout->y_min;
  self->static_key.y_max = layout->y_max;
  self->static_key.y_step = layout->y_step;
  self->static_key.plot = layout->plot;
  self->static_valid = TRUE;
}

/* Series, x ticks and labels, threshold, crosshair or focused point. */
static void
draw_dynamic_layer (BrmTimeChart *self,
                    cairo_t      *cr,
                    int           scale,
                    const Layout *layout)
{
  graphene_point_t pointer;
  BrmChart *chart = BRM_CHART (self);
  gboolean hc = brm_chart_get_high_contrast (chart);
  double lw = brm_chart_get_line_width (chart);
  const graphene_rect_t *plot = &layout->plot;
  cairo_surface_t *surface = cairo_get_target (cr);
  double base;

  draw_x_axis (self, cr, plot, &layout->xs, layout->label_w);

  ensure_cache (self, layout->x_min, layout->x_max, layout->plot_columns);
  base = round (brm_chart_scale_map (&layout->ys, CLAMP (0, layout->y_min, layout->y_max)));

  /* Dense series first, as pixels, while Cairo has nothing pending. */
  cairo_surface_flush (surface);
  for (guint i = 0; i < self->cache->len; i++)
    {
      GArray *spans = g_ptr_array_index (self->spans, i);
      GdkRGBA c;

      if (spans == NULL)
        continue;
      brm_chart_get_series_color (chart, i, &c);
      /* High contrast: no translucent fills, only the lines. */
      if (self->style == BRM_TIME_CHART_AREA && !hc)
        {
          GdkRGBA fill = c;

          fill.alpha = 0.18;
          fill_columns (surface, scale, spans, layout->plot_columns, plot, &layout->ys, lw, i, base, TRUE, &fill);
        }
      fill_columns (surface, scale, spans, layout->plot_columns, plot, &layout->ys, lw, i, base, FALSE, &c);
    }
  cairo_surface_mark_dirty (surface);

  cairo_save (cr);
  cairo_rectangle (cr, plot->origin.x, plot->origin.y - lw, plot->size.width, plot->size.height + 2 * lw);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);

  for (guint i = 0; i < self->cache->len; i++)
    {
      GArray *points = g_ptr_array_index (self->cache, i);
      g_autoptr(GArray) singles = NULL;
      GdkRGBA c;

      if (g_ptr_array_index (self->spans, i) != NULL || points->len == 0)
        continue;

      singles = g_array_new (FALSE, FALSE, sizeof (BrmChartSample));
      brm_chart_get_series_color (chart, i, &c);

      if (self->style == BRM_TIME_CHART_AREA && !hc)
        {
          GdkRGBA fill = c;

          fill.alpha = 0.18;
          gdk_cairo_set_source_rgba (cr, &fill);
          fill_area (cr, points, &layout->xs, &layout->ys, base);
        }

      /* One path per series, stroked once. */
      gdk_cairo_set_source_rgba (cr, &c);
      cairo_set_line_width (cr, lw);
      brm_chart_set_series_dash (chart, cr, i);
      trace_series (cr, points, &layout->xs, &layout->ys, singles);
      cairo_stroke (cr);

      /* Markers where they fit, so series differ by shape too. */
      if (points->len <= plot->size.width / 14)
        for (guint j = 0; j < points->len; j++)
          {
            const BrmChartSample *s = &g_array_index (points, BrmChartSample, j);

            if (!isnan (s->y))
              brm_chart_draw_marker (cr, i, brm_chart_scale_map (&layout->xs, s->x),
                                     brm_chart_scale_map (&layout->ys, s->y), 3 + lw / 2);
          }
      else
        for (guint j = 0; j < singles->len; j++)
          {
            const BrmChartSample *s = &g_array_index (singles, BrmChartSample, j);

            brm_chart_draw_marker (cr, i, brm_chart_scale_map (&layout->xs, s->x),
                                   brm_chart_scale_map (&layout->ys, s->y), 3 + lw / 2);
          }
    }
  cairo_restore (cr);

  brm_chart_draw_threshold (chart, cr, plot, &layout->ys);

  self->hover_data_x = NAN;
  if (brm_chart_get_hover_point (chart, &pointer) && graphene_rect_contains_point (plot, &pointer))
    {
      double x = 0;

      if (nearest_x (self, brm_chart_scale_invert (&layout->xs, pointer.x), &x))
        {
          self->hover_data_x = x;
          draw_point_highlight (self, cr, x, &layout->xs, &layout->ys, plot, FALSE);
        }
    }
  else if (gtk_widget_is_focus (GTK_WIDGET (self)))
    {
      guint index = brm_chart_get_focus_index (chart);

      if (index != G_MAXUINT)
        {
          const BrmChartSample *s = brm_chart_series_peek_samples (brm_chart_get_series_at (chart, 0), NULL);

          draw_point_highlight (self, cr, s[index].x, &layout->xs, &layout->ys, plot, TRUE);
        }
    }
}

static void
brm_time_chart_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  BrmTimeChart *self = BRM_TIME_CHART (widget);
  BrmChart *chart = BRM_CHART (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, width, height);
  Layout layout;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  self->hover_data_x = NAN;
  if (!compute_layout (self, width, height, &layout))
    {
      GdkRGBA fg;

      cr = brm_chart_canvas_begin (self->dynamic_layer, width, height, scale);
      brm_chart_get_foreground (chart, &fg);
      gdk_cairo_set_source_rgba (cr, &fg);
      brm_chart_draw_text (chart, cr, _("No data"), width / 2.0, height / 2.0, 0.5, 0.5, NULL, NULL);
      brm_chart_canvas_end (self->dynamic_layer, cr);
      brm_chart_canvas_append (self->dynamic_layer, snapshot, &bounds);
      return;
    }

  update_static_layer (self, width, height, scale, &layout);
  brm_chart_canvas_append (self->static_layer, snapshot, &bounds);

  cr = brm_chart_canvas_begin (self->dynamic_layer, width, height, scale);
  draw_dynamic_layer (self, cr, scale, &layout);
  brm_chart_canvas_end (self->dynamic_layer, cr);
  brm_chart_canvas_append (self->dynamic_layer, snapshot, &bounds);

  g_array_unref (layout.y_ticks);
}

static char *
brm_time_chart_dup_summary (BrmChart *chart)
{
  BrmTimeChart *self = BRM_TIME_CHART (chart);
  double x_min, x_max;

  /* A windowed chart speaks of what it shows: the last N minutes. */
  if (self->window > 0 && get_x_domain (self, &x_min, &x_max))
    return brm_chart_dup_trend_summary (chart, x_min);
  return brm_chart_dup_trend_summary (chart, -INFINITY);
}

static void
brm_time_chart_data_changed (BrmChart *chart)
{
  BRM_TIME_CHART (chart)->generation++;
}

void
brm_time_chart_set_style (BrmTimeChart      *self,
                          BrmTimeChartStyle  style)
{
  g_return_if_fail (BRM_IS_TIME_CHART (self));

  if (self->style == style)
    return;
  self->style = style;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STYLE]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

BrmTimeChartStyle
brm_time_chart_get_style (BrmTimeChart *self)
{
  g_return_val_if_fail (BRM_IS_TIME_CHART (self), BRM_TIME_CHART_LINE);
  return self->style;
}

void
brm_time_chart_set_window (BrmTimeChart *self,
                           double        seconds)
{
  g_return_if_fail (BRM_IS_TIME_CHART (self));

  seconds = MAX (0, seconds);
  if (self->window == seconds)
    return;
  self->window = seconds;
  self->generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  brm_chart_flush_summary (BRM_CHART (self));
}

double
brm_time_chart_get_window (BrmTimeChart *self)
{
  g_return_val_if_fail (BRM_IS_TIME_CHART (self), 0);
  return self->window;
}

/**
 * brm_time_chart_get_hover_x:
 *
 * Returns: the x of the samples the hover crosshair reads (the nearest
 *   to the pointer), as of the last drawn frame; NAN when the pointer is
 *   not over the plot
 */
double
brm_time_chart_get_hover_x (BrmTimeChart *self)
{
  g_return_val_if_fail (BRM_IS_TIME_CHART (self), NAN);
  return self->hover_data_x;
}

static void
brm_time_chart_finalize (GObject *object)
{
  BrmTimeChart *self = BRM_TIME_CHART (object);

  g_ptr_array_unref (self->cache);
  g_ptr_array_unref (self->spans);
  brm_chart_canvas_free (self->static_layer);
  brm_chart_canvas_free (self->dynamic_layer);

  G_OBJECT_CLASS (brm_time_chart_parent_class)->finalize (object);
}

static void
brm_time_chart_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BrmTimeChart *self = BRM_TIME_CHART (object);

  switch (prop_id)
    {
    case PROP_STYLE:
      g_value_set_enum (value, self->style);
      break;
    case PROP_WINDOW:
      g_value_set_double (value, self->window);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_time_chart_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BrmTimeChart *self = BRM_TIME_CHART (object);

  switch (prop_id)
    {
    case PROP_STYLE:
      brm_time_chart_set_style (self, g_value_get_enum (value));
      break;
    case PROP_WINDOW:
      brm_time_chart_set_window (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_time_chart_class_init (BrmTimeChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BrmChartClass *chart_class = BRM_CHART_CLASS (klass);

  object_class->finalize = brm_time_chart_finalize;
  object_class->get_property = brm_time_chart_get_property;
  object_class->set_property = brm_time_chart_set_property;

  widget_class->snapshot = brm_time_chart_snapshot;

  chart_class->dup_summary = brm_time_chart_dup_summary;
  chart_class->data_changed = brm_time_chart_data_changed;

  properties[PROP_STYLE] =
    g_param_spec_enum ("style", NULL, NULL, BRM_TYPE_TIME_CHART_STYLE, BRM_TIME_CHART_LINE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW] =
    g_param_spec_double ("window", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "timechart");
}

static void
brm_time_chart_init (BrmTimeChart *self)
{
  self->cache = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->spans = g_ptr_array_new_with_free_func ((GDestroyNotify) spans_free);
  self->generation = 1;
  self->hover_data_x = NAN;
  self->static_layer = brm_chart_canvas_new ();
  self->dynamic_layer = brm_chart_canvas_new ();

}
