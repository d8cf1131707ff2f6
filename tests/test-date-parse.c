/* test-date-parse.c: the date forms of spreadsheets and people, and impossible dates */

#include <glib.h>

#include "crm-date-parse.h"
#include "crm-import-error.h"

static void
check (const char   *text,
       CrmDateOrder  order,
       const char   *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *date = NULL;
  gboolean ok = crm_date_parse (text, order, &date, &error);

  if (expected == NULL)
    {
      g_assert_false (ok);
      g_assert_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_INVALID_VALUE);
      g_assert_null (date);
      return;
    }
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpstr (date, ==, expected);
}

static void
test_forms (void)
{
  const CrmDateOrder dmy = CRM_DATE_ORDER_DAY_FIRST;
  const CrmDateOrder mdy = CRM_DATE_ORDER_MONTH_FIRST;

  check ("2024-03-05", dmy, "2024-03-05");
  check ("2024/3/5", dmy, "2024-03-05");
  check ("2024.3.5", dmy, "2024-03-05");
  check ("2024年3月5日", dmy, "2024-03-05");
  check ("2024年03月05号", dmy, "2024-03-05");
  check ("20240305", dmy, "2024-03-05");
  check (" 2024-03-05 14:30:00 ", dmy, "2024-03-05");
  check ("2024-03-05T14:30:00Z", dmy, "2024-03-05");
  check ("05/03/2024", dmy, "2024-03-05");
  check ("05/03/2024", mdy, "2024-05-03");
  check ("5.3.2024", dmy, "2024-03-05");
  check ("05-03-2024", dmy, "2024-03-05");
  check ("2/29/2024", mdy, "2024-02-29");
}

static void
test_excel_serial (void)
{
  check ("45356", CRM_DATE_ORDER_DAY_FIRST, "2024-03-05");
  check ("45356.75", CRM_DATE_ORDER_DAY_FIRST, "2024-03-05");
  check ("1", CRM_DATE_ORDER_DAY_FIRST, "1900-01-01");
  check ("59", CRM_DATE_ORDER_DAY_FIRST, "1900-02-28");
  check ("61", CRM_DATE_ORDER_DAY_FIRST, "1900-03-01");
  check ("32019", CRM_DATE_ORDER_DAY_FIRST, "1987-08-30");
  /* Excel's fictitious 1900-02-29. */
  check ("60", CRM_DATE_ORDER_DAY_FIRST, NULL);
  check ("0", CRM_DATE_ORDER_DAY_FIRST, NULL);
  check ("9999999", CRM_DATE_ORDER_DAY_FIRST, NULL);
}

static void
test_rejected (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *date = NULL;

  check ("2023-02-29", CRM_DATE_ORDER_DAY_FIRST, NULL);
  check ("31/02/2024", CRM_DATE_ORDER_DAY_FIRST, NULL);
  check ("02/31/2024", CRM_DATE_ORDER_MONTH_FIRST, NULL);
  check ("2024-13-01", CRM_DATE_ORDER_DAY_FIRST, NULL);
  check ("2024/3", CRM_DATE_ORDER_DAY_FIRST, NULL);
  check ("1990", CRM_DATE_ORDER_DAY_FIRST, NULL);
  check ("yesterday", CRM_DATE_ORDER_DAY_FIRST, NULL);
  check ("2024-03/05", CRM_DATE_ORDER_DAY_FIRST, NULL);
  check ("", CRM_DATE_ORDER_DAY_FIRST, NULL);
  check ("03/05/24", CRM_DATE_ORDER_DAY_FIRST, NULL);

  g_assert_false (crm_date_parse ("31/02/2024", CRM_DATE_ORDER_DAY_FIRST, &date, &error));
  g_assert_cmpstr (error->message, ==, "“31/02/2024” is not a date that exists. Check the day and the month.");
  g_clear_error (&error);
  g_assert_false (crm_date_parse ("soon", CRM_DATE_ORDER_DAY_FIRST, &date, &error));
  g_assert_cmpstr (error->message, ==, "“soon” is not a date. Write it like 2024-03-05.");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/date-parse/forms", test_forms);
  g_test_add_func ("/date-parse/excel-serial", test_excel_serial);
  g_test_add_func ("/date-parse/rejected", test_rejected);

  return g_test_run ();
}
