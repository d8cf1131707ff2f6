/* crm-backup-group.h: the Backups group of the preferences: schedule, folder, back up now, restore */
#pragma once

#include <adwaita.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_BACKUP_GROUP (crm_backup_group_get_type ())

G_DECLARE_FINAL_TYPE (CrmBackupGroup, crm_backup_group, CRM, BACKUP_GROUP, AdwPreferencesGroup)

/* The database to back up and the settings it follows; set once. */
void crm_backup_group_set_context (CrmBackupGroup *self,
                                   CrmContext     *context);

G_END_DECLS
