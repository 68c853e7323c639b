/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-token-store"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <string.h>

#include "brm-token-store.h"

struct _BrmTokenStore
{
  GObject       parent_instance;

  /* server URL → token: what this run stored or read, so a keyring-less
   * session still works and lookups after a store need no round trip. */
  GHashTable   *memory;
  GCancellable *probe;
  guint         persistent : 1;
};

G_DEFINE_FINAL_TYPE (BrmTokenStore, brm_token_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PERSISTENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const SecretSchema token_schema = {
  "io.github.batchrunner.Monitor.Token", SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

typedef enum
{
  OP_LOOKUP,
  OP_STORE,
  OP_CLEAR,
} OpKind;

typedef struct
{
  OpKind  kind;
  char   *server;
  char   *token;
} Op;

/* Tokens are secrets: overwrite them before the memory goes back. */
static void
wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

static void
op_free (Op *op)
{
  g_free (op->server);
  wipe_free (op->token);
  g_free (op);
}

static void
set_persistent (BrmTokenStore *self,
                gboolean       persistent)
{
  persistent = !!persistent;
  if (self->persistent == persistent)
    return;
  self->persistent = persistent;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSISTENT]);
}

/* Errors meaning "there is no Secret Service to talk to" (no session bus,
 * nobody owns org.freedesktop.secrets, it went away), as opposed to
 * errors of the request itself. */
static gboolean
is_unavailable (const GError *error)
{
  if (error->domain == G_DBUS_ERROR)
    return TRUE;
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static GHashTable *
attributes_for (const char *server)
{
  GHashTable *attrs = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attrs, (gpointer) "server", (gpointer) server);
  return attrs;
}

/* What an operation amounts to when only memory is left. */
static void
return_from_memory (GTask *task)
{
  BrmTokenStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  if (op->kind == OP_LOOKUP)
    g_task_return_pointer (task, g_strdup (g_hash_table_lookup (self->memory, op->server)), g_free);
  else
    g_task_return_boolean (task, TRUE);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BrmTokenStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SecretValue *value;
  const char *text;

  value = secret_service_lookup_finish (SECRET_SERVICE (object), result, &error);
  if (error != NULL)
    {
      if (!is_unavailable (error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_debug ("Secret Service unavailable: %s", error->message);
      set_persistent (self, FALSE);
      return_from_memory (task);
      return;
    }

  if (value == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  text = secret_value_get_text (value);
  if (text != NULL && *text != '\0')
    {
      g_hash_table_replace (self->memory, g_strdup (op->server), g_strdup (text));
      g_task_return_pointer (task, g_strdup (text), g_free);
    }
  else
    g_task_return_pointer (task, NULL, NULL);
  secret_value_unref (value);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BrmTokenStore *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!secret_service_store_finish (SECRET_SERVICE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* No default collection, a locked keyring whose prompt was
       * dismissed…: the token is already in memory, so the session goes
       * on, and the UI learns that it will not outlive it. */
      g_debug ("Could not save the token in the keyring: %s", error->message);
      set_persistent (self, FALSE);
    }
  g_task_return_boolean (task, TRUE);
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BrmTokenStore *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  /* FALSE without an error means there was nothing to remove. */
  if (!secret_service_clear_finish (SECRET_SERVICE (object), result, &error) && error != NULL)
    {
      if (!is_unavailable (error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      set_persistent (self, FALSE);
    }
  g_task_return_boolean (task, TRUE);
}

static void
service_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BrmTokenStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attrs = NULL;
  g_autoptr(GError) error = NULL;
  /* Read before the task is handed on: argument order is unspecified. */
  GCancellable *cancellable = g_task_get_cancellable (task);

  service = secret_service_get_finish (result, &error);
  if (service == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_debug ("No Secret Service: %s", error->message);
      set_persistent (self, FALSE);
      return_from_memory (task);
      return;
    }

  set_persistent (self, TRUE);
  attrs = attributes_for (op->server);

  switch (op->kind)
    {
    case OP_LOOKUP:
      secret_service_lookup (service, &token_schema, attrs, cancellable,
                             lookup_cb, g_steal_pointer (&task));
      break;
    case OP_STORE:
      {
        g_autofree char *label = g_strdup_printf (_("Batch Runner token for %s"), op->server);
        SecretValue *value = secret_value_new (op->token, -1, "text/plain");

        secret_service_store (service, &token_schema, attrs, SECRET_COLLECTION_DEFAULT, label, value,
                              cancellable, store_cb, g_steal_pointer (&task));
        secret_value_unref (value);
      }
      break;
    case OP_CLEAR:
      secret_service_clear (service, &token_schema, attrs, cancellable,
                            clear_cb, g_steal_pointer (&task));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(BrmTokenStore) self = g_weak_ref_get (weak);
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (weak);
  g_free (weak);

  /* The probe does not keep the store alive: it may be gone. */
  service = secret_service_get_finish (result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (service == NULL)
    g_debug ("No Secret Service: %s", error->message);
  set_persistent (self, service != NULL);
}

static void
run_op (BrmTokenStore       *self,
        Op                  *op,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data,
        gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);

  switch (op->kind)
    {
    case OP_LOOKUP:
      if (g_hash_table_contains (self->memory, op->server))
        {
          return_from_memory (task);
          return;
        }
      break;
    case OP_STORE:
      g_hash_table_replace (self->memory, g_strdup (op->server), g_strdup (op->token));
      break;
    case OP_CLEAR:
      g_hash_table_remove (self->memory, op->server);
      break;
    default:
      g_assert_not_reached ();
    }

  /* libsecret shares one service connection per process; asking for it
   * each time also notices a keyring that appeared or went away. */
  secret_service_get (SECRET_SERVICE_OPEN_SESSION, cancellable, service_cb, g_steal_pointer (&task));
}

static void
brm_token_store_dispose (GObject *object)
{
  BrmTokenStore *self = BRM_TOKEN_STORE (object);

  g_cancellable_cancel (self->probe);
  g_clear_object (&self->probe);

  G_OBJECT_CLASS (brm_token_store_parent_class)->dispose (object);
}

static void
brm_token_store_finalize (GObject *object)
{
  BrmTokenStore *self = BRM_TOKEN_STORE (object);

  g_clear_pointer (&self->memory, g_hash_table_unref);

  G_OBJECT_CLASS (brm_token_store_parent_class)->finalize (object);
}

static void
brm_token_store_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BrmTokenStore *self = BRM_TOKEN_STORE (object);

  switch (prop_id)
    {
    case PROP_PERSISTENT:
      g_value_set_boolean (value, self->persistent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_token_store_class_init (BrmTokenStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = brm_token_store_dispose;
  object_class->finalize = brm_token_store_finalize;
  object_class->get_property = brm_token_store_get_property;

  /**
   * BrmTokenStore:persistent:
   *
   * Whether tokens are saved in the keyring. %FALSE until a Secret
   * Service answered (checked at once when the store is made, and again
   * by every operation), and whenever none does: tokens then live in
   * memory until the monitor quits.
   */
  properties[PROP_PERSISTENT] =
    g_param_spec_boolean ("persistent", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_token_store_init (BrmTokenStore *self)
{
  self->memory = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) wipe_free);
  self->probe = g_cancellable_new ();
}

BrmTokenStore *
brm_token_store_new (void)
{
  BrmTokenStore *self = g_object_new (BRM_TYPE_TOKEN_STORE, NULL);
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_weak_ref_init (weak, self);
  secret_service_get (SECRET_SERVICE_OPEN_SESSION, self->probe, probe_cb, weak);
  return self;
}

gboolean
brm_token_store_get_persistent (BrmTokenStore *self)
{
  g_return_val_if_fail (BRM_IS_TOKEN_STORE (self), FALSE);
  return self->persistent;
}

static Op *
op_new (OpKind      kind,
        const char *server,
        const char *token)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->server = g_strdup (server);
  op->token = g_strdup (token);
  return op;
}

void
brm_token_store_lookup_async (BrmTokenStore       *self,
                              const char          *server_url,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (BRM_IS_TOKEN_STORE (self));
  g_return_if_fail (server_url != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_op (self, op_new (OP_LOOKUP, server_url, NULL), cancellable, callback, user_data,
          brm_token_store_lookup_async);
}

char *
brm_token_store_lookup_finish (BrmTokenStore  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == brm_token_store_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
brm_token_store_store_async (BrmTokenStore       *self,
                             const char          *server_url,
                             const char          *token,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (BRM_IS_TOKEN_STORE (self));
  g_return_if_fail (server_url != NULL);
  g_return_if_fail (token != NULL && *token != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_op (self, op_new (OP_STORE, server_url, token), cancellable, callback, user_data,
          brm_token_store_store_async);
}

gboolean
brm_token_store_store_finish (BrmTokenStore  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == brm_token_store_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
brm_token_store_clear_async (BrmTokenStore       *self,
                             const char          *server_url,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (BRM_IS_TOKEN_STORE (self));
  g_return_if_fail (server_url != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  run_op (self, op_new (OP_CLEAR, server_url, NULL), cancellable, callback, user_data,
          brm_token_store_clear_async);
}

gboolean
brm_token_store_clear_finish (BrmTokenStore  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == brm_token_store_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
