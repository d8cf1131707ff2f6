/* crm-cli-segment.c: crmctl segment list|show|count|members|create|delete */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "crm-cli-commands.h"
#include "crm-contact.h"
#include "crm-csv-writer.h"
#include "crm-segment.h"
#include "crm-segment-rule.h"

static const char * const member_columns[] = { "id", "name", "email", "phone", "city", "lifecycle" };

static int
segment_list (CrmCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  GError *error = NULL;

  if (argc > 0)
    return crm_cli_usage_error (_("unknown argument “%s” for segment list"), argv[0]);
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (list = crm_segment_list_all (store, &error)) == NULL)
    return crm_cli_fail (error);
  for (guint i = 0; i < list->len; i++)
    {
      CrmSegmentInfo *info = g_ptr_array_index (list, i);

      printf ("%-40s  %s\n", info->id, info->name);
    }
  return CRM_CLI_EXIT_OK;
}

/* Common options of show, count and members. */
static int
parse_segment_args (int          argc,
                    char       **argv,
                    const char  *command,
                    const char **out_name,
                    const char **out_date,
                    const char **out_format)
{
  *out_name = NULL;
  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--date", out_date))
        {
          if (*out_date == NULL)
            return crm_cli_usage_error (_("--date needs a date, like --date 2024-03-05"));
        }
      else if (out_format != NULL && crm_cli_take_option (argc, argv, &i, "--format", out_format))
        {
          if (*out_format == NULL || (!g_str_equal (*out_format, "table") && !g_str_equal (*out_format, "csv")))
            return crm_cli_usage_error (_("--format must be table or csv"));
        }
      else if (*out_name == NULL && argv[i][0] != '-')
        *out_name = argv[i];
      else
        return crm_cli_usage_error (_("unknown argument “%s” for segment %s"), argv[i], command);
    }
  if (*out_name == NULL)
    return crm_cli_usage_error (_("segment %s needs a segment name or id"), command);
  return CRM_CLI_EXIT_OK;
}

static int
segment_show (CrmCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSegmentInfo) info = NULL;
  g_autoptr(CrmSegmentQuery) query = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *pretty = NULL;
  const char *name, *date = NULL;
  GError *error = NULL;
  int rc;

  if ((rc = parse_segment_args (argc, argv, "show", &name, &date, NULL)) != CRM_CLI_EXIT_OK)
    return rc;
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (info = crm_segment_find (store, name, &error)) == NULL)
    return crm_cli_fail (error);

  root = json_from_string (info->rule, NULL);
  pretty = root != NULL ? json_to_string (root, TRUE) : g_strdup (info->rule);
  printf ("%s: %s\n", _("Name"), info->name);
  printf ("%s: %s\n", _("Id"), info->id);
  if (info->description != NULL && *info->description != '\0')
    printf ("%s: %s\n", _("Description"), info->description);
  printf ("%s:\n%s\n", _("Rule"), pretty);
  query = crm_segment_query_new (info->rule, date, &error);
  if (query == NULL)
    return crm_cli_fail (error);
  printf ("%s:\n%s\n", _("SQL"), crm_segment_query_get_predicate (query));
  return CRM_CLI_EXIT_OK;
}

static int
segment_count (CrmCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSegmentInfo) info = NULL;
  const char *name, *date = NULL;
  gint64 count = 0;
  GError *error = NULL;
  int rc;

  if ((rc = parse_segment_args (argc, argv, "count", &name, &date, NULL)) != CRM_CLI_EXIT_OK)
    return rc;
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (info = crm_segment_find (store, name, &error)) == NULL ||
      !crm_segment_count (store, info->rule, date, &count, &error))
    return crm_cli_fail (error);
  printf ("%" PRId64 "\n", count);
  return CRM_CLI_EXIT_OK;
}

static char *
member_column (CrmContact *contact,
               const char *column)
{
  if (g_str_equal (column, "email"))
    {
      const char * const *emails = crm_contact_get_emails (contact);

      return g_strdup (emails != NULL && emails[0] != NULL ? emails[0] : "");
    }
  if (g_str_equal (column, "phone"))
    {
      g_auto(GStrv) phones = crm_contact_dup_phone_numbers (contact);

      return g_strdup (phones[0] != NULL ? phones[0] : "");
    }
  if (g_str_equal (column, "lifecycle"))
    return g_strdup (crm_contact_get_lifecycle (contact));
  return crm_record_dup_field_as_string (CRM_RECORD (contact), column);
}

static int
segment_members (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSegmentInfo) info = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  const char *name, *date = NULL, *format = "table";
  gboolean csv;
  GError *error = NULL;
  int rc;

  if ((rc = parse_segment_args (argc, argv, "members", &name, &date, &format)) != CRM_CLI_EXIT_OK)
    return rc;
  csv = g_str_equal (format, "csv");
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (info = crm_segment_find (store, name, &error)) == NULL ||
      (ids = crm_segment_dup_member_ids (store, info->rule, date, &error)) == NULL)
    return crm_cli_fail (error);

  if (csv)
    crm_csv_append_row (out, member_columns, G_N_ELEMENTS (member_columns), ',');
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CrmContact) contact = crm_store_get (store, CRM_TYPE_CONTACT, g_ptr_array_index (ids, i), &error);
      char *row[G_N_ELEMENTS (member_columns)] = { NULL };

      if (contact == NULL)
        return crm_cli_fail (error);
      for (guint c = 0; c < G_N_ELEMENTS (member_columns); c++)
        row[c] = member_column (contact, member_columns[c]);
      if (csv)
        crm_csv_append_row (out, (const char * const *) row, G_N_ELEMENTS (member_columns), ',');
      else
        g_string_append_printf (out, "%s  %s\n", row[0], row[1]);
      for (guint c = 0; c < G_N_ELEMENTS (member_columns); c++)
        g_free (row[c]);
      if (out->len > 65536)
        {
          fwrite (out->str, 1, out->len, stdout);
          g_string_truncate (out, 0);
        }
    }
  fwrite (out->str, 1, out->len, stdout);
  if (!csv && !cli->quiet)
    fprintf (stderr, ngettext ("%u contact\n", "%u contacts\n", ids->len), ids->len);
  return CRM_CLI_EXIT_OK;
}

static int
segment_create (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSegment) segment = crm_segment_new ();
  g_autofree char *rule_text = NULL;
  const char *name = NULL, *rule = NULL, *description = NULL;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--rule", &rule))
        {
          if (rule == NULL)
            return crm_cli_usage_error (_("--rule needs the rule as JSON, or @FILE"));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--description", &description))
        {
          if (description == NULL)
            return crm_cli_usage_error (_("--description needs a text"));
        }
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        return crm_cli_usage_error (_("unknown argument “%s” for segment create"), argv[i]);
    }
  if (name == NULL || rule == NULL)
    return crm_cli_usage_error (_("segment create needs a name and --rule"));
  if (rule[0] == '@')
    {
      if (!g_file_get_contents (rule + 1, &rule_text, NULL, &error))
        return crm_cli_fail (error);
      rule = rule_text;
    }

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (error);
  g_object_set (segment, "name", name, "description", description, "rule", rule, NULL);
  if (!crm_store_insert (store, CRM_RECORD (segment), &error))
    return crm_cli_fail (error);
  printf ("%s\n", crm_record_get_id (CRM_RECORD (segment)));
  return CRM_CLI_EXIT_OK;
}

static int
segment_delete (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSegmentInfo) info = NULL;
  GError *error = NULL;

  if (argc != 1)
    return crm_cli_usage_error (_("segment delete needs one segment name or id"));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (info = crm_segment_find (store, argv[0], &error)) == NULL)
    return crm_cli_fail (error);
  if (info->builtin)
    return crm_cli_fail (g_error_new (CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                                      _("“%s” is built in and cannot be deleted."), info->name));
  if (!crm_store_delete (store, CRM_TYPE_SEGMENT, info->id, &error))
    return crm_cli_fail (error);
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_segment (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  static const struct { const char *name; int (*run) (CrmCli *, int, char **); } subcommands[] = {
    { "list", segment_list }, { "show", segment_show }, { "count", segment_count },
    { "members", segment_members }, { "create", segment_create }, { "delete", segment_delete },
  };

  if (argc < 2)
    return crm_cli_usage_error (_("segment needs a subcommand: list, show, count, members, create or delete"));
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    if (g_str_equal (argv[1], subcommands[i].name))
      return subcommands[i].run (cli, argc - 2, argv + 2);
  return crm_cli_usage_error (_("unknown segment subcommand “%s”"), argv[1]);
}
