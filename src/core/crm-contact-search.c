/* crm-contact-search.c: FTS5 trigram index plus short-key lookups for contact search */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-contact-search.h"
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
 * Both are maintained by triggers, so every writer (the store, import,
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

#define SRC "contacts"
static const char rebuild_sql[] =
  "DELETE FROM contact_fts;\n"
  "DELETE FROM contact_search_keys;\n"
  "INSERT INTO contact_fts (rowid, name, pinyin, initials, emails, phones, organization, tags)\n"
  FTS_SELECT ("contacts") ";\n"
  "INSERT OR IGNORE INTO contact_search_keys (key, kind, rid)\n"
  KEYS_SELECT ";\n"
  "UPDATE local_state SET defer_search = 0;\n";
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

static GPtrArray *
collect_ids (CrmStore      *store,
             sqlite3_stmt  *stmt,
             GError       **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

static gboolean
count_rows (CrmStore      *store,
            sqlite3_stmt  *stmt,
            guint         *out_total,
            GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  *out_total = (guint) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

GPtrArray *
crm_contact_search (CrmStore    *store,
                    const char  *query,
                    guint        limit,
                    guint        offset,
                    guint       *out_total,
                    GError     **error)
{
  static const char all_sql[] =
    "SELECT id FROM contacts WHERE deleted = 0 ORDER BY name_sort, rid LIMIT ? OFFSET ?";
  static const char all_count_sql[] =
    "SELECT count(*) FROM contacts WHERE deleted = 0";
  static const char keys_sql[] =
    "SELECT c.id FROM contact_search_keys k JOIN contacts c ON c.rid = k.rid\n"
    "WHERE k.key = ? ORDER BY k.kind, k.rid LIMIT ? OFFSET ?";
  static const char keys_count_sql[] =
    "SELECT count(*) FROM contact_search_keys WHERE key = ?";
  /* Rank: 0 a field equals the query, 1 a field (or an email, a phone)
   * starts with it, 2 it is inside one. */
  static const char fts_sql[] =
    "SELECT c.id FROM contact_fts f JOIN contacts c ON c.rid = f.rowid\n"
    "WHERE contact_fts MATCH ?1\n"
    "ORDER BY CASE\n"
    "  WHEN lower (f.name) = ?2 OR f.pinyin = ?2 OR f.initials = ?2\n"
    "    OR instr (' ' || lower (f.emails) || ' ', ' ' || ?2 || ' ') > 0\n"
    "    OR instr (' ' || f.phones || ' ', ' ' || ?2 || ' ') > 0 THEN 0\n"
    "  WHEN substr (lower (f.name), 1, length (?2)) = ?2 OR substr (f.pinyin, 1, length (?2)) = ?2\n"
    "    OR substr (f.initials, 1, length (?2)) = ?2\n"
    "    OR instr (' ' || lower (f.emails), ' ' || ?2) > 0\n"
    "    OR instr (' ' || f.phones, ' ' || ?2) > 0 THEN 1\n"
    "  ELSE 2 END, c.rid\n"
    "LIMIT ?3 OFFSET ?4";
  static const char fts_count_sql[] =
    "SELECT count(*) FROM contact_fts WHERE contact_fts MATCH ?";
  g_autofree char *q = crm_contact_search_normalize_query (query);
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(CrmCachedStmt) count = NULL;
  glong length = g_utf8_strlen (q, -1);
  guint total = 0;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  if (crm_contact_search_get_deferred (store))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_BUSY,
                           _("The search index is being rebuilt after a bulk change. Try again when it has finished, or run “crmctl recompute”."));
      return NULL;
    }

  if (length == 0)
    {
      if ((stmt = crm_store_prepare (store, all_sql, error)) == NULL ||
          (count = crm_store_prepare (store, all_count_sql, error)) == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, limit);
      sqlite3_bind_int64 (stmt, 2, offset);
    }
  else if (length < 3)
    {
      if ((stmt = crm_store_prepare (store, keys_sql, error)) == NULL ||
          (count = crm_store_prepare (store, keys_count_sql, error)) == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, q, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, limit);
      sqlite3_bind_int64 (stmt, 3, offset);
      sqlite3_bind_text (count, 1, q, -1, SQLITE_TRANSIENT);
    }
  else
    {
      g_autofree char *phrase = fts_phrase (q);

      if ((stmt = crm_store_prepare (store, fts_sql, error)) == NULL ||
          (count = crm_store_prepare (store, fts_count_sql, error)) == NULL)
        return NULL;
      sqlite3_bind_text (stmt, 1, phrase, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, q, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, limit);
      sqlite3_bind_int64 (stmt, 4, offset);
      sqlite3_bind_text (count, 1, phrase, -1, SQLITE_TRANSIENT);
    }

  if (out_total != NULL)
    {
      if (!count_rows (store, count, &total, error))
        return NULL;
      *out_total = total;
    }

  return collect_ids (store, stmt, error);
}
