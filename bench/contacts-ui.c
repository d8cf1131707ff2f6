/* contacts-ui.c: the contacts list on a large database: time to its first frame against an empty database, and frame times while paging down it
 *
 *   xvfb-run -a bench-contacts-ui [--db PATH] [--contacts N] [--runs N] [--pages N]
 *
 * --db (or $CRM_BENCH_DB) names a database to measure; it is copied first,
 * never written. Without one, N demo contacts (default 50,000) are
 * generated into a temporary folder. The reference is the same program
 * opening an empty database, measured in the same run, alternating.
 *
 * Each run is a new process (this program again, with --child) that starts
 * the real application on the contacts workspace. "First list frame" is the
 * first frame painted once the list has its rows (or its empty state);
 * "first window frame" the window's very first one. Both are timed from
 * the exec, on the monotonic clock the child reports.
 *
 * Scrolling: PageDown as GtkListView does it (move the cursor a page down
 * and select that row, so the contact pane follows), one page per frame,
 * from the first row to the last or --pages pages (default 2,000). The
 * interval between the GdkFrameClock frame times of successive frames is
 * what someone would see; goal: none over 50 ms.
 *
 * Then the filter menu opens: it counts every facet and saved segment in
 * a thread, one after the other. Reported: the time until all counts are in, and the longest
 * frame meanwhile (goal: none over 50 ms, however long the counts take).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-application.h"
#include "crm-contact-filter-popover.h"
#include "crm-contact-list-model.h"
#include "crm-contacts-page.h"
#include "crm-demo.h"
#include "crm-runtime.h"

#define LONG_FRAME_US (50 * 1000)

/* --- Child: one start of the application -------------------------------- */

typedef struct
{
  GApplication    *app;
  GtkWidget       *window;
  GdkFrameClock   *clock;
  gboolean         scroll;
  guint            max_pages;

  gint64           window_frame;   /* monotonic µs of the first frame */

  /* Scrolling */
  GtkWidget       *list_view;
  GtkAdjustment   *vadjustment;
  CrmContactListModel *model;
  guint            position;
  guint            pages;
  gboolean         scrolling;
  gboolean         at_end;
  gint64           last_frame_time;
  GArray          *intervals;      /* gint64 µs between frames */

  /* The filter menu, opened after scrolling */
  CrmContactFilterPopover *filter_popover;
  gint64           menu_opened;    /* monotonic µs */
  gint64           menu_longest;   /* the longest frame while it counted */
  guint            menu_frames;
} Child;

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static CrmContactsPage *
contacts_page (Child *c)
{
  return CRM_CONTACTS_PAGE (find_descendant (c->window, CRM_TYPE_CONTACTS_PAGE));
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
print_scroll_report (Child *c)
{
  g_autoptr(GArray) sorted = g_array_copy (c->intervals);
  guint n = sorted->len;
  guint n_long = 0;
  gint64 total = 0;

  g_array_sort (sorted, compare_int64);
  for (guint i = 0; i < n; i++)
    {
      gint64 v = g_array_index (sorted, gint64, i);

      total += v;
      if (v > LONG_FRAME_US)
        n_long++;
    }

  printf ("scroll %u %u %u %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %u\n",
          c->pages, c->position, n,
          n > 0 ? g_array_index (sorted, gint64, n / 2) : 0,
          n > 0 ? g_array_index (sorted, gint64, MIN (n - 1, n * 95 / 100)) : 0,
          n > 0 ? g_array_index (sorted, gint64, n - 1) : 0,
          total, n_long);
  fflush (stdout);
}

/* PageDown as GtkListBase does it: the row a page further down gets the
 * cursor and the selection, and is scrolled into view. */
static void
page_down (Child *c)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (c->model));
  double row_height = gtk_adjustment_get_upper (c->vadjustment) / MAX (n_items, 1);
  guint rows = (guint) MAX (1.0, gtk_adjustment_get_page_size (c->vadjustment) / MAX (row_height, 1.0));

  c->position = MIN (c->position + rows, n_items - 1);
  c->pages++;
  gtk_widget_activate_action (c->list_view, "list.scroll-to-item", "u", c->position);
  gtk_widget_activate_action (c->list_view, "list.select-item", "(ubb)", c->position, FALSE, FALSE);
  c->at_end = c->position + 1 >= n_items || c->pages >= c->max_pages;
}

/* Frames while the filter menu counts every facet (in threads): the
 * window must keep drawing, however long the counting takes. */
static void
on_menu_frame (GdkFrameClock *clock,
               Child         *c)
{
  GdkFrameTimings *timings = gdk_frame_clock_get_current_timings (clock);
  gint64 frame_time = timings != NULL ? gdk_frame_timings_get_frame_time (timings)
                                      : gdk_frame_clock_get_frame_time (clock);

  if (c->last_frame_time > 0)
    c->menu_longest = MAX (c->menu_longest, frame_time - c->last_frame_time);
  c->last_frame_time = frame_time;
  c->menu_frames++;

  if (crm_contact_filter_popover_get_counting (c->filter_popover))
    return;
  g_signal_handlers_disconnect_by_func (clock, on_menu_frame, c);
  printf ("filter-menu %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %u\n",
          g_get_monotonic_time () - c->menu_opened, c->menu_longest, c->menu_frames);
  fflush (stdout);
  g_application_quit (c->app);
}

static void
open_filter_menu (Child *c)
{
  c->filter_popover = CRM_CONTACT_FILTER_POPOVER (find_descendant (c->window, CRM_TYPE_CONTACT_FILTER_POPOVER));
  c->last_frame_time = 0;
  c->menu_opened = g_get_monotonic_time ();
  gtk_popover_popup (GTK_POPOVER (c->filter_popover));
  g_signal_connect (c->clock, "after-paint", G_CALLBACK (on_menu_frame), c);
}

static void
on_scroll_frame (GdkFrameClock *clock,
                 Child         *c)
{
  GdkFrameTimings *timings = gdk_frame_clock_get_current_timings (clock);
  gint64 frame_time = timings != NULL ? gdk_frame_timings_get_frame_time (timings)
                                      : gdk_frame_clock_get_frame_time (clock);

  if (c->last_frame_time > 0)
    {
      gint64 interval = frame_time - c->last_frame_time;
      g_array_append_val (c->intervals, interval);
    }
  c->last_frame_time = frame_time;

  if (c->at_end)
    {
      g_signal_handlers_disconnect_by_func (clock, on_scroll_frame, c);
      print_scroll_report (c);
      open_filter_menu (c);
      return;
    }
  page_down (c);
}

static gboolean
start_scrolling (gpointer user_data)
{
  Child *c = user_data;
  GtkWidget *column_view = find_descendant (c->window, GTK_TYPE_COLUMN_VIEW);
  GtkWidget *scroller;

  c->list_view = find_descendant (column_view, GTK_TYPE_LIST_VIEW);
  scroller = gtk_widget_get_ancestor (column_view, GTK_TYPE_SCROLLED_WINDOW);
  if (c->list_view == NULL || scroller == NULL || g_list_model_get_n_items (G_LIST_MODEL (c->model)) == 0)
    {
      fprintf (stderr, "bench-contacts-ui: the contacts list has no rows to scroll\n");
      exit (1);
    }
  c->vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_widget_grab_focus (c->list_view);
  c->scrolling = TRUE;
  g_signal_connect (c->clock, "after-paint", G_CALLBACK (on_scroll_frame), c);
  gtk_widget_activate_action (c->list_view, "list.select-item", "(ubb)", 0, FALSE, FALSE);
  return G_SOURCE_REMOVE;
}

static void
on_first_frames (GdkFrameClock *clock,
                 Child         *c)
{
  CrmContactsPage *page = contacts_page (c);
  gint64 now = g_get_monotonic_time ();

  if (c->window_frame == 0)
    c->window_frame = now;
  if (g_strcmp0 (crm_contacts_page_get_list_state (page), "loading") == 0)
    return;

  if (!c->scroll)
    {
      g_signal_handlers_disconnect_by_func (clock, on_first_frames, c);
      printf ("frames %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", c->window_frame, now);
      fflush (stdout);
      g_application_quit (c->app);
      return;
    }

  /* Scrolling starts once the whole list is read, as someone who waits a
   * moment after the window opens would see it. */
  c->model = crm_contacts_page_get_model (page);
  if (crm_contact_list_model_get_loading (c->model))
    return;
  g_signal_handlers_disconnect_by_func (clock, on_first_frames, c);
  g_idle_add (start_scrolling, c);
}

static gboolean
keep_ticking (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
on_window_mapped (GtkWidget *window,
                  Child     *c)
{
  c->clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (c->clock, "after-paint", G_CALLBACK (on_first_frames), c);
  /* A loading list paints nothing new when its thread is done. */
  if (c->scroll)
    gtk_widget_add_tick_callback (window, keep_ticking, NULL, NULL);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 Child          *c)
{
  if (c->window != NULL)
    return;
  c->window = GTK_WIDGET (window);
  g_signal_connect (window, "map", G_CALLBACK (on_window_mapped), c);
}

static int
run_child (const char *mode,
           const char *db_path,
           guint       max_pages)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(CrmApplication) app = NULL;
  Child c = { 0 };
  char *args[] = { (char *) "crm", (char *) "--db", (char *) db_path, NULL };
  int status;

  crm_runtime_init ();
  settings = g_settings_new ("com.example.Crm");
  g_settings_set_string (settings, "last-workspace", "contacts");

  app = crm_application_new ();
  c.app = G_APPLICATION (app);
  c.scroll = g_str_equal (mode, "scroll");
  c.max_pages = max_pages;
  c.intervals = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), &c);
  status = g_application_run (G_APPLICATION (app), 3, args);
  g_array_unref (c.intervals);
  return status;
}

/* --- Parent: the runs and the figures ------------------------------------ */

static char *self_path;

static char *
spawn_child (const char  *mode,
             const char  *db_path,
             const char  *profile_dir,
             guint        max_pages,
             gint64      *out_started)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pages = g_strdup_printf ("%u", max_pages);
  char *out = NULL;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", profile_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", profile_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "NO_AT_BRIDGE", "1", TRUE);

  *out_started = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawn (launcher, &error, self_path, "--child", mode, db_path, pages, NULL);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error) ||
      !g_subprocess_wait_check (process, NULL, &error))
    {
      fprintf (stderr, "bench-contacts-ui: %s %s: %s\n", mode, db_path, error->message);
      exit (1);
    }
  return out;
}

static void
first_frames (const char *db_path,
              const char *profile_dir,
              double     *out_window_ms,
              double     *out_list_ms)
{
  gint64 started, window_frame = 0, list_frame = 0;
  g_autofree char *out = spawn_child ("first-frame", db_path, profile_dir, 0, &started);

  if (out == NULL || sscanf (out, "frames %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &window_frame, &list_frame) != 2)
    {
      fprintf (stderr, "bench-contacts-ui: no frame times from the child: %s\n", out ? out : "");
      exit (1);
    }
  *out_window_ms = (window_frame - started) / 1000.0;
  *out_list_ms = (list_frame - started) / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

static void
on_demo_progress (guint64  done,
                  guint64  total,
                  gpointer user_data)
{
  fprintf (stderr, "\r  generating %" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT " contacts", done, total);
}

static char *
prepare_database (const char *source,
                  guint       n_contacts,
                  const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "contacts.db", NULL);
  g_autoptr(GError) error = NULL;

  if (source != NULL)
    {
      g_autoptr(GFile) from = g_file_new_for_path (source);
      g_autoptr(GFile) to = g_file_new_for_path (path);
      g_autofree char *wal = g_strconcat (source, "-wal", NULL);
      GStatBuf wal_stat;

      /* An empty log is what a connection left open at exit leaves. */
      if (g_stat (wal, &wal_stat) == 0 && wal_stat.st_size > 0)
        {
          fprintf (stderr, "bench-contacts-ui: %s has a write-ahead log; close the program using it first\n", source);
          exit (1);
        }
      fprintf (stderr, "  copying %s\n", source);
      if (!g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error))
        {
          fprintf (stderr, "bench-contacts-ui: could not copy %s: %s\n", source, error->message);
          exit (1);
        }
    }
  else
    {
      g_autoptr(CrmStore) store = crm_store_open (path, &error);
      CrmDemoOptions opts;

      crm_demo_options_init (&opts);
      opts.n_contacts = n_contacts;
      opts.progress = on_demo_progress;
      if (store == NULL || !crm_demo_generate (store, &opts, &error))
        {
          fprintf (stderr, "bench-contacts-ui: could not generate the demo database: %s\n", error->message);
          exit (1);
        }
      fprintf (stderr, "\n");
    }
  return g_steal_pointer (&path);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *db_option = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *big_db = NULL;
  g_autofree char *empty_db = NULL;
  g_autofree char *big_profile = NULL;
  g_autofree char *empty_profile = NULL;
  g_autofree char *scroll_out = NULL;
  g_autoptr(GArray) big_window = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) big_list = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) empty_window = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) empty_list = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int n_contacts = 50000, runs = 5, max_pages = 2000;
  guint pages, last_row, n_frames, n_long, menu_frames;
  gint64 menu_us, menu_longest_us;
  const char *menu_line;
  gint64 median_us, p95_us, max_us, total_us, started;
  double big_list_ms, empty_list_ms;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_option, "Database to measure (copied first; default $CRM_BENCH_DB, else generated)", "PATH" },
    { "contacts", 0, 0, G_OPTION_ARG_INT, &n_contacts, "Demo contacts to generate when no database is given (50,000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Starts of each database for the first-frame medians (5)", "N" },
    { "pages", 0, 0, G_OPTION_ARG_INT, &max_pages, "Stop paging down after this many pages (2,000)", "N" },
    { NULL }
  };

  if (argc == 5 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2], argv[3], (guint) atoi (argv[4]));

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_contacts < 1 || runs < 1 || max_pages < 1)
    {
      fprintf (stderr, "bench-contacts-ui: %s\n", error ? error->message : "--contacts, --runs and --pages must be positive");
      return 2;
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      fprintf (stderr, "bench-contacts-ui needs a display: xvfb-run -a %s\n", argv[0]);
      return 2;
    }
  if (db_option == NULL && g_getenv ("CRM_BENCH_DB") != NULL && *g_getenv ("CRM_BENCH_DB") != '\0')
    db_option = g_strdup (g_getenv ("CRM_BENCH_DB"));

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  crm_runtime_init ();
  dir = g_dir_make_tmp ("crm-bench-contacts-XXXXXX", NULL);
  big_profile = g_build_filename (dir, "profile-big", NULL);
  empty_profile = g_build_filename (dir, "profile-empty", NULL);
  g_mkdir (big_profile, 0700);
  g_mkdir (empty_profile, 0700);
  empty_db = g_build_filename (dir, "empty.db", NULL);
  big_db = prepare_database (db_option, (guint) n_contacts, dir);

  /* The first start of each creates or upgrades what it needs and warms
   * the page cache; it is not counted. Then alternate so drift hits both. */
  for (int i = 0; i < runs + 1; i++)
    {
      double big_w, big_l, empty_w, empty_l;

      first_frames (big_db, big_profile, &big_w, &big_l);
      first_frames (empty_db, empty_profile, &empty_w, &empty_l);
      if (i == 0)
        continue;
      g_array_append_val (big_window, big_w);
      g_array_append_val (big_list, big_l);
      g_array_append_val (empty_window, empty_w);
      g_array_append_val (empty_list, empty_l);
      fprintf (stderr, "  run %d: large %.0f / %.0f ms, empty %.0f / %.0f ms\n", i, big_w, big_l, empty_w, empty_l);
    }

  big_list_ms = median (big_list);
  empty_list_ms = median (empty_list);
  printf ("contacts list, exec to first frame, median of %d runs (first window frame / first list frame)\n", runs);
  printf ("  large database (%s): %8.1f / %8.1f ms\n", db_option ? db_option : "generated", median (big_window), big_list_ms);
  printf ("  empty database:      %8.1f / %8.1f ms\n", median (empty_window), empty_list_ms);
  printf ("  ratio:               %8.2f (first list frame, goal <= 1.5)\n", big_list_ms / empty_list_ms);

  scroll_out = spawn_child ("scroll", big_db, big_profile, (guint) max_pages, &started);
  if (scroll_out == NULL ||
      sscanf (scroll_out, "scroll %u %u %u %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %u",
              &pages, &last_row, &n_frames, &median_us, &p95_us, &max_us, &total_us, &n_long) != 8)
    {
      fprintf (stderr, "bench-contacts-ui: no scroll figures from the child: %s\n", scroll_out ? scroll_out : "");
      return 1;
    }
  printf ("paging down with PageDown, one page a frame: %u pages to row %u in %.1f s\n",
          pages, last_row + 1, total_us / 1e6);
  printf ("  frames: %u, median %.1f ms, 95th percentile %.1f ms, max %.1f ms\n",
          n_frames, median_us / 1000.0, p95_us / 1000.0, max_us / 1000.0);
  printf ("  frames over 50 ms: %u (goal 0)\n", n_long);

  menu_line = strstr (scroll_out, "filter-menu ");
  if (menu_line == NULL ||
      sscanf (menu_line, "filter-menu %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %u",
              &menu_us, &menu_longest_us, &menu_frames) != 3)
    {
      fprintf (stderr, "bench-contacts-ui: no filter menu figures from the child: %s\n", scroll_out);
      return 1;
    }
  printf ("filter menu (every facet and saved segment counted): all counts in %.1f s\n", menu_us / 1e6);
  printf ("  %u frames meanwhile, longest %.1f ms (goal <= 50)\n", menu_frames, menu_longest_us / 1000.0);

  remove_tree (dir);
  return 0;
}
