/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BrBatchStatus:
 *
 * The life cycle of a batch, as in the wire contract (`status`).
 * The order is the sort order of the status column: active first.
 */
typedef enum
{
  BR_BATCH_STATUS_UNKNOWN = 0,
  BR_BATCH_STATUS_RUNNING,
  BR_BATCH_STATUS_PENDING,
  BR_BATCH_STATUS_PAUSED,
  BR_BATCH_STATUS_FAILED,
  BR_BATCH_STATUS_COMPLETED,
  BR_BATCH_STATUS_CANCELLED,
} BrBatchStatus;

/**
 * BrLeadStatus:
 *
 * The life cycle of one lead inside a batch (`LeadResult.status`).
 */
typedef enum
{
  BR_LEAD_STATUS_UNKNOWN = 0,
  BR_LEAD_STATUS_PENDING,
  BR_LEAD_STATUS_PROCESSING,
  BR_LEAD_STATUS_COMPLETED,
  BR_LEAD_STATUS_FAILED,
  BR_LEAD_STATUS_SKIPPED,
} BrLeadStatus;

/**
 * BrEnrichmentStatus:
 *
 * How complete a lead's enrichment data is (`Lead.enrichment_status`).
 */
typedef enum
{
  BR_ENRICHMENT_STATUS_UNKNOWN = 0,
  BR_ENRICHMENT_STATUS_PENDING,
  BR_ENRICHMENT_STATUS_PARTIAL,
  BR_ENRICHMENT_STATUS_COMPLETED,
} BrEnrichmentStatus;

/**
 * BrFeedState:
 * @BR_FEED_STATE_OFFLINE: not connected and not trying (stopped)
 * @BR_FEED_STATE_CONNECTING: the first attempt is under way
 * @BR_FEED_STATE_CONNECTED: receiving live updates (or polling successfully)
 * @BR_FEED_STATE_RECONNECTING: lost; the next attempt is at #BrLiveFeed:next-attempt
 *
 * Where the live feed stands, for the connection indicator.
 */
typedef enum
{
  BR_FEED_STATE_OFFLINE = 0,
  BR_FEED_STATE_CONNECTING,
  BR_FEED_STATE_CONNECTED,
  BR_FEED_STATE_RECONNECTING,
} BrFeedState;

/**
 * BrFeedMode:
 * @BR_FEED_MODE_NONE: not decided yet
 * @BR_FEED_MODE_EVENTS: one WebSocket to `/events`
 * @BR_FEED_MODE_POLLING: `GET /batch` every few seconds (servers without `/events`)
 */
typedef enum
{
  BR_FEED_MODE_NONE = 0,
  BR_FEED_MODE_EVENTS,
  BR_FEED_MODE_POLLING,
} BrFeedMode;

/**
 * BrCommand:
 * @BR_COMMAND_PAUSE: no new lead starts
 * @BR_COMMAND_RESUME: a paused batch goes on
 * @BR_COMMAND_CANCEL: pending leads are skipped, running ones stopped
 * @BR_COMMAND_RETRY: failed leads (all or some) go back to pending
 *
 * The control commands an operator gives a batch.
 */
typedef enum
{
  BR_COMMAND_PAUSE,
  BR_COMMAND_RESUME,
  BR_COMMAND_CANCEL,
  BR_COMMAND_RETRY,
} BrCommand;

const char         *br_command_to_string             (BrCommand           command);

BrBatchStatus       br_batch_status_from_string      (const char         *str);
const char         *br_batch_status_to_string        (BrBatchStatus       status);
gboolean            br_batch_status_is_terminal      (BrBatchStatus       status);
gboolean            br_batch_status_can_transition   (BrBatchStatus       from,
                                                      BrBatchStatus       to);
BrLeadStatus        br_lead_status_from_string       (const char         *str);
const char         *br_lead_status_to_string         (BrLeadStatus        status);
gboolean            br_lead_status_is_final          (BrLeadStatus        status);
BrEnrichmentStatus  br_enrichment_status_from_string (const char         *str);
const char         *br_enrichment_status_to_string   (BrEnrichmentStatus  status);

G_END_DECLS
