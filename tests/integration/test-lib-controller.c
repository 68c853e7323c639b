/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "batchrunner.h"
#include "brt-daemon.h"
#include "brt-fixtures.h"

typedef struct
{
  BrtDaemon    *daemon;
  BrClient     *client;
  BrBatchStore *store;
  BrLiveFeed   *feed;
  BrController *controller;
  GPtrArray    *ids;
} Fixture;

static gboolean
feed_connected (gpointer data)
{
  return br_live_feed_get_state (data) == BR_FEED_STATE_CONNECTED;
}

static gboolean
feed_reconnecting (gpointer data)
{
  return br_live_feed_get_state (data) == BR_FEED_STATE_RECONNECTING;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  BrtLeadSpec spec = { .enrichment_status = "completed" };

  /* Slow leads, one at a time: the batch stays running long enough to act on. */
  f->daemon = brt_daemon_start ("--processor", "exec", "--exec-command", "sh -c 'sleep 0.2; echo {}'",
                                "--workers", "1", NULL);
  f->ids = brt_import_leads (f->daemon, 30, &spec);
  f->client = br_client_new (brt_daemon_get_url (f->daemon));
  f->store = br_batch_store_new ();
  br_batch_store_set_tick_interval (f->store, 10);
  f->feed = br_live_feed_new (br_client_get_session (f->client), brt_daemon_get_url (f->daemon), "/api/v1", f->store);
  f->controller = br_controller_new (f->client, f->store, f->feed);
  br_live_feed_start (f->feed);
  g_assert_true (brt_wait_until (feed_connected, f->feed, 10000));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  br_live_feed_stop (f->feed);
  g_clear_object (&f->controller);
  g_clear_object (&f->feed);
  g_clear_object (&f->store);
  g_clear_object (&f->client);
  g_clear_pointer (&f->ids, g_ptr_array_unref);
  g_clear_pointer (&f->daemon, brt_daemon_free);
}

typedef struct
{
  BrBatch *batch;
  GError  *error;
  gboolean done;
} Outcome;

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  Outcome *o = user_data;

  o->batch = br_controller_run_finish (BR_CONTROLLER (object), result, &o->error);
  o->done = TRUE;
}

static gboolean
outcome_done (gpointer data)
{
  return ((Outcome *) data)->done;
}

static gboolean
batch_in_store (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  const char *id = ((gpointer *) data)[1];

  br_batch_store_flush (f->store);
  return br_batch_store_lookup (f->store, id) != NULL;
}

static char *
start_and_follow (Fixture *f)
{
  char *id = brt_start_batch (f->daemon, f->ids, NULL);
  gpointer args[2] = { f, id };

  g_assert_true (brt_wait_until (batch_in_store, args, 10000));
  return id;
}

static void
test_pause_optimistic_then_confirmed (Fixture       *f,
                                      gconstpointer  data)
{
  g_autofree char *id = start_and_follow (f);
  BrBatch *batch = br_batch_store_lookup (f->store, id);
  g_autoptr(JsonObject) server = NULL;
  Outcome o = { 0 };

  br_controller_run_async (f->controller, BR_COMMAND_PAUSE, id, NULL, NULL, run_cb, &o);
  /* At once: the row shows the command on its way. */
  g_assert_cmpstr (br_batch_get_pending_action (batch), ==, "pause");

  g_assert_true (brt_wait_until (outcome_done, &o, 10000));
  g_assert_no_error (o.error);
  g_assert_true (o.batch == batch);
  g_assert_null (br_batch_get_pending_action (batch));
  g_assert_cmpint (br_batch_get_status (batch), ==, BR_BATCH_STATUS_PAUSED);

  server = brt_get_batch (f->daemon, id);
  g_assert_cmpstr (brt_str (server, "status"), ==, "paused");
  g_clear_object (&o.batch);
}

static void
test_refused_command_says_why (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *id = start_and_follow (f);
  BrBatch *batch = br_batch_store_lookup (f->store, id);
  Outcome o = { 0 };

  /* Resuming a running batch is an invalid transition. */
  br_controller_run_async (f->controller, BR_COMMAND_RESUME, id, NULL, NULL, run_cb, &o);
  g_assert_true (brt_wait_until (outcome_done, &o, 10000));
  g_assert_error (o.error, BR_CLIENT_ERROR, BR_CLIENT_ERROR_HTTP);
  g_assert_cmpuint (br_client_error_get_http_status (o.error), ==, 400);
  g_assert_cmpstr (br_client_error_get_code (o.error), ==, "INVALID_TRANSITION");
  g_assert_null (br_batch_get_pending_action (batch));
  g_clear_error (&o.error);
}

static void
test_offline_command_expires (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *id = start_and_follow (f);
  BrBatch *batch = br_batch_store_lookup (f->store, id);
  Outcome o = { 0 };

  brt_daemon_stop (f->daemon);
  g_assert_true (brt_wait_until (feed_reconnecting, f->feed, 40000));

  br_controller_set_expiry (f->controller, 300);
  br_controller_run_async (f->controller, BR_COMMAND_CANCEL, id, NULL, NULL, run_cb, &o);
  g_assert_cmpuint (br_controller_get_n_queued (f->controller), ==, 1);
  g_assert_cmpstr (br_batch_get_pending_action (batch), ==, "cancel");

  g_assert_true (brt_wait_until (outcome_done, &o, 5000));
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (o.error->message, "was not sent"));
  g_assert_cmpuint (br_controller_get_n_queued (f->controller), ==, 0);
  g_assert_null (br_batch_get_pending_action (batch));
  g_clear_error (&o.error);

  /* It really was not sent: after a restart the batch is not cancelled. */
  brt_daemon_restart_same_port (f->daemon);
  {
    g_autoptr(JsonObject) server = brt_get_batch (f->daemon, id);
    g_assert_cmpstr (brt_str (server, "status"), !=, "cancelled");
  }
}

static void
test_offline_command_sent_on_reconnect (Fixture       *f,
                                        gconstpointer  data)
{
  g_autofree char *id = start_and_follow (f);
  Outcome o = { 0 };

  brt_daemon_stop (f->daemon);
  g_assert_true (brt_wait_until (feed_reconnecting, f->feed, 40000));

  br_controller_run_async (f->controller, BR_COMMAND_PAUSE, id, NULL, NULL, run_cb, &o);
  g_assert_cmpuint (br_controller_get_n_queued (f->controller), ==, 1);
  brt_run_for (200);
  g_assert_false (o.done);

  brt_daemon_restart_same_port (f->daemon);
  br_live_feed_reconnect_now (f->feed);
  g_assert_true (brt_wait_until (outcome_done, &o, 40000));
  g_assert_no_error (o.error);
  g_assert_cmpint (br_batch_get_status (o.batch), ==, BR_BATCH_STATUS_PAUSED);
  {
    g_autoptr(JsonObject) server = brt_get_batch (f->daemon, id);
    g_assert_cmpstr (brt_str (server, "status"), ==, "paused");
  }
  g_clear_object (&o.batch);
}

static void
test_cancelled_while_queued (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *id = start_and_follow (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Outcome o = { 0 };

  brt_daemon_stop (f->daemon);
  g_assert_true (brt_wait_until (feed_reconnecting, f->feed, 40000));
  br_controller_run_async (f->controller, BR_COMMAND_PAUSE, id, NULL, cancellable, run_cb, &o);
  g_cancellable_cancel (cancellable);
  g_assert_true (brt_wait_until (outcome_done, &o, 5000));
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (br_controller_get_n_queued (f->controller), ==, 0);
  g_clear_error (&o.error);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/libbatchrunner/controller/pause-optimistic-then-confirmed", test_pause_optimistic_then_confirmed);
  ADD ("/libbatchrunner/controller/refused-command-says-why", test_refused_command_says_why);
  ADD ("/libbatchrunner/controller/offline-command-expires", test_offline_command_expires);
  ADD ("/libbatchrunner/controller/offline-command-sent-on-reconnect", test_offline_command_sent_on_reconnect);
  ADD ("/libbatchrunner/controller/cancelled-while-queued", test_cancelled_while_queued);
#undef ADD

  return g_test_run ();
}
