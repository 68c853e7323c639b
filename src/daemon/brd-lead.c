/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-lead"

#include "config.h"

#include "brd-http.h"
#include "brd-json.h"
#include "brd-lead.h"

BrdLead *
brd_lead_new (void)
{
  return g_new0 (BrdLead, 1);
}

BrdLead *
brd_lead_copy (const BrdLead *lead)
{
  BrdLead *copy = g_new0 (BrdLead, 1);

  copy->id = g_strdup (lead->id);
  copy->company_name = g_strdup (lead->company_name);
  copy->domain = g_strdup (lead->domain);
  copy->email = g_strdup (lead->email);
  copy->contact_name = g_strdup (lead->contact_name);
  copy->source = g_strdup (lead->source);
  copy->industry = g_strdup (lead->industry);
  copy->enrichment_status = g_strdup (lead->enrichment_status);
  copy->created_at = lead->created_at;

  return copy;
}

void
brd_lead_free (BrdLead *lead)
{
  if (lead == NULL)
    return;

  g_free (lead->id);
  g_free (lead->company_name);
  g_free (lead->domain);
  g_free (lead->email);
  g_free (lead->contact_name);
  g_free (lead->source);
  g_free (lead->industry);
  g_free (lead->enrichment_status);
  g_free (lead);
}

JsonNode *
brd_lead_to_json (const BrdLead *lead)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *created = brd_http_format_time (lead->created_at);

  json_builder_begin_object (b);
  brd_json_add_string (b, "id", lead->id);
  brd_json_add_string (b, "company_name", lead->company_name);
  brd_json_add_string (b, "domain", lead->domain);
  brd_json_add_string (b, "email", lead->email);
  brd_json_add_string (b, "contact_name", lead->contact_name);
  brd_json_add_string (b, "source", lead->source);
  brd_json_add_string (b, "industry", lead->industry);
  brd_json_add_string (b, "enrichment_status", lead->enrichment_status);
  brd_json_add_string (b, "created_at", created);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}
