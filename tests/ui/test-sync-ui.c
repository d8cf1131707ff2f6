/* test-sync-ui.c: the window's sync status, win.sync and the conflicts window, against a real crm-server on 127.0.0.1 */

#include "config.h"

#include <glib/gstdio.h>

#include "crm-application.h"
#include "crm-conflicts-window.h"
#include "crm-contact.h"
#include "crm-context.h"
#include "crm-preferences-window.h"
#include "crm-server.h"
#include "crm-sync-credentials.h"
#include "crm-sync-engine.h"
#include "crm-test-ui.h"
#include "crm-window.h"

#define PASSWORD "correct horse battery"

static CrmApplication *app;

typedef struct
{
  char *dir;
  char *url;
  GThread *thread;
  GMainContext *server_context;
  GMainLoop *loop;
  GMutex mutex;
  GCond cond;
  gboolean ready;
  CrmServer *server;
  CrmContext *context;   /* the window's, on a.db */
  CrmStore *b;           /* another computer */
  CrmWindow *window;
} Fixture;

static gpointer
server_thread (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "server.db", NULL);
  g_autoptr(CrmServer) server = NULL;

  g_main_context_push_thread_default (f->server_context);
  server = crm_server_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (crm_server_add_user (server, "alice", PASSWORD, "admin", NULL, &error));
  g_assert_true (crm_server_add_user (server, "bob", PASSWORD, "sales", "north", &error));
  g_assert_true (crm_server_listen (server, "127.0.0.1", 0, &error));

  g_mutex_lock (&f->mutex);
  f->url = g_strdup_printf ("http://127.0.0.1:%u", crm_server_get_port (server));
  f->server = server;
  f->ready = TRUE;
  g_cond_signal (&f->cond);
  g_mutex_unlock (&f->mutex);

  g_main_loop_run (f->loop);
  crm_server_disconnect (server);
  g_clear_object (&server);
  g_main_context_pop_thread_default (f->server_context);
  return NULL;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  g_autoptr(CrmStore) a = NULL;
  g_autofree char *a_path = NULL;
  g_autofree char *b_path = NULL;
  g_autofree char *config = NULL;

  f->dir = g_dir_make_tmp ("crm-sync-ui-XXXXXX", &error);
  g_assert_no_error (error);
  /* Tokens go to a file here: no secret service answers on this bus. */
  config = g_build_filename (f->dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/crm-test-bus", TRUE);

  g_mutex_init (&f->mutex);
  g_cond_init (&f->cond);
  f->server_context = g_main_context_new ();
  f->loop = g_main_loop_new (f->server_context, FALSE);
  f->thread = g_thread_new ("crm-server", server_thread, f);
  g_mutex_lock (&f->mutex);
  while (!f->ready)
    g_cond_wait (&f->cond, &f->mutex);
  g_mutex_unlock (&f->mutex);

  a_path = g_build_filename (f->dir, "a.db", NULL);
  b_path = g_build_filename (f->dir, "b.db", NULL);
  a = crm_store_open (a_path, &error);
  g_assert_no_error (error);
  f->b = crm_store_open (b_path, &error);
  g_assert_no_error (error);
  f->context = crm_context_new (a, settings);
  /* Edits sync when asked (win.sync), so the test decides the order. */
  crm_sync_controller_set_debounce (crm_context_get_sync (f->context), 600 * 1000);
  f->window = crm_window_new (ADW_APPLICATION (app), f->context);
  gtk_window_present (GTK_WINDOW (f->window));
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gboolean
sync_stopped (gpointer data)
{
  return !crm_sync_controller_is_running (data);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  CrmSyncController *sync = crm_context_get_sync (f->context);

  crm_sync_controller_shutdown (sync);
  crm_test_ui_wait_until (sync_stopped, sync);
  gtk_window_destroy (GTK_WINDOW (f->window));
  crm_test_ui_iterate ();
  g_clear_object (&f->context);
  g_clear_object (&f->b);
  g_main_context_invoke (f->server_context, quit_loop, f->loop);
  g_thread_join (f->thread);
  g_main_loop_unref (f->loop);
  g_main_context_unref (f->server_context);
  g_mutex_clear (&f->mutex);
  g_cond_clear (&f->cond);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->url);
}

static CrmStore *
store_a (Fixture *f)
{
  return crm_context_get_store (f->context);
}

static GtkLabel *
find_label (GtkWidget  *widget,
            const char *name)
{
  return GTK_LABEL (gtk_widget_get_template_child (widget, CRM_TYPE_WINDOW, name));
}

static const char *
status_title (Fixture *f)
{
  return gtk_label_get_label (find_label (GTK_WIDGET (f->window), "sync_status_title"));
}

static const char *
status_detail (Fixture *f)
{
  return gtk_label_get_label (find_label (GTK_WIDGET (f->window), "sync_status_detail"));
}

typedef struct
{
  Fixture *f;
  CrmSyncState state;
} StateWait;

static gboolean
state_reached (gpointer data)
{
  StateWait *w = data;
  CrmSyncController *sync = crm_context_get_sync (w->f->context);

  return !crm_sync_controller_is_running (sync) && crm_sync_controller_get_state (sync) == w->state;
}

static void
wait_for_state (Fixture      *f,
                CrmSyncState  state)
{
  StateWait w = { f, state };

  crm_test_ui_wait_until (state_reached, &w);
}

static void
sync_b (Fixture *f)
{
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (f->b, f->url);
  g_autoptr(GError) error = NULL;

  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  g_assert_true (crm_sync_engine_run (engine, NULL, NULL, &error));
  g_assert_no_error (error);
}

static char *
sign_in_a (Fixture *f)
{
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (store_a (f), f->url);
  g_autoptr(GError) error = NULL;

  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  g_assert_true (crm_sync_engine_sign_in (engine, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (crm_sync_engine_get_token (engine));
}

static char *
add_contact (CrmStore   *store,
             const char *name)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_contact_set_field_from_string (contact, "name", name, &error));
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static void
set_field (CrmStore   *store,
           const char *id,
           const char *field,
           const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmRecord) contact = crm_store_get (store, CRM_TYPE_CONTACT, id, &error);

  g_assert_no_error (error);
  g_assert_true (crm_record_set_field_from_string (contact, field, value, &error));
  g_assert_true (crm_store_update (store, contact, &error));
  g_assert_no_error (error);
}

static char *
get_field (CrmStore   *store,
           const char *id,
           const char *field)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmRecord) contact = crm_store_get (store, CRM_TYPE_CONTACT, id, &error);

  g_assert_no_error (error);
  return g_strdup (crm_record_get_string (contact, field));
}

static CrmConflictsWindow *
find_conflicts_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CRM_IS_CONFLICTS_WINDOW (window))
        return CRM_CONFLICTS_WINDOW (window);
    }
  return NULL;
}

/* Whether a label under @widget ends with @suffix. */
static gboolean
shows_label_ending (GtkWidget  *widget,
                    const char *suffix)
{
  if (GTK_IS_LABEL (widget) && g_str_has_suffix (gtk_label_get_label (GTK_LABEL (widget)), suffix))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (shows_label_ending (child, suffix))
      return TRUE;
  return FALSE;
}

static gboolean
no_conflicts_shown (gpointer data)
{
  return crm_conflicts_window_get_n_conflicts (data) == 0;
}

static gint64
first_conflict_id (CrmStore *store)
{
  g_autoptr(GPtrArray) conflicts = crm_sync_list_conflicts (store, NULL);

  g_assert_nonnull (conflicts);
  g_assert_cmpuint (conflicts->len, >, 0);
  return ((CrmSyncConflict *) g_ptr_array_index (conflicts, 0))->id;
}

static void
test_status_sync_and_conflicts (Fixture       *f,
                                gconstpointer  data)
{
  CrmSyncController *sync = crm_context_get_sync (f->context);
  g_autofree char *token = sign_in_a (f);
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  CrmConflictsWindow *conflicts;
  g_autoptr(GError) error = NULL;

  /* No account: working on this computer only, nothing to sync. */
  g_assert_cmpstr (status_title (f), ==, "Working offline");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  g_assert_false (crm_sync_controller_is_running (sync));

  /* Signed in: syncs on start, then says when. */
  crm_sync_controller_set_account (sync, f->url, "alice", token);
  g_assert_cmpstr (status_title (f), ==, "Syncing…");
  wait_for_state (f, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpstr (status_title (f), ==, "Up to date");
  g_assert_cmpstr (status_detail (f), ==, "Last synced just now");

  /* A contact from another computer arrives on win.sync (Ctrl+R). */
  id = add_contact (f->b, "林小雨");
  sync_b (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL));
  g_assert_true (crm_sync_controller_is_running (sync));
  wait_for_state (f, CRM_SYNC_STATE_UP_TO_DATE);
  title = get_field (store_a (f), id, "name");
  g_assert_cmpstr (title, ==, "林小雨");
  g_clear_pointer (&title, g_free);

  /* Both change the title offline; the other computer syncs first and
   * this one's later edit wins, with a conflict to review. */
  set_field (f->b, id, "title", "经理");
  set_field (store_a (f), id, "title", "总监");
  sync_b (f);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  wait_for_state (f, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpuint (crm_sync_controller_get_conflicts (sync), ==, 1);
  g_assert_cmpstr (status_title (f), ==, "1 conflict");

  /* Clicking the status opens the conflicts; keep theirs. */
  g_assert_null (find_conflicts_window ());
  g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (f->window), CRM_TYPE_WINDOW,
                                                        "sync_status_button"), "clicked");
  conflicts = find_conflicts_window ();
  g_assert_nonnull (conflicts);
  g_assert_cmpuint (crm_conflicts_window_get_n_conflicts (conflicts), ==, 1);
  /* Their value says who set it (the server knows), not just a computer id. */
  g_assert_true (shows_label_ending (GTK_WIDGET (conflicts), " by alice"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (conflicts), "conflicts.resolve", "(xb)",
                                             first_conflict_id (store_a (f)), FALSE));
  crm_test_ui_wait_until (no_conflicts_shown, conflicts);
  g_assert_cmpuint (crm_sync_controller_get_conflicts (sync), ==, 0);
  title = get_field (store_a (f), id, "title");
  g_assert_cmpstr (title, ==, "经理");
  g_clear_pointer (&title, g_free);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  wait_for_state (f, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpstr (status_title (f), ==, "Up to date");
  sync_b (f);
  title = get_field (f->b, id, "title");
  g_assert_cmpstr (title, ==, "经理");
  g_clear_pointer (&title, g_free);

  /* Deleted there while edited here: restore with the edit. */
  g_assert_true (crm_store_delete (f->b, CRM_TYPE_CONTACT, id, &error));
  set_field (store_a (f), id, "notes", "还在跟进");
  sync_b (f);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  wait_for_state (f, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpuint (crm_conflicts_window_get_n_conflicts (conflicts), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (conflicts), "conflicts.resolve", "(xb)",
                                             first_conflict_id (store_a (f)), TRUE));
  crm_test_ui_wait_until (no_conflicts_shown, conflicts);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  wait_for_state (f, CRM_SYNC_STATE_UP_TO_DATE);
  sync_b (f);
  {
    g_autoptr(CrmRecord) on_b = crm_store_get (f->b, CRM_TYPE_CONTACT, id, &error);

    g_assert_no_error (error);
    g_assert_false (crm_record_get_deleted (on_b));
    g_assert_cmpstr (crm_record_get_string (on_b, "notes"), ==, "还在跟进");
  }
  gtk_window_destroy (GTK_WINDOW (conflicts));
}

static void
test_expired_token_asks_to_sign_in (Fixture       *f,
                                    gconstpointer  data)
{
  CrmSyncController *sync = crm_context_get_sync (f->context);
  g_autofree char *token = sign_in_a (f);
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;

  crm_sync_controller_set_account (sync, f->url, "alice", token);
  wait_for_state (f, CRM_SYNC_STATE_UP_TO_DATE);

  /* The token dies (revoked, expired); the edit made meanwhile waits. */
  g_assert_true (crm_server_revoke_user (f->server, "alice", &error));
  id = add_contact (store_a (f), "离线");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  wait_for_state (f, CRM_SYNC_STATE_SIGN_IN_REQUIRED);
  g_assert_cmpstr (status_title (f), ==, "Sign in to sync");
  g_assert_cmpuint (crm_sync_account_count_unsent (store_a (f)), ==, 1);

  /* Signed in again, it goes out. */
  g_clear_pointer (&token, g_free);
  token = sign_in_a (f);
  crm_sync_controller_set_account (sync, f->url, "alice", token);
  wait_for_state (f, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpuint (crm_sync_account_count_unsent (store_a (f)), ==, 0);
  sync_b (f);
  {
    g_autoptr(CrmRecord) on_b = crm_store_get (f->b, CRM_TYPE_CONTACT, id, &error);

    g_assert_no_error (error);
  }
}


static GtkWidget *
prefs_child (CrmPreferencesWindow *prefs,
             const char           *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (prefs), CRM_TYPE_PREFERENCES_WINDOW, name));
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
has_message_dialog (gpointer data)
{
  return find_message_dialog () != NULL;
}

static void
test_preferences_account (Fixture       *f,
                          gconstpointer  data)
{
  CrmSyncController *sync = crm_context_get_sync (f->context);
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  CrmPreferencesWindow *prefs = crm_preferences_window_new (settings);
  g_autofree char *token_file = NULL;
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  g_autofree char *mine = add_contact (store_a (f), "本机");
  g_autoptr(CrmContext) again = NULL;
  GStatBuf st;

  crm_preferences_window_set_context (prefs, f->context);
  gtk_window_present (GTK_WINDOW (prefs));
  g_assert_true (gtk_widget_get_visible (prefs_child (prefs, "user_row")));

  /* Server, user, password → signed in, the token in a 0600 file (no
   * secret service here), the database bound to alice, synced. */
  gtk_editable_set_text (GTK_EDITABLE (prefs_child (prefs, "sync_server_row")), f->url);
  gtk_editable_set_text (GTK_EDITABLE (prefs_child (prefs, "user_row")), "alice");
  gtk_editable_set_text (GTK_EDITABLE (prefs_child (prefs, "password_row")), PASSWORD);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.sign-in", NULL));
  wait_for_state (f, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpstr (crm_sync_controller_get_user (sync), ==, "alice");
  g_assert_false (gtk_widget_get_visible (prefs_child (prefs, "user_row")));
  g_assert_true (gtk_widget_get_visible (prefs_child (prefs, "account_row")));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (prefs_child (prefs, "password_row"))), ==, "");
  token_file = crm_sync_credentials_file_path (f->url, "alice", crm_store_get_client_id (store_a (f)));
  g_assert_cmpint (g_stat (token_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (crm_sync_account_get (store_a (f), &server, &user));
  g_assert_cmpstr (user, ==, "alice");
  g_assert_cmpuint (crm_sync_account_count_unsent (store_a (f)), ==, 0);

  /* The next start finds the token and syncs by itself. */
  again = crm_context_new (store_a (f), settings);
  crm_context_resume_sync (again);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (crm_sync_controller_get_state (crm_context_get_sync (again)) != CRM_SYNC_STATE_UP_TO_DATE ||
           crm_sync_controller_is_running (crm_context_get_sync (again)))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
  }
  crm_sync_controller_shutdown (crm_context_get_sync (again));
  g_clear_object (&again);

  /* Sign out keeping the data: the contact stays, the token goes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.sign-out", "s", "keep"));
  g_assert_cmpint (crm_sync_controller_get_state (sync), ==, CRM_SYNC_STATE_NOT_SET_UP);
  {
    g_autoptr(CrmRecord) kept = crm_store_get (store_a (f), CRM_TYPE_CONTACT, mine, NULL);

    g_assert_nonnull (kept);
  }
  while (g_file_test (token_file, G_FILE_TEST_EXISTS))
    g_main_context_iteration (NULL, TRUE);

  /* alice works on offline; then someone else signs in on this computer:
   * asked first, alice's data goes, her unsent edit is never sent as bob. */
  g_clear_pointer (&mine, g_free);
  mine = add_contact (store_a (f), "未发送");
  g_assert_cmpuint (crm_sync_account_count_unsent (store_a (f)), ==, 1);
  gtk_editable_set_text (GTK_EDITABLE (prefs_child (prefs, "user_row")), "bob");
  gtk_editable_set_text (GTK_EDITABLE (prefs_child (prefs, "password_row")), PASSWORD);
  gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.sign-in", NULL);
  crm_test_ui_wait_until (has_message_dialog, NULL);
  adw_message_dialog_response (find_message_dialog (), "replace");
  wait_for_state (f, CRM_SYNC_STATE_UP_TO_DATE);
  g_assert_cmpstr (crm_sync_controller_get_user (sync), ==, "bob");
  g_assert_cmpuint (crm_sync_account_count_unsent (store_a (f)), ==, 0);
  {
    g_autoptr(CrmRecord) gone = crm_store_get (store_a (f), CRM_TYPE_CONTACT, mine, NULL);

    g_assert_null (gone);
  }
  sync_b (f);
  {
    g_autoptr(CrmRecord) never_sent = crm_store_get (f->b, CRM_TYPE_CONTACT, mine, NULL);

    g_assert_null (never_sent);
  }

  /* Sign out removing the data. */
  gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.sign-out", "s", "wipe");
  g_assert_false (crm_sync_account_get (store_a (f), &server, &user) && user != NULL && g_str_equal (user, "bob"));
  gtk_window_destroy (GTK_WINDOW (prefs));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;

  crm_test_ui_init (&argc, &argv);
  app = crm_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync-ui/status-sync-and-conflicts", test_status_sync_and_conflicts);
  ADD ("/sync-ui/expired-token-asks-to-sign-in", test_expired_token_asks_to_sign_in);
  ADD ("/sync-ui/preferences-account", test_preferences_account);
#undef ADD

  return g_test_run ();
}
