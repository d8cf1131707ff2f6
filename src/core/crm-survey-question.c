/* crm-survey-question.c: a question of a survey (NPS, CSAT, rating, choice or free text) */

#include "config.h"

#include "crm-survey-question.h"

struct _CrmSurveyQuestion
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmSurveyQuestion, crm_survey_question, CRM_TYPE_RECORD)

static const char * const kinds[] = { "nps", "csat", "rating", "single", "multi", "text", NULL };

/* Mirrors the survey_questions table of migration 1 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "survey_id", CRM_COLUMN_REF, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "position", CRM_COLUMN_INT, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
  { "kind", CRM_COLUMN_ENUM, CRM_COLUMN_REQUIRED, NULL, kinds, 0, 0 },
  { "text", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "options", CRM_COLUMN_JSON, CRM_COLUMN_REQUIRED, "[]", NULL, 0, 0 },
  { "required", CRM_COLUMN_BOOL, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
};

static void
crm_survey_question_class_init (CrmSurveyQuestionClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "survey_questions", columns, G_N_ELEMENTS (columns));
}

static void
crm_survey_question_init (CrmSurveyQuestion *self)
{
}

CrmSurveyQuestion *
crm_survey_question_new (void)
{
  return g_object_new (CRM_TYPE_SURVEY_QUESTION, NULL);
}
