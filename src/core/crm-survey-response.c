/* crm-survey-response.c: one person's answers to a survey, entered by staff, on paper or on the web */

#include "config.h"

#include "crm-survey-response.h"

struct _CrmSurveyResponse
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmSurveyResponse, crm_survey_response, CRM_TYPE_RECORD)

/* Mirrors the survey_responses table of migration 1 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "survey_id", CRM_COLUMN_REF, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "contact_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "channel", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "submitted_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
};

static void
crm_survey_response_class_init (CrmSurveyResponseClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "survey_responses", columns, G_N_ELEMENTS (columns));
}

static void
crm_survey_response_init (CrmSurveyResponse *self)
{
}

CrmSurveyResponse *
crm_survey_response_new (void)
{
  return g_object_new (CRM_TYPE_SURVEY_RESPONSE, NULL);
}
