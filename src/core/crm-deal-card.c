/* crm-deal-card.c: what the pipeline board shows of one deal (a read-only snapshot) */

#include "config.h"

#include "crm-deal-card.h"

struct _CrmDealCard
{
  GObject parent_instance;
  char *id;
  char *stage_id;
  char *title;
  char *contact_id;
  char *contact_name;
  char *organization_name;
  char *currency;
  char *close_date;
  char *expected_close;
  char *owner_id;
  char *owner_name;
  char *stage_since;
  char *lost_reason;
  char *updated_at;
  gint64 amount;
  gint64 position;
  int days_in_stage;
  gboolean overdue_task;
  gboolean closed;
  gboolean overdue_close;
};

G_DEFINE_FINAL_TYPE (CrmDealCard, crm_deal_card, G_TYPE_OBJECT)

static void
crm_deal_card_finalize (GObject *object)
{
  CrmDealCard *self = (CrmDealCard *)object;

  g_free (self->id);
  g_free (self->stage_id);
  g_free (self->title);
  g_free (self->contact_id);
  g_free (self->contact_name);
  g_free (self->organization_name);
  g_free (self->currency);
  g_free (self->close_date);
  g_free (self->expected_close);
  g_free (self->owner_id);
  g_free (self->owner_name);
  g_free (self->stage_since);
  g_free (self->lost_reason);
  g_free (self->updated_at);

  G_OBJECT_CLASS (crm_deal_card_parent_class)->finalize (object);
}

static void
crm_deal_card_class_init (CrmDealCardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_deal_card_finalize;
}

static void
crm_deal_card_init (CrmDealCard *self)
{
}

CrmDealCard *
crm_deal_card_new (const CrmDealCardFields *fields)
{
  CrmDealCard *self;

  g_return_val_if_fail (fields != NULL && fields->id != NULL, NULL);

  self = g_object_new (CRM_TYPE_DEAL_CARD, NULL);
  self->id = g_strdup (fields->id);
  self->stage_id = g_strdup (fields->stage_id);
  self->title = g_strdup (fields->title);
  self->contact_id = g_strdup (fields->contact_id);
  self->contact_name = g_strdup (fields->contact_name);
  self->organization_name = g_strdup (fields->organization_name);
  self->currency = g_strdup (fields->currency);
  self->close_date = g_strdup (fields->close_date);
  self->expected_close = g_strdup (fields->expected_close);
  self->owner_id = g_strdup (fields->owner_id);
  self->owner_name = g_strdup (fields->owner_name);
  self->stage_since = g_strdup (fields->stage_since);
  self->lost_reason = g_strdup (fields->lost_reason);
  self->updated_at = g_strdup (fields->updated_at);
  self->amount = fields->amount;
  self->position = fields->position;
  self->days_in_stage = fields->days_in_stage;
  self->overdue_task = fields->overdue_task;
  self->closed = fields->closed;
  self->overdue_close = fields->overdue_close;
  return self;
}

const char *
crm_deal_card_get_id (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->id;
}

const char *
crm_deal_card_get_stage_id (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->stage_id;
}

const char *
crm_deal_card_get_title (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->title;
}

const char *
crm_deal_card_get_contact_id (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->contact_id;
}

const char *
crm_deal_card_get_contact_name (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->contact_name;
}

const char *
crm_deal_card_get_organization_name (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->organization_name;
}

const char *
crm_deal_card_get_currency (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->currency;
}

const char *
crm_deal_card_get_close_date (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->close_date;
}

const char *
crm_deal_card_get_expected_close (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->expected_close;
}

const char *
crm_deal_card_get_owner_id (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->owner_id;
}

const char *
crm_deal_card_get_owner_name (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->owner_name;
}

const char *
crm_deal_card_get_stage_since (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->stage_since;
}

const char *
crm_deal_card_get_lost_reason (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), NULL);

  return self->lost_reason;
}

gint64
crm_deal_card_get_amount (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), 0);

  return self->amount;
}

gint64
crm_deal_card_get_position (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), 0);

  return self->position;
}

int
crm_deal_card_get_days_in_stage (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), 0);

  return self->days_in_stage;
}

gboolean
crm_deal_card_get_overdue_task (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), 0);

  return self->overdue_task;
}

gboolean
crm_deal_card_get_closed (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), 0);

  return self->closed;
}

gboolean
crm_deal_card_get_overdue_close (CrmDealCard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (self), 0);

  return self->overdue_close;
}

gboolean
crm_deal_card_equal (CrmDealCard *a,
                     CrmDealCard *b)
{
  g_return_val_if_fail (CRM_IS_DEAL_CARD (a) && CRM_IS_DEAL_CARD (b), FALSE);

  return g_strcmp0 (a->id, b->id) == 0 &&
         g_strcmp0 (a->stage_id, b->stage_id) == 0 &&
         g_strcmp0 (a->title, b->title) == 0 &&
         g_strcmp0 (a->contact_id, b->contact_id) == 0 &&
         g_strcmp0 (a->contact_name, b->contact_name) == 0 &&
         g_strcmp0 (a->organization_name, b->organization_name) == 0 &&
         g_strcmp0 (a->currency, b->currency) == 0 &&
         g_strcmp0 (a->close_date, b->close_date) == 0 &&
         g_strcmp0 (a->expected_close, b->expected_close) == 0 &&
         g_strcmp0 (a->owner_id, b->owner_id) == 0 &&
         g_strcmp0 (a->owner_name, b->owner_name) == 0 &&
         g_strcmp0 (a->stage_since, b->stage_since) == 0 &&
         g_strcmp0 (a->lost_reason, b->lost_reason) == 0 &&
         g_strcmp0 (a->updated_at, b->updated_at) == 0 &&
         a->amount == b->amount &&
         a->position == b->position &&
         a->days_in_stage == b->days_in_stage &&
         a->overdue_task == b->overdue_task &&
         a->closed == b->closed &&
         a->overdue_close == b->overdue_close;
}

/**
 * crm_deal_cards_without:
 * @column: a #GListModel of #CrmDealCard
 * @deal_id: the deal being moved
 *
 * Returns: (transfer full): the cards of @column other than @deal_id's, in
 * order: the neighbours a move places the deal among.
 */
GPtrArray *
crm_deal_cards_without (GListModel *column,
                        const char *deal_id)
{
  GPtrArray *others = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (column);

  for (guint i = 0; i < n; i++)
    {
      CrmDealCard *card = g_list_model_get_item (column, i);

      if (g_strcmp0 (crm_deal_card_get_id (card), deal_id) == 0)
        g_object_unref (card);
      else
        g_ptr_array_add (others, card);
    }
  return others;
}

/**
 * crm_deal_cards_update_store:
 * @store: a #GListStore of #CrmDealCard
 * @cards: (nullable): the cards @store is to show, in order
 * @by_value: compare cards with crm_deal_card_equal() rather than by identity
 *
 * Puts @cards into @store unless it already shows them: only the changed
 * middle is spliced, so a move that adds one card rebinds one row, not the
 * whole column.
 */
void
crm_deal_cards_update_store (GListStore *store,
                             GPtrArray  *cards,
                             gboolean    by_value)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  guint first = 0;
  guint last_old = n;
  guint last_new = cards != NULL ? cards->len : 0;

  while (first < n && first < last_new)
    {
      g_autoptr(CrmDealCard) old = g_list_model_get_item (G_LIST_MODEL (store), first);
      CrmDealCard *card = g_ptr_array_index (cards, first);

      if (by_value ? !crm_deal_card_equal (old, card) : old != card)
        break;
      first++;
    }
  while (last_old > first && last_new > first)
    {
      g_autoptr(CrmDealCard) old = g_list_model_get_item (G_LIST_MODEL (store), last_old - 1);
      CrmDealCard *card = g_ptr_array_index (cards, last_new - 1);

      if (by_value ? !crm_deal_card_equal (old, card) : old != card)
        break;
      last_old--;
      last_new--;
    }
  if (first == last_old && first == last_new)
    return;
  g_list_store_splice (store, first, last_old - first,
                       last_new > first ? cards->pdata + first : NULL, last_new - first);
}
