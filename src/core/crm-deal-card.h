/* crm-deal-card.h: what the pipeline board shows of one deal (a read-only snapshot) */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRM_TYPE_DEAL_CARD (crm_deal_card_get_type ())
G_DECLARE_FINAL_TYPE (CrmDealCard, crm_deal_card, CRM, DEAL_CARD, GObject)

/* What a card is made from; strings are copied, NULL where unknown. */
typedef struct
{
  const char *id;
  const char *stage_id;
  const char *title;
  const char *contact_id;
  const char *contact_name;
  const char *organization_name;  /* the contact's organization, if any */
  const char *currency;
  const char *close_date;         /* closed_at's date when closed, else expected_close */
  const char *expected_close;     /* as planned, also once closed */
  const char *owner_id;
  const char *owner_name;
  const char *stage_since;        /* when it entered its stage (timestamp) */
  const char *lost_reason;
  const char *updated_at;
  gint64      amount;             /* minor units */
  gint64      position;           /* order within its stage */
  int         days_in_stage;
  gboolean    overdue_task;       /* an open task of the deal is past due */
  gboolean    closed;
  gboolean    overdue_close;      /* open, and its expected close has passed */
} CrmDealCardFields;

CrmDealCard *crm_deal_card_new                (const CrmDealCardFields *fields);

const char  *crm_deal_card_get_id             (CrmDealCard *self);
const char  *crm_deal_card_get_stage_id       (CrmDealCard *self);
const char  *crm_deal_card_get_title          (CrmDealCard *self);
const char  *crm_deal_card_get_contact_id     (CrmDealCard *self);
const char  *crm_deal_card_get_contact_name   (CrmDealCard *self);
const char  *crm_deal_card_get_organization_name (CrmDealCard *self);
const char  *crm_deal_card_get_currency       (CrmDealCard *self);
const char  *crm_deal_card_get_close_date     (CrmDealCard *self);
const char  *crm_deal_card_get_expected_close (CrmDealCard *self);
const char  *crm_deal_card_get_owner_id       (CrmDealCard *self);
const char  *crm_deal_card_get_owner_name     (CrmDealCard *self);
const char  *crm_deal_card_get_stage_since    (CrmDealCard *self);
const char  *crm_deal_card_get_lost_reason    (CrmDealCard *self);
gint64       crm_deal_card_get_amount         (CrmDealCard *self);
gint64       crm_deal_card_get_position       (CrmDealCard *self);
int          crm_deal_card_get_days_in_stage  (CrmDealCard *self);
gboolean     crm_deal_card_get_overdue_task   (CrmDealCard *self);
gboolean     crm_deal_card_get_closed         (CrmDealCard *self);
gboolean     crm_deal_card_get_overdue_close  (CrmDealCard *self);

/* Same deal showing the same values (a board leaves such a card alone
 * when it reloads). */
gboolean     crm_deal_card_equal              (CrmDealCard *a,
                                               CrmDealCard *b);

GPtrArray   *crm_deal_cards_without           (GListModel  *column,
                                               const char  *deal_id);
void         crm_deal_cards_update_store      (GListStore  *store,
                                               GPtrArray   *cards,
                                               gboolean     by_value);

G_END_DECLS
