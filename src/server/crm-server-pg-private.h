/* crm-server-pg-private.h: what crm-server's own tools need of the PostgreSQL backend */
#pragma once

#include <libpq-fe.h>

#include "crm-server-backend.h"

G_BEGIN_DECLS

gboolean  crm_server_backend_is_pg     (CrmServerBackend  *backend);
/* The backend's connection, (re)connected; for migrate-sqlite-to-pg,
 * which writes with COPY rather than row by row. */
PGconn   *crm_server_pg_get_connection (CrmServerBackend  *backend,
                                        GError           **error);

G_END_DECLS
