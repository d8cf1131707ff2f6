/* crm-conflicts-window.h: sync conflicts with both values, who and when; keep mine / keep theirs, restore a deleted row */
#pragma once

#include <adwaita.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_CONFLICTS_WINDOW (crm_conflicts_window_get_type ())
G_DECLARE_FINAL_TYPE (CrmConflictsWindow, crm_conflicts_window, CRM, CONFLICTS_WINDOW, AdwWindow)

CrmConflictsWindow *crm_conflicts_window_new             (CrmContext         *context);
guint               crm_conflicts_window_get_n_conflicts (CrmConflictsWindow *self);

G_END_DECLS
