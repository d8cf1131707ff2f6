/* reports.c: cohort retention against the sqlite3 CLI, a 3,650-point line chart on screen and at 300 dpi, the monthly report to PDF
 *
 *   build/bench/bench-reports [--contacts N] [--db FILE] [--trace] [--cohorts-only | --monthly-only] [--runs N]
 *
 * Without --db it generates N demo contacts (default 20 000) in a temporary
 * folder. The monthly report is timed per section; --trace also lists
 * every statement it runs with its time; --cohorts-only stops after the
 * cohorts (with and without a filter), --monthly-only times only the
 * monthly report, and --runs sets how many runs each monthly figure is the
 * best of (3; one run of a 1,000,000-contact store takes a minute). The monthly report is also timed
 * as a user runs it, `crmctl report monthly` in a new process, against the
 * same report built in this one. Each figure is the best of several runs; ratios compare with a
 * reference measured in the same run, as the machine is noisy. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-util.h"
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
  /* With a filter: the largest province's customers. */
  {
    g_autoptr(CrmCachedStmt) top = crm_store_prepare (store,
      "SELECT province FROM contacts WHERE province IS NOT NULL GROUP BY 1 ORDER BY count (*) DESC LIMIT 1", &error);
    g_autofree char *province = NULL;
    double filtered = INFINITY;

    if (top != NULL && sqlite3_step (top) == SQLITE_ROW)
      province = g_strdup ((const char *) sqlite3_column_text (top, 0));
    if (province != NULL)
      {
        CrmAnalyticsQuery fq = query;

        fq.province = province;
        for (int i = 0; i < 3; i++)
          {
            double t0 = now_ms ();
            g_autoptr(CrmCohortMatrix) m = crm_analytics_cohort_retention (store, &fq, &error);

            g_assert_no_error (error);
            filtered = MIN (filtered, now_ms () - t0);
          }
        printf ("cohort retention, customers of %s only: %.1f ms\n", province, filtered);
      }
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
      double t0 = now_ms (), c0 = (bench_cpu_seconds (RUSAGE_SELF) * 1000.0);

      cairo_scale (cr, scale, scale);
      crm_chart_line_draw (cr, &data, &style, width, height);
      cairo_surface_flush (surface);
      best = MIN (best, now_ms () - t0);
      *best_cpu = MIN (*best_cpu, (bench_cpu_seconds (RUSAGE_SELF) * 1000.0) - c0);
      cairo_destroy (cr);
    }
  cairo_surface_destroy (surface);
  return best;
}

/* Per statement: total time and runs over one build of the report, from
 * SQLite's profile callback, so every query the report runs is accounted
 * for without instrumenting the analytics. */
typedef struct
{
  char   *sql;
  double  ms;
  guint   runs;
} StatementTime;

static int
profile_cb (unsigned  type,
            void     *data,
            void     *p,
            void     *x)
{
  GHashTable *times = data;
  const char *sql = sqlite3_sql (p);
  StatementTime *t;

  if (type != SQLITE_TRACE_PROFILE || sql == NULL)
    return 0;
  t = g_hash_table_lookup (times, sql);
  if (t == NULL)
    {
      t = g_new0 (StatementTime, 1);
      t->sql = g_strdup (sql);
      g_hash_table_insert (times, t->sql, t);
    }
  t->ms += *(sqlite3_int64 *) x / 1e6;
  t->runs++;
  return 0;
}

static int
compare_time (gconstpointer a,
              gconstpointer b)
{
  const StatementTime *x = *(StatementTime **) a, *y = *(StatementTime **) b;

  return x->ms < y->ms ? 1 : x->ms > y->ms ? -1 : 0;
}

static void
statement_time_free (gpointer data)
{
  StatementTime *t = data;

  g_free (t->sql);
  g_free (t);
}

/* The sections of "monthly" in crm-report-builder.c's reports[], in order. */
static const char * const monthly_sections[] = {
  "KPIs (period and previous)", "sales trend", "top customers", "cohorts", "churn and lifecycle",
  "RFM", "funnel", "NPS", "service",
};

typedef struct
{
  double marks[G_N_ELEMENTS (monthly_sections) + 2];
  guint  n;
} Marks;

static void
mark_progress (double   fraction,
               gpointer data)
{
  Marks *marks = data;

  if (marks->n < G_N_ELEMENTS (marks->marks))
    marks->marks[marks->n++] = now_ms ();
}

/* The month before @now's, as crmctl report monthly does. */
static void
last_month (CrmAnalyticsQuery *query,
            char              *from_text,
            char              *to_text)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate from, to;

  g_date_clear (&to, 1);
  g_date_set_dmy (&to, 1, g_date_time_get_month (now), g_date_time_get_year (now));
  g_date_subtract_days (&to, 1);
  from = to;
  g_date_set_day (&from, 1);
  g_date_strftime (from_text, 16, "%Y-%m-%d", &from);
  g_date_strftime (to_text, 16, "%Y-%m-%d", &to);
  g_assert_true (crm_analytics_query_init (query, from_text, to_text, NULL));
}

static double
bench_monthly (CrmStore *store,
               gboolean  trace,
               int       runs)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("crm-bench-report-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "monthly.pdf", NULL);
  CrmAnalyticsQuery query;
  char from_text[16], to_text[16];
  double best_build = INFINITY, best_write = INFINITY, best_cpu = INFINITY;
  double best_section[G_N_ELEMENTS (monthly_sections)];
  guint pages = 0;

  last_month (&query, from_text, to_text);
  for (guint i = 0; i < G_N_ELEMENTS (best_section); i++)
    best_section[i] = INFINITY;

  for (int i = 0; i < runs; i++)
    {
      double t0 = now_ms (), t1, c0 = (bench_cpu_seconds (RUSAGE_SELF) * 1000.0);
      Marks marks = { { 0 }, 0 };
      g_autoptr(CrmReport) report = crm_report_builder_build_full (store, "monthly", &query, NULL,
                                                                   mark_progress, &marks, &error);

      g_assert_no_error (error);
      t1 = now_ms ();
      g_assert_true (crm_report_write (report, CRM_REPORT_FORMAT_PDF, pdf, 0, &error));
      best_build = MIN (best_build, t1 - t0);
      best_write = MIN (best_write, now_ms () - t1);
      best_cpu = MIN (best_cpu, (bench_cpu_seconds (RUSAGE_SELF) * 1000.0) - c0);
      pages = crm_report_paginate (report);
      /* One mark before each section and one when laid out. */
      for (guint k = 0; k + 1 < marks.n && k < G_N_ELEMENTS (best_section); k++)
        best_section[k] = MIN (best_section[k], marks.marks[k + 1] - marks.marks[k]);
    }
  printf ("monthly report %s – %s: queries %.0f ms + layout and PDF %.0f ms = %.0f ms (CPU %.0f ms), %u pages (goal < 1 s)\n",
          from_text, to_text, best_build, best_write, best_build + best_write, best_cpu, pages);
  for (guint k = 0; k < G_N_ELEMENTS (best_section); k++)
    printf ("  %-28s %8.1f ms\n", monthly_sections[k], best_section[k]);

  if (trace)
    {
      g_autoptr(GHashTable) times = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, statement_time_free);
      g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
      g_autoptr(CrmReport) report = NULL;
      GHashTableIter iter;
      gpointer value;

      sqlite3_trace_v2 (crm_store_get_db (store), SQLITE_TRACE_PROFILE, profile_cb, times);
      report = crm_report_builder_build (store, "monthly", &query, &error);
      sqlite3_trace_v2 (crm_store_get_db (store), 0, NULL, NULL);
      g_assert_no_error (error);
      g_hash_table_iter_init (&iter, times);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_ptr_array_add (sorted, value);
      g_ptr_array_sort (sorted, compare_time);
      printf ("  statements, slowest first (one build):\n");
      for (guint i = 0; i < sorted->len; i++)
        {
          StatementTime *t = sorted->pdata[i];
          g_autofree char *flat = g_strndup (t->sql, 110);

          g_strdelimit (flat, "\n", ' ');
          printf ("  %9.1f ms %3u× %s\n", t->ms, t->runs, flat);
        }
    }
  g_unlink (pdf);
  g_rmdir (dir);
  return best_build + best_write;
}

/* `crmctl report monthly --format pdf` as a user runs it: a new process
 * opens the store, loads fonts and writes the file. Best wall and CPU time
 * of @runs runs; wall minus CPU is the wait for a core on a shared machine
 * (the report neither sleeps nor syncs). */
static void
bench_crmctl_monthly (const char *db_path,
                      double      in_process_ms,
                      int         runs)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("crm-bench-crmctl-XXXXXX", &error);
  g_autofree char *pdf = NULL;
  double best = INFINITY, best_cpu = INFINITY, start = INFINITY;

  g_assert_no_error (error);
  pdf = g_build_filename (dir, "monthly.pdf", NULL);
  for (int i = 0; i < runs; i++)
    {
      const char *report_argv[] = { CRMCTL_PATH, "--db", db_path, "--quiet", "report", "monthly",
                                    "--format", "pdf", "-o", pdf, NULL };
      const char *version_argv[] = { CRMCTL_PATH, "--version", NULL };
      int status = 0;
      double t0 = now_ms (), c0 = bench_cpu_seconds (RUSAGE_CHILDREN) * 1000.0;

      if (!g_spawn_sync (NULL, (char **) report_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                         NULL, NULL, NULL, NULL, &status, &error) ||
          !g_spawn_check_wait_status (status, &error))
        {
          printf ("crmctl report monthly: %s\n", error->message);
          bench_remove_dir (dir);
          return;
        }
      best = MIN (best, now_ms () - t0);
      best_cpu = MIN (best_cpu, bench_cpu_seconds (RUSAGE_CHILDREN) * 1000.0 - c0);

      /* The reference: a process that starts and exits. */
      t0 = now_ms ();
      if (g_spawn_sync (NULL, (char **) version_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                        NULL, NULL, NULL, NULL, &status, NULL))
        start = MIN (start, now_ms () - t0);
    }
  printf ("crmctl report monthly --format pdf, a new process: %.0f ms (CPU %.0f ms) (goal < 1 s); "
          "the same report built in this process: %.0f ms, ratio %.2f; crmctl --version: %.0f ms\n",
          best, best_cpu, in_process_ms, best / in_process_ms, start);
  bench_remove_dir (dir);
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
  gboolean trace = FALSE;
  gboolean cohorts_only = FALSE;
  gboolean monthly_only = FALSE;
  int runs = 3;

  crm_runtime_init ();
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--contacts") && i + 1 < argc)
        contacts = g_ascii_strtoull (argv[++i], NULL, 10);
      else if (g_str_equal (argv[i], "--db") && i + 1 < argc)
        db_path = g_strdup (argv[++i]);
      else if (g_str_equal (argv[i], "--trace"))
        trace = TRUE;
      else if (g_str_equal (argv[i], "--cohorts-only"))
        cohorts_only = TRUE;
      else if (g_str_equal (argv[i], "--monthly-only"))
        monthly_only = TRUE;
      else if (g_str_equal (argv[i], "--runs") && i + 1 < argc)
        {
          runs = atoi (argv[++i]);
          runs = MAX (runs, 1);
        }
      else
        {
          fprintf (stderr, "usage: %s [--contacts N] [--db FILE] [--trace] [--cohorts-only | --monthly-only] [--runs N]\n", argv[0]);
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

  if (!monthly_only)
    bench_cohorts (store, db_path);
  if (!cohorts_only && !monthly_only)
    {
      screen = render_line (1920, 1080, 1.0, 1920, 1080, 20, &screen_cpu);
      /* A4 at 300 dpi: 2480 × 3508 pixels; a half-page chart, in points. */
      print = render_line (2480, 3508, 300.0 / 72, 511, 300, 10, &print_cpu);
      printf ("line chart, 3,650 points × 2 series: %.1f ms (CPU %.1f ms) at 1920×1080 (goal < 10 ms); "
              "%.1f ms (CPU %.1f ms) at 300 dpi A4\n", screen, screen_cpu, print, print_cpu);
    }
  if (!cohorts_only)
    {
      {
        double report = bench_monthly (store, trace, runs);

        bench_crmctl_monthly (db_path, report, runs);
        /* What reading every purchase once costs: a report that reads the
         * whole history per KPI is many times this, one that reads the period
         * and per-customer summaries a fraction of it. */
        double scan = g_find_program_in_path ("sqlite3") != NULL
                        ? sqlite3_cli_ms (db_path, "SELECT count (*), sum (amount) FROM purchases WHERE deleted = 0;\n", 3)
                        : NAN;

        if (!isnan (scan))
          printf ("one pass over every purchase in the sqlite3 CLI: %.1f ms; monthly report / that pass: %.2f\n",
                  scan, report / scan);
      }
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
  return 0;
}
