/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A widget's pixels, for tests that check what it draws. */
typedef struct
{
  int     width;
  int     height;
  guchar *pixels;   /* B8G8R8A8 premultiplied, rows of width * 4 bytes */
} BrtImage;

void     brt_image_clear  (BrtImage       *image);
void     brt_image_render (GtkWidget      *widget,
                           BrtImage       *image);
gboolean brt_image_differ (const BrtImage *a,
                           const BrtImage *b);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BrtImage, brt_image_clear)

G_END_DECLS
