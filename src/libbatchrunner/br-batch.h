/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "br-enums.h"

G_BEGIN_DECLS

#define BR_TYPE_BATCH (br_batch_get_type ())

G_DECLARE_FINAL_TYPE (BrBatch, br_batch, BR, BATCH, GObject)

BrBatch       *br_batch_new_from_json          (JsonObject   *obj,
                                                GError      **error);
gboolean       br_batch_update_from_json       (BrBatch      *self,
                                                JsonObject   *obj,
                                                GError      **error);
void           br_batch_update_from_batch      (BrBatch      *self,
                                                BrBatch      *other);
JsonNode      *br_batch_to_json                (BrBatch      *self);

const char    *br_batch_get_id                 (BrBatch      *self);
const char    *br_batch_get_name               (BrBatch      *self);
const char    *br_batch_get_description        (BrBatch      *self);
BrBatchStatus  br_batch_get_status             (BrBatch      *self);
gint64         br_batch_get_total_leads        (BrBatch      *self);
gint64         br_batch_get_processed_leads    (BrBatch      *self);
gint64         br_batch_get_successful_leads   (BrBatch      *self);
gint64         br_batch_get_failed_leads       (BrBatch      *self);
gint64         br_batch_get_skipped_leads      (BrBatch      *self);
double         br_batch_get_progress_percentage(BrBatch      *self);
double         br_batch_get_estimated_cost_usd (BrBatch      *self);
double         br_batch_get_actual_cost_usd    (BrBatch      *self);
const char    *br_batch_get_template_version   (BrBatch      *self);
gint64         br_batch_get_created_at         (BrBatch      *self);
gint64         br_batch_get_started_at         (BrBatch      *self);
gint64         br_batch_get_completed_at       (BrBatch      *self);
const char    *br_batch_get_created_by         (BrBatch      *self);
const char    *br_batch_get_error_message      (BrBatch      *self);
double         br_batch_get_rate               (BrBatch      *self);
gint64         br_batch_get_eta_seconds        (BrBatch      *self);
gint64         br_batch_get_seq                (BrBatch      *self);
gint64         br_batch_get_max_concurrent     (BrBatch      *self);
const char    *br_batch_get_pending_action     (BrBatch      *self);
void           br_batch_set_pending_action     (BrBatch      *self,
                                                const char   *action);
gboolean       br_batch_is_terminal            (BrBatch      *self);

G_END_DECLS
