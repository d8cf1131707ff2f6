/* crm-store-bulk.c: settings for a long run of write transactions (import, pull, demo data) */

#include "config.h"

#include <string.h>

#include "crm-store-bulk.h"
#include "crm-store-private.h"

/* SQLite copies the write-ahead log back into the file at the first
 * commit after it passes 1,000 pages (4 MB). A bulk run commits every few
 * thousand rows, each touching pages all over the indexes, so each commit
 * wrote most of them twice: to the log and back to the file (a quarter
 * of a 100,000-row import). Held to 128 MB, the log takes a page written
 * by many commits, and the file gets it once. */
#define BULK_LOG_BYTES (128 * 1024 * 1024)

/* A deferred index is a meta row: DEFERRED_INDEX_KEY NAME -> the
 * statement that builds it, so a run that never reached its end (the
 * program killed) is finished by the next crm_store_open(). */
#define DEFERRED_INDEX_KEY "deferred_index:"
/* Every such row (';' follows ':'). */
#define DEFERRED_INDEX_ROWS "key > '" DEFERRED_INDEX_KEY "' AND key < 'deferred_index;'"

struct _CrmStoreBulk
{
  CrmStore *store;
  gint64 cache_size;
  gint64 mmap_size;
  gint64 wal_autocheckpoint;
  gboolean raised_cache;
  gboolean unmapped;
  gboolean deferred_indexes;
};

/* The value of a PRAGMA; fallback when it cannot be read. */
static gint64
query_pragma (CrmStore   *store,
              const char *sql,
              gint64      fallback)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, NULL);

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  return fallback;
}

/* The numbers set below are SQLite's own or ours, never a user's text. */
static void
set_pragma (CrmStore   *store,
            const char *name,
            gint64      value)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA %s = %" G_GINT64_FORMAT, name, value);

  crm_store_exec (store, sql, NULL);
}

CrmStoreBulk *
crm_store_bulk_begin (CrmStore          *store,
                      gint64             cache_kib,
                      CrmStoreBulkFlags  flags)
{
  CrmStoreBulk *bulk;
  gint64 page_size;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  bulk = g_new0 (CrmStoreBulk, 1);
  bulk->store = g_object_ref (store);
  bulk->cache_size = query_pragma (store, "PRAGMA cache_size", -2000);
  bulk->mmap_size = query_pragma (store, "PRAGMA mmap_size", 0);
  bulk->wal_autocheckpoint = query_pragma (store, "PRAGMA wal_autocheckpoint", 1000);
  page_size = MAX (query_pragma (store, "PRAGMA page_size", 4096), 512);

  /* cache_size counts pages when positive, KiB when negative. */
  if (cache_kib > 0 &&
      (bulk->cache_size < 0 ? -bulk->cache_size : bulk->cache_size * page_size / 1024) < cache_kib)
    {
      set_pragma (store, "cache_size", -cache_kib);
      bulk->raised_cache = TRUE;
    }
  if ((flags & CRM_STORE_BULK_UNMAP) != 0 && bulk->mmap_size > 0)
    {
      set_pragma (store, "mmap_size", 0);
      bulk->unmapped = TRUE;
    }
  if (bulk->wal_autocheckpoint > 0)
    set_pragma (store, "wal_autocheckpoint", MAX (bulk->wal_autocheckpoint, BULK_LOG_BYTES / page_size));
  return bulk;
}

/* Fills @names and @sqls from a query of (name, sql) rows; @bound, if
 * not NULL, is its parameter. */
static gboolean
collect_pairs (CrmStore    *store,
               const char  *sql,
               const char  *bound,
               GPtrArray   *names,
               GPtrArray   *sqls,
               GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (bound != NULL)
    crm_stmt_bind_text (stmt, 1, bound);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (sqls, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_set_error (error, rc, NULL, sqlite3_errmsg (sqlite3_db_handle (stmt)));
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_store_bulk_defer_indexes (CrmStoreBulk  *bulk,
                              const char    *table,
                              GError       **error)
{
  static const char list_sql[] =
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1\n"
    "  AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %'";
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sqls = g_ptr_array_new_with_free_func (g_free);
  CrmStore *store;

  g_return_val_if_fail (bulk != NULL, FALSE);
  store = bulk->store;

  if (!crm_store_begin (store, error))
    return FALSE;
  if (!collect_pairs (store, list_sql, table, names, sqls, error))
    goto fail;
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      const char *sql = g_ptr_array_index (sqls, i);
      g_autofree char *key = g_strconcat (DEFERRED_INDEX_KEY, name, NULL);
      g_autofree char *build = NULL;
      char *drop;
      gboolean dropped;

      if (!g_str_has_prefix (sql, "CREATE INDEX "))
        continue;
      /* IF NOT EXISTS: another program's open may have built it first. */
      build = g_strconcat ("CREATE INDEX IF NOT EXISTS ", sql + strlen ("CREATE INDEX "), NULL);
      drop = sqlite3_mprintf ("DROP INDEX \"%w\"", name);
      dropped = crm_store_set_meta (store, key, build, error) && crm_store_exec (store, drop, error);
      sqlite3_free (drop);
      if (!dropped)
        goto fail;
    }
  if (!crm_store_commit (store, error))
    return FALSE;
  bulk->deferred_indexes = TRUE;
  return TRUE;

fail:
  crm_store_rollback (store);
  return FALSE;
}

gboolean
crm_store_build_deferred_indexes (CrmStore  *store,
                                  GError   **error)
{
  static const char list_sql[] = "SELECT key, value FROM meta WHERE " DEFERRED_INDEX_ROWS;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) sqls = g_ptr_array_new_with_free_func (g_free);

  if (crm_store_is_read_only (store))
    return TRUE;
  if (!collect_pairs (store, list_sql, NULL, keys, sqls, error))
    return FALSE;
  if (keys->len == 0)
    return TRUE;
  if (!crm_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    if (!crm_store_exec (store, g_ptr_array_index (sqls, i), error))
      goto fail;
  if (!crm_store_exec (store, "DELETE FROM meta WHERE " DEFERRED_INDEX_ROWS, error))
    goto fail;
  return crm_store_commit (store, error);

fail:
  crm_store_rollback (store);
  return FALSE;
}

void
crm_store_bulk_end (CrmStoreBulk *bulk)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  gint64 log_pages = 0;

  if (bulk == NULL)
    return;

  /* On failure the next open tries again; the rows are all there. */
  if (bulk->deferred_indexes && !crm_store_build_deferred_indexes (bulk->store, &error))
    g_warning ("Could not build the indexes of %s: %s", crm_store_get_path (bulk->store), error->message);

  if (bulk->raised_cache)
    set_pragma (bulk->store, "cache_size", bulk->cache_size);
  if (bulk->unmapped)
    set_pragma (bulk->store, "mmap_size", bulk->mmap_size);
  if (bulk->wal_autocheckpoint > 0)
    {
      set_pragma (bulk->store, "wal_autocheckpoint", bulk->wal_autocheckpoint);

      /* Now, rather than at the user's next small edit. A log left long
       * is also scanned in full by every later open: once written back,
       * it is emptied, unless a reader still needs it. */
      if (!crm_store_in_transaction (bulk->store) &&
          (stmt = crm_store_prepare (bulk->store, "PRAGMA wal_checkpoint(PASSIVE)", NULL)) != NULL &&
          sqlite3_step (stmt) == SQLITE_ROW)
        log_pages = sqlite3_column_int64 (stmt, 1);
      g_clear_pointer (&stmt, crm_cached_stmt_release);
      if (log_pages > bulk->wal_autocheckpoint)
        {
          /* Emptying waits for readers (another window's query, another
           * process): briefly, it is only disk space. */
          gint64 busy_timeout = query_pragma (bulk->store, "PRAGMA busy_timeout", 0);

          set_pragma (bulk->store, "busy_timeout", MIN (busy_timeout, 100));
          crm_store_exec (bulk->store, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
          set_pragma (bulk->store, "busy_timeout", busy_timeout);
        }
    }

  g_object_unref (bulk->store);
  g_free (bulk);
}
