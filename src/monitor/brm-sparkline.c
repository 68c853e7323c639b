/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-sparkline"

#include "config.h"

#include <math.h>

#include "brm-sparkline.h"

/**
 * BrmSparkline:
 *
 * A tiny line of the first series with a dot on its newest value, no
 * axes and no legend: progress beside a number. It does not take focus
 * (there is nothing to move between at that size); its accessible
 * description carries the value and the trend.
 */
struct _BrmSparkline
{
  BrmChart parent_instance;
};

G_DEFINE_FINAL_TYPE (BrmSparkline, brm_sparkline, BRM_TYPE_CHART)

BrmSparkline *
brm_sparkline_new (void)
{
  return g_object_new (BRM_TYPE_SPARKLINE, NULL);
}

static void
brm_sparkline_draw (BrmChart *chart,
                    cairo_t  *cr,
                    int       width,
                    int       height)
{
  BrmChartSeries *first = brm_chart_get_series_at (chart, 0);
  gboolean hc = brm_chart_get_high_contrast (chart);
  double lw = hc ? 2.5 : 1.5, x_min, x_max, y_min, y_max, pad = lw + 2;
  g_autoptr(GArray) points = NULL;
  g_autoptr(GArray) segments = NULL;
  const BrmChartSample *s;
  guint n;
  BrmChartScale xs, ys;
  BrmChartSample last;
  GdkRGBA c;

  if (first == NULL || !brm_chart_series_get_extents (first, &x_min, &x_max, &y_min, &y_max))
    return;

  /* Progress reads from zero; a flat line sits in the middle. */
  y_min = MIN (0, y_min);
  if (y_max <= y_min)
    y_max = y_min + 1;

  s = brm_chart_series_peek_samples (first, &n);
  points = brm_chart_decimate (s, n, x_min, x_max, MAX (1, width));
  segments = brm_chart_split_segments ((const BrmChartSample *) (gpointer) points->data, points->len);

  brm_chart_scale_init (&xs, x_min, x_max, pad, width - pad);
  brm_chart_scale_init (&ys, y_min, y_max, height - pad, pad);

  brm_chart_get_series_color (chart, 0, &c);
  s = (const BrmChartSample *) (gpointer) points->data;

  if (!hc)
    {
      GdkRGBA fill = c;

      fill.alpha = 0.2;
      gdk_cairo_set_source_rgba (cr, &fill);
      for (guint k = 0; k < segments->len; k++)
        {
          BrmChartSegment *seg = &g_array_index (segments, BrmChartSegment, k);

          cairo_move_to (cr, brm_chart_scale_map (&xs, s[seg->start].x), brm_chart_scale_map (&ys, 0));
          for (guint j = seg->start; j < seg->end; j++)
            cairo_line_to (cr, brm_chart_scale_map (&xs, s[j].x), brm_chart_scale_map (&ys, s[j].y));
          cairo_line_to (cr, brm_chart_scale_map (&xs, s[seg->end - 1].x), brm_chart_scale_map (&ys, 0));
          cairo_close_path (cr);
        }
      cairo_fill (cr);
    }

  gdk_cairo_set_source_rgba (cr, &c);
  cairo_set_line_width (cr, lw);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint k = 0; k < segments->len; k++)
    {
      BrmChartSegment *seg = &g_array_index (segments, BrmChartSegment, k);

      cairo_move_to (cr, brm_chart_scale_map (&xs, s[seg->start].x), brm_chart_scale_map (&ys, s[seg->start].y));
      for (guint j = seg->start + 1; j < seg->end; j++)
        cairo_line_to (cr, brm_chart_scale_map (&xs, s[j].x), brm_chart_scale_map (&ys, s[j].y));
    }
  cairo_stroke (cr);

  /* The newest value, where the eye goes. */
  if (brm_chart_series_get_last (first, &last) && !isnan (last.y))
    {
      cairo_arc (cr, brm_chart_scale_map (&xs, last.x), brm_chart_scale_map (&ys, last.y), lw + 1, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

static void
brm_sparkline_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 48;
      *natural = 120;
    }
  else
    {
      *minimum = 16;
      *natural = 32;
    }
}

static void
brm_sparkline_class_init (BrmSparklineClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BrmChartClass *chart_class = BRM_CHART_CLASS (klass);

  widget_class->measure = brm_sparkline_measure;
  chart_class->draw = brm_sparkline_draw;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "sparkline");
}

static void
brm_sparkline_init (BrmSparkline *self)
{
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
}
