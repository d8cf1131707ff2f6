/* test-analytics.c: every KPI of DESIGN.md §6 against hand-computed fixtures */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "crm-analytics.h"
#include "crm-contact.h"
#include "crm-deal.h"
#include "crm-pipeline.h"
#include "crm-purchase.h"
#include "crm-stage.h"
#include "crm-store-bulk.h"
#include "store-fixture.h"

#define assert_nan(x) g_assert_true (isnan (x))

static void
query (CrmAnalyticsQuery *q,
       const char        *from,
       const char        *to)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_analytics_query_init (q, from, to, &error));
  g_assert_no_error (error);
}

static void
set_as_of (CrmAnalyticsQuery *q,
           int                year,
           int                month,
           int                day)
{
  g_date_set_dmy (&q->as_of, day, month, year);
}

static void
add_purchase (CrmStore   *store,
              const char *contact_id,
              const char *at,
              gint64      amount)
{
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (purchase, "contact-id", contact_id, "product", "商品", "purchased-at", at,
                "amount", amount, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (purchase), &error));
  g_assert_no_error (error);
}

static void
exec_sql (CrmStore   *store,
          const char *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_store_exec (store, sql, &error));
  g_assert_no_error (error);
}

/* An id of 36 characters made from a short tag, for rows written in SQL. */
#define ID(tag) "00000000-0000-7000-8000-0000000" tag

static void
test_query_periods (void)
{
  CrmAnalyticsQuery q, prev, ago;
  g_autoptr(GError) error = NULL;

  g_assert_false (crm_analytics_query_init (&q, "2024-02-30", "2024-03-01", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (crm_analytics_query_init (&q, "2024-03-02", "2024-03-01", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* A whole month is compared with the whole month before. */
  query (&q, "2024-03-01", "2024-03-31");
  crm_analytics_query_previous (&q, &prev);
  g_assert_cmpint (g_date_get_day (&prev.from), ==, 1);
  g_assert_cmpint (g_date_get_month (&prev.from), ==, 2);
  g_assert_cmpint (g_date_get_day (&prev.to), ==, 29);
  g_assert_cmpint (g_date_get_month (&prev.to), ==, 2);

  /* February of a leap year a year ago ends on the 28th. */
  query (&q, "2024-02-01", "2024-02-29");
  crm_analytics_query_year_ago (&q, &ago);
  g_assert_cmpint (g_date_get_year (&ago.from), ==, 2023);
  g_assert_cmpint (g_date_get_day (&ago.to), ==, 28);
  /* …and a year after, the 28th still ends the month. */
  query (&q, "2025-02-01", "2025-02-28");
  crm_analytics_query_year_ago (&q, &ago);
  g_assert_cmpint (g_date_get_day (&ago.to), ==, 29);
  g_assert_cmpint (g_date_get_year (&ago.to), ==, 2024);

  /* Any other period: the same number of days just before. */
  query (&q, "2024-01-10", "2024-01-19");
  crm_analytics_query_previous (&q, &prev);
  g_assert_cmpint (g_date_get_day (&prev.from), ==, 31);
  g_assert_cmpint (g_date_get_month (&prev.from), ==, 12);
  g_assert_cmpint (g_date_get_day (&prev.to), ==, 9);
}

static void
test_time_unit_keys (void)
{
  GDate d;
  g_autofree char *w1 = NULL;
  g_autofree char *w52 = NULL;
  g_autofree char *q = NULL;
  g_autofree char *m = NULL;

  g_date_clear (&d, 1);
  g_date_set_dmy (&d, 30, 12, 2024);   /* a Monday of ISO week 2025-W01 */
  w1 = crm_time_unit_format_key (CRM_TIME_UNIT_WEEK, &d);
  g_assert_cmpstr (w1, ==, "2025-W01");
  g_date_set_dmy (&d, 25, 12, 2023);
  w52 = crm_time_unit_format_key (CRM_TIME_UNIT_WEEK, &d);
  g_assert_cmpstr (w52, ==, "2023-W52");
  g_date_set_dmy (&d, 1, 10, 2024);
  q = crm_time_unit_format_key (CRM_TIME_UNIT_QUARTER, &d);
  g_assert_cmpstr (q, ==, "2024-Q4");
  m = crm_time_unit_format_key (CRM_TIME_UNIT_MONTH, &d);
  g_assert_cmpstr (m, ==, "2024-10");
}

static void
test_empty (StoreFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CrmAnalyticsQuery q;
  CrmKpis kpis;
  g_autoptr(CrmSalesTrend) trend = NULL;
  g_autoptr(CrmCohortMatrix) cohorts = NULL;
  g_autoptr(CrmPipelineSummary) pipeline = NULL;
  g_autoptr(CrmDistribution) lifecycle = NULL;
  g_autoptr(CrmSatisfactionTrend) sat = NULL;
  g_autoptr(GPtrArray) top = NULL;

  gboolean has_purchases = TRUE;

  query (&q, "2024-01-01", "2024-01-31");
  g_assert_true (crm_analytics_has_purchases (f->store, &q, &has_purchases, &error));
  g_assert_false (has_purchases);
  g_assert_true (crm_analytics_kpis (f->store, &q, &kpis, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kpis.revenue.revenue, ==, 0);
  assert_nan (kpis.revenue.growth);
  assert_nan (kpis.revenue.yoy_growth);
  assert_nan (kpis.revenue.average_order);
  g_assert_cmpint (kpis.active_customers, ==, 0);
  g_assert_cmpint (kpis.new_customers, ==, 0);
  assert_nan (kpis.repurchase.rate);
  assert_nan (kpis.churn.rate);
  assert_nan (kpis.clv);
  assert_nan (kpis.deal_conversion.rate);
  assert_nan (kpis.lead_conversion.rate);
  assert_nan (kpis.campaign_response.rate);
  assert_nan (kpis.campaign_conversion.rate);
  assert_nan (kpis.satisfaction.nps);
  assert_nan (kpis.satisfaction.csat);
  assert_nan (kpis.service.response_median);
  assert_nan (kpis.service.resolution_p90);

  trend = crm_analytics_sales_trend (f->store, &q, CRM_TIME_UNIT_DAY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trend->n_points, ==, 31);
  for (guint i = 0; i < trend->n_points; i++)
    g_assert_cmpint (trend->points[i].revenue, ==, 0);

  cohorts = crm_analytics_cohort_retention (f->store, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cohorts->n_cohorts, ==, 1);
  g_assert_cmpint (cohorts->sizes[0], ==, 0);
  assert_nan (crm_cohort_matrix_get (cohorts, 0, 0));

  pipeline = crm_analytics_pipeline (f->store, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pipeline->n_stages, ==, 0);

  lifecycle = crm_analytics_lifecycle (f->store, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lifecycle->total, ==, 0);

  sat = crm_analytics_satisfaction_trend (f->store, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sat->n, ==, 1);
  assert_nan (sat->nps[0]);

  top = crm_analytics_top_customers (f->store, &q, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (top->len, ==, 0);
}

/* One customer: 15 Jan, 29 Feb (leap day) and 1 Mar 2024. */
static void
test_single_customer (StoreFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = store_add_contact (f->store, "张三");
  CrmAnalyticsQuery q;
  CrmRevenue revenue;
  CrmRatio ratio;
  gint64 count;
  double clv;

  add_purchase (f->store, id, "2024-01-15T10:00:00Z", 100);
  add_purchase (f->store, id, "2024-02-29T10:00:00Z", 200);
  add_purchase (f->store, id, "2024-03-01T10:00:00Z", 300);

  query (&q, "2024-02-01", "2024-02-29");
  g_assert_true (crm_analytics_revenue (f->store, &q, &revenue, &error));
  g_assert_no_error (error);
  g_assert_cmpint (revenue.revenue, ==, 200);
  g_assert_cmpint (revenue.orders, ==, 1);
  g_assert_cmpint (revenue.customers, ==, 1);
  g_assert_cmpint (revenue.previous_revenue, ==, 100);
  g_assert_cmpfloat_with_epsilon (revenue.growth, 1.0, 1e-9);
  assert_nan (revenue.yoy_growth);

  g_assert_true (crm_analytics_repurchase_rate (f->store, &q, &ratio, &error));
  g_assert_cmpint (ratio.denominator, ==, 1);
  g_assert_cmpfloat (ratio.rate, ==, 0.0);
  query (&q, "2024-01-01", "2024-03-31");
  g_assert_true (crm_analytics_repurchase_rate (f->store, &q, &ratio, &error));
  g_assert_cmpfloat (ratio.rate, ==, 1.0);

  /* New: the first purchase is in January only. */
  query (&q, "2024-01-01", "2024-01-31");
  g_assert_true (crm_analytics_new_customers (f->store, &q, &count, &error));
  g_assert_cmpint (count, ==, 1);
  query (&q, "2024-02-01", "2024-02-29");
  g_assert_true (crm_analytics_new_customers (f->store, &q, &count, &error));
  g_assert_cmpint (count, ==, 0);

  /* Active: 2024 has 366 days, so on 2025-02-28 the 365-day window starts
   * 2024-03-01 and on 2025-03-01 it no longer holds 1 March 2024. */
  query (&q, "2025-02-01", "2025-02-28");
  g_assert_true (crm_analytics_active_customers (f->store, &q, &count, &error));
  g_assert_cmpint (count, ==, 1);
  query (&q, "2025-03-01", "2025-03-01");
  g_assert_true (crm_analytics_active_customers (f->store, &q, &count, &error));
  g_assert_cmpint (count, ==, 0);

  /* CLV over the 365 days to 31 March: 600 / 3 orders × 3 orders × 3 years. */
  query (&q, "2024-03-01", "2024-03-31");
  g_assert_true (crm_analytics_clv (f->store, &q, 3.0, &clv, &error));
  g_assert_cmpfloat_with_epsilon (clv, 1800.0, 1e-9);

  /* Trends: February 2024 in ISO weeks runs from Monday 29 January to the
   * week of Monday 26 February, which holds the leap day. */
  {
    g_autoptr(CrmSalesTrend) weeks = NULL;
    g_autoptr(CrmSalesTrend) quarters = NULL;

    query (&q, "2024-02-01", "2024-02-29");
    weeks = crm_analytics_sales_trend (f->store, &q, CRM_TIME_UNIT_WEEK, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (weeks->n_points, ==, 5);
    g_assert_cmpint (g_date_get_day (&weeks->points[0].start), ==, 29);
    g_assert_cmpint (g_date_get_day (&weeks->points[4].start), ==, 26);
    g_assert_cmpint (weeks->points[4].revenue, ==, 200);
    g_assert_cmpint (weeks->points[4].orders, ==, 1);
    g_assert_cmpint (weeks->points[0].revenue, ==, 0);

    query (&q, "2024-01-01", "2024-03-31");
    quarters = crm_analytics_sales_trend (f->store, &q, CRM_TIME_UNIT_QUARTER, &error);
    g_assert_cmpuint (quarters->n_points, ==, 1);
    g_assert_cmpint (quarters->points[0].revenue, ==, 600);
    g_assert_cmpint (quarters->points[0].orders, ==, 3);
    g_assert_cmpint (quarters->points[0].customers, ==, 1);
  }

  /* Cohorts January–April: January holds the customer, back in February
   * and March, not in April; later cohorts are empty. */
  {
    g_autoptr(CrmCohortMatrix) m = NULL;

    query (&q, "2024-01-01", "2024-04-30");
    m = crm_analytics_cohort_retention (f->store, &q, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (m->n_cohorts, ==, 4);
    g_assert_cmpuint (m->n_offsets, ==, 4);
    g_assert_cmpint (m->sizes[0], ==, 1);
    g_assert_cmpfloat (crm_cohort_matrix_get (m, 0, 0), ==, 1.0);
    g_assert_cmpfloat (crm_cohort_matrix_get (m, 0, 1), ==, 1.0);
    g_assert_cmpfloat (crm_cohort_matrix_get (m, 0, 2), ==, 1.0);
    g_assert_cmpfloat (crm_cohort_matrix_get (m, 0, 3), ==, 0.0);
    g_assert_cmpint (m->sizes[1], ==, 0);
    assert_nan (crm_cohort_matrix_get (m, 1, 0));
    /* February + 3 is May, after the period. */
    assert_nan (crm_cohort_matrix_get (m, 1, 3));
    g_assert_cmpint (g_date_get_month (&m->cohorts[3]), ==, 4);
  }
}

/* A customer's cohort and the trend across New Year. */
static void
test_year_boundary (StoreFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "A");
  g_autofree char *b = store_add_contact (f->store, "B");
  g_autoptr(CrmCohortMatrix) m = NULL;
  g_autoptr(CrmSalesTrend) weeks = NULL;
  g_autoptr(GPtrArray) top = NULL;
  CrmAnalyticsQuery q;
  CrmRevenue revenue;

  add_purchase (f->store, a, "2023-12-31T23:59:59Z", 1000);
  add_purchase (f->store, a, "2024-01-01T00:00:00Z", 500);
  add_purchase (f->store, b, "2023-06-01T08:00:00Z", 4000);
  add_purchase (f->store, b, "2024-01-02T08:00:00Z", 2500);

  query (&q, "2023-12-01", "2024-01-31");
  m = crm_analytics_cohort_retention (f->store, &q, &error);
  g_assert_no_error (error);
  /* B's cohort is June (before the period), so December holds only A. */
  g_assert_cmpint (m->sizes[0], ==, 1);
  g_assert_cmpfloat (crm_cohort_matrix_get (m, 0, 1), ==, 1.0);
  g_assert_cmpint (m->sizes[1], ==, 0);

  query (&q, "2024-01-01", "2024-12-31");
  g_assert_true (crm_analytics_revenue (f->store, &q, &revenue, &error));
  g_assert_cmpint (revenue.revenue, ==, 3000);
  g_assert_cmpint (revenue.previous_revenue, ==, 5000);
  g_assert_cmpint (revenue.year_ago_revenue, ==, 5000);
  g_assert_cmpfloat_with_epsilon (revenue.growth, -0.4, 1e-9);
  g_assert_cmpfloat_with_epsilon (revenue.average_order, 1500.0, 1e-9);

  /* 31 December 2023 is a Sunday: the last day of ISO week 2023-W52. */
  query (&q, "2023-12-25", "2024-01-07");
  weeks = crm_analytics_sales_trend (f->store, &q, CRM_TIME_UNIT_WEEK, &error);
  g_assert_cmpuint (weeks->n_points, ==, 2);
  g_assert_cmpint (weeks->points[0].revenue, ==, 1000);
  g_assert_cmpint (weeks->points[1].revenue, ==, 3000);
  g_assert_cmpint (weeks->points[1].customers, ==, 2);

  top = crm_analytics_top_customers (f->store, &q, 1, &error);
  g_assert_cmpuint (top->len, ==, 1);
  g_assert_cmpstr (((CrmTopCustomer *) top->pdata[0])->name, ==, "B");
  g_assert_cmpint (((CrmTopCustomer *) top->pdata[0])->revenue, ==, 2500);
}

static void
test_churn (StoreFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "A");
  g_autofree char *b = store_add_contact (f->store, "B");
  g_autofree char *c = store_add_contact (f->store, "C");
  g_autofree char *d = store_add_contact (f->store, "D");
  g_autofree char *e = store_add_contact (f->store, "E");
  g_autofree char *g = store_add_contact (f->store, "F");
  CrmAnalyticsQuery q;
  CrmRatio churn;

  /* October 2024: active at the start means a purchase from 2023-10-02
   * (365 days before 1 October, across the leap day) to 30 September. */
  add_purchase (f->store, a, "2024-03-01T10:00:00Z", 1);   /* churned */
  add_purchase (f->store, b, "2024-09-15T10:00:00Z", 1);   /* came back within 180 days */
  add_purchase (f->store, b, "2025-01-10T10:00:00Z", 1);
  add_purchase (f->store, c, "2024-09-20T10:00:00Z", 1);   /* bought in October */
  add_purchase (f->store, c, "2024-10-05T10:00:00Z", 1);
  add_purchase (f->store, d, "2023-10-01T10:00:00Z", 1);   /* not active at the start */
  add_purchase (f->store, e, "2023-10-02T10:00:00Z", 1);   /* churned */
  add_purchase (f->store, g, "2024-09-25T10:00:00Z", 1);   /* 180 days over on 2025-03-24 */

  query (&q, "2024-10-01", "2024-10-31");
  set_as_of (&q, 2025, 6, 1);
  g_assert_true (crm_analytics_churn_rate (f->store, &q, &churn, &error));
  g_assert_no_error (error);
  g_assert_cmpint (churn.denominator, ==, 5);
  g_assert_cmpint (churn.numerator, ==, 3);
  g_assert_cmpfloat_with_epsilon (churn.rate, 0.6, 1e-9);

  /* Seen on 1 March 2025, F's 180 days are not over yet. */
  set_as_of (&q, 2025, 3, 1);
  g_assert_true (crm_analytics_churn_rate (f->store, &q, &churn, &error));
  g_assert_cmpint (churn.numerator, ==, 2);
}

/* Twelve months in one query give what twelve calls of
 * crm_analytics_churn_rate() give, and say which months are final. */
static void
test_churn_by_month (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *dates[] = {
    "2023-10-02T10:00:00Z", "2024-01-31T23:30:00Z", "2024-02-29T12:00:00Z", "2024-03-01T10:00:00Z",
    "2024-03-01T10:00:00Z", "2024-05-20T10:00:00Z", "2024-09-15T10:00:00Z", "2024-11-30T16:30:00Z",
    "2025-01-10T10:00:00Z", "2025-03-02T10:00:00Z", "2025-07-01T10:00:00Z",
  };
  CrmAnalyticsQuery q;
  CrmRatio by_month[12];
  gboolean final[12];
  gboolean has_purchases = TRUE;
  gint64 churned = 0;

  /* Contact k buys on dates k, k+3, k+6, … (A buys twice on 1 March). */
  for (guint k = 0; k < 4; k++)
    {
      g_autofree char *name = g_strdup_printf ("%c", 'A' + k);
      g_autofree char *id = store_add_contact (f->store, name);

      for (guint i = k; i < G_N_ELEMENTS (dates); i += 3)
        add_purchase (f->store, id, dates[i], 1);
    }

  /* E buys again 171 days later, after the last month's start: not
   * churned in December 2024, though nothing is bought in the months the
   * query reads after it. */
  {
    g_autofree char *id = store_add_contact (f->store, "E");

    add_purchase (f->store, id, "2024-11-20T10:00:00Z", 1);
    add_purchase (f->store, id, "2025-05-10T10:00:00Z", 1);
  }

  query (&q, "2023-09-01", "2023-10-01");
  g_assert_true (crm_analytics_has_purchases (f->store, &q, &has_purchases, &error));
  g_assert_false (has_purchases);   /* the first is on 2 October */
  query (&q, "2023-10-01", "2023-10-02");
  g_assert_true (crm_analytics_has_purchases (f->store, &q, &has_purchases, &error));
  g_assert_true (has_purchases);

  query (&q, "2024-06-01", "2025-05-31");
  set_as_of (&q, 2025, 6, 1);
  g_assert_true (crm_analytics_churn_by_month (f->store, &q, 12, by_month, final, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 12; i++)
    {
      CrmAnalyticsQuery month = q;
      CrmRatio one;

      g_date_add_months (&month.from, i);
      month.to = month.from;
      g_date_add_months (&month.to, 1);
      g_date_subtract_days (&month.to, 1);
      g_assert_true (crm_analytics_churn_rate (f->store, &month, &one, &error));
      g_assert_cmpint (by_month[i].denominator, ==, one.denominator);
      g_assert_cmpint (by_month[i].numerator, ==, one.numerator);
      g_assert_cmpint (final[i], ==, crm_analytics_churn_is_final (&month));
      churned += one.numerator;
    }
  /* Someone was active in June 2024, and someone churned. */
  g_assert_cmpint (by_month[0].denominator, >, 0);
  g_assert_cmpint (churned, >, 0);
  /* Seen on 1 June 2025: December 2024 started 182 days before, January
   * 2025 151 days before. */
  g_assert_true (final[6]);
  g_assert_false (final[7]);
  g_assert_false (final[11]);
}

static void
test_filters (StoreFixture  *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "A");
  g_autofree char *b = store_add_contact (f->store, "B");
  g_autofree char *sql = g_strdup_printf ("UPDATE contacts SET province = '广东', owner_id = '%s' WHERE id = '%s'",
                                          a, a);
  CrmAnalyticsQuery q;
  CrmRevenue revenue;

  exec_sql (f->store, sql);
  add_purchase (f->store, a, "2024-05-01T10:00:00Z", 100);
  add_purchase (f->store, b, "2024-05-02T10:00:00Z", 1000);

  query (&q, "2024-05-01", "2024-05-31");
  g_assert_true (crm_analytics_revenue (f->store, &q, &revenue, &error));
  g_assert_cmpint (revenue.revenue, ==, 1100);
  q.province = "广东";
  g_assert_true (crm_analytics_revenue (f->store, &q, &revenue, &error));
  g_assert_cmpint (revenue.revenue, ==, 100);
  q.province = NULL;
  q.owner_id = b;
  g_assert_true (crm_analytics_revenue (f->store, &q, &revenue, &error));
  g_assert_cmpint (revenue.revenue, ==, 0);
  q.owner_id = a;
  g_assert_true (crm_analytics_revenue (f->store, &q, &revenue, &error));
  g_assert_cmpint (revenue.revenue, ==, 100);
  /* A filter value is data, never SQL. */
  q.owner_id = "x' OR '1'='1";
  g_assert_true (crm_analytics_revenue (f->store, &q, &revenue, &error));
  g_assert_cmpint (revenue.revenue, ==, 0);
}

static void
test_distributions (StoreFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "A");
  g_autofree char *b = store_add_contact (f->store, "B");
  g_autofree char *c = store_add_contact (f->store, "C");
  g_autoptr(CrmDistribution) lifecycle = NULL;
  g_autoptr(CrmDistribution) rfm = NULL;
  CrmAnalyticsQuery q;
  gint64 sum = 0;

  add_purchase (f->store, a, "2024-03-20T10:00:00Z", 100);
  add_purchase (f->store, b, "2023-01-01T10:00:00Z", 100);
  g_assert_true (crm_store_recompute_derived (f->store, "2024-03-31", &error));
  g_assert_no_error (error);

  query (&q, "2024-03-01", "2024-03-31");
  lifecycle = crm_analytics_lifecycle (f->store, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lifecycle->total, ==, 3);
  g_assert_cmpstr (lifecycle->keys[0], ==, "lead");
  g_assert_cmpint (lifecycle->counts[0], ==, 1);     /* C */
  g_assert_cmpstr (lifecycle->keys[1], ==, "first_time");
  g_assert_cmpint (lifecycle->counts[1], ==, 1);     /* A */
  g_assert_cmpstr (lifecycle->keys[5], ==, "churned");
  g_assert_cmpint (lifecycle->counts[5], ==, 1);     /* B */

  rfm = crm_analytics_rfm_segments (f->store, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rfm->total, ==, 2);
  for (guint i = 0; i < rfm->n; i++)
    sum += rfm->amounts[i];
  /* Only A bought in March. */
  g_assert_cmpint (sum, ==, 100);
  g_assert_cmpstr (crm_analytics_category_label ("at_risk"), ==, "At risk");
  (void) c;
}

static void
add_stage (CrmStore   *store,
           const char *pipeline_id,
           const char *name,
           int         position,
           int         probability,
           gboolean    won,
           gboolean    lost,
           char      **out_id)
{
  g_autoptr(CrmStage) stage = crm_stage_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (stage, "pipeline-id", pipeline_id, "name", name, "position", position,
                "probability", probability, "is-won", won, "is-lost", lost, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (stage), &error));
  g_assert_no_error (error);
  *out_id = g_strdup (crm_record_get_id (CRM_RECORD (stage)));
}

static void
add_deal (CrmStore   *store,
          const char *pipeline_id,
          const char *stage_id,
          gint64      amount,
          const char *closed_at)
{
  g_autoptr(CrmDeal) deal = crm_deal_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (deal, "title", "单", "pipeline-id", pipeline_id, "stage-id", stage_id, "amount", amount, NULL);
  if (closed_at != NULL)
    g_object_set (deal, "closed-at", closed_at, NULL);
  crm_store_insert (store, CRM_RECORD (deal), &error);
  g_assert_no_error (error);
}

static void
today_query (CrmAnalyticsQuery *q)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  query (q, today, today);
}

static void
test_deals (StoreFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmPipeline) pipeline = crm_pipeline_new ();
  g_autoptr(CrmPipelineSummary) summary = NULL;
  g_autofree char *s_a = NULL, *s_b = NULL, *s_won = NULL, *s_lost = NULL;
  const char *pid;
  CrmAnalyticsQuery q;
  CrmRatio ratio;

  g_object_set (pipeline, "name", "销售", "is-default", TRUE, NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (pipeline), &error));
  g_assert_no_error (error);
  add_stage (f->store, crm_record_get_id (CRM_RECORD (pipeline)), "A", 0, 10, FALSE, FALSE, &s_a);
  add_stage (f->store, crm_record_get_id (CRM_RECORD (pipeline)), "B", 1, 50, FALSE, FALSE, &s_b);
  add_stage (f->store, crm_record_get_id (CRM_RECORD (pipeline)), "Won", 2, 100, TRUE, FALSE, &s_won);
  add_stage (f->store, crm_record_get_id (CRM_RECORD (pipeline)), "Lost", 3, 0, FALSE, TRUE, &s_lost);

  pid = crm_record_get_id (CRM_RECORD (pipeline));
  add_deal (f->store, pid, s_won, 5000, "2024-05-10T10:00:00Z");
  add_deal (f->store, pid, s_lost, 7000, "2024-05-20T10:00:00Z");
  add_deal (f->store, pid, s_won, 9000, "2024-06-01T10:00:00Z");
  add_deal (f->store, pid, s_a, 1000, NULL);
  add_deal (f->store, pid, s_b, 2000, NULL);

  query (&q, "2024-05-01", "2024-05-31");
  g_assert_true (crm_analytics_deal_conversion (f->store, &q, &ratio, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ratio.numerator, ==, 1);
  g_assert_cmpint (ratio.denominator, ==, 2);

  /* The deals were created today: the funnel counts how far each got. */
  today_query (&q);
  summary = crm_analytics_pipeline (f->store, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->n_stages, ==, 3);
  g_assert_cmpstr (summary->stages[0].name, ==, "A");
  g_assert_cmpint (summary->stages[0].reached, ==, 5);
  g_assert_cmpint (summary->stages[1].reached, ==, 3);
  g_assert_cmpint (summary->stages[2].reached, ==, 2);
  g_assert_cmpint (summary->stages[0].open_amount, ==, 1000);
  g_assert_cmpint (summary->stages[1].open_count, ==, 1);
  g_assert_cmpfloat_with_epsilon (summary->forecast, 100.0 + 1000.0, 1e-9);
}

static void
test_leads_and_campaigns (StoreFixture  *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "A");
  g_autofree char *b = store_add_contact (f->store, "B");
  g_autofree char *members = NULL;
  CrmAnalyticsQuery q;
  CrmRatio ratio, response, conversion;

  add_purchase (f->store, a, "2024-05-20T10:00:00Z", 100);
  add_purchase (f->store, b, "2024-06-15T10:00:00Z", 100);

  today_query (&q);
  g_assert_true (crm_analytics_lead_conversion (f->store, &q, &ratio, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ratio.denominator, ==, 2);
  g_assert_cmpint (ratio.numerator, ==, 2);

  /* The same while a first pull leaves the contacts' indexes to its end:
   * the dashboard stays up during the pull. */
  {
    CrmStoreBulk *bulk = crm_store_bulk_begin (f->store, 0, CRM_STORE_BULK_NONE);
    CrmRatio during;

    g_assert_true (crm_store_bulk_defer_indexes (bulk, "contacts", &error));
    g_assert_true (crm_analytics_lead_conversion (f->store, &q, &during, &error));
    g_assert_no_error (error);
    g_assert_cmpint (during.denominator, ==, 2);
    g_assert_cmpint (during.numerator, ==, 2);
    crm_store_bulk_end (bulk);
  }

  /* A bought 19 days after being sent, B 44 days after; B responded. */
  members = g_strdup_printf (
    "INSERT INTO campaigns (id, created_at, updated_at, name) VALUES (" "'" ID ("00001") "', 'x', 'x', '春季');"
    "INSERT INTO campaign_members (id, created_at, updated_at, campaign_id, contact_id, status, sent_at)"
    "  VALUES ('" ID ("00002") "', 'x', 'x', '" ID ("00001") "', '%s', 'sent', '2024-05-01T10:00:00Z');"
    "INSERT INTO campaign_members (id, created_at, updated_at, campaign_id, contact_id, status, sent_at, responded_at)"
    "  VALUES ('" ID ("00003") "', 'x', 'x', '" ID ("00001") "', '%s', 'responded', '2024-05-02T10:00:00Z',"
    "  '2024-05-03T10:00:00Z');"
    "INSERT INTO campaign_members (id, created_at, updated_at, campaign_id, contact_id, status)"
    "  VALUES ('" ID ("00004") "', 'x', 'x', '" ID ("00001") "', '%s', 'pending');",
    a, b, b);
  exec_sql (f->store, members);

  query (&q, "2024-05-01", "2024-05-31");
  g_assert_true (crm_analytics_campaigns (f->store, &q, &response, &conversion, &error));
  g_assert_no_error (error);
  g_assert_cmpint (response.denominator, ==, 2);
  g_assert_cmpint (response.numerator, ==, 1);
  g_assert_cmpint (conversion.numerator, ==, 1);
}

static void
test_satisfaction (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSatisfactionTrend) trend = NULL;
  CrmSatisfaction s;
  CrmAnalyticsQuery q;
  GString *sql = g_string_new (
    "INSERT INTO surveys (id, created_at, updated_at, title) VALUES ('" ID ("00010") "', 'x', 'x', 'S');"
    "INSERT INTO survey_questions (id, created_at, updated_at, survey_id, kind, text) VALUES"
    " ('" ID ("00011") "', 'x', 'x', '" ID ("00010") "', 'nps', 'nps'),"
    " ('" ID ("00012") "', 'x', 'x', '" ID ("00010") "', 'csat', 'csat');"
    "INSERT INTO survey_responses (id, created_at, updated_at, survey_id, submitted_at) VALUES"
    " ('" ID ("00020") "', 'x', 'x', '" ID ("00010") "', '2024-03-10T10:00:00Z'),"
    " ('" ID ("00021") "', 'x', 'x', '" ID ("00010") "', '2024-04-02T10:00:00Z');");
  /* March: NPS 10, 10, 9, 8, 3 → (3 − 1) / 5 = 40; CSAT 5, 4, 3, 1 → 50 %,
   * average 3.25. April: one NPS 0 → −100. */
  static const struct { const char *q; int v; const char *r; } answers[] = {
    { "00011", 10, "00020" }, { "00011", 10, "00020" }, { "00011", 9, "00020" },
    { "00011", 8, "00020" }, { "00011", 3, "00020" },
    { "00012", 5, "00020" }, { "00012", 4, "00020" }, { "00012", 3, "00020" },
    { "00012", 1, "00020" }, { "00011", 0, "00021" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    g_string_append_printf (sql, "INSERT INTO survey_answers (id, created_at, updated_at, response_id,"
                            " question_id, value_number) VALUES ('" ID ("%05u") "', 'x', 'x',"
                            " '" ID ("%s") "', '" ID ("%s") "', %d);",
                            100 + i, answers[i].r, answers[i].q, answers[i].v);
  exec_sql (f->store, sql->str);
  g_string_free (sql, TRUE);

  query (&q, "2024-03-01", "2024-03-31");
  g_assert_true (crm_analytics_satisfaction (f->store, &q, &s, &error));
  g_assert_no_error (error);
  g_assert_cmpint (s.nps_answers, ==, 5);
  g_assert_cmpfloat_with_epsilon (s.nps, 40.0, 1e-9);
  g_assert_cmpint (s.nps_counts[10], ==, 2);
  g_assert_cmpint (s.csat_answers, ==, 4);
  g_assert_cmpfloat_with_epsilon (s.csat, 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (s.csat_average, 3.25, 1e-9);

  query (&q, "2024-03-01", "2024-05-31");
  trend = crm_analytics_satisfaction_trend (f->store, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trend->n, ==, 3);
  g_assert_cmpfloat_with_epsilon (trend->nps[0], 40.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (trend->nps[1], -100.0, 1e-9);
  assert_nan (trend->csat[1]);
  assert_nan (trend->nps[2]);
}

static void
test_service_times (StoreFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CrmServiceTimes t;
  CrmAnalyticsQuery q;

  /* Responses after 1, 2, 3 and 10 hours; resolutions after 24 and 48. */
  exec_sql (f->store,
    "INSERT INTO activities (id, created_at, updated_at, kind, status, first_response_at, resolved_at) VALUES"
    " ('" ID ("00030") "', '2024-05-01T00:00:00.000Z-0000-x', 'x', 'complaint', 'resolved',"
    "  '2024-05-01T01:00:00Z', '2024-05-02T00:00:00Z'),"
    " ('" ID ("00031") "', '2024-05-01T00:00:00.000Z-0000-x', 'x', 'complaint', 'closed',"
    "  '2024-05-01T02:00:00Z', '2024-05-03T00:00:00Z'),"
    " ('" ID ("00032") "', '2024-05-01T00:00:00.000Z-0000-x', 'x', 'complaint', 'open',"
    "  '2024-05-01T03:00:00Z', NULL),"
    " ('" ID ("00033") "', '2024-05-01T00:00:00.000Z-0000-x', 'x', 'complaint', 'in_progress',"
    "  '2024-05-01T10:00:00Z', NULL),"
    " ('" ID ("00034") "', '2024-06-01T00:00:00.000Z-0000-x', 'x', 'complaint', 'open', NULL, NULL),"
    " ('" ID ("00035") "', '2024-05-01T00:00:00.000Z-0000-x', 'x', 'call', NULL,"
    "  '2024-05-09T10:00:00Z', NULL);");

  query (&q, "2024-05-01", "2024-05-31");
  g_assert_true (crm_analytics_service_times (f->store, &q, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpint (t.complaints, ==, 4);
  g_assert_cmpint (t.open, ==, 2);
  g_assert_cmpint (t.responded, ==, 4);
  g_assert_cmpint (t.resolved, ==, 2);
  g_assert_cmpfloat_with_epsilon (t.response_median, 2.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (t.response_p90, 3.0 + 0.7 * 7.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (t.resolution_median, 36.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (t.resolution_p90, 45.6, 1e-6);
}

/* Local dates: a purchase at 23:30 UTC on 31 January is in January in UTC
 * and on 1 February in Shanghai (UTC+8), where test_time_zone_parent()
 * runs it again. */
static void
test_time_zone (StoreFixture  *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "A");
  g_autoptr(CrmCohortMatrix) m = NULL;
  CrmAnalyticsQuery q;
  CrmRevenue revenue;
  gboolean shanghai = g_strcmp0 (g_getenv ("TZ"), "Asia/Shanghai") == 0;

  add_purchase (f->store, a, "2024-01-31T23:30:00Z", 700);
  query (&q, "2024-01-01", "2024-01-31");
  g_assert_true (crm_analytics_revenue (f->store, &q, &revenue, &error));
  g_assert_cmpint (revenue.revenue, ==, shanghai ? 0 : 700);
  query (&q, "2024-02-01", "2024-02-29");
  g_assert_true (crm_analytics_revenue (f->store, &q, &revenue, &error));
  g_assert_cmpint (revenue.revenue, ==, shanghai ? 700 : 0);
  query (&q, "2024-01-01", "2024-02-29");
  m = crm_analytics_cohort_retention (f->store, &q, &error);
  g_assert_cmpint (m->sizes[0], ==, shanghai ? 0 : 1);
  g_assert_cmpint (m->sizes[1], ==, shanghai ? 1 : 0);
}

static void
test_time_zone_parent (void)
{
  if (!g_file_test ("/usr/share/zoneinfo/Asia/Shanghai", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no tzdata for Asia/Shanghai");
      return;
    }
  g_setenv ("CRM_TEST_TZ", "Asia/Shanghai", TRUE);
  g_test_trap_subprocess ("/analytics/time-zone", 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("CRM_TEST_TZ");
  g_test_trap_assert_passed ();
}

/* crm_local_date() (the analytics' fast local date) agrees with SQLite's
 * date (ts, 'localtime') over three years of timestamps, across the DST
 * changes of New York where test_local_date_parent() runs it again. */
static void
test_local_date (StoreFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  CrmAnalyticsQuery q;
  CrmRevenue revenue;

  /* Any analytics query registers the function on the connection. */
  query (&q, "2024-01-01", "2024-01-31");
  g_assert_true (crm_analytics_revenue (f->store, &q, &revenue, &error));
  g_assert_cmpint (store_query_int (f->store,
    "WITH RECURSIVE t (x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM t WHERE x < 3000),"
    " ts (v) AS (SELECT strftime ('%Y-%m-%dT%H:%M:%SZ', 1672531200 + x * 31567, 'unixepoch') FROM t)"
    " SELECT count (*) FROM ts WHERE crm_local_date (v) IS NOT date (v, 'localtime')"), ==, 0);
  /* The hours around the spring and autumn changes of 2024. */
  g_assert_cmpint (store_query_int (f->store,
    "WITH RECURSIVE t (x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM t WHERE x < 200),"
    " ts (v) AS (SELECT strftime ('%Y-%m-%dT%H:%M:%S.000Z', 1710043200 + x * 900, 'unixepoch') FROM t UNION ALL"
    "            SELECT strftime ('%Y-%m-%dT%H:%M:%SZ', 1730602800 + x * 900, 'unixepoch') FROM t)"
    " SELECT count (*) FROM ts WHERE crm_local_date (v) IS NOT date (v, 'localtime')"), ==, 0);
  text = store_query_text (f->store, "SELECT crm_local_date ('2024-02-29')");
  g_assert_cmpstr (text, ==, "2024-02-29");
  g_assert_cmpint (store_query_int (f->store, "SELECT crm_local_date ('not a date') IS NULL"), ==, 1);
}

static void
test_local_date_parent (void)
{
  if (!g_file_test ("/usr/share/zoneinfo/America/New_York", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no tzdata for America/New_York");
      return;
    }
  g_setenv ("CRM_TEST_TZ", "America/New_York", TRUE);
  g_test_trap_subprocess ("/analytics/local-date", 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("CRM_TEST_TZ");
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  /* Local dates are the point of several tests: fix the zone. */
  g_setenv ("TZ", g_getenv ("CRM_TEST_TZ") != NULL ? g_getenv ("CRM_TEST_TZ") : "UTC", TRUE);
  tzset ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/analytics/query-periods", test_query_periods);
  g_test_add_func ("/analytics/time-unit-keys", test_time_unit_keys);
  STORE_TEST ("/analytics/empty", test_empty);
  STORE_TEST ("/analytics/single-customer", test_single_customer);
  STORE_TEST ("/analytics/year-boundary", test_year_boundary);
  STORE_TEST ("/analytics/churn", test_churn);
  STORE_TEST ("/analytics/churn-by-month", test_churn_by_month);
  STORE_TEST ("/analytics/filters", test_filters);
  STORE_TEST ("/analytics/distributions", test_distributions);
  STORE_TEST ("/analytics/deals", test_deals);
  STORE_TEST ("/analytics/leads-and-campaigns", test_leads_and_campaigns);
  STORE_TEST ("/analytics/satisfaction", test_satisfaction);
  STORE_TEST ("/analytics/service-times", test_service_times);
  STORE_TEST ("/analytics/time-zone", test_time_zone);
  g_test_add_func ("/analytics/time-zone-in-shanghai", test_time_zone_parent);
  STORE_TEST ("/analytics/local-date", test_local_date);
  g_test_add_func ("/analytics/local-date-in-new-york", test_local_date_parent);

  return g_test_run ();
}
