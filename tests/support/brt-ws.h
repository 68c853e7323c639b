/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "brt-daemon.h"

G_BEGIN_DECLS

/* A WebSocket client for tests: connects to a path of a BrtDaemon and
 * queues every JSON message it receives, for the test to wait on. */
typedef struct _BrtWs BrtWs;

BrtWs      *brt_ws_connect        (BrtDaemon   *daemon,
                                   const char  *path,
                                   const char  *token,
                                   GError     **error);
void        brt_ws_send           (BrtWs       *self,
                                   const char  *text);
void        brt_ws_send_bytes     (BrtWs       *self,
                                   gboolean     binary,
                                   const void  *data,
                                   gsize        len);
/* Waits for the next message of @type (skipping and keeping others in a
 * log) and returns it (transfer full); NULL on timeout. */
JsonObject *brt_ws_wait_type      (BrtWs       *self,
                                   const char  *type,
                                   guint        timeout_ms);
/* Waits for a message for which @match returns TRUE. */
JsonObject *brt_ws_wait_match     (BrtWs       *self,
                                   gboolean   (*match) (JsonObject *msg, gpointer data),
                                   gpointer     data,
                                   guint        timeout_ms);
/* Every message received so far, in order (transfer none). */
GPtrArray  *brt_ws_get_log        (BrtWs       *self);
gboolean    brt_ws_is_open        (BrtWs       *self);
void        brt_ws_close          (BrtWs       *self);
void        brt_ws_free           (BrtWs       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrtWs, brt_ws_free)

G_END_DECLS
