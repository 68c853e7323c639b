/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#define BR_INSIDE
# include "br-batch.h"
# include "br-batch-store.h"
# include "br-enums.h"
# include "br-error.h"
# include "br-live-feed.h"
# include "br-enum-types.h"
# include "br-version.h"
#undef BR_INSIDE
