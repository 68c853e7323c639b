/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-bar-chart"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "brm-bar-chart.h"

/**
 * BrmBarChart:
 *
 * One bar per x of the first series (a day, usually), the series stacked
 * on it in order (batches per day by status). Each layer has a colour
 * and a texture (solid, hatching, dots, …) so layers are told apart
 * without colour; the legend shows both.
 */
struct _BrmBarChart
{
  BrmChart parent_instance;


  /* Where the last draw put the bars, for hover. */
  double   slot_x0;
  double   slot_w;
  guint    n_slots;
};

G_DEFINE_FINAL_TYPE (BrmBarChart, brm_bar_chart, BRM_TYPE_CHART)

BrmBarChart *
brm_bar_chart_new (void)
{
  return g_object_new (BRM_TYPE_BAR_CHART, NULL);
}

/* Stacks never go below zero: a negative count has no bar. */
static double
layer_value (BrmChartSeries *series,
             double          x)
{
  double v = brm_chart_series_value_at (series, x);

  return isnan (v) || v < 0 ? 0 : v;
}

static double
stack_total (BrmChart *chart,
             double    x)
{
  guint n = brm_chart_get_n_series (chart);
  double total = 0;

  for (guint i = 0; i < n; i++)
    total += layer_value (brm_chart_get_series_at (chart, i), x);
  return total;
}

static void
brm_bar_chart_draw (BrmChart *chart,
                    cairo_t  *cr,
                    int       width,
                    int       height)
{
  graphene_point_t pointer;
  BrmBarChart *self = BRM_BAR_CHART (chart);
  guint n_series = brm_chart_get_n_series (chart);
  BrmChartSeries *first = brm_chart_get_series_at (chart, 0);
  const BrmChartSample *rows;
  guint n_rows = 0, label_every = 1;
  double y_max = 0, y_min = 0, y_step, legend_h, label_h = 0, label_w = 0, axis_w, threshold;
  g_autoptr(GArray) ticks = NULL;
  graphene_rect_t plot;
  BrmChartScale ys;
  GdkRGBA fg, bg;
  guint focus = G_MAXUINT, hover = G_MAXUINT;

  brm_chart_get_foreground (chart, &fg);
  brm_chart_get_background (chart, &bg);

  rows = first ? brm_chart_series_peek_samples (first, &n_rows) : NULL;
  if (n_rows == 0)
    {
      gdk_cairo_set_source_rgba (cr, &fg);
      brm_chart_draw_text (chart, cr, _("No data"), width / 2.0, height / 2.0, 0.5, 0.5, NULL, NULL);
      self->n_slots = 0;
      return;
    }

  for (guint r = 0; r < n_rows; r++)
    {
      g_autofree char *text = brm_chart_format_x (chart, rows[r].x);
      double tw, th;

      y_max = MAX (y_max, stack_total (chart, rows[r].x));
      brm_chart_measure_text (chart, text, &tw, &th);
      label_w = MAX (label_w, tw);
      label_h = MAX (label_h, th);
    }
  threshold = brm_chart_get_threshold (chart, NULL);
  if (brm_chart_threshold_in_range (chart, y_max))
    y_max = MAX (y_max, threshold);

  legend_h = brm_chart_measure_legend (chart, width - 8) + 8;
  ticks = brm_chart_value_ticks (chart, 0, y_max, MAX (2, (guint) ((height - legend_h - label_h - 16) / 36)),
                                &y_min, &y_max, &y_step);
  axis_w = brm_chart_measure_y_axis (chart, ticks, y_step);

  plot = GRAPHENE_RECT_INIT (axis_w + 10, legend_h + label_h / 2 + 2, 0, 0);
  plot.size.width = MAX (1, width - plot.origin.x - 4);
  plot.size.height = MAX (1, height - plot.origin.y - label_h - 8);
  brm_chart_scale_init (&ys, y_min, y_max, plot.origin.y + plot.size.height, plot.origin.y);

  brm_chart_draw_legend (chart, cr, 4, 0, width - 8, TRUE);
  brm_chart_draw_y_axis (chart, cr, &plot, ticks, y_step, &ys);

  self->slot_x0 = plot.origin.x;
  self->slot_w = plot.size.width / n_rows;
  self->n_slots = n_rows;

  /* Labels under every bar when they fit, else every k-th. */
  label_every = MAX (1, (guint) ceil ((label_w + 8) / self->slot_w));

  if (gtk_widget_is_focus (GTK_WIDGET (self)))
    focus = brm_chart_get_focus_index (chart);
  if (brm_chart_get_hover_point (chart, &pointer) && graphene_rect_contains_point (&plot, &pointer))
    hover = MIN (n_rows - 1, (guint) ((pointer.x - self->slot_x0) / self->slot_w));

  for (guint r = 0; r < n_rows; r++)
    {
      double bar_w = MIN (self->slot_w * 0.7, 64);
      double bx = self->slot_x0 + r * self->slot_w + (self->slot_w - bar_w) / 2;
      double acc = 0;

      for (guint i = 0; i < n_series; i++)
        {
          double v = layer_value (brm_chart_get_series_at (chart, i), rows[r].x);
          double y0, y1;
          cairo_pattern_t *pattern;

          if (v <= 0)
            continue;
          y0 = brm_chart_scale_map (&ys, acc);
          y1 = brm_chart_scale_map (&ys, acc + v);
          acc += v;

          pattern = brm_chart_create_layer_pattern (chart, i);
          cairo_set_source (cr, pattern);
          cairo_rectangle (cr, bx, y1, bar_w, y0 - y1);
          cairo_fill (cr);
          cairo_pattern_destroy (pattern);

          /* A line of background between layers keeps them apart. */
          bg.alpha = 1;
          gdk_cairo_set_source_rgba (cr, &bg);
          cairo_set_line_width (cr, 1);
          cairo_move_to (cr, bx, round (y1) + 0.5);
          cairo_line_to (cr, bx + bar_w, round (y1) + 0.5);
          cairo_stroke (cr);
        }

      if (r % label_every == 0)
        {
          g_autofree char *text = brm_chart_format_x (chart, rows[r].x);

          gdk_cairo_set_source_rgba (cr, &fg);
          brm_chart_draw_text (chart, cr, text, bx + bar_w / 2, plot.origin.y + plot.size.height + 4, 0.5, 0, NULL, NULL);
        }

      if (r == focus || r == hover)
        {
          double top = brm_chart_scale_map (&ys, acc);

          gdk_cairo_set_source_rgba (cr, &fg);
          cairo_set_line_width (cr, 2);
          cairo_rectangle (cr, bx - 3, top - 3, bar_w + 6, plot.origin.y + plot.size.height - top + 3);
          cairo_stroke (cr);
        }
    }

  brm_chart_draw_threshold (chart, cr, &plot, &ys);

  if (hover != G_MAXUINT || focus != G_MAXUINT)
    {
      guint r = hover != G_MAXUINT ? hover : focus;

      brm_chart_draw_readout (chart, cr, rows[r].x, self->slot_x0 + (r + 0.5) * self->slot_w,
                              brm_chart_scale_map (&ys, stack_total (chart, rows[r].x)), &plot);
    }
}

/* "Batches per day: 7 days, 312 in total, most on 18 Nov (61); Completed
 * 290, Failed 22". */
static char *
brm_bar_chart_dup_summary (BrmChart *chart)
{
  BrmChartSeries *first = brm_chart_get_series_at (chart, 0);
  const char *title = brm_chart_get_title (chart);
  guint n_rows = 0, n_series = brm_chart_get_n_series (chart), best = 0;
  const BrmChartSample *rows = first ? brm_chart_series_peek_samples (first, &n_rows) : NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *total_text = NULL;
  g_autofree char *best_x = NULL;
  g_autofree char *best_v = NULL;
  double total = 0, best_total = -1;

  if (n_rows == 0)
    return title && *title ? g_strdup_printf (_("%s: no data"), title) : g_strdup (_("No data"));

  for (guint r = 0; r < n_rows; r++)
    {
      double t = stack_total (chart, rows[r].x);

      total += t;
      if (t > best_total)
        {
          best_total = t;
          best = r;
        }
    }

  if (title && *title)
    g_string_append_printf (text, "%s: ", title);

  switch (brm_chart_get_x_kind (chart))
    {
    case BRM_CHART_X_DAY:
      g_string_append_printf (text, ngettext ("%u day", "%u days", n_rows), n_rows);
      break;
    case BRM_CHART_X_HOUR:
      g_string_append_printf (text, ngettext ("%u hour", "%u hours", n_rows), n_rows);
      break;
    case BRM_CHART_X_TIME:
    default:
      g_string_append_printf (text, ngettext ("%u bar", "%u bars", n_rows), n_rows);
      break;
    }

  total_text = brm_chart_format_y (chart, total);
  best_x = brm_chart_format_x (chart, rows[best].x);
  best_v = brm_chart_format_y (chart, best_total);
  /* Translators: "312 in total, most on 18 Nov (61)". */
  g_string_append_printf (text, _(", %s in total, most on %s (%s)"), total_text, best_x, best_v);

  if (n_series > 1)
    for (guint i = 0; i < n_series; i++)
      {
        BrmChartSeries *series = brm_chart_get_series_at (chart, i);
        double sum = 0;
        g_autofree char *sum_text = NULL;

        for (guint r = 0; r < n_rows; r++)
          sum += layer_value (series, rows[r].x);
        sum_text = brm_chart_format_y (chart, sum);
        g_string_append_printf (text, "%s%s %s", i == 0 ? "; " : ", ",
                                brm_chart_series_get_label (series), sum_text);
      }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
brm_bar_chart_class_init (BrmBarChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BrmChartClass *chart_class = BRM_CHART_CLASS (klass);

  chart_class->draw = brm_bar_chart_draw;
  chart_class->dup_summary = brm_bar_chart_dup_summary;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "barchart");
}

static void
brm_bar_chart_init (BrmBarChart *self)
{
  brm_chart_set_x_kind (BRM_CHART (self), BRM_CHART_X_DAY);
}
