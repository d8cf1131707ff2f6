/* crm-pipeline.c: a named sales process whose stages deals move through */

#include "config.h"

#include "crm-pipeline.h"

struct _CrmPipeline
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmPipeline, crm_pipeline, CRM_TYPE_RECORD)

/* Mirrors the pipelines table of migrations 1 and 4 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "name", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "position", CRM_COLUMN_INT, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
  { "is_default", CRM_COLUMN_BOOL, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
  { "monthly_target", CRM_COLUMN_MONEY, CRM_COLUMN_RANGE, "0", NULL, 0, G_GINT64_CONSTANT (90000000000000000) },
};

static void
crm_pipeline_class_init (CrmPipelineClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "pipelines", columns, G_N_ELEMENTS (columns));
}

static void
crm_pipeline_init (CrmPipeline *self)
{
}

CrmPipeline *
crm_pipeline_new (void)
{
  return g_object_new (CRM_TYPE_PIPELINE, NULL);
}
