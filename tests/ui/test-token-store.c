/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsecret/secret.h>

#include "brm-token-store.h"
#include "brt-daemon.h"
#include "brt-session.h"

#define SERVER "http://batches.example:8600"
#define OTHER_SERVER "http://other.example:8600"
#define TOKEN "s3cret-token-0123456789abcdef"

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
got_result (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return ((Wait *) data)->result != NULL;
}

static char *
lookup (BrmTokenStore *store,
        const char    *server,
        GError       **error)
{
  Wait w = { 0 };
  char *token;

  brm_token_store_lookup_async (store, server, NULL, got_result, &w);
  g_assert_true (brt_wait_until (has_result, &w, 20000));
  token = brm_token_store_lookup_finish (store, w.result, error);
  g_object_unref (w.result);
  return token;
}

static gboolean
store_token (BrmTokenStore *store,
             const char    *server,
             const char    *token,
             GError       **error)
{
  Wait w = { 0 };
  gboolean ok;

  brm_token_store_store_async (store, server, token, NULL, got_result, &w);
  g_assert_true (brt_wait_until (has_result, &w, 20000));
  ok = brm_token_store_store_finish (store, w.result, error);
  g_object_unref (w.result);
  return ok;
}

static gboolean
clear_token (BrmTokenStore *store,
             const char    *server,
             GError       **error)
{
  Wait w = { 0 };
  gboolean ok;

  brm_token_store_clear_async (store, server, NULL, got_result, &w);
  g_assert_true (brt_wait_until (has_result, &w, 20000));
  ok = brm_token_store_clear_finish (store, w.result, error);
  g_object_unref (w.result);
  return ok;
}

static gboolean
is_persistent (gpointer data)
{
  return brm_token_store_get_persistent (data);
}

/* What the keyring itself holds, read without BrmTokenStore. */
static char *
keyring_lookup (const char *server)
{
  static const SecretSchema schema = {
    "io.github.batchrunner.Monitor.Token", SECRET_SCHEMA_NONE,
    { { "server", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } }
  };
  g_autoptr(GError) error = NULL;
  char *password = secret_password_lookup_sync (&schema, NULL, &error, "server", server, NULL);

  g_assert_no_error (error);
  return password;
}

static void
notify_count (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_keyring_subprocess (void)
{
  g_autoptr(BrtSession) session = brt_session_new (TRUE);
  g_autoptr(BrmTokenStore) store = brm_token_store_new ();
  g_autoptr(BrmTokenStore) fresh = NULL;
  g_autoptr(BrmTokenStore) after_clear = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *none = NULL;
  g_autofree char *in_keyring = NULL;
  g_autofree char *read_back = NULL;
  g_autofree char *other = NULL;
  g_autofree char *cleared = NULL;
  g_autofree char *gone = NULL;
  guint notifies = 0;

  g_signal_connect (store, "notify::persistent", G_CALLBACK (notify_count), &notifies);

  /* The probe made at construction finds the Secret Service. */
  g_assert_true (brt_wait_until (is_persistent, store, 20000));
  g_assert_cmpuint (notifies, ==, 1);

  none = lookup (store, SERVER, &error);
  g_assert_no_error (error);
  g_assert_null (none);

  g_assert_true (store_token (store, SERVER, TOKEN, &error));
  g_assert_no_error (error);
  g_assert_true (brm_token_store_get_persistent (store));

  /* It is in the keyring under our schema, for this server only. */
  in_keyring = keyring_lookup (SERVER);
  g_assert_cmpstr (in_keyring, ==, TOKEN);

  /* A new store (a later run of the monitor) reads it back. */
  fresh = brm_token_store_new ();
  read_back = lookup (fresh, SERVER, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read_back, ==, TOKEN);
  g_assert_true (brm_token_store_get_persistent (fresh));
  other = lookup (fresh, OTHER_SERVER, &error);
  g_assert_no_error (error);
  g_assert_null (other);

  g_assert_true (clear_token (fresh, SERVER, &error));
  g_assert_no_error (error);
  cleared = keyring_lookup (SERVER);
  g_assert_null (cleared);

  after_clear = brm_token_store_new ();
  gone = lookup (after_clear, SERVER, &error);
  g_assert_no_error (error);
  g_assert_null (gone);

  /* Still one change only: persistent never flickered. */
  g_assert_cmpuint (notifies, ==, 1);

  secret_service_disconnect ();
}

static void
test_memory_only (gboolean with_bus)
{
  g_autoptr(BrtSession) session = NULL;
  g_autoptr(BrmTokenStore) store = NULL;
  g_autoptr(BrmTokenStore) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *none = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *not_kept = NULL;
  g_autofree char *cleared = NULL;

  if (with_bus)
    session = brt_session_new (FALSE);
  else
    {
      /* No session bus at all: none to find, none to autolaunch. */
      g_unsetenv ("DISPLAY");
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/brt-no-bus", TRUE);
    }

  store = brm_token_store_new ();

  /* Lookups answer "none" rather than fail, and say tokens will not last. */
  none = lookup (store, SERVER, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  g_assert_false (brm_token_store_get_persistent (store));

  g_assert_true (store_token (store, SERVER, TOKEN, &error));
  g_assert_no_error (error);
  g_assert_false (brm_token_store_get_persistent (store));

  kept = lookup (store, SERVER, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept, ==, TOKEN);

  /* Memory only: another store (the next run) has nothing. */
  fresh = brm_token_store_new ();
  not_kept = lookup (fresh, SERVER, &error);
  g_assert_no_error (error);
  g_assert_null (not_kept);

  g_assert_true (clear_token (store, SERVER, &error));
  g_assert_no_error (error);
  cleared = lookup (store, SERVER, &error);
  g_assert_no_error (error);
  g_assert_null (cleared);

  secret_service_disconnect ();
}

static void
test_no_secret_service_subprocess (void)
{
  test_memory_only (TRUE);
}

static void
test_no_bus_subprocess (void)
{
  test_memory_only (FALSE);
}

/* Each case gets a process of its own, so each has its own session bus
 * (and libsecret its own connection to it). */
static void
run_in_subprocess (gconstpointer path)
{
  g_test_trap_subprocess (path, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/monitor/token-store/keyring/subprocess", test_keyring_subprocess);
  g_test_add_func ("/monitor/token-store/no-secret-service/subprocess", test_no_secret_service_subprocess);
  g_test_add_func ("/monitor/token-store/no-bus/subprocess", test_no_bus_subprocess);
  g_test_add_data_func ("/monitor/token-store/keyring", "/monitor/token-store/keyring/subprocess",
                        run_in_subprocess);
  g_test_add_data_func ("/monitor/token-store/no-secret-service",
                        "/monitor/token-store/no-secret-service/subprocess", run_in_subprocess);
  g_test_add_data_func ("/monitor/token-store/no-bus", "/monitor/token-store/no-bus/subprocess",
                        run_in_subprocess);

  return g_test_run ();
}
