/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  BRM_ANOMALY_FAILURE_RATE,
  BRM_ANOMALY_COST_PER_LEAD,
} BrmAnomalyMetric;

#define BRM_TYPE_ANOMALY (brm_anomaly_get_type ())

G_DECLARE_FINAL_TYPE (BrmAnomaly, brm_anomaly, BRM, ANOMALY, GObject)

/* A day (@batch_id NULL) or a batch whose failure rate or cost per lead
 * sits more than 3 MADs from its 30-day median, with the sentence that
 * says so. */
BrmAnomaly       *brm_anomaly_new          (const char       *subject,
                                            const char       *batch_id,
                                            BrmAnomalyMetric  metric,
                                            double            value,
                                            double            median,
                                            double            score,
                                            gboolean          mad_was_zero);
const char       *brm_anomaly_get_subject  (BrmAnomaly       *self);
const char       *brm_anomaly_get_batch_id (BrmAnomaly       *self);
BrmAnomalyMetric  brm_anomaly_get_metric   (BrmAnomaly       *self);
double            brm_anomaly_get_value    (BrmAnomaly       *self);
double            brm_anomaly_get_median   (BrmAnomaly       *self);
double            brm_anomaly_get_score    (BrmAnomaly       *self);
const char       *brm_anomaly_get_sentence (BrmAnomaly       *self);

G_END_DECLS
