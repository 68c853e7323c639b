/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "brm-analytics-model.h"
#include "brm-connection.h"

G_BEGIN_DECLS

#define BRM_TYPE_ANALYTICS_PAGE (brm_analytics_page_get_type ())

G_DECLARE_FINAL_TYPE (BrmAnalyticsPage, brm_analytics_page, BRM, ANALYTICS_PAGE, GtkWidget)

GtkWidget         *brm_analytics_page_new             (void);
BrmConnection     *brm_analytics_page_get_connection  (BrmAnalyticsPage *self);
void               brm_analytics_page_set_connection  (BrmAnalyticsPage *self,
                                                       BrmConnection    *connection);
BrmAnalyticsModel *brm_analytics_page_get_model       (BrmAnalyticsPage *self);
/* "loading", "error", "empty" or "content" */
const char        *brm_analytics_page_get_view        (BrmAnalyticsPage *self);
const char        *brm_analytics_page_get_status_text (BrmAnalyticsPage *self);
const char        *brm_analytics_page_get_totals_text (BrmAnalyticsPage *self);
/* What the export button does after the file chooser: writes the CSV to
 * @file without blocking, then says how it went (toast and status text). */
void               brm_analytics_page_export_to_file  (BrmAnalyticsPage *self,
                                                       GFile            *file);
guint              brm_analytics_page_get_n_exports   (BrmAnalyticsPage *self);

G_END_DECLS
