/* pg-cluster.h: a throwaway PostgreSQL cluster for tests and benchmarks (initdb + pg_ctl on a temp dir) */
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

/* The server listens on 127.0.0.1 on a free port, its socket in the temp
 * dir. PostgreSQL refuses to run as root, so as root the cluster belongs
 * to the postgres user and runs through runuser (as CI does). */
typedef struct
{
  char *bin;        /* /usr/lib/postgresql/15/bin */
  char *dir;        /* temp dir: data/ and the socket */
  char *data;
  char *user;       /* the superuser initdb made */
  guint16 port;
  char *settings;   /* extra -c options */
  gboolean as_postgres;
  guint n_databases;
  GSubprocess *watchdog;
} PgCluster;

/* The newest /usr/lib/postgresql/N/bin with initdb, or NULL. */
static inline char *
pg_cluster_find_bin (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  g_autofree char *best = NULL;
  guint64 best_version = 0;
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *initdb = g_build_filename ("/usr/lib/postgresql", name, "bin", "initdb", NULL);
      guint64 version = g_ascii_strtoull (name, NULL, 10);

      if (version > best_version && g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
        {
          best_version = version;
          g_free (best);
          best = g_build_filename ("/usr/lib/postgresql", name, "bin", NULL);
        }
    }
  return g_steal_pointer (&best);
}

static inline guint16
pg_cluster_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Runs a PostgreSQL program (as postgres when we are root); its output
 * goes to @log. */
static inline gboolean
pg_cluster_run (PgCluster   *cluster,
                const char  *log,
                GError     **error,
                const char  *program,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) process = NULL;
  const char *arg;
  va_list args;

  if (cluster->as_postgres)
    {
      g_ptr_array_add (argv, g_strdup ("runuser"));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup ("postgres"));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (cluster->bin, program, NULL));
  va_start (args, program);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  /* English messages, whatever the test's locale. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_MESSAGES", "C", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (process == NULL || !g_subprocess_wait (process, NULL, error))
    return FALSE;
  if (!g_subprocess_get_successful (process))
    {
      g_autofree char *output = NULL;

      g_file_get_contents (log, &output, NULL, NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed: %s", program, output ? output : "");
      return FALSE;
    }
  return TRUE;
}

static inline gboolean
pg_cluster_start_server (PgCluster  *cluster,
                         GError    **error)
{
  g_autofree char *log = g_build_filename (cluster->dir, "pg_ctl.log", NULL);
  g_autofree char *server_log = g_build_filename (cluster->dir, "server.log", NULL);
  g_autofree char *options = g_strdup_printf ("-p %u -k %s -c listen_addresses=127.0.0.1 "
                                              "-c max_connections=200 %s",
                                              cluster->port, cluster->dir, cluster->settings);

  return pg_cluster_run (cluster, log, error, "pg_ctl", "-D", cluster->data, "-l", server_log,
                         "-o", options, "-w", "-t", "60", "start", NULL);
}

static inline void pg_cluster_free (PgCluster *cluster);

/* A test that fails aborts without cleaning up; a shell waiting on a pipe
 * from this process stops the server and removes the temp dir once the
 * pipe closes, however this process ends. */
static inline void
pg_cluster_watch (PgCluster *cluster)
{
  g_autofree char *pg_ctl = g_build_filename (cluster->bin, "pg_ctl", NULL);
  g_autofree char *quoted_ctl = g_shell_quote (pg_ctl);
  g_autofree char *quoted_data = g_shell_quote (cluster->data);
  g_autofree char *quoted_dir = g_shell_quote (cluster->dir);
  g_autofree char *script = g_strdup_printf ("read _; %s %s -D %s -m immediate stop; rm -rf %s",
                                             cluster->as_postgres ? "runuser -u postgres --" : "",
                                             quoted_ctl, quoted_data, quoted_dir);

  cluster->watchdog = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL, "sh", "-c", script, NULL);
}

/* NULL with @skip_reason set when PostgreSQL is not installed; a failure
 * to start an installed one is an error, not a skip. @settings: more
 * server options ("-c name=value …"). */
static inline PgCluster *
pg_cluster_new_full (const char  *settings,
                     char       **skip_reason,
                     GError     **error)
{
  PgCluster *cluster;
  g_autofree char *log = NULL;
  g_autofree char *bin = pg_cluster_find_bin ();

  if (bin == NULL)
    {
      *skip_reason = g_strdup ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                               "tools/packages.sh lists the postgresql package");
      return NULL;
    }

  cluster = g_new0 (PgCluster, 1);
  cluster->bin = g_steal_pointer (&bin);
  cluster->settings = g_strdup (settings);
  cluster->as_postgres = getuid () == 0;
  cluster->dir = g_dir_make_tmp ("crm-pg-XXXXXX", error);
  if (cluster->dir == NULL)
    {
      pg_cluster_free (cluster);
      return NULL;
    }
  cluster->data = g_build_filename (cluster->dir, "data", NULL);
  log = g_build_filename (cluster->dir, "initdb.log", NULL);
  if (cluster->as_postgres)
    {
      struct passwd *pw = getpwnam ("postgres");

      if (pw == NULL || chown (cluster->dir, pw->pw_uid, pw->pw_gid) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       "running as root, and %s cannot be given to the postgres user", cluster->dir);
          pg_cluster_free (cluster);
          return NULL;
        }
      cluster->user = g_strdup ("postgres");
    }
  else
    cluster->user = g_strdup (g_get_user_name ());
  cluster->port = pg_cluster_free_port ();
  pg_cluster_watch (cluster);

  if (!pg_cluster_run (cluster, log, error, "initdb", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8",
                       "-U", cluster->user, "-D", cluster->data, NULL) ||
      !pg_cluster_start_server (cluster, error))
    {
      pg_cluster_free (cluster);
      return NULL;
    }
  return cluster;
}

/* For tests: fsync off, since a test cluster need not survive a power cut
 * and the 2-core CI machine is spared the flushes. */
static inline PgCluster *
pg_cluster_new (char   **skip_reason,
                GError **error)
{
  return pg_cluster_new_full ("-c fsync=off -c full_page_writes=off", skip_reason, error);
}

static inline char *
pg_cluster_url (PgCluster  *cluster,
                const char *database)
{
  return g_strdup_printf ("postgresql://%s@127.0.0.1:%u/%s", cluster->user, cluster->port, database);
}

/* A new empty database, and its URL. */
static inline char *
pg_cluster_create_database (PgCluster *cluster)
{
  g_autofree char *admin = pg_cluster_url (cluster, "postgres");
  g_autofree char *name = g_strdup_printf ("crm_test_%u", ++cluster->n_databases);
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);
  PGconn *conn = PQconnectdb (admin);
  PGresult *result;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("CREATE DATABASE: %s", PQerrorMessage (conn));
  PQclear (result);
  PQfinish (conn);
  return pg_cluster_url (cluster, name);
}

/* -m fast: sessions are cut off, as when an administrator restarts it. */
static inline gboolean
pg_cluster_stop (PgCluster  *cluster,
                 GError    **error)
{
  g_autofree char *log = g_build_filename (cluster->dir, "pg_ctl.log", NULL);

  return pg_cluster_run (cluster, log, error, "pg_ctl", "-D", cluster->data, "-m", "fast", "-w", "stop", NULL);
}

static inline void
pg_cluster_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        pg_cluster_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Stops the server (if running) and removes the temp dir. */
static inline void
pg_cluster_free (PgCluster *cluster)
{
  if (cluster == NULL)
    return;
  if (cluster->data != NULL && g_file_test (cluster->data, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *pid = g_build_filename (cluster->data, "postmaster.pid", NULL);
      g_autofree char *log = g_build_filename (cluster->dir, "pg_ctl.log", NULL);

      if (g_file_test (pid, G_FILE_TEST_EXISTS))
        pg_cluster_run (cluster, log, NULL, "pg_ctl", "-D", cluster->data, "-m", "immediate", "-w", "stop", NULL);
    }
  if (cluster->dir != NULL)
    pg_cluster_remove_tree (cluster->dir);
  if (cluster->watchdog != NULL)
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (cluster->watchdog), NULL, NULL);
      g_subprocess_wait (cluster->watchdog, NULL, NULL);
      g_clear_object (&cluster->watchdog);
    }
  g_free (cluster->bin);
  g_free (cluster->dir);
  g_free (cluster->data);
  g_free (cluster->user);
  g_free (cluster->settings);
  g_free (cluster);
}
