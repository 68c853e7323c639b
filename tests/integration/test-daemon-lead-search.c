/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "brt-fixtures.h"

/* GET /leads?search=: the service answers from a trigram index when the
 * search is narrow and by scanning when it is short or broad. Whichever
 * way it takes, the answer must be the one the API has always given: the
 * text anywhere in company, domain, email or contact, ASCII
 * case-insensitively, ordered by company (case-insensitively) then id,
 * with the exact total. These tests compare every answer with that
 * definition computed here over the leads they imported. */

/* More than the service's trigram candidates limit (20,000), so that a
 * broad search takes the scanning way. */
#define N_FILLER 20050

typedef struct
{
  char *id;
  char *company;
  char *domain;
  char *email;
  char *contact;
  char *source;
} Lead;

static void
lead_free (Lead *lead)
{
  g_free (lead->id);
  g_free (lead->company);
  g_free (lead->domain);
  g_free (lead->email);
  g_free (lead->contact);
  g_free (lead->source);
  g_free (lead);
}

static Lead *
lead_new (const char *id,
          const char *company,
          const char *domain,
          const char *email,
          const char *contact,
          const char *source)
{
  Lead *lead = g_new0 (Lead, 1);

  lead->id = g_strdup (id);
  lead->company = g_strdup (company);
  lead->domain = g_strdup (domain);
  lead->email = g_strdup (email);
  lead->contact = g_strdup (contact);
  lead->source = g_strdup (source);
  return lead;
}

static void
add_member (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static char *
leads_json (GPtrArray *leads,
            guint      from,
            guint      to)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = from; i < to; i++)
    {
      Lead *lead = leads->pdata[i];

      json_builder_begin_object (b);
      add_member (b, "id", lead->id);
      add_member (b, "company_name", lead->company);
      add_member (b, "domain", lead->domain);
      add_member (b, "email", lead->email);
      add_member (b, "contact_name", lead->contact);
      add_member (b, "source", lead->source);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static void
import (BrtDaemon *daemon,
        GPtrArray *leads)
{
  for (guint from = 0; from < leads->len; from += 2000)
    {
      guint to = MIN (from + 2000, leads->len);
      g_autofree char *body = leads_json (leads, from, to);
      g_autoptr(JsonObject) answer = brt_request (daemon, "POST", "/api/v1/leads", body, 200);
      JsonArray *rejected = json_object_get_array_member (answer, "rejected");

      for (guint i = 0; i < json_array_get_length (rejected); i++)
        g_test_message ("rejected: %s", brt_str (json_array_get_object_element (rejected, i), "detail"));
      g_assert_cmpint (brt_int (answer, "imported"), ==, to - from);
    }
}

/* The leads: fillers that every broad search meets, and a few that hold
 * "quartz" in each field and in each case, next to decoys that have all
 * of its trigrams but not the word (within one field or across two). */
static GPtrArray *
make_leads (void)
{
  GPtrArray *leads = g_ptr_array_new_with_free_func ((GDestroyNotify) lead_free);
  static const char * const special[][5] = {
    /* id, company, domain, email, contact */
    { "00000000-0000-4000-8000-000000000001",
      "QUARTZ Mining", "mining.example.net", "ops@mining.example.net", "Ana Ruiz" },
    { "00000000-0000-4000-8000-000000000002",
      "quartzite Labs", "quartzite.example", NULL, "Ben Ode" },
    { "00000000-0000-4000-8000-000000000003",
      "Blue Rock", "myquartz.io", "hello@myquartz.io", "Cy Ng" },
    { "00000000-0000-4000-8000-000000000004",
      "Granite Co", "granite.example", "QuArTz@granite.example", "Di Lu" },
    { "00000000-0000-4000-8000-000000000005",
      "Slate Inc", "slate.example", "info@slate.example", "Jo Quartz" },
    { "00000000-0000-4000-8000-000000000006",
      "Quark Smartz", "smartz.example", "x@smartz.example", "Ed Fay" },       /* decoy */
    { "00000000-0000-4000-8000-000000000007",
      "Quar", "artz.example", NULL, "Flo Gil" },                                  /* decoy */
    { "00000000-0000-4000-8000-000000000008",
      "quartz", "q.example", NULL, NULL },
    { "00000000-0000-4000-8000-000000000009",
      "Quartz", "q2.example", NULL, NULL },
    { "00000000-0000-4000-8000-000000000010",
      "Mica 100% Natural", "mica-natural.example", "o_s@mica.example", "Hal Ivy" },
    { "00000000-0000-4000-8000-000000000011",
      "Say \"Hi\" Ltd", "say.example", NULL, "Ida \"Jo\" Kim" },
    { "00000000-0000-4000-8000-000000000012",
      "Zürich Quartz AG", "zurich.example", NULL, "Ulf Öberg" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (special); i++)
    g_ptr_array_add (leads, lead_new (special[i][0], special[i][1], special[i][2], special[i][3], special[i][4],
                                      i % 2 ? "fair" : "crm"));
  for (guint i = 0; i < N_FILLER; i++)
    {
      g_autofree char *id = g_strdup_printf ("00000000-0000-4000-8001-%012u", i);
      /* Same names with differing case and ids in reverse, so that the
       * order's tie-break on id shows. */
      g_autofree char *company = g_strdup_printf (i % 3 ? "Filler %04u" : "FILLER %04u", (N_FILLER - i) / 2);
      g_autofree char *domain = g_strdup_printf ("filler%u.example.org", i);
      g_autofree char *email = i % 5 ? g_strdup_printf ("team@filler%u.example.org", i) : NULL;

      g_ptr_array_add (leads, lead_new (id, company, domain, email, "Pat Filler", "bulk"));
    }
  return leads;
}

static gboolean
has (const char *field,
     const char *needle_down)
{
  g_autofree char *down = field ? g_ascii_strdown (field, -1) : NULL;

  return down != NULL && strstr (down, needle_down) != NULL;
}

static int
lead_order (gconstpointer a,
            gconstpointer b)
{
  const Lead *x = *(Lead **) a;
  const Lead *y = *(Lead **) b;
  int c = g_ascii_strcasecmp (x->company, y->company);

  return c != 0 ? c : strcmp (x->id, y->id);
}

/* The leads as the service keeps them (it normalises domains and
 * emails), which is what a search looks at. */
static GPtrArray *
stored_leads (BrtDaemon *daemon)
{
  GPtrArray *leads = g_ptr_array_new_with_free_func ((GDestroyNotify) lead_free);
  gint64 total;

  do
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/leads?limit=1000&skip=%u", leads->len);
      g_autoptr(JsonObject) page = brt_request (daemon, "GET", path, NULL, 200);
      JsonArray *items = json_object_get_array_member (page, "leads");

      total = brt_int (page, "total_count");
      g_assert_cmpuint (json_array_get_length (items), >, 0);
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *l = json_array_get_object_element (items, i);

          g_ptr_array_add (leads, lead_new (brt_str (l, "id"), brt_str (l, "company_name"), brt_str (l, "domain"),
                                            brt_str (l, "email"), brt_str (l, "contact_name"),
                                            brt_str (l, "source")));
        }
    }
  while (leads->len < total);
  return leads;
}

/* The API's definition of a search, computed here. */
static GPtrArray *
expected (GPtrArray  *leads,
          const char *search,
          const char *source)
{
  GPtrArray *found = g_ptr_array_new ();
  g_autofree char *needle = g_ascii_strdown (search, -1);

  for (guint i = 0; i < leads->len; i++)
    {
      Lead *lead = leads->pdata[i];

      if (source != NULL && g_strcmp0 (lead->source, source) != 0)
        continue;
      if (has (lead->company, needle) || has (lead->domain, needle) || has (lead->email, needle) ||
          has (lead->contact, needle))
        g_ptr_array_add (found, lead);
    }
  g_ptr_array_sort (found, lead_order);
  return found;
}

static guint
expected_count (GPtrArray  *leads,
                const char *search)
{
  g_autoptr(GPtrArray) found = expected (leads, search, NULL);

  return found->len;
}

static void
assert_search (BrtDaemon  *daemon,
               GPtrArray  *leads,
               const char *search,
               const char *source,
               guint       skip,
               guint       limit)
{
  g_autoptr(GPtrArray) want = expected (leads, search, source);
  g_autofree char *escaped = g_uri_escape_string (search, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/api/v1/leads?search=%s&skip=%u&limit=%u%s%s", escaped, skip, limit,
                                           source ? "&source=" : "", source ? source : "");
  g_autoptr(JsonObject) page = brt_request (daemon, "GET", path, NULL, 200);
  JsonArray *got = json_object_get_array_member (page, "leads");
  guint n_want = skip < want->len ? MIN (limit, want->len - skip) : 0;

  g_test_message ("search \"%s\" source %s skip %u: %u leads", search, source ? source : "-", skip, want->len);
  g_assert_cmpint (brt_int (page, "total_count"), ==, want->len);
  g_assert_cmpuint (json_array_get_length (got), ==, n_want);
  for (guint i = 0; i < n_want; i++)
    {
      JsonObject *lead = json_array_get_object_element (got, i);

      g_assert_cmpstr (brt_str (lead, "id"), ==, ((Lead *) want->pdata[skip + i])->id);
      /* The whole Lead object, whichever way the search took. */
      g_assert_cmpstr (brt_str (lead, "company_name"), ==, ((Lead *) want->pdata[skip + i])->company);
      g_assert_true (json_object_has_member (lead, "last_processed_at"));
      g_assert_true (json_object_has_member (lead, "last_batch_id"));
      g_assert_false (json_object_get_boolean_member (lead, "in_active_batch"));
    }
}

static void
assert_searches (BrtDaemon *daemon,
                 GPtrArray *leads)
{
  /* Narrow: the trigram index's way. Decoys s-06 and s-07 have every
   * trigram of "quartz" and must not come back. */
  assert_search (daemon, leads, "quartz", NULL, 0, 100);
  assert_search (daemon, leads, "QUARTZ", NULL, 0, 100);
  assert_search (daemon, leads, "qUaRtZ", "fair", 0, 100);
  assert_search (daemon, leads, "quartz", NULL, 2, 3);
  assert_search (daemon, leads, "artz", NULL, 0, 100);
  assert_search (daemon, leads, "Quark", NULL, 0, 100);
  assert_search (daemon, leads, "Filler 0999", NULL, 0, 100);
  assert_search (daemon, leads, "filler4242.", NULL, 0, 100);
  assert_search (daemon, leads, "team@filler77", NULL, 0, 100);
  assert_search (daemon, leads, "Say \"Hi\"", NULL, 0, 100);
  assert_search (daemon, leads, "\"Jo\"", NULL, 0, 100);
  assert_search (daemon, leads, "Zürich", NULL, 0, 100);
  assert_search (daemon, leads, "Öberg", NULL, 0, 100);
  /* LIKE's wildcards are literal either way. */
  assert_search (daemon, leads, "100%", NULL, 0, 100);
  assert_search (daemon, leads, "o_s@", NULL, 0, 100);
  assert_search (daemon, leads, "a_n", NULL, 0, 100);
  assert_search (daemon, leads, "no such lead", NULL, 0, 100);
  /* Short: no trigram, scanned. */
  assert_search (daemon, leads, "tz", NULL, 0, 100);
  assert_search (daemon, leads, "Q", NULL, 0, 100);
  assert_search (daemon, leads, "%", NULL, 0, 100);
  /* Broad: more candidates than the index is used for, scanned. */
  assert_search (daemon, leads, "filler", NULL, 0, 100);
  assert_search (daemon, leads, "FILLER", NULL, 5000, 200);
  assert_search (daemon, leads, "example", NULL, 0, 50);
  assert_search (daemon, leads, "example", "crm", 0, 50);
  assert_search (daemon, leads, ".example.org", NULL, N_FILLER - 3, 50);
}

static void
test_search_matches_definition (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GPtrArray) leads = make_leads ();
  g_autoptr(GPtrArray) renamed = g_ptr_array_new_with_free_func ((GDestroyNotify) lead_free);
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GPtrArray) stored_after = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JsonObject) answer = NULL;

  import (daemon, leads);
  stored = stored_leads (daemon);
  g_assert_cmpuint (stored->len, ==, leads->len);
  assert_searches (daemon, stored);

  /* Re-importing changes what is found: the index follows the leads. */
  g_ptr_array_add (renamed, lead_new ("00000000-0000-4000-8000-000000000001", "Basalt Mining", "basalt.example", NULL, "Ana Ruiz", "crm"));
  g_ptr_array_add (renamed, lead_new ("00000000-0000-4000-8001-000000000042", "Onyx Quartz", "filler42.example.org", NULL, "Pat Filler",
                                      "bulk"));
  body = leads_json (renamed, 0, renamed->len);
  answer = brt_request (daemon, "POST", "/api/v1/leads", body, 200);
  g_assert_cmpint (brt_int (answer, "imported"), ==, 2);
  stored_after = stored_leads (daemon);
  g_assert_cmpuint (stored_after->len, ==, leads->len);
  assert_search (daemon, stored_after, "quartz", NULL, 0, 100);
  assert_search (daemon, stored_after, "QUARTZ Mining", NULL, 0, 100);
  assert_search (daemon, stored_after, "basalt", NULL, 0, 100);
  assert_search (daemon, stored_after, "onyx", NULL, 0, 100);
  assert_search (daemon, stored_after, "team@filler42.", NULL, 0, 100);
  g_assert_cmpuint (expected_count (stored_after, "onyx quartz"), ==, 1);
  g_assert_cmpuint (expected_count (stored_after, "quartz mining"), ==, 0);
}

static int
db_version (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int version;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return version;
}

static void
exec_db (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* A database from before the search index, with leads in it: opening it
 * builds the index from them. The index's migration is the newest one,
 * so the database is taken back one version, to what it was. */
static void
test_search_after_migration (void)
{
  g_autoptr(BrtDaemon) daemon = brt_daemon_start ("--processor", "noop", NULL);
  g_autoptr(GPtrArray) leads = make_leads ();
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *downgrade = NULL;
  int version;

  g_ptr_array_set_size (leads, 12 + 500);
  import (daemon, leads);
  g_assert_cmpint (brt_daemon_stop (daemon), ==, 0);
  version = db_version (brt_daemon_get_db_path (daemon));
  g_assert_cmpint (version, >=, 2);
  downgrade = g_strdup_printf ("DROP TRIGGER leads_search_ai; DROP TRIGGER leads_search_au;"
                               " DROP TRIGGER leads_search_ad; DROP TABLE lead_search;"
                               " DROP TABLE lead_search_text; DROP TABLE lead_search_log; DROP INDEX leads_company_nocase;"
                               " DROP INDEX batch_leads_started;"
                               " PRAGMA user_version = %d;", version - 1);
  exec_db (brt_daemon_get_db_path (daemon), downgrade);

  brt_daemon_launch (daemon, &error);
  g_assert_no_error (error);
  stored = stored_leads (daemon);
  g_assert_cmpuint (stored->len, ==, leads->len);
  g_assert_cmpint (db_version (brt_daemon_get_db_path (daemon)), ==, version);
  assert_search (daemon, stored, "quartz", NULL, 0, 100);
  assert_search (daemon, stored, "Filler 0999", NULL, 0, 100);
  assert_search (daemon, stored, "filler", NULL, 20, 100);
  assert_search (daemon, stored, "tz", NULL, 0, 100);

  /* And the index follows new leads from then on. */
  {
    g_autoptr(GPtrArray) more = g_ptr_array_new_with_free_func ((GDestroyNotify) lead_free);
    g_autoptr(GPtrArray) stored_after = NULL;

    g_ptr_array_add (more, lead_new ("00000000-0000-4000-8002-000000000001", "New Quartz Co", "newq.example", NULL, NULL, "crm"));
    import (daemon, more);
    stored_after = stored_leads (daemon);
    g_assert_cmpuint (expected_count (stored_after, "new quartz"), ==, 1);
    assert_search (daemon, stored_after, "quartz", NULL, 0, 100);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/integration/lead-search/matches-definition", test_search_matches_definition);
  g_test_add_func ("/integration/lead-search/after-migration", test_search_after_migration);
  return g_test_run ();
}
