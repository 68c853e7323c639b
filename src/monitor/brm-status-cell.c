/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-status-cell"

#include "config.h"

#include <math.h>

#include "brm-status-cell.h"

/**
 * BrmStatusCell:
 *
 * A symbolic icon and a short text (a batch status), drawn by one widget.
 *
 * The batch table's list view keeps about 200 rows built whatever the
 * viewport shows, so every widget in a cell is paid 200 times at start-up
 * and after each filter. An image and an inscription in a box were three
 * widgets with three CSS nodes; this is one. Its width comes from a number
 * of characters, as GtkInscription's does, so a new status redraws the
 * cell without measuring the rows again.
 *
 * Both icon and text take the widget's CSS colour, so the status tints of
 * style.css (".batch-status.running" …) apply as they did to the label.
 * Assistive technologies read it as a label whose name is the text; the
 * icon is decoration for the eye (the status is never colour or icon
 * alone).
 */

#define ICON_SIZE 16
#define SPACING   6

struct _BrmStatusCell
{
  GtkWidget     parent_instance;

  char         *text;
  char         *icon_name;
  int           width_chars;

  PangoLayout  *layout;        /* made on first draw, kept until disposed */
  int           layout_width;  /* the width it was last laid out for, Pango units */
  GdkPaintable *icon;          /* looked up on first draw after a change */
  int           char_width;    /* Pango units, -1 until measured */
  int           line_height;   /* Pango units */
};

enum
{
  PROP_0,
  PROP_TEXT,
  PROP_ICON_NAME,
  PROP_WIDTH_CHARS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BrmStatusCell, brm_status_cell, GTK_TYPE_WIDGET)

static void
ensure_metrics (BrmStatusCell *self)
{
  PangoContext *context;
  PangoFontMetrics *metrics;

  if (self->char_width >= 0)
    return;
  context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  metrics = pango_context_get_metrics (context, NULL, NULL);
  self->char_width = MAX (pango_font_metrics_get_approximate_char_width (metrics),
                          pango_font_metrics_get_approximate_digit_width (metrics));
  self->line_height = pango_font_metrics_get_height (metrics);
  if (self->line_height <= 0)
    self->line_height = pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics);
  pango_font_metrics_unref (metrics);
}

static void
brm_status_cell_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  BrmStatusCell *self = BRM_STATUS_CELL (widget);

  ensure_metrics (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = ICON_SIZE + SPACING + (int) ceil ((double) self->char_width * self->width_chars / PANGO_SCALE);
  else
    *minimum = *natural = MAX (ICON_SIZE, (int) ceil ((double) self->line_height / PANGO_SCALE));
}

static void
brm_status_cell_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  BrmStatusCell *self = BRM_STATUS_CELL (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int text_width = MAX (0, width - ICON_SIZE - SPACING);
  GdkRGBA color;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (self->icon == NULL && self->icon_name != NULL)
    {
      GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));

      self->icon = GDK_PAINTABLE (gtk_icon_theme_lookup_icon (theme, self->icon_name, NULL, ICON_SIZE,
                                                              gtk_widget_get_scale_factor (widget),
                                                              gtk_widget_get_direction (widget), 0));
    }
  if (self->icon != NULL)
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (rtl ? width - ICON_SIZE : 0,
                                                              floorf ((height - ICON_SIZE) / 2.f)));
      if (GTK_IS_SYMBOLIC_PAINTABLE (self->icon))
        /* The icon's foreground in the text's colour; the other symbolic
         * colours are unused by these icons. */
        gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (self->icon), snapshot,
                                                  ICON_SIZE, ICON_SIZE, &color, 1);
      else
        gdk_paintable_snapshot (self->icon, snapshot, ICON_SIZE, ICON_SIZE);
      gtk_snapshot_restore (snapshot);
    }

  if (self->text == NULL || *self->text == '\0' || text_width == 0)
    return;

  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (widget, self->text);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      self->layout_width = -1;
    }
  if (self->layout_width != text_width * PANGO_SCALE)
    {
      self->layout_width = text_width * PANGO_SCALE;
      pango_layout_set_width (self->layout, self->layout_width);
      pango_layout_set_alignment (self->layout, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    }

  {
    int text_height;

    pango_layout_get_pixel_size (self->layout, NULL, &text_height);
    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (rtl ? 0 : ICON_SIZE + SPACING,
                                                            floorf ((height - text_height) / 2.f)));
    gtk_snapshot_append_layout (snapshot, self->layout, &color);
    gtk_snapshot_restore (snapshot);
  }
}

static void
brm_status_cell_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  BrmStatusCell *self = BRM_STATUS_CELL (widget);

  GTK_WIDGET_CLASS (brm_status_cell_parent_class)->css_changed (widget, change);

  /* The font may have changed (the layout follows its context by
   * itself; the colour is read on each draw). Most style changes (a row
   * hovered or selected) keep the font: only then are the rows measured
   * again. */
  if (self->char_width >= 0)
    {
      int char_width = self->char_width;
      int line_height = self->line_height;

      self->char_width = -1;
      ensure_metrics (self);
      if (char_width != self->char_width || line_height != self->line_height)
        gtk_widget_queue_resize (widget);
    }
}

static void
brm_status_cell_direction_changed (GtkWidget        *widget,
                                   GtkTextDirection  previous)
{
  BrmStatusCell *self = BRM_STATUS_CELL (widget);

  /* Icons may be mirrored; the alignment is set again on the next draw. */
  g_clear_object (&self->icon);
  self->layout_width = -1;
  gtk_widget_queue_draw (widget);
}

static void
brm_status_cell_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BrmStatusCell *self = BRM_STATUS_CELL (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, self->icon_name);
      break;
    case PROP_WIDTH_CHARS:
      g_value_set_int (value, self->width_chars);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_status_cell_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BrmStatusCell *self = BRM_STATUS_CELL (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      brm_status_cell_set (self, self->icon_name, g_value_get_string (value));
      break;
    case PROP_ICON_NAME:
      brm_status_cell_set (self, g_value_get_string (value), self->text);
      break;
    case PROP_WIDTH_CHARS:
      if (self->width_chars != g_value_get_int (value))
        {
          self->width_chars = g_value_get_int (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_status_cell_dispose (GObject *object)
{
  BrmStatusCell *self = BRM_STATUS_CELL (object);

  g_clear_object (&self->layout);
  g_clear_object (&self->icon);

  G_OBJECT_CLASS (brm_status_cell_parent_class)->dispose (object);
}

static void
brm_status_cell_finalize (GObject *object)
{
  BrmStatusCell *self = BRM_STATUS_CELL (object);

  g_free (self->text);
  g_free (self->icon_name);

  G_OBJECT_CLASS (brm_status_cell_parent_class)->finalize (object);
}

static void
brm_status_cell_class_init (BrmStatusCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = brm_status_cell_get_property;
  object_class->set_property = brm_status_cell_set_property;
  object_class->dispose = brm_status_cell_dispose;
  object_class->finalize = brm_status_cell_finalize;

  widget_class->measure = brm_status_cell_measure;
  widget_class->snapshot = brm_status_cell_snapshot;
  widget_class->css_changed = brm_status_cell_css_changed;
  widget_class->direction_changed = brm_status_cell_direction_changed;

  /**
   * BrmStatusCell:text:
   *
   * The text beside the icon; also the accessible name.
   */
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BrmStatusCell:icon-name:
   *
   * A symbolic icon, drawn in the text's colour.
   */
  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BrmStatusCell:width-chars:
   *
   * The text's width in characters: the cell's width does not follow its
   * text.
   */
  properties[PROP_WIDTH_CHARS] =
    g_param_spec_int ("width-chars", NULL, NULL, 0, 1000, 10,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "statuscell");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
brm_status_cell_init (BrmStatusCell *self)
{
  self->width_chars = 10;
  self->char_width = -1;
  self->layout_width = -1;
}

/**
 * brm_status_cell_new:
 * @width_chars: the width of the text, in characters
 *
 * Returns: (transfer floating): a new #BrmStatusCell with no icon and no text
 */
GtkWidget *
brm_status_cell_new (int width_chars)
{
  return g_object_new (BRM_TYPE_STATUS_CELL, "width-chars", width_chars, NULL);
}

/**
 * brm_status_cell_set:
 * @icon_name: (nullable): a symbolic icon name
 * @text: (nullable): the text
 *
 * Shows @icon_name and @text. Nothing is redrawn when neither changed.
 */
void
brm_status_cell_set (BrmStatusCell *self,
                     const char    *icon_name,
                     const char    *text)
{
  gboolean changed = FALSE;

  g_return_if_fail (BRM_IS_STATUS_CELL (self));

  if (g_strcmp0 (self->icon_name, icon_name) != 0)
    {
      char *old = self->icon_name;

      self->icon_name = g_strdup (icon_name);
      g_free (old);
      g_clear_object (&self->icon);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICON_NAME]);
      changed = TRUE;
    }
  if (g_strcmp0 (self->text, text) != 0)
    {
      char *old = self->text;

      self->text = g_strdup (text);
      g_free (old);
      if (self->layout != NULL)
        pango_layout_set_text (self->layout, self->text != NULL ? self->text : "", -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, self->text != NULL ? self->text : "",
                                      -1);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
      changed = TRUE;
    }
  if (changed)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * brm_status_cell_get_text:
 *
 * Returns: (nullable): the text shown
 */
const char *
brm_status_cell_get_text (BrmStatusCell *self)
{
  g_return_val_if_fail (BRM_IS_STATUS_CELL (self), NULL);

  return self->text;
}

/**
 * brm_status_cell_get_icon_name:
 *
 * Returns: (nullable): the icon shown
 */
const char *
brm_status_cell_get_icon_name (BrmStatusCell *self)
{
  g_return_val_if_fail (BRM_IS_STATUS_CELL (self), NULL);

  return self->icon_name;
}

/**
 * brm_status_cell_get_width_chars:
 *
 * Returns: the width of the text, in characters
 */
int
brm_status_cell_get_width_chars (BrmStatusCell *self)
{
  g_return_val_if_fail (BRM_IS_STATUS_CELL (self), 0);

  return self->width_chars;
}
