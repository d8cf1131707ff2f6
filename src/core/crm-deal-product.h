/* crm-deal-product.h: one product line of a deal: what, how many, at what unit price */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_DEAL_PRODUCT (crm_deal_product_get_type ())
G_DECLARE_FINAL_TYPE (CrmDealProduct, crm_deal_product, CRM, DEAL_PRODUCT, CrmRecord)

/* The largest amount a deal holds (deals.amount), so also the largest
 * line total and sum of lines. */
#define CRM_DEAL_AMOUNT_MAX G_GINT64_CONSTANT (90000000000000000)

CrmDealProduct *crm_deal_product_new        (void);
/* quantity × unit_price, in minor units; -1 when it exceeds
 * CRM_DEAL_AMOUNT_MAX. */
gint64          crm_deal_product_line_total (gint64 quantity,
                                             gint64 unit_price);

G_END_DECLS
