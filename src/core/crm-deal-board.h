/* crm-deal-board.h: the deals of one pipeline, a list per stage, with totals and filters, kept up to date with the store */
#pragma once

#include <gio/gio.h>

#include "crm-change-set.h"
#include "crm-deal-card.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_DEAL_BOARD (crm_deal_board_get_type ())
G_DECLARE_FINAL_TYPE (CrmDealBoard, crm_deal_board, CRM, DEAL_BOARD, GObject)

CrmDealBoard *crm_deal_board_new                 (CrmStore      *store);
CrmStore     *crm_deal_board_get_store           (CrmDealBoard  *self);

/* Reads everything again now (it also reloads by itself, at idle, after
 * the store changed). Emits ::stages-changed when the columns differ and
 * ::reloaded after every reload; a column whose cards did not change is
 * left alone, so only the columns a move touched are redrawn. */
gboolean      crm_deal_board_reload              (CrmDealBoard  *self,
                                                  GError       **error);

/* Pipelines, by position: the board shows one (the default until set). */
guint         crm_deal_board_get_n_pipelines     (CrmDealBoard  *self);
const char   *crm_deal_board_get_pipeline_id_at  (CrmDealBoard  *self,
                                                  guint          index);
const char   *crm_deal_board_get_pipeline_name_at (CrmDealBoard *self,
                                                   guint         index);
const char   *crm_deal_board_get_pipeline_id     (CrmDealBoard  *self);
void          crm_deal_board_set_pipeline_id     (CrmDealBoard  *self,
                                                  const char    *pipeline_id);

/* Filters (NULL or 0: none). The period is on the close date: when a
 * closed deal was closed, else its expected close; to is exclusive. */
const char   *crm_deal_board_get_owner_id        (CrmDealBoard  *self);
void          crm_deal_board_set_owner_id        (CrmDealBoard  *self,
                                                  const char    *owner_id);
void          crm_deal_board_set_period          (CrmDealBoard  *self,
                                                  const char    *from_date,
                                                  const char    *to_date);
void          crm_deal_board_set_min_amount      (CrmDealBoard  *self,
                                                  gint64         min_amount);
gint64        crm_deal_board_get_min_amount      (CrmDealBoard  *self);
/* Inclusive, in minor units like the minimum. */
void          crm_deal_board_set_max_amount      (CrmDealBoard  *self,
                                                  gint64         max_amount);
gint64        crm_deal_board_get_max_amount      (CrmDealBoard  *self);
/* Whether any filter is on, and how many deals of the pipeline the
 * filters leave out (0 without filters). */
gboolean      crm_deal_board_get_filtered        (CrmDealBoard  *self);
guint         crm_deal_board_get_n_hidden        (CrmDealBoard  *self);
/* "Now" for days in stage and overdue markers (ISO 8601 UTC; NULL for the
 * clock), so tests do not depend on the day they run. */
void          crm_deal_board_set_now             (CrmDealBoard  *self,
                                                  const char    *now);

/* Columns. */
guint         crm_deal_board_get_n_stages        (CrmDealBoard  *self);
const char   *crm_deal_board_get_stage_id        (CrmDealBoard  *self,
                                                  guint          stage);
const char   *crm_deal_board_get_stage_name      (CrmDealBoard  *self,
                                                  guint          stage);
int           crm_deal_board_get_stage_probability (CrmDealBoard *self,
                                                    guint         stage);
gboolean      crm_deal_board_get_stage_is_won    (CrmDealBoard  *self,
                                                  guint          stage);
gboolean      crm_deal_board_get_stage_is_lost   (CrmDealBoard  *self,
                                                  guint          stage);
int           crm_deal_board_find_stage          (CrmDealBoard  *self,
                                                  const char    *stage_id);
/* The cards of a column (CrmDealCard), in board order. */
GListModel   *crm_deal_board_get_deals           (CrmDealBoard  *self,
                                                  guint          stage);
gint64        crm_deal_board_get_stage_amount    (CrmDealBoard  *self,
                                                  guint          stage);
/* amount × probability ÷ 100; a won stage counts whole, a lost one 0. */
gint64        crm_deal_board_get_stage_weighted  (CrmDealBoard  *self,
                                                  guint          stage);

/* The shown deals of the open stages: how many, their amount, and the
 * weighted forecast. */
guint         crm_deal_board_get_n_open          (CrmDealBoard  *self);
gint64        crm_deal_board_get_open_amount     (CrmDealBoard  *self);
gint64        crm_deal_board_get_weighted_amount (CrmDealBoard  *self);
/* The currency of every amount above: that of most shown deals (CNY on a
 * tie). Deals in other currencies are left out of the amounts (there is
 * no exchange rate to add them with) and counted here. */
const char   *crm_deal_board_get_currency        (CrmDealBoard  *self);
guint         crm_deal_board_get_n_other_currency (CrmDealBoard *self);
/* Every shown deal, all stages. */
guint         crm_deal_board_get_n_deals         (CrmDealBoard  *self);

CrmDealCard  *crm_deal_board_find_deal           (CrmDealBoard  *self,
                                                  const char    *deal_id,
                                                  guint         *out_stage,
                                                  guint         *out_index);

/* Moves a deal to column @stage at @index (counted without the deal
 * itself; G_MAXUINT for the end), or keeping its order key when @index is
 * CRM_DEAL_BOARD_KEEP_ORDER, then reloads. Positions are spaced so that usually one row is
 * written; a column without room is renumbered in the same transaction.
 * @lost_reason: needed for a lost stage. */
#define CRM_DEAL_BOARD_KEEP_ORDER (G_MAXUINT - 1)
gboolean      crm_deal_board_move                (CrmDealBoard  *self,
                                                  const char    *deal_id,
                                                  guint          stage,
                                                  guint          index,
                                                  const char    *lost_reason,
                                                  CrmChangeSet  *undo,
                                                  GError       **error);
/* The same, also handing the deal to @owner_id (NULL: keeps its owner),
 * in the same transaction and change set. */
gboolean      crm_deal_board_move_full           (CrmDealBoard  *self,
                                                  const char    *deal_id,
                                                  guint          stage,
                                                  guint          index,
                                                  const char    *owner_id,
                                                  const char    *lost_reason,
                                                  CrmChangeSet  *undo,
                                                  GError       **error);

/* Bulk changes, each in one transaction recorded in @undo: every deal
 * to column @stage keeping its order key (each move in its history, as
 * one move writes it), to owner @owner_id (NULL or "": nobody), or
 * deleted. A failure rolls back all of them. */
gboolean      crm_deal_board_move_many           (CrmDealBoard        *self,
                                                  const char * const  *deal_ids,
                                                  guint                stage,
                                                  const char          *lost_reason,
                                                  CrmChangeSet        *undo,
                                                  GError             **error);
gboolean      crm_deal_board_set_owner           (CrmDealBoard        *self,
                                                  const char * const  *deal_ids,
                                                  const char          *owner_id,
                                                  CrmChangeSet        *undo,
                                                  GError             **error);
gboolean      crm_deal_board_delete              (CrmDealBoard        *self,
                                                  const char * const  *deal_ids,
                                                  CrmChangeSet        *undo,
                                                  GError             **error);

G_END_DECLS
