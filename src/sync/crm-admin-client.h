/* crm-admin-client.h: the app's side of crm-server's /v1/admin (users, devices, reassignment, audit log) */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_ADMIN_CLIENT (crm_admin_client_get_type ())

G_DECLARE_FINAL_TYPE (CrmAdminClient, crm_admin_client, CRM, ADMIN_CLIENT, GObject)

/* Calls are made as @user of this computer (@client_id), with the token
 * kept for them (crm-sync-credentials.h) unless one is set. */
CrmAdminClient *crm_admin_client_new        (const char      *server_url,
                                             const char      *user,
                                             const char      *client_id);
void            crm_admin_client_set_token  (CrmAdminClient  *self,
                                             const char      *token);

/* One call in a worker thread; the answer's JSON object, or a
 * CRM_SYNC_ERROR whose message comes from the server. @path is under
 * /v1/admin and built with crm_admin_client_path(); @body may be NULL. */
void        crm_admin_client_call        (CrmAdminClient      *self,
                                          const char          *method,
                                          const char          *path,
                                          JsonObject          *body,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
JsonObject *crm_admin_client_call_finish (CrmAdminClient      *self,
                                          GAsyncResult        *result,
                                          GError             **error);
/* The same, blocking: for crmctl and tests. */
JsonObject *crm_admin_client_call_sync   (CrmAdminClient      *self,
                                          const char          *method,
                                          const char          *path,
                                          JsonObject          *body,
                                          GCancellable        *cancellable,
                                          GError             **error);

/* "/v1/admin/" + the segments, each escaped; NULL-terminated. */
char       *crm_admin_client_path        (const char          *first_segment,
                                          ...) G_GNUC_NULL_TERMINATED;
/* The audit query string: NULL or empty filters are left out; @since and
 * @until are dates (YYYY-MM-DD). */
char       *crm_admin_client_audit_path  (const char          *user,
                                          const char          *row_id,
                                          const char          *since,
                                          const char          *until,
                                          gint64               cursor);

/* This computer's own change log (the store's audit_log) in the shape
 * of the server's audit entries, newest first, for when the server is out
 * of reach. sync_time is null there: the log does not know it. */
JsonArray  *crm_admin_local_audit        (CrmStore            *store,
                                          const char          *row_id,
                                          const char          *since,
                                          const char          *until,
                                          guint                limit,
                                          GError             **error);
/* Audit entries (either source) as CSV, a line per changed field. */
char       *crm_admin_audit_to_csv       (JsonArray           *entries);

G_END_DECLS
