/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-lead-selection"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "brm-lead-selection.h"

/**
 * BrmLeadSelection:
 *
 * The leads chosen for a new batch, by id, in the order they were chosen.
 * It is independent of what the lead browser shows: leads picked under
 * one search stay picked when the search changes, and a draft restores
 * ids whose rows were never loaded. It never holds more than its limit:
 * an addition that would pass it is refused as a whole, and #refusal says
 * why until the next successful change.
 */
struct _BrmLeadSelection
{
  GObject     parent_instance;

  guint       limit;
  GPtrArray  *ids;        /* char *, NULL-terminated */
  GHashTable *leads;      /* id (owned by ids) → BrLead or NULL when not loaded */
  guint       n_in_active_batch;
  char       *refusal;
};

G_DEFINE_FINAL_TYPE (BrmLeadSelection, brm_lead_selection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LIMIT,
  PROP_N_SELECTED,
  PROP_N_IN_ACTIVE_BATCH,
  PROP_REFUSAL,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_refusal (BrmLeadSelection *self,
             char             *refusal)
{
  if (g_strcmp0 (self->refusal, refusal) == 0)
    {
      g_free (refusal);
      return;
    }
  g_free (self->refusal);
  self->refusal = refusal;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFUSAL]);
}

static void
recount_active (BrmLeadSelection *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->leads);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value != NULL && br_lead_get_in_active_batch (value))
      n++;

  if (n != self->n_in_active_batch)
    {
      self->n_in_active_batch = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_IN_ACTIVE_BATCH]);
    }
}

/* One notification and one "changed" per user action, however many ids
 * it touched: the cost preview and the draft react to "changed". */
static void
emit_changed (BrmLeadSelection *self,
              guint             old_n)
{
  set_refusal (self, NULL);
  recount_active (self);
  if (old_n != self->ids->len - 1)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SELECTED]);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
append_id (BrmLeadSelection *self,
           const char       *id,
           BrLead           *lead)
{
  char *copy = g_strdup (id);

  g_ptr_array_insert (self->ids, self->ids->len - 1, copy);
  g_hash_table_insert (self->leads, copy, lead ? g_object_ref (lead) : NULL);
}

/* Values are NULL for ids whose lead was never loaded. */
static void
unref_lead (gpointer lead)
{
  if (lead != NULL)
    g_object_unref (lead);
}

static void
brm_lead_selection_finalize (GObject *object)
{
  BrmLeadSelection *self = BRM_LEAD_SELECTION (object);

  g_clear_pointer (&self->leads, g_hash_table_unref);
  g_clear_pointer (&self->ids, g_ptr_array_unref);
  g_clear_pointer (&self->refusal, g_free);

  G_OBJECT_CLASS (brm_lead_selection_parent_class)->finalize (object);
}

static void
brm_lead_selection_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BrmLeadSelection *self = BRM_LEAD_SELECTION (object);

  switch (prop_id)
    {
    case PROP_LIMIT:
      g_value_set_uint (value, self->limit);
      break;
    case PROP_N_SELECTED:
      g_value_set_uint (value, brm_lead_selection_get_n_selected (self));
      break;
    case PROP_N_IN_ACTIVE_BATCH:
      g_value_set_uint (value, self->n_in_active_batch);
      break;
    case PROP_REFUSAL:
      g_value_set_string (value, self->refusal);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_lead_selection_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  BrmLeadSelection *self = BRM_LEAD_SELECTION (object);

  switch (prop_id)
    {
    case PROP_LIMIT:
      self->limit = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_lead_selection_class_init (BrmLeadSelectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = brm_lead_selection_finalize;
  object_class->get_property = brm_lead_selection_get_property;
  object_class->set_property = brm_lead_selection_set_property;

  properties[PROP_LIMIT] =
    g_param_spec_uint ("limit", NULL, NULL, 1, G_MAXUINT, BRM_MAX_LEADS_PER_BATCH,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_SELECTED] = g_param_spec_uint ("n-selected", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * BrmLeadSelection:n-in-active-batch:
   *
   * How many selected leads are known (from their loaded rows) to be in a
   * batch that is still pending, running or paused.
   */
  properties[PROP_N_IN_ACTIVE_BATCH] = g_param_spec_uint ("n-in-active-batch", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * BrmLeadSelection:refusal:
   *
   * Why the last addition was refused, for the UI; %NULL after a change.
   */
  properties[PROP_REFUSAL] = g_param_spec_string ("refusal", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
brm_lead_selection_init (BrmLeadSelection *self)
{
  self->limit = BRM_MAX_LEADS_PER_BATCH;
  self->ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->ids, NULL);
  self->leads = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, unref_lead);
}

BrmLeadSelection *
brm_lead_selection_new (guint limit)
{
  g_return_val_if_fail (limit > 0, NULL);

  return g_object_new (BRM_TYPE_LEAD_SELECTION, "limit", limit, NULL);
}

guint
brm_lead_selection_get_limit (BrmLeadSelection *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), 0);
  return self->limit;
}

guint
brm_lead_selection_get_n_selected (BrmLeadSelection *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), 0);
  return self->ids->len - 1;
}

guint
brm_lead_selection_get_n_in_active_batch (BrmLeadSelection *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), 0);
  return self->n_in_active_batch;
}

gboolean
brm_lead_selection_contains (BrmLeadSelection *self,
                             const char       *id)
{
  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), FALSE);

  return id != NULL && g_hash_table_contains (self->leads, id);
}

/**
 * brm_lead_selection_refuse:
 * @self: a #BrmLeadSelection
 * @would_be: how many leads the refused action would have selected
 *
 * Records that an addition was refused because of the limit, with the
 * sentence the UI shows. Callers that check the limit themselves (the
 * lead browser, before it fetches ids it does not have) use it too.
 */
void
brm_lead_selection_refuse (BrmLeadSelection *self,
                           guint             would_be)
{
  g_return_if_fail (BRM_IS_LEAD_SELECTION (self));

  set_refusal (self, g_strdup_printf (_("Not selected: a batch holds at most %u leads, and this would make %u. "
                                        "Narrow the search or select fewer leads."),
                                      self->limit, would_be));
}

void
brm_lead_selection_clear_refusal (BrmLeadSelection *self)
{
  g_return_if_fail (BRM_IS_LEAD_SELECTION (self));
  set_refusal (self, NULL);
}

/* Remembers what we learnt about an id already selected (its row loaded). */
static void
update_lead (BrmLeadSelection *self,
             const char       *id,
             BrLead           *lead)
{
  gpointer key;

  if (lead != NULL && g_hash_table_lookup_extended (self->leads, id, &key, NULL))
    g_hash_table_insert (self->leads, key, g_object_ref (lead));
}

/**
 * brm_lead_selection_add:
 * @self: a #BrmLeadSelection
 * @id: a lead id
 * @lead: (nullable): the lead, when loaded
 *
 * Returns: %FALSE if the selection is full (then #refusal says so);
 *   %TRUE if @id is selected now, including when it already was
 */
gboolean
brm_lead_selection_add (BrmLeadSelection *self,
                        const char       *id,
                        BrLead           *lead)
{
  guint old_n;

  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (g_hash_table_contains (self->leads, id))
    {
      update_lead (self, id, lead);
      recount_active (self);
      return TRUE;
    }

  old_n = self->ids->len - 1;
  if (old_n + 1 > self->limit)
    {
      brm_lead_selection_refuse (self, old_n + 1);
      return FALSE;
    }

  append_id (self, id, lead);
  emit_changed (self, old_n);
  return TRUE;
}

/**
 * brm_lead_selection_add_many:
 * @self: a #BrmLeadSelection
 * @leads: (element-type BrLead): leads to add
 *
 * Adds every lead of @leads not selected yet, or none of them when that
 * would pass the limit.
 *
 * Returns: whether they were added
 */
gboolean
brm_lead_selection_add_many (BrmLeadSelection *self,
                             GPtrArray        *leads)
{
  g_autoptr(GHashTable) fresh = g_hash_table_new (g_str_hash, g_str_equal);
  guint old_n;

  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), FALSE);
  g_return_val_if_fail (leads != NULL, FALSE);

  old_n = self->ids->len - 1;
  for (guint i = 0; i < leads->len; i++)
    {
      const char *id = br_lead_get_id (leads->pdata[i]);

      if (!g_hash_table_contains (self->leads, id))
        g_hash_table_add (fresh, (gpointer) id);
    }

  if (old_n + g_hash_table_size (fresh) > self->limit)
    {
      brm_lead_selection_refuse (self, old_n + g_hash_table_size (fresh));
      return FALSE;
    }

  for (guint i = 0; i < leads->len; i++)
    {
      BrLead *lead = leads->pdata[i];
      const char *id = br_lead_get_id (lead);

      if (g_hash_table_contains (self->leads, id))
        update_lead (self, id, lead);
      else
        append_id (self, id, lead);
    }

  if (self->ids->len - 1 != old_n)
    emit_changed (self, old_n);
  else
    recount_active (self);
  return TRUE;
}

/**
 * brm_lead_selection_add_ids:
 * @self: a #BrmLeadSelection
 * @ids: lead ids
 *
 * As brm_lead_selection_add_many(), for ids whose leads are not loaded.
 */
gboolean
brm_lead_selection_add_ids (BrmLeadSelection   *self,
                            const char * const *ids)
{
  g_autoptr(GHashTable) fresh = g_hash_table_new (g_str_hash, g_str_equal);
  guint old_n;

  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);

  old_n = self->ids->len - 1;
  for (guint i = 0; ids[i]; i++)
    if (!g_hash_table_contains (self->leads, ids[i]))
      g_hash_table_add (fresh, (gpointer) ids[i]);

  if (old_n + g_hash_table_size (fresh) > self->limit)
    {
      brm_lead_selection_refuse (self, old_n + g_hash_table_size (fresh));
      return FALSE;
    }

  for (guint i = 0; ids[i]; i++)
    if (!g_hash_table_contains (self->leads, ids[i]))
      append_id (self, ids[i], NULL);

  if (self->ids->len - 1 != old_n)
    emit_changed (self, old_n);
  return TRUE;
}

static gboolean
remove_one (BrmLeadSelection *self,
            const char       *id)
{
  for (guint i = 0; i + 1 < self->ids->len; i++)
    {
      if (strcmp (self->ids->pdata[i], id) == 0)
        {
          g_hash_table_remove (self->leads, id);
          g_ptr_array_remove_index (self->ids, i);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
brm_lead_selection_remove (BrmLeadSelection *self,
                           const char       *id)
{
  guint old_n;

  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!g_hash_table_contains (self->leads, id))
    return FALSE;

  old_n = self->ids->len - 1;
  remove_one (self, id);
  emit_changed (self, old_n);
  return TRUE;
}

/* Returns: how many of @ids were selected and are not any more */
guint
brm_lead_selection_remove_many (BrmLeadSelection   *self,
                                const char * const *ids)
{
  guint old_n, n = 0;

  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), 0);
  g_return_val_if_fail (ids != NULL, 0);

  old_n = self->ids->len - 1;
  for (guint i = 0; ids[i]; i++)
    if (g_hash_table_contains (self->leads, ids[i]) && remove_one (self, ids[i]))
      n++;

  if (n > 0)
    emit_changed (self, old_n);
  return n;
}

void
brm_lead_selection_clear (BrmLeadSelection *self)
{
  guint old_n;

  g_return_if_fail (BRM_IS_LEAD_SELECTION (self));

  old_n = self->ids->len - 1;
  if (old_n == 0)
    {
      set_refusal (self, NULL);
      return;
    }

  g_hash_table_remove_all (self->leads);
  g_ptr_array_set_size (self->ids, 0);
  g_ptr_array_add (self->ids, NULL);
  emit_changed (self, old_n);
}

/**
 * brm_lead_selection_set_ids:
 * @self: a #BrmLeadSelection
 * @ids: lead ids, in order
 *
 * Replaces the selection (restoring a draft). Duplicates are dropped and
 * ids past the limit are left out, which #refusal then says.
 */
void
brm_lead_selection_set_ids (BrmLeadSelection   *self,
                            const char * const *ids)
{
  guint old_n, wanted = 0;

  g_return_if_fail (BRM_IS_LEAD_SELECTION (self));
  g_return_if_fail (ids != NULL);

  old_n = self->ids->len - 1;
  g_hash_table_remove_all (self->leads);
  g_ptr_array_set_size (self->ids, 0);
  g_ptr_array_add (self->ids, NULL);

  for (guint i = 0; ids[i]; i++)
    {
      if (*ids[i] == '\0' || g_hash_table_contains (self->leads, ids[i]))
        continue;
      wanted++;
      if (self->ids->len - 1 < self->limit)
        append_id (self, ids[i], NULL);
    }

  emit_changed (self, old_n);
  if (wanted > self->limit)
    brm_lead_selection_refuse (self, wanted);
}

/**
 * brm_lead_selection_get_ids:
 * @self: a #BrmLeadSelection
 *
 * Returns: (transfer none) (array zero-terminated=1): the selected ids, in
 *   the order they were selected; valid until the next change
 */
const char * const *
brm_lead_selection_get_ids (BrmLeadSelection *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), NULL);
  return (const char * const *) self->ids->pdata;
}

/* Returns: (transfer none) (nullable): the lead, if its row was loaded */
BrLead *
brm_lead_selection_get_lead (BrmLeadSelection *self,
                             const char       *id)
{
  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), NULL);
  return g_hash_table_lookup (self->leads, id);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * brm_lead_selection_dup_fingerprint:
 * @self: a #BrmLeadSelection
 *
 * A digest of the selected set, independent of the order: two selections
 * with the same leads have the same fingerprint. Approvals are bound to it.
 *
 * Returns: (transfer full): a hex string
 */
char *
brm_lead_selection_dup_fingerprint (BrmLeadSelection *self)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GPtrArray) sorted = NULL;

  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), NULL);

  /* A copy shares the free function: the strings stay ours. */
  sorted = g_ptr_array_copy (self->ids, NULL, NULL);
  g_ptr_array_set_free_func (sorted, NULL);
  g_ptr_array_set_size (sorted, sorted->len - 1);
  g_ptr_array_sort (sorted, compare_strings);
  for (guint i = 0; i < sorted->len; i++)
    {
      g_checksum_update (checksum, sorted->pdata[i], -1);
      g_checksum_update (checksum, (const guchar *) "\n", 1);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

const char *
brm_lead_selection_get_refusal (BrmLeadSelection *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_SELECTION (self), NULL);
  return self->refusal;
}
