/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <batchrunner.h>

G_BEGIN_DECLS

#define BRM_TYPE_LEAD_ROW (brm_lead_row_get_type ())

G_DECLARE_FINAL_TYPE (BrmLeadRow, brm_lead_row, BRM, LEAD_ROW, GObject)

BrmLeadRow *brm_lead_row_new          (guint       position);
guint       brm_lead_row_get_position (BrmLeadRow *self);
BrLead     *brm_lead_row_get_lead     (BrmLeadRow *self);
void        brm_lead_row_set_lead     (BrmLeadRow *self,
                                       BrLead     *lead);

G_END_DECLS
