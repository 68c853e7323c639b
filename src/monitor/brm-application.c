/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-application"

#include "config.h"

#include <glib/gi18n.h>

#include "brm-application.h"
#include "brm-window.h"

struct _BrmApplication
{
  AdwApplication parent_instance;

  char *server;
};

G_DEFINE_FINAL_TYPE (BrmApplication, brm_application, ADW_TYPE_APPLICATION)

static int
brm_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  BrmApplication *self = BRM_APPLICATION (app);
  const char *server = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("batch-runner-monitor %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "server", "&s", &server))
    {
      g_free (self->server);
      self->server = g_strdup (server);
    }

  return -1;
}

static void
brm_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (brm_window_new (BRM_APPLICATION (app)));

  gtk_window_present (window);
}

static void
brm_application_startup (GApplication *app)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (brm_application_parent_class)->startup (app);

  gtk_css_provider_load_from_resource (css, RESOURCE_PREFIX "/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
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

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
brm_application_finalize (GObject *object)
{
  BrmApplication *self = BRM_APPLICATION (object);

  g_clear_pointer (&self->server, g_free);

  G_OBJECT_CLASS (brm_application_parent_class)->finalize (object);
}

static void
brm_application_class_init (BrmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = brm_application_finalize;
  app_class->activate = brm_application_activate;
  app_class->startup = brm_application_startup;
  app_class->handle_local_options = brm_application_handle_local_options;
}

static void
brm_application_init (BrmApplication *self)
{
  static const GActionEntry actions[] = {
    { "about", about_action },
    { "quit", quit_action },
  };
  static const GOptionEntry options[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Batch Runner service to connect to"), N_("URL") },
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
  const char *accels_quit[] = { "<Control>q", NULL };

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", accels_quit);
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
