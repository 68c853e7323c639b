/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-draft"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "brm-draft.h"

/**
 * BrmDraft:
 *
 * A batch being composed: its options and the selected leads. It is what
 * the new-batch window edits, and it survives closing the window and
 * restarting the monitor as JSON text in the GSettings key
 * `new-batch-draft` until the batch is started or the draft discarded.
 *
 * A draft belongs to one service (its address is stored with it): lead
 * ids mean nothing on another one, so a draft for another service is
 * neither restored nor overwritten by an empty one.
 *
 * "changed" is emitted once for every change, of an option or of the
 * selection.
 */
struct _BrmDraft
{
  GObject           parent_instance;

  BrmLeadSelection *selection;
  char             *name;
  char             *description;
  char             *template_version;
  guint             max_concurrent;
  gboolean          retry_failed;
  guint             retry_count;
};

G_DEFINE_FINAL_TYPE (BrmDraft, brm_draft, G_TYPE_OBJECT)

#define DRAFT_FORMAT 1
#define SETTINGS_KEY "new-batch-draft"

enum {
  PROP_0,
  PROP_SELECTION,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_TEMPLATE_VERSION,
  PROP_MAX_CONCURRENT,
  PROP_RETRY_FAILED,
  PROP_RETRY_COUNT,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
changed (BrmDraft *self,
         guint     prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
selection_changed_cb (BrmDraft *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
brm_draft_dispose (GObject *object)
{
  BrmDraft *self = BRM_DRAFT (object);

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);

  G_OBJECT_CLASS (brm_draft_parent_class)->dispose (object);
}

static void
brm_draft_finalize (GObject *object)
{
  BrmDraft *self = BRM_DRAFT (object);

  g_free (self->name);
  g_free (self->description);
  g_free (self->template_version);

  G_OBJECT_CLASS (brm_draft_parent_class)->finalize (object);
}

static void
brm_draft_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BrmDraft *self = BRM_DRAFT (object);

  switch (prop_id)
    {
    case PROP_SELECTION:
      g_value_set_object (value, self->selection);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_TEMPLATE_VERSION:
      g_value_set_string (value, self->template_version);
      break;
    case PROP_MAX_CONCURRENT:
      g_value_set_uint (value, self->max_concurrent);
      break;
    case PROP_RETRY_FAILED:
      g_value_set_boolean (value, self->retry_failed);
      break;
    case PROP_RETRY_COUNT:
      g_value_set_uint (value, self->retry_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_draft_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BrmDraft *self = BRM_DRAFT (object);

  switch (prop_id)
    {
    case PROP_NAME:
      brm_draft_set_name (self, g_value_get_string (value));
      break;
    case PROP_DESCRIPTION:
      brm_draft_set_description (self, g_value_get_string (value));
      break;
    case PROP_TEMPLATE_VERSION:
      brm_draft_set_template_version (self, g_value_get_string (value));
      break;
    case PROP_MAX_CONCURRENT:
      brm_draft_set_max_concurrent (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_FAILED:
      brm_draft_set_retry_failed (self, g_value_get_boolean (value));
      break;
    case PROP_RETRY_COUNT:
      brm_draft_set_retry_count (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
brm_draft_class_init (BrmDraftClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = brm_draft_dispose;
  object_class->finalize = brm_draft_finalize;
  object_class->get_property = brm_draft_get_property;
  object_class->set_property = brm_draft_set_property;

  properties[PROP_SELECTION] =
    g_param_spec_object ("selection", NULL, NULL, BRM_TYPE_LEAD_SELECTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, rw);
  /**
   * BrmDraft:template-version:
   *
   * The template, %NULL for the service's default.
   */
  properties[PROP_TEMPLATE_VERSION] = g_param_spec_string ("template-version", NULL, NULL, NULL, rw);
  /* The ranges are the service's (POST /batch/start in API.md). */
  properties[PROP_MAX_CONCURRENT] =
    g_param_spec_uint ("max-concurrent", NULL, NULL, 1, 20, BRM_DRAFT_DEFAULT_MAX_CONCURRENT, rw);
  properties[PROP_RETRY_FAILED] = g_param_spec_boolean ("retry-failed", NULL, NULL, TRUE, rw);
  properties[PROP_RETRY_COUNT] =
    g_param_spec_uint ("retry-count", NULL, NULL, 0, 5, BRM_DRAFT_DEFAULT_RETRY_COUNT, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
brm_draft_init (BrmDraft *self)
{
  self->selection = brm_lead_selection_new (BRM_MAX_LEADS_PER_BATCH);
  self->max_concurrent = BRM_DRAFT_DEFAULT_MAX_CONCURRENT;
  self->retry_failed = TRUE;
  self->retry_count = BRM_DRAFT_DEFAULT_RETRY_COUNT;
  g_signal_connect_swapped (self->selection, "changed", G_CALLBACK (selection_changed_cb), self);
}

BrmDraft *
brm_draft_new (void)
{
  return g_object_new (BRM_TYPE_DRAFT, NULL);
}

BrmLeadSelection *
brm_draft_get_selection (BrmDraft *self)
{
  g_return_val_if_fail (BRM_IS_DRAFT (self), NULL);
  return self->selection;
}

const char *
brm_draft_get_name (BrmDraft *self)
{
  g_return_val_if_fail (BRM_IS_DRAFT (self), NULL);
  return self->name;
}

void
brm_draft_set_name (BrmDraft   *self,
                    const char *name)
{
  g_return_if_fail (BRM_IS_DRAFT (self));
  if (set_string (&self->name, name))
    changed (self, PROP_NAME);
}

const char *
brm_draft_get_description (BrmDraft *self)
{
  g_return_val_if_fail (BRM_IS_DRAFT (self), NULL);
  return self->description;
}

void
brm_draft_set_description (BrmDraft   *self,
                           const char *description)
{
  g_return_if_fail (BRM_IS_DRAFT (self));
  if (set_string (&self->description, description))
    changed (self, PROP_DESCRIPTION);
}

const char *
brm_draft_get_template_version (BrmDraft *self)
{
  g_return_val_if_fail (BRM_IS_DRAFT (self), NULL);
  return self->template_version;
}

void
brm_draft_set_template_version (BrmDraft   *self,
                                const char *template_version)
{
  g_return_if_fail (BRM_IS_DRAFT (self));
  if (set_string (&self->template_version, template_version))
    changed (self, PROP_TEMPLATE_VERSION);
}

guint
brm_draft_get_max_concurrent (BrmDraft *self)
{
  g_return_val_if_fail (BRM_IS_DRAFT (self), 0);
  return self->max_concurrent;
}

void
brm_draft_set_max_concurrent (BrmDraft *self,
                              guint     max_concurrent)
{
  g_return_if_fail (BRM_IS_DRAFT (self));

  max_concurrent = CLAMP (max_concurrent, 1, 20);
  if (self->max_concurrent == max_concurrent)
    return;
  self->max_concurrent = max_concurrent;
  changed (self, PROP_MAX_CONCURRENT);
}

gboolean
brm_draft_get_retry_failed (BrmDraft *self)
{
  g_return_val_if_fail (BRM_IS_DRAFT (self), FALSE);
  return self->retry_failed;
}

void
brm_draft_set_retry_failed (BrmDraft *self,
                            gboolean  retry_failed)
{
  g_return_if_fail (BRM_IS_DRAFT (self));

  retry_failed = !!retry_failed;
  if (self->retry_failed == retry_failed)
    return;
  self->retry_failed = retry_failed;
  changed (self, PROP_RETRY_FAILED);
}

guint
brm_draft_get_retry_count (BrmDraft *self)
{
  g_return_val_if_fail (BRM_IS_DRAFT (self), 0);
  return self->retry_count;
}

void
brm_draft_set_retry_count (BrmDraft *self,
                           guint     retry_count)
{
  g_return_if_fail (BRM_IS_DRAFT (self));

  retry_count = MIN (retry_count, 5);
  if (self->retry_count == retry_count)
    return;
  self->retry_count = retry_count;
  changed (self, PROP_RETRY_COUNT);
}

/* Whether there is nothing worth keeping: no lead, no text, every option
 * at its default. The template is not counted: it is preselected. */
gboolean
brm_draft_is_empty (BrmDraft *self)
{
  g_return_val_if_fail (BRM_IS_DRAFT (self), TRUE);

  return brm_lead_selection_get_n_selected (self->selection) == 0 &&
         self->name == NULL && self->description == NULL &&
         self->max_concurrent == BRM_DRAFT_DEFAULT_MAX_CONCURRENT &&
         self->retry_failed && self->retry_count == BRM_DRAFT_DEFAULT_RETRY_COUNT;
}

/* Back to a new draft: nothing selected, the options at their defaults. */
void
brm_draft_reset (BrmDraft *self)
{
  g_return_if_fail (BRM_IS_DRAFT (self));

  g_object_freeze_notify (G_OBJECT (self));
  brm_lead_selection_clear (self->selection);
  brm_draft_set_name (self, NULL);
  brm_draft_set_description (self, NULL);
  brm_draft_set_template_version (self, NULL);
  brm_draft_set_max_concurrent (self, BRM_DRAFT_DEFAULT_MAX_CONCURRENT);
  brm_draft_set_retry_failed (self, TRUE);
  brm_draft_set_retry_count (self, BRM_DRAFT_DEFAULT_RETRY_COUNT);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * brm_draft_to_json:
 * @self: a #BrmDraft
 * @server: (nullable): the service the lead ids belong to
 *
 * Returns: (transfer full): the draft as JSON text
 */
char *
brm_draft_to_json (BrmDraft   *self,
                   const char *server)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char * const *ids;

  g_return_val_if_fail (BRM_IS_DRAFT (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, DRAFT_FORMAT);
  if (server != NULL)
    {
      json_builder_set_member_name (b, "server");
      json_builder_add_string_value (b, server);
    }
  if (self->name != NULL)
    {
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, self->name);
    }
  if (self->description != NULL)
    {
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, self->description);
    }
  if (self->template_version != NULL)
    {
      json_builder_set_member_name (b, "template_version");
      json_builder_add_string_value (b, self->template_version);
    }
  json_builder_set_member_name (b, "max_concurrent");
  json_builder_add_int_value (b, self->max_concurrent);
  json_builder_set_member_name (b, "retry_failed");
  json_builder_add_boolean_value (b, self->retry_failed);
  json_builder_set_member_name (b, "retry_count");
  json_builder_add_int_value (b, self->retry_count);
  json_builder_set_member_name (b, "lead_ids");
  json_builder_begin_array (b);
  ids = brm_lead_selection_get_ids (self->selection);
  for (guint i = 0; ids[i]; i++)
    json_builder_add_string_value (b, ids[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *obj,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

/**
 * brm_draft_load_json:
 * @self: a #BrmDraft
 * @json: text from brm_draft_to_json()
 * @server: (nullable): the service the draft must be for, or %NULL for any
 * @error: why nothing was loaded
 *
 * Replaces the draft with @json. Members of the wrong type get their
 * default: a draft is a convenience, not worth refusing for a detail.
 */
gboolean
brm_draft_load_json (BrmDraft    *self,
                     const char  *json,
                     const char  *server,
                     GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  JsonObject *obj;
  JsonNode *node;
  const char *draft_server;

  g_return_val_if_fail (BRM_IS_DRAFT (self), FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The draft is not a JSON object"));
      return FALSE;
    }
  obj = json_node_get_object (json_parser_get_root (parser));
  if (member_int (obj, "format", 0) != DRAFT_FORMAT)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The draft has an unknown format"));
      return FALSE;
    }
  draft_server = member_string (obj, "server");
  if (server != NULL && g_strcmp0 (draft_server, server) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The draft is for another service (%s)"),
                   draft_server ? draft_server : _("unknown"));
      return FALSE;
    }

  node = json_object_get_member (obj, "lead_ids");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *el = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (el) && json_node_get_value_type (el) == G_TYPE_STRING)
            g_ptr_array_add (ids, (gpointer) json_node_get_string (el));
        }
    }
  g_ptr_array_add (ids, NULL);

  g_object_freeze_notify (G_OBJECT (self));
  brm_draft_set_name (self, member_string (obj, "name"));
  brm_draft_set_description (self, member_string (obj, "description"));
  brm_draft_set_template_version (self, member_string (obj, "template_version"));
  brm_draft_set_max_concurrent (self, (guint) CLAMP (member_int (obj, "max_concurrent", BRM_DRAFT_DEFAULT_MAX_CONCURRENT), 1, 20));
  node = json_object_get_member (obj, "retry_failed");
  brm_draft_set_retry_failed (self, node && JSON_NODE_HOLDS_VALUE (node) &&
                                    json_node_get_value_type (node) == G_TYPE_BOOLEAN
                                    ? json_node_get_boolean (node) : TRUE);
  brm_draft_set_retry_count (self, (guint) CLAMP (member_int (obj, "retry_count", BRM_DRAFT_DEFAULT_RETRY_COUNT), 0, 5));
  brm_lead_selection_set_ids (self->selection, (const char * const *) ids->pdata);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

/**
 * brm_draft_restore:
 * @self: a #BrmDraft
 * @settings: the monitor's settings
 * @server: the service the window composes for
 *
 * Loads the draft kept in @settings if it is for @server.
 *
 * Returns: whether a draft was restored
 */
gboolean
brm_draft_restore (BrmDraft   *self,
                   GSettings  *settings,
                   const char *server)
{
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (BRM_IS_DRAFT (self), FALSE);
  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);

  json = g_settings_get_string (settings, SETTINGS_KEY);
  if (json == NULL || *json == '\0')
    return FALSE;
  if (!brm_draft_load_json (self, json, server, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_message ("Ignoring the saved new-batch draft: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * brm_draft_store:
 * @self: a #BrmDraft
 * @settings: the monitor's settings
 * @server: the service the window composes for
 *
 * Keeps the draft in @settings, or forgets the kept one when @self is
 * empty, unless the kept one is another service's.
 */
void
brm_draft_store (BrmDraft   *self,
                 GSettings  *settings,
                 const char *server)
{
  g_autofree char *json = NULL;

  g_return_if_fail (BRM_IS_DRAFT (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  if (brm_draft_is_empty (self))
    {
      g_autofree char *kept = g_settings_get_string (settings, SETTINGS_KEY);
      g_autoptr(BrmDraft) other = brm_draft_new ();

      if (*kept == '\0' || !brm_draft_load_json (other, kept, server, NULL))
        {
          /* Unreadable, or another service's: leave another's alone. */
          g_autoptr(GError) error = NULL;

          if (*kept != '\0' && !brm_draft_load_json (other, kept, NULL, &error))
            g_settings_set_string (settings, SETTINGS_KEY, "");
          return;
        }
      g_settings_set_string (settings, SETTINGS_KEY, "");
      return;
    }

  json = brm_draft_to_json (self, server);
  g_settings_set_string (settings, SETTINGS_KEY, json);
}
