/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-lead-browser"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "brm-lead-browser.h"

/**
 * BrmLeadBrowser:
 *
 * The lead table of the new-batch window: the service's leads, searched
 * and filtered on the server, paged as the list scrolls, with a selection
 * (#BrmLeadSelection) that outlives searches and never passes the
 * per-batch limit. The limit is said next to the counter before anything
 * is refused, and a refused selection says why in a banner.
 *
 * Leads already in a running batch are marked in their own column (icon
 * and text). Importing a CSV or JSON file reports, row by row, what the
 * service refused and why.
 */

#define MAX_REPORTED_PROBLEMS 200

typedef enum
{
  COLUMN_SELECT,
  COLUMN_COMPANY,
  COLUMN_DOMAIN,
  COLUMN_CONTACT,
  COLUMN_EMAIL,
  COLUMN_SOURCE,
  COLUMN_INDUSTRY,
  COLUMN_ENRICHMENT,
  COLUMN_LAST_PROCESSED,
  COLUMN_ACTIVE,
  N_COLUMNS
} Column;

struct _BrmLeadBrowser
{
  GtkWidget             parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkSearchEntry       *search_entry;
  GtkFlowBox           *filter_box;
  GtkDropDown          *source_dropdown;
  GtkDropDown          *industry_dropdown;
  GtkDropDown          *enrichment_dropdown;
  GtkRevealer          *refusal_revealer;
  GtkLabel             *refusal_label;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkStack             *stack;
  GtkColumnView        *column_view;
  GtkLabel             *counter_label;
  GtkLabel             *limit_label;
  GtkSpinner           *spinner;
  GtkButton            *select_all_button;
  GtkLabel             *select_all_label;
  GtkButton            *clear_button;
  GtkButton            *import_button;

  BrClient             *client;
  BrmLeadSelection     *selection;
  BrBatchStore         *store;
  BrmLeadPageModel     *model;
  GtkStringList        *sources;
  GtkStringList        *industries;
  gboolean              supported;
  gboolean              updating_filters;

  GtkFileChooserNative *chooser;
  GCancellable         *import_cancellable;
  gboolean              importing;
};

G_DEFINE_FINAL_TYPE (BrmLeadBrowser, brm_lead_browser, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_SELECTION,
  PROP_STORE,
  N_PROPS
};

enum {
  IMPORT_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* State shown ---------------------------------------------------------------- */

static void
update_actions (BrmLeadBrowser *self)
{
  gint64 total = brm_lead_page_model_get_total (self->model);
  guint n = brm_lead_selection_get_n_selected (self->selection);
  guint limit = brm_lead_selection_get_limit (self->selection);
  g_autofree char *label = NULL;
  g_autofree char *tooltip = NULL;
  gboolean fits = total > 0 && total <= limit;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "leads.select-all-matching",
                                 self->supported && fits && !brm_lead_page_model_get_busy (self->model));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "leads.clear-selection", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "leads.import", self->supported && !self->importing);

  if (total > 0)
    label = g_strdup_printf (_("_Select All %" PRId64 " Matching"), total);
  else
    label = g_strdup (_("_Select All Matching"));
  /* A label child, not the button's label: GTK 4.8 names a button after
   * its label property (underscore and all) and then its text again. */
  gtk_label_set_label (self->select_all_label, label);

  if (total > limit)
    tooltip = g_strdup_printf (_("%" PRId64 " leads match, more than the %u a batch can hold: "
                                 "narrow the search or the filters"), total, limit);
  else
    tooltip = g_strdup (_("Add every lead matching the search and filters, not only the rows shown"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->select_all_button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->select_all_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
}

static void
update_counter (BrmLeadBrowser *self)
{
  guint n = brm_lead_selection_get_n_selected (self->selection);
  guint limit = brm_lead_selection_get_limit (self->selection);
  guint active = brm_lead_selection_get_n_in_active_batch (self->selection);
  gint64 total = brm_lead_page_model_get_total (self->model);
  g_autofree char *counter = NULL;
  g_autofree char *note = NULL;

  if (active > 0)
    counter = g_strdup_printf (ngettext ("%u of %u leads selected · %u already in a running batch",
                                         "%u of %u leads selected · %u already in a running batch",
                                         n), n, limit, active);
  else
    counter = g_strdup_printf (ngettext ("%u of %u leads selected", "%u of %u leads selected", n), n, limit);
  gtk_label_set_label (self->counter_label, counter);

  if (total > limit)
    note = g_strdup_printf (_("A batch holds at most %u leads; %" PRId64 " match. "
                              "Select some of them, or narrow the search to select all."), limit, total);
  else if (n >= limit)
    note = g_strdup_printf (_("A batch holds at most %u leads: the selection is full."), limit);
  else if (total >= 0)
    note = g_strdup_printf (ngettext ("A batch holds at most %u leads; %" PRId64 " matches.",
                                      "A batch holds at most %u leads; %" PRId64 " match.",
                                      (gulong) total), limit, total);
  else
    note = g_strdup_printf (_("A batch holds at most %u leads."), limit);
  gtk_label_set_label (self->limit_label, note);

  update_actions (self);
}

static void
refusal_changed_cb (BrmLeadBrowser *self)
{
  const char *refusal = brm_lead_selection_get_refusal (self->selection);

  if (refusal != NULL)
    gtk_label_set_label (self->refusal_label, refusal);
  gtk_revealer_set_reveal_child (self->refusal_revealer, refusal != NULL);
}

static void
update_page (BrmLeadBrowser *self)
{
  const char *error = brm_lead_page_model_get_error (self->model);
  gboolean loading = brm_lead_page_model_get_loading (self->model) || brm_lead_page_model_get_busy (self->model);
  const char *page;

  if (!self->supported)
    page = "unsupported";
  else if (brm_lead_page_model_get_total (self->model) == 0 && !brm_lead_page_model_get_loading (self->model))
    page = "empty";
  else
    page = "list";
  gtk_stack_set_visible_child_name (self->stack, page);

  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not load leads: %s"), error);

      gtk_label_set_label (self->error_label, text);
    }
  gtk_revealer_set_reveal_child (self->error_revealer, error != NULL && self->supported);

  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  update_counter (self);
}

/* Filters --------------------------------------------------------------------- */

static const char *
dropdown_value (GtkDropDown *dropdown)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  GtkStringList *list = GTK_STRING_LIST (gtk_drop_down_get_model (dropdown));

  /* Item 0 is "any". */
  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return NULL;
  return gtk_string_list_get_string (list, selected);
}

static void
apply_query (BrmLeadBrowser *self)
{
  static const BrEnrichmentStatus statuses[] = {
    BR_ENRICHMENT_STATUS_UNKNOWN, BR_ENRICHMENT_STATUS_PENDING,
    BR_ENRICHMENT_STATUS_PARTIAL, BR_ENRICHMENT_STATUS_COMPLETED,
  };
  guint status = gtk_drop_down_get_selected (self->enrichment_dropdown);

  /* The template's widgets notify while it is built, before the model. */
  if (!self->supported || self->model == NULL)
    return;
  brm_lead_page_model_set_query (self->model,
                                 gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
                                 dropdown_value (self->source_dropdown),
                                 dropdown_value (self->industry_dropdown),
                                 status < G_N_ELEMENTS (statuses) ? statuses[status] : BR_ENRICHMENT_STATUS_UNKNOWN);
}

static void
search_changed_cb (BrmLeadBrowser *self)
{
  apply_query (self);
}

static void
filter_changed_cb (BrmLeadBrowser *self)
{
  if (!self->updating_filters)
    apply_query (self);
}

/* Sources and industries are free text on the service, which cannot list
 * their values: the filters offer the ones seen in the pages loaded,
 * sorted, keeping the chosen one chosen as values are added. */
static void
learn_value (BrmLeadBrowser *self,
             GtkDropDown    *dropdown,
             GtkStringList  *list,
             const char     *value)
{
  guint n, at, selected;
  const char *chosen;

  if (value == NULL || *value == '\0')
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  for (at = 1; at < n; at++)
    {
      int cmp = g_utf8_collate (value, gtk_string_list_get_string (list, at));

      if (cmp == 0)
        return;
      if (cmp < 0)
        break;
    }

  selected = gtk_drop_down_get_selected (dropdown);
  chosen = selected == 0 ? NULL : gtk_string_list_get_string (list, selected);
  {
    g_autofree char *keep = g_strdup (chosen);
    const char * const additions[] = { value, NULL };

    self->updating_filters = TRUE;
    gtk_string_list_splice (list, at, 0, additions);
    if (keep != NULL)
      gtk_drop_down_set_selected (dropdown, selected >= at ? selected + 1 : selected);
    else
      gtk_drop_down_set_selected (dropdown, 0);
    self->updating_filters = FALSE;
  }
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
page_loaded_cb (BrmLeadBrowser *self,
                guint           index)
{
  guint page_size = brm_lead_page_model_get_page_size (self->model);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  /* A new query's results start at the top (GTK 4.8 has no
   * gtk_column_view_scroll_to: the inner list's action does it). */
  if (index == 0 && n > 0)
    {
      GtkWidget *list = find_list_view (GTK_WIDGET (self->column_view));

      if (list != NULL)
        gtk_widget_activate_action (list, "list.scroll-to-item", "u", 0);
    }

  for (guint pos = index * page_size; pos < n && pos < (index + 1) * page_size; pos++)
    {
      BrLead *lead = brm_lead_page_model_get_lead (self->model, pos);

      if (lead == NULL)
        continue;
      learn_value (self, self->source_dropdown, self->sources, br_lead_get_source (lead));
      learn_value (self, self->industry_dropdown, self->industries, br_lead_get_industry (lead));
    }
}

/* Cells ----------------------------------------------------------------------- */

static const char *
enrichment_text (BrEnrichmentStatus status)
{
  switch (status)
    {
    case BR_ENRICHMENT_STATUS_PENDING:
      return _("Pending");
    case BR_ENRICHMENT_STATUS_PARTIAL:
      return _("Partial");
    case BR_ENRICHMENT_STATUS_COMPLETED:
      return _("Completed");
    case BR_ENRICHMENT_STATUS_UNKNOWN:
    default:
      return "";
    }
}

static char *
last_processed_text (BrmLeadBrowser *self,
                     BrLead         *lead)
{
  gint64 at = br_lead_get_last_processed_at (lead);
  const char *batch_id = br_lead_get_last_batch_id (lead);
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *when = NULL;
  BrBatch *batch;

  if (at <= 0)
    return g_strdup (_("Never"));

  time = g_date_time_new_from_unix_local (at / G_USEC_PER_SEC);
  when = time ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("?");
  if (batch_id == NULL)
    return g_steal_pointer (&when);

  batch = self->store ? br_batch_store_lookup (self->store, batch_id) : NULL;
  if (batch != NULL)
    return g_strdup_printf (_("%s · %s"), when, br_batch_get_name (batch));
  /* The batch is not in the monitor's store (old): its id says which. */
  return g_strdup_printf (_("%s · batch %.8s"), when, batch_id);
}

typedef struct
{
  BrmLeadBrowser *self;
  Column          column;
} ColumnData;

static void
update_cell (GtkListItem *item)
{
  ColumnData *data = g_object_get_data (G_OBJECT (item), "brm-column");
  BrmLeadRow *row = gtk_list_item_get_item (item);
  BrLead *lead = row ? brm_lead_row_get_lead (row) : NULL;
  GtkWidget *child = gtk_list_item_get_child (item);
  g_autofree char *text = NULL;

  switch (data->column)
    {
    case COLUMN_SELECT:
      {
        g_autofree char *name = NULL;

        gtk_widget_set_sensitive (child, lead != NULL);
        name = g_strdup_printf (_("Select %s"), lead ? br_lead_get_company_name (lead) : _("lead"));
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
        g_object_set_data (G_OBJECT (child), "brm-updating", GINT_TO_POINTER (TRUE));
        gtk_check_button_set_active (GTK_CHECK_BUTTON (child), gtk_list_item_get_selected (item));
        g_object_set_data (G_OBJECT (child), "brm-updating", NULL);
        return;
      }
    case COLUMN_ACTIVE:
      {
        gboolean active = lead != NULL && br_lead_get_in_active_batch (lead);

        gtk_widget_set_visible (gtk_widget_get_first_child (child), active);
        gtk_label_set_label (GTK_LABEL (gtk_widget_get_last_child (child)),
                             active ? _("In a running batch") : "");
        return;
      }
    case COLUMN_COMPANY:
      text = g_strdup (lead ? br_lead_get_company_name (lead) : _("Loading…"));
      gtk_widget_set_opacity (child, lead ? 1.0 : 0.55);
      break;
    case COLUMN_DOMAIN:
      text = g_strdup (lead ? br_lead_get_domain (lead) : NULL);
      break;
    case COLUMN_CONTACT:
      text = g_strdup (lead ? br_lead_get_contact_name (lead) : NULL);
      break;
    case COLUMN_EMAIL:
      text = g_strdup (lead ? br_lead_get_email (lead) : NULL);
      break;
    case COLUMN_SOURCE:
      text = g_strdup (lead ? br_lead_get_source (lead) : NULL);
      break;
    case COLUMN_INDUSTRY:
      text = g_strdup (lead ? br_lead_get_industry (lead) : NULL);
      break;
    case COLUMN_ENRICHMENT:
      text = g_strdup (lead ? enrichment_text (br_lead_get_enrichment_status (lead)) : NULL);
      break;
    case COLUMN_LAST_PROCESSED:
      text = lead ? last_processed_text (data->self, lead) : NULL;
      break;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }

  if (g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (child)), text ? text : "") != 0)
    {
      gtk_inscription_set_text (GTK_INSCRIPTION (child), text ? text : "");
      /* GTK 4.8's inscription does not give its text to assistive
       * technologies itself. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, text ? text : "", -1);
    }
}

static void
check_toggled_cb (GtkCheckButton *check,
                  GtkListItem    *item)
{
  ColumnData *data = g_object_get_data (G_OBJECT (item), "brm-column");
  guint position = gtk_list_item_get_position (item);

  if (g_object_get_data (G_OBJECT (check), "brm-updating") != NULL)
    return;
  if (gtk_check_button_get_active (check) == gtk_list_item_get_selected (item))
    return;

  /* Refused (full): the box goes back to what the selection says. */
  if (!brm_lead_page_model_toggle (data->self->model, position))
    update_cell (item);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            ColumnData               *data)
{
  GtkWidget *child;

  g_object_set_data (G_OBJECT (item), "brm-column", data);

  switch (data->column)
    {
    case COLUMN_SELECT:
      child = gtk_check_button_new ();
      g_signal_connect (child, "toggled", G_CALLBACK (check_toggled_cb), item);
      break;
    case COLUMN_ACTIVE:
      {
        /* The text says it; the icon is decoration. */
        GtkWidget *icon = g_object_new (GTK_TYPE_IMAGE,
                                        "icon-name", "media-playback-start-symbolic",
                                        "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                        NULL);

        child = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
        gtk_widget_add_css_class (child, "brm-lead-active");
        gtk_box_append (GTK_BOX (child), icon);
        gtk_box_append (GTK_BOX (child), gtk_label_new (NULL));
        break;
      }
    case COLUMN_COMPANY:
    case COLUMN_DOMAIN:
    case COLUMN_CONTACT:
    case COLUMN_EMAIL:
    case COLUMN_SOURCE:
    case COLUMN_INDUSTRY:
    case COLUMN_ENRICHMENT:
    case COLUMN_LAST_PROCESSED:
      /* GtkInscription, not GtkLabel: its size comes from a number of
       * characters, not from its text, so measuring the 200 rows GTK
       * builds up front costs no text shaping, and a page of leads
       * arriving in rows that exist redraws them without a relayout. */
      child = gtk_inscription_new (NULL);
      gtk_inscription_set_xalign (GTK_INSCRIPTION (child), 0);
      gtk_inscription_set_text_overflow (GTK_INSCRIPTION (child), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (child), data->column == COLUMN_COMPANY ? 18 : 10);
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (child), data->column == COLUMN_COMPANY ? 18 : 10);
      break;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }

  gtk_list_item_set_child (item, child);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           ColumnData               *data)
{
  BrmLeadRow *row = gtk_list_item_get_item (item);

  /* Rows change in place when their page arrives. */
  g_signal_connect_swapped (row, "notify::lead", G_CALLBACK (update_cell), item);
  if (data->column == COLUMN_SELECT)
    g_signal_connect (item, "notify::selected", G_CALLBACK (update_cell), NULL);
  update_cell (item);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             ColumnData               *data)
{
  BrmLeadRow *row = gtk_list_item_get_item (item);

  g_signal_handlers_disconnect_by_func (row, update_cell, item);
  if (data->column == COLUMN_SELECT)
    g_signal_handlers_disconnect_by_func (item, update_cell, NULL);
}

static void
add_column (BrmLeadBrowser *self,
            Column          column,
            const char     *title)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;
  ColumnData *data = g_new0 (ColumnData, 1);

  data->self = self;
  data->column = column;
  g_signal_connect_data (factory, "setup", G_CALLBACK (setup_cell), data, (GClosureNotify) g_free, 0);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), data);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), data);

  view_column = gtk_column_view_column_new (title, g_steal_pointer (&factory));
  gtk_column_view_column_set_resizable (view_column, column != COLUMN_SELECT);
  gtk_column_view_column_set_expand (view_column, column == COLUMN_COMPANY);
  gtk_column_view_append_column (self->column_view, view_column);
}

/* Selection feedback -------------------------------------------------------------- */

static void
undo_replace_cb (AdwToast *toast,
                 gpointer  user_data)
{
  BrmLeadBrowser *self = g_object_get_data (G_OBJECT (toast), "brm-browser");
  const char * const *previous = g_object_get_data (G_OBJECT (toast), "brm-previous");

  if (self != NULL && previous != NULL)
    brm_lead_selection_set_ids (self->selection, previous);
}

static void
selection_replaced_cb (BrmLeadBrowser     *self,
                       const char * const *previous,
                       guint               n_dropped)
{
  g_autofree char *title = g_strdup_printf (ngettext ("%u lead unselected", "%u leads unselected", n_dropped),
                                            n_dropped);
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data (G_OBJECT (toast), "brm-browser", self);
  g_object_set_data_full (G_OBJECT (toast), "brm-previous", g_strdupv ((char **) previous), (GDestroyNotify) g_strfreev);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (undo_replace_cb), NULL);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
dismiss_refusal_cb (BrmLeadBrowser *self)
{
  brm_lead_selection_clear_refusal (self->selection);
}

static void
retry_cb (BrmLeadBrowser *self)
{
  brm_lead_page_model_reload (self->model);
}

/* Import ---------------------------------------------------------------------------- */

static void
show_report (BrmLeadBrowser *self,
             GFile          *file,
             BrmLeadImport  *import,
             const GError   *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GPtrArray *problems = brm_lead_import_get_problems (import);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *heading = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  GtkWidget *dialog;

  if (error != NULL && brm_lead_import_get_n_rows (import) == 0)
    {
      heading = g_strdup_printf (_("Could Not Import “%s”"), name);
      g_string_append (body, error->message);
    }
  else
    {
      heading = g_strdup_printf (ngettext ("Imported %u of %u Lead", "Imported %u of %u Leads",
                                           brm_lead_import_get_n_rows (import)),
                                 brm_lead_import_get_n_imported (import), brm_lead_import_get_n_rows (import));
      if (error != NULL)
        g_string_append_printf (body, _("The import stopped: %s. "), error->message);
      if (problems->len > 0)
        g_string_append_printf (body, ngettext ("%u row was refused:", "%u rows were refused:", problems->len),
                                problems->len);
      else if (error == NULL)
        g_string_append (body, _("Every row was imported."));
    }

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body->str);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");

  if (problems->len > 0)
    {
      GtkWidget *scrolled = gtk_scrolled_window_new ();
      GtkWidget *list = gtk_list_box_new ();

      gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (list, "boxed-list");
      gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Refused rows"), -1);
      for (guint i = 0; i < problems->len && i < MAX_REPORTED_PROBLEMS; i++)
        {
          g_autofree char *text = brm_lead_import_format_problem (import, problems->pdata[i]);
          GtkWidget *label = gtk_label_new (text);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
          gtk_label_set_selectable (GTK_LABEL (label), TRUE);
          gtk_widget_set_margin_start (label, 12);
          gtk_widget_set_margin_end (label, 12);
          gtk_widget_set_margin_top (label, 6);
          gtk_widget_set_margin_bottom (label, 6);
          gtk_list_box_append (GTK_LIST_BOX (list), label);
        }
      if (problems->len > MAX_REPORTED_PROBLEMS)
        {
          g_autofree char *more = g_strdup_printf (_("…and %u more"), problems->len - MAX_REPORTED_PROBLEMS);

          gtk_list_box_append (GTK_LIST_BOX (list), gtk_label_new (more));
        }

      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
      gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
      gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);
    }

  gtk_window_present (GTK_WINDOW (dialog));
  g_signal_emit (self, signals[IMPORT_FINISHED], 0, import, dialog);
}

static void
import_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GFile) file = user_data;
  BrmLeadImport *import = BRM_LEAD_IMPORT (object);
  BrmLeadBrowser *self = g_object_get_data (object, "brm-browser");
  g_autoptr(GError) error = NULL;

  brm_lead_import_file_finish (import, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self == NULL)
    return;

  self->importing = FALSE;
  update_actions (self);
  if (brm_lead_import_get_n_imported (import) > 0)
    brm_lead_page_model_reload (self->model);
  show_report (self, file, import, error);
}

/**
 * brm_lead_browser_import_file:
 * @self: a #BrmLeadBrowser
 * @file: a CSV or JSON file of leads
 *
 * Imports @file, then shows a report of what was imported and, row by
 * row, what was refused. What the file chooser calls.
 */
void
brm_lead_browser_import_file (BrmLeadBrowser *self,
                              GFile          *file)
{
  g_autoptr(BrmLeadImport) import = NULL;

  g_return_if_fail (BRM_IS_LEAD_BROWSER (self));
  g_return_if_fail (G_IS_FILE (file));

  import = brm_lead_import_new (self->client);
  g_object_set_data (G_OBJECT (import), "brm-browser", self);
  self->importing = TRUE;
  update_actions (self);
  brm_lead_import_file_async (import, file, self->import_cancellable, import_cb, g_object_ref (file));
}

static void
chooser_response_cb (BrmLeadBrowser *self,
                     int             response,
                     GtkNativeDialog *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    brm_lead_browser_import_file (self, file);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  BrmLeadBrowser *self = BRM_LEAD_BROWSER (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) leads = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) any = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  gtk_file_filter_set_name (leads, _("Lead files (CSV, JSON)"));
  gtk_file_filter_add_suffix (leads, "csv");
  gtk_file_filter_add_suffix (leads, "json");
  gtk_file_filter_add_mime_type (leads, "text/csv");
  gtk_file_filter_add_mime_type (leads, "application/json");
  gtk_file_filter_set_name (any, _("All files"));
  gtk_file_filter_add_pattern (any, "*");

  self->chooser = gtk_file_chooser_native_new (_("Import Leads"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), leads);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), any);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
select_all_matching_action (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *param)
{
  brm_lead_page_model_select_all_matching (BRM_LEAD_BROWSER (widget)->model);
}

static void
clear_selection_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  brm_lead_selection_clear (BRM_LEAD_BROWSER (widget)->selection);
}

/* GObject ------------------------------------------------------------------------------ */

static void
brm_lead_browser_constructed (GObject *object)
{
  BrmLeadBrowser *self = BRM_LEAD_BROWSER (object);
  static const struct { Column column; const char *title; } columns[] = {
    { COLUMN_SELECT, "" },
    { COLUMN_COMPANY, N_("Company") },
    { COLUMN_DOMAIN, N_("Domain") },
    { COLUMN_CONTACT, N_("Contact") },
    { COLUMN_EMAIL, N_("Email") },
    { COLUMN_SOURCE, N_("Source") },
    { COLUMN_INDUSTRY, N_("Industry") },
    { COLUMN_ENRICHMENT, N_("Enrichment") },
    { COLUMN_LAST_PROCESSED, N_("Last Processed") },
    { COLUMN_ACTIVE, N_("Running Batch") },
  };

  G_OBJECT_CLASS (brm_lead_browser_parent_class)->constructed (object);

  g_assert (self->client != NULL);
  if (self->selection == NULL)
    self->selection = brm_lead_selection_new (BRM_MAX_LEADS_PER_BATCH);

  self->model = brm_lead_page_model_new (self->client, self->selection);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->model));
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    add_column (self, columns[i].column, *columns[i].title ? _(columns[i].title) : "");

  g_signal_connect_object (self->model, "notify::total", G_CALLBACK (update_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::loading", G_CALLBACK (update_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::busy", G_CALLBACK (update_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::error", G_CALLBACK (update_page), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "page-loaded", G_CALLBACK (page_loaded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "selection-replaced", G_CALLBACK (selection_replaced_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "changed", G_CALLBACK (update_counter), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::n-in-active-batch", G_CALLBACK (update_counter), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::refusal", G_CALLBACK (refusal_changed_cb), self,
                           G_CONNECT_SWAPPED);

  update_page (self);
  refusal_changed_cb (self);
}

static void
brm_lead_browser_dispose (GObject *object)
{
  BrmLeadBrowser *self = BRM_LEAD_BROWSER (object);

  g_cancellable_cancel (self->import_cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  if (self->model != NULL)
    brm_lead_page_model_cancel (self->model);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), BRM_TYPE_LEAD_BROWSER);

  g_clear_object (&self->model);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (brm_lead_browser_parent_class)->dispose (object);
}

static void
brm_lead_browser_finalize (GObject *object)
{
  BrmLeadBrowser *self = BRM_LEAD_BROWSER (object);

  g_clear_object (&self->import_cancellable);
  g_clear_object (&self->sources);
  g_clear_object (&self->industries);

  G_OBJECT_CLASS (brm_lead_browser_parent_class)->finalize (object);
}

static void
brm_lead_browser_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BrmLeadBrowser *self = BRM_LEAD_BROWSER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_SELECTION:
      g_value_set_object (value, self->selection);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_lead_browser_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BrmLeadBrowser *self = BRM_LEAD_BROWSER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_SELECTION:
      self->selection = g_value_dup_object (value);
      break;
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_lead_browser_class_init (BrmLeadBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = brm_lead_browser_constructed;
  object_class->dispose = brm_lead_browser_dispose;
  object_class->finalize = brm_lead_browser_finalize;
  object_class->get_property = brm_lead_browser_get_property;
  object_class->set_property = brm_lead_browser_set_property;

  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, BR_TYPE_CLIENT, co);
  properties[PROP_SELECTION] = g_param_spec_object ("selection", NULL, NULL, BRM_TYPE_LEAD_SELECTION, co);
  /**
   * BrmLeadBrowser:store:
   *
   * The monitor's batches, to name the batch a lead was last processed in.
   */
  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, BR_TYPE_BATCH_STORE, co);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BrmLeadBrowser::import-finished:
   * @import: the import, with its counts and refused rows
   * @report: the report dialog shown
   */
  signals[IMPORT_FINISHED] = g_signal_new ("import-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                           BRM_TYPE_LEAD_IMPORT, ADW_TYPE_MESSAGE_DIALOG);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/brm-lead-browser.ui");
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, filter_box);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, source_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, industry_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, enrichment_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, refusal_revealer);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, refusal_label);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, error_label);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, stack);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, column_view);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, counter_label);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, limit_label);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, spinner);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, select_all_button);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, select_all_label);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, clear_button);
  gtk_widget_class_bind_template_child (widget_class, BrmLeadBrowser, import_button);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, dismiss_refusal_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_cb);

  gtk_widget_class_install_action (widget_class, "leads.select-all-matching", NULL, select_all_matching_action);
  gtk_widget_class_install_action (widget_class, "leads.clear-selection", NULL, clear_selection_action);
  gtk_widget_class_install_action (widget_class, "leads.import", NULL, import_action);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* GtkDropDown (GTK 4.8) leaves the toggle button inside it unnamed: a
 * screen reader would hear "toggle button" and nothing else. */
static void
name_drop_down_button (GtkDropDown *dropdown,
                       const char  *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (dropdown)); child;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_TOGGLE_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

/* GtkFlowBox wraps each control in a focusable child: one extra Tab stop
 * per control for nothing, since the children are never selected. */
static void
unfocus_flow_children (GtkWidget *box)
{
  for (GtkWidget *child = gtk_widget_get_first_child (box); child; child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);
}

static void
brm_lead_browser_init (BrmLeadBrowser *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->import_cancellable = g_cancellable_new ();
  self->supported = TRUE;

  self->sources = gtk_string_list_new (NULL);
  gtk_string_list_append (self->sources, _("Any source"));
  gtk_drop_down_set_model (self->source_dropdown, G_LIST_MODEL (self->sources));
  self->industries = gtk_string_list_new (NULL);
  gtk_string_list_append (self->industries, _("Any industry"));
  gtk_drop_down_set_model (self->industry_dropdown, G_LIST_MODEL (self->industries));

  name_drop_down_button (self->source_dropdown, _("Source filter"));
  name_drop_down_button (self->industry_dropdown, _("Industry filter"));
  name_drop_down_button (self->enrichment_dropdown, _("Enrichment status filter"));

  unfocus_flow_children (GTK_WIDGET (self->filter_box));
  unfocus_flow_children (gtk_widget_get_parent (GTK_WIDGET (gtk_widget_get_parent (GTK_WIDGET (self->select_all_button)))));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Lead browser"), -1);
}

/**
 * brm_lead_browser_new:
 * @client: the service
 * @selection: (nullable): where the chosen leads go
 * @store: (nullable): the monitor's batches, to name them
 */
GtkWidget *
brm_lead_browser_new (BrClient         *client,
                      BrmLeadSelection *selection,
                      BrBatchStore     *store)
{
  g_return_val_if_fail (BR_IS_CLIENT (client), NULL);

  return g_object_new (BRM_TYPE_LEAD_BROWSER, "client", client, "selection", selection, "store", store, NULL);
}

BrmLeadPageModel *
brm_lead_browser_get_model (BrmLeadBrowser *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_BROWSER (self), NULL);
  return self->model;
}

GtkColumnView *
brm_lead_browser_get_column_view (BrmLeadBrowser *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_BROWSER (self), NULL);
  return self->column_view;
}

GtkWidget *
brm_lead_browser_get_search_entry (BrmLeadBrowser *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_BROWSER (self), NULL);
  return GTK_WIDGET (self->search_entry);
}

/**
 * brm_lead_browser_set_supported:
 * @self: a #BrmLeadBrowser
 * @supported: whether the service lists leads (capability "leads")
 *
 * Without it the browser says what cannot be done, instead of failing.
 */
void
brm_lead_browser_set_supported (BrmLeadBrowser *self,
                                gboolean        supported)
{
  g_return_if_fail (BRM_IS_LEAD_BROWSER (self));

  supported = !!supported;
  if (self->supported == supported)
    return;
  self->supported = supported;
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_entry), supported);
  gtk_widget_set_sensitive (GTK_WIDGET (self->filter_box), supported);
  if (supported)
    apply_query (self);
  update_page (self);
}

/* Loads the first page. */
void
brm_lead_browser_start (BrmLeadBrowser *self)
{
  g_return_if_fail (BRM_IS_LEAD_BROWSER (self));

  if (self->supported)
    {
      apply_query (self);
      if (brm_lead_page_model_get_total (self->model) < 0 && !brm_lead_page_model_get_loading (self->model))
        brm_lead_page_model_reload (self->model);
    }
}

void
brm_lead_browser_focus_search (BrmLeadBrowser *self)
{
  g_return_if_fail (BRM_IS_LEAD_BROWSER (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}
