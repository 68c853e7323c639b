/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "brt-daemon.h"

G_BEGIN_DECLS

/* Shared by the benchmarks in bench/: timing and percentiles, a minimal
 * HTTP/1.1 keep-alive client on a plain loopback socket (so the client
 * adds microseconds, not a SoupSession's main-loop round trips, to what
 * we measure), lead generation and the preview → start sequence, and a
 * light /events WebSocket client.
 *
 * Every program prints its own figures, then one machine-readable line
 * per figure for bench/run.sh:
 *   RESULT<TAB>bench<TAB>metric<TAB>measured<TAB>target<TAB>met
 * Targets are reported, never asserted: a program exits non-zero only
 * when something failed (an HTTP error, a timeout, a daemon that did not
 * start). */

#define BENCH_ERROR (bench_error_quark ())
GQuark      bench_error_quark        (void);

/* Time ----------------------------------------------------------------------- */

gint64      bench_now_us             (void);
/* Iterates the default main context for @ms milliseconds. */
void        bench_sleep_ms           (guint        ms);

/* Samples in microseconds. Nearest-rank percentiles of a sorted copy. */
typedef struct
{
  guint  n;
  double min_ms;
  double mean_ms;
  double p50_ms;
  double p95_ms;
  double p99_ms;
  double max_ms;
} BenchStats;

void        bench_stats_compute      (GArray      *samples_us,   /* gint64 */
                                      BenchStats  *out);
void        bench_stats_print        (const char  *label,
                                      GArray      *samples_us);
void        bench_result             (const char  *bench,
                                      const char  *metric,
                                      const char  *target,
                                      const char  *met,
                                      const char  *format,
                                      ...) G_GNUC_PRINTF (5, 6);
/* "yes" / "no" for a figure against a target. */
const char *bench_met                (gboolean     ok);

/* The daemon ----------------------------------------------------------------- */

/* Starts batch-runnerd (BRD_BIN, or the one this build made) with @args
 * added to brt-daemon's loopback/temp-DB ones; exits the program with a
 * message when it does not start. */
BrtDaemon  *bench_daemon_start       (const char * const *args);
/* The daemon's pid (a child of this process), or 0. */
int         bench_daemon_pid         (void);
/* CPU seconds (user + system) the process has used so far, or -1. */
double      bench_process_cpu_s      (int          pid);
/* Tells bench/profile.sh (on stderr) that the measured part begins, and
 * takes a snapshot of /proc/stat; bench_measure_end prints how busy the
 * whole machine was meanwhile (all processes, ours too) and how much
 * time the hypervisor stole: the noise next to each figure. */
void        bench_measure_begin      (const char  *what);
void        bench_measure_end        (void);
/* The machine, once, for the record. */
void        bench_print_machine      (void);

/* A keep-alive HTTP/1.1 connection to the daemon ------------------------------ */

typedef struct _BenchConn BenchConn;

BenchConn  *bench_conn_new           (BrtDaemon   *daemon,
                                      GError     **error);
void        bench_conn_free          (BenchConn   *conn);
int         bench_conn_get_fd        (BenchConn   *conn);
void        bench_conn_set_nonblocking (BenchConn *conn,
                                      gboolean     nonblocking);
/* Writes the whole request (blocking; a request is small). */
gboolean    bench_conn_send          (BenchConn   *conn,
                                      const char  *method,
                                      const char  *path,
                                      const char  *body,
                                      GError     **error);
/* Reads what is available (blocking or not, as set). FALSE on EOF or
 * error; TRUE with nothing read when it would block. */
gboolean    bench_conn_read          (BenchConn   *conn,
                                      GError     **error);
/* TRUE when a whole response is buffered; then @status and the body
 * (valid until bench_conn_consume) are set. */
gboolean    bench_conn_response_ready (BenchConn  *conn,
                                      guint       *status,
                                      const char **body,
                                      gsize       *body_len,
                                      GError     **error);
/* Reads (polling, up to @timeout_ms) until a whole response is there. */
gboolean    bench_conn_wait_response (BenchConn   *conn,
                                      guint        timeout_ms,
                                      guint       *status,
                                      const char **body,
                                      gsize       *body_len,
                                      GError     **error);
void        bench_conn_consume       (BenchConn   *conn);
/* Send + wait + parse: the body as JSON (NULL if empty or not JSON). */
JsonNode   *bench_conn_request       (BenchConn   *conn,
                                      const char  *method,
                                      const char  *path,
                                      const char  *body,
                                      guint       *status,
                                      GError     **error);
/* As bench_conn_request, but a non-2xx status is an error. */
JsonNode   *bench_conn_request_ok    (BenchConn   *conn,
                                      const char  *method,
                                      const char  *path,
                                      const char  *body,
                                      GError     **error);

/* Leads and batches ----------------------------------------------------------- */

/* Imports @n generated leads in chunks of 1,000 through POST /leads and
 * returns their ids (char *, owned). All leads have the same shape, so
 * they cost the same. */
GPtrArray  *bench_import_leads       (BenchConn   *conn,
                                      guint        n,
                                      GError     **error);
/* `["id", ...]` of ids[from .. from + n). */
char       *bench_ids_json           (GPtrArray   *ids,
                                      guint        from,
                                      guint        n);
/* POST /batch/preview; returns the estimate through @estimate. */
gboolean    bench_preview            (BenchConn   *conn,
                                      GPtrArray   *ids,
                                      guint        from,
                                      guint        n,
                                      double      *estimate,
                                      GError     **error);
/* POST /batch/start with the approved @estimate; returns the batch id. */
char       *bench_start_batch        (BenchConn   *conn,
                                      GPtrArray   *ids,
                                      guint        from,
                                      guint        n,
                                      double       estimate,
                                      int          max_concurrent,
                                      gboolean     retry_failed,
                                      int          retry_count,
                                      GError     **error);
/* GET /batch/{id} (transfer full). */
JsonObject *bench_get_batch          (BenchConn   *conn,
                                      const char  *id,
                                      GError     **error);
/* Polls until no batch is pending or running, up to @timeout_ms. */
gboolean    bench_wait_idle          (BenchConn   *conn,
                                      guint        timeout_ms,
                                      GError     **error);

/* /events --------------------------------------------------------------------- */

typedef void (*BenchFeedFunc) (guint       client,
                               const char *text,
                               gsize       len,
                               gint64      received_us,
                               gpointer    user_data);

typedef struct _BenchFeed BenchFeed;

/* Starts connecting @n clients to /events on @session (at most
 * @parallel handshakes at a time); each sends `subscribe` once open.
 * Returns when all have received their snapshot, or FALSE on error or
 * after @timeout_ms. Every text message goes to @func. */
BenchFeed  *bench_feed_connect       (BrtDaemon    *daemon,
                                      SoupSession  *session,
                                      guint         n,
                                      guint         parallel,
                                      BenchFeedFunc func,
                                      gpointer      user_data,
                                      guint         timeout_ms,
                                      GError      **error);
guint       bench_feed_get_n_open    (BenchFeed    *feed);
void        bench_feed_free          (BenchFeed    *feed);

/* Follows batches to their end on a /events feed: use
 * bench_watch_feed_func as the feed's function and the watch as its data. */
typedef struct
{
  GHashTable *seen;            /* id → terminal status (owned), every batch */
  GHashTable *wanted;          /* id → NULL, the ones we wait for */
  guint       n_terminal;      /* of the wanted ones */
  gint64      last_terminal_us;
  guint       n_messages;
} BenchWatch;

void        bench_watch_init         (BenchWatch   *watch);
void        bench_watch_add          (BenchWatch   *watch,
                                      const char   *batch_id,
                                      gint64        now_us);
void        bench_watch_feed_func    (guint         client,
                                      const char   *text,
                                      gsize         len,
                                      gint64        received_us,
                                      gpointer      user_data);
/* Iterates the main context until every wanted batch ended, or FALSE
 * after @timeout_ms. */
gboolean    bench_watch_wait         (BenchWatch   *watch,
                                      guint         timeout_ms);
void        bench_watch_clear        (BenchWatch   *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchConn, bench_conn_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchFeed, bench_feed_free)

G_END_DECLS
