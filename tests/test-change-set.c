/* test-change-set.c: undoing an edit, an insert, a delete and a bulk change in one step */

#include "config.h"

#include "crm-change-set.h"
#include "crm-contact.h"
#include "store-fixture.h"

static void
on_changed (CrmStore   *store,
            const char *table,
            const char *id,
            guint      *count)
{
  (*count)++;
}

static void
test_revert_fields (StoreFixture  *f,
                    gconstpointer  data)
{
  static const char * const columns[] = { "city", "tags", "phones", "owner_id", NULL };
  g_autoptr(CrmChangeSet) changes = crm_change_set_new (f->store);
  g_autoptr(CrmContact) contact = NULL;
  g_autoptr(CrmContact) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = store_add_contact (f->store, "张三");
  g_auto(GStrv) phones = NULL;

  contact = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);
  g_assert_no_error (error);
  crm_contact_set_field_from_string (contact, "city", "杭州", &error);
  g_assert_no_error (error);
  crm_contact_set_field_from_string (contact, "phone", "13812345678", &error);
  g_assert_no_error (error);
  crm_store_update (f->store, CRM_RECORD (contact), &error);
  g_assert_no_error (error);

  crm_change_set_remember_fields (changes, CRM_RECORD (contact), columns);
  g_assert_cmpuint (crm_change_set_get_n_rows (changes), ==, 1);
  crm_contact_set_field_from_string (contact, "city", "宁波", &error);
  g_assert_no_error (error);
  crm_contact_set_field_from_string (contact, "tags", "VIP", &error);
  g_assert_no_error (error);
  crm_contact_set_field_from_string (contact, "phone", "13900001111", &error);
  g_assert_no_error (error);
  crm_record_set_owner_id (CRM_RECORD (contact), "0190a0a0-0000-7000-8000-000000000001");
  crm_store_update (f->store, CRM_RECORD (contact), &error);
  g_assert_no_error (error);

  g_assert_true (crm_change_set_revert (changes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crm_change_set_get_n_rows (changes), ==, 0);

  after = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (after), "city"), ==, "杭州");
  g_assert_true (crm_record_get_strv (CRM_RECORD (after), "tags") == NULL ||
                 crm_record_get_strv (CRM_RECORD (after), "tags")[0] == NULL);
  g_assert_null (crm_record_get_owner_id (CRM_RECORD (after)));
  phones = crm_contact_dup_phone_numbers (after);
  g_assert_cmpstr (phones[0], ==, "+8613812345678");

  /* The revert went out as a field-level update like any edit. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM outbox WHERE op = 'update'"), ==, 3);
}

static void
test_revert_insert_delete (StoreFixture  *f,
                           gconstpointer  data)
{
  g_autoptr(CrmChangeSet) changes = crm_change_set_new (f->store);
  g_autoptr(CrmContact) added = crm_contact_new ();
  g_autoptr(CrmContact) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old = store_add_contact (f->store, "李四");

  crm_contact_set_name (added, "王五");
  crm_store_insert (f->store, CRM_RECORD (added), &error);
  g_assert_no_error (error);
  crm_change_set_remember_insert (changes, CRM_RECORD (added));
  crm_store_delete (f->store, CRM_TYPE_CONTACT, old, &error);
  g_assert_no_error (error);
  crm_change_set_remember_delete (changes, CRM_TYPE_CONTACT, old);

  g_assert_true (crm_change_set_revert (changes, &error));
  g_assert_no_error (error);

  check = crm_store_get (f->store, CRM_TYPE_CONTACT, old, &error);
  g_assert_no_error (error);
  g_assert_false (crm_record_get_deleted (CRM_RECORD (check)));
  g_clear_object (&check);
  check = crm_store_get (f->store, CRM_TYPE_CONTACT, crm_record_get_id (CRM_RECORD (added)), &error);
  g_assert_no_error (error);
  g_assert_true (crm_record_get_deleted (CRM_RECORD (check)));
}

static void
test_revert_bulk_one_transaction (StoreFixture  *f,
                                  gconstpointer  data)
{
  static const char * const columns[] = { "lifecycle_override", NULL };
  g_autoptr(CrmChangeSet) changes = crm_change_set_new (f->store);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  g_assert_true (crm_store_begin (f->store, &error));
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *name = g_strdup_printf ("Contact %u", i);
      g_ptr_array_add (ids, store_add_contact (f->store, name));
    }
  g_assert_true (crm_store_commit (f->store, &error));

  g_assert_true (crm_store_begin (f->store, &error));
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CrmContact) contact = crm_store_get (f->store, CRM_TYPE_CONTACT, g_ptr_array_index (ids, i), &error);

      g_assert_no_error (error);
      crm_change_set_remember_fields (changes, CRM_RECORD (contact), columns);
      crm_contact_set_field_from_string (contact, "lifecycle", "dormant", &error);
      g_assert_no_error (error);
      crm_store_update (f->store, CRM_RECORD (contact), &error);
      g_assert_no_error (error);
    }
  g_assert_true (crm_store_commit (f->store, &error));
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM contacts WHERE lifecycle_override = 'dormant'"), ==, 300);

  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), &changed);
  g_assert_true (crm_change_set_revert (changes, &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM contacts WHERE lifecycle_override IS NOT NULL"), ==, 0);
  /* One bulk notification, not one per row. */
  g_assert_cmpuint (changed, ==, 1);
}

static void
test_revert_failure_changes_nothing (StoreFixture  *f,
                                     gconstpointer  data)
{
  static const char * const columns[] = { "city", NULL };
  g_autoptr(CrmChangeSet) changes = crm_change_set_new (f->store);
  g_autoptr(CrmContact) contact = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = store_add_contact (f->store, "赵六");
  g_autofree char *gone = store_add_contact (f->store, "钱七");

  contact = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);
  crm_change_set_remember_fields (changes, CRM_RECORD (contact), columns);
  crm_contact_set_field_from_string (contact, "city", "上海", &error);
  crm_store_update (f->store, CRM_RECORD (contact), &error);
  g_assert_no_error (error);

  /* A row that no longer exists makes the whole revert fail. */
  crm_change_set_remember_delete (changes, CRM_TYPE_CONTACT, "0190a0a0-0000-7000-8000-00000000dead");
  g_assert_false (crm_change_set_revert (changes, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (crm_change_set_get_n_rows (changes), ==, 2);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM contacts WHERE city = '上海'"), ==, 1);
}

/* On another connection (a worker thread's): counts what it put back;
 * cancelled, it puts back nothing and keeps the set. */
static void
test_revert_with_other_store (StoreFixture  *f,
                              gconstpointer  data)
{
  static const char * const columns[] = { "city", NULL };
  g_autoptr(CrmChangeSet) changes = crm_change_set_new (f->store);
  g_autoptr(CrmStore) other = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  volatile gint done = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = store_add_contact (f->store, "赵六");
      g_autoptr(CrmContact) contact = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);

      crm_change_set_remember_fields (changes, CRM_RECORD (contact), columns);
      crm_contact_set_field_from_string (contact, "city", "上海", &error);
      crm_store_update (f->store, CRM_RECORD (contact), &error);
      g_assert_no_error (error);
    }
  other = crm_store_open (crm_store_get_path (f->store), &error);
  g_assert_no_error (error);

  g_cancellable_cancel (cancelled);
  g_assert_false (crm_change_set_revert_with (changes, other, cancelled, &done, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (crm_change_set_get_n_rows (changes), ==, 3);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM contacts WHERE city = '上海'"), ==, 3);

  g_assert_true (crm_change_set_revert_with (changes, other, NULL, &done, &error));
  g_assert_no_error (error);
  g_assert_cmpint (done, ==, 3);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM contacts WHERE city = '上海'"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/change-set/revert-fields", test_revert_fields);
  STORE_TEST ("/change-set/revert-insert-delete", test_revert_insert_delete);
  STORE_TEST ("/change-set/revert-bulk-one-transaction", test_revert_bulk_one_transaction);
  STORE_TEST ("/change-set/revert-failure-changes-nothing", test_revert_failure_changes_nothing);
  STORE_TEST ("/change-set/revert-with-other-store", test_revert_with_other_store);

  return g_test_run ();
}
