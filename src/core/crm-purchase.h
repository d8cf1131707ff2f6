/* crm-purchase.h: one purchase of a contact: product, quantity, amount, when, where */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_PURCHASE (crm_purchase_get_type ())
G_DECLARE_FINAL_TYPE (CrmPurchase, crm_purchase, CRM, PURCHASE, CrmRecord)

CrmPurchase *crm_purchase_new (void);

G_END_DECLS
