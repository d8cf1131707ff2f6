/* crm-contact-search.c: FTS5 trigram index plus short-key lookups for contact search */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "crm-contact-search.h"
#include "crm-contact-search-rows.h"
#include "crm-store-private.h"

/* Two structures, because trigram FTS cannot match fewer than three
 * characters:
 *
 * - contact_fts (rowid = contacts.rid): the text of every searchable field,
 *   for queries of three characters or more (substring match).
 * - contact_search_keys: for one- and two-character queries, every one- and
 *   two-character substring of the name and the pinyin initials (so 三丰
 *   finds 张三丰, sf finds zsf), the first one or two characters of the full
 *   pinyin, of each email, phone number and tag. `kind` ranks a key:
 *   0 the whole field, 1 its start, 2 inside it; the primary key (key, kind,
 *   rid) serves lookups in rank order straight from the index.
 *
 * - contact_search_fields (schema version 3): every whole field value,
 *   lower-cased: name, full pinyin, initials, each email, each phone number
 *   in both forms below, each tag. For three characters or more, `key = q`
 *   gives the exact matches and `q < key < q || x'FF'` the prefix matches,
 *   both straight from the index with LIMIT; only then does the search read
 *   FTS, in rowid order, for the substring matches that remain. Ranking all
 *   FTS matches by rank (what version 1 did) costs time in proportion to
 *   the number of matches, ~100 ms for "wang" at 100k contacts.
 *
 * All are maintained by triggers, so every writer (the store, import,
 * sync, a crash mid-way) leaves them consistent with contacts. Their SQL
 * reads a row source `c` with the columns below: NEW or OLD in triggers,
 * the contacts table when rebuilding. */

/* The number as people at home dial it: Chinese mobiles without +86,
 * Chinese landlines with the trunk 0 (010…), others with their country code. */
#define NATIONAL_PHONE(p) \
  "CASE WHEN json_extract (" p ", '$.e164') GLOB '+861[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' " \
  "THEN substr (json_extract (" p ", '$.e164'), 4) " \
  "WHEN json_extract (" p ", '$.e164') LIKE '+86%' " \
  "THEN '0' || substr (json_extract (" p ", '$.e164'), 4) " \
  "ELSE substr (json_extract (" p ", '$.e164'), 2) END"

#define FTS_SELECT(src) \
  "SELECT c.rid, c.name, c.name_pinyin, c.name_initials,\n" \
  "  (SELECT group_concat (value, ' ') FROM json_each (c.emails)),\n" \
  "  (SELECT group_concat (substr (json_extract (value, '$.e164'), 2) || ' ' || " NATIONAL_PHONE ("value") ", ' ') FROM json_each (c.phones)),\n" \
  "  (SELECT o.name FROM contacts o WHERE o.id = c.organization_id),\n" \
  "  (SELECT group_concat (value, ' ') FROM json_each (c.tags))\n" \
  "FROM " src " c WHERE c.deleted = 0"

/* Every substring of length 1 and 2 of column `col` of `c`. */
#define SUBSTRINGS(col) \
  "  SELECT c.rid AS rid, substr (lower (c." col "), n, 1) AS key,\n" \
  "         CASE WHEN length (c." col ") = 1 THEN 0 WHEN n = 1 THEN 1 ELSE 2 END AS kind\n" \
  "    FROM " SRC " c JOIN search_numbers ON n <= length (c." col ") WHERE c.deleted = 0\n" \
  "  UNION ALL\n" \
  "  SELECT c.rid, substr (lower (c." col "), n, 2),\n" \
  "         CASE WHEN length (c." col ") = 2 THEN 0 WHEN n = 1 THEN 1 ELSE 2 END\n" \
  "    FROM " SRC " c JOIN search_numbers ON n < length (c." col ") WHERE c.deleted = 0\n"

/* The first 1 and 2 characters of `expr` (over `c` joined with `from`). */
#define PREFIXES(expr, from) \
  "  SELECT c.rid, substr (" expr ", 1, n), CASE WHEN length (" expr ") = n THEN 0 ELSE 1 END\n" \
  "    FROM " SRC " c " from " JOIN search_numbers ON n <= 2 AND n <= length (" expr ") WHERE c.deleted = 0\n"

#define KEYS_SELECT \
  "SELECT key, min (kind), rid FROM (\n" \
  SUBSTRINGS ("name") \
  "  UNION ALL\n" \
  SUBSTRINGS ("name_initials") \
  "  UNION ALL\n" \
  PREFIXES ("c.name_pinyin", "") \
  "  UNION ALL\n" \
  PREFIXES ("lower (e.value)", ", json_each (c.emails) e") \
  "  UNION ALL\n" \
  PREFIXES (NATIONAL_PHONE ("p.value"), ", json_each (c.phones) p") \
  "  UNION ALL\n" \
  PREFIXES ("lower (t.value)", ", json_each (c.tags) t") \
  ") WHERE key IS NOT NULL AND key <> '' AND instr (key, ' ') = 0 GROUP BY key, rid"

/* Whole field values; the phone forms are those of FTS_SELECT, so every
 * exact or prefix match is also an FTS match. */
#define FIELD(expr, from) \
  "  SELECT c.rid AS rid, " expr " AS key FROM " SRC " c " from " WHERE c.deleted = 0\n"

#define FIELDS_SELECT \
  "SELECT key, rid FROM (\n" \
  FIELD ("lower (c.name)", "") \
  "  UNION ALL\n" \
  FIELD ("lower (c.name_pinyin)", "") \
  "  UNION ALL\n" \
  FIELD ("lower (c.name_initials)", "") \
  "  UNION ALL\n" \
  FIELD ("lower (e.value)", ", json_each (c.emails) e") \
  "  UNION ALL\n" \
  FIELD ("substr (json_extract (p.value, '$.e164'), 2)", ", json_each (c.phones) p") \
  "  UNION ALL\n" \
  FIELD (NATIONAL_PHONE ("p.value"), ", json_each (c.phones) p") \
  "  UNION ALL\n" \
  FIELD ("lower (t.value)", ", json_each (c.tags) t") \
  ") WHERE key IS NOT NULL AND key <> ''"

#define ROW_SOURCE(row) \
  "(SELECT " row ".rid AS rid, " row ".deleted AS deleted, " row ".name AS name, " \
  row ".name_pinyin AS name_pinyin, " row ".name_initials AS name_initials, " \
  row ".emails AS emails, " row ".phones AS phones, " row ".tags AS tags, " \
  row ".organization_id AS organization_id)"

#define WHEN_MAINTAINED "WHEN (SELECT defer_search FROM local_state) = 0"

#define SRC ROW_SOURCE ("NEW")
static const char add_row_sql[] =
  "  INSERT INTO contact_fts (rowid, name, pinyin, initials, emails, phones, organization, tags)\n"
  FTS_SELECT (ROW_SOURCE ("NEW")) ";\n"
  "  INSERT OR IGNORE INTO contact_search_keys (key, kind, rid)\n"
  KEYS_SELECT ";\n";
#undef SRC

#define SRC ROW_SOURCE ("OLD")
static const char remove_row_sql[] =
  "  DELETE FROM contact_fts WHERE rowid = OLD.rid;\n"
  "  DELETE FROM contact_search_keys WHERE (key, kind, rid) IN (\n"
  KEYS_SELECT ");\n";
#undef SRC

#define SRC ROW_SOURCE ("NEW")
static const char add_fields_sql[] =
  "  INSERT OR IGNORE INTO contact_search_fields (key, rid)\n"
  FIELDS_SELECT ";\n";
#undef SRC

#define SRC ROW_SOURCE ("OLD")
static const char remove_fields_sql[] =
  "  DELETE FROM contact_search_fields WHERE (key, rid) IN (\n"
  FIELDS_SELECT ");\n";
#undef SRC

/* Sorted first: inserting a million contacts' keys in key order is several
 * times faster than in random order. */
#define SRC "contacts"
static const char fill_fields_sql[] =
  "INSERT OR IGNORE INTO contact_search_fields (key, rid)\n"
  FIELDS_SELECT " ORDER BY 1, 2;\n";

static const char rebuild_sql[] =
  "DELETE FROM contact_fts;\n"
  "DELETE FROM contact_search_keys;\n"
  "DELETE FROM contact_search_fields;\n"
  "INSERT INTO contact_fts (rowid, name, pinyin, initials, emails, phones, organization, tags)\n"
  FTS_SELECT ("contacts") ";\n"
  "INSERT OR IGNORE INTO contact_search_keys (key, kind, rid)\n"
  KEYS_SELECT ";\n"
  "INSERT OR IGNORE INTO contact_search_fields (key, rid)\n"
  FIELDS_SELECT " ORDER BY 1, 2;\n"
  "UPDATE local_state SET defer_search = 0;\n";
#undef SRC

/* One contact at a time, with the SQL of the triggers: what
 * index_from() falls back to for a row it does not read itself. */
#define SRC "(SELECT * FROM contacts WHERE rid = ?1)"
static const char row_fts_sql[] =
  "INSERT INTO contact_fts (rowid, name, pinyin, initials, emails, phones, organization, tags)\n"
  FTS_SELECT (SRC);
static const char row_keys_sql[] =
  "INSERT OR IGNORE INTO contact_search_keys (key, kind, rid)\n"
  KEYS_SELECT;
static const char row_fields_sql[] =
  "INSERT OR IGNORE INTO contact_search_fields (key, rid)\n"
  FIELDS_SELECT;
#undef SRC

static const char tables_sql[] =
  "CREATE VIRTUAL TABLE contact_fts USING fts5 (\n"
  "  name, pinyin, initials, emails, phones, organization, tags,\n"
  "  tokenize = 'trigram');\n"
  "CREATE TABLE contact_search_keys (\n"
  "  key TEXT NOT NULL, kind INTEGER NOT NULL, rid INTEGER NOT NULL,\n"
  "  PRIMARY KEY (key, kind, rid)) WITHOUT ROWID;\n"
  "CREATE TABLE search_numbers (n INTEGER PRIMARY KEY);\n"
  "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 128)\n"
  "  INSERT INTO search_numbers SELECT n FROM r;\n";

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          GError     **error)
{
  char *errmsg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &errmsg);

  if (rc != SQLITE_OK)
    {
      crm_store_set_error (error, sqlite3_extended_errcode (db), NULL, errmsg);
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

/* Called by migration 1. Trigger bodies are assembled from the constants
 * above; nothing comes from user input. */
gboolean
crm_contact_search_install (sqlite3  *db,
                            GError  **error)
{
  g_autofree char *triggers = NULL;

  if (!exec_sql (db, tables_sql, error))
    return FALSE;

  triggers = g_strconcat (
    "CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts " WHEN_MAINTAINED "\n"
    "BEGIN\n", add_row_sql, "END;\n"
    "CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, name_pinyin, name_initials,"
    " emails, phones, tags, organization_id, deleted ON contacts " WHEN_MAINTAINED "\n"
    "BEGIN\n", remove_row_sql, add_row_sql, "END;\n"
    "CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts " WHEN_MAINTAINED "\n"
    "BEGIN\n", remove_row_sql, "END;\n"
    /* People show their organization's name; follow a rename. */
    "CREATE TRIGGER contacts_search_organization AFTER UPDATE OF name ON contacts\n"
    WHEN_MAINTAINED " AND NEW.kind = 'organization'\n"
    "BEGIN\n"
    "  UPDATE contact_fts SET organization = NEW.name\n"
    "  WHERE rowid IN (SELECT rid FROM contacts WHERE organization_id = NEW.id AND deleted = 0);\n"
    "END;\n",
    NULL);

  return exec_sql (db, triggers, error);
}

/* Called by migration 3, on a database that may hold contacts already:
 * the table is filled from them, and its own triggers sit beside those of
 * version 1, which stay as they were. */
gboolean
crm_contact_search_install_fields (sqlite3  *db,
                                   GError  **error)
{
  g_autofree char *sql = NULL;

  sql = g_strconcat (
    "CREATE TABLE contact_search_fields (\n"
    "  key TEXT NOT NULL, rid INTEGER NOT NULL,\n"
    "  PRIMARY KEY (key, rid)) WITHOUT ROWID;\n"
    "CREATE TRIGGER contacts_search_fields_insert AFTER INSERT ON contacts " WHEN_MAINTAINED "\n"
    "BEGIN\n", add_fields_sql, "END;\n"
    "CREATE TRIGGER contacts_search_fields_update AFTER UPDATE OF name, name_pinyin,"
    " name_initials, emails, phones, tags, deleted ON contacts " WHEN_MAINTAINED "\n"
    "BEGIN\n", remove_fields_sql, add_fields_sql, "END;\n"
    "CREATE TRIGGER contacts_search_fields_delete AFTER DELETE ON contacts " WHEN_MAINTAINED "\n"
    "BEGIN\n", remove_fields_sql, "END;\n",
    fill_fields_sql,
    NULL);

  return exec_sql (db, sql, error);
}

gboolean
crm_contact_search_set_deferred (CrmStore  *store,
                                 gboolean   deferred,
                                 GError   **error)
{
  static const char sql[] = "UPDATE local_state SET defer_search = ?";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, deferred ? 1 : 0);
  return crm_store_step_done (store, stmt, error);
}

gboolean
crm_contact_search_get_deferred (CrmStore *store)
{
  static const char sql[] = "SELECT defer_search FROM local_state";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, NULL);

  return stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
}

gboolean
crm_contact_search_rebuild (CrmStore  *store,
                            GError   **error)
{
  if (!crm_store_begin (store, error))
    return FALSE;
  if (!crm_store_exec (store, rebuild_sql, error))
    {
      crm_store_rollback (store);
      return FALSE;
    }
  crm_store_queue_changed (store, "contacts", NULL);
  return crm_store_commit (store, error);
}

/* --- Indexing new contacts in bulk ----------------------------------------- */

static gboolean
run_for_rid (CrmStore    *store,
             const char  *sql,
             gint64       rid,
             GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rid);
  return crm_store_step_done (store, stmt, error);
}

gboolean
crm_contact_search_index_one (CrmStore  *store,
                              gint64     rid,
                              GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  return run_for_rid (store, row_fts_sql, rid, error) &&
         run_for_rid (store, row_keys_sql, rid, error) &&
         run_for_rid (store, row_fields_sql, rid, error);
}

/* Contacts per batch of sorted key rows: bounds the memory of indexing
 * a million rows at once (~20 keys a contact). */
#define INDEX_BATCH_ROWS 20000

/* The contacts from @from_rid up, read back and indexed in C
 * (crm-contact-search-rows.c); a contact with odd JSON by the triggers'
 * SQL, so it gets the same rows too. */
static gboolean
index_from (CrmStore  *store,
            gint64     from_rid,
            GError   **error)
{
  static const char select_sql[] =
    "SELECT rid, name, name_pinyin, name_initials, emails, phones, tags, organization_id\n"
    "FROM contacts WHERE rid >= ? AND deleted = 0 ORDER BY rid";
  g_autoptr(CrmCachedStmt) rows = crm_store_prepare (store, select_sql, error);
  g_autoptr(CrmContactSearchRows) search = NULL;
  g_autoptr(GArray) by_sql = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint in_batch = 0;
  int rc;

  if (rows == NULL)
    return FALSE;
  search = crm_contact_search_rows_new ();
  sqlite3_bind_int64 (rows, 1, from_rid);
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      gint64 rid = sqlite3_column_int64 (rows, 0);

      if (!crm_contact_search_rows_add (search, rid,
                                        (const char *) sqlite3_column_text (rows, 1),
                                        (const char *) sqlite3_column_text (rows, 2),
                                        (const char *) sqlite3_column_text (rows, 3),
                                        (const char *) sqlite3_column_text (rows, 4),
                                        (const char *) sqlite3_column_text (rows, 5),
                                        (const char *) sqlite3_column_text (rows, 6),
                                        (const char *) sqlite3_column_text (rows, 7)))
        g_array_append_val (by_sql, rid);
      if (++in_batch >= INDEX_BATCH_ROWS)
        {
          if (!crm_contact_search_rows_write (search, store, NULL, 0, error))
            return FALSE;
          in_batch = 0;
        }
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  if (!crm_contact_search_rows_write (search, store, NULL, 0, error))
    return FALSE;

  for (guint i = 0; i < by_sql->len; i++)
    if (!crm_contact_search_index_one (store, g_array_index (by_sql, gint64, i), error))
      return FALSE;
  return TRUE;
}

gboolean
crm_contact_search_pause (CrmStore  *store,
                          gint64    *out_from_rid,
                          GError   **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (crm_store_in_transaction (store), FALSE);

  *out_from_rid = 0;
  /* Paused already, for a rebuild that will index these rows too. */
  if (crm_contact_search_get_deferred (store))
    return TRUE;
  /* Nobody else writes while this transaction holds the lock, so new
   * rows get rids from here up. */
  stmt = crm_store_prepare (store, "SELECT coalesce (max (rid), 0) + 1 FROM contacts", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      crm_store_take_error (store, sqlite3_errcode (crm_store_get_db (store)), error);
      return FALSE;
    }
  *out_from_rid = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  if (!crm_contact_search_set_deferred (store, TRUE, error))
    {
      *out_from_rid = 0;
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_contact_search_resume (CrmStore  *store,
                           gint64     from_rid,
                           GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (crm_store_in_transaction (store), FALSE);

  if (from_rid <= 0)
    return TRUE;
  return index_from (store, from_rid, error) &&
         crm_contact_search_set_deferred (store, FALSE, error);
}

gboolean
crm_contact_search_resume_with_rows (CrmStore              *store,
                                     CrmContactSearchRows  *rows,
                                     const gint64          *rids,
                                     guint                  n_rids,
                                     GArray                *by_sql,
                                     GError               **error)
{
  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (crm_store_in_transaction (store), FALSE);

  if (!crm_contact_search_rows_write (rows, store, rids, n_rids, error))
    return FALSE;
  for (guint i = 0; by_sql != NULL && i < by_sql->len; i++)
    {
      guint number = g_array_index (by_sql, guint, i);

      if (number < n_rids && rids[number] != 0 &&
          !crm_contact_search_index_one (store, rids[number], error))
        return FALSE;
    }
  return crm_contact_search_set_deferred (store, FALSE, error);
}

static gboolean
looks_like_phone (const char *q)
{
  gboolean digit = FALSE;

  for (const char *p = q; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        digit = TRUE;
      else if (!strchr (" +-().", *p))
        return FALSE;
    }
  return digit;
}

char *
crm_contact_search_normalize_query (const char *query)
{
  g_autofree char *q = g_strstrip (g_strdup (query != NULL ? query : ""));

  if (looks_like_phone (q))
    {
      GString *digits = g_string_new (NULL);

      for (const char *p = q; *p; p++)
        if (g_ascii_isdigit (*p))
          g_string_append_c (digits, *p);
      return g_string_free (digits, FALSE);
    }

  return g_ascii_strdown (q, -1);
}

/* An FTS5 query matching @q as one phrase: quotes inside are doubled, so
 * the user's text is never read as FTS syntax. */
static char *
fts_phrase (const char *q)
{
  GString *s = g_string_new ("\"");

  for (const char *p = q; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

/* The smallest string greater than every string that starts with @q:
 * @q followed by 0xFF, a byte UTF-8 never contains. Compared with the
 * BINARY collation, `q <= key < upper` holds exactly for the keys that
 * start with @q. */
static char *
prefix_upper_bound (const char *q)
{
  return g_strconcat (q, "\xff", NULL);
}

/* The page being filled, tier after tier. */
typedef struct
{
  GArray     *rids;
  GHashTable *seen;
  guint       offset;
  guint       limit;
  guint       n_matches;  /* distinct matches walked, including skipped ones */
  gboolean    full;       /* the page filled up before the tiers ran out */
} Page;

/* Walks one tier's rids in rank order, skipping the `offset` first
 * matches, until the page holds `limit`. `seen` drops a contact that an
 * earlier tier (or another of its fields) already matched. */
static gboolean
page_collect (CrmStore      *store,
              Page          *page,
              sqlite3_stmt  *stmt,
              GError       **error)
{
  int rc;

  if (page->full)
    return TRUE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rid = sqlite3_column_int64 (stmt, 0);

      if (page->seen != NULL)
        {
          if (g_hash_table_contains (page->seen, &rid))
            continue;
          g_hash_table_add (page->seen, g_memdup2 (&rid, sizeof rid));
        }
      if (page->n_matches++ >= page->offset)
        g_array_append_val (page->rids, rid);
      if (page->rids->len >= page->limit)
        {
          page->full = TRUE;
          return TRUE;
        }
    }

  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* Runs a `SELECT count(*) FROM (… LIMIT ?)` whose last parameter is
 * the limit; the count stops one past the cap. */
static gboolean
count_capped (CrmStore      *store,
              sqlite3_stmt  *stmt,
              int            limit_index,
              guint         *out_count,
              GError       **error)
{
  int rc;

  sqlite3_bind_int64 (stmt, limit_index, (gint64) CRM_CONTACT_SEARCH_TOTAL_CAP + 1);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  *out_count = (guint) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static void
set_total (guint     count,
           guint    *out_total,
           gboolean *out_total_is_capped)
{
  if (out_total != NULL)
    *out_total = MIN (count, CRM_CONTACT_SEARCH_TOTAL_CAP);
  if (out_total_is_capped != NULL)
    *out_total_is_capped = count > CRM_CONTACT_SEARCH_TOTAL_CAP;
}

static gboolean
search_all (CrmStore  *store,
            Page      *page,
            guint     *out_total,
            GError   **error)
{
  static const char sql[] =
    "SELECT rid FROM contacts WHERE deleted = 0 ORDER BY name_sort, rid LIMIT ? OFFSET ?";
  static const char count_sql[] =
    "SELECT count(*) FROM contacts WHERE deleted = 0";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, page->limit);
  sqlite3_bind_int64 (stmt, 2, page->offset);
  page->offset = 0;
  if (!page_collect (store, page, stmt, error))
    return FALSE;

  if (out_total != NULL)
    {
      g_autoptr(CrmCachedStmt) count = crm_store_prepare (store, count_sql, error);
      int rc;

      if (count == NULL)
        return FALSE;
      if ((rc = sqlite3_step (count)) != SQLITE_ROW)
        {
          crm_store_take_error (store, rc, error);
          return FALSE;
        }
      *out_total = (guint) sqlite3_column_int64 (count, 0);
    }
  return TRUE;
}

/* One and two characters: contact_search_keys holds one row per (key,
 * contact), already in rank order. */
static gboolean
search_short (CrmStore    *store,
              const char  *q,
              Page        *page,
              guint       *out_count,
              GError     **error)
{
  static const char sql[] =
    "SELECT rid FROM contact_search_keys WHERE key = ? ORDER BY kind, rid LIMIT ? OFFSET ?";
  static const char count_sql[] =
    "SELECT count(*) FROM (SELECT 1 FROM contact_search_keys WHERE key = ?1 LIMIT ?2)";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);
  g_autoptr(CrmCachedStmt) count = NULL;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, q, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, page->limit);
  sqlite3_bind_int64 (stmt, 3, page->offset);
  page->offset = 0;
  if (!page_collect (store, page, stmt, error))
    return FALSE;

  if (out_count == NULL)
    return TRUE;
  if ((count = crm_store_prepare (store, count_sql, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (count, 1, q, -1, SQLITE_STATIC);
  return count_capped (store, count, 2, out_count, error);
}

/* Three characters or more: exact, then prefix matches from
 * contact_search_fields, then the other FTS matches in rowid order. Each
 * tier is read only as far as the page needs. */
static gboolean
search_long (CrmStore    *store,
             const char  *q,
             Page        *page,
             guint       *out_count,
             gboolean    *out_exact,
             GError     **error)
{
  static const char exact_sql[] =
    "SELECT rid FROM contact_search_fields WHERE key = ? ORDER BY rid";
  static const char prefix_sql[] =
    "SELECT rid FROM contact_search_fields WHERE key > ?1 AND key < ?2 ORDER BY key, rid";
  static const char substring_sql[] =
    "SELECT rowid FROM contact_fts WHERE contact_fts MATCH ? ORDER BY rowid";
  /* Exact and prefix matches are FTS matches too, so FTS alone counts. */
  static const char fts_count_sql[] =
    "SELECT count(*) FROM (SELECT 1 FROM contact_fts WHERE contact_fts MATCH ?1 LIMIT ?2)";
  g_autofree char *upper = prefix_upper_bound (q);
  g_autofree char *phrase = fts_phrase (q);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(CrmCachedStmt) count = NULL;

  page->seen = seen;
  {
    g_autoptr(CrmCachedStmt) exact = crm_store_prepare (store, exact_sql, error);

    if (exact == NULL)
      return FALSE;
    sqlite3_bind_text (exact, 1, q, -1, SQLITE_STATIC);
    if (!page_collect (store, page, exact, error))
      return FALSE;
  }
  {
    g_autoptr(CrmCachedStmt) prefix = crm_store_prepare (store, prefix_sql, error);

    if (prefix == NULL)
      return FALSE;
    sqlite3_bind_text (prefix, 1, q, -1, SQLITE_STATIC);
    sqlite3_bind_text (prefix, 2, upper, -1, SQLITE_STATIC);
    if (!page_collect (store, page, prefix, error))
      return FALSE;
  }
  {
    g_autoptr(CrmCachedStmt) substring = crm_store_prepare (store, substring_sql, error);

    if (substring == NULL)
      return FALSE;
    sqlite3_bind_text (substring, 1, phrase, -1, SQLITE_STATIC);
    if (!page_collect (store, page, substring, error))
      return FALSE;
  }
  page->seen = NULL;

  if (out_count == NULL)
    return TRUE;

  /* Every tier read to its end, or past the cap: no need to count. */
  if (!page->full || page->n_matches > CRM_CONTACT_SEARCH_TOTAL_CAP)
    {
      *out_count = page->n_matches;
      *out_exact = !page->full;
      return TRUE;
    }

  if ((count = crm_store_prepare (store, fts_count_sql, error)) == NULL)
    return FALSE;
  sqlite3_bind_text (count, 1, phrase, -1, SQLITE_STATIC);
  return count_capped (store, count, 2, out_count, error);
}

GArray *
crm_contact_search_rids (CrmStore    *store,
                         const char  *query,
                         guint        limit,
                         guint        offset,
                         guint       *out_total,
                         gboolean    *out_total_is_capped,
                         GError     **error)
{
  g_autofree char *q = NULL;
  g_autoptr(GArray) rids = NULL;
  Page page = { NULL, };
  glong length;
  guint count = 0;
  guint *counted;
  gboolean exact = FALSE;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (crm_contact_search_get_deferred (store))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_BUSY,
                           _("The search index is being rebuilt after a bulk change. Try again when it has finished, or run “crmctl recompute”."));
      return NULL;
    }

  q = crm_contact_search_normalize_query (query);
  length = g_utf8_strlen (q, -1);
  rids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), MIN (limit, 1024));
  page.rids = rids;
  page.offset = offset;
  page.limit = limit;
  page.full = limit == 0;

  if (length == 0)
    {
      if (!search_all (store, &page, out_total, error))
        return NULL;
      if (out_total_is_capped != NULL)
        *out_total_is_capped = FALSE;
      return g_steal_pointer (&rids);
    }

  /* Counting is most of the work of a long query's first page: skip it
   * when nobody asks. */
  counted = out_total != NULL || out_total_is_capped != NULL ? &count : NULL;
  if (length < 3 ? !search_short (store, q, &page, counted, error)
                 : !search_long (store, q, &page, counted, &exact, error))
    return NULL;

  if (exact)
    {
      if (out_total != NULL)
        *out_total = count;
      if (out_total_is_capped != NULL)
        *out_total_is_capped = FALSE;
    }
  else
    {
      /* A page past the cap: the rows returned exist, whatever the
       * capped count says. */
      if (rids->len > 0)
        count = MAX (count, offset + rids->len);
      set_total (count, out_total, out_total_is_capped);
    }
  return g_steal_pointer (&rids);
}

GPtrArray *
crm_contact_search_get_ids (CrmStore  *store,
                            GArray    *rids,
                            GError   **error)
{
  static const char sql[] = "SELECT id FROM contacts WHERE rid = ?";
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(CrmCachedStmt) stmt = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (rids != NULL, NULL);

  if ((stmt = crm_store_prepare (store, sql, error)) == NULL)
    return NULL;

  ids = g_ptr_array_new_full (rids->len, g_free);
  for (guint i = 0; i < rids->len; i++)
    {
      int rc;

      sqlite3_bind_int64 (stmt, 1, g_array_index (rids, gint64, i));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      else if (rc != SQLITE_DONE)
        {
          crm_store_take_error (store, rc, error);
          return NULL;
        }
      sqlite3_reset (stmt);
    }
  return g_steal_pointer (&ids);
}

GPtrArray *
crm_contact_search (CrmStore    *store,
                    const char  *query,
                    guint        limit,
                    guint        offset,
                    guint       *out_total,
                    GError     **error)
{
  g_autoptr(GArray) rids = NULL;

  rids = crm_contact_search_rids (store, query, limit, offset, out_total, NULL, error);
  if (rids == NULL)
    return NULL;
  return crm_contact_search_get_ids (store, rids, error);
}
