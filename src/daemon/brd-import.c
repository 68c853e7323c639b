/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brd-import"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "brd-http.h"
#include "brd-import.h"

#define MAX_NAME_CHARS     200
#define MAX_LABEL_CHARS    100   /* source, industry */
#define MAX_HOSTNAME_CHARS 253
#define MAX_EMAIL_CHARS    254

/* The columns of a CSV and the members of a JSON lead, by name. */
typedef enum
{
  F_ID,
  F_COMPANY_NAME,
  F_DOMAIN,
  F_EMAIL,
  F_CONTACT_NAME,
  F_SOURCE,
  F_INDUSTRY,
  F_ENRICHMENT_STATUS,
  F_CREATED_AT,
  N_FIELDS
} Field;

/* NULL-terminated, so that it also lists the columns in messages. */
static const char * const field_names[N_FIELDS + 1] = {
  "id", "company_name", "domain", "email", "contact_name",
  "source", "industry", "enrichment_status", "created_at", NULL
};

G_DEFINE_QUARK (brd-import-error-quark, brd_import_error)

static void
rejection_free (BrdImportRejection *r)
{
  g_free (r->detail);
  g_free (r);
}

static BrdImportResult *
result_new (void)
{
  BrdImportResult *result = g_new0 (BrdImportResult, 1);

  result->leads = g_ptr_array_new_with_free_func ((GDestroyNotify) brd_lead_free);
  result->rejected = g_ptr_array_new_with_free_func ((GDestroyNotify) rejection_free);
  return result;
}

void
brd_import_result_free (BrdImportResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->leads, g_ptr_array_unref);
  g_clear_pointer (&result->rejected, g_ptr_array_unref);
  g_free (result);
}

static void
reject (BrdImportResult *result,
        guint            index,
        char            *detail)
{
  BrdImportRejection *r = g_new0 (BrdImportRejection, 1);

  r->index = index;
  r->detail = detail;
  g_ptr_array_add (result->rejected, r);
}

/* Validation of one lead ----------------------------------------------------- */

/* Names are one line of text: CSV exports from CRMs wrap long names, and a
 * line break inside a name would end up in report titles and logs. Runs
 * of white space become one space; other control characters are refused. */
static char *
clean_text (const char  *value,
            const char  *field,
            guint        max_chars,
            char       **detail)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *c = value; *c; c++)
    {
      if (g_ascii_isspace (*c))
        {
          space = TRUE;
          continue;
        }
      if ((guchar) *c < 0x20 || *c == 0x7f)
        {
          *detail = g_strdup_printf ("%s contains a control character", field);
          return NULL;
        }
      if (space && out->len > 0)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *c);
    }

  if (out->len == 0)
    return NULL;
  if (g_utf8_strlen (out->str, out->len) > max_chars)
    {
      *detail = g_strdup_printf ("%s is longer than %u characters", field, max_chars);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A plausible DNS host name: LDH labels of 1-63 characters, at least two
 * labels, a top-level label that is not a number (no IP addresses). */
static gboolean
hostname_ok (const char *host)
{
  g_auto(GStrv) labels = NULL;
  guint n;

  if (strlen (host) > MAX_HOSTNAME_CHARS)
    return FALSE;

  labels = g_strsplit (host, ".", -1);
  n = g_strv_length (labels);
  if (n < 2)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      const char *label = labels[i];
      gsize len = strlen (label);
      gboolean all_digits = TRUE;

      if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
        return FALSE;
      for (const char *c = label; *c; c++)
        {
          if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && *c != '-')
            return FALSE;
          if (!g_ascii_isdigit (*c))
            all_digits = FALSE;
        }
      if (i == n - 1 && all_digits)
        return FALSE;
    }
  return TRUE;
}

/* Lower case, no trailing root dot, internationalised names in their
 * ASCII (punycode) form, so that one company is one domain. */
static char *
normalize_hostname (const char *host)
{
  g_autofree char *lower = NULL;
  g_autofree char *ascii = NULL;
  gsize len;

  if (!g_str_is_ascii (host))
    {
      ascii = g_hostname_to_ascii (host);
      if (ascii == NULL)
        return NULL;
      host = ascii;
    }

  lower = g_ascii_strdown (host, -1);
  len = strlen (lower);
  if (len > 1 && lower[len - 1] == '.')
    lower[len - 1] = '\0';

  if (!hostname_ok (lower))
    return NULL;
  return g_steal_pointer (&lower);
}

static char *
clean_domain (const char  *value,
              char       **detail)
{
  char *host = normalize_hostname (value);

  if (host == NULL)
    *detail = g_strdup_printf ("domain \"%s\" is not a host name (expected something like acme.example)",
                               value);
  return host;
}

static char *
clean_email (const char  *value,
             char       **detail)
{
  g_autofree char *host = NULL;
  const char *at = strchr (value, '@');

  if (strlen (value) > MAX_EMAIL_CHARS)
    {
      *detail = g_strdup_printf ("email is longer than %u characters", MAX_EMAIL_CHARS);
      return NULL;
    }
  if (at == NULL || strchr (at + 1, '@') != NULL)
    {
      *detail = g_strdup_printf ("email \"%s\" must contain exactly one @", value);
      return NULL;
    }
  if (at == value)
    {
      *detail = g_strdup_printf ("email \"%s\" has nothing before the @", value);
      return NULL;
    }
  for (const char *c = value; c < at; c++)
    {
      if ((guchar) *c <= 0x20 || *c == 0x7f || strchr ("\"(),:;<>[\\]", *c) != NULL)
        {
          *detail = g_strdup_printf ("email \"%s\" has a character an address cannot contain", value);
          return NULL;
        }
    }

  host = normalize_hostname (at + 1);
  if (host == NULL)
    {
      *detail = g_strdup_printf ("email \"%s\" has no valid domain after the @", value);
      return NULL;
    }
  return g_strdup_printf ("%.*s@%s", (int) (at - value), value, host);
}

/* @v: trimmed values, NULL when absent or empty. */
static BrdLead *
validate_lead (const char * const  *v,
               char               **detail)
{
  g_autoptr(BrdLead) lead = brd_lead_new ();

  if (v[F_COMPANY_NAME] == NULL)
    {
      *detail = g_strdup ("company_name is required and must not be empty");
      return NULL;
    }
  lead->company_name = clean_text (v[F_COMPANY_NAME], "company_name", MAX_NAME_CHARS, detail);
  if (*detail != NULL)
    return NULL;

  if (v[F_CONTACT_NAME] != NULL)
    lead->contact_name = clean_text (v[F_CONTACT_NAME], "contact_name", MAX_NAME_CHARS, detail);
  if (*detail == NULL && v[F_SOURCE] != NULL)
    lead->source = clean_text (v[F_SOURCE], "source", MAX_LABEL_CHARS, detail);
  if (*detail == NULL && v[F_INDUSTRY] != NULL)
    lead->industry = clean_text (v[F_INDUSTRY], "industry", MAX_LABEL_CHARS, detail);
  if (*detail != NULL)
    return NULL;

  if (v[F_DOMAIN] != NULL && !(lead->domain = clean_domain (v[F_DOMAIN], detail)))
    return NULL;
  if (v[F_EMAIL] != NULL && !(lead->email = clean_email (v[F_EMAIL], detail)))
    return NULL;
  if (lead->domain == NULL && lead->email == NULL)
    {
      /* Assessing a company starts from its web site or a contact's. */
      *detail = g_strdup ("domain or email is required: a lead needs at least one of them");
      return NULL;
    }

  if (v[F_ID] != NULL)
    {
      if (!g_uuid_string_is_valid (v[F_ID]))
        {
          *detail = g_strdup_printf ("id \"%s\" is not a UUID (leave it empty to have one generated)",
                                     v[F_ID]);
          return NULL;
        }
      lead->id = g_ascii_strdown (v[F_ID], -1);
    }
  else
    lead->id = g_uuid_string_random ();

  if (v[F_ENRICHMENT_STATUS] != NULL)
    {
      g_autofree char *status = g_ascii_strdown (v[F_ENRICHMENT_STATUS], -1);

      if (strcmp (status, "pending") != 0 &&
          strcmp (status, "partial") != 0 &&
          strcmp (status, "completed") != 0)
        {
          *detail = g_strdup_printf ("enrichment_status \"%s\" is not one of pending, partial, completed",
                                     v[F_ENRICHMENT_STATUS]);
          return NULL;
        }
      lead->enrichment_status = g_steal_pointer (&status);
    }
  else
    lead->enrichment_status = g_strdup ("pending");

  /* Absent stays 0: the store stamps new leads with the time of import
   * and keeps the first stamp when a lead is imported again. */
  if (v[F_CREATED_AT] != NULL)
    {
      lead->created_at = brd_http_parse_time (v[F_CREATED_AT]);
      if (lead->created_at == -1)
        {
          *detail = g_strdup_printf ("created_at \"%s\" is not an ISO 8601 date or time "
                                     "(e.g. 2026-11-23T09:15:02Z)", v[F_CREATED_AT]);
          return NULL;
        }
    }

  return g_steal_pointer (&lead);
}

/* Validates raw field values (NULL = absent) into a lead. The one place
 * rules live, for CSV rows and JSON objects alike; surrounding white
 * space and empty values count as absent. */
static BrdLead *
lead_from_values (const char * const  *values,
                  char               **detail)
{
  char *trimmed[N_FIELDS];
  const char *v[N_FIELDS];
  BrdLead *lead;

  *detail = NULL;

  for (guint f = 0; f < N_FIELDS; f++)
    {
      trimmed[f] = values[f] != NULL ? g_strstrip (g_strdup (values[f])) : NULL;
      v[f] = trimmed[f] != NULL && trimmed[f][0] != '\0' ? trimmed[f] : NULL;
    }

  lead = validate_lead (v, detail);

  for (guint f = 0; f < N_FIELDS; f++)
    g_free (trimmed[f]);

  return lead;
}

/* Keeps the first lead with a given id and rejects the ones after it: one
 * import must not say two different things about one lead. */
static void
add_lead (BrdImportResult *result,
          GHashTable      *seen,
          guint            index,
          BrdLead         *lead)
{
  gpointer first;

  if (g_hash_table_lookup_extended (seen, lead->id, NULL, &first))
    {
      reject (result, index, g_strdup_printf ("id: duplicate id %s (first used at index %u)",
                                              lead->id, GPOINTER_TO_UINT (first)));
      brd_lead_free (lead);
      return;
    }

  g_hash_table_insert (seen, lead->id, GUINT_TO_POINTER (index));
  g_ptr_array_add (result->leads, lead);
}

/* JSON ------------------------------------------------------------------------ */

static const char *
node_kind (JsonNode *node)
{
  GType type;

  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return "a string";
  if (type == G_TYPE_BOOLEAN)
    return "a boolean";
  return "a number";
}

BrdLead *
brd_import_lead_from_json (JsonObject  *obj,
                           char       **detail)
{
  const char *values[N_FIELDS] = { NULL };

  g_return_val_if_fail (obj != NULL, NULL);
  g_return_val_if_fail (detail != NULL, NULL);

  *detail = NULL;

  /* Members we do not know are ignored, so that exports from other tools
   * (with their own extra fields) import as they are. */
  for (guint f = 0; f < N_FIELDS; f++)
    {
      JsonNode *node = json_object_get_member (obj, field_names[f]);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          *detail = g_strdup_printf ("%s must be a string, not %s", field_names[f], node_kind (node));
          return NULL;
        }
      values[f] = json_node_get_string (node);
    }

  return lead_from_values (values, detail);
}

BrdImportResult *
brd_import_parse_json (JsonNode  *root,
                       GError   **error)
{
  g_autoptr(BrdImportResult) result = NULL;
  g_autoptr(GHashTable) seen = NULL;
  JsonArray *array;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_INVALID,
                   "Expected a JSON array of leads, got %s", node_kind (root));
      return NULL;
    }

  result = result_new ();
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  array = json_node_get_array (root);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autofree char *detail = NULL;
      BrdLead *lead;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          reject (result, i, g_strdup_printf ("a lead must be a JSON object, not %s", node_kind (item)));
          continue;
        }

      lead = brd_import_lead_from_json (json_node_get_object (item), &detail);
      if (lead == NULL)
        reject (result, i, g_steal_pointer (&detail));
      else
        add_lead (result, seen, i, lead);
    }

  return g_steal_pointer (&result);
}

/* CSV (RFC 4180) -------------------------------------------------------------- */

typedef struct
{
  const char *p;
  const char *end;
  guint       line;       /* 1-based, of the next character; for messages */
} CsvReader;

typedef enum
{
  CSV_RECORD,
  CSV_EOF,
  CSV_ERROR,
} CsvStatus;

/* Reads one record into @fields. @malformed is set (and the record still
 * read to its end) when a quoted field has text after its closing quote,
 * so that one bad row does not take the rows after it with it. Only an
 * unterminated quote, which swallows the rest of the input, fails. */
static CsvStatus
csv_read_record (CsvReader  *r,
                 GPtrArray  *fields,
                 int        *malformed,
                 gboolean   *blank,
                 GError    **error)
{
  g_autoptr(GString) field = g_string_new (NULL);
  gboolean quoted_any = FALSE;

  g_ptr_array_set_size (fields, 0);
  *malformed = -1;

  if (r->p >= r->end)
    return CSV_EOF;

  for (;;)
    {
      g_string_truncate (field, 0);

      if (r->p < r->end && *r->p == '"')
        {
          guint start_line = r->line;

          quoted_any = TRUE;
          r->p++;
          for (;;)
            {
              if (r->p >= r->end)
                {
                  g_set_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_INVALID,
                               "The quoted field that starts on line %u never ends "
                               "(a \" inside a field must be written \"\")", start_line);
                  return CSV_ERROR;
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

          while (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n')
            {
              if (*malformed < 0)
                *malformed = fields->len;
              g_string_append_c (field, *r->p++);
            }
        }
      else
        {
          const char *start = r->p;

          /* A bare quote inside an unquoted field is taken literally, as
           * spreadsheets write `12" pipe` that way. */
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
          continue;
        }
      /* CRLF (RFC 4180), LF, or a lone CR (old Mac exports) end the record. */
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

  *blank = fields->len == 1 && !quoted_any && ((const char *) fields->pdata[0])[0] == '\0';
  return CSV_RECORD;
}

static char *
csv_column_list (void)
{
  return g_strjoinv (",", (char **) field_names);
}

BrdImportResult *
brd_import_parse_csv (const char  *data,
                      gsize        len,
                      GError     **error)
{
  g_autoptr(BrdImportResult) result = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) header = NULL;
  int column[N_FIELDS];
  CsvReader reader = { data, data + len, 1 };
  guint known = 0;
  guint index = 0;
  int malformed;
  gboolean blank;
  CsvStatus status;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Spreadsheets save "CSV UTF-8" with a byte order mark. */
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    reader.p += 3;

  if (memchr (reader.p, '\0', reader.end - reader.p) != NULL)
    {
      g_set_error_literal (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_INVALID,
                           "The data contains NUL bytes; it is not a CSV text file");
      return NULL;
    }

  /* Header: the first non-blank record. */
  do
    status = csv_read_record (&reader, fields, &malformed, &blank, error);
  while (status == CSV_RECORD && blank);

  if (status == CSV_ERROR)
    return NULL;
  if (status == CSV_EOF)
    {
      g_autofree char *columns = csv_column_list ();

      g_set_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_INVALID,
                   "The CSV is empty; expected a header row such as %s", columns);
      return NULL;
    }

  for (guint f = 0; f < N_FIELDS; f++)
    column[f] = -1;

  header = g_steal_pointer (&fields);
  fields = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < header->len; i++)
    {
      g_autofree char *name = NULL;

      if (!g_utf8_validate (header->pdata[i], -1, NULL))
        {
          g_set_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_INVALID,
                       "The header's column %u is not valid UTF-8; save the file as UTF-8", i + 1);
          return NULL;
        }
      name = g_ascii_strdown (g_strstrip ((char *) header->pdata[i]), -1);

      for (guint f = 0; f < N_FIELDS; f++)
        {
          if (strcmp (name, field_names[f]) != 0)
            continue;
          if (column[f] >= 0)
            {
              g_set_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_INVALID,
                           "The header names column %s twice (columns %d and %u)",
                           field_names[f], column[f] + 1, i + 1);
              return NULL;
            }
          column[f] = i;
          known++;
        }
    }

  if (column[F_COMPANY_NAME] < 0)
    {
      g_autofree char *columns = csv_column_list ();

      g_set_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_MISSING_COLUMN,
                   known == 0 ? "The first row must be a header naming the columns, e.g. %s"
                              : "The header has no company_name column, which is required (columns: %s)",
                   columns);
      return NULL;
    }
  if (column[F_DOMAIN] < 0 && column[F_EMAIL] < 0)
    {
      g_set_error_literal (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_MISSING_COLUMN,
                           "The header has neither a domain nor an email column; "
                           "every lead needs one of them");
      return NULL;
    }

  result = result_new ();
  seen = g_hash_table_new (g_str_hash, g_str_equal);

  while ((status = csv_read_record (&reader, fields, &malformed, &blank, error)) == CSV_RECORD)
    {
      g_autofree char *detail = NULL;
      const char *values[N_FIELDS] = { NULL };
      BrdLead *lead;
      guint row = index;

      if (blank)
        continue;
      index++;

      if (fields->len != header->len)
        {
          reject (result, row, g_strdup_printf ("the row has %u fields but the header has %u",
                                                fields->len, header->len));
          continue;
        }
      if (malformed >= 0)
        {
          reject (result, row, g_strdup_printf ("column %u (%s) has text after its closing quote",
                                                malformed + 1, (const char *) header->pdata[malformed]));
          continue;
        }

      for (guint f = 0; f < N_FIELDS && detail == NULL; f++)
        {
          if (column[f] < 0)
            continue;
          values[f] = fields->pdata[column[f]];
          if (!g_utf8_validate (values[f], -1, NULL))
            detail = g_strdup_printf ("%s is not valid UTF-8; save the file as UTF-8", field_names[f]);
        }
      if (detail != NULL)
        {
          reject (result, row, g_steal_pointer (&detail));
          continue;
        }

      lead = lead_from_values (values, &detail);
      if (lead == NULL)
        reject (result, row, g_steal_pointer (&detail));
      else
        add_lead (result, seen, row, lead);
    }

  if (status == CSV_ERROR)
    return NULL;

  return g_steal_pointer (&result);
}

/* Files ----------------------------------------------------------------------- */

BrdImportResult *
brd_import_parse_file (const char  *path,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *contents = NULL;
  BrdImportResult *result = NULL;
  GStatBuf st;
  gsize len = 0;
  gboolean csv;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".csv"))
    csv = TRUE;
  else if (g_str_has_suffix (lower, ".json"))
    csv = FALSE;
  else
    {
      g_set_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_UNSUPPORTED,
                   "%s: the file name must end in .csv or .json, to say which format it is", path);
      return NULL;
    }

  /* Checked before reading, so a wrong file is refused without filling
   * memory first. */
  if (g_stat (path, &st) == 0 && st.st_size > BRD_IMPORT_MAX_FILE_SIZE)
    {
      g_set_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_TOO_LARGE,
                   "%s is larger than %d MiB; split it into smaller files", path,
                   BRD_IMPORT_MAX_FILE_SIZE / (1024 * 1024));
      return NULL;
    }

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (len > BRD_IMPORT_MAX_FILE_SIZE)
    {
      g_set_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_TOO_LARGE,
                   "%s is larger than %d MiB; split it into smaller files", path,
                   BRD_IMPORT_MAX_FILE_SIZE / (1024 * 1024));
      return NULL;
    }

  if (csv)
    result = brd_import_parse_csv (contents, len, &local_error);
  else
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      if (!g_utf8_validate (contents, len, NULL))
        g_set_error_literal (&local_error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_INVALID, "not valid UTF-8");
      else if (!json_parser_load_from_data (parser, contents, len, &local_error))
        g_prefix_error (&local_error, "not valid JSON: ");
      else if (json_parser_get_root (parser) == NULL)
        g_set_error_literal (&local_error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_INVALID,
                             "Expected a JSON array of leads, got nothing");
      else
        result = brd_import_parse_json (json_parser_get_root (parser), &local_error);
    }

  if (result == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
      return NULL;
    }

  return result;
}

BrdImportResult *
brd_import_parse_sample (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize len = 0;
  const char *data;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = g_resources_lookup_data ("/io/github/batchrunner/Daemon/sample-leads.csv",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  return brd_import_parse_csv (data, len, error);
}
