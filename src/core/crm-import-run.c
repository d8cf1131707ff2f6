/* crm-import-run.c: one import as a unit: its counts, per-row problems, error report and undo */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-contact.h"
#include "crm-csv-writer.h"
#include "crm-import-error.h"
#include "crm-import-run.h"
#include "crm-json.h"
#include "crm-purchase.h"
#include "crm-record-private.h"
#include "crm-store-private.h"
#include "crm-uuid.h"

/* import_runs.errors keeps the first problems for people who look at a
 * run later; the error report file has all of them. */
#define MAX_STORED_PROBLEMS 100

#define NOW_SQL "strftime ('%Y-%m-%dT%H:%M:%SZ', 'now')"

struct _CrmImportRun
{
  GObject parent_instance;

  CrmStore *store;
  char *kind;
  char *id;
  char *source_file;
  char *format;
  char *encoding;
  gboolean dry_run;

  CrmImportSummary summary;
  GPtrArray *problems;
  guint64 n_problems;

  GOutputStream *errors_out;
  GString *errors_buffer;
  GError *errors_write_error;
};

G_DEFINE_FINAL_TYPE (CrmImportRun, crm_import_run, G_TYPE_OBJECT)

void
crm_import_problem_free (CrmImportProblem *problem)
{
  g_free (problem->column);
  g_free (problem->value);
  g_free (problem->message);
  g_free (problem);
}

static void
crm_import_run_finalize (GObject *object)
{
  CrmImportRun *self = CRM_IMPORT_RUN (object);

  g_clear_object (&self->store);
  g_free (self->kind);
  g_free (self->id);
  g_free (self->source_file);
  g_free (self->format);
  g_free (self->encoding);
  g_ptr_array_unref (self->problems);
  if (self->errors_out != NULL)
    g_output_stream_close (self->errors_out, NULL, NULL);
  g_clear_object (&self->errors_out);
  g_string_free (self->errors_buffer, TRUE);
  g_clear_error (&self->errors_write_error);

  G_OBJECT_CLASS (crm_import_run_parent_class)->finalize (object);
}

static void
crm_import_run_class_init (CrmImportRunClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_import_run_finalize;
}

static void
crm_import_run_init (CrmImportRun *self)
{
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_import_problem_free);
  self->errors_buffer = g_string_new (NULL);
}

CrmImportRun *
crm_import_run_new (CrmStore   *store,
                    const char *kind,
                    gboolean    dry_run)
{
  CrmImportRun *self = g_object_new (CRM_TYPE_IMPORT_RUN, NULL);

  self->store = g_object_ref (store);
  self->kind = g_strdup (kind);
  self->dry_run = dry_run;
  return self;
}

void
crm_import_run_set_source (CrmImportRun *self,
                           const char   *source_file,
                           const char   *format,
                           const char   *encoding)
{
  g_return_if_fail (CRM_IS_IMPORT_RUN (self));

  g_free (self->source_file);
  g_free (self->format);
  g_free (self->encoding);
  self->source_file = g_strdup (source_file);
  self->format = g_strdup (format);
  self->encoding = g_strdup (encoding);
}

static void
flush_errors (CrmImportRun *self)
{
  if (self->errors_out == NULL || self->errors_buffer->len == 0 || self->errors_write_error != NULL)
    return;
  g_output_stream_write_all (self->errors_out, self->errors_buffer->str, self->errors_buffer->len,
                             NULL, NULL, &self->errors_write_error);
  g_string_truncate (self->errors_buffer, 0);
}

gboolean
crm_import_run_set_errors_path (CrmImportRun  *self,
                                const char    *path,
                                GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = NULL;
  const char *header[] = { _("Row"), _("Column"), _("Value"), _("Problem") };

  g_return_val_if_fail (CRM_IS_IMPORT_RUN (self), FALSE);

  /* The rows quoted here are customer data: this user's only. */
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  if (out == NULL)
    return FALSE;
  self->errors_out = G_OUTPUT_STREAM (g_steal_pointer (&out));
  g_string_append (self->errors_buffer, "\xEF\xBB\xBF");
  crm_csv_append_row (self->errors_buffer, header, G_N_ELEMENTS (header), ',');
  flush_errors (self);
  return self->errors_write_error == NULL;
}

gboolean
crm_import_run_begin (CrmImportRun  *self,
                      GError       **error)
{
  static const char sql[] =
    "INSERT INTO import_runs (id, kind, started_at, source_file, format, encoding)"
    " VALUES (?, ?, " NOW_SQL ", ?, ?, ?)";
  g_autoptr(CrmCachedStmt) stmt = NULL;

  g_return_val_if_fail (CRM_IS_IMPORT_RUN (self), FALSE);

  if (self->dry_run)
    return TRUE;

  self->id = crm_uuid_v7_new ();
  if (!crm_store_begin (self->store, error))
    return FALSE;
  stmt = crm_store_prepare (self->store, sql, error);
  if (stmt == NULL)
    {
      crm_store_rollback (self->store);
      return FALSE;
    }
  crm_stmt_bind_text (stmt, 1, self->id);
  crm_stmt_bind_text (stmt, 2, self->kind);
  crm_stmt_bind_text (stmt, 3, self->source_file);
  crm_stmt_bind_text (stmt, 4, self->format);
  crm_stmt_bind_text (stmt, 5, self->encoding);
  if (!crm_store_step_done (self->store, stmt, error))
    {
      crm_store_rollback (self->store);
      return FALSE;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  return crm_store_commit (self->store, error);
}

static gboolean
log_change (CrmImportRun  *self,
            const char    *table,
            const char    *row_id,
            const char    *action,
            const char    *before,
            GError       **error)
{
  static const char sql[] =
    "INSERT INTO import_run_changes (run_id, table_name, row_id, action, before) VALUES (?, ?, ?, ?, ?)";
  g_autoptr(CrmCachedStmt) stmt = NULL;

  if (self->dry_run)
    return TRUE;
  stmt = crm_store_prepare (self->store, sql, error);
  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, self->id);
  crm_stmt_bind_text (stmt, 2, table);
  crm_stmt_bind_text (stmt, 3, row_id);
  crm_stmt_bind_text (stmt, 4, action);
  crm_stmt_bind_text (stmt, 5, before);
  return crm_store_step_done (self->store, stmt, error);
}

gboolean
crm_import_run_log_insert (CrmImportRun  *self,
                           const char    *table,
                           const char    *row_id,
                           GError       **error)
{
  g_return_val_if_fail (CRM_IS_IMPORT_RUN (self), FALSE);
  return log_change (self, table, row_id, "insert", NULL, error);
}

JsonNode *
crm_record_snapshot_changed (CrmRecord *record,
                             JsonNode  *before)
{
  CrmRecordClass *klass = CRM_RECORD_GET_CLASS (record);
  JsonObject *all = json_node_get_object (before);
  g_autoptr(JsonObject) changed = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = CRM_RECORD_N_BASE_COLUMNS; i < crm_record_class_get_n_columns (klass); i++)
    {
      const CrmColumn *column = crm_record_class_get_column (klass, i);

      if (!crm_record_is_changed_at (record, i) || (column->flags & CRM_COLUMN_DERIVED) ||
          !json_object_has_member (all, column->name))
        continue;
      json_object_set_member (changed, column->name,
                              json_node_copy (json_object_get_member (all, column->name)));
    }
  json_node_set_object (node, changed);
  return node;
}

void
crm_record_restore_snapshot (CrmRecord  *record,
                             JsonObject *snapshot)
{
  CrmRecordClass *klass = CRM_RECORD_GET_CLASS (record);
  g_autoptr(GList) members = json_object_get_members (snapshot);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (snapshot, l->data);
      g_auto(GValue) value = G_VALUE_INIT;
      const CrmColumn *column;
      guint index;

      column = crm_record_class_find_column (klass, l->data, &index);
      if (column == NULL || (column->flags & CRM_COLUMN_DERIVED))
        continue;
      g_value_init (&value, G_VALUE_TYPE (crm_record_peek_value (record, index)));

      switch (column->type)
        {
        case CRM_COLUMN_INT:
        case CRM_COLUMN_MONEY:
          g_value_set_int64 (&value, JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0);
          break;
        case CRM_COLUMN_BOOL:
          g_value_set_boolean (&value, JSON_NODE_HOLDS_VALUE (node) && json_node_get_boolean (node));
          break;
        case CRM_COLUMN_TAGS:
        case CRM_COLUMN_EMAILS:
          {
            g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
            g_auto(GStrv) strv = NULL;

            if (JSON_NODE_HOLDS_ARRAY (node))
              {
                JsonArray *array = json_node_get_array (node);

                for (guint i = 0; i < json_array_get_length (array); i++)
                  g_strv_builder_add (builder, json_array_get_string_element (array, i));
              }
            strv = g_strv_builder_end (builder);
            g_value_set_boxed (&value, strv);
          }
          break;
        case CRM_COLUMN_PHONES:
        case CRM_COLUMN_JSON:
          if (!JSON_NODE_HOLDS_NULL (node))
            g_value_take_string (&value, crm_json_to_string (node));
          break;
        case CRM_COLUMN_BYTES:
          continue;
        case CRM_COLUMN_TEXT:
        case CRM_COLUMN_ENUM:
        case CRM_COLUMN_DATE:
        case CRM_COLUMN_TIMESTAMP:
        case CRM_COLUMN_HLC:
        case CRM_COLUMN_REF:
        case CRM_COLUMN_CURRENCY:
        default:
          g_value_set_string (&value, JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL);
          break;
        }
      crm_record_set_value (record, index, &value);
    }
}

gboolean
crm_import_run_log_update (CrmImportRun  *self,
                           CrmRecord     *record,
                           JsonNode      *before,
                           GError       **error)
{
  g_autoptr(JsonNode) changed = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (CRM_IS_IMPORT_RUN (self), FALSE);

  if (self->dry_run)
    return TRUE;
  changed = crm_record_snapshot_changed (record, before);
  text = crm_json_to_string (changed);
  return log_change (self, crm_record_class_get_table (CRM_RECORD_GET_CLASS (record)),
                     crm_record_get_id (record), "update", text, error);
}

void
crm_import_run_add_problem (CrmImportRun *self,
                            guint64       row,
                            const char   *column,
                            const char   *value,
                            const char   *message)
{
  g_return_if_fail (CRM_IS_IMPORT_RUN (self));

  self->n_problems++;
  if (self->problems->len < CRM_IMPORT_RUN_MAX_PROBLEMS)
    {
      CrmImportProblem *problem = g_new0 (CrmImportProblem, 1);

      problem->row = row;
      problem->column = g_strdup (column != NULL ? column : "");
      problem->value = g_strdup (value != NULL ? value : "");
      problem->message = g_strdup (message);
      g_ptr_array_add (self->problems, problem);
    }

  if (self->errors_out != NULL)
    {
      g_autofree char *row_text = g_strdup_printf ("%" G_GUINT64_FORMAT, row);
      const char *fields[] = { row_text, column, value, message };

      crm_csv_append_row (self->errors_buffer, fields, G_N_ELEMENTS (fields), ',');
      if (self->errors_buffer->len > 64 * 1024)
        flush_errors (self);
    }
}

static char *
problems_json (CrmImportRun *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < MIN (self->problems->len, MAX_STORED_PROBLEMS); i++)
    {
      CrmImportProblem *problem = g_ptr_array_index (self->problems, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "row");
      json_builder_add_int_value (builder, (gint64) problem->row);
      json_builder_set_member_name (builder, "column");
      json_builder_add_string_value (builder, problem->column);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, problem->value);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, problem->message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return crm_json_to_string (root);
}

static gboolean
save_counts (CrmImportRun  *self,
             const char    *status,
             GError       **error)
{
  static const char sql[] =
    "UPDATE import_runs SET rows_total = ?, rows_inserted = ?, rows_updated = ?, rows_skipped = ?,"
    " rows_failed = ?, errors = ?, status = coalesce (?, status),"
    " finished_at = CASE WHEN ? IS NULL THEN NULL ELSE " NOW_SQL " END WHERE id = ?";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, sql, error);
  g_autofree char *errors = NULL;
  CrmImportSummary *s = &self->summary;

  if (stmt == NULL)
    return FALSE;
  errors = problems_json (self);
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) (s->created + s->updated + s->skipped + s->errors));
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) s->created);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) s->updated);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) s->skipped);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) s->errors);
  crm_stmt_bind_text (stmt, 6, errors);
  crm_stmt_bind_text (stmt, 7, status);
  crm_stmt_bind_text (stmt, 8, status);
  crm_stmt_bind_text (stmt, 9, self->id);
  return crm_store_step_done (self->store, stmt, error);
}

gboolean
crm_import_run_save_progress (CrmImportRun  *self,
                              GError       **error)
{
  g_return_val_if_fail (CRM_IS_IMPORT_RUN (self), FALSE);

  if (self->dry_run)
    return TRUE;
  return save_counts (self, NULL, error);
}

gboolean
crm_import_run_finish (CrmImportRun  *self,
                       const char    *status,
                       GError       **error)
{
  g_return_val_if_fail (CRM_IS_IMPORT_RUN (self), FALSE);

  flush_errors (self);
  if (self->errors_out != NULL && self->errors_write_error == NULL)
    g_output_stream_close (self->errors_out, NULL, &self->errors_write_error);

  if (!self->dry_run)
    {
      if (!crm_store_begin (self->store, error))
        return FALSE;
      if (!save_counts (self, status, error))
        {
          crm_store_rollback (self->store);
          return FALSE;
        }
      if (!crm_store_commit (self->store, error))
        return FALSE;
    }

  if (self->errors_write_error != NULL)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_FAILED,
                   _("The import finished, but the error report could not be written: %s"),
                   self->errors_write_error->message);
      return FALSE;
    }
  return TRUE;
}

const char *
crm_import_run_get_id (CrmImportRun *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_RUN (self), NULL);
  return self->id;
}

CrmImportSummary *
crm_import_run_get_summary (CrmImportRun *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_RUN (self), NULL);
  return &self->summary;
}

GPtrArray *
crm_import_run_get_problems (CrmImportRun *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_RUN (self), NULL);
  return self->problems;
}

guint64
crm_import_run_get_n_problems (CrmImportRun *self)
{
  g_return_val_if_fail (CRM_IS_IMPORT_RUN (self), 0);
  return self->n_problems;
}

static GType
type_for_table (const char *table)
{
  if (g_strcmp0 (table, "contacts") == 0)
    return CRM_TYPE_CONTACT;
  if (g_strcmp0 (table, "purchases") == 0)
    return CRM_TYPE_PURCHASE;
  return G_TYPE_INVALID;
}

typedef struct
{
  gint64 seq;
  char *table;
  char *row_id;
  char *action;
  char *before;
} Change;

static void
change_free (Change *change)
{
  g_free (change->table);
  g_free (change->row_id);
  g_free (change->action);
  g_free (change->before);
  g_free (change);
}

#define UNDO_BATCH 1000

/* The next batch of a run's changes, newest first, below @below_seq. Read
 * into memory and the statement reset before anything is written: the
 * writes (lifecycle updates) must not run while it is active. */
static GPtrArray *
next_changes (CrmStore    *store,
              const char  *run_id,
              gint64       below_seq,
              GError     **error)
{
  static const char sql[] =
    "SELECT seq, table_name, row_id, action, before FROM import_run_changes"
    " WHERE run_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, run_id);
  sqlite3_bind_int64 (stmt, 2, below_seq);
  sqlite3_bind_int (stmt, 3, UNDO_BATCH);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Change *change = g_new0 (Change, 1);

      change->seq = sqlite3_column_int64 (stmt, 0);
      change->table = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      change->row_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      change->action = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      change->before = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      g_ptr_array_add (changes, change);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&changes);
}

static gboolean
undo_changes (CrmStore     *store,
              const char   *run_id,
              guint64      *out_reverted,
              GError      **error)
{
  static const char done_sql[] =
    "UPDATE import_runs SET status = 'undone', undone_at = " NOW_SQL " WHERE id = ?";
  g_autoptr(CrmCachedStmt) done = NULL;
  guint64 reverted = 0;
  gint64 below = G_MAXINT64;

  for (;;)
    {
      g_autoptr(GPtrArray) changes = next_changes (store, run_id, below, error);

      if (changes == NULL)
        return FALSE;
      if (changes->len == 0)
        break;
      for (guint i = 0; i < changes->len; i++)
        {
          Change *change = g_ptr_array_index (changes, i);
          GType type = type_for_table (change->table);

          below = change->seq;
          if (type == G_TYPE_INVALID)
            continue;
          if (g_strcmp0 (change->action, "insert") == 0)
            {
              if (!crm_store_delete (store, type, change->row_id, error))
                return FALSE;
            }
          else
            {
              g_autoptr(CrmRecord) record = crm_store_get (store, type, change->row_id, error);
              g_autoptr(JsonNode) snapshot = change->before != NULL ? json_from_string (change->before, NULL) : NULL;

              if (record == NULL)
                return FALSE;
              if (snapshot != NULL && JSON_NODE_HOLDS_OBJECT (snapshot))
                crm_record_restore_snapshot (record, json_node_get_object (snapshot));
              if (!crm_store_update (store, record, error))
                return FALSE;
            }
          reverted++;
        }
    }

  done = crm_store_prepare (store, done_sql, error);
  if (done == NULL)
    return FALSE;
  crm_stmt_bind_text (done, 1, run_id);
  if (!crm_store_step_done (store, done, error))
    return FALSE;
  *out_reverted = reverted;
  return TRUE;
}

gboolean
crm_import_run_undo (CrmStore     *store,
                     const char   *run_id,
                     guint64      *out_reverted,
                     GError      **error)
{
  static const char status_sql[] = "SELECT status FROM import_runs WHERE id = ?";
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autofree char *status = NULL;
  guint64 reverted = 0;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  stmt = crm_store_prepare (store, status_sql, error);
  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, run_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    status = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  if (status == NULL)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_NOT_FOUND,
                   _("There is no import run “%s”. List the runs with “crmctl import list”."),
                   run_id != NULL ? run_id : "");
      return FALSE;
    }
  if (g_str_equal (status, "undone"))
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ALREADY_UNDONE,
                   _("Import run “%s” was already undone."), run_id);
      return FALSE;
    }

  if (!crm_store_begin (store, error))
    return FALSE;
  if (!undo_changes (store, run_id, &reverted, error))
    {
      crm_store_rollback (store);
      return FALSE;
    }
  if (!crm_store_commit (store, error))
    return FALSE;
  if (out_reverted != NULL)
    *out_reverted = reverted;
  return TRUE;
}
