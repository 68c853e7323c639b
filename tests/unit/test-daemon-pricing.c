/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "brd-http.h"
#include "brd-import.h"
#include "brd-pricing.h"

/* Money is compared to far below the 4 decimals the API rounds to. */
#define assert_money(a, b) g_assert_cmpfloat_with_epsilon ((a), (b), 1e-9)

static char *
source_path (const char *relative)
{
  const char *root = g_getenv ("BR_SOURCE_ROOT");

  if (root == NULL)
    root = SOURCE_DATADIR "/..";
  return g_build_filename (root, relative, NULL);
}

static BrdLead *
make_lead (const char *status,
           const char *email)
{
  BrdLead *lead = brd_lead_new ();

  lead->id = g_uuid_string_random ();
  lead->company_name = g_strdup ("Northwind Robotics");
  lead->domain = g_strdup ("northwind-robotics.example");
  lead->email = g_strdup (email);
  lead->enrichment_status = g_strdup (status);
  return lead;
}

static GPtrArray *
make_leads (guint       n,
            const char *status,
            const char *email)
{
  GPtrArray *leads = g_ptr_array_new_with_free_func ((GDestroyNotify) brd_lead_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (leads, make_lead (status, email));
  return leads;
}

static BrdPricing *
shipped (void)
{
  g_autoptr(GError) error = NULL;
  BrdPricing *pricing = brd_pricing_new (NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (pricing);
  return pricing;
}

static void
assert_strv (GStrv              actual,
             const char * const *expected)
{
  g_autofree char *a = g_strjoinv (",", actual);
  g_autofree char *e = g_strjoinv (",", (char **) expected);

  g_assert_cmpstr (a, ==, e);
}

/* Templates ------------------------------------------------------------------ */

static void
test_templates (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();
  GPtrArray *templates = brd_pricing_get_templates (pricing);
  const char *order[] = { "v1", "v2", "v0", "v3-beta" };
  const char *complexity[] = { "standard", "detailed", "basic", "premium" };
  const BrdTemplate *t;

  g_assert_cmpuint (templates->len, ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < templates->len; i++)
    {
      t = g_ptr_array_index (templates, i);
      g_assert_cmpstr (t->version, ==, order[i]);
      g_assert_cmpstr (t->complexity, ==, complexity[i]);
      g_assert_nonnull (t->name);
      g_assert_nonnull (t->description);
      g_assert_true (t->is_default == (i == 0));
    }

  t = brd_pricing_get_default_template (pricing);
  g_assert_cmpstr (t->version, ==, "v1");
  g_assert_cmpstr (t->name, ==, "Standard assessment");
  g_assert_true (t->available);
  g_assert_true (brd_pricing_find_template (pricing, "v1") == t);

  t = brd_pricing_find_template (pricing, "v3-beta");
  g_assert_nonnull (t);
  g_assert_false (t->available);
  g_assert_cmpstr (t->unavailable_reason, ==, "In private beta; not enabled on this service");

  g_assert_true (brd_pricing_find_template (pricing, "v2")->available);
  g_assert_true (brd_pricing_find_template (pricing, "v0")->available);
  g_assert_null (brd_pricing_find_template (pricing, "v9"));
  g_assert_null (brd_pricing_find_template (pricing, NULL));

  g_assert_nonnull (strstr (brd_pricing_get_accuracy_note (pricing), "±4%"));
}

/* Providers ------------------------------------------------------------------- */

static void
test_providers_for_lead (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();
  static const struct {
    const char *status;
    const char *email;
    const char *expected[6];
  } cases[] = {
    { "pending", "ada@northwind-robotics.example",
      { "company_enrichment", "contact_verification", "llm_report", "technographics", "web_analysis", NULL } },
    { "pending", NULL, { "company_enrichment", "llm_report", "technographics", "web_analysis", NULL } },
    { "pending", "", { "company_enrichment", "llm_report", "technographics", "web_analysis", NULL } },
    { "partial", "ada@northwind-robotics.example",
      { "contact_verification", "llm_report", "technographics", "web_analysis", NULL } },
    { "partial", NULL, { "llm_report", "technographics", "web_analysis", NULL } },
    { "completed", "ada@northwind-robotics.example", { "llm_report", "web_analysis", NULL } },
    { "completed", NULL, { "llm_report", "web_analysis", NULL } },
    /* Unknown or missing status is priced as pending, the dearer case. */
    { NULL, "ada@northwind-robotics.example",
      { "company_enrichment", "contact_verification", "llm_report", "technographics", "web_analysis", NULL } },
    { "bogus", NULL, { "company_enrichment", "llm_report", "technographics", "web_analysis", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BrdLead) lead = make_lead (cases[i].status, cases[i].email);
      g_auto(GStrv) providers = brd_pricing_providers_for_lead (pricing, lead);

      assert_strv (providers, cases[i].expected);
    }
}

static void
test_provider_rpm (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();

  g_assert_cmpuint (brd_pricing_get_provider_rpm (pricing, "company_enrichment"), ==, 600);
  g_assert_cmpuint (brd_pricing_get_provider_rpm (pricing, "contact_verification"), ==, 1200);
  g_assert_cmpuint (brd_pricing_get_provider_rpm (pricing, "technographics"), ==, 300);
  g_assert_cmpuint (brd_pricing_get_provider_rpm (pricing, "web_analysis"), ==, 600);
  g_assert_cmpuint (brd_pricing_get_provider_rpm (pricing, "llm_report"), ==, 900);
  g_assert_cmpuint (brd_pricing_get_provider_rpm (pricing, "no_such_provider"), ==, 0);
  g_assert_cmpuint (brd_pricing_get_provider_rpm (pricing, NULL), ==, 0);
}

/* Quotes ---------------------------------------------------------------------- */

static void
test_quote_one_lead (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();
  g_autoptr(BrdLead) lead = make_lead ("pending", "ada@northwind-robotics.example");
  const BrdTemplate *tmpl = brd_pricing_find_template (pricing, "v1");
  g_autoptr(BrdQuote) q = brd_pricing_quote (pricing, tmpl, &lead, 1, 4, 5);
  static const struct {
    const char *provider;
    double price;
  } lines[] = {
    { "company_enrichment", 0.04 },
    { "contact_verification", 0.02 },
    { "llm_report", 0.10 },
    { "technographics", 0.06 },
    { "web_analysis", 0.03 },
  };

  /* base 0.12 + providers 0.25 = 0.37; no discount below 100 leads;
   * overhead 0.01 + 3% of 0.37 = 0.0211; total 0.3911. */
  g_assert_cmpuint (q->lead_count, ==, 1);
  assert_money (q->base_cost, 0.12);
  assert_money (q->provider_costs, 0.25);
  assert_money (q->subtotal, 0.37);
  assert_money (q->volume_discount_rate, 0.0);
  assert_money (q->volume_discount_amount, 0.0);
  assert_money (q->discounted_subtotal, 0.37);
  assert_money (q->overhead_cost, 0.0211);
  assert_money (q->total_cost, 0.3911);
  assert_money (q->cost_per_lead, 0.3911);
  /* ceil (lead_count / min (workers, max_concurrent)) waves × seconds_per_lead:
   * one lead on four workers is one wave of 4 s. */
  g_assert_cmpfloat_with_epsilon (q->estimated_duration_minutes, 4.0 / 60.0, 1e-9);

  g_assert_cmpuint (q->providers->len, ==, G_N_ELEMENTS (lines));
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      const BrdProviderLine *line = g_ptr_array_index (q->providers, i);

      g_assert_cmpstr (line->provider, ==, lines[i].provider);
      g_assert_cmpuint (line->leads_processed, ==, 1);
      assert_money (line->cost_per_lead, lines[i].price);
      assert_money (line->total_cost, lines[i].price);
    }
}

static void
test_quote_empty (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();
  g_autoptr(BrdQuote) q = brd_pricing_quote (pricing, brd_pricing_get_default_template (pricing), NULL, 0, 4, 5);

  g_assert_cmpuint (q->lead_count, ==, 0);
  assert_money (q->total_cost, 0.0);
  assert_money (q->cost_per_lead, 0.0);
  g_assert_cmpuint (q->providers->len, ==, 0);
}

static void
test_quote_tiers (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();
  const BrdTemplate *basic = brd_pricing_find_template (pricing, "v0");
  /* Completed leads with the basic template: 0.05 + web_analysis 0.03 +
   * llm_report 0.10 = 0.18 a lead, worked by hand. */
  static const struct {
    guint  n;
    double rate;
    double subtotal;
    double discounted;
    double overhead;
    double total;
  } cases[] = {
    {   99, 0.00,  17.82,  17.82,  0.99 + 0.5346,  19.3446 },
    {  100, 0.05,  18.00,  17.10,  1.00 + 0.5130,  18.6130 },
    {  499, 0.05,  89.82,  85.329, 4.99 + 2.55987, 92.87887 },
    {  500, 0.10,  90.00,  81.00,  5.00 + 2.4300,  88.4300 },
    {  999, 0.10, 179.82, 161.838, 9.99 + 4.85514, 176.68314 },
    { 1000, 0.15, 180.00, 153.00, 10.00 + 4.5900, 167.5900 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) leads = make_leads (cases[i].n, "completed", "ada@northwind-robotics.example");
      g_autoptr(BrdQuote) q = brd_pricing_quote (pricing, basic, (BrdLead * const *) leads->pdata, leads->len, 8, 5);
      const BrdProviderLine *line;

      g_test_message ("%u leads", cases[i].n);
      assert_money (q->base_cost, 0.05 * cases[i].n);
      assert_money (q->provider_costs, 0.13 * cases[i].n);
      assert_money (q->subtotal, cases[i].subtotal);
      assert_money (q->volume_discount_rate, cases[i].rate);
      assert_money (q->volume_discount_amount, cases[i].subtotal - cases[i].discounted);
      assert_money (q->discounted_subtotal, cases[i].discounted);
      assert_money (q->overhead_cost, cases[i].overhead);
      assert_money (q->total_cost, cases[i].total);
      assert_money (q->cost_per_lead, cases[i].total / cases[i].n);
      /* basic is 2 s a lead; max_concurrent 5 caps the 8 workers. */
      g_assert_cmpfloat_with_epsilon (q->estimated_duration_minutes, ceil (cases[i].n / 5.0) * 2.0 / 60, 1e-9);

      g_assert_cmpuint (q->providers->len, ==, 2);
      line = g_ptr_array_index (q->providers, 0);
      g_assert_cmpstr (line->provider, ==, "llm_report");
      g_assert_cmpuint (line->leads_processed, ==, cases[i].n);
      assert_money (line->total_cost, 0.10 * cases[i].n);
      line = g_ptr_array_index (q->providers, 1);
      g_assert_cmpstr (line->provider, ==, "web_analysis");
      assert_money (line->total_cost, 0.03 * cases[i].n);
    }
}

/* The worked example of docs/pricing.md, so the page stays true. */
static void
test_quote_worked_example (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();
  g_autoptr(GPtrArray) leads = make_leads (60, "pending", "ada@northwind-robotics.example");
  g_autoptr(GPtrArray) partial = make_leads (40, "partial", "ada@northwind-robotics.example");
  g_autoptr(GPtrArray) completed = make_leads (20, "completed", NULL);
  g_autoptr(BrdQuote) q = NULL;
  g_autoptr(JsonObject) breakdown = json_object_new ();
  const BrdTemplate *tmpl = brd_pricing_get_default_template (pricing);

  g_ptr_array_extend_and_steal (leads, g_steal_pointer (&partial));
  g_ptr_array_extend_and_steal (leads, g_steal_pointer (&completed));
  q = brd_pricing_quote (pricing, tmpl, (BrdLead * const *) leads->pdata, leads->len, 8, 5);

  assert_money (q->base_cost, 14.40);
  assert_money (q->provider_costs, 26.00);
  assert_money (q->subtotal, 40.40);
  assert_money (q->volume_discount_rate, 0.05);
  assert_money (q->volume_discount_amount, 2.02);
  assert_money (q->discounted_subtotal, 38.38);
  assert_money (q->overhead_cost, 2.3514);
  assert_money (q->total_cost, 40.7314);
  g_assert_cmpfloat (brd_http_round_money (q->cost_per_lead), ==, 0.3394);
  g_assert_cmpfloat_with_epsilon (q->estimated_duration_minutes, 1.6, 1e-9);

  assert_money (brd_pricing_lead_cost (pricing, tmpl, leads->pdata[0], leads->len, breakdown), 0.372045);
  assert_money (json_object_get_double_member (breakdown, "base"), 0.114);
  assert_money (json_object_get_double_member (breakdown, "web_analysis"), 0.0285);
  assert_money (json_object_get_double_member (breakdown, "overhead"), 0.020545);
}

static void
test_quote_duration (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();
  g_autoptr(GPtrArray) leads = make_leads (100, "partial", NULL);
  const BrdTemplate *detailed = brd_pricing_find_template (pricing, "v2");
  static const struct {
    guint  workers;
    guint  max_concurrent;
    double minutes;
  } cases[] = {
    { 4, 5, 100 * 8.0 / 4 / 60 },
    { 10, 5, 100 * 8.0 / 5 / 60 },
    { 20, 20, 100 * 8.0 / 20 / 60 },
    { 1, 1, 100 * 8.0 / 60 },
    { 0, 5, 100 * 8.0 / 5 / 60 },
    { 0, 0, 100 * 8.0 / 60 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BrdQuote) q = brd_pricing_quote (pricing, detailed, (BrdLead * const *) leads->pdata, leads->len,
                                                 cases[i].workers, cases[i].max_concurrent);

      g_assert_cmpfloat_with_epsilon (q->estimated_duration_minutes, cases[i].minutes, 1e-9);
    }
}

/* Per-lead cost ----------------------------------------------------------- */

static double
sum_breakdown (JsonObject *breakdown)
{
  g_autoptr(GList) members = json_object_get_members (breakdown);
  double sum = 0;

  for (const GList *l = members; l; l = l->next)
    sum += json_object_get_double_member (breakdown, l->data);
  return sum;
}

static void
test_lead_cost_breakdown (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();
  g_autoptr(BrdLead) lead = make_lead ("pending", "ada@northwind-robotics.example");
  g_autoptr(BrdLead) bare = make_lead ("completed", NULL);
  g_autoptr(JsonObject) breakdown = json_object_new ();
  g_autoptr(JsonObject) small = json_object_new ();
  const BrdTemplate *tmpl = brd_pricing_get_default_template (pricing);
  double cost;

  /* In a batch of 500, the 10% tier: every list price × 0.9, overhead
   * 0.01 + 3% of the discounted 0.333. */
  cost = brd_pricing_lead_cost (pricing, tmpl, lead, 500, breakdown);
  g_assert_cmpuint (json_object_get_size (breakdown), ==, 7);
  assert_money (json_object_get_double_member (breakdown, "base"), 0.108);
  assert_money (json_object_get_double_member (breakdown, "company_enrichment"), 0.036);
  assert_money (json_object_get_double_member (breakdown, "contact_verification"), 0.018);
  assert_money (json_object_get_double_member (breakdown, "technographics"), 0.054);
  assert_money (json_object_get_double_member (breakdown, "web_analysis"), 0.027);
  assert_money (json_object_get_double_member (breakdown, "llm_report"), 0.090);
  assert_money (json_object_get_double_member (breakdown, "overhead"), 0.01 + 0.03 * 0.333);
  assert_money (cost, 0.333 + 0.01 + 0.03 * 0.333);
  assert_money (sum_breakdown (breakdown), cost);

  /* A batch of one (and batch_size 0, a lead on its own) has no discount. */
  cost = brd_pricing_lead_cost (pricing, tmpl, bare, 1, small);
  g_assert_cmpuint (json_object_get_size (small), ==, 4);
  assert_money (cost, 0.25 + 0.01 + 0.03 * 0.25);
  assert_money (brd_pricing_lead_cost (pricing, tmpl, bare, 0, NULL), cost);
  assert_money (sum_breakdown (small), cost);
}

static GPtrArray *
sample_leads (void)
{
  g_autofree char *path = source_path ("data/daemon/sample-leads.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(BrdImportResult) result = brd_import_parse_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (result->leads->len, >=, 1000);
  return g_ptr_array_ref (result->leads);
}

/* What processing charges, lead by lead, adds up to what the preview
 * promised: the ±5% promise of DESIGN.md starts with this being exact. */
static void
test_lead_cost_sums_to_quote (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();
  g_autoptr(GPtrArray) all = sample_leads ();
  GPtrArray *templates = brd_pricing_get_templates (pricing);
  const guint sizes[] = { 1, 2, 37, 99, 100, 101, 250, 499, 500, 501, 999, 1000 };

  for (guint t = 0; t < templates->len; t++)
    {
      const BrdTemplate *tmpl = g_ptr_array_index (templates, t);

      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        for (guint round = 0; round < 3; round++)
          {
            g_autoptr(GPtrArray) subset = g_ptr_array_new ();
            g_autoptr(BrdQuote) q = NULL;
            double sum = 0;
            guint n = sizes[s];

            /* A random subset of the sample, drawn without replacement.
             * The pool borrows the leads (a copy keeps the free func). */
            g_autoptr(GPtrArray) pool = g_ptr_array_copy (all, NULL, NULL);

            g_ptr_array_set_free_func (pool, NULL);
            for (guint i = 0; i < n; i++)
              {
                guint k = g_test_rand_int_range (0, pool->len);

                g_ptr_array_add (subset, pool->pdata[k]);
                g_ptr_array_remove_index_fast (pool, k);
              }

            q = brd_pricing_quote (pricing, tmpl, (BrdLead * const *) subset->pdata, n, 4, 5);
            for (guint i = 0; i < n; i++)
              {
                g_autoptr(JsonObject) breakdown = json_object_new ();
                double cost = brd_pricing_lead_cost (pricing, tmpl, subset->pdata[i], n, breakdown);

                g_assert_cmpfloat_with_epsilon (sum_breakdown (breakdown), cost, 1e-12);
                sum += cost;
              }

            g_assert_cmpfloat_with_epsilon (sum, q->total_cost, 1e-9 * MAX (1.0, q->total_cost));
            g_assert_cmpfloat_with_epsilon (q->total_cost,
                                            q->discounted_subtotal + q->overhead_cost, 1e-9);
            g_assert_cmpfloat_with_epsilon (q->subtotal, q->base_cost + q->provider_costs, 1e-9);
          }
    }
}

static void
test_quote_fast (void)
{
  g_autoptr(BrdPricing) pricing = shipped ();
  g_autoptr(GPtrArray) all = sample_leads ();
  const BrdTemplate *tmpl = brd_pricing_get_default_template (pricing);
  guint n = MIN (1000, all->len);
  gint64 start = g_get_monotonic_time ();
  double per_quote_us;

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(BrdQuote) q = brd_pricing_quote (pricing, tmpl, (BrdLead * const *) all->pdata, n, 4, 5);
      g_assert_cmpfloat (q->total_cost, >, 0);
    }

  /* DESIGN.md asks < 5 ms for the whole preview; pricing is a small part
   * of it. Generous, as sanitizers and loaded CI machines are slow. */
  per_quote_us = (g_get_monotonic_time () - start) / 100.0;
  g_test_message ("quote of %u leads: %.1f us", n, per_quote_us);
  g_assert_cmpfloat (per_quote_us, <, 5000);
}

/* Rate cards ----------------------------------------------------------------- */

static char *
shipped_card_text (void)
{
  g_autofree char *path = source_path ("data/daemon/rate-card.json");
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* The shipped card with one member of the object at @where (dotted path,
 * "" = root) replaced by @value_json, or removed when it is NULL. */
static char *
card_with (const char *where,
           const char *member,
           const char *value_json)
{
  g_autofree char *text = shipped_card_text ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) path = NULL;
  JsonObject *obj;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  obj = json_node_get_object (json_parser_get_root (parser));

  path = g_strsplit (where, ".", -1);
  for (guint i = 0; path[i] && path[i][0]; i++)
    obj = json_object_get_object_member (obj, path[i]);

  if (value_json == NULL)
    json_object_remove_member (obj, member);
  else
    {
      g_autoptr(JsonParser) value = json_parser_new ();

      json_parser_load_from_data (value, value_json, -1, &error);
      g_assert_no_error (error);
      json_object_set_member (obj, member, json_node_copy (json_parser_get_root (value)));
    }

  return json_to_string (json_parser_get_root (parser), TRUE);
}

static void
test_shipped_card_file (void)
{
  g_autofree char *text = shipped_card_text ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BrdPricing) pricing = brd_pricing_new_from_data (text, -1, &error);
  g_autofree char *path = source_path ("data/daemon/rate-card.json");
  g_autoptr(BrdPricing) from_file = brd_pricing_new (path, &error);

  /* The installed copy and the compiled-in one are the same file. */
  g_assert_no_error (error);
  g_assert_nonnull (pricing);
  g_assert_nonnull (from_file);
}

static void
test_bad_rate_cards (void)
{
  static const struct {
    const char *where;
    const char *member;
    const char *value;
    const char *message;
  } cases[] = {
    { "providers.web_analysis", "price_per_lead", "-0.01",
      "providers.web_analysis.price_per_lead: must not be negative" },
    { "providers.web_analysis", "price_per_lead", "\"0.03\"",
      "providers.web_analysis.price_per_lead: expected a number, got a string" },
    { "providers.web_analysis", "price_per_lead", NULL, "providers.web_analysis.price_per_lead is missing" },
    { "providers.web_analysis", "price", "0.03", "providers.web_analysis: unknown key \"price\"" },
    { "providers.llm_report", "requests_per_minute", "2.5",
      "providers.llm_report.requests_per_minute: expected a whole number" },
    { "providers", "base", "{\"price_per_lead\": 0.1}", "providers.base: \"base\" is reserved" },
    { "providers", "Web Analysis", "{\"price_per_lead\": 0.1}", "providers.Web Analysis: a provider name uses only" },
    { "", "currency", "\"EUR\"", "currency: must be \"USD\"" },
    { "", "currency", NULL, "currency is missing" },
    { "", "base_cost_per_lead", "5", "base_cost_per_lead: expected an object" },
    { "base_cost_per_lead", "standard", "null", "base_cost_per_lead.standard: expected a number, got null" },
    { "seconds_per_lead", "premium", NULL, "seconds_per_lead.premium is missing" },
    { "", "volume_discounts",
      "[{\"min_leads\": 500, \"rate\": 0.1}, {\"min_leads\": 100, \"rate\": 0.05}]",
      "volume_discounts[1].min_leads (100) must be greater than the previous tier's (500)" },
    { "", "volume_discounts", "[{\"min_leads\": 100, \"rate\": 0.05}, {\"min_leads\": 100, \"rate\": 0.1}]",
      "volume_discounts[1].min_leads (100) must be greater" },
    { "", "volume_discounts", "[{\"min_leads\": 100, \"rate\": 5}]", "volume_discounts[0].rate: a rate is a fraction" },
    { "", "volume_discounts", "[{\"min_leads\": 0, \"rate\": 0.1}]", "volume_discounts[0].min_leads: must be at least 1" },
    { "", "volume_discounts", "{}", "volume_discounts: expected an array" },
    { "", "overhead", NULL, "overhead is missing" },
    { "overhead", "rate", "-1", "overhead.rate: must not be negative" },
    { "overhead", "percent", "3", "overhead: unknown key \"percent\"" },
    { "provider_rules", "always", "[\"web_analysis\", \"magic\"]",
      "provider_rules.always[1]: \"magic\" is not one of the providers" },
    { "provider_rules", "always", "\"web_analysis\"", "provider_rules.always: expected an array" },
    { "provider_rules.by_enrichment_status", "partial", NULL,
      "provider_rules.by_enrichment_status.partial is missing" },
    { "provider_rules.by_enrichment_status", "done", "[]",
      "provider_rules.by_enrichment_status: unknown key \"done\"" },
    { "", "volume_discount", "[]", "unknown key \"volume_discount\"" },
    { "", "accuracy_note", "4", "accuracy_note: expected a string, got a number" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *card = card_with (cases[i].where, cases[i].member, cases[i].value);
      g_autoptr(GError) error = NULL;
      g_autoptr(BrdPricing) pricing = brd_pricing_new_from_data (card, -1, &error);

      g_test_message ("expecting: %s", cases[i].message);
      g_assert_null (pricing);
      g_assert_error (error, BRD_PRICING_ERROR, BRD_PRICING_ERROR_INVALID_RATE_CARD);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("\"%s\" does not contain \"%s\"", error->message, cases[i].message);
    }
}

static void
test_bad_rate_card_syntax (void)
{
  static const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "{", "Rate card: not valid JSON" },
    { "[]", "Rate card: expected a JSON object, got an array" },
    { "", "Rate card: the file is empty" },
    { "  ", "Rate card: the file is empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BrdPricing) pricing = brd_pricing_new_from_data (cases[i].text, -1, &error);

      g_assert_null (pricing);
      g_assert_error (error, BRD_PRICING_ERROR, BRD_PRICING_ERROR_INVALID_RATE_CARD);
      if (!g_str_has_prefix (error->message, cases[i].message))
        g_error ("\"%s\" does not start with \"%s\"", error->message, cases[i].message);
    }
}

static void
test_rate_card_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BrdPricing) missing = brd_pricing_new ("/nonexistent/rate-card.json", &error);
  g_autofree char *dir = g_dir_make_tmp ("brd-pricing-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "card.json", NULL);
  g_autofree char *card = card_with ("providers.llm_report", "price_per_lead", "0.5");
  g_autoptr(BrdPricing) custom = NULL;
  g_autoptr(BrdLead) lead = make_lead ("completed", NULL);

  g_assert_null (missing);
  g_assert_error (error, BRD_PRICING_ERROR, BRD_PRICING_ERROR_INVALID_RATE_CARD);
  g_assert_nonnull (strstr (error->message, "/nonexistent/rate-card.json"));
  g_clear_error (&error);

  /* A site's own card, as --rate-card FILE loads it, prices quotes. */
  g_file_set_contents (path, card, -1, &error);
  g_assert_no_error (error);
  custom = brd_pricing_new (path, &error);
  g_assert_no_error (error);
  assert_money (brd_pricing_lead_cost (custom, brd_pricing_get_default_template (custom), lead, 1, NULL),
                (0.12 + 0.03 + 0.5) * 1.03 + 0.01);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_card_without_complexity (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = shipped_card_text ();
  g_autofree char *card = NULL;
  g_autoptr(BrdPricing) pricing = NULL;
  const BrdTemplate *detailed;
  JsonObject *root;

  /* A card that does not price "detailed" leaves v2 listed but unavailable. */
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  json_object_remove_member (json_object_get_object_member (root, "base_cost_per_lead"), "detailed");
  json_object_remove_member (json_object_get_object_member (root, "seconds_per_lead"), "detailed");
  card = json_to_string (json_parser_get_root (parser), FALSE);

  pricing = brd_pricing_new_from_data (card, -1, &error);
  g_assert_no_error (error);
  detailed = brd_pricing_find_template (pricing, "v2");
  g_assert_false (detailed->available);
  g_assert_nonnull (strstr (detailed->unavailable_reason, "\"detailed\""));
  g_assert_true (brd_pricing_get_default_template (pricing)->available);
  g_clear_pointer (&pricing, brd_pricing_free);

  /* Without the default template's complexity the card is refused. */
  json_object_remove_member (json_object_get_object_member (root, "base_cost_per_lead"), "standard");
  json_object_remove_member (json_object_get_object_member (root, "seconds_per_lead"), "standard");
  g_free (card);
  card = json_to_string (json_parser_get_root (parser), FALSE);
  pricing = brd_pricing_new_from_data (card, -1, &error);
  g_assert_null (pricing);
  g_assert_error (error, BRD_PRICING_ERROR, BRD_PRICING_ERROR_INVALID_TEMPLATES);
  g_assert_nonnull (strstr (error->message, "default template v1 is not available"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/daemon/pricing/templates", test_templates);
  g_test_add_func ("/daemon/pricing/providers-for-lead", test_providers_for_lead);
  g_test_add_func ("/daemon/pricing/provider-rpm", test_provider_rpm);
  g_test_add_func ("/daemon/pricing/quote/one-lead", test_quote_one_lead);
  g_test_add_func ("/daemon/pricing/quote/empty", test_quote_empty);
  g_test_add_func ("/daemon/pricing/quote/tiers", test_quote_tiers);
  g_test_add_func ("/daemon/pricing/quote/worked-example", test_quote_worked_example);
  g_test_add_func ("/daemon/pricing/quote/duration", test_quote_duration);
  g_test_add_func ("/daemon/pricing/quote/fast", test_quote_fast);
  g_test_add_func ("/daemon/pricing/lead-cost/breakdown", test_lead_cost_breakdown);
  g_test_add_func ("/daemon/pricing/lead-cost/sums-to-quote", test_lead_cost_sums_to_quote);
  g_test_add_func ("/daemon/pricing/rate-card/shipped-file", test_shipped_card_file);
  g_test_add_func ("/daemon/pricing/rate-card/invalid", test_bad_rate_cards);
  g_test_add_func ("/daemon/pricing/rate-card/syntax", test_bad_rate_card_syntax);
  g_test_add_func ("/daemon/pricing/rate-card/file", test_rate_card_file);
  g_test_add_func ("/daemon/pricing/rate-card/missing-complexity", test_card_without_complexity);

  return g_test_run ();
}
