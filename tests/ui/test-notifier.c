/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include <glib/gstdio.h>
#include <string.h>

#include "brm-connection.h"
#include "brm-notifier.h"
#include "brt-daemon.h"
#include "brt-fixtures.h"
#include "brt-session.h"

#define WAIT_MS 20000

/* A notification server on the private bus ------------------------------------ */

/* What a desktop's notification daemon would show: the test reads what
 * GLib really sent over D-Bus, and "clicks" by emitting ActionInvoked the
 * way the daemon does. It stands in for the desktop, not for our service. */
static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "  </interface>"
  "</node>";

typedef struct
{
  guint  id;
  char  *summary;
  char  *body;
  GStrv  actions;
} Shown;

typedef struct
{
  GDBusConnection *connection;
  guint            registration;
  guint            owner;
  gboolean         owned;
  GPtrArray       *shown;   /* Shown */
} NotificationServer;

static void
shown_free (Shown *s)
{
  g_free (s->summary);
  g_free (s->body);
  g_strfreev (s->actions);
  g_free (s);
}

static void
server_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  NotificationServer *server = user_data;

  if (g_str_equal (method_name, "Notify"))
    {
      Shown *s = g_new0 (Shown, 1);
      guint replaces = 0;

      g_variant_get_child (parameters, 1, "u", &replaces);
      g_variant_get_child (parameters, 3, "s", &s->summary);
      g_variant_get_child (parameters, 4, "s", &s->body);
      g_variant_get_child (parameters, 5, "^as", &s->actions);
      s->id = replaces ? replaces : server->shown->len + 1;
      g_ptr_array_add (server->shown, s);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", s->id));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
name_acquired (GDBusConnection *connection,
               const char      *name,
               gpointer         user_data)
{
  ((NotificationServer *) user_data)->owned = TRUE;
}

static gboolean
server_owned (gpointer data)
{
  return ((NotificationServer *) data)->owned;
}

static NotificationServer *
notification_server_new (void)
{
  static const GDBusInterfaceVTable vtable = { server_method_call, NULL, NULL, { 0 } };
  NotificationServer *server = g_new0 (NotificationServer, 1);
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (info);
  server->shown = g_ptr_array_new_with_free_func ((GDestroyNotify) shown_free);
  /* A connection of its own, as a separate daemon would have. */
  server->connection = g_dbus_connection_new_for_address_sync (address,
                                                               G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                               G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                               NULL, NULL, &error);
  g_assert_no_error (error);
  server->registration = g_dbus_connection_register_object (server->connection, "/org/freedesktop/Notifications",
                                                            info->interfaces[0], &vtable, server, NULL, &error);
  g_assert_no_error (error);
  server->owner = g_bus_own_name_on_connection (server->connection, "org.freedesktop.Notifications",
                                                G_BUS_NAME_OWNER_FLAGS_NONE, name_acquired, NULL, server, NULL);
  g_assert_true (brt_wait_until (server_owned, server, WAIT_MS));
  return server;
}

static void
notification_server_free (NotificationServer *server)
{
  g_bus_unown_name (server->owner);
  g_dbus_connection_unregister_object (server->connection, server->registration);
  g_dbus_connection_close_sync (server->connection, NULL, NULL);
  g_object_unref (server->connection);
  g_ptr_array_unref (server->shown);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NotificationServer, notification_server_free)

static void
click (NotificationServer *server,
       Shown              *shown)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (server->connection, NULL, "/org/freedesktop/Notifications",
                                 "org.freedesktop.Notifications", "ActionInvoked",
                                 g_variant_new ("(us)", shown->id, "default"), &error);
  g_assert_no_error (error);
}

static Shown *
find_shown (NotificationServer *server,
            const char         *summary,
            const char         *body_part)
{
  for (guint i = 0; i < server->shown->len; i++)
    {
      Shown *s = g_ptr_array_index (server->shown, i);

      if (g_str_equal (s->summary, summary) && strstr (s->body, body_part) != NULL)
        return s;
    }
  return NULL;
}

/* A daemon whose good leads wait at a gate ------------------------------------ */

/* Per lead: an "unreachable-" domain fails at once; any other lead waits
 * until the file "open" exists next to the script, then succeeds at
 * $0.10. Tests hold batches running as long as they need. */
static const char gate_script[] =
  "in=$(cat)\n"
  "dir=$(dirname \"$0\")\n"
  "case \"$in\" in\n"
  "  *unreachable-*) printf '%s\\n' '{\"success\": false, \"error_code\": \"DOMAIN_UNREACHABLE\","
  " \"error_message\": \"The domain did not answer\"}'; exit 0 ;;\n"
  "esac\n"
  "while [ ! -e \"$dir/open\" ]; do [ -d \"$dir\" ] || exit 1; sleep 0.02; done\n"
  "printf '%s\\n' '{\"quality_score\": 0.5, \"cost_breakdown\": {\"llm\": 0.1}}'\n";

typedef struct
{
  BrtDaemon *daemon;
  char      *dir;
} Service;

static void
gate_set (Service  *s,
          gboolean  open)
{
  g_autofree char *gate = g_build_filename (s->dir, "open", NULL);

  if (open)
    g_assert_true (g_file_set_contents (gate, "", 0, NULL));
  else
    g_unlink (gate);
}

static Service *
service_new (const char *daily_budget)
{
  Service *s = g_new0 (Service, 1);
  g_autofree char *script = NULL;
  g_autofree char *command = NULL;

  s->dir = brt_make_tmp_dir ();
  script = g_build_filename (s->dir, "gate.sh", NULL);
  g_assert_true (g_file_set_contents (script, gate_script, -1, NULL));
  command = g_strdup_printf ("sh %s", script);
  s->daemon = brt_daemon_start ("--processor", "exec", "--exec-command", command,
                                "--workers", "24", "--progress-interval-ms", "20",
                                "--health-interval-ms", "100", "--daily-budget", daily_budget, NULL);
  return s;
}

static void
service_free (Service *s)
{
  /* Open first: a lead still waiting finishes instead of looping. */
  gate_set (s, TRUE);
  brt_daemon_free (s->daemon);
  brt_remove_tree (s->dir);
  g_free (s->dir);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Service, service_free)

/* @n_ok leads that wait at the gate and @n_failing that fail at once. */
static char *
start_batch (Service    *s,
             const char *name,
             guint       n_ok,
             guint       n_failing)
{
  BrtLeadSpec failing = { .name_prefix = "Broken", .domain_prefix = "unreachable-" };
  g_autoptr(GPtrArray) ids = n_ok > 0 ? brt_import_leads (s->daemon, n_ok, NULL)
                                      : g_ptr_array_new_with_free_func (g_free);
  g_autofree char *extra = NULL;

  if (n_failing > 0)
    {
      g_autoptr(GPtrArray) bad = brt_import_leads (s->daemon, n_failing, &failing);

      for (guint i = 0; i < bad->len; i++)
        g_ptr_array_add (ids, g_strdup (bad->pdata[i]));
    }
  extra = g_strdup_printf ("\"name\": \"%s\", \"retry_failed\": false, \"max_concurrent\": 20", name);
  return brt_start_batch (s->daemon, ids, extra);
}

/* The monitor's side ------------------------------------------------------------ */

typedef struct
{
  GApplication  *app;
  GSettings     *settings;
  BrmConnection *connection;
  BrmNotifier   *notifier;
  GPtrArray     *sent;          /* notification ids, in order */
  char          *shown_batch;   /* last app.show-batch target */
} Monitor;

static void
notification_sent_cb (BrmNotifier   *notifier,
                      const char    *id,
                      GNotification *notification,
                      Monitor       *m)
{
  g_ptr_array_add (m->sent, g_strdup (id));
}

static void
show_batch_cb (GSimpleAction *action,
               GVariant      *parameter,
               Monitor       *m)
{
  g_free (m->shown_batch);
  m->shown_batch = g_variant_dup_string (parameter, NULL);
}

static Monitor *
monitor_new (Service    *s,
             GSettings  *settings)
{
  static guint n_apps;
  Monitor *m = g_new0 (Monitor, 1);
  g_autoptr(GSimpleAction) show = g_simple_action_new ("show-batch", G_VARIANT_TYPE_STRING);
  g_autoptr(GError) error = NULL;
  /* Ids of their own: two monitors may run at once on the one bus. */
  g_autofree char *app_id = g_strdup_printf ("io.github.batchrunner.MonitorNotifierTest%u", n_apps++);

  m->sent = g_ptr_array_new_with_free_func (g_free);
  m->app = g_application_new (app_id, G_APPLICATION_NON_UNIQUE);
  g_signal_connect (show, "activate", G_CALLBACK (show_batch_cb), m);
  g_action_map_add_action (G_ACTION_MAP (m->app), G_ACTION (show));
  g_application_register (m->app, NULL, &error);
  g_assert_no_error (error);

  if (settings != NULL)
    m->settings = g_object_ref (settings);
  else
    {
      g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
      m->settings = g_settings_new_with_backend (APP_ID, backend);
    }

  m->connection = brm_connection_new (brt_daemon_get_url (s->daemon), NULL, NULL);
  br_batch_store_set_tick_interval (brm_connection_get_store (m->connection), 10);
  /* Made before the connection starts, as the application does. */
  m->notifier = brm_notifier_new (m->app, brm_connection_get_store (m->connection), m->settings);
  g_signal_connect (m->notifier, "notification-sent", G_CALLBACK (notification_sent_cb), m);
  brm_connection_start (m->connection);
  return m;
}

static void
monitor_free (Monitor *m)
{
  brm_connection_stop (m->connection);
  g_assert_finalize_object (g_steal_pointer (&m->notifier));
  g_clear_object (&m->connection);
  g_clear_object (&m->settings);
  g_clear_object (&m->app);
  g_ptr_array_unref (m->sent);
  g_free (m->shown_batch);
  g_free (m);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Monitor, monitor_free)

static BrBatchStore *
store_of (Monitor *m)
{
  return brm_connection_get_store (m->connection);
}

typedef struct
{
  Monitor    *m;
  const char *id;
} Sent;

static gboolean
was_sent (gpointer data)
{
  Sent *s = data;

  for (guint i = 0; i < s->m->sent->len; i++)
    if (g_str_equal (s->m->sent->pdata[i], s->id))
      return TRUE;
  return FALSE;
}

static void
wait_sent (Monitor    *m,
           const char *id)
{
  Sent s = { m, id };

  if (!brt_wait_until (was_sent, &s, WAIT_MS))
    g_error ("No notification %s within %d ms (%u sent)", id, WAIT_MS, m->sent->len);
}

static void
assert_sent_exactly (Monitor            *m,
                     const char * const *ids)
{
  g_autofree char *all = NULL;

  g_ptr_array_add (m->sent, NULL);
  all = g_strjoinv (", ", (char **) m->sent->pdata);
  g_ptr_array_remove_index (m->sent, m->sent->len - 1);

  if (g_strv_length ((char **) ids) != m->sent->len)
    g_error ("Expected %u notifications, got %u: %s", g_strv_length ((char **) ids), m->sent->len, all);
  for (guint i = 0; ids[i]; i++)
    {
      Sent s = { m, ids[i] };
      if (!was_sent (&s))
        g_error ("Expected notification %s; sent: %s", ids[i], all);
    }
}

typedef struct
{
  BrBatchStore  *store;
  const char    *id;
  BrBatchStatus  status;
} InStore;

static gboolean
in_store (gpointer data)
{
  InStore *w = data;
  BrBatch *batch = br_batch_store_lookup (w->store, w->id);

  return batch != NULL && (w->status == BR_BATCH_STATUS_UNKNOWN || br_batch_get_status (batch) == w->status);
}

static void
wait_in_store (Monitor       *m,
               const char    *id,
               BrBatchStatus  status)
{
  InStore w = { store_of (m), id, status };

  g_assert_true (brt_wait_until (in_store, &w, WAIT_MS));
}

static char *
id_for (const char *kind,
        const char *batch_id)
{
  return g_strdup_printf ("batch-%s-%s", kind, batch_id);
}

static gboolean
shown_count_at_least (gpointer data)
{
  NotificationServer *server = ((gpointer *) data)[0];
  guint n = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return server->shown->len >= n;
}

static void
wait_shown (NotificationServer *server,
            guint               n)
{
  gpointer data[2] = { server, GUINT_TO_POINTER (n) };

  g_assert_true (brt_wait_until (shown_count_at_least, data, WAIT_MS));
}

static gboolean
batch_shown (gpointer data)
{
  return ((Monitor *) data)->shown_batch != NULL;
}

/* Tests ------------------------------------------------------------------------ */

static NotificationServer *server;

static void
test_completed_and_failed (void)
{
  g_autoptr(Service) s = service_new ("500");
  g_autoptr(Monitor) m = NULL;
  g_autofree char *old = NULL;
  g_autofree char *good = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *completed_id = NULL;
  g_autofree char *failed_id = NULL;
  g_autoptr(JsonObject) old_done = NULL;
  Shown *completed_note;
  Shown *failed_note;
  guint shown_before = server->shown->len;

  /* A batch that finished before the monitor started: not news. */
  gate_set (s, TRUE);
  old = start_batch (s, "Old batch", 2, 1);
  old_done = brt_wait_batch_status (s->daemon, old, "completed", WAIT_MS);
  gate_set (s, FALSE);

  m = monitor_new (s, NULL);
  wait_in_store (m, old, BR_BATCH_STATUS_COMPLETED);
  brt_run_for (100);

  good = start_batch (s, "Good batch", 3, 1);
  bad = start_batch (s, "Bad batch", 0, 3);
  completed_id = id_for ("completed", good);
  failed_id = id_for ("failed", bad);

  /* The bad batch fails at once; the good one waits at the gate. */
  wait_sent (m, failed_id);
  wait_in_store (m, good, BR_BATCH_STATUS_RUNNING);
  g_assert_cmpuint (m->sent->len, ==, 1);

  gate_set (s, TRUE);
  wait_sent (m, completed_id);
  brt_run_for (300);
  assert_sent_exactly (m, (const char * const[]) { failed_id, completed_id, NULL });

  /* What the desktop was asked to show. */
  wait_shown (server, shown_before + 2);
  failed_note = find_shown (server, "Batch failed", "“Bad batch”");
  completed_note = find_shown (server, "Batch completed", "“Good batch”: 3 succeeded, 1 failed.");
  g_assert_nonnull (failed_note);
  g_assert_nonnull (completed_note);
  g_assert_true (g_str_has_prefix (failed_note->body, "“Bad batch”: "));
  g_assert_true (g_strv_contains ((const char * const *) completed_note->actions, "default"));

  /* Clicking it opens that batch: app.show-batch with its id. */
  click (server, completed_note);
  g_assert_true (brt_wait_until (batch_shown, m, WAIT_MS));
  g_assert_cmpstr (m->shown_batch, ==, good);
}

static void
test_switched_off (void)
{
  g_autoptr(Service) s = service_new ("500");
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APP_ID, backend);
  g_autoptr(Monitor) m = NULL;
  g_autofree char *good = NULL;
  g_autofree char *bad = NULL;
  guint shown_before = server->shown->len;

  g_settings_set_boolean (settings, "notify-completed", FALSE);
  g_settings_set_boolean (settings, "notify-failed", FALSE);
  gate_set (s, TRUE);

  m = monitor_new (s, settings);
  brt_run_for (200);
  good = start_batch (s, "Quiet good", 2, 0);
  bad = start_batch (s, "Quiet bad", 0, 2);
  wait_in_store (m, good, BR_BATCH_STATUS_COMPLETED);
  wait_in_store (m, bad, BR_BATCH_STATUS_FAILED);

  /* Switched back on afterwards: those events are past, not owed. */
  g_settings_set_boolean (settings, "notify-completed", TRUE);
  g_settings_set_boolean (settings, "notify-failed", TRUE);
  brt_run_for (300);

  g_assert_cmpuint (m->sent->len, ==, 0);
  g_assert_cmpuint (server->shown->len, ==, shown_before);
}

static void
test_failure_rate (void)
{
  g_autoptr(Service) s = service_new ("500");
  g_autoptr(Monitor) m = NULL;
  g_autofree char *flaky = NULL;
  g_autofree char *small = NULL;
  g_autofree char *rate_id = NULL;
  g_autofree char *early = NULL;
  g_autofree char *early_done = NULL;
  BrBatch *batch;

  /* Already failing badly when the monitor starts: the initial snapshot
   * is the baseline, so no warning for it (but its end is news). */
  early = start_batch (s, "Early flaky", 1, 22);
  {
    g_autoptr(JsonObject) b = NULL;

    for (;;)
      {
        g_clear_pointer (&b, json_object_unref);
        b = brt_get_batch (s->daemon, early);
        if (brt_int (b, "failed_leads") == 22)
          break;
        brt_run_for (20);
      }
  }

  m = monitor_new (s, NULL);
  wait_in_store (m, early, BR_BATCH_STATUS_RUNNING);
  brt_run_for (200);

  /* 25 failures while 5 good leads wait: 100% of 25 processed. */
  flaky = start_batch (s, "Flaky batch", 5, 25);
  /* 10 failures are too few to judge by. */
  small = start_batch (s, "Small batch", 2, 10);
  rate_id = id_for ("failure-rate", flaky);

  wait_sent (m, rate_id);
  batch = br_batch_store_lookup (store_of (m), flaky);
  g_assert_cmpint (br_batch_get_status (batch), ==, BR_BATCH_STATUS_RUNNING);
  g_assert_cmpint (br_batch_get_processed_leads (batch), >=, BRM_NOTIFIER_MIN_PROCESSED);

  {
    InStore w = { store_of (m), small, BR_BATCH_STATUS_UNKNOWN };
    BrBatch *small_batch;

    g_assert_true (brt_wait_until (in_store, &w, WAIT_MS));
    small_batch = br_batch_store_lookup (store_of (m), small);
    /* Wait until all ten failures are in: 100% failed, still no warning. */
    while (br_batch_get_failed_leads (small_batch) < 10)
      g_main_context_iteration (NULL, TRUE);
  }

  gate_set (s, TRUE);
  {
    g_autofree char *flaky_done = id_for ("completed", flaky);
    g_autofree char *small_done = id_for ("completed", small);

    early_done = id_for ("completed", early);
    wait_sent (m, flaky_done);
    wait_sent (m, small_done);
    wait_sent (m, early_done);
    brt_run_for (300);
    assert_sent_exactly (m, (const char * const[]) { rate_id, flaky_done, small_done, early_done, NULL });
  }

  g_assert_nonnull (find_shown (server, "High failure rate", "100% of the leads “Flaky batch” processed so far failed"));
}

static gboolean
budget_known (gpointer data)
{
  return br_batch_store_get_daily_budget (data) > 0;
}

static void
test_budget (void)
{
  g_autoptr(Service) s = service_new ("1");
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APP_ID, backend);
  g_autoptr(Monitor) m = NULL;
  g_autoptr(Monitor) later = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *day = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *budget_id = g_strdup_printf ("budget-%s", day);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(JsonObject) done = NULL;

  g_settings_set_double (settings, "budget-warning-fraction", 0.5);
  gate_set (s, TRUE);
  m = monitor_new (s, settings);
  g_assert_true (brt_wait_until (budget_known, store_of (m), WAIT_MS));
  g_assert_cmpfloat (br_batch_store_get_spent_today (store_of (m)), ==, 0.0);

  /* 6 leads at $0.10 against $1.00: passes 50%. Seen running first (a
   * batch whose first sight is its end, on a server that had none, is
   * taken for part of the initial snapshot). */
  gate_set (s, FALSE);
  first = start_batch (s, "Spender", 6, 0);
  wait_in_store (m, first, BR_BATCH_STATUS_RUNNING);
  gate_set (s, TRUE);
  wait_sent (m, budget_id);
  g_assert_cmpfloat (br_batch_store_get_spent_today (store_of (m)), >=, 0.5);

  /* More spending the same day: no second warning. */
  second = start_batch (s, "More spending", 2, 0);
  done = brt_wait_batch_status (s->daemon, second, "completed", WAIT_MS);
  brt_run_for (500);
  g_assert_cmpuint (m->sent->len, ==, 3);  /* the budget, and both batches completed */
  {
    g_autofree char *c1 = id_for ("completed", first);
    g_autofree char *c2 = id_for ("completed", second);
    assert_sent_exactly (m, (const char * const[]) { budget_id, c1, c2, NULL });
  }
  g_assert_nonnull (find_shown (server, "Daily budget almost spent", "of the $1.00 daily budget is spent"));

  /* A monitor started when the budget is already passed is not told. */
  later = monitor_new (s, settings);
  g_assert_true (brt_wait_until (budget_known, store_of (later), WAIT_MS));
  brt_run_for (500);
  g_assert_cmpuint (later->sent->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(BrtSession) session = NULL;
  int status;

  brt_test_init (&argc, &argv);

  /* A private session bus with a notification server on it: the
   * notifications really go out over D-Bus, and nothing reaches the
   * user's desktop. */
  session = brt_session_new (FALSE);
  server = notification_server_new ();

  g_test_add_func ("/monitor/notifier/completed-and-failed", test_completed_and_failed);
  g_test_add_func ("/monitor/notifier/switched-off", test_switched_off);
  g_test_add_func ("/monitor/notifier/failure-rate", test_failure_rate);
  g_test_add_func ("/monitor/notifier/budget", test_budget);

  status = g_test_run ();
  g_clear_pointer (&server, notification_server_free);
  return status;
}
