/* crm-customer-value.c: a customer's order value, purchase rate and lifetime value estimate (DESIGN.md §6) */

#include "config.h"

#include <math.h>
#include <stdio.h>

#include "crm-customer-value.h"

static GDate *
parse_day (const char *text)
{
  GDate *date;
  guint y, m, d;

  if (text == NULL || sscanf (text, "%4u-%2u-%2u", &y, &m, &d) != 3 ||
      !g_date_valid_dmy (d, m, y))
    return NULL;

  date = g_date_new_dmy (d, m, y);
  return date;
}

void
crm_customer_value_compute (gint64            total,
                            gint64            orders,
                            const char       *first_purchase_at,
                            const char       *reference_date,
                            double            lifetime_years,
                            CrmCustomerValue *out)
{
  g_autoptr(GDate) first = parse_day (first_purchase_at);
  g_autoptr(GDate) reference = parse_day (reference_date);
  double years = 1.0;

  g_return_if_fail (out != NULL);

  out->total = total;
  out->orders = orders;
  out->average_order = orders > 0 ? (gint64) llround ((double) total / (double) orders) : 0;
  out->orders_per_year = 0.0;
  out->lifetime_value = 0;

  if (orders <= 0)
    return;

  if (first != NULL && reference != NULL && g_date_compare (first, reference) < 0)
    years = MAX (1.0, g_date_days_between (first, reference) / 365.25);

  out->orders_per_year = (double) orders / years;
  out->lifetime_value = (gint64) llround ((double) out->average_order * out->orders_per_year * lifetime_years);
}
