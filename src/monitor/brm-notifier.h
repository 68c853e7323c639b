/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <batchrunner.h>

G_BEGIN_DECLS

#define BRM_TYPE_NOTIFIER (brm_notifier_get_type ())

G_DECLARE_FINAL_TYPE (BrmNotifier, brm_notifier, BRM, NOTIFIER, GObject)

/* Desktop notifications from a batch store: a batch completed or failed,
 * a running batch's failure rate passed "failure-rate-threshold" (after
 * BRM_NOTIFIER_MIN_PROCESSED leads), today's spend passed
 * "budget-warning-fraction" of the daily budget. Each kind is switched by
 * its settings key (notify-completed, notify-failed, notify-failure-rate,
 * notify-budget). Each event is sent once: per batch for batch events,
 * per (UTC) day for the budget; and never for what the store already
 * held when it was first filled (a batch that completed before the
 * monitor started is not news). Clicking a batch notification activates
 * `app.show-batch` with the batch id as a string target. */
#define BRM_NOTIFIER_MIN_PROCESSED 20

BrmNotifier *brm_notifier_new (GApplication *app,
                               BrBatchStore *store,
                               GSettings    *settings);

/* Signal "notification-sent" (const char *id, GNotification *notification):
 * emitted for every notification given to the application, with its
 * notification id ("batch-completed-ID", "batch-failed-ID",
 * "batch-failure-rate-ID", "budget-YYYY-MM-DD"). Tests watch it; nothing
 * else needs to. */

G_END_DECLS
