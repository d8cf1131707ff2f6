/* crm-contact-purchases.h: a contact's purchases with totals, average order, frequency, RFM and CLV */
#pragma once

#include <adwaita.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CONTACT_PURCHASES (crm_contact_purchases_get_type ())
G_DECLARE_FINAL_TYPE (CrmContactPurchases, crm_contact_purchases, CRM, CONTACT_PURCHASES, GtkWidget)

void        crm_contact_purchases_set_store      (CrmContactPurchases *self,
                                                  CrmStore            *store);
void        crm_contact_purchases_set_contact_id (CrmContactPurchases *self,
                                                  const char          *contact_id);
/* The figure shown under @name ("total", "orders", "average", "per-year",
 * "last", "rfm", "segment", "clv"), for tests and accessibility. */
const char *crm_contact_purchases_get_figure     (CrmContactPurchases *self,
                                                  const char          *name);

G_END_DECLS
