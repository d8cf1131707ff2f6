/* crm-survey-invitation.h: a survey sent to one contact, with a one-time web-form token */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_SURVEY_INVITATION (crm_survey_invitation_get_type ())
G_DECLARE_FINAL_TYPE (CrmSurveyInvitation, crm_survey_invitation, CRM, SURVEY_INVITATION, CrmRecord)

CrmSurveyInvitation *crm_survey_invitation_new (void);

G_END_DECLS
