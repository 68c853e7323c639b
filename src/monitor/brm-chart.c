/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-chart"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "brm-chart.h"

/**
 * BrmChart:
 *
 * The base of the chart family: it owns the series (a #GListStore of
 * #BrmChartSeries), the title, the unit, the kind of x axis and the
 * threshold line, and everything the charts share: colours from the
 * style, keyboard focus between points, and the accessible description.
 *
 * Drawing follows the Sysprof way: each subclass paints with Cairo into a
 * node appended from snapshot; a series' items-changed only queues a
 * draw (GTK coalesces those into one per frame) and tells the subclass
 * which cached geometry to drop.
 *
 * A chart is an accessible image (GTK_ACCESSIBLE_ROLE_IMG) whose
 * description is a sentence summarising it, updated at most once a
 * second while data streams in. Charts that take focus read the focused
 * point in their accessible label.
 */

G_DEFINE_ENUM_TYPE (BrmChartUnit, brm_chart_unit,
                    G_DEFINE_ENUM_VALUE (BRM_CHART_UNIT_COUNT, "count"),
                    G_DEFINE_ENUM_VALUE (BRM_CHART_UNIT_LEADS_PER_MINUTE, "leads-per-minute"),
                    G_DEFINE_ENUM_VALUE (BRM_CHART_UNIT_USD, "usd"),
                    G_DEFINE_ENUM_VALUE (BRM_CHART_UNIT_MILLISECONDS, "milliseconds"),
                    G_DEFINE_ENUM_VALUE (BRM_CHART_UNIT_PERCENT, "percent"))

G_DEFINE_ENUM_TYPE (BrmChartXKind, brm_chart_x_kind,
                    G_DEFINE_ENUM_VALUE (BRM_CHART_X_TIME, "time"),
                    G_DEFINE_ENUM_VALUE (BRM_CHART_X_DAY, "day"),
                    G_DEFINE_ENUM_VALUE (BRM_CHART_X_HOUR, "hour"))

/* Summaries change with every live sample; a screen reader wants them
 * at most once a second. */
#define SUMMARY_INTERVAL_US G_USEC_PER_SEC

typedef struct
{
  GListStore   *series;
  char         *title;
  BrmChartUnit  unit;
  BrmChartXKind x_kind;
  double        threshold;
  char         *threshold_label;

  /* Keyboard focus: the x of the focused point of the first series, so
   * it stays on the same sample while a live series is trimmed. */
  gboolean      has_focus_x;
  double        focus_x;

  char         *summary;
  gint64        summary_updated_us;
  guint         summary_source;

  /* Text → PangoLayout: labels repeat from frame to frame, and shaping
   * them again each time is most of what text costs. Dropped when the
   * style (font) changes. */
  GHashTable   *layouts;

  BrmChartCanvas *canvas;
  /* Bumped when colours, fonts or line widths may have changed. */
  guint         style_serial;

  /* Where the pointer is, for the subclasses' hover readouts. */
  gboolean      hovering;
  graphene_point_t hover;
} BrmChartPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (BrmChart, brm_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_UNIT,
  PROP_X_KIND,
  PROP_SERIES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Accessibility ----------------------------------------------------------- */

static void
update_label (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  guint index = brm_chart_get_focus_index (self);
  g_autofree char *label = NULL;

  if (gtk_widget_is_focus (GTK_WIDGET (self)) && index != G_MAXUINT)
    {
      const BrmChartSample *samples = brm_chart_series_peek_samples (brm_chart_get_series_at (self, 0), NULL);

      label = brm_chart_dup_point_text (self, samples[index].x);
    }
  else
    label = g_strdup (priv->title ? priv->title : "");

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
update_summary (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  g_autofree char *summary = brm_chart_dup_summary (self);

  priv->summary_updated_us = g_get_monotonic_time ();
  if (g_strcmp0 (summary, priv->summary) != 0)
    {
      g_free (priv->summary);
      priv->summary = g_steal_pointer (&summary);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, priv->summary,
                                      -1);
    }
  update_label (self);
}

static gboolean
summary_timeout_cb (gpointer user_data)
{
  BrmChart *self = user_data;
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  priv->summary_source = 0;
  update_summary (self);
  return G_SOURCE_REMOVE;
}

/* The first change after a quiet second is read at once; later ones are
 * folded into one update a second after the last. */
static void
queue_summary (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  gint64 since = g_get_monotonic_time () - priv->summary_updated_us;

  if (priv->summary_source != 0)
    return;

  /* Nobody hears an unmapped chart, so nothing to throttle: keep it
   * current for whoever asks. */
  if (since >= SUMMARY_INTERVAL_US || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      update_summary (self);
      return;
    }

  priv->summary_source = g_timeout_add ((guint) ((SUMMARY_INTERVAL_US - since) / 1000) + 1,
                                        summary_timeout_cb, self);
  g_source_set_name_by_id (priv->summary_source, "[brm] chart summary");
}

void
brm_chart_flush_summary (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_if_fail (BRM_IS_CHART (self));

  g_clear_handle_id (&priv->summary_source, g_source_remove);
  update_summary (self);
}

static void
data_changed (BrmChart *self)
{
  BrmChartClass *klass = BRM_CHART_GET_CLASS (self);

  if (klass->data_changed)
    klass->data_changed (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  queue_summary (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Series ------------------------------------------------------------------ */

static void
series_items_changed_cb (BrmChart *self)
{
  data_changed (self);
}

static void
disconnect_all_series (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (priv->series));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrmChartSeries) series = g_list_model_get_item (G_LIST_MODEL (priv->series), i);

      g_signal_handlers_disconnect_by_data (series, self);
    }
}

/**
 * brm_chart_add_series:
 *
 * Adds @series after the others; it keeps its place (colour, dash,
 * marker, stacking order) for as long as it is in the chart.
 */
void
brm_chart_add_series (BrmChart       *self,
                      BrmChartSeries *series)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_if_fail (BRM_IS_CHART (self));
  g_return_if_fail (BRM_IS_CHART_SERIES (series));

  g_signal_connect_object (series, "items-changed", G_CALLBACK (series_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (series, "notify::label", G_CALLBACK (series_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_list_store_append (priv->series, series);
  data_changed (self);
}

void
brm_chart_remove_all_series (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_if_fail (BRM_IS_CHART (self));

  if (g_list_model_get_n_items (G_LIST_MODEL (priv->series)) == 0)
    return;

  disconnect_all_series (self);
  g_list_store_remove_all (priv->series);
  priv->has_focus_x = FALSE;
  data_changed (self);
}

/**
 * brm_chart_get_series:
 *
 * Returns: (transfer none): a #GListModel of #BrmChartSeries
 */
GListModel *
brm_chart_get_series (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_val_if_fail (BRM_IS_CHART (self), NULL);
  return G_LIST_MODEL (priv->series);
}

guint
brm_chart_get_n_series (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_val_if_fail (BRM_IS_CHART (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (priv->series));
}

/**
 * brm_chart_get_series_at:
 *
 * Returns: (transfer none) (nullable): the series at @index
 */
BrmChartSeries *
brm_chart_get_series_at (BrmChart *self,
                         guint     index)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  BrmChartSeries *series;

  g_return_val_if_fail (BRM_IS_CHART (self), NULL);

  /* The store holds a reference for as long as the series is ours. */
  series = g_list_model_get_item (G_LIST_MODEL (priv->series), index);
  if (series)
    g_object_unref (series);
  return series;
}

double
brm_chart_series_value_at (BrmChartSeries *series,
                           double          x)
{
  guint n, i;
  const BrmChartSample *samples = brm_chart_series_peek_samples (series, &n);

  i = brm_chart_series_find (series, x);
  if (i == G_MAXUINT || samples[i].x != x)
    return NAN;
  return samples[i].y;
}

/* Properties -------------------------------------------------------------- */

void
brm_chart_set_title (BrmChart   *self,
                     const char *title)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_if_fail (BRM_IS_CHART (self));

  if (g_strcmp0 (priv->title, title) == 0)
    return;

  g_free (priv->title);
  priv->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  data_changed (self);
}

const char *
brm_chart_get_title (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_val_if_fail (BRM_IS_CHART (self), NULL);
  return priv->title;
}

void
brm_chart_set_unit (BrmChart     *self,
                    BrmChartUnit  unit)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_if_fail (BRM_IS_CHART (self));

  if (priv->unit == unit)
    return;

  priv->unit = unit;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNIT]);
  data_changed (self);
}

BrmChartUnit
brm_chart_get_unit (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_val_if_fail (BRM_IS_CHART (self), BRM_CHART_UNIT_COUNT);
  return priv->unit;
}

void
brm_chart_set_x_kind (BrmChart      *self,
                      BrmChartXKind  kind)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_if_fail (BRM_IS_CHART (self));

  if (priv->x_kind == kind)
    return;

  priv->x_kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_X_KIND]);
  data_changed (self);
}

BrmChartXKind
brm_chart_get_x_kind (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_val_if_fail (BRM_IS_CHART (self), BRM_CHART_X_TIME);
  return priv->x_kind;
}

/**
 * brm_chart_set_threshold:
 * @value: where the line goes, in the chart's unit; NAN removes it
 * @label: (nullable): what it is ("Budget")
 *
 * A dashed, labelled horizontal line (the budget on a cost chart).
 */
void
brm_chart_set_threshold (BrmChart   *self,
                         double      value,
                         const char *label)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_if_fail (BRM_IS_CHART (self));

  if (((isnan (value) && isnan (priv->threshold)) || value == priv->threshold)
      && g_strcmp0 (label, priv->threshold_label) == 0)
    return;

  priv->threshold = value;
  g_free (priv->threshold_label);
  priv->threshold_label = g_strdup (label);
  data_changed (self);
}

/**
 * brm_chart_get_threshold:
 * @label: (out) (optional) (transfer none):
 *
 * Returns: the threshold, NAN when there is none
 */
double
brm_chart_get_threshold (BrmChart    *self,
                         const char **label)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_val_if_fail (BRM_IS_CHART (self), NAN);

  if (label)
    *label = priv->threshold_label;
  return priv->threshold;
}

char *
brm_chart_format_x (BrmChart *self,
                    double    x)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  double span = 0;
  BrmChartSeries *first;
  double x_min, x_max;

  g_return_val_if_fail (BRM_IS_CHART (self), NULL);

  /* A time spanning days needs the day as well as the time. */
  first = brm_chart_get_series_at (self, 0);
  if (first && brm_chart_series_get_extents (first, &x_min, &x_max, NULL, NULL))
    span = x_max - x_min;

  return brm_chart_format_x_value (priv->x_kind, x, span);
}

char *
brm_chart_format_y (BrmChart *self,
                    double    y)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_val_if_fail (BRM_IS_CHART (self), NULL);
  return brm_chart_format_value (priv->unit, y);
}

char *
brm_chart_dup_point_text (BrmChart *self,
                          double    x)
{
  GString *text;
  g_autofree char *x_text = NULL;
  guint n;

  g_return_val_if_fail (BRM_IS_CHART (self), NULL);

  x_text = brm_chart_format_x (self, x);
  text = g_string_new (x_text);
  n = brm_chart_get_n_series (self);
  for (guint i = 0; i < n; i++)
    {
      BrmChartSeries *series = brm_chart_get_series_at (self, i);
      double y = brm_chart_series_value_at (series, x);
      g_autofree char *value = isnan (y) ? g_strdup (_("no data")) : brm_chart_format_y (self, y);
      const char *label = brm_chart_series_get_label (series);

      if (label && *label)
        g_string_append_printf (text, ", %s %s", label, value);
      else
        g_string_append_printf (text, ", %s", value);
    }

  return g_string_free (text, FALSE);
}

/* Summary ----------------------------------------------------------------- */

static const char *
series_name (BrmChart       *self,
             BrmChartSeries *series)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  const char *label = brm_chart_series_get_label (series);

  if (label && *label)
    return label;
  return priv->title ? priv->title : "";
}

char *
brm_chart_dup_trend_summary (BrmChart *self,
                             double    x_from)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = brm_chart_get_n_series (self);
  guint described = 0;

  for (guint i = 0; i < n; i++)
    {
      BrmChartSeries *series = brm_chart_get_series_at (self, i);
      guint n_samples, first = G_MAXUINT, last = G_MAXUINT;
      const BrmChartSample *s = brm_chart_series_peek_samples (series, &n_samples);
      g_autofree char *value = NULL;

      for (guint j = 0; j < n_samples; j++)
        if (s[j].x >= x_from && !isnan (s[j].y))
          {
            if (first == G_MAXUINT)
              first = j;
            last = j;
          }
      if (last == G_MAXUINT)
        continue;

      if (described++ > 0)
        g_string_append (text, "; ");

      value = brm_chart_format_y (self, s[last].y);
      /* Translators: a series and its latest value: "Throughput 42 leads/min". */
      g_string_append_printf (text, C_("chart summary", "%s %s"), series_name (self, series), value);

      if (priv->x_kind != BRM_CHART_X_HOUR && last != first && s[last].x > s[first].x)
        {
          g_autofree char *span = NULL;
          double a = s[first].y, b = s[last].y;

          if (priv->x_kind == BRM_CHART_X_DAY)
            {
              gulong days = (gulong) round ((s[last].x - s[first].x) / 86400) + 1;

              span = g_strdup_printf (ngettext ("%lu day", "%lu days", days), days);
            }
          else
            span = brm_chart_format_duration (s[last].x - s[first].x);

          if (a == b || (a != 0 && fabs ((b - a) / a) < 0.005))
            g_string_append_printf (text, _(", steady over the last %s"), span);
          else if (a == 0)
            g_string_append_printf (text, b > a ? _(", up from 0 over the last %s") : _(", down from 0 over the last %s"), span);
          else
            {
              double pct = fabs ((b - a) / a) * 100;
              g_autofree char *pct_text = brm_chart_format_value (BRM_CHART_UNIT_PERCENT, round (pct));

              /* Translators: "up 12 % over the last 15 minutes". */
              g_string_append_printf (text, b > a ? _(", up %s over the last %s") : _(", down %s over the last %s"),
                                      pct_text, span);
            }
        }
    }

  if (described == 0)
    {
      if (priv->title && *priv->title)
        /* Translators: a chart's title, then that it has nothing to show. */
        return g_strdup_printf (_("%s: no data"), priv->title);
      return g_strdup (_("No data"));
    }

  if (!isnan (priv->threshold))
    {
      g_autofree char *t = brm_chart_format_y (self, priv->threshold);

      g_string_append_printf (text, "; %s %s",
                              priv->threshold_label ? priv->threshold_label : _("threshold"), t);
    }

  if (n > 1 && priv->title && *priv->title)
    g_string_prepend (text, ": "), g_string_prepend (text, priv->title);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
brm_chart_real_dup_summary (BrmChart *self)
{
  return brm_chart_dup_trend_summary (self, -INFINITY);
}

/**
 * brm_chart_dup_summary:
 *
 * Returns: (transfer full): the sentence the accessible description
 *   holds (once the throttle lets it through)
 */
char *
brm_chart_dup_summary (BrmChart *self)
{
  g_return_val_if_fail (BRM_IS_CHART (self), NULL);
  return BRM_CHART_GET_CLASS (self)->dup_summary (self);
}

/* Keyboard focus ---------------------------------------------------------- */

guint
brm_chart_get_focus_index (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  BrmChartSeries *first;

  g_return_val_if_fail (BRM_IS_CHART (self), G_MAXUINT);

  first = brm_chart_get_series_at (self, 0);
  if (!priv->has_focus_x || first == NULL)
    return G_MAXUINT;
  return brm_chart_series_find (first, priv->focus_x);
}

void
brm_chart_set_focus_index (BrmChart *self,
                           guint     index)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  BrmChartSeries *first;
  const BrmChartSample *samples;
  guint n;

  g_return_if_fail (BRM_IS_CHART (self));

  first = brm_chart_get_series_at (self, 0);
  samples = first ? brm_chart_series_peek_samples (first, &n) : NULL;
  if (samples == NULL || index >= n)
    priv->has_focus_x = FALSE;
  else
    {
      priv->has_focus_x = TRUE;
      priv->focus_x = samples[index].x;
    }

  update_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                BrmChart              *self)
{
  BrmChartSeries *first = brm_chart_get_series_at (self, 0);
  guint n = first ? brm_chart_series_get_n_samples (first) : 0;
  guint index = brm_chart_get_focus_index (self);
  guint next;

  if (n == 0 || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      next = index == G_MAXUINT ? n - 1 : (index > 0 ? index - 1 : 0);
      break;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      next = index == G_MAXUINT ? 0 : MIN (index + 1, n - 1);
      break;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      next = 0;
      break;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      next = n - 1;
      break;
    default:
      return FALSE;
    }

  brm_chart_set_focus_index (self, next);
  return TRUE;
}

static void
focus_changed_cb (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  BrmChartSeries *first = brm_chart_get_series_at (self, 0);
  BrmChartSample last;

  /* Arriving with no point chosen starts on the newest one. */
  if (gtk_widget_is_focus (GTK_WIDGET (self)) && !priv->has_focus_x
      && first && brm_chart_series_get_last (first, &last))
    {
      priv->has_focus_x = TRUE;
      priv->focus_x = last.x;
    }

  update_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
click_pressed_cb (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  BrmChart        *self)
{
  if (gtk_widget_get_focusable (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self));
}

/* Style ------------------------------------------------------------------- */

static void
style_changed_cb (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  priv->style_serial++;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static AdwStyleManager *
style_manager (void)
{
  return adw_is_initialized () ? adw_style_manager_get_default () : NULL;
}

gboolean
brm_chart_get_high_contrast (BrmChart *self)
{
  AdwStyleManager *manager = style_manager ();

  return manager != NULL && adw_style_manager_get_high_contrast (manager);
}

static gboolean
is_dark (void)
{
  AdwStyleManager *manager = style_manager ();

  return manager != NULL && adw_style_manager_get_dark (manager);
}

/* The GNOME palette, for when style.css (chart_1 … chart_6) is not
 * loaded: the app loads it, a test or another host may not. */
static const char *palette_light[] = { "#1c71d8", "#c64600", "#26a269", "#813d9c", "#865e3c", "#c01c28" };
static const char *palette_dark[] = { "#62a0ea", "#ffa348", "#57e389", "#c061cb", "#cdab8f", "#f66151" };

G_GNUC_BEGIN_IGNORE_DEPRECATIONS

void
brm_chart_get_series_color (BrmChart *self,
                            guint     index,
                            GdkRGBA  *color)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));
  char name[16];

  g_snprintf (name, sizeof name, "chart_%u", index % 6 + 1);
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, (is_dark () ? palette_dark : palette_light)[index % 6]);
}

void
brm_chart_get_foreground (BrmChart *self,
                          GdkRGBA  *color)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), color);
}

void
brm_chart_get_background (BrmChart *self,
                          GdkRGBA  *color)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (!gtk_style_context_lookup_color (context, "view_bg_color", color))
    gdk_rgba_parse (color, is_dark () ? "#1e1e1e" : "#ffffff");
}

G_GNUC_END_IGNORE_DEPRECATIONS

guint
brm_chart_style_index (guint index)
{
  /* Colours repeat every six series; the seventh gets the first colour
   * with the second pattern, and so on, so no two series look alike. */
  return (index + index / 6) % 6;
}

double
brm_chart_get_line_width (BrmChart *self)
{
  return brm_chart_get_high_contrast (self) ? 3.0 : 2.0;
}

void
brm_chart_set_series_dash (BrmChart *self,
                           cairo_t  *cr,
                           guint     index)
{
  double lw = brm_chart_get_line_width (self);
  /* Series are told apart by dash as well as colour (and by marker). */
  static const double dashes[6][4] = {
    { 0, 0, 0, 0 },
    { 6, 4, 0, 0 },
    { 1, 3, 0, 0 },
    { 8, 3, 2, 3 },
    { 12, 4, 0, 0 },
    { 3, 3, 0, 0 },
  };
  static const int n_dashes[6] = { 0, 2, 2, 4, 2, 2 };
  double d[4];
  guint k = brm_chart_style_index (index);

  for (int i = 0; i < n_dashes[k]; i++)
    d[i] = dashes[k][i] * lw / 2;
  cairo_set_line_cap (cr, k == 2 ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT);
  cairo_set_dash (cr, d, n_dashes[k], 0);
}

void
brm_chart_draw_marker (cairo_t *cr,
                       guint    index,
                       double   x,
                       double   y,
                       double   r)
{
  cairo_save (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  cairo_new_path (cr);
  switch (brm_chart_style_index (index))
    {
    case 0: /* circle */
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      cairo_fill (cr);
      break;
    case 1: /* square */
      cairo_rectangle (cr, x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      cairo_fill (cr);
      break;
    case 2: /* triangle */
      cairo_move_to (cr, x, y - r * 1.1);
      cairo_line_to (cr, x + r, y + r * 0.8);
      cairo_line_to (cr, x - r, y + r * 0.8);
      cairo_close_path (cr);
      cairo_fill (cr);
      break;
    case 3: /* diamond */
      cairo_move_to (cr, x, y - r * 1.2);
      cairo_line_to (cr, x + r, y);
      cairo_line_to (cr, x, y + r * 1.2);
      cairo_line_to (cr, x - r, y);
      cairo_close_path (cr);
      cairo_fill (cr);
      break;
    case 4: /* cross */
      cairo_set_line_width (cr, MAX (1.5, r / 2));
      cairo_move_to (cr, x - r, y - r);
      cairo_line_to (cr, x + r, y + r);
      cairo_move_to (cr, x + r, y - r);
      cairo_line_to (cr, x - r, y + r);
      cairo_stroke (cr);
      break;
    default: /* plus */
      cairo_set_line_width (cr, MAX (1.5, r / 2));
      cairo_move_to (cr, x - r, y);
      cairo_line_to (cr, x + r, y);
      cairo_move_to (cr, x, y - r);
      cairo_line_to (cr, x, y + r);
      cairo_stroke (cr);
      break;
    }
  cairo_restore (cr);
}

static double
luminance (const GdkRGBA *c)
{
  return 0.2126 * c->red + 0.7152 * c->green + 0.0722 * c->blue;
}

cairo_pattern_t *
brm_chart_create_layer_pattern (BrmChart *self,
                                guint     index)
{
  const int size = 8;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, size, size);
  cairo_t *cr = cairo_create (surface);
  cairo_pattern_t *pattern;
  GdkRGBA fill;
  double ink = brm_chart_get_high_contrast (self) ? 1.0 : 0.55;

  brm_chart_get_series_color (self, index, &fill);
  fill.alpha = 1;
  gdk_cairo_set_source_rgba (cr, &fill);
  cairo_paint (cr);

  /* The marks contrast with the fill: dark on light colours and back. */
  if (luminance (&fill) > 0.5)
    cairo_set_source_rgba (cr, 0, 0, 0, ink);
  else
    cairo_set_source_rgba (cr, 1, 1, 1, ink);
  cairo_set_line_width (cr, 1.5);

  switch (brm_chart_style_index (index))
    {
    case 0: /* solid */
      break;
    case 1: /* diagonal hatching */
      cairo_move_to (cr, -1, size + 1);
      cairo_line_to (cr, size + 1, -1);
      cairo_move_to (cr, -1, 1);
      cairo_line_to (cr, 1, -1);
      cairo_move_to (cr, size - 1, size + 1);
      cairo_line_to (cr, size + 1, size - 1);
      cairo_stroke (cr);
      break;
    case 2: /* dots */
      cairo_arc (cr, size / 2.0, size / 2.0, 1.6, 0, 2 * G_PI);
      cairo_fill (cr);
      break;
    case 3: /* cross-hatching */
      cairo_move_to (cr, 0, size / 2.0);
      cairo_line_to (cr, size, size / 2.0);
      cairo_move_to (cr, size / 2.0, 0);
      cairo_line_to (cr, size / 2.0, size);
      cairo_stroke (cr);
      break;
    case 4: /* horizontal lines */
      cairo_move_to (cr, 0, size / 2.0);
      cairo_line_to (cr, size, size / 2.0);
      cairo_stroke (cr);
      break;
    default: /* the other diagonal */
      cairo_move_to (cr, -1, -1);
      cairo_line_to (cr, size + 1, size + 1);
      cairo_move_to (cr, size - 1, -1);
      cairo_line_to (cr, size + 1, 1);
      cairo_move_to (cr, -1, size - 1);
      cairo_line_to (cr, 1, size + 1);
      cairo_stroke (cr);
      break;
    }

  cairo_destroy (cr);
  pattern = cairo_pattern_create_for_surface (surface);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_REPEAT);
  cairo_surface_destroy (surface);
  return pattern;
}

/* Text -------------------------------------------------------------------- */

#define MAX_CACHED_LAYOUTS 512

static PangoLayout *
get_layout (BrmChart   *self,
            const char *text)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  PangoLayout *layout = g_hash_table_lookup (priv->layouts, text);

  if (layout == NULL)
    {
      /* Live x labels move on; a bounded cache is simply started over. */
      if (g_hash_table_size (priv->layouts) >= MAX_CACHED_LAYOUTS)
        g_hash_table_remove_all (priv->layouts);
      layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      g_hash_table_insert (priv->layouts, g_strdup (text), layout);
    }
  return layout;
}

static void
drop_layouts (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_hash_table_remove_all (priv->layouts);
}

void
brm_chart_measure_text (BrmChart   *self,
                        const char *text,
                        double     *width,
                        double     *height)
{
  PangoLayout *layout = get_layout (self, text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (width)
    *width = w;
  if (height)
    *height = h;
}

void
brm_chart_draw_text (BrmChart   *self,
                     cairo_t    *cr,
                     const char *text,
                     double      x,
                     double      y,
                     double      xalign,
                     double      yalign,
                     double     *width,
                     double     *height)
{
  PangoLayout *layout = get_layout (self, text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, round (x - w * xalign), round (y - h * yalign));
  pango_cairo_show_layout (cr, layout);
  cairo_new_path (cr);
  if (width)
    *width = w;
  if (height)
    *height = h;
}

/* Legend ------------------------------------------------------------------ */

#define LEGEND_SWATCH 24
#define LEGEND_GAP 16

static double
layout_legend (BrmChart *self,
               cairo_t  *cr,
               double    x0,
               double    y0,
               double    width,
               gboolean  patterns)
{
  guint n = brm_chart_get_n_series (self);
  double x = x0, y = y0, row_h = 0;
  GdkRGBA fg;

  if (n == 0)
    return 0;

  brm_chart_get_foreground (self, &fg);

  for (guint i = 0; i < n; i++)
    {
      BrmChartSeries *series = brm_chart_get_series_at (self, i);
      const char *label = series_name (self, series);
      double tw, th, item_w;

      brm_chart_measure_text (self, label, &tw, &th);
      item_w = LEGEND_SWATCH + 6 + tw;
      if (x > x0 && x + item_w > x0 + width)
        {
          x = x0;
          y += row_h + 4;
          row_h = 0;
        }
      row_h = MAX (row_h, th);

      if (cr)
        {
          double cy = y + th / 2;
          GdkRGBA c;

          brm_chart_get_series_color (self, i, &c);
          if (patterns)
            {
              cairo_pattern_t *p = brm_chart_create_layer_pattern (self, i);

              cairo_rectangle (cr, x + 4, cy - 7, 16, 14);
              cairo_set_source (cr, p);
              cairo_fill_preserve (cr);
              cairo_pattern_destroy (p);
              gdk_cairo_set_source_rgba (cr, &fg);
              cairo_set_line_width (cr, 1);
              cairo_stroke (cr);
            }
          else
            {
              gdk_cairo_set_source_rgba (cr, &c);
              cairo_set_line_width (cr, brm_chart_get_line_width (self));
              brm_chart_set_series_dash (self, cr, i);
              cairo_move_to (cr, x, cy);
              cairo_line_to (cr, x + LEGEND_SWATCH, cy);
              cairo_stroke (cr);
              brm_chart_draw_marker (cr, i, x + LEGEND_SWATCH / 2.0, cy, 4);
            }
          gdk_cairo_set_source_rgba (cr, &fg);
          brm_chart_draw_text (self, cr, label, x + LEGEND_SWATCH + 6, y, 0, 0, NULL, NULL);
        }
      x += item_w + LEGEND_GAP;
    }

  return y + row_h - y0;
}

double
brm_chart_measure_legend (BrmChart *self,
                          double    width)
{
  return layout_legend (self, NULL, 0, 0, width, FALSE);
}

double
brm_chart_draw_legend (BrmChart *self,
                       cairo_t  *cr,
                       double    x,
                       double    y,
                       double    width,
                       gboolean  swatch_is_pattern)
{
  double h;

  cairo_save (cr);
  h = layout_legend (self, cr, x, y, width, swatch_is_pattern);
  cairo_restore (cr);
  return h;
}

/* Readout: the box by the crosshair or the focused point. */
void
brm_chart_draw_readout (BrmChart              *self,
                        cairo_t               *cr,
                        double                 data_x,
                        double                 x,
                        double                 y,
                        const graphene_rect_t *bounds)
{
  guint n = brm_chart_get_n_series (self);
  g_autofree char *x_text = brm_chart_format_x (self, data_x);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  double w = 0, h = 0, line_h = 0, bx, by;
  GdkRGBA fg, bg;

  g_ptr_array_add (lines, g_strdup (x_text));
  for (guint i = 0; i < n; i++)
    {
      BrmChartSeries *series = brm_chart_get_series_at (self, i);
      double v = brm_chart_series_value_at (series, data_x);
      g_autofree char *value = isnan (v) ? g_strdup (_("no data")) : brm_chart_format_y (self, v);

      g_ptr_array_add (lines, g_strdup_printf ("%s: %s", series_name (self, series), value));
    }

  for (guint i = 0; i < lines->len; i++)
    {
      double tw, th;

      brm_chart_measure_text (self, lines->pdata[i], &tw, &th);
      w = MAX (w, tw + (i > 0 ? 16 : 0));
      line_h = MAX (line_h, th);
    }
  h = line_h * lines->len;
  w += 12;
  h += 8;

  /* Beside the point, on whichever side has room. */
  bx = x + 12;
  if (bx + w > bounds->origin.x + bounds->size.width)
    bx = x - 12 - w;
  bx = MAX (bx, bounds->origin.x);
  by = CLAMP (y - h / 2, bounds->origin.y, MAX (bounds->origin.y, bounds->origin.y + bounds->size.height - h));

  brm_chart_get_foreground (self, &fg);
  brm_chart_get_background (self, &bg);

  cairo_save (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  cairo_rectangle (cr, round (bx) + 0.5, round (by) + 0.5, round (w), round (h));
  bg.alpha = 1;
  gdk_cairo_set_source_rgba (cr, &bg);
  cairo_fill_preserve (cr);
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);

  for (guint i = 0; i < lines->len; i++)
    {
      double ty = by + 4 + i * line_h;

      if (i > 0)
        {
          GdkRGBA c;

          brm_chart_get_series_color (self, i - 1, &c);
          gdk_cairo_set_source_rgba (cr, &c);
          brm_chart_draw_marker (cr, i - 1, bx + 6 + 5, ty + line_h / 2, 4);
        }
      gdk_cairo_set_source_rgba (cr, &fg);
      brm_chart_draw_text (self, cr, lines->pdata[i], bx + 6 + (i > 0 ? 16 : 0), ty, 0, 0, NULL, NULL);
    }
  cairo_restore (cr);
}

/* Axes -------------------------------------------------------------------- */

GArray *
brm_chart_value_ticks (BrmChart *self,
                       double    data_min,
                       double    data_max,
                       guint     max_ticks,
                       double   *axis_min,
                       double   *axis_max,
                       double   *step)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  GArray *ticks = brm_chart_nice_ticks (data_min, data_max, max_ticks, axis_min, axis_max, step);

  /* A count has no half batches: 0, 1 rather than 0, 0.5, 1. */
  if (priv->unit == BRM_CHART_UNIT_COUNT && *step < 1)
    {
      g_array_unref (ticks);
      ticks = brm_chart_nice_ticks (data_min, MAX (data_max, data_min + 1),
                                    MAX (2, (guint) ceil (MAX (data_max, data_min + 1) - data_min) + 1),
                                    axis_min, axis_max, step);
    }
  return ticks;
}

gboolean
brm_chart_threshold_in_range (BrmChart *self,
                              double    data_max)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  if (isnan (priv->threshold))
    return FALSE;
  /* A budget far above what was spent would flatten the data against
   * the bottom: then it is named at the top instead of drawn to scale. */
  return !(data_max > 0 && priv->threshold > 4 * data_max) && !(data_max <= 0 && priv->threshold > 0 && isfinite (data_max));
}

double
brm_chart_measure_y_axis (BrmChart *self,
                          GArray   *ticks,
                          double    step)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  double width = 0;

  for (guint i = 0; i < ticks->len; i++)
    {
      g_autofree char *text = brm_chart_format_tick (priv->unit, g_array_index (ticks, double, i), step);
      double tw;

      brm_chart_measure_text (self, text, &tw, NULL);
      width = MAX (width, tw);
    }
  return width;
}

void
brm_chart_draw_y_axis (BrmChart              *self,
                       cairo_t               *cr,
                       const graphene_rect_t *plot,
                       GArray                *ticks,
                       double                 step,
                       const BrmChartScale   *y_scale)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  gboolean hc = brm_chart_get_high_contrast (self);
  GdkRGBA fg, grid;

  brm_chart_get_foreground (self, &fg);
  grid = fg;
  grid.alpha = hc ? 0.45 : 0.12;

  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  cairo_set_dash (cr, NULL, 0, 0);
  for (guint i = 0; i < ticks->len; i++)
    {
      double v = g_array_index (ticks, double, i);
      double y = round (brm_chart_scale_map (y_scale, v)) + 0.5;
      g_autofree char *text = brm_chart_format_tick (priv->unit, v, step);

      gdk_cairo_set_source_rgba (cr, &grid);
      cairo_move_to (cr, plot->origin.x, y);
      cairo_line_to (cr, plot->origin.x + plot->size.width, y);
      cairo_stroke (cr);

      gdk_cairo_set_source_rgba (cr, &fg);
      brm_chart_draw_text (self, cr, text, plot->origin.x - 6, y, 1, 0.5, NULL, NULL);
    }
  cairo_restore (cr);
}

void
brm_chart_draw_threshold (BrmChart              *self,
                          cairo_t               *cr,
                          const graphene_rect_t *plot,
                          const BrmChartScale   *y_scale)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  static const double dash[] = { 6, 4 };
  g_autofree char *value = NULL;
  g_autofree char *text = NULL;
  double y, tw, th;
  GdkRGBA fg, bg;

  if (isnan (priv->threshold))
    return;

  brm_chart_get_foreground (self, &fg);
  brm_chart_get_background (self, &bg);

  if (priv->threshold > y_scale->domain_max)
    {
      /* Off the scale (brm_chart_threshold_in_range()): named, with an
       * arrow pointing up, in the plot's top right corner. */
      value = brm_chart_format_y (self, priv->threshold);
      /* Translators: a threshold above the chart's scale: "▲ Budget $500.00". */
      text = g_strdup_printf (_("▲ %s %s"), priv->threshold_label ? priv->threshold_label : "", value);
      cairo_save (cr);
      gdk_cairo_set_source_rgba (cr, &fg);
      brm_chart_draw_text (self, cr, text, plot->origin.x + plot->size.width - 4, plot->origin.y, 1, 0.5, NULL, NULL);
      cairo_restore (cr);
      return;
    }

  y = round (brm_chart_scale_map (y_scale, priv->threshold)) + 0.5;

  cairo_save (cr);
  gdk_cairo_set_source_rgba (cr, &fg);
  cairo_set_line_width (cr, brm_chart_get_high_contrast (self) ? 2 : 1.5);
  cairo_set_dash (cr, dash, 2, 0);
  cairo_move_to (cr, plot->origin.x, y);
  cairo_line_to (cr, plot->origin.x + plot->size.width, y);
  cairo_stroke (cr);

  /* The label sits on the line's right end, over a patch of background
   * so a series passing under it does not garble it. */
  value = brm_chart_format_y (self, priv->threshold);
  text = priv->threshold_label ? g_strdup_printf ("%s %s", priv->threshold_label, value) : g_strdup (value);
  brm_chart_measure_text (self, text, &tw, &th);
  bg.alpha = 1;
  gdk_cairo_set_source_rgba (cr, &bg);
  cairo_rectangle (cr, plot->origin.x + plot->size.width - tw - 6, y - th - 1, tw + 4, th);
  cairo_fill (cr);
  gdk_cairo_set_source_rgba (cr, &fg);
  brm_chart_draw_text (self, cr, text, plot->origin.x + plot->size.width - 4, y - 1, 1, 1, NULL, NULL);
  cairo_restore (cr);
}

/* Canvas ------------------------------------------------------------------ */

struct _BrmChartCanvas
{
  cairo_surface_t *surface;
  gboolean         drawing;
};

BrmChartCanvas *
brm_chart_canvas_new (void)
{
  return g_new0 (BrmChartCanvas, 1);
}

void
brm_chart_canvas_free (BrmChartCanvas *canvas)
{
  if (canvas == NULL)
    return;
  g_clear_pointer (&canvas->surface, cairo_surface_destroy);
  g_free (canvas);
}

cairo_t *
brm_chart_canvas_begin (BrmChartCanvas *canvas,
                        int             width,
                        int             height,
                        int             scale)
{
  int pw = MAX (1, width) * scale, ph = MAX (1, height) * scale;
  cairo_t *cr;

  g_return_val_if_fail (!canvas->drawing, NULL);

  if (canvas->surface == NULL
      || cairo_image_surface_get_width (canvas->surface) != pw
      || cairo_image_surface_get_height (canvas->surface) != ph)
    {
      g_clear_pointer (&canvas->surface, cairo_surface_destroy);
      canvas->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, pw, ph);
      cairo_surface_set_device_scale (canvas->surface, scale, scale);
    }

  /* Clearing through Cairo (not memset) is what detaches a frame still
   * in flight: Cairo copies the old pixels for it first. */
  canvas->drawing = TRUE;
  cr = cairo_create (canvas->surface);
  cairo_save (cr);
  cairo_set_operator (cr, CAIRO_OPERATOR_CLEAR);
  cairo_paint (cr);
  cairo_restore (cr);
  return cr;
}

cairo_surface_t *
brm_chart_canvas_get_surface (BrmChartCanvas *canvas)
{
  return canvas->surface;
}

void
brm_chart_canvas_end (BrmChartCanvas *canvas,
                      cairo_t        *cr)
{
  g_return_if_fail (canvas->drawing);

  cairo_destroy (cr);
  cairo_surface_flush (canvas->surface);
  canvas->drawing = FALSE;
}

void
brm_chart_canvas_append (BrmChartCanvas        *canvas,
                         GtkSnapshot           *snapshot,
                         const graphene_rect_t *bounds)
{
  cairo_t *cr;

  g_return_if_fail (!canvas->drawing);

  if (canvas->surface == NULL)
    return;

  /* The node holds a Cairo snapshot of the surface, not a copy: the
   * pixels are only copied if we paint into it again while GTK still
   * has the old frame. A GdkTexture would be converted pixel by pixel
   * by GTK 4.8's Cairo renderer instead (about 4 ms for 1200 × 300). */
  cr = gtk_snapshot_append_cairo (snapshot, bounds);
  cairo_set_source_surface (cr, canvas->surface, bounds->origin.x, bounds->origin.y);
  cairo_paint (cr);
  cairo_destroy (cr);
}

/* GtkWidget --------------------------------------------------------------- */

static void
brm_chart_snapshot (GtkWidget   *widget,
                    GtkSnapshot *snapshot)
{
  BrmChart *self = BRM_CHART (widget);
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;

  cr = brm_chart_canvas_begin (priv->canvas, width, height, gtk_widget_get_scale_factor (widget));
  BRM_CHART_GET_CLASS (self)->draw (self, cr, width, height);
  brm_chart_canvas_end (priv->canvas, cr);
  brm_chart_canvas_append (priv->canvas, snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static void
brm_chart_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 480;
    }
  else
    {
      *minimum = 120;
      *natural = 220;
    }
}

static void
brm_chart_css_changed (GtkWidget         *widget,
                       GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (brm_chart_parent_class)->css_changed (widget, change);
  /* Colours come from the style: chart_N, the text colour; the font
   * may have changed too. */
  drop_layouts (BRM_CHART (widget));
  style_changed_cb (BRM_CHART (widget));
}

guint
brm_chart_get_style_serial (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_val_if_fail (BRM_IS_CHART (self), 0);
  return priv->style_serial;
}

static void
brm_chart_draw_nothing (BrmChart *self,
                        cairo_t  *cr,
                        int       width,
                        int       height)
{
}

static void
brm_chart_dispose (GObject *object)
{
  BrmChart *self = BRM_CHART (object);
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_clear_handle_id (&priv->summary_source, g_source_remove);
  if (priv->series)
    {
      disconnect_all_series (self);
      g_clear_object (&priv->series);
    }

  G_OBJECT_CLASS (brm_chart_parent_class)->dispose (object);
}

static void
brm_chart_finalize (GObject *object)
{
  BrmChart *self = BRM_CHART (object);
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_free (priv->title);
  g_free (priv->threshold_label);
  g_free (priv->summary);
  g_hash_table_unref (priv->layouts);
  brm_chart_canvas_free (priv->canvas);

  G_OBJECT_CLASS (brm_chart_parent_class)->finalize (object);
}

static void
brm_chart_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BrmChart *self = BRM_CHART (object);
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, priv->title);
      break;
    case PROP_UNIT:
      g_value_set_enum (value, priv->unit);
      break;
    case PROP_X_KIND:
      g_value_set_enum (value, priv->x_kind);
      break;
    case PROP_SERIES:
      g_value_set_object (value, priv->series);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_chart_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BrmChart *self = BRM_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      brm_chart_set_title (self, g_value_get_string (value));
      break;
    case PROP_UNIT:
      brm_chart_set_unit (self, g_value_get_enum (value));
      break;
    case PROP_X_KIND:
      brm_chart_set_x_kind (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_chart_class_init (BrmChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = brm_chart_dispose;
  object_class->finalize = brm_chart_finalize;
  object_class->get_property = brm_chart_get_property;
  object_class->set_property = brm_chart_set_property;

  widget_class->snapshot = brm_chart_snapshot;
  widget_class->measure = brm_chart_measure;
  widget_class->css_changed = brm_chart_css_changed;

  klass->draw = brm_chart_draw_nothing;
  klass->dup_summary = brm_chart_real_dup_summary;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNIT] =
    g_param_spec_enum ("unit", NULL, NULL, BRM_TYPE_CHART_UNIT, BRM_CHART_UNIT_COUNT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_X_KIND] =
    g_param_spec_enum ("x-kind", NULL, NULL, BRM_TYPE_CHART_X_KIND, BRM_CHART_X_TIME,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERIES] =
    g_param_spec_object ("series", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BrmChart::changed:
   *
   * Any series, the series list, the unit, the title or the threshold
   * changed: what the chart (and its table) shows is different.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "chart");
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           BrmChart                 *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  priv->hovering = TRUE;
  priv->hover = GRAPHENE_POINT_INIT (x, y);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          BrmChart                 *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  priv->hovering = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * brm_chart_get_hover_point:
 * @point: (out): where the pointer is, in widget coordinates
 *
 * For subclasses drawing a hover readout; every chart tracks the pointer
 * and redraws as it moves.
 *
 * Returns: whether the pointer is over the chart
 */
gboolean
brm_chart_get_hover_point (BrmChart         *self,
                           graphene_point_t *point)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);

  g_return_val_if_fail (BRM_IS_CHART (self), FALSE);

  if (priv->hovering && point != NULL)
    *point = priv->hover;
  return priv->hovering;
}

static void
brm_chart_init (BrmChart *self)
{
  BrmChartPrivate *priv = brm_chart_get_instance_private (self);
  GtkEventController *controller;
  AdwStyleManager *manager = style_manager ();

  priv->series = g_list_store_new (BRM_TYPE_CHART_SERIES);
  priv->threshold = NAN;
  priv->layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  priv->canvas = brm_chart_canvas_new ();

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (focus_changed_cb), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (focus_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  g_signal_connect (controller, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* Dark and high contrast change the palette and line widths. */
  if (manager)
    {
      g_signal_connect_object (manager, "notify::dark", G_CALLBACK (style_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (manager, "notify::high-contrast", G_CALLBACK (style_changed_cb), self, G_CONNECT_SWAPPED);
    }

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  update_summary (self);
}
