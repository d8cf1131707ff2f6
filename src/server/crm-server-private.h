/* crm-server-private.h: what the other parts of crm-server (administration) share with crm-server.c */
#pragma once

#include <libsoup/soup.h>

#include "crm-server.h"
#include "crm-sync-protocol.h"

G_BEGIN_DECLS

/* Who a request comes from: the user and the owners whose customers the
 * user sees (NULL: everyone's). */
typedef struct
{
  CrmServerUser *user;
  GPtrArray *visible_owners;
} CrmServerSession;

void     crm_server_session_clear  (CrmServerSession *session);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CrmServerSession, crm_server_session_clear)

/* Checks the request's bearer token; fills @session and the device's
 * client id. */
gboolean crm_server_authenticate   (CrmServer          *self,
                                    SoupServerMessage  *msg,
                                    CrmServerSession   *session,
                                    char              **out_client_id,
                                    GError            **error);
void     crm_server_respond_json   (SoupServerMessage  *msg,
                                    guint               status,
                                    JsonObject         *body);
void     crm_server_respond_error  (SoupServerMessage  *msg,
                                    const char         *path,
                                    const char         *user,
                                    const GError       *error);
void     crm_server_log_request    (SoupServerMessage  *msg,
                                    const char         *path,
                                    guint               status,
                                    const char         *user,
                                    const char         *detail);
/* Applies @m as written by @session's user on device @client_id, inside
 * the caller's transaction, exactly as a push does: merge, validation, a
 * new seq, the children's visibility and the audit log. Returns the
 * mutation's result ("status": applied | rejected). */
JsonObject *crm_server_apply_mutation (CrmServer         *self,
                                       CrmServerSession  *session,
                                       const char        *client_id,
                                       CrmSyncMutation   *m,
                                       GError           **error);

/* Installs the /v1/admin handlers (crm-server-admin.c). */
void     crm_server_admin_install  (CrmServer  *self,
                                    SoupServer *soup);

G_END_DECLS
