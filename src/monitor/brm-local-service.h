/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BRM_TYPE_LOCAL_SERVICE (brm_local_service_get_type ())
#define BRM_LOCAL_SERVICE_ERROR (brm_local_service_error_quark ())

typedef enum
{
  BRM_LOCAL_SERVICE_ERROR_NOT_FOUND,      /* no batch-runnerd executable */
  BRM_LOCAL_SERVICE_ERROR_SETUP,          /* data folder, token, config file */
  BRM_LOCAL_SERVICE_ERROR_IMPORT,         /* importing the sample leads failed */
  BRM_LOCAL_SERVICE_ERROR_EXITED,         /* the daemon exited before it listened */
  BRM_LOCAL_SERVICE_ERROR_BAD_OUTPUT,     /* it printed something other than its address */
  BRM_LOCAL_SERVICE_ERROR_TIMED_OUT,      /* it did not say where it listens in time */
} BrmLocalServiceError;

GQuark brm_local_service_error_quark (void);

G_DECLARE_FINAL_TYPE (BrmLocalService, brm_local_service, BRM, LOCAL_SERVICE, GObject)

/* The embedded default: a batch-runnerd of the monitor's own, on a free
 * loopback port, with its SQLite database and reports in @data_dir, an
 * admin token made fresh for every start, and the built-in sample leads
 * imported when the database is created. The daemon dies with the
 * monitor (PR_SET_PDEATHSIG). */
BrmLocalService *brm_local_service_new            (const char          *daemon_path,
                                                   const char          *data_dir);
void             brm_local_service_start_async    (BrmLocalService     *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         brm_local_service_start_finish   (BrmLocalService     *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
const char      *brm_local_service_get_url        (BrmLocalService     *self);
const char      *brm_local_service_get_token      (BrmLocalService     *self);
const char      *brm_local_service_get_data_dir   (BrmLocalService     *self);
/* The daemon's process id while it runs, else 0. */
GPid             brm_local_service_get_pid        (BrmLocalService     *self);
gboolean         brm_local_service_is_running     (BrmLocalService     *self);
void             brm_local_service_stop           (BrmLocalService     *self);

G_END_DECLS
