/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BR_TYPE_HEALTH (br_health_get_type ())

G_DECLARE_FINAL_TYPE (BrHealth, br_health, BR, HEALTH, GObject)

BrHealth           *br_health_new_from_json          (JsonObject  *obj,
                                                      GError     **error);
gboolean            br_health_update_from_json       (BrHealth    *self,
                                                      JsonObject  *obj,
                                                      GError     **error);

const char         *br_health_get_status             (BrHealth    *self);
gboolean            br_health_is_healthy             (BrHealth    *self);
gint64              br_health_get_timestamp          (BrHealth    *self);
const char         *br_health_get_database           (BrHealth    *self);
const char         *br_health_get_message            (BrHealth    *self);
const char         *br_health_get_version            (BrHealth    *self);
const char * const *br_health_get_capabilities       (BrHealth    *self);
gboolean            br_health_has_capability         (BrHealth    *self,
                                                      const char  *capability);
gint64              br_health_get_workers_busy       (BrHealth    *self);
gint64              br_health_get_workers_total      (BrHealth    *self);
gint64              br_health_get_queue_depth        (BrHealth    *self);
gint64              br_health_get_websocket_clients  (BrHealth    *self);
double              br_health_get_spent_today_usd    (BrHealth    *self);
double              br_health_get_daily_budget_usd   (BrHealth    *self);
const char         *br_health_get_processor          (BrHealth    *self);
gint64              br_health_get_event_seq          (BrHealth    *self);

G_END_DECLS
