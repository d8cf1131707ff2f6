/* test-customer-value.c: average order value, purchase rate and CLV of one customer */

#include "config.h"

#include "crm-customer-value.h"

static void
test_values (void)
{
  CrmCustomerValue v;

  /* 6 orders, ¥1,200 in all, over two years: ¥200 × 3 a year × 3 years. */
  crm_customer_value_compute (120000, 6, "2022-06-01T10:00:00Z", "2024-06-01", 3.0, &v);
  g_assert_cmpint (v.average_order, ==, 20000);
  g_assert_cmpfloat_with_epsilon (v.orders_per_year, 3.0, 0.01);
  g_assert_cmpint (v.lifetime_value, >=, 179800);
  g_assert_cmpint (v.lifetime_value, <=, 180200);

  /* A first order last month counts as one a year, not twelve. */
  crm_customer_value_compute (5000, 1, "2024-05-01T10:00:00Z", "2024-06-01", 3.0, &v);
  g_assert_cmpfloat_with_epsilon (v.orders_per_year, 1.0, 0.001);
  g_assert_cmpint (v.lifetime_value, ==, 15000);

  /* No orders: nothing to estimate. */
  crm_customer_value_compute (0, 0, NULL, "2024-06-01", 3.0, &v);
  g_assert_cmpint (v.average_order, ==, 0);
  g_assert_cmpint (v.lifetime_value, ==, 0);

  /* Unreadable dates fall back to one year. */
  crm_customer_value_compute (3000, 3, "garbage", NULL, 2.0, &v);
  g_assert_cmpint (v.average_order, ==, 1000);
  g_assert_cmpint (v.lifetime_value, ==, 6000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/customer-value/values", test_values);

  return g_test_run ();
}
