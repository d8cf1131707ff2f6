/* crm-cli-greetings.c: crmctl greetings list|send: today's birthday and holiday greetings */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "crm-campaign-sender.h"
#include "crm-cli-commands.h"
#include "crm-csv-writer.h"
#include "crm-greetings.h"

int
crm_cli_greetings (CrmCli  *cli,
                   int      argc,
                   char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *templates = NULL;
  g_autofree char *password = NULL;
  const char *date = NULL, *channel = "email", *templates_file = NULL;
  const char *url = NULL, *from = NULL, *user = NULL, *password_file = NULL;
  gboolean send, mark_sent = FALSE;
  guint done = 0, failed = 0;
  CrmSmtpConfig config;
  GError *error = NULL;

  if (argc < 2 || (!g_str_equal (argv[1], "list") && !g_str_equal (argv[1], "send")))
    return crm_cli_usage_error (_("greetings needs list or send"));
  send = g_str_equal (argv[1], "send");
  crm_smtp_config_init (&config);
  for (int i = 2; i < argc; i++)
    {
      const struct { const char *option; const char **value; } options[] = {
        { "--date", &date }, { "--channel", &channel }, { "--templates", &templates_file },
        { "--smtp", &url }, { "--from", &from }, { "--user", &user }, { "--password-file", &password_file },
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
      if (g_str_equal (argv[i], "--mark-sent") && !send)
        mark_sent = TRUE;
      else if (g_str_equal (argv[i], "--starttls") && send)
        config.starttls = TRUE;
      else
        return crm_cli_usage_error (_("unknown argument “%s” for greetings"), argv[i]);
    }
  if (send && (url == NULL || from == NULL))
    return crm_cli_usage_error (_("greetings send needs --smtp URL and --from ADDRESS"));
  if (send)
    channel = "email";
  if (templates_file != NULL && !g_file_get_contents (templates_file, &templates, NULL, &error))
    return crm_cli_fail (error);
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

  store = crm_cli_open_store (cli, send || mark_sent ? CRM_STORE_OPEN_FLAGS_NONE : CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (due = crm_greetings_due (store, date, channel, templates, &error)) == NULL)
    return crm_cli_fail (error);

  if (!send)
    {
      static const char * const header[] = { "occasion", "name", "address", "subject", "message", "contact_id" };

      g_string_append (out, "\xEF\xBB\xBF");
      crm_csv_append_row (out, header, G_N_ELEMENTS (header), ',');
    }
  for (guint i = 0; i < due->len; i++)
    {
      CrmGreeting *g = g_ptr_array_index (due, i);

      if (send)
        {
          g_autofree char *message_id = g_strdup_printf ("%s.%s", g->key, g->contact_id);
          g_autoptr(GError) send_error = NULL;

          g_strdelimit (message_id, ":", '.');
          if (!crm_smtp_send_message (&config, g->address, g->subject, g->body, message_id, &send_error))
            {
              fprintf (stderr, "crmctl: %s: %s\n", g->name, send_error->message);
              failed++;
              continue;
            }
        }
      else
        {
          const char *row[] = { g->occasion, g->name, g->address, g->subject, g->body, g->contact_id };

          crm_csv_append_row (out, row, G_N_ELEMENTS (row), ',');
        }
      /* Recorded right after it went out, so a later run skips them. */
      if ((send || mark_sent) && !crm_greetings_record (store, g, channel, &error))
        return crm_cli_fail (error);
      done++;
    }
  fwrite (out->str, 1, out->len, stdout);
  if (!cli->quiet)
    fprintf (stderr, ngettext ("%u greeting, %u failed\n", "%u greetings, %u failed\n", done), done, failed);
  return failed > 0 ? CRM_CLI_EXIT_FAILED : CRM_CLI_EXIT_OK;
}
