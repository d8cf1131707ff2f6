/* crm-value.h: parsing and checking the text form of dates, money, emails and phone numbers */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each parser names @field in its error (CRM_STORE_ERROR_INVALID), so a
 * message can say "birthday: “2023-02-30” is not a date that exists". */

/* "2024-03-05" → itself; rejects other layouts and days that do not exist. */
gboolean  crm_value_parse_date       (const char  *field,
                                      const char  *text,
                                      char       **out_date,
                                      GError     **error);
/* ISO 8601 with or without zone (UTC assumed), or a bare date (midnight
 * UTC) → "2024-03-05T08:09:10Z". */
gboolean  crm_value_parse_timestamp  (const char  *field,
                                      const char  *text,
                                      char       **out_timestamp,
                                      GError     **error);
/* "1234.5", "1,234.50", "¥12" → minor units (123450, 123450, 1200).
 * Rejects more than two decimals, junk and values beyond ±9×10^16. */
gboolean  crm_value_parse_money      (const char  *field,
                                      const char  *text,
                                      gint64      *out_minor,
                                      GError     **error);
char     *crm_value_format_money     (gint64       minor);
gboolean  crm_value_parse_int        (const char  *field,
                                      const char  *text,
                                      gint64       min,
                                      gint64       max,
                                      gint64      *out_value,
                                      GError     **error);
gboolean  crm_value_parse_bool       (const char  *field,
                                      const char  *text,
                                      gboolean    *out_value,
                                      GError     **error);
/* Trims and checks the shape local@domain.tld. */
gboolean  crm_value_parse_email      (const char  *field,
                                      const char  *text,
                                      char       **out_email,
                                      GError     **error);
/* A phone number in E.164 ("+8613812345678"). Numbers without a country
 * code are read as Chinese: mobiles 1[3-9]x (11 digits) and landlines with
 * their area code (010-12345678). */
gboolean  crm_value_parse_phone      (const char  *field,
                                      const char  *text,
                                      char       **out_e164,
                                      GError     **error);
/* Splits a comma-separated list (also ，、; and newlines), trimming items and
 * dropping empty ones. */
GStrv     crm_value_split_list       (const char  *text);

G_END_DECLS
