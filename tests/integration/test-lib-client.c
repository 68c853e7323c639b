/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "batchrunner.h"
#include "brt-daemon.h"

/* Waiting for async results ------------------------------------------------------ */

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

/* Iterates the main context until the call storing into @slot is done. */
static GAsyncResult *
await (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* A few blocking wrappers for the calls the tests make over and over. */

static BrHealth *
get_health (BrClient  *client,
            GError   **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  br_client_get_health_async (client, NULL, store_result, &res);
  return br_client_get_health_finish (client, await (&res), error);
}

static BrBatch *
get_batch (BrClient   *client,
           const char *id,
           GError    **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  br_client_get_batch_async (client, id, NULL, store_result, &res);
  return br_client_get_batch_finish (client, await (&res), error);
}

static GPtrArray *
import_leads (BrClient   *client,
              guint       n,
              const char *tag,
              const char *fail_tag)
{
  g_autoptr(JsonArray) leads = json_array_new ();
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  guint imported = 0;
  gint64 total = 0;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *lead = json_object_new ();
      g_autofree char *name = g_strdup_printf ("%s Co %u%s", tag, i, fail_tag && i % 2 ? fail_tag : "");
      g_autofree char *domain = g_strdup_printf ("%s-%u.example", tag, i);

      json_object_set_string_member (lead, "company_name", name);
      json_object_set_string_member (lead, "domain", domain);
      json_object_set_string_member (lead, "enrichment_status", "completed");
      json_array_add_object_element (leads, lead);
    }

  br_client_import_leads_async (client, leads, NULL, store_result, &res);
  g_assert_true (br_client_import_leads_finish (client, await (&res), &imported, &rejected, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imported, ==, n);
  g_assert_cmpuint (rejected->len, ==, 0);
  g_clear_object (&res);

  br_client_list_leads_async (client, tag, NULL, NULL, BR_ENRICHMENT_STATUS_UNKNOWN, 0, 1000, NULL,
                              store_result, &res);
  listed = br_client_list_leads_finish (client, await (&res), &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, n);
  g_assert_cmpint (total, ==, n);
  for (guint i = 0; i < listed->len; i++)
    g_ptr_array_add (ids, g_strdup (br_lead_get_id (listed->pdata[i])));
  g_ptr_array_add (ids, NULL);
  return ids;
}

static BrPreview *
preview (BrClient   *client,
         GPtrArray  *ids)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  BrPreview *p;

  br_client_preview_async (client, (const char * const *) ids->pdata, "v1", 0, NULL, store_result, &res);
  p = br_client_preview_finish (client, await (&res), &error);
  g_assert_no_error (error);
  return p;
}

static BrBatch *
start_batch (BrClient   *client,
             GPtrArray  *ids,
             const char *name,
             guint       max_concurrent,
             gboolean    retry_failed)
{
  g_autoptr(BrPreview) p = preview (client, ids);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  BrStartRequest request = BR_START_REQUEST_INIT;
  BrBatch *batch;

  request.lead_ids = (const char * const *) ids->pdata;
  request.name = name;
  request.template_version = "v1";
  request.estimated_cost_usd = br_preview_get_estimated_cost_usd (p);
  request.cost_approved = TRUE;
  request.max_concurrent = max_concurrent;
  request.retry_failed = retry_failed;
  if (!retry_failed)
    request.retry_count = 0;

  br_client_start_batch_async (client, &request, NULL, store_result, &res);
  batch = br_client_start_batch_finish (client, await (&res), &error);
  g_assert_no_error (error);
  return batch;
}

static BrBatch *
wait_terminal (BrClient   *client,
               const char *id)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BrBatch) batch = get_batch (client, id, &error);

      g_assert_no_error (error);
      if (br_batch_is_terminal (batch))
        return g_steal_pointer (&batch);
      spin (50);
    }
  g_assert_not_reached ();
  return NULL;
}

/* Stand-in servers ------------------------------------------------------------------- */

/* A TCP server on 127.0.0.1 that reads a request and then does one of
 * these things, to see the client handle servers that misbehave. */
typedef enum
{
  RAW_SILENT,         /* never answers */
  RAW_NOT_JSON,       /* 200 with a body that is not JSON */
  RAW_NOT_HTTP,       /* not HTTP at all */
  RAW_HUGE,           /* announces a body over the client's limit */
  RAW_TLS,            /* speaks TLS with a self-signed certificate */
} RawMode;

typedef struct
{
  GSocketService  *service;
  GCancellable    *cancellable;
  GTlsCertificate *certificate;
  RawMode          mode;
  char            *url;
  guint            n_open;
  guint            n_accepted;
} RawServer;

typedef struct
{
  RawServer *server;
  GIOStream *stream;
  GString   *request;
  char       buffer[4096];
} RawConn;

static void
raw_conn_done (RawConn *conn)
{
  conn->server->n_open--;
  g_io_stream_close (conn->stream, NULL, NULL);
  g_object_unref (conn->stream);
  g_string_free (conn->request, TRUE);
  g_free (conn);
}

static void raw_read (RawConn *conn);

static void
raw_answer (RawConn *conn)
{
  static const char not_json[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\nnot json";
  static const char not_http[] = "SSH-2.0-OpenSSH_9.2\r\nwhat is this\r\n\r\n";
  static const char huge[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\n\r\n[";
  GOutputStream *out = g_io_stream_get_output_stream (conn->stream);
  const char *text = NULL;

  switch (conn->server->mode)
    {
    case RAW_NOT_JSON:
      text = not_json;
      break;
    case RAW_NOT_HTTP:
      text = not_http;
      break;
    case RAW_HUGE:
      text = huge;
      break;
    case RAW_SILENT:
    case RAW_TLS:
    default:
      return;
    }

  g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
  g_output_stream_flush (out, NULL, NULL);
  /* The huge answer stays open: the client must not wait for the body. */
  if (conn->server->mode != RAW_HUGE)
    g_io_stream_close (conn->stream, NULL, NULL);
}

static void
raw_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  RawConn *conn = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0 || g_io_stream_is_closed (conn->stream))
    {
      raw_conn_done (conn);
      return;
    }

  g_string_append_len (conn->request, conn->buffer, n);
  if (strstr (conn->request->str, "\r\n\r\n") != NULL)
    {
      raw_answer (conn);
      g_string_truncate (conn->request, 0);
      g_string_append (conn->request, "answered");
    }
  if (g_io_stream_is_closed (conn->stream))
    {
      raw_conn_done (conn);
      return;
    }
  raw_read (conn);
}

static void
raw_read (RawConn *conn)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (conn->stream), conn->buffer, sizeof conn->buffer,
                             G_PRIORITY_DEFAULT, conn->server->cancellable, raw_read_cb, conn);
}

static void
raw_handshake_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RawConn *conn = user_data;

  /* The client refuses the certificate: the handshake fails here too. */
  g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), result, NULL);
  raw_conn_done (conn);
}

static gboolean
raw_incoming (GSocketService    *service,
              GSocketConnection *connection,
              GObject           *source,
              gpointer           user_data)
{
  RawServer *server = user_data;
  RawConn *conn = g_new0 (RawConn, 1);

  conn->server = server;
  conn->request = g_string_new (NULL);
  server->n_open++;
  server->n_accepted++;

  if (server->mode == RAW_TLS)
    {
      g_autoptr(GError) error = NULL;

      conn->stream = g_tls_server_connection_new (G_IO_STREAM (connection), server->certificate, &error);
      g_assert_no_error (error);
      g_tls_connection_handshake_async (G_TLS_CONNECTION (conn->stream), G_PRIORITY_DEFAULT,
                                        server->cancellable, raw_handshake_cb, conn);
      return TRUE;
    }

  conn->stream = G_IO_STREAM (g_object_ref (connection));
  raw_read (conn);
  return TRUE;
}

static guint16
listen_loopback (GSocketListener *listener)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
}

static RawServer *
raw_server_new (RawMode          mode,
                GTlsCertificate *certificate)
{
  RawServer *server = g_new0 (RawServer, 1);
  guint16 port;

  server->mode = mode;
  server->cancellable = g_cancellable_new ();
  server->certificate = certificate ? g_object_ref (certificate) : NULL;
  server->service = g_socket_service_new ();
  port = listen_loopback (G_SOCKET_LISTENER (server->service));
  server->url = g_strdup_printf ("%s://127.0.0.1:%u", mode == RAW_TLS ? "https" : "http", port);
  g_signal_connect (server->service, "incoming", G_CALLBACK (raw_incoming), server);
  g_socket_service_start (server->service);
  return server;
}

static void
raw_server_free (RawServer *server)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_cancellable_cancel (server->cancellable);
  while (server->n_open > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (server->n_open, ==, 0);

  g_clear_object (&server->service);
  g_clear_object (&server->cancellable);
  g_clear_object (&server->certificate);
  g_free (server->url);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawServer, raw_server_free)

/* A stand-in for a third-party server shaped like the FastAPI service:
 * routes under /api, naive timestamps, no `capabilities`, FastAPI's
 * validation errors. It counts the requests it gets. */
typedef struct
{
  SoupServer *server;
  GHashTable *hits;        /* "METHOD path" → count */
  char       *url;
  gboolean    unhealthy;
} FakeApi;

static void
fake_reply (SoupServerMessage *msg,
            guint              status,
            const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
fake_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  FakeApi *api = user_data;
  g_autofree char *key = g_strconcat (soup_server_message_get_method (msg), " ", path, NULL);

  g_hash_table_insert (api->hits, g_strdup (key),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (api->hits, key)) + 1));

  if (g_str_equal (path, "/api/health") && api->unhealthy)
    fake_reply (msg, 503, "{\"status\":\"unhealthy\",\"timestamp\":\"2026-11-23T09:15:02\","
                          "\"database\":\"error\",\"message\":\"The database does not answer\"}");
  else if (g_str_equal (path, "/api/health"))
    fake_reply (msg, 200, "{\"status\":\"healthy\",\"timestamp\":\"2026-11-23T09:15:02.123456\","
                          "\"database\":\"connected\",\"message\":\"Batch processing service is running\"}");
  else if (g_str_equal (path, "/api/batch"))
    fake_reply (msg, 200, "{\"batches\":[{\"id\":\"b-1\",\"name\":\"Old\",\"description\":null,\"status\":\"running\","
                          "\"total_leads\":10,\"processed_leads\":4,\"successful_leads\":4,\"failed_leads\":0,"
                          "\"progress_percentage\":40.0,\"estimated_cost_usd\":5.0,\"actual_cost_usd\":2.0,"
                          "\"template_version\":\"v1\",\"websocket_url\":\"/api/batch/b-1/progress\","
                          "\"created_at\":\"2026-11-23T09:00:00.5\",\"started_at\":\"2026-11-23T09:00:01\","
                          "\"completed_at\":null,\"created_by\":\"bob\",\"error_message\":null}],"
                          "\"total_count\":1,\"page_info\":{\"current_page\":1,\"total_pages\":1,\"page_size\":50,"
                          "\"has_next\":false,\"has_previous\":false}}");
  else if (g_str_equal (path, "/api/batch/b-1/cancel"))
    fake_reply (msg, 200, "{\"message\":\"Batch b-1 cancelled\"}");
  else if (g_str_equal (path, "/api/batch/preview"))
    fake_reply (msg, 422, "{\"detail\":[{\"loc\":[\"body\",\"lead_ids\",0],\"msg\":\"value is not a valid uuid\","
                          "\"type\":\"type_error.uuid\"},{\"loc\":[\"body\",\"template_version\"],"
                          "\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}");
  else if (g_str_equal (path, "/api/batch/silent-404"))
    fake_reply (msg, 404, NULL);
  else
    fake_reply (msg, 404, "{\"detail\":\"Not Found\"}");
}

static FakeApi *
fake_api_new (void)
{
  FakeApi *api = g_new0 (FakeApi, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  api->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  api->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (api->server, NULL, fake_handler, api, NULL);
  soup_server_listen_local (api->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (api->server);
  api->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return api;
}

static guint
fake_api_total_hits (FakeApi *api)
{
  GHashTableIter iter;
  gpointer value;
  guint total = 0;

  g_hash_table_iter_init (&iter, api->hits);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    total += GPOINTER_TO_UINT (value);
  return total;
}

static void
fake_api_free (FakeApi *api)
{
  /* Let the server see the client's connections close first. */
  spin (100);
  soup_server_disconnect (api->server);
  g_clear_object (&api->server);
  g_hash_table_unref (api->hits);
  g_free (api->url);
  g_free (api);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeApi, fake_api_free)

/* Tests against batch-runnerd ---------------------------------------------------------- */

static void
test_urls (void)
{
  g_autoptr(BrClient) client = br_client_new ("http://127.0.0.1:8600/");
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *url = NULL;
  g_autofree char *ws = NULL;
  g_autofree char *wss = NULL;
  g_autofree char *fastapi = NULL;

  g_assert_cmpstr (br_client_get_base_url (client), ==, "http://127.0.0.1:8600");
  g_assert_cmpstr (br_client_get_base_path (client), ==, "/api/v1");
  g_assert_cmpuint (br_client_get_timeout (client), ==, 15);
  g_assert_null (br_client_get_token (client));
  g_assert_nonnull (br_client_get_session (client));

  url = br_client_build_url (client, "/batch");
  g_assert_cmpstr (url, ==, "http://127.0.0.1:8600/api/v1/batch");
  ws = br_client_build_ws_url (client, "/events");
  g_assert_cmpstr (ws, ==, "ws://127.0.0.1:8600/api/v1/events");

  br_client_set_base_url (client, "https://runner.example");
  wss = br_client_build_ws_url (client, "/events");
  g_assert_cmpstr (wss, ==, "wss://runner.example/api/v1/events");

  br_client_set_base_path (client, "api/");
  fastapi = br_client_build_url (client, "/health");
  g_assert_cmpstr (fastapi, ==, "https://runner.example/api/health");

  /* A request carries the token and the query. */
  msg = br_client_new_request (client, "GET", "/batch", "status=running&limit=5");
  g_assert_nonnull (msg);
  g_assert_null (soup_message_headers_get_one (soup_message_get_request_headers (msg), "Authorization"));
  g_clear_object (&msg);
  br_client_set_token (client, "s3cret");
  msg = br_client_new_request (client, "GET", "/batch", "status=running&limit=5");
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_request_headers (msg), "Authorization"), ==,
                   "Bearer s3cret");
  g_assert_cmpstr (g_uri_get_query (soup_message_get_uri (msg)), ==, "status=running&limit=5");

  br_client_set_base_url (client, "not a url");
  g_assert_null (br_client_new_request (client, "GET", "/batch", NULL));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_health_and_capabilities (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(BrClient) client = br_client_new (brt_daemon_get_url (daemon));
  g_autoptr(BrHealth) health = NULL;
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  g_signal_connect (client, "notify::last-health", G_CALLBACK (count_notify), &notified);

  /* Before the health is known, nothing is claimed. */
  g_assert_false (br_client_has_capability (client, "pause"));
  g_assert_null (br_client_get_last_health (client));

  health = get_health (client, &error);
  g_assert_no_error (error);
  g_assert_true (br_health_is_healthy (health));
  g_assert_cmpstr (br_health_get_database (health), ==, "connected");
  g_assert_nonnull (br_health_get_version (health));
  g_assert_cmpint (br_health_get_workers_total (health), >, 0);
  g_assert_cmpint (br_health_get_workers_busy (health), >=, 0);
  g_assert_cmpint (br_health_get_queue_depth (health), >=, 0);
  g_assert_cmpfloat (br_health_get_daily_budget_usd (health), >, 0);
  g_assert_cmpstr (br_health_get_processor (health), ==, "noop");
  g_assert_true (br_client_get_last_health (client) == health);
  g_assert_cmpuint (notified, ==, 1);

  g_assert_true (br_client_has_capability (client, "pause"));
  g_assert_true (br_client_has_capability (client, "retry"));
  g_assert_true (br_client_has_capability (client, "leads"));
  g_assert_true (br_client_has_capability (client, "templates"));
  g_assert_true (br_client_has_capability (client, "audit"));
  g_assert_true (br_client_has_capability (client, "events"));
  g_assert_false (br_client_has_capability (client, "teleport"));

  /* Another server: what was known of this one is forgotten. */
  br_client_set_base_url (client, "http://127.0.0.1:1");
  g_assert_null (br_client_get_last_health (client));
  g_assert_false (br_client_has_capability (client, "pause"));
}

static void
test_batch_flow (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(BrClient) client = br_client_new (brt_daemon_get_url (daemon));
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) templates = NULL;
  g_autoptr(BrPreview) p = NULL;
  g_autoptr(BrBatch) started = NULL;
  g_autoptr(BrBatch) done = NULL;
  g_autoptr(BrBatch) cancelled = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BrHealth) health = get_health (client, &error);
  gboolean found_default = FALSE;

  g_assert_no_error (error);

  /* Templates. */
  br_client_list_templates_async (client, NULL, store_result, &res);
  templates = br_client_list_templates_finish (client, await (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (templates->len, >, 0);
  for (guint i = 0; i < templates->len; i++)
    {
      g_assert_nonnull (br_template_get_version (templates->pdata[i]));
      found_default |= br_template_get_is_default (templates->pdata[i]);
    }
  g_assert_true (found_default);
  g_clear_object (&res);

  ids = import_leads (client, 12, "flow", NULL);

  /* Preview: an unknown id is reported, not fatal. */
  {
    g_autoptr(GPtrArray) with_unknown = g_ptr_array_new ();
    g_autoptr(BrPreview) mixed = NULL;

    g_ptr_array_add (with_unknown, ids->pdata[0]);
    g_ptr_array_add (with_unknown, (gpointer) "00000000-0000-4000-8000-000000000000");
    g_ptr_array_add (with_unknown, NULL);
    mixed = preview (client, with_unknown);
    g_assert_cmpint (br_preview_get_lead_count (mixed), ==, 1);
    g_assert_cmpstr (br_preview_get_valid_lead_ids (mixed)[0], ==, ids->pdata[0]);
    g_assert_cmpstr (br_preview_get_invalid_lead_ids (mixed)[0], ==, "00000000-0000-4000-8000-000000000000");
  }

  p = preview (client, ids);
  g_assert_cmpint (br_preview_get_lead_count (p), ==, 12);
  g_assert_cmpstr (br_preview_get_template_version (p), ==, "v1");
  g_assert_cmpfloat (br_preview_get_estimated_cost_usd (p), >, 0);
  g_assert_cmpfloat_with_epsilon (br_preview_get_total_cost (p), br_preview_get_estimated_cost_usd (p), 0.0001);
  g_assert_cmpfloat (br_preview_get_daily_budget_usd (p), >, 0);
  g_assert_cmpfloat (br_preview_get_remaining_usd (p), >=, 0);
  g_assert_nonnull (br_preview_get_accuracy_note (p));
  g_assert_cmpuint (g_list_model_get_n_items (br_preview_get_provider_breakdown (p)), >, 0);

  /* Start, follow, inspect. */
  started = start_batch (client, ids, "Client flow", 3, TRUE);
  g_assert_nonnull (br_batch_get_id (started));
  g_assert_cmpstr (br_batch_get_name (started), ==, "Client flow");
  g_assert_cmpint (br_batch_get_total_leads (started), ==, 12);
  g_assert_cmpint (br_batch_get_max_concurrent (started), ==, 3);

  done = wait_terminal (client, br_batch_get_id (started));
  g_assert_cmpint (br_batch_get_status (done), ==, BR_BATCH_STATUS_COMPLETED);
  g_assert_cmpint (br_batch_get_successful_leads (done), ==, 12);

  {
    g_autoptr(JsonObject) status = NULL;

    br_client_get_batch_status_async (client, br_batch_get_id (started), NULL, store_result, &res);
    status = br_client_get_batch_status_finish (client, await (&res), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (status, "batch_id"), ==, br_batch_get_id (started));
    g_assert_cmpstr (json_object_get_string_member (status, "status"), ==, "completed");
    g_assert_true (json_object_has_member (status, "recent_results"));
    g_clear_object (&res);
  }

  {
    g_autoptr(GPtrArray) results = NULL;
    g_autoptr(GPtrArray) none = NULL;
    gint64 total = 0;

    br_client_list_batch_leads_async (client, br_batch_get_id (started), BR_LEAD_STATUS_UNKNOWN, 0, 5, NULL,
                                      store_result, &res);
    results = br_client_list_batch_leads_finish (client, await (&res), &total, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 5);
    g_assert_cmpint (total, ==, 12);
    g_assert_cmpint (br_lead_result_get_status (results->pdata[0]), ==, BR_LEAD_STATUS_COMPLETED);
    g_assert_nonnull (br_lead_result_get_company_name (results->pdata[0]));
    g_assert_nonnull (br_lead_result_get_cost_breakdown (results->pdata[0]));
    g_clear_object (&res);

    br_client_list_batch_leads_async (client, br_batch_get_id (started), BR_LEAD_STATUS_FAILED, 0, 0, NULL,
                                      store_result, &res);
    none = br_client_list_batch_leads_finish (client, await (&res), &total, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (none->len, ==, 0);
    g_assert_cmpint (total, ==, 0);
    g_clear_object (&res);
  }

  /* Listing with filters. */
  {
    static const char * const completed[] = { "completed", NULL };
    static const char * const running[] = { "running", "paused", NULL };
    g_autoptr(GPtrArray) found = NULL;
    g_autoptr(GPtrArray) empty = NULL;
    BrBatchQuery query = { 0 };
    gint64 total = 0;

    query.statuses = completed;
    query.search = "Client";
    query.limit = 10;
    br_client_list_batches_async (client, &query, NULL, store_result, &res);
    found = br_client_list_batches_finish (client, await (&res), &total, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpint (total, ==, 1);
    g_assert_cmpstr (br_batch_get_id (found->pdata[0]), ==, br_batch_get_id (started));
    g_clear_object (&res);

    query.statuses = running;
    br_client_list_batches_async (client, &query, NULL, store_result, &res);
    empty = br_client_list_batches_finish (client, await (&res), &total, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (empty->len, ==, 0);
    g_clear_object (&res);
  }

  /* A finished batch cannot be cancelled: the server's 400 comes through. */
  br_client_cancel_batch_async (client, br_batch_get_id (started), NULL, store_result, &res);
  g_assert_false (br_client_cancel_batch_finish (client, await (&res), &cancelled, NULL, &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 400);
  g_assert_cmpstr (br_client_error_get_code (error), ==, "INVALID_TRANSITION");
  g_assert_null (cancelled);
  g_clear_error (&error);
  g_clear_object (&res);

  /* Analytics. */
  {
    g_autoptr(BrAnalytics) analytics = NULL;
    guint hours[24];
    guint sum = 0;

    br_client_get_analytics_async (client, 7, NULL, store_result, &res);
    analytics = br_client_get_analytics_finish (client, await (&res), &error);
    g_assert_no_error (error);
    g_assert_cmpint (br_analytics_get_period_days (analytics), ==, 7);
    g_assert_cmpint (br_analytics_get_total_batches (analytics), ==, 1);
    g_assert_cmpint (br_analytics_get_status_count (analytics, "completed"), ==, 1);
    g_assert_cmpuint (g_list_model_get_n_items (br_analytics_get_daily (analytics)), ==, 7);
    g_assert_true (br_analytics_get_hourly (analytics, hours));
    for (guint i = 0; i < 24; i++)
      sum += hours[i];
    g_assert_cmpuint (sum, ==, 12);
    g_clear_object (&res);
  }

  /* Audit: the import and the start are on record. */
  {
    g_autoptr(JsonArray) entries = NULL;
    gint64 total = 0;
    gboolean saw_start = FALSE;

    br_client_list_audit_async (client, br_batch_get_id (started), 0, 0, NULL, store_result, &res);
    entries = br_client_list_audit_finish (client, await (&res), &total, &error);
    g_assert_no_error (error);
    g_assert_cmpint (total, >=, 1);
    for (guint i = 0; i < json_array_get_length (entries); i++)
      saw_start |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (entries, i), "action"),
                              "start") == 0;
    g_assert_true (saw_start);
    g_clear_object (&res);
  }
}

static void
test_leads (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(BrClient) client = br_client_new (brt_daemon_get_url (daemon));
  g_autoptr(JsonArray) leads = json_array_new ();
  g_autoptr(GPtrArray) rejected = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) good_node = NULL;
  g_autoptr(JsonObject) good_obj = json_object_new ();
  guint imported = 0;
  gint64 total = 0;
  BrLead *lead;

  json_object_set_string_member (good_obj, "company_name", "Zeta Widgets");
  json_object_set_string_member (good_obj, "domain", "zeta.example");
  json_object_set_string_member (good_obj, "industry", "Manufacturing");
  json_object_set_string_member (good_obj, "enrichment_status", "partial");
  json_array_add_object_element (leads, json_object_ref (good_obj));
  /* Not a lead: the server rejects it by index and imports the rest. */
  json_array_add_int_element (leads, 42);

  br_client_import_leads_async (client, leads, NULL, store_result, &res);
  g_assert_true (br_client_import_leads_finish (client, await (&res), &imported, &rejected, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imported, ==, 1);
  g_assert_cmpuint (rejected->len, ==, 1);
  g_assert_cmpuint (((BrImportRejection *) rejected->pdata[0])->index, ==, 1);
  g_assert_nonnull (((BrImportRejection *) rejected->pdata[0])->detail);
  g_clear_object (&res);

  br_client_list_leads_async (client, "Zeta", NULL, "Manufacturing", BR_ENRICHMENT_STATUS_PARTIAL, 0, 0, NULL,
                              store_result, &res);
  listed = br_client_list_leads_finish (client, await (&res), &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpint (total, ==, 1);
  lead = listed->pdata[0];
  g_assert_cmpstr (br_lead_get_company_name (lead), ==, "Zeta Widgets");
  g_assert_cmpstr (br_lead_get_domain (lead), ==, "zeta.example");
  g_assert_cmpint (br_lead_get_enrichment_status (lead), ==, BR_ENRICHMENT_STATUS_PARTIAL);
  g_assert_cmpint (br_lead_get_created_at (lead), >, 0);
  g_assert_false (br_lead_get_in_active_batch (lead));
  g_clear_object (&res);

  /* A lead goes back to the server as it came. */
  good_node = br_lead_to_json (lead);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (good_node), "id"), ==,
                   br_lead_get_id (lead));

  /* An unknown batch is the server's 404. */
  br_client_list_batch_leads_async (client, "no-such-batch", BR_LEAD_STATUS_UNKNOWN, 0, 0, NULL,
                                    store_result, &res);
  g_assert_null (br_client_list_batch_leads_finish (client, await (&res), NULL, &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 404);
}

static const char *slow_exec =
  "sh -c 'read -r l; case \"$l\" in *FAILME*) echo boom >&2; exit 3;; esac; sleep 0.2; echo {}'";

static void
test_control (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--exec-command", slow_exec,
                                                  "--workers", "2", NULL);
  g_autoptr(BrClient) client = br_client_new (brt_daemon_get_url (daemon));
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) failing = NULL;
  g_autoptr(BrBatch) batch = NULL;
  g_autoptr(BrBatch) paused = NULL;
  g_autoptr(BrBatch) resumed = NULL;
  g_autoptr(BrBatch) cancelled = NULL;
  g_autoptr(BrBatch) failed = NULL;
  g_autoptr(BrBatch) retried = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  ids = import_leads (client, 20, "ctl", NULL);
  batch = start_batch (client, ids, "Slow", 1, TRUE);

  br_client_pause_batch_async (client, br_batch_get_id (batch), NULL, store_result, &res);
  paused = br_client_pause_batch_finish (client, await (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpint (br_batch_get_status (paused), ==, BR_BATCH_STATUS_PAUSED);
  g_clear_object (&res);

  /* Pausing twice is an invalid transition. */
  br_client_pause_batch_async (client, br_batch_get_id (batch), NULL, store_result, &res);
  g_assert_null (br_client_pause_batch_finish (client, await (&res), &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 400);
  g_assert_cmpstr (br_client_error_get_code (error), ==, "INVALID_TRANSITION");
  g_assert_cmpstr (br_client_error_get_detail (error), ==, error->message);
  g_clear_error (&error);
  g_clear_object (&res);

  br_client_resume_batch_async (client, br_batch_get_id (batch), NULL, store_result, &res);
  resumed = br_client_resume_batch_finish (client, await (&res), &error);
  g_assert_no_error (error);
  g_assert_true (br_batch_get_status (resumed) == BR_BATCH_STATUS_RUNNING ||
                 br_batch_get_status (resumed) == BR_BATCH_STATUS_PENDING);
  g_clear_object (&res);

  br_client_cancel_batch_async (client, br_batch_get_id (batch), NULL, store_result, &res);
  g_assert_true (br_client_cancel_batch_finish (client, await (&res), &cancelled, &message, &error));
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_nonnull (cancelled);
  g_assert_cmpint (br_batch_get_status (cancelled), ==, BR_BATCH_STATUS_CANCELLED);
  g_clear_object (&res);

  /* Retry: a batch of leads that fail, then those leads again. */
  failing = import_leads (client, 2, "bad", "FAILME");
  {
    g_autoptr(BrBatch) started = start_batch (client, failing, "Failing", 2, FALSE);
    g_autoptr(GPtrArray) results = NULL;
    g_autoptr(GPtrArray) retry_ids = g_ptr_array_new ();

    failed = wait_terminal (client, br_batch_get_id (started));
    g_assert_cmpint (br_batch_get_failed_leads (failed), ==, 1);

    br_client_list_batch_leads_async (client, br_batch_get_id (started), BR_LEAD_STATUS_FAILED, 0, 0, NULL,
                                      store_result, &res);
    results = br_client_list_batch_leads_finish (client, await (&res), NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 1);
    g_assert_nonnull (br_lead_result_get_error_code (results->pdata[0]));
    g_clear_object (&res);

    g_ptr_array_add (retry_ids, (gpointer) br_lead_result_get_lead_id (results->pdata[0]));
    g_ptr_array_add (retry_ids, NULL);
    br_client_retry_batch_async (client, br_batch_get_id (started), (const char * const *) retry_ids->pdata,
                                 NULL, store_result, &res);
    retried = br_client_retry_batch_finish (client, await (&res), &error);
    g_assert_no_error (error);
    g_assert_false (br_batch_is_terminal (retried));
    g_clear_object (&res);

    g_clear_object (&failed);
    failed = wait_terminal (client, br_batch_get_id (started));
  }
}

static void
test_http_errors (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(BrClient) client = br_client_new (brt_daemon_get_url (daemon));
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BrBatch) batch = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  BrStartRequest request = BR_START_REQUEST_INIT;

  /* 404 with the server's code and sentence. */
  batch = get_batch (client, "no-such-batch", &error);
  g_assert_null (batch);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 404);
  g_assert_cmpstr (br_client_error_get_code (error), ==, "NOT_FOUND");
  g_assert_nonnull (br_client_error_get_detail (error));
  g_assert_nonnull (strstr (br_client_error_get_detail (error), "no-such-batch"));
  g_assert_cmpstr (error->message, ==, br_client_error_get_detail (error));

  /* A copy keeps the extension. */
  {
    g_autoptr(GError) copy = g_error_copy (error);

    g_assert_cmpuint (br_client_error_get_http_status (copy), ==, 404);
    g_assert_cmpstr (br_client_error_get_code (copy), ==, "NOT_FOUND");
  }
  g_clear_error (&error);

  /* The accessors answer nothing for errors of other domains. */
  {
    g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");

    g_assert_cmpuint (br_client_error_get_http_status (other), ==, 0);
    g_assert_null (br_client_error_get_code (other));
    g_assert_null (br_client_error_get_detail (other));
  }

  /* 422: an unapproved cost, with the field named. */
  ids = import_leads (client, 2, "err", NULL);
  request.lead_ids = (const char * const *) ids->pdata;
  request.estimated_cost_usd = 1.0;
  request.cost_approved = FALSE;
  br_client_start_batch_async (client, &request, NULL, store_result, &res);
  g_assert_null (br_client_start_batch_finish (client, await (&res), &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 422);
  g_assert_cmpstr (br_client_error_get_code (error), ==, "VALIDATION_ERROR");
  g_assert_true (g_str_has_prefix (br_client_error_get_detail (error), "cost_approved"));
  g_clear_error (&error);
  g_clear_object (&res);

  /* 409: an approval for another price. */
  request.cost_approved = TRUE;
  request.estimated_cost_usd = 99999;
  br_client_start_batch_async (client, &request, NULL, store_result, &res);
  g_assert_null (br_client_start_batch_finish (client, await (&res), &error));
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 409);
  g_assert_cmpstr (br_client_error_get_code (error), ==, "ESTIMATE_MISMATCH");
  g_clear_error (&error);
  g_clear_object (&res);

  /* 422 from the preview when no lead is known. */
  {
    static const char * const unknown[] = { "00000000-0000-4000-8000-000000000001", NULL };

    br_client_preview_async (client, unknown, NULL, 0, NULL, store_result, &res);
    g_assert_null (br_client_preview_finish (client, await (&res), &error));
    g_assert_cmpuint (br_client_error_get_http_status (error), ==, 422);
    g_assert_true (g_str_has_prefix (error->message, "lead_ids"));
    g_clear_error (&error);
    g_clear_object (&res);
  }
}

static void
test_auth (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", "--token", "viewer:x", NULL);
  g_autoptr(BrClient) client = br_client_new (brt_daemon_get_url (daemon));
  g_autoptr(BrHealth) health = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  /* No token. */
  health = get_health (client, &error);
  g_assert_null (health);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 401);
  g_assert_cmpstr (br_client_error_get_code (error), ==, "UNAUTHORIZED");
  g_clear_error (&error);

  /* A wrong token. */
  br_client_set_token (client, "wrong");
  health = get_health (client, &error);
  g_assert_null (health);
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 401);
  g_clear_error (&error);

  /* The right one: a viewer may look but not act. */
  g_object_set (client, "token", "x", NULL);
  health = get_health (client, &error);
  g_assert_no_error (error);
  g_assert_nonnull (health);

  br_client_pause_batch_async (client, "any", NULL, store_result, &res);
  g_assert_null (br_client_pause_batch_finish (client, await (&res), &error));
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 403);
  g_assert_cmpstr (br_client_error_get_code (error), ==, "FORBIDDEN");
}

/* Tests against servers that fail --------------------------------------------------------- */

static void
test_connection_refused (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(BrClient) client = NULL;
  g_autoptr(BrHealth) health = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  /* A port that was free a moment ago: nobody listens there now. */
  port = listen_loopback (listener);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  client = br_client_new (url);

  health = get_health (client, &error);
  g_assert_null (health);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, url));
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 0);
  g_clear_error (&error);

  /* An unknown host is a network error too. */
  br_client_set_base_url (client, "http://no-such-host.invalid");
  health = get_health (client, &error);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_NETWORK);
  g_clear_error (&error);

  /* And so is an address that is not one. */
  br_client_set_base_url (client, "ftp//nowhere");
  health = get_health (client, &error);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_NETWORK);
}

static void
test_timeout (void)
{
  g_autoptr(RawServer) server = raw_server_new (RAW_SILENT, NULL);
  g_autoptr(BrClient) client = br_client_new (server->url);
  g_autoptr(BrHealth) health = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_object_set (client, "timeout", 1, NULL);
  health = get_health (client, &error);
  g_assert_null (health);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (server->n_accepted, >=, 1);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(RawServer) server = raw_server_new (RAW_SILENT, NULL);
  g_autoptr(BrClient) client = br_client_new (server->url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(GError) error = NULL;

  g_timeout_add (100, cancel_cb, cancellable);
  br_client_list_batches_async (client, NULL, cancellable, store_result, &res);
  batches = br_client_list_batches_finish (client, await (&res), NULL, &error);
  g_assert_null (batches);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_not_json (void)
{
  g_autoptr(RawServer) server = raw_server_new (RAW_NOT_JSON, NULL);
  g_autoptr(BrClient) client = br_client_new (server->url);
  g_autoptr(BrHealth) health = NULL;
  g_autoptr(GError) error = NULL;

  health = get_health (client, &error);
  g_assert_null (health);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_DECODE);
  g_assert_null (br_client_get_last_health (client));
}

static void
test_not_http (void)
{
  g_autoptr(RawServer) server = raw_server_new (RAW_NOT_HTTP, NULL);
  g_autoptr(BrClient) client = br_client_new (server->url);
  g_autoptr(BrHealth) health = NULL;
  g_autoptr(GError) error = NULL;

  health = get_health (client, &error);
  g_assert_null (health);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_DECODE);
}

static void
test_too_large (void)
{
  g_autoptr(RawServer) server = raw_server_new (RAW_HUGE, NULL);
  g_autoptr(BrClient) client = br_client_new (server->url);
  g_autoptr(BrHealth) health = NULL;
  g_autoptr(GError) error = NULL;

  /* Refused from the header: not a timeout while waiting for 40 MB. */
  g_object_set (client, "timeout", 5, NULL);
  health = get_health (client, &error);
  g_assert_null (health);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_DECODE);
  g_assert_nonnull (strstr (error->message, "32 MiB"));
}

static GTlsCertificate *
make_self_signed (const char *dir)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *err_out = NULL;
  int status = 0;
  const char *argv[] = {
    NULL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", NULL, "-out", NULL, "-days", "1", "-subj", "/CN=batch-runner-test", NULL
  };
  GTlsCertificate *certificate;

  if (openssl == NULL)
    return NULL;
  argv[0] = openssl;
  argv[9] = key;
  argv[11] = cert;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err_out,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_message ("openssl failed: %s", err_out);
      return NULL;
    }

  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  return certificate;
}

static void
test_tls_untrusted (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(RawServer) server = NULL;
  g_autoptr(BrClient) client = NULL;
  g_autoptr(BrHealth) health = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("No TLS backend (glib-networking)");
      return;
    }

  dir = g_dir_make_tmp ("brt-tls-XXXXXX", &error);
  g_assert_no_error (error);
  certificate = make_self_signed (dir);
  cert_path = g_build_filename (dir, "cert.pem", NULL);
  key_path = g_build_filename (dir, "key.pem", NULL);
  g_unlink (cert_path);
  g_unlink (key_path);
  g_rmdir (dir);
  if (certificate == NULL)
    {
      g_test_skip ("openssl is not available to make a certificate");
      return;
    }

  server = raw_server_new (RAW_TLS, certificate);
  client = br_client_new (server->url);
  health = get_health (client, &error);
  g_assert_null (health);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "not trusted"));
  g_test_message ("TLS error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "certificate authority"));
}

/* The FastAPI stand-in ------------------------------------------------------------------ */

static void
test_fastapi_unsupported (void)
{
  g_autoptr(FakeApi) api = fake_api_new ();
  g_autoptr(BrClient) client = g_object_new (BR_TYPE_CLIENT, "base-url", api->url, "base-path", "/api", NULL);
  g_autoptr(BrHealth) health = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) leads = json_array_new ();
  guint hits;

  health = get_health (client, &error);
  g_assert_no_error (error);
  g_assert_true (br_health_is_healthy (health));
  g_assert_null (br_health_get_capabilities (health));
  g_assert_cmpint (br_health_get_timestamp (health) % G_USEC_PER_SEC, ==, 123456);
  g_assert_false (br_client_has_capability (client, "pause"));
  hits = fake_api_total_hits (api);
  g_assert_cmpuint (hits, ==, 1);

  /* Every ext call fails at once, with a sentence, and sends nothing. */
  br_client_pause_batch_async (client, "b-1", NULL, store_result, &res);
  g_assert_null (br_client_pause_batch_finish (client, await (&res), &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, "This server cannot pause batches");
  g_clear_error (&error);
  g_clear_object (&res);

  br_client_resume_batch_async (client, "b-1", NULL, store_result, &res);
  g_assert_null (br_client_resume_batch_finish (client, await (&res), &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_clear_object (&res);

  br_client_retry_batch_async (client, "b-1", NULL, NULL, store_result, &res);
  g_assert_null (br_client_retry_batch_finish (client, await (&res), &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_clear_object (&res);

  br_client_list_batch_leads_async (client, "b-1", BR_LEAD_STATUS_UNKNOWN, 0, 0, NULL, store_result, &res);
  g_assert_null (br_client_list_batch_leads_finish (client, await (&res), NULL, &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_clear_object (&res);

  br_client_list_leads_async (client, NULL, NULL, NULL, BR_ENRICHMENT_STATUS_UNKNOWN, 0, 0, NULL,
                              store_result, &res);
  g_assert_null (br_client_list_leads_finish (client, await (&res), NULL, &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_clear_object (&res);

  br_client_import_leads_async (client, leads, NULL, store_result, &res);
  g_assert_false (br_client_import_leads_finish (client, await (&res), NULL, NULL, &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_clear_object (&res);

  br_client_list_templates_async (client, NULL, store_result, &res);
  g_assert_null (br_client_list_templates_finish (client, await (&res), &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_clear_object (&res);

  br_client_list_audit_async (client, NULL, 0, 0, NULL, store_result, &res);
  g_assert_null (br_client_list_audit_finish (client, await (&res), NULL, &error));
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_clear_object (&res);

  g_assert_cmpuint (fake_api_total_hits (api), ==, hits);
}

static void
test_fastapi_base_features (void)
{
  g_autoptr(FakeApi) api = fake_api_new ();
  g_autoptr(BrClient) client = br_client_new (api->url);
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(BrBatch) batch = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 total = 0;

  br_client_set_base_path (client, "/api");

  /* The base calls work without knowing the health first. */
  br_client_list_batches_async (client, NULL, NULL, store_result, &res);
  batches = br_client_list_batches_finish (client, await (&res), &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (batches->len, ==, 1);
  g_assert_cmpint (total, ==, 1);
  g_assert_cmpint (br_batch_get_status (batches->pdata[0]), ==, BR_BATCH_STATUS_RUNNING);
  g_assert_cmpint (br_batch_get_created_at (batches->pdata[0]) % G_USEC_PER_SEC, ==, 500000);
  g_clear_object (&res);

  /* Cancel answers only a message there. */
  br_client_cancel_batch_async (client, "b-1", NULL, store_result, &res);
  g_assert_true (br_client_cancel_batch_finish (client, await (&res), &batch, &message, &error));
  g_assert_no_error (error);
  g_assert_null (batch);
  g_assert_cmpstr (message, ==, "Batch b-1 cancelled");
  g_clear_object (&res);

  /* FastAPI's validation list becomes one sentence. */
  {
    static const char * const bad_ids[] = { "not-a-uuid", NULL };

    br_client_preview_async (client, bad_ids, NULL, 0, NULL, store_result, &res);
    g_assert_null (br_client_preview_finish (client, await (&res), &error));
    g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
    g_assert_cmpuint (br_client_error_get_http_status (error), ==, 422);
    g_assert_null (br_client_error_get_code (error));
    g_assert_cmpstr (error->message, ==,
                     "lead_ids[0]: value is not a valid uuid; template_version: field required");
    g_assert_cmpstr (br_client_error_get_detail (error), ==, error->message);
    g_clear_error (&error);
    g_clear_object (&res);
  }

  /* 404 with FastAPI's detail, and one with no body at all. */
  batch = get_batch (client, "b-404", &error);
  g_assert_null (batch);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
  g_assert_cmpstr (error->message, ==, "Not Found");
  g_clear_error (&error);

  batch = get_batch (client, "silent-404", &error);
  g_assert_null (batch);
  g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
  g_assert_cmpuint (br_client_error_get_http_status (error), ==, 404);
  g_assert_null (br_client_error_get_detail (error));
  g_assert_cmpstr (error->message, ==, "HTTP 404 Not Found");
  g_clear_error (&error);

  /* An unhealthy server: the call fails, and says why; the health it sent
   * is kept all the same. */
  {
    g_autoptr(BrHealth) health = NULL;

    api->unhealthy = TRUE;
    health = get_health (client, &error);
    g_assert_null (health);
    g_assert_error (error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
    g_assert_cmpuint (br_client_error_get_http_status (error), ==, 503);
    g_assert_nonnull (strstr (error->message, "The database does not answer"));
    g_assert_nonnull (br_client_get_last_health (client));
    g_assert_false (br_health_is_healthy (br_client_get_last_health (client)));
    g_assert_cmpstr (br_health_get_database (br_client_get_last_health (client)), ==, "error");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libbatchrunner/client/urls", test_urls);
  g_test_add_func ("/libbatchrunner/client/health-and-capabilities", test_health_and_capabilities);
  g_test_add_func ("/libbatchrunner/client/batch-flow", test_batch_flow);
  g_test_add_func ("/libbatchrunner/client/leads", test_leads);
  g_test_add_func ("/libbatchrunner/client/control", test_control);
  g_test_add_func ("/libbatchrunner/client/http-errors", test_http_errors);
  g_test_add_func ("/libbatchrunner/client/auth", test_auth);
  g_test_add_func ("/libbatchrunner/client/connection-refused", test_connection_refused);
  g_test_add_func ("/libbatchrunner/client/timeout", test_timeout);
  g_test_add_func ("/libbatchrunner/client/cancel", test_cancel);
  g_test_add_func ("/libbatchrunner/client/not-json", test_not_json);
  g_test_add_func ("/libbatchrunner/client/not-http", test_not_http);
  g_test_add_func ("/libbatchrunner/client/too-large", test_too_large);
  g_test_add_func ("/libbatchrunner/client/tls-untrusted", test_tls_untrusted);
  g_test_add_func ("/libbatchrunner/client/fastapi-unsupported", test_fastapi_unsupported);
  g_test_add_func ("/libbatchrunner/client/fastapi-base-features", test_fastapi_base_features);

  return g_test_run ();
}
