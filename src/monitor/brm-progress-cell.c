/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-progress-cell"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "brm-progress-cell.h"

/**
 * BrmProgressCell:
 *
 * A progress bar with its percentage ("42 %") beside it, for the batch
 * table's rows.
 *
 * The list view keeps about 200 rows built, so each widget of a cell is
 * paid 200 times at start-up and after each filter. A box holding a
 * progress bar and an inscription was five widgets; this is four: the
 * percentage is drawn here, with one PangoLayout kept until the text
 * changes.
 *
 * The bar itself stays a GtkProgressBar: GTK 4.8 offers the AT-SPI Value
 * interface (what a screen reader reads a progress bar by) only to its
 * own range widgets (GtkProgressBar, GtkLevelBar, GtkRange, …), not to a
 * custom widget with the progress-bar role (GtkAccessibleRange, which
 * would allow that, is GTK 4.10). The bar carries the accessible value:
 * minimum 0, maximum 1, the fraction, and a text such as
 * "42 %, 25 of 60 leads". The drawn percentage repeats it for the eye.
 */

#define SPACING    6
#define TEXT_CHARS 5   /* "100 %" */
#define BAR_WIDTH  80

struct _BrmProgressCell
{
  GtkWidget    parent_instance;

  GtkWidget   *bar;
  double       percent;
  int          whole;          /* percent shown, -1 none */
  gint64       processed;
  gint64       total;
  char         text[16];

  PangoLayout *layout;         /* made on first draw */
  int          text_width;     /* pixels, -1 until measured */
  int          line_height;    /* pixels */
};

G_DEFINE_FINAL_TYPE (BrmProgressCell, brm_progress_cell, GTK_TYPE_WIDGET)

static void
ensure_metrics (BrmProgressCell *self)
{
  PangoFontMetrics *metrics;
  int height;

  if (self->text_width >= 0)
    return;
  metrics = pango_context_get_metrics (gtk_widget_get_pango_context (GTK_WIDGET (self)), NULL, NULL);
  self->text_width = (int) ceil ((double) pango_font_metrics_get_approximate_digit_width (metrics) * TEXT_CHARS / PANGO_SCALE);
  height = pango_font_metrics_get_height (metrics);
  if (height <= 0)
    height = pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics);
  self->line_height = (int) ceil ((double) height / PANGO_SCALE);
  pango_font_metrics_unref (metrics);
}

static void
brm_progress_cell_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  BrmProgressCell *self = BRM_PROGRESS_CELL (widget);
  int bar_min, bar_nat;

  ensure_metrics (self);
  gtk_widget_measure (self->bar, orientation, -1, &bar_min, &bar_nat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = bar_min + SPACING + self->text_width;
      *natural = bar_nat + SPACING + self->text_width;
    }
  else
    {
      *minimum = MAX (bar_min, self->line_height);
      *natural = MAX (bar_nat, self->line_height);
    }
}

static void
brm_progress_cell_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  BrmProgressCell *self = BRM_PROGRESS_CELL (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int bar_height, bar_width;

  ensure_metrics (self);
  gtk_widget_measure (self->bar, GTK_ORIENTATION_VERTICAL, -1, &bar_height, NULL, NULL, NULL);
  bar_width = MAX (0, width - SPACING - self->text_width);
  gtk_widget_size_allocate (self->bar,
                            &(GtkAllocation) { rtl ? width - bar_width : 0, (height - bar_height) / 2,
                                               bar_width, MIN (bar_height, height) },
                            -1);
}

static void
brm_progress_cell_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  BrmProgressCell *self = BRM_PROGRESS_CELL (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int text_width, text_height;
  GdkRGBA color;

  gtk_widget_snapshot_child (widget, self->bar, snapshot);
  if (self->whole < 0)
    return;

  if (self->layout == NULL)
    {
      /* Digits of one width, as the "numeric" style class gives labels,
       * so the numbers of the rows line up. */
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
      self->layout = gtk_widget_create_pango_layout (widget, self->text);
      pango_layout_set_attributes (self->layout, attrs);
      pango_attr_list_unref (attrs);
    }

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  pango_layout_get_pixel_size (self->layout, &text_width, &text_height);
  gtk_snapshot_save (snapshot);
  /* Right-aligned at the end of the cell, like the other numbers. */
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (rtl ? 0 : width - text_width,
                                                          floorf ((height - text_height) / 2.f)));
  gtk_snapshot_append_layout (snapshot, self->layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
brm_progress_cell_css_changed (GtkWidget         *widget,
                               GtkCssStyleChange *change)
{
  BrmProgressCell *self = BRM_PROGRESS_CELL (widget);

  GTK_WIDGET_CLASS (brm_progress_cell_parent_class)->css_changed (widget, change);

  /* Measured again only when the font changed, not on every hover or
   * selection of the row. */
  if (self->text_width >= 0)
    {
      int text_width = self->text_width;
      int line_height = self->line_height;

      self->text_width = -1;
      ensure_metrics (self);
      if (text_width != self->text_width || line_height != self->line_height)
        gtk_widget_queue_resize (widget);
    }
}

static void
brm_progress_cell_dispose (GObject *object)
{
  BrmProgressCell *self = BRM_PROGRESS_CELL (object);

  g_clear_pointer (&self->bar, gtk_widget_unparent);
  g_clear_object (&self->layout);

  G_OBJECT_CLASS (brm_progress_cell_parent_class)->dispose (object);
}

static void
brm_progress_cell_class_init (BrmProgressCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = brm_progress_cell_dispose;

  widget_class->measure = brm_progress_cell_measure;
  widget_class->size_allocate = brm_progress_cell_size_allocate;
  widget_class->snapshot = brm_progress_cell_snapshot;
  widget_class->css_changed = brm_progress_cell_css_changed;

  gtk_widget_class_set_css_name (widget_class, "progresscell");
  /* A container, as the box was: the bar inside is what is read. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GENERIC);
}

static void
brm_progress_cell_init (BrmProgressCell *self)
{
  self->whole = -1;
  self->text_width = -1;

  self->bar = gtk_progress_bar_new ();
  gtk_widget_set_size_request (self->bar, BAR_WIDTH, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Progress"),
                                  -1);
  gtk_widget_set_parent (self->bar, GTK_WIDGET (self));
}

/**
 * brm_progress_cell_new:
 *
 * Returns: (transfer floating): a new #BrmProgressCell showing no progress
 */
GtkWidget *
brm_progress_cell_new (void)
{
  return g_object_new (BRM_TYPE_PROGRESS_CELL, NULL);
}

/**
 * brm_progress_cell_set:
 * @percent: the progress, 0 to 100 (clamped)
 * @processed: leads processed, for the accessible value
 * @total: leads in all, for the accessible value
 *
 * Shows @percent. A tick that changes nothing visible or readable costs
 * a comparison.
 */
void
brm_progress_cell_set (BrmProgressCell *self,
                       double           percent,
                       gint64           processed,
                       gint64           total)
{
  int whole;

  g_return_if_fail (BRM_IS_PROGRESS_CELL (self));

  percent = CLAMP (isnan (percent) ? 0.0 : percent, 0.0, 100.0);
  whole = (int) percent;
  if (percent != self->percent || self->whole < 0)
    {
      self->percent = percent;
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->bar), percent / 100.0);
    }
  if (whole == self->whole && processed == self->processed && total == self->total)
    return;

  if (whole != self->whole)
    {
      /* Translators: progress of a batch, e.g. "57 %" */
      g_snprintf (self->text, sizeof self->text, _("%d %%"), whole);
      if (self->layout != NULL)
        pango_layout_set_text (self->layout, self->text, -1);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  self->whole = whole;
  self->processed = processed;
  self->total = total;

  {
    gulong n_processed = (gulong) MAX (processed, 0);
    gulong n_total = (gulong) MAX (total, 0);
    /* Translators: the progress of a batch as read by a screen reader:
     * the percentage, then leads processed of the batch's leads, e.g.
     * "42 %, 25 of 60 leads" */
    g_autofree char *value_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %lu of %lu lead",
                                                                "%s, %lu of %lu leads", n_total),
                                                   self->text, n_processed, n_total);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar),
                                    GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, value_text,
                                    -1);
  }
}

/**
 * brm_progress_cell_get_percent:
 *
 * Returns: the progress shown, 0 to 100
 */
double
brm_progress_cell_get_percent (BrmProgressCell *self)
{
  g_return_val_if_fail (BRM_IS_PROGRESS_CELL (self), 0.0);

  return self->percent;
}

/**
 * brm_progress_cell_get_text:
 *
 * Returns: the percentage drawn beside the bar ("42 %"), or "" before
 *   brm_progress_cell_set()
 */
const char *
brm_progress_cell_get_text (BrmProgressCell *self)
{
  g_return_val_if_fail (BRM_IS_PROGRESS_CELL (self), NULL);

  return self->text;
}

/**
 * brm_progress_cell_get_bar:
 *
 * Returns: (transfer none): the bar, which carries the accessible value
 */
GtkProgressBar *
brm_progress_cell_get_bar (BrmProgressCell *self)
{
  g_return_val_if_fail (BRM_IS_PROGRESS_CELL (self), NULL);

  return GTK_PROGRESS_BAR (self->bar);
}
