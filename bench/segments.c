/* segments.c: counting a 4-condition segment against the same query typed into the sqlite3 CLI
 *
 *   build/bench/bench-segments [--contacts N] [--db FILE]
 *
 * With --db the database is opened read-only (nothing is written to it);
 * without, N demo contacts (default 20 000) are generated in a temporary
 * folder. Each figure is the best of several runs; the ratio compares with
 * the sqlite3 CLI measured in the same run, as the machine is noisy. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-util.h"
#include "crm-demo.h"
#include "crm-runtime.h"
#include "crm-segment.h"
#include "crm-store-private.h"

/* Guangdong, aged 25–45, frequent or active, bought electronics in the
 * last 365 days. */
static const char rule[] =
  "{\"all\": ["
  "{\"field\": \"province\", \"op\": \"eq\", \"value\": \"广东省\"},"
  "{\"field\": \"age\", \"op\": \"between\", \"value\": [25, 45]},"
  "{\"field\": \"lifecycle\", \"op\": \"in\", \"value\": [\"frequent\", \"active\"]},"
  "{\"field\": \"bought_category\", \"op\": \"eq\", \"value\": \"数码电子\", \"within_days\": 365}]}";

/* Single purchase facts, timed on their own (no reference: they show
 * that other rules stay fast too). */
static const struct { const char *what, *rule; } more_rules[] = {
  { "total spent ≥ ¥5,000", "{\"all\": [{\"field\": \"total_spent\", \"op\": \"ge\", \"value\": 5000}]}" },
  { "3 or more purchases", "{\"all\": [{\"field\": \"purchase_count\", \"op\": \"ge\", \"value\": 3}]}" },
  { "last purchase before 2026-01-01", "{\"all\": [{\"field\": \"last_purchase\", \"op\": \"before\", \"value\": \"2026-01-01\"}]}" },
  { "bought 数码电子 within 90 days", "{\"all\": [{\"field\": \"bought_category\", \"op\": \"eq\", \"value\": \"数码电子\", \"within_days\": 90}]}" },
  { "广东省, bought 数码电子 within 90 days", "{\"all\": [{\"field\": \"province\", \"op\": \"eq\", \"value\": \"广东省\"},"
    "{\"field\": \"bought_category\", \"op\": \"eq\", \"value\": \"数码电子\", \"within_days\": 90}]}" },
};

/* The same, as someone would write it by hand with the dates worked out. */
static const char by_hand[] =
  "SELECT count (*) FROM contacts c WHERE %sc.deleted = 0 AND c.province = '广东省'"
  " AND c.birthday <= '%s' AND c.birthday > '%s'"
  " AND coalesce (c.lifecycle_override, c.lifecycle) IN ('frequent', 'active')"
  " AND EXISTS (SELECT 1 FROM purchases p WHERE p.contact_id = c.id AND p.deleted = 0"
  " AND p.category = '数码电子' AND p.purchased_at >= '%s');\n";

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* The best "Run Time: real" of the sqlite3 CLI over @runs runs, in ms, its
 * best user + sys in @out_cpu, and the count it printed. */
static double
sqlite3_cli_ms (const char *db_path,
                const char *sql,
                int         runs,
                double     *out_cpu,
                gint64     *out_count)
{
  g_autofree char *script_path = NULL;
  g_autofree char *script = g_strdup_printf (".timer on\n%s", sql);
  double best = INFINITY;
  int fd = g_file_open_tmp ("crm-bench-XXXXXX.sql", &script_path, NULL);

  if (fd < 0)
    return NAN;
  close (fd);
  if (!g_file_set_contents (script_path, script, -1, NULL))
    return NAN;
  for (int i = 0; i < runs; i++)
    {
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_autoptr(GSubprocess) proc = NULL;
      g_autofree char *out = NULL;
      const char *line;

      g_subprocess_launcher_set_stdin_file_path (launcher, script_path);
      proc = g_subprocess_launcher_spawn (launcher, NULL, "sqlite3", "-readonly", db_path, NULL);
      if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, NULL))
        break;
      *out_count = g_ascii_strtoll (out, NULL, 10);
      line = out != NULL ? strstr (out, "Run Time: real ") : NULL;
      if (line != NULL)
        {
          const char *user = strstr (line, " user ");
          const char *sys = strstr (line, " sys ");

          best = MIN (best, g_ascii_strtod (line + strlen ("Run Time: real "), NULL) * 1000);
          if (user != NULL && sys != NULL)
            *out_cpu = MIN (*out_cpu, (g_ascii_strtod (user + strlen (" user "), NULL) +
                                       g_ascii_strtod (sys + strlen (" sys "), NULL)) * 1000);
        }
    }
  g_unlink (script_path);
  return isinf (best) ? NAN : best;
}

static char *
date_minus (const GDate *ref,
            guint        years,
            guint        days)
{
  GDate d = *ref;

  g_date_subtract_years (&d, years);
  g_date_subtract_days (&d, days);
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&d), g_date_get_month (&d), g_date_get_day (&d));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *ref_text = NULL;
  g_autofree char *oldest = NULL, *youngest = NULL, *since = NULL, *sql = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  guint64 contacts = 20000;
  gint64 count = -1, cli_count = -1;
  double best = INFINITY, cli = INFINITY, cli_tuned = INFINITY;
  double best_cpu = INFINITY, cli_cpu = INFINITY;
  g_autofree char *tuned = NULL;
  gboolean has_cli;
  GDate ref;

  crm_runtime_init ();
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--contacts") && i + 1 < argc)
        contacts = g_ascii_strtoull (argv[++i], NULL, 10);
      else if (g_str_equal (argv[i], "--db") && i + 1 < argc)
        db_path = g_strdup (argv[++i]);
      else
        {
          fprintf (stderr, "usage: %s [--contacts N] [--db FILE]\n", argv[0]);
          return 2;
        }
    }

  if (db_path == NULL)
    {
      CrmDemoOptions opts;
      double t0 = now_ms ();

      dir = g_dir_make_tmp ("crm-bench-segments-XXXXXX", &error);
      g_assert_no_error (error);
      db_path = g_build_filename (dir, "crm.db", NULL);
      store = crm_store_open (db_path, &error);
      g_assert_no_error (error);
      crm_demo_options_init (&opts);
      opts.n_contacts = contacts;
      opts.seed = 1;
      g_assert_true (crm_demo_generate (store, &opts, &error));
      printf ("demo data: %" G_GUINT64_FORMAT " contacts in %.1f s\n", contacts, (now_ms () - t0) / 1000);
    }
  else
    {
      store = crm_store_open_full (db_path, CRM_STORE_OPEN_READ_ONLY, &error);
      g_assert_no_error (error);
    }
  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, "SELECT (SELECT count (*) FROM contacts), (SELECT count (*) FROM purchases)", &error);

    if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
      printf ("database: %lld contacts, %lld purchases\n",
              (long long) sqlite3_column_int64 (stmt, 0), (long long) sqlite3_column_int64 (stmt, 1));
  }

  g_date_clear (&ref, 1);
  g_date_set_dmy (&ref, g_date_time_get_day_of_month (now), g_date_time_get_month (now), g_date_time_get_year (now));
  ref_text = date_minus (&ref, 0, 0);

  /* Aged 25–45: born on or before ref − 25 years, after ref − 46 years. */
  oldest = date_minus (&ref, 46, 0);
  youngest = date_minus (&ref, 25, 0);
  since = date_minus (&ref, 0, 365);
  sql = g_strdup_printf (by_hand, "", youngest, oldest, since);
  /* The same with +c.deleted, as the compiled rule writes it. */
  tuned = g_strdup_printf (by_hand, "+", youngest, oldest, since);
  has_cli = g_find_program_in_path ("sqlite3") != NULL;

  /* Interleaved rounds, so a page cache warming up or being evicted by
   * other programs affects both sides alike; each side gets as many runs
   * (the CLI runs two spellings a round), as the best of more samples is
   * lower on a busy machine. */
  for (int i = 0; i < 3; i++)
    {
      for (int j = 0; j < (has_cli ? 2 : 1); j++)
        {
          double t0 = now_ms ();
          double c0 = (bench_cpu_seconds (RUSAGE_SELF) * 1000.0);

          if (!crm_segment_count (store, rule, ref_text, &count, &error))
            g_error ("%s", error->message);
          best = MIN (best, now_ms () - t0);
          best_cpu = MIN (best_cpu, (bench_cpu_seconds (RUSAGE_SELF) * 1000.0) - c0);
        }
      if (has_cli)
        {
          cli = MIN (cli, sqlite3_cli_ms (db_path, sql, 1, &cli_cpu, &cli_count));
          cli_tuned = MIN (cli_tuned, sqlite3_cli_ms (db_path, tuned, 1, &cli_cpu, &cli_count));
        }
    }
  if (!has_cli)
    cli = NAN;
  else
    printf ("hand-written SQL in the sqlite3 CLI: %.1f ms as typed, %.1f ms with +c.deleted\n",
            cli, cli_tuned);
  cli = MIN (cli, cli_tuned);

  if (isnan (cli))
    printf ("segment count (4 conditions): %" G_GINT64_FORMAT " contacts in %.1f ms (sqlite3 CLI not available for the ratio)\n",
            count, best);
  else
    {
      printf ("segment count (4 conditions): %" G_GINT64_FORMAT " contacts in %.1f ms; best hand-written SQL in the sqlite3 CLI: %" G_GINT64_FORMAT " in %.1f ms; ratio %.2f (goal ≤ 1.5, < 1 s)\n",
              count, best, cli_count, cli, best / cli);
      printf ("CPU time (user + sys): segment count %.1f ms, sqlite3 CLI %.1f ms; ratio %.2f\n",
              best_cpu, cli_cpu, best_cpu / cli_cpu);
      if (count != cli_count)
        printf ("MISMATCH: the rule and the hand-written SQL disagree\n");
    }

  for (guint r = 0; r < G_N_ELEMENTS (more_rules); r++)
    {
      double fastest = INFINITY;
      gint64 n = -1;

      for (int i = 0; i < 2; i++)
        {
          double t0 = now_ms ();

          if (!crm_segment_count (store, more_rules[r].rule, ref_text, &n, &error))
            g_error ("%s", error->message);
          fastest = MIN (fastest, now_ms () - t0);
        }
      printf ("segment count, %s: %" G_GINT64_FORMAT " contacts in %.1f ms\n", more_rules[r].what, n, fastest);
    }

  g_clear_object (&store);
  if (dir != NULL)
    {
      g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

      g_unlink (db_path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (dir);
    }
  return count != cli_count && !isnan (cli) ? 1 : 0;
}
