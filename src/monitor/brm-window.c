/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-window"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "brm-window-private.h"

/* The main window: header bar with the connection indicator, the summary
 * strip, the batch table and the detail pane (side by side when wide, one
 * page at a time when narrow), the health page. It holds no data of its
 * own: everything is bound to the BrmConnection's store and feed. */

G_DEFINE_FINAL_TYPE (BrmWindow, brm_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "3 s", "2 min", "1 h": how long ago or how long until. */
static char *
format_span (gint64 seconds)
{
  if (seconds < 0)
    seconds = 0;
  if (seconds < 60)
    /* TRANSLATORS: a number of seconds, as in "updated 12 s ago" */
    return g_strdup_printf (_("%" PRId64 " s"), seconds);
  if (seconds < 3600)
    return g_strdup_printf (_("%" PRId64 " min"), seconds / 60);
  return g_strdup_printf (_("%" PRId64 " h"), seconds / 3600);
}

static void
set_label_if_changed (GtkLabel   *label,
                      const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

static void
set_classes (GtkWidget  *widget,
             const char *wanted,
             const char *const *all)
{
  for (guint i = 0; all[i] != NULL; i++)
    {
      if (g_strcmp0 (all[i], wanted) == 0)
        gtk_widget_add_css_class (widget, all[i]);
      else
        gtk_widget_remove_css_class (widget, all[i]);
    }
}

/* The connection indicator: icon + text (never colour alone), and the
 * stale banner. Called on every state change and once a second while a
 * countdown or an age is shown. GTK 4.8 cannot announce, so the label of
 * a widget with the "status" role changing is what screen readers get. */
static void
update_connection (BrmWindow *self)
{
  static const char *const classes[] = { "connected", "reconnecting", "offline", NULL };
  g_autofree char *text = NULL;
  g_autofree char *banner = NULL;
  const char *icon = "network-no-route-symbolic";
  const char *klass = "offline";
  gboolean stale = FALSE;
  gint64 now = g_get_real_time ();
  BrLiveFeed *feed;
  gint64 last_update;

  if (self->connection == NULL)
    {
      text = g_strdup (self->status_message ? self->status_message : _("Not connected"));
      set_label_if_changed (self->connection_label, text);
      gtk_image_set_from_icon_name (self->connection_icon, "network-no-route-symbolic");
      set_classes (self->connection_box, "offline", classes);
      gtk_revealer_set_reveal_child (self->offline_revealer, FALSE);
      return;
    }

  feed = brm_connection_get_feed (self->connection);
  last_update = br_live_feed_get_last_update (feed);

  switch (br_live_feed_get_state (feed))
    {
    case BR_FEED_STATE_CONNECTED:
      icon = "network-transmit-receive-symbolic";
      klass = "connected";
      text = g_strdup (br_live_feed_get_mode (feed) == BR_FEED_MODE_POLLING
                       ? _("Connected (polling)") : _("Connected"));
      break;

    case BR_FEED_STATE_CONNECTING:
      icon = "network-idle-symbolic";
      klass = "reconnecting";
      text = g_strdup (_("Connecting…"));
      stale = last_update > 0;
      break;

    case BR_FEED_STATE_RECONNECTING:
      {
        gint64 next = br_live_feed_get_next_attempt (feed);
        g_autofree char *span = format_span ((next - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

        icon = "network-idle-symbolic";
        klass = "reconnecting";
        /* TRANSLATORS: %s is a duration such as "12 s" */
        text = next > now ? g_strdup_printf (_("Reconnecting in %s"), span) : g_strdup (_("Reconnecting…"));
        stale = TRUE;
      }
      break;

    case BR_FEED_STATE_OFFLINE:
    default:
      text = g_strdup (_("Offline"));
      stale = TRUE;
      break;
    }

  if (stale && last_update > 0)
    {
      g_autofree char *age = format_span ((now - last_update) / G_USEC_PER_SEC);
      g_autofree char *with_age = NULL;
      const char *error = br_live_feed_get_last_error (feed);

      /* TRANSLATORS: first %s is the connection state, second a duration */
      with_age = g_strdup_printf (_("%s · updated %s ago"), text, age);
      g_free (text);
      text = g_steal_pointer (&with_age);
      if (error != NULL && *error != '\0')
        /* TRANSLATORS: %s is a duration, then the reason the connection was lost */
        banner = g_strdup_printf (_("Showing the data as it was %s ago: %s"), age, error);
      else
        banner = g_strdup_printf (_("Showing the data as it was %s ago."), age);
    }

  set_label_if_changed (self->connection_label, text);
  /* On a narrow window the label ellipsizes down to "…": the tooltip
   * still says it all (screen readers read the label's whole text). */
  if (g_strcmp0 (gtk_widget_get_tooltip_text (self->connection_box), text) != 0)
    gtk_widget_set_tooltip_text (self->connection_box, text);
  gtk_image_set_from_icon_name (self->connection_icon, icon);
  set_classes (self->connection_box, klass, classes);
  if (banner != NULL)
    set_label_if_changed (self->offline_label, banner);
  gtk_revealer_set_reveal_child (self->offline_revealer, banner != NULL);
  brm_batch_table_set_stale (self->table, stale && last_update > 0);
}

static void
update_summary (BrmWindow *self)
{
  BrBatchStore *store;
  g_autofree char *running = NULL;
  g_autofree char *pending = NULL;
  g_autofree char *paused = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *throughput = NULL;
  g_autofree char *spend = NULL;
  double spent, budget, fraction = 0.8;
  gboolean warn;

  if (self->connection == NULL)
    return;
  store = brm_connection_get_store (self->connection);

  /* TRANSLATORS: the number is in bold; "Running 3" in the summary strip */
  running = g_strdup_printf (_("Running <b>%u</b>"), br_batch_store_get_n_running (store));
  pending = g_strdup_printf (_("Pending <b>%u</b>"), br_batch_store_get_n_pending (store));
  paused = g_strdup_printf (_("Paused <b>%u</b>"), br_batch_store_get_n_paused (store));
  failed = g_strdup_printf (_("Failed today <b>%u</b>"), br_batch_store_get_n_failed_today (store));
  throughput = g_strdup_printf (_("<b>%.0f</b> leads/min"), br_batch_store_get_leads_per_minute (store));

  spent = br_batch_store_get_spent_today (store);
  budget = br_batch_store_get_daily_budget (store);
  if (self->settings != NULL)
    fraction = g_settings_get_double (self->settings, "budget-warning-fraction");
  warn = budget > 0 && spent >= budget * fraction;
  if (budget > 0)
    /* TRANSLATORS: money spent today of the daily budget, "$312.40 of $500.00 today" */
    spend = g_strdup_printf (_("<b>$%.2f</b> of $%.2f today"), spent, budget);
  else
    spend = g_strdup_printf (_("<b>$%.2f</b> today"), spent);

  set_label_if_changed (self->running_label, running);
  set_label_if_changed (self->pending_label, pending);
  set_label_if_changed (self->paused_label, paused);
  set_label_if_changed (self->failed_label, failed);
  set_label_if_changed (self->throughput_label, throughput);
  set_label_if_changed (self->spend_label, spend);
  gtk_widget_set_visible (GTK_WIDGET (self->budget_icon), warn);
  if (warn)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->spend_label), "budget-warning");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->spend_label),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      _("Spending has passed the budget warning"), -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->spend_label), "budget-warning");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->spend_label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

static void
update_selection (BrmWindow *self)
{
  guint n = brm_batch_table_get_n_selected (self->table);
  g_autofree char *text = NULL;

  if (n == 1)
    {
      g_autoptr(GPtrArray) selected = brm_batch_table_dup_selected (self->table);
      BrBatch *batch = g_ptr_array_index (selected, 0);

      /* TRANSLATORS: %s is a batch name */
      text = g_strdup_printf (_("Selected: %s"), br_batch_get_name (batch) ? br_batch_get_name (batch) : br_batch_get_id (batch));
      if (brm_batch_detail_get_batch (self->detail) != batch)
        brm_batch_detail_set_batch (self->detail, batch);
    }
  else if (n == 0)
    text = g_strdup (_("No batch selected"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u batch selected", "%u batches selected", n), n);

  set_label_if_changed (self->selection_label, text);
  brm_window_actions_update (self);
}

static void
table_selection_changed_cb (BrmWindow *self)
{
  update_selection (self);
}

static void
show_detail_page (BrmWindow *self)
{
  GtkWidget *page = GTK_WIDGET (self->detail);

  adw_leaflet_set_visible_child (self->leaflet, page);
  if (adw_leaflet_get_folded (self->leaflet))
    gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD);
}

static void
table_batch_activated_cb (BrmWindow *self,
                          BrBatch   *batch)
{
  brm_batch_detail_set_batch (self->detail, batch);
  show_detail_page (self);
}

static void
update_back_button (BrmWindow *self)
{
  gboolean detail_alone = adw_leaflet_get_folded (self->leaflet) &&
                          adw_leaflet_get_visible_child (self->leaflet) == GTK_WIDGET (self->detail);

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), detail_alone);
}

static void
detail_lead_selection_changed_cb (BrmWindow *self)
{
  brm_window_actions_update (self);
}

static void
capabilities_changed_cb (BrmWindow *self)
{
  brm_window_actions_update (self);
}

/* GtkDropDown (GTK 4.8) leaves the toggle button inside it without a
 * name, so a screen reader hears "toggle button" only: name each one
 * after the drop-down around it. */
static void
name_drop_down_buttons (GtkWidget *widget)
{
  if (GTK_IS_DROP_DOWN (widget))
    {
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
        if (GTK_IS_TOGGLE_BUTTON (child))
          gtk_accessible_update_relation (GTK_ACCESSIBLE (child),
                                          GTK_ACCESSIBLE_RELATION_LABELLED_BY, widget, NULL,
                                          -1);
      return;
    }
  if (GTK_IS_COLUMN_VIEW (widget) || GTK_IS_LIST_VIEW (widget))
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    name_drop_down_buttons (child);
}

static gboolean
clock_tick (gpointer data)
{
  BrmWindow *self = data;

  update_connection (self);
  return G_SOURCE_CONTINUE;
}

static void
brm_window_dispose (GObject *object)
{
  BrmWindow *self = BRM_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->clock_id, g_source_remove);
  if (self->dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
      gtk_window_destroy (GTK_WINDOW (self->dialog));
      self->dialog = NULL;
    }
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  if (self->feed_signals != NULL)
    g_signal_group_set_target (self->feed_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BRM_TYPE_WINDOW);
  g_clear_object (&self->connection);
  g_clear_object (&self->metrics);

  G_OBJECT_CLASS (brm_window_parent_class)->dispose (object);
}

static void
brm_window_finalize (GObject *object)
{
  BrmWindow *self = BRM_WINDOW (object);

  g_clear_object (&self->store_signals);
  g_clear_object (&self->feed_signals);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->status_message, g_free);

  G_OBJECT_CLASS (brm_window_parent_class)->finalize (object);
}

static void
brm_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  BrmWindow *self = BRM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  BrmWindow *self = BRM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      brm_window_set_connection (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
brm_window_close_request (GtkWindow *window)
{
  BrmWindow *self = BRM_WINDOW (window);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (brm_window_parent_class)->close_request (window);
}

static void
brm_window_class_init (BrmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = brm_window_dispose;
  object_class->finalize = brm_window_finalize;
  object_class->get_property = brm_window_get_property;
  object_class->set_property = brm_window_set_property;
  window_class->close_request = brm_window_close_request;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, BRM_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (BRM_TYPE_BATCH_TABLE);
  g_type_ensure (BRM_TYPE_BATCH_DETAIL);
  g_type_ensure (BRM_TYPE_HEALTH_PAGE);
  g_type_ensure (BRM_TYPE_LIVE_CHARTS);
  g_type_ensure (BRM_TYPE_ANALYTICS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/brm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, list_page);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, connection_box);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, connection_icon);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, connection_label);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, offline_label);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, running_label);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, pending_label);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, paused_label);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, failed_label);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, throughput_label);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, spend_label);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, budget_icon);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, selection_label);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, table);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, detail);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, health_page);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, live_charts);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, analytics_page);

  brm_window_actions_class_init (widget_class);
}

static void
brm_window_init (BrmWindow *self)
{
  GSettingsSchema *schema;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  /* Tests run without the compiled schema in some configurations; the
   * window then works, it just remembers nothing. */
  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (), APP_ID, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new (APP_ID);
      g_settings_schema_unref (schema);
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      brm_batch_table_set_settings (self->table, self->settings);
      g_signal_connect_object (self->settings, "changed::budget-warning-fraction",
                               G_CALLBACK (update_summary), self, G_CONNECT_SWAPPED);
    }

  self->store_signals = g_signal_group_new (BR_TYPE_BATCH_STORE);
  g_signal_group_connect_swapped (self->store_signals, "notify::n-running", G_CALLBACK (update_summary), self);
  g_signal_group_connect_swapped (self->store_signals, "notify::n-pending", G_CALLBACK (update_summary), self);
  g_signal_group_connect_swapped (self->store_signals, "notify::n-paused", G_CALLBACK (update_summary), self);
  g_signal_group_connect_swapped (self->store_signals, "notify::n-failed-today", G_CALLBACK (update_summary), self);
  g_signal_group_connect_swapped (self->store_signals, "notify::leads-per-minute", G_CALLBACK (update_summary), self);
  g_signal_group_connect_swapped (self->store_signals, "notify::spent-today", G_CALLBACK (update_summary), self);
  g_signal_group_connect_swapped (self->store_signals, "notify::daily-budget", G_CALLBACK (update_summary), self);

  self->feed_signals = g_signal_group_new (BR_TYPE_LIVE_FEED);
  g_signal_group_connect_swapped (self->feed_signals, "notify::state", G_CALLBACK (update_connection), self);
  g_signal_group_connect_swapped (self->feed_signals, "notify::mode", G_CALLBACK (update_connection), self);

  g_signal_connect_object (self->table, "selection-changed", G_CALLBACK (table_selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->table, "batch-activated", G_CALLBACK (table_batch_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->detail, "lead-selection-changed", G_CALLBACK (detail_lead_selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->leaflet, "notify::folded", G_CALLBACK (update_back_button), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->leaflet, "notify::visible-child", G_CALLBACK (update_back_button), self, G_CONNECT_SWAPPED);

  self->clock_id = g_timeout_add_seconds (1, clock_tick, self);
  name_drop_down_buttons (GTK_WIDGET (self));
  update_connection (self);
  update_selection (self);
}

BrmWindow *
brm_window_new (BrmApplication *application)
{
  return g_object_new (BRM_TYPE_WINDOW, "application", application, NULL);
}

/**
 * brm_window_set_connection:
 * @connection: (nullable): the service to show
 *
 * Shows @connection's batches. The window does not start or stop it.
 */
void
brm_window_set_connection (BrmWindow     *self,
                           BrmConnection *connection)
{
  g_return_if_fail (BRM_IS_WINDOW (self));
  g_return_if_fail (connection == NULL || BRM_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (self->connection, self);
  g_set_object (&self->connection, connection);

  g_signal_group_set_target (self->store_signals, connection ? brm_connection_get_store (connection) : NULL);
  g_signal_group_set_target (self->feed_signals, connection ? brm_connection_get_feed (connection) : NULL);
  brm_batch_table_set_model (self->table, connection ? G_LIST_MODEL (brm_connection_get_store (connection)) : NULL);
  brm_batch_detail_set_batch (self->detail, NULL);
  brm_batch_detail_set_connection (self->detail, connection);

  /* One sampler per service feeds the live charts and the health page. */
  g_clear_object (&self->metrics);
  if (connection != NULL)
    {
      self->metrics = brm_live_metrics_new (brm_connection_get_store (connection),
                                            brm_connection_get_feed (connection));
      brm_live_metrics_set_interval (self->metrics, BRM_LIVE_METRICS_DEFAULT_INTERVAL_MS);
    }
  brm_live_charts_set_metrics (self->live_charts, self->metrics);
  brm_health_page_set_metrics (self->health_page, self->metrics);
  brm_health_page_set_connection (self->health_page, connection);
  brm_analytics_page_set_connection (self->analytics_page, connection);
  if (connection != NULL)
    g_signal_connect_object (connection, "notify::capabilities", G_CALLBACK (capabilities_changed_cb),
                             self, G_CONNECT_SWAPPED);

  update_connection (self);
  update_summary (self);
  update_selection (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

BrmConnection *
brm_window_get_connection (BrmWindow *self)
{
  g_return_val_if_fail (BRM_IS_WINDOW (self), NULL);

  return self->connection;
}

/**
 * brm_window_set_status_message:
 * @message: (nullable): what the indicator says while there is no
 *   connection yet, such as "Starting the local service…"
 */
void
brm_window_set_status_message (BrmWindow  *self,
                               const char *message)
{
  g_return_if_fail (BRM_IS_WINDOW (self));

  g_free (self->status_message);
  self->status_message = g_strdup (message);
  update_connection (self);
}

/**
 * brm_window_show_batch:
 *
 * Selects the batch, scrolls to it and shows its details (notifications
 * and app.show-batch land here).
 *
 * Returns: %FALSE if the batch is not in the table (unknown or filtered)
 */
gboolean
brm_window_show_batch (BrmWindow  *self,
                       const char *batch_id)
{
  BrBatch *batch;

  g_return_val_if_fail (BRM_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (batch_id != NULL, FALSE);

  if (self->connection == NULL)
    return FALSE;

  adw_view_stack_set_visible_child_name (self->view_stack, "batches");
  batch = br_batch_store_lookup (brm_connection_get_store (self->connection), batch_id);
  if (batch == NULL)
    return FALSE;

  if (!brm_batch_table_select_batch (self->table, batch_id))
    {
      /* Filtered out: clear the filters rather than show a batch the
       * table pretends is not there. */
      brm_batch_table_set_search_text (self->table, "");
      brm_batch_table_set_status_filter (self->table, -1);
      brm_batch_table_set_template_filter (self->table, NULL);
      brm_batch_table_select_batch (self->table, batch_id);
    }
  brm_batch_detail_set_batch (self->detail, batch);
  show_detail_page (self);
  return TRUE;
}

const char *
brm_window_get_connection_text (BrmWindow *self)
{
  g_return_val_if_fail (BRM_IS_WINDOW (self), NULL);

  return gtk_label_get_label (self->connection_label);
}

GtkWidget *
brm_window_get_table (BrmWindow *self)
{
  g_return_val_if_fail (BRM_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->table);
}

GtkWidget *
brm_window_get_detail (BrmWindow *self)
{
  g_return_val_if_fail (BRM_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->detail);
}

GtkWidget *
brm_window_get_health_page (BrmWindow *self)
{
  g_return_val_if_fail (BRM_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->health_page);
}

GtkWidget *
brm_window_get_live_charts (BrmWindow *self)
{
  g_return_val_if_fail (BRM_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->live_charts);
}

/**
 * brm_window_get_live_metrics:
 *
 * Returns: (nullable) (transfer none): the sampler of the live charts
 *   and the health history
 */
BrmLiveMetrics *
brm_window_get_live_metrics (BrmWindow *self)
{
  g_return_val_if_fail (BRM_IS_WINDOW (self), NULL);

  return self->metrics;
}

/**
 * brm_window_get_dialog:
 *
 * Returns: (nullable) (transfer none): the confirmation dialog waiting for
 *   an answer, if any
 */
AdwMessageDialog *
brm_window_get_dialog (BrmWindow *self)
{
  g_return_val_if_fail (BRM_IS_WINDOW (self), NULL);

  return self->dialog;
}

/**
 * brm_window_dup_summary_text:
 *
 * Returns: (transfer full): the summary strip as plain text, its items
 *   separated by " · " (what a screen reader reads, item by item)
 */
char *
brm_window_dup_summary_text (BrmWindow *self)
{
  GtkLabel *labels[] = {
    self->running_label, self->pending_label, self->paused_label,
    self->failed_label, self->throughput_label, self->spend_label,
  };
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (BRM_IS_WINDOW (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      if (i > 0)
        g_string_append (text, " · ");
      g_string_append (text, gtk_label_get_text (labels[i]));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
