/* crm-segment.c: a named rule that selects contacts (first-time, dormant, RFM …) */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-json.h"
#include "crm-segment.h"
#include "crm-segment-rule.h"
#include "crm-store-private.h"

struct _CrmSegment
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmSegment, crm_segment, CRM_TYPE_RECORD)

/* Mirrors the segments table of migration 1 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "name", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "description", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "rule", CRM_COLUMN_JSON, CRM_COLUMN_REQUIRED, "{}", NULL, 0, 0 },
};

static gboolean
crm_segment_validate (CrmRecord  *record,
                      GError    **error)
{
  g_autoptr(GError) rule_error = NULL;

  /* A rule that does not compile would be an empty segment later. */
  if (!crm_segment_rule_validate (crm_record_get_string (record, "rule"), &rule_error))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("rule: %s"), rule_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
crm_segment_class_init (CrmSegmentClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "segments", columns, G_N_ELEMENTS (columns));
  record_class->validate = crm_segment_validate;
}

static void
crm_segment_init (CrmSegment *self)
{
}

CrmSegment *
crm_segment_new (void)
{
  return g_object_new (CRM_TYPE_SEGMENT, NULL);
}

typedef struct
{
  const char *key;
  const char *name;
  const char *description;
  const char *field;
  const char *value;
} Builtin;

static const Builtin builtins[] = {
  { "lead", N_("Leads"), N_("No purchase yet"), "lifecycle", "lead" },
  { "first_time", N_("First-time buyers"), N_("One purchase, within the last 90 days"), "lifecycle", "first_time" },
  { "frequent", N_("Frequent buyers"), N_("Three or more purchases in the last 365 days"), "lifecycle", "frequent" },
  { "active", N_("Active customers"), N_("Bought within the last 180 days"), "lifecycle", "active" },
  { "dormant", N_("Dormant customers"), N_("No purchase for 180 days"), "lifecycle", "dormant" },
  { "churned", N_("Churned customers"), N_("No purchase for 365 days"), "lifecycle", "churned" },
  { "rfm_champions", N_("RFM: Champions"), N_("Bought recently, often and the most"), "rfm_segment", "champions" },
  { "rfm_loyal", N_("RFM: Loyal"), N_("Buy often"), "rfm_segment", "loyal" },
  { "rfm_potential", N_("RFM: Potential loyalists"), N_("Recent customers with more than one purchase"), "rfm_segment", "potential" },
  { "rfm_new", N_("RFM: New"), N_("Bought recently for the first time"), "rfm_segment", "new" },
  { "rfm_at_risk", N_("RFM: At risk"), N_("Used to buy often, not recently"), "rfm_segment", "at_risk" },
  { "rfm_hibernating", N_("RFM: Hibernating"), N_("Low scores, last purchase long ago"), "rfm_segment", "hibernating" },
  { "rfm_lost", N_("RFM: Lost"), N_("Lowest recency and frequency"), "rfm_segment", "lost" },
};

void
crm_segment_info_free (CrmSegmentInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->name);
  g_free (info->description);
  g_free (info->rule);
  g_free (info);
}

static CrmSegmentInfo *
builtin_info (const Builtin *b)
{
  CrmSegmentInfo *info = g_new0 (CrmSegmentInfo, 1);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "all");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "field");
  json_builder_add_string_value (builder, b->field);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, "eq");
  json_builder_set_member_name (builder, "value");
  json_builder_add_string_value (builder, b->value);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  info->id = g_strconcat ("builtin:", b->key, NULL);
  info->name = g_strdup (_(b->name));
  info->description = g_strdup (_(b->description));
  info->rule = crm_json_to_string (root);
  info->builtin = TRUE;
  return info;
}

static CrmSegmentInfo *
saved_info (sqlite3_stmt *stmt)
{
  CrmSegmentInfo *info = g_new0 (CrmSegmentInfo, 1);

  info->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  info->description = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  info->rule = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  return info;
}

GPtrArray *
crm_segment_list_all (CrmStore  *store,
                      GError   **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_segment_info_free);
  g_autoptr(CrmCachedStmt) stmt = NULL;
  int rc;

  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    g_ptr_array_add (list, builtin_info (&builtins[i]));

  stmt = crm_store_prepare (store,
                            "SELECT id, name, description, rule FROM segments WHERE deleted = 0"
                            " ORDER BY name COLLATE NOCASE, id",
                            error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, saved_info (stmt));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

CrmSegmentInfo *
crm_segment_find (CrmStore    *store,
                  const char  *name_or_id,
                  GError     **error)
{
  const char *key = g_str_has_prefix (name_or_id, "builtin:") ? name_or_id + strlen ("builtin:") : name_or_id;
  g_autoptr(CrmCachedStmt) stmt = NULL;
  int rc;

  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    if (g_str_equal (builtins[i].key, key))
      return builtin_info (&builtins[i]);

  stmt = crm_store_prepare (store,
                            "SELECT id, name, description, rule FROM segments WHERE deleted = 0"
                            " AND (id = ?1 OR name = ?1) ORDER BY id = ?1 DESC LIMIT 1",
                            error);
  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, name_or_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return saved_info (stmt);
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (builtins); i++)
    if (g_str_equal (_(builtins[i].name), name_or_id))
      return builtin_info (&builtins[i]);

  g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
               _("No segment called “%s”. “crmctl segment list” shows them all."), name_or_id);
  return NULL;
}

/* The rule's SQL changes with its shape, so it is prepared here rather
 * than cached; all its values are bound. */
static sqlite3_stmt *
prepare_rule (CrmStore    *store,
              const char  *select,
              const char  *tail,
              const char  *rule_json,
              const char  *reference_date,
              GError     **error)
{
  g_autoptr(CrmSegmentQuery) query = crm_segment_query_new (rule_json, reference_date, error);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (query == NULL)
    return NULL;
  sql = g_strconcat (select, " FROM contacts c WHERE ", crm_segment_query_get_live_condition (query), " AND ",
                     crm_segment_query_get_predicate (query), tail, NULL);
  rc = sqlite3_prepare_v2 (crm_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  crm_segment_query_bind (query, stmt, 1);
  return stmt;
}

gboolean
crm_segment_count (CrmStore    *store,
                   const char  *rule_json,
                   const char  *reference_date,
                   gint64      *out_count,
                   GError     **error)
{
  sqlite3_stmt *stmt = prepare_rule (store, "SELECT count (*)", "", rule_json, reference_date, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_count = sqlite3_column_int64 (stmt, 0);
  else
    crm_store_take_error (store, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

GArray *
crm_segment_dup_member_rids (CrmStore    *store,
                             const char  *rule_json,
                             const char  *reference_date,
                             GError     **error)
{
  g_autoptr(GArray) rids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = prepare_rule (store, "SELECT c.rid", " ORDER BY c.rid", rule_json, reference_date, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rid = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (rids, rid);
    }
  if (rc != SQLITE_DONE)
    crm_store_take_error (store, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&rids) : NULL;
}

GPtrArray *
crm_segment_dup_member_ids (CrmStore    *store,
                            const char  *rule_json,
                            const char  *reference_date,
                            GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = prepare_rule (store, "SELECT c.id", " ORDER BY c.name_sort, c.rid",
                                     rule_json, reference_date, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    crm_store_take_error (store, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE ? g_steal_pointer (&ids) : NULL;
}

gboolean
crm_segment_contains (CrmStore    *store,
                      const char  *rule_json,
                      const char  *reference_date,
                      const char  *contact_id,
                      gboolean    *out_contains,
                      GError     **error)
{
  g_autoptr(CrmSegmentQuery) query = crm_segment_query_new (rule_json, reference_date, error);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (query == NULL)
    return FALSE;
  sql = g_strconcat ("SELECT 1 FROM contacts c WHERE c.id = ? AND c.deleted = 0 AND ",
                     crm_segment_query_get_predicate (query), NULL);
  rc = sqlite3_prepare_v2 (crm_store_get_db (store), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, contact_id, -1, SQLITE_TRANSIENT);
  crm_segment_query_bind (query, stmt, 2);
  rc = sqlite3_step (stmt);
  *out_contains = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    crm_store_take_error (store, rc, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}
