/* crm-context.h: what a window works with: the store, settings, and (later) the sync engine and user */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CONTEXT (crm_context_get_type ())

G_DECLARE_FINAL_TYPE (CrmContext, crm_context, CRM, CONTEXT, GObject)

CrmContext *crm_context_new          (CrmStore   *store,
                                      GSettings  *settings);
CrmContext *crm_context_open         (const char *db_path,
                                      GError    **error);
CrmStore   *crm_context_get_store    (CrmContext *self);
GSettings  *crm_context_get_settings (CrmContext *self);

G_END_DECLS
