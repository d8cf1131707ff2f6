/* crm-server-admin.h: team administration and the audit log of crm-server, for its commands and handlers */
#pragma once

#include <stdio.h>

#include "crm-server.h"

G_BEGIN_DECLS

/* Users, by name (CrmServerUser). */
GPtrArray *crm_server_admin_list_users    (CrmServer   *self,
                                           GError     **error);
/* Each looks the user up by name or id; G_IO_ERROR_NOT_FOUND if none. */
gboolean   crm_server_admin_set_disabled  (CrmServer   *self,
                                           const char  *user,
                                           gboolean     disabled,
                                           GError     **error);
/* Also revokes every sign-in of the user. */
gboolean   crm_server_admin_set_password  (CrmServer   *self,
                                           const char  *user,
                                           const char  *password,
                                           GError     **error);
gboolean   crm_server_admin_set_role      (CrmServer   *self,
                                           const char  *user,
                                           const char  *role,
                                           GError     **error);
/* @team: NULL or "" for none. */
gboolean   crm_server_admin_set_team      (CrmServer   *self,
                                           const char  *user,
                                           const char  *team,
                                           GError     **error);
/* The devices @user signed in from (CrmServerDevice), last seen first. */
GPtrArray *crm_server_admin_devices       (CrmServer   *self,
                                           const char  *user,
                                           GError     **error);
gboolean   crm_server_admin_revoke_device (CrmServer   *self,
                                           const char  *client_id,
                                           GError     **error);
/* Gives every live customer of @from to @to in one transaction, written
 * like an edit by @actor (NULL: the crm-server command) on @actor_client,
 * so both users' devices pull the change. Returns how many moved, -1 on
 * error. */
gint64     crm_server_admin_reassign      (CrmServer           *self,
                                           const CrmServerUser *actor,
                                           const char          *actor_client,
                                           const char          *from,
                                           const char          *to,
                                           GError             **error);
/* Writes the audit entries @query selects (all pages) as CSV, a line per
 * changed field. */
gboolean   crm_server_admin_audit_csv     (CrmServer                 *self,
                                           const CrmServerAuditQuery *query,
                                           FILE                      *out,
                                           GError                   **error);

G_END_DECLS
