/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-connection"

#include "config.h"

#include "brm-connection.h"

struct _BrmConnection
{
  GObject       parent_instance;

  BrClient     *client;
  BrBatchStore *store;
  BrLiveFeed   *feed;
  BrController *controller;
  GStrv         capabilities;
};

G_DEFINE_FINAL_TYPE (BrmConnection, brm_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_STORE,
  PROP_FEED,
  PROP_CONTROLLER,
  PROP_CAPABILITIES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
strv_equal (const char * const *a,
            const char * const *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strv_equal (a, b);
}

/* The feed learns the capabilities from /health at every (re)connection;
 * a server can be replaced by an older one behind the same address, so
 * they are compared every time rather than read once. */
static void
refresh_capabilities (BrmConnection *self)
{
  g_auto(GStrv) caps = br_live_feed_dup_capabilities (self->feed);

  if (caps == NULL || strv_equal ((const char * const *) caps, (const char * const *) self->capabilities))
    return;

  g_strfreev (self->capabilities);
  self->capabilities = g_steal_pointer (&caps);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPABILITIES]);
}

static void
feed_state_cb (BrmConnection *self)
{
  refresh_capabilities (self);
}

static void
feed_health_cb (BrmConnection *self)
{
  refresh_capabilities (self);
}

static void
brm_connection_dispose (GObject *object)
{
  BrmConnection *self = BRM_CONNECTION (object);

  if (self->feed != NULL)
    br_live_feed_stop (self->feed);
  g_clear_object (&self->controller);
  g_clear_object (&self->feed);
  g_clear_object (&self->store);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (brm_connection_parent_class)->dispose (object);
}

static void
brm_connection_finalize (GObject *object)
{
  BrmConnection *self = BRM_CONNECTION (object);

  g_clear_pointer (&self->capabilities, g_strfreev);

  G_OBJECT_CLASS (brm_connection_parent_class)->finalize (object);
}

static void
brm_connection_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BrmConnection *self = BRM_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_FEED:
      g_value_set_object (value, self->feed);
      break;
    case PROP_CONTROLLER:
      g_value_set_object (value, self->controller);
      break;
    case PROP_CAPABILITIES:
      g_value_set_boxed (value, self->capabilities);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_connection_class_init (BrmConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = brm_connection_dispose;
  object_class->finalize = brm_connection_finalize;
  object_class->get_property = brm_connection_get_property;

  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, BR_TYPE_CLIENT, ro);
  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, BR_TYPE_BATCH_STORE, ro);
  properties[PROP_FEED] = g_param_spec_object ("feed", NULL, NULL, BR_TYPE_LIVE_FEED, ro);
  properties[PROP_CONTROLLER] = g_param_spec_object ("controller", NULL, NULL, BR_TYPE_CONTROLLER, ro);
  /**
   * BrmConnection:capabilities:
   *
   * The server's `capabilities` from /health; %NULL until known. A server
   * without the field (the FastAPI service) gives an empty list.
   */
  properties[PROP_CAPABILITIES] = g_param_spec_boxed ("capabilities", NULL, NULL, G_TYPE_STRV, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_connection_init (BrmConnection *self)
{
}

/**
 * brm_connection_new:
 * @base_url: the service, such as `http://127.0.0.1:8600`
 * @base_path: (nullable): the API path, `/api/v1` when %NULL
 * @token: (nullable): the bearer token
 *
 * Returns: (transfer full): a connection, not started yet
 */
BrmConnection *
brm_connection_new (const char *base_url,
                    const char *base_path,
                    const char *token)
{
  BrmConnection *self;

  g_return_val_if_fail (base_url != NULL, NULL);

  if (base_path == NULL || *base_path == '\0')
    base_path = "/api/v1";

  self = g_object_new (BRM_TYPE_CONNECTION, NULL);
  self->client = br_client_new (base_url);
  br_client_set_base_path (self->client, base_path);
  self->store = br_batch_store_new ();
  self->feed = br_live_feed_new (br_client_get_session (self->client), base_url, base_path, self->store);
  self->controller = br_controller_new (self->client, self->store, self->feed);
  brm_connection_set_token (self, token);

  g_signal_connect_object (self->feed, "notify::state", G_CALLBACK (feed_state_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->feed, "health", G_CALLBACK (feed_health_cb), self, G_CONNECT_SWAPPED);
  return self;
}

BrClient *
brm_connection_get_client (BrmConnection *self)
{
  g_return_val_if_fail (BRM_IS_CONNECTION (self), NULL);
  return self->client;
}

BrBatchStore *
brm_connection_get_store (BrmConnection *self)
{
  g_return_val_if_fail (BRM_IS_CONNECTION (self), NULL);
  return self->store;
}

BrLiveFeed *
brm_connection_get_feed (BrmConnection *self)
{
  g_return_val_if_fail (BRM_IS_CONNECTION (self), NULL);
  return self->feed;
}

BrController *
brm_connection_get_controller (BrmConnection *self)
{
  g_return_val_if_fail (BRM_IS_CONNECTION (self), NULL);
  return self->controller;
}

const char *
brm_connection_get_base_url (BrmConnection *self)
{
  g_return_val_if_fail (BRM_IS_CONNECTION (self), NULL);
  return br_client_get_base_url (self->client);
}

const char *
brm_connection_get_base_path (BrmConnection *self)
{
  g_return_val_if_fail (BRM_IS_CONNECTION (self), NULL);
  return br_client_get_base_path (self->client);
}

void
brm_connection_set_token (BrmConnection *self,
                          const char    *token)
{
  g_return_if_fail (BRM_IS_CONNECTION (self));

  if (token != NULL && *token == '\0')
    token = NULL;
  br_client_set_token (self->client, token);
  br_live_feed_set_token (self->feed, token);
}

void
brm_connection_start (BrmConnection *self)
{
  g_return_if_fail (BRM_IS_CONNECTION (self));
  br_live_feed_start (self->feed);
}

void
brm_connection_stop (BrmConnection *self)
{
  g_return_if_fail (BRM_IS_CONNECTION (self));
  br_live_feed_stop (self->feed);
}

const char * const *
brm_connection_get_capabilities (BrmConnection *self)
{
  g_return_val_if_fail (BRM_IS_CONNECTION (self), NULL);
  return (const char * const *) self->capabilities;
}

gboolean
brm_connection_has_capability (BrmConnection *self,
                               const char    *capability)
{
  g_return_val_if_fail (BRM_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  return self->capabilities != NULL && g_strv_contains ((const char * const *) self->capabilities, capability);
}
