/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "brt-image.h"
#include <adwaita.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "brm-bar-chart.h"
#include "brm-chart-view.h"
#include "brm-heat-strip.h"
#include "brm-sparkline.h"
#include "brm-time-chart.h"

/* 18 Nov 2024 14:00 UTC; the tests run with TZ=UTC. */
#define T0 1731938400.0
/* 18 Nov 2024 00:00 UTC. */
#define DAY0 1731888000.0

/* Showing and rendering ---------------------------------------------------------- */

static GtkWidget *
show_in_window (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 640, 320);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));

  /* Broadway allocates with the first frame. */
  while (gtk_widget_get_width (child) <= 0 || gtk_widget_get_height (child) <= 0)
    g_main_context_iteration (NULL, TRUE);

  return window;
}

/* Pixels the chart painted: the widget has no background of its own. */
static guint
count_painted (const BrtImage *image)
{
  guint n = 0;

  for (gsize i = 0; i < (gsize) image->width * image->height; i++)
    if (image->pixels[i * 4 + 3] != 0)
      n++;
  return n;
}

/* gtk_test_accessible_assert_property() pastes the expected text into a
 * printf format, which a "%" in a summary breaks: the same check, with
 * the text as data. */
static void
assert_property (gpointer               widget,
                 GtkAccessibleProperty  property,
                 const char            *expected)
{
  g_autofree char *failure = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), property, expected);

  if (failure != NULL)
    g_test_message ("expected: %s", expected);
  g_assert_cmpstr (failure, ==, NULL);
}

/* Charts ---------------------------------------------------------------------- */

static BrmChartSeries *
ramp_series (const char *id,
             const char *label,
             double      x0,
             double      dx,
             guint       n,
             double      scale)
{
  BrmChartSeries *series = brm_chart_series_new (id, label);

  for (guint i = 0; i < n; i++)
    brm_chart_series_append (series, x0 + i * dx, scale * (1 + sin (i / 3.0)) + i);
  return series;
}

static BrmChart *
make_time_chart (BrmTimeChartStyle style)
{
  BrmTimeChart *chart = brm_time_chart_new ();
  g_autoptr(BrmChartSeries) a = ramp_series ("a", "Throughput", T0, 60, 30, 20);
  g_autoptr(BrmChartSeries) b = ramp_series ("b", "Errors", T0, 60, 30, 5);

  brm_time_chart_set_style (chart, style);
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  brm_chart_add_series (BRM_CHART (chart), a);
  brm_chart_add_series (BRM_CHART (chart), b);
  return BRM_CHART (chart);
}

static BrmChart *
make_line_chart (void)
{
  return make_time_chart (BRM_TIME_CHART_LINE);
}

static BrmChart *
make_area_chart (void)
{
  return make_time_chart (BRM_TIME_CHART_AREA);
}

static BrmChart *
make_bar_chart (void)
{
  BrmBarChart *chart = brm_bar_chart_new ();
  g_autoptr(BrmChartSeries) done = ramp_series ("completed", "Completed", DAY0, 86400, 7, 30);
  g_autoptr(BrmChartSeries) failed = ramp_series ("failed", "Failed", DAY0, 86400, 7, 3);

  brm_chart_set_x_kind (BRM_CHART (chart), BRM_CHART_X_DAY);
  brm_chart_add_series (BRM_CHART (chart), done);
  brm_chart_add_series (BRM_CHART (chart), failed);
  return BRM_CHART (chart);
}

static BrmChart *
make_heat_strip (void)
{
  BrmHeatStrip *chart = brm_heat_strip_new ();
  g_autoptr(BrmChartSeries) hours = brm_chart_series_new ("hours", "Throughput");

  for (int h = 0; h < 24; h++)
    if (h != 3)   /* 03:00 has no data */
      brm_chart_series_append (hours, h, h * 5);
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  brm_chart_add_series (BRM_CHART (chart), hours);
  return BRM_CHART (chart);
}

static BrmChart *
make_sparkline (void)
{
  BrmSparkline *chart = brm_sparkline_new ();
  g_autoptr(BrmChartSeries) progress = ramp_series ("progress", "Progress", T0, 10, 20, 2);

  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_PERCENT);
  brm_chart_add_series (BRM_CHART (chart), progress);
  return BRM_CHART (chart);
}

typedef BrmChart *(*ChartMaker) (void);

/* Each chart draws something, and something else once its data changes. */
static void
test_render (gconstpointer data)
{
  ChartMaker make = (ChartMaker) data;
  BrmChart *chart = make ();
  GtkWidget *window;
  g_auto(BrtImage) before = { 0 };
  g_auto(BrtImage) after = { 0 };
  BrmChartSeries *first;
  BrmChartSample last;

  g_object_ref (chart);
  window = show_in_window (GTK_WIDGET (chart));

  brt_image_render (GTK_WIDGET (chart), &before);
  g_assert_cmpuint (count_painted (&before), >, 200);

  /* A new, much larger newest value. */
  first = brm_chart_get_series_at (chart, 0);
  g_assert_true (brm_chart_series_get_last (first, &last));
  brm_chart_series_append (first, last.x + (BRM_IS_HEAT_STRIP (chart) ? 0 : 60), last.y * 3 + 100);
  if (BRM_IS_HEAT_STRIP (chart))
    brm_chart_series_append (first, 3, 400);   /* the gap gets a value */

  brt_image_render (GTK_WIDGET (chart), &after);
  g_assert_cmpuint (count_painted (&after), >, 200);
  g_assert_true (brt_image_differ (&before, &after));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (chart);
}

/* Awkward data draws without a critical (G_DEBUG=fatal-criticals) and
 * still paints something. */
static void
test_edge_cases (void)
{
  BrmTimeChart *chart = brm_time_chart_new ();
  g_autoptr(BrmChartSeries) series = brm_chart_series_new ("spend", "Spend");
  GtkWidget *window;
  g_auto(BrtImage) image = { 0 };
  BrmChartSample zeros[] = { { T0, 0 }, { T0 + 60, 0 }, { T0 + 120, 0 } };
  BrmChartSample gaps[] = { { T0, 1 }, { T0 + 60, NAN }, { T0 + 120, 3 }, { T0 + 180, NAN }, { T0 + 240, 5 }, { T0 + 300, 6 } };
  BrmChartSample huge[] = { { T0, 1e12 }, { T0 + 60, 2.5e12 } };
  BrmChartSample tiny[] = { { T0, 1e-9 }, { T0 + 60, 3e-9 } };
  BrmChartSample all_gaps[] = { { T0, NAN }, { T0 + 60, NAN } };
  guint baseline;

  g_object_ref (chart);
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_USD);
  brm_chart_add_series (BRM_CHART (chart), series);
  window = show_in_window (GTK_WIDGET (chart));

  /* Empty: "No data". */
  brt_image_render (GTK_WIDGET (chart), &image);
  g_assert_cmpuint (count_painted (&image), >, 0);
  brt_image_clear (&image);

  brm_chart_series_append (series, T0, 12.3);   /* single point */
  brt_image_render (GTK_WIDGET (chart), &image);
  g_assert_cmpuint (count_painted (&image), >, 100);
  brt_image_clear (&image);

  brm_chart_series_set_samples (series, zeros, G_N_ELEMENTS (zeros));
  brt_image_render (GTK_WIDGET (chart), &image);
  g_assert_cmpuint (count_painted (&image), >, 100);
  baseline = count_painted (&image);
  brt_image_clear (&image);

  /* The budget line adds ink. */
  brm_chart_set_threshold (BRM_CHART (chart), 50, "Budget");
  brt_image_render (GTK_WIDGET (chart), &image);
  g_assert_cmpuint (count_painted (&image), >, baseline);
  brt_image_clear (&image);

  brm_chart_series_set_samples (series, gaps, G_N_ELEMENTS (gaps));
  brt_image_render (GTK_WIDGET (chart), &image);
  g_assert_cmpuint (count_painted (&image), >, 100);
  brt_image_clear (&image);

  brm_chart_series_set_samples (series, huge, G_N_ELEMENTS (huge));
  brt_image_render (GTK_WIDGET (chart), &image);
  g_assert_cmpuint (count_painted (&image), >, 100);
  brt_image_clear (&image);

  brm_chart_set_threshold (BRM_CHART (chart), NAN, NULL);
  brm_chart_series_set_samples (series, tiny, G_N_ELEMENTS (tiny));
  brt_image_render (GTK_WIDGET (chart), &image);
  g_assert_cmpuint (count_painted (&image), >, 100);
  brt_image_clear (&image);

  brm_chart_series_set_samples (series, all_gaps, G_N_ELEMENTS (all_gaps));
  brt_image_render (GTK_WIDGET (chart), &image);
  brt_image_clear (&image);

  /* A window longer than the data, and then shorter. */
  brm_chart_series_set_samples (series, gaps, G_N_ELEMENTS (gaps));
  brm_time_chart_set_window (chart, 3600);
  brt_image_render (GTK_WIDGET (chart), &image);
  g_assert_cmpuint (count_painted (&image), >, 100);
  brt_image_clear (&image);
  brm_time_chart_set_window (chart, 90);
  brt_image_render (GTK_WIDGET (chart), &image);
  g_assert_cmpuint (count_painted (&image), >, 100);
  brt_image_clear (&image);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (chart);
}

static void
test_edge_cases_others (void)
{
  ChartMaker makers[] = { make_bar_chart, make_heat_strip, make_sparkline };

  for (guint i = 0; i < G_N_ELEMENTS (makers); i++)
    {
      BrmChart *chart = makers[i] ();
      BrmChartSeries *first = brm_chart_get_series_at (chart, 0);
      GtkWidget *window;
      g_auto(BrtImage) image = { 0 };
      BrmChartSample last;

      g_object_ref (chart);
      window = show_in_window (GTK_WIDGET (chart));

      /* All zero. */
      {
        guint n;
        const BrmChartSample *s = brm_chart_series_peek_samples (first, &n);
        g_autofree BrmChartSample *zeros = g_memdup2 (s, n * sizeof *s);

        for (guint j = 0; j < n; j++)
          zeros[j].y = 0;
        brm_chart_series_set_samples (first, zeros, n);
      }
      brm_chart_set_threshold (chart, 10, "Target");
      brt_image_render (GTK_WIDGET (chart), &image);
      g_assert_cmpuint (count_painted (&image), >, 0);
      brt_image_clear (&image);

      /* A single point. */
      g_assert_true (brm_chart_series_get_last (first, &last));
      brm_chart_series_clear (first);
      brm_chart_series_append (first, last.x, 5);
      brt_image_render (GTK_WIDGET (chart), &image);
      g_assert_cmpuint (count_painted (&image), >, 0);
      brt_image_clear (&image);

      /* Nothing at all. */
      brm_chart_remove_all_series (chart);
      brt_image_render (GTK_WIDGET (chart), &image);
      brt_image_clear (&image);

      gtk_window_destroy (GTK_WINDOW (window));
      g_assert_finalize_object (chart);
    }
}

/* Accessibility ---------------------------------------------------------------- */

static void
test_accessible_summary (void)
{
  BrmTimeChart *chart = g_object_ref_sink (brm_time_chart_new ());
  g_autoptr(BrmChartSeries) throughput = brm_chart_series_new ("throughput", "Throughput");
  BrmBarChart *bars = g_object_ref_sink (brm_bar_chart_new ());
  g_autoptr(BrmChartSeries) done = brm_chart_series_new ("completed", "Completed");
  g_autoptr(BrmChartSeries) failed = brm_chart_series_new ("failed", "Failed");
  BrmHeatStrip *strip = g_object_ref_sink (brm_heat_strip_new ());
  g_autoptr(BrmChartSeries) hours = brm_chart_series_new ("hours", NULL);
  BrmSparkline *spark = g_object_ref_sink (brm_sparkline_new ());
  const double per_day_done[] = { 40, 35, 50, 55, 45, 33, 32 };
  const double per_day_failed[] = { 2, 3, 11, 4, 1, 0, 1 };

  gtk_test_accessible_assert_role (chart, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_role (bars, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_role (strip, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_role (spark, GTK_ACCESSIBLE_ROLE_IMG);

  assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "No data");

  brm_chart_set_title (BRM_CHART (chart), "Throughput");
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  brm_chart_add_series (BRM_CHART (chart), throughput);
  assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "Throughput: no data");
  assert_property (chart, GTK_ACCESSIBLE_PROPERTY_LABEL, "Throughput");

  brm_chart_series_append (throughput, T0, 37.5);
  brm_chart_series_append (throughput, T0 + 450, NAN);
  brm_chart_series_append (throughput, T0 + 900, 42);
  assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Throughput 42 leads/min, up 12 % over the last 15 minutes");

  /* A window speaks of what it shows. */
  brm_chart_series_append (throughput, T0 + 1800, 21);
  brm_time_chart_set_window (chart, 900);
  assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Throughput 21 leads/min, down 50 % over the last 15 minutes");

  brm_chart_set_title (BRM_CHART (bars), "Batches per day");
  for (guint i = 0; i < 7; i++)
    {
      brm_chart_series_append (done, DAY0 - 2 * 86400 + i * 86400, per_day_done[i]);
      brm_chart_series_append (failed, DAY0 - 2 * 86400 + i * 86400, per_day_failed[i]);
    }
  brm_chart_add_series (BRM_CHART (bars), done);
  brm_chart_add_series (BRM_CHART (bars), failed);
  assert_property (bars, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Batches per day: 7 days, 312 in total, most on 18 Nov (61); Completed 290, Failed 22");

  brm_chart_set_title (BRM_CHART (strip), "Hourly throughput");
  brm_chart_set_unit (BRM_CHART (strip), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  for (int h = 0; h < 24; h++)
    if (h != 3 && h != 4)
      brm_chart_series_append (hours, h, h == 14 ? 120 : h == 5 ? 2 : 10);
  brm_chart_add_series (BRM_CHART (strip), hours);
  assert_property (strip, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Hourly throughput: busiest 14:00 (120 leads/min), quietest 05:00 (2 leads/min), no data for 2 hours");

  brm_chart_set_title (BRM_CHART (spark), "Progress");
  brm_chart_set_unit (BRM_CHART (spark), BRM_CHART_UNIT_PERCENT);
  {
    g_autoptr(BrmChartSeries) progress = brm_chart_series_new ("progress", NULL);

    brm_chart_series_append (progress, T0, 10);
    brm_chart_series_append (progress, T0 + 120, 12.5);
    brm_chart_add_series (BRM_CHART (spark), progress);
  }
  assert_property (spark, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Progress 12.5 %, up 25 % over the last 2 minutes");

  g_assert_finalize_object (chart);
  g_assert_finalize_object (bars);
  g_assert_finalize_object (strip);
  g_assert_finalize_object (spark);
}

/* A shown chart with live data: the description follows (at most once a
 * second, so the test waits for it rather than expecting it at once). */
static void
test_accessible_live (void)
{
  BrmTimeChart *chart = brm_time_chart_new ();
  g_autoptr(BrmChartSeries) series = brm_chart_series_new ("spend", "Spend");
  GtkWidget *window;
  g_autofree char *expected = NULL;
  char *failure;

  g_object_ref (chart);
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_USD);
  brm_chart_add_series (BRM_CHART (chart), series);
  window = show_in_window (GTK_WIDGET (chart));

  for (guint i = 0; i < 50; i++)
    brm_chart_series_append (series, T0 + i, i * 0.5);
  brm_chart_series_append (series, T0 + 60, 30);
  expected = brm_chart_dup_summary (BRM_CHART (chart));
  g_assert_cmpstr (expected, ==, "Spend $30.00, up from 0 over the last 60 seconds");

  while ((failure = gtk_test_accessible_check_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected)) != NULL)
    {
      g_free (failure);
      g_main_context_iteration (NULL, TRUE);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (chart);
}

static gboolean
press_key (GtkWidget *widget,
           guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
    }
  return handled;
}

static void
test_keyboard (void)
{
  BrmTimeChart *chart = brm_time_chart_new ();
  g_autoptr(BrmChartSeries) throughput = brm_chart_series_new ("throughput", "Throughput");
  g_autoptr(BrmChartSeries) spend = brm_chart_series_new ("spend", "Spend");
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *button = gtk_button_new_with_label ("Before");
  GtkWidget *window;
  g_auto(BrtImage) unfocused = { 0 };
  g_auto(BrtImage) focused = { 0 };
  g_auto(BrtImage) moved = { 0 };

  brm_chart_set_title (BRM_CHART (chart), "Live");
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  brm_chart_series_append (throughput, T0, 40);
  brm_chart_series_append (throughput, T0 + 300, 42);
  brm_chart_series_append (throughput, T0 + 600, 45);
  brm_chart_add_series (BRM_CHART (chart), throughput);
  g_object_ref (chart);

  gtk_widget_set_vexpand (GTK_WIDGET (chart), TRUE);
  gtk_box_append (GTK_BOX (box), button);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (chart));
  window = show_in_window (box);
  while (gtk_widget_get_height (GTK_WIDGET (chart)) <= 0)
    g_main_context_iteration (NULL, TRUE);

  brt_image_render (GTK_WIDGET (chart), &unfocused);

  /* An image that still takes keyboard focus. */
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (chart)));
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (chart)));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (chart));

  g_assert_true (press_key (GTK_WIDGET (chart), GDK_KEY_Home));
  g_assert_cmpuint (brm_chart_get_focus_index (BRM_CHART (chart)), ==, 0);
  assert_property (chart, GTK_ACCESSIBLE_PROPERTY_LABEL, "14:00, Throughput 40 leads/min");
  brt_image_render (GTK_WIDGET (chart), &focused);
  g_assert_true (brt_image_differ (&unfocused, &focused));   /* the ring and readout */

  g_assert_true (press_key (GTK_WIDGET (chart), GDK_KEY_Right));
  g_assert_cmpuint (brm_chart_get_focus_index (BRM_CHART (chart)), ==, 1);
  assert_property (chart, GTK_ACCESSIBLE_PROPERTY_LABEL, "14:05, Throughput 42 leads/min");
  brt_image_render (GTK_WIDGET (chart), &moved);
  g_assert_true (brt_image_differ (&focused, &moved));

  /* A second series joins the reading. */
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_USD);
  brm_chart_series_append (spend, T0 + 300, 12.3);
  brm_chart_add_series (BRM_CHART (chart), spend);
  brm_chart_flush_summary (BRM_CHART (chart));
  assert_property (chart, GTK_ACCESSIBLE_PROPERTY_LABEL, "14:05, Throughput $42.00, Spend $12.30");

  g_assert_true (press_key (GTK_WIDGET (chart), GDK_KEY_End));
  assert_property (chart, GTK_ACCESSIBLE_PROPERTY_LABEL, "14:10, Throughput $45.00, Spend no data");
  g_assert_true (press_key (GTK_WIDGET (chart), GDK_KEY_Right));   /* stays at the end */
  g_assert_cmpuint (brm_chart_get_focus_index (BRM_CHART (chart)), ==, 2);
  g_assert_true (press_key (GTK_WIDGET (chart), GDK_KEY_Left));
  g_assert_cmpuint (brm_chart_get_focus_index (BRM_CHART (chart)), ==, 1);

  /* Trimming old samples keeps focus on the same point. */
  brm_chart_series_trim_before (throughput, T0 + 1);
  g_assert_cmpuint (brm_chart_get_focus_index (BRM_CHART (chart)), ==, 0);
  g_assert_false (press_key (GTK_WIDGET (chart), GDK_KEY_a));

  /* Leaving gives the chart its title back as its name. */
  gtk_widget_grab_focus (button);
  assert_property (chart, GTK_ACCESSIBLE_PROPERTY_LABEL, "Live");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (chart);
}

/* Table view -------------------------------------------------------------------- */

static void
collect_labels (GtkWidget *root,
                GPtrArray *texts)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (root))));
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    collect_labels (child, texts);
}

static GtkWidget *
find_by_type (GtkWidget *root,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);
      if (found)
        return found;
    }
  return NULL;
}

static gboolean
has_text (GPtrArray  *texts,
          const char *text)
{
  for (guint i = 0; i < texts->len; i++)
    if (g_strcmp0 (texts->pdata[i], text) == 0)
      return TRUE;
  return FALSE;
}

static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *count)
{
  (*count)++;
}

static void
test_table_view (void)
{
  BrmTimeChart *chart = brm_time_chart_new ();
  g_autoptr(BrmChartSeries) throughput = brm_chart_series_new ("throughput", "Throughput");
  g_autoptr(BrmChartSeries) spend = brm_chart_series_new ("spend", "Spend");
  BrmChartView *view;
  GtkWidget *window, *toggle, *stack, *column_view;
  GListModel *rows, *columns;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  guint changes = 0;

  brm_chart_set_title (BRM_CHART (chart), "Spend today");
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_USD);
  for (guint i = 0; i < 5; i++)
    {
      brm_chart_series_append (throughput, T0 + i * 300, 40 + i);
      if (i != 3)
        brm_chart_series_append (spend, T0 + i * 300, 10 + i * 1.15);
    }
  brm_chart_add_series (BRM_CHART (chart), throughput);
  brm_chart_add_series (BRM_CHART (chart), spend);

  view = brm_chart_view_new (BRM_CHART (chart));
  g_object_ref (view);
  g_assert_true (brm_chart_view_get_chart (view) == BRM_CHART (chart));
  window = show_in_window (GTK_WIDGET (view));

  toggle = find_by_type (GTK_WIDGET (view), GTK_TYPE_TOGGLE_BUTTON);
  g_assert_nonnull (toggle);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (toggle)), ==, "Show as Table");
  stack = find_by_type (GTK_WIDGET (view), GTK_TYPE_STACK);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "chart");
  collect_labels (GTK_WIDGET (view), texts);
  g_assert_true (has_text (texts, "Spend today"));   /* the heading */

  /* The toggle and the property are one. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), TRUE);
  g_assert_true (brm_chart_view_get_show_table (view));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "table");

  /* Rows are the chart's x values; one column for x and one per series. */
  rows = brm_chart_view_get_rows (view);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(BrmChartPoint) point = g_list_model_get_item (rows, i);

      g_assert_cmpfloat (brm_chart_point_get_x (point), ==, T0 + i * 300);
    }
  column_view = find_by_type (GTK_WIDGET (view), GTK_TYPE_COLUMN_VIEW);
  columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (column_view));
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 3);
  {
    g_autoptr(GtkColumnViewColumn) c0 = g_list_model_get_item (columns, 0);
    g_autoptr(GtkColumnViewColumn) c2 = g_list_model_get_item (columns, 2);

    g_assert_cmpstr (gtk_column_view_column_get_title (c0), ==, "Time");
    g_assert_cmpstr (gtk_column_view_column_get_title (c2), ==, "Spend");
  }
  assert_property (column_view, GTK_ACCESSIBLE_PROPERTY_LABEL, "Spend today as a table");

  /* The cells say what the chart says: wait for the rows to be drawn. */
  while (!has_text (texts, "$12.30"))
    {
      g_ptr_array_set_size (texts, 0);
      g_main_context_iteration (NULL, TRUE);
      collect_labels (column_view, texts);
    }
  g_assert_true (has_text (texts, "14:05"));
  g_assert_true (has_text (texts, "$41.00"));
  g_assert_true (has_text (texts, "—"));          /* 14:15 has no spend: a gap */
  g_assert_true (has_text (texts, "$14.60"));

  /* A change to any series reaches the rows. */
  g_signal_connect (rows, "items-changed", G_CALLBACK (count_items_changed), &changes);
  brm_chart_series_append (spend, T0 + 900, 99);
  g_assert_cmpuint (changes, ==, 1);
  brm_chart_series_append (throughput, T0 + 1500, 50);
  g_assert_cmpuint (changes, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 6);
  while (!has_text (texts, "$99.00"))
    {
      g_ptr_array_set_size (texts, 0);
      g_main_context_iteration (NULL, TRUE);
      collect_labels (column_view, texts);
    }

  /* A new series is a new column. */
  {
    g_autoptr(BrmChartSeries) extra = brm_chart_series_new ("extra", "Extra");

    brm_chart_add_series (BRM_CHART (chart), extra);
    g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 4);
  }

  brm_chart_view_set_show_table (view, FALSE);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "chart");

  g_signal_handlers_disconnect_by_func (rows, count_items_changed, &changes);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (view);
}

/* A bar chart's table: the days and every layer. */
static void
test_table_view_bars (void)
{
  BrmChart *chart = make_bar_chart ();
  BrmChartView *view = g_object_ref_sink (brm_chart_view_new (chart));
  GListModel *rows = brm_chart_view_get_rows (view);
  BrmChartSeries *failed = brm_chart_get_series_at (chart, 1);
  GtkWidget *column_view = find_by_type (GTK_WIDGET (view), GTK_TYPE_COLUMN_VIEW);
  g_autoptr(GtkColumnViewColumn) x_column = g_list_model_get_item (gtk_column_view_get_columns (GTK_COLUMN_VIEW (column_view)), 0);
  g_autofree char *day = brm_chart_format_x (chart, DAY0);
  g_autofree char *failed_text = NULL;
  const BrmChartSample *s = brm_chart_series_peek_samples (failed, NULL);

  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 7);
  g_assert_cmpstr (gtk_column_view_column_get_title (x_column), ==, "Day");
  g_assert_cmpstr (day, ==, "18 Nov");
  failed_text = brm_chart_format_y (chart, s[3].y);
  g_assert_cmpfloat (brm_chart_series_value_at (failed, DAY0 + 3 * 86400), ==, s[3].y);
  g_assert_cmpstr (failed_text, !=, "—");

  g_assert_finalize_object (view);
}

/* Hover and style ------------------------------------------------------------- */

static GtkEventController *
find_motion_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        return controller;
    }
  return NULL;
}

/* The crosshair follows the pointer (the motion controller's signals, as
 * GTK emits them), reads the nearest sample of every series, says
 * "no data" for a series with a gap there, and goes away on leave. */
static void
test_crosshair (void)
{
  BrmTimeChart *chart = brm_time_chart_new ();
  g_autoptr(BrmChartSeries) a = ramp_series ("a", "Throughput", T0, 60, 30, 20);
  g_autoptr(BrmChartSeries) b = brm_chart_series_new ("b", "Errors");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_double_hash, g_double_equal);
  g_auto(BrtImage) idle = { 0 };
  g_auto(BrtImage) hovered = { 0 };
  g_auto(BrtImage) left = { 0 };
  GtkEventController *motion;
  GtkWidget *window;
  double previous = -INFINITY, gap_x = T0 + 10 * 60;
  gboolean gap_read = FALSE;
  int width;

  for (guint i = 0; i < 30; i++)
    brm_chart_series_append (b, T0 + i * 60, i == 10 ? NAN : i);
  brm_chart_set_unit (BRM_CHART (chart), BRM_CHART_UNIT_COUNT);
  brm_chart_add_series (BRM_CHART (chart), a);
  brm_chart_add_series (BRM_CHART (chart), b);

  g_object_ref (chart);
  window = show_in_window (GTK_WIDGET (chart));
  width = gtk_widget_get_width (GTK_WIDGET (chart));
  motion = find_motion_controller (GTK_WIDGET (chart));
  g_assert_nonnull (motion);

  brt_image_render (GTK_WIDGET (chart), &idle);
  g_assert_true (isnan (brm_time_chart_get_hover_x (chart)));

  /* Sweep the pointer across the chart, a pixel at a time, at mid height. */
  for (int px = 0; px < width; px++)
    {
      g_auto(BrtImage) frame = { 0 };
      double x;

      g_signal_emit_by_name (motion, "motion", (double) px, gtk_widget_get_height (GTK_WIDGET (chart)) / 2.0);
      brt_image_render (GTK_WIDGET (chart), &frame);
      x = brm_time_chart_get_hover_x (chart);
      if (isnan (x))
        continue;

      /* Always a sample's own x, moving right with the pointer. */
      g_assert_cmpuint (brm_chart_series_find (a, x), !=, G_MAXUINT);
      g_assert_cmpfloat (brm_chart_series_peek_samples (a, NULL)[brm_chart_series_find (a, x)].x, ==, x);
      g_assert_cmpfloat (x, >=, previous);
      previous = x;
      g_hash_table_add (seen, &((double *) (gpointer) brm_chart_series_peek_samples (a, NULL))[2 * brm_chart_series_find (a, x)]);

      if (x == gap_x && !gap_read)
        {
          g_autofree char *text = brm_chart_dup_point_text (BRM_CHART (chart), x);

          /* Every series is read at that x; the gap says so. */
          g_assert_cmpstr (text, ==, "14:10, Throughput 26.2, Errors no data");
          gap_read = TRUE;
          g_assert_true (brt_image_differ (&idle, &frame));
        }
    }
  /* Every one of the 30 samples was under the crosshair somewhere. */
  g_assert_cmpuint (g_hash_table_size (seen), ==, 30);
  g_assert_true (gap_read);

  g_signal_emit_by_name (motion, "motion", width / 2.0, gtk_widget_get_height (GTK_WIDGET (chart)) / 2.0);
  brt_image_render (GTK_WIDGET (chart), &hovered);
  g_assert_false (isnan (brm_time_chart_get_hover_x (chart)));
  g_assert_true (brt_image_differ (&idle, &hovered));

  /* Leaving hides it: the chart is drawn as before the pointer came. */
  g_signal_emit_by_name (motion, "leave");
  brt_image_render (GTK_WIDGET (chart), &left);
  g_assert_true (isnan (brm_time_chart_get_hover_x (chart)));
  g_assert_false (brt_image_differ (&idle, &left));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (chart);
}

/* The mean of the painted pixels' lightness (0-255), to tell a light
 * drawing from a dark one. */
static double
painted_lightness (const BrtImage *image)
{
  double sum = 0;
  guint n = 0;

  for (gsize i = 0; i < (gsize) image->width * image->height; i++)
    {
      const guchar *p = image->pixels + i * 4;

      if (p[3] < 128)
        continue;
      sum += (p[0] + p[1] + p[2]) * 255.0 / (3.0 * p[3]);
      n++;
    }
  return n ? sum / n : 0;
}

static gboolean
style_is_dark (gpointer data)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ()) == GPOINTER_TO_INT (data);
}

static void
wait_for (GSourceFunc condition,
          gpointer    data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!condition (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

/* Switching to dark redraws with the dark palette and light text; back
 * to light draws exactly what it drew before (no stale cached layer). */
static void
test_dark (gconstpointer data)
{
  ChartMaker make = (ChartMaker) data;
  BrmChart *chart = make ();
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_auto(BrtImage) light = { 0 };
  g_auto(BrtImage) dark = { 0 };
  g_auto(BrtImage) light_again = { 0 };
  GtkWidget *window;
  guint serial;

  g_object_ref (chart);
  window = show_in_window (GTK_WIDGET (chart));
  g_assert_false (adw_style_manager_get_dark (manager));

  brt_image_render (GTK_WIDGET (chart), &light);
  serial = brm_chart_get_style_serial (chart);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  wait_for (style_is_dark, GINT_TO_POINTER (TRUE));
  g_assert_true (adw_style_manager_get_dark (manager));
  g_assert_cmpuint (brm_chart_get_style_serial (chart), !=, serial);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (chart)));

  brt_image_render (GTK_WIDGET (chart), &dark);
  g_assert_true (brt_image_differ (&light, &dark));
  /* Lines and bars: text, grid and the dark palette are all lighter than
   * on white. (A heat strip's cells get darker: its scale runs towards
   * the background.) */
  g_test_message ("lightness: light %.0f, dark %.0f", painted_lightness (&light), painted_lightness (&dark));
  if (!BRM_IS_HEAT_STRIP (chart))
    g_assert_cmpfloat (painted_lightness (&dark), >, painted_lightness (&light) + 20);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  wait_for (style_is_dark, GINT_TO_POINTER (FALSE));
  brt_image_render (GTK_WIDGET (chart), &light_again);
  g_assert_false (brt_image_differ (&light, &light_again));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (chart);
}

static gboolean
high_contrast_is (gpointer data)
{
  return adw_style_manager_get_high_contrast (adw_style_manager_get_default ()) == GPOINTER_TO_INT (data);
}

/* libadwaita 1.2 has no setter for high contrast: it follows the
 * settings portal or, without one (as here: no session bus), the
 * org.gnome.desktop.a11y.interface high-contrast key, which a test can
 * set in the memory backend. */
static void
test_high_contrast (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  BrmChart *chart;
  g_auto(BrtImage) normal = { 0 };
  g_auto(BrtImage) high = { 0 };
  GtkWidget *window;

  schema = source ? g_settings_schema_source_lookup (source, "org.gnome.desktop.a11y.interface", TRUE) : NULL;
  if (schema == NULL || !g_settings_schema_has_key (schema, "high-contrast"))
    {
      g_test_skip ("org.gnome.desktop.a11y.interface is not installed (gsettings-desktop-schemas)");
      return;
    }

  chart = make_area_chart ();
  g_object_ref (chart);
  window = show_in_window (GTK_WIDGET (chart));
  brt_image_render (GTK_WIDGET (chart), &normal);
  g_assert_cmpfloat (brm_chart_get_line_width (chart), ==, 2);

  settings = g_settings_new ("org.gnome.desktop.a11y.interface");
  g_settings_set_boolean (settings, "high-contrast", TRUE);
  wait_for (high_contrast_is, GINT_TO_POINTER (TRUE));
  if (!adw_style_manager_get_high_contrast (adw_style_manager_get_default ()))
    {
      g_settings_reset (settings, "high-contrast");
      gtk_window_destroy (GTK_WINDOW (window));
      g_object_unref (chart);
      g_test_skip ("libadwaita did not follow the high-contrast key (a settings portal answers instead)");
      return;
    }

  /* Thicker lines, no translucent area fill. */
  g_assert_cmpfloat (brm_chart_get_line_width (chart), ==, 3);
  brt_image_render (GTK_WIDGET (chart), &high);
  g_assert_true (brt_image_differ (&normal, &high));

  g_settings_reset (settings, "high-contrast");
  wait_for (high_contrast_is, GINT_TO_POINTER (FALSE));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (chart);
}

/* What the Analytics page screenshots showed wrong, fixed in the family:
 * half batches on a count axis, a $500 budget flattening $3 of spend,
 * a seventh series looking like the first. */
static void
test_axis_rules (void)
{
  BrmChart *chart = BRM_CHART (brm_time_chart_new ());
  g_autoptr(GArray) ticks = NULL;
  g_autoptr(GArray) usd_ticks = NULL;
  double lo, hi, step;

  g_object_ref_sink (chart);

  brm_chart_set_unit (chart, BRM_CHART_UNIT_COUNT);
  ticks = brm_chart_value_ticks (chart, 0, 1, 6, &lo, &hi, &step);
  g_assert_cmpfloat (step, >=, 1);
  for (guint i = 0; i < ticks->len; i++)
    g_assert_cmpfloat (g_array_index (ticks, double, i), ==, round (g_array_index (ticks, double, i)));
  g_assert_cmpfloat (hi, >=, 1);

  brm_chart_set_unit (chart, BRM_CHART_UNIT_USD);
  usd_ticks = brm_chart_value_ticks (chart, 0, 1, 6, &lo, &hi, &step);
  g_assert_cmpfloat (step, <, 1);   /* dollars do have cents */

  g_assert_false (brm_chart_threshold_in_range (chart, 2.56));   /* no threshold */
  brm_chart_set_threshold (chart, 500, "Daily budget");
  g_assert_false (brm_chart_threshold_in_range (chart, 2.56));
  g_assert_false (brm_chart_threshold_in_range (chart, 0));
  g_assert_true (brm_chart_threshold_in_range (chart, 300));
  g_assert_true (brm_chart_threshold_in_range (chart, 900));

  /* Colour (index % 6) and style together tell twelve series apart. */
  for (guint i = 0; i < 12; i++)
    for (guint j = i + 1; j < 12; j++)
      g_assert_false (i % 6 == j % 6 && brm_chart_style_index (i) == brm_chart_style_index (j));

  g_object_unref (chart);
}

/* The time chart keeps its legend, grid and y labels in a cached layer:
 * whatever they show must still repaint it. */
static void
test_static_layer (void)
{
  BrmChart *chart = make_line_chart ();
  g_auto(BrtImage) first = { 0 };
  g_auto(BrtImage) unit = { 0 };
  g_auto(BrtImage) label = { 0 };
  GtkWidget *window;

  g_object_ref (chart);
  window = show_in_window (GTK_WIDGET (chart));
  brt_image_render (GTK_WIDGET (chart), &first);

  /* Same range, other y labels (which usually move the plot too). */
  brm_chart_set_unit (chart, BRM_CHART_UNIT_MILLISECONDS);
  brt_image_render (GTK_WIDGET (chart), &unit);
  g_assert_true (brt_image_differ (&first, &unit));

  brm_chart_series_set_label (brm_chart_get_series_at (chart, 1), "Failures and more");
  brt_image_render (GTK_WIDGET (chart), &label);
  g_assert_true (brt_image_differ (&unit, &label));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (chart);
}

int
main (int    argc,
      char **argv)
{
  /* Readings are checked as UTC clock times. */
  g_setenv ("TZ", "UTC", TRUE);
  tzset ();

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_data_func ("/monitor/charts/render/time-line", make_line_chart, test_render);
  g_test_add_data_func ("/monitor/charts/render/time-area", make_area_chart, test_render);
  g_test_add_data_func ("/monitor/charts/render/bar", make_bar_chart, test_render);
  g_test_add_data_func ("/monitor/charts/render/heat-strip", make_heat_strip, test_render);
  g_test_add_data_func ("/monitor/charts/render/sparkline", make_sparkline, test_render);
  g_test_add_func ("/monitor/charts/edge-cases/time", test_edge_cases);
  g_test_add_func ("/monitor/charts/edge-cases/others", test_edge_cases_others);
  g_test_add_func ("/monitor/charts/accessible/summary", test_accessible_summary);
  g_test_add_func ("/monitor/charts/accessible/live", test_accessible_live);
  g_test_add_func ("/monitor/charts/keyboard", test_keyboard);
  g_test_add_func ("/monitor/charts/table-view", test_table_view);
  g_test_add_func ("/monitor/charts/table-view-bars", test_table_view_bars);
  g_test_add_func ("/monitor/charts/crosshair", test_crosshair);
  g_test_add_data_func ("/monitor/charts/dark/time", make_line_chart, test_dark);
  g_test_add_data_func ("/monitor/charts/dark/bar", make_bar_chart, test_dark);
  g_test_add_data_func ("/monitor/charts/dark/heat-strip", make_heat_strip, test_dark);
  g_test_add_func ("/monitor/charts/high-contrast", test_high_contrast);
  g_test_add_func ("/monitor/charts/axis-rules", test_axis_rules);
  g_test_add_func ("/monitor/charts/static-layer", test_static_layer);

  return g_test_run ();
}
