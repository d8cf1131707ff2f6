/* fuzz-value-parsers.c: the parsers of dates, money, amounts, phones,
 * emails and lists that every imported cell goes through */
#include "config.h"

#include <glib.h>

#include "crm-date-parse.h"
#include "crm-purchase-importer.h"
#include "crm-value.h"
#include "fuzz-target.h"

/* A parser either gives a value and no error, or an error and no value. */
#define CHECK_STRING(ok, out, error) \
  G_STMT_START { \
    if (ok) g_assert ((out) != NULL && (error) == NULL); \
    else g_assert ((out) == NULL && (error) != NULL); \
  } G_STMT_END

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  gint64 minor = 0, number = 0;
  gboolean flag = FALSE;
  const char *currency = NULL;

  for (CrmDateOrder order = CRM_DATE_ORDER_DAY_FIRST; order <= CRM_DATE_ORDER_MONTH_FIRST; order++)
    {
      g_autofree char *date = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok = crm_date_parse (text, order, &date, &error);

      CHECK_STRING (ok, date, error);
      /* Whatever the parser accepts, the store's strict date check accepts. */
      if (ok)
        {
          g_autofree char *again = NULL;
          g_autoptr(GError) strict_error = NULL;

          if (!crm_value_parse_date ("birthday", date, &again, &strict_error))
            g_error ("“%s” parsed to “%s”, which is not a date: %s", text, date, strict_error->message);
          g_assert_cmpstr (again, ==, date);
        }
    }

  {
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    gboolean ok = crm_value_parse_timestamp ("at", text, &out, &error);

    CHECK_STRING (ok, out, error);
  }
  {
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    gboolean ok = crm_value_parse_email ("email", text, &out, &error);

    CHECK_STRING (ok, out, error);
  }
  {
    g_autofree char *out = NULL;
    g_autoptr(GError) error = NULL;
    gboolean ok = crm_value_parse_phone ("phone", text, &out, &error);

    CHECK_STRING (ok, out, error);
    if (ok)
      g_assert (out[0] == '+');
  }
  {
    g_autoptr(GError) error = NULL;

    if (crm_value_parse_money ("amount", text, &minor, &error))
      {
        g_autofree char *formatted = crm_value_format_money (minor);
        gint64 again = 0;

        /* Money formats back into something it parses to the same value. */
        g_assert (crm_value_parse_money ("amount", formatted, &again, NULL));
        g_assert_cmpint (again, ==, minor);
      }
  }
  {
    g_autoptr(GError) error = NULL;

    crm_purchase_parse_amount (text, &minor, &currency, &error);
  }
  crm_value_parse_int ("count", text, -1000, 1000, &number, NULL);
  crm_value_parse_bool ("flag", text, &flag, NULL);
  g_strfreev (crm_value_split_list (text));
  return 0;
}
