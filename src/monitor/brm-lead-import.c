/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-lead-import"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "brm-lead-import.h"

/**
 * BrmLeadImport:
 *
 * Imports a CSV or JSON file of leads into the service (`POST /leads`)
 * and keeps a per-row report of what was refused and why.
 *
 * The service validates leads (it is the one place the rules live), but
 * it takes JSON: a CSV is turned into lead objects here, by its header's
 * column names, the way `batch-runnerd import-leads` reads one. Rows we
 * cannot even turn into an object (a field count that does not match the
 * header) are refused here; the service refuses the rest by index, which
 * is mapped back to the file's line. Large files go in chunks that stay
 * well below the service's request size limit (1 MiB by default).
 */

/* 500 leads of at most ~1 KiB each (the longest fields the service takes)
 * stay under its default body limit of 1 MiB. */
#define CHUNK_LEADS   500
#define MAX_FILE_SIZE (64 * 1024 * 1024)

static const char * const columns[] = {
  "id", "company_name", "domain", "email", "contact_name",
  "source", "industry", "enrichment_status", "created_at", NULL
};

struct _BrmLeadImport
{
  GObject     parent_instance;

  BrClient   *client;
  gboolean    csv;
  guint       n_rows;
  guint       n_imported;
  GPtrArray  *problems;   /* BrmImportProblem, by row */

  /* While importing */
  JsonArray  *leads;
  GArray     *rows;       /* guint, the row of each lead */
  guint       next;       /* first lead of the next chunk */
};

G_DEFINE_FINAL_TYPE (BrmLeadImport, brm_lead_import, G_TYPE_OBJECT)
G_DEFINE_QUARK (brm-lead-import-error-quark, brm_lead_import_error)

static void
problem_free (BrmImportProblem *problem)
{
  g_free (problem->detail);
  g_free (problem);
}

static void
add_problem (GPtrArray  *problems,
             guint       row,
             char       *detail)
{
  BrmImportProblem *problem = g_new0 (BrmImportProblem, 1);

  problem->row = row;
  problem->detail = detail;
  g_ptr_array_add (problems, problem);
}

/* CSV (RFC 4180) ------------------------------------------------------------ */

typedef struct
{
  const char *p;
  const char *end;
  guint       line;
} Reader;

/* Reads one record; returns FALSE at the end. A quote that never closes
 * swallows the rest of the file: that fails the whole file. */
static gboolean
read_record (Reader     *r,
             GPtrArray  *fields,
             guint      *line,
             gboolean   *blank,
             GError    **error)
{
  g_autoptr(GString) field = g_string_new (NULL);
  gboolean quoted_any = FALSE;

  g_ptr_array_set_size (fields, 0);
  *line = r->line;
  if (r->p >= r->end)
    return FALSE;

  for (;;)
    {
      g_string_truncate (field, 0);
      if (*r->p == '"')
        {
          guint start = r->line;

          quoted_any = TRUE;
          r->p++;
          for (;;)
            {
              if (r->p >= r->end)
                {
                  g_set_error (error, BRM_LEAD_IMPORT_ERROR, BRM_LEAD_IMPORT_ERROR_INVALID,
                               _("The quoted field that starts on line %u never ends"), start);
                  return FALSE;
                }
              if (*r->p == '"')
                {
                  if (r->p + 1 < r->end && r->p[1] == '"')
                    {
                      g_string_append_c (field, '"');
                      r->p += 2;
                      continue;
                    }
                  r->p++;
                  break;
                }
              if (*r->p == '\n')
                r->line++;
              g_string_append_c (field, *r->p++);
            }
          /* Text after the closing quote is kept, as spreadsheets do. */
          while (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n')
            g_string_append_c (field, *r->p++);
        }
      else
        {
          const char *start = r->p;

          while (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n')
            r->p++;
          g_string_append_len (field, start, r->p - start);
        }

      g_ptr_array_add (fields, g_strndup (field->str, field->len));
      if (r->p >= r->end)
        break;
      if (*r->p == ',')
        {
          r->p++;
          if (r->p >= r->end)
            {
              g_ptr_array_add (fields, g_strdup (""));
              break;
            }
          continue;
        }
      if (*r->p == '\r')
        {
          r->p++;
          if (r->p < r->end && *r->p == '\n')
            r->p++;
        }
      else
        r->p++;
      r->line++;
      break;
    }

  *blank = fields->len == 1 && !quoted_any && *(const char *) fields->pdata[0] == '\0';
  return TRUE;
}

static JsonArray *
parse_csv (const char  *data,
           gsize        len,
           GArray      *rows,
           GPtrArray   *problems,
           GError     **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(JsonArray) leads = json_array_new ();
  g_autoptr(GError) local_error = NULL;
  Reader r = { data, data + len, 1 };
  int column_of[G_N_ELEMENTS (columns)];
  gboolean blank = FALSE, have_record;
  guint line;

  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    r.p += 3;
  if (memchr (r.p, '\0', r.end - r.p) != NULL || !g_utf8_validate (r.p, r.end - r.p, NULL))
    {
      g_set_error_literal (error, BRM_LEAD_IMPORT_ERROR, BRM_LEAD_IMPORT_ERROR_INVALID,
                           _("The file is not UTF-8 text; save it as “CSV UTF-8”"));
      return NULL;
    }

  do
    have_record = read_record (&r, fields, &line, &blank, &local_error);
  while (have_record && blank);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!have_record)
    {
      g_set_error_literal (error, BRM_LEAD_IMPORT_ERROR, BRM_LEAD_IMPORT_ERROR_INVALID,
                           _("The file is empty; it needs a header row naming the columns, "
                             "such as company_name,domain,email"));
      return NULL;
    }

  header = g_steal_pointer (&fields);
  fields = g_ptr_array_new_with_free_func (g_free);
  for (guint c = 0; columns[c]; c++)
    column_of[c] = -1;
  for (guint i = 0; i < header->len; i++)
    {
      g_autofree char *name = g_ascii_strdown (g_strstrip ((char *) header->pdata[i]), -1);

      for (guint c = 0; columns[c]; c++)
        if (strcmp (name, columns[c]) == 0 && column_of[c] < 0)
          column_of[c] = i;
    }
  if (column_of[1] < 0 || (column_of[2] < 0 && column_of[3] < 0))
    {
      g_set_error_literal (error, BRM_LEAD_IMPORT_ERROR, BRM_LEAD_IMPORT_ERROR_INVALID,
                           _("The header row needs a company_name column and a domain or email column"));
      return NULL;
    }

  while (read_record (&r, fields, &line, &blank, &local_error))
    {
      JsonObject *obj;

      if (blank)
        continue;
      if (fields->len != header->len)
        {
          add_problem (problems, line,
                       g_strdup_printf (_("the row has %u fields but the header has %u"), fields->len, header->len));
          continue;
        }

      obj = json_object_new ();
      for (guint c = 0; columns[c]; c++)
        {
          const char *value;

          if (column_of[c] < 0)
            continue;
          value = fields->pdata[column_of[c]];
          if (*value != '\0')
            json_object_set_string_member (obj, columns[c], value);
        }
      json_array_add_object_element (leads, obj);
      g_array_append_val (rows, line);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&leads);
}

static JsonArray *
parse_json (const char  *data,
            gsize        len,
            GArray      *rows,
            GPtrArray   *problems,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonArray) leads = json_array_new ();
  JsonNode *root;
  JsonArray *array;

  if (!json_parser_load_from_data (parser, data, len, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error_literal (error, BRM_LEAD_IMPORT_ERROR, BRM_LEAD_IMPORT_ERROR_INVALID,
                           _("The file must hold a JSON array of lead objects"));
      return NULL;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      guint row = i + 1;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          add_problem (problems, row, g_strdup (_("a lead must be a JSON object")));
          continue;
        }
      json_array_add_element (leads, json_node_copy (item));
      g_array_append_val (rows, row);
    }
  return g_steal_pointer (&leads);
}

/**
 * brm_lead_import_parse:
 * @data: the file's bytes
 * @len: their length
 * @csv: CSV (else JSON)
 * @rows: (element-type guint): gets the row of each lead returned
 * @problems: (element-type BrmImportProblem): gets the rows refused
 * @error: why the whole file cannot be read
 *
 * Returns: (transfer full) (nullable): the lead objects to send
 */
JsonArray *
brm_lead_import_parse (const char  *data,
                       gsize        len,
                       gboolean     csv,
                       GArray      *rows,
                       GPtrArray   *problems,
                       GError     **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (rows != NULL, NULL);
  g_return_val_if_fail (problems != NULL, NULL);

  return csv ? parse_csv (data, len, rows, problems, error) : parse_json (data, len, rows, problems, error);
}

/* Import ------------------------------------------------------------------- */

static int
compare_problems (gconstpointer a,
                  gconstpointer b)
{
  const BrmImportProblem *pa = *(const BrmImportProblem * const *) a;
  const BrmImportProblem *pb = *(const BrmImportProblem * const *) b;

  return pa->row < pb->row ? -1 : pa->row > pb->row;
}

static void send_chunk (GTask *task);

static void
chunk_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BrmLeadImport *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) rejected = NULL;
  g_autoptr(GError) error = NULL;
  guint imported = 0;
  guint first = GPOINTER_TO_UINT (g_task_get_task_data (task));

  if (!br_client_import_leads_finish (BR_CLIENT (object), result, &imported, &rejected, &error))
    {
      const char *detail = br_client_error_get_detail (error);

      /* What went in before stays in: say how far it got. */
      if (detail != NULL)
        g_task_return_new_error (task, error->domain, error->code, "%s", detail);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->n_imported += imported;
  for (guint i = 0; rejected != NULL && i < rejected->len; i++)
    {
      const BrImportRejection *rejection = rejected->pdata[i];
      guint index = first + rejection->index;
      guint row = index < self->rows->len ? g_array_index (self->rows, guint, index) : 0;

      add_problem (self->problems, row, g_strdup (rejection->detail ? rejection->detail : _("refused")));
    }

  send_chunk (g_steal_pointer (&task));
}

static void
send_chunk (GTask *task)
{
  BrmLeadImport *self = g_task_get_source_object (task);
  guint total = json_array_get_length (self->leads);
  g_autoptr(JsonArray) chunk = NULL;

  if (self->next >= total)
    {
      g_ptr_array_sort (self->problems, compare_problems);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  chunk = json_array_sized_new (MIN (CHUNK_LEADS, total - self->next));
  g_task_set_task_data (task, GUINT_TO_POINTER (self->next), NULL);
  for (guint i = self->next; i < total && i < self->next + CHUNK_LEADS; i++)
    json_array_add_element (chunk, json_node_copy (json_array_get_element (self->leads, i)));
  self->next += json_array_get_length (chunk);

  br_client_import_leads_async (self->client, chunk, g_task_get_cancellable (task), chunk_cb, task);
}

static gboolean
looks_like_csv (GFile      *file,
                const char *data,
                gsize       len)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *lower = name ? g_ascii_strdown (name, -1) : g_strdup ("");
  gsize i = 0;

  if (g_str_has_suffix (lower, ".json"))
    return FALSE;
  if (g_str_has_suffix (lower, ".csv"))
    return TRUE;
  /* Neither: a JSON file starts with its array. */
  while (i < len && g_ascii_isspace (data[i]))
    i++;
  return !(i < len && data[i] == '[');
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BrmLeadImport *self = g_task_get_source_object (task);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  if (!g_file_load_contents_finish (G_FILE (object), result, &data, &len, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (len > MAX_FILE_SIZE)
    {
      g_task_return_new_error (task, BRM_LEAD_IMPORT_ERROR, BRM_LEAD_IMPORT_ERROR_TOO_LARGE,
                               _("The file is larger than %u MiB"), MAX_FILE_SIZE / (1024 * 1024));
      return;
    }

  self->csv = looks_like_csv (G_FILE (object), data, len);
  self->leads = brm_lead_import_parse (data, len, self->csv, self->rows, self->problems, &error);
  if (self->leads == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->n_rows = json_array_get_length (self->leads) + self->problems->len;
  send_chunk (g_steal_pointer (&task));
}

/* GObject ------------------------------------------------------------------ */

static void
brm_lead_import_finalize (GObject *object)
{
  BrmLeadImport *self = BRM_LEAD_IMPORT (object);

  g_clear_object (&self->client);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->leads, json_array_unref);
  g_clear_pointer (&self->rows, g_array_unref);

  G_OBJECT_CLASS (brm_lead_import_parent_class)->finalize (object);
}

static void
brm_lead_import_class_init (BrmLeadImportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = brm_lead_import_finalize;
}

static void
brm_lead_import_init (BrmLeadImport *self)
{
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  self->rows = g_array_new (FALSE, FALSE, sizeof (guint));
}

/* One import, of one file: make a new one for the next. */
BrmLeadImport *
brm_lead_import_new (BrClient *client)
{
  BrmLeadImport *self;

  g_return_val_if_fail (BR_IS_CLIENT (client), NULL);

  self = g_object_new (BRM_TYPE_LEAD_IMPORT, NULL);
  self->client = g_object_ref (client);
  return self;
}

void
brm_lead_import_file_async (BrmLeadImport       *self,
                            GFile               *file,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BRM_IS_LEAD_IMPORT (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->leads == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, brm_lead_import_file_async);
  g_file_load_contents_async (file, cancellable, load_cb, task);
}

/**
 * brm_lead_import_file_finish:
 * @self: a #BrmLeadImport
 * @result: the result
 * @error: why the file could not be imported (whole-file problems, or the
 *   service refusing a request; chunks sent before stay imported)
 *
 * Returns: whether the file was read and sent; rows refused are in
 *   brm_lead_import_get_problems() either way
 */
gboolean
brm_lead_import_file_finish (BrmLeadImport  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (BRM_IS_LEAD_IMPORT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
brm_lead_import_get_is_csv (BrmLeadImport *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_IMPORT (self), FALSE);
  return self->csv;
}

/* Returns: the data rows (or items) the file has */
guint
brm_lead_import_get_n_rows (BrmLeadImport *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_IMPORT (self), 0);
  return self->n_rows;
}

guint
brm_lead_import_get_n_imported (BrmLeadImport *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_IMPORT (self), 0);
  return self->n_imported;
}

/* Returns: (transfer none) (element-type BrmImportProblem): by row */
GPtrArray *
brm_lead_import_get_problems (BrmLeadImport *self)
{
  g_return_val_if_fail (BRM_IS_LEAD_IMPORT (self), NULL);
  return self->problems;
}

/* Returns: (transfer full): "Line 4: …" for a CSV, "Item 3: …" for JSON */
char *
brm_lead_import_format_problem (BrmLeadImport          *self,
                                const BrmImportProblem *problem)
{
  g_return_val_if_fail (BRM_IS_LEAD_IMPORT (self), NULL);
  g_return_val_if_fail (problem != NULL, NULL);

  if (self->csv)
    return g_strdup_printf (_("Line %u: %s"), problem->row, problem->detail);
  return g_strdup_printf (_("Item %u: %s"), problem->row, problem->detail);
}
