/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brt-fixtures"

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "brt-fixtures.h"

static void
drop_log (const char     *domain,
          GLogLevelFlags  level,
          const char     *message,
          gpointer        data)
{
}

void
brt_test_init (int    *argc,
               char ***argv)
{
  g_test_init (argc, argv, NULL);
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    {
      const char * const domains[] = { "libsoup", "GLib-GIO", "GLib", "Json" };

      for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
        g_log_set_handler (domains[i], G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO, drop_log, NULL);
    }
}

static const char * const enrichment_cycle[] = { "pending", "partial", "completed" };
static const char * const industry_cycle[] = { "software", "retail", "healthcare", "finance" };

char *
brt_lead_json (const char        *id,
               guint              index,
               const BrtLeadSpec *spec)
{
  static const BrtLeadSpec defaults = { 0 };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *name = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *email = NULL;
  g_autofree char *contact = NULL;

  if (spec == NULL)
    spec = &defaults;

  name = g_strdup_printf ("%s %u", spec->name_prefix ? spec->name_prefix : "Company", index);
  domain = g_strdup_printf ("%s%u.example.com", spec->domain_prefix ? spec->domain_prefix : "company", index);
  email = g_strdup_printf ("contact%u@%s", index, domain);
  contact = g_strdup_printf ("Contact Person %u", index);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "company_name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "domain");
  json_builder_add_string_value (b, domain);
  if (!spec->no_email)
    {
      json_builder_set_member_name (b, "email");
      json_builder_add_string_value (b, email);
    }
  json_builder_set_member_name (b, "contact_name");
  json_builder_add_string_value (b, contact);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, spec->source ? spec->source : "fixture");
  json_builder_set_member_name (b, "industry");
  json_builder_add_string_value (b, spec->industry ? spec->industry
                                                   : industry_cycle[index % G_N_ELEMENTS (industry_cycle)]);
  json_builder_set_member_name (b, "enrichment_status");
  json_builder_add_string_value (b, spec->enrichment_status ? spec->enrichment_status
                                                            : enrichment_cycle[index % G_N_ELEMENTS (enrichment_cycle)]);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

GPtrArray *
brt_import_leads (BrtDaemon         *daemon,
                  guint              n,
                  const BrtLeadSpec *spec)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) body = g_string_new ("[");
  g_autoptr(JsonObject) answer = NULL;
  static guint counter;

  for (guint i = 0; i < n; i++)
    {
      char *id = g_uuid_string_random ();
      g_autofree char *lead = brt_lead_json (id, counter++, spec);

      g_ptr_array_add (ids, id);
      g_string_append (body, i ? "," : "");
      g_string_append (body, lead);
    }
  g_string_append (body, "]");

  answer = brt_request (daemon, "POST", "/api/v1/leads", body->str, 200);
  g_assert_nonnull (answer);
  g_assert_cmpint (brt_int (answer, "imported"), ==, n);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "rejected")), ==, 0);

  return ids;
}

char *
brt_ids_json (GPtrArray *ids)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (s, "%s\"%s\"", i ? "," : "", (const char *) ids->pdata[i]);
  g_string_append (s, "]");
  return g_string_free (s, FALSE);
}

static JsonNode *
request_node (BrtDaemon  *daemon,
              const char *method,
              const char *path,
              const char *body,
              guint       expected_status)
{
  guint status = 0;
  JsonNode *node = brt_http (daemon, method, path, body, &status);

  if (status != expected_status)
    {
      g_autofree char *text = node ? json_to_string (node, FALSE) : g_strdup ("(no JSON body)");
      g_error ("%s %s answered %u, expected %u: %s", method, path, status, expected_status, text);
    }
  return node;
}

JsonObject *
brt_request (BrtDaemon  *daemon,
             const char *method,
             const char *path,
             const char *body,
             guint       expected_status)
{
  g_autoptr(JsonNode) node = request_node (daemon, method, path, body, expected_status);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

JsonArray *
brt_request_array (BrtDaemon  *daemon,
                   const char *method,
                   const char *path,
                   const char *body,
                   guint       expected_status)
{
  g_autoptr(JsonNode) node = request_node (daemon, method, path, body, expected_status);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_array_ref (json_node_get_array (node));
}

void
brt_assert_error (BrtDaemon  *daemon,
                  const char *method,
                  const char *path,
                  const char *body,
                  guint       expected_status,
                  const char *code,
                  const char *detail_prefix)
{
  g_autoptr(JsonObject) obj = brt_request (daemon, method, path, body, expected_status);
  const char *detail;

  if (obj == NULL)
    g_error ("%s %s: the %u answer has no JSON error object", method, path, expected_status);
  g_assert_cmpstr (json_object_get_string_member_with_default (obj, "error", NULL), ==, code);
  detail = json_object_get_string_member_with_default (obj, "detail", NULL);
  g_assert_nonnull (detail);
  g_assert_cmpuint (strlen (detail), >, 0);
  if (detail_prefix != NULL)
    {
      gboolean ok = detail_prefix[0] == '*' ? strstr (detail, detail_prefix + 1) != NULL
                                            : g_str_has_prefix (detail, detail_prefix);
      if (!ok)
        g_error ("%s %s: detail \"%s\" does not name \"%s\"", method, path, detail, detail_prefix);
    }
}

BrtResponse *
brt_http_raw (BrtDaemon  *daemon,
              const char *token,
              const char *method,
              const char *path,
              const void *body,
              gssize      len)
{
  g_autofree char *url = g_strconcat (brt_daemon_get_url (daemon), path, NULL);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  BrtResponse *response = g_new0 (BrtResponse, 1);
  const char *value;

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, len < 0 ? strlen (body) : (gsize) len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  response->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  response->status = soup_message_get_status (msg);
  headers = soup_message_get_response_headers (msg);
  value = soup_message_headers_get_content_type (headers, NULL);
  response->content_type = g_strdup (value);
  response->allow = g_strdup (soup_message_headers_get_one (headers, "Allow"));
  response->www_authenticate = g_strdup (soup_message_headers_get_one (headers, "WWW-Authenticate"));
  return response;
}

void
brt_response_free (BrtResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response->content_type);
  g_free (response->allow);
  g_free (response->www_authenticate);
  g_free (response);
}

JsonObject *
brt_preview (BrtDaemon  *daemon,
             GPtrArray  *ids,
             const char *template_version)
{
  g_autofree char *list = brt_ids_json (ids);
  g_autofree char *body = NULL;

  if (template_version != NULL)
    body = g_strdup_printf ("{\"lead_ids\": %s, \"template_version\": \"%s\"}", list, template_version);
  else
    body = g_strdup_printf ("{\"lead_ids\": %s}", list);
  return brt_request (daemon, "POST", "/api/v1/batch/preview", body, 200);
}

char *
brt_start_batch (BrtDaemon  *daemon,
                 GPtrArray  *ids,
                 const char *extra)
{
  g_autofree char *list = brt_ids_json (ids);
  g_autofree char *start_body = NULL;
  g_autoptr(JsonObject) preview = NULL;
  g_autoptr(JsonObject) batch = NULL;
  g_autofree char *version = NULL;
  char cost[G_ASCII_DTOSTR_BUF_SIZE];

  /* The template, if @extra names one, must be priced by the preview too. */
  if (extra != NULL && strstr (extra, "\"template_version\"") != NULL)
    {
      const char *v = strchr (strstr (extra, "\"template_version\"") + strlen ("\"template_version\""), '"');

      g_assert_nonnull (v);
      version = g_strndup (v + 1, strchr (v + 1, '"') - (v + 1));
    }
  preview = brt_preview (daemon, ids, version);

  g_ascii_dtostr (cost, sizeof cost, brt_num (preview, "estimated_cost_usd"));
  start_body = g_strdup_printf ("{\"lead_ids\": %s, \"estimated_cost_usd\": %s, \"cost_approved\": true%s%s}",
                                list, cost, extra ? ", " : "", extra ? extra : "");
  batch = brt_request (daemon, "POST", "/api/v1/batch/start", start_body, 201);
  g_assert_nonnull (batch);
  g_assert_cmpint (brt_int (batch, "total_leads"), ==, ids->len);
  return g_strdup (brt_str (batch, "id"));
}

JsonObject *
brt_get_batch (BrtDaemon  *daemon,
               const char *batch_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s", batch_id);

  return brt_request (daemon, "GET", path, NULL, 200);
}

typedef struct
{
  BrtDaemon  *daemon;
  const char *batch_id;
  GStrv       statuses;
  JsonObject *last;
} WaitBatch;

static gboolean
batch_status_reached (gpointer data)
{
  WaitBatch *w = data;

  g_clear_pointer (&w->last, json_object_unref);
  w->last = brt_get_batch (w->daemon, w->batch_id);
  return g_strv_contains ((const char * const *) w->statuses, brt_str (w->last, "status"));
}

JsonObject *
brt_wait_batch_status (BrtDaemon  *daemon,
                       const char *batch_id,
                       const char *statuses,
                       guint       timeout_ms)
{
  g_auto(GStrv) wanted = g_strsplit (statuses, "|", -1);
  WaitBatch w = { daemon, batch_id, wanted, NULL };

  if (!brt_poll_until (batch_status_reached, &w, timeout_ms, 25))
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), w.last);
      g_autofree char *text = json_to_string (node, FALSE);

      g_error ("Batch %s did not reach %s within %u ms; last seen: %s", batch_id, statuses, timeout_ms, text);
    }
  return w.last;
}

JsonArray *
brt_get_results (BrtDaemon  *daemon,
                 const char *batch_id,
                 const char *status)
{
  JsonArray *all = json_array_new ();
  guint skip = 0;

  for (;;)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/leads?limit=200&skip=%u%s%s", batch_id, skip,
                                               status ? "&status=" : "", status ? status : "");
      g_autoptr(JsonObject) page = brt_request (daemon, "GET", path, NULL, 200);
      JsonArray *results = json_object_get_array_member (page, "results");
      guint n = json_array_get_length (results);

      for (guint i = 0; i < n; i++)
        json_array_add_element (all, json_node_copy (json_array_get_element (results, i)));
      skip += n;
      if (n == 0 || skip >= (guint) brt_int (page, "total_count"))
        break;
    }

  return all;
}

gint64
brt_count_results (BrtDaemon  *daemon,
                   const char *batch_id,
                   const char *status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/batch/%s/leads?limit=1%s%s", batch_id,
                                           status ? "&status=" : "", status ? status : "");
  g_autoptr(JsonObject) page = brt_request (daemon, "GET", path, NULL, 200);

  return brt_int (page, "total_count");
}

JsonObject *
brt_find_result (JsonArray  *results,
                 const char *lead_id)
{
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *r = json_array_get_object_element (results, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (r, "lead_id", NULL), lead_id) == 0)
        return r;
    }
  return NULL;
}

JsonObject *
brt_assert_counters_match_rows (BrtDaemon  *daemon,
                                const char *batch_id)
{
  JsonObject *batch = brt_get_batch (daemon, batch_id);
  g_autoptr(JsonArray) rows = brt_get_results (daemon, batch_id, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 completed = 0, failed = 0, skipped = 0;
  double cost = 0;

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *r = json_array_get_object_element (rows, i);
      const char *status = brt_str (r, "status");

      /* Each lead of the batch has exactly one row. */
      g_assert_true (g_hash_table_add (seen, (gpointer) brt_str (r, "lead_id")));
      completed += g_str_equal (status, "completed");
      failed += g_str_equal (status, "failed");
      skipped += g_str_equal (status, "skipped");
      cost += brt_num (r, "actual_cost_usd");
    }

  g_assert_cmpint (brt_int (batch, "total_leads"), ==, json_array_get_length (rows));
  g_assert_cmpint (brt_int (batch, "successful_leads"), ==, completed);
  g_assert_cmpint (brt_int (batch, "failed_leads"), ==, failed);
  g_assert_cmpint (brt_int (batch, "skipped_leads"), ==, skipped);
  g_assert_cmpint (brt_int (batch, "processed_leads"), ==, completed + failed);
  /* Money is rounded to 4 decimals per value on the wire. */
  g_assert_cmpfloat_with_epsilon (brt_num (batch, "actual_cost_usd"), cost,
                                  0.0001 * (json_array_get_length (rows) + 1));
  return batch;
}

typedef struct
{
  gboolean (*condition) (gpointer);
  gpointer   data;
  gboolean   due;
  gboolean   result;
} Poll;

static gboolean
poll_tick (gpointer data)
{
  ((Poll *) data)->due = TRUE;
  return G_SOURCE_CONTINUE;
}

static gboolean
poll_check (gpointer data)
{
  Poll *poll = data;

  if (poll->due && !poll->result)
    {
      poll->due = FALSE;
      poll->result = poll->condition (poll->data);
    }
  return poll->result;
}

gboolean
brt_poll_until (gboolean (*condition) (gpointer),
                gpointer   data,
                guint      timeout_ms,
                guint      poll_ms)
{
  Poll poll = { condition, data, TRUE, FALSE };
  guint id = g_timeout_add (poll_ms, poll_tick, &poll);
  gboolean ok = brt_wait_until (poll_check, &poll, timeout_ms);

  g_source_remove (id);
  return ok;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
brt_run_for (guint ms)
{
  brt_wait_until (never, NULL, ms);
}

const char *
brt_str (JsonObject *obj,
         const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL)
    g_error ("The object has no member \"%s\"", member);
  if (JSON_NODE_HOLDS_NULL (node))
    return NULL;
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  return json_node_get_string (node);
}

gint64
brt_int (JsonObject *obj,
         const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    g_error ("The object has no number member \"%s\"", member);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

double
brt_num (JsonObject *obj,
         const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    g_error ("The object has no number member \"%s\"", member);
  g_assert_true (json_node_get_value_type (node) == G_TYPE_INT64 ||
                 json_node_get_value_type (node) == G_TYPE_DOUBLE);
  return json_node_get_double (node);
}

gint64
brt_parse_time (const char *iso)
{
  g_autoptr(GDateTime) dt = NULL;

  g_assert_nonnull (iso);
  dt = g_date_time_new_from_iso8601 (iso, NULL);
  if (dt == NULL)
    g_error ("\"%s\" is not an ISO 8601 timestamp", iso);
  g_assert_true (g_str_has_suffix (iso, "Z"));
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

BrtWs *
brt_events_connect (BrtDaemon  *daemon,
                    const char *since)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *subscribe = g_strdup_printf ("{\"type\":\"subscribe\",\"since\":%s}", since ? since : "null");
  BrtWs *ws = brt_ws_connect (daemon, "/api/v1/events", NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ws);
  brt_ws_send (ws, subscribe);
  if (since == NULL)
    {
      g_autoptr(JsonObject) snapshot = brt_ws_wait_type (ws, "snapshot", 10000);
      g_assert_nonnull (snapshot);
    }
  return ws;
}

void
brt_ws_sync (BrtWs *ws)
{
  g_autoptr(JsonObject) pong = NULL;

  brt_ws_send (ws, "{\"type\":\"ping\"}");
  pong = brt_ws_wait_type (ws, "pong", 10000);
  g_assert_nonnull (pong);
}

char *
brt_rate_card (const char *dir,
               const char *provider,
               guint       rpm)
{
  g_autofree char *shipped = g_build_filename (SOURCE_DATADIR, "daemon", "rate-card.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) names = NULL;
  char *path = g_build_filename (dir, "rate-card.json", NULL);
  JsonObject *providers;

  json_parser_load_from_file (parser, shipped, &error);
  g_assert_no_error (error);
  providers = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "providers");
  names = json_object_get_members (providers);
  for (GList *l = names; l; l = l->next)
    json_object_remove_member (json_object_get_object_member (providers, l->data), "requests_per_minute");
  if (provider != NULL)
    {
      g_assert_true (json_object_has_member (providers, provider));
      json_object_set_int_member (json_object_get_object_member (providers, provider), "requests_per_minute", rpm);
    }

  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_to_file (gen, path, &error);
  g_assert_no_error (error);
  return path;
}

gboolean
brt_process_alive (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  /* "pid (comm) S ...": the state follows the last parenthesis. */
  state = strrchr (stat, ')');
  return state != NULL && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}

char *
brt_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("brt-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
brt_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            brt_remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}
