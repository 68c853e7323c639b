/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Chart redraw cost (issue 7): a BrmTimeChart with 10 series × 3,600
 * points, 1200 × 300, one new point per series per frame (and the oldest
 * trimmed, as a live chart does). Each frame is timed from the data
 * change to pixels: the widget's snapshot (decimation, Cairo drawing)
 * plus rendering the node to a texture with the Cairo renderer.
 * Target: < 4 ms per frame.
 *
 * For comparison it also times stroking every raw point (no decimation)
 * into a 1200 × 300 image surface, which is what per-column decimation
 * saves.
 *
 *   tests/ui/run-broadway.sh _build/h/bench/bench-chart [FRAMES]
 */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "bench-common.h"
#include "brm-time-chart.h"

#define N_SERIES 10
#define N_POINTS 3600
#define WIDTH 1200
#define HEIGHT 300

static double
value_at (guint series,
          guint i)
{
  return 50 + 40 * sin (i / (20.0 + series * 3)) + series * 5 + g_random_double_range (-3, 3);
}

/* Returns the whole frame's time; @snapshot_us, if given, gets the part
 * spent in the widget's snapshot (the rest is the renderer). */
static gint64
render_frame (GtkWidget   *widget,
              GskRenderer *renderer,
              gint64      *snapshot_us)
{
  gint64 t0 = g_get_monotonic_time (), t1;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  t1 = g_get_monotonic_time ();
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, WIDTH, HEIGHT));
  /* The previous frame's node is dropped here, as GTK drops it when the
   * next frame replaces it. */
  if (snapshot_us)
    *snapshot_us = t1 - t0;
  return g_get_monotonic_time () - t0;
}

/* Every raw point stroked, the cost decimation avoids. */
static gint64
raw_stroke (BrmChartSeries **series)
{
  gint64 t0 = g_get_monotonic_time ();
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  static const double dash[] = { 6, 4 };

  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint s = 0; s < N_SERIES; s++)
    {
      guint n;
      const BrmChartSample *p = brm_chart_series_peek_samples (series[s], &n);
      double x0 = p[0].x, span = p[n - 1].x - p[0].x;

      cairo_set_source_rgb (cr, 0.1 * s, 0.4, 0.8);
      cairo_set_dash (cr, dash, s % 2 ? 2 : 0, 0);
      for (guint i = 0; i < n; i++)
        cairo_line_to (cr, (p[i].x - x0) / span * WIDTH, HEIGHT - p[i].y * 2);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  cairo_surface_destroy (surface);
  return g_get_monotonic_time () - t0;
}

int
main (int    argc,
      char **argv)
{
  guint frames = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 200;
  BrmChartSeries *series[N_SERIES];
  BrmTimeChart *chart;
  GtkWidget *window;
  g_autoptr(GskRenderer) renderer = NULL;
  g_autoptr(GArray) frame_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) snapshot_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) raw_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  BenchStats stats, raw;
  double now = 1731938400;

  gtk_init ();
  adw_init ();
  g_random_set_seed (7);

  chart = brm_time_chart_new ();
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  brm_time_chart_set_window (chart, N_POINTS);
  for (guint s = 0; s < N_SERIES; s++)
    {
      g_autofree char *id = g_strdup_printf ("s%u", s);
      g_autofree char *label = g_strdup_printf ("Series %u", s + 1);
      g_autofree BrmChartSample *samples = g_new (BrmChartSample, N_POINTS);

      for (guint i = 0; i < N_POINTS; i++)
        samples[i] = (BrmChartSample) { now - N_POINTS + i, value_at (s, i) };
      series[s] = brm_chart_series_new (id, label);
      brm_chart_series_set_samples (series[s], samples, N_POINTS);
      brm_chart_add_series (BRM_CHART (chart), series[s]);
    }

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_width (GTK_WIDGET (chart)) <= 0)
    g_main_context_iteration (NULL, TRUE);

  renderer = gsk_cairo_renderer_new ();
  if (!gsk_renderer_realize (renderer, NULL, &error))
    g_error ("renderer: %s", error->message);

  bench_print_machine ();
  g_print ("chart %d × %d, %u series × %u points, %u frames, one point per series per frame\n",
           gtk_widget_get_width (GTK_WIDGET (chart)), gtk_widget_get_height (GTK_WIDGET (chart)),
           N_SERIES, N_POINTS, frames);

  /* Warm the caches (fonts, glyphs) first. */
  for (guint f = 0; f < 10; f++)
    render_frame (GTK_WIDGET (chart), renderer, NULL);

  bench_measure_begin ("chart redraw");
  for (guint f = 0; f < frames; f++)
    {
      gint64 us, t0, snap;

      now += 1;
      t0 = g_get_monotonic_time ();
      for (guint s = 0; s < N_SERIES; s++)
        {
          brm_chart_series_append (series[s], now, value_at (s, N_POINTS + f));
          brm_chart_series_trim_before (series[s], now - N_POINTS + 1);
        }
      us = g_get_monotonic_time () - t0;
      us += render_frame (GTK_WIDGET (chart), renderer, &snap);
      g_array_append_val (frame_us, us);
      g_array_append_val (snapshot_us, snap);
    }
  bench_measure_end ();

  /* The comparison, apart so it does not disturb the figure above. */
  for (guint f = 0; f < 20; f++)
    {
      gint64 us = raw_stroke (series);

      g_array_append_val (raw_us, us);
    }

  bench_stats_print ("redraw (decimated, widget)", frame_us);
  bench_stats_print ("  of which snapshot", snapshot_us);
  bench_stats_print ("raw stroke, no decimation", raw_us);
  bench_stats_compute (frame_us, &stats);
  bench_stats_compute (raw_us, &raw);

  bench_result ("chart", "redraw 10 × 3,600 points p50", "-", "-", "%.2f ms", stats.p50_ms);
  bench_result ("chart", "redraw 10 × 3,600 points p95", "< 4 ms", bench_met (stats.p95_ms < 4), "%.2f ms", stats.p95_ms);
  bench_result ("chart", "redraw 10 × 3,600 points p99", "-", "-", "%.2f ms", stats.p99_ms);
  bench_result ("chart", "redraw 10 × 3,600 points max", "-", "-", "%.2f ms", stats.max_ms);
  bench_result ("chart", "raw stroke without decimation p50", "-", "-", "%.2f ms", raw.p50_ms);

  gsk_renderer_unrealize (renderer);
  gtk_window_destroy (GTK_WINDOW (window));
  for (guint s = 0; s < N_SERIES; s++)
    g_object_unref (series[s]);
  return 0;
}
