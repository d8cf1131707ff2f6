/* crm-deal-card-view.h: one deal card on the pipeline board, drawn as a single widget */
#pragma once

#include <gtk/gtk.h>

#include "crm-deal-card.h"

G_BEGIN_DECLS

#define CRM_TYPE_DEAL_CARD_VIEW (crm_deal_card_view_get_type ())
G_DECLARE_FINAL_TYPE (CrmDealCardView, crm_deal_card_view, CRM, DEAL_CARD_VIEW, GtkWidget)

/* Title, customer, amount, then owner, close date and days in stage,
 * laid out with a few PangoLayouts built when the card is set. Its
 * height depends only on the font, so the lists measure it without
 * shaping any text. */
GtkWidget   *crm_deal_card_view_new             (void);
void         crm_deal_card_view_set_card        (CrmDealCardView *self,
                                                 CrmDealCard     *card);
CrmDealCard *crm_deal_card_view_get_card        (CrmDealCardView *self);
/* What a screen reader says for the card: title, customer, amount. */
const char  *crm_deal_card_view_get_label       (CrmDealCardView *self);

/* The card's texts, also used by the pipeline's list view. */
char        *crm_deal_card_format_customer      (CrmDealCard     *card);
char        *crm_deal_card_format_days          (CrmDealCard     *card);

G_END_DECLS
