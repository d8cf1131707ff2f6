/* test-hlc.c: hybrid logical clock text: format, order, monotonicity, drift clamp */

#include "config.h"

#include <string.h>

#include "crm-hlc.h"
#include "crm-store-error.h"

#define CLIENT_A "01900000-0000-7000-8000-00000000000a"
#define CLIENT_B "01900000-0000-7000-8000-00000000000b"
/* 2024-03-05T08:09:10.123Z */
#define T0 G_GINT64_CONSTANT (1709626150123)

static void
test_hlc_format_parse (void)
{
  g_autofree char *text = crm_hlc_format (T0, 0x2a, CLIENT_A);
  g_autofree char *client = NULL;
  gint64 ms;
  guint counter;

  g_assert_cmpstr (text, ==, "2024-03-05T08:09:10.123Z-002A-" CLIENT_A);
  g_assert_true (crm_hlc_parse (text, &ms, &counter, &client));
  g_assert_cmpint (ms, ==, T0);
  g_assert_cmpuint (counter, ==, 0x2a);
  g_assert_cmpstr (client, ==, CLIENT_A);

  g_assert_false (crm_hlc_parse (NULL, NULL, NULL, NULL));
  g_assert_false (crm_hlc_parse ("", NULL, NULL, NULL));
  g_assert_false (crm_hlc_parse ("2024-03-05T08:09:10.123Z-002a-" CLIENT_A, NULL, NULL, NULL));
  g_assert_false (crm_hlc_parse ("2023-02-30T08:09:10.123Z-0000-" CLIENT_A, NULL, NULL, NULL));
  g_assert_false (crm_hlc_parse ("2024-03-05 08:09:10.123Z-0000-" CLIENT_A, NULL, NULL, NULL));
  g_assert_false (crm_hlc_parse ("2024-03-05T08:09:10.123Z-0000-", NULL, NULL, NULL));
}

static void
test_hlc_order (void)
{
  g_autofree char *a = crm_hlc_format (T0, 0xffff, CLIENT_B);
  g_autofree char *b = crm_hlc_format (T0 + 1, 0, CLIENT_A);
  g_autofree char *c = crm_hlc_format (T0 + 1, 0, CLIENT_B);
  g_autofree char *d = crm_hlc_format (T0 + 1, 1, CLIENT_A);

  /* Time, then counter, then client id; plain byte order. */
  g_assert_cmpint (crm_hlc_compare (a, b), <, 0);
  g_assert_cmpint (crm_hlc_compare (b, c), <, 0);
  g_assert_cmpint (crm_hlc_compare (c, d), <, 0);
  g_assert_cmpint (crm_hlc_compare (d, d), ==, 0);
  g_assert_cmpint (strcmp (a, b), <, 0);
}

static void
test_hlc_monotonic (void)
{
  g_autoptr(CrmHlc) hlc = crm_hlc_new (CLIENT_A);
  g_autofree char *prev = NULL;

  /* Same millisecond, then the wall clock going back: still increasing. */
  for (guint i = 0; i < 100; i++)
    {
      char *now = crm_hlc_now_at (hlc, i < 50 ? T0 : T0 - 60000);

      if (prev != NULL)
        g_assert_cmpstr (prev, <, now);
      g_free (prev);
      prev = now;
    }
  g_assert_true (g_str_has_prefix (prev, "2024-03-05T08:09:10.123Z-0063-"));

  /* Wall clock moving on resets the counter. */
  {
    g_autofree char *later = crm_hlc_now_at (hlc, T0 + 5);

    g_assert_true (g_str_has_prefix (later, "2024-03-05T08:09:10.128Z-0000-"));
  }
}

static void
test_hlc_counter_overflow (void)
{
  g_autoptr(CrmHlc) hlc = crm_hlc_new (CLIENT_A);
  g_autofree char *start = crm_hlc_format (T0, 0xfffe, CLIENT_A);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_true (crm_hlc_restore (hlc, start, NULL));
  a = crm_hlc_now_at (hlc, T0);
  b = crm_hlc_now_at (hlc, T0);
  g_assert_true (g_str_has_prefix (a, "2024-03-05T08:09:10.123Z-FFFF-"));
  g_assert_true (g_str_has_prefix (b, "2024-03-05T08:09:10.124Z-0000-"));
}

static void
test_hlc_receive (void)
{
  g_autoptr(CrmHlc) hlc = crm_hlc_new (CLIENT_A);
  g_autoptr(GError) error = NULL;
  g_autofree char *remote = crm_hlc_format (T0 + 1000, 7, CLIENT_B);
  g_autofree char *after = NULL;
  g_autofree char *next = NULL;
  g_autofree char *far = NULL;
  g_autofree char *clamped = NULL;
  gint64 ms;
  guint counter;

  /* A remote event slightly ahead: ours now comes after it. */
  after = crm_hlc_receive_at (hlc, remote, T0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (crm_hlc_compare (remote, after), <, 0);
  g_assert_true (crm_hlc_parse (after, &ms, &counter, NULL));
  g_assert_cmpint (ms, ==, T0 + 1000);
  g_assert_cmpuint (counter, ==, 8);
  next = crm_hlc_now_at (hlc, T0);
  g_assert_cmpint (crm_hlc_compare (after, next), <, 0);

  /* A remote clock an hour ahead is trusted only 5 minutes ahead. */
  far = crm_hlc_format (T0 + 3600 * 1000, 0, CLIENT_B);
  clamped = crm_hlc_receive_at (hlc, far, T0, &error);
  g_assert_no_error (error);
  g_assert_true (crm_hlc_parse (clamped, &ms, NULL, NULL));
  g_assert_cmpint (ms, ==, T0 + CRM_HLC_MAX_DRIFT_MS);
  g_assert_cmpint (crm_hlc_compare (clamped, far), <, 0);

  g_assert_null (crm_hlc_receive_at (hlc, "yesterday", T0, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

static void
test_hlc_restore (void)
{
  g_autoptr(CrmHlc) hlc = crm_hlc_new (CLIENT_A);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = crm_hlc_format (T0 + 10000, 3, CLIENT_A);
  g_autofree char *next = NULL;

  g_assert_true (crm_hlc_restore (hlc, saved, &error));
  next = crm_hlc_now_at (hlc, T0);
  g_assert_cmpint (crm_hlc_compare (saved, next), <, 0);

  g_assert_false (crm_hlc_restore (hlc, "garbage", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hlc/format-parse", test_hlc_format_parse);
  g_test_add_func ("/hlc/order", test_hlc_order);
  g_test_add_func ("/hlc/monotonic", test_hlc_monotonic);
  g_test_add_func ("/hlc/counter-overflow", test_hlc_counter_overflow);
  g_test_add_func ("/hlc/receive", test_hlc_receive);
  g_test_add_func ("/hlc/restore", test_hlc_restore);

  return g_test_run ();
}
