/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "brm-application.h"
#include "brm-connection.h"
#include "brm-live-metrics.h"

G_BEGIN_DECLS

#define BRM_TYPE_WINDOW (brm_window_get_type ())

G_DECLARE_FINAL_TYPE (BrmWindow, brm_window, BRM, WINDOW, AdwApplicationWindow)

BrmWindow     *brm_window_new                 (BrmApplication *application);
BrmConnection *brm_window_get_connection      (BrmWindow      *self);
void           brm_window_set_connection      (BrmWindow      *self,
                                               BrmConnection  *connection);
void           brm_window_set_status_message  (BrmWindow      *self,
                                               const char     *message);
gboolean       brm_window_show_batch          (BrmWindow      *self,
                                               const char     *batch_id);
const char    *brm_window_get_connection_text (BrmWindow      *self);
GtkWidget     *brm_window_get_table           (BrmWindow      *self);
GtkWidget     *brm_window_get_detail          (BrmWindow      *self);
GtkWidget     *brm_window_get_health_page     (BrmWindow      *self);
GtkWidget     *brm_window_get_live_charts     (BrmWindow      *self);
/* The sampler behind the live charts; NULL without a connection. */
BrmLiveMetrics *brm_window_get_live_metrics   (BrmWindow      *self);
AdwMessageDialog *brm_window_get_dialog       (BrmWindow      *self);
char          *brm_window_dup_summary_text    (BrmWindow      *self);

G_END_DECLS
