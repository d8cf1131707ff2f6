/* crm-server.h: the HTTP server where replicas meet (DESIGN.md §5) */
#pragma once

#include <gio/gio.h>

#include "crm-server-backend.h"

G_BEGIN_DECLS

#define CRM_TYPE_SERVER (crm_server_get_type ())

G_DECLARE_FINAL_TYPE (CrmServer, crm_server, CRM, SERVER, GObject)

/* Opens (creating) the SQLite store at @db_path. */
CrmServer *crm_server_new          (const char  *db_path,
                                    GError     **error);
/* Serves from @backend (SQLite or PostgreSQL), taking it over, even when
 * this fails. */
CrmServer *crm_server_new_for_backend (CrmServerBackend  *backend,
                                       GError           **error);
CrmServerBackend *crm_server_get_backend (CrmServer *self);
/* @max_body: bytes per request (413 above; 0: the protocol's 8 MiB);
 * @max_connections: open connections before 503 (0: no limit);
 * @rate_limit: requests per token per minute before 429 (0: no limit). */
void       crm_server_set_limits   (CrmServer   *self,
                                    gint64       max_body,
                                    guint        max_connections,
                                    guint        rate_limit);
gboolean   crm_server_set_survey_follow_up (CrmServer   *self,
                                            const char  *who,
                                            GError     **error);
gboolean   crm_server_listen       (CrmServer   *self,
                                    const char  *address,
                                    guint16      port,
                                    GError     **error);
guint16    crm_server_get_port     (CrmServer   *self);
/* Serve HTTPS with @certificate (which holds its private key); then any
 * address may be listened on, not just loopback. */
void       crm_server_set_tls_certificate (CrmServer       *self,
                                           GTlsCertificate *certificate);
void       crm_server_disconnect   (CrmServer   *self);

/* Accounts (crm-server adduser / revoke). @role is one of admin, manager,
 * analyst, sales, marketing, service. */
gboolean   crm_server_add_user     (CrmServer   *self,
                                    const char  *name,
                                    const char  *password,
                                    const char  *role,
                                    const char  *team,
                                    GError     **error);
gboolean   crm_server_revoke_user  (CrmServer   *self,
                                    const char  *name,
                                    GError     **error);
/* Hours a token lives; tests shorten it. */
void       crm_server_set_token_lifetime (CrmServer *self,
                                          gint64     seconds);

G_END_DECLS
