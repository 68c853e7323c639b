/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A real batch-runnerd on a free loopback port with a temporary database,
 * for every test that needs the service. The process gets SIGKILL if the
 * test process dies (meson timeout, crash), so nothing outlives a test. */
typedef struct _BrtDaemon BrtDaemon;

BrtDaemon  *brt_daemon_new          (const char * const *extra_args);
BrtDaemon  *brt_daemon_start        (const char         *first_arg,
                                     ...) G_GNUC_NULL_TERMINATED;
gboolean    brt_daemon_launch       (BrtDaemon          *self,
                                     GError            **error);
const char *brt_daemon_get_url      (BrtDaemon          *self);
const char *brt_daemon_get_dir      (BrtDaemon          *self);
const char *brt_daemon_get_db_path  (BrtDaemon          *self);
int         brt_daemon_stop         (BrtDaemon          *self);
void        brt_daemon_kill         (BrtDaemon          *self);
void        brt_daemon_restart      (BrtDaemon          *self);
void        brt_daemon_restart_same_port (BrtDaemon     *self);
void        brt_daemon_free         (BrtDaemon          *self);

/* Synchronous HTTP for tests: returns the parsed JSON body (NULL when the
 * body is empty or not JSON) and stores the status in @status. */
JsonNode   *brt_http                (BrtDaemon          *self,
                                     const char         *method,
                                     const char         *path,
                                     const char         *body,
                                     guint              *status);
JsonNode   *brt_http_with_token     (BrtDaemon          *self,
                                     const char         *token,
                                     const char         *method,
                                     const char         *path,
                                     const char         *body,
                                     guint              *status);

/* Iterates the default main context until @condition returns TRUE or the
 * deadline passes; returns whether the condition held. */
gboolean    brt_wait_until          (gboolean          (*condition) (gpointer),
                                     gpointer             data,
                                     guint                timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrtDaemon, brt_daemon_free)

G_END_DECLS
