/* bench-util.h: what the benchmarks share: CPU time, and removing their temporary folders */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <sys/resource.h>

/* User + system seconds of @who (RUSAGE_SELF: every thread of this
 * process; RUSAGE_CHILDREN: the waited-for children). On a shared machine
 * the wall time also counts the waits for a core. */
static inline double
bench_cpu_seconds (int who)
{
  struct rusage usage;

  getrusage (who, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

/* Removes @dir and the files in it (the databases of a large run take
 * gigabytes). */
static inline void
bench_remove_dir (const char *dir)
{
  const char *name;
  GDir *d = g_dir_open (dir, 0, NULL);

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (dir);
}
