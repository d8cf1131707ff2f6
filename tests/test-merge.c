/* test-merge.c: merging a duplicate into a primary, moving its records, and undoing it */

#include "config.h"

#include "crm-activity.h"
#include "crm-contact.h"
#include "crm-import-error.h"
#include "crm-merge.h"
#include "crm-purchase.h"
#include "store-fixture.h"

static CrmContact *
add_contact (StoreFixture *f,
             const char   *fields[])
{
  g_autoptr(GError) error = NULL;
  CrmContact *c = crm_contact_new ();

  for (guint i = 0; fields[i] != NULL; i += 2)
    g_assert_true (crm_contact_set_field_from_string (c, fields[i], fields[i + 1], &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (c), &error));
  g_assert_no_error (error);
  return c;
}

static void
add_purchase (StoreFixture *f,
              CrmContact   *contact,
              const char   *product)
{
  g_autoptr(CrmPurchase) p = crm_purchase_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_record_set_field_from_string (CRM_RECORD (p), "contact_id", crm_record_get_id (CRM_RECORD (contact)), &error));
  g_assert_true (crm_record_set_field_from_string (CRM_RECORD (p), "product", product, &error));
  g_assert_true (crm_record_set_field_from_string (CRM_RECORD (p), "amount", "100", &error));
  g_assert_true (crm_record_set_field_from_string (CRM_RECORD (p), "purchased_at", "2024-03-05", &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (p), &error));
  g_assert_no_error (error);
}

static void
test_merge_and_undo (StoreFixture  *f,
                     gconstpointer  data)
{
  const char *primary_fields[] = { "name", "张三", "phone", "13800138000", "tags", "VIP",
                                   "notes", "老客户", "title", "经理", NULL };
  const char *other_fields[] = { "name", "张三 (重复)", "phone", "13900139000", "email", "zs@example.com",
                                 "tags", "VIP, 华南", "notes", "喜欢电话联系", "title", "销售",
                                 "birthday", "1985-03-05", NULL };
  g_autoptr(CrmContact) primary = add_contact (f, primary_fields);
  g_autoptr(CrmContact) other = add_contact (f, other_fields);
  g_autoptr(CrmContact) merged = NULL;
  g_autoptr(CrmContact) restored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *merge_id = NULL;
  const char *pid = crm_record_get_id (CRM_RECORD (primary));
  const char *oid = crm_record_get_id (CRM_RECORD (other));
  g_autofree char *sql = NULL;
  gint64 audit_before;

  add_purchase (f, other, "手表");
  add_purchase (f, other, "耳机");
  add_purchase (f, primary, "茶叶");
  audit_before = store_query_int (f->store, "SELECT count(*) FROM audit_log");

  g_assert_true (crm_merge_contacts (f->store, pid, oid, &merge_id, &error));
  g_assert_no_error (error);

  merged = crm_store_get (f->store, CRM_TYPE_CONTACT, pid, &error);
  g_assert_cmpstr (crm_contact_get_name (merged), ==, "张三");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (merged), "title"), ==, "经理");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (merged), "birthday"), ==, "1985-03-05");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (merged), "notes"), ==, "老客户\n喜欢电话联系");
  g_assert_cmpstr (crm_contact_get_emails (merged)[0], ==, "zs@example.com");
  {
    g_auto(GStrv) phones = crm_contact_dup_phone_numbers (merged);
    const char * const *tags = crm_record_get_strv (CRM_RECORD (merged), "tags");

    g_assert_cmpuint (g_strv_length (phones), ==, 2);
    g_assert_cmpuint (g_strv_length ((char **) tags), ==, 2);
    g_assert_cmpstr (tags[1], ==, "华南");
  }
  g_assert_cmpint (crm_record_get_int64 (CRM_RECORD (merged), "purchase_count"), ==, 3);
  sql = g_strdup_printf ("SELECT deleted FROM contacts WHERE id = '%s'", oid);
  g_assert_cmpint (store_query_int (f->store, sql), ==, 1);
  /* Every move is audited and queued for sync. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM audit_log"), >=, audit_before + 4);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox WHERE table_name = 'purchases' AND op = 'update'"), ==, 2);

  /* Merging it again is refused. */
  g_assert_false (crm_merge_contacts (f->store, pid, oid, NULL, &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (crm_merge_undo (f->store, merge_id, &error));
  g_assert_no_error (error);
  restored = crm_store_get (f->store, CRM_TYPE_CONTACT, pid, &error);
  g_assert_null (crm_record_get_string (CRM_RECORD (restored), "birthday"));
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (restored), "notes"), ==, "老客户");
  g_assert_null (crm_contact_get_emails (restored)[0]);
  g_assert_cmpint (crm_record_get_int64 (CRM_RECORD (restored), "purchase_count"), ==, 1);
  g_assert_cmpint (store_query_int (f->store, sql), ==, 0);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("SELECT count(*) FROM purchases WHERE contact_id = '%s'", oid);
  g_assert_cmpint (store_query_int (f->store, sql), ==, 2);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contact_identities WHERE value = '+8613900139000'"), ==, 1);

  g_assert_false (crm_merge_undo (f->store, merge_id, &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ALREADY_UNDONE);
}

static void
test_merge_self (StoreFixture  *f,
                 gconstpointer  data)
{
  const char *fields[] = { "name", "一", NULL };
  g_autoptr(CrmContact) c = add_contact (f, fields);
  g_autoptr(GError) error = NULL;

  g_assert_false (crm_merge_contacts (f->store, crm_record_get_id (CRM_RECORD (c)),
                                      crm_record_get_id (CRM_RECORD (c)), NULL, &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_FAILED);
  g_assert_false (crm_store_in_transaction (f->store));
}

/* Field by field: the chosen fields take the other's value, the rest keep
 * the primary's (or are filled when empty); undo puts all of it back. */
static void
test_merge_choosing (StoreFixture  *f,
                     gconstpointer  data)
{
  const char *primary_fields[] = { "name", "张三", "phone", "13800138000", "title", "经理",
                                   "city", "广州市", NULL };
  const char *other_fields[] = { "name", "张三丰", "phone", "13900139000", "title", "总监",
                                 "city", "深圳市", "birthday", "1985-03-05", NULL };
  const char * const choose[] = { "name", "city", NULL };
  const char * const bad[] = { "phones", NULL };
  g_autoptr(CrmContact) primary = add_contact (f, primary_fields);
  g_autoptr(CrmContact) other = add_contact (f, other_fields);
  g_autoptr(CrmContact) merged = NULL;
  g_autoptr(CrmContact) restored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *merge_id = NULL;
  const char *pid = crm_record_get_id (CRM_RECORD (primary));
  const char *oid = crm_record_get_id (CRM_RECORD (other));

  /* Phones are united, not chosen: refused, nothing changed. */
  g_assert_false (crm_merge_contacts_choosing (f->store, pid, oid, bad, NULL, &error));
  g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (crm_store_in_transaction (f->store));
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE deleted = 0"), ==, 2);

  g_assert_true (crm_merge_contacts_choosing (f->store, pid, oid, choose, &merge_id, &error));
  g_assert_no_error (error);
  merged = crm_store_get (f->store, CRM_TYPE_CONTACT, pid, &error);
  g_assert_cmpstr (crm_contact_get_name (merged), ==, "张三丰");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (merged), "city"), ==, "深圳市");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (merged), "title"), ==, "经理");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (merged), "birthday"), ==, "1985-03-05");
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE deleted = 0"), ==, 1);

  g_assert_true (crm_merge_undo (f->store, merge_id, &error));
  g_assert_no_error (error);
  restored = crm_store_get (f->store, CRM_TYPE_CONTACT, pid, &error);
  g_assert_cmpstr (crm_contact_get_name (restored), ==, "张三");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (restored), "city"), ==, "广州市");
  g_assert_null (crm_record_get_string (CRM_RECORD (restored), "birthday"));
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE deleted = 0"), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/merge/merge-and-undo", test_merge_and_undo);
  STORE_TEST ("/merge/self", test_merge_self);
  STORE_TEST ("/merge/choosing", test_merge_choosing);

  return g_test_run ();
}
