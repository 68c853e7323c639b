/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Draws the chart family with sample data to PNGs for docs/screenshots
 * (build-aux/screenshot.sh runs it under Broadway):
 *
 *   tests/ui/run-broadway.sh _build/h/tests/ui/chart-gallery OUTDIR
 *
 * charts.png / charts-dark.png / charts-hc.png (high contrast): a time chart with three series, a gap
 * and a budget line, a stacked bar chart, the heat strip, a sparkline
 * and a chart view in table mode; charts-narrow.png: the same at 360
 * pixels wide. Rendered in process (widget snapshot → Cairo renderer →
 * PNG), with the app's stylesheet, so the colours are the app's. */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "brm-bar-chart.h"
#include "brm-chart-view.h"
#include "brm-heat-strip.h"
#include "brm-sparkline.h"
#include "brm-time-chart.h"

/* 18 Nov 2024 14:00 UTC. */
#define T0 1731938400.0
#define DAY0 1731888000.0

static GtkWidget *
titled (const char *title,
        GtkWidget  *chart)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);

  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), chart);
  return box;
}

static GtkWidget *
make_time_chart (void)
{
  BrmTimeChart *chart = brm_time_chart_new ();
  const char *names[] = { "Throughput", "Retries", "Failures" };

  brm_chart_set_title (BRM_CHART (chart), "Throughput");
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  for (guint s = 0; s < 3; s++)
    {
      g_autoptr(BrmChartSeries) series = brm_chart_series_new (names[s], names[s]);

      for (guint i = 0; i < 60; i++)
        {
          double y = (40 - s * 14) + (12 - s * 3) * sin (i / (6.0 + s)) + i * (s == 0 ? 0.3 : 0.05);

          /* A five-minute outage in every series. */
          brm_chart_series_append (series, T0 + i * 60, i >= 30 && i < 35 ? NAN : MAX (0, y));
        }
      brm_chart_add_series (BRM_CHART (chart), series);
    }
  brm_chart_set_threshold (BRM_CHART (chart), 55, "Target");
  gtk_widget_set_size_request (GTK_WIDGET (chart), -1, 240);
  return GTK_WIDGET (chart);
}

static GtkWidget *
make_bar_chart (gboolean table)
{
  BrmBarChart *chart = brm_bar_chart_new ();
  const char *names[] = { "Completed", "Failed", "Cancelled" };
  const double base[] = { 48, 6, 2 };
  GtkWidget *view;

  brm_chart_set_title (BRM_CHART (chart), "Batches per day");
  brm_chart_set_x_kind (BRM_CHART (chart), BRM_CHART_X_DAY);
  for (guint s = 0; s < 3; s++)
    {
      g_autoptr(BrmChartSeries) series = brm_chart_series_new (names[s], names[s]);

      for (guint d = 0; d < 7; d++)
        brm_chart_series_append (series, DAY0 + d * 86400.0, round (base[s] * (1 + 0.4 * sin (d + s))));
      brm_chart_add_series (BRM_CHART (chart), series);
    }
  gtk_widget_set_size_request (GTK_WIDGET (chart), -1, 220);
  view = GTK_WIDGET (brm_chart_view_new (BRM_CHART (chart)));
  brm_chart_view_set_show_table (BRM_CHART_VIEW (view), table);
  return view;
}

static GtkWidget *
make_heat_strip (void)
{
  BrmHeatStrip *chart = brm_heat_strip_new ();
  g_autoptr(BrmChartSeries) hours = brm_chart_series_new ("hours", "Throughput");

  brm_chart_set_title (BRM_CHART (chart), "Hourly throughput");
  brm_chart_set_x_kind (BRM_CHART (chart), BRM_CHART_X_HOUR);
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  for (int h = 0; h < 24; h++)
    if (h != 3 && h != 4)   /* no data at night */
      brm_chart_series_append (hours, h, round (60 + 55 * sin ((h - 8) / 24.0 * 2 * G_PI)));
  brm_chart_add_series (BRM_CHART (chart), hours);
  return GTK_WIDGET (chart);
}

static GtkWidget *
make_sparkline (void)
{
  BrmSparkline *chart = brm_sparkline_new ();
  g_autoptr(BrmChartSeries) progress = brm_chart_series_new ("progress", "Progress");

  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_PERCENT);
  for (guint i = 0; i < 30; i++)
    brm_chart_series_append (progress, T0 + i * 10, i * 3 + 2 * sin (i));
  brm_chart_add_series (BRM_CHART (chart), progress);
  gtk_widget_set_size_request (GTK_WIDGET (chart), 160, 32);
  gtk_widget_set_halign (GTK_WIDGET (chart), GTK_ALIGN_START);
  return GTK_WIDGET (chart);
}

static void
save (GtkWidget  *window,
      const char *path)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);

  GTK_WIDGET_GET_CLASS (window)->snapshot (window, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (!gsk_renderer_realize (renderer, NULL, &error))
    g_error ("renderer: %s", error->message);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gsk_renderer_unrealize (renderer);
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("could not write %s", path);
  g_print ("chart-gallery: %s (%d × %d)\n", path, width, height);
}

/* libadwaita 1.2 has no setter for high contrast; without a settings
 * portal it follows this key (main() uses the memory backend). */
static void
set_high_contrast (gboolean on)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, "org.gnome.desktop.a11y.interface", TRUE) : NULL;
  g_autoptr(GSettings) settings = NULL;
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  if (schema == NULL)
    {
      if (on)
        g_printerr ("chart-gallery: org.gnome.desktop.a11y.interface is not installed; no high contrast\n");
      return;
    }
  settings = g_settings_new ("org.gnome.desktop.a11y.interface");
  g_settings_set_boolean (settings, "high-contrast", on);
  while (adw_style_manager_get_high_contrast (adw_style_manager_get_default ()) != on
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

static void
shoot (const char *outdir,
       const char *name,
       int         width,
       gboolean    dark,
       gboolean    high_contrast)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  g_autofree char *path = g_strdup_printf ("%s/%s.png", outdir, name);
  g_autoptr(GtkCssProvider) dark_css = gtk_css_provider_new ();
  GtkWidget *row, *page;

  adw_style_manager_set_color_scheme (manager, dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  set_high_contrast (high_contrast);
  /* AdwApplication adds style-dark.css, style-hc.css or style-hc-dark.css
   * on top of style.css. */
  if (dark || high_contrast)
    {
      gtk_css_provider_load_from_resource (dark_css, high_contrast && dark ? "/io/github/batchrunner/Monitor/style-hc-dark.css"
                                                     : high_contrast ? "/io/github/batchrunner/Monitor/style-hc.css"
                                                     : "/io/github/batchrunner/Monitor/style-dark.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (dark_css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);
    }

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_box_append (GTK_BOX (box), titled ("Throughput (time chart, gap, threshold)", make_time_chart ()));
  gtk_box_append (GTK_BOX (box), make_bar_chart (FALSE));
  gtk_box_append (GTK_BOX (box), titled ("Hourly throughput (heat strip)", make_heat_strip ()));
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_box_append (GTK_BOX (row), gtk_label_new ("Progress (sparkline)"));
  gtk_box_append (GTK_BOX (row), make_sparkline ());
  gtk_box_append (GTK_BOX (box), row);
  gtk_box_append (GTK_BOX (box), make_bar_chart (TRUE));

  /* The window's own background is drawn by its parent's snapshot,
   * which a top level does not have: the box paints it instead. */
  page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (page, "background");
  gtk_box_append (GTK_BOX (page), box);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, -1);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));

  /* Broadway allocates with the first frame; a few more let the
   * table's rows appear. */
  while (gtk_widget_get_width (window) <= 0)
    g_main_context_iteration (NULL, TRUE);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);

  save (window, path);
  gtk_window_destroy (GTK_WINDOW (window));
  if (dark || high_contrast)
    gtk_style_context_remove_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (dark_css));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  const char *outdir = argc > 1 ? argv[1] : ".";

  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_init ();
  adw_init ();

  /* What AdwApplication loads for the app: chart_1 … chart_6. */
  gtk_css_provider_load_from_resource (css, "/io/github/batchrunner/Monitor/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  shoot (outdir, "charts", 900, FALSE, FALSE);
  shoot (outdir, "charts-dark", 900, TRUE, FALSE);
  shoot (outdir, "charts-narrow", 360, FALSE, FALSE);
  shoot (outdir, "charts-hc", 900, FALSE, TRUE);
  return 0;
}
