/* test-reminders.c: open tasks, tasks coming due, overdue count, upcoming birthdays across New Year and 29 February */

#include "config.h"

#include "crm-activity.h"
#include "crm-contact.h"
#include "crm-reminders.h"
#include "store-fixture.h"

static char *
add_record (CrmStore *store,
            GType     type,
            ...)
{
  g_autoptr(CrmRecord) record = g_object_new (type, NULL);
  g_autoptr(GError) error = NULL;
  const char *field;
  va_list args;

  va_start (args, type);
  while ((field = va_arg (args, const char *)) != NULL)
    {
      crm_record_set_field_from_string (record, field, va_arg (args, const char *), &error);
      g_assert_no_error (error);
    }
  va_end (args);
  crm_store_insert (store, record, &error);
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (record));
}

static void
test_tasks (StoreFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autofree char *contact = add_record (f->store, CRM_TYPE_CONTACT, "name", "张三", NULL);

  g_free (add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", contact, "kind", "task", "subject", "later",
                      "due_at", "2024-06-03T09:00:00Z", NULL));
  g_free (add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", contact, "kind", "task", "subject", "overdue",
                      "due_at", "2024-05-30T09:00:00Z", NULL));
  g_free (add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", contact, "kind", "task", "subject", "done",
                      "due_at", "2024-05-29T09:00:00Z", "done_at", "2024-05-29T10:00:00Z", NULL));
  g_free (add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", contact, "kind", "call", "subject", "a call",
                      "due_at", "2024-05-29T09:00:00Z", NULL));
  g_free (add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", contact, "kind", "task", "subject", "someday", NULL));

  open = crm_reminders_list_open_tasks (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 3);
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (open, 0), "subject"), ==, "overdue");
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (open, 1), "subject"), ==, "later");
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (open, 2), "subject"), ==, "someday");

  g_assert_cmpuint (crm_reminders_count_overdue (f->store, "2024-06-01T00:00:00Z", &error), ==, 1);
  g_assert_no_error (error);

  due = crm_reminders_list_coming_due (f->store, "2024-06-03T08:59:00Z", "2024-06-03T09:00:00Z", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (due, 0), "subject"), ==, "later");
  g_clear_pointer (&due, g_ptr_array_unref);
  /* Already announced in the previous window: not again. */
  due = crm_reminders_list_coming_due (f->store, "2024-06-03T09:00:00Z", "2024-06-03T09:01:00Z", &error);
  g_assert_cmpuint (due->len, ==, 0);
  g_clear_pointer (&due, g_ptr_array_unref);

  /* My Tasks' groups: overdue, from now on with the undated last, capped. */
  due = crm_reminders_list_tasks_due (f->store, NULL, "2024-06-01T00:00:00Z", FALSE, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (due, 0), "subject"), ==, "overdue");
  g_clear_pointer (&due, g_ptr_array_unref);
  due = crm_reminders_list_tasks_due (f->store, "2024-06-01T00:00:00Z", NULL, TRUE, 0, &error);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (due, 0), "subject"), ==, "later");
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (due, 1), "subject"), ==, "someday");
  g_clear_pointer (&due, g_ptr_array_unref);
  due = crm_reminders_list_tasks_due (f->store, NULL, NULL, TRUE, 2, &error);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (due, 0), "subject"), ==, "overdue");
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (due, 1), "subject"), ==, "later");
}

static void
test_birthdays (StoreFixture  *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_free (add_record (f->store, CRM_TYPE_CONTACT, "name", "New Year", "birthday", "1990-01-02", NULL));
  g_free (add_record (f->store, CRM_TYPE_CONTACT, "name", "Christmas", "birthday", "1985-12-25", NULL));
  g_free (add_record (f->store, CRM_TYPE_CONTACT, "name", "Summer", "birthday", "1970-07-01", NULL));
  g_free (add_record (f->store, CRM_TYPE_CONTACT, "name", "Leap", "birthday", "2000-02-29", NULL));
  g_free (add_record (f->store, CRM_TYPE_CONTACT, "name", "Nobody", NULL));

  /* 20 December + 30 days runs into January, soonest first. */
  list = crm_reminders_list_birthdays (f->store, "2024-12-20", 30, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (crm_contact_get_name (g_ptr_array_index (list, 0)), ==, "Christmas");
  g_assert_cmpstr (crm_contact_get_name (g_ptr_array_index (list, 1)), ==, "New Year");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* In a year without 29 February the birthday is on the 28th. */
  list = crm_reminders_list_birthdays (f->store, "2025-02-28", 1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (crm_contact_get_name (g_ptr_array_index (list, 0)), ==, "Leap");
  g_clear_pointer (&list, g_ptr_array_unref);

  list = crm_reminders_list_birthdays (f->store, "2025-03-01", 130, 0, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (crm_contact_get_name (g_ptr_array_index (list, 0)), ==, "Summer");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* A limit keeps the soonest, also across New Year. */
  list = crm_reminders_list_birthdays (f->store, "2024-12-20", 30, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (crm_contact_get_name (g_ptr_array_index (list, 0)), ==, "Christmas");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = crm_reminders_list_birthdays (f->store, "2024-12-26", 30, 1, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (crm_contact_get_name (g_ptr_array_index (list, 0)), ==, "New Year");

  {
    g_autofree char *next = crm_reminders_next_birthday ("2000-02-29", "2025-01-10");
    g_autofree char *leap = crm_reminders_next_birthday ("2000-02-29", "2028-01-10");
    g_autofree char *passed = crm_reminders_next_birthday ("1985-12-25", "2024-12-26");

    g_assert_cmpstr (next, ==, "2025-02-28");
    g_assert_cmpstr (leap, ==, "2028-02-29");
    g_assert_cmpstr (passed, ==, "2025-12-25");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/reminders/tasks", test_tasks);
  STORE_TEST ("/reminders/birthdays", test_birthdays);

  return g_test_run ();
}
