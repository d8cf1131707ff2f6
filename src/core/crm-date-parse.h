/* crm-date-parse.h: reading the dates people and spreadsheets write into YYYY-MM-DD */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How to read 05/03/2024: 5 March (day first, as in China and Europe) or
 * May 3 (month first, as in the US). Year-first forms are never ambiguous. */
typedef enum
{
  CRM_DATE_ORDER_DAY_FIRST,
  CRM_DATE_ORDER_MONTH_FIRST,
} CrmDateOrder;

/* Accepts 2024-03-05, 2024/3/5, 2024.3.5, 20240305, 2024年3月5日,
 * 05/03/2024 (and 05-03-2024, 05.03.2024) in @order, a time after the
 * date (2024-03-05 14:30, 2024-03-05T14:30:00Z: the date is kept), and
 * Excel serial day numbers (45356, 45356.5) as Excel counts them, with
 * its fictitious 1900-02-29. Writes "YYYY-MM-DD" to @out_date. Days
 * that do not exist and unreadable text fail with
 * CRM_IMPORT_ERROR_INVALID_VALUE saying which. */
gboolean  crm_date_parse            (const char    *text,
                                     CrmDateOrder   order,
                                     char         **out_date,
                                     GError       **error);

/* "dmy"/"day-first" or "mdy"/"month-first". */
gboolean  crm_date_order_from_string (const char   *text,
                                      CrmDateOrder *out_order);

G_END_DECLS
