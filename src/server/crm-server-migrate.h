/* crm-server-migrate.h: moving a crm-server from SQLite to PostgreSQL */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Copies every user, token, row (with its meta and seq), mutation record,
 * conflict and audit entry of the SQLite server database @sqlite_path into
 * the empty PostgreSQL database @pg_conninfo, in one transaction. Seq
 * values are kept, so clients continue from their cursors. @out_summary:
 * a line per table with the rows copied. */
gboolean crm_server_migrate_sqlite_to_pg (const char  *sqlite_path,
                                          const char  *pg_conninfo,
                                          char       **out_summary,
                                          GError     **error);

G_END_DECLS
