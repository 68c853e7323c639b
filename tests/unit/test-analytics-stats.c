/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>
#include <math.h>

#include "brm-csv.h"
#include "brm-stats.h"

/* The analytics page's statistics (median, MAD, percentile, the anomaly
 * test) and its CSV writer and reader, without a display. */

static void
test_median_empty_and_one (void)
{
  const double one[] = { 4.5 };
  const double only_gaps[] = { NAN, NAN };

  g_assert_true (isnan (brm_stats_median (NULL, 0)));
  g_assert_true (isnan (brm_stats_mad (NULL, 0)));
  g_assert_true (isnan (brm_stats_percentile (NULL, 0, 0.5)));
  g_assert_true (isnan (brm_stats_median (only_gaps, 2)));
  g_assert_cmpfloat (brm_stats_median (one, 1), ==, 4.5);
  g_assert_cmpfloat (brm_stats_mad (one, 1), ==, 0);
  g_assert_cmpfloat (brm_stats_percentile (one, 1, 0.95), ==, 4.5);
}

static void
test_median_odd_even (void)
{
  const double odd[] = { 9, 1, 5 };
  const double even[] = { 8, 2, 4, 6 };
  const double with_gap[] = { 8, NAN, 2, 4, 6 };

  g_assert_cmpfloat (brm_stats_median (odd, 3), ==, 5);
  g_assert_cmpfloat (brm_stats_median (even, 4), ==, 5);
  /* A gap is no data, not a zero. */
  g_assert_cmpfloat (brm_stats_median (with_gap, 5), ==, 5);
  /* |9-5|, |1-5|, |5-5| = 4, 4, 0 → 4 */
  g_assert_cmpfloat (brm_stats_mad (odd, 3), ==, 4);
  /* |8-5|, |2-5|, |4-5|, |6-5| = 3, 3, 1, 1 → 2 */
  g_assert_cmpfloat (brm_stats_mad (even, 4), ==, 2);
  g_assert_cmpfloat (brm_stats_mad (with_gap, 5), ==, 2);
}

static void
test_percentile (void)
{
  double values[100];

  for (guint i = 0; i < 100; i++)
    values[i] = 100 - i;          /* 100 … 1, unsorted on purpose */
  /* Nearest rank round(p × (n − 1)), as the service computes it. */
  g_assert_cmpfloat (brm_stats_percentile (values, 100, 0.5), ==, 51);
  g_assert_cmpfloat (brm_stats_percentile (values, 100, 0.95), ==, 95);
  g_assert_cmpfloat (brm_stats_percentile (values, 100, 0), ==, 1);
  g_assert_cmpfloat (brm_stats_percentile (values, 100, 1), ==, 100);
}

static void
test_anomaly (void)
{
  const double rates[] = { 0.04, 0.05, 0.03, 0.04, 0.06, 0.04, 0.34 };
  BrmStatsDeviation d;

  /* 34 % among days around 4 %: median 0.04, MAD 0.01 → 30 MADs. */
  g_assert_true (brm_stats_is_anomaly (rates, G_N_ELEMENTS (rates), 0.34, BRM_STATS_ANOMALY_THRESHOLD, &d));
  g_assert_cmpfloat_with_epsilon (d.median, 0.04, 1e-12);
  g_assert_cmpfloat_with_epsilon (d.mad, 0.01, 1e-12);
  g_assert_cmpfloat_with_epsilon (d.score, 30, 1e-9);
  g_assert_false (d.mad_was_zero);
  /* 6 % is 2 MADs: ordinary. Below the median counts as well (signed). */
  g_assert_false (brm_stats_is_anomaly (rates, G_N_ELEMENTS (rates), 0.06, 3, &d));
  g_assert_cmpfloat_with_epsilon (d.score, 2, 1e-9);
  g_assert_true (brm_stats_is_anomaly (rates, G_N_ELEMENTS (rates), -0.01, 3, &d));
  g_assert_cmpfloat (d.score, <, -3);
  g_assert_false (brm_stats_is_anomaly (rates, G_N_ELEMENTS (rates), NAN, 3, NULL));
}

static void
test_anomaly_threshold (void)
{
  const double exact[] = { 0, 1, 2, 3, 4 };
  BrmStatsDeviation d;

  /* Median 2, MAD 1: 5 is exactly 3 MADs, which is not beyond 3. */
  g_assert_false (brm_stats_is_anomaly (exact, 5, 5, 3, &d));
  g_assert_cmpfloat (d.score, ==, 3);
  g_assert_true (brm_stats_is_anomaly (exact, 5, 5.5, 3, &d));
  g_assert_true (brm_stats_is_anomaly (exact, 5, -1.5, 3, &d));
}

static void
test_anomaly_small_baseline (void)
{
  const double few[] = { 0.01, 0.02, 0.01, 0.9 };

  /* Four values say too little: nothing is flagged, however far. */
  g_assert_false (brm_stats_is_anomaly (few, G_N_ELEMENTS (few), 0.9, 3, NULL));
  g_assert_false (brm_stats_is_anomaly (NULL, 0, 1.0, 3, NULL));
}

static void
test_anomaly_mad_zero (void)
{
  const double all_equal[] = { 0, 0, 0, 0, 0, 0 };
  const double mostly_zero[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5 };
  const double two_steps[] = { 0, 0, 0, 0, 0, 0.1, 0.1, 0.1 };
  BrmStatsDeviation d;

  /* All equal: nothing deviates, nothing is flagged. */
  g_assert_false (brm_stats_is_anomaly (all_equal, G_N_ELEMENTS (all_equal), 0, 3, &d));
  g_assert_true (d.mad_was_zero);
  g_assert_cmpfloat (d.scale, ==, 0);

  /* Mostly 0 % and one 50 %: the MAD is 0, the fallback scale
   * (1.2533 × mean absolute deviation = 1.2533 × 0.05) flags it. */
  g_assert_true (brm_stats_is_anomaly (mostly_zero, G_N_ELEMENTS (mostly_zero), 0.5, 3, &d));
  g_assert_true (d.mad_was_zero);
  g_assert_cmpfloat_with_epsilon (d.scale, 1.2533 * 0.05, 1e-12);
  g_assert_cmpfloat_with_epsilon (d.score, 0.5 / (1.2533 * 0.05), 1e-9);
  /* … and the ordinary days are not. */
  g_assert_false (brm_stats_is_anomaly (mostly_zero, G_N_ELEMENTS (mostly_zero), 0, 3, NULL));

  /* A small step shared by several values is not an outlier either. */
  g_assert_false (brm_stats_is_anomaly (two_steps, G_N_ELEMENTS (two_steps), 0.1, 3, &d));
  g_assert_true (d.mad_was_zero);
}

static void
test_csv_quoting (void)
{
  const char *fields[] = { "plain", "a,b", "say \"hi\"", "two\nlines", "", NULL, "cr\rhere" };
  g_autoptr(GString) out = g_string_new (NULL);

  brm_csv_append_record (out, fields, G_N_ELEMENTS (fields));
  g_assert_cmpstr (out->str, ==, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,,\"cr\rhere\"\r\n");
}

static void
test_csv_round_trip (void)
{
  const char *header[] = { "name", "cost_usd" };
  const char *row1[] = { "Spring, \"hot\" leads\nsecond line", "12.5" };
  const char *row2[] = { "", "0" };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  char **r;

  brm_csv_append_record (out, header, 2);
  brm_csv_append_record (out, row1, 2);
  brm_csv_append_record (out, NULL, 0);
  brm_csv_append_record (out, row2, 2);

  records = brm_csv_parse (out->str, out->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 4);
  r = g_ptr_array_index (records, 0);
  g_assert_cmpuint (g_strv_length (r), ==, 2);
  g_assert_cmpstr (r[0], ==, "name");
  r = g_ptr_array_index (records, 1);
  g_assert_cmpstr (r[0], ==, row1[0]);
  g_assert_cmpstr (r[1], ==, "12.5");
  /* The empty line separating two tables is a record without fields. */
  r = g_ptr_array_index (records, 2);
  g_assert_cmpuint (g_strv_length (r), ==, 0);
  r = g_ptr_array_index (records, 3);
  g_assert_cmpuint (g_strv_length (r), ==, 2);
  g_assert_cmpstr (r[0], ==, "");
  g_assert_cmpstr (r[1], ==, "0");
}

static void
test_csv_parse_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ok = NULL;
  GPtrArray *records;

  records = brm_csv_parse ("a,\"open\r\n", -1, &error);
  g_assert_null (records);
  g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE);
  g_clear_error (&error);

  records = brm_csv_parse ("a,b\"c\r\n", -1, &error);
  g_assert_null (records);
  g_assert_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE);
  g_clear_error (&error);

  /* LF alone and a missing final line break are accepted. */
  ok = brm_csv_parse ("a,b\nc,d", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ok->len, ==, 2);
  g_assert_cmpstr (((char **) g_ptr_array_index (ok, 1))[1], ==, "d");
}

static void
test_csv_numbers_ignore_locale (void)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *gap = NULL;

  /* A locale with a decimal comma; the build machines may have none
   * installed (Debian's "locales" package builds them on demand). */
  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL &&
      setlocale (LC_NUMERIC, "fr_FR.UTF-8") == NULL)
    {
      g_test_skip ("no locale with a decimal comma is installed");
      return;
    }
  g_assert_cmpstr (localeconv ()->decimal_point, ==, ",");
  a = brm_csv_format_number (1234.5, 2);
  b = brm_csv_format_number (0.1, -1);
  c = brm_csv_format_number (-3, 0);
  gap = brm_csv_format_number (NAN, 2);
  setlocale (LC_NUMERIC, "C");

  g_assert_cmpstr (a, ==, "1234.50");
  g_assert_cmpstr (b, ==, "0.10000000000000001");
  g_assert_cmpfloat (g_ascii_strtod (b, NULL), ==, 0.1);
  g_assert_cmpstr (c, ==, "-3");
  g_assert_cmpstr (gap, ==, "");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/monitor/stats/median-empty-and-one", test_median_empty_and_one);
  g_test_add_func ("/monitor/stats/median-odd-even", test_median_odd_even);
  g_test_add_func ("/monitor/stats/percentile", test_percentile);
  g_test_add_func ("/monitor/stats/anomaly", test_anomaly);
  g_test_add_func ("/monitor/stats/anomaly-threshold", test_anomaly_threshold);
  g_test_add_func ("/monitor/stats/anomaly-small-baseline", test_anomaly_small_baseline);
  g_test_add_func ("/monitor/stats/anomaly-mad-zero", test_anomaly_mad_zero);
  g_test_add_func ("/monitor/csv/quoting", test_csv_quoting);
  g_test_add_func ("/monitor/csv/round-trip", test_csv_round_trip);
  g_test_add_func ("/monitor/csv/parse-errors", test_csv_parse_errors);
  g_test_add_func ("/monitor/csv/numbers-ignore-locale", test_csv_numbers_ignore_locale);

  return g_test_run ();
}
