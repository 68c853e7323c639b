/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every HTTP endpoint of batch-runnerd against a real daemon: shapes,
 * filters, paging, and numbers that must equal what the lead rows say. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "brt-fixtures.h"

#define WAIT_MS 20000

static void
assert_time_or_null (JsonObject *obj,
                     const char *member,
                     gboolean    may_be_null)
{
  const char *text = brt_str (obj, member);

  if (text == NULL)
    g_assert_true (may_be_null);
  else
    brt_parse_time (text);
}

static void
test_health (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", "--workers", "3",
                                                  "--daily-budget", "123.5", NULL);
  g_autoptr(JsonObject) health = brt_request (daemon, "GET", "/api/v1/health", NULL, 200);
  g_autoptr(JsonObject) with_client = NULL;
  g_autoptr(BrtWs) ws = NULL;
  JsonArray *caps;
  JsonObject *workers;
  const char * const wanted[] = { "events", "pause", "retry", "leads", "templates", "analytics.daily",
                                  "metrics", "audit" };

  g_assert_cmpstr (brt_str (health, "status"), ==, "healthy");
  g_assert_cmpstr (brt_str (health, "database"), ==, "connected");
  g_assert_nonnull (brt_str (health, "message"));
  g_assert_cmpstr (brt_str (health, "version"), ==, PACKAGE_VERSION);
  assert_time_or_null (health, "timestamp", FALSE);

  caps = json_object_get_array_member (health, "capabilities");
  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < json_array_get_length (caps); j++)
        found |= g_str_equal (json_array_get_string_element (caps, j), wanted[i]);
      if (!found)
        g_error ("capability %s missing", wanted[i]);
    }

  workers = json_object_get_object_member (health, "workers");
  g_assert_cmpint (brt_int (workers, "total"), ==, 3);
  g_assert_cmpint (brt_int (workers, "busy"), ==, 0);
  g_assert_cmpint (brt_int (health, "queue_depth"), ==, 0);
  g_assert_cmpint (brt_int (health, "websocket_clients"), ==, 0);
  g_assert_cmpfloat (brt_num (health, "spent_today_usd"), ==, 0);
  g_assert_cmpfloat (brt_num (health, "daily_budget_usd"), ==, 123.5);
  g_assert_cmpstr (brt_str (health, "processor"), ==, "noop");
  g_assert_cmpint (brt_int (health, "event_seq"), >=, 0);

  /* A WebSocket client is counted. */
  ws = brt_events_connect (daemon, NULL);
  with_client = brt_request (daemon, "GET", "/api/v1/health", NULL, 200);
  g_assert_cmpint (brt_int (with_client, "websocket_clients"), ==, 1);
}

static void
test_templates (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(JsonArray) templates = brt_request_array (daemon, "GET", "/api/v1/templates", NULL, 200);
  const char * const versions[] = { "v0", "v1", "v2", "v3-beta" };
  guint n_default = 0;

  g_assert_cmpuint (json_array_get_length (templates), ==, G_N_ELEMENTS (versions));
  for (guint i = 0; i < json_array_get_length (templates); i++)
    {
      JsonObject *t = json_array_get_object_element (templates, i);
      const char *version = brt_str (t, "version");

      g_assert_true (g_strv_contains (versions, version));
      g_assert_nonnull (brt_str (t, "name"));
      g_assert_nonnull (brt_str (t, "description"));
      g_assert_nonnull (brt_str (t, "complexity"));
      if (json_object_get_boolean_member (t, "is_default"))
        {
          n_default++;
          g_assert_cmpstr (version, ==, "v1");
        }
      if (g_str_equal (version, "v3-beta"))
        {
          const char *reason = brt_str (t, "unavailable_reason");

          g_assert_false (json_object_get_boolean_member (t, "available"));
          g_assert_nonnull (reason);
          g_assert_cmpuint (strlen (reason), >, 0);
        }
      else
        g_assert_true (json_object_get_boolean_member (t, "available"));
    }
  g_assert_cmpuint (n_default, ==, 1);
}

static gint64
count_leads (BrtDaemon  *daemon,
             const char *query)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/leads?limit=1%s%s", query ? "&" : "", query ? query : "");
  g_autoptr(JsonObject) page = brt_request (daemon, "GET", path, NULL, 200);

  return brt_int (page, "total_count");
}

static void
test_leads (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  BrtLeadSpec acme = { .name_prefix = "Acme", .domain_prefix = "acme", .source = "crm",
                       .industry = "software", .enrichment_status = "pending" };
  BrtLeadSpec globex = { .name_prefix = "Globex", .domain_prefix = "globex", .source = "fair",
                         .industry = "retail", .enrichment_status = "completed" };
  g_autoptr(GPtrArray) a = brt_import_leads (daemon, 12, &acme);
  g_autoptr(GPtrArray) g = brt_import_leads (daemon, 8, &globex);
  g_autoptr(JsonObject) all = brt_request (daemon, "GET", "/api/v1/leads?limit=1000", NULL, 200);
  g_autoptr(JsonObject) page1 = brt_request (daemon, "GET", "/api/v1/leads?limit=5", NULL, 200);
  g_autoptr(JsonObject) page2 = brt_request (daemon, "GET", "/api/v1/leads?limit=5&skip=5", NULL, 200);
  g_autoptr(JsonObject) imported = NULL;
  g_autoptr(JsonObject) renamed = NULL;
  g_autoptr(JsonObject) mixed = NULL;
  g_autofree char *update = NULL;
  g_autofree char *search_path = NULL;
  JsonArray *leads = json_object_get_array_member (all, "leads");
  JsonArray *rejected;
  JsonObject *first;
  g_autofree char *previous = g_strdup ("");

  g_assert_cmpint (brt_int (all, "total_count"), ==, 20);
  g_assert_cmpuint (json_array_get_length (leads), ==, 20);

  /* Sorted by company name, every field of the Lead object present. */
  for (guint i = 0; i < json_array_get_length (leads); i++)
    {
      JsonObject *lead = json_array_get_object_element (leads, i);
      g_autofree char *name = g_ascii_strdown (brt_str (lead, "company_name"), -1);

      g_assert_cmpint (strcmp (previous, name), <=, 0);
      g_free (previous);
      previous = g_steal_pointer (&name);
      g_assert_nonnull (brt_str (lead, "id"));
      g_assert_nonnull (brt_str (lead, "domain"));
      g_assert_nonnull (brt_str (lead, "email"));
      g_assert_nonnull (brt_str (lead, "contact_name"));
      g_assert_nonnull (brt_str (lead, "source"));
      g_assert_nonnull (brt_str (lead, "industry"));
      g_assert_nonnull (brt_str (lead, "enrichment_status"));
      assert_time_or_null (lead, "created_at", FALSE);
      g_assert_null (brt_str (lead, "last_processed_at"));
      g_assert_false (json_object_get_boolean_member (lead, "in_active_batch"));
    }

  /* Paging: two disjoint pages, the same total. */
  g_assert_cmpint (brt_int (page1, "total_count"), ==, 20);
  g_assert_cmpint (brt_int (page2, "total_count"), ==, 20);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page1, "leads")), ==, 5);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page2, "leads")), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *p1 = json_array_get_object_element (json_object_get_array_member (page1, "leads"), i);
      JsonObject *p2 = json_array_get_object_element (json_object_get_array_member (page2, "leads"), i);
      JsonObject *in_all = json_array_get_object_element (leads, i + 5);

      g_assert_cmpstr (brt_str (p1, "id"), ==, brt_str (json_array_get_object_element (leads, i), "id"));
      g_assert_cmpstr (brt_str (p2, "id"), ==, brt_str (in_all, "id"));
    }

  /* Filters. */
  g_assert_cmpint (count_leads (daemon, "source=crm"), ==, 12);
  g_assert_cmpint (count_leads (daemon, "source=fair"), ==, 8);
  g_assert_cmpint (count_leads (daemon, "industry=retail"), ==, 8);
  g_assert_cmpint (count_leads (daemon, "enrichment_status=completed"), ==, 8);
  g_assert_cmpint (count_leads (daemon, "enrichment_status=pending"), ==, 12);
  g_assert_cmpint (count_leads (daemon, "enrichment_status=partial"), ==, 0);
  g_assert_cmpint (count_leads (daemon, "search=globex"), ==, 8);
  g_assert_cmpint (count_leads (daemon, "search=GLOBEX"), ==, 8);
  g_assert_cmpint (count_leads (daemon, "search=acme&industry=retail"), ==, 0);
  g_assert_cmpint (count_leads (daemon, "search=no-such-thing"), ==, 0);
  /* LIKE wildcards in the search are literal. */
  g_assert_cmpint (count_leads (daemon, "search=%25"), ==, 0);
  g_assert_cmpint (count_leads (daemon, "search=_"), ==, 0);
  brt_assert_error (daemon, "GET", "/api/v1/leads?enrichment_status=bogus", NULL, 422, "VALIDATION_ERROR",
                    "enrichment_status");
  brt_assert_error (daemon, "GET", "/api/v1/leads?limit=0", NULL, 422, "VALIDATION_ERROR", "limit");

  /* Re-importing an id updates the lead; it is not a second lead. */
  update = g_strdup_printf ("[{\"id\": \"%s\", \"company_name\": \"Renamed Corp\", \"domain\": \"renamed.example.com\","
                            " \"enrichment_status\": \"partial\"}]", (char *) a->pdata[0]);
  imported = brt_request (daemon, "POST", "/api/v1/leads", update, 200);
  g_assert_cmpint (brt_int (imported, "imported"), ==, 1);
  g_assert_cmpint (count_leads (daemon, NULL), ==, 20);
  renamed = brt_request (daemon, "GET", "/api/v1/leads?search=Renamed", NULL, 200);
  g_assert_cmpint (brt_int (renamed, "total_count"), ==, 1);
  first = json_array_get_object_element (json_object_get_array_member (renamed, "leads"), 0);
  g_assert_cmpstr (brt_str (first, "id"), ==, a->pdata[0]);
  g_assert_cmpstr (brt_str (first, "enrichment_status"), ==, "partial");

  /* Bad rows are rejected one by one, by index; the good ones go in. */
  mixed = brt_request (daemon, "POST", "/api/v1/leads",
                       "[{\"company_name\": \"Fine Co\", \"domain\": \"fine.example.com\"},"
                       " {\"domain\": \"nameless.example.com\"},"
                       " 5,"
                       " {\"company_name\": \"Bad Status\", \"domain\": \"b.example.com\", \"enrichment_status\": \"weird\"}]",
                       200);
  g_assert_cmpint (brt_int (mixed, "imported"), ==, 1);
  rejected = json_object_get_array_member (mixed, "rejected");
  g_assert_cmpuint (json_array_get_length (rejected), ==, 3);
  g_assert_cmpint (brt_int (json_array_get_object_element (rejected, 0), "index"), ==, 1);
  g_assert_nonnull (strstr (brt_str (json_array_get_object_element (rejected, 0), "detail"), "company_name"));
  g_assert_cmpint (brt_int (json_array_get_object_element (rejected, 1), "index"), ==, 2);
  g_assert_cmpint (brt_int (json_array_get_object_element (rejected, 2), "index"), ==, 3);
  g_assert_nonnull (strstr (brt_str (json_array_get_object_element (rejected, 2), "detail"), "enrichment_status"));
  g_assert_cmpint (count_leads (daemon, NULL), ==, 21);
  search_path = g_strdup_printf ("search=%s", "Fine");
  g_assert_cmpint (count_leads (daemon, search_path), ==, 1);
  (void) g;
}

static void
assert_lead_result_shape (JsonObject *r)
{
  const char * const members[] = { "lead_id", "status", "report_url", "actual_cost_usd", "cost_breakdown",
                                   "processing_duration_ms", "quality_score", "error_code", "error_message",
                                   "retry_count", "started_at", "completed_at" };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    if (!json_object_has_member (r, members[i]))
      g_error ("LeadResult lacks %s", members[i]);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (r, "cost_breakdown")));
  assert_time_or_null (r, "started_at", TRUE);
  assert_time_or_null (r, "completed_at", TRUE);
}

static void
test_batch_lifecycle_endpoints (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 10, NULL);
  g_autoptr(JsonObject) preview = brt_preview (daemon, ids, NULL);
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(JsonObject) status = NULL;
  g_autoptr(JsonObject) page = NULL;
  g_autoptr(JsonObject) tail = NULL;
  g_autoptr(JsonObject) leads = NULL;
  g_autoptr(JsonArray) rows = NULL;
  g_autofree char *list = brt_ids_json (ids);
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *ws_url = NULL;
  char cost[G_ASCII_DTOSTR_BUF_SIZE];
  const char *id;
  JsonArray *recent;

  g_ascii_dtostr (cost, sizeof cost, brt_num (preview, "estimated_cost_usd"));
  body = g_strdup_printf ("{\"lead_ids\": %s, \"estimated_cost_usd\": %s, \"cost_approved\": true,"
                          " \"name\": \"API batch\", \"description\": \"All the endpoints\","
                          " \"created_by\": \"tester\", \"max_concurrent\": 3, \"retry_failed\": false,"
                          " \"retry_count\": 1}", list, cost);
  created = brt_request (daemon, "POST", "/api/v1/batch/start", body, 201);
  id = brt_str (created, "id");
  g_assert_true (g_uuid_string_is_valid (id));
  g_assert_true (g_str_equal (brt_str (created, "status"), "pending") ||
                 g_str_equal (brt_str (created, "status"), "running"));
  g_assert_cmpstr (brt_str (created, "name"), ==, "API batch");
  g_assert_cmpstr (brt_str (created, "description"), ==, "All the endpoints");
  g_assert_cmpstr (brt_str (created, "created_by"), ==, "tester");
  g_assert_cmpstr (brt_str (created, "template_version"), ==, "v1");
  g_assert_cmpint (brt_int (created, "total_leads"), ==, 10);
  g_assert_cmpint (brt_int (created, "max_concurrent"), ==, 3);
  g_assert_cmpint (brt_int (created, "retry_count"), ==, 1);
  g_assert_false (json_object_get_boolean_member (created, "retry_failed"));
  g_assert_cmpfloat_with_epsilon (brt_num (created, "estimated_cost_usd"), brt_num (preview, "estimated_cost_usd"), 1e-4);
  ws_url = g_strdup_printf ("/api/v1/batch/%s/progress", id);
  g_assert_cmpstr (brt_str (created, "websocket_url"), ==, ws_url);
  assert_time_or_null (created, "created_at", FALSE);
  g_assert_cmpint (brt_int (created, "seq"), >, 0);

  done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
  g_assert_cmpint (brt_int (done, "processed_leads"), ==, 10);
  g_assert_cmpint (brt_int (done, "successful_leads"), ==, 10);
  g_assert_cmpint (brt_int (done, "failed_leads"), ==, 0);
  g_assert_cmpint (brt_int (done, "skipped_leads"), ==, 0);
  g_assert_cmpfloat (brt_num (done, "progress_percentage"), ==, 100);
  g_assert_cmpint (brt_int (done, "estimated_remaining_seconds"), ==, 0);
  g_assert_null (brt_str (done, "current_lead_id"));
  g_assert_null (brt_str (done, "error_message"));
  g_assert_cmpint (brt_parse_time (brt_str (done, "started_at")), <=, brt_parse_time (brt_str (done, "completed_at")));
  g_assert_cmpint (brt_parse_time (brt_str (done, "created_at")), <=, brt_parse_time (brt_str (done, "started_at")));
  g_clear_pointer (&done, json_object_unref);
  done = brt_assert_counters_match_rows (daemon, id);

  /* GET /batch/{id}/status */
  g_free (path);
  path = g_strdup_printf ("/api/v1/batch/%s/status", id);
  status = brt_request (daemon, "GET", path, NULL, 200);
  g_assert_cmpstr (brt_str (status, "batch_id"), ==, id);
  g_assert_cmpstr (brt_str (status, "status"), ==, "completed");
  g_assert_cmpfloat (brt_num (status, "progress_percentage"), ==, 100);
  g_assert_cmpint (brt_int (status, "total_leads"), ==, 10);
  g_assert_cmpint (brt_int (status, "processed_leads"), ==, 10);
  g_assert_cmpint (brt_int (status, "successful_leads"), ==, 10);
  g_assert_cmpint (brt_int (status, "failed_leads"), ==, 0);
  g_assert_null (brt_str (status, "current_lead_id"));
  g_assert_cmpstr (brt_str (status, "websocket_url"), ==, ws_url);
  assert_time_or_null (status, "started_at", FALSE);
  assert_time_or_null (status, "estimated_completion", TRUE);
  g_assert_cmpfloat_with_epsilon (brt_num (status, "actual_cost_usd"), brt_num (done, "actual_cost_usd"), 1e-4);
  recent = json_object_get_array_member (status, "recent_results");
  g_assert_cmpuint (json_array_get_length (recent), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *r = json_array_get_object_element (recent, i);

      assert_lead_result_shape (r);
      g_assert_cmpstr (brt_str (r, "status"), ==, "completed");
      g_assert_true (g_ptr_array_find_with_equal_func (ids, brt_str (r, "lead_id"), g_str_equal, NULL));
    }
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (status, "error_summary")), ==, 0);

  /* GET /batch/{id}/leads: in the order the leads were given, paged. */
  rows = brt_get_results (daemon, id, NULL);
  g_assert_cmpuint (json_array_get_length (rows), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);

      assert_lead_result_shape (r);
      g_assert_cmpstr (brt_str (r, "lead_id"), ==, ids->pdata[i]);
      g_assert_nonnull (brt_str (r, "company_name"));
      g_assert_nonnull (brt_str (r, "domain"));
      g_assert_cmpint (brt_int (r, "retry_count"), ==, 0);
    }
  g_free (path);
  path = g_strdup_printf ("/api/v1/batch/%s/leads?limit=3&skip=2", id);
  page = brt_request (daemon, "GET", path, NULL, 200);
  g_assert_cmpint (brt_int (page, "total_count"), ==, 10);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page, "results")), ==, 3);
  g_assert_cmpstr (brt_str (json_array_get_object_element (json_object_get_array_member (page, "results"), 0),
                            "lead_id"), ==, ids->pdata[2]);
  g_free (path);
  path = g_strdup_printf ("/api/v1/batch/%s/leads?skip=9", id);
  tail = brt_request (daemon, "GET", path, NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (tail, "results")), ==, 1);
  g_assert_cmpint (brt_count_results (daemon, id, "completed"), ==, 10);
  g_assert_cmpint (brt_count_results (daemon, id, "failed"), ==, 0);
  g_assert_cmpint (brt_count_results (daemon, id, "pending"), ==, 0);
  g_free (path);
  path = g_strdup_printf ("/api/v1/batch/%s/leads?status=bogus", id);
  brt_assert_error (daemon, "GET", path, NULL, 422, "VALIDATION_ERROR", "status");

  /* The leads remember their last batch. */
  leads = brt_request (daemon, "GET", "/api/v1/leads?limit=1000", NULL, 200);
  for (guint i = 0; i < json_array_get_length (json_object_get_array_member (leads, "leads")); i++)
    {
      JsonObject *lead = json_array_get_object_element (json_object_get_array_member (leads, "leads"), i);

      g_assert_cmpstr (brt_str (lead, "last_batch_id"), ==, id);
      assert_time_or_null (lead, "last_processed_at", FALSE);
      g_assert_false (json_object_get_boolean_member (lead, "in_active_batch"));
    }

  /* Route order: these are not batch ids. */
  brt_assert_error (daemon, "GET", "/api/v1/batch/preview", NULL, 405, "METHOD_NOT_ALLOWED", NULL);
  brt_assert_error (daemon, "GET", "/api/v1/batch/start", NULL, 405, "METHOD_NOT_ALLOWED", NULL);
  /* WebSocket paths want an upgrade. */
  g_free (path);
  path = g_strdup_printf ("/api/v1/batch/%s/progress", id);
  brt_assert_error (daemon, "GET", path, NULL, 400, "WEBSOCKET_REQUIRED", NULL);
  brt_assert_error (daemon, "GET", "/api/v1/events", NULL, 400, "WEBSOCKET_REQUIRED", NULL);
}

static void
assert_page (BrtDaemon  *daemon,
             const char *query,
             gint64      total,
             guint       n,
             gint64      current_page,
             gint64      total_pages,
             gint64      page_size,
             gboolean    has_next,
             gboolean    has_previous)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/batch?%s", query);
  g_autoptr(JsonObject) page = brt_request (daemon, "GET", path, NULL, 200);
  JsonObject *info = json_object_get_object_member (page, "page_info");

  g_assert_cmpint (brt_int (page, "total_count"), ==, total);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page, "batches")), ==, n);
  g_assert_cmpint (brt_int (info, "current_page"), ==, current_page);
  g_assert_cmpint (brt_int (info, "total_pages"), ==, total_pages);
  g_assert_cmpint (brt_int (info, "page_size"), ==, page_size);
  g_assert_cmpint (json_object_get_boolean_member (info, "has_next"), ==, has_next);
  g_assert_cmpint (json_object_get_boolean_member (info, "has_previous"), ==, has_previous);
}

static gint64
count_batches (BrtDaemon  *daemon,
               const char *query)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/batch?%s", query);
  g_autoptr(JsonObject) page = brt_request (daemon, "GET", path, NULL, 200);

  return brt_int (page, "total_count");
}

static gboolean
lead_processing (gpointer data)
{
  gpointer *args = data;

  return brt_count_results (args[0], args[1], "processing") == 1;
}

/* One worker and a lead that never finishes by itself: the first batch
 * stays running, the others wait, so every status can be set up. */
static void
test_list_filters_paging_audit (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "exec", "--workers", "1",
                                                  "--exec-command", "sh -c 'cat >/dev/null; exec sleep 20'",
                                                  NULL);
  const char * const names[] = { "Alpha one", "Beta two", "Gamma three", "Alpha four", "Delta five" };
  const char * const extras[] = {
    "\"name\": \"Alpha one\", \"created_by\": \"ann\"",
    "\"name\": \"Beta two\", \"created_by\": \"bob\", \"template_version\": \"v0\"",
    "\"name\": \"Gamma three\", \"created_by\": \"ann\"",
    "\"name\": \"Alpha four\", \"created_by\": \"bob\", \"template_version\": \"v2\"",
    "\"name\": \"Delta five\", \"created_by\": \"ann\"",
  };
  char *batch_ids[5];
  g_autoptr(JsonObject) newest = NULL;
  g_autoptr(JsonObject) audit = NULL;
  g_autoptr(JsonObject) audit_b = NULL;
  g_autoptr(JsonObject) audit_page = NULL;
  g_autoptr(JsonObject) audit_none = NULL;
  g_autofree char *path = NULL;
  gpointer args[2];
  JsonArray *entries;

  for (guint i = 0; i < G_N_ELEMENTS (extras); i++)
    {
      g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 2, NULL);

      batch_ids[i] = brt_start_batch (daemon, ids, extras[i]);
    }

  /* [0] running with one lead in flight, [1] paused, [2] cancelled, [3], [4] pending. */
  args[0] = daemon;
  args[1] = batch_ids[0];
  g_assert_true (brt_poll_until (lead_processing, args, WAIT_MS, 20));
  g_clear_pointer (&newest, json_object_unref);
  newest = brt_wait_batch_status (daemon, batch_ids[0], "running", WAIT_MS);
  g_clear_pointer (&newest, json_object_unref);
  path = g_strdup_printf ("/api/v1/batch/%s/pause", batch_ids[1]);
  newest = brt_request (daemon, "POST", path, NULL, 200);
  g_assert_cmpstr (brt_str (newest, "status"), ==, "paused");
  g_clear_pointer (&newest, json_object_unref);
  g_free (path);
  path = g_strdup_printf ("/api/v1/batch/%s/cancel", batch_ids[2]);
  newest = brt_request (daemon, "POST", path, NULL, 200);
  g_assert_nonnull (brt_str (newest, "message"));
  g_assert_cmpstr (brt_str (json_object_get_object_member (newest, "batch"), "status"), ==, "cancelled");
  g_clear_pointer (&newest, json_object_unref);

  /* Status: repeatable and comma-separated. */
  g_assert_cmpint (count_batches (daemon, "status=running"), ==, 1);
  g_assert_cmpint (count_batches (daemon, "status=pending"), ==, 2);
  g_assert_cmpint (count_batches (daemon, "status=paused"), ==, 1);
  g_assert_cmpint (count_batches (daemon, "status=cancelled"), ==, 1);
  g_assert_cmpint (count_batches (daemon, "status=completed"), ==, 0);
  g_assert_cmpint (count_batches (daemon, "status=pending&status=paused"), ==, 3);
  g_assert_cmpint (count_batches (daemon, "status=pending,cancelled"), ==, 3);
  g_assert_cmpint (count_batches (daemon, "status=running,paused&status=cancelled"), ==, 3);
  /* Search, creator, template. */
  g_assert_cmpint (count_batches (daemon, "search=alpha"), ==, 2);
  g_assert_cmpint (count_batches (daemon, "search=Gamma"), ==, 1);
  g_assert_cmpint (count_batches (daemon, "search=nothing-like-it"), ==, 0);
  g_assert_cmpint (count_batches (daemon, "created_by=ann"), ==, 3);
  g_assert_cmpint (count_batches (daemon, "created_by=bob&status=paused"), ==, 1);
  g_assert_cmpint (count_batches (daemon, "template_version=v0"), ==, 1);
  g_assert_cmpint (count_batches (daemon, "template_version=v2"), ==, 1);
  g_assert_cmpint (count_batches (daemon, "template_version=v1"), ==, 3);
  g_assert_cmpint (count_batches (daemon, "created_after=2000-01-01T00:00:00Z"), ==, 5);
  g_assert_cmpint (count_batches (daemon, "created_after=2999-01-01T00:00:00Z"), ==, 0);
  g_assert_cmpint (count_batches (daemon, "created_before=2000-01-01T00:00:00Z"), ==, 0);

  /* Paging. */
  assert_page (daemon, "limit=2", 5, 2, 1, 3, 2, TRUE, FALSE);
  assert_page (daemon, "limit=2&skip=2", 5, 2, 2, 3, 2, TRUE, TRUE);
  assert_page (daemon, "limit=2&skip=4", 5, 1, 3, 3, 2, FALSE, TRUE);
  assert_page (daemon, "skip=0", 5, 5, 1, 1, 50, FALSE, FALSE);
  assert_page (daemon, "limit=200&status=completed", 0, 0, 1, 0, 200, FALSE, FALSE);

  /* Newest first. */
  newest = brt_request (daemon, "GET", "/api/v1/batch", NULL, 200);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *b = json_array_get_object_element (json_object_get_array_member (newest, "batches"), i);

      g_assert_cmpstr (brt_str (b, "id"), ==, batch_ids[4 - i]);
      g_assert_cmpstr (brt_str (b, "name"), ==, names[4 - i]);
    }

  brt_assert_error (daemon, "GET", "/api/v1/batch?limit=201", NULL, 422, "VALIDATION_ERROR", "limit");
  brt_assert_error (daemon, "GET", "/api/v1/batch?status=bogus", NULL, 422, "VALIDATION_ERROR", "status");
  brt_assert_error (daemon, "GET", "/api/v1/batch?created_after=yesterday", NULL, 422, "VALIDATION_ERROR",
                    "created_after");

  /* Audit: newest first, filtered by batch. */
  audit = brt_request (daemon, "GET", "/api/v1/audit?limit=200", NULL, 200);
  entries = json_object_get_array_member (audit, "entries");
  /* 5 imports, 5 starts, a pause and a cancel. */
  g_assert_cmpint (brt_int (audit, "total_count"), ==, 12);
  g_assert_cmpuint (json_array_get_length (entries), ==, 12);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);

      if (i > 0)
        g_assert_cmpint (brt_int (e, "id"), <, brt_int (json_array_get_object_element (entries, i - 1), "id"));
      assert_time_or_null (e, "timestamp", FALSE);
      g_assert_cmpstr (brt_str (e, "actor"), ==, "local");
      g_assert_cmpstr (brt_str (e, "role"), ==, "admin");
    }
  g_assert_cmpstr (brt_str (json_array_get_object_element (entries, 0), "action"), ==, "cancel");
  g_assert_cmpstr (brt_str (json_array_get_object_element (entries, 0), "batch_id"), ==, batch_ids[2]);
  g_assert_cmpstr (brt_str (json_array_get_object_element (entries, 1), "action"), ==, "pause");
  g_assert_cmpstr (brt_str (json_array_get_object_element (entries, 11), "action"), ==, "import-leads");
  g_assert_null (brt_str (json_array_get_object_element (entries, 11), "batch_id"));

  g_free (path);
  path = g_strdup_printf ("/api/v1/audit?batch_id=%s", batch_ids[1]);
  audit_b = brt_request (daemon, "GET", path, NULL, 200);
  g_assert_cmpint (brt_int (audit_b, "total_count"), ==, 2);
  g_assert_cmpstr (brt_str (json_array_get_object_element (json_object_get_array_member (audit_b, "entries"), 0),
                            "action"), ==, "pause");
  g_assert_cmpstr (brt_str (json_array_get_object_element (json_object_get_array_member (audit_b, "entries"), 1),
                            "action"), ==, "start");
  audit_page = brt_request (daemon, "GET", "/api/v1/audit?limit=2&skip=1", NULL, 200);
  g_assert_cmpint (brt_int (audit_page, "total_count"), ==, 12);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (audit_page, "entries")), ==, 2);
  g_assert_cmpstr (brt_str (json_array_get_object_element (json_object_get_array_member (audit_page, "entries"), 0),
                            "action"), ==, "pause");
  audit_none = brt_request (daemon, "GET", "/api/v1/audit?batch_id=00000000-0000-4000-8000-000000000000", NULL, 200);
  g_assert_cmpint (brt_int (audit_none, "total_count"), ==, 0);

  /* Cancel what waits, then the lead in flight (and its child), so the
   * freed worker starts nothing before the daemon goes. */
  for (guint i = 0; i < 5; i++)
    {
      guint b = (i + 1) % 5;

      if (b == 2)
        continue;
      g_free (path);
      path = g_strdup_printf ("/api/v1/batch/%s/cancel", batch_ids[b]);
      g_clear_pointer (&newest, json_object_unref);
      newest = brt_request (daemon, "POST", path, NULL, 200);
    }
  for (guint i = 0; i < G_N_ELEMENTS (batch_ids); i++)
    g_free (batch_ids[i]);
  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
}

static void
test_analytics (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "report", "--retry-backoff-ms", "10", NULL);
  BrtLeadSpec bad = { .domain_prefix = "unreachable-" };
  g_autoptr(GPtrArray) mixed = brt_import_leads (daemon, 6, NULL);
  g_autoptr(GPtrArray) failing = brt_import_leads (daemon, 3, &bad);
  g_autoptr(GPtrArray) only_failing = brt_import_leads (daemon, 3, &bad);
  g_autofree char *b1 = NULL;
  g_autofree char *b2 = NULL;
  g_autoptr(JsonObject) one = NULL;
  g_autoptr(JsonObject) two = NULL;
  g_autoptr(JsonObject) analytics = NULL;
  g_autoptr(JsonObject) day = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  JsonObject *stats, *breakdown;
  JsonArray *daily, *hourly, *errors;
  gint64 rows_ok = 0, rows_failed = 0, sum_processed = 0, sum_ok = 0, sum_failed = 0, sum_batches = 0, sum_hourly = 0;
  double rows_cost = 0, daily_cost = 0;
  const char *batch_list[2];

  for (guint i = 0; i < failing->len; i++)
    g_ptr_array_add (mixed, g_strdup (failing->pdata[i]));
  b1 = brt_start_batch (daemon, mixed, "\"retry_failed\": false");
  b2 = brt_start_batch (daemon, only_failing, "\"retry_failed\": false");
  one = brt_wait_batch_status (daemon, b1, "completed|failed", WAIT_MS);
  two = brt_wait_batch_status (daemon, b2, "completed|failed", WAIT_MS);
  g_assert_cmpstr (brt_str (one, "status"), ==, "completed");
  g_assert_cmpstr (brt_str (two, "status"), ==, "failed");
  g_assert_nonnull (brt_str (two, "error_message"));
  g_clear_pointer (&one, json_object_unref);
  g_clear_pointer (&two, json_object_unref);
  one = brt_assert_counters_match_rows (daemon, b1);
  two = brt_assert_counters_match_rows (daemon, b2);
  g_assert_cmpint (brt_int (one, "successful_leads"), ==, 6);
  g_assert_cmpint (brt_int (one, "failed_leads"), ==, 3);
  g_assert_cmpint (brt_int (two, "failed_leads"), ==, 3);

  batch_list[0] = b1;
  batch_list[1] = b2;
  for (guint b = 0; b < 2; b++)
    {
      g_autoptr(JsonArray) rows = brt_get_results (daemon, batch_list[b], NULL);

      for (guint i = 0; i < json_array_get_length (rows); i++)
        {
          JsonObject *r = json_array_get_object_element (rows, i);

          rows_ok += g_str_equal (brt_str (r, "status"), "completed");
          rows_failed += g_str_equal (brt_str (r, "status"), "failed");
          rows_cost += brt_num (r, "actual_cost_usd");
          if (g_str_equal (brt_str (r, "status"), "failed"))
            g_assert_cmpstr (brt_str (r, "error_code"), ==, "DOMAIN_UNREACHABLE");
        }
    }
  g_assert_cmpint (rows_ok, ==, 6);
  g_assert_cmpint (rows_failed, ==, 6);

  analytics = brt_request (daemon, "GET", "/api/v1/batch/analytics", NULL, 200);
  g_assert_cmpint (brt_int (analytics, "period_days"), ==, 7);
  brt_parse_time (brt_str (analytics, "start_date"));
  brt_parse_time (brt_str (analytics, "generated_at"));

  stats = json_object_get_object_member (analytics, "statistics");
  g_assert_cmpint (brt_int (stats, "total_batches"), ==, 2);
  g_assert_cmpfloat_with_epsilon (brt_num (stats, "average_successful_leads"), 3.0, 0.01);
  g_assert_cmpfloat_with_epsilon (brt_num (stats, "average_progress"), 100.0, 0.01);
  g_assert_cmpfloat_with_epsilon (brt_num (stats, "total_cost_usd"), rows_cost, 0.0002 * 13);
  g_assert_cmpfloat_with_epsilon (brt_num (stats, "total_cost_usd"),
                                  brt_num (one, "actual_cost_usd") + brt_num (two, "actual_cost_usd"), 0.0003);
  g_assert_cmpfloat (brt_num (stats, "average_duration_seconds"), >=, 0);

  breakdown = json_object_get_object_member (analytics, "status_breakdown");
  g_assert_cmpuint (json_object_get_size (breakdown), ==, 2);
  g_assert_cmpint (brt_int (breakdown, "completed"), ==, 1);
  g_assert_cmpint (brt_int (breakdown, "failed"), ==, 1);

  daily = json_object_get_array_member (analytics, "daily");
  g_assert_cmpuint (json_array_get_length (daily), ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      JsonObject *d = json_array_get_object_element (daily, i);

      sum_batches += brt_int (d, "batches");
      sum_processed += brt_int (d, "leads_processed");
      sum_ok += brt_int (d, "successful");
      sum_failed += brt_int (d, "failed");
      daily_cost += brt_num (d, "cost_usd");
      g_assert_cmpint (brt_int (d, "leads_processed"), ==, brt_int (d, "successful") + brt_int (d, "failed"));
      /* A day without lead results has no percentiles (null). */
      if (brt_int (d, "leads_processed") == 0)
        {
          g_assert_true (json_object_get_null_member (d, "p50_lead_ms"));
          g_assert_true (json_object_get_null_member (d, "p95_lead_ms"));
        }
      else
        {
          g_assert_cmpint (brt_int (d, "p50_lead_ms"), >=, 0);
          g_assert_cmpint (brt_int (d, "p95_lead_ms"), >=, brt_int (d, "p50_lead_ms"));
        }
      if (i > 0)
        g_assert_cmpstr (brt_str (json_array_get_object_element (daily, i - 1), "date"), <, brt_str (d, "date"));
    }
  g_assert_cmpstr (brt_str (json_array_get_object_element (daily, 6), "date"), ==, today);
  g_assert_cmpint (sum_batches, ==, 2);
  g_assert_cmpint (sum_processed, ==, rows_ok + rows_failed);
  g_assert_cmpint (sum_ok, ==, rows_ok);
  g_assert_cmpint (sum_failed, ==, rows_failed);
  g_assert_cmpfloat_with_epsilon (daily_cost, rows_cost, 0.0002 * 13);

  hourly = json_object_get_array_member (analytics, "hourly_throughput");
  g_assert_cmpuint (json_array_get_length (hourly), ==, 24);
  for (guint i = 0; i < 24; i++)
    {
      g_assert_cmpint (brt_int (json_array_get_object_element (hourly, i), "hour"), ==, i);
      sum_hourly += brt_int (json_array_get_object_element (hourly, i), "leads");
    }
  g_assert_cmpint (sum_hourly, ==, rows_ok + rows_failed);

  errors = json_object_get_array_member (analytics, "error_breakdown");
  g_assert_cmpuint (json_array_get_length (errors), ==, 1);
  g_assert_cmpstr (brt_str (json_array_get_object_element (errors, 0), "error_code"), ==, "DOMAIN_UNREACHABLE");
  g_assert_cmpint (brt_int (json_array_get_object_element (errors, 0), "count"), ==, rows_failed);
  g_assert_nonnull (brt_str (json_array_get_object_element (errors, 0), "sample_message"));
  g_assert_nonnull (brt_str (json_array_get_object_element (errors, 0), "hint"));

  /* One day: today's numbers only, the same here. */
  day = brt_request (daemon, "GET", "/api/v1/batch/analytics?days=1", NULL, 200);
  g_assert_cmpint (brt_int (day, "period_days"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (day, "daily")), ==, 1);
  g_assert_cmpint (brt_int (json_object_get_object_member (day, "statistics"), "total_batches"), ==, 2);

  brt_assert_error (daemon, "GET", "/api/v1/batch/analytics?days=0", NULL, 422, "VALIDATION_ERROR", "days");
  brt_assert_error (daemon, "GET", "/api/v1/batch/analytics?days=91", NULL, 422, "VALIDATION_ERROR", "days");
  brt_assert_error (daemon, "GET", "/api/v1/batch/analytics?days=x", NULL, 422, "VALIDATION_ERROR", "days");
}

/* The value of an unlabelled (or exactly labelled) sample in Prometheus text. */
static double
metric_value (const char *text,
              const char *name)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      if (g_str_has_prefix (lines[i], name) && lines[i][strlen (name)] == ' ')
        return g_ascii_strtod (lines[i] + strlen (name) + 1, NULL);
    }
  g_error ("No sample %s in:\n%s", name, text);
  return NAN;
}

static void
test_metrics (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", "--workers", "4", NULL);
  g_autoptr(GPtrArray) ids = brt_import_leads (daemon, 7, NULL);
  g_autofree char *id = brt_start_batch (daemon, ids, NULL);
  g_autoptr(JsonObject) done = brt_wait_batch_status (daemon, id, "completed", WAIT_MS);
  g_autoptr(JsonObject) health = brt_request (daemon, "GET", "/api/v1/health", NULL, 200);
  g_autoptr(BrtResponse) metrics = brt_http_raw (daemon, NULL, "GET", "/metrics", NULL, 0);
  g_autoptr(BrtResponse) post = brt_http_raw (daemon, NULL, "POST", "/metrics", "{}", -1);
  g_autoptr(BrtResponse) under_api = brt_http_raw (daemon, NULL, "GET", "/api/v1/metrics", NULL, 0);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  double previous = 0;

  g_assert_cmpuint (metrics->status, ==, 200);
  g_assert_true (g_str_has_prefix (metrics->content_type, "text/plain"));
  text = g_strndup (g_bytes_get_data (metrics->body, NULL), g_bytes_get_size (metrics->body));

  g_assert_cmpfloat (metric_value (text, "batch_runner_batches{status=\"completed\"}"), ==, 1);
  g_assert_cmpfloat (metric_value (text, "batch_runner_batches{status=\"running\"}"), ==, 0);
  g_assert_cmpfloat (metric_value (text, "batch_runner_leads_processed_total"), ==, 7);
  g_assert_cmpfloat (metric_value (text, "batch_runner_leads_failed_total"), ==, 0);
  g_assert_cmpfloat (metric_value (text, "batch_runner_workers_total"), ==, 4);
  g_assert_cmpfloat (metric_value (text, "batch_runner_workers_busy"), ==, 0);
  g_assert_cmpfloat (metric_value (text, "batch_runner_queue_depth"), ==, 0);
  g_assert_cmpfloat (metric_value (text, "batch_runner_websocket_clients"), ==, 0);
  g_assert_cmpfloat (metric_value (text, "batch_runner_daily_budget_usd"), ==, 500);
  g_assert_cmpfloat (metric_value (text, "batch_runner_spent_today_usd"), ==, brt_num (health, "spent_today_usd"));
  g_assert_cmpfloat (metric_value (text, "batch_runner_event_seq"), >=, brt_int (done, "seq"));
  g_assert_nonnull (strstr (text, "# TYPE batch_runner_http_request_duration_seconds histogram"));

  /* Histogram buckets are cumulative and end at the count. */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "batch_runner_http_request_duration_seconds_bucket{"))
      {
        double v = g_ascii_strtod (strrchr (lines[i], ' ') + 1, NULL);

        g_assert_cmpfloat (v, >=, previous);
        previous = v;
      }
  g_assert_cmpfloat (previous, ==, metric_value (text, "batch_runner_http_request_duration_seconds_count"));
  g_assert_cmpfloat (previous, >=, 5);
  g_assert_cmpfloat (metric_value (text, "batch_runner_http_request_duration_seconds_sum"), >, 0);

  /* Every sample line is `name{labels} value` after HELP and TYPE. */
  for (guint i = 0; lines[i]; i++)
    {
      if (*lines[i] == '\0' || g_str_has_prefix (lines[i], "# HELP ") || g_str_has_prefix (lines[i], "# TYPE "))
        continue;
      g_assert_true (g_str_has_prefix (lines[i], "batch_runner_"));
      g_assert_nonnull (strchr (lines[i], ' '));
    }

  g_assert_cmpuint (post->status, ==, 405);
  g_assert_cmpuint (under_api->status, ==, 404);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/integration/api/health", test_health);
  g_test_add_func ("/integration/api/templates", test_templates);
  g_test_add_func ("/integration/api/leads", test_leads);
  g_test_add_func ("/integration/api/batch-endpoints", test_batch_lifecycle_endpoints);
  g_test_add_func ("/integration/api/list-filters-paging-audit", test_list_filters_paging_audit);
  g_test_add_func ("/integration/api/analytics", test_analytics);
  g_test_add_func ("/integration/api/metrics", test_metrics);

  return g_test_run ();
}
