/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "brd-processor.h"

typedef struct
{
  BrdJobResult *result;
  GError       *error;
  gboolean      done;
} Outcome;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Outcome *o = user_data;

  o->result = brd_processor_run_finish (NULL, result, &o->error);
  o->done = TRUE;
}

static BrdJob *
make_job (const char *lead_id,
          const char *domain,
          const char *email)
{
  BrdJob *job = brd_job_new ();

  job->lead = brd_lead_new ();
  job->lead->id = g_strdup (lead_id);
  job->lead->company_name = g_strdup ("Northwind Robotics");
  job->lead->domain = g_strdup (domain);
  job->lead->email = g_strdup (email);
  job->lead->contact_name = g_strdup ("Ada Lovelace");
  job->lead->enrichment_status = g_strdup ("partial");
  job->batch_id = g_strdup ("batch-1");
  job->batch_name = g_strdup ("Unit batch");
  job->template_version = g_strdup ("v1");
  job->attempt = 1;
  job->expected_costs = json_object_new ();
  json_object_set_double_member (job->expected_costs, "base", 0.12);
  json_object_set_double_member (job->expected_costs, "web_analysis", 0.03);
  json_object_set_double_member (job->expected_costs, "llm_report", 0.10);
  json_object_set_double_member (job->expected_costs, "overhead", 0.02);
  job->expected_total = 0.27;
  return job;
}

static Outcome
run (BrdProcessor *processor,
     BrdJob       *job,
     GCancellable *cancellable)
{
  Outcome o = { 0 };

  brd_processor_run_async (processor, job, cancellable, done_cb, &o);
  while (!o.done)
    g_main_context_iteration (NULL, TRUE);
  return o;
}

static void
test_report_writes_pdf (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_REPORT, dir, NULL, 10, NULL);
  Outcome o = run (processor, make_job ("lead-1", "northwind-robotics.example", "ada@northwind-robotics.example"), NULL);
  g_autofree char *pdf_path = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_path = g_build_filename (dir, "batch-1", "lead-1.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  double base, web;

  g_assert_no_error (o.error);
  g_assert_true (o.result->success);
  pdf_path = g_filename_from_uri (o.result->report_url, NULL, NULL);
  g_assert_nonnull (pdf_path);
  g_assert_true (g_file_get_contents (pdf_path, &pdf, &len, NULL));
  g_assert_cmpuint (len, >, 1000);
  g_assert_true (g_str_has_prefix (pdf, "%PDF-"));

  g_assert_true (g_file_get_contents (json_path, &json, NULL, NULL));
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (json_parser_get_root (parser)), "quality_score"),
                     ==, o.result->quality_score);

  /* Base and overhead are exact; providers bill within ±4%. */
  base = json_object_get_double_member (o.result->cost_breakdown, "base");
  web = json_object_get_double_member (o.result->cost_breakdown, "web_analysis");
  g_assert_cmpfloat (base, ==, 0.12);
  g_assert_cmpfloat (web, >=, 0.03 * 0.96);
  g_assert_cmpfloat (web, <=, 0.03 * 1.04);
  g_assert_cmpfloat_with_epsilon (o.result->cost_usd, 0.27, 0.27 * 0.04);

  /* No temporary files are left. */
  {
    g_autofree char *part = g_strconcat (pdf_path, ".part", NULL);
    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  }
  brd_job_result_free (o.result);
}

static void
test_report_variance_is_deterministic (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_REPORT, dir, NULL, 10, NULL);
  Outcome a = run (processor, make_job ("lead-v", "v.example", NULL), NULL);
  Outcome b = run (processor, make_job ("lead-v", "v.example", NULL), NULL);

  g_assert_cmpfloat (a.result->cost_usd, ==, b.result->cost_usd);
  brd_job_result_free (a.result);
  brd_job_result_free (b.result);
}

static void
test_report_failures (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_REPORT, dir, NULL, 10, NULL);
  Outcome unreachable = run (processor, make_job ("l2", "unreachable-acme.example", NULL), NULL);
  Outcome invalid = run (processor, make_job ("l3", NULL, NULL), NULL);

  g_assert_false (unreachable.result->success);
  g_assert_cmpstr (unreachable.result->error_code, ==, "DOMAIN_UNREACHABLE");
  g_assert_nonnull (strstr (unreachable.result->error_message, "unreachable-acme.example"));
  g_assert_false (invalid.result->success);
  g_assert_cmpstr (invalid.result->error_code, ==, "INVALID_LEAD");
  brd_job_result_free (unreachable.result);
  brd_job_result_free (invalid.result);
}

static void
test_report_cancelled (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-proc-XXXXXX", NULL);
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_REPORT, dir, NULL, 10, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *pdf = g_build_filename (dir, "batch-1", "l4.pdf", NULL);
  Outcome o;

  g_cancellable_cancel (cancellable);
  o = run (processor, make_job ("l4", "c.example", NULL), cancellable);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (o.result);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_clear_error (&o.error);
}

static void
test_noop (void)
{
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_NOOP, NULL, NULL, 10, NULL);
  Outcome o = run (processor, make_job ("l5", "n.example", NULL), NULL);

  g_assert_true (o.result->success);
  g_assert_cmpfloat (o.result->cost_usd, ==, 0);
  g_assert_cmpuint (json_object_get_size (o.result->cost_breakdown), ==, 0);
  brd_job_result_free (o.result);
}

static void
test_exec_bad_command (void)
{
  g_autoptr(GError) error = NULL;
  BrdProcessor *processor = brd_processor_new (BRD_PROCESSOR_EXEC, NULL, "sh -c 'unterminated", 10, &error);

  g_assert_null (processor);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_exec_empty_output_succeeds (void)
{
  g_autoptr(BrdProcessor) processor = brd_processor_new (BRD_PROCESSOR_EXEC, NULL, "/bin/true", 10, NULL);
  Outcome o = run (processor, make_job ("l6", "e.example", NULL), NULL);

  g_assert_true (o.result->success);
  g_assert_cmpfloat (o.result->cost_usd, ==, 0);
  brd_job_result_free (o.result);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/daemon/processor/report/writes-pdf", test_report_writes_pdf);
  g_test_add_func ("/daemon/processor/report/variance-deterministic", test_report_variance_is_deterministic);
  g_test_add_func ("/daemon/processor/report/failures", test_report_failures);
  g_test_add_func ("/daemon/processor/report/cancelled", test_report_cancelled);
  g_test_add_func ("/daemon/processor/noop", test_noop);
  g_test_add_func ("/daemon/processor/exec/bad-command", test_exec_bad_command);
  g_test_add_func ("/daemon/processor/exec/empty-output-succeeds", test_exec_empty_output_succeeds);

  return g_test_run ();
}
