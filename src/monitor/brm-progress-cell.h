/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BRM_TYPE_PROGRESS_CELL (brm_progress_cell_get_type ())

G_DECLARE_FINAL_TYPE (BrmProgressCell, brm_progress_cell, BRM, PROGRESS_CELL, GtkWidget)

GtkWidget      *brm_progress_cell_new      (void);
void            brm_progress_cell_set      (BrmProgressCell *self,
                                            double           percent,
                                            gint64           processed,
                                            gint64           total);
double          brm_progress_cell_get_percent (BrmProgressCell *self);
const char     *brm_progress_cell_get_text (BrmProgressCell *self);
GtkProgressBar *brm_progress_cell_get_bar  (BrmProgressCell *self);

G_END_DECLS
