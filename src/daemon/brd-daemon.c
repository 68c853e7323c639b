/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-daemon"

#include "config.h"

#include <string.h>

#include "brd-api.h"
#include "brd-daemon.h"

struct _BrdDaemon
{
  GObject     parent_instance;

  BrdConfig  *config;
  SoupServer *server;
  BrdApi     *api;
  char       *url;
  gint64      started_at;
};

G_DEFINE_FINAL_TYPE (BrdDaemon, brd_daemon, G_TYPE_OBJECT)

static void
brd_daemon_finalize (GObject *object)
{
  BrdDaemon *self = BRD_DAEMON (object);

  g_clear_pointer (&self->api, brd_api_free);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->url, g_free);

  G_OBJECT_CLASS (brd_daemon_parent_class)->finalize (object);
}

static void
brd_daemon_class_init (BrdDaemonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = brd_daemon_finalize;
}

static void
brd_daemon_init (BrdDaemon *self)
{
}

/**
 * brd_daemon_new:
 * @config: (transfer none): validated configuration; must outlive the daemon
 */
BrdDaemon *
brd_daemon_new (BrdConfig *config)
{
  BrdDaemon *self = g_object_new (BRD_TYPE_DAEMON, NULL);

  self->config = config;
  return self;
}

gboolean
brd_daemon_start (BrdDaemon  *self,
                  GError    **error)
{
  g_autofree char *host = NULL;
  g_autoptr(GInetAddress) addr = NULL;
  g_autoptr(GSocketAddress) sockaddr = NULL;
  g_autoslist(GUri) uris = NULL;
  guint16 port;

  g_return_val_if_fail (BRD_IS_DAEMON (self), FALSE);

  if (!brd_config_split_listen (self->config->listen, &host, &port, error))
    return FALSE;

  if (g_str_equal (host, "localhost"))
    {
      g_free (host);
      host = g_strdup ("127.0.0.1");
    }

  addr = g_inet_address_new_from_string (host);
  if (addr == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot listen on \"%s\": not an IP address", host);
      return FALSE;
    }

  self->server = soup_server_new ("server-header", "batch-runnerd/" PACKAGE_VERSION " ", NULL);
  self->api = brd_api_new (self->config, self->server, error);
  if (self->api == NULL)
    return FALSE;

  sockaddr = g_inet_socket_address_new (addr, port);
  if (!soup_server_listen (self->server, sockaddr, 0, error))
    return FALSE;

  uris = soup_server_get_uris (self->server);
  if (uris == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The server has no listening address");
      return FALSE;
    }

  self->url = g_uri_to_string_partial (uris->data, G_URI_HIDE_PASSWORD);
  if (g_str_has_suffix (self->url, "/"))
    self->url[strlen (self->url) - 1] = '\0';
  brd_api_set_base_url (self->api, self->url);

  return TRUE;
}

const char *
brd_daemon_get_url (BrdDaemon *self)
{
  g_return_val_if_fail (BRD_IS_DAEMON (self), NULL);

  return self->url;
}

static void
stop_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!brd_api_shutdown_finish ((BrdApi *) g_task_get_task_data (task), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Graceful stop: no new lead starts; in-flight leads finish or, past the
 * bounded wait, go back to pending so that the next start picks them up. */
void
brd_daemon_stop_async (BrdDaemon           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, brd_daemon_stop_async);

  if (self->api == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_task_set_task_data (task, self->api, NULL);
  brd_api_shutdown_async (self->api, cancellable, stop_cb, g_steal_pointer (&task));
}

gboolean
brd_daemon_stop_finish (BrdDaemon     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
