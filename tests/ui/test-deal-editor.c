/* test-deal-editor.c: the deal editor's products, tasks and activity, driven through its actions from the Pipeline page */

#include "config.h"

#include <glib/gstdio.h>

#include "crm-context.h"
#include "crm-contact.h"
#include "crm-deal-board.h"
#include "crm-deal-card.h"
#include "crm-deal-editor.h"
#include "crm-deal-products.h"
#include "crm-deal.h"
#include "crm-pipeline-page.h"
#include "crm-reminders.h"
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

static void
activate (Fixture    *f,
          const char *action,
          GVariant   *parameter)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->page), action, parameter));
  crm_test_ui_iterate ();
}

static void
edit (GtkWindow  *editor,
      const char *field,
      const char *text)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.set-field", "(ss)", field, text));
}

static void
save (Fixture   *f,
      GtkWindow *editor)
{
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  crm_test_ui_iterate ();
  /* Saved and closed. */
  g_assert_null (editor);
}

static GtkWindow *
open_deal (Fixture    *f,
           const char *deal_id)
{
  GtkWindow *editor;

  activate (f, "pipeline.edit-deal", g_variant_new_string (deal_id));
  editor = crm_pipeline_page_get_editor (f->page);
  g_assert_true (CRM_IS_DEAL_EDITOR (editor));
  return editor;
}

static gint64
query_int (Fixture    *f,
           const char *sql,
           const char *id)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (f->store, sql, NULL);

  g_assert_nonnull (stmt);
  crm_stmt_bind_text (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
yesterday (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -1);

  return g_date_time_format (then, "%Y-%m-%d");
}

/* Two product lines added to a saved deal, saved, seen again on reopening;
 * the amount follows them; a task added and ticked off; undo of the save
 * takes the lines away and puts the amount back. */
static void
test_products_tasks_undo (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CrmContact) customer = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autofree char *deal_id = NULL;
  g_autofree char *due = yesterday ();
  GtkWindow *editor;
  CrmDealCard *card;

  crm_contact_set_name (customer, "周婷");
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (customer), &error));
  g_assert_no_error (error);
  activate (f, "pipeline.create-default-pipeline", NULL);

  /* A deal typed by hand first. */
  activate (f, "pipeline.new-deal", NULL);
  editor = crm_pipeline_page_get_editor (f->page);
  edit (editor, "title", "茶叶年度采购");
  edit (editor, "amount", "5000");
  edit (editor, "contact_id", crm_record_get_id (CRM_RECORD (customer)));
  edit (editor, "notes", "客户每年春茶上市前订货。");
  crm_test_ui_save_screenshot (GTK_WIDGET (editor), "deal-editor-details");
  save (f, editor);
  deal_id = g_strdup (crm_pipeline_page_get_selected_deal (f->page));
  g_assert_nonnull (deal_id);
  g_assert_cmpint (query_int (f, "SELECT amount FROM deals WHERE id = ?", deal_id), ==, 500000);

  /* Two lines: the amount becomes their total. */
  editor = open_deal (f, deal_id);
  g_assert_cmpuint (crm_deal_editor_get_n_products (CRM_DEAL_EDITOR (editor)), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-product", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.set-product", "(isis)",
                                             0, "龙井茶叶 250g", 3, "128.50"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-product", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.set-product", "(isis)",
                                             1, "紫砂茶杯", 10, "15"));
  g_assert_cmpuint (crm_deal_editor_get_n_products (CRM_DEAL_EDITOR (editor)), ==, 2);
  g_assert_cmpstr (crm_deal_editor_get_amount_text (CRM_DEAL_EDITOR (editor)), ==, "535.50");
  crm_test_ui_save_screenshot (GTK_WIDGET (editor), "deal-editor-products");
  save (f, editor);
  g_assert_cmpint (query_int (f, "SELECT count (*) FROM deal_products WHERE deal_id = ? AND deleted = 0", deal_id), ==, 2);
  g_assert_cmpint (query_int (f, "SELECT amount FROM deals WHERE id = ?", deal_id), ==, 53550);

  /* A bad line is refused with a message, and nothing is written. */
  editor = open_deal (f, deal_id);
  g_assert_cmpuint (crm_deal_editor_get_n_products (CRM_DEAL_EDITOR (editor)), ==, 2);
  g_assert_cmpstr (crm_deal_editor_get_amount_text (CRM_DEAL_EDITOR (editor)), ==, "535.50");
  crm_test_ui_save_screenshot (GTK_WIDGET (editor), "deal-editor-details-with-products");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-product", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.set-product", "(isis)", 2, "  ", 1, "9"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  crm_test_ui_iterate ();
  g_assert_true (crm_pipeline_page_get_editor (f->page) == editor);
  g_assert_cmpint (query_int (f, "SELECT count (*) FROM deal_products WHERE deal_id = ?", deal_id), ==, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.remove-product", "i", 2));

  /* A task due yesterday: listed, overdue on the board's card. */
  edit (editor, "page", "activity");
  edit (editor, "task_subject", "发送报价单");
  edit (editor, "task_due", due);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-task", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpuint (crm_deal_editor_get_n_open_tasks (CRM_DEAL_EDITOR (editor)), ==, 1);
  crm_test_ui_save_screenshot (GTK_WIDGET (editor), "deal-editor-activity");
  /* The toast's Undo takes it away; added again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.undo-activity", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpuint (crm_deal_editor_get_n_open_tasks (CRM_DEAL_EDITOR (editor)), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count (*) FROM activities WHERE deal_id = ? AND deleted = 0", deal_id), ==, 0);
  edit (editor, "task_subject", "发送报价单");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-task", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpuint (crm_deal_editor_get_n_open_tasks (CRM_DEAL_EDITOR (editor)), ==, 1);
  tasks = crm_reminders_list_deal_tasks (f->store, deal_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tasks->len, ==, 1);
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (tasks, 0), "contact_id"), ==,
                   crm_record_get_id (CRM_RECORD (customer)));
  card = crm_deal_board_find_deal (crm_pipeline_page_get_board (f->page), deal_id, NULL, NULL);
  g_assert_nonnull (card);
  g_assert_true (crm_deal_card_get_overdue_task (card));

  /* Ticked off: no longer open, no longer overdue. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.task-done", "s",
                                             crm_record_get_id (g_ptr_array_index (tasks, 0))));
  crm_test_ui_iterate ();
  g_assert_cmpuint (crm_deal_editor_get_n_open_tasks (CRM_DEAL_EDITOR (editor)), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count (*) FROM activities WHERE deal_id = ? AND done_at IS NOT NULL", deal_id), ==, 1);
  card = crm_deal_board_find_deal (crm_pipeline_page_get_board (f->page), deal_id, NULL, NULL);
  g_assert_false (crm_deal_card_get_overdue_task (card));

  /* Closed without saving; then undo of the products' save. */
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "window.close", NULL));
  crm_test_ui_iterate ();
  g_assert_null (editor);
  activate (f, "pipeline.undo", NULL);
  g_assert_cmpint (query_int (f, "SELECT count (*) FROM deal_products WHERE deal_id = ? AND deleted = 0", deal_id), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT amount FROM deals WHERE id = ?", deal_id), ==, 500000);
  editor = open_deal (f, deal_id);
  g_assert_cmpuint (crm_deal_editor_get_n_products (CRM_DEAL_EDITOR (editor)), ==, 0);
  g_assert_cmpstr (crm_deal_editor_get_amount_text (CRM_DEAL_EDITOR (editor)), ==, "5000.00");
}

/* A new deal saved with a product line: the line is written with the
 * deal, the amount is its total, and undo takes both away. */
static void
test_new_deal_with_products (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *deal_id = NULL;
  GtkWindow *editor;

  activate (f, "pipeline.create-default-pipeline", NULL);
  activate (f, "pipeline.new-deal", NULL);
  editor = crm_pipeline_page_get_editor (f->page);
  edit (editor, "title", "办公茶水");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-product", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.set-product", "(isis)",
                                             0, "袋泡茶", 4, "1,250.00"));
  g_assert_cmpstr (crm_deal_editor_get_amount_text (CRM_DEAL_EDITOR (editor)), ==, "5000.00");
  /* Removing the only line gives the amount back to the user. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.remove-product", "i", 0));
  g_assert_cmpuint (crm_deal_editor_get_n_products (CRM_DEAL_EDITOR (editor)), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-product", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.set-product", "(isis)",
                                             0, "袋泡茶", 4, "1,250.00"));
  save (f, editor);
  deal_id = g_strdup (crm_pipeline_page_get_selected_deal (f->page));
  g_assert_nonnull (deal_id);
  g_assert_cmpint (query_int (f, "SELECT amount FROM deals WHERE id = ?", deal_id), ==, 500000);
  g_assert_cmpint (query_int (f, "SELECT quantity * unit_price FROM deal_products WHERE deal_id = ?", deal_id), ==, 500000);

  activate (f, "pipeline.undo", NULL);
  g_assert_cmpint (query_int (f, "SELECT count (*) FROM deal_products WHERE deal_id = ? AND deleted = 0", deal_id), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT deleted FROM deals WHERE id = ?", deal_id), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  crm_test_ui_init (&argc, &argv);

  g_test_add ("/deal-editor/products-tasks-undo", Fixture, NULL, fixture_set_up, test_products_tasks_undo, fixture_tear_down);
  g_test_add ("/deal-editor/new-deal-with-products", Fixture, NULL, fixture_set_up, test_new_deal_with_products,
              fixture_tear_down);

  return g_test_run ();
}
