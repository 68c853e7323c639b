/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-batch-charts"

#include "config.h"

#include <glib/gi18n.h>

#include "brm-batch-charts.h"
#include "brm-live-metrics.h"
#include "brm-time-chart.h"

/**
 * BrmBatchCharts:
 *
 * The detail pane's charts of one batch: its throughput, and its
 * estimated against its actual cost, each with "Show as Table". A
 * #BrmBatchMetrics records the batch from the moment it is shown; showing
 * another batch starts a new history.
 */
struct _BrmBatchCharts
{
  GtkWidget        parent_instance;

  BrmTimeChart    *throughput_chart;
  BrmTimeChart    *cost_chart;
  BrmChartView    *throughput_view;
  BrmChartView    *cost_view;

  BrmBatchMetrics *metrics;
};

G_DEFINE_FINAL_TYPE (BrmBatchCharts, brm_batch_charts, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BATCH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
brm_batch_charts_dispose (GObject *object)
{
  BrmBatchCharts *self = BRM_BATCH_CHARTS (object);

  g_clear_object (&self->metrics);
  if (self->throughput_view != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->throughput_view));
  if (self->cost_view != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->cost_view));
  self->throughput_view = NULL;
  self->cost_view = NULL;

  G_OBJECT_CLASS (brm_batch_charts_parent_class)->dispose (object);
}

static void
brm_batch_charts_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BrmBatchCharts *self = BRM_BATCH_CHARTS (object);

  switch (prop_id)
    {
    case PROP_BATCH:
      g_value_set_object (value, brm_batch_charts_get_batch (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_batch_charts_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BrmBatchCharts *self = BRM_BATCH_CHARTS (object);

  switch (prop_id)
    {
    case PROP_BATCH:
      brm_batch_charts_set_batch (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_batch_charts_class_init (BrmBatchChartsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = brm_batch_charts_dispose;
  object_class->get_property = brm_batch_charts_get_property;
  object_class->set_property = brm_batch_charts_set_property;

  properties[PROP_BATCH] =
    g_param_spec_object ("batch", NULL, NULL, BR_TYPE_BATCH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static BrmTimeChart *
new_chart (const char   *title,
           BrmChartUnit  unit)
{
  BrmTimeChart *chart = brm_time_chart_new ();

  brm_chart_set_title (BRM_CHART (chart), title);
  brm_chart_set_unit (BRM_CHART (chart), unit);
  brm_chart_set_x_kind (BRM_CHART (chart), BRM_CHART_X_TIME);
  /* Everything since the batch was opened. */
  brm_time_chart_set_window (chart, 0);
  gtk_widget_set_size_request (GTK_WIDGET (chart), -1, 120);
  return chart;
}

static void
brm_batch_charts_init (BrmBatchCharts *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 12);

  self->throughput_chart = new_chart (_("Throughput"), BRM_CHART_UNIT_LEADS_PER_MINUTE);
  self->cost_chart = new_chart (_("Estimated vs Actual Cost"), BRM_CHART_UNIT_USD);
  self->throughput_view = brm_chart_view_new (BRM_CHART (self->throughput_chart));
  self->cost_view = brm_chart_view_new (BRM_CHART (self->cost_chart));
  gtk_widget_set_parent (GTK_WIDGET (self->throughput_view), GTK_WIDGET (self));
  gtk_widget_set_parent (GTK_WIDGET (self->cost_view), GTK_WIDGET (self));
}

GtkWidget *
brm_batch_charts_new (void)
{
  return g_object_new (BRM_TYPE_BATCH_CHARTS, NULL);
}

BrBatch *
brm_batch_charts_get_batch (BrmBatchCharts *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_CHARTS (self), NULL);
  return self->metrics ? brm_batch_metrics_get_batch (self->metrics) : NULL;
}

/**
 * brm_batch_charts_set_batch:
 * @batch: (nullable): the batch to chart from now on
 */
void
brm_batch_charts_set_batch (BrmBatchCharts *self,
                            BrBatch        *batch)
{
  g_return_if_fail (BRM_IS_BATCH_CHARTS (self));
  g_return_if_fail (batch == NULL || BR_IS_BATCH (batch));

  if (brm_batch_charts_get_batch (self) == batch)
    return;

  brm_chart_remove_all_series (BRM_CHART (self->throughput_chart));
  brm_chart_remove_all_series (BRM_CHART (self->cost_chart));
  g_clear_object (&self->metrics);

  if (batch != NULL)
    {
      self->metrics = brm_batch_metrics_new (batch);
      brm_batch_metrics_set_interval (self->metrics, BRM_LIVE_METRICS_DEFAULT_INTERVAL_MS);
      brm_batch_metrics_sample (self->metrics);
      brm_chart_add_series (BRM_CHART (self->throughput_chart), brm_batch_metrics_get_throughput (self->metrics));
      brm_chart_add_series (BRM_CHART (self->cost_chart), brm_batch_metrics_get_estimated_cost (self->metrics));
      brm_chart_add_series (BRM_CHART (self->cost_chart), brm_batch_metrics_get_actual_cost (self->metrics));
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BATCH]);
}

/**
 * brm_batch_charts_get_metrics:
 *
 * Returns: (nullable) (transfer none): the recorder of the batch shown
 */
BrmBatchMetrics *
brm_batch_charts_get_metrics (BrmBatchCharts *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_CHARTS (self), NULL);
  return self->metrics;
}

BrmChartView *
brm_batch_charts_get_throughput_view (BrmBatchCharts *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_CHARTS (self), NULL);
  return self->throughput_view;
}

BrmChartView *
brm_batch_charts_get_cost_view (BrmBatchCharts *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_CHARTS (self), NULL);
  return self->cost_view;
}
