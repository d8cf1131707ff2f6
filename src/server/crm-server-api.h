/* crm-server-api.h: the REST API for other systems (/api/v1) and its API keys */
#pragma once

#include <libsoup/soup.h>

#include "crm-server.h"

G_BEGIN_DECLS

/* Serves /api/v1 on @soup for @server. */
void        crm_server_api_install     (CrmServer         *server,
                                        SoupServer        *soup);
gboolean    crm_server_api_owns_path   (const char        *path);
/* {"error": {"code": @code, "message": @message}} */
JsonObject *crm_server_api_error_body  (const char        *code,
                                        const char        *message);

/* Makes a key named @name (shown as the author of its changes, "api:NAME")
 * with the comma-separated @scopes. Returns the key, which only its hash
 * is kept of, so it can be shown once; @out_id: its id, for revoke. */
char       *crm_server_api_key_create  (CrmServerBackend  *backend,
                                        const char        *name,
                                        const char        *scopes,
                                        char             **out_id,
                                        GError           **error);

G_END_DECLS
