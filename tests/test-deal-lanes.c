/* test-deal-lanes.c: the board in lanes by owner, currency, close month and amount: lane order, counts and sums against hand-computed figures, moves within and between lanes, undo */

#include "config.h"

#include <string.h>

#include "crm-change-set.h"
#include "crm-deal.h"
#include "crm-deal-board.h"
#include "crm-deal-lanes.h"
#include "crm-deal-moves.h"
#include "crm-pipeline.h"
#include "crm-stage.h"
#include "store-fixture.h"

#define ALICE "0190a0a0-0000-7000-8000-00000000000a"
#define BOB   "0190a0a0-0000-7000-8000-00000000000b"

typedef struct
{
  char *pipeline;
  char *stages[5];   /* 10 %, 50 %, 80 %, won, lost */
  /* Deals: a1, a2 (Alice), b1, b2 (Bob, b2 in USD), n1 (nobody) */
  char *a1, *a2, *b1, *b2, *n1;
} Board;

static void
board_clear (Board *b)
{
  g_free (b->pipeline);
  for (guint i = 0; i < G_N_ELEMENTS (b->stages); i++)
    g_free (b->stages[i]);
  g_free (b->a1);
  g_free (b->a2);
  g_free (b->b1);
  g_free (b->b2);
  g_free (b->n1);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Board, board_clear)

static void
add_user (CrmStore   *store,
          const char *id,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCachedStmt) stmt =
    crm_store_prepare (store, "INSERT INTO users (id, created_at, updated_at, username, display_name)"
                              " VALUES (?1, '2030-01-01T00:00:00Z', '2030-01-01T00:00:00Z', ?2, ?2)", &error);

  g_assert_no_error (error);
  crm_stmt_bind_text (stmt, 1, id);
  crm_stmt_bind_text (stmt, 2, name);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

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

static char *
add_deal (CrmStore   *store,
          Board      *b,
          guint       stage,
          const char *title,
          gint64      amount,
          const char *currency,
          const char *expected_close,
          const char *owner,
          gint64      position)
{
  g_autoptr(CrmDeal) deal = crm_deal_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (deal, "pipeline-id", b->pipeline, "stage-id", b->stages[stage], "title", title,
                "amount", amount, "currency", currency, "expected-close", expected_close,
                "position", position, NULL);
  crm_record_set_owner_id (CRM_RECORD (deal), owner);
  g_assert_true (crm_store_insert (store, CRM_RECORD (deal), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (deal)));
}

/* Stage 0 holds a1, b1, a2 in that order; a2 is in 2031-06, the others in
 * 2031-05 or none. Amounts in fen. */
static void
make_board (CrmStore *store,
            Board    *b)
{
  g_autoptr(CrmPipeline) pipeline = crm_pipeline_new ();
  g_autoptr(GError) error = NULL;

  add_user (store, ALICE, "Alice");
  add_user (store, BOB, "Bob");
  g_object_set (pipeline, "name", "Sales", "is-default", TRUE, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (pipeline), &error));
  b->pipeline = g_strdup (crm_record_get_id (CRM_RECORD (pipeline)));
  b->stages[0] = add_stage (store, b->pipeline, "Lead", 0, 10, FALSE, FALSE);
  b->stages[1] = add_stage (store, b->pipeline, "Proposal", 1, 50, FALSE, FALSE);
  b->stages[2] = add_stage (store, b->pipeline, "Negotiation", 2, 80, FALSE, FALSE);
  b->stages[3] = add_stage (store, b->pipeline, "Won", 3, 100, TRUE, FALSE);
  b->stages[4] = add_stage (store, b->pipeline, "Lost", 4, 0, FALSE, TRUE);

  b->a1 = add_deal (store, b, 0, "A1", 1000000, "CNY", "2031-05-02", ALICE, 0);        /* 10,000: band 1 */
  b->b1 = add_deal (store, b, 0, "B1", 20000, "CNY", "2031-05-20", BOB, 1024);          /* 200: band 0 */
  b->a2 = add_deal (store, b, 0, "A2", 50000000, "CNY", "2031-06-01", ALICE, 2048);     /* 500,000: band 2 */
  b->b2 = add_deal (store, b, 2, "B2", 300000000, "USD", "2031-05-09", BOB, 0);         /* 3,000,000: band 3 */
  b->n1 = add_deal (store, b, 3, "N1", 7000, "CNY", NULL, NULL, 0);                    /* 70: band 0 */
}

static CrmDealBoard *
open_board (CrmStore *store)
{
  g_autoptr(GError) error = NULL;
  CrmDealBoard *board = crm_deal_board_new (store);

  crm_deal_board_set_now (board, "2031-01-10T09:00:00Z");
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_no_error (error);
  return board;
}

/* The titles in lane @lane, column @stage, joined by spaces. */
static char *
titles (CrmDealLanes *lanes,
        guint         lane,
        guint         stage)
{
  GListModel *column = crm_deal_lanes_get_deals (lanes, lane, stage);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (column); i++)
    {
      g_autoptr(CrmDealCard) card = g_list_model_get_item (column, i);

      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, crm_deal_card_get_title (card));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
board_titles (CrmDealBoard *board,
              guint         stage)
{
  GListModel *column = crm_deal_board_get_deals (board, stage);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (column); i++)
    {
      g_autoptr(CrmDealCard) card = g_list_model_get_item (column, i);

      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, crm_deal_card_get_title (card));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define assert_titles(lanes, lane, stage, expected) \
  G_STMT_START { g_autofree char *t_ = titles (lanes, lane, stage); g_assert_cmpstr (t_, ==, expected); } G_STMT_END
#define assert_board_titles(board, stage, expected) \
  G_STMT_START { g_autofree char *t_ = board_titles (board, stage); g_assert_cmpstr (t_, ==, expected); } G_STMT_END

static void
on_signal (gpointer  instance,
           guint    *count)
{
  (*count)++;
}

static void
test_group_strings (void)
{
  CrmDealGroup group = CRM_DEAL_GROUP_NONE;

  for (guint i = 0; i < CRM_DEAL_N_GROUPS; i++)
    {
      g_assert_true (crm_deal_group_from_string (crm_deal_group_to_string (i), &group));
      g_assert_cmpuint (group, ==, i);
    }
  g_assert_true (crm_deal_group_from_string ("close-month", &group));
  g_assert_cmpuint (group, ==, CRM_DEAL_GROUP_CLOSE_MONTH);
  /* Unknown names (an old or hand-edited setting) are refused. */
  g_assert_false (crm_deal_group_from_string ("title", &group));
  g_assert_false (crm_deal_group_from_string (NULL, &group));
  g_assert_false (crm_deal_group_from_string ("", &group));
  g_assert_cmpuint (group, ==, CRM_DEAL_GROUP_CLOSE_MONTH);
}

/* By owner: Alice, Bob, then nobody's; counts of every stage; sums in the
 * board's currency, Bob's dollars left out. */
static void
test_by_owner (StoreFixture  *f,
               gconstpointer  data)
{
  g_auto(Board) b = { 0 };
  g_autoptr(CrmDealBoard) board = NULL;
  g_autoptr(CrmDealLanes) lanes = NULL;
  guint lanes_changed = 0, changed = 0;
  guint lane, stage, index;

  make_board (f->store, &b);
  board = open_board (f->store);
  lanes = crm_deal_lanes_new (board);
  g_signal_connect (lanes, "lanes-changed", G_CALLBACK (on_signal), &lanes_changed);
  g_signal_connect (lanes, "changed", G_CALLBACK (on_signal), &changed);

  /* Ungrouped: no lanes, and the board's columns are what shows. */
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 0);
  g_assert_true (crm_deal_lanes_can_move_to (lanes, b.a1, 7));

  crm_deal_lanes_set_group (lanes, CRM_DEAL_GROUP_OWNER);
  g_assert_cmpuint (lanes_changed, ==, 1);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 3);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 0), ==, "Alice");
  g_assert_cmpstr (crm_deal_lanes_get_key (lanes, 0), ==, ALICE);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 1), ==, "Bob");
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 2), ==, "No owner");
  g_assert_cmpstr (crm_deal_lanes_get_key (lanes, 2), ==, "");
  g_assert_cmpint (crm_deal_lanes_find_lane (lanes, BOB), ==, 1);
  g_assert_cmpint (crm_deal_lanes_find_lane (lanes, "nobody"), ==, -1);

  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 0), ==, 2);
  g_assert_cmpint (crm_deal_lanes_get_amount (lanes, 0), ==, 51000000);
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 1), ==, 2);
  g_assert_cmpint (crm_deal_lanes_get_amount (lanes, 1), ==, 20000);
  g_assert_cmpstr (crm_deal_lanes_get_currency (lanes, 1), ==, "CNY");
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 2), ==, 1);
  g_assert_cmpint (crm_deal_lanes_get_amount (lanes, 2), ==, 7000);

  /* Each lane has every stage column, in board order. */
  assert_titles (lanes, 0, 0, "A1 A2");
  assert_titles (lanes, 1, 0, "B1");
  assert_titles (lanes, 1, 2, "B2");
  assert_titles (lanes, 2, 3, "N1");
  assert_titles (lanes, 0, 1, "");
  g_assert_true (crm_deal_lanes_find_deal (lanes, b.a2, &lane, &stage, &index));
  g_assert_cmpuint (lane, ==, 0);
  g_assert_cmpuint (stage, ==, 0);
  g_assert_cmpuint (index, ==, 1);
  g_assert_false (crm_deal_lanes_find_deal (lanes, "no-such-deal", NULL, NULL, NULL));

  /* Back to none: no lanes. */
  crm_deal_lanes_set_group (lanes, CRM_DEAL_GROUP_NONE);
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 0);
  g_assert_cmpuint (lanes_changed, ==, 2);
}

/* Moves in lanes: within a lane the board order follows the drop, a move
 * between stages keeps the lane, a drop in Bob's lane hands the deal to
 * him (undone in one step), a drop in nobody's lane is refused. */
static void
test_moves (StoreFixture  *f,
            gconstpointer  data)
{
  g_auto(Board) b = { 0 };
  g_autoptr(CrmDealBoard) board = NULL;
  g_autoptr(CrmDealLanes) lanes = NULL;
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (f->store);
  g_autoptr(CrmRecord) deal = NULL;
  g_autoptr(GError) error = NULL;
  guint lanes_changed = 0;
  gint64 history;

  make_board (f->store, &b);
  board = open_board (f->store);
  lanes = crm_deal_lanes_new (board);
  crm_deal_lanes_set_group (lanes, CRM_DEAL_GROUP_OWNER);
  g_signal_connect (lanes, "lanes-changed", G_CALLBACK (on_signal), &lanes_changed);

  /* A2 dropped on A1 (index 0 of Alice's column): before it on the
   * board too, where B1 stays after them. */
  g_assert_true (crm_deal_lanes_move (lanes, b.a2, 0, 0, 0, NULL, undo, &error));
  g_assert_no_error (error);
  assert_titles (lanes, 0, 0, "A2 A1");
  assert_board_titles (board, 0, "A2 A1 B1");
  /* A2 dropped after the lane's last card: after A1, and still before
   * B1, which is in another lane. */
  g_assert_true (crm_deal_lanes_move (lanes, b.a2, 0, 0, G_MAXUINT, NULL, undo, &error));
  g_assert_no_error (error);
  assert_titles (lanes, 0, 0, "A1 A2");
  assert_board_titles (board, 0, "A1 A2 B1");

  /* To another stage (keyboard: keeping its order): same lane. */
  history = store_query_int (f->store, "SELECT count (*) FROM deal_stage_history");
  g_assert_true (crm_deal_lanes_move (lanes, b.a1, 0, 2, CRM_DEAL_BOARD_KEEP_ORDER, NULL, undo, &error));
  g_assert_no_error (error);
  assert_titles (lanes, 0, 0, "A2");
  assert_titles (lanes, 0, 2, "A1");
  g_assert_cmpint (store_query_int (f->store, "SELECT count (*) FROM deal_stage_history"), ==, history + 1);
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 0), ==, 2);
  g_assert_cmpuint (lanes_changed, ==, 0);
  g_clear_object (&undo);

  /* Into Bob's lane, one stage on: his now, counted in his lane. */
  undo = crm_change_set_new (f->store);
  g_assert_true (crm_deal_lanes_can_move_to (lanes, b.a2, 1));
  g_assert_true (crm_deal_lanes_move (lanes, b.a2, 1, 1, 0, NULL, undo, &error));
  g_assert_no_error (error);
  deal = crm_store_get (f->store, CRM_TYPE_DEAL, b.a2, &error);
  g_assert_cmpstr (crm_record_get_owner_id (deal), ==, BOB);
  g_assert_cmpstr (crm_record_get_string (deal, "stage_id"), ==, b.stages[1]);
  g_clear_object (&deal);
  assert_titles (lanes, 1, 1, "A2");
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 0), ==, 1);
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 1), ==, 3);
  g_assert_cmpint (crm_deal_lanes_get_amount (lanes, 1), ==, 50020000);

  /* One undo puts back both the owner and the stage. */
  g_assert_true (crm_change_set_revert (undo, &error));
  g_assert_no_error (error);
  g_assert_true (crm_deal_board_reload (board, &error));
  deal = crm_store_get (f->store, CRM_TYPE_DEAL, b.a2, &error);
  g_assert_cmpstr (crm_record_get_owner_id (deal), ==, ALICE);
  g_assert_cmpstr (crm_record_get_string (deal, "stage_id"), ==, b.stages[0]);
  g_clear_object (&deal);
  assert_titles (lanes, 0, 0, "A2");
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 1), ==, 2);

  /* Nobody's lane does not take deals: nothing changes. */
  g_assert_false (crm_deal_lanes_can_move_to (lanes, b.a2, 2));
  g_assert_false (crm_deal_lanes_move (lanes, b.a2, 2, 1, 0, NULL, NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (crm_deal_lanes_can_move_to (lanes, b.a2, 99));
  deal = crm_store_get (f->store, CRM_TYPE_DEAL, b.a2, &error);
  g_assert_cmpstr (crm_record_get_owner_id (deal), ==, ALICE);
  g_clear_object (&deal);

  /* The last deals of a lane handed on: the lane goes. */
  g_clear_object (&undo);
  undo = crm_change_set_new (f->store);
  g_assert_true (crm_deal_lanes_move (lanes, b.a1, 1, 2, CRM_DEAL_BOARD_KEEP_ORDER, NULL, undo, &error));
  g_assert_true (crm_deal_lanes_move (lanes, b.a2, 1, 0, CRM_DEAL_BOARD_KEEP_ORDER, NULL, undo, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 2);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 0), ==, "Bob");
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 0), ==, 4);
  g_assert_cmpuint (lanes_changed, >=, 1);

  /* Other groupings never change a deal's lane by a drop. */
  crm_deal_lanes_set_group (lanes, CRM_DEAL_GROUP_CURRENCY);
  g_assert_false (crm_deal_lanes_can_move_to (lanes, b.a1, 1));
  g_assert_false (crm_deal_lanes_move (lanes, b.a1, 1, 0, 0, NULL, NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

/* Other fields: currency (the board's first, each lane summed in its
 * own), expected close month (kept once a deal is closed), amount band. */
static void
test_other_groups (StoreFixture  *f,
                   gconstpointer  data)
{
  g_auto(Board) b = { 0 };
  g_autoptr(CrmDealBoard) board = NULL;
  g_autoptr(CrmDealLanes) lanes = NULL;
  g_autoptr(GError) error = NULL;

  make_board (f->store, &b);
  board = open_board (f->store);
  lanes = crm_deal_lanes_new (board);

  crm_deal_lanes_set_group (lanes, CRM_DEAL_GROUP_CURRENCY);
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 2);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 0), ==, "CNY");
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 0), ==, 4);
  g_assert_cmpint (crm_deal_lanes_get_amount (lanes, 0), ==, 51027000);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 1), ==, "USD");
  g_assert_cmpstr (crm_deal_lanes_get_currency (lanes, 1), ==, "USD");
  g_assert_cmpint (crm_deal_lanes_get_amount (lanes, 1), ==, 300000000);

  crm_deal_lanes_set_group (lanes, CRM_DEAL_GROUP_CLOSE_MONTH);
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 3);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 0), ==, "2031-05");
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 0), ==, 3);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 1), ==, "2031-06");
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 2), ==, "No expected close date");
  /* Won today: closed in another month, still in its expected month. */
  g_assert_true (crm_deal_lanes_move (lanes, b.a2, 1, 3, CRM_DEAL_BOARD_KEEP_ORDER, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_titles (lanes, 1, 3, "A2");
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 3);

  crm_deal_lanes_set_group (lanes, CRM_DEAL_GROUP_AMOUNT);
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 4);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 0), ==, "1,000,000 and more");
  assert_titles (lanes, 0, 2, "B2");
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 1), ==, "100,000 to 1,000,000");
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 2), ==, "10,000 to 100,000");
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 3), ==, "Under 10,000");
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 3), ==, 2);
  g_assert_cmpint (crm_deal_lanes_get_amount (lanes, 3), ==, 27000);
}

/* Lanes follow the store through the board's reload: a deal handed to
 * someone elsewhere (another window, a sync) changes lanes; a filter
 * that hides every deal of a lane removes it. */
static void
test_follows_board (StoreFixture  *f,
                    gconstpointer  data)
{
  g_auto(Board) b = { 0 };
  g_autoptr(CrmDealBoard) board = NULL;
  g_autoptr(CrmDealLanes) lanes = NULL;
  g_autoptr(CrmRecord) deal = NULL;
  g_autoptr(GError) error = NULL;

  make_board (f->store, &b);
  board = open_board (f->store);
  lanes = crm_deal_lanes_new (board);
  crm_deal_lanes_set_group (lanes, CRM_DEAL_GROUP_OWNER);

  deal = crm_store_get (f->store, CRM_TYPE_DEAL, b.n1, &error);
  crm_record_set_owner_id (deal, BOB);
  g_assert_true (crm_store_update (f->store, deal, &error));
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 2);
  assert_titles (lanes, 1, 3, "N1");
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 1), ==, 3);

  crm_deal_board_set_min_amount (board, 1000000);
  g_assert_true (crm_deal_board_reload (board, &error));
  assert_titles (lanes, 1, 0, "");
  g_assert_cmpuint (crm_deal_lanes_get_n_deals (lanes, 1), ==, 1);
  crm_deal_board_set_max_amount (board, 60000000);
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 1);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 0), ==, "Alice");
}

/* Owners' lanes in pinyin order, Latin names among them, whatever the
 * locale: 安娜 (an), Bob, 李娜 (li), 张伟 (zhang). */
static void
test_pinyin_order (StoreFixture  *f,
                   gconstpointer  data)
{
  static const struct { const char *id; const char *name; } owners[] = {
    { "0190a0a0-0000-7000-8000-0000000000c1", "张伟" },
    { "0190a0a0-0000-7000-8000-0000000000c2", "Bob" },
    { "0190a0a0-0000-7000-8000-0000000000c3", "李娜" },
    { "0190a0a0-0000-7000-8000-0000000000c4", "安娜" },
  };
  static const char * const expected[] = { "安娜", "Bob", "李娜", "张伟" };
  g_auto(Board) b = { 0 };
  g_autoptr(CrmPipeline) pipeline = crm_pipeline_new ();
  g_autoptr(CrmDealBoard) board = NULL;
  g_autoptr(CrmDealLanes) lanes = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (pipeline, "name", "销售", "is-default", TRUE, NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (pipeline), &error));
  b.pipeline = g_strdup (crm_record_get_id (CRM_RECORD (pipeline)));
  b.stages[0] = add_stage (f->store, b.pipeline, "初步接触", 0, 10, FALSE, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (owners); i++)
    {
      g_autofree char *id = NULL;

      add_user (f->store, owners[i].id, owners[i].name);
      id = add_deal (f->store, &b, 0, owners[i].name, 100000, "CNY", NULL, owners[i].id, 0);
    }
  board = open_board (f->store);
  lanes = crm_deal_lanes_new (board);
  crm_deal_lanes_set_group (lanes, CRM_DEAL_GROUP_OWNER);
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (crm_deal_lanes_get_label (lanes, i), ==, expected[i]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deal-lanes/group-strings", test_group_strings);
  STORE_TEST ("/deal-lanes/by-owner", test_by_owner);
  STORE_TEST ("/deal-lanes/moves", test_moves);
  STORE_TEST ("/deal-lanes/other-groups", test_other_groups);
  STORE_TEST ("/deal-lanes/follows-board", test_follows_board);
  STORE_TEST ("/deal-lanes/pinyin-order", test_pinyin_order);

  return g_test_run ();
}
