/* crm-cli-demo.c: crmctl demo, filling a database with realistic demo data */

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "crm-cli-commands.h"
#include "crm-demo.h"

#define MAX_CONTACTS G_GUINT64_CONSTANT (100000000)

typedef struct
{
  CrmStore *store;
  CrmDemoOptions opts;
  CrmDemoStats stats;
  GMainLoop *loop;
  GError *error;
  gboolean ok;
  gboolean quiet;
  gint64 started;
} DemoRun;

static void
on_progress (guint64  done,
             guint64  total,
             gpointer user_data)
{
  DemoRun *run = user_data;

  if (run->quiet)
    return;

  /* The carriage return redraws the line in place; it is kept out of the
   * message because translations must not contain it. */
  if (done < total)
    {
      fputc ('\r', stderr);
      /* Translators: progress of crmctl demo: contacts written, of how many. */
      fprintf (stderr, _("Generating demo data: %llu of %llu contacts (%u%%)…"),
               (unsigned long long) done, (unsigned long long) total,
               (guint) (done * 100 / MAX (total, 1)));
    }
  else
    fprintf (stderr, "\r%s\n",
             _("Generating demo data: done. Building the search index and lifecycle stages…"));
  fflush (stderr);
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gpointer
generate_thread (gpointer user_data)
{
  DemoRun *run = user_data;

  run->ok = crm_demo_generate (run->store, &run->opts, &run->error);
  /* Through the main context: quitting before the loop runs would be lost. */
  g_idle_add (quit_loop, run->loop);
  return NULL;
}

static gboolean
on_interrupt (gpointer user_data)
{
  DemoRun *run = user_data;

  /* Stop at the end of the batch; what was written stays usable. */
  if (!run->quiet)
    fprintf (stderr, "\n%s\n", _("Stopping after the current batch…"));
  g_cancellable_cancel (run->opts.cancellable);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_count (const char  *option,
             const char  *text,
             guint64      min,
             guint64      max,
             guint64     *out_value)
{
  g_autoptr(GError) error = NULL;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, min, max, out_value, &error))
    {
      crm_cli_usage_error (_("%s needs a whole number from %llu to %llu, not “%s”"),
                           option, (unsigned long long) min, (unsigned long long) max,
                           text != NULL ? text : "");
      return FALSE;
    }
  return TRUE;
}

int
crm_cli_demo (CrmCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(CrmStore) store = NULL;
  const char *value = NULL;
  const char *date = NULL;
  gboolean have_contacts = FALSE;
  GError *error = NULL;
  DemoRun run = { 0 };
  GThread *thread;
  guint sigint_id, sigterm_id;
  double seconds;

  crm_demo_options_init (&run.opts);

  for (int i = 1; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--contacts", &value))
        {
          if (!parse_count ("--contacts", value, 1, MAX_CONTACTS, &run.opts.n_contacts))
            return CRM_CLI_EXIT_USAGE;
          have_contacts = TRUE;
        }
      else if (crm_cli_take_option (argc, argv, &i, "--seed", &value))
        {
          if (!parse_count ("--seed", value, 0, G_MAXUINT64, &run.opts.seed))
            return CRM_CLI_EXIT_USAGE;
        }
      else if (crm_cli_take_option (argc, argv, &i, "--date", &date))
        {
          if (date == NULL)
            return crm_cli_usage_error (_("--date needs a date, like --date 2024-03-05"));
        }
      else
        return crm_cli_usage_error (_("unknown argument “%s” for demo"), argv[i]);
    }

  if (!have_contacts)
    return crm_cli_usage_error (_("demo needs --contacts N, the number of contacts to create"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (error);

  run.store = store;
  run.loop = loop;
  run.quiet = cli->quiet;
  run.opts.reference_date = date;
  run.opts.cancellable = cancellable;
  run.opts.progress = on_progress;
  run.opts.progress_data = &run;
  run.opts.stats = &run.stats;
  run.started = g_get_monotonic_time ();

  /* Generation runs in a thread so that Ctrl+C can end it cleanly: the
   * batches written so far stay, indexed and with their lifecycle. */
  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, &run);
  thread = g_thread_new ("crm-demo", generate_thread, &run);
  g_main_loop_run (loop);
  g_thread_join (thread);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  seconds = (g_get_monotonic_time () - run.started) / 1e6;

  /* The counts are the result, also of a cancelled run that kept some. */
  if (!run.ok && run.stats.contacts == 0)
    return crm_cli_fail (run.error);

  printf ("%s %llu\n", _("Contacts:"), (unsigned long long) run.stats.contacts);
  printf ("%s %llu\n", _("Organizations:"), (unsigned long long) run.stats.organizations);
  printf ("%s %llu\n", _("Purchases:"), (unsigned long long) run.stats.purchases);
  printf ("%s %llu\n", _("Activities:"), (unsigned long long) run.stats.activities);
  printf ("%s %llu\n", _("Complaints:"), (unsigned long long) run.stats.complaints);
  printf ("%s %llu\n", _("Deals:"), (unsigned long long) run.stats.deals);
  printf ("%s %llu\n", _("Survey responses:"), (unsigned long long) run.stats.survey_responses);
  if (!run.quiet)
    /* Translators: %.1f is a number of seconds. */
    fprintf (stderr, _("Finished in %.1f s.\n"), seconds);

  if (!run.ok)
    return crm_cli_fail (run.error);
  return CRM_CLI_EXIT_OK;
}
