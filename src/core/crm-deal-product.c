/* crm-deal-product.c: one product line of a deal: what, how many, at what unit price */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-deal-product.h"
#include "crm-store-error.h"

struct _CrmDealProduct
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmDealProduct, crm_deal_product, CRM_TYPE_RECORD)

/* Mirrors the deal_products table of migration 13 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "deal_id", CRM_COLUMN_REF, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "product", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 200 },
  { "quantity", CRM_COLUMN_INT, CRM_COLUMN_RANGE, "1", NULL, 1, 1000000000 },
  { "unit_price", CRM_COLUMN_MONEY, CRM_COLUMN_RANGE, "0", NULL, 0, CRM_DEAL_AMOUNT_MAX },
  { "position", CRM_COLUMN_INT, CRM_COLUMN_FLAGS_NONE, "0", NULL, 0, 0 },
};

gint64
crm_deal_product_line_total (gint64 quantity,
                             gint64 unit_price)
{
  if (quantity < 0 || unit_price < 0 ||
      (quantity > 0 && unit_price > CRM_DEAL_AMOUNT_MAX / quantity))
    return -1;
  return quantity * unit_price;
}

static gboolean
crm_deal_product_validate (CrmRecord  *record,
                           GError    **error)
{
  const char *product = crm_record_get_string (record, "product");
  g_autofree char *trimmed = g_strstrip (g_strdup (product != NULL ? product : ""));

  /* The table's CHECK would reject it too, but with no word of which line. */
  if (*trimmed == '\0')
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("A product line needs the name of the product."));
      return FALSE;
    }
  if (crm_deal_product_line_total (crm_record_get_int64 (record, "quantity"),
                                   crm_record_get_int64 (record, "unit_price")) < 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("The line “%s” comes to more than a deal can hold. Check its quantity and unit price."),
                   trimmed);
      return FALSE;
    }
  return TRUE;
}

static void
crm_deal_product_class_init (CrmDealProductClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "deal_products", columns, G_N_ELEMENTS (columns));
  record_class->validate = crm_deal_product_validate;
}

static void
crm_deal_product_init (CrmDealProduct *self)
{
}

CrmDealProduct *
crm_deal_product_new (void)
{
  return g_object_new (CRM_TYPE_DEAL_PRODUCT, NULL);
}
