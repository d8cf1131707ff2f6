/* crm-preferences-window.h: application preferences (appearance, sync server, backups, email) */
#pragma once

#include <adwaita.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_PREFERENCES_WINDOW (crm_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (CrmPreferencesWindow, crm_preferences_window, CRM, PREFERENCES_WINDOW, AdwPreferencesWindow)

CrmPreferencesWindow *crm_preferences_window_new (GSettings *settings);
/* The window's database, for its sync account (sign in, sign out). */
void                  crm_preferences_window_set_context (CrmPreferencesWindow *self,
                                                          CrmContext           *context);

G_END_DECLS
