/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * BrmChartSample:
 * @x: position on the x axis; for time series, seconds since the Unix
 *   epoch (UTC), for daily series the start of the day
 * @y: the value; NAN marks a gap (no data), which charts draw as a break
 *
 * One point of a #BrmChartSeries, stored packed.
 */
typedef struct
{
  double x;
  double y;
} BrmChartSample;

#define BRM_TYPE_CHART_POINT (brm_chart_point_get_type ())

G_DECLARE_FINAL_TYPE (BrmChartPoint, brm_chart_point, BRM, CHART_POINT, GObject)

double brm_chart_point_get_x (BrmChartPoint *self);
double brm_chart_point_get_y (BrmChartPoint *self);

#define BRM_TYPE_CHART_SERIES (brm_chart_series_get_type ())

G_DECLARE_FINAL_TYPE (BrmChartSeries, brm_chart_series, BRM, CHART_SERIES, GObject)

BrmChartSeries       *brm_chart_series_new           (const char           *id,
                                                      const char           *label);
const char           *brm_chart_series_get_id        (BrmChartSeries       *self);
const char           *brm_chart_series_get_label     (BrmChartSeries       *self);
void                  brm_chart_series_set_label     (BrmChartSeries       *self,
                                                      const char           *label);
guint                 brm_chart_series_get_n_samples (BrmChartSeries       *self);
const BrmChartSample *brm_chart_series_peek_samples  (BrmChartSeries       *self,
                                                      guint                *n_samples);
gboolean              brm_chart_series_get_last      (BrmChartSeries       *self,
                                                      BrmChartSample       *last);
void                  brm_chart_series_append        (BrmChartSeries       *self,
                                                      double                x,
                                                      double                y);
void                  brm_chart_series_set_samples   (BrmChartSeries       *self,
                                                      const BrmChartSample *samples,
                                                      guint                 n_samples);
void                  brm_chart_series_clear         (BrmChartSeries       *self);
guint                 brm_chart_series_trim_before   (BrmChartSeries       *self,
                                                      double                x);
gboolean              brm_chart_series_get_extents   (BrmChartSeries       *self,
                                                      double               *x_min,
                                                      double               *x_max,
                                                      double               *y_min,
                                                      double               *y_max);
guint                 brm_chart_series_find          (BrmChartSeries       *self,
                                                      double                x);

G_END_DECLS
