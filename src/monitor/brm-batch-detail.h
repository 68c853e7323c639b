/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "brm-batch-charts.h"
#include "brm-connection.h"
#include "brm-lead-list.h"

G_BEGIN_DECLS

#define BRM_TYPE_BATCH_DETAIL (brm_batch_detail_get_type ())

G_DECLARE_FINAL_TYPE (BrmBatchDetail, brm_batch_detail, BRM, BATCH_DETAIL, GtkWidget)

/* The detail pane of one batch: status and actions, progress, counts,
 * timings, costs, errors by code, the per-lead results, recent activity
 * and the audit trail. The window puts it beside the table (AdwFlap) or
 * on a page of its own (AdwLeaflet) and installs the win.* actions its
 * buttons name. */
GtkWidget         *brm_batch_detail_new                  (void);
BrmConnection     *brm_batch_detail_get_connection       (BrmBatchDetail *self);
void               brm_batch_detail_set_connection       (BrmBatchDetail *self,
                                                          BrmConnection  *connection);
BrBatch           *brm_batch_detail_get_batch            (BrmBatchDetail *self);
void               brm_batch_detail_set_batch            (BrmBatchDetail *self,
                                                          BrBatch        *batch);
GPtrArray         *brm_batch_detail_dup_selected_leads   (BrmBatchDetail *self);
guint              brm_batch_detail_get_n_selected_leads (BrmBatchDetail *self);
BrmLeadList       *brm_batch_detail_get_lead_list        (BrmBatchDetail *self);
GtkSelectionModel *brm_batch_detail_get_lead_selection   (BrmBatchDetail *self);
void               brm_batch_detail_refresh              (BrmBatchDetail *self);
BrmBatchCharts    *brm_batch_detail_get_charts           (BrmBatchDetail *self);

G_END_DECLS
