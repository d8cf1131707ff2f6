/* bench-floor.h: the rows a bulk run wrote, written again by SQL alone: the least that schema allows */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include "bench-util.h"
#include "crm-store-private.h"

/* Opens a new store in @dir (schema and triggers as the app makes them),
 * and copies into it, from the database at @source, what each statement
 * of @copies names (`INSERT INTO t SELECT … FROM source.t`), one
 * transaction each. The outbox, audit and search triggers are off: their
 * rows are among those copied. So this is the price of the B-trees,
 * indexes, CHECKs and commits alone, with no parsing, no validation and
 * no code of ours per row, and every table written in key order. Returns
 * the wall seconds, or -1 on failure; @out_cpu gets the CPU seconds. */
static inline double
bench_sql_floor (const char         *dir,
                 const char         *source,
                 const char * const *copies,
                 double             *out_cpu)
{
  g_autofree char *path = g_build_filename (dir, "floor.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = crm_store_open (path, &error);
  char *attach;
  double cpu;
  gint64 start;
  gboolean ok;

  if (store == NULL)
    {
      g_printerr ("floor: %s\n", error->message);
      return -1;
    }
  attach = sqlite3_mprintf ("ATTACH %Q AS source", source);
  ok = crm_store_exec (store, attach, &error) &&
       crm_store_exec (store, "UPDATE local_state SET applying_remote = 1, defer_search = 1", &error);
  sqlite3_free (attach);

  cpu = bench_cpu_seconds (RUSAGE_SELF);
  start = g_get_monotonic_time ();
  for (guint i = 0; ok && copies[i] != NULL; i++)
    ok = crm_store_begin (store, &error) && crm_store_exec (store, copies[i], &error) &&
         crm_store_commit (store, &error);
  *out_cpu = bench_cpu_seconds (RUSAGE_SELF) - cpu;
  if (!ok)
    {
      g_printerr ("floor: %s\n", error->message);
      return -1;
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

#define BENCH_FLOOR_COPY(table) "INSERT INTO " table " SELECT * FROM source." table
#define BENCH_FLOOR_COPY_FTS \
  "INSERT INTO contact_fts (rowid, name, pinyin, initials, emails, phones, organization, tags) " \
  "SELECT rowid, name, pinyin, initials, emails, phones, organization, tags FROM source.contact_fts"
