/* crm-contact-importer.h: importing contacts from CSV or vCard files, with dedupe, dry run and undo */
#pragma once

#include <gio/gio.h>

#include "crm-import-mapping.h"
#include "crm-import-run.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* Which field identifies the contact a row updates (--update-by). */
typedef enum
{
  CRM_IMPORT_KEY_NONE,
  CRM_IMPORT_KEY_EMAIL,
  CRM_IMPORT_KEY_PHONE,
  CRM_IMPORT_KEY_EXTERNAL_ID,
} CrmImportKey;

/* What to do with a row whose phone or email a contact already has,
 * when it is not updated by key. */
typedef enum
{
  CRM_IMPORT_DUPLICATES_MERGE,    /* fill the contact's empty fields, add new phones, emails, tags */
  CRM_IMPORT_DUPLICATES_SKIP,     /* leave the contact alone; the row is skipped */
  CRM_IMPORT_DUPLICATES_CREATE,   /* create another contact anyway */
} CrmImportDuplicates;

#define CRM_TYPE_CONTACT_IMPORTER (crm_contact_importer_get_type ())
G_DECLARE_FINAL_TYPE (CrmContactImporter, crm_contact_importer, CRM, CONTACT_IMPORTER, GObject)

#define CRM_IMPORT_DEFAULT_CHUNK_SIZE 2000

CrmContactImporter *crm_contact_importer_new            (CrmStore             *store);

/* Everything is done as for real, inside a transaction that is rolled
 * back, so the counts and problems are exact and nothing is written. */
void                crm_contact_importer_set_dry_run    (CrmContactImporter   *self,
                                                         gboolean              dry_run);
void                crm_contact_importer_set_update_by  (CrmContactImporter   *self,
                                                         CrmImportKey          key);
void                crm_contact_importer_set_duplicates (CrmContactImporter   *self,
                                                         CrmImportDuplicates   duplicates);
/* A template (crm_import_mapping_new_from_file()); without one, headers
 * are recognised by their names. */
void                crm_contact_importer_set_mapping    (CrmContactImporter   *self,
                                                         CrmImportMapping     *mapping);
void                crm_contact_importer_set_date_order (CrmContactImporter   *self,
                                                         CrmDateOrder          order);
/* NULL or "auto" to detect it. */
void                crm_contact_importer_set_encoding   (CrmContactImporter   *self,
                                                         const char           *encoding);
void                crm_contact_importer_set_errors_path (CrmContactImporter  *self,
                                                         const char           *path);
/* Rows per transaction; Cancel rolls back only the current chunk. */
void                crm_contact_importer_set_chunk_size (CrmContactImporter   *self,
                                                         guint                 rows);

/* Imports @path: CSV (any encoding crm-csv-reader reads) or vCard (by
 * the .vcf extension or BEGIN:VCARD at the start). Returns FALSE only
 * when the import as a whole could not go on (unreadable file, unusable
 * mapping, disk full, cancelled): bad rows are problems, not failures.
 * The run's summary and problems are there either way; on cancel, the
 * chunks committed before stay (and can be undone with the run). */
gboolean            crm_contact_importer_run            (CrmContactImporter   *self,
                                                         const char           *path,
                                                         GCancellable         *cancellable,
                                                         CrmImportProgressFunc progress,
                                                         gpointer              user_data,
                                                         GError              **error);

CrmImportRun       *crm_contact_importer_get_run        (CrmContactImporter   *self);
/* The mapping the file's headers resolved to (CSV only). */
CrmImportMapping   *crm_contact_importer_get_mapping    (CrmContactImporter   *self);
/* "UTF-8", "GB18030", …; "vCard" files report their format here. */
const char         *crm_contact_importer_get_encoding   (CrmContactImporter   *self);

gboolean            crm_import_key_from_string          (const char           *text,
                                                         CrmImportKey         *out_key);
gboolean            crm_import_duplicates_from_string   (const char           *text,
                                                         CrmImportDuplicates  *out_duplicates);

G_END_DECLS
