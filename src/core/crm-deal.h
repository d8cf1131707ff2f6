/* crm-deal.h: a sales opportunity moving through the stages of a pipeline */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_DEAL (crm_deal_get_type ())
G_DECLARE_FINAL_TYPE (CrmDeal, crm_deal, CRM, DEAL, CrmRecord)

CrmDeal *crm_deal_new (void);

G_END_DECLS
