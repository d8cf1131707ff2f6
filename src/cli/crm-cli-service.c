/* crm-cli-service.c: crmctl service: the complaint queue, status changes, SLA targets and service metrics */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crm-cli-commands.h"
#include "crm-csv-writer.h"
#include "crm-service.h"

static int
service_list (CrmCli  *cli,
              int      argc,
              char   **argv)
{
  static const char * const columns[] = {
    "id", "status", "priority", "category", "assignee_id", "created_at", "first_response_at",
    "resolved_at", "overdue", "subject",
  };
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(CrmServiceSettings) settings = { 0 };
  CrmComplaintFilter filter = { NULL, NULL, NULL, NULL };
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    if (!crm_cli_take_option (argc, argv, &i, "--status", &filter.status) &&
        !crm_cli_take_option (argc, argv, &i, "--assignee", &filter.assignee_id) &&
        !crm_cli_take_option (argc, argv, &i, "--priority", &filter.priority) &&
        !crm_cli_take_option (argc, argv, &i, "--category", &filter.category))
      return crm_cli_usage_error (_("Unknown argument “%s”."), argv[i]);

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || !crm_service_settings_load (store, &settings, &error) ||
      (list = crm_complaints_list (store, &filter, &error)) == NULL)
    return crm_cli_fail (error);
  crm_csv_append_row (out, columns, G_N_ELEMENTS (columns), ',');
  for (guint i = 0; i < list->len; i++)
    {
      CrmRecord *c = g_ptr_array_index (list, i);
      const char *first = crm_record_get_string (c, "first_response_at");
      const char *resolved = crm_record_get_string (c, "resolved_at");
      g_autofree char *created = g_strndup (crm_record_get_created_at (c), 24);
      CrmSlaState sla;
      gboolean overdue = crm_complaint_sla (crm_record_get_created_at (c), first, resolved, &settings, now, &sla) &&
                         crm_sla_state_is_overdue (&sla, first, resolved);
      const char *row[] = {
        crm_record_get_id (c), crm_record_get_string (c, "status"), crm_record_get_string (c, "priority"),
        crm_record_get_string (c, "category"), crm_record_get_string (c, "assignee_id"), created, first,
        resolved, overdue ? "yes" : "no", crm_record_get_string (c, "subject"),
      };

      crm_csv_append_row (out, row, G_N_ELEMENTS (row), ',');
    }
  fputs (out->str, stdout);
  return CRM_CLI_EXIT_OK;
}

static int
service_status (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmActivity) complaint = NULL;
  GError *error = NULL;

  if (argc != 2)
    return crm_cli_usage_error (_("service status needs a complaint id and open, in_progress, resolved or closed."));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (complaint = crm_store_get (store, CRM_TYPE_ACTIVITY, argv[0], &error)) == NULL ||
      !crm_complaint_set_status (store, complaint, argv[1], NULL, &error))
    return crm_cli_fail (error);
  return CRM_CLI_EXIT_OK;
}

static gboolean
parse_minutes (const char *text,
               gint64     *out)
{
  return text != NULL && g_ascii_string_to_signed (text, 10, 0, 365 * 24 * 60, out, NULL);
}

static int
service_sla (CrmCli  *cli,
             int      argc,
             char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_auto(CrmServiceSettings) settings = { 0 };
  const char *first = NULL, *resolution = NULL, *assignee = NULL, *automatic = NULL;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    if (!crm_cli_take_option (argc, argv, &i, "--first-response", &first) &&
        !crm_cli_take_option (argc, argv, &i, "--resolution", &resolution) &&
        !crm_cli_take_option (argc, argv, &i, "--assignee", &assignee) &&
        !crm_cli_take_option (argc, argv, &i, "--auto-complaint", &automatic))
      return crm_cli_usage_error (_("Unknown argument “%s”."), argv[i]);

  store = crm_cli_open_store (cli, argc ? CRM_STORE_OPEN_FLAGS_NONE : CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || !crm_service_settings_load (store, &settings, &error))
    return crm_cli_fail (error);
  if ((first && !parse_minutes (first, &settings.first_response_minutes)) ||
      (resolution && !parse_minutes (resolution, &settings.resolution_minutes)))
    return crm_cli_usage_error (_("SLA targets are minutes, from 0 (none) to 525600."));
  if (automatic != NULL)
    {
      if (!g_str_equal (automatic, "on") && !g_str_equal (automatic, "off"))
        return crm_cli_usage_error (_("--auto-complaint is on or off."));
      settings.auto_complaint = g_str_equal (automatic, "on");
    }
  if (assignee != NULL)
    {
      g_free (settings.complaint_assignee);
      settings.complaint_assignee = g_str_equal (assignee, "owner") ? NULL : g_strdup (assignee);
    }
  if (argc > 0 && !crm_service_settings_save (store, &settings, &error))
    return crm_cli_fail (error);
  printf ("first_response_minutes=%" PRId64 "\nresolution_minutes=%" PRId64 "\nauto_complaint=%s\nassignee=%s\n",
          settings.first_response_minutes, settings.resolution_minutes,
          settings.auto_complaint ? "on" : "off",
          settings.complaint_assignee ? settings.complaint_assignee : "owner");
  return CRM_CLI_EXIT_OK;
}

static void
print_metric (const char *name,
              double      value)
{
  if (isnan (value))
    printf ("%s=\n", name);
  else
    printf ("%s=%.2f\n", name, value);
}

static int
service_metrics (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *year_ago = NULL;
  g_auto(CrmServiceSettings) settings = { 0 };
  const char *from = NULL, *to = NULL;
  CrmAnalyticsQuery query;
  CrmServiceMetrics m;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    if (!crm_cli_take_option (argc, argv, &i, "--from", &from) &&
        !crm_cli_take_option (argc, argv, &i, "--to", &to))
      return crm_cli_usage_error (_("Unknown argument “%s”."), argv[i]);
  {
    g_autoptr(GDateTime) start = g_date_time_add_years (now, -1);

    year_ago = g_date_time_format (start, "%Y-%m-%d");
  }
  if (!crm_analytics_query_init (&query, from ? from : year_ago, to ? to : today, &error))
    return crm_cli_fail (error);
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || !crm_service_settings_load (store, &settings, &error))
    return crm_cli_fail (error);
  {
    g_autoptr(GDateTime) utc = g_date_time_to_utc (now);

    if (!crm_service_metrics (store, &query, &settings, utc, &m, &error))
      return crm_cli_fail (error);
  }
  printf ("complaints=%" PRId64 "\nbacklog=%" PRId64 "\noverdue=%" PRId64 "\ncustomers=%" PRId64 "\n",
          m.times.complaints, m.backlog, m.overdue, m.customers);
  print_metric ("per_1000_customers", m.per_thousand);
  print_metric ("first_response_median_hours", m.times.response_median);
  print_metric ("first_response_p90_hours", m.times.response_p90);
  print_metric ("resolution_median_hours", m.times.resolution_median);
  print_metric ("resolution_p90_hours", m.times.resolution_p90);
  printf ("rated=%" PRId64 "\n", m.rated);
  print_metric ("satisfaction_after_resolution", m.satisfaction);
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_service (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;

  if (g_strcmp0 (sub, "list") == 0)
    return service_list (cli, argc - 2, argv + 2);
  if (g_strcmp0 (sub, "status") == 0)
    return service_status (cli, argc - 2, argv + 2);
  if (g_strcmp0 (sub, "sla") == 0)
    return service_sla (cli, argc - 2, argv + 2);
  if (g_strcmp0 (sub, "metrics") == 0)
    return service_metrics (cli, argc - 2, argv + 2);
  return crm_cli_usage_error (_("service needs list, status, sla or metrics."));
}
