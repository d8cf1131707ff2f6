/* crm-deal-lanes.h: a pipeline board split into lanes by owner, customer or another deal field, each lane with the board's stage columns */
#pragma once

#include <gio/gio.h>

#include "crm-change-set.h"
#include "crm-deal-board.h"

G_BEGIN_DECLS

/**
 * CrmDealGroup:
 * @CRM_DEAL_GROUP_NONE: one board, no lanes
 * @CRM_DEAL_GROUP_OWNER: a lane per owner, by name; nobody's deals last
 * @CRM_DEAL_GROUP_CUSTOMER: per customer (contact), by name; none last
 * @CRM_DEAL_GROUP_ORGANIZATION: per the customer's organization, by name; none last
 * @CRM_DEAL_GROUP_CURRENCY: per currency, the board's currency first
 * @CRM_DEAL_GROUP_CLOSE_MONTH: per month of the expected close (also once
 *   closed), earliest first; none last
 * @CRM_DEAL_GROUP_AMOUNT: per amount band, largest first
 */
typedef enum
{
  CRM_DEAL_GROUP_NONE,
  CRM_DEAL_GROUP_OWNER,
  CRM_DEAL_GROUP_CUSTOMER,
  CRM_DEAL_GROUP_ORGANIZATION,
  CRM_DEAL_GROUP_CURRENCY,
  CRM_DEAL_GROUP_CLOSE_MONTH,
  CRM_DEAL_GROUP_AMOUNT,
  CRM_DEAL_N_GROUPS
} CrmDealGroup;

/* "none", "owner", "customer", "organization", "currency", "close-month",
 * "amount" (the GSettings and action names). */
const char   *crm_deal_group_to_string          (CrmDealGroup   group);
gboolean      crm_deal_group_from_string        (const char    *name,
                                                 CrmDealGroup  *out_group);
/* The lane @card belongs in: its key ("" for none of the field) and
 * what the lane is called (translated). */
char         *crm_deal_group_key                (CrmDealGroup   group,
                                                 CrmDealCard   *card);
char         *crm_deal_group_label              (CrmDealGroup   group,
                                                 CrmDealCard   *card);

#define CRM_TYPE_DEAL_LANES (crm_deal_lanes_get_type ())
G_DECLARE_FINAL_TYPE (CrmDealLanes, crm_deal_lanes, CRM, DEAL_LANES, GObject)

/* Follows @board: after each reload or move of the board, the lanes show
 * the same cards. Ungrouped, it does no work at all. */
CrmDealLanes *crm_deal_lanes_new                (CrmDealBoard  *board);
CrmDealBoard *crm_deal_lanes_get_board          (CrmDealLanes  *self);
/* Emits ::lanes-changed (when the lanes differ) and ::changed. */
void          crm_deal_lanes_set_group          (CrmDealLanes  *self,
                                                 CrmDealGroup   group);
CrmDealGroup  crm_deal_lanes_get_group          (CrmDealLanes  *self);

guint         crm_deal_lanes_get_n_lanes        (CrmDealLanes  *self);
const char   *crm_deal_lanes_get_key            (CrmDealLanes  *self,
                                                 guint          lane);
const char   *crm_deal_lanes_get_label          (CrmDealLanes  *self,
                                                 guint          lane);
int           crm_deal_lanes_find_lane          (CrmDealLanes  *self,
                                                 const char    *key);
/* The cards of the lane in the board's column @stage, in board order. */
GListModel   *crm_deal_lanes_get_deals          (CrmDealLanes  *self,
                                                 guint          lane,
                                                 guint          stage);
/* Deals in the lane (every stage), and the amount of those in the lane's
 * currency: its own when grouped by currency, else the board's. */
guint         crm_deal_lanes_get_n_deals        (CrmDealLanes  *self,
                                                 guint          lane);
gint64        crm_deal_lanes_get_amount         (CrmDealLanes  *self,
                                                 guint          lane);
const char   *crm_deal_lanes_get_currency       (CrmDealLanes  *self,
                                                 guint          lane);
gboolean      crm_deal_lanes_find_deal          (CrmDealLanes  *self,
                                                 const char    *deal_id,
                                                 guint         *out_lane,
                                                 guint         *out_stage,
                                                 guint         *out_index);

/* Whether deal @deal_id may be dropped into @lane: its own lane always;
 * another only when grouped by owner and the lane is someone's (the drop
 * hands the deal to them). */
gboolean      crm_deal_lanes_can_move_to        (CrmDealLanes  *self,
                                                 const char    *deal_id,
                                                 guint          lane);
/* Moves deal @deal_id to column @stage of @lane at @index of that lane's
 * column (counted without the deal; G_MAXUINT for its end;
 * CRM_DEAL_BOARD_KEEP_ORDER keeps its order key), handing it to the
 * lane's owner when it changes lanes, in one change set. INVALID when
 * crm_deal_lanes_can_move_to() says no. Ungrouped, @lane is ignored and
 * @index counts the whole column. */
gboolean      crm_deal_lanes_move               (CrmDealLanes  *self,
                                                 const char    *deal_id,
                                                 guint          lane,
                                                 guint          stage,
                                                 guint          index,
                                                 const char    *lost_reason,
                                                 CrmChangeSet  *undo,
                                                 GError       **error);

G_END_DECLS
