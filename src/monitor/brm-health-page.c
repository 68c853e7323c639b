/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-health-page"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>

#include "brm-health-page.h"
#include "brm-chart-view.h"
#include "brm-time-chart.h"

/**
 * BrmHealthPage:
 *
 * The Health view: the service's last health report (status, database,
 * workers, queue, live clients, spend against the budget, version and
 * features), where the monitor connects, and the session's history of the
 * load figures as small charts. The report comes from the
 * #BrmLiveMetrics (the feed's `health` messages, every 5 s); until the
 * first one the page asks GET /health itself so it is not empty for five
 * seconds.
 */
struct _BrmHealthPage
{
  AdwBin          parent_instance;

  AdwActionRow   *status_row;
  GtkImage       *status_icon;
  AdwActionRow   *address_row;
  AdwActionRow   *database_row;
  AdwActionRow   *version_row;
  AdwActionRow   *capabilities_row;
  AdwActionRow   *workers_row;
  AdwActionRow   *queue_row;
  AdwActionRow   *clients_row;
  AdwActionRow   *spend_row;
  GtkLevelBar    *spend_level;
  GtkFlowBox     *history_box;
  /* workers busy, queue depth, live clients, spend */
  BrmChart       *history[4];

  BrmConnection  *connection;
  BrmLiveMetrics *metrics;
  GSignalGroup   *feed_signals;
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (BrmHealthPage, brm_health_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_METRICS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What each `capabilities` entry of API.md means to an operator. */
static const struct {
  const char *name;
  const char *label;
} capability_labels[] = {
  { "events", N_("Live updates") },
  { "pause", N_("Pause and resume") },
  { "retry", N_("Retry of failed leads") },
  { "leads", N_("Per-lead results") },
  { "templates", N_("Template catalogue") },
  { "analytics.daily", N_("Daily analytics") },
  { "analytics", N_("Analytics") },
  { "metrics", N_("Prometheus metrics") },
  { "audit", N_("Audit trail") },
};

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  if (g_strcmp0 (adw_action_row_get_subtitle (row), text) != 0)
    adw_action_row_set_subtitle (row, text);
}

static char *
format_count (gint64 value)
{
  if (value < 0)
    return g_strdup (_("Not reported"));
  return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
}

static char *
dup_capabilities_text (BrHealth *health)
{
  const char * const *caps = br_health_get_capabilities (health);
  g_autoptr(GString) text = g_string_new (NULL);

  if (caps == NULL || caps[0] == NULL)
    return g_strdup (_("The basic set (no extensions)"));

  for (guint i = 0; caps[i] != NULL; i++)
    {
      const char *label = caps[i];

      for (guint j = 0; j < G_N_ELEMENTS (capability_labels); j++)
        if (g_str_equal (caps[i], capability_labels[j].name))
          label = _(capability_labels[j].label);
      if (i > 0)
        /* TRANSLATORS: separates the features in the list of the server's features */
        g_string_append (text, _(", "));
      g_string_append (text, label);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_address (BrmHealthPage *self)
{
  g_autofree char *address = NULL;

  if (self->connection != NULL)
    address = g_strconcat (brm_connection_get_base_url (self->connection),
                           brm_connection_get_base_path (self->connection)
                           ? brm_connection_get_base_path (self->connection) : "",
                           NULL);
  set_subtitle (self->address_row, address ? address : _("Not connected"));
}

static void
update_rows (BrmHealthPage *self)
{
  BrHealth *health = self->metrics ? brm_live_metrics_get_health (self->metrics) : NULL;
  BrLiveFeed *feed = self->connection ? brm_connection_get_feed (self->connection) : NULL;
  gboolean connected = feed != NULL && br_live_feed_get_state (feed) == BR_FEED_STATE_CONNECTED;
  g_autofree char *status = NULL;
  g_autofree char *workers = NULL;
  g_autofree char *queue = NULL;
  g_autofree char *clients = NULL;
  g_autofree char *spend = NULL;
  g_autofree char *features = NULL;
  const char *icon;
  double spent, budget;

  update_address (self);

  if (health == NULL)
    {
      set_subtitle (self->status_row, connected || feed == NULL ? _("No report yet") : _("Not connected"));
      gtk_image_set_from_icon_name (self->status_icon, "dialog-question-symbolic");
      return;
    }

  {
    const char *message = br_health_get_message (health);
    const char *state = br_health_is_healthy (health) ? _("Healthy")
                        : br_health_get_status (health) ? br_health_get_status (health) : _("Unknown");

    if (message != NULL && *message != '\0')
      /* TRANSLATORS: the service's status, then its message: "Healthy · Batch Runner service is running" */
      status = g_strdup_printf (_("%s · %s"), state, message);
    else
      status = g_strdup (state);
    icon = br_health_is_healthy (health) ? "emblem-ok-symbolic" : "dialog-warning-symbolic";
  }
  if (feed != NULL && !connected)
    {
      g_autofree char *last = g_steal_pointer (&status);

      /* TRANSLATORS: %s is the last known status */
      status = g_strdup_printf (_("Not connected · last report: %s"), last);
      icon = "network-offline-symbolic";
    }
  set_subtitle (self->status_row, status);
  gtk_image_set_from_icon_name (self->status_icon, icon);

  set_subtitle (self->database_row, br_health_get_database (health) ? br_health_get_database (health) : _("Not reported"));
  set_subtitle (self->version_row, br_health_get_version (health) ? br_health_get_version (health) : _("Not reported"));
  features = dup_capabilities_text (health);
  set_subtitle (self->capabilities_row, features);

  if (br_health_get_workers_busy (health) >= 0 && br_health_get_workers_total (health) >= 0)
    /* TRANSLATORS: busy workers of all workers, such as "3 of 8" */
    workers = g_strdup_printf (_("%'" PRId64 " of %'" PRId64),
                               br_health_get_workers_busy (health), br_health_get_workers_total (health));
  else
    workers = g_strdup (_("Not reported"));
  set_subtitle (self->workers_row, workers);
  queue = format_count (br_health_get_queue_depth (health));
  set_subtitle (self->queue_row, queue);
  clients = format_count (br_health_get_websocket_clients (health));
  set_subtitle (self->clients_row, clients);

  spent = br_health_get_spent_today_usd (health);
  budget = br_health_get_daily_budget_usd (health);
  if (spent >= 0 && budget > 0)
    /* TRANSLATORS: money spent today of the daily budget, "$12.30 of $100.00" */
    spend = g_strdup_printf (_("$%'.2f of $%'.2f"), spent, budget);
  else if (spent >= 0)
    spend = g_strdup_printf ("$%'.2f", spent);
  else
    spend = g_strdup (_("Not reported"));
  set_subtitle (self->spend_row, spend);
  gtk_widget_set_visible (GTK_WIDGET (self->spend_level), spent >= 0 && budget > 0);
  if (spent >= 0 && budget > 0)
    gtk_level_bar_set_value (self->spend_level, CLAMP (spent / budget, 0.0, 1.0));
}

static void
setup_history (BrmHealthPage *self)
{
  static const struct {
    const char   *title;
    BrmChartUnit  unit;
  } charts[] = {
    { N_("Workers Busy"), BRM_CHART_UNIT_COUNT },
    { N_("Leads Waiting"), BRM_CHART_UNIT_COUNT },
    { N_("Live Clients"), BRM_CHART_UNIT_COUNT },
    { N_("Spent Today"), BRM_CHART_UNIT_USD },
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (charts) == G_N_ELEMENTS (self->history));

  for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
    {
      BrmTimeChart *chart = brm_time_chart_new ();

      brm_chart_set_title (BRM_CHART (chart), _(charts[i].title));
      brm_chart_set_unit (BRM_CHART (chart), charts[i].unit);
      brm_chart_set_x_kind (BRM_CHART (chart), BRM_CHART_X_TIME);
      /* The whole session (at most the hour the metrics keep). */
      brm_time_chart_set_window (chart, 0);
      gtk_widget_set_size_request (GTK_WIDGET (chart), 200, 100);
      self->history[i] = BRM_CHART (chart);
      gtk_flow_box_append (self->history_box, GTK_WIDGET (brm_chart_view_new (BRM_CHART (chart))));
    }
}

static void
attach_history (BrmHealthPage *self)
{
  BrmChartSeries *series[4] = { NULL, };

  if (self->metrics != NULL)
    {
      series[0] = brm_live_metrics_get_workers_busy (self->metrics);
      series[1] = brm_live_metrics_get_queue_depth (self->metrics);
      series[2] = brm_live_metrics_get_websocket_clients (self->metrics);
      series[3] = brm_live_metrics_get_health_spend (self->metrics);
    }
  for (guint i = 0; i < G_N_ELEMENTS (self->history); i++)
    {
      brm_chart_remove_all_series (self->history[i]);
      if (series[i] != NULL)
        brm_chart_add_series (self->history[i], series[i]);
    }
}

static void
health_fetched_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  BrmHealthPage *self;
  g_autoptr(GError) error = NULL;
  g_autoptr(BrHealth) health = br_client_get_health_finish (BR_CLIENT (object), result, &error);

  /* No reference is held while waiting (it would keep the connection
   * alive past the window); dispose cancels, so a cancelled request must
   * not touch the page. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (health == NULL)
    {
      g_debug ("no health report: %s", error->message);
      return;
    }
  /* A feed report may have come meanwhile; it is as recent, keep it. */
  if (self->metrics != NULL && brm_live_metrics_get_health (self->metrics) == NULL)
    brm_live_metrics_record_health (self->metrics, health, brm_live_metrics_now (self->metrics));
}

static void
maybe_fetch_health (BrmHealthPage *self)
{
  if (self->connection == NULL || self->metrics == NULL ||
      brm_live_metrics_get_health (self->metrics) != NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  br_client_get_health_async (brm_connection_get_client (self->connection), self->cancellable,
                              health_fetched_cb, self);
}

static void
brm_health_page_dispose (GObject *object)
{
  BrmHealthPage *self = BRM_HEALTH_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->feed_signals != NULL)
    g_signal_group_set_target (self->feed_signals, NULL);
  if (self->metrics != NULL)
    g_signal_handlers_disconnect_by_data (self->metrics, self);
  g_clear_object (&self->metrics);
  g_clear_object (&self->connection);
  gtk_widget_dispose_template (GTK_WIDGET (self), BRM_TYPE_HEALTH_PAGE);

  G_OBJECT_CLASS (brm_health_page_parent_class)->dispose (object);
}

static void
brm_health_page_finalize (GObject *object)
{
  BrmHealthPage *self = BRM_HEALTH_PAGE (object);

  g_clear_object (&self->feed_signals);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (brm_health_page_parent_class)->finalize (object);
}

static void
brm_health_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BrmHealthPage *self = BRM_HEALTH_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_METRICS:
      g_value_set_object (value, self->metrics);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_health_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BrmHealthPage *self = BRM_HEALTH_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      brm_health_page_set_connection (self, g_value_get_object (value));
      break;
    case PROP_METRICS:
      brm_health_page_set_metrics (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_health_page_class_init (BrmHealthPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = brm_health_page_dispose;
  object_class->finalize = brm_health_page_finalize;
  object_class->get_property = brm_health_page_get_property;
  object_class->set_property = brm_health_page_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, BRM_TYPE_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_METRICS] =
    g_param_spec_object ("metrics", NULL, NULL, BRM_TYPE_LIVE_METRICS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/brm-health-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, database_row);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, version_row);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, capabilities_row);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, workers_row);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, queue_row);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, clients_row);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, spend_row);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, spend_level);
  gtk_widget_class_bind_template_child (widget_class, BrmHealthPage, history_box);
}

static void
brm_health_page_init (BrmHealthPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->feed_signals = g_signal_group_new (BR_TYPE_LIVE_FEED);
  g_signal_group_connect_swapped (self->feed_signals, "notify::state", G_CALLBACK (update_rows), self);

  setup_history (self);
  update_rows (self);
}

GtkWidget *
brm_health_page_new (void)
{
  return g_object_new (BRM_TYPE_HEALTH_PAGE, NULL);
}

BrmConnection *
brm_health_page_get_connection (BrmHealthPage *self)
{
  g_return_val_if_fail (BRM_IS_HEALTH_PAGE (self), NULL);
  return self->connection;
}

/**
 * brm_health_page_set_connection:
 * @connection: (nullable): the service, for its address and state
 */
void
brm_health_page_set_connection (BrmHealthPage *self,
                                BrmConnection *connection)
{
  g_return_if_fail (BRM_IS_HEALTH_PAGE (self));
  g_return_if_fail (connection == NULL || BRM_IS_CONNECTION (connection));

  if (!g_set_object (&self->connection, connection))
    return;

  g_signal_group_set_target (self->feed_signals, connection ? brm_connection_get_feed (connection) : NULL);
  maybe_fetch_health (self);
  update_rows (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
}

BrmLiveMetrics *
brm_health_page_get_metrics (BrmHealthPage *self)
{
  g_return_val_if_fail (BRM_IS_HEALTH_PAGE (self), NULL);
  return self->metrics;
}

/**
 * brm_health_page_set_metrics:
 * @metrics: (nullable): where the health reports and their history are
 */
void
brm_health_page_set_metrics (BrmHealthPage  *self,
                             BrmLiveMetrics *metrics)
{
  g_return_if_fail (BRM_IS_HEALTH_PAGE (self));
  g_return_if_fail (metrics == NULL || BRM_IS_LIVE_METRICS (metrics));

  if (self->metrics == metrics)
    return;

  if (self->metrics != NULL)
    g_signal_handlers_disconnect_by_data (self->metrics, self);
  g_set_object (&self->metrics, metrics);
  if (metrics != NULL)
    g_signal_connect_object (metrics, "notify::health", G_CALLBACK (update_rows), self, G_CONNECT_SWAPPED);

  attach_history (self);
  maybe_fetch_health (self);
  update_rows (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METRICS]);
}

/**
 * brm_health_page_get_field:
 * @field: "status", "address", "database", "version", "capabilities",
 *   "workers", "queue-depth", "websocket-clients" or "spend"
 *
 * Returns: (nullable): the text the page shows for @field (what a screen
 *   reader reads as the row's subtitle)
 */
const char *
brm_health_page_get_field (BrmHealthPage *self,
                           const char    *field)
{
  const struct {
    const char   *name;
    AdwActionRow *row;
  } rows[] = {
    { "status", self->status_row },
    { "address", self->address_row },
    { "database", self->database_row },
    { "version", self->version_row },
    { "capabilities", self->capabilities_row },
    { "workers", self->workers_row },
    { "queue-depth", self->queue_row },
    { "websocket-clients", self->clients_row },
    { "spend", self->spend_row },
  };

  g_return_val_if_fail (BRM_IS_HEALTH_PAGE (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (g_str_equal (rows[i].name, field))
      return adw_action_row_get_subtitle (rows[i].row);
  return NULL;
}

/**
 * brm_health_page_get_history_chart:
 * @index: 0 workers busy, 1 leads waiting, 2 live clients, 3 spend
 *
 * Returns: (transfer none) (nullable): that history chart
 */
BrmChart *
brm_health_page_get_history_chart (BrmHealthPage *self,
                                   guint          index)
{
  g_return_val_if_fail (BRM_IS_HEALTH_PAGE (self), NULL);
  return index < G_N_ELEMENTS (self->history) ? self->history[index] : NULL;
}
