/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-api"

#include "config.h"

#include <string.h>

#include "brd-api.h"
#include "brd-http.h"

#define API_BASE "/api/v1"

struct _BrdApi
{
  BrdConfig  *config;
  SoupServer *server;
  char       *base_url;
};

typedef struct
{
  BrdApi            *api;
  SoupServerMessage *msg;
  const char        *method;
  const char        *path;   /* below API_BASE */
  BrdRole            role;
  const char        *who;
} BrdRequest;

/* Compares tokens in time independent of where they first differ. */
static gboolean
token_equal (const char *a,
             const char *b)
{
  gsize la = strlen (a);
  gsize lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < la && i < lb; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];

  return diff == 0;
}

static BrdRole
authenticate (BrdApi             *self,
              SoupServerMessage  *msg,
              const char        **who)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");

  /* With no tokens configured the daemon only listens on loopback (the
   * config refuses anything else), and local callers are trusted. */
  if (self->config->tokens->len == 0)
    {
      *who = "local";
      return BRD_ROLE_ADMIN;
    }

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return BRD_ROLE_NONE;

  auth += 7;
  while (*auth == ' ')
    auth++;

  for (guint i = 0; i < self->config->tokens->len; i++)
    {
      const BrdToken *token = g_ptr_array_index (self->config->tokens, i);

      if (token_equal (token->token, auth))
        {
          *who = token->name;
          return token->role;
        }
    }

  return BRD_ROLE_NONE;
}

static gboolean
require_role (BrdRequest *req,
              BrdRole     needed)
{
  if (req->role == BRD_ROLE_NONE)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "WWW-Authenticate", "Bearer");
      brd_http_reply_error (req->msg, SOUP_STATUS_UNAUTHORIZED, "UNAUTHORIZED",
                            "Missing or invalid bearer token");
      return FALSE;
    }

  if (req->role < needed)
    {
      brd_http_reply_error (req->msg, SOUP_STATUS_FORBIDDEN, "FORBIDDEN",
                            "This needs the %s role; the token has %s",
                            brd_role_to_string (needed), brd_role_to_string (req->role));
      return FALSE;
    }

  return TRUE;
}

static void
handle_health (BrdRequest *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *now = brd_http_now_iso8601 ();

  if (!require_role (req, BRD_ROLE_VIEWER))
    return;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "healthy");
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, now);
  json_builder_set_member_name (b, "database");
  json_builder_add_string_value (b, "connected");
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, "Batch Runner service is running");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_end_object (b);
  node = json_builder_get_root (b);

  brd_http_reply_json (req->msg, SOUP_STATUS_OK, node);
}

static void
api_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  BrdApi *self = user_data;
  BrdRequest req = { self, msg, soup_server_message_get_method (msg), NULL, 0, NULL };

  req.role = authenticate (self, msg, &req.who);

  if (g_str_has_prefix (path, API_BASE))
    req.path = path + strlen (API_BASE);
  else
    req.path = path;

  if (g_str_equal (req.path, "/health") && g_str_equal (req.method, "GET"))
    handle_health (&req);
  else
    brd_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", "No such endpoint: %s %s",
                          req.method, path);
}

BrdApi *
brd_api_new (BrdConfig   *config,
             SoupServer  *server,
             GError     **error)
{
  BrdApi *self = g_new0 (BrdApi, 1);

  self->config = config;
  self->server = g_object_ref (server);

  soup_server_add_handler (server, NULL, api_handler, self, NULL);

  return self;
}

void
brd_api_free (BrdApi *self)
{
  if (self == NULL)
    return;

  soup_server_remove_handler (self->server, NULL);
  g_clear_object (&self->server);
  g_free (self->base_url);
  g_free (self);
}

void
brd_api_set_base_url (BrdApi     *self,
                      const char *url)
{
  g_free (self->base_url);
  self->base_url = g_strdup (url);
}

void
brd_api_shutdown_async (BrdApi              *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_return_boolean (task, TRUE);
}

gboolean
brd_api_shutdown_finish (BrdApi        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
