/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "brt-daemon.h"
#include "brt-ws.h"

G_BEGIN_DECLS

/* Shared fixtures of the daemon integration tests: leads, batches, polling
 * with deadlines, raw HTTP. Every helper asserts what it needs, so a test
 * reads as the behaviour it checks. */

/* g_test_init, without the debug chatter of libsoup in the TAP output. */
void         brt_test_init             (int               *argc,
                                        char            ***argv);

/* How generated leads look. Zero-filled means: domains company<N>.example.com,
 * enrichment status, industry and source cycling through a few values. */
typedef struct
{
  const char *name_prefix;        /* "Company" */
  const char *domain_prefix;      /* "company"; "unreachable-" makes the report processor fail */
  const char *enrichment_status;  /* NULL: cycle pending, partial, completed */
  const char *industry;           /* NULL: cycle */
  const char *source;             /* NULL: "fixture" */
  gboolean    no_email;
} BrtLeadSpec;

/* One lead object as JSON text, id given. */
char        *brt_lead_json             (const char        *id,
                                        guint              index,
                                        const BrtLeadSpec *spec);
/* Imports @n generated leads (fresh UUIDs) and returns their ids
 * (char *, owned by the array, in order). */
GPtrArray   *brt_import_leads          (BrtDaemon         *daemon,
                                        guint              n,
                                        const BrtLeadSpec *spec);
/* `["id", ...]` */
char        *brt_ids_json              (GPtrArray         *ids);

/* HTTP with an expected status (asserted); returns the body as an object
 * (transfer full), or NULL when it is not a JSON object. */
JsonObject  *brt_request               (BrtDaemon         *daemon,
                                        const char        *method,
                                        const char        *path,
                                        const char        *body,
                                        guint              expected_status);
/* Same for a body that is a JSON array. */
JsonArray   *brt_request_array         (BrtDaemon         *daemon,
                                        const char        *method,
                                        const char        *path,
                                        const char        *body,
                                        guint              expected_status);
/* Asserts an error answer: status, `error` code and, if given, that
 * `detail` starts with @detail_prefix (or contains it when it starts with '*'). */
void         brt_assert_error          (BrtDaemon         *daemon,
                                        const char        *method,
                                        const char        *path,
                                        const char        *body,
                                        guint              expected_status,
                                        const char        *code,
                                        const char        *detail_prefix);

typedef struct
{
  guint   status;
  GBytes *body;
  char   *content_type;
  char   *allow;
  char   *www_authenticate;
} BrtResponse;

/* Raw HTTP: any body bytes, any token, headers of interest kept. */
BrtResponse *brt_http_raw              (BrtDaemon         *daemon,
                                        const char        *token,
                                        const char        *method,
                                        const char        *path,
                                        const void        *body,
                                        gssize             len);
void         brt_response_free         (BrtResponse       *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrtResponse, brt_response_free)

/* Batches */
JsonObject  *brt_preview               (BrtDaemon         *daemon,
                                        GPtrArray         *ids,
                                        const char        *template_version);
/* Previews @ids and starts a batch at the previewed price. @extra: more
 * members for the start body, as JSON text without braces
 * (`"max_concurrent": 2, "retry_failed": false`), or NULL. Returns the id. */
char        *brt_start_batch           (BrtDaemon         *daemon,
                                        GPtrArray         *ids,
                                        const char        *extra);
JsonObject  *brt_get_batch             (BrtDaemon         *daemon,
                                        const char        *batch_id);
/* Polls GET /batch/{id} until its status is one of @statuses ("a|b|c");
 * fails the test after @timeout_ms. Returns the batch (transfer full). */
JsonObject  *brt_wait_batch_status     (BrtDaemon         *daemon,
                                        const char        *batch_id,
                                        const char        *statuses,
                                        guint              timeout_ms);
/* Every LeadResult row of the batch (paged through), optionally filtered. */
JsonArray   *brt_get_results           (BrtDaemon         *daemon,
                                        const char        *batch_id,
                                        const char        *status);
/* total_count of GET /batch/{id}/leads?status=... */
gint64       brt_count_results         (BrtDaemon         *daemon,
                                        const char        *batch_id,
                                        const char        *status);
JsonObject  *brt_find_result           (JsonArray         *results,
                                        const char        *lead_id);
/* The batch's counters equal what its lead rows say; returns the batch. */
JsonObject  *brt_assert_counters_match_rows (BrtDaemon    *daemon,
                                        const char        *batch_id);

/* Calls @condition every @poll_ms (and not more often) until it holds or
 * @timeout_ms pass; returns whether it held. */
gboolean     brt_poll_until            (gboolean         (*condition) (gpointer),
                                        gpointer           data,
                                        guint              timeout_ms,
                                        guint              poll_ms);
/* Runs the main context for @ms (lets events arrive; not a wait for a condition). */
void         brt_run_for               (guint              ms);

/* JSON shorthands with the member's presence asserted. */
const char  *brt_str                   (JsonObject        *obj,
                                        const char        *member);
gint64       brt_int                   (JsonObject        *obj,
                                        const char        *member);
double       brt_num                   (JsonObject        *obj,
                                        const char        *member);
/* Parses an ISO 8601 timestamp into unix µs. */
gint64       brt_parse_time            (const char        *iso);

/* A WebSocket on /events, subscribed (since NULL → null); waits for the
 * snapshot or, with @since, for nothing. */
BrtWs       *brt_events_connect        (BrtDaemon         *daemon,
                                        const char        *since);
/* Sends a ping and waits for the pong: everything the server sent before
 * it is then in the log. */
void         brt_ws_sync               (BrtWs             *ws);

/* A copy of the shipped rate card in @dir with every provider's rate
 * limit lifted (the same prices), for tests that process many leads with
 * the report or exec processor; but @provider, if given, limited to @rpm
 * requests per minute. Returns its path. */
char        *brt_rate_card             (const char        *dir,
                                        const char        *provider,
                                        guint              rpm);

/* Whether @pid runs (a zombie does not: nobody may reap it here). */
gboolean     brt_process_alive         (int                pid);

/* A temporary folder removed at the end of the test. */
char        *brt_make_tmp_dir          (void);
void         brt_remove_tree           (const char        *path);

G_END_DECLS
