/* crm-deal-board.c: the deals of one pipeline, a list per stage, with totals and filters, kept up to date with the store */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-deal-board.h"
#include "crm-deal-moves.h"
#include "crm-deal.h"
#include "crm-store-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* Room left between the order keys of neighbouring cards. */
#define POSITION_GAP 1024

typedef struct
{
  char       *id;
  char       *name;
  int         probability;
  gboolean    is_won;
  gboolean    is_lost;
  GListStore *deals;       /* CrmDealCard */
  /* Totals of this column, kept so a move recounts only its two columns. */
  GHashTable *currencies;  /* currency → number of cards; NULL: not counted yet */
  gint64      amount;
  gint64      weighted;
  guint       n_open;
  guint       n_other_currency;
  gint64      open_amount;
  gint64      open_weighted;
} Stage;

typedef struct
{
  char *id;
  char *name;
} Pipeline;

struct _CrmDealBoard
{
  GObject     parent_instance;

  CrmStore   *store;
  GPtrArray  *pipelines;   /* Pipeline */
  GPtrArray  *stages;      /* Stage */
  char       *pipeline_id; /* as asked; NULL for the default */
  char       *shown_pipeline_id;
  char       *owner_id;
  char       *from_date;
  char       *to_date;
  gint64      min_amount;
  gint64      max_amount;
  char       *now;
  guint       reload_idle;

  guint       n_deals;
  guint       n_hidden;           /* deals of the pipeline the filters leave out */
  guint       n_open;
  gint64      open_amount;
  gint64      weighted_amount;
  char       *currency;           /* of the totals: that of most shown deals */
  guint       n_other_currency;   /* shown deals left out of the totals */
};

G_DEFINE_FINAL_TYPE (CrmDealBoard, crm_deal_board, G_TYPE_OBJECT)

enum {
  STAGES_CHANGED,
  RELOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
stage_free (Stage *stage)
{
  g_free (stage->id);
  g_free (stage->name);
  g_clear_object (&stage->deals);
  g_clear_pointer (&stage->currencies, g_hash_table_unref);
  g_free (stage);
}

static void
pipeline_free (Pipeline *pipeline)
{
  g_free (pipeline->id);
  g_free (pipeline->name);
  g_free (pipeline);
}

static Stage *
get_stage (CrmDealBoard *self,
           guint         stage)
{
  /* Callers check the index (public functions with g_return_val_if_fail),
   * so an index out of range here is a bug in this file. */
  g_assert (stage < self->stages->len);

  return g_ptr_array_index (self->stages, stage);
}

/* --- Loading --------------------------------------------------------------- */

static const char pipelines_sql[] =
  "SELECT id, name FROM pipelines WHERE deleted = 0 ORDER BY is_default DESC, position, created_at";

static const char stages_sql[] =
  "SELECT id, name, probability, is_won, is_lost FROM stages"
  " WHERE pipeline_id = ? AND deleted = 0 ORDER BY is_lost, is_won, position, created_at";

/* Ids are UUIDv7, so ordering by id is ordering by creation, and
 * compare_cards() can place a single card the same way. */
/* Open stages first, then won, then lost, whatever their positions say:
 * the board reads left to right towards the outcome. */
static const char deals_sql[] =
  "WITH d AS ("
  "  SELECT d.*, coalesce (substr (d.closed_at, 1, 10), d.expected_close) AS close_date"
  "  FROM deals d WHERE d.pipeline_id = :pipeline AND d.deleted = 0"
  "  AND (:ids IS NULL OR d.id IN (SELECT value FROM json_each (:ids)))"
  "  AND (:owner IS NULL OR d.owner_id = :owner)"
  "  AND (:min_amount IS NULL OR d.amount >= :min_amount)"
  "  AND (:max_amount IS NULL OR d.amount <= :max_amount))"
  " SELECT d.id, d.stage_id, d.title, d.contact_id, c.name, o.name, d.currency,"
  "  d.close_date, d.owner_id, coalesce (u.display_name, u.username),"
  "  coalesce ((SELECT max (h.at) FROM deal_stage_history h"
  "             WHERE h.deal_id = d.id AND h.deleted = 0), d.created_at) AS since,"
  "  d.lost_reason, d.updated_at, d.amount, d.position,"
  "  EXISTS (SELECT 1 FROM activities a WHERE a.deal_id = d.id AND a.deleted = 0"
  "          AND a.kind = 'task' AND a.done_at IS NULL AND a.due_at < :now),"
  "  d.closed_at IS NOT NULL, d.expected_close"
  " FROM d LEFT JOIN contacts c ON c.id = d.contact_id"
  " LEFT JOIN contacts o ON o.id = c.organization_id"
  " LEFT JOIN users u ON u.id = d.owner_id"
  " WHERE (:from IS NULL OR d.close_date >= :from) AND (:to IS NULL OR d.close_date < :to)"
  " ORDER BY d.position, d.close_date IS NULL, d.close_date, d.id";

static void
bind_named (sqlite3_stmt *stmt,
            const char   *name,
            const char   *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    crm_stmt_bind_text (stmt, index, value);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

static char *
get_now (CrmDealBoard *self)
{
  g_autoptr(GDateTime) now = NULL;

  if (self->now != NULL)
    return g_strdup (self->now);
  now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static int
days_between (const char *since,
              const char *now)
{
  g_autoptr(GDateTime) a = since != NULL ? g_date_time_new_from_iso8601 (since, NULL) : NULL;
  g_autoptr(GDateTime) b = now != NULL ? g_date_time_new_from_iso8601 (now, NULL) : NULL;

  if (a == NULL || b == NULL)
    return 0;
  return (int) MAX (0, g_date_time_difference (b, a) / G_TIME_SPAN_DAY);
}

static gboolean
load_pipelines (CrmDealBoard  *self,
                GPtrArray     *pipelines,
                GError       **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, pipelines_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Pipeline *pipeline = g_new0 (Pipeline, 1);

      pipeline->id = g_strdup (column_text (stmt, 0));
      pipeline->name = g_strdup (column_text (stmt, 1));
      g_ptr_array_add (pipelines, pipeline);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (self->store, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_stages (CrmDealBoard  *self,
             const char    *pipeline_id,
             GPtrArray     *stages,
             GError       **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, stages_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, pipeline_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Stage *stage = g_new0 (Stage, 1);

      stage->id = g_strdup (column_text (stmt, 0));
      stage->name = g_strdup (column_text (stmt, 1));
      stage->probability = sqlite3_column_int (stmt, 2);
      stage->is_won = sqlite3_column_int (stmt, 3);
      stage->is_lost = sqlite3_column_int (stmt, 4);
      g_ptr_array_add (stages, stage);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (self->store, rc, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
same_stages (GPtrArray *a,
             GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      Stage *x = g_ptr_array_index (a, i);
      Stage *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->id, y->id) != 0 || g_strcmp0 (x->name, y->name) != 0 ||
          x->probability != y->probability || x->is_won != y->is_won || x->is_lost != y->is_lost)
        return FALSE;
    }
  return TRUE;
}

static gboolean
same_pipelines (GPtrArray *a,
                GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      Pipeline *x = g_ptr_array_index (a, i);
      Pipeline *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->id, y->id) != 0 || g_strcmp0 (x->name, y->name) != 0)
        return FALSE;
    }
  return TRUE;
}

static int
find_stage_in (GPtrArray  *stages,
               const char *stage_id)
{
  for (guint i = 0; i < stages->len; i++)
    if (g_strcmp0 (((Stage *) g_ptr_array_index (stages, i))->id, stage_id) == 0)
      return (int) i;
  return -1;
}

static void
bind_filters (CrmDealBoard *self,
              sqlite3_stmt *stmt,
              const char   *pipeline_id,
              const char   *now)
{
  bind_named (stmt, ":pipeline", pipeline_id);
  bind_named (stmt, ":owner", self->owner_id);
  bind_named (stmt, ":from", self->from_date);
  bind_named (stmt, ":to", self->to_date);
  bind_named (stmt, ":now", now);
  if (self->min_amount > 0)
    sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":min_amount"), self->min_amount);
  if (self->max_amount > 0)
    sqlite3_bind_int64 (stmt, sqlite3_bind_parameter_index (stmt, ":max_amount"), self->max_amount);
}

static gboolean
has_filters (CrmDealBoard *self)
{
  return self->owner_id != NULL || self->from_date != NULL || self->to_date != NULL ||
         self->min_amount > 0 || self->max_amount > 0;
}

/* Live deals of the shown pipeline's live stages, filters or not. */
static const char count_all_sql[] =
  "SELECT count (*) FROM deals d JOIN stages s ON s.id = d.stage_id AND s.deleted = 0"
  " WHERE d.pipeline_id = ? AND d.deleted = 0";

/* How many deals the filters hide; only counted while a filter is on,
 * so the unfiltered board pays nothing for it. */
static gboolean
count_hidden (CrmDealBoard  *self,
              GError       **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  int rc;

  self->n_hidden = 0;
  if (!has_filters (self) || self->shown_pipeline_id == NULL)
    return TRUE;
  stmt = crm_store_prepare (self->store, count_all_sql, error);
  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, self->shown_pipeline_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      crm_store_take_error (self->store, rc, error);
      return FALSE;
    }
  self->n_hidden = (guint) MAX (0, sqlite3_column_int64 (stmt, 0) - (gint64) self->n_deals);
  return TRUE;
}

static CrmDealCard *
read_card (sqlite3_stmt *stmt,
           const char   *now)
{
  CrmDealCardFields fields = {
    .id = column_text (stmt, 0),
    .stage_id = column_text (stmt, 1),
    .title = column_text (stmt, 2),
    .contact_id = column_text (stmt, 3),
    .contact_name = column_text (stmt, 4),
    .organization_name = column_text (stmt, 5),
    .currency = column_text (stmt, 6),
    .close_date = column_text (stmt, 7),
    .owner_id = column_text (stmt, 8),
    .owner_name = column_text (stmt, 9),
    .stage_since = column_text (stmt, 10),
    .lost_reason = column_text (stmt, 11),
    .updated_at = column_text (stmt, 12),
    .amount = sqlite3_column_int64 (stmt, 13),
    .position = sqlite3_column_int64 (stmt, 14),
    .overdue_task = sqlite3_column_int (stmt, 15),
    .closed = sqlite3_column_int (stmt, 16),
    .expected_close = column_text (stmt, 17),
  };

  fields.days_in_stage = days_between (fields.stage_since, now);
  fields.overdue_close = !fields.closed && fields.close_date != NULL &&
                         strncmp (fields.close_date, now, 10) < 0;
  return crm_deal_card_new (&fields);
}

static void
count_currencies (Stage *stage)
{
  GListModel *deals = G_LIST_MODEL (stage->deals);
  guint n = g_list_model_get_n_items (deals);

  if (stage->currencies == NULL)
    stage->currencies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_remove_all (stage->currencies);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmDealCard) card = g_list_model_get_item (deals, i);
      const char *currency = crm_deal_card_get_currency (card);
      gpointer key, value;

      if (currency == NULL)
        continue;
      if (g_hash_table_lookup_extended (stage->currencies, currency, &key, &value))
        g_hash_table_insert (stage->currencies, g_strdup (currency), GUINT_TO_POINTER (GPOINTER_TO_UINT (value) + 1));
      else
        g_hash_table_insert (stage->currencies, g_strdup (currency), GUINT_TO_POINTER (1));
    }
}

/* The currency most shown deals are in (CNY on a tie): amounts in others
 * cannot be added to it without a rate, so totals leave them out. */
static char *
main_currency (CrmDealBoard *self)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  const char *best = "CNY";
  guint best_count = 0;
  GHashTableIter iter;
  gpointer key, value;

  for (guint s = 0; s < self->stages->len; s++)
    {
      Stage *stage = g_ptr_array_index (self->stages, s);

      g_hash_table_iter_init (&iter, stage->currencies);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (counts, key, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, key)) +
                                                            GPOINTER_TO_UINT (value)));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint count = GPOINTER_TO_UINT (value);

      if (count > best_count || (count == best_count && (g_str_equal (key, "CNY") ||
                                                         (!g_str_equal (best, "CNY") && strcmp (key, best) < 0))))
        {
          best = key;
          best_count = count;
        }
    }
  return g_strdup (best);
}

/* A column's totals in @currency. */
static void
sum_stage (Stage      *stage,
           const char *currency)
{
  GListModel *deals = G_LIST_MODEL (stage->deals);
  guint n = g_list_model_get_n_items (deals);

  stage->amount = 0;
  stage->weighted = 0;
  stage->n_open = 0;
  stage->n_other_currency = 0;
  stage->open_amount = 0;
  stage->open_weighted = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmDealCard) card = g_list_model_get_item (deals, i);
      gint64 amount = crm_deal_card_get_amount (card);

      if (g_strcmp0 (crm_deal_card_get_currency (card), currency) != 0)
        {
          stage->n_other_currency++;
          if (!stage->is_won && !stage->is_lost)
            stage->n_open++;
          continue;
        }
      stage->amount += amount;
      if (stage->is_won)
        stage->weighted += amount;
      else if (!stage->is_lost)
        {
          gint64 weighted = amount * stage->probability / 100;

          stage->weighted += weighted;
          stage->n_open++;
          stage->open_amount += amount;
          stage->open_weighted += weighted;
        }
    }
}

/* Column and board totals from the cards the columns hold. Only the
 * columns in @changed (all if NULL) are counted again, unless the main
 * currency changes with them. */
static void
compute_totals (CrmDealBoard   *self,
                const gboolean *changed)
{
  g_autofree char *currency = NULL;
  gboolean new_currency;

  for (guint s = 0; s < self->stages->len; s++)
    {
      Stage *stage = g_ptr_array_index (self->stages, s);

      if (changed == NULL || changed[s] || stage->currencies == NULL)
        count_currencies (stage);
    }
  currency = main_currency (self);
  new_currency = g_strcmp0 (currency, self->currency) != 0;
  g_free (self->currency);
  self->currency = g_steal_pointer (&currency);

  self->n_other_currency = 0;
  self->n_deals = 0;
  self->n_open = 0;
  self->open_amount = 0;
  self->weighted_amount = 0;
  for (guint s = 0; s < self->stages->len; s++)
    {
      Stage *stage = g_ptr_array_index (self->stages, s);

      if (changed == NULL || changed[s] || new_currency)
        sum_stage (stage, self->currency);
      self->n_other_currency += stage->n_other_currency;
      self->n_deals += g_list_model_get_n_items (G_LIST_MODEL (stage->deals));
      self->n_open += stage->n_open;
      self->open_amount += stage->open_amount;
      self->weighted_amount += stage->open_weighted;
    }
}

/* The board order of the SQL above, for one card. */
static int
compare_cards (CrmDealCard *a,
               CrmDealCard *b)
{
  const char *ca = crm_deal_card_get_close_date (a);
  const char *cb = crm_deal_card_get_close_date (b);

  if (crm_deal_card_get_position (a) != crm_deal_card_get_position (b))
    return crm_deal_card_get_position (a) < crm_deal_card_get_position (b) ? -1 : 1;
  if ((ca == NULL) != (cb == NULL))
    return ca == NULL ? 1 : -1;
  if (g_strcmp0 (ca, cb) != 0)
    return g_strcmp0 (ca, cb);
  return g_strcmp0 (crm_deal_card_get_id (a), crm_deal_card_get_id (b));
}

/* Reads again only the deals @ids (after this board wrote them) and puts
 * each where it now belongs: the columns change by a row or two, which is
 * what keeps a move within a frame on a board of thousands. */
static gboolean
refresh_deals (CrmDealBoard  *self,
               GPtrArray     *ids,
               GError       **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *json = NULL;
  g_autofree char *now = get_now (self);
  g_autofree gboolean *changed = NULL;
  int rc;

  json_builder_begin_array (builder);
  for (guint i = 0; i < ids->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (ids, i));
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  stmt = crm_store_prepare (self->store, deals_sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_filters (self, stmt, self->shown_pipeline_id, now);
  bind_named (stmt, ":ids", json);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (fresh, read_card (stmt, now));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (self->store, rc, error);
      return FALSE;
    }

  changed = g_new0 (gboolean, self->stages->len);
  /* Out with the old cards (also of deals now filtered out)... */
  for (guint i = 0; i < ids->len; i++)
    {
      guint s, index;

      if (crm_deal_board_find_deal (self, g_ptr_array_index (ids, i), &s, &index) != NULL)
        {
          g_list_store_remove (get_stage (self, s)->deals, index);
          changed[s] = TRUE;
        }
    }
  /* ...and in with the new, each at its place in the board order. */
  for (guint i = 0; i < fresh->len; i++)
    {
      CrmDealCard *card = g_ptr_array_index (fresh, i);
      int s = crm_deal_board_find_stage (self, crm_deal_card_get_stage_id (card));
      GListModel *deals;
      guint lo = 0, hi;

      if (s < 0)
        continue;
      deals = G_LIST_MODEL (get_stage (self, s)->deals);
      hi = g_list_model_get_n_items (deals);
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;
          g_autoptr(CrmDealCard) other = g_list_model_get_item (deals, mid);

          if (compare_cards (other, card) < 0)
            lo = mid + 1;
          else
            hi = mid;
        }
      g_list_store_insert (get_stage (self, s)->deals, lo, card);
      changed[s] = TRUE;
    }

  compute_totals (self, changed);
  if (!count_hidden (self, error))
    return FALSE;
  g_signal_emit (self, signals[RELOADED], 0);
  return TRUE;
}

gboolean
crm_deal_board_reload (CrmDealBoard  *self,
                       GError       **error)
{
  g_autoptr(GPtrArray) pipelines = g_ptr_array_new_with_free_func ((GDestroyNotify) pipeline_free);
  g_autoptr(GPtrArray) stages = g_ptr_array_new_with_free_func ((GDestroyNotify) stage_free);
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autofree char *now = get_now (self);
  const char *pipeline_id = NULL;
  gboolean stages_changed;
  int rc;

  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), FALSE);

  g_clear_handle_id (&self->reload_idle, g_source_remove);

  if (!load_pipelines (self, pipelines, error))
    return FALSE;
  for (guint i = 0; i < pipelines->len; i++)
    {
      Pipeline *pipeline = g_ptr_array_index (pipelines, i);

      if (i == 0 || g_strcmp0 (pipeline->id, self->pipeline_id) == 0)
        pipeline_id = pipeline->id;
    }
  if (pipeline_id != NULL && !load_stages (self, pipeline_id, stages, error))
    return FALSE;
  for (guint i = 0; i < stages->len; i++)
    g_ptr_array_add (columns, g_ptr_array_new_with_free_func (g_object_unref));

  if (pipeline_id != NULL)
    {
      stmt = crm_store_prepare (self->store, deals_sql, error);
      if (stmt == NULL)
        return FALSE;
      bind_filters (self, stmt, pipeline_id, now);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          CrmDealCard *card = read_card (stmt, now);
          int s = find_stage_in (stages, crm_deal_card_get_stage_id (card));

          /* A deal of a deleted stage has no column to be in. */
          if (s < 0)
            {
              g_object_unref (card);
              continue;
            }
          g_ptr_array_add (g_ptr_array_index (columns, s), card);
        }
      if (rc != SQLITE_DONE)
        {
          crm_store_take_error (self->store, rc, error);
          return FALSE;
        }
    }

  stages_changed = !same_stages (self->stages, stages) || !same_pipelines (self->pipelines, pipelines) ||
                   g_strcmp0 (self->shown_pipeline_id, pipeline_id) != 0;
  if (stages_changed)
    {
      /* New columns: fresh lists, which the view builds anew. */
      for (guint s = 0; s < stages->len; s++)
        {
          Stage *stage = g_ptr_array_index (stages, s);
          GPtrArray *cards = g_ptr_array_index (columns, s);

          stage->deals = g_list_store_new (CRM_TYPE_DEAL_CARD);
          g_list_store_splice (stage->deals, 0, 0, cards->pdata, cards->len);
        }
      g_ptr_array_unref (self->stages);
      self->stages = g_steal_pointer (&stages);
      g_ptr_array_unref (self->pipelines);
      self->pipelines = g_steal_pointer (&pipelines);
      g_free (self->shown_pipeline_id);
      self->shown_pipeline_id = g_strdup (pipeline_id);
      g_signal_emit (self, signals[STAGES_CHANGED], 0);
    }
  else
    {
      for (guint s = 0; s < self->stages->len; s++)
        {
          Stage *stage = g_ptr_array_index (self->stages, s);

          crm_deal_cards_update_store (stage->deals, g_ptr_array_index (columns, s), TRUE);
        }
    }

  compute_totals (self, NULL);
  if (!count_hidden (self, error))
    return FALSE;
  g_signal_emit (self, signals[RELOADED], 0);
  return TRUE;
}

static gboolean
reload_idle_cb (gpointer user_data)
{
  CrmDealBoard *self = user_data;
  g_autoptr(GError) error = NULL;

  self->reload_idle = 0;
  if (!crm_deal_board_reload (self, &error))
    g_warning ("Could not reload the pipeline board: %s", error->message);
  return G_SOURCE_REMOVE;
}

static void
queue_reload (CrmDealBoard *self)
{
  /* Before the next frame is drawn (GDK redraws at HIGH_IDLE + 20). */
  if (self->reload_idle == 0)
    self->reload_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, reload_idle_cb, self, NULL);
}

static void
on_store_changed (CrmDealBoard *self,
                  const char   *table,
                  const char   *id)
{
  static const char * const tables[] = {
    "deals", "stages", "pipelines", "contacts", "users", "activities", "deal_stage_history", NULL
  };

  if (table == NULL || g_strv_contains (tables, table))
    queue_reload (self);
}

/* --- GObject --------------------------------------------------------------- */

static void
crm_deal_board_dispose (GObject *object)
{
  CrmDealBoard *self = (CrmDealBoard *)object;

  g_clear_handle_id (&self->reload_idle, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_deal_board_parent_class)->dispose (object);
}

static void
crm_deal_board_finalize (GObject *object)
{
  CrmDealBoard *self = (CrmDealBoard *)object;

  g_clear_pointer (&self->stages, g_ptr_array_unref);
  g_clear_pointer (&self->pipelines, g_ptr_array_unref);
  g_free (self->pipeline_id);
  g_free (self->shown_pipeline_id);
  g_free (self->owner_id);
  g_free (self->from_date);
  g_free (self->to_date);
  g_free (self->now);
  g_free (self->currency);

  G_OBJECT_CLASS (crm_deal_board_parent_class)->finalize (object);
}

static void
crm_deal_board_class_init (CrmDealBoardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_deal_board_dispose;
  object_class->finalize = crm_deal_board_finalize;

  /**
   * CrmDealBoard::stages-changed:
   * The columns (or the pipelines) are not the ones shown before: the
   * lists of every column are new objects.
   */
  signals[STAGES_CHANGED] =
    g_signal_new ("stages-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * CrmDealBoard::reloaded:
   * Totals may have changed.
   */
  signals[RELOADED] =
    g_signal_new ("reloaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
crm_deal_board_init (CrmDealBoard *self)
{
  self->stages = g_ptr_array_new_with_free_func ((GDestroyNotify) stage_free);
  self->pipelines = g_ptr_array_new_with_free_func ((GDestroyNotify) pipeline_free);
}

CrmDealBoard *
crm_deal_board_new (CrmStore *store)
{
  CrmDealBoard *self;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  self = g_object_new (CRM_TYPE_DEAL_BOARD, NULL);
  self->store = g_object_ref (store);
  g_signal_connect_swapped (store, "changed", G_CALLBACK (on_store_changed), self);
  return self;
}

CrmStore *
crm_deal_board_get_store (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), NULL);

  return self->store;
}

/* --- Pipelines and filters ------------------------------------------------- */

guint
crm_deal_board_get_n_pipelines (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);

  return self->pipelines->len;
}

const char *
crm_deal_board_get_pipeline_id_at (CrmDealBoard *self,
                                   guint         index)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), NULL);
  g_return_val_if_fail (index < self->pipelines->len, NULL);

  return ((Pipeline *) g_ptr_array_index (self->pipelines, index))->id;
}

const char *
crm_deal_board_get_pipeline_name_at (CrmDealBoard *self,
                                     guint         index)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), NULL);
  g_return_val_if_fail (index < self->pipelines->len, NULL);

  return ((Pipeline *) g_ptr_array_index (self->pipelines, index))->name;
}

const char *
crm_deal_board_get_pipeline_id (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), NULL);

  return self->shown_pipeline_id;
}

static void
replace_filter (CrmDealBoard  *self,
                char         **field,
                const char    *value)
{
  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  queue_reload (self);
}

void
crm_deal_board_set_pipeline_id (CrmDealBoard *self,
                                const char   *pipeline_id)
{
  g_return_if_fail (CRM_IS_DEAL_BOARD (self));

  replace_filter (self, &self->pipeline_id, pipeline_id);
}

const char *
crm_deal_board_get_owner_id (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), NULL);

  return self->owner_id;
}

void
crm_deal_board_set_owner_id (CrmDealBoard *self,
                             const char   *owner_id)
{
  g_return_if_fail (CRM_IS_DEAL_BOARD (self));

  replace_filter (self, &self->owner_id, owner_id);
}

void
crm_deal_board_set_period (CrmDealBoard *self,
                           const char   *from_date,
                           const char   *to_date)
{
  g_return_if_fail (CRM_IS_DEAL_BOARD (self));

  replace_filter (self, &self->from_date, from_date);
  replace_filter (self, &self->to_date, to_date);
}

void
crm_deal_board_set_min_amount (CrmDealBoard *self,
                               gint64        min_amount)
{
  g_return_if_fail (CRM_IS_DEAL_BOARD (self));

  if (self->min_amount == min_amount)
    return;
  self->min_amount = min_amount;
  queue_reload (self);
}

gint64
crm_deal_board_get_min_amount (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);

  return self->min_amount;
}

void
crm_deal_board_set_max_amount (CrmDealBoard *self,
                               gint64        max_amount)
{
  g_return_if_fail (CRM_IS_DEAL_BOARD (self));

  if (self->max_amount == max_amount)
    return;
  self->max_amount = max_amount;
  queue_reload (self);
}

gint64
crm_deal_board_get_max_amount (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);

  return self->max_amount;
}

gboolean
crm_deal_board_get_filtered (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), FALSE);

  return has_filters (self);
}

guint
crm_deal_board_get_n_hidden (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);

  return self->n_hidden;
}

void
crm_deal_board_set_now (CrmDealBoard *self,
                        const char   *now)
{
  g_return_if_fail (CRM_IS_DEAL_BOARD (self));

  replace_filter (self, &self->now, now);
}

/* --- Columns --------------------------------------------------------------- */

guint
crm_deal_board_get_n_stages (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);

  return self->stages->len;
}

const char *
crm_deal_board_get_stage_id (CrmDealBoard *self,
                             guint         stage)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), NULL);
  g_return_val_if_fail (stage < self->stages->len, NULL);

  return get_stage (self, stage)->id;
}

const char *
crm_deal_board_get_stage_name (CrmDealBoard *self,
                               guint         stage)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), NULL);
  g_return_val_if_fail (stage < self->stages->len, NULL);

  return get_stage (self, stage)->name;
}

int
crm_deal_board_get_stage_probability (CrmDealBoard *self,
                                      guint         stage)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);
  g_return_val_if_fail (stage < self->stages->len, 0);

  return get_stage (self, stage)->probability;
}

gboolean
crm_deal_board_get_stage_is_won (CrmDealBoard *self,
                                 guint         stage)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), FALSE);
  g_return_val_if_fail (stage < self->stages->len, FALSE);

  return get_stage (self, stage)->is_won;
}

gboolean
crm_deal_board_get_stage_is_lost (CrmDealBoard *self,
                                  guint         stage)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), FALSE);
  g_return_val_if_fail (stage < self->stages->len, FALSE);

  return get_stage (self, stage)->is_lost;
}

int
crm_deal_board_find_stage (CrmDealBoard *self,
                           const char   *stage_id)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), -1);

  for (guint i = 0; i < self->stages->len; i++)
    if (g_strcmp0 (get_stage (self, i)->id, stage_id) == 0)
      return (int) i;
  return -1;
}

GListModel *
crm_deal_board_get_deals (CrmDealBoard *self,
                          guint         stage)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), NULL);
  g_return_val_if_fail (stage < self->stages->len, NULL);

  return G_LIST_MODEL (get_stage (self, stage)->deals);
}

gint64
crm_deal_board_get_stage_amount (CrmDealBoard *self,
                                 guint         stage)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);
  g_return_val_if_fail (stage < self->stages->len, 0);

  return get_stage (self, stage)->amount;
}

gint64
crm_deal_board_get_stage_weighted (CrmDealBoard *self,
                                   guint         stage)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);
  g_return_val_if_fail (stage < self->stages->len, 0);

  return get_stage (self, stage)->weighted;
}

guint
crm_deal_board_get_n_open (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);

  return self->n_open;
}

gint64
crm_deal_board_get_open_amount (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);

  return self->open_amount;
}

const char *
crm_deal_board_get_currency (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), NULL);

  return self->currency != NULL ? self->currency : "CNY";
}

guint
crm_deal_board_get_n_other_currency (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);

  return self->n_other_currency;
}

gint64
crm_deal_board_get_weighted_amount (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);

  return self->weighted_amount;
}

guint
crm_deal_board_get_n_deals (CrmDealBoard *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), 0);

  return self->n_deals;
}

CrmDealCard *
crm_deal_board_find_deal (CrmDealBoard *self,
                          const char   *deal_id,
                          guint        *out_stage,
                          guint        *out_index)
{
  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), NULL);

  for (guint s = 0; s < self->stages->len; s++)
    {
      GListModel *deals = G_LIST_MODEL (get_stage (self, s)->deals);
      guint n = g_list_model_get_n_items (deals);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CrmDealCard) card = g_list_model_get_item (deals, i);

          if (g_strcmp0 (crm_deal_card_get_id (card), deal_id) != 0)
            continue;
          if (out_stage != NULL)
            *out_stage = s;
          if (out_index != NULL)
            *out_index = i;
          return card;   /* the column holds a reference */
        }
    }
  return NULL;
}

/* --- Moves ----------------------------------------------------------------- */

/* Order keys for @deal_id placed at @index among the other cards of
 * @column: one new key when there is room between its neighbours, else
 * keys for the whole column spaced by POSITION_GAP. Returns the ids to
 * write and their keys. */
static void
plan_positions (GListModel *column,
                const char *deal_id,
                guint       index,
                GPtrArray  *ids,
                GArray     *positions)
{
  g_autoptr(GPtrArray) others = crm_deal_cards_without (column, deal_id);
  gint64 key;

  index = MIN (index, others->len);

  if (others->len == 0)
    key = 0;
  else if (index == others->len)
    key = crm_deal_card_get_position (g_ptr_array_index (others, index - 1)) + POSITION_GAP;
  else if (index == 0)
    key = crm_deal_card_get_position (g_ptr_array_index (others, 0)) - POSITION_GAP;
  else
    {
      gint64 before = crm_deal_card_get_position (g_ptr_array_index (others, index - 1));
      gint64 after = crm_deal_card_get_position (g_ptr_array_index (others, index));

      if (after - before < 2)
        {
          /* Equal keys are ordered by close date: no room to put a card
           * between them, so space the whole column out. */
          for (guint i = 0; i <= others->len; i++)
            {
              gint64 k = (gint64) i * POSITION_GAP;

              if (i == index)
                {
                  g_ptr_array_add (ids, g_strdup (deal_id));
                  g_array_append_val (positions, k);
                }
              if (i < others->len)
                {
                  CrmDealCard *card = g_ptr_array_index (others, i);

                  k = (gint64) (i < index ? i : i + 1) * POSITION_GAP;
                  if (crm_deal_card_get_position (card) == k)
                    continue;
                  g_ptr_array_add (ids, g_strdup (crm_deal_card_get_id (card)));
                  g_array_append_val (positions, k);
                }
            }
          return;
        }
      key = before + (after - before) / 2;
    }
  g_ptr_array_add (ids, g_strdup (deal_id));
  g_array_append_val (positions, key);
}

/* Hands deal @deal_id to @owner_id, remembering the old owner in @undo. */
static gboolean
set_owner (CrmStore      *store,
           const char    *deal_id,
           const char    *owner_id,
           CrmChangeSet  *undo,
           GError       **error)
{
  static const char * const fields[] = { "owner_id", NULL };
  g_autoptr(CrmRecord) deal = crm_store_get (store, CRM_TYPE_DEAL, deal_id, error);

  if (deal == NULL)
    return FALSE;
  if (g_strcmp0 (crm_record_get_owner_id (deal), owner_id) == 0)
    return TRUE;
  if (undo != NULL)
    crm_change_set_remember_fields (undo, deal, fields);
  crm_record_set_owner_id (deal, owner_id);
  return crm_store_update (store, deal, error);
}

/* After this board wrote @ids (and committed): shows them without the
 * full reload the commit queued. */
static gboolean
refresh_written (CrmDealBoard  *self,
                 GPtrArray     *ids,
                 GError       **error)
{
  g_clear_handle_id (&self->reload_idle, g_source_remove);
  return refresh_deals (self, ids, error);
}

gboolean
crm_deal_board_move (CrmDealBoard  *self,
                     const char    *deal_id,
                     guint          stage,
                     guint          index,
                     const char    *lost_reason,
                     CrmChangeSet  *undo,
                     GError       **error)
{
  return crm_deal_board_move_full (self, deal_id, stage, index, NULL, lost_reason, undo, error);
}

gboolean
crm_deal_board_move_full (CrmDealBoard  *self,
                          const char    *deal_id,
                          guint          stage,
                          guint          index,
                          const char    *owner_id,
                          const char    *lost_reason,
                          CrmChangeSet  *undo,
                          GError       **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), FALSE);
  g_return_val_if_fail (deal_id != NULL, FALSE);
  g_return_val_if_fail (stage < self->stages->len, FALSE);

  if (index != CRM_DEAL_BOARD_KEEP_ORDER)
    plan_positions (crm_deal_board_get_deals (self, stage), deal_id, index, ids, positions);

  if (!crm_store_begin (self->store, error))
    return FALSE;
  if ((owner_id != NULL && !set_owner (self->store, deal_id, owner_id, undo, error)) ||
      !crm_deal_move (self->store, deal_id, get_stage (self, stage)->id, lost_reason, undo, error))
    {
      crm_store_rollback (self->store);
      return FALSE;
    }
  for (guint i = 0; i < ids->len; i++)
    if (!crm_deal_set_position (self->store, g_ptr_array_index (ids, i),
                                g_array_index (positions, gint64, i), undo, error))
      {
        crm_store_rollback (self->store);
        return FALSE;
      }
  if (!crm_store_commit (self->store, error))
    return FALSE;

  /* The commit queued a full reload for the change; this board made the
   * change and knows which rows it touched. */
  if (ids->len == 0)
    g_ptr_array_add (ids, g_strdup (deal_id));
  return refresh_written (self, ids, error);
}

static GPtrArray *
ids_array (const char * const *deal_ids)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; deal_ids[i] != NULL; i++)
    g_ptr_array_add (ids, g_strdup (deal_ids[i]));
  return ids;
}

gboolean
crm_deal_board_move_many (CrmDealBoard        *self,
                          const char * const  *deal_ids,
                          guint                stage,
                          const char          *lost_reason,
                          CrmChangeSet        *undo,
                          GError             **error)
{
  g_autoptr(GPtrArray) ids = NULL;

  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), FALSE);
  g_return_val_if_fail (deal_ids != NULL, FALSE);
  g_return_val_if_fail (stage < self->stages->len, FALSE);

  if (!crm_store_begin (self->store, error))
    return FALSE;
  for (guint i = 0; deal_ids[i] != NULL; i++)
    if (!crm_deal_move (self->store, deal_ids[i], get_stage (self, stage)->id, lost_reason, undo, error))
      {
        crm_store_rollback (self->store);
        return FALSE;
      }
  if (!crm_store_commit (self->store, error))
    return FALSE;
  ids = ids_array (deal_ids);
  return refresh_written (self, ids, error);
}

gboolean
crm_deal_board_set_owner (CrmDealBoard        *self,
                          const char * const  *deal_ids,
                          const char          *owner_id,
                          CrmChangeSet        *undo,
                          GError             **error)
{
  g_autoptr(GPtrArray) ids = NULL;

  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), FALSE);
  g_return_val_if_fail (deal_ids != NULL, FALSE);

  if (owner_id != NULL && *owner_id == '\0')
    owner_id = NULL;
  if (!crm_store_begin (self->store, error))
    return FALSE;
  for (guint i = 0; deal_ids[i] != NULL; i++)
    if (!set_owner (self->store, deal_ids[i], owner_id, undo, error))
      {
        crm_store_rollback (self->store);
        return FALSE;
      }
  if (!crm_store_commit (self->store, error))
    return FALSE;
  ids = ids_array (deal_ids);
  return refresh_written (self, ids, error);
}

gboolean
crm_deal_board_delete (CrmDealBoard        *self,
                       const char * const  *deal_ids,
                       CrmChangeSet        *undo,
                       GError             **error)
{
  g_autoptr(GPtrArray) ids = NULL;

  g_return_val_if_fail (CRM_IS_DEAL_BOARD (self), FALSE);
  g_return_val_if_fail (deal_ids != NULL, FALSE);

  if (!crm_store_begin (self->store, error))
    return FALSE;
  for (guint i = 0; deal_ids[i] != NULL; i++)
    {
      if (!crm_store_delete (self->store, CRM_TYPE_DEAL, deal_ids[i], error))
        {
          crm_store_rollback (self->store);
          return FALSE;
        }
      if (undo != NULL)
        crm_change_set_remember_delete (undo, CRM_TYPE_DEAL, deal_ids[i]);
    }
  if (!crm_store_commit (self->store, error))
    return FALSE;
  ids = ids_array (deal_ids);
  return refresh_written (self, ids, error);
}
