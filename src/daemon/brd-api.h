/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "brd-config.h"
#include "brd-engine.h"
#include "brd-events.h"
#include "brd-pricing.h"
#include "brd-store.h"

G_BEGIN_DECLS

/* The HTTP + WebSocket face of the service (API.md): authentication,
 * routing, validation, and the JSON of every endpoint. */
typedef struct _BrdApi BrdApi;

BrdApi   *brd_api_new          (BrdConfig  *config,
                                SoupServer *server,
                                BrdStore   *store,
                                BrdEngine  *engine,
                                BrdEvents  *events,
                                BrdPricing *pricing);
void      brd_api_free         (BrdApi     *self);
JsonNode *brd_api_health       (BrdApi     *self);

G_END_DECLS
