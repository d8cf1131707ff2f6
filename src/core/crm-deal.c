/* crm-deal.c: a sales opportunity moving through the stages of a pipeline */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-deal.h"
#include "crm-store-error.h"

struct _CrmDeal
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmDeal, crm_deal, CRM_TYPE_RECORD)

/* Mirrors the deals table of migrations 1 and 4 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "contact_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "pipeline_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "stage_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "title", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "amount", CRM_COLUMN_MONEY, CRM_COLUMN_RANGE, "0", NULL, 0, G_GINT64_CONSTANT (90000000000000000) },
  { "currency", CRM_COLUMN_CURRENCY, CRM_COLUMN_REQUIRED, "CNY", NULL, 0, 0 },
  { "expected_close", CRM_COLUMN_DATE, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "closed_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "lost_reason", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "position", CRM_COLUMN_INT, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
  { "notes", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
};

static gboolean
crm_deal_validate (CrmRecord  *record,
                   GError    **error)
{
  if (crm_record_get_string (record, "stage_id") != NULL &&
      crm_record_get_string (record, "pipeline_id") == NULL)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("A deal with a stage needs its pipeline. Set pipeline_id."));
      return FALSE;
    }
  return TRUE;
}

static void
crm_deal_class_init (CrmDealClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "deals", columns, G_N_ELEMENTS (columns));
  record_class->validate = crm_deal_validate;
}

static void
crm_deal_init (CrmDeal *self)
{
}

CrmDeal *
crm_deal_new (void)
{
  return g_object_new (CRM_TYPE_DEAL, NULL);
}
