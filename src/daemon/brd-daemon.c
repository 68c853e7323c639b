/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-daemon"

#include "config.h"

#include <string.h>

#include "brd-api.h"
#include "brd-daemon.h"
#include "brd-engine.h"
#include "brd-events.h"
#include "brd-import.h"
#include "brd-pricing.h"
#include "brd-processor.h"
#include "brd-store.h"

struct _BrdDaemon
{
  GObject       parent_instance;

  BrdConfig    *config;
  BrdStore     *store;
  BrdPricing   *pricing;
  BrdProcessor *processor;
  BrdEvents    *events;
  BrdEngine    *engine;
  SoupServer   *server;
  BrdApi       *api;
  char         *url;
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
  g_clear_pointer (&self->engine, brd_engine_free);
  g_clear_pointer (&self->events, brd_events_free);
  g_clear_pointer (&self->processor, brd_processor_free);
  g_clear_pointer (&self->pricing, brd_pricing_free);
  g_clear_pointer (&self->store, brd_store_free);
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

char *
brd_database_path (const char  *url,
                   GError     **error)
{
  if (url == NULL || !g_str_has_prefix (url, "sqlite://") || url[strlen ("sqlite://")] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unsupported database URL \"%s\": expected sqlite:///path/to/file.db", url ? url : "");
      return NULL;
    }
  return g_strdup (url + strlen ("sqlite://"));
}

static BrdProcessorKind
processor_kind (const char *name)
{
  if (g_str_equal (name, "noop"))
    return BRD_PROCESSOR_NOOP;
  if (g_str_equal (name, "exec"))
    return BRD_PROCESSOR_EXEC;
  return BRD_PROCESSOR_REPORT;
}

static JsonNode *
health_func (gpointer user_data)
{
  BrdDaemon *self = user_data;

  return brd_api_health (self->api);
}

gboolean
brd_daemon_start (BrdDaemon  *self,
                  GError    **error)
{
  g_autofree char *host = NULL;
  g_autofree char *db_path = NULL;
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

  if (!(db_path = brd_database_path (self->config->database, error)) ||
      !(self->store = brd_store_open (db_path, error)) ||
      !(self->pricing = brd_pricing_new (self->config->rate_card, error)) ||
      !(self->processor = brd_processor_new (processor_kind (self->config->processor),
                                             self->config->reports_dir,
                                             self->config->exec_command,
                                             self->config->exec_timeout, error)))
    return FALSE;

  self->events = brd_events_new (self->store, self->config->progress_interval_ms,
                                 self->config->replay_capacity, self->config->health_interval_ms);
  self->engine = brd_engine_new (self->config, self->store, self->events, self->pricing, self->processor);

  self->server = soup_server_new ("server-header", "batch-runnerd/" PACKAGE_VERSION " ", NULL);
  self->api = brd_api_new (self->config, self->server, self->store, self->engine, self->events, self->pricing);
  brd_events_set_health_func (self->events, health_func, self);

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

  g_message ("Serving %s on %s with the %s processor, %d workers (database %s, schema v%d)",
             PACKAGE_VERSION, self->url, self->config->processor, self->config->workers, db_path,
             brd_store_get_schema_version (self->store));

  brd_engine_start (self->engine);
  return TRUE;
}

const char *
brd_daemon_get_url (BrdDaemon *self)
{
  g_return_val_if_fail (BRD_IS_DAEMON (self), NULL);

  return self->url;
}

#define CLOSE_WAIT_MS 1000

typedef struct
{
  GTask  *task;
  gint64  deadline;
  guint   source;
  gboolean dropped;
} Closing;

/* After the engine: tell WebSocket clients we are going and give them a
 * moment to answer the close handshake, then cut the stragglers. */
static gboolean
closing_cb (gpointer data)
{
  Closing *c = data;
  BrdDaemon *self = g_task_get_source_object (c->task);

  if (brd_events_get_n_clients (self->events) > 0 && g_get_monotonic_time () < c->deadline)
    return G_SOURCE_CONTINUE;

  if (brd_events_get_n_clients (self->events) > 0 && !c->dropped)
    {
      c->dropped = TRUE;
      c->deadline = g_get_monotonic_time () + CLOSE_WAIT_MS * 1000;
      brd_events_drop_all (self->events);
      return G_SOURCE_CONTINUE;
    }

  soup_server_disconnect (self->server);
  g_task_return_boolean (c->task, TRUE);
  g_object_unref (c->task);
  g_free (c);
  return G_SOURCE_REMOVE;
}

static void
engine_stopped_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  BrdDaemon *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  Closing *c;

  if (!brd_engine_shutdown_finish (self->engine, result, &error))
    g_warning ("Stopping the engine: %s", error->message);
  brd_events_flush (self->events);
  brd_events_close_all (self->events);

  c = g_new0 (Closing, 1);
  c->task = task;
  c->deadline = g_get_monotonic_time () + CLOSE_WAIT_MS * 1000;
  g_timeout_add (20, closing_cb, c);
}

/* Graceful stop: no new lead starts; in-flight leads get the grace period
 * to finish, then are stopped and stay pending for the next start. */
void
brd_daemon_stop_async (BrdDaemon           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, brd_daemon_stop_async);

  if (self->engine == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  brd_engine_shutdown_async (self->engine, self->config->shutdown_grace_ms, engine_stopped_cb,
                             g_steal_pointer (&task));
}

gboolean
brd_daemon_stop_finish (BrdDaemon     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* `batch-runnerd import-leads FILE`, or with @path %NULL
 * `import-leads --sample` (the built-in sample leads): returns the exit
 * status. */
int
brd_import_leads_main (BrdConfig  *config,
                       const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BrdImportResult) result = NULL;
  g_autofree char *db_path = NULL;
  BrdStore *store;
  guint n = 0;

  if (path == NULL)
    {
      path = BRD_IMPORT_SAMPLE_NAME;
      result = brd_import_parse_sample (&error);
    }
  else
    result = brd_import_parse_file (path, &error);
  if (result == NULL)
    {
      g_printerr ("batch-runnerd: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < result->rejected->len; i++)
    {
      const BrdImportRejection *r = g_ptr_array_index (result->rejected, i);
      g_printerr ("%s: row %u rejected: %s\n", path, r->index + 1, r->detail);
    }

  if (!(db_path = brd_database_path (config->database, &error)) ||
      !(store = brd_store_open (db_path, &error)))
    {
      g_printerr ("batch-runnerd: %s\n", error->message);
      return 1;
    }

  if (!brd_store_upsert_leads (store, result->leads, &n, &error) ||
      !brd_store_audit (store, "cli", "admin", "import-leads", NULL, path, &error))
    {
      g_printerr ("batch-runnerd: %s\n", error->message);
      brd_store_free (store);
      return 1;
    }

  g_print ("Imported %u leads from %s; %u rejected\n", n, path, result->rejected->len);
  brd_store_free (store);
  return result->leads->len == 0 && result->rejected->len > 0 ? 1 : 0;
}
