/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "brd-lead.h"

G_BEGIN_DECLS

/* The SQLite engine of the store (DESIGN.md, "Storage"): WAL, foreign
 * keys, versioned migrations at open, and every state change in one
 * transaction whose batch counters are derived from the lead rows. */

typedef struct
{
  char    *id;
  char    *name;
  char    *description;
  char    *status;
  char    *template_version;
  char    *created_by;
  char    *error_message;
  double   estimated_cost_usd;
  double   actual_cost_usd;
  int      max_concurrent;
  gboolean retry_failed;
  int      retry_count;
  gint64   created_at;       /* unix µs; 0 = null */
  gint64   started_at;
  gint64   completed_at;
  gint64   updated_at;
  int      total_leads;
  int      processed_leads;  /* completed + failed */
  int      successful_leads;
  int      failed_leads;
  int      skipped_leads;
  int      pending_leads;
  int      processing_leads;
  gint64   seq;
  char    *current_lead_id;
} BrdBatch;

typedef struct
{
  char   *lead_id;
  char   *status;
  char   *report_url;
  double  actual_cost_usd;
  char   *cost_breakdown;    /* JSON object text */
  gint64  processing_duration_ms; /* -1 = null */
  double  quality_score;     /* < 0 = null */
  char   *error_code;
  char   *error_message;
  int     retry_count;
  int     attempts;
  gint64  started_at;
  gint64  completed_at;
  gint64  next_attempt_at;
} BrdLeadResult;

typedef struct
{
  GStrv   statuses;          /* NULL = any */
  char   *created_by;
  char   *template_version;
  gint64  created_after;     /* 0 = unbounded */
  gint64  created_before;
  char   *search;
  guint   skip;
  guint   limit;
  char   *error_code;        /* NULL = any; else a lead of the batch failed with it */
} BrdBatchQuery;

typedef struct
{
  char *search;
  char *source;
  char *industry;
  char *enrichment_status;
  guint skip;
  guint limit;
} BrdLeadQuery;

typedef struct _BrdStore BrdStore;

#define BRD_STORE_ERROR (brd_store_error_quark ())

typedef enum
{
  BRD_STORE_ERROR_FAILED,
  BRD_STORE_ERROR_NOT_FOUND,
  BRD_STORE_ERROR_CONFLICT,
} BrdStoreError;

GQuark         brd_store_error_quark       (void);

BrdStore      *brd_store_open              (const char        *path,
                                            GError           **error);
void           brd_store_free              (BrdStore          *self);
sqlite3       *brd_store_get_db            (BrdStore          *self);
int            brd_store_get_schema_version(BrdStore          *self);
guint          brd_store_get_recovered     (BrdStore          *self);

gboolean       brd_store_begin             (BrdStore          *self,
                                            GError           **error);
gboolean       brd_store_commit            (BrdStore          *self,
                                            GError           **error);
void           brd_store_rollback          (BrdStore          *self);

/* Meta values (the event sequence survives restarts through this). */
gint64         brd_store_get_meta_int      (BrdStore          *self,
                                            const char        *key,
                                            gint64             fallback);
gboolean       brd_store_set_meta_int      (BrdStore          *self,
                                            const char        *key,
                                            gint64             value,
                                            GError           **error);

/* Leads */
gboolean       brd_store_upsert_leads      (BrdStore          *self,
                                            GPtrArray         *leads,
                                            guint             *n_inserted,
                                            GError           **error);
BrdLead       *brd_store_get_lead          (BrdStore          *self,
                                            const char        *id);
GPtrArray     *brd_store_get_leads         (BrdStore          *self,
                                            const char * const *ids,
                                            guint              n_ids);
JsonNode      *brd_store_list_leads        (BrdStore          *self,
                                            const BrdLeadQuery *query,
                                            gint64            *total);
gint64         brd_store_count_leads       (BrdStore          *self);

/* Batches */
void           brd_batch_free              (BrdBatch          *batch);
BrdBatch      *brd_store_get_batch         (BrdStore          *self,
                                            const char        *id);
GPtrArray     *brd_store_list_batches      (BrdStore          *self,
                                            const BrdBatchQuery *query,
                                            gint64            *total);
GPtrArray     *brd_store_list_active_batches (BrdStore        *self);
GPtrArray     *brd_store_snapshot_batches  (BrdStore          *self,
                                            guint              n_terminal);
gboolean       brd_store_insert_batch      (BrdStore          *self,
                                            const BrdBatch    *batch,
                                            const char * const *lead_ids,
                                            guint              n_leads,
                                            GError           **error);
gboolean       brd_store_update_batch_state(BrdStore          *self,
                                            const char        *id,
                                            const char        *status,
                                            gint64             started_at,
                                            gint64             completed_at,
                                            const char        *error_message,
                                            GError           **error);
gboolean       brd_store_recount_batch     (BrdStore          *self,
                                            const char        *id,
                                            GError           **error);
gboolean       brd_store_set_batch_seq     (BrdStore          *self,
                                            const char        *id,
                                            gint64             seq,
                                            GError           **error);

/* Lead results */
void           brd_lead_result_free        (BrdLeadResult     *result);
GPtrArray     *brd_store_list_results      (BrdStore          *self,
                                            const char        *batch_id,
                                            const char        *status,
                                            guint              skip,
                                            guint              limit,
                                            gint64            *total);
BrdLeadResult *brd_store_get_result        (BrdStore          *self,
                                            const char        *batch_id,
                                            const char        *lead_id);
GPtrArray     *brd_store_recent_results    (BrdStore          *self,
                                            const char        *batch_id,
                                            guint              n);
JsonNode      *brd_store_error_summary     (BrdStore          *self,
                                            const char        *batch_id);
/* Claims up to @max leads of @batch_id whose turn has come: pending →
 * processing, attempts + 1. Returns BrdLead copies in position order. */
GPtrArray     *brd_store_claim_leads       (BrdStore          *self,
                                            const char        *batch_id,
                                            guint              max,
                                            gint64             now,
                                            GError           **error);
gint64         brd_store_next_attempt_at   (BrdStore          *self,
                                            const char        *batch_id);
gboolean       brd_store_record_result     (BrdStore          *self,
                                            const char        *batch_id,
                                            const BrdLeadResult *result,
                                            GError           **error);
guint          brd_store_skip_pending      (BrdStore          *self,
                                            const char        *batch_id,
                                            const char        *reason,
                                            GError           **error);
guint          brd_store_retry_failed      (BrdStore          *self,
                                            const char        *batch_id,
                                            const char * const *lead_ids,
                                            GError           **error);
GPtrArray     *brd_store_failed_lead_ids   (BrdStore          *self,
                                            const char        *batch_id);
gboolean       brd_store_requeue_lead      (BrdStore          *self,
                                            const char        *batch_id,
                                            const char        *lead_id,
                                            GError           **error);

/* Money and health */
double         brd_store_spent_since       (BrdStore          *self,
                                            gint64             since);
JsonNode      *brd_store_status_counts     (BrdStore          *self);

/* Audit */
gboolean       brd_store_audit             (BrdStore          *self,
                                            const char        *actor,
                                            const char        *role,
                                            const char        *action,
                                            const char        *batch_id,
                                            const char        *detail,
                                            GError           **error);
JsonNode      *brd_store_list_audit        (BrdStore          *self,
                                            const char        *batch_id,
                                            guint              skip,
                                            guint              limit,
                                            gint64            *total);

/* Analytics (GET /batch/analytics) */
const char    *brd_store_error_hint        (const char        *code);
JsonNode      *brd_store_analytics         (BrdStore          *self,
                                            guint              days,
                                            gint64             now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrdBatch, brd_batch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrdLeadResult, brd_lead_result_free)

G_END_DECLS
