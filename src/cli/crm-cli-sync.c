/* crm-cli-sync.c: crmctl sync, conflicts list and conflicts resolve */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "crm-cli-commands.h"
#include "crm-sync-credentials.h"
#include "crm-sync-engine.h"

static char *
read_password_stdin (void)
{
  char line[1024];
  size_t len;

  if (fgets (line, sizeof line, stdin) == NULL)
    return NULL;
  len = strlen (line);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';
  return g_strdup (line);
}

/* sync signout [--wipe [--force]]: forgets the stored sign-in; --wipe
 * removes this account's data from the database too, refusing while
 * changes are unsent unless --force says to lose them. */
static int
sync_signout (CrmCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  gboolean wipe = FALSE, force = FALSE;
  GError *error = NULL;
  guint unsent;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--wipe"))
        wipe = TRUE;
      else if (g_str_equal (argv[i], "--force"))
        force = TRUE;
      else
        return crm_cli_usage_error (_("sync signout: unknown argument “%s”"), argv[i]);
    }

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (error);
  if (!crm_sync_account_get (store, &server, &user))
    {
      if (!wipe)
        {
          printf ("%s\n", _("Not signed in."));
          return CRM_CLI_EXIT_OK;
        }
    }
  unsent = crm_sync_account_count_unsent (store);
  if (wipe && unsent > 0 && !force)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   ngettext ("%u change was not sent to the server yet and would be lost. "
                             "Sync first, or add --force to remove it anyway.",
                             "%u changes were not sent to the server yet and would be lost. "
                             "Sync first, or add --force to remove them anyway.", unsent),
                   unsent);
      return crm_cli_fail (error);
    }
  if (server != NULL && user != NULL &&
      !crm_sync_credentials_clear (server, user, crm_store_get_client_id (store), &error))
    return crm_cli_fail (error);
  if (wipe ? !crm_sync_account_wipe (store, &error)
           : (server != NULL && !crm_sync_account_set_signed_out (store, TRUE, &error)))
    return crm_cli_fail (error);
  if (wipe)
    printf (ngettext ("Signed out; the synced data and %u unsent change were removed from this database.\n",
                      "Signed out; the synced data and %u unsent changes were removed from this database.\n",
                      unsent), unsent);
  else
    printf ("%s\n", _("Signed out; the data stays in this database."));
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_sync (CrmCli  *cli,
              int      argc,
              char   **argv)
{
  const char *server = NULL, *user = NULL, *password_file = NULL, *page = NULL;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSyncEngine) engine = NULL;
  g_autofree char *password = NULL;
  const char * const *rejections;
  CrmSyncStats stats = { 0 };
  GError *error = NULL;
  gboolean ok;

  if (argc >= 2 && g_str_equal (argv[1], "signout"))
    return sync_signout (cli, argc - 1, argv + 1);

  for (int i = 1; i < argc; i++)
    {
      const char **target = NULL;

      if (crm_cli_take_option (argc, argv, &i, "--server", &server))
        target = &server;
      else if (crm_cli_take_option (argc, argv, &i, "--user", &user))
        target = &user;
      else if (crm_cli_take_option (argc, argv, &i, "--password-file", &password_file))
        target = &password_file;
      else if (crm_cli_take_option (argc, argv, &i, "--page-size", &page))
        target = &page;
      else
        return crm_cli_usage_error (_("sync: unknown argument “%s”"), argv[i]);
      if (*target == NULL)
        return crm_cli_usage_error (_("sync: %s needs a value"), argv[i]);
    }
  if (server == NULL || user == NULL)
    return crm_cli_usage_error (_("sync needs --server URL and --user NAME"));

  if (password_file != NULL)
    password = crm_cli_read_secret_file (password_file, &error);
  else
    {
      password = read_password_stdin ();
      if (password == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             _("No password: give --password-file FILE or type it on standard input."));
    }
  if (password == NULL)
    return crm_cli_fail (error);

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (error);

  /* One database holds one account's data, as in the app: syncing it as
   * someone else would mix two users' customers. */
  {
    g_autofree char *bound_server = NULL;
    g_autofree char *bound_user = NULL;

    if (crm_sync_account_get (store, &bound_server, &bound_user))
      {
        if (g_strcmp0 (bound_server, server) != 0 || g_strcmp0 (bound_user, user) != 0)
          {
            memset (password, 0, strlen (password));
            g_set_error (&error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                         _("This database holds the data of %s on %s; it cannot sync as %s on %s. "
                           "Use another database (--db), or sign in as %s in the app, which offers to remove the data here first."),
                         bound_user, bound_server, user, server, user);
            return crm_cli_fail (error);
          }
      }
    else if (!crm_sync_account_bind (store, server, user, &error))
      return crm_cli_fail (error);
  }

  engine = crm_sync_engine_new (store, server);
  crm_sync_engine_set_credentials (engine, user, password);
  memset (password, 0, strlen (password));
  if (page != NULL)
    crm_sync_engine_set_page_size (engine, (guint) g_ascii_strtoull (page, NULL, 10));

  ok = crm_sync_engine_run (engine, NULL, &stats, &error);
  if (crm_sync_engine_get_role (engine) != NULL)
    crm_sync_account_set_role (store, crm_sync_engine_get_role (engine), NULL);
  rejections = crm_sync_engine_get_rejections (engine);
  for (guint i = 0; rejections[i] != NULL; i++)
    /* Translators: %s says which record and why the server refused the change. */
    fprintf (stderr, _("crmctl: the server refused a change: %s\n"), rejections[i]);
  if (!ok)
    {
      fprintf (stderr, "crmctl: %s\n", error->message);
      g_error_free (error);
    }
  /* A fixed machine-readable last line that scripts parse, hence not
   * translated. */
  printf ("pushed %u, pulled %u, conflicts %u\n", stats.pushed, stats.pulled,
          crm_sync_count_conflicts (store));
  return ok ? CRM_CLI_EXIT_OK : CRM_CLI_EXIT_FAILED;
}

/* "2024-03-05 08:09 UTC by 王芳", or "… on computer 9f84e2a1" when the
 * server did not say who: when and by whom, from a clock. */
static char *
display_clock (const char *hlc,
               const char *author,
               const char *client_id)
{
  g_autofree char *device = NULL;

  if (hlc == NULL || strlen (hlc) < 31)
    return g_strdup ("-");
  if (author == NULL && g_strcmp0 (device = crm_sync_hlc_client_id (hlc), client_id) == 0)
    /* Translators: a date and a UTC time. */
    return g_strdup_printf (_("%.10s %.5s UTC on this computer"), hlc, hlc + 11);
  g_clear_pointer (&device, g_free);
  if (author != NULL)
    /* Translators: a date, a UTC time, then the name of who made the change. */
    return g_strdup_printf (_("%.10s %.5s UTC by %s"), hlc, hlc + 11, author);
  device = crm_sync_hlc_device_label (hlc);
  /* Translators: a date, a UTC time, then the short id of the computer that made the change. */
  return g_strdup_printf (_("%.10s %.5s UTC on computer %s"), hlc, hlc + 11, device ? device : "?");
}

static int
conflicts_list (CrmStore *store)
{
  g_autoptr(GPtrArray) conflicts = NULL;
  GError *error = NULL;

  conflicts = crm_sync_list_conflicts (store, &error);
  if (conflicts == NULL)
    return crm_cli_fail (error);
  for (guint i = 0; i < conflicts->len; i++)
    {
      CrmSyncConflict *c = g_ptr_array_index (conflicts, i);
      g_autofree char *mine = crm_sync_conflict_display_value (c->local_value);
      g_autofree char *theirs = crm_sync_conflict_display_value (c->remote_value);
      g_autofree char *mine_when = display_clock (c->local_hlc, NULL, crm_store_get_client_id (store));
      g_autofree char *theirs_when = display_clock (c->remote_hlc, c->remote_by, crm_store_get_client_id (store));
      g_autofree char *deleted_by = c->remote_by ? g_strdup_printf (_("deleted by %s while edited here"), c->remote_by)
                                                 : g_strdup (_("deleted elsewhere while edited here"));

      printf ("%" PRId64 "\t%s\t%s\t%s\n", (int64_t) c->id, c->table,
              c->row_label ? c->row_label : c->row_id,
              c->delete_edit ? deleted_by : c->field);
      printf ("  %s %s (%s)%s\n", _("mine:  "), mine, mine_when, c->local_won ? _(" — kept") : "");
      if (!c->delete_edit)
        printf ("  %s %s (%s)%s\n", _("theirs:"), theirs, theirs_when, c->local_won ? "" : _(" — kept"));
    }
  if (conflicts->len == 0)
    printf ("%s\n", _("No conflicts."));
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_conflicts (CrmCli  *cli,
                   int      argc,
                   char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  GError *error = NULL;

  if (argc < 2)
    return crm_cli_usage_error (_("conflicts needs list or resolve"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL)
    return crm_cli_fail (error);

  if (g_str_equal (argv[1], "list") && argc == 2)
    return conflicts_list (store);

  if (g_str_equal (argv[1], "resolve"))
    {
      const char *keep = NULL;
      guint64 id = 0;

      for (int i = 3; i < argc; i++)
        if (!crm_cli_take_option (argc, argv, &i, "--keep", &keep))
          return crm_cli_usage_error (_("conflicts resolve: unknown argument “%s”"), argv[i]);
      if (argc < 3 || !g_ascii_string_to_unsigned (argv[2], 10, 1, G_MAXINT64, &id, NULL) ||
          (g_strcmp0 (keep, "mine") != 0 && g_strcmp0 (keep, "theirs") != 0))
        return crm_cli_usage_error (_("usage: conflicts resolve ID --keep mine|theirs"));
      if (!crm_sync_resolve_conflict (store, (gint64) id, g_strcmp0 (keep, "mine") == 0, &error))
        return crm_cli_fail (error);
      if (!cli->quiet)
        printf (_("Conflict %" PRId64 " resolved; the change is sent with the next sync.\n"), (int64_t) id);
      return CRM_CLI_EXIT_OK;
    }

  return crm_cli_usage_error (_("conflicts needs list or resolve"));
}
