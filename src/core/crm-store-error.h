/* crm-store-error.h: the error domain of the local store and what its codes mean */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CRM_STORE_ERROR (crm_store_error_quark ())

/**
 * CrmStoreError:
 * @CRM_STORE_ERROR_NOT_A_DATABASE: the file is not an SQLite database
 * @CRM_STORE_ERROR_CORRUPT: the database is damaged
 * @CRM_STORE_ERROR_TOO_NEW: the database was written by a newer CRM
 * @CRM_STORE_ERROR_READ_ONLY: the database cannot be written
 * @CRM_STORE_ERROR_DISK_FULL: the disk (or the database's size limit) is full
 * @CRM_STORE_ERROR_BUSY: another program holds the database locked
 * @CRM_STORE_ERROR_INVALID: a value or field was rejected
 * @CRM_STORE_ERROR_NOT_FOUND: no such record
 * @CRM_STORE_ERROR_FAILED: anything else
 * @CRM_STORE_ERROR_WRONG_PASSPHRASE: an encrypted backup's passphrase is missing or wrong
 */
typedef enum
{
  CRM_STORE_ERROR_NOT_A_DATABASE,
  CRM_STORE_ERROR_CORRUPT,
  CRM_STORE_ERROR_TOO_NEW,
  CRM_STORE_ERROR_READ_ONLY,
  CRM_STORE_ERROR_DISK_FULL,
  CRM_STORE_ERROR_BUSY,
  CRM_STORE_ERROR_INVALID,
  CRM_STORE_ERROR_NOT_FOUND,
  CRM_STORE_ERROR_FAILED,
  CRM_STORE_ERROR_WRONG_PASSPHRASE,
} CrmStoreError;

GQuark crm_store_error_quark (void);

G_END_DECLS
