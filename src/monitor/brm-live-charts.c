/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-live-charts"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "brm-live-charts.h"
#include "brm-sparkline.h"
#include "brm-time-chart.h"

/**
 * BrmLiveCharts:
 *
 * The dashboard's live row: total throughput (leads/min) and today's spend
 * against the budget line, over the last 15 or 60 minutes, from a
 * #BrmLiveMetrics. When the row is narrower than 600 px an AdwSqueezer
 * shows two sparklines with their current values instead, so the batch
 * table keeps its room down to 360 px.
 */
struct _BrmLiveCharts
{
  GtkWidget       parent_instance;

  AdwSqueezer    *squeezer;
  GtkWidget      *full_box;
  GtkWidget      *compact_box;
  GtkBox         *charts_box;
  GtkBox         *compact_throughput_box;
  GtkBox         *compact_spend_box;
  GtkLabel       *compact_throughput_label;
  GtkLabel       *compact_spend_label;
  GtkToggleButton *span15_button;
  GtkToggleButton *span60_button;

  BrmChartView   *throughput_view;
  BrmChartView   *spend_view;
  BrmTimeChart   *throughput_chart;
  BrmTimeChart   *spend_chart;
  BrmSparkline   *throughput_spark;
  BrmSparkline   *spend_spark;

  BrmLiveMetrics *metrics;
  guint           minutes;
};

G_DEFINE_FINAL_TYPE (BrmLiveCharts, brm_live_charts, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_METRICS,
  PROP_MINUTES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_label_if_changed (GtkLabel   *label,
                      const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

/* The budget line and the compact row's texts. */
static void
update_values (BrmLiveCharts *self)
{
  double budget = self->metrics ? brm_live_metrics_get_daily_budget (self->metrics) : NAN;
  double rate = self->metrics ? brm_live_metrics_get_throughput_now (self->metrics) : NAN;
  double spent = self->metrics ? brm_live_metrics_get_spent_today (self->metrics) : NAN;
  g_autofree char *rate_text = brm_chart_format_y (BRM_CHART (self->throughput_chart), rate);
  g_autofree char *spent_text = brm_chart_format_y (BRM_CHART (self->spend_chart), spent);
  g_autofree char *throughput = NULL;
  g_autofree char *spend = NULL;

  if (isfinite (budget) && budget > 0)
    {
      g_autofree char *budget_text = brm_chart_format_y (BRM_CHART (self->spend_chart), budget);
      /* The chart writes the value after the label itself. */
      const char *label = _("Daily budget");

      brm_chart_set_threshold (BRM_CHART (self->spend_chart), budget, label);
      brm_chart_set_threshold (BRM_CHART (self->spend_spark), budget, label);
      /* TRANSLATORS: spent today of the daily budget, "$12.30 of $500.00" */
      spend = g_strdup_printf (_("%s of %s"), spent_text, budget_text);
    }
  else
    {
      brm_chart_set_threshold (BRM_CHART (self->spend_chart), NAN, NULL);
      brm_chart_set_threshold (BRM_CHART (self->spend_spark), NAN, NULL);
      spend = g_strdup (spent_text);
    }
  /* Narrow, the row is a sparkline beside each figure; the words are in
   * the summary strip above and in each sparkline's description. */
  throughput = g_strdup (rate_text);

  set_label_if_changed (self->compact_throughput_label, throughput);
  set_label_if_changed (self->compact_spend_label, spend);
}

static void
span_toggled_cb (BrmLiveCharts *self)
{
  brm_live_charts_set_minutes (self, gtk_toggle_button_get_active (self->span60_button) ? 60 : 15);
}

static void
setup_chart (BrmChart    *chart,
             const char  *title,
             BrmChartUnit unit)
{
  brm_chart_set_title (chart, title);
  brm_chart_set_unit (chart, unit);
  brm_chart_set_x_kind (chart, BRM_CHART_X_TIME);
}

static void
brm_live_charts_dispose (GObject *object)
{
  BrmLiveCharts *self = BRM_LIVE_CHARTS (object);

  if (self->metrics != NULL)
    g_signal_handlers_disconnect_by_data (self->metrics, self);
  g_clear_object (&self->metrics);
  gtk_widget_dispose_template (GTK_WIDGET (self), BRM_TYPE_LIVE_CHARTS);

  G_OBJECT_CLASS (brm_live_charts_parent_class)->dispose (object);
}

static void
brm_live_charts_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BrmLiveCharts *self = BRM_LIVE_CHARTS (object);

  switch (prop_id)
    {
    case PROP_METRICS:
      g_value_set_object (value, self->metrics);
      break;
    case PROP_MINUTES:
      g_value_set_uint (value, self->minutes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_live_charts_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BrmLiveCharts *self = BRM_LIVE_CHARTS (object);

  switch (prop_id)
    {
    case PROP_METRICS:
      brm_live_charts_set_metrics (self, g_value_get_object (value));
      break;
    case PROP_MINUTES:
      brm_live_charts_set_minutes (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_live_charts_class_init (BrmLiveChartsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = brm_live_charts_dispose;
  object_class->get_property = brm_live_charts_get_property;
  object_class->set_property = brm_live_charts_set_property;

  properties[PROP_METRICS] =
    g_param_spec_object ("metrics", NULL, NULL, BRM_TYPE_LIVE_METRICS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BrmLiveCharts:minutes:
   *
   * How much history the charts show: 15 or 60 minutes.
   */
  properties[PROP_MINUTES] =
    g_param_spec_uint ("minutes", NULL, NULL, 15, 60, 15,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/brm-live-charts.ui");
  gtk_widget_class_bind_template_child (widget_class, BrmLiveCharts, squeezer);
  gtk_widget_class_bind_template_child (widget_class, BrmLiveCharts, full_box);
  gtk_widget_class_bind_template_child (widget_class, BrmLiveCharts, compact_box);
  gtk_widget_class_bind_template_child (widget_class, BrmLiveCharts, charts_box);
  gtk_widget_class_bind_template_child (widget_class, BrmLiveCharts, compact_throughput_box);
  gtk_widget_class_bind_template_child (widget_class, BrmLiveCharts, compact_spend_box);
  gtk_widget_class_bind_template_child (widget_class, BrmLiveCharts, compact_throughput_label);
  gtk_widget_class_bind_template_child (widget_class, BrmLiveCharts, compact_spend_label);
  gtk_widget_class_bind_template_child (widget_class, BrmLiveCharts, span15_button);
  gtk_widget_class_bind_template_child (widget_class, BrmLiveCharts, span60_button);
}

static void
brm_live_charts_init (BrmLiveCharts *self)
{
  self->minutes = 15;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->throughput_chart = brm_time_chart_new ();
  setup_chart (BRM_CHART (self->throughput_chart), _("Throughput"), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  self->spend_chart = brm_time_chart_new ();
  setup_chart (BRM_CHART (self->spend_chart), _("Spend Today"), BRM_CHART_UNIT_USD);
  brm_time_chart_set_style (self->spend_chart, BRM_TIME_CHART_AREA);
  brm_time_chart_set_window (self->throughput_chart, self->minutes * 60);
  brm_time_chart_set_window (self->spend_chart, self->minutes * 60);
  gtk_widget_set_size_request (GTK_WIDGET (self->throughput_chart), -1, 120);
  gtk_widget_set_size_request (GTK_WIDGET (self->spend_chart), -1, 120);

  self->throughput_view = brm_chart_view_new (BRM_CHART (self->throughput_chart));
  self->spend_view = brm_chart_view_new (BRM_CHART (self->spend_chart));
  gtk_box_append (self->charts_box, GTK_WIDGET (self->throughput_view));
  gtk_box_append (self->charts_box, GTK_WIDGET (self->spend_view));

  self->throughput_spark = brm_sparkline_new ();
  setup_chart (BRM_CHART (self->throughput_spark), _("Throughput"), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  self->spend_spark = brm_sparkline_new ();
  setup_chart (BRM_CHART (self->spend_spark), _("Spend Today"), BRM_CHART_UNIT_USD);
  gtk_widget_set_size_request (GTK_WIDGET (self->throughput_spark), 60, 24);
  gtk_widget_set_size_request (GTK_WIDGET (self->spend_spark), 60, 24);
  gtk_box_append (self->compact_throughput_box, GTK_WIDGET (self->throughput_spark));
  gtk_box_append (self->compact_spend_box, GTK_WIDGET (self->spend_spark));

  g_signal_connect_object (self->span60_button, "toggled", G_CALLBACK (span_toggled_cb), self, G_CONNECT_SWAPPED);
  update_values (self);
}

GtkWidget *
brm_live_charts_new (void)
{
  return g_object_new (BRM_TYPE_LIVE_CHARTS, NULL);
}

BrmLiveMetrics *
brm_live_charts_get_metrics (BrmLiveCharts *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_CHARTS (self), NULL);
  return self->metrics;
}

/**
 * brm_live_charts_set_metrics:
 * @metrics: (nullable): the sampler whose series to show
 */
void
brm_live_charts_set_metrics (BrmLiveCharts  *self,
                             BrmLiveMetrics *metrics)
{
  BrmChart *charts[4];

  g_return_if_fail (BRM_IS_LIVE_CHARTS (self));
  g_return_if_fail (metrics == NULL || BRM_IS_LIVE_METRICS (metrics));

  if (self->metrics == metrics)
    return;

  if (self->metrics != NULL)
    g_signal_handlers_disconnect_by_data (self->metrics, self);
  g_set_object (&self->metrics, metrics);

  charts[0] = BRM_CHART (self->throughput_chart);
  charts[1] = BRM_CHART (self->spend_chart);
  charts[2] = BRM_CHART (self->throughput_spark);
  charts[3] = BRM_CHART (self->spend_spark);
  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    brm_chart_remove_all_series (charts[i]);

  if (metrics != NULL)
    {
      brm_chart_add_series (charts[0], brm_live_metrics_get_throughput (metrics));
      brm_chart_add_series (charts[1], brm_live_metrics_get_spend (metrics));
      brm_chart_add_series (charts[2], brm_live_metrics_get_throughput (metrics));
      brm_chart_add_series (charts[3], brm_live_metrics_get_spend (metrics));
      g_signal_connect_object (metrics, "notify::throughput-now", G_CALLBACK (update_values), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (metrics, "notify::spent-today", G_CALLBACK (update_values), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (metrics, "notify::daily-budget", G_CALLBACK (update_values), self, G_CONNECT_SWAPPED);
    }

  update_values (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METRICS]);
}

guint
brm_live_charts_get_minutes (BrmLiveCharts *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_CHARTS (self), 15);
  return self->minutes;
}

/**
 * brm_live_charts_set_minutes:
 * @minutes: 15 or 60 (other values are rounded to the nearer)
 */
void
brm_live_charts_set_minutes (BrmLiveCharts *self,
                             guint          minutes)
{
  g_return_if_fail (BRM_IS_LIVE_CHARTS (self));

  minutes = minutes > 37 ? 60 : 15;
  if (gtk_toggle_button_get_active (minutes == 60 ? self->span60_button : self->span15_button) == FALSE)
    gtk_toggle_button_set_active (minutes == 60 ? self->span60_button : self->span15_button, TRUE);
  if (self->minutes == minutes)
    return;

  self->minutes = minutes;
  brm_time_chart_set_window (self->throughput_chart, minutes * 60.0);
  brm_time_chart_set_window (self->spend_chart, minutes * 60.0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MINUTES]);
}

BrmChartView *
brm_live_charts_get_throughput_view (BrmLiveCharts *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_CHARTS (self), NULL);
  return self->throughput_view;
}

BrmChartView *
brm_live_charts_get_spend_view (BrmLiveCharts *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_CHARTS (self), NULL);
  return self->spend_view;
}

/**
 * brm_live_charts_get_minutes_button:
 * @minutes: 15 or 60
 *
 * Returns: (transfer none): the toggle that shows @minutes
 */
GtkWidget *
brm_live_charts_get_minutes_button (BrmLiveCharts *self,
                                    guint          minutes)
{
  g_return_val_if_fail (BRM_IS_LIVE_CHARTS (self), NULL);
  return GTK_WIDGET (minutes == 60 ? self->span60_button : self->span15_button);
}

/* Whether the row is too narrow for the charts and shows sparklines. */
gboolean
brm_live_charts_get_compact (BrmLiveCharts *self)
{
  g_return_val_if_fail (BRM_IS_LIVE_CHARTS (self), FALSE);
  return adw_squeezer_get_visible_child (self->squeezer) == self->compact_box;
}
