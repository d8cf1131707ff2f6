/* test-crash-safety.c: crmctl killed with SIGKILL at random points of an
 * import, a dedupe merge and a sync pull, over and over
 *
 * After every kill the database must pass PRAGMA integrity_check and the
 * foreign key check, every change that was committed must have its outbox
 * mutation (or, for a pull, none at all), and the app must open it. A pull
 * that was killed must finish on the next run with exactly the server's rows.
 *
 * CRM_KILL_ITERATIONS sets the total number of kills (default 200); the
 * kill points come from the GTest random seed, printed on failure.
 */
#include "config.h"

#include <gio/gio.h>

#include "crm-server.h"
#include "crm-sync-protocol.h"
#include "store-fixture.h"

#define PASSWORD "correct horse battery"

typedef struct
{
  char *dir;
  char *crmctl;
  char *base;           /* the database every killed run starts from */
  char *work;           /* the copy a run works on, killed */
  char *csv;            /* contacts to import, some already in base */
  /* crm-server in its own thread, for the pull scenario */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex mutex;
  GCond cond;
  char *url;
} Harness;

static guint
iterations (void)
{
  const char *text = g_getenv ("CRM_KILL_ITERATIONS");

  return text != NULL ? (guint) g_ascii_strtoull (text, NULL, 10) : 200;
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) target = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* A fresh copy of @from at @to, without the journal of an earlier run. */
static void
reset_database (const char *from,
                const char *to)
{
  static const char * const suffixes[] = { "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *extra = g_strconcat (to, suffixes[i], NULL);

      g_unlink (extra);
    }
  copy_file (from, to);
}

/* Runs crmctl with @args; with @kill_after_us ≥ 0 kills it that long after
 * the start (if it is still running). Returns whether it ran to a
 * successful end. */
static gboolean
run_crmctl_strv (Harness            *h,
                 gint64              kill_after_us,
                 const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, h->crmctl);
  g_ptr_array_add (argv, (char *) "--quiet");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  child = g_subprocess_newv ((const char * const *) argv->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             &error);
  g_assert_no_error (error);
  if (kill_after_us >= 0)
    {
      g_usleep ((gulong) kill_after_us);
      g_subprocess_force_exit (child);
    }
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (child) && g_subprocess_get_exit_status (child) == 0;
}

static gboolean G_GNUC_NULL_TERMINATED
run_crmctl (Harness    *h,
            gint64      kill_after_us,
            ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, kill_after_us);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return run_crmctl_strv (h, kill_after_us, (const char * const *) args->pdata);
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = 0;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* The columns of @table that travel in mutations, as a SELECT list. */
static char *
synced_columns (sqlite3    *db,
                const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT name FROM pragma_table_info ('%s')", table);
  g_autoptr(GString) list = g_string_new ("id");
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *column = (const char *) sqlite3_column_text (stmt, 0);

      if (!g_str_equal (column, "id") && crm_sync_column_is_synced (table, column))
        g_string_append_printf (list, ", \"%s\"", column);
    }
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&list), FALSE);
}

/* Checks the database at @path after a run that started from @base_path:
 * intact, and every row whose synced fields differ from the base (or that
 * is new, or gone) has a mutation in the outbox newer than the base's.
 * With @expect_no_mutations (a pull), the outbox must not have grown. */
static void
check_database (const char *base_path,
                const char *path,
                gboolean    expect_no_mutations)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = NULL;
  const char * const *tables = crm_store_get_synced_tables ();
  sqlite3 *db = NULL;
  char *attach;
  sqlite3_stmt *stmt = NULL;
  gint64 base_max;

  /* Raw SQLite first: recovery of the journal is the first thing anyone
   * opening the file does, and the app must not be needed for it. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA foreign_key_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  attach = sqlite3_mprintf ("ATTACH %Q AS base", base_path);
  g_assert_cmpint (sqlite3_exec (db, attach, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_free (attach);
  base_max = query_int (db, "SELECT coalesce (max (mutation_id), 0) FROM base.outbox");
  if (expect_no_mutations)
    g_assert_cmpint (query_int (db, "SELECT coalesce (max (mutation_id), 0) FROM main.outbox"), <=, base_max);

  for (guint i = 0; tables[i] != NULL; i++)
    {
      g_autofree char *columns = synced_columns (db, tables[i]);
      g_autofree char *sql = NULL;
      gint64 unrecorded;

      if (expect_no_mutations)
        continue;
      sql = g_strdup_printf ("SELECT count(*) FROM ("
                             "  SELECT id FROM (SELECT %s FROM main.%s EXCEPT SELECT %s FROM base.%s)"
                             "  UNION SELECT id FROM base.%s WHERE id NOT IN (SELECT id FROM main.%s))"
                             " WHERE id NOT IN (SELECT row_id FROM main.outbox"
                             "                  WHERE table_name = '%s' AND mutation_id > %" G_GINT64_FORMAT ")",
                             columns, tables[i], columns, tables[i], tables[i], tables[i], tables[i], base_max);
      unrecorded = query_int (db, sql);
      if (unrecorded != 0)
        g_error ("%s: %" G_GINT64_FORMAT " changed rows without an outbox mutation", tables[i], unrecorded);
    }
  sqlite3_close (db);

  /* And the app opens it (migrations, triggers, the whole store), with
   * every index of the base: a first pull builds the contacts' at its
   * end, or, killed first, the open does. */
  store = crm_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  attach = sqlite3_mprintf ("ATTACH %Q AS base", base_path);
  g_assert_cmpint (sqlite3_exec (db, attach, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_free (attach);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM (SELECT name, sql FROM base.sqlite_master WHERE type = 'index'"
                                  " EXCEPT SELECT name, sql FROM main.sqlite_master WHERE type = 'index')"), ==, 0);
  sqlite3_close (db);
}

static gint64
count_rows (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  n = query_int (db, sql);
  sqlite3_close (db);
  return n;
}

/* How long an unkilled run of @args on a copy of @from takes: kills land
 * uniformly within it, so every stage of the work gets hit. */
static gint64
measure_run (Harness            *h,
             const char         *from,
             const char * const *args)
{
  gint64 start;

  reset_database (from, h->work);
  start = g_get_monotonic_time ();
  g_assert_true (run_crmctl_strv (h, -1, args));
  return MAX (g_get_monotonic_time () - start, 1000);
}

static void
write_contacts_csv (const char *path,
                    const char *base_path,
                    guint       n_rows)
{
  g_autoptr(GString) csv = g_string_new ("姓名,手机,邮箱,公司,城市,备注\r\n");
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint row = 0;

  /* An eighth of the rows repeat people already stored (by their phone),
   * so the duplicate merge path is killed too. */
  g_assert_cmpint (sqlite3_open_v2 (base_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name, json_extract (phones, '$[0].raw') FROM contacts"
                                           " WHERE json_extract (phones, '$[0].raw') IS NOT NULL LIMIT ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int (stmt, 1, (int) (n_rows / 8));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_string_append_printf (csv, "%s,%s,,,,\"导入 \"\"第 %u 行\"\"\"\r\n",
                              sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1), ++row);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  for (; row < n_rows; row++)
    g_string_append_printf (csv, "客户%u,139%08u,c%u@example.cn,公司%u,上海,\"多行\n备注\"\r\n",
                            row, 10000000 + row, row, row % 50);
  g_file_set_contents (path, csv->str, (gssize) csv->len, &error);
  g_assert_no_error (error);
}

static gpointer
server_thread (gpointer data)
{
  Harness *h = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (h->dir, "server.db", NULL);
  g_autoptr(CrmServer) server = NULL;

  g_main_context_push_thread_default (h->context);
  server = crm_server_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (crm_server_add_user (server, "alice", PASSWORD, "admin", NULL, &error));
  g_assert_true (crm_server_listen (server, "127.0.0.1", 0, &error));

  g_mutex_lock (&h->mutex);
  h->url = g_strdup_printf ("http://127.0.0.1:%u", crm_server_get_port (server));
  g_cond_signal (&h->cond);
  g_mutex_unlock (&h->mutex);

  g_main_loop_run (h->loop);
  crm_server_disconnect (server);
  g_main_context_pop_thread_default (h->context);
  return NULL;
}

static void
start_server (Harness *h)
{
  h->context = g_main_context_new ();
  h->loop = g_main_loop_new (h->context, FALSE);
  h->thread = g_thread_new ("crm-server", server_thread, h);
  g_mutex_lock (&h->mutex);
  while (h->url == NULL)
    g_cond_wait (&h->cond, &h->mutex);
  g_mutex_unlock (&h->mutex);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
stop_server (Harness *h)
{
  if (h->thread == NULL)
    return;
  g_main_context_invoke (h->context, quit_loop, h->loop);
  g_thread_join (h->thread);
  g_main_loop_unref (h->loop);
  g_main_context_unref (h->context);
}

static void
harness_setup (Harness       *h,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  h->crmctl = g_strdup (g_getenv ("CRMCTL"));
  if (h->crmctl == NULL)
    {
      g_test_skip ("CRMCTL is not set (meson test sets it)");
      return;
    }
  h->dir = g_dir_make_tmp ("crm-crash-XXXXXX", &error);
  g_assert_no_error (error);
  g_mutex_init (&h->mutex);
  g_cond_init (&h->cond);
  h->base = g_build_filename (h->dir, "base.db", NULL);
  h->work = g_build_filename (h->dir, "work.db", NULL);
  h->csv = g_build_filename (h->dir, "contacts.csv", NULL);
  g_assert_true (run_crmctl (h, -1, "--db", h->base, "demo", "--contacts", "400", "--seed", "7", NULL));
  write_contacts_csv (h->csv, h->base, 800);
}

static void
harness_teardown (Harness       *h,
                  gconstpointer  data)
{
  stop_server (h);
  if (h->dir != NULL)
    remove_tree (h->dir);
  g_free (h->dir);
  g_free (h->crmctl);
  g_free (h->base);
  g_free (h->work);
  g_free (h->csv);
  g_free (h->url);
  g_mutex_clear (&h->mutex);
  g_cond_clear (&h->cond);
}

static gint64
random_point (gint64 duration)
{
  return g_test_rand_int_range (0, (gint32) MIN (duration, G_MAXINT32));
}

static void
test_kill_import (Harness       *h,
                  gconstpointer  data)
{
  guint n = iterations () * 2 / 5;
  gint64 duration;
  const char * const args[] = { "--db", h->work, "import", "contacts", h->csv, NULL };

  if (h->dir == NULL)
    return;
  duration = measure_run (h, h->base, args);
  g_test_message ("an import takes %" G_GINT64_FORMAT " ms; killing it %u times", duration / 1000, n);
  for (guint i = 0; i < n; i++)
    {
      reset_database (h->base, h->work);
      run_crmctl_strv (h, random_point (duration), args);
      check_database (h->base, h->work, FALSE);
    }
}

static void
test_kill_merge (Harness       *h,
                 gconstpointer  data)
{
  g_autofree char *with_duplicates = NULL;
  guint n = iterations () * 3 / 10;
  gint64 duration;

  if (h->dir == NULL)
    return;
  /* Imported as new contacts, the repeated people become duplicates. */
  with_duplicates = g_build_filename (h->dir, "duplicates.db", NULL);
  reset_database (h->base, with_duplicates);
  g_assert_true (run_crmctl (h, -1, "--db", with_duplicates, "import", "contacts", h->csv,
                             "--duplicates", "create", NULL));
  g_assert_cmpint (count_rows (with_duplicates, "SELECT count(*) FROM contacts"), >, 400);

  duration = measure_run (h, with_duplicates, (const char * const[]) { "--db", h->work, "dedupe", "--apply", NULL });
  g_assert_cmpint (count_rows (h->work, "SELECT count(*) FROM contacts WHERE deleted = 1"), >, 0);
  g_test_message ("a dedupe takes %" G_GINT64_FORMAT " ms; killing it %u times", duration / 1000, n);
  for (guint i = 0; i < n; i++)
    {
      reset_database (with_duplicates, h->work);
      run_crmctl (h, random_point (duration), "--db", h->work, "dedupe", "--apply", NULL);
      check_database (with_duplicates, h->work, FALSE);
    }
}

static void
test_kill_pull (Harness       *h,
                gconstpointer  data)
{
  g_autofree char *seeder = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *password = NULL;
  guint n = iterations () - iterations () * 2 / 5 - iterations () * 3 / 10;
  gint64 duration, on_server;

  if (h->dir == NULL)
    return;
  start_server (h);
  password = g_build_filename (h->dir, "password", NULL);
  g_assert_true (g_file_set_contents (password, PASSWORD "\n", -1, NULL));
  g_assert_cmpint (g_chmod (password, 0600), ==, 0);

  /* The server gets its rows from a client that imported them. */
  seeder = g_build_filename (h->dir, "seeder.db", NULL);
  g_assert_true (run_crmctl (h, -1, "--db", seeder, "import", "contacts", h->csv, NULL));
  g_assert_true (run_crmctl (h, -1, "--db", seeder, "sync", "--server", h->url, "--user", "alice",
                             "--password-file", password, NULL));
  on_server = count_rows (seeder, "SELECT count(*) FROM contacts");
  g_assert_cmpint (on_server, >, 400);

  empty = g_build_filename (h->dir, "empty.db", NULL);
  g_assert_true (run_crmctl (h, -1, "--db", empty, "init", NULL));
  duration = measure_run (h, empty, (const char * const[]) { "--db", h->work, "sync", "--server", h->url,
                                                            "--user", "alice", "--password-file", password, NULL });
  g_assert_cmpint (count_rows (h->work, "SELECT count(*) FROM contacts"), ==, on_server);
  g_test_message ("a pull takes %" G_GINT64_FORMAT " ms; killing it %u times", duration / 1000, n);

  for (guint i = 0; i < n; i++)
    {
      reset_database (empty, h->work);
      run_crmctl (h, random_point (duration), "--db", h->work, "sync", "--server", h->url,
                  "--user", "alice", "--password-file", password, NULL);
      check_database (empty, h->work, TRUE);
      /* The next sync picks up where the killed one stopped: nothing lost,
       * nothing doubled. */
      g_assert_true (run_crmctl (h, -1, "--db", h->work, "sync", "--server", h->url,
                                 "--user", "alice", "--password-file", password, NULL));
      g_assert_cmpint (count_rows (h->work, "SELECT count(*) FROM contacts"), ==, on_server);
      g_assert_cmpint (count_rows (h->work, "SELECT count(DISTINCT id) FROM contacts"), ==, on_server);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/crash-safety/kill-import", Harness, NULL, harness_setup, test_kill_import, harness_teardown);
  g_test_add ("/crash-safety/kill-merge", Harness, NULL, harness_setup, test_kill_merge, harness_teardown);
  g_test_add ("/crash-safety/kill-pull", Harness, NULL, harness_setup, test_kill_pull, harness_teardown);

  return g_test_run ();
}
