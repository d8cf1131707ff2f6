/* crm-campaign.h: a mailing, SMS, letter or call campaign to a segment */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_CAMPAIGN (crm_campaign_get_type ())
G_DECLARE_FINAL_TYPE (CrmCampaign, crm_campaign, CRM, CAMPAIGN, CrmRecord)

CrmCampaign *crm_campaign_new (void);

G_END_DECLS
