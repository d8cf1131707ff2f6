/* test-smtp-group.c: the Email preferences (settings round trip, password kept without a keyring, test message against tests/smtp-server.py, clear errors) and the greetings scheduler */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "crm-contact.h"
#include "crm-greetings-scheduler.h"
#include "crm-preferences-window.h"
#include "crm-smtp-group.h"
#include "crm-smtp-settings.h"
#include "crm-store-private.h"
#include "crm-test-ui.h"
#include "../smtp-relay.h"

static char *config_dir;

typedef struct
{
  char         *dir;
  GSettings    *settings;
  GtkWindow    *window;
  CrmSmtpGroup *group;
  GSubprocess  *relay;
  char         *log_path;
  guint         port;
} Fixture;

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
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("crm-smtp-ui-XXXXXX", &error);
  g_assert_no_error (error);
  f->settings = g_settings_new ("com.example.Crm");
  g_settings_reset (f->settings, "smtp-host");
  g_settings_reset (f->settings, "smtp-port");
  g_settings_reset (f->settings, "smtp-security");
  g_settings_reset (f->settings, "smtp-user");
  g_settings_reset (f->settings, "smtp-from");

  f->log_path = g_build_filename (f->dir, "smtp.log", NULL);
  f->relay = smtp_relay_start (f->log_path, &f->port);
  g_assert_nonnull (f->relay);

  f->group = g_object_new (CRM_TYPE_SMTP_GROUP, NULL);
  crm_smtp_group_set_settings (f->group, f->settings);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (f->window, GTK_WIDGET (f->group));
  gtk_window_present (f->window);
  crm_test_ui_iterate ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (f->group), (gpointer *) &f->group);
  crm_test_ui_destroy_window (f->window);
  crm_test_ui_iterate ();
  g_assert_null (f->group);
  g_clear_pointer (&f->relay, smtp_relay_stop);
  g_clear_object (&f->settings);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->log_path);
}

static gboolean
idle_group (gpointer data)
{
  return !crm_smtp_group_is_busy (((Fixture *) data)->group);
}

static void
group_action (Fixture    *f,
              const char *action,
              GVariant   *parameter)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->group), action, parameter));
  crm_test_ui_wait_until (idle_group, f);
}

static void
use_relay (Fixture *f)
{
  g_settings_set_string (f->settings, "smtp-host", "127.0.0.1");
  g_settings_set_uint (f->settings, "smtp-port", f->port);
  g_settings_set_string (f->settings, "smtp-security", "none");
  g_settings_set_string (f->settings, "smtp-from", "news@example.com");
}

static void
test_settings_round_trip (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CrmSmtpSettings) loaded = NULL;
  g_autoptr(CrmSmtpSettings) again = NULL;
  g_autofree char *url = NULL;
  g_autofree char *password = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *combo = crm_test_ui_find_descendant (GTK_WIDGET (f->group), ADW_TYPE_COMBO_ROW);
  GStatBuf st;

  /* The rows follow the settings and the other way round. */
  g_settings_set_string (f->settings, "smtp-host", "smtp.example.com");
  g_settings_set_string (f->settings, "smtp-security", "tls");
  crm_test_ui_iterate ();
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (combo)), ==, CRM_SMTP_SECURITY_TLS);
  /* TLS moved the default port along. */
  g_assert_cmpuint (g_settings_get_uint (f->settings, "smtp-port"), ==, 465);
  adw_combo_row_set_selected (ADW_COMBO_ROW (combo), CRM_SMTP_SECURITY_STARTTLS);
  {
    g_autofree char *security = g_settings_get_string (f->settings, "smtp-security");

    g_assert_cmpstr (security, ==, "starttls");
  }
  g_assert_cmpuint (g_settings_get_uint (f->settings, "smtp-port"), ==, 587);
  g_settings_set_string (f->settings, "smtp-user", "news");
  g_settings_set_string (f->settings, "smtp-from", "news@example.com");

  loaded = crm_smtp_settings_load (f->settings);
  g_assert_cmpstr (loaded->host, ==, "smtp.example.com");
  g_assert_cmpuint (loaded->port, ==, 587);
  g_assert_true (crm_smtp_settings_check (loaded, &error));
  url = crm_smtp_settings_dup_url (loaded);
  g_assert_cmpstr (url, ==, "smtp://smtp.example.com:587");
  loaded->security = CRM_SMTP_SECURITY_TLS;
  loaded->port = 2465;
  crm_smtp_settings_save (loaded, f->settings);
  again = crm_smtp_settings_load (f->settings);
  g_assert_cmpuint (again->port, ==, 2465);
  g_assert_cmpint (again->security, ==, CRM_SMTP_SECURITY_TLS);

  /* No secret service answers here: the password goes to a 0600 file,
   * never into GSettings. */
  group_action (f, "smtp.set-password", g_variant_new_string ("s3cret-密码"));
  g_assert_cmpstr (crm_smtp_group_get_status (f->group), ==, "Sent to the From address");
  password = crm_smtp_password_lookup ("smtp.example.com", "news", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "s3cret-密码");
  g_assert_true (crm_smtp_settings_load_password (again, &error));
  g_assert_cmpstr (again->password, ==, "s3cret-密码");
  path = g_build_filename (config_dir, "crm", "smtp", NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  {
    g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
    g_autofree char *file = g_build_filename (path, g_dir_read_name (dir), NULL);

    g_assert_cmpint (g_stat (file, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }
  /* Storing an empty one clears it. */
  g_assert_true (crm_smtp_password_store ("smtp.example.com", "news", "", &error));
  g_clear_pointer (&password, g_free);
  password = crm_smtp_password_lookup ("smtp.example.com", "news", &error);
  g_assert_null (password);
}

static void
test_send_test_message (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *log = NULL;

  /* Nothing set up: says what to fill in. */
  group_action (f, "smtp.send-test", NULL);
  g_assert_nonnull (strstr (crm_smtp_group_get_status (f->group), "No SMTP server"));

  use_relay (f);
  g_settings_set_string (f->settings, "smtp-from", "not an address");
  group_action (f, "smtp.send-test", NULL);
  g_assert_nonnull (strstr (crm_smtp_group_get_status (f->group), "is not an email address"));

  g_settings_set_string (f->settings, "smtp-from", "news@example.com");
  group_action (f, "smtp.send-test", NULL);
  g_assert_cmpstr (crm_smtp_group_get_status (f->group), ==, "Test message sent to news@example.com");
  g_assert_true (g_file_get_contents (f->log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "news@example.com"));

  /* A relay that does not answer is named in the error. */
  g_settings_set_uint (f->settings, "smtp-port", 1);
  group_action (f, "smtp.send-test", NULL);
  g_assert_nonnull (strstr (crm_smtp_group_get_status (f->group), "smtp://127.0.0.1:1"));
}

/* The preferences window shows the group bound to its settings. */
static void
test_in_preferences (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  GtkWindow *window;
  GtkWidget *group, *host;

  g_settings_set_string (settings, "smtp-host", "relay.example.com");
  window = GTK_WINDOW (crm_preferences_window_new (settings));
  gtk_window_present (window);
  crm_test_ui_iterate ();
  group = crm_test_ui_find_descendant (GTK_WIDGET (window), CRM_TYPE_SMTP_GROUP);
  g_assert_nonnull (group);
  host = crm_test_ui_find_descendant (group, ADW_TYPE_ENTRY_ROW);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (host)), ==, "relay.example.com");
  gtk_editable_set_text (GTK_EDITABLE (host), "smtp.example.org");
  {
    g_autofree char *host_name = g_settings_get_string (settings, "smtp-host");

    g_assert_cmpstr (host_name, ==, "smtp.example.org");
  }
  crm_test_ui_destroy_window (window);
  crm_test_ui_iterate ();
}

/* --- the greetings scheduler ----------------------------------------------- */

static gboolean
scheduler_idle (gpointer data)
{
  return !crm_greetings_scheduler_is_running (data);
}

static void
on_sent (CrmGreetingsScheduler *scheduler,
         guint                  count,
         guint                 *total)
{
  *total += count;
}

static void
on_failed (CrmGreetingsScheduler *scheduler,
           const char            *message,
           char                 **out)
{
  g_free (*out);
  *out = g_strdup (message);
}

static void
test_greetings_scheduler (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *db_path = g_build_filename (f->dir, "crm.db", NULL);
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmGreetingsScheduler) scheduler = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *failure = NULL;
  guint sent = 0;
  const char *names[] = { "张伟", "李娜", "王芳" };

  store = crm_store_open (db_path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(CrmContact) contact = crm_contact_new ();
      g_autofree char *email = g_strdup_printf ("c%u@example.com", i);

      crm_contact_set_name (contact, names[i]);
      g_assert_true (crm_contact_set_field_from_string (contact, "birthday", "1990-05-20", &error));
      g_assert_true (crm_contact_set_field_from_string (contact, "email", email, &error));
      g_assert_true (crm_contact_set_field_from_string (contact, "consent_email", i < 2 ? "true" : "false", &error));
      g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
      g_assert_no_error (error);
    }

  scheduler = crm_greetings_scheduler_new (db_path, f->settings);
  g_signal_connect (scheduler, "sent", G_CALLBACK (on_sent), &sent);
  g_signal_connect (scheduler, "failed", G_CALLBACK (on_failed), &failure);

  /* Without a relay it says why and greets nobody. */
  crm_greetings_scheduler_run (scheduler, "2026-05-20");
  crm_test_ui_wait_until (scheduler_idle, scheduler);
  g_assert_nonnull (failure);
  g_assert_nonnull (strstr (failure, "No SMTP server"));

  use_relay (f);
  crm_greetings_scheduler_run (scheduler, "2026-05-20");
  crm_test_ui_wait_until (scheduler_idle, scheduler);
  g_assert_cmpuint (sent, ==, 2);
  /* Again the same day (the hourly check, a restart): nobody twice. */
  crm_greetings_scheduler_run (scheduler, "2026-05-20");
  crm_test_ui_wait_until (scheduler_idle, scheduler);
  g_assert_cmpuint (sent, ==, 2);
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store),
                                         "SELECT count (*) FROM activities WHERE greeting_key = 'birthday:2026'",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2);
    sqlite3_finalize (stmt);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *python = g_find_program_in_path ("python3");
  int status;

  /* Passwords go to a file in here: no secret service answers on this bus. */
  config_dir = g_dir_make_tmp ("crm-smtp-config-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  crm_test_ui_init (&argc, &argv);
  /* After GTK has started (it wants a session bus, or warns). */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/crm-test-bus", TRUE);
  if (python != NULL)
    {
      g_test_add ("/smtp-group/settings-round-trip", Fixture, NULL, fixture_set_up, test_settings_round_trip, fixture_tear_down);
      g_test_add ("/smtp-group/send-test-message", Fixture, NULL, fixture_set_up, test_send_test_message, fixture_tear_down);
      g_test_add_func ("/smtp-group/in-preferences", test_in_preferences);
      g_test_add ("/smtp-group/greetings-scheduler", Fixture, NULL, fixture_set_up, test_greetings_scheduler, fixture_tear_down);
    }
  else
    g_print ("# python3 is needed for the test SMTP server\n");
  status = g_test_run ();
  remove_tree (config_dir);
  g_free (config_dir);
  return status;
}
