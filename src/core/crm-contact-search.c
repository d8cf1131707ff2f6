/* crm-contact-search.c: FTS5 trigram index plus short-key lookups for contact search */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
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

/* What the triggers' SQL does, in C, for contacts inserted while the
 * triggers were paused: the same rows in contact_fts, contact_search_keys
 * and contact_search_fields, without a trigger program per row nor the
 * GROUP BY over json_each that makes the SQL cost ~50 µs a contact.
 * Strings follow SQLite's rules: lower() changes ASCII letters only, and
 * length() and substr() count characters as SQLite does (a byte from 0xC0
 * up starts a character, the continuation bytes after it belong to it).
 * A contact whose JSON holds anything but what the app writes (strings in
 * emails and tags, objects with a string e164 in phones) is indexed by the
 * triggers' SQL instead, so odd data gives the same rows too. */

#define SEARCH_NUMBERS_MAX 128   /* the rows of search_numbers */

static const char *
sqlite_next_char (const char *p)
{
  if ((guchar) *p++ >= 0xc0)
    while (((guchar) *p & 0xc0) == 0x80)
      p++;
  return p;
}

static glong
sqlite_length (const char *s)
{
  glong n = 0;

  for (; *s != '\0'; s = sqlite_next_char (s))
    n++;
  return n;
}

/* substr (s, 2): everything after the first character. */
static const char *
after_first_char (const char *s)
{
  return *s != '\0' ? sqlite_next_char (s) : s;
}

/* NATIONAL_PHONE() of an e164 text. */
static char *
national_phone (const char *e164)
{
  gsize len = strlen (e164);

  if (len == 14 && g_str_has_prefix (e164, "+861") && e164[4] >= '3' && e164[4] <= '9')
    {
      gboolean digits = TRUE;

      for (gsize i = 5; i < len; i++)
        digits = digits && g_ascii_isdigit (e164[i]);
      if (digits)
        return g_strdup (e164 + 3);
    }
  if (g_str_has_prefix (e164, "+86"))
    return g_strconcat ("0", e164 + 3, NULL);
  return g_strdup (after_first_char (e164));
}

typedef struct
{
  const char *key;   /* in the batch's string chunk */
  gint64      rid;
  int         kind;
} KeyRow;

typedef struct
{
  const char *key;
  gint64      rid;
} FieldRow;

typedef struct
{
  GStringChunk *strings;
  GArray       *keys;      /* KeyRow */
  GArray       *fields;    /* FieldRow */
  GArray       *row_keys;  /* KeyRow of the contact being read */
  JsonParser   *parser;
} Batch;

/* One key of the contact being read; GROUP BY key keeps the best kind. */
static void
add_key (Batch      *batch,
         gint64      rid,
         const char *start,
         gsize       len,
         int         kind)
{
  g_autofree char *key = NULL;

  if (len == 0 || memchr (start, ' ', len) != NULL)
    return;
  key = g_strndup (start, len);
  for (guint i = 0; i < batch->row_keys->len; i++)
    {
      KeyRow *k = &g_array_index (batch->row_keys, KeyRow, i);

      if (strcmp (k->key, key) == 0)
        {
          k->kind = MIN (k->kind, kind);
          return;
        }
    }
  g_array_append_val (batch->row_keys,
                      ((KeyRow) { g_string_chunk_insert_const (batch->strings, key), rid, kind }));
}

/* SUBSTRINGS (): every substring of one and two characters of @text
 * (lowercased), starting at one of the first 128 characters. */
static void
add_substrings (Batch      *batch,
                gint64      rid,
                const char *text)
{
  g_autofree char *lower = NULL;
  glong len, n = 1;

  if (text == NULL)
    return;
  lower = g_ascii_strdown (text, -1);
  len = sqlite_length (lower);
  for (const char *p = lower; *p != '\0' && n <= SEARCH_NUMBERS_MAX; p = sqlite_next_char (p), n++)
    {
      const char *next = sqlite_next_char (p);

      add_key (batch, rid, p, next - p, len == 1 ? 0 : n == 1 ? 1 : 2);
      if (n < len)
        add_key (batch, rid, p, sqlite_next_char (next) - p, len == 2 ? 0 : n == 1 ? 1 : 2);
    }
}

/* PREFIXES (): the first one and two characters of @text. */
static void
add_prefixes (Batch      *batch,
              gint64      rid,
              const char *text)
{
  glong len;
  const char *one, *two;

  if (text == NULL || *text == '\0')
    return;
  len = sqlite_length (text);
  one = sqlite_next_char (text);
  add_key (batch, rid, text, one - text, len == 1 ? 0 : 1);
  if (len >= 2)
    {
      two = sqlite_next_char (one);
      add_key (batch, rid, text, two - text, len == 2 ? 0 : 1);
    }
}

static void
add_field (Batch      *batch,
           gint64      rid,
           const char *key)
{
  if (key == NULL || *key == '\0')
    return;
  g_array_append_val (batch->fields,
                      ((FieldRow) { g_string_chunk_insert_const (batch->strings, key), rid }));
}

static void
add_lower_field (Batch      *batch,
                 gint64      rid,
                 const char *text)
{
  g_autofree char *lower = text != NULL ? g_ascii_strdown (text, -1) : NULL;

  add_field (batch, rid, lower);
}

/* The elements of a JSON array of strings, or FALSE if it is something
 * else (then the SQL indexes the row). */
static gboolean
parse_strings (JsonParser  *parser,
               const char  *json,
               GPtrArray   *out)
{
  JsonArray *array;

  if (json == NULL || strcmp (json, "[]") == 0)
    return TRUE;
  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return FALSE;
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return FALSE;
      g_ptr_array_add (out, g_strdup (json_node_get_string (node)));
    }
  return TRUE;
}

/* The e164 of each phone object, or FALSE for anything else. */
static gboolean
parse_phones (JsonParser  *parser,
              const char  *json,
              GPtrArray   *out)
{
  JsonArray *array;

  if (json == NULL || strcmp (json, "[]") == 0)
    return TRUE;
  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return FALSE;
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonNode *e164;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return FALSE;
      e164 = json_object_get_member (json_node_get_object (node), "e164");
      if (e164 == NULL || !JSON_NODE_HOLDS_VALUE (e164) ||
          json_node_get_value_type (e164) != G_TYPE_STRING)
        return FALSE;
      g_ptr_array_add (out, g_strdup (json_node_get_string (e164)));
    }
  return TRUE;
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

/* group_concat (…, ' '): NULL for no values. */
static char *
join_or_null (GPtrArray *values)
{
  if (values->len == 0)
    return NULL;
  g_ptr_array_add (values, NULL);
  g_ptr_array_set_size (values, values->len - 1);
  return g_strjoinv (" ", (char **) values->pdata);
}

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

/* Reads one contact (a row of `select_sql` below) into the batch and
 * writes its FTS row; returns FALSE in *out_read if the SQL must do it. */
static gboolean
index_contact (CrmStore      *store,
               Batch         *batch,
               sqlite3_stmt  *row,
               sqlite3_stmt  *fts,
               gboolean      *out_read,
               GError       **error)
{
  gint64 rid = sqlite3_column_int64 (row, 0);
  const char *name = (const char *) sqlite3_column_text (row, 1);
  const char *pinyin = (const char *) sqlite3_column_text (row, 2);
  const char *initials = (const char *) sqlite3_column_text (row, 3);
  g_autoptr(GPtrArray) emails = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) e164s = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) nationals = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) phone_texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *emails_text = NULL;
  g_autofree char *phones_text = NULL;
  g_autofree char *tags_text = NULL;

  *out_read = FALSE;
  if (!parse_strings (batch->parser, (const char *) sqlite3_column_text (row, 4), emails) ||
      !parse_phones (batch->parser, (const char *) sqlite3_column_text (row, 5), e164s) ||
      !parse_strings (batch->parser, (const char *) sqlite3_column_text (row, 6), tags))
    return TRUE;

  for (guint i = 0; i < e164s->len; i++)
    {
      const char *e164 = g_ptr_array_index (e164s, i);
      char *national = national_phone (e164);

      g_ptr_array_add (nationals, national);
      g_ptr_array_add (phone_texts, g_strconcat (after_first_char (e164), " ", national, NULL));
    }
  emails_text = join_or_null (emails);
  phones_text = join_or_null (phone_texts);
  tags_text = join_or_null (tags);

  sqlite3_bind_int64 (fts, 1, rid);
  bind_text_or_null (fts, 2, name);
  bind_text_or_null (fts, 3, pinyin);
  bind_text_or_null (fts, 4, initials);
  bind_text_or_null (fts, 5, emails_text);
  bind_text_or_null (fts, 6, phones_text);
  bind_text_or_null (fts, 7, (const char *) sqlite3_column_text (row, 7));
  bind_text_or_null (fts, 8, tags_text);
  if (!crm_store_step_done (store, fts, error))
    return FALSE;
  sqlite3_reset (fts);

  /* KEYS_SELECT */
  g_array_set_size (batch->row_keys, 0);
  add_substrings (batch, rid, name);
  add_substrings (batch, rid, initials);
  add_prefixes (batch, rid, pinyin);
  for (guint i = 0; i < emails->len; i++)
    {
      g_autofree char *lower = g_ascii_strdown (g_ptr_array_index (emails, i), -1);

      add_prefixes (batch, rid, lower);
    }
  for (guint i = 0; i < nationals->len; i++)
    add_prefixes (batch, rid, g_ptr_array_index (nationals, i));
  for (guint i = 0; i < tags->len; i++)
    {
      g_autofree char *lower = g_ascii_strdown (g_ptr_array_index (tags, i), -1);

      add_prefixes (batch, rid, lower);
    }
  g_array_append_vals (batch->keys, batch->row_keys->data, batch->row_keys->len);

  /* FIELDS_SELECT */
  add_lower_field (batch, rid, name);
  add_lower_field (batch, rid, pinyin);
  add_lower_field (batch, rid, initials);
  for (guint i = 0; i < emails->len; i++)
    add_lower_field (batch, rid, g_ptr_array_index (emails, i));
  for (guint i = 0; i < e164s->len; i++)
    add_field (batch, rid, after_first_char (g_ptr_array_index (e164s, i)));
  for (guint i = 0; i < nationals->len; i++)
    add_field (batch, rid, g_ptr_array_index (nationals, i));
  for (guint i = 0; i < tags->len; i++)
    add_lower_field (batch, rid, g_ptr_array_index (tags, i));

  *out_read = TRUE;
  return TRUE;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  const KeyRow *x = a, *y = b;
  int c = strcmp (x->key, y->key);

  if (c != 0)
    return c;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  return x->rid < y->rid ? -1 : x->rid > y->rid;
}

static int
compare_fields (gconstpointer a,
                gconstpointer b)
{
  const FieldRow *x = a, *y = b;
  int c = strcmp (x->key, y->key);

  if (c != 0)
    return c;
  return x->rid < y->rid ? -1 : x->rid > y->rid;
}

/* Rows per INSERT statement: a statement per row costs about as much
 * again as the B-tree insert itself. */
#define ROWS_PER_INSERT 64

static char *
multi_insert_sql (const char *head,
                  const char *row,
                  guint       n)
{
  GString *sql = g_string_new (head);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (sql, "%s%s", i ? ", " : "", row);
  return g_string_free (sql, FALSE);
}

typedef void (*BindRow) (sqlite3_stmt *stmt,
                         int           first,
                         gconstpointer row);

/* Writes @rows sorted by @compare, ROWS_PER_INSERT to a statement
 * (@many_sql) and the rest one by one (@one_sql): B-tree inserts in key
 * order touch each page once, in random order each several times. */
static gboolean
write_sorted (CrmStore     *store,
              GArray       *rows,
              GCompareFunc  compare,
              const char   *many_sql,
              const char   *one_sql,
              int           columns,
              BindRow       bind,
              GError      **error)
{
  guint i = 0;

  g_array_sort (rows, compare);
  while (i < rows->len)
    {
      guint n = rows->len - i >= ROWS_PER_INSERT ? ROWS_PER_INSERT : 1;
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, n > 1 ? many_sql : one_sql, error);

      if (stmt == NULL)
        return FALSE;
      for (guint j = 0; j < n; j++, i++)
        bind (stmt, columns * j + 1, rows->data + (gsize) i * g_array_get_element_size (rows));
      if (!crm_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static void
bind_key (sqlite3_stmt  *stmt,
          int            first,
          gconstpointer  row)
{
  const KeyRow *k = row;

  sqlite3_bind_text (stmt, first, k->key, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, first + 1, k->kind);
  sqlite3_bind_int64 (stmt, first + 2, k->rid);
}

static void
bind_field (sqlite3_stmt  *stmt,
            int            first,
            gconstpointer  row)
{
  const FieldRow *f = row;

  sqlite3_bind_text (stmt, first, f->key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, first + 1, f->rid);
}

static gboolean
write_keys (CrmStore  *store,
            GArray    *keys,
            GError   **error)
{
  static char *many_sql = NULL;

  if (g_once_init_enter (&many_sql))
    g_once_init_leave (&many_sql, multi_insert_sql ("INSERT OR IGNORE INTO contact_search_keys (key, kind, rid) VALUES ",
                                                    "(?, ?, ?)", ROWS_PER_INSERT));
  return write_sorted (store, keys, compare_keys, many_sql,
                       "INSERT OR IGNORE INTO contact_search_keys (key, kind, rid) VALUES (?, ?, ?)",
                       3, bind_key, error);
}

static gboolean
write_fields (CrmStore  *store,
              GArray    *fields,
              GError   **error)
{
  static char *many_sql = NULL;

  if (g_once_init_enter (&many_sql))
    g_once_init_leave (&many_sql, multi_insert_sql ("INSERT OR IGNORE INTO contact_search_fields (key, rid) VALUES ",
                                                    "(?, ?)", ROWS_PER_INSERT));
  return write_sorted (store, fields, compare_fields, many_sql,
                       "INSERT OR IGNORE INTO contact_search_fields (key, rid) VALUES (?, ?)",
                       2, bind_field, error);
}

static gboolean
write_batch (CrmStore  *store,
             Batch     *batch,
             GError   **error)
{
  if (!write_keys (store, batch->keys, error) ||
      !write_fields (store, batch->fields, error))
    return FALSE;
  g_array_set_size (batch->keys, 0);
  g_array_set_size (batch->fields, 0);
  g_string_chunk_clear (batch->strings);
  return TRUE;
}

static void
batch_clear (Batch *batch)
{
  g_clear_pointer (&batch->strings, g_string_chunk_free);
  g_clear_pointer (&batch->keys, g_array_unref);
  g_clear_pointer (&batch->fields, g_array_unref);
  g_clear_pointer (&batch->row_keys, g_array_unref);
  g_clear_object (&batch->parser);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Batch, batch_clear)

/* Contacts per batch of sorted key rows: bounds the memory of indexing
 * a million rows at once (~20 keys a contact). */
#define INDEX_BATCH_ROWS 20000

static gboolean
index_from (CrmStore  *store,
            gint64     from_rid,
            GError   **error)
{
  static const char select_sql[] =
    "SELECT c.rid, c.name, c.name_pinyin, c.name_initials, c.emails, c.phones, c.tags,\n"
    "  (SELECT o.name FROM contacts o WHERE o.id = c.organization_id)\n"
    "FROM contacts c WHERE c.rid >= ? AND c.deleted = 0 ORDER BY c.rid";
  static const char fts_sql[] =
    "INSERT INTO contact_fts (rowid, name, pinyin, initials, emails, phones, organization, tags)\n"
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  g_autoptr(CrmCachedStmt) rows = crm_store_prepare (store, select_sql, error);
  g_autoptr(CrmCachedStmt) fts = NULL;
  g_autoptr(GArray) by_sql = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto(Batch) batch = { NULL, };
  guint in_batch = 0;
  int rc;

  if (rows == NULL || (fts = crm_store_prepare (store, fts_sql, error)) == NULL)
    return FALSE;
  batch.strings = g_string_chunk_new (64 * 1024);
  batch.keys = g_array_new (FALSE, FALSE, sizeof (KeyRow));
  batch.fields = g_array_new (FALSE, FALSE, sizeof (FieldRow));
  batch.row_keys = g_array_new (FALSE, FALSE, sizeof (KeyRow));
  batch.parser = json_parser_new_immutable ();

  sqlite3_bind_int64 (rows, 1, from_rid);
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      gboolean read;

      if (!index_contact (store, &batch, rows, fts, &read, error))
        return FALSE;
      if (!read)
        {
          gint64 rid = sqlite3_column_int64 (rows, 0);

          g_array_append_val (by_sql, rid);
        }
      if (++in_batch >= INDEX_BATCH_ROWS)
        {
          if (!write_batch (store, &batch, error))
            return FALSE;
          in_batch = 0;
        }
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  if (!write_batch (store, &batch, error))
    return FALSE;

  for (guint i = 0; i < by_sql->len; i++)
    {
      gint64 rid = g_array_index (by_sql, gint64, i);

      if (!run_for_rid (store, row_fts_sql, rid, error) ||
          !run_for_rid (store, row_keys_sql, rid, error) ||
          !run_for_rid (store, row_fields_sql, rid, error))
        return FALSE;
    }
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
