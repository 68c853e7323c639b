/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-pricing"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "brd-data-resources.h"
#include "brd-pricing.h"

/* Where the shipped card and catalogue live (data/daemon/brd-data.gresource.xml). */
#define RESOURCE_PREFIX_DAEMON "/io/github/batchrunner/Daemon/"
#define RATE_CARD_RESOURCE     RESOURCE_PREFIX_DAEMON "rate-card.json"
#define TEMPLATES_RESOURCE     RESOURCE_PREFIX_DAEMON "templates.json"

/* A rate card is a page of JSON; anything bigger is a mistake. */
#define MAX_RATE_CARD_SIZE (1024 * 1024)

/* Providers are tracked as bits of a mask, so that choosing a lead's
 * providers is a few integer operations: previews of 1 000 leads must
 * stay well under a millisecond. */
#define MAX_PROVIDERS 64

#define DEFAULT_ACCURACY_NOTE "Estimates use list prices; provider billing may differ slightly."

typedef enum
{
  STATUS_PENDING,
  STATUS_PARTIAL,
  STATUS_COMPLETED,
  N_STATUSES
} Status;

/* NULL-terminated so that it doubles as the list of known keys. */
static const char * const status_names[N_STATUSES + 1] = { "pending", "partial", "completed", NULL };

typedef struct
{
  char   *name;
  double  price;
  guint   rpm;
} Provider;

typedef struct
{
  guint  min_leads;
  double rate;
} Tier;

struct _BrdPricing
{
  char       *accuracy_note;
  GHashTable *base_cost;          /* complexity → double* */
  GHashTable *seconds_per_lead;   /* complexity → double* */
  GPtrArray  *providers;          /* Provider, sorted by name; bit i of a mask = providers[i] */
  guint64     always_mask;
  guint64     status_mask[N_STATUSES];
  guint64     email_mask;         /* needed only when the lead has an email address */
  GArray     *tiers;              /* Tier, ascending min_leads */
  double      overhead_per_lead;
  double      overhead_rate;
  GPtrArray  *templates;          /* BrdTemplate, catalogue order */
  BrdTemplate *default_template;
};

G_DEFINE_QUARK (brd-pricing-error-quark, brd_pricing_error)

/* Helpers ------------------------------------------------------------------ */

static void
provider_free (Provider *p)
{
  g_free (p->name);
  g_free (p);
}

static void
template_free (BrdTemplate *t)
{
  g_free (t->version);
  g_free (t->name);
  g_free (t->description);
  g_free (t->complexity);
  g_free (t->unavailable_reason);
  g_free (t);
}

static void
provider_line_free (BrdProviderLine *line)
{
  g_free (line->provider);
  g_free (line);
}

static int
provider_cmp (gconstpointer a,
              gconstpointer b)
{
  const Provider *pa = *(const Provider * const *) a;
  const Provider *pb = *(const Provider * const *) b;

  return strcmp (pa->name, pb->name);
}

static const char *
node_kind (JsonNode *node)
{
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";

  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return "a string";
  if (type == G_TYPE_BOOLEAN)
    return "a boolean";
  return "a number";
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_boolean (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

/* Every message starts with where the card came from and names the key,
 * because the person reading it is editing that file. */
static gboolean G_GNUC_PRINTF (4, 5)
fail (GError     **error,
      int          code,
      const char  *source,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, BRD_PRICING_ERROR, code, "%s: %s", source, message);
  return FALSE;
}

#define FAIL_CARD(...) fail (error, BRD_PRICING_ERROR_INVALID_RATE_CARD, source, __VA_ARGS__)
#define FAIL_TEMPLATES(...) fail (error, BRD_PRICING_ERROR_INVALID_TEMPLATES, source, __VA_ARGS__)

static gboolean
check_known_keys (JsonObject          *obj,
                  const char          *where,
                  const char * const  *known,
                  const char          *source,
                  GError             **error)
{
  g_autoptr(GList) members = json_object_get_members (obj);

  /* A misspelt key would otherwise be ignored silently and its price
   * left out of every quote. */
  for (const GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (known, l->data))
        {
          if (where == NULL)
            return FAIL_CARD ("unknown key \"%s\"", (const char *) l->data);
          return FAIL_CARD ("%s: unknown key \"%s\"", where, (const char *) l->data);
        }
    }
  return TRUE;
}

static gboolean
get_member (JsonObject  *obj,
            const char  *member,
            gboolean     required,
            const char  *key,
            JsonNode   **out,
            const char  *source,
            GError     **error)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL && required)
    return FAIL_CARD ("%s is missing", key);
  *out = node;
  return TRUE;
}

static gboolean
read_amount (JsonNode    *node,
             const char  *key,
             double      *out,
             const char  *source,
             GError     **error)
{
  double value;

  if (!node_is_number (node))
    return FAIL_CARD ("%s: expected a number, got %s", key, node_kind (node));
  value = json_node_get_double (node);
  if (!isfinite (value) || value < 0)
    return FAIL_CARD ("%s: must not be negative (%g)", key, value);
  *out = value;
  return TRUE;
}

static gboolean
read_rate (JsonNode    *node,
           const char  *key,
           gboolean     allow_one,
           double      *out,
           const char  *source,
           GError     **error)
{
  if (!read_amount (node, key, out, source, error))
    return FALSE;
  if (*out > 1.0 || (!allow_one && *out >= 1.0))
    return FAIL_CARD ("%s: a rate is a fraction (0.05 for 5%%), %g is out of range", key, *out);
  return TRUE;
}

static gboolean
read_count (JsonNode    *node,
            const char  *key,
            guint        min,
            guint       *out,
            const char  *source,
            GError     **error)
{
  double value;

  if (!read_amount (node, key, &value, source, error))
    return FALSE;
  if (value != floor (value) || value > G_MAXUINT)
    return FAIL_CARD ("%s: expected a whole number, got %g", key, value);
  if (value < min)
    return FAIL_CARD ("%s: must be at least %u", key, min);
  *out = (guint) value;
  return TRUE;
}

static gboolean
provider_name_ok (const char *name)
{
  if (name[0] == '\0')
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '_')
      return FALSE;
  return TRUE;
}

static int
find_provider (BrdPricing *self,
               const char *name)
{
  for (guint i = 0; i < self->providers->len; i++)
    {
      const Provider *p = g_ptr_array_index (self->providers, i);

      if (strcmp (p->name, name) == 0)
        return (int) i;
    }
  return -1;
}

/* Rate card ---------------------------------------------------------------- */

static gboolean
load_complexity_map (JsonObject  *root,
                     const char  *member,
                     GHashTable  *into,
                     const char  *source,
                     GError     **error)
{
  g_autoptr(GList) members = NULL;
  JsonNode *node = NULL;
  JsonObject *obj;

  if (!get_member (root, member, TRUE, member, &node, source, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FAIL_CARD ("%s: expected an object of complexity → number, got %s", member, node_kind (node));

  obj = json_node_get_object (node);
  members = json_object_get_members (obj);
  if (members == NULL)
    return FAIL_CARD ("%s: names no complexity", member);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      g_autofree char *key = g_strdup_printf ("%s.%s", member, (const char *) l->data);
      double *value = g_new0 (double, 1);

      if (!read_amount (json_object_get_member (obj, l->data), key, value, source, error))
        {
          g_free (value);
          return FALSE;
        }
      g_hash_table_insert (into, g_strdup (l->data), value);
    }
  return TRUE;
}

static gboolean
load_providers (BrdPricing  *self,
                JsonObject  *root,
                const char  *source,
                GError     **error)
{
  static const char * const known[] = { "description", "price_per_lead", "requests_per_minute", NULL };
  g_autoptr(GList) members = NULL;
  JsonNode *node = NULL;
  JsonObject *obj;

  if (!get_member (root, "providers", TRUE, "providers", &node, source, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FAIL_CARD ("providers: expected an object of provider → "
                      "{price_per_lead, requests_per_minute}, got %s", node_kind (node));

  obj = json_node_get_object (node);
  members = json_object_get_members (obj);
  if (g_list_length (members) > MAX_PROVIDERS)
    return FAIL_CARD ("providers: at most %d providers are supported", MAX_PROVIDERS);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      g_autofree char *where = g_strdup_printf ("providers.%s", name);
      g_autofree char *price_key = g_strdup_printf ("%s.price_per_lead", where);
      g_autofree char *rpm_key = g_strdup_printf ("%s.requests_per_minute", where);
      g_autofree char *desc_key = g_strdup_printf ("%s.description", where);
      JsonNode *pnode = json_object_get_member (obj, name);
      JsonObject *pobj;
      JsonNode *member = NULL;
      Provider *p;

      /* Provider names become keys of cost breakdowns next to "base" and
       * "overhead", and labels in /metrics. */
      if (!provider_name_ok (name))
        return FAIL_CARD ("%s: a provider name uses only a-z, 0-9 and _", where);
      if (strcmp (name, "base") == 0 || strcmp (name, "overhead") == 0)
        return FAIL_CARD ("%s: \"%s\" is reserved for the cost breakdown", where, name);
      if (!JSON_NODE_HOLDS_OBJECT (pnode))
        return FAIL_CARD ("%s: expected an object, got %s", where, node_kind (pnode));

      pobj = json_node_get_object (pnode);
      if (!check_known_keys (pobj, where, known, source, error))
        return FALSE;

      p = g_new0 (Provider, 1);
      p->name = g_strdup (name);
      g_ptr_array_add (self->providers, p);

      if (!get_member (pobj, "price_per_lead", TRUE, price_key, &member, source, error) ||
          !read_amount (member, price_key, &p->price, source, error))
        return FALSE;

      member = json_object_get_member (pobj, "requests_per_minute");
      if (member != NULL && !read_count (member, rpm_key, 0, &p->rpm, source, error))
        return FALSE;

      member = json_object_get_member (pobj, "description");
      if (member != NULL && !node_is_string (member))
        return FAIL_CARD ("%s: expected a string, got %s", desc_key, node_kind (member));
    }

  g_ptr_array_sort (self->providers, provider_cmp);
  return TRUE;
}

static gboolean
read_provider_list (BrdPricing  *self,
                    JsonNode    *node,
                    const char  *key,
                    guint64     *mask,
                    const char  *source,
                    GError     **error)
{
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FAIL_CARD ("%s: expected an array of provider names, got %s", key, node_kind (node));

  array = json_node_get_array (node);
  *mask = 0;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const char *name;
      int index;

      if (!node_is_string (item))
        return FAIL_CARD ("%s[%u]: expected a provider name, got %s", key, i, node_kind (item));
      name = json_node_get_string (item);
      index = find_provider (self, name);
      if (index < 0)
        return FAIL_CARD ("%s[%u]: \"%s\" is not one of the providers", key, i, name);
      *mask |= G_GUINT64_CONSTANT (1) << index;
    }
  return TRUE;
}

static gboolean
load_provider_rules (BrdPricing  *self,
                     JsonObject  *root,
                     const char  *source,
                     GError     **error)
{
  static const char * const known[] = { "always", "by_enrichment_status", "require_email", NULL };
  JsonNode *node = NULL;
  JsonNode *member = NULL;
  JsonObject *rules;
  JsonObject *by_status;

  if (!get_member (root, "provider_rules", TRUE, "provider_rules", &node, source, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FAIL_CARD ("provider_rules: expected an object, got %s", node_kind (node));
  rules = json_node_get_object (node);
  if (!check_known_keys (rules, "provider_rules", known, source, error))
    return FALSE;

  member = json_object_get_member (rules, "always");
  if (member != NULL &&
      !read_provider_list (self, member, "provider_rules.always", &self->always_mask, source, error))
    return FALSE;

  member = json_object_get_member (rules, "require_email");
  if (member != NULL &&
      !read_provider_list (self, member, "provider_rules.require_email", &self->email_mask, source, error))
    return FALSE;

  if (!get_member (rules, "by_enrichment_status", TRUE, "provider_rules.by_enrichment_status", &member,
                   source, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (member))
    return FAIL_CARD ("provider_rules.by_enrichment_status: expected an object, got %s", node_kind (member));
  by_status = json_node_get_object (member);
  if (!check_known_keys (by_status, "provider_rules.by_enrichment_status", status_names, source, error))
    return FALSE;

  /* All three, so that a card cannot leave a status unpriced by omission;
   * an empty list says "nothing extra" on purpose. */
  for (guint s = 0; s < N_STATUSES; s++)
    {
      g_autofree char *key = g_strdup_printf ("provider_rules.by_enrichment_status.%s", status_names[s]);

      if (!get_member (by_status, status_names[s], TRUE, key, &member, source, error) ||
          !read_provider_list (self, member, key, &self->status_mask[s], source, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
load_volume_discounts (BrdPricing  *self,
                       JsonObject  *root,
                       const char  *source,
                       GError     **error)
{
  static const char * const known[] = { "min_leads", "rate", NULL };
  JsonNode *node = NULL;
  JsonArray *array;

  if (!get_member (root, "volume_discounts", TRUE, "volume_discounts", &node, source, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FAIL_CARD ("volume_discounts: expected an array of {min_leads, rate} (may be empty), got %s",
                      node_kind (node));

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("volume_discounts[%u]", i);
      g_autofree char *min_key = g_strdup_printf ("%s.min_leads", where);
      g_autofree char *rate_key = g_strdup_printf ("%s.rate", where);
      JsonObject *obj;
      JsonNode *member = NULL;
      Tier tier = { 0 };

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return FAIL_CARD ("%s: expected an object {min_leads, rate}, got %s", where, node_kind (item));
      obj = json_node_get_object (item);
      if (!check_known_keys (obj, where, known, source, error))
        return FALSE;

      if (!get_member (obj, "min_leads", TRUE, min_key, &member, source, error) ||
          !read_count (member, min_key, 1, &tier.min_leads, source, error) ||
          !get_member (obj, "rate", TRUE, rate_key, &member, source, error) ||
          !read_rate (member, rate_key, FALSE, &tier.rate, source, error))
        return FALSE;

      /* The lookup takes the last tier a batch reaches, which is only the
       * intended one when tiers ascend. */
      if (self->tiers->len > 0)
        {
          const Tier *prev = &g_array_index (self->tiers, Tier, self->tiers->len - 1);

          if (tier.min_leads <= prev->min_leads)
            return FAIL_CARD ("%s (%u) must be greater than the previous tier's (%u); "
                              "list tiers in ascending order", min_key, tier.min_leads, prev->min_leads);
        }
      g_array_append_val (self->tiers, tier);
    }

  return TRUE;
}

static gboolean
load_overhead (BrdPricing  *self,
               JsonObject  *root,
               const char  *source,
               GError     **error)
{
  static const char * const known[] = { "per_lead", "rate", NULL };
  JsonNode *node = NULL;
  JsonNode *member = NULL;
  JsonObject *obj;

  if (!get_member (root, "overhead", TRUE, "overhead", &node, source, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FAIL_CARD ("overhead: expected an object {per_lead, rate}, got %s", node_kind (node));
  obj = json_node_get_object (node);
  if (!check_known_keys (obj, "overhead", known, source, error))
    return FALSE;

  return get_member (obj, "per_lead", TRUE, "overhead.per_lead", &member, source, error) &&
         read_amount (member, "overhead.per_lead", &self->overhead_per_lead, source, error) &&
         get_member (obj, "rate", TRUE, "overhead.rate", &member, source, error) &&
         read_rate (member, "overhead.rate", TRUE, &self->overhead_rate, source, error);
}

static gboolean
load_rate_card (BrdPricing  *self,
                const char  *data,
                gsize        len,
                const char  *source,
                GError     **error)
{
  static const char * const known[] = {
    "notes", "currency", "base_cost_per_lead", "seconds_per_lead", "providers",
    "provider_rules", "volume_discounts", "overhead", "accuracy_note", NULL
  };
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root_node;
  JsonObject *root;
  JsonNode *node = NULL;

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    return FAIL_CARD ("not valid JSON: %s", local_error->message);
  root_node = json_parser_get_root (parser);
  if (root_node == NULL)
    return FAIL_CARD ("the file is empty; expected a JSON object");
  if (!JSON_NODE_HOLDS_OBJECT (root_node))
    return FAIL_CARD ("expected a JSON object, got %s", node_kind (root_node));
  root = json_node_get_object (root_node);

  if (!check_known_keys (root, NULL, known, source, error))
    return FALSE;

  node = json_object_get_member (root, "notes");
  if (node != NULL && !node_is_string (node) && !JSON_NODE_HOLDS_ARRAY (node))
    return FAIL_CARD ("notes: expected a string or an array of strings, got %s", node_kind (node));

  /* Every amount on the wire is USD (API.md), so a card in another
   * currency would be misread rather than converted. */
  if (!get_member (root, "currency", TRUE, "currency", &node, source, error))
    return FALSE;
  if (!node_is_string (node) || g_strcmp0 (json_node_get_string (node), "USD") != 0)
    return FAIL_CARD ("currency: must be \"USD\", the currency of the API");

  if (!load_complexity_map (root, "base_cost_per_lead", self->base_cost, source, error) ||
      !load_complexity_map (root, "seconds_per_lead", self->seconds_per_lead, source, error) ||
      !load_providers (self, root, source, error) ||
      !load_provider_rules (self, root, source, error) ||
      !load_volume_discounts (self, root, source, error) ||
      !load_overhead (self, root, source, error))
    return FALSE;

  /* Every complexity that has a price needs a duration and vice versa,
   * or a template would be quotable but not schedulable. */
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, self->base_cost);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_hash_table_contains (self->seconds_per_lead, key))
        return FAIL_CARD ("seconds_per_lead.%s is missing (base_cost_per_lead prices it)",
                          (const char *) key);
    g_hash_table_iter_init (&iter, self->seconds_per_lead);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_hash_table_contains (self->base_cost, key))
        return FAIL_CARD ("base_cost_per_lead.%s is missing (seconds_per_lead names it)",
                          (const char *) key);
  }

  node = json_object_get_member (root, "accuracy_note");
  if (node != NULL && !node_is_string (node))
    return FAIL_CARD ("accuracy_note: expected a string, got %s", node_kind (node));
  self->accuracy_note = g_strdup (node != NULL ? json_node_get_string (node) : DEFAULT_ACCURACY_NOTE);

  return TRUE;
}

/* Templates ---------------------------------------------------------------- */

static gboolean
read_template_string (JsonObject  *obj,
                      const char  *member,
                      gboolean     required,
                      const char  *where,
                      char       **out,
                      const char  *source,
                      GError     **error)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return FAIL_TEMPLATES ("%s.%s is missing", where, member);
      return TRUE;
    }
  if (!node_is_string (node))
    return FAIL_TEMPLATES ("%s.%s: expected a string, got %s", where, member, node_kind (node));
  if (required && json_node_get_string (node)[0] == '\0')
    return FAIL_TEMPLATES ("%s.%s must not be empty", where, member);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_template_bool (JsonObject  *obj,
                    const char  *member,
                    gboolean     fallback,
                    const char  *where,
                    gboolean    *out,
                    const char  *source,
                    GError     **error)
{
  JsonNode *node = json_object_get_member (obj, member);

  *out = fallback;
  if (node == NULL)
    return TRUE;
  if (!node_is_boolean (node))
    return FAIL_TEMPLATES ("%s.%s: expected true or false, got %s", where, member, node_kind (node));
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
load_templates (BrdPricing  *self,
                const char  *data,
                gsize        len,
                const char  *source,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root_node;
  JsonNode *node = NULL;
  JsonArray *array;

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    return FAIL_TEMPLATES ("not valid JSON: %s", local_error->message);
  root_node = json_parser_get_root (parser);
  if (root_node == NULL || !JSON_NODE_HOLDS_OBJECT (root_node))
    return FAIL_TEMPLATES ("expected a JSON object, got %s", node_kind (root_node));

  node = json_object_get_member (json_node_get_object (root_node), "templates");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FAIL_TEMPLATES ("templates: expected an array, got %s", node_kind (node));
  array = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("templates[%u]", i);
      BrdTemplate *t;
      JsonObject *obj;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return FAIL_TEMPLATES ("%s: expected an object, got %s", where, node_kind (item));
      obj = json_node_get_object (item);

      t = g_new0 (BrdTemplate, 1);
      g_ptr_array_add (self->templates, t);

      if (!read_template_string (obj, "version", TRUE, where, &t->version, source, error) ||
          !read_template_string (obj, "name", TRUE, where, &t->name, source, error) ||
          !read_template_string (obj, "description", FALSE, where, &t->description, source, error) ||
          !read_template_string (obj, "complexity", TRUE, where, &t->complexity, source, error) ||
          !read_template_bool (obj, "is_default", FALSE, where, &t->is_default, source, error) ||
          !read_template_bool (obj, "available", TRUE, where, &t->available, source, error) ||
          !read_template_string (obj, "unavailable_reason", FALSE, where, &t->unavailable_reason,
                                 source, error))
        return FALSE;

      if (t->description == NULL)
        t->description = g_strdup ("");
      if (!t->available && t->unavailable_reason == NULL)
        t->unavailable_reason = g_strdup ("Not enabled on this service");

      for (guint j = 0; j + 1 < self->templates->len; j++)
        if (strcmp (((BrdTemplate *) self->templates->pdata[j])->version, t->version) == 0)
          return FAIL_TEMPLATES ("%s.version: \"%s\" is used twice", where, t->version);

      if (t->is_default)
        {
          if (self->default_template != NULL)
            return FAIL_TEMPLATES ("%s: both \"%s\" and \"%s\" are marked is_default",
                                   where, self->default_template->version, t->version);
          self->default_template = t;
        }

      /* A site's own rate card may price fewer complexities than we ship
       * templates for: those templates are listed but cannot be chosen,
       * and GET /templates says why. */
      if (t->available && !g_hash_table_contains (self->base_cost, t->complexity))
        {
          g_message ("Template %s needs complexity \"%s\", which the rate card does not price; "
                     "it is unavailable", t->version, t->complexity);
          t->available = FALSE;
          g_free (t->unavailable_reason);
          t->unavailable_reason = g_strdup_printf ("The rate card has no price for complexity \"%s\"",
                                                   t->complexity);
        }
    }

  if (self->default_template == NULL)
    return FAIL_TEMPLATES ("no template is marked is_default");
  if (!self->default_template->available)
    return FAIL_TEMPLATES ("the default template %s is not available: %s",
                           self->default_template->version, self->default_template->unavailable_reason);

  return TRUE;
}

/* Construction ------------------------------------------------------------- */

/* brd_data_get_resource() rather than g_resources_lookup_data(): calling
 * it makes the linker keep the resource object even when the daemon
 * library is linked without --whole-archive (and its constructor with it). */
static GBytes *
lookup_resource (const char  *path,
                 GError     **error)
{
  return g_resource_lookup_data (brd_data_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
}

static BrdPricing *
pricing_new (const char  *rate_card,
             gsize        rate_card_len,
             const char  *source,
             GError     **error)
{
  g_autoptr(BrdPricing) self = g_new0 (BrdPricing, 1);
  g_autoptr(GBytes) templates = NULL;
  gsize templates_len = 0;
  const char *templates_data;

  self->base_cost = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->seconds_per_lead = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->providers = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_free);
  self->tiers = g_array_new (FALSE, TRUE, sizeof (Tier));
  self->templates = g_ptr_array_new_with_free_func ((GDestroyNotify) template_free);

  if (!load_rate_card (self, rate_card, rate_card_len, source, error))
    return NULL;

  templates = lookup_resource (TEMPLATES_RESOURCE, error);
  if (templates == NULL)
    return NULL;
  templates_data = g_bytes_get_data (templates, &templates_len);
  if (!load_templates (self, templates_data, templates_len, "Template catalogue", error))
    return NULL;

  return g_steal_pointer (&self);
}

BrdPricing *
brd_pricing_new_from_data (const char  *rate_card_json,
                           gssize       length,
                           GError     **error)
{
  g_return_val_if_fail (rate_card_json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (rate_card_json);

  return pricing_new (rate_card_json, length, "Rate card", error);
}

BrdPricing *
brd_pricing_new (const char  *rate_card_path,
                 GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *source = NULL;
  gsize len = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (rate_card_path == NULL)
    {
      const char *data;

      bytes = lookup_resource (RATE_CARD_RESOURCE, error);
      if (bytes == NULL)
        return NULL;
      data = g_bytes_get_data (bytes, &len);
      return pricing_new (data, len, "Shipped rate card", error);
    }

  source = g_strdup_printf ("Rate card %s", rate_card_path);
  if (!g_file_get_contents (rate_card_path, &contents, &len, &local_error))
    {
      fail (error, BRD_PRICING_ERROR_INVALID_RATE_CARD, source, "%s", local_error->message);
      return NULL;
    }
  if (len > MAX_RATE_CARD_SIZE)
    {
      fail (error, BRD_PRICING_ERROR_INVALID_RATE_CARD, source, "larger than %d bytes", MAX_RATE_CARD_SIZE);
      return NULL;
    }

  return pricing_new (contents, len, source, error);
}

void
brd_pricing_free (BrdPricing *self)
{
  if (self == NULL)
    return;

  g_free (self->accuracy_note);
  g_clear_pointer (&self->base_cost, g_hash_table_unref);
  g_clear_pointer (&self->seconds_per_lead, g_hash_table_unref);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->tiers, g_array_unref);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_free (self);
}

/* Templates ---------------------------------------------------------------- */

GPtrArray *
brd_pricing_get_templates (BrdPricing *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->templates;
}

const BrdTemplate *
brd_pricing_find_template (BrdPricing *self,
                           const char *version)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (version == NULL)
    return NULL;

  for (guint i = 0; i < self->templates->len; i++)
    {
      const BrdTemplate *t = g_ptr_array_index (self->templates, i);

      if (strcmp (t->version, version) == 0)
        return t;
    }
  return NULL;
}

const BrdTemplate *
brd_pricing_get_default_template (BrdPricing *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->default_template;
}

const char *
brd_pricing_get_accuracy_note (BrdPricing *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->accuracy_note;
}

/* Arithmetic --------------------------------------------------------------- */

static Status
lead_status (const BrdLead *lead)
{
  /* Unknown or missing counts as pending: quoting the enrichment a lead
   * may need errs on the side of the higher price. */
  if (lead->enrichment_status != NULL)
    {
      for (guint s = 0; s < N_STATUSES; s++)
        if (strcmp (lead->enrichment_status, status_names[s]) == 0)
          return (Status) s;
    }
  return STATUS_PENDING;
}

static guint64
lead_mask (BrdPricing    *self,
           const BrdLead *lead)
{
  guint64 mask = self->always_mask | self->status_mask[lead_status (lead)];

  /* Nothing to verify without an address. */
  if (lead->email == NULL || lead->email[0] == '\0')
    mask &= ~self->email_mask;
  return mask;
}

static double
complexity_value (GHashTable *map,
                  const char *complexity)
{
  const double *value = complexity != NULL ? g_hash_table_lookup (map, complexity) : NULL;

  return value != NULL ? *value : 0.0;
}

static double
discount_rate (BrdPricing *self,
               guint       batch_size)
{
  double rate = 0.0;

  for (guint i = 0; i < self->tiers->len; i++)
    {
      const Tier *tier = &g_array_index (self->tiers, Tier, i);

      if (batch_size < tier->min_leads)
        break;
      rate = tier->rate;
    }
  return rate;
}

GStrv
brd_pricing_providers_for_lead (BrdPricing    *self,
                                const BrdLead *lead)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint64 mask;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (lead != NULL, NULL);

  mask = lead_mask (self, lead);
  for (guint i = 0; i < self->providers->len; i++)
    if (mask & (G_GUINT64_CONSTANT (1) << i))
      g_strv_builder_add (builder, ((const Provider *) self->providers->pdata[i])->name);

  return g_strv_builder_end (builder);
}

guint
brd_pricing_get_provider_rpm (BrdPricing *self,
                              const char *provider)
{
  int index;

  g_return_val_if_fail (self != NULL, 0);

  if (provider == NULL)
    return 0;
  index = find_provider (self, provider);
  return index < 0 ? 0 : ((const Provider *) self->providers->pdata[index])->rpm;
}

BrdQuote *
brd_pricing_quote (BrdPricing        *self,
                   const BrdTemplate *tmpl,
                   BrdLead * const   *leads,
                   guint              n_leads,
                   guint              workers,
                   guint              max_concurrent)
{
  g_autoptr(BrdQuote) quote = g_new0 (BrdQuote, 1);
  guint counts[MAX_PROVIDERS] = { 0 };
  double seconds;
  guint parallel;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (tmpl != NULL, NULL);
  g_return_val_if_fail (leads != NULL || n_leads == 0, NULL);

  quote->providers = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_line_free);
  quote->lead_count = n_leads;

  for (guint i = 0; i < n_leads; i++)
    {
      guint64 mask = lead_mask (self, leads[i]);

      for (guint p = 0; mask != 0; p++, mask >>= 1)
        if (mask & 1)
          counts[p]++;
    }

  /* Sums are built from counts × list price, which is also what the per
   * lead cost adds up to, so the two agree to rounding error. */
  quote->base_cost = n_leads * complexity_value (self->base_cost, tmpl->complexity);
  for (guint p = 0; p < self->providers->len; p++)
    {
      const Provider *provider = g_ptr_array_index (self->providers, p);
      BrdProviderLine *line;

      if (counts[p] == 0)
        continue;

      line = g_new0 (BrdProviderLine, 1);
      line->provider = g_strdup (provider->name);
      line->leads_processed = counts[p];
      line->cost_per_lead = provider->price;
      line->total_cost = counts[p] * provider->price;
      quote->provider_costs += line->total_cost;
      g_ptr_array_add (quote->providers, line);   /* already in name order */
    }

  quote->subtotal = quote->base_cost + quote->provider_costs;
  quote->volume_discount_rate = discount_rate (self, n_leads);
  quote->volume_discount_amount = quote->subtotal * quote->volume_discount_rate;
  quote->discounted_subtotal = quote->subtotal * (1.0 - quote->volume_discount_rate);
  quote->overhead_cost = n_leads * self->overhead_per_lead + self->overhead_rate * quote->discounted_subtotal;
  quote->total_cost = quote->discounted_subtotal + quote->overhead_cost;
  quote->cost_per_lead = n_leads > 0 ? quote->total_cost / n_leads : 0.0;

  /* Leads run max_concurrent at a time, fewer when the service has fewer
   * workers; an unset limit (0) means the other one applies. */
  if (workers == 0)
    workers = max_concurrent;
  if (max_concurrent == 0)
    max_concurrent = workers;
  parallel = MAX (1, MIN (workers, max_concurrent));
  /* Leads run in waves of `parallel`; the last wave is whole however few
   * it holds: one lead on four workers still takes one lead's time. */
  seconds = ceil ((double) n_leads / parallel) * complexity_value (self->seconds_per_lead, tmpl->complexity);
  quote->estimated_duration_minutes = seconds / 60.0;

  return g_steal_pointer (&quote);
}

void
brd_quote_free (BrdQuote *quote)
{
  if (quote == NULL)
    return;

  g_clear_pointer (&quote->providers, g_ptr_array_unref);
  g_free (quote);
}

double
brd_pricing_lead_cost (BrdPricing        *self,
                       const BrdTemplate *tmpl,
                       const BrdLead     *lead,
                       guint              batch_size,
                       JsonObject        *breakdown)
{
  double keep;
  double base;
  double discounted;
  double overhead;
  guint64 mask;

  g_return_val_if_fail (self != NULL, 0.0);
  g_return_val_if_fail (tmpl != NULL, 0.0);
  g_return_val_if_fail (lead != NULL, 0.0);

  /* The batch's tier applies to each of its leads; a lead priced on its
   * own (batch_size 0) is a batch of one. */
  keep = 1.0 - discount_rate (self, MAX (batch_size, 1));
  base = complexity_value (self->base_cost, tmpl->complexity) * keep;
  discounted = base;
  if (breakdown != NULL)
    json_object_set_double_member (breakdown, "base", base);

  mask = lead_mask (self, lead);
  for (guint p = 0; p < self->providers->len; p++)
    {
      const Provider *provider = g_ptr_array_index (self->providers, p);
      double cost;

      if (!(mask & (G_GUINT64_CONSTANT (1) << p)))
        continue;
      cost = provider->price * keep;
      discounted += cost;
      if (breakdown != NULL)
        json_object_set_double_member (breakdown, provider->name, cost);
    }

  /* The batch overhead is per_lead × n + rate × discounted subtotal;
   * this lead's share of it is exactly its own terms. */
  overhead = self->overhead_per_lead + self->overhead_rate * discounted;
  if (breakdown != NULL)
    json_object_set_double_member (breakdown, "overhead", overhead);

  return discounted + overhead;
}
