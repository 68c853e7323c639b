/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "brt-daemon.h"

static void
test_version (void)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("BRD_BIN"), "--version", NULL };
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "batch-runnerd " PACKAGE_VERSION "\n");
}

static void
test_bad_flag_exits_2 (void)
{
  g_autofree char *err = NULL;
  const char *argv[] = { g_getenv ("BRD_BIN"), "--listen", "0.0.0.0:1", NULL };
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, NULL);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_nonnull (strstr (err, "without tokens"));
}

static void
test_health (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start (NULL, NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *obj;
  guint status = 0;

  g_assert_true (g_str_has_prefix (brt_daemon_get_url (daemon), "http://127.0.0.1:"));

  node = brt_http (daemon, "GET", "/api/v1/health", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (node);
  obj = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "healthy");
  g_assert_cmpstr (json_object_get_string_member (obj, "version"), ==, PACKAGE_VERSION);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (obj, "timestamp"), "Z"));

  /* Graceful stop on SIGTERM exits 0. */
  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
}

static void
test_unknown_endpoint (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start (NULL, NULL);
  g_autoptr(JsonNode) node = NULL;
  guint status = 0;

  node = brt_http (daemon, "GET", "/api/v1/no-such-thing", NULL, &status);
  g_assert_cmpuint (status, ==, 404);
  g_assert_nonnull (node);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error"), ==, "NOT_FOUND");
  g_assert_nonnull (json_object_get_string_member (json_node_get_object (node), "detail"));
}

static void
test_token_required (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--token", "viewer:v-secret", NULL);
  g_autoptr(JsonNode) anon = NULL;
  g_autoptr(JsonNode) wrong = NULL;
  g_autoptr(JsonNode) right = NULL;
  guint status = 0;

  anon = brt_http (daemon, "GET", "/api/v1/health", NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (anon), "error"), ==, "UNAUTHORIZED");

  wrong = brt_http_with_token (daemon, "v-secreT", "GET", "/api/v1/health", NULL, &status);
  g_assert_cmpuint (status, ==, 401);

  right = brt_http_with_token (daemon, "v-secret", "GET", "/api/v1/health", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/integration/daemon/version", test_version);
  g_test_add_func ("/integration/daemon/bad-flag-exits-2", test_bad_flag_exits_2);
  g_test_add_func ("/integration/daemon/health", test_health);
  g_test_add_func ("/integration/daemon/unknown-endpoint", test_unknown_endpoint);
  g_test_add_func ("/integration/daemon/token-required", test_token_required);

  return g_test_run ();
}
