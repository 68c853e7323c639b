/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-batch"

#include "config.h"

#include "br-batch.h"
#include "br-enum-types.h"
#include "br-error.h"
#include "br-object-private.h"

/**
 * BrBatch:
 *
 * A batch as the service describes it (API.md, "Batch"). Every field is a
 * property; updates from the server change the properties in place and
 * notify only those whose value changed, so widgets bound to them redraw
 * only what moved.
 */
struct _BrBatch
{
  GObject  parent_instance;

  char    *id;
  char    *name;
  char    *description;
  int      status;
  gint64   total_leads;
  gint64   processed_leads;
  gint64   successful_leads;
  gint64   failed_leads;
  double   progress_percentage;
  double   estimated_cost_usd;
  double   actual_cost_usd;
  char    *template_version;
  char    *websocket_url;
  gint64   created_at;
  gint64   started_at;
  gint64   completed_at;
  char    *created_by;
  char    *error_message;
  gint64   skipped_leads;
  gint64   max_concurrent;
  gboolean retry_failed;
  gint64   retry_count;
  char    *current_lead_id;
  double   processing_rate_per_second;
  gint64   estimated_remaining_seconds;
  gint64   updated_at;
  gint64   seq;

  /* Local state, not on the wire: a command sent and not yet answered. */
  char    *pending_action;
};

G_DEFINE_FINAL_TYPE (BrBatch, br_batch, G_TYPE_OBJECT)

static const BrField batch_fields[] = {
  BR_FIELD_REQ (BrBatch, id, "id", BR_FIELD_STRING),
  BR_FIELD (BrBatch, name, "name", BR_FIELD_STRING),
  /* Shared by many batches: one copy each. */
  BR_FIELD_SHARED (BrBatch, description, "description"),
  BR_FIELD_E (BrBatch, status, "status", br_batch_status_get_type, br_batch_status_from_string, br_batch_status_to_string),
  BR_FIELD (BrBatch, total_leads, "total_leads", BR_FIELD_INT),
  BR_FIELD (BrBatch, processed_leads, "processed_leads", BR_FIELD_INT),
  BR_FIELD (BrBatch, successful_leads, "successful_leads", BR_FIELD_INT),
  BR_FIELD (BrBatch, failed_leads, "failed_leads", BR_FIELD_INT),
  BR_FIELD (BrBatch, progress_percentage, "progress_percentage", BR_FIELD_DOUBLE),
  BR_FIELD (BrBatch, estimated_cost_usd, "estimated_cost_usd", BR_FIELD_DOUBLE),
  BR_FIELD (BrBatch, actual_cost_usd, "actual_cost_usd", BR_FIELD_DOUBLE),
  BR_FIELD_SHARED (BrBatch, template_version, "template_version"),
  BR_FIELD (BrBatch, websocket_url, "websocket_url", BR_FIELD_STRING),
  BR_FIELD (BrBatch, created_at, "created_at", BR_FIELD_TIME),
  BR_FIELD (BrBatch, started_at, "started_at", BR_FIELD_TIME),
  BR_FIELD (BrBatch, completed_at, "completed_at", BR_FIELD_TIME),
  BR_FIELD_SHARED (BrBatch, created_by, "created_by"),
  BR_FIELD (BrBatch, error_message, "error_message", BR_FIELD_STRING),
  BR_FIELD (BrBatch, skipped_leads, "skipped_leads", BR_FIELD_INT),
  BR_FIELD (BrBatch, max_concurrent, "max_concurrent", BR_FIELD_INT),
  BR_FIELD (BrBatch, retry_failed, "retry_failed", BR_FIELD_BOOL),
  BR_FIELD (BrBatch, retry_count, "retry_count", BR_FIELD_INT),
  BR_FIELD (BrBatch, current_lead_id, "current_lead_id", BR_FIELD_STRING),
  BR_FIELD (BrBatch, processing_rate_per_second, "processing_rate_per_second", BR_FIELD_DOUBLE),
  BR_FIELD (BrBatch, estimated_remaining_seconds, "estimated_remaining_seconds", BR_FIELD_NINT),
  BR_FIELD (BrBatch, updated_at, "updated_at", BR_FIELD_TIME),
  BR_FIELD (BrBatch, seq, "seq", BR_FIELD_INT),
};

static BrFieldTable table = { batch_fields, G_N_ELEMENTS (batch_fields), NULL };

enum {
  PROP_PENDING_ACTION = G_N_ELEMENTS (batch_fields) + 1,
  N_EXTRA_PROPS
};

static GParamSpec *pending_action_pspec;

static void
br_batch_finalize (GObject *object)
{
  BrBatch *self = BR_BATCH (object);

  _br_field_table_finalize (&table, object);
  g_clear_pointer (&self->pending_action, g_free);

  G_OBJECT_CLASS (br_batch_parent_class)->finalize (object);
}

static void
br_batch_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  if (prop_id == PROP_PENDING_ACTION)
    g_value_set_string (value, BR_BATCH (object)->pending_action);
  else
    _br_field_get_property (&table, object, prop_id, value);
}

static void
br_batch_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  if (prop_id == PROP_PENDING_ACTION)
    br_batch_set_pending_action (BR_BATCH (object), g_value_get_string (value));
  else
    _br_field_set_property (&table, object, prop_id, value);
}

static void
br_batch_class_init (BrBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = br_batch_finalize;
  object_class->get_property = br_batch_get_property;
  object_class->set_property = br_batch_set_property;

  _br_field_table_install (&table, object_class);

  /**
   * BrBatch:pending-action:
   *
   * The control command sent for this batch and not yet confirmed by the
   * server ("pause", "resume", "cancel", "retry"), or %NULL.
   */
  pending_action_pspec =
    g_param_spec_string ("pending-action", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property (object_class, PROP_PENDING_ACTION, pending_action_pspec);
}

static void
br_batch_init (BrBatch *self)
{
  self->estimated_remaining_seconds = -1;
}

/**
 * br_batch_new_from_json:
 * @obj: a Batch object as the service sends it
 * @error: where to say what was wrong
 *
 * Returns: (transfer full) (nullable): a new #BrBatch, or %NULL if a member
 *   has the wrong type or `id` is missing.
 */
BrBatch *
br_batch_new_from_json (JsonObject  *obj,
                        GError     **error)
{
  g_autoptr(BrBatch) self = g_object_new (BR_TYPE_BATCH, NULL);

  g_return_val_if_fail (obj != NULL, NULL);

  if (!_br_field_table_init_from_json (&table, G_OBJECT (self), obj, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * br_batch_update_from_json:
 * @self: a #BrBatch
 * @obj: the same batch, newer
 * @error: where to say what was wrong
 *
 * Applies @obj in place; only properties whose value changed notify.
 * Nothing changes if a member has the wrong type or the id differs.
 */
gboolean
br_batch_update_from_json (BrBatch     *self,
                           JsonObject  *obj,
                           GError     **error)
{
  const char *id;

  g_return_val_if_fail (BR_IS_BATCH (self), FALSE);
  g_return_val_if_fail (obj != NULL, FALSE);

  id = json_object_get_string_member_with_default (obj, "id", NULL);
  if (id != NULL && g_strcmp0 (id, self->id) != 0)
    {
      g_set_error (error, BR_DECODE_ERROR, BR_DECODE_ERROR_VALUE, "Batch %s cannot be updated from batch %s",
                   self->id, id);
      return FALSE;
    }

  return _br_field_table_apply_json (&table, G_OBJECT (self), obj, error);
}

/**
 * br_batch_update_from_batch:
 * @self: a #BrBatch
 * @other: the same batch, newer
 *
 * Copies every wire field of @other into @self, notifying changes.
 */
void
br_batch_update_from_batch (BrBatch *self,
                            BrBatch *other)
{
  g_return_if_fail (BR_IS_BATCH (self));
  g_return_if_fail (BR_IS_BATCH (other));

  _br_field_table_copy (&table, G_OBJECT (self), G_OBJECT (other));
}

/**
 * br_batch_to_json:
 *
 * Returns: (transfer full): the batch in its wire form
 */
JsonNode *
br_batch_to_json (BrBatch *self)
{
  g_return_val_if_fail (BR_IS_BATCH (self), NULL);

  return _br_field_table_to_json (&table, G_OBJECT (self));
}

#define GETTER(type, name, field) \
  type br_batch_get_##name (BrBatch *self) \
  { \
    g_return_val_if_fail (BR_IS_BATCH (self), 0); \
    return self->field; \
  }

GETTER (const char *, id, id)
GETTER (const char *, name, name)
GETTER (const char *, description, description)
GETTER (BrBatchStatus, status, status)
GETTER (gint64, total_leads, total_leads)
GETTER (gint64, processed_leads, processed_leads)
GETTER (gint64, successful_leads, successful_leads)
GETTER (gint64, failed_leads, failed_leads)
GETTER (gint64, skipped_leads, skipped_leads)
GETTER (double, progress_percentage, progress_percentage)
GETTER (double, estimated_cost_usd, estimated_cost_usd)
GETTER (double, actual_cost_usd, actual_cost_usd)
GETTER (const char *, template_version, template_version)
GETTER (gint64, created_at, created_at)
GETTER (gint64, started_at, started_at)
GETTER (gint64, completed_at, completed_at)
GETTER (const char *, created_by, created_by)
GETTER (const char *, error_message, error_message)
GETTER (double, rate, processing_rate_per_second)
GETTER (gint64, eta_seconds, estimated_remaining_seconds)
GETTER (gint64, seq, seq)
GETTER (gint64, max_concurrent, max_concurrent)
GETTER (const char *, pending_action, pending_action)

#undef GETTER

void
br_batch_set_pending_action (BrBatch    *self,
                             const char *action)
{
  g_return_if_fail (BR_IS_BATCH (self));

  if (g_strcmp0 (self->pending_action, action) == 0)
    return;
  g_free (self->pending_action);
  self->pending_action = g_strdup (action);
  g_object_notify_by_pspec (G_OBJECT (self), pending_action_pspec);
}

gboolean
br_batch_is_terminal (BrBatch *self)
{
  g_return_val_if_fail (BR_IS_BATCH (self), FALSE);

  return br_batch_status_is_terminal (self->status);
}
