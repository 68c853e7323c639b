/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The preview: its arithmetic adds up, it prices what processing then
 * costs (±5%), and it knows the daily budget. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "brt-fixtures.h"

#define WAIT_MS 90000

static void
assert_money (double      value,
              double      expected,
              const char *what)
{
  /* Every value is rounded to 4 decimals on its own. */
  if (fabs (value - expected) > 0.00025)
    g_error ("%s: %.6f, expected %.6f", what, value, expected);
}

static void
assert_preview_adds_up (JsonObject *preview)
{
  JsonObject *cb = json_object_get_object_member (preview, "cost_breakdown");
  JsonObject *providers = json_object_get_object_member (preview, "provider_breakdown");
  g_autoptr(GList) names = json_object_get_members (providers);
  gint64 n = brt_int (preview, "lead_count");
  double provider_sum = 0;

  assert_money (brt_num (cb, "subtotal"), brt_num (cb, "base_cost") + brt_num (cb, "provider_costs"), "subtotal");
  g_assert_cmpfloat (brt_num (cb, "volume_discount_rate"), >=, 0);
  g_assert_cmpfloat (brt_num (cb, "volume_discount_rate"), <, 1);
  assert_money (brt_num (cb, "volume_discount_amount"), brt_num (cb, "subtotal") * brt_num (cb, "volume_discount_rate"),
                "volume_discount_amount");
  assert_money (brt_num (cb, "discounted_subtotal"), brt_num (cb, "subtotal") - brt_num (cb, "volume_discount_amount"),
                "discounted_subtotal");
  assert_money (brt_num (cb, "total_cost"), brt_num (cb, "discounted_subtotal") + brt_num (cb, "overhead_cost"),
                "total_cost");
  assert_money (brt_num (preview, "estimated_cost_usd"), brt_num (cb, "total_cost"), "estimated_cost_usd");
  assert_money (brt_num (preview, "cost_per_lead"), brt_num (preview, "estimated_cost_usd") / n, "cost_per_lead");
  g_assert_cmpfloat (brt_num (preview, "estimated_cost_usd"), >, 0);
  g_assert_cmpfloat (brt_num (preview, "estimated_duration_minutes"), >, 0);
  g_assert_nonnull (brt_str (preview, "accuracy_note"));

  for (GList *l = names; l; l = l->next)
    {
      JsonObject *line = json_object_get_object_member (providers, l->data);

      g_assert_cmpint (brt_int (line, "leads_processed"), >, 0);
      g_assert_cmpint (brt_int (line, "leads_processed"), <=, n);
      assert_money (brt_num (line, "total_cost"), brt_num (line, "cost_per_lead") * brt_int (line, "leads_processed"),
                    l->data);
      provider_sum += brt_num (line, "total_cost");
    }
  if (fabs (provider_sum - brt_num (cb, "provider_costs")) > 0.00025 * (g_list_length (names) + 1))
    g_error ("provider lines add up to %.4f, provider_costs is %.4f", provider_sum, brt_num (cb, "provider_costs"));
}

/* Imports the first @n of the shipped sample leads with the daemon's own
 * CLI before it starts. */
static void
import_sample_leads (BrtDaemon *daemon,
                     guint      n)
{
  g_autofree char *sample = g_build_filename (SOURCE_DATADIR, "daemon", "sample-leads.csv", NULL);
  g_autofree char *csv_path = g_build_filename (brt_daemon_get_dir (daemon), "sample.csv", NULL);
  g_autofree char *db_url = g_strconcat ("sqlite://", brt_daemon_get_db_path (daemon), NULL);
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *head = NULL;
  const char *argv[] = { g_getenv ("BRD_BIN"), "import-leads", csv_path, "--database", db_url, NULL };
  int status = -1;

  g_file_get_contents (sample, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", n + 2);
  g_assert_cmpuint (g_strv_length (lines), ==, n + 2);
  g_free (lines[n + 1]);
  lines[n + 1] = g_strdup ("");
  head = g_strjoinv ("\n", lines);
  g_file_set_contents (csv_path, head, -1, &error);
  g_assert_no_error (error);

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("import-leads failed: %s%s", out, err);
}

/* 200 of the shipped sample leads (every enrichment status, some without
 * email or domain, a few that fail): the report processor's actual cost is
 * within ±5% of the preview. Rate limits are lifted to keep this short;
 * the prices are the shipped ones. */
static void
test_preview_accuracy (void)
{
  g_autofree char *dir = brt_make_tmp_dir ();
  g_autofree char *card = brt_rate_card (dir, NULL, 0);
  const char * const args[] = { "--processor", "report", "--workers", "8", "--rate-card", card, NULL };
  g_autoptr(BrtDaemon) daemon = brt_daemon_new (args);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) leads = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) preview = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autofree char *id = NULL;
  double estimate, actual, failed_cost = 0;
  gint64 t0;
  JsonArray *list;

  import_sample_leads (daemon, 200);
  brt_daemon_launch (daemon, &error);
  g_assert_no_error (error);

  leads = brt_request (daemon, "GET", "/api/v1/leads?limit=1000", NULL, 200);
  list = json_object_get_array_member (leads, "leads");
  g_assert_cmpuint (json_array_get_length (list), ==, 200);
  for (guint i = 0; i < 200; i++)
    g_ptr_array_add (ids, g_strdup (brt_str (json_array_get_object_element (list, i), "id")));

  preview = brt_preview (daemon, ids, NULL);
  g_assert_cmpint (brt_int (preview, "lead_count"), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (preview, "invalid_lead_ids")), ==, 0);
  assert_preview_adds_up (preview);
  estimate = brt_num (preview, "estimated_cost_usd");

  t0 = g_get_monotonic_time ();
  id = brt_start_batch (daemon, ids, "\"max_concurrent\": 20, \"retry_failed\": false");
  done = brt_wait_batch_status (daemon, id, "completed|failed", WAIT_MS);
  g_test_message ("200 leads with the report processor took %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - t0) / 1000);
  g_assert_cmpstr (brt_str (done, "status"), ==, "completed");
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, id);
  rows = brt_get_results (daemon, id, "failed");
  for (guint i = 0; i < json_array_get_length (rows); i++)
    failed_cost += brt_num (json_array_get_object_element (rows, i), "actual_cost_usd");
  actual = brt_num (done, "actual_cost_usd");
  g_test_message ("preview $%.4f, actual $%.4f (%+.2f%%); %" G_GINT64_FORMAT " leads failed, costing $%.4f",
                  estimate, actual, 100 * (actual - estimate) / estimate, brt_int (done, "failed_leads"), failed_cost);
  g_assert_cmpint (brt_int (done, "successful_leads"), >=, 190);
  g_assert_cmpfloat (actual, >, 0);
  if (fabs (actual - estimate) > 0.05 * estimate)
    g_error ("The actual cost $%.4f is not within 5%% of the preview $%.4f", actual, estimate);
  brt_remove_tree (dir);
}

static void
test_preview_shapes (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 30, NULL);
  g_autoptr(JsonObject) mixed = NULL;
  g_autofree char *body = NULL;
  const char * const versions[] = { "v0", "v1", "v2" };
  JsonArray *valid, *invalid;

  /* Unknown ids are listed, the known ones priced. */
  body = g_strdup_printf ("{\"lead_ids\": [\"%s\", \"00000000-0000-4000-8000-000000000000\", \"%s\"]}",
                          (char *) ids->pdata[0], (char *) ids->pdata[1]);
  mixed = brt_request (daemon, "POST", "/api/v1/batch/preview", body, 200);
  g_assert_cmpint (brt_int (mixed, "lead_count"), ==, 2);
  valid = json_object_get_array_member (mixed, "valid_lead_ids");
  invalid = json_object_get_array_member (mixed, "invalid_lead_ids");
  g_assert_cmpuint (json_array_get_length (valid), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (valid, 0), ==, ids->pdata[0]);
  g_assert_cmpstr (json_array_get_string_element (valid, 1), ==, ids->pdata[1]);
  g_assert_cmpuint (json_array_get_length (invalid), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (invalid, 0), ==, "00000000-0000-4000-8000-000000000000");
  g_assert_cmpstr (brt_str (mixed, "template_version"), ==, "v1");
  assert_preview_adds_up (mixed);

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(JsonObject) p = brt_preview (daemon, ids, versions[i]);

      g_assert_cmpstr (brt_str (p, "template_version"), ==, versions[i]);
      g_assert_cmpint (brt_int (p, "lead_count"), ==, 30);
      assert_preview_adds_up (p);
    }
}

static void
test_budget (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "report", "--daily-budget", "1000", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 10, NULL);
  g_autoptr(JsonObject) first = brt_preview (daemon, ids, NULL);
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) health = NULL;
  g_autofree char *id = NULL;
  JsonObject *budget;
  double spent;

  g_assert_true (json_object_get_boolean_member (first, "is_within_budget"));
  g_assert_null (brt_str (first, "budget_warning"));
  budget = json_object_get_object_member (first, "budget");
  g_assert_cmpfloat (brt_num (budget, "daily_budget_usd"), ==, 1000);
  g_assert_cmpfloat (brt_num (budget, "spent_today_usd"), ==, 0);
  g_assert_cmpfloat (brt_num (budget, "remaining_usd"), ==, 1000);

  id = brt_start_batch (daemon, ids, NULL);
  done = brt_wait_batch_status (daemon, id, "completed", 30000);
  spent = brt_num (done, "actual_cost_usd");
  g_assert_cmpfloat (spent, >, 0);

  /* What was spent today counts against the budget everywhere. */
  health = brt_request (daemon, "GET", "/api/v1/health", NULL, 200);
  assert_money (brt_num (health, "spent_today_usd"), spent, "spent_today_usd");
  second = brt_preview (daemon, ids, NULL);
  budget = json_object_get_object_member (second, "budget");
  assert_money (brt_num (budget, "spent_today_usd"), spent, "budget.spent_today_usd");
  assert_money (brt_num (budget, "remaining_usd"), 1000 - spent, "budget.remaining_usd");
}

static void
test_over_budget_warning (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", "--daily-budget", "0.01", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 20, NULL);
  g_autoptr(JsonObject) preview = brt_preview (daemon, ids, NULL);
  const char *warning;

  g_assert_cmpfloat (brt_num (preview, "estimated_cost_usd"), >, 0.01);
  g_assert_false (json_object_get_boolean_member (preview, "is_within_budget"));
  warning = brt_str (preview, "budget_warning");
  g_assert_nonnull (warning);
  g_assert_cmpuint (strlen (warning), >, 0);
  g_assert_cmpfloat (brt_num (json_object_get_object_member (preview, "budget"), "daily_budget_usd"), ==, 0.01);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/integration/pricing/preview-accuracy", test_preview_accuracy);
  g_test_add_func ("/integration/pricing/preview-shapes", test_preview_shapes);
  g_test_add_func ("/integration/pricing/budget", test_budget);
  g_test_add_func ("/integration/pricing/over-budget-warning", test_over_budget_warning);

  return g_test_run ();
}
