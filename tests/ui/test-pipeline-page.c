/* test-pipeline-page.c: the Pipeline workspace driven through its actions: create a pipeline and deals, move by drop and keyboard, lose with a reason, undo, filters, totals and forecast */

#include "config.h"

#include <glib/gstdio.h>

#include "crm-context.h"
#include "crm-deal-board.h"
#include "crm-deal-card-view.h"
#include "crm-deal-editor.h"
#include "crm-deal-lanes.h"
#include "crm-deal-moves.h"
#include "crm-deal.h"
#include "crm-pipeline-page.h"
#include "crm-store-private.h"
#include "crm-test-ui.h"

typedef struct
{
  char            *dir;
  CrmStore        *store;
  CrmContext      *context;
  GtkWindow       *window;
  CrmPipelinePage *page;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  g_autofree char *path = NULL;

  /* The page remembers its view and lanes; each test starts afresh. */
  g_settings_reset (settings, "pipeline-view");
  g_settings_reset (settings, "pipeline-group-by");
  f->dir = g_dir_make_tmp ("crm-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "crm.db", NULL);
  f->store = crm_store_open (path, &error);
  g_assert_no_error (error);
  f->context = crm_context_new (f->store, settings);

  f->page = g_object_new (CRM_TYPE_PIPELINE_PAGE, NULL);
  crm_pipeline_page_set_context (f->page, f->context);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1400, 800);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);
  crm_test_ui_iterate ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_object_add_weak_pointer (G_OBJECT (f->page), (gpointer *) &f->page);
  crm_test_ui_destroy_window (f->window);
  crm_test_ui_iterate ();
  g_assert_null (f->page);

  g_clear_object (&f->context);
  g_assert_finalize_object (f->store);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static CrmDealBoard *
board (Fixture *f)
{
  return crm_pipeline_page_get_board (f->page);
}

static void
activate (Fixture    *f,
          const char *action,
          GVariant   *parameter)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->page), action, parameter));
  crm_test_ui_iterate ();
}

static void
create_pipeline (Fixture *f)
{
  activate (f, "pipeline.create-default-pipeline", NULL);
  g_assert_cmpuint (crm_deal_board_get_n_stages (board (f)), ==, 6);
}

/* Adds a deal through the editor, as a user would. */
static char *
add_deal (Fixture    *f,
          const char *title,
          const char *amount,
          guint       stage)
{
  GtkWindow *editor;
  g_autofree char *id = NULL;

  activate (f, "pipeline.new-deal", NULL);
  editor = crm_pipeline_page_get_editor (f->page);
  g_assert_true (CRM_IS_DEAL_EDITOR (editor));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.set-field", "(ss)", "title", title));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.set-field", "(ss)", "amount", amount));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.set-field", "(ss)", "expected_close", "2031-05-20"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.set-field", "(ss)",
                                             "stage_id", crm_deal_board_get_stage_id (board (f), stage)));
  id = NULL;
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  crm_test_ui_iterate ();
  /* Saved and closed. */
  g_assert_null (editor);
  g_assert_null (crm_pipeline_page_get_editor (f->page));
  return g_strdup (crm_pipeline_page_get_selected_deal (f->page));
}

static guint
stage_of (Fixture    *f,
          const char *deal_id)
{
  guint stage = G_MAXUINT;

  g_assert_nonnull (crm_deal_board_find_deal (board (f), deal_id, &stage, NULL));
  return stage;
}

static void
test_empty_states (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_cmpstr (crm_pipeline_page_get_view_state (f->page), ==, "no-pipeline");
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->page), "pipeline.new-deal", NULL) &&
                  crm_pipeline_page_get_editor (f->page) != NULL);
  create_pipeline (f);
  g_assert_cmpstr (crm_pipeline_page_get_view_state (f->page), ==, "empty");
  activate (f, "pipeline.view", g_variant_new_string ("list"));
  g_assert_cmpstr (crm_pipeline_page_get_view_state (f->page), ==, "empty");
}

static void
test_create_move_undo (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(CrmDeal) deal = NULL;
  g_autoptr(GError) error = NULL;

  create_pipeline (f);
  a = add_deal (f, "ERP 升级", "10000", 0);
  g_assert_nonnull (a);
  g_assert_cmpstr (crm_pipeline_page_get_view_state (f->page), ==, "board");
  g_assert_cmpuint (stage_of (f, a), ==, 0);
  deal = crm_store_get (f->store, CRM_TYPE_DEAL, a, &error);
  g_assert_no_error (error);
  g_assert_cmpint (crm_record_get_int64 (CRM_RECORD (deal), "amount"), ==, 1000000);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (deal), "expected_close"), ==, "2031-05-20");

  /* Undo of an add removes it. */
  activate (f, "pipeline.undo", NULL);
  g_assert_null (crm_deal_board_find_deal (board (f), a, NULL, NULL));
  g_clear_pointer (&a, g_free);
  a = add_deal (f, "ERP 升级", "10000", 0);

  /* Keyboard: the added deal is selected; Ctrl+Right moves it on. */
  activate (f, "pipeline.move-next", NULL);
  g_assert_cmpuint (stage_of (f, a), ==, 1);
  activate (f, "pipeline.move-next", NULL);
  g_assert_cmpuint (stage_of (f, a), ==, 2);
  activate (f, "pipeline.move-previous", NULL);
  g_assert_cmpuint (stage_of (f, a), ==, 1);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpuint (stage_of (f, a), ==, 2);

  /* What a drop does: a card dropped on another goes before it. */
  b = add_deal (f, "CRM 项目", "30000", 2);
  g_assert_cmpuint (stage_of (f, b), ==, 2);
  {
    guint index = G_MAXUINT;

    crm_deal_board_find_deal (board (f), b, NULL, &index);
    g_assert_cmpuint (index, ==, 1);
  }
  activate (f, "pipeline.move-deal", g_variant_new ("(ssi)", b, crm_deal_board_get_stage_id (board (f), 2), 0));
  {
    guint index = G_MAXUINT;

    crm_deal_board_find_deal (board (f), b, NULL, &index);
    g_assert_cmpuint (index, ==, 0);
  }
  /* Dropped on another column's free space: at its end. */
  activate (f, "pipeline.move-deal", g_variant_new ("(ssi)", b, crm_deal_board_get_stage_id (board (f), 3), -2));
  g_assert_cmpuint (stage_of (f, b), ==, 3);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpuint (stage_of (f, b), ==, 2);

  /* Every move is in the history: created, 0→1, 1→2, 2→1, undo 1→2. */
  g_assert_cmpint (crm_deal_board_get_n_deals (board (f)), ==, 2);
  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (f->store, "SELECT count (*) FROM deal_stage_history WHERE deal_id = ?", &error);

    crm_stmt_bind_text (stmt, 1, a);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 5);
  }
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* The lost stage's menu edits the reasons offered when a deal is lost:
 * a line too long keeps Save off, and the saved list is what the prompt
 * offers next. */
static void
test_lost_reasons (Fixture       *f,
                   gconstpointer  data)
{
  AdwMessageDialog *dialog;
  GtkTextView *view;
  g_autoptr(GString) too_long = g_string_new ("客户");
  g_auto(GStrv) reasons = NULL;

  create_pipeline (f);
  activate (f, "pipeline.edit-lost-reasons", NULL);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  view = GTK_TEXT_VIEW (crm_test_ui_find_descendant (GTK_WIDGET (dialog), GTK_TYPE_TEXT_VIEW));
  g_assert_nonnull (view);

  while (g_utf8_strlen (too_long->str, -1) <= CRM_DEAL_LOST_REASON_MAX_CHARS)
    g_string_append (too_long, "要求太多");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), too_long->str, -1);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "save"));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), "交期太长\n质量顾虑\n", -1);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "save"));
  adw_message_dialog_response (dialog, "save");
  crm_test_ui_iterate ();

  reasons = crm_deal_lost_reasons (f->store);
  g_assert_cmpstrv (reasons, ((const char * const[]) { "交期太长", "质量顾虑", NULL }));
}

static void
test_won_lost (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autoptr(CrmDeal) deal = NULL;
  g_autoptr(GError) error = NULL;

  create_pipeline (f);
  a = add_deal (f, "门店 POS", "5000", 1);

  activate (f, "pipeline.mark-lost", g_variant_new ("(ss)", a, "价格太高"));
  g_assert_true (crm_deal_board_get_stage_is_lost (board (f), stage_of (f, a)));
  deal = crm_store_get (f->store, CRM_TYPE_DEAL, a, &error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (deal), "lost_reason"), ==, "价格太高");
  g_assert_nonnull (crm_record_get_string (CRM_RECORD (deal), "closed_at"));
  g_clear_object (&deal);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpuint (stage_of (f, a), ==, 1);

  activate (f, "pipeline.mark-won", g_variant_new_string (a));
  g_assert_true (crm_deal_board_get_stage_is_won (board (f), stage_of (f, a)));
  /* A won deal leaves the open total. */
  g_assert_cmpuint (crm_deal_board_get_n_open (board (f)), ==, 0);
}

static void
test_totals_and_filters (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(CrmDeal) deal = NULL;
  g_autoptr(GError) error = NULL;
  const char *summary;

  create_pipeline (f);
  /* 10 % of 1,000 + 50 % of 20,000 = 10,100 weighted of 21,000. */
  a = add_deal (f, "A", "1000", 0);
  b = add_deal (f, "B", "20000", 2);
  g_assert_cmpint (crm_deal_board_get_weighted_amount (board (f)), ==, 1010000);
  g_assert_cmpint (crm_deal_board_get_stage_weighted (board (f), 2), ==, 1000000);
  summary = crm_pipeline_page_get_summary (f->page);
  g_assert_nonnull (strstr (summary, "2 open deals"));
  g_assert_nonnull (strstr (summary, "¥21,000.00"));
  g_assert_nonnull (strstr (summary, "weighted ¥10,100.00"));

  /* Owner filter: nobody owns B. */
  deal = crm_store_get (f->store, CRM_TYPE_DEAL, a, &error);
  crm_record_set_owner_id (CRM_RECORD (deal), "0190a0a0-0000-7000-8000-000000000001");
  g_assert_true (crm_store_update (f->store, CRM_RECORD (deal), &error));
  crm_test_ui_iterate ();
  activate (f, "pipeline.filter-owner", g_variant_new_string ("0190a0a0-0000-7000-8000-000000000001"));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 1);
  g_assert_nonnull (strstr (crm_pipeline_page_get_summary (f->page), "weighted ¥100.00"));
  activate (f, "pipeline.filter-owner", g_variant_new_string (""));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 2);

  /* Period: both close in 2031, not this month. */
  activate (f, "pipeline.filter-period", g_variant_new_string ("this-month"));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 0);
  g_assert_cmpstr (crm_pipeline_page_get_view_state (f->page), ==, "board");
  activate (f, "pipeline.filter-period", g_variant_new_string ("all"));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 2);

  /* The same deals as a list. */
  activate (f, "pipeline.view", g_variant_new_string ("list"));
  g_assert_cmpstr (crm_pipeline_page_get_view_state (f->page), ==, "list");

  /* Printed to a PDF through GtkPrintOperation. */
  {
    g_autofree char *pdf = g_build_filename (f->dir, "pipeline.pdf", NULL);
    g_autofree char *contents = NULL;
    gsize length = 0;

    activate (f, "pipeline.export-pdf", g_variant_new_string (pdf));
    g_assert_true (g_file_get_contents (pdf, &contents, &length, &error));
    g_assert_true (g_str_has_prefix (contents, "%PDF"));
    g_assert_cmpuint (length, >, 1000);
  }

  /* Delete and undo. */
  activate (f, "pipeline.delete-deal", g_variant_new_string (b));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 1);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 2);
}

static void
test_stages (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  create_pipeline (f);
  a = add_deal (f, "A", "1000", 0);
  first = g_strdup (crm_deal_board_get_stage_id (board (f), 0));
  second = g_strdup (crm_deal_board_get_stage_id (board (f), 1));

  activate (f, "pipeline.rename-stage", g_variant_new ("(ss)", first, "线索"));
  g_assert_cmpstr (crm_deal_board_get_stage_name (board (f), 0), ==, "线索");
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpstr (crm_deal_board_get_stage_name (board (f), 0), !=, "线索");

  /* Added right after the first, halfway between 10 % and 25 %. */
  activate (f, "pipeline.add-stage", g_variant_new ("(ss)", first, "样品试用"));
  g_assert_cmpuint (crm_deal_board_get_n_stages (board (f)), ==, 7);
  g_assert_cmpstr (crm_deal_board_get_stage_name (board (f), 1), ==, "样品试用");
  g_assert_cmpint (crm_deal_board_get_stage_probability (board (f), 1), ==, 17);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpuint (crm_deal_board_get_n_stages (board (f)), ==, 6);

  activate (f, "pipeline.move-stage-right", g_variant_new_string (first));
  g_assert_cmpstr (crm_deal_board_get_stage_id (board (f), 1), ==, first);
  g_assert_cmpstr (crm_deal_board_get_stage_id (board (f), 0), ==, second);

  /* Deleting a stage moves its deal; undo brings both back. */
  activate (f, "pipeline.delete-stage", g_variant_new ("(ss)", first, second));
  g_assert_cmpuint (crm_deal_board_get_n_stages (board (f)), ==, 5);
  g_assert_cmpstr (crm_deal_board_get_stage_id (board (f), stage_of (f, a)), ==, second);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpuint (crm_deal_board_get_n_stages (board (f)), ==, 6);
  g_assert_cmpstr (crm_deal_board_get_stage_id (board (f), stage_of (f, a)), ==, first);
}

static void
collect_card_views (GtkWidget *widget,
                    GPtrArray *views)
{
  if (CRM_IS_DEAL_CARD_VIEW (widget))
    g_ptr_array_add (views, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_card_views (child, views);
}

/* The drawn card of @deal_id on the board, NULL if none shows it. */
static CrmDealCardView *
find_card_view (Fixture    *f,
                const char *deal_id)
{
  g_autoptr(GPtrArray) views = g_ptr_array_new ();

  collect_card_views (GTK_WIDGET (f->page), views);
  for (guint i = 0; i < views->len; i++)
    {
      CrmDealCardView *view = g_ptr_array_index (views, i);

      if (crm_deal_card_view_get_card (view) != NULL &&
          g_strcmp0 (crm_deal_card_get_id (crm_deal_card_view_get_card (view)), deal_id) == 0)
        return view;
    }
  return NULL;
}

static int
measure_height (GtkWidget *widget)
{
  int height = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, 240, &height, NULL, NULL, NULL);
  return height;
}

/* A card is one widget: a screen reader hears title, customer and
 * amount; it follows its deal across a move; its height does not
 * depend on its texts, so measuring it shapes none. */
static void
test_card_view (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *long_title = NULL;
  CrmDealCardView *view;
  CrmDealCard *card;
  GtkWidget *lone;

  create_pipeline (f);
  a = add_deal (f, "ERP 升级", "10000", 0);
  view = find_card_view (f, a);
  g_assert_nonnull (view);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (view), "deal-card"));
  g_assert_nonnull (strstr (crm_deal_card_view_get_label (view), "ERP 升级"));
  g_assert_nonnull (strstr (crm_deal_card_view_get_label (view), "No customer"));
  g_assert_nonnull (strstr (crm_deal_card_view_get_label (view), "10,000.00"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       crm_deal_card_view_get_label (view));
  /* The row, which takes the keyboard focus, says the same. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (gtk_widget_get_parent (GTK_WIDGET (view))),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, crm_deal_card_view_get_label (view));

  /* Moved on by keyboard: the next column draws it, the first none. */
  activate (f, "pipeline.move-next", NULL);
  g_assert_cmpuint (stage_of (f, a), ==, 1);
  view = find_card_view (f, a);
  g_assert_nonnull (view);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (gtk_widget_get_ancestor (GTK_WIDGET (view), GTK_TYPE_LIST_VIEW)),
                                                        "stage")), ==, 1);

  /* A title far wider than a column is cut, not wrapped: same height. */
  long_title = g_strnfill (400, 'W');
  b = add_deal (f, long_title, "1", 1);
  g_assert_cmpint (measure_height (GTK_WIDGET (find_card_view (f, b))), ==, measure_height (GTK_WIDGET (view)));
  g_assert_cmpint (measure_height (GTK_WIDGET (view)), >, 0);

  /* A card view given no deal says nothing and draws nothing. */
  card = crm_deal_board_find_deal (board (f), a, NULL, NULL);
  lone = g_object_ref_sink (crm_deal_card_view_new ());
  g_assert_null (crm_deal_card_view_get_label (CRM_DEAL_CARD_VIEW (lone)));
  crm_deal_card_view_set_card (CRM_DEAL_CARD_VIEW (lone), card);
  g_assert_true (crm_deal_card_view_get_card (CRM_DEAL_CARD_VIEW (lone)) == card);
  g_assert_cmpstr (crm_deal_card_view_get_label (CRM_DEAL_CARD_VIEW (lone)), ==, crm_deal_card_view_get_label (view));
  crm_deal_card_view_set_card (CRM_DEAL_CARD_VIEW (lone), NULL);
  g_assert_null (crm_deal_card_view_get_label (CRM_DEAL_CARD_VIEW (lone)));
  g_assert_finalize_object (lone);
}


#define ALICE "0190a0a0-0000-7000-8000-00000000000a"
#define BOB   "0190a0a0-0000-7000-8000-00000000000b"

static void
add_user (Fixture    *f,
          const char *id,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCachedStmt) stmt =
    crm_store_prepare (f->store, "INSERT INTO users (id, created_at, updated_at, username, display_name)"
                                 " VALUES (?1, '2030-01-01T00:00:00Z', '2030-01-01T00:00:00Z', ?2, ?2)", &error);

  g_assert_no_error (error);
  crm_stmt_bind_text (stmt, 1, id);
  crm_stmt_bind_text (stmt, 2, name);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

static void
set_owner (Fixture    *f,
           const char *deal_id,
           const char *owner)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmRecord) deal = crm_store_get (f->store, CRM_TYPE_DEAL, deal_id, &error);

  g_assert_no_error (error);
  crm_record_set_owner_id (deal, owner);
  g_assert_true (crm_store_update (f->store, deal, &error));
  g_assert_no_error (error);
  crm_test_ui_iterate ();
}

static char *
owner_of (Fixture    *f,
          const char *deal_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmRecord) deal = crm_store_get (f->store, CRM_TYPE_DEAL, deal_id, &error);

  g_assert_no_error (error);
  return g_strdup (crm_record_get_owner_id (deal));
}

static gint64
count_rows (Fixture    *f,
            const char *sql,
            const char *arg)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (f->store, sql, &error);

  g_assert_no_error (error);
  if (arg != NULL)
    crm_stmt_bind_text (stmt, 1, arg);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* The lane a drawn card is in (-1 on the ungrouped board). */
static int
lane_of_view (CrmDealCardView *view)
{
  GtkWidget *list = gtk_widget_get_ancestor (GTK_WIDGET (view), GTK_TYPE_LIST_VIEW);

  return (int) GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (list), "lane")) - 1;
}

/* Lanes by owner: a lane per owner with their cards, moves within a lane
 * keep it there, a move to Bob's lane hands the deal to him (one undo),
 * nobody's lane refuses it, and the choice is remembered. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A column shows its first 30 cards, a lane's cell its first 20, and
 * each offers the rest; selecting a deal past them shows them all. */
static void
test_show_more (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) views = g_ptr_array_new ();
  GtkWidget *more;

  create_pipeline (f);
  for (guint i = 0; i < 31; i++)
    {
      g_autofree char *title = g_strdup_printf ("Deal %02u", i + 1);

      g_ptr_array_add (ids, add_deal (f, title, "100", 0));
    }
  activate (f, "pipeline.edit-deal", g_variant_new_string (g_ptr_array_index (ids, 0)));
  gtk_window_destroy (crm_pipeline_page_get_editor (f->page));
  crm_test_ui_iterate ();

  /* The board's column, built anew (saving the 31st deal showed it all). */
  activate (f, "pipeline.group-by", g_variant_new_string ("owner"));
  activate (f, "pipeline.group-by", g_variant_new_string ("none"));
  crm_test_ui_iterate ();
  collect_card_views (GTK_WIDGET (f->page), views);
  g_assert_cmpuint (views->len, ==, 30);
  g_assert_null (find_card_view (f, g_ptr_array_index (ids, 30)));
  more = find_button (GTK_WIDGET (f->page), "Show 1 More");
  g_assert_nonnull (more);
  g_signal_emit_by_name (more, "clicked");
  crm_test_ui_iterate ();
  g_assert_nonnull (find_card_view (f, g_ptr_array_index (ids, 30)));
  g_assert_false (gtk_widget_get_visible (more));

  /* A lane's cell. */
  activate (f, "pipeline.group-by", g_variant_new_string ("owner"));
  crm_test_ui_iterate ();
  g_ptr_array_set_size (views, 0);
  collect_card_views (GTK_WIDGET (f->page), views);
  g_assert_cmpuint (views->len, ==, 20);
  g_assert_null (find_card_view (f, g_ptr_array_index (ids, 24)));
  more = find_button (GTK_WIDGET (f->page), "Show 11 More");
  g_assert_nonnull (more);
  g_assert_true (gtk_widget_get_visible (more));
  g_signal_emit_by_name (more, "clicked");
  crm_test_ui_iterate ();
  g_assert_nonnull (find_card_view (f, g_ptr_array_index (ids, 24)));
  g_assert_false (gtk_widget_get_visible (more));

  /* Regrouped with the 25th deal selected: its cell opens in full. */
  activate (f, "pipeline.group-by", g_variant_new_string ("none"));
  activate (f, "pipeline.edit-deal", g_variant_new_string (g_ptr_array_index (ids, 24)));
  gtk_window_destroy (crm_pipeline_page_get_editor (f->page));
  crm_test_ui_iterate ();
  activate (f, "pipeline.group-by", g_variant_new_string ("owner"));
  crm_test_ui_iterate ();
  g_assert_nonnull (find_card_view (f, g_ptr_array_index (ids, 24)));
}

static void
test_lanes (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *group = NULL;
  CrmDealLanes *lanes;
  CrmDealCardView *view;
  guint lane, stage;

  add_user (f, ALICE, "Alice");
  add_user (f, BOB, "Bob");
  create_pipeline (f);
  a = add_deal (f, "ERP 升级", "10000", 0);
  b = add_deal (f, "CRM 项目", "30000", 1);
  c = add_deal (f, "门店 POS", "5000", 0);
  set_owner (f, a, ALICE);
  set_owner (f, b, BOB);

  activate (f, "pipeline.group-by", g_variant_new_string ("owner"));
  lanes = crm_pipeline_page_get_lanes (f->page);
  group = g_settings_get_string (settings, "pipeline-group-by");
  g_assert_cmpstr (group, ==, "owner");
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 3);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 0), ==, "Alice");
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 1), ==, "Bob");
  g_assert_cmpstr (crm_deal_lanes_get_key (lanes, 2), ==, "");   /* nobody's, last */
  /* Each card is drawn in its lane. */
  view = find_card_view (f, a);
  g_assert_nonnull (view);
  g_assert_cmpint (lane_of_view (view), ==, 0);
  g_assert_cmpint (lane_of_view (find_card_view (f, b)), ==, 1);
  g_assert_cmpint (lane_of_view (find_card_view (f, c)), ==, 2);
  crm_test_ui_save_screenshot (GTK_WIDGET (f->window), "pipeline-lanes-by-owner");

  /* Keyboard: the selected deal moves on, in its lane. */
  activate (f, "pipeline.edit-deal", g_variant_new_string (a));
  gtk_window_destroy (crm_pipeline_page_get_editor (f->page));
  crm_test_ui_iterate ();
  activate (f, "pipeline.move-next", NULL);
  g_assert_true (crm_deal_lanes_find_deal (lanes, a, &lane, &stage, NULL));
  g_assert_cmpuint (lane, ==, 0);
  g_assert_cmpuint (stage, ==, 1);
  g_assert_cmpint (lane_of_view (find_card_view (f, a)), ==, 0);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (gtk_widget_get_ancestor (GTK_WIDGET (find_card_view (f, a)),
                                                                                           GTK_TYPE_LIST_VIEW)), "stage")), ==, 1);
  /* A drop within the lane, at its cell's end. */
  activate (f, "pipeline.move-to-lane", g_variant_new ("(sssi)", a, ALICE, crm_deal_board_get_stage_id (board (f), 2), -2));
  g_assert_true (crm_deal_lanes_find_deal (lanes, a, &lane, &stage, NULL));
  g_assert_cmpuint (lane, ==, 0);
  g_assert_cmpuint (stage, ==, 2);
  g_clear_pointer (&owner, g_free);
  owner = owner_of (f, a);
  g_assert_cmpstr (owner, ==, ALICE);

  /* Dropped in Bob's lane: handed to him; undo gives it back to Alice,
   * in the stage it came from. */
  activate (f, "pipeline.move-to-lane", g_variant_new ("(sssi)", a, BOB, crm_deal_board_get_stage_id (board (f), 1), 0));
  g_clear_pointer (&owner, g_free);
  owner = owner_of (f, a);
  g_assert_cmpstr (owner, ==, BOB);
  g_assert_cmpstr (crm_deal_lanes_get_label (lanes, 0), ==, "Bob");
  g_assert_true (crm_deal_lanes_find_deal (lanes, a, &lane, &stage, NULL));
  g_assert_cmpuint (stage, ==, 1);
  g_assert_cmpint (lane_of_view (find_card_view (f, a)), ==, (int) lane);
  activate (f, "pipeline.undo", NULL);
  g_clear_pointer (&owner, g_free);
  owner = owner_of (f, a);
  g_assert_cmpstr (owner, ==, ALICE);
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 3);
  g_assert_true (crm_deal_lanes_find_deal (lanes, a, &lane, &stage, NULL));
  g_assert_cmpuint (lane, ==, 0);
  g_assert_cmpuint (stage, ==, 2);

  /* Nobody's lane does not take it. */
  activate (f, "pipeline.move-to-lane", g_variant_new ("(sssi)", a, "", crm_deal_board_get_stage_id (board (f), 0), 0));
  g_clear_pointer (&owner, g_free);
  owner = owner_of (f, a);
  g_assert_cmpstr (owner, ==, ALICE);
  g_assert_cmpuint (stage_of (f, a), ==, 2);

  /* An unknown grouping changes nothing; none brings the columns back. */
  activate (f, "pipeline.group-by", g_variant_new_string ("title"));
  g_assert_cmpuint (crm_deal_lanes_get_group (lanes), ==, CRM_DEAL_GROUP_OWNER);
  activate (f, "pipeline.group-by", g_variant_new_string ("none"));
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 0);
  g_assert_cmpint (lane_of_view (find_card_view (f, a)), ==, -1);
  activate (f, "pipeline.group-by", g_variant_new_string ("amount"));
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (lanes), ==, 2);
  g_assert_cmpint (lane_of_view (find_card_view (f, b)), ==, 0);
}

/* A page opened later shows the lanes chosen before. */
static void
test_lanes_remembered (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  CrmPipelinePage *page;
  g_autofree char *a = NULL;

  create_pipeline (f);
  a = add_deal (f, "ERP 升级", "10000", 0);
  g_settings_set_string (settings, "pipeline-group-by", "close-month");
  page = g_object_ref_sink (g_object_new (CRM_TYPE_PIPELINE_PAGE, NULL));
  crm_pipeline_page_set_context (page, f->context);
  crm_test_ui_iterate ();
  g_assert_cmpuint (crm_deal_lanes_get_group (crm_pipeline_page_get_lanes (page)), ==, CRM_DEAL_GROUP_CLOSE_MONTH);
  g_assert_cmpuint (crm_deal_lanes_get_n_lanes (crm_pipeline_page_get_lanes (page)), ==, 1);
  g_assert_cmpstr (crm_deal_lanes_get_label (crm_pipeline_page_get_lanes (page), 0), ==, "2031-05");
  g_object_unref (page);
}

/* The amount filter hides deals outside its bounds, the header says how
 * many, and Reset Filters shows them all again. */
static void
test_amount_filter (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  create_pipeline (f);
  a = add_deal (f, "A", "1000", 0);
  b = add_deal (f, "B", "20000", 1);
  c = add_deal (f, "C", "5000", 2);
  g_assert_null (strstr (crm_pipeline_page_get_summary (f->page), "hidden"));

  activate (f, "pipeline.filter-amount", g_variant_new ("(xx)", (gint64) 200000, (gint64) 0));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 2);
  g_assert_null (crm_deal_board_find_deal (board (f), a, NULL, NULL));
  g_assert_nonnull (strstr (crm_pipeline_page_get_summary (f->page), "1 deal hidden by filters"));
  /* Bounds given the wrong way round are taken the right way round. */
  activate (f, "pipeline.filter-amount", g_variant_new ("(xx)", (gint64) 1000000, (gint64) 200000));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 1);
  g_assert_nonnull (crm_deal_board_find_deal (board (f), c, NULL, NULL));
  g_assert_nonnull (strstr (crm_pipeline_page_get_summary (f->page), "2 deals hidden by filters"));
  /* With the owner filter too; everything hidden is still the board, not
   * the empty state. */
  activate (f, "pipeline.filter-owner", g_variant_new_string (ALICE));
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 0);
  g_assert_cmpstr (crm_pipeline_page_get_view_state (f->page), ==, "board");
  g_assert_nonnull (strstr (crm_pipeline_page_get_summary (f->page), "3 deals hidden by filters"));

  activate (f, "pipeline.reset-filters", NULL);
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 3);
  g_assert_null (crm_deal_board_get_owner_id (board (f)));

  /* Typed in the popover: junk is refused, saying why; money is read as
   * people write it. */
  {
    GtkEntry *min_entry = GTK_ENTRY (crm_test_ui_find_descendant (GTK_WIDGET (f->page), GTK_TYPE_ENTRY));

    g_assert_nonnull (min_entry);
    gtk_editable_set_text (GTK_EDITABLE (min_entry), "两千");
    g_signal_emit_by_name (min_entry, "activate");
    crm_test_ui_iterate ();
    g_assert_cmpint (crm_deal_board_get_min_amount (board (f)), ==, 0);
    gtk_editable_set_text (GTK_EDITABLE (min_entry), "-5");
    g_signal_emit_by_name (min_entry, "activate");
    crm_test_ui_iterate ();
    g_assert_cmpint (crm_deal_board_get_min_amount (board (f)), ==, 0);
    gtk_editable_set_text (GTK_EDITABLE (min_entry), "2,000");
    g_signal_emit_by_name (min_entry, "activate");
    crm_test_ui_iterate ();
    g_assert_cmpint (crm_deal_board_get_min_amount (board (f)), ==, 200000);
    g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 2);
    activate (f, "pipeline.reset-filters", NULL);
  }
  g_assert_null (crm_deal_board_get_owner_id (board (f)));
  g_assert_cmpint (crm_deal_board_get_min_amount (board (f)), ==, 0);
  g_assert_cmpint (crm_deal_board_get_max_amount (board (f)), ==, 0);
  g_assert_null (strstr (crm_pipeline_page_get_summary (f->page), "hidden"));
}

/* What a click on a response button does: the response, then closing. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  crm_test_ui_iterate ();
}

static GtkSelectionModel *
list_selection (Fixture *f)
{
  GtkColumnView *list = GTK_COLUMN_VIEW (crm_test_ui_find_descendant (GTK_WIDGET (f->page), GTK_TYPE_COLUMN_VIEW));

  g_assert_nonnull (list);
  return gtk_column_view_get_model (list);
}

/* Selects the list rows of the deals @ids (NULL-terminated). */
static void
select_rows (Fixture            *f,
             const char * const *ids)
{
  GtkSelectionModel *selection = list_selection (f);

  gtk_selection_model_unselect_all (selection);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr(CrmDealCard) card = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (g_strv_contains (ids, crm_deal_card_get_id (card)))
        gtk_selection_model_select_item (selection, i, FALSE);
    }
  crm_test_ui_iterate ();
}

static guint
n_selected (Fixture *f)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (list_selection (f));

  return (guint) gtk_bitset_get_size (selected);
}

/* The list selects many rows; moving three is one change set that writes
 * the history and outbox a single move writes, three times, and one undo
 * puts all three back; deleting asks first and is undone in one step. */
static void
test_bulk (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *ids[5] = { NULL };
  const char *three[4];
  gint64 history, outbox, one_move_outbox;
  AdwMessageDialog *dialog;

  add_user (f, ALICE, "Alice");
  create_pipeline (f);
  ids[0] = add_deal (f, "A", "1000", 0);
  ids[1] = add_deal (f, "B", "2000", 0);
  ids[2] = add_deal (f, "C", "3000", 1);
  ids[3] = add_deal (f, "D", "4000", 0);
  three[0] = ids[0];
  three[1] = ids[1];
  three[2] = ids[2];
  three[3] = NULL;

  activate (f, "pipeline.view", g_variant_new_string ("list"));
  g_assert_cmpstr (crm_pipeline_page_get_view_state (f->page), ==, "list");
  /* Nothing selected: nothing to do. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "pipeline.bulk-won", NULL);
  g_assert_cmpuint (crm_deal_board_get_n_open (board (f)), ==, 4);

  select_rows (f, three);
  crm_test_ui_save_screenshot (GTK_WIDGET (f->page), "pipeline-list-selection");
  g_assert_cmpuint (n_selected (f), ==, 3);

  /* What one move writes. */
  outbox = count_rows (f, "SELECT count (*) FROM outbox", NULL);
  activate (f, "pipeline.move-deal", g_variant_new ("(ssi)", ids[3], crm_deal_board_get_stage_id (board (f), 2), -1));
  one_move_outbox = count_rows (f, "SELECT count (*) FROM outbox", NULL) - outbox;
  g_assert_cmpint (one_move_outbox, >, 0);
  activate (f, "pipeline.undo", NULL);

  select_rows (f, three);
  g_assert_cmpuint (n_selected (f), ==, 3);
  history = count_rows (f, "SELECT count (*) FROM deal_stage_history", NULL);
  outbox = count_rows (f, "SELECT count (*) FROM outbox", NULL);
  activate (f, "pipeline.bulk-move", g_variant_new_string (crm_deal_board_get_stage_id (board (f), 3)));
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (stage_of (f, ids[i]), ==, 3);
  g_assert_cmpuint (stage_of (f, ids[3]), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM deal_stage_history", NULL), ==, history + 3);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM outbox", NULL), ==, outbox + 3 * one_move_outbox);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (count_rows (f, "SELECT count (*) FROM deal_stage_history WHERE deal_id = ?1"
                                    " AND to_stage_id = (SELECT stage_id FROM deals WHERE id = ?1)", ids[i]), ==, 1);
  g_assert_cmpuint (n_selected (f), ==, 0);
  /* One undo: all three back where each was. */
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpuint (stage_of (f, ids[0]), ==, 0);
  g_assert_cmpuint (stage_of (f, ids[1]), ==, 0);
  g_assert_cmpuint (stage_of (f, ids[2]), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM deal_stage_history", NULL), ==, history + 6);

  /* Lost, with one reason for all; won. */
  select_rows (f, three);
  activate (f, "pipeline.bulk-lost", g_variant_new_string ("价格太高"));
  for (guint i = 0; i < 3; i++)
    g_assert_true (crm_deal_board_get_stage_is_lost (board (f), stage_of (f, ids[i])));
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM deals WHERE lost_reason = ?", "价格太高"), ==, 3);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM deals WHERE lost_reason IS NOT NULL", NULL), ==, 0);
  /* The prompt asks once for all three. */
  select_rows (f, three);
  activate (f, "pipeline.bulk-lost-prompt", NULL);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "3"));
  respond (dialog, "lost");
  crm_test_ui_iterate ();
  for (guint i = 0; i < 3; i++)
    g_assert_true (crm_deal_board_get_stage_is_lost (board (f), stage_of (f, ids[i])));
  activate (f, "pipeline.undo", NULL);
  select_rows (f, three);
  activate (f, "pipeline.bulk-won", NULL);
  g_assert_cmpuint (crm_deal_board_get_n_open (board (f)), ==, 1);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpuint (crm_deal_board_get_n_open (board (f)), ==, 4);

  /* Assign and undo. */
  select_rows (f, three);
  activate (f, "pipeline.bulk-assign", g_variant_new_string (ALICE));
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM deals WHERE owner_id = ?", ALICE), ==, 3);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM deals WHERE owner_id = ?", ALICE), ==, 0);

  /* Ctrl+A selects every row; Delete asks first; Cancel keeps them. */
  activate (f, "pipeline.select-all", NULL);
  g_assert_cmpuint (n_selected (f), ==, 4);
  select_rows (f, three);
  activate (f, "pipeline.delete-selected", NULL);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "3"));
  respond (dialog, "cancel");
  crm_test_ui_iterate ();
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 4);
  activate (f, "pipeline.delete-selected", NULL);
  dialog = find_message_dialog ();
  respond (dialog, "delete");
  crm_test_ui_iterate ();
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM deals WHERE deleted = 1", NULL), ==, 3);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpuint (crm_deal_board_get_n_deals (board (f)), ==, 4);
  g_assert_cmpint (count_rows (f, "SELECT count (*) FROM deals WHERE deleted = 1", NULL), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  /* The test accessibility backend records what a card tells a screen reader. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  crm_test_ui_init (&argc, &argv);

  g_test_add ("/pipeline-page/empty-states", Fixture, NULL, fixture_set_up, test_empty_states, fixture_tear_down);
  g_test_add ("/pipeline-page/create-move-undo", Fixture, NULL, fixture_set_up, test_create_move_undo, fixture_tear_down);
  g_test_add ("/pipeline-page/won-lost", Fixture, NULL, fixture_set_up, test_won_lost, fixture_tear_down);
  g_test_add ("/pipeline-page/lost-reasons", Fixture, NULL, fixture_set_up, test_lost_reasons, fixture_tear_down);
  g_test_add ("/pipeline-page/stages", Fixture, NULL, fixture_set_up, test_stages, fixture_tear_down);
  g_test_add ("/pipeline-page/card-view", Fixture, NULL, fixture_set_up, test_card_view, fixture_tear_down);
  g_test_add ("/pipeline-page/totals-and-filters", Fixture, NULL, fixture_set_up, test_totals_and_filters, fixture_tear_down);
  g_test_add ("/pipeline-page/lanes", Fixture, NULL, fixture_set_up, test_lanes, fixture_tear_down);
  g_test_add ("/pipeline-page/show-more", Fixture, NULL, fixture_set_up, test_show_more, fixture_tear_down);
  g_test_add ("/pipeline-page/lanes-remembered", Fixture, NULL, fixture_set_up, test_lanes_remembered, fixture_tear_down);
  g_test_add ("/pipeline-page/amount-filter", Fixture, NULL, fixture_set_up, test_amount_filter, fixture_tear_down);
  g_test_add ("/pipeline-page/bulk", Fixture, NULL, fixture_set_up, test_bulk, fixture_tear_down);

  return g_test_run ();
}
