/* test-uuid.c: UUIDv7 ids are well formed, time ordered and unique */

#include "crm-uuid.h"

static void
test_uuid_format (void)
{
  g_autofree char *id = crm_uuid_v7_new ();

  g_assert_true (crm_uuid_is_valid (id));
  g_assert_cmpint (id[14], ==, '7');
  g_assert_true (id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
  g_assert_false (crm_uuid_is_valid ("not-a-uuid"));
  g_assert_false (crm_uuid_is_valid ("0190C5E2-0000-7000-8000-000000000000"));
  g_assert_false (crm_uuid_is_valid (NULL));
}

static void
test_uuid_time (void)
{
  g_autofree char *id = crm_uuid_v7_new_at (1700000000123);

  g_assert_cmpint (crm_uuid_v7_get_time (id), >=, 1700000000123);
}

static void
test_uuid_order_and_unique (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *prev = NULL;

  /* Many ids in one millisecond must still sort in creation order. */
  for (guint i = 0; i < 20000; i++)
    {
      char *id = crm_uuid_v7_new ();

      if (prev != NULL)
        g_assert_cmpstr (prev, <, id);
      g_assert_true (g_hash_table_add (seen, id));
      g_free (prev);
      prev = g_strdup (id);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/uuid/format", test_uuid_format);
  g_test_add_func ("/uuid/time", test_uuid_time);
  g_test_add_func ("/uuid/order-and-unique", test_uuid_order_and_unique);

  return g_test_run ();
}
