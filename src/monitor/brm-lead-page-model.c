/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-lead-page-model"

#include "config.h"

#include <glib/gi18n.h>

#include "brm-lead-page-model.h"

/**
 * BrmLeadPageModel:
 *
 * The service's leads matching a query, as a #GListModel of #BrmLeadRow
 * that is as long as the whole result (`total_count`) but holds only the
 * pages the list has asked for. Searching and filtering happen on the
 * server (`GET /leads`), so 100,000 leads cost one page per screen.
 *
 * A new query keeps the old rows on screen until its first page has
 * arrived (stale while loading), and queries typed while one is in flight
 * are coalesced: at most one query request is out at a time, and the last
 * query typed is always the one shown in the end.
 *
 * It is also the #GtkSelectionModel of the lead table, backed by a
 * #BrmLeadSelection of lead ids: a lead stays selected when the query
 * changes, and selecting rows whose page has not arrived (shift-click
 * far down, Ctrl+A, "select all matching") fetches their ids first. An
 * addition past the selection's limit is refused before anything is
 * fetched when the count alone decides it.
 */

#define PAGE_SIZE          100
#define MAX_PAGE_REQUESTS  2
/* GTK 4.8's list view binds up to 200 rows around the visible ones, so
 * after a new query the second and third pages are bound though off
 * screen. They load again once typing pauses this long, so that they do
 * not hold up the service while the next keystroke's query waits. */
#define REFETCH_DELAY_MS   250
/* GET /leads answers at most this many leads per request. */
#define MAX_FETCH          1000
/* GTK 4.8's list view builds a row for each of up to 200 items around
 * the visible ones as soon as they are in the model: with ten columns,
 * 2,000 cells, a quarter of a second before the first rows could be
 * drawn. So when the count grows from under SHOWN_AT_ONCE, the model
 * reports that many items at once (more than a window shows) and the
 * rest after the next frames, MORE_PER_STEP every STEP_MS, up to
 * STAGED_UP_TO; past that GTK builds no rows and the rest comes at once.
 * STEP_MS is longer than a frame at 60 Hz, and the step's source has a
 * lower priority than the frame clock's, so the rows built so far are
 * drawn before the next ones are built. The total (and "select all
 * matching") is the server's count from the start. */
#define SHOWN_AT_ONCE      40
#define MORE_PER_STEP      40
#define STAGED_UP_TO       240
#define STEP_MS            30

typedef enum
{
  PAGE_EMPTY,
  PAGE_QUEUED,
  PAGE_LOADING,
  PAGE_LOADED,
} PageState;

typedef struct
{
  guint      index;
  PageState  state;
  GPtrArray *rows;     /* BrmLeadRow */
} Page;

typedef struct
{
  char               *search;
  char               *source;
  char               *industry;
  BrEnrichmentStatus  enrichment_status;
} Query;

struct _BrmLeadPageModel
{
  GObject           parent_instance;

  BrClient         *client;
  BrmLeadSelection *selection;

  Query             shown;      /* what the rows are */
  Query             wanted;     /* the latest query asked for */
  gboolean          have_shown;

  guint             n_items;    /* the query's count */
  guint             n_exposed;  /* what the GListModel reports: n_items, but
                                 * growing over a few frames (SHOWN_AT_ONCE) */
  guint             expose_source;
  gint64            total;
  GHashTable       *pages;      /* index → Page */
  GQueue            page_queue; /* page indices, the latest asked for last */
  guint             n_page_requests;
  guint             generation;
  GCancellable     *page_cancellable;

  GCancellable     *query_cancellable;
  guint             refetch_source;
  gboolean          query_in_flight;
  gboolean          reload_wanted;

  guint             n_selection_ops;
  char             *error;
};

static void brm_lead_page_model_list_model_init      (GListModelInterface         *iface);
static void brm_lead_page_model_selection_model_init (GtkSelectionModelInterface  *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BrmLeadPageModel, brm_lead_page_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, brm_lead_page_model_list_model_init)
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SELECTION_MODEL, brm_lead_page_model_selection_model_init))

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_SELECTION,
  PROP_SEARCH,
  PROP_TOTAL,
  PROP_LOADING,
  PROP_BUSY,
  PROP_ERROR,
  N_PROPS
};

enum {
  SIGNAL_SELECTION_REPLACED,
  SIGNAL_PAGE_LOADED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start_query      (BrmLeadPageModel *self);

/* selection-changed for the items the list has (GTK checks the range). */
static void
emit_selection_changed (BrmLeadPageModel *self,
                        guint             position,
                        guint             n)
{
  if (position >= self->n_exposed)
    return;
  n = MIN (n, self->n_exposed - position);
  if (n > 0)
    gtk_selection_model_selection_changed (GTK_SELECTION_MODEL (self), position, n);
}

static gboolean
expose_more_cb (gpointer data)
{
  BrmLeadPageModel *self = data;
  guint old = self->n_exposed;

  self->n_exposed = old + MORE_PER_STEP >= STAGED_UP_TO ? self->n_items : MIN (self->n_items, old + MORE_PER_STEP);
  if (self->n_exposed != old)
    g_list_model_items_changed (G_LIST_MODEL (self), old, 0, self->n_exposed - old);
  if (self->n_exposed < self->n_items)
    return G_SOURCE_CONTINUE;
  self->expose_source = 0;
  return G_SOURCE_REMOVE;
}

/* Brings the reported count to n_items: at once, or staged when it grows
 * from under SHOWN_AT_ONCE to more. */
static void
expose_items (BrmLeadPageModel *self)
{
  guint old = self->n_exposed;
  guint keep;

  g_clear_handle_id (&self->expose_source, g_source_remove);
  if (old < SHOWN_AT_ONCE && self->n_items > SHOWN_AT_ONCE)
    {
      self->n_exposed = SHOWN_AT_ONCE;
      self->expose_source = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, STEP_MS, expose_more_cb, self, NULL);
    }
  else
    self->n_exposed = self->n_items;

  keep = MIN (old, self->n_exposed);
  if (old != self->n_exposed)
    g_list_model_items_changed (G_LIST_MODEL (self), keep, old - keep, self->n_exposed - keep);
}
static void pump_pages       (BrmLeadPageModel *self);

/* Queries ------------------------------------------------------------------- */

static void
query_clear (Query *q)
{
  g_clear_pointer (&q->search, g_free);
  g_clear_pointer (&q->source, g_free);
  g_clear_pointer (&q->industry, g_free);
  q->enrichment_status = BR_ENRICHMENT_STATUS_UNKNOWN;
}

static void
query_copy (Query       *dest,
            const Query *src)
{
  query_clear (dest);
  dest->search = g_strdup (src->search);
  dest->source = g_strdup (src->source);
  dest->industry = g_strdup (src->industry);
  dest->enrichment_status = src->enrichment_status;
}

static gboolean
query_equal (const Query *a,
             const Query *b)
{
  return g_strcmp0 (a->search, b->search) == 0 &&
         g_strcmp0 (a->source, b->source) == 0 &&
         g_strcmp0 (a->industry, b->industry) == 0 &&
         a->enrichment_status == b->enrichment_status;
}

/* Empty means "no filter": the server treats `search=` like no search. */
static char *
normalize (const char *value)
{
  g_autofree char *copy = NULL;

  if (value == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (value));
  return *copy ? g_steal_pointer (&copy) : NULL;
}

static void
list_leads (BrmLeadPageModel    *self,
            const Query         *q,
            guint                skip,
            guint                limit,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  br_client_list_leads_async (self->client, q->search, q->source, q->industry, q->enrichment_status,
                              skip, limit, cancellable, callback, user_data);
}

static void
set_error (BrmLeadPageModel *self,
           const char       *error)
{
  if (g_strcmp0 (self->error, error) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_busy_delta (BrmLeadPageModel *self,
                int               delta)
{
  gboolean was = self->n_selection_ops > 0;

  self->n_selection_ops += delta;
  if (was != (self->n_selection_ops > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Pages --------------------------------------------------------------------- */

static void
page_free (Page *page)
{
  g_clear_pointer (&page->rows, g_ptr_array_unref);
  g_free (page);
}

static Page *
page_new (BrmLeadPageModel *self,
          guint             index)
{
  Page *page = g_new0 (Page, 1);
  guint start = index * PAGE_SIZE;
  guint n = MIN (PAGE_SIZE, self->n_items - start);

  page->index = index;
  page->rows = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (page->rows, brm_lead_row_new (start + i));
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
  return page;
}

static BrLead *
lead_at (BrmLeadPageModel *self,
         guint             position)
{
  Page *page;

  if (position >= self->n_items)
    return NULL;
  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (position / PAGE_SIZE));
  if (page == NULL || page->state != PAGE_LOADED || position % PAGE_SIZE >= page->rows->len)
    return NULL;
  return brm_lead_row_get_lead (page->rows->pdata[position % PAGE_SIZE]);
}

/* Fills a page's rows; returns whether one of them is selected. */
static gboolean
fill_page (BrmLeadPageModel *self,
           Page             *page,
           GPtrArray        *leads)
{
  gboolean any_selected = FALSE;

  /* Fewer leads than rows: the list shrank since its count was taken. */
  for (guint i = leads->len; i < page->rows->len; i++)
    brm_lead_row_set_lead (page->rows->pdata[i], NULL);

  for (guint i = 0; i < page->rows->len && i < leads->len; i++)
    {
      BrLead *lead = leads->pdata[i];

      brm_lead_row_set_lead (page->rows->pdata[i], lead);
      if (brm_lead_selection_contains (self->selection, br_lead_get_id (lead)))
        {
          /* Tells the selection the lead's details (in a running batch?). */
          brm_lead_selection_add (self->selection, br_lead_get_id (lead), lead);
          any_selected = TRUE;
        }
    }
  page->state = PAGE_LOADED;
  return any_selected;
}

typedef struct
{
  BrmLeadPageModel *self;
  guint             generation;
  guint             index;
} PageRequest;

static void
page_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  PageRequest *req = user_data;
  g_autoptr(BrmLeadPageModel) self = req->self;
  g_autoptr(GPtrArray) leads = NULL;
  g_autoptr(GError) error = NULL;
  guint generation = req->generation, index = req->index;
  Page *page;

  g_free (req);
  leads = br_client_list_leads_finish (BR_CLIENT (object), result, NULL, &error);
  self->n_page_requests--;

  if (generation != self->generation)
    {
      pump_pages (self);
      return;
    }

  page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
  if (leads == NULL)
    {
      /* Asked again the next time the list shows one of its rows. */
      if (page != NULL)
        page->state = PAGE_EMPTY;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_error (self, error->message);
      pump_pages (self);
      return;
    }

  set_error (self, NULL);
  if (page != NULL && fill_page (self, page, leads))
    emit_selection_changed (self, index * PAGE_SIZE, page->rows->len);
  g_signal_emit (self, signals[SIGNAL_PAGE_LOADED], 0, index);
  pump_pages (self);
}

/* The latest page asked for goes first: it is the one on screen when the
 * user scrolls fast. */
static void
pump_pages (BrmLeadPageModel *self)
{
  while (self->n_page_requests < MAX_PAGE_REQUESTS && !g_queue_is_empty (&self->page_queue))
    {
      guint index = GPOINTER_TO_UINT (g_queue_pop_tail (&self->page_queue));
      Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));
      PageRequest *req;

      if (page == NULL || page->state != PAGE_QUEUED)
        continue;

      page->state = PAGE_LOADING;
      req = g_new0 (PageRequest, 1);
      req->self = g_object_ref (self);
      req->generation = self->generation;
      req->index = index;
      self->n_page_requests++;
      list_leads (self, &self->shown, index * PAGE_SIZE, PAGE_SIZE, self->page_cancellable, page_cb, req);
    }
}

static BrmLeadRow *
row_at (BrmLeadPageModel *self,
        guint             position)
{
  guint index = position / PAGE_SIZE;
  Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (index));

  if (page == NULL)
    page = page_new (self, index);

  if (page->state == PAGE_EMPTY)
    {
      page->state = PAGE_QUEUED;
      g_queue_push_tail (&self->page_queue, GUINT_TO_POINTER (index));
      pump_pages (self);
    }

  return page->rows->pdata[position % PAGE_SIZE];
}

/* Whether a row of @page is on screen: the list's cells follow their
 * row's lead while bound (notify::lead), and only then. */
static gboolean
page_is_shown (Page *page)
{
  static guint notify_id;
  GQuark lead = g_quark_from_static_string ("lead");

  if (notify_id == 0)
    notify_id = g_signal_lookup ("notify", G_TYPE_OBJECT);
  for (guint i = 0; i < page->rows->len; i++)
    if (g_signal_has_handler_pending (page->rows->pdata[i], notify_id, lead, FALSE))
      return TRUE;
  return FALSE;
}

static void
clear_rows (Page  *page,
            guint  from)
{
  for (guint i = from; i < page->rows->len; i++)
    brm_lead_row_set_lead (page->rows->pdata[i], NULL);
}

/* After a new query's count is known: every page is cut or grown to the
 * new count and emptied; pages on screen are queued for loading, the
 * others dropped. The first page is filled by the caller. */
static void
refit_pages (BrmLeadPageModel *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Page *page = value;
      guint start = page->index * PAGE_SIZE;
      guint n_rows;

      if (start >= self->n_items || (page->index > 0 && !page_is_shown (page)))
        {
          clear_rows (page, 0);
          g_hash_table_iter_remove (&iter);
          continue;
        }

      n_rows = MIN (PAGE_SIZE, self->n_items - start);
      if (page->rows->len > n_rows)
        {
          clear_rows (page, n_rows);
          g_ptr_array_set_size (page->rows, n_rows);
        }
      for (guint i = page->rows->len; i < n_rows; i++)
        g_ptr_array_add (page->rows, brm_lead_row_new (start + i));

      if (page->index > 0)
        {
          clear_rows (page, 0);
          page->state = PAGE_QUEUED;
          g_queue_push_tail (&self->page_queue, GUINT_TO_POINTER (page->index));
        }
    }
}

static gboolean
refetch_cb (gpointer data)
{
  BrmLeadPageModel *self = data;

  self->refetch_source = 0;
  pump_pages (self);
  return G_SOURCE_REMOVE;
}

/* The query ----------------------------------------------------------------- */

typedef struct
{
  BrmLeadPageModel *self;
  Query             query;
} QueryRequest;

static void
query_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  QueryRequest *req = user_data;
  g_autoptr(BrmLeadPageModel) self = req->self;
  g_autoptr(GPtrArray) leads = NULL;
  g_autoptr(GError) error = NULL;
  gint64 total = 0;
  guint old_n, keep;
  Page *page;

  leads = br_client_list_leads_finish (BR_CLIENT (object), result, &total, &error);
  self->query_in_flight = FALSE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      query_clear (&req->query);
      g_free (req);
      return;
    }

  /* Typed on while this was out: ask for the latest query instead. */
  if (!query_equal (&req->query, &self->wanted) || self->reload_wanted)
    {
      query_clear (&req->query);
      g_free (req);
      start_query (self);
      return;
    }

  if (leads == NULL)
    {
      query_clear (&req->query);
      g_free (req);
      set_error (self, error->message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
      return;
    }

  /* A new generation: page answers of the old query are dropped. */
  g_clear_handle_id (&self->refetch_source, g_source_remove);
  self->generation++;
  g_cancellable_cancel (self->page_cancellable);
  g_clear_object (&self->page_cancellable);
  self->page_cancellable = g_cancellable_new ();
  g_queue_clear (&self->page_queue);

  query_copy (&self->shown, &req->query);
  self->have_shown = TRUE;
  query_clear (&req->query);
  g_free (req);

  /* Rows keep their positions and get the new query's leads in place;
   * only a change of the count is an items-changed, at the end of the
   * list. Replacing every row would make GTK 4.8 rebuild every cell
   * widget at each keystroke, and its items-changed handling costs time
   * in proportion to the rows replaced (about 4 ms per thousand here).
   * Pages on screen load again at once; the others are dropped and load
   * again when shown. */
  old_n = self->n_exposed;
  self->n_items = (guint) CLAMP (total, 0, G_MAXUINT);
  keep = MIN (old_n, self->n_items);
  refit_pages (self);
  if (self->n_items > 0)
    {
      page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (0));
      if (page == NULL)
        page = page_new (self, 0);
      fill_page (self, page, leads);
    }

  set_error (self, NULL);
  expose_items (self);
  if (keep > 0)
    emit_selection_changed (self, 0, keep);
  if (!g_queue_is_empty (&self->page_queue))
    self->refetch_source = g_timeout_add (REFETCH_DELAY_MS, refetch_cb, self);
  if (self->total != total)
    {
      self->total = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  g_signal_emit (self, signals[SIGNAL_PAGE_LOADED], 0, 0u);
}

static void
start_query (BrmLeadPageModel *self)
{
  QueryRequest *req;
  gboolean was_loading = brm_lead_page_model_get_loading (self);

  req = g_new0 (QueryRequest, 1);
  req->self = g_object_ref (self);
  query_copy (&req->query, &self->wanted);
  self->query_in_flight = TRUE;
  self->reload_wanted = FALSE;
  list_leads (self, &req->query, 0, PAGE_SIZE, self->query_cancellable, query_cb, req);

  if (!was_loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Selection ----------------------------------------------------------------- */

typedef struct
{
  BrmLeadPageModel *self;
  guint             generation;
  GtkBitset        *select;
  GtkBitset        *unselect;
  gboolean          clear_all;
  GHashTable       *fetched;     /* position → BrLead */
  guint             n_pending;
  gboolean          failed;
} SelectionOp;

static void
selection_op_free (SelectionOp *op)
{
  g_clear_pointer (&op->select, gtk_bitset_unref);
  g_clear_pointer (&op->unselect, gtk_bitset_unref);
  g_clear_pointer (&op->fetched, g_hash_table_unref);
  g_clear_object (&op->self);
  g_free (op);
}

static BrLead *
op_lead_at (SelectionOp *op,
            guint        position)
{
  BrLead *lead = lead_at (op->self, position);

  if (lead == NULL && op->fetched != NULL)
    lead = g_hash_table_lookup (op->fetched, GUINT_TO_POINTER (position));
  return lead;
}

/* How many leads would be selected after the operation, counting leads
 * we do not know yet as not selected (so an estimate can only be high). */
static guint
count_after (SelectionOp *op)
{
  BrmLeadSelection *selection = op->self->selection;
  guint64 n = op->clear_all ? 0 : brm_lead_selection_get_n_selected (selection);
  GtkBitsetIter iter;
  guint pos;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, op->select, &pos); ok; ok = gtk_bitset_iter_next (&iter, &pos))
    {
      BrLead *lead = op_lead_at (op, pos);

      if (op->clear_all || lead == NULL || !brm_lead_selection_contains (selection, br_lead_get_id (lead)))
        n++;
    }
  if (!op->clear_all)
    {
      for (gboolean ok = gtk_bitset_iter_init_first (&iter, op->unselect, &pos); ok; ok = gtk_bitset_iter_next (&iter, &pos))
        {
          BrLead *lead = op_lead_at (op, pos);

          if (lead != NULL && brm_lead_selection_contains (selection, br_lead_get_id (lead)) &&
              !gtk_bitset_contains (op->select, pos))
            n--;
        }
    }
  return (guint) MIN (n, G_MAXUINT);
}

/* Applies an operation whose leads are all known. */
static gboolean
apply_op (SelectionOp *op)
{
  BrmLeadSelection *selection = op->self->selection;
  g_autoptr(GPtrArray) add = g_ptr_array_new ();
  g_autoptr(GPtrArray) remove = g_ptr_array_new ();
  g_auto(GStrv) previous = NULL;
  GtkBitsetIter iter;
  guint pos, after = count_after (op), n_dropped = 0;

  if (after > brm_lead_selection_get_limit (selection))
    {
      brm_lead_selection_refuse (selection, after);
      return FALSE;
    }

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, op->select, &pos); ok; ok = gtk_bitset_iter_next (&iter, &pos))
    {
      BrLead *lead = op_lead_at (op, pos);

      if (lead != NULL)
        g_ptr_array_add (add, lead);
    }
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, op->unselect, &pos); ok; ok = gtk_bitset_iter_next (&iter, &pos))
    {
      BrLead *lead = op_lead_at (op, pos);

      if (lead != NULL && !gtk_bitset_contains (op->select, pos))
        g_ptr_array_add (remove, (gpointer) br_lead_get_id (lead));
    }
  g_ptr_array_add (remove, NULL);

  if (op->clear_all)
    {
      g_autoptr(GHashTable) kept = g_hash_table_new (g_str_hash, g_str_equal);
      const char * const *ids = brm_lead_selection_get_ids (selection);

      for (guint i = 0; i < add->len; i++)
        g_hash_table_add (kept, (gpointer) br_lead_get_id (add->pdata[i]));
      for (guint i = 0; ids[i]; i++)
        if (!g_hash_table_contains (kept, ids[i]))
          n_dropped++;
      /* Replacing a selection by a click or an arrow key is how lists
       * work, but it can throw away leads picked under other searches:
       * the browser offers to undo it. */
      if (n_dropped > 1)
        previous = g_strdupv ((char **) ids);
      brm_lead_selection_clear (selection);
    }

  brm_lead_selection_remove_many (selection, (const char * const *) remove->pdata);
  if (!brm_lead_selection_add_many (selection, add))
    return FALSE;

  if (previous != NULL)
    g_signal_emit (op->self, signals[SIGNAL_SELECTION_REPLACED], 0, previous, n_dropped);
  return TRUE;
}

typedef struct
{
  SelectionOp *op;
  guint        skip;
} FetchData;

static void
op_fetch_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  FetchData *data = user_data;
  SelectionOp *op = data->op;
  BrmLeadPageModel *self = op->self;
  g_autoptr(GPtrArray) leads = NULL;
  g_autoptr(GError) error = NULL;
  guint skip = data->skip;

  g_free (data);
  leads = br_client_list_leads_finish (BR_CLIENT (object), result, NULL, &error);
  if (leads == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_error (self, error->message);
      op->failed = TRUE;
    }
  else
    {
      for (guint i = 0; i < leads->len; i++)
        g_hash_table_insert (op->fetched, GUINT_TO_POINTER (skip + i), g_object_ref (leads->pdata[i]));
    }

  if (--op->n_pending > 0)
    return;

  /* A query that changed meanwhile moved the positions: drop the op. */
  if (!op->failed && op->generation == self->generation)
    apply_op (op);
  set_busy_delta (self, -1);
  selection_op_free (op);
}

/* Starts @op, taking ownership. Returns FALSE when it is refused at once. */
static gboolean
run_op (SelectionOp *op)
{
  BrmLeadPageModel *self = op->self;
  g_autoptr(GtkBitset) unknown = gtk_bitset_new_empty ();
  g_autoptr(GtkBitset) all = gtk_bitset_copy (op->select);
  GtkBitsetIter iter;
  guint pos, limit = brm_lead_selection_get_limit (self->selection);
  guint64 size;
  gboolean ok;

  gtk_bitset_union (all, op->unselect);
  for (ok = gtk_bitset_iter_init_first (&iter, all, &pos); ok; ok = gtk_bitset_iter_next (&iter, &pos))
    if (lead_at (self, pos) == NULL)
      gtk_bitset_add (unknown, pos);

  if (gtk_bitset_is_empty (unknown))
    {
      ok = apply_op (op);
      selection_op_free (op);
      return ok;
    }

  /* Every position in select ends up selected, so more of them than the
   * limit is refused without asking the server anything. */
  size = gtk_bitset_get_size (op->select);
  if (size > limit)
    {
      guint64 would_be = op->clear_all ? size : size + brm_lead_selection_get_n_selected (self->selection);

      brm_lead_selection_refuse (self->selection, (guint) MIN (would_be, G_MAXUINT));
      selection_op_free (op);
      return FALSE;
    }

  op->fetched = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  op->generation = self->generation;
  set_busy_delta (self, +1);

  /* Fetches the span of unknown positions in requests the server allows.
   * Spans are short: a selection is at most the limit, and unselecting
   * unloaded rows happens only for ctrl-shift ranges. */
  {
    guint first = gtk_bitset_get_minimum (unknown);
    guint last = gtk_bitset_get_maximum (unknown);

    for (guint skip = first; skip <= last; skip += MAX_FETCH)
      {
        FetchData *data = g_new0 (FetchData, 1);

        data->op = op;
        data->skip = skip;
        op->n_pending++;
        list_leads (self, &self->shown, skip, MIN (MAX_FETCH, last - skip + 1), self->page_cancellable,
                    op_fetch_cb, data);
      }
  }
  return TRUE;
}

static SelectionOp *
op_new (BrmLeadPageModel *self,
        gboolean          clear_all)
{
  SelectionOp *op = g_new0 (SelectionOp, 1);

  op->self = g_object_ref (self);
  op->select = gtk_bitset_new_empty ();
  op->unselect = gtk_bitset_new_empty ();
  op->clear_all = clear_all;
  return op;
}

static void
selection_changed_cb (BrmLeadPageModel *self)
{
  emit_selection_changed (self, 0, self->n_items);
}

/* GListModel ---------------------------------------------------------------- */

static GType
brm_lead_page_model_get_item_type (GListModel *model)
{
  return BRM_TYPE_LEAD_ROW;
}

static guint
brm_lead_page_model_get_n_items (GListModel *model)
{
  return BRM_LEAD_PAGE_MODEL (model)->n_exposed;
}

static gpointer
brm_lead_page_model_get_item (GListModel *model,
                              guint       position)
{
  BrmLeadPageModel *self = BRM_LEAD_PAGE_MODEL (model);

  if (position >= self->n_exposed)
    return NULL;
  return g_object_ref (row_at (self, position));
}

static void
brm_lead_page_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = brm_lead_page_model_get_item_type;
  iface->get_n_items = brm_lead_page_model_get_n_items;
  iface->get_item = brm_lead_page_model_get_item;
}

/* GtkSelectionModel --------------------------------------------------------- */

static gboolean
brm_lead_page_model_is_selected (GtkSelectionModel *model,
                                 guint              position)
{
  BrmLeadPageModel *self = BRM_LEAD_PAGE_MODEL (model);
  BrLead *lead = lead_at (self, position);

  return lead != NULL && brm_lead_selection_contains (self->selection, br_lead_get_id (lead));
}

static gboolean
brm_lead_page_model_select_item (GtkSelectionModel *model,
                                 guint              position,
                                 gboolean           unselect_rest)
{
  SelectionOp *op = op_new (BRM_LEAD_PAGE_MODEL (model), unselect_rest);

  gtk_bitset_add (op->select, position);
  return run_op (op);
}

static gboolean
brm_lead_page_model_unselect_item (GtkSelectionModel *model,
                                   guint              position)
{
  SelectionOp *op = op_new (BRM_LEAD_PAGE_MODEL (model), FALSE);

  gtk_bitset_add (op->unselect, position);
  return run_op (op);
}

static gboolean
brm_lead_page_model_select_range (GtkSelectionModel *model,
                                  guint              position,
                                  guint              n_items,
                                  gboolean           unselect_rest)
{
  BrmLeadPageModel *self = BRM_LEAD_PAGE_MODEL (model);
  SelectionOp *op;

  if (position >= self->n_items || n_items == 0)
    return FALSE;
  op = op_new (self, unselect_rest);
  gtk_bitset_add_range (op->select, position, MIN (n_items, self->n_items - position));
  return run_op (op);
}

static gboolean
brm_lead_page_model_unselect_range (GtkSelectionModel *model,
                                    guint              position,
                                    guint              n_items)
{
  BrmLeadPageModel *self = BRM_LEAD_PAGE_MODEL (model);
  SelectionOp *op;

  if (position >= self->n_items || n_items == 0)
    return FALSE;
  op = op_new (self, FALSE);
  gtk_bitset_add_range (op->unselect, position, MIN (n_items, self->n_items - position));
  return run_op (op);
}

static gboolean
brm_lead_page_model_select_all (GtkSelectionModel *model)
{
  return brm_lead_page_model_select_all_matching (BRM_LEAD_PAGE_MODEL (model));
}

/* Clears the whole selection, including leads picked under other queries:
 * that is what "Select None" means to the operator composing a batch. */
static gboolean
brm_lead_page_model_unselect_all (GtkSelectionModel *model)
{
  brm_lead_selection_clear (BRM_LEAD_PAGE_MODEL (model)->selection);
  return TRUE;
}

/* GtkListBase extends selections with a mask over every row (shift-click)
 * or over a range (ctrl-shift-click). A mask over every row replaces the
 * selection, the way a plain click does. */
static gboolean
brm_lead_page_model_set_selection (GtkSelectionModel *model,
                                   GtkBitset         *selected,
                                   GtkBitset         *mask)
{
  BrmLeadPageModel *self = BRM_LEAD_PAGE_MODEL (model);
  gboolean everything = self->n_items > 0 &&
                        gtk_bitset_get_size_in_range (mask, 0, self->n_items - 1) == self->n_items;
  SelectionOp *op = op_new (self, everything);

  gtk_bitset_union (op->select, selected);
  gtk_bitset_intersect (op->select, mask);
  if (self->n_items > 0)
    gtk_bitset_remove_range (op->select, self->n_items, G_MAXUINT - self->n_items);
  if (!everything)
    {
      gtk_bitset_union (op->unselect, mask);
      gtk_bitset_subtract (op->unselect, selected);
    }
  return run_op (op);
}

static void
brm_lead_page_model_selection_model_init (GtkSelectionModelInterface *iface)
{
  iface->is_selected = brm_lead_page_model_is_selected;
  iface->select_item = brm_lead_page_model_select_item;
  iface->unselect_item = brm_lead_page_model_unselect_item;
  iface->select_range = brm_lead_page_model_select_range;
  iface->unselect_range = brm_lead_page_model_unselect_range;
  iface->select_all = brm_lead_page_model_select_all;
  iface->unselect_all = brm_lead_page_model_unselect_all;
  iface->set_selection = brm_lead_page_model_set_selection;
}

/* GObject ------------------------------------------------------------------- */

static void
brm_lead_page_model_dispose (GObject *object)
{
  BrmLeadPageModel *self = BRM_LEAD_PAGE_MODEL (object);

  g_clear_handle_id (&self->refetch_source, g_source_remove);
  g_clear_handle_id (&self->expose_source, g_source_remove);
  g_cancellable_cancel (self->page_cancellable);
  g_cancellable_cancel (self->query_cancellable);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (brm_lead_page_model_parent_class)->dispose (object);
}

static void
brm_lead_page_model_finalize (GObject *object)
{
  BrmLeadPageModel *self = BRM_LEAD_PAGE_MODEL (object);

  g_queue_clear (&self->page_queue);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_object (&self->page_cancellable);
  g_clear_object (&self->query_cancellable);
  query_clear (&self->shown);
  query_clear (&self->wanted);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (brm_lead_page_model_parent_class)->finalize (object);
}

static void
brm_lead_page_model_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  BrmLeadPageModel *self = BRM_LEAD_PAGE_MODEL (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_SELECTION:
      g_value_set_object (value, self->selection);
      break;
    case PROP_SEARCH:
      g_value_set_string (value, self->wanted.search);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, brm_lead_page_model_get_loading (self));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->n_selection_ops > 0);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_lead_page_model_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BrmLeadPageModel *self = BRM_LEAD_PAGE_MODEL (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_SELECTION:
      self->selection = g_value_dup_object (value);
      break;
    case PROP_SEARCH:
      brm_lead_page_model_set_search (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_lead_page_model_constructed (GObject *object)
{
  BrmLeadPageModel *self = BRM_LEAD_PAGE_MODEL (object);

  G_OBJECT_CLASS (brm_lead_page_model_parent_class)->constructed (object);

  g_assert (self->client != NULL);
  if (self->selection == NULL)
    self->selection = brm_lead_selection_new (BRM_MAX_LEADS_PER_BATCH);
  g_signal_connect_swapped (self->selection, "changed", G_CALLBACK (selection_changed_cb), self);
}

static void
brm_lead_page_model_class_init (BrmLeadPageModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = brm_lead_page_model_constructed;
  object_class->dispose = brm_lead_page_model_dispose;
  object_class->finalize = brm_lead_page_model_finalize;
  object_class->get_property = brm_lead_page_model_get_property;
  object_class->set_property = brm_lead_page_model_set_property;

  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, BR_TYPE_CLIENT, co);
  properties[PROP_SELECTION] = g_param_spec_object ("selection", NULL, NULL, BRM_TYPE_LEAD_SELECTION, co);
  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * BrmLeadPageModel:total:
   *
   * How many leads match the query shown; -1 before the first answer.
   */
  properties[PROP_TOTAL] = g_param_spec_int64 ("total", NULL, NULL, -1, G_MAXINT64, -1, ro);
  /**
   * BrmLeadPageModel:loading:
   *
   * Whether a query is on its way; the rows shown are the previous
   * query's meanwhile.
   */
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  /**
   * BrmLeadPageModel:busy:
   *
   * Whether a selection waits for the ids of rows not loaded yet.
   */
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BrmLeadPageModel::selection-replaced:
   * @previous: the ids selected before
   * @n_dropped: how many of them are not selected any more
   *
   * A click, an arrow key or a shift-click replaced a selection of more
   * than one lead.
   */
  signals[SIGNAL_SELECTION_REPLACED] = g_signal_new ("selection-replaced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                              0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRV, G_TYPE_UINT);
  /**
   * BrmLeadPageModel::page-loaded:
   * @index: the page, 0 when a new query's first page arrived
   */
  signals[SIGNAL_PAGE_LOADED] = g_signal_new ("page-loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
brm_lead_page_model_init (BrmLeadPageModel *self)
{
  self->total = -1;
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) page_free);
  g_queue_init (&self->page_queue);
  self->page_cancellable = g_cancellable_new ();
  self->query_cancellable = g_cancellable_new ();
}

/**
 * brm_lead_page_model_new:
 * @client: the service
 * @selection: (nullable): where selected lead ids go; a new one if %NULL
 *
 * The model is empty until brm_lead_page_model_set_query() or
 * brm_lead_page_model_reload() is called.
 */
BrmLeadPageModel *
brm_lead_page_model_new (BrClient         *client,
                         BrmLeadSelection *selection)
{
  g_return_val_if_fail (BR_IS_CLIENT (client), NULL);
  g_return_val_if_fail (selection == NULL || BRM_IS_LEAD_SELECTION (selection), NULL);

  return g_object_new (BRM_TYPE_LEAD_PAGE_MODEL, "client", client, "selection", selection, NULL);
}

BrClient *
brm_lead_page_model_get_client (BrmLeadPageModel *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_PAGE_MODEL (self), NULL);
  return self->client;
}

BrmLeadSelection *
brm_lead_page_model_get_selection (BrmLeadPageModel *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_PAGE_MODEL (self), NULL);
  return self->selection;
}

/**
 * brm_lead_page_model_set_query:
 * @self: a #BrmLeadPageModel
 * @search: (nullable): text in the company, domain, email or contact
 * @source: (nullable): exact source
 * @industry: (nullable): exact industry
 * @enrichment_status: %BR_ENRICHMENT_STATUS_UNKNOWN for any
 *
 * Asks for the leads matching the query; the rows change when the first
 * page has arrived. Cheap to call on every keystroke.
 */
void
brm_lead_page_model_set_query (BrmLeadPageModel   *self,
                               const char         *search,
                               const char         *source,
                               const char         *industry,
                               BrEnrichmentStatus  enrichment_status)
{
  Query q = { normalize (search), normalize (source), normalize (industry), enrichment_status };
  gboolean search_changed;

  g_return_if_fail (BRM_IS_LEAD_PAGE_MODEL (self));

  if (self->have_shown || self->query_in_flight)
    {
      if (query_equal (&q, &self->wanted))
        {
          query_clear (&q);
          return;
        }
    }

  search_changed = g_strcmp0 (q.search, self->wanted.search) != 0;
  query_copy (&self->wanted, &q);
  query_clear (&q);
  if (search_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);

  if (!self->query_in_flight)
    start_query (self);
}

const char *
brm_lead_page_model_get_search (BrmLeadPageModel *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_PAGE_MODEL (self), NULL);
  return self->wanted.search;
}

void
brm_lead_page_model_set_search (BrmLeadPageModel *self,
                                const char       *search)
{
  g_return_if_fail (BRM_IS_LEAD_PAGE_MODEL (self));

  brm_lead_page_model_set_query (self, search, self->wanted.source, self->wanted.industry,
                                 self->wanted.enrichment_status);
}

/**
 * brm_lead_page_model_reload:
 * @self: a #BrmLeadPageModel
 *
 * Asks again for the current query (after an import, say).
 */
void
brm_lead_page_model_reload (BrmLeadPageModel *self)
{
  g_return_if_fail (BRM_IS_LEAD_PAGE_MODEL (self));

  if (self->query_in_flight)
    self->reload_wanted = TRUE;
  else
    start_query (self);
}

/**
 * brm_lead_page_model_cancel:
 * @self: a #BrmLeadPageModel
 *
 * Drops every request under way; the owner calls it when it goes away,
 * as the requests keep the model alive until they return.
 */
void
brm_lead_page_model_cancel (BrmLeadPageModel *self)
{
  g_return_if_fail (BRM_IS_LEAD_PAGE_MODEL (self));

  g_clear_handle_id (&self->refetch_source, g_source_remove);
  g_cancellable_cancel (self->page_cancellable);
  g_cancellable_cancel (self->query_cancellable);
}

gint64
brm_lead_page_model_get_total (BrmLeadPageModel *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_PAGE_MODEL (self), -1);
  return self->total;
}

gboolean
brm_lead_page_model_get_loading (BrmLeadPageModel *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_PAGE_MODEL (self), FALSE);
  return self->query_in_flight;
}

gboolean
brm_lead_page_model_get_busy (BrmLeadPageModel *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_PAGE_MODEL (self), FALSE);
  return self->n_selection_ops > 0;
}

const char *
brm_lead_page_model_get_error (BrmLeadPageModel *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_PAGE_MODEL (self), NULL);
  return self->error;
}

guint
brm_lead_page_model_get_page_size (BrmLeadPageModel *self)
{
  return PAGE_SIZE;
}

/**
 * brm_lead_page_model_get_lead:
 * @self: a #BrmLeadPageModel
 * @position: a row
 *
 * Returns: (transfer none) (nullable): the lead at @position if its page
 *   has arrived; does not ask for it
 */
BrLead *
brm_lead_page_model_get_lead (BrmLeadPageModel *self,
                              guint             position)
{
  g_return_val_if_fail (BRM_IS_LEAD_PAGE_MODEL (self), NULL);
  return lead_at (self, position);
}

/**
 * brm_lead_page_model_select_all_matching:
 * @self: a #BrmLeadPageModel
 *
 * Adds every lead matching the query to the selection, loaded or not.
 * Refused at once (see #BrmLeadSelection:refusal) when the result would
 * pass the limit.
 *
 * Returns: %FALSE if refused; %TRUE if done or under way (#busy)
 */
gboolean
brm_lead_page_model_select_all_matching (BrmLeadPageModel *self)
{
  SelectionOp *op;

  g_return_val_if_fail (BRM_IS_LEAD_PAGE_MODEL (self), FALSE);

  if (self->n_items == 0)
    return FALSE;
  op = op_new (self, FALSE);
  gtk_bitset_add_range (op->select, 0, self->n_items);
  return run_op (op);
}

/**
 * brm_lead_page_model_toggle:
 * @self: a #BrmLeadPageModel
 * @position: a loaded row
 *
 * Adds the row's lead to the selection or removes it, leaving the other
 * selected leads alone (the row's check box).
 *
 * Returns: %FALSE if the row is not loaded or the selection is full
 */
gboolean
brm_lead_page_model_toggle (BrmLeadPageModel *self,
                            guint             position)
{
  BrLead *lead;

  g_return_val_if_fail (BRM_IS_LEAD_PAGE_MODEL (self), FALSE);

  lead = lead_at (self, position);
  if (lead == NULL)
    return FALSE;
  if (brm_lead_selection_contains (self->selection, br_lead_get_id (lead)))
    return brm_lead_selection_remove (self->selection, br_lead_get_id (lead));
  return brm_lead_selection_add (self->selection, br_lead_get_id (lead), lead);
}
