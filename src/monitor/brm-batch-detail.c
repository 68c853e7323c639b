/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-batch-detail"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "brm-batch-charts.h"
#include "brm-batch-detail.h"
#include "brm-sparkline.h"

/**
 * BrmBatchDetail:
 *
 * Everything about one batch. The batch's own fields come from the
 * #BrBatch, which the live feed changes in place: the pane follows its
 * notifications and never polls for them. What a #BrBatch does not carry
 * is fetched: the error summary (`/batch/{id}/status`, again when the
 * failed count moves, at most every two seconds), the hints for its error
 * codes (`/batch/analytics`), the per-lead results (#BrmLeadList, kept
 * live by the feed's lead updates of the watched batch) and the audit
 * trail (`/audit`, again when the status changes).
 *
 * Requests belong to the batch shown: switching batch cancels them, so a
 * late answer about the previous batch is dropped.
 */

#define STATUS_INTERVAL_USEC (2 * G_USEC_PER_SEC)
#define MAX_ACTIVITY         20
#define AUDIT_LIMIT          50
#define ANALYTICS_DAYS       90

struct _BrmBatchDetail
{
  GtkWidget            parent_instance;

  GtkStack            *stack;
  GtkBox              *status_box;
  GtkImage            *status_icon;
  GtkLabel            *status_label;
  GtkLabel            *name_label;
  GtkLabel            *about_label;
  GtkLabel            *batch_error_label;
  GtkFlowBox          *actions;
  GtkButton           *pause_button;
  GtkButton           *resume_button;
  GtkButton           *cancel_button;
  GtkButton           *retry_failed_button;
  GtkButton           *retry_selected_button;
  GtkButton           *open_report_button;
  GtkButton           *copy_id_button;
  GtkProgressBar      *progress_bar;
  GtkLabel            *total_label;
  GtkLabel            *processed_label;
  GtkLabel            *succeeded_label;
  GtkLabel            *failed_label;
  GtkLabel            *skipped_label;
  GtkLabel            *created_label;
  GtkLabel            *started_label;
  GtkLabel            *completed_label;
  GtkLabel            *duration_label;
  GtkLabel            *rate_label;
  GtkLabel            *eta_label;
  GtkLabel            *estimated_label;
  GtkLabel            *actual_label;
  GtkLabel            *difference_label;
  GtkLabel            *errors_note;
  GtkListBox          *error_list;
  GtkLabel            *leads_note;
  GtkWidget           *leads_box;
  GtkDropDown         *status_filter;
  GtkLabel            *leads_count_label;
  GtkSpinner          *leads_spinner;
  GtkWidget           *leads_error_box;
  GtkLabel            *leads_error_label;
  GtkButton           *leads_retry_button;
  GtkColumnView       *leads_view;
  GtkMultiSelection   *lead_selection;
  GtkColumnViewColumn *status_column;
  GtkColumnViewColumn *lead_column;
  GtkColumnViewColumn *cost_column;
  GtkColumnViewColumn *quality_column;
  GtkColumnViewColumn *duration_column;
  GtkColumnViewColumn *error_column;
  GtkColumnViewColumn *report_column;
  GtkListBox          *activity_list;
  GtkLabel            *audit_note;
  GtkListBox          *audit_list;
  BrmBatchCharts      *batch_charts;
  BrmSparkline        *progress_spark;

  BrmConnection       *connection;
  BrBatch             *batch;
  GSignalGroup        *batch_signals;
  GSignalGroup        *connection_signals;
  GSignalGroup        *feed_signals;

  /* What we asked the feed to watch, to unwatch exactly that. */
  BrLiveFeed          *watch_feed;
  char                *watch_id;

  BrmLeadList         *leads;
  GListStore          *activity;      /* BrLeadResult, newest first */
  guint                n_selected;

  GCancellable        *cancellable;   /* status, analytics and audit of this batch */
  JsonObject          *error_summary; /* {code: count}, or NULL before the first answer */
  GHashTable          *hints;         /* error code → hint, "" when the server has none */
  gint64               last_status_fetch;
  guint                status_source;
  gboolean             status_in_flight;
  gboolean             status_dirty;
  gboolean             analytics_in_flight;
  gboolean             audit_in_flight;
  gboolean             audit_dirty;
  const char          *status_class;
};

G_DEFINE_FINAL_TYPE (BrmBatchDetail, brm_batch_detail, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_BATCH,
  N_PROPS
};

enum {
  LEAD_SELECTION_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void queue_status_refresh (BrmBatchDetail *self);
static void queue_audit_refresh  (BrmBatchDetail *self);

/* Words for states ------------------------------------------------------------ */

static const char *
batch_status_text (BrBatchStatus status)
{
  switch (status)
    {
    case BR_BATCH_STATUS_RUNNING:
      return _("Running");
    case BR_BATCH_STATUS_PENDING:
      return _("Pending");
    case BR_BATCH_STATUS_PAUSED:
      return _("Paused");
    case BR_BATCH_STATUS_FAILED:
      return _("Failed");
    case BR_BATCH_STATUS_COMPLETED:
      return _("Completed");
    case BR_BATCH_STATUS_CANCELLED:
      return _("Cancelled");
    case BR_BATCH_STATUS_UNKNOWN:
    default:
      return _("Unknown");
    }
}

static const char *
batch_status_icon (BrBatchStatus status)
{
  switch (status)
    {
    case BR_BATCH_STATUS_RUNNING:
      return "media-playback-start-symbolic";
    case BR_BATCH_STATUS_PENDING:
      return "document-open-recent-symbolic";
    case BR_BATCH_STATUS_PAUSED:
      return "media-playback-pause-symbolic";
    case BR_BATCH_STATUS_FAILED:
      return "dialog-error-symbolic";
    case BR_BATCH_STATUS_COMPLETED:
      return "emblem-ok-symbolic";
    case BR_BATCH_STATUS_CANCELLED:
      return "process-stop-symbolic";
    case BR_BATCH_STATUS_UNKNOWN:
    default:
      return "dialog-question-symbolic";
    }
}

/* The tint goes with an icon and a text, never alone (style.css). */
static const char *
batch_status_class (BrBatchStatus status)
{
  switch (status)
    {
    case BR_BATCH_STATUS_RUNNING:
      return "status-running";
    case BR_BATCH_STATUS_PAUSED:
      return "status-paused";
    case BR_BATCH_STATUS_FAILED:
      return "status-failed";
    case BR_BATCH_STATUS_COMPLETED:
      return "status-completed";
    case BR_BATCH_STATUS_PENDING:
    case BR_BATCH_STATUS_CANCELLED:
    case BR_BATCH_STATUS_UNKNOWN:
    default:
      return "status-neutral";
    }
}

static const char *
lead_status_text (BrLeadStatus status)
{
  switch (status)
    {
    case BR_LEAD_STATUS_PENDING:
      return _("Pending");
    case BR_LEAD_STATUS_PROCESSING:
      return _("Processing");
    case BR_LEAD_STATUS_COMPLETED:
      return _("Completed");
    case BR_LEAD_STATUS_FAILED:
      return _("Failed");
    case BR_LEAD_STATUS_SKIPPED:
      return _("Skipped");
    case BR_LEAD_STATUS_UNKNOWN:
    default:
      return _("Unknown");
    }
}

static const char *
lead_status_icon (BrLeadStatus status)
{
  switch (status)
    {
    case BR_LEAD_STATUS_PENDING:
      return "document-open-recent-symbolic";
    case BR_LEAD_STATUS_PROCESSING:
      return "emblem-synchronizing-symbolic";
    case BR_LEAD_STATUS_COMPLETED:
      return "emblem-ok-symbolic";
    case BR_LEAD_STATUS_FAILED:
      return "dialog-error-symbolic";
    case BR_LEAD_STATUS_SKIPPED:
      return "action-unavailable-symbolic";
    case BR_LEAD_STATUS_UNKNOWN:
    default:
      return "dialog-question-symbolic";
    }
}

static const char *
lead_status_class (BrLeadStatus status)
{
  switch (status)
    {
    case BR_LEAD_STATUS_PROCESSING:
      return "status-running";
    case BR_LEAD_STATUS_COMPLETED:
      return "status-completed";
    case BR_LEAD_STATUS_FAILED:
      return "status-failed";
    case BR_LEAD_STATUS_PENDING:
    case BR_LEAD_STATUS_SKIPPED:
    case BR_LEAD_STATUS_UNKNOWN:
    default:
      return "status-neutral";
    }
}

/* Numbers and times ----------------------------------------------------------- */

static char *
format_time (gint64      usec,
             const char *unset)
{
  g_autoptr(GDateTime) dt = NULL;

  if (usec <= 0)
    return g_strdup (unset);
  dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup (unset);
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

static char *
format_duration (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  if (seconds < 60)
    return g_strdup_printf (_("%d s"), (int) seconds);
  if (seconds < 3600)
    return g_strdup_printf (_("%d min %02d s"), (int) (seconds / 60), (int) (seconds % 60));
  return g_strdup_printf (_("%d h %02d min"), (int) (seconds / 3600), (int) (seconds / 60 % 60));
}

static char *
format_money (double usd)
{
  return g_strdup_printf ("$%.2f", usd);
}

static char *
format_count (gint64 n)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, n);
}

static void
set_label (GtkLabel   *label,
           const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

static void
take_label (GtkLabel *label,
            char     *text)
{
  set_label (label, text);
  g_free (text);
}

/* The text a failed call shows: the server's own words when it sent some. */
static char *
error_text (const GError *error)
{
  const char *detail = NULL;

  if (error->domain == BR_CLIENT_ERROR)
    detail = br_client_error_get_detail (error);
  return g_strdup (detail != NULL && *detail != '\0' ? detail : error->message);
}

static BrClient *
get_client (BrmBatchDetail *self)
{
  return self->connection != NULL ? brm_connection_get_client (self->connection) : NULL;
}

/* NULL capabilities mean "not known yet": try, and let the server say. */
static gboolean
server_can (BrmBatchDetail *self,
            const char     *capability)
{
  if (self->connection == NULL || brm_connection_get_capabilities (self->connection) == NULL)
    return TRUE;
  return brm_connection_has_capability (self->connection, capability);
}

static void
clear_list_box (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

/* The batch's own fields --------------------------------------------------------- */

static void
sync_status (BrmBatchDetail *self)
{
  BrBatchStatus status = br_batch_get_status (self->batch);
  const char *klass = batch_status_class (status);

  set_label (self->status_label, batch_status_text (status));
  gtk_image_set_from_icon_name (self->status_icon, batch_status_icon (status));
  if (self->status_class != klass)
    {
      if (self->status_class != NULL)
        gtk_widget_remove_css_class (GTK_WIDGET (self->status_box), self->status_class);
      gtk_widget_add_css_class (GTK_WIDGET (self->status_box), klass);
      self->status_class = klass;
    }
}

static void
sync_header (BrmBatchDetail *self)
{
  g_autoptr(GString) about = g_string_new (NULL);
  const char *name = br_batch_get_name (self->batch);
  const char *description = br_batch_get_description (self->batch);
  const char *template = br_batch_get_template_version (self->batch);
  const char *created_by = br_batch_get_created_by (self->batch);
  const char *error = br_batch_get_error_message (self->batch);

  set_label (self->name_label, name != NULL && *name != '\0' ? name : _("Unnamed batch"));

  if (template != NULL && *template != '\0')
    g_string_append_printf (about, _("Template %s"), template);
  if (created_by != NULL && *created_by != '\0')
    {
      if (about->len > 0)
        g_string_append (about, " · ");
      g_string_append_printf (about, _("started by %s"), created_by);
    }
  if (about->len > 0)
    g_string_append (about, " · ");
  g_string_append_printf (about, _("ID %s"), br_batch_get_id (self->batch));
  if (description != NULL && *description != '\0')
    g_string_append_printf (about, "\n%s", description);
  set_label (self->about_label, about->str);

  gtk_widget_set_visible (GTK_WIDGET (self->batch_error_label), error != NULL && *error != '\0');
  set_label (self->batch_error_label, error != NULL ? error : "");
}

static void
sync_progress (BrmBatchDetail *self)
{
  gint64 total = br_batch_get_total_leads (self->batch);
  gint64 done = br_batch_get_processed_leads (self->batch) + br_batch_get_skipped_leads (self->batch);
  double percent = CLAMP (br_batch_get_progress_percentage (self->batch), 0.0, 100.0);
  g_autofree char *text = NULL;

  /* Translators: progress of a batch, "57% · 85 of 150 leads" */
  text = g_strdup_printf (_("%.0f%% · %d of %d leads"), floor (percent), (int) done, (int) total);
  gtk_progress_bar_set_fraction (self->progress_bar, percent / 100.0);
  if (g_strcmp0 (gtk_progress_bar_get_text (self->progress_bar), text) != 0)
    {
      gtk_progress_bar_set_text (self->progress_bar, text);
      /* GTK 4.8 exposes only the fraction; a screen reader reads this. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                      GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text,
                                      -1);
    }

  take_label (self->total_label, format_count (total));
  take_label (self->processed_label, format_count (br_batch_get_processed_leads (self->batch)));
  take_label (self->succeeded_label, format_count (br_batch_get_successful_leads (self->batch)));
  take_label (self->failed_label, format_count (br_batch_get_failed_leads (self->batch)));
  take_label (self->skipped_label, format_count (br_batch_get_skipped_leads (self->batch)));
}

static void
sync_timing (BrmBatchDetail *self)
{
  BrBatchStatus status = br_batch_get_status (self->batch);
  gint64 started = br_batch_get_started_at (self->batch);
  gint64 completed = br_batch_get_completed_at (self->batch);
  gint64 eta = br_batch_get_eta_seconds (self->batch);
  double rate = br_batch_get_rate (self->batch);

  take_label (self->created_label, format_time (br_batch_get_created_at (self->batch), "—"));
  take_label (self->started_label, format_time (started, _("Not started")));
  take_label (self->completed_label, format_time (completed, _("Not finished")));

  /* A running batch's duration moves with its updates; no clock of its own. */
  if (started <= 0)
    set_label (self->duration_label, "—");
  else if (completed > 0)
    take_label (self->duration_label, format_duration ((completed - started) / G_USEC_PER_SEC));
  else
    {
      g_autofree char *so_far = format_duration ((g_get_real_time () - started) / G_USEC_PER_SEC);

      /* Translators: the duration of a batch still going, "3 min 05 s so far" */
      take_label (self->duration_label, g_strdup_printf (_("%s so far"), so_far));
    }

  if (rate <= 0)
    set_label (self->rate_label, "—");
  else if (rate < 1)
    take_label (self->rate_label, g_strdup_printf (_("%.1f leads/min"), rate * 60));
  else
    take_label (self->rate_label, g_strdup_printf (_("%.1f leads/s"), rate));

  if (br_batch_status_is_terminal (status))
    set_label (self->eta_label, _("Finished"));
  else if (status == BR_BATCH_STATUS_PAUSED)
    set_label (self->eta_label, _("Paused"));
  else if (eta < 0)
    set_label (self->eta_label, _("Not known yet"));
  else
    {
      g_autofree char *left = format_duration (eta);

      /* Translators: time left, "about 2 min 10 s" */
      take_label (self->eta_label, g_strdup_printf (_("about %s"), left));
    }
}

static void
sync_costs (BrmBatchDetail *self)
{
  double estimated = br_batch_get_estimated_cost_usd (self->batch);
  double actual = br_batch_get_actual_cost_usd (self->batch);
  double diff = actual - estimated;
  g_autofree char *amount = NULL;
  g_autofree char *text = NULL;

  take_label (self->estimated_label, format_money (estimated));
  take_label (self->actual_label, format_money (actual));

  /* One sign for both numbers, the typographic minus. */
  amount = g_strdup_printf ("%s$%.2f", diff < 0 ? "−" : "+", fabs (diff));
  if (estimated > 0)
    text = g_strdup_printf ("%s (%s%.1f%%)", amount, diff < 0 ? "−" : "+", fabs (diff) / estimated * 100.0);
  else
    text = g_strdup (amount);
  if (!br_batch_is_terminal (self->batch))
    {
      /* Translators: a cost difference of a batch still going, "−$3.10 (−25.0%) so far" */
      take_label (self->difference_label, g_strdup_printf (_("%s so far"), text));
    }
  else
    set_label (self->difference_label, text);
}

static void
sync_batch (BrmBatchDetail *self)
{
  if (self->batch == NULL)
    return;

  sync_status (self);
  sync_header (self);
  sync_progress (self);
  sync_timing (self);
  sync_costs (self);
}

static void
batch_notify_cb (BrmBatchDetail *self,
                 GParamSpec     *pspec,
                 BrBatch        *batch)
{
  sync_batch (self);

  if (g_str_equal (pspec->name, "failed-leads"))
    queue_status_refresh (self);
  else if (g_str_equal (pspec->name, "status"))
    {
      /* A status change is a command (audited) or the end, when the
       * last failures are in. */
      queue_status_refresh (self);
      queue_audit_refresh (self);
    }
}

/* Error summary ------------------------------------------------------------------ */

typedef struct
{
  const char *code;
  gint64      count;
} CodeCount;

static int
compare_code_count (gconstpointer a,
                    gconstpointer b)
{
  const CodeCount *x = a;
  const CodeCount *y = b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return g_strcmp0 (x->code, y->code);
}

static GtkWidget *
new_error_row (const char *code,
               gint64      count,
               const char *hint)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
  g_autofree char *count_text = format_count (count);
  g_autofree char *name = NULL;
  GtkWidget *count_label = gtk_label_new (count_text);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), code);
  if (hint != NULL && *hint != '\0')
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), hint);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
    }
  gtk_widget_set_focusable (row, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Error"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_add_css_class (count_label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), count_label);

  /* Translators: an error code and how many leads failed with it */
  name = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %d failed lead", "%s: %d failed leads", count),
                          code, (int) count);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, hint != NULL ? hint : "",
                                  -1);
  return row;
}

static void fetch_hints (BrmBatchDetail *self);

static void
render_errors (BrmBatchDetail *self)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (CodeCount));
  gboolean missing_hint = FALSE;
  JsonObjectIter iter;
  const char *code;
  JsonNode *node;

  clear_list_box (self->error_list);
  if (self->error_summary == NULL)
    return;

  json_object_iter_init (&iter, self->error_summary);
  while (json_object_iter_next (&iter, &code, &node))
    {
      CodeCount cc = { code, 0 };

      if (JSON_NODE_HOLDS_VALUE (node) &&
          (json_node_get_value_type (node) == G_TYPE_INT64 || json_node_get_value_type (node) == G_TYPE_DOUBLE))
        cc.count = json_node_get_int (node);
      if (cc.count <= 0)
        continue;
      g_array_append_val (rows, cc);
      if (!g_hash_table_contains (self->hints, code))
        missing_hint = TRUE;
    }
  g_array_sort (rows, compare_code_count);

  for (guint i = 0; i < rows->len; i++)
    {
      const CodeCount *cc = &g_array_index (rows, CodeCount, i);

      gtk_list_box_append (self->error_list,
                           new_error_row (cc->code, cc->count, g_hash_table_lookup (self->hints, cc->code)));
    }

  if (missing_hint)
    fetch_hints (self);
}

static void
analytics_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BrAnalytics) analytics = NULL;
  g_autoptr(GError) error = NULL;
  BrmBatchDetail *self;
  JsonObjectIter iter;
  const char *code;
  JsonNode *node;

  analytics = br_client_get_analytics_finish (BR_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = BRM_BATCH_DETAIL (user_data);
  self->analytics_in_flight = FALSE;

  if (analytics != NULL)
    {
      GListModel *breakdown = br_analytics_get_error_breakdown (analytics);
      guint n = breakdown != NULL ? g_list_model_get_n_items (breakdown) : 0;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(BrErrorStat) stat = g_list_model_get_item (breakdown, i);
          const char *hint = br_error_stat_get_hint (stat);

          g_hash_table_replace (self->hints, g_strdup (br_error_stat_get_error_code (stat)),
                                g_strdup (hint != NULL ? hint : ""));
        }
    }
  else
    g_debug ("No hints for the error codes: %s", error->message);

  /* Codes the server gave no hint for are not asked about again. */
  if (self->error_summary != NULL)
    {
      json_object_iter_init (&iter, self->error_summary);
      while (json_object_iter_next (&iter, &code, &node))
        if (!g_hash_table_contains (self->hints, code))
          g_hash_table_insert (self->hints, g_strdup (code), g_strdup (""));
    }

  render_errors (self);
}

static void
fetch_hints (BrmBatchDetail *self)
{
  BrClient *client = get_client (self);

  if (client == NULL || self->analytics_in_flight || !server_can (self, "analytics.daily"))
    return;

  self->analytics_in_flight = TRUE;
  br_client_get_analytics_async (client, ANALYTICS_DAYS, self->cancellable, analytics_cb, self);
}

static void
add_activity (BrmBatchDetail *self,
              JsonObject     *result,
              gboolean        newest);

static void
status_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(GError) error = NULL;
  BrmBatchDetail *self;
  JsonNode *summary;
  JsonNode *recent;

  status = br_client_get_batch_status_finish (BR_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = BRM_BATCH_DETAIL (user_data);
  self->status_in_flight = FALSE;

  if (status == NULL)
    {
      g_autofree char *text = error_text (error);

      take_label (self->errors_note, g_strdup_printf (_("Could not load the error summary: %s"), text));
      gtk_widget_set_visible (GTK_WIDGET (self->errors_note), TRUE);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->errors_note), !server_can (self, "analytics.daily"));
      set_label (self->errors_note, _("This server gives no hints for error codes."));

      summary = json_object_get_member (status, "error_summary");
      g_clear_pointer (&self->error_summary, json_object_unref);
      if (summary != NULL && JSON_NODE_HOLDS_OBJECT (summary))
        self->error_summary = json_object_ref (json_node_get_object (summary));
      else
        self->error_summary = json_object_new ();
      render_errors (self);

      /* Before any live update, the server's latest results are the activity. */
      recent = json_object_get_member (status, "recent_results");
      if (g_list_model_get_n_items (G_LIST_MODEL (self->activity)) == 0 &&
          recent != NULL && JSON_NODE_HOLDS_ARRAY (recent))
        {
          JsonArray *array = json_node_get_array (recent);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *item = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_OBJECT (item))
                add_activity (self, json_node_get_object (item), FALSE);
            }
        }
    }

  if (self->status_dirty)
    queue_status_refresh (self);
}

static void
fetch_status (BrmBatchDetail *self)
{
  BrClient *client = get_client (self);

  if (client == NULL || self->batch == NULL)
    return;

  self->status_in_flight = TRUE;
  self->status_dirty = FALSE;
  self->last_status_fetch = g_get_monotonic_time ();
  br_client_get_batch_status_async (client, br_batch_get_id (self->batch), self->cancellable, status_cb, self);
}

static gboolean
status_timeout_cb (gpointer data)
{
  BrmBatchDetail *self = data;

  self->status_source = 0;
  fetch_status (self);
  return G_SOURCE_REMOVE;
}

/* The failed count moves with every failure: the summary follows at most
 * every STATUS_INTERVAL_USEC, so a batch failing fast costs the server one
 * query per interval rather than one per lead. */
static void
queue_status_refresh (BrmBatchDetail *self)
{
  gint64 wait;

  if (self->batch == NULL || get_client (self) == NULL)
    return;
  if (self->status_in_flight)
    {
      self->status_dirty = TRUE;
      return;
    }
  if (self->status_source != 0)
    return;

  wait = self->last_status_fetch + STATUS_INTERVAL_USEC - g_get_monotonic_time ();
  if (self->last_status_fetch == 0 || wait <= 0)
    fetch_status (self);
  else
    self->status_source = g_timeout_add_full (G_PRIORITY_DEFAULT, wait / 1000 + 1, status_timeout_cb, self, NULL);
}

/* Recent activity ---------------------------------------------------------------- */

static GtkWidget *
create_activity_row (gpointer item,
                     gpointer user_data)
{
  BrLeadResult *result = item;
  BrLeadStatus status = br_lead_result_get_status (result);
  const char *company = br_lead_result_get_company_name (result);
  const char *title = company != NULL && *company != '\0' ? company : br_lead_result_get_lead_id (result);
  const char *message = br_lead_result_get_error_message (result);
  gint64 when = br_lead_result_get_completed_at (result);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (lead_status_icon (status));
  g_autoptr(GString) subtitle = g_string_new (lead_status_text (status));
  g_autofree char *name = NULL;

  if (when <= 0)
    when = br_lead_result_get_started_at (result);
  if (when > 0)
    {
      g_autofree char *time = format_time (when, "");

      g_string_append_printf (subtitle, " · %s", time);
    }
  if (status == BR_LEAD_STATUS_FAILED && message != NULL && *message != '\0')
    g_string_append_printf (subtitle, " · %s", message);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_widget_set_focusable (row, FALSE);
  gtk_widget_add_css_class (icon, "status");
  gtk_widget_add_css_class (icon, lead_status_class (status));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  lead_status_text (status), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  /* Translators: a lead and its new status, "Acme Ltd: Completed" */
  name = g_strdup_printf (_("%s: %s"), title, lead_status_text (status));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle->str,
                                  -1);
  return row;
}

/* @newest: an update that just arrived goes on top; the server's recent
 * results (already newest first) go below what is there. */
static void
add_activity (BrmBatchDetail *self,
              JsonObject     *result,
              gboolean        newest)
{
  g_autoptr(BrLeadResult) entry = NULL;
  g_autoptr(GError) error = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->activity));

  /* A snapshot: the row says what happened then, not what the lead is now. */
  entry = br_lead_result_new_from_json (result, &error);
  if (entry == NULL)
    {
      g_debug ("Not showing a lead update: %s", error->message);
      return;
    }

  /* Live updates carry no company name; the loaded row may know it. */
  if (br_lead_result_get_company_name (entry) == NULL)
    {
      BrLeadResult *known = brm_lead_list_lookup (self->leads, br_lead_result_get_lead_id (entry));

      if (known != NULL && br_lead_result_get_company_name (known) != NULL)
        g_object_set (entry, "company-name", br_lead_result_get_company_name (known), NULL);
    }

  if (!newest && n >= MAX_ACTIVITY)
    return;
  if (newest)
    g_list_store_insert (self->activity, 0, entry);
  else
    g_list_store_append (self->activity, entry);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->activity));
  if (n > MAX_ACTIVITY)
    g_list_store_splice (self->activity, MAX_ACTIVITY, n - MAX_ACTIVITY, NULL, 0);
}

static void
feed_lead_updated_cb (BrmBatchDetail *self,
                      const char     *batch_id,
                      JsonObject     *result,
                      BrLiveFeed     *feed)
{
  if (self->batch == NULL || g_strcmp0 (batch_id, br_batch_get_id (self->batch)) != 0)
    return;

  brm_lead_list_apply_update (self->leads, result);
  add_activity (self, result, TRUE);
}

/* Audit trail -------------------------------------------------------------------- */

static const char *
audit_action_text (const char *action)
{
  if (g_strcmp0 (action, "start") == 0)
    return _("Started");
  if (g_strcmp0 (action, "pause") == 0)
    return _("Paused");
  if (g_strcmp0 (action, "resume") == 0)
    return _("Resumed");
  if (g_strcmp0 (action, "cancel") == 0)
    return _("Cancelled");
  if (g_strcmp0 (action, "retry") == 0)
    return _("Retried");
  return action;
}

static GtkWidget *
new_audit_row (JsonObject *entry)
{
  const char *action = json_object_get_string_member_with_default (entry, "action", NULL);
  const char *actor = json_object_get_string_member_with_default (entry, "actor", NULL);
  const char *role = json_object_get_string_member_with_default (entry, "role", NULL);
  const char *when = json_object_get_string_member_with_default (entry, "timestamp", NULL);
  JsonNode *detail = json_object_get_member (entry, "detail");
  GtkWidget *row = adw_action_row_new ();
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *title = NULL;
  gint64 usec = 0;

  if (action == NULL)
    action = "?";
  if (actor != NULL && role != NULL)
    /* Translators: an audit entry, "Paused by alice (operator)" */
    title = g_strdup_printf (_("%s by %s (%s)"), audit_action_text (action), actor, role);
  else if (actor != NULL || role != NULL)
    title = g_strdup_printf (_("%s by %s"), audit_action_text (action), actor != NULL ? actor : role);
  else
    title = g_strdup (audit_action_text (action));

  if (when != NULL)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (when, NULL);

      if (dt != NULL)
        usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
    }
  if (usec > 0)
    {
      g_autofree char *time = format_time (usec, "");

      g_string_append (subtitle, time);
    }
  if (detail != NULL && JSON_NODE_HOLDS_VALUE (detail) && json_node_get_value_type (detail) == G_TYPE_STRING)
    g_string_append_printf (subtitle, "%s%s", subtitle->len > 0 ? " · " : "", json_node_get_string (detail));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle->len > 0)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_widget_set_focusable (row, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle->str,
                                  -1);
  return row;
}

static void fetch_audit (BrmBatchDetail *self);

static void
audit_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(JsonArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  BrmBatchDetail *self;

  entries = br_client_list_audit_finish (BR_CLIENT (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = BRM_BATCH_DETAIL (user_data);
  self->audit_in_flight = FALSE;

  if (entries == NULL)
    {
      g_autofree char *text = error_text (error);

      take_label (self->audit_note, g_strdup_printf (_("Could not load the audit trail: %s"), text));
      gtk_widget_set_visible (GTK_WIDGET (self->audit_note), TRUE);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->audit_note), FALSE);
      clear_list_box (self->audit_list);
      for (guint i = 0; i < json_array_get_length (entries); i++)
        {
          JsonNode *node = json_array_get_element (entries, i);

          if (JSON_NODE_HOLDS_OBJECT (node))
            gtk_list_box_append (self->audit_list, new_audit_row (json_node_get_object (node)));
        }
    }

  if (self->audit_dirty)
    fetch_audit (self);
}

static void
fetch_audit (BrmBatchDetail *self)
{
  BrClient *client = get_client (self);

  self->audit_dirty = FALSE;
  if (client == NULL || self->batch == NULL || !server_can (self, "audit"))
    return;

  self->audit_in_flight = TRUE;
  br_client_list_audit_async (client, br_batch_get_id (self->batch), 0, AUDIT_LIMIT,
                              self->cancellable, audit_cb, self);
}

static void
queue_audit_refresh (BrmBatchDetail *self)
{
  if (self->audit_in_flight)
    self->audit_dirty = TRUE;
  else
    fetch_audit (self);
}

/* Lead results ------------------------------------------------------------------- */

static GtkExpression *
item_property (const char *property)
{
  return gtk_property_expression_new (BR_TYPE_LEAD_RESULT,
                                      gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item"),
                                      property);
}

/* Binds @target's @target_property to @callback applied to the item's
 * properties (NULL-terminated), for as long as @target lives. */
static void
bind_closure (GtkWidget   *target,
              const char  *target_property,
              GtkListItem *list_item,
              GType        value_type,
              GCallback    callback,
              const char  *first_property,
              ...)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  GtkExpression *expression;
  va_list args;

  va_start (args, first_property);
  for (const char *p = first_property; p != NULL; p = va_arg (args, const char *))
    g_ptr_array_add (params, item_property (p));
  va_end (args);

  expression = gtk_cclosure_expression_new (value_type, NULL, params->len, (GtkExpression **) params->pdata,
                                            callback, NULL, NULL);
  gtk_expression_bind (expression, target, target_property, list_item);
}

static char *
lead_status_text_cb (GtkListItem *item,
                     BrLeadStatus status)
{
  return g_strdup (lead_status_text (status));
}

static char *
lead_status_icon_cb (GtkListItem *item,
                     BrLeadStatus status)
{
  return g_strdup (lead_status_icon (status));
}

static GStrv
lead_status_classes_cb (GtkListItem *item,
                        BrLeadStatus status)
{
  const char * const classes[] = { "status", lead_status_class (status), NULL };

  return g_strdupv ((char **) classes);
}

static void
setup_status_cell (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   BrmBatchDetail           *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  bind_closure (box, "css-classes", item, G_TYPE_STRV, G_CALLBACK (lead_status_classes_cb), "status", NULL);
  bind_closure (icon, "icon-name", item, G_TYPE_STRING, G_CALLBACK (lead_status_icon_cb), "status", NULL);
  bind_closure (label, "label", item, G_TYPE_STRING, G_CALLBACK (lead_status_text_cb), "status", NULL);
  gtk_list_item_set_child (item, box);
}

static char *
lead_title_cb (GtkListItem *item,
               const char  *company,
               const char  *lead_id)
{
  return g_strdup (company != NULL && *company != '\0' ? company : lead_id);
}

static char *
lead_subtitle_cb (GtkListItem *item,
                  const char  *domain,
                  const char  *lead_id)
{
  return g_strdup (domain != NULL && *domain != '\0' ? domain : lead_id);
}

static void
setup_lead_cell (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 BrmBatchDetail           *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  /* Wide enough to read a name; a narrow pane scrolls the table sideways. */
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_width_chars (GTK_LABEL (title), 16);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  bind_closure (title, "label", item, G_TYPE_STRING, G_CALLBACK (lead_title_cb), "company-name", "lead-id", NULL);
  bind_closure (subtitle, "label", item, G_TYPE_STRING, G_CALLBACK (lead_subtitle_cb), "domain", "lead-id", NULL);
  gtk_list_item_set_child (item, box);
}

static char *
lead_cost_cb (GtkListItem  *item,
              double        usd,
              BrLeadStatus  status)
{
  if (usd <= 0 && !br_lead_status_is_final (status))
    return g_strdup ("—");
  return g_strdup_printf ("$%.4f", usd);
}

static char *
lead_quality_cb (GtkListItem *item,
                 double       score)
{
  if (score < 0)
    return g_strdup ("—");
  return g_strdup_printf ("%.2f", score);
}

static char *
lead_duration_cb (GtkListItem *item,
                  gint64       ms)
{
  if (ms < 0)
    return g_strdup ("—");
  if (ms < 1000)
    return g_strdup_printf (_("%d ms"), (int) ms);
  return g_strdup_printf (_("%.1f s"), ms / 1000.0);
}

static GtkWidget *
new_cell_label (gboolean numeric)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  return label;
}

static void
setup_cost_cell (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 BrmBatchDetail           *self)
{
  GtkWidget *label = new_cell_label (TRUE);

  bind_closure (label, "label", item, G_TYPE_STRING, G_CALLBACK (lead_cost_cb), "actual-cost-usd", "status", NULL);
  gtk_list_item_set_child (item, label);
}

static void
setup_quality_cell (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    BrmBatchDetail           *self)
{
  GtkWidget *label = new_cell_label (TRUE);

  bind_closure (label, "label", item, G_TYPE_STRING, G_CALLBACK (lead_quality_cb), "quality-score", NULL);
  gtk_list_item_set_child (item, label);
}

static void
setup_duration_cell (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     BrmBatchDetail           *self)
{
  GtkWidget *label = new_cell_label (TRUE);

  bind_closure (label, "label", item, G_TYPE_STRING, G_CALLBACK (lead_duration_cb), "processing-duration-ms", NULL);
  gtk_list_item_set_child (item, label);
}

static char *
lead_error_cb (GtkListItem *item,
               const char  *code,
               const char  *message)
{
  if (code != NULL && message != NULL)
    return g_strdup_printf ("%s: %s", code, message);
  return g_strdup (code != NULL ? code : message != NULL ? message : "");
}

static void
setup_error_cell (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  BrmBatchDetail           *self)
{
  GtkWidget *label = new_cell_label (FALSE);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (label), 20);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  bind_closure (label, "label", item, G_TYPE_STRING, G_CALLBACK (lead_error_cb), "error-code", "error-message", NULL);
  /* The whole message, for what the ellipsis cut. */
  bind_closure (label, "tooltip-text", item, G_TYPE_STRING, G_CALLBACK (lead_error_cb),
                "error-code", "error-message", NULL);
  gtk_list_item_set_child (item, label);
}

static gboolean
lead_has_report_cb (GtkListItem *item,
                    const char  *report_url)
{
  return report_url != NULL && *report_url != '\0';
}

/* The report button opens this row's report: it makes the row the
 * selection, then asks the window, which owns opening reports. */
static void
report_clicked_cb (GtkButton   *button,
                   GtkListItem *item)
{
  BrmBatchDetail *self = BRM_BATCH_DETAIL (gtk_widget_get_ancestor (GTK_WIDGET (button), BRM_TYPE_BATCH_DETAIL));
  guint position = gtk_list_item_get_position (item);

  if (self == NULL || position == GTK_INVALID_LIST_POSITION)
    return;
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->lead_selection), position, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (button), "win.lead-open-report", NULL);
}

static void
setup_report_cell (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   BrmBatchDetail           *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("x-office-document-symbolic");

  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Open the report of this lead"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Open Report"), -1);
  bind_closure (button, "sensitive", item, G_TYPE_BOOLEAN, G_CALLBACK (lead_has_report_cb), "report-url", NULL);
  g_signal_connect (button, "clicked", G_CALLBACK (report_clicked_cb), item);
  gtk_list_item_set_child (item, button);
}

static void
set_column_factory (GtkColumnViewColumn *column,
                    GCallback            setup,
                    BrmBatchDetail      *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", setup, self);
  gtk_column_view_column_set_factory (column, factory);
}

static void
sync_leads (BrmBatchDetail *self)
{
  const GError *error = brm_lead_list_get_error (self->leads);
  gboolean loading = brm_lead_list_get_loading (self->leads);
  gint64 total = brm_lead_list_get_total_count (self->leads);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->leads));

  gtk_spinner_set_spinning (self->leads_spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->leads_spinner), loading);

  if (total < 0)
    set_label (self->leads_count_label, loading ? _("Loading…") : "");
  else if ((gint64) n >= total)
    take_label (self->leads_count_label,
                g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d lead", "%d leads", total), (int) total));
  else
    /* Translators: results loaded so far, "100 of 250 leads loaded" */
    take_label (self->leads_count_label,
                g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d of %d lead loaded", "%d of %d leads loaded", total),
                                 (int) n, (int) total));

  gtk_widget_set_visible (self->leads_error_box, error != NULL);
  if (error != NULL)
    {
      g_autofree char *text = error_text (error);

      take_label (self->leads_error_label, g_strdup_printf (_("Could not load the lead results: %s"), text));
    }
}

static void
leads_retry_clicked_cb (BrmBatchDetail *self)
{
  brm_lead_list_load_more (self->leads);
}

static void
status_filter_cb (BrmBatchDetail *self)
{
  guint selected = gtk_drop_down_get_selected (self->status_filter);

  /* The filter's entries are in the order of BrLeadStatus, "all" first. */
  if (selected == GTK_INVALID_LIST_POSITION || selected > BR_LEAD_STATUS_SKIPPED)
    selected = BR_LEAD_STATUS_UNKNOWN;
  brm_lead_list_set_status (self->leads, (BrLeadStatus) selected);
}

static void
update_n_selected (BrmBatchDetail *self)
{
  g_autoptr(GtkBitset) selection = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->lead_selection));
  guint n = (guint) gtk_bitset_get_size (selection);

  if (n == self->n_selected)
    return;
  self->n_selected = n;
  g_signal_emit (self, signals[LEAD_SELECTION_CHANGED], 0);
}

static void
selection_changed_cb (BrmBatchDetail *self)
{
  g_autoptr(GtkBitset) selection = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->lead_selection));

  /* Another lead with the same count is a change too. */
  self->n_selected = (guint) gtk_bitset_get_size (selection);
  g_signal_emit (self, signals[LEAD_SELECTION_CHANGED], 0);
}

/* Capabilities and connection ---------------------------------------------------- */

static void
sync_capabilities (BrmBatchDetail *self)
{
  gboolean leads = server_can (self, "leads");
  gboolean audit = server_can (self, "audit");

  gtk_widget_set_visible (self->leads_box, leads);
  gtk_widget_set_visible (GTK_WIDGET (self->leads_note), !leads);
  set_label (self->leads_note, _("This server cannot list the result of each lead."));

  gtk_widget_set_visible (GTK_WIDGET (self->audit_list), audit);
  if (!audit)
    {
      set_label (self->audit_note, _("This server keeps no audit trail."));
      gtk_widget_set_visible (GTK_WIDGET (self->audit_note), TRUE);
    }

  if (!server_can (self, "analytics.daily"))
    {
      set_label (self->errors_note, _("This server gives no hints for error codes."));
      gtk_widget_set_visible (GTK_WIDGET (self->errors_note), TRUE);
    }
}

static void
capabilities_cb (BrmBatchDetail *self)
{
  sync_capabilities (self);

  /* What failed for want of a capability the server now has. */
  if (self->batch == NULL)
    return;
  if (server_can (self, "leads") && brm_lead_list_get_error (self->leads) != NULL)
    brm_lead_list_load_more (self->leads);
  if (server_can (self, "audit") && gtk_widget_get_visible (GTK_WIDGET (self->audit_note)))
    queue_audit_refresh (self);
}

/* Watches the shown batch on the connection's feed, unwatching exactly
 * what this pane watched before. */
static void
update_watch (BrmBatchDetail *self)
{
  BrLiveFeed *feed = self->connection != NULL ? brm_connection_get_feed (self->connection) : NULL;
  const char *id = self->batch != NULL ? br_batch_get_id (self->batch) : NULL;

  if (feed == NULL || id == NULL)
    {
      feed = NULL;
      id = NULL;
    }
  if (self->watch_feed == feed && g_strcmp0 (self->watch_id, id) == 0)
    return;

  if (self->watch_feed != NULL && self->watch_id != NULL)
    br_live_feed_unwatch (self->watch_feed, self->watch_id);
  g_set_object (&self->watch_feed, feed);
  g_free (self->watch_id);
  self->watch_id = g_strdup (id);
  if (feed != NULL)
    br_live_feed_watch (feed, id);
}

/* Drops what belongs to the previous batch or server and asks again. */
static void
restart (BrmBatchDetail *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->status_source, g_source_remove);
  self->status_in_flight = FALSE;
  self->status_dirty = FALSE;
  self->analytics_in_flight = FALSE;
  self->audit_in_flight = FALSE;
  self->audit_dirty = FALSE;
  self->last_status_fetch = 0;

  g_clear_pointer (&self->error_summary, json_object_unref);
  clear_list_box (self->error_list);
  clear_list_box (self->audit_list);
  g_list_store_remove_all (self->activity);
  gtk_widget_set_visible (GTK_WIDGET (self->errors_note), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->audit_note), FALSE);
  sync_capabilities (self);

  update_watch (self);
  if (self->batch == NULL)
    return;
  queue_status_refresh (self);
  fetch_audit (self);
}

/* GObject -------------------------------------------------------------------------- */

static void
brm_batch_detail_dispose (GObject *object)
{
  BrmBatchDetail *self = BRM_BATCH_DETAIL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->status_source, g_source_remove);
  if (self->watch_feed != NULL && self->watch_id != NULL)
    br_live_feed_unwatch (self->watch_feed, self->watch_id);
  g_clear_object (&self->watch_feed);
  g_clear_pointer (&self->watch_id, g_free);
  if (self->batch_signals != NULL)
    g_signal_group_set_target (self->batch_signals, NULL);
  if (self->connection_signals != NULL)
    g_signal_group_set_target (self->connection_signals, NULL);
  if (self->feed_signals != NULL)
    g_signal_group_set_target (self->feed_signals, NULL);
  /* Emptying the list below must not reach the window as a selection
   * change of a pane that is going away. */
  if (self->lead_selection != NULL)
    g_signal_handlers_disconnect_by_data (self->lead_selection, self);
  if (self->leads != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->leads, self);
      brm_lead_list_set_batch_id (self->leads, NULL);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), BRM_TYPE_BATCH_DETAIL);

  g_clear_object (&self->batch);
  g_clear_object (&self->connection);
  g_clear_object (&self->leads);
  g_clear_object (&self->activity);

  G_OBJECT_CLASS (brm_batch_detail_parent_class)->dispose (object);
}

static void
brm_batch_detail_finalize (GObject *object)
{
  BrmBatchDetail *self = BRM_BATCH_DETAIL (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->batch_signals);
  g_clear_object (&self->connection_signals);
  g_clear_object (&self->feed_signals);
  g_clear_pointer (&self->error_summary, json_object_unref);
  g_clear_pointer (&self->hints, g_hash_table_unref);

  G_OBJECT_CLASS (brm_batch_detail_parent_class)->finalize (object);
}

static void
brm_batch_detail_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BrmBatchDetail *self = BRM_BATCH_DETAIL (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_BATCH:
      g_value_set_object (value, self->batch);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_batch_detail_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BrmBatchDetail *self = BRM_BATCH_DETAIL (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      brm_batch_detail_set_connection (self, g_value_get_object (value));
      break;
    case PROP_BATCH:
      brm_batch_detail_set_batch (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_batch_detail_class_init (BrmBatchDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = brm_batch_detail_dispose;
  object_class->finalize = brm_batch_detail_finalize;
  object_class->get_property = brm_batch_detail_get_property;
  object_class->set_property = brm_batch_detail_set_property;

  properties[PROP_CONNECTION] = g_param_spec_object ("connection", NULL, NULL, BRM_TYPE_CONNECTION, rw);
  /**
   * BrmBatchDetail:batch:
   *
   * The batch shown, or %NULL for the "Select a batch" page.
   */
  properties[PROP_BATCH] = g_param_spec_object ("batch", NULL, NULL, BR_TYPE_BATCH, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BrmBatchDetail::lead-selection-changed:
   *
   * The selected leads changed: the window updates "retry selected leads"
   * and "open report".
   */
  signals[LEAD_SELECTION_CHANGED] =
    g_signal_new ("lead-selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (BRM_TYPE_BATCH_CHARTS);
  g_type_ensure (BRM_TYPE_SPARKLINE);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/brm-batch-detail.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "batchdetail");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, stack);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, status_box);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, status_icon);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, status_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, name_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, about_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, batch_error_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, actions);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, pause_button);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, resume_button);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, retry_failed_button);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, retry_selected_button);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, open_report_button);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, copy_id_button);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, total_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, processed_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, succeeded_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, failed_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, skipped_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, created_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, started_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, completed_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, duration_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, rate_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, eta_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, estimated_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, actual_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, difference_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, errors_note);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, error_list);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, leads_note);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, leads_box);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, status_filter);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, leads_count_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, leads_spinner);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, leads_error_box);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, leads_error_label);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, leads_retry_button);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, leads_view);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, lead_selection);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, status_column);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, lead_column);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, cost_column);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, quality_column);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, duration_column);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, error_column);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, report_column);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, activity_list);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, audit_note);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, audit_list);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, batch_charts);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchDetail, progress_spark);
  gtk_widget_class_bind_template_callback (widget_class, leads_retry_clicked_cb);
}

static void
brm_batch_detail_init (BrmBatchDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  brm_chart_set_title (BRM_CHART (self->progress_spark), _("Progress"));
  brm_chart_set_unit (BRM_CHART (self->progress_spark), BRM_CHART_UNIT_PERCENT);

  self->cancellable = g_cancellable_new ();
  self->hints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  self->leads = brm_lead_list_new (NULL, NULL);
  g_signal_connect_swapped (self->leads, "notify::loading", G_CALLBACK (sync_leads), self);
  g_signal_connect_swapped (self->leads, "notify::error", G_CALLBACK (sync_leads), self);
  g_signal_connect_swapped (self->leads, "notify::total-count", G_CALLBACK (sync_leads), self);
  g_signal_connect_swapped (self->leads, "notify::n-items", G_CALLBACK (sync_leads), self);
  gtk_multi_selection_set_model (self->lead_selection, G_LIST_MODEL (self->leads));
  g_signal_connect_object (self->lead_selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lead_selection, "items-changed",
                           G_CALLBACK (update_n_selected), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->status_filter, "notify::selected",
                           G_CALLBACK (status_filter_cb), self, G_CONNECT_SWAPPED);

  set_column_factory (self->status_column, G_CALLBACK (setup_status_cell), self);
  set_column_factory (self->lead_column, G_CALLBACK (setup_lead_cell), self);
  set_column_factory (self->cost_column, G_CALLBACK (setup_cost_cell), self);
  set_column_factory (self->quality_column, G_CALLBACK (setup_quality_cell), self);
  set_column_factory (self->duration_column, G_CALLBACK (setup_duration_cell), self);
  set_column_factory (self->error_column, G_CALLBACK (setup_error_cell), self);
  set_column_factory (self->report_column, G_CALLBACK (setup_report_cell), self);

  self->activity = g_list_store_new (BR_TYPE_LEAD_RESULT);
  gtk_list_box_bind_model (self->activity_list, G_LIST_MODEL (self->activity),
                           create_activity_row, NULL, NULL);

  self->batch_signals = g_signal_group_new (BR_TYPE_BATCH);
  g_signal_group_connect_swapped (self->batch_signals, "notify", G_CALLBACK (batch_notify_cb), self);

  self->connection_signals = g_signal_group_new (BRM_TYPE_CONNECTION);
  g_signal_group_connect_swapped (self->connection_signals, "notify::capabilities",
                                  G_CALLBACK (capabilities_cb), self);

  self->feed_signals = g_signal_group_new (BR_TYPE_LIVE_FEED);
  g_signal_group_connect_swapped (self->feed_signals, "lead-updated", G_CALLBACK (feed_lead_updated_cb), self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Batch details"), -1);
  sync_leads (self);
}

/* API ------------------------------------------------------------------------------ */

GtkWidget *
brm_batch_detail_new (void)
{
  return g_object_new (BRM_TYPE_BATCH_DETAIL, NULL);
}

/**
 * brm_batch_detail_get_connection:
 * @self: a #BrmBatchDetail
 *
 * Returns: (transfer none) (nullable): the service the pane reads from
 */
BrmConnection *
brm_batch_detail_get_connection (BrmBatchDetail *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_DETAIL (self), NULL);
  return self->connection;
}

void
brm_batch_detail_set_connection (BrmBatchDetail *self,
                                 BrmConnection  *connection)
{
  g_return_if_fail (BRM_IS_BATCH_DETAIL (self));
  g_return_if_fail (connection == NULL || BRM_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  g_set_object (&self->connection, connection);
  g_signal_group_set_target (self->connection_signals, connection);
  g_signal_group_set_target (self->feed_signals, connection != NULL ? brm_connection_get_feed (connection) : NULL);
  g_hash_table_remove_all (self->hints);
  brm_lead_list_set_client (self->leads, get_client (self));
  restart (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

/**
 * brm_batch_detail_get_batch:
 * @self: a #BrmBatchDetail
 *
 * Returns: (transfer none) (nullable): the batch shown
 */
BrBatch *
brm_batch_detail_get_batch (BrmBatchDetail *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_DETAIL (self), NULL);
  return self->batch;
}

/**
 * brm_batch_detail_set_batch:
 * @self: a #BrmBatchDetail
 * @batch: (nullable): the batch to show, usually one of the connection's
 *   store so it stays live
 */
void
brm_batch_detail_set_batch (BrmBatchDetail *self,
                            BrBatch        *batch)
{
  g_return_if_fail (BRM_IS_BATCH_DETAIL (self));
  g_return_if_fail (batch == NULL || BR_IS_BATCH (batch));

  if (self->batch == batch)
    return;

  g_set_object (&self->batch, batch);
  g_signal_group_set_target (self->batch_signals, batch);
  brm_batch_charts_set_batch (self->batch_charts, batch);
  brm_chart_remove_all_series (BRM_CHART (self->progress_spark));
  if (batch != NULL)
    brm_chart_add_series (BRM_CHART (self->progress_spark),
                          brm_batch_metrics_get_progress (brm_batch_charts_get_metrics (self->batch_charts)));
  brm_lead_list_set_batch_id (self->leads, batch != NULL ? br_batch_get_id (batch) : NULL);
  gtk_stack_set_visible_child_name (self->stack, batch != NULL ? "batch" : "empty");
  sync_batch (self);
  restart (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BATCH]);
}

/**
 * brm_batch_detail_dup_selected_leads:
 * @self: a #BrmBatchDetail
 *
 * Returns: (transfer container) (element-type BrLeadResult): the selected
 *   lead results, in the table's order
 */
GPtrArray *
brm_batch_detail_dup_selected_leads (BrmBatchDetail *self)
{
  g_autoptr(GtkBitset) selection = NULL;
  GtkBitsetIter iter;
  GPtrArray *leads;
  guint position;

  g_return_val_if_fail (BRM_IS_BATCH_DETAIL (self), NULL);

  leads = g_ptr_array_new_with_free_func (g_object_unref);
  selection = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->lead_selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selection, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (leads, g_list_model_get_item (G_LIST_MODEL (self->leads), position));
  return leads;
}

guint
brm_batch_detail_get_n_selected_leads (BrmBatchDetail *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_DETAIL (self), 0);
  return self->n_selected;
}

/**
 * brm_batch_detail_get_charts:
 *
 * Returns: (transfer none): the batch's throughput and cost charts
 */
BrmBatchCharts *
brm_batch_detail_get_charts (BrmBatchDetail *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_DETAIL (self), NULL);
  return self->batch_charts;
}

/**
 * brm_batch_detail_get_lead_list:
 * @self: a #BrmBatchDetail
 *
 * Returns: (transfer none): the per-lead results of the batch shown
 */
BrmLeadList *
brm_batch_detail_get_lead_list (BrmBatchDetail *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_DETAIL (self), NULL);
  return self->leads;
}

/**
 * brm_batch_detail_get_lead_selection:
 * @self: a #BrmBatchDetail
 *
 * Returns: (transfer none): the selection of the lead results table
 */
GtkSelectionModel *
brm_batch_detail_get_lead_selection (BrmBatchDetail *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_DETAIL (self), NULL);
  return GTK_SELECTION_MODEL (self->lead_selection);
}

/**
 * brm_batch_detail_refresh:
 * @self: a #BrmBatchDetail
 *
 * Loads again what the batch object does not carry: the error summary,
 * the first page of lead results and the audit trail.
 */
void
brm_batch_detail_refresh (BrmBatchDetail *self)
{
  g_return_if_fail (BRM_IS_BATCH_DETAIL (self));

  if (self->batch == NULL)
    return;

  brm_lead_list_reload (self->leads);
  g_clear_handle_id (&self->status_source, g_source_remove);
  if (self->status_in_flight)
    self->status_dirty = TRUE;
  else
    fetch_status (self);
  queue_audit_refresh (self);
}
