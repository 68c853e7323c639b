/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <batchrunner.h>

G_BEGIN_DECLS

#define BRM_TYPE_CONNECTION (brm_connection_get_type ())

G_DECLARE_FINAL_TYPE (BrmConnection, brm_connection, BRM, CONNECTION, GObject)

/* One service the monitor talks to: the REST client, the live batch store
 * fed by the live feed, and the controller that sends commands. Widgets
 * take it as a "connection" property and read everything from it. */
BrmConnection *brm_connection_new              (const char    *base_url,
                                                const char    *base_path,
                                                const char    *token);
BrClient      *brm_connection_get_client       (BrmConnection *self);
BrBatchStore  *brm_connection_get_store        (BrmConnection *self);
BrLiveFeed    *brm_connection_get_feed         (BrmConnection *self);
BrController  *brm_connection_get_controller   (BrmConnection *self);
const char    *brm_connection_get_base_url     (BrmConnection *self);
const char    *brm_connection_get_base_path    (BrmConnection *self);
void           brm_connection_set_token        (BrmConnection *self,
                                                const char    *token);
void           brm_connection_start            (BrmConnection *self);
void           brm_connection_stop             (BrmConnection *self);
/* NULL until the server's /health was read once. */
const char * const *brm_connection_get_capabilities (BrmConnection *self);
gboolean       brm_connection_has_capability   (BrmConnection *self,
                                                const char    *capability);

G_END_DECLS
