/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "brm-chart.h"

G_BEGIN_DECLS

#define BRM_TYPE_TIME_CHART (brm_time_chart_get_type ())

G_DECLARE_FINAL_TYPE (BrmTimeChart, brm_time_chart, BRM, TIME_CHART, BrmChart)

BrmTimeChart *brm_time_chart_new (void);

typedef enum
{
  BRM_TIME_CHART_LINE,
  BRM_TIME_CHART_AREA,
} BrmTimeChartStyle;

#define BRM_TYPE_TIME_CHART_STYLE (brm_time_chart_style_get_type ())
GType brm_time_chart_style_get_type (void);

void              brm_time_chart_set_style  (BrmTimeChart      *self,
                                             BrmTimeChartStyle  style);
BrmTimeChartStyle brm_time_chart_get_style  (BrmTimeChart      *self);
/* 0 fits the data; otherwise the chart shows the last @seconds up to the
 * newest sample. */
void              brm_time_chart_set_window (BrmTimeChart      *self,
                                             double             seconds);
double            brm_time_chart_get_window (BrmTimeChart      *self);
/* The x the hover crosshair reads in the last drawn frame, NAN for none. */
double            brm_time_chart_get_hover_x (BrmTimeChart     *self);

G_END_DECLS
