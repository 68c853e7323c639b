/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <batchrunner.h>

G_BEGIN_DECLS

#define BRM_TYPE_BATCH_TABLE (brm_batch_table_get_type ())

G_DECLARE_FINAL_TYPE (BrmBatchTable, brm_batch_table, BRM, BATCH_TABLE, GtkWidget)

GtkWidget         *brm_batch_table_new                 (void);

GListModel        *brm_batch_table_get_model           (BrmBatchTable *self);
void               brm_batch_table_set_model           (BrmBatchTable *self,
                                                        GListModel    *model);
GSettings         *brm_batch_table_get_settings        (BrmBatchTable *self);
void               brm_batch_table_set_settings        (BrmBatchTable *self,
                                                        GSettings     *settings);

GtkSelectionModel *brm_batch_table_get_selection       (BrmBatchTable *self);
GPtrArray         *brm_batch_table_dup_selected        (BrmBatchTable *self);
guint              brm_batch_table_get_n_selected      (BrmBatchTable *self);
gboolean           brm_batch_table_select_batch        (BrmBatchTable *self,
                                                        const char    *batch_id);

void               brm_batch_table_focus_search        (BrmBatchTable *self);
const char        *brm_batch_table_get_search_text     (BrmBatchTable *self);
void               brm_batch_table_set_search_text     (BrmBatchTable *self,
                                                        const char    *text);
int                brm_batch_table_get_status_filter   (BrmBatchTable *self);
void               brm_batch_table_set_status_filter   (BrmBatchTable *self,
                                                        int            status);
const char        *brm_batch_table_get_template_filter (BrmBatchTable *self);
void               brm_batch_table_set_template_filter (BrmBatchTable *self,
                                                        const char    *template_version);
void               brm_batch_table_clear_filters       (BrmBatchTable *self);
void               brm_batch_table_set_id_filter       (BrmBatchTable      *self,
                                                        const char * const *ids,
                                                        const char         *text);
const char        *brm_batch_table_get_id_filter_text  (BrmBatchTable *self);
guint              brm_batch_table_get_n_visible       (BrmBatchTable *self);

gboolean           brm_batch_table_get_stale           (BrmBatchTable *self);
void               brm_batch_table_set_stale           (BrmBatchTable *self,
                                                        gboolean       stale);

void               brm_batch_table_sort_by             (BrmBatchTable *self,
                                                        const char    *column_id,
                                                        gboolean       descending);
const char        *brm_batch_table_get_sort_column     (BrmBatchTable *self,
                                                        gboolean      *descending);

char             **brm_batch_table_dup_column_order    (BrmBatchTable *self);
gboolean           brm_batch_table_get_column_visible  (BrmBatchTable *self,
                                                        const char    *column_id);
void               brm_batch_table_set_column_visible  (BrmBatchTable *self,
                                                        const char    *column_id,
                                                        gboolean       visible);

G_END_DECLS
