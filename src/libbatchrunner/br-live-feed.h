/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <libsoup/soup.h>

#include "br-batch-store.h"
#include "br-enums.h"

G_BEGIN_DECLS

#define BR_TYPE_LIVE_FEED (br_live_feed_get_type ())

G_DECLARE_FINAL_TYPE (BrLiveFeed, br_live_feed, BR, LIVE_FEED, GObject)

BrLiveFeed   *br_live_feed_new                (SoupSession  *session,
                                               const char   *base_url,
                                               const char   *base_path,
                                               BrBatchStore *store);
void          br_live_feed_set_token          (BrLiveFeed   *self,
                                               const char   *token);
void          br_live_feed_start              (BrLiveFeed   *self);
void          br_live_feed_stop               (BrLiveFeed   *self);
void          br_live_feed_reconnect_now      (BrLiveFeed   *self);
void          br_live_feed_watch              (BrLiveFeed   *self,
                                               const char   *batch_id);
void          br_live_feed_unwatch            (BrLiveFeed   *self,
                                               const char   *batch_id);
BrFeedState   br_live_feed_get_state          (BrLiveFeed   *self);
BrFeedMode    br_live_feed_get_mode           (BrLiveFeed   *self);
gint64        br_live_feed_get_next_attempt   (BrLiveFeed   *self);
gint64        br_live_feed_get_last_update    (BrLiveFeed   *self);
gint64        br_live_feed_get_last_seq       (BrLiveFeed   *self);
guint64       br_live_feed_get_n_bad_messages (BrLiveFeed   *self);
guint         br_live_feed_get_n_resyncs      (BrLiveFeed   *self);
const char   *br_live_feed_get_last_error     (BrLiveFeed   *self);
GStrv         br_live_feed_dup_capabilities   (BrLiveFeed   *self);
gboolean      br_live_feed_has_capability     (BrLiveFeed   *self,
                                               const char   *capability);
BrBatchStore *br_live_feed_get_store          (BrLiveFeed   *self);

G_END_DECLS
