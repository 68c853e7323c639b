/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "brd-config.h"

G_BEGIN_DECLS

#define BRD_TYPE_DAEMON (brd_daemon_get_type ())

G_DECLARE_FINAL_TYPE (BrdDaemon, brd_daemon, BRD, DAEMON, GObject)

BrdDaemon  *brd_daemon_new          (BrdConfig           *config);
gboolean    brd_daemon_start        (BrdDaemon           *self,
                                     GError             **error);
const char *brd_daemon_get_url      (BrdDaemon           *self);
void        brd_daemon_stop_async   (BrdDaemon           *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean    brd_daemon_stop_finish  (BrdDaemon           *self,
                                     GAsyncResult        *result,
                                     GError             **error);

char       *brd_database_path       (const char          *url,
                                     GError             **error);
int         brd_import_leads_main   (BrdConfig           *config,
                                     const char          *path);

G_END_DECLS
