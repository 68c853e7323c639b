/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "brd-http.h"
#include "brd-import.h"

#define HEADER "id,company_name,domain,email,contact_name,source,industry,enrichment_status,created_at\n"

static char *
source_path (const char *relative)
{
  const char *root = g_getenv ("BR_SOURCE_ROOT");

  if (root == NULL)
    root = SOURCE_DATADIR "/..";
  return g_build_filename (root, relative, NULL);
}

static BrdImportResult *
parse_csv (const char *text)
{
  g_autoptr(GError) error = NULL;
  BrdImportResult *result = brd_import_parse_csv (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static BrdImportResult *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  BrdImportResult *result;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  result = brd_import_parse_json (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static const BrdLead *
lead_at (BrdImportResult *result,
         guint            i)
{
  g_assert_cmpuint (i, <, result->leads->len);
  return g_ptr_array_index (result->leads, i);
}

static void
assert_rejected (BrdImportResult *result,
                 guint            i,
                 guint            index,
                 const char      *detail_part)
{
  const BrdImportRejection *r;

  g_assert_cmpuint (i, <, result->rejected->len);
  r = g_ptr_array_index (result->rejected, i);
  g_assert_cmpuint (r->index, ==, index);
  if (strstr (r->detail, detail_part) == NULL)
    g_error ("rejection %u: \"%s\" does not contain \"%s\"", i, r->detail, detail_part);
}

/* CSV ------------------------------------------------------------------------- */

static void
test_csv_basic (void)
{
  g_autoptr(BrdImportResult) result = parse_csv (
    HEADER
    "3F2504E0-4F89-41D3-9A0C-0305E82C3301,Northwind Robotics,NorthWind-Robotics.Example.,"
    "Ada.Lovelace@Northwind-Robotics.Example,Ada Lovelace,trade_show,manufacturing,Partial,"
    "2025-03-14T09:26:53Z\n"
    ",  Bluefin Health  ,bluefin-health.example,,,,,,2025-03-14\n");
  const BrdLead *a, *b;

  g_assert_cmpuint (result->rejected->len, ==, 0);
  g_assert_cmpuint (result->leads->len, ==, 2);

  a = lead_at (result, 0);
  g_assert_cmpstr (a->id, ==, "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  g_assert_cmpstr (a->company_name, ==, "Northwind Robotics");
  g_assert_cmpstr (a->domain, ==, "northwind-robotics.example");
  /* The mailbox is left as written; only the domain is case-folded. */
  g_assert_cmpstr (a->email, ==, "Ada.Lovelace@northwind-robotics.example");
  g_assert_cmpstr (a->contact_name, ==, "Ada Lovelace");
  g_assert_cmpstr (a->source, ==, "trade_show");
  g_assert_cmpstr (a->industry, ==, "manufacturing");
  g_assert_cmpstr (a->enrichment_status, ==, "partial");
  g_assert_cmpint (a->created_at, ==, brd_http_parse_time ("2025-03-14T09:26:53Z"));
  g_assert_cmpint (a->created_at, ==, G_GINT64_CONSTANT (1741944413) * G_USEC_PER_SEC);

  b = lead_at (result, 1);
  g_assert_true (g_uuid_string_is_valid (b->id));
  g_assert_cmpstr (b->company_name, ==, "Bluefin Health");
  g_assert_null (b->email);
  g_assert_null (b->contact_name);
  g_assert_null (b->source);
  g_assert_cmpstr (b->enrichment_status, ==, "pending");
  /* A naive date is the start of that day, UTC. */
  g_assert_cmpint (b->created_at, ==, G_GINT64_CONSTANT (1741910400) * G_USEC_PER_SEC);
}

static void
test_csv_quotes (void)
{
  g_autoptr(BrdImportResult) result = parse_csv (
    "company_name,domain,contact_name\n"
    "\"Lakeshore Couriers, Inc.\",lakeshore-couriers.example,\"Robert \"\"Bob\"\" Garcia\"\n"
    "\"\",empty-name.example,\n"
    "12\" Pipe Supply,pipe-supply.example,\"\"\n");

  g_assert_cmpuint (result->leads->len, ==, 2);
  g_assert_cmpstr (lead_at (result, 0)->company_name, ==, "Lakeshore Couriers, Inc.");
  g_assert_cmpstr (lead_at (result, 0)->contact_name, ==, "Robert \"Bob\" Garcia");
  /* A bare quote in an unquoted field is literal, as spreadsheets write it. */
  g_assert_cmpstr (lead_at (result, 1)->company_name, ==, "12\" Pipe Supply");
  g_assert_null (lead_at (result, 1)->contact_name);

  g_assert_cmpuint (result->rejected->len, ==, 1);
  assert_rejected (result, 0, 1, "company_name is required");
}

static void
test_csv_embedded_newline (void)
{
  g_autoptr(BrdImportResult) result = parse_csv (
    "company_name,notes,domain\n"
    "\"Northwind\nRobotics\",\"line one\nline two, with a comma\n\nand a \"\"quote\"\"\",northwind-robotics.example\n"
    "Bluefin Health,,bluefin-health.example\n"
    "\"Broken, Inc.\",x,\n");

  g_assert_cmpuint (result->leads->len, ==, 2);
  /* A name is one line; the unknown multi-line column is ignored. */
  g_assert_cmpstr (lead_at (result, 0)->company_name, ==, "Northwind Robotics");
  g_assert_cmpstr (lead_at (result, 0)->domain, ==, "northwind-robotics.example");
  g_assert_cmpstr (lead_at (result, 1)->company_name, ==, "Bluefin Health");
  /* Indices count records, not physical lines. */
  g_assert_cmpuint (result->rejected->len, ==, 1);
  assert_rejected (result, 0, 2, "domain or email is required");
}

static void
test_csv_crlf (void)
{
  g_autoptr(BrdImportResult) result = parse_csv (
    "company_name,domain,email\r\n"
    "Northwind Robotics,northwind-robotics.example,\r\n"
    "\"Bluefin\r\nHealth\",bluefin-health.example,ops@bluefin-health.example\r\n"
    "\r\n"
    "Copperleaf Power,copperleaf-power.example,");

  g_assert_cmpuint (result->rejected->len, ==, 0);
  g_assert_cmpuint (result->leads->len, ==, 3);
  g_assert_cmpstr (lead_at (result, 0)->domain, ==, "northwind-robotics.example");
  g_assert_null (lead_at (result, 0)->email);
  g_assert_cmpstr (lead_at (result, 1)->company_name, ==, "Bluefin Health");
  g_assert_cmpstr (lead_at (result, 1)->email, ==, "ops@bluefin-health.example");
  /* The last record needs no line break; the blank line is skipped. */
  g_assert_cmpstr (lead_at (result, 2)->company_name, ==, "Copperleaf Power");
}

static void
test_csv_bom (void)
{
  g_autoptr(BrdImportResult) result = parse_csv (
    "\xEF\xBB\xBF" "company_name,domain\n"
    "Müllerhof Systems,mullerhof-systems.example\n");

  g_assert_cmpuint (result->rejected->len, ==, 0);
  g_assert_cmpuint (result->leads->len, ==, 1);
  g_assert_cmpstr (lead_at (result, 0)->company_name, ==, "Müllerhof Systems");
}

static void
test_csv_column_order (void)
{
  g_autoptr(BrdImportResult) result = parse_csv (
    " Email , Owner ,Company_Name,ENRICHMENT_STATUS\n"
    "ada@northwind-robotics.example,sales-team,Northwind Robotics,completed\n");

  g_assert_cmpuint (result->rejected->len, ==, 0);
  g_assert_cmpuint (result->leads->len, ==, 1);
  g_assert_cmpstr (lead_at (result, 0)->company_name, ==, "Northwind Robotics");
  g_assert_cmpstr (lead_at (result, 0)->email, ==, "ada@northwind-robotics.example");
  g_assert_null (lead_at (result, 0)->domain);
  g_assert_cmpstr (lead_at (result, 0)->enrichment_status, ==, "completed");
}

static void
test_csv_whole_input_errors (void)
{
  static const struct {
    const char *text;
    int         code;
    const char *message;
  } cases[] = {
    { "domain,email\nnorthwind.example,\n", BRD_IMPORT_ERROR_MISSING_COLUMN, "no company_name column" },
    { "company_name,contact_name\nNorthwind,Ada\n", BRD_IMPORT_ERROR_MISSING_COLUMN,
      "neither a domain nor an email column" },
    { "Northwind Robotics,northwind.example\n", BRD_IMPORT_ERROR_MISSING_COLUMN, "must be a header" },
    { "", BRD_IMPORT_ERROR_INVALID, "empty" },
    { "\n\n", BRD_IMPORT_ERROR_INVALID, "empty" },
    { "company_name,domain,Domain\n", BRD_IMPORT_ERROR_INVALID, "names column domain twice" },
    { "company_name,domain\n\"Northwind,northwind.example\nBluefin,bluefin.example\n",
      BRD_IMPORT_ERROR_INVALID, "starts on line 2 never ends" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BrdImportResult) result = brd_import_parse_csv (cases[i].text, strlen (cases[i].text), &error);

      g_assert_null (result);
      g_assert_error (error, BRD_IMPORT_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("\"%s\" does not contain \"%s\"", error->message, cases[i].message);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BrdImportResult) result = brd_import_parse_csv ("company_name,domain\0x\n", 22, &error);

    g_assert_null (result);
    g_assert_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_INVALID);
  }
}

static void
test_csv_header_only (void)
{
  g_autoptr(BrdImportResult) result = parse_csv ("company_name,domain\n");

  g_assert_cmpuint (result->leads->len, ==, 0);
  g_assert_cmpuint (result->rejected->len, ==, 0);
}

static void
test_csv_bad_rows (void)
{
  g_autofree char *long_name = g_strnfill (201, 'x');
  g_autofree char *max_name = g_strnfill (200, 'y');
  g_autofree char *text = g_strconcat (
    HEADER,
    /* 0 */ ",Good One,good-one.example,,,,,,\n",
    /* 1 */ ",,no-name.example,,,,,,\n",
    /* 2 */ ",", long_name, ",long-name.example,,,,,,\n",
    /* 3 */ ",", max_name, ",max-name.example,,,,,,\n",
    /* 4 */ ",Bad Domain,not a domain,,,,,,\n",
    /* 5 */ ",Bad Domain,localhost,,,,,,\n",
    /* 6 */ ",Bad Domain,10.0.0.1,,,,,,\n",
    /* 7 */ ",Bad Domain,-dash.example,,,,,,\n",
    /* 8 */ ",Bad Email,,ada@@x.example,,,,,\n",
    /* 9 */ ",Bad Email,,ada.example,,,,,\n",
    /* 10 */ ",Bad Email,,ada@,,,,,\n",
    /* 11 */ ",Bad Email,,@x.example,,,,,\n",
    /* 12 */ ",No Contact,,,Ada,,,,\n",
    /* 13 */ "1234,Bad Id,bad-id.example,,,,,,\n",
    /* 14 */ ",Bad Status,bad-status.example,,,,,done,\n",
    /* 15 */ ",Bad Time,bad-time.example,,,,,,yesterday\n",
    /* 16 */ ",Few Fields,few-fields.example\n",
    /* 17 */ ",\"Stray\"x,stray.example,,,,,,\n",
    /* 18 */ ",Latin \xE9,latin.example,,,,,,\n",
    /* 19 */ ",Control \x01 Char,control.example,,,,,,\n",
    /* 20 */ ",Good Two,,ops@good-two.example,,,,,\n",
    NULL);
  g_autoptr(BrdImportResult) result = parse_csv (text);
  static const struct {
    guint       index;
    const char *detail;
  } expected[] = {
    { 1, "company_name is required" },
    { 2, "company_name is longer than 200 characters" },
    { 4, "domain \"not a domain\" is not a host name" },
    { 5, "domain \"localhost\" is not a host name" },
    { 6, "domain \"10.0.0.1\" is not a host name" },
    { 7, "domain \"-dash.example\" is not a host name" },
    { 8, "email \"ada@@x.example\" must contain exactly one @" },
    { 9, "email \"ada.example\" must contain exactly one @" },
    { 10, "email \"ada@\" has no valid domain" },
    { 11, "email \"@x.example\" has nothing before the @" },
    { 12, "domain or email is required" },
    { 13, "id \"1234\" is not a UUID" },
    { 14, "enrichment_status \"done\" is not one of pending, partial, completed" },
    { 15, "created_at \"yesterday\" is not an ISO 8601" },
    { 16, "the row has 3 fields but the header has 9" },
    { 17, "column 2 (company_name) has text after its closing quote" },
    { 18, "company_name is not valid UTF-8" },
    { 19, "company_name contains a control character" },
  };

  g_assert_cmpuint (result->leads->len, ==, 3);
  g_assert_cmpstr (lead_at (result, 0)->company_name, ==, "Good One");
  g_assert_cmpstr (lead_at (result, 1)->company_name, ==, max_name);
  g_assert_cmpstr (lead_at (result, 2)->company_name, ==, "Good Two");

  g_assert_cmpuint (result->rejected->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    assert_rejected (result, i, expected[i].index, expected[i].detail);
}

static void
test_csv_duplicate_ids (void)
{
  g_autoptr(BrdImportResult) result = parse_csv (
    "id,company_name,domain\n"
    "3f2504e0-4f89-41d3-9a0c-0305e82c3301,First,first.example\n"
    "b47c5e1d-1111-4222-8333-444455556666,Other,other.example\n"
    "3F2504E0-4F89-41D3-9A0C-0305E82C3301,Second,second.example\n");

  g_assert_cmpuint (result->leads->len, ==, 2);
  g_assert_cmpstr (lead_at (result, 0)->company_name, ==, "First");
  g_assert_cmpuint (result->rejected->len, ==, 1);
  assert_rejected (result, 0, 2, "duplicate id 3f2504e0-4f89-41d3-9a0c-0305e82c3301 (first used at index 0)");
}

static void
test_csv_generated_ids (void)
{
  g_autoptr(BrdImportResult) result = parse_csv (
    "company_name,domain\n"
    "A,a.example\nB,b.example\nC,c.example\n");

  g_assert_cmpuint (result->leads->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (g_uuid_string_is_valid (lead_at (result, i)->id));
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (lead_at (result, i)->id, !=, lead_at (result, j)->id);
    }
}

static void
test_idn_domain (void)
{
  g_autoptr(BrdImportResult) result = parse_csv (
    "company_name,domain,email\n"
    "Bücher Haus,Bücher.example,info@Bücher.example\n");

  g_assert_cmpuint (result->leads->len, ==, 1);
  g_assert_cmpstr (lead_at (result, 0)->domain, ==, "xn--bcher-kva.example");
  g_assert_cmpstr (lead_at (result, 0)->email, ==, "info@xn--bcher-kva.example");
}

/* JSON ------------------------------------------------------------------------ */

static void
test_json_basic (void)
{
  g_autoptr(BrdImportResult) result = parse_json (
    "[{\"company_name\": \"Northwind Robotics\", \"domain\": \"northwind-robotics.example\","
    "  \"email\": null, \"crm_owner\": {\"name\": \"x\"}, \"enrichment_status\": \"completed\"},"
    " {\"id\": \"3F2504E0-4F89-41D3-9A0C-0305E82C3301\", \"company_name\": \"Bluefin Health\","
    "  \"email\": \"ops@bluefin-health.example\", \"created_at\": \"2025-03-14T09:26:53.250+01:00\"}]");

  g_assert_cmpuint (result->rejected->len, ==, 0);
  g_assert_cmpuint (result->leads->len, ==, 2);
  g_assert_cmpstr (lead_at (result, 0)->company_name, ==, "Northwind Robotics");
  g_assert_null (lead_at (result, 0)->email);
  g_assert_cmpstr (lead_at (result, 0)->enrichment_status, ==, "completed");
  g_assert_true (g_uuid_string_is_valid (lead_at (result, 0)->id));
  g_assert_cmpint (lead_at (result, 0)->created_at, ==, 0);
  g_assert_cmpstr (lead_at (result, 1)->id, ==, "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  g_assert_cmpint (lead_at (result, 1)->created_at, ==,
                   (G_GINT64_CONSTANT (1741944413) - 3600) * G_USEC_PER_SEC + 250000);
}

static void
test_json_wrong_types (void)
{
  g_autoptr(BrdImportResult) result = parse_json (
    "[{\"company_name\": 5, \"domain\": \"five.example\"},"
    " \"Northwind Robotics\","
    " {\"company_name\": \"Bool Domain\", \"domain\": true},"
    " {\"company_name\": \"Array Email\", \"email\": [\"a@b.example\"]},"
    " {\"company_name\": \"Good\", \"domain\": \"good.example\"},"
    " {\"company_name\": \"Numeric Id\", \"domain\": \"x.example\", \"id\": 42},"
    " null,"
    " {\"company_name\": \"Object Status\", \"domain\": \"x.example\", \"enrichment_status\": {}}]");

  g_assert_cmpuint (result->leads->len, ==, 1);
  g_assert_cmpstr (lead_at (result, 0)->company_name, ==, "Good");
  g_assert_cmpuint (result->rejected->len, ==, 7);
  assert_rejected (result, 0, 0, "company_name must be a string, not a number");
  assert_rejected (result, 1, 1, "a lead must be a JSON object, not a string");
  assert_rejected (result, 2, 2, "domain must be a string, not a boolean");
  assert_rejected (result, 3, 3, "email must be a string, not an array");
  assert_rejected (result, 4, 5, "id must be a string, not a number");
  assert_rejected (result, 5, 6, "a lead must be a JSON object, not null");
  assert_rejected (result, 6, 7, "enrichment_status must be a string, not an object");
}

static void
test_json_not_array (void)
{
  const char *texts[] = { "{\"company_name\": \"x\"}", "\"leads\"", "42", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(BrdImportResult) result = NULL;

      json_parser_load_from_data (parser, texts[i], -1, &error);
      g_assert_no_error (error);
      result = brd_import_parse_json (json_parser_get_root (parser), &error);
      g_assert_null (result);
      g_assert_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "Expected a JSON array of leads"));
    }
}

static void
test_json_duplicate_ids (void)
{
  g_autoptr(BrdImportResult) result = parse_json (
    "[{\"id\": \"3f2504e0-4f89-41d3-9a0c-0305e82c3301\", \"company_name\": \"A\", \"domain\": \"a.example\"},"
    " {\"id\": \"3f2504e0-4f89-41d3-9a0c-0305e82c3301\", \"company_name\": \"B\", \"domain\": \"b.example\"}]");

  g_assert_cmpuint (result->leads->len, ==, 1);
  assert_rejected (result, 0, 1, "duplicate id");
}

static void
test_lead_from_json (void)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(BrdLead) lead = NULL;
  g_autofree char *detail = NULL;

  json_object_set_string_member (obj, "company_name", "Northwind Robotics");
  lead = brd_import_lead_from_json (obj, &detail);
  g_assert_null (lead);
  g_assert_cmpstr (detail, ==, "domain or email is required: a lead needs at least one of them");
  g_clear_pointer (&detail, g_free);

  json_object_set_string_member (obj, "email", "ada@northwind-robotics.example");
  lead = brd_import_lead_from_json (obj, &detail);
  g_assert_nonnull (lead);
  g_assert_null (detail);
  g_assert_cmpstr (lead->email, ==, "ada@northwind-robotics.example");
}

/* Files ----------------------------------------------------------------------- */

static void
test_sample_leads (void)
{
  g_autofree char *path = source_path ("data/daemon/sample-leads.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(BrdImportResult) result = brd_import_parse_file (path, &error);
  g_autoptr(BrdImportResult) again = NULL;
  g_autoptr(GHashTable) statuses = g_hash_table_new (g_str_hash, g_str_equal);
  guint unreachable = 0, without_email = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < result->rejected->len; i++)
    {
      const BrdImportRejection *r = g_ptr_array_index (result->rejected, i);
      g_test_message ("row %u: %s", r->index, r->detail);
    }
  g_assert_cmpuint (result->rejected->len, ==, 0);
  g_assert_cmpuint (result->leads->len, >=, 1900);
  g_assert_cmpuint (result->leads->len, <=, 2100);

  for (guint i = 0; i < result->leads->len; i++)
    {
      const BrdLead *lead = lead_at (result, i);
      const char *host = lead->domain ? lead->domain : strchr (lead->email, '@') + 1;

      /* Fictional only: the reserved .example TLD, never a real domain. */
      g_assert_true (g_str_has_suffix (host, ".example"));
      g_assert_true (lead->created_at > 0);
      g_assert_nonnull (lead->source);
      g_assert_nonnull (lead->industry);
      g_hash_table_add (statuses, lead->enrichment_status);
      if (g_str_has_prefix (host, "unreachable-"))
        unreachable++;
      if (lead->email == NULL)
        without_email++;
    }
  g_assert_cmpuint (g_hash_table_size (statuses), ==, 3);
  g_assert_cmpuint (unreachable, >=, result->leads->len / 100);
  g_assert_cmpuint (unreachable, <=, result->leads->len / 25);
  g_assert_cmpuint (without_email, >, 0);

  /* Fixed ids: importing the file again names the same leads. */
  again = brd_import_parse_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->leads->len, ==, result->leads->len);
  for (guint i = 0; i < result->leads->len; i++)
    g_assert_cmpstr (lead_at (again, i)->id, ==, lead_at (result, i)->id);
}

static void
test_parse_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("brd-import-XXXXXX", NULL);
  g_autofree char *json = g_build_filename (dir, "leads.JSON", NULL);
  g_autofree char *bad_json = g_build_filename (dir, "bad.json", NULL);
  g_autofree char *txt = g_build_filename (dir, "leads.txt", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BrdImportResult) result = NULL;

  g_file_set_contents (json, "[{\"company_name\": \"A\", \"domain\": \"a.example\"}]", -1, &error);
  g_assert_no_error (error);
  result = brd_import_parse_file (json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->leads->len, ==, 1);
  g_clear_pointer (&result, brd_import_result_free);

  g_file_set_contents (bad_json, "{\"company_name\": ", -1, &error);
  g_assert_no_error (error);
  result = brd_import_parse_file (bad_json, &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, bad_json));
  g_clear_error (&error);

  g_file_set_contents (txt, "company_name,domain\nA,a.example\n", -1, &error);
  g_assert_no_error (error);
  result = brd_import_parse_file (txt, &error);
  g_assert_null (result);
  g_assert_error (error, BRD_IMPORT_ERROR, BRD_IMPORT_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  result = brd_import_parse_file (missing, &error);
  g_assert_null (result);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  g_unlink (json);
  g_unlink (bad_json);
  g_unlink (txt);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/daemon/import/csv/basic", test_csv_basic);
  g_test_add_func ("/daemon/import/csv/quotes", test_csv_quotes);
  g_test_add_func ("/daemon/import/csv/embedded-newline", test_csv_embedded_newline);
  g_test_add_func ("/daemon/import/csv/crlf", test_csv_crlf);
  g_test_add_func ("/daemon/import/csv/bom", test_csv_bom);
  g_test_add_func ("/daemon/import/csv/column-order", test_csv_column_order);
  g_test_add_func ("/daemon/import/csv/whole-input-errors", test_csv_whole_input_errors);
  g_test_add_func ("/daemon/import/csv/header-only", test_csv_header_only);
  g_test_add_func ("/daemon/import/csv/bad-rows", test_csv_bad_rows);
  g_test_add_func ("/daemon/import/csv/duplicate-ids", test_csv_duplicate_ids);
  g_test_add_func ("/daemon/import/csv/generated-ids", test_csv_generated_ids);
  g_test_add_func ("/daemon/import/csv/idn-domain", test_idn_domain);
  g_test_add_func ("/daemon/import/json/basic", test_json_basic);
  g_test_add_func ("/daemon/import/json/wrong-types", test_json_wrong_types);
  g_test_add_func ("/daemon/import/json/not-array", test_json_not_array);
  g_test_add_func ("/daemon/import/json/duplicate-ids", test_json_duplicate_ids);
  g_test_add_func ("/daemon/import/json/lead-from-json", test_lead_from_json);
  g_test_add_func ("/daemon/import/file/sample-leads", test_sample_leads);
  g_test_add_func ("/daemon/import/file/dispatch", test_parse_file);

  return g_test_run ();
}
