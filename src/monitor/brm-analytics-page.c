/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-analytics-page"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>

#include "brm-analytics-page.h"
#include "brm-bar-chart.h"
#include "brm-chart-view.h"
#include "brm-heat-strip.h"
#include "brm-time-chart.h"

/* The Analytics page: a period selector, refresh and CSV export over a
 * BrmAnalyticsModel, which holds all the data; this widget only shows it.
 * It refreshes when it becomes visible, every minute while it stays
 * visible, and when the period changes. */

#define RESOURCE_PREFIX "/io/github/batchrunner/Monitor"
#define REFRESH_SECONDS 60

static const guint periods[] = { 7, 30, 90 };

struct _BrmAnalyticsPage
{
  GtkWidget          parent_instance;

  /* Template children */
  GtkWidget         *main_box;
  GtkDropDown       *period_dropdown;
  GtkSpinner        *spinner;
  GtkLabel          *status_label;
  GtkButton         *refresh_button;
  GtkButton         *export_button;
  GtkStack          *stack;
  AdwStatusPage     *error_page;
  GtkLabel          *totals_label;
  GtkWidget         *top_box;
  GtkBox            *batches_slot;
  GtkBox            *cost_slot;
  GtkBox            *leads_slot;
  GtkBox            *latency_slot;
  GtkBox            *hourly_slot;
  GtkStack          *errors_stack;
  GtkColumnView     *errors_view;
  GtkListBox        *top_cost_list;
  GtkListBox        *top_failure_list;
  GtkListBox        *anomaly_list;

  BrmAnalyticsModel *model;
  BrmChart          *cost_chart;
  guint              timer_id;
  GCancellable      *cancellable;
  GtkNativeDialog   *chooser;
  guint              n_exports;
};

G_DEFINE_FINAL_TYPE (BrmAnalyticsPage, brm_analytics_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_status (BrmAnalyticsPage *self,
            const char       *text,
            gboolean          toast)
{
  GtkWidget *overlay;

  gtk_label_set_label (self->status_label, text ? text : "");
  if (!toast || text == NULL)
    return;
  /* A toast where the window has an overlay; the inline label stays
   * either way, so the result can be read later too. */
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
update_totals (BrmAnalyticsPage *self)
{
  BrAnalytics *analytics = brm_analytics_model_get_analytics (self->model);
  BrmChartSeries *leads = brm_analytics_model_get_series (self->model, BRM_ANALYTICS_SERIES_LEADS);
  BrmChartSeries *rate = brm_analytics_model_get_series (self->model, BRM_ANALYTICS_SERIES_SUCCESS_RATE);
  const BrmChartSample *samples;
  guint n = 0;
  double processed = 0, successful = 0;
  g_autofree char *text = NULL;

  if (analytics == NULL)
    return;

  samples = brm_chart_series_peek_samples (leads, &n);
  for (guint i = 0; i < n; i++)
    {
      const BrmChartSample *r = brm_chart_series_peek_samples (rate, NULL) + i;

      processed += samples[i].y;
      if (!isnan (r->y))
        successful += samples[i].y * r->y / 100.0;
    }

  if (processed > 0)
    /* TRANSLATORS: the totals of the analytics period */
    text = g_strdup_printf (_("%" PRId64 " batches · $%.2f · %.0f leads processed, %.0f %% succeeded"),
                            br_analytics_get_total_batches (analytics),
                            br_analytics_get_total_cost_usd (analytics),
                            processed, 100.0 * successful / processed);
  else
    text = g_strdup_printf (_("%" PRId64 " batches · $%.2f"),
                            br_analytics_get_total_batches (analytics),
                            br_analytics_get_total_cost_usd (analytics));
  gtk_label_set_label (self->totals_label, text);
}

static void
update_view (BrmAnalyticsPage *self)
{
  BrmAnalyticsState state = brm_analytics_model_get_state (self->model);
  BrAnalytics *analytics = brm_analytics_model_get_analytics (self->model);
  gboolean loading = state == BRM_ANALYTICS_STATE_LOADING;

  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), analytics != NULL);

  if (state == BRM_ANALYTICS_STATE_ERROR)
    {
      g_autofree char *why = g_strdup_printf (_("%s. The service may be stopped or unreachable."),
                                              brm_analytics_model_get_error_message (self->model));

      adw_status_page_set_description (self->error_page, why);
      /* Older data stays visible when there is some; the reason shows above it. */
      if (analytics == NULL)
        gtk_stack_set_visible_child_name (self->stack, "error");
      else
        {
          g_autofree char *stale = g_strdup_printf (_("Showing older data: %s"), why);

          set_status (self, stale, FALSE);
        }
      return;
    }
  if (analytics == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      return;
    }
  if (state == BRM_ANALYTICS_STATE_READY)
    set_status (self, NULL, FALSE);
  gtk_stack_set_visible_child_name (self->stack,
                                    br_analytics_get_total_batches (analytics) == 0 &&
                                    g_list_model_get_n_items (brm_analytics_model_get_error_breakdown (self->model)) == 0
                                    ? "empty" : "content");
}

static void
model_changed_cb (BrmAnalyticsPage *self)
{
  double budget = brm_analytics_model_get_daily_budget (self->model);

  update_totals (self);
  brm_chart_set_threshold (self->cost_chart, budget > 0 ? budget : NAN, budget > 0 ? _("Daily budget") : NULL);
  gtk_stack_set_visible_child_name (self->errors_stack,
                                    g_list_model_get_n_items (brm_analytics_model_get_error_breakdown (self->model)) > 0
                                    ? "table" : "none");
  update_view (self);
}

static void
refresh_clicked_cb (BrmAnalyticsPage *self)
{
  brm_analytics_model_refresh (self->model);
}

static void
period_changed_cb (BrmAnalyticsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->period_dropdown);

  if (selected < G_N_ELEMENTS (periods))
    brm_analytics_model_set_period_days (self->model, periods[selected]);
}

static gboolean
refresh_timeout_cb (gpointer data)
{
  brm_analytics_model_refresh (data);
  return G_SOURCE_CONTINUE;
}

static void
brm_analytics_page_map (GtkWidget *widget)
{
  BrmAnalyticsPage *self = BRM_ANALYTICS_PAGE (widget);

  GTK_WIDGET_CLASS (brm_analytics_page_parent_class)->map (widget);

  /* Mapped = the view stack shows this page: fetch now and every minute. */
  if (brm_analytics_model_get_connection (self->model) != NULL)
    brm_analytics_model_refresh (self->model);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_id = g_timeout_add_seconds (REFRESH_SECONDS, refresh_timeout_cb, self->model);
}

static void
brm_analytics_page_unmap (GtkWidget *widget)
{
  BrmAnalyticsPage *self = BRM_ANALYTICS_PAGE (widget);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  GTK_WIDGET_CLASS (brm_analytics_page_parent_class)->unmap (widget);
}

/* Export ------------------------------------------------------------------- */

typedef struct
{
  BrmAnalyticsPage *self;
  GFile            *file;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->self);
  g_clear_object (&export->file);
  g_free (export);
}

static void
export_fail (Export       *export,
             const GError *error)
{
  g_autofree char *name = g_file_get_basename (export->file);
  /* TRANSLATORS: file name, then why it could not be written */
  g_autofree char *text = g_strdup_printf (_("Could not save “%s”: %s"), name, error->message);

  export->self->n_exports++;
  set_status (export->self, text, TRUE);
}

static void
export_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Export *export = user_data;
  g_autoptr(GError) error = NULL;

  if (!brm_analytics_model_write_csv_finish (BRM_ANALYTICS_MODEL (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        export_fail (export, error);
    }
  else
    {
      g_autofree char *name = g_file_get_basename (export->file);
      /* TRANSLATORS: %s is a file name */
      g_autofree char *text = g_strdup_printf (_("Saved “%s”"), name);

      export->self->n_exports++;
      set_status (export->self, text, TRUE);
    }
  export_free (export);
}

static void
export_replaced_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Export *export = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileOutputStream) stream = g_file_replace_finish (G_FILE (object), result, &error);

  if (stream == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        export_fail (export, error);
      export_free (export);
      return;
    }
  brm_analytics_model_write_csv_async (export->self->model, G_OUTPUT_STREAM (stream),
                                       export->self->cancellable, export_written_cb, export);
}

void
brm_analytics_page_export_to_file (BrmAnalyticsPage *self,
                                   GFile            *file)
{
  Export *export;

  g_return_if_fail (BRM_IS_ANALYTICS_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  export = g_new0 (Export, 1);
  export->self = g_object_ref (self);
  export->file = g_object_ref (file);
  set_status (self, _("Saving…"), FALSE);
  g_file_replace_async (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, G_PRIORITY_DEFAULT,
                        self->cancellable, export_replaced_cb, export);
}

static void
chooser_response_cb (BrmAnalyticsPage *self,
                     int               response,
                     GtkNativeDialog  *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        brm_analytics_page_export_to_file (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
export_clicked_cb (BrmAnalyticsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = g_strdup_printf ("batch-runner-analytics-%ud.csv",
                                           brm_analytics_model_get_period_days (self->model));

  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Export Analytics as CSV"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (self->chooser);
}

/* Error breakdown table ---------------------------------------------------- */

typedef enum
{
  COLUMN_CODE,
  COLUMN_COUNT,
  COLUMN_TREND,
  COLUMN_SAMPLE,
  COLUMN_HINT,
} ErrorColumn;

static void
text_cell_setup (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  data)
{
  ErrorColumn column = GPOINTER_TO_INT (data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_COUNT ? 1 : 0);
  if (column == COLUMN_SAMPLE || column == COLUMN_HINT || column == COLUMN_TREND)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
    }
  if (column == COLUMN_COUNT)
    gtk_widget_add_css_class (label, "numeric");
  gtk_label_set_selectable (GTK_LABEL (label), column == COLUMN_SAMPLE || column == COLUMN_CODE);
  gtk_list_item_set_child (item, label);
}

static void
text_cell_bind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  data)
{
  BrmErrorRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *count = NULL;
  const char *text = NULL;

  switch ((ErrorColumn) GPOINTER_TO_INT (data))
    {
    case COLUMN_CODE:
      text = brm_error_row_get_code (row);
      break;
    case COLUMN_COUNT:
      text = count = g_strdup_printf ("%" G_GINT64_FORMAT, brm_error_row_get_count (row));
      break;
    case COLUMN_TREND:
      text = brm_error_row_get_trend_text (row);
      break;
    case COLUMN_SAMPLE:
      text = brm_error_row_get_sample_message (row);
      break;
    case COLUMN_HINT:
      text = brm_error_row_get_hint (row);
      if (text == NULL)
        text = _("No hint for this code");
      break;
    default:
      g_assert_not_reached ();
    }
  gtk_label_set_label (label, text ? text : "—");
}

static void
show_batches_clicked_cb (GtkButton        *button,
                         BrmAnalyticsPage *self)
{
  const char *code = g_object_get_data (G_OBJECT (button), "brm-error-code");

  if (code == NULL)
    return;
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.show-batches-with-error", "s", code))
    set_status (self, _("This window cannot list batches by error"), FALSE);
}

static void
button_cell_setup (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   BrmAnalyticsPage         *self)
{
  GtkWidget *button = gtk_button_new_with_label (_("Show Batches With This Error"));

  gtk_widget_set_halign (button, GTK_ALIGN_START);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_object (button, "clicked", G_CALLBACK (show_batches_clicked_cb), self, 0);
  gtk_list_item_set_child (item, button);
}

static void
button_cell_bind (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  data)
{
  BrmErrorRow *row = gtk_list_item_get_item (item);
  GtkWidget *button = gtk_list_item_get_child (item);
  /* TRANSLATORS: accessible name of the button in the row of error %s */
  g_autofree char *name = g_strdup_printf (_("Show batches with error %s"), brm_error_row_get_code (row));

  g_object_set_data_full (G_OBJECT (button), "brm-error-code", g_strdup (brm_error_row_get_code (row)), g_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
add_column (BrmAnalyticsPage *self,
            const char       *title,
            ErrorColumn       column,
            gboolean          expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (text_cell_setup), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (text_cell_bind), GINT_TO_POINTER (column));
  col = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (self->errors_view, col);
  g_object_unref (col);
}

static void
setup_errors_view (BrmAnalyticsPage *self)
{
  GtkListItemFactory *factory;
  GtkColumnViewColumn *col;
  GtkNoSelection *selection;

  add_column (self, _("Code"), COLUMN_CODE, FALSE);
  add_column (self, _("Count"), COLUMN_COUNT, FALSE);
  add_column (self, _("Trend"), COLUMN_TREND, TRUE);
  add_column (self, _("Sample Message"), COLUMN_SAMPLE, TRUE);
  add_column (self, _("Hint"), COLUMN_HINT, TRUE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (button_cell_setup), self, 0);
  g_signal_connect (factory, "bind", G_CALLBACK (button_cell_bind), NULL);
  col = gtk_column_view_column_new (_("Batches"), factory);
  gtk_column_view_append_column (self->errors_view, col);
  g_object_unref (col);

  selection = gtk_no_selection_new (g_object_ref (brm_analytics_model_get_error_breakdown (self->model)));
  gtk_column_view_set_model (self->errors_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
}

static BrmChart *
add_chart (GtkBox        *slot,
           BrmChart      *chart,
           const char    *title,
           BrmChartUnit   unit,
           BrmChartXKind  x_kind)
{
  brm_chart_set_title (chart, title);
  brm_chart_set_unit (chart, unit);
  brm_chart_set_x_kind (chart, x_kind);
  /* No size request: each chart asks for its own height (220 px for a
   * plot, one row of cells for the heat strip). */
  gtk_box_append (slot, GTK_WIDGET (brm_chart_view_new (chart)));
  return chart;
}

/* The chart family draws the model's series directly: they are the same
 * BrmChartSeries objects, updated in place on every refresh. */
static void
setup_charts (BrmAnalyticsPage *self)
{
  GListModel *statuses = brm_analytics_model_get_status_series (self->model);
  BrmChart *chart;

  chart = add_chart (self->batches_slot, BRM_CHART (brm_bar_chart_new ()),
                     _("Batches per day by status"), BRM_CHART_UNIT_COUNT, BRM_CHART_X_DAY);
  for (guint i = 0; i < g_list_model_get_n_items (statuses); i++)
    {
      g_autoptr(BrmChartSeries) series = g_list_model_get_item (statuses, i);

      brm_chart_add_series (chart, series);
    }

  self->cost_chart = add_chart (self->cost_slot, BRM_CHART (brm_time_chart_new ()),
                                _("Cost per day"), BRM_CHART_UNIT_USD, BRM_CHART_X_DAY);
  brm_chart_add_series (self->cost_chart, brm_analytics_model_get_series (self->model, BRM_ANALYTICS_SERIES_COST));

  chart = add_chart (self->leads_slot, BRM_CHART (brm_time_chart_new ()),
                     _("Leads processed per day"), BRM_CHART_UNIT_COUNT, BRM_CHART_X_DAY);
  brm_chart_add_series (chart, brm_analytics_model_get_series (self->model, BRM_ANALYTICS_SERIES_LEADS));
  chart = add_chart (self->leads_slot, BRM_CHART (brm_time_chart_new ()),
                     _("Success rate per day"), BRM_CHART_UNIT_PERCENT, BRM_CHART_X_DAY);
  brm_chart_add_series (chart, brm_analytics_model_get_series (self->model, BRM_ANALYTICS_SERIES_SUCCESS_RATE));

  chart = add_chart (self->latency_slot, BRM_CHART (brm_time_chart_new ()),
                     _("Lead processing time per day"), BRM_CHART_UNIT_MILLISECONDS, BRM_CHART_X_DAY);
  brm_chart_add_series (chart, brm_analytics_model_get_series (self->model, BRM_ANALYTICS_SERIES_P50));
  brm_chart_add_series (chart, brm_analytics_model_get_series (self->model, BRM_ANALYTICS_SERIES_P95));

  chart = add_chart (self->hourly_slot, BRM_CHART (brm_heat_strip_new ()),
                     _("Leads by hour of day (UTC)"), BRM_CHART_UNIT_COUNT, BRM_CHART_X_HOUR);
  brm_chart_add_series (chart, brm_analytics_model_get_series (self->model, BRM_ANALYTICS_SERIES_HOURLY));
}

/* Top batches and anomalies ----------------------------------------------- */

static GtkWidget *
create_top_row (gpointer item,
                gpointer user_data)
{
  BrBatch *batch = item;
  gboolean by_failure = GPOINTER_TO_INT (user_data);
  gint64 done = br_batch_get_successful_leads (batch) + br_batch_get_failed_leads (batch);
  const char *name = br_batch_get_name (batch);
  g_autofree char *title = g_markup_escape_text (name && *name ? name : br_batch_get_id (batch), -1);
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();

  if (by_failure)
    /* TRANSLATORS: "3 of 10 leads failed (30 %)" */
    subtitle = g_strdup_printf (_("%" PRId64 " of %" PRId64 " leads failed (%.0f %%)"),
                                br_batch_get_failed_leads (batch), done,
                                done > 0 ? 100.0 * br_batch_get_failed_leads (batch) / done : 0.0);
  else
    /* TRANSLATORS: "$12.34 for 10 leads" */
    subtitle = g_strdup_printf (_("$%.2f for %" PRId64 " leads"), br_batch_get_actual_cost_usd (batch), done);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  g_object_set_data_full (G_OBJECT (row), "brm-batch-id", g_strdup (br_batch_get_id (batch)), g_free);
  return row;
}

static GtkWidget *
create_anomaly_row (gpointer item,
                    gpointer user_data)
{
  BrmAnomaly *anomaly = item;
  g_autofree char *title = g_markup_escape_text (brm_anomaly_get_sentence (anomaly), -1);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  if (brm_anomaly_get_batch_id (anomaly) != NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Batch — activate to open it"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "brm-batch-id", g_strdup (brm_anomaly_get_batch_id (anomaly)), g_free);
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Day"));
  return row;
}

static void
row_activated_cb (BrmAnalyticsPage *self,
                  GtkListBoxRow    *row)
{
  const char *id = g_object_get_data (G_OBJECT (row), "brm-batch-id");

  if (id != NULL && !gtk_widget_activate_action (GTK_WIDGET (self), "app.show-batch", "s", id))
    set_status (self, _("This window cannot open batches"), FALSE);
}

/* GObject ------------------------------------------------------------------ */

static void
brm_analytics_page_dispose (GObject *object)
{
  BrmAnalyticsPage *self = BRM_ANALYTICS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), BRM_TYPE_ANALYTICS_PAGE);
  g_clear_object (&self->model);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (brm_analytics_page_parent_class)->dispose (object);
}

static void
brm_analytics_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BrmAnalyticsPage *self = BRM_ANALYTICS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, brm_analytics_page_get_connection (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_analytics_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  BrmAnalyticsPage *self = BRM_ANALYTICS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      brm_analytics_page_set_connection (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_analytics_page_class_init (BrmAnalyticsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = brm_analytics_page_dispose;
  object_class->get_property = brm_analytics_page_get_property;
  object_class->set_property = brm_analytics_page_set_property;
  widget_class->map = brm_analytics_page_map;
  widget_class->unmap = brm_analytics_page_unmap;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, BRM_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/brm-analytics-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "analyticspage");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, main_box);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, top_box);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, totals_label);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, batches_slot);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, cost_slot);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, leads_slot);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, latency_slot);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, hourly_slot);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, errors_stack);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, errors_view);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, top_cost_list);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, top_failure_list);
  gtk_widget_class_bind_template_child (widget_class, BrmAnalyticsPage, anomaly_list);
  gtk_widget_class_bind_template_callback (widget_class, refresh_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
}

static void
brm_analytics_page_init (BrmAnalyticsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The flow box wraps the two lists in children of its own, which would
   * each be a focus stop with nothing to do. */
  for (GtkWidget *child = gtk_widget_get_first_child (self->top_box);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);

  self->cancellable = g_cancellable_new ();
  self->model = brm_analytics_model_new (NULL);
  g_signal_connect_object (self->model, "notify::state", G_CALLBACK (update_view), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "changed", G_CALLBACK (model_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->period_dropdown, "notify::selected", G_CALLBACK (period_changed_cb), self, G_CONNECT_SWAPPED);

  setup_errors_view (self);
  setup_charts (self);
  gtk_list_box_bind_model (self->top_cost_list, brm_analytics_model_get_top_by_cost (self->model),
                           create_top_row, GINT_TO_POINTER (FALSE), NULL);
  gtk_list_box_bind_model (self->top_failure_list, brm_analytics_model_get_top_by_failure_rate (self->model),
                           create_top_row, GINT_TO_POINTER (TRUE), NULL);
  gtk_list_box_bind_model (self->anomaly_list, brm_analytics_model_get_anomalies (self->model),
                           create_anomaly_row, NULL, NULL);
  g_signal_connect_object (self->top_cost_list, "row-activated", G_CALLBACK (row_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->top_failure_list, "row-activated", G_CALLBACK (row_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->anomaly_list, "row-activated", G_CALLBACK (row_activated_cb), self, G_CONNECT_SWAPPED);

  update_view (self);
}

GtkWidget *
brm_analytics_page_new (void)
{
  return g_object_new (BRM_TYPE_ANALYTICS_PAGE, NULL);
}

BrmConnection *
brm_analytics_page_get_connection (BrmAnalyticsPage *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_PAGE (self), NULL);
  return brm_analytics_model_get_connection (self->model);
}

void
brm_analytics_page_set_connection (BrmAnalyticsPage *self,
                                   BrmConnection    *connection)
{
  g_return_if_fail (BRM_IS_ANALYTICS_PAGE (self));
  g_return_if_fail (connection == NULL || BRM_IS_CONNECTION (connection));

  if (brm_analytics_model_get_connection (self->model) == connection)
    return;
  brm_analytics_model_set_connection (self->model, connection);
  if (connection != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    brm_analytics_model_refresh (self->model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

BrmAnalyticsModel *
brm_analytics_page_get_model (BrmAnalyticsPage *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_PAGE (self), NULL);
  return self->model;
}

const char *
brm_analytics_page_get_view (BrmAnalyticsPage *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
brm_analytics_page_get_status_text (BrmAnalyticsPage *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_PAGE (self), NULL);
  return gtk_label_get_label (self->status_label);
}

const char *
brm_analytics_page_get_totals_text (BrmAnalyticsPage *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_PAGE (self), NULL);
  return gtk_label_get_label (self->totals_label);
}

/* How many exports have finished, successfully or not (tests wait on it). */
guint
brm_analytics_page_get_n_exports (BrmAnalyticsPage *self)
{
  g_return_val_if_fail (BRM_IS_ANALYTICS_PAGE (self), 0);
  return self->n_exports;
}
