/* crm-survey-invitation.c: a survey sent to one contact, with a one-time web-form token */

#include "config.h"

#include "crm-survey-invitation.h"

struct _CrmSurveyInvitation
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmSurveyInvitation, crm_survey_invitation, CRM_TYPE_RECORD)

static const char * const channels[] = { "email", "sms", "letter", "phone", "web", NULL };

/* Mirrors the survey_invitations table of migration 5 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "survey_id", CRM_COLUMN_REF, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "contact_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "channel", CRM_COLUMN_ENUM, CRM_COLUMN_REQUIRED, "email", channels, 0, 0 },
  { "expires_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "used_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "response_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
};

static void
crm_survey_invitation_class_init (CrmSurveyInvitationClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "survey_invitations", columns, G_N_ELEMENTS (columns));
}

static void
crm_survey_invitation_init (CrmSurveyInvitation *self)
{
}

CrmSurveyInvitation *
crm_survey_invitation_new (void)
{
  return g_object_new (CRM_TYPE_SURVEY_INVITATION, NULL);
}
