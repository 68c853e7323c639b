/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-heat-strip"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "brm-heat-strip.h"

/**
 * BrmHeatStrip:
 *
 * A row of cells, one per x of the first series (for an hourly chart
 * always the 24 hours 00–23), shaded by value and with the number written
 * in the cell when it fits. An hour with no data is hatched, not blank,
 * so "nothing recorded" never reads as "zero".
 */
struct _BrmHeatStrip
{
  BrmChart parent_instance;

};

G_DEFINE_FINAL_TYPE (BrmHeatStrip, brm_heat_strip, BRM_TYPE_CHART)

BrmHeatStrip *
brm_heat_strip_new (void)
{
  return g_object_new (BRM_TYPE_HEAT_STRIP, NULL);
}

/* The x of each cell: 0–23 for hours, else the first series' x. */
static GArray *
dup_cells (BrmChart *chart)
{
  GArray *cells = g_array_new (FALSE, FALSE, sizeof (double));
  BrmChartSeries *first = brm_chart_get_series_at (chart, 0);

  if (brm_chart_get_x_kind (chart) == BRM_CHART_X_HOUR)
    for (int h = 0; h < 24; h++)
      {
        double x = h;

        g_array_append_val (cells, x);
      }
  else if (first)
    {
      guint n;
      const BrmChartSample *s = brm_chart_series_peek_samples (first, &n);

      for (guint i = 0; i < n; i++)
        g_array_append_val (cells, s[i].x);
    }
  return cells;
}

static double
cell_value (BrmChart *chart,
            double    x)
{
  BrmChartSeries *first = brm_chart_get_series_at (chart, 0);

  return first ? brm_chart_series_value_at (first, x) : NAN;
}

static void
mix (const GdkRGBA *a,
     const GdkRGBA *b,
     double         t,
     GdkRGBA       *out)
{
  out->red = a->red + (b->red - a->red) * t;
  out->green = a->green + (b->green - a->green) * t;
  out->blue = a->blue + (b->blue - a->blue) * t;
  out->alpha = 1;
}

static char *
cell_number (double v)
{
  return brm_chart_format_number (v, fabs (v) < 10 && fabs (v - round (v)) > 1e-9 ? 1 : 0);
}

static void
brm_heat_strip_draw (BrmChart *chart,
                     cairo_t  *cr,
                     int       width,
                     int       height)
{
  graphene_point_t pointer;
  BrmHeatStrip *self = BRM_HEAT_STRIP (chart);
  g_autoptr(GArray) cells = dup_cells (chart);
  gboolean hc = brm_chart_get_high_contrast (chart);
  double v_max = 0, label_w = 0, label_h = 0, cell_w, cell_h;
  guint label_every, focus = G_MAXUINT, hover = G_MAXUINT;
  GdkRGBA fg, bg, accent, gap;
  graphene_rect_t strip;

  brm_chart_get_foreground (chart, &fg);
  brm_chart_get_background (chart, &bg);
  brm_chart_get_series_color (chart, 0, &accent);
  bg.alpha = 1;

  if (cells->len == 0)
    {
      gdk_cairo_set_source_rgba (cr, &fg);
      brm_chart_draw_text (chart, cr, _("No data"), width / 2.0, height / 2.0, 0.5, 0.5, NULL, NULL);
      return;
    }

  for (guint i = 0; i < cells->len; i++)
    {
      double v = cell_value (chart, g_array_index (cells, double, i));
      g_autofree char *text = brm_chart_format_x (chart, g_array_index (cells, double, i));
      double tw, th;

      if (!isnan (v))
        v_max = MAX (v_max, v);
      brm_chart_measure_text (chart, text, &tw, &th);
      label_w = MAX (label_w, tw);
      label_h = MAX (label_h, th);
    }

  /* Cells stay cell-shaped when the strip is given more height than it
   * asked for: a row of tall bars would read as a bar chart. */
  strip = GRAPHENE_RECT_INIT (2, 2, width - 4, CLAMP (height - label_h - 8, 8, MAX (40, 2 * label_h)));
  cell_w = strip.size.width / cells->len;
  cell_h = strip.size.height;
  label_every = MAX (1, (guint) ceil ((label_w + 6) / cell_w));

  if (gtk_widget_is_focus (GTK_WIDGET (self)))
    {
      guint index = brm_chart_get_focus_index (chart);

      if (index != G_MAXUINT)
        {
          double fx = brm_chart_series_peek_samples (brm_chart_get_series_at (chart, 0), NULL)[index].x;

          for (guint i = 0; i < cells->len; i++)
            if (g_array_index (cells, double, i) == fx)
              focus = i;
        }
    }
  if (brm_chart_get_hover_point (chart, &pointer) && graphene_rect_contains_point (&strip, &pointer))
    hover = MIN (cells->len - 1, (guint) ((pointer.x - strip.origin.x) / cell_w));

  gap = fg;
  gap.alpha = hc ? 0.8 : 0.35;

  for (guint i = 0; i < cells->len; i++)
    {
      double x = g_array_index (cells, double, i);
      double v = cell_value (chart, x);
      double cx = strip.origin.x + i * cell_w;
      GdkRGBA fill;

      cairo_rectangle (cr, cx + 1, strip.origin.y, cell_w - 2, cell_h);
      if (isnan (v))
        {
          /* No data: background with diagonal hatching. */
          gdk_cairo_set_source_rgba (cr, &bg);
          cairo_fill_preserve (cr);
          cairo_save (cr);
          cairo_clip (cr);
          gdk_cairo_set_source_rgba (cr, &gap);
          cairo_set_line_width (cr, 1);
          for (double d = -cell_h; d < cell_w; d += 6)
            {
              cairo_move_to (cr, cx + d, strip.origin.y + cell_h);
              cairo_line_to (cr, cx + d + cell_h, strip.origin.y);
            }
          cairo_stroke (cr);
          cairo_restore (cr);
        }
      else
        {
          /* Mixed, not translucent, so high contrast gets solid colours. */
          double t = v_max > 0 && v > 0 ? 0.15 + 0.85 * (v / v_max) : 0.04;
          g_autofree char *number = cell_number (v);
          double tw, th;

          mix (&bg, &accent, t, &fill);
          gdk_cairo_set_source_rgba (cr, &fill);
          cairo_fill (cr);

          brm_chart_measure_text (chart, number, &tw, &th);
          if (tw + 4 <= cell_w - 2 && th <= cell_h)
            {
              double lum = 0.2126 * fill.red + 0.7152 * fill.green + 0.0722 * fill.blue;

              if (lum > 0.5)
                cairo_set_source_rgb (cr, 0, 0, 0);
              else
                cairo_set_source_rgb (cr, 1, 1, 1);
              brm_chart_draw_text (chart, cr, number, cx + cell_w / 2, strip.origin.y + cell_h / 2, 0.5, 0.5, NULL, NULL);
            }
        }

      if (hc)
        {
          gdk_cairo_set_source_rgba (cr, &fg);
          cairo_set_line_width (cr, 1);
          cairo_rectangle (cr, cx + 1.5, strip.origin.y + 0.5, cell_w - 3, cell_h - 1);
          cairo_stroke (cr);
        }

      if (i % label_every == 0)
        {
          g_autofree char *text = brm_chart_format_x (chart, x);

          gdk_cairo_set_source_rgba (cr, &fg);
          brm_chart_draw_text (chart, cr, text, cx + (label_every == 1 ? cell_w / 2 : 0), strip.origin.y + cell_h + 4,
                               label_every == 1 ? 0.5 : 0, 0, NULL, NULL);
        }

      if (i == focus || i == hover)
        {
          gdk_cairo_set_source_rgba (cr, &fg);
          cairo_set_line_width (cr, 2);
          cairo_rectangle (cr, cx + 1, strip.origin.y + 1, cell_w - 2, cell_h - 2);
          cairo_stroke (cr);
        }
    }

  if (hover != G_MAXUINT || focus != G_MAXUINT)
    {
      guint i = hover != G_MAXUINT ? hover : focus;
      graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, width, height);

      brm_chart_draw_readout (chart, cr, g_array_index (cells, double, i),
                              strip.origin.x + (i + 0.5) * cell_w, strip.origin.y + cell_h / 2, &bounds);
    }
}

/* "Hourly throughput: busiest 14:00 (120 leads/min), quietest 03:00
 * (2 leads/min), no data for 3 hours". */
static char *
brm_heat_strip_dup_summary (BrmChart *chart)
{
  g_autoptr(GArray) cells = dup_cells (chart);
  const char *title = brm_chart_get_title (chart);
  g_autoptr(GString) text = g_string_new (NULL);
  guint best = G_MAXUINT, worst = G_MAXUINT, gaps = 0;

  for (guint i = 0; i < cells->len; i++)
    {
      double v = cell_value (chart, g_array_index (cells, double, i));

      if (isnan (v))
        {
          gaps++;
          continue;
        }
      if (best == G_MAXUINT || v > cell_value (chart, g_array_index (cells, double, best)))
        best = i;
      if (worst == G_MAXUINT || v < cell_value (chart, g_array_index (cells, double, worst)))
        worst = i;
    }

  if (best == G_MAXUINT)
    return title && *title ? g_strdup_printf (_("%s: no data"), title) : g_strdup (_("No data"));

  if (title && *title)
    g_string_append_printf (text, "%s: ", title);

  {
    double bx = g_array_index (cells, double, best), wx = g_array_index (cells, double, worst);
    g_autofree char *b_x = brm_chart_format_x (chart, bx);
    g_autofree char *b_v = brm_chart_format_y (chart, cell_value (chart, bx));
    g_autofree char *w_x = brm_chart_format_x (chart, wx);
    g_autofree char *w_v = brm_chart_format_y (chart, cell_value (chart, wx));

    /* Translators: "busiest 14:00 (120 leads/min), quietest 03:00 (2 leads/min)". */
    g_string_append_printf (text, _("busiest %s (%s), quietest %s (%s)"), b_x, b_v, w_x, w_v);
  }

  if (gaps > 0)
    {
      if (brm_chart_get_x_kind (chart) == BRM_CHART_X_HOUR)
        g_string_append_printf (text, ngettext (", no data for %u hour", ", no data for %u hours", gaps), gaps);
      else
        g_string_append_printf (text, ngettext (", %u without data", ", %u without data", gaps), gaps);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
brm_heat_strip_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 600;
    }
  else
    {
      *minimum = 48;
      *natural = 64;
    }
}

static void
brm_heat_strip_class_init (BrmHeatStripClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BrmChartClass *chart_class = BRM_CHART_CLASS (klass);

  widget_class->measure = brm_heat_strip_measure;
  chart_class->draw = brm_heat_strip_draw;
  chart_class->dup_summary = brm_heat_strip_dup_summary;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "heatstrip");
}

static void
brm_heat_strip_init (BrmHeatStrip *self)
{
  brm_chart_set_x_kind (BRM_CHART (self), BRM_CHART_X_HOUR);
}
