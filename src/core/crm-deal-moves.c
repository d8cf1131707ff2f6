/* crm-deal-moves.c: moving deals through the stages of a pipeline, and changing the stages under them, each undoable in one step */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-deal.h"
#include "crm-deal-moves.h"
#include "crm-pipeline.h"
#include "crm-stage.h"
#include "crm-store-private.h"

/* Every field a move may change, remembered together for undo. */
static const char * const move_fields[] = {
  "pipeline_id", "stage_id", "closed_at", "lost_reason", NULL
};

static char *
now_timestamp (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

gboolean
crm_deal_move (CrmStore      *store,
               const char    *deal_id,
               const char    *stage_id,
               const char    *lost_reason,
               CrmChangeSet  *undo,
               GError       **error)
{
  g_autoptr(CrmRecord) deal = NULL;
  g_autoptr(CrmRecord) stage = NULL;
  g_autofree char *reason = NULL;
  gboolean closing;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (deal_id != NULL && stage_id != NULL, FALSE);
  g_return_val_if_fail (undo == NULL || CRM_IS_CHANGE_SET (undo), FALSE);

  deal = crm_store_get (store, CRM_TYPE_DEAL, deal_id, error);
  if (deal == NULL)
    return FALSE;
  stage = crm_store_get (store, CRM_TYPE_STAGE, stage_id, error);
  if (stage == NULL)
    return FALSE;
  if (crm_record_get_deleted (stage))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                   _("The stage “%s” was deleted. Choose another stage."),
                   crm_record_get_string (stage, "name"));
      return FALSE;
    }
  if (g_strcmp0 (crm_record_get_string (deal, "stage_id"), stage_id) == 0)
    return TRUE;

  if (lost_reason != NULL)
    reason = g_strstrip (g_strdup (lost_reason));
  if (crm_record_get_boolean (stage, "is_lost") && (reason == NULL || *reason == '\0'))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("“%s” was not moved to “%s”: say why the deal was lost."),
                   crm_record_get_string (deal, "title"), crm_record_get_string (stage, "name"));
      return FALSE;
    }

  if (undo != NULL)
    crm_change_set_remember_fields (undo, deal, move_fields);

  closing = crm_record_get_boolean (stage, "is_won") || crm_record_get_boolean (stage, "is_lost");
  g_object_set (deal,
                "pipeline-id", crm_record_get_string (stage, "pipeline_id"),
                "stage-id", stage_id,
                "lost-reason", crm_record_get_boolean (stage, "is_lost") ? reason : NULL,
                NULL);
  if (!closing)
    g_object_set (deal, "closed-at", NULL, NULL);
  else if (crm_record_get_string (deal, "closed_at") == NULL)
    {
      g_autofree char *now = now_timestamp ();

      g_object_set (deal, "closed-at", now, NULL);
    }

  return crm_store_update (store, deal, error);
}

gboolean
crm_deal_set_position (CrmStore      *store,
                       const char    *deal_id,
                       gint64         position,
                       CrmChangeSet  *undo,
                       GError       **error)
{
  static const char * const fields[] = { "position", NULL };
  g_autoptr(CrmRecord) deal = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (deal_id != NULL, FALSE);

  deal = crm_store_get (store, CRM_TYPE_DEAL, deal_id, error);
  if (deal == NULL)
    return FALSE;
  if (crm_record_get_int64 (deal, "position") == position)
    return TRUE;
  if (undo != NULL)
    crm_change_set_remember_fields (undo, deal, fields);
  g_object_set (deal, "position", position, NULL);
  return crm_store_update (store, deal, error);
}

static const char stage_deals_sql[] =
  "SELECT id FROM deals WHERE stage_id = ? AND deleted = 0 ORDER BY position, created_at";

static GPtrArray *
list_stage_deals (CrmStore    *store,
                  const char  *stage_id,
                  GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, stage_deals_sql, error);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, stage_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

gint64
crm_stage_count_deals (CrmStore    *store,
                       const char  *stage_id,
                       GError     **error)
{
  g_autoptr(GPtrArray) ids = list_stage_deals (store, stage_id, error);

  return ids != NULL ? (gint64) ids->len : -1;
}

gboolean
crm_stage_delete_reassigning (CrmStore      *store,
                              const char    *stage_id,
                              const char    *to_stage_id,
                              CrmChangeSet  *undo,
                              GError       **error)
{
  g_autoptr(CrmRecord) stage = NULL;
  g_autoptr(CrmRecord) target = NULL;
  g_autoptr(GPtrArray) deals = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (stage_id != NULL, FALSE);

  stage = crm_store_get (store, CRM_TYPE_STAGE, stage_id, error);
  if (stage == NULL)
    return FALSE;
  deals = list_stage_deals (store, stage_id, error);
  if (deals == NULL)
    return FALSE;

  if (to_stage_id != NULL)
    {
      target = crm_store_get (store, CRM_TYPE_STAGE, to_stage_id, error);
      if (target == NULL)
        return FALSE;
    }
  if (deals->len > 0 &&
      (target == NULL || g_str_equal (to_stage_id, stage_id) ||
       g_strcmp0 (crm_record_get_string (target, "pipeline_id"),
                  crm_record_get_string (stage, "pipeline_id")) != 0 ||
       crm_record_get_deleted (target)))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   ngettext ("The stage “%s” still holds %u deal. Choose another stage of the same pipeline for it.",
                             "The stage “%s” still holds %u deals. Choose another stage of the same pipeline for them.",
                             deals->len),
                   crm_record_get_string (stage, "name"), deals->len);
      return FALSE;
    }

  if (!crm_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < deals->len; i++)
    {
      const char *deal_id = g_ptr_array_index (deals, i);
      g_autofree char *reason = NULL;

      if (crm_record_get_boolean (target, "is_lost"))
        {
          g_autoptr(CrmRecord) deal = crm_store_get (store, CRM_TYPE_DEAL, deal_id, NULL);
          const char *old = deal != NULL ? crm_record_get_string (deal, "lost_reason") : NULL;

          reason = g_strdup (old != NULL ? old : _("Its stage was deleted"));
        }
      if (!crm_deal_move (store, deal_id, to_stage_id, reason, undo, error))
        {
          crm_store_rollback (store);
          return FALSE;
        }
    }
  if (!crm_store_delete (store, CRM_TYPE_STAGE, stage_id, error))
    {
      crm_store_rollback (store);
      return FALSE;
    }
  if (undo != NULL)
    crm_change_set_remember_delete (undo, CRM_TYPE_STAGE, stage_id);
  return crm_store_commit (store, error);
}

gboolean
crm_stage_reorder (CrmStore           *store,
                   const char * const *stage_ids,
                   CrmChangeSet       *undo,
                   GError            **error)
{
  static const char * const fields[] = { "position", NULL };

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (stage_ids != NULL, FALSE);

  if (!crm_store_begin (store, error))
    return FALSE;
  for (guint i = 0; stage_ids[i] != NULL; i++)
    {
      g_autoptr(CrmRecord) stage = crm_store_get (store, CRM_TYPE_STAGE, stage_ids[i], error);

      if (stage == NULL)
        {
          crm_store_rollback (store);
          return FALSE;
        }
      if (crm_record_get_int64 (stage, "position") == i)
        continue;
      if (undo != NULL)
        crm_change_set_remember_fields (undo, stage, fields);
      g_object_set (stage, "position", (gint64) i, NULL);
      if (!crm_store_update (store, stage, error))
        {
          crm_store_rollback (store);
          return FALSE;
        }
    }
  return crm_store_commit (store, error);
}

void
crm_deal_move_free (CrmDealMove *move)
{
  if (move == NULL)
    return;
  g_free (move->from_stage);
  g_free (move->to_stage);
  g_free (move->at);
  g_free (move->by);
  g_free (move);
}

static const char moves_sql[] =
  "SELECT f.name, t.name, h.at, coalesce (u.display_name, u.username)"
  " FROM deal_stage_history h"
  " LEFT JOIN stages f ON f.id = h.from_stage_id"
  " LEFT JOIN stages t ON t.id = h.to_stage_id"
  " LEFT JOIN users u ON u.id = h.by_user_id"
  " WHERE h.deal_id = ? AND h.deleted = 0 ORDER BY h.at, h.created_at";

GPtrArray *
crm_deal_list_moves (CrmStore    *store,
                     const char  *deal_id,
                     GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, moves_sql, error);
  g_autoptr(GPtrArray) moves = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_deal_move_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, deal_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CrmDealMove *move = g_new0 (CrmDealMove, 1);

      move->from_stage = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      move->to_stage = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      move->at = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      move->by = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      g_ptr_array_add (moves, move);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&moves);
}

char *
crm_pipeline_create_with_stages (CrmStore      *store,
                                 const char    *name,
                                 CrmChangeSet  *undo,
                                 GError       **error)
{
  static const char pipelines_sql[] = "SELECT count (*) FROM pipelines WHERE deleted = 0";
  const struct { const char *name; int probability; gboolean won, lost; } stages[] = {
    { NC_("deal stage", "Qualification"), 10, FALSE, FALSE },
    { NC_("deal stage", "Needs analysis"), 25, FALSE, FALSE },
    { NC_("deal stage", "Proposal"), 50, FALSE, FALSE },
    { NC_("deal stage", "Negotiation"), 75, FALSE, FALSE },
    { NC_("deal stage", "Won"), 100, TRUE, FALSE },
    { NC_("deal stage", "Lost"), 0, FALSE, TRUE },
  };
  g_autoptr(CrmPipeline) pipeline = crm_pipeline_new ();
  gboolean first = FALSE;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, pipelines_sql, error);

    if (stmt == NULL)
      return NULL;
    first = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) == 0;
  }

  if (!crm_store_begin (store, error))
    return NULL;
  g_object_set (pipeline, "name", name, "is-default", first, NULL);
  if (!crm_store_insert (store, CRM_RECORD (pipeline), error))
    {
      crm_store_rollback (store);
      return NULL;
    }
  if (undo != NULL)
    crm_change_set_remember_insert (undo, CRM_RECORD (pipeline));
  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
      g_autoptr(CrmStage) stage = crm_stage_new ();

      g_object_set (stage,
                    "pipeline-id", crm_record_get_id (CRM_RECORD (pipeline)),
                    "name", g_dpgettext2 (GETTEXT_PACKAGE, "deal stage", stages[i].name),
                    "position", (gint64) i,
                    "probability", (gint64) stages[i].probability,
                    "is-won", stages[i].won,
                    "is-lost", stages[i].lost,
                    NULL);
      if (!crm_store_insert (store, CRM_RECORD (stage), error))
        {
          crm_store_rollback (store);
          return NULL;
        }
      if (undo != NULL)
        crm_change_set_remember_insert (undo, CRM_RECORD (stage));
    }
  if (!crm_store_commit (store, error))
    return NULL;
  return g_strdup (crm_record_get_id (CRM_RECORD (pipeline)));
}

GStrv
crm_deal_default_lost_reasons (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, _("Price too high"));
  g_strv_builder_add (builder, _("Chose a competitor"));
  g_strv_builder_add (builder, _("No budget"));
  g_strv_builder_add (builder, _("No decision"));
  g_strv_builder_add (builder, _("Product does not fit"));
  g_strv_builder_add (builder, _("Lost contact"));
  return g_strv_builder_end (builder);
}

#define KEY_LOST_REASONS "pipeline.lost_reasons"

GStrv
crm_deal_lost_reasons (CrmStore *store)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  /* One reason a line; unreadable or empty means the default list. */
  if (!crm_store_get_setting (store, KEY_LOST_REASONS, &text, NULL) || text == NULL || *text == '\0')
    return crm_deal_default_lost_reasons ();
  return g_strsplit (text, "\n", -1);
}

/* The reasons as they are kept: trimmed, without blanks and repeats;
 * NULL with INVALID naming the first one that cannot be kept. */
static GPtrArray *
normalize_lost_reasons (const char * const  *reasons,
                        GError             **error)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; reasons != NULL && reasons[i] != NULL; i++)
    {
      g_autofree char *reason = g_strstrip (g_strdup (reasons[i]));
      gboolean seen = FALSE;

      if (*reason == '\0')
        continue;
      if (!g_utf8_validate (reason, -1, NULL) || strchr (reason, '\n') != NULL)
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                       _("Lost reason %u is not a single line of text."), i + 1);
          return NULL;
        }
      if (g_utf8_strlen (reason, -1) > CRM_DEAL_LOST_REASON_MAX_CHARS)
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                       _("Line %u has %ld characters; a lost reason fits in %d."),
                       i + 1, g_utf8_strlen (reason, -1), CRM_DEAL_LOST_REASON_MAX_CHARS);
          return NULL;
        }
      for (guint j = 0; j < kept->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (kept, j), reason);
      if (!seen)
        g_ptr_array_add (kept, g_steal_pointer (&reason));
    }
  if (kept->len > CRM_DEAL_LOST_REASONS_MAX)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("%u lost reasons are too many to choose from; keep at most %d."),
                   kept->len, CRM_DEAL_LOST_REASONS_MAX);
      return NULL;
    }
  return g_steal_pointer (&kept);
}

gboolean
crm_deal_check_lost_reasons (const char * const  *reasons,
                             GError             **error)
{
  g_autoptr(GPtrArray) kept = normalize_lost_reasons (reasons, error);

  return kept != NULL;
}

gboolean
crm_deal_set_lost_reasons (CrmStore            *store,
                           const char * const  *reasons,
                           GError             **error)
{
  g_autoptr(GPtrArray) kept = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  kept = normalize_lost_reasons (reasons, error);
  if (kept == NULL)
    return FALSE;
  g_ptr_array_add (kept, NULL);
  text = g_strjoinv ("\n", (char **) kept->pdata);
  if (!crm_store_begin (store, error))
    return FALSE;
  if (!crm_store_set_setting (store, KEY_LOST_REASONS, *text != '\0' ? text : NULL, error))
    {
      crm_store_rollback (store);
      return FALSE;
    }
  crm_store_queue_changed (store, "settings", NULL);
  return crm_store_commit (store, error);
}
