/* crm-deal-lanes.c: a pipeline board split into lanes by owner, customer or another deal field, each lane with the board's stage columns */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-deal-lanes.h"
#include "crm-pinyin.h"
#include "crm-store-error.h"

typedef struct
{
  char      *key;
  char      *label;
  GPtrArray *columns;   /* GListStore of CrmDealCard, one per board column */
  GArray    *amounts;   /* gint64 per column, in the lane's currency */
  guint      n_deals;
  gint64     amount;
} Lane;

struct _CrmDealLanes
{
  GObject       parent_instance;

  CrmDealBoard *board;
  CrmDealGroup  group;
  GPtrArray    *lanes;     /* Lane, in lane order */
  GPtrArray    *watched;   /* the board's column stores, while grouped */
  GArray       *dirty;     /* gboolean per board column: its cards changed */
  gboolean      all_dirty; /* new columns or a new grouping: start over */
  char         *currency;  /* the board's, when the sums were counted */
};

G_DEFINE_FINAL_TYPE (CrmDealLanes, crm_deal_lanes, G_TYPE_OBJECT)

enum {
  LANES_CHANGED,
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const group_names[CRM_DEAL_N_GROUPS] = {
  "none", "owner", "customer", "organization", "currency", "close-month", "amount",
};

/* Upper bounds of the amount bands in minor units (10,000, 100,000 and
 * 1,000,000 in major units); the last band has none. */
static const gint64 amount_bands[] = { 1000000, 10000000, 100000000 };

/* --- Groups ----------------------------------------------------------------- */

const char *
crm_deal_group_to_string (CrmDealGroup group)
{
  g_return_val_if_fail (group < CRM_DEAL_N_GROUPS, NULL);

  return group_names[group];
}

gboolean
crm_deal_group_from_string (const char   *name,
                            CrmDealGroup *out_group)
{
  for (guint i = 0; i < CRM_DEAL_N_GROUPS; i++)
    if (g_strcmp0 (name, group_names[i]) == 0)
      {
        if (out_group != NULL)
          *out_group = i;
        return TRUE;
      }
  return FALSE;
}

static guint
amount_band (gint64 amount)
{
  guint band = 0;

  while (band < G_N_ELEMENTS (amount_bands) && amount >= amount_bands[band])
    band++;
  return band;
}

char *
crm_deal_group_key (CrmDealGroup  group,
                    CrmDealCard  *card)
{
  const char *value = NULL;

  g_return_val_if_fail (CRM_IS_DEAL_CARD (card), NULL);

  switch (group)
    {
    case CRM_DEAL_GROUP_OWNER:
      value = crm_deal_card_get_owner_id (card);
      break;
    case CRM_DEAL_GROUP_CUSTOMER:
      value = crm_deal_card_get_contact_id (card);
      break;
    case CRM_DEAL_GROUP_ORGANIZATION:
      value = crm_deal_card_get_organization_name (card);
      break;
    case CRM_DEAL_GROUP_CURRENCY:
      value = crm_deal_card_get_currency (card) != NULL ? crm_deal_card_get_currency (card) : "CNY";
      break;
    case CRM_DEAL_GROUP_CLOSE_MONTH:
      value = crm_deal_card_get_expected_close (card);
      if (value != NULL && strlen (value) >= 7)
        return g_strndup (value, 7);
      value = NULL;
      break;
    case CRM_DEAL_GROUP_AMOUNT:
      return g_strdup_printf ("%u", amount_band (crm_deal_card_get_amount (card)));
    case CRM_DEAL_GROUP_NONE:
    case CRM_DEAL_N_GROUPS:
    default:
      break;
    }
  return g_strdup (value != NULL ? value : "");
}

char *
crm_deal_group_label (CrmDealGroup  group,
                      CrmDealCard  *card)
{
  g_autofree char *key = NULL;
  const char *value = NULL;

  g_return_val_if_fail (CRM_IS_DEAL_CARD (card), NULL);

  key = crm_deal_group_key (group, card);
  switch (group)
    {
    case CRM_DEAL_GROUP_OWNER:
      value = crm_deal_card_get_owner_name (card);
      if (value == NULL)
        return g_strdup (*key != '\0' ? _("Unknown owner") : _("No owner"));
      break;
    case CRM_DEAL_GROUP_CUSTOMER:
      value = crm_deal_card_get_contact_name (card);
      if (value == NULL)
        return g_strdup (*key != '\0' ? _("Unnamed customer") : _("No customer"));
      break;
    case CRM_DEAL_GROUP_ORGANIZATION:
      if (*key == '\0')
        return g_strdup (_("No organization"));
      break;
    case CRM_DEAL_GROUP_CURRENCY:
      break;
    case CRM_DEAL_GROUP_CLOSE_MONTH:
      if (*key == '\0')
        return g_strdup (_("No expected close date"));
      break;
    case CRM_DEAL_GROUP_AMOUNT:
      switch (amount_band (crm_deal_card_get_amount (card)))
        {
        case 0:
          return g_strdup (_("Under 10,000"));
        case 1:
          return g_strdup (_("10,000 to 100,000"));
        case 2:
          return g_strdup (_("100,000 to 1,000,000"));
        default:
          return g_strdup (_("1,000,000 and more"));
        }
    case CRM_DEAL_GROUP_NONE:
    case CRM_DEAL_N_GROUPS:
    default:
      return g_strdup ("");
    }
  return g_strdup (value != NULL ? value : key);
}

/* --- Lanes ------------------------------------------------------------------ */

static void
lane_free (Lane *lane)
{
  g_free (lane->key);
  g_free (lane->label);
  g_clear_pointer (&lane->columns, g_ptr_array_unref);
  g_clear_pointer (&lane->amounts, g_array_unref);
  g_free (lane);
}

static Lane *
lane_new (const char *key,
          const char *label,
          guint       n_stages)
{
  Lane *lane = g_new0 (Lane, 1);

  lane->key = g_strdup (key);
  lane->label = g_strdup (label);
  lane->columns = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint s = 0; s < n_stages; s++)
    g_ptr_array_add (lane->columns, g_list_store_new (CRM_TYPE_DEAL_CARD));
  lane->amounts = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_array_set_size (lane->amounts, n_stages);
  return lane;
}

static Lane *
get_lane (CrmDealLanes *self,
          guint         lane)
{
  g_assert (lane < self->lanes->len);

  return g_ptr_array_index (self->lanes, lane);
}

static int
compare_lanes (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  CrmDealLanes *self = user_data;
  const Lane *x = *(const Lane * const *) a;
  const Lane *y = *(const Lane * const *) b;
  const char *currency;
  int cmp;

  /* "None of it" comes last, whatever the grouping. */
  if ((*x->key == '\0') != (*y->key == '\0'))
    return *x->key == '\0' ? 1 : -1;
  switch (self->group)
    {
    case CRM_DEAL_GROUP_CURRENCY:
      currency = crm_deal_board_get_currency (self->board);
      if (g_str_equal (x->key, currency) != g_str_equal (y->key, currency))
        return g_str_equal (x->key, currency) ? -1 : 1;
      return strcmp (x->key, y->key);
    case CRM_DEAL_GROUP_CLOSE_MONTH:
      return strcmp (x->key, y->key);
    case CRM_DEAL_GROUP_AMOUNT:
      return strcmp (y->key, x->key);
    case CRM_DEAL_GROUP_OWNER:
    case CRM_DEAL_GROUP_CUSTOMER:
    case CRM_DEAL_GROUP_ORGANIZATION:
    case CRM_DEAL_GROUP_NONE:
    case CRM_DEAL_N_GROUPS:
    default:
      /* Names in pinyin order, as the contact list sorts them, whatever
       * the locale's collation (C.UTF-8 would sort by code point). */
      cmp = crm_pinyin_compare (x->label, y->label);
      return cmp != 0 ? cmp : strcmp (x->key, y->key);
    }
}

/* The cards of board column @stage by lane key, with each key's label. */
static GHashTable *
split_column (CrmDealLanes *self,
              guint         stage,
              GHashTable   *labels)
{
  GHashTable *by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  GListModel *column = crm_deal_board_get_deals (self->board, stage);
  guint n = g_list_model_get_n_items (column);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmDealCard) card = g_list_model_get_item (column, i);
      char *key = crm_deal_group_key (self->group, card);
      GPtrArray *cards = g_hash_table_lookup (by_key, key);

      if (cards == NULL)
        {
          cards = g_ptr_array_new ();   /* the board's columns hold the cards */
          if (!g_hash_table_contains (labels, key))
            g_hash_table_insert (labels, g_strdup (key), crm_deal_group_label (self->group, card));
          g_hash_table_insert (by_key, key, cards);
        }
      else
        g_free (key);
      g_ptr_array_add (cards, card);
    }
  return by_key;
}

/* Sums again the cells of the columns marked in @dirty (every column
 * when NULL), then each lane's totals from its cells' sums. */
static void
compute_totals (CrmDealLanes *self,
                const GArray *dirty)
{
  for (guint l = 0; l < self->lanes->len; l++)
    {
      Lane *lane = get_lane (self, l);
      const char *currency = crm_deal_lanes_get_currency (self, l);

      lane->n_deals = 0;
      lane->amount = 0;
      for (guint s = 0; s < lane->columns->len; s++)
        {
          GListModel *column = g_ptr_array_index (lane->columns, s);
          guint n = g_list_model_get_n_items (column);

          if (dirty == NULL || g_array_index (dirty, gboolean, s))
            {
              gint64 amount = 0;

              for (guint i = 0; i < n; i++)
                {
                  g_autoptr(CrmDealCard) card = g_list_model_get_item (column, i);

                  if (g_strcmp0 (crm_deal_card_get_currency (card), currency) == 0)
                    amount += crm_deal_card_get_amount (card);
                }
              g_array_index (lane->amounts, gint64, s) = amount;
            }
          lane->n_deals += n;
          lane->amount += g_array_index (lane->amounts, gint64, s);
        }
    }
}

static gboolean
lane_is_empty (Lane *lane)
{
  for (guint s = 0; s < lane->columns->len; s++)
    if (g_list_model_get_n_items (G_LIST_MODEL (g_ptr_array_index (lane->columns, s))) > 0)
      return FALSE;
  return TRUE;
}

/* Brings the lanes in line with the board: only the columns whose cards
 * changed are split again, so a move costs a column, not the board. */
static void
update (CrmDealLanes *self)
{
  guint n_stages = crm_deal_board_get_n_stages (self->board);
  gboolean lanes_changed = FALSE;
  g_autoptr(GHashTable) labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GArray) split = g_array_new (FALSE, TRUE, sizeof (gboolean));
  const char *currency = crm_deal_board_get_currency (self->board);

  if (self->group == CRM_DEAL_GROUP_NONE)
    {
      if (self->lanes->len > 0)
        {
          g_ptr_array_set_size (self->lanes, 0);
          g_signal_emit (self, signals[LANES_CHANGED], 0);
        }
      g_signal_emit (self, signals[CHANGED], 0);
      return;
    }

  if (self->all_dirty || self->dirty->len != n_stages)
    {
      g_ptr_array_set_size (self->lanes, 0);
      g_array_set_size (self->dirty, n_stages);
      for (guint s = 0; s < n_stages; s++)
        g_array_index (self->dirty, gboolean, s) = TRUE;
      self->all_dirty = FALSE;
      lanes_changed = TRUE;
    }

  for (guint s = 0; s < n_stages; s++)
    {
      g_autoptr(GHashTable) by_key = NULL;
      GHashTableIter iter;
      gpointer key, cards;

      if (!g_array_index (self->dirty, gboolean, s))
        continue;
      g_array_index (self->dirty, gboolean, s) = FALSE;
      g_array_set_size (split, n_stages);
      g_array_index (split, gboolean, s) = TRUE;
      by_key = split_column (self, s, labels);
      for (guint l = 0; l < self->lanes->len; l++)
        {
          Lane *lane = get_lane (self, l);

          /* The board's own card objects: the same card is the same object. */
          crm_deal_cards_update_store (g_ptr_array_index (lane->columns, s),
                                       g_hash_table_lookup (by_key, lane->key), FALSE);
          g_hash_table_remove (by_key, lane->key);
        }
      /* Keys no lane had yet: new lanes. */
      g_hash_table_iter_init (&iter, by_key);
      while (g_hash_table_iter_next (&iter, &key, &cards))
        {
          Lane *lane = lane_new (key, g_hash_table_lookup (labels, key), n_stages);

          crm_deal_cards_update_store (g_ptr_array_index (lane->columns, s), cards, FALSE);
          g_ptr_array_add (self->lanes, lane);
          lanes_changed = TRUE;
        }
    }

  /* Lanes left without cards go; labels follow renames. */
  for (guint l = self->lanes->len; l > 0; l--)
    {
      Lane *lane = get_lane (self, l - 1);
      const char *label = g_hash_table_lookup (labels, lane->key);

      if (lane_is_empty (lane))
        {
          g_ptr_array_remove_index (self->lanes, l - 1);
          lanes_changed = TRUE;
        }
      else if (label != NULL && g_strcmp0 (label, lane->label) != 0)
        {
          g_free (lane->label);
          lane->label = g_strdup (label);
          lanes_changed = TRUE;
        }
    }

  /* New lanes, or sums in another currency: count every cell again. */
  if (lanes_changed || g_strcmp0 (currency, self->currency) != 0)
    {
      g_free (self->currency);
      self->currency = g_strdup (currency);
      compute_totals (self, NULL);
    }
  else if (split->len > 0)
    compute_totals (self, split);
  if (lanes_changed)
    {
      g_ptr_array_sort_with_data (self->lanes, compare_lanes, self);
      g_signal_emit (self, signals[LANES_CHANGED], 0);
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_column_changed (GListModel   *column,
                   guint         position,
                   guint         removed,
                   guint         added,
                   CrmDealLanes *self)
{
  for (guint s = 0; s < self->watched->len && s < self->dirty->len; s++)
    if (g_ptr_array_index (self->watched, s) == column)
      g_array_index (self->dirty, gboolean, s) = TRUE;
}

static void
unwatch_columns (CrmDealLanes *self)
{
  for (guint s = 0; s < self->watched->len; s++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->watched, s), self);
  g_ptr_array_set_size (self->watched, 0);
}

/* Listens to each board column (only while grouped): its changes mark
 * the column to split again at the next ::reloaded. */
static void
watch_columns (CrmDealLanes *self)
{
  unwatch_columns (self);
  if (self->group == CRM_DEAL_GROUP_NONE)
    return;
  for (guint s = 0; s < crm_deal_board_get_n_stages (self->board); s++)
    {
      GListModel *column = crm_deal_board_get_deals (self->board, s);

      g_ptr_array_add (self->watched, g_object_ref (column));
      g_signal_connect (column, "items-changed", G_CALLBACK (on_column_changed), self);
    }
  self->all_dirty = TRUE;
}

static void
on_stages_changed (CrmDealLanes *self)
{
  /* The old lanes' cells are of columns that are gone: none until the
   * ::reloaded that follows builds the new ones. */
  g_ptr_array_set_size (self->lanes, 0);
  watch_columns (self);
  self->all_dirty = TRUE;
}

static void
on_reloaded (CrmDealLanes *self)
{
  if (self->group != CRM_DEAL_GROUP_NONE)
    update (self);
}

/* --- GObject ---------------------------------------------------------------- */

static void
crm_deal_lanes_dispose (GObject *object)
{
  CrmDealLanes *self = (CrmDealLanes *)object;

  unwatch_columns (self);
  if (self->board != NULL)
    g_signal_handlers_disconnect_by_data (self->board, self);
  g_clear_object (&self->board);

  G_OBJECT_CLASS (crm_deal_lanes_parent_class)->dispose (object);
}

static void
crm_deal_lanes_finalize (GObject *object)
{
  CrmDealLanes *self = (CrmDealLanes *)object;

  g_clear_pointer (&self->lanes, g_ptr_array_unref);
  g_clear_pointer (&self->watched, g_ptr_array_unref);
  g_clear_pointer (&self->dirty, g_array_unref);
  g_free (self->currency);

  G_OBJECT_CLASS (crm_deal_lanes_parent_class)->finalize (object);
}

static void
crm_deal_lanes_class_init (CrmDealLanesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_deal_lanes_dispose;
  object_class->finalize = crm_deal_lanes_finalize;

  /**
   * CrmDealLanes::lanes-changed:
   * The lanes are not the ones shown before (added, gone, renamed or
   * regrouped): build them again from crm_deal_lanes_get_deals().
   */
  signals[LANES_CHANGED] =
    g_signal_new ("lanes-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * CrmDealLanes::changed:
   * The lanes follow the board again; counts and amounts may differ.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
crm_deal_lanes_init (CrmDealLanes *self)
{
  self->lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) lane_free);
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->dirty = g_array_new (FALSE, TRUE, sizeof (gboolean));
}

CrmDealLanes *
crm_deal_lanes_new (CrmDealBoard *board)
{
  CrmDealLanes *self;

  g_return_val_if_fail (CRM_IS_DEAL_BOARD (board), NULL);

  self = g_object_new (CRM_TYPE_DEAL_LANES, NULL);
  self->board = g_object_ref (board);
  g_signal_connect_swapped (board, "stages-changed", G_CALLBACK (on_stages_changed), self);
  g_signal_connect_swapped (board, "reloaded", G_CALLBACK (on_reloaded), self);
  return self;
}

CrmDealBoard *
crm_deal_lanes_get_board (CrmDealLanes *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), NULL);

  return self->board;
}

void
crm_deal_lanes_set_group (CrmDealLanes *self,
                          CrmDealGroup  group)
{
  g_return_if_fail (CRM_IS_DEAL_LANES (self));
  g_return_if_fail (group < CRM_DEAL_N_GROUPS);

  if (self->group == group)
    return;
  self->group = group;
  g_ptr_array_set_size (self->lanes, 0);
  watch_columns (self);
  self->all_dirty = TRUE;
  if (group == CRM_DEAL_GROUP_NONE)
    g_signal_emit (self, signals[LANES_CHANGED], 0);
  update (self);
}

CrmDealGroup
crm_deal_lanes_get_group (CrmDealLanes *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), CRM_DEAL_GROUP_NONE);

  return self->group;
}

guint
crm_deal_lanes_get_n_lanes (CrmDealLanes *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), 0);

  return self->lanes->len;
}

const char *
crm_deal_lanes_get_key (CrmDealLanes *self,
                        guint         lane)
{
  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), NULL);
  g_return_val_if_fail (lane < self->lanes->len, NULL);

  return get_lane (self, lane)->key;
}

const char *
crm_deal_lanes_get_label (CrmDealLanes *self,
                          guint         lane)
{
  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), NULL);
  g_return_val_if_fail (lane < self->lanes->len, NULL);

  return get_lane (self, lane)->label;
}

int
crm_deal_lanes_find_lane (CrmDealLanes *self,
                          const char   *key)
{
  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), -1);

  for (guint l = 0; l < self->lanes->len; l++)
    if (g_strcmp0 (get_lane (self, l)->key, key) == 0)
      return (int) l;
  return -1;
}

GListModel *
crm_deal_lanes_get_deals (CrmDealLanes *self,
                          guint         lane,
                          guint         stage)
{
  Lane *l;

  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), NULL);
  g_return_val_if_fail (lane < self->lanes->len, NULL);
  l = get_lane (self, lane);
  g_return_val_if_fail (stage < l->columns->len, NULL);

  return g_ptr_array_index (l->columns, stage);
}

guint
crm_deal_lanes_get_n_deals (CrmDealLanes *self,
                            guint         lane)
{
  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), 0);
  g_return_val_if_fail (lane < self->lanes->len, 0);

  return get_lane (self, lane)->n_deals;
}

gint64
crm_deal_lanes_get_amount (CrmDealLanes *self,
                           guint         lane)
{
  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), 0);
  g_return_val_if_fail (lane < self->lanes->len, 0);

  return get_lane (self, lane)->amount;
}

const char *
crm_deal_lanes_get_currency (CrmDealLanes *self,
                             guint         lane)
{
  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), NULL);
  g_return_val_if_fail (lane < self->lanes->len, NULL);

  if (self->group == CRM_DEAL_GROUP_CURRENCY)
    return get_lane (self, lane)->key;
  return crm_deal_board_get_currency (self->board);
}

gboolean
crm_deal_lanes_find_deal (CrmDealLanes *self,
                          const char   *deal_id,
                          guint        *out_lane,
                          guint        *out_stage,
                          guint        *out_index)
{
  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), FALSE);

  for (guint l = 0; l < self->lanes->len; l++)
    {
      Lane *lane = get_lane (self, l);

      for (guint s = 0; s < lane->columns->len; s++)
        {
          GListModel *column = g_ptr_array_index (lane->columns, s);
          guint n = g_list_model_get_n_items (column);

          for (guint i = 0; i < n; i++)
            {
              g_autoptr(CrmDealCard) card = g_list_model_get_item (column, i);

              if (g_strcmp0 (crm_deal_card_get_id (card), deal_id) != 0)
                continue;
              if (out_lane != NULL)
                *out_lane = l;
              if (out_stage != NULL)
                *out_stage = s;
              if (out_index != NULL)
                *out_index = i;
              return TRUE;
            }
        }
    }
  return FALSE;
}

gboolean
crm_deal_lanes_can_move_to (CrmDealLanes *self,
                            const char   *deal_id,
                            guint         lane)
{
  guint from;

  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), FALSE);

  if (self->group == CRM_DEAL_GROUP_NONE)
    return TRUE;
  if (lane >= self->lanes->len || !crm_deal_lanes_find_deal (self, deal_id, &from, NULL, NULL))
    return FALSE;
  if (from == lane)
    return TRUE;
  /* Handing a deal to an owner is clear (and undone in one step); a
   * customer, currency, date or amount is not the board's to change, nor
   * is taking a deal away from everyone. */
  return self->group == CRM_DEAL_GROUP_OWNER && *get_lane (self, lane)->key != '\0';
}

/* Where card @card_id is in its board column, counted without @deal_id. */
static guint
board_index_of (CrmDealLanes *self,
                const char   *card_id,
                const char   *deal_id)
{
  guint stage, index, deal_stage, deal_index;

  if (crm_deal_board_find_deal (self->board, card_id, &stage, &index) == NULL)
    return G_MAXUINT;
  if (crm_deal_board_find_deal (self->board, deal_id, &deal_stage, &deal_index) != NULL &&
      deal_stage == stage && deal_index < index)
    index--;
  return index;
}

gboolean
crm_deal_lanes_move (CrmDealLanes  *self,
                     const char    *deal_id,
                     guint          lane,
                     guint          stage,
                     guint          index,
                     const char    *lost_reason,
                     CrmChangeSet  *undo,
                     GError       **error)
{
  guint from_lane;
  guint board_index = index;
  const char *owner_id = NULL;

  g_return_val_if_fail (CRM_IS_DEAL_LANES (self), FALSE);
  g_return_val_if_fail (deal_id != NULL, FALSE);
  g_return_val_if_fail (stage < crm_deal_board_get_n_stages (self->board), FALSE);

  if (self->group == CRM_DEAL_GROUP_NONE)
    return crm_deal_board_move (self->board, deal_id, stage, index, lost_reason, undo, error);

  if (!crm_deal_lanes_find_deal (self, deal_id, &from_lane, NULL, NULL))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                           _("This deal is no longer on the board."));
      return FALSE;
    }
  if (!crm_deal_lanes_can_move_to (self, deal_id, lane))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("A deal changes lanes only when the board is grouped by owner, "
                             "and then only to someone's lane: it is handed to them."));
      return FALSE;
    }
  if (lane != from_lane)
    owner_id = get_lane (self, lane)->key;

  if (index != CRM_DEAL_BOARD_KEEP_ORDER)
    {
      g_autoptr(GPtrArray) others = crm_deal_cards_without (crm_deal_lanes_get_deals (self, lane, stage), deal_id);

      /* Before the card it was dropped on, or after the lane's last one:
       * the board orders a whole column, of which the lane shows a part. */
      if (others->len == 0)
        board_index = G_MAXUINT;
      else if (index < others->len)
        board_index = board_index_of (self, crm_deal_card_get_id (g_ptr_array_index (others, index)), deal_id);
      else
        {
          board_index = board_index_of (self, crm_deal_card_get_id (g_ptr_array_index (others, others->len - 1)), deal_id);
          if (board_index != G_MAXUINT)
            board_index++;
        }
    }
  return crm_deal_board_move_full (self->board, deal_id, stage, board_index, owner_id, lost_reason, undo, error);
}
