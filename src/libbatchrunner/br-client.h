/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(BR_INSIDE) && !defined(BR_COMPILATION)
# error "Only <batchrunner.h> can be included directly."
#endif

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "br-analytics.h"
#include "br-batch.h"
#include "br-enums.h"
#include "br-health.h"
#include "br-preview.h"

G_BEGIN_DECLS

#define BR_CLIENT_ERROR (br_client_error_quark ())

/**
 * BrClientError:
 * @BR_CLIENT_ERROR_HTTP: the server answered with a non-2xx status; see
 *   br_client_error_get_http_status(), br_client_error_get_code() and
 *   br_client_error_get_detail()
 * @BR_CLIENT_ERROR_NETWORK: the server could not be reached (refused,
 *   reset, unknown host, bad address)
 * @BR_CLIENT_ERROR_TIMEOUT: the server did not answer within #BrClient:timeout
 * @BR_CLIENT_ERROR_TLS: the secure connection failed, usually because the
 *   server's certificate is not trusted; the message says why
 * @BR_CLIENT_ERROR_DECODE: the answer is not what the contract says
 * @BR_CLIENT_ERROR_UNSUPPORTED: the server lacks the capability the call
 *   needs (known from its health); nothing was sent
 *
 * Why a call to the service failed. Cancellation is reported as
 * %G_IO_ERROR_CANCELLED, not in this domain.
 */
typedef enum
{
  BR_CLIENT_ERROR_HTTP,
  BR_CLIENT_ERROR_NETWORK,
  BR_CLIENT_ERROR_TIMEOUT,
  BR_CLIENT_ERROR_TLS,
  BR_CLIENT_ERROR_DECODE,
  BR_CLIENT_ERROR_UNSUPPORTED,
} BrClientError;

GQuark      br_client_error_quark           (void);
guint       br_client_error_get_http_status (const GError *error);
const char *br_client_error_get_code        (const GError *error);
const char *br_client_error_get_detail      (const GError *error);

/**
 * BrBatchQuery:
 * @statuses: (nullable) (array zero-terminated=1): batch statuses to list,
 *   %NULL for all
 * @search: (nullable): text to look for in names and descriptions
 * @created_by: (nullable): only batches started by this user
 * @template_version: (nullable): only batches of this template
 * @created_after: Unix µs, 0 for no bound
 * @created_before: Unix µs, 0 for no bound
 * @skip: batches to skip (paging)
 * @limit: batches to return, 0 for the server's default (50; at most 200)
 *
 * Filters for br_client_list_batches_async(); zero-initialise it and set
 * what you need. The call copies what it needs before it returns.
 */
typedef struct
{
  const char * const *statuses;
  const char         *search;
  const char         *created_by;
  const char         *template_version;
  gint64              created_after;
  gint64              created_before;
  guint               skip;
  guint               limit;
} BrBatchQuery;

/**
 * BrStartRequest:
 * @lead_ids: (array zero-terminated=1): the leads to process
 * @name: (nullable): the batch's name (the server makes one up if %NULL)
 * @description: (nullable): a description
 * @template_version: (nullable): the template, %NULL for the default
 * @estimated_cost_usd: the estimate the operator approved (from the preview)
 * @cost_approved: must be %TRUE for the server to start the batch
 * @max_concurrent: leads processed at once, 0 for the server's default
 * @retry_failed: whether failed leads are retried automatically
 * @retry_count: automatic retries per lead, negative for the server's default
 * @created_by: (nullable): who starts it, %NULL to let the server use the
 *   token's name
 *
 * What br_client_start_batch_async() sends. Initialise it with
 * %BR_START_REQUEST_INIT so the defaults are the server's.
 */
typedef struct
{
  const char * const *lead_ids;
  const char         *name;
  const char         *description;
  const char         *template_version;
  double              estimated_cost_usd;
  gboolean            cost_approved;
  guint               max_concurrent;
  gboolean            retry_failed;
  int                 retry_count;
  const char         *created_by;
} BrStartRequest;

#define BR_START_REQUEST_INIT { NULL, NULL, NULL, NULL, 0.0, FALSE, 0, TRUE, -1, NULL }

/**
 * BrImportRejection:
 * @index: the position of the lead in the imported array
 * @detail: why the server refused it
 *
 * One lead `POST /leads` did not import.
 */
typedef struct
{
  guint  index;
  char  *detail;
} BrImportRejection;

void br_import_rejection_free (BrImportRejection *rejection);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrImportRejection, br_import_rejection_free)

#define BR_TYPE_CLIENT (br_client_get_type ())

G_DECLARE_FINAL_TYPE (BrClient, br_client, BR, CLIENT, GObject)

BrClient     *br_client_new                    (const char           *base_url);

const char   *br_client_get_base_url           (BrClient             *self);
void          br_client_set_base_url           (BrClient             *self,
                                                const char           *base_url);
const char   *br_client_get_base_path          (BrClient             *self);
void          br_client_set_base_path          (BrClient             *self,
                                                const char           *base_path);
const char   *br_client_get_token              (BrClient             *self);
void          br_client_set_token              (BrClient             *self,
                                                const char           *token);
guint         br_client_get_timeout            (BrClient             *self);
void          br_client_set_timeout            (BrClient             *self,
                                                guint                 timeout);
SoupSession  *br_client_get_session            (BrClient             *self);
BrHealth     *br_client_get_last_health        (BrClient             *self);
gboolean      br_client_has_capability         (BrClient             *self,
                                                const char           *capability);

char         *br_client_build_url              (BrClient             *self,
                                                const char           *path);
char         *br_client_build_ws_url           (BrClient             *self,
                                                const char           *path);
SoupMessage  *br_client_new_request            (BrClient             *self,
                                                const char           *method,
                                                const char           *path,
                                                const char           *query);

void          br_client_get_health_async       (BrClient             *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
BrHealth     *br_client_get_health_finish      (BrClient             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void          br_client_list_batches_async     (BrClient             *self,
                                                const BrBatchQuery   *query,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GPtrArray    *br_client_list_batches_finish    (BrClient             *self,
                                                GAsyncResult         *result,
                                                gint64               *total_count,
                                                GError              **error);
void          br_client_list_batches_full_async (BrClient            *self,
                                                 const BrBatchQuery  *query,
                                                 const char          *error_code,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray    *br_client_list_batches_full_finish (BrClient            *self,
                                                 GAsyncResult        *result,
                                                 gint64              *total_count,
                                                 GError             **error);

void          br_client_get_batch_async        (BrClient             *self,
                                                const char           *batch_id,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
BrBatch      *br_client_get_batch_finish       (BrClient             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void          br_client_get_batch_status_async (BrClient             *self,
                                                const char           *batch_id,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
JsonObject   *br_client_get_batch_status_finish (BrClient            *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

void          br_client_pause_batch_async      (BrClient             *self,
                                                const char           *batch_id,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
BrBatch      *br_client_pause_batch_finish     (BrClient             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void          br_client_resume_batch_async     (BrClient             *self,
                                                const char           *batch_id,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
BrBatch      *br_client_resume_batch_finish    (BrClient             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void          br_client_cancel_batch_async     (BrClient             *self,
                                                const char           *batch_id,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean      br_client_cancel_batch_finish    (BrClient             *self,
                                                GAsyncResult         *result,
                                                BrBatch             **batch,
                                                char                **message,
                                                GError              **error);

void          br_client_retry_batch_async      (BrClient             *self,
                                                const char           *batch_id,
                                                const char * const   *lead_ids,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
BrBatch      *br_client_retry_batch_finish     (BrClient             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void          br_client_preview_async          (BrClient             *self,
                                                const char * const   *lead_ids,
                                                const char           *template_version,
                                                guint                 max_concurrent,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
BrPreview    *br_client_preview_finish         (BrClient             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void          br_client_start_batch_async      (BrClient             *self,
                                                const BrStartRequest *request,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
BrBatch      *br_client_start_batch_finish     (BrClient             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void          br_client_list_batch_leads_async (BrClient             *self,
                                                const char           *batch_id,
                                                BrLeadStatus          status,
                                                guint                 skip,
                                                guint                 limit,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GPtrArray    *br_client_list_batch_leads_finish (BrClient            *self,
                                                 GAsyncResult        *result,
                                                 gint64              *total_count,
                                                 GError             **error);

void          br_client_list_leads_async       (BrClient             *self,
                                                const char           *search,
                                                const char           *source,
                                                const char           *industry,
                                                BrEnrichmentStatus    enrichment_status,
                                                guint                 skip,
                                                guint                 limit,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GPtrArray    *br_client_list_leads_finish      (BrClient             *self,
                                                GAsyncResult         *result,
                                                gint64               *total_count,
                                                GError              **error);

void          br_client_import_leads_async     (BrClient             *self,
                                                JsonArray            *leads,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean      br_client_import_leads_finish    (BrClient             *self,
                                                GAsyncResult         *result,
                                                guint                *imported,
                                                GPtrArray           **rejected,
                                                GError              **error);

void          br_client_list_templates_async   (BrClient             *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GPtrArray    *br_client_list_templates_finish  (BrClient             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void          br_client_get_analytics_async    (BrClient             *self,
                                                guint                 days,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
BrAnalytics  *br_client_get_analytics_finish   (BrClient             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

void          br_client_list_audit_async       (BrClient             *self,
                                                const char           *batch_id,
                                                guint                 skip,
                                                guint                 limit,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
JsonArray    *br_client_list_audit_finish      (BrClient             *self,
                                                GAsyncResult         *result,
                                                gint64               *total_count,
                                                GError              **error);

G_END_DECLS
