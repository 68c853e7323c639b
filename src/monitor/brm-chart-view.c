/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-chart-view"

#include "config.h"

#include <glib/gi18n.h>

#include "brm-chart-view.h"

/* Rows ------------------------------------------------------------------- */

/* The table's rows: one BrmChartPoint per x of the chart's first series
 * (bars and heat cells share those x). Any change to any series re-emits
 * every row, because a row shows every series' value at its x. */
#define BRM_TYPE_CHART_ROWS (brm_chart_rows_get_type ())
G_DECLARE_FINAL_TYPE (BrmChartRows, brm_chart_rows, BRM, CHART_ROWS, GObject)

struct _BrmChartRows
{
  GObject   parent_instance;
  BrmChart *chart;  /* weak: the view owns both */
  guint     n_items;
};

static void brm_chart_rows_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BrmChartRows, brm_chart_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, brm_chart_rows_list_model_init))

static GType
rows_get_item_type (GListModel *model)
{
  return BRM_TYPE_CHART_POINT;
}

static guint
rows_get_n_items (GListModel *model)
{
  return BRM_CHART_ROWS (model)->n_items;
}

static gpointer
rows_get_item (GListModel *model,
               guint       position)
{
  BrmChartRows *self = BRM_CHART_ROWS (model);
  BrmChartSeries *first;

  if (self->chart == NULL || position >= self->n_items)
    return NULL;
  first = brm_chart_get_series_at (self->chart, 0);
  return first ? g_list_model_get_item (G_LIST_MODEL (first), position) : NULL;
}

static void
brm_chart_rows_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = rows_get_item_type;
  iface->get_n_items = rows_get_n_items;
  iface->get_item = rows_get_item;
}

static void
rows_chart_changed_cb (BrmChartRows *self)
{
  BrmChartSeries *first = self->chart ? brm_chart_get_series_at (self->chart, 0) : NULL;
  guint old_n = self->n_items;

  self->n_items = first ? brm_chart_series_get_n_samples (first) : 0;
  if (old_n != 0 || self->n_items != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, self->n_items);
}

static void
brm_chart_rows_dispose (GObject *object)
{
  BrmChartRows *self = BRM_CHART_ROWS (object);

  if (self->chart)
    {
      g_signal_handlers_disconnect_by_data (self->chart, self);
      g_object_remove_weak_pointer (G_OBJECT (self->chart), (gpointer *) &self->chart);
      self->chart = NULL;
    }
  G_OBJECT_CLASS (brm_chart_rows_parent_class)->dispose (object);
}

static void
brm_chart_rows_class_init (BrmChartRowsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = brm_chart_rows_dispose;
}

static void
brm_chart_rows_init (BrmChartRows *self)
{
}

static BrmChartRows *
brm_chart_rows_new (BrmChart *chart)
{
  BrmChartRows *self = g_object_new (BRM_TYPE_CHART_ROWS, NULL);
  BrmChartSeries *first = brm_chart_get_series_at (chart, 0);

  self->chart = chart;
  g_object_add_weak_pointer (G_OBJECT (chart), (gpointer *) &self->chart);
  self->n_items = first ? brm_chart_series_get_n_samples (first) : 0;
  g_signal_connect_swapped (chart, "changed", G_CALLBACK (rows_chart_changed_cb), self);
  return self;
}

/* View ------------------------------------------------------------------- */

/**
 * BrmChartView:
 *
 * A chart with its title and a "Show as Table" toggle that swaps the
 * drawing for a GtkColumnView of the same data: one column for x, one per
 * series, formatted as the chart formats them. Everyone gets the numbers,
 * whether or not they can see the drawing.
 */
struct _BrmChartView
{
  GtkWidget       parent_instance;

  BrmChart       *chart;
  GtkWidget      *header;
  GtkWidget      *title;
  GtkWidget      *toggle;
  GtkWidget      *stack;
  GtkColumnView  *column_view;
  GtkNoSelection *selection;   /* owned by column_view */
  BrmChartRows   *rows;
  gboolean        show_table;
};

G_DEFINE_FINAL_TYPE (BrmChartView, brm_chart_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CHART,
  PROP_SHOW_TABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), g_object_get_data (G_OBJECT (factory), "series") ? 1.0 : 0.0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              BrmChartView             *self)
{
  BrmChartPoint *point = gtk_list_item_get_item (item);
  BrmChartSeries *series = g_object_get_data (G_OBJECT (factory), "series");
  double x = brm_chart_point_get_x (point);
  g_autofree char *text = NULL;

  if (series == NULL)
    text = brm_chart_format_x (self->chart, x);
  else
    text = brm_chart_format_y (self->chart, brm_chart_series_value_at (series, x));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static GtkColumnViewColumn *
make_column (BrmChartView   *self,
             const char     *title,
             BrmChartSeries *series)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  if (series)
    g_object_set_data_full (G_OBJECT (factory), "series", g_object_ref (series), g_object_unref);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), self);

  column = gtk_column_view_column_new (title, factory);
  /* Only the x column takes the spare width: a value column as wide as
   * its header keeps the right-aligned numbers under their header. */
  gtk_column_view_column_set_expand (column, series == NULL);
  return column;
}

static void
rebuild_columns (BrmChartView *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  guint n = brm_chart_get_n_series (self->chart);
  const char *x_title;
  g_autoptr(GtkColumnViewColumn) x_column = NULL;

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->column_view, column);
    }

  switch (brm_chart_get_x_kind (self->chart))
    {
    case BRM_CHART_X_DAY:
      x_title = _("Day");
      break;
    case BRM_CHART_X_HOUR:
      x_title = _("Hour");
      break;
    case BRM_CHART_X_TIME:
    default:
      x_title = _("Time");
      break;
    }
  x_column = make_column (self, x_title, NULL);
  gtk_column_view_append_column (self->column_view, x_column);

  for (guint i = 0; i < n; i++)
    {
      BrmChartSeries *series = brm_chart_get_series_at (self->chart, i);
      const char *label = brm_chart_series_get_label (series);
      g_autoptr(GtkColumnViewColumn) column =
        make_column (self, label && *label ? label : brm_chart_get_title (self->chart), series);

      gtk_column_view_append_column (self->column_view, column);
    }
}

static void
update_table_label (BrmChartView *self)
{
  const char *title = brm_chart_get_title (self->chart);
  g_autofree char *label = NULL;

  /* Translators: the accessible name of a chart's table view. */
  label = g_strdup_printf (_("%s as a table"), title && *title ? title : _("Chart"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->column_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
series_list_changed_cb (BrmChartView *self)
{
  rebuild_columns (self);
}

BrmChartView *
brm_chart_view_new (BrmChart *chart)
{
  g_return_val_if_fail (BRM_IS_CHART (chart), NULL);
  return g_object_new (BRM_TYPE_CHART_VIEW, "chart", chart, NULL);
}

gboolean
brm_chart_view_get_show_table (BrmChartView *self)
{
  g_return_val_if_fail (BRM_IS_CHART_VIEW (self), FALSE);
  return self->show_table;
}

void
brm_chart_view_set_show_table (BrmChartView *self,
                               gboolean      show_table)
{
  g_return_if_fail (BRM_IS_CHART_VIEW (self));

  show_table = !!show_table;
  if (self->show_table == show_table)
    return;

  self->show_table = show_table;
  /* A hidden table does not follow live data: it gets the rows back when
   * shown. */
  gtk_no_selection_set_model (self->selection, show_table ? G_LIST_MODEL (self->rows) : NULL);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), show_table ? "table" : "chart");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_TABLE]);
}

/**
 * brm_chart_view_get_chart:
 *
 * Returns: (transfer none): the chart
 */
BrmChart *
brm_chart_view_get_chart (BrmChartView *self)
{
  g_return_val_if_fail (BRM_IS_CHART_VIEW (self), NULL);
  return self->chart;
}

/**
 * brm_chart_view_get_rows:
 *
 * Returns: (transfer none): the table's rows, #BrmChartPoint of the
 *   first series
 */
GListModel *
brm_chart_view_get_rows (BrmChartView *self)
{
  g_return_val_if_fail (BRM_IS_CHART_VIEW (self), NULL);
  return G_LIST_MODEL (self->rows);
}

static void
set_chart (BrmChartView *self,
           BrmChart     *chart)
{
  GtkWidget *scrolled;

  g_return_if_fail (BRM_IS_CHART (chart));
  g_return_if_fail (self->chart == NULL);

  self->chart = g_object_ref (chart);
  self->rows = brm_chart_rows_new (chart);

  g_object_bind_property (chart, "title", self->title, "label", G_BINDING_SYNC_CREATE);
  gtk_stack_add_named (GTK_STACK (self->stack), GTK_WIDGET (chart), "chart");

  self->selection = gtk_no_selection_new (NULL);
  self->column_view = GTK_COLUMN_VIEW (gtk_column_view_new (GTK_SELECTION_MODEL (self->selection)));
  gtk_column_view_set_show_row_separators (self->column_view, TRUE);
  scrolled = gtk_scrolled_window_new ();
  /* Sideways scrolling: a table with many series must not make the page
   * wider than a narrow window. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->column_view));
  gtk_stack_add_named (GTK_STACK (self->stack), scrolled, "table");
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "chart");

  rebuild_columns (self);
  update_table_label (self);
  g_signal_connect_object (brm_chart_get_series (chart), "items-changed",
                           G_CALLBACK (series_list_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (chart, "notify::x-kind", G_CALLBACK (series_list_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (chart, "notify::title", G_CALLBACK (update_table_label), self, G_CONNECT_SWAPPED);
}

static void
brm_chart_view_dispose (GObject *object)
{
  BrmChartView *self = BRM_CHART_VIEW (object);

  g_clear_pointer (&self->header, gtk_widget_unparent);
  g_clear_pointer (&self->stack, gtk_widget_unparent);
  /* The column view owned the selection. */
  self->selection = NULL;
  g_clear_object (&self->rows);
  g_clear_object (&self->chart);

  G_OBJECT_CLASS (brm_chart_view_parent_class)->dispose (object);
}

static void
brm_chart_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BrmChartView *self = BRM_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHART:
      g_value_set_object (value, self->chart);
      break;
    case PROP_SHOW_TABLE:
      g_value_set_boolean (value, self->show_table);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_chart_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BrmChartView *self = BRM_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHART:
      set_chart (self, g_value_get_object (value));
      break;
    case PROP_SHOW_TABLE:
      brm_chart_view_set_show_table (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_chart_view_class_init (BrmChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = brm_chart_view_dispose;
  object_class->get_property = brm_chart_view_get_property;
  object_class->set_property = brm_chart_view_set_property;

  properties[PROP_CHART] =
    g_param_spec_object ("chart", NULL, NULL, BRM_TYPE_CHART,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_TABLE] =
    g_param_spec_boolean ("show-table", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chartview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
brm_chart_view_init (BrmChartView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);

  self->header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->title = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->title, "heading");
  gtk_label_set_xalign (GTK_LABEL (self->title), 0);
  gtk_label_set_wrap (GTK_LABEL (self->title), TRUE);
  gtk_widget_set_hexpand (self->title, TRUE);
  gtk_box_append (GTK_BOX (self->header), self->title);

  self->toggle = gtk_toggle_button_new_with_label (_("Show as Table"));
  gtk_widget_set_valign (self->toggle, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->header), self->toggle);
  gtk_widget_set_parent (self->header, GTK_WIDGET (self));

  self->stack = gtk_stack_new ();
  gtk_widget_set_vexpand (self->stack, TRUE);
  gtk_widget_set_parent (self->stack, GTK_WIDGET (self));

  g_object_bind_property (self, "show-table", self->toggle, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
}
