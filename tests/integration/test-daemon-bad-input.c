/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bad requests get the right status, error code and a detail that names
 * the field; and a refused request changes nothing. */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "brt-fixtures.h"

#define WAIT_MS 20000
#define UNKNOWN_ID "00000000-0000-4000-8000-000000000000"

typedef struct
{
  gint64  batches;
  gint64  leads;
  gint64  audit;
  gint64  seq;
  char   *batch_states;   /* id:status:processed:skipped per batch */
  char   *lead_names;
} State;

static void
state_clear (State *s)
{
  g_free (s->batch_states);
  g_free (s->lead_names);
}

static void
capture (BrtDaemon *daemon,
         State     *s)
{
  g_autoptr(JsonObject) batches = brt_request (daemon, "GET", "/api/v1/batch?limit=200", NULL, 200);
  g_autoptr(JsonObject) leads = brt_request (daemon, "GET", "/api/v1/leads?limit=1000", NULL, 200);
  g_autoptr(JsonObject) audit = brt_request (daemon, "GET", "/api/v1/audit?limit=1", NULL, 200);
  g_autoptr(JsonObject) health = brt_request (daemon, "GET", "/api/v1/health", NULL, 200);
  GString *states = g_string_new (NULL);
  GString *names = g_string_new (NULL);
  JsonArray *list = json_object_get_array_member (batches, "batches");
  JsonArray *lead_list = json_object_get_array_member (leads, "leads");

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *b = json_array_get_object_element (list, i);

      g_string_append_printf (states, "%s:%s:%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ";", brt_str (b, "id"),
                              brt_str (b, "status"), brt_int (b, "processed_leads"), brt_int (b, "skipped_leads"));
    }
  for (guint i = 0; i < json_array_get_length (lead_list); i++)
    {
      JsonObject *l = json_array_get_object_element (lead_list, i);

      g_string_append_printf (names, "%s=%s;", brt_str (l, "id"), brt_str (l, "company_name"));
    }

  s->batches = brt_int (batches, "total_count");
  s->leads = brt_int (leads, "total_count");
  s->audit = brt_int (audit, "total_count");
  s->seq = brt_int (health, "event_seq");
  s->batch_states = g_string_free (states, FALSE);
  s->lead_names = g_string_free (names, FALSE);
}

static void
assert_unchanged (BrtDaemon   *daemon,
                  const State *before,
                  const char  *what)
{
  State now = { 0 };

  capture (daemon, &now);
  if (now.batches != before->batches || now.leads != before->leads || now.audit != before->audit ||
      now.seq != before->seq || !g_str_equal (now.batch_states, before->batch_states) ||
      !g_str_equal (now.lead_names, before->lead_names))
    g_error ("The refused request %s changed something: batches %" G_GINT64_FORMAT " → %" G_GINT64_FORMAT
             ", leads %" G_GINT64_FORMAT " → %" G_GINT64_FORMAT ", audit %" G_GINT64_FORMAT " → %" G_GINT64_FORMAT
             ", seq %" G_GINT64_FORMAT " → %" G_GINT64_FORMAT "\n%s\n%s",
             what, before->batches, now.batches, before->leads, now.leads, before->audit, now.audit,
             before->seq, now.seq, before->batch_states, now.batch_states);
  state_clear (&now);
}

typedef struct
{
  BrtDaemon *daemon;
  State      before;
  GPtrArray *ids;        /* known leads */
  char      *done_id;    /* a completed batch */
  char      *ids_json;   /* two known ids */
  double     estimate;   /* their previewed cost */
} Fixture;

static void
refused (Fixture    *f,
         const char *method,
         const char *path,
         const char *body,
         guint       status,
         const char *code,
         const char *detail)
{
  g_autofree char *what = g_strdup_printf ("%s %s %.80s", method, path, body ? body : "");

  brt_assert_error (f->daemon, method, path, body, status, code, detail);
  assert_unchanged (f->daemon, &f->before, what);
}

/* Like refused(), but a wrong answer fails the test without stopping it,
 * so that the other cases still run and are reported. */
static void
refused_soft (Fixture    *f,
              const char *method,
              const char *path,
              const char *body,
              guint       status,
              const char *code)
{
  guint got = 0;
  g_autoptr(JsonNode) node = brt_http (f->daemon, method, path, body, &got);
  const char *error = NULL;
  State now = { 0 };

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    error = json_object_get_string_member_with_default (json_node_get_object (node), "error", NULL);

  if (got != status || g_strcmp0 (error, code) != 0)
    {
      g_test_message ("%s %s %s: got %u %s, expected %u %s", method, path, body, got, error ? error : "(none)",
                      status, code);
      g_test_fail_printf ("%s %s %s: got %u %s, expected %u %s", method, path, body, got, error ? error : "(none)",
                          status, code);
    }

  /* Accepted by mistake, it may have changed things: say so, carry on. */
  capture (f->daemon, &now);
  if (now.batches != f->before.batches || now.leads != f->before.leads || now.audit != f->before.audit ||
      now.seq != f->before.seq || !g_str_equal (now.batch_states, f->before.batch_states) ||
      !g_str_equal (now.lead_names, f->before.lead_names))
    {
      g_test_message ("%s %s %s changed the service's state", method, path, body);
      g_test_fail_printf ("%s %s %s changed the service's state", method, path, body);
      state_clear (&f->before);
      f->before = now;
    }
  else
    state_clear (&now);
}

static void
fixture_set_up (Fixture *f)
{
  g_autoptr(JsonObject) done = NULL;
  g_autoptr(GPtrArray) two = g_ptr_array_new ();
  g_autoptr(JsonObject) preview = NULL;

  f->daemon = brt_daemon_start ("--processor", "noop", "--max-body-bytes", "65536", NULL);
  f->ids = brt_import_leads (f->daemon, 6, NULL);
  f->done_id = brt_start_batch (f->daemon, f->ids, NULL);
  done = brt_wait_batch_status (f->daemon, f->done_id, "completed", WAIT_MS);
  g_ptr_array_add (two, f->ids->pdata[0]);
  g_ptr_array_add (two, f->ids->pdata[1]);
  f->ids_json = brt_ids_json (two);
  preview = brt_preview (f->daemon, two, NULL);
  f->estimate = brt_num (preview, "estimated_cost_usd");
  capture (f->daemon, &f->before);
}

static void
fixture_tear_down (Fixture *f)
{
  state_clear (&f->before);
  g_ptr_array_unref (f->ids);
  g_free (f->done_id);
  g_free (f->ids_json);
  brt_daemon_free (f->daemon);
}

static char *
start_body (Fixture    *f,
            const char *members)
{
  char cost[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (cost, sizeof cost, f->estimate);
  return g_strdup_printf ("{\"lead_ids\": %s, \"estimated_cost_usd\": %s, \"cost_approved\": true, %s}",
                          f->ids_json, cost, members);
}

static void
test_malformed_json (void)
{
  Fixture f = { 0 };
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *retry = NULL;
  const char * const bodies[] = { "{", "{\"lead_ids\": [}", "nul", "{\"lead_ids\": [\"a\",]}", "\xff\xfe{}",
                                  "{\"lead_ids\": \"\xc3\x28\"}", "", "[1] x" };
  const char * const paths[] = { "/api/v1/batch/preview", "/api/v1/batch/start", "/api/v1/leads" };

  fixture_set_up (&f);
  for (guint i = 0; i < 40; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 40; i++)
    g_string_append_c (deep, ']');

  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
        refused (&f, "POST", paths[p], bodies[i], 400, "MALFORMED_JSON", NULL);
      /* Valid JSON, but deeper than anyone needs. */
      refused (&f, "POST", paths[p], deep->str, 400, "MALFORMED_JSON", NULL);
    }

  retry = g_strdup_printf ("/api/v1/batch/%s/retry", f.done_id);
  refused (&f, "POST", retry, "{", 400, "MALFORMED_JSON", NULL);
  refused (&f, "POST", retry, deep->str, 400, "MALFORMED_JSON", NULL);
  fixture_tear_down (&f);
}

/* Two JSON values one after the other are not one JSON text (RFC 8259),
 * and single quotes or bare keys are not JSON either. */
static void
test_not_quite_json (void)
{
  Fixture f = { 0 };
  g_autofree char *two = NULL;
  const char * const paths[] = { "/api/v1/batch/preview", "/api/v1/leads" };

  fixture_set_up (&f);
  two = g_strdup_printf ("{\"lead_ids\": %s} {\"lead_ids\": %s}", f.ids_json, f.ids_json);
  for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
    {
      refused_soft (&f, "POST", paths[p], "{\"a\": 1} {\"b\": 2}", 400, "MALFORMED_JSON");
      refused_soft (&f, "POST", paths[p], two, 400, "MALFORMED_JSON");
      refused_soft (&f, "POST", paths[p], "[] []", 400, "MALFORMED_JSON");
      refused_soft (&f, "POST", paths[p], "{'lead_ids': ['x']}", 400, "MALFORMED_JSON");
      refused_soft (&f, "POST", paths[p], "{lead_ids: []}", 400, "MALFORMED_JSON");
    }
  fixture_tear_down (&f);
}

static void
test_wrong_types_preview (void)
{
  Fixture f = { 0 };
  g_autoptr(GString) many = g_string_new ("{\"lead_ids\": [");
  g_autofree char *dup = NULL;
  g_autofree char *tmpl_number = NULL;
  g_autofree char *tmpl_unknown = NULL;
  g_autofree char *tmpl_beta = NULL;
  g_autofree char *mc = NULL;
  const char *p = "/api/v1/batch/preview";

  fixture_set_up (&f);
  refused (&f, "POST", p, "[]", 422, "VALIDATION_ERROR", NULL);
  refused (&f, "POST", p, "\"lead_ids\"", 422, "VALIDATION_ERROR", NULL);
  refused (&f, "POST", p, "{}", 422, "VALIDATION_ERROR", "lead_ids");
  refused (&f, "POST", p, "{\"lead_ids\": null}", 422, "VALIDATION_ERROR", "lead_ids");
  refused (&f, "POST", p, "{\"lead_ids\": \"abc\"}", 422, "VALIDATION_ERROR", "lead_ids");
  refused (&f, "POST", p, "{\"lead_ids\": {\"a\": 1}}", 422, "VALIDATION_ERROR", "lead_ids");
  refused (&f, "POST", p, "{\"lead_ids\": []}", 422, "VALIDATION_ERROR", "lead_ids");
  refused (&f, "POST", p, "{\"lead_ids\": [1, 2]}", 422, "VALIDATION_ERROR", "lead_ids[0]");
  refused (&f, "POST", p, "{\"lead_ids\": [\"\"]}", 422, "VALIDATION_ERROR", "lead_ids[0]");
  refused (&f, "POST", p, "{\"lead_ids\": [null]}", 422, "VALIDATION_ERROR", "lead_ids[0]");
  refused (&f, "POST", p, "{\"lead_ids\": [\"" UNKNOWN_ID "\", [\"x\"]]}", 422, "VALIDATION_ERROR", "lead_ids[1]");
  /* No valid lead at all. */
  refused (&f, "POST", p, "{\"lead_ids\": [\"" UNKNOWN_ID "\"]}", 422, "VALIDATION_ERROR", "lead_ids");

  dup = g_strdup_printf ("{\"lead_ids\": [\"%s\", \"%s\", \"%s\"]}", (char *) f.ids->pdata[0],
                         (char *) f.ids->pdata[1], (char *) f.ids->pdata[0]);
  refused (&f, "POST", p, dup, 422, "VALIDATION_ERROR", "*more than once");

  for (guint i = 0; i < 1001; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_string_append_printf (many, "%s\"%s\"", i ? "," : "", id);
    }
  g_string_append (many, "]}");
  refused (&f, "POST", p, many->str, 422, "VALIDATION_ERROR", "lead_ids");

  tmpl_number = g_strdup_printf ("{\"lead_ids\": %s, \"template_version\": 5}", f.ids_json);
  refused (&f, "POST", p, tmpl_number, 422, "VALIDATION_ERROR", "template_version");
  tmpl_unknown = g_strdup_printf ("{\"lead_ids\": %s, \"template_version\": \"v9\"}", f.ids_json);
  refused (&f, "POST", p, tmpl_unknown, 422, "VALIDATION_ERROR", "template_version");
  tmpl_beta = g_strdup_printf ("{\"lead_ids\": %s, \"template_version\": \"v3-beta\"}", f.ids_json);
  refused (&f, "POST", p, tmpl_beta, 422, "VALIDATION_ERROR", "template_version");
  mc = g_strdup_printf ("{\"lead_ids\": %s, \"max_concurrent\": \"5\"}", f.ids_json);
  refused (&f, "POST", p, mc, 422, "VALIDATION_ERROR", "max_concurrent");
  fixture_tear_down (&f);
}

static void
test_wrong_types_start (void)
{
  Fixture f = { 0 };
  const char *p = "/api/v1/batch/start";
  const struct { const char *members; const char *field; } cases[] = {
    { "\"max_concurrent\": 0", "max_concurrent" },
    { "\"max_concurrent\": 21", "max_concurrent" },
    { "\"max_concurrent\": 2.5", "max_concurrent" },
    { "\"max_concurrent\": \"3\"", "max_concurrent" },
    { "\"retry_count\": 6", "retry_count" },
    { "\"retry_count\": -1", "retry_count" },
    { "\"retry_failed\": \"true\"", "retry_failed" },
    { "\"retry_failed\": 1", "retry_failed" },
    { "\"name\": 123", "name" },
    { "\"description\": false", "description" },
    { "\"created_by\": []", "created_by" },
    { "\"template_version\": \"v3-beta\"", "template_version" },
    { "\"template_version\": \"nope\"", "template_version" },
  };
  g_autoptr(GString) long_name = g_string_new ("\"name\": \"");
  g_autofree char *body = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *mismatch = NULL;
  char cost[G_ASCII_DTOSTR_BUF_SIZE];

  fixture_set_up (&f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *b = start_body (&f, cases[i].members);
      refused (&f, "POST", p, b, 422, "VALIDATION_ERROR", cases[i].field);
    }
  for (guint i = 0; i < 201; i++)
    g_string_append_c (long_name, 'n');
  g_string_append_c (long_name, '"');
  body = start_body (&f, long_name->str);
  refused (&f, "POST", p, body, 422, "VALIDATION_ERROR", "name");

  g_ascii_dtostr (cost, sizeof cost, f.estimate);
  g_free (body);
  body = g_strdup_printf ("{\"lead_ids\": %s, \"cost_approved\": true}", f.ids_json);
  refused (&f, "POST", p, body, 422, "VALIDATION_ERROR", "estimated_cost_usd");
  g_free (body);
  body = g_strdup_printf ("{\"lead_ids\": %s, \"estimated_cost_usd\": \"%s\", \"cost_approved\": true}", f.ids_json, cost);
  refused (&f, "POST", p, body, 422, "VALIDATION_ERROR", "estimated_cost_usd");
  g_free (body);
  body = g_strdup_printf ("{\"lead_ids\": %s, \"estimated_cost_usd\": -1, \"cost_approved\": true}", f.ids_json);
  refused (&f, "POST", p, body, 422, "VALIDATION_ERROR", "estimated_cost_usd");
  g_free (body);
  body = g_strdup_printf ("{\"lead_ids\": %s, \"estimated_cost_usd\": %s, \"cost_approved\": false}", f.ids_json, cost);
  refused (&f, "POST", p, body, 422, "VALIDATION_ERROR", "cost_approved");
  g_free (body);
  body = g_strdup_printf ("{\"lead_ids\": %s, \"estimated_cost_usd\": %s}", f.ids_json, cost);
  refused (&f, "POST", p, body, 422, "VALIDATION_ERROR", "cost_approved");
  g_free (body);
  body = g_strdup_printf ("{\"lead_ids\": %s, \"estimated_cost_usd\": %s, \"cost_approved\": \"yes\"}", f.ids_json, cost);
  refused (&f, "POST", p, body, 422, "VALIDATION_ERROR", "cost_approved");
  g_free (body);
  body = g_strdup_printf ("{\"estimated_cost_usd\": %s, \"cost_approved\": true}", cost);
  refused (&f, "POST", p, body, 422, "VALIDATION_ERROR", "lead_ids");

  /* A lead id that does not exist: nothing is started with the rest. */
  unknown = g_strdup_printf ("{\"lead_ids\": [\"%s\", \"" UNKNOWN_ID "\"], \"estimated_cost_usd\": %s,"
                             " \"cost_approved\": true}", (char *) f.ids->pdata[0], cost);
  refused (&f, "POST", p, unknown, 422, "VALIDATION_ERROR", "lead_ids");

  /* The approval was for another price. */
  g_ascii_dtostr (cost, sizeof cost, f.estimate * 3 + 5);
  mismatch = g_strdup_printf ("{\"lead_ids\": %s, \"estimated_cost_usd\": %s, \"cost_approved\": true}",
                              f.ids_json, cost);
  refused (&f, "POST", p, mismatch, 409, "ESTIMATE_MISMATCH", NULL);
  fixture_tear_down (&f);
}

static void
test_duplicate_and_too_many_on_start (void)
{
  Fixture f = { 0 };
  g_autoptr(GString) many = g_string_new ("{\"estimated_cost_usd\": 1, \"cost_approved\": true, \"lead_ids\": [");
  g_autofree char *dup = NULL;

  fixture_set_up (&f);
  dup = g_strdup_printf ("{\"lead_ids\": [\"%s\", \"%s\"], \"estimated_cost_usd\": 1, \"cost_approved\": true}",
                         (char *) f.ids->pdata[2], (char *) f.ids->pdata[2]);
  refused (&f, "POST", "/api/v1/batch/start", dup, 422, "VALIDATION_ERROR", "lead_ids");
  for (guint i = 0; i < 1001; i++)
    g_string_append_printf (many, "%s\"%s\"", i ? "," : "", (char *) f.ids->pdata[i % f.ids->len]);
  g_string_append (many, "]}");
  refused (&f, "POST", "/api/v1/batch/start", many->str, 422, "VALIDATION_ERROR", "lead_ids");
  fixture_tear_down (&f);
}

/* Sends @body and reports (without failing the test at once) what came
 * back: a 413 BODY_TOO_LARGE, or why not. */
static gboolean
gets_413 (Fixture    *f,
          const char *path,
          const char *body,
          gboolean    expect_continue)
{
  g_autofree char *url = g_strconcat (brt_daemon_get_url (f->daemon), path, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj;

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  if (expect_continue)
    soup_message_headers_set_expectations (soup_message_get_request_headers (msg), SOUP_EXPECTATION_CONTINUE);
  response = soup_session_send_and_read (session, msg, NULL, &error);
  if (error != NULL)
    {
      g_test_message ("POST %s with a %" G_GSIZE_FORMAT "-byte body%s: no 413 but \"%s\"", path, strlen (body),
                      expect_continue ? " (Expect: 100-continue)" : "", error->message);
      g_test_fail_printf ("POST %s with a %" G_GSIZE_FORMAT "-byte body%s: no 413 but \"%s\"", path, strlen (body),
                          expect_continue ? " (Expect: 100-continue)" : "", error->message);
      return FALSE;
    }
  if (soup_message_get_status (msg) != 413 ||
      !json_parser_load_from_data (parser, g_bytes_get_data (response, NULL), g_bytes_get_size (response), NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_test_fail_printf ("POST %s: status %u, not a 413 with an error object", path, soup_message_get_status (msg));
      return FALSE;
    }
  obj = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member_with_default (obj, "error", NULL), ==, "BODY_TOO_LARGE");
  g_assert_nonnull (json_object_get_string_member_with_default (obj, "detail", NULL));
  assert_unchanged (f->daemon, &f->before, path);
  return TRUE;
}

static void
test_body_too_large (void)
{
  Fixture f = { 0 };
  g_autoptr(GString) big = g_string_new ("{\"lead_ids\": [\"x\"], \"pad\": \"");
  g_autoptr(GString) big_leads = g_string_new ("[");
  const char * const paths[] = { "/api/v1/batch/preview", "/api/v1/batch/start", "/api/v1/leads" };

  fixture_set_up (&f);
  for (guint i = 0; i < 70000; i++)
    g_string_append_c (big, 'p');
  g_string_append (big, "\"}");
  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *lead = brt_lead_json (id, i, NULL);
      g_string_append_printf (big_leads, "%s%s", i ? "," : "", lead);
    }
  g_string_append (big_leads, "]");
  g_assert_cmpuint (big_leads->len, >, 65536);

  /* A client that waits for 100 Continue, and one that just sends (most
   * do, libsoup and curl below 1 MiB among them): both get the 413. */
  for (guint e = 0; e < 2; e++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
        gets_413 (&f, paths[i], big->str, e == 0);
      /* A valid import, just too big: none of it goes in. */
      gets_413 (&f, "/api/v1/leads", big_leads->str, e == 0);
    }
  /* Whatever happened, the daemon still serves. */
  assert_unchanged (f.daemon, &f.before, "oversized bodies");
  fixture_tear_down (&f);
}

static void
test_unknown_ids_and_transitions (void)
{
  Fixture f = { 0 };
  const char * const gets[] = { "", "/status", "/leads" };
  const char * const posts[] = { "pause", "resume", "cancel", "retry" };
  g_autofree char *body = NULL;

  fixture_set_up (&f);
  for (guint i = 0; i < G_N_ELEMENTS (gets); i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/batch/" UNKNOWN_ID "%s", gets[i]);
      refused (&f, "GET", path, NULL, 404, "NOT_FOUND", NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (posts); i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/batch/" UNKNOWN_ID "/%s", posts[i]);
      g_autofree char *odd = g_strdup_printf ("/api/v1/batch/not-even-a-uuid/%s", posts[i]);

      refused (&f, "POST", path, NULL, 404, "NOT_FOUND", NULL);
      refused (&f, "POST", odd, NULL, 404, "NOT_FOUND", NULL);
    }
  refused (&f, "GET", "/api/v1/batch/" UNKNOWN_ID "/whatever", NULL, 404, "NOT_FOUND", NULL);
  refused (&f, "GET", "/api/v1/batch/a/b/c/d", NULL, 404, "NOT_FOUND", NULL);
  refused (&f, "GET", "/api/v2/batch", NULL, 404, "NOT_FOUND", NULL);
  refused (&f, "GET", "/api/v1/batch/" UNKNOWN_ID "/progress", NULL, 404, "NOT_FOUND", NULL);

  /* Transitions a completed batch cannot make. */
  for (guint i = 0; i < G_N_ELEMENTS (posts); i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/%s", f.done_id, posts[i]);
      refused (&f, "POST", path, NULL, 400, "INVALID_TRANSITION", NULL);
    }

  /* Retry naming leads: wrong types are 422, a lead that did not fail too. */
  {
    g_autofree char *retry = g_strdup_printf ("/api/v1/batch/%s/retry", f.done_id);

    refused (&f, "POST", retry, "[]", 422, "VALIDATION_ERROR", NULL);
    refused (&f, "POST", retry, "{\"lead_ids\": \"x\"}", 422, "VALIDATION_ERROR", "lead_ids");
    refused (&f, "POST", retry, "{\"lead_ids\": [1]}", 422, "VALIDATION_ERROR", "lead_ids[0]");
    body = g_strdup_printf ("{\"lead_ids\": [\"%s\"]}", (char *) f.ids->pdata[0]);
    refused (&f, "POST", retry, body, 422, "VALIDATION_ERROR", NULL);
  }
  fixture_tear_down (&f);
}

static void
test_bad_queries (void)
{
  Fixture f = { 0 };
  g_autofree char *leads_path = NULL;
  const struct { const char *path; const char *field; } cases[] = {
    { "/api/v1/batch?limit=0", "limit" },
    { "/api/v1/batch?limit=201", "limit" },
    { "/api/v1/batch?limit=abc", "limit" },
    { "/api/v1/batch?skip=-1", "skip" },
    { "/api/v1/batch?status=bogus", "status" },
    { "/api/v1/batch?status=running,bogus", "status" },
    { "/api/v1/batch?created_before=tomorrow", "created_before" },
    { "/api/v1/batch/analytics?days=100", "days" },
    { "/api/v1/leads?limit=1001", "limit" },
    { "/api/v1/leads?enrichment_status=done", "enrichment_status" },
    { "/api/v1/audit?limit=0", "limit" },
  };

  fixture_set_up (&f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    refused (&f, "GET", cases[i].path, NULL, 422, "VALIDATION_ERROR", cases[i].field);
  leads_path = g_strdup_printf ("/api/v1/batch/%s/leads?limit=201", f.done_id);
  refused (&f, "GET", leads_path, NULL, 422, "VALIDATION_ERROR", "limit");
  fixture_tear_down (&f);
}

static void
assert_not_allowed (Fixture    *f,
                    const char *method,
                    const char *path,
                    const char *allowed)
{
  g_autoptr(BrtResponse) r = brt_http_raw (f->daemon, NULL, method, path, NULL, 0);
  g_autofree char *what = g_strdup_printf ("%s %s", method, path);

  g_assert_cmpuint (r->status, ==, 405);
  g_assert_nonnull (r->allow);
  if (strstr (r->allow, allowed) == NULL)
    g_test_fail_printf ("%s: \"Allow: %s\" lacks %s", what, r->allow, allowed);
  assert_unchanged (f->daemon, &f->before, what);
}

static void
test_method_not_allowed (void)
{
  Fixture f = { 0 };
  g_autofree char *batch = NULL;
  g_autofree char *pause = NULL;
  g_autoptr(BrtResponse) r = NULL;

  fixture_set_up (&f);
  batch = g_strdup_printf ("/api/v1/batch/%s", f.done_id);
  pause = g_strdup_printf ("/api/v1/batch/%s/pause", f.done_id);
  refused (&f, "DELETE", "/api/v1/batch", NULL, 405, "METHOD_NOT_ALLOWED", NULL);
  refused (&f, "DELETE", batch, NULL, 405, "METHOD_NOT_ALLOWED", NULL);
  refused (&f, "GET", pause, NULL, 405, "METHOD_NOT_ALLOWED", NULL);
  refused (&f, "PUT", "/api/v1/batch/preview", "{}", 405, "METHOD_NOT_ALLOWED", NULL);
  refused (&f, "POST", "/api/v1/health", "{}", 405, "METHOD_NOT_ALLOWED", NULL);
  refused (&f, "POST", "/api/v1/templates", "{}", 405, "METHOD_NOT_ALLOWED", NULL);

  assert_not_allowed (&f, "DELETE", "/api/v1/batch", "GET");
  assert_not_allowed (&f, "GET", pause, "POST");
  assert_not_allowed (&f, "PUT", "/api/v1/batch/start", "POST");
  assert_not_allowed (&f, "PATCH", "/api/v1/batch/analytics", "GET");
  /* /leads takes GET and POST: both belong in Allow. */
  assert_not_allowed (&f, "PUT", "/api/v1/leads", "GET");
  assert_not_allowed (&f, "DELETE", "/api/v1/leads", "POST");

  r = brt_http_raw (f.daemon, NULL, "GET", "/api/v1/batch/preview", NULL, 0);
  g_assert_cmpuint (r->status, ==, 405);
  fixture_tear_down (&f);
}

static void
test_auth (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", "--token", "viewer:v-tok",
                                                  "--token", "operator:o-tok", "--token", "admin:a-tok", NULL);
  g_autofree char *lead = NULL;
  g_autofree char *leads_body = NULL;
  g_autofree char *preview_body = NULL;
  g_autofree char *start = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BrtWs) ws = NULL;
  g_autoptr(JsonObject) snapshot = NULL;
  g_autoptr(JsonObject) audit = NULL;
  g_autoptr(JsonNode) node = NULL;
  BrtWs *anon_ws;
  guint status = 0;
  const char * const get_paths[] = { "/api/v1/health", "/api/v1/batch", "/api/v1/leads", "/api/v1/templates",
                                     "/api/v1/audit", "/api/v1/batch/analytics", "/metrics" };
  const char * const post_paths[] = { "/api/v1/leads", "/api/v1/batch/preview", "/api/v1/batch/start",
                                      "/api/v1/batch/" UNKNOWN_ID "/pause", "/api/v1/batch/" UNKNOWN_ID "/resume",
                                      "/api/v1/batch/" UNKNOWN_ID "/cancel", "/api/v1/batch/" UNKNOWN_ID "/retry" };

  lead = brt_lead_json (id, 1, NULL);
  leads_body = g_strdup_printf ("[%s]", lead);
  preview_body = g_strdup_printf ("{\"lead_ids\": [\"%s\"]}", id);
  start = g_strdup_printf ("{\"lead_ids\": [\"%s\"], \"estimated_cost_usd\": 0, \"cost_approved\": true}", id);

  /* No token, a wrong token, another scheme: 401 with a challenge. */
  for (guint i = 0; i < G_N_ELEMENTS (get_paths); i++)
    {
      g_autoptr(BrtResponse) anon = brt_http_raw (daemon, NULL, "GET", get_paths[i], NULL, 0);
      g_autoptr(BrtResponse) wrong = brt_http_raw (daemon, "V-TOK", "GET", get_paths[i], NULL, 0);
      g_autoptr(BrtResponse) viewer = brt_http_raw (daemon, "v-tok", "GET", get_paths[i], NULL, 0);

      g_assert_cmpuint (anon->status, ==, 401);
      g_assert_nonnull (anon->www_authenticate);
      g_assert_true (g_str_has_prefix (anon->www_authenticate, "Bearer"));
      g_assert_cmpuint (wrong->status, ==, 401);
      g_assert_cmpuint (viewer->status, ==, 200);
    }
  {
    g_autofree char *url = g_strconcat (brt_daemon_get_url (daemon), "/api/v1/health", NULL);
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr(GBytes) body = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", "Basic di10b2s6");
    body = soup_session_send_and_read (session, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 401);
  }

  /* Viewers may not change anything; no token is 401 before anything else. */
  for (guint i = 0; i < G_N_ELEMENTS (post_paths); i++)
    {
      g_autoptr(JsonNode) anon = brt_http_with_token (daemon, NULL, "POST", post_paths[i], "{}", &status);
      g_autoptr(JsonNode) viewer = NULL;

      g_assert_cmpuint (status, ==, 401);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (anon), "error"), ==, "UNAUTHORIZED");
      viewer = brt_http_with_token (daemon, "v-tok", "POST", post_paths[i], "{}", &status);
      g_assert_cmpuint (status, ==, 403);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (viewer), "error"), ==, "FORBIDDEN");
    }
  g_clear_pointer (&node, json_node_unref);
  node = brt_http_with_token (daemon, "v-tok", "POST", "/api/v1/leads", leads_body, &status);
  g_assert_cmpuint (status, ==, 403);
  g_clear_pointer (&node, json_node_unref);
  node = brt_http_with_token (daemon, "a-tok", "GET", "/api/v1/leads", NULL, &status);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "total_count"), ==, 0);

  /* An operator may; the audit names the token's role. */
  g_clear_pointer (&node, json_node_unref);
  node = brt_http_with_token (daemon, "o-tok", "POST", "/api/v1/leads", leads_body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&node, json_node_unref);
  node = brt_http_with_token (daemon, "v-tok", "POST", "/api/v1/batch/preview", preview_body, &status);
  g_assert_cmpuint (status, ==, 403);
  g_clear_pointer (&node, json_node_unref);
  node = brt_http_with_token (daemon, "o-tok", "POST", "/api/v1/batch/preview", preview_body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&node, json_node_unref);
  node = brt_http_with_token (daemon, "v-tok", "POST", "/api/v1/batch/start", start, &status);
  g_assert_cmpuint (status, ==, 403);
  g_clear_pointer (&node, json_node_unref);
  node = brt_http_with_token (daemon, "v-tok", "GET", "/api/v1/batch", NULL, &status);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "total_count"), ==, 0);
  g_clear_pointer (&node, json_node_unref);
  node = brt_http_with_token (daemon, "a-tok", "GET", "/api/v1/audit", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  audit = json_object_ref (json_node_get_object (node));
  g_assert_cmpint (json_object_get_int_member (audit, "total_count"), ==, 1);
  {
    JsonObject *e = json_array_get_object_element (json_object_get_array_member (audit, "entries"), 0);

    g_assert_cmpstr (brt_str (e, "action"), ==, "import-leads");
    g_assert_cmpstr (brt_str (e, "role"), ==, "operator");
  }

  /* WebSockets: the handshake needs a token too. */
  anon_ws = brt_ws_connect (daemon, "/api/v1/events", NULL, &error);
  g_assert_null (anon_ws);
  g_assert_nonnull (error);
  g_clear_error (&error);
  anon_ws = brt_ws_connect (daemon, "/api/v1/events", "wrong", &error);
  g_assert_null (anon_ws);
  g_clear_error (&error);
  ws = brt_ws_connect (daemon, "/api/v1/events", "v-tok", &error);
  g_assert_no_error (error);
  brt_ws_send (ws, "{\"type\":\"subscribe\",\"since\":null}");
  snapshot = brt_ws_wait_type (ws, "snapshot", 5000);
  g_assert_nonnull (snapshot);
}

int
main (int    argc,
      char **argv)
{
  brt_test_init (&argc, &argv);

  g_test_add_func ("/integration/bad-input/malformed-json", test_malformed_json);
  g_test_add_func ("/integration/bad-input/wrong-types-preview", test_wrong_types_preview);
  g_test_add_func ("/integration/bad-input/wrong-types-start", test_wrong_types_start);
  g_test_add_func ("/integration/bad-input/duplicate-and-too-many-on-start", test_duplicate_and_too_many_on_start);
  g_test_add_func ("/integration/bad-input/body-too-large", test_body_too_large);
  g_test_add_func ("/integration/bad-input/unknown-ids-and-transitions", test_unknown_ids_and_transitions);
  g_test_add_func ("/integration/bad-input/bad-queries", test_bad_queries);
  g_test_add_func ("/integration/bad-input/method-not-allowed", test_method_not_allowed);
  g_test_add_func ("/integration/bad-input/auth", test_auth);
  g_test_add_func ("/integration/bad-input/not-quite-json", test_not_quite_json);

  return g_test_run ();
}
