/* crm-sync-credentials.h: where a sign-in token is kept: the secret service, or a 0600 file when there is none */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

/* Blocking (D-Bus or file I/O): call them from a worker thread. A token
 * belongs to a server, a user and this database's client id. */
gboolean  crm_sync_credentials_store   (const char  *server_url,
                                        const char  *user,
                                        const char  *client_id,
                                        const char  *token,
                                        GError     **error);
/* NULL without an error when there is no token. */
char     *crm_sync_credentials_lookup  (const char  *server_url,
                                        const char  *user,
                                        const char  *client_id,
                                        GError     **error);
gboolean  crm_sync_credentials_clear   (const char  *server_url,
                                        const char  *user,
                                        const char  *client_id,
                                        GError     **error);

/* The file used when no secret service answers:
 * $XDG_CONFIG_HOME/crm/tokens/<digest of server, user, client id>. */
char     *crm_sync_credentials_file_path (const char *server_url,
                                          const char *user,
                                          const char *client_id);

/* The account a database syncs with. A database holds one account's data
 * only: signing in as someone else first wipes it (crm_sync_account_wipe),
 * so two users' customers never mix. */
gboolean  crm_sync_account_get         (CrmStore    *store,
                                        char       **out_server_url,
                                        char       **out_user);
/* The role the server gave the signed-in user at the last sign-in
 * (admin, manager, …), NULL when signed out. */
char     *crm_sync_account_get_role    (CrmStore    *store);
gboolean  crm_sync_account_set_role    (CrmStore    *store,
                                        const char  *role,
                                        GError     **error);
gboolean  crm_sync_account_bind        (CrmStore    *store,
                                        const char  *server_url,
                                        const char  *user,
                                        GError     **error);
/* Signed out but keeping the data: the database stays bound to its user
 * (only that user can sign in again without wiping it). */
gboolean  crm_sync_account_is_signed_out (CrmStore  *store);
gboolean  crm_sync_account_set_signed_out (CrmStore *store,
                                           gboolean  signed_out,
                                           GError  **error);
/* Removes every synced row, unsent change, conflict and sync position, and
 * the binding; local-only settings stay. The next mutation id follows the
 * last the server acknowledged, so the server sees no gap. */
gboolean  crm_sync_account_wipe        (CrmStore    *store,
                                        GError     **error);
/* Rows that exist only here (never synced, or unsent changes). */
guint     crm_sync_account_count_unsent (CrmStore   *store);

G_END_DECLS
