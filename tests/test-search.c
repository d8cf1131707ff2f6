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
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count(*) FROM contact_search_fields WHERE key IN ('张三丰', 'zhangsanfeng', 'zsf')"),
                   ==, 0);
  g_assert_cmpint (store_query_int (f->store,
                                    "SELECT count(*) FROM contact_search_fields WHERE key IN ('王五', 'wangwu', 'ww', '武当', 'vip')"),
                   ==, 5);

  /* Long queries find the new fields' exact and prefix matches. */
  g_assert_true (found (f->store, "wangwu", id));
  g_assert_true (found (f->store, "wangw", id));
  g_assert_cmpint (position (f->store, "荣耀终端", org), ==, 0);
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

    gint64 fields = store_query_int (f->store, "SELECT count(*) FROM contact_search_fields");

    g_assert_cmpint (fields, >=, 51 * 3);
    g_assert_true (crm_contact_search_rebuild (f->store, &error));
    g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contact_search_keys"), ==, keys);
    g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contact_search_fields"), ==, fields);
  }
}

/* Every row of the three search tables, as one text to compare. */
static char *
dump_index (CrmStore *store)
{
  static const char * const queries[] = {
    "SELECT rowid, name, pinyin, initials, emails, phones, organization, tags FROM contact_fts ORDER BY rowid",
    "SELECT key, kind, rid FROM contact_search_keys ORDER BY key, kind, rid",
    "SELECT key, rid FROM contact_search_fields ORDER BY key, rid",
  };
  GString *out = g_string_new (NULL);

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, queries[q], NULL);

      g_assert_nonnull (stmt);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int i = 0; i < sqlite3_column_count (stmt); i++)
            {
              const char *text = (const char *) sqlite3_column_text (stmt, i);

              g_string_append_printf (out, "%s|", text != NULL ? text : "<null>");
            }
          g_string_append_c (out, '\n');
        }
    }
  return g_string_free (out, FALSE);
}

/* The contacts of test_search_bulk_index: every kind of text the key
 * rules treat apart (one and two characters, over 128, spaces, ASCII
 * and other capitals, phones of each form, an organization). */
static void
add_varied_contacts (CrmStore   *store,
                     const char *suffix)
{
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autofree char *organization = NULL;
  g_autofree char *org_name = g_strconcat ("阿里巴巴", suffix, NULL);
  g_autofree char *deleted = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 140; i++)
    g_string_append (long_name, i % 2 ? "长" : "x");
  organization = add_contact (store, "kind", "organization", "name", org_name, "tags", "Tech, 大 客户", NULL);
  g_free (add_contact (store, "name", "张三丰", "emails", "Zsf@Example.COM, 三丰@例子.中国",
                       "phones", "+86 138 0013 8000, 010-6552 9988, +1 415 555 0100",
                       "tags", "VIP, 老客户, a b", "organization_id", organization, NULL));
  g_free (add_contact (store, "name", "王", "phones", "0571 8888 6666", NULL));
  g_free (add_contact (store, "name", "李四", "emails", "L@X.CN", "tags", "Z", NULL));
  g_free (add_contact (store, "name", "Zhang Wei Émile", "emails", "ZW@example.com", NULL));
  g_free (add_contact (store, "name", long_name->str, NULL));
  deleted = add_contact (store, "name", "删除了", "emails", "gone@example.com", NULL);
  g_assert_true (crm_store_delete (store, CRM_TYPE_CONTACT, deleted, &error));
  g_assert_no_error (error);

  /* JSON the app never writes: indexed by the triggers' SQL. */
  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store,
      "INSERT INTO contacts (id, created_at, updated_at, kind, name, emails, phones, tags)\n"
      "VALUES (?1, '2024-01-01T00:00:00Z-0000-0', '2024-01-01T00:00:00Z-0000-0', 'person', '赵六',\n"
      "        '[\"Odd@Example.com\", 42]', '[{\"original\": \"no e164\"}, {\"e164\": \"+8613900001111\"}]',\n"
      "        '[\"x\", {\"a\": 1}]')", &error);
    g_autofree char *id = g_strdup_printf ("01900000-0000-7000-8000-0000000000%s", suffix);

    g_assert_no_error (error);
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
    g_assert_true (crm_store_step_done (store, stmt, &error));
    g_assert_no_error (error);
  }
}

/* Contacts inserted while maintenance is paused are indexed on resume
 * exactly as the triggers (and the rebuild, which runs their SQL over
 * every contact) index them. */
static void
test_search_bulk_index (StoreFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *by_triggers = NULL;
  g_autofree char *bulk = NULL;
  g_autofree char *rebuilt = NULL;
  gint64 from = 0;

  add_varied_contacts (f->store, "01");
  by_triggers = dump_index (f->store);
  g_assert_true (crm_contact_search_rebuild (f->store, &error));
  g_assert_no_error (error);
  rebuilt = dump_index (f->store);
  g_assert_cmpstr (rebuilt, ==, by_triggers);
  g_clear_pointer (&rebuilt, g_free);

  g_assert_true (crm_store_begin (f->store, &error));
  g_assert_true (crm_contact_search_pause (f->store, &from, &error));
  g_assert_no_error (error);
  g_assert_cmpint (from, >, 1);
  add_varied_contacts (f->store, "02");
  /* Nothing of them is indexed yet, and searching says so. */
  {
    g_autofree char *paused = dump_index (f->store);

    g_assert_cmpstr (paused, ==, by_triggers);
  }
  g_assert_true (crm_contact_search_get_deferred (f->store));
  g_assert_true (crm_contact_search_resume (f->store, from, &error));
  g_assert_no_error (error);
  g_assert_true (crm_store_commit (f->store, &error));
  g_assert_false (crm_contact_search_get_deferred (f->store));

  bulk = dump_index (f->store);
  g_assert_cmpstr (bulk, !=, by_triggers);
  g_assert_true (crm_contact_search_rebuild (f->store, &error));
  g_assert_no_error (error);
  rebuilt = dump_index (f->store);
  g_assert_cmpstr (bulk, ==, rebuilt);
  {
    guint total = 0;
    g_autoptr(GPtrArray) ids = search (f->store, "zsf", &total);

    g_assert_cmpuint (total, ==, 2);
  }
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contact_fts"), ==, 14);
}

/* A rollback takes the pause back with the rows. */
static void
test_search_bulk_rollback (StoreFixture  *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 from = 0;

  g_assert_true (crm_store_begin (f->store, &error));
  g_assert_true (crm_contact_search_pause (f->store, &from, &error));
  g_free (add_contact (f->store, "name", "回滚", NULL));
  crm_store_rollback (f->store);
  g_assert_false (crm_contact_search_get_deferred (f->store));
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 0);

  /* Paused by a rebuild's owner already: resuming leaves it to them. */
  g_assert_true (crm_store_begin (f->store, &error));
  g_assert_true (crm_contact_search_set_deferred (f->store, TRUE, &error));
  g_assert_true (crm_contact_search_pause (f->store, &from, &error));
  g_assert_cmpint (from, ==, 0);
  g_free (add_contact (f->store, "name", "重建", NULL));
  g_assert_true (crm_contact_search_resume (f->store, from, &error));
  g_assert_true (crm_store_commit (f->store, &error));
  g_assert_no_error (error);
  g_assert_true (crm_contact_search_get_deferred (f->store));
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contact_fts"), ==, 0);
}

static GArray *
search_rids (CrmStore   *store,
             const char *query,
             guint       limit,
             guint       offset,
             guint      *out_total,
             gboolean   *out_capped)
{
  g_autoptr(GError) error = NULL;
  GArray *rids = crm_contact_search_rids (store, query, limit, offset, out_total, out_capped, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rids);
  return rids;
}

static gint64
rid_of (CrmStore   *store,
        const char *id)
{
  sqlite3_stmt *stmt = NULL;
  gint64 rid;

  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store), "SELECT rid FROM contacts WHERE id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  rid = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return rid;
}

/* The rank (0 exact, 1 prefix, 2 substring) of each rid, from the ids. */
static int
rank_of (CrmStore           *store,
         gint64              rid,
         const char * const *exact,
         const char * const *prefix,
         const char * const *inside)
{
  const char * const *tiers[] = { exact, prefix, inside };

  for (int t = 0; t < 3; t++)
    for (guint i = 0; tiers[t][i] != NULL; i++)
      if (rid_of (store, tiers[t][i]) == rid)
        return t;
  g_assert_not_reached ();
}

static void
test_search_tiers (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  /* Inserted worst first, so insertion order cannot pass for ranking. */
  g_autofree char *in_name = add_contact (f->store, "name", "Li Wang", NULL);
  g_autofree char *in_email = add_contact (f->store, "name", "Xu Li", "email", "x.wang@example.com", NULL);
  g_autofree char *org = add_contact (f->store, "name", "Wangfujing Store", "kind", "organization", NULL);
  g_autofree char *in_org = add_contact (f->store, "name", "Zhao Min", "organization_id", org, NULL);
  g_autofree char *pre_tag = add_contact (f->store, "name", "赵敏", "tags", "Wangpai", NULL);
  g_autofree char *pre_email = add_contact (f->store, "name", "Fang", "email", "wang.fang@example.com", NULL);
  g_autofree char *pre_pinyin = add_contact (f->store, "name", "王芳", NULL);
  g_autofree char *ex_pinyin = add_contact (f->store, "name", "王", NULL);
  g_autofree char *ex_tag = add_contact (f->store, "name", "Someone", "tags", "wang, VIP", NULL);
  /* Exact by name, prefix by email: counted once, as exact. */
  g_autofree char *ex_both = add_contact (f->store, "name", "Wang", "email", "wang@example.com", NULL);
  g_autofree char *unrelated = add_contact (f->store, "name", "李四", "email", "lisi@example.com", NULL);
  const char * const exact[] = { ex_pinyin, ex_tag, ex_both, NULL };
  const char * const prefix[] = { pre_tag, pre_email, pre_pinyin, org, NULL };
  const char * const inside[] = { in_name, in_email, in_org, NULL };
  g_autoptr(GArray) all = NULL;
  g_autoptr(GHashTable) distinct = g_hash_table_new (g_int64_hash, g_int64_equal);
  guint total = 0;
  gboolean capped = TRUE;
  int last_rank = 0;

  all = search_rids (f->store, "wang", G_MAXUINT, 0, &total, &capped);
  g_assert_cmpuint (all->len, ==, 10);
  g_assert_cmpuint (total, ==, 10);
  g_assert_false (capped);
  for (guint i = 0; i < all->len; i++)
    {
      gint64 *rid = &g_array_index (all, gint64, i);
      int rank = rank_of (f->store, *rid, exact, prefix, inside);

      g_test_message ("%u: rid %" G_GINT64_FORMAT ", rank %d", i, *rid, rank);
      g_assert_cmpint (rank, >=, last_rank);
      last_rank = rank;
      g_assert_true (g_hash_table_add (distinct, rid));
    }
  g_assert_cmpint (rank_of (f->store, g_array_index (all, gint64, 2), exact, prefix, inside), ==, 0);
  g_assert_cmpint (rank_of (f->store, g_array_index (all, gint64, 3), exact, prefix, inside), ==, 1);
  g_assert_cmpint (rank_of (f->store, g_array_index (all, gint64, 6), exact, prefix, inside), ==, 1);
  g_assert_cmpint (rank_of (f->store, g_array_index (all, gint64, 7), exact, prefix, inside), ==, 2);

  /* Pages of every size, cutting the tiers anywhere, add up to the whole
   * list; the total is the same whether the page reached FTS or not. */
  for (guint size = 1; size <= 4; size++)
    for (guint offset = 0; offset < all->len + size; offset += size)
      {
        g_autoptr(GArray) page = search_rids (f->store, "wang", size, offset, &total, &capped);

        g_assert_cmpuint (total, ==, 10);
        g_assert_false (capped);
        g_assert_cmpuint (page->len, ==, MIN (size, all->len - MIN (offset, all->len)));
        for (guint i = 0; i < page->len; i++)
          g_assert_cmpint (g_array_index (page, gint64, i), ==, g_array_index (all, gint64, offset + i));
      }

  /* Ids come in the same order. */
  {
    g_autoptr(GPtrArray) ids = crm_contact_search (f->store, "wang", 100, 0, &total, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (ids->len, ==, all->len);
    for (guint i = 0; i < ids->len; i++)
      g_assert_cmpint (rid_of (f->store, g_ptr_array_index (ids, i)), ==, g_array_index (all, gint64, i));
  }

  /* Longer prefixes narrow the same way; the organization's people stay
   * substring matches. */
  g_assert_cmpint (position (f->store, "wangf", pre_email), <, position (f->store, "wangf", in_org));
  g_assert_cmpint (position (f->store, "wangfang", pre_pinyin), <=, 1);
  g_assert_false (found (f->store, "wang", unrelated));
  g_assert_cmpint (position (f->store, "wang@example.com", ex_both), ==, 0);
}

static void
test_search_capped_total (StoreFixture  *f,
                          gconstpointer  data)
{
  const guint n = CRM_CONTACT_SEARCH_TOTAL_CAP + 10;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rids = NULL;
  g_autoptr(GArray) page = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  guint total = 0;
  gboolean capped = FALSE;

  /* 王0…王10009 in one statement and indexed in one go, as bulk writers
   * do: through the record API this takes seconds. */
  g_assert_cmpuint (n, ==, 10010);
  g_assert_true (crm_store_begin (f->store, &error));
  g_assert_true (crm_contact_search_set_deferred (f->store, TRUE, &error));
  g_assert_cmpint (sqlite3_exec (crm_store_get_db (f->store),
                                 "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10009)\n"
                                 "INSERT INTO contacts (id, created_at, updated_at, name, name_pinyin, name_initials)\n"
                                 "SELECT printf ('00000000-0000-7000-8000-%012d', i), '2024-01-01T00:00:00.000Z',\n"
                                 "  '2024-01-01T00:00:00.000Z', '王' || i, 'wang' || i, 'w' FROM n",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (crm_store_commit (f->store, &error));
  g_assert_true (crm_contact_search_rebuild (f->store, &error));
  g_assert_no_error (error);
  g_autofree char *other = add_contact (f->store, "name", "Wanda", NULL);

  /* Short and long queries stop counting past the cap, and say so. */
  rids = search_rids (f->store, "王", 50, 0, &total, &capped);
  g_assert_cmpuint (rids->len, ==, 50);
  g_assert_cmpuint (total, ==, CRM_CONTACT_SEARCH_TOTAL_CAP);
  g_assert_true (capped);
  g_clear_pointer (&rids, g_array_unref);
  rids = search_rids (f->store, "wang", 50, 0, &total, &capped);
  g_assert_cmpuint (total, ==, CRM_CONTACT_SEARCH_TOTAL_CAP);
  g_assert_true (capped);
  g_clear_pointer (&rids, g_array_unref);
  rids = search_rids (f->store, "wan", 50, 0, &total, &capped);
  g_assert_cmpuint (total, ==, CRM_CONTACT_SEARCH_TOTAL_CAP);
  g_assert_true (capped);

  /* Below the cap, exact. */
  g_clear_pointer (&rids, g_array_unref);
  rids = search_rids (f->store, "wang99", 5, 0, &total, &capped);
  g_assert_cmpuint (total, ==, 111);   /* 王99, 王990…王999, 王9900…王9999 */
  g_assert_false (capped);
  g_clear_pointer (&rids, g_array_unref);
  rids = search_rids (f->store, "wanda", 5, 0, &total, &capped);
  g_assert_cmpuint (total, ==, 1);
  g_assert_false (capped);

  /* Pages past the cap still come; one that reaches the end has seen
   * every match, so counts them all. */
  page = search_rids (f->store, "wang", 50, n - 5, &total, &capped);
  g_assert_cmpuint (page->len, ==, 5);
  g_assert_cmpuint (total, ==, n);
  g_assert_false (capped);
  g_clear_pointer (&page, g_array_unref);
  page = search_rids (f->store, "wang", 5, n - 50, &total, &capped);
  g_assert_cmpuint (page->len, ==, 5);
  g_assert_cmpuint (total, ==, CRM_CONTACT_SEARCH_TOTAL_CAP);
  g_assert_true (capped);

  /* Reading every match counts them all. */
  g_clear_pointer (&rids, g_array_unref);
  rids = search_rids (f->store, "wang", G_MAXUINT, 0, &total, &capped);
  g_assert_cmpuint (rids->len, ==, n);
  g_assert_cmpuint (total, ==, n);
  g_assert_false (capped);

  /* The id API reports the cap itself. */
  ids = crm_contact_search (f->store, "王", 10, 0, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, CRM_CONTACT_SEARCH_TOTAL_CAP);

  /* No query counts everyone exactly. */
  g_clear_pointer (&rids, g_array_unref);
  rids = search_rids (f->store, "", 10, 0, &total, &capped);
  g_assert_cmpuint (total, ==, n + 1);
  g_assert_false (capped);
}

/* Version 3 added contact_search_fields to databases that hold contacts:
 * its migration hook, run on such a database, indexes them all. */
static void
test_search_fields_migration (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zsf = add_contact (f->store, "name", "张三丰", "email", "Zsf@Example.cn",
                                      "phone", "13812345678", "tags", "武当", NULL);
  g_autofree char *smith = add_contact (f->store, "name", "Anna Smith", NULL);
  g_autofree char *deleted = add_contact (f->store, "name", "张三", NULL);
  sqlite3 *db = crm_store_get_db (f->store);
  gint64 fields;

  g_assert_true (crm_store_delete (f->store, CRM_TYPE_CONTACT, deleted, &error));
  fields = store_query_int (f->store, "SELECT count(*) FROM contact_search_fields");
  /* 张三丰: name, pinyin, initials, email, two phone forms, tag; Anna
   * Smith: name, pinyin, initials; the deleted contact none. */
  g_assert_cmpint (fields, ==, 10);

  g_assert_true (crm_store_begin (f->store, &error));
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP TRIGGER contacts_search_fields_insert;"
                                 "DROP TRIGGER contacts_search_fields_update;"
                                 "DROP TRIGGER contacts_search_fields_delete;"
                                 "DROP TABLE contact_search_fields;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (crm_contact_search_install_fields (db, &error));
  g_assert_no_error (error);
  g_assert_true (crm_store_commit (f->store, &error));

  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contact_search_fields"), ==, fields);
  g_assert_cmpint (position (f->store, "zsf@example.cn", zsf), ==, 0);
  g_assert_cmpint (position (f->store, "13812345678", zsf), ==, 0);
  g_assert_cmpint (position (f->store, "annasmith", smith), ==, 0);
  g_assert_false (found (f->store, "张三", deleted));

  /* And the triggers it installed keep it up to date. */
  g_assert_true (crm_store_undelete (f->store, CRM_TYPE_CONTACT, deleted, &error));
  g_assert_cmpint (position (f->store, "zhangsan", deleted), ==, 0);
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
  STORE_TEST ("/search/tiers", test_search_tiers);
  STORE_TEST ("/search/capped-total", test_search_capped_total);
  STORE_TEST ("/search/fields-migration", test_search_fields_migration);
  STORE_TEST ("/search/bulk-index", test_search_bulk_index);
  STORE_TEST ("/search/bulk-rollback", test_search_bulk_rollback);

  return g_test_run ();
}
