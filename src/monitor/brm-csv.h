/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 4180 CSV: records end with CRLF; a field with a comma, a double
 * quote, CR or LF is quoted and its quotes doubled. Numbers always use a
 * dot, whatever the locale, so a file reads the same everywhere. */

void       brm_csv_append_record (GString            *out,
                                  const char * const *fields,
                                  gsize               n_fields);
char      *brm_csv_format_number (double              value,
                                  int                 decimals);
/* Parses @text into records (each a GStrv, owned by the array). An empty
 * line is a record with no fields: it separates the tables of one file. */
GPtrArray *brm_csv_parse         (const char         *text,
                                  gssize              length,
                                  GError            **error);

G_END_DECLS
