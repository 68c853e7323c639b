/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "brt-image.h"

void
brt_image_clear (BrtImage *image)
{
  g_clear_pointer (&image->pixels, g_free);
  image->width = image->height = 0;
}

/**
 * brt_image_render:
 *
 * The widget as it would be drawn now: its own snapshot → render node →
 * Cairo renderer → texture (TESTING-NOTES.md: what works under Broadway).
 * Not a GtkWidgetPaintable: that keeps the image of the last frame, and
 * Broadway without a browser draws a frame about once a second.
 */
void
brt_image_render (GtkWidget *widget,
                  BrtImage  *image)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  brt_image_clear (image);
  image->width = gtk_widget_get_width (widget);
  image->height = gtk_widget_get_height (widget);
  g_assert_cmpint (image->width, >, 0);
  g_assert_cmpint (image->height, >, 0);

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, image->width, image->height));
  gsk_renderer_unrealize (renderer);

  image->pixels = g_malloc ((gsize) image->width * image->height * 4);
  gdk_texture_download (texture, image->pixels, image->width * 4);
}

gboolean
brt_image_differ (const BrtImage *a,
                  const BrtImage *b)
{
  return a->width != b->width || a->height != b->height ||
         memcmp (a->pixels, b->pixels, (gsize) a->width * a->height * 4) != 0;
}
