/* test-lifecycle.c: lifecycle stages and RFM (DESIGN.md §6), in bulk and per purchase */

#include "config.h"

#include "crm-contact.h"
#include "crm-lifecycle.h"
#include "crm-purchase.h"
#include "store-fixture.h"

static void
test_lifecycle_classify (void)
{
  g_assert_cmpstr (crm_lifecycle_classify (0, 0, 0), ==, "lead");
  g_assert_cmpstr (crm_lifecycle_classify (1, 1, 0), ==, "first_time");
  g_assert_cmpstr (crm_lifecycle_classify (1, 1, 89), ==, "first_time");
  g_assert_cmpstr (crm_lifecycle_classify (1, 1, 90), ==, "active");
  g_assert_cmpstr (crm_lifecycle_classify (1, 0, 200), ==, "dormant");
  g_assert_cmpstr (crm_lifecycle_classify (5, 0, 365), ==, "churned");
  g_assert_cmpstr (crm_lifecycle_classify (3, 3, 10), ==, "frequent");
  g_assert_cmpstr (crm_lifecycle_classify (3, 2, 10), ==, "active");
  g_assert_cmpstr (crm_lifecycle_classify (9, 3, 179), ==, "frequent");
  g_assert_cmpstr (crm_lifecycle_classify (9, 3, 180), ==, "dormant");
}

static void
test_lifecycle_rfm (void)
{
  const double cuts[4] = { 10, 20, 30, 40 };

  g_assert_cmpint (crm_lifecycle_rfm_score (5, cuts, FALSE), ==, 1);
  g_assert_cmpint (crm_lifecycle_rfm_score (10, cuts, FALSE), ==, 1);
  g_assert_cmpint (crm_lifecycle_rfm_score (11, cuts, FALSE), ==, 2);
  g_assert_cmpint (crm_lifecycle_rfm_score (100, cuts, FALSE), ==, 5);
  /* Recency: fewer days is better. */
  g_assert_cmpint (crm_lifecycle_rfm_score (5, cuts, TRUE), ==, 5);
  g_assert_cmpint (crm_lifecycle_rfm_score (100, cuts, TRUE), ==, 1);

  g_assert_cmpstr (crm_lifecycle_rfm_segment (5, 5, 5), ==, "champions");
  g_assert_cmpstr (crm_lifecycle_rfm_segment (4, 4, 2), ==, "loyal");
  g_assert_cmpstr (crm_lifecycle_rfm_segment (5, 1, 1), ==, "new");
  g_assert_cmpstr (crm_lifecycle_rfm_segment (3, 2, 2), ==, "potential");
  g_assert_cmpstr (crm_lifecycle_rfm_segment (1, 5, 5), ==, "at_risk");
  g_assert_cmpstr (crm_lifecycle_rfm_segment (2, 1, 1), ==, "hibernating");
  g_assert_cmpstr (crm_lifecycle_rfm_segment (1, 1, 1), ==, "lost");
}

static char *
add_purchase (CrmStore   *store,
              const char *contact_id,
              const char *date,
              gint64      amount)
{
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *at = g_strconcat (date, "T10:00:00Z", NULL);

  g_object_set (purchase, "contact-id", contact_id, "product", "商品", "purchased-at", at,
                "amount", amount, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (purchase), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (purchase)));
}

static char *
lifecycle_of (CrmStore   *store,
              const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmContact) contact = crm_store_get (store, CRM_TYPE_CONTACT, id, &error);

  g_assert_no_error (error);
  return g_strdup (crm_contact_get_lifecycle (contact));
}

static void
test_lifecycle_bulk (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lead = store_add_contact (f->store, "lead");
  g_autofree char *first = store_add_contact (f->store, "first");
  g_autofree char *frequent = store_add_contact (f->store, "frequent");
  g_autofree char *active = store_add_contact (f->store, "active");
  g_autofree char *dormant = store_add_contact (f->store, "dormant");
  g_autofree char *churned = store_add_contact (f->store, "churned");
  g_autofree char *future = store_add_contact (f->store, "future");
  g_autofree char *text = NULL;
  const char *ref = "2024-06-30";

  g_free (add_purchase (f->store, first, "2024-06-01", 100));
  g_free (add_purchase (f->store, frequent, "2024-01-10", 100));
  g_free (add_purchase (f->store, frequent, "2024-03-10", 100));
  g_free (add_purchase (f->store, frequent, "2024-06-10", 100));
  g_free (add_purchase (f->store, active, "2023-01-01", 100));
  g_free (add_purchase (f->store, active, "2024-05-01", 100));
  g_free (add_purchase (f->store, dormant, "2023-12-01", 100));
  g_free (add_purchase (f->store, dormant, "2023-11-01", 100));
  g_free (add_purchase (f->store, churned, "2023-01-01", 100000));
  /* After the reference date: does not exist yet for it. */
  g_free (add_purchase (f->store, future, "2024-07-15", 100));

  g_assert_true (crm_store_recompute_derived (f->store, ref, &error));
  g_assert_no_error (error);

#define CHECK(id, expected) \
  G_STMT_START { g_autofree char *got = lifecycle_of (f->store, id); g_assert_cmpstr (got, ==, expected); } G_STMT_END
  CHECK (lead, "lead");
  CHECK (first, "first_time");
  CHECK (frequent, "frequent");
  CHECK (active, "active");
  CHECK (dormant, "dormant");
  CHECK (churned, "churned");
  CHECK (future, "lead");
#undef CHECK

  g_assert_cmpint (store_query_int (f->store, "SELECT purchase_count FROM contacts WHERE name = 'frequent'"), ==, 3);
  g_assert_cmpint (store_query_int (f->store, "SELECT total_spent FROM contacts WHERE name = 'churned'"), ==, 100000);
  text = store_query_text (f->store, "SELECT last_purchase_at FROM contacts WHERE name = 'active'");
  g_assert_cmpstr (text, ==, "2024-05-01T10:00:00Z");

  /* Scored: every buyer has R, F and M in 1..5 and a segment; leads none. */
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count(*) FROM contacts WHERE purchase_count > 0 AND"
                                    " (rfm_r BETWEEN 1 AND 5) AND (rfm_f BETWEEN 1 AND 5) AND (rfm_m BETWEEN 1 AND 5)"
                                    " AND rfm_segment IS NOT NULL"), ==, 5);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE purchase_count = 0 AND rfm_r IS NULL"), ==, 2);
  /* The most recent buyer scores best on recency, the oldest worst. */
  g_assert_cmpint (store_query_int (f->store, "SELECT rfm_r FROM contacts WHERE name = 'frequent'"), >,
                   store_query_int (f->store, "SELECT rfm_r FROM contacts WHERE name = 'churned'"));
  /* Monetary counts the last 365 days only: the big old spender scores 1. */
  g_assert_cmpint (store_query_int (f->store, "SELECT rfm_m FROM contacts WHERE name = 'frequent'"), ==, 5);
  g_assert_cmpint (store_query_int (f->store, "SELECT rfm_m FROM contacts WHERE name = 'churned'"), ==, 1);

  /* None of this is a user change: no outbox rows for contacts beyond their inserts. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox WHERE table_name = 'contacts'"), ==, 7);

  /* An override wins over the derived stage. */
  {
    g_autoptr(CrmContact) contact = crm_store_get (f->store, CRM_TYPE_CONTACT, churned, &error);

    g_assert_true (crm_contact_set_field_from_string (contact, "lifecycle", "active", &error));
    g_assert_true (crm_store_update (f->store, CRM_RECORD (contact), &error));
    g_assert_true (crm_store_recompute_derived (f->store, ref, &error));
  }
  {
    g_autofree char *got = lifecycle_of (f->store, churned);

    g_assert_cmpstr (got, ==, "active");
  }

  g_assert_false (crm_store_recompute_derived (f->store, "2024-02-30", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

static void
test_lifecycle_follows_purchases (StoreFixture  *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = store_add_contact (f->store, "buyer");
  g_autofree char *other = store_add_contact (f->store, "other");
  g_autofree char *today = NULL;
  g_autofree char *purchase_id = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  today = g_date_time_format (now, "%Y-%m-%d");

  /* Each write of a purchase updates its contact in the same transaction. */
  purchase_id = add_purchase (f->store, id, today, 5000);
  {
    g_autofree char *got = lifecycle_of (f->store, id);

    g_assert_cmpstr (got, ==, "first_time");
  }
  g_assert_cmpint (store_query_int (f->store, "SELECT total_spent FROM contacts WHERE name = 'buyer'"), ==, 5000);

  g_free (add_purchase (f->store, id, today, 1000));
  g_free (add_purchase (f->store, id, today, 1000));
  {
    g_autofree char *got = lifecycle_of (f->store, id);

    g_assert_cmpstr (got, ==, "frequent");
  }
  g_assert_cmpint (store_query_int (f->store, "SELECT purchase_count FROM contacts WHERE name = 'buyer'"), ==, 3);

  /* Moving a purchase to another contact updates both. */
  {
    g_autoptr(CrmPurchase) purchase = crm_store_get (f->store, CRM_TYPE_PURCHASE, purchase_id, &error);

    g_object_set (purchase, "contact-id", other, NULL);
    g_assert_true (crm_store_update (f->store, CRM_RECORD (purchase), &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (store_query_int (f->store, "SELECT purchase_count FROM contacts WHERE name = 'buyer'"), ==, 2);
  g_assert_cmpint (store_query_int (f->store, "SELECT total_spent FROM contacts WHERE name = 'other'"), ==, 5000);

  /* Deleting it takes it out of the totals again. */
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_PURCHASE, purchase_id, &error));
  {
    g_autofree char *got = lifecycle_of (f->store, other);

    g_assert_cmpstr (got, ==, "lead");
  }
  g_assert_cmpint (store_query_int (f->store, "SELECT total_spent FROM contacts WHERE name = 'other'"), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lifecycle/classify", test_lifecycle_classify);
  g_test_add_func ("/lifecycle/rfm", test_lifecycle_rfm);
  STORE_TEST ("/lifecycle/bulk", test_lifecycle_bulk);
  STORE_TEST ("/lifecycle/follows-purchases", test_lifecycle_follows_purchases);

  return g_test_run ();
}
