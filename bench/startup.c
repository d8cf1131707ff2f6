/* startup.c: exec → first frame of the main window, crm against a bare GTK 4 window (median of runs) */

#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double
run_once (const char  *path,
          const char  *profile_dir)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", profile_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", profile_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "CRM_EXIT_AFTER_FIRST_FRAME", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "NO_AT_BRIDGE", "1", TRUE);

  start = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawn (launcher, &error, path, NULL);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, &error))
    {
      fprintf (stderr, "bench-startup: %s: %s\n", path, error->message);
      exit (1);
    }

  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GArray) app_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ref_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *dir = NULL;
  guint runs = argc > 1 ? (guint) atoi (argv[1]) : 15;
  double app_median, ref_median;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      fprintf (stderr, "bench-startup needs a display: xvfb-run -a %s\n", argv[0]);
      return 2;
    }

  /* One profile for all runs: the warm-up run creates the database (its
   * first-run migrations are not what people wait for every morning), the
   * measured runs open it, as every later start does. Warm the page cache
   * once for both programs, then alternate so drift hits both. */
  dir = g_dir_make_tmp ("crm-bench-XXXXXX", NULL);
  for (guint i = 0; i < runs + 1; i++)
    {
      double a = run_once (CRM_APP_PATH, dir);
      double r = run_once (MINIMAL_WINDOW_PATH, dir);

      if (i > 0)
        {
          g_array_append_val (app_ms, a);
          g_array_append_val (ref_ms, r);
        }
    }

  app_median = median (app_ms);
  ref_median = median (ref_ms);
  printf ("startup to first frame, median of %u runs\n", runs);
  printf ("  crm:                %8.1f ms\n", app_median);
  printf ("  bare GTK 4 window:  %8.1f ms\n", ref_median);
  printf ("  ratio:              %8.2f (goal <= 1.5)\n", app_median / ref_median);
  return 0;
}
