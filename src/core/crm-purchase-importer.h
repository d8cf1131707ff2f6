/* crm-purchase-importer.h: importing purchase records from CSV, matched to contacts by email, phone or external id */
#pragma once

#include <gio/gio.h>

#include "crm-import-mapping.h"
#include "crm-import-run.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_PURCHASE_IMPORTER (crm_purchase_importer_get_type ())
G_DECLARE_FINAL_TYPE (CrmPurchaseImporter, crm_purchase_importer, CRM, PURCHASE_IMPORTER, GObject)

CrmPurchaseImporter *crm_purchase_importer_new             (CrmStore              *store);
void                 crm_purchase_importer_set_dry_run     (CrmPurchaseImporter   *self,
                                                            gboolean               dry_run);
/* Rows whose contact is unknown create one (named by the name column,
 * else the email or phone) instead of being reported. */
void                 crm_purchase_importer_set_create_missing (CrmPurchaseImporter *self,
                                                            gboolean               create_missing);
void                 crm_purchase_importer_set_mapping     (CrmPurchaseImporter   *self,
                                                            CrmImportMapping      *mapping);
void                 crm_purchase_importer_set_encoding    (CrmPurchaseImporter   *self,
                                                            const char            *encoding);
void                 crm_purchase_importer_set_errors_path (CrmPurchaseImporter   *self,
                                                            const char            *path);
void                 crm_purchase_importer_set_chunk_size  (CrmPurchaseImporter   *self,
                                                            guint                  rows);

/* As crm_contact_importer_run(). A row with an order number the contact
 * already has is skipped, so importing the same export twice adds
 * nothing. */
gboolean             crm_purchase_importer_run             (CrmPurchaseImporter   *self,
                                                            const char            *path,
                                                            GCancellable          *cancellable,
                                                            CrmImportProgressFunc  progress,
                                                            gpointer               user_data,
                                                            GError               **error);
CrmImportRun        *crm_purchase_importer_get_run         (CrmPurchaseImporter   *self);

/* "¥1,234.50", "1.234,50 €", "RMB 99", "12,5" → minor units and, when a
 * symbol says so, the currency (NULL otherwise). */
gboolean             crm_purchase_parse_amount             (const char            *text,
                                                            gint64                *out_minor,
                                                            const char           **out_currency,
                                                            GError               **error);

G_END_DECLS
