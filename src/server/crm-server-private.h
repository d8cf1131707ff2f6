/* crm-server-private.h: what the server's other request handlers (the REST API) share with crm-server.c */
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
/* Applies @m as @author, inside the caller's transaction, exactly as a sync
 * push applies it (merge, validation against the client schema, new seq,
 * per-field meta and author, scope owner). @author->id NULL: a new row
 * gets no owner unless @m names one. Returns the result, {"status":
 * "applied"|"rejected", "reason", "seq", …}. */
JsonObject *crm_server_apply_mutation  (CrmServer         *self,
                                        CrmServerUser     *author,
                                        const char        *client_id,
                                        CrmSyncMutation   *m,
                                        GError           **error);
/* The string value of @field in @data, NULL if it is none. */
const char *crm_server_row_string      (JsonObject        *data,
                                        const char        *field);
void        crm_server_log_request     (SoupServerMessage *msg,
                                        const char        *path,
                                        guint              status,
                                        const char        *user,
                                        const char        *detail);

G_END_DECLS
