/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "brd-lead.h"

G_BEGIN_DECLS

/* Parsing and validating leads for import (CLI `import-leads`, POST /leads).
 * Storing them is the store's job; this only turns bytes into valid
 * BrdLead records and says, per rejected row, why. */

typedef struct
{
  guint  index;     /* 0-based row (CSV: data row after the header; JSON: array index) */
  char  *detail;    /* human sentence naming the field and the problem */
} BrdImportRejection;

typedef struct
{
  GPtrArray *leads;       /* BrdLead, valid ones; ids generated (UUID v4) when absent */
  GPtrArray *rejected;    /* BrdImportRejection */
} BrdImportResult;

#define BRD_IMPORT_ERROR (brd_import_error_quark ())

/* brd_import_parse_file reads at most this much. */
#define BRD_IMPORT_MAX_FILE_SIZE (64 * 1024 * 1024)

typedef enum
{
  BRD_IMPORT_ERROR_INVALID,             /* not CSV / JSON of leads: bad quoting, not an array, ... */
  BRD_IMPORT_ERROR_MISSING_COLUMN,      /* the CSV header lacks a required column */
  BRD_IMPORT_ERROR_TOO_LARGE,           /* the file exceeds BRD_IMPORT_MAX_FILE_SIZE */
  BRD_IMPORT_ERROR_UNSUPPORTED,         /* the file name ends in neither .csv nor .json */
} BrdImportError;

GQuark           brd_import_error_quark   (void);

/* Whole-input errors (not CSV / not a JSON array, no header, missing
 * required column) fail with @error; bad rows go to `rejected`. */
BrdImportResult *brd_import_parse_csv     (const char      *data,
                                           gsize            len,
                                           GError         **error);
BrdImportResult *brd_import_parse_json    (JsonNode        *root,
                                           GError         **error);
/* Picks CSV or JSON by the file name's extension (.csv / .json). */
BrdImportResult *brd_import_parse_file    (const char      *path,
                                           GError         **error);
/* The sample leads compiled into the daemon (data/daemon/sample-leads.csv),
 * for `import-leads --sample`: a first run has something to build a batch
 * from even where the data files are not installed. */
#define BRD_IMPORT_SAMPLE_NAME "sample-leads.csv (built in)"
BrdImportResult *brd_import_parse_sample  (GError         **error);
/* Validates one lead object (JSON) into a BrdLead, or says why not. */
BrdLead         *brd_import_lead_from_json (JsonObject     *obj,
                                            char          **detail);
void             brd_import_result_free   (BrdImportResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrdImportResult, brd_import_result_free)

G_END_DECLS
