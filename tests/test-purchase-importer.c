/* test-purchase-importer.c: purchases matched to contacts, amounts in many notations, re-import, create-missing */

#include "config.h"

#include "crm-contact-importer.h"
#include "crm-contact-lookup.h"
#include "crm-import-error.h"
#include "crm-purchase-importer.h"
#include "store-fixture.h"

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
}

static void
import_contacts (StoreFixture *f)
{
  g_autofree char *path = fixture_path ("customers-gb18030.csv");
  g_autoptr(CrmContactImporter) importer = crm_contact_importer_new (f->store);
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_contact_importer_run (importer, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static CrmPurchaseImporter *
import_purchases (StoreFixture *f,
                  gboolean      create_missing)
{
  g_autofree char *path = fixture_path ("purchases.csv");
  CrmPurchaseImporter *importer = crm_purchase_importer_new (f->store);
  g_autoptr(GError) error = NULL;

  crm_purchase_importer_set_create_missing (importer, create_missing);
  g_assert_true (crm_purchase_importer_run (importer, path, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return importer;
}

static char *
problems_text (CrmImportRun *run)
{
  GPtrArray *problems = crm_import_run_get_problems (run);
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      CrmImportProblem *p = g_ptr_array_index (problems, i);

      g_string_append_printf (s, "%" G_GUINT64_FORMAT "|%s|%s|%s\n", p->row, p->column, p->value, p->message);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
assert_summary (CrmImportRun *run,
                guint64       created,
                guint64       skipped,
                guint64       errors)
{
  CrmImportSummary *s = crm_import_run_get_summary (run);

  g_assert_cmpuint (s->created, ==, created);
  g_assert_cmpuint (s->updated, ==, 0);
  g_assert_cmpuint (s->skipped, ==, skipped);
  g_assert_cmpuint (s->errors, ==, errors);
}

static void
test_amounts (void)
{
  struct { const char *text; gint64 minor; const char *currency; } ok[] = {
    { "1234.5", 123450, NULL }, { "¥1,234.50", 123450, "CNY" }, { "￥ 99", 9900, "CNY" },
    { "1.234,50", 123450, NULL }, { "1 234,50 €", 123450, "EUR" }, { "12,5", 1250, NULL },
    { "1,234", 123400, NULL }, { "1.234.567", 123456700, NULL }, { "RMB 88.8", 8880, "CNY" },
    { "US$5", 500, "USD" }, { "1'234.50", 123450, NULL }, { "0", 0, NULL },
  };
  const char *bad[] = { "abc", "12.345,6.7", "", "-5", "1.2.3,4,5" };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr(GError) error = NULL;
      const char *currency = NULL;
      gint64 minor = -1;

      g_assert_true (crm_purchase_parse_amount (ok[i].text, &minor, &currency, &error));
      g_assert_no_error (error);
      g_assert_cmpint (minor, ==, ok[i].minor);
      g_assert_cmpstr (currency, ==, ok[i].currency);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 minor = 0;

      g_assert_false (crm_purchase_parse_amount (bad[i], &minor, NULL, &error));
      g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_INVALID_VALUE);
    }
}

static void
test_import (StoreFixture  *f,
             gconstpointer  data)
{
  g_autoptr(CrmPurchaseImporter) first = NULL;
  g_autoptr(CrmPurchaseImporter) again = NULL;
  g_autofree char *problems = NULL;
  g_autofree char *zhang = NULL;

  import_contacts (f);
  first = import_purchases (f, FALSE);
  problems = problems_text (crm_purchase_importer_get_run (first));
  g_assert_cmpstr (problems, ==,
                   "5|邮箱|unknown@example.com|No contact has this email, phone number or customer number. Import the contacts first, or use --create-missing.\n"
                   "6|商品||The product is empty. Every purchase needs one.\n"
                   "6|金额|abc|“abc” is not an amount. Write it like 1234.50 or ¥1,234.50.\n"
                   "6|下单时间|2024-02-30|“2024-02-30” is not a date that exists. Check the day and the month.\n");
  assert_summary (crm_purchase_importer_get_run (first), 3, 0, 2);

  g_assert_cmpint (store_query_int (f->store, "SELECT amount FROM purchases WHERE order_ref = 'SO-1001'"), ==, 123450);
  g_assert_cmpint (store_query_int (f->store, "SELECT quantity FROM purchases WHERE order_ref = 'SO-1002'"), ==, 2);
  g_assert_cmpint (store_query_int (f->store, "SELECT amount FROM purchases WHERE order_ref = 'SO-1003'"), ==, 123450);
  {
    g_autofree char *currency = store_query_text (f->store, "SELECT currency FROM purchases WHERE order_ref = 'SO-1003'");
    g_autofree char *at = store_query_text (f->store, "SELECT purchased_at FROM purchases WHERE order_ref = 'SO-1001'");
    g_autofree char *at3 = store_query_text (f->store, "SELECT purchased_at FROM purchases WHERE order_ref = 'SO-1003'");

    g_assert_cmpstr (currency, ==, "EUR");
    g_assert_cmpstr (at, ==, "2024-03-05T14:30:00Z");
    g_assert_cmpstr (at3, ==, "2024-03-06T00:00:00Z");
  }
  /* The purchase went to 张三 (C001), and his totals follow. */
  zhang = store_query_text (f->store, "SELECT contact_id FROM purchases WHERE order_ref = 'SO-1001'");
  g_assert_cmpint (store_query_int (f->store, "SELECT purchase_count FROM contacts WHERE external_id = 'C001'"), ==, 1);

  /* The same file again adds nothing. */
  again = import_purchases (f, FALSE);
  assert_summary (crm_purchase_importer_get_run (again), 0, 3, 2);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM purchases"), ==, 3);
}

static void
test_create_missing_and_undo (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(CrmPurchaseImporter) importer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  guint64 reverted = 0;

  import_contacts (f);
  importer = import_purchases (f, TRUE);
  assert_summary (crm_purchase_importer_get_run (importer), 4, 0, 1);
  id = crm_contact_lookup_by_email (f->store, "unknown@example.com", &error);
  g_assert_nonnull (id);

  g_assert_true (crm_import_run_undo (f->store, crm_import_run_get_id (crm_purchase_importer_get_run (importer)),
                                     &reverted, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (reverted, ==, 5);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM purchases WHERE deleted = 0"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT purchase_count FROM contacts WHERE external_id = 'C001'"), ==, 0);
  g_clear_pointer (&id, g_free);
  id = crm_contact_lookup_by_email (f->store, "unknown@example.com", &error);
  g_assert_null (id);
}

int
main (int   argc,
      char *argv[])
{
  /* Spreadsheet times are local; the expected values are for UTC. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/purchase-importer/amounts", test_amounts);
  STORE_TEST ("/purchase-importer/import", test_import);
  STORE_TEST ("/purchase-importer/create-missing-and-undo", test_create_missing_and_undo);

  return g_test_run ();
}
