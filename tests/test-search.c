/* test-search.c: contact search by name, pinyin, initials, email, phone, organization and tag */

#include "config.h"

#include "crm-contact.h"
#include "crm-contact-search.h"
#include "store-fixture.h"

static char *
add_contact (CrmStore   *store,
             const char *first_field,
             ...)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  const char *field = first_field;
  va_list args;

  va_start (args, first_field);
  while (field != NULL)
    {
      const char *value = va_arg (args, const char *);

      g_assert_true (crm_contact_set_field_from_string (contact, field, value, &error));
      g_assert_no_error (error);
      field = va_arg (args, const char *);
    }
  va_end (args);

  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static GPtrArray *
search (CrmStore   *store,
        const char *query,
        guint      *out_total)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *ids = crm_contact_search (store, query, 100, 0, out_total, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ids);
  return ids;
}

static gboolean
found (CrmStore   *store,
       const char *query,
       const char *id)
{
  g_autoptr(GPtrArray) ids = search (store, query, NULL);

  for (guint i = 0; i < ids->len; i++)
    if (g_str_equal (g_ptr_array_index (ids, i), id))
      return TRUE;
  return FALSE;
}

static int
position (CrmStore   *store,
          const char *query,
          const char *id)
{
  g_autoptr(GPtrArray) ids = search (store, query, NULL);

  for (guint i = 0; i < ids->len; i++)
    if (g_str_equal (g_ptr_array_index (ids, i), id))
      return (int) i;
  return -1;
}

static void
test_search_forms (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autofree char *zsf = add_contact (f->store, "name", "张三丰", "email", "zsf@example.cn",
                                      "phone", "13812345678", NULL);
  g_autofree char *other = add_contact (f->store, "name", "李四", "email", "lisi@example.cn",
                                        "phone", "13900001111", NULL);
  static const char * const queries[] = {
    "张三", "三丰", "zsf", "zhangsan", "1381234", "zs", "张", "丰", "sf", "ZSF",
    "zsf@example", "zsf@", "138 1234 5678", "+86 138", "8613812345678", "zhangsanfeng",
  };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_test_message ("query “%s”", queries[i]);
      g_assert_true (found (f->store, queries[i], zsf));
      g_assert_false (found (f->store, queries[i], other));
    }
  g_assert_false (found (f->store, "王", zsf));
  g_assert_false (found (f->store, "wangwu", zsf));
  g_assert_true (found (f->store, "李", other));
  g_assert_true (found (f->store, "lisi", other));
}

static void
test_search_ranking (StoreFixture  *f,
                     gconstpointer  data)
{
  /* Inserted worst first, so insertion order cannot pass for ranking. */
  g_autofree char *inside = add_contact (f->store, "name", "李张三", NULL);
  g_autofree char *prefix = add_contact (f->store, "name", "张三丰", NULL);
  g_autofree char *exact = add_contact (f->store, "name", "张三", NULL);
  g_autofree char *inside3 = add_contact (f->store, "name", "Anna Smith", NULL);
  g_autofree char *prefix3 = add_contact (f->store, "name", "Smithson", NULL);
  g_autofree char *exact3 = add_contact (f->store, "name", "Smith", NULL);
  guint total = 0;
  g_autoptr(GPtrArray) ids = search (f->store, "张三", &total);

  g_assert_cmpuint (total, ==, 3);
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, exact);
  g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, prefix);
  g_assert_cmpstr (g_ptr_array_index (ids, 2), ==, inside);

  g_assert_cmpint (position (f->store, "smith", exact3), ==, 0);
  g_assert_cmpint (position (f->store, "smith", prefix3), ==, 1);
  g_assert_cmpint (position (f->store, "smith", inside3), ==, 2);
}

static void
test_search_paging (StoreFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page1 = NULL;
  g_autoptr(GPtrArray) page2 = NULL;
  g_autoptr(GPtrArray) all = NULL;
  guint total = 0;

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *name = g_strdup_printf ("王%u", i);
      g_autofree char *id = add_contact (f->store, "name", name, NULL);
    }
  g_autofree char *unrelated = add_contact (f->store, "name", "赵六", NULL);

  page1 = crm_contact_search (f->store, "王", 10, 0, &total, &error);
  page2 = crm_contact_search (f->store, "王", 10, 20, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 25);
  g_assert_cmpuint (page1->len, ==, 10);
  g_assert_cmpuint (page2->len, ==, 5);
  for (guint i = 0; i < page1->len; i++)
    for (guint j = 0; j < page2->len; j++)
      g_assert_cmpstr (g_ptr_array_index (page1, i), !=, g_ptr_array_index (page2, j));

  /* No query: everyone, in name order. */
  all = crm_contact_search (f->store, "", 1000, 0, &total, &error);
  g_assert_cmpuint (total, ==, 26);
  g_assert_cmpuint (all->len, ==, 26);

  /* The query is data, never FTS syntax. */
  g_clear_pointer (&all, g_ptr_array_unref);
  all = crm_contact_search (f->store, "\"a\" OR name:*", 10, 0, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 0);
}

static void
test_search_follows_changes (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org = add_contact (f->store, "name", "华为技术", "kind", "organization", NULL);
  g_autofree char *id = add_contact (f->store, "name", "张三丰", "tags", "武当, VIP", NULL);
  g_autoptr(CrmContact) contact = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);

  g_assert_true (found (f->store, "武当", id));
  g_assert_true (found (f->store, "vip", id));

  /* Organization: by its name, and following a rename. */
  g_object_set (contact, "organization-id", org, NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  g_assert_true (found (f->store, "华为技术", id));
  {
    g_autoptr(CrmContact) organization = crm_store_get (f->store, CRM_TYPE_CONTACT, org, &error);

    crm_contact_set_name (organization, "荣耀终端");
    g_assert_true (crm_store_update (f->store, CRM_RECORD (organization), &error));
  }
  g_assert_true (found (f->store, "荣耀终端", id));
  g_assert_false (found (f->store, "华为技术", id));

  /* Rename: old forms gone, new ones found, in both index structures. */
  crm_contact_set_name (contact, "王五");
  g_assert_true (crm_store_update (f->store, CRM_RECORD (contact), &error));
  g_assert_false (found (f->store, "张三", id));
  g_assert_false (found (f->store, "zsf", id));
  g_assert_true (found (f->store, "王五", id));
  g_assert_true (found (f->store, "ww", id));
  g_assert_true (found (f->store, "wangwu", id));

  /* Deleted contacts are not found; undeleted ones are again. */
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_CONTACT, id, &error));
  g_assert_false (found (f->store, "王五", id));
  g_assert_false (found (f->store, "wangwu", id));
  g_assert_true (crm_store_undelete (f->store, CRM_TYPE_CONTACT, id, &error));
  g_assert_true (found (f->store, "王五", id));
  g_assert_true (found (f->store, "wangwu", id));

  /* Keys of old names were removed exactly, not left behind. */
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count(*) FROM contact_search_keys WHERE key IN ('张', '张三', 'zs', 'zh')"),
                   ==, 0);
}

static void
test_search_deferred_rebuild (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = add_contact (f->store, "name", "张三丰", NULL);
  g_autoptr(GPtrArray) ids = NULL;

  g_assert_true (crm_store_begin (f->store, &error));
  g_assert_true (crm_contact_search_set_deferred (f->store, TRUE, &error));
  g_assert_true (crm_store_commit (f->store, &error));
  g_assert_true (crm_contact_search_get_deferred (f->store));

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("批量%u", i);
      g_autofree char *id = add_contact (f->store, "name", name, NULL);
    }
  /* While deferred, searching says so instead of giving partial results. */
  ids = crm_contact_search (f->store, "批量", 10, 0, NULL, &error);
  g_assert_null (ids);
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contact_fts"), ==, 1);

  g_assert_true (crm_contact_search_rebuild (f->store, &error));
  g_assert_no_error (error);
  g_assert_false (crm_contact_search_get_deferred (f->store));
  {
    guint total = 0;
    g_autoptr(GPtrArray) found_ids = search (f->store, "批量", &total);

    g_assert_cmpuint (total, ==, 50);
  }
  g_assert_true (found (f->store, "zsf", before));
  g_assert_true (crm_store_check (f->store, NULL, &error));
  g_assert_no_error (error);

  /* A rebuild yields exactly what the triggers maintain row by row. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contact_search_keys"), >, 0);
  {
    gint64 keys = store_query_int (f->store, "SELECT count(*) FROM contact_search_keys");

    g_assert_true (crm_contact_search_rebuild (f->store, &error));
    g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contact_search_keys"), ==, keys);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/search/forms", test_search_forms);
  STORE_TEST ("/search/ranking", test_search_ranking);
  STORE_TEST ("/search/paging", test_search_paging);
  STORE_TEST ("/search/follows-changes", test_search_follows_changes);
  STORE_TEST ("/search/deferred-rebuild", test_search_deferred_rebuild);

  return g_test_run ();
}
