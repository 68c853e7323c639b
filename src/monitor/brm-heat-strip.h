/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "brm-chart.h"

G_BEGIN_DECLS

#define BRM_TYPE_HEAT_STRIP (brm_heat_strip_get_type ())

G_DECLARE_FINAL_TYPE (BrmHeatStrip, brm_heat_strip, BRM, HEAT_STRIP, BrmChart)

BrmHeatStrip *brm_heat_strip_new (void);

G_END_DECLS
