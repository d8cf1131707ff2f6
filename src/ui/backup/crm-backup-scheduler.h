/* crm-backup-scheduler.h: the daily backup, made in a thread while the app runs */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRM_TYPE_BACKUP_SCHEDULER (crm_backup_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (CrmBackupScheduler, crm_backup_scheduler, CRM, BACKUP_SCHEDULER, GObject)

/* Checks soon after start and then every hour whether the newest backup in
 * the folder is a day old, following the backup-* settings. Emits `failed`
 * with a message when a backup could not be written. */
CrmBackupScheduler *crm_backup_scheduler_new        (const char *db_path,
                                                     GSettings  *settings);
/* The folder backups go to: backup-folder, or $XDG_DATA_HOME/crm/backups. */
char               *crm_backup_scheduler_dup_folder (GSettings  *settings);

G_END_DECLS
