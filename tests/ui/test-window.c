/* test-window.c: the main window opens, every workspace is reachable by its action, state is remembered */

#include "config.h"

#include "crm-application.h"
#include "crm-test-ui.h"
#include "crm-window.h"

static const char * const workspaces[] = {
  "dashboard", "contacts", "pipeline", "campaigns", "surveys", "service", "reports",
};

/* One registered application for the whole program, as in the real app. */
static CrmApplication *app;

static gboolean
window_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static void
test_window_workspaces (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  CrmWindow *window;

  window = crm_window_new (ADW_APPLICATION (app), NULL);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *)&window);
  gtk_window_present (GTK_WINDOW (window));
  crm_test_ui_wait_until (window_is_mapped, window);

  for (guint i = 0; i < G_N_ELEMENTS (workspaces); i++)
    {
      g_autofree char *saved = NULL;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.workspace", "s", workspaces[i]));
      crm_test_ui_iterate ();
      g_assert_cmpstr (crm_window_get_visible_workspace (window), ==, workspaces[i]);

      saved = g_settings_get_string (settings, "last-workspace");
      g_assert_cmpstr (saved, ==, workspaces[i]);
    }

  /* An unknown workspace is refused and the visible one stays. */
  g_test_expect_message ("Crm", G_LOG_LEVEL_WARNING, "*No workspace named*");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.workspace", "s", "no-such-workspace");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (crm_window_get_visible_workspace (window), ==, "reports");

  gtk_window_close (GTK_WINDOW (window));
  crm_test_ui_iterate ();
  g_assert_null (window);
}

static void
test_window_restores_state (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  CrmWindow *window;
  int width, height;

  g_settings_set_string (settings, "last-workspace", "pipeline");
  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 640);

  window = crm_window_new (ADW_APPLICATION (app), NULL);
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
