/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <batchrunner.h>

#include "brm-lead-import.h"
#include "brm-lead-page-model.h"
#include "brm-lead-selection.h"

G_BEGIN_DECLS

#define BRM_TYPE_LEAD_BROWSER (brm_lead_browser_get_type ())

G_DECLARE_FINAL_TYPE (BrmLeadBrowser, brm_lead_browser, BRM, LEAD_BROWSER, GtkWidget)

GtkWidget        *brm_lead_browser_new              (BrClient         *client,
                                                     BrmLeadSelection *selection,
                                                     BrBatchStore     *store);
BrmLeadPageModel *brm_lead_browser_get_model        (BrmLeadBrowser   *self);
GtkColumnView    *brm_lead_browser_get_column_view  (BrmLeadBrowser   *self);
GtkWidget        *brm_lead_browser_get_search_entry (BrmLeadBrowser   *self);
void              brm_lead_browser_set_supported    (BrmLeadBrowser   *self,
                                                     gboolean          supported);
void              brm_lead_browser_start            (BrmLeadBrowser   *self);
void              brm_lead_browser_import_file      (BrmLeadBrowser   *self,
                                                     GFile            *file);
void              brm_lead_browser_focus_search     (BrmLeadBrowser   *self);

G_END_DECLS
