/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-processor"

#include "config.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <gio/gunixoutputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "brd-http.h"
#include "brd-json.h"
#include "brd-processor.h"

#define MAX_STDOUT         (1024 * 1024)
#define STDERR_TAIL        2048
#define MAX_ERROR_MESSAGE  2048   /* bytes of a message the command reports */
#define KILL_GRACE_MS      2000   /* SIGTERM → SIGKILL */
#define PIPE_GRACE_MS      500    /* command exited → stop reading its pipes */
#define GROUP_POLL_MS      50
#define MAX_VARIANCE       0.04

struct _BrdProcessor
{
  BrdProcessorKind  kind;
  char             *reports_dir;
  GStrv             argv;
  double            timeout;
};

BrdJob *
brd_job_new (void)
{
  return g_new0 (BrdJob, 1);
}

void
brd_job_free (BrdJob *job)
{
  if (job == NULL)
    return;
  brd_lead_free (job->lead);
  g_free (job->batch_id);
  g_free (job->batch_name);
  g_free (job->template_version);
  g_free (job->template_name);
  g_clear_pointer (&job->expected_costs, json_object_unref);
  g_free (job);
}

void
brd_job_result_free (BrdJobResult *result)
{
  if (result == NULL)
    return;
  g_free (result->report_url);
  g_clear_pointer (&result->cost_breakdown, json_object_unref);
  g_free (result->error_code);
  g_free (result->error_message);
  g_free (result);
}

static BrdJobResult *
result_new (void)
{
  BrdJobResult *r = g_new0 (BrdJobResult, 1);

  r->cost_breakdown = json_object_new ();
  r->quality_score = -1;
  return r;
}

static BrdJobResult *
result_failed (const char *code,
               char       *message)
{
  BrdJobResult *r = result_new ();

  r->success = FALSE;
  r->error_code = g_strdup (code);
  r->error_message = message;
  return r;
}

BrdProcessor *
brd_processor_new (BrdProcessorKind   kind,
                   const char        *reports_dir,
                   const char        *exec_command,
                   double             exec_timeout_seconds,
                   GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  BrdProcessor *self = g_new0 (BrdProcessor, 1);

  self->kind = kind;
  self->reports_dir = g_strdup (reports_dir);
  self->timeout = exec_timeout_seconds > 0 ? exec_timeout_seconds : 60;

  if (kind == BRD_PROCESSOR_EXEC)
    {
      /* A command that exits without reading its stdin closes the pipe we
       * write the lead into; SIGPIPE would kill the whole service for it.
       * Ignored, the write fails with EPIPE, which write_done_cb accepts. */
      signal (SIGPIPE, SIG_IGN);

      if (exec_command == NULL || !g_shell_parse_argv (exec_command, NULL, &self->argv, &local_error))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Invalid --exec-command: %s",
                       local_error ? local_error->message : "none given");
          brd_processor_free (self);
          return NULL;
        }
    }

  if (kind == BRD_PROCESSOR_REPORT && reports_dir != NULL && g_mkdir_with_parents (reports_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot create the reports folder %s: %s",
                   reports_dir, g_strerror (saved));
      brd_processor_free (self);
      return NULL;
    }

  return self;
}

void
brd_processor_free (BrdProcessor *self)
{
  if (self == NULL)
    return;
  g_free (self->reports_dir);
  g_strfreev (self->argv);
  g_free (self);
}

BrdProcessorKind
brd_processor_get_kind (BrdProcessor *self)
{
  return self->kind;
}

/* Report ------------------------------------------------------------------ */

/* Providers bill within a few percent of list price; the variance is a
 * deterministic function of (lead, provider), so a redo costs the same. */
static double
billing_factor (const char *lead_id,
                const char *provider)
{
  g_autofree char *key = g_strconcat (lead_id, "/", provider, NULL);
  guint h = g_str_hash (key);

  return 1.0 + MAX_VARIANCE * (((h % 20001) / 10000.0) - 1.0);
}

/* The quality score is the sum of these components' points (out of 100).
 * The PDF draws one bar per component and the JSON summary lists them, so
 * the score, the chart and the summary are one set of numbers. */
typedef struct
{
  const char *name;
  int         points;
  int         max_points;
} Component;

#define N_COMPONENTS 4

static int
assess (const BrdLead *lead,
        Component      components[N_COMPONENTS])
{
  gboolean has_domain = lead->domain != NULL && *lead->domain;
  gboolean has_email = lead->email != NULL && *lead->email;
  gboolean has_contact = lead->contact_name != NULL && *lead->contact_name;
  gboolean has_industry = lead->industry != NULL && *lead->industry;
  int enrichment = g_strcmp0 (lead->enrichment_status, "completed") == 0 ? 30
                   : g_strcmp0 (lead->enrichment_status, "partial") == 0 ? 15 : 0;
  int total = 0;

  components[0] = (Component) { "Reachability", has_domain ? 30 : 0, 30 };
  components[1] = (Component) { "Contact", (has_email ? 18 : 0) + (has_contact ? 12 : 0), 30 };
  components[2] = (Component) { "Industry", has_industry ? 10 : 0, 10 };
  components[3] = (Component) { "Enrichment", enrichment, 30 };
  for (guint i = 0; i < N_COMPONENTS; i++)
    total += components[i].points;
  return total;
}

static void
text_at (cairo_t    *cr,
         double      x,
         double      y,
         double      size,
         gboolean    bold,
         const char *text)
{
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                          bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
  cairo_move_to (cr, x, y);
  cairo_show_text (cr, text ? text : "—");
}

static gboolean
render_pdf (const BrdJob     *job,
            const char       *path,
            int               score_points,
            const Component  *components,
            JsonObject       *costs,
            GError          **error)
{
  const BrdLead *lead = job->lead;
  cairo_surface_t *surface = cairo_pdf_surface_create (path, 595.28, 841.89);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *now = brd_http_now_iso8601 ();
  g_autofree char *score = g_strdup_printf ("%d / 100", score_points);
  g_autoptr(GList) members = json_object_get_members (costs);
  const char *facts[][2] = {
    { "Domain", lead->domain }, { "Contact", lead->contact_name }, { "Email", lead->email },
    { "Industry", lead->industry }, { "Source", lead->source }, { "Enrichment", lead->enrichment_status },
  };
  double y;
  cairo_status_t status;

  /* Header band */
  cairo_set_source_rgb (cr, 0.11, 0.31, 0.58);
  cairo_rectangle (cr, 0, 0, 595.28, 90);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  text_at (cr, 40, 45, 22, TRUE, lead->company_name);
  text_at (cr, 40, 70, 11, FALSE, "Lead assessment report");

  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  text_at (cr, 40, 125, 14, TRUE, "Lead");
  y = 148;
  for (guint i = 0; i < G_N_ELEMENTS (facts); i++, y += 18)
    {
      cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
      text_at (cr, 40, y, 10, FALSE, facts[i][0]);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      text_at (cr, 150, y, 10, FALSE, facts[i][1]);
    }

  y += 20;
  text_at (cr, 40, y, 14, TRUE, "Assessment");
  y += 24;
  text_at (cr, 40, y, 10, FALSE, "Quality score");
  text_at (cr, 150, y, 10, TRUE, score);
  y += 20;
  /* One bar per component, filled to its points out of its maximum, the
   * points written next to it: they add up to the score above. */
  for (guint i = 0; i < N_COMPONENTS; i++, y += 22)
    {
      g_autofree char *points = g_strdup_printf ("%d / %d", components[i].points, components[i].max_points);

      cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
      text_at (cr, 40, y + 10, 10, FALSE, components[i].name);
      cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
      cairo_rectangle (cr, 150, y, 300, 12);
      cairo_fill (cr);
      if (components[i].points > 0)
        {
          cairo_set_source_rgb (cr, 0.18, 0.55, 0.34);
          cairo_rectangle (cr, 150, y, 300.0 * components[i].points / components[i].max_points, 12);
          cairo_fill (cr);
        }
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      text_at (cr, 460, y + 10, 10, FALSE, points);
    }

  y += 20;
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  text_at (cr, 40, y, 14, TRUE, "Cost (USD)");
  y += 22;
  for (GList *l = members; l; l = l->next, y += 16)
    {
      g_autofree char *amount = g_strdup_printf ("%.4f", json_object_get_double_member (costs, l->data));
      text_at (cr, 40, y, 10, FALSE, l->data);
      text_at (cr, 250, y, 10, FALSE, amount);
    }

  cairo_set_source_rgb (cr, 0.45, 0.45, 0.45);
  {
    g_autofree char *footer = g_strdup_printf ("Batch %s (%s) · template %s · %s",
                                               job->batch_name ? job->batch_name : "", job->batch_id,
                                               job->template_version ? job->template_version : "v1", now);
    text_at (cr, 40, 810, 8, FALSE, footer);
  }

  cairo_show_page (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s: %s", path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

/* Every result, a failure as much as a success, says how long the lead
 * took: from the start of the run (waiting for a worker thread included)
 * to its result. */
static void
return_result (GTask        *task,
               gint64        start,
               BrdJobResult *r)
{
  r->duration_ms = (g_get_monotonic_time () - start) / 1000;
  g_task_return_pointer (task, r, (GDestroyNotify) brd_job_result_free);
}

typedef struct
{
  BrdProcessor *self;
  BrdJob       *job;
  gint64        start;
} Work;

static void
work_free (Work *w)
{
  brd_job_free (w->job);
  g_free (w);
}

static void
report_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  Work *w = data;
  const BrdJob *job = w->job;
  const BrdLead *lead = job->lead;
  g_autofree char *dir = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *pdf_tmp = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_tmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) summary = NULL;
  g_autofree char *summary_text = NULL;
  g_autofree char *now = brd_http_now_iso8601 ();
  Component components[N_COMPONENTS];
  BrdJobResult *r;
  int score_points;
  GList *members;

  if (lead->domain != NULL && g_str_has_prefix (lead->domain, "unreachable-"))
    {
      r = result_failed ("DOMAIN_UNREACHABLE",
                         g_strdup_printf ("The domain %s did not answer (DNS lookup failed)", lead->domain));
      return_result (task, w->start, r);
      return;
    }
  if ((lead->domain == NULL || !*lead->domain) && (lead->email == NULL || !*lead->email))
    {
      r = result_failed ("INVALID_LEAD", g_strdup ("The lead has neither a domain nor an email address"));
      return_result (task, w->start, r);
      return;
    }

  r = result_new ();
  members = job->expected_costs ? json_object_get_members (job->expected_costs) : NULL;
  for (GList *l = members; l; l = l->next)
    {
      const char *key = l->data;
      double v = json_object_get_double_member (job->expected_costs, key);

      if (!g_str_equal (key, "base") && !g_str_equal (key, "overhead"))
        v *= billing_factor (lead->id, key);
      json_object_set_double_member (r->cost_breakdown, key, v);
      r->cost_usd += v;
    }
  g_list_free (members);

  score_points = assess (lead, components);
  dir = g_build_filename (w->self->reports_dir, job->batch_id, NULL);
  pdf = g_strdup_printf ("%s/%s.pdf", dir, lead->id);
  json = g_strdup_printf ("%s/%s.json", dir, lead->id);
  pdf_tmp = g_strconcat (pdf, ".part", NULL);
  json_tmp = g_strconcat (json, ".part", NULL);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      brd_job_result_free (r);
      r = result_failed ("REPORT_WRITE_FAILED", g_strdup_printf ("Cannot create %s: %s", dir, g_strerror (saved)));
      return_result (task, w->start, r);
      return;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    goto cancelled;

  /* Written under a temporary name and renamed: a crash and redo never
   * leaves half a report, and the redo replaces it whole. */
  if (!render_pdf (job, pdf_tmp, score_points, components, r->cost_breakdown, &error))
    goto write_failed;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "lead");
  json_builder_add_value (b, brd_lead_to_json (lead));
  json_builder_set_member_name (b, "batch_id");
  json_builder_add_string_value (b, job->batch_id);
  json_builder_set_member_name (b, "template_version");
  json_builder_add_string_value (b, job->template_version ? job->template_version : "v1");
  json_builder_set_member_name (b, "quality_score");
  json_builder_add_double_value (b, score_points / 100.0);
  json_builder_set_member_name (b, "quality_components");
  json_builder_begin_array (b);
  for (guint i = 0; i < N_COMPONENTS; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, components[i].name);
      json_builder_set_member_name (b, "points");
      json_builder_add_int_value (b, components[i].points);
      json_builder_set_member_name (b, "max_points");
      json_builder_add_int_value (b, components[i].max_points);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "cost_breakdown");
  json_builder_add_value (b, json_node_init_object (json_node_alloc (), r->cost_breakdown));
  json_builder_set_member_name (b, "generated_at");
  json_builder_add_string_value (b, now);
  json_builder_end_object (b);
  summary = json_builder_get_root (b);
  json_generator_set_root (gen, summary);
  json_generator_set_pretty (gen, TRUE);
  summary_text = json_generator_to_data (gen, NULL);
  if (!g_file_set_contents (json_tmp, summary_text, -1, &error))
    goto write_failed;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    goto cancelled;

  if (g_rename (pdf_tmp, pdf) != 0 || g_rename (json_tmp, json) != 0)
    {
      int saved = errno;
      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot rename the report: %s", g_strerror (saved));
      goto write_failed;
    }

  r->success = TRUE;
  r->quality_score = score_points / 100.0;
  r->report_url = g_filename_to_uri (pdf, NULL, NULL);
  return_result (task, w->start, r);
  return;

write_failed:
  g_unlink (pdf_tmp);
  g_unlink (json_tmp);
  brd_job_result_free (r);
  r = result_failed ("REPORT_WRITE_FAILED", g_strdup (error->message));
  return_result (task, w->start, r);
  return;

cancelled:
  g_unlink (pdf_tmp);
  g_unlink (json_tmp);
  brd_job_result_free (r);
  g_task_return_error (task, g_steal_pointer (&error));
}

/* Exec --------------------------------------------------------------------- */

/* One run of the command. It ends (exec_maybe_finish) when the command has
 * exited, both output pipes are closed and, if it was stopped, its process
 * group is gone; every source and callback that points here is removed or
 * has fired by then. */
typedef struct
{
  GTask        *task;
  GSubprocess  *proc;
  pid_t         pgid;              /* the command's process group */
  GCancellable *io;                /* our reads and the stdin write */
  GSource      *cancel_source;     /* the task's cancellation, on our context */
  GString      *out;
  GString      *err;
  guint         timeout_source;
  guint         kill_source;
  guint         group_poll_source;
  guint         pipe_grace_source;
  gboolean      exited;
  gboolean      stdout_closed;
  gboolean      stderr_closed;
  gboolean      terminating;       /* SIGTERM sent to the group */
  gboolean      group_pending;     /* ... and the group may still be alive */
  gboolean      timed_out;
  gboolean      cancelled;
  gboolean      out_too_big;
  gint64        start;
  double        timeout;
} Exec;

static void
exec_free (Exec *e)
{
  g_clear_handle_id (&e->timeout_source, g_source_remove);
  g_clear_handle_id (&e->kill_source, g_source_remove);
  g_clear_handle_id (&e->group_poll_source, g_source_remove);
  g_clear_handle_id (&e->pipe_grace_source, g_source_remove);
  if (e->cancel_source != NULL)
    {
      g_source_destroy (e->cancel_source);
      g_source_unref (e->cancel_source);
    }
  g_clear_object (&e->io);
  g_clear_object (&e->proc);
  g_clear_object (&e->task);
  g_string_free (e->out, TRUE);
  g_string_free (e->err, TRUE);
  g_free (e);
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void
child_setup (gpointer data)
{
  /* Its own process group: a timeout or a cancel stops everything the
   * command started (`a | b`, `cmd &`), not only the command. */
  setpgid (0, 0);
  /* Children die with the daemon: no orphaned pipelines after a crash. If
   * the daemon died before this line, nothing would send the signal. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != (pid_t) GPOINTER_TO_INT (data))
    _exit (127);
}

static char *
stderr_tail (Exec *e)
{
  const char *s = e->err->str;
  gsize len = e->err->len;
  g_autofree char *tail = NULL;

  if (len > STDERR_TAIL)
    {
      s += len - STDERR_TAIL;
      len = STDERR_TAIL;
    }
  tail = g_utf8_make_valid (s, len);
  g_strstrip (tail);
  return g_steal_pointer (&tail);
}

static char *
with_tail (Exec       *e,
           const char *message)
{
  g_autofree char *tail = stderr_tail (e);

  if (*tail == '\0')
    return g_strdup (message);
  return g_strdup_printf ("%s; stderr: %s", message, tail);
}

static gboolean
valid_code (const char *code)
{
  if (code == NULL || *code == '\0' || strlen (code) > 64)
    return FALSE;
  for (const char *p = code; *p; p++)
    if (!g_ascii_isupper (*p) && !g_ascii_isdigit (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

/* A member that is missing or null is "not given". */
static JsonNode *
given_member (JsonObject *obj,
              const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

static gboolean
holds_type (JsonNode *node,
            GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
holds_number (JsonNode *node)
{
  return holds_type (node, G_TYPE_INT64) || holds_type (node, G_TYPE_DOUBLE);
}

/* A message from the command is stored and shown: keep it to a size. */
static char *
bounded_message (const char *message)
{
  const char *cut;

  if (strlen (message) <= MAX_ERROR_MESSAGE)
    return g_strdup (message);
  cut = g_utf8_find_prev_char (message, message + MAX_ERROR_MESSAGE + 1);
  return g_strdup_printf ("%.*s…", (int) (cut - message), message);
}

/* Turns a finished command into a result. Exit 0 with a valid document
 * (or nothing at all) is success; everything else is a failure that says
 * which rule it broke. Every member is type-checked before it is read. */
static BrdJobResult *
exec_result (Exec *e)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(BrdJobResult) r = NULL;
  const char *doc = e->out->str;
  gsize len = e->out->len;
  JsonObject *obj;
  JsonNode *node;
  JsonNode *success;
  JsonNode *code;
  JsonNode *message;

  if (e->out_too_big)
    return result_failed ("BAD_OUTPUT", with_tail (e, "The command printed more than 1 MiB on standard output"));

  if (e->timed_out)
    {
      g_autofree char *msg = g_strdup_printf ("The command did not finish within %g s", e->timeout);
      return result_failed ("TIMEOUT", with_tail (e, msg));
    }

  if (g_subprocess_get_if_signaled (e->proc))
    {
      int sig = g_subprocess_get_term_sig (e->proc);
      g_autofree char *msg = g_strdup_printf ("The command was killed by signal %d", sig);
      g_autofree char *code_text = g_strdup_printf ("SIGNAL_%d", sig);
      return result_failed (code_text, with_tail (e, msg));
    }

  if (g_subprocess_get_exit_status (e->proc) != 0)
    {
      int status = g_subprocess_get_exit_status (e->proc);
      g_autofree char *msg = g_strdup_printf ("The command exited with status %d", status);
      g_autofree char *code_text = g_strdup_printf ("EXIT_%d", status);
      return result_failed (code_text, with_tail (e, msg));
    }

  /* JSON whitespace around the document is fine; a NUL byte is not. */
  while (len > 0 && strchr (" \t\r\n", doc[0]) != NULL && doc[0] != '\0')
    doc++, len--;
  while (len > 0 && strchr (" \t\r\n", doc[len - 1]) != NULL && doc[len - 1] != '\0')
    len--;

  r = result_new ();
  if (len == 0)
    {
      /* Nothing to say is fine: a command that only does its work. */
      r->success = TRUE;
      return g_steal_pointer (&r);
    }

  /* The strict parser: the command's output is untrusted, and json-glib's
   * own parser recurses without bound (deep nesting would crash us). */
  root = brd_json_parse (doc, len, &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autofree char *msg = g_strdup_printf ("The command's output is not a JSON object (%s)",
                                              error ? error->message : "another JSON value");
      return result_failed ("BAD_OUTPUT", with_tail (e, msg));
    }
  obj = json_node_get_object (root);

#define BAD(msg) G_STMT_START { return result_failed ("BAD_OUTPUT", with_tail (e, msg)); } G_STMT_END

  success = given_member (obj, "success");
  if (success != NULL && !holds_type (success, G_TYPE_BOOLEAN))
    BAD ("success must be true or false");
  code = given_member (obj, "error_code");
  if (code != NULL && !holds_type (code, G_TYPE_STRING))
    BAD ("error_code must be a string");
  message = given_member (obj, "error_message");
  if (message != NULL && !holds_type (message, G_TYPE_STRING))
    BAD ("error_message must be a string");

  if ((node = given_member (obj, "report_url")) != NULL)
    {
      if (!holds_type (node, G_TYPE_STRING))
        BAD ("report_url must be a string");
      r->report_url = g_strdup (json_node_get_string (node));
    }

  if ((node = given_member (obj, "quality_score")) != NULL)
    {
      double q;

      if (!holds_number (node))
        BAD ("quality_score must be a number from 0 to 1");
      q = json_node_get_double (node);
      if (!(q >= 0 && q <= 1))
        BAD ("quality_score must be a number from 0 to 1");
      r->quality_score = q;
    }

  if ((node = given_member (obj, "cost_breakdown")) != NULL)
    {
      g_autoptr(GList) members = NULL;
      JsonObject *costs;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        BAD ("cost_breakdown must be an object of provider → USD");
      costs = json_node_get_object (node);
      members = json_object_get_members (costs);
      for (GList *l = members; l; l = l->next)
        {
          JsonNode *v = json_object_get_member (costs, l->data);
          double usd;

          if (!holds_number (v))
            BAD ("every cost_breakdown value must be a number");
          usd = json_node_get_double (v);
          if (!isfinite (usd) || usd < 0)
            BAD ("cost_breakdown values must be finite and not negative");
          json_object_set_double_member (r->cost_breakdown, l->data, usd);
          r->cost_usd += usd;
        }
      if (!isfinite (r->cost_usd))
        BAD ("the cost_breakdown values add up to more than a double holds");
    }

#undef BAD

  if (success != NULL && !json_node_get_boolean (success))
    {
      const char *code_text = code ? json_node_get_string (code) : NULL;
      const char *message_text = message ? json_node_get_string (message) : NULL;

      r->success = FALSE;
      r->error_code = g_strdup (valid_code (code_text) ? code_text : "FAILED");
      r->error_message = bounded_message (message_text && *message_text ? message_text
                                          : "The command reported a failure");
      return g_steal_pointer (&r);
    }

  r->success = TRUE;
  return g_steal_pointer (&r);
}

static void
exec_maybe_finish (Exec *e)
{
  if (!e->exited || !e->stdout_closed || !e->stderr_closed || e->group_pending)
    return;

  /* A stdin write still pending (a background process holds the pipe and
   * reads nothing) is abandoned; its callback closes the pipe. */
  g_cancellable_cancel (e->io);

  if (e->cancelled)
    g_task_return_new_error (e->task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The lead was stopped");
  else
    return_result (e->task, e->start, exec_result (e));
  exec_free (e);
}

/* Signals the command's process group, or the command alone if it has no
 * group of its own. After the command has been reaped, its pid (the group
 * id) stays taken while any member of the group lives; once none is left
 * the kill fails with ESRCH. Only pid numbers wrapping around within the
 * 2.5 s we may still signal could make it another group's. */
static void
signal_group (Exec *e,
              int   sig)
{
  if (e->pgid > 0 && kill (-e->pgid, sig) == 0)
    return;
  if (!e->exited)
    g_subprocess_send_signal (e->proc, sig);
}

static gboolean
group_poll_cb (gpointer data)
{
  Exec *e = data;

  if (e->pgid > 0 && kill (-e->pgid, 0) == 0)
    return G_SOURCE_CONTINUE;

  e->group_poll_source = 0;
  e->group_pending = FALSE;
  g_clear_handle_id (&e->kill_source, g_source_remove);
  exec_maybe_finish (e);
  return G_SOURCE_REMOVE;
}

static gboolean
kill_cb (gpointer data)
{
  Exec *e = data;

  e->kill_source = 0;
  signal_group (e, SIGKILL);
  g_clear_handle_id (&e->group_poll_source, g_source_remove);
  e->group_pending = FALSE;
  exec_maybe_finish (e);
  return G_SOURCE_REMOVE;
}

/* After SIGTERM, the lead ends when the whole group is gone, or at SIGKILL. */
static void
watch_group (Exec *e)
{
  if (e->group_poll_source == 0)
    e->group_poll_source = g_timeout_add (GROUP_POLL_MS, group_poll_cb, e);
}

/* SIGTERM to the group first, SIGKILL to what is left after a grace period. */
static void
terminate (Exec *e)
{
  if (e->terminating)
    return;
  e->terminating = TRUE;
  e->group_pending = TRUE;
  signal_group (e, SIGTERM);
  e->kill_source = g_timeout_add (KILL_GRACE_MS, kill_cb, e);
  if (e->exited)
    watch_group (e);
}

typedef struct
{
  Exec    *exec;
  gboolean is_stdout;
  guint8   buf[16384];
} Reader;

static void read_more (Reader *rd, GInputStream *stream);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reader *rd = user_data;
  Exec *e = rd->exec;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  /* EOF, or our end closed after the grace period (e->io cancelled). */
  if (n <= 0)
    {
      if (rd->is_stdout)
        e->stdout_closed = TRUE;
      else
        e->stderr_closed = TRUE;
      g_free (rd);
      if (e->stdout_closed && e->stderr_closed)
        g_clear_handle_id (&e->pipe_grace_source, g_source_remove);
      exec_maybe_finish (e);
      return;
    }

  if (rd->is_stdout && !e->out_too_big)
    {
      if (e->out->len + n > MAX_STDOUT)
        {
          /* No point in waiting for the rest: stop it now. What it still
           * prints until it is gone is read and dropped. */
          e->out_too_big = TRUE;
          g_string_truncate (e->out, 0);
          terminate (e);
        }
      else
        g_string_append_len (e->out, (const char *) rd->buf, n);
    }
  else if (!rd->is_stdout)
    {
      g_string_append_len (e->err, (const char *) rd->buf, n);
      /* Only the tail matters: keep the buffer small. */
      if (e->err->len > 4 * STDERR_TAIL)
        g_string_erase (e->err, 0, e->err->len - STDERR_TAIL);
    }

  read_more (rd, G_INPUT_STREAM (object));
}

static void
read_more (Reader       *rd,
           GInputStream *stream)
{
  g_input_stream_read_async (stream, rd->buf, sizeof rd->buf, G_PRIORITY_DEFAULT, rd->exec->io, read_cb, rd);
}

static void
start_reader (Exec         *e,
              GInputStream *stream,
              gboolean      is_stdout)
{
  Reader *rd = g_new0 (Reader, 1);

  rd->exec = e;
  rd->is_stdout = is_stdout;
  read_more (rd, stream);
}

static gboolean
pipe_grace_cb (gpointer data)
{
  Exec *e = data;

  /* The command exited but something it started still holds its stdout
   * or stderr: judge the command on what it printed, do not wait. */
  e->pipe_grace_source = 0;
  g_cancellable_cancel (e->io);
  return G_SOURCE_REMOVE;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Exec *e = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  e->exited = TRUE;
  g_clear_handle_id (&e->timeout_source, g_source_remove);
  if (!e->stdout_closed || !e->stderr_closed)
    e->pipe_grace_source = g_timeout_add (PIPE_GRACE_MS, pipe_grace_cb, e);
  if (e->terminating && e->group_pending)
    watch_group (e);
  exec_maybe_finish (e);
}

static gboolean
timeout_cb (gpointer data)
{
  Exec *e = data;

  e->timeout_source = 0;
  e->timed_out = TRUE;
  terminate (e);
  return G_SOURCE_REMOVE;
}

/* A GCancellableSource, not a "cancelled" handler: the cancel may come from
 * any thread, and this source is dispatched on our main context and
 * destroyed with the run, so it never fires for a run that has ended. */
static gboolean
cancel_cb (GCancellable *cancellable,
           gpointer      data)
{
  Exec *e = data;

  e->cancelled = TRUE;
  terminate (e);
  return G_SOURCE_REMOVE;
}

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A command that does not read its stdin is its own business: EPIPE
   * (SIGPIPE is ignored) and a cancelled write are both fine. */
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error);
  g_output_stream_close (G_OUTPUT_STREAM (object), NULL, NULL);
  g_bytes_unref (user_data);
}

static void
run_exec (BrdProcessor *self,
          BrdJob       *job,
          GTask        *task,
          gint64        start)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *attempt = g_strdup_printf ("%u", job->attempt);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GOutputStream *stdin_pipe;
  const char *identifier;
  GBytes *input;
  char *text;
  gsize len;
  Exec *e;

  /* Stopped before it started: do not start it. */
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "lead");
  json_builder_add_value (b, brd_lead_to_json (job->lead));
  json_builder_set_member_name (b, "batch_id");
  json_builder_add_string_value (b, job->batch_id);
  json_builder_set_member_name (b, "batch_name");
  json_builder_add_string_value (b, job->batch_name ? job->batch_name : "");
  json_builder_set_member_name (b, "template_version");
  json_builder_add_string_value (b, job->template_version ? job->template_version : "v1");
  json_builder_set_member_name (b, "attempt");
  json_builder_add_int_value (b, job->attempt);
  json_builder_set_member_name (b, "expected_costs");
  json_builder_add_value (b, json_node_init_object (json_node_alloc (),
                                                     job->expected_costs ? job->expected_costs : json_object_new ()));
  json_builder_set_member_name (b, "reports_dir");
  json_builder_add_string_value (b, self->reports_dir ? self->reports_dir : "");
  json_builder_end_object (b);
  doc = json_builder_get_root (b);
  json_generator_set_root (gen, doc);
  text = json_generator_to_data (gen, &len);
  input = g_bytes_new_take (text, len);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, GINT_TO_POINTER (getpid ()), NULL);
  g_subprocess_launcher_setenv (launcher, "BR_BATCH_ID", job->batch_id, TRUE);
  g_subprocess_launcher_setenv (launcher, "BR_LEAD_ID", job->lead->id, TRUE);
  g_subprocess_launcher_setenv (launcher, "BR_ATTEMPT", attempt, TRUE);
  if (self->reports_dir)
    g_subprocess_launcher_setenv (launcher, "BR_REPORTS_DIR", self->reports_dir, TRUE);

  e = g_new0 (Exec, 1);
  e->task = task;
  e->io = g_cancellable_new ();
  e->out = g_string_new (NULL);
  e->err = g_string_new (NULL);
  e->start = start;
  e->timeout = self->timeout;
  e->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) self->argv, &error);

  if (e->proc == NULL)
    {
      BrdJobResult *r = result_failed ("EXIT_127", g_strdup_printf ("Cannot run the command: %s", error->message));

      g_bytes_unref (input);
      return_result (task, e->start, r);
      exec_free (e);
      return;
    }

  /* The child makes itself a group leader too; doing it here as well means
   * the group exists before any signal can be sent to it. EACCES once the
   * child has exec'd is fine: it did it itself. */
  identifier = g_subprocess_get_identifier (e->proc);
  if (identifier != NULL)
    {
      e->pgid = (pid_t) g_ascii_strtoll (identifier, NULL, 10);
      setpgid (e->pgid, e->pgid);
    }

  /* GSubprocess leaves our end of the stdin pipe blocking, and a pollable
   * "non-blocking" write on a blocking pipe still blocks until all of it
   * fits: a command that reads its input late (or never, while something
   * holds the pipe) would freeze the whole service. Non-blocking, the
   * write goes as far as the pipe takes and resumes when it drains. */
  stdin_pipe = g_subprocess_get_stdin_pipe (e->proc);
  if (G_IS_UNIX_OUTPUT_STREAM (stdin_pipe))
    g_unix_set_fd_nonblocking (g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (stdin_pipe)), TRUE, NULL);
  g_output_stream_write_all_async (stdin_pipe,
                                   g_bytes_get_data (input, NULL), g_bytes_get_size (input),
                                   G_PRIORITY_DEFAULT, e->io, write_done_cb, input);
  start_reader (e, g_subprocess_get_stdout_pipe (e->proc), TRUE);
  start_reader (e, g_subprocess_get_stderr_pipe (e->proc), FALSE);
  g_subprocess_wait_async (e->proc, NULL, wait_cb, e);
  e->timeout_source = g_timeout_add ((guint) (self->timeout * 1000), timeout_cb, e);
  if (cancellable != NULL)
    {
      e->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (e->cancel_source, G_SOURCE_FUNC (cancel_cb), e, NULL);
      g_source_attach (e->cancel_source, g_task_get_context (task));
    }
}

/* Public -------------------------------------------------------------------- */

void
brd_processor_run_async (BrdProcessor        *self,
                         BrdJob              *job,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  gint64 start = g_get_monotonic_time ();

  g_task_set_source_tag (task, brd_processor_run_async);

  switch (self->kind)
    {
    case BRD_PROCESSOR_NOOP:
      {
        BrdJobResult *r = result_new ();

        r->success = TRUE;
        r->quality_score = 1.0;
        brd_job_free (job);
        /* Returned from here, the callback still runs from the main loop. */
        return_result (task, start, r);
        g_object_unref (task);
      }
      break;

    case BRD_PROCESSOR_REPORT:
      {
        Work *w = g_new0 (Work, 1);

        w->self = self;
        w->job = job;
        w->start = start;
        g_task_set_task_data (task, w, (GDestroyNotify) work_free);
        g_task_run_in_thread (task, report_thread);
        g_object_unref (task);
      }
      break;

    case BRD_PROCESSOR_EXEC:
      g_task_set_task_data (task, job, (GDestroyNotify) brd_job_free);
      run_exec (self, job, task, start);
      break;

    default:
      g_assert_not_reached ();
    }
}

BrdJobResult *
brd_processor_run_finish (BrdProcessor  *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
