/* test-private-files.c: the local database with its -wal and -shm, backups and exports are 0600 whatever the umask */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "crm-backup.h"
#include "crm-runtime.h"
#include "store-fixture.h"

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
test_database_and_backup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("crm-private-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "crm.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *backup = g_build_filename (dir, "backup.db", NULL);
  g_autofree char *encrypted = g_build_filename (dir, "backup.crmbackup", NULL);
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmContact) contact = crm_contact_new ();
  mode_t old_umask = umask (022);

  g_assert_no_error (error);
  store = crm_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (crm_contact_set_field_from_string (contact, "name", "周敏", &error));
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);

  /* The journal files hold the same customer data as the database. */
  g_assert_cmpuint (mode_of (path), ==, 0600);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (mode_of (wal), ==, 0600);
  g_assert_true (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (mode_of (shm), ==, 0600);

  g_assert_true (crm_backup_write (store, backup, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (backup), ==, 0600);
  g_assert_true (crm_backup_write (store, encrypted, "a long passphrase", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (encrypted), ==, 0600);

  g_clear_object (&store);
  umask (old_umask);
  remove_tree (dir);
}

/* An export written over a file others could read becomes private, and a
 * path that cannot be created says so. */
static void
test_reserve_private_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("crm-private-XXXXXX", &error);
  g_autofree char *fresh = g_build_filename (dir, "report.pdf", NULL);
  g_autofree char *old = g_build_filename (dir, "old.pdf", NULL);
  g_autofree char *impossible = g_build_filename (dir, "no", "such", "folder.pdf", NULL);
  mode_t old_umask = umask (022);

  g_assert_true (crm_runtime_reserve_private_file (fresh, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mode_of (fresh), ==, 0600);

  g_assert_true (g_file_set_contents (old, "x", 1, &error));
  g_assert_cmpint (g_chmod (old, 0644), ==, 0);
  g_assert_true (crm_runtime_reserve_private_file (old, &error));
  g_assert_cmpuint (mode_of (old), ==, 0600);

  g_assert_false (crm_runtime_reserve_private_file (impossible, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  umask (old_umask);
  remove_tree (dir);
}

/* Exports written to a device (crmctl … -o /dev/null) leave it a device,
 * with its mode; a regular file is written whole and private. */
static void
test_write_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("crm-private-XXXXXX", &error);
  g_autofree char *csv = g_build_filename (dir, "kpis.csv", NULL);
  g_autofree char *back = NULL;
  GStatBuf before, after;

  g_assert_cmpint (g_stat ("/dev/null", &before), ==, 0);
  g_assert_true (S_ISCHR (before.st_mode));
  g_assert_true (crm_runtime_is_special_file ("/dev/null"));
  g_assert_true (crm_runtime_reserve_private_file ("/dev/null", &error));
  g_assert_true (crm_runtime_write_file ("/dev/null", "kpi,value\n", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat ("/dev/null", &after), ==, 0);
  g_assert_true (S_ISCHR (after.st_mode));
  g_assert_cmpuint (after.st_mode, ==, before.st_mode);

  g_assert_false (crm_runtime_is_special_file (csv));
  g_assert_true (crm_runtime_write_file (csv, "kpi,value\n", -1, &error));
  g_assert_true (g_file_get_contents (csv, &back, NULL, &error));
  g_assert_cmpstr (back, ==, "kpi,value\n");
  g_assert_cmpuint (mode_of (csv), ==, 0600);
  remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/private-files/database-and-backup", test_database_and_backup);
  g_test_add_func ("/private-files/reserve", test_reserve_private_file);
  g_test_add_func ("/private-files/write-to-device", test_write_file);
  return g_test_run ();
}
