/* crm-customer-value.h: a customer's order value, purchase rate and lifetime value estimate (DESIGN.md §6) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Years a customer is expected to keep buying, for the CLV estimate. */
#define CRM_CLV_DEFAULT_LIFETIME_YEARS 3.0

typedef struct
{
  gint64 total;            /* minor units */
  gint64 orders;
  gint64 average_order;    /* minor units, 0 without orders */
  double orders_per_year;
  gint64 lifetime_value;   /* minor units */
} CrmCustomerValue;

/* CLV = average order value × purchases per year × @lifetime_years.
 * Purchases per year are counted from the first purchase to
 * @reference_date ("YYYY-MM-DD"), over at least one year so that a new
 * customer's single order does not read as a yearly habit. */
void crm_customer_value_compute (gint64             total,
                                 gint64             orders,
                                 const char        *first_purchase_at,
                                 const char        *reference_date,
                                 double             lifetime_years,
                                 CrmCustomerValue  *out);

G_END_DECLS
