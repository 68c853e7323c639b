/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-batch-composer"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "brm-batch-composer.h"

/**
 * BrmBatchComposer:
 *
 * What the new-batch window does, without the window: it keeps the cost
 * preview of a #BrmDraft up to date, binds the operator's approval to the
 * exact total previewed, says why the batch cannot start yet, and starts
 * it.
 *
 * The preview is asked for a short while after the last change to the
 * selection, the template or the concurrency (#preview-delay), and the
 * previous answer stays available meanwhile, marked not current
 * (#preview-current), so the numbers do not blink while the operator
 * clicks through leads.
 *
 * The approval is for a total and for a set of leads with a template (the
 * "cost key"). Changing the leads or the template withdraws it; so does a
 * new preview of the same leads that costs something else. The service
 * checks the same at start (409 ESTIMATE_MISMATCH), which withdraws the
 * approval too and previews again.
 */

#define DEFAULT_PREVIEW_DELAY_MS 250
/* The service rounds money to 4 decimals (API.md). */
#define SAME_MONEY(a, b) (fabs ((a) - (b)) < 0.00005)

struct _BrmBatchComposer
{
  GObject       parent_instance;

  BrClient     *client;
  BrmDraft     *draft;
  GCancellable *cancellable;

  BrHealth     *health;
  GListStore   *templates;
  gboolean      leads_supported;
  gboolean      templates_supported;
  char         *template_note;

  guint         preview_delay;
  guint         preview_source;
  GCancellable *preview_cancellable;
  BrPreview    *preview;
  gboolean      current;
  char         *preview_key;
  char         *requested_key;
  char         *preview_error;
  gboolean      updating;

  gboolean      approved;
  double        approved_total;
  char         *approved_cost_key;
  char         *approval_note;
  gboolean      can_approve;

  char         *start_blocker;
  gboolean      starting;
  char         *start_error;
};

G_DEFINE_FINAL_TYPE (BrmBatchComposer, brm_batch_composer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_DRAFT,
  PROP_HEALTH,
  PROP_LEADS_SUPPORTED,
  PROP_TEMPLATES_SUPPORTED,
  PROP_TEMPLATES,
  PROP_TEMPLATE_NOTE,
  PROP_PREVIEW_DELAY,
  PROP_PREVIEW,
  PROP_PREVIEW_CURRENT,
  PROP_UPDATING,
  PROP_PREVIEW_ERROR,
  PROP_APPROVED,
  PROP_APPROVED_TOTAL,
  PROP_CAN_APPROVE,
  PROP_APPROVAL_NOTE,
  PROP_START_BLOCKER,
  PROP_STARTING,
  PROP_START_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_state (BrmBatchComposer *self);

static gboolean
set_string (BrmBatchComposer  *self,
            char             **field,
            const char        *value,
            guint              prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

static void
set_boolean (BrmBatchComposer *self,
             gboolean         *field,
             gboolean          value,
             guint             prop)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* What the price depends on: the set of leads and the template. */
static char *
dup_cost_key (BrmBatchComposer *self)
{
  g_autofree char *fingerprint = brm_lead_selection_dup_fingerprint (brm_draft_get_selection (self->draft));
  const char *version = brm_draft_get_template_version (self->draft);

  return g_strdup_printf ("%s\n%s", version ? version : "", fingerprint);
}

/* What the preview depends on: the price, and the duration estimate's
 * concurrency. */
static char *
dup_preview_key (BrmBatchComposer *self)
{
  g_autofree char *cost_key = dup_cost_key (self);

  return g_strdup_printf ("%s\n%u", cost_key, brm_draft_get_max_concurrent (self->draft));
}

static char *
cost_key_of_preview_key (const char *preview_key)
{
  const char *last = preview_key ? strrchr (preview_key, '\n') : NULL;

  return last ? g_strndup (preview_key, last - preview_key) : NULL;
}

static char *
format_usd (double usd)
{
  return g_strdup_printf ("$%.2f", usd);
}

static void
withdraw (BrmBatchComposer *self,
          const char       *note)
{
  if (!self->approved)
    return;
  self->approved = FALSE;
  g_clear_pointer (&self->approved_cost_key, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APPROVED]);
  set_string (self, &self->approval_note, note, PROP_APPROVAL_NOTE);
}

/* The preview ---------------------------------------------------------------- */

static guint
n_invalid (BrPreview *preview)
{
  const char * const *invalid = preview ? br_preview_get_invalid_lead_ids (preview) : NULL;

  return invalid ? g_strv_length ((char **) invalid) : 0;
}

typedef struct
{
  BrmBatchComposer *self;
  char             *key;
} PreviewRequest;

static void
preview_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  PreviewRequest *req = user_data;
  g_autoptr(BrmBatchComposer) self = req->self;
  g_autofree char *key = req->key;
  g_autoptr(BrPreview) preview = NULL;
  g_autoptr(GError) error = NULL;

  g_free (req);
  preview = br_client_preview_finish (BR_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_pointer (&self->requested_key, g_free);

  if (preview == NULL)
    {
      const char *detail = br_client_error_get_detail (error);

      set_string (self, &self->preview_error, detail ? detail : error->message, PROP_PREVIEW_ERROR);
      update_state (self);
      return;
    }

  set_string (self, &self->preview_error, NULL, PROP_PREVIEW_ERROR);
  g_free (self->preview_key);
  self->preview_key = g_steal_pointer (&key);
  g_set_object (&self->preview, preview);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);

  /* Same leads, same template, another price (the rate card or a lead's
   * data changed): the operator approved a number that no longer holds. */
  if (self->approved)
    {
      g_autofree char *cost_key = cost_key_of_preview_key (self->preview_key);

      if (g_strcmp0 (cost_key, self->approved_cost_key) == 0 &&
          !SAME_MONEY (br_preview_get_estimated_cost_usd (preview), self->approved_total))
        {
          g_autofree char *before = format_usd (self->approved_total);
          g_autofree char *after = format_usd (br_preview_get_estimated_cost_usd (preview));
          g_autofree char *note = g_strdup_printf (_("The estimate changed from %s to %s since you approved it. "
                                                     "Approve the new total to start."), before, after);

          withdraw (self, note);
        }
    }

  update_state (self);
}

static void
send_preview (BrmBatchComposer *self)
{
  BrmLeadSelection *selection = brm_draft_get_selection (self->draft);
  PreviewRequest *req;

  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  self->preview_cancellable = g_cancellable_new ();

  req = g_new0 (PreviewRequest, 1);
  req->self = g_object_ref (self);
  req->key = dup_preview_key (self);
  g_free (self->requested_key);
  self->requested_key = g_strdup (req->key);

  br_client_preview_async (self->client, brm_lead_selection_get_ids (selection),
                           brm_draft_get_template_version (self->draft),
                           brm_draft_get_max_concurrent (self->draft),
                           self->preview_cancellable, preview_cb, req);
}

static gboolean
preview_timeout_cb (gpointer data)
{
  BrmBatchComposer *self = data;

  self->preview_source = 0;
  send_preview (self);
  update_state (self);
  return G_SOURCE_REMOVE;
}

/* Asks for a preview of the draft as it is now, after the delay. */
static void
schedule_preview (BrmBatchComposer *self)
{
  g_clear_handle_id (&self->preview_source, g_source_remove);

  if (brm_lead_selection_get_n_selected (brm_draft_get_selection (self->draft)) == 0)
    {
      g_cancellable_cancel (self->preview_cancellable);
      g_clear_pointer (&self->requested_key, g_free);
      g_clear_pointer (&self->preview_key, g_free);
      if (self->preview != NULL)
        {
          g_clear_object (&self->preview);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
        }
      set_string (self, &self->preview_error, NULL, PROP_PREVIEW_ERROR);
      return;
    }

  if (self->preview_delay == 0)
    send_preview (self);
  else
    self->preview_source = g_timeout_add (self->preview_delay, preview_timeout_cb, self);
}

/* State ------------------------------------------------------------------------ */

static gboolean
preview_is_current (BrmBatchComposer *self)
{
  g_autofree char *key = NULL;

  if (self->preview == NULL || self->preview_key == NULL)
    return FALSE;
  key = dup_preview_key (self);
  return g_strcmp0 (key, self->preview_key) == 0;
}

static char *
dup_blocker (BrmBatchComposer *self)
{
  BrmLeadSelection *selection = brm_draft_get_selection (self->draft);
  guint n = brm_lead_selection_get_n_selected (selection);
  guint invalid;

  if (self->starting)
    return g_strdup (_("Starting the batch…"));
  if (n == 0)
    return g_strdup (_("Select at least one lead."));
  if (n > brm_lead_selection_get_limit (selection))
    return g_strdup_printf (_("A batch holds at most %u leads."), brm_lead_selection_get_limit (selection));
  if (self->templates_supported && brm_draft_get_template_version (self->draft) == NULL)
    return g_strdup (_("Choose an available template."));
  if (self->preview_error != NULL && !self->updating)
    return g_strdup_printf (_("The cost preview failed: %s"), self->preview_error);
  if (self->updating || !preview_is_current (self))
    return g_strdup (_("Waiting for the cost preview."));
  invalid = n_invalid (self->preview);
  if (invalid > 0)
    return g_strdup_printf (ngettext ("%u selected lead is unknown to the service; remove it first.",
                                      "%u selected leads are unknown to the service; remove them first.",
                                      invalid), invalid);
  if (!self->approved)
    {
      g_autofree char *total = format_usd (br_preview_get_estimated_cost_usd (self->preview));

      return g_strdup_printf (_("Approve the estimated cost of %s first."), total);
    }
  return NULL;
}

/* Recomputes everything derived from the draft, the preview and the
 * approval, notifying what changed. */
static void
update_state (BrmBatchComposer *self)
{
  g_autofree char *blocker = NULL;
  gboolean current;

  set_boolean (self, &self->updating, self->preview_source != 0 || self->requested_key != NULL, PROP_UPDATING);

  current = preview_is_current (self);
  set_boolean (self, &self->current, current, PROP_PREVIEW_CURRENT);

  set_boolean (self, &self->can_approve,
               current && !self->updating && self->preview_error == NULL && n_invalid (self->preview) == 0 &&
               !self->starting,
               PROP_CAN_APPROVE);

  blocker = dup_blocker (self);
  set_string (self, &self->start_blocker, blocker, PROP_START_BLOCKER);
}

static void
draft_changed_cb (BrmBatchComposer *self)
{
  g_autofree char *preview_key = dup_preview_key (self);
  const char *target = self->requested_key ? self->requested_key : self->preview_key;

  if (self->approved)
    {
      g_autofree char *cost_key = dup_cost_key (self);

      if (g_strcmp0 (cost_key, self->approved_cost_key) != 0)
        {
          g_autofree char *total = format_usd (self->approved_total);
          g_autofree char *note = g_strdup_printf (_("The leads or the template changed after you approved %s. "
                                                     "Approve the new estimate to start."), total);

          withdraw (self, note);
        }
    }

  if (g_strcmp0 (preview_key, target) != 0)
    {
      /* The service's reason for refusing concerned the draft as it was. */
      set_string (self, &self->start_error, NULL, PROP_START_ERROR);
      schedule_preview (self);
    }
  else if (self->preview_source != 0)
    {
      /* Changed back to what is already asked for or shown. */
      g_clear_handle_id (&self->preview_source, g_source_remove);
    }
  /* else: nothing the preview depends on changed (the name, say). */

  update_state (self);
}

/* Templates and health --------------------------------------------------------- */

static BrTemplate *
default_template (BrmBatchComposer *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->templates));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrTemplate) t = g_list_model_get_item (G_LIST_MODEL (self->templates), i);

      if (br_template_get_is_default (t) && br_template_get_available (t))
        return t;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrTemplate) t = g_list_model_get_item (G_LIST_MODEL (self->templates), i);

      if (br_template_get_available (t))
        return t;
    }
  return NULL;
}

static char *
unavailable_note (BrTemplate *t)
{
  const char *reason = br_template_get_unavailable_reason (t);

  return g_strdup_printf (_("“%s” (%s) cannot be chosen: %s"),
                          br_template_get_name (t), br_template_get_version (t),
                          reason ? reason : _("the service does not offer it now"));
}

/* The draft's template if it can be used, else the default, saying why. */
static void
apply_template_choice (BrmBatchComposer *self)
{
  const char *version = brm_draft_get_template_version (self->draft);
  BrTemplate *chosen = version ? brm_batch_composer_find_template (self, version) : NULL;
  BrTemplate *fallback;

  if (chosen != NULL && br_template_get_available (chosen))
    return;

  fallback = default_template (self);
  if (version != NULL)
    {
      g_autofree char *note = chosen ? unavailable_note (chosen)
                                     : g_strdup_printf (_("The service has no template “%s” any more."), version);

      set_string (self, &self->template_note, note, PROP_TEMPLATE_NOTE);
    }
  brm_draft_set_template_version (self->draft, fallback ? br_template_get_version (fallback) : NULL);
}

static void
templates_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BrmBatchComposer) self = user_data;
  g_autoptr(GPtrArray) templates = NULL;
  g_autoptr(GError) error = NULL;

  templates = br_client_list_templates_finish (BR_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (templates == NULL)
    {
      g_autofree char *note = g_strdup_printf (_("Could not list the templates (%s); the service’s default is used."),
                                               error->message);

      set_string (self, &self->template_note, note, PROP_TEMPLATE_NOTE);
      return;
    }

  g_list_store_splice (self->templates, 0, g_list_model_get_n_items (G_LIST_MODEL (self->templates)),
                       templates->pdata, templates->len);
  apply_template_choice (self);
  update_state (self);
}

static void
health_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BrmBatchComposer) self = user_data;
  g_autoptr(BrHealth) health = NULL;
  g_autoptr(GError) error = NULL;

  health = br_client_get_health_finish (BR_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (health == NULL)
    {
      g_debug ("No health: %s", error->message);
      return;
    }

  if (g_set_object (&self->health, health))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTH]);
  set_boolean (self, &self->leads_supported, br_health_has_capability (health, "leads"), PROP_LEADS_SUPPORTED);
  set_boolean (self, &self->templates_supported, br_health_has_capability (health, "templates"),
               PROP_TEMPLATES_SUPPORTED);

  if (self->templates_supported)
    br_client_list_templates_async (self->client, self->cancellable, templates_cb, g_object_ref (self));
  else
    {
      /* The service picks its default; a draft's template from another
       * service would only be refused. */
      brm_draft_set_template_version (self->draft, NULL);
      set_string (self, &self->template_note,
                  _("This service does not list its templates: the batch uses its default template."),
                  PROP_TEMPLATE_NOTE);
    }
  update_state (self);
}

/* GObject ----------------------------------------------------------------------- */

static void
brm_batch_composer_dispose (GObject *object)
{
  BrmBatchComposer *self = BRM_BATCH_COMPOSER (object);

  brm_batch_composer_cancel (self);
  if (self->draft != NULL)
    g_signal_handlers_disconnect_by_data (self->draft, self);
  g_clear_object (&self->draft);
  g_clear_object (&self->client);
  g_clear_object (&self->health);
  g_clear_object (&self->preview);
  g_clear_object (&self->templates);

  G_OBJECT_CLASS (brm_batch_composer_parent_class)->dispose (object);
}

static void
brm_batch_composer_finalize (GObject *object)
{
  BrmBatchComposer *self = BRM_BATCH_COMPOSER (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->preview_cancellable);
  g_free (self->template_note);
  g_free (self->preview_key);
  g_free (self->requested_key);
  g_free (self->preview_error);
  g_free (self->approved_cost_key);
  g_free (self->approval_note);
  g_free (self->start_blocker);
  g_free (self->start_error);

  G_OBJECT_CLASS (brm_batch_composer_parent_class)->finalize (object);
}

static void
brm_batch_composer_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  BrmBatchComposer *self = BRM_BATCH_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_DRAFT:
      g_value_set_object (value, self->draft);
      break;
    case PROP_HEALTH:
      g_value_set_object (value, self->health);
      break;
    case PROP_LEADS_SUPPORTED:
      g_value_set_boolean (value, self->leads_supported);
      break;
    case PROP_TEMPLATES_SUPPORTED:
      g_value_set_boolean (value, self->templates_supported);
      break;
    case PROP_TEMPLATES:
      g_value_set_object (value, self->templates);
      break;
    case PROP_TEMPLATE_NOTE:
      g_value_set_string (value, self->template_note);
      break;
    case PROP_PREVIEW_DELAY:
      g_value_set_uint (value, self->preview_delay);
      break;
    case PROP_PREVIEW:
      g_value_set_object (value, self->preview);
      break;
    case PROP_PREVIEW_CURRENT:
      g_value_set_boolean (value, preview_is_current (self));
      break;
    case PROP_UPDATING:
      g_value_set_boolean (value, self->updating);
      break;
    case PROP_PREVIEW_ERROR:
      g_value_set_string (value, self->preview_error);
      break;
    case PROP_APPROVED:
      g_value_set_boolean (value, self->approved);
      break;
    case PROP_APPROVED_TOTAL:
      g_value_set_double (value, self->approved_total);
      break;
    case PROP_CAN_APPROVE:
      g_value_set_boolean (value, self->can_approve);
      break;
    case PROP_APPROVAL_NOTE:
      g_value_set_string (value, self->approval_note);
      break;
    case PROP_START_BLOCKER:
      g_value_set_string (value, self->start_blocker);
      break;
    case PROP_STARTING:
      g_value_set_boolean (value, self->starting);
      break;
    case PROP_START_ERROR:
      g_value_set_string (value, self->start_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_batch_composer_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  BrmBatchComposer *self = BRM_BATCH_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_DRAFT:
      self->draft = g_value_dup_object (value);
      break;
    case PROP_PREVIEW_DELAY:
      brm_batch_composer_set_preview_delay (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_batch_composer_constructed (GObject *object)
{
  BrmBatchComposer *self = BRM_BATCH_COMPOSER (object);

  G_OBJECT_CLASS (brm_batch_composer_parent_class)->constructed (object);

  g_assert (self->client != NULL);
  if (self->draft == NULL)
    self->draft = brm_draft_new ();
  g_signal_connect_swapped (self->draft, "changed", G_CALLBACK (draft_changed_cb), self);

  /* A restored draft is previewed at once. */
  if (brm_lead_selection_get_n_selected (brm_draft_get_selection (self->draft)) > 0)
    schedule_preview (self);
  update_state (self);
}

static void
brm_batch_composer_class_init (BrmBatchComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = brm_batch_composer_constructed;
  object_class->dispose = brm_batch_composer_dispose;
  object_class->finalize = brm_batch_composer_finalize;
  object_class->get_property = brm_batch_composer_get_property;
  object_class->set_property = brm_batch_composer_set_property;

  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, BR_TYPE_CLIENT, co);
  properties[PROP_DRAFT] = g_param_spec_object ("draft", NULL, NULL, BRM_TYPE_DRAFT, co);
  properties[PROP_HEALTH] = g_param_spec_object ("health", NULL, NULL, BR_TYPE_HEALTH, ro);
  /**
   * BrmBatchComposer:leads-supported:
   *
   * Whether the service lists and imports leads (capability "leads");
   * %TRUE until its health says otherwise.
   */
  properties[PROP_LEADS_SUPPORTED] = g_param_spec_boolean ("leads-supported", NULL, NULL, TRUE, ro);
  properties[PROP_TEMPLATES_SUPPORTED] = g_param_spec_boolean ("templates-supported", NULL, NULL, FALSE, ro);
  properties[PROP_TEMPLATES] = g_param_spec_object ("templates", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  /**
   * BrmBatchComposer:template-note:
   *
   * Why the template is not the one asked for (unavailable, unknown, not
   * listed by the service); %NULL when there is nothing to say.
   */
  properties[PROP_TEMPLATE_NOTE] = g_param_spec_string ("template-note", NULL, NULL, NULL, ro);
  properties[PROP_PREVIEW_DELAY] =
    g_param_spec_uint ("preview-delay", NULL, NULL, 0, 10000, DEFAULT_PREVIEW_DELAY_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * BrmBatchComposer:preview:
   *
   * The latest preview received, possibly of an earlier draft (see
   * #BrmBatchComposer:preview-current); %NULL with no lead selected.
   */
  properties[PROP_PREVIEW] = g_param_spec_object ("preview", NULL, NULL, BR_TYPE_PREVIEW, ro);
  properties[PROP_PREVIEW_CURRENT] = g_param_spec_boolean ("preview-current", NULL, NULL, FALSE, ro);
  properties[PROP_UPDATING] = g_param_spec_boolean ("updating", NULL, NULL, FALSE, ro);
  properties[PROP_PREVIEW_ERROR] = g_param_spec_string ("preview-error", NULL, NULL, NULL, ro);
  properties[PROP_APPROVED] = g_param_spec_boolean ("approved", NULL, NULL, FALSE, ro);
  properties[PROP_APPROVED_TOTAL] = g_param_spec_double ("approved-total", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_CAN_APPROVE] = g_param_spec_boolean ("can-approve", NULL, NULL, FALSE, ro);
  /**
   * BrmBatchComposer:approval-note:
   *
   * Why the last approval was withdrawn.
   */
  properties[PROP_APPROVAL_NOTE] = g_param_spec_string ("approval-note", NULL, NULL, NULL, ro);
  /**
   * BrmBatchComposer:start-blocker:
   *
   * Why the batch cannot start now, as a sentence; %NULL when it can.
   */
  properties[PROP_START_BLOCKER] = g_param_spec_string ("start-blocker", NULL, NULL, NULL, ro);
  properties[PROP_STARTING] = g_param_spec_boolean ("starting", NULL, NULL, FALSE, ro);
  /**
   * BrmBatchComposer:start-error:
   *
   * The service's reason for refusing the last start; %NULL after a
   * change of the leads or template.
   */
  properties[PROP_START_ERROR] = g_param_spec_string ("start-error", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
brm_batch_composer_init (BrmBatchComposer *self)
{
  self->cancellable = g_cancellable_new ();
  self->preview_cancellable = g_cancellable_new ();
  self->templates = g_list_store_new (BR_TYPE_TEMPLATE);
  self->preview_delay = DEFAULT_PREVIEW_DELAY_MS;
  self->leads_supported = TRUE;
}

/* Public ------------------------------------------------------------------------ */

/**
 * brm_batch_composer_new:
 * @client: the service
 * @draft: (nullable): the draft to compose, a new one if %NULL
 */
BrmBatchComposer *
brm_batch_composer_new (BrClient *client,
                        BrmDraft *draft)
{
  g_return_val_if_fail (BR_IS_CLIENT (client), NULL);
  g_return_val_if_fail (draft == NULL || BRM_IS_DRAFT (draft), NULL);

  return g_object_new (BRM_TYPE_BATCH_COMPOSER, "client", client, "draft", draft, NULL);
}

BrClient *
brm_batch_composer_get_client (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  return self->client;
}

BrmDraft *
brm_batch_composer_get_draft (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  return self->draft;
}

/**
 * brm_batch_composer_refresh:
 * @self: a #BrmBatchComposer
 *
 * Reads the service's health (capabilities, today's spend and budget) and
 * then its templates.
 */
void
brm_batch_composer_refresh (BrmBatchComposer *self)
{
  g_return_if_fail (BRM_IS_BATCH_COMPOSER (self));

  br_client_get_health_async (self->client, self->cancellable, health_cb, g_object_ref (self));
}

/* Drops every request under way; they keep the composer alive until then. */
void
brm_batch_composer_cancel (BrmBatchComposer *self)
{
  g_return_if_fail (BRM_IS_BATCH_COMPOSER (self));

  g_clear_handle_id (&self->preview_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->preview_cancellable);
}

BrHealth *
brm_batch_composer_get_health (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  return self->health;
}

gboolean
brm_batch_composer_get_leads_supported (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), FALSE);
  return self->leads_supported;
}

gboolean
brm_batch_composer_get_templates_supported (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), FALSE);
  return self->templates_supported;
}

/* Returns: (transfer none): the service's templates (#BrTemplate), in its order */
GListModel *
brm_batch_composer_get_templates (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  return G_LIST_MODEL (self->templates);
}

/* Returns: (transfer none) (nullable): the template of that version */
BrTemplate *
brm_batch_composer_find_template (BrmBatchComposer *self,
                                  const char       *version)
{
  guint n;

  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);

  if (version == NULL)
    return NULL;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->templates));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BrTemplate) t = g_list_model_get_item (G_LIST_MODEL (self->templates), i);

      if (g_strcmp0 (br_template_get_version (t), version) == 0)
        return t;
    }
  return NULL;
}

/**
 * brm_batch_composer_choose_template:
 * @self: a #BrmBatchComposer
 * @version: a template version the service listed
 *
 * Makes @version the draft's template if it is available. An unavailable
 * one is refused, and #BrmBatchComposer:template-note says why.
 *
 * Returns: whether @version is the draft's template now
 */
gboolean
brm_batch_composer_choose_template (BrmBatchComposer *self,
                                    const char       *version)
{
  BrTemplate *t;

  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), FALSE);

  t = brm_batch_composer_find_template (self, version);
  if (t == NULL)
    return FALSE;
  if (!br_template_get_available (t))
    {
      g_autofree char *note = unavailable_note (t);

      set_string (self, &self->template_note, note, PROP_TEMPLATE_NOTE);
      return FALSE;
    }

  set_string (self, &self->template_note, NULL, PROP_TEMPLATE_NOTE);
  brm_draft_set_template_version (self->draft, version);
  return TRUE;
}

const char *
brm_batch_composer_get_template_note (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  return self->template_note;
}

guint
brm_batch_composer_get_preview_delay (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), 0);
  return self->preview_delay;
}

void
brm_batch_composer_set_preview_delay (BrmBatchComposer *self,
                                      guint             delay_ms)
{
  g_return_if_fail (BRM_IS_BATCH_COMPOSER (self));

  if (self->preview_delay == delay_ms)
    return;
  self->preview_delay = delay_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW_DELAY]);
}

/* Returns: (transfer none) (nullable): the latest preview */
BrPreview *
brm_batch_composer_get_preview (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  return self->preview;
}

gboolean
brm_batch_composer_get_preview_current (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), FALSE);
  return preview_is_current (self);
}

gboolean
brm_batch_composer_get_updating (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), FALSE);
  return self->updating;
}

const char *
brm_batch_composer_get_preview_error (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  return self->preview_error;
}

/* Asks for a new preview now (the "Try Again" of a failed one). */
void
brm_batch_composer_update_preview (BrmBatchComposer *self)
{
  g_return_if_fail (BRM_IS_BATCH_COMPOSER (self));

  g_clear_handle_id (&self->preview_source, g_source_remove);
  if (brm_lead_selection_get_n_selected (brm_draft_get_selection (self->draft)) > 0)
    send_preview (self);
  update_state (self);
}

gboolean
brm_batch_composer_get_approved (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), FALSE);
  return self->approved;
}

double
brm_batch_composer_get_approved_total (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), 0);
  return self->approved_total;
}

gboolean
brm_batch_composer_get_can_approve (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), FALSE);
  return self->can_approve;
}

/**
 * brm_batch_composer_approve:
 * @self: a #BrmBatchComposer
 *
 * Approves the total of the current preview for exactly these leads and
 * this template. Refused while the preview is updating, failed, of an
 * earlier draft, or names leads the service does not know.
 *
 * Returns: whether the batch is approved now
 */
gboolean
brm_batch_composer_approve (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), FALSE);

  if (!self->can_approve)
    return FALSE;
  if (self->approved)
    return TRUE;

  self->approved = TRUE;
  self->approved_total = br_preview_get_estimated_cost_usd (self->preview);
  g_free (self->approved_cost_key);
  self->approved_cost_key = dup_cost_key (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APPROVED_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_APPROVED]);
  set_string (self, &self->approval_note, NULL, PROP_APPROVAL_NOTE);
  update_state (self);
  return TRUE;
}

void
brm_batch_composer_withdraw_approval (BrmBatchComposer *self)
{
  g_return_if_fail (BRM_IS_BATCH_COMPOSER (self));

  withdraw (self, NULL);
  update_state (self);
}

const char *
brm_batch_composer_get_approval_note (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  return self->approval_note;
}

const char *
brm_batch_composer_get_start_blocker (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  return self->start_blocker;
}

gboolean
brm_batch_composer_get_starting (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), FALSE);
  return self->starting;
}

const char *
brm_batch_composer_get_start_error (BrmBatchComposer *self)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  return self->start_error;
}

/**
 * brm_batch_composer_remove_invalid_leads:
 * @self: a #BrmBatchComposer
 *
 * Unselects the leads the latest preview says the service does not know.
 *
 * Returns: how many were removed
 */
guint
brm_batch_composer_remove_invalid_leads (BrmBatchComposer *self)
{
  const char * const *invalid;

  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), 0);

  invalid = self->preview ? br_preview_get_invalid_lead_ids (self->preview) : NULL;
  if (invalid == NULL)
    return 0;
  return brm_lead_selection_remove_many (brm_draft_get_selection (self->draft), invalid);
}

static void
start_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BrmBatchComposer *self = g_task_get_source_object (task);
  g_autoptr(BrBatch) batch = NULL;
  g_autoptr(GError) error = NULL;

  batch = br_client_start_batch_finish (BR_CLIENT (object), result, &error);
  set_boolean (self, &self->starting, FALSE, PROP_STARTING);

  if (batch == NULL)
    {
      const char *detail = br_client_error_get_detail (error);

      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_string (self, &self->start_error, detail ? detail : error->message, PROP_START_ERROR);

      /* The service priced these leads differently: the approval was for
       * a number that no longer holds, so preview again. */
      if (g_strcmp0 (br_client_error_get_code (error), "ESTIMATE_MISMATCH") == 0)
        {
          withdraw (self, detail ? detail : error->message);
          g_clear_pointer (&self->preview_key, g_free);
          send_preview (self);
        }
      update_state (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  withdraw (self, NULL);
  update_state (self);
  g_task_return_pointer (task, g_steal_pointer (&batch), g_object_unref);
}

/**
 * brm_batch_composer_start_async:
 * @self: a #BrmBatchComposer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the service has answered
 * @user_data: data for @callback
 *
 * Starts the draft as a batch, at the approved total. Fails at once with
 * %G_IO_ERROR_NOT_INITIALIZED (message: #start-blocker) when it cannot
 * start. On failure the draft is left as it is and #start-error says why.
 */
void
brm_batch_composer_start_async (BrmBatchComposer    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BrStartRequest request = BR_START_REQUEST_INIT;

  g_return_if_fail (BRM_IS_BATCH_COMPOSER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, brm_batch_composer_start_async);

  if (self->start_blocker != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "%s", self->start_blocker);
      return;
    }

  request.lead_ids = brm_lead_selection_get_ids (brm_draft_get_selection (self->draft));
  request.name = brm_draft_get_name (self->draft);
  request.description = brm_draft_get_description (self->draft);
  request.template_version = brm_draft_get_template_version (self->draft);
  request.estimated_cost_usd = self->approved_total;
  request.cost_approved = self->approved;
  request.max_concurrent = brm_draft_get_max_concurrent (self->draft);
  request.retry_failed = brm_draft_get_retry_failed (self->draft);
  request.retry_count = (int) brm_draft_get_retry_count (self->draft);

  set_string (self, &self->start_error, NULL, PROP_START_ERROR);
  set_boolean (self, &self->starting, TRUE, PROP_STARTING);
  update_state (self);

  br_client_start_batch_async (self->client, &request, cancellable, start_cb, g_steal_pointer (&task));
}

/* Returns: (transfer full): the new batch */
BrBatch *
brm_batch_composer_start_finish (BrmBatchComposer  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (BRM_IS_BATCH_COMPOSER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
