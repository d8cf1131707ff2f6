/* crm-backup.h: backups of the local database, plain or passphrase-encrypted, kept in rotation */
#pragma once

#include "crm-store.h"

G_BEGIN_DECLS

/* File names of rotated backups: crm-YYYYMMDD-HHMMSS.crmbackup */
#define CRM_BACKUP_SUFFIX ".crmbackup"

/* A consistent copy of @store at @dest_path (0600). With a @passphrase the
 * copy is encrypted; the plain copy exists only for the time it takes, mode
 * 0600 beside @dest_path, and is removed whatever happens. */
gboolean crm_backup_write          (CrmStore     *store,
                                    const char   *dest_path,
                                    const char   *passphrase,
                                    GError      **error);

/* crm_store_restore() for a plain or an encrypted backup (@passphrase may
 * be NULL for a plain one). A wrong passphrase or a damaged file fails
 * before the database is touched. */
gboolean crm_backup_restore        (CrmStore     *store,
                                    const char   *source_path,
                                    const char   *passphrase,
                                    GError      **error);
/* The same for a database that cannot be opened, by path. */
gboolean crm_backup_restore_file   (const char   *db_path,
                                    const char   *source_path,
                                    const char   *passphrase,
                                    GError      **error);

/* Writes a new backup named after @now into @dir (created 0700 if needed),
 * then removes the oldest of the rotated backups there beyond @keep (files
 * that are not rotated backups are never touched). Returns the new path. */
char    *crm_backup_rotate         (CrmStore     *store,
                                    const char   *dir,
                                    guint         keep,
                                    const char   *passphrase,
                                    GDateTime    *now,
                                    GError      **error);

/* The newest rotated backup in @dir, or NULL when there is none. */
char    *crm_backup_find_latest    (const char   *dir);

G_END_DECLS
