/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "batchrunner.h"

static void
test_batch_status_round_trip (void)
{
  for (BrBatchStatus s = BR_BATCH_STATUS_RUNNING; s <= BR_BATCH_STATUS_CANCELLED; s++)
    {
      const char *name = br_batch_status_to_string (s);

      g_assert_nonnull (name);
      g_assert_cmpint (br_batch_status_from_string (name), ==, s);
    }

  g_assert_cmpint (br_batch_status_from_string ("RUNNING"), ==, BR_BATCH_STATUS_UNKNOWN);
  g_assert_cmpint (br_batch_status_from_string ("exploded"), ==, BR_BATCH_STATUS_UNKNOWN);
  g_assert_cmpint (br_batch_status_from_string (NULL), ==, BR_BATCH_STATUS_UNKNOWN);
  g_assert_null (br_batch_status_to_string (BR_BATCH_STATUS_UNKNOWN));
  g_assert_null (br_batch_status_to_string (99));
}

static void
test_batch_status_transitions (void)
{
  g_assert_true (br_batch_status_is_terminal (BR_BATCH_STATUS_COMPLETED));
  g_assert_true (br_batch_status_is_terminal (BR_BATCH_STATUS_FAILED));
  g_assert_true (br_batch_status_is_terminal (BR_BATCH_STATUS_CANCELLED));
  g_assert_false (br_batch_status_is_terminal (BR_BATCH_STATUS_PAUSED));

  g_assert_true (br_batch_status_can_transition (BR_BATCH_STATUS_RUNNING, BR_BATCH_STATUS_PAUSED));
  g_assert_true (br_batch_status_can_transition (BR_BATCH_STATUS_PENDING, BR_BATCH_STATUS_PAUSED));
  g_assert_false (br_batch_status_can_transition (BR_BATCH_STATUS_COMPLETED, BR_BATCH_STATUS_PAUSED));
  g_assert_false (br_batch_status_can_transition (BR_BATCH_STATUS_CANCELLED, BR_BATCH_STATUS_CANCELLED));
  g_assert_true (br_batch_status_can_transition (BR_BATCH_STATUS_PAUSED, BR_BATCH_STATUS_CANCELLED));
  g_assert_true (br_batch_status_can_transition (BR_BATCH_STATUS_FAILED, BR_BATCH_STATUS_RUNNING));
  g_assert_false (br_batch_status_can_transition (BR_BATCH_STATUS_PAUSED, BR_BATCH_STATUS_COMPLETED));
}

static void
test_lead_status (void)
{
  g_assert_cmpint (br_lead_status_from_string ("skipped"), ==, BR_LEAD_STATUS_SKIPPED);
  g_assert_cmpstr (br_lead_status_to_string (BR_LEAD_STATUS_PROCESSING), ==, "processing");
  g_assert_true (br_lead_status_is_final (BR_LEAD_STATUS_FAILED));
  g_assert_false (br_lead_status_is_final (BR_LEAD_STATUS_PROCESSING));
  g_assert_cmpint (br_enrichment_status_from_string ("partial"), ==, BR_ENRICHMENT_STATUS_PARTIAL);
  g_assert_cmpstr (br_enrichment_status_to_string (BR_ENRICHMENT_STATUS_COMPLETED), ==, "completed");
}

static void
test_enum_gtypes (void)
{
  GEnumClass *klass = g_type_class_ref (BR_TYPE_BATCH_STATUS);
  GEnumValue *value = g_enum_get_value (klass, BR_BATCH_STATUS_PAUSED);

  g_assert_nonnull (value);
  g_assert_cmpstr (value->value_nick, ==, "paused");
  g_type_class_unref (klass);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/libbatchrunner/enums/batch-status-round-trip", test_batch_status_round_trip);
  g_test_add_func ("/libbatchrunner/enums/batch-status-transitions", test_batch_status_transitions);
  g_test_add_func ("/libbatchrunner/enums/lead-status", test_lead_status);
  g_test_add_func ("/libbatchrunner/enums/gtypes", test_enum_gtypes);

  return g_test_run ();
}
