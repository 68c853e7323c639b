/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-controller"

#include "config.h"

#include "br-controller.h"

/**
 * BrController:
 *
 * Sends control commands (pause, resume, cancel, retry) and keeps what
 * the operator sees honest about them.
 *
 * While a command is on its way its batch shows it in
 * #BrBatch:pending-action; the server's answer (or the event that follows)
 * replaces that with the real state. A command given while the live feed
 * is not connected waits in a queue and goes out when it connects again —
 * or, after #BrController:expiry, fails with a message saying it was never
 * sent. It is never fired late without the caller knowing.
 */
struct _BrController
{
  GObject       parent_instance;

  BrClient     *client;
  BrBatchStore *store;
  BrLiveFeed   *feed;
  GQueue        queued;      /* Command */
  guint         expiry_ms;
  gulong        state_id;
};

G_DEFINE_FINAL_TYPE (BrController, br_controller, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_EXPIRY,
  PROP_N_QUEUED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  BrController *self;        /* weak: the controller outlives its commands */
  GTask        *task;
  BrCommand     command;
  char         *batch_id;
  GStrv         lead_ids;
  guint         expiry_source;
  gulong        cancel_id;
} Command;

static void
command_free (Command *c)
{
  g_clear_handle_id (&c->expiry_source, g_source_remove);
  g_free (c->batch_id);
  g_strfreev (c->lead_ids);
  g_free (c);
}

static void
set_pending (BrController *self,
             const char   *batch_id,
             const char   *action)
{
  BrBatch *batch = br_batch_store_lookup (self->store, batch_id);

  if (batch != NULL)
    br_batch_set_pending_action (batch, action);
}

static void
finish (Command *c,
        BrBatch *batch,
        GError  *error)
{
  GTask *task = c->task;

  set_pending (c->self, c->batch_id, NULL);
  if (batch != NULL)
    {
      /* The caller gets the store's object, updated in place, so what it
       * holds is what the rows show. */
      br_batch_store_upsert (c->self->store, batch);
      batch = br_batch_store_lookup (c->self->store, br_batch_get_id (batch));
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, batch ? g_object_ref (batch) : NULL, g_object_unref);

  command_free (c);
  g_object_unref (task);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Command *c = user_data;
  BrClient *client = BR_CLIENT (object);
  g_autoptr(BrBatch) batch = NULL;
  GError *error = NULL;

  switch (c->command)
    {
    case BR_COMMAND_PAUSE:
      batch = br_client_pause_batch_finish (client, result, &error);
      break;
    case BR_COMMAND_RESUME:
      batch = br_client_resume_batch_finish (client, result, &error);
      break;
    case BR_COMMAND_CANCEL:
      br_client_cancel_batch_finish (client, result, &batch, NULL, &error);
      break;
    case BR_COMMAND_RETRY:
      batch = br_client_retry_batch_finish (client, result, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  finish (c, batch, error);
}

static void
send_command (Command *c)
{
  BrController *self = c->self;
  GCancellable *cancellable = g_task_get_cancellable (c->task);

  switch (c->command)
    {
    case BR_COMMAND_PAUSE:
      br_client_pause_batch_async (self->client, c->batch_id, cancellable, sent_cb, c);
      break;
    case BR_COMMAND_RESUME:
      br_client_resume_batch_async (self->client, c->batch_id, cancellable, sent_cb, c);
      break;
    case BR_COMMAND_CANCEL:
      br_client_cancel_batch_async (self->client, c->batch_id, cancellable, sent_cb, c);
      break;
    case BR_COMMAND_RETRY:
      br_client_retry_batch_async (self->client, c->batch_id, (const char * const *) c->lead_ids,
                                   cancellable, sent_cb, c);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
dequeue (Command *c)
{
  BrController *self = c->self;

  g_clear_handle_id (&c->expiry_source, g_source_remove);
  if (c->cancel_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (c->task), c->cancel_id);
      c->cancel_id = 0;
    }
  g_queue_remove (&self->queued, c);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_QUEUED]);
}

static gboolean
expired_cb (gpointer data)
{
  Command *c = data;
  guint seconds = (c->self->expiry_ms + 999) / 1000;

  c->expiry_source = 0;
  dequeue (c);
  finish (c, NULL, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                "The server could not be reached within %u s; the %s was not sent",
                                seconds, br_command_to_string (c->command)));
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle (gpointer data)
{
  Command *c = data;

  dequeue (c);
  finish (c, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The command was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
queued_cancelled (GCancellable *cancellable,
                  gpointer      data)
{
  /* Not from inside the cancellable's signal: disconnecting there deadlocks. */
  g_idle_add (cancelled_idle, data);
}

static gboolean
is_online (BrController *self)
{
  return self->feed == NULL || br_live_feed_get_state (self->feed) == BR_FEED_STATE_CONNECTED;
}

static void
flush_queue (BrController *self)
{
  while (is_online (self) && self->queued.length > 0)
    {
      Command *c = g_queue_peek_head (&self->queued);

      dequeue (c);
      send_command (c);
    }
}

static void
feed_state_cb (BrController *self)
{
  flush_queue (self);
}

/**
 * br_controller_run_async:
 * @self: a #BrController
 * @command: what to do
 * @batch_id: to which batch
 * @lead_ids: (nullable) (array zero-terminated=1): for %BR_COMMAND_RETRY,
 *   the failed leads to retry, or %NULL for all
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the outcome
 * @user_data: for @callback
 */
void
br_controller_run_async (BrController        *self,
                         BrCommand            command,
                         const char          *batch_id,
                         const char * const  *lead_ids,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  Command *c;

  g_return_if_fail (BR_IS_CONTROLLER (self));
  g_return_if_fail (batch_id != NULL);

  c = g_new0 (Command, 1);
  c->self = self;
  c->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (c->task, br_controller_run_async);
  c->command = command;
  c->batch_id = g_strdup (batch_id);
  c->lead_ids = g_strdupv ((char **) lead_ids);

  set_pending (self, batch_id, br_command_to_string (command));

  if (is_online (self))
    {
      send_command (c);
      return;
    }

  g_queue_push_tail (&self->queued, c);
  c->expiry_source = g_timeout_add (self->expiry_ms, expired_cb, c);
  if (cancellable != NULL)
    c->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (queued_cancelled), c, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_QUEUED]);
}

/**
 * br_controller_run_finish:
 *
 * Returns: (transfer full) (nullable): the batch as the server answered
 *   (the store's object, updated), or %NULL with @error set — or %NULL
 *   without an error for a server that answers cancel with a message only
 */
BrBatch *
br_controller_run_finish (BrController  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

guint
br_controller_get_n_queued (BrController *self)
{
  g_return_val_if_fail (BR_IS_CONTROLLER (self), 0);
  return self->queued.length;
}

guint
br_controller_get_expiry (BrController *self)
{
  g_return_val_if_fail (BR_IS_CONTROLLER (self), 0);
  return self->expiry_ms;
}

void
br_controller_set_expiry (BrController *self,
                          guint         expiry_ms)
{
  g_return_if_fail (BR_IS_CONTROLLER (self));

  if (self->expiry_ms == expiry_ms)
    return;
  self->expiry_ms = expiry_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPIRY]);
}

static void
br_controller_dispose (GObject *object)
{
  BrController *self = BR_CONTROLLER (object);

  /* Queued commands hold a task whose source is us: fail them now. */
  while (self->queued.length > 0)
    {
      Command *c = g_queue_peek_head (&self->queued);

      dequeue (c);
      finish (c, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The controller went away"));
    }

  if (self->feed != NULL && self->state_id != 0)
    g_clear_signal_handler (&self->state_id, self->feed);
  g_clear_object (&self->feed);
  g_clear_object (&self->client);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (br_controller_parent_class)->dispose (object);
}

static void
br_controller_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BrController *self = BR_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_EXPIRY:
      g_value_set_uint (value, self->expiry_ms);
      break;
    case PROP_N_QUEUED:
      g_value_set_uint (value, self->queued.length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
br_controller_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_EXPIRY:
      br_controller_set_expiry (BR_CONTROLLER (object), g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
br_controller_class_init (BrControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = br_controller_dispose;
  object_class->get_property = br_controller_get_property;
  object_class->set_property = br_controller_set_property;

  properties[PROP_EXPIRY] =
    g_param_spec_uint ("expiry", NULL, NULL, 1, G_MAXUINT, 30000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_QUEUED] =
    g_param_spec_uint ("n-queued", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
br_controller_init (BrController *self)
{
  g_queue_init (&self->queued);
  self->expiry_ms = 30000;
}

/**
 * br_controller_new:
 * @client: sends the commands
 * @store: whose batches show pending commands and take the answers
 * @feed: (nullable): tells whether the server is reachable; without one,
 *   commands are always sent at once
 */
BrController *
br_controller_new (BrClient     *client,
                   BrBatchStore *store,
                   BrLiveFeed   *feed)
{
  BrController *self;

  g_return_val_if_fail (BR_IS_CLIENT (client), NULL);
  g_return_val_if_fail (BR_IS_BATCH_STORE (store), NULL);
  g_return_val_if_fail (feed == NULL || BR_IS_LIVE_FEED (feed), NULL);

  self = g_object_new (BR_TYPE_CONTROLLER, NULL);
  self->client = g_object_ref (client);
  self->store = g_object_ref (store);
  if (feed != NULL)
    {
      self->feed = g_object_ref (feed);
      self->state_id = g_signal_connect_object (feed, "notify::state", G_CALLBACK (feed_state_cb), self,
                                                G_CONNECT_SWAPPED);
    }
  return self;
}
