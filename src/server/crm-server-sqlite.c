/* crm-server-sqlite.c: crm-server storage in one SQLite database (WAL), for a small office */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "crm-json.h"
#include "crm-server-backend.h"
#include "crm-sync-protocol.h"
#include "crm-store-private.h"

typedef struct
{
  CrmServerBackend parent;
  sqlite3 *db;
  char *path;
} CrmServerSqlite;

static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS users (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  name TEXT NOT NULL UNIQUE,\n"
  "  role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'analyst', 'sales', 'marketing', 'service')),\n"
  "  team TEXT,\n"
  "  password_hash TEXT NOT NULL,\n"
  "  disabled INTEGER NOT NULL DEFAULT 0,\n"
  "  created_at TEXT NOT NULL DEFAULT (strftime ('%Y-%m-%dT%H:%M:%fZ', 'now'))\n"
  ");\n"
  "CREATE TABLE IF NOT EXISTS tokens (\n"
  "  hash TEXT PRIMARY KEY NOT NULL,\n"
  "  user_id TEXT NOT NULL REFERENCES users (id),\n"
  "  client_id TEXT NOT NULL,\n"
  "  expires_at INTEGER NOT NULL,\n"
  "  revoked INTEGER NOT NULL DEFAULT 0\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS tokens_user ON tokens (user_id);\n"
  "CREATE TABLE IF NOT EXISTS clients (\n"
  "  client_id TEXT PRIMARY KEY NOT NULL,\n"
  "  user_id TEXT,\n"
  "  last_mutation_id INTEGER NOT NULL DEFAULT 0\n"
  ");\n"
  "CREATE TABLE IF NOT EXISTS mutations (\n"
  "  client_id TEXT NOT NULL,\n"
  "  mutation_id INTEGER NOT NULL,\n"
  "  digest TEXT NOT NULL,\n"
  "  result TEXT NOT NULL,\n"
  "  PRIMARY KEY (client_id, mutation_id)\n"
  ") WITHOUT ROWID;\n"
  "CREATE TABLE IF NOT EXISTS rows (\n"
  "  table_name TEXT NOT NULL,\n"
  "  id TEXT NOT NULL,\n"
  "  data TEXT NOT NULL,\n"
  "  meta TEXT NOT NULL,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0,\n"
  "  scope_owner TEXT,\n"
  "  contact_id TEXT,\n"
  "  seq INTEGER NOT NULL UNIQUE,\n"
  "  shared_clock TEXT,\n"
  "  shared_author TEXT,\n"
  "  PRIMARY KEY (table_name, id)\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS rows_contact ON rows (contact_id) WHERE contact_id IS NOT NULL;\n"
  "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);\n"
  "INSERT OR IGNORE INTO counters (name, value) VALUES ('seq', 0);\n"
  "CREATE TABLE IF NOT EXISTS client_conflicts (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  client_id TEXT NOT NULL,\n"
  "  body TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS client_conflicts_client ON client_conflicts (client_id, id);\n"
  "CREATE TABLE IF NOT EXISTS audit (\n"
  "  seq INTEGER PRIMARY KEY,\n"
  "  at TEXT NOT NULL DEFAULT (strftime ('%Y-%m-%dT%H:%M:%fZ', 'now')),\n"
  "  user_id TEXT,\n"
  "  client_id TEXT,\n"
  "  mutation_id INTEGER,\n"
  "  table_name TEXT,\n"
  "  row_id TEXT,\n"
  "  op TEXT,\n"
  "  status TEXT\n"
  ");\n";

/* Added for administration; IF NOT EXISTS makes it the migration of an
 * older database too. */
static const char admin_schema_sql[] =
  "CREATE TABLE IF NOT EXISTS devices (\n"
  "  client_id TEXT PRIMARY KEY NOT NULL,\n"
  "  user_id TEXT NOT NULL,\n"
  "  label TEXT,\n"
  "  last_seen INTEGER NOT NULL DEFAULT 0,\n"
  "  revoked INTEGER NOT NULL DEFAULT 0\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS devices_user ON devices (user_id);\n"
  "CREATE INDEX IF NOT EXISTS tokens_client ON tokens (client_id);\n"
  "CREATE TABLE IF NOT EXISTS audit_log (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  received_at INTEGER NOT NULL,\n"
  "  edit_at INTEGER NOT NULL,\n"
  "  edit_hlc TEXT NOT NULL,\n"
  "  user_id TEXT,\n"
  "  user_name TEXT,\n"
  "  client_id TEXT,\n"
  "  table_name TEXT NOT NULL,\n"
  "  row_id TEXT NOT NULL,\n"
  "  op TEXT NOT NULL,\n"
  "  changes TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS audit_log_row ON audit_log (table_name, row_id);\n"
  "CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (user_id);\n"
  "CREATE INDEX IF NOT EXISTS audit_log_edit ON audit_log (edit_at);\n";

/* The REST API's keys, and the index its per-table pages read. Created
 * when missing, like the tables above, so older files gain them. */
static const char api_schema_sql[] =
  "CREATE TABLE IF NOT EXISTS api_keys (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  name TEXT NOT NULL,\n"
  "  scopes TEXT NOT NULL,\n"
  "  key_hash TEXT NOT NULL UNIQUE,\n"
  "  created_at INTEGER NOT NULL,\n"
  "  revoked INTEGER NOT NULL DEFAULT 0\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS rows_table_seq ON rows (table_name, seq);\n"
  "CREATE INDEX IF NOT EXISTS rows_purchase_order_ref ON rows (json_extract (data, '$.order_ref'))\n"
  "  WHERE table_name = 'purchases';\n"
  "CREATE INDEX IF NOT EXISTS rows_contact_external_id ON rows (json_extract (data, '$.external_id'))\n"
  "  WHERE table_name = 'contacts';\n";

/* Rows written before the shared columns existed: the rule of
 * crm_server_row_shared_meta() in SQL, run once on the whole table. */
#define SHARED_META_SQL(entry) \
  "(SELECT min (v) FROM\n" \
  "   (SELECT CASE json_type (value, '$[" entry "]') WHEN 'text' THEN json_extract (value, '$[" entry "]') END AS v\n" \
  "    FROM json_each (meta)\n" \
  "    WHERE type = 'array' AND json_type (data, '$.\"' || key || '\"') IS NOT NULL)\n" \
  " HAVING count(*) > 1 AND count(v) = count(*) AND min (v) = max (v)\n" \
  "   AND count(*) = (SELECT count(*) FROM json_each (data)))"

static const char shared_meta_upgrade_sql[] =
  "ALTER TABLE rows ADD COLUMN shared_clock TEXT;\n"
  "ALTER TABLE rows ADD COLUMN shared_author TEXT;\n"
  "UPDATE rows SET shared_clock = " SHARED_META_SQL ("0") ",\n"
  "  shared_author = " SHARED_META_SQL ("2") ";\n";

static void
set_error (CrmServerSqlite  *self,
           GError          **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("Server database %s: %s"), self->path, sqlite3_errmsg (self->db));
}

static sqlite3_stmt *
prepare (CrmServerSqlite  *self,
         const char       *sql,
         GError          **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_error (self, error);
      return NULL;
    }
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
exec (CrmServerSqlite  *self,
      const char       *sql,
      GError          **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      set_error (self, error);
      return FALSE;
    }
  return TRUE;
}

/* Runs a write statement; sqlite3_finalize() on every path. */
static gboolean
step_done (CrmServerSqlite  *self,
           sqlite3_stmt     *stmt,
           GError          **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_error (self, error);
      return FALSE;
    }
  return TRUE;
}

#define SELF(b) ((CrmServerSqlite *) (b))

static void
sqlite_free (CrmServerBackend *backend)
{
  CrmServerSqlite *self = SELF (backend);

  sqlite3_close_v2 (self->db);
  g_free (self->path);
  g_free (self);
}

static gboolean
sqlite_begin (CrmServerBackend  *backend,
              GError           **error)
{
  /* IMMEDIATE takes the write lock up front: two pushes of one client
   * never interleave between reading and bumping its last mutation id. */
  return exec (SELF (backend), "BEGIN IMMEDIATE", error);
}

static gboolean
sqlite_commit (CrmServerBackend  *backend,
               GError           **error)
{
  return exec (SELF (backend), "COMMIT", error);
}

static void
sqlite_rollback (CrmServerBackend *backend)
{
  sqlite3_exec (SELF (backend)->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
has_shared_meta (CrmServerSqlite *self)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found;

  sqlite3_prepare_v2 (self->db, "SELECT 1 FROM pragma_table_info ('rows') WHERE name = 'shared_clock'",
                      -1, &stmt, NULL);
  found = stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return found;
}

/* A database of an older crm-server gains the shared clock and author of
 * each row. Checked again under the write lock: two servers may start at
 * once on one file. */
static gboolean
upgrade_shared_meta (CrmServerSqlite  *self,
                     GError          **error)
{
  if (has_shared_meta (self))
    return TRUE;
  if (!sqlite_begin (&self->parent, error))
    return FALSE;
  if (!has_shared_meta (self))
    {
      g_message ("%s: noting each row's shared clock and author, once", self->path);
      if (!exec (self, shared_meta_upgrade_sql, error))
        {
          sqlite_rollback (&self->parent);
          return FALSE;
        }
    }
  return sqlite_commit (&self->parent, error);
}

static gboolean
sqlite_ready (CrmServerBackend  *backend,
              GError           **error)
{
  return exec (SELF (backend), "SELECT 1 FROM counters LIMIT 1", error);
}

static gboolean
sqlite_add_user (CrmServerBackend     *backend,
                 const CrmServerUser  *user,
                 GError              **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "INSERT INTO users (id, name, role, team, password_hash) VALUES (?, ?, ?, ?, ?)\n"
    "ON CONFLICT (name) DO UPDATE SET role = excluded.role, team = excluded.team,\n"
    "  password_hash = excluded.password_hash, disabled = 0";
  sqlite3_stmt *stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, user->id);
  bind_text (stmt, 2, user->name);
  bind_text (stmt, 3, user->role);
  bind_text (stmt, 4, user->team);
  bind_text (stmt, 5, user->password_hash);
  return step_done (self, stmt, error);
}

static CrmServerUser *
user_from_stmt (sqlite3_stmt *stmt)
{
  CrmServerUser *user = g_new0 (CrmServerUser, 1);

  user->id = column_dup (stmt, 0);
  user->name = column_dup (stmt, 1);
  user->role = column_dup (stmt, 2);
  user->team = column_dup (stmt, 3);
  user->password_hash = column_dup (stmt, 4);
  user->disabled = sqlite3_column_int (stmt, 5) != 0;
  return user;
}

static CrmServerUser *
sqlite_find_user (CrmServerBackend  *backend,
                  const char        *name_or_id,
                  GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "SELECT id, name, role, team, password_hash, disabled FROM users WHERE name = ?1 OR id = ?1";
  sqlite3_stmt *stmt = prepare (self, sql, error);
  CrmServerUser *user = NULL;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, name_or_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    user = user_from_stmt (stmt);
  sqlite3_finalize (stmt);
  return user;
}

static GPtrArray *
sqlite_team_members (CrmServerBackend  *backend,
                     const char        *team,
                     GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] = "SELECT id FROM users WHERE team = ?";
  sqlite3_stmt *stmt = prepare (self, sql, error);
  GPtrArray *ids;

  if (stmt == NULL)
    return NULL;
  ids = g_ptr_array_new_with_free_func (g_free);
  bind_text (stmt, 1, team);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, column_dup (stmt, 0));
  sqlite3_finalize (stmt);
  return ids;
}

static gboolean
sqlite_add_token (CrmServerBackend  *backend,
                  const char        *token_hash,
                  const char        *user_id,
                  const char        *client_id,
                  gint64             expires_at,
                  GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "INSERT INTO tokens (hash, user_id, client_id, expires_at) VALUES (?, ?, ?, ?)";
  sqlite3_stmt *stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, token_hash);
  bind_text (stmt, 2, user_id);
  bind_text (stmt, 3, client_id);
  sqlite3_bind_int64 (stmt, 4, expires_at);
  return step_done (self, stmt, error);
}

static char *
sqlite_check_token (CrmServerBackend  *backend,
                    const char        *token_hash,
                    GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "SELECT t.user_id FROM tokens t JOIN users u ON u.id = t.user_id\n"
    "WHERE t.hash = ? AND t.revoked = 0 AND u.disabled = 0 AND t.expires_at > ?";
  sqlite3_stmt *stmt = prepare (self, sql, error);
  char *user_id = NULL;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, token_hash);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    user_id = column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  return user_id;
}

static char *
sqlite_token_client (CrmServerBackend *backend,
                     const char       *token_hash)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT client_id FROM tokens WHERE hash = ?", NULL);
  char *client_id = NULL;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, token_hash);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    client_id = column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  return client_id;
}

static gboolean
sqlite_revoke_tokens (CrmServerBackend  *backend,
                      const char        *user_id,
                      GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "UPDATE tokens SET revoked = 1 WHERE user_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, user_id);
  return step_done (self, stmt, error);
}

static gint64
sqlite_client_last_mutation (CrmServerBackend  *backend,
                             const char        *client_id,
                             GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT last_mutation_id FROM clients WHERE client_id = ?", error);
  gint64 last = 0;

  if (stmt == NULL)
    return -1;
  bind_text (stmt, 1, client_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    last = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return last;
}

static CrmServerMutationRecord *
sqlite_find_mutation (CrmServerBackend  *backend,
                      const char        *client_id,
                      gint64             mutation_id,
                      GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "SELECT digest, result FROM mutations WHERE client_id = ? AND mutation_id = ?";
  sqlite3_stmt *stmt = prepare (self, sql, error);
  CrmServerMutationRecord *record = NULL;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, client_id);
  sqlite3_bind_int64 (stmt, 2, mutation_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      record = g_new0 (CrmServerMutationRecord, 1);
      record->mutation_id = mutation_id;
      record->digest = column_dup (stmt, 0);
      record->result = column_dup (stmt, 1);
    }
  sqlite3_finalize (stmt);
  return record;
}

static gboolean
sqlite_record_mutation (CrmServerBackend               *backend,
                        const char                     *client_id,
                        const char                     *user_id,
                        const CrmServerMutationRecord  *record,
                        GError                        **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char insert_sql[] =
    "INSERT INTO mutations (client_id, mutation_id, digest, result) VALUES (?, ?, ?, ?)";
  static const char client_sql[] =
    "INSERT INTO clients (client_id, user_id, last_mutation_id) VALUES (?1, ?2, ?3)\n"
    "ON CONFLICT (client_id) DO UPDATE SET last_mutation_id = ?3, user_id = ?2";
  sqlite3_stmt *stmt = prepare (self, insert_sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, client_id);
  sqlite3_bind_int64 (stmt, 2, record->mutation_id);
  bind_text (stmt, 3, record->digest);
  bind_text (stmt, 4, record->result);
  if (!step_done (self, stmt, error))
    return FALSE;

  stmt = prepare (self, client_sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, client_id);
  bind_text (stmt, 2, user_id);
  sqlite3_bind_int64 (stmt, 3, record->mutation_id);
  return step_done (self, stmt, error);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return json_object_new ();
  return json_object_ref (json_node_get_object (node));
}

static char *
object_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return crm_json_to_string (node);
}

#define ROW_COLUMNS "table_name, id, data, meta, deleted, scope_owner, seq"

static CrmServerRow *
row_from_stmt (sqlite3_stmt *stmt)
{
  CrmServerRow *row = g_new0 (CrmServerRow, 1);

  row->table = column_dup (stmt, 0);
  row->id = column_dup (stmt, 1);
  row->data = parse_object ((const char *) sqlite3_column_text (stmt, 2));
  row->meta = parse_object ((const char *) sqlite3_column_text (stmt, 3));
  row->deleted = sqlite3_column_int (stmt, 4) != 0;
  row->scope_owner = column_dup (stmt, 5);
  row->seq = sqlite3_column_int64 (stmt, 6);
  return row;
}

static CrmServerRow *
sqlite_get_row (CrmServerBackend  *backend,
                const char        *table,
                const char        *id,
                GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT " ROW_COLUMNS " FROM rows WHERE table_name = ? AND id = ?", error);
  CrmServerRow *row = NULL;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, table);
  bind_text (stmt, 2, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    row = row_from_stmt (stmt);
  sqlite3_finalize (stmt);
  return row;
}

static gint64
sqlite_next_seq (CrmServerBackend  *backend,
                 GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value", error);
  gint64 seq = -1;

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    seq = sqlite3_column_int64 (stmt, 0);
  else
    set_error (self, error);
  sqlite3_finalize (stmt);
  return seq;
}

static gboolean
sqlite_put_row (CrmServerBackend  *backend,
                CrmServerRow      *row,
                GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "INSERT INTO rows (table_name, id, data, meta, deleted, scope_owner, contact_id, seq,\n"
    "                  shared_clock, shared_author)\n"
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)\n"
    "ON CONFLICT (table_name, id) DO UPDATE SET data = ?3, meta = ?4, deleted = ?5,\n"
    "  scope_owner = ?6, contact_id = ?7, seq = ?8, shared_clock = ?9, shared_author = ?10";
  g_autofree char *data = object_to_text (row->data);
  g_autofree char *meta = object_to_text (row->meta);
  const char *contact_id = NULL;
  sqlite3_stmt *stmt;
  gint64 seq;

  contact_id = crm_server_row_contact_id (row);

  seq = sqlite_next_seq (backend, error);
  if (seq < 0)
    return FALSE;

  crm_server_row_stamp_seq (row, seq);
  g_clear_pointer (&meta, g_free);
  meta = object_to_text (row->meta);

  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, row->table);
  bind_text (stmt, 2, row->id);
  bind_text (stmt, 3, data);
  bind_text (stmt, 4, meta);
  sqlite3_bind_int (stmt, 5, row->deleted ? 1 : 0);
  bind_text (stmt, 6, row->scope_owner);
  bind_text (stmt, 7, contact_id);
  sqlite3_bind_int64 (stmt, 8, seq);
  bind_text (stmt, 9, crm_server_row_shared_meta (row, CRM_SERVER_META_CLOCK));
  bind_text (stmt, 10, crm_server_row_shared_meta (row, CRM_SERVER_META_AUTHOR));
  if (!step_done (self, stmt, error))
    return FALSE;
  row->seq = seq;
  return TRUE;
}

static gint64
sqlite_max_seq (CrmServerBackend  *backend,
                GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT value FROM counters WHERE name = 'seq'", error);
  gint64 seq = 0;

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return seq;
}

static GPtrArray *
rows_query (CrmServerSqlite  *self,
            sqlite3_stmt     *stmt)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_row_free);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (rows, row_from_stmt (stmt));
  sqlite3_finalize (stmt);
  return rows;
}

static GPtrArray *
sqlite_changes_after (CrmServerBackend  *backend,
                      gint64             cursor,
                      guint              limit,
                      int                protocol,
                      GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  /* meta holds field -> [clock, seq, author]. A row's fields written
   * together share one clock, said once: half the bytes of a first pull;
   * and, by one user, one author. A deleted row sends neither, only who
   * deleted it. */
  sqlite3_stmt *stmt = prepare (self,
    "SELECT table_name, id, deleted, scope_owner, seq, data,\n"
    "  CASE WHEN deleted THEN NULL\n"
    "       WHEN ?3 AND shared_clock IS NOT NULL THEN json_object ('*', shared_clock)\n"
    "       ELSE (SELECT json_group_object (key, json_extract (value, '$[0]')) FROM json_each (meta)\n"
    "             WHERE type = 'array') END,\n"
    "  CASE WHEN deleted THEN NULL\n"
    "       WHEN ?4 AND shared_author IS NOT NULL THEN json_object ('*', shared_author)\n"
    "       ELSE (SELECT json_group_object (key, json_extract (value, '$[2]')) FROM json_each (meta)\n"
    "             WHERE type = 'array' AND json_type (value, '$[2]') = 'text') END,\n"
    "  CASE WHEN deleted AND json_type (meta, '$.deleted[2]') = 'text' THEN json_extract (meta, '$.deleted[2]') END\n"
    "FROM rows WHERE seq > ?1 ORDER BY seq LIMIT ?2", error);
  GPtrArray *changes;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, cursor);
  sqlite3_bind_int (stmt, 2, (int) limit);
  sqlite3_bind_int (stmt, 3, protocol >= CRM_SYNC_PROTOCOL_SHARED_CLOCKS);
  sqlite3_bind_int (stmt, 4, protocol >= CRM_SYNC_PROTOCOL_SHARED_AUTHORS);
  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_change_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CrmServerChange *change = g_new0 (CrmServerChange, 1);

      change->table = column_dup (stmt, 0);
      change->id = column_dup (stmt, 1);
      change->deleted = sqlite3_column_int (stmt, 2) != 0;
      change->scope_owner = column_dup (stmt, 3);
      change->seq = sqlite3_column_int64 (stmt, 4);
      change->data = column_dup (stmt, 5);
      change->hlcs = column_dup (stmt, 6);
      change->authors = column_dup (stmt, 7);
      change->deleted_by = column_dup (stmt, 8);
      g_ptr_array_add (changes, change);
    }
  if (rc != SQLITE_DONE)
    {
      set_error (self, error);
      g_clear_pointer (&changes, g_ptr_array_unref);
    }
  sqlite3_finalize (stmt);
  return changes;
}

static GPtrArray *
sqlite_rows_of_contact (CrmServerBackend  *backend,
                        const char        *contact_id,
                        GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT " ROW_COLUMNS " FROM rows WHERE contact_id = ?", error);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, contact_id);
  return rows_query (self, stmt);
}

static GPtrArray *
sqlite_rows_with_field (CrmServerBackend  *backend,
                        const char        *table,
                        const char        *field,
                        const char        *value,
                        GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT " ROW_COLUMNS " FROM rows"
                                      " WHERE table_name = ?1 AND deleted = 0 AND json_extract (data, '$.' || ?2) = ?3",
                                error);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, table);
  bind_text (stmt, 2, field);
  bind_text (stmt, 3, value);
  return rows_query (self, stmt);
}

static gboolean
sqlite_add_conflict (CrmServerBackend  *backend,
                     const char        *client_id,
                     const char        *body,
                     GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "INSERT INTO client_conflicts (client_id, body) VALUES (?, ?)", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, client_id);
  bind_text (stmt, 2, body);
  return step_done (self, stmt, error);
}

static GPtrArray *
sqlite_client_conflicts (CrmServerBackend  *backend,
                         const char        *client_id,
                         gint64             ack,
                         GArray            *out_ids,
                         GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt;
  GPtrArray *bodies;

  if (ack > 0)
    {
      stmt = prepare (self, "DELETE FROM client_conflicts WHERE client_id = ? AND id <= ?", error);
      if (stmt == NULL)
        return NULL;
      bind_text (stmt, 1, client_id);
      sqlite3_bind_int64 (stmt, 2, ack);
      if (!step_done (self, stmt, error))
        return NULL;
    }
  stmt = prepare (self, "SELECT id, body FROM client_conflicts WHERE client_id = ? ORDER BY id LIMIT 1000", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, client_id);
  bodies = g_ptr_array_new_with_free_func (g_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (out_ids, id);
      g_ptr_array_add (bodies, column_dup (stmt, 1));
    }
  sqlite3_finalize (stmt);
  return bodies;
}

static gboolean
sqlite_audit (CrmServerBackend  *backend,
              const char        *user_id,
              const char        *client_id,
              gint64             mutation_id,
              const char        *table,
              const char        *row_id,
              const char        *op,
              const char        *status,
              GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "INSERT INTO audit (user_id, client_id, mutation_id, table_name, row_id, op, status)\n"
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
  sqlite3_stmt *stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, user_id);
  bind_text (stmt, 2, client_id);
  sqlite3_bind_int64 (stmt, 3, mutation_id);
  bind_text (stmt, 4, table);
  bind_text (stmt, 5, row_id);
  bind_text (stmt, 6, op);
  bind_text (stmt, 7, status);
  return step_done (self, stmt, error);
}

/* --- administration -------------------------------------------------------- */

static GPtrArray *
sqlite_list_users (CrmServerBackend  *backend,
                   GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT id, name, role, team, password_hash, disabled FROM users ORDER BY name",
                                error);
  GPtrArray *users;

  if (stmt == NULL)
    return NULL;
  users = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_user_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (users, user_from_stmt (stmt));
  sqlite3_finalize (stmt);
  return users;
}

static gboolean
sqlite_update_user (CrmServerBackend     *backend,
                    const CrmServerUser  *user,
                    GError              **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "UPDATE users SET role = ?, team = ?, disabled = ?, password_hash = ? WHERE id = ?";
  sqlite3_stmt *stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, user->role);
  bind_text (stmt, 2, user->team);
  sqlite3_bind_int (stmt, 3, user->disabled ? 1 : 0);
  bind_text (stmt, 4, user->password_hash);
  bind_text (stmt, 5, user->id);
  return step_done (self, stmt, error);
}

static gboolean
sqlite_touch_device (CrmServerBackend  *backend,
                     const char        *client_id,
                     const char        *user_id,
                     const char        *label,
                     gint64             seen_at,
                     GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "INSERT INTO devices (client_id, user_id, label, last_seen) VALUES (?1, ?2, ?3, ?4)\n"
    "ON CONFLICT (client_id) DO UPDATE SET user_id = ?2, label = coalesce (?3, label),\n"
    "  last_seen = max (last_seen, ?4), revoked = CASE WHEN ?3 IS NULL THEN revoked ELSE 0 END";
  sqlite3_stmt *stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, client_id);
  bind_text (stmt, 2, user_id);
  bind_text (stmt, 3, label);
  sqlite3_bind_int64 (stmt, 4, seen_at);
  return step_done (self, stmt, error);
}

static GPtrArray *
sqlite_user_devices (CrmServerBackend  *backend,
                     const char        *user_id,
                     GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self,
                                "SELECT client_id, user_id, label, last_seen, revoked FROM devices\n"
                                "WHERE user_id = ? ORDER BY last_seen DESC", error);
  GPtrArray *devices;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, user_id);
  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_device_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      CrmServerDevice *device = g_new0 (CrmServerDevice, 1);

      device->client_id = column_dup (stmt, 0);
      device->user_id = column_dup (stmt, 1);
      device->label = column_dup (stmt, 2);
      device->last_seen = sqlite3_column_int64 (stmt, 3);
      device->revoked = sqlite3_column_int (stmt, 4) != 0;
      g_ptr_array_add (devices, device);
    }
  sqlite3_finalize (stmt);
  return devices;
}

static gboolean
sqlite_revoke_device (CrmServerBackend  *backend,
                      const char        *client_id,
                      GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt;

  stmt = prepare (self, "UPDATE devices SET revoked = 1 WHERE client_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, client_id);
  if (!step_done (self, stmt, error))
    return FALSE;
  stmt = prepare (self, "UPDATE tokens SET revoked = 1 WHERE client_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, client_id);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No device “%s” ever signed in."), client_id);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
sqlite_owned_contacts (CrmServerBackend  *backend,
                       const char        *owner_id,
                       GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self,
                                "SELECT id FROM rows WHERE table_name = 'contacts' AND deleted = 0\n"
                                "AND scope_owner = ? ORDER BY seq", error);
  GPtrArray *ids;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, owner_id);
  ids = g_ptr_array_new_with_free_func (g_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (ids, column_dup (stmt, 0));
  sqlite3_finalize (stmt);
  return ids;
}

static gboolean
sqlite_add_audit_entry (CrmServerBackend           *backend,
                        const CrmServerAuditEntry  *entry,
                        GError                    **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "INSERT INTO audit_log (received_at, edit_at, edit_hlc, user_id, user_name, client_id,\n"
    "  table_name, row_id, op, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  sqlite3_stmt *stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->received_at);
  sqlite3_bind_int64 (stmt, 2, entry->edit_at);
  bind_text (stmt, 3, entry->edit_hlc);
  bind_text (stmt, 4, entry->user_id);
  bind_text (stmt, 5, entry->user_name);
  bind_text (stmt, 6, entry->client_id);
  bind_text (stmt, 7, entry->table);
  bind_text (stmt, 8, entry->row_id);
  bind_text (stmt, 9, entry->op);
  bind_text (stmt, 10, entry->changes);
  return step_done (self, stmt, error);
}

static GPtrArray *
sqlite_list_audit (CrmServerBackend           *backend,
                   const CrmServerAuditQuery  *query,
                   GError                    **error)
{
  CrmServerSqlite *self = SELF (backend);
  /* Every filter is in the statement; a NULL parameter turns it off. */
  static const char sql[] =
    "SELECT id, received_at, edit_at, edit_hlc, user_id, user_name, client_id, table_name, row_id, op, changes\n"
    "FROM audit_log WHERE (?1 IS NULL OR user_id = ?1)\n"
    "  AND (?2 IS NULL OR user_id IN (SELECT id FROM users WHERE team = ?2))\n"
    "  AND (?3 IS NULL OR table_name = ?3) AND (?4 IS NULL OR row_id = ?4)\n"
    "  AND (?5 IS NULL OR edit_at >= ?5) AND (?6 IS NULL OR edit_at < ?6)\n"
    "  AND (?7 IS NULL OR id < ?7)\n"
    "ORDER BY id DESC LIMIT ?8";
  sqlite3_stmt *stmt = prepare (self, sql, error);
  GPtrArray *entries;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, query->user_id);
  bind_text (stmt, 2, query->team);
  bind_text (stmt, 3, query->table);
  bind_text (stmt, 4, query->row_id);
  if (query->since > 0)
    sqlite3_bind_int64 (stmt, 5, query->since);
  if (query->until > 0)
    sqlite3_bind_int64 (stmt, 6, query->until);
  if (query->before_id > 0)
    sqlite3_bind_int64 (stmt, 7, query->before_id);
  sqlite3_bind_int64 (stmt, 8, query->limit > 0 ? query->limit : 100);
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_audit_entry_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      CrmServerAuditEntry *entry = g_new0 (CrmServerAuditEntry, 1);

      entry->id = sqlite3_column_int64 (stmt, 0);
      entry->received_at = sqlite3_column_int64 (stmt, 1);
      entry->edit_at = sqlite3_column_int64 (stmt, 2);
      entry->edit_hlc = column_dup (stmt, 3);
      entry->user_id = column_dup (stmt, 4);
      entry->user_name = column_dup (stmt, 5);
      entry->client_id = column_dup (stmt, 6);
      entry->table = column_dup (stmt, 7);
      entry->row_id = column_dup (stmt, 8);
      entry->op = column_dup (stmt, 9);
      entry->changes = column_dup (stmt, 10);
      g_ptr_array_add (entries, entry);
    }
  sqlite3_finalize (stmt);
  return entries;
}

/* --- API keys (REST API) --------------------------------------------------- */

static gboolean
sqlite_add_api_key (CrmServerBackend       *backend,
                    const CrmServerApiKey  *key,
                    GError                **error)
{
  CrmServerSqlite *self = SELF (backend);
  static const char sql[] =
    "INSERT INTO api_keys (id, name, scopes, key_hash, created_at) VALUES (?, ?, ?, ?, ?)";
  sqlite3_stmt *stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key->id);
  bind_text (stmt, 2, key->name);
  bind_text (stmt, 3, key->scopes);
  bind_text (stmt, 4, key->key_hash);
  sqlite3_bind_int64 (stmt, 5, key->created_at);
  return step_done (self, stmt, error);
}

#define API_KEY_COLUMNS "id, name, scopes, key_hash, created_at, revoked"

static CrmServerApiKey *
api_key_from_stmt (sqlite3_stmt *stmt)
{
  CrmServerApiKey *key = g_new0 (CrmServerApiKey, 1);

  key->id = column_dup (stmt, 0);
  key->name = column_dup (stmt, 1);
  key->scopes = column_dup (stmt, 2);
  key->key_hash = column_dup (stmt, 3);
  key->created_at = sqlite3_column_int64 (stmt, 4);
  key->revoked = sqlite3_column_int (stmt, 5) != 0;
  return key;
}

static CrmServerApiKey *
sqlite_find_api_key (CrmServerBackend  *backend,
                     const char        *key_hash,
                     GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT " API_KEY_COLUMNS " FROM api_keys WHERE key_hash = ?", error);
  CrmServerApiKey *key = NULL;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, key_hash);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    key = api_key_from_stmt (stmt);
  sqlite3_finalize (stmt);
  return key;
}

static GPtrArray *
sqlite_list_api_keys (CrmServerBackend  *backend,
                      GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT " API_KEY_COLUMNS " FROM api_keys ORDER BY created_at, id", error);
  GPtrArray *keys;

  if (stmt == NULL)
    return NULL;
  keys = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_api_key_free);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (keys, api_key_from_stmt (stmt));
  sqlite3_finalize (stmt);
  return keys;
}

static gboolean
sqlite_revoke_api_key (CrmServerBackend  *backend,
                       const char        *id,
                       GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "UPDATE api_keys SET revoked = 1 WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no API key %s."), id);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
sqlite_rows_of_table (CrmServerBackend  *backend,
                      const char        *table,
                      gint64             after,
                      guint              limit,
                      GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT " ROW_COLUMNS " FROM rows"
                                      " WHERE table_name = ? AND seq > ? ORDER BY seq LIMIT ?", error);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, table);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int (stmt, 3, (int) limit);
  return rows_query (self, stmt);
}

static GPtrArray *
sqlite_rows_with_element (CrmServerBackend  *backend,
                          const char        *table,
                          const char        *field,
                          const char        *value,
                          GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  sqlite3_stmt *stmt = prepare (self, "SELECT " ROW_COLUMNS " FROM rows"
                                      " WHERE table_name = ?1 AND deleted = 0 AND EXISTS"
                                      " (SELECT 1 FROM json_each (rows.data, '$.' || ?2) WHERE value = ?3)",
                                error);

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, table);
  bind_text (stmt, 2, field);
  bind_text (stmt, 3, value);
  return rows_query (self, stmt);
}

/* The SQL names table and field literally, as the indexes above do:
 * SQLite uses a partial expression index only for a query that says the
 * same. */
static GPtrArray *
sqlite_rows_with_key (CrmServerBackend  *backend,
                      const char        *table,
                      const char        *field,
                      const char        *value,
                      GError           **error)
{
  CrmServerSqlite *self = SELF (backend);
  const char *sql;
  sqlite3_stmt *stmt;

  if (g_strcmp0 (table, "purchases") == 0 && g_strcmp0 (field, "order_ref") == 0)
    sql = "SELECT " ROW_COLUMNS " FROM rows WHERE table_name = 'purchases' AND deleted = 0"
          " AND json_extract (data, '$.order_ref') = ?";
  else if (g_strcmp0 (table, "contacts") == 0 && g_strcmp0 (field, "external_id") == 0)
    sql = "SELECT " ROW_COLUMNS " FROM rows WHERE table_name = 'contacts' AND deleted = 0"
          " AND json_extract (data, '$.external_id') = ?";
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no index on %s.%s", table, field);
      return NULL;
    }
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, value);
  return rows_query (self, stmt);
}

static const CrmServerBackendVTable sqlite_vtable = {
  .free = sqlite_free,
  .begin = sqlite_begin,
  .commit = sqlite_commit,
  .rollback = sqlite_rollback,
  .ready = sqlite_ready,
  .add_user = sqlite_add_user,
  .find_user = sqlite_find_user,
  .team_members = sqlite_team_members,
  .add_token = sqlite_add_token,
  .check_token = sqlite_check_token,
  .token_client = sqlite_token_client,
  .revoke_tokens = sqlite_revoke_tokens,
  .client_last_mutation = sqlite_client_last_mutation,
  .find_mutation = sqlite_find_mutation,
  .record_mutation = sqlite_record_mutation,
  .get_row = sqlite_get_row,
  .put_row = sqlite_put_row,
  .next_seq = sqlite_next_seq,
  .max_seq = sqlite_max_seq,
  .changes_after = sqlite_changes_after,
  .rows_of_contact = sqlite_rows_of_contact,
  .add_conflict = sqlite_add_conflict,
  .client_conflicts = sqlite_client_conflicts,
  .audit = sqlite_audit,
  .rows_with_field = sqlite_rows_with_field,
  /* API keys (REST API) */
  .add_api_key = sqlite_add_api_key,
  .find_api_key = sqlite_find_api_key,
  .list_api_keys = sqlite_list_api_keys,
  .revoke_api_key = sqlite_revoke_api_key,
  .rows_of_table = sqlite_rows_of_table,
  .rows_with_element = sqlite_rows_with_element,
  .rows_with_key = sqlite_rows_with_key,
  .list_users = sqlite_list_users,
  .update_user = sqlite_update_user,
  .touch_device = sqlite_touch_device,
  .user_devices = sqlite_user_devices,
  .revoke_device = sqlite_revoke_device,
  .owned_contacts = sqlite_owned_contacts,
  .add_audit_entry = sqlite_add_audit_entry,
  .list_audit = sqlite_list_audit,
};

CrmServerBackend *
crm_server_sqlite_open (const char  *path,
                        GError     **error)
{
  CrmServerSqlite *self = g_new0 (CrmServerSqlite, 1);
  int rc;

  self->parent.vtable = &sqlite_vtable;
  self->path = g_strdup (path);

  /* Password hashes and customer data: readable by the server's user only. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      int fd = g_open (path, O_CREAT | O_WRONLY, 0600);

      if (fd >= 0)
        close (fd);
    }

  crm_store_init_sqlite ();
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK ||
      !exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !exec (self, "PRAGMA busy_timeout = 10000", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !exec (self, schema_sql, error) ||
      !exec (self, api_schema_sql, error) ||
      !exec (self, admin_schema_sql, error) ||
      !upgrade_shared_meta (self, error))
    {
      if (rc != SQLITE_OK)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("Cannot open the server database %s: %s"), path, sqlite3_errstr (rc));
      sqlite_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}

void
crm_server_backend_free (CrmServerBackend *self)
{
  if (self != NULL)
    self->vtable->free (self);
}

void
crm_server_user_free (CrmServerUser *user)
{
  if (user == NULL)
    return;
  g_free (user->id);
  g_free (user->name);
  g_free (user->role);
  g_free (user->team);
  g_free (user->password_hash);
  g_free (user);
}

/* Fields written in the current transaction carry seq 0 until the row's
 * seq exists: both backends stamp them with it just before writing. */
void
crm_server_row_stamp_seq (CrmServerRow *row,
                          gint64        seq)
{
  JsonObjectIter iter;
  JsonNode *entry;

  json_object_iter_init (&iter, row->meta);
  while (json_object_iter_next (&iter, NULL, &entry))
    {
      JsonArray *pair = JSON_NODE_HOLDS_ARRAY (entry) ? json_node_get_array (entry) : NULL;

      if (pair != NULL && json_array_get_length (pair) >= 2 &&
          json_array_get_int_element (pair, 1) == 0)
        json_node_set_int (json_array_get_element (pair, 1), seq);
    }
}

const char *
crm_server_row_contact_id (CrmServerRow *row)
{
  JsonNode *node = json_object_get_member (row->data, "contact_id");

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

const char *
crm_server_row_shared_meta (const CrmServerRow *row,
                            CrmServerMetaEntry  entry)
{
  JsonObjectIter iter;
  const char *field;
  const char *shared = NULL;

  if (json_object_get_size (row->data) < 2)
    return NULL;
  json_object_iter_init (&iter, row->data);
  while (json_object_iter_next (&iter, &field, NULL))
    {
      JsonNode *node = json_object_get_member (row->meta, field);
      JsonArray *meta = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
      JsonNode *value = meta != NULL && json_array_get_length (meta) > entry
                        ? json_array_get_element (meta, entry) : NULL;
      const char *text = value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
                         json_node_get_value_type (value) == G_TYPE_STRING
                         ? json_node_get_string (value) : NULL;

      if (text == NULL || (shared != NULL && strcmp (text, shared) != 0))
        return NULL;
      shared = text;
    }
  return shared;
}

void
crm_server_change_free (CrmServerChange *change)
{
  if (change == NULL)
    return;
  g_free (change->table);
  g_free (change->id);
  g_free (change->scope_owner);
  g_free (change->data);
  g_free (change->hlcs);
  g_free (change->authors);
  g_free (change->deleted_by);
  g_free (change);
}

void
crm_server_row_free (CrmServerRow *row)
{
  if (row == NULL)
    return;
  g_free (row->table);
  g_free (row->id);
  g_clear_pointer (&row->data, json_object_unref);
  g_clear_pointer (&row->meta, json_object_unref);
  g_free (row->scope_owner);
  g_free (row);
}

void
crm_server_device_free (CrmServerDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->client_id);
  g_free (device->user_id);
  g_free (device->label);
  g_free (device);
}

void
crm_server_audit_entry_free (CrmServerAuditEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->edit_hlc);
  g_free (entry->user_id);
  g_free (entry->user_name);
  g_free (entry->client_id);
  g_free (entry->table);
  g_free (entry->row_id);
  g_free (entry->op);
  g_free (entry->changes);
  g_free (entry);
}

void
crm_server_mutation_record_free (CrmServerMutationRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->digest);
  g_free (record->result);
  g_free (record);
}
