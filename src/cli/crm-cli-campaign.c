/* crm-cli-campaign.c: crmctl campaign list|create|preview|launch|status|export|respond  */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "crm-json.h"
#include "crm-runtime.h"
#include "crm-campaign-print.h"
#include "crm-campaign-sender.h"
#include "crm-campaigns.h"
#include "crm-cli-commands.h"
#include "crm-segment.h"
#include "crm-surveys.h"
#include "crm-sync-credentials.h"
#include "crm-value.h"

/* TEXT, or the contents of FILE for "@FILE". */
static gboolean
text_or_file (const char  *value,
              char       **out_text,
              GError     **error)
{
  if (value[0] == '@')
    return g_file_get_contents (value + 1, out_text, NULL, error);
  *out_text = g_strdup (value);
  return TRUE;
}

static int
campaign_list (CrmCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GPtrArray) campaigns = NULL;
  GError *error = NULL;

  if (argc > 0)
    return crm_cli_usage_error (_("unknown argument “%s” for campaign list"), argv[0]);
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (campaigns = crm_campaign_list_all (store, &error)) == NULL)
    return crm_cli_fail (error);
  for (guint i = 0; i < campaigns->len; i++)
    {
      CrmRecord *c = g_ptr_array_index (campaigns, i);

      printf ("%s  %-9s  %-6s  %s\n", crm_record_get_id (c), crm_record_get_string (c, "status"),
              crm_record_get_string (c, "channel"), crm_record_get_string (c, "name"));
    }
  return CRM_CLI_EXIT_OK;
}

/* Points the {{survey_link}} of @templates at @survey (title or id). */
static gboolean
set_templates_survey (CrmStore    *store,
                      char       **templates,
                      const char  *survey,
                      GError     **error)
{
  g_autoptr(CrmSurvey) found = crm_surveys_find (store, survey, error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (found == NULL)
    return FALSE;
  if (!json_parser_load_from_data (parser, *templates, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return TRUE;   /* saving names what is wrong with it */
  json_object_set_string_member (json_node_get_object (root), "survey", crm_record_get_id (CRM_RECORD (found)));
  g_free (*templates);
  *templates = crm_json_to_string (root);
  return TRUE;
}

static int
campaign_create (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmCampaign) campaign = crm_campaign_new ();
  g_autoptr(CrmSegmentInfo) segment_info = NULL;
  g_autofree char *templates = NULL;
  g_autofree char *body = NULL;
  const char *name = NULL, *channel = "email", *segment = NULL, *subject = NULL;
  const char *body_arg = NULL, *templates_arg = NULL, *days = NULL, *survey = NULL;
  guint64 attribution_days = 30;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      const struct { const char *option; const char **value; } options[] = {
        { "--channel", &channel }, { "--segment", &segment }, { "--subject", &subject },
        { "--body", &body_arg }, { "--templates", &templates_arg }, { "--attribution-days", &days },
        { "--survey", &survey },
      };
      gboolean taken = FALSE;

      for (guint o = 0; o < G_N_ELEMENTS (options) && !taken; o++)
        if (crm_cli_take_option (argc, argv, &i, options[o].option, options[o].value))
          {
            if (*options[o].value == NULL)
              return crm_cli_usage_error (_("%s needs a value"), options[o].option);
            taken = TRUE;
          }
      if (taken)
        continue;
      if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        return crm_cli_usage_error (_("unknown argument “%s” for campaign create"), argv[i]);
    }
  if (name == NULL)
    return crm_cli_usage_error (_("campaign create needs a name"));
  if (days != NULL && !g_ascii_string_to_unsigned (days, 10, 1, 365, &attribution_days, NULL))
    return crm_cli_usage_error (_("--attribution-days needs a number of days from 1 to 365"));
  if ((templates_arg == NULL) == (segment == NULL || body_arg == NULL))
    return crm_cli_usage_error (_("campaign create needs --segment and --body, or --templates"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (error);

  if (templates_arg != NULL)
    {
      if (!text_or_file (templates_arg, &templates, &error))
        return crm_cli_fail (error);
    }
  else
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      segment_info = crm_segment_find (store, segment, &error);
      if (segment_info == NULL || !text_or_file (body_arg, &body, &error))
        return crm_cli_fail (error);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "variants");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "segment");
      json_builder_add_string_value (builder, segment_info->id);
      if (subject != NULL)
        {
          json_builder_set_member_name (builder, "subject");
          json_builder_add_string_value (builder, subject);
        }
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, body);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      templates = crm_json_to_string (root);
    }
  if (survey != NULL && !set_templates_survey (store, &templates, survey, &error))
    return crm_cli_fail (error);

  g_object_set (campaign, "name", name, "templates", templates, "subject", subject,
                "attribution-days", (gint64) attribution_days, NULL);
  if (!crm_record_set_field_from_string (CRM_RECORD (campaign), "channel", channel, &error) ||
      !crm_store_insert (store, CRM_RECORD (campaign), &error))
    return crm_cli_fail (error);
  printf ("%s\n", crm_record_get_id (CRM_RECORD (campaign)));
  return CRM_CLI_EXIT_OK;
}

static int
campaign_preview (CrmCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autofree char *subject = NULL, *body = NULL;
  const char *name = NULL, *contact = NULL;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--contact", &contact))
        {
          if (contact == NULL)
            return crm_cli_usage_error (_("--contact needs a contact id"));
        }
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        return crm_cli_usage_error (_("unknown argument “%s” for campaign preview"), argv[i]);
    }
  if (name == NULL || contact == NULL)
    return crm_cli_usage_error (_("campaign preview needs a campaign and --contact ID"));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (campaign = crm_campaign_find (store, name, &error)) == NULL ||
      !crm_campaign_preview (store, campaign, contact, NULL, &subject, &body, &error))
    return crm_cli_fail (error);
  if (subject != NULL && *subject != '\0')
    printf ("%s: %s\n\n", _("Subject"), subject);
  printf ("%s\n", body);
  return CRM_CLI_EXIT_OK;
}

static int
campaign_launch (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  const char *date = NULL, *name = NULL;
  CrmCampaignLaunch launch;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--date", &date))
        {
          if (date == NULL)
            return crm_cli_usage_error (_("--date needs a date, like --date 2024-03-05"));
        }
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        return crm_cli_usage_error (_("unknown argument “%s” for campaign launch"), argv[i]);
    }
  if (name == NULL)
    return crm_cli_usage_error (_("campaign launch needs a campaign name or id"));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (campaign = crm_campaign_find (store, name, &error)) == NULL ||
      !crm_campaign_launch (store, crm_record_get_id (CRM_RECORD (campaign)), date, &launch, &error))
    return crm_cli_fail (error);
  printf (_("Launched: %" PRId64 " members; left out %" PRId64 " without consent and %" PRId64 " without an address for the channel.\n"),
          launch.members, launch.excluded_no_consent, launch.excluded_no_address);
  return CRM_CLI_EXIT_OK;
}

static char *
percent (gint64 part,
         gint64 whole)
{
  return whole > 0 ? g_strdup_printf ("%.1f%%", 100.0 * part / whole) : g_strdup ("–");
}

static int
campaign_status (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GPtrArray) stats = NULL;
  GError *error = NULL;

  if (argc != 1)
    return crm_cli_usage_error (_("campaign status needs one campaign name or id"));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (campaign = crm_campaign_find (store, argv[0], &error)) == NULL ||
      (stats = crm_campaign_get_stats (store, crm_record_get_id (CRM_RECORD (campaign)), &error)) == NULL)
    return crm_cli_fail (error);

  printf ("%s (%s, %s)\n", crm_record_get_string (CRM_RECORD (campaign), "name"),
          crm_record_get_string (CRM_RECORD (campaign), "channel"),
          crm_record_get_string (CRM_RECORD (campaign), "status"));
  printf (_("Left out at launch: %" PRId64 " without consent, %" PRId64 " without an address\n"),
          crm_record_get_int64 (CRM_RECORD (campaign), "excluded_no_consent"),
          crm_record_get_int64 (CRM_RECORD (campaign), "excluded_no_address"));
  for (guint i = 0; i < stats->len; i++)
    {
      CrmCampaignStats *s = g_ptr_array_index (stats, i);
      g_autoptr(CrmSegmentInfo) info = s->variant != NULL ? crm_segment_find (store, s->variant, NULL) : NULL;
      g_autofree char *response = percent (s->responded, s->sent);
      g_autofree char *conversion = percent (s->converted, s->sent);
      g_autofree char *revenue = crm_value_format_money (s->revenue);

      printf ("\n%s\n", s->variant == NULL ? _("Total") : info != NULL ? info->name : s->variant);
      printf (_("  members %" PRId64 ", pending %" PRId64 ", sent %" PRId64 ", failed %" PRId64 "\n"),
              s->members, s->pending, s->sent, s->failed);
      printf (_("  responded %" PRId64 " (%s), converted %" PRId64 " (%s), revenue %s\n"),
              s->responded, response, s->converted, conversion, revenue);
    }
  return CRM_CLI_EXIT_OK;
}

static int
campaign_export (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GString) out = g_string_new ("\xEF\xBB\xBF");   /* BOM: Excel reads UTF-8 */
  const char *name = NULL, *output = NULL;
  gboolean mark_sent = TRUE;
  gint64 rows = 0;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "-o", &output))
        {
          if (output == NULL)
            return crm_cli_usage_error (_("-o needs a file name"));
        }
      else if (g_str_equal (argv[i], "--no-mark-sent"))
        mark_sent = FALSE;
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        return crm_cli_usage_error (_("unknown argument “%s” for campaign export"), argv[i]);
    }
  if (name == NULL)
    return crm_cli_usage_error (_("campaign export needs a campaign name or id"));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (campaign = crm_campaign_find (store, name, &error)) == NULL)
    return crm_cli_fail (error);
  /* Write the file before marking anyone sent. */
  if (!crm_campaign_export_list (store, crm_record_get_id (CRM_RECORD (campaign)), FALSE, out, &rows, &error))
    return crm_cli_fail (error);
  if (output != NULL ? !crm_runtime_write_file (output, out->str, out->len, &error)
                     : fwrite (out->str, 1, out->len, stdout) != out->len)
    return crm_cli_fail (error != NULL ? error : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write the list.")));
  if (mark_sent)
    {
      g_autoptr(GString) ignored = g_string_new (NULL);

      if (!crm_campaign_export_list (store, crm_record_get_id (CRM_RECORD (campaign)), TRUE, ignored, NULL, &error))
        return crm_cli_fail (error);
    }
  if (!cli->quiet)
    fprintf (stderr, ngettext ("%" PRId64 " member exported\n", "%" PRId64 " members exported\n", (gulong) rows), rows);
  return CRM_CLI_EXIT_OK;
}

static int
campaign_respond (CrmCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  GError *error = NULL;

  if (argc != 3)
    return crm_cli_usage_error (_("campaign respond needs a campaign, a contact id and opened, responded or unsubscribed"));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (campaign = crm_campaign_find (store, argv[0], &error)) == NULL ||
      !crm_campaign_record_response (store, crm_record_get_id (CRM_RECORD (campaign)), argv[1], argv[2], NULL, &error))
    return crm_cli_fail (error);
  return CRM_CLI_EXIT_OK;
}

static void
print_progress (const CrmSendResult *so_far,
                gpointer             user_data)
{
  /* Overwrites itself on a terminal. */
  fputc ('\r', stderr);
  fprintf (stderr, _("sent %u, failed %u, retries %u"), so_far->sent, so_far->failed, so_far->retried);
}

static int
campaign_send (CrmCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autofree char *password = NULL;
  const char *name = NULL, *url = NULL, *from = NULL, *user = NULL, *password_file = NULL, *rate = NULL;
  const char *survey_base_url = NULL;
  g_autofree char *account_server = NULL, *account_user = NULL;
  CrmSmtpConfig config;
  CrmSendResult result = { 0 };
  GError *error = NULL;
  gboolean ok;

  crm_smtp_config_init (&config);
  for (int i = 0; i < argc; i++)
    {
      const struct { const char *option; const char **value; } options[] = {
        { "--smtp", &url }, { "--from", &from }, { "--user", &user },
        { "--password-file", &password_file }, { "--rate", &rate },
        { "--survey-base-url", &survey_base_url },
      };
      gboolean taken = FALSE;

      for (guint o = 0; o < G_N_ELEMENTS (options) && !taken; o++)
        if (crm_cli_take_option (argc, argv, &i, options[o].option, options[o].value))
          {
            if (*options[o].value == NULL)
              return crm_cli_usage_error (_("%s needs a value"), options[o].option);
            taken = TRUE;
          }
      if (taken)
        continue;
      if (g_str_equal (argv[i], "--starttls"))
        config.starttls = TRUE;
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        return crm_cli_usage_error (_("unknown argument “%s” for campaign send"), argv[i]);
    }
  if (name == NULL || url == NULL || from == NULL)
    return crm_cli_usage_error (_("campaign send needs a campaign, --smtp URL and --from ADDRESS"));
  if (rate != NULL && (config.messages_per_second = g_ascii_strtod (rate, NULL)) <= 0)
    return crm_cli_usage_error (_("--rate needs a number of messages per second"));
  if (password_file != NULL)
    {
      if (!g_file_get_contents (password_file, &password, NULL, &error))
        return crm_cli_fail (error);
      g_strchomp (password);
    }
  config.url = url;
  config.from = from;
  config.username = user;
  config.password = password;

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (campaign = crm_campaign_find (store, name, &error)) == NULL)
    return crm_cli_fail (error);
  /* Survey links open on the sync server this database is signed in to. */
  if (survey_base_url == NULL && crm_sync_account_get (store, &account_server, &account_user))
    survey_base_url = account_server;
  config.survey_base_url = survey_base_url;
  ok = crm_campaign_send_email (store, crm_record_get_id (CRM_RECORD (campaign)), &config, NULL,
                                cli->quiet ? NULL : print_progress, NULL, &result, &error);
  if (!cli->quiet)
    fprintf (stderr, "\n");
  printf (_("Sent %u, failed %u (%u interrupted by an earlier stop), %u still pending.\n"),
          result.sent, result.failed, result.interrupted, result.pending);
  if (!ok)
    return crm_cli_fail (error);
  return CRM_CLI_EXIT_OK;
}

/* campaign letters|labels NAME -o FILE.pdf */
static int
campaign_print (CrmCli   *cli,
                int       argc,
                char    **argv,
                gboolean  labels)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *company = NULL;
  g_autofree char *date_text = g_date_time_format (now, "%x");
  const char *command = labels ? "labels" : "letters";
  const char *name = NULL, *output = NULL;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "-o", &output))
        {
          if (output == NULL)
            return crm_cli_usage_error (_("-o needs a file name"));
        }
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        return crm_cli_usage_error (_("unknown argument “%s” for campaign %s"), argv[i], command);
    }
  if (name == NULL || output == NULL)
    return crm_cli_usage_error (_("campaign %s needs a campaign name or id and -o FILE.pdf"), command);
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (campaign = crm_campaign_find (store, name, &error)) == NULL ||
      (pieces = crm_campaign_dup_mail_merge (store, crm_record_get_id (CRM_RECORD (campaign)), &error)) == NULL)
    return crm_cli_fail (error);
  company = crm_store_dup_company_name (store);
  if (!crm_campaign_print_write_pdf (pieces, labels, company, date_text, output, &error))
    return crm_cli_fail (error);
  if (!cli->quiet)
    g_printerr (labels ? _("%u labels on %u pages written to %s\n") : _("%u letters on %u pages written to %s\n"),
                pieces->len, crm_campaign_print_n_pages (labels, pieces->len), output);
  return CRM_CLI_EXIT_OK;
}

static int
campaign_letters (CrmCli  *cli,
                  int      argc,
                  char   **argv)
{
  return campaign_print (cli, argc, argv, FALSE);
}

static int
campaign_labels (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  return campaign_print (cli, argc, argv, TRUE);
}

/* campaign schedule NAME --at WHEN | --clear */
static int
campaign_schedule (CrmCli  *cli,
                   int      argc,
                   char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autofree char *at = NULL;
  const char *name = NULL, *when = NULL;
  gboolean clear = FALSE;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--at", &when))
        {
          if (when == NULL)
            return crm_cli_usage_error (_("--at needs a date and time, like --at \"2026-12-24 09:00\""));
        }
      else if (g_str_equal (argv[i], "--clear"))
        clear = TRUE;
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        return crm_cli_usage_error (_("unknown argument “%s” for campaign schedule"), argv[i]);
    }
  if (name == NULL || (when == NULL) == !clear)
    return crm_cli_usage_error (_("campaign schedule needs a campaign and either --at WHEN or --clear"));
  if (when != NULL && (at = crm_campaign_parse_when (when, &error)) == NULL)
    return crm_cli_fail (error);
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (campaign = crm_campaign_find (store, name, &error)) == NULL ||
      !crm_campaign_schedule (store, crm_record_get_id (CRM_RECORD (campaign)), at, &error))
    return crm_cli_fail (error);
  if (at != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (at, NULL);
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);
      g_autofree char *text = g_date_time_format (local, "%Y-%m-%d %H:%M");

      /* TRANSLATORS: "“春节问候” launches at 2027-02-05 09:00 …" */
      printf (_("“%s” launches at %s (local time) when crmctl campaign run-due or the app runs then.\n"),
              crm_record_get_string (CRM_RECORD (campaign), "name"), text);
    }
  return CRM_CLI_EXIT_OK;
}

/* campaign run-due: launches the scheduled campaigns that are due (for cron). */
static int
campaign_run_due (CrmCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GPtrArray) launched = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  GError *error = NULL;

  if (argc > 0)
    return crm_cli_usage_error (_("unknown argument “%s” for campaign run-due"), argv[0]);
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (launched = crm_campaign_launch_due (store, NULL, &failures, &error)) == NULL)
    return crm_cli_fail (error);
  for (guint i = 0; i < launched->len; i++)
    {
      g_autoptr(CrmCampaign) campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, g_ptr_array_index (launched, i), NULL);

      printf (_("Launched “%s”.\n"), campaign != NULL ? crm_record_get_string (CRM_RECORD (campaign), "name")
                                                     : (const char *) g_ptr_array_index (launched, i));
    }
  for (guint i = 0; i < failures->len; i++)
    fprintf (stderr, _("Not launched, back to draft: %s\n"), (const char *) g_ptr_array_index (failures, i));
  return failures->len > 0 ? CRM_CLI_EXIT_FAILED : CRM_CLI_EXIT_OK;
}

int
crm_cli_campaign (CrmCli  *cli,
                  int      argc,
                  char   **argv)
{
  static const struct { const char *name; int (*run) (CrmCli *, int, char **); } subcommands[] = {
    { "list", campaign_list }, { "create", campaign_create }, { "preview", campaign_preview },
    { "launch", campaign_launch }, { "status", campaign_status }, { "export", campaign_export },
    { "respond", campaign_respond }, { "send", campaign_send },
    { "letters", campaign_letters }, { "labels", campaign_labels },
    { "schedule", campaign_schedule }, { "run-due", campaign_run_due },
  };

  if (argc < 2)
    return crm_cli_usage_error (_("campaign needs a subcommand: list, create, preview, launch, schedule, run-due, status, send, export, letters, labels or respond"));
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    if (g_str_equal (argv[1], subcommands[i].name))
      return subcommands[i].run (cli, argc - 2, argv + 2);
  return crm_cli_usage_error (_("unknown campaign subcommand “%s”"), argv[1]);
}
