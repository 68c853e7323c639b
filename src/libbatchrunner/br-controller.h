/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include "br-batch-store.h"
#include "br-client.h"
#include "br-live-feed.h"

G_BEGIN_DECLS

#define BR_TYPE_CONTROLLER (br_controller_get_type ())

G_DECLARE_FINAL_TYPE (BrController, br_controller, BR, CONTROLLER, GObject)

BrController *br_controller_new           (BrClient            *client,
                                           BrBatchStore        *store,
                                           BrLiveFeed          *feed);
void          br_controller_run_async     (BrController        *self,
                                           BrCommand            command,
                                           const char          *batch_id,
                                           const char * const  *lead_ids,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
BrBatch      *br_controller_run_finish    (BrController        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
guint         br_controller_get_n_queued  (BrController        *self);
guint         br_controller_get_expiry    (BrController        *self);
void          br_controller_set_expiry    (BrController        *self,
                                           guint                expiry_ms);

G_END_DECLS
