/* test-dedupe.c: duplicate candidates by phone, email and name, with scores and reasons */

#include "config.h"

#include "crm-contact.h"
#include "crm-dedupe.h"
#include "store-fixture.h"

static char *
add (StoreFixture *f,
     const char   *name,
     const char   *phone,
     const char   *email,
     const char   *province,
     const char   *organization_id)
{
  g_autoptr(CrmContact) c = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_contact_set_field_from_string (c, "name", name, &error));
  if (phone != NULL)
    g_assert_true (crm_contact_set_field_from_string (c, "phone", phone, &error));
  if (email != NULL)
    g_assert_true (crm_contact_set_field_from_string (c, "email", email, &error));
  if (province != NULL)
    g_assert_true (crm_contact_set_field_from_string (c, "province", province, &error));
  if (organization_id != NULL)
    g_assert_true (crm_contact_set_field_from_string (c, "organization_id", organization_id, &error));
  if (organization_id == NULL && phone == NULL && email == NULL && province == NULL && g_str_has_suffix (name, "公司"))
    g_assert_true (crm_contact_set_field_from_string (c, "kind", "organization", &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (c), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (c)));
}

static char *
pairs_text (GPtrArray *pairs)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < pairs->len; i++)
    {
      CrmDuplicatePair *p = g_ptr_array_index (pairs, i);
      g_autofree char *reasons = crm_duplicate_reasons_to_string (p->reasons);

      g_string_append_printf (s, "%s+%s %u %s\n", p->name_a, p->name_b, p->score, reasons);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_find (StoreFixture  *f,
           gconstpointer  data)
{
  g_autofree char *org = add (f, "华为技术有限公司", NULL, NULL, NULL, NULL);
  g_autoptr(GPtrArray) pairs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  char *ids[12] = { NULL };

  /* One mobile written three ways. */
  ids[0] = add (f, "张三", "138 0013 8000", NULL, NULL, NULL);
  ids[1] = add (f, "张三", "+86-138-0013-8000", NULL, NULL, NULL);
  ids[2] = add (f, "Zhang San", "0086 13800138000", NULL, NULL, NULL);
  /* Emails differ only in case. */
  ids[3] = add (f, "李四", NULL, "LiSi@Example.com", NULL, NULL);
  ids[4] = add (f, "李四", NULL, "lisi@example.COM", NULL, NULL);
  /* Names alike within one organization. */
  ids[5] = add (f, "王小明", NULL, NULL, NULL, org);
  ids[6] = add (f, "汪小明", NULL, NULL, NULL, org);
  ids[7] = add (f, "赵六六", NULL, NULL, NULL, org);
  ids[8] = add (f, "赵六七", NULL, NULL, NULL, org);
  /* Same name in different places, nothing else: not a candidate. */
  ids[9] = add (f, "刘一", NULL, NULL, "北京", NULL);
  ids[10] = add (f, "刘一", NULL, NULL, "上海", NULL);

  pairs = crm_dedupe_find (f->store, 0, NULL, &error);
  g_assert_no_error (error);
  text = pairs_text (pairs);
  g_assert_cmpstr (text, ==,
                   "张三+张三 90 same phone, same name\n"
                   "李四+李四 90 same email, same name\n"
                   "张三+Zhang San 80 same phone, same pinyin\n"
                   "张三+Zhang San 80 same phone, same pinyin\n"
                   "王小明+汪小明 30 same pinyin, same organization\n"
                   "赵六六+赵六七 25 similar name, same organization\n");
  g_clear_pointer (&pairs, g_ptr_array_unref);

  pairs = crm_dedupe_find (f->store, CRM_DEDUPE_DEFAULT_MIN_SCORE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pairs->len, ==, 4);
  /* The older contact comes first: the natural primary. */
  g_assert_cmpstr (((CrmDuplicatePair *) g_ptr_array_index (pairs, 0))->id_a, ==, ids[0]);
  g_assert_cmpstr (((CrmDuplicatePair *) g_ptr_array_index (pairs, 0))->id_b, ==, ids[1]);

  /* A deleted contact is no candidate. */
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_CONTACT, ids[4], &error));
  g_clear_pointer (&pairs, g_ptr_array_unref);
  pairs = crm_dedupe_find (f->store, CRM_DEDUPE_DEFAULT_MIN_SCORE, NULL, &error);
  g_assert_cmpuint (pairs->len, ==, 3);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_free (ids[i]);
}

static void
test_edit_distance (void)
{
  g_assert_cmpuint (crm_dedupe_edit_distance ("张三丰", "张三峰"), ==, 1);
  g_assert_cmpuint (crm_dedupe_edit_distance ("kitten", "sitting"), ==, 3);
  g_assert_cmpuint (crm_dedupe_edit_distance ("", "abc"), ==, 3);
  g_assert_cmpuint (crm_dedupe_edit_distance ("同", "同"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dedupe/edit-distance", test_edit_distance);
  STORE_TEST ("/dedupe/find", test_find);

  return g_test_run ();
}
