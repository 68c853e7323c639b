/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-new-batch-window"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "brm-new-batch-window.h"

/**
 * BrmNewBatchWindow:
 *
 * Composing and starting a batch: the lead browser on one side, the
 * options, the cost preview with its provider breakdown, today's budget
 * and the approval on the other (one page each when narrow, down to
 * 360 px). Nobody starts a batch without seeing what it costs: Start is
 * enabled only with an approval of the exact total previewed for these
 * leads and this template, and it says why when it is not.
 *
 * The composition is a #BrmDraft kept in GSettings, so closing the
 * window (or the monitor) loses nothing; starting the batch or
 * discarding the draft clears it. On success the window emits
 * #BrmNewBatchWindow::batch-started and closes; on failure it stays, with
 * the service's reason and the form as it was.
 *
 * Keyboard: the search has focus when the window opens; Tab reaches the
 * table (arrows, Shift/Ctrl, Space, Ctrl+A), the options and the
 * approval; Ctrl+Return starts, Ctrl+F searches, Escape closes.
 */

#define SCHEMA_ID     "io.github.batchrunner.Monitor"
#define SAVE_DELAY_MS 400

struct _BrmNewBatchWindow
{
  AdwWindow          parent_instance;

  AdwWindowTitle    *window_title;
  GtkButton         *back_button;
  GtkButton         *start_button;
  GtkSpinner        *start_spinner;
  AdwToastOverlay   *toast_overlay;
  AdwLeaflet        *leaflet;
  GtkBox            *leads_box;
  GtkRevealer       *next_revealer;
  GtkRevealer       *start_error_revealer;
  GtkLabel          *start_error_label;
  AdwEntryRow       *name_row;
  AdwEntryRow       *description_row;
  AdwComboRow       *template_row;
  GtkSpinButton     *max_concurrent_spin;
  GtkSwitch         *retry_failed_switch;
  AdwActionRow      *retry_count_row;
  GtkSpinButton     *retry_count_spin;
  AdwPreferencesGroup *cost_group;
  GtkWidget         *updating_box;
  GtkSpinner        *updating_spinner;
  GtkWidget         *preview_status_box;
  GtkImage          *preview_status_icon;
  GtkLabel          *preview_status_label;
  GtkWidget         *retry_preview_button;
  GtkWidget         *cost_list;
  GtkLabel          *total_label;
  GtkLabel          *per_lead_label;
  GtkLabel          *base_label;
  GtkLabel          *providers_label;
  AdwActionRow      *discount_row;
  GtkLabel          *discount_label;
  GtkLabel          *overhead_label;
  GtkLabel          *duration_label;
  GtkLabel          *accuracy_label;
  AdwPreferencesGroup *providers_group;
  GtkListBox        *providers_list;
  GtkRevealer       *budget_warning_revealer;
  GtkLabel          *budget_warning_label;
  GtkLabel          *spent_label;
  GtkLabel          *remaining_label;
  GtkLabel          *after_label;
  GtkRevealer       *invalid_revealer;
  GtkLabel          *invalid_label;
  GtkCheckButton    *approve_check;
  GtkLabel          *approve_label;
  GtkWidget         *approval_note_box;
  GtkLabel          *approval_note_label;
  GtkLabel          *blocker_label;

  BrmConnection     *connection;
  GSettings         *settings;
  BrmDraft          *draft;
  BrmBatchComposer  *composer;
  BrmLeadBrowser    *browser;
  GCancellable      *cancellable;
  guint              save_source;
  gboolean           syncing;
  gboolean           started;
};

G_DEFINE_FINAL_TYPE (BrmNewBatchWindow, brm_new_batch_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_SETTINGS,
  N_PROPS
};

enum {
  BATCH_STARTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static char *
format_usd (double usd,
            int    decimals)
{
  return g_strdup_printf ("$%.*f", decimals, usd);
}

static void
set_usd (GtkLabel *label,
         double    usd,
         int       decimals)
{
  g_autofree char *text = format_usd (usd, decimals);

  gtk_label_set_label (label, text);
}

static const char *
server_of (BrmNewBatchWindow *self)
{
  return brm_connection_get_base_url (self->connection);
}

/* Draft persistence ------------------------------------------------------------- */

static void
save_now (BrmNewBatchWindow *self)
{
  g_clear_handle_id (&self->save_source, g_source_remove);
  if (self->settings != NULL)
    brm_draft_store (self->draft, self->settings, server_of (self));
}

static gboolean
save_timeout_cb (gpointer data)
{
  BrmNewBatchWindow *self = data;

  self->save_source = 0;
  save_now (self);
  return G_SOURCE_REMOVE;
}

static void
draft_changed_cb (BrmNewBatchWindow *self)
{
  if (self->settings != NULL && self->save_source == 0)
    self->save_source = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

/* Templates ------------------------------------------------------------------------ */

static char *
template_title (BrTemplate *t)
{
  if (t == NULL)
    return g_strdup ("");
  return g_strdup_printf ("%s (%s)", br_template_get_name (t), br_template_get_version (t));
}

static void
update_template_subtitle (BrmNewBatchWindow *self)
{
  const char *note = brm_batch_composer_get_template_note (self->composer);
  BrTemplate *t = brm_batch_composer_find_template (self->composer, brm_draft_get_template_version (self->draft));

  if (note != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->template_row), note);
  else if (t != NULL && br_template_get_description (t) != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->template_row), br_template_get_description (t));
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->template_row), "");

  gtk_widget_set_sensitive (GTK_WIDGET (self->template_row),
                            brm_batch_composer_get_templates_supported (self->composer));
}

/* Shows the draft's template as the row's choice. */
static void
sync_template_row (BrmNewBatchWindow *self)
{
  GListModel *templates = brm_batch_composer_get_templates (self->composer);
  const char *version = brm_draft_get_template_version (self->draft);
  guint n = g_list_model_get_n_items (templates), position = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; i < n && version != NULL; i++)
    {
      g_autoptr(BrTemplate) t = g_list_model_get_item (templates, i);

      if (g_strcmp0 (br_template_get_version (t), version) == 0)
        position = i;
    }

  self->syncing = TRUE;
  adw_combo_row_set_selected (self->template_row, position);
  self->syncing = FALSE;
  update_template_subtitle (self);
}

static void
templates_changing_cb (BrmNewBatchWindow *self)
{
  self->syncing = TRUE;
}

static void
template_selected_cb (BrmNewBatchWindow *self)
{
  BrTemplate *t;

  if (self->syncing || self->composer == NULL)
    return;

  t = adw_combo_row_get_selected_item (self->template_row);
  if (t == NULL || g_strcmp0 (br_template_get_version (t), brm_draft_get_template_version (self->draft)) == 0)
    return;

  /* Unavailable templates are listed (with the reason) but cannot be
   * chosen: the row goes back to the template in use. */
  if (!brm_batch_composer_choose_template (self->composer, br_template_get_version (t)))
    sync_template_row (self);
  update_template_subtitle (self);
}

static void
setup_template_item (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (subtitle), 40);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_list_item_set_child (item, box);
}

static void
bind_template_item (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  data)
{
  BrTemplate *t = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *title = gtk_widget_get_first_child (box);
  GtkWidget *subtitle = gtk_widget_get_last_child (box);
  gboolean available = br_template_get_available (t);
  g_autofree char *text = template_title (t);
  g_autofree char *detail = NULL;

  if (!available)
    detail = g_strdup_printf (_("Unavailable: %s"), br_template_get_unavailable_reason (t)
                                                  ? br_template_get_unavailable_reason (t)
                                                  : _("not offered by the service now"));
  else if (br_template_get_is_default (t))
    detail = g_strdup_printf (_("Default · %s"), br_template_get_complexity (t));
  else
    detail = g_strdup (br_template_get_complexity (t));

  gtk_label_set_label (GTK_LABEL (title), text);
  gtk_label_set_label (GTK_LABEL (subtitle), detail);

  /* Shown with the reason, but neither clickable nor selectable. */
  gtk_widget_set_sensitive (box, available);
  gtk_list_item_set_activatable (item, available);
  gtk_list_item_set_selectable (item, available);
}

static void
setup_template_label (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_template_label (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  data)
{
  g_autofree char *text = template_title (gtk_list_item_get_item (item));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

/* The preview ------------------------------------------------------------------------ */

static GtkWidget *
create_provider_row (gpointer item,
                     gpointer user_data)
{
  BrProviderCost *cost = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *total = gtk_label_new (NULL);
  g_autofree char *per_lead = format_usd (br_provider_cost_get_cost_per_lead (cost), 4);
  g_autofree char *subtitle = g_strdup_printf (ngettext ("%" PRId64 " lead × %s",
                                                         "%" PRId64 " leads × %s",
                                                         (gulong) br_provider_cost_get_leads_processed (cost)),
                                               br_provider_cost_get_leads_processed (cost), per_lead);
  g_autofree char *total_text = format_usd (br_provider_cost_get_total_cost (cost), 2);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), br_provider_cost_get_provider (cost));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_label_set_label (GTK_LABEL (total), total_text);
  gtk_widget_add_css_class (total, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), total);
  return row;
}

static char *
format_duration (double minutes)
{
  if (minutes < 1.0)
    return g_strdup (_("Under a minute"));
  if (minutes < 90.0)
    return g_strdup_printf (ngettext ("About %.0f minute", "About %.0f minutes", (gulong) (minutes + 0.5)),
                            minutes);
  return g_strdup_printf (_("About %.1f hours"), minutes / 60.0);
}

static void
update_budget (BrmNewBatchWindow *self)
{
  BrPreview *preview = brm_batch_composer_get_preview (self->composer);
  BrHealth *health = brm_batch_composer_get_health (self->composer);
  double daily = -1, spent = -1, remaining = -1;
  g_autofree char *warning = NULL;

  if (preview != NULL && br_preview_get_daily_budget_usd (preview) >= 0)
    {
      daily = br_preview_get_daily_budget_usd (preview);
      spent = br_preview_get_spent_today_usd (preview);
      remaining = br_preview_get_remaining_usd (preview);
    }
  else if (health != NULL && br_health_get_daily_budget_usd (health) > 0)
    {
      daily = br_health_get_daily_budget_usd (health);
      spent = br_health_get_spent_today_usd (health);
      remaining = MAX (0.0, daily - spent);
    }

  if (daily >= 0)
    {
      g_autofree char *spent_text = format_usd (spent, 2);
      g_autofree char *daily_text = format_usd (daily, 2);
      g_autofree char *text = g_strdup_printf (_("%s of %s"), spent_text, daily_text);

      gtk_label_set_label (self->spent_label, text);
      set_usd (self->remaining_label, remaining, 2);
    }
  else
    {
      gtk_label_set_label (self->spent_label, _("Unknown"));
      gtk_label_set_label (self->remaining_label, _("Unknown"));
    }

  if (preview != NULL && daily >= 0)
    {
      double after = remaining - br_preview_get_estimated_cost_usd (preview);

      if (after >= -0.00005)
        {
          g_autofree char *left = format_usd (MAX (after, 0.0), 2);
          g_autofree char *text = g_strdup_printf (_("%s left"), left);

          gtk_label_set_label (self->after_label, text);
        }
      else
        {
          g_autofree char *over = format_usd (-after, 2);
          g_autofree char *text = g_strdup_printf (_("Over by %s"), over);

          gtk_label_set_label (self->after_label, text);
        }
    }
  else
    gtk_label_set_label (self->after_label, "—");

  if (preview != NULL && !br_preview_get_is_within_budget (preview))
    {
      g_autofree char *total = format_usd (br_preview_get_estimated_cost_usd (preview), 2);
      g_autofree char *left = format_usd (MAX (remaining, 0.0), 2);

      warning = g_strdup_printf (_("Over today’s budget: this batch’s estimated %s is more than the %s "
                                   "left of today’s budget."), total, left);
    }
  else if (preview != NULL && br_preview_get_budget_warning (preview) != NULL)
    warning = g_strdup (br_preview_get_budget_warning (preview));

  if (warning != NULL)
    gtk_label_set_label (self->budget_warning_label, warning);
  gtk_revealer_set_reveal_child (self->budget_warning_revealer, warning != NULL);
}

static void
update_preview_view (BrmNewBatchWindow *self)
{
  BrPreview *preview = brm_batch_composer_get_preview (self->composer);
  const char *error = brm_batch_composer_get_preview_error (self->composer);
  gboolean updating = brm_batch_composer_get_updating (self->composer);
  gboolean current = brm_batch_composer_get_preview_current (self->composer);
  guint n_selected = brm_lead_selection_get_n_selected (brm_draft_get_selection (self->draft));
  const char * const *invalid = preview ? br_preview_get_invalid_lead_ids (preview) : NULL;
  g_autofree char *status = NULL;

  gtk_widget_set_visible (self->updating_box, updating);
  gtk_spinner_set_spinning (self->updating_spinner, updating);

  if (n_selected == 0)
    status = g_strdup (_("Select leads to see what the batch costs. The estimate updates as you choose."));
  else if (error != NULL && !updating)
    status = g_strdup_printf (_("The cost preview failed: %s"), error);
  else if (preview != NULL && (!current || updating))
    status = g_strdup (_("Updating the estimate; the figures below are for the previous choice."));
  else if (preview == NULL)
    status = g_strdup (_("Pricing the selected leads…"));

  gtk_widget_set_visible (self->preview_status_box, status != NULL);
  if (status != NULL)
    gtk_label_set_label (self->preview_status_label, status);
  gtk_image_set_from_icon_name (self->preview_status_icon,
                                error != NULL && !updating ? "dialog-error-symbolic" : "dialog-information-symbolic");
  gtk_widget_set_visible (self->retry_preview_button, error != NULL && !updating && n_selected > 0);

  /* Stale while loading: the previous figures stay, dimmed. */
  gtk_widget_set_opacity (self->cost_list, preview != NULL && current && !updating ? 1.0 : 0.55);
  gtk_widget_set_opacity (GTK_WIDGET (self->providers_list), preview != NULL && current && !updating ? 1.0 : 0.55);

  if (preview != NULL)
    {
      g_autofree char *discount = format_usd (br_preview_get_volume_discount_amount (preview), 2);
      g_autofree char *discount_text = g_strdup_printf ("−%s", discount);
      g_autofree char *discount_subtitle = NULL;
      g_autofree char *duration = format_duration (br_preview_get_estimated_duration_minutes (preview));

      set_usd (self->total_label, br_preview_get_estimated_cost_usd (preview), 2);
      set_usd (self->per_lead_label, br_preview_get_cost_per_lead (preview), 4);
      set_usd (self->base_label, br_preview_get_base_cost (preview), 2);
      set_usd (self->providers_label, br_preview_get_provider_costs (preview), 2);
      gtk_label_set_label (self->discount_label, discount_text);
      if (br_preview_get_volume_discount_rate (preview) > 0)
        discount_subtitle = g_strdup_printf (ngettext ("%.0f%% off for %" PRId64 " lead",
                                                       "%.0f%% off for %" PRId64 " leads",
                                                       (gulong) br_preview_get_lead_count (preview)),
                                             br_preview_get_volume_discount_rate (preview) * 100.0,
                                             br_preview_get_lead_count (preview));
      else
        discount_subtitle = g_strdup (_("None at this batch size"));
      adw_action_row_set_subtitle (self->discount_row, discount_subtitle);
      set_usd (self->overhead_label, br_preview_get_overhead_cost (preview), 2);
      gtk_label_set_label (self->duration_label, duration);
      gtk_label_set_label (self->accuracy_label,
                           br_preview_get_accuracy_note (preview) ? br_preview_get_accuracy_note (preview) : "");
    }
  else
    {
      GtkLabel *labels[] = { self->total_label, self->per_lead_label, self->base_label, self->providers_label,
                             self->discount_label, self->overhead_label, self->duration_label };

      for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
        gtk_label_set_label (labels[i], "—");
      adw_action_row_set_subtitle (self->discount_row, "");
      gtk_label_set_label (self->accuracy_label, "");
    }

  gtk_list_box_bind_model (self->providers_list, preview ? br_preview_get_provider_breakdown (preview) : NULL,
                           create_provider_row, NULL, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->providers_group),
                          preview != NULL && g_list_model_get_n_items (br_preview_get_provider_breakdown (preview)) > 0);

  if (invalid != NULL && invalid[0] != NULL)
    {
      g_autofree char *list = g_strjoinv (", ", (char **) invalid);
      guint n = g_strv_length ((char **) invalid);
      g_autofree char *text = g_strdup_printf (ngettext ("The service does not know %u selected lead, so it is not "
                                                         "priced and the batch cannot start with it: %s",
                                                         "The service does not know %u selected leads, so they are "
                                                         "not priced and the batch cannot start with them: %s", n),
                                               n, list);

      gtk_label_set_label (self->invalid_label, text);
    }
  gtk_revealer_set_reveal_child (self->invalid_revealer, invalid != NULL && invalid[0] != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "new-batch.remove-unknown", invalid != NULL && invalid[0] != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "new-batch.retry-preview", n_selected > 0);

  update_budget (self);
}

/* Approval and start ---------------------------------------------------------------------- */

static void
update_approval (BrmNewBatchWindow *self)
{
  BrPreview *preview = brm_batch_composer_get_preview (self->composer);
  gboolean approved = brm_batch_composer_get_approved (self->composer);
  const char *note = brm_batch_composer_get_approval_note (self->composer);
  const char *blocker = brm_batch_composer_get_start_blocker (self->composer);
  const char *start_error = brm_batch_composer_get_start_error (self->composer);
  gboolean starting = brm_batch_composer_get_starting (self->composer);
  g_autofree char *label = NULL;

  if (approved)
    {
      g_autofree char *total = format_usd (brm_batch_composer_get_approved_total (self->composer), 2);

      label = g_strdup_printf (_("I approve spending %s on this batch"), total);
    }
  else if (preview != NULL && brm_batch_composer_get_can_approve (self->composer))
    {
      g_autofree char *total = format_usd (br_preview_get_estimated_cost_usd (preview), 2);

      if (!br_preview_get_is_within_budget (preview))
        label = g_strdup_printf (_("I approve spending %s on this batch, over today’s remaining budget"), total);
      else
        label = g_strdup_printf (_("I approve spending %s on this batch"), total);
    }
  else
    label = g_strdup (_("I approve the estimated cost (waiting for the estimate)"));

  /* A label child wraps at 360 px, which the check button's own does not
   * on GTK 4.8; the accessible name is the same sentence. */
  gtk_label_set_label (self->approve_label, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->approve_check), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  self->syncing = TRUE;
  gtk_check_button_set_active (self->approve_check, approved);
  self->syncing = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->approve_check),
                            approved || brm_batch_composer_get_can_approve (self->composer));

  gtk_widget_set_visible (self->approval_note_box, note != NULL);
  if (note != NULL)
    gtk_label_set_label (self->approval_note_label, note);

  if (blocker != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Start Batch is unavailable: %s"), blocker);

      gtk_label_set_label (self->blocker_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->blocker_label), blocker != NULL && !starting);

  /* The reason travels with the button, for screen readers and tooltips. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "new-batch.start", blocker == NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->start_button),
                               blocker ? blocker : _("Start processing these leads at the approved cost"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->start_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  blocker ? blocker : _("Starts processing these leads at the approved cost"),
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self->start_spinner), starting);
  gtk_spinner_set_spinning (self->start_spinner, starting);

  if (start_error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The service did not start the batch: %s"), start_error);

      gtk_label_set_label (self->start_error_label, text);
    }
  gtk_revealer_set_reveal_child (self->start_error_revealer, start_error != NULL);
}

static void
approve_toggled_cb (BrmNewBatchWindow *self)
{
  if (self->syncing)
    return;

  if (gtk_check_button_get_active (self->approve_check))
    brm_batch_composer_approve (self->composer);
  else
    brm_batch_composer_withdraw_approval (self->composer);
  update_approval (self);
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(BrmNewBatchWindow) self = user_data;
  g_autoptr(BrBatch) batch = NULL;
  g_autoptr(GError) error = NULL;

  batch = brm_batch_composer_start_finish (BRM_BATCH_COMPOSER (object), result, &error);
  if (batch == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The reason is on the options page, with the form as it was. */
      adw_leaflet_set_visible_child_name (self->leaflet, "options");
      return;
    }

  self->started = TRUE;
  brm_draft_reset (self->draft);
  save_now (self);
  g_signal_emit (self, signals[BATCH_STARTED], 0, batch);
  gtk_window_close (GTK_WINDOW (self));
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (widget);

  if (brm_batch_composer_get_start_blocker (self->composer) != NULL)
    return;
  brm_batch_composer_start_async (self->composer, self->cancellable, start_cb, g_object_ref (self));
}

/* Other actions ------------------------------------------------------------------------------ */

static void
undo_discard_cb (AdwToast          *toast,
                 BrmNewBatchWindow *self)
{
  const char *json = g_object_get_data (G_OBJECT (toast), "brm-draft");

  if (json != NULL)
    brm_draft_load_json (self->draft, json, NULL, NULL);
}

static void
discard_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (widget);
  g_autofree char *previous = brm_draft_to_json (self->draft, server_of (self));
  AdwToast *toast;

  brm_draft_reset (self->draft);
  save_now (self);
  brm_batch_composer_update_preview (self->composer);

  toast = adw_toast_new (_("Draft discarded"));
  adw_toast_set_button_label (toast, _("_Undo"));
  g_object_set_data_full (G_OBJECT (toast), "brm-draft", g_steal_pointer (&previous), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_discard_cb), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
retry_preview_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  brm_batch_composer_update_preview (BRM_NEW_BATCH_WINDOW (widget)->composer);
}

static void
remove_unknown_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  brm_batch_composer_remove_invalid_leads (BRM_NEW_BATCH_WINDOW (widget)->composer);
}

static void
show_options_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "options");
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
show_leads_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "leads");
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "leads");
  brm_lead_browser_focus_search (self->browser);
}

static void
leaflet_changed_cb (BrmNewBatchWindow *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);
  const char *page = adw_leaflet_get_visible_child_name (self->leaflet);

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), folded && g_strcmp0 (page, "options") == 0);
  gtk_revealer_set_reveal_child (self->next_revealer, folded);
}

static void
leads_supported_cb (BrmNewBatchWindow *self)
{
  brm_lead_browser_set_supported (self->browser, brm_batch_composer_get_leads_supported (self->composer));
}

/* Binds a string entry to a draft property, NULL shown as "". */
static gboolean
null_to_empty (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      data)
{
  const char *s = g_value_get_string (from);

  g_value_set_string (to, s ? s : "");
  return TRUE;
}

/* GObject ------------------------------------------------------------------------------------ */

static gboolean
brm_new_batch_window_close_request (GtkWindow *window)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (window);

  /* Closing keeps the draft (unless it was just started). */
  if (!self->started)
    save_now (self);
  return GTK_WINDOW_CLASS (brm_new_batch_window_parent_class)->close_request (window);
}

static void
brm_new_batch_window_constructed (GObject *object)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (object);
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkListItemFactory) list_factory = NULL;

  G_OBJECT_CLASS (brm_new_batch_window_parent_class)->constructed (object);

  g_assert (self->connection != NULL);

  if (self->settings == NULL)
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE) : NULL;

      /* Without the schema (an uninstalled build) drafts last as long as
       * the window. */
      if (schema != NULL)
        self->settings = g_settings_new (SCHEMA_ID);
    }

  self->draft = brm_draft_new ();
  if (self->settings != NULL)
    brm_draft_restore (self->draft, self->settings, server_of (self));
  self->composer = brm_batch_composer_new (brm_connection_get_client (self->connection), self->draft);

  adw_window_title_set_subtitle (self->window_title, server_of (self));

  /* The lead browser */
  self->browser = BRM_LEAD_BROWSER (brm_lead_browser_new (brm_connection_get_client (self->connection),
                                                          brm_draft_get_selection (self->draft),
                                                          brm_connection_get_store (self->connection)));
  gtk_widget_set_vexpand (GTK_WIDGET (self->browser), TRUE);
  gtk_box_prepend (self->leads_box, GTK_WIDGET (self->browser));

  /* Options, bound both ways to the draft */
  g_object_bind_property_full (self->draft, "name", self->name_row, "text",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE, null_to_empty, NULL, NULL, NULL);
  g_object_bind_property_full (self->draft, "description", self->description_row, "text",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE, null_to_empty, NULL, NULL, NULL);
  g_object_bind_property (self->draft, "max-concurrent", self->max_concurrent_spin, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->draft, "retry-failed", self->retry_failed_switch, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->draft, "retry-count", self->retry_count_spin, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->draft, "retry-failed", self->retry_count_row, "sensitive", G_BINDING_SYNC_CREATE);

  /* Templates */
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_template_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_template_label), NULL);
  list_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (list_factory, "setup", G_CALLBACK (setup_template_item), NULL);
  g_signal_connect (list_factory, "bind", G_CALLBACK (bind_template_item), NULL);
  /* When the list fills, the row's selection picks its first item on its
   * own: that is not the operator choosing a template. The first handler
   * runs before the row's, the last after it. */
  g_signal_connect_object (brm_batch_composer_get_templates (self->composer), "items-changed",
                           G_CALLBACK (templates_changing_cb), self, G_CONNECT_SWAPPED);
  self->syncing = TRUE;
  adw_combo_row_set_factory (self->template_row, factory);
  adw_combo_row_set_list_factory (self->template_row, list_factory);
  adw_combo_row_set_model (self->template_row, brm_batch_composer_get_templates (self->composer));
  self->syncing = FALSE;
  g_signal_connect_object (brm_batch_composer_get_templates (self->composer), "items-changed",
                           G_CALLBACK (sync_template_row), self, G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->draft, "notify::template-version", G_CALLBACK (sync_template_row), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->composer, "notify::template-note", G_CALLBACK (update_template_subtitle), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->composer, "notify::templates-supported", G_CALLBACK (update_template_subtitle),
                           self, G_CONNECT_SWAPPED);

  /* Preview, budget, approval */
  {
    static const char * const preview_props[] = {
      "notify::preview", "notify::preview-current", "notify::updating", "notify::preview-error", "notify::health",
    };
    static const char * const approval_props[] = {
      "notify::approved", "notify::can-approve", "notify::approval-note", "notify::start-blocker",
      "notify::starting", "notify::start-error", "notify::preview",
    };

    for (guint i = 0; i < G_N_ELEMENTS (preview_props); i++)
      g_signal_connect_object (self->composer, preview_props[i], G_CALLBACK (update_preview_view), self,
                               G_CONNECT_SWAPPED);
    for (guint i = 0; i < G_N_ELEMENTS (approval_props); i++)
      g_signal_connect_object (self->composer, approval_props[i], G_CALLBACK (update_approval), self,
                               G_CONNECT_SWAPPED);
  }
  g_signal_connect_object (self->composer, "notify::leads-supported", G_CALLBACK (leads_supported_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->draft, "changed", G_CALLBACK (draft_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (brm_draft_get_selection (self->draft), "changed", G_CALLBACK (update_preview_view), self,
                           G_CONNECT_SWAPPED);

  sync_template_row (self);
  update_preview_view (self);
  update_approval (self);
  leaflet_changed_cb (self);

  brm_batch_composer_refresh (self->composer);
  brm_lead_browser_start (self->browser);

  /* Ctrl+N → type to search. */
  gtk_window_set_focus (GTK_WINDOW (self), brm_lead_browser_get_search_entry (self->browser));
}

static void
brm_new_batch_window_dispose (GObject *object)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (object);

  if (self->save_source != 0 && !self->started)
    save_now (self);
  g_clear_handle_id (&self->save_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  if (self->composer != NULL)
    brm_batch_composer_cancel (self->composer);
  if (self->providers_list != NULL)
    gtk_list_box_bind_model (self->providers_list, NULL, NULL, NULL, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), BRM_TYPE_NEW_BATCH_WINDOW);

  self->browser = NULL;
  g_clear_object (&self->composer);
  g_clear_object (&self->draft);
  g_clear_object (&self->settings);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (brm_new_batch_window_parent_class)->dispose (object);
}

static void
brm_new_batch_window_finalize (GObject *object)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (brm_new_batch_window_parent_class)->finalize (object);
}

static void
brm_new_batch_window_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_new_batch_window_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  BrmNewBatchWindow *self = BRM_NEW_BATCH_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      self->connection = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_new_batch_window_class_init (BrmNewBatchWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = brm_new_batch_window_constructed;
  object_class->dispose = brm_new_batch_window_dispose;
  object_class->finalize = brm_new_batch_window_finalize;
  object_class->get_property = brm_new_batch_window_get_property;
  object_class->set_property = brm_new_batch_window_set_property;
  window_class->close_request = brm_new_batch_window_close_request;

  properties[PROP_CONNECTION] = g_param_spec_object ("connection", NULL, NULL, BRM_TYPE_CONNECTION, co);
  /**
   * BrmNewBatchWindow:settings:
   *
   * Where the draft is kept; the monitor's own settings when %NULL.
   */
  properties[PROP_SETTINGS] = g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS, co);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BrmNewBatchWindow::batch-started:
   * @batch: the batch the service created
   *
   * The batch started (`POST /batch/start` succeeded); the window closes
   * itself right after.
   */
  signals[BATCH_STARTED] = g_signal_new ("batch-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, BR_TYPE_BATCH);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/brm-new-batch-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, start_spinner);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, leads_box);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, next_revealer);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, start_error_revealer);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, start_error_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, name_row);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, description_row);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, template_row);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, max_concurrent_spin);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, retry_failed_switch);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, retry_count_row);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, retry_count_spin);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, cost_group);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, updating_box);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, updating_spinner);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, preview_status_box);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, preview_status_icon);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, preview_status_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, retry_preview_button);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, cost_list);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, total_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, per_lead_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, base_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, providers_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, discount_row);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, discount_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, overhead_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, duration_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, accuracy_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, providers_group);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, providers_list);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, budget_warning_revealer);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, budget_warning_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, spent_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, remaining_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, after_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, invalid_revealer);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, invalid_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, approve_check);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, approve_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, approval_note_box);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, approval_note_label);
  gtk_widget_class_bind_template_child (widget_class, BrmNewBatchWindow, blocker_label);
  gtk_widget_class_bind_template_callback (widget_class, template_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, approve_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, leaflet_changed_cb);

  gtk_widget_class_install_action (widget_class, "new-batch.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "new-batch.discard", NULL, discard_action);
  gtk_widget_class_install_action (widget_class, "new-batch.retry-preview", NULL, retry_preview_action);
  gtk_widget_class_install_action (widget_class, "new-batch.remove-unknown", NULL, remove_unknown_action);
  gtk_widget_class_install_action (widget_class, "new-batch.show-options", NULL, show_options_action);
  gtk_widget_class_install_action (widget_class, "new-batch.show-leads", NULL, show_leads_action);
  gtk_widget_class_install_action (widget_class, "new-batch.search", NULL, search_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "new-batch.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "new-batch.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "new-batch.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
brm_new_batch_window_init (BrmNewBatchWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * brm_new_batch_window_new:
 * @transient_for: (nullable): the main window
 * @connection: the service to compose a batch for
 *
 * Returns: (transfer none): a new window, not shown yet; it is destroyed
 *   when closed, unless #GtkWindow:hide-on-close is set (see
 *   brm_new_batch_window_reopen())
 */
BrmNewBatchWindow *
brm_new_batch_window_new (GtkWindow     *transient_for,
                          BrmConnection *connection)
{
  g_return_val_if_fail (transient_for == NULL || GTK_IS_WINDOW (transient_for), NULL);
  g_return_val_if_fail (BRM_IS_CONNECTION (connection), NULL);

  return g_object_new (BRM_TYPE_NEW_BATCH_WINDOW,
                       "transient-for", transient_for,
                       "destroy-with-parent", TRUE,
                       "connection", connection,
                       NULL);
}

BrmConnection *
brm_new_batch_window_get_connection (BrmNewBatchWindow *self)
{
  g_return_val_if_fail (BRM_IS_NEW_BATCH_WINDOW (self), NULL);
  return self->connection;
}

BrmBatchComposer *
brm_new_batch_window_get_composer (BrmNewBatchWindow *self)
{
  g_return_val_if_fail (BRM_IS_NEW_BATCH_WINDOW (self), NULL);
  return self->composer;
}

BrmLeadBrowser *
brm_new_batch_window_get_browser (BrmNewBatchWindow *self)
{
  g_return_val_if_fail (BRM_IS_NEW_BATCH_WINDOW (self), NULL);
  return self->browser;
}

/**
 * brm_new_batch_window_reopen:
 * @self: a #BrmNewBatchWindow
 *
 * Presents the window. One that was closed with #GtkWindow:hide-on-close
 * set comes back as a new one would, without building its widgets again:
 * on the leads page with the search focused, with the service's health,
 * budget and templates read again and the leads reloaded in place (rows
 * keep their widgets). The draft is what closing left: the selection
 * and options, or an empty one after a start.
 */
void
brm_new_batch_window_reopen (BrmNewBatchWindow *self)
{
  g_return_if_fail (BRM_IS_NEW_BATCH_WINDOW (self));

  if (!gtk_widget_get_visible (GTK_WIDGET (self)))
    {
      self->started = FALSE;
      adw_leaflet_set_visible_child_name (self->leaflet, "leads");
      brm_batch_composer_refresh (self->composer);
      brm_lead_page_model_reload (brm_lead_browser_get_model (self->browser));
      gtk_window_set_focus (GTK_WINDOW (self), brm_lead_browser_get_search_entry (self->browser));
    }
  gtk_window_present (GTK_WINDOW (self));
}
