/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "brm-chart-scale.h"

/* Ticks are 1, 2 or 5 × 10^n apart, evenly spaced, and cover the data. */
static void
assert_nice (GArray *ticks,
             double  data_min,
             double  data_max,
             double  step)
{
  double mantissa = step / pow (10, floor (log10 (step) + 1e-9));

  g_assert_cmpuint (ticks->len, >=, 2);
  g_assert_true (fabs (mantissa - 1) < 1e-9 || fabs (mantissa - 2) < 1e-9 || fabs (mantissa - 5) < 1e-9);
  g_assert_cmpfloat (g_array_index (ticks, double, 0), <=, data_min);
  g_assert_cmpfloat (g_array_index (ticks, double, ticks->len - 1), >=, data_max);
  for (guint i = 1; i < ticks->len; i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (ticks, double, i) - g_array_index (ticks, double, i - 1),
                                    step, step * 1e-9);
}

static void
test_scale_map (void)
{
  BrmChartScale s;

  brm_chart_scale_init (&s, 0, 100, 10, 210);
  g_assert_cmpfloat_with_epsilon (brm_chart_scale_map (&s, 0), 10, 1e-9);
  g_assert_cmpfloat_with_epsilon (brm_chart_scale_map (&s, 50), 110, 1e-9);
  g_assert_cmpfloat_with_epsilon (brm_chart_scale_map (&s, 100), 210, 1e-9);
  g_assert_cmpfloat_with_epsilon (brm_chart_scale_invert (&s, 110), 50, 1e-9);

  /* y runs down the screen: a reversed range. */
  brm_chart_scale_init (&s, 0, 10, 300, 0);
  g_assert_cmpfloat_with_epsilon (brm_chart_scale_map (&s, 10), 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (brm_chart_scale_map (&s, 2.5), 225, 1e-9);

  /* An empty domain maps to the middle instead of dividing by zero. */
  brm_chart_scale_init (&s, 5, 5, 0, 100);
  g_assert_cmpfloat_with_epsilon (brm_chart_scale_map (&s, 5), 50, 1e-9);
}

static void
test_ticks_basic (void)
{
  double lo, hi, step;
  g_autoptr(GArray) t = brm_chart_nice_ticks (3, 97, 6, &lo, &hi, &step);

  assert_nice (t, 3, 97, step);
  g_assert_cmpfloat (lo, ==, 0);        /* non-negative data: from 0 */
  g_assert_cmpfloat (hi, ==, 100);
  g_assert_cmpfloat (step, ==, 20);
  g_assert_cmpuint (t->len, <=, 7);
}

static void
test_ticks_negative (void)
{
  double lo, hi, step;
  g_autoptr(GArray) t = brm_chart_nice_ticks (-42, 17, 6, &lo, &hi, &step);

  assert_nice (t, -42, 17, step);
  g_assert_cmpfloat (lo, <, 0);
  /* Zero is a tick, and none reads "-0". */
  for (guint i = 0; i < t->len; i++)
    if (g_array_index (t, double, i) == 0)
      g_assert_false (signbit (g_array_index (t, double, i)));
}

/* A cost never gets a negative axis, however it is padded. */
static void
test_ticks_costs_never_negative (void)
{
  const double cases[][2] = { { 0, 0 }, { 0.01, 0.01 }, { 5, 5 }, { 0, 3.3 }, { 1e12, 1e12 }, { 1e-9, 2e-9 } };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double lo, hi, step;
      g_autoptr(GArray) t = brm_chart_nice_ticks (cases[i][0], cases[i][1], 5, &lo, &hi, &step);

      g_assert_cmpfloat (lo, ==, 0);
      for (guint j = 0; j < t->len; j++)
        g_assert_cmpfloat (g_array_index (t, double, j), >=, 0);
      g_assert_cmpfloat (hi, >=, cases[i][1]);
      g_assert_cmpfloat (hi, >, lo);
    }
}

static void
test_ticks_single_point (void)
{
  double lo, hi, step;
  g_autoptr(GArray) t = brm_chart_nice_ticks (42, 42, 5, &lo, &hi, &step);
  g_autoptr(GArray) neg = NULL;

  assert_nice (t, 42, 42, step);
  g_assert_cmpfloat (hi, >, 42);

  /* A single negative value is padded too, and the axis reaches 0. */
  neg = brm_chart_nice_ticks (-7, -7, 5, &lo, &hi, &step);
  assert_nice (neg, -7, -7, step);
  g_assert_cmpfloat (lo, <, -7);
  g_assert_cmpfloat (hi, <=, 0);
}

static void
test_ticks_all_zero (void)
{
  double lo, hi, step;
  g_autoptr(GArray) t = brm_chart_nice_ticks (0, 0, 5, &lo, &hi, &step);
  g_autoptr(GArray) nan_ticks = brm_chart_nice_ticks (NAN, NAN, 5, &lo, &hi, &step);

  g_assert_cmpfloat (g_array_index (t, double, 0), ==, 0);
  g_assert_cmpfloat (g_array_index (t, double, t->len - 1), ==, 1);

  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, ==, 1);
  g_assert_cmpuint (nan_ticks->len, >=, 2);
}

static void
test_ticks_huge_and_tiny (void)
{
  double lo, hi, step;
  g_autoptr(GArray) huge = brm_chart_nice_ticks (0, 1.23e12, 6, &lo, &hi, &step);
  g_autoptr(GArray) tiny = NULL;
  g_autoptr(GArray) narrow = NULL;

  assert_nice (huge, 0, 1.23e12, step);
  g_assert_cmpfloat (step, ==, 5e11);
  g_assert_cmpfloat (hi, ==, 1.5e12);

  tiny = brm_chart_nice_ticks (0.0001, 0.00047, 6, &lo, &hi, &step);
  assert_nice (tiny, 0.0001, 0.00047, step);
  g_assert_cmpfloat_with_epsilon (step, 0.0001, 1e-15);

  /* A narrow band far from zero that crosses it: 0.1 steps, exact. */
  narrow = brm_chart_nice_ticks (-0.25, 0.27, 8, &lo, &hi, &step);
  assert_nice (narrow, -0.25, 0.27, step);
  g_assert_cmpfloat (g_array_index (narrow, double, 1), ==, -0.2);
}

static void
test_time_ticks (void)
{
  double step;
  /* 14:03:10 to 14:58:00 UTC on 18 Nov 2024. */
  double t0 = 1731938590, t1 = 1731941880;
  g_autoptr(GArray) t = NULL;
  g_autoptr(GArray) day = NULL;
  g_autoptr(GArray) week = NULL;

  t = brm_chart_time_ticks (t0, t1, 6, &step);
  g_assert_cmpfloat (step, ==, 15 * 60);
  g_assert_cmpuint (t->len, >=, 3);
  for (guint i = 0; i < t->len; i++)
    {
      double v = g_array_index (t, double, i);

      g_assert_cmpfloat (v, >=, t0);
      g_assert_cmpfloat (v, <=, t1);
      g_assert_cmpfloat (fmod (v, 15 * 60), ==, 0);   /* on the quarter hour */
    }

  /* A day at 5 ticks: every 6 hours. */
  day = brm_chart_time_ticks (t0, t0 + 86400, 5, &step);
  g_assert_cmpfloat (step, ==, 6 * 3600);

  /* A month: days or weeks, never odd steps. */
  week = brm_chart_time_ticks (t0, t0 + 30 * 86400, 6, &step);
  g_assert_true (step == 7 * 86400 || step == 14 * 86400);
  for (guint i = 0; i < week->len; i++)
    g_assert_cmpfloat (fmod (g_array_index (week, double, i), 86400), ==, 0);  /* midnight */

  /* Short spans: 1 and 5 minutes. */
  g_array_unref (g_steal_pointer (&t));
  t = brm_chart_time_ticks (t0, t0 + 240, 5, &step);
  g_assert_cmpfloat (step, ==, 60);
  g_array_unref (g_steal_pointer (&t));
  t = brm_chart_time_ticks (t0, t0 + 1200, 5, &step);
  g_assert_cmpfloat (step, ==, 5 * 60);
  g_array_unref (g_steal_pointer (&t));
  t = brm_chart_time_ticks (t0, t0 + 3 * 3600, 4, &step);
  g_assert_cmpfloat (step, ==, 3600);
}

static void
test_segments (void)
{
  BrmChartSample s[] = { { 0, 1 }, { 1, 2 }, { 2, NAN }, { 3, 4 }, { 4, NAN }, { 5, NAN }, { 6, 7 }, { 7, 8 } };
  g_autoptr(GArray) seg = brm_chart_split_segments (s, G_N_ELEMENTS (s));
  g_autoptr(GArray) none = brm_chart_split_segments (s + 4, 2);
  g_autoptr(GArray) one = brm_chart_split_segments (s, 1);

  g_assert_cmpuint (seg->len, ==, 3);
  g_assert_cmpuint (g_array_index (seg, BrmChartSegment, 0).start, ==, 0);
  g_assert_cmpuint (g_array_index (seg, BrmChartSegment, 0).end, ==, 2);
  /* The lone sample between gaps is its own segment (drawn as a marker). */
  g_assert_cmpuint (g_array_index (seg, BrmChartSegment, 1).start, ==, 3);
  g_assert_cmpuint (g_array_index (seg, BrmChartSegment, 1).end, ==, 4);
  g_assert_cmpuint (g_array_index (seg, BrmChartSegment, 2).start, ==, 6);
  g_assert_cmpuint (g_array_index (seg, BrmChartSegment, 2).end, ==, 8);

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (one->len, ==, 1);
}

static void
test_decimate (void)
{
  g_autoptr(GArray) in = g_array_new (FALSE, FALSE, sizeof (BrmChartSample));
  g_autoptr(GArray) out = NULL;
  g_autoptr(GArray) gapped = NULL;
  double in_min = INFINITY, in_max = -INFINITY, out_min = INFINITY, out_max = -INFINITY;

  for (guint i = 0; i < 3600; i++)
    {
      BrmChartSample s = { i, sin (i / 7.0) * 100 + (i == 1234 ? 500 : 0) };

      in_min = MIN (in_min, s.y);
      in_max = MAX (in_max, s.y);
      g_array_append_val (in, s);
    }

  out = brm_chart_decimate ((BrmChartSample *) (gpointer) in->data, in->len, 0, 3599, 100);
  /* At most four a column (plus the edges), and every extreme kept. */
  g_assert_cmpuint (out->len, <=, 4 * 101);
  g_assert_cmpuint (out->len, >=, 100);
  for (guint i = 0; i < out->len; i++)
    {
      const BrmChartSample *s = &g_array_index (out, BrmChartSample, i);

      out_min = MIN (out_min, s->y);
      out_max = MAX (out_max, s->y);
      if (i > 0)
        g_assert_cmpfloat (s->x, >, g_array_index (out, BrmChartSample, i - 1).x);
    }
  g_assert_cmpfloat (out_min, ==, in_min);
  g_assert_cmpfloat (out_max, ==, in_max);   /* the spike at 1234 survives */
  g_assert_cmpfloat (g_array_index (out, BrmChartSample, 0).x, ==, 0);
  g_assert_cmpfloat (g_array_index (out, BrmChartSample, out->len - 1).x, ==, 3599);

  /* A window: one sample beyond each edge so the line reaches it. */
  g_array_unref (g_steal_pointer (&out));
  out = brm_chart_decimate ((BrmChartSample *) (gpointer) in->data, in->len, 1000.5, 2000.5, 50);
  g_assert_cmpfloat (g_array_index (out, BrmChartSample, 0).x, ==, 1000);
  g_assert_cmpfloat (g_array_index (out, BrmChartSample, out->len - 1).x, ==, 2001);

  /* Gaps survive as one NAN each. */
  g_array_index (in, BrmChartSample, 500).y = NAN;
  g_array_index (in, BrmChartSample, 501).y = NAN;
  gapped = brm_chart_decimate ((BrmChartSample *) (gpointer) in->data, in->len, 0, 3599, 100);
  {
    guint nans = 0;

    for (guint i = 0; i < gapped->len; i++)
      if (isnan (g_array_index (gapped, BrmChartSample, i).y))
        nans++;
    g_assert_cmpuint (nans, ==, 1);
  }
}

static void
test_column_spans (void)
{
  /* 0..10 over 5 columns of 2: samples at 1 (col 0), 3 and 3.5 (col 1),
   * a gap at 5, 7 (col 3), 9.5 (col 4); one before the window at -1. */
  BrmChartSample s[] = { { -1, 0 }, { 1, 2 }, { 3, 8 }, { 3.5, 4 }, { 5, NAN }, { 7, 6 }, { 9.5, 1 } };
  double lo[5], hi[5];
  guint filled = brm_chart_column_spans (s, G_N_ELEMENTS (s), 0, 10, 5, lo, hi);

  g_assert_cmpuint (filled, ==, 4);
  /* Column 0 joins the lead-in (interpolated to 1 at x = 0) to 2. */
  g_assert_cmpfloat (lo[0], ==, 1);
  g_assert_cmpfloat (hi[0], ==, 2);
  /* Column 1 reaches back to column 0's last value. */
  g_assert_cmpfloat (lo[1], ==, 2);
  g_assert_cmpfloat (hi[1], ==, 8);
  /* The gap breaks the line: column 2 is empty and column 3 stands alone. */
  g_assert_true (isnan (lo[2]));
  g_assert_cmpfloat (lo[3], ==, 6);
  g_assert_cmpfloat (hi[3], ==, 6);
  g_assert_cmpfloat (lo[4], ==, 1);
  g_assert_cmpfloat (hi[4], ==, 6);

  /* Empty columns between samples are bridged by interpolation. */
  {
    BrmChartSample sparse[] = { { 0.5, 0 }, { 8.5, 8 } };

    filled = brm_chart_column_spans (sparse, 2, 0, 10, 5, lo, hi);
    g_assert_cmpuint (filled, ==, 5);
    g_assert_cmpfloat_with_epsilon (lo[2], 3.5, 1e-9);
    g_assert_cmpfloat_with_epsilon (hi[2], 5.5, 1e-9);
  }
}

static void
test_group_digits (void)
{
  const struct { const char *in, *sep, *grouping, *out; } cases[] = {
    { "1234.50", ",", "\3", "1,234.50" },
    { "1234567", ",", "\3", "1,234,567" },
    { "-1234567.891", ".", "\3", "-1.234.567.891" },
    { "123", ",", "\3", "123" },
    { "1000000000000", ",", "\3", "1,000,000,000,000" },
    { "12345678", ",", "\3\2", "1,23,45,678" },   /* Indian grouping */
    { "1234.5", "", "\3", "1234.5" },              /* C locale: none */
    { "1234.5", ",", "", "1234.5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = brm_chart_group_digits (cases[i].in, cases[i].sep, cases[i].grouping);

      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

/* The expected text in the running locale: the separator it uses. */
static char *
grouped (const char *plain)
{
  struct lconv *lc = localeconv ();

  return brm_chart_group_digits (plain, lc->thousands_sep, lc->grouping);
}

static void
test_format_units (void)
{
  g_autofree char *usd = brm_chart_format_value (BRM_CHART_UNIT_USD, 1234.5);
  g_autofree char *usd_expected = NULL;
  g_autofree char *g = grouped ("1234.50");
  g_autofree char *leads = brm_chart_format_value (BRM_CHART_UNIT_LEADS_PER_MINUTE, 42);
  g_autofree char *ms_short = brm_chart_format_value (BRM_CHART_UNIT_MILLISECONDS, 850);
  g_autofree char *ms_long = brm_chart_format_value (BRM_CHART_UNIT_MILLISECONDS, 1234);
  g_autofree char *pct = brm_chart_format_value (BRM_CHART_UNIT_PERCENT, 12.5);
  g_autofree char *count = brm_chart_format_value (BRM_CHART_UNIT_COUNT, 312);
  g_autofree char *gap = brm_chart_format_value (BRM_CHART_UNIT_USD, NAN);
  g_autofree char *neg = brm_chart_format_value (BRM_CHART_UNIT_USD, -5);
  g_autofree char *neg_zero = brm_chart_format_value (BRM_CHART_UNIT_USD, -0.001);
  g_autofree char *huge = brm_chart_format_value (BRM_CHART_UNIT_COUNT, 1e12);
  g_autofree char *huge_expected = grouped ("1000000000000");

  usd_expected = g_strdup_printf ("$%s", g);
  g_assert_cmpstr (usd, ==, usd_expected);
  g_assert_cmpstr (leads, ==, "42 leads/min");
  g_assert_cmpstr (ms_short, ==, "850 ms");
  g_assert_cmpstr (ms_long, ==, "1.2 s");
  g_assert_cmpstr (pct, ==, "12.5 %");
  g_assert_cmpstr (count, ==, "312");
  g_assert_cmpstr (gap, ==, "—");
  g_assert_cmpstr (neg, ==, "−$5.00");
  g_assert_cmpstr (neg_zero, ==, "$0.00");
  g_assert_cmpstr (huge, ==, huge_expected);
}

static void
test_format_ticks (void)
{
  g_autofree char *usd = brm_chart_format_tick (BRM_CHART_UNIT_USD, 1200, 200);
  g_autofree char *usd_expected = NULL;
  g_autofree char *g = grouped ("1200");
  g_autofree char *cents = brm_chart_format_tick (BRM_CHART_UNIT_USD, 0.5, 0.1);
  g_autofree char *pct = brm_chart_format_tick (BRM_CHART_UNIT_PERCENT, 0.5, 0.5);
  g_autofree char *secs = brm_chart_format_tick (BRM_CHART_UNIT_MILLISECONDS, 2000, 1000);
  g_autofree char *ms = brm_chart_format_tick (BRM_CHART_UNIT_MILLISECONDS, 250, 50);
  g_autofree char *zero = brm_chart_format_tick (BRM_CHART_UNIT_COUNT, 0, 0.05);

  usd_expected = g_strdup_printf ("$%s", g);
  g_assert_cmpstr (usd, ==, usd_expected);
  g_assert_cmpstr (cents, ==, "$0.50");
  g_assert_cmpstr (pct, ==, "0.5 %");
  g_assert_cmpstr (secs, ==, "2 s");
  g_assert_cmpstr (ms, ==, "250 ms");
  g_assert_cmpstr (zero, ==, "0.00");
}

static void
test_format_x (void)
{
  g_autofree char *time = NULL;
  g_autofree char *day = NULL;
  g_autofree char *hour = brm_chart_format_x_value (BRM_CHART_X_HOUR, 7, 0);
  g_autofree char *duration = brm_chart_format_duration (15 * 60);

  time = brm_chart_format_x_value (BRM_CHART_X_TIME, 1731938700, 3600);   /* 14:05 UTC */
  day = brm_chart_format_x_value (BRM_CHART_X_DAY, 1731888000, 0);        /* 18 Nov 2024 */
  g_assert_cmpstr (time, ==, "14:05");
  g_assert_cmpstr (day, ==, "18 Nov");
  g_assert_cmpstr (hour, ==, "07:00");
  g_assert_cmpstr (duration, ==, "15 minutes");
}

int
main (int    argc,
      char **argv)
{
  /* Times are checked as UTC clock readings. */
  g_setenv ("TZ", "UTC", TRUE);
  tzset ();
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/monitor/chart-scale/map", test_scale_map);
  g_test_add_func ("/monitor/chart-scale/ticks", test_ticks_basic);
  g_test_add_func ("/monitor/chart-scale/ticks-negative", test_ticks_negative);
  g_test_add_func ("/monitor/chart-scale/costs-never-negative", test_ticks_costs_never_negative);
  g_test_add_func ("/monitor/chart-scale/single-point", test_ticks_single_point);
  g_test_add_func ("/monitor/chart-scale/all-zero", test_ticks_all_zero);
  g_test_add_func ("/monitor/chart-scale/huge-and-tiny", test_ticks_huge_and_tiny);
  g_test_add_func ("/monitor/chart-scale/time-ticks", test_time_ticks);
  g_test_add_func ("/monitor/chart-scale/gaps", test_segments);
  g_test_add_func ("/monitor/chart-scale/decimate", test_decimate);
  g_test_add_func ("/monitor/chart-scale/column-spans", test_column_spans);
  g_test_add_func ("/monitor/chart-scale/group-digits", test_group_digits);
  g_test_add_func ("/monitor/chart-scale/format-units", test_format_units);
  g_test_add_func ("/monitor/chart-scale/format-ticks", test_format_ticks);
  g_test_add_func ("/monitor/chart-scale/format-x", test_format_x);

  return g_test_run ();
}
