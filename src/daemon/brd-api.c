/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-api"

#include "config.h"

#include <math.h>
#include <string.h>

#include "batchrunner.h"

#include "brd-api.h"
#include "brd-http.h"
#include "brd-import.h"
#include "brd-json.h"

#define API_BASE_FULL   "/api/v1"
/* --compat=base: where the FastAPI service mounts its routes. */
#define API_BASE_COMPAT "/api"
#define MAX_PREVIEW     1000
#define DEFAULT_LIMIT   50
#define MAX_LIMIT       200

static const char * const capabilities[] = {
  "events", "pause", "retry", "leads", "templates", "analytics.daily", "metrics", "audit",
  "batches.error_code",
};

/* Upper bounds of the request-duration histogram, in seconds. */
static const double duration_buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0 };

struct _BrdApi
{
  BrdConfig  *config;
  SoupServer *server;
  BrdStore   *store;
  BrdEngine  *engine;
  BrdEvents  *events;
  BrdPricing *pricing;

  guint64     duration_counts[G_N_ELEMENTS (duration_buckets) + 1];
  double      duration_sum;
  guint64     n_requests;

  /* The profile: the base path, and whether only the FastAPI service's
   * endpoints and fields are served (--compat=base). */
  const char *base;
  gboolean    base_only;
};

typedef struct
{
  BrdApi            *api;
  SoupServerMessage *msg;
  const char        *method;
  const char        *path;       /* the request's whole path */
  const char        *query;      /* raw query string */
  BrdRole            role;
  const char        *who;
} Request;

/* Helpers ------------------------------------------------------------------ */

static gboolean
token_equal (const char *a,
             const char *b)
{
  gsize la = strlen (a);
  gsize lb = strlen (b);
  guint8 diff = la != lb;

  /* Time independent of where the tokens first differ. */
  for (gsize i = 0; i < la && i < lb; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];

  return diff == 0;
}

static BrdRole
authenticate (BrdApi             *self,
              SoupServerMessage  *msg,
              const char        **who)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");

  /* With no tokens configured the daemon only listens on loopback (the
   * config refuses anything else), and local callers are trusted. */
  if (self->config->tokens->len == 0)
    {
      *who = "local";
      return BRD_ROLE_ADMIN;
    }

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return BRD_ROLE_NONE;

  auth += 7;
  while (*auth == ' ')
    auth++;

  for (guint i = 0; i < self->config->tokens->len; i++)
    {
      const BrdToken *token = g_ptr_array_index (self->config->tokens, i);

      if (token_equal (token->token, auth))
        {
          *who = token->name;
          return token->role;
        }
    }

  return BRD_ROLE_NONE;
}

static gboolean
require_role (Request *req,
              BrdRole  needed)
{
  if (req->role == BRD_ROLE_NONE)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "WWW-Authenticate", "Bearer");
      brd_http_reply_error (req->msg, SOUP_STATUS_UNAUTHORIZED, "UNAUTHORIZED",
                            "Missing or invalid bearer token");
      return FALSE;
    }

  if (req->role < needed)
    {
      brd_http_reply_error (req->msg, SOUP_STATUS_FORBIDDEN, "FORBIDDEN",
                            "This needs the %s role; the token has %s",
                            brd_role_to_string (needed), brd_role_to_string (req->role));
      return FALSE;
    }

  return TRUE;
}

static BrdActor
actor_of (Request *req)
{
  BrdActor actor = { req->who, brd_role_to_string (req->role) };
  return actor;
}

static void
reply (Request  *req,
       guint     status,
       JsonNode *node)
{
  brd_http_reply_json (req->msg, status, node);
  json_node_unref (node);
}

static void
reply_validation (Request    *req,
                  const char *detail)
{
  brd_http_reply_error (req->msg, 422, "VALIDATION_ERROR", "%s", detail);
}

/* All values of a query parameter: repeated (`status=a&status=b`) or
 * comma-separated (`status=a,b`). */
static GStrv
query_values (Request    *req,
              const char *name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) pairs = NULL;

  if (req->query == NULL)
    return g_strv_builder_end (builder);

  pairs = g_strsplit (req->query, "&", -1);
  for (guint i = 0; pairs[i]; i++)
    {
      char *eq = strchr (pairs[i], '=');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (eq == NULL)
        continue;
      *eq = '\0';
      g_strdelimit (pairs[i], "+", ' ');
      g_strdelimit (eq + 1, "+", ' ');
      key = g_uri_unescape_string (pairs[i], NULL);
      value = g_uri_unescape_string (eq + 1, NULL);
      if (key == NULL || value == NULL || !g_str_equal (key, name))
        continue;
      {
        g_auto(GStrv) parts = g_strsplit (value, ",", -1);
        for (guint j = 0; parts[j]; j++)
          if (*g_strstrip (parts[j]))
            g_strv_builder_add (builder, parts[j]);
      }
    }

  return g_strv_builder_end (builder);
}

static char *
query_value (Request    *req,
             const char *name)
{
  g_auto(GStrv) values = query_values (req, name);
  guint n = g_strv_length (values);

  return n > 0 ? g_strdup (values[n - 1]) : NULL;
}

static gboolean
query_uint (Request    *req,
            const char *name,
            guint       fallback,
            guint       min,
            guint       max,
            guint      *out)
{
  g_autofree char *text = query_value (req, name);
  guint64 value;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    {
      g_autofree char *detail = g_strdup_printf ("%s: must be a whole number from %u to %u, not \"%s\"",
                                                 name, min, max, text);
      reply_validation (req, detail);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

static gboolean
query_time (Request    *req,
            const char *name,
            gint64     *out)
{
  g_autofree char *text = query_value (req, name);

  *out = 0;
  if (text == NULL)
    return TRUE;
  *out = brd_http_parse_time (text);
  if (*out < 0)
    {
      g_autofree char *detail = g_strdup_printf ("%s: \"%s\" is not an ISO 8601 timestamp", name, text);
      reply_validation (req, detail);
      return FALSE;
    }
  return TRUE;
}

static JsonObject *
parse_object_body (Request *req)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  root = brd_json_parse (data, len, &error);
  if (root == NULL)
    {
      brd_http_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "MALFORMED_JSON", "%s", error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      reply_validation (req, "The body must be a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

typedef enum
{
  FIELD_OK,
  FIELD_ABSENT,
  FIELD_INVALID,
} FieldResult;

static FieldResult
field_string (Request     *req,
              JsonObject  *obj,
              const char  *name,
              gsize        max_len,
              const char **out)
{
  JsonNode *node = json_object_get_member (obj, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FIELD_ABSENT;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *detail = g_strdup_printf ("%s: must be a string", name);
      reply_validation (req, detail);
      return FIELD_INVALID;
    }
  *out = json_node_get_string (node);
  if (strlen (*out) > max_len)
    {
      g_autofree char *detail = g_strdup_printf ("%s: must be at most %" G_GSIZE_FORMAT " characters", name, max_len);
      reply_validation (req, detail);
      return FIELD_INVALID;
    }
  return FIELD_OK;
}

static FieldResult
field_number (Request    *req,
              JsonObject *obj,
              const char *name,
              double      min,
              double      max,
              double     *out)
{
  JsonNode *node = json_object_get_member (obj, name);
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FIELD_ABSENT;
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    {
      g_autofree char *detail = g_strdup_printf ("%s: must be a number", name);
      reply_validation (req, detail);
      return FIELD_INVALID;
    }
  *out = json_node_get_double (node);
  if (!isfinite (*out) || *out < min || *out > max)
    {
      g_autofree char *detail = g_strdup_printf ("%s: must be between %g and %g", name, min, max);
      reply_validation (req, detail);
      return FIELD_INVALID;
    }
  return FIELD_OK;
}

static FieldResult
field_int (Request    *req,
           JsonObject *obj,
           const char *name,
           gint64      min,
           gint64      max,
           gint64     *out)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FIELD_ABSENT;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < min || json_node_get_int (node) > max)
    {
      g_autofree char *detail = g_strdup_printf ("%s: must be a whole number from %" G_GINT64_FORMAT
                                                 " to %" G_GINT64_FORMAT, name, min, max);
      reply_validation (req, detail);
      return FIELD_INVALID;
    }
  *out = json_node_get_int (node);
  return FIELD_OK;
}

static FieldResult
field_bool (Request    *req,
            JsonObject *obj,
            const char *name,
            gboolean   *out)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FIELD_ABSENT;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_autofree char *detail = g_strdup_printf ("%s: must be true or false", name);
      reply_validation (req, detail);
      return FIELD_INVALID;
    }
  *out = json_node_get_boolean (node);
  return FIELD_OK;
}

/* `lead_ids`: 1..max unique strings. Returns a NULL-terminated array. */
static GPtrArray *
field_lead_ids (Request    *req,
                JsonObject *obj,
                const char *name,
                guint       max,
                gboolean    required)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;
  guint n;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          g_autofree char *detail = g_strdup_printf ("%s: required", name);
          reply_validation (req, detail);
          return NULL;
        }
      g_ptr_array_add (ids, NULL);
      return g_steal_pointer (&ids);
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *detail = g_strdup_printf ("%s: must be an array of lead id strings", name);
      reply_validation (req, detail);
      return NULL;
    }

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 || n > max)
    {
      g_autofree char *detail = g_strdup_printf ("%s: must hold between 1 and %u lead ids, not %u", name, max, n);
      reply_validation (req, detail);
      return NULL;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonNode *el = json_array_get_element (array, i);
      const char *id;

      if (!JSON_NODE_HOLDS_VALUE (el) || json_node_get_value_type (el) != G_TYPE_STRING ||
          *(id = json_node_get_string (el)) == '\0' || strlen (id) > 64)
        {
          g_autofree char *detail = g_strdup_printf ("%s[%u]: must be a lead id string", name, i);
          reply_validation (req, detail);
          return NULL;
        }
      if (!g_hash_table_add (seen, (gpointer) id))
        {
          g_autofree char *detail = g_strdup_printf ("%s: lead id %s appears more than once", name, id);
          reply_validation (req, detail);
          return NULL;
        }
      g_ptr_array_add (ids, g_strdup (id));
    }

  g_ptr_array_add (ids, NULL);
  return g_steal_pointer (&ids);
}

static gint64
start_of_today (void)
{
  gint64 now = g_get_real_time ();
  const gint64 day = G_GINT64_CONSTANT (86400000000);

  return now - now % day;
}

static void
reply_engine_error (Request *req,
                    GError  *error)
{
  if (g_error_matches (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_NOT_FOUND))
    brd_http_reply_error (req->msg, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", "%s", error->message);
  else if (g_error_matches (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_INVALID_TRANSITION))
    brd_http_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "INVALID_TRANSITION", "%s", error->message);
  else if (g_error_matches (error, BRD_ENGINE_ERROR, BRD_ENGINE_ERROR_INVALID))
    reply_validation (req, error->message);
  else
    brd_http_reply_error (req->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "INTERNAL", "%s", error->message);
}

static JsonNode *
batch_json (BrdApi         *self,
            const BrdBatch *batch)
{
  gint64 seq = brd_events_get_batch_seq (self->events, batch->id);

  return brd_batch_to_json (batch, seq ? seq : batch->seq, g_get_real_time ());
}

/* Health ------------------------------------------------------------------- */

JsonNode *
brd_api_health (BrdApi *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *now = brd_http_now_iso8601 ();
  double spent = brd_store_spent_since (self->store, start_of_today ());
  gboolean db_ok = brd_store_count_leads (self->store) >= 0;

  json_builder_begin_object (b);
  brd_json_add_string (b, "status", db_ok ? "healthy" : "unhealthy");
  brd_json_add_string (b, "timestamp", now);
  brd_json_add_string (b, "database", db_ok ? "connected" : "error");
  brd_json_add_string (b, "message", db_ok ? "Batch Runner service is running" : "The database does not answer");
  if (self->base_only)
    {
      /* The FastAPI service's health: no version, no capabilities, so
       * clients fall back to the base feature set (API.md). */
      json_builder_end_object (b);
      return json_builder_get_root (b);
    }
  brd_json_add_string (b, "version", PACKAGE_VERSION);
  json_builder_set_member_name (b, "capabilities");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (capabilities); i++)
    json_builder_add_string_value (b, capabilities[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "workers");
  json_builder_begin_object (b);
  brd_json_add_int (b, "busy", brd_engine_get_busy (self->engine));
  brd_json_add_int (b, "total", brd_engine_get_workers (self->engine));
  json_builder_end_object (b);
  brd_json_add_int (b, "queue_depth", brd_engine_get_queue_depth (self->engine));
  brd_json_add_int (b, "websocket_clients", brd_events_get_n_clients (self->events));
  brd_json_add_money (b, "spent_today_usd", spent);
  brd_json_add_money (b, "daily_budget_usd", self->config->daily_budget);
  brd_json_add_string (b, "processor", self->config->processor);
  brd_json_add_int (b, "event_seq", brd_events_get_seq (self->events));
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

static void
handle_health (Request *req)
{
  JsonNode *health = brd_api_health (req->api);
  const char *status = json_object_get_string_member (json_node_get_object (health), "status");

  reply (req, g_str_equal (status, "healthy") ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE, health);
}

/* Batches ------------------------------------------------------------------ */

static gboolean
valid_error_code (const char *code)
{
  if (*code == '\0' || strlen (code) > 64)
    return FALSE;
  for (const char *p = code; *p; p++)
    if (!g_ascii_isupper (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

static void
handle_list_batches (Request *req)
{
  BrdApi *self = req->api;
  g_auto(GStrv) statuses = query_values (req, "status");
  g_autofree char *created_by = query_value (req, "created_by");
  g_autofree char *template_version = query_value (req, "template_version");
  g_autofree char *search = query_value (req, "search");
  g_autofree char *error_code = query_value (req, "error_code");
  g_autoptr(GPtrArray) batches = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  BrdBatchQuery query = { 0 };
  gint64 total = 0;
  guint pages, page_size;

  for (guint i = 0; statuses[i]; i++)
    {
      if (br_batch_status_from_string (statuses[i]) == BR_BATCH_STATUS_UNKNOWN)
        {
          g_autofree char *detail = g_strdup_printf ("status: \"%s\" is not one of pending, running, paused,"
                                                     " completed, failed, cancelled", statuses[i]);
          reply_validation (req, detail);
          return;
        }
    }

  /* The codes processors record: capitals, digits and underscores. */
  if (error_code != NULL && !valid_error_code (error_code))
    {
      g_autofree char *detail = g_strdup_printf ("error_code: must be an error code such as DOMAIN_UNREACHABLE"
                                                 " (capital letters, digits and _, at most 64), not \"%s\"",
                                                 error_code);
      reply_validation (req, detail);
      return;
    }

  if (!query_uint (req, "skip", 0, 0, G_MAXINT32, &query.skip) ||
      !query_uint (req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, &query.limit) ||
      !query_time (req, "created_after", &query.created_after) ||
      !query_time (req, "created_before", &query.created_before))
    return;

  query.statuses = statuses[0] ? statuses : NULL;
  query.created_by = created_by;
  query.template_version = template_version;
  query.search = search;
  query.error_code = error_code;
  batches = brd_store_list_batches (self->store, &query, &total);

  page_size = query.limit;
  pages = total > 0 ? (guint) ((total + page_size - 1) / page_size) : 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "batches");
  json_builder_begin_array (b);
  for (guint i = 0; i < batches->len; i++)
    json_builder_add_value (b, batch_json (self, g_ptr_array_index (batches, i)));
  json_builder_end_array (b);
  brd_json_add_int (b, "total_count", total);
  json_builder_set_member_name (b, "page_info");
  json_builder_begin_object (b);
  brd_json_add_int (b, "current_page", query.skip / page_size + 1);
  brd_json_add_int (b, "total_pages", pages);
  brd_json_add_int (b, "page_size", page_size);
  brd_json_add_bool (b, "has_next", (gint64) query.skip + batches->len < total);
  brd_json_add_bool (b, "has_previous", query.skip > 0);
  json_builder_end_object (b);
  json_builder_end_object (b);

  reply (req, SOUP_STATUS_OK, json_builder_get_root (b));
}

static void
handle_get_batch (Request    *req,
                  const char *id)
{
  g_autoptr(BrdBatch) batch = brd_store_get_batch (req->api->store, id);

  if (batch == NULL)
    {
      brd_http_reply_error (req->msg, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", "No batch with id %s", id);
      return;
    }
  reply (req, SOUP_STATUS_OK, batch_json (req->api, batch));
}

static void
handle_batch_status (Request    *req,
                     const char *id)
{
  BrdApi *self = req->api;
  g_autoptr(BrdBatch) batch = brd_store_get_batch (self->store, id);
  g_autoptr(GPtrArray) recent = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *ws = NULL;
  gint64 now = g_get_real_time ();
  double rate;
  int remaining;

  if (batch == NULL)
    {
      brd_http_reply_error (req->msg, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", "No batch with id %s", id);
      return;
    }

  recent = brd_store_recent_results (self->store, id, 5);
  ws = g_strdup_printf ("%s/batch/%s/progress", self->base, id);
  rate = brd_batch_rate (batch, now);
  remaining = batch->pending_leads + batch->processing_leads;

  json_builder_begin_object (b);
  brd_json_add_string (b, "batch_id", batch->id);
  brd_json_add_string (b, "status", batch->status);
  brd_json_add_double (b, "progress_percentage", brd_batch_progress (batch));
  brd_json_add_int (b, "total_leads", batch->total_leads);
  brd_json_add_int (b, "processed_leads", batch->processed_leads);
  brd_json_add_int (b, "successful_leads", batch->successful_leads);
  brd_json_add_int (b, "failed_leads", batch->failed_leads);
  if (!self->base_only)
    brd_json_add_int (b, "skipped_leads", batch->skipped_leads);
  brd_json_add_string (b, "current_lead_id", batch->processing_leads > 0 ? batch->current_lead_id : NULL);
  brd_json_add_money (b, "estimated_cost_usd", batch->estimated_cost_usd);
  brd_json_add_money (b, "actual_cost_usd", batch->actual_cost_usd);
  brd_json_add_time (b, "started_at", batch->started_at);
  brd_json_add_time (b, "estimated_completion",
                     remaining > 0 && rate > 0 ? now + (gint64) (remaining / rate * G_USEC_PER_SEC)
                                               : batch->completed_at);
  json_builder_set_member_name (b, "recent_results");
  json_builder_begin_array (b);
  for (guint i = 0; i < recent->len; i++)
    json_builder_add_value (b, brd_lead_result_to_json (g_ptr_array_index (recent, i)));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "error_summary");
  json_builder_add_value (b, brd_store_error_summary (self->store, id));
  brd_json_add_string (b, "websocket_url", ws);
  json_builder_end_object (b);

  reply (req, SOUP_STATUS_OK, json_builder_get_root (b));
}

static void
handle_batch_leads (Request    *req,
                    const char *id)
{
  BrdApi *self = req->api;
  g_autoptr(BrdBatch) batch = brd_store_get_batch (self->store, id);
  g_autofree char *status = query_value (req, "status");
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint skip, limit;
  gint64 total = 0;

  if (batch == NULL)
    {
      brd_http_reply_error (req->msg, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", "No batch with id %s", id);
      return;
    }
  if (status != NULL && br_lead_status_from_string (status) == BR_LEAD_STATUS_UNKNOWN)
    {
      reply_validation (req, "status: must be one of pending, processing, completed, failed, skipped");
      return;
    }
  if (!query_uint (req, "skip", 0, 0, G_MAXINT32, &skip) ||
      !query_uint (req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, &limit))
    return;

  results = brd_store_list_results (self->store, id, status, skip, limit, &total);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  for (guint i = 0; i < results->len; i++)
    {
      const BrdLeadResult *r = g_ptr_array_index (results, i);
      JsonNode *node = brd_lead_result_to_json (r);
      g_autoptr(BrdLead) lead = brd_store_get_lead (self->store, r->lead_id);

      /* The lead's name and domain, so a results table needs no second call. */
      if (lead != NULL)
        {
          json_object_set_string_member (json_node_get_object (node), "company_name", lead->company_name);
          if (lead->domain)
            json_object_set_string_member (json_node_get_object (node), "domain", lead->domain);
        }
      json_builder_add_value (b, node);
    }
  json_builder_end_array (b);
  brd_json_add_int (b, "total_count", total);
  json_builder_end_object (b);

  reply (req, SOUP_STATUS_OK, json_builder_get_root (b));
}

static void
handle_control (Request    *req,
                const char *id,
                const char *action)
{
  BrdApi *self = req->api;
  g_autoptr(GError) error = NULL;
  BrdActor actor = actor_of (req);
  gboolean ok;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *message = NULL;

  if (!require_role (req, BRD_ROLE_OPERATOR))
    return;

  if (g_str_equal (action, "cancel"))
    ok = brd_engine_cancel (self->engine, id, &actor, &error);
  else if (g_str_equal (action, "pause"))
    ok = brd_engine_pause (self->engine, id, &actor, &error);
  else
    ok = brd_engine_resume (self->engine, id, &actor, &error);

  if (!ok)
    {
      reply_engine_error (req, error);
      return;
    }

  if (g_str_equal (action, "cancel"))
    {
      /* The existing service answers cancel with a message; keep that, and
       * add the batch so clients need not fetch it again. */
      g_autoptr(BrdBatch) batch = brd_store_get_batch (self->store, id);

      message = g_strdup_printf ("Batch %s cancelled", id);
      json_builder_begin_object (b);
      brd_json_add_string (b, "message", message);
      json_builder_set_member_name (b, "batch");
      json_builder_add_value (b, batch_json (self, batch));
      json_builder_end_object (b);
      reply (req, SOUP_STATUS_OK, json_builder_get_root (b));
      return;
    }

  handle_get_batch (req, id);
}

static void
handle_retry (Request    *req,
              const char *id)
{
  BrdApi *self = req->api;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  SoupMessageBody *raw = soup_server_message_get_request_body (req->msg);
  BrdActor actor = actor_of (req);

  if (!require_role (req, BRD_ROLE_OPERATOR))
    return;

  /* The body is optional: none, or {} retries every failed lead. */
  if (raw->length > 0)
    {
      body = parse_object_body (req);
      if (body == NULL)
        return;
      ids = field_lead_ids (req, body, "lead_ids", MAX_PREVIEW, FALSE);
      if (ids == NULL)
        return;
    }

  brd_engine_retry (self->engine, id, ids && ids->pdata[0] ? (const char * const *) ids->pdata : NULL,
                    &actor, &error);
  if (error != NULL)
    {
      reply_engine_error (req, error);
      return;
    }

  handle_get_batch (req, id);
}

/* Preview and start --------------------------------------------------------- */

typedef struct
{
  const BrdTemplate *tmpl;
  GPtrArray         *ids;        /* requested, NULL-terminated */
  GPtrArray         *leads;      /* BrdLead, the valid ones */
  GPtrArray         *invalid;    /* char*, ids with no lead */
  BrdQuote          *quote;
} Priced;

static void
priced_clear (Priced *p)
{
  g_clear_pointer (&p->ids, g_ptr_array_unref);
  g_clear_pointer (&p->leads, g_ptr_array_unref);
  g_clear_pointer (&p->invalid, g_ptr_array_unref);
  g_clear_pointer (&p->quote, brd_quote_free);
}

/* Shared by preview and start: validates lead_ids and the template and
 * prices the valid leads. Replies and returns FALSE on bad input. */
static gboolean
price_request (Request    *req,
               JsonObject *body,
               guint       max_concurrent,
               Priced     *p)
{
  BrdApi *self = req->api;
  const char *version = NULL;

  p->ids = field_lead_ids (req, body, "lead_ids", MAX_PREVIEW, TRUE);
  if (p->ids == NULL)
    return FALSE;

  switch (field_string (req, body, "template_version", 64, &version))
    {
    case FIELD_INVALID:
      return FALSE;
    case FIELD_ABSENT:
      p->tmpl = brd_pricing_get_default_template (self->pricing);
      break;
    case FIELD_OK:
    default:
      p->tmpl = brd_pricing_find_template (self->pricing, version);
      if (p->tmpl == NULL)
        {
          g_autofree char *detail = g_strdup_printf ("template_version: no template \"%s\"; see GET /templates", version);
          reply_validation (req, detail);
          return FALSE;
        }
      if (!p->tmpl->available)
        {
          g_autofree char *detail = g_strdup_printf ("template_version: template %s is not available: %s",
                                                     version, p->tmpl->unavailable_reason ? p->tmpl->unavailable_reason : "");
          reply_validation (req, detail);
          return FALSE;
        }
      break;
    }

  p->leads = brd_store_get_leads (self->store, (const char * const *) p->ids->pdata, p->ids->len - 1);
  p->invalid = g_ptr_array_new_with_free_func (g_free);
  {
    g_autoptr(GHashTable) found = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < p->leads->len; i++)
      g_hash_table_add (found, ((BrdLead *) p->leads->pdata[i])->id);
    for (guint i = 0; i + 1 < p->ids->len; i++)
      if (!g_hash_table_contains (found, p->ids->pdata[i]))
        g_ptr_array_add (p->invalid, g_strdup (p->ids->pdata[i]));
  }

  p->quote = brd_pricing_quote (self->pricing, p->tmpl, (BrdLead * const *) p->leads->pdata, p->leads->len,
                                self->config->workers, max_concurrent);
  return TRUE;
}

static void
add_quote (JsonBuilder    *b,
           const BrdQuote *q)
{
  json_builder_set_member_name (b, "cost_breakdown");
  json_builder_begin_object (b);
  brd_json_add_money (b, "base_cost", q->base_cost);
  brd_json_add_money (b, "provider_costs", q->provider_costs);
  brd_json_add_money (b, "subtotal", q->subtotal);
  brd_json_add_double (b, "volume_discount_rate", q->volume_discount_rate);
  brd_json_add_money (b, "volume_discount_amount", q->volume_discount_amount);
  brd_json_add_money (b, "discounted_subtotal", q->discounted_subtotal);
  brd_json_add_money (b, "overhead_cost", q->overhead_cost);
  brd_json_add_money (b, "total_cost", q->total_cost);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "provider_breakdown");
  json_builder_begin_object (b);
  for (guint i = 0; q->providers && i < q->providers->len; i++)
    {
      const BrdProviderLine *line = g_ptr_array_index (q->providers, i);

      json_builder_set_member_name (b, line->provider);
      json_builder_begin_object (b);
      brd_json_add_int (b, "leads_processed", line->leads_processed);
      brd_json_add_money (b, "cost_per_lead", line->cost_per_lead);
      brd_json_add_money (b, "total_cost", line->total_cost);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
handle_preview (Request *req)
{
  BrdApi *self = req->api;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *warning = NULL;
  Priced p = { 0 };
  gint64 max_concurrent = 5;
  double spent, remaining, budget = self->config->daily_budget;
  gboolean within;

  if (!require_role (req, BRD_ROLE_OPERATOR))
    return;
  body = parse_object_body (req);
  if (body == NULL)
    return;
  if (field_int (req, body, "max_concurrent", 1, 20, &max_concurrent) == FIELD_INVALID)
    return;
  if (!price_request (req, body, max_concurrent, &p))
    {
      priced_clear (&p);
      return;
    }

  if (p.leads->len == 0)
    {
      reply_validation (req, "lead_ids: none of the lead ids is a known lead");
      priced_clear (&p);
      return;
    }

  spent = brd_store_spent_since (self->store, start_of_today ());
  remaining = MAX (0.0, budget - spent);
  within = p.quote->total_cost <= remaining + 1e-9;
  if (!within)
    warning = g_strdup_printf ("This batch's estimated $%.2f exceeds today's remaining budget of $%.2f"
                               " ($%.2f of $%.2f spent)", p.quote->total_cost, remaining, spent, budget);
  else if (budget > 0 && spent + p.quote->total_cost > 0.8 * budget)
    warning = g_strdup_printf ("This batch would bring today's spend to %.0f%% of the $%.2f daily budget",
                               100.0 * (spent + p.quote->total_cost) / budget, budget);

  json_builder_begin_object (b);
  brd_json_add_int (b, "lead_count", p.leads->len);
  json_builder_set_member_name (b, "valid_lead_ids");
  json_builder_begin_array (b);
  for (guint i = 0; i < p.leads->len; i++)
    json_builder_add_string_value (b, ((BrdLead *) p.leads->pdata[i])->id);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "invalid_lead_ids");
  json_builder_begin_array (b);
  for (guint i = 0; i < p.invalid->len; i++)
    json_builder_add_string_value (b, p.invalid->pdata[i]);
  json_builder_end_array (b);
  brd_json_add_string (b, "template_version", p.tmpl->version);
  brd_json_add_money (b, "estimated_cost_usd", p.quote->total_cost);
  add_quote (b, p.quote);
  brd_json_add_double (b, "estimated_duration_minutes", round (p.quote->estimated_duration_minutes * 10) / 10);
  brd_json_add_money (b, "cost_per_lead", p.quote->cost_per_lead);
  brd_json_add_bool (b, "is_within_budget", within);
  brd_json_add_string (b, "budget_warning", warning);
  brd_json_add_string (b, "accuracy_note", brd_pricing_get_accuracy_note (self->pricing));
  json_builder_set_member_name (b, "budget");
  json_builder_begin_object (b);
  brd_json_add_money (b, "daily_budget_usd", budget);
  brd_json_add_money (b, "spent_today_usd", spent);
  brd_json_add_money (b, "remaining_usd", remaining);
  json_builder_end_object (b);
  json_builder_end_object (b);

  priced_clear (&p);
  reply (req, SOUP_STATUS_OK, json_builder_get_root (b));
}

static void
handle_start (Request *req)
{
  BrdApi *self = req->api;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BrdBatch) created = NULL;
  g_autofree char *default_name = NULL;
  g_autofree char *id = NULL;
  BrdActor actor = actor_of (req);
  BrdBatch spec = { 0 };
  Priced p = { 0 };
  const char *name = NULL, *description = NULL, *created_by = NULL;
  double estimated = 0;
  gboolean approved = FALSE, retry_failed = TRUE;
  gint64 max_concurrent = 5, retry_count = 3;

  if (!require_role (req, BRD_ROLE_OPERATOR))
    return;
  body = parse_object_body (req);
  if (body == NULL)
    return;

  if (field_string (req, body, "name", 200, &name) == FIELD_INVALID ||
      field_string (req, body, "description", 2000, &description) == FIELD_INVALID ||
      field_string (req, body, "created_by", 200, &created_by) == FIELD_INVALID ||
      field_int (req, body, "max_concurrent", 1, 20, &max_concurrent) == FIELD_INVALID ||
      field_int (req, body, "retry_count", 0, 5, &retry_count) == FIELD_INVALID ||
      field_bool (req, body, "retry_failed", &retry_failed) == FIELD_INVALID)
    return;

  switch (field_number (req, body, "estimated_cost_usd", 0, 1e9, &estimated))
    {
    case FIELD_INVALID:
      return;
    case FIELD_ABSENT:
      reply_validation (req, "estimated_cost_usd: required; take it from POST /batch/preview");
      return;
    case FIELD_OK:
    default:
      break;
    }

  switch (field_bool (req, body, "cost_approved", &approved))
    {
    case FIELD_INVALID:
      return;
    case FIELD_ABSENT:
    case FIELD_OK:
    default:
      if (!approved)
        {
          reply_validation (req, "cost_approved: must be true; approve the estimated cost before starting");
          return;
        }
      break;
    }

  if (!price_request (req, body, max_concurrent, &p))
    {
      priced_clear (&p);
      return;
    }

  if (p.invalid->len > 0)
    {
      g_autofree char *list = NULL;

      g_ptr_array_add (p.invalid, NULL);
      list = g_strjoinv (", ", (char **) p.invalid->pdata);
      {
        g_autofree char *detail = g_strdup_printf ("lead_ids: no such leads: %s", list);
        reply_validation (req, detail);
      }
      priced_clear (&p);
      return;
    }

  /* The approval is for a price: refuse to start at a different one. */
  if (fabs (estimated - p.quote->total_cost) > MAX (0.01, 0.01 * p.quote->total_cost))
    {
      brd_http_reply_error (req->msg, SOUP_STATUS_CONFLICT, "ESTIMATE_MISMATCH",
                            "The approved estimate $%.4f differs from the current cost $%.4f of these leads;"
                            " preview again and approve the new total",
                            estimated, brd_http_round_money (p.quote->total_cost));
      priced_clear (&p);
      return;
    }

  if (name == NULL || *name == '\0')
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M");

      default_name = g_strdup_printf ("Batch %s UTC", stamp);
      name = default_name;
    }

  spec.name = (char *) name;
  spec.description = (char *) description;
  spec.template_version = p.tmpl->version;
  spec.estimated_cost_usd = p.quote->total_cost;
  spec.max_concurrent = max_concurrent;
  spec.retry_failed = retry_failed;
  spec.retry_count = retry_count;
  spec.created_by = (char *) (created_by ? created_by : req->who);

  id = brd_engine_create_batch (self->engine, &spec, (const char * const *) p.ids->pdata, p.ids->len - 1,
                                &actor, &error);
  priced_clear (&p);
  if (id == NULL)
    {
      reply_engine_error (req, error);
      return;
    }

  created = brd_store_get_batch (self->store, id);
  reply (req, SOUP_STATUS_CREATED, batch_json (self, created));
}

/* Analytics, leads, templates, audit ------------------------------------------ */

static void
handle_analytics (Request *req)
{
  guint days;

  if (!query_uint (req, "days", 7, 1, 90, &days))
    return;
  reply (req, SOUP_STATUS_OK, brd_store_analytics (req->api->store, days, g_get_real_time ()));
}

static void
handle_list_leads (Request *req)
{
  BrdLeadQuery query = { 0 };
  g_autofree char *search = query_value (req, "search");
  g_autofree char *source = query_value (req, "source");
  g_autofree char *industry = query_value (req, "industry");
  g_autofree char *enrichment = query_value (req, "enrichment_status");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 total = 0;

  if (!query_uint (req, "skip", 0, 0, G_MAXINT32, &query.skip) ||
      !query_uint (req, "limit", DEFAULT_LIMIT, 1, 1000, &query.limit))
    return;
  if (enrichment != NULL && br_enrichment_status_from_string (enrichment) == BR_ENRICHMENT_STATUS_UNKNOWN)
    {
      reply_validation (req, "enrichment_status: must be one of pending, partial, completed");
      return;
    }

  query.search = search;
  query.source = source;
  query.industry = industry;
  query.enrichment_status = enrichment;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "leads");
  json_builder_add_value (b, brd_store_list_leads (req->api->store, &query, &total));
  brd_json_add_int (b, "total_count", total);
  json_builder_end_object (b);

  reply (req, SOUP_STATUS_OK, json_builder_get_root (b));
}

static void
handle_import_leads (Request *req)
{
  BrdApi *self = req->api;
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BrdImportResult) result = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *detail = NULL;
  BrdActor actor = actor_of (req);
  guint n = 0;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!require_role (req, BRD_ROLE_OPERATOR))
    return;

  root = brd_json_parse (data, len, &error);
  if (root == NULL)
    {
      brd_http_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "MALFORMED_JSON", "%s", error->message);
      return;
    }

  result = brd_import_parse_json (root, &error);
  if (result == NULL)
    {
      reply_validation (req, error->message);
      return;
    }

  if (result->leads->len > 0 && !brd_store_upsert_leads (self->store, result->leads, &n, &error))
    {
      brd_http_reply_error (req->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "INTERNAL", "%s", error->message);
      return;
    }

  detail = g_strdup_printf ("%u leads imported, %u rejected", n, result->rejected->len);
  brd_store_audit (self->store, actor.actor, actor.role, "import-leads", NULL, detail, NULL);

  json_builder_begin_object (b);
  brd_json_add_int (b, "imported", n);
  json_builder_set_member_name (b, "rejected");
  json_builder_begin_array (b);
  for (guint i = 0; i < result->rejected->len; i++)
    {
      const BrdImportRejection *r = g_ptr_array_index (result->rejected, i);

      json_builder_begin_object (b);
      brd_json_add_int (b, "index", r->index);
      brd_json_add_string (b, "detail", r->detail);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  reply (req, SOUP_STATUS_OK, json_builder_get_root (b));
}

static void
handle_templates (Request *req)
{
  GPtrArray *templates = brd_pricing_get_templates (req->api->pricing);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < templates->len; i++)
    {
      const BrdTemplate *t = g_ptr_array_index (templates, i);

      json_builder_begin_object (b);
      brd_json_add_string (b, "version", t->version);
      brd_json_add_string (b, "name", t->name);
      brd_json_add_string (b, "description", t->description);
      brd_json_add_string (b, "complexity", t->complexity);
      brd_json_add_bool (b, "is_default", t->is_default);
      brd_json_add_bool (b, "available", t->available);
      brd_json_add_string (b, "unavailable_reason", t->available ? NULL : t->unavailable_reason);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  reply (req, SOUP_STATUS_OK, json_builder_get_root (b));
}

static void
handle_audit (Request *req)
{
  g_autofree char *batch_id = query_value (req, "batch_id");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint skip, limit;
  gint64 total = 0;

  if (!query_uint (req, "skip", 0, 0, G_MAXINT32, &skip) ||
      !query_uint (req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, &limit))
    return;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "entries");
  json_builder_add_value (b, brd_store_list_audit (req->api->store, batch_id, skip, limit, &total));
  brd_json_add_int (b, "total_count", total);
  json_builder_end_object (b);

  reply (req, SOUP_STATUS_OK, json_builder_get_root (b));
}

/* Prometheus text exposition format, version 0.0.4. */
static void
handle_metrics (Request *req)
{
  BrdApi *self = req->api;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonNode) counts = brd_store_status_counts (self->store);
  JsonObject *obj = json_node_get_object (counts);
  g_autoptr(GList) members = json_object_get_members (obj);
  guint64 failed = 0, done = brd_engine_get_leads_done (self->engine, &failed);
  guint64 cumulative = 0;
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, "# HELP batch_runner_batches Batches by status.\n# TYPE batch_runner_batches gauge\n");
  for (GList *l = members; l; l = l->next)
    g_string_append_printf (out, "batch_runner_batches{status=\"%s\"} %" G_GINT64_FORMAT "\n",
                            (char *) l->data, json_object_get_int_member (obj, l->data));

  g_string_append_printf (out,
                          "# HELP batch_runner_leads_processed_total Leads finished since the service started.\n"
                          "# TYPE batch_runner_leads_processed_total counter\n"
                          "batch_runner_leads_processed_total %" G_GUINT64_FORMAT "\n"
                          "# HELP batch_runner_leads_failed_total Leads that failed for good since the service started.\n"
                          "# TYPE batch_runner_leads_failed_total counter\n"
                          "batch_runner_leads_failed_total %" G_GUINT64_FORMAT "\n",
                          done, failed);
  g_string_append_printf (out,
                          "# HELP batch_runner_spent_today_usd Cost of leads finished today (UTC).\n"
                          "# TYPE batch_runner_spent_today_usd gauge\n"
                          "batch_runner_spent_today_usd %s\n",
                          g_ascii_dtostr (num, sizeof num, brd_http_round_money (brd_store_spent_since (self->store, start_of_today ()))));
  g_string_append_printf (out,
                          "# HELP batch_runner_daily_budget_usd The daily budget.\n"
                          "# TYPE batch_runner_daily_budget_usd gauge\n"
                          "batch_runner_daily_budget_usd %s\n",
                          g_ascii_dtostr (num, sizeof num, self->config->daily_budget));
  g_string_append_printf (out,
                          "# HELP batch_runner_queue_depth Leads waiting to start in pending and running batches.\n"
                          "# TYPE batch_runner_queue_depth gauge\n"
                          "batch_runner_queue_depth %" G_GINT64_FORMAT "\n"
                          "# HELP batch_runner_workers_busy Leads being processed now.\n"
                          "# TYPE batch_runner_workers_busy gauge\n"
                          "batch_runner_workers_busy %u\n"
                          "# HELP batch_runner_workers_total The worker limit.\n"
                          "# TYPE batch_runner_workers_total gauge\n"
                          "batch_runner_workers_total %u\n"
                          "# HELP batch_runner_websocket_clients Open WebSocket connections.\n"
                          "# TYPE batch_runner_websocket_clients gauge\n"
                          "batch_runner_websocket_clients %u\n"
                          "# HELP batch_runner_event_seq The last event sequence number.\n"
                          "# TYPE batch_runner_event_seq counter\n"
                          "batch_runner_event_seq %" G_GINT64_FORMAT "\n",
                          brd_engine_get_queue_depth (self->engine),
                          brd_engine_get_busy (self->engine),
                          brd_engine_get_workers (self->engine),
                          brd_events_get_n_clients (self->events),
                          brd_events_get_seq (self->events));

  g_string_append (out, "# HELP batch_runner_http_request_duration_seconds Time to handle an HTTP request.\n"
                        "# TYPE batch_runner_http_request_duration_seconds histogram\n");
  for (guint i = 0; i < G_N_ELEMENTS (duration_buckets); i++)
    {
      cumulative += self->duration_counts[i];
      g_string_append_printf (out, "batch_runner_http_request_duration_seconds_bucket{le=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              g_ascii_dtostr (num, sizeof num, duration_buckets[i]), cumulative);
    }
  g_string_append_printf (out, "batch_runner_http_request_duration_seconds_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n",
                          self->n_requests);
  g_string_append_printf (out, "batch_runner_http_request_duration_seconds_sum %s\n",
                          g_ascii_dtostr (num, sizeof num, self->duration_sum));
  g_string_append_printf (out, "batch_runner_http_request_duration_seconds_count %" G_GUINT64_FORMAT "\n",
                          self->n_requests);

  soup_server_message_set_status (req->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (req->msg, "text/plain; version=0.0.4; charset=utf-8", SOUP_MEMORY_COPY,
                                    out->str, out->len);
}

/* Routing -------------------------------------------------------------------- */

static gboolean
method_is (Request    *req,
           const char *allowed)
{
  if (g_str_equal (req->method, allowed))
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Allow", allowed);
  brd_http_reply_error (req->msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                        "%s %s is not supported; use %s", req->method, req->path, allowed);
  return FALSE;
}

static gboolean
is_websocket_request (Request *req)
{
  const char *upgrade = soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg), "Upgrade");

  return upgrade != NULL && g_ascii_strcasecmp (upgrade, "websocket") == 0;
}

/* The endpoints API.md marks ext, by the path below the base. */
static gboolean
is_ext_endpoint (const char * const *parts,
                 guint               n)
{
  static const char * const ext_top[] = { "events", "leads", "templates", "audit", NULL };
  static const char * const ext_batch[] = { "pause", "resume", "retry", "leads", NULL };

  if (n == 1)
    return g_strv_contains (ext_top, parts[0]);
  if (n == 2 && g_str_equal (parts[0], "batch"))
    /* GET /batch/{id} is ext; preview, start and analytics are not. */
    return !g_str_equal (parts[1], "preview") && !g_str_equal (parts[1], "start") &&
           !g_str_equal (parts[1], "analytics");
  if (n == 3 && g_str_equal (parts[0], "batch"))
    return g_strv_contains (ext_batch, parts[2]);
  return FALSE;
}

static void
route (Request *req)
{
  g_auto(GStrv) parts = NULL;
  guint n;

  if (!require_role (req, BRD_ROLE_VIEWER))
    return;

  if (g_str_equal (req->path, "/metrics") && !req->api->base_only)
    {
      if (method_is (req, "GET"))
        handle_metrics (req);
      return;
    }

  if (!g_str_has_prefix (req->path, req->api->base) || req->path[strlen (req->api->base)] != '/')
    goto not_found;

  parts = g_strsplit (req->path + strlen (req->api->base) + 1, "/", -1);
  n = g_strv_length (parts);

  /* --compat=base answers like the FastAPI service: the ext endpoints
   * (API.md) do not exist. */
  if (req->api->base_only && is_ext_endpoint ((const char * const *) parts, n))
    goto not_found;

  if (n == 1 && g_str_equal (parts[0], "health"))
    {
      if (method_is (req, "GET"))
        handle_health (req);
    }
  else if (n == 1 && g_str_equal (parts[0], "events"))
    {
      /* Leaving the status unset lets libsoup complete the upgrade. */
      if (!is_websocket_request (req))
        brd_http_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "WEBSOCKET_REQUIRED",
                              "/events is a WebSocket; connect with an Upgrade: websocket request");
    }
  else if (n == 1 && g_str_equal (parts[0], "batch"))
    {
      if (method_is (req, "GET"))
        handle_list_batches (req);
    }
  else if (n == 2 && g_str_equal (parts[0], "batch") && g_str_equal (parts[1], "preview"))
    {
      if (method_is (req, "POST"))
        handle_preview (req);
    }
  else if (n == 2 && g_str_equal (parts[0], "batch") && g_str_equal (parts[1], "start"))
    {
      if (method_is (req, "POST"))
        handle_start (req);
    }
  else if (n == 2 && g_str_equal (parts[0], "batch") && g_str_equal (parts[1], "analytics"))
    {
      if (method_is (req, "GET"))
        handle_analytics (req);
    }
  else if (n == 2 && g_str_equal (parts[0], "batch"))
    {
      if (method_is (req, "GET"))
        handle_get_batch (req, parts[1]);
    }
  else if (n == 3 && g_str_equal (parts[0], "batch"))
    {
      const char *id = parts[1];
      const char *what = parts[2];

      if (g_str_equal (what, "status"))
        {
          if (method_is (req, "GET"))
            handle_batch_status (req, id);
        }
      else if (g_str_equal (what, "leads"))
        {
          if (method_is (req, "GET"))
            handle_batch_leads (req, id);
        }
      else if (g_str_equal (what, "cancel") || g_str_equal (what, "pause") || g_str_equal (what, "resume"))
        {
          if (method_is (req, "POST"))
            handle_control (req, id, what);
        }
      else if (g_str_equal (what, "retry"))
        {
          if (method_is (req, "POST"))
            handle_retry (req, id);
        }
      else if (g_str_equal (what, "progress"))
        {
          g_autoptr(BrdBatch) batch = brd_store_get_batch (req->api->store, id);

          if (batch == NULL)
            brd_http_reply_error (req->msg, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", "No batch with id %s", id);
          else if (!is_websocket_request (req))
            brd_http_reply_error (req->msg, SOUP_STATUS_BAD_REQUEST, "WEBSOCKET_REQUIRED",
                                  "/progress is a WebSocket; connect with an Upgrade: websocket request");
        }
      else
        goto not_found;
    }
  else if (n == 1 && g_str_equal (parts[0], "leads"))
    {
      if (g_str_equal (req->method, "POST"))
        handle_import_leads (req);
      else if (g_str_equal (req->method, "GET"))
        handle_list_leads (req);
      else
        method_is (req, "GET, POST");
    }
  else if (n == 1 && g_str_equal (parts[0], "templates"))
    {
      if (method_is (req, "GET"))
        handle_templates (req);
    }
  else if (n == 1 && g_str_equal (parts[0], "audit"))
    {
      if (method_is (req, "GET"))
        handle_audit (req);
    }
  else
    goto not_found;

  return;

not_found:
  brd_http_reply_error (req->msg, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", "No such endpoint: %s %s",
                        req->method, req->path);
}

static void
api_handler (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  BrdApi *self = user_data;
  Request req = { 0 };
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  req.api = self;
  req.msg = msg;
  req.method = soup_server_message_get_method (msg);
  req.path = path;
  req.query = g_uri_get_query (soup_server_message_get_uri (msg));
  req.role = authenticate (self, msg, &req.who);

  if (body->length > self->config->max_body_bytes)
    {
      brd_http_reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "BODY_TOO_LARGE",
                            "The body has %" G_GINT64_FORMAT " bytes; the limit is %" G_GINT64_FORMAT,
                            body->length, self->config->max_body_bytes);
      return;
    }

  route (&req);
}

/* A body a little over the limit is read and answered 413 (closing on a
 * client still sending would only show it a broken pipe). One far over
 * it is refused from its Content-Length before reading; a chunked body is
 * cut off once it passes that bound. */
#define HARD_BODY_LIMIT(self) MAX ((self)->config->max_body_bytes * 8, (gint64) 8 * 1024 * 1024)

static void
early_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  BrdApi *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset length = soup_message_headers_get_content_length (headers);

  if (length > HARD_BODY_LIMIT (self))
    {
      brd_http_reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "BODY_TOO_LARGE",
                            "The body has %" G_GOFFSET_FORMAT " bytes; the limit is %" G_GINT64_FORMAT,
                            length, self->config->max_body_bytes);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
    }
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  BrdApi *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (body->length > HARD_BODY_LIMIT (self))
    {
      GSocket *socket = soup_server_message_get_socket (msg);

      g_signal_handlers_disconnect_by_func (msg, got_chunk_cb, user_data);
      if (socket != NULL)
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
    }
}

static void
websocket_handler (SoupServer              *server,
                   SoupServerMessage       *msg,
                   const char              *path,
                   SoupWebsocketConnection *conn,
                   gpointer                 user_data)
{
  BrdApi *self = user_data;
  g_auto(GStrv) parts = NULL;

  if (!g_str_has_prefix (path, self->base) || path[strlen (self->base)] != '/')
    {
      soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "Unknown WebSocket");
      return;
    }
  parts = g_strsplit (path + strlen (self->base) + 1, "/", -1);

  if (g_strv_length (parts) == 1 && g_str_equal (parts[0], "events") && !self->base_only)
    {
      brd_events_add_feed_client (self->events, conn);
      return;
    }
  if (g_strv_length (parts) == 3 && g_str_equal (parts[0], "batch") && g_str_equal (parts[2], "progress"))
    brd_events_add_progress_client (self->events, conn, parts[1]);
  else
    soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "Unknown WebSocket");
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  gint64 *start = g_new (gint64, 1);

  *start = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), "brd-start", start, g_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), user_data);
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  BrdApi *self = user_data;
  gint64 *start = g_object_get_data (G_OBJECT (msg), "brd-start");
  double seconds;
  guint i;

  if (start == NULL)
    return;

  seconds = (g_get_monotonic_time () - *start) / 1e6;
  for (i = 0; i < G_N_ELEMENTS (duration_buckets) && seconds > duration_buckets[i]; i++)
    ;
  self->duration_counts[i]++;
  self->duration_sum += seconds;
  self->n_requests++;
}

BrdApi *
brd_api_new (BrdConfig  *config,
             SoupServer *server,
             BrdStore   *store,
             BrdEngine  *engine,
             BrdEvents  *events,
             BrdPricing *pricing)
{
  BrdApi *self = g_new0 (BrdApi, 1);

  self->config = config;
  self->server = g_object_ref (server);
  self->store = store;
  self->engine = engine;
  self->events = events;
  self->pricing = pricing;
  self->base_only = brd_config_is_base_profile (config);
  self->base = self->base_only ? API_BASE_COMPAT : API_BASE_FULL;
  brd_json_set_profile (self->base, self->base_only);

  soup_server_add_early_handler (server, NULL, early_handler, self, NULL);
  soup_server_add_handler (server, NULL, api_handler, self, NULL);
  soup_server_add_websocket_handler (server, NULL, NULL, NULL, websocket_handler, self, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (request_finished_cb), self);

  return self;
}

void
brd_api_free (BrdApi *self)
{
  if (self == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->server, self);
  soup_server_remove_handler (self->server, NULL);
  g_clear_object (&self->server);
  g_free (self);
}
