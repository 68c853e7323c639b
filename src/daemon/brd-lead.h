/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A lead as the service stores it (API.md, "Lead"). Plain data: it crosses
 * threads (processors) and is copied, never shared mutable. */
typedef struct
{
  char   *id;
  char   *company_name;
  char   *domain;
  char   *email;
  char   *contact_name;
  char   *source;
  char   *industry;
  char   *enrichment_status;   /* pending | partial | completed */
  gint64  created_at;          /* unix µs */
} BrdLead;

BrdLead  *brd_lead_new     (void);
BrdLead  *brd_lead_copy    (const BrdLead *lead);
void      brd_lead_free    (BrdLead       *lead);
JsonNode *brd_lead_to_json (const BrdLead *lead);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrdLead, brd_lead_free)

G_END_DECLS
