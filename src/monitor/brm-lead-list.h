/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <batchrunner.h>

G_BEGIN_DECLS

#define BRM_TYPE_LEAD_LIST (brm_lead_list_get_type ())

G_DECLARE_FINAL_TYPE (BrmLeadList, brm_lead_list, BRM, LEAD_LIST, GObject)

/* The per-lead results of one batch as a #GListModel of #BrLeadResult,
 * loaded page by page from `GET /batch/{id}/leads` and kept current by
 * brm_lead_list_apply_update() (the live feed's lead updates). */
BrmLeadList  *brm_lead_list_new             (BrClient     *client,
                                             const char   *batch_id);
BrClient     *brm_lead_list_get_client      (BrmLeadList  *self);
void          brm_lead_list_set_client      (BrmLeadList  *self,
                                             BrClient     *client);
const char   *brm_lead_list_get_batch_id    (BrmLeadList  *self);
void          brm_lead_list_set_batch_id    (BrmLeadList  *self,
                                             const char   *batch_id);
BrLeadStatus  brm_lead_list_get_status      (BrmLeadList  *self);
void          brm_lead_list_set_status      (BrmLeadList  *self,
                                             BrLeadStatus  status);
guint         brm_lead_list_get_page_size   (BrmLeadList  *self);
void          brm_lead_list_set_page_size   (BrmLeadList  *self,
                                             guint         page_size);
gint64        brm_lead_list_get_total_count (BrmLeadList  *self);
gboolean      brm_lead_list_get_loading     (BrmLeadList  *self);
gboolean      brm_lead_list_get_has_more    (BrmLeadList  *self);
const GError *brm_lead_list_get_error       (BrmLeadList  *self);
void          brm_lead_list_reload          (BrmLeadList  *self);
void          brm_lead_list_load_more       (BrmLeadList  *self);
BrLeadResult *brm_lead_list_lookup          (BrmLeadList  *self,
                                             const char   *lead_id);
gboolean      brm_lead_list_apply_update    (BrmLeadList  *self,
                                             JsonObject   *result);

G_END_DECLS
