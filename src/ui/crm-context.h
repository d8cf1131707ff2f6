/* crm-context.h: what a window works with: the store, settings and the sync controller */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"
#include "crm-sync-controller.h"

G_BEGIN_DECLS

#define CRM_TYPE_CONTEXT (crm_context_get_type ())

G_DECLARE_FINAL_TYPE (CrmContext, crm_context, CRM, CONTEXT, GObject)

CrmContext *crm_context_new          (CrmStore   *store,
                                      GSettings  *settings);
CrmContext *crm_context_open         (const char *db_path,
                                      GError    **error);
CrmStore   *crm_context_get_store    (CrmContext *self);
GSettings  *crm_context_get_settings (CrmContext *self);
/* When and how this window's database syncs; NOT_SET_UP without an account. */
CrmSyncController *crm_context_get_sync (CrmContext *self);
/* Starts syncing the account the database is bound to, with the token
 * kept for it (looked up in a thread); nothing when there is none. */
void        crm_context_resume_sync  (CrmContext *self);

G_END_DECLS
