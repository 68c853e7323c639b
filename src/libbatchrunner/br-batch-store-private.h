/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "br-batch-store.h"

G_BEGIN_DECLS

/* A snapshot in two halves, so that the first (decoding, the expensive
 * part) can run in a worker thread and only the second on the main
 * thread. */
GPtrArray *_br_batch_store_decode_snapshot        (JsonArray     *batches,
                                                   GError       **error);
void       _br_batch_store_apply_decoded_snapshot (BrBatchStore  *self,
                                                   GPtrArray     *decoded);

G_END_DECLS
