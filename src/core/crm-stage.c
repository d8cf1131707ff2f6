/* crm-stage.c: one ordered step of a sales pipeline, with its win probability */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-stage.h"
#include "crm-store-error.h"

struct _CrmStage
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmStage, crm_stage, CRM_TYPE_RECORD)

/* Mirrors the stages table of migration 1 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "pipeline_id", CRM_COLUMN_REF, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "name", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "position", CRM_COLUMN_INT, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
  { "probability", CRM_COLUMN_INT, CRM_COLUMN_RANGE, "0", NULL, 0, 100 },
  { "is_won", CRM_COLUMN_BOOL, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
  { "is_lost", CRM_COLUMN_BOOL, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
};

static gboolean
crm_stage_validate (CrmRecord  *record,
                    GError    **error)
{
  /* A stage that is both won and lost would count a deal twice in the
   * conversion rate. */
  if (crm_record_get_boolean (record, "is_won") && crm_record_get_boolean (record, "is_lost"))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("A stage cannot be both won and lost. Clear one of the two."));
      return FALSE;
    }
  return TRUE;
}

static void
crm_stage_class_init (CrmStageClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "stages", columns, G_N_ELEMENTS (columns));
  record_class->validate = crm_stage_validate;
}

static void
crm_stage_init (CrmStage *self)
{
}

CrmStage *
crm_stage_new (void)
{
  return g_object_new (CRM_TYPE_STAGE, NULL);
}
