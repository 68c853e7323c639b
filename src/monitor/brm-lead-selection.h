/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <batchrunner.h>

G_BEGIN_DECLS

/* The service refuses a preview or a batch of more leads than this
 * (MAX_PREVIEW in src/daemon/brd-api.c, "lead_ids[1..1000]" in API.md). */
#define BRM_MAX_LEADS_PER_BATCH 1000

#define BRM_TYPE_LEAD_SELECTION (brm_lead_selection_get_type ())

G_DECLARE_FINAL_TYPE (BrmLeadSelection, brm_lead_selection, BRM, LEAD_SELECTION, GObject)

BrmLeadSelection   *brm_lead_selection_new             (guint               limit);
guint               brm_lead_selection_get_limit       (BrmLeadSelection   *self);
guint               brm_lead_selection_get_n_selected  (BrmLeadSelection   *self);
guint               brm_lead_selection_get_n_in_active_batch (BrmLeadSelection *self);
gboolean            brm_lead_selection_contains        (BrmLeadSelection   *self,
                                                        const char         *id);
gboolean            brm_lead_selection_add             (BrmLeadSelection   *self,
                                                        const char         *id,
                                                        BrLead             *lead);
gboolean            brm_lead_selection_add_many        (BrmLeadSelection   *self,
                                                        GPtrArray          *leads);
gboolean            brm_lead_selection_add_ids         (BrmLeadSelection   *self,
                                                        const char * const *ids);
gboolean            brm_lead_selection_remove          (BrmLeadSelection   *self,
                                                        const char         *id);
guint               brm_lead_selection_remove_many     (BrmLeadSelection   *self,
                                                        const char * const *ids);
void                brm_lead_selection_clear           (BrmLeadSelection   *self);
void                brm_lead_selection_set_ids         (BrmLeadSelection   *self,
                                                        const char * const *ids);
const char * const *brm_lead_selection_get_ids         (BrmLeadSelection   *self);
BrLead             *brm_lead_selection_get_lead        (BrmLeadSelection   *self,
                                                        const char         *id);
char               *brm_lead_selection_dup_fingerprint (BrmLeadSelection   *self);
const char         *brm_lead_selection_get_refusal     (BrmLeadSelection   *self);
void                brm_lead_selection_refuse          (BrmLeadSelection   *self,
                                                        guint               would_be);
void                brm_lead_selection_clear_refusal   (BrmLeadSelection   *self);

G_END_DECLS
