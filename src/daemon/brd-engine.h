/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "brd-config.h"
#include "brd-events.h"
#include "brd-pricing.h"
#include "brd-processor.h"
#include "brd-store.h"

G_BEGIN_DECLS

typedef struct _BrdEngine BrdEngine;

#define BRD_ENGINE_ERROR (brd_engine_error_quark ())

typedef enum
{
  BRD_ENGINE_ERROR_NOT_FOUND,          /* 404 */
  BRD_ENGINE_ERROR_INVALID_TRANSITION, /* 400 */
  BRD_ENGINE_ERROR_INVALID,            /* 422 */
  BRD_ENGINE_ERROR_FAILED,             /* 500 */
} BrdEngineError;

typedef struct
{
  const char *actor;   /* token name */
  const char *role;
} BrdActor;

GQuark     brd_engine_error_quark     (void);

BrdEngine *brd_engine_new             (BrdConfig          *config,
                                       BrdStore           *store,
                                       BrdEvents          *events,
                                       BrdPricing         *pricing,
                                       BrdProcessor       *processor);
void       brd_engine_free            (BrdEngine          *self);
void       brd_engine_start           (BrdEngine          *self);

/* @batch carries name, description, template_version, estimated cost,
 * max_concurrent, retry_failed, retry_count, created_by; the engine
 * assigns id, status and times. Returns the new batch's id. */
char      *brd_engine_create_batch    (BrdEngine          *self,
                                       const BrdBatch     *batch,
                                       const char * const *lead_ids,
                                       guint               n_leads,
                                       const BrdActor     *actor,
                                       GError            **error);
gboolean   brd_engine_pause           (BrdEngine          *self,
                                       const char         *batch_id,
                                       const BrdActor     *actor,
                                       GError            **error);
gboolean   brd_engine_resume          (BrdEngine          *self,
                                       const char         *batch_id,
                                       const BrdActor     *actor,
                                       GError            **error);
gboolean   brd_engine_cancel          (BrdEngine          *self,
                                       const char         *batch_id,
                                       const BrdActor     *actor,
                                       GError            **error);
/* @lead_ids: NULL for every failed lead. Returns how many went back. */
guint      brd_engine_retry           (BrdEngine          *self,
                                       const char         *batch_id,
                                       const char * const *lead_ids,
                                       const BrdActor     *actor,
                                       GError            **error);

guint      brd_engine_get_busy        (BrdEngine          *self);
guint      brd_engine_get_workers     (BrdEngine          *self);
gint64     brd_engine_get_queue_depth (BrdEngine          *self);
guint64    brd_engine_get_leads_done  (BrdEngine          *self,
                                       guint64            *failed);

/* Graceful stop: nothing new starts; leads in flight get @grace_ms to
 * finish, then are stopped and go back to pending. */
void       brd_engine_shutdown_async  (BrdEngine          *self,
                                       guint               grace_ms,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean   brd_engine_shutdown_finish (BrdEngine          *self,
                                       GAsyncResult       *result,
                                       GError            **error);

G_END_DECLS
