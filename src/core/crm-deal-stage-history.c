/* crm-deal-stage-history.c: one move of a deal from one stage to another, as the store records it */

#include "config.h"

#include "crm-deal-stage-history.h"

struct _CrmDealStageHistory
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmDealStageHistory, crm_deal_stage_history, CRM_TYPE_RECORD)

/* Mirrors the deal_stage_history table of migration 1 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "deal_id", CRM_COLUMN_REF, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "from_stage_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "to_stage_id", CRM_COLUMN_REF, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "by_user_id", CRM_COLUMN_REF, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
};

static void
crm_deal_stage_history_class_init (CrmDealStageHistoryClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "deal_stage_history", columns, G_N_ELEMENTS (columns));
}

static void
crm_deal_stage_history_init (CrmDealStageHistory *self)
{
}
