/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "br-batch.h"

G_BEGIN_DECLS

#define BR_TYPE_BATCH_STORE (br_batch_store_get_type ())

G_DECLARE_FINAL_TYPE (BrBatchStore, br_batch_store, BR, BATCH_STORE, GObject)

BrBatchStore *br_batch_store_new                 (void);
BrBatch      *br_batch_store_lookup              (BrBatchStore *self,
                                                  const char   *id);
gboolean      br_batch_store_apply_snapshot      (BrBatchStore *self,
                                                  JsonArray    *batches,
                                                  GError      **error);
gboolean      br_batch_store_queue_update        (BrBatchStore *self,
                                                  JsonObject   *batch,
                                                  GError      **error);
void          br_batch_store_upsert              (BrBatchStore *self,
                                                  BrBatch      *batch);
gboolean      br_batch_store_remove              (BrBatchStore *self,
                                                  const char   *id);
void          br_batch_store_flush               (BrBatchStore *self);
gboolean      br_batch_store_flush_budget        (BrBatchStore *self,
                                                  gint64        max_us);
gboolean      br_batch_store_get_has_queued      (BrBatchStore *self);
guint         br_batch_store_get_n_queued        (BrBatchStore *self);
guint         br_batch_store_get_tick_interval   (BrBatchStore *self);
void          br_batch_store_set_tick_interval   (BrBatchStore *self,
                                                  guint         interval_ms);
guint         br_batch_store_get_n_running       (BrBatchStore *self);
guint         br_batch_store_get_n_pending       (BrBatchStore *self);
guint         br_batch_store_get_n_paused        (BrBatchStore *self);
guint         br_batch_store_get_n_failed_today  (BrBatchStore *self);
double        br_batch_store_get_leads_per_minute(BrBatchStore *self);
double        br_batch_store_get_spent_today     (BrBatchStore *self);
void          br_batch_store_set_spent_today     (BrBatchStore *self,
                                                  double        usd);
double        br_batch_store_get_daily_budget    (BrBatchStore *self);
void          br_batch_store_set_daily_budget    (BrBatchStore *self,
                                                  double        usd);

G_END_DECLS
