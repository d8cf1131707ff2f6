/* crm-deal-moves.h: moving deals through the stages of a pipeline, and changing the stages under them, each undoable in one step */
#pragma once

#include <glib.h>

#include "crm-change-set.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* Moves deal @deal_id to stage @stage_id (and its pipeline). Entering a
 * won or lost stage closes the deal (closed_at = now); entering an open
 * stage reopens it. A lost stage needs @lost_reason (INVALID without);
 * other stages clear it. The store records the move in
 * deal_stage_history (from, to, when, who). @undo (nullable) remembers
 * what it changed. Moving to the stage it is in does nothing. */
gboolean  crm_deal_move                    (CrmStore      *store,
                                            const char    *deal_id,
                                            const char    *stage_id,
                                            const char    *lost_reason,
                                            CrmChangeSet  *undo,
                                            GError       **error);

/* Sets the order key of a deal within its stage. */
gboolean  crm_deal_set_position            (CrmStore      *store,
                                            const char    *deal_id,
                                            gint64         position,
                                            CrmChangeSet  *undo,
                                            GError       **error);

/* Deletes stage @stage_id after moving its deals to @to_stage_id (of the
 * same pipeline; NULL only when the stage holds no deals). Deals moved
 * into a lost stage keep their reason, or get "Its stage was deleted". */
gboolean  crm_stage_delete_reassigning     (CrmStore      *store,
                                            const char    *stage_id,
                                            const char    *to_stage_id,
                                            CrmChangeSet  *undo,
                                            GError       **error);

/* Gives the stages @stage_ids positions 0, 1, 2, … in that order. */
gboolean  crm_stage_reorder                (CrmStore           *store,
                                            const char * const *stage_ids,
                                            CrmChangeSet       *undo,
                                            GError            **error);

/* Live deals in stage @stage_id. */
gint64    crm_stage_count_deals            (CrmStore      *store,
                                            const char    *stage_id,
                                            GError       **error);

typedef struct
{
  char *from_stage;   /* stage names; from is NULL for the first entry */
  char *to_stage;
  char *at;           /* timestamp */
  char *by;           /* who moved it (display name), or NULL */
} CrmDealMove;

void      crm_deal_move_free               (CrmDealMove   *move);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmDealMove, crm_deal_move_free)

/* The moves of deal @deal_id, oldest first (CrmDealMove). */
GPtrArray *crm_deal_list_moves             (CrmStore      *store,
                                            const char    *deal_id,
                                            GError       **error);

/* A pipeline named @name with the usual stages of a sale (translated
 * names, probabilities 10–80 %, won, lost), made default when it is the
 * first. Returns its id. */
char     *crm_pipeline_create_with_stages  (CrmStore      *store,
                                            const char    *name,
                                            CrmChangeSet  *undo,
                                            GError       **error);

/* Reasons offered when a deal is marked lost, translated; used when the
 * user has not configured a list of their own. */
GStrv     crm_deal_default_lost_reasons    (void);
/* The reasons offered when a deal is marked lost: the list set for this
 * database, else the default one. */
GStrv     crm_deal_lost_reasons            (CrmStore      *store);
/* Sets the list (NULL or empty: back to the default). Each reason is
 * trimmed; blank lines are dropped and repeats kept once; INVALID for one
 * longer than CRM_DEAL_LOST_REASON_MAX_CHARS or more than
 * CRM_DEAL_LOST_REASONS_MAX of them, naming which. */
#define CRM_DEAL_LOST_REASON_MAX_CHARS 60
#define CRM_DEAL_LOST_REASONS_MAX      30
gboolean  crm_deal_set_lost_reasons        (CrmStore            *store,
                                            const char * const  *reasons,
                                            GError             **error);
/* Whether crm_deal_set_lost_reasons() would take @reasons. */
gboolean  crm_deal_check_lost_reasons      (const char * const  *reasons,
                                            GError             **error);

G_END_DECLS
