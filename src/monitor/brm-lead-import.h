/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <batchrunner.h>

G_BEGIN_DECLS

/* One row of a file that was not imported, and why. */
typedef struct
{
  guint  row;      /* CSV: the line the record starts on; JSON: the item, from 1 */
  char  *detail;
} BrmImportProblem;

#define BRM_LEAD_IMPORT_ERROR (brm_lead_import_error_quark ())

typedef enum
{
  BRM_LEAD_IMPORT_ERROR_INVALID,     /* not a CSV with a usable header, not a JSON array */
  BRM_LEAD_IMPORT_ERROR_TOO_LARGE,
} BrmLeadImportError;

GQuark brm_lead_import_error_quark (void);

#define BRM_TYPE_LEAD_IMPORT (brm_lead_import_get_type ())

G_DECLARE_FINAL_TYPE (BrmLeadImport, brm_lead_import, BRM, LEAD_IMPORT, GObject)

BrmLeadImport *brm_lead_import_new             (BrClient       *client);
void           brm_lead_import_file_async      (BrmLeadImport  *self,
                                                GFile          *file,
                                                GCancellable   *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer        user_data);
gboolean       brm_lead_import_file_finish     (BrmLeadImport  *self,
                                                GAsyncResult   *result,
                                                GError        **error);
gboolean       brm_lead_import_get_is_csv      (BrmLeadImport  *self);
guint          brm_lead_import_get_n_rows      (BrmLeadImport  *self);
guint          brm_lead_import_get_n_imported  (BrmLeadImport  *self);
GPtrArray     *brm_lead_import_get_problems    (BrmLeadImport  *self);
char          *brm_lead_import_format_problem  (BrmLeadImport  *self,
                                                const BrmImportProblem *problem);

/* Parsing alone, for tests: the leads as JSON objects (with their rows in
 * @rows, guint) and the rows refused before anything is sent. */
JsonArray     *brm_lead_import_parse           (const char     *data,
                                                gsize           len,
                                                gboolean        csv,
                                                GArray         *rows,
                                                GPtrArray      *problems,
                                                GError        **error);

G_END_DECLS
