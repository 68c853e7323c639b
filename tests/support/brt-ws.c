/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brt-ws"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "brt-ws.h"

struct _BrtWs
{
  SoupSession             *session;
  SoupWebsocketConnection *conn;
  GPtrArray               *log;      /* JsonObject, everything received */
  guint                    cursor;   /* next message not yet returned by a wait */
  gboolean                 closed;
};

static void
on_message (SoupWebsocketConnection *conn,
            gint                     type,
            GBytes                  *message,
            gpointer                 user_data)
{
  BrtWs *self = user_data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  if (json_parser_load_from_data (parser, data, len, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_ptr_array_add (self->log, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
  else
    g_error ("The server sent a message that is not a JSON object: %.*s", (int) MIN (len, 200), data);
}

static void
on_closed (SoupWebsocketConnection *conn,
           gpointer                 user_data)
{
  ((BrtWs *) user_data)->closed = TRUE;
}

typedef struct
{
  SoupWebsocketConnection *conn;
  GError                  *error;
  gboolean                 done;
} Connect;

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Connect *c = user_data;

  c->conn = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &c->error);
  c->done = TRUE;
}

static gboolean
connect_done (gpointer data)
{
  return ((Connect *) data)->done;
}

BrtWs *
brt_ws_connect (BrtDaemon   *daemon,
                const char  *path,
                const char  *token,
                GError     **error)
{
  g_autofree char *http = g_strconcat (brt_daemon_get_url (daemon), path, NULL);
  g_autofree char *url = g_strconcat ("ws", http + strlen ("http"), NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(SoupSession) session = soup_session_new ();
  Connect c = { 0 };
  BrtWs *self;

  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }

  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, connect_cb, &c);
  if (!brt_wait_until (connect_done, &c, 10000))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "WebSocket connect to %s timed out", url);
      return NULL;
    }
  if (c.conn == NULL)
    {
      g_propagate_error (error, c.error);
      return NULL;
    }

  self = g_new0 (BrtWs, 1);
  self->session = g_steal_pointer (&session);
  self->conn = c.conn;
  self->log = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  soup_websocket_connection_set_max_incoming_payload_size (self->conn, 0);
  g_signal_connect (self->conn, "message", G_CALLBACK (on_message), self);
  g_signal_connect (self->conn, "closed", G_CALLBACK (on_closed), self);
  return self;
}

void
brt_ws_send (BrtWs      *self,
             const char *text)
{
  soup_websocket_connection_send_text (self->conn, text);
}

void
brt_ws_send_bytes (BrtWs      *self,
                   gboolean    binary,
                   const void *data,
                   gsize       len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);

  soup_websocket_connection_send_message (self->conn,
                                          binary ? SOUP_WEBSOCKET_DATA_BINARY : SOUP_WEBSOCKET_DATA_TEXT,
                                          bytes);
}

typedef struct
{
  BrtWs      *ws;
  gboolean  (*match) (JsonObject *, gpointer);
  gpointer    data;
  JsonObject *found;
} Wait;

static gboolean
wait_check (gpointer user_data)
{
  Wait *w = user_data;

  while (w->found == NULL && w->ws->cursor < w->ws->log->len)
    {
      JsonObject *msg = g_ptr_array_index (w->ws->log, w->ws->cursor++);

      if (w->match (msg, w->data))
        w->found = json_object_ref (msg);
    }
  return w->found != NULL || w->ws->closed;
}

JsonObject *
brt_ws_wait_match (BrtWs       *self,
                   gboolean   (*match) (JsonObject *msg, gpointer data),
                   gpointer     data,
                   guint        timeout_ms)
{
  Wait w = { self, match, data, NULL };

  brt_wait_until (wait_check, &w, timeout_ms);
  return w.found;
}

static gboolean
type_matches (JsonObject *msg,
              gpointer    data)
{
  return g_strcmp0 (json_object_get_string_member_with_default (msg, "type", NULL), data) == 0;
}

JsonObject *
brt_ws_wait_type (BrtWs      *self,
                  const char *type,
                  guint       timeout_ms)
{
  return brt_ws_wait_match (self, type_matches, (gpointer) type, timeout_ms);
}

GPtrArray *
brt_ws_get_log (BrtWs *self)
{
  return self->log;
}

gboolean
brt_ws_is_open (BrtWs *self)
{
  return !self->closed && soup_websocket_connection_get_state (self->conn) == SOUP_WEBSOCKET_STATE_OPEN;
}

static gboolean
is_closed (gpointer data)
{
  return ((BrtWs *) data)->closed;
}

void
brt_ws_close (BrtWs *self)
{
  if (brt_ws_is_open (self))
    {
      soup_websocket_connection_close (self->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      brt_wait_until (is_closed, self, 2000);
    }
}

void
brt_ws_free (BrtWs *self)
{
  if (self == NULL)
    return;

  brt_ws_close (self);
  g_signal_handlers_disconnect_by_data (self->conn, self);
  g_clear_object (&self->conn);
  g_clear_object (&self->session);
  g_ptr_array_unref (self->log);
  g_free (self);
}
