/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Whether an error code became more or less frequent: the count in the
 * latest half of the period against the earlier half, per day. */
typedef enum
{
  BRM_ERROR_TREND_NONE = 0,   /* the server gave no data to compare */
  BRM_ERROR_TREND_NEW,        /* only in the latest half */
  BRM_ERROR_TREND_RISING,
  BRM_ERROR_TREND_STEADY,
  BRM_ERROR_TREND_FALLING,
} BrmErrorTrend;

#define BRM_TYPE_ERROR_ROW (brm_error_row_get_type ())

G_DECLARE_FINAL_TYPE (BrmErrorRow, brm_error_row, BRM, ERROR_ROW, GObject)

/* One line of the analytics page's error breakdown. */
BrmErrorRow   *brm_error_row_new                (const char  *code,
                                                 gint64       count,
                                                 const char  *sample_message,
                                                 const char  *hint,
                                                 BrmErrorTrend trend,
                                                 gint64       recent_count,
                                                 guint        recent_days,
                                                 guint        earlier_days);
const char    *brm_error_row_get_code           (BrmErrorRow *self);
gint64         brm_error_row_get_count          (BrmErrorRow *self);
const char    *brm_error_row_get_sample_message (BrmErrorRow *self);
const char    *brm_error_row_get_hint           (BrmErrorRow *self);
BrmErrorTrend  brm_error_row_get_trend          (BrmErrorRow *self);
gint64         brm_error_row_get_recent_count   (BrmErrorRow *self);
gint64         brm_error_row_get_earlier_count  (BrmErrorRow *self);
const char    *brm_error_row_get_trend_text     (BrmErrorRow *self);

G_END_DECLS
