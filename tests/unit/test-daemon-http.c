/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "brd-http.h"

/* The API's time format, made the slow and obvious way. */
static char *
reference (gint64 unix_usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_usec / G_USEC_PER_SEC);
  g_autofree char *base = NULL;

  if (dt == NULL)
    return NULL;
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, (int) ((unix_usec % G_USEC_PER_SEC) / 1000));
}

static void
assert_time (gint64 unix_usec)
{
  g_autofree char *want = reference (unix_usec);
  g_autofree char *got = brd_http_format_time (unix_usec);

  g_assert_cmpstr (got, ==, want);
}

static void
test_format_time (void)
{
  g_autofree char *text = brd_http_format_time (G_GINT64_CONSTANT (1795428902123456));

  g_assert_cmpstr (text, ==, "2026-11-23T10:15:02.123Z");
  assert_time (1);
  assert_time (G_USEC_PER_SEC);
  assert_time (G_GINT64_CONSTANT (951782400000000));   /* 2000-02-29 */
  assert_time (G_GINT64_CONSTANT (4102444799999999));  /* 2099-12-31 23:59:59.999 */
  for (guint i = 0; i < 2000; i++)
    assert_time (g_test_rand_int_range (1, G_MAXINT32) * (gint64) G_USEC_PER_SEC +
                 g_test_rand_int_range (0, G_USEC_PER_SEC));
  /* Beyond year 9999 there is no such time. */
  g_assert_null (brd_http_format_time (G_GINT64_CONSTANT (253402300800) * G_USEC_PER_SEC));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/daemon/http/format-time", test_format_time);
  return g_test_run ();
}
