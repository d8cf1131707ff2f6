/* import.c: contacts CSV import through the full path, against the sqlite3 CLI's .import of the same file
 *
 *   bench-import [N [DIR]]   N rows (default 100,000), files in DIR
 *                            (default a new folder in /tmp, removed after)
 *
 * The file is generated like an Excel export from a Chinese system:
 * Chinese headers, names, phones, emails, birthdays, companies, regions,
 * tags. The import goes through everything a user's import does: reading
 * and encoding detection, header mapping, validation and normalisation,
 * the duplicate check, inserts with outbox and audit triggers, the run
 * log for undo, and the search index. The reference is `sqlite3` loading
 * the same file with `.import` into a plain table (no index, no trigger)
 * on the same disk. Peak RSS is of this process, for the import only
 * (the reference runs in its own process).
 *
 * Both wall-clock and CPU time (user + system) are printed, with a ratio
 * each: on a loaded machine the wall clock mostly measures the others'
 * work, the CPU time what each side costs.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "bench-floor.h"
#include "bench-util.h"
#include "crm-contact-importer.h"
#include "crm-store.h"

static const char * const family[] = { "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗" };
static const char * const given[] = { "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞" };
static const char * const regions[] = { "广东省深圳市", "广东省广州市", "北京市", "上海市", "浙江省杭州市", "江苏省南京市", "四川省成都市", "湖北省武汉市" };
static const char * const titles[] = { "经理", "销售", "工程师", "采购", "总监", "" };
static const char * const tags[] = { "VIP", "老客户", "新客户", "\"VIP,老客户\"", "" };

static void
generate (const char *path,
          guint       rows)
{
  FILE *f = fopen (path, "w");
  GRand *rand = g_rand_new_with_seed (42);

  g_assert_nonnull (f);
  fputs ("客户编号,姓名,性别,手机,邮箱,生日,公司,职位,地区,地址,标签,备注\r\n", f);
  for (guint i = 0; i < rows; i++)
    {
      fprintf (f, "C%07u,%s%s,%s,1%u%09u,user%u@example.com,19%02d-%02d-%02d,公司%03u有限公司,%s,%s,某某路%u号,%s,%s\r\n",
               i,
               family[g_rand_int_range (rand, 0, G_N_ELEMENTS (family))],
               given[g_rand_int_range (rand, 0, G_N_ELEMENTS (given))],
               g_rand_boolean (rand) ? "男" : "女",
               3 + i % 7, i, i,
               g_rand_int_range (rand, 50, 100), g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29),
               g_rand_int_range (rand, 0, 500),
               titles[g_rand_int_range (rand, 0, G_N_ELEMENTS (titles))],
               regions[g_rand_int_range (rand, 0, G_N_ELEMENTS (regions))],
               g_rand_int_range (rand, 1, 999),
               tags[g_rand_int_range (rand, 0, G_N_ELEMENTS (tags))],
               i % 10 == 0 ? "喜欢电话联系" : "");
    }
  fclose (f);
  g_rand_free (rand);
}

static double
reference_import (const char *dir,
                  const char *csv,
                  double     *out_cpu)
{
  g_autofree char *db = g_build_filename (dir, "reference.db", NULL);
  g_autofree char *script = g_strdup_printf ("PRAGMA journal_mode = WAL;\n.mode csv\n.import '%s' contacts\n", csv);
  const char *argv[] = { "sqlite3", db, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;
  gint64 start = g_get_monotonic_time ();

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                  G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, script, NULL, NULL, &err, &error) ||
      !g_subprocess_get_successful (proc))
    {
      g_printerr ("sqlite3 .import failed: %s %s\n", error != NULL ? error->message : "", err != NULL ? err : "");
      exit (1);
    }
  *out_cpu = bench_cpu_seconds (RUSAGE_CHILDREN);
  return (g_get_monotonic_time () - start) / 1e6;
}

int
main (int   argc,
      char *argv[])
{
  guint rows = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  g_autofree char *dir = argc > 2 ? g_strdup (argv[2]) : g_dir_make_tmp ("crm-bench-import-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "contacts.csv", NULL);
  g_autofree char *db = g_build_filename (dir, "crm.db", NULL);
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmContactImporter) importer = NULL;
  g_autoptr(GError) error = NULL;
  CrmImportSummary *summary;
  struct rusage usage;
  gint64 start;
  double reference;
  double reference_cpu = 0;
  double ours;
  double ours_cpu;
  double cpu_start;
  GStatBuf st;

  g_mkdir_with_parents (dir, 0700);
  generate (csv, rows);
  g_stat (csv, &st);
  printf ("rows: %u, file: %.1f MB (GB18030-free UTF-8, Chinese headers)\n", rows, st.st_size / 1e6);

  reference = reference_import (dir, csv, &reference_cpu);
  printf ("sqlite3 .import into a plain table: %.2f s wall, %.2f s CPU (%.0f rows/s)\n",
          reference, reference_cpu, rows / reference);

  cpu_start = bench_cpu_seconds (RUSAGE_SELF);
  start = g_get_monotonic_time ();
  store = crm_store_open (db, &error);
  g_assert_no_error (error);
  importer = crm_contact_importer_new (store);
  if (!crm_contact_importer_run (importer, csv, NULL, NULL, NULL, &error))
    {
      g_printerr ("import failed: %s\n", error->message);
      return 1;
    }
  ours = (g_get_monotonic_time () - start) / 1e6;
  ours_cpu = bench_cpu_seconds (RUSAGE_SELF) - cpu_start;
  summary = crm_import_run_get_summary (crm_contact_importer_get_run (importer));
  getrusage (RUSAGE_SELF, &usage);

  printf ("crm import (parse, map, validate, dedupe check, insert, outbox, audit, undo log, search index):\n"
          "  %.2f s wall, %.2f s CPU (%.0f rows/s)\n", ours, ours_cpu, rows / ours);
  printf ("  created %" G_GUINT64_FORMAT ", updated %" G_GUINT64_FORMAT ", skipped %" G_GUINT64_FORMAT ", errors %" G_GUINT64_FORMAT "\n",
          summary->created, summary->updated, summary->skipped, summary->errors);
  printf ("  peak RSS: %.0f MB (goal < 150 MB, also at 1,000,000 rows)\n", usage.ru_maxrss / 1024.0);
  printf ("ratio crm / sqlite3 .import: %.1f wall, %.1f CPU (goal ≤ 4)\n", ours / reference, ours_cpu / reference_cpu);

  g_clear_object (&importer);
  g_clear_object (&store);

  /* What the goal is up against: the same rows, written by SQL alone. */
  {
    static const char * const copies[] = {
      BENCH_FLOOR_COPY ("contacts"),
      BENCH_FLOOR_COPY ("outbox"),
      BENCH_FLOOR_COPY ("audit_log"),
      BENCH_FLOOR_COPY ("import_runs"),
      BENCH_FLOOR_COPY ("import_run_changes"),
      BENCH_FLOOR_COPY ("contact_search_keys"),
      BENCH_FLOOR_COPY ("contact_search_fields"),
      BENCH_FLOOR_COPY_FTS,
      NULL
    };
    double floor_cpu = 0;
    double floor = bench_sql_floor (dir, db, copies, &floor_cpu);

    if (floor < 0)
      return 1;
    printf ("the same rows copied by SQL alone into the app's schema (contacts and their indexes, outbox, audit,\n"
            "  undo log, search tables; INSERT … SELECT, one transaction per table): %.2f s wall, %.2f s CPU\n"
            "  ratio to sqlite3 .import: %.1f wall, %.1f CPU; the import's own share: %.0f%% of its CPU\n",
            floor, floor_cpu, floor / reference, floor_cpu / reference_cpu,
            100.0 * (ours_cpu - floor_cpu) / ours_cpu);
  }
  if (argc <= 2)
    bench_remove_dir (dir);
  return 0;
}
