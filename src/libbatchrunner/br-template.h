/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BR_TYPE_TEMPLATE (br_template_get_type ())

G_DECLARE_FINAL_TYPE (BrTemplate, br_template, BR, TEMPLATE, GObject)

BrTemplate *br_template_new_from_json           (JsonObject  *obj,
                                                 GError     **error);
gboolean    br_template_update_from_json        (BrTemplate  *self,
                                                 JsonObject  *obj,
                                                 GError     **error);
JsonNode   *br_template_to_json                 (BrTemplate  *self);

const char *br_template_get_version             (BrTemplate  *self);
const char *br_template_get_name                (BrTemplate  *self);
const char *br_template_get_description         (BrTemplate  *self);
const char *br_template_get_complexity          (BrTemplate  *self);
gboolean    br_template_get_is_default          (BrTemplate  *self);
gboolean    br_template_get_available           (BrTemplate  *self);
const char *br_template_get_unavailable_reason  (BrTemplate  *self);

G_END_DECLS
