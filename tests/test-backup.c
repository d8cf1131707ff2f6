/* test-backup.c: online backup, restore (checked first, old kept as .bak) and check */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "crm-backup.h"
#include "crm-backup-cipher.h"
#include "crm-contact.h"
#include "store-fixture.h"

static char *
insert_contact (CrmStore   *store,
                const char *name)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, name);
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static gint64
count_in (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
test_backup_copy (StoreFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (f->dir, "backup.db", NULL);
  g_autofree char *wal = g_strconcat (dest, "-wal", NULL);
  g_autoptr(CrmStore) copy = NULL;
  GStatBuf st;

  for (guint i = 0; i < 20; i++)
    g_free (insert_contact (f->store, "张三丰"));

  /* Not in the middle of a change: it would copy half of it. */
  g_assert_true (crm_store_begin (f->store, &error));
  g_assert_false (crm_store_backup (f->store, dest, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_BUSY);
  g_clear_error (&error);
  crm_store_rollback (f->store);

  g_assert_true (crm_store_backup (f->store, dest, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (dest, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));

  /* A self-contained database with everything, search included. */
  g_assert_cmpint (count_in (dest, "SELECT count(*) FROM contacts"), ==, 20);
  g_assert_cmpint (count_in (dest, "SELECT count(*) FROM outbox"), ==, 20);
  copy = crm_store_open (dest, &error);
  g_assert_no_error (error);
  g_assert_true (crm_store_check (copy, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (copy, "SELECT count(*) FROM contact_fts WHERE contact_fts MATCH '\"zhangsan\"'"), ==, 20);

  /* Writing to a place that does not exist fails cleanly. */
  g_assert_false (crm_store_backup (f->store, "/nonexistent-dir/backup.db", &error));
  g_assert_nonnull (error);
}

static void
test_backup_while_other_connection_writes (StoreFixture  *f,
                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) other = crm_store_open (f->path, &error);
  g_autofree char *dest = g_build_filename (f->dir, "backup.db", NULL);

  g_assert_no_error (error);
  g_free (insert_contact (f->store, "before"));

  /* Another program holds an open write transaction: the backup sees the
   * last committed state, never the pending one. */
  g_assert_true (crm_store_begin (other, &error));
  g_free (insert_contact (other, "pending"));
  g_assert_true (crm_store_backup (f->store, dest, &error));
  g_assert_no_error (error);
  g_assert_true (crm_store_commit (other, &error));

  g_assert_cmpint (count_in (dest, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (count_in (dest, "SELECT count(*) FROM outbox"), ==, 1);
}

static void
on_changed (CrmStore   *store,
            const char *table,
            const char *id,
            guint      *n_everything)
{
  if (table == NULL)
    (*n_everything)++;
}

static void
test_backup_restore (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (f->dir, "backup.db", NULL);
  g_autofree char *bak = g_strconcat (f->path, ".bak", NULL);
  g_autofree char *kept = insert_contact (f->store, "kept");
  g_autofree char *later = NULL;
  guint n_everything = 0;

  g_assert_true (crm_store_backup (f->store, dest, &error));
  later = insert_contact (f->store, "added after the backup");
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 2);

  g_signal_connect (f->store, "changed", G_CALLBACK (on_changed), &n_everything);
  g_assert_true (crm_store_restore (f->store, dest, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_everything, ==, 1);

  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 1);
  {
    g_autoptr(CrmContact) contact = crm_store_get (f->store, CRM_TYPE_CONTACT, kept, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (crm_contact_get_name (contact), ==, "kept");
  }
  /* The replaced database is kept, whole. */
  g_assert_cmpint (count_in (bak, "SELECT count(*) FROM contacts"), ==, 2);

  /* Writing continues normally, with a later clock. */
  g_free (insert_contact (f->store, "after restore"));
  g_assert_true (crm_store_check (f->store, NULL, &error));
  g_assert_no_error (error);
}

static void
test_backup_restore_refuses_bad_sources (StoreFixture  *f,
                                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *junk = g_build_filename (f->dir, "junk.db", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);
  g_autofree char *damaged = g_build_filename (f->dir, "damaged.db", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *bak = g_strconcat (f->path, ".bak", NULL);
  gsize length;
  sqlite3 *db = NULL;

  for (guint i = 0; i < 200; i++)
    g_free (insert_contact (f->store, "现有客户"));

  g_assert_true (g_file_set_contents (junk, "definitely not a database", -1, NULL));
  g_assert_false (crm_store_restore (f->store, junk, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_A_DATABASE);
  g_clear_error (&error);

  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE t (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_false (crm_store_restore (f->store, other, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_A_DATABASE);
  g_assert_nonnull (strstr (error->message, "not a CRM backup"));
  g_clear_error (&error);

  /* A backup whose pages were damaged after the first one. */
  g_assert_true (crm_store_backup (f->store, damaged, &error));
  g_assert_true (g_file_get_contents (damaged, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 8 * 4096);
  for (gsize i = 5 * 4096; i < 7 * 4096; i++)
    contents[i] = (char) (i * 7);
  g_assert_true (g_file_set_contents (damaged, contents, length, NULL));
  g_assert_false (crm_store_restore (f->store, damaged, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Nothing happened to the current database, and no .bak was made. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 200);
  g_assert_false (g_file_test (bak, G_FILE_TEST_EXISTS));
}

static void
test_backup_restore_file_over_corrupt (StoreFixture  *f,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (f->dir, "backup.db", NULL);
  g_autofree char *bak = g_strconcat (f->path, ".bak", NULL);
  g_autofree char *damaged_hash = NULL;
  g_autofree char *bak_hash = NULL;
  g_autoptr(CrmStore) reopened = NULL;

  g_free (insert_contact (f->store, "saved"));
  g_assert_true (crm_store_backup (f->store, dest, &error));
  g_assert_finalize_object (g_steal_pointer (&f->store));

  g_assert_true (g_file_set_contents (f->path, "garbage where the database was", -1, NULL));
  damaged_hash = file_sha256 (f->path);
  reopened = crm_store_open (f->path, &error);
  g_assert_null (reopened);
  g_clear_error (&error);

  g_assert_true (crm_store_restore_file (f->path, dest, &error));
  g_assert_no_error (error);
  bak_hash = file_sha256 (bak);
  g_assert_cmpstr (bak_hash, ==, damaged_hash);

  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 1);
}

static void
test_backup_check_finds_problems (StoreFixture  *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;

  g_free (insert_contact (f->store, "ok"));
  g_assert_true (crm_store_check (f->store, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (report, ==, "");
  g_clear_pointer (&report, g_free);

  /* A purchase of a contact that does not exist, written around the
   * foreign keys, as a buggy importer might. */
  g_assert_true (crm_store_exec (f->store,
                                 "PRAGMA foreign_keys = OFF;"
                                 "INSERT INTO purchases (id, created_at, updated_at, contact_id, product, purchased_at)"
                                 " VALUES ('0190c5e2-0000-7000-8000-000000000001', 'x', 'x',"
                                 " '0190c5e2-0000-7000-8000-0000000000ff', 'tea', '2024-01-01');"
                                 "PRAGMA foreign_keys = ON;", &error));
  g_assert_false (crm_store_check (f->store, &report, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (report, "purchases"));
  g_clear_error (&error);
  g_clear_pointer (&report, g_free);

  /* A search index that lost a row. */
  g_assert_true (crm_store_exec (f->store, "DELETE FROM purchases; DELETE FROM contact_fts", &error));
  g_assert_false (crm_store_check (f->store, &report, &error));
  g_assert_nonnull (strstr (report, "search index"));
}

/* Files in @dir other than the database's own, the .bak and @keep. */
static guint
count_strays (const char *dir,
              const char *keep)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (!g_str_has_prefix (name, "crm.db") && g_strcmp0 (name, keep) != 0)
      n++;
  g_dir_close (d);
  return n;
}

static void
test_backup_encrypted_round_trip (StoreFixture  *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (f->dir, "backup.crmbackup", NULL);
  g_autofree char *kept = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  GStatBuf st;

  /* Enough rows for several 64 KiB blocks. */
  for (guint i = 0; i < 600; i++)
    g_free (insert_contact (f->store, "加密备份客户"));
  kept = insert_contact (f->store, "kept");

  g_assert_false (crm_backup_write (f->store, dest, "", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));

  g_assert_true (crm_backup_write (f->store, dest, "正确的口令 horse", &error));
  g_assert_no_error (error);
  g_assert_true (crm_backup_cipher_is_encrypted (dest));
  g_assert_cmpint (g_stat (dest, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* No plain copy is left beside it, and nothing of the rows is readable. */
  g_assert_cmpuint (count_strays (f->dir, "backup.crmbackup"), ==, 0);
  g_assert_true (g_file_get_contents (dest, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 3 * 65536);
  g_assert_null (g_strstr_len (contents, length, "SQLite format"));
  g_assert_null (g_strstr_len (contents, length, "加密备份客户"));

  g_free (insert_contact (f->store, "added after the backup"));
  g_assert_true (crm_backup_restore (f->store, dest, "正确的口令 horse", &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 601);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts WHERE name = 'added after the backup'"), ==, 0);
  g_assert_cmpuint (count_strays (f->dir, "backup.crmbackup"), ==, 0);
  g_assert_true (crm_store_check (f->store, NULL, &error));
  g_assert_no_error (error);
}

/* Writes @contents with @length bytes to a new file in @dir named @name. */
static char *
write_variant (const char *dir,
               const char *name,
               const char *contents,
               gsize       length)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, (gssize) length, NULL));
  return path;
}

static void
test_backup_encrypted_refuses_bad_input (StoreFixture  *f,
                                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dest = g_build_filename (f->dir, "good.crmbackup", NULL);
  g_autofree char *bak = g_strconcat (f->path, ".bak", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *cut = NULL, *cut_in_header = NULL, *flipped = NULL, *tail = NULL, *limits = NULL;
  gsize length;

  for (guint i = 0; i < 400; i++)
    g_free (insert_contact (f->store, "现有客户"));
  g_assert_true (crm_backup_write (f->store, dest, "secret", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (dest, &contents, &length, NULL));
  g_free (insert_contact (f->store, "after"));

  /* No passphrase, a wrong one. */
  g_assert_false (crm_backup_restore (f->store, dest, NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_WRONG_PASSPHRASE);
  g_clear_error (&error);
  g_assert_false (crm_backup_restore (f->store, dest, "Secret", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_WRONG_PASSPHRASE);
  g_assert_nonnull (strstr (error->message, "wrong"));
  g_clear_error (&error);

  /* Cut off in the middle, and inside its header. */
  cut = write_variant (f->dir, "cut.crmbackup", contents, length / 2);
  g_assert_false (crm_backup_restore (f->store, cut, "secret", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "cut off"));
  g_clear_error (&error);
  cut_in_header = write_variant (f->dir, "header.crmbackup", contents, 50);
  g_assert_false (crm_backup_restore (f->store, cut_in_header, "secret", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* One bit changed in the third block: the error says where. */
  contents[64 + 2 * 65560] ^= 0x01;
  flipped = write_variant (f->dir, "flipped.crmbackup", contents, length);
  contents[64 + 2 * 65560] ^= 0x01;
  g_assert_false (crm_backup_restore (f->store, flipped, "secret", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "at byte"));
  g_clear_error (&error);

  /* Bytes appended after the final block. */
  {
    g_autofree char *longer = g_malloc (length + 3);

    memcpy (longer, contents, length);
    memcpy (longer + length, "xyz", 3);
    tail = write_variant (f->dir, "tail.crmbackup", longer, length + 3);
  }
  g_assert_false (crm_backup_restore (f->store, tail, "secret", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Key settings asking for absurd memory are refused before any work;
   * other changes to the preamble fail authentication. */
  memset (contents + 8 + 16 + 8, 0xff, 8);
  limits = write_variant (f->dir, "limits.crmbackup", contents, length);
  g_assert_false (crm_backup_restore (f->store, limits, "secret", &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* The database is as it was, with no .bak and no plain copies. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM contacts"), ==, 401);
  g_assert_false (g_file_test (bak, G_FILE_TEST_EXISTS));
  {
    GDir *d = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (d)) != NULL)
      g_assert_null (strstr (name, ".plain-"));
    g_dir_close (d);
  }
}

static void
test_backup_rotate (StoreFixture  *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (f->dir, "backups", NULL);
  g_autofree char *mine = g_build_filename (dir, "notes.txt", NULL);
  g_autofree char *latest = NULL;
  g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 3, 1, 8, 0, 0);
  g_autoptr(GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  GStatBuf st;

  g_free (insert_contact (f->store, "rotated"));
  g_assert_null (crm_backup_find_latest (dir));

  for (guint day = 0; day < 5; day++)
    {
      g_autoptr(GDateTime) now = g_date_time_add_days (start, (int) day);
      char *path = crm_backup_rotate (f->store, dir, 3, day % 2 ? "pw" : NULL, now, &error);

      g_assert_no_error (error);
      g_assert_nonnull (path);
      g_assert_true (g_str_has_suffix (path, CRM_BACKUP_SUFFIX));
      g_ptr_array_add (written, path);
      if (day == 0)
        g_assert_true (g_file_set_contents (mine, "not a backup", -1, NULL));
    }

  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  /* The three newest stay, the user's own file too. */
  for (guint i = 0; i < written->len; i++)
    g_assert_cmpint (g_file_test (g_ptr_array_index (written, i), G_FILE_TEST_EXISTS), ==, i >= 2);
  g_assert_true (g_file_test (mine, G_FILE_TEST_EXISTS));
  latest = crm_backup_find_latest (dir);
  g_assert_cmpstr (latest, ==, g_ptr_array_index (written, 4));
  g_assert_false (crm_backup_cipher_is_encrypted (g_ptr_array_index (written, 4)));
  g_assert_true (crm_backup_cipher_is_encrypted (g_ptr_array_index (written, 3)));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/backup/copy", test_backup_copy);
  STORE_TEST ("/backup/while-other-connection-writes", test_backup_while_other_connection_writes);
  STORE_TEST ("/backup/restore", test_backup_restore);
  STORE_TEST ("/backup/restore-refuses-bad-sources", test_backup_restore_refuses_bad_sources);
  STORE_TEST ("/backup/restore-file-over-corrupt", test_backup_restore_file_over_corrupt);
  STORE_TEST ("/backup/check-finds-problems", test_backup_check_finds_problems);
  STORE_TEST ("/backup/encrypted-round-trip", test_backup_encrypted_round_trip);
  STORE_TEST ("/backup/encrypted-refuses-bad-input", test_backup_encrypted_refuses_bad_input);
  STORE_TEST ("/backup/rotate", test_backup_rotate);

  return g_test_run ();
}
