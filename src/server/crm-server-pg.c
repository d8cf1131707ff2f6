/* crm-server-pg.c: crm-server storage in PostgreSQL, shared by several server processes */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <string.h>

#include "crm-json.h"
#include "crm-server-backend.h"
#include "crm-sync-protocol.h"
#include "crm-server-pg-private.h"

/* One connection per process, no pool: crm-server answers one request at a
 * time on its main loop (SoupServer handlers run to completion and the
 * backend is only called from them), so a second connection would never be
 * used. A team scales by running more processes on one database. */

/* Serialises schema migrations of processes starting at the same time. */
#define MIGRATE_LOCK_KEY 0x63726d01

typedef enum
{
  STMT_ADD_USER,
  STMT_FIND_USER,
  STMT_TEAM_MEMBERS,
  STMT_ADD_TOKEN,
  STMT_CHECK_TOKEN,
  STMT_TOKEN_CLIENT,
  STMT_REVOKE_TOKENS,
  STMT_CLIENT_LOCK,
  STMT_CLIENT_ENSURE,
  STMT_FIND_MUTATION,
  STMT_INSERT_MUTATION,
  STMT_UPDATE_CLIENT,
  STMT_GET_ROW,
  STMT_GET_ROW_LOCKED,
  STMT_NEXT_SEQ,
  STMT_PUT_ROW,
  STMT_MAX_SEQ,
  STMT_CHANGES_AFTER,
  STMT_ROWS_OF_CONTACT,
  STMT_ROWS_WITH_FIELD,
  STMT_ADD_CONFLICT,
  STMT_ACK_CONFLICTS,
  STMT_CONFLICTS,
  STMT_AUDIT,
  STMT_PING,
  /* API keys (REST API) */
  STMT_ADD_API_KEY,
  STMT_FIND_API_KEY,
  STMT_LIST_API_KEYS,
  STMT_REVOKE_API_KEY,
  STMT_ROWS_OF_TABLE,
  STMT_ROWS_WITH_ELEMENT,
  STMT_PURCHASES_BY_ORDER_REF,
  STMT_CONTACTS_BY_EXTERNAL_ID,
  N_STMTS
} Stmt;

#define ROW_COLUMNS "table_name, id, data, meta, deleted, scope_owner, seq"

static const char * const statements[N_STMTS] = {
  [STMT_ADD_USER] =
    "INSERT INTO users (id, name, role, team, password_hash) VALUES ($1, $2, $3, $4, $5)\n"
    "ON CONFLICT (name) DO UPDATE SET role = excluded.role, team = excluded.team,\n"
    "  password_hash = excluded.password_hash, disabled = false",
  [STMT_FIND_USER] =
    "SELECT id, name, role, team, password_hash, disabled FROM users WHERE name = $1 OR id = $1",
  [STMT_TEAM_MEMBERS] = "SELECT id FROM users WHERE team = $1",
  [STMT_ADD_TOKEN] =
    "INSERT INTO tokens (hash, user_id, client_id, expires_at) VALUES ($1, $2, $3, $4)",
  [STMT_CHECK_TOKEN] =
    "SELECT t.user_id FROM tokens t JOIN users u ON u.id = t.user_id\n"
    "WHERE t.hash = $1 AND NOT t.revoked AND NOT u.disabled AND t.expires_at > $2",
  [STMT_TOKEN_CLIENT] = "SELECT client_id FROM tokens WHERE hash = $1",
  [STMT_REVOKE_TOKENS] = "UPDATE tokens SET revoked = true WHERE user_id = $1",
  /* The per-client lock: two instances receiving pushes of one client
   * queue here, and the second sees the mutation id the first committed. */
  [STMT_CLIENT_LOCK] = "SELECT last_mutation_id FROM clients WHERE client_id = $1 FOR UPDATE",
  [STMT_CLIENT_ENSURE] =
    "INSERT INTO clients (client_id, last_mutation_id) VALUES ($1, 0) ON CONFLICT (client_id) DO NOTHING",
  [STMT_FIND_MUTATION] = "SELECT digest, result FROM mutations WHERE client_id = $1 AND mutation_id = $2",
  [STMT_INSERT_MUTATION] =
    "INSERT INTO mutations (client_id, mutation_id, digest, result) VALUES ($1, $2, $3, $4)",
  [STMT_UPDATE_CLIENT] =
    "INSERT INTO clients (client_id, user_id, last_mutation_id) VALUES ($1, $2, $3)\n"
    "ON CONFLICT (client_id) DO UPDATE SET last_mutation_id = excluded.last_mutation_id,\n"
    "  user_id = excluded.user_id",
  [STMT_GET_ROW] = "SELECT " ROW_COLUMNS " FROM rows WHERE table_name = $1 AND id = $2",
  /* Inside a push: two clients editing one row merge one after the other,
   * each from the row the other committed. */
  [STMT_GET_ROW_LOCKED] = "SELECT " ROW_COLUMNS " FROM rows WHERE table_name = $1 AND id = $2 FOR UPDATE",
  /* The global seq, see pg_put_row() for why it is a locked counter row. */
  [STMT_NEXT_SEQ] = "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value",
  [STMT_PUT_ROW] =
    "INSERT INTO rows (table_name, id, data, meta, deleted, scope_owner, contact_id, seq,\n"
    "                  shared_clock, shared_author)\n"
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)\n"
    "ON CONFLICT (table_name, id) DO UPDATE SET data = excluded.data, meta = excluded.meta,\n"
    "  deleted = excluded.deleted, scope_owner = excluded.scope_owner,\n"
    "  contact_id = excluded.contact_id, seq = excluded.seq,\n"
    "  shared_clock = excluded.shared_clock, shared_author = excluded.shared_author",
  [STMT_MAX_SEQ] = "SELECT value FROM counters WHERE name = 'seq'",
  /* meta holds field -> [clock, seq, author]; as in crm-server-sqlite.c. */
  [STMT_CHANGES_AFTER] =
    "SELECT table_name, id, deleted, scope_owner, seq, data,\n"
    "  CASE WHEN deleted THEN NULL\n"
    "       WHEN $3 AND shared_clock IS NOT NULL THEN json_build_object ('*', shared_clock)\n"
    "       ELSE (SELECT json_object_agg (key, value -> 0) FROM json_each (meta)\n"
    "             WHERE json_typeof (value) = 'array') END,\n"
    "  CASE WHEN deleted THEN NULL\n"
    "       WHEN $4 AND shared_author IS NOT NULL THEN json_build_object ('*', shared_author)\n"
    "       ELSE (SELECT json_object_agg (key, value -> 2) FROM json_each (meta)\n"
    "             WHERE json_typeof (value) = 'array' AND json_typeof (value -> 2) = 'string') END,\n"
    "  CASE WHEN deleted AND json_typeof (meta -> 'deleted' -> 2) = 'string' THEN meta -> 'deleted' ->> 2 END\n"
    "FROM rows WHERE seq > $1 ORDER BY seq LIMIT $2",
  [STMT_ROWS_OF_CONTACT] = "SELECT " ROW_COLUMNS " FROM rows WHERE contact_id = $1",
  [STMT_ROWS_WITH_FIELD] =
    "SELECT " ROW_COLUMNS " FROM rows WHERE table_name = $1 AND NOT deleted AND data ->> $2 = $3",
  [STMT_ADD_CONFLICT] = "INSERT INTO client_conflicts (client_id, body) VALUES ($1, $2)",
  [STMT_ACK_CONFLICTS] = "DELETE FROM client_conflicts WHERE client_id = $1 AND id <= $2",
  [STMT_CONFLICTS] = "SELECT id, body FROM client_conflicts WHERE client_id = $1 ORDER BY id LIMIT 1000",
  [STMT_AUDIT] =
    "INSERT INTO audit (user_id, client_id, mutation_id, table_name, row_id, op, status)\n"
    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
  [STMT_PING] = "SELECT 1",
  /* API keys (REST API) */
  [STMT_ADD_API_KEY] =
    "INSERT INTO api_keys (id, name, scopes, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
  [STMT_FIND_API_KEY] =
    "SELECT id, name, scopes, key_hash, created_at, revoked FROM api_keys WHERE key_hash = $1",
  [STMT_LIST_API_KEYS] =
    "SELECT id, name, scopes, key_hash, created_at, revoked FROM api_keys ORDER BY created_at, id",
  [STMT_REVOKE_API_KEY] = "UPDATE api_keys SET revoked = true WHERE id = $1",
  [STMT_ROWS_OF_TABLE] =
    "SELECT " ROW_COLUMNS " FROM rows WHERE table_name = $1 AND seq > $2 ORDER BY seq LIMIT $3",
  /* jsonb's ? finds a string among an array's elements. */
  [STMT_ROWS_WITH_ELEMENT] =
    "SELECT " ROW_COLUMNS " FROM rows WHERE table_name = $1 AND NOT deleted\n"
    "  AND json_typeof (data -> $2) = 'array' AND (data -> $2)::jsonb ? $3",
  /* Literal table and field, as in the indexes of migration 2. */
  [STMT_PURCHASES_BY_ORDER_REF] =
    "SELECT " ROW_COLUMNS " FROM rows WHERE table_name = 'purchases' AND NOT deleted\n"
    "  AND data ->> 'order_ref' = $1",
  [STMT_CONTACTS_BY_EXTERNAL_ID] =
    "SELECT " ROW_COLUMNS " FROM rows WHERE table_name = 'contacts' AND NOT deleted\n"
    "  AND data ->> 'external_id' = $1",
};

/* Schema migrations, each run once in order; schema_version holds how many
 * ran. Append, never edit one that shipped. */
static const char * const migrations[] = {
  /* 1: the tables of crm-server-sqlite.c */
  "CREATE TABLE users (\n"
  "  id text PRIMARY KEY,\n"
  "  name text NOT NULL UNIQUE,\n"
  "  role text NOT NULL CHECK (role IN ('admin', 'manager', 'analyst', 'sales', 'marketing', 'service')),\n"
  "  team text,\n"
  "  password_hash text NOT NULL,\n"
  "  disabled boolean NOT NULL DEFAULT false,\n"
  "  created_at timestamptz NOT NULL DEFAULT now ()\n"
  ");\n"
  "CREATE TABLE tokens (\n"
  "  hash text PRIMARY KEY,\n"
  "  user_id text NOT NULL REFERENCES users (id),\n"
  "  client_id text NOT NULL,\n"
  "  expires_at bigint NOT NULL,\n"
  "  revoked boolean NOT NULL DEFAULT false\n"
  ");\n"
  "CREATE INDEX tokens_user ON tokens (user_id);\n"
  "CREATE TABLE clients (\n"
  "  client_id text PRIMARY KEY,\n"
  "  user_id text,\n"
  "  last_mutation_id bigint NOT NULL DEFAULT 0\n"
  ");\n"
  "CREATE TABLE mutations (\n"
  "  client_id text NOT NULL,\n"
  "  mutation_id bigint NOT NULL,\n"
  "  digest text NOT NULL,\n"
  "  result text NOT NULL,\n"
  "  PRIMARY KEY (client_id, mutation_id)\n"
  ");\n"
  /* json, not jsonb: kept as sent (key order, numbers, \\u0000), and
   * ->> still finds a survey's questions. */
  "CREATE TABLE rows (\n"
  "  table_name text NOT NULL,\n"
  "  id text NOT NULL,\n"
  "  data json NOT NULL,\n"
  "  meta json NOT NULL,\n"
  "  deleted boolean NOT NULL DEFAULT false,\n"
  "  scope_owner text,\n"
  "  contact_id text,\n"
  "  seq bigint NOT NULL UNIQUE,\n"
  "  PRIMARY KEY (table_name, id)\n"
  ");\n"
  "CREATE INDEX rows_contact ON rows (contact_id) WHERE contact_id IS NOT NULL;\n"
  "CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);\n"
  "INSERT INTO counters (name, value) VALUES ('seq', 0);\n"
  "CREATE TABLE client_conflicts (\n"
  "  id bigserial PRIMARY KEY,\n"
  "  client_id text NOT NULL,\n"
  "  body text NOT NULL\n"
  ");\n"
  "CREATE INDEX client_conflicts_client ON client_conflicts (client_id, id);\n"
  "CREATE TABLE audit (\n"
  "  seq bigserial PRIMARY KEY,\n"
  "  at timestamptz NOT NULL DEFAULT now (),\n"
  "  user_id text,\n"
  "  client_id text,\n"
  "  mutation_id bigint,\n"
  "  table_name text,\n"
  "  row_id text,\n"
  "  op text,\n"
  "  status text\n"
  ");\n",
  /* 2: the REST API's keys, and the index its per-table pages read */
  "CREATE TABLE api_keys (\n"
  "  id text PRIMARY KEY,\n"
  "  name text NOT NULL,\n"
  "  scopes text NOT NULL,\n"
  "  key_hash text NOT NULL UNIQUE,\n"
  "  created_at bigint NOT NULL,\n"
  "  revoked boolean NOT NULL DEFAULT false\n"
  ");\n"
  "CREATE INDEX rows_table_seq ON rows (table_name, seq);\n"
  "CREATE INDEX rows_purchase_order_ref ON rows ((data ->> 'order_ref')) WHERE table_name = 'purchases';\n"
  "CREATE INDEX rows_contact_external_id ON rows ((data ->> 'external_id')) WHERE table_name = 'contacts';\n",
  /* 3: administration: the devices users signed in from, and the
   * per-field audit log */
  "CREATE TABLE devices (\n"
  "  client_id text PRIMARY KEY,\n"
  "  user_id text NOT NULL,\n"
  "  label text,\n"
  "  last_seen bigint NOT NULL DEFAULT 0,\n"
  "  revoked boolean NOT NULL DEFAULT false\n"
  ");\n"
  "CREATE INDEX devices_user ON devices (user_id);\n"
  "CREATE INDEX tokens_client ON tokens (client_id);\n"
  "CREATE TABLE audit_log (\n"
  "  id bigserial PRIMARY KEY,\n"
  "  received_at bigint NOT NULL,\n"
  "  edit_at bigint NOT NULL,\n"
  "  edit_hlc text NOT NULL,\n"
  "  user_id text,\n"
  "  user_name text,\n"
  "  client_id text,\n"
  "  table_name text NOT NULL,\n"
  "  row_id text NOT NULL,\n"
  "  op text NOT NULL,\n"
  "  changes text NOT NULL\n"
  ");\n"
  "CREATE INDEX audit_log_row ON audit_log (table_name, row_id);\n"
  "CREATE INDEX audit_log_user ON audit_log (user_id);\n"
  "CREATE INDEX audit_log_edit ON audit_log (edit_at);\n",
  /* 4: the clock and the author all of a row's fields share, written with
   * the row (crm_server_row_shared_meta()); a pull read them from meta,
   * three times per row. Rows already stored get them by the same rule. */
  "ALTER TABLE rows ADD COLUMN shared_clock text, ADD COLUMN shared_author text;\n"
  "UPDATE rows SET\n"
  "  shared_clock = (SELECT min (v) FROM\n"
  "      (SELECT CASE WHEN json_typeof (value -> 0) = 'string' THEN value ->> 0 END AS v\n"
  "       FROM json_each (meta) WHERE json_typeof (value) = 'array' AND data -> key IS NOT NULL) m\n"
  "    HAVING count(*) > 1 AND count(v) = count(*) AND min (v) = max (v)\n"
  "      AND count(*) = (SELECT count(*) FROM json_each (data))),\n"
  "  shared_author = (SELECT min (v) FROM\n"
  "      (SELECT CASE WHEN json_typeof (value -> 2) = 'string' THEN value ->> 2 END AS v\n"
  "       FROM json_each (meta) WHERE json_typeof (value) = 'array' AND data -> key IS NOT NULL) m\n"
  "    HAVING count(*) > 1 AND count(v) = count(*) AND min (v) = max (v)\n"
  "      AND count(*) = (SELECT count(*) FROM json_each (data)));\n",
};

typedef struct
{
  CrmServerBackend parent;
  char *conninfo;
  PGconn *conn;
  gboolean prepared[N_STMTS];
  gboolean in_transaction;
} CrmServerPg;

#define SELF(b) ((CrmServerPg *) (b))

/* libpq's messages end in a newline and may span lines ("…failed:\n\tIs
 * the server running…"): one line for logs and JSON answers. */
static char *
one_line (const char *message)
{
  GString *line = g_string_new (NULL);

  for (const char *p = message ? message : ""; *p != '\0'; p++)
    {
      if (!g_ascii_isspace (*p))
        g_string_append_c (line, *p);
      else if (line->len > 0 && line->str[line->len - 1] != ' ')
        g_string_append_c (line, ' ');
    }
  if (line->len > 0 && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);
  return g_string_free (line, FALSE);
}

static void
set_connection_error (CrmServerPg  *self,
                      GError      **error)
{
  g_autofree char *message = one_line (self->conn ? PQerrorMessage (self->conn) : NULL);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
               _("The PostgreSQL database is unreachable: %s"), message);
}

/* Connection loss and restarts are G_IO_ERROR_NOT_CONNECTED, lock
 * conflicts G_IO_ERROR_BUSY: crm-server answers both with 503, the
 * client tries again later. */
static void
set_result_error (CrmServerPg       *self,
                  const PGresult    *result,
                  GError           **error)
{
  const char *state = result ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  g_autofree char *message = one_line (result && *PQresultErrorMessage (result)
                                       ? PQresultErrorMessage (result) : PQerrorMessage (self->conn));
  GIOErrorEnum code = G_IO_ERROR_FAILED;

  if (PQstatus (self->conn) != CONNECTION_OK ||
      (state != NULL && (g_str_has_prefix (state, "08") || g_str_has_prefix (state, "57P"))))
    code = G_IO_ERROR_NOT_CONNECTED;
  else if (g_strcmp0 (state, "40001") == 0 || g_strcmp0 (state, "40P01") == 0 ||
           g_strcmp0 (state, "55P03") == 0)
    code = G_IO_ERROR_BUSY;
  g_set_error (error, G_IO_ERROR, code, _("PostgreSQL: %s"), message);
}

static void
ignore_notice (void       *data,
               const char *message)
{
}

static gboolean
connect_db (CrmServerPg  *self,
            GError      **error)
{
  /* Later keys win, so whatever the URL says overrides these defaults. */
  static const char * const keys[] = { "connect_timeout", "application_name", "dbname", NULL };
  const char *values[] = { "10", "crm-server", self->conninfo, NULL };

  g_clear_pointer (&self->conn, PQfinish);
  memset (self->prepared, 0, sizeof self->prepared);
  self->conn = PQconnectdbParams (keys, values, TRUE);
  if (self->conn == NULL || PQstatus (self->conn) != CONNECTION_OK)
    {
      set_connection_error (self, error);
      return FALSE;
    }
  PQsetNoticeProcessor (self->conn, ignore_notice, NULL);
  if (PQsetClientEncoding (self->conn, "UTF8") != 0)
    {
      set_connection_error (self, error);
      return FALSE;
    }
  return TRUE;
}

/* A connection lost inside a transaction stays an error until rollback:
 * statements on a fresh one would run outside the transaction. */
static gboolean
ensure_connection (CrmServerPg  *self,
                   GError      **error)
{
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;
  if (self->in_transaction)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           _("The connection to PostgreSQL was lost during the transaction."));
      return FALSE;
    }
  return connect_db (self, error);
}

static gboolean
result_ok (const PGresult *result)
{
  ExecStatusType status = PQresultStatus (result);

  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

/* Runs prepared statement @stmt, preparing it on this connection first.
 * Outside a transaction a connection found dead (PostgreSQL restarted
 * since the last request) is replaced and the statement sent once more:
 * it never reached the server, so the request need not fail. */
static PGresult *
run (CrmServerPg        *self,
     Stmt                stmt,
     int                 n_params,
     const char * const *params,
     GError            **error)
{
  g_autofree char *name = g_strdup_printf ("crm_%d", (int) stmt);

  for (guint attempt = 0;; attempt++)
    {
      PGresult *result;

      if (!ensure_connection (self, error))
        return NULL;
      if (!self->prepared[stmt])
        {
          result = PQprepare (self->conn, name, statements[stmt], n_params, NULL);
          if (result_ok (result))
            {
              self->prepared[stmt] = TRUE;
              PQclear (result);
            }
          else if (PQstatus (self->conn) == CONNECTION_BAD && !self->in_transaction && attempt == 0)
            {
              PQclear (result);
              continue;
            }
          else
            {
              set_result_error (self, result, error);
              PQclear (result);
              return NULL;
            }
        }

      result = PQexecPrepared (self->conn, name, n_params, params, NULL, NULL, 0);
      if (result_ok (result))
        return result;
      if (PQstatus (self->conn) == CONNECTION_BAD && !self->in_transaction && attempt == 0)
        {
          PQclear (result);
          continue;
        }
      set_result_error (self, result, error);
      PQclear (result);
      return NULL;
    }
}

/* Runs @stmt for its effect only. */
static gboolean
run_done (CrmServerPg        *self,
          Stmt                stmt,
          int                 n_params,
          const char * const *params,
          GError            **error)
{
  PGresult *result = run (self, stmt, n_params, params, error);

  if (result == NULL)
    return FALSE;
  PQclear (result);
  return TRUE;
}

static gboolean
exec_simple (CrmServerPg  *self,
             const char   *sql,
             GError      **error)
{
  PGresult *result = PQexec (self->conn, sql);
  gboolean ok = result_ok (result);

  if (!ok)
    set_result_error (self, result, error);
  PQclear (result);
  return ok;
}

static char *
value_dup (const PGresult *result,
           int             row,
           int             column)
{
  if (PQgetisnull (result, row, column))
    return NULL;
  return g_strdup (PQgetvalue (result, row, column));
}

static gint64
value_int (const PGresult *result,
           int             row,
           int             column)
{
  return g_ascii_strtoll (PQgetvalue (result, row, column), NULL, 10);
}

static gboolean
value_bool (const PGresult *result,
            int             row,
            int             column)
{
  return PQgetvalue (result, row, column)[0] == 't';
}

/* The steps of migrate(), inside its transaction. */
static gboolean
migrate_steps (CrmServerPg  *self,
               GError      **error)
{
  g_autofree char *lock = g_strdup_printf ("SELECT pg_advisory_xact_lock (%d)", MIGRATE_LOCK_KEY);
  PGresult *result;
  gint64 version;

  if (!exec_simple (self, lock, error) ||
      !exec_simple (self, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)", error))
    return FALSE;

  result = PQexec (self->conn, "SELECT coalesce (max (version), 0) FROM schema_version");
  if (!result_ok (result))
    {
      set_result_error (self, result, error);
      PQclear (result);
      return FALSE;
    }
  version = value_int (result, 0, 0);
  PQclear (result);

  if (version > (gint64) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The PostgreSQL database has schema version %lld, newer than this crm-server "
                     "knows (%lld). Update crm-server."),
                   (long long) version, (long long) G_N_ELEMENTS (migrations));
      return FALSE;
    }
  for (gint64 i = version; i < (gint64) G_N_ELEMENTS (migrations); i++)
    {
      g_autofree char *record = g_strdup_printf ("DELETE FROM schema_version; "
                                                 "INSERT INTO schema_version (version) VALUES (%lld)",
                                                 (long long) i + 1);

      if (!exec_simple (self, migrations[i], error) || !exec_simple (self, record, error))
        return FALSE;
    }
  return TRUE;
}

/* Brings the schema up to date; the advisory lock makes a second process
 * starting at the same time wait, then find nothing left to do. */
static gboolean
migrate (CrmServerPg  *self,
         GError      **error)
{
  if (!exec_simple (self, "BEGIN", error))
    return FALSE;
  if (!migrate_steps (self, error))
    {
      PQclear (PQexec (self->conn, "ROLLBACK"));
      return FALSE;
    }
  return exec_simple (self, "COMMIT", error);
}

/* --- the vtable ------------------------------------------------------------ */

static void
pg_free (CrmServerBackend *backend)
{
  CrmServerPg *self = SELF (backend);

  g_clear_pointer (&self->conn, PQfinish);
  g_free (self->conninfo);
  g_free (self);
}

static gboolean
pg_begin (CrmServerBackend  *backend,
          GError           **error)
{
  CrmServerPg *self = SELF (backend);

  /* Not in a transaction yet: a connection that died since the last
   * request is replaced here (once) rather than failing the request. */
  self->in_transaction = FALSE;
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!ensure_connection (self, error))
        return FALSE;
      if (exec_simple (self, "BEGIN", &local_error))
        {
          self->in_transaction = TRUE;
          return TRUE;
        }
      if (PQstatus (self->conn) != CONNECTION_BAD || attempt > 0)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  return FALSE;
}

static gboolean
pg_commit (CrmServerBackend  *backend,
           GError           **error)
{
  CrmServerPg *self = SELF (backend);
  PGresult *result;
  gboolean ok;

  if (!ensure_connection (self, error))
    return FALSE;
  result = PQexec (self->conn, "COMMIT");
  /* COMMIT of a transaction that failed answers ROLLBACK, not an error. */
  ok = result_ok (result) && g_strcmp0 (PQcmdStatus (result), "COMMIT") == 0;
  if (!ok && result_ok (result))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         _("PostgreSQL rolled the transaction back instead of committing it."));
  else if (!ok)
    set_result_error (self, result, error);
  PQclear (result);
  self->in_transaction = FALSE;
  return ok;
}

static void
pg_rollback (CrmServerBackend *backend)
{
  CrmServerPg *self = SELF (backend);

  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    PQclear (PQexec (self->conn, "ROLLBACK"));
  self->in_transaction = FALSE;
}

static gboolean
pg_ready (CrmServerBackend  *backend,
          GError           **error)
{
  return run_done (SELF (backend), STMT_PING, 0, NULL, error);
}

static gboolean
pg_add_user (CrmServerBackend     *backend,
             const CrmServerUser  *user,
             GError              **error)
{
  const char *params[] = { user->id, user->name, user->role, user->team, user->password_hash };

  return run_done (SELF (backend), STMT_ADD_USER, G_N_ELEMENTS (params), params, error);
}

static CrmServerUser *
pg_find_user (CrmServerBackend  *backend,
              const char        *name_or_id,
              GError           **error)
{
  const char *params[] = { name_or_id };
  PGresult *result = run (SELF (backend), STMT_FIND_USER, 1, params, error);
  CrmServerUser *user = NULL;

  if (result == NULL)
    return NULL;
  if (PQntuples (result) > 0)
    {
      user = g_new0 (CrmServerUser, 1);
      user->id = value_dup (result, 0, 0);
      user->name = value_dup (result, 0, 1);
      user->role = value_dup (result, 0, 2);
      user->team = value_dup (result, 0, 3);
      user->password_hash = value_dup (result, 0, 4);
      user->disabled = value_bool (result, 0, 5);
    }
  PQclear (result);
  return user;
}

static GPtrArray *
pg_team_members (CrmServerBackend  *backend,
                 const char        *team,
                 GError           **error)
{
  const char *params[] = { team };
  PGresult *result = run (SELF (backend), STMT_TEAM_MEMBERS, 1, params, error);
  GPtrArray *ids;

  if (result == NULL)
    return NULL;
  ids = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < PQntuples (result); i++)
    g_ptr_array_add (ids, value_dup (result, i, 0));
  PQclear (result);
  return ids;
}

static gboolean
pg_add_token (CrmServerBackend  *backend,
              const char        *token_hash,
              const char        *user_id,
              const char        *client_id,
              gint64             expires_at,
              GError           **error)
{
  g_autofree char *expires = g_strdup_printf ("%" PRId64, expires_at);
  const char *params[] = { token_hash, user_id, client_id, expires };

  return run_done (SELF (backend), STMT_ADD_TOKEN, G_N_ELEMENTS (params), params, error);
}

static char *
pg_check_token (CrmServerBackend  *backend,
                const char        *token_hash,
                GError           **error)
{
  g_autofree char *now = g_strdup_printf ("%" PRId64, g_get_real_time () / G_USEC_PER_SEC);
  const char *params[] = { token_hash, now };
  PGresult *result = run (SELF (backend), STMT_CHECK_TOKEN, G_N_ELEMENTS (params), params, error);
  char *user_id = NULL;

  if (result == NULL)
    return NULL;
  if (PQntuples (result) > 0)
    user_id = value_dup (result, 0, 0);
  PQclear (result);
  return user_id;
}

static char *
pg_token_client (CrmServerBackend *backend,
                 const char       *token_hash)
{
  const char *params[] = { token_hash };
  PGresult *result = run (SELF (backend), STMT_TOKEN_CLIENT, 1, params, NULL);
  char *client_id = NULL;

  if (result == NULL)
    return NULL;
  if (PQntuples (result) > 0)
    client_id = value_dup (result, 0, 0);
  PQclear (result);
  return client_id;
}

static gboolean
pg_revoke_tokens (CrmServerBackend  *backend,
                  const char        *user_id,
                  GError           **error)
{
  const char *params[] = { user_id };

  return run_done (SELF (backend), STMT_REVOKE_TOKENS, 1, params, error);
}

static gint64
pg_client_last_mutation (CrmServerBackend  *backend,
                         const char        *client_id,
                         GError           **error)
{
  CrmServerPg *self = SELF (backend);
  const char *params[] = { client_id };
  PGresult *result = run (self, STMT_CLIENT_LOCK, 1, params, error);
  gint64 last;

  if (result == NULL)
    return -1;
  if (PQntuples (result) == 0)
    {
      /* A new client: FOR UPDATE found nothing to lock, so create the row
       * (a concurrent creator makes this wait for its commit) and lock it. */
      PQclear (result);
      if (!run_done (self, STMT_CLIENT_ENSURE, 1, params, error))
        return -1;
      result = run (self, STMT_CLIENT_LOCK, 1, params, error);
      if (result == NULL)
        return -1;
    }
  last = PQntuples (result) > 0 ? value_int (result, 0, 0) : 0;
  PQclear (result);
  return last;
}

static CrmServerMutationRecord *
pg_find_mutation (CrmServerBackend  *backend,
                  const char        *client_id,
                  gint64             mutation_id,
                  GError           **error)
{
  g_autofree char *id = g_strdup_printf ("%" PRId64, mutation_id);
  const char *params[] = { client_id, id };
  PGresult *result = run (SELF (backend), STMT_FIND_MUTATION, G_N_ELEMENTS (params), params, error);
  CrmServerMutationRecord *record = NULL;

  if (result == NULL)
    return NULL;
  if (PQntuples (result) > 0)
    {
      record = g_new0 (CrmServerMutationRecord, 1);
      record->mutation_id = mutation_id;
      record->digest = value_dup (result, 0, 0);
      record->result = value_dup (result, 0, 1);
    }
  PQclear (result);
  return record;
}

static gboolean
pg_record_mutation (CrmServerBackend               *backend,
                    const char                     *client_id,
                    const char                     *user_id,
                    const CrmServerMutationRecord  *record,
                    GError                        **error)
{
  CrmServerPg *self = SELF (backend);
  g_autofree char *id = g_strdup_printf ("%" PRId64, record->mutation_id);
  const char *insert[] = { client_id, id, record->digest, record->result };
  const char *client[] = { client_id, user_id, id };

  return run_done (self, STMT_INSERT_MUTATION, G_N_ELEMENTS (insert), insert, error) &&
         run_done (self, STMT_UPDATE_CLIENT, G_N_ELEMENTS (client), client, error);
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

static CrmServerRow *
row_from_result (const PGresult *result,
                 int             i)
{
  CrmServerRow *row = g_new0 (CrmServerRow, 1);

  row->table = value_dup (result, i, 0);
  row->id = value_dup (result, i, 1);
  row->data = parse_object (PQgetvalue (result, i, 2));
  row->meta = parse_object (PQgetvalue (result, i, 3));
  row->deleted = value_bool (result, i, 4);
  row->scope_owner = value_dup (result, i, 5);
  row->seq = value_int (result, i, 6);
  return row;
}

static GPtrArray *
rows_from_result (PGresult *result)
{
  GPtrArray *rows;

  if (result == NULL)
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_row_free);
  for (int i = 0; i < PQntuples (result); i++)
    g_ptr_array_add (rows, row_from_result (result, i));
  PQclear (result);
  return rows;
}

static CrmServerRow *
pg_get_row (CrmServerBackend  *backend,
            const char        *table,
            const char        *id,
            GError           **error)
{
  CrmServerPg *self = SELF (backend);
  const char *params[] = { table, id };
  PGresult *result = run (self, self->in_transaction ? STMT_GET_ROW_LOCKED : STMT_GET_ROW,
                          G_N_ELEMENTS (params), params, error);
  CrmServerRow *row = NULL;

  if (result == NULL)
    return NULL;
  if (PQntuples (result) > 0)
    row = row_from_result (result, 0);
  PQclear (result);
  return row;
}

static gint64
pg_next_seq (CrmServerBackend  *backend,
             GError           **error)
{
  PGresult *result = run (SELF (backend), STMT_NEXT_SEQ, 0, NULL, error);
  gint64 seq = -1;

  if (result == NULL)
    return -1;
  if (PQntuples (result) > 0)
    seq = value_int (result, 0, 0);
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         _("The PostgreSQL database has no seq counter. Was it set up by crm-server?"));
  PQclear (result);
  return seq;
}

/* The seq is the cursor clients pull from, so rows must become visible in
 * seq order: a row given seq 5 that commits after the row given seq 6 would
 * be skipped by a client that pulled in between. Taking the seq is an
 * UPDATE of one counter row, whose row lock PostgreSQL holds until commit
 * (and releases only once the commit is visible): the next writer waits for
 * it, then reads the committed value. That is the global lock the protocol
 * needs, held for the shortest time because it is the last thing a push
 * does before commit. An advisory lock around nextval() would serialise the
 * same way, but a sequence does not roll back, so `latest` would name seqs
 * that never commit and clients would page towards rows that do not exist. */
static gboolean
pg_put_row (CrmServerBackend  *backend,
            CrmServerRow      *row,
            GError           **error)
{
  CrmServerPg *self = SELF (backend);
  g_autofree char *data = object_to_text (row->data);
  g_autofree char *meta = NULL;
  g_autofree char *seq_text = NULL;
  const char *contact_id = NULL;
  gint64 seq;

  contact_id = crm_server_row_contact_id (row);

  seq = pg_next_seq (backend, error);
  if (seq < 0)
    return FALSE;

  crm_server_row_stamp_seq (row, seq);
  meta = object_to_text (row->meta);
  seq_text = g_strdup_printf ("%" PRId64, seq);

  {
    const char *params[] = { row->table, row->id, data, meta, row->deleted ? "true" : "false",
                             row->scope_owner, contact_id, seq_text,
                             crm_server_row_shared_meta (row, CRM_SERVER_META_CLOCK),
                             crm_server_row_shared_meta (row, CRM_SERVER_META_AUTHOR) };

    if (!run_done (self, STMT_PUT_ROW, G_N_ELEMENTS (params), params, error))
      return FALSE;
  }
  row->seq = seq;
  return TRUE;
}

static gint64
pg_max_seq (CrmServerBackend  *backend,
            GError           **error)
{
  PGresult *result = run (SELF (backend), STMT_MAX_SEQ, 0, NULL, error);
  gint64 seq = 0;

  if (result == NULL)
    return -1;
  if (PQntuples (result) > 0)
    seq = value_int (result, 0, 0);
  PQclear (result);
  return seq;
}

static GPtrArray *
pg_changes_after (CrmServerBackend  *backend,
                  gint64             cursor,
                  guint              limit,
                  int                protocol,
                  GError           **error)
{
  g_autofree char *cursor_text = g_strdup_printf ("%" PRId64, cursor);
  g_autofree char *limit_text = g_strdup_printf ("%u", limit);
  const char *params[] = { cursor_text, limit_text,
                           protocol >= CRM_SYNC_PROTOCOL_SHARED_CLOCKS ? "true" : "false",
                           protocol >= CRM_SYNC_PROTOCOL_SHARED_AUTHORS ? "true" : "false" };
  PGresult *result = run (SELF (backend), STMT_CHANGES_AFTER, G_N_ELEMENTS (params), params, error);
  GPtrArray *changes;

  if (result == NULL)
    return NULL;
  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_change_free);
  for (int i = 0; i < PQntuples (result); i++)
    {
      CrmServerChange *change = g_new0 (CrmServerChange, 1);

      change->table = value_dup (result, i, 0);
      change->id = value_dup (result, i, 1);
      change->deleted = value_bool (result, i, 2);
      change->scope_owner = value_dup (result, i, 3);
      change->seq = value_int (result, i, 4);
      change->data = value_dup (result, i, 5);
      change->hlcs = value_dup (result, i, 6);
      change->authors = value_dup (result, i, 7);
      change->deleted_by = value_dup (result, i, 8);
      g_ptr_array_add (changes, change);
    }
  PQclear (result);
  return changes;
}

static GPtrArray *
pg_rows_of_contact (CrmServerBackend  *backend,
                    const char        *contact_id,
                    GError           **error)
{
  const char *params[] = { contact_id };

  return rows_from_result (run (SELF (backend), STMT_ROWS_OF_CONTACT, 1, params, error));
}

static GPtrArray *
pg_rows_with_field (CrmServerBackend  *backend,
                    const char        *table,
                    const char        *field,
                    const char        *value,
                    GError           **error)
{
  const char *params[] = { table, field, value };

  return rows_from_result (run (SELF (backend), STMT_ROWS_WITH_FIELD, G_N_ELEMENTS (params), params, error));
}

static gboolean
pg_add_conflict (CrmServerBackend  *backend,
                 const char        *client_id,
                 const char        *body,
                 GError           **error)
{
  const char *params[] = { client_id, body };

  return run_done (SELF (backend), STMT_ADD_CONFLICT, G_N_ELEMENTS (params), params, error);
}

static GPtrArray *
pg_client_conflicts (CrmServerBackend  *backend,
                     const char        *client_id,
                     gint64             ack,
                     GArray            *out_ids,
                     GError           **error)
{
  CrmServerPg *self = SELF (backend);
  const char *params[] = { client_id, NULL };
  g_autofree char *ack_text = g_strdup_printf ("%" PRId64, ack);
  PGresult *result;
  GPtrArray *bodies;

  params[1] = ack_text;
  if (ack > 0 && !run_done (self, STMT_ACK_CONFLICTS, 2, params, error))
    return NULL;
  result = run (self, STMT_CONFLICTS, 1, params, error);
  if (result == NULL)
    return NULL;
  bodies = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < PQntuples (result); i++)
    {
      gint64 id = value_int (result, i, 0);

      g_array_append_val (out_ids, id);
      g_ptr_array_add (bodies, value_dup (result, i, 1));
    }
  PQclear (result);
  return bodies;
}

static gboolean
pg_audit (CrmServerBackend  *backend,
          const char        *user_id,
          const char        *client_id,
          gint64             mutation_id,
          const char        *table,
          const char        *row_id,
          const char        *op,
          const char        *status,
          GError           **error)
{
  g_autofree char *id = g_strdup_printf ("%" PRId64, mutation_id);
  const char *params[] = { user_id, client_id, id, table, row_id, op, status };

  return run_done (SELF (backend), STMT_AUDIT, G_N_ELEMENTS (params), params, error);
}

/* --- administration -------------------------------------------------------- */

/* Administration runs rarely: its statements are not prepared, so they
 * stay out of the Stmt list. Like run(), a connection found dead outside
 * a transaction is replaced once. */
static PGresult *
run_sql (CrmServerPg        *self,
         const char         *sql,
         int                 n_params,
         const char * const *params,
         GError            **error)
{
  for (guint attempt = 0;; attempt++)
    {
      PGresult *result;

      if (!ensure_connection (self, error))
        return NULL;
      result = PQexecParams (self->conn, sql, n_params, NULL, params, NULL, NULL, 0);
      if (result_ok (result))
        return result;
      if (PQstatus (self->conn) == CONNECTION_BAD && !self->in_transaction && attempt == 0)
        {
          PQclear (result);
          continue;
        }
      set_result_error (self, result, error);
      PQclear (result);
      return NULL;
    }
}

static GPtrArray *
pg_list_users (CrmServerBackend  *backend,
               GError           **error)
{
  PGresult *result = run_sql (SELF (backend),
                              "SELECT id, name, role, team, password_hash, disabled FROM users ORDER BY name",
                              0, NULL, error);
  GPtrArray *users;

  if (result == NULL)
    return NULL;
  users = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_user_free);
  for (int i = 0; i < PQntuples (result); i++)
    {
      CrmServerUser *user = g_new0 (CrmServerUser, 1);

      user->id = value_dup (result, i, 0);
      user->name = value_dup (result, i, 1);
      user->role = value_dup (result, i, 2);
      user->team = value_dup (result, i, 3);
      user->password_hash = value_dup (result, i, 4);
      user->disabled = value_bool (result, i, 5);
      g_ptr_array_add (users, user);
    }
  PQclear (result);
  return users;
}

static gboolean
pg_update_user (CrmServerBackend     *backend,
                const CrmServerUser  *user,
                GError              **error)
{
  const char *params[] = { user->role, user->team, user->disabled ? "t" : "f", user->password_hash, user->id };
  PGresult *result = run_sql (SELF (backend),
                              "UPDATE users SET role = $1, team = $2, disabled = $3, password_hash = $4 WHERE id = $5",
                              G_N_ELEMENTS (params), params, error);

  if (result == NULL)
    return FALSE;
  PQclear (result);
  return TRUE;
}

static gboolean
pg_touch_device (CrmServerBackend  *backend,
                 const char        *client_id,
                 const char        *user_id,
                 const char        *label,
                 gint64             seen_at,
                 GError           **error)
{
  g_autofree char *seen = g_strdup_printf ("%" PRId64, seen_at);
  const char *params[] = { client_id, user_id, label, seen };
  PGresult *result = run_sql (SELF (backend),
                              "INSERT INTO devices (client_id, user_id, label, last_seen) VALUES ($1, $2, $3, $4)\n"
                              "ON CONFLICT (client_id) DO UPDATE SET user_id = $2,\n"
                              "  label = coalesce ($3, devices.label),\n"
                              "  last_seen = greatest (devices.last_seen, $4),\n"
                              "  revoked = CASE WHEN $3::text IS NULL THEN devices.revoked ELSE false END",
                              G_N_ELEMENTS (params), params, error);

  if (result == NULL)
    return FALSE;
  PQclear (result);
  return TRUE;
}

static GPtrArray *
pg_user_devices (CrmServerBackend  *backend,
                 const char        *user_id,
                 GError           **error)
{
  const char *params[] = { user_id };
  PGresult *result = run_sql (SELF (backend),
                              "SELECT client_id, user_id, label, last_seen, revoked FROM devices\n"
                              "WHERE user_id = $1 ORDER BY last_seen DESC",
                              1, params, error);
  GPtrArray *devices;

  if (result == NULL)
    return NULL;
  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_device_free);
  for (int i = 0; i < PQntuples (result); i++)
    {
      CrmServerDevice *device = g_new0 (CrmServerDevice, 1);

      device->client_id = value_dup (result, i, 0);
      device->user_id = value_dup (result, i, 1);
      device->label = value_dup (result, i, 2);
      device->last_seen = value_int (result, i, 3);
      device->revoked = value_bool (result, i, 4);
      g_ptr_array_add (devices, device);
    }
  PQclear (result);
  return devices;
}

static gboolean
pg_revoke_device (CrmServerBackend  *backend,
                  const char        *client_id,
                  GError           **error)
{
  const char *params[] = { client_id };
  PGresult *result;
  gboolean found;

  result = run_sql (SELF (backend), "UPDATE devices SET revoked = true WHERE client_id = $1", 1, params, error);
  if (result == NULL)
    return FALSE;
  PQclear (result);
  result = run_sql (SELF (backend), "UPDATE tokens SET revoked = true WHERE client_id = $1", 1, params, error);
  if (result == NULL)
    return FALSE;
  found = g_strcmp0 (PQcmdTuples (result), "0") != 0;
  PQclear (result);
  if (!found)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No device “%s” ever signed in."), client_id);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
pg_owned_contacts (CrmServerBackend  *backend,
                   const char        *owner_id,
                   GError           **error)
{
  const char *params[] = { owner_id };
  PGresult *result = run_sql (SELF (backend),
                              "SELECT id FROM rows WHERE table_name = 'contacts' AND NOT deleted\n"
                              "AND scope_owner = $1 ORDER BY seq",
                              1, params, error);
  GPtrArray *ids;

  if (result == NULL)
    return NULL;
  ids = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < PQntuples (result); i++)
    g_ptr_array_add (ids, value_dup (result, i, 0));
  PQclear (result);
  return ids;
}

static gboolean
pg_add_audit_entry (CrmServerBackend           *backend,
                    const CrmServerAuditEntry  *entry,
                    GError                    **error)
{
  g_autofree char *received = g_strdup_printf ("%" PRId64, entry->received_at);
  g_autofree char *edit = g_strdup_printf ("%" PRId64, entry->edit_at);
  const char *params[] = { received, edit, entry->edit_hlc, entry->user_id, entry->user_name,
                           entry->client_id, entry->table, entry->row_id, entry->op, entry->changes };
  PGresult *result = run_sql (SELF (backend),
                              "INSERT INTO audit_log (received_at, edit_at, edit_hlc, user_id, user_name,\n"
                              "  client_id, table_name, row_id, op, changes)\n"
                              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                              G_N_ELEMENTS (params), params, error);

  if (result == NULL)
    return FALSE;
  PQclear (result);
  return TRUE;
}

static GPtrArray *
pg_list_audit (CrmServerBackend           *backend,
               const CrmServerAuditQuery  *query,
               GError                    **error)
{
  g_autofree char *since = query->since > 0 ? g_strdup_printf ("%" PRId64, query->since) : NULL;
  g_autofree char *until = query->until > 0 ? g_strdup_printf ("%" PRId64, query->until) : NULL;
  g_autofree char *before = query->before_id > 0 ? g_strdup_printf ("%" PRId64, query->before_id) : NULL;
  g_autofree char *limit = g_strdup_printf ("%u", query->limit > 0 ? query->limit : 100);
  const char *params[] = { query->user_id, query->team, query->table, query->row_id, since, until, before, limit };
  PGresult *result = run_sql (SELF (backend),
                              "SELECT id, received_at, edit_at, edit_hlc, user_id, user_name, client_id,\n"
                              "  table_name, row_id, op, changes\n"
                              "FROM audit_log WHERE ($1::text IS NULL OR user_id = $1)\n"
                              "  AND ($2::text IS NULL OR user_id IN (SELECT id FROM users WHERE team = $2))\n"
                              "  AND ($3::text IS NULL OR table_name = $3) AND ($4::text IS NULL OR row_id = $4)\n"
                              "  AND ($5::bigint IS NULL OR edit_at >= $5) AND ($6::bigint IS NULL OR edit_at < $6)\n"
                              "  AND ($7::bigint IS NULL OR id < $7)\n"
                              "ORDER BY id DESC LIMIT $8::bigint",
                              G_N_ELEMENTS (params), params, error);
  GPtrArray *entries;

  if (result == NULL)
    return NULL;
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_audit_entry_free);
  for (int i = 0; i < PQntuples (result); i++)
    {
      CrmServerAuditEntry *entry = g_new0 (CrmServerAuditEntry, 1);

      entry->id = value_int (result, i, 0);
      entry->received_at = value_int (result, i, 1);
      entry->edit_at = value_int (result, i, 2);
      entry->edit_hlc = value_dup (result, i, 3);
      entry->user_id = value_dup (result, i, 4);
      entry->user_name = value_dup (result, i, 5);
      entry->client_id = value_dup (result, i, 6);
      entry->table = value_dup (result, i, 7);
      entry->row_id = value_dup (result, i, 8);
      entry->op = value_dup (result, i, 9);
      entry->changes = value_dup (result, i, 10);
      g_ptr_array_add (entries, entry);
    }
  PQclear (result);
  return entries;
}

/* --- API keys (REST API) --------------------------------------------------- */

static gboolean
pg_add_api_key (CrmServerBackend       *backend,
                const CrmServerApiKey  *key,
                GError                **error)
{
  g_autofree char *created = g_strdup_printf ("%" PRId64, key->created_at);
  const char *params[] = { key->id, key->name, key->scopes, key->key_hash, created };

  return run_done (SELF (backend), STMT_ADD_API_KEY, G_N_ELEMENTS (params), params, error);
}

static GPtrArray *
api_keys_from_result (PGresult *result)
{
  GPtrArray *keys;

  if (result == NULL)
    return NULL;
  keys = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_server_api_key_free);
  for (int i = 0; i < PQntuples (result); i++)
    {
      CrmServerApiKey *key = g_new0 (CrmServerApiKey, 1);

      key->id = value_dup (result, i, 0);
      key->name = value_dup (result, i, 1);
      key->scopes = value_dup (result, i, 2);
      key->key_hash = value_dup (result, i, 3);
      key->created_at = value_int (result, i, 4);
      key->revoked = value_bool (result, i, 5);
      g_ptr_array_add (keys, key);
    }
  PQclear (result);
  return keys;
}

static CrmServerApiKey *
pg_find_api_key (CrmServerBackend  *backend,
                 const char        *key_hash,
                 GError           **error)
{
  const char *params[] = { key_hash };
  g_autoptr(GPtrArray) keys = api_keys_from_result (run (SELF (backend), STMT_FIND_API_KEY, 1, params, error));

  if (keys == NULL || keys->len == 0)
    return NULL;
  return g_ptr_array_steal_index (keys, 0);
}

static GPtrArray *
pg_list_api_keys (CrmServerBackend  *backend,
                  GError           **error)
{
  return api_keys_from_result (run (SELF (backend), STMT_LIST_API_KEYS, 0, NULL, error));
}

static gboolean
pg_revoke_api_key (CrmServerBackend  *backend,
                   const char        *id,
                   GError           **error)
{
  const char *params[] = { id };
  PGresult *result = run (SELF (backend), STMT_REVOKE_API_KEY, 1, params, error);
  gboolean found;

  if (result == NULL)
    return FALSE;
  found = g_strcmp0 (PQcmdTuples (result), "0") != 0;
  PQclear (result);
  if (!found)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no API key %s."), id);
  return found;
}

static GPtrArray *
pg_rows_of_table (CrmServerBackend  *backend,
                  const char        *table,
                  gint64             after,
                  guint              limit,
                  GError           **error)
{
  g_autofree char *after_text = g_strdup_printf ("%" PRId64, after);
  g_autofree char *limit_text = g_strdup_printf ("%u", limit);
  const char *params[] = { table, after_text, limit_text };

  return rows_from_result (run (SELF (backend), STMT_ROWS_OF_TABLE, G_N_ELEMENTS (params), params, error));
}

static GPtrArray *
pg_rows_with_element (CrmServerBackend  *backend,
                      const char        *table,
                      const char        *field,
                      const char        *value,
                      GError           **error)
{
  const char *params[] = { table, field, value };

  return rows_from_result (run (SELF (backend), STMT_ROWS_WITH_ELEMENT, G_N_ELEMENTS (params), params, error));
}

static GPtrArray *
pg_rows_with_key (CrmServerBackend  *backend,
                  const char        *table,
                  const char        *field,
                  const char        *value,
                  GError           **error)
{
  const char *params[] = { value };
  Stmt stmt;

  if (g_strcmp0 (table, "purchases") == 0 && g_strcmp0 (field, "order_ref") == 0)
    stmt = STMT_PURCHASES_BY_ORDER_REF;
  else if (g_strcmp0 (table, "contacts") == 0 && g_strcmp0 (field, "external_id") == 0)
    stmt = STMT_CONTACTS_BY_EXTERNAL_ID;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no index on %s.%s", table, field);
      return NULL;
    }
  return rows_from_result (run (SELF (backend), stmt, 1, params, error));
}

static const CrmServerBackendVTable pg_vtable = {
  .free = pg_free,
  .begin = pg_begin,
  .commit = pg_commit,
  .rollback = pg_rollback,
  .ready = pg_ready,
  .add_user = pg_add_user,
  .find_user = pg_find_user,
  .team_members = pg_team_members,
  .add_token = pg_add_token,
  .check_token = pg_check_token,
  .token_client = pg_token_client,
  .revoke_tokens = pg_revoke_tokens,
  .client_last_mutation = pg_client_last_mutation,
  .find_mutation = pg_find_mutation,
  .record_mutation = pg_record_mutation,
  .get_row = pg_get_row,
  .put_row = pg_put_row,
  .next_seq = pg_next_seq,
  .max_seq = pg_max_seq,
  .changes_after = pg_changes_after,
  .rows_of_contact = pg_rows_of_contact,
  .add_conflict = pg_add_conflict,
  .client_conflicts = pg_client_conflicts,
  .audit = pg_audit,
  .rows_with_field = pg_rows_with_field,
  /* API keys (REST API) */
  .add_api_key = pg_add_api_key,
  .find_api_key = pg_find_api_key,
  .list_api_keys = pg_list_api_keys,
  .revoke_api_key = pg_revoke_api_key,
  .rows_of_table = pg_rows_of_table,
  .rows_with_element = pg_rows_with_element,
  .rows_with_key = pg_rows_with_key,
  .list_users = pg_list_users,
  .update_user = pg_update_user,
  .touch_device = pg_touch_device,
  .user_devices = pg_user_devices,
  .revoke_device = pg_revoke_device,
  .owned_contacts = pg_owned_contacts,
  .add_audit_entry = pg_add_audit_entry,
  .list_audit = pg_list_audit,
};

CrmServerBackend *
crm_server_pg_open (const char  *conninfo,
                    GError     **error)
{
  CrmServerPg *self = g_new0 (CrmServerPg, 1);

  self->parent.vtable = &pg_vtable;
  self->conninfo = g_strdup (conninfo);
  if (!connect_db (self, error) || !migrate (self, error))
    {
      pg_free (&self->parent);
      return NULL;
    }
  return &self->parent;
}

gboolean
crm_server_backend_is_pg (CrmServerBackend *backend)
{
  return backend != NULL && backend->vtable == &pg_vtable;
}

PGconn *
crm_server_pg_get_connection (CrmServerBackend  *backend,
                              GError           **error)
{
  CrmServerPg *self;

  g_return_val_if_fail (crm_server_backend_is_pg (backend), NULL);

  self = SELF (backend);
  if (!ensure_connection (self, error))
    return NULL;
  return self->conn;
}
