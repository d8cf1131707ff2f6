/* store.c: search-as-you-type latency, crmctl against the sqlite3 CLI, and list-model memory over a large database
 *
 *   bench-store [DB [N]]   DB defaults to /tmp/crm-bench-1m.db; it is
 *                          generated with N demo contacts (default 1,000,000)
 *                          when it does not exist yet.
 */

#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crm-contact.h"
#include "crm-contact-list-model.h"
#include "crm-contact-search.h"
#include "crm-demo.h"
#include "crm-store.h"

typedef struct
{
  const char *label;
  const char *queries[4];   /* 1, 2, 3 and 4 characters */
} QueryFamily;

/* Typical things people type: the start of a surname, a pinyin reading,
 * initials, an email, and the digits of a mobile number. */
static const QueryFamily families[] = {
  { "CJK",             { "王", "王芳", "王建国", "欧阳明华" } },
  { "pinyin",          { "w", "wa", "wan", "wang" } },
  { "pinyin initials", { "z", "zw", "zwe", "zwei" } },
  { "Latin",           { "j", "jo", "joh", "john" } },
  { "digits",          { "1", "13", "138", "1381" } },
};

static long
rss_kb (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, field);
  return line ? atol (line + strlen (field) + 1) : -1;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, MIN (values->len - 1, (guint) (p * values->len)));
}

static void
on_progress (guint64  done,
             guint64  total,
             gpointer user_data)
{
  fprintf (stderr, "\r  generating demo data: %" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT, done, total);
}

static double
run_command_ms (char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  gint64 start = g_get_monotonic_time ();

  process = g_subprocess_newv ((const char * const *) argv,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, &error))
    {
      fprintf (stderr, "bench-store: %s: %s\n", argv[0], error->message);
      return -1;
    }
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* CPU time of this thread: on a loaded machine wall time measures the
 * scheduler as much as the query. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The search as people type it: per keystroke, the first @limit ranked
 * rows and the (capped) total. 50 is a screenful; the contact list model
 * asks for 10,000. */
static void
bench_search_latency (CrmStore *store,
                      guint     limit)
{
  printf ("search-as-you-type, first %u results + total, ms, p50/p95 of 30 runs, wall [CPU] (total):\n",
          limit);

  for (guint f = 0; f < G_N_ELEMENTS (families); f++)
    {
      printf ("  %-16s", families[f].label);
      for (guint q = 0; q < 4; q++)
        {
          g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr(GArray) cpu_times = g_array_new (FALSE, FALSE, sizeof (double));
          guint total = 0;
          gboolean capped = FALSE;

          for (guint run = 0; run < 30; run++)
            {
              g_autoptr(GArray) rids = NULL;
              g_autoptr(GError) error = NULL;
              gint64 start = g_get_monotonic_time ();
              gint64 cpu_start = thread_cpu_us ();
              double ms, cpu_ms;

              rids = crm_contact_search_rids (store, families[f].queries[q], limit, 0,
                                              &total, &capped, &error);
              if (rids == NULL)
                {
                  fprintf (stderr, "bench-store: search failed: %s\n", error->message);
                  exit (1);
                }
              ms = (g_get_monotonic_time () - start) / 1000.0;
              cpu_ms = (thread_cpu_us () - cpu_start) / 1000.0;
              g_array_append_val (times, ms);
              g_array_append_val (cpu_times, cpu_ms);
            }
          printf ("  %s:%.2f/%.2f [%.2f/%.2f] (%u%s)", families[f].queries[q],
                  percentile (times, 0.5), percentile (times, 0.95),
                  percentile (cpu_times, 0.5), percentile (cpu_times, 0.95),
                  total, capped ? "+" : "");
        }
      printf ("\n");
    }
}

/* crmctl list --search against the sqlite3 CLI running the same FTS match
 * on the same file: the cost of our process start, store open and ranking. */
static void
bench_cli_ratio (const char *db_path)
{
  g_autoptr(GArray) ctl_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cli_ms = g_array_new (FALSE, FALSE, sizeof (double));
  char *ctl_argv[] = { (char *) CRMCTL_PATH, (char *) "--db", (char *) db_path, (char *) "list",
                       (char *) "contacts", (char *) "--search", (char *) "wang",
                       (char *) "--limit", (char *) "50", (char *) "--format", (char *) "csv", NULL };
  char *cli_argv[] = { (char *) "sqlite3", (char *) db_path,
                       (char *) "SELECT c.id, c.name, c.emails, c.phones FROM contact_fts f "
                                "JOIN contacts c ON c.rid = f.rowid WHERE contact_fts MATCH '\"wang\"' LIMIT 50;",
                       NULL };
  double ctl, cli;

  if (!g_find_program_in_path ("sqlite3"))
    {
      printf ("crmctl vs sqlite3: skipped (sqlite3 CLI not installed)\n");
      return;
    }

  for (guint i = 0; i < 11; i++)
    {
      double a = run_command_ms (ctl_argv);
      double b = run_command_ms (cli_argv);

      if (a < 0 || b < 0)
        {
          printf ("crmctl vs sqlite3: failed (see above)\n");
          return;
        }

      g_array_append_val (ctl_ms, a);
      g_array_append_val (cli_ms, b);
    }

  ctl = percentile (ctl_ms, 0.5);
  cli = percentile (cli_ms, 0.5);
  printf ("crmctl list contacts --search wang: %.1f ms; sqlite3 CLI, same FTS match: %.1f ms; ratio %.2f\n",
          ctl, cli, ctl / cli);
}

/* Build the list model over every contact and touch each row once, as a
 * view scrolled from top to bottom would, then report resident memory. */
static void
bench_list_model_memory (CrmStore *store)
{
  g_autoptr(CrmContactListModel) model = NULL;
  long rss_before = rss_kb ("VmRSS:");
  gint64 start = g_get_monotonic_time ();
  double first_page_ms, build_ms, scroll_ms;
  guint n;

  model = crm_contact_list_model_new (store);
  first_page_ms = (g_get_monotonic_time () - start) / 1000.0;
  /* A long list shows its first page at once and reads the rest in a
   * thread; wait for it, as a view would. */
  while (crm_contact_list_model_get_loading (model))
    g_main_context_iteration (NULL, TRUE);
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  build_ms = (g_get_monotonic_time () - start) / 1000.0;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmContact) contact = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert (contact != NULL);
    }
  scroll_ms = (g_get_monotonic_time () - start) / 1000.0;

  printf ("list model: %u contacts, first page in %.0f ms, all rows in %.0f ms, every row loaded once in %.0f ms (%.1f µs/row)\n",
          n, first_page_ms, build_ms, scroll_ms, scroll_ms * 1000.0 / MAX (n, 1));
  printf ("  RSS before %ld MB, after scrolling %ld MB, peak %ld MB (goal < 200 MB)\n",
          rss_before / 1024, rss_kb ("VmRSS:") / 1024, rss_kb ("VmHWM:") / 1024);
}

int
main (int    argc,
      char **argv)
{
  const char *db_path = argc > 1 ? argv[1] : "/tmp/crm-bench-1m.db";
  guint64 n_contacts = argc > 2 ? g_ascii_strtoull (argv[2], NULL, 10) : 1000000;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exists = g_file_test (db_path, G_FILE_TEST_EXISTS);

  store = crm_store_open (db_path, &error);
  if (store == NULL)
    {
      fprintf (stderr, "bench-store: %s\n", error->message);
      return 1;
    }

  if (!exists)
    {
      CrmDemoOptions opts;
      gint64 start = g_get_monotonic_time ();

      crm_demo_options_init (&opts);
      opts.n_contacts = n_contacts;
      opts.seed = 1;
      opts.reference_date = "2026-11-01";
      opts.progress = on_progress;
      if (!crm_demo_generate (store, &opts, &error))
        {
          fprintf (stderr, "\nbench-store: %s\n", error->message);
          return 1;
        }
      fprintf (stderr, "\n  generated in %.0f s\n", (g_get_monotonic_time () - start) / 1e6);
    }

  bench_search_latency (store, 50);
  bench_search_latency (store, 10000);
  bench_cli_ratio (db_path);
  bench_list_model_memory (store);
  return 0;
}
