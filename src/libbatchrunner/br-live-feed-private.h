/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "br-live-feed.h"

G_BEGIN_DECLS

/* For tests: feed one message as if it came from the server. */
void  _br_live_feed_process_text  (BrLiveFeed *self,
                                   const char *data,
                                   gsize       len);
guint _br_live_feed_get_n_resyncs (BrLiveFeed *self);

/* What the socket does with a message: decode it in the feed's worker
 * thread, apply it on the main thread in arrival order. */
void   _br_live_feed_receive_text       (BrLiveFeed *self,
                                         GBytes     *message);
/* Main-thread time spent applying decoded messages, in µs. */
gint64 _br_live_feed_get_main_thread_us (BrLiveFeed *self);

G_END_DECLS
