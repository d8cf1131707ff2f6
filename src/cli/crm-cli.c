/* crm-cli.c: crmctl's global options, command dispatch and error reporting */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "crm-cli.h"
#include "crm-runtime.h"
#include "crm-cli-commands.h"

static const CrmCliCommand commands[] = {
  { "init", N_("init                       create or upgrade the database"), crm_cli_init },
  { "demo", N_("demo --contacts N [--seed S] [--date DATE]"), crm_cli_demo },
  { "contact", N_("contact add FIELD=VALUE…   add a contact and print its id"), crm_cli_contact },
  { "contact", N_("contact get ID [--format json|text]"), crm_cli_contact },
  { "contact", N_("contact set ID FIELD=VALUE…"), crm_cli_contact },
  { "contact", N_("contact delete ID"), crm_cli_contact },
  { "list", N_("list contacts [--search Q] [--limit N] [--offset N] [--format table|csv|json]"), crm_cli_list },
  { "backup", N_("backup FILE | --dir DIR [--keep N]   consistent copy while in use; encrypted with --passphrase-file F"), crm_cli_backup },
  { "restore", N_("restore FILE [--passphrase-file F]   replace the database (the old one is kept as .bak)"), crm_cli_restore },
  { "company", N_("company [NAME]             the name reports print in their header (\"\" clears it)"), crm_cli_company },
  { "check", N_("check                      integrity and foreign keys"), crm_cli_check },
  { "recompute", N_("recompute [--date DATE]    lifecycle, RFM and the search index"), crm_cli_recompute },
  { "report", N_("report NAME [--from DATE] [--to DATE] [--format pdf|svg|png|csv|json] [-o FILE]   NAME: kpis, sales-trend, cohort-retention, churn, rfm, funnel, nps, service, monthly, retention, sales-by-owner, sales-by-region, sales-by-product, campaigns, forecast"), crm_cli_report },
  { "sync", N_("sync --server URL --user NAME [--password-file FILE]   push local changes, pull the others'; "
               "sync signout [--wipe [--force]]   forget the sign-in (and remove the data)"), crm_cli_sync },
  { "conflicts", N_("conflicts list             edits that lost a merge, with both values"), crm_cli_conflicts },
  { "conflicts", N_("conflicts resolve ID --keep mine|theirs"), crm_cli_conflicts },
  { "import", N_("import contacts FILE [--encoding E] [--mapping FILE] [--dry-run] [--update-by email|phone|external_id] [--duplicates merge|skip|create] [--date-order dmy|mdy] [--errors FILE]"), crm_cli_import },
  { "import", N_("import purchases FILE [--create-missing] [--encoding E] [--mapping FILE] [--dry-run] [--errors FILE]"), crm_cli_import },
  { "import", N_("import undo RUN | import list"), crm_cli_import },
  { "export", N_("export contacts [--format csv|vcard|vcard4] [--encoding gb18030] [--search Q] [-o FILE]"), crm_cli_export },
  { "export", N_("export purchases [--encoding gb18030] [-o FILE]"), crm_cli_export },
  { "dedupe", N_("dedupe [--min-score S] [--apply]   likely duplicates, merged with --apply"), crm_cli_dedupe },
  { "merge", N_("merge PRIMARY OTHER | merge undo MERGE"), crm_cli_merge },
  { "survey", N_("survey list | create TITLE | show SURVEY | open SURVEY | close SURVEY"), crm_cli_survey },
  { "survey", N_("survey add-question SURVEY nps|csat|rating|single|multi|text [TEXT] [--option O]… [--required]"), crm_cli_survey },
  { "survey", N_("survey respond SURVEY [--contact ID] [--channel C] N=VALUE…   choices by number, several as 0,2"), crm_cli_survey },
  { "survey", N_("survey invite SURVEY --contact ID…|--segment S [--channel email|sms|letter|phone] [--base-url URL] [--csv]   one-time web-form links, consent respected"), crm_cli_survey },
  { "survey", N_("survey print SURVEY [--contact ID…|--segment S] -o FILE.pdf   A4 paper forms, one per contact"), crm_cli_survey },
  { "survey", N_("survey results SURVEY [--from DATE] [--to DATE] [--segment S] [--search TEXT] [--format text|csv|json]"), crm_cli_survey },
  { "service", N_("service list [--status S] [--assignee ID] [--priority P]   complaints, urgent first"), crm_cli_service },
  { "service", N_("service status COMPLAINT open|in_progress|resolved|closed"), crm_cli_service },
  { "service", N_("service sla [--first-response MIN] [--resolution MIN] [--assignee ID|owner] [--auto-complaint on|off]"), crm_cli_service },
  { "service", N_("service metrics [--from DATE] [--to DATE]   response and resolution times, backlog, per 1,000 customers"), crm_cli_service },
  { "segment", N_("segment list | show NAME | count NAME [--date DATE]"), crm_cli_segment },
  { "segment", N_("segment members NAME [--format table|csv] [--date DATE]"), crm_cli_segment },
  { "segment", N_("segment create NAME --rule JSON|@FILE [--description TEXT] | segment delete NAME"), crm_cli_segment },
  { "campaign", N_("campaign list | launch NAME [--date DATE] | status NAME"), crm_cli_campaign },
  { "campaign", N_("campaign schedule NAME --at \"2026-12-24 09:00\" | --clear   launch later; campaign run-due   launch what is due (cron)"), crm_cli_campaign },
  { "campaign", N_("campaign create NAME --channel email|sms|letter|phone (--segment S --body TEXT|@FILE [--subject T] | --templates JSON|@FILE) [--survey SURVEY] [--attribution-days N]"), crm_cli_campaign },
  { "campaign", N_("campaign preview NAME --contact ID | respond NAME CONTACT opened|responded|unsubscribed"), crm_cli_campaign },
  { "campaign", N_("campaign send NAME --smtp smtp[s]://HOST:PORT --from ADDRESS [--starttls] [--user U --password-file F] [--rate N] [--survey-base-url URL]"), crm_cli_campaign },
  { "campaign", N_("campaign export NAME [-o FILE] [--no-mark-sent]   SMS, call or letter list as CSV"), crm_cli_campaign },
  { "campaign", N_("campaign letters|labels NAME -o FILE.pdf   a letter campaign's mail merge (a page each) or 3×8 A4 address labels"), crm_cli_campaign },
  { "greetings", N_("greetings list [--date DATE] [--channel email|sms] [--templates FILE] [--mark-sent]   birthdays and holidays due, as CSV"), crm_cli_greetings },
  { "greetings", N_("greetings send --smtp URL --from ADDRESS [--starttls] [--user U --password-file F] [--date DATE] [--templates FILE]"), crm_cli_greetings },
  { NULL, NULL, NULL },
};

const CrmCliCommand *
crm_cli_get_commands (guint *n_commands)
{
  *n_commands = G_N_ELEMENTS (commands) - 1;
  return commands;
}

void
crm_cli_print_usage (FILE *stream)
{
  guint n_commands;
  const CrmCliCommand *cmds = crm_cli_get_commands (&n_commands);

  fprintf (stream, "%s\n", _("Usage: crmctl [--db PATH] COMMAND [ARGUMENTS…]"));
  fprintf (stream, "\n%s\n", _("Options:"));
  fprintf (stream, "  --db PATH      %s\n", _("use the database at PATH (default: $CRM_DB or ~/.local/share/crm/crm.db)"));
  fprintf (stream, "  --quiet        %s\n", _("print only results, no progress"));
  fprintf (stream, "  --version      %s\n", _("print the version and exit"));
  fprintf (stream, "  --help         %s\n", _("print this help and exit"));
  fprintf (stream, "\n%s\n", _("Commands:"));
  for (guint i = 0; i < n_commands; i++)
    fprintf (stream, "  %s\n", _(cmds[i].synopsis));
}

int
crm_cli_usage_error (const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "crmctl: %s\n\n", message);
  crm_cli_print_usage (stderr);
  return CRM_CLI_EXIT_USAGE;
}

/* Takes ownership of @error. */
int
crm_cli_fail (GError *error)
{
  fprintf (stderr, "crmctl: %s\n", error->message);
  g_error_free (error);
  return CRM_CLI_EXIT_FAILED;
}

static const CrmCliCommand *
find_command (const char *name)
{
  guint n_commands;
  const CrmCliCommand *cmds = crm_cli_get_commands (&n_commands);

  for (guint i = 0; i < n_commands; i++)
    if (g_str_equal (cmds[i].name, name))
      return &cmds[i];

  return NULL;
}

int
crm_cli_main (int    argc,
              char **argv)
{
  CrmCli cli = { 0 };
  const CrmCliCommand *command;
  int i;
  int ret;

  crm_runtime_init ();

  cli.db_path = g_strdup (g_getenv ("CRM_DB"));

  /* Global options come before the command; the command parses the rest. */
  for (i = 1; i < argc && g_str_has_prefix (argv[i], "-"); i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--version"))
        {
          printf ("crmctl %s\n", PACKAGE_VERSION);
          g_free (cli.db_path);
          return CRM_CLI_EXIT_OK;
        }
      else if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          crm_cli_print_usage (stdout);
          g_free (cli.db_path);
          return CRM_CLI_EXIT_OK;
        }
      else if (g_str_equal (arg, "--quiet") || g_str_equal (arg, "-q"))
        cli.quiet = TRUE;
      else if (g_str_equal (arg, "--db") && i + 1 < argc)
        {
          g_free (cli.db_path);
          cli.db_path = g_strdup (argv[++i]);
        }
      else if (g_str_has_prefix (arg, "--db="))
        {
          g_free (cli.db_path);
          cli.db_path = g_strdup (arg + strlen ("--db="));
        }
      else
        {
          g_free (cli.db_path);
          return crm_cli_usage_error (_("unknown option “%s”"), arg);
        }
    }

  if (i >= argc)
    {
      g_free (cli.db_path);
      return crm_cli_usage_error (_("no command given"));
    }

  command = find_command (argv[i]);
  if (command == NULL)
    {
      int rc = crm_cli_usage_error (_("unknown command “%s”"), argv[i]);
      g_free (cli.db_path);
      return rc;
    }

  ret = command->run (&cli, argc - i, argv + i);
  g_free (cli.db_path);
  return ret;
}
