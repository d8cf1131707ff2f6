/* crm-survey-question.h: a question of a survey (NPS, CSAT, rating, choice or free text) */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_SURVEY_QUESTION (crm_survey_question_get_type ())
G_DECLARE_FINAL_TYPE (CrmSurveyQuestion, crm_survey_question, CRM, SURVEY_QUESTION, CrmRecord)

CrmSurveyQuestion *crm_survey_question_new (void);

G_END_DECLS
