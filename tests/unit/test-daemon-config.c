/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "brd-config.h"

static gboolean
parse (BrdConfig   *config,
       GError     **error,
       const char  *first,
       ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  char **argv;
  int argc;
  gboolean ret;
  va_list ap;

  g_ptr_array_add (args, (char *) "batch-runnerd");
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  /* GOptionContext rewrites argv; give it a copy it may own. */
  argc = args->len - 1;
  argv = g_new0 (char *, args->len);
  memcpy (argv, args->pdata, sizeof (char *) * args->len);
  {
    char **orig = argv;
    ret = brd_config_parse (config, &argc, &argv, error);
    g_free (orig);
  }
  return ret;
}

static void
test_defaults (void)
{
  g_autoptr(BrdConfig) config = brd_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (parse (config, &error, NULL));
  g_assert_no_error (error);
  g_assert_cmpstr (config->listen, ==, "127.0.0.1:8600");
  g_assert_cmpstr (config->processor, ==, "report");
  g_assert_cmpint (config->progress_interval_ms, ==, 100);
  g_assert_true (g_str_has_prefix (config->database, "sqlite://"));
  g_assert_true (g_str_has_suffix (config->database, "batch-runner/batch-runner.db"));
  g_assert_false (brd_config_is_base_profile (config));
}

static void
test_compat_profiles (void)
{
  g_autoptr(BrdConfig) full = brd_config_new ();
  g_autoptr(BrdConfig) base = brd_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (parse (full, &error, "--compat", "full", NULL));
  g_assert_no_error (error);
  g_assert_false (brd_config_is_base_profile (full));
  g_assert_true (parse (base, &error, "--compat=base", NULL));
  g_assert_no_error (error);
  g_assert_true (brd_config_is_base_profile (base));
}

static void
test_flags_override_file (void)
{
  g_autoptr(BrdConfig) config = brd_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("brd-config-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path,
                                      "[service]\n"
                                      "listen=127.0.0.1:9000\n"
                                      "workers=3\n"
                                      "processor=noop\n"
                                      "tokens=operator:alice:s3cret;viewer:v\n", -1, NULL));

  g_assert_true (parse (config, &error, "--config", path, "--workers", "5", NULL));
  g_assert_no_error (error);
  g_assert_cmpstr (config->listen, ==, "127.0.0.1:9000");
  g_assert_cmpint (config->workers, ==, 5);
  g_assert_cmpstr (config->processor, ==, "noop");
  g_assert_cmpuint (config->tokens->len, ==, 2);
  g_assert_cmpstr (((BrdToken *) config->tokens->pdata[0])->name, ==, "alice");
  g_assert_cmpint (((BrdToken *) config->tokens->pdata[0])->role, ==, BRD_ROLE_OPERATOR);
  g_assert_cmpstr (((BrdToken *) config->tokens->pdata[1])->token, ==, "v");
  g_unlink (path);
}

static void
test_refuses_public_without_token (void)
{
  g_autoptr(BrdConfig) config = brd_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (parse (config, &error, "--listen", "0.0.0.0:8600", NULL));
  g_assert_error (error, BRD_CONFIG_ERROR, 0);
  g_assert_nonnull (strstr (error->message, "without tokens"));
}

static void
test_public_with_token (void)
{
  g_autoptr(BrdConfig) config = brd_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (parse (config, &error, "--listen", "0.0.0.0:8600", "--token", "admin:x", NULL));
  g_assert_no_error (error);
}

static void
test_bad_values (void)
{
  static const char *bad[][2] = {
    { "--listen", "nonsense" },
    { "--listen", "127.0.0.1:99999" },
    { "--processor", "magic" },
    { "--workers", "0" },
    { "--token", "superuser:x" },
    { "--token", "admin:" },
    { "--database", "mysql://x" },
    { "--max-body-bytes", "10" },
    { "--compat", "fastapi" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(BrdConfig) config = brd_config_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (parse (config, &error, bad[i][0], bad[i][1], NULL));
      g_assert_nonnull (error);
    }
}

static void
test_split_listen (void)
{
  g_autofree char *host = NULL;
  g_autofree char *host6 = NULL;
  guint16 port = 0;

  g_assert_true (brd_config_split_listen ("127.0.0.1:0", &host, &port, NULL));
  g_assert_cmpstr (host, ==, "127.0.0.1");
  g_assert_cmpuint (port, ==, 0);
  g_assert_true (brd_config_split_listen ("[::1]:8600", &host6, &port, NULL));
  g_assert_cmpstr (host6, ==, "::1");
  g_assert_cmpuint (port, ==, 8600);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/daemon/config/defaults", test_defaults);
  g_test_add_func ("/daemon/config/flags-override-file", test_flags_override_file);
  g_test_add_func ("/daemon/config/refuses-public-without-token", test_refuses_public_without_token);
  g_test_add_func ("/daemon/config/public-with-token", test_public_with_token);
  g_test_add_func ("/daemon/config/bad-values", test_bad_values);
  g_test_add_func ("/daemon/config/compat-profiles", test_compat_profiles);
  g_test_add_func ("/daemon/config/split-listen", test_split_listen);

  return g_test_run ();
}
