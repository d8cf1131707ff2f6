/* test-contact-list-model.c: the lazy contacts model: order, search, incremental updates */

#include "crm-contact.h"
#include "crm-contact-list-model.h"
#include "crm-segment.h"
#include "crm-store.h"
#include "store-fixture.h"

/* The store tests' fixture: a fresh database in a temporary folder. */
typedef StoreFixture Fixture;

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint count;
} ItemsChanged;

static char *
add_contact (Fixture    *fixture,
             const char *name,
             const char *phone)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, name);
  if (phone != NULL)
    {
      crm_contact_set_field_from_string (contact, "phone", phone, &error);
      g_assert_no_error (error);
    }
  crm_store_insert (fixture->store, CRM_RECORD (contact), &error);
  g_assert_no_error (error);

  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static const char *
name_at (GListModel *model,
         guint       position)
{
  g_autoptr(CrmContact) contact = g_list_model_get_item (model, position);
  static char buffer[256];

  g_assert_nonnull (contact);
  g_strlcpy (buffer, crm_contact_get_name (contact), sizeof buffer);
  return buffer;
}

static void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *changed)
{
  changed->position = position;
  changed->removed = removed;
  changed->added = added;
  changed->count++;
}

static void
test_order_pinyin (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(CrmContactListModel) model = NULL;
  g_autofree char *a = add_contact (fixture, "张三", NULL);
  g_autofree char *b = add_contact (fixture, "李四", NULL);
  g_autofree char *c = add_contact (fixture, "Anna Bell", NULL);
  g_autofree char *d = add_contact (fixture, "陈晨", NULL);

  model = crm_contact_list_model_new (fixture->store);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == CRM_TYPE_CONTACT);

  /* Pinyin order: Anna (a), 陈 (chen), 李 (li), 张 (zhang). */
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "Anna Bell");
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 1), ==, "陈晨");
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 2), ==, "李四");
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 3), ==, "张三");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 4));

  crm_contact_list_model_set_sort (model, CRM_CONTACT_SORT_NAME, TRUE);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "张三");
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 3), ==, "Anna Bell");

  crm_contact_list_model_set_sort (model, CRM_CONTACT_SORT_CREATED, FALSE);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "张三");
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 3), ==, "陈晨");
  g_assert_cmpuint (crm_contact_list_model_find (model, d), ==, 3);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(CrmContactListModel) model = NULL;
  g_autofree char *a = add_contact (fixture, "张三丰", "13812345678");
  g_autofree char *b = add_contact (fixture, "李四", "13900001111");

  model = crm_contact_list_model_new (fixture->store);

  crm_contact_list_model_set_query (model, "zsf");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "张三丰");
  g_assert_cmpuint (crm_contact_list_model_get_total (model), ==, 1);

  crm_contact_list_model_set_query (model, "1390000");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "李四");

  crm_contact_list_model_set_query (model, "nobody-is-called-this");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  /* Whitespace only is no query: everything again. */
  crm_contact_list_model_set_query (model, "   ");
  g_assert_null (crm_contact_list_model_get_query (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
}

static void
test_incremental_updates (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(CrmContactListModel) model = NULL;
  g_autoptr(CrmContact) contact = NULL;
  g_autoptr(GError) error = NULL;
  ItemsChanged changed = { 0 };
  g_autofree char *a = add_contact (fixture, "Alice", NULL);
  g_autofree char *c = add_contact (fixture, "Carol", NULL);
  g_autofree char *e = add_contact (fixture, "Eve", NULL);
  g_autofree char *b = NULL;

  model = crm_contact_list_model_new (fixture->store);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &changed);

  /* An insert announces one added row where it lands, nothing else. */
  b = add_contact (fixture, "Bob", NULL);
  g_assert_cmpuint (changed.count, ==, 1);
  g_assert_cmpuint (changed.position, ==, 1);
  g_assert_cmpuint (changed.removed, ==, 0);
  g_assert_cmpuint (changed.added, ==, 1);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 1), ==, "Bob");

  /* An edit that keeps the row in place reloads just that row. */
  changed.count = 0;
  contact = crm_store_get (fixture->store, CRM_TYPE_CONTACT, c, &error);
  g_assert_no_error (error);
  crm_contact_set_field_from_string (contact, "city", "杭州", &error);
  g_assert_no_error (error);
  crm_store_update (fixture->store, CRM_RECORD (contact), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed.count, ==, 1);
  g_assert_cmpuint (changed.position, ==, 2);
  g_assert_cmpuint (changed.removed, ==, 1);
  g_assert_cmpuint (changed.added, ==, 1);
  {
    g_autoptr(CrmContact) reloaded = g_list_model_get_item (G_LIST_MODEL (model), 2);
    g_assert_cmpstr (crm_record_get_string (CRM_RECORD (reloaded), "city"), ==, "杭州");
  }

  /* A delete (tombstone) removes one row; undelete brings it back. */
  changed.count = 0;
  crm_store_delete (fixture->store, CRM_TYPE_CONTACT, a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changed.count, ==, 1);
  g_assert_cmpuint (changed.position, ==, 0);
  g_assert_cmpuint (changed.removed, ==, 1);
  g_assert_cmpuint (changed.added, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  g_assert_cmpuint (crm_contact_list_model_find (model, a), ==, G_MAXUINT);

  crm_store_undelete (fixture->store, CRM_TYPE_CONTACT, a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "Alice");

  /* A rename that moves the row: removed at its old place, added at the new. */
  {
    g_autoptr(CrmContact) eve = crm_store_get (fixture->store, CRM_TYPE_CONTACT, e, &error);

    g_assert_no_error (error);
    crm_contact_set_name (eve, "Aaron");
    crm_store_update (fixture->store, CRM_RECORD (eve), &error);
    g_assert_no_error (error);
  }
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "Aaron");
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 3), ==, "Carol");
}

static void
test_items_are_shared_while_cached (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(CrmContactListModel) model = NULL;
  g_autoptr(CrmContact) first = NULL;
  g_autoptr(CrmContact) again = NULL;
  g_autofree char *a = add_contact (fixture, "Alice", NULL);

  model = crm_contact_list_model_new (fixture->store);
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  again = g_list_model_get_item (G_LIST_MODEL (model), 0);

  /* One object per row, so a view and an editor see the same record. */
  g_assert_true (first == again);
}

static char *
add_contact_with (Fixture    *fixture,
                  const char *name,
                  const char *owner_id,
                  ...)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  const char *field;
  va_list args;

  crm_contact_set_name (contact, name);
  crm_record_set_owner_id (CRM_RECORD (contact), owner_id);
  va_start (args, owner_id);
  while ((field = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      crm_contact_set_field_from_string (contact, field, value, &error);
      g_assert_no_error (error);
    }
  va_end (args);
  crm_store_insert (fixture->store, CRM_RECORD (contact), &error);
  g_assert_no_error (error);

  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static guint
facet_count (CrmContactListModel *model,
             CrmContactFilter     filter,
             const char          *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) facets = crm_contact_list_model_count_facet (model, filter, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < facets->len; i++)
    {
      CrmContactFacet *facet = g_ptr_array_index (facets, i);

      if (g_strcmp0 (facet->value, value) == 0)
        return facet->count;
    }
  return 0;
}

static void
test_filters (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CrmContactListModel) model = NULL;
  g_autoptr(GPtrArray) ages = NULL;
  g_autoptr(GError) error = NULL;
  const char *owner = "0190a0a0-0000-7000-8000-000000000001";
  g_autofree char *a = add_contact_with (fixture, "Alice", owner,
                                         "gender", "female", "birthday", "2000-06-01",
                                         "province", "浙江", "tags", "VIP, 老客户",
                                         "lifecycle", "frequent", NULL);
  g_autofree char *b = add_contact_with (fixture, "Bob", owner,
                                         "gender", "male", "birthday", "1980-01-01",
                                         "province", "浙江", "tags", "VIP", NULL);
  g_autofree char *c = add_contact_with (fixture, "Carol", NULL,
                                         "gender", "female", "birthday", "1960-12-31",
                                         "province", "广东", NULL);
  g_autofree char *d = add_contact_with (fixture, "Dawn Ltd", NULL, "kind", "organization", NULL);

  model = crm_contact_list_model_new (fixture->store);
  crm_contact_list_model_set_reference_date (model, "2025-06-01");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);

  /* Filters of different kinds combine (AND). */
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_GENDER, "female");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_PROVINCE, "浙江");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "Alice");
  g_assert_cmpuint (crm_contact_list_model_get_n_filters (model), ==, 2);

  /* Facet counts respect the other filters, not their own. */
  g_assert_cmpuint (facet_count (model, CRM_CONTACT_FILTER_GENDER, "female"), ==, 1);
  g_assert_cmpuint (facet_count (model, CRM_CONTACT_FILTER_GENDER, "male"), ==, 1);
  g_assert_cmpuint (facet_count (model, CRM_CONTACT_FILTER_PROVINCE, "浙江"), ==, 1);
  g_assert_cmpuint (facet_count (model, CRM_CONTACT_FILTER_PROVINCE, "广东"), ==, 1);

  /* Removing one filter (a chip) widens again. */
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_GENDER, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  crm_contact_list_model_clear_filters (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
  g_assert_cmpuint (crm_contact_list_model_get_n_filters (model), ==, 0);

  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_TAG, "VIP");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  g_assert_cmpuint (facet_count (model, CRM_CONTACT_FILTER_TAG, "老客户"), ==, 1);
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_TAG, "老客户");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  crm_contact_list_model_clear_filters (model);

  /* The lifecycle override counts as the contact's lifecycle. */
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_LIFECYCLE, "frequent");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_LIFECYCLE, "lead");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  crm_contact_list_model_clear_filters (model);

  /* Owner "" is "no owner"; the owner facet counts both. */
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_OWNER, owner);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_OWNER, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
  g_assert_cmpuint (facet_count (model, CRM_CONTACT_FILTER_OWNER, owner), ==, 2);
  g_assert_cmpuint (facet_count (model, CRM_CONTACT_FILTER_OWNER, ""), ==, 2);
  crm_contact_list_model_clear_filters (model);

  /* Ages on 2025-06-01: 25 (birthday that day), 45, 64. */
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_AGE_BAND, "25_34");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "Alice");
  crm_contact_list_model_set_reference_date (model, "2025-05-31");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  ages = crm_contact_list_model_count_facet (model, CRM_CONTACT_FILTER_AGE_BAND, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ages->len, ==, 3);
  g_assert_cmpstr (((CrmContactFacet *) g_ptr_array_index (ages, 0))->value, ==, "under_25");
  g_assert_cmpstr (((CrmContactFacet *) g_ptr_array_index (ages, 1))->value, ==, "45_54");
  g_assert_cmpstr (((CrmContactFacet *) g_ptr_array_index (ages, 2))->value, ==, "55_plus");
  crm_contact_list_model_clear_filters (model);

  /* Filters apply to search results too. */
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_KIND, "person");
  crm_contact_list_model_set_query (model, "Dawn");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_cmpuint (crm_contact_list_model_get_total (model), ==, 0);
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_KIND, "organization");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);

  /* A filtered list still follows the store: a new VIP appears. */
  crm_contact_list_model_set_query (model, NULL);
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_KIND, NULL);
  crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_TAG, "VIP");
  {
    g_autofree char *e = add_contact_with (fixture, "Eve", NULL, "tags", "VIP", NULL);
    g_autofree char *f = add_contact_with (fixture, "Frank", NULL, NULL);
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  crm_contact_list_model_clear_filters (model);

  /* A saved segment is a filter too; its facet is each saved segment
   * with its members among the other filters. */
  {
    g_autoptr(CrmSegment) segment = crm_segment_new ();
    const char *id;

    g_object_set (segment, "name", "浙江客户",
                  "rule", "{\"all\": [{\"field\": \"province\", \"op\": \"eq\", \"value\": \"浙江\"}]}", NULL);
    crm_store_insert (fixture->store, CRM_RECORD (segment), &error);
    g_assert_no_error (error);
    id = crm_record_get_id (CRM_RECORD (segment));
    g_assert_cmpuint (facet_count (model, CRM_CONTACT_FILTER_SEGMENT, id), ==, 2);
    crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_SEGMENT, id);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
    crm_contact_list_model_set_filter (model, CRM_CONTACT_FILTER_GENDER, "male");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);
    g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "Bob");
    g_assert_cmpuint (facet_count (model, CRM_CONTACT_FILTER_SEGMENT, id), ==, 1);
    crm_contact_list_model_clear_filters (model);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 6);
  }
}

static gboolean
model_is_loaded (CrmContactListModel *model)
{
  return !crm_contact_list_model_get_loading (model);
}

static void
wait_until_loaded (CrmContactListModel *model)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!model_is_loaded (model) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (model_is_loaded (model));
}

/* Long lists are read in a thread; a small sync limit makes ten rows long. */
static void
test_long_list_loads_in_thread (Fixture       *fixture,
                                gconstpointer  data)
{
  static const char * const names[] = {
    "Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy",
  };
  g_autoptr(CrmContactListModel) model = NULL;
  g_autofree char *extra = NULL;
  ItemsChanged changed = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_free (add_contact (fixture, names[i], NULL));

  model = crm_contact_list_model_new (fixture->store);
  crm_contact_list_model_set_sync_rows (model, 3);

  /* A new order shows its first rows at once, the rest when read. */
  crm_contact_list_model_set_sort (model, CRM_CONTACT_SORT_NAME, TRUE);
  g_assert_true (crm_contact_list_model_get_loading (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "Judy");

  /* A second change before the first is read: only the latest counts. */
  crm_contact_list_model_set_sort (model, CRM_CONTACT_SORT_NAME, FALSE);
  wait_until_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "Alice");
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 9), ==, "Judy");

  /* A new contact in a long list: the old rows stay until the new order
   * is read, then exactly one row is added where it belongs. */
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &changed);
  extra = add_contact (fixture, "Dan", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);
  wait_until_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 11);
  g_assert_cmpuint (changed.count, ==, 1);
  g_assert_cmpuint (changed.position, ==, 3);
  g_assert_cmpuint (changed.removed, ==, 0);
  g_assert_cmpuint (changed.added, ==, 1);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 3), ==, "Dan");
  g_assert_null (crm_contact_list_model_get_error (model));
}

static void
test_deferred_reads_on_start (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(CrmContactListModel) model = NULL;
  ItemsChanged changed = { 0 };
  g_autofree char *a = add_contact (fixture, "Bea", NULL);
  g_autofree char *b = add_contact (fixture, "Abe", NULL);

  model = crm_contact_list_model_new_deferred (fixture->store);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &changed);
  g_assert_false (crm_contact_list_model_get_started (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  /* Before the start, changes of the view or the store read nothing. */
  crm_contact_list_model_set_sort (model, CRM_CONTACT_SORT_NAME, TRUE);
  g_free (add_contact (fixture, "Cid", NULL));
  g_assert_cmpuint (changed.count, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  /* The first read uses the sort chosen meanwhile. */
  crm_contact_list_model_start (model);
  g_assert_true (crm_contact_list_model_get_started (model));
  g_assert_cmpuint (changed.count, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 0), ==, "Cid");
  g_assert_cmpstr (name_at (G_LIST_MODEL (model), 2), ==, "Abe");

  crm_contact_list_model_start (model);
  g_assert_cmpuint (changed.count, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/contact-list-model/long-list-loads-in-thread", Fixture, NULL,
              store_fixture_setup, test_long_list_loads_in_thread, store_fixture_teardown);
  g_test_add ("/contact-list-model/order-pinyin", Fixture, NULL,
              store_fixture_setup, test_order_pinyin, store_fixture_teardown);
  g_test_add ("/contact-list-model/search", Fixture, NULL,
              store_fixture_setup, test_search, store_fixture_teardown);
  g_test_add ("/contact-list-model/incremental-updates", Fixture, NULL,
              store_fixture_setup, test_incremental_updates, store_fixture_teardown);
  g_test_add ("/contact-list-model/items-are-shared", Fixture, NULL,
              store_fixture_setup, test_items_are_shared_while_cached, store_fixture_teardown);
  g_test_add ("/contact-list-model/filters", Fixture, NULL,
              store_fixture_setup, test_filters, store_fixture_teardown);
  g_test_add ("/contact-list-model/deferred-reads-on-start", Fixture, NULL,
              store_fixture_setup, test_deferred_reads_on_start, store_fixture_teardown);

  return g_test_run ();
}
