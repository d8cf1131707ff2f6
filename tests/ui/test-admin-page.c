/* test-admin-page.c: the Administration page and the audit log window, shown to a signed-in admin only, against a real crm-server */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "crm-admin-page.h"
#include "crm-application.h"
#include "crm-audit-window.h"
#include "crm-contact.h"
#include "crm-context.h"
#include "crm-preferences-window.h"
#include "crm-runtime.h"
#include "crm-server.h"
#include "crm-sync-credentials.h"
#include "crm-test-ui.h"
#include "../server-fixture.h"

#define PASSWORD "correct horse battery"

typedef struct
{
  ServerFixture server;
  CrmContext *context;
} Fixture;

/* In the server thread, before it listens. */
static void
add_users (CrmServer *server,
           gpointer   data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_server_add_user (server, "alice", PASSWORD, "admin", NULL, &error));
  g_assert_true (crm_server_add_user (server, "bob", PASSWORD, "sales", "north", &error));
  g_assert_true (crm_server_add_user (server, "mona", PASSWORD, "manager", "north", &error));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *path = NULL;
  g_autofree char *config = NULL;

  server_fixture_start (&f->server, NULL, add_users, NULL);
  /* Tokens go to a file here: no secret service answers on this bus. */
  config = g_build_filename (f->server.dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/crm-test-bus", TRUE);

  path = g_build_filename (f->server.dir, "a.db", NULL);
  store = crm_store_open (path, &error);
  g_assert_no_error (error);
  f->context = crm_context_new (store, settings);
  crm_sync_controller_set_debounce (crm_context_get_sync (f->context), 600 * 1000);
}

static gboolean
sync_stopped (gpointer data)
{
  return !crm_sync_controller_is_running (data);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  CrmSyncController *sync = crm_context_get_sync (f->context);

  crm_sync_controller_shutdown (sync);
  crm_test_ui_wait_until (sync_stopped, sync);
  crm_test_ui_iterate ();
  g_clear_object (&f->context);
  server_fixture_stop (&f->server);
}

static GtkWidget *
prefs_child (CrmPreferencesWindow *prefs,
             const char           *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (prefs), CRM_TYPE_PREFERENCES_WINDOW, name));
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
}

static gboolean
has_message_dialog (gpointer data)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

/* What a click on a response button does: the response, then closing
 * (adw_message_dialog_response() alone leaves the dialog open). */
static void
respond (const char *response)
{
  AdwMessageDialog *dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, response);
  crm_test_ui_destroy_window (GTK_WINDOW (dialog));
}

static gboolean
no_message_dialog (gpointer data)
{
  return !has_message_dialog (data);
}

static gboolean
signed_in_and_synced (gpointer data)
{
  CrmSyncController *sync = data;

  return crm_sync_controller_get_state (sync) == CRM_SYNC_STATE_UP_TO_DATE &&
         !crm_sync_controller_is_running (sync);
}

static gboolean
page_loaded (gpointer data)
{
  return !crm_admin_page_is_loading (data) && crm_admin_page_get_users (data) != NULL;
}

static gboolean
page_idle (gpointer data)
{
  return !crm_admin_page_is_loading (data);
}

static gboolean
audit_loaded (gpointer data)
{
  return !crm_audit_window_is_loading (data) && crm_audit_window_get_entries (data) != NULL;
}

static void
sign_in (Fixture              *f,
         CrmPreferencesWindow *prefs,
         const char           *user)
{
  gtk_editable_set_text (GTK_EDITABLE (prefs_child (prefs, "sync_server_row")), f->server.url);
  gtk_editable_set_text (GTK_EDITABLE (prefs_child (prefs, "user_row")), user);
  gtk_editable_set_text (GTK_EDITABLE (prefs_child (prefs, "password_row")), PASSWORD);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.sign-in", NULL));
  crm_test_ui_wait_until (signed_in_and_synced, crm_context_get_sync (f->context));
}

static JsonObject *
user_named (CrmAdminPage *page,
            const char   *name)
{
  JsonArray *users = crm_admin_page_get_users (page);

  for (guint i = 0; users != NULL && i < json_array_get_length (users); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (users, i), "name"), name))
      return json_array_get_object_element (users, i);
  return NULL;
}

static void
test_admin_sees_page (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  CrmPreferencesWindow *prefs = crm_preferences_window_new (settings);
  CrmAdminPage *page = CRM_ADMIN_PAGE (crm_test_ui_find_descendant (GTK_WIDGET (prefs), CRM_TYPE_ADMIN_PAGE));
  CrmAuditWindow *audit;
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  /* A customer typed before signing in: the first sync sends it, and the
   * server's log has it. */
  g_assert_true (crm_contact_set_field_from_string (contact, "name", "上海贸易", &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "title", "采购经理", &error));
  g_assert_true (crm_store_insert (crm_context_get_store (f->context), CRM_RECORD (contact), &error));
  g_assert_nonnull (page);
  crm_preferences_window_set_context (prefs, f->context);
  gtk_window_present (GTK_WINDOW (prefs));
  /* Not signed in: no administration. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page)));

  sign_in (f, prefs, "alice");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page)));
  crm_test_ui_wait_until (page_loaded, page);
  g_assert_nonnull (user_named (page, "bob"));
  g_assert_false (json_object_get_boolean_member (user_named (page, "bob"), "disabled"));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), ADW_PREFERENCES_PAGE (page));
  crm_test_ui_save_screenshot (GTK_WIDGET (prefs), "admin-page");

  /* Disable bob: asked first, then the list shows it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "admin.toggle-disabled", "s", "bob"));
  crm_test_ui_wait_until (has_message_dialog, NULL);
  respond ("apply");
  crm_test_ui_wait_until (page_idle, page);
  crm_test_ui_wait_until (page_loaded, page);
  g_assert_true (json_object_get_boolean_member (user_named (page, "bob"), "disabled"));

  /* The server's audit log opens from the page. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "admin.audit-log", NULL));
  audit = find_toplevel (CRM_TYPE_AUDIT_WINDOW);
  g_assert_nonnull (audit);
  crm_test_ui_wait_until (audit_loaded, audit);
  g_assert_true (crm_audit_window_is_online (audit));
  g_assert_cmpuint (json_array_get_length (crm_audit_window_get_entries (audit)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (crm_audit_window_get_entries (audit), 0),
                                                  "user"), ==, "alice");
  {
    /* Shown as people read it: the record's name, field names, no ids. */
    AdwActionRow *row = ADW_ACTION_ROW (crm_test_ui_find_descendant (GTK_WIDGET (audit), ADW_TYPE_ACTION_ROW));
    const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
    const char *subtitle = adw_action_row_get_subtitle (row);

    /* In any language (screenshots run in zh_CN): no raw column names. */
    g_assert_nonnull (strstr (title, "alice · "));
    g_assert_nonnull (strstr (title, " 上海贸易"));
    g_assert_nonnull (strstr (subtitle, "— → 上海贸易"));
    g_assert_nonnull (strstr (subtitle, "— → 采购经理"));
    g_assert_false (g_str_has_prefix (subtitle, "name:") || strstr (subtitle, "\nname:"));
    g_assert_false (g_str_has_prefix (subtitle, "title:") || strstr (subtitle, "\ntitle:"));
    g_assert_null (strstr (subtitle, "consent_"));
    g_assert_null (strstr (subtitle, "created_at"));
  }
  crm_test_ui_save_screenshot (GTK_WIDGET (audit), "audit-window");
  crm_test_ui_destroy_window (GTK_WINDOW (audit));

  /* alice's computer is listed; her customer goes to mona (bob, disabled,
   * is not offered), which the server's log then shows. */
  crm_test_ui_wait_until (no_message_dialog, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "admin.devices", "s", "alice"));
  crm_test_ui_wait_until (has_message_dialog, NULL);
  {
    AdwMessageDialog *dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
    GtkWidget *list = adw_message_dialog_get_extra_child (dialog);
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0);

    g_assert_nonnull (row);
    g_assert_null (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 1));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                              crm_store_get_client_id (crm_context_get_store (f->context))));
  }
  respond ("close");
  crm_test_ui_wait_until (no_message_dialog, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "admin.reassign", "s", "alice"));
  crm_test_ui_wait_until (has_message_dialog, NULL);
  {
    AdwMessageDialog *dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
    GtkWidget *box = adw_message_dialog_get_extra_child (dialog);
    GtkDropDown *to = g_object_get_data (G_OBJECT (box), "to");

    g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (to)), ==, 1);
    g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (to)), ==, "mona");
  }
  respond ("apply");
  crm_test_ui_wait_until (page_idle, page);
  audit = crm_audit_window_new (f->context);
  gtk_window_present (GTK_WINDOW (audit));
  crm_test_ui_wait_until (audit_loaded, audit);
  {
    JsonObject *latest = json_array_get_object_element (crm_audit_window_get_entries (audit), 0);

    g_assert_cmpuint (json_array_get_length (crm_audit_window_get_entries (audit)), ==, 2);
    g_assert_nonnull (json_object_get_array_member (json_object_get_object_member (latest, "changes"), "owner_id"));
  }
  crm_test_ui_destroy_window (GTK_WINDOW (audit));

  /* Signed out: gone again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.sign-out", "s", "wipe"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page)));
  crm_test_ui_destroy_window (GTK_WINDOW (prefs));
}

static void
test_others_see_no_page (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  static const char * const users[] = { "bob", "mona" };

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      CrmPreferencesWindow *prefs = crm_preferences_window_new (settings);
      CrmAdminPage *page = CRM_ADMIN_PAGE (crm_test_ui_find_descendant (GTK_WIDGET (prefs), CRM_TYPE_ADMIN_PAGE));

      crm_preferences_window_set_context (prefs, f->context);
      gtk_window_present (GTK_WINDOW (prefs));
      sign_in (f, prefs, users[i]);
      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page)));
      g_assert_null (crm_admin_page_get_users (page));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.sign-out", "s", "wipe"));
      crm_test_ui_destroy_window (GTK_WINDOW (prefs));
    }
}

/* Offline (no account), the audit window shows this computer's own log. */
static void
test_audit_offline (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  CrmAuditWindow *audit;

  g_assert_true (crm_contact_set_field_from_string (contact, "name", "离线客户", &error));
  g_assert_true (crm_store_insert (crm_context_get_store (f->context), CRM_RECORD (contact), &error));
  audit = crm_audit_window_new (f->context);
  gtk_window_present (GTK_WINDOW (audit));
  crm_test_ui_wait_until (audit_loaded, audit);
  g_assert_false (crm_audit_window_is_online (audit));
  g_assert_cmpuint (json_array_get_length (crm_audit_window_get_entries (audit)), ==, 1);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (audit)));
  crm_test_ui_destroy_window (GTK_WINDOW (audit));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  CrmApplication *app;

  crm_test_ui_init (&argc, &argv);
  app = crm_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/admin-page/admin-sees-page", test_admin_sees_page);
  ADD ("/admin-page/others-see-no-page", test_others_see_no_page);
  ADD ("/admin-page/audit-offline", test_audit_offline);
#undef ADD

  return g_test_run ();
}
