/* crm-server-main.c: command line of crm-server */

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "crm-server.h"
#include "crm-server-api.h"
#include "crm-server-admin.h"
#include "crm-server-migrate.h"
#include "crm-runtime.h"

static gboolean
on_terminate (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_message ("shutting down");
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_listen (const char  *text,
              char       **address,
              guint16     *port,
              GError     **error)
{
  const char *colon = strrchr (text, ':');
  guint64 value;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--listen “%s” is not ADDRESS:PORT, for example 127.0.0.1:8080"), text);
      return FALSE;
    }

  *address = g_strndup (text, colon - text);
  /* [::1]:8080 */
  if ((*address)[0] == '[')
    {
      char *inner = g_strndup (*address + 1, strlen (*address) - 2);
      g_free (*address);
      *address = inner;
    }
  *port = value;
  return TRUE;
}

/* PostgreSQL when a URL is given, the SQLite file otherwise. */
static CrmServer *
open_server (const char  *db_path,
             const char  *pg_url,
             GError     **error)
{
  CrmServerBackend *backend;

  if (pg_url == NULL)
    return crm_server_new (db_path, error);
  backend = crm_server_pg_open (pg_url, error);
  if (backend == NULL)
    return NULL;
  return crm_server_new_for_backend (backend, error);
}

/* The password comes from stdin (one line), never from the command line
 * where other users could read it in the process list. */
static int
add_user (const char *db_path,
          const char *pg_url,
          const char *name,
          const char *role,
          const char *team)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServer) server = NULL;
  char line[1024];
  size_t len;

  if (role == NULL)
    {
      fprintf (stderr, "crm-server: %s\n", _("adduser needs --role"));
      return 2;
    }
  if (isatty (0))
    fprintf (stderr, "%s", _("Password: "));
  if (fgets (line, sizeof line, stdin) == NULL)
    {
      fprintf (stderr, "crm-server: %s\n", _("no password on standard input"));
      return 2;
    }
  len = strlen (line);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';

  server = open_server (db_path, pg_url, &error);
  if (server == NULL || !crm_server_add_user (server, name, line, role, team, &error))
    {
      memset (line, 0, sizeof line);
      fprintf (stderr, "crm-server: %s\n", error->message);
      return 1;
    }
  memset (line, 0, sizeof line);
  /* Translators: %s is a user name, then a role. */
  printf (_("User %s added with role %s\n"), name, role);
  return 0;
}

static int
revoke_user (const char *db_path,
             const char *pg_url,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServer) server = open_server (db_path, pg_url, &error);

  if (server == NULL || !crm_server_revoke_user (server, name, &error))
    {
      fprintf (stderr, "crm-server: %s\n", error->message);
      return 1;
    }
  printf (_("Every sign-in of %s is revoked\n"), name);
  return 0;
}

static gboolean
read_password (char    *line,
               size_t   size)
{
  size_t len;

  if (isatty (0))
    fprintf (stderr, "%s", _("Password: "));
  if (fgets (line, size, stdin) == NULL)
    {
      fprintf (stderr, "crm-server: %s\n", _("no password on standard input"));
      return FALSE;
    }
  len = strlen (line);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';
  return TRUE;
}

static int
fail (GError *error)
{
  fprintf (stderr, "crm-server: %s\n", error->message);
  return 1;
}

/* user list | disable NAME | enable NAME | passwd NAME | set-role NAME ROLE | set-team NAME TEAM */
static int
user_command (const char  *db_path,
              const char  *pg_url,
              int          argc,
              char       **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServer) server = NULL;
  const char *verb = argc > 2 ? argv[2] : "";
  gboolean ok;

  if (!((argc == 3 && g_str_equal (verb, "list")) ||
        (argc == 4 && (g_str_equal (verb, "disable") || g_str_equal (verb, "enable") || g_str_equal (verb, "passwd"))) ||
        (argc == 5 && g_str_equal (verb, "set-role")) ||
        ((argc == 4 || argc == 5) && g_str_equal (verb, "set-team"))))
    {
      fprintf (stderr, "crm-server: %s\n",
               _("use: user list | user disable NAME | user enable NAME | user passwd NAME | "
                 "user set-role NAME ROLE | user set-team NAME [TEAM]"));
      return 2;
    }
  server = open_server (db_path, pg_url, &error);
  if (server == NULL)
    return fail (error);

  if (g_str_equal (verb, "list"))
    {
      g_autoptr(GPtrArray) users = crm_server_admin_list_users (server, &error);

      if (users == NULL)
        return fail (error);
      for (guint i = 0; i < users->len; i++)
        {
          CrmServerUser *user = g_ptr_array_index (users, i);

          printf ("%s\t%s\t%s\t%s\t%s\n", user->name, user->role, user->team ? user->team : "-",
                  user->disabled ? _("disabled") : _("active"), user->id);
        }
      return 0;
    }
  if (g_str_equal (verb, "passwd"))
    {
      char line[1024];

      if (!read_password (line, sizeof line))
        return 2;
      ok = crm_server_admin_set_password (server, argv[3], line, &error);
      memset (line, 0, sizeof line);
    }
  else if (g_str_equal (verb, "disable") || g_str_equal (verb, "enable"))
    ok = crm_server_admin_set_disabled (server, argv[3], g_str_equal (verb, "disable"), &error);
  else if (g_str_equal (verb, "set-role"))
    ok = crm_server_admin_set_role (server, argv[3], argv[4], &error);
  else
    ok = crm_server_admin_set_team (server, argv[3], argc == 5 ? argv[4] : NULL, &error);
  if (!ok)
    return fail (error);
  /* Translators: %s is a user name. */
  printf (_("User %s updated\n"), argv[3]);
  return 0;
}

static int
devices_command (const char *db_path,
                 const char *pg_url,
                 const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServer) server = open_server (db_path, pg_url, &error);
  g_autoptr(GPtrArray) devices = NULL;

  if (server == NULL || (devices = crm_server_admin_devices (server, name, &error)) == NULL)
    return fail (error);
  for (guint i = 0; i < devices->len; i++)
    {
      CrmServerDevice *device = g_ptr_array_index (devices, i);
      g_autoptr(GDateTime) seen = g_date_time_new_from_unix_utc (device->last_seen / 1000);
      g_autofree char *when = seen ? g_date_time_format_iso8601 (seen) : g_strdup ("-");

      printf ("%s\t%s\t%s\t%s\n", device->client_id, device->label ? device->label : "-", when,
              device->revoked ? _("revoked") : _("active"));
    }
  return 0;
}

static int
revoke_device (const char *db_path,
               const char *pg_url,
               const char *client_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServer) server = open_server (db_path, pg_url, &error);

  if (server == NULL || !crm_server_admin_revoke_device (server, client_id, &error))
    return fail (error);
  /* Translators: %s is a device (client) id. */
  printf (_("Device %s is signed out; its next sync is refused\n"), client_id);
  return 0;
}

static int
reassign (const char *db_path,
          const char *pg_url,
          const char *from,
          const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServer) server = NULL;
  gint64 moved;

  if (from == NULL || to == NULL)
    {
      fprintf (stderr, "crm-server: %s\n", _("reassign needs --from USER and --to USER"));
      return 2;
    }
  server = open_server (db_path, pg_url, &error);
  if (server == NULL || (moved = crm_server_admin_reassign (server, NULL, NULL, from, to, &error)) < 0)
    return fail (error);
  /* Translators: a number of customers, then two user names. */
  printf (ngettext ("%lld customer moved from %s to %s\n", "%lld customers moved from %s to %s\n", (gulong) moved),
          (long long) moved, from, to);
  return 0;
}

/* audit [--csv] [--user U] [--table T] [--row ID] [--since DATE] [--until DATE] */
static int
audit_command (const char *db_path,
               const char *pg_url,
               const char *user,
               const char *table,
               const char *row,
               const char *since,
               const char *until)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServer) server = open_server (db_path, pg_url, &error);
  g_autoptr(CrmServerUser) found = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  CrmServerAuditQuery query = { 0 };
  const char *times[2] = { since, until };
  gint64 *outs[2] = { &query.since, &query.until };

  if (server == NULL)
    return fail (error);
  for (guint i = 0; i < 2; i++)
    if (times[i] != NULL)
      {
        g_autofree char *text = strlen (times[i]) == 10 ? g_strconcat (times[i], "T00:00:00Z", NULL)
                                                         : g_strdup (times[i]);
        g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (text, utc);

        if (time == NULL)
          {
            fprintf (stderr, "crm-server: %s\n", _("--since and --until take a date like 2024-03-05"));
            return 2;
          }
        *outs[i] = g_date_time_to_unix (time) * 1000;
      }
  if (user != NULL)
    {
      CrmServerBackend *backend = crm_server_get_backend (server);

      found = backend->vtable->find_user (backend, user, NULL);
      if (found == NULL)
        {
          fprintf (stderr, "crm-server: %s “%s”\n", _("there is no user"), user);
          return 1;
        }
      query.user_id = found->id;
    }
  query.table = table;
  query.row_id = row;
  if (!crm_server_admin_audit_csv (server, &query, stdout, &error))
    return fail (error);
  return 0;
}

static int
migrate_sqlite_to_pg (const char *db_path,
                      const char *pg_url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  if (pg_url == NULL)
    {
      fprintf (stderr, "crm-server: %s\n", _("migrate-sqlite-to-pg needs --db FILE and --pg URL"));
      return 2;
    }
  if (!crm_server_migrate_sqlite_to_pg (db_path, pg_url, &summary, &error))
    {
      fprintf (stderr, "crm-server: %s\n", error->message);
      return 1;
    }
  printf ("%s", summary);
  /* Translators: %s is the SQLite file the data came from. */
  printf (_("Copied %s into PostgreSQL. Start crm-server with --pg from now on.\n"), db_path);
  return 0;
}

/* --- apikey create | list | revoke (the REST API's keys) --- */

static int
api_key_command (const char  *db_path,
                 const char  *pg_url,
                 int          argc,
                 char       **argv,
                 const char  *name,
                 const char  *scopes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServer) server = open_server (db_path, pg_url, &error);
  CrmServerBackend *backend;

  if (server == NULL)
    {
      fprintf (stderr, "crm-server: %s\n", error->message);
      return 1;
    }
  backend = crm_server_get_backend (server);

  if (argc == 3 && g_str_equal (argv[2], "create"))
    {
      g_autofree char *id = NULL;
      g_autofree char *key = NULL;

      if (name == NULL || scopes == NULL)
        {
          fprintf (stderr, "crm-server: %s\n", _("apikey create needs --name and --scopes"));
          return 2;
        }
      key = crm_server_api_key_create (backend, name, scopes, &id, &error);
      if (key == NULL)
        {
          fprintf (stderr, "crm-server: %s\n", error->message);
          return 1;
        }
      /* Translators: %s is the key's id. */
      fprintf (stderr, _("API key %s created. It is shown only now: keep it safe.\n"), id);
      printf ("%s\n", key);
      return 0;
    }
  if (argc == 3 && g_str_equal (argv[2], "list"))
    {
      g_autoptr(GPtrArray) keys = backend->vtable->list_api_keys (backend, &error);

      if (keys == NULL)
        {
          fprintf (stderr, "crm-server: %s\n", error->message);
          return 1;
        }
      for (guint i = 0; i < keys->len; i++)
        {
          CrmServerApiKey *key = g_ptr_array_index (keys, i);
          g_autoptr(GDateTime) created = g_date_time_new_from_unix_utc (key->created_at);
          g_autofree char *when = created ? g_date_time_format (created, "%Y-%m-%d %H:%M") : g_strdup ("-");

          printf ("%s\t%s\t%s\t%s\t%s\n", key->id, key->name, key->scopes, when,
                  key->revoked ? _("revoked") : _("active"));
        }
      return 0;
    }
  if (argc == 4 && g_str_equal (argv[2], "revoke"))
    {
      if (!backend->vtable->revoke_api_key (backend, argv[3], &error))
        {
          fprintf (stderr, "crm-server: %s\n", error->message);
          return 1;
        }
      /* Translators: %s is the key's id. */
      printf (_("API key %s is revoked\n"), argv[3]);
      return 0;
    }
  fprintf (stderr, "crm-server: %s\n",
           _("use apikey create --name NAME --scopes SCOPE,…, apikey list or apikey revoke ID"));
  return 2;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *address = NULL;
  g_autofree char *role = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *team = NULL;
  g_autofree char *pg_url = NULL;
  g_autofree char *key_name = NULL;
  g_autofree char *key_scopes = NULL;
  g_autofree char *follow_up = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *audit_user = NULL;
  g_autofree char *audit_table = NULL;
  g_autofree char *audit_row = NULL;
  g_autofree char *since = NULL;
  g_autofree char *until = NULL;
  gboolean csv = FALSE;
  gboolean version = FALSE;
  guint16 port = 0;
  int max_connections = 0;
  int max_body_kib = 0;
  int rate_limit = 0;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Server database (SQLite)"), N_("PATH") },
    { "pg", 0, 0, G_OPTION_ARG_STRING, &pg_url, N_("Store in PostgreSQL instead, for example postgresql://crm@localhost/crm"), N_("URL") },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections, N_("Open connections served at once; more are answered 503 (default: no limit)"), N_("N") },
    { "max-body-size", 0, 0, G_OPTION_ARG_INT, &max_body_kib, N_("Largest request body in KiB; larger ones are answered 413 (default and most: 8192)"), N_("KIB") },
    { "rate-limit", 0, 0, G_OPTION_ARG_INT, &rate_limit, N_("Requests per sign-in per minute; more are answered 429 (default: no limit)"), N_("N") },
    { "survey-follow-up", 0, 0, G_OPTION_ARG_STRING, &follow_up, N_("Who follows up a detractor's web survey answer: owner (the customer's owner, default), off, or a user name"), N_("WHO") },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, N_("Address and port to listen on (default 127.0.0.1:8080)"), N_("ADDR:PORT") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, N_("TLS certificate (PEM); with --tls-key, serve HTTPS on any address"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_("TLS private key (PEM)"), N_("FILE") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, N_("adduser: admin, manager, analyst, sales, marketing or service"), N_("ROLE") },
    { "team", 0, 0, G_OPTION_ARG_STRING, &team, N_("adduser: the user's team"), N_("TEAM") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &key_name, N_("apikey create: who uses the key, for example shop"), N_("NAME") },
    { "scopes", 0, 0, G_OPTION_ARG_STRING, &key_scopes, N_("apikey create: what the key may do, for example contacts:read,purchases:write"), N_("SCOPES") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("reassign: the user whose customers move"), N_("USER") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("reassign: the user who gets them"), N_("USER") },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_("audit: write CSV (the only format so far)"), NULL },
    { "user", 0, 0, G_OPTION_ARG_STRING, &audit_user, N_("audit: only changes by this user"), N_("USER") },
    { "table", 0, 0, G_OPTION_ARG_STRING, &audit_table, N_("audit: only changes of this table"), N_("TABLE") },
    { "row", 0, 0, G_OPTION_ARG_STRING, &audit_row, N_("audit: only changes of this record"), N_("ID") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, N_("audit: edits from this date on"), N_("DATE") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("audit: edits before this date"), N_("DATE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  crm_runtime_init ();

  context = g_option_context_new (_("[adduser NAME --role ROLE [--team TEAM] | revoke NAME | migrate-sqlite-to-pg | "
                                    "apikey create|list|revoke | "
                                    "user list|disable|enable|passwd|set-role|set-team … | devices USER | "
                                    "revoke-device CLIENT | reassign --from A --to B | audit --csv]"));
  g_option_context_set_summary (context, _("Serve the CRM to desktop clients that sync with it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fprintf (stderr, "crm-server: %s\n\n%s", error->message, help);
      return 2;
    }

  if (version)
    {
      printf ("crm-server %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (max_connections < 0 || max_body_kib < 0 || rate_limit < 0)
    {
      fprintf (stderr, "crm-server: %s\n", _("--max-connections, --max-body-size and --rate-limit cannot be negative"));
      return 2;
    }

  if (db_path == NULL)
    db_path = g_build_filename (g_get_user_data_dir (), "crm-server", "server.db", NULL);
  if (pg_url == NULL)
    {
      g_autofree char *dir = g_path_get_dirname (db_path);

      g_mkdir_with_parents (dir, 0700);
    }

  if (argc > 1)
    {
      if (argc == 3 && g_str_equal (argv[1], "adduser"))
        return add_user (db_path, pg_url, argv[2], role, team);
      if (argc == 3 && g_str_equal (argv[1], "revoke"))
        return revoke_user (db_path, pg_url, argv[2]);
      if (argc == 2 && g_str_equal (argv[1], "migrate-sqlite-to-pg"))
        return migrate_sqlite_to_pg (db_path, pg_url);
      if (argc >= 3 && g_str_equal (argv[1], "apikey"))
        return api_key_command (db_path, pg_url, argc, argv, key_name, key_scopes);
      if (g_str_equal (argv[1], "user"))
        return user_command (db_path, pg_url, argc, argv);
      if (argc == 3 && g_str_equal (argv[1], "devices"))
        return devices_command (db_path, pg_url, argv[2]);
      if (argc == 3 && g_str_equal (argv[1], "revoke-device"))
        return revoke_device (db_path, pg_url, argv[2]);
      if (argc == 2 && g_str_equal (argv[1], "reassign"))
        return reassign (db_path, pg_url, from, to);
      if (argc == 2 && g_str_equal (argv[1], "audit"))
        return audit_command (db_path, pg_url, audit_user, audit_table, audit_row, since, until);
      {
        g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

        fprintf (stderr, "crm-server: %s “%s”\n\n%s", _("unexpected argument"), argv[1], help);
        return 2;
      }
    }

  if (!parse_listen (listen ? listen : "127.0.0.1:8080", &address, &port, &error))
    {
      fprintf (stderr, "crm-server: %s\n", error->message);
      return 2;
    }

  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      fprintf (stderr, "crm-server: %s\n", _("--tls-cert and --tls-key go together"));
      return 2;
    }

  server = open_server (db_path, pg_url, &error);
  if (server != NULL)
    crm_server_set_limits (server, (gint64) max_body_kib * 1024, max_connections, rate_limit);
  if (server != NULL && follow_up != NULL && !crm_server_set_survey_follow_up (server, follow_up, &error))
    {
      fprintf (stderr, "crm-server: %s\n", error->message);
      return 2;
    }
  if (server != NULL && tls_cert != NULL)
    {
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);

      if (certificate == NULL)
        {
          fprintf (stderr, "crm-server: %s\n", error->message);
          return 1;
        }
      crm_server_set_tls_certificate (server, certificate);
    }
  if (server == NULL || !crm_server_listen (server, address, port, &error))
    {
      fprintf (stderr, "crm-server: %s\n", error->message);
      return 1;
    }

  g_message ("listening address=%s port=%u store=%s", address, crm_server_get_port (server),
             pg_url ? "postgresql" : "sqlite");

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_terminate, loop);
  g_unix_signal_add (SIGINT, on_terminate, loop);
  g_main_loop_run (loop);

  crm_server_disconnect (server);
  return 0;
}
