/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "brm-chart.h"

G_BEGIN_DECLS

#define BRM_TYPE_SPARKLINE (brm_sparkline_get_type ())

G_DECLARE_FINAL_TYPE (BrmSparkline, brm_sparkline, BRM, SPARKLINE, BrmChart)

BrmSparkline *brm_sparkline_new (void);

G_END_DECLS
