/* crm-survey.c: a satisfaction survey (NPS, CSAT …) sent to contacts */

#include "config.h"

#include "crm-survey.h"

struct _CrmSurvey
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmSurvey, crm_survey, CRM_TYPE_RECORD)

static const char * const statuses[] = { "draft", "open", "closed", NULL };

/* Mirrors the surveys table of migration 1 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "title", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "description", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "status", CRM_COLUMN_ENUM, CRM_COLUMN_REQUIRED, "draft", statuses, 0, 0 },
  { "opens_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "closes_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
};

static void
crm_survey_class_init (CrmSurveyClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "surveys", columns, G_N_ELEMENTS (columns));
}

static void
crm_survey_init (CrmSurvey *self)
{
}

CrmSurvey *
crm_survey_new (void)
{
  return g_object_new (CRM_TYPE_SURVEY, NULL);
}
