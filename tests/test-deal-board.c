/* test-deal-board.c: moving deals (history, outbox, won/lost, undo), editing stages under deals, the board's columns, order, filters and totals, and the forecast against hand-computed figures */

#include "config.h"

#include <string.h>

#include "crm-activity.h"
#include "crm-change-set.h"
#include "crm-deal.h"
#include "crm-deal-board.h"
#include "crm-deal-moves.h"
#include "crm-forecast.h"
#include "crm-pipeline.h"
#include "crm-stage.h"
#include "store-fixture.h"

typedef struct
{
  char *pipeline;
  char *stages[6];   /* 10 %, 50 %, 80 %, won, lost, 30 % (added last, position 1) */
} Pipe;

static void
pipe_clear (Pipe *p)
{
  g_free (p->pipeline);
  for (guint i = 0; i < G_N_ELEMENTS (p->stages); i++)
    g_free (p->stages[i]);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pipe, pipe_clear)

static char *
add_stage (CrmStore   *store,
           const char *pipeline,
           const char *name,
           int         position,
           int         probability,
           gboolean    won,
           gboolean    lost)
{
  g_autoptr(CrmStage) stage = crm_stage_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (stage, "pipeline-id", pipeline, "name", name, "position", (gint64) position,
                "probability", (gint64) probability, "is-won", won, "is-lost", lost, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (stage), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (stage)));
}

static void
add_pipe (CrmStore *store,
          Pipe     *p,
          gint64    monthly_target)
{
  g_autoptr(CrmPipeline) pipeline = crm_pipeline_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (pipeline, "name", "新客户开发", "is-default", TRUE, "monthly-target", monthly_target, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (pipeline), &error));
  g_assert_no_error (error);
  p->pipeline = g_strdup (crm_record_get_id (CRM_RECORD (pipeline)));
  p->stages[0] = add_stage (store, p->pipeline, "初步接触", 0, 10, FALSE, FALSE);
  p->stages[1] = add_stage (store, p->pipeline, "方案报价", 2, 50, FALSE, FALSE);
  p->stages[2] = add_stage (store, p->pipeline, "商务谈判", 3, 80, FALSE, FALSE);
  p->stages[3] = add_stage (store, p->pipeline, "赢单", 4, 100, TRUE, FALSE);
  p->stages[4] = add_stage (store, p->pipeline, "输单", 5, 0, FALSE, TRUE);
  p->stages[5] = add_stage (store, p->pipeline, "需求确认", 1, 30, FALSE, FALSE);
}

static char *
add_deal (CrmStore   *store,
          Pipe       *p,
          guint       stage,
          const char *title,
          gint64      amount,
          const char *expected_close,
          const char *owner)
{
  g_autoptr(CrmDeal) deal = crm_deal_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (deal, "pipeline-id", p->pipeline, "stage-id", p->stages[stage], "title", title,
                "amount", amount, "expected-close", expected_close, NULL);
  crm_record_set_owner_id (CRM_RECORD (deal), owner);
  g_assert_true (crm_store_insert (store, CRM_RECORD (deal), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (deal)));
}

static CrmRecord *
get_deal (CrmStore   *store,
          const char *id)
{
  g_autoptr(GError) error = NULL;
  CrmRecord *deal = crm_store_get (store, CRM_TYPE_DEAL, id, &error);

  g_assert_no_error (error);
  return deal;
}

static gint64
count_sql (CrmStore   *store,
           const char *sql,
           const char *arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
test_move_history_outbox_undo (StoreFixture  *f,
                               gconstpointer  data)
{
  g_auto(Pipe) p = { 0 };
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (f->store);
  g_autoptr(CrmRecord) deal = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *patch = NULL;
  gint64 outbox_before;

  add_pipe (f->store, &p, 0);
  id = add_deal (f->store, &p, 0, "ERP 采购", 1000000, "2024-05-20", NULL);
  /* Creation is the first entry of its history. */
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM deal_stage_history WHERE deal_id = ? AND from_stage_id IS NULL", id), ==, 1);
  outbox_before = store_query_int (f->store, "SELECT max (mutation_id) FROM outbox");

  g_assert_true (crm_deal_move (f->store, id, p.stages[1], NULL, undo, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM deal_stage_history WHERE deal_id = ?", id), ==, 2);
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM deal_stage_history WHERE from_stage_id = ?", p.stages[0]), ==, 1);

  /* The deal's mutation carries the changed field only. */
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (f->store),
                                         "SELECT patch FROM outbox WHERE table_name = 'deals' AND op = 'update' AND mutation_id > ?",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    sqlite3_bind_int64 (stmt, 1, outbox_before);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    patch = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    sqlite3_finalize (stmt);
  }
  {
    g_autofree char *expected = g_strdup_printf ("{\"stage_id\":\"%s\"}", p.stages[1]);

    g_assert_cmpstr (patch, ==, expected);
  }

  /* Lost needs a reason; won closes the deal; reopening clears it. */
  g_assert_false (crm_deal_move (f->store, id, p.stages[4], "  ", undo, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (crm_deal_move (f->store, id, p.stages[4], "价格太高", undo, &error));
  g_assert_no_error (error);
  deal = get_deal (f->store, id);
  g_assert_cmpstr (crm_record_get_string (deal, "lost_reason"), ==, "价格太高");
  g_assert_nonnull (crm_record_get_string (deal, "closed_at"));
  g_clear_object (&deal);

  g_assert_true (crm_deal_move (f->store, id, p.stages[3], NULL, undo, &error));
  deal = get_deal (f->store, id);
  g_assert_null (crm_record_get_string (deal, "lost_reason"));
  g_assert_nonnull (crm_record_get_string (deal, "closed_at"));
  g_clear_object (&deal);

  /* One undo step puts it back where it started, open. */
  g_assert_true (crm_change_set_revert (undo, &error));
  g_assert_no_error (error);
  deal = get_deal (f->store, id);
  g_assert_cmpstr (crm_record_get_string (deal, "stage_id"), ==, p.stages[0]);
  g_assert_null (crm_record_get_string (deal, "closed_at"));
  g_assert_null (crm_record_get_string (deal, "lost_reason"));
  /* And the way back is history too. */
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM deal_stage_history WHERE deal_id = ? AND deleted = 0", id), ==, 7);
}

static void
test_delete_stage_reassigns (StoreFixture  *f,
                             gconstpointer  data)
{
  g_auto(Pipe) p = { 0 };
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (f->store);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  add_pipe (f->store, &p, 0);
  a = add_deal (f->store, &p, 1, "A", 100, NULL, NULL);
  b = add_deal (f->store, &p, 1, "B", 200, NULL, NULL);

  /* Deals need somewhere to go. */
  g_assert_false (crm_stage_delete_reassigning (f->store, p.stages[1], NULL, undo, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (crm_stage_delete_reassigning (f->store, p.stages[1], p.stages[2], undo, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM deals WHERE stage_id = ?", p.stages[2]), ==, 2);
  g_assert_cmpint (count_sql (f->store, "SELECT deleted FROM stages WHERE id = ?", p.stages[1]), ==, 1);
  g_assert_cmpint (crm_stage_count_deals (f->store, p.stages[1], &error), ==, 0);

  g_assert_true (crm_change_set_revert (undo, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_sql (f->store, "SELECT deleted FROM stages WHERE id = ?", p.stages[1]), ==, 0);
  g_assert_cmpint (crm_stage_count_deals (f->store, p.stages[1], &error), ==, 2);

  /* An empty stage goes without a target. */
  g_assert_true (crm_stage_delete_reassigning (f->store, p.stages[2], NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_reorder_stages (StoreFixture  *f,
                     gconstpointer  data)
{
  g_auto(Pipe) p = { 0 };
  g_autoptr(CrmDealBoard) board = NULL;
  g_autoptr(GError) error = NULL;
  const char *order[] = { NULL, NULL, NULL, NULL, NULL };

  add_pipe (f->store, &p, 0);
  board = crm_deal_board_new (f->store);
  g_assert_true (crm_deal_board_reload (board, &error));
  /* Open stages by position, then won, then lost. */
  g_assert_cmpuint (crm_deal_board_get_n_stages (board), ==, 6);
  g_assert_cmpstr (crm_deal_board_get_stage_name (board, 1), ==, "需求确认");
  g_assert_true (crm_deal_board_get_stage_is_won (board, 4));
  g_assert_true (crm_deal_board_get_stage_is_lost (board, 5));

  order[0] = p.stages[2];
  order[1] = p.stages[0];
  order[2] = p.stages[5];
  order[3] = p.stages[1];
  g_assert_true (crm_stage_reorder (f->store, order, NULL, &error));
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpstr (crm_deal_board_get_stage_id (board, 0), ==, p.stages[2]);
  g_assert_cmpstr (crm_deal_board_get_stage_id (board, 3), ==, p.stages[1]);
}

static guint
n_cards (CrmDealBoard *board,
         guint         stage)
{
  return g_list_model_get_n_items (crm_deal_board_get_deals (board, stage));
}

static const char *
card_title (CrmDealBoard *board,
            guint         stage,
            guint         index)
{
  g_autoptr(CrmDealCard) card = g_list_model_get_item (crm_deal_board_get_deals (board, stage), index);

  /* The column keeps the card alive. */
  return crm_deal_card_get_title (card);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

static void
test_board (StoreFixture  *f,
            gconstpointer  data)
{
  static const char owner[] = "0190a0a0-0000-7000-8000-000000000001";
  g_auto(Pipe) p = { 0 };
  g_autoptr(CrmDealBoard) board = NULL;
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (f->store);
  g_autoptr(CrmActivity) task = crm_activity_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *contact = store_add_contact (f->store, "华为技术");
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;
  guint changes_0 = 0, changes_2 = 0;
  guint stage, index;
  CrmDealCard *card;

  add_pipe (f->store, &p, 0);
  a = add_deal (f->store, &p, 0, "A", 100000, "2024-05-10", owner);
  b = add_deal (f->store, &p, 0, "B", 300000, "2024-05-03", NULL);
  c = add_deal (f->store, &p, 0, "C", 500000, "2024-06-01", NULL);
  d = add_deal (f->store, &p, 2, "D", 1000000, "2024-07-01", owner);
  {
    g_autoptr(CrmRecord) deal = get_deal (f->store, a);

    g_object_set (deal, "contact-id", contact, NULL);
    g_assert_true (crm_store_update (f->store, deal, &error));
  }
  g_object_set (task, "deal-id", d, "kind", "task", "subject", "Call back", "due-at", "2024-04-01T09:00:00Z", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (task), &error));
  g_assert_no_error (error);

  board = crm_deal_board_new (f->store);
  crm_deal_board_set_now (board, "2024-05-05T12:00:00Z");
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_no_error (error);

  /* Equal order keys: by close date. */
  g_assert_cmpuint (n_cards (board, 0), ==, 3);
  g_assert_cmpstr (card_title (board, 0, 0), ==, "B");
  g_assert_cmpstr (card_title (board, 0, 1), ==, "A");
  g_assert_cmpstr (card_title (board, 0, 2), ==, "C");
  card = crm_deal_board_find_deal (board, a, &stage, &index);
  g_assert_cmpstr (crm_deal_card_get_contact_name (card), ==, "华为技术");
  g_assert_false (crm_deal_card_get_overdue_task (card));
  card = crm_deal_board_find_deal (board, d, &stage, &index);
  g_assert_cmpuint (stage, ==, 3);
  g_assert_true (crm_deal_card_get_overdue_task (card));
  card = crm_deal_board_find_deal (board, b, NULL, NULL);
  g_assert_true (crm_deal_card_get_overdue_close (card));

  /* Totals: 10 % of 9,000 and 80 % of 10,000 (minor units). */
  g_assert_cmpint (crm_deal_board_get_stage_amount (board, 0), ==, 900000);
  g_assert_cmpint (crm_deal_board_get_stage_weighted (board, 0), ==, 90000);
  g_assert_cmpint (crm_deal_board_get_open_amount (board), ==, 1900000);
  g_assert_cmpint (crm_deal_board_get_weighted_amount (board), ==, 90000 + 800000);
  g_assert_cmpuint (crm_deal_board_get_n_open (board), ==, 4);

  /* Within a column: C between B and A. Their equal keys leave no room,
   * so the column is renumbered in the same step. */
  g_assert_true (crm_deal_board_move (board, c, 0, 1, NULL, undo, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (card_title (board, 0, 0), ==, "B");
  g_assert_cmpstr (card_title (board, 0, 1), ==, "C");
  g_assert_cmpstr (card_title (board, 0, 2), ==, "A");

  /* A move to another column touches only the two columns. */
  g_signal_connect (crm_deal_board_get_deals (board, 0), "items-changed", G_CALLBACK (on_items_changed), &changes_0);
  g_signal_connect (crm_deal_board_get_deals (board, 2), "items-changed", G_CALLBACK (on_items_changed), &changes_2);
  g_assert_true (crm_deal_board_move (board, a, 3, G_MAXUINT, NULL, undo, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes_0, ==, 1);
  g_assert_cmpuint (changes_2, ==, 0);
  g_assert_cmpuint (n_cards (board, 0), ==, 2);
  g_assert_cmpstr (card_title (board, 3, 1), ==, "A");
  g_assert_cmpint (crm_deal_board_get_weighted_amount (board), ==, 30000 + 50000 + 800000 + 80000);

  /* And to the front of a column. */
  g_assert_true (crm_deal_board_move (board, c, 3, 0, NULL, undo, &error));
  g_assert_cmpstr (card_title (board, 3, 0), ==, "C");

  /* Undo all three moves in one step. */
  g_assert_true (crm_change_set_revert (undo, &error));
  g_assert_no_error (error);
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpuint (n_cards (board, 0), ==, 3);
  g_assert_cmpstr (card_title (board, 0, 0), ==, "B");
  g_assert_cmpstr (card_title (board, 0, 1), ==, "A");
  g_assert_cmpstr (card_title (board, 0, 2), ==, "C");

  /* Filters. */
  crm_deal_board_set_owner_id (board, owner);
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board), ==, 2);
  crm_deal_board_set_owner_id (board, NULL);
  crm_deal_board_set_period (board, "2024-05-01", "2024-06-01");
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board), ==, 2);
  crm_deal_board_set_period (board, NULL, NULL);
  crm_deal_board_set_min_amount (board, 400000);
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board), ==, 2);
}

/* The board follows the store by itself, at idle. */
static gboolean
board_has_n (gpointer data)
{
  return crm_deal_board_get_n_deals (data) == 1;
}

static void
test_board_follows_store (StoreFixture  *f,
                          gconstpointer  data)
{
  g_auto(Pipe) p = { 0 };
  g_autoptr(CrmDealBoard) board = crm_deal_board_new (f->store);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  guint n = 0;

  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpuint (crm_deal_board_get_n_stages (board), ==, 0);
  add_pipe (f->store, &p, 0);
  a = add_deal (f->store, &p, 1, "A", 100, NULL, NULL);
  while (!board_has_n (board) && n++ < 100)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (crm_deal_board_get_n_stages (board), ==, 6);
  g_assert_cmpuint (crm_deal_board_get_n_deals (board), ==, 1);
}

/* Hand-computed: May has B (3,000 × 10 %) and A (1,000 × 50 %) open; June
 * C (5,000 × 80 %); D won in May after 10 days, E lost in May. */
static void
test_forecast (StoreFixture  *f,
               gconstpointer  data)
{
  g_auto(Pipe) p = { 0 };
  g_autoptr(CrmForecast) forecast = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *x = NULL;

  add_pipe (f->store, &p, 2000000);
  a = add_deal (f->store, &p, 1, "A", 100000, "2024-05-10", NULL);
  b = add_deal (f->store, &p, 0, "B", 300000, "2024-05-31", NULL);
  c = add_deal (f->store, &p, 2, "C", 500000, "2024-06-01", NULL);
  x = add_deal (f->store, &p, 2, "X", 700000, "2024-08-01", NULL);   /* outside the months */
  d = add_deal (f->store, &p, 0, "D", 800000, "2024-05-15", NULL);
  e = add_deal (f->store, &p, 0, "E", 900000, "2024-05-15", NULL);
  g_assert_true (crm_deal_move (f->store, d, p.stages[5], NULL, NULL, &error));
  g_assert_true (crm_deal_move (f->store, d, p.stages[3], NULL, NULL, &error));
  g_assert_true (crm_deal_move (f->store, e, p.stages[4], "预算不足", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (crm_store_exec (f->store,
                                 "UPDATE deals SET created_at = '2024-05-01T00:00:00.000Z-0000-x',"
                                 " closed_at = '2024-05-11T00:00:00Z' WHERE title IN ('D', 'E')", &error));

  forecast = crm_forecast_compute (f->store, NULL, NULL, "2024-05", 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (forecast->n_months, ==, 2);
  g_assert_cmpstr (forecast->months[0].month, ==, "2024-05");
  g_assert_cmpuint (forecast->months[0].n_open, ==, 2);
  g_assert_cmpint (forecast->months[0].open_amount, ==, 400000);
  g_assert_cmpint (forecast->months[0].weighted, ==, 30000 + 50000);
  g_assert_cmpint (forecast->months[0].won_amount, ==, 800000);
  g_assert_cmpint (forecast->months[0].lost_amount, ==, 900000);
  g_assert_cmpint (forecast->months[0].target, ==, 2000000);
  g_assert_cmpstr (forecast->months[1].month, ==, "2024-06");
  g_assert_cmpint (forecast->months[1].weighted, ==, 400000);
  g_assert_cmpint (forecast->months[1].won_amount, ==, 0);
  g_assert_cmpfloat_with_epsilon (forecast->win_rate, 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (forecast->average_cycle_days, 10.0, 1e-6);

  /* Reached: all 6 deals the first stage; 需求确认 (30 %) A, C, X, D;
   * 方案报价 (50 %) A, C, X, D; 商务谈判 C, X, D; won D. */
  g_assert_cmpuint (forecast->n_stages, ==, 5);
  g_assert_cmpstr (forecast->stages[1].name, ==, "需求确认");
  g_assert_cmpuint (forecast->stages[0].reached, ==, 6);
  g_assert_cmpuint (forecast->stages[1].reached, ==, 4);
  g_assert_cmpuint (forecast->stages[2].reached, ==, 4);
  g_assert_cmpuint (forecast->stages[3].reached, ==, 3);
  g_assert_cmpuint (forecast->stages[4].reached, ==, 1);
  g_assert_cmpfloat_with_epsilon (forecast->stages[0].conversion, 4.0 / 6, 1e-9);
  g_assert_cmpfloat_with_epsilon (forecast->stages[3].conversion, 1.0 / 3, 1e-9);
  g_assert_cmpfloat (forecast->stages[4].conversion, <, 0);

  g_clear_pointer (&forecast, crm_forecast_free);
  forecast = crm_forecast_compute (f->store, NULL, NULL, "2024-13", 2, &error);
  g_assert_null (forecast);
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

/* Amounts in another currency cannot be added without a rate: the board
 * and the forecast sum the pipeline's main currency and count the rest. */
static void
test_currencies (StoreFixture  *f,
                 gconstpointer  data)
{
  g_auto(Pipe) p = { 0 };
  g_autoptr(CrmDealBoard) board = crm_deal_board_new (f->store);
  g_autoptr(CrmForecast) forecast = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL, *b = NULL, *u = NULL;

  add_pipe (f->store, &p, 0);
  a = add_deal (f->store, &p, 0, "A", 100000, "2024-05-10", NULL);
  b = add_deal (f->store, &p, 1, "B", 300000, "2024-05-20", NULL);
  u = add_deal (f->store, &p, 1, "U", 5000000, "2024-05-20", NULL);
  g_assert_true (crm_store_exec (f->store, "UPDATE deals SET currency = 'USD' WHERE title = 'U'", &error));

  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (crm_deal_board_get_currency (board), ==, "CNY");
  g_assert_cmpuint (crm_deal_board_get_n_other_currency (board), ==, 1);
  g_assert_cmpuint (crm_deal_board_get_n_open (board), ==, 3);
  g_assert_cmpint (crm_deal_board_get_open_amount (board), ==, 400000);
  g_assert_cmpint (crm_deal_board_get_stage_amount (board, (guint) crm_deal_board_find_stage (board, p.stages[1])), ==, 300000);

  forecast = crm_forecast_compute (f->store, NULL, NULL, "2024-05", 1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (forecast->currency, ==, "CNY");
  g_assert_cmpuint (forecast->n_other_currency, ==, 1);
  g_assert_cmpuint (forecast->months[0].n_open, ==, 2);
  g_assert_cmpint (forecast->months[0].open_amount, ==, 400000);
  g_clear_pointer (&forecast, crm_forecast_free);

  /* When most deals are in dollars, dollars are the sums' currency. */
  g_assert_true (crm_store_exec (f->store, "UPDATE deals SET currency = 'USD' WHERE title = 'A'", &error));
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpstr (crm_deal_board_get_currency (board), ==, "USD");
  g_assert_cmpint (crm_deal_board_get_open_amount (board), ==, 5100000);
  forecast = crm_forecast_compute (f->store, NULL, NULL, "2024-05", 1, &error);
  g_assert_cmpstr (forecast->currency, ==, "USD");
  g_assert_cmpint (forecast->months[0].open_amount, ==, 5100000);
}

static void
assert_same_totals (CrmDealBoard *board,
                    CrmDealBoard *fresh)
{
  g_assert_cmpstr (crm_deal_board_get_currency (board), ==, crm_deal_board_get_currency (fresh));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board), ==, crm_deal_board_get_n_deals (fresh));
  g_assert_cmpuint (crm_deal_board_get_n_open (board), ==, crm_deal_board_get_n_open (fresh));
  g_assert_cmpuint (crm_deal_board_get_n_other_currency (board), ==, crm_deal_board_get_n_other_currency (fresh));
  g_assert_cmpint (crm_deal_board_get_open_amount (board), ==, crm_deal_board_get_open_amount (fresh));
  g_assert_cmpint (crm_deal_board_get_weighted_amount (board), ==, crm_deal_board_get_weighted_amount (fresh));
  g_assert_cmpuint (crm_deal_board_get_n_stages (board), ==, crm_deal_board_get_n_stages (fresh));
  for (guint s = 0; s < crm_deal_board_get_n_stages (board); s++)
    {
      g_assert_cmpint (crm_deal_board_get_stage_amount (board, s), ==, crm_deal_board_get_stage_amount (fresh, s));
      g_assert_cmpint (crm_deal_board_get_stage_weighted (board, s), ==, crm_deal_board_get_stage_weighted (fresh, s));
    }
}

/* A move recounts only the two columns it touches: after each of a run
 * of moves (into won and lost too, deals in two currencies) every total
 * matches a board loaded from scratch. */
static void
test_totals_after_moves (StoreFixture  *f,
                         gconstpointer  data)
{
  g_auto(Pipe) p = { 0 };
  g_autoptr(CrmDealBoard) board = crm_deal_board_new (f->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  add_pipe (f->store, &p, 0);
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *title = g_strdup_printf ("D%u", i);

      g_ptr_array_add (ids, add_deal (f->store, &p, i % 6, title, 10000 * (i + 1), "2031-05-10", NULL));
    }
  g_assert_true (crm_store_exec (f->store, "UPDATE deals SET currency = 'USD' WHERE title IN ('D1', 'D4', 'D7')", &error));
  g_assert_no_error (error);
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crm_deal_board_get_n_other_currency (board), ==, 3);

  for (guint step = 0; step < 24; step++)
    {
      g_autoptr(CrmDealBoard) fresh = crm_deal_board_new (f->store);
      g_autoptr(CrmChangeSet) undo = crm_change_set_new (f->store);
      const char *id = g_ptr_array_index (ids, (step * 5) % ids->len);
      guint stage = (step * 7 + 1) % crm_deal_board_get_n_stages (board);

      g_assert_true (crm_deal_board_move (board, id, stage, step % 2 == 0 ? 0 : G_MAXUINT,
                                          stage == (guint) crm_deal_board_find_stage (board, p.stages[4]) ? "Price" : NULL,
                                          undo, &error));
      g_assert_no_error (error);
      g_assert_true (crm_deal_board_reload (fresh, &error));
      g_assert_no_error (error);
      assert_same_totals (board, fresh);
    }
}

/* The lost reasons of a database: set, trimmed and de-duplicated, checked
 * with the line that is wrong, and back to the defaults when emptied. */
static void
test_lost_reasons (StoreFixture  *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) defaults = crm_deal_default_lost_reasons ();
  g_auto(GStrv) reasons = crm_deal_lost_reasons (f->store);
  g_autoptr(GString) long_reason = g_string_new (NULL);
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpstrv (reasons, defaults);
  g_clear_pointer (&reasons, g_strfreev);

  g_assert_true (crm_deal_set_lost_reasons (f->store, (const char * const[]) { " 价格太高 ", "", "选了竞争对手",
                                                                               "价格太高", "预算冻结", NULL },
                                            &error));
  g_assert_no_error (error);
  reasons = crm_deal_lost_reasons (f->store);
  g_assert_cmpstrv (reasons, ((const char * const[]) { "价格太高", "选了竞争对手", "预算冻结", NULL }));
  g_clear_pointer (&reasons, g_strfreev);

  /* A reason too long is refused, naming its line; the list stays. */
  while (g_utf8_strlen (long_reason->str, -1) <= CRM_DEAL_LOST_REASON_MAX_CHARS)
    g_string_append (long_reason, "太长");
  g_assert_false (crm_deal_set_lost_reasons (f->store, (const char * const[]) { "好", long_reason->str, NULL },
                                             &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "2"));
  g_clear_error (&error);
  for (guint i = 0; i <= CRM_DEAL_LOST_REASONS_MAX; i++)
    g_ptr_array_add (many, g_strdup_printf ("原因 %u", i));
  g_ptr_array_add (many, NULL);
  g_assert_false (crm_deal_check_lost_reasons ((const char * const *) many->pdata, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  reasons = crm_deal_lost_reasons (f->store);
  g_assert_cmpuint (g_strv_length (reasons), ==, 3);
  g_clear_pointer (&reasons, g_strfreev);

  g_assert_true (crm_deal_set_lost_reasons (f->store, (const char * const[]) { " ", NULL }, &error));
  reasons = crm_deal_lost_reasons (f->store);
  g_assert_cmpstrv (reasons, defaults);
}


/* Bulk changes: each one transaction and one change set writing what
 * single moves write; an unknown deal among them rolls all of them back.
 * The amount filters and the count of what they hide. */
static void
test_bulk_and_amount_filter (StoreFixture  *f,
                             gconstpointer  data)
{
  static const char owner[] = "0190a0a0-0000-7000-8000-000000000001";
  g_auto(Pipe) p = { 0 };
  g_autoptr(CrmDealBoard) board = crm_deal_board_new (f->store);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (f->store);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL, *b = NULL, *c = NULL;
  gint64 history, outbox;
  int lost;

  add_pipe (f->store, &p, 0);
  a = add_deal (f->store, &p, 0, "A", 100000, "2024-05-10", NULL);
  b = add_deal (f->store, &p, 0, "B", 300000, "2024-05-03", NULL);
  c = add_deal (f->store, &p, 1, "C", 500000, "2024-06-01", NULL);
  g_assert_true (crm_deal_board_reload (board, &error));
  lost = crm_deal_board_find_stage (board, p.stages[4]);

  history = store_query_int (f->store, "SELECT count (*) FROM deal_stage_history");
  outbox = store_query_int (f->store, "SELECT count (*) FROM outbox");
  g_assert_true (crm_deal_board_move_many (board, (const char * const[]) { a, b, c, NULL }, (guint) lost,
                                           "预算冻结", undo, &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM deal_stage_history"), ==, history + 3);
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM outbox"), >, outbox + 2);
  g_assert_cmpuint (g_list_model_get_n_items (crm_deal_board_get_deals (board, (guint) lost)), ==, 3);
  g_assert_cmpint (crm_deal_board_get_n_open (board), ==, 0);
  g_assert_true (crm_change_set_revert (undo, &error));
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpint (crm_deal_board_get_n_open (board), ==, 3);
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM deals WHERE stage_id = ?", p.stages[0]), ==, 2);

  /* A lost stage without a reason, or an unknown deal: nothing moves. */
  g_assert_false (crm_deal_board_move_many (board, (const char * const[]) { a, b, NULL }, (guint) lost,
                                            NULL, NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (crm_deal_board_move_many (board, (const char * const[]) { a, "no-such-deal", NULL }, 2,
                                            NULL, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM deals WHERE stage_id = ?", p.stages[0]), ==, 2);

  /* Owner: set and undone; nobody. */
  g_clear_object (&undo);
  undo = crm_change_set_new (f->store);
  g_assert_true (crm_deal_board_set_owner (board, (const char * const[]) { a, c, NULL }, owner, undo, &error));
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM deals WHERE owner_id = ?", owner), ==, 2);
  g_assert_cmpstr (crm_deal_card_get_owner_id (crm_deal_board_find_deal (board, c, NULL, NULL)), ==, owner);
  g_assert_true (crm_change_set_revert (undo, &error));
  g_assert_cmpint (count_sql (f->store, "SELECT count (*) FROM deals WHERE owner_id = ?", owner), ==, 0);
  g_assert_false (crm_deal_board_set_owner (board, (const char * const[]) { "no-such-deal", NULL }, owner, NULL, &error));
  g_clear_error (&error);

  /* Delete, undone in one step. */
  g_assert_true (crm_deal_board_reload (board, &error));
  g_clear_object (&undo);
  undo = crm_change_set_new (f->store);
  g_assert_true (crm_deal_board_delete (board, (const char * const[]) { a, b, NULL }, undo, &error));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board), ==, 1);
  g_assert_true (crm_change_set_revert (undo, &error));
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board), ==, 3);

  /* Amounts: between 2,000 and 4,000 (inclusive) leaves B; two hidden. */
  g_assert_false (crm_deal_board_get_filtered (board));
  g_assert_cmpuint (crm_deal_board_get_n_hidden (board), ==, 0);
  crm_deal_board_set_min_amount (board, 200000);
  crm_deal_board_set_max_amount (board, 300000);
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_true (crm_deal_board_get_filtered (board));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board), ==, 1);
  g_assert_nonnull (crm_deal_board_find_deal (board, b, NULL, NULL));
  g_assert_cmpuint (crm_deal_board_get_n_hidden (board), ==, 2);
  crm_deal_board_set_min_amount (board, 0);
  crm_deal_board_set_max_amount (board, 0);
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpuint (crm_deal_board_get_n_hidden (board), ==, 0);
  g_assert_cmpuint (crm_deal_board_get_n_deals (board), ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/deal-board/move-history-outbox-undo", test_move_history_outbox_undo);
  STORE_TEST ("/deal-board/delete-stage-reassigns", test_delete_stage_reassigns);
  STORE_TEST ("/deal-board/reorder-stages", test_reorder_stages);
  STORE_TEST ("/deal-board/board", test_board);
  STORE_TEST ("/deal-board/follows-store", test_board_follows_store);
  STORE_TEST ("/deal-board/forecast", test_forecast);
  STORE_TEST ("/deal-board/lost-reasons", test_lost_reasons);
  STORE_TEST ("/deal-board/currencies", test_currencies);
  STORE_TEST ("/deal-board/totals-after-moves", test_totals_after_moves);
  STORE_TEST ("/deal-board/bulk-and-amount-filter", test_bulk_and_amount_filter);

  return g_test_run ();
}
