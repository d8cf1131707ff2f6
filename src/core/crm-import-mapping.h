/* crm-import-mapping.h: which column of an imported file goes to which field, guessed from headers or saved as a template */
#pragma once

#include <glib-object.h>

#include "crm-date-parse.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_IMPORT_TARGET_CONTACTS,
  CRM_IMPORT_TARGET_PURCHASES,
} CrmImportTarget;

#define CRM_TYPE_IMPORT_MAPPING (crm_import_mapping_get_type ())
G_DECLARE_FINAL_TYPE (CrmImportMapping, crm_import_mapping, CRM, IMPORT_MAPPING, GObject)

CrmImportMapping   *crm_import_mapping_new              (CrmImportTarget    target);
/* A template saved by crm_import_mapping_save(): JSON
 * {"format": "crm-import-mapping", "version": 1, "target": "contacts",
 *  "date_order": "day-first", "columns": {"HEADER": "FIELD" or ""}}. */
CrmImportMapping   *crm_import_mapping_new_from_file    (const char        *path,
                                                         GError           **error);
gboolean            crm_import_mapping_save             (CrmImportMapping  *self,
                                                         const char        *path,
                                                         GError           **error);

CrmImportTarget     crm_import_mapping_get_target       (CrmImportMapping  *self);
CrmDateOrder        crm_import_mapping_get_date_order   (CrmImportMapping  *self);
void                crm_import_mapping_set_date_order   (CrmImportMapping  *self,
                                                         CrmDateOrder       order);

/* A template entry: the column headed @header goes to @field, or is
 * ignored when @field is NULL or "". Fails with CRM_IMPORT_ERROR_MAPPING
 * when @field is not one of crm_import_mapping_list_fields(). */
gboolean            crm_import_mapping_set_header       (CrmImportMapping  *self,
                                                         const char        *header,
                                                         const char        *field,
                                                         GError           **error);

/* Decides the field of every column of a file with these @headers: the
 * template's entry if it has one, else what the header means (Chinese or
 * English synonyms, case, spaces and "(必填)" ignored). Fails when two
 * columns go to a field that takes one value (name, birthday, …). */
gboolean            crm_import_mapping_resolve          (CrmImportMapping  *self,
                                                         const char * const *headers,
                                                         guint              n_headers,
                                                         GError           **error);
guint               crm_import_mapping_get_n_columns    (CrmImportMapping  *self);
const char         *crm_import_mapping_get_header       (CrmImportMapping  *self,
                                                         guint              column);
/* NULL: the column is ignored. */
const char         *crm_import_mapping_get_field        (CrmImportMapping  *self,
                                                         guint              column);
/* Changes one resolved column (and the template entry of its header). */
gboolean            crm_import_mapping_set_field        (CrmImportMapping  *self,
                                                         guint              column,
                                                         const char        *field,
                                                         GError           **error);
/* The column mapped to @field, or -1. */
int                 crm_import_mapping_find_field       (CrmImportMapping  *self,
                                                         const char        *field);

/* The fields a column can go to, and their translated names. */
const char * const *crm_import_mapping_list_fields      (CrmImportTarget    target);
const char         *crm_import_field_get_label          (const char        *field);
/* TRUE for fields several columns may fill (phone, email, tags, notes). */
gboolean            crm_import_field_is_multiple        (const char        *field);
/* What a header means, or NULL when it is not recognised. */
const char         *crm_import_field_for_header         (CrmImportTarget    target,
                                                         const char        *header);

G_END_DECLS
