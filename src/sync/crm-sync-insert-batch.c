/* crm-sync-insert-batch.c: pulled rows new to this replica, written many to a statement
 *
 * Most rows of a first pull are new here: nothing local to merge with.
 * Written one per INSERT, each row pays for a statement run and for a
 * frame per trigger of its table, which costs as much again as storing
 * it; rows of one table that carry the same fields go in one INSERT of
 * up to ROWS_PER_INSERT rows instead. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-json.h"
#include "crm-pinyin.h"
#include "crm-store-private.h"
#include "crm-sync-insert-batch.h"

#define ROWS_PER_INSERT 64

typedef struct
{
  gint64 rid;   /* 0: SQLite gives one */
  char *id;
  gint64 seq;
  char *updated_at;
  JsonObject *row;
  CrmSyncReadings readings;
  GPtrArray *texts;   /* crm_sync_render_members() of row, or NULL */
} NewRow;

struct _CrmSyncInsertBatch
{
  CrmStore *store;
  char *table;
  GHashTable *columns;    /* synced column -> is JSON text; the engine's */
  GPtrArray *fields;      /* the rows' fields, in order, without "deleted" */
  GArray *as_json;        /* gboolean, by field: its column holds JSON text */
  gboolean with_readings;
  gboolean with_rid;
  GArray *rows;           /* NewRow */
  GHashTable *ids;        /* the rows' ids */
};

void
crm_sync_readings_clear (CrmSyncReadings *readings)
{
  g_clear_pointer (&readings->full, g_free);
  g_clear_pointer (&readings->initials, g_free);
  g_clear_pointer (&readings->sort_key, g_free);
}

void
crm_sync_readings_compute (CrmSyncReadings *readings,
                           const char      *table,
                           JsonObject      *row)
{
  const char *name, *kind;

  crm_sync_readings_clear (readings);
  if (!g_str_equal (table, "contacts"))
    return;
  name = json_object_get_string_member_with_default (row, "name", NULL);
  kind = json_object_get_string_member_with_default (row, "kind", "person");
  if (name == NULL)
    return;
  crm_pinyin_convert (name, g_strcmp0 (kind, "organization") == 0 ? CRM_PINYIN_FLAGS_NONE
                                                                  : CRM_PINYIN_PERSON_NAME,
                      &readings->full, &readings->initials);
  readings->sort_key = crm_pinyin_sort_key (name);
}

static void
new_row_clear (NewRow *row)
{
  g_free (row->id);
  g_free (row->updated_at);
  json_object_unref (row->row);
  crm_sync_readings_clear (&row->readings);
  g_clear_pointer (&row->texts, g_ptr_array_unref);
}

/**
 * crm_sync_render_members:
 *
 * The members of @row that are arrays or objects as JSON text, NULL for
 * the others, in the order the row's members iterate: their columns take
 * text, and rendering it is worked out ahead, in any thread.
 */
GPtrArray *
crm_sync_render_members (JsonObject *row)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  JsonObjectIter iter;
  JsonNode *node;

  json_object_iter_init (&iter, row);
  while (json_object_iter_next (&iter, NULL, &node))
    g_ptr_array_add (texts, JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node)
                            ? crm_json_to_string (node) : NULL);
  return texts;
}

CrmSyncInsertBatch *
crm_sync_insert_batch_new (CrmStore *store)
{
  CrmSyncInsertBatch *self = g_new0 (CrmSyncInsertBatch, 1);

  self->store = g_object_ref (store);
  self->fields = g_ptr_array_new_with_free_func (g_free);
  self->as_json = g_array_new (FALSE, FALSE, sizeof (gboolean));
  self->rows = g_array_new (FALSE, FALSE, sizeof (NewRow));
  g_array_set_clear_func (self->rows, (GDestroyNotify) new_row_clear);
  self->ids = g_hash_table_new (g_str_hash, g_str_equal);
  return self;
}

void
crm_sync_insert_batch_free (CrmSyncInsertBatch *self)
{
  g_hash_table_unref (self->ids);
  g_array_unref (self->rows);
  g_ptr_array_unref (self->fields);
  g_array_unref (self->as_json);
  g_free (self->table);
  g_object_unref (self->store);
  g_free (self);
}

gboolean
crm_sync_insert_batch_contains (CrmSyncInsertBatch *self,
                                const char         *id)
{
  return g_hash_table_contains (self->ids, id);
}

/* Whether @row goes in the statements of the rows held. */
static gboolean
same_shape (CrmSyncInsertBatch *self,
            const char         *table,
            JsonObject         *row,
            gboolean            with_readings,
            gboolean            with_rid)
{
  JsonObjectIter iter;
  const char *field;
  guint i = 0;

  if (self->rows->len == 0 || !g_str_equal (self->table, table) ||
      self->with_readings != with_readings || self->with_rid != with_rid)
    return FALSE;
  json_object_iter_init (&iter, row);
  while (json_object_iter_next (&iter, &field, NULL))
    {
      if (g_str_equal (field, "deleted"))
        continue;
      if (i >= self->fields->len || !g_str_equal (g_ptr_array_index (self->fields, i), field))
        return FALSE;
      i++;
    }
  return i == self->fields->len;
}

static void
take_shape (CrmSyncInsertBatch *self,
            const char         *table,
            GHashTable         *columns,
            JsonObject         *row,
            gboolean            with_readings,
            gboolean            with_rid)
{
  JsonObjectIter iter;
  const char *field;

  self->with_rid = with_rid;
  g_free (self->table);
  self->table = g_strdup (table);
  self->columns = columns;
  self->with_readings = with_readings;
  g_ptr_array_set_size (self->fields, 0);
  g_array_set_size (self->as_json, 0);
  json_object_iter_init (&iter, row);
  while (json_object_iter_next (&iter, &field, NULL))
    if (!g_str_equal (field, "deleted"))
      {
        gboolean as_json = GPOINTER_TO_INT (g_hash_table_lookup (columns, field));

        g_ptr_array_add (self->fields, g_strdup (field));
        g_array_append_val (self->as_json, as_json);
      }
}

/* @row was checked against the local schema: every field is a column of
 * @table (@columns). @rid 0 leaves the rid to SQLite. @readings and
 * @texts (crm_sync_render_members() of @row, or NULL) are taken. */
gboolean
crm_sync_insert_batch_add (CrmSyncInsertBatch  *self,
                           const char          *table,
                           GHashTable          *columns,
                           gint64               rid,
                           const char          *id,
                           gint64               seq,
                           const char          *updated_at,
                           JsonObject          *row,
                           CrmSyncReadings     *readings,
                           GPtrArray           *texts,
                           GError             **error)
{
  gboolean with_readings = readings->sort_key != NULL;
  NewRow new_row = { rid, g_strdup (id), seq, g_strdup (updated_at), json_object_ref (row), *readings, texts };

  memset (readings, 0, sizeof *readings);
  if (!same_shape (self, table, row, with_readings, rid != 0))
    {
      if (!crm_sync_insert_batch_flush (self, error))
        {
          new_row_clear (&new_row);
          return FALSE;
        }
      take_shape (self, table, columns, row, with_readings, rid != 0);
    }
  g_array_append_val (self->rows, new_row);
  g_hash_table_add (self->ids, new_row.id);
  return TRUE;
}

static char *
insert_sql (CrmSyncInsertBatch *self,
            guint               n_rows)
{
  GString *sql = g_string_new (NULL);
  GString *values = g_string_new (self->with_rid ? "(?, ?, 0, ?, ?" : "(?, 0, ?, ?");

  g_string_append_printf (sql, "INSERT INTO %s (%sserver_version, deleted, updated_at, id",
                          self->table, self->with_rid ? "rid, " : "");
  for (guint i = 0; i < self->fields->len; i++)
    {
      g_string_append_printf (sql, ", %s", (const char *) g_ptr_array_index (self->fields, i));
      g_string_append (values, ", ?");
    }
  if (self->with_readings)
    {
      g_string_append (sql, ", name_pinyin, name_initials, name_sort");
      g_string_append (values, ", ?, ?, ?");
    }
  g_string_append_c (values, ')');
  g_string_append (sql, ") VALUES ");
  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (sql, "%s%s", i ? ", " : "", values->str);
  g_string_free (values, TRUE);
  return g_string_free (sql, FALSE);
}

/* Binds a field's value; @text is its rendering if it was worked out. The
 * texts the rows hold outlive the statement's run. */
static void
bind_field (sqlite3_stmt *stmt,
            int           p,
            JsonNode     *node,
            const char   *text,
            gboolean      as_json)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    sqlite3_bind_null (stmt, p);
  else if (text != NULL)
    sqlite3_bind_text (stmt, p, text, -1, SQLITE_STATIC);
  else if (!as_json && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    sqlite3_bind_text (stmt, p, json_node_get_string (node), -1, SQLITE_STATIC);
  else
    crm_stmt_bind_json (stmt, p, node, as_json);
}

/* The row's members iterate in the order of self->fields (same_shape()),
 * "deleted" among them. */
static int
bind_row (CrmSyncInsertBatch *self,
          sqlite3_stmt       *stmt,
          int                 p,
          const NewRow       *row)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  guint member = 0, field = 0;

  if (self->with_rid)
    sqlite3_bind_int64 (stmt, p++, row->rid);
  sqlite3_bind_int64 (stmt, p++, row->seq);
  if (row->updated_at != NULL)
    crm_stmt_bind_static_text (stmt, p++, row->updated_at);
  else
    crm_stmt_bind_static_text (stmt, p++, json_object_get_string_member_with_default (row->row, "created_at", ""));
  crm_stmt_bind_static_text (stmt, p++, row->id);
  json_object_iter_init (&iter, row->row);
  while (json_object_iter_next (&iter, &name, &node))
    {
      const char *text = row->texts != NULL && member < row->texts->len
                         ? g_ptr_array_index (row->texts, member) : NULL;

      member++;
      if (g_str_equal (name, "deleted"))
        continue;
      bind_field (stmt, p++, node, text, g_array_index (self->as_json, gboolean, field));
      field++;
    }
  if (self->with_readings)
    {
      crm_stmt_bind_static_text (stmt, p++, row->readings.full);
      crm_stmt_bind_static_text (stmt, p++, row->readings.initials);
      sqlite3_bind_blob (stmt, p++, row->readings.sort_key, (int) strlen (row->readings.sort_key),
                         SQLITE_STATIC);
    }
  return p;
}

/* Rows @first to @first + @n_rows in one statement. A failed statement
 * stores none of them; the rows are then tried one by one for an error
 * that names the row. */
static gboolean
insert_rows (CrmSyncInsertBatch  *self,
             guint                first,
             guint                n_rows,
             GError             **error)
{
  g_autofree char *sql = insert_sql (self, n_rows);
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, sql, error);
  g_autoptr(GError) local_error = NULL;
  int p = 1;

  if (stmt == NULL)
    return FALSE;
  for (guint i = first; i < first + n_rows; i++)
    p = bind_row (self, stmt, p, &g_array_index (self->rows, NewRow, i));
  if (crm_store_step_done (self->store, stmt, &local_error))
    return TRUE;
  if (n_rows == 1)
    {
      const NewRow *row = &g_array_index (self->rows, NewRow, first);

      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Could not apply %s %s from the server: "), self->table, row->id);
      return FALSE;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  for (guint i = first; i < first + n_rows; i++)
    if (!insert_rows (self, i, 1, error))
      return FALSE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* Writes the rows held. Statements of ROWS_PER_INSERT rows, then of the
 * powers of two that make up the rest: a handful of statement shapes for
 * the store to keep prepared. */
gboolean
crm_sync_insert_batch_flush (CrmSyncInsertBatch  *self,
                             GError             **error)
{
  guint done = 0;
  gboolean ok = TRUE;

  while (ok && done < self->rows->len)
    {
      guint left = self->rows->len - done;
      guint n = ROWS_PER_INSERT;

      while (n > left)
        n /= 2;
      ok = insert_rows (self, done, n, error);
      done += n;
    }

  for (guint i = 0; ok && i < self->rows->len; i++)
    {
      NewRow *row = &g_array_index (self->rows, NewRow, i);

      if (g_str_equal (self->table, "purchases"))
        {
          JsonNode *contact = json_object_get_member (row->row, "contact_id");

          if (contact != NULL && JSON_NODE_HOLDS_VALUE (contact) &&
              !crm_lifecycle_update_contact (self->store, json_node_get_string (contact), error))
            ok = FALSE;
        }
      crm_store_queue_changed (self->store, self->table, row->id);
    }

  g_hash_table_remove_all (self->ids);
  g_array_set_size (self->rows, 0);
  return ok;
}
