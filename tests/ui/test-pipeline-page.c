/* test-pipeline-page.c: the Pipeline workspace driven through its actions: create a pipeline and deals, move by drop and keyboard, lose with a reason, undo, filters, totals and forecast */

#include "config.h"

#include <glib/gstdio.h>

#include "crm-context.h"
#include "crm-deal-board.h"
#include "crm-deal-card-view.h"
#include "crm-deal-editor.h"
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

  return g_test_run ();
}
