/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "brm-chart-series.h"

G_BEGIN_DECLS

/* Chart geometry and number formatting: pure GLib and libm, no GTK, so
 * the unit tests exercise it without a display. The chart widgets
 * (brm-chart.h) draw with it. */

/**
 * BrmChartUnit:
 * @BRM_CHART_UNIT_COUNT: a plain number ("312")
 * @BRM_CHART_UNIT_LEADS_PER_MINUTE: a rate ("42 leads/min")
 * @BRM_CHART_UNIT_USD: money ("$1,234.50")
 * @BRM_CHART_UNIT_MILLISECONDS: a duration ("850 ms", "1.2 s")
 * @BRM_CHART_UNIT_PERCENT: a percentage ("12.5 %")
 */
typedef enum
{
  BRM_CHART_UNIT_COUNT,
  BRM_CHART_UNIT_LEADS_PER_MINUTE,
  BRM_CHART_UNIT_USD,
  BRM_CHART_UNIT_MILLISECONDS,
  BRM_CHART_UNIT_PERCENT,
} BrmChartUnit;

/**
 * BrmChartXKind:
 * @BRM_CHART_X_TIME: x is Unix seconds (UTC), shown as local time
 * @BRM_CHART_X_DAY: x is the start of a day (Unix seconds), shown as a date
 * @BRM_CHART_X_HOUR: x is an hour of the day, 0–23
 */
typedef enum
{
  BRM_CHART_X_TIME,
  BRM_CHART_X_DAY,
  BRM_CHART_X_HOUR,
} BrmChartXKind;

/* A linear map from a data domain to pixels. A range may run backwards
 * (y grows downwards on screen). An empty domain maps to the range's
 * middle rather than dividing by zero. */
typedef struct
{
  double domain_min;
  double domain_max;
  double range_min;
  double range_max;
} BrmChartScale;

void    brm_chart_scale_init           (BrmChartScale       *scale,
                                        double               domain_min,
                                        double               domain_max,
                                        double               range_min,
                                        double               range_max);
double  brm_chart_scale_map            (const BrmChartScale *scale,
                                        double               value);
double  brm_chart_scale_invert         (const BrmChartScale *scale,
                                        double               pixel);

/* Nice ticks (1, 2 or 5 × 10^n) covering [@data_min, @data_max] with at
 * most about @max_ticks ticks. A single value is padded, all-zero data
 * shows 0..1, and when @data_min ≥ 0 the axis starts at 0 (a cost or a
 * count never gets a negative axis). Non-finite input gives 0..1.
 * Returns the tick values (double), first = *@axis_min, last = *@axis_max. */
GArray *brm_chart_nice_ticks           (double               data_min,
                                        double               data_max,
                                        guint                max_ticks,
                                        double              *axis_min,
                                        double              *axis_max,
                                        double              *step);

/* Ticks for a time axis (Unix seconds) at steps people read: 1, 5, 15,
 * 30 minutes, 1, 3, 6, 12 hours, days, weeks; aligned to the local
 * clock. At most @max_ticks ticks inside [@t_min, @t_max]. */
GArray *brm_chart_time_ticks           (double               t_min,
                                        double               t_max,
                                        guint                max_ticks,
                                        double              *step);

/* A run of consecutive non-gap samples: [start, end). */
typedef struct
{
  guint start;
  guint end;
} BrmChartSegment;

/* Splits @samples at gaps (y = NAN) into segments of BrmChartSegment. */
GArray *brm_chart_split_segments       (const BrmChartSample *samples,
                                        guint                 n_samples);

/* Per pixel column, keeps the first, lowest, highest and last sample (in
 * their order) of the samples between @x_min and @x_max, plus one sample
 * on each side so lines reach the edges; gaps are kept as one NAN sample.
 * A line drawn from the result looks the same as from every sample, at
 * most four points a column (the Sysprof way). @columns ≥ 1. */
GArray *brm_chart_decimate             (const BrmChartSample *samples,
                                        guint                 n_samples,
                                        double                x_min,
                                        double                x_max,
                                        guint                 columns);

/* Per pixel column of [@x_min, @x_max] (split into @columns), the lowest
 * and highest value of the samples in it, widened to reach the previous
 * column's last value (interpolated across empty columns) so the columns
 * join into a line; the sample just before @x_min leads the line in. A
 * gap (NAN) breaks the joining; a column without data gets NAN. @lo and
 * @hi hold @columns values. Drawing a thin rectangle per column from lo
 * to hi draws the line without stroking thousands of segments (the
 * Sysprof way). Returns how many columns have data. */
guint   brm_chart_column_spans         (const BrmChartSample *samples,
                                        guint                 n_samples,
                                        double                x_min,
                                        double                x_max,
                                        guint                 columns,
                                        double               *lo,
                                        double               *hi);

/* Inserts @separator between groups of digits of the integer part of
 * @number (digits, optional sign and fraction), following a C locale
 * @grouping string ("\3" = thousands). */
char   *brm_chart_group_digits         (const char          *number,
                                        const char          *separator,
                                        const char          *grouping);

/* A number with @decimals decimals and the locale's thousands separator. */
char   *brm_chart_format_number        (double               value,
                                        int                  decimals);

/* A value with its unit ("$1,234.50", "42 leads/min", "850 ms", "1.2 s",
 * "12.5 %"); "—" for a gap (NAN). */
char   *brm_chart_format_value         (BrmChartUnit         unit,
                                        double               value);

/* An axis label for a tick @step apart from its neighbours: as many
 * decimals as the step needs and no more ("$1,200", "0.5 %"). */
char   *brm_chart_format_tick          (BrmChartUnit         unit,
                                        double               value,
                                        double               step);

/* An x position as people read it: local "14:05" for time (with the day
 * when @span exceeds a day), "18 Nov" for a day, "14:00" for an hour. */
char   *brm_chart_format_x_value       (BrmChartXKind        kind,
                                        double               x,
                                        double               span);

/* "15 minutes", "2 hours", "3 days". */
char   *brm_chart_format_duration      (double               seconds);

G_END_DECLS
