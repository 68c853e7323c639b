/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "batchrunner.h"

/* Helpers ------------------------------------------------------------------------ */

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static gint64
utc_usec (int year,
          int month,
          int day,
          int hour,
          int minute,
          int second,
          int usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, second);

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + usec;
}

static void
record_notify (GObject    *object,
               GParamSpec *pspec,
               GPtrArray  *names)
{
  g_ptr_array_add (names, g_strdup (pspec->name));
}

/* Records the name of every property @object notifies, in order. */
static GPtrArray *
watch_notify (gpointer object)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (object, "notify", G_CALLBACK (record_notify), names);
  return names;
}

static gboolean
names_contain (GPtrArray  *names,
               const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (names->pdata[i], name))
      return TRUE;
  return FALSE;
}

/* The wire form of a Lead, a LeadResult and a Template. */
static char *
lead_wire (BrLead *lead)
{
  g_autoptr(JsonNode) node = br_lead_to_json (lead);
  return to_string (node);
}

static char *
result_wire (BrLeadResult *result)
{
  g_autoptr(JsonNode) node = br_lead_result_to_json (result);
  return to_string (node);
}

static char *
template_wire (BrTemplate *template)
{
  g_autoptr(JsonNode) node = br_template_to_json (template);
  return to_string (node);
}

static char *
batch_wire (BrBatch *batch)
{
  g_autoptr(JsonNode) node = br_batch_to_json (batch);
  return to_string (node);
}

/* BrLead -------------------------------------------------------------------------- */

#define LEAD_FULL \
  "{\"id\":\"8c1d\",\"company_name\":\"Acme GmbH\",\"domain\":\"acme.example\"," \
  "\"email\":\"ops@acme.example\",\"contact_name\":\"Ada\",\"source\":\"csv\",\"industry\":\"Retail\"," \
  "\"enrichment_status\":\"partial\",\"created_at\":\"2026-11-23T09:15:02.123Z\"," \
  "\"last_processed_at\":\"2026-11-24T10:00:00.000Z\",\"last_batch_id\":\"b-1\",\"in_active_batch\":true}"

static void
test_lead_round_trip (void)
{
  g_autoptr(JsonObject) obj = parse_object (LEAD_FULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrLead) lead = br_lead_new_from_json (obj, &error);
  g_autoptr(BrLead) again = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  BrEnrichmentStatus enrichment = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (br_lead_get_id (lead), ==, "8c1d");
  g_assert_cmpstr (br_lead_get_company_name (lead), ==, "Acme GmbH");
  g_assert_cmpstr (br_lead_get_domain (lead), ==, "acme.example");
  g_assert_cmpstr (br_lead_get_email (lead), ==, "ops@acme.example");
  g_assert_cmpstr (br_lead_get_contact_name (lead), ==, "Ada");
  g_assert_cmpstr (br_lead_get_source (lead), ==, "csv");
  g_assert_cmpstr (br_lead_get_industry (lead), ==, "Retail");
  g_assert_cmpint (br_lead_get_enrichment_status (lead), ==, BR_ENRICHMENT_STATUS_PARTIAL);
  g_assert_cmpint (br_lead_get_created_at (lead), ==, utc_usec (2026, 11, 23, 9, 15, 2, 123000));
  g_assert_cmpint (br_lead_get_last_processed_at (lead), ==, utc_usec (2026, 11, 24, 10, 0, 0, 0));
  g_assert_cmpstr (br_lead_get_last_batch_id (lead), ==, "b-1");
  g_assert_true (br_lead_get_in_active_batch (lead));
  g_object_get (lead, "enrichment-status", &enrichment, NULL);
  g_assert_cmpint (enrichment, ==, BR_ENRICHMENT_STATUS_PARTIAL);

  /* Encode → decode → encode gives the same text: nothing lost or changed. */
  first = lead_wire (lead);
  node = json_from_string (first, &error);
  g_assert_no_error (error);
  again = br_lead_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  second = lead_wire (again);
  g_assert_cmpstr (first, ==, second);
  g_assert_nonnull (strstr (first, "\"created_at\":\"2026-11-23T09:15:02.123Z\""));
  g_assert_nonnull (strstr (first, "\"enrichment_status\":\"partial\""));
}

static void
test_lead_fastapi (void)
{
  /* The FastAPI shape: naive timestamps, none of our members, and members
   * we do not know. */
  g_autoptr(JsonObject) obj = parse_object ("{\"id\":\"l-1\",\"company_name\":\"Acme\",\"domain\":null,"
                                            "\"enrichment_status\":\"completed\","
                                            "\"created_at\":\"2026-11-23T09:15:02.123456\","
                                            "\"tags\":[\"x\"],\"score\":{\"a\":1}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(BrLead) lead = br_lead_new_from_json (obj, &error);

  g_assert_no_error (error);
  g_assert_cmpint (br_lead_get_created_at (lead), ==, utc_usec (2026, 11, 23, 9, 15, 2, 123456));
  g_assert_null (br_lead_get_domain (lead));
  g_assert_cmpint (br_lead_get_last_processed_at (lead), ==, 0);
  g_assert_null (br_lead_get_last_batch_id (lead));
  g_assert_false (br_lead_get_in_active_batch (lead));
  g_assert_cmpint (br_lead_get_enrichment_status (lead), ==, BR_ENRICHMENT_STATUS_COMPLETED);
}

static void
test_lead_wrong_types (void)
{
  static const char * const bad[] = {
    "{\"id\":\"8c1d\",\"company_name\":5}",
    "{\"id\":\"8c1d\",\"in_active_batch\":\"yes\"}",
    "{\"id\":\"8c1d\",\"created_at\":12}",
    "{\"id\":\"8c1d\",\"created_at\":\"yesterday\"}",
    "{\"id\":\"8c1d\",\"enrichment_status\":1}",
    "{\"id\":7}",
  };
  g_autoptr(JsonObject) obj = parse_object (LEAD_FULL);
  g_autoptr(BrLead) lead = br_lead_new_from_json (obj, NULL);
  g_autoptr(GPtrArray) names = watch_notify (lead);
  g_autofree char *before = lead_wire (lead);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) b = parse_object (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(BrLead) none = br_lead_new_from_json (b, &error);
      g_autofree char *after = NULL;

      g_assert_null (none);
      g_assert_true (error->domain == BR_DECODE_ERROR);
      g_clear_error (&error);

      /* An update with the same bad member changes nothing at all. */
      g_assert_false (br_lead_update_from_json (lead, b, &error));
      g_assert_true (error->domain == BR_DECODE_ERROR);
      after = lead_wire (lead);
      g_assert_cmpstr (before, ==, after);
    }
  g_assert_cmpuint (names->len, ==, 0);

  {
    g_autoptr(JsonObject) missing = parse_object ("{\"company_name\":\"No id\"}");
    g_autoptr(GError) error = NULL;

    g_assert_null (br_lead_new_from_json (missing, &error));
    g_assert_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_MISSING);
  }
  {
    g_autoptr(JsonObject) other = parse_object ("{\"id\":\"someone-else\",\"company_name\":\"X\"}");
    g_autoptr(GError) error = NULL;

    g_assert_false (br_lead_update_from_json (lead, other, &error));
    g_assert_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE);
    g_assert_cmpstr (br_lead_get_company_name (lead), ==, "Acme GmbH");
  }
}

static void
test_lead_notify (void)
{
  g_autoptr(JsonObject) obj = parse_object (LEAD_FULL);
  g_autoptr(BrLead) lead = br_lead_new_from_json (obj, NULL);
  g_autoptr(GPtrArray) names = watch_notify (lead);
  g_autoptr(JsonObject) changed = parse_object ("{\"id\":\"8c1d\",\"company_name\":\"Acme AG\","
                                                "\"industry\":\"Retail\",\"in_active_batch\":false}");
  g_autoptr(GError) error = NULL;

  /* The same values again: nothing to say. */
  g_assert_true (br_lead_update_from_json (lead, obj, &error));
  g_assert_no_error (error);
  g_object_set (lead, "company-name", "Acme GmbH", "in-active-batch", TRUE, NULL);
  g_assert_cmpuint (names->len, ==, 0);

  /* Two changed, one the same: two notifications. */
  g_assert_true (br_lead_update_from_json (lead, changed, &error));
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (names_contain (names, "company-name"));
  g_assert_true (names_contain (names, "in-active-batch"));
  g_assert_cmpstr (br_lead_get_email (lead), ==, "ops@acme.example");
}

/* BrLeadResult ---------------------------------------------------------------------- */

#define RESULT_FULL \
  "{\"lead_id\":\"l-1\",\"status\":\"completed\",\"report_url\":\"file:///r/l-1.pdf\"," \
  "\"actual_cost_usd\":0.4213,\"cost_breakdown\":{\"zoominfo\":0.2,\"clearbit\":0.2213}," \
  "\"processing_duration_ms\":1234,\"quality_score\":0.875,\"error_code\":null,\"error_message\":null," \
  "\"retry_count\":1,\"attempts\":2,\"started_at\":\"2026-11-23T09:15:00.000Z\"," \
  "\"completed_at\":\"2026-11-23T09:15:01.234Z\",\"company_name\":\"Acme\",\"domain\":\"acme.example\"}"

static void
test_result_round_trip (void)
{
  g_autoptr(JsonObject) obj = parse_object (RESULT_FULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrLeadResult) result = br_lead_result_new_from_json (obj, &error);
  g_autoptr(BrLeadResult) again = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GList) providers = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  JsonObject *breakdown;

  g_assert_no_error (error);
  g_assert_cmpstr (br_lead_result_get_lead_id (result), ==, "l-1");
  g_assert_cmpint (br_lead_result_get_status (result), ==, BR_LEAD_STATUS_COMPLETED);
  g_assert_cmpstr (br_lead_result_get_report_url (result), ==, "file:///r/l-1.pdf");
  g_assert_cmpfloat_with_epsilon (br_lead_result_get_actual_cost_usd (result), 0.4213, 1e-9);
  g_assert_cmpint (br_lead_result_get_processing_duration_ms (result), ==, 1234);
  g_assert_cmpfloat_with_epsilon (br_lead_result_get_quality_score (result), 0.875, 1e-9);
  g_assert_null (br_lead_result_get_error_code (result));
  g_assert_cmpint (br_lead_result_get_retry_count (result), ==, 1);
  g_assert_cmpint (br_lead_result_get_attempts (result), ==, 2);
  g_assert_cmpint (br_lead_result_get_completed_at (result) - br_lead_result_get_started_at (result), ==, 1234000);
  g_assert_cmpstr (br_lead_result_get_company_name (result), ==, "Acme");
  g_assert_cmpstr (br_lead_result_get_domain (result), ==, "acme.example");

  /* The breakdown keeps every provider, sorted. */
  breakdown = br_lead_result_get_cost_breakdown (result);
  g_assert_cmpuint (json_object_get_size (breakdown), ==, 2);
  providers = json_object_get_members (breakdown);
  g_assert_cmpstr (providers->data, ==, "clearbit");
  g_assert_cmpstr (providers->next->data, ==, "zoominfo");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (breakdown, "clearbit"), 0.2213, 1e-9);

  first = result_wire (result);
  node = json_from_string (first, &error);
  g_assert_no_error (error);
  again = br_lead_result_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  second = result_wire (again);
  g_assert_cmpstr (first, ==, second);
  g_assert_nonnull (strstr (first, "\"cost_breakdown\":{\"clearbit\":0.2213,\"zoominfo\":0.2"));
}

static void
test_result_fastapi (void)
{
  /* Not processed yet, naive timestamps, none of our members. */
  g_autoptr(JsonObject) obj = parse_object ("{\"lead_id\":\"l-2\",\"status\":\"pending\",\"report_url\":null,"
                                            "\"actual_cost_usd\":0,\"cost_breakdown\":null,"
                                            "\"processing_duration_ms\":null,\"quality_score\":null,"
                                            "\"retry_count\":0,\"started_at\":\"2026-11-23T09:15:00\","
                                            "\"completed_at\":null,\"worker\":\"w-3\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(BrLeadResult) result = br_lead_result_new_from_json (obj, &error);
  JsonObject *breakdown = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (br_lead_result_get_status (result), ==, BR_LEAD_STATUS_PENDING);
  g_assert_cmpint (br_lead_result_get_processing_duration_ms (result), ==, -1);
  g_assert_cmpfloat (br_lead_result_get_quality_score (result), ==, -1);
  g_assert_cmpint (br_lead_result_get_started_at (result), ==, utc_usec (2026, 11, 23, 9, 15, 0, 0));
  g_assert_cmpint (br_lead_result_get_completed_at (result), ==, 0);
  g_assert_cmpint (br_lead_result_get_attempts (result), ==, 0);
  g_assert_null (br_lead_result_get_company_name (result));
  g_assert_cmpuint (json_object_get_size (br_lead_result_get_cost_breakdown (result)), ==, 0);

  g_object_get (result, "cost-breakdown", &breakdown, NULL);
  g_assert_nonnull (breakdown);
  json_object_unref (breakdown);
}

static void
test_result_wrong_types (void)
{
  static const char * const bad[] = {
    "{\"lead_id\":\"l-1\",\"cost_breakdown\":[0.1]}",
    "{\"lead_id\":\"l-1\",\"cost_breakdown\":0.5}",
    "{\"lead_id\":\"l-1\",\"cost_breakdown\":{\"a\":\"0.1\"}}",
    "{\"lead_id\":\"l-1\",\"cost_breakdown\":{\"a\":null}}",
    "{\"lead_id\":\"l-1\",\"cost_breakdown\":{\"a\":{}}}",
    /* A good breakdown with a bad member elsewhere: neither is applied. */
    "{\"lead_id\":\"l-1\",\"cost_breakdown\":{\"new\":9},\"retry_count\":1.5}",
    "{\"lead_id\":\"l-1\",\"status\":true}",
    "{\"lead_id\":\"l-1\",\"quality_score\":\"high\"}",
  };
  g_autoptr(JsonObject) obj = parse_object (RESULT_FULL);
  g_autoptr(BrLeadResult) result = br_lead_result_new_from_json (obj, NULL);
  g_autoptr(GPtrArray) names = watch_notify (result);
  g_autofree char *before = result_wire (result);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) b = parse_object (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(BrLeadResult) none = br_lead_result_new_from_json (b, &error);
      g_autofree char *after = NULL;

      g_assert_null (none);
      g_assert_true (error->domain == BR_DECODE_ERROR);
      g_clear_error (&error);

      g_assert_false (br_lead_result_update_from_json (result, b, &error));
      g_assert_true (error->domain == BR_DECODE_ERROR);
      after = result_wire (result);
      g_assert_cmpstr (before, ==, after);
    }
  g_assert_cmpuint (names->len, ==, 0);
}

static void
test_result_notify (void)
{
  g_autoptr(JsonObject) obj = parse_object (RESULT_FULL);
  g_autoptr(BrLeadResult) result = br_lead_result_new_from_json (obj, NULL);
  g_autoptr(GPtrArray) names = watch_notify (result);
  g_autoptr(JsonObject) reordered = parse_object ("{\"lead_id\":\"l-1\",\"cost_breakdown\":{\"clearbit\":0.2213,"
                                                  "\"zoominfo\":0.2},\"attempts\":2}");
  g_autoptr(JsonObject) costlier = parse_object ("{\"lead_id\":\"l-1\",\"cost_breakdown\":{\"clearbit\":0.3,"
                                                 "\"zoominfo\":0.2},\"actual_cost_usd\":0.5}");
  g_autoptr(JsonObject) other = parse_object ("{\"lead_id\":\"l-9\"}");
  g_autoptr(GError) error = NULL;

  /* The same breakdown in another order is the same breakdown. */
  g_assert_true (br_lead_result_update_from_json (result, obj, &error));
  g_assert_true (br_lead_result_update_from_json (result, reordered, &error));
  g_object_set (result, "attempts", (gint64) 2, "quality-score", 0.875, NULL);
  g_assert_cmpuint (names->len, ==, 0);

  g_assert_true (br_lead_result_update_from_json (result, costlier, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (names_contain (names, "cost-breakdown"));
  g_assert_true (names_contain (names, "actual-cost-usd"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (br_lead_result_get_cost_breakdown (result),
                                                                 "clearbit"), 0.3, 1e-9);

  g_assert_false (br_lead_result_update_from_json (result, other, &error));
  g_assert_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE);
}

/* BrTemplate -------------------------------------------------------------------------- */

static void
test_template (void)
{
  g_autoptr(JsonObject) obj = parse_object ("{\"version\":\"v2\",\"name\":\"Deep\",\"description\":\"All providers\","
                                            "\"complexity\":\"high\",\"is_default\":false,\"available\":false,"
                                            "\"unavailable_reason\":\"No API key for clearbit\",\"extra\":1}");
  g_autoptr(JsonObject) minimal = parse_object ("{\"version\":\"v1\",\"name\":\"Standard\"}");
  g_autoptr(JsonObject) bad = parse_object ("{\"version\":\"v2\",\"available\":\"no\"}");
  g_autoptr(JsonObject) same = parse_object ("{\"version\":\"v2\",\"name\":\"Deep\",\"available\":false}");
  g_autoptr(GError) error = NULL;
  g_autoptr(BrTemplate) template = br_template_new_from_json (obj, &error);
  g_autoptr(BrTemplate) plain = NULL;
  g_autoptr(BrTemplate) again = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *after = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (br_template_get_version (template), ==, "v2");
  g_assert_cmpstr (br_template_get_name (template), ==, "Deep");
  g_assert_cmpstr (br_template_get_description (template), ==, "All providers");
  g_assert_cmpstr (br_template_get_complexity (template), ==, "high");
  g_assert_false (br_template_get_is_default (template));
  g_assert_false (br_template_get_available (template));
  g_assert_cmpstr (br_template_get_unavailable_reason (template), ==, "No API key for clearbit");

  first = template_wire (template);
  node = json_from_string (first, &error);
  again = br_template_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  second = template_wire (again);
  g_assert_cmpstr (first, ==, second);

  /* A server that does not say whether it is available: it is. */
  plain = br_template_new_from_json (minimal, &error);
  g_assert_no_error (error);
  g_assert_true (br_template_get_available (plain));

  names = watch_notify (template);
  g_assert_null (br_template_new_from_json (bad, &error));
  g_assert_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE);
  g_clear_error (&error);
  g_assert_false (br_template_update_from_json (template, bad, &error));
  g_clear_error (&error);
  g_assert_true (br_template_update_from_json (template, same, &error));
  after = template_wire (template);
  g_assert_cmpstr (first, ==, after);
  g_assert_cmpuint (names->len, ==, 0);
}

/* BrHealth ------------------------------------------------------------------------------ */

#define HEALTH_OURS \
  "{\"status\":\"healthy\",\"timestamp\":\"2026-11-23T09:15:02.000Z\",\"database\":\"connected\"," \
  "\"message\":\"Batch Runner service is running\",\"version\":\"0.1.0\"," \
  "\"capabilities\":[\"events\",\"pause\",\"retry\"],\"workers\":{\"busy\":3,\"total\":8}," \
  "\"queue_depth\":42,\"websocket_clients\":2,\"spent_today_usd\":12.5,\"daily_budget_usd\":500," \
  "\"processor\":\"noop\",\"event_seq\":977}"

static void
test_health_ours (void)
{
  g_autoptr(JsonObject) obj = parse_object (HEALTH_OURS);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrHealth) health = br_health_new_from_json (obj, &error);
  g_auto(GStrv) capabilities = NULL;
  gint64 busy = 0;

  g_assert_no_error (error);
  g_assert_true (br_health_is_healthy (health));
  g_assert_cmpstr (br_health_get_status (health), ==, "healthy");
  g_assert_cmpstr (br_health_get_database (health), ==, "connected");
  g_assert_cmpstr (br_health_get_message (health), ==, "Batch Runner service is running");
  g_assert_cmpstr (br_health_get_version (health), ==, "0.1.0");
  g_assert_cmpint (br_health_get_timestamp (health), ==, utc_usec (2026, 11, 23, 9, 15, 2, 0));
  g_assert_cmpint (br_health_get_workers_busy (health), ==, 3);
  g_assert_cmpint (br_health_get_workers_total (health), ==, 8);
  g_assert_cmpint (br_health_get_queue_depth (health), ==, 42);
  g_assert_cmpint (br_health_get_websocket_clients (health), ==, 2);
  g_assert_cmpfloat (br_health_get_spent_today_usd (health), ==, 12.5);
  g_assert_cmpfloat (br_health_get_daily_budget_usd (health), ==, 500);
  g_assert_cmpstr (br_health_get_processor (health), ==, "noop");
  g_assert_cmpint (br_health_get_event_seq (health), ==, 977);
  g_assert_true (br_health_has_capability (health, "pause"));
  g_assert_true (br_health_has_capability (health, "events"));
  g_assert_false (br_health_has_capability (health, "templates"));
  g_assert_cmpuint (g_strv_length ((GStrv) br_health_get_capabilities (health)), ==, 3);

  g_object_get (health, "capabilities", &capabilities, "workers-busy", &busy, NULL);
  g_assert_cmpstr (capabilities[1], ==, "pause");
  g_assert_cmpint (busy, ==, 3);
}

static void
test_health_fastapi (void)
{
  g_autoptr(JsonObject) obj = parse_object ("{\"status\":\"healthy\",\"timestamp\":\"2026-11-23T09:15:02.5\","
                                            "\"database\":\"connected\",\"message\":\"ok\",\"uptime\":12}");
  g_autoptr(GError) error = NULL;
  g_autoptr(BrHealth) health = br_health_new_from_json (obj, &error);
  static const char * const ext[] = { "events", "pause", "retry", "leads", "templates", "audit", "metrics" };

  g_assert_no_error (error);
  g_assert_null (br_health_get_capabilities (health));
  for (guint i = 0; i < G_N_ELEMENTS (ext); i++)
    g_assert_false (br_health_has_capability (health, ext[i]));
  g_assert_cmpint (br_health_get_timestamp (health), ==, utc_usec (2026, 11, 23, 9, 15, 2, 500000));
  g_assert_cmpint (br_health_get_workers_busy (health), ==, -1);
  g_assert_cmpint (br_health_get_workers_total (health), ==, -1);
  g_assert_cmpint (br_health_get_queue_depth (health), ==, -1);
  g_assert_cmpint (br_health_get_event_seq (health), ==, -1);
  g_assert_cmpfloat (br_health_get_daily_budget_usd (health), ==, -1);
  g_assert_null (br_health_get_version (health));
}

static void
test_health_wrong_types (void)
{
  static const char * const bad[] = {
    "{\"capabilities\":\"pause\"}",
    "{\"capabilities\":[\"pause\",3]}",
    "{\"workers\":[3,8]}",
    "{\"workers\":{\"busy\":\"3\"}}",
    "{\"workers\":{\"busy\":1,\"total\":2},\"queue_depth\":\"many\"}",
    "{\"timestamp\":true}",
  };
  g_autoptr(JsonObject) obj = parse_object (HEALTH_OURS);
  g_autoptr(BrHealth) health = br_health_new_from_json (obj, NULL);
  g_autoptr(GPtrArray) names = watch_notify (health);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) b = parse_object (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(BrHealth) none = br_health_new_from_json (b, &error);

      g_assert_null (none);
      g_assert_true (error->domain == BR_DECODE_ERROR);
      g_clear_error (&error);
      g_assert_false (br_health_update_from_json (health, b, &error));
      g_assert_true (error->domain == BR_DECODE_ERROR);
    }
  g_assert_cmpuint (names->len, ==, 0);
  g_assert_cmpint (br_health_get_workers_busy (health), ==, 3);
  g_assert_cmpint (br_health_get_queue_depth (health), ==, 42);
  g_assert_true (br_health_has_capability (health, "retry"));
}

static void
test_health_notify (void)
{
  g_autoptr(JsonObject) obj = parse_object (HEALTH_OURS);
  g_autoptr(BrHealth) health = br_health_new_from_json (obj, NULL);
  g_autoptr(GPtrArray) names = watch_notify (health);
  g_autoptr(JsonObject) busier = parse_object ("{\"status\":\"healthy\",\"workers\":{\"busy\":5,\"total\":8},"
                                               "\"capabilities\":[\"events\",\"pause\",\"retry\"],"
                                               "\"event_seq\":980}");
  g_autoptr(JsonObject) more = parse_object ("{\"capabilities\":[\"events\",\"pause\",\"retry\",\"leads\"]}");
  g_autoptr(GError) error = NULL;

  g_assert_true (br_health_update_from_json (health, obj, &error));
  g_assert_cmpuint (names->len, ==, 0);

  g_assert_true (br_health_update_from_json (health, busier, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (names_contain (names, "workers-busy"));
  g_assert_true (names_contain (names, "event-seq"));

  g_assert_true (br_health_update_from_json (health, more, &error));
  g_assert_cmpuint (names->len, ==, 3);
  g_assert_cmpstr (names->pdata[2], ==, "capabilities");
  g_assert_true (br_health_has_capability (health, "leads"));
}

/* BrPreview ---------------------------------------------------------------------------- */

#define PREVIEW_OURS \
  "{\"lead_count\":2,\"valid_lead_ids\":[\"a\",\"b\"],\"invalid_lead_ids\":[\"zz\"]," \
  "\"template_version\":\"v1\",\"estimated_cost_usd\":1.5," \
  "\"cost_breakdown\":{\"base_cost\":0.5,\"provider_costs\":1.2,\"subtotal\":1.7," \
  "\"volume_discount_rate\":0.1,\"volume_discount_amount\":0.17,\"discounted_subtotal\":1.53," \
  "\"overhead_cost\":0.02,\"total_cost\":1.55}," \
  "\"provider_breakdown\":{\"zoominfo\":{\"leads_processed\":2,\"cost_per_lead\":0.4,\"total_cost\":0.8}," \
  "\"clearbit\":{\"leads_processed\":1,\"cost_per_lead\":0.4,\"total_cost\":0.4}}," \
  "\"estimated_duration_minutes\":0.3,\"cost_per_lead\":0.775,\"is_within_budget\":true," \
  "\"budget_warning\":null,\"accuracy_note\":\"±5%\"," \
  "\"budget\":{\"daily_budget_usd\":500,\"spent_today_usd\":12.5,\"remaining_usd\":487.5}}"

static void
test_preview_ours (void)
{
  g_autoptr(JsonObject) obj = parse_object (PREVIEW_OURS);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrPreview) preview = br_preview_new_from_json (obj, &error);
  g_autoptr(BrProviderCost) first = NULL;
  g_autoptr(BrProviderCost) second = NULL;
  g_autoptr(GListModel) model = NULL;
  GListModel *providers;
  double total = 0;

  g_assert_no_error (error);
  g_assert_cmpint (br_preview_get_lead_count (preview), ==, 2);
  g_assert_cmpuint (g_strv_length ((GStrv) br_preview_get_valid_lead_ids (preview)), ==, 2);
  g_assert_cmpstr (br_preview_get_invalid_lead_ids (preview)[0], ==, "zz");
  g_assert_cmpstr (br_preview_get_template_version (preview), ==, "v1");
  g_assert_cmpfloat (br_preview_get_estimated_cost_usd (preview), ==, 1.5);
  g_assert_cmpfloat (br_preview_get_base_cost (preview), ==, 0.5);
  g_assert_cmpfloat (br_preview_get_provider_costs (preview), ==, 1.2);
  g_assert_cmpfloat (br_preview_get_subtotal (preview), ==, 1.7);
  g_assert_cmpfloat (br_preview_get_volume_discount_rate (preview), ==, 0.1);
  g_assert_cmpfloat (br_preview_get_volume_discount_amount (preview), ==, 0.17);
  g_assert_cmpfloat (br_preview_get_discounted_subtotal (preview), ==, 1.53);
  g_assert_cmpfloat (br_preview_get_overhead_cost (preview), ==, 0.02);
  g_assert_cmpfloat (br_preview_get_total_cost (preview), ==, 1.55);
  g_assert_cmpfloat (br_preview_get_estimated_duration_minutes (preview), ==, 0.3);
  g_assert_cmpfloat (br_preview_get_cost_per_lead (preview), ==, 0.775);
  g_assert_true (br_preview_get_is_within_budget (preview));
  g_assert_null (br_preview_get_budget_warning (preview));
  g_assert_cmpstr (br_preview_get_accuracy_note (preview), ==, "±5%");
  g_assert_cmpfloat (br_preview_get_daily_budget_usd (preview), ==, 500);
  g_assert_cmpfloat (br_preview_get_spent_today_usd (preview), ==, 12.5);
  g_assert_cmpfloat (br_preview_get_remaining_usd (preview), ==, 487.5);

  /* Sorted by provider, whatever order the server used. */
  providers = br_preview_get_provider_breakdown (preview);
  g_assert_cmpuint (g_list_model_get_n_items (providers), ==, 2);
  g_assert_true (g_list_model_get_item_type (providers) == BR_TYPE_PROVIDER_COST);
  first = g_list_model_get_item (providers, 0);
  second = g_list_model_get_item (providers, 1);
  g_assert_cmpstr (br_provider_cost_get_provider (first), ==, "clearbit");
  g_assert_cmpint (br_provider_cost_get_leads_processed (first), ==, 1);
  g_assert_cmpstr (br_provider_cost_get_provider (second), ==, "zoominfo");
  g_assert_cmpfloat (br_provider_cost_get_cost_per_lead (second), ==, 0.4);
  g_assert_cmpfloat (br_provider_cost_get_total_cost (second), ==, 0.8);

  g_object_get (preview, "total-cost", &total, "provider-breakdown", &model, NULL);
  g_assert_cmpfloat (total, ==, 1.55);
  g_assert_true (model == providers);
}

static void
test_preview_fastapi (void)
{
  /* No invalid_lead_ids, no budget, integers where we send doubles. */
  g_autoptr(JsonObject) obj = parse_object ("{\"lead_count\":1,\"valid_lead_ids\":[\"a\"],\"template_version\":\"v1\","
                                            "\"estimated_cost_usd\":2,\"cost_breakdown\":{\"base_cost\":1,"
                                            "\"provider_costs\":1,\"subtotal\":2,\"volume_discount_rate\":0,"
                                            "\"volume_discount_amount\":0,\"discounted_subtotal\":2,"
                                            "\"overhead_cost\":0,\"total_cost\":2},\"provider_breakdown\":{},"
                                            "\"estimated_duration_minutes\":1,\"cost_per_lead\":2,"
                                            "\"is_within_budget\":false,\"budget_warning\":\"Over budget\","
                                            "\"accuracy_note\":\"rough\",\"generated_by\":\"fastapi\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(BrPreview) preview = br_preview_new_from_json (obj, &error);

  g_assert_no_error (error);
  g_assert_null (br_preview_get_invalid_lead_ids (preview));
  g_assert_cmpfloat (br_preview_get_total_cost (preview), ==, 2);
  g_assert_cmpfloat (br_preview_get_daily_budget_usd (preview), ==, -1);
  g_assert_cmpfloat (br_preview_get_remaining_usd (preview), ==, -1);
  g_assert_false (br_preview_get_is_within_budget (preview));
  g_assert_cmpstr (br_preview_get_budget_warning (preview), ==, "Over budget");
  g_assert_cmpuint (g_list_model_get_n_items (br_preview_get_provider_breakdown (preview)), ==, 0);
}

static void
test_preview_wrong_types (void)
{
  static const char * const bad[] = {
    "{\"valid_lead_ids\":\"a\"}",
    "{\"valid_lead_ids\":[\"a\",1]}",
    "{\"cost_breakdown\":[1,2]}",
    "{\"cost_breakdown\":{\"total_cost\":\"1.5\"}}",
    "{\"provider_breakdown\":[]}",
    "{\"provider_breakdown\":{\"clearbit\":0.4}}",
    "{\"provider_breakdown\":{\"clearbit\":{\"leads_processed\":0.5}}}",
    "{\"budget\":{\"remaining_usd\":true}}",
    "{\"is_within_budget\":1}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) b = parse_object (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(BrPreview) none = br_preview_new_from_json (b, &error);

      g_assert_null (none);
      g_assert_true (error->domain == BR_DECODE_ERROR);
    }
}

/* BrAnalytics --------------------------------------------------------------------------- */

#define ANALYTICS_OURS \
  "{\"period_days\":2,\"start_date\":\"2026-11-22T00:00:00.000Z\"," \
  "\"statistics\":{\"total_batches\":3,\"average_successful_leads\":9.5,\"average_progress\":66.67," \
  "\"total_cost_usd\":12.25,\"average_duration_seconds\":61.5}," \
  "\"status_breakdown\":{\"completed\":2,\"failed\":1}," \
  "\"daily\":[{\"date\":\"2026-11-22\",\"batches\":1,\"leads_processed\":10,\"successful\":9,\"failed\":1," \
  "\"cost_usd\":4.5,\"p50_lead_ms\":120,\"p95_lead_ms\":400}," \
  "{\"date\":\"2026-11-23\",\"batches\":2,\"leads_processed\":0,\"successful\":0,\"failed\":0," \
  "\"cost_usd\":0,\"p50_lead_ms\":null,\"p95_lead_ms\":null}]," \
  "\"hourly_throughput\":[{\"hour\":0,\"leads\":0},{\"hour\":9,\"leads\":7},{\"hour\":23,\"leads\":3}]," \
  "\"error_breakdown\":[{\"error_code\":\"TIMEOUT\",\"count\":4,\"sample_message\":\"took too long\"," \
  "\"hint\":\"Raise the timeout\"},{\"error_code\":\"UNKNOWN\",\"count\":1,\"sample_message\":null,\"hint\":null}]," \
  "\"generated_at\":\"2026-11-23T12:00:00.000Z\"}"

static void
test_analytics_ours (void)
{
  g_autoptr(JsonObject) obj = parse_object (ANALYTICS_OURS);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrAnalytics) analytics = br_analytics_new_from_json (obj, &error);
  g_autoptr(BrDailyStat) day1 = NULL;
  g_autoptr(BrDailyStat) day2 = NULL;
  g_autoptr(BrErrorStat) top = NULL;
  g_auto(GStrv) statuses = NULL;
  guint hours[24];

  g_assert_no_error (error);
  g_assert_cmpint (br_analytics_get_period_days (analytics), ==, 2);
  g_assert_cmpint (br_analytics_get_start_date (analytics), ==, utc_usec (2026, 11, 22, 0, 0, 0, 0));
  g_assert_cmpint (br_analytics_get_generated_at (analytics), ==, utc_usec (2026, 11, 23, 12, 0, 0, 0));
  g_assert_cmpint (br_analytics_get_total_batches (analytics), ==, 3);
  g_assert_cmpfloat (br_analytics_get_average_successful_leads (analytics), ==, 9.5);
  g_assert_cmpfloat (br_analytics_get_average_progress (analytics), ==, 66.67);
  g_assert_cmpfloat (br_analytics_get_total_cost_usd (analytics), ==, 12.25);
  g_assert_cmpfloat (br_analytics_get_average_duration_seconds (analytics), ==, 61.5);

  g_assert_cmpint (br_analytics_get_status_count (analytics, "completed"), ==, 2);
  g_assert_cmpint (br_analytics_get_status_count (analytics, "failed"), ==, 1);
  g_assert_cmpint (br_analytics_get_status_count (analytics, "running"), ==, 0);
  statuses = br_analytics_dup_statuses (analytics);
  g_assert_cmpuint (g_strv_length (statuses), ==, 2);
  g_assert_cmpstr (statuses[0], ==, "completed");

  g_assert_cmpuint (g_list_model_get_n_items (br_analytics_get_daily (analytics)), ==, 2);
  day1 = g_list_model_get_item (br_analytics_get_daily (analytics), 0);
  day2 = g_list_model_get_item (br_analytics_get_daily (analytics), 1);
  g_assert_cmpstr (br_daily_stat_get_date (day1), ==, "2026-11-22");
  g_assert_cmpint (br_daily_stat_get_batches (day1), ==, 1);
  g_assert_cmpint (br_daily_stat_get_leads_processed (day1), ==, 10);
  g_assert_cmpint (br_daily_stat_get_successful (day1), ==, 9);
  g_assert_cmpint (br_daily_stat_get_failed (day1), ==, 1);
  g_assert_cmpfloat (br_daily_stat_get_cost_usd (day1), ==, 4.5);
  g_assert_cmpint (br_daily_stat_get_p50_lead_ms (day1), ==, 120);
  g_assert_cmpint (br_daily_stat_get_p95_lead_ms (day1), ==, 400);
  g_assert_cmpint (br_daily_stat_get_p95_lead_ms (day2), ==, -1);

  g_assert_true (br_analytics_get_hourly (analytics, hours));
  g_assert_cmpuint (hours[9], ==, 7);
  g_assert_cmpuint (hours[23], ==, 3);
  g_assert_cmpuint (hours[10], ==, 0);

  g_assert_cmpuint (g_list_model_get_n_items (br_analytics_get_error_breakdown (analytics)), ==, 2);
  top = g_list_model_get_item (br_analytics_get_error_breakdown (analytics), 0);
  g_assert_cmpstr (br_error_stat_get_error_code (top), ==, "TIMEOUT");
  g_assert_cmpint (br_error_stat_get_count (top), ==, 4);
  g_assert_cmpstr (br_error_stat_get_sample_message (top), ==, "took too long");
  g_assert_cmpstr (br_error_stat_get_hint (top), ==, "Raise the timeout");
}

static void
test_analytics_fastapi (void)
{
  /* A bare date for start_date, a naive generated_at, none of our lists. */
  g_autoptr(JsonObject) obj = parse_object ("{\"period_days\":7,\"start_date\":\"2026-11-17\","
                                            "\"statistics\":{\"total_batches\":4,\"average_successful_leads\":3,"
                                            "\"average_progress\":100,\"total_cost_usd\":8,"
                                            "\"average_duration_seconds\":30},"
                                            "\"status_breakdown\":{\"completed\":4},"
                                            "\"generated_at\":\"2026-11-23T12:00:00\",\"note\":\"x\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(BrAnalytics) analytics = br_analytics_new_from_json (obj, &error);
  guint hours[24];

  g_assert_no_error (error);
  g_assert_cmpint (br_analytics_get_start_date (analytics), ==, utc_usec (2026, 11, 17, 0, 0, 0, 0));
  g_assert_cmpint (br_analytics_get_generated_at (analytics), ==, utc_usec (2026, 11, 23, 12, 0, 0, 0));
  g_assert_cmpint (br_analytics_get_total_batches (analytics), ==, 4);
  g_assert_cmpint (br_analytics_get_status_count (analytics, "completed"), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (br_analytics_get_daily (analytics)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (br_analytics_get_error_breakdown (analytics)), ==, 0);
  g_assert_false (br_analytics_get_hourly (analytics, hours));
  for (guint i = 0; i < 24; i++)
    g_assert_cmpuint (hours[i], ==, 0);
}

static void
test_analytics_wrong_types (void)
{
  static const char * const bad[] = {
    "{\"statistics\":[]}",
    "{\"statistics\":{\"total_batches\":\"3\"}}",
    "{\"status_breakdown\":{\"completed\":\"2\"}}",
    "{\"status_breakdown\":[]}",
    "{\"daily\":{}}",
    "{\"daily\":[{\"date\":\"2026-11-22\"},3]}",
    "{\"daily\":[{\"batches\":1}]}",
    "{\"hourly_throughput\":[{\"hour\":24,\"leads\":1}]}",
    "{\"hourly_throughput\":[{\"hour\":3}]}",
    "{\"hourly_throughput\":[{\"hour\":3,\"leads\":-1}]}",
    "{\"error_breakdown\":[{\"error_code\":5}]}",
    "{\"start_date\":\"last week\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) b = parse_object (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(BrAnalytics) none = br_analytics_new_from_json (b, &error);

      g_assert_null (none);
      g_assert_true (error->domain == BR_DECODE_ERROR);
    }
}

/* BrBatch (the pattern every wire object follows) ----------------------------------- */

#define BATCH_FULL \
  "{\"id\":\"b-1\",\"name\":\"Nightly\",\"description\":null,\"status\":\"running\",\"total_leads\":100," \
  "\"processed_leads\":40,\"successful_leads\":38,\"failed_leads\":2,\"progress_percentage\":40.0," \
  "\"estimated_cost_usd\":50.0,\"actual_cost_usd\":19.9,\"template_version\":\"v1\"," \
  "\"websocket_url\":\"/api/v1/batch/b-1/progress\",\"created_at\":\"2026-11-23T09:00:00.000Z\"," \
  "\"started_at\":\"2026-11-23T09:00:01.000Z\",\"completed_at\":null,\"created_by\":\"ada\"," \
  "\"error_message\":null,\"skipped_leads\":0,\"max_concurrent\":5,\"retry_failed\":true,\"retry_count\":3," \
  "\"current_lead_id\":\"l-41\",\"processing_rate_per_second\":1.5,\"estimated_remaining_seconds\":40," \
  "\"updated_at\":\"2026-11-23T09:01:00.000Z\",\"seq\":17}"

static void
test_batch_update_notifies_changes (void)
{
  g_autoptr(JsonObject) obj = parse_object (BATCH_FULL);
  g_autoptr(BrBatch) batch = br_batch_new_from_json (obj, NULL);
  g_autoptr(GPtrArray) names = watch_notify (batch);
  g_autoptr(JsonObject) progress = parse_object ("{\"id\":\"b-1\",\"status\":\"running\",\"processed_leads\":41,"
                                                 "\"successful_leads\":39,\"total_leads\":100,\"seq\":18}");
  g_autoptr(JsonObject) bad = parse_object ("{\"id\":\"b-1\",\"processed_leads\":42,\"failed_leads\":\"3\"}");
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_nonnull (batch);

  /* The same object again, and equal values set one by one: silence. */
  g_assert_true (br_batch_update_from_json (batch, obj, &error));
  g_assert_no_error (error);
  g_object_set (batch, "name", "Nightly", "total-leads", (gint64) 100, "progress-percentage", 40.0,
                "retry-failed", TRUE, "status", BR_BATCH_STATUS_RUNNING, NULL);
  g_assert_cmpuint (names->len, ==, 0);

  /* Three members changed, two did not: three notifications. */
  g_assert_true (br_batch_update_from_json (batch, progress, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 3);
  g_assert_true (names_contain (names, "processed-leads"));
  g_assert_true (names_contain (names, "successful-leads"));
  g_assert_true (names_contain (names, "seq"));

  /* One bad member: nothing applied, not even the good one. */
  before = batch_wire (batch);
  g_assert_false (br_batch_update_from_json (batch, bad, &error));
  g_assert_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_TYPE);
  after = batch_wire (batch);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (br_batch_get_processed_leads (batch), ==, 41);
  g_assert_cmpuint (names->len, ==, 3);
}

static void
test_batch_fastapi (void)
{
  /* The FastAPI shape: naive timestamps, none of our members, extras. */
  g_autoptr(JsonObject) obj = parse_object ("{\"id\":\"b-2\",\"name\":\"Old\",\"status\":\"completed\","
                                            "\"total_leads\":10,\"processed_leads\":10,\"successful_leads\":10,"
                                            "\"failed_leads\":0,\"progress_percentage\":100,"
                                            "\"estimated_cost_usd\":5,\"actual_cost_usd\":4.8,"
                                            "\"template_version\":\"v1\",\"websocket_url\":\"/ws\","
                                            "\"created_at\":\"2026-11-23T09:00:00\","
                                            "\"started_at\":\"2026-11-23T09:00:01.250\","
                                            "\"completed_at\":\"2026-11-23T09:10:00\",\"created_by\":\"bob\","
                                            "\"error_message\":null,\"priority\":3}");
  g_autoptr(GError) error = NULL;
  g_autoptr(BrBatch) batch = br_batch_new_from_json (obj, &error);

  g_assert_no_error (error);
  g_assert_cmpint (br_batch_get_status (batch), ==, BR_BATCH_STATUS_COMPLETED);
  g_assert_cmpint (br_batch_get_started_at (batch), ==, utc_usec (2026, 11, 23, 9, 0, 1, 250000));
  g_assert_cmpint (br_batch_get_eta_seconds (batch), ==, -1);
  g_assert_cmpint (br_batch_get_seq (batch), ==, 0);
  g_assert_true (br_batch_is_terminal (batch));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libbatchrunner/objects/lead/round-trip", test_lead_round_trip);
  g_test_add_func ("/libbatchrunner/objects/lead/fastapi", test_lead_fastapi);
  g_test_add_func ("/libbatchrunner/objects/lead/wrong-types", test_lead_wrong_types);
  g_test_add_func ("/libbatchrunner/objects/lead/notify-only-changes", test_lead_notify);
  g_test_add_func ("/libbatchrunner/objects/lead-result/round-trip", test_result_round_trip);
  g_test_add_func ("/libbatchrunner/objects/lead-result/fastapi", test_result_fastapi);
  g_test_add_func ("/libbatchrunner/objects/lead-result/wrong-types", test_result_wrong_types);
  g_test_add_func ("/libbatchrunner/objects/lead-result/notify-only-changes", test_result_notify);
  g_test_add_func ("/libbatchrunner/objects/template", test_template);
  g_test_add_func ("/libbatchrunner/objects/health/ours", test_health_ours);
  g_test_add_func ("/libbatchrunner/objects/health/fastapi", test_health_fastapi);
  g_test_add_func ("/libbatchrunner/objects/health/wrong-types", test_health_wrong_types);
  g_test_add_func ("/libbatchrunner/objects/health/notify-only-changes", test_health_notify);
  g_test_add_func ("/libbatchrunner/objects/preview/ours", test_preview_ours);
  g_test_add_func ("/libbatchrunner/objects/preview/fastapi", test_preview_fastapi);
  g_test_add_func ("/libbatchrunner/objects/preview/wrong-types", test_preview_wrong_types);
  g_test_add_func ("/libbatchrunner/objects/analytics/ours", test_analytics_ours);
  g_test_add_func ("/libbatchrunner/objects/analytics/fastapi", test_analytics_fastapi);
  g_test_add_func ("/libbatchrunner/objects/analytics/wrong-types", test_analytics_wrong_types);
  g_test_add_func ("/libbatchrunner/objects/batch/update-notifies-changes", test_batch_update_notifies_changes);
  g_test_add_func ("/libbatchrunner/objects/batch/fastapi", test_batch_fastapi);

  return g_test_run ();
}
