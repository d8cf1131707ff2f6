/* test-segment-rule.c: segment rules: every operator, NULL handling, Chinese text, malformed rules */

#include <glib.h>

#include "crm-activity.h"
#include "crm-purchase.h"
#include "crm-segment.h"
#include "crm-segment-rule.h"
#include "store-fixture.h"

#define REF "2026-06-15"

/* name, field=value pairs (NULL-terminated) */
static char *
add_contact (CrmStore   *store,
             const char *name,
             ...)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  const char *field;
  va_list args;

  crm_contact_set_name (contact, name);
  va_start (args, name);
  while ((field = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      g_assert_true (crm_contact_set_field_from_string (contact, field, value, &error));
      g_assert_no_error (error);
    }
  va_end (args);
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static void
add_purchase (CrmStore   *store,
              const char *contact_id,
              const char *product,
              const char *category,
              const char *date,
              gint64      amount)
{
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *at = g_strconcat (date, "T10:00:00Z", NULL);

  g_object_set (purchase, "contact-id", contact_id, "product", product, "category", category,
                "purchased-at", at, "amount", amount, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (purchase), &error));
  g_assert_no_error (error);
}

/* 张伟 turns 36 on the reference day, 李娜 the day after; 王芳 was born on
 * 29 February; Alice has almost nothing set. */
static void
add_people (CrmStore *store)
{
  g_autofree char *zhang = add_contact (store, "张伟", "gender", "male", "birthday", "1990-06-15",
                                        "province", "广东省", "city", "深圳", "occupation", "软件工程师",
                                        "tags", "会员, 高潜力", "consent_email", "true", "source", "天猫",
                                        "email", "zhang@example.com", NULL);
  g_autofree char *li = add_contact (store, "李娜", "gender", "female", "birthday", "1990-06-16",
                                     "province", "北京市", "city", "北京", "tags", "会员", NULL);
  g_autofree char *alice = add_contact (store, "Alice", "lifecycle", "churned", NULL);
  g_autofree char *wang = add_contact (store, "王芳", "gender", "female", "birthday", "2000-02-29",
                                       "province", "广东省", "city", "广州", "occupation", "Teacher",
                                       "tags", "价格敏感", "consent_sms", "true", NULL);
  g_autoptr(CrmActivity) complaint = crm_activity_new ();
  g_autoptr(GError) error = NULL;

  add_purchase (store, zhang, "蓝牙耳机", "数码电子", "2026-06-01", 19900);
  add_purchase (store, zhang, "移动电源", "数码电子", "2026-03-01", 9900);
  add_purchase (store, zhang, "空气净化器", "家用电器", "2025-12-01", 129900);
  add_purchase (store, li, "口红", "美妆个护", "2025-01-10", 30000);
  g_object_set (complaint, "contact-id", alice, "kind", "complaint", "subject", "退货慢", NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (complaint), &error));
  g_assert_no_error (error);
  g_assert_true (crm_store_recompute_derived (store, REF, &error));
  g_assert_no_error (error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The names matching @rule, sorted and joined by spaces. */
static char *
members (CrmStore   *store,
         const char *rule)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = crm_segment_dup_member_ids (store, rule, REF, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gint64 count = -1;

  g_assert_no_error (error);
  g_assert_nonnull (ids);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CrmContact) c = crm_store_get (store, CRM_TYPE_CONTACT, g_ptr_array_index (ids, i), &error);

      g_assert_no_error (error);
      g_ptr_array_add (names, g_strdup (crm_contact_get_name (c)));
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);

  g_assert_true (crm_segment_count (store, rule, REF, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, ids->len);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
check (CrmStore   *store,
       const char *rule,
       const char *expected)
{
  g_autofree char *got = members (store, rule);

  if (g_strcmp0 (got, expected) != 0)
    g_error ("rule %s: expected “%s”, got “%s”", rule, expected, got);
}

#define ONE(f, o, v) "{\"all\": [{\"field\": \"" f "\", \"op\": \"" o "\", \"value\": " v "}]}"
#define ONE_NV(f, o) "{\"all\": [{\"field\": \"" f "\", \"op\": \"" o "\"}]}"

static void
test_text_and_enum_ops (StoreFixture  *f,
                        gconstpointer  data)
{
  add_people (f->store);
  check (f->store, "{\"all\": []}", "Alice 张伟 李娜 王芳");
  check (f->store, ONE ("city", "eq", "\"深圳\""), "张伟");
  /* ne and not_in count contacts without a value. */
  check (f->store, ONE ("city", "ne", "\"深圳\""), "Alice 李娜 王芳");
  check (f->store, ONE ("city", "in", "[\"深圳\", \"广州\"]"), "张伟 王芳");
  check (f->store, ONE ("city", "not_in", "[\"深圳\", \"广州\"]"), "Alice 李娜");
  check (f->store, ONE ("province", "contains", "\"广东\""), "张伟 王芳");
  check (f->store, ONE ("province", "not_contains", "\"广东\""), "Alice 李娜");
  check (f->store, ONE ("occupation", "contains", "\"工程\""), "张伟");
  check (f->store, ONE ("occupation", "contains", "\"teach\""), "王芳");
  check (f->store, ONE ("occupation", "starts_with", "\"软件\""), "张伟");
  check (f->store, ONE ("occupation", "starts_with", "\"工程\""), "");
  check (f->store, ONE_NV ("occupation", "is_set"), "张伟 王芳");
  check (f->store, ONE_NV ("occupation", "is_not_set"), "Alice 李娜");
  check (f->store, ONE ("source", "eq", "\"天猫\""), "张伟");
  check (f->store, ONE ("gender", "eq", "\"female\""), "李娜 王芳");
  check (f->store, ONE ("gender", "ne", "\"female\""), "Alice 张伟");
  check (f->store, ONE ("gender", "in", "[\"male\", \"other\"]"), "张伟");
  check (f->store, ONE ("gender", "not_in", "[\"male\"]"), "Alice 李娜 王芳");
  check (f->store, ONE_NV ("gender", "is_not_set"), "Alice");
  check (f->store, ONE ("kind", "eq", "\"person\""), "Alice 张伟 李娜 王芳");
  check (f->store, ONE_NV ("owner", "is_not_set"), "Alice 张伟 李娜 王芳");
  check (f->store, ONE ("owner", "eq", "\"nobody\""), "");
  /* A value that looks like SQL is only ever a value. */
  check (f->store, ONE ("city", "eq", "\"x' OR 1=1 --\""), "");
}

static void
test_tags_bool_lifecycle (StoreFixture  *f,
                          gconstpointer  data)
{
  add_people (f->store);
  check (f->store, ONE ("tags", "has", "\"会员\""), "张伟 李娜");
  check (f->store, ONE ("tags", "has_any", "[\"高潜力\", \"价格敏感\"]"), "张伟 王芳");
  check (f->store, ONE ("tags", "has_all", "[\"会员\", \"高潜力\", \"会员\"]"), "张伟");
  check (f->store, ONE ("tags", "has_none", "[\"会员\"]"), "Alice 王芳");
  check (f->store, ONE_NV ("tags", "is_set"), "张伟 李娜 王芳");
  check (f->store, ONE_NV ("tags", "is_not_set"), "Alice");
  check (f->store, ONE ("consent_email", "eq", "true"), "张伟");
  check (f->store, ONE ("consent_email", "ne", "true"), "Alice 李娜 王芳");
  check (f->store, ONE ("consent_sms", "eq", "false"), "Alice 张伟 李娜");
  /* The manual override wins over the derived stage. */
  check (f->store, ONE ("lifecycle", "eq", "\"churned\""), "Alice 李娜");
  check (f->store, ONE ("lifecycle", "in", "[\"frequent\"]"), "张伟");
  check (f->store, ONE ("lifecycle", "eq", "\"lead\""), "王芳");
  check (f->store, ONE_NV ("rfm_segment", "is_not_set"), "Alice 王芳");
  check (f->store, ONE_NV ("rfm_r", "is_set"), "张伟 李娜");
  check (f->store, "{\"all\": [{\"field\": \"rfm_r\", \"op\": \"gt\", \"value\": 0}]}", "张伟 李娜");
}

static void
test_numbers_and_age (StoreFixture  *f,
                      gconstpointer  data)
{
  add_people (f->store);
  /* total_spent is written in yuan: 张伟 1,597, 李娜 300. */
  check (f->store, ONE ("total_spent", "ge", "1597"), "张伟");
  check (f->store, ONE ("total_spent", "gt", "1597"), "");
  check (f->store, ONE ("total_spent", "lt", "300.01"), "Alice 李娜 王芳");
  check (f->store, ONE ("total_spent", "le", "300"), "Alice 李娜 王芳");
  check (f->store, ONE ("total_spent", "eq", "300"), "李娜");
  check (f->store, ONE ("total_spent", "ne", "300"), "Alice 张伟 王芳");
  check (f->store, ONE ("total_spent", "between", "[1, 2000]"), "张伟 李娜");
  check (f->store, ONE ("purchase_count", "eq", "3"), "张伟");
  check (f->store, ONE ("purchase_count", "ge", "1"), "张伟 李娜");

  /* Exact birthdays: 张伟 is 36 on the day, 李娜 still 35. */
  check (f->store, ONE ("age", "eq", "36"), "张伟");
  check (f->store, ONE ("age", "eq", "35"), "李娜");
  check (f->store, ONE ("age", "ge", "36"), "张伟");
  check (f->store, ONE ("age", "gt", "35"), "张伟");
  check (f->store, ONE ("age", "lt", "36"), "李娜 王芳");
  check (f->store, ONE ("age", "le", "35"), "李娜 王芳");
  check (f->store, ONE ("age", "between", "[26, 35]"), "李娜 王芳");
  check (f->store, ONE ("age", "ne", "36"), "Alice 李娜 王芳");
  check (f->store, ONE ("age", "lt", "0"), "");
  check (f->store, ONE_NV ("age", "is_not_set"), "Alice");
  /* Born on 29 February 2000: 26 on 15 June 2026. */
  check (f->store, ONE ("age", "eq", "26"), "王芳");
}

static void
test_dates_purchases_activities (StoreFixture  *f,
                                 gconstpointer  data)
{
  add_people (f->store);
  check (f->store, ONE ("last_purchase", "within_days", "30"), "张伟");
  check (f->store, ONE ("last_purchase", "within_days", "13"), "");
  check (f->store, ONE ("last_purchase", "within_days", "14"), "张伟");
  check (f->store, ONE ("last_purchase", "not_within_days", "30"), "李娜");
  check (f->store, ONE ("last_purchase", "before", "\"2025-01-10\""), "");
  check (f->store, ONE ("last_purchase", "before", "\"2025-01-11\""), "李娜");
  check (f->store, ONE ("last_purchase", "after", "\"2026-05-31\""), "张伟");
  check (f->store, ONE ("last_purchase", "after", "\"2026-06-01\""), "");
  check (f->store, ONE ("first_purchase", "after", "\"2025-06-01\""), "张伟");
  check (f->store, ONE_NV ("last_purchase", "is_not_set"), "Alice 王芳");
  check (f->store, ONE_NV ("first_purchase", "is_set"), "张伟 李娜");

  check (f->store, ONE ("bought_product", "eq", "\"口红\""), "李娜");
  check (f->store, ONE ("bought_product", "contains", "\"耳机\""), "张伟");
  check (f->store, ONE ("bought_product", "in", "[\"口红\", \"移动电源\"]"), "张伟 李娜");
  check (f->store, ONE ("bought_product", "ne", "\"口红\""), "Alice 张伟 王芳");
  check (f->store, ONE ("bought_category", "eq", "\"数码电子\""), "张伟");
  check (f->store, ONE ("bought_category", "not_in", "[\"数码电子\"]"), "Alice 李娜 王芳");
  check (f->store, ONE ("bought_category", "not_contains", "\"美妆\""), "Alice 张伟 王芳");
  check (f->store, "{\"all\": [{\"field\": \"bought_category\", \"op\": \"eq\", \"value\": \"家用电器\", \"within_days\": 180}]}",
         "");
  check (f->store, "{\"all\": [{\"field\": \"bought_category\", \"op\": \"eq\", \"value\": \"家用电器\", \"within_days\": 200}]}",
         "张伟");

  check (f->store, ONE ("had_complaint", "eq", "true"), "Alice");
  check (f->store, ONE ("had_complaint", "eq", "false"), "张伟 李娜 王芳");
  check (f->store, ONE ("survey_score", "le", "6"), "");
}

static void
test_groups (StoreFixture  *f,
             gconstpointer  data)
{
  add_people (f->store);
  check (f->store,
         "{\"any\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"北京\"},"
         " {\"all\": [{\"field\": \"gender\", \"op\": \"eq\", \"value\": \"male\"},"
         "            {\"field\": \"tags\", \"op\": \"has\", \"value\": \"会员\"}]}]}",
         "张伟 李娜");
  check (f->store,
         "{\"all\": [{\"field\": \"province\", \"op\": \"eq\", \"value\": \"广东省\"},"
         " {\"any\": [{\"field\": \"age\", \"op\": \"lt\", \"value\": 30},"
         "            {\"field\": \"had_complaint\", \"op\": \"eq\", \"value\": true}]}]}",
         "王芳");
}

static void
expect_invalid (const char *rule,
                const char *message_part)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (crm_segment_rule_validate (rule, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == CRM_SEGMENT_RULE_ERROR);
  if (strstr (error->message, message_part) == NULL)
    g_error ("rule %s: expected an error with “%s”, got “%s”", rule, message_part, error->message);
}

static void
test_malformed (void)
{
  expect_invalid ("", "empty");
  expect_invalid ("{\"all\": [", "not valid JSON");
  expect_invalid ("{}", "rule: a rule is a group");
  expect_invalid ("[]", "rule: a rule is a group");
  expect_invalid ("{\"any\": []}", "any: “any” needs at least one");
  expect_invalid ("{\"all\": [], \"any\": []}", "exactly one key");
  expect_invalid ("{\"all\": {}}", "all: expected a list");
  expect_invalid ("{\"all\": [42]}", "all[0]: expected a condition or a group");
  expect_invalid ("{\"all\": [{\"op\": \"eq\"}]}", "all[0]: expected a condition");
  expect_invalid ("{\"all\": [{\"field\": \"shoe_size\", \"op\": \"eq\", \"value\": 1}]}",
                  "all[0].field: unknown field “shoe_size”");
  expect_invalid ("{\"all\": [{\"field\": \"city\", \"op\": \"gt\", \"value\": \"a\"}]}",
                  "all[0].op: “city” does not take “gt”");
  expect_invalid ("{\"all\": [{\"field\": \"city\", \"value\": \"a\"}]}", "needs an “op”");
  expect_invalid ("{\"all\": [{\"field\": \"city\", \"op\": \"eq\"}]}", "all[0]: “city eq” needs a “value”");
  expect_invalid ("{\"all\": [{\"field\": \"city\", \"op\": \"is_set\", \"value\": 1}]}", "takes no “value”");
  expect_invalid ("{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": 1}]}",
                  "all[0].value: expected a text, got a number");
  expect_invalid ("{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"\"}]}", "the text is empty");
  expect_invalid ("{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"x\", \"vlaue\": 1}]}",
                  "all[0]: unknown key “vlaue”");
  expect_invalid ("{\"all\": [{\"field\": \"gender\", \"op\": \"eq\", \"value\": \"femail\"}]}",
                  "all[0].value: “femail” is not one of male, female, other");
  expect_invalid ("{\"all\": [{\"field\": \"lifecycle\", \"op\": \"in\", \"value\": [\"lead\", \"vip\"]}]}",
                  "all[0].value[1]: “vip” is not one of");
  expect_invalid ("{\"all\": [{\"field\": \"city\", \"op\": \"in\", \"value\": []}]}", "the list is empty");
  expect_invalid ("{\"all\": [{\"field\": \"city\", \"op\": \"in\", \"value\": \"北京\"}]}", "expected a list of texts");
  expect_invalid ("{\"all\": [{\"field\": \"age\", \"op\": \"ge\", \"value\": 30.5}]}", "expected a whole number");
  expect_invalid ("{\"all\": [{\"field\": \"age\", \"op\": \"ge\", \"value\": 200}]}", "out of range");
  expect_invalid ("{\"all\": [{\"field\": \"age\", \"op\": \"between\", \"value\": [40, 30]}]}", "above the highest");
  expect_invalid ("{\"all\": [{\"field\": \"total_spent\", \"op\": \"between\", \"value\": [1]}]}",
                  "expected [lowest, highest]");
  expect_invalid ("{\"all\": [{\"field\": \"consent_email\", \"op\": \"eq\", \"value\": \"yes\"}]}",
                  "expected true or false");
  expect_invalid ("{\"all\": [{\"field\": \"last_purchase\", \"op\": \"before\", \"value\": \"2024-02-30\"}]}",
                  "expected a date YYYY-MM-DD");
  expect_invalid ("{\"all\": [{\"field\": \"last_purchase\", \"op\": \"within_days\", \"value\": -1}]}",
                  "out of range");
  expect_invalid ("{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"x\", \"within_days\": 3}]}",
                  "“within_days” applies only");
  expect_invalid ("{\"all\": [{\"field\": \"bought_product\", \"op\": \"eq\", \"value\": \"x\", \"within_days\": \"3\"}]}",
                  "all[0].within_days: expected a number");
  expect_invalid ("{\"all\": [{\"any\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": null}]}]}",
                  "all[0].any[0].value: expected a text, got null");
  expect_invalid ("{\"all\": [{\"field\": \"tags\", \"op\": \"has_all\", \"value\": [\"a\", 3]}]}",
                  "all[0].value[1]: expected a text");
}

static void
test_parameterised (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSegmentQuery) query =
    crm_segment_query_new ("{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"Robert'); DROP TABLE contacts;--\"},"
                           " {\"field\": \"age\", \"op\": \"between\", \"value\": [20, 30]}]}",
                           REF, &error);

  g_assert_no_error (error);
  g_assert_null (strstr (crm_segment_query_get_predicate (query), "Robert"));
  g_assert_null (strstr (crm_segment_query_get_predicate (query), "20"));
  g_assert_cmpuint (crm_segment_query_get_n_params (query), ==, 3);
}

static void
test_saved_and_builtin (StoreFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(CrmSegment) segment = crm_segment_new ();
  g_autoptr(CrmSegment) bad = crm_segment_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(CrmSegmentInfo) found = NULL;
  g_autoptr(CrmSegmentInfo) builtin = NULL;
  gint64 count = 0;

  add_people (f->store);
  g_object_set (segment, "name", "广东会员", "rule", ONE ("province", "eq", "\"广东省\""), NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (segment), &error));
  g_assert_no_error (error);

  /* A rule that does not compile is refused, with the place it fails. */
  g_object_set (bad, "name", "bad", "rule", ONE ("city", "eq", "1"), NULL);
  g_assert_false (crm_store_insert (f->store, CRM_RECORD (bad), &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "all[0].value"));
  g_clear_error (&error);

  all = crm_segment_list_all (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 14);
  g_assert_true (((CrmSegmentInfo *) g_ptr_array_index (all, 0))->builtin);
  g_assert_cmpstr (((CrmSegmentInfo *) g_ptr_array_index (all, 13))->name, ==, "广东会员");

  found = crm_segment_find (f->store, "广东会员", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->id, ==, crm_record_get_id (CRM_RECORD (segment)));
  g_assert_true (crm_segment_count (f->store, found->rule, REF, &count, &error));
  g_assert_cmpint (count, ==, 2);

  builtin = crm_segment_find (f->store, "frequent", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (builtin->id, ==, "builtin:frequent");
  check (f->store, builtin->rule, "张伟");

  g_assert_null (crm_segment_find (f->store, "no such", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  STORE_TEST ("/segment-rule/text-enum", test_text_and_enum_ops);
  STORE_TEST ("/segment-rule/tags-bool-lifecycle", test_tags_bool_lifecycle);
  STORE_TEST ("/segment-rule/numbers-age", test_numbers_and_age);
  STORE_TEST ("/segment-rule/dates-purchases-activities", test_dates_purchases_activities);
  STORE_TEST ("/segment-rule/groups", test_groups);
  STORE_TEST ("/segment-rule/saved-builtin", test_saved_and_builtin);
  g_test_add_func ("/segment-rule/malformed", test_malformed);
  g_test_add_func ("/segment-rule/parameterised", test_parameterised);
  return g_test_run ();
}
