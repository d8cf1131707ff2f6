/* crm-contact-search-rows.c: the search rows of new contacts, worked out apart from writing them
 *
 * What the search triggers' SQL does, in C, for contacts inserted while
 * the triggers were paused (crm_contact_search_pause()): the same rows in
 * contact_fts, contact_search_keys and contact_search_fields, without a
 * trigger program per row nor the GROUP BY over json_each that makes the
 * SQL cost ~50 µs a contact. Strings follow SQLite's rules: lower()
 * changes ASCII letters only, and length() and substr() count characters
 * as SQLite does (a byte from 0xC0 up starts a character, the
 * continuation bytes after it belong to it).
 *
 * Working the rows out needs no database, so the sync engine does it for
 * a pulled page in the thread that fetched it, while the page before is
 * written. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "crm-contact-search-rows.h"
#include "crm-store-private.h"

#define SEARCH_NUMBERS_MAX 128   /* the rows of search_numbers */

typedef struct
{
  const char *key;   /* in the string chunk */
  gint64      rid;   /* the contact's number until written */
  int         kind;
} KeyRow;

typedef struct
{
  const char *key;
  gint64      rid;
} FieldRow;

/* A row of contact_fts; the organization's name is looked up as it is
 * written, from contacts. */
typedef struct
{
  gint64      rid;
  const char *name;
  const char *pinyin;
  const char *initials;
  const char *emails;
  const char *phones;
  const char *organization_id;
  const char *tags;
} FtsRow;

struct _CrmContactSearchRows
{
  GStringChunk *strings;
  GArray       *keys;      /* KeyRow */
  GArray       *fields;    /* FieldRow */
  GArray       *fts;       /* FtsRow, by number */
  GArray       *row_keys;  /* KeyRow of the contact being read */
  JsonParser   *parser;
  gboolean      sorted;
};

CrmContactSearchRows *
crm_contact_search_rows_new (void)
{
  CrmContactSearchRows *self = g_new0 (CrmContactSearchRows, 1);

  self->strings = g_string_chunk_new (64 * 1024);
  self->keys = g_array_new (FALSE, FALSE, sizeof (KeyRow));
  self->fields = g_array_new (FALSE, FALSE, sizeof (FieldRow));
  self->fts = g_array_new (FALSE, FALSE, sizeof (FtsRow));
  self->row_keys = g_array_new (FALSE, FALSE, sizeof (KeyRow));
  self->parser = json_parser_new_immutable ();
  return self;
}

void
crm_contact_search_rows_free (CrmContactSearchRows *self)
{
  g_string_chunk_free (self->strings);
  g_array_unref (self->keys);
  g_array_unref (self->fields);
  g_array_unref (self->fts);
  g_array_unref (self->row_keys);
  g_object_unref (self->parser);
  g_free (self);
}

static void
clear (CrmContactSearchRows *self)
{
  g_array_set_size (self->keys, 0);
  g_array_set_size (self->fields, 0);
  g_array_set_size (self->fts, 0);
  g_string_chunk_clear (self->strings);
  self->sorted = FALSE;
}

static const char *
chunk_text (CrmContactSearchRows *self,
            const char           *text)
{
  return text != NULL ? g_string_chunk_insert (self->strings, text) : NULL;
}

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

/* One key of the contact being read; GROUP BY key keeps the best kind. */
static void
add_key (CrmContactSearchRows *self,
         gint64      rid,
         const char *start,
         gsize       len,
         int         kind)
{
  g_autofree char *key = NULL;

  if (len == 0 || memchr (start, ' ', len) != NULL)
    return;
  key = g_strndup (start, len);
  for (guint i = 0; i < self->row_keys->len; i++)
    {
      KeyRow *k = &g_array_index (self->row_keys, KeyRow, i);

      if (strcmp (k->key, key) == 0)
        {
          k->kind = MIN (k->kind, kind);
          return;
        }
    }
  g_array_append_val (self->row_keys,
                      ((KeyRow) { g_string_chunk_insert_const (self->strings, key), rid, kind }));
}

/* SUBSTRINGS (): every substring of one and two characters of @text
 * (lowercased), starting at one of the first 128 characters. */
static void
add_substrings (CrmContactSearchRows *self,
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

      add_key (self, rid, p, next - p, len == 1 ? 0 : n == 1 ? 1 : 2);
      if (n < len)
        add_key (self, rid, p, sqlite_next_char (next) - p, len == 2 ? 0 : n == 1 ? 1 : 2);
    }
}

/* PREFIXES (): the first one and two characters of @text. */
static void
add_prefixes (CrmContactSearchRows *self,
              gint64      rid,
              const char *text)
{
  glong len;
  const char *one, *two;

  if (text == NULL || *text == '\0')
    return;
  len = sqlite_length (text);
  one = sqlite_next_char (text);
  add_key (self, rid, text, one - text, len == 1 ? 0 : 1);
  if (len >= 2)
    {
      two = sqlite_next_char (one);
      add_key (self, rid, text, two - text, len == 2 ? 0 : 1);
    }
}

static void
add_field (CrmContactSearchRows *self,
           gint64      rid,
           const char *key)
{
  if (key == NULL || *key == '\0')
    return;
  g_array_append_val (self->fields,
                      ((FieldRow) { g_string_chunk_insert_const (self->strings, key), rid }));
}

static void
add_lower_field (CrmContactSearchRows *self,
                 gint64      rid,
                 const char *text)
{
  g_autofree char *lower = text != NULL ? g_ascii_strdown (text, -1) : NULL;

  add_field (self, rid, lower);
}

/* The elements of a JSON array of strings, or FALSE if it is something
 * else (then the SQL indexes the row). NULL is no elements. */
static gboolean
strings_of (JsonNode  *json,
            GPtrArray *out)
{
  JsonArray *array;

  if (json == NULL || JSON_NODE_HOLDS_NULL (json))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (json))
    return FALSE;
  array = json_node_get_array (json);
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
phones_of (JsonNode  *json,
           GPtrArray *out)
{
  JsonArray *array;

  if (json == NULL || JSON_NODE_HOLDS_NULL (json))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (json))
    return FALSE;
  array = json_node_get_array (json);
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

/* A column of JSON text as the parser's root; NULL for NULL and "[]",
 * which hold no elements, and FALSE for text that is not JSON. */
static gboolean
parse_column (JsonParser  *parser,
              const char  *json,
              JsonNode   **out)
{
  *out = NULL;
  if (json == NULL || strcmp (json, "[]") == 0)
    return TRUE;
  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return FALSE;
  *out = json_parser_get_root (parser);
  return TRUE;
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


static void
add_contact (CrmContactSearchRows *self,
             gint64                rid,
             const char           *name,
             const char           *pinyin,
             const char           *initials,
             GPtrArray            *emails,
             GPtrArray            *e164s,
             GPtrArray            *tags,
             const char           *organization_id)
{
  g_autoptr(GPtrArray) nationals = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) phone_texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *emails_text = NULL;
  g_autofree char *phones_text = NULL;
  g_autofree char *tags_text = NULL;

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
  g_array_append_val (self->fts, ((FtsRow) {
                        rid, chunk_text (self, name), chunk_text (self, pinyin),
                        chunk_text (self, initials), chunk_text (self, emails_text),
                        chunk_text (self, phones_text), chunk_text (self, organization_id),
                        chunk_text (self, tags_text) }));

  /* KEYS_SELECT */
  g_array_set_size (self->row_keys, 0);
  add_substrings (self, rid, name);
  add_substrings (self, rid, initials);
  add_prefixes (self, rid, pinyin);
  for (guint i = 0; i < emails->len; i++)
    {
      g_autofree char *lower = g_ascii_strdown (g_ptr_array_index (emails, i), -1);

      add_prefixes (self, rid, lower);
    }
  for (guint i = 0; i < nationals->len; i++)
    add_prefixes (self, rid, g_ptr_array_index (nationals, i));
  for (guint i = 0; i < tags->len; i++)
    {
      g_autofree char *lower = g_ascii_strdown (g_ptr_array_index (tags, i), -1);

      add_prefixes (self, rid, lower);
    }
  g_array_append_vals (self->keys, self->row_keys->data, self->row_keys->len);

  /* FIELDS_SELECT */
  add_lower_field (self, rid, name);
  add_lower_field (self, rid, pinyin);
  add_lower_field (self, rid, initials);
  for (guint i = 0; i < emails->len; i++)
    add_lower_field (self, rid, g_ptr_array_index (emails, i));
  for (guint i = 0; i < e164s->len; i++)
    add_field (self, rid, after_first_char (g_ptr_array_index (e164s, i)));
  for (guint i = 0; i < nationals->len; i++)
    add_field (self, rid, g_ptr_array_index (nationals, i));
  for (guint i = 0; i < tags->len; i++)
    add_lower_field (self, rid, g_ptr_array_index (tags, i));

  self->sorted = FALSE;
}

gboolean
crm_contact_search_rows_add (CrmContactSearchRows *self,
                             gint64                number,
                             const char           *name,
                             const char           *pinyin,
                             const char           *initials,
                             const char           *emails_json,
                             const char           *phones_json,
                             const char           *tags_json,
                             const char           *organization_id)
{
  g_autoptr(GPtrArray) emails = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) e164s = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
  JsonNode *root;

  /* One parser for the three: each column is read out before the next. */
  if (!parse_column (self->parser, emails_json, &root) || !strings_of (root, emails) ||
      !parse_column (self->parser, phones_json, &root) || !phones_of (root, e164s) ||
      !parse_column (self->parser, tags_json, &root) || !strings_of (root, tags))
    return FALSE;
  add_contact (self, number, name, pinyin, initials, emails, e164s, tags, organization_id);
  return TRUE;
}

gboolean
crm_contact_search_rows_add_nodes (CrmContactSearchRows *self,
                                   gint64                number,
                                   const char           *name,
                                   const char           *pinyin,
                                   const char           *initials,
                                   JsonNode             *emails_node,
                                   JsonNode             *phones_node,
                                   JsonNode             *tags_node,
                                   const char           *organization_id)
{
  g_autoptr(GPtrArray) emails = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) e164s = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);

  if (!strings_of (emails_node, emails) || !phones_of (phones_node, e164s) ||
      !strings_of (tags_node, tags))
    return FALSE;
  add_contact (self, number, name, pinyin, initials, emails, e164s, tags, organization_id);
  return TRUE;
}

static int
compare_texts (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Sorts the key rows by (key, kind, rid) in linear time: there are a few
 * hundred distinct keys (one and two characters) among some twenty rows
 * a contact, so the distinct keys are sorted and the rows counted into
 * their (key, kind) places. Equal keys share one string in the chunk, and
 * rows come in rid order, which a stable placement keeps. */
static void
sort_keys (GArray *keys)
{
  g_autoptr(GHashTable) rank = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) distinct = g_ptr_array_new ();
  g_autofree guint *start = NULL;
  g_autofree KeyRow *sorted = NULL;
  guint n_buckets;

  if (keys->len == 0)
    return;
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_array_index (keys, KeyRow, i).key;

      if (!g_hash_table_contains (rank, key))
        {
          g_hash_table_insert (rank, (gpointer) key, NULL);
          g_ptr_array_add (distinct, (gpointer) key);
        }
    }
  g_ptr_array_sort (distinct, compare_texts);
  for (guint i = 0; i < distinct->len; i++)
    g_hash_table_insert (rank, g_ptr_array_index (distinct, i), GUINT_TO_POINTER (i));

  /* Buckets (rank, kind), kind 0..2; start[b] is where bucket b begins. */
  n_buckets = distinct->len * 3;
  start = g_new0 (guint, n_buckets + 1);
  for (guint i = 0; i < keys->len; i++)
    {
      const KeyRow *k = &g_array_index (keys, KeyRow, i);

      start[GPOINTER_TO_UINT (g_hash_table_lookup (rank, k->key)) * 3 + k->kind + 1]++;
    }
  for (guint b = 1; b <= n_buckets; b++)
    start[b] += start[b - 1];
  sorted = g_new (KeyRow, keys->len);
  for (guint i = 0; i < keys->len; i++)
    {
      const KeyRow *k = &g_array_index (keys, KeyRow, i);

      sorted[start[GPOINTER_TO_UINT (g_hash_table_lookup (rank, k->key)) * 3 + k->kind]++] = *k;
    }
  memcpy (keys->data, sorted, sizeof (KeyRow) * keys->len);
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

/* Writes @rows, sorted (crm_contact_search_rows_sort()), ROWS_PER_INSERT
 * to a statement (@many_sql) and the rest one by one (@one_sql): B-tree
 * inserts in key order touch each page once, in random order each
 * several times. */
static gboolean
write_sorted (CrmStore     *store,
              GArray       *rows,
              const char   *many_sql,
              const char   *one_sql,
              int           columns,
              BindRow       bind,
              GError      **error)
{
  guint i = 0;

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
  return write_sorted (store, keys, many_sql,
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
  return write_sorted (store, fields, many_sql,
                       "INSERT OR IGNORE INTO contact_search_fields (key, rid) VALUES (?, ?)",
                       2, bind_field, error);
}

static void
bind_fts (sqlite3_stmt  *stmt,
          int            first,
          gconstpointer  row)
{
  const FtsRow *f = row;

  sqlite3_bind_int64 (stmt, first, f->rid);
  crm_stmt_bind_static_text (stmt, first + 1, f->name);
  crm_stmt_bind_static_text (stmt, first + 2, f->pinyin);
  crm_stmt_bind_static_text (stmt, first + 3, f->initials);
  crm_stmt_bind_static_text (stmt, first + 4, f->emails);
  crm_stmt_bind_static_text (stmt, first + 5, f->phones);
  crm_stmt_bind_static_text (stmt, first + 6, f->organization_id);
  crm_stmt_bind_static_text (stmt, first + 7, f->tags);
}

/* One row to a statement: a statement of several rows opens a savepoint
 * on contact_fts, and FTS5 writes its pending terms out as a new segment
 * at each, where one statement a row lets them gather up to the commit. */
static gboolean
write_fts (CrmStore  *store,
           GArray    *fts,
           GError   **error)
{
  static const char sql[] =
    "INSERT INTO contact_fts (rowid, name, pinyin, initials, emails, phones, organization, tags)\n"
    "VALUES (?, ?, ?, ?, ?, ?, (SELECT name FROM contacts WHERE id = ?), ?)";

  for (guint i = 0; i < fts->len; i++)
    {
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);

      if (stmt == NULL)
        return FALSE;
      bind_fts (stmt, 1, &g_array_index (fts, FtsRow, i));
      if (!crm_store_step_done (store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

void
crm_contact_search_rows_sort (CrmContactSearchRows *self)
{
  if (self->sorted)
    return;
  sort_keys (self->keys);
  g_array_sort (self->fields, compare_fields);
  self->sorted = TRUE;
}

/* Gives each row of @rows its rid (the gint64 at @offset in a row held
 * its number), leaving out the rows without one. */
static void
map_rids (GArray       *rows,
          gsize         offset,
          const gint64 *rids,
          guint         n_rids)
{
  gsize size = g_array_get_element_size (rows);
  guint kept = 0;

  for (guint i = 0; i < rows->len; i++)
    {
      char *row = rows->data + (gsize) i * size;
      gint64 *rid = (gint64 *) (row + offset);

      if (*rid < 0 || *rid >= (gint64) n_rids || rids[*rid] == 0)
        continue;
      *rid = rids[*rid];
      if (kept != i)
        memcpy (rows->data + (gsize) kept * size, row, size);
      kept++;
    }
  g_array_set_size (rows, kept);
}

gboolean
crm_contact_search_rows_write (CrmContactSearchRows  *self,
                               CrmStore              *store,
                               const gint64          *rids,
                               guint                  n_rids,
                               GError               **error)
{
  gboolean ok;

  crm_contact_search_rows_sort (self);
  if (rids != NULL)
    {
      map_rids (self->keys, G_STRUCT_OFFSET (KeyRow, rid), rids, n_rids);
      map_rids (self->fields, G_STRUCT_OFFSET (FieldRow, rid), rids, n_rids);
      map_rids (self->fts, G_STRUCT_OFFSET (FtsRow, rid), rids, n_rids);
    }
  ok = write_fts (store, self->fts, error) &&
       write_keys (store, self->keys, error) &&
       write_fields (store, self->fields, error);
  clear (self);
  return ok;
}
