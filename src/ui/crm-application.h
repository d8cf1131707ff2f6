/* crm-application.h: the AdwApplication: actions, windows, command line */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CRM_TYPE_APPLICATION (crm_application_get_type ())

G_DECLARE_FINAL_TYPE (CrmApplication, crm_application, CRM, APPLICATION, AdwApplication)

CrmApplication *crm_application_new          (void);
GSettings      *crm_application_get_settings (CrmApplication *self);
const char     *crm_application_get_db_path  (CrmApplication *self);

G_END_DECLS
