/* crm-import-error.h: the error domain of import, export, dedupe and merge */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CRM_IMPORT_ERROR (crm_import_error_quark ())

/**
 * CrmImportError:
 * @CRM_IMPORT_ERROR_ENCODING: the bytes are not valid text in the file's encoding
 * @CRM_IMPORT_ERROR_FIELD_TOO_LONG: a CSV field is longer than the limit
 * @CRM_IMPORT_ERROR_TOO_MANY_FIELDS: a CSV row has more fields than the limit
 * @CRM_IMPORT_ERROR_UNTERMINATED_QUOTE: a quoted CSV field is never closed
 * @CRM_IMPORT_ERROR_EMPTY: the file has no header row or no cards
 * @CRM_IMPORT_ERROR_MAPPING: a column mapping or template is unusable
 * @CRM_IMPORT_ERROR_INVALID_VALUE: a value cannot be read (a date, an amount)
 * @CRM_IMPORT_ERROR_FORMAT: the file is not in the format it claims (vCard)
 * @CRM_IMPORT_ERROR_NOT_FOUND: no such import run or merge
 * @CRM_IMPORT_ERROR_ALREADY_UNDONE: the import run or merge was already undone
 * @CRM_IMPORT_ERROR_FAILED: anything else
 *
 * Row-level codes (ENCODING, FIELD_TOO_LONG, TOO_MANY_FIELDS,
 * INVALID_VALUE) are reported per row and never stop an import.
 */
typedef enum
{
  CRM_IMPORT_ERROR_ENCODING,
  CRM_IMPORT_ERROR_FIELD_TOO_LONG,
  CRM_IMPORT_ERROR_TOO_MANY_FIELDS,
  CRM_IMPORT_ERROR_UNTERMINATED_QUOTE,
  CRM_IMPORT_ERROR_EMPTY,
  CRM_IMPORT_ERROR_MAPPING,
  CRM_IMPORT_ERROR_INVALID_VALUE,
  CRM_IMPORT_ERROR_FORMAT,
  CRM_IMPORT_ERROR_NOT_FOUND,
  CRM_IMPORT_ERROR_ALREADY_UNDONE,
  CRM_IMPORT_ERROR_FAILED,
} CrmImportError;

GQuark crm_import_error_quark (void);

G_END_DECLS
