/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <batchrunner.h>

#include "brm-lead-row.h"
#include "brm-lead-selection.h"

G_BEGIN_DECLS

#define BRM_TYPE_LEAD_PAGE_MODEL (brm_lead_page_model_get_type ())

G_DECLARE_FINAL_TYPE (BrmLeadPageModel, brm_lead_page_model, BRM, LEAD_PAGE_MODEL, GObject)

BrmLeadPageModel  *brm_lead_page_model_new                  (BrClient           *client,
                                                             BrmLeadSelection   *selection);
BrClient          *brm_lead_page_model_get_client           (BrmLeadPageModel   *self);
BrmLeadSelection  *brm_lead_page_model_get_selection        (BrmLeadPageModel   *self);
void               brm_lead_page_model_set_query            (BrmLeadPageModel   *self,
                                                             const char         *search,
                                                             const char         *source,
                                                             const char         *industry,
                                                             BrEnrichmentStatus  enrichment_status);
const char        *brm_lead_page_model_get_search           (BrmLeadPageModel   *self);
void               brm_lead_page_model_set_search           (BrmLeadPageModel   *self,
                                                             const char         *search);
void               brm_lead_page_model_reload               (BrmLeadPageModel   *self);
void               brm_lead_page_model_cancel               (BrmLeadPageModel   *self);
gint64             brm_lead_page_model_get_total            (BrmLeadPageModel   *self);
gboolean           brm_lead_page_model_get_loading          (BrmLeadPageModel   *self);
gboolean           brm_lead_page_model_get_busy             (BrmLeadPageModel   *self);
const char        *brm_lead_page_model_get_error            (BrmLeadPageModel   *self);
guint              brm_lead_page_model_get_page_size        (BrmLeadPageModel   *self);
BrLead            *brm_lead_page_model_get_lead             (BrmLeadPageModel   *self,
                                                             guint               position);
gboolean           brm_lead_page_model_select_all_matching  (BrmLeadPageModel   *self);
gboolean           brm_lead_page_model_toggle               (BrmLeadPageModel   *self,
                                                             guint               position);

G_END_DECLS
