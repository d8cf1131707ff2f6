/* server-load.c: 50 clients against crm-server on SQLite, on PostgreSQL, and two instances on one PostgreSQL
 *
 *   bench-server-load [--clients N] [--seconds S] [--think-ms MS]
 *
 * Each simulated client (a thread with its own HTTP session) signs in,
 * then until the time is up: waits a random think time (mean MS, default
 * 2000: a pull every few seconds, as the "realistic mix" has it;
 * --think-ms 100 turns it into a stress test), pulls from its cursor, and
 * every third round pushes a small batch
 * (1 to 5 mutations: new contacts and edits of its earlier ones). That is
 * run against crm-server processes on loopback in three setups: one on
 * SQLite, one on PostgreSQL, two on one PostgreSQL (clients split between
 * them). It prints requests and mutations per second, p50/p99 latency of
 * pushes and pulls, the ratio of each setup to SQLite, and then checks
 * that every mutation a client was told was applied is stored exactly once
 * (mutation records, audit entries and rows counted in the database).
 *
 * PostgreSQL runs with synchronous_commit=off, the counterpart of the
 * SQLite server's synchronous=NORMAL: neither waits for a flush at commit.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "crm-hlc.h"
#include "crm-sync-protocol.h"
#include "crm-uuid.h"
#include "../tests/pg-cluster.h"

#define PASSWORD "bench password"

static int n_clients = 50;
static int seconds = 60;
static int think_ms = 2000;

typedef struct
{
  const char *base;
  char *client_id;
  char *token;
  guint seed;
  gint64 deadline;
  /* filled by the client */
  GArray *push_us;
  GArray *pull_us;
  guint requests;
  guint errors;
  guint mutations;      /* applied and acknowledged */
  guint inserts;
  gint64 next_mutation;
} Client;

typedef struct
{
  const char *name;
  double requests_per_s;
  double mutations_per_s;
  double push_p50, push_p99, pull_p50, pull_p99;  /* ms */
  guint errors;
  gboolean exact;
} Result;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static char *
server_exe (void)
{
  return g_build_filename (CRM_BUILD_ROOT, "src", "server", "crm-server", NULL);
}

static void
add_user (const char *flag,
          const char *store)
{
  g_autofree char *exe = server_exe ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process =
    g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                      exe, flag, store, "adduser", "bench", "--role", "admin", NULL);

  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, PASSWORD "\n", NULL, NULL, NULL, &error) ||
      !g_subprocess_get_successful (process))
    g_error ("adduser failed%s%s", error ? ": " : "", error ? error->message : "");
}

static GSubprocess *
spawn_server (const char  *flag,
              const char  *store,
              char       **base)
{
  g_autofree char *exe = server_exe ();
  guint16 port = pg_cluster_free_port ();
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *healthz = NULL;
  GSubprocess *server;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawn (launcher, &error, exe, flag, store, "--listen", listen, NULL);
  if (server == NULL)
    g_error ("crm-server: %s", error->message);
  *base = g_strdup_printf ("http://127.0.0.1:%u", port);
  healthz = g_strconcat (*base, "/healthz", NULL);
  for (guint i = 0; i < 400; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", healthz);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      if (body != NULL && soup_message_get_status (msg) == 200)
        return server;
      g_usleep (50 * 1000);
    }
  g_error ("crm-server on %s did not start", *base);
}

static guint
request (SoupSession  *session,
         const char   *method,
         const char   *url,
         const char   *token,
         const char   *body,
         JsonObject  **out,
         gint64       *elapsed_us)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  gint64 start;

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  start = g_get_monotonic_time ();
  response = soup_session_send_and_read (session, msg, NULL, NULL);
  if (elapsed_us != NULL)
    *elapsed_us = g_get_monotonic_time () - start;
  if (response == NULL)
    return 0;
  if (out != NULL)
    {
      gsize n;
      const char *data = g_bytes_get_data (response, &n);

      *out = crm_sync_parse_object (data, n, NULL);
    }
  return soup_message_get_status (msg);
}

static void
client_login (Client *c)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (c->base, "/v1/login", NULL);
  g_autofree char *body = g_strdup_printf ("{\"user\":\"bench\",\"password\":\"" PASSWORD "\",\"client_id\":\"%s\","
                                           "\"schema_version\":%d}", c->client_id, CRM_SYNC_PROTOCOL_VERSION);
  g_autoptr(JsonObject) answer = NULL;

  if (request (session, "POST", url, NULL, body, &answer, NULL) != 200 || answer == NULL)
    g_error ("login on %s failed", c->base);
  c->token = g_strdup (json_object_get_string_member (answer, "token"));
}

static char *
row_id (Client *c,
        guint   n)
{
  /* The client id's last 12 hex digits keep rows of clients apart. */
  return g_strdup_printf ("01900000-%04x-7000-8000-%s", n, c->client_id + strlen (c->client_id) - 12);
}

static char *
batch (Client *c,
       guint   size,
       guint  *out_inserts)
{
  g_autoptr(GString) body = g_string_new (NULL);
  gint64 now = g_get_real_time () / 1000;

  g_string_append_printf (body, "{\"client_id\":\"%s\",\"schema_version\":%d,\"mutations\":[",
                          c->client_id, CRM_SYNC_PROTOCOL_VERSION);
  *out_inserts = 0;
  for (guint i = 0; i < size; i++)
    {
      gint64 id = c->next_mutation + i;
      g_autofree char *hlc = crm_hlc_format (now, (guint) id, c->client_id);
      /* Mostly new customers, sometimes an edit of one of ours. */
      gboolean edit = c->inserts + *out_inserts > 0 && g_random_int_range (0, 3) == 0;

      if (i > 0)
        g_string_append_c (body, ',');
      if (edit)
        {
          g_autofree char *row = row_id (c, (guint) g_random_int_range (0, (gint32) (c->inserts + *out_inserts)));

          g_string_append_printf (body, "{\"mutation_id\":%" G_GINT64_FORMAT ",\"table\":\"contacts\","
                                  "\"row_id\":\"%s\",\"op\":\"update\",\"patch\":{\"title\":\"经理%" G_GINT64_FORMAT "\"},"
                                  "\"hlc\":\"%s\",\"base_version\":0}", id, row, id, hlc);
        }
      else
        {
          g_autofree char *row = row_id (c, c->inserts + *out_inserts);

          g_string_append_printf (body, "{\"mutation_id\":%" G_GINT64_FORMAT ",\"table\":\"contacts\","
                                  "\"row_id\":\"%s\",\"op\":\"insert\",\"patch\":{\"name\":\"客户%" G_GINT64_FORMAT "\","
                                  "\"phones\":[\"1391111%04d\"],\"created_at\":\"2026-12-06T08:00:00.000Z\",\"deleted\":0},"
                                  "\"hlc\":\"%s\"}", id, row, id, (int) (id % 10000), hlc);
          (*out_inserts)++;
        }
    }
  g_string_append (body, "]}");
  return g_string_free (g_steal_pointer (&body), FALSE);
}

static gpointer
client_run (gpointer data)
{
  Client *c = data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *push = g_strconcat (c->base, "/v1/push", NULL);
  gint64 cursor = 0;
  guint round = 0;

  c->push_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  c->pull_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  c->next_mutation = 1;
  while (g_get_monotonic_time () < c->deadline)
    {
      g_autofree char *pull = g_strdup_printf ("%s/v1/pull?cursor=%" G_GINT64_FORMAT "&limit=1000", c->base, cursor);
      g_autoptr(JsonObject) answer = NULL;
      gint64 us;

      g_usleep ((gulong) g_random_int_range (0, 2 * think_ms + 1) * 1000);

      if (round++ % 3 == 0)
        {
          guint size = (guint) g_random_int_range (1, 6);
          guint inserts;
          g_autofree char *body = batch (c, size, &inserts);
          guint status = 0;

          /* A failed push is sent again as it was, as the app does: what
           * the server applied of it is answered from its records. */
          for (guint attempt = 0; attempt < 5 && status != 200; attempt++)
            {
              g_clear_pointer (&answer, json_object_unref);
              status = request (session, "POST", push, c->token, body, &answer, &us);
              c->requests++;
              if (status != 200)
                {
                  c->errors++;
                  g_usleep (100 * 1000);
                }
            }
          if (status == 200)
            {
              g_array_append_val (c->push_us, us);
              c->mutations += size;
              c->inserts += inserts;
              c->next_mutation += size;
            }
          else
            break;
          g_clear_pointer (&answer, json_object_unref);
        }

      if (request (session, "GET", pull, c->token, NULL, &answer, &us) == 200 && answer != NULL)
        {
          g_array_append_val (c->pull_us, us);
          cursor = json_object_get_int_member (answer, "cursor");
        }
      else
        c->errors++;
      c->requests++;
    }
  return NULL;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values,
            double  p)
{
  if (values->len == 0)
    return 0;
  return g_array_index (values, gint64, MIN (values->len - 1, (guint) (p * values->len))) / 1000.0;
}

/* Whether the store holds each acknowledged mutation exactly once: one
 * mutation record and one audit entry per client and mutation, and one row
 * per inserted contact. */
static gboolean
check_sqlite (const char *path,
              guint       total_mutations,
              guint       total_inserts)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 counts[3] = { 0 };
  static const char * const sql[] = {
    "SELECT count(*) FROM mutations", "SELECT count(*) FROM audit", "SELECT count(*) FROM rows",
  };

  sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  for (guint i = 0; i < 3; i++)
    {
      sqlite3_prepare_v2 (db, sql[i], -1, &stmt, NULL);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        counts[i] = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  printf ("    stored: %" G_GINT64_FORMAT " mutation records, %" G_GINT64_FORMAT " audit entries, "
          "%" G_GINT64_FORMAT " rows; acknowledged %u mutations, %u inserts\n",
          counts[0], counts[1], counts[2], total_mutations, total_inserts);
  return counts[0] == total_mutations && counts[1] == total_mutations && counts[2] == total_inserts;
}

static gboolean
check_pg (const char *url,
          guint       total_mutations,
          guint       total_inserts)
{
  PGconn *conn = PQconnectdb (url);
  gint64 counts[3] = { 0 };
  static const char * const sql[] = {
    "SELECT count(*) FROM mutations", "SELECT count(*) FROM audit", "SELECT count(*) FROM rows",
  };

  for (guint i = 0; i < 3; i++)
    {
      PGresult *result = PQexec (conn, sql[i]);

      if (PQresultStatus (result) == PGRES_TUPLES_OK)
        counts[i] = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      PQclear (result);
    }
  PQfinish (conn);
  printf ("    stored: %" G_GINT64_FORMAT " mutation records, %" G_GINT64_FORMAT " audit entries, "
          "%" G_GINT64_FORMAT " rows; acknowledged %u mutations, %u inserts\n",
          counts[0], counts[1], counts[2], total_mutations, total_inserts);
  return counts[0] == total_mutations && counts[1] == total_mutations && counts[2] == total_inserts;
}

/* Runs the clients against @bases (round robin) and fills @result; the
 * check is by the caller, which knows the store. */
static void
run_load (const char  *name,
          const char **bases,
          guint        n_bases,
          Result      *result,
          guint       *out_mutations,
          guint       *out_inserts)
{
  Client *clients = g_new0 (Client, n_clients);
  GThread **threads = g_new0 (GThread *, n_clients);
  g_autoptr(GArray) push_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) pull_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint requests = 0, mutations = 0, inserts = 0, errors = 0;
  gint64 start, elapsed;

  for (int i = 0; i < n_clients; i++)
    {
      clients[i].base = bases[i % n_bases];
      clients[i].client_id = crm_uuid_v7_new ();
      client_login (&clients[i]);
    }
  start = g_get_monotonic_time ();
  for (int i = 0; i < n_clients; i++)
    {
      clients[i].deadline = start + (gint64) seconds * G_USEC_PER_SEC;
      threads[i] = g_thread_new ("client", client_run, &clients[i]);
    }
  for (int i = 0; i < n_clients; i++)
    g_thread_join (threads[i]);
  elapsed = g_get_monotonic_time () - start;

  for (int i = 0; i < n_clients; i++)
    {
      g_array_append_vals (push_us, clients[i].push_us->data, clients[i].push_us->len);
      g_array_append_vals (pull_us, clients[i].pull_us->data, clients[i].pull_us->len);
      requests += clients[i].requests;
      mutations += clients[i].mutations;
      inserts += clients[i].inserts;
      errors += clients[i].errors;
      g_array_unref (clients[i].push_us);
      g_array_unref (clients[i].pull_us);
      g_free (clients[i].client_id);
      g_free (clients[i].token);
    }
  g_array_sort (push_us, compare_int64);
  g_array_sort (pull_us, compare_int64);

  result->name = name;
  result->requests_per_s = requests / (elapsed / 1e6);
  result->mutations_per_s = mutations / (elapsed / 1e6);
  result->push_p50 = percentile (push_us, 0.50);
  result->push_p99 = percentile (push_us, 0.99);
  result->pull_p50 = percentile (pull_us, 0.50);
  result->pull_p99 = percentile (pull_us, 0.99);
  result->errors = errors;
  *out_mutations = mutations;
  *out_inserts = inserts;

  printf ("  %-22s %7.1f req/s %7.1f mutations/s  push p50 %6.1f ms p99 %6.1f ms  "
          "pull p50 %6.1f ms p99 %6.1f ms  errors %u\n",
          name, result->requests_per_s, result->mutations_per_s, result->push_p50, result->push_p99,
          result->pull_p50, result->pull_p99, errors);
  g_free (threads);
  g_free (clients);
}

static void
stop (GSubprocess *server)
{
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *skip = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *sqlite_base = NULL;
  g_autofree char *pg1_base = NULL;
  g_autofree char *pg2a_base = NULL;
  g_autofree char *pg2b_base = NULL;
  g_autofree char *url1 = NULL;
  g_autofree char *url2 = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) server_b = NULL;
  PgCluster *cluster;
  Result results[3] = { 0 };
  guint mutations, inserts;
  gboolean all_exact = TRUE;
  GOptionEntry entries[] = {
    { "clients", 0, 0, G_OPTION_ARG_INT, &n_clients, "Simulated clients (default 50)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Seconds per setup (default 60)", "S" },
    { "think-ms", 0, 0, G_OPTION_ARG_INT, &think_ms, "Mean pause between a client's rounds (default 2000)", "MS" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_clients < 1 || seconds < 1 || think_ms < 0)
    {
      fprintf (stderr, "bench-server-load: %s\n", error ? error->message : "bad arguments");
      return 2;
    }

  cluster = pg_cluster_new_full ("-c synchronous_commit=off", &skip, &error);
  if (skip != NULL)
    {
      fprintf (stderr, "bench-server-load: %s\n", skip);
      return 77;
    }
  if (cluster == NULL)
    g_error ("PostgreSQL: %s", error->message);

  dir = g_dir_make_tmp ("crm-server-load-XXXXXX", &error);
  db = g_build_filename (dir, "server.db", NULL);
  printf ("%d clients, %d s per setup, think time %d ms (mean), pull each round, push 1-5 every third round\n",
          n_clients, seconds, think_ms);

  add_user ("--db", db);
  server = spawn_server ("--db", db, &sqlite_base);
  {
    const char *bases[] = { sqlite_base };

    run_load ("SQLite, 1 instance", bases, 1, &results[0], &mutations, &inserts);
  }
  stop (server);
  g_clear_object (&server);
  results[0].exact = check_sqlite (db, mutations, inserts);

  url1 = pg_cluster_create_database (cluster);
  add_user ("--pg", url1);
  server = spawn_server ("--pg", url1, &pg1_base);
  {
    const char *bases[] = { pg1_base };

    run_load ("PostgreSQL, 1 instance", bases, 1, &results[1], &mutations, &inserts);
  }
  stop (server);
  g_clear_object (&server);
  results[1].exact = check_pg (url1, mutations, inserts);

  url2 = pg_cluster_create_database (cluster);
  add_user ("--pg", url2);
  server = spawn_server ("--pg", url2, &pg2a_base);
  server_b = spawn_server ("--pg", url2, &pg2b_base);
  {
    const char *bases[] = { pg2a_base, pg2b_base };

    run_load ("PostgreSQL, 2 instances", bases, 2, &results[2], &mutations, &inserts);
  }
  stop (server);
  stop (server_b);
  results[2].exact = check_pg (url2, mutations, inserts);

  printf ("\nRatios to SQLite (throughput: higher is better; latency: lower is better)\n");
  for (guint i = 1; i < 3; i++)
    printf ("  %-22s req/s %.2f  mutations/s %.2f  push p99 %.2f  pull p99 %.2f\n", results[i].name,
            results[i].requests_per_s / results[0].requests_per_s,
            results[i].mutations_per_s / results[0].mutations_per_s,
            results[0].push_p99 > 0 ? results[i].push_p99 / results[0].push_p99 : 0,
            results[0].pull_p99 > 0 ? results[i].pull_p99 / results[0].pull_p99 : 0);
  printf ("  2 instances / 1 instance (PostgreSQL): req/s %.2f  push p99 %.2f\n",
          results[2].requests_per_s / results[1].requests_per_s,
          results[1].push_p99 > 0 ? results[2].push_p99 / results[1].push_p99 : 0);
  for (guint i = 0; i < 3; i++)
    {
      printf ("  %-22s every acknowledged mutation stored exactly once: %s\n", results[i].name,
              results[i].exact ? "yes" : "NO");
      all_exact = all_exact && results[i].exact;
    }

  pg_cluster_free (cluster);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (db);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
  return all_exact ? 0 : 1;
}
