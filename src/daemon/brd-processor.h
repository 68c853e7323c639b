/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "brd-lead.h"

G_BEGIN_DECLS

/* What "process a lead" means, pluggable (DESIGN.md, "Processors"):
 *  - noop:   succeeds at once at zero cost (benchmarks, engine tests);
 *  - report: renders a real per-lead assessment report (PDF drawn with
 *            Cairo + a JSON summary) into the reports folder, in a thread;
 *  - exec:   runs a command per lead, lead JSON on stdin, result JSON on
 *            stdout; see docs/exec-processor.md.
 * The engine calls run_async on the main thread; the callback comes back
 * on the main thread. Cancelling the GCancellable (from any thread) stops
 * the work (exec: the command's process group is terminated; a job
 * cancelled before it starts never starts) and finishes with
 * G_IO_ERROR_CANCELLED. Every result has duration_ms, failures too. */

typedef struct
{
  BrdLead    *lead;              /* owned copy */
  char       *batch_id;
  char       *batch_name;
  char       *template_version;
  char       *template_name;
  guint       attempt;           /* 1 for the first try */
  JsonObject *expected_costs;    /* provider → USD plus "base", "overhead" (owned ref) */
  double      expected_total;    /* sum of expected_costs */
} BrdJob;

typedef struct
{
  gboolean    success;
  char       *report_url;        /* file:// URL or whatever exec returned */
  JsonObject *cost_breakdown;    /* provider → USD (owned ref), never NULL */
  double      cost_usd;          /* sum of cost_breakdown */
  double      quality_score;     /* 0..1, or -1 when unknown */
  char       *error_code;        /* on failure: EXIT_<n>, TIMEOUT, BAD_OUTPUT, INVALID_LEAD, ... */
  char       *error_message;     /* on failure: a sentence (+ stderr tail for exec) */
  gint64      duration_ms;
} BrdJobResult;

typedef enum
{
  BRD_PROCESSOR_NOOP,
  BRD_PROCESSOR_REPORT,
  BRD_PROCESSOR_EXEC,
} BrdProcessorKind;

typedef struct _BrdProcessor BrdProcessor;

BrdJob        *brd_job_new                 (void);
void           brd_job_free                (BrdJob          *job);
void           brd_job_result_free         (BrdJobResult    *result);

/* @exec_command is split with g_shell_parse_argv; @reports_dir is created
 * if missing. Fails (e.g. unparsable command) with @error. */
BrdProcessor  *brd_processor_new           (BrdProcessorKind  kind,
                                            const char       *reports_dir,
                                            const char       *exec_command,
                                            double            exec_timeout_seconds,
                                            GError          **error);
void           brd_processor_free          (BrdProcessor     *self);
BrdProcessorKind brd_processor_get_kind    (BrdProcessor     *self);

/* Takes ownership of @job. A lead that cannot be processed is a successful
 * call whose result has success == FALSE; only cancellation is a GError. */
void           brd_processor_run_async     (BrdProcessor     *self,
                                            BrdJob           *job,
                                            GCancellable     *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer          user_data);
BrdJobResult  *brd_processor_run_finish    (BrdProcessor     *self,
                                            GAsyncResult     *result,
                                            GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrdJob, brd_job_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrdJobResult, brd_job_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrdProcessor, brd_processor_free)

G_END_DECLS
