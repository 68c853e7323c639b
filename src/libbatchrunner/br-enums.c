/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-enums"

#include "config.h"

#include <string.h>

#include "br-enums.h"

/* The wire names are part of the contract (API.md); keep them in one table
 * per enum so encode and decode cannot disagree. */
static const char * const batch_status_names[] = {
  [BR_BATCH_STATUS_UNKNOWN] = NULL,
  [BR_BATCH_STATUS_RUNNING] = "running",
  [BR_BATCH_STATUS_PENDING] = "pending",
  [BR_BATCH_STATUS_PAUSED] = "paused",
  [BR_BATCH_STATUS_FAILED] = "failed",
  [BR_BATCH_STATUS_COMPLETED] = "completed",
  [BR_BATCH_STATUS_CANCELLED] = "cancelled",
};

static const char * const lead_status_names[] = {
  [BR_LEAD_STATUS_UNKNOWN] = NULL,
  [BR_LEAD_STATUS_PENDING] = "pending",
  [BR_LEAD_STATUS_PROCESSING] = "processing",
  [BR_LEAD_STATUS_COMPLETED] = "completed",
  [BR_LEAD_STATUS_FAILED] = "failed",
  [BR_LEAD_STATUS_SKIPPED] = "skipped",
};

static const char * const enrichment_status_names[] = {
  [BR_ENRICHMENT_STATUS_UNKNOWN] = NULL,
  [BR_ENRICHMENT_STATUS_PENDING] = "pending",
  [BR_ENRICHMENT_STATUS_PARTIAL] = "partial",
  [BR_ENRICHMENT_STATUS_COMPLETED] = "completed",
};

static guint
lookup (const char * const *names,
        guint               n_names,
        const char         *str)
{
  if (str == NULL)
    return 0;

  for (guint i = 1; i < n_names; i++)
    {
      if (strcmp (names[i], str) == 0)
        return i;
    }

  return 0;
}

BrBatchStatus
br_batch_status_from_string (const char *str)
{
  return lookup (batch_status_names, G_N_ELEMENTS (batch_status_names), str);
}

/**
 * br_batch_status_to_string:
 * @status: a #BrBatchStatus
 *
 * Returns: (transfer none) (nullable): the wire name of @status, or %NULL
 *   for %BR_BATCH_STATUS_UNKNOWN.
 */
const char *
br_batch_status_to_string (BrBatchStatus status)
{
  if ((guint) status >= G_N_ELEMENTS (batch_status_names))
    return NULL;
  return batch_status_names[status];
}

gboolean
br_batch_status_is_terminal (BrBatchStatus status)
{
  return status == BR_BATCH_STATUS_COMPLETED ||
         status == BR_BATCH_STATUS_FAILED ||
         status == BR_BATCH_STATUS_CANCELLED;
}

/**
 * br_batch_status_can_transition:
 * @from: the current status
 * @to: the requested status
 *
 * Whether the service accepts moving a batch from @from to @to. This is
 * the state machine of the contract: pause applies to pending and running
 * batches, resume to paused ones, cancel to any non-terminal batch, and
 * retry brings a batch with failed leads (terminal or not) back to running.
 *
 * Returns: %TRUE if the transition is valid
 */
gboolean
br_batch_status_can_transition (BrBatchStatus from,
                                BrBatchStatus to)
{
  switch (to)
    {
    case BR_BATCH_STATUS_PAUSED:
      return from == BR_BATCH_STATUS_PENDING || from == BR_BATCH_STATUS_RUNNING;

    case BR_BATCH_STATUS_CANCELLED:
      return from == BR_BATCH_STATUS_PENDING ||
             from == BR_BATCH_STATUS_RUNNING ||
             from == BR_BATCH_STATUS_PAUSED;

    case BR_BATCH_STATUS_RUNNING:
      return from == BR_BATCH_STATUS_PENDING ||
             from == BR_BATCH_STATUS_PAUSED ||
             from == BR_BATCH_STATUS_RUNNING ||
             br_batch_status_is_terminal (from);

    case BR_BATCH_STATUS_PENDING:
      return from == BR_BATCH_STATUS_PAUSED;

    case BR_BATCH_STATUS_COMPLETED:
    case BR_BATCH_STATUS_FAILED:
      return from == BR_BATCH_STATUS_RUNNING;

    case BR_BATCH_STATUS_UNKNOWN:
    default:
      return FALSE;
    }
}

BrLeadStatus
br_lead_status_from_string (const char *str)
{
  return lookup (lead_status_names, G_N_ELEMENTS (lead_status_names), str);
}

const char *
br_lead_status_to_string (BrLeadStatus status)
{
  if ((guint) status >= G_N_ELEMENTS (lead_status_names))
    return NULL;
  return lead_status_names[status];
}

gboolean
br_lead_status_is_final (BrLeadStatus status)
{
  return status == BR_LEAD_STATUS_COMPLETED ||
         status == BR_LEAD_STATUS_FAILED ||
         status == BR_LEAD_STATUS_SKIPPED;
}

BrEnrichmentStatus
br_enrichment_status_from_string (const char *str)
{
  return lookup (enrichment_status_names, G_N_ELEMENTS (enrichment_status_names), str);
}

const char *
br_enrichment_status_to_string (BrEnrichmentStatus status)
{
  if ((guint) status >= G_N_ELEMENTS (enrichment_status_names))
    return NULL;
  return enrichment_status_names[status];
}

/**
 * br_command_to_string:
 *
 * Returns: (transfer none): the command's name, also the path segment of
 *   its endpoint (`/batch/{id}/pause`)
 */
const char *
br_command_to_string (BrCommand command)
{
  switch (command)
    {
    case BR_COMMAND_PAUSE:
      return "pause";
    case BR_COMMAND_RESUME:
      return "resume";
    case BR_COMMAND_CANCEL:
      return "cancel";
    case BR_COMMAND_RETRY:
      return "retry";
    default:
      return NULL;
    }
}
