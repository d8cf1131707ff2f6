/* crm-value.c: strict parsers for the text form of field values, shared by crmctl, import and the UI */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-store-error.h"
#include "crm-value.h"

/* Money beyond this many minor units is refused: it leaves room to sum
 * millions of purchases in an int64 without overflow. */
#define MONEY_LIMIT G_GINT64_CONSTANT (90000000000000000)

gboolean
crm_value_parse_date (const char  *field,
                      const char  *text,
                      char       **out_date,
                      GError     **error)
{
  guint year = 0, month = 0, day = 0;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    goto bad_layout;
  for (guint i = 0; i < 10; i++)
    {
      if (i == 4 || i == 7)
        continue;
      if (!g_ascii_isdigit (text[i]))
        goto bad_layout;
    }
  year = (guint) g_ascii_strtoull (text, NULL, 10);
  month = (guint) g_ascii_strtoull (text + 5, NULL, 10);
  day = (guint) g_ascii_strtoull (text + 8, NULL, 10);

  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("%s: the date “%s” does not exist. Check the day and month."),
                   field, text);
      return FALSE;
    }

  *out_date = g_strdup (text);
  return TRUE;

bad_layout:
  g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
               _("%s: “%s” is not a date. Write it as YYYY-MM-DD, for example 2024-03-05."),
               field, text != NULL ? text : "");
  return FALSE;
}

gboolean
crm_value_parse_timestamp (const char  *field,
                           const char  *text,
                           char       **out_timestamp,
                           GError     **error)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) dt_utc = NULL;
  g_autofree char *date = NULL;

  if (text != NULL && strlen (text) == 10)
    {
      if (!crm_value_parse_date (field, text, &date, error))
        return FALSE;
      *out_timestamp = g_strconcat (date, "T00:00:00Z", NULL);
      return TRUE;
    }

  if (text != NULL)
    {
      g_autofree char *copy = g_strdup (text);

      /* "2024-03-05 08:00" as spreadsheets write it. */
      if (strlen (copy) > 10 && copy[10] == ' ')
        copy[10] = 'T';
      /* "…T08:30" without seconds, which GLib's parser wants. */
      if (strlen (copy) == 16 && copy[13] == ':')
        {
          g_autofree char *with_seconds = g_strconcat (copy, ":00", NULL);

          dt = g_date_time_new_from_iso8601 (with_seconds, utc);
        }
      else
        dt = g_date_time_new_from_iso8601 (copy, utc);
    }
  if (dt == NULL)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("%s: “%s” is not a date and time. Write it as YYYY-MM-DDTHH:MM:SSZ, for example 2024-03-05T08:30:00Z."),
                   field, text != NULL ? text : "");
      return FALSE;
    }

  dt_utc = g_date_time_to_utc (dt);
  *out_timestamp = g_date_time_format (dt_utc, "%Y-%m-%dT%H:%M:%SZ");
  return TRUE;
}

gboolean
crm_value_parse_money (const char  *field,
                       const char  *text,
                       gint64      *out_minor,
                       GError     **error)
{
  const char *p = text;
  gboolean negative = FALSE;
  gboolean any_digit = FALSE;
  guint64 units = 0;
  guint decimals = 0;
  gboolean in_fraction = FALSE;

  if (p == NULL)
    p = "";
  while (g_ascii_isspace (*p))
    p++;
  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  /* Currency signs people paste from spreadsheets. */
  if (g_str_has_prefix (p, "¥"))
    p += strlen ("¥");
  else if (g_str_has_prefix (p, "￥"))
    p += strlen ("￥");
  else if (*p == '$')
    p++;

  for (; *p != '\0' && !g_ascii_isspace (*p); p++)
    {
      if (g_ascii_isdigit (*p))
        {
          if (in_fraction && ++decimals > 2)
            {
              g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("%s: “%s” has more than two decimals. Round it to cents (fen)."),
                           field, text);
              return FALSE;
            }
          units = units * 10 + (guint64) (*p - '0');
          any_digit = TRUE;
          if (units > (guint64) MONEY_LIMIT * 100)
            goto overflow;
        }
      else if (*p == '.' && !in_fraction)
        in_fraction = TRUE;
      else if (*p == ',' && !in_fraction)
        continue;
      else
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                       _("%s: “%s” is not an amount. Write it like 1234.50."),
                       field, text);
          return FALSE;
        }
    }
  while (g_ascii_isspace (*p))
    p++;
  if (!any_digit || *p != '\0')
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("%s: “%s” is not an amount. Write it like 1234.50."),
                   field, text);
      return FALSE;
    }

  for (; decimals < 2; decimals++)
    units *= 10;
  if (units > (guint64) MONEY_LIMIT)
    goto overflow;

  *out_minor = negative ? -(gint64) units : (gint64) units;
  return TRUE;

overflow:
  g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
               _("%s: the amount “%s” is too large to store. Check for extra digits."),
               field, text);
  return FALSE;
}

char *
crm_value_format_money (gint64 minor)
{
  guint64 abs_value = minor < 0 ? (guint64) -(minor + 1) + 1 : (guint64) minor;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u", minor < 0 ? "-" : "",
                          abs_value / 100, (guint) (abs_value % 100));
}

gboolean
crm_value_parse_int (const char  *field,
                     const char  *text,
                     gint64       min,
                     gint64       max,
                     gint64      *out_value,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (!g_ascii_string_to_signed (trimmed, 10, G_MININT64, G_MAXINT64, out_value, &local_error))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("%s: “%s” is not a whole number."), field, trimmed);
      return FALSE;
    }
  if (*out_value < min || *out_value > max)
    {
      if (min == 0 && *out_value < 0)
        g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                     _("%s: %s is negative; it must be 0 or more."), field, trimmed);
      else
        g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                     _("%s: %s is out of range; it must be between %" PRId64 " and %" PRId64 "."),
                     field, trimmed, min, max);
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_value_parse_bool (const char  *field,
                      const char  *text,
                      gboolean    *out_value,
                      GError     **error)
{
  static const char * const yes[] = { "1", "true", "yes", "y", "on", "是", NULL };
  static const char * const no[] = { "0", "false", "no", "n", "off", "否", NULL };
  g_autofree char *lower = g_ascii_strdown (text != NULL ? text : "", -1);

  g_strstrip (lower);
  if (g_strv_contains (yes, lower))
    *out_value = TRUE;
  else if (g_strv_contains (no, lower))
    *out_value = FALSE;
  else
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("%s: “%s” is not yes or no. Use true or false."), field, text);
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_value_parse_email (const char  *field,
                       const char  *text,
                       char       **out_email,
                       GError     **error)
{
  g_autofree char *email = g_strstrip (g_strdup (text != NULL ? text : ""));
  const char *at = strchr (email, '@');
  const char *dot;
  gboolean ok = TRUE;

  if (at == NULL || at == email || strchr (at + 1, '@') != NULL)
    ok = FALSE;
  else
    {
      dot = strrchr (at + 1, '.');
      if (dot == NULL || dot == at + 1 || dot[1] == '\0' || strstr (at, "..") != NULL)
        ok = FALSE;
    }
  for (const char *p = email; ok && *p; p++)
    if (g_ascii_isspace (*p) || *p == ',' || *p == ';' || *p == '<' || *p == '>' ||
        *p == '"' || *p == '(' || *p == ')' || *p == '[' || *p == ']' || *p == '\\')
      ok = FALSE;

  if (!ok)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("%s: “%s” is not an email address. Write it like name@example.com."),
                   field, email);
      return FALSE;
    }

  /* The domain part is case-insensitive; lowercase it so duplicates match. */
  {
    g_autofree char *domain = g_ascii_strdown (at + 1, -1);

    *out_email = g_strdup_printf ("%.*s@%s", (int) (at - email), email, domain);
  }
  return TRUE;
}

gboolean
crm_value_parse_phone (const char  *field,
                       const char  *text,
                       char       **out_e164,
                       GError     **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  const char *p = text != NULL ? text : "";
  gboolean plus = FALSE;
  const char *d;
  gsize n;

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '+')
    {
      plus = TRUE;
      p++;
    }
  else if (g_str_has_prefix (p, "＋"))
    {
      plus = TRUE;
      p += strlen ("＋");
    }
  for (; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (!strchr (" -.()/", *p))
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                       _("%s: “%s” is not a phone number; it may contain only digits, spaces, dashes, brackets and a leading +."),
                       field, text);
          return FALSE;
        }
    }

  d = digits->str;
  n = digits->len;
  if (!plus && g_str_has_prefix (d, "00"))
    {
      plus = TRUE;
      d += 2;
      n -= 2;
    }

  if (plus)
    {
      /* E.164: country code plus national number, 15 digits at most. */
      if (n < 8 || n > 15 || d[0] == '0')
        goto invalid;
      /* A Chinese mobile (+86 1[3-9]…) has 11 digits; +86 10 is
       * Beijing's area code, a landline. */
      if (g_str_has_prefix (d, "86") && n >= 4 && d[2] == '1' && d[3] >= '3' && d[3] <= '9' && n != 13)
        goto invalid;
      *out_e164 = g_strconcat ("+", d, NULL);
      return TRUE;
    }

  /* Chinese mobile: 1[3-9] and 11 digits. */
  if (n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9')
    {
      *out_e164 = g_strconcat ("+86", d, NULL);
      return TRUE;
    }
  /* 86 + mobile typed without the plus. */
  if (n == 13 && g_str_has_prefix (d, "861") && d[3] >= '3' && d[3] <= '9')
    {
      *out_e164 = g_strconcat ("+", d, NULL);
      return TRUE;
    }
  /* Landline with trunk prefix and area code: 0 + 2–3 digit area + 7–8 digits. */
  if (n >= 10 && n <= 12 && d[0] == '0' && d[1] != '0')
    {
      *out_e164 = g_strconcat ("+86", d + 1, NULL);
      return TRUE;
    }
  if (n >= 7 && n <= 8)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("%s: “%s” has no area code. Write it with one, like 010-12345678, or with the country code, like +86 10 1234 5678."),
                   field, text);
      return FALSE;
    }

invalid:
  g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
               _("%s: “%s” is not a valid phone number. Write a Chinese mobile as 13812345678, other numbers with their country code, like +44 20 7946 0958."),
               field, text);
  return FALSE;
}

GStrv
crm_value_split_list (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) s = g_string_new (text != NULL ? text : "");
  g_auto(GStrv) parts = NULL;

  /* Chinese punctuation is what people type between items. */
  g_string_replace (s, "，", ",", 0);
  g_string_replace (s, "、", ",", 0);
  g_string_replace (s, "；", ",", 0);
  g_string_replace (s, ";", ",", 0);
  g_string_replace (s, "\n", ",", 0);

  parts = g_strsplit (s->str, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}
