/* test-outbox.c: field-level mutations and audit entries written by the triggers */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "crm-contact.h"
#include "crm-purchase.h"
#include "store-fixture.h"

typedef struct
{
  gint64 mutation_id;
  char *table;
  char *row_id;
  char *op;
  JsonObject *patch;   /* NULL for a hard delete */
  char *hlc;
} Mutation;

static void
mutation_free (Mutation *m)
{
  g_free (m->table);
  g_free (m->row_id);
  g_free (m->op);
  g_clear_pointer (&m->patch, json_object_unref);
  g_free (m->hlc);
  g_free (m);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Mutation, mutation_free)

static GPtrArray *
read_outbox (CrmStore *store)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) mutation_free);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store),
                                       "SELECT mutation_id, table_name, row_id, op, patch, hlc FROM outbox ORDER BY mutation_id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Mutation *m = g_new0 (Mutation, 1);

      m->mutation_id = sqlite3_column_int64 (stmt, 0);
      m->table = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      m->row_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      m->op = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
        {
          g_autoptr(JsonNode) node = json_from_string ((const char *) sqlite3_column_text (stmt, 4), NULL);

          g_assert_nonnull (node);
          g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
          m->patch = json_object_ref (json_node_get_object (node));
        }
      m->hlc = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      g_ptr_array_add (list, m);
    }
  sqlite3_finalize (stmt);
  return list;
}

static Mutation *
last_mutation (CrmStore *store)
{
  g_autoptr(GPtrArray) list = read_outbox (store);

  g_assert_cmpuint (list->len, >, 0);
  return g_ptr_array_steal_index (list, list->len - 1);
}

static char *
insert_contact (CrmStore   *store,
                const char *name)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, name);
  g_assert_true (crm_contact_set_field_from_string (contact, "email", "a@example.cn", &error));
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static void
test_outbox_insert (StoreFixture  *f,
                    gconstpointer  data)
{
  g_autofree char *id = insert_contact (f->store, "张三");
  g_autoptr(Mutation) m = last_mutation (f->store);
  g_autoptr(CrmContact) contact = crm_store_get (f->store, CRM_TYPE_CONTACT, id, NULL);

  g_assert_cmpint (m->mutation_id, ==, 1);
  g_assert_cmpstr (m->table, ==, "contacts");
  g_assert_cmpstr (m->row_id, ==, id);
  g_assert_cmpstr (m->op, ==, "insert");
  g_assert_cmpstr (m->hlc, ==, crm_record_get_updated_at (CRM_RECORD (contact)));

  g_assert_cmpstr (json_object_get_string_member (m->patch, "name"), ==, "张三");
  /* NULLs are kept as null, JSON columns embedded as JSON. */
  g_assert_true (json_object_has_member (m->patch, "birthday"));
  g_assert_true (json_object_get_null_member (m->patch, "birthday"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (m->patch, "emails")));
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (m->patch, "emails"), 0),
                   ==, "a@example.cn");
  /* Bookkeeping and derived columns stay local. */
  g_assert_false (json_object_has_member (m->patch, "server_version"));
  g_assert_false (json_object_has_member (m->patch, "rid"));
  g_assert_false (json_object_has_member (m->patch, "name_pinyin"));
  g_assert_false (json_object_has_member (m->patch, "lifecycle"));
}

static void
test_outbox_update_only_changed (StoreFixture  *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = insert_contact (f->store, "张三");
  g_autoptr(CrmContact) contact = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);
  g_autoptr(Mutation) m = NULL;
  g_autoptr(Mutation) cleared = NULL;
  g_autoptr(GList) members = NULL;

  g_object_set (contact, "city", "北京", "notes", "VIP", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);

  m = last_mutation (f->store);
  g_assert_cmpint (m->mutation_id, ==, 2);
  g_assert_cmpstr (m->op, ==, "update");
  members = json_object_get_members (m->patch);
  g_assert_cmpuint (g_list_length (members), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (m->patch, "city"), ==, "北京");
  g_assert_cmpstr (json_object_get_string_member (m->patch, "notes"), ==, "VIP");

  /* Clearing a field is a change to null, not an omission. */
  g_object_set (contact, "notes", NULL, NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (contact), &error));
  cleared = last_mutation (f->store);
  g_assert_cmpint (cleared->mutation_id, ==, 3);
  g_assert_cmpuint (json_object_get_size (cleared->patch), ==, 1);
  g_assert_true (json_object_get_null_member (cleared->patch, "notes"));
  g_assert_cmpstr (cleared->hlc, >, m->hlc);

  /* An update that changes nothing writes nothing. */
  g_object_set (contact, "city", "北京", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (contact), &error));
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox"), ==, 3);
}

static void
test_outbox_delete (StoreFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = insert_contact (f->store, "张三");
  g_autoptr(GPtrArray) list = NULL;
  Mutation *deleted, *restored;

  g_assert_true (crm_store_delete (f->store, CRM_TYPE_CONTACT, id, &error));
  g_assert_true (crm_store_undelete (f->store, CRM_TYPE_CONTACT, id, &error));
  g_assert_no_error (error);

  list = read_outbox (f->store);
  g_assert_cmpuint (list->len, ==, 3);
  deleted = g_ptr_array_index (list, 1);
  restored = g_ptr_array_index (list, 2);
  g_assert_cmpstr (deleted->op, ==, "delete");
  g_assert_cmpint (json_object_get_int_member (deleted->patch, "deleted"), ==, 1);
  g_assert_cmpuint (json_object_get_size (deleted->patch), ==, 1);
  g_assert_cmpstr (restored->op, ==, "update");
  g_assert_cmpint (json_object_get_int_member (restored->patch, "deleted"), ==, 0);

  /* A hard delete (never done by the store, but by hand) is recorded too. */
  g_assert_true (crm_store_exec (f->store, "DELETE FROM contacts", &error));
  g_clear_pointer (&list, g_ptr_array_unref);
  list = read_outbox (f->store);
  g_assert_cmpuint (list->len, ==, 4);
  g_assert_cmpstr (((Mutation *) g_ptr_array_index (list, 3))->op, ==, "delete");
  g_assert_null (((Mutation *) g_ptr_array_index (list, 3))->patch);
}

static void
test_outbox_consecutive_ids (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;

  for (guint round = 0; round < 5; round++)
    {
      g_autofree char *a = NULL;

      g_assert_true (crm_store_begin (f->store, &error));
      a = insert_contact (f->store, "kept");
      g_assert_true (crm_store_commit (f->store, &error));

      g_assert_true (crm_store_begin (f->store, &error));
      g_free (insert_contact (f->store, "rolled back"));
      g_free (insert_contact (f->store, "rolled back"));
      crm_store_rollback (f->store);
    }

  /* The sync engine deletes pushed mutations: ids must not be reused. */
  g_assert_true (crm_store_exec (f->store, "DELETE FROM outbox", &error));
  g_free (insert_contact (f->store, "after push"));

  list = read_outbox (f->store);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((Mutation *) g_ptr_array_index (list, 0))->mutation_id, ==, 6);
}

static void
test_outbox_applying_remote (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = insert_contact (f->store, "张三");
  g_autoptr(CrmContact) contact = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);
  gint64 audit_before = store_query_int (f->store, "SELECT count(*) FROM audit_log");

  /* Outside a transaction the flag is refused. */
  g_assert_false (crm_store_set_applying_remote (f->store, TRUE, &error));
  g_clear_error (&error);

  g_assert_true (crm_store_begin (f->store, &error));
  g_assert_true (crm_store_set_applying_remote (f->store, TRUE, &error));
  g_object_set (contact, "city", "上海", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (contact), &error));
  g_free (insert_contact (f->store, "remote"));
  g_assert_true (crm_store_set_applying_remote (f->store, FALSE, &error));
  g_assert_true (crm_store_commit (f->store, &error));
  g_assert_no_error (error);

  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox"), ==, 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM audit_log"), ==, audit_before);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 2);

  /* And afterwards local changes are recorded again. */
  g_object_set (contact, "city", "广州", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (contact), &error));
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox"), ==, 2);
}

static void
test_outbox_derived_not_synced (StoreFixture  *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = insert_contact (f->store, "张三");
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *now = NULL;
  g_autoptr(GDateTime) dt = g_date_time_new_now_utc ();

  now = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
  g_object_set (purchase, "contact-id", id, "product", "茶叶", "amount", (gint64) 9900,
                "purchased-at", now, NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (purchase), &error));
  g_assert_no_error (error);

  /* The contact's totals changed, but only the purchase is a mutation. */
  g_assert_cmpint (store_query_int (f->store, "SELECT purchase_count FROM contacts"), ==, 1);
  list = read_outbox (f->store);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (((Mutation *) g_ptr_array_index (list, 1))->table, ==, "purchases");
  g_assert_cmpint (json_object_get_int_member (((Mutation *) g_ptr_array_index (list, 1))->patch, "amount"), ==, 9900);
}

static void
test_outbox_audit (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(CrmContact) contact = NULL;
  g_autofree char *device = NULL;
  g_autofree char *user = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *action = NULL;

  g_assert_true (crm_store_set_user (f->store, "0190c5e2-0000-7000-8000-0000000000aa", &error));
  id = insert_contact (f->store, "张三");
  contact = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);
  g_object_set (contact, "title", "经理", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (contact), &error));
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_CONTACT, id, &error));
  g_assert_no_error (error);

  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM audit_log"), ==, 3);
  user = store_query_text (f->store, "SELECT user_id FROM audit_log WHERE seq = 2");
  device = store_query_text (f->store, "SELECT device FROM audit_log WHERE seq = 2");
  before = store_query_text (f->store, "SELECT before FROM audit_log WHERE seq = 2");
  after = store_query_text (f->store, "SELECT after FROM audit_log WHERE seq = 2");
  action = store_query_text (f->store, "SELECT group_concat (action, ',') FROM audit_log");
  g_assert_cmpstr (user, ==, "0190c5e2-0000-7000-8000-0000000000aa");
  g_assert_cmpstr (device, ==, g_get_host_name ());
  g_assert_cmpstr (before, ==, "{\"title\":null}");
  g_assert_cmpstr (after, ==, "{\"title\":\"经理\"}");
  g_assert_cmpstr (action, ==, "insert,update,delete");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/outbox/insert", test_outbox_insert);
  STORE_TEST ("/outbox/update-only-changed", test_outbox_update_only_changed);
  STORE_TEST ("/outbox/delete", test_outbox_delete);
  STORE_TEST ("/outbox/consecutive-ids", test_outbox_consecutive_ids);
  STORE_TEST ("/outbox/applying-remote", test_outbox_applying_remote);
  STORE_TEST ("/outbox/derived-not-synced", test_outbox_derived_not_synced);
  STORE_TEST ("/outbox/audit", test_outbox_audit);

  return g_test_run ();
}
