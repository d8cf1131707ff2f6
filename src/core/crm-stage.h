/* crm-stage.h: one ordered step of a sales pipeline, with its win probability */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_STAGE (crm_stage_get_type ())
G_DECLARE_FINAL_TYPE (CrmStage, crm_stage, CRM, STAGE, CrmRecord)

CrmStage *crm_stage_new (void);

G_END_DECLS
