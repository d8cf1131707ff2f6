/* crm-cli-export.c: crmctl export contacts|purchases, as CSV or vCard, to a file or stdout */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>

#include "crm-cli-commands.h"
#include "crm-exporter.h"

int
crm_cli_export (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  const char *format_text = "csv";
  const char *encoding = NULL;
  const char *search = NULL;
  const char *output = NULL;
  gboolean purchases;
  CrmExportFormat format = CRM_EXPORT_CSV;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  guint64 count = 0;
  gboolean ok;

  if (argc < 2 || (!g_str_equal (argv[1], "contacts") && !g_str_equal (argv[1], "purchases")))
    return crm_cli_usage_error (_("export needs what to export: contacts or purchases"));
  purchases = g_str_equal (argv[1], "purchases");

  for (int i = 2; i < argc; i++)
    {
      const char *value = NULL;

      if (crm_cli_take_option (argc, argv, &i, "--format", &value))
        format_text = value;
      else if (crm_cli_take_option (argc, argv, &i, "--encoding", &value))
        encoding = value;
      else if (!purchases && crm_cli_take_option (argc, argv, &i, "--search", &value))
        search = value;
      else if (crm_cli_take_option (argc, argv, &i, "-o", &value) ||
               crm_cli_take_option (argc, argv, &i, "--output", &value))
        output = value;
      else
        return crm_cli_usage_error (_("unknown option “%s”"), argv[i]);
      if (value == NULL)
        return crm_cli_usage_error (_("option “%s” needs a value"), argv[i]);
    }
  if (format_text == NULL || !crm_export_format_from_string (format_text, &format) ||
      (purchases && format != CRM_EXPORT_CSV))
    return crm_cli_usage_error (_("--format takes csv, vcard or vcard4 (purchases: csv only)"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return crm_cli_fail (g_steal_pointer (&error));

  if (output != NULL && !g_str_equal (output, "-"))
    {
      file = g_file_new_for_commandline_arg (output);
      /* Customer data: readable by this user only. */
      out = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, &error));
      if (out == NULL)
        return crm_cli_fail (g_steal_pointer (&error));
    }
  else
    {
      /* Appending to stdout works for a terminal, a pipe or a redirect. */
      file = g_file_new_for_path ("/dev/stdout");
      out = G_OUTPUT_STREAM (g_file_append_to (file, G_FILE_CREATE_NONE, NULL, &error));
      g_clear_object (&file);
      if (out == NULL)
        return crm_cli_fail (g_steal_pointer (&error));
    }

  if (purchases)
    ok = crm_export_purchases (store, out, encoding, NULL, &count, &error);
  else
    ok = crm_export_contacts (store, out, format, encoding, search, NULL, &count, &error);
  if (!ok || !g_output_stream_close (out, NULL, &error))
    return crm_cli_fail (g_steal_pointer (&error));

  if (!cli->quiet && file != NULL)
    fprintf (stderr, purchases ? _("%" PRIu64 " purchases written to %s\n") : _("%" PRIu64 " contacts written to %s\n"),
             count, output);
  return CRM_CLI_EXIT_OK;
}
