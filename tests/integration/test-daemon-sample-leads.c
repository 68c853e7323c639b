/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "brt-fixtures.h"

/* Runs `batch-runnerd ARGS...`; returns the exit status, output in @out/@err. */
static int
run_daemon_cli (const char * const *args,
                char              **out,
                char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (gpointer) g_getenv ("BRD_BIN"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* The first data row's id, read from the committed CSV: the built-in copy
 * must be that same file. */
static char *
first_sample_id (void)
{
  g_autofree char *path = g_build_filename (SOURCE_DATADIR, "daemon", "sample-leads.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", 3);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  return g_strndup (lines[1], strcspn (lines[1], ","));
}

static void
test_import_sample (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_new (NULL);
  g_autofree char *db_url = g_strconcat ("sqlite://", brt_daemon_get_db_path (daemon), NULL);
  const char *args[] = { "import-leads", "--sample", "--database", db_url, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *first_id = first_sample_id ();
  g_autoptr(JsonObject) leads = NULL;
  g_autoptr(JsonObject) found = NULL;
  g_autoptr(JsonObject) audit = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *entries;
  guint n_imports = 0;

  g_assert_false (g_file_test (brt_daemon_get_db_path (daemon), G_FILE_TEST_EXISTS));
  g_assert_cmpint (run_daemon_cli (args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "Imported 2000 leads from sample-leads.csv (built in); 0 rejected\n");
  g_assert_true (g_file_test (brt_daemon_get_db_path (daemon), G_FILE_TEST_IS_REGULAR));

  /* Again: the ids are fixed, so the leads are updated, not doubled. */
  g_assert_cmpint (run_daemon_cli (args, &out2, &err2), ==, 0);

  brt_daemon_launch (daemon, &error);
  g_assert_no_error (error);

  leads = brt_request (daemon, "GET", "/api/v1/leads?limit=1", NULL, 200);
  g_assert_cmpint (brt_int (leads, "total_count"), ==, 2000);

  found = brt_request (daemon, "GET", "/api/v1/leads?search=Maplecrest", NULL, 200);
  g_assert_cmpint (brt_int (found, "total_count"), >=, 1);
  {
    JsonArray *items = json_object_get_array_member (found, "leads");
    gboolean seen = FALSE;

    for (guint i = 0; i < json_array_get_length (items); i++)
      seen |= g_str_equal (brt_str (json_array_get_object_element (items, i), "id"), first_id);
    g_assert_true (seen);
  }

  audit = brt_request (daemon, "GET", "/api/v1/audit?limit=200", NULL, 200);
  entries = json_object_get_array_member (audit, "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);

      if (g_str_equal (brt_str (e, "action"), "import-leads"))
        {
          g_assert_cmpstr (brt_str (e, "actor"), ==, "cli");
          g_assert_cmpstr (brt_str (e, "detail"), ==, "sample-leads.csv (built in)");
          n_imports++;
        }
    }
  g_assert_cmpuint (n_imports, ==, 2);

  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
}

static void
test_sample_usage_errors (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *db_path = g_build_filename (dir, "batch-runner.db", NULL);
  g_autofree char *db_url = g_strconcat ("sqlite://", db_path, NULL);
  const char *with_file[] = { "import-leads", "--sample", "leads.csv", "--database", db_url, NULL };
  const char *without_import[] = { "--sample", "--database", db_url, NULL };
  g_autofree char *out1 = NULL, *err1 = NULL, *out2 = NULL, *err2 = NULL;

  /* A file and --sample at once is ambiguous: refused, nothing written. */
  g_assert_cmpint (run_daemon_cli (with_file, &out1, &err1), ==, 2);
  g_assert_nonnull (strstr (err1, "import-leads FILE.csv|FILE.json|--sample"));

  g_assert_cmpint (run_daemon_cli (without_import, &out2, &err2), ==, 2);
  g_assert_nonnull (strstr (err2, "--sample only goes with import-leads"));

  g_assert_false (g_file_test (db_path, G_FILE_TEST_EXISTS));
  brt_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/daemon/sample-leads/import", test_import_sample);
  g_test_add_func ("/daemon/sample-leads/usage-errors", test_sample_usage_errors);

  return g_test_run ();
}
