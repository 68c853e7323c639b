/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BRM_TYPE_STATUS_CELL (brm_status_cell_get_type ())

G_DECLARE_FINAL_TYPE (BrmStatusCell, brm_status_cell, BRM, STATUS_CELL, GtkWidget)

GtkWidget  *brm_status_cell_new             (int            width_chars);
void        brm_status_cell_set             (BrmStatusCell *self,
                                             const char    *icon_name,
                                             const char    *text);
const char *brm_status_cell_get_text        (BrmStatusCell *self);
const char *brm_status_cell_get_icon_name   (BrmStatusCell *self);
int         brm_status_cell_get_width_chars (BrmStatusCell *self);

G_END_DECLS
