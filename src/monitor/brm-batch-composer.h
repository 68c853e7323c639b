/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <batchrunner.h>

#include "brm-draft.h"

G_BEGIN_DECLS

#define BRM_TYPE_BATCH_COMPOSER (brm_batch_composer_get_type ())

G_DECLARE_FINAL_TYPE (BrmBatchComposer, brm_batch_composer, BRM, BATCH_COMPOSER, GObject)

BrmBatchComposer *brm_batch_composer_new                   (BrClient          *client,
                                                            BrmDraft          *draft);
BrClient         *brm_batch_composer_get_client            (BrmBatchComposer  *self);
BrmDraft         *brm_batch_composer_get_draft             (BrmBatchComposer  *self);
void              brm_batch_composer_refresh               (BrmBatchComposer  *self);
void              brm_batch_composer_cancel                (BrmBatchComposer  *self);
BrHealth         *brm_batch_composer_get_health            (BrmBatchComposer  *self);
gboolean          brm_batch_composer_get_leads_supported   (BrmBatchComposer  *self);
gboolean          brm_batch_composer_get_templates_supported (BrmBatchComposer *self);
GListModel       *brm_batch_composer_get_templates         (BrmBatchComposer  *self);
BrTemplate       *brm_batch_composer_find_template         (BrmBatchComposer  *self,
                                                            const char        *version);
gboolean          brm_batch_composer_choose_template       (BrmBatchComposer  *self,
                                                            const char        *version);
const char       *brm_batch_composer_get_template_note     (BrmBatchComposer  *self);
guint             brm_batch_composer_get_preview_delay     (BrmBatchComposer  *self);
void              brm_batch_composer_set_preview_delay     (BrmBatchComposer  *self,
                                                            guint              delay_ms);
BrPreview        *brm_batch_composer_get_preview           (BrmBatchComposer  *self);
gboolean          brm_batch_composer_get_preview_current   (BrmBatchComposer  *self);
gboolean          brm_batch_composer_get_updating          (BrmBatchComposer  *self);
const char       *brm_batch_composer_get_preview_error     (BrmBatchComposer  *self);
void              brm_batch_composer_update_preview        (BrmBatchComposer  *self);
gboolean          brm_batch_composer_get_approved          (BrmBatchComposer  *self);
double            brm_batch_composer_get_approved_total    (BrmBatchComposer  *self);
gboolean          brm_batch_composer_get_can_approve       (BrmBatchComposer  *self);
gboolean          brm_batch_composer_approve               (BrmBatchComposer  *self);
void              brm_batch_composer_withdraw_approval     (BrmBatchComposer  *self);
const char       *brm_batch_composer_get_approval_note     (BrmBatchComposer  *self);
const char       *brm_batch_composer_get_start_blocker     (BrmBatchComposer  *self);
gboolean          brm_batch_composer_get_starting          (BrmBatchComposer  *self);
const char       *brm_batch_composer_get_start_error       (BrmBatchComposer  *self);
guint             brm_batch_composer_remove_invalid_leads  (BrmBatchComposer  *self);
void              brm_batch_composer_start_async           (BrmBatchComposer  *self,
                                                            GCancellable      *cancellable,
                                                            GAsyncReadyCallback callback,
                                                            gpointer           user_data);
BrBatch          *brm_batch_composer_start_finish          (BrmBatchComposer  *self,
                                                            GAsyncResult      *result,
                                                            GError           **error);

G_END_DECLS
