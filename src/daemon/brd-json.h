/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "brd-store.h"

G_BEGIN_DECLS

/* Wire forms of the store's records (API.md, "Objects"). */

/* The API profile the process serves (one service per process): the base
 * path batches' websocket_url starts with, and whether Batch objects keep
 * only the FastAPI service's fields (`--compat=base`). Set once by the
 * API before it serves anything; "/api/v1" and every field otherwise. */
void      brd_json_set_profile        (const char          *api_base,
                                       gboolean             base_fields_only);
const char *brd_json_get_api_base     (void);

double    brd_batch_progress          (const BrdBatch      *batch);
double    brd_batch_rate              (const BrdBatch      *batch,
                                       gint64               now);
JsonNode *brd_batch_to_json           (const BrdBatch      *batch,
                                       gint64               seq,
                                       gint64               now);
JsonNode *brd_lead_result_to_json     (const BrdLeadResult *result);
char     *brd_json_to_string          (JsonNode            *node);
JsonNode *brd_json_parse              (const char          *data,
                                       gsize                len,
                                       GError             **error);

/* Builder shorthands. */
void      brd_json_add_string         (JsonBuilder         *b,
                                       const char          *name,
                                       const char          *value);
void      brd_json_add_time           (JsonBuilder         *b,
                                       const char          *name,
                                       gint64               unix_usec);
void      brd_json_add_int            (JsonBuilder         *b,
                                       const char          *name,
                                       gint64               value);
void      brd_json_add_double         (JsonBuilder         *b,
                                       const char          *name,
                                       double               value);
void      brd_json_add_money          (JsonBuilder         *b,
                                       const char          *name,
                                       double               usd);
void      brd_json_add_bool           (JsonBuilder         *b,
                                       const char          *name,
                                       gboolean             value);

G_END_DECLS
