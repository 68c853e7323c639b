/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "brm-chart.h"

G_BEGIN_DECLS

#define BRM_TYPE_BAR_CHART (brm_bar_chart_get_type ())

G_DECLARE_FINAL_TYPE (BrmBarChart, brm_bar_chart, BRM, BAR_CHART, BrmChart)

BrmBarChart *brm_bar_chart_new (void);

G_END_DECLS
