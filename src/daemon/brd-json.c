/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-json"

#include "config.h"

#include <math.h>
#include <string.h>

#include "brd-http.h"
#include "br-object-private.h"
#include "brd-json.h"

/* json-glib's default nesting limit is far above what our messages need;
 * a hostile client must not make us recurse without bound. */

void
brd_json_add_string (JsonBuilder *b,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
brd_json_add_time (JsonBuilder *b,
                   const char  *name,
                   gint64       unix_usec)
{
  json_builder_set_member_name (b, name);
  if (unix_usec > 0)
    {
      g_autofree char *text = brd_http_format_time (unix_usec);
      json_builder_add_string_value (b, text);
    }
  else
    json_builder_add_null_value (b);
}

void
brd_json_add_int (JsonBuilder *b,
                  const char  *name,
                  gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

void
brd_json_add_double (JsonBuilder *b,
                     const char  *name,
                     double       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, value);
}

void
brd_json_add_money (JsonBuilder *b,
                    const char  *name,
                    double       usd)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, brd_http_round_money (usd));
}

void
brd_json_add_bool (JsonBuilder *b,
                   const char  *name,
                   gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

double
brd_batch_progress (const BrdBatch *batch)
{
  /* Processed (completed + failed) over total, as the FastAPI service
   * counts it. Skipped leads are not progress: a batch cancelled after 2
   * of 60 leads reads 3 %, next to "2 / 60" and the status Cancelled, not
   * a full bar. */
  if (batch->total_leads <= 0)
    return 0;
  return round (1000.0 * batch->processed_leads / batch->total_leads) / 10.0;
}

/* The average rate since the batch started: leads done per second. */
double
brd_batch_rate (const BrdBatch *batch,
                gint64          now)
{
  gint64 end = batch->completed_at > 0 ? batch->completed_at : now;
  double seconds;

  if (batch->started_at <= 0 || end <= batch->started_at)
    return 0;
  seconds = (end - batch->started_at) / 1e6;
  return round (100.0 * batch->processed_leads / MAX (seconds, 0.001)) / 100.0;
}

static const char *api_base = "/api/v1";
static gboolean base_fields_only;

void
brd_json_set_profile (const char *base,
                      gboolean    base_only)
{
  api_base = g_intern_string (base);
  base_fields_only = base_only;
}

const char *
brd_json_get_api_base (void)
{
  return api_base;
}

JsonNode *
brd_batch_to_json (const BrdBatch *batch,
                   gint64          seq,
                   gint64          now)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *ws = g_strdup_printf ("%s/batch/%s/progress", api_base, batch->id);
  gboolean terminal = g_str_equal (batch->status, "completed") ||
                      g_str_equal (batch->status, "failed") ||
                      g_str_equal (batch->status, "cancelled");
  double rate = brd_batch_rate (batch, now);
  int remaining = batch->pending_leads + batch->processing_leads;

  json_builder_begin_object (b);
  brd_json_add_string (b, "id", batch->id);
  brd_json_add_string (b, "name", batch->name);
  brd_json_add_string (b, "description", batch->description);
  brd_json_add_string (b, "status", batch->status);
  brd_json_add_int (b, "total_leads", batch->total_leads);
  brd_json_add_int (b, "processed_leads", batch->processed_leads);
  brd_json_add_int (b, "successful_leads", batch->successful_leads);
  brd_json_add_int (b, "failed_leads", batch->failed_leads);
  brd_json_add_double (b, "progress_percentage", brd_batch_progress (batch));
  brd_json_add_money (b, "estimated_cost_usd", batch->estimated_cost_usd);
  brd_json_add_money (b, "actual_cost_usd", batch->actual_cost_usd);
  brd_json_add_string (b, "template_version", batch->template_version);
  brd_json_add_string (b, "websocket_url", ws);
  brd_json_add_time (b, "created_at", batch->created_at);
  brd_json_add_time (b, "started_at", batch->started_at);
  brd_json_add_time (b, "completed_at", batch->completed_at);
  brd_json_add_string (b, "created_by", batch->created_by);
  brd_json_add_string (b, "error_message", batch->error_message);
  if (base_fields_only)
    {
      /* The FastAPI service's Batch ends here: clients must cope. */
      json_builder_end_object (b);
      return json_builder_get_root (b);
    }
  brd_json_add_int (b, "skipped_leads", batch->skipped_leads);
  brd_json_add_int (b, "max_concurrent", batch->max_concurrent);
  brd_json_add_bool (b, "retry_failed", batch->retry_failed);
  brd_json_add_int (b, "retry_count", batch->retry_count);
  brd_json_add_string (b, "current_lead_id",
                       batch->processing_leads > 0 ? batch->current_lead_id : NULL);
  brd_json_add_double (b, "processing_rate_per_second", rate);
  json_builder_set_member_name (b, "estimated_remaining_seconds");
  if (terminal)
    json_builder_add_int_value (b, 0);
  else if (rate > 0)
    json_builder_add_int_value (b, (gint64) ceil (remaining / rate));
  else
    json_builder_add_null_value (b);
  brd_json_add_time (b, "updated_at", batch->updated_at);
  brd_json_add_int (b, "seq", seq);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

JsonNode *
brd_lead_result_to_json (const BrdLeadResult *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  brd_json_add_string (b, "lead_id", r->lead_id);
  brd_json_add_string (b, "status", r->status);
  brd_json_add_string (b, "report_url", r->report_url);
  brd_json_add_money (b, "actual_cost_usd", r->actual_cost_usd);
  json_builder_set_member_name (b, "cost_breakdown");
  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    if (r->cost_breakdown != NULL &&
        json_parser_load_from_data (parser, r->cost_breakdown, -1, NULL) &&
        JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
      json_builder_add_value (b, json_node_copy (json_parser_get_root (parser)));
    else
      {
        json_builder_begin_object (b);
        json_builder_end_object (b);
      }
  }
  json_builder_set_member_name (b, "processing_duration_ms");
  if (r->processing_duration_ms >= 0)
    json_builder_add_int_value (b, r->processing_duration_ms);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "quality_score");
  if (r->quality_score >= 0)
    json_builder_add_double_value (b, round (r->quality_score * 1000) / 1000);
  else
    json_builder_add_null_value (b);
  brd_json_add_string (b, "error_code", r->error_code);
  brd_json_add_string (b, "error_message", r->error_message);
  brd_json_add_int (b, "retry_count", r->retry_count);
  brd_json_add_int (b, "attempts", r->attempts);
  brd_json_add_time (b, "started_at", r->started_at);
  brd_json_add_time (b, "completed_at", r->completed_at);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

char *
brd_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

/* Parses a client's JSON with the library's rules (strict RFC 8259,
 * bounded nesting, UTF-8), reporting in json-glib's domain so the API
 * answers 400 MALFORMED_JSON with the reason. */
JsonNode *
brd_json_parse (const char  *data,
                gsize        len,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *node = _br_json_parse_untrusted (data, len, &local_error);

  if (node == NULL)
    g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, "%s", local_error->message);
  return node;
}
