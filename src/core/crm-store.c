/* crm-store.c: opening, migrating and writing the local SQLite database */

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "crm-contact-search.h"
#include "crm-deal.h"
#include "crm-hlc.h"
#include "crm-json.h"
#include "crm-lifecycle.h"
#include "crm-pinyin.h"
#include "crm-purchase.h"
#include "crm-record-private.h"
#include "crm-store.h"
#include "crm-local-months.h"
#include "crm-store-private.h"
#include "crm-uuid.h"

#define BUSY_TIMEOUT_MS 5000
/* More changes than this to one table in a transaction are reported as one
 * bulk change, so a list reloads once instead of row by row. */
#define MAX_CHANGES_PER_TABLE 64

typedef struct
{
  char *table;   /* NULL: everything */
  char *id;      /* NULL: many rows */
} Change;

struct _CrmStore
{
  GObject parent_instance;

  sqlite3 *db;
  char *path;
  char *client_id;
  CrmHlc *hlc;
  GHashTable *statements;   /* SQL text → sqlite3_stmt, persistent */
  GArray *pending;          /* Change, emitted after the outermost commit */
  GArray *marks;            /* pending->len when each level began */
  guint depth;
  guint schema_version;
  gboolean read_only;
  gboolean aborted;         /* SQLite rolled the transaction back itself */
};

G_DEFINE_FINAL_TYPE (CrmStore, crm_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
change_clear (gpointer data)
{
  Change *change = data;

  g_clear_pointer (&change->table, g_free);
  g_clear_pointer (&change->id, g_free);
}

static void
crm_store_finalize (GObject *object)
{
  CrmStore *self = CRM_STORE (object);

  if (self->depth > 0 && self->db != NULL)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->client_id, g_free);
  g_clear_pointer (&self->hlc, crm_hlc_free);
  g_clear_pointer (&self->pending, g_array_unref);
  g_clear_pointer (&self->marks, g_array_unref);

  G_OBJECT_CLASS (crm_store_parent_class)->finalize (object);
}

static void
crm_store_class_init (CrmStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = crm_store_finalize;

  /**
   * CrmStore::changed:
   * @table: (nullable): the table that changed, NULL for everything
   * @id: (nullable): the row, NULL when many rows changed
   *
   * Emitted after a transaction commits. The detail is the table name, so
   * a contacts list connects to "changed::contacts".
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
crm_store_init (CrmStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) sqlite3_finalize);
  self->pending = g_array_new (FALSE, FALSE, sizeof (Change));
  g_array_set_clear_func (self->pending, change_clear);
  self->marks = g_array_new (FALSE, FALSE, sizeof (guint));
}

/* --- Helpers for core modules ------------------------------------------ */

/* SQLite counts every allocation for sqlite3_memory_used() under one
 * process-wide mutex, ~10% of a bulk insert's time; nothing here reads
 * the count. Only possible before SQLite's first use in the process, so
 * everything that opens a database calls this first. */
void
crm_store_init_sqlite (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
      g_once_init_leave (&done, 1);
    }
}

sqlite3 *
crm_store_get_db (CrmStore *self)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  return self->db;
}

void
crm_store_take_error (CrmStore  *self,
                      int        rc,
                      GError   **error)
{
  int code = sqlite3_extended_errcode (self->db);

  /* The connection's code is the precise one unless the call failed
   * before reaching SQLite's error state. */
  if ((code & 0xff) != (rc & 0xff))
    code = rc;
  crm_store_set_error (error, code, self->path, sqlite3_errmsg (self->db));
}

CrmCachedStmt *
crm_store_prepare (CrmStore    *self,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      crm_store_take_error (self, rc, error);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

void
crm_cached_stmt_release (CrmCachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

gboolean
crm_store_step_done (CrmStore      *self,
                     sqlite3_stmt  *stmt,
                     GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  crm_store_take_error (self, rc, error);
  return FALSE;
}

gboolean
crm_store_exec (CrmStore    *self,
                const char  *sql,
                GError     **error)
{
  char *errmsg = NULL;
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, &errmsg);

  if (rc != SQLITE_OK)
    {
      crm_store_set_error (error, sqlite3_extended_errcode (self->db), self->path, errmsg);
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

void
crm_stmt_bind_text (sqlite3_stmt *stmt,
                    int           index,
                    const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

void
crm_stmt_bind_static_text (sqlite3_stmt *stmt,
                           int           index,
                           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

void
crm_stmt_bind_json (sqlite3_stmt *stmt,
                    int           index,
                    JsonNode     *node,
                    gboolean      as_json_text)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    sqlite3_bind_null (stmt, index);
  else if (as_json_text || !JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *text = crm_json_to_string (node);

      sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
    }
  else if (json_node_get_value_type (node) == G_TYPE_INT64)
    sqlite3_bind_int64 (stmt, index, json_node_get_int (node));
  else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    sqlite3_bind_int (stmt, index, json_node_get_boolean (node) ? 1 : 0);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    sqlite3_bind_double (stmt, index, json_node_get_double (node));
  else
    sqlite3_bind_text (stmt, index, json_node_get_string (node), -1, SQLITE_TRANSIENT);
}

char *
crm_store_get_meta (CrmStore   *self,
                    const char *key)
{
  static const char sql[] = "SELECT value FROM meta WHERE key = ?";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self, sql, NULL);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return NULL;
}

gboolean
crm_store_get_setting (CrmStore    *self,
                       const char  *key,
                       char       **out,
                       GError     **error)
{
  static const char sql[] = "SELECT value FROM settings WHERE key = ?";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self, sql, error);
  int rc;

  *out = NULL;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    {
      crm_store_take_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_store_set_setting (CrmStore    *self,
                       const char  *key,
                       const char  *value,
                       GError     **error)
{
  static const char sql[] =
    "INSERT INTO settings (key, value) VALUES (?1, ?2)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  crm_stmt_bind_text (stmt, 2, value);
  return crm_store_step_done (self, stmt, error);
}

gboolean
crm_store_set_meta (CrmStore    *self,
                    const char  *key,
                    const char  *value,
                    GError     **error)
{
  static const char sql[] = "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  crm_stmt_bind_text (stmt, 2, value);
  return crm_store_step_done (self, stmt, error);
}

void
crm_store_queue_changed (CrmStore   *self,
                         const char *table,
                         const char *id)
{
  Change change = { g_strdup (table), g_strdup (id) };

  g_array_append_val (self->pending, change);
}

static void
emit_pending (CrmStore *self)
{
  g_autoptr(GArray) pending = g_steal_pointer (&self->pending);
  g_autoptr(GHashTable) per_table = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean everything = FALSE;

  self->pending = g_array_new (FALSE, FALSE, sizeof (Change));
  g_array_set_clear_func (self->pending, change_clear);

  for (guint i = 0; i < pending->len; i++)
    {
      Change *change = &g_array_index (pending, Change, i);
      guint n;

      if (change->table == NULL)
        everything = TRUE;
      else
        {
          n = GPOINTER_TO_UINT (g_hash_table_lookup (per_table, change->table));
          g_hash_table_insert (per_table, change->table,
                               GUINT_TO_POINTER (change->id == NULL ? G_MAXUINT : n + 1));
        }
    }

  g_object_ref (self);
  if (everything)
    g_signal_emit (self, signals[CHANGED], 0, NULL, NULL);
  else
    for (guint i = 0; i < pending->len; i++)
      {
        Change *change = &g_array_index (pending, Change, i);
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (per_table, change->table));
        g_autofree char *key = NULL;
        gboolean bulk = n > MAX_CHANGES_PER_TABLE;

        key = g_strdup_printf ("%s\n%s", change->table, bulk ? "" : change->id);
        if (!g_hash_table_add (seen, g_steal_pointer (&key)))
          continue;
        g_signal_emit (self, signals[CHANGED], g_quark_from_string (change->table),
                       change->table, bulk ? NULL : change->id);
      }
  g_object_unref (self);
}

void
crm_store_emit_changed (CrmStore   *self,
                        const char *table)
{
  g_autofree char *last = NULL;

  g_return_if_fail (CRM_IS_STORE (self));

  /* Edits made here after a sync must sort after what it brought in. */
  last = crm_store_get_meta (self, "hlc");
  if (last != NULL && self->hlc != NULL)
    crm_hlc_restore (self->hlc, last, NULL);

  crm_store_queue_changed (self, table, NULL);
  if (!crm_store_in_transaction (self))
    emit_pending (self);
}

/* --- Opening -------------------------------------------------------------- */

char *
crm_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "crm", "crm.db", NULL);
}

guint
crm_store_get_latest_schema_version (void)
{
  return crm_store_migrations_latest ();
}

static gboolean
query_int (sqlite3     *db,
           const char  *sql,
           const char  *path,
           gint64      *out_value,
           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_value = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      return TRUE;
    }
  crm_store_set_error (error, sqlite3_extended_errcode (db), path, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  return FALSE;
}

static gboolean
set_too_new (GError     **error,
             const char  *path,
             gint64       version)
{
  g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_TOO_NEW,
               _("The database “%s” was created by a newer version of CRM (schema %" PRId64 ", this version knows %u). Update CRM to open it; the file was not changed."),
               path, version, crm_store_migrations_latest ());
  return FALSE;
}

/* Looks at @path without writing to it: the header bytes first (a random
 * file never reaches SQLite), then a read-only connection for the schema
 * version. *@out_version is 0 for a missing or empty file. */
static gboolean
probe_file (const char  *path,
            gboolean     must_exist,
            gint64      *out_version,
            GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  char header[100];
  sqlite3 *db = NULL;
  FILE *file;
  size_t n;
  gint64 tables = 0;
  gboolean ok;
  int rc;

  *out_version = 0;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_A_DATABASE,
                   _("“%s” is a folder, not a database file. Give the path of a file."), path);
      return FALSE;
    }

  file = g_fopen (path, "rb");
  if (file == NULL)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT && !must_exist)
        return TRUE;
      g_set_error (error, CRM_STORE_ERROR,
                   saved_errno == EACCES ? CRM_STORE_ERROR_READ_ONLY : CRM_STORE_ERROR_FAILED,
                   _("Could not read “%s”: %s. Check that the file exists and that you may read it."),
                   path, g_strerror (saved_errno));
      return FALSE;
    }
  n = fread (header, 1, sizeof header, file);
  fclose (file);

  if (n == 0 && !must_exist)
    return TRUE;
  if (n < sizeof header || memcmp (header, magic, sizeof magic) != 0)
    {
      crm_store_set_error (error, SQLITE_NOTADB, path, NULL);
      return FALSE;
    }

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc != SQLITE_OK)
    {
      crm_store_set_error (error, rc, path, db ? sqlite3_errmsg (db) : NULL);
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  ok = query_int (db, "SELECT count(*) FROM sqlite_schema", path, &tables, error) &&
       query_int (db, "PRAGMA user_version", path, out_version, error);
  sqlite3_close (db);

  if (ok && *out_version > (gint64) crm_store_migrations_latest ())
    return set_too_new (error, path, *out_version);
  return ok;
}

static gboolean
create_file (const char  *path,
             GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_READ_ONLY,
                   _("Could not create the folder “%s”: %s. Choose another location for the database."),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* SQLite would create the file with the umask's mode; customer data is
   * for this user only (DESIGN.md §8). The -wal and -shm files inherit it. */
  fd = g_open (path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    {
      int saved_errno = errno;

      g_set_error (error, CRM_STORE_ERROR,
                   saved_errno == ENOSPC ? CRM_STORE_ERROR_DISK_FULL : CRM_STORE_ERROR_READ_ONLY,
                   _("Could not create the database “%s”: %s."),
                   path, g_strerror (saved_errno));
      return FALSE;
    }
  if (fd >= 0)
    close (fd);
  return TRUE;
}

static gboolean
load_identity (CrmStore  *self,
               GError   **error)
{
  g_autofree char *last = NULL;

  /* Until the clock exists, commits have no clock state to save. */
  self->client_id = crm_store_get_meta (self, "client_id");
  if (self->client_id == NULL)
    {
      /* The replica's identity in sync and HLC ties. A read-only store that
       * has none yet gets a throwaway one, since it never writes. */
      self->client_id = crm_uuid_v7_new ();
      if (!self->read_only &&
          (!crm_store_begin (self, error) ||
           !crm_store_set_meta (self, "client_id", self->client_id, error) ||
           !crm_store_set_meta (self, "device", g_get_host_name (), error) ||
           !crm_store_commit (self, error)))
        {
          if (self->depth > 0)
            crm_store_rollback (self);
          return FALSE;
        }
    }

  self->hlc = crm_hlc_new (self->client_id);
  last = crm_store_get_meta (self, "hlc");
  if (last != NULL && !crm_hlc_restore (self->hlc, last, error))
    return FALSE;
  return TRUE;
}

CrmStore *
crm_store_open_full (const char         *path,
                     CrmStoreOpenFlags   flags,
                     GError            **error)
{
  g_autoptr(CrmStore) self = NULL;
  gboolean read_only = (flags & CRM_STORE_OPEN_READ_ONLY) != 0;
  gint64 version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  crm_store_init_sqlite ();
  if (!probe_file (path, read_only, &version, error))
    return NULL;
  if (!read_only && !create_file (path, error))
    return NULL;

  self = g_object_new (CRM_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
                        NULL);
  if (rc != SQLITE_OK)
    {
      crm_store_set_error (error, rc, path, self->db ? sqlite3_errmsg (self->db) : NULL);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* SQLite silently opens a file it may not write read-only. */
  self->read_only = read_only || sqlite3_db_readonly (self->db, "main") == 1;

  if (!crm_store_exec (self, "PRAGMA foreign_keys = ON", error))
    return NULL;
  /* Reports and the dashboard join every purchase of a period to its
   * contact: with the default 2 MB cache the same pages are read from the
   * OS again and again (half the time of a monthly report). Mapping the
   * file costs no heap; the cache keeps what is hot. */
  if (!crm_store_exec (self, "PRAGMA mmap_size = 268435456", error) ||
      !crm_store_exec (self, "PRAGMA cache_size = -32768", error))
    return NULL;
  /* Each write inside a transaction keeps a statement journal of the
   * pages it touches, and a contact's triggers (outbox, audit, search
   * index, identities) touch some 40: past 64 KiB SQLite spills it to a
   * file, so a bulk insert wrote 180 KiB per row to /var/tmp. In memory
   * it is a copy. Temp tables (RFM stats) live in memory too. */
  if (!crm_store_exec (self, "PRAGMA temp_store = MEMORY", error))
    return NULL;
  if (!self->read_only &&
      (!crm_store_exec (self, "PRAGMA journal_mode = WAL", error) ||
       !crm_store_exec (self, "PRAGMA synchronous = NORMAL", error)))
    return NULL;

  /* Again, now that we hold the file: another program may have upgraded it. */
  if (!query_int (self->db, "PRAGMA user_version", path, &version, error))
    return NULL;
  if (version > (gint64) crm_store_migrations_latest ())
    {
      set_too_new (error, path, version);
      return NULL;
    }
  if (version < (gint64) crm_store_migrations_latest ())
    {
      if (self->read_only)
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_READ_ONLY,
                       _("The database “%s” needs upgrading, but it is read-only. Make it writable and open it again."),
                       path);
          return NULL;
        }
      if (!crm_store_migrate (self->db, (guint) version, path, error))
        return NULL;
      /* A migration can rewrite most of the file into the write-ahead log
       * (700 MB for 880,000 contacts). Left there, every later open scans
       * all of it to rebuild the log's index (1.5 s a start), until some
       * connection happens to reset it: write it back and empty it now. */
      if (!self->read_only)
        crm_store_exec (self, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
    }
  self->schema_version = crm_store_migrations_latest ();

  if (!load_identity (self, error))
    return NULL;

  /* A first pull killed half-way left its indexes unbuilt. The data is
   * all there; a failure here only leaves lists slow until a later open. */
  {
    g_autoptr(GError) local_error = NULL;

    if (!crm_store_build_deferred_indexes (self, &local_error))
      g_warning ("%s: %s", path, local_error->message);
  }

  return g_steal_pointer (&self);
}

CrmStore *
crm_store_open (const char  *path,
                GError     **error)
{
  return crm_store_open_full (path, CRM_STORE_OPEN_FLAGS_NONE, error);
}

const char *
crm_store_get_path (CrmStore *self)
{
  return self->path;
}

const char *
crm_store_get_client_id (CrmStore *self)
{
  return self->client_id;
}

guint
crm_store_get_schema_version (CrmStore *self)
{
  return self->schema_version;
}

gboolean
crm_store_is_read_only (CrmStore *self)
{
  return self->read_only;
}

char *
crm_store_next_hlc (CrmStore *self)
{
  return crm_hlc_now (self->hlc);
}

/* The sync engine feeds every clock value it pulls through here, so local
 * edits made afterwards order after what this replica has seen (HLC
 * receive, clamped when the remote clock runs far ahead). */
gboolean
crm_store_receive_hlc (CrmStore    *self,
                       const char  *remote,
                       GError     **error)
{
  g_autofree char *hlc = crm_hlc_receive (self->hlc, remote, error);

  return hlc != NULL;
}

gboolean
crm_store_set_user (CrmStore    *self,
                    const char  *user_id,
                    GError     **error)
{
  if (!crm_store_begin (self, error))
    return FALSE;
  if (!crm_store_set_meta (self, "user_id", user_id, error))
    {
      crm_store_rollback (self);
      return FALSE;
    }
  return crm_store_commit (self, error);
}

/* --- Transactions --------------------------------------------------------- */

gboolean
crm_store_begin (CrmStore  *self,
                 GError   **error)
{
  g_autofree char *sql = NULL;
  guint mark = self->pending->len;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);

  if (self->depth == 0)
    {
      /* IMMEDIATE takes the write lock now, so a busy database fails here
       * (after busy_timeout) rather than half-way through the work. */
      if (!crm_store_exec (self, self->read_only ? "BEGIN" : "BEGIN IMMEDIATE", error))
        return FALSE;
      self->aborted = FALSE;
    }
  else
    {
      sql = g_strdup_printf ("SAVEPOINT crm_%u", self->depth);
      if (!crm_store_exec (self, sql, error))
        return FALSE;
    }

  g_array_append_val (self->marks, mark);
  self->depth++;
  return TRUE;
}

static void
drop_pending_from (CrmStore *self,
                   guint     mark)
{
  if (mark < self->pending->len)
    g_array_remove_range (self->pending, mark, self->pending->len - mark);
}

void
crm_store_rollback (CrmStore *self)
{
  guint mark;

  g_return_if_fail (CRM_IS_STORE (self));
  g_return_if_fail (self->depth > 0);

  self->depth--;
  mark = g_array_index (self->marks, guint, self->depth);
  g_array_set_size (self->marks, self->depth);
  drop_pending_from (self, mark);

  if (sqlite3_get_autocommit (self->db))
    {
      /* SQLite already rolled everything back (disk full, I/O error). */
      self->aborted = TRUE;
      return;
    }

  if (self->depth == 0)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  else
    {
      g_autofree char *sql = g_strdup_printf ("ROLLBACK TO crm_%u; RELEASE crm_%u",
                                              self->depth, self->depth);

      if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        self->aborted = TRUE;
    }
}

static gboolean
save_hlc (CrmStore  *self,
          GError   **error)
{
  g_autofree char *last = crm_hlc_get_last (self->hlc);

  return crm_store_set_meta (self, "hlc", last, error);
}

gboolean
crm_store_commit (CrmStore  *self,
                  GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->depth > 0, FALSE);

  if (self->aborted || sqlite3_get_autocommit (self->db))
    {
      crm_store_rollback (self);
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                   _("The change was undone because an earlier step of it failed; nothing was saved. Try again."));
      return FALSE;
    }

  if (self->depth > 1)
    {
      g_autofree char *sql = g_strdup_printf ("RELEASE crm_%u", self->depth - 1);

      if (!crm_store_exec (self, sql, error))
        {
          crm_store_rollback (self);
          return FALSE;
        }
      self->depth--;
      g_array_set_size (self->marks, self->depth);
      return TRUE;
    }

  /* The clock is saved with the data it stamped, so after a restart it
   * continues above every value it handed out. */
  if ((!self->read_only && self->hlc != NULL && !save_hlc (self, error)) ||
      !crm_store_exec (self, "COMMIT", error))
    {
      crm_store_rollback (self);
      return FALSE;
    }

  self->depth = 0;
  g_array_set_size (self->marks, 0);
  emit_pending (self);
  return TRUE;
}

/**
 * crm_store_commit_or_keep_dangling:
 * @dangling: (out): set when the transaction stayed open
 *
 * Commits like crm_store_commit(), except when the only thing in the way
 * of the outermost commit is a deferred foreign key, a row referring to
 * one not there yet: the transaction then stays open (SQLite keeps it),
 * *@dangling is set and TRUE returned, so the rows referred to can still
 * come in it (a pull's next page). End it with another commit, or with
 * crm_store_delete_dangling() first.
 */
gboolean
crm_store_commit_or_keep_dangling (CrmStore  *self,
                                   gboolean  *dangling,
                                   GError   **error)
{
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (dangling != NULL, FALSE);

  *dangling = FALSE;
  if (self->depth != 1 || self->aborted || sqlite3_get_autocommit (self->db))
    return crm_store_commit (self, error);
  if (!self->read_only && self->hlc != NULL && !save_hlc (self, error))
    {
      crm_store_rollback (self);
      return FALSE;
    }
  rc = sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    {
      self->depth = 0;
      g_array_set_size (self->marks, 0);
      emit_pending (self);
      return TRUE;
    }
  if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_FOREIGNKEY && !sqlite3_get_autocommit (self->db))
    {
      *dangling = TRUE;
      return TRUE;
    }
  crm_store_take_error (self, rc, error);
  crm_store_rollback (self);
  return FALSE;
}

/**
 * crm_store_delete_dangling:
 *
 * In the open transaction, deletes every row that refers to a row that
 * is not there (PRAGMA foreign_key_check), and then those that referred
 * to them. Returns how many, or -1 with @error set.
 */
gint64
crm_store_delete_dangling (CrmStore  *self,
                           GError   **error)
{
  gint64 deleted = 0;

  g_return_val_if_fail (CRM_IS_STORE (self), -1);
  g_return_val_if_fail (self->depth > 0, -1);

  /* Each pass takes one level of a chain (a deal's lines after the deal). */
  for (guint pass = 0; pass < 8; pass++)
    {
      g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GArray) rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
      sqlite3_stmt *stmt = NULL;
      int rc = sqlite3_prepare_v2 (self->db, "PRAGMA foreign_key_check", -1, &stmt, NULL);

      while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 rowid = sqlite3_column_int64 (stmt, 1);

          g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
          g_array_append_val (rowids, rowid);
          rc = SQLITE_OK;
        }
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        {
          crm_store_take_error (self, rc, error);
          return -1;
        }
      if (tables->len == 0)
        return deleted;
      for (guint i = 0; i < tables->len; i++)
        {
          /* The table name comes from SQLite's own schema. */
          g_autofree char *sql = g_strdup_printf ("DELETE FROM \"%s\" WHERE rowid = ?1",
                                                  (const char *) g_ptr_array_index (tables, i));
          g_autoptr(CrmCachedStmt) del = crm_store_prepare (self, sql, error);

          if (del == NULL)
            return -1;
          sqlite3_bind_int64 (del, 1, g_array_index (rowids, gint64, i));
          if (!crm_store_step_done (self, del, error))
            return -1;
          deleted++;
        }
    }
  g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
               _("Rows of %s still refer to missing rows after removing %" PRId64 " of them."),
               self->path, deleted);
  return -1;
}

gboolean
crm_store_in_transaction (CrmStore *self)
{
  return self->depth > 0;
}

gboolean
crm_store_set_applying_remote (CrmStore  *self,
                               gboolean   applying,
                               GError   **error)
{
  static const char sql[] = "UPDATE local_state SET applying_remote = ?";
  g_autoptr(CrmCachedStmt) stmt = NULL;

  /* Outside a transaction the flag could be left set by a crash and
   * silently stop recording local changes. */
  if (self->depth == 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                           "crm_store_set_applying_remote() must be called inside a transaction");
      return FALSE;
    }

  stmt = crm_store_prepare (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, applying ? 1 : 0);
  return crm_store_step_done (self, stmt, error);
}

/* --- Records -------------------------------------------------------------- */

static gboolean
column_is_local (guint index)
{
  return index == CRM_RECORD_COLUMN_SERVER_VERSION;
}

static CrmRecordClass *
record_class_for_type (GType type)
{
  g_return_val_if_fail (g_type_is_a (type, CRM_TYPE_RECORD), NULL);
  return g_type_class_ref (type);
}

static char *
select_sql (CrmRecordClass *klass)
{
  GString *sql = g_string_new ("SELECT ");
  guint n = crm_record_class_get_n_columns (klass);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (sql, "%s%s", i ? ", " : "", crm_record_class_get_column (klass, i)->name);
  g_string_append_printf (sql, " FROM %s WHERE id = ?", crm_record_class_get_table (klass));
  return g_string_free (sql, FALSE);
}

gpointer
crm_store_get (CrmStore    *self,
               GType        type,
               const char  *id,
               GError     **error)
{
  CrmRecordClass *klass;
  g_autofree char *sql = NULL;
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(CrmRecord) record = NULL;
  guint n;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);

  klass = record_class_for_type (type);
  sql = select_sql (klass);
  n = crm_record_class_get_n_columns (klass);
  g_type_class_unref (klass);

  stmt = crm_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                   _("There is no record with id “%s” in %s. Check the id (list them with “crmctl list”)."),
                   id != NULL ? id : "", crm_record_class_get_table (klass));
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      crm_store_take_error (self, rc, error);
      return NULL;
    }

  record = g_object_new (type, NULL);
  for (guint i = 0; i < n; i++)
    crm_record_load_column (record, i, stmt, (int) i);
  return g_steal_pointer (&record);
}

static gboolean
add_stage_history (CrmStore    *self,
                   const char  *deal_id,
                   const char  *from_stage,
                   const char  *to_stage,
                   GError     **error)
{
  static const char sql[] =
    "INSERT INTO deal_stage_history (id, created_at, updated_at, owner_id, deal_id,"
    " from_stage_id, to_stage_id, at, by_user_id)"
    " VALUES (?1, ?2, ?2, (SELECT value FROM meta WHERE key = 'user_id'), ?3, ?4, ?5,"
    " strftime ('%Y-%m-%dT%H:%M:%SZ', 'now'), (SELECT value FROM meta WHERE key = 'user_id'))";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self, sql, error);
  g_autofree char *id = crm_uuid_v7_new ();
  g_autofree char *hlc = crm_store_next_hlc (self);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, hlc, -1, SQLITE_STATIC);
  crm_stmt_bind_text (stmt, 3, deal_id);
  crm_stmt_bind_text (stmt, 4, from_stage);
  crm_stmt_bind_text (stmt, 5, to_stage);
  if (!crm_store_step_done (self, stmt, error))
    return FALSE;
  crm_store_queue_changed (self, "deal_stage_history", id);
  return TRUE;
}

static char *
lookup_text (CrmStore   *self,
             const char *table,
             const char *column,
             const char *id)
{
  /* Table and column names come from record classes, never from users. */
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", column, table);
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self, sql, NULL);

  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return NULL;
}

/* What else must change in the same transaction when a row of @table was
 * written: a contact's derived fields follow its purchases, and a deal's
 * stage moves are recorded. */
static gboolean
after_write (CrmStore    *self,
             const char  *table,
             const char  *id,
             const char  *old_contact_id,
             gboolean     stage_changed,
             const char  *old_stage_id,
             GError     **error)
{
  if (g_str_equal (table, "purchases"))
    {
      g_autofree char *contact_id = lookup_text (self, "purchases", "contact_id", id);

      if (contact_id != NULL && !crm_lifecycle_update_contact (self, contact_id, error))
        return FALSE;
      if (old_contact_id != NULL && g_strcmp0 (old_contact_id, contact_id) != 0 &&
          !crm_lifecycle_update_contact (self, old_contact_id, error))
        return FALSE;
    }
  else if (g_str_equal (table, "deals") && stage_changed)
    {
      g_autofree char *stage_id = lookup_text (self, "deals", "stage_id", id);

      if (stage_id != NULL && !add_stage_history (self, id, old_stage_id, stage_id, error))
        return FALSE;
    }
  return TRUE;
}

/* Whether after_write() may write for a row of @table. */
static gboolean
has_after_write (const char *table)
{
  return g_str_equal (table, "purchases") || g_str_equal (table, "deals");
}

static gboolean
check_writable (CrmStore  *self,
                GError   **error)
{
  if (self->read_only)
    {
      crm_store_set_error (error, SQLITE_READONLY, self->path, NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_store_insert (CrmStore   *self,
                  CrmRecord  *record,
                  GError    **error)
{
  CrmRecordClass *klass;
  const char *table;
  g_autofree char *hlc = NULL;
  g_autoptr(GString) sql = NULL;
  g_autoptr(GString) values = NULL;
  g_autoptr(GArray) bound = NULL;
  g_autoptr(CrmCachedStmt) stmt = NULL;
  gboolean own_transaction;
  guint n;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (CRM_IS_RECORD (record), FALSE);

  if (!check_writable (self, error))
    return FALSE;

  klass = CRM_RECORD_GET_CLASS (record);
  table = crm_record_class_get_table (klass);
  n = crm_record_class_get_n_columns (klass);

  /* Import and sync may bring their own ids; everyone else gets a new one. */
  if (crm_record_get_id (record) == NULL)
    {
      g_autofree char *id = crm_uuid_v7_new ();

      crm_record_set_string_at (record, CRM_RECORD_COLUMN_ID, id);
    }
  else if (!crm_uuid_is_valid (crm_record_get_id (record)))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("id: “%s” is not a valid record id."), crm_record_get_id (record));
      return FALSE;
    }

  hlc = crm_store_next_hlc (self);
  crm_record_set_string_at (record, CRM_RECORD_COLUMN_CREATED_AT, hlc);
  crm_record_set_string_at (record, CRM_RECORD_COLUMN_UPDATED_AT, hlc);

  if (klass->prepare_write != NULL)
    klass->prepare_write (record);
  if (!crm_record_validate (record, error))
    return FALSE;

  sql = g_string_new (NULL);
  values = g_string_new (NULL);
  bound = g_array_new (FALSE, FALSE, sizeof (guint));
  g_string_append_printf (sql, "INSERT INTO %s (", table);
  for (guint i = 0; i < n; i++)
    {
      const CrmColumn *column = crm_record_class_get_column (klass, i);

      /* Derived columns keep their SQL default unless prepare_write set them. */
      if (column_is_local (i) ||
          ((column->flags & CRM_COLUMN_DERIVED) && i >= CRM_RECORD_N_BASE_COLUMNS &&
           !crm_record_is_changed_at (record, i)))
        continue;
      /* Per inserted row: plain appends, no format to parse. */
      if (bound->len > 0)
        g_string_append (sql, ", ");
      g_string_append (sql, column->name);
      g_string_append (values, bound->len ? ", ?" : "?");
      g_array_append_val (bound, i);
    }
  g_string_append_printf (sql, ") VALUES (%s)", values->str);

  /* Inside a caller's transaction, a row that needs no follow-up write is
   * one statement, atomic with its triggers by itself: a savepoint would
   * only copy every page it touches to the statement journal (most of a
   * bulk import's time). */
  own_transaction = !crm_store_in_transaction (self) || has_after_write (table);
  if (own_transaction && !crm_store_begin (self, error))
    return FALSE;

  stmt = crm_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    {
      if (own_transaction)
        crm_store_rollback (self);
      return FALSE;
    }
  for (guint i = 0; i < bound->len; i++)
    crm_record_bind_column (record, g_array_index (bound, guint, i), stmt, (int) i + 1);

  if (!crm_store_step_done (self, stmt, error) ||
      !after_write (self, table, crm_record_get_id (record), NULL,
                    g_str_equal (table, "deals"), NULL, error))
    {
      if (own_transaction)
        crm_store_rollback (self);
      return FALSE;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  crm_store_queue_changed (self, table, crm_record_get_id (record));
  if (own_transaction && !crm_store_commit (self, error))
    return FALSE;

  crm_record_clear_changes (record);
  return TRUE;
}

gboolean
crm_store_update (CrmStore   *self,
                  CrmRecord  *record,
                  GError    **error)
{
  CrmRecordClass *klass;
  const char *table;
  const char *id;
  g_autofree char *hlc = NULL;
  g_autofree char *old_contact_id = NULL;
  g_autofree char *old_stage_id = NULL;
  g_autoptr(GString) sql = NULL;
  g_autoptr(GArray) bound = NULL;
  g_autoptr(CrmCachedStmt) stmt = NULL;
  gboolean stage_changed = FALSE;
  guint n;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (CRM_IS_RECORD (record), FALSE);

  if (!crm_record_has_changes (record))
    return TRUE;
  if (!check_writable (self, error))
    return FALSE;

  klass = CRM_RECORD_GET_CLASS (record);
  table = crm_record_class_get_table (klass);
  n = crm_record_class_get_n_columns (klass);
  id = crm_record_get_id (record);

  if (id == NULL)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                           _("This record was never saved, so it cannot be updated. Insert it first."));
      return FALSE;
    }

  if (klass->prepare_write != NULL)
    klass->prepare_write (record);
  if (!crm_record_validate (record, error))
    return FALSE;

  sql = g_string_new (NULL);
  bound = g_array_new (FALSE, FALSE, sizeof (guint));
  g_string_append_printf (sql, "UPDATE %s SET ", table);
  for (guint i = CRM_RECORD_COLUMN_OWNER_ID; i < n; i++)
    {
      if (!crm_record_is_changed_at (record, i))
        continue;
      g_string_append_printf (sql, "%s = ?, ", crm_record_class_get_column (klass, i)->name);
      g_array_append_val (bound, i);
    }
  if (bound->len == 0)
    {
      /* Only bookkeeping columns changed; nothing of the user's to write. */
      crm_record_clear_changes (record);
      return TRUE;
    }
  g_string_append_printf (sql, "updated_at = ? WHERE id = ?");

  if (!crm_store_begin (self, error))
    return FALSE;

  if (g_str_equal (table, "purchases") && crm_record_is_changed (record, "contact_id"))
    old_contact_id = lookup_text (self, table, "contact_id", id);
  if (g_str_equal (table, "deals") && crm_record_is_changed (record, "stage_id"))
    {
      old_stage_id = lookup_text (self, table, "stage_id", id);
      stage_changed = TRUE;
    }

  hlc = crm_store_next_hlc (self);
  stmt = crm_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    {
      crm_store_rollback (self);
      return FALSE;
    }
  for (guint i = 0; i < bound->len; i++)
    crm_record_bind_column (record, g_array_index (bound, guint, i), stmt, (int) i + 1);
  sqlite3_bind_text (stmt, (int) bound->len + 1, hlc, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, (int) bound->len + 2, id, -1, SQLITE_STATIC);

  if (!crm_store_step_done (self, stmt, error))
    {
      crm_store_rollback (self);
      return FALSE;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      crm_store_rollback (self);
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                   _("There is no record with id “%s” in %s; it may have been removed. Reload and try again."),
                   id, table);
      return FALSE;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  if (!after_write (self, table, id, old_contact_id, stage_changed, old_stage_id, error))
    {
      crm_store_rollback (self);
      return FALSE;
    }

  crm_store_queue_changed (self, table, id);
  if (!crm_store_commit (self, error))
    return FALSE;

  crm_record_set_string_at (record, CRM_RECORD_COLUMN_UPDATED_AT, hlc);
  crm_record_clear_changes (record);
  return TRUE;
}

static gboolean
set_deleted (CrmStore    *self,
             GType        type,
             const char  *id,
             gboolean     deleted,
             GError     **error)
{
  CrmRecordClass *klass;
  g_autofree char *table = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *hlc = NULL;
  g_autofree char *exists = NULL;
  g_autoptr(CrmCachedStmt) stmt = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);

  if (!check_writable (self, error))
    return FALSE;

  klass = record_class_for_type (type);
  table = g_strdup (crm_record_class_get_table (klass));
  g_type_class_unref (klass);

  sql = g_strdup_printf ("UPDATE %s SET deleted = ?, updated_at = ? WHERE id = ? AND deleted = ?",
                         table);
  hlc = crm_store_next_hlc (self);

  if (!crm_store_begin (self, error))
    return FALSE;
  stmt = crm_store_prepare (self, sql, error);
  if (stmt == NULL)
    {
      crm_store_rollback (self);
      return FALSE;
    }
  sqlite3_bind_int (stmt, 1, deleted ? 1 : 0);
  sqlite3_bind_text (stmt, 2, hlc, -1, SQLITE_STATIC);
  crm_stmt_bind_text (stmt, 3, id);
  sqlite3_bind_int (stmt, 4, deleted ? 0 : 1);
  if (!crm_store_step_done (self, stmt, error))
    {
      crm_store_rollback (self);
      return FALSE;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  if (sqlite3_changes (self->db) == 0)
    {
      /* Deleting what is already deleted is fine; a missing row is not. */
      exists = lookup_text (self, table, "id", id);
      crm_store_rollback (self);
      if (exists == NULL)
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                       _("There is no record with id “%s” in %s. Check the id."),
                       id != NULL ? id : "", table);
          return FALSE;
        }
      return TRUE;
    }

  if (!after_write (self, table, id, NULL, FALSE, NULL, error))
    {
      crm_store_rollback (self);
      return FALSE;
    }
  crm_store_queue_changed (self, table, id);
  return crm_store_commit (self, error);
}

gboolean
crm_store_delete (CrmStore    *self,
                  GType        type,
                  const char  *id,
                  GError     **error)
{
  return set_deleted (self, type, id, TRUE, error);
}

gboolean
crm_store_undelete (CrmStore    *self,
                    GType        type,
                    const char  *id,
                    GError     **error)
{
  return set_deleted (self, type, id, FALSE, error);
}

/* --- Backup, restore, check ---------------------------------------------- */

static gboolean
copy_database (sqlite3     *from,
               sqlite3     *to,
               const char  *to_path,
               GError     **error)
{
  sqlite3_backup *backup = sqlite3_backup_init (to, "main", from, "main");
  int rc;

  if (backup == NULL)
    {
      crm_store_set_error (error, sqlite3_extended_errcode (to), to_path, sqlite3_errmsg (to));
      return FALSE;
    }
  /* One step: the copy is taken under a single read transaction, so it is
   * consistent even while this or another program keeps writing. */
  rc = sqlite3_backup_step (backup, -1);
  sqlite3_backup_finish (backup);
  if (rc != SQLITE_DONE)
    {
      crm_store_set_error (error, rc, to_path, sqlite3_errstr (rc));
      return FALSE;
    }
  return TRUE;
}

static gboolean
backup_to (sqlite3     *source,
           const char  *dest_path,
           GError     **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-XXXXXX", dest_path);
  sqlite3 *dest = NULL;
  gboolean ok;
  int fd;
  int rc;

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, CRM_STORE_ERROR,
                   saved_errno == ENOSPC ? CRM_STORE_ERROR_DISK_FULL : CRM_STORE_ERROR_FAILED,
                   _("Could not write the backup “%s”: %s. Choose another location."),
                   dest_path, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  rc = sqlite3_open_v2 (tmp, &dest, SQLITE_OPEN_READWRITE, NULL);
  ok = rc == SQLITE_OK && copy_database (source, dest, dest_path, error);
  if (rc != SQLITE_OK)
    crm_store_set_error (error, rc, dest_path, NULL);
  /* A backup is one self-contained file, not a WAL database. */
  if (ok)
    ok = sqlite3_exec (dest, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) == SQLITE_OK ||
         (crm_store_set_error (error, sqlite3_extended_errcode (dest), dest_path, sqlite3_errmsg (dest)), FALSE);
  sqlite3_close (dest);

  if (ok && g_rename (tmp, dest_path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                   _("Could not write the backup “%s”: %s. Choose another location."),
                   dest_path, g_strerror (saved_errno));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp);
  return ok;
}

#define COMPANY_NAME_MAX_CHARS 200

char *
crm_store_dup_company_name (CrmStore *self)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);

  return crm_store_get_meta (self, "company_name");
}

gboolean
crm_store_set_company_name (CrmStore    *self,
                            const char  *name,
                            GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name != NULL ? name : ""));
  static const char clear_sql[] = "DELETE FROM meta WHERE key = 'company_name'";

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);

  if (!g_utf8_validate (stripped, -1, NULL) || g_utf8_strlen (stripped, -1) > COMPANY_NAME_MAX_CHARS)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("The company name is too long: at most %d characters."), COMPANY_NAME_MAX_CHARS);
      return FALSE;
    }
  if (stripped[0] != '\0')
    return crm_store_set_meta (self, "company_name", stripped, error);
  if (!check_writable (self, error))
    return FALSE;
  return crm_store_exec (self, clear_sql, error);
}

gboolean
crm_store_backup (CrmStore    *self,
                  const char  *dest_path,
                  GError     **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);

  /* The copy would include the uncommitted half of the current change. */
  if (self->depth > 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_BUSY,
                           _("A change is in progress. Back up when it has finished."));
      return FALSE;
    }
  return backup_to (self->db, dest_path, error);
}

/* Checks that @source_path is an intact CRM database this version can
 * read, and returns a read-only connection to it. */
static sqlite3 *
open_restore_source (const char  *source_path,
                     GError     **error)
{
  static const char crm_tables_sql[] =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('meta', 'outbox', 'contacts')";
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 version = 0;
  gint64 tables = 0;
  g_autoptr(GString) problems = g_string_new (NULL);
  int rc;

  if (!probe_file (source_path, TRUE, &version, error))
    return NULL;

  rc = sqlite3_open_v2 (source_path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc != SQLITE_OK)
    {
      crm_store_set_error (error, rc, source_path, NULL);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);

  if (!query_int (db, crm_tables_sql, source_path, &tables, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  if (tables != 3)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_A_DATABASE,
                   _("“%s” is an SQLite file but not a CRM backup. Choose a file made by “crmctl backup”."),
                   source_path);
      sqlite3_close (db);
      return NULL;
    }

  rc = sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (line, "ok") != 0)
        g_string_append_printf (problems, "%s\n", line);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE || problems->len > 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT,
                   _("The backup “%s” is damaged, so it was not restored; the current database is unchanged.\n%s"),
                   source_path, problems->len ? problems->str : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

static char *
bak_path (const char *path)
{
  return g_strconcat (path, ".bak", NULL);
}

gboolean
crm_store_restore (CrmStore    *self,
                   const char  *source_path,
                   GError     **error)
{
  g_autofree char *bak = bak_path (self->path);
  g_autofree char *last = NULL;
  sqlite3 *source;
  gint64 version = 0;
  gboolean ok;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);

  if (!check_writable (self, error))
    return FALSE;
  if (self->depth > 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_BUSY,
                           _("A change is in progress. Restore when it has finished."));
      return FALSE;
    }

  source = open_restore_source (source_path, error);
  if (source == NULL)
    return FALSE;

  /* Keep what is replaced, so a wrong restore can be undone. */
  if (!backup_to (self->db, bak, error))
    {
      sqlite3_close (source);
      g_prefix_error (error, _("The current database could not be saved first, so nothing was restored: "));
      return FALSE;
    }

  /* The backup API writes the destination in one transaction: it is either
   * fully replaced or untouched. */
  ok = copy_database (source, self->db, self->path, error);
  sqlite3_close (source);
  if (!ok)
    return FALSE;

  if (!query_int (self->db, "PRAGMA user_version", self->path, &version, error))
    return FALSE;
  if (version < (gint64) crm_store_migrations_latest () &&
      !crm_store_migrate (self->db, (guint) version, self->path, error))
    return FALSE;

  /* Never go back in time, even if the backup's clock is older. */
  last = crm_store_get_meta (self, "hlc");
  if (last != NULL)
    crm_hlc_restore (self->hlc, last, NULL);

  crm_store_queue_changed (self, NULL, NULL);
  emit_pending (self);
  return TRUE;
}

gboolean
crm_store_restore_file (const char  *path,
                        const char  *source_path,
                        GError     **error)
{
  g_autofree char *bak = bak_path (path);
  sqlite3 *source;
  gboolean ok;

  source = open_restore_source (source_path, error);
  if (source == NULL)
    return FALSE;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      static const char * const suffixes[] = { "", "-wal", "-shm" };

      /* The damaged file moves aside with its WAL, which SQLite finds by
       * name, so the .bak is the database exactly as it was. */
      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
          g_autofree char *to = g_strconcat (bak, suffixes[i], NULL);

          g_unlink (to);
          if (g_file_test (from, G_FILE_TEST_EXISTS) && g_rename (from, to) != 0)
            {
              int saved_errno = errno;

              g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                           _("Could not move “%s” aside: %s. Nothing was restored."),
                           from, g_strerror (saved_errno));
              sqlite3_close (source);
              return FALSE;
            }
        }
    }

  ok = backup_to (source, path, error);
  sqlite3_close (source);
  return ok;
}

gboolean
crm_store_check (CrmStore  *self,
                 char     **out_report,
                 GError   **error)
{
  static const char fts_count_sql[] =
    "SELECT (SELECT count(*) FROM contacts WHERE deleted = 0) - (SELECT count(*) FROM contact_fts)";
  static const char outbox_sql[] =
    "SELECT coalesce (max (mutation_id), 0) - (SELECT last_mutation_id FROM local_state) FROM outbox";
  g_autoptr(GString) report = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;
  gint64 diff = 0;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA integrity_check", -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (line, "ok") != 0)
        g_string_append_printf (report, "%s\n", line);
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (self, rc, error);
      return FALSE;
    }

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA foreign_key_check", -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_string_append_printf (report, _("%s row %lld refers to a missing row of %s\n"),
                              (const char *) sqlite3_column_text (stmt, 0),
                              (long long) sqlite3_column_int64 (stmt, 1),
                              (const char *) sqlite3_column_text (stmt, 2));
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (self, rc, error);
      return FALSE;
    }

  if (!crm_contact_search_get_deferred (self))
    {
      if (!query_int (self->db, fts_count_sql, self->path, &diff, error))
        return FALSE;
      if (diff != 0)
        g_string_append_printf (report, _("the search index is out of date by %" PRId64 " contacts (run “crmctl recompute”)\n"),
                                diff);
      if (!self->read_only &&
          sqlite3_exec (self->db, "INSERT INTO contact_fts (contact_fts) VALUES ('integrity-check')",
                        NULL, NULL, NULL) != SQLITE_OK)
        g_string_append_printf (report, _("the search index is damaged: %s (run “crmctl recompute”)\n"),
                                sqlite3_errmsg (self->db));
    }

  if (!query_int (self->db, outbox_sql, self->path, &diff, error))
    return FALSE;
  if (diff > 0)
    g_string_append (report, _("the outbox has mutation ids above the counter\n"));

  if (out_report != NULL)
    *out_report = g_strdup (report->str);

  if (report->len > 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT,
                   _("The database “%s” has problems:\n%s"), self->path, report->str);
      return FALSE;
    }
  return TRUE;
}

/* Contacts written without the store (import, demo, sync apply) may lack
 * their pinyin; it needs ICU, so it is filled here rather than in SQL. */
static gboolean
fill_missing_pinyin (CrmStore  *self,
                     GError   **error)
{
  static const char select_sql_text[] =
    "SELECT rid, name, kind FROM contacts WHERE name_pinyin IS NULL OR name_sort IS NULL";
  static const char update_sql[] =
    "UPDATE contacts SET name_pinyin = ?, name_initials = ?, name_sort = ? WHERE rid = ?";
  g_autoptr(CrmCachedStmt) select_stmt = crm_store_prepare (self, select_sql_text, error);
  g_autoptr(CrmCachedStmt) update_stmt = NULL;
  int rc;

  if (select_stmt == NULL)
    return FALSE;
  update_stmt = crm_store_prepare (self, update_sql, error);
  if (update_stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (select_stmt)) == SQLITE_ROW)
    {
      g_autofree char *full = NULL;
      g_autofree char *initials = NULL;
      g_autofree char *sort_key = NULL;
      const char *name = (const char *) sqlite3_column_text (select_stmt, 1);
      gboolean organization = g_strcmp0 ((const char *) sqlite3_column_text (select_stmt, 2), "organization") == 0;

      crm_pinyin_convert (name, organization ? CRM_PINYIN_FLAGS_NONE : CRM_PINYIN_PERSON_NAME,
                          &full, &initials);
      sort_key = crm_pinyin_sort_key (name);
      sqlite3_bind_text (update_stmt, 1, full, -1, SQLITE_STATIC);
      sqlite3_bind_text (update_stmt, 2, initials, -1, SQLITE_STATIC);
      sqlite3_bind_blob (update_stmt, 3, sort_key, (int) strlen (sort_key), SQLITE_STATIC);
      sqlite3_bind_int64 (update_stmt, 4, sqlite3_column_int64 (select_stmt, 0));
      if (!crm_store_step_done (self, update_stmt, error))
        return FALSE;
      sqlite3_reset (update_stmt);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (self, rc, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_store_recompute_derived (CrmStore    *self,
                             const char  *reference_date,
                             GError     **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);

  if (!check_writable (self, error))
    return FALSE;

  if (!crm_store_begin (self, error))
    return FALSE;
  /* The month summaries follow the time zone the app runs in now. */
  if (!fill_missing_pinyin (self, error) ||
      !crm_lifecycle_recompute_all (self, reference_date, error) ||
      (!crm_local_months_current (self) && !crm_local_months_fill (self->db, error)))
    {
      crm_store_rollback (self);
      return FALSE;
    }
  crm_store_queue_changed (self, "contacts", NULL);
  if (!crm_store_commit (self, error))
    return FALSE;

  if (crm_contact_search_get_deferred (self))
    return crm_contact_search_rebuild (self, error);
  return TRUE;
}
