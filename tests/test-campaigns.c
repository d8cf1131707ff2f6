/* test-campaigns.c: campaign content and merge fields, launch (member freeze, consent exclusion), responses, attribution window, SMS lists */

#include <glib.h>
#include <string.h>

#include "crm-campaigns.h"
#include "crm-purchase.h"
#include "crm-segment.h"
#include "crm-surveys.h"
#include "store-fixture.h"

#define REF "2026-06-15"

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
add_purchase_at (CrmStore   *store,
                 const char *contact_id,
                 const char *product,
                 const char *at,
                 gint64      amount)
{
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (purchase, "contact-id", contact_id, "product", product, "purchased-at", at, "amount", amount, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (purchase), &error));
  g_assert_no_error (error);
}

static char *
add_campaign (CrmStore   *store,
              const char *channel,
              const char *templates)
{
  g_autoptr(CrmCampaign) campaign = crm_campaign_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (campaign, "name", "六月活动", "channel", channel, "templates", templates, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (campaign), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (campaign)));
}

static void
expect_invalid_templates (const char *templates,
                          const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) variants = crm_campaign_parse_templates (templates, NULL, &error);

  g_assert_null (variants);
  g_assert_nonnull (error);
  if (strstr (error->message, message_part) == NULL)
    g_error ("templates %s: expected “%s” in “%s”", templates, message_part, error->message);
}

static void
test_templates (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GPtrArray) variants =
    crm_campaign_parse_templates ("{\"variants\": [{\"segment\": \"builtin:dormant\", \"subject\": \"{{name}}，好久不见\","
                                  " \"body\": \"{{ offer }}：{{last_product|新品}}\"}], \"fields\": {\"offer\": \"满200减30\"}}",
                                  &fields, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (variants->len, ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (fields, "offer"), ==, "满200减30");
  g_clear_pointer (&variants, g_ptr_array_unref);

  variants = crm_campaign_parse_templates ("{}", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (variants->len, ==, 0);

  expect_invalid_templates ("[", "not valid JSON");
  expect_invalid_templates ("[]", "templates: expected an object");
  expect_invalid_templates ("{\"variants\": [{\"segment\": \"x\", \"body\": \"{{offer2}}\"}]}",
                            "variants[0].body: unknown merge field “{{offer2}}”");
  expect_invalid_templates ("{\"variants\": [{\"segment\": \"x\", \"body\": \"ok\"}, {\"segment\": \"y\", \"subject\": \"{{name\", \"body\": \"b\"}]}",
                            "variants[1].subject: “{{” without “}}”");
  expect_invalid_templates ("{\"variants\": [{\"body\": \"b\"}]}", "variants[0].segment: missing");
  expect_invalid_templates ("{\"variants\": [{\"segment\": \"x\", \"body\": 3}]}", "variants[0].body: expected a text");
  expect_invalid_templates ("{\"variants\": [{\"segment\": \"x\", \"body\": \"\"}]}", "variants[0].body: is empty");
  expect_invalid_templates ("{\"fields\": {\"name\": \"x\"}}", "fields.name: “name” is a built-in merge field");
  expect_invalid_templates ("{\"variants\": [{\"segment\": \"x\", \"body\": \"ok\"}, {\"segment\": \"y\", \"body\": \"{{survey_link}}\"}]}",
                            "variants[1]: {{survey_link}} needs the survey");
  expect_invalid_templates ("{\"variants\": [{\"segment\": \"x\", \"body\": \"{{survey_link}}\"}], \"survey\": \"\"}",
                            "variants[0]: {{survey_link}} needs the survey");
  expect_invalid_templates ("{\"survey\": 7}", "survey: expected the id of a survey");
  expect_invalid_templates ("{\"fields\": {\"满 减\": \"x\"}}", "fields.满 减: a merge field’s name has no spaces");
  expect_invalid_templates ("{\"fields\": {\"a|b\": \"x\"}}", "fields.a|b: a merge field’s name");
}

/* {{survey_link}}: email only, to a survey that takes answers; the
 * preview shows where the link goes. */
static void
test_survey_link (StoreFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(CrmSurvey) survey = crm_survey_new ();
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *templates = NULL, *sms_id = NULL, *email_id = NULL, *survey_id = NULL;
  g_autofree char *subject = NULL, *body = NULL, *zhang = NULL;
  g_autoptr(GPtrArray) variants = NULL;
  CrmCampaignLaunch check;

  g_object_set (survey, "title", "售后回访", "status", "open", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (survey), &error));
  zhang = add_contact (f->store, "张伟", "email", "zhang@example.com", "consent_email", "true", NULL);
  templates = g_strdup_printf ("{\"variants\": [{\"segment\": \"builtin:lead\", \"body\": \"{{name}}：{{survey_link}}\"}],"
                               " \"survey\": \"%s\"}", crm_record_get_id (CRM_RECORD (survey)));
  survey_id = crm_campaign_templates_dup_survey (templates);
  g_assert_cmpstr (survey_id, ==, crm_record_get_id (CRM_RECORD (survey)));
  variants = crm_campaign_parse_templates (templates, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (crm_campaign_variant_uses_field (g_ptr_array_index (variants, 0), "survey_link"));

  sms_id = add_campaign (f->store, "sms", templates);
  g_assert_false (crm_campaign_launch (f->store, sms_id, REF, NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "only works in email campaigns"));
  g_clear_error (&error);
  g_assert_false (crm_campaign_check_audience (f->store, "letter", templates, REF, &check, NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  email_id = add_campaign (f->store, "email", templates);
  campaign = crm_store_get (f->store, CRM_TYPE_CAMPAIGN, email_id, &error);
  g_assert_true (crm_campaign_preview (f->store, campaign, zhang, REF, &subject, &body, &error));
  g_assert_cmpstr (body, ==, "张伟：[one-time survey link]");

  /* Closed, then deleted: the launch says which. */
  g_object_set (survey, "status", "closed", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (survey), &error));
  g_assert_false (crm_campaign_launch (f->store, email_id, REF, NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "售后回访"));
  g_clear_error (&error);
  g_assert_true (crm_store_delete (f->store, CRM_TYPE_SURVEY, crm_record_get_id (CRM_RECORD (survey)), &error));
  g_assert_false (crm_campaign_launch (f->store, email_id, REF, NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM campaign_members"), ==, 0);

  g_assert_true (crm_store_undelete (f->store, CRM_TYPE_SURVEY, crm_record_get_id (CRM_RECORD (survey)), &error));
  g_assert_true (crm_store_exec (f->store, "UPDATE surveys SET status = 'open'", NULL));
  g_assert_true (crm_campaign_launch (f->store, email_id, REF, &check, &error));
  g_assert_no_error (error);
  g_assert_cmpint (check.members, ==, 1);
}

static void
test_render (void)
{
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  g_hash_table_insert (values, (char *) "name", (char *) "张伟");
  g_hash_table_insert (values, (char *) "title", (char *) "");
  a = crm_campaign_render_text ("{{name}}{{title|先生/女士}}，您好！{{last_product}}。", values);
  g_assert_cmpstr (a, ==, "张伟先生/女士，您好！。");
  b = crm_campaign_render_text ("{{ name }} {{unclosed", values);
  g_assert_cmpstr (b, ==, "张伟 {{unclosed");
  c = crm_campaign_render_text (NULL, values);
  g_assert_cmpstr (c, ==, "");
}

static void
test_preview_values (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autofree char *zhang = add_contact (f->store, "张伟", "title", "经理", "city", "深圳", NULL);
  g_autofree char *li = add_contact (f->store, "李娜", NULL);
  g_autofree char *campaign_id = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = NULL, *body = NULL, *subject2 = NULL, *body2 = NULL;

  add_purchase_at (f->store, zhang, "移动电源", "2026-05-01T10:00:00Z", 9900);
  add_purchase_at (f->store, zhang, "蓝牙耳机", "2026-06-05T10:00:00Z", 19900);
  campaign_id = add_campaign (f->store, "email",
                              "{\"variants\": [{\"segment\": \"builtin:lead\", \"subject\": \"欢迎 {{name}}\", \"body\": \"{{offer}}\"},"
                              " {\"segment\": \"builtin:active\", \"subject\": \"{{name}}{{title}}\","
                              "  \"body\": \"{{city}}：{{last_product}}，{{days_since_last_purchase}} 天\"}],"
                              " \"fields\": {\"offer\": \"九折\"}}");
  campaign = crm_store_get (f->store, CRM_TYPE_CAMPAIGN, campaign_id, &error);
  g_assert_no_error (error);
  g_assert_true (crm_store_recompute_derived (f->store, REF, &error));

  /* 张伟 is not a lead: the second variant, with his values. */
  g_assert_true (crm_campaign_preview (f->store, campaign, zhang, REF, &subject, &body, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (subject, ==, "张伟经理");
  g_assert_cmpstr (body, ==, "深圳：蓝牙耳机，10 天");
  /* 李娜 is a lead without purchases: missing values are empty. */
  g_assert_true (crm_campaign_preview (f->store, campaign, li, REF, &subject2, &body2, &error));
  g_assert_cmpstr (subject2, ==, "欢迎 李娜");
  g_assert_cmpstr (body2, ==, "九折");
}

static void
test_launch_freeze_and_consent (StoreFixture  *f,
                                gconstpointer  data)
{
  g_autofree char *a = add_contact (f->store, "有同意", "email", "a@example.com", "consent_email", "true", "city", "北京", NULL);
  g_autofree char *b = add_contact (f->store, "无同意", "email", "b@example.com", "city", "北京", NULL);
  g_autofree char *c = add_contact (f->store, "无邮箱", "consent_email", "true", "city", "北京", NULL);
  g_autofree char *d = add_contact (f->store, "上海客户", "email", "d@example.com", "consent_email", "true", "city", "上海", NULL);
  g_autofree char *campaign_id = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stats = NULL;
  g_autoptr(CrmSegment) beijing = crm_segment_new ();
  g_autofree char *late = NULL;
  g_autofree char *variant_sql = NULL;
  g_autofree char *templates = NULL;
  CrmCampaignLaunch launch;

  g_object_set (beijing, "name", "北京", "rule", "{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"北京\"}]}", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (beijing), &error));
  g_assert_no_error (error);
  /* Everyone is a lead; the Beijing variant comes first and wins. */
  templates = g_strdup_printf (
    "{\"variants\": [{\"segment\": \"%s\", \"subject\": \"s\", \"body\": \"北京\"},"
    " {\"segment\": \"builtin:lead\", \"subject\": \"s\", \"body\": \"其他\"}]}",
    crm_record_get_id (CRM_RECORD (beijing)));
  campaign_id = add_campaign (f->store, "email", templates);

  /* The editor's check says the same as the launch, and freezes nothing. */
  {
    g_autoptr(GPtrArray) ids = NULL;
    CrmCampaignLaunch check;

    g_assert_true (crm_campaign_check_audience (f->store, "email", templates, REF, &check, &ids, &error));
    g_assert_no_error (error);
    g_assert_cmpint (check.members, ==, 2);
    g_assert_cmpint (check.excluded_no_consent, ==, 1);
    g_assert_cmpint (check.excluded_no_address, ==, 1);
    g_assert_cmpuint (ids->len, ==, 2);
    g_assert_true (g_ptr_array_find_with_equal_func (ids, a, g_str_equal, NULL));
    g_assert_true (g_ptr_array_find_with_equal_func (ids, d, g_str_equal, NULL));
    g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM campaign_members"), ==, 0);
    /* By letter, consent does not matter but a postal address does. */
    g_assert_true (crm_campaign_check_audience (f->store, "letter", templates, REF, &check, NULL, &error));
    g_assert_cmpint (check.members, ==, 0);
    g_assert_cmpint (check.excluded_no_consent, ==, 0);
    g_assert_cmpint (check.excluded_no_address, ==, 4);
    /* Bad content is an error, not an empty audience. */
    g_assert_false (crm_campaign_check_audience (f->store, "email", "{\"variants\": [{\"segment\": \"builtin:lead\", \"body\": \"{{nope}}\"}]}",
                                                 REF, &check, NULL, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  g_assert_true (crm_campaign_launch (f->store, campaign_id, REF, &launch, &error));
  g_assert_no_error (error);
  g_assert_cmpint (launch.members, ==, 2);
  g_assert_cmpint (launch.excluded_no_consent, ==, 1);
  g_assert_cmpint (launch.excluded_no_address, ==, 1);
  campaign = crm_store_get (f->store, CRM_TYPE_CAMPAIGN, campaign_id, &error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (campaign), "status"), ==, "running");
  g_assert_cmpint (crm_record_get_int64 (CRM_RECORD (campaign), "excluded_no_consent"), ==, 1);
  g_assert_cmpint (crm_record_get_int64 (CRM_RECORD (campaign), "excluded_no_address"), ==, 1);
  variant_sql = g_strdup_printf ("SELECT variant = '%s' FROM campaign_members WHERE contact_id = '%s'",
                                 crm_record_get_id (CRM_RECORD (beijing)), a);
  g_assert_cmpint (store_query_int (f->store, variant_sql), ==, 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM campaign_members WHERE status = 'pending'"
                                              " AND address IN ('a@example.com', 'd@example.com')"), ==, 2);
  /* The members sync. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM outbox WHERE table_name = 'campaign_members'"), ==, 2);

  /* Frozen: a contact added later is not a member, and a second launch is refused. */
  late = add_contact (f->store, "后来者", "email", "late@example.com", "consent_email", "true", NULL);
  g_assert_false (crm_campaign_launch (f->store, campaign_id, REF, &launch, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM campaign_members"), ==, 2);

  stats = crm_campaign_get_stats (f->store, campaign_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats->len, ==, 3);
  g_assert_cmpint (((CrmCampaignStats *) stats->pdata[0])->members, ==, 1);
  g_assert_cmpint (((CrmCampaignStats *) stats->pdata[2])->members, ==, 2);
  g_assert_cmpint (((CrmCampaignStats *) stats->pdata[2])->pending, ==, 2);
  g_assert_null (((CrmCampaignStats *) stats->pdata[2])->variant);
  (void) b; (void) c; (void) d;
}

static void
test_launch_without_content (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autofree char *campaign_id = add_campaign (f->store, "sms", "{}");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCampaign) bad = crm_campaign_new ();

  g_assert_false (crm_campaign_launch (f->store, campaign_id, REF, NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  /* A segment that does not exist fails the launch, nothing is frozen. */
  g_free (campaign_id);
  campaign_id = add_campaign (f->store, "sms", "{\"variants\": [{\"segment\": \"nonexistent\", \"body\": \"x\"}]}");
  g_assert_false (crm_campaign_launch (f->store, campaign_id, REF, NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM campaigns WHERE status = 'draft'"), ==, 2);
  /* Content with an unknown merge field is refused when saved. */
  g_object_set (bad, "name", "bad", "templates", "{\"variants\": [{\"segment\": \"x\", \"body\": \"{{nope}}\"}]}", NULL);
  g_assert_false (crm_store_insert (f->store, CRM_RECORD (bad), &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

static void
set_sent (CrmStore   *store,
          const char *campaign_id,
          const char *at)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE campaign_members SET status = 'sent', sent_at = '%s' WHERE campaign_id = '%s'",
                                          at, campaign_id);

  g_assert_true (crm_store_exec (store, sql, NULL));
}

/* DESIGN.md §6: a purchase after sent_at, up to 30 × 24 h later. */
static void
test_attribution_window (StoreFixture  *f,
                         gconstpointer  data)
{
  const char *names[] = { "之前", "同时", "第一秒", "最后一刻", "晚一秒" };
  const char *times[] = { "2026-06-01T09:59:59Z", "2026-06-01T10:00:00Z", "2026-06-01T10:00:01Z",
                          "2026-07-01T10:00:00Z", "2026-07-01T10:00:01Z" };
  g_autofree char *campaign_id = add_campaign (f->store, "phone",
                                               "{\"variants\": [{\"segment\": \"builtin:lead\", \"body\": \"回访\"}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stats = NULL;
  char *ids[5] = { NULL };
  gint64 converted = -1;

  for (int i = 0; i < 5; i++)
    ids[i] = add_contact (f->store, names[i], "phone", "13800138000", NULL);
  g_assert_true (crm_campaign_launch (f->store, campaign_id, REF, NULL, &error));
  g_assert_no_error (error);
  set_sent (f->store, campaign_id, "2026-06-01T10:00:00Z");
  for (int i = 0; i < 5; i++)
    add_purchase_at (f->store, ids[i], "商品", times[i], 1000 * (i + 1));

  g_assert_true (crm_campaign_attribute_conversions (f->store, campaign_id, &converted, &error));
  g_assert_no_error (error);
  g_assert_cmpint (converted, ==, 2);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM campaign_members m JOIN contacts c ON c.id = m.contact_id"
                                              " WHERE m.status = 'converted' AND c.name IN ('第一秒', '最后一刻')"), ==, 2);
  stats = crm_campaign_get_stats (f->store, campaign_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((CrmCampaignStats *) stats->pdata[1])->converted, ==, 2);
  g_assert_cmpint (((CrmCampaignStats *) stats->pdata[1])->sent, ==, 5);
  g_assert_cmpint (((CrmCampaignStats *) stats->pdata[1])->revenue, ==, 3000 + 4000);
  /* Running it again converts nobody twice. */
  g_assert_true (crm_campaign_attribute_conversions (f->store, campaign_id, &converted, &error));
  g_assert_cmpint (converted, ==, 0);
  for (int i = 0; i < 5; i++)
    g_free (ids[i]);
}

static void
test_responses (StoreFixture  *f,
                gconstpointer  data)
{
  g_autofree char *a = add_contact (f->store, "甲", "email", "a@example.com", "consent_email", "true", NULL);
  g_autofree char *b = add_contact (f->store, "乙", "email", "b@example.com", "consent_email", "true", NULL);
  g_autofree char *campaign_id = add_campaign (f->store, "email",
                                               "{\"variants\": [{\"segment\": \"builtin:lead\", \"subject\": \"s\", \"body\": \"b\"}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmContact) contact = NULL;
  g_autofree char *status_a = NULL, *status_b = NULL;
  g_autofree char *sql_a = g_strdup_printf ("SELECT status FROM campaign_members WHERE contact_id = '%s'", a);
  g_autofree char *sql_b = g_strdup_printf ("SELECT status FROM campaign_members WHERE contact_id = '%s'", b);

  g_assert_true (crm_campaign_launch (f->store, campaign_id, REF, NULL, &error));
  g_assert_false (crm_campaign_record_response (f->store, campaign_id, a, "responded", NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  set_sent (f->store, campaign_id, "2026-06-01T10:00:00Z");

  g_assert_true (crm_campaign_record_response (f->store, campaign_id, a, "responded", "2026-06-02T10:00:00Z", &error));
  g_assert_true (crm_campaign_record_response (f->store, campaign_id, a, "opened", "2026-06-03T10:00:00Z", &error));
  g_assert_no_error (error);
  status_a = store_query_text (f->store, sql_a);
  g_assert_cmpstr (status_a, ==, "responded");
  g_assert_true (crm_campaign_record_response (f->store, campaign_id, b, "unsubscribed", NULL, &error));
  g_assert_no_error (error);
  status_b = store_query_text (f->store, sql_b);
  g_assert_cmpstr (status_b, ==, "unsubscribed");
  contact = crm_store_get (f->store, CRM_TYPE_CONTACT, b, &error);
  g_assert_false (crm_record_get_boolean (CRM_RECORD (contact), "consent_email"));
  g_assert_false (crm_campaign_record_response (f->store, campaign_id, a, "converted", NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

static void
test_sms_list (StoreFixture  *f,
               gconstpointer  data)
{
  g_autofree char *a = add_contact (f->store, "王芳", "phone", "13800138000", "consent_sms", "true", NULL);
  g_autofree char *b = add_contact (f->store, "赵六", "phone", "13900139000", NULL);
  g_autofree char *campaign_id = add_campaign (f->store, "sms",
                                               "{\"variants\": [{\"segment\": \"builtin:lead\", \"body\": \"{{name}}，您好, \\\"优惠\\\"\"}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) again = g_string_new (NULL);
  CrmCampaignLaunch launch;
  gint64 rows = 0;

  g_assert_true (crm_campaign_launch (f->store, campaign_id, REF, &launch, &error));
  g_assert_cmpint (launch.members, ==, 1);
  g_assert_cmpint (launch.excluded_no_consent, ==, 1);
  g_assert_true (crm_campaign_export_list (f->store, campaign_id, TRUE, out, &rows, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rows, ==, 1);
  g_assert_true (g_str_has_prefix (out->str, "name,address,message,contact_id\r\n王芳,+8613800138000,\"王芳，您好, \"\"优惠\"\"\","));
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM campaign_members WHERE status = 'sent' AND sent_at IS NOT NULL"), ==, 1);
  /* Marked sent: a second export has nobody left. */
  g_assert_true (crm_campaign_export_list (f->store, campaign_id, TRUE, again, &rows, &error));
  g_assert_cmpint (rows, ==, 0);
  (void) a; (void) b;
}

/* A draft scheduled for later is launched when due; one that can no
 * longer launch goes back to being a draft, with the reason. */
static void
test_schedule (StoreFixture  *f,
               gconstpointer  data)
{
  g_autofree char *id = NULL, *empty = NULL, *broken = NULL, *when = NULL, *status = NULL, *sql = NULL, *zhang = NULL;
  g_autoptr(GPtrArray) launched = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  g_autoptr(GError) error = NULL;

  zhang = add_contact (f->store, "张伟", "phone", "13800138000", "consent_sms", "true", NULL);
  id = add_campaign (f->store, "sms", "{\"variants\": [{\"segment\": \"builtin:lead\", \"body\": \"{{name}}，周末见\"}]}");
  empty = add_campaign (f->store, "sms", "{}");
  broken = add_campaign (f->store, "sms", "{\"variants\": [{\"segment\": \"builtin:lead\", \"body\": \"x\"}]}");

  when = crm_campaign_parse_when ("2030-06-01 09:00:00+08:00", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (when, ==, "2030-06-01T01:00:00Z");
  g_free (when);
  when = crm_campaign_parse_when (" 2030-06-01T01:00Z ", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (when, ==, "2030-06-01T01:00:00Z");
  g_assert_null (crm_campaign_parse_when ("下周一", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "下周一"));
  g_clear_error (&error);

  g_assert_false (crm_campaign_schedule (f->store, id, "2020-01-01T00:00:00Z", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "has passed"));
  g_clear_error (&error);
  g_assert_false (crm_campaign_schedule (f->store, empty, when, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (crm_campaign_schedule (f->store, id, when, &error));
  g_assert_true (crm_campaign_schedule (f->store, broken, when, &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM campaigns WHERE status = 'scheduled'"
                                              " AND scheduled_at = '2030-06-01T01:00:00Z'"), ==, 2);
  /* The segment of one goes away before it is due. */
  sql = g_strdup_printf ("UPDATE campaigns SET templates = '{\"variants\": [{\"segment\": \"gone\", \"body\": \"x\"}]}'"
                         " WHERE id = '%s'", broken);
  g_assert_true (crm_store_exec (f->store, sql, NULL));

  /* Not yet due. */
  launched = crm_campaign_launch_due (f->store, "2030-06-01T00:59:59Z", &failures, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (launched->len, ==, 0);
  g_assert_cmpuint (failures->len, ==, 0);
  g_clear_pointer (&launched, g_ptr_array_unref);
  g_clear_pointer (&failures, g_ptr_array_unref);

  launched = crm_campaign_launch_due (f->store, "2030-06-01T01:00:00Z", &failures, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (launched->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (launched, 0), ==, id);
  g_assert_cmpuint (failures->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (failures, 0), "六月活动: "));
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM campaign_members"), ==, 1);
  status = store_query_text (f->store, "SELECT group_concat (status, ' ') FROM (SELECT status FROM campaigns ORDER BY status)");
  g_assert_cmpstr (status, ==, "draft draft running");

  /* Launched: no more rescheduling. Unscheduling a draft keeps it a draft. */
  g_assert_false (crm_campaign_schedule (f->store, id, when, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (crm_campaign_schedule (f->store, broken, NULL, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/campaigns/templates", test_templates);
  g_test_add_func ("/campaigns/render", test_render);
  STORE_TEST ("/campaigns/preview", test_preview_values);
  STORE_TEST ("/campaigns/launch-freeze-consent", test_launch_freeze_and_consent);
  STORE_TEST ("/campaigns/launch-without-content", test_launch_without_content);
  STORE_TEST ("/campaigns/attribution-window", test_attribution_window);
  STORE_TEST ("/campaigns/responses", test_responses);
  STORE_TEST ("/campaigns/sms-list", test_sms_list);
  STORE_TEST ("/campaigns/survey-link", test_survey_link);
  STORE_TEST ("/campaigns/schedule", test_schedule);
  return g_test_run ();
}
