/* test-deal-products.c: a deal's product lines: add, list, change, remove, total, undo, suggestions, and bad input that stores nothing */

#include "config.h"

#include "crm-change-set.h"
#include "crm-deal.h"
#include "crm-deal-products.h"
#include "crm-purchase.h"
#include "crm-store-error.h"
#include "store-fixture.h"

static char *
add_deal (CrmStore   *store,
          const char *title)
{
  g_autoptr(CrmDeal) deal = crm_deal_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (deal, "title", title, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (deal), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (deal)));
}

static gint64
count_lines (CrmStore *store)
{
  return store_query_int (store, "SELECT count (*) FROM deal_products");
}

static void
test_add_list_update_remove (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *deal = add_deal (f->store, "年度采购");
  g_autofree char *other = add_deal (f->store, "其他");
  g_autofree char *tea = NULL;
  g_autofree char *cups = NULL;
  g_autofree char *elsewhere = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  tea = crm_deal_add_product (f->store, deal, "  龙井茶叶 ", 3, 12850, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tea);
  cups = crm_deal_add_product (f->store, deal, "茶杯", 10, 1500, NULL, &error);
  g_assert_no_error (error);
  elsewhere = crm_deal_add_product (f->store, other, "茶杯", 1, 1500, NULL, &error);
  g_assert_no_error (error);

  lines = crm_deal_list_products (f->store, deal, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (lines, 0)), ==, tea);
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (lines, 0), "product"), ==, "龙井茶叶");
  g_assert_cmpint (crm_record_get_int64 (g_ptr_array_index (lines, 0), "quantity"), ==, 3);
  g_assert_cmpint (crm_record_get_int64 (g_ptr_array_index (lines, 0), "unit_price"), ==, 12850);
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (lines, 1)), ==, cups);
  g_assert_cmpint (crm_deal_products_total (f->store, deal, &error), ==, 3 * 12850 + 10 * 1500);
  g_assert_no_error (error);

  g_assert_true (crm_deal_update_product (f->store, cups, "茶杯", 12, 1400, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (crm_deal_products_total (f->store, deal, &error), ==, 3 * 12850 + 12 * 1400);

  g_assert_true (crm_deal_remove_product (f->store, tea, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = crm_deal_list_products (f->store, deal, &error);
  g_assert_cmpuint (lines->len, ==, 1);
  g_assert_cmpint (crm_deal_products_total (f->store, deal, &error), ==, 12 * 1400);
  /* A removed line is a tombstone, so sync carries the removal. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM outbox WHERE table_name = 'deal_products'"
                                              " AND op = 'delete' AND json_extract (patch, '$.deleted') = 1"), ==, 1);
  /* A new line goes after the last one, removed or not. */
  g_free (tea);
  tea = crm_deal_add_product (f->store, deal, "龙井茶叶", 1, 100, NULL, &error);
  g_clear_pointer (&lines, g_ptr_array_unref);
  lines = crm_deal_list_products (f->store, deal, &error);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (lines, 1)), ==, tea);
}

static void
test_bad_input (StoreFixture  *f,
                gconstpointer  data)
{
  g_autofree char *deal = add_deal (f->store, "年度采购");
  g_autofree char *line = NULL;
  g_autofree char *id = NULL;
  struct {
    const char *deal;
    const char *product;
    gint64 quantity;
    gint64 unit_price;
    int code;
    const char *says;
  } cases[] = {
    { NULL, "", 1, 100, CRM_STORE_ERROR_INVALID, "name of the product" },
    { NULL, "   ", 1, 100, CRM_STORE_ERROR_INVALID, "name of the product" },
    { NULL, NULL, 1, 100, CRM_STORE_ERROR_INVALID, "name of the product" },
    { NULL, "茶叶", 0, 100, CRM_STORE_ERROR_INVALID, "quantity of “茶叶” must be 1 or more" },
    { NULL, "茶叶", -2, 100, CRM_STORE_ERROR_INVALID, "quantity of “茶叶” must be 1 or more" },
    { NULL, "茶叶", 1, -1, CRM_STORE_ERROR_INVALID, "unit price of “茶叶” cannot be negative" },
    { NULL, "茶叶", 1000000, G_GINT64_CONSTANT (90000000000000000), CRM_STORE_ERROR_INVALID, "more than a deal can hold" },
    { "00000000-0000-7000-8000-00000000dead", "茶叶", 1, 100, CRM_STORE_ERROR_NOT_FOUND, "no deal" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      id = crm_deal_add_product (f->store, cases[i].deal != NULL ? cases[i].deal : deal,
                                 cases[i].product, cases[i].quantity, cases[i].unit_price, NULL, &error);
      g_assert_null (id);
      g_assert_error (error, CRM_STORE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }
  g_assert_cmpint (count_lines (f->store), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM outbox WHERE table_name = 'deal_products'"), ==, 0);

  /* A deleted deal takes no new lines either. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *gone = add_deal (f->store, "已删除");

    g_assert_true (crm_store_delete (f->store, CRM_TYPE_DEAL, gone, &error));
    id = crm_deal_add_product (f->store, gone, "茶叶", 1, 1, NULL, &error);
    g_assert_null (id);
    g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
  }

  /* Updates follow the same rules and leave the line as it was. */
  {
    g_autoptr(GError) error = NULL;

    line = crm_deal_add_product (f->store, deal, "茶叶", 2, 300, NULL, &error);
    g_assert_no_error (error);
    for (guint i = 0; i + 1 < G_N_ELEMENTS (cases); i++)
      {
        g_assert_false (crm_deal_update_product (f->store, line, cases[i].product, cases[i].quantity,
                                                 cases[i].unit_price, NULL, &error));
        g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
        g_clear_error (&error);
      }
    g_assert_false (crm_deal_update_product (f->store, "00000000-0000-7000-8000-00000000dead", "茶叶", 1, 1,
                                             NULL, &error));
    g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
    g_assert_cmpint (store_query_int (f->store, "SELECT quantity * 1000 + unit_price FROM deal_products"), ==, 2300);
  }
}

/* Lines added, changed and removed under one change set go back in one
 * revert. */
static void
test_undo (StoreFixture  *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *deal = add_deal (f->store, "年度采购");
  g_autofree char *kept = crm_deal_add_product (f->store, deal, "茶叶", 2, 300, NULL, &error);
  g_autofree char *gone = crm_deal_add_product (f->store, deal, "茶杯", 1, 50, NULL, &error);
  g_autofree char *added = NULL;
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (f->store);

  g_assert_true (crm_store_begin (f->store, &error));
  added = crm_deal_add_product (f->store, deal, "茶盘", 1, 900, undo, &error);
  g_assert_nonnull (added);
  g_assert_true (crm_deal_update_product (f->store, kept, "茶叶", 5, 280, undo, &error));
  g_assert_true (crm_deal_remove_product (f->store, gone, undo, &error));
  g_assert_true (crm_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (crm_deal_products_total (f->store, deal, &error), ==, 900 + 5 * 280);

  g_assert_true (crm_change_set_revert (undo, &error));
  g_assert_no_error (error);
  g_assert_cmpint (crm_deal_products_total (f->store, deal, &error), ==, 2 * 300 + 50);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM deal_products WHERE deleted = 0"), ==, 2);
}

static void
test_suggestions (StoreFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contact = store_add_contact (f->store, "王芳");
  g_autofree char *deal = add_deal (f->store, "年度采购");
  g_autofree char *line = crm_deal_add_product (f->store, deal, "Tea set", 1, 1, NULL, &error);
  const char *products[] = { "Tea cups", "tea_pot", "Coffee", "Tea cups" };
  g_auto(GStrv) names = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (products); i++)
    {
      g_autoptr(CrmPurchase) purchase = crm_purchase_new ();

      g_object_set (purchase, "contact-id", contact, "product", products[i],
                    "purchased-at", "2024-05-01T10:00:00Z", NULL);
      g_assert_true (crm_store_insert (f->store, CRM_RECORD (purchase), &error));
      g_assert_no_error (error);
    }

  names = crm_deal_product_suggestions (f->store, "tea", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 3);
  g_assert_cmpstr (names[0], ==, "Tea cups");
  g_assert_cmpstr (names[1], ==, "Tea set");
  g_assert_cmpstr (names[2], ==, "tea_pot");
  g_clear_pointer (&names, g_strfreev);
  /* "_" is a letter here, not LIKE's wildcard. */
  names = crm_deal_product_suggestions (f->store, "tea_", 10, &error);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_clear_pointer (&names, g_strfreev);
  names = crm_deal_product_suggestions (f->store, NULL, 2, &error);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "Coffee");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/deal-products/add-list-update-remove", test_add_list_update_remove);
  STORE_TEST ("/deal-products/bad-input", test_bad_input);
  STORE_TEST ("/deal-products/undo", test_undo);
  STORE_TEST ("/deal-products/suggestions", test_suggestions);

  return g_test_run ();
}
