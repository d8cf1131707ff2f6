/* crm-window.h: the main window: workspace sidebar, content, sync status */
#pragma once

#include <adwaita.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_WINDOW (crm_window_get_type ())

G_DECLARE_FINAL_TYPE (CrmWindow, crm_window, CRM, WINDOW, AdwApplicationWindow)

CrmWindow  *crm_window_new                   (AdwApplication *application,
                                              CrmContext     *context);
CrmContext *crm_window_get_context           (CrmWindow      *self);
const char *crm_window_get_visible_workspace (CrmWindow      *self);
void        crm_window_add_toast             (CrmWindow      *self,
                                              AdwToast       *toast);

void        crm_window_show_contact          (CrmWindow      *self,
                                              const char     *id);

G_END_DECLS
