/* test-greetings.c: lunar holiday dates 2024–2026, birthdays (29 February), consent, and nobody greeted twice */

#include <glib.h>
#include <string.h>

#include "crm-greetings.h"
#include "smtp-relay.h"
#include "store-fixture.h"

static void
assert_holiday (const char *occasion,
                int         year,
                const char *expected)
{
  GDate d;
  char text[16];

  g_assert_true (crm_greetings_holiday_date (occasion, year, &d));
  g_snprintf (text, sizeof text, "%04d-%02d-%02d", g_date_get_year (&d), g_date_get_month (&d), g_date_get_day (&d));
  if (!g_str_equal (text, expected))
    g_error ("%s %d: expected %s, got %s", occasion, year, expected, text);
  g_assert_cmpstr (crm_greetings_holiday_on (expected), ==, occasion);
}

/* The published dates (Hong Kong Observatory's calendar). */
static void
test_lunar_holidays (void)
{
  GDate d;

  assert_holiday ("spring_festival", 2024, "2024-02-10");
  assert_holiday ("lantern", 2024, "2024-02-24");
  assert_holiday ("dragon_boat", 2024, "2024-06-10");
  assert_holiday ("mid_autumn", 2024, "2024-09-17");
  assert_holiday ("spring_festival", 2025, "2025-01-29");
  assert_holiday ("lantern", 2025, "2025-02-12");
  assert_holiday ("dragon_boat", 2025, "2025-05-31");
  assert_holiday ("mid_autumn", 2025, "2025-10-06");
  assert_holiday ("spring_festival", 2026, "2026-02-17");
  assert_holiday ("lantern", 2026, "2026-03-03");
  assert_holiday ("dragon_boat", 2026, "2026-06-19");
  assert_holiday ("mid_autumn", 2026, "2026-09-25");
  assert_holiday ("new_year", 2026, "2026-01-01");
  /* Where a computed new moon falls on the wrong side of midnight. */
  assert_holiday ("spring_festival", 2027, "2027-02-06");
  assert_holiday ("spring_festival", 2030, "2030-02-03");
  assert_holiday ("spring_festival", 2035, "2035-02-08");
  assert_holiday ("mid_autumn", 2020, "2020-10-01");

  g_assert_null (crm_greetings_holiday_on ("2026-02-16"));
  g_assert_null (crm_greetings_holiday_on ("not a date"));
  g_assert_false (crm_greetings_holiday_date ("spring_festival", 2036, &d));
  g_assert_false (crm_greetings_holiday_date ("spring_festival", 2019, &d));
  g_assert_false (crm_greetings_holiday_date ("christmas", 2026, &d));
}

static char *
add_contact (CrmStore   *store,
             const char *name,
             const char *birthday,
             const char *consent)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *email = g_strdup_printf ("%s@example.com", name);

  crm_contact_set_name (contact, name);
  g_assert_true (crm_contact_set_field_from_string (contact, "email", email, &error));
  if (birthday != NULL)
    g_assert_true (crm_contact_set_field_from_string (contact, "birthday", birthday, &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "consent_email", consent, &error));
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static char *
names_of (GPtrArray *greetings)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < greetings->len; i++)
    {
      CrmGreeting *g = g_ptr_array_index (greetings, i);

      g_string_append_printf (s, "%s%s:%s", i ? " " : "", g->occasion, g->name);
    }
  return g_string_free (s, FALSE);
}

static void
test_due_and_recorded (StoreFixture  *f,
                       gconstpointer  data)
{
  g_autofree char *a = add_contact (f->store, "ann", "1990-02-28", "true");
  g_autofree char *b = add_contact (f->store, "bob", "1992-02-29", "true");
  g_autofree char *c = add_contact (f->store, "cid", "1985-02-28", "false");
  g_autofree char *d = add_contact (f->store, "dan", NULL, "true");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) leap = NULL;
  g_autoptr(GPtrArray) festival = NULL;
  g_autofree char *names = NULL, *leap_names = NULL, *festival_names = NULL;
  CrmGreeting *first;

  /* 28 February 2026: ann's birthday and bob's (no 29th this year); cid has no consent. */
  due = crm_greetings_due (f->store, "2026-02-28", "email",
                           "{\"birthday\": {\"subject\": \"生日快乐，{{name}}\"}}", &error);
  g_assert_no_error (error);
  names = names_of (due);
  g_assert_cmpstr (names, ==, "birthday:ann birthday:bob");
  first = g_ptr_array_index (due, 0);
  g_assert_cmpstr (first->subject, ==, "生日快乐，ann");
  g_assert_cmpstr (first->address, ==, "ann@example.com");
  g_assert_cmpstr (first->key, ==, "birthday:2026");
  g_assert_nonnull (strstr (first->body, "ann"));

  g_assert_true (crm_greetings_record (f->store, first, "email", &error));
  g_assert_no_error (error);
  g_assert_false (crm_greetings_record (f->store, first, "email", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  again = crm_greetings_due (f->store, "2026-02-28", "email", NULL, &error);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM activities WHERE kind = 'email'"
                                              " AND greeting_key = 'birthday:2026' AND done_at IS NOT NULL"), ==, 1);

  /* In a leap year bob's birthday is the 29th. */
  leap = crm_greetings_due (f->store, "2028-02-28", "email", NULL, &error);
  leap_names = names_of (leap);
  g_assert_cmpstr (leap_names, ==, "birthday:ann");

  /* Spring Festival 2026: everyone with consent and an address. */
  festival = crm_greetings_due (f->store, "2026-02-17", "email", NULL, &error);
  g_assert_no_error (error);
  festival_names = names_of (festival);
  g_assert_cmpstr (festival_names, ==, "spring_festival:ann spring_festival:bob spring_festival:dan");
  g_assert_cmpstr (((CrmGreeting *) g_ptr_array_index (festival, 0))->key, ==, "spring_festival:2026");

  g_assert_null (crm_greetings_due (f->store, "2026-02-17", "letter", NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  (void) b; (void) c; (void) d;
}

static void
test_send_due (StoreFixture  *f,
               gconstpointer  data)
{
  g_autofree char *a = add_contact (f->store, "ann", "1990-03-15", "true");
  g_autofree char *b = add_contact (f->store, "bob", "1991-03-15", "true");
  g_autofree char *c = add_contact (f->store, "cid", "1985-03-15", "false");
  g_autofree char *log_path = g_build_filename (f->dir, "smtp.log", NULL);
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *url = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  CrmSmtpConfig config;
  guint sent = 99, failed = 99, port = 0;

  if (python == NULL)
    {
      g_test_skip ("python3 is needed for the test SMTP server");
      return;
    }
  crm_smtp_config_init (&config);
  config.from = "shop@example.com";

  /* A relay nobody answers: an error, nobody recorded. */
  config.url = "smtp://127.0.0.1:1";
  g_assert_false (crm_greetings_send_due (f->store, "2026-03-15", &config, NULL, NULL, &sent, &failed, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM activities WHERE greeting_key IS NOT NULL"), ==, 0);

  server = smtp_relay_start (log_path, &port);
  url = g_strdup_printf ("smtp://127.0.0.1:%u", port);
  config.url = url;
  g_assert_true (crm_greetings_send_due (f->store, "2026-03-15", &config, NULL, NULL, &sent, &failed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sent, ==, 2);
  g_assert_cmpuint (failed, ==, 0);
  /* The scheduler runs again (a restart, the next hour): nobody twice. */
  g_assert_true (crm_greetings_send_due (f->store, "2026-03-15", &config, NULL, NULL, &sent, &failed, &error));
  g_assert_cmpuint (sent, ==, 0);
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines) - 1, ==, 2);
  g_assert_nonnull (strstr (log, "ann@example.com"));
  g_assert_null (strstr (log, "cid@example.com"));
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM activities WHERE greeting_key = 'birthday:2026'"), ==, 2);

  g_clear_pointer (&server, smtp_relay_stop);
  (void) a; (void) b; (void) c;
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/greetings/lunar-holidays", test_lunar_holidays);
  STORE_TEST ("/greetings/due-and-recorded", test_due_and_recorded);
  STORE_TEST ("/greetings/send-due", test_send_due);
  return g_test_run ();
}
