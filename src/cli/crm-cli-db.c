/* crm-cli-db.c: crmctl init, backup, restore, check and recompute */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "crm-cli-commands.h"
#include "crm-backup.h"
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

/* The first line of @path, without its newline. Refuses a file others can
 * read: a password there is as good as public. */
char *
crm_cli_read_secret_file (const char  *path,
                          GError     **error)
{
  g_autofree char *contents = NULL;
  GStatBuf st;
  char *newline;

  if (g_stat (path, &st) == 0 && (st.st_mode & 0077) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                   _("%s can be read by other users. Run “chmod 600 %s” first."), path, path);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  newline = strpbrk (contents, "\r\n");
  if (newline != NULL)
    *newline = '\0';
  return g_steal_pointer (&contents);
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

/* --passphrase-file FILE, read and checked; *out_passphrase stays NULL
 * without the option. */
static gboolean
take_passphrase (const char  *passphrase_file,
                 char       **out_passphrase,
                 GError     **error)
{
  *out_passphrase = NULL;
  if (passphrase_file == NULL)
    return TRUE;
  *out_passphrase = crm_cli_read_secret_file (passphrase_file, error);
  return *out_passphrase != NULL;
}

int
crm_cli_backup (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  const char *dest = NULL, *dir = NULL, *keep_text = NULL, *passphrase_file = NULL;
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *passphrase = NULL;
  g_autofree char *written = NULL;
  guint64 keep = 7;
  GError *error = NULL;

  for (int i = 1; i < argc; i++)
    {
      const char **target = NULL;

      if (crm_cli_take_option (argc, argv, &i, "--passphrase-file", &passphrase_file))
        target = &passphrase_file;
      else if (crm_cli_take_option (argc, argv, &i, "--dir", &dir))
        target = &dir;
      else if (crm_cli_take_option (argc, argv, &i, "--keep", &keep_text))
        target = &keep_text;
      else if (argv[i][0] != '-' && dest == NULL)
        dest = argv[i];
      else
        return crm_cli_usage_error (_("backup: unknown argument “%s”"), argv[i]);
      if (target != NULL && *target == NULL)
        return crm_cli_usage_error (_("backup: %s needs a value"), argv[i]);
    }
  if ((dest == NULL) == (dir == NULL))
    return crm_cli_usage_error (_("backup needs the file to write (crmctl backup FILE) or a folder to keep backups in (crmctl backup --dir DIR [--keep N])"));
  if (keep_text != NULL &&
      (dir == NULL || !g_ascii_string_to_unsigned (keep_text, 10, 1, 10000, &keep, NULL)))
    return crm_cli_usage_error (_("backup: --keep goes with --dir and needs a number from 1 to 10000"));

  if (!take_passphrase (passphrase_file, &passphrase, &error))
    return crm_cli_fail (error);
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return crm_cli_fail (error);

  if (dir != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      written = crm_backup_rotate (store, dir, (guint) keep, passphrase, now, &error);
    }
  else if (crm_backup_write (store, dest, passphrase, &error))
    written = g_strdup (dest);
  if (passphrase != NULL)
    memset (passphrase, 0, strlen (passphrase));
  if (written == NULL)
    return crm_cli_fail (error);

  if (!cli->quiet)
    {
      if (passphrase != NULL)
        printf (_("Backed up %s to %s, encrypted\n"), crm_store_get_path (store), written);
      else
        printf (_("Backed up %s to %s\n"), crm_store_get_path (store), written);
    }
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_restore (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  const char *source = NULL, *passphrase_file = NULL;
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *default_path = NULL;
  g_autofree char *passphrase = NULL;
  const char *path = cli->db_path;
  GError *error = NULL;
  gboolean ok;

  for (int i = 1; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--passphrase-file", &passphrase_file))
        {
          if (passphrase_file == NULL)
            return crm_cli_usage_error (_("restore: %s needs a value"), argv[i]);
        }
      else if (argv[i][0] != '-' && source == NULL)
        source = argv[i];
      else
        return crm_cli_usage_error (_("restore: unknown argument “%s”"), argv[i]);
    }
  if (source == NULL)
    return crm_cli_usage_error (_("restore needs the backup to read: crmctl restore FILE [--passphrase-file FILE]"));
  if (path == NULL || *path == '\0')
    path = default_path = crm_store_default_path ();
  if (!take_passphrase (passphrase_file, &passphrase, &error))
    return crm_cli_fail (error);

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store != NULL)
    ok = crm_backup_restore (store, source, passphrase, &error);
  else if (g_error_matches (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT) ||
           g_error_matches (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_A_DATABASE))
    {
      /* Restoring is how a damaged database is repaired, so a database
       * that cannot be opened is replaced by path (and kept as .bak). */
      g_clear_error (&error);
      ok = crm_backup_restore_file (path, source, passphrase, &error);
    }
  else
    ok = FALSE;
  if (passphrase != NULL)
    memset (passphrase, 0, strlen (passphrase));
  if (!ok)
    return crm_cli_fail (error);

  if (!cli->quiet)
    printf (_("Restored %s from %s; the previous database is kept as %s.bak\n"),
            path, source, path);
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_company (CrmCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *name = NULL;
  GError *error = NULL;

  if (argc > 2)
    return crm_cli_usage_error (_("company takes at most one name: crmctl company [NAME]"));
  store = crm_cli_open_store (cli, argc == 2 ? CRM_STORE_OPEN_FLAGS_NONE : CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return crm_cli_fail (error);
  if (argc == 2 && !crm_store_set_company_name (store, argv[1], &error))
    return crm_cli_fail (error);

  name = crm_store_dup_company_name (store);
  if (name != NULL)
    printf ("%s\n", name);
  else if (!cli->quiet)
    printf (_("No company name is set; reports say “Customer relationship management”.\n"));
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
