/* crm-admin-page.h: the Administration page of the preferences: users, roles, teams, devices, reassignment */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_ADMIN_PAGE (crm_admin_page_get_type ())

G_DECLARE_FINAL_TYPE (CrmAdminPage, crm_admin_page, CRM, ADMIN_PAGE, AdwPreferencesPage)

CrmAdminPage *crm_admin_page_new          (void);
/* Loads the users from the account @context is signed in with. */
void          crm_admin_page_set_context  (CrmAdminPage *self,
                                           CrmContext   *context);
/* The users as last loaded (JSON objects of /v1/admin/users), or NULL. */
JsonArray    *crm_admin_page_get_users    (CrmAdminPage *self);
gboolean      crm_admin_page_is_loading   (CrmAdminPage *self);

G_END_DECLS
