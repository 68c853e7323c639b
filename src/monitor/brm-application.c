/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-application"

#include "config.h"

#include <glib/gi18n.h>

#include "brm-application.h"
#include "brm-connection.h"
#include "brm-local-service.h"
#include "brm-new-batch-window.h"
#include "brm-notifier.h"
#include "brm-preferences-window.h"
#include "brm-token-store.h"
#include "brm-window.h"

/* The application decides which service to show (command line, then
 * settings, then a local service of its own), owns the connection to it,
 * and stops the local service on quit. */

struct _BrmApplication
{
  AdwApplication    parent_instance;

  /* Command-line overrides, for this run only. */
  char             *server;
  char             *token_file;
  char             *api_base;

  GSettings        *settings;
  BrmTokenStore    *tokens;
  BrmLocalService  *local;
  BrmConnection    *connection;
  BrmNotifier      *notifier;
  GCancellable     *cancellable;
  guint             reconnect_id;
  gboolean          quit_confirmed;
  /* The new-batch window, kept hidden after it is closed (weak). */
  BrmNewBatchWindow *new_batch;
};

G_DEFINE_FINAL_TYPE (BrmApplication, brm_application, ADW_TYPE_APPLICATION)

static void connect_to_service (BrmApplication *self);

static BrmWindow *
main_window (BrmApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (BRM_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
set_status_message (BrmApplication *self,
                    const char     *message)
{
  BrmWindow *window = main_window (self);

  if (window != NULL)
    brm_window_set_status_message (window, message);
}

static int
brm_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  BrmApplication *self = BRM_APPLICATION (app);
  const char *value = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("batch-runner-monitor %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "server", "&s", &value))
    {
      g_autoptr(GUri) uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                          g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
        {
          g_printerr (_("--server needs an http:// or https:// address, not “%s”\n"), value);
          return 2;
        }
      g_free (self->server);
      self->server = g_strdup (value);
    }
  if (g_variant_dict_lookup (options, "token-file", "^&ay", &value))
    {
      g_free (self->token_file);
      self->token_file = g_strdup (value);
    }
  if (g_variant_dict_lookup (options, "api-base", "&s", &value))
    {
      g_free (self->api_base);
      self->api_base = g_strdup (value);
    }

  return -1;
}

static void
start_connection (BrmApplication *self,
                  const char     *url,
                  const char     *base_path,
                  const char     *token)
{
  BrmWindow *window = main_window (self);

  if (self->connection != NULL)
    brm_connection_stop (self->connection);
  g_clear_object (&self->notifier);
  g_clear_object (&self->connection);

  self->connection = brm_connection_new (url, base_path, token);
  self->notifier = brm_notifier_new (G_APPLICATION (self), brm_connection_get_store (self->connection), self->settings);
  brm_connection_start (self->connection);
  if (window != NULL)
    {
      brm_window_set_status_message (window, NULL);
      brm_window_set_connection (window, self->connection);
    }
}

static const char *
api_base (BrmApplication *self)
{
  g_autofree char *from_settings = NULL;

  if (self->api_base != NULL)
    return self->api_base;
  from_settings = g_settings_get_string (self->settings, "api-base-path");
  g_object_set_data_full (G_OBJECT (self), "api-base-from-settings", g_steal_pointer (&from_settings), g_free);
  return g_object_get_data (G_OBJECT (self), "api-base-from-settings");
}

static void
local_started_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(BrmApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!brm_local_service_start_finish (BRM_LOCAL_SERVICE (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* TRANSLATORS: %s is the reason */
      text = g_strdup_printf (_("Could not start the local service: %s"), error->message);
      g_warning ("%s", text);
      set_status_message (self, text);
      return;
    }

  start_connection (self, brm_local_service_get_url (self->local), "/api/v1",
                    brm_local_service_get_token (self->local));
}

static void
token_looked_up_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(BrmApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *server = g_settings_get_string (self->settings, "server-url");

  token = brm_token_store_lookup_finish (BRM_TOKEN_STORE (object), result, &error);
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("no stored token: %s", error->message);
    }
  start_connection (self, self->server ? self->server : server, api_base (self), token);
}

static char *
read_token_file (const char  *path,
                 GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  if (length > 4096 || !g_utf8_validate (contents, length, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("%s does not hold a token"), path);
      return NULL;
    }
  return g_strstrip (g_steal_pointer (&contents));
}

/* Command line first, then the settings, then a local service. */
static void
connect_to_service (BrmApplication *self)
{
  g_autofree char *server = g_settings_get_string (self->settings, "server-url");
  const char *url = self->server != NULL ? self->server : (*server != '\0' ? server : NULL);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (url == NULL)
    {
      if (self->local != NULL && brm_local_service_is_running (self->local))
        {
          start_connection (self, brm_local_service_get_url (self->local), "/api/v1",
                            brm_local_service_get_token (self->local));
          return;
        }
      if (self->local == NULL)
        self->local = brm_local_service_new (NULL, NULL);
      set_status_message (self, _("Starting the local service…"));
      brm_local_service_start_async (self->local, self->cancellable, local_started_cb, g_object_ref (self));
      return;
    }

  /* A service of our own is of no use once another one is shown. */
  if (self->local != NULL)
    brm_local_service_stop (self->local);

  if (self->token_file != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *token = read_token_file (self->token_file, &error);

      if (token == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Could not read the token: %s"), error->message);

          set_status_message (self, text);
          return;
        }
      start_connection (self, url, api_base (self), token);
      return;
    }

  set_status_message (self, _("Connecting…"));
  brm_token_store_lookup_async (self->tokens, url, self->cancellable, token_looked_up_cb, g_object_ref (self));
}

static gboolean
reconnect_idle (gpointer data)
{
  BrmApplication *self = data;

  self->reconnect_id = 0;
  connect_to_service (self);
  return G_SOURCE_REMOVE;
}

/* Preferences changed where to connect: follow, unless the command line
 * said otherwise for this run. */
static void
connection_settings_changed_cb (BrmApplication *self)
{
  if (self->server != NULL || self->reconnect_id != 0)
    return;
  self->reconnect_id = g_timeout_add (500, reconnect_idle, self);
}

static void
brm_application_activate (GApplication *app)
{
  BrmApplication *self = BRM_APPLICATION (app);
  BrmWindow *window = main_window (self);

  if (window == NULL)
    {
      window = brm_window_new (self);
      if (self->connection != NULL)
        brm_window_set_connection (window, self->connection);
    }

  gtk_window_present (GTK_WINDOW (window));

  if (self->connection == NULL && self->cancellable == NULL)
    connect_to_service (self);
}

static void
brm_application_startup (GApplication *app)
{
  BrmApplication *self = BRM_APPLICATION (app);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (brm_application_parent_class)->startup (app);

  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  self->settings = g_settings_new (APP_ID);
  self->tokens = brm_token_store_new ();
  g_signal_connect_object (self->settings, "changed::server-url", G_CALLBACK (connection_settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::api-base-path", G_CALLBACK (connection_settings_changed_cb), self, G_CONNECT_SWAPPED);
  brm_apply_color_scheme (self->settings);
}

static void
brm_application_shutdown (GApplication *app)
{
  BrmApplication *self = BRM_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  if (self->connection != NULL)
    brm_connection_stop (self->connection);
  if (self->local != NULL)
    brm_local_service_stop (self->local);

  G_APPLICATION_CLASS (brm_application_parent_class)->shutdown (app);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Batch Runner developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                       "transient-for", gtk_application_get_active_window (app),
                       "application-name", _("Batch Runner"),
                       "application-icon", APP_ID,
                       "developer-name", _("The Batch Runner developers"),
                       "version", PACKAGE_VERSION,
                       "developers", developers,
                       "license-type", GTK_LICENSE_GPL_3_0,
                       "comments", _("Watch and steer bulk lead-assessment batches"),
                       NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static gboolean
preferences_closed_cb (BrmApplication *self)
{
  g_autofree char *server = g_settings_get_string (self->settings, "server-url");

  if (self->server == NULL && self->token_file == NULL && *server != '\0' && self->reconnect_id == 0)
    self->reconnect_id = g_timeout_add (100, reconnect_idle, self);
  return FALSE;
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *param,
                    gpointer       user_data)
{
  BrmApplication *self = user_data;
  GtkWidget *prefs = brm_preferences_window_new (self->settings, self->tokens);

  gtk_window_set_transient_for (GTK_WINDOW (prefs), GTK_WINDOW (main_window (self)));
  /* A new token for the configured service takes effect when the
   * preferences are closed (the address and path do at once). */
  g_signal_connect_object (prefs, "close-request", G_CALLBACK (preferences_closed_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (prefs));
}

/* The keyboard shortcuts, built when asked for and destroyed on close
 * (GtkShortcutsWindow's hide-on-close is off unless GtkApplication sets
 * it). GtkApplication would build gtk/help-overlay.ui for every window at
 * start-up and keep it hidden for the whole run, and a hidden window must
 * not linger: see new_batch_action. */
static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  BrmApplication *self = user_data;
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_PREFIX "/brm-shortcuts-window.ui");
  /* A toplevel stays after its builder is gone, until destroyed. */
  GtkWindow *shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));

  gtk_window_set_transient_for (shortcuts, GTK_WINDOW (main_window (self)));
  gtk_window_present (shortcuts);
}

static void
batch_started_cb (BrmApplication *self,
                  BrBatch        *batch)
{
  BrmWindow *window = main_window (self);

  /* The feed brings the new batch within a frame or two; until then it is
   * put in the store from the server's answer so it can be selected now. */
  if (self->connection != NULL &&
      br_batch_store_lookup (brm_connection_get_store (self->connection), br_batch_get_id (batch)) == NULL)
    br_batch_store_upsert (brm_connection_get_store (self->connection), batch);
  if (window != NULL)
    brm_window_show_batch (window, br_batch_get_id (batch));
}

/* Destroyed windows may live on while something holds a reference: the
 * next Ctrl+N must not bring a destroyed one forward. */
static void
new_batch_destroyed_cb (BrmApplication *self,
                        GtkWidget      *dialog)
{
  if ((GtkWidget *) self->new_batch == dialog)
    g_clear_weak_pointer (&self->new_batch);
}

/* One new-batch window: Ctrl+N again brings it forward. A window for a
 * previous connection is dropped.
 *
 * Closing destroys it: it is not kept hidden for the next Ctrl+N (which
 * saved building its widgets and rows again). GTK 4.8 unrealizes a hidden
 * window's AT-SPI context, so the window has no object path, yet it stays
 * in gtk_window_get_toplevels(); the AT-SPI root's GetChildAtIndex
 * (gtk/a11y/gtkatspiroot.c), asked for an index past the visible windows
 * (a screen reader that read ChildCount just before the window went),
 * falls through to the last toplevel and builds its reference with a NULL
 * path: a GLib-CRITICAL in g_variant_is_object_path (), which kills the
 * monitor under G_DEBUG=fatal-criticals. With no hidden toplevel (see
 * also shortcuts_action) the last one is always a shown window. */
static void
new_batch_action (GSimpleAction *action,
                  GVariant      *param,
                  gpointer       user_data)
{
  BrmApplication *self = user_data;
  BrmWindow *window = main_window (self);

  if (self->connection == NULL)
    return;

  if (self->new_batch != NULL && brm_new_batch_window_get_connection (self->new_batch) != self->connection)
    {
      gtk_window_destroy (GTK_WINDOW (self->new_batch));
      g_clear_weak_pointer (&self->new_batch);
    }

  if (self->new_batch == NULL)
    {
      BrmNewBatchWindow *dialog = brm_new_batch_window_new (GTK_WINDOW (window), self->connection);

      g_signal_connect_object (dialog, "batch-started", G_CALLBACK (batch_started_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (dialog, "destroy", G_CALLBACK (new_batch_destroyed_cb), self, G_CONNECT_SWAPPED);
      g_set_weak_pointer (&self->new_batch, dialog);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  brm_new_batch_window_reopen (self->new_batch);
}

static void
show_batch_action (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  BrmApplication *self = user_data;
  BrmWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = main_window (self);
  if (window != NULL)
    brm_window_show_batch (window, g_variant_get_string (param, NULL));
}

static void
quit_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  BrmApplication   *self)
{
  if (g_strcmp0 (response, "quit") != 0)
    return;
  self->quit_confirmed = TRUE;
  g_application_quit (G_APPLICATION (self));
}

/* Quitting stops the local service this monitor started; if batches are
 * running there, that stops their work too, so ask first. Returns TRUE if
 * quitting may go on now. */
static gboolean
may_quit (BrmApplication *self)
{
  BrmWindow *window = main_window (self);
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;
  guint running;

  if (self->quit_confirmed || self->local == NULL || !brm_local_service_is_running (self->local) ||
      self->connection == NULL || window == NULL)
    return TRUE;

  running = br_batch_store_get_n_running (brm_connection_get_store (self->connection));
  if (running == 0)
    return TRUE;

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u batch is running on the local service this monitor started. Quitting stops "
                                       "the service: leads in progress finish, the others wait until the monitor starts again.",
                                       "%u batches are running on the local service this monitor started. Quitting stops "
                                       "the service: leads in progress finish, the others wait until the monitor starts again.",
                                       running),
                          running);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (window), _("Stop the Local Service?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Keep Running"), "quit", _("_Stop and Quit"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "quit", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (quit_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return FALSE;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  BrmApplication *self = user_data;

  if (may_quit (self))
    g_application_quit (G_APPLICATION (self));
}

static gboolean
window_close_request_cb (GtkWindow      *window,
                         BrmApplication *self)
{
  return !may_quit (self);
}

static void
brm_application_window_added (GtkApplication *app,
                              GtkWindow      *window)
{
  GTK_APPLICATION_CLASS (brm_application_parent_class)->window_added (app, window);

  if (BRM_IS_WINDOW (window))
    g_signal_connect_object (window, "close-request", G_CALLBACK (window_close_request_cb), app, 0);
}

static void
brm_application_finalize (GObject *object)
{
  BrmApplication *self = BRM_APPLICATION (object);

  g_clear_weak_pointer (&self->new_batch);
  g_clear_object (&self->notifier);
  g_clear_object (&self->connection);
  g_clear_object (&self->local);
  g_clear_object (&self->tokens);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->server, g_free);
  g_clear_pointer (&self->token_file, g_free);
  g_clear_pointer (&self->api_base, g_free);

  G_OBJECT_CLASS (brm_application_parent_class)->finalize (object);
}

static void
brm_application_class_init (BrmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_app_class = GTK_APPLICATION_CLASS (klass);

  object_class->finalize = brm_application_finalize;
  app_class->activate = brm_application_activate;
  app_class->startup = brm_application_startup;
  app_class->shutdown = brm_application_shutdown;
  app_class->handle_local_options = brm_application_handle_local_options;
  gtk_app_class->window_added = brm_application_window_added;
}

static void
brm_application_init (BrmApplication *self)
{
  static const GActionEntry actions[] = {
    { "about", about_action },
    { "preferences", preferences_action },
    { "shortcuts", shortcuts_action },
    { "new-batch", new_batch_action },
    { "show-batch", show_batch_action, "s" },
    { "quit", quit_action },
  };
  static const GOptionEntry options[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, NULL, N_("Batch Runner service to connect to, for this run"), N_("URL") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_("Read the API token from FILE, for this run"), N_("FILE") },
    { "api-base", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Path of the API on the service (default /api/v1; /api for the FastAPI service)"), N_("PATH") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), actions, G_N_ELEMENTS (actions), self);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

BrmApplication *
brm_application_new (void)
{
  BrmApplication *self = g_object_new (BRM_TYPE_APPLICATION,
                                       "application-id", APP_ID,
                                       "flags", G_APPLICATION_NON_UNIQUE,
                                       "resource-base-path", RESOURCE_PREFIX,
                                       NULL);
  static const struct
  {
    const char *action;
    const char *accels[2];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.new-batch", { "<Control>n", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.shortcuts", { "<Control>question", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);
  return self;
}

/**
 * brm_application_get_server:
 *
 * Returns: (nullable): the server given with --server, if any
 */
const char *
brm_application_get_server (BrmApplication *self)
{
  g_return_val_if_fail (BRM_IS_APPLICATION (self), NULL);

  return self->server;
}

/**
 * brm_application_get_connection:
 *
 * Returns: (nullable) (transfer none): the service shown, once connected
 */
BrmConnection *
brm_application_get_connection (BrmApplication *self)
{
  g_return_val_if_fail (BRM_IS_APPLICATION (self), NULL);

  return self->connection;
}
