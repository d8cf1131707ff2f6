/* test-backup-group.c: the preferences' Backups group driven through its actions: back up (encrypted), wrong passphrase, restore */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "crm-backup-cipher.h"
#include "crm-backup-group.h"
#include "crm-contact.h"
#include "crm-context.h"
#include "crm-store-private.h"
#include "crm-test-ui.h"

typedef struct
{
  char           *dir;
  char           *backups;
  CrmStore       *store;
  GSettings      *settings;
  CrmContext     *context;
  GtkWindow      *window;
  CrmBackupGroup *group;
  /* The last "done" emission */
  guint           n_done;
  gboolean        succeeded;
  char           *message;
} Fixture;

static void
on_done (CrmBackupGroup *group,
         gboolean        succeeded,
         const char     *message,
         Fixture        *f)
{
  f->n_done++;
  f->succeeded = succeeded;
  g_free (f->message);
  f->message = g_strdup (message);
}

/* Until the group's current back up or restore has finished. */
static void
wait_done (Fixture *f)
{
  guint target = f->n_done + 1;

  while (f->n_done < target)
    g_main_context_iteration (NULL, TRUE);
}

static void
add_contact (Fixture    *f,
             const char *name)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, name);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
}

static gint64
count_contacts (Fixture *f)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (f->store, "SELECT count(*) FROM contacts", NULL);

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
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
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("crm-backup-ui-XXXXXX", &error);
  g_assert_no_error (error);
  f->backups = g_build_filename (f->dir, "backups", NULL);
  path = g_build_filename (f->dir, "crm.db", NULL);
  f->store = crm_store_open (path, &error);
  g_assert_no_error (error);
  f->settings = g_settings_new ("com.example.Crm");
  g_settings_set_string (f->settings, "backup-folder", f->backups);
  f->context = crm_context_new (f->store, f->settings);

  f->window = GTK_WINDOW (gtk_window_new ());
  f->group = g_object_new (CRM_TYPE_BACKUP_GROUP, NULL);
  gtk_window_set_child (f->window, GTK_WIDGET (f->group));
  crm_backup_group_set_context (f->group, f->context);
  g_signal_connect (f->group, "done", G_CALLBACK (on_done), f);
  gtk_window_present (f->window);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (f->window);
  crm_test_ui_iterate ();
  g_clear_object (&f->context);
  g_settings_reset (f->settings, "backup-folder");
  g_clear_object (&f->settings);
  g_assert_finalize_object (f->store);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->backups);
  g_free (f->message);
}

static char *
only_backup (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->backups, 0, NULL);
  const char *name;
  char *found = NULL;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_null (found);
      found = g_build_filename (f->backups, name, NULL);
    }
  g_assert_nonnull (found);
  return found;
}

static void
test_back_up_and_restore (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *backup = NULL;

  for (guint i = 0; i < 50; i++)
    add_contact (f, "备份前的客户");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->group), "backup.back-up", "s", "口令 pass"));
  wait_done (f);
  g_assert_true (f->succeeded);
  backup = only_backup (f);
  g_assert_nonnull (strstr (f->message, backup));
  g_assert_true (crm_backup_cipher_is_encrypted (backup));

  add_contact (f, "备份后的客户");
  g_assert_cmpint (count_contacts (f), ==, 51);

  /* A wrong passphrase says so and changes nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->group), "backup.restore", "(ss)", backup, "wrong"));
  wait_done (f);
  g_assert_false (f->succeeded);
  g_assert_nonnull (strstr (f->message, "wrong"));
  g_assert_cmpint (count_contacts (f), ==, 51);

  /* The right one brings back the backup's data, seen by the window's store. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->group), "backup.restore", "(ss)", backup, "口令 pass"));
  wait_done (f);
  g_assert_true (f->succeeded);
  g_assert_cmpint (count_contacts (f), ==, 50);
  add_contact (f, "恢复后的客户");
  g_assert_cmpint (count_contacts (f), ==, 51);
}

int
main (int    argc,
      char **argv)
{
  crm_test_ui_init (&argc, &argv);

  g_test_add ("/backup-group/back-up-and-restore", Fixture, NULL,
              fixture_set_up, test_back_up_and_restore, fixture_tear_down);

  return g_test_run ();
}
