/* reports.c: cohort retention against the sqlite3 CLI, a 3,650-point line chart on screen and at 300 dpi, the monthly report to PDF
 *
 *   build/bench/bench-reports [--contacts N] [--db FILE]
 *
 * Without --db it generates N demo contacts (default 20 000) in a temporary
 * folder. Each figure is the best of several runs; ratios compare with a
 * reference measured in the same run, as the machine is noisy. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crm-analytics.h"
#include "crm-chart.h"
#include "crm-demo.h"
#include "crm-report-builder.h"
#include "crm-runtime.h"
#include "crm-store-private.h"

/* The analytics' cohort query, written out by hand with the period's
 * values, as someone would type it into the sqlite3 CLI. */
static const char cohort_by_hand[] =
  "WITH m AS (SELECT DISTINCT p.contact_id, strftime ('%%Y-%%m', p.purchased_at, 'localtime') AS ym"
  " FROM purchases p JOIN contacts c ON c.id = p.contact_id"
  " WHERE p.deleted = 0 AND c.deleted = 0 AND p.purchased_at < '%s'),"
  " k AS (SELECT ym, min (ym) OVER (PARTITION BY contact_id) AS cohort FROM m)"
  " SELECT cohort, (CAST (substr (ym, 1, 4) AS INTEGER) * 12 + CAST (substr (ym, 6, 2) AS INTEGER))"
  " - (CAST (substr (cohort, 1, 4) AS INTEGER) * 12 + CAST (substr (cohort, 6, 2) AS INTEGER)), count (*)"
  " FROM k WHERE cohort >= '%s' GROUP BY 1, 2;\n";

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* This process's CPU time: on a machine shared with other work the wall
 * time says more about the neighbours than about this code. */
static double
cpu_ms (void)
{
  struct timespec t;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

/* The best "Run Time: real" of the sqlite3 CLI over @runs runs, in ms.
 * The CLI prints timings only for what it reads from its input. */
static double
sqlite3_cli_ms (const char *db_path,
                const char *sql,
                int         runs)
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
      line = out != NULL ? strstr (out, "Run Time: real ") : NULL;
      if (line != NULL)
        best = MIN (best, g_ascii_strtod (line + strlen ("Run Time: real "), NULL) * 1000);
    }
  g_unlink (script_path);
  return isinf (best) ? NAN : best;
}

static void
bench_cohorts (CrmStore   *store,
               const char *db_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL, *last = NULL, *to_ts = NULL, *sql = NULL;
  CrmAnalyticsQuery query;
  double best = INFINITY, cli;
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store,
    "SELECT date (min (purchased_at), 'localtime'), date (max (purchased_at), 'localtime') FROM purchases", &error);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_text (stmt, 0) == NULL)
    {
      printf ("cohort retention: skipped (no purchases)\n");
      return;
    }
  first = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  last = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  if (!crm_analytics_query_init (&query, first, last, &error))
    {
      printf ("cohort retention: %s\n", error->message);
      return;
    }

  for (int i = 0; i < 3; i++)
    {
      double t0 = now_ms ();
      g_autoptr(CrmCohortMatrix) m = crm_analytics_cohort_retention (store, &query, &error);

      g_assert_no_error (error);
      best = MIN (best, now_ms () - t0);
    }

  {
    GDate after = query.to;
    g_autoptr(GDateTime) local = NULL;
    g_autoptr(GDateTime) utc = NULL;
    g_autofree char *from_month = g_strndup (first, 7);

    g_date_add_days (&after, 1);
    local = g_date_time_new_local (g_date_get_year (&after), g_date_get_month (&after),
                                   g_date_get_day (&after), 0, 0, 0);
    utc = g_date_time_to_utc (local);
    to_ts = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.000Z");
    sql = g_strdup_printf (cohort_by_hand, to_ts, from_month);
  }
  cli = g_find_program_in_path ("sqlite3") != NULL ? sqlite3_cli_ms (db_path, sql, 3) : NAN;
  if (isnan (cli))
    printf ("cohort retention %s – %s: %.1f ms (sqlite3 CLI not available for the ratio)\n", first, last, best);
  else
    printf ("cohort retention %s – %s: %.1f ms; same query in the sqlite3 CLI: %.1f ms; ratio %.2f (goal ≤ 1.2, < 1 s)\n",
            first, last, best, cli, best / cli);
}

static double
render_line (int     surface_w,
             int     surface_h,
             double  scale,
             double  width,
             double  height,
             int     runs,
             double *best_cpu)
{
  static double values[3650], previous[3650];
  static GDate dates[3650];
  CrmChartSeries series[] = { { "2016–2025", values, FALSE }, { "2015–2024", previous, TRUE } };
  CrmChartStyle style;
  CrmChartData data;
  double best = INFINITY;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, surface_w, surface_h);

  for (guint i = 0; i < 3650; i++)
    {
      values[i] = 50000 + 20000 * sin (i / 30.0) + (i * 7919 % 1000) * 10;
      previous[i] = 45000 + 18000 * sin (i / 31.0) + (i * 104729 % 1000) * 9;
      g_date_clear (&dates[i], 1);
      g_date_set_dmy (&dates[i], 1, 1, 2016);
      g_date_add_days (&dates[i], i);
    }
  crm_chart_style_init_light (&style);
  crm_chart_data_init (&data);
  data.title = "Daily revenue, ten years";
  data.n_categories = 3650;
  data.dates = dates;
  data.date_unit = CRM_CHART_DATE_DAY;
  data.n_series = 2;
  data.series = series;
  data.format = CRM_CHART_FORMAT_MONEY;
  data.area = TRUE;

  for (int i = 0; i < runs; i++)
    {
      cairo_t *cr = cairo_create (surface);
      double t0 = now_ms (), c0 = cpu_ms ();

      cairo_scale (cr, scale, scale);
      crm_chart_line_draw (cr, &data, &style, width, height);
      cairo_surface_flush (surface);
      best = MIN (best, now_ms () - t0);
      *best_cpu = MIN (*best_cpu, cpu_ms () - c0);
      cairo_destroy (cr);
    }
  cairo_surface_destroy (surface);
  return best;
}

static void
bench_monthly (CrmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("crm-bench-report-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "monthly.pdf", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  CrmAnalyticsQuery query;
  GDate from, to;
  char from_text[16], to_text[16];
  double best_build = INFINITY, best_write = INFINITY, best_cpu = INFINITY;
  guint pages = 0;

  /* Last month, as crmctl report monthly does. */
  g_date_clear (&to, 1);
  g_date_set_dmy (&to, 1, g_date_time_get_month (now), g_date_time_get_year (now));
  g_date_subtract_days (&to, 1);
  from = to;
  g_date_set_day (&from, 1);
  g_date_strftime (from_text, sizeof from_text, "%Y-%m-%d", &from);
  g_date_strftime (to_text, sizeof to_text, "%Y-%m-%d", &to);
  g_assert_true (crm_analytics_query_init (&query, from_text, to_text, &error));

  for (int i = 0; i < 3; i++)
    {
      double t0 = now_ms (), t1, c0 = cpu_ms ();
      g_autoptr(CrmReport) report = crm_report_builder_build (store, "monthly", &query, &error);

      g_assert_no_error (error);
      t1 = now_ms ();
      g_assert_true (crm_report_write (report, CRM_REPORT_FORMAT_PDF, pdf, 0, &error));
      best_build = MIN (best_build, t1 - t0);
      best_write = MIN (best_write, now_ms () - t1);
      best_cpu = MIN (best_cpu, cpu_ms () - c0);
      pages = crm_report_paginate (report);
    }
  printf ("monthly report %s – %s: queries %.0f ms + layout and PDF %.0f ms = %.0f ms (CPU %.0f ms), %u pages (goal < 1 s)\n",
          from_text, to_text, best_build, best_write, best_build + best_write, best_cpu, pages);
  g_unlink (pdf);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  guint64 contacts = 20000;
  double screen, print, screen_cpu = INFINITY, print_cpu = INFINITY;

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

      dir = g_dir_make_tmp ("crm-bench-reports-XXXXXX", &error);
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

  bench_cohorts (store, db_path);

  screen = render_line (1920, 1080, 1.0, 1920, 1080, 20, &screen_cpu);
  /* A4 at 300 dpi: 2480 × 3508 pixels; a half-page chart, in points. */
  print = render_line (2480, 3508, 300.0 / 72, 511, 300, 10, &print_cpu);
  printf ("line chart, 3,650 points × 2 series: %.1f ms (CPU %.1f ms) at 1920×1080 (goal < 10 ms); "
          "%.1f ms (CPU %.1f ms) at 300 dpi A4\n", screen, screen_cpu, print, print_cpu);

  bench_monthly (store);

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
  return 0;
}
