/* crm-deal-stage-history.h: one move of a deal from one stage to another, as the store records it */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_DEAL_STAGE_HISTORY (crm_deal_stage_history_get_type ())
G_DECLARE_FINAL_TYPE (CrmDealStageHistory, crm_deal_stage_history, CRM, DEAL_STAGE_HISTORY, CrmRecord)

/* Rows are written by the store when a deal changes stage
 * (crm_deal_move()); the class is for reading them, e.g. in a deal's
 * timeline. */

G_END_DECLS
