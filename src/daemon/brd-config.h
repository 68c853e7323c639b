/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  BRD_ROLE_NONE = 0,
  BRD_ROLE_VIEWER,
  BRD_ROLE_OPERATOR,
  BRD_ROLE_ADMIN,
} BrdRole;

typedef struct
{
  BrdRole  role;
  char    *name;
  char    *token;
} BrdToken;

typedef struct
{
  char      *config_file;
  char      *listen;
  char      *database;
  char      *reports_dir;
  char      *processor;
  char      *exec_command;
  double     exec_timeout;
  int        workers;
  int        progress_interval_ms;
  double     daily_budget;
  char      *rate_card;
  GPtrArray *tokens; /* BrdToken */
  gint64     max_body_bytes;
  int        health_interval_ms;
  int        replay_capacity;
  int        retry_backoff_ms;
  int        shutdown_grace_ms;
  /* The API profile: "full" (the whole contract under /api/v1) or "base"
   * (only what the FastAPI service has, under /api: see docs/daemon.md). */
  char      *compat;
} BrdConfig;

#define BRD_CONFIG_ERROR (brd_config_error_quark ())

GQuark      brd_config_error_quark      (void);
BrdConfig  *brd_config_new              (void);
void        brd_config_free             (BrdConfig    *self);
gboolean    brd_config_parse            (BrdConfig    *self,
                                         int          *argc,
                                         char       ***argv,
                                         GError      **error);
gboolean    brd_config_validate         (BrdConfig    *self,
                                         GError      **error);
char       *brd_config_default_database (void);
gboolean    brd_config_split_listen     (const char   *listen,
                                         char        **host,
                                         guint16      *port,
                                         GError      **error);
gboolean    brd_config_add_token        (BrdConfig    *self,
                                         const char   *spec,
                                         GError      **error);
gboolean    brd_config_is_base_profile  (const BrdConfig *self);
const char *brd_role_to_string          (BrdRole       role);
BrdRole     brd_role_from_string        (const char   *str);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrdConfig, brd_config_free)

G_END_DECLS
