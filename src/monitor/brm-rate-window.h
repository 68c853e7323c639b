/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <math.h>

G_BEGIN_DECLS

/* A trailing-window rate over a cumulative counter, shared by
 * BrmLiveMetrics (all batches) and BrmBatchMetrics (one batch).
 *
 * Each observation is (time, cumulative count). The rate at time t is
 * (count(t) − count(ref)) / (t − ref) where ref is the newest observation
 * at least window seconds older than t, or the oldest one kept when the
 * history is shorter than the window. That is a plain moving average over
 * the window: steady for a batch that processes a lead every few seconds,
 * yet back to zero a window after processing stops. */

typedef struct
{
  double t;
  double count;
} BrmRateObservation;

typedef struct
{
  GArray *obs;    /* of BrmRateObservation, t ascending */
  double  window; /* seconds */
} BrmRateWindow;

static inline void
brm_rate_window_init (BrmRateWindow *rw,
                      double         window)
{
  rw->obs = g_array_new (FALSE, FALSE, sizeof (BrmRateObservation));
  rw->window = window;
}

static inline void
brm_rate_window_clear (BrmRateWindow *rw)
{
  g_clear_pointer (&rw->obs, g_array_unref);
}

static inline void
brm_rate_window_reset (BrmRateWindow *rw)
{
  g_array_set_size (rw->obs, 0);
}

/* Adds an observation and returns the rate per second at @t, or NAN when
 * there is no earlier observation to measure against. */
static inline double
brm_rate_window_add (BrmRateWindow *rw,
                     double         t,
                     double         count)
{
  BrmRateObservation o = { t, count };
  const BrmRateObservation *ref;
  guint keep_from = 0;

  /* Time going backwards (a clock step) would make the rate meaningless. */
  if (rw->obs->len > 0 && t <= g_array_index (rw->obs, BrmRateObservation, rw->obs->len - 1).t)
    brm_rate_window_reset (rw);

  for (guint i = 0; i < rw->obs->len; i++)
    if (g_array_index (rw->obs, BrmRateObservation, i).t <= t - rw->window)
      keep_from = i;
  if (keep_from > 0)
    g_array_remove_range (rw->obs, 0, keep_from);
  g_array_append_val (rw->obs, o);

  if (rw->obs->len < 2)
    return NAN;
  ref = &g_array_index (rw->obs, BrmRateObservation, 0);
  return MAX (0.0, (count - ref->count) / (t - ref->t));
}

G_END_DECLS
