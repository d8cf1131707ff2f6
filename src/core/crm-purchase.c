/* crm-purchase.c: one purchase of a contact: product, quantity, amount, when, where */

#include "config.h"

#include "crm-purchase.h"

struct _CrmPurchase
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmPurchase, crm_purchase, CRM_TYPE_RECORD)

/* Mirrors the purchases table of migration 1 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "contact_id", CRM_COLUMN_REF, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "product", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "category", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "quantity", CRM_COLUMN_INT, CRM_COLUMN_RANGE, "1", NULL, 1, 1000000000 },
  { "amount", CRM_COLUMN_MONEY, CRM_COLUMN_RANGE, "0", NULL, 0, G_GINT64_CONSTANT (90000000000000000) },
  { "currency", CRM_COLUMN_CURRENCY, CRM_COLUMN_REQUIRED, "CNY", NULL, 0, 0 },
  { "purchased_at", CRM_COLUMN_TIMESTAMP, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "channel", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "order_ref", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
};

static void
crm_purchase_class_init (CrmPurchaseClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "purchases", columns, G_N_ELEMENTS (columns));
}

static void
crm_purchase_init (CrmPurchase *self)
{
}

CrmPurchase *
crm_purchase_new (void)
{
  return g_object_new (CRM_TYPE_PURCHASE, NULL);
}
