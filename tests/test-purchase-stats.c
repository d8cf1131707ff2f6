/* test-purchase-stats.c: the purchase summaries (migrations 10 and 11) follow every way purchases change */

#include "config.h"

#include <math.h>
#include <time.h>

#include <json-glib/json-glib.h>

#include "crm-analytics.h"
#include "crm-import-run.h"
#include "crm-local-months.h"
#include "crm-merge.h"
#include "crm-purchase.h"
#include "crm-purchase-importer.h"
#include "crm-sync-engine.h"
#include "store-fixture.h"

/* An id of 36 characters made from a short tag, for rows written in SQL. */
#define ID(tag) "00000000-0000-7000-8000-0000000" tag

/* The summaries hold exactly what the purchases say, both ways. */
#define STATS_FROM_PURCHASES \
  "SELECT p.contact_id, min (p.purchased_at), max (p.purchased_at), count (*), sum (p.amount)," \
  " (SELECT q.purchased_at FROM purchases q WHERE q.contact_id = p.contact_id AND q.deleted = 0" \
  "  ORDER BY q.purchased_at DESC LIMIT 1 OFFSET 1)" \
  " FROM purchases p WHERE p.deleted = 0 GROUP BY p.contact_id"
#define HOURS_FROM_PURCHASES \
  "SELECT substr (purchased_at, 1, 13), count (*), sum (amount) FROM purchases WHERE deleted = 0 GROUP BY 1"
/* Local months as the analytics compute them (crm_local_date()), and the
 * cohorts from those months. */
#define MONTHS_FROM_PURCHASES \
  "SELECT contact_id, CAST (substr (d, 1, 4) AS INTEGER) * 12 + CAST (substr (d, 6, 2) AS INTEGER) - 1, count (*)" \
  " FROM (SELECT contact_id, crm_local_date (purchased_at) AS d FROM purchases WHERE deleted = 0) GROUP BY 1, 2"
#define COHORTS_FROM_MONTHS \
  "SELECT cohort, month, count (*) FROM (" \
  " SELECT min (month) OVER (PARTITION BY contact_id) AS cohort, month FROM purchase_months) GROUP BY 1, 2"

/* @a EXCEPT @b and @b EXCEPT @a are empty. */
static void
assert_same_rows (CrmStore   *store,
                  const char *a,
                  const char *b)
{
  g_autofree char *ab = g_strdup_printf ("SELECT count (*) FROM (%s EXCEPT %s)", a, b);
  g_autofree char *ba = g_strdup_printf ("SELECT count (*) FROM (%s EXCEPT %s)", b, a);

  g_assert_cmpint (store_query_int (store, ab), ==, 0);
  g_assert_cmpint (store_query_int (store, ba), ==, 0);
}

static void
assert_consistent (CrmStore *store)
{
  g_assert_cmpint (store_query_int (store, "SELECT count (*) FROM (SELECT * FROM purchase_stats EXCEPT "
                                    STATS_FROM_PURCHASES ")"), ==, 0);
  g_assert_cmpint (store_query_int (store, "SELECT count (*) FROM (" STATS_FROM_PURCHASES
                                    " EXCEPT SELECT * FROM purchase_stats)"), ==, 0);
  g_assert_cmpint (store_query_int (store, "SELECT count (*) FROM (SELECT * FROM purchase_hours EXCEPT "
                                    HOURS_FROM_PURCHASES ")"), ==, 0);
  g_assert_cmpint (store_query_int (store, "SELECT count (*) FROM (" HOURS_FROM_PURCHASES
                                    " EXCEPT SELECT * FROM purchase_hours)"), ==, 0);

  /* crm_local_date() is there once the analytics have run a query. */
  {
    CrmAnalyticsQuery q;
    gboolean any;

    g_assert_true (crm_analytics_query_init (&q, "2024-01-01", "2024-01-31", NULL));
    g_assert_true (crm_analytics_has_purchases (store, &q, &any, NULL));
  }
  g_assert_true (crm_local_months_current (store));
  assert_same_rows (store, "SELECT * FROM purchase_months", MONTHS_FROM_PURCHASES);
  assert_same_rows (store, "SELECT * FROM cohort_months", COHORTS_FROM_MONTHS);
}

static char *
stats_of (CrmStore   *store,
          const char *contact_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce ((SELECT first_at || ' ' || last_at || ' ' || orders || ' ' || revenue"
                                          " FROM purchase_stats WHERE contact_id = '%s'), 'none')", contact_id);

  return store_query_text (store, sql);
}

static void
set_as_of (CrmAnalyticsQuery *q,
           int                year,
           int                month,
           int                day)
{
  g_date_clear (&q->as_of, 1);
  g_date_set_dmy (&q->as_of, day, month, year);
}

static CrmPurchase *
add_purchase (CrmStore   *store,
              const char *contact_id,
              const char *at,
              gint64      amount)
{
  CrmPurchase *purchase = crm_purchase_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (purchase, "contact-id", contact_id, "product", "商品", "purchased-at", at,
                "amount", amount, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (purchase), &error));
  g_assert_no_error (error);
  return purchase;
}

/* Cohort sizes of 2024-01 … 2024-03 as the analytics see them. */
static void
assert_cohorts (CrmStore *store,
                gint64    jan,
                gint64    feb,
                gint64    mar)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCohortMatrix) m = NULL;
  CrmAnalyticsQuery q;

  g_assert_true (crm_analytics_query_init (&q, "2024-01-01", "2024-03-31", &error));
  m = crm_analytics_cohort_retention (store, &q, &error);
  g_assert_no_error (error);
  g_assert_cmpint (m->sizes[0], ==, jan);
  g_assert_cmpint (m->sizes[1], ==, feb);
  g_assert_cmpint (m->sizes[2], ==, mar);
}

static void
test_insert_and_backdate (StoreFixture  *f,
                          gconstpointer  data)
{
  g_autofree char *a = store_add_contact (f->store, "甲");
  g_autofree char *b = store_add_contact (f->store, "乙");
  g_autofree char *s = NULL;

  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM purchase_stats"), ==, 0);
  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, a, "2024-02-10T10:00:00Z", 100) });
  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, a, "2024-03-01T10:00:00Z", 50) });
  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, b, "2024-03-05T10:00:00Z", 7) });
  s = stats_of (f->store, a);
  g_assert_cmpstr (s, ==, "2024-02-10T10:00:00Z 2024-03-01T10:00:00Z 2 150");
  assert_consistent (f->store);
  assert_cohorts (f->store, 0, 1, 1);

  /* A purchase entered late, dated before the others: the customer's
   * cohort moves from February to January. */
  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, a, "2024-01-20T10:00:00Z", 30) });
  g_free (s);
  s = stats_of (f->store, a);
  g_assert_cmpstr (s, ==, "2024-01-20T10:00:00Z 2024-03-01T10:00:00Z 3 180");
  assert_consistent (f->store);
  assert_cohorts (f->store, 1, 0, 1);

  /* The same time as the last, then one between: the purchase before the
   * last follows. */
  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, a, "2024-03-01T10:00:00Z", 1) });
  assert_consistent (f->store);
  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, b, "2024-03-04T10:00:00Z", 1) });
  assert_consistent (f->store);
  g_free (s);
  s = store_query_text (f->store, "SELECT group_concat (prev_at, ' ') FROM purchase_stats");
  g_assert_cmpstr (s, ==, "2024-03-01T10:00:00Z 2024-03-04T10:00:00Z");
}

static void
test_delete_update_undelete (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "甲");
  g_autofree char *b = store_add_contact (f->store, "乙");
  g_autoptr(CrmPurchase) first = add_purchase (f->store, a, "2024-01-20T10:00:00Z", 30);
  g_autoptr(CrmPurchase) last = add_purchase (f->store, a, "2024-03-01T10:00:00Z", 50);
  g_autoptr(CrmPurchase) middle = add_purchase (f->store, a, "2024-02-10T10:30:00Z", 100);
  g_autofree char *s = NULL;

  /* Deleting the first purchase: the next one becomes the first. */
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_PURCHASE, crm_record_get_id (CRM_RECORD (first)), &error));
  g_assert_no_error (error);
  s = stats_of (f->store, a);
  g_assert_cmpstr (s, ==, "2024-02-10T10:30:00Z 2024-03-01T10:00:00Z 2 150");
  assert_consistent (f->store);
  assert_cohorts (f->store, 0, 1, 0);

  /* …and undeleting it puts it back. */
  g_assert_true (crm_store_undelete (f->store, CRM_TYPE_PURCHASE, crm_record_get_id (CRM_RECORD (first)), &error));
  g_assert_no_error (error);
  g_free (s);
  s = stats_of (f->store, a);
  g_assert_cmpstr (s, ==, "2024-01-20T10:00:00Z 2024-03-01T10:00:00Z 3 180");
  assert_consistent (f->store);

  /* A new amount and a later date for the last purchase. */
  g_object_set (last, "amount", (gint64) 70, "purchased-at", "2024-03-09T08:00:00Z", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (last), &error));
  g_assert_no_error (error);
  g_free (s);
  s = stats_of (f->store, a);
  g_assert_cmpstr (s, ==, "2024-01-20T10:00:00Z 2024-03-09T08:00:00Z 3 200");
  assert_consistent (f->store);

  /* The middle purchase moves to another customer (as a merge does). */
  g_object_set (middle, "contact-id", b, NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (middle), &error));
  g_assert_no_error (error);
  assert_consistent (f->store);
  g_free (s);
  s = stats_of (f->store, b);
  g_assert_cmpstr (s, ==, "2024-02-10T10:30:00Z 2024-02-10T10:30:00Z 1 100");

  /* Everything deleted: no row, no hour left. */
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_PURCHASE, crm_record_get_id (CRM_RECORD (first)), &error));
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_PURCHASE, crm_record_get_id (CRM_RECORD (last)), &error));
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_PURCHASE, crm_record_get_id (CRM_RECORD (middle)), &error));
  g_assert_no_error (error);
  g_free (s);
  s = stats_of (f->store, a);
  g_assert_cmpstr (s, ==, "none");
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM purchase_stats"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM purchase_hours"), ==, 0);
  assert_cohorts (f->store, 0, 0, 0);
}

/* Rows removed in SQL (as a sync removes a customer no longer visible),
 * and a write the summaries cannot take leaves nothing half done. */
static void
test_hard_delete_and_rollback (StoreFixture  *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "甲");
  g_autofree char *b = store_add_contact (f->store, "乙");
  g_autofree char *sql = NULL;

  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, a, "2024-01-20T10:00:00Z", 30) });
  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, a, "2024-01-20T10:59:00Z", 40) });
  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, b, "2024-01-20T10:15:00Z", 5) });
  g_assert_cmpint (store_query_int (f->store, "SELECT orders FROM purchase_hours WHERE hour = '2024-01-20T10'"), ==, 3);

  sql = g_strdup_printf ("DELETE FROM purchases WHERE contact_id = '%s'", a);
  g_assert_true (crm_store_exec (f->store, sql, &error));
  g_assert_no_error (error);
  assert_consistent (f->store);
  g_assert_cmpint (store_query_int (f->store, "SELECT revenue FROM purchase_hours WHERE hour = '2024-01-20T10'"), ==, 5);

  /* An amount the table refuses: the statement fails and the summaries
   * keep what they had. */
  g_free (sql);
  sql = g_strdup_printf ("UPDATE purchases SET amount = -1 WHERE contact_id = '%s'", b);
  g_assert_false (crm_store_exec (f->store, sql, &error));
  g_assert_nonnull (error);
  assert_consistent (f->store);
}

static void
test_import_undo (StoreFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmPurchaseImporter) importer = crm_purchase_importer_new (f->store);
  g_autofree char *path = g_build_filename (f->dir, "purchases.csv", NULL);
  g_autofree char *a = store_add_contact (f->store, "甲");
  g_autofree char *before = NULL, *after = NULL;
  guint64 reverted = 0;

  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, a, "2024-02-10T10:00:00Z", 100) });
  before = store_query_text (f->store, "SELECT group_concat (contact_id || first_at || last_at || orders || revenue)"
                                       " FROM purchase_stats");
  g_assert_true (g_file_set_contents (path,
                                      "订单号,客户编号,邮箱,商品,金额,下单时间\n"
                                      "SO-1,C001,new1@example.com,茶叶,88,2024-01-05 09:00\n"
                                      "SO-2,C001,new1@example.com,咖啡,12,2024-03-07 10:00\n"
                                      "SO-3,C002,new2@example.com,咖啡,5,2024-03-08 11:00\n", -1, NULL));
  crm_purchase_importer_set_create_missing (importer, TRUE);
  g_assert_true (crm_purchase_importer_run (importer, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM purchase_stats"), ==, 3);
  assert_consistent (f->store);
  assert_cohorts (f->store, 1, 1, 1);

  g_assert_true (crm_import_run_undo (f->store, crm_import_run_get_id (crm_purchase_importer_get_run (importer)),
                                      &reverted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (reverted, >=, 3);
  after = store_query_text (f->store, "SELECT group_concat (contact_id || first_at || last_at || orders || revenue)"
                                      " FROM purchase_stats");
  g_assert_cmpstr (after, ==, before);
  assert_consistent (f->store);
  assert_cohorts (f->store, 0, 1, 0);
}

/* Customers of cohort c (first local month, as year × 12 + month - 1)
 * who bought in month m, by hand from the purchases before :to_ts, of live
 * customers (in :province if given). */
#define COHORTS_BY_HAND \
  "WITH m AS (SELECT DISTINCT p.contact_id," \
  "  CAST (substr (d, 1, 4) AS INTEGER) * 12 + CAST (substr (d, 6, 2) AS INTEGER) - 1 AS ym" \
  "  FROM (SELECT contact_id, crm_local_date (purchased_at) AS d FROM purchases" \
  "        WHERE deleted = 0 AND purchased_at < :to_ts) p" \
  "  JOIN contacts c ON c.id = p.contact_id WHERE c.deleted = 0 AND (:province IS NULL OR c.province = :province))," \
  " k AS (SELECT ym, min (ym) OVER (PARTITION BY contact_id) AS cohort FROM m)" \
  " SELECT cohort, ym, count (*) FROM k GROUP BY 1, 2"

/* The cohort matrix (from the summaries or the purchases, whichever the
 * analytics choose) equals the one counted by hand, cell by cell, without
 * a filter and with one. */
static void
assert_cohorts_exact (CrmStore   *store,
                      const char *from,
                      const char *to)
{
  g_autoptr(GError) error = NULL;
  CrmAnalyticsQuery q;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *to_ts = NULL;

  g_assert_true (crm_store_exec (store, "UPDATE contacts SET province = CASE WHEN rowid % 3 = 0 THEN '乙' ELSE '甲' END",
                                 &error));
  g_assert_no_error (error);
  g_assert_true (crm_analytics_query_init (&q, from, to, &error));
  {
    GDate after = q.to;
    g_autoptr(GDateTime) local = NULL;
    g_autoptr(GDateTime) utc = NULL;

    g_date_add_days (&after, 1);
    local = g_date_time_new_local (g_date_get_year (&after), g_date_get_month (&after), g_date_get_day (&after), 0, 0, 0);
    utc = g_date_time_to_utc (local);
    to_ts = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.000Z");
  }
  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store), COHORTS_BY_HAND, -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint f = 0; f < 2; f++)
    {
      g_autoptr(CrmCohortMatrix) m = NULL;
      g_autoptr(GHashTable) by_hand = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      CrmAnalyticsQuery fq = q;

      fq.province = f == 0 ? NULL : "甲";
      sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":to_ts"), to_ts, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, sqlite3_bind_parameter_index (stmt, ":province"), fq.province, -1, SQLITE_STATIC);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_hash_table_insert (by_hand,
                             g_memdup2 (&(gint64) { sqlite3_column_int64 (stmt, 0) * 100000 + sqlite3_column_int64 (stmt, 1) },
                                        sizeof (gint64)),
                             g_memdup2 (&(gint64) { sqlite3_column_int64 (stmt, 2) }, sizeof (gint64)));
      sqlite3_reset (stmt);

      m = crm_analytics_cohort_retention (store, &fq, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < m->n_cohorts; i++)
        {
          gint64 cohort = g_date_get_year (&m->cohorts[i]) * 12 + g_date_get_month (&m->cohorts[i]) - 1;
          gint64 size = 0;

          for (guint k = 0; k < m->n_offsets; k++)
            {
              gint64 key = cohort * 100000 + cohort + k;
              gint64 *found = g_hash_table_lookup (by_hand, &key);
              gint64 n = found != NULL ? *found : 0;
              double cell = crm_cohort_matrix_get (m, i, k);

              if (k == 0)
                {
                  size = n;
                  g_assert_cmpint (m->sizes[i], ==, size);
                }
              if (i + k < m->n_cohorts && size > 0)
                g_assert_cmpfloat (cell, ==, (double) n / (double) size);
              else
                g_assert_true (isnan (cell));
            }
        }
    }
  sqlite3_finalize (stmt);
}

/* The month summaries on the edges: a purchase that is its customer's only
 * one in a month going (deleted, soft deleted in SQL, moved to another
 * month), a merge moving purchases to the other customer and its undo. */
static void
test_months (StoreFixture  *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "甲");
  g_autofree char *b = store_add_contact (f->store, "乙");
  g_autoptr(CrmPurchase) jan = add_purchase (f->store, a, "2024-01-31T23:59:59Z", 30);
  g_autoptr(CrmPurchase) feb = add_purchase (f->store, a, "2024-02-29T12:00:00Z", 30);
  g_autoptr(CrmPurchase) mar = add_purchase (f->store, b, "2024-03-01T00:00:00Z", 30);
  g_autofree char *sql = NULL;
  g_autofree char *merge_id = NULL;

  assert_consistent (f->store);
  assert_cohorts (f->store, 1, 0, 1);

  /* a's only January purchase goes: a is in the February cohort. */
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_PURCHASE, crm_record_get_id (CRM_RECORD (jan)), &error));
  g_assert_no_error (error);
  assert_consistent (f->store);
  assert_cohorts (f->store, 0, 1, 1);
  g_assert_true (crm_store_undelete (f->store, CRM_TYPE_PURCHASE, crm_record_get_id (CRM_RECORD (jan)), &error));
  g_assert_no_error (error);
  assert_cohorts (f->store, 1, 0, 1);

  /* Soft deleted in SQL, as the sqlite3 shell or a sync would. */
  sql = g_strdup_printf ("UPDATE purchases SET deleted = 1 WHERE id = '%s'", crm_record_get_id (CRM_RECORD (mar)));
  g_assert_true (crm_store_exec (f->store, sql, &error));
  g_assert_no_error (error);
  assert_consistent (f->store);
  assert_cohorts (f->store, 1, 0, 0);
  g_free (sql);
  sql = g_strdup_printf ("UPDATE purchases SET deleted = 0 WHERE id = '%s'", crm_record_get_id (CRM_RECORD (mar)));
  g_assert_true (crm_store_exec (f->store, sql, &error));
  g_assert_no_error (error);
  assert_cohorts (f->store, 1, 0, 1);

  /* February's purchase moves into March: a's months are January and March. */
  g_object_set (feb, "purchased-at", "2024-03-01T00:00:00Z", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (feb), &error));
  g_assert_no_error (error);
  assert_consistent (f->store);
  g_assert_cmpint (store_query_int (f->store, "SELECT customers FROM cohort_months WHERE cohort = 24288 AND month = 24290"),
                   ==, 1);
  assert_cohorts_exact (f->store, "2024-01-01", "2024-03-31");

  /* b merged into a: one customer of January, active in March. */
  g_assert_true (crm_merge_contacts (f->store, a, b, &merge_id, &error));
  g_assert_no_error (error);
  assert_consistent (f->store);
  assert_cohorts (f->store, 1, 0, 0);
  assert_cohorts_exact (f->store, "2024-01-01", "2024-03-31");
  g_assert_true (crm_merge_undo (f->store, merge_id, &error));
  g_assert_no_error (error);
  assert_consistent (f->store);
  assert_cohorts (f->store, 1, 0, 1);

  /* Everything gone: nothing left in the summaries. */
  g_assert_true (crm_store_exec (f->store, "DELETE FROM purchases", &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM purchase_months"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM cohort_months"), ==, 0);
}

/* Active customers, churn and repurchase rate as DESIGN.md §6 words them,
 * counted by hand from the purchases in local dates, for the customers of
 * @province (NULL: all): active at the end, a purchase in the 365 days up
 * to it; churned, of those active at the start, no purchase in the period
 * and none in the 180 days after their last, those days over by @as_of;
 * repurchase, two purchases or more in the period over one or more. */
#define CUSTOMERS_PURCHASES(province) \
  "FROM purchases p JOIN contacts c ON c.id = p.contact_id WHERE p.deleted = 0 AND c.deleted = 0" \
  " AND (%s IS NULL OR c.province = %s)"

static void
assert_active_and_churn_exact (CrmStore   *store,
                               const char *from,
                               const char *to,
                               const char *as_of,
                               const char *province)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *quoted = province != NULL ? g_strdup_printf ("'%s'", province) : g_strdup ("NULL");
  g_autofree char *active_sql = g_strdup_printf (
    "SELECT count (DISTINCT p.contact_id) " CUSTOMERS_PURCHASES ()
    " AND crm_local_date (p.purchased_at) BETWEEN date ('%s', '-364 days') AND '%s'",
    quoted, quoted, to, to);
  g_autofree char *churn_from = g_strdup_printf (
    "FROM (SELECT id, last, (SELECT crm_local_date (min (q.purchased_at)) FROM purchases q"
    "   WHERE q.contact_id = l.id AND q.deleted = 0 AND crm_local_date (q.purchased_at) >= '%s') AS next"
    "  FROM (SELECT p.contact_id AS id, crm_local_date (max (p.purchased_at)) AS last " CUSTOMERS_PURCHASES ()
    "   AND crm_local_date (p.purchased_at) < '%s' GROUP BY 1 HAVING last >= date ('%s', '-365 days')) l)",
    from, quoted, quoted, from, from);
  g_autofree char *active_at_start_sql = g_strdup_printf ("SELECT count (*) %s", churn_from);
  g_autofree char *churned_sql = g_strdup_printf (
    "SELECT count (*) %s WHERE last <= date ('%s', '-180 days')"
    " AND (next IS NULL OR (next > '%s' AND next > date (last, '+180 days')))",
    churn_from, as_of, to);
  g_autofree char *repurchase_from = g_strdup_printf (
    "FROM (SELECT count (*) AS n " CUSTOMERS_PURCHASES ()
    " AND crm_local_date (p.purchased_at) BETWEEN '%s' AND '%s' GROUP BY p.contact_id)",
    quoted, quoted, from, to);
  g_autofree char *buyers_sql = g_strdup_printf ("SELECT count (*) %s", repurchase_from);
  g_autofree char *repeat_sql = g_strdup_printf ("SELECT count (*) %s WHERE n >= 2", repurchase_from);
  CrmAnalyticsQuery q;
  CrmRatio churn, repurchase;
  gint64 active;
  int y, m, d;

  g_assert_true (crm_analytics_query_init (&q, from, to, &error));
  g_assert_cmpint (sscanf (as_of, "%d-%d-%d", &y, &m, &d), ==, 3);
  set_as_of (&q, y, m, d);
  q.province = province;
  g_assert_true (crm_analytics_active_customers (store, &q, &active, &error));
  g_assert_true (crm_analytics_churn_rate (store, &q, &churn, &error));
  g_assert_true (crm_analytics_repurchase_rate (store, &q, &repurchase, &error));
  g_assert_no_error (error);
  g_assert_cmpint (repurchase.denominator, ==, store_query_int (store, buyers_sql));
  g_assert_cmpint (repurchase.numerator, ==, store_query_int (store, repeat_sql));
  g_assert_cmpint (active, ==, store_query_int (store, active_sql));
  g_assert_cmpint (churn.denominator, ==, store_query_int (store, active_at_start_sql));
  g_assert_cmpint (churn.numerator, ==, store_query_int (store, churned_sql));
}

/* A random timestamp from 2023 to 2025, one in three within 15 hours of
 * a UTC month start (local month edges in every zone). */
static char *
random_stamp (void)
{
  int year = g_test_rand_int_range (2023, 2026), month = g_test_rand_int_range (1, 13);
  g_autoptr(GDateTime) start = g_date_time_new_utc (year, month, 1, 0, 0, 0);
  g_autoptr(GDateTime) at = NULL;

  if (g_test_rand_int_range (0, 3) == 0)
    at = g_date_time_add_seconds (start, g_test_rand_int_range (-15 * 3600, 15 * 3600));
  else
    at = g_date_time_add_seconds (start, g_test_rand_int_range (0, 28 * 86400));
  return g_date_time_format (at, "%Y-%m-%dT%H:%M:%SZ");
}

/* Random purchases and random writes of every kind; after each round the
 * summaries hold what the purchases say and the cohort matrix from them
 * equals the one from the purchases. */
static void
test_months_random (StoreFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_with_free_func (g_free);
  static const char * const periods[][2] = {
    { "2023-01-01", "2025-12-31" }, { "2024-02-01", "2024-11-30" }, { "2022-11-01", "2024-02-29" },
    { "2025-12-01", "2025-12-31" }, { "2024-03-01", "2024-06-15" }, { "2023-01-01", "2026-01-10" },
  };
  /* Months and a quarter, among the purchases and after them; as of a date
   * that settles every churn and of dates that settle only some. */
  static const char * const churn_periods[][2] = {
    { "2024-01-01", "2024-01-31" }, { "2024-03-01", "2024-03-31" }, { "2024-10-01", "2024-12-31" },
    { "2025-06-01", "2025-06-30" }, { "2025-12-01", "2025-12-31" }, { "2026-02-01", "2026-02-28" },
    /* Windows that start where purchases end, at the local month starts
     * that random_stamp() crowds. */
    { "2026-10-01", "2026-10-31" }, { "2026-11-01", "2026-11-30" },
  };
  static const char * const as_of[] = { "2027-01-01", "2025-07-15", "2024-05-02" };
  guint next_id = 0;

  for (guint i = 0; i < 25; i++)
    g_ptr_array_add (contacts, store_add_contact (f->store, "客户"));

  for (guint round = 0; round < 4; round++)
    {
      g_autoptr(GString) sql = g_string_new ("INSERT INTO purchases (id, created_at, updated_at, contact_id,"
                                             " product, amount, purchased_at) VALUES ");

      /* New purchases, many backdated before their customer's others. */
      for (guint i = 0; i < 120; i++)
        {
          g_autofree char *at = random_stamp ();

          g_string_append_printf (sql, "%s('00000000-0000-7000-8000-%012u', 'x', 'x', '%s', 'p', 1, '%s')",
                                  i > 0 ? ", " : "", next_id++,
                                  (char *) contacts->pdata[g_test_rand_int_range (0, contacts->len)], at);
        }
      g_assert_true (crm_store_exec (f->store, sql->str, &error));
      g_assert_no_error (error);

      /* Writes of every kind, to random purchases. */
      for (guint i = 0; i < 40; i++)
        {
          g_autofree char *at = random_stamp ();
          g_autofree char *w = NULL;
          guint id = g_test_rand_int_range (0, next_id);
          const char *to = contacts->pdata[g_test_rand_int_range (0, contacts->len)];

          switch (g_test_rand_int_range (0, 5))
            {
            case 0:
              w = g_strdup_printf ("UPDATE purchases SET purchased_at = '%s' WHERE id = '00000000-0000-7000-8000-%012u'", at, id);
              break;
            case 1:
              w = g_strdup_printf ("UPDATE purchases SET contact_id = '%s' WHERE id = '00000000-0000-7000-8000-%012u'", to, id);
              break;
            case 2:
              w = g_strdup_printf ("UPDATE purchases SET deleted = 1 - deleted WHERE id = '00000000-0000-7000-8000-%012u'", id);
              break;
            case 3:
              w = g_strdup_printf ("DELETE FROM purchases WHERE id = '00000000-0000-7000-8000-%012u'", id);
              break;
            default:
              w = g_strdup_printf ("UPDATE purchases SET contact_id = '%s', purchased_at = '%s'"
                                   " WHERE id = '00000000-0000-7000-8000-%012u'", to, at, id);
              break;
            }
          g_assert_true (crm_store_exec (f->store, w, &error));
          g_assert_no_error (error);
        }
      /* A customer deleted (their purchases stay), another merged. */
      {
        g_autofree char *w = g_strdup_printf ("UPDATE contacts SET deleted = 1 - deleted WHERE id = '%s'",
                                              (char *) contacts->pdata[g_test_rand_int_range (0, contacts->len)]);
        guint p = g_test_rand_int_range (0, contacts->len), o = g_test_rand_int_range (0, contacts->len);
        g_autofree char *merge_id = NULL;

        g_assert_true (crm_store_exec (f->store, w, &error));
        g_assert_no_error (error);
        if (p != o && crm_merge_contacts (f->store, contacts->pdata[p], contacts->pdata[o], &merge_id, NULL))
          g_ptr_array_remove_index (contacts, o);
      }

      assert_consistent (f->store);
      for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
        assert_cohorts_exact (f->store, periods[i][0], periods[i][1]);
      /* Half the customers in one province, for the filtered queries. */
      g_assert_true (crm_store_exec (f->store, "UPDATE contacts SET province = CASE WHEN rowid % 2 = 0"
                                     " THEN '广东' END", &error));
      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (churn_periods); i++)
        for (guint k = 0; k < G_N_ELEMENTS (as_of); k++)
          {
            assert_active_and_churn_exact (f->store, churn_periods[i][0], churn_periods[i][1], as_of[k], NULL);
            assert_active_and_churn_exact (f->store, churn_periods[i][0], churn_periods[i][1], as_of[k], "广东");
          }
    }
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM cohort_months"), >, 10);
}

/* Summaries built in one zone and read in another: the analytics read the
 * purchases (the same matrix), and recompute builds them for the new zone. */
static void
test_months_zone_change (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "甲");
  g_autofree char *b = store_add_contact (f->store, "乙");
  g_autofree char *built = NULL;

  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, a, "2024-01-31T20:00:00Z", 1) });
  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, b, "2024-02-01T03:00:00Z", 1) });
  g_clear_object (&(CrmPurchase *) { add_purchase (f->store, b, "2024-03-01T03:00:00Z", 1) });
  assert_cohorts (f->store, 1, 1, 0);

  g_setenv ("TZ", "Asia/Shanghai", TRUE);
  tzset ();
  g_assert_false (crm_local_months_current (f->store));
  /* In Shanghai both first purchases are in February. */
  assert_cohorts (f->store, 0, 2, 0);
  built = crm_store_get_meta (f->store, "local_months_zone");
  g_assert_true (crm_store_recompute_derived (f->store, "2024-12-01", &error));
  g_assert_no_error (error);
  g_assert_true (crm_local_months_current (f->store));
  g_assert_cmpint (store_query_int (f->store, "SELECT customers FROM cohort_months WHERE cohort = 24289 AND month = 24289"),
                   ==, 2);
  assert_cohorts (f->store, 0, 2, 0);

  g_setenv ("TZ", "UTC", TRUE);
  tzset ();
  g_assert_false (crm_local_months_current (f->store));
  assert_cohorts (f->store, 1, 1, 0);
  {
    g_autofree char *utc = NULL;

    g_assert_true (crm_store_recompute_derived (f->store, "2024-12-01", &error));
    utc = crm_store_get_meta (f->store, "local_months_zone");
    g_assert_cmpstr (utc, ==, built);
  }
}

static JsonObject *
pull_page (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Purchases written by a sync pull (outbox triggers off) count too. */
static void
test_sync_applied (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (f->store, "http://127.0.0.1:9");
  g_autofree char *s = NULL;
  CrmSyncStats stats = { 0 };
  const char *hlc = "2024-04-01T00:00:00.000Z-0000-0000000000000001";
  g_autofree char *put = g_strdup_printf (
    "{\"cursor\": 2, \"changes\": ["
    " {\"op\": \"put\", \"table\": \"contacts\", \"id\": \"" ID ("00c01") "\", \"seq\": 1,"
    "  \"row\": {\"name\": \"丙\", \"created_at\": \"%s\"}, \"hlc\": {\"name\": \"%s\"}},"
    " {\"op\": \"put\", \"table\": \"purchases\", \"id\": \"" ID ("00p01") "\", \"seq\": 2,"
    "  \"row\": {\"contact_id\": \"" ID ("00c01") "\", \"product\": \"茶叶\", \"amount\": 300,"
    "   \"purchased_at\": \"2024-02-02T02:00:00Z\", \"created_at\": \"%s\"},"
    "  \"hlc\": {\"amount\": \"%s\"}}]}", hlc, hlc, hlc, hlc);
  g_autofree char *del = g_strdup_printf (
    "{\"cursor\": 3, \"changes\": ["
    " {\"op\": \"delete\", \"table\": \"purchases\", \"id\": \"" ID ("00p01") "\", \"seq\": 3}]}");
  g_autoptr(JsonObject) page = pull_page (put);
  g_autoptr(JsonObject) page2 = pull_page (del);

  g_assert_true (crm_sync_engine_apply_pull_page (engine, page, &stats, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  s = stats_of (f->store, ID ("00c01"));
  g_assert_cmpstr (s, ==, "2024-02-02T02:00:00Z 2024-02-02T02:00:00Z 1 300");
  assert_consistent (f->store);
  assert_cohorts (f->store, 0, 1, 0);

  g_assert_true (crm_sync_engine_apply_pull_page (engine, page2, &stats, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_free (s);
  s = stats_of (f->store, ID ("00c01"));
  g_assert_cmpstr (s, ==, "none");
  assert_consistent (f->store);
}

/* Revenue from purchase_hours equals revenue from the purchases: the
 * previous period's revenue and the revenue trend read the hours (without
 * filters), the period's own revenue and the sales trend the purchases.
 * Purchases on a period's bounds, dated without a time, and of a deleted
 * customer are the cases. Run in UTC, and again in zones whose midnights
 * are half hours (Kolkata) or move (New York). */
static void
test_hours (StoreFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = store_add_contact (f->store, "甲");
  g_autofree char *b = store_add_contact (f->store, "乙");
  g_autofree char *sql = NULL;
  static const char * const stamps[] = {
    "2024-02-29T18:30:00Z", "2024-02-29T18:29:59.999Z", "2024-03-01T00:00:00Z", "2024-02-29T23:59:59Z",
    "2024-03-10T06:59:00Z", "2024-03-10T07:00:00Z", "2024-03-31T04:00:00Z", "2024-04-01T04:00:00Z",
    "2024-04-30T23:30:00Z", "2024-05-01T00:00:00Z",
  };
  static const char * const periods[][2] = {
    { "2024-03-01", "2024-03-31" }, { "2024-04-01", "2024-04-30" }, { "2024-03-10", "2024-03-10" },
    { "2024-02-01", "2024-05-31" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (stamps); i++)
    {
      g_clear_object (&(CrmPurchase *) { add_purchase (f->store, a, stamps[i], 100 + i) });
      g_clear_object (&(CrmPurchase *) { add_purchase (f->store, b, stamps[i], 1000 * (i + 1)) });
    }
  /* A date without a time and one with a space, as the sqlite3 shell may leave them. */
  sql = g_strdup_printf ("INSERT INTO purchases (id, created_at, updated_at, contact_id, product, amount, purchased_at)"
                         " VALUES ('" ID ("00d01") "', 'x', 'x', '%s', 'p', 7, '2024-03-31'),"
                         " ('" ID ("00d02") "', 'x', 'x', '%s', 'p', 9, '2024-03-15 12:00:00')",
                         a, a);
  g_assert_true (crm_store_exec (f->store, sql, &error));
  g_assert_no_error (error);
  g_free (sql);
  /* Everyone in one province: the filtered queries (through contacts)
   * must agree with the unfiltered ones (through the summaries). */
  g_assert_true (crm_store_exec (f->store, "UPDATE contacts SET province = '广东'", &error));
  g_assert_no_error (error);
  sql = g_strdup_printf ("UPDATE contacts SET deleted = 1 WHERE id = '%s'", b);
  g_assert_true (crm_store_exec (f->store, sql, &error));
  g_assert_no_error (error);
  assert_consistent (f->store);

  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    {
      CrmAnalyticsQuery q, previous;
      CrmRevenue now, before;
      g_autoptr(CrmSalesTrend) exact = NULL;
      g_autoptr(CrmSalesTrend) hours = NULL;
      gint64 sum = 0;

      g_assert_true (crm_analytics_query_init (&q, periods[i][0], periods[i][1], &error));
      crm_analytics_query_previous (&q, &previous);
      g_assert_true (crm_analytics_revenue (f->store, &q, &now, &error));
      g_assert_true (crm_analytics_revenue (f->store, &previous, &before, &error));
      g_assert_no_error (error);
      /* now.previous_revenue came from the hours, before.revenue not. */
      g_assert_cmpint (now.previous_revenue, ==, before.revenue);
      {
        CrmAnalyticsQuery fq = q;
        CrmKpis all, filtered;

        fq.province = "广东";
        set_as_of (&q, 2024, 12, 1);
        set_as_of (&fq, 2024, 12, 1);
        g_assert_true (crm_analytics_kpis (f->store, &q, &all, &error));
        g_assert_true (crm_analytics_kpis (f->store, &fq, &filtered, &error));
        g_assert_no_error (error);
        g_assert_cmpint (all.active_customers, ==, filtered.active_customers);
        g_assert_cmpint (all.revenue.customers, ==, filtered.revenue.customers);
        g_assert_cmpint (all.repurchase.numerator, ==, filtered.repurchase.numerator);
        g_assert_cmpint (all.repurchase.denominator, ==, filtered.repurchase.denominator);
        g_assert_cmpint (all.new_customers, ==, filtered.new_customers);
        g_assert_cmpint (all.churn.numerator, ==, filtered.churn.numerator);
        g_assert_cmpint (all.churn.denominator, ==, filtered.churn.denominator);
        g_assert_cmpint (all.revenue.previous_revenue, ==, filtered.revenue.previous_revenue);
        g_assert_cmpint (all.revenue.year_ago_revenue, ==, filtered.revenue.year_ago_revenue);
        g_assert_cmpfloat (all.clv, ==, filtered.clv);
        g_assert_cmpint (all.active_customers, ==, 1);
      }

      for (CrmTimeUnit unit = CRM_TIME_UNIT_DAY; unit <= CRM_TIME_UNIT_QUARTER; unit++)
        {
          exact = crm_analytics_sales_trend (f->store, &q, unit, &error);
          hours = crm_analytics_revenue_trend (f->store, &q, unit, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (hours->n_points, ==, exact->n_points);
          sum = 0;
          for (guint k = 0; k < exact->n_points; k++)
            {
              g_assert_cmpint (hours->points[k].revenue, ==, exact->points[k].revenue);
              g_assert_cmpint (hours->points[k].orders, ==, exact->points[k].orders);
              g_assert_cmpint (g_date_compare (&hours->points[k].start, &exact->points[k].start), ==, 0);
              sum += exact->points[k].revenue;
            }
          g_assert_cmpint (sum, ==, now.revenue);
          g_clear_pointer (&exact, crm_sales_trend_free);
          g_clear_pointer (&hours, crm_sales_trend_free);
        }
    }
  /* Something was counted, and the deleted customer's purchases were not. */
  {
    CrmAnalyticsQuery q;
    CrmRevenue r;

    g_assert_true (crm_analytics_query_init (&q, "2024-04-01", "2024-04-30", &error));
    g_assert_true (crm_analytics_revenue (f->store, &q, &r, &error));
    g_assert_cmpint (r.previous_revenue, >, 0);
    g_assert_cmpint (r.previous_revenue, <, 1000);
  }
}

static void
test_hours_in_zone (gconstpointer data)
{
  g_autofree char *path = g_strconcat ("/usr/share/zoneinfo/", (const char *) data, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no tzdata for this zone");
      return;
    }
  g_setenv ("CRM_TEST_TZ", data, TRUE);
  g_test_trap_subprocess ("/purchase-stats/hours", 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("CRM_TEST_TZ");
  g_test_trap_assert_passed ();
}

static void
test_months_in_zone (gconstpointer data)
{
  g_autofree char *path = g_strconcat ("/usr/share/zoneinfo/", (const char *) data, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no tzdata for this zone");
      return;
    }
  g_setenv ("CRM_TEST_TZ", data, TRUE);
  g_test_trap_subprocess ("/purchase-stats/months-random", 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("CRM_TEST_TZ");
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = g_dir_make_tmp ("crm-xdg-XXXXXX", NULL);
  int ret;

  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("TZ", g_getenv ("CRM_TEST_TZ") != NULL ? g_getenv ("CRM_TEST_TZ") : "UTC", TRUE);
  tzset ();
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/purchase-stats/insert-and-backdate", test_insert_and_backdate);
  STORE_TEST ("/purchase-stats/delete-update-undelete", test_delete_update_undelete);
  STORE_TEST ("/purchase-stats/hard-delete-and-rollback", test_hard_delete_and_rollback);
  STORE_TEST ("/purchase-stats/import-undo", test_import_undo);
  STORE_TEST ("/purchase-stats/sync-applied", test_sync_applied);
  STORE_TEST ("/purchase-stats/hours", test_hours);
  STORE_TEST ("/purchase-stats/months", test_months);
  STORE_TEST ("/purchase-stats/months-random", test_months_random);
  STORE_TEST ("/purchase-stats/months-zone-change", test_months_zone_change);
  g_test_add_data_func ("/purchase-stats/months-random-in-kolkata", "Asia/Kolkata", test_months_in_zone);
  g_test_add_data_func ("/purchase-stats/months-random-in-new-york", "America/New_York", test_months_in_zone);
  g_test_add_data_func ("/purchase-stats/hours-in-kolkata", "Asia/Kolkata", test_hours_in_zone);
  g_test_add_data_func ("/purchase-stats/hours-in-new-york", "America/New_York", test_hours_in_zone);

  ret = g_test_run ();
  remove_tree (data_home);
  return ret;
}
