/* demo.c: demo data generation rate and database size, against plain SQLite inserts of the same rows
 *
 *   bench-demo [N [DIR]]   N contacts (default 100,000), databases in DIR
 *                          (default a new folder in /tmp, removed after)
 *
 * The reference inserts as many rows as the demo wrote, each as wide as
 * the demo's average row, into a bare table (no index, no constraint, no
 * trigger) in one transaction with one prepared statement, on the same
 * disk with the same journal settings: what SQLite alone costs for that
 * volume. The ratio says what the schema, indexes and generation add.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-demo.h"
#include "crm-store-private.h"

typedef struct
{
  gint64 started;
  gint64 generated;   /* when the last batch was written */
} Timing;

static const char * const tables[] = {
  "contacts", "purchases", "activities", "deals", "deal_stage_history",
  "survey_responses", "survey_answers",
};

static void
on_progress (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Timing *timing = user_data;

  if (done == total)
    timing->generated = g_get_monotonic_time ();
  fprintf (stderr, "\r  %llu / %llu contacts, %.0f s", (unsigned long long) done,
           (unsigned long long) total, (g_get_monotonic_time () - timing->started) / 1e6);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      fprintf (stderr, "bench-demo: %s: %s\n", sql, message);
      exit (1);
    }
}

/* Rows written and their average payload (the bytes SQLite stores for the
 * row's values, from the dbstat table), over the tables the demo fills. */
static void
measure_rows (sqlite3 *db,
              gint64  *out_rows,
              double  *out_width)
{
  gint64 rows = 0, payload = 0;

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[i]);
      g_autofree char *payload_sql = g_strdup_printf ("SELECT sum (payload) FROM dbstat WHERE name = '%s'",
                                                      tables[i]);
      gint64 n = query_int (db, count_sql);
      gint64 p = query_int (db, payload_sql);

      rows += n;
      /* Without dbstat, count the text of the values instead. */
      payload += p >= 0 ? p : n * 300;
    }

  *out_rows = rows;
  *out_width = rows > 0 ? (double) payload / rows : 0;
}

/* Seconds to insert @rows rows of @width bytes into a bare table. */
static double
reference_insert (const char *path,
                  gint64      rows,
                  int         width)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  int part = MAX (width / 4, 1);
  char *buf = g_malloc (part * 4 + 1);
  gint64 start;

  if (sqlite3_open (path, &db) != SQLITE_OK)
    {
      fprintf (stderr, "bench-demo: cannot open %s\n", path);
      exit (1);
    }
  /* The store's settings (crm-store.c). */
  exec_or_die (db, "PRAGMA journal_mode = WAL");
  exec_or_die (db, "PRAGMA synchronous = NORMAL");
  exec_or_die (db, "CREATE TABLE t (a TEXT, b TEXT, c TEXT, d TEXT)");

  start = g_get_monotonic_time ();
  exec_or_die (db, "BEGIN");
  if (sqlite3_prepare_v2 (db, "INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)", -1, &stmt, NULL) != SQLITE_OK)
    exit (1);
  for (gint64 r = 0; r < rows; r++)
    {
      /* Fresh text for each row, as the demo makes, so neither side gets
       * to reuse a buffer the other does not. */
      for (int i = 0; i < part * 4; i++)
        buf[i] = 'a' + g_rand_int_range (rand, 0, 26);
      for (int c = 0; c < 4; c++)
        sqlite3_bind_text (stmt, c + 1, buf + c * part, part, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          fprintf (stderr, "bench-demo: reference insert: %s\n", sqlite3_errmsg (db));
          exit (1);
        }
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  exec_or_die (db, "COMMIT");
  sqlite3_close (db);
  g_free (buf);

  return (g_get_monotonic_time () - start) / 1e6;
}

static void
remove_db (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *ref_path = NULL;
  guint64 n = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  gboolean own_dir = argc <= 2;
  CrmDemoOptions opts;
  CrmDemoStats stats;
  Timing timing = { 0, 0 };
  gint64 rows, db_bytes;
  double width, total_s, generate_s, finish_s, ref_s;

  if (n == 0)
    {
      fprintf (stderr, "usage: bench-demo [N [DIR]]\n");
      return 2;
    }

  dir = own_dir ? g_dir_make_tmp ("crm-bench-demo-XXXXXX", &error) : g_strdup (argv[2]);
  if (dir == NULL)
    {
      fprintf (stderr, "bench-demo: %s\n", error->message);
      return 1;
    }
  path = g_build_filename (dir, "demo.db", NULL);
  ref_path = g_build_filename (dir, "reference.db", NULL);
  remove_db (path);
  remove_db (ref_path);

  store = crm_store_open (path, &error);
  if (store == NULL)
    {
      fprintf (stderr, "bench-demo: %s\n", error->message);
      return 1;
    }

  crm_demo_options_init (&opts);
  opts.n_contacts = n;
  opts.seed = 1;
  opts.reference_date = "2024-12-31";
  opts.progress = on_progress;
  opts.progress_data = &timing;
  opts.stats = &stats;

  printf ("Generating %llu demo contacts in %s\n", (unsigned long long) n, path);
  timing.started = g_get_monotonic_time ();
  if (!crm_demo_generate (store, &opts, &error))
    {
      fprintf (stderr, "\nbench-demo: %s\n", error->message);
      return 1;
    }
  total_s = (g_get_monotonic_time () - timing.started) / 1e6;
  generate_s = (timing.generated - timing.started) / 1e6;
  finish_s = total_s - generate_s;
  fprintf (stderr, "\n");

  /* Fold the WAL into the file, so the size is what stays on disk. */
  exec_or_die (crm_store_get_db (store), "PRAGMA wal_checkpoint(TRUNCATE)");
  db_bytes = file_size (path);
  measure_rows (crm_store_get_db (store), &rows, &width);
  g_clear_object (&store);

  printf ("Reference: %lld rows of %.0f bytes into a bare table\n", (long long) rows, width);
  ref_s = reference_insert (ref_path, rows, (int) (width + 0.5));

  printf ("\n");
  printf ("contacts            %12llu  (%llu organizations)\n",
          (unsigned long long) stats.contacts, (unsigned long long) stats.organizations);
  printf ("purchases           %12llu  (%.2f per contact)\n",
          (unsigned long long) stats.purchases, (double) stats.purchases / stats.contacts);
  printf ("activities          %12llu  (%llu complaints)\n",
          (unsigned long long) stats.activities, (unsigned long long) stats.complaints);
  printf ("deals               %12llu  (%llu stage changes)\n",
          (unsigned long long) stats.deals, (unsigned long long) stats.stage_changes);
  printf ("survey responses    %12llu\n", (unsigned long long) stats.survey_responses);
  printf ("rows in all         %12lld  (%.0f bytes each on average)\n", (long long) rows, width);
  printf ("\n");
  printf ("time                %12.1f s  (generate %.1f s, index and lifecycle %.1f s)\n",
          total_s, generate_s, finish_s);
  printf ("contacts/s          %12.0f  (%.0f while generating)\n", n / total_s, n / generate_s);
  printf ("purchases/s         %12.0f\n", stats.purchases / total_s);
  printf ("rows/s              %12.0f\n", rows / total_s);
  printf ("database            %12.1f MB  (%.2f GB per 1M contacts)\n",
          db_bytes / 1e6, db_bytes / 1e9 * 1e6 / n);
  printf ("extrapolated 1M     %12.0f s\n", total_s * 1e6 / n);
  printf ("\n");
  printf ("reference           %12.1f s  (%.0f rows/s, bare table, one transaction)\n",
          ref_s, rows / ref_s);
  printf ("ratio demo/reference %11.1f×\n", total_s / ref_s);

  remove_db (ref_path);
  if (own_dir)
    {
      remove_db (path);
      g_rmdir (dir);
    }
  return 0;
}
