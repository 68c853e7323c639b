/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#define BR_INSIDE
# include "br-analytics.h"
# include "br-batch.h"
# include "br-batch-store.h"
# include "br-controller.h"
# include "br-client.h"
# include "br-daily-stat.h"
# include "br-enums.h"
# include "br-error.h"
# include "br-error-stat.h"
# include "br-health.h"
# include "br-lead.h"
# include "br-lead-result.h"
# include "br-live-feed.h"
# include "br-preview.h"
# include "br-provider-cost.h"
# include "br-template.h"
# include "br-enum-types.h"
# include "br-version.h"
#undef BR_INSIDE
