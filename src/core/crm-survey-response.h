/* crm-survey-response.h: one person's answers to a survey, entered by staff, on paper or on the web */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_SURVEY_RESPONSE (crm_survey_response_get_type ())
G_DECLARE_FINAL_TYPE (CrmSurveyResponse, crm_survey_response, CRM, SURVEY_RESPONSE, CrmRecord)

CrmSurveyResponse *crm_survey_response_new (void);

G_END_DECLS
