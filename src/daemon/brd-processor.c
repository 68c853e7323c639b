/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-processor"

#include "config.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "brd-http.h"
#include "brd-processor.h"

#define MAX_STDOUT      (1024 * 1024)
#define STDERR_TAIL     2048
#define KILL_GRACE_MS   2000
#define MAX_VARIANCE    0.04

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

static double
quality_of (const BrdLead *lead)
{
  double score = 0.2;

  if (lead->domain && *lead->domain)
    score += 0.2;
  if (lead->email && *lead->email)
    score += 0.2;
  if (lead->contact_name && *lead->contact_name)
    score += 0.1;
  if (lead->industry && *lead->industry)
    score += 0.1;
  if (g_strcmp0 (lead->enrichment_status, "completed") == 0)
    score += 0.2;
  else if (g_strcmp0 (lead->enrichment_status, "partial") == 0)
    score += 0.1;
  return MIN (score, 1.0);
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
render_pdf (const BrdJob  *job,
            const char    *path,
            double         quality,
            JsonObject    *costs,
            GError       **error)
{
  const BrdLead *lead = job->lead;
  cairo_surface_t *surface = cairo_pdf_surface_create (path, 595.28, 841.89);
  cairo_t *cr = cairo_create (surface);
  g_autofree char *now = brd_http_now_iso8601 ();
  g_autofree char *score = g_strdup_printf ("%.0f / 100", quality * 100);
  g_autoptr(GList) members = json_object_get_members (costs);
  const char *facts[][2] = {
    { "Domain", lead->domain }, { "Contact", lead->contact_name }, { "Email", lead->email },
    { "Industry", lead->industry }, { "Source", lead->source }, { "Enrichment", lead->enrichment_status },
  };
  const char *parts[] = { "Reachability", "Contact", "Enrichment" };
  double part_values[3];
  double y;
  cairo_status_t status;

  part_values[0] = lead->domain && *lead->domain ? 1.0 : 0.3;
  part_values[1] = (lead->email && *lead->email ? 0.6 : 0) + (lead->contact_name && *lead->contact_name ? 0.4 : 0);
  part_values[2] = g_strcmp0 (lead->enrichment_status, "completed") == 0 ? 1.0
                   : g_strcmp0 (lead->enrichment_status, "partial") == 0 ? 0.6 : 0.25;

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
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++, y += 22)
    {
      cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
      text_at (cr, 40, y + 10, 10, FALSE, parts[i]);
      cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
      cairo_rectangle (cr, 150, y, 300, 12);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.18, 0.55, 0.34);
      cairo_rectangle (cr, 150, y, 300 * part_values[i], 12);
      cairo_fill (cr);
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
  BrdJobResult *r;
  double quality;
  GList *members;

  if (lead->domain != NULL && g_str_has_prefix (lead->domain, "unreachable-"))
    {
      r = result_failed ("DOMAIN_UNREACHABLE",
                         g_strdup_printf ("The domain %s did not answer (DNS lookup failed)", lead->domain));
      r->duration_ms = (g_get_monotonic_time () - w->start) / 1000;
      g_task_return_pointer (task, r, (GDestroyNotify) brd_job_result_free);
      return;
    }
  if ((lead->domain == NULL || !*lead->domain) && (lead->email == NULL || !*lead->email))
    {
      r = result_failed ("INVALID_LEAD", g_strdup ("The lead has neither a domain nor an email address"));
      g_task_return_pointer (task, r, (GDestroyNotify) brd_job_result_free);
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

  quality = quality_of (lead);
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
      g_task_return_pointer (task, r, (GDestroyNotify) brd_job_result_free);
      return;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    goto cancelled;

  /* Written under a temporary name and renamed: a crash and redo never
   * leaves half a report, and the redo replaces it whole. */
  if (!render_pdf (job, pdf_tmp, quality, r->cost_breakdown, &error))
    goto write_failed;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "lead");
  json_builder_add_value (b, brd_lead_to_json (lead));
  json_builder_set_member_name (b, "batch_id");
  json_builder_add_string_value (b, job->batch_id);
  json_builder_set_member_name (b, "template_version");
  json_builder_add_string_value (b, job->template_version ? job->template_version : "v1");
  json_builder_set_member_name (b, "quality_score");
  json_builder_add_double_value (b, quality);
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
  r->quality_score = quality;
  r->report_url = g_filename_to_uri (pdf, NULL, NULL);
  r->duration_ms = (g_get_monotonic_time () - w->start) / 1000;
  g_task_return_pointer (task, r, (GDestroyNotify) brd_job_result_free);
  return;

write_failed:
  g_unlink (pdf_tmp);
  g_unlink (json_tmp);
  brd_job_result_free (r);
  r = result_failed ("REPORT_WRITE_FAILED", g_strdup (error->message));
  r->duration_ms = (g_get_monotonic_time () - w->start) / 1000;
  g_task_return_pointer (task, r, (GDestroyNotify) brd_job_result_free);
  return;

cancelled:
  g_unlink (pdf_tmp);
  g_unlink (json_tmp);
  brd_job_result_free (r);
  g_task_return_error (task, g_steal_pointer (&error));
}

/* Exec --------------------------------------------------------------------- */

typedef struct
{
  GTask       *task;
  GSubprocess *proc;
  GString     *out;
  GString     *err;
  guint        timeout_source;
  guint        kill_source;
  gulong       cancel_id;
  gboolean     timed_out;
  gboolean     cancelled;
  gboolean     out_too_big;
  int          pending;     /* stdout read, stderr read, wait */
  gint64       start;
  double       timeout;
} Exec;

static void
exec_free (Exec *e)
{
  g_clear_handle_id (&e->timeout_source, g_source_remove);
  g_clear_handle_id (&e->kill_source, g_source_remove);
  g_clear_object (&e->proc);
  g_string_free (e->out, TRUE);
  g_string_free (e->err, TRUE);
  g_free (e);
}

static void
child_setup (gpointer data)
{
  /* Children die with the daemon: no orphaned pipelines after a crash. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
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

/* Turns a finished command into a result. Exit 0 with a valid document
 * (or nothing at all) is success; everything else is a failure that says
 * which rule it broke. */
static BrdJobResult *
exec_result (Exec *e)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *trimmed = NULL;
  BrdJobResult *r;
  JsonObject *obj;
  JsonNode *node;

  if (e->timed_out)
    {
      g_autofree char *msg = g_strdup_printf ("The command did not finish within %g s", e->timeout);
      return result_failed ("TIMEOUT", with_tail (e, msg));
    }

  if (g_subprocess_get_if_signaled (e->proc))
    {
      int sig = g_subprocess_get_term_sig (e->proc);
      g_autofree char *msg = g_strdup_printf ("The command was killed by signal %d", sig);
      g_autofree char *code = g_strdup_printf ("SIGNAL_%d", sig);
      return result_failed (code, with_tail (e, msg));
    }

  if (g_subprocess_get_exit_status (e->proc) != 0)
    {
      int status = g_subprocess_get_exit_status (e->proc);
      g_autofree char *msg = g_strdup_printf ("The command exited with status %d", status);
      g_autofree char *code = g_strdup_printf ("EXIT_%d", status);
      return result_failed (code, with_tail (e, msg));
    }

  if (e->out_too_big)
    return result_failed ("BAD_OUTPUT", with_tail (e, "The command printed more than 1 MiB"));

  trimmed = g_strstrip (g_strndup (e->out->str, e->out->len));
  r = result_new ();
  if (*trimmed == '\0')
    {
      /* Nothing to say is fine: a command that only does its work. */
      r->success = TRUE;
      return r;
    }

  if (!g_utf8_validate (trimmed, -1, NULL) || !json_parser_load_from_data (parser, trimmed, -1, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      brd_job_result_free (r);
      return result_failed ("BAD_OUTPUT", with_tail (e, "The command's output is not a JSON object"));
    }
  obj = json_node_get_object (json_parser_get_root (parser));

#define BAD(msg) G_STMT_START { brd_job_result_free (r); return result_failed ("BAD_OUTPUT", with_tail (e, msg)); } G_STMT_END

  if ((node = json_object_get_member (obj, "report_url")) && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        BAD ("report_url must be a string");
      r->report_url = g_strdup (json_node_get_string (node));
    }

  if ((node = json_object_get_member (obj, "quality_score")) && !JSON_NODE_HOLDS_NULL (node))
    {
      GType t = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
      double q;

      if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
        BAD ("quality_score must be a number from 0 to 1");
      q = json_node_get_double (node);
      if (!(q >= 0 && q <= 1))
        BAD ("quality_score must be a number from 0 to 1");
      r->quality_score = q;
    }

  if ((node = json_object_get_member (obj, "cost_breakdown")) && !JSON_NODE_HOLDS_NULL (node))
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
          GType t = JSON_NODE_HOLDS_VALUE (v) ? json_node_get_value_type (v) : G_TYPE_INVALID;
          double usd;

          if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
            BAD ("every cost_breakdown value must be a number");
          usd = json_node_get_double (v);
          if (!isfinite (usd) || usd < 0)
            BAD ("cost_breakdown values must be finite and not negative");
          json_object_set_double_member (r->cost_breakdown, l->data, usd);
          r->cost_usd += usd;
        }
    }

  if ((node = json_object_get_member (obj, "success")) && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN && !json_node_get_boolean (node))
    {
      const char *code = json_object_get_string_member_with_default (obj, "error_code", NULL);
      const char *message = json_object_get_string_member_with_default (obj, "error_message", NULL);

      r->success = FALSE;
      r->error_code = g_strdup (valid_code (code) ? code : "FAILED");
      r->error_message = g_strdup (message ? message : "The command reported a failure");
      return r;
    }

#undef BAD

  r->success = TRUE;
  return r;
}

static void
exec_finish_one (Exec *e)
{
  BrdJobResult *r;

  if (--e->pending > 0)
    return;

  g_cancellable_disconnect (g_task_get_cancellable (e->task), e->cancel_id);
  e->cancel_id = 0;

  if (e->cancelled)
    {
      GTask *task = e->task;

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The lead was stopped");
      exec_free (e);
      g_object_unref (task);
      return;
    }

  r = exec_result (e);
  r->duration_ms = (g_get_monotonic_time () - e->start) / 1000;
  g_task_return_pointer (e->task, r, (GDestroyNotify) brd_job_result_free);
  g_object_unref (e->task);
  exec_free (e);
}

typedef struct
{
  Exec    *exec;
  GString *sink;
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
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0)
    {
      Exec *e = rd->exec;
      g_free (rd);
      exec_finish_one (e);
      return;
    }

  if (rd->is_stdout)
    {
      if (rd->sink->len + n > MAX_STDOUT)
        rd->exec->out_too_big = TRUE;
      else
        g_string_append_len (rd->sink, (const char *) rd->buf, n);
    }
  else
    {
      g_string_append_len (rd->sink, (const char *) rd->buf, n);
      /* Only the tail matters: keep the buffer small. */
      if (rd->sink->len > 4 * STDERR_TAIL)
        g_string_erase (rd->sink, 0, rd->sink->len - STDERR_TAIL);
    }

  read_more (rd, G_INPUT_STREAM (object));
}

static void
read_more (Reader       *rd,
           GInputStream *stream)
{
  g_input_stream_read_async (stream, rd->buf, sizeof rd->buf, G_PRIORITY_DEFAULT, NULL, read_cb, rd);
}

static void
start_reader (Exec         *e,
              GInputStream *stream,
              gboolean      is_stdout)
{
  Reader *rd = g_new0 (Reader, 1);

  rd->exec = e;
  rd->sink = is_stdout ? e->out : e->err;
  rd->is_stdout = is_stdout;
  read_more (rd, stream);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Exec *e = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  g_clear_handle_id (&e->timeout_source, g_source_remove);
  g_clear_handle_id (&e->kill_source, g_source_remove);
  exec_finish_one (e);
}

static gboolean
kill_cb (gpointer data)
{
  Exec *e = data;

  e->kill_source = 0;
  g_subprocess_force_exit (e->proc);
  return G_SOURCE_REMOVE;
}

/* SIGTERM first, SIGKILL after a grace period. */
static void
terminate (Exec *e)
{
  if (e->kill_source != 0)
    return;
  g_subprocess_send_signal (e->proc, SIGTERM);
  e->kill_source = g_timeout_add (KILL_GRACE_MS, kill_cb, e);
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

static gboolean
cancel_idle (gpointer data)
{
  Exec *e = data;

  e->cancelled = TRUE;
  terminate (e);
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  /* Cancellation may come from any thread; act on the main context. */
  g_idle_add (cancel_idle, data);
}

static void
write_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A command that does not read its stdin is its own business. */
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error);
  g_output_stream_close (G_OUTPUT_STREAM (object), NULL, NULL);
  g_bytes_unref (user_data);
}

static void
run_exec (BrdProcessor *self,
          BrdJob       *job,
          GTask        *task)
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
  GBytes *input;
  char *text;
  gsize len;
  Exec *e;

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

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "BR_BATCH_ID", job->batch_id, TRUE);
  g_subprocess_launcher_setenv (launcher, "BR_LEAD_ID", job->lead->id, TRUE);
  g_subprocess_launcher_setenv (launcher, "BR_ATTEMPT", attempt, TRUE);
  if (self->reports_dir)
    g_subprocess_launcher_setenv (launcher, "BR_REPORTS_DIR", self->reports_dir, TRUE);

  e = g_new0 (Exec, 1);
  e->task = task;
  e->out = g_string_new (NULL);
  e->err = g_string_new (NULL);
  e->start = g_get_monotonic_time ();
  e->timeout = self->timeout;
  e->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) self->argv, &error);

  if (e->proc == NULL)
    {
      BrdJobResult *r = result_failed ("EXIT_127", g_strdup_printf ("Cannot run the command: %s", error->message));

      g_bytes_unref (input);
      exec_free (e);
      g_task_return_pointer (task, r, (GDestroyNotify) brd_job_result_free);
      g_object_unref (task);
      return;
    }

  e->pending = 3;
  g_output_stream_write_all_async (g_subprocess_get_stdin_pipe (e->proc),
                                   g_bytes_get_data (input, NULL), g_bytes_get_size (input),
                                   G_PRIORITY_DEFAULT, NULL, write_done_cb, input);
  start_reader (e, g_subprocess_get_stdout_pipe (e->proc), TRUE);
  start_reader (e, g_subprocess_get_stderr_pipe (e->proc), FALSE);
  g_subprocess_wait_async (e->proc, NULL, wait_cb, e);
  e->timeout_source = g_timeout_add ((guint) (self->timeout * 1000), timeout_cb, e);
  if (cancellable != NULL)
    e->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), e, NULL);
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
        g_task_return_pointer (task, r, (GDestroyNotify) brd_job_result_free);
        g_object_unref (task);
      }
      break;

    case BRD_PROCESSOR_REPORT:
      {
        Work *w = g_new0 (Work, 1);

        w->self = self;
        w->job = job;
        w->start = g_get_monotonic_time ();
        g_task_set_task_data (task, w, (GDestroyNotify) work_free);
        g_task_run_in_thread (task, report_thread);
        g_object_unref (task);
      }
      break;

    case BRD_PROCESSOR_EXEC:
      g_task_set_task_data (task, job, (GDestroyNotify) brd_job_free);
      run_exec (self, job, task);
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
