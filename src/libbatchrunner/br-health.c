/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "br-health"

#include "config.h"

#include "br-error.h"
#include "br-health.h"
#include "br-object-private.h"
#include "br-wire-private.h"

/**
 * BrHealth:
 *
 * What `GET /health` (and the `/events` `health` message) says about the
 * service. The base members (`status`, `timestamp`, `database`, `message`)
 * come from every server; the others are ours: from a server without them
 * (the FastAPI service) the numbers are -1 and #BrHealth:capabilities is
 * %NULL, so br_health_has_capability() is %FALSE for every ext feature.
 * `workers {busy, total}` is flattened to #BrHealth:workers-busy and
 * #BrHealth:workers-total.
 */
struct _BrHealth
{
  GObject  parent_instance;

  char    *status;
  gint64   timestamp;
  char    *database;
  char    *message;
  char    *version;
  gint64   workers_busy;
  gint64   workers_total;
  gint64   queue_depth;
  gint64   websocket_clients;
  double   spent_today_usd;
  double   daily_budget_usd;
  char    *processor;
  gint64   event_seq;

  GStrv    capabilities;
};

G_DEFINE_FINAL_TYPE (BrHealth, br_health, G_TYPE_OBJECT)

static const BrField health_fields[] = {
  BR_FIELD (BrHealth, status, "status", BR_FIELD_STRING),
  BR_FIELD (BrHealth, timestamp, "timestamp", BR_FIELD_TIME),
  BR_FIELD (BrHealth, database, "database", BR_FIELD_STRING),
  BR_FIELD (BrHealth, message, "message", BR_FIELD_STRING),
  BR_FIELD (BrHealth, version, "version", BR_FIELD_STRING),
  BR_FIELD (BrHealth, workers_busy, "workers_busy", BR_FIELD_NINT),
  BR_FIELD (BrHealth, workers_total, "workers_total", BR_FIELD_NINT),
  BR_FIELD (BrHealth, queue_depth, "queue_depth", BR_FIELD_NINT),
  BR_FIELD (BrHealth, websocket_clients, "websocket_clients", BR_FIELD_NINT),
  BR_FIELD (BrHealth, spent_today_usd, "spent_today_usd", BR_FIELD_NDOUBLE),
  BR_FIELD (BrHealth, daily_budget_usd, "daily_budget_usd", BR_FIELD_NDOUBLE),
  BR_FIELD (BrHealth, processor, "processor", BR_FIELD_STRING),
  BR_FIELD (BrHealth, event_seq, "event_seq", BR_FIELD_NINT),
};

static const BrNestedMember health_nested[] = {
  { "workers", "busy", "workers_busy" },
  { "workers", "total", "workers_total" },
};

static BrFieldTable table = { health_fields, G_N_ELEMENTS (health_fields), NULL };

enum {
  PROP_CAPABILITIES = G_N_ELEMENTS (health_fields) + 1,
};

static GParamSpec *capabilities_pspec;

static void
br_health_finalize (GObject *object)
{
  BrHealth *self = BR_HEALTH (object);

  _br_field_table_finalize (&table, object);
  g_clear_pointer (&self->capabilities, g_strfreev);

  G_OBJECT_CLASS (br_health_parent_class)->finalize (object);
}

static void
br_health_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  if (prop_id == PROP_CAPABILITIES)
    g_value_set_boxed (value, BR_HEALTH (object)->capabilities);
  else
    _br_field_get_property (&table, object, prop_id, value);
}

static void
br_health_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  _br_field_set_property (&table, object, prop_id, value);
}

static void
br_health_class_init (BrHealthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = br_health_finalize;
  object_class->get_property = br_health_get_property;
  object_class->set_property = br_health_set_property;

  _br_field_table_install (&table, object_class);

  /**
   * BrHealth:capabilities:
   *
   * The ext features the server has ("events", "pause", "retry", …), or
   * %NULL for a server that does not list them (the FastAPI service).
   */
  capabilities_pspec =
    g_param_spec_boxed ("capabilities", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property (object_class, PROP_CAPABILITIES, capabilities_pspec);
}

static void
br_health_init (BrHealth *self)
{
  self->workers_busy = -1;
  self->workers_total = -1;
  self->queue_depth = -1;
  self->websocket_clients = -1;
  self->spent_today_usd = -1;
  self->daily_budget_usd = -1;
  self->event_seq = -1;
}

static gboolean
apply_json (BrHealth    *self,
            JsonObject  *obj,
            GError     **error)
{
  g_autoptr(JsonObject) flat = NULL;
  g_auto(GStrv) capabilities = NULL;
  gboolean has_capabilities = FALSE;

  if (!_br_json_get_strv (obj, "capabilities", &has_capabilities, &capabilities, error))
    return FALSE;
  flat = _br_json_flatten (obj, health_nested, G_N_ELEMENTS (health_nested), error);
  if (flat == NULL)
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  if (!_br_field_table_apply_json (&table, G_OBJECT (self), flat, error))
    {
      g_object_thaw_notify (G_OBJECT (self));
      return FALSE;
    }
  if (has_capabilities &&
      !_br_strv_equal ((const char * const *) capabilities, (const char * const *) self->capabilities))
    {
      g_strfreev (self->capabilities);
      self->capabilities = g_steal_pointer (&capabilities);
      g_object_notify_by_pspec (G_OBJECT (self), capabilities_pspec);
    }
  g_object_thaw_notify (G_OBJECT (self));

  return TRUE;
}

/**
 * br_health_new_from_json:
 * @obj: the body of `GET /health`
 * @error: where to say what was wrong
 *
 * Returns: (transfer full) (nullable): a new #BrHealth, or %NULL if a
 *   member has the wrong type (%BR_DECODE_ERROR)
 */
BrHealth *
br_health_new_from_json (JsonObject  *obj,
                         GError     **error)
{
  g_autoptr(BrHealth) self = NULL;

  g_return_val_if_fail (obj != NULL, NULL);

  self = g_object_new (BR_TYPE_HEALTH, NULL);
  if (!apply_json (self, obj, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * br_health_update_from_json:
 * @self: a #BrHealth
 * @obj: newer health (a `health` event has the same members)
 * @error: where to say what was wrong
 *
 * Applies @obj in place; only properties whose value changed notify;
 * members @obj lacks keep their value. Nothing changes if a member has the
 * wrong type.
 *
 * Returns: whether @obj was applied
 */
gboolean
br_health_update_from_json (BrHealth    *self,
                            JsonObject  *obj,
                            GError     **error)
{
  g_return_val_if_fail (BR_IS_HEALTH (self), FALSE);
  g_return_val_if_fail (obj != NULL, FALSE);

  return apply_json (self, obj, error);
}

/**
 * br_health_get_capabilities:
 * @self: a #BrHealth
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the ext
 *   features the server lists, or %NULL when it does not list any
 */
const char * const *
br_health_get_capabilities (BrHealth *self)
{
  g_return_val_if_fail (BR_IS_HEALTH (self), NULL);

  return (const char * const *) self->capabilities;
}

/**
 * br_health_has_capability:
 * @self: a #BrHealth
 * @capability: a feature name from API.md, e.g. "pause"
 *
 * Returns: whether the server says it has @capability; always %FALSE for a
 *   server without `capabilities`
 */
gboolean
br_health_has_capability (BrHealth   *self,
                          const char *capability)
{
  g_return_val_if_fail (BR_IS_HEALTH (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  return self->capabilities != NULL && g_strv_contains ((const char * const *) self->capabilities, capability);
}

/**
 * br_health_is_healthy:
 * @self: a #BrHealth
 *
 * Returns: whether `status` is "healthy"
 */
gboolean
br_health_is_healthy (BrHealth *self)
{
  g_return_val_if_fail (BR_IS_HEALTH (self), FALSE);

  return g_strcmp0 (self->status, "healthy") == 0;
}

#define GETTER(type, name) \
  type br_health_get_##name (BrHealth *self) \
  { \
    g_return_val_if_fail (BR_IS_HEALTH (self), 0); \
    return self->name; \
  }

GETTER (const char *, status)
GETTER (gint64, timestamp)
GETTER (const char *, database)
GETTER (const char *, message)
GETTER (const char *, version)
GETTER (gint64, workers_busy)
GETTER (gint64, workers_total)
GETTER (gint64, queue_depth)
GETTER (gint64, websocket_clients)
GETTER (double, spent_today_usd)
GETTER (double, daily_budget_usd)
GETTER (const char *, processor)
GETTER (gint64, event_seq)

#undef GETTER
