/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "brm-batch-composer.h"
#include "brm-connection.h"
#include "brm-lead-browser.h"

G_BEGIN_DECLS

#define BRM_TYPE_NEW_BATCH_WINDOW (brm_new_batch_window_get_type ())

G_DECLARE_FINAL_TYPE (BrmNewBatchWindow, brm_new_batch_window, BRM, NEW_BATCH_WINDOW, AdwWindow)

/* Emits "batch-started" (BrBatch *batch) after POST /batch/start succeeded,
 * just before the window closes itself. */
BrmNewBatchWindow *brm_new_batch_window_new            (GtkWindow         *transient_for,
                                                        BrmConnection     *connection);
BrmConnection     *brm_new_batch_window_get_connection (BrmNewBatchWindow *self);
BrmBatchComposer  *brm_new_batch_window_get_composer   (BrmNewBatchWindow *self);
BrmLeadBrowser    *brm_new_batch_window_get_browser    (BrmNewBatchWindow *self);
void               brm_new_batch_window_reopen         (BrmNewBatchWindow *self);

G_END_DECLS
