/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-batch-table"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "brm-batch-table.h"
#include "brm-progress-cell.h"
#include "brm-status-cell.h"

/**
 * BrmBatchTable:
 *
 * The operator's table of batches: a #GtkColumnView over a list model of
 * #BrBatch (usually the connection's #BrBatchStore), with text search,
 * status and template filters, sortable columns whose visibility, order,
 * widths and sort are kept in #GSettings, and a multi-selection.
 *
 * The models are chained model → GtkSortListModel → GtkFilterListModel →
 * GtkMultiSelection. Sorting comes first because the filter is what
 * changes often: every keystroke in the search entry refilters (and a
 * stricter or looser search only looks at the rows that can change),
 * while the rows stay sorted and are never re-sorted for it. A sort
 * changes only when the operator clicks a header; then all rows are
 * sorted once and the filter runs over them in order.
 *
 * Rows follow live updates in place: each cell listens to the properties
 * it shows, of the one batch it is bound to, and formats only when one
 * of those changed. Rows do not move when their values change: the sort
 * model keeps each row's sort key from when it was sorted, so the order
 * stays until the operator sorts again or rows are added (new rows are
 * placed where they belong). Operators lose their place when rows jump
 * under the pointer on every progress tick. In the same way a row whose
 * status changes stays visible under a status filter until the filters
 * change.
 */

#define SAVE_DELAY_MS 200
/* How long one frame may spend applying live updates: half a 60 Hz
 * frame, leaving the rest for the rows that changed to be drawn. */
#define FLUSH_BUDGET_US 8000

typedef enum
{
  CELL_TEXT,
  CELL_STATUS,
  CELL_PROGRESS,
} CellKind;

typedef const char *(*FormatFunc)  (BrBatch *batch,
                                    char    *buf,
                                    gsize    size);
typedef int         (*CompareFunc) (BrBatch *a,
                                    BrBatch *b);

typedef struct
{
  const char  *id;             /* as in the GSettings keys */
  const char  *title;          /* N_() */
  CellKind     kind;
  const char  *notify[2];      /* detailed signals of the properties the cell shows */
  FormatFunc   format;         /* CELL_TEXT */
  CompareFunc  compare;        /* ascending order */
  const char  *sort_property;  /* numeric sort key read as a property, or */
  GCallback    sort_key;       /* numeric sort key computed in C, or neither: sorted by @compare */
  GType        sort_key_type;
  gboolean     numeric;        /* right-aligned, tabular figures */
  gboolean     expand;
  gboolean     hideable;
  guint        chars;          /* natural width, in characters */
} ColumnInfo;

typedef struct _Column Column;

struct _Column
{
  BrmBatchTable       *table;
  const ColumnInfo    *info;
  GtkColumnViewColumn *column;
  GtkSorter           *model_sorters[2];  /* ascending, descending: made on first use */
};

/* Status ------------------------------------------------------------------- */

static const struct
{
  const char *label;
  const char *icon;
  const char *css;
} status_info[] = {
  [BR_BATCH_STATUS_UNKNOWN]   = { N_("Unknown"),   "dialog-question-symbolic",      "unknown" },
  [BR_BATCH_STATUS_RUNNING]   = { N_("Running"),   "media-playback-start-symbolic", "running" },
  [BR_BATCH_STATUS_PENDING]   = { N_("Pending"),   "alarm-symbolic",                "pending" },
  [BR_BATCH_STATUS_PAUSED]    = { N_("Paused"),    "media-playback-pause-symbolic", "paused" },
  [BR_BATCH_STATUS_FAILED]    = { N_("Failed"),    "dialog-error-symbolic",         "failed" },
  [BR_BATCH_STATUS_COMPLETED] = { N_("Completed"), "emblem-ok-symbolic",            "completed" },
  [BR_BATCH_STATUS_CANCELLED] = { N_("Cancelled"), "process-stop-symbolic",         "cancelled" },
};

static guint
status_index (BrBatch *batch)
{
  guint status = br_batch_get_status (batch);

  return status < G_N_ELEMENTS (status_info) ? status : BR_BATCH_STATUS_UNKNOWN;
}

/* Formatting ----------------------------------------------------------------- */

static const char *
display_name (BrBatch *batch)
{
  const char *name = br_batch_get_name (batch);

  /* A batch started without a name is still told apart by its id. */
  return name != NULL && *name != '\0' ? name : br_batch_get_id (batch);
}

static const char *
format_name (BrBatch *batch,
             char    *buf,
             gsize    size)
{
  return display_name (batch);
}

static const char *
format_int (gint64  value,
            char   *buf,
            gsize   size)
{
  g_snprintf (buf, size, "%" G_GINT64_FORMAT, value);
  return buf;
}

static const char *
format_processed (BrBatch *batch,
                  char    *buf,
                  gsize    size)
{
  g_snprintf (buf, size, "%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT,
              br_batch_get_processed_leads (batch), br_batch_get_total_leads (batch));
  return buf;
}

static const char *
format_succeeded (BrBatch *batch,
                  char    *buf,
                  gsize    size)
{
  return format_int (br_batch_get_successful_leads (batch), buf, size);
}

static const char *
format_failed (BrBatch *batch,
               char    *buf,
               gsize    size)
{
  return format_int (br_batch_get_failed_leads (batch), buf, size);
}

static const char *
format_rate (BrBatch *batch,
             char    *buf,
             gsize    size)
{
  double rate = br_batch_get_rate (batch);

  /* A rate means something only while leads are being processed. */
  if (br_batch_get_status (batch) != BR_BATCH_STATUS_RUNNING || rate < 0)
    return "";
  if (rate >= 1.0)
    /* Translators: leads processed per second */
    g_snprintf (buf, size, _("%.1f/s"), rate);
  else
    /* Translators: leads processed per minute */
    g_snprintf (buf, size, _("%.1f/min"), rate * 60.0);
  return buf;
}

static const char *
format_eta (BrBatch *batch,
            char    *buf,
            gsize    size)
{
  gint64 eta = br_batch_get_eta_seconds (batch);

  if (br_batch_get_status (batch) != BR_BATCH_STATUS_RUNNING || eta < 0)
    return "—";
  if (eta < 60)
    /* Translators: time left, in seconds */
    g_snprintf (buf, size, _("%d s"), (int) eta);
  else if (eta < 3600)
    /* Translators: time left, in minutes */
    g_snprintf (buf, size, _("%d min"), (int) ((eta + 59) / 60));
  else
    /* Translators: time left, in hours and minutes */
    g_snprintf (buf, size, _("%d h %d min"), (int) (eta / 3600), (int) (eta % 3600 / 60));
  return buf;
}

static const char *
format_money (double  usd,
              char   *buf,
              gsize   size)
{
  /* The service prices everything in US dollars. */
  g_snprintf (buf, size, "$%.2f", usd);
  return buf;
}

static const char *
format_estimated_cost (BrBatch *batch,
                       char    *buf,
                       gsize    size)
{
  return format_money (br_batch_get_estimated_cost_usd (batch), buf, size);
}

static const char *
format_actual_cost (BrBatch *batch,
                    char    *buf,
                    gsize    size)
{
  return format_money (br_batch_get_actual_cost_usd (batch), buf, size);
}

static const char *
format_or_dash (const char *text)
{
  return text != NULL && *text != '\0' ? text : "—";
}

static const char *
format_template (BrBatch *batch,
                 char    *buf,
                 gsize    size)
{
  return format_or_dash (br_batch_get_template_version (batch));
}

static const char *
format_created_by (BrBatch *batch,
                   char    *buf,
                   gsize    size)
{
  return format_or_dash (br_batch_get_created_by (batch));
}

/* Local time; today and yesterday by name. The words are not refreshed at
 * midnight: a row is formatted when its start time changes. */
static const char *
format_started (BrBatch *batch,
                char    *buf,
                gsize    size)
{
  gint64 usec = br_batch_get_started_at (batch);
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *text = NULL;
  int y, m, d, ny, nm, nd;
  const char *format;

  if (usec <= 0)
    return "—";

  utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (utc == NULL)
    return "—";
  when = g_date_time_to_local (utc);
  now = g_date_time_new_now_local ();
  g_date_time_get_ymd (when, &y, &m, &d);
  g_date_time_get_ymd (now, &ny, &nm, &nd);

  if (y == ny && m == nm && d == nd)
    /* Translators: a start time today, strftime format */
    format = _("Today %H:%M");
  else
    {
      g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
      int yy, ym, yd;

      g_date_time_get_ymd (yesterday, &yy, &ym, &yd);
      if (y == yy && m == ym && d == yd)
        /* Translators: a start time yesterday, strftime format */
        format = _("Yesterday %H:%M");
      else if (y == ny)
        /* Translators: a start time this year, strftime format */
        format = _("%e %b %H:%M");
      else
        /* Translators: a start time in another year, strftime format */
        format = _("%e %b %Y");
    }

  text = g_date_time_format (when, format);
  g_strlcpy (buf, text ? g_strstrip (text) : "—", size);
  return buf;
}

/* Sorting -------------------------------------------------------------------- */

/* Identifiers and names sort by byte, ignoring ASCII case: predictable for
 * ids and versions, and several times cheaper than collation keys over
 * 100,000 rows. Missing values come first. */
static int
compare_strings (const char *a,
                 const char *b)
{
  int r;

  if (a == NULL || b == NULL)
    return (a != NULL) - (b != NULL);
  r = g_ascii_strcasecmp (a, b);
  return r != 0 ? r : strcmp (a, b);
}

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int
compare_status (BrBatch *a,
                BrBatch *b)
{
  return CMP (br_batch_get_status (a), br_batch_get_status (b));
}

static int
compare_name (BrBatch *a,
              BrBatch *b)
{
  return compare_strings (display_name (a), display_name (b));
}

static int
compare_progress (BrBatch *a,
                  BrBatch *b)
{
  return CMP (br_batch_get_progress_percentage (a), br_batch_get_progress_percentage (b));
}

static int
compare_processed (BrBatch *a,
                   BrBatch *b)
{
  return CMP (br_batch_get_processed_leads (a), br_batch_get_processed_leads (b));
}

static int
compare_succeeded (BrBatch *a,
                   BrBatch *b)
{
  return CMP (br_batch_get_successful_leads (a), br_batch_get_successful_leads (b));
}

static int
compare_failed (BrBatch *a,
                BrBatch *b)
{
  return CMP (br_batch_get_failed_leads (a), br_batch_get_failed_leads (b));
}

static int
compare_rate (BrBatch *a,
              BrBatch *b)
{
  return CMP (br_batch_get_rate (a), br_batch_get_rate (b));
}

static gint64
eta_key (BrBatch  *batch,
         gpointer  user_data)
{
  gint64 eta = br_batch_get_eta_seconds (batch);

  /* Unknown is the longest wait, not the shortest. */
  return eta < 0 ? G_MAXINT64 : eta;
}

static int
status_key (BrBatch  *batch,
            gpointer  user_data)
{
  return br_batch_get_status (batch);
}

static int
compare_eta (BrBatch *a,
             BrBatch *b)
{
  return CMP (eta_key (a, NULL), eta_key (b, NULL));
}

static int
compare_estimated_cost (BrBatch *a,
                        BrBatch *b)
{
  return CMP (br_batch_get_estimated_cost_usd (a), br_batch_get_estimated_cost_usd (b));
}

static int
compare_actual_cost (BrBatch *a,
                     BrBatch *b)
{
  return CMP (br_batch_get_actual_cost_usd (a), br_batch_get_actual_cost_usd (b));
}

static int
compare_template (BrBatch *a,
                  BrBatch *b)
{
  return compare_strings (br_batch_get_template_version (a), br_batch_get_template_version (b));
}

static int
compare_started (BrBatch *a,
                 BrBatch *b)
{
  return CMP (br_batch_get_started_at (a), br_batch_get_started_at (b));
}

static int
compare_created_by (BrBatch *a,
                    BrBatch *b)
{
  return compare_strings (br_batch_get_created_by (a), br_batch_get_created_by (b));
}

#undef CMP

/* The columns, in their default order (the default of `column-order`). */
static const ColumnInfo column_info[] = {
  { "status", N_("Status"), CELL_STATUS, { "notify::status" }, NULL,
    compare_status, NULL, G_CALLBACK (status_key), G_TYPE_INT, FALSE, FALSE, TRUE, 10 },
  { "name", N_("Name"), CELL_TEXT, { "notify::name" }, format_name,
    compare_name, NULL, NULL, G_TYPE_INVALID, FALSE, TRUE, FALSE, 24 },
  { "progress", N_("Progress"), CELL_PROGRESS, { "notify::progress-percentage", "notify::processed-leads" }, NULL,
    compare_progress, "progress-percentage", NULL, G_TYPE_INVALID, TRUE, FALSE, TRUE, 5 },
  { "processed", N_("Processed"), CELL_TEXT, { "notify::processed-leads", "notify::total-leads" }, format_processed,
    compare_processed, "processed-leads", NULL, G_TYPE_INVALID, TRUE, FALSE, TRUE, 11 },
  { "succeeded", N_("Succeeded"), CELL_TEXT, { "notify::successful-leads" }, format_succeeded,
    compare_succeeded, "successful-leads", NULL, G_TYPE_INVALID, TRUE, FALSE, TRUE, 7 },
  { "failed", N_("Failed"), CELL_TEXT, { "notify::failed-leads" }, format_failed,
    compare_failed, "failed-leads", NULL, G_TYPE_INVALID, TRUE, FALSE, TRUE, 7 },
  { "rate", N_("Rate"), CELL_TEXT, { "notify::processing-rate-per-second", "notify::status" }, format_rate,
    compare_rate, "processing-rate-per-second", NULL, G_TYPE_INVALID, TRUE, FALSE, TRUE, 9 },
  { "eta", N_("ETA"), CELL_TEXT, { "notify::estimated-remaining-seconds", "notify::status" }, format_eta,
    compare_eta, NULL, G_CALLBACK (eta_key), G_TYPE_INT64, TRUE, FALSE, TRUE, 10 },
  { "estimated-cost", N_("Estimated Cost"), CELL_TEXT, { "notify::estimated-cost-usd" }, format_estimated_cost,
    compare_estimated_cost, "estimated-cost-usd", NULL, G_TYPE_INVALID, TRUE, FALSE, TRUE, 10 },
  { "actual-cost", N_("Actual Cost"), CELL_TEXT, { "notify::actual-cost-usd" }, format_actual_cost,
    compare_actual_cost, "actual-cost-usd", NULL, G_TYPE_INVALID, TRUE, FALSE, TRUE, 10 },
  { "template", N_("Template"), CELL_TEXT, { "notify::template-version" }, format_template,
    compare_template, NULL, NULL, G_TYPE_INVALID, FALSE, FALSE, TRUE, 8 },
  { "started", N_("Started"), CELL_TEXT, { "notify::started-at" }, format_started,
    compare_started, "started-at", NULL, G_TYPE_INVALID, FALSE, FALSE, TRUE, 16 },
  { "created-by", N_("Created By"), CELL_TEXT, { "notify::created-by" }, format_created_by,
    compare_created_by, NULL, NULL, G_TYPE_INVALID, FALSE, FALSE, TRUE, 16 },
};

#define N_COLUMNS G_N_ELEMENTS (column_info)
#define DEFAULT_SORT_COLUMN 11  /* started */

/* The widget ------------------------------------------------------------------ */

struct _BrmBatchTable
{
  GtkWidget           parent_instance;

  /* Template */
  GtkSearchEntry     *search_entry;
  GtkDropDown        *status_dropdown;
  GtkDropDown        *template_dropdown;
  GtkStringList      *template_list;
  GtkMenuButton      *columns_button;
  GtkStack           *stack;
  GtkColumnView      *column_view;
  AdwStatusPage      *empty_page;
  GtkButton          *clear_button;
  GtkRevealer        *id_filter_revealer;
  GtkLabel           *id_filter_label;

  GListModel         *model;
  GSettings          *settings;
  GtkSortListModel   *sort_model;
  GtkFilterListModel *filter_model;
  GtkMultiSelection  *selection;
  GtkCustomFilter    *text_filter;
  GtkCustomFilter    *status_filter;
  GtkCustomFilter    *template_filter;
  GtkCustomFilter    *id_filter;
  GSimpleActionGroup *actions;
  GMenu              *columns_menu;

  Column              columns[N_COLUMNS];

  char               *search_text;       /* as typed */
  char               *needle;            /* casefolded, NULL when not searching */
  gsize               needle_len;
  gboolean            needle_is_ascii;
  guint               search_idle;
  int                 status_filter_value;
  char               *template_filter_value;
  GHashTable         *id_filter_ids;     /* batch ids to show; NULL for all */
  char               *id_filter_text;    /* what they are, for the operator */
  GHashTable         *templates;         /* versions in template_list */

  GHashTable         *watched;           /* BrBatch → Watch: the selected rows */
  guint               n_visible;
  gboolean            stale;

  Column             *sort_column;
  gboolean            sort_descending;
  gboolean            probing;
  Column             *probed;
  GObject            *probe_a;
  GObject            *probe_b;

  gboolean            restoring;
  guint               save_source;

  BrBatch            *scroll_target;     /* row to show once laid out; NULL: the first */
  guint               scroll_position;
  guint               scroll_tick;
  guint               scroll_frames;

  guint               flush_tick;        /* applies the store's updates per frame */
};

G_DEFINE_FINAL_TYPE (BrmBatchTable, brm_batch_table, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_SETTINGS,
  PROP_SELECTION,
  PROP_N_VISIBLE,
  PROP_STALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SELECTION_CHANGED,
  BATCH_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GQuark cell_quark;
static GQuark column_quark;

static void queue_save (BrmBatchTable *self);

static Column *
find_column (BrmBatchTable *self,
             const char    *id)
{
  if (id == NULL)
    return NULL;
  for (guint i = 0; i < N_COLUMNS; i++)
    if (g_str_equal (self->columns[i].info->id, id))
      return &self->columns[i];
  return NULL;
}

/* Cells ------------------------------------------------------------------------ */

/* One widget per cell (plus the bar inside the progress cell): the list
 * view of GTK 4.8 keeps about 200 rows built, so every widget here is
 * paid 200 times at start-up and after each filter (docs/performance.md,
 * note 1). */
typedef struct
{
  const ColumnInfo *info;
  GtkWidget        *widget;       /* GtkInscription, BrmStatusCell or BrmProgressCell */
  BrBatch          *batch;        /* bound item */
  gulong            handlers[2];
  int               shown;        /* status on screen, -1 none */
} Cell;

static void
set_text (GtkWidget  *inscription,
          const char *text)
{
  /* A tick changes a few numbers; leave the other cells alone. */
  if (g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (inscription)), text) != 0)
    gtk_inscription_set_text (GTK_INSCRIPTION (inscription), text);
}

static void
cell_update (Cell *cell)
{
  BrBatch *batch = cell->batch;
  char buf[128];

  switch (cell->info->kind)
    {
    case CELL_STATUS:
      {
        guint status = status_index (batch);

        if ((int) status == cell->shown)
          return;
        if (cell->shown >= 0)
          gtk_widget_remove_css_class (cell->widget, status_info[cell->shown].css);
        gtk_widget_add_css_class (cell->widget, status_info[status].css);
        brm_status_cell_set (BRM_STATUS_CELL (cell->widget), status_info[status].icon, _(status_info[status].label));
        cell->shown = status;
      }
      break;

    case CELL_PROGRESS:
      brm_progress_cell_set (BRM_PROGRESS_CELL (cell->widget), br_batch_get_progress_percentage (batch),
                             br_batch_get_processed_leads (batch), br_batch_get_total_leads (batch));
      break;

    case CELL_TEXT:
    default:
      set_text (cell->widget, cell->info->format (batch, buf, sizeof buf));
      break;
    }
}

static void
cell_notify_cb (BrBatch    *batch,
                GParamSpec *pspec,
                Cell       *cell)
{
  cell_update (cell);
}

static void
cell_unbind (Cell *cell)
{
  if (cell->batch == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cell->handlers); i++)
    g_clear_signal_handler (&cell->handlers[i], cell->batch);
  g_clear_object (&cell->batch);
}

static void
cell_free (gpointer data)
{
  Cell *cell = data;

  cell_unbind (cell);
  g_free (cell);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          Column                   *column)
{
  const ColumnInfo *info = column->info;
  Cell *cell = g_new0 (Cell, 1);

  cell->info = info;
  cell->shown = -1;

  switch (info->kind)
    {
    case CELL_STATUS:
      /* Icon and text drawn by one widget; it reads as a label. */
      cell->widget = brm_status_cell_new (info->chars);
      gtk_widget_add_css_class (cell->widget, "batch-status");
      break;

    case CELL_PROGRESS:
      cell->widget = brm_progress_cell_new ();
      break;

    case CELL_TEXT:
    default:
      /* GtkInscription, not GtkLabel: its size comes from a number of
       * characters, not from its text, so a new number on a tick redraws
       * the cell without measuring and allocating the rows again, and
       * measuring it costs no text shaping. */
      cell->widget = gtk_inscription_new (NULL);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell->widget), info->chars);
      /* Numbers are never cut short; names may be. */
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell->widget),
                                     info->numeric ? info->chars : MIN (info->chars, 12));
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell->widget), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      if (info->numeric)
        {
          gtk_inscription_set_xalign (GTK_INSCRIPTION (cell->widget), 1.0);
          gtk_widget_add_css_class (cell->widget, "numeric");
        }
      break;
    }
  gtk_list_item_set_child (item, cell->widget);

  g_object_set_qdata_full (G_OBJECT (item), cell_quark, cell, cell_free);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         Column                   *column)
{
  Cell *cell = g_object_get_qdata (G_OBJECT (item), cell_quark);
  BrBatch *batch = gtk_list_item_get_item (item);

  cell_unbind (cell);
  if (batch == NULL)
    return;

  cell->batch = g_object_ref (batch);
  for (guint i = 0; i < G_N_ELEMENTS (cell->handlers) && cell->info->notify[i] != NULL; i++)
    cell->handlers[i] = g_signal_connect (batch, cell->info->notify[i], G_CALLBACK (cell_notify_cb), cell);
  cell_update (cell);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           Column                   *column)
{
  Cell *cell = g_object_get_qdata (G_OBJECT (item), cell_quark);

  if (cell != NULL)
    cell_unbind (cell);
}

/* Sorting ------------------------------------------------------------------------ */

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;
  return NULL;
}

static void
scroll_now (BrmBatchTable *self,
            guint          position)
{
  /* GTK 4.8 has no gtk_column_view_scroll_to(); its list view has this. */
  GtkWidget *list_view = find_list_view (GTK_WIDGET (self->column_view));

  if (list_view != NULL && position < self->n_visible)
    gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", position);
}

static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  BrmBatchTable *self = BRM_BATCH_TABLE (widget);
  GListModel *rows = G_LIST_MODEL (self->selection);
  g_autoptr(BrBatch) at = NULL;
  guint pos = self->scroll_position;

  /* The frame before this one laid the rows out. */
  if (++self->scroll_frames < 2)
    return G_SOURCE_CONTINUE;
  self->scroll_tick = 0;

  if (self->scroll_target != NULL)
    {
      /* Rows may have come or gone since: find the row again. */
      at = g_list_model_get_item (rows, pos);
      if (at != self->scroll_target)
        {
          guint n = g_list_model_get_n_items (rows);

          for (pos = 0; pos < n; pos++)
            {
              g_autoptr(BrBatch) batch = g_list_model_get_item (rows, pos);

              if (batch == self->scroll_target)
                break;
            }
        }
      g_clear_object (&self->scroll_target);
    }
  scroll_now (self, pos);
  return G_SOURCE_REMOVE;
}

/* The list view of GTK 4.8 can only scroll to a row it has laid out: right
 * after a new sort, filter or model the request is lost. So it is made at
 * once (enough when the rows did not change) and again once the rows have
 * been laid out, two frames later, for the same batch wherever it went. */
static void
scroll_to_row (BrmBatchTable *self,
               guint          position)
{
  if (position >= self->n_visible)
    return;

  scroll_now (self, position);

  g_clear_object (&self->scroll_target);
  if (position > 0)
    self->scroll_target = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  self->scroll_position = position;
  self->scroll_frames = 0;
  if (self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_tick_cb, NULL, NULL);
}

/* After a new sort or filter the view would stay on the row that was at
 * the top, wherever that row went. Show the selection, or the first rows,
 * as the operator expects from a new order or a new search. */
static void
show_first_rows (BrmBatchTable *self)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  scroll_to_row (self, gtk_bitset_is_empty (set) ? 0 : gtk_bitset_get_minimum (set));
}

/* The header sorters. GTK 4.8 offers no way to ask the column view which
 * column it sorts by (GtkColumnViewSorter is private until 4.10), yet we
 * need it to persist the sort and to sort with a keyed sorter. So, when the
 * view's sorter changes, we "probe" it: compare two dummies with
 * self->probing set. The view's sorter asks the primary column's sorter
 * first; that one records itself and answers "smaller", which the view
 * turns into "larger" when the order is descending. */
static int
header_compare_cb (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  Column *column = user_data;
  BrmBatchTable *self = column->table;

  if (G_UNLIKELY (self->probing))
    {
      if (self->probed == NULL)
        self->probed = column;
      return -1;
    }
  return column->info->compare ((BrBatch *) a, (BrBatch *) b);
}

static int
model_compare_cb (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  Column *column = user_data;

  return column->info->compare ((BrBatch *) a, (BrBatch *) b);
}

static int
model_compare_reversed_cb (gconstpointer a,
                           gconstpointer b,
                           gpointer      user_data)
{
  Column *column = user_data;

  return column->info->compare ((BrBatch *) b, (BrBatch *) a);
}

/* The sorter of the sort model for @column in one order. Numeric columns get a
 * GtkNumericSorter: the sort model computes each row's key once and sorts
 * the keys, several times faster than comparing rows through the column
 * view's chain of sorters, and the cached keys are what keeps rows in place
 * while their values change. Text columns compare rows directly: a
 * GtkStringSorter builds collation keys (slower at 100,000 rows) and in
 * GTK 4.8 cannot sort descending.
 *
 * Each order has a sorter of its own: the sort model answers a sorter
 * that only inverts by reversing the rows it has, using the keys it
 * cached, and an operator who sorts again expects today's values. */
static GtkSorter *
ensure_model_sorter (Column   *column,
                     gboolean  descending)
{
  const ColumnInfo *info = column->info;
  GtkExpression *expression = NULL;
  GtkSorter **sorter = &column->model_sorters[descending ? 1 : 0];

  if (*sorter != NULL)
    return *sorter;

  if (info->sort_property != NULL)
    expression = gtk_property_expression_new (BR_TYPE_BATCH, NULL, info->sort_property);
  else if (info->sort_key != NULL)
    expression = gtk_cclosure_expression_new (info->sort_key_type, NULL, 0, NULL, info->sort_key, NULL, NULL);

  if (expression != NULL)
    {
      *sorter = GTK_SORTER (gtk_numeric_sorter_new (expression));
      gtk_numeric_sorter_set_sort_order (GTK_NUMERIC_SORTER (*sorter),
                                         descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
    }
  else
    *sorter = GTK_SORTER (gtk_custom_sorter_new (descending ? model_compare_reversed_cb : model_compare_cb,
                                                 column, NULL));
  return *sorter;
}

static void
apply_model_sort (BrmBatchTable *self,
                  Column        *column,
                  gboolean       descending)
{
  GtkSorter *sorter;

  self->sort_column = column;
  self->sort_descending = column != NULL && descending;

  if (column == NULL)
    {
      gtk_sort_list_model_set_sorter (self->sort_model, NULL);
      return;
    }

  sorter = ensure_model_sorter (column, descending);
  if (gtk_sort_list_model_get_sorter (self->sort_model) == sorter)
    {
      /* Asked again for the same order: sort by the values of now. The
       * sort model keeps the keys it cached as long as the sorter's keys
       * are compatible with them, and a "changed" signal alone keeps them:
       * numeric columns would sort by their old values. A new sorter has
       * keys of its own. */
      g_clear_object (&column->model_sorters[descending ? 1 : 0]);
      sorter = ensure_model_sorter (column, descending);
    }
  gtk_sort_list_model_set_sorter (self->sort_model, sorter);
}

static void
view_sorter_changed_cb (GtkSorter       *sorter,
                        GtkSorterChange  change,
                        BrmBatchTable   *self)
{
  GtkOrdering order;

  self->probing = TRUE;
  self->probed = NULL;
  order = gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
  self->probing = FALSE;

  apply_model_sort (self, self->probed, order == GTK_ORDERING_LARGER);
  show_first_rows (self);
  queue_save (self);
}

/* Filtering ---------------------------------------------------------------------- */

/* The needle is lower-case ASCII: compare bytes, skipping to candidates
 * of the first character. Non-ASCII bytes of UTF-8 never equal ASCII. */
static gboolean
ascii_contains_nocase (const char *haystack,
                       const char *needle,
                       gsize       len)
{
  char lower = needle[0];
  char upper = g_ascii_toupper (lower);

  if (haystack == NULL)
    return FALSE;
  for (const char *p = haystack; *p != '\0'; p++)
    if ((*p == lower || *p == upper) && g_ascii_strncasecmp (p, needle, len) == 0)
      return TRUE;
  return FALSE;
}

static char *
fold (const char *text)
{
  g_autofree char *normalized = g_utf8_normalize (text, -1, G_NORMALIZE_DEFAULT);

  return g_utf8_casefold (normalized ? normalized : text, -1);
}

static gboolean
text_contains (BrmBatchTable *self,
               const char    *haystack)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  if (self->needle_is_ascii)
    return ascii_contains_nocase (haystack, self->needle, self->needle_len);
  folded = fold (haystack);
  return strstr (folded, self->needle) != NULL;
}

static gboolean
text_filter_cb (gpointer item,
                gpointer user_data)
{
  BrmBatchTable *self = user_data;
  BrBatch *batch = item;

  return text_contains (self, br_batch_get_name (batch)) ||
         text_contains (self, br_batch_get_id (batch)) ||
         text_contains (self, br_batch_get_created_by (batch)) ||
         text_contains (self, br_batch_get_template_version (batch));
}

static gboolean
status_filter_cb (gpointer item,
                  gpointer user_data)
{
  BrmBatchTable *self = user_data;

  return (int) br_batch_get_status (item) == self->status_filter_value;
}

static gboolean
id_filter_cb (gpointer item,
              gpointer user_data)
{
  BrmBatchTable *self = user_data;

  return g_hash_table_contains (self->id_filter_ids, br_batch_get_id (item));
}

static gboolean
template_filter_cb (gpointer item,
                    gpointer user_data)
{
  BrmBatchTable *self = user_data;

  return g_strcmp0 (br_batch_get_template_version (item), self->template_filter_value) == 0;
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

static void
apply_search_text (BrmBatchTable *self,
                   const char    *text)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));
  g_autofree char *needle = *trimmed != '\0' ? fold (trimmed) : NULL;
  g_autofree char *old = NULL;
  GtkFilterChange change;

  g_free (self->search_text);
  self->search_text = g_strdup (text ? text : "");

  if (g_strcmp0 (needle, self->needle) == 0)
    return;

  old = g_steal_pointer (&self->needle);
  self->needle = g_steal_pointer (&needle);
  self->needle_len = self->needle ? strlen (self->needle) : 0;
  self->needle_is_ascii = self->needle != NULL && is_ascii (self->needle);

  /* Without a search the filter matches everything and says so, and the
   * filter model skips it. Otherwise a longer search only looks at the
   * rows shown, a shorter one only at the rows hidden. */
  if (self->needle == NULL)
    gtk_custom_filter_set_filter_func (self->text_filter, NULL, NULL, NULL);
  else if (old == NULL)
    gtk_custom_filter_set_filter_func (self->text_filter, text_filter_cb, self, NULL);
  else
    {
      if (strstr (self->needle, old) != NULL)
        change = GTK_FILTER_CHANGE_MORE_STRICT;
      else if (strstr (old, self->needle) != NULL)
        change = GTK_FILTER_CHANGE_LESS_STRICT;
      else
        change = GTK_FILTER_CHANGE_DIFFERENT;
      gtk_filter_changed (GTK_FILTER (self->text_filter), change);
    }
  show_first_rows (self);
}

static gboolean
apply_entry_idle_cb (gpointer data)
{
  BrmBatchTable *self = data;

  self->search_idle = 0;
  apply_search_text (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  return G_SOURCE_REMOVE;
}

static void
search_changed_cb (GtkSearchEntry *entry,
                   BrmBatchTable  *self)
{
  /* The entry says "changed" at once, without its pause, when it becomes
   * empty, and replacing the text (typing over a selection) empties it
   * for a moment. Showing all 100,000 rows for that moment and filtering
   * them again costs more than the wait for the next main loop turn. */
  if (*gtk_editable_get_text (GTK_EDITABLE (entry)) == '\0')
    {
      if (self->search_idle == 0)
        self->search_idle = g_idle_add (apply_entry_idle_cb, self);
      return;
    }
  g_clear_handle_id (&self->search_idle, g_source_remove);
  apply_search_text (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
stop_search_cb (GtkSearchEntry *entry,
                BrmBatchTable  *self)
{
  /* Escape clears the search; a second Escape goes back to the rows. */
  if (*gtk_editable_get_text (GTK_EDITABLE (entry)) != '\0')
    brm_batch_table_set_search_text (self, "");
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
status_selected_cb (GtkDropDown   *dropdown,
                    GParamSpec    *pspec,
                    BrmBatchTable *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  brm_batch_table_set_status_filter (self, selected == 0 || selected == GTK_INVALID_LIST_POSITION ? -1 : (int) selected);
}

static void
template_selected_cb (GtkDropDown   *dropdown,
                      GParamSpec    *pspec,
                      BrmBatchTable *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    brm_batch_table_set_template_filter (self, NULL);
  else
    brm_batch_table_set_template_filter (self, gtk_string_list_get_string (self->template_list, selected));
}

/* Template versions for the filter: those seen in the model, sorted. A
 * version stays listed after its batches go (versions are few). */
static guint
add_template (BrmBatchTable *self,
              const char    *version)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->template_list));
  guint pos = 1;

  if (version == NULL || *version == '\0')
    return GTK_INVALID_LIST_POSITION;
  if (g_hash_table_contains (self->templates, version))
    {
      for (; pos < n; pos++)
        if (g_str_equal (gtk_string_list_get_string (self->template_list, pos), version))
          return pos;
      g_assert_not_reached ();
    }

  while (pos < n && strcmp (gtk_string_list_get_string (self->template_list, pos), version) < 0)
    pos++;
  g_hash_table_add (self->templates, g_strdup (version));
  /* The list changing under the drop-down is not the operator's choice. */
  g_signal_handlers_block_by_func (self->template_dropdown, template_selected_cb, self);
  gtk_string_list_splice (self->template_list, pos, 0, (const char * const[]) { version, NULL });
  g_signal_handlers_unblock_by_func (self->template_dropdown, template_selected_cb, self);
  return pos;
}

/* Shows the template filter in the drop-down, without filtering again. */
static void
sync_template_dropdown (BrmBatchTable *self)
{
  guint pos = 0;

  if (self->template_filter_value != NULL)
    pos = add_template (self, self->template_filter_value);
  g_signal_handlers_block_by_func (self->template_dropdown, template_selected_cb, self);
  gtk_drop_down_set_selected (self->template_dropdown, pos);
  g_signal_handlers_unblock_by_func (self->template_dropdown, template_selected_cb, self);
}

static void
scan_templates (BrmBatchTable *self,
                guint          position,
                guint          n)
{
  for (guint i = position; i < position + n; i++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (self->model, i);
      const char *version = br_batch_get_template_version (batch);

      if (version != NULL && !g_hash_table_contains (self->templates, version))
        add_template (self, version);
    }
}

static void
reset_templates (BrmBatchTable *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->template_list));

  g_hash_table_remove_all (self->templates);
  g_signal_handlers_block_by_func (self->template_dropdown, template_selected_cb, self);
  gtk_string_list_splice (self->template_list, 1, n - 1, NULL);
  g_signal_handlers_unblock_by_func (self->template_dropdown, template_selected_cb, self);
  if (self->model != NULL)
    scan_templates (self, 0, g_list_model_get_n_items (self->model));
  sync_template_dropdown (self);
}

/* Empty state -------------------------------------------------------------------- */

static gboolean
filters_active (BrmBatchTable *self)
{
  return self->needle != NULL || self->status_filter_value >= 0 || self->template_filter_value != NULL ||
         self->id_filter_ids != NULL;
}

static void
update_empty_state (BrmBatchTable *self)
{
  guint n_all = self->model ? g_list_model_get_n_items (self->model) : 0;

  if (self->n_visible > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "table");
      return;
    }

  if (n_all == 0)
    {
      adw_status_page_set_icon_name (self->empty_page, "view-list-symbolic");
      adw_status_page_set_title (self->empty_page, _("No batches yet"));
      adw_status_page_set_description (self->empty_page, _("Batches started on this service appear here."));
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, _("No batches match"));
      adw_status_page_set_description (self->empty_page, _("No batch matches the search and filters."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->clear_button), n_all > 0 && filters_active (self));
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
filter_items_changed_cb (GListModel    *model,
                         guint          position,
                         guint          removed,
                         guint          added,
                         BrmBatchTable *self)
{
  guint n = g_list_model_get_n_items (model);

  if (n != self->n_visible)
    {
      self->n_visible = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_VISIBLE]);
    }
  update_empty_state (self);
}

static void
model_items_changed_cb (GListModel    *model,
                        guint          position,
                        guint          removed,
                        guint          added,
                        BrmBatchTable *self)
{
  scan_templates (self, position, added);
  update_empty_state (self);
}

/* Selection ---------------------------------------------------------------------- */

typedef struct
{
  BrBatch *batch;
  gulong   status_id;
  gulong   action_id;
} Watch;

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  g_clear_signal_handler (&watch->status_id, watch->batch);
  g_clear_signal_handler (&watch->action_id, watch->batch);
  g_clear_object (&watch->batch);
  g_free (watch);
}

static void
watched_changed_cb (BrBatch       *batch,
                    GParamSpec    *pspec,
                    BrmBatchTable *self)
{
  /* What the window may do with the selection depends on these. */
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

/* Follows the status of the selected rows only (not all rows), and says
 * when the set of selected batches changed. */
static void
sync_selection (BrmBatchTable *self,
                gboolean       emit)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(GHashTable) now = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;
  GtkBitsetIter bit;
  guint pos;

  if (gtk_bitset_iter_init_first (&bit, set, &pos))
    do
      {
        g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (self->selection), pos);

        if (batch == NULL)
          continue;
        g_hash_table_add (now, batch);
        if (!g_hash_table_contains (self->watched, batch))
          {
            Watch *watch = g_new0 (Watch, 1);

            watch->batch = g_object_ref (batch);
            watch->status_id = g_signal_connect (batch, "notify::status", G_CALLBACK (watched_changed_cb), self);
            watch->action_id = g_signal_connect (batch, "notify::pending-action", G_CALLBACK (watched_changed_cb), self);
            g_hash_table_insert (self->watched, batch, watch);
            emit = TRUE;
          }
      }
    while (gtk_bitset_iter_next (&bit, &pos));

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (now, key))
      {
        g_hash_table_iter_remove (&iter);
        emit = TRUE;
      }

  if (emit)
    g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static void
selection_changed_cb (GtkSelectionModel *model,
                      guint              position,
                      guint              n_items,
                      BrmBatchTable     *self)
{
  sync_selection (self, TRUE);
}

static void
selection_items_changed_cb (GListModel    *model,
                            guint          position,
                            guint          removed,
                            guint          added,
                            BrmBatchTable *self)
{
  /* Selected rows filtered out or removed leave the selection without a
   * selection-changed of the model's own. */
  if (g_hash_table_size (self->watched) > 0 || removed > 0)
    sync_selection (self, FALSE);
}

static void
column_view_activate_cb (GtkColumnView *view,
                         guint          position,
                         BrmBatchTable *self)
{
  g_autoptr(BrBatch) batch = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (batch != NULL)
    g_signal_emit (self, signals[BATCH_ACTIVATED], 0, batch);
}

/* Settings ----------------------------------------------------------------------- */

static void
set_if_changed (GSettings  *settings,
                const char *key,
                GVariant   *value)
{
  g_autoptr(GVariant) old = g_settings_get_value (settings, key);

  g_variant_ref_sink (value);
  if (!g_variant_equal (old, value))
    g_settings_set_value (settings, key, value);
  g_variant_unref (value);
}

static void
save_state (BrmBatchTable *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  guint n = g_list_model_get_n_items (columns);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GPtrArray) hidden = g_ptr_array_new ();
  GVariantBuilder widths;

  if (self->settings == NULL)
    return;

  g_variant_builder_init (&widths, G_VARIANT_TYPE ("a{si}"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkColumnViewColumn) view_column = g_list_model_get_item (columns, i);
      Column *column = g_object_get_qdata (G_OBJECT (view_column), column_quark);
      int width = gtk_column_view_column_get_fixed_width (view_column);

      if (column == NULL)
        continue;
      g_ptr_array_add (order, (gpointer) column->info->id);
      if (!gtk_column_view_column_get_visible (view_column))
        g_ptr_array_add (hidden, (gpointer) column->info->id);
      /* Only widths the operator chose: the others follow the content. */
      if (width > 0)
        g_variant_builder_add (&widths, "{si}", column->info->id, width);
    }

  set_if_changed (self->settings, "column-order",
                  g_variant_new_strv ((const char * const *) order->pdata, order->len));
  set_if_changed (self->settings, "hidden-columns",
                  g_variant_new_strv ((const char * const *) hidden->pdata, hidden->len));
  set_if_changed (self->settings, "column-widths", g_variant_builder_end (&widths));
  if (self->sort_column != NULL)
    {
      set_if_changed (self->settings, "sort-column", g_variant_new_string (self->sort_column->info->id));
      set_if_changed (self->settings, "sort-descending", g_variant_new_boolean (self->sort_descending));
    }
}

static gboolean
save_timeout_cb (gpointer data)
{
  BrmBatchTable *self = data;

  self->save_source = 0;
  save_state (self);
  return G_SOURCE_REMOVE;
}

/* A column drag emits many widths, a move two column changes: write once. */
static void
queue_save (BrmBatchTable *self)
{
  if (self->settings == NULL || self->restoring || self->save_source != 0)
    return;
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

static void
flush_save (BrmBatchTable *self)
{
  if (self->save_source == 0)
    return;
  g_clear_handle_id (&self->save_source, g_source_remove);
  save_state (self);
}

static void
restore_state (BrmBatchTable *self)
{
  g_auto(GStrv) order = g_settings_get_strv (self->settings, "column-order");
  g_auto(GStrv) hidden = g_settings_get_strv (self->settings, "hidden-columns");
  g_autoptr(GVariant) widths = g_settings_get_value (self->settings, "column-widths");
  g_autofree char *sort_id = g_settings_get_string (self->settings, "sort-column");
  gboolean descending = g_settings_get_boolean (self->settings, "sort-descending");
  gboolean placed[N_COLUMNS] = { FALSE, };
  Column *sort_column;
  guint pos = 0;

  self->restoring = TRUE;

  /* Listed columns first, in their order; the others keep theirs after. */
  for (guint i = 0; order[i] != NULL; i++)
    {
      Column *column = find_column (self, order[i]);

      if (column == NULL || placed[column - self->columns])
        continue;
      placed[column - self->columns] = TRUE;
      gtk_column_view_insert_column (self->column_view, pos++, column->column);
    }

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      Column *column = &self->columns[i];
      int width;

      gtk_column_view_column_set_visible (column->column,
                                          !column->info->hideable ||
                                          !g_strv_contains ((const char * const *) hidden, column->info->id));
      if (!g_variant_lookup (widths, column->info->id, "i", &width) || width <= 0)
        width = -1;
      gtk_column_view_column_set_fixed_width (column->column, width);
    }

  sort_column = find_column (self, sort_id);
  if (sort_column == NULL)
    sort_column = &self->columns[DEFAULT_SORT_COLUMN];
  gtk_column_view_sort_by_column (self->column_view, sort_column->column,
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);

  self->restoring = FALSE;
}

static void
column_state_changed_cb (BrmBatchTable *self)
{
  queue_save (self);
}

/* Construction --------------------------------------------------------------- */

static void
clear_id_filter_action (GSimpleAction *action,
                        GVariant      *param,
                        gpointer       user_data)
{
  brm_batch_table_set_id_filter (BRM_BATCH_TABLE (user_data), NULL, NULL);
}

static void
clear_filters_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  brm_batch_table_clear_filters (BRM_BATCH_TABLE (user_data));
}

static void
setup_columns (BrmBatchTable *self)
{
  g_autoptr(GMenu) menu_section = g_menu_new ();
  GSimpleAction *clear;

  self->actions = g_simple_action_group_new ();
  self->columns_menu = g_menu_new ();

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      Column *column = &self->columns[i];
      const ColumnInfo *info = &column_info[i];
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkSorter) header_sorter = NULL;

      column->table = self;
      column->info = info;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), column);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), column);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), column);

      column->column = gtk_column_view_column_new (_(info->title), factory);
      g_object_set_qdata (G_OBJECT (column->column), column_quark, column);
      gtk_column_view_column_set_resizable (column->column, TRUE);
      gtk_column_view_column_set_expand (column->column, info->expand);
      header_sorter = GTK_SORTER (gtk_custom_sorter_new (header_compare_cb, column, NULL));
      gtk_column_view_column_set_sorter (column->column, header_sorter);
      gtk_column_view_column_set_header_menu (column->column, G_MENU_MODEL (self->columns_menu));
      gtk_column_view_append_column (self->column_view, column->column);

      g_signal_connect_swapped (column->column, "notify::visible", G_CALLBACK (column_state_changed_cb), self);
      g_signal_connect_swapped (column->column, "notify::fixed-width", G_CALLBACK (column_state_changed_cb), self);

      if (info->hideable)
        {
          g_autofree char *name = g_strconcat ("show-", info->id, NULL);
          g_autofree char *detailed = g_strconcat ("table.", name, NULL);
          g_autoptr(GPropertyAction) action = g_property_action_new (name, column->column, "visible");

          g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (action));
          g_menu_append (self->columns_menu, _(info->title), detailed);
        }
    }

  g_signal_connect_swapped (gtk_column_view_get_columns (self->column_view), "items-changed",
                            G_CALLBACK (column_state_changed_cb), self);

  {
    g_autoptr(GSimpleAction) clear_ids = g_simple_action_new ("clear-id-filter", NULL);

    g_simple_action_set_enabled (clear_ids, FALSE);
    g_signal_connect (clear_ids, "activate", G_CALLBACK (clear_id_filter_action), self);
    g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (clear_ids));
  }
  clear = g_simple_action_new ("clear-filters", NULL);
  g_signal_connect (clear, "activate", G_CALLBACK (clear_filters_action), self);
  g_action_map_add_action (G_ACTION_MAP (self->actions), G_ACTION (clear));
  g_object_unref (clear);

  gtk_widget_insert_action_group (GTK_WIDGET (self), "table", G_ACTION_GROUP (self->actions));
  gtk_menu_button_set_menu_model (self->columns_button, G_MENU_MODEL (self->columns_menu));
}

static void
setup_models (BrmBatchTable *self)
{
  GtkEveryFilter *every = gtk_every_filter_new ();

  /* No function: match everything, and say so, until a filter is set. */
  self->status_filter = gtk_custom_filter_new (NULL, NULL, NULL);
  self->template_filter = gtk_custom_filter_new (NULL, NULL, NULL);
  self->text_filter = gtk_custom_filter_new (NULL, NULL, NULL);
  self->id_filter = gtk_custom_filter_new (NULL, NULL, NULL);
  /* Cheapest first: the every-filter stops at the first that says no. */
  gtk_multi_filter_append (GTK_MULTI_FILTER (every), g_object_ref (GTK_FILTER (self->id_filter)));
  gtk_multi_filter_append (GTK_MULTI_FILTER (every), g_object_ref (GTK_FILTER (self->status_filter)));
  gtk_multi_filter_append (GTK_MULTI_FILTER (every), g_object_ref (GTK_FILTER (self->template_filter)));
  gtk_multi_filter_append (GTK_MULTI_FILTER (every), g_object_ref (GTK_FILTER (self->text_filter)));

  self->sort_model = gtk_sort_list_model_new (NULL, NULL);
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->sort_model)),
                                                  GTK_FILTER (every));
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));

  g_signal_connect (self->filter_model, "items-changed", G_CALLBACK (filter_items_changed_cb), self);
  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect (self->selection, "items-changed", G_CALLBACK (selection_items_changed_cb), self);

  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
}

/* Live updates on the frame clock ----------------------------------------------- */

/* DESIGN.md: updates are applied at most once per frame. While the table
 * is on screen it applies the store's queued updates at the start of each
 * frame, for at most FLUSH_BUDGET_US, and leaves the rest of a burst for
 * the next frames, so a burst never makes one long frame. The tick runs
 * only while updates wait, so an idle dashboard draws no frames. When the
 * table is not on screen the store's own tick applies them (with the same
 * budget). */
static gboolean
flush_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  BrmBatchTable *self = BRM_BATCH_TABLE (widget);

  if (BR_IS_BATCH_STORE (self->model) &&
      br_batch_store_flush_budget (BR_BATCH_STORE (self->model), FLUSH_BUDGET_US))
    return G_SOURCE_CONTINUE;
  self->flush_tick = 0;
  return G_SOURCE_REMOVE;
}

static void
stop_flush_tick (BrmBatchTable *self)
{
  if (self->flush_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->flush_tick);
      self->flush_tick = 0;
    }
}

static void
start_flush_tick (BrmBatchTable *self)
{
  if (self->flush_tick == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)) &&
      BR_IS_BATCH_STORE (self->model) && br_batch_store_get_has_queued (BR_BATCH_STORE (self->model)))
    self->flush_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), flush_tick_cb, NULL, NULL);
}

static void
store_has_queued_cb (BrBatchStore  *store,
                     GParamSpec    *pspec,
                     BrmBatchTable *self)
{
  start_flush_tick (self);
}

static void
brm_batch_table_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (brm_batch_table_parent_class)->map (widget);
  start_flush_tick (BRM_BATCH_TABLE (widget));
}

static void
brm_batch_table_unmap (GtkWidget *widget)
{
  stop_flush_tick (BRM_BATCH_TABLE (widget));
  GTK_WIDGET_CLASS (brm_batch_table_parent_class)->unmap (widget);
}

static void
brm_batch_table_dispose (GObject *object)
{
  BrmBatchTable *self = BRM_BATCH_TABLE (object);
  GtkWidget *child;

  flush_save (self);
  stop_flush_tick (self);
  g_clear_handle_id (&self->search_idle, g_source_remove);
  if (self->scroll_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->scroll_tick);
      self->scroll_tick = 0;
    }
  g_clear_object (&self->scroll_target);

  /* The view's sorter and columns announce their own teardown; nobody
   * here listens any more. */
  if (self->column_view != NULL)
    {
      GListModel *columns = gtk_column_view_get_columns (self->column_view);

      g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);
      g_signal_handlers_disconnect_by_data (columns, self);
      for (guint i = 0; i < N_COLUMNS; i++)
        if (self->columns[i].column != NULL)
          g_signal_handlers_disconnect_by_data (self->columns[i].column, self);
      g_signal_handlers_disconnect_by_data (self->column_view, self);
      g_signal_handlers_disconnect_by_data (self->search_entry, self);
      g_signal_handlers_disconnect_by_data (self->status_dropdown, self);
      g_signal_handlers_disconnect_by_data (self->template_dropdown, self);
    }
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);
  g_clear_pointer (&self->watched, g_hash_table_unref);

  if (self->actions != NULL)
    gtk_widget_insert_action_group (GTK_WIDGET (self), "table", NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), BRM_TYPE_BATCH_TABLE);
  /* The filter bar is a child without a pointer of ours. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_clear_object (&self->columns[i].column);
      g_clear_object (&self->columns[i].model_sorters[0]);
      g_clear_object (&self->columns[i].model_sorters[1]);
    }
  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->text_filter);
  g_clear_object (&self->status_filter);
  g_clear_object (&self->template_filter);
  g_clear_object (&self->id_filter);
  g_clear_pointer (&self->id_filter_ids, g_hash_table_unref);
  g_clear_pointer (&self->id_filter_text, g_free);
  g_clear_object (&self->actions);
  g_clear_object (&self->columns_menu);
  g_clear_object (&self->model);
  g_clear_object (&self->settings);
  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);

  G_OBJECT_CLASS (brm_batch_table_parent_class)->dispose (object);
}

static void
brm_batch_table_finalize (GObject *object)
{
  BrmBatchTable *self = BRM_BATCH_TABLE (object);

  g_clear_pointer (&self->templates, g_hash_table_unref);
  g_free (self->search_text);
  g_free (self->needle);
  g_free (self->template_filter_value);

  G_OBJECT_CLASS (brm_batch_table_parent_class)->finalize (object);
}

static void
brm_batch_table_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  BrmBatchTable *self = BRM_BATCH_TABLE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_SELECTION:
      g_value_set_object (value, self->selection);
      break;
    case PROP_N_VISIBLE:
      g_value_set_uint (value, self->n_visible);
      break;
    case PROP_STALE:
      g_value_set_boolean (value, self->stale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_batch_table_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BrmBatchTable *self = BRM_BATCH_TABLE (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      brm_batch_table_set_model (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      brm_batch_table_set_settings (self, g_value_get_object (value));
      break;
    case PROP_STALE:
      brm_batch_table_set_stale (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_batch_table_class_init (BrmBatchTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = brm_batch_table_dispose;
  object_class->finalize = brm_batch_table_finalize;
  widget_class->map = brm_batch_table_map;
  widget_class->unmap = brm_batch_table_unmap;
  object_class->get_property = brm_batch_table_get_property;
  object_class->set_property = brm_batch_table_set_property;

  /**
   * BrmBatchTable:model:
   *
   * The batches shown: a #GListModel of #BrBatch, usually a #BrBatchStore.
   */
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BrmBatchTable:settings:
   *
   * Where the column order, visibility, widths and sort are kept; they are
   * restored when it is set. %NULL keeps them for this table only.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BrmBatchTable:selection:
   *
   * The #GtkMultiSelection over the rows shown, in view order.
   */
  properties[PROP_SELECTION] =
    g_param_spec_object ("selection", NULL, NULL, GTK_TYPE_SELECTION_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * BrmBatchTable:n-visible:
   *
   * How many batches pass the search and filters.
   */
  properties[PROP_N_VISIBLE] =
    g_param_spec_uint ("n-visible", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BrmBatchTable:stale:
   *
   * Whether the rows are the last known data rather than live (offline).
   */
  properties[PROP_STALE] =
    g_param_spec_boolean ("stale", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BrmBatchTable::selection-changed:
   *
   * The selected batches changed, or the status (or pending command) of
   * one of them did.
   */
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * BrmBatchTable::batch-activated:
   * @batch: the #BrBatch of the row
   *
   * A row was activated: Enter or a double click.
   */
  signals[BATCH_ACTIVATED] =
    g_signal_new ("batch-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, BR_TYPE_BATCH);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/batchrunner/Monitor/brm-batch-table.ui");
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, template_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, template_list);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, columns_button);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, stack);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, column_view);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, empty_page);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, clear_button);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, id_filter_revealer);
  gtk_widget_class_bind_template_child (widget_class, BrmBatchTable, id_filter_label);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, status_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, template_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, column_view_activate_cb);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  cell_quark = g_quark_from_static_string ("brm-batch-table-cell");
  column_quark = g_quark_from_static_string ("brm-batch-table-column");
}

static void
brm_batch_table_init (BrmBatchTable *self)
{
  self->status_filter_value = -1;
  self->search_text = g_strdup ("");
  self->templates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->watched = g_hash_table_new_full (NULL, NULL, NULL, watch_free);
  self->probe_a = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_b = g_object_new (G_TYPE_OBJECT, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Typing while the rows have the focus starts a search. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->column_view));

  setup_models (self);
  setup_columns (self);

  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed",
                    G_CALLBACK (view_sorter_changed_cb), self);
  gtk_column_view_sort_by_column (self->column_view, self->columns[DEFAULT_SORT_COLUMN].column,
                                  GTK_SORT_DESCENDING);
  update_empty_state (self);
}

/* Public API --------------------------------------------------------------------- */

/**
 * brm_batch_table_new:
 *
 * Returns: (transfer floating): a table with no batches yet
 */
GtkWidget *
brm_batch_table_new (void)
{
  return g_object_new (BRM_TYPE_BATCH_TABLE, NULL);
}

/**
 * brm_batch_table_get_model:
 *
 * Returns: (transfer none) (nullable): the batches shown
 */
GListModel *
brm_batch_table_get_model (BrmBatchTable *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), NULL);
  return self->model;
}

/**
 * brm_batch_table_set_model:
 * @self: a #BrmBatchTable
 * @model: (nullable): a #GListModel of #BrBatch, usually the #BrBatchStore
 */
void
brm_batch_table_set_model (BrmBatchTable *self,
                           GListModel    *model)
{
  g_return_if_fail (BRM_IS_BATCH_TABLE (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));
  g_return_if_fail (model == NULL || g_type_is_a (g_list_model_get_item_type (model), BR_TYPE_BATCH));

  if (self->model == model)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  stop_flush_tick (self);
  g_set_object (&self->model, model);

  /* The sort model connects first, so when we hear of a change the rows
   * below are already up to date. */
  gtk_sort_list_model_set_model (self->sort_model, model);
  if (model != NULL)
    g_signal_connect (model, "items-changed", G_CALLBACK (model_items_changed_cb), self);
  if (BR_IS_BATCH_STORE (model))
    {
      g_signal_connect (model, "notify::has-queued", G_CALLBACK (store_has_queued_cb), self);
      start_flush_tick (self);
    }

  reset_templates (self);
  update_empty_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

/**
 * brm_batch_table_get_settings:
 *
 * Returns: (transfer none) (nullable): where the column state is kept
 */
GSettings *
brm_batch_table_get_settings (BrmBatchTable *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), NULL);
  return self->settings;
}

/**
 * brm_batch_table_set_settings:
 * @self: a #BrmBatchTable
 * @settings: (nullable): settings of the `io.github.batchrunner.Monitor`
 *   schema
 *
 * Restores the column order, visibility, widths and sort from @settings,
 * and from then on keeps them there when the operator changes them.
 */
void
brm_batch_table_set_settings (BrmBatchTable *self,
                              GSettings     *settings)
{
  g_return_if_fail (BRM_IS_BATCH_TABLE (self));
  g_return_if_fail (settings == NULL || G_IS_SETTINGS (settings));

  if (self->settings == settings)
    return;

  flush_save (self);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    restore_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

/**
 * brm_batch_table_get_selection:
 *
 * Returns: (transfer none): the #GtkMultiSelection of the rows shown
 */
GtkSelectionModel *
brm_batch_table_get_selection (BrmBatchTable *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), NULL);
  return GTK_SELECTION_MODEL (self->selection);
}

/**
 * brm_batch_table_dup_selected:
 *
 * Returns: (transfer container) (element-type BrBatch): the selected
 *   batches in view order; the array frees its references
 */
GPtrArray *
brm_batch_table_dup_selected (BrmBatchTable *self)
{
  g_autoptr(GtkBitset) set = NULL;
  GPtrArray *result;
  GtkBitsetIter iter;
  guint pos;

  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), NULL);

  result = g_ptr_array_new_with_free_func (g_object_unref);
  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_iter_init_first (&iter, set, &pos))
    do
      {
        BrBatch *batch = g_list_model_get_item (G_LIST_MODEL (self->selection), pos);

        if (batch != NULL)
          g_ptr_array_add (result, batch);
      }
    while (gtk_bitset_iter_next (&iter, &pos));
  return result;
}

guint
brm_batch_table_get_n_selected (BrmBatchTable *self)
{
  g_autoptr(GtkBitset) set = NULL;

  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), 0);

  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  return (guint) gtk_bitset_get_size (set);
}

/**
 * brm_batch_table_select_batch:
 * @self: a #BrmBatchTable
 * @batch_id: the id of a batch
 *
 * Selects only that batch and scrolls its row into view.
 *
 * Returns: %FALSE if no row shows it (unknown, or filtered out); the
 *   selection is then unchanged
 */
gboolean
brm_batch_table_select_batch (BrmBatchTable *self,
                              const char    *batch_id)
{
  GListModel *rows = G_LIST_MODEL (self->filter_model);
  BrBatch *target = NULL;
  guint n, pos;

  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), FALSE);
  g_return_val_if_fail (batch_id != NULL, FALSE);

  if (self->model == NULL)
    return FALSE;
  if (BR_IS_BATCH_STORE (self->model))
    {
      target = br_batch_store_lookup (BR_BATCH_STORE (self->model), batch_id);
      if (target == NULL)
        return FALSE;
    }

  n = g_list_model_get_n_items (rows);
  for (pos = 0; pos < n; pos++)
    {
      g_autoptr(BrBatch) batch = g_list_model_get_item (rows, pos);

      if (target != NULL ? batch == target : g_strcmp0 (br_batch_get_id (batch), batch_id) == 0)
        break;
    }
  if (pos == n)
    return FALSE;

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), pos, TRUE);
  scroll_to_row (self, pos);
  return TRUE;
}

/**
 * brm_batch_table_focus_search:
 *
 * Moves the keyboard focus to the search entry, its text selected (the
 * window binds Ctrl+F to this).
 */
void
brm_batch_table_focus_search (BrmBatchTable *self)
{
  g_return_if_fail (BRM_IS_BATCH_TABLE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

const char *
brm_batch_table_get_search_text (BrmBatchTable *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), NULL);
  return self->search_text;
}

/**
 * brm_batch_table_set_search_text:
 * @self: a #BrmBatchTable
 * @text: (nullable): words to find in a batch's name, id, creator or
 *   template, ignoring case
 *
 * Sets the search entry and filters at once (typing waits for a pause).
 */
void
brm_batch_table_set_search_text (BrmBatchTable *self,
                                 const char    *text)
{
  g_return_if_fail (BRM_IS_BATCH_TABLE (self));

  if (text == NULL)
    text = "";
  /* Applied here at once; the entry's own signals would come later, and
   * one at once with the text emptied half-way through the change. */
  g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
  g_clear_handle_id (&self->search_idle, g_source_remove);
  apply_search_text (self, text);
}

int
brm_batch_table_get_status_filter (BrmBatchTable *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), -1);
  return self->status_filter_value;
}

/**
 * brm_batch_table_set_status_filter:
 * @self: a #BrmBatchTable
 * @status: a #BrBatchStatus, or -1 for every status
 */
void
brm_batch_table_set_status_filter (BrmBatchTable *self,
                                   int            status)
{
  int old;

  g_return_if_fail (BRM_IS_BATCH_TABLE (self));
  g_return_if_fail (status >= -1 && status < (int) G_N_ELEMENTS (status_info));

  if (status == BR_BATCH_STATUS_UNKNOWN)
    status = -1;
  if (status == self->status_filter_value)
    return;

  old = self->status_filter_value;
  self->status_filter_value = status;
  g_signal_handlers_block_by_func (self->status_dropdown, status_selected_cb, self);
  gtk_drop_down_set_selected (self->status_dropdown, status < 0 ? 0 : (guint) status);
  g_signal_handlers_unblock_by_func (self->status_dropdown, status_selected_cb, self);

  if (status < 0)
    gtk_custom_filter_set_filter_func (self->status_filter, NULL, NULL, NULL);
  else if (old < 0)
    gtk_custom_filter_set_filter_func (self->status_filter, status_filter_cb, self, NULL);
  else
    gtk_filter_changed (GTK_FILTER (self->status_filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_empty_state (self);
  show_first_rows (self);
}

const char *
brm_batch_table_get_template_filter (BrmBatchTable *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), NULL);
  return self->template_filter_value;
}

/**
 * brm_batch_table_set_template_filter:
 * @self: a #BrmBatchTable
 * @template_version: (nullable): show only batches of this template
 *   version; %NULL for all
 */
void
brm_batch_table_set_template_filter (BrmBatchTable *self,
                                     const char    *template_version)
{
  g_autofree char *old = NULL;

  g_return_if_fail (BRM_IS_BATCH_TABLE (self));

  if (template_version != NULL && *template_version == '\0')
    template_version = NULL;
  if (g_strcmp0 (template_version, self->template_filter_value) == 0)
    return;

  old = g_steal_pointer (&self->template_filter_value);
  self->template_filter_value = g_strdup (template_version);
  /* A version no batch has yet is listed too, so the choice shows. */
  sync_template_dropdown (self);

  if (template_version == NULL)
    gtk_custom_filter_set_filter_func (self->template_filter, NULL, NULL, NULL);
  else if (old == NULL)
    gtk_custom_filter_set_filter_func (self->template_filter, template_filter_cb, self, NULL);
  else
    gtk_filter_changed (GTK_FILTER (self->template_filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_empty_state (self);
  show_first_rows (self);
}

/**
 * brm_batch_table_clear_filters:
 *
 * Clears the search and the status and template filters.
 */
void
brm_batch_table_clear_filters (BrmBatchTable *self)
{
  g_return_if_fail (BRM_IS_BATCH_TABLE (self));

  brm_batch_table_set_search_text (self, NULL);
  brm_batch_table_set_status_filter (self, -1);
  brm_batch_table_set_template_filter (self, NULL);
  brm_batch_table_set_id_filter (self, NULL, NULL);
}

/**
 * brm_batch_table_set_id_filter:
 * @self: a #BrmBatchTable
 * @ids: (nullable) (array zero-terminated=1): the batches to show; %NULL
 *   for all
 * @text: (nullable): what they are, shown above the rows with a button
 *   back to all batches (e.g. "Batches with error TIMEOUT")
 *
 * Limits the rows to a set of batches chosen elsewhere, on top of the
 * search and filters. An empty @ids shows no row (and the empty state
 * says the filters match nothing).
 */
void
brm_batch_table_set_id_filter (BrmBatchTable      *self,
                               const char * const *ids,
                               const char         *text)
{
  gboolean had = FALSE;

  g_return_if_fail (BRM_IS_BATCH_TABLE (self));

  had = self->id_filter_ids != NULL;
  g_clear_pointer (&self->id_filter_ids, g_hash_table_unref);
  g_clear_pointer (&self->id_filter_text, g_free);

  if (ids != NULL)
    {
      self->id_filter_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; ids[i] != NULL; i++)
        g_hash_table_add (self->id_filter_ids, g_strdup (ids[i]));
      self->id_filter_text = g_strdup (text);
    }

  gtk_label_set_label (self->id_filter_label, self->id_filter_text ? self->id_filter_text : "");
  gtk_revealer_set_reveal_child (self->id_filter_revealer, ids != NULL);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions),
                                                                            "clear-id-filter")),
                               ids != NULL);

  if (ids != NULL && !had)
    gtk_custom_filter_set_filter_func (self->id_filter, id_filter_cb, self, NULL);
  else if (ids == NULL && had)
    gtk_custom_filter_set_filter_func (self->id_filter, NULL, NULL, NULL);
  else if (ids != NULL)
    gtk_filter_changed (GTK_FILTER (self->id_filter), GTK_FILTER_CHANGE_DIFFERENT);
  else
    return;

  update_empty_state (self);
  show_first_rows (self);
}

/**
 * brm_batch_table_get_id_filter_text:
 *
 * Returns: (nullable): the text of the id filter, %NULL when every batch
 *   may show
 */
const char *
brm_batch_table_get_id_filter_text (BrmBatchTable *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), NULL);

  if (self->id_filter_ids == NULL)
    return NULL;
  return self->id_filter_text ? self->id_filter_text : "";
}

guint
brm_batch_table_get_n_visible (BrmBatchTable *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), 0);
  return self->n_visible;
}

gboolean
brm_batch_table_get_stale (BrmBatchTable *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), FALSE);
  return self->stale;
}

/**
 * brm_batch_table_set_stale:
 * @self: a #BrmBatchTable
 * @stale: whether the rows are last known data (offline)
 *
 * Dims the rows (style class "stale") and says so in the accessible
 * description of the table.
 */
void
brm_batch_table_set_stale (BrmBatchTable *self,
                           gboolean       stale)
{
  g_return_if_fail (BRM_IS_BATCH_TABLE (self));

  stale = !!stale;
  if (self->stale == stale)
    return;
  self->stale = stale;

  if (stale)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "stale");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->column_view),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      _("Last known data, not updated while offline"),
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "stale");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->column_view), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALE]);
}

/**
 * brm_batch_table_sort_by:
 * @self: a #BrmBatchTable
 * @column_id: a column id, as in the `column-order` setting
 * @descending: whether the largest (or last) value comes first
 *
 * Sorts as a click on the column header would.
 */
void
brm_batch_table_sort_by (BrmBatchTable *self,
                         const char    *column_id,
                         gboolean       descending)
{
  Column *column;

  g_return_if_fail (BRM_IS_BATCH_TABLE (self));

  column = find_column (self, column_id);
  g_return_if_fail (column != NULL);

  gtk_column_view_sort_by_column (self->column_view, column->column,
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
}

/**
 * brm_batch_table_get_sort_column:
 * @self: a #BrmBatchTable
 * @descending: (out) (optional): the order
 *
 * Returns: (nullable): the id of the column the rows are sorted by
 */
const char *
brm_batch_table_get_sort_column (BrmBatchTable *self,
                                 gboolean      *descending)
{
  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), NULL);

  if (descending != NULL)
    *descending = self->sort_descending;
  return self->sort_column ? self->sort_column->info->id : NULL;
}

/**
 * brm_batch_table_dup_column_order:
 *
 * Returns: (transfer full): the ids of every column, shown or hidden, in
 *   view order
 */
char **
brm_batch_table_dup_column_order (BrmBatchTable *self)
{
  GListModel *columns;
  GStrvBuilder *builder;
  char **result;
  guint n;

  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), NULL);

  columns = gtk_column_view_get_columns (self->column_view);
  n = g_list_model_get_n_items (columns);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) view_column = g_list_model_get_item (columns, i);
      Column *column = g_object_get_qdata (view_column, column_quark);

      if (column != NULL)
        g_strv_builder_add (builder, column->info->id);
    }
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

gboolean
brm_batch_table_get_column_visible (BrmBatchTable *self,
                                    const char    *column_id)
{
  Column *column;

  g_return_val_if_fail (BRM_IS_BATCH_TABLE (self), FALSE);

  column = find_column (self, column_id);
  g_return_val_if_fail (column != NULL, FALSE);
  return gtk_column_view_column_get_visible (column->column);
}

/**
 * brm_batch_table_set_column_visible:
 * @self: a #BrmBatchTable
 * @column_id: a column id
 * @visible: whether to show it
 *
 * Shows or hides a column, as the "Columns" menu does (the action
 * `table.show-<column_id>`). The name column is always shown: it tells
 * rows apart.
 */
void
brm_batch_table_set_column_visible (BrmBatchTable *self,
                                    const char    *column_id,
                                    gboolean       visible)
{
  Column *column;

  g_return_if_fail (BRM_IS_BATCH_TABLE (self));

  column = find_column (self, column_id);
  g_return_if_fail (column != NULL);
  if (!column->info->hideable)
    return;
  gtk_column_view_column_set_visible (column->column, visible);
}
