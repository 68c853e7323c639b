/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-stats"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "brm-stats.h"

/* The MAD of a normal distribution is 0.6745 σ and its mean absolute
 * deviation 0.7979 σ; 0.7979 / 0.6745 = 1.2533 puts the fallback below on
 * the MAD's scale (the "modified z-score" convention). */
#define MEAN_AD_TO_MAD 1.2533

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* A sorted copy without the NANs; returns how many are left. */
static double *
sorted_copy (const double *values,
             gsize         n_values,
             gsize        *n_out)
{
  double *copy = g_new (double, MAX (n_values, 1));
  gsize n = 0;

  for (gsize i = 0; i < n_values; i++)
    if (!isnan (values[i]))
      copy[n++] = values[i];
  qsort (copy, n, sizeof (double), compare_doubles);
  *n_out = n;
  return copy;
}

static double
median_of_sorted (const double *sorted,
                  gsize         n)
{
  if (n == 0)
    return NAN;
  if (n % 2 == 1)
    return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

/**
 * brm_stats_median:
 *
 * The median of the non-NAN @values (the mean of the middle two for an
 * even count); NAN when there is none.
 */
double
brm_stats_median (const double *values,
                  gsize         n_values)
{
  g_autofree double *sorted = NULL;
  gsize n;

  g_return_val_if_fail (values != NULL || n_values == 0, NAN);

  sorted = sorted_copy (values, n_values, &n);
  return median_of_sorted (sorted, n);
}

/**
 * brm_stats_mad:
 *
 * The median absolute deviation from the median of the non-NAN @values,
 * unscaled; NAN when there is none.
 */
double
brm_stats_mad (const double *values,
               gsize         n_values)
{
  g_autofree double *sorted = NULL;
  double median;
  gsize n;

  g_return_val_if_fail (values != NULL || n_values == 0, NAN);

  sorted = sorted_copy (values, n_values, &n);
  if (n == 0)
    return NAN;
  median = median_of_sorted (sorted, n);
  for (gsize i = 0; i < n; i++)
    sorted[i] = fabs (sorted[i] - median);
  qsort (sorted, n, sizeof (double), compare_doubles);
  return median_of_sorted (sorted, n);
}

/**
 * brm_stats_percentile:
 * @fraction: 0 … 1
 *
 * The nearest-rank percentile of the non-NAN @values, the way the service
 * computes its p50/p95 (rank round(fraction × (n − 1))); NAN when empty.
 */
double
brm_stats_percentile (const double *values,
                      gsize         n_values,
                      double        fraction)
{
  g_autofree double *sorted = NULL;
  gsize n, rank;

  g_return_val_if_fail (values != NULL || n_values == 0, NAN);
  g_return_val_if_fail (fraction >= 0 && fraction <= 1, NAN);

  sorted = sorted_copy (values, n_values, &n);
  if (n == 0)
    return NAN;
  rank = (gsize) floor (fraction * (double) (n - 1) + 0.5);
  return sorted[MIN (rank, n - 1)];
}

/**
 * brm_stats_is_anomaly:
 * @baseline: the values @value is compared with (it may be one of them)
 * @threshold: how many MADs count as an anomaly (BRM_STATS_ANOMALY_THRESHOLD)
 * @out: (out) (optional): the median, MAD and score
 *
 * Whether @value sits more than @threshold MADs from the median of
 * @baseline. With fewer than BRM_STATS_MIN_BASELINE values nothing is an
 * anomaly, nor is a NAN value.
 *
 * When the MAD is 0 (more than half of the baseline is one value, common
 * for failure rates that are mostly 0 %), dividing by it would flag any
 * difference at all. We then use the mean absolute deviation from the
 * median × 1.2533 as the scale, which is non-zero as soon as any value
 * differs; when it is 0 too, every value equals the median and nothing is
 * flagged.
 */
gboolean
brm_stats_is_anomaly (const double      *baseline,
                      gsize              n_baseline,
                      double             value,
                      double             threshold,
                      BrmStatsDeviation *out)
{
  g_autofree double *sorted = NULL;
  BrmStatsDeviation d = { NAN, NAN, 0, 0, FALSE };
  gsize n;

  g_return_val_if_fail (baseline != NULL || n_baseline == 0, FALSE);

  sorted = sorted_copy (baseline, n_baseline, &n);
  if (n > 0)
    {
      double sum = 0;

      d.median = median_of_sorted (sorted, n);
      d.mad = brm_stats_mad (sorted, n);
      d.scale = d.mad;
      if (d.mad == 0)
        {
          for (gsize i = 0; i < n; i++)
            sum += fabs (sorted[i] - d.median);
          d.mad_was_zero = TRUE;
          d.scale = MEAN_AD_TO_MAD * sum / (double) n;
        }
      if (d.scale > 0 && !isnan (value))
        d.score = (value - d.median) / d.scale;
    }

  if (out != NULL)
    *out = d;

  return n >= BRM_STATS_MIN_BASELINE && !isnan (value) && d.scale > 0 &&
         fabs (d.score) > threshold;
}
