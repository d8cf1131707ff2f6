/* crm-date-parse.c: reading the dates people and spreadsheets write into YYYY-MM-DD */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "crm-date-parse.h"
#include "crm-import-error.h"

/* Excel's serial 2958465 is 9999-12-31, its last day. */
#define EXCEL_SERIAL_MAX 2958465

static gboolean
not_a_date (const char  *text,
            GError     **error)
{
  g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_INVALID_VALUE,
               _("“%s” is not a date. Write it like 2024-03-05."), text);
  return FALSE;
}

static gboolean
make_date (const char  *text,
           guint        year,
           guint        month,
           guint        day,
           char       **out_date,
           GError     **error)
{
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 ||
      !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_INVALID_VALUE,
                   _("“%s” is not a date that exists. Check the day and the month."), text);
      return FALSE;
    }
  *out_date = g_strdup_printf ("%04u-%02u-%02u", year, month, day);
  return TRUE;
}

/* Reads up to three runs of digits split by one kind of separator
 * (- / . or 年 月 日), ignoring a time part after a space or a T. */
static guint
split_numbers (const char *s,
               guint       numbers[3],
               guint       lengths[3],
               char       *out_separator)
{
  guint n = 0;
  char separator = 0;

  while (*s != '\0' && n < 3)
    {
      guint value = 0;
      guint length = 0;

      while (g_ascii_isdigit (*s))
        {
          if (length < 9)
            value = value * 10 + (guint) (*s - '0');
          length++;
          s++;
        }
      if (length == 0)
        return 0;
      numbers[n] = value;
      lengths[n] = length;
      n++;

      if (*s == '\0')
        break;
      if (g_str_has_prefix (s, "年") || g_str_has_prefix (s, "月"))
        {
          if (separator != 0 && separator != 'c')
            return 0;
          separator = 'c';
          s += strlen ("年");
        }
      else if (g_str_has_prefix (s, "日") || g_str_has_prefix (s, "号"))
        {
          s += strlen ("日");
          break;
        }
      else if (*s == '-' || *s == '/' || *s == '.')
        {
          if (separator != 0 && separator != *s)
            return 0;
          separator = *s;
          s++;
        }
      else if (*s == ' ' || *s == 'T')
        break;
      else
        return 0;
    }

  /* Whatever follows must look like a time of day, or nothing. */
  while (*s == ' ' || *s == 'T')
    s++;
  if (*s != '\0' && !(g_ascii_isdigit (s[0]) && (s[1] == ':' || (g_ascii_isdigit (s[1]) && s[2] == ':'))))
    return 0;

  *out_separator = separator;
  return n;
}

static gboolean
parse_excel_serial (const char  *text,
                    const char  *digits,
                    char       **out_date,
                    GError     **error)
{
  g_autoptr(GDate) date = NULL;
  guint64 serial;
  char *end = NULL;

  serial = g_ascii_strtoull (digits, &end, 10);
  if (*end == '.')
    {
      /* A fraction is the time of day. */
      end++;
      while (g_ascii_isdigit (*end))
        end++;
    }
  if (*end != '\0')
    return not_a_date (text, error);
  if (serial == 60)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_INVALID_VALUE,
                   _("“%s” is Excel’s 1900-02-29, a day that does not exist. Check the date."), text);
      return FALSE;
    }
  if (serial < 1 || serial > EXCEL_SERIAL_MAX)
    return not_a_date (text, error);

  /* Excel counts 1900-01-01 as day 1 and believes 1900 was a leap year,
   * so from day 61 on the count is one ahead. */
  date = g_date_new_dmy (31, G_DATE_DECEMBER, 1899);
  g_date_add_days (date, (guint) (serial >= 61 ? serial - 1 : serial));
  *out_date = g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date),
                               g_date_get_month (date), g_date_get_day (date));
  return TRUE;
}

gboolean
crm_date_parse (const char    *text,
                CrmDateOrder   order,
                char         **out_date,
                GError       **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  guint numbers[3] = { 0 };
  guint lengths[3] = { 0 };
  char separator = 0;
  guint n;
  gboolean all_digits = trimmed[0] != '\0';
  gboolean serial_like = trimmed[0] != '\0';

  g_return_val_if_fail (out_date != NULL, FALSE);

  for (const char *p = trimmed; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        all_digits = FALSE;
      if (!g_ascii_isdigit (*p) && *p != '.')
        serial_like = FALSE;
    }

  /* 20240305 */
  if (all_digits && strlen (trimmed) == 8)
    {
      guint v = (guint) atoi (trimmed);

      return make_date (trimmed, v / 10000, (v / 100) % 100, v % 100, out_date, error);
    }
  /* A year alone is too common in birthday columns to read as a serial. */
  if (all_digits && strlen (trimmed) == 4)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_INVALID_VALUE,
                   _("“%s” is only a year. Write the whole date, like 2024-03-05."), trimmed);
      return FALSE;
    }
  /* Serial day numbers: up to 7 digits, maybe a fraction (but not 2024.3.5). */
  if (serial_like && strchr (trimmed, '.') == strrchr (trimmed, '.') &&
      strcspn (trimmed, ".") <= 7 && trimmed[0] != '.')
    {
      if (all_digits || strchr (trimmed, '.') != NULL)
        return parse_excel_serial (trimmed, trimmed, out_date, error);
    }

  n = split_numbers (trimmed, numbers, lengths, &separator);
  if (n != 3)
    return not_a_date (trimmed, error);

  if (lengths[0] == 4 && lengths[1] <= 2 && lengths[2] <= 2)
    return make_date (trimmed, numbers[0], numbers[1], numbers[2], out_date, error);
  if (lengths[2] == 4 && lengths[0] <= 2 && lengths[1] <= 2 && separator != 'c')
    {
      if (order == CRM_DATE_ORDER_MONTH_FIRST)
        return make_date (trimmed, numbers[2], numbers[0], numbers[1], out_date, error);
      return make_date (trimmed, numbers[2], numbers[1], numbers[0], out_date, error);
    }
  return not_a_date (trimmed, error);
}

gboolean
crm_date_order_from_string (const char   *text,
                            CrmDateOrder *out_order)
{
  if (g_strcmp0 (text, "dmy") == 0 || g_strcmp0 (text, "day-first") == 0)
    *out_order = CRM_DATE_ORDER_DAY_FIRST;
  else if (g_strcmp0 (text, "mdy") == 0 || g_strcmp0 (text, "month-first") == 0)
    *out_order = CRM_DATE_ORDER_MONTH_FIRST;
  else
    return FALSE;
  return TRUE;
}
