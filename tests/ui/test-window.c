/* test-window.c: the main window opens, every workspace is reachable by its action, state is remembered */

#include "config.h"

#include <glib/gstdio.h>

#include "crm-application.h"
#include "crm-contact-search.h"
#include "crm-contacts-page.h"
#include "crm-context.h"
#include "crm-pipeline-page.h"
#include "crm-test-ui.h"
#include "crm-window.h"

static const char * const workspaces[] = {
  "dashboard", "contacts", "pipeline", "campaigns", "surveys", "service", "reports",
};

/* One registered application for the whole program, as in the real app. */
static CrmApplication *app;

/* A window works on a real database: a fresh one in a temporary folder. */
typedef struct
{
  char       *dir;
  CrmContext *context;
} TempContext;

static void
temp_context_open (TempContext *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *path = NULL;

  t->dir = g_dir_make_tmp ("crm-window-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (t->dir, "crm.db", NULL);
  store = crm_store_open (path, &error);
  g_assert_no_error (error);
  t->context = crm_context_new (store, settings);
}

static void
temp_context_close (TempContext *t)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_assert_finalize_object (t->context);
  dir = g_dir_open (t->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (t->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (t->dir);
  g_free (t->dir);
}

static gboolean
window_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
test_window_workspaces (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  TempContext t = { 0 };
  CrmWindow *window;
  CrmPipelinePage *pipeline;

  g_settings_set_string (settings, "last-workspace", "contacts");
  temp_context_open (&t);
  window = crm_window_new (ADW_APPLICATION (app), t.context);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *)&window);
  gtk_window_present (GTK_WINDOW (window));
  crm_test_ui_wait_until (window_is_mapped, window);

  /* A workspace not yet shown has not read anything (its board is made
   * with the context); it does once shown. */
  pipeline = CRM_PIPELINE_PAGE (crm_test_ui_find_descendant (GTK_WIDGET (window), CRM_TYPE_PIPELINE_PAGE));
  g_assert_nonnull (pipeline);
  g_assert_null (crm_pipeline_page_get_board (pipeline));

  for (guint i = 0; i < G_N_ELEMENTS (workspaces); i++)
    {
      g_autofree char *saved = NULL;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.workspace", "s", workspaces[i]));
      crm_test_ui_iterate ();
      g_assert_cmpstr (crm_window_get_visible_workspace (window), ==, workspaces[i]);

      saved = g_settings_get_string (settings, "last-workspace");
      g_assert_cmpstr (saved, ==, workspaces[i]);
    }
  g_assert_nonnull (crm_pipeline_page_get_board (pipeline));

  /* An unknown workspace is refused and the visible one stays. */
  g_test_expect_message ("Crm", G_LOG_LEVEL_WARNING, "*No workspace named*");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.workspace", "s", "no-such-workspace");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (crm_window_get_visible_workspace (window), ==, "reports");

  /* The contacts workspace works on the window's database. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.workspace", "s", "contacts");
  g_assert_true (gtk_widget_activate_action (crm_test_ui_find_descendant (GTK_WIDGET (window), CRM_TYPE_CONTACTS_PAGE),
                                             "contacts.new", NULL));
  crm_test_ui_iterate ();
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) ids = crm_contact_search (crm_context_get_store (t.context), "", 10, 0, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (ids->len, ==, 1);
  }

  gtk_window_close (GTK_WINDOW (window));
  crm_test_ui_iterate ();
  g_assert_null (window);
  temp_context_close (&t);
}

static void
test_window_restores_state (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  TempContext t = { 0 };
  CrmWindow *window;
  int width, height;

  g_settings_set_string (settings, "last-workspace", "pipeline");
  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 640);

  temp_context_open (&t);
  window = crm_window_new (ADW_APPLICATION (app), t.context);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *)&window);

  g_assert_cmpstr (crm_window_get_visible_workspace (window), ==, "pipeline");
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);

  /* Closing saves the size the user left it at. */
  gtk_window_present (GTK_WINDOW (window));
  crm_test_ui_wait_until (window_is_mapped, window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_close (GTK_WINDOW (window));
  crm_test_ui_iterate ();
  g_assert_null (window);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
  temp_context_close (&t);
}

static void
test_window_app_actions (void)
{


  /* The primary menu points at these; each must exist and be enabled. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "preferences"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "quit"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "quit"));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  crm_test_ui_init (&argc, &argv);

  app = crm_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);

  g_test_add_func ("/window/workspaces", test_window_workspaces);
  g_test_add_func ("/window/restores-state", test_window_restores_state);
  g_test_add_func ("/window/app-actions", test_window_app_actions);

  ret = g_test_run ();
  g_clear_object (&app);
  return ret;
}
