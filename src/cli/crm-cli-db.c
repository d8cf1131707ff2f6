/* crm-cli-db.c: crmctl init, backup, restore, check and recompute */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "crm-cli-commands.h"
#include "crm-store.h"

CrmStore *
crm_cli_open_store (CrmCli             *cli,
                    CrmStoreOpenFlags   flags,
                    GError            **error)
{
  g_autofree char *default_path = NULL;
  const char *path = cli->db_path;

  if (path == NULL || *path == '\0')
    path = default_path = crm_store_default_path ();
  return crm_store_open_full (path, flags, error);
}

/* --name VALUE or --name=VALUE at argv[*i]; advances *i past what it used. */
gboolean
crm_cli_take_option (int          argc,
                     char       **argv,
                     int         *i,
                     const char  *name,
                     const char **out_value)
{
  const char *arg = argv[*i];
  gsize len = strlen (name);

  if (strncmp (arg, name, len) != 0)
    return FALSE;
  if (arg[len] == '=')
    {
      *out_value = arg + len + 1;
      return TRUE;
    }
  if (arg[len] == '\0')
    {
      if (*i + 1 >= argc)
        {
          *out_value = NULL;
          return TRUE;
        }
      *out_value = argv[++*i];
      return TRUE;
    }
  return FALSE;
}

int
crm_cli_init (CrmCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  GError *error = NULL;

  if (argc > 1)
    return crm_cli_usage_error (_("init takes no arguments"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (error);

  if (!cli->quiet)
    /* Translators: %s is a file path, %u the schema version number. */
    printf (_("Database ready: %s (schema %u)\n"), crm_store_get_path (store),
            crm_store_get_schema_version (store));
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_backup (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  GError *error = NULL;

  if (argc != 2)
    return crm_cli_usage_error (_("backup needs the file to write: crmctl backup FILE"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || !crm_store_backup (store, argv[1], &error))
    return crm_cli_fail (error);

  if (!cli->quiet)
    printf (_("Backed up %s to %s\n"), crm_store_get_path (store), argv[1]);
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_restore (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *default_path = NULL;
  const char *path = cli->db_path;
  GError *error = NULL;

  if (argc != 2)
    return crm_cli_usage_error (_("restore needs the backup to read: crmctl restore FILE"));
  if (path == NULL || *path == '\0')
    path = default_path = crm_store_default_path ();

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store != NULL)
    {
      if (!crm_store_restore (store, argv[1], &error))
        return crm_cli_fail (error);
    }
  else if (g_error_matches (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT) ||
           g_error_matches (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_A_DATABASE))
    {
      /* Restoring is how a damaged database is repaired, so a database
       * that cannot be opened is replaced by path (and kept as .bak). */
      g_clear_error (&error);
      if (!crm_store_restore_file (path, argv[1], &error))
        return crm_cli_fail (error);
    }
  else
    return crm_cli_fail (error);

  if (!cli->quiet)
    printf (_("Restored %s from %s; the previous database is kept as %s.bak\n"),
            path, argv[1], path);
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_check (CrmCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *report = NULL;
  GError *error = NULL;

  if (argc > 1)
    return crm_cli_usage_error (_("check takes no arguments"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (error);
  if (!crm_store_check (store, &report, &error))
    return crm_cli_fail (error);

  if (!cli->quiet)
    printf ("%s\n", _("ok: the database is intact"));
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_recompute (CrmCli  *cli,
                   int      argc,
                   char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  const char *date = NULL;
  GError *error = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--date", &date))
        {
          if (date == NULL)
            return crm_cli_usage_error (_("--date needs a date, like --date 2024-03-05"));
        }
      else
        return crm_cli_usage_error (_("unknown argument “%s” for recompute"), argv[i]);
    }

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || !crm_store_recompute_derived (store, date, &error))
    return crm_cli_fail (error);

  if (!cli->quiet)
    printf ("%s\n", _("Lifecycle, RFM scores and the search index are up to date."));
  return CRM_CLI_EXIT_OK;
}
