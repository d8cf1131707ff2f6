/* crm-store-error.c: turns SQLite result codes into errors a person can act on */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "crm-store-error.h"
#include "crm-store-private.h"

G_DEFINE_QUARK (crm-store-error-quark, crm_store_error)

CrmStoreError
crm_store_error_from_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      return CRM_STORE_ERROR_NOT_A_DATABASE;
    case SQLITE_CORRUPT:
      return CRM_STORE_ERROR_CORRUPT;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return CRM_STORE_ERROR_READ_ONLY;
    case SQLITE_FULL:
      return CRM_STORE_ERROR_DISK_FULL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return CRM_STORE_ERROR_BUSY;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return CRM_STORE_ERROR_INVALID;
    case SQLITE_NOTFOUND:
    default:
      return CRM_STORE_ERROR_FAILED;
    }
}

/* @path may be NULL when the caller does not know it. @detail is SQLite's own
 * message; it is kept at the end because it names the constraint or table
 * that failed, which helps whoever reads a bug report. */
void
crm_store_set_error (GError     **error,
                     int          rc,
                     const char  *path,
                     const char  *detail)
{
  CrmStoreError code = crm_store_error_from_sqlite (rc);
  const char *where = path != NULL ? path : _("the database");
  g_autofree char *message = NULL;

  switch (code)
    {
    case CRM_STORE_ERROR_NOT_A_DATABASE:
      message = g_strdup_printf (_("“%s” is not a CRM database (it is not an SQLite file). Choose the right file, or restore one from a backup."),
                                 where);
      break;
    case CRM_STORE_ERROR_CORRUPT:
      message = g_strdup_printf (_("The database “%s” is damaged. Restore it from a backup with “crmctl restore FILE”; the damaged file was left as it is."),
                                 where);
      break;
    case CRM_STORE_ERROR_READ_ONLY:
      message = g_strdup_printf (_("The database “%s” is read-only, so the change was not saved. Check the file's permissions and the disk, then try again."),
                                 where);
      break;
    case CRM_STORE_ERROR_DISK_FULL:
      message = g_strdup_printf (_("The disk holding “%s” is full, so the change was not saved (nothing was half-written). Free some space and try again."),
                                 where);
      break;
    case CRM_STORE_ERROR_BUSY:
      message = g_strdup_printf (_("The database “%s” is locked by another program. Close other CRM windows or crmctl commands and try again."),
                                 where);
      break;
    case CRM_STORE_ERROR_INVALID:
      message = g_strdup_printf (_("The change was rejected because a value breaks a rule of the database (%s). Correct the value and try again."),
                                 detail != NULL ? detail : sqlite3_errstr (rc));
      g_set_error_literal (error, CRM_STORE_ERROR, code, message);
      return;
    case CRM_STORE_ERROR_TOO_NEW:
    case CRM_STORE_ERROR_NOT_FOUND:
    case CRM_STORE_ERROR_FAILED:
    case CRM_STORE_ERROR_WRONG_PASSPHRASE:
    default:
      message = g_strdup_printf (_("The database “%s” could not be used. Try again; if it keeps happening, run “crmctl check”."),
                                 where);
      break;
    }

  if (detail != NULL && *detail != '\0')
    g_set_error (error, CRM_STORE_ERROR, code, "%s (%s)", message, detail);
  else
    g_set_error_literal (error, CRM_STORE_ERROR, code, message);
}
