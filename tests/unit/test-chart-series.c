/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "brm-chart-series.h"

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint calls;
} Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Change     *change)
{
  change->position = position;
  change->removed = removed;
  change->added = added;
  change->calls++;
}

static void
test_append_keeps_order (void)
{
  g_autoptr(BrmChartSeries) series = brm_chart_series_new ("t", "Throughput");
  Change change = { 0 };
  const BrmChartSample *s;
  guint n;

  g_signal_connect (series, "items-changed", G_CALLBACK (on_items_changed), &change);

  brm_chart_series_append (series, 10, 1);
  brm_chart_series_append (series, 30, 3);
  g_assert_cmpuint (change.position, ==, 1);

  /* Late sample: goes between, and items-changed says where. */
  brm_chart_series_append (series, 20, 2);
  g_assert_cmpuint (change.position, ==, 1);
  g_assert_cmpuint (change.added, ==, 1);
  g_assert_cmpuint (change.calls, ==, 3);

  /* Equal x goes after the existing one. */
  brm_chart_series_append (series, 20, 5);
  s = brm_chart_series_peek_samples (series, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpfloat (s[0].x, ==, 10);
  g_assert_cmpfloat (s[1].y, ==, 2);
  g_assert_cmpfloat (s[2].y, ==, 5);
  g_assert_cmpfloat (s[3].x, ==, 30);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (series)), ==, 4);
}

static void
test_points_as_objects (void)
{
  g_autoptr(BrmChartSeries) series = brm_chart_series_new ("cost", "Cost");
  g_autoptr(BrmChartPoint) point = NULL;
  double y = 0;

  brm_chart_series_append (series, 1, 0.5);
  brm_chart_series_append (series, 2, NAN);

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (series)) == BRM_TYPE_CHART_POINT);
  point = g_list_model_get_item (G_LIST_MODEL (series), 1);
  g_assert_cmpfloat (brm_chart_point_get_x (point), ==, 2);
  g_assert_true (isnan (brm_chart_point_get_y (point)));
  g_clear_object (&point);

  point = g_list_model_get_item (G_LIST_MODEL (series), 0);
  g_object_get (point, "y", &y, NULL);
  g_assert_cmpfloat (y, ==, 0.5);

  g_assert_null (g_list_model_get_item (G_LIST_MODEL (series), 2));
}

static void
test_extents_skip_gaps (void)
{
  g_autoptr(BrmChartSeries) series = brm_chart_series_new ("t", "T");
  double x0, x1, y0, y1;

  g_assert_false (brm_chart_series_get_extents (series, &x0, &x1, &y0, &y1));

  brm_chart_series_append (series, 5, NAN);
  g_assert_false (brm_chart_series_get_extents (series, &x0, &x1, &y0, &y1));

  brm_chart_series_append (series, 6, 4);
  brm_chart_series_append (series, 7, -2);
  brm_chart_series_append (series, 8, NAN);
  g_assert_true (brm_chart_series_get_extents (series, &x0, &x1, &y0, &y1));
  g_assert_cmpfloat (x0, ==, 6);
  g_assert_cmpfloat (x1, ==, 7);
  g_assert_cmpfloat (y0, ==, -2);
  g_assert_cmpfloat (y1, ==, 4);

  /* The cache follows changes. */
  brm_chart_series_append (series, 9, 100);
  g_assert_true (brm_chart_series_get_extents (series, NULL, &x1, NULL, &y1));
  g_assert_cmpfloat (x1, ==, 9);
  g_assert_cmpfloat (y1, ==, 100);
}

static void
test_set_trim_clear (void)
{
  g_autoptr(BrmChartSeries) series = brm_chart_series_new ("t", "T");
  const BrmChartSample in[] = { { 3, 30 }, { 1, 10 }, { INFINITY, 1 }, { 2, 20 } };
  Change change = { 0 };
  BrmChartSample last;

  g_signal_connect (series, "items-changed", G_CALLBACK (on_items_changed), &change);

  brm_chart_series_set_samples (series, in, G_N_ELEMENTS (in));
  g_assert_cmpuint (change.calls, ==, 1);
  g_assert_cmpuint (change.added, ==, 3);
  g_assert_true (brm_chart_series_get_last (series, &last));
  g_assert_cmpfloat (last.x, ==, 3);
  g_assert_cmpfloat (last.y, ==, 30);

  g_assert_cmpuint (brm_chart_series_trim_before (series, 2), ==, 1);
  g_assert_cmpuint (change.position, ==, 0);
  g_assert_cmpuint (change.removed, ==, 1);
  g_assert_cmpuint (brm_chart_series_get_n_samples (series), ==, 2);
  g_assert_cmpuint (brm_chart_series_trim_before (series, 0), ==, 0);
  g_assert_cmpuint (change.calls, ==, 2);

  brm_chart_series_clear (series);
  g_assert_cmpuint (change.removed, ==, 2);
  g_assert_false (brm_chart_series_get_last (series, &last));
  g_assert_null (brm_chart_series_peek_samples (series, NULL));

  /* Clearing an empty series says nothing. */
  brm_chart_series_clear (series);
  g_assert_cmpuint (change.calls, ==, 3);
}

static void
test_find_nearest (void)
{
  g_autoptr(BrmChartSeries) series = brm_chart_series_new ("t", "T");

  g_assert_cmpuint (brm_chart_series_find (series, 1), ==, G_MAXUINT);

  brm_chart_series_append (series, 10, 1);
  brm_chart_series_append (series, 20, 2);
  brm_chart_series_append (series, 40, 3);

  g_assert_cmpuint (brm_chart_series_find (series, -5), ==, 0);
  g_assert_cmpuint (brm_chart_series_find (series, 14), ==, 0);
  g_assert_cmpuint (brm_chart_series_find (series, 15), ==, 0);
  g_assert_cmpuint (brm_chart_series_find (series, 16), ==, 1);
  g_assert_cmpuint (brm_chart_series_find (series, 31), ==, 2);
  g_assert_cmpuint (brm_chart_series_find (series, 400), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chart-series/append-keeps-order", test_append_keeps_order);
  g_test_add_func ("/chart-series/points-as-objects", test_points_as_objects);
  g_test_add_func ("/chart-series/extents-skip-gaps", test_extents_skip_gaps);
  g_test_add_func ("/chart-series/set-trim-clear", test_set_trim_clear);
  g_test_add_func ("/chart-series/find-nearest", test_find_nearest);

  return g_test_run ();
}
