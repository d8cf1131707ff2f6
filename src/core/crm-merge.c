/* crm-merge.c: merging a duplicate contact into another, and undoing it */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "crm-contact.h"
#include "crm-import-error.h"
#include "crm-import-run.h"
#include "crm-json.h"
#include "crm-lifecycle.h"
#include "crm-merge.h"
#include "crm-record-private.h"
#include "crm-store-private.h"
#include "crm-uuid.h"

#define NOW_SQL "strftime ('%Y-%m-%dT%H:%M:%SZ', 'now')"

/* What points at a contact, and moves with a merge. Table and column
 * names are ours, never user text. */
static const struct { const char *table; const char *column; } references[] = {
  { "purchases", "contact_id" },
  { "activities", "contact_id" },
  { "deals", "contact_id" },
  { "campaign_members", "contact_id" },
  { "survey_responses", "contact_id" },
  { "contacts", "organization_id" },
};

static gboolean
strv_contains_ci (GPtrArray  *list,
                  const char *value)
{
  for (guint i = 0; i < list->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (list, i), value) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
phones_contain (JsonArray  *phones,
                const char *e164)
{
  for (guint i = 0; i < json_array_get_length (phones); i++)
    {
      JsonObject *o = json_array_get_object_element (phones, i);

      if (o != NULL && g_strcmp0 (json_object_get_string_member_with_default (o, "e164", NULL), e164) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
value_is_empty (const GValue *value)
{
  if (G_VALUE_HOLDS_STRING (value))
    return g_value_get_string (value) == NULL || *g_value_get_string (value) == '\0';
  if (G_VALUE_HOLDS (value, G_TYPE_STRV))
    return g_value_get_boxed (value) == NULL || ((char **) g_value_get_boxed (value))[0] == NULL;
  return FALSE;
}

static void
union_strv (CrmRecord  *existing,
            guint       index,
            const char *column,
            CrmRecord  *incoming)
{
  const char * const *old = crm_record_get_strv (existing, column);
  const char * const *add = crm_record_get_strv (incoming, column);
  g_autoptr(GPtrArray) merged = g_ptr_array_new ();
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean grew = FALSE;

  for (guint i = 0; old != NULL && old[i] != NULL; i++)
    g_ptr_array_add (merged, (gpointer) old[i]);
  for (guint i = 0; add != NULL && add[i] != NULL; i++)
    if (!strv_contains_ci (merged, add[i]))
      {
        g_ptr_array_add (merged, (gpointer) add[i]);
        grew = TRUE;
      }
  if (!grew)
    return;
  g_ptr_array_add (merged, NULL);
  g_value_init (&value, G_TYPE_STRV);
  g_value_set_boxed (&value, merged->pdata);
  crm_record_set_value (existing, index, &value);
}

static void
union_phones (CrmRecord *existing,
              guint      index,
              CrmRecord *incoming)
{
  g_autoptr(JsonNode) old = json_from_string (crm_record_get_string (existing, "phones"), NULL);
  g_autoptr(JsonNode) add = json_from_string (crm_record_get_string (incoming, "phones"), NULL);
  JsonArray *merged;
  JsonArray *adding;
  gboolean grew = FALSE;

  if (old == NULL || !JSON_NODE_HOLDS_ARRAY (old) || add == NULL || !JSON_NODE_HOLDS_ARRAY (add))
    return;
  merged = json_node_get_array (old);
  adding = json_node_get_array (add);
  for (guint i = 0; i < json_array_get_length (adding); i++)
    {
      JsonObject *o = json_array_get_object_element (adding, i);
      const char *e164 = o != NULL ? json_object_get_string_member_with_default (o, "e164", NULL) : NULL;

      if (e164 != NULL && !phones_contain (merged, e164))
        {
          json_array_add_object_element (merged, json_object_ref (o));
          grew = TRUE;
        }
    }
  if (grew)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, G_TYPE_STRING);
      g_value_take_string (&value, crm_json_to_string (old));
      crm_record_set_value (existing, index, &value);
    }
}

void
crm_merge_fill_fields (CrmRecord *existing,
                       CrmRecord *incoming,
                       gboolean   overwrite,
                       gboolean   only_changed)
{
  CrmRecordClass *klass = CRM_RECORD_GET_CLASS (existing);

  for (guint i = CRM_RECORD_N_BASE_COLUMNS; i < crm_record_class_get_n_columns (klass); i++)
    {
      const CrmColumn *column = crm_record_class_get_column (klass, i);
      const GValue *value;

      if ((column->flags & CRM_COLUMN_DERIVED) || (only_changed && !crm_record_is_changed_at (incoming, i)))
        continue;
      /* A kind or a consent flag is the primary's own decision. */
      if (!only_changed && (column->type == CRM_COLUMN_BOOL || g_str_equal (column->name, "kind")))
        continue;
      if (column->type == CRM_COLUMN_EMAILS || column->type == CRM_COLUMN_TAGS)
        {
          union_strv (existing, i, column->name, incoming);
          continue;
        }
      if (column->type == CRM_COLUMN_PHONES)
        {
          union_phones (existing, i, incoming);
          continue;
        }
      value = crm_record_peek_value (incoming, i);
      if (value_is_empty (value))
        continue;
      if (overwrite || value_is_empty (crm_record_peek_value (existing, i)))
        crm_record_set_value (existing, i, value);
      else if (!only_changed && g_str_equal (column->name, "notes") &&
               strstr (g_value_get_string (crm_record_peek_value (existing, i)), g_value_get_string (value)) == NULL)
        {
          /* Two people's notes about one customer: keep both. */
          g_autofree char *joined = g_strconcat (g_value_get_string (crm_record_peek_value (existing, i)),
                                                 "\n", g_value_get_string (value), NULL);
          g_auto(GValue) notes = G_VALUE_INIT;

          g_value_init (&notes, G_TYPE_STRING);
          g_value_set_string (&notes, joined);
          crm_record_set_value (existing, i, &notes);
        }
    }
}


/* Points the rows of @ids (in @table) from @from to @to, each stamped
 * with a new clock value so the move syncs. */
static gboolean
repoint (CrmStore    *store,
         guint        ref,
         const char  *id,
         const char  *from,
         const char  *to,
         GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET %s = ?, updated_at = ? WHERE id = ? AND %s = ?",
                                          references[ref].table, references[ref].column, references[ref].column);
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);
  g_autofree char *hlc = crm_store_next_hlc (store);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, to, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, hlc, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, from, -1, SQLITE_TRANSIENT);
  if (!crm_store_step_done (store, stmt, error))
    return FALSE;
  crm_store_queue_changed (store, references[ref].table, id);
  return TRUE;
}

static JsonNode *
move_references (CrmStore    *store,
                 const char  *from,
                 const char  *to,
                 GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  for (guint r = 0; r < G_N_ELEMENTS (references); r++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s WHERE %s = ? AND deleted = 0",
                                              references[r].table, references[r].column);
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      sqlite3_stmt *stmt = NULL;
      int rc;

      rc = sqlite3_prepare_v2 (crm_store_get_db (store), sql, -1, &stmt, NULL);
      if (rc != SQLITE_OK)
        {
          crm_store_take_error (store, rc, error);
          return NULL;
        }
      sqlite3_bind_text (stmt, 1, from, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        {
          crm_store_take_error (store, rc, error);
          return NULL;
        }

      json_builder_set_member_name (builder, references[r].table);
      json_builder_begin_array (builder);
      for (guint i = 0; i < ids->len; i++)
        {
          if (!repoint (store, r, g_ptr_array_index (ids, i), from, to, error))
            return NULL;
          json_builder_add_string_value (builder, g_ptr_array_index (ids, i));
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
record_merge (CrmStore    *store,
              const char  *merge_id,
              const char  *primary_id,
              const char  *other_id,
              JsonNode    *before,
              JsonNode    *moved,
              GError     **error)
{
  static const char sql[] =
    "INSERT INTO merges (id, at, user_id, primary_id, other_id, before, moved)"
    " VALUES (?, " NOW_SQL ", (SELECT value FROM meta WHERE key = 'user_id'), ?, ?, ?, ?)";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);
  g_autofree char *before_text = crm_json_to_string (before);
  g_autofree char *moved_text = crm_json_to_string (moved);

  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, merge_id);
  crm_stmt_bind_text (stmt, 2, primary_id);
  crm_stmt_bind_text (stmt, 3, other_id);
  crm_stmt_bind_text (stmt, 4, before_text);
  crm_stmt_bind_text (stmt, 5, moved_text);
  return crm_store_step_done (store, stmt, error);
}

/* The other's value of each field in @from_other, over the primary's. */
static gboolean
take_from_other (CrmRecord           *primary,
                 CrmRecord           *other,
                 const char * const  *from_other,
                 GError             **error)
{
  CrmRecordClass *klass = CRM_RECORD_GET_CLASS (primary);

  for (guint i = 0; from_other != NULL && from_other[i] != NULL; i++)
    {
      guint index = 0;
      const CrmColumn *column = crm_record_class_find_column (klass, from_other[i], &index);

      if (column == NULL || (column->flags & CRM_COLUMN_DERIVED) ||
          column->type == CRM_COLUMN_EMAILS || column->type == CRM_COLUMN_TAGS ||
          column->type == CRM_COLUMN_PHONES)
        {
          g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_FAILED,
                       _("“%s” is not a field whose value can be taken from the other contact."), from_other[i]);
          return FALSE;
        }
      crm_record_set_value (primary, index, crm_record_peek_value (other, index));
    }
  return TRUE;
}

static gboolean
merge_in_transaction (CrmStore            *store,
                      const char          *primary_id,
                      const char          *other_id,
                      const char * const  *from_other,
                      const char          *merge_id,
                      GError             **error)
{
  g_autoptr(CrmRecord) primary = NULL;
  g_autoptr(CrmRecord) other = NULL;
  g_autoptr(JsonNode) all_before = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) moved = NULL;

  primary = crm_store_get (store, CRM_TYPE_CONTACT, primary_id, error);
  if (primary == NULL)
    return FALSE;
  other = crm_store_get (store, CRM_TYPE_CONTACT, other_id, error);
  if (other == NULL)
    return FALSE;
  if (crm_record_get_deleted (primary) || crm_record_get_deleted (other))
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_NOT_FOUND,
                   _("“%s” was deleted (perhaps merged already), so it cannot be merged. Reload the list of duplicates."),
                   crm_record_get_deleted (primary) ? crm_contact_get_name (CRM_CONTACT (primary))
                                                    : crm_contact_get_name (CRM_CONTACT (other)));
      return FALSE;
    }

  all_before = crm_record_to_json (primary);
  crm_merge_fill_fields (primary, other, FALSE, FALSE);
  if (!take_from_other (primary, other, from_other, error))
    return FALSE;
  /* The other's organization link moves with it only if the primary has
   * none; a contact never becomes its own organization. */
  if (g_strcmp0 (crm_record_get_string (primary, "organization_id"), primary_id) == 0)
    g_object_set (primary, "organization-id", NULL, NULL);
  before = crm_record_snapshot_changed (primary, all_before);

  moved = move_references (store, other_id, primary_id, error);
  if (moved == NULL)
    return FALSE;
  if (!crm_store_update (store, primary, error) ||
      !crm_store_delete (store, CRM_TYPE_CONTACT, other_id, error) ||
      !crm_lifecycle_update_contact (store, primary_id, error) ||
      !crm_lifecycle_update_contact (store, other_id, error))
    return FALSE;
  return record_merge (store, merge_id, primary_id, other_id, before, moved, error);
}

gboolean
crm_merge_contacts (CrmStore     *store,
                    const char   *primary_id,
                    const char   *other_id,
                    char        **out_merge_id,
                    GError      **error)
{
  return crm_merge_contacts_choosing (store, primary_id, other_id, NULL, out_merge_id, error);
}

gboolean
crm_merge_contacts_choosing (CrmStore           *store,
                             const char         *primary_id,
                             const char         *other_id,
                             const char * const *from_other,
                             char              **out_merge_id,
                             GError            **error)
{
  g_autofree char *merge_id = crm_uuid_v7_new ();

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  if (g_strcmp0 (primary_id, other_id) == 0)
    {
      g_set_error_literal (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_FAILED,
                           _("A contact cannot be merged with itself. Choose two different contacts."));
      return FALSE;
    }
  if (!crm_store_begin (store, error))
    return FALSE;
  if (!merge_in_transaction (store, primary_id, other_id, from_other, merge_id, error))
    {
      crm_store_rollback (store);
      return FALSE;
    }
  if (!crm_store_commit (store, error))
    return FALSE;
  if (out_merge_id != NULL)
    *out_merge_id = g_steal_pointer (&merge_id);
  return TRUE;
}

static gboolean
undo_in_transaction (CrmStore    *store,
                     const char  *merge_id,
                     GError     **error)
{
  static const char select_sql[] =
    "SELECT primary_id, other_id, before, moved, undone_at FROM merges WHERE id = ?";
  static const char done_sql[] = "UPDATE merges SET undone_at = " NOW_SQL " WHERE id = ?";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, select_sql, error);
  g_autoptr(CrmCachedStmt) done = NULL;
  g_autofree char *primary_id = NULL;
  g_autofree char *other_id = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) moved = NULL;
  g_autoptr(CrmRecord) primary = NULL;
  gboolean undone;

  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, merge_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_NOT_FOUND,
                   _("There is no merge “%s” to undo."), merge_id != NULL ? merge_id : "");
      return FALSE;
    }
  primary_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  other_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  before = json_from_string ((const char *) sqlite3_column_text (stmt, 2), NULL);
  moved = json_from_string ((const char *) sqlite3_column_text (stmt, 3), NULL);
  undone = sqlite3_column_type (stmt, 4) != SQLITE_NULL;
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  if (undone)
    {
      g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_ALREADY_UNDONE,
                   _("This merge was already undone."));
      return FALSE;
    }

  if (!crm_store_undelete (store, CRM_TYPE_CONTACT, other_id, error))
    return FALSE;
  if (moved != NULL && JSON_NODE_HOLDS_OBJECT (moved))
    for (guint r = 0; r < G_N_ELEMENTS (references); r++)
      {
        JsonObject *o = json_node_get_object (moved);
        JsonArray *ids = json_object_has_member (o, references[r].table)
                         ? json_object_get_array_member (o, references[r].table) : NULL;

        for (guint i = 0; ids != NULL && i < json_array_get_length (ids); i++)
          if (!repoint (store, r, json_array_get_string_element (ids, i), primary_id, other_id, error))
            return FALSE;
      }

  primary = crm_store_get (store, CRM_TYPE_CONTACT, primary_id, error);
  if (primary == NULL)
    return FALSE;
  if (before != NULL && JSON_NODE_HOLDS_OBJECT (before))
    crm_record_restore_snapshot (primary, json_node_get_object (before));
  if (!crm_store_update (store, primary, error) ||
      !crm_lifecycle_update_contact (store, primary_id, error) ||
      !crm_lifecycle_update_contact (store, other_id, error))
    return FALSE;

  done = crm_store_prepare (store, done_sql, error);
  if (done == NULL)
    return FALSE;
  crm_stmt_bind_text (done, 1, merge_id);
  return crm_store_step_done (store, done, error);
}

gboolean
crm_merge_undo (CrmStore    *store,
                const char  *merge_id,
                GError     **error)
{
  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  if (!crm_store_begin (store, error))
    return FALSE;
  if (!undo_in_transaction (store, merge_id, error))
    {
      crm_store_rollback (store);
      return FALSE;
    }
  return crm_store_commit (store, error);
}
