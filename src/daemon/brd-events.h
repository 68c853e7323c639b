/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "brd-store.h"

G_BEGIN_DECLS

/* The event hub (DESIGN.md, "Events"): one strictly increasing `seq`
 * that survives restarts, an in-memory replay ring, per-batch coalescing
 * of progress (status changes go out at once and are never dropped),
 * the `/events` feed and the per-batch `/progress` sockets. */

typedef struct _BrdEvents BrdEvents;

typedef JsonNode *(*BrdHealthFunc) (gpointer user_data);

BrdEvents *brd_events_new                (BrdStore                *store,
                                          guint                    progress_interval_ms,
                                          guint                    replay_capacity,
                                          guint                    health_interval_ms);
void       brd_events_free               (BrdEvents               *self);
void       brd_events_set_health_func    (BrdEvents               *self,
                                          BrdHealthFunc            func,
                                          gpointer                 user_data);
gint64     brd_events_get_seq            (BrdEvents               *self);
gint64     brd_events_get_batch_seq      (BrdEvents               *self,
                                          const char              *batch_id);
guint      brd_events_get_n_clients      (BrdEvents               *self);
guint64    brd_events_get_n_bad_messages (BrdEvents               *self);

void       brd_events_batch_created      (BrdEvents               *self,
                                          const char              *batch_id);
void       brd_events_batch_changed      (BrdEvents               *self,
                                          const char              *batch_id,
                                          gboolean                 status_changed);
void       brd_events_lead_updated       (BrdEvents               *self,
                                          const char              *batch_id,
                                          const char              *lead_id);
/* Sends whatever is waiting for the coalescing interval now. */
void       brd_events_flush              (BrdEvents               *self);

void       brd_events_add_feed_client    (BrdEvents               *self,
                                          SoupWebsocketConnection *conn);
void       brd_events_add_progress_client(BrdEvents               *self,
                                          SoupWebsocketConnection *conn,
                                          const char              *batch_id);
void       brd_events_close_all          (BrdEvents               *self);
void       brd_events_drop_all           (BrdEvents               *self);

G_END_DECLS
