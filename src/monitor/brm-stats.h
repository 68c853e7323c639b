/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Robust statistics for the analytics page: pure functions over arrays of
 * doubles, no GObject, so they are unit-tested without a display. NAN
 * values in the input are skipped everywhere (a day without processed
 * leads has no failure rate). */

/* Fewer values than this and nothing is called an anomaly: with three or
 * four points the median and MAD say little. */
#define BRM_STATS_MIN_BASELINE 5

/* How many MADs from the median make an anomaly. */
#define BRM_STATS_ANOMALY_THRESHOLD 3.0

double   brm_stats_median      (const double *values,
                                gsize         n_values);
double   brm_stats_mad         (const double *values,
                                gsize         n_values);
double   brm_stats_percentile  (const double *values,
                                gsize         n_values,
                                double        fraction);

typedef struct
{
  double   median;   /* of the baseline */
  double   mad;      /* median absolute deviation of the baseline (raw, not scaled) */
  double   scale;    /* what the score divides by: the MAD, or the fallback when it is 0 */
  double   score;    /* (value - median) / scale, signed; 0 when scale is 0 */
  gboolean mad_was_zero;
} BrmStatsDeviation;

gboolean brm_stats_is_anomaly  (const double      *baseline,
                                gsize              n_baseline,
                                double             value,
                                double             threshold,
                                BrmStatsDeviation *out);

G_END_DECLS
