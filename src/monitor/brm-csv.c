/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "brm-csv"

#include "config.h"

#include <math.h>
#include <string.h>

#include "brm-csv.h"

static void
append_field (GString    *out,
              const char *field)
{
  if (field == NULL)
    return;
  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = field; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/**
 * brm_csv_append_record:
 * @fields: (array length=n_fields): the fields; %NULL ones are empty
 *
 * Appends one record and its CRLF to @out.
 */
void
brm_csv_append_record (GString            *out,
                       const char * const *fields,
                       gsize               n_fields)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (fields != NULL || n_fields == 0);

  for (gsize i = 0; i < n_fields; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_field (out, fields[i]);
    }
  g_string_append (out, "\r\n");
}

/**
 * brm_csv_format_number:
 * @decimals: digits after the dot, or -1 for the shortest text that reads
 *   back as the same double
 *
 * @value with a dot as decimal separator in any locale; an empty string
 * for NAN (no data).
 */
char *
brm_csv_format_number (double value,
                       int    decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    return g_strdup ("");
  if (decimals < 0)
    return g_strdup (g_ascii_dtostr (buf, sizeof buf, value));
  {
    g_autofree char *format = g_strdup_printf ("%%.%df", MIN (decimals, 17));

    return g_strdup (g_ascii_formatd (buf, sizeof buf, format, value));
  }
}

static void
free_record (gpointer data)
{
  g_strfreev (data);
}

static void
end_record (GPtrArray *records,
            GPtrArray *fields,
            gboolean   empty_line)
{
  if (empty_line)
    {
      /* A line with nothing on it: no fields at all. */
      g_ptr_array_set_size (fields, 0);
    }
  g_ptr_array_add (fields, NULL);
  g_ptr_array_add (records, g_ptr_array_steal (fields, NULL));
}

/**
 * brm_csv_parse:
 * @length: bytes of @text, or -1 when it is nul-terminated
 *
 * Returns: (transfer full) (element-type GStrv): the records, or %NULL
 *   with @error set when a quoted field is not closed or a quote sits in
 *   the middle of an unquoted field.
 */
GPtrArray *
brm_csv_parse (const char  *text,
               gssize       length,
               GError     **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (free_record);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p, *end;
  gboolean line_empty = TRUE;

  g_return_val_if_fail (text != NULL, NULL);

  if (length < 0)
    length = strlen (text);
  p = text;
  end = text + length;

  while (p < end)
    {
      if (*p == '"' && field->len == 0)
        {
          /* Quoted field: runs to the closing quote; "" is one quote. */
          p++;
          for (;;)
            {
              if (p >= end)
                {
                  g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                               "Record %u: a quoted field is not closed", records->len + 1);
                  return NULL;
                }
              if (*p == '"')
                {
                  if (p + 1 < end && p[1] == '"')
                    {
                      g_string_append_c (field, '"');
                      p += 2;
                      continue;
                    }
                  p++;
                  break;
                }
              g_string_append_c (field, *p++);
            }
          line_empty = FALSE;
          if (p < end && *p != ',' && *p != '\r' && *p != '\n')
            {
              g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                           "Record %u: text after a closing quote", records->len + 1);
              return NULL;
            }
          continue;
        }
      if (*p == '"')
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                       "Record %u: a quote inside an unquoted field", records->len + 1);
          return NULL;
        }
      if (*p == ',')
        {
          g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));
          field = g_string_new (NULL);
          line_empty = FALSE;
          p++;
          continue;
        }
      if (*p == '\r' || *p == '\n')
        {
          g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));
          field = g_string_new (NULL);
          end_record (records, fields, line_empty);
          line_empty = TRUE;
          if (*p == '\r' && p + 1 < end && p[1] == '\n')
            p++;
          p++;
          continue;
        }
      g_string_append_c (field, *p++);
      line_empty = FALSE;
    }

  /* The last record may lack its line break. */
  if (!line_empty || field->len > 0)
    {
      g_ptr_array_add (fields, g_string_free (g_steal_pointer (&field), FALSE));
      end_record (records, fields, FALSE);
    }

  return g_steal_pointer (&records);
}
