/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "brd-lead.h"

G_BEGIN_DECLS

/* The rate card, the template catalogue and the arithmetic of cost.
 * One rule prices both the preview and what processing actually costs,
 * so the two cannot drift apart. */

typedef struct
{
  char     *version;            /* "v1" */
  char     *name;
  char     *description;
  char     *complexity;         /* key into the rate card's base costs */
  gboolean  is_default;
  gboolean  available;
  char     *unavailable_reason; /* when !available */
} BrdTemplate;

typedef struct
{
  char   *provider;
  guint   leads_processed;
  double  cost_per_lead;
  double  total_cost;
} BrdProviderLine;

typedef struct
{
  guint      lead_count;
  double     base_cost;
  double     provider_costs;
  double     subtotal;
  double     volume_discount_rate;      /* 0.0 .. 1.0 */
  double     volume_discount_amount;
  double     discounted_subtotal;
  double     overhead_cost;
  double     total_cost;
  double     cost_per_lead;
  double     estimated_duration_minutes;
  GPtrArray *providers;                 /* BrdProviderLine, sorted by provider name */
} BrdQuote;

typedef struct _BrdPricing BrdPricing;

#define BRD_PRICING_ERROR (brd_pricing_error_quark ())

typedef enum
{
  BRD_PRICING_ERROR_INVALID_RATE_CARD,  /* unreadable, not JSON, or a key fails validation */
  BRD_PRICING_ERROR_INVALID_TEMPLATES,  /* the template catalogue fails validation */
} BrdPricingError;

GQuark             brd_pricing_error_quark         (void);

/* @rate_card_path: NULL for the shipped card (compiled in as a GResource). */
BrdPricing        *brd_pricing_new                 (const char        *rate_card_path,
                                                    GError           **error);
/* The same from a rate card already in memory (tests, benchmarks);
 * @length may be -1 for a NUL-terminated string. */
BrdPricing        *brd_pricing_new_from_data       (const char        *rate_card_json,
                                                    gssize             length,
                                                    GError           **error);
void               brd_pricing_free                (BrdPricing        *self);

/* Templates, in catalogue order; the default one is "v1". */
GPtrArray         *brd_pricing_get_templates       (BrdPricing        *self); /* BrdTemplate, transfer none */
const BrdTemplate *brd_pricing_find_template       (BrdPricing        *self,
                                                    const char        *version);
const BrdTemplate *brd_pricing_get_default_template(BrdPricing        *self);

/* Providers a lead needs: what its enrichment status and fields lack.
 * Returns a NULL-terminated array of provider names (transfer full). */
GStrv              brd_pricing_providers_for_lead  (BrdPricing        *self,
                                                    const BrdLead     *lead);

/* Requests per minute allowed at @provider (0 = unlimited). */
guint              brd_pricing_get_provider_rpm    (BrdPricing        *self,
                                                    const char        *provider);

/* The preview of processing @leads with @tmpl in one batch, on a service
 * with @workers workers and the batch's @max_concurrent. */
BrdQuote          *brd_pricing_quote               (BrdPricing        *self,
                                                    const BrdTemplate *tmpl,
                                                    BrdLead * const   *leads,
                                                    guint              n_leads,
                                                    guint              workers,
                                                    guint              max_concurrent);
void               brd_quote_free                  (BrdQuote          *quote);

/* The expected cost of one lead processed in a batch of @batch_size leads
 * (the volume discount of that size applies, overhead is shared per lead).
 * Fills @breakdown (provider → USD, plus "base" and "overhead") if given.
 * Summed over a batch's leads this equals the quote's total_cost. */
double             brd_pricing_lead_cost           (BrdPricing        *self,
                                                    const BrdTemplate *tmpl,
                                                    const BrdLead     *lead,
                                                    guint              batch_size,
                                                    JsonObject        *breakdown);

/* A sentence on how close the preview is to actual costs, for `accuracy_note`. */
const char        *brd_pricing_get_accuracy_note   (BrdPricing        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrdQuote, brd_quote_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrdPricing, brd_pricing_free)

G_END_DECLS
