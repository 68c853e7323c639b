/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-client"

#include "config.h"

#include <string.h>

#include "br-client.h"
#include "br-error.h"
#include "br-lead.h"
#include "br-lead-result.h"
#include "br-object-private.h"
#include "br-template.h"
#include "br-wire-private.h"

/**
 * BrClient:
 *
 * The REST side of the wire contract (API.md): one #SoupSession, the
 * server's address and token, and one `_async`/`_finish` pair per call.
 *
 * Every answer is checked against the contract before it becomes objects;
 * failures are #BrClientError errors whose message can be shown as it is.
 * After br_client_get_health_async() the client knows the server's
 * capabilities: calls the server cannot serve (pause on the FastAPI
 * service, say) then fail at once with %BR_CLIENT_ERROR_UNSUPPORTED, without
 * a request.
 *
 * Redirects are not followed, so the bearer token never goes to another
 * host; a redirect is reported as an HTTP error. TLS certificates the
 * system does not trust are refused, never accepted.
 */

#define DEFAULT_BASE_PATH  "/api/v1"
#define DEFAULT_TIMEOUT    15
#define MAX_RESPONSE       (32 * 1024 * 1024)
#define READ_CHUNK         (64 * 1024)

struct _BrClient
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;
  char        *base_path;
  char        *token;
  guint        timeout;
  BrHealth    *last_health;
};

G_DEFINE_FINAL_TYPE (BrClient, br_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_BASE_PATH,
  PROP_TOKEN,
  PROP_TIMEOUT,
  PROP_SESSION,
  PROP_LAST_HEALTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Errors ----------------------------------------------------------------------- */

typedef struct
{
  guint  http_status;
  char  *code;
  char  *detail;
} BrClientErrorPrivate;

/* The accessor G_DEFINE_EXTENDED_ERROR() makes can return NULL (after a
 * critical) for a foreign error: check, so the compiler sees it too. */
static void
br_client_error_private_init (BrClientErrorPrivate *priv)
{
  if (priv == NULL)
    return;
  priv->http_status = 0;
  priv->code = NULL;
  priv->detail = NULL;
}

static void
br_client_error_private_copy (const BrClientErrorPrivate *src,
                              BrClientErrorPrivate       *dest)
{
  if (src == NULL || dest == NULL)
    return;
  dest->http_status = src->http_status;
  dest->code = g_strdup (src->code);
  dest->detail = g_strdup (src->detail);
}

static void
br_client_error_private_clear (BrClientErrorPrivate *priv)
{
  if (priv == NULL)
    return;
  g_clear_pointer (&priv->code, g_free);
  g_clear_pointer (&priv->detail, g_free);
}

G_DEFINE_EXTENDED_ERROR (BrClientError, br_client_error)

/**
 * br_client_error_get_http_status:
 * @error: a #GError
 *
 * Returns: the HTTP status of a %BR_CLIENT_ERROR_HTTP error, 0 for any
 *   other error
 */
guint
br_client_error_get_http_status (const GError *error)
{
  BrClientErrorPrivate *priv;

  if (error == NULL || error->domain != BR_CLIENT_ERROR)
    return 0;
  priv = br_client_error_get_private (error);
  return priv ? priv->http_status : 0;
}

/**
 * br_client_error_get_code:
 * @error: a #GError
 *
 * Returns: (nullable): the server's machine code (`error`, e.g.
 *   "NOT_FOUND") of a %BR_CLIENT_ERROR_HTTP error, if it sent one
 */
const char *
br_client_error_get_code (const GError *error)
{
  BrClientErrorPrivate *priv;

  if (error == NULL || error->domain != BR_CLIENT_ERROR)
    return NULL;
  priv = br_client_error_get_private (error);
  return priv ? priv->code : NULL;
}

/**
 * br_client_error_get_detail:
 * @error: a #GError
 *
 * Returns: (nullable): the server's explanation (`detail`) of a
 *   %BR_CLIENT_ERROR_HTTP error, if it sent one; a FastAPI validation list
 *   is turned into one sentence
 */
const char *
br_client_error_get_detail (const GError *error)
{
  BrClientErrorPrivate *priv;

  if (error == NULL || error->domain != BR_CLIENT_ERROR)
    return NULL;
  priv = br_client_error_get_private (error);
  return priv ? priv->detail : NULL;
}

static GError *
client_error_new (BrClientError  code,
                  const char    *format,
                  ...) G_GNUC_PRINTF (2, 3);

static GError *
client_error_new (BrClientError  code,
                  const char    *format,
                  ...)
{
  GError *error;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (BR_CLIENT_ERROR, code, format, args);
  va_end (args);

  return error;
}

/**
 * br_import_rejection_free:
 * @rejection: (transfer full): a #BrImportRejection
 */
void
br_import_rejection_free (BrImportRejection *rejection)
{
  if (rejection == NULL)
    return;
  g_free (rejection->detail);
  g_free (rejection);
}

/* Object ------------------------------------------------------------------------ */

static void
set_last_health (BrClient *self,
                 BrHealth *health)
{
  if (g_set_object (&self->last_health, health))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_HEALTH]);
}

static void
br_client_finalize (GObject *object)
{
  BrClient *self = BR_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_object (&self->last_health);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->base_path, g_free);
  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (br_client_parent_class)->finalize (object);
}

static void
br_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BrClient *self = BR_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_BASE_PATH:
      g_value_set_string (value, self->base_path);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_LAST_HEALTH:
      g_value_set_object (value, self->last_health);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
br_client_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BrClient *self = BR_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      br_client_set_base_url (self, g_value_get_string (value));
      break;
    case PROP_BASE_PATH:
      br_client_set_base_path (self, g_value_get_string (value));
      break;
    case PROP_TOKEN:
      br_client_set_token (self, g_value_get_string (value));
      break;
    case PROP_TIMEOUT:
      br_client_set_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
br_client_class_init (BrClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = br_client_finalize;
  object_class->get_property = br_client_get_property;
  object_class->set_property = br_client_set_property;

  /**
   * BrClient:base-url:
   *
   * The server, scheme, host and port: "http://127.0.0.1:8600". Changing
   * it forgets #BrClient:last-health.
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL, flags);

  /**
   * BrClient:base-path:
   *
   * Where the API is mounted: "/api/v1" (ours) or "/api" (the FastAPI
   * service).
   */
  properties[PROP_BASE_PATH] =
    g_param_spec_string ("base-path", NULL, NULL, DEFAULT_BASE_PATH, flags);

  /**
   * BrClient:token:
   *
   * The bearer token sent with every request, or %NULL for none.
   */
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL, flags);

  /**
   * BrClient:timeout:
   *
   * Seconds to wait for the server to connect or to send more of its
   * answer before failing with %BR_CLIENT_ERROR_TIMEOUT; 0 waits forever.
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_TIMEOUT, flags);

  /**
   * BrClient:session:
   *
   * The #SoupSession every request goes through (the live feed opens its
   * WebSockets on it too).
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * BrClient:last-health:
   *
   * The server's health as last fetched with br_client_get_health_async(),
   * or %NULL before that; it decides br_client_has_capability().
   */
  properties[PROP_LAST_HEALTH] =
    g_param_spec_object ("last-health", NULL, NULL, BR_TYPE_HEALTH,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
br_client_init (BrClient *self)
{
  self->base_path = g_strdup (DEFAULT_BASE_PATH);
  self->timeout = DEFAULT_TIMEOUT;
  self->session = soup_session_new_with_options ("timeout", self->timeout,
                                                 "user-agent", "batch-runner/" PACKAGE_VERSION " ",
                                                 NULL);
}

/**
 * br_client_new:
 * @base_url: the server, e.g. "http://127.0.0.1:8600"
 *
 * Returns: (transfer full): a new #BrClient for the API at `/api/v1` of
 *   @base_url
 */
BrClient *
br_client_new (const char *base_url)
{
  g_return_val_if_fail (base_url != NULL, NULL);

  return g_object_new (BR_TYPE_CLIENT, "base-url", base_url, NULL);
}

/**
 * br_client_get_base_url:
 * @self: a #BrClient
 *
 * Returns: (nullable): the server's address
 */
const char *
br_client_get_base_url (BrClient *self)
{
  g_return_val_if_fail (BR_IS_CLIENT (self), NULL);

  return self->base_url;
}

/**
 * br_client_set_base_url:
 * @self: a #BrClient
 * @base_url: (nullable): the server, e.g. "https://runner.example:8600"
 *
 * Points the client at another server; the last health (and so what the
 * client knows of its capabilities) is forgotten.
 */
void
br_client_set_base_url (BrClient   *self,
                        const char *base_url)
{
  g_autofree char *trimmed = NULL;

  g_return_if_fail (BR_IS_CLIENT (self));

  /* "http://host:1/" and "http://host:1" are the same server. */
  if (base_url != NULL)
    {
      gsize len;

      trimmed = g_strstrip (g_strdup (base_url));
      len = strlen (trimmed);
      while (len > 0 && trimmed[len - 1] == '/')
        trimmed[--len] = '\0';
    }

  if (g_strcmp0 (self->base_url, trimmed) == 0)
    return;

  g_free (self->base_url);
  self->base_url = g_steal_pointer (&trimmed);
  set_last_health (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
}

/**
 * br_client_get_base_path:
 * @self: a #BrClient
 *
 * Returns: where the API is mounted, "" for the root
 */
const char *
br_client_get_base_path (BrClient *self)
{
  g_return_val_if_fail (BR_IS_CLIENT (self), NULL);

  return self->base_path;
}

/**
 * br_client_set_base_path:
 * @self: a #BrClient
 * @base_path: (nullable): "/api/v1", "/api" for the FastAPI service;
 *   %NULL for the default
 */
void
br_client_set_base_path (BrClient   *self,
                         const char *base_path)
{
  g_autoptr(GString) path = NULL;

  g_return_if_fail (BR_IS_CLIENT (self));

  if (base_path == NULL)
    base_path = DEFAULT_BASE_PATH;

  /* Always "" or "/x…" without a trailing slash, so paths append. */
  path = g_string_new (NULL);
  if (*base_path != '\0' && *base_path != '/')
    g_string_append_c (path, '/');
  g_string_append (path, base_path);
  while (path->len > 0 && path->str[path->len - 1] == '/')
    g_string_truncate (path, path->len - 1);

  if (g_strcmp0 (self->base_path, path->str) == 0)
    return;

  g_free (self->base_path);
  self->base_path = g_string_free (g_steal_pointer (&path), FALSE);
  set_last_health (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_PATH]);
}

/**
 * br_client_get_token:
 * @self: a #BrClient
 *
 * Returns: (nullable): the bearer token
 */
const char *
br_client_get_token (BrClient *self)
{
  g_return_val_if_fail (BR_IS_CLIENT (self), NULL);

  return self->token;
}

/**
 * br_client_set_token:
 * @self: a #BrClient
 * @token: (nullable): the bearer token, %NULL (or "") for none
 */
void
br_client_set_token (BrClient   *self,
                     const char *token)
{
  g_return_if_fail (BR_IS_CLIENT (self));

  if (token != NULL && *token == '\0')
    token = NULL;
  if (g_strcmp0 (self->token, token) == 0)
    return;

  g_free (self->token);
  self->token = g_strdup (token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

/**
 * br_client_get_timeout:
 * @self: a #BrClient
 *
 * Returns: the I/O timeout in seconds
 */
guint
br_client_get_timeout (BrClient *self)
{
  g_return_val_if_fail (BR_IS_CLIENT (self), 0);

  return self->timeout;
}

/**
 * br_client_set_timeout:
 * @self: a #BrClient
 * @timeout: seconds, 0 for none
 */
void
br_client_set_timeout (BrClient *self,
                       guint     timeout)
{
  g_return_if_fail (BR_IS_CLIENT (self));

  if (self->timeout == timeout)
    return;

  self->timeout = timeout;
  soup_session_set_timeout (self->session, timeout);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/**
 * br_client_get_session:
 * @self: a #BrClient
 *
 * Returns: (transfer none): the session every request of @self uses
 */
SoupSession *
br_client_get_session (BrClient *self)
{
  g_return_val_if_fail (BR_IS_CLIENT (self), NULL);

  return self->session;
}

/**
 * br_client_get_last_health:
 * @self: a #BrClient
 *
 * Returns: (transfer none) (nullable): the health last fetched, or %NULL
 */
BrHealth *
br_client_get_last_health (BrClient *self)
{
  g_return_val_if_fail (BR_IS_CLIENT (self), NULL);

  return self->last_health;
}

/**
 * br_client_has_capability:
 * @self: a #BrClient
 * @capability: a feature from API.md, e.g. "pause"
 *
 * Returns: whether the server's last health lists @capability; %FALSE
 *   before the health is known and for servers without `capabilities`
 */
gboolean
br_client_has_capability (BrClient   *self,
                          const char *capability)
{
  g_return_val_if_fail (BR_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  return self->last_health != NULL && br_health_has_capability (self->last_health, capability);
}

/**
 * br_client_build_url:
 * @self: a #BrClient
 * @path: a path under the API, starting with "/", e.g. "/batch"
 *
 * Returns: (transfer full): base URL + base path + @path
 */
char *
br_client_build_url (BrClient   *self,
                     const char *path)
{
  g_return_val_if_fail (BR_IS_CLIENT (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return g_strconcat (self->base_url ? self->base_url : "", self->base_path,
                      *path == '/' ? "" : "/", path, NULL);
}

/**
 * br_client_build_ws_url:
 * @self: a #BrClient
 * @path: a WebSocket path under the API, e.g. "/events"
 *
 * Returns: (transfer full): the URL with the scheme for WebSockets
 *   ("http" → "ws", "https" → "wss")
 */
char *
br_client_build_ws_url (BrClient   *self,
                        const char *path)
{
  g_autofree char *url = NULL;

  g_return_val_if_fail (BR_IS_CLIENT (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  url = br_client_build_url (self, path);
  if (g_ascii_strncasecmp (url, "https://", 8) == 0)
    return g_strconcat ("wss://", url + 8, NULL);
  if (g_ascii_strncasecmp (url, "http://", 7) == 0)
    return g_strconcat ("ws://", url + 7, NULL);
  return g_steal_pointer (&url);
}

/**
 * br_client_new_request:
 * @self: a #BrClient
 * @method: "GET", "POST", …
 * @path: a path under the API, e.g. "/batch"
 * @query: (nullable): an encoded query string, without "?"
 *
 * Makes a message for the server with the `Authorization` header set
 * (when there is a token). The live feed uses it for its WebSocket
 * handshake; the calls of #BrClient use it for everything.
 *
 * Returns: (transfer full) (nullable): a new #SoupMessage, or %NULL when
 *   the base URL does not make a valid URL
 */
SoupMessage *
br_client_new_request (BrClient   *self,
                       const char *method,
                       const char *path,
                       const char *query)
{
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  SoupMessage *msg;
  SoupMessageHeaders *headers;

  g_return_val_if_fail (BR_IS_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  url = br_client_build_url (self, path);
  if (query != NULL && *query != '\0')
    {
      char *with_query = g_strconcat (url, "?", query, NULL);

      g_free (url);
      url = with_query;
    }

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;
  msg = soup_message_new_from_uri (method, uri);
  if (msg == NULL)
    return NULL;

  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (self->token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (headers, "Authorization", bearer);
    }

  return msg;
}

/* Calls ---------------------------------------------------------------------------- */

typedef gpointer (*ParseFunc) (BrClient    *self,
                               JsonNode    *root,
                               GError     **error);

typedef struct
{
  SoupMessage          *msg;
  GInputStream         *stream;
  GByteArray           *body;
  char                 *what;          /* "GET /batch", for messages */
  char                 *server;        /* the base URL, for messages */
  ParseFunc             parse;
  GDestroyNotify        result_free;
  GTlsCertificateFlags  tls_errors;
} Call;

static void
call_free (Call *call)
{
  if (call->msg != NULL)
    g_signal_handlers_disconnect_by_data (call->msg, call);
  g_clear_object (&call->msg);
  g_clear_object (&call->stream);
  g_clear_pointer (&call->body, g_byte_array_unref);
  g_clear_pointer (&call->what, g_free);
  g_clear_pointer (&call->server, g_free);
  g_free (call);
}

static char *
tls_reasons (GTlsCertificateFlags flags)
{
  static const struct {
    GTlsCertificateFlags  flag;
    const char           *reason;
  } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "it is not signed by a certificate authority this system trusts" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, "it was not issued for this server's name" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "it is not valid yet" },
    { G_TLS_CERTIFICATE_EXPIRED, "it has expired" },
    { G_TLS_CERTIFICATE_REVOKED, "it has been revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "it uses an insecure algorithm" },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, "it could not be verified" },
  };
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    {
      if ((flags & reasons[i].flag) == 0)
        continue;
      if (out->len > 0)
        g_string_append (out, "; ");
      g_string_append (out, reasons[i].reason);
    }
  if (out->len == 0)
    g_string_append (out, "it could not be verified");

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Turns what the session reported into our domain. */
static GError *
transport_error (BrClient *self,
                 Call     *call,
                 GError   *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return client_error_new (BR_CLIENT_ERROR_TIMEOUT, "The server at %s did not answer within %u seconds",
                             call->server, self->timeout);

  if (call->tls_errors != 0 || g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    {
      g_autofree char *why = tls_reasons (call->tls_errors);

      return client_error_new (BR_CLIENT_ERROR_TLS, "The certificate of %s was not trusted: %s",
                               call->server, why);
    }
  if (error->domain == G_TLS_ERROR)
    return client_error_new (BR_CLIENT_ERROR_TLS, "The secure connection to %s failed: %s",
                             call->server, error->message);

  if (error->domain == SOUP_SESSION_ERROR &&
      (error->code == SOUP_SESSION_ERROR_PARSING || error->code == SOUP_SESSION_ERROR_ENCODING))
    return client_error_new (BR_CLIENT_ERROR_DECODE, "The answer of %s to %s is not valid HTTP: %s",
                             call->server, call->what, error->message);

  if (error->domain == G_RESOLVER_ERROR)
    return client_error_new (BR_CLIENT_ERROR_NETWORK, "The server %s could not be found: %s",
                             call->server, error->message);

  return client_error_new (BR_CLIENT_ERROR_NETWORK, "Could not reach %s: %s", call->server, error->message);
}

/* One element of a FastAPI 422 `detail`: {"loc": ["body", "lead_ids", 0], "msg": "…"}. */
static void
append_validation_item (GString  *out,
                        JsonNode *item)
{
  JsonObject *obj;
  JsonNode *loc, *msg;
  g_autoptr(GString) where = g_string_new (NULL);

  if (!JSON_NODE_HOLDS_OBJECT (item))
    return;
  obj = json_node_get_object (item);
  loc = json_object_get_member (obj, "loc");
  msg = json_object_get_member (obj, "msg");

  if (loc != NULL && JSON_NODE_HOLDS_ARRAY (loc))
    {
      JsonArray *parts = json_node_get_array (loc);

      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          JsonNode *part = json_array_get_element (parts, i);

          if (!JSON_NODE_HOLDS_VALUE (part))
            continue;
          if (json_node_get_value_type (part) == G_TYPE_INT64)
            g_string_append_printf (where, "[%" G_GINT64_FORMAT "]", json_node_get_int (part));
          else if (json_node_get_value_type (part) == G_TYPE_STRING)
            {
              const char *name = json_node_get_string (part);

              /* Where FastAPI found it, not which field: leave it out. */
              if (i == 0 && (g_str_equal (name, "body") || g_str_equal (name, "query") ||
                             g_str_equal (name, "path") || g_str_equal (name, "header")))
                continue;
              if (where->len > 0)
                g_string_append_c (where, '.');
              g_string_append (where, name);
            }
        }
    }

  if (out->len > 0)
    g_string_append (out, "; ");
  if (where->len > 0)
    g_string_append_printf (out, "%s: ", where->str);
  if (msg != NULL && JSON_NODE_HOLDS_VALUE (msg) && json_node_get_value_type (msg) == G_TYPE_STRING)
    g_string_append (out, json_node_get_string (msg));
  else
    g_string_append (out, "invalid");
}

static GError *
http_error (Call *call)
{
  guint status = soup_message_get_status (call->msg);
  const char *phrase = soup_message_get_reason_phrase (call->msg);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *code = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *message = NULL;
  BrClientErrorPrivate *priv;
  GError *error;

  root = _br_json_parse_untrusted ((const char *) call->body->data, call->body->len, NULL);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *obj = json_node_get_object (root);
      JsonNode *d = json_object_get_member (obj, "detail");
      JsonNode *e = json_object_get_member (obj, "error");

      if (d != NULL && JSON_NODE_HOLDS_VALUE (d) && json_node_get_value_type (d) == G_TYPE_STRING &&
          *json_node_get_string (d) != '\0')
        detail = g_strdup (json_node_get_string (d));
      else if (d != NULL && JSON_NODE_HOLDS_ARRAY (d) && json_array_get_length (json_node_get_array (d)) > 0)
        {
          JsonArray *items = json_node_get_array (d);
          g_autoptr(GString) sentence = g_string_new (NULL);

          for (guint i = 0; i < json_array_get_length (items); i++)
            append_validation_item (sentence, json_array_get_element (items, i));
          if (sentence->len > 0)
            detail = g_string_free (g_steal_pointer (&sentence), FALSE);
        }

      if (e != NULL && JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
        code = g_strdup (json_node_get_string (e));

      /* An unhealthy /health (503) says why in `message`, not `detail`. */
      if (detail == NULL)
        {
          JsonNode *m = json_object_get_member (obj, "message");

          if (m != NULL && JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
            message = g_strdup (json_node_get_string (m));
        }
    }

  if (phrase == NULL || *phrase == '\0')
    phrase = soup_status_get_phrase (status);

  if (detail != NULL)
    error = client_error_new (BR_CLIENT_ERROR_HTTP, "%s", detail);
  else if (message != NULL && *message != '\0')
    error = client_error_new (BR_CLIENT_ERROR_HTTP, "HTTP %u %s: %s", status, phrase ? phrase : "", message);
  else
    error = client_error_new (BR_CLIENT_ERROR_HTTP, "HTTP %u %s", status, phrase ? phrase : "");

  priv = br_client_error_get_private (error);
  if (priv != NULL)
    {
      priv->http_status = status;
      priv->code = g_steal_pointer (&code);
      priv->detail = g_steal_pointer (&detail);
    }

  return error;
}

static GError *
decode_error (Call   *call,
              GError *error)
{
  return client_error_new (BR_CLIENT_ERROR_DECODE, "The answer of %s to %s is not what the API says: %s",
                           call->server, call->what, error->message);
}

/* A health body comes with 200 and with 503 (unhealthy): keep it either way. */
static void
remember_health (BrClient *self,
                 Call     *call)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BrHealth) health = NULL;

  root = _br_json_parse_untrusted ((const char *) call->body->data, call->body->len, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  health = br_health_new_from_json (json_node_get_object (root), NULL);
  if (health != NULL)
    set_last_health (self, health);
}

static void
finish_call (GTask *task)
{
  BrClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gpointer result;

  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (call->msg)))
    {
      if (g_task_get_source_tag (task) == br_client_get_health_async &&
          soup_message_get_status (call->msg) == SOUP_STATUS_SERVICE_UNAVAILABLE)
        remember_health (self, call);
      g_task_return_error (task, http_error (call));
      return;
    }

  root = _br_json_parse_untrusted ((const char *) call->body->data, call->body->len, &error);
  if (root == NULL)
    {
      g_task_return_error (task, decode_error (call, error));
      return;
    }

  result = call->parse (self, root, &error);
  if (result == NULL)
    {
      g_assert (error != NULL);
      g_task_return_error (task, decode_error (call, error));
      return;
    }

  g_task_return_pointer (task, result, call->result_free);
}

static void read_next (GTask *task);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BrClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, transport_error (self, call, error));
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    {
      finish_call (task);
      return;
    }

  if (call->body->len + g_bytes_get_size (bytes) > MAX_RESPONSE)
    {
      g_task_return_new_error (task, BR_CLIENT_ERROR, BR_CLIENT_ERROR_DECODE,
                               "The answer of %s to %s is larger than %u MiB", call->server, call->what,
                               MAX_RESPONSE / (1024 * 1024));
      return;
    }

  g_byte_array_append (call->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  read_next (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  Call *call = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (call->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BrClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;

  call->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (call->stream == NULL)
    {
      g_task_return_error (task, transport_error (self, call, error));
      return;
    }

  /* Refuse a body announced too large before reading any of it. */
  headers = soup_message_get_response_headers (call->msg);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > MAX_RESPONSE)
    {
      g_task_return_new_error (task, BR_CLIENT_ERROR, BR_CLIENT_ERROR_DECODE,
                               "The answer of %s to %s is larger than %u MiB", call->server, call->what,
                               MAX_RESPONSE / (1024 * 1024));
      return;
    }

  read_next (g_steal_pointer (&task));
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Call *call = user_data;

  /* Only to say why in the error: an untrusted certificate is refused. */
  call->tls_errors = errors;
  return FALSE;
}

/* Sends the request of @task (which it takes) and returns the result of
 * @parse on the JSON answer through it. */
static void
start_call (BrClient       *self,
            GTask          *task,
            const char     *method,
            const char     *path,
            const char     *query,
            JsonNode       *body,
            ParseFunc       parse,
            GDestroyNotify  result_free)
{
  Call *call = g_new0 (Call, 1);

  call->what = g_strconcat (method, " ", path, NULL);
  call->server = g_strdup (self->base_url ? self->base_url : "(no server)");
  call->body = g_byte_array_new ();
  call->parse = parse;
  call->result_free = result_free;
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  call->msg = br_client_new_request (self, method, path, query);
  if (call->msg == NULL)
    {
      g_task_return_new_error (task, BR_CLIENT_ERROR, BR_CLIENT_ERROR_NETWORK,
                               "“%s” is not a server address (http://host:port)", call->server);
      g_object_unref (task);
      return;
    }

  /* The token must not follow a redirect to another host. */
  soup_message_add_flags (call->msg, SOUP_MESSAGE_NO_REDIRECT);
  g_signal_connect (call->msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), call);

  if (body != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(GBytes) bytes = NULL;
      char *data;
      gsize len = 0;

      json_generator_set_root (generator, body);
      data = json_generator_to_data (generator, &len);
      bytes = g_bytes_new_take (data, len);
      soup_message_set_request_body_from_bytes (call->msg, "application/json", bytes);
    }

  soup_session_send_async (self->session, call->msg, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                           send_cb, task);
}

static GTask *
new_task (BrClient            *self,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  return task;
}

/* Fails @task when the server is known to lack @capability: nothing is
 * sent. Before the health is known, the server is given the benefit of the
 * doubt (its own 404 will say). */
static gboolean
check_capability (BrClient   *self,
                  GTask      *task,
                  const char *capability,
                  const char *what)
{
  if (self->last_health == NULL || br_health_has_capability (self->last_health, capability))
    return TRUE;

  g_task_return_new_error (task, BR_CLIENT_ERROR, BR_CLIENT_ERROR_UNSUPPORTED, "This server cannot %s", what);
  return FALSE;
}

static gpointer
finish_pointer (BrClient      *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (BR_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
escape_segment (const char *segment)
{
  return g_uri_escape_string (segment, NULL, FALSE);
}

static void
query_add (GString    *query,
           const char *key,
           const char *value)
{
  if (value == NULL)
    return;
  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_uri_escaped (query, key, NULL, FALSE);
  g_string_append_c (query, '=');
  g_string_append_uri_escaped (query, value, NULL, FALSE);
}

static void
query_add_uint (GString    *query,
                const char *key,
                guint       value)
{
  char text[16];

  g_snprintf (text, sizeof text, "%u", value);
  query_add (query, key, text);
}

static JsonNode *
strv_node (const char * const *strv)
{
  JsonArray *array = json_array_new ();
  JsonNode *node;

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  node = json_node_init_array (json_node_alloc (), array);
  json_array_unref (array);
  return node;
}

/* Decoding answers ---------------------------------------------------------------- */

static JsonObject *
root_object (JsonNode  *root,
             GError   **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "the answer must be a JSON object");
      return NULL;
    }
  return json_node_get_object (root);
}

typedef gpointer (*DecodeFunc) (JsonObject *obj,
                                GError    **error);

static GPtrArray *
decode_array (JsonArray   *array,
              const char  *what,
              DecodeFunc   decode,
              GError     **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (json_array_get_length (array), g_object_unref);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gpointer item;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "“%s[%u]” must be an object", what, i);
          return NULL;
        }
      item = decode (json_node_get_object (element), error);
      if (item == NULL)
        {
          g_prefix_error (error, "%s[%u]: ", what, i);
          return NULL;
        }
      g_ptr_array_add (items, item);
    }

  return g_steal_pointer (&items);
}

static gboolean
decode_total (JsonObject  *obj,
              gint64       fallback,
              gint64      *total,
              GError     **error)
{
  JsonNode *node = json_object_get_member (obj, "total_count");

  *total = fallback;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  return _br_json_node_get_int (node, "total_count", total, error);
}

typedef struct
{
  GPtrArray *items;
  JsonArray *array;
  gint64     total;
} ListResult;

static void
list_result_free (ListResult *list)
{
  g_clear_pointer (&list->items, g_ptr_array_unref);
  g_clear_pointer (&list->array, json_array_unref);
  g_free (list);
}

/* {key: [objects], total_count} → ListResult of decoded objects. */
static ListResult *
decode_list (JsonNode    *root,
             const char  *key,
             DecodeFunc   decode,
             GError     **error)
{
  g_autoptr(GPtrArray) items = NULL;
  JsonObject *obj = root_object (root, error);
  JsonNode *node;
  ListResult *list;
  gint64 total;

  if (obj == NULL)
    return NULL;
  node = json_object_get_member (obj, key);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, BR_DECODE_ERROR, node ? BR_DECODE_ERROR_TYPE : BR_DECODE_ERROR_MISSING,
                   "“%s” must be an array", key);
      return NULL;
    }
  items = decode_array (json_node_get_array (node), key, decode, error);
  if (items == NULL || !decode_total (obj, items->len, &total, error))
    return NULL;

  list = g_new0 (ListResult, 1);
  list->items = g_steal_pointer (&items);
  list->total = total;
  return list;
}

static gpointer
steal_list_items (ListResult *list,
                  gint64     *total_count)
{
  GPtrArray *items;

  if (list == NULL)
    return NULL;
  if (total_count != NULL)
    *total_count = list->total;
  items = g_steal_pointer (&list->items);
  list_result_free (list);
  return items;
}

/* Health -------------------------------------------------------------------------- */

static gpointer
parse_health (BrClient  *self,
              JsonNode  *root,
              GError   **error)
{
  JsonObject *obj = root_object (root, error);
  BrHealth *health;

  if (obj == NULL)
    return NULL;
  health = br_health_new_from_json (obj, error);
  if (health != NULL)
    set_last_health (self, health);
  return health;
}

/**
 * br_client_get_health_async:
 * @self: a #BrClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Fetches `GET /health`. The result becomes #BrClient:last-health, which
 * tells the client what the server can do. An unhealthy server answers
 * 503: the call then fails with %BR_CLIENT_ERROR_HTTP, and the health it
 * sent is still kept as #BrClient:last-health.
 */
void
br_client_get_health_async (BrClient            *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));

  task = new_task (self, br_client_get_health_async, cancellable, callback, user_data);
  start_call (self, task, "GET", "/health", NULL, NULL, parse_health, g_object_unref);
}

/**
 * br_client_get_health_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @error: where to say what went wrong
 *
 * Returns: (transfer full): the server's health, or %NULL with @error set
 */
BrHealth *
br_client_get_health_finish (BrClient      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish_pointer (self, result, br_client_get_health_async, error);
}

/* Batches -------------------------------------------------------------------------- */

static gpointer
parse_batch (BrClient  *self,
             JsonNode  *root,
             GError   **error)
{
  JsonObject *obj = root_object (root, error);

  return obj ? br_batch_new_from_json (obj, error) : NULL;
}

static gpointer
parse_batch_list (BrClient  *self,
                  JsonNode  *root,
                  GError   **error)
{
  return decode_list (root, "batches", (DecodeFunc) br_batch_new_from_json, error);
}

static void
list_batches (BrClient            *self,
              gpointer             source_tag,
              const BrBatchQuery  *query,
              const char          *error_code,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GString) q = g_string_new (NULL);
  GTask *task;

  task = new_task (self, source_tag, cancellable, callback, user_data);

  if (query != NULL)
    {
      for (guint i = 0; query->statuses != NULL && query->statuses[i] != NULL; i++)
        query_add (q, "status", query->statuses[i]);
      if (query->search != NULL && *query->search != '\0')
        query_add (q, "search", query->search);
      query_add (q, "created_by", query->created_by);
      query_add (q, "template_version", query->template_version);
      if (query->created_after > 0)
        {
          g_autofree char *text = _br_json_format_time (query->created_after);
          query_add (q, "created_after", text);
        }
      if (query->created_before > 0)
        {
          g_autofree char *text = _br_json_format_time (query->created_before);
          query_add (q, "created_before", text);
        }
      if (query->skip > 0)
        query_add_uint (q, "skip", query->skip);
      if (query->limit > 0)
        query_add_uint (q, "limit", query->limit);
    }

  if (error_code != NULL)
    {
      /* A server without the filter would ignore the parameter and list
       * every batch: refuse rather than show a wrong list. */
      if (!check_capability (self, task, "batches.error_code", "list batches by error code"))
        {
          g_object_unref (task);
          return;
        }
      query_add (q, "error_code", error_code);
    }

  start_call (self, task, "GET", "/batch", q->str, NULL, parse_batch_list, (GDestroyNotify) list_result_free);
}

/**
 * br_client_list_batches_async:
 * @self: a #BrClient
 * @query: (nullable): filters and paging, %NULL for the newest batches
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Lists batches, newest first (`GET /batch`).
 */
void
br_client_list_batches_async (BrClient            *self,
                              const BrBatchQuery  *query,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (BR_IS_CLIENT (self));

  list_batches (self, br_client_list_batches_async, query, NULL, cancellable, callback, user_data);
}

/**
 * br_client_list_batches_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @total_count: (out) (optional): how many batches match in all
 * @error: where to say what went wrong
 *
 * Returns: (transfer container) (element-type BrBatch): the page of
 *   batches, or %NULL with @error set
 */
GPtrArray *
br_client_list_batches_finish (BrClient      *self,
                               GAsyncResult  *result,
                               gint64        *total_count,
                               GError       **error)
{
  return steal_list_items (finish_pointer (self, result, br_client_list_batches_async, error), total_count);
}

/**
 * br_client_list_batches_full_async:
 * @self: a #BrClient
 * @query: (nullable): filters and paging, %NULL for the newest batches
 * @error_code: (nullable): only batches with at least one lead whose final
 *   result failed with this code (`GET /batch?error_code=`, capability
 *   `batches.error_code`); %NULL for no such filter
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Like br_client_list_batches_async(), with the extension filters. When
 * @error_code is set and the server is known to lack the capability, the
 * call fails with %BR_CLIENT_ERROR_UNSUPPORTED without sending anything.
 */
void
br_client_list_batches_full_async (BrClient            *self,
                                   const BrBatchQuery  *query,
                                   const char          *error_code,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (BR_IS_CLIENT (self));

  list_batches (self, br_client_list_batches_full_async, query, error_code, cancellable, callback, user_data);
}

/**
 * br_client_list_batches_full_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @total_count: (out) (optional): how many batches match in all
 * @error: where to say what went wrong
 *
 * Returns: (transfer container) (element-type BrBatch): the page of
 *   batches, or %NULL with @error set
 */
GPtrArray *
br_client_list_batches_full_finish (BrClient      *self,
                                    GAsyncResult  *result,
                                    gint64        *total_count,
                                    GError       **error)
{
  return steal_list_items (finish_pointer (self, result, br_client_list_batches_full_async, error), total_count);
}

/* Sends @method to /batch/{@batch_id}[/@action] through @task (taken). */
static void
batch_call (BrClient       *self,
            GTask          *task,
            const char     *method,
            const char     *batch_id,
            const char     *action,
            JsonNode       *body,
            ParseFunc       parse,
            GDestroyNotify  result_free)
{
  g_autofree char *escaped = escape_segment (batch_id);
  g_autofree char *path = NULL;

  path = action ? g_strdup_printf ("/batch/%s/%s", escaped, action) : g_strdup_printf ("/batch/%s", escaped);
  start_call (self, task, method, path, NULL, body, parse, result_free);
}

/**
 * br_client_get_batch_async:
 * @self: a #BrClient
 * @batch_id: the batch
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Fetches one batch (`GET /batch/{id}`).
 */
void
br_client_get_batch_async (BrClient            *self,
                           const char          *batch_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (BR_IS_CLIENT (self));
  g_return_if_fail (batch_id != NULL);

  batch_call (self, new_task (self, br_client_get_batch_async, cancellable, callback, user_data),
              "GET", batch_id, NULL, NULL, parse_batch, g_object_unref);
}

/**
 * br_client_get_batch_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @error: where to say what went wrong
 *
 * Returns: (transfer full): the batch, or %NULL with @error set
 */
BrBatch *
br_client_get_batch_finish (BrClient      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_pointer (self, result, br_client_get_batch_async, error);
}

static gpointer
parse_status (BrClient  *self,
              JsonNode  *root,
              GError   **error)
{
  JsonObject *obj = root_object (root, error);

  return obj ? json_object_ref (obj) : NULL;
}

/**
 * br_client_get_batch_status_async:
 * @self: a #BrClient
 * @batch_id: the batch
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Fetches `GET /batch/{id}/status`: progress, recent results and the
 * error summary, which every server has.
 */
void
br_client_get_batch_status_async (BrClient            *self,
                                  const char          *batch_id,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (BR_IS_CLIENT (self));
  g_return_if_fail (batch_id != NULL);

  batch_call (self, new_task (self, br_client_get_batch_status_async, cancellable, callback, user_data),
              "GET", batch_id, "status", NULL, parse_status, (GDestroyNotify) json_object_unref);
}

/**
 * br_client_get_batch_status_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @error: where to say what went wrong
 *
 * Returns: (transfer full): the status object as the server sent it, or
 *   %NULL with @error set
 */
JsonObject *
br_client_get_batch_status_finish (BrClient      *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_pointer (self, result, br_client_get_batch_status_async, error);
}

/**
 * br_client_pause_batch_async:
 * @self: a #BrClient
 * @batch_id: the batch
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Pauses a pending or running batch: no new lead starts; leads in flight
 * finish. Needs the "pause" capability.
 */
void
br_client_pause_batch_async (BrClient            *self,
                             const char          *batch_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));
  g_return_if_fail (batch_id != NULL);

  task = new_task (self, br_client_pause_batch_async, cancellable, callback, user_data);
  if (!check_capability (self, task, "pause", "pause batches"))
    {
      g_object_unref (task);
      return;
    }
  batch_call (self, task, "POST", batch_id, "pause", NULL, parse_batch, g_object_unref);
}

/**
 * br_client_pause_batch_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @error: where to say what went wrong
 *
 * Returns: (transfer full): the batch as it is now, or %NULL with @error set
 */
BrBatch *
br_client_pause_batch_finish (BrClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish_pointer (self, result, br_client_pause_batch_async, error);
}

/**
 * br_client_resume_batch_async:
 * @self: a #BrClient
 * @batch_id: the batch
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Resumes a paused batch. Needs the "pause" capability.
 */
void
br_client_resume_batch_async (BrClient            *self,
                              const char          *batch_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));
  g_return_if_fail (batch_id != NULL);

  task = new_task (self, br_client_resume_batch_async, cancellable, callback, user_data);
  if (!check_capability (self, task, "pause", "resume batches"))
    {
      g_object_unref (task);
      return;
    }
  batch_call (self, task, "POST", batch_id, "resume", NULL, parse_batch, g_object_unref);
}

/**
 * br_client_resume_batch_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @error: where to say what went wrong
 *
 * Returns: (transfer full): the batch as it is now, or %NULL with @error set
 */
BrBatch *
br_client_resume_batch_finish (BrClient      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish_pointer (self, result, br_client_resume_batch_async, error);
}

typedef struct
{
  BrBatch *batch;
  char    *message;
} CancelResult;

static void
cancel_result_free (CancelResult *cancel)
{
  g_clear_object (&cancel->batch);
  g_clear_pointer (&cancel->message, g_free);
  g_free (cancel);
}

static gpointer
parse_cancel (BrClient  *self,
              JsonNode  *root,
              GError   **error)
{
  JsonObject *obj = root_object (root, error);
  JsonObject *batch_obj = NULL;
  g_autoptr(BrBatch) batch = NULL;
  JsonNode *message;
  CancelResult *cancel;

  if (obj == NULL || !_br_json_get_object (obj, "batch", &batch_obj, error))
    return NULL;

  message = json_object_get_member (obj, "message");
  if (message != NULL && !JSON_NODE_HOLDS_NULL (message) &&
      (!JSON_NODE_HOLDS_VALUE (message) || json_node_get_value_type (message) != G_TYPE_STRING))
    {
      g_set_error_literal (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "“message” must be a string");
      return NULL;
    }

  /* Ours sends the batch; the FastAPI service only a message. */
  if (batch_obj != NULL && (batch = br_batch_new_from_json (batch_obj, error)) == NULL)
    {
      g_prefix_error (error, "batch: ");
      return NULL;
    }

  cancel = g_new0 (CancelResult, 1);
  cancel->batch = g_steal_pointer (&batch);
  cancel->message = message && !JSON_NODE_HOLDS_NULL (message) ? g_strdup (json_node_get_string (message)) : NULL;
  return cancel;
}

/**
 * br_client_cancel_batch_async:
 * @self: a #BrClient
 * @batch_id: the batch
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Cancels a pending, running or paused batch; its pending leads are
 * skipped.
 */
void
br_client_cancel_batch_async (BrClient            *self,
                              const char          *batch_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (BR_IS_CLIENT (self));
  g_return_if_fail (batch_id != NULL);

  batch_call (self, new_task (self, br_client_cancel_batch_async, cancellable, callback, user_data),
              "POST", batch_id, "cancel", NULL, parse_cancel, (GDestroyNotify) cancel_result_free);
}

/**
 * br_client_cancel_batch_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @batch: (out) (optional) (transfer full) (nullable): the batch as it is
 *   now, or %NULL from a server that does not send it (the FastAPI service)
 * @message: (out) (optional) (transfer full) (nullable): the server's message
 * @error: where to say what went wrong
 *
 * Returns: whether the batch was cancelled
 */
gboolean
br_client_cancel_batch_finish (BrClient      *self,
                               GAsyncResult  *result,
                               BrBatch      **batch,
                               char         **message,
                               GError       **error)
{
  CancelResult *cancel = finish_pointer (self, result, br_client_cancel_batch_async, error);

  if (batch != NULL)
    *batch = cancel ? g_steal_pointer (&cancel->batch) : NULL;
  if (message != NULL)
    *message = cancel ? g_steal_pointer (&cancel->message) : NULL;
  if (cancel == NULL)
    return FALSE;
  cancel_result_free (cancel);
  return TRUE;
}

/**
 * br_client_retry_batch_async:
 * @self: a #BrClient
 * @batch_id: the batch
 * @lead_ids: (nullable) (array zero-terminated=1): the failed leads to
 *   retry, %NULL for all of them
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Sends failed leads back to pending; a finished batch runs again. Needs
 * the "retry" capability.
 */
void
br_client_retry_batch_async (BrClient            *self,
                             const char          *batch_id,
                             const char * const  *lead_ids,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;
  JsonObject *obj;
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));
  g_return_if_fail (batch_id != NULL);

  task = new_task (self, br_client_retry_batch_async, cancellable, callback, user_data);
  if (!check_capability (self, task, "retry", "retry failed leads"))
    {
      g_object_unref (task);
      return;
    }

  obj = json_object_new ();
  if (lead_ids != NULL)
    json_object_set_member (obj, "lead_ids", strv_node (lead_ids));
  body = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);

  batch_call (self, task, "POST", batch_id, "retry", body, parse_batch, g_object_unref);
}

/**
 * br_client_retry_batch_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @error: where to say what went wrong
 *
 * Returns: (transfer full): the batch as it is now, or %NULL with @error set
 */
BrBatch *
br_client_retry_batch_finish (BrClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish_pointer (self, result, br_client_retry_batch_async, error);
}

/* Preview and start ------------------------------------------------------------- */

static gpointer
parse_preview (BrClient  *self,
               JsonNode  *root,
               GError   **error)
{
  JsonObject *obj = root_object (root, error);

  return obj ? br_preview_new_from_json (obj, error) : NULL;
}

/**
 * br_client_preview_async:
 * @self: a #BrClient
 * @lead_ids: (array zero-terminated=1): the leads (1 to 1000)
 * @template_version: (nullable): the template, %NULL for the default
 * @max_concurrent: for the duration estimate; 0 for the server's default
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Prices a batch of @lead_ids without starting it (`POST /batch/preview`).
 */
void
br_client_preview_async (BrClient            *self,
                         const char * const  *lead_ids,
                         const char          *template_version,
                         guint                max_concurrent,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;
  JsonObject *obj;
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));
  g_return_if_fail (lead_ids != NULL);

  obj = json_object_new ();
  json_object_set_member (obj, "lead_ids", strv_node (lead_ids));
  if (template_version != NULL)
    json_object_set_string_member (obj, "template_version", template_version);
  if (max_concurrent > 0)
    json_object_set_int_member (obj, "max_concurrent", max_concurrent);
  body = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);

  task = new_task (self, br_client_preview_async, cancellable, callback, user_data);
  start_call (self, task, "POST", "/batch/preview", NULL, body, parse_preview, g_object_unref);
}

/**
 * br_client_preview_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @error: where to say what went wrong
 *
 * Returns: (transfer full): the cost preview, or %NULL with @error set
 */
BrPreview *
br_client_preview_finish (BrClient      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return finish_pointer (self, result, br_client_preview_async, error);
}

/**
 * br_client_start_batch_async:
 * @self: a #BrClient
 * @request: what to start
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Starts a batch (`POST /batch/start`). The server refuses it unless
 * @request has `cost_approved` and an `estimated_cost_usd` that matches
 * its current price of the leads.
 */
void
br_client_start_batch_async (BrClient              *self,
                             const BrStartRequest  *request,
                             GCancellable          *cancellable,
                             GAsyncReadyCallback    callback,
                             gpointer               user_data)
{
  g_autoptr(JsonNode) body = NULL;
  JsonObject *obj;
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (request->lead_ids != NULL);

  obj = json_object_new ();
  json_object_set_member (obj, "lead_ids", strv_node (request->lead_ids));
  if (request->name != NULL)
    json_object_set_string_member (obj, "name", request->name);
  if (request->description != NULL)
    json_object_set_string_member (obj, "description", request->description);
  if (request->template_version != NULL)
    json_object_set_string_member (obj, "template_version", request->template_version);
  json_object_set_double_member (obj, "estimated_cost_usd", request->estimated_cost_usd);
  json_object_set_boolean_member (obj, "cost_approved", request->cost_approved);
  if (request->max_concurrent > 0)
    json_object_set_int_member (obj, "max_concurrent", request->max_concurrent);
  json_object_set_boolean_member (obj, "retry_failed", request->retry_failed);
  if (request->retry_count >= 0)
    json_object_set_int_member (obj, "retry_count", request->retry_count);
  if (request->created_by != NULL)
    json_object_set_string_member (obj, "created_by", request->created_by);
  body = json_node_init_object (json_node_alloc (), obj);
  json_object_unref (obj);

  task = new_task (self, br_client_start_batch_async, cancellable, callback, user_data);
  start_call (self, task, "POST", "/batch/start", NULL, body, parse_batch, g_object_unref);
}

/**
 * br_client_start_batch_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @error: where to say what went wrong
 *
 * Returns: (transfer full): the new batch, or %NULL with @error set
 */
BrBatch *
br_client_start_batch_finish (BrClient      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish_pointer (self, result, br_client_start_batch_async, error);
}

/* Leads ------------------------------------------------------------------------ */

static gpointer
parse_results (BrClient  *self,
               JsonNode  *root,
               GError   **error)
{
  return decode_list (root, "results", (DecodeFunc) br_lead_result_new_from_json, error);
}

/**
 * br_client_list_batch_leads_async:
 * @self: a #BrClient
 * @batch_id: the batch
 * @status: only results with this status; %BR_LEAD_STATUS_UNKNOWN for all
 * @skip: results to skip
 * @limit: results to return, 0 for the server's default
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Lists what became of each lead of a batch (`GET /batch/{id}/leads`).
 * Needs the "leads" capability.
 */
void
br_client_list_batch_leads_async (BrClient            *self,
                                  const char          *batch_id,
                                  BrLeadStatus         status,
                                  guint                skip,
                                  guint                limit,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GString) q = g_string_new (NULL);
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));
  g_return_if_fail (batch_id != NULL);

  task = new_task (self, br_client_list_batch_leads_async, cancellable, callback, user_data);
  if (!check_capability (self, task, "leads", "list the leads of a batch"))
    {
      g_object_unref (task);
      return;
    }

  query_add (q, "status", br_lead_status_to_string (status));
  if (skip > 0)
    query_add_uint (q, "skip", skip);
  if (limit > 0)
    query_add_uint (q, "limit", limit);

  escaped = escape_segment (batch_id);
  path = g_strdup_printf ("/batch/%s/leads", escaped);
  start_call (self, task, "GET", path, q->str, NULL, parse_results, (GDestroyNotify) list_result_free);
}

/**
 * br_client_list_batch_leads_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @total_count: (out) (optional): how many results match in all
 * @error: where to say what went wrong
 *
 * Returns: (transfer container) (element-type BrLeadResult): the page of
 *   results, or %NULL with @error set
 */
GPtrArray *
br_client_list_batch_leads_finish (BrClient      *self,
                                   GAsyncResult  *result,
                                   gint64        *total_count,
                                   GError       **error)
{
  return steal_list_items (finish_pointer (self, result, br_client_list_batch_leads_async, error), total_count);
}

static gpointer
parse_leads (BrClient  *self,
             JsonNode  *root,
             GError   **error)
{
  return decode_list (root, "leads", (DecodeFunc) br_lead_new_from_json, error);
}

/**
 * br_client_list_leads_async:
 * @self: a #BrClient
 * @search: (nullable): text to look for in name, domain, e-mail, contact
 * @source: (nullable): only leads from this source
 * @industry: (nullable): only leads of this industry
 * @enrichment_status: only leads with this status;
 *   %BR_ENRICHMENT_STATUS_UNKNOWN for all
 * @skip: leads to skip
 * @limit: leads to return, 0 for the server's default
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Lists leads (`GET /leads`). Needs the "leads" capability.
 */
void
br_client_list_leads_async (BrClient            *self,
                            const char          *search,
                            const char          *source,
                            const char          *industry,
                            BrEnrichmentStatus   enrichment_status,
                            guint                skip,
                            guint                limit,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GString) q = g_string_new (NULL);
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));

  task = new_task (self, br_client_list_leads_async, cancellable, callback, user_data);
  if (!check_capability (self, task, "leads", "list leads"))
    {
      g_object_unref (task);
      return;
    }

  if (search != NULL && *search != '\0')
    query_add (q, "search", search);
  query_add (q, "source", source);
  query_add (q, "industry", industry);
  query_add (q, "enrichment_status", br_enrichment_status_to_string (enrichment_status));
  if (skip > 0)
    query_add_uint (q, "skip", skip);
  if (limit > 0)
    query_add_uint (q, "limit", limit);

  start_call (self, task, "GET", "/leads", q->str, NULL, parse_leads, (GDestroyNotify) list_result_free);
}

/**
 * br_client_list_leads_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @total_count: (out) (optional): how many leads match in all
 * @error: where to say what went wrong
 *
 * Returns: (transfer container) (element-type BrLead): the page of leads,
 *   or %NULL with @error set
 */
GPtrArray *
br_client_list_leads_finish (BrClient      *self,
                             GAsyncResult  *result,
                             gint64        *total_count,
                             GError       **error)
{
  return steal_list_items (finish_pointer (self, result, br_client_list_leads_async, error), total_count);
}

typedef struct
{
  guint      imported;
  GPtrArray *rejected;
} ImportResult;

static void
import_result_free (ImportResult *import)
{
  g_clear_pointer (&import->rejected, g_ptr_array_unref);
  g_free (import);
}

static gpointer
parse_import (BrClient  *self,
              JsonNode  *root,
              GError   **error)
{
  JsonObject *obj = root_object (root, error);
  g_autoptr(GPtrArray) rejected = g_ptr_array_new_with_free_func ((GDestroyNotify) br_import_rejection_free);
  JsonArray *array = NULL;
  JsonNode *imported_node;
  gint64 imported = 0;
  ImportResult *import;

  if (obj == NULL)
    return NULL;
  imported_node = json_object_get_member (obj, "imported");
  if (imported_node == NULL)
    {
      g_set_error_literal (error, BR_DECODE_ERROR, BR_DECODE_ERROR_MISSING, "“imported” is missing");
      return NULL;
    }
  if (!_br_json_node_get_int (imported_node, "imported", &imported, error) ||
      !_br_json_get_array (obj, "rejected", &array, error))
    return NULL;
  if (imported < 0 || imported > G_MAXUINT)
    {
      g_set_error_literal (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE, "“imported” is out of range");
      return NULL;
    }

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(BrImportRejection) rejection = NULL;
      g_autofree char *index_what = g_strdup_printf ("rejected[%u].index", i);
      JsonObject *item;
      JsonNode *index_node, *detail_node;
      gint64 index = 0;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "“rejected[%u]” must be an object", i);
          return NULL;
        }
      item = json_node_get_object (element);
      index_node = json_object_get_member (item, "index");
      detail_node = json_object_get_member (item, "detail");
      if (index_node == NULL)
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_MISSING, "“%s” is missing", index_what);
          return NULL;
        }
      if (!_br_json_node_get_int (index_node, index_what, &index, error))
        return NULL;
      if (index < 0 || index > G_MAXUINT)
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE, "“%s” is out of range", index_what);
          return NULL;
        }
      if (detail_node != NULL && !JSON_NODE_HOLDS_NULL (detail_node) &&
          (!JSON_NODE_HOLDS_VALUE (detail_node) || json_node_get_value_type (detail_node) != G_TYPE_STRING))
        {
          g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "“rejected[%u].detail” must be a string", i);
          return NULL;
        }

      rejection = g_new0 (BrImportRejection, 1);
      rejection->index = (guint) index;
      rejection->detail = g_strdup (detail_node && !JSON_NODE_HOLDS_NULL (detail_node)
                                    ? json_node_get_string (detail_node) : NULL);
      g_ptr_array_add (rejected, g_steal_pointer (&rejection));
    }

  import = g_new0 (ImportResult, 1);
  import->imported = (guint) imported;
  import->rejected = g_steal_pointer (&rejected);
  return import;
}

/**
 * br_client_import_leads_async:
 * @self: a #BrClient
 * @leads: an array of Lead objects (see br_lead_to_json(); `id` optional:
 *   an existing id updates that lead)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Imports leads (`POST /leads`). Needs the "leads" capability.
 */
void
br_client_import_leads_async (BrClient            *self,
                              JsonArray           *leads,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));
  g_return_if_fail (leads != NULL);

  task = new_task (self, br_client_import_leads_async, cancellable, callback, user_data);
  if (!check_capability (self, task, "leads", "import leads"))
    {
      g_object_unref (task);
      return;
    }

  body = json_node_init_array (json_node_alloc (), leads);
  start_call (self, task, "POST", "/leads", NULL, body, parse_import, (GDestroyNotify) import_result_free);
}

/**
 * br_client_import_leads_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @imported: (out) (optional): how many leads were imported
 * @rejected: (out) (optional) (transfer container) (element-type BrImportRejection):
 *   the leads refused, and why
 * @error: where to say what went wrong
 *
 * Returns: whether the server took the request (some leads may still
 *   have been rejected)
 */
gboolean
br_client_import_leads_finish (BrClient      *self,
                               GAsyncResult  *result,
                               guint         *imported,
                               GPtrArray    **rejected,
                               GError       **error)
{
  ImportResult *import = finish_pointer (self, result, br_client_import_leads_async, error);

  if (imported != NULL)
    *imported = import ? import->imported : 0;
  if (rejected != NULL)
    *rejected = import ? g_steal_pointer (&import->rejected) : NULL;
  if (import == NULL)
    return FALSE;
  import_result_free (import);
  return TRUE;
}

/* Templates, analytics, audit --------------------------------------------------- */

static gpointer
parse_templates (BrClient  *self,
                 JsonNode  *root,
                 GError   **error)
{
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error_literal (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "the answer must be a JSON array");
      return NULL;
    }
  return decode_array (json_node_get_array (root), "templates", (DecodeFunc) br_template_new_from_json, error);
}

/**
 * br_client_list_templates_async:
 * @self: a #BrClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Lists the report templates (`GET /templates`). Needs the "templates"
 * capability.
 */
void
br_client_list_templates_async (BrClient            *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));

  task = new_task (self, br_client_list_templates_async, cancellable, callback, user_data);
  if (!check_capability (self, task, "templates", "list templates"))
    {
      g_object_unref (task);
      return;
    }
  start_call (self, task, "GET", "/templates", NULL, NULL, parse_templates, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * br_client_list_templates_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @error: where to say what went wrong
 *
 * Returns: (transfer container) (element-type BrTemplate): the templates,
 *   or %NULL with @error set
 */
GPtrArray *
br_client_list_templates_finish (BrClient      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish_pointer (self, result, br_client_list_templates_async, error);
}

static gpointer
parse_analytics (BrClient  *self,
                 JsonNode  *root,
                 GError   **error)
{
  JsonObject *obj = root_object (root, error);

  return obj ? br_analytics_new_from_json (obj, error) : NULL;
}

/**
 * br_client_get_analytics_async:
 * @self: a #BrClient
 * @days: the period, 1 to 90 days; 0 for the server's default (7)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Fetches `GET /batch/analytics`.
 */
void
br_client_get_analytics_async (BrClient            *self,
                               guint                days,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GString) q = g_string_new (NULL);
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));

  if (days > 0)
    query_add_uint (q, "days", days);
  task = new_task (self, br_client_get_analytics_async, cancellable, callback, user_data);
  start_call (self, task, "GET", "/batch/analytics", q->str, NULL, parse_analytics, g_object_unref);
}

/**
 * br_client_get_analytics_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @error: where to say what went wrong
 *
 * Returns: (transfer full): the analytics, or %NULL with @error set
 */
BrAnalytics *
br_client_get_analytics_finish (BrClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return finish_pointer (self, result, br_client_get_analytics_async, error);
}

static gpointer
parse_audit (BrClient  *self,
             JsonNode  *root,
             GError   **error)
{
  JsonObject *obj = root_object (root, error);
  JsonNode *entries;
  JsonArray *array;
  ListResult *list;
  gint64 total;

  if (obj == NULL)
    return NULL;
  entries = json_object_get_member (obj, "entries");
  if (entries == NULL || !JSON_NODE_HOLDS_ARRAY (entries))
    {
      g_set_error_literal (error, BR_DECODE_ERROR, entries ? BR_DECODE_ERROR_TYPE : BR_DECODE_ERROR_MISSING,
                           "“entries” must be an array");
      return NULL;
    }
  array = json_node_get_array (entries);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)))
      {
        g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE, "“entries[%u]” must be an object", i);
        return NULL;
      }
  if (!decode_total (obj, json_array_get_length (array), &total, error))
    return NULL;

  list = g_new0 (ListResult, 1);
  list->array = json_array_ref (array);
  list->total = total;
  return list;
}

/**
 * br_client_list_audit_async:
 * @self: a #BrClient
 * @batch_id: (nullable): only entries about this batch
 * @skip: entries to skip
 * @limit: entries to return, 0 for the server's default
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server has answered
 * @user_data: data for @callback
 *
 * Lists who did what, newest first (`GET /audit`). Needs the "audit"
 * capability.
 */
void
br_client_list_audit_async (BrClient            *self,
                            const char          *batch_id,
                            guint                skip,
                            guint                limit,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GString) q = g_string_new (NULL);
  GTask *task;

  g_return_if_fail (BR_IS_CLIENT (self));

  task = new_task (self, br_client_list_audit_async, cancellable, callback, user_data);
  if (!check_capability (self, task, "audit", "show the audit log"))
    {
      g_object_unref (task);
      return;
    }

  query_add (q, "batch_id", batch_id);
  if (skip > 0)
    query_add_uint (q, "skip", skip);
  if (limit > 0)
    query_add_uint (q, "limit", limit);
  start_call (self, task, "GET", "/audit", q->str, NULL, parse_audit, (GDestroyNotify) list_result_free);
}

/**
 * br_client_list_audit_finish:
 * @self: a #BrClient
 * @result: the #GAsyncResult
 * @total_count: (out) (optional): how many entries match in all
 * @error: where to say what went wrong
 *
 * Returns: (transfer full): the audit entries as the server sent them
 *   (objects with `id, timestamp, actor, role, action, batch_id, detail`),
 *   or %NULL with @error set
 */
JsonArray *
br_client_list_audit_finish (BrClient      *self,
                             GAsyncResult  *result,
                             gint64        *total_count,
                             GError       **error)
{
  ListResult *list = finish_pointer (self, result, br_client_list_audit_async, error);
  JsonArray *array;

  if (list == NULL)
    return NULL;
  if (total_count != NULL)
    *total_count = list->total;
  array = g_steal_pointer (&list->array);
  list_result_free (list);
  return array;
}
