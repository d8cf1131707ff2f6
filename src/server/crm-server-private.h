/* crm-server-private.h: what the other parts of crm-server (the REST API, administration) share with crm-server.c */
#pragma once

#include <libsoup/soup.h>

#include "crm-server.h"
#include "crm-sync-protocol.h"

G_BEGIN_DECLS

/* The hash stored for a token or an API key (never the key itself). */
char       *crm_server_hash_token      (const char        *token);
/* Counts a request made with the token or key of @hash against
 * --rate-limit; FALSE with the seconds to wait once it is over. */
gboolean    crm_server_within_rate     (CrmServer         *self,
                                        const char        *hash,
                                        gint64            *retry_after);
/* The synced fields of @table (field -> "json" | "plain"), NULL for a
 * table that is not synced. */
GHashTable *crm_server_get_columns     (CrmServer         *self,
                                        const char        *table);
/* The declared type of a synced column in the client schema (INTEGER,
 * TEXT, JSON_TEXT, …), NULL if there is no such column. */
char       *crm_server_column_type     (CrmServer         *self,
                                        const char        *table,
                                        const char        *field);
/* crm_server_apply_mutation() by @author, who sees everything (what the
 * author may change was decided before: an API key's scopes). @author->id
 * NULL: a new row gets no owner unless @m names one. Returns the result,
 * {"status": "applied"|"rejected", "reason", "seq", …}. */
JsonObject *crm_server_apply_mutation_as (CrmServer       *self,
                                          CrmServerUser   *author,
                                          const char      *client_id,
                                          CrmSyncMutation *m,
                                          GError         **error);
/* The string value of @field in @data, NULL if it is none. */
const char *crm_server_row_string      (JsonObject        *data,
                                        const char        *field);
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
