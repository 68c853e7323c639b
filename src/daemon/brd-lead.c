/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-lead"

#include "config.h"

#include "brd-http.h"
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

static void
add_nullable (JsonBuilder *b,
              const char  *name,
              const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
brd_lead_to_json (const BrdLead *lead)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *created = brd_http_format_time (lead->created_at);

  json_builder_begin_object (b);
  add_nullable (b, "id", lead->id);
  add_nullable (b, "company_name", lead->company_name);
  add_nullable (b, "domain", lead->domain);
  add_nullable (b, "email", lead->email);
  add_nullable (b, "contact_name", lead->contact_name);
  add_nullable (b, "source", lead->source);
  add_nullable (b, "industry", lead->industry);
  add_nullable (b, "enrichment_status", lead->enrichment_status);
  add_nullable (b, "created_at", created);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}
