/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-window"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "brm-window.h"

#define DEFAULT_SERVER "http://127.0.0.1:8600"

struct _BrmWindow
{
  AdwApplicationWindow  parent_instance;

  GtkButton            *check_button;
  GtkImage             *status_icon;
  GtkLabel             *status_label;

  SoupSession          *session;
  GCancellable         *cancellable;
  char                 *server;
};

G_DEFINE_FINAL_TYPE (BrmWindow, brm_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SERVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_status (BrmWindow  *self,
            gboolean    ok,
            const char *text)
{
  gtk_label_set_label (self->status_label, text);
  gtk_image_set_from_icon_name (self->status_icon,
                                ok ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), ok ? "status-error" : "status-healthy");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), ok ? "status-healthy" : "status-error");
}

static void
health_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BrmWindow) self = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  SoupMessage *msg;
  JsonObject *obj;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.check-service", TRUE);

  if (body == NULL)
    {
      text = g_strdup_printf (_("Service unreachable: %s"), error->message);
      set_status (self, FALSE, text);
      return;
    }

  msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      text = g_strdup_printf (_("Service unreachable: HTTP %u %s"),
                              soup_message_get_status (msg),
                              soup_message_get_reason_phrase (msg));
      set_status (self, FALSE, text);
      return;
    }

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      set_status (self, FALSE, _("Service unreachable: the answer is not a health report"));
      return;
    }

  obj = json_node_get_object (json_parser_get_root (parser));
  /* TRANSLATORS: the first %s is a program name, the second its version */
  text = g_strdup_printf (_("Service healthy — %s %s"), "batch-runnerd",
                          json_object_get_string_member_with_default (obj, "version", _("unknown version")));
  set_status (self, TRUE, text);
}

static void
check_service_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  BrmWindow *self = BRM_WINDOW (widget);
  const char *server = self->server;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  url = g_strconcat (server ? server : DEFAULT_SERVER, "/api/v1/health", NULL);
  msg = soup_message_new ("GET", url);
  if (msg == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Service unreachable: “%s” is not a valid address"), url);
      set_status (self, FALSE, text);
      return;
    }

  gtk_label_set_label (self->status_label, _("Checking…"));
  gtk_widget_action_set_enabled (widget, "win.check-service", FALSE);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                    health_cb, g_object_ref (self));
}

static void
brm_window_dispose (GObject *object)
{
  BrmWindow *self = BRM_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), BRM_TYPE_WINDOW);

  G_OBJECT_CLASS (brm_window_parent_class)->dispose (object);
}

static void
brm_window_finalize (GObject *object)
{
  BrmWindow *self = BRM_WINDOW (object);

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->server, g_free);

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
    case PROP_SERVER:
      g_value_set_string (value, self->server);
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
    case PROP_SERVER:
      g_free (self->server);
      self->server = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_window_class_init (BrmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = brm_window_dispose;
  object_class->finalize = brm_window_finalize;
  object_class->get_property = brm_window_get_property;
  object_class->set_property = brm_window_set_property;

  properties[PROP_SERVER] =
    g_param_spec_string ("server", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/brm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, check_button);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, BrmWindow, status_label);

  gtk_widget_class_install_action (widget_class, "win.check-service", NULL, check_service_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.check-service", NULL);
}

static void
brm_window_init (BrmWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->session = soup_session_new_with_options ("timeout", 10, NULL);
  self->cancellable = g_cancellable_new ();
}

BrmWindow *
brm_window_new (BrmApplication *application)
{
  return g_object_new (BRM_TYPE_WINDOW,
                       "application", application,
                       "server", brm_application_get_server (application),
                       NULL);
}

const char *
brm_window_get_status_text (BrmWindow *self)
{
  g_return_val_if_fail (BRM_IS_WINDOW (self), NULL);

  return gtk_label_get_label (self->status_label);
}
