/* crm-audit-window.h: the audit log viewer: who changed what, when and where, before → after */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_AUDIT_WINDOW (crm_audit_window_get_type ())

G_DECLARE_FINAL_TYPE (CrmAuditWindow, crm_audit_window, CRM, AUDIT_WINDOW, AdwWindow)

/* Shows the server's log when it answers, this computer's own otherwise. */
CrmAuditWindow *crm_audit_window_new          (CrmContext     *context);
/* The entries shown (the server's shape, crm-admin-client.h). */
JsonArray      *crm_audit_window_get_entries  (CrmAuditWindow *self);
gboolean        crm_audit_window_is_loading   (CrmAuditWindow *self);
/* TRUE when the entries come from the server, FALSE from this computer. */
gboolean        crm_audit_window_is_online    (CrmAuditWindow *self);

G_END_DECLS
