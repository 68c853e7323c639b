/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-lead-list"

#include "config.h"

#include "brm-lead-list.h"

/**
 * BrmLeadList:
 *
 * What became of each lead of one batch, as a #GListModel of
 * #BrLeadResult in the server's order.
 *
 * Results are fetched a page at a time; the next page is requested when a
 * view asks for an item within a quarter page of the end, so scrolling
 * loads as it goes without the view knowing about paging. The status
 * filter is the server's (`?status=`). Live updates change the matching
 * result in place (rows keep their selection), insert a result that now
 * matches the filter and drop one that no longer does.
 *
 * Every request belongs to the current batch and filter: changing either
 * cancels it, so an answer about the previous batch never lands here. A
 * page may have been read before an update that arrived while it loaded:
 * those updates are applied again after the page, so the newest wins.
 */

#define DEFAULT_PAGE_SIZE 100

struct _BrmLeadList
{
  GObject       parent_instance;

  BrClient     *client;
  char         *batch_id;
  BrLeadStatus  status;
  guint         page_size;

  GPtrArray    *items;        /* BrLeadResult, model order */
  GHashTable   *by_id;        /* lead id → BrLeadResult (borrowed from items) */
  GHashTable   *live_only;    /* lead ids inserted by updates, not seen in a page yet */
  GHashTable   *in_flight;    /* lead id → JsonObject, updates received while a page loads */
  guint         n_fetched;    /* the server offset of the next page */
  gint64        total_count;  /* -1 until the first page arrived */
  gboolean      at_end;       /* the server returned an empty page */
  gboolean      has_more;
  GCancellable *cancellable;  /* of the request in flight, if any */
  GError       *error;
  guint         load_source;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BrmLeadList, brm_lead_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_BATCH_ID,
  PROP_STATUS,
  PROP_PAGE_SIZE,
  PROP_TOTAL_COUNT,
  PROP_LOADING,
  PROP_HAS_MORE,
  PROP_ERROR,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void load_page (BrmLeadList *self);

/* GListModel ---------------------------------------------------------------- */

static GType
list_model_get_item_type (GListModel *model)
{
  return BR_TYPE_LEAD_RESULT;
}

static guint
list_model_get_n_items (GListModel *model)
{
  return BRM_LEAD_LIST (model)->items->len;
}

static gboolean
load_more_idle_cb (gpointer data)
{
  BrmLeadList *self = data;

  self->load_source = 0;
  load_page (self);
  return G_SOURCE_REMOVE;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  BrmLeadList *self = BRM_LEAD_LIST (model);

  if (position >= self->items->len)
    return NULL;

  /* A view near the end wants the next page. Not now: a model must not
   * change while it is being read. A failed page waits for an explicit
   * load_more (the Retry button), or a broken server would be hammered. */
  if (position + MAX (self->page_size / 4, 1) >= self->items->len &&
      self->has_more && self->cancellable == NULL && self->error == NULL && self->load_source == 0)
    self->load_source = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, load_more_idle_cb, self, NULL);

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

/* State ----------------------------------------------------------------------- */

static void
update_has_more (BrmLeadList *self)
{
  gboolean has_more;

  if (self->client == NULL || self->batch_id == NULL || self->at_end)
    has_more = FALSE;
  else if (self->total_count < 0)
    has_more = TRUE;
  else
    has_more = self->n_fetched < self->total_count;

  if (has_more == self->has_more)
    return;
  self->has_more = has_more;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MORE]);
}

static void
set_total_count (BrmLeadList *self,
                 gint64       total_count)
{
  if (self->total_count == total_count)
    return;
  self->total_count = total_count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_COUNT]);
}

static void
set_error (BrmLeadList *self,
           GError      *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/* Whether a request is in flight: one notification at each edge. */
static void
set_cancellable (BrmLeadList  *self,
                 GCancellable *cancellable)
{
  gboolean was_loading = self->cancellable != NULL;

  if (self->cancellable != NULL && cancellable == NULL)
    g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, cancellable);
  if (was_loading != (cancellable != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
append_items (BrmLeadList *self,
              GPtrArray   *added)
{
  guint position = self->items->len;

  if (added->len == 0)
    return;

  for (guint i = 0; i < added->len; i++)
    {
      BrLeadResult *result = g_ptr_array_index (added, i);

      g_ptr_array_add (self->items, g_object_ref (result));
      g_hash_table_insert (self->by_id, (gpointer) br_lead_result_get_lead_id (result), result);
    }
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, added->len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
remove_item (BrmLeadList  *self,
             BrLeadResult *result)
{
  guint position;

  if (!g_ptr_array_find (self->items, result, &position))
    g_assert_not_reached ();

  /* A result that came with a page moves the server's later results up by
   * one, so the next page starts one earlier. */
  if (!g_hash_table_remove (self->live_only, br_lead_result_get_lead_id (result)) && self->n_fetched > 0)
    self->n_fetched--;
  g_hash_table_remove (self->by_id, br_lead_result_get_lead_id (result));
  g_ptr_array_remove_index (self->items, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
clear (BrmLeadList *self)
{
  g_autoptr(GPtrArray) old = NULL;
  guint removed = self->items->len;

  g_clear_handle_id (&self->load_source, g_source_remove);
  set_cancellable (self, NULL);
  g_hash_table_remove_all (self->by_id);
  g_hash_table_remove_all (self->live_only);
  g_hash_table_remove_all (self->in_flight);
  /* The items die after the views heard they are gone. */
  old = g_steal_pointer (&self->items);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->n_fetched = 0;
  self->at_end = FALSE;
  set_error (self, NULL);
  set_total_count (self, -1);
  if (removed > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  update_has_more (self);
}

/* Loading --------------------------------------------------------------------- */

static void
page_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(GError) error = NULL;
  BrmLeadList *self;
  gint64 total = 0;

  page = br_client_list_batch_leads_finish (BR_CLIENT (object), result, &total, &error);

  /* Cancelled means another batch, filter or client, or the list is gone:
   * the answer is stale and self may be too. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = BRM_LEAD_LIST (user_data);
  g_object_freeze_notify (G_OBJECT (self));
  set_cancellable (self, NULL);

  if (page == NULL)
    {
      g_debug ("Listing the leads of %s failed: %s", self->batch_id, error->message);
      g_hash_table_remove_all (self->in_flight);
      set_error (self, g_steal_pointer (&error));
      g_object_thaw_notify (G_OBJECT (self));
      return;
    }

  added = g_ptr_array_new ();
  for (guint i = 0; i < page->len; i++)
    {
      BrLeadResult *fresh = g_ptr_array_index (page, i);
      BrLeadResult *known = g_hash_table_lookup (self->by_id, br_lead_result_get_lead_id (fresh));

      if (known == NULL)
        {
          g_ptr_array_add (added, fresh);
          continue;
        }

      /* Already here from a live update (or an overlap after the server's
       * set moved): keep the row, take the page's fields. */
      {
        g_autoptr(JsonNode) node = br_lead_result_to_json (fresh);

        g_hash_table_remove (self->live_only, br_lead_result_get_lead_id (known));
        br_lead_result_update_from_json (known, json_node_get_object (node), NULL);
      }
    }

  self->n_fetched += page->len;
  self->at_end = page->len == 0;
  set_total_count (self, MAX (total, (gint64) self->n_fetched));
  append_items (self, added);
  update_has_more (self);

  /* The page may predate them. */
  {
    g_autoptr(GHashTable) updates = g_steal_pointer (&self->in_flight);
    GHashTableIter iter;
    gpointer value;

    self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
    g_hash_table_iter_init (&iter, updates);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      brm_lead_list_apply_update (self, value);
  }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
load_page (BrmLeadList *self)
{
  g_autoptr(GCancellable) cancellable = NULL;

  if (!self->has_more || self->cancellable != NULL)
    return;

  g_clear_handle_id (&self->load_source, g_source_remove);
  set_error (self, NULL);
  cancellable = g_cancellable_new ();
  set_cancellable (self, cancellable);
  br_client_list_batch_leads_async (self->client, self->batch_id, self->status,
                                    self->n_fetched, self->page_size,
                                    cancellable, page_cb, self);
}

/* GObject --------------------------------------------------------------------- */

static void
brm_lead_list_dispose (GObject *object)
{
  BrmLeadList *self = BRM_LEAD_LIST (object);

  g_clear_handle_id (&self->load_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (brm_lead_list_parent_class)->dispose (object);
}

static void
brm_lead_list_finalize (GObject *object)
{
  BrmLeadList *self = BRM_LEAD_LIST (object);

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->live_only, g_hash_table_unref);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->batch_id, g_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (brm_lead_list_parent_class)->finalize (object);
}

static void
brm_lead_list_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BrmLeadList *self = BRM_LEAD_LIST (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_BATCH_ID:
      g_value_set_string (value, self->batch_id);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_PAGE_SIZE:
      g_value_set_uint (value, self->page_size);
      break;
    case PROP_TOTAL_COUNT:
      g_value_set_int64 (value, self->total_count);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    case PROP_HAS_MORE:
      g_value_set_boolean (value, self->has_more);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_lead_list_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BrmLeadList *self = BRM_LEAD_LIST (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      brm_lead_list_set_client (self, g_value_get_object (value));
      break;
    case PROP_BATCH_ID:
      brm_lead_list_set_batch_id (self, g_value_get_string (value));
      break;
    case PROP_STATUS:
      brm_lead_list_set_status (self, g_value_get_enum (value));
      break;
    case PROP_PAGE_SIZE:
      brm_lead_list_set_page_size (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_lead_list_class_init (BrmLeadListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = brm_lead_list_dispose;
  object_class->finalize = brm_lead_list_finalize;
  object_class->get_property = brm_lead_list_get_property;
  object_class->set_property = brm_lead_list_set_property;

  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, BR_TYPE_CLIENT, rw);
  properties[PROP_BATCH_ID] = g_param_spec_string ("batch-id", NULL, NULL, NULL, rw);
  /**
   * BrmLeadList:status:
   *
   * Only results with this status (the server filters);
   * %BR_LEAD_STATUS_UNKNOWN for all.
   */
  properties[PROP_STATUS] = g_param_spec_enum ("status", NULL, NULL, BR_TYPE_LEAD_STATUS,
                                               BR_LEAD_STATUS_UNKNOWN, rw);
  properties[PROP_PAGE_SIZE] = g_param_spec_uint ("page-size", NULL, NULL, 1, 200, DEFAULT_PAGE_SIZE, rw);
  /**
   * BrmLeadList:total-count:
   *
   * How many results match on the server (pages not loaded included),
   * or -1 before the first page arrived.
   */
  properties[PROP_TOTAL_COUNT] = g_param_spec_int64 ("total-count", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_HAS_MORE] = g_param_spec_boolean ("has-more", NULL, NULL, FALSE, ro);
  /**
   * BrmLeadList:error:
   *
   * Why the last page failed to load, or %NULL. Cleared by the next load.
   */
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_lead_list_init (BrmLeadList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->live_only = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  self->page_size = DEFAULT_PAGE_SIZE;
  self->total_count = -1;
}

/* API ------------------------------------------------------------------------- */

/**
 * brm_lead_list_new:
 * @client: (nullable): the service
 * @batch_id: (nullable): the batch
 *
 * Returns: (transfer full): a list that loads its first page at once if
 *   both are given
 */
BrmLeadList *
brm_lead_list_new (BrClient   *client,
                   const char *batch_id)
{
  g_return_val_if_fail (client == NULL || BR_IS_CLIENT (client), NULL);

  return g_object_new (BRM_TYPE_LEAD_LIST, "client", client, "batch-id", batch_id, NULL);
}

BrClient *
brm_lead_list_get_client (BrmLeadList *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_LIST (self), NULL);
  return self->client;
}

void
brm_lead_list_set_client (BrmLeadList *self,
                          BrClient    *client)
{
  g_return_if_fail (BRM_IS_LEAD_LIST (self));
  g_return_if_fail (client == NULL || BR_IS_CLIENT (client));

  if (self->client == client)
    return;
  g_set_object (&self->client, client);
  brm_lead_list_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

const char *
brm_lead_list_get_batch_id (BrmLeadList *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_LIST (self), NULL);
  return self->batch_id;
}

void
brm_lead_list_set_batch_id (BrmLeadList *self,
                            const char  *batch_id)
{
  g_return_if_fail (BRM_IS_LEAD_LIST (self));

  if (g_strcmp0 (self->batch_id, batch_id) == 0)
    return;
  g_free (self->batch_id);
  self->batch_id = g_strdup (batch_id);
  brm_lead_list_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BATCH_ID]);
}

BrLeadStatus
brm_lead_list_get_status (BrmLeadList *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_LIST (self), BR_LEAD_STATUS_UNKNOWN);
  return self->status;
}

void
brm_lead_list_set_status (BrmLeadList  *self,
                          BrLeadStatus  status)
{
  g_return_if_fail (BRM_IS_LEAD_LIST (self));

  if (self->status == status)
    return;
  self->status = status;
  brm_lead_list_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

guint
brm_lead_list_get_page_size (BrmLeadList *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_LIST (self), 0);
  return self->page_size;
}

/* Takes effect from the next page on. */
void
brm_lead_list_set_page_size (BrmLeadList *self,
                             guint        page_size)
{
  g_return_if_fail (BRM_IS_LEAD_LIST (self));
  g_return_if_fail (page_size > 0 && page_size <= 200);

  if (self->page_size == page_size)
    return;
  self->page_size = page_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_SIZE]);
}

gint64
brm_lead_list_get_total_count (BrmLeadList *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_LIST (self), -1);
  return self->total_count;
}

gboolean
brm_lead_list_get_loading (BrmLeadList *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_LIST (self), FALSE);
  return self->cancellable != NULL;
}

gboolean
brm_lead_list_get_has_more (BrmLeadList *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_LIST (self), FALSE);
  return self->has_more;
}

/**
 * brm_lead_list_get_error:
 * @self: a #BrmLeadList
 *
 * Returns: (transfer none) (nullable): why the last page failed to load
 */
const GError *
brm_lead_list_get_error (BrmLeadList *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_LIST (self), NULL);
  return self->error;
}

/**
 * brm_lead_list_reload:
 * @self: a #BrmLeadList
 *
 * Drops every result and any request in flight, then loads the first page.
 */
void
brm_lead_list_reload (BrmLeadList *self)
{
  g_return_if_fail (BRM_IS_LEAD_LIST (self));

  g_object_freeze_notify (G_OBJECT (self));
  clear (self);
  load_page (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * brm_lead_list_load_more:
 * @self: a #BrmLeadList
 *
 * Loads the next page, unless one is loading or none is left. After an
 * error this is the retry: it asks again for the page that failed.
 */
void
brm_lead_list_load_more (BrmLeadList *self)
{
  g_return_if_fail (BRM_IS_LEAD_LIST (self));
  load_page (self);
}

/**
 * brm_lead_list_lookup:
 * @self: a #BrmLeadList
 * @lead_id: a lead
 *
 * Returns: (transfer none) (nullable): the loaded result of @lead_id
 */
BrLeadResult *
brm_lead_list_lookup (BrmLeadList *self,
                      const char  *lead_id)
{
  g_return_val_if_fail (BRM_IS_LEAD_LIST (self), NULL);
  g_return_val_if_fail (lead_id != NULL, NULL);

  return g_hash_table_lookup (self->by_id, lead_id);
}

/**
 * brm_lead_list_apply_update:
 * @self: a #BrmLeadList
 * @result: a LeadResult of this list's batch (a `lead_updated` event's
 *   `result`, or a per-batch `lead_update` message)
 *
 * Updates the loaded result in place; inserts a result that is not
 * loaded but matches the status filter (without a filter, one not loaded
 * yet arrives with its page); removes one that no longer matches.
 *
 * Returns: whether the list changed
 */
gboolean
brm_lead_list_apply_update (BrmLeadList *self,
                            JsonObject  *result)
{
  g_autoptr(BrLeadResult) fresh = NULL;
  g_autoptr(GError) error = NULL;
  BrLeadResult *known;
  const char *lead_id;

  g_return_val_if_fail (BRM_IS_LEAD_LIST (self), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  if (self->batch_id == NULL)
    return FALSE;

  lead_id = json_object_get_string_member_with_default (result, "lead_id", NULL);
  if (lead_id == NULL)
    return FALSE;
  if (self->cancellable != NULL)
    g_hash_table_replace (self->in_flight, g_strdup (lead_id), json_object_ref (result));

  known = g_hash_table_lookup (self->by_id, lead_id);
  if (known != NULL)
    {
      if (!br_lead_result_update_from_json (known, result, &error))
        {
          g_debug ("Ignoring an update of lead %s: %s", lead_id, error->message);
          return FALSE;
        }
      if (self->status != BR_LEAD_STATUS_UNKNOWN && br_lead_result_get_status (known) != self->status)
        {
          remove_item (self, known);
          if (self->total_count > 0)
            set_total_count (self, self->total_count - 1);
          update_has_more (self);
        }
      return TRUE;
    }

  /* Without a filter every lead of the batch is in the server's list: one
   * not loaded yet is on a later page. */
  if (self->status == BR_LEAD_STATUS_UNKNOWN && self->has_more)
    return FALSE;

  fresh = br_lead_result_new_from_json (result, &error);
  if (fresh == NULL)
    {
      g_debug ("Ignoring an update of lead %s: %s", lead_id, error->message);
      return FALSE;
    }
  if (self->status != BR_LEAD_STATUS_UNKNOWN && br_lead_result_get_status (fresh) != self->status)
    return FALSE;

  {
    g_autoptr(GPtrArray) added = g_ptr_array_new ();

    g_ptr_array_add (added, fresh);
    g_hash_table_add (self->live_only, g_strdup (lead_id));
    append_items (self, added);
  }
  if (self->total_count >= 0)
    set_total_count (self, self->total_count + 1);
  update_has_more (self);
  return TRUE;
}
