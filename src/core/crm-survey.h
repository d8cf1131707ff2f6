/* crm-survey.h: a satisfaction survey (NPS, CSAT …) sent to contacts */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_SURVEY (crm_survey_get_type ())
G_DECLARE_FINAL_TYPE (CrmSurvey, crm_survey, CRM, SURVEY, CrmRecord)

CrmSurvey *crm_survey_new (void);

G_END_DECLS
