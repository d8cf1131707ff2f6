/* test-contact.c: contact fields from text, validation, notification and change tracking */

#include "config.h"

#include <string.h>

#include "crm-contact.h"
#include "crm-purchase.h"
#include "crm-store-error.h"
#include "crm-value.h"

static void
assert_invalid (CrmContact *contact,
                const char *field,
                const char *value,
                const char *expected_in_message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (crm_contact_set_field_from_string (contact, field, value, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_test_message ("%s=%s: %s", field, value, error->message);
  g_assert_nonnull (strstr (error->message, expected_in_message));
}

static void
test_contact_fields (void)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *birthday = NULL;

  g_assert_true (crm_contact_set_field_from_string (contact, "name", "  张三丰 ", &error));
  g_assert_cmpstr (crm_contact_get_name (contact), ==, "张三丰");
  g_assert_true (crm_contact_set_field_from_string (contact, "birthday", "2024-02-29", &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "gender", "male", &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "consent-email", "yes", &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "consent_email_at", "2024-03-05 08:30", &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "tags", "VIP，北京, VIP", &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "lifecycle", "frequent", &error));
  g_assert_no_error (error);

  g_object_get (contact, "birthday", &birthday, NULL);
  g_assert_cmpstr (birthday, ==, "2024-02-29");
  g_assert_true (crm_record_get_boolean (CRM_RECORD (contact), "consent_email"));
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (contact), "consent_email_at"), ==, "2024-03-05T08:30:00Z");
  {
    const char * const *tags = crm_record_get_strv (CRM_RECORD (contact), "tags");

    g_assert_cmpuint (g_strv_length ((char **) tags), ==, 2);
    g_assert_cmpstr (tags[0], ==, "VIP");
    g_assert_cmpstr (tags[1], ==, "北京");
  }
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (contact), "lifecycle_override"), ==, "frequent");
  g_assert_cmpstr (crm_contact_get_lifecycle (contact), ==, "frequent");

  /* Empty clears an optional field, but not a required one. */
  g_assert_true (crm_contact_set_field_from_string (contact, "birthday", "", &error));
  g_assert_null (crm_record_get_string (CRM_RECORD (contact), "birthday"));
  assert_invalid (contact, "name", " ", "name");
}

static void
test_contact_invalid (void)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();

  assert_invalid (contact, "no_such_field", "1", "no_such_field");
  assert_invalid (contact, "birthday", "2023-02-30", "2023-02-30");
  assert_invalid (contact, "birthday", "30/02/2023", "YYYY-MM-DD");
  assert_invalid (contact, "birthday", "2023-13-01", "does not exist");
  assert_invalid (contact, "gender", "robot", "male");
  assert_invalid (contact, "kind", "company", "organization");
  assert_invalid (contact, "email", "not-an-email", "not-an-email");
  assert_invalid (contact, "emails", "a@example.com, b@@example.com", "b@@example.com");
  assert_invalid (contact, "email", "a@example", "a@example");
  assert_invalid (contact, "phone", "12345", "12345");
  assert_invalid (contact, "phone", "138-1234-abcd", "digits");
  assert_invalid (contact, "phone", "12345678", "area code");
  /* A mobile number with a digit missing, behind the country code. */
  assert_invalid (contact, "phone", "+86 138 1234 567", "+86 138 1234 567");
  assert_invalid (contact, "organization_id", "acme", "id");
  assert_invalid (contact, "consent_sms", "maybe", "consent_sms");
  assert_invalid (contact, "name_pinyin", "x", "computed");
  assert_invalid (contact, "purchase_count", "3", "computed");
  assert_invalid (contact, "created_at", "x", "computed");

  /* Nothing of the above was stored in the object. */
  g_assert_false (crm_record_has_changes (CRM_RECORD (contact)));
}

static void
test_contact_phones (void)
{
  static const struct { const char *raw; const char *e164; } cases[] = {
    { "13812345678", "+8613812345678" },
    { "138 1234 5678", "+8613812345678" },
    { "138-1234-5678", "+8613812345678" },
    { "+86 138 1234 5678", "+8613812345678" },
    { "8613812345678", "+8613812345678" },
    { "0086 13812345678", "+8613812345678" },
    { "010-12345678", "+861012345678" },
    /* Beijing's area code 10 starts like a mobile number but is not one. */
    { "+86 10 1234 5678", "+861012345678" },
    { "0086 10 1234 5678", "+861012345678" },
    { "(0755) 8888 1234", "+8675588881234" },
    { "+44 20 7946 0958", "+442079460958" },
    { "+1 (415) 555-0100", "+14155550100" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *e164 = NULL;

      g_assert_true (crm_value_parse_phone ("phone", cases[i].raw, &e164, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (e164, ==, cases[i].e164);
    }

  /* The shorthand keeps the number as typed next to the E.164 form, and
   * replaces only the first number. */
  {
    g_autoptr(CrmContact) contact = crm_contact_new ();
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) numbers = NULL;
    const char *json;

    g_assert_true (crm_contact_set_field_from_string (contact, "phones", "13812345678, 010-12345678", &error));
    g_assert_true (crm_contact_set_field_from_string (contact, "phone", "139 0000 1111", &error));
    numbers = crm_contact_dup_phone_numbers (contact);
    g_assert_cmpuint (g_strv_length (numbers), ==, 2);
    g_assert_cmpstr (numbers[0], ==, "+8613900001111");
    g_assert_cmpstr (numbers[1], ==, "+861012345678");
    json = crm_record_get_string (CRM_RECORD (contact), "phones");
    g_assert_nonnull (strstr (json, "\"raw\":\"139 0000 1111\""));
  }
}

static void
test_contact_emails (void)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  const char * const *emails;

  g_assert_true (crm_contact_set_field_from_string (contact, "emails", "a@Example.CN; b@example.cn", &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "email", "new@example.cn", &error));
  g_assert_no_error (error);
  emails = crm_contact_get_emails (contact);
  g_assert_cmpuint (g_strv_length ((char **) emails), ==, 2);
  g_assert_cmpstr (emails[0], ==, "new@example.cn");
  g_assert_cmpstr (emails[1], ==, "b@example.cn");

  g_assert_true (crm_contact_set_field_from_string (contact, "emails", "Zhang@EXAMPLE.cn", &error));
  emails = crm_contact_get_emails (contact);
  g_assert_cmpstr (emails[0], ==, "Zhang@example.cn");
  g_assert_null (emails[1]);
}

static void
test_contact_money_and_quantity (void)
{
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(GError) error = NULL;
  static const struct { const char *text; gint64 minor; } ok[] = {
    { "1234.5", 123450 }, { "1,234.50", 123450 }, { "¥12", 1200 }, { "0.07", 7 }, { "￥ 3", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      gint64 minor = 0;
      gboolean parsed = crm_value_parse_money ("amount", ok[i].text, &minor, NULL);

      if (ok[i].minor < 0)
        g_assert_false (parsed);
      else
        {
          g_assert_true (parsed);
          g_assert_cmpint (minor, ==, ok[i].minor);
        }
    }

  g_assert_true (crm_record_set_field_from_string (CRM_RECORD (purchase), "amount", "199.90", &error));
  g_assert_cmpint (crm_record_get_int64 (CRM_RECORD (purchase), "amount"), ==, 19990);
  g_assert_false (crm_record_set_field_from_string (CRM_RECORD (purchase), "amount", "99999999999999999999", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "too large"));
  g_clear_error (&error);
  g_assert_false (crm_record_set_field_from_string (CRM_RECORD (purchase), "amount", "-5", &error));
  g_assert_nonnull (strstr (error->message, "negative"));
  g_clear_error (&error);
  g_assert_false (crm_record_set_field_from_string (CRM_RECORD (purchase), "amount", "1.234", &error));
  g_clear_error (&error);
  g_assert_false (crm_record_set_field_from_string (CRM_RECORD (purchase), "quantity", "-2", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "quantity"));
  g_clear_error (&error);
  g_assert_false (crm_record_set_field_from_string (CRM_RECORD (purchase), "quantity", "two", &error));
  g_clear_error (&error);
  g_assert_false (crm_record_set_field_from_string (CRM_RECORD (purchase), "currency", "yuan", &error));
  g_clear_error (&error);
  g_assert_true (crm_record_set_field_from_string (CRM_RECORD (purchase), "currency", "usd", &error));
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (purchase), "currency"), ==, "USD");
  g_assert_cmpint (crm_record_get_int64 (CRM_RECORD (purchase), "amount"), ==, 19990);
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           GPtrArray  *log)
{
  g_ptr_array_add (log, g_strdup (pspec->name));
}

static void
test_contact_notify_and_changes (void)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  const char * const tags[] = { "a", "b", NULL };
  const char * const same_tags[] = { "a", "b", NULL };

  /* Defaults match the table's. */
  g_assert_cmpstr (crm_contact_get_kind (contact), ==, "person");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (contact), "lifecycle"), ==, "lead");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (contact), "phones"), ==, "[]");
  g_assert_false (crm_record_has_changes (CRM_RECORD (contact)));

  g_signal_connect (contact, "notify", G_CALLBACK (on_notify), log);
  crm_contact_set_name (contact, "A");
  crm_contact_set_name (contact, "A");
  g_object_set (contact, "tags", tags, NULL);
  g_object_set (contact, "tags", same_tags, NULL);
  g_object_set (contact, "consent-sms", FALSE, NULL);
  g_object_set (contact, "kind", "person", NULL);

  g_assert_cmpuint (log->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (log, 0), ==, "name");
  g_assert_cmpstr (g_ptr_array_index (log, 1), ==, "tags");
  g_assert_true (crm_record_is_changed (CRM_RECORD (contact), "name"));
  g_assert_true (crm_record_is_changed (CRM_RECORD (contact), "tags"));
  g_assert_false (crm_record_is_changed (CRM_RECORD (contact), "kind"));
  crm_record_clear_changes (CRM_RECORD (contact));
  g_assert_false (crm_record_has_changes (CRM_RECORD (contact)));
}

static void
test_contact_validate (void)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (crm_record_validate (CRM_RECORD (contact), &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "name"));
  g_clear_error (&error);

  g_object_set (contact, "name", "Org", "kind", "organization",
                "organization-id", "0190c5e2-0000-7000-8000-000000000000", NULL);
  g_assert_false (crm_record_validate (CRM_RECORD (contact), &error));
  g_assert_nonnull (strstr (error->message, "organization_id"));
  g_clear_error (&error);

  g_object_set (contact, "organization-id", NULL, NULL);
  g_assert_true (crm_record_validate (CRM_RECORD (contact), &error));
  g_assert_no_error (error);
}

/* A field takes so much text and no more, and says how much. */
static void
test_contact_text_limits (void)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < 500; i++)
    g_string_append (text, "张");
  g_object_set (contact, "name", text->str, NULL);
  g_assert_true (crm_record_validate (CRM_RECORD (contact), &error));
  g_assert_no_error (error);

  g_string_append (text, "三");
  g_object_set (contact, "name", text->str, NULL);
  g_assert_false (crm_record_validate (CRM_RECORD (contact), &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "name: the text is 501 characters long; at most 500 fit.");
  g_clear_error (&error);

  g_object_set (contact, "name", "张三", NULL);
  g_string_truncate (text, 0);
  while (text->len <= CRM_TEXT_MAX_CHARS)
    g_string_append (text, "note ");
  g_object_set (contact, "notes", text->str, NULL);
  g_assert_false (crm_record_validate (CRM_RECORD (contact), &error));
  g_assert_nonnull (strstr (error->message, "notes: the text is 100005 characters long"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/contact/fields", test_contact_fields);
  g_test_add_func ("/contact/invalid", test_contact_invalid);
  g_test_add_func ("/contact/phones", test_contact_phones);
  g_test_add_func ("/contact/emails", test_contact_emails);
  g_test_add_func ("/contact/money-and-quantity", test_contact_money_and_quantity);
  g_test_add_func ("/contact/notify-and-changes", test_contact_notify_and_changes);
  g_test_add_func ("/contact/validate", test_contact_validate);
  g_test_add_func ("/contact/text-limits", test_contact_text_limits);

  return g_test_run ();
}
