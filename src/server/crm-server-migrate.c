/* crm-server-migrate.c: copies a crm-server SQLite database into PostgreSQL (migrate-sqlite-to-pg) */

#include "config.h"

#include <glib/gi18n.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>

#include "crm-server-migrate.h"
#include "crm-server-pg-private.h"

/* Each table with the columns copied, in the same order on both sides.
 * Every id and seq keeps its value: clients' pull cursors, their last
 * mutation ids and the conflict ids they acknowledge stay valid. */
static const struct
{
  const char *table;
  const char *sqlite_select;
  const char *pg_columns;
} tables[] = {
  { "users",
    "SELECT id, name, role, team, password_hash,"
    " CASE WHEN disabled THEN 't' ELSE 'f' END, created_at FROM users",
    "id, name, role, team, password_hash, disabled, created_at" },
  { "tokens",
    "SELECT hash, user_id, client_id, expires_at, CASE WHEN revoked THEN 't' ELSE 'f' END FROM tokens",
    "hash, user_id, client_id, expires_at, revoked" },
  { "clients", "SELECT client_id, user_id, last_mutation_id FROM clients",
    "client_id, user_id, last_mutation_id" },
  { "mutations", "SELECT client_id, mutation_id, digest, result FROM mutations",
    "client_id, mutation_id, digest, result" },
  { "rows",
    "SELECT table_name, id, data, meta, CASE WHEN deleted THEN 't' ELSE 'f' END,"
    " scope_owner, contact_id, seq, shared_clock, shared_author FROM rows ORDER BY seq",
    "table_name, id, data, meta, deleted, scope_owner, contact_id, seq, shared_clock, shared_author" },
  { "client_conflicts", "SELECT id, client_id, body FROM client_conflicts ORDER BY id",
    "id, client_id, body" },
  { "audit",
    "SELECT seq, at, user_id, client_id, mutation_id, table_name, row_id, op, status FROM audit ORDER BY seq",
    "seq, at, user_id, client_id, mutation_id, table_name, row_id, op, status" },
  { "api_keys",
    "SELECT id, name, scopes, key_hash, created_at, CASE WHEN revoked THEN 't' ELSE 'f' END FROM api_keys",
    "id, name, scopes, key_hash, created_at, revoked" },
  /* The administration tables: absent from a database no crm-server with
   * them has opened yet, then skipped. */
  { "devices",
    "SELECT client_id, user_id, label, last_seen, CASE WHEN revoked THEN 't' ELSE 'f' END FROM devices",
    "client_id, user_id, label, last_seen, revoked" },
  { "audit_log",
    "SELECT id, received_at, edit_at, edit_hlc, user_id, user_name, client_id, table_name, row_id, op, changes"
    " FROM audit_log ORDER BY id",
    "id, received_at, edit_at, edit_hlc, user_id, user_name, client_id, table_name, row_id, op, changes" },
};

static gboolean
pg_exec (PGconn      *conn,
         const char  *sql,
         GError     **error)
{
  PGresult *result = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (result);
  gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("PostgreSQL: %s"), PQerrorMessage (conn));
  PQclear (result);
  return ok;
}

static gint64
pg_count (PGconn     *conn,
          const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  PGresult *result = PQexec (conn, sql);
  gint64 n = -1;

  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    n = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  return n;
}

/* One value in COPY's text format: \N for NULL, backslash escapes for
 * the characters that separate fields and lines. */
static void
append_copy_value (GString    *line,
                   const char *value)
{
  if (value == NULL)
    {
      g_string_append (line, "\\N");
      return;
    }
  for (const char *p = value; *p != '\0'; p++)
    switch (*p)
      {
      case '\\': g_string_append (line, "\\\\"); break;
      case '\t': g_string_append (line, "\\t"); break;
      case '\n': g_string_append (line, "\\n"); break;
      case '\r': g_string_append (line, "\\r"); break;
      default: g_string_append_c (line, *p);
      }
}

static gboolean
copy_table (sqlite3     *db,
            PGconn      *conn,
            guint        index,
            gint64      *out_count,
            GError     **error)
{
  g_autofree char *copy = g_strdup_printf ("COPY %s (%s) FROM STDIN", tables[index].table, tables[index].pg_columns);
  g_autoptr(GString) line = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  PGresult *result;
  gint64 n = 0;
  int rc;

  if (sqlite3_prepare_v2 (db, tables[index].sqlite_select, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The SQLite database has no usable %s table: %s"), tables[index].table, sqlite3_errmsg (db));
      return FALSE;
    }
  result = PQexec (conn, copy);
  if (PQresultStatus (result) != PGRES_COPY_IN)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("PostgreSQL: %s"), PQerrorMessage (conn));
      PQclear (result);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  PQclear (result);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_string_truncate (line, 0);
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          if (i > 0)
            g_string_append_c (line, '\t');
          append_copy_value (line, sqlite3_column_type (stmt, i) == SQLITE_NULL
                                   ? NULL : (const char *) sqlite3_column_text (stmt, i));
        }
      g_string_append_c (line, '\n');
      if (PQputCopyData (conn, line->str, (int) line->len) != 1)
        break;
      n++;
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      PQputCopyEnd (conn, "crm-server: reading the SQLite database failed");
      PQclear (PQgetResult (conn));
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Reading %s from the SQLite database failed: %s"), tables[index].table, sqlite3_errmsg (db));
      return FALSE;
    }
  if (PQputCopyEnd (conn, NULL) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("PostgreSQL: %s"), PQerrorMessage (conn));
      return FALSE;
    }
  result = PQgetResult (conn);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Copying %s into PostgreSQL failed: %s"),
                   tables[index].table, PQerrorMessage (conn));
      PQclear (result);
      while ((result = PQgetResult (conn)) != NULL)
        PQclear (result);
      return FALSE;
    }
  PQclear (result);
  while ((result = PQgetResult (conn)) != NULL)
    PQclear (result);
  *out_count = n;
  return TRUE;
}

static gint64
sqlite_value (sqlite3    *db,
              const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = 0;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* The copy inside the PostgreSQL transaction; FALSE rolls it all back. */
static gboolean
copy_all (sqlite3     *db,
          PGconn      *conn,
          GString     *summary,
          GError     **error)
{
  g_autofree char *counter = NULL;

  /* Into an empty database only: merging two servers' histories would
   * mix two seq orders, which no client cursor could follow. */
  if (pg_count (conn, "users") != 0 || pg_count (conn, "rows") != 0 || pg_count (conn, "mutations") != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                           _("The PostgreSQL database already holds users or data. "
                             "Migrate into a new, empty database."));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      gint64 n = 0;
      g_autofree char *exists = g_strdup_printf ("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
                                                 tables[i].table);

      /* Names from the list above, not from outside. */
      if (sqlite_value (db, exists) == 0 &&
          (g_str_equal (tables[i].table, "devices") || g_str_equal (tables[i].table, "audit_log")))
        continue;

      if (!copy_table (db, conn, i, &n, error))
        return FALSE;
      /* Translators: a table name, then how many of its rows were copied. */
      g_string_append_printf (summary, _("%s: %lld\n"), tables[i].table, (long long) n);
    }

  counter = g_strdup_printf ("UPDATE counters SET value = %lld WHERE name = 'seq'",
                             (long long) sqlite_value (db, "SELECT value FROM counters WHERE name = 'seq'"));
  return pg_exec (conn, counter, error) &&
         pg_exec (conn, "SELECT setval (pg_get_serial_sequence ('client_conflicts', 'id'),"
                        " GREATEST ((SELECT max (id) FROM client_conflicts), 1))", error) &&
         pg_exec (conn, "SELECT setval (pg_get_serial_sequence ('audit', 'seq'),"
                        " GREATEST ((SELECT max (seq) FROM audit), 1))", error) &&
         pg_exec (conn, "SELECT setval (pg_get_serial_sequence ('audit_log', 'id'),"
                        " GREATEST ((SELECT max (id) FROM audit_log), 1))", error);
}

gboolean
crm_server_migrate_sqlite_to_pg (const char  *sqlite_path,
                                 const char  *pg_conninfo,
                                 char       **out_summary,
                                 GError     **error)
{
  g_autoptr(CrmServerBackend) pg = NULL;
  g_autoptr(GString) summary = g_string_new (NULL);
  sqlite3 *db = NULL;
  PGconn *conn;
  gboolean ok;

  if (!g_file_test (sqlite_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no server database %s."), sqlite_path);
      return FALSE;
    }
  /* A file from an older crm-server gains the tables it lacks (api_keys),
   * so every table below can be read. */
  {
    g_autoptr(CrmServerBackend) upgraded = crm_server_sqlite_open (sqlite_path, error);

    if (upgraded == NULL)
      return FALSE;
  }
  if (sqlite3_open_v2 (sqlite_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot open the server database %s: %s"),
                   sqlite_path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_busy_timeout (db, 10000);

  /* Creates the schema. */
  pg = crm_server_pg_open (pg_conninfo, error);
  conn = pg ? crm_server_pg_get_connection (pg, error) : NULL;
  if (conn == NULL)
    {
      sqlite3_close (db);
      return FALSE;
    }

  /* One read transaction on SQLite, one write transaction on PostgreSQL:
   * a consistent copy, and all or nothing. Stop the SQLite server first
   * all the same, or what it takes after this snapshot is left behind. */
  ok = sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot read the server database %s: %s"),
                 sqlite_path, sqlite3_errmsg (db));
  ok = ok &&
       pg_exec (conn, "BEGIN", error) &&
       pg_exec (conn, "LOCK TABLE users, rows, mutations IN EXCLUSIVE MODE", error);
  if (ok && !copy_all (db, conn, summary, error))
    ok = FALSE;
  if (ok)
    ok = pg_exec (conn, "COMMIT", error);
  else
    PQclear (PQexec (conn, "ROLLBACK"));
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);

  if (ok && out_summary != NULL)
    *out_summary = g_string_free (g_steal_pointer (&summary), FALSE);
  return ok;
}
