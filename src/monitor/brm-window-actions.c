/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-window"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "brm-window-private.h"

/* Every control of the main window is one of these actions. Which are
 * enabled is decided in one place, brm_window_actions_update(), from the
 * selection, the batches' statuses and what the server can do; a disabled
 * action's buttons say why in their tooltip. */

typedef enum
{
  TARGET_BATCHES,
  TARGET_LEADS,
} Target;

typedef struct
{
  const char *name;
  BrCommand   command;
  const char *capability;     /* NULL: every server has it */
  const char *label;          /* button tooltip when enabled */
} BatchAction;

static const BatchAction batch_actions[] = {
  { "win.batch-pause", BR_COMMAND_PAUSE, "pause", N_("Pause (Ctrl+P)") },
  { "win.batch-resume", BR_COMMAND_RESUME, "pause", N_("Resume (Ctrl+R)") },
  { "win.batch-cancel", BR_COMMAND_CANCEL, NULL, N_("Cancel (Ctrl+Delete)") },
  { "win.batch-retry-failed", BR_COMMAND_RETRY, "retry", N_("Retry Failed Leads (Ctrl+Shift+R)") },
};

/* What the window's actions act on: the table's selection. */
static GPtrArray *
selected_batches (BrmWindow *self)
{
  return brm_batch_table_dup_selected (self->table);
}

static const char *
batch_label (BrBatch *batch)
{
  const char *name = br_batch_get_name (batch);

  return name != NULL && *name != '\0' ? name : br_batch_get_id (batch);
}

/* Whether @command applies to @batch in its current state; if not, why. */
static gboolean
command_applies (BrCommand    command,
                 BrBatch     *batch,
                 const char **why)
{
  BrBatchStatus status = br_batch_get_status (batch);

  if (br_batch_get_pending_action (batch) != NULL)
    {
      *why = _("a command for this batch is still on its way");
      return FALSE;
    }

  switch (command)
    {
    case BR_COMMAND_PAUSE:
      *why = _("only running or pending batches can be paused");
      return status == BR_BATCH_STATUS_RUNNING || status == BR_BATCH_STATUS_PENDING;
    case BR_COMMAND_RESUME:
      *why = _("only paused batches can be resumed");
      return status == BR_BATCH_STATUS_PAUSED;
    case BR_COMMAND_CANCEL:
      *why = _("the batch has already ended");
      return status == BR_BATCH_STATUS_RUNNING || status == BR_BATCH_STATUS_PENDING ||
             status == BR_BATCH_STATUS_PAUSED;
    case BR_COMMAND_RETRY:
      *why = _("the batch has no failed leads");
      return br_batch_get_failed_leads (batch) > 0;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
server_can (BrmWindow   *self,
            const char  *capability,
            const char **why)
{
  if (self->connection == NULL)
    {
      *why = _("not connected to a service");
      return FALSE;
    }
  if (capability == NULL)
    return TRUE;
  if (brm_connection_get_capabilities (self->connection) == NULL)
    {
      *why = _("the service’s features are not known yet");
      return FALSE;
    }
  if (!brm_connection_has_capability (self->connection, capability))
    {
      *why = _("this service does not support it");
      return FALSE;
    }
  return TRUE;
}

/* Sets @tooltip on every button of @action_name under @widget, skipping
 * list views (their rows hold no window actions and can be thousands). */
static void
set_action_tooltips (GtkWidget  *widget,
                     const char *action_name,
                     const char *tooltip)
{
  if (GTK_IS_COLUMN_VIEW (widget) || GTK_IS_LIST_VIEW (widget))
    return;

  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    {
      if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) != 0)
        gtk_widget_set_tooltip_text (widget, tooltip);
      if (tooltip != NULL && !gtk_widget_get_sensitive (widget))
        gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
      else
        gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    set_action_tooltips (child, action_name, tooltip);
}

static void
set_action_state (BrmWindow  *self,
                  const char *action_name,
                  const char *label,
                  gboolean    enabled,
                  const char *why)
{
  g_autofree char *tooltip = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), action_name, enabled);
  if (enabled || why == NULL)
    tooltip = g_strdup (label);
  else
    /* TRANSLATORS: an action's name, then why it cannot be used now */
    tooltip = g_strdup_printf (_("%s — not available: %s"), label, why);
  set_action_tooltips (GTK_WIDGET (self), action_name, tooltip);
}

void
brm_window_actions_update (BrmWindow *self)
{
  g_autoptr(GPtrArray) batches = selected_batches (self);
  g_autoptr(GPtrArray) leads = brm_batch_detail_dup_selected_leads (self->detail);
  BrBatch *shown = brm_batch_detail_get_batch (self->detail);
  const char *why = NULL;
  gboolean enabled;

  for (guint a = 0; a < G_N_ELEMENTS (batch_actions); a++)
    {
      const BatchAction *action = &batch_actions[a];

      why = NULL;
      enabled = server_can (self, action->capability, &why);
      if (enabled && batches->len == 0)
        {
          enabled = FALSE;
          why = _("no batch is selected");
        }
      for (guint i = 0; enabled && i < batches->len; i++)
        enabled = command_applies (action->command, g_ptr_array_index (batches, i), &why);
      set_action_state (self, action->name, _(action->label), enabled, why);
    }

  why = NULL;
  enabled = server_can (self, "retry", &why);
  if (enabled && (shown == NULL || leads->len == 0))
    {
      enabled = FALSE;
      why = _("no lead is selected");
    }
  for (guint i = 0; enabled && i < leads->len; i++)
    if (br_lead_result_get_status (g_ptr_array_index (leads, i)) != BR_LEAD_STATUS_FAILED)
      {
        enabled = FALSE;
        why = _("only failed leads can be retried");
      }
  if (enabled && br_batch_get_pending_action (shown) != NULL)
    {
      enabled = FALSE;
      why = _("a command for this batch is still on its way");
    }
  set_action_state (self, "win.lead-retry-selected", _("Retry Selected Leads (Ctrl+Alt+R)"), enabled, why);

  why = NULL;
  enabled = leads->len == 1;
  if (!enabled)
    why = leads->len == 0 ? _("no lead is selected") : _("select one lead");
  else
    {
      const char *url = br_lead_result_get_report_url (g_ptr_array_index (leads, 0));

      enabled = url != NULL && *url != '\0';
      if (!enabled)
        why = _("this lead has no report");
    }
  set_action_state (self, "win.lead-open-report", _("Open Report (Ctrl+O)"), enabled, why);

  enabled = batches->len > 0 || shown != NULL;
  set_action_state (self, "win.batch-copy-id", _("Copy Batch ID (Ctrl+Shift+C)"), enabled, _("no batch is selected"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reconnect", self->connection != NULL);
}

void
brm_window_toast (BrmWindow  *self,
                  const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* One command sent to one or more batches; the operator hears about it
 * once, when every answer is in. */
typedef struct
{
  BrmWindow *self;
  BrCommand  command;
  guint      n_sent;
  guint      n_done;
  guint      n_ok;
  char      *first_name;
  char      *first_error;
} Operation;

static void
operation_free (Operation *op)
{
  g_object_unref (op->self);
  g_free (op->first_name);
  g_free (op->first_error);
  g_free (op);
}

static const char *
past_tense (BrCommand command,
            guint     n)
{
  switch (command)
    {
    case BR_COMMAND_PAUSE:
      return g_dngettext (GETTEXT_PACKAGE, "Paused", "Paused", n);
    case BR_COMMAND_RESUME:
      return g_dngettext (GETTEXT_PACKAGE, "Resumed", "Resumed", n);
    case BR_COMMAND_CANCEL:
      return g_dngettext (GETTEXT_PACKAGE, "Cancelled", "Cancelled", n);
    case BR_COMMAND_RETRY:
      return g_dngettext (GETTEXT_PACKAGE, "Retrying", "Retrying", n);
    default:
      g_assert_not_reached ();
    }
}

static const char *
verb (BrCommand command)
{
  switch (command)
    {
    case BR_COMMAND_PAUSE:
      return _("pause");
    case BR_COMMAND_RESUME:
      return _("resume");
    case BR_COMMAND_CANCEL:
      return _("cancel");
    case BR_COMMAND_RETRY:
      return _("retry");
    default:
      g_assert_not_reached ();
    }
}

static void
command_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Operation *op = user_data;
  g_autoptr(BrBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  batch = br_controller_run_finish (BR_CONTROLLER (object), result, &error);
  op->n_done++;
  if (batch != NULL)
    op->n_ok++;
  else if (op->first_error == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      const char *detail = br_client_error_get_detail (error);

      op->first_error = g_strdup (detail != NULL && *detail != '\0' ? detail : error->message);
    }

  if (op->n_done < op->n_sent)
    return;

  if (g_cancellable_is_cancelled (op->self->cancellable))
    {
      operation_free (op);
      return;
    }

  if (op->n_sent == 1 && op->n_ok == 1)
    /* TRANSLATORS: "Paused “Spring leads”" */
    text = g_strdup_printf (_("%s “%s”"), past_tense (op->command, 1), op->first_name);
  else if (op->n_sent == 1)
    /* TRANSLATORS: "Could not pause “Spring leads”: the reason" */
    text = g_strdup_printf (_("Could not %s “%s”: %s"), verb (op->command), op->first_name,
                            op->first_error ? op->first_error : _("no answer"));
  else if (op->n_ok == op->n_sent)
    /* TRANSLATORS: "Paused 3 batches" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s %u batch", "%s %u batches", op->n_ok),
                            past_tense (op->command, op->n_ok), op->n_ok);
  else
    /* TRANSLATORS: "Paused 2 of 3 batches: the first reason" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s %u of %u batch: %s", "%s %u of %u batches: %s", op->n_sent),
                            past_tense (op->command, op->n_ok), op->n_ok, op->n_sent,
                            op->first_error ? op->first_error : _("no answer"));

  brm_window_toast (op->self, text);
  brm_window_actions_update (op->self);
  operation_free (op);
}

static void
send_command (BrmWindow          *self,
              BrCommand           command,
              GPtrArray          *batches,
              const char * const *lead_ids)
{
  Operation *op;

  if (self->connection == NULL || batches->len == 0)
    return;

  op = g_new0 (Operation, 1);
  op->self = g_object_ref (self);
  op->command = command;
  op->n_sent = batches->len;
  op->first_name = g_strdup (batch_label (g_ptr_array_index (batches, 0)));

  for (guint i = 0; i < batches->len; i++)
    br_controller_run_async (brm_connection_get_controller (self->connection), command,
                             br_batch_get_id (g_ptr_array_index (batches, i)), lead_ids,
                             self->cancellable, command_done_cb, op);
  /* The controller marks the batches pending at once: the buttons follow. */
  brm_window_actions_update (self);
}

/* What a retry will cost, from what the batch's leads have cost so far
 * (or were estimated to cost, before any finished). */
static double
cost_per_lead (BrBatch *batch)
{
  gint64 processed = br_batch_get_processed_leads (batch);
  gint64 total = br_batch_get_total_leads (batch);

  if (processed > 0 && br_batch_get_actual_cost_usd (batch) > 0)
    return br_batch_get_actual_cost_usd (batch) / processed;
  if (total > 0)
    return br_batch_get_estimated_cost_usd (batch) / total;
  return 0;
}

typedef struct
{
  BrCommand  command;
  GPtrArray *batches;
  GStrv      lead_ids;
} Pending;

static void
pending_free (Pending *pending)
{
  g_ptr_array_unref (pending->batches);
  g_strfreev (pending->lead_ids);
  g_free (pending);
}

static void
dialog_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    BrmWindow        *self)
{
  Pending *pending = g_object_get_data (G_OBJECT (dialog), "pending");

  if (g_strcmp0 (response, "confirm") == 0)
    send_command (self, pending->command, pending->batches, (const char * const *) pending->lead_ids);
}

static void
confirm (BrmWindow  *self,
         const char *heading,
         const char *body,
         const char *confirm_label,
         gboolean    destructive,
         Pending    *pending)
{
  AdwMessageDialog *dialog;

  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Back"), "confirm", confirm_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "confirm",
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, destructive ? "cancel" : "confirm");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "pending", pending, (GDestroyNotify) pending_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (dialog_response_cb), self, 0);

  self->dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static Pending *
pending_new (BrCommand  command,
             GPtrArray *batches,
             GStrv      lead_ids)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->command = command;
  pending->batches = g_ptr_array_ref (batches);
  pending->lead_ids = lead_ids;
  return pending;
}

static void
pause_resume_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);
  gboolean pause = g_str_equal (action_name, "win.batch-pause");
  BrCommand command = pause ? BR_COMMAND_PAUSE : BR_COMMAND_RESUME;
  g_autoptr(GPtrArray) batches = selected_batches (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  if (batches->len == 0)
    return;
  if (batches->len == 1)
    {
      send_command (self, command, batches, NULL);
      return;
    }

  /* A bulk command says how much it touches before it touches it. */
  if (pause)
    {
      heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Pause %u Batch?", "Pause %u Batches?", batches->len),
                                 batches->len);
      body = g_strdup (_("No new lead starts in them; leads already in progress finish. They can be resumed later."));
    }
  else
    {
      heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Resume %u Batch?", "Resume %u Batches?", batches->len),
                                 batches->len);
      body = g_strdup (_("Their remaining leads will be processed and charged."));
    }
  confirm (self, heading, body, pause ? _("_Pause") : _("_Resume"), FALSE, pending_new (command, batches, NULL));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);
  g_autoptr(GPtrArray) batches = selected_batches (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  gint64 remaining = 0;

  if (batches->len == 0)
    return;
  for (guint i = 0; i < batches->len; i++)
    {
      BrBatch *batch = g_ptr_array_index (batches, i);

      remaining += MAX (0, br_batch_get_total_leads (batch) - br_batch_get_processed_leads (batch));
    }

  if (batches->len == 1)
    heading = g_strdup_printf (_("Cancel “%s”?"), batch_label (g_ptr_array_index (batches, 0)));
  else
    heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Cancel %u Batch?", "Cancel %u Batches?", batches->len),
                               batches->len);
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%" PRId64 " lead not processed yet will be skipped and leads in progress stopped. "
                                       "Finished leads keep their results. This cannot be undone.",
                                       "%" PRId64 " leads not processed yet will be skipped and leads in progress stopped. "
                                       "Finished leads keep their results. This cannot be undone.",
                                       remaining),
                          remaining);
  confirm (self, heading, body, _("_Cancel Batches"), TRUE, pending_new (BR_COMMAND_CANCEL, batches, NULL));
}

static void
retry_failed_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);
  g_autoptr(GPtrArray) batches = selected_batches (self);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  gint64 failed = 0;
  double cost = 0;

  if (batches->len == 0)
    return;
  for (guint i = 0; i < batches->len; i++)
    {
      BrBatch *batch = g_ptr_array_index (batches, i);

      failed += br_batch_get_failed_leads (batch);
      cost += br_batch_get_failed_leads (batch) * cost_per_lead (batch);
    }

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Retry %" PRId64 " Failed Lead?",
                                          "Retry %" PRId64 " Failed Leads?", failed), failed);
  /* TRANSLATORS: %u is a number of batches, %.2f an amount in US dollars */
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "They go back to pending in %u batch and are processed again. Estimated cost: $%.2f.",
                                       "They go back to pending in %u batches and are processed again. Estimated cost: $%.2f.",
                                       batches->len),
                          batches->len, cost);
  confirm (self, heading, body, _("_Retry"), FALSE, pending_new (BR_COMMAND_RETRY, batches, NULL));
}

static void
retry_leads_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);
  g_autoptr(GPtrArray) leads = brm_batch_detail_dup_selected_leads (self->detail);
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  BrBatch *batch = brm_batch_detail_get_batch (self->detail);

  if (batch == NULL || leads->len == 0)
    return;
  for (guint i = 0; i < leads->len; i++)
    g_strv_builder_add (ids, br_lead_result_get_lead_id (g_ptr_array_index (leads, i)));
  g_ptr_array_add (batches, g_object_ref (batch));

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Retry %u Lead?", "Retry %u Leads?", leads->len), leads->len);
  body = g_strdup_printf (_("They go back to pending in “%s” and are processed again. Estimated cost: $%.2f."),
                          batch_label (batch), leads->len * cost_per_lead (batch));
  confirm (self, heading, body, _("_Retry"), FALSE, pending_new (BR_COMMAND_RETRY, batches, g_strv_builder_end (ids)));
}

static void
open_report_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);
  g_autoptr(GPtrArray) leads = brm_batch_detail_dup_selected_leads (self->detail);
  g_autofree char *uri = NULL;
  const char *url;

  if (leads->len != 1)
    return;
  url = br_lead_result_get_report_url (g_ptr_array_index (leads, 0));
  if (url == NULL || *url == '\0')
    return;

  /* The service may give a path of its own; it is relative to it. */
  if (url[0] == '/' && self->connection != NULL)
    uri = g_strconcat (brm_connection_get_base_url (self->connection), url, NULL);
  else
    uri = g_strdup (url);
  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

static void
copy_id_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);
  g_autoptr(GPtrArray) batches = selected_batches (self);
  g_autoptr(GString) text = g_string_new (NULL);
  BrBatch *shown = brm_batch_detail_get_batch (self->detail);

  if (batches->len == 0 && shown != NULL)
    g_ptr_array_add (batches, g_object_ref (shown));
  if (batches->len == 0)
    return;
  for (guint i = 0; i < batches->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, br_batch_get_id (g_ptr_array_index (batches, i)));
    }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text->str);
  brm_window_toast (self, g_dngettext (GETTEXT_PACKAGE, "Copied the batch ID", "Copied the batch IDs", batches->len));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "batches");
  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
  brm_batch_table_focus_search (self->table);
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
  gtk_widget_child_focus (GTK_WIDGET (self->table), GTK_DIR_TAB_FORWARD);
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);

  if (self->connection != NULL)
    br_live_feed_reconnect_now (brm_connection_get_feed (self->connection));
}

/* win.show-batches-with-error ------------------------------------------------ */

/* More than an operator reads through; the label says when there were more. */
#define MAX_ERROR_BATCHES 1000
#define ERROR_PAGE_SIZE 200

typedef struct
{
  GWeakRef   window;
  char      *code;
  GPtrArray *ids;
  gint64     total;
} ErrorListing;

static void
error_listing_free (ErrorListing *listing)
{
  g_weak_ref_clear (&listing->window);
  g_free (listing->code);
  g_ptr_array_unref (listing->ids);
  g_free (listing);
}

static void list_error_page (BrmWindow    *self,
                             ErrorListing *listing);

static void
list_error_page_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ErrorListing *listing = user_data;
  g_autoptr(BrmWindow) self = g_weak_ref_get (&listing->window);
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  BrBatchStore *store;

  batches = br_client_list_batches_full_finish (BR_CLIENT (source), result, &listing->total, &error);

  if (self == NULL || self->connection == NULL ||
      brm_connection_get_client (self->connection) != BR_CLIENT (source))
    {
      error_listing_free (listing);
      return;
    }

  if (batches == NULL)
    {
      text = g_strdup_printf (_("Could not list the batches with error %s: %s"), listing->code, error->message);
      brm_window_toast (self, text);
      error_listing_free (listing);
      return;
    }

  /* The store may not hold them (it keeps the newest finished batches
   * only): add them, so the table can show them and keep them current. */
  store = brm_connection_get_store (self->connection);
  for (guint i = 0; i < batches->len; i++)
    {
      BrBatch *batch = g_ptr_array_index (batches, i);

      br_batch_store_upsert (store, batch);
      g_ptr_array_add (listing->ids, g_strdup (br_batch_get_id (batch)));
    }

  if (batches->len > 0 && (gint64) listing->ids->len < listing->total &&
      listing->ids->len < MAX_ERROR_BATCHES)
    {
      list_error_page (self, listing);
      return;
    }

  if ((gint64) listing->ids->len < listing->total)
    text = g_strdup_printf (_("The newest %u of %" PRId64 " batches with a lead that failed with %s"),
                            listing->ids->len, listing->total, listing->code);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u batch with a lead that failed with %s",
                                         "%u batches with a lead that failed with %s",
                                         listing->ids->len),
                            listing->ids->len, listing->code);

  g_ptr_array_add (listing->ids, NULL);
  brm_batch_table_set_id_filter (self->table, (const char * const *) listing->ids->pdata, text);
  error_listing_free (listing);
}

static void
list_error_page (BrmWindow    *self,
                 ErrorListing *listing)
{
  BrBatchQuery query = { 0 };

  query.skip = listing->ids->len;
  query.limit = ERROR_PAGE_SIZE;
  br_client_list_batches_full_async (brm_connection_get_client (self->connection), &query, listing->code,
                                     NULL, list_error_page_cb, listing);
}

/* From the Analytics page's error breakdown: the Batches page, limited to
 * the batches the service says had a lead fail with this code. */
static void
show_batches_with_error_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);
  ErrorListing *listing;
  const char *code = g_variant_get_string (param, NULL);

  if (self->connection == NULL || code[0] == '\0')
    return;

  adw_view_stack_set_visible_child_name (self->view_stack, "batches");
  adw_leaflet_set_visible_child (self->leaflet, self->list_page);

  if (!brm_connection_has_capability (self->connection, "batches.error_code"))
    {
      brm_window_toast (self, _("This service cannot list batches by error code"));
      return;
    }

  listing = g_new0 (ErrorListing, 1);
  g_weak_ref_init (&listing->window, self);
  listing->code = g_strdup (code);
  listing->ids = g_ptr_array_new_with_free_func (g_free);
  list_error_page (self, listing);
}

void
brm_window_actions_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.batch-pause", NULL, pause_resume_action);
  gtk_widget_class_install_action (widget_class, "win.batch-resume", NULL, pause_resume_action);
  gtk_widget_class_install_action (widget_class, "win.batch-cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.batch-retry-failed", NULL, retry_failed_action);
  gtk_widget_class_install_action (widget_class, "win.lead-retry-selected", NULL, retry_leads_action);
  gtk_widget_class_install_action (widget_class, "win.lead-open-report", NULL, open_report_action);
  gtk_widget_class_install_action (widget_class, "win.batch-copy-id", NULL, copy_id_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "win.show-batches-with-error", "s", show_batches_with_error_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.batch-pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.batch-resume", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_CONTROL_MASK, "win.batch-cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_R, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.batch-retry-failed", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_ALT_MASK, "win.lead-retry-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.lead-open-report", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_C, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.batch-copy-id", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.show-list", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reconnect", NULL);
}
