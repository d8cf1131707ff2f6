/* test-server-scale.c: crm-server on PostgreSQL with several instances, its faults, migration and limits */

#include "config.h"

#include <glib/gstdio.h>
#include <inttypes.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <string.h>

#include "crm-contact.h"
#include "crm-hlc.h"
#include "crm-server.h"
#include "crm-server-pg-private.h"
#include "crm-store-private.h"
#include "crm-sync-engine.h"
#include "crm-sync-protocol.h"
#include "pg-cluster.h"
#include "store-fixture.h"

#define PASSWORD "correct horse battery"

static PgCluster *pg_cluster;
static char *pg_skip_reason;
/* The clock of every pushed mutation: a minute before the run started. */
static gint64 batch_ms;

/* --- helpers --------------------------------------------------------------- */

static gboolean
need_pg (void)
{
  if (pg_cluster != NULL)
    return TRUE;
  g_test_skip (pg_skip_reason);
  return FALSE;
}

static char *
server_exe (void)
{
  return g_build_filename (CRM_BUILD_ROOT, "src", "server", "crm-server", NULL);
}

/* @store: a SQLite file or a postgresql:// URL. */
static const char *
store_flag (const char *store)
{
  return g_str_has_prefix (store, "postgresql:") ? "--pg" : "--db";
}

static void
add_user (const char *store,
          const char *name,
          const char *role)
{
  g_autofree char *exe = server_exe ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process =
    g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                      exe, store_flag (store), store, "adduser", name, "--role", role, NULL);

  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, PASSWORD "\n", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
}

static guint
http_full (const char          *method,
           const char          *url,
           const char          *token,
           const char          *body,
           JsonObject         **out,
           SoupMessageHeaders **out_headers)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;

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
  response = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (out != NULL)
    {
      gsize n;
      const char *data = g_bytes_get_data (response, &n);

      *out = crm_sync_parse_object (data, n, NULL);
    }
  if (out_headers != NULL)
    *out_headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return soup_message_get_status (msg);
}

static guint
http (const char  *method,
      const char  *url,
      const char  *token,
      const char  *body,
      JsonObject **out)
{
  return http_full (method, url, token, body, out, NULL);
}

static char *
login (const char *base,
       const char *user,
       const char *client_id)
{
  g_autofree char *url = g_strconcat (base, "/v1/login", NULL);
  g_autofree char *body = g_strdup_printf ("{\"user\":\"%s\",\"password\":\"" PASSWORD "\",\"client_id\":\"%s\","
                                           "\"schema_version\":%d}", user, client_id, CRM_SYNC_PROTOCOL_VERSION);
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpuint (http ("POST", url, NULL, body, &answer), ==, 200);
  return g_strdup (json_object_get_string_member (answer, "token"));
}

static void
wait_for_server (const char *base)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *healthz = g_strconcat (base, "/healthz", NULL);

  for (guint i = 0; i < 400; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", healthz);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      if (body != NULL && soup_message_get_status (msg) == 200)
        return;
      g_usleep (50 * 1000);
    }
  g_assert_not_reached ();
}

/* A server outlives no failed test: it gets SIGTERM when the test dies. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* crm-server as its own process on a free port; @base gets its URL. */
static GSubprocess *
spawn_server (const char  *store,
              char       **base,
              ...)
{
  g_autofree char *exe = server_exe ();
  guint16 port = pg_cluster_free_port ();
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *server;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, exe);
  g_ptr_array_add (argv, (char *) store_flag (store));
  g_ptr_array_add (argv, (char *) store);
  g_ptr_array_add (argv, (char *) "--listen");
  g_ptr_array_add (argv, listen);
  va_start (args, base);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE |
                                                                         G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

    g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
    server = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  }
  g_assert_no_error (error);
  *base = g_strdup_printf ("http://127.0.0.1:%u", port);
  wait_for_server (*base);
  return server;
}

static void
stop_server (GSubprocess *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server, SIGTERM);
  g_assert_true (g_subprocess_wait (server, NULL, &error));
  g_assert_no_error (error);
}

static PGconn *
pg_connect (const char *url)
{
  PGconn *conn = PQconnectdb (url);

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  return conn;
}

static gint64
pg_int (PGconn     *conn,
        const char *sql)
{
  PGresult *result = PQexec (conn, sql);
  gint64 value;

  if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  value = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  return value;
}

static CrmServerRow *
new_row (const char *id,
         const char *name)
{
  CrmServerRow *row = g_new0 (CrmServerRow, 1);
  g_autoptr(JsonArray) pair = json_array_new ();

  row->table = g_strdup ("contacts");
  row->id = g_strdup (id);
  row->data = json_object_new ();
  row->meta = json_object_new ();
  json_object_set_string_member (row->data, "name", name);
  json_array_add_string_element (pair, "2026-01-01T00:00:00.000Z-0000-test");
  json_array_add_int_element (pair, 0);
  json_object_set_array_member (row->meta, "name", g_steal_pointer (&pair));
  return row;
}

/* --- a late commit is not skipped ------------------------------------------ */

typedef struct
{
  CrmServerBackend *backend;
  gint64 seq;
  gint done;
} Writer;

static gpointer
write_row (gpointer data)
{
  Writer *w = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServerRow) row = new_row ("01900000-0000-7000-8000-00000000000b", "后到");

  g_assert_true (w->backend->vtable->begin (w->backend, &error));
  g_assert_true (w->backend->vtable->put_row (w->backend, row, &error));
  g_assert_true (w->backend->vtable->commit (w->backend, &error));
  g_assert_no_error (error);
  w->seq = row->seq;
  g_atomic_int_set (&w->done, 1);
  return NULL;
}

/* Transaction A takes a seq and stays open; B writes meanwhile. If B could
 * commit first, a client pulling in between would move its cursor past
 * A's seq and never see A's row. B must wait for A instead. */
static void
test_late_commit_not_skipped (void)
{
  g_autofree char *url = NULL;
  g_autofree char *url_b = NULL;
  g_autoptr(CrmServerBackend) a = NULL;
  g_autoptr(CrmServerBackend) reader = NULL;
  g_autoptr(CrmServerRow) row = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  Writer b = { 0 };
  GThread *thread;
  PGconn *watch;
  gboolean waiting = FALSE;

  if (!need_pg ())
    return;
  url = pg_cluster_create_database (pg_cluster);
  url_b = g_strconcat (url, "?application_name=crm_test_writer_b", NULL);
  a = crm_server_pg_open (url, &error);
  g_assert_no_error (error);
  b.backend = crm_server_pg_open (url_b, &error);
  g_assert_no_error (error);
  reader = crm_server_pg_open (url, &error);
  g_assert_no_error (error);

  row = new_row ("01900000-0000-7000-8000-00000000000a", "先到");
  g_assert_true (a->vtable->begin (a, &error));
  g_assert_true (a->vtable->put_row (a, row, &error));
  g_assert_cmpint (row->seq, ==, 1);

  thread = g_thread_new ("writer-b", write_row, &b);
  /* Until B is seen waiting for a lock (or, wrongly, done). */
  watch = crm_server_pg_get_connection (reader, &error);
  g_assert_nonnull (watch);
  for (guint i = 0; i < 3000 && !waiting; i++)
    {
      PGresult *result = PQexec (watch, "SELECT wait_event_type FROM pg_stat_activity"
                                        " WHERE application_name = 'crm_test_writer_b'");

      g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
      waiting = PQntuples (result) == 1 && g_strcmp0 (PQgetvalue (result, 0, 0), "Lock") == 0;
      PQclear (result);
      if (g_atomic_int_get (&b.done))
        g_error ("B committed seq %" PRId64 " while A held seq 1 open: a pull in between skips A's row", b.seq);
      if (!waiting)
        g_usleep (10 * 1000);
    }
  g_assert_true (waiting);

  /* A pull now sees neither row, and the latest seq is still 0. */
  rows = reader->vtable->changes_after (reader, 0, 100, FALSE, &error);
  g_assert_cmpuint (rows->len, ==, 0);
  g_assert_cmpint (reader->vtable->max_seq (reader, &error), ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);

  g_assert_true (a->vtable->commit (a, &error));
  g_thread_join (thread);
  g_assert_cmpint (b.seq, ==, 2);

  rows = reader->vtable->changes_after (reader, 0, 100, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (((CrmServerChange *) g_ptr_array_index (rows, 0))->id, ==, "01900000-0000-7000-8000-00000000000a");
  g_assert_cmpint (((CrmServerChange *) g_ptr_array_index (rows, 0))->seq, ==, 1);
  g_assert_cmpint (((CrmServerChange *) g_ptr_array_index (rows, 1))->seq, ==, 2);
  /* The field meta got the seq it was written at. */
  {
    CrmServerRow *first = reader->vtable->get_row (reader, "contacts", "01900000-0000-7000-8000-00000000000a", &error);

    g_assert_no_error (error);
    g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (first->meta, "name"), 1), ==, 1);
    crm_server_row_free (first);
  }
  crm_server_backend_free (b.backend);
}

/* --- two instances, one client --------------------------------------------- */

#define N_MUTATIONS 240
#define BATCH 20

typedef struct
{
  char *base;
  char *token;
  const char *client_id;
  gint64 seqs[N_MUTATIONS + 1];
} Pusher;

/* Mutations @first … @first + BATCH - 1 of @client_id, each inserting a
 * contact; @space keeps the row ids of different clients apart. */
static char *
batch_body (const char *client_id,
            guint       space,
            guint       first)
{
  g_autoptr(GString) body = g_string_new (NULL);

  g_string_append_printf (body, "{\"client_id\":\"%s\",\"schema_version\":%d,\"mutations\":[",
                          client_id, CRM_SYNC_PROTOCOL_VERSION);
  for (guint i = first; i < first + BATCH; i++)
    {
      /* The same hlc whichever thread builds it: the digests must match. */
      g_autofree char *hlc = crm_hlc_format (batch_ms, i, client_id);

      g_string_append_printf (body, "%s{\"mutation_id\":%u,\"table\":\"contacts\","
                              "\"row_id\":\"01900000-%04x-7000-8000-%012u\",\"op\":\"insert\","
                              "\"patch\":{\"name\":\"并发%04u\",\"created_at\":\"2026-01-01T00:00:00.000Z\","
                              "\"deleted\":0},\"hlc\":\"%s\"}",
                              i == first ? "" : ",", i, space, i, i, hlc);
    }
  g_string_append (body, "]}");
  return g_string_free (g_steal_pointer (&body), FALSE);
}

static gpointer
push_all (gpointer data)
{
  Pusher *p = data;
  g_autofree char *url = g_strconcat (p->base, "/v1/push", NULL);

  for (guint first = 1; first <= N_MUTATIONS; first += BATCH)
    {
      g_autofree char *body = batch_body (p->client_id, 0, first);
      g_autoptr(JsonObject) answer = NULL;
      JsonArray *results;

      g_assert_cmpuint (http ("POST", url, p->token, body, &answer), ==, 200);
      results = json_object_get_array_member (answer, "results");
      g_assert_cmpuint (json_array_get_length (results), ==, BATCH);
      for (guint i = 0; i < BATCH; i++)
        {
          JsonObject *result = json_array_get_object_element (results, i);
          gint64 id = json_object_get_int_member (result, "mutation_id");

          g_assert_cmpint (id, ==, first + i);
          if (!g_str_equal (json_object_get_string_member (result, "status"), "applied"))
            g_error ("mutation %" PRId64 ": %s", id, json_object_get_string_member_with_default (result, "reason", "?"));
          p->seqs[id] = json_object_get_int_member (result, "seq");
        }
    }
  return NULL;
}

/* The same pushes of one client reach two instances at once (a client
 * that timed out on one and retried on the other, behind a balancer):
 * every mutation is applied once, in mutation id order, and both answer
 * it with the same result. */
static void
test_two_instances_one_client (void)
{
  g_autofree char *url = NULL;
  g_autofree char *base1 = NULL;
  g_autofree char *base2 = NULL;
  g_autoptr(GSubprocess) server1 = NULL;
  g_autoptr(GSubprocess) server2 = NULL;
  const char *client_id = "01900000-0000-7000-8000-c11e00000001";
  Pusher p1 = { 0 }, p2 = { 0 };
  GThread *t1, *t2;
  PGconn *conn;
  PGresult *result;

  if (!need_pg ())
    return;
  url = pg_cluster_create_database (pg_cluster);
  add_user (url, "alice", "admin");
  server1 = spawn_server (url, &base1, NULL);
  server2 = spawn_server (url, &base2, NULL);

  p1.base = base1;
  p1.client_id = client_id;
  p1.token = login (base1, "alice", client_id);
  p2.base = base2;
  p2.client_id = client_id;
  p2.token = g_strdup (p1.token);

  t1 = g_thread_new ("push-1", push_all, &p1);
  t2 = g_thread_new ("push-2", push_all, &p2);
  g_thread_join (t1);
  g_thread_join (t2);

  for (guint i = 1; i <= N_MUTATIONS; i++)
    {
      g_assert_cmpint (p1.seqs[i], ==, p2.seqs[i]);
      if (i > 1)
        g_assert_cmpint (p1.seqs[i], >, p1.seqs[i - 1]);
    }

  conn = pg_connect (url);
  g_assert_cmpint (pg_int (conn, "SELECT count(*) FROM mutations"), ==, N_MUTATIONS);
  g_assert_cmpint (pg_int (conn, "SELECT count(*) FROM audit"), ==, N_MUTATIONS);
  g_assert_cmpint (pg_int (conn, "SELECT count(DISTINCT mutation_id) FROM audit"), ==, N_MUTATIONS);
  g_assert_cmpint (pg_int (conn, "SELECT count(*) FROM rows"), ==, N_MUTATIONS);
  g_assert_cmpint (pg_int (conn, "SELECT last_mutation_id FROM clients"), ==, N_MUTATIONS);
  g_assert_cmpint (pg_int (conn, "SELECT value FROM counters WHERE name = 'seq'"), ==, N_MUTATIONS);
  /* In order: the row of mutation i has the i-th seq. */
  result = PQexec (conn, "SELECT data ->> 'name' FROM rows ORDER BY seq");
  g_assert_cmpint (PQntuples (result), ==, N_MUTATIONS);
  for (int i = 0; i < N_MUTATIONS; i++)
    {
      g_autofree char *name = g_strdup_printf ("并发%04d", i + 1);

      g_assert_cmpstr (PQgetvalue (result, i, 0), ==, name);
    }
  PQclear (result);
  PQfinish (conn);

  stop_server (server1);
  stop_server (server2);
  g_free (p1.token);
  g_free (p2.token);
}

/* --- PostgreSQL restarted under load ----------------------------------------- */

#define LOAD_CLIENTS 4

typedef struct
{
  char *base;
  char *token;
  char *client_id;
  guint space;
  guint refused;       /* answers other than 200 (503 during the outage) */
} LoadClient;

static gpointer
push_through_outage (gpointer data)
{
  LoadClient *c = data;
  g_autofree char *url = g_strconcat (c->base, "/v1/push", NULL);

  for (guint first = 1; first <= N_MUTATIONS; first += BATCH)
    {
      g_autofree char *body = batch_body (c->client_id, c->space, first);

      /* As the app does: the same batch again until it is answered. */
      for (guint attempt = 0;; attempt++)
        {
          g_autoptr(JsonObject) answer = NULL;
          guint status = http ("POST", url, c->token, body, &answer);

          if (status == 200)
            {
              g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "results")), ==, BATCH);
              break;
            }
          g_assert_cmpuint (status, ==, 503);
          g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "unavailable");
          g_assert_cmpuint (attempt, <, 600);
          c->refused++;
          g_usleep (20 * 1000);
        }
    }
  return NULL;
}

/* Clients pushing through two instances while PostgreSQL restarts: they
 * get 503 meanwhile, try again, and every mutation ends up applied once. */
static void
test_restart_under_load (void)
{
  g_autofree char *url = NULL;
  g_autofree char *base1 = NULL;
  g_autofree char *base2 = NULL;
  g_autoptr(GSubprocess) server1 = NULL;
  g_autoptr(GSubprocess) server2 = NULL;
  g_autoptr(GError) error = NULL;
  LoadClient clients[LOAD_CLIENTS] = { { 0 } };
  GThread *threads[LOAD_CLIENTS];
  guint refused = 0;
  PGconn *conn;

  if (!need_pg ())
    return;
  url = pg_cluster_create_database (pg_cluster);
  add_user (url, "alice", "admin");
  server1 = spawn_server (url, &base1, NULL);
  server2 = spawn_server (url, &base2, NULL);
  for (guint i = 0; i < LOAD_CLIENTS; i++)
    {
      clients[i].base = i % 2 ? base2 : base1;
      clients[i].space = i + 1;
      clients[i].client_id = g_strdup_printf ("01900000-0000-7000-8000-c11e0000010%u", i);
      clients[i].token = login (clients[i].base, "alice", clients[i].client_id);
    }
  for (guint i = 0; i < LOAD_CLIENTS; i++)
    threads[i] = g_thread_new ("pusher", push_through_outage, &clients[i]);

  conn = pg_connect (url);
  for (guint i = 0; i < 3000 && pg_int (conn, "SELECT count(*) FROM mutations") < 100; i++)
    g_usleep (5 * 1000);
  PQfinish (conn);
  g_assert_true (pg_cluster_stop (pg_cluster, &error));
  g_usleep (300 * 1000);
  g_assert_true (pg_cluster_start_server (pg_cluster, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < LOAD_CLIENTS; i++)
    {
      g_thread_join (threads[i]);
      refused += clients[i].refused;
      g_free (clients[i].token);
      g_free (clients[i].client_id);
    }
  g_test_message ("%u pushes were refused during the restart", refused);
  g_assert_cmpuint (refused, >, 0);

  conn = pg_connect (url);
  g_assert_cmpint (pg_int (conn, "SELECT count(*) FROM mutations"), ==, LOAD_CLIENTS * N_MUTATIONS);
  g_assert_cmpint (pg_int (conn, "SELECT count(*) FROM audit"), ==, LOAD_CLIENTS * N_MUTATIONS);
  g_assert_cmpint (pg_int (conn, "SELECT count(*) FROM rows"), ==, LOAD_CLIENTS * N_MUTATIONS);
  g_assert_cmpint (pg_int (conn, "SELECT sum (last_mutation_id) FROM clients"), ==, LOAD_CLIENTS * N_MUTATIONS);
  PQfinish (conn);
  stop_server (server1);
  stop_server (server2);
}

/* --- PostgreSQL restarts ---------------------------------------------------- */

static void
test_pg_restart (void)
{
  g_autofree char *url = NULL;
  g_autofree char *base = NULL;
  g_autofree char *pull = NULL;
  g_autofree char *readyz = NULL;
  g_autofree char *healthz = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(SoupMessageHeaders) headers = NULL;
  const char *client_id = "01900000-0000-7000-8000-c11e00000002";

  if (!need_pg ())
    return;
  url = pg_cluster_create_database (pg_cluster);
  add_user (url, "alice", "admin");
  server = spawn_server (url, &base, NULL);
  token = login (base, "alice", client_id);
  pull = g_strconcat (base, "/v1/pull?cursor=0", NULL);
  readyz = g_strconcat (base, "/readyz", NULL);
  healthz = g_strconcat (base, "/healthz", NULL);
  g_assert_cmpuint (http ("GET", pull, token, NULL, NULL), ==, 200);
  g_assert_cmpuint (http ("GET", readyz, NULL, NULL, NULL), ==, 200);

  /* Restarted between two requests: the server's connection is dead, and
   * the next request still works (on a new one). */
  g_assert_true (pg_cluster_stop (pg_cluster, &error));
  g_assert_true (pg_cluster_start_server (pg_cluster, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (http ("GET", pull, token, NULL, NULL), ==, 200);

  /* Down: 503 with the protocol's error and a Retry-After, not 401 (the
   * client would ask for the password) nor 500. The process stays alive. */
  g_assert_true (pg_cluster_stop (pg_cluster, &error));
  g_assert_cmpuint (http_full ("GET", pull, token, NULL, &answer, &headers), ==, 503);
  g_assert_nonnull (answer);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "unavailable");
  g_assert_nonnull (strstr (json_object_get_string_member (answer, "message"), "PostgreSQL"));
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Retry-After"), ==, "5");
  g_clear_pointer (&answer, json_object_unref);
  {
    g_autofree char *body = batch_body (client_id, 0, 1);
    g_autofree char *push = g_strconcat (base, "/v1/push", NULL);

    g_assert_cmpuint (http ("POST", push, token, body, &answer), ==, 503);
    g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "unavailable");
    g_clear_pointer (&answer, json_object_unref);
  }
  g_assert_cmpuint (http ("GET", readyz, NULL, NULL, NULL), ==, 503);
  g_assert_cmpuint (http ("GET", healthz, NULL, NULL, NULL), ==, 200);

  /* Back: the next request works. */
  g_assert_true (pg_cluster_start_server (pg_cluster, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (http ("GET", readyz, NULL, NULL, NULL), ==, 200);
  {
    g_autofree char *body = batch_body (client_id, 0, 1);
    g_autofree char *push = g_strconcat (base, "/v1/push", NULL);

    g_assert_cmpuint (http ("POST", push, token, body, &answer), ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "results")), ==, BATCH);
  }
  stop_server (server);
}

/* --- migrate-sqlite-to-pg --------------------------------------------------- */

/* A client's store, a new file @name in @dir. */
static CrmStore *
open_client (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  CrmStore *store = crm_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static CrmSyncStats
sync_store_as (CrmStore   *store,
               const char *base,
               const char *user)
{
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (store, base);
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };

  crm_sync_engine_set_credentials (engine, user, PASSWORD);
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_no_error (error);
  return stats;
}

static CrmSyncStats
sync_store (CrmStore   *store,
            const char *base)
{
  return sync_store_as (store, base, "alice");
}

static char *
add_contact (CrmStore   *store,
             const char *name)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_contact_set_field_from_string (contact, "name", name, &error));
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static void
set_title (CrmStore   *store,
           const char *id,
           const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmRecord) contact = crm_store_get (store, CRM_TYPE_CONTACT, id, &error);

  g_assert_no_error (error);
  g_assert_true (crm_record_set_field_from_string (contact, "title", title, &error));
  g_assert_true (crm_store_update (store, contact, &error));
  g_assert_no_error (error);
}

static gint64
sqlite_int (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static int
run_migrate (const char *db,
             const char *url,
             char      **out)
{
  g_autofree char *exe = server_exe ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process =
    g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error,
                      exe, "--db", db, "--pg", url, "migrate-sqlite-to-pg", NULL);

  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out, NULL, &error));
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

/* A small office moves its server: everything is copied with its seqs,
 * so a client carries on from its cursor and mutation id (no resync, no
 * gap), and a new client gets the same data. */
static void
test_migrate_sqlite (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *url = NULL;
  g_autofree char *base = NULL;
  g_autofree char *output = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(CrmStore) a = NULL;
  g_autoptr(CrmStore) b = NULL;
  g_autoptr(CrmStore) c = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const tables[] = { "users", "tokens", "clients", "mutations", "rows",
                                         "client_conflicts", "audit", NULL };
  CrmSyncStats stats;
  PGconn *conn;

  if (!need_pg ())
    return;
  dir = g_dir_make_tmp ("crm-migrate-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "server.db", NULL);
  a = open_client (dir, "a.db");
  b = open_client (dir, "b.db");

  /* History on SQLite: rows, edits, a same-field conflict left for B. */
  add_user (db, "alice", "admin");
  add_user (db, "bob", "sales");
  server = spawn_server (db, &base, NULL);
  for (guint i = 0; i < 30; i++)
    {
      g_autofree char *name = g_strdup_printf ("迁移%02u", i);
      g_autofree char *row = add_contact (a, name);

      if (i == 0)
        id = g_strdup (row);
    }
  sync_store (a, base);
  sync_store (b, base);
  set_title (a, id, "经理");
  set_title (b, id, "总监");
  sync_store (a, base);
  sync_store (b, base);
  g_assert_cmpint (sqlite_int (db, "SELECT count(*) FROM client_conflicts"), >, 0);
  stop_server (server);
  g_clear_object (&server);
  g_clear_pointer (&base, g_free);

  url = pg_cluster_create_database (pg_cluster);
  g_assert_cmpint (run_migrate (db, url, &output), ==, 0);
  g_assert_nonnull (strstr (output, "rows: 30"));

  conn = pg_connect (url);
  for (guint i = 0; tables[i] != NULL; i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", tables[i]);

      g_assert_cmpint (pg_int (conn, sql), ==, sqlite_int (db, sql));
      g_assert_cmpint (pg_int (conn, sql), >, 0);
    }
  g_assert_cmpint (pg_int (conn, "SELECT value FROM counters WHERE name = 'seq'"), ==,
                   sqlite_int (db, "SELECT value FROM counters WHERE name = 'seq'"));
  g_assert_cmpint (pg_int (conn, "SELECT max (seq) FROM rows"), ==, sqlite_int (db, "SELECT max (seq) FROM rows"));
  g_assert_cmpint (pg_int (conn, "SELECT sum (last_mutation_id) FROM clients"), ==,
                   sqlite_int (db, "SELECT sum (last_mutation_id) FROM clients"));
  PQfinish (conn);

  /* Into a database that has data: refused, nothing doubled. */
  g_clear_pointer (&output, g_free);
  g_assert_cmpint (run_migrate (db, url, &output), ==, 1);
  g_assert_nonnull (strstr (output, "empty database"));
  g_clear_pointer (&output, g_free);
  {
    g_autofree char *missing = g_build_filename (dir, "missing.db", NULL);

    g_assert_cmpint (run_migrate (missing, url, &output), ==, 1);
  }

  /* The same clients on the PostgreSQL server, with the same passwords
   * and tokens: A pushes its next mutation (no gap) and pulls only what
   * is new; B gets its pending conflict. */
  server = spawn_server (url, &base, NULL);
  set_title (a, id, "董事");
  stats = sync_store (a, base);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (stats.pulled, <=, 1);
  stats = sync_store (b, base);
  g_assert_cmpuint (stats.pulled, ==, 1);
  g_assert_cmpint (store_query_int (b, "SELECT count(*) FROM contacts"), ==, 30);
  g_assert_cmpint (store_query_int (b, "SELECT count(*) FROM conflicts"), >, 0);
  {
    g_autoptr(CrmRecord) contact = crm_store_get (b, CRM_TYPE_CONTACT, id, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (crm_record_get_string (contact, "title"), ==, "董事");
  }

  /* A new client gets everything. */
  c = open_client (dir, "c.db");
  sync_store (c, base);
  g_assert_cmpint (store_query_int (c, "SELECT count(*) FROM contacts"), ==, 30);

  stop_server (server);
  g_clear_object (&a);
  g_clear_object (&b);
  g_clear_object (&c);
  remove_tree (dir);
}

/* --- a database of an older server ----------------------------------------- */

static void
sqlite_exec_or_die (const char *path,
                    const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_close (db);
}

static void
pg_exec_or_die (PGconn     *conn,
                const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  PQclear (result);
}

/* Each row's shared clock and author, "-" for none, in seq order. */
static char *
shared_meta_of (const char *store)
{
  static const char sqlite_sql[] =
    "SELECT group_concat (coalesce (shared_clock, '-') || ' ' || coalesce (shared_author, '-'), ';')"
    " FROM (SELECT * FROM rows ORDER BY seq)";
  static const char pg_sql[] =
    "SELECT string_agg (coalesce (shared_clock, '-') || ' ' || coalesce (shared_author, '-'), ';' ORDER BY seq)"
    " FROM rows";
  char *text;

  if (g_str_has_prefix (store, "postgresql:"))
    {
      PGconn *conn = pg_connect (store);
      PGresult *result = PQexec (conn, pg_sql);

      g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
      text = g_strdup (PQgetvalue (result, 0, 0));
      PQclear (result);
      PQfinish (conn);
    }
  else
    {
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_open_v2 (store, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sqlite_sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
      sqlite3_close (db);
    }
  return text;
}

/* A server updated over a database an older one wrote: every row gains
 * the clock and author its fields share, as if written now (the upgrade's
 * SQL against crm_server_row_shared_meta()), and pulls carry on. */
static void
test_shared_meta_upgrade (gconstpointer data)
{
  gboolean on_pg = GPOINTER_TO_INT (data);
  g_autofree char *dir = NULL;
  g_autofree char *store = NULL;
  g_autofree char *base = NULL;
  g_autofree char *written = NULL;
  g_autofree char *upgraded = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *gone = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(CrmStore) a = NULL;
  g_autoptr(CrmStore) b = NULL;
  g_autoptr(CrmStore) c = NULL;
  g_autoptr(GError) error = NULL;

  if (on_pg && !need_pg ())
    return;
  dir = g_dir_make_tmp ("crm-upgrade-XXXXXX", &error);
  g_assert_no_error (error);
  store = on_pg ? pg_cluster_create_database (pg_cluster) : g_build_filename (dir, "server.db", NULL);
  a = open_client (dir, "a.db");
  b = open_client (dir, "b.db");

  /* Rows of every kind: untouched (one clock, one author), edited later
   * by the same user (two clocks), edited by another (two authors), and
   * deleted. */
  add_user (store, "alice", "admin");
  add_user (store, "carol", "admin");
  server = spawn_server (store, &base, NULL);
  g_free (add_contact (a, "未动"));
  edited = add_contact (a, "改过");
  gone = add_contact (a, "删了");
  {
    g_autofree char *by_carol = add_contact (a, "别人改");

    sync_store (a, base);
    set_title (a, edited, "经理");
    g_assert_true (crm_store_delete (a, CRM_TYPE_CONTACT, gone, &error));
    g_assert_no_error (error);
    sync_store (a, base);
    sync_store_as (b, base, "carol");
    set_title (b, by_carol, "总监");
    sync_store_as (b, base, "carol");
  }
  stop_server (server);
  g_clear_object (&server);
  g_clear_pointer (&base, g_free);
  written = shared_meta_of (store);
  g_assert_nonnull (strstr (written, "alice;"));
  g_assert_nonnull (strstr (written, "- alice"));
  g_assert_nonnull (strstr (written, "- -"));

  /* What the older server left: no such columns. */
  if (on_pg)
    {
      PGconn *conn = pg_connect (store);

      pg_exec_or_die (conn, "ALTER TABLE rows DROP COLUMN shared_clock, DROP COLUMN shared_author;"
                            "UPDATE schema_version SET version = 3");
      PQfinish (conn);
    }
  else
    sqlite_exec_or_die (store, "ALTER TABLE rows DROP COLUMN shared_clock;"
                               "ALTER TABLE rows DROP COLUMN shared_author");

  server = spawn_server (store, &base, NULL);
  upgraded = shared_meta_of (store);
  g_assert_cmpstr (upgraded, ==, written);

  /* A new client gets the same contacts as the one that wrote them. */
  c = open_client (dir, "c.db");
  sync_store (c, base);
  sync_store (a, base);
  g_assert_cmpint (store_query_int (c, "SELECT count(*) FROM contacts WHERE deleted = 0"), ==, 3);
  g_assert_cmpint (store_query_int (c, "SELECT count(*) FROM contacts WHERE title = '总监' AND deleted = 0"), ==, 1);
  g_assert_cmpint (store_query_int (c, "SELECT count(*) FROM contacts WHERE title = '经理' AND deleted = 0"), ==, 1);
  g_assert_cmpint (store_query_int (a, "SELECT count(*) FROM contacts WHERE title = '总监'"), ==, 1);

  stop_server (server);
  g_clear_object (&a);
  g_clear_object (&b);
  g_clear_object (&c);
  remove_tree (dir);
}

/* --- one of two instances killed mid-push ---------------------------------- */

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A client pushing through one instance that dies (SIGKILL, between or in
 * the middle of transactions) carries on through the other: nothing is
 * lost, nothing applied twice. */
static void
test_instance_killed_mid_push (void)
{
  g_autofree char *url = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base1 = NULL;
  g_autofree char *base2 = NULL;
  g_autoptr(GSubprocess) server1 = NULL;
  g_autoptr(GSubprocess) server2 = NULL;
  g_autoptr(CrmStore) a = NULL;
  g_autoptr(CrmSyncEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };
  const guint n = 2000;
  PGconn *conn;

  if (!need_pg ())
    return;
  url = pg_cluster_create_database (pg_cluster);
  add_user (url, "alice", "admin");
  server1 = spawn_server (url, &base1, NULL);
  server2 = spawn_server (url, &base2, NULL);
  dir = g_dir_make_tmp ("crm-kill-XXXXXX", &error);
  g_assert_no_error (error);
  a = open_client (dir, "a.db");
  g_assert_true (crm_store_begin (a, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("换机%04u", i);
      g_autofree char *id = add_contact (a, name);
    }
  g_assert_true (crm_store_commit (a, &error));

  engine = crm_sync_engine_new (a, base1);
  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  crm_sync_engine_set_batch_size (engine, 50);
  crm_sync_engine_run_async (engine, NULL, on_run_done, &result);
  /* Until some batches went through, then kill it (the store belongs to
   * the sync thread meanwhile, so watch the database instead). */
  conn = pg_connect (url);
  for (guint i = 0; i < 2000 && pg_int (conn, "SELECT count(*) FROM mutations") < 200; i++)
    g_usleep (5 * 1000);
  g_subprocess_force_exit (server1);
  g_assert_true (g_subprocess_wait (server1, NULL, &error));
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (crm_sync_engine_run_finish (engine, result, &stats, &error));
  g_assert_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_cmpint (pg_int (conn, "SELECT count(*) FROM mutations"), <, n);

  /* The balancer sends the retry to the other instance. */
  g_clear_object (&engine);
  engine = crm_sync_engine_new (a, base2);
  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_query_int (a, "SELECT count(*) FROM outbox"), ==, 0);

  g_assert_cmpint (pg_int (conn, "SELECT count(*) FROM mutations"), ==, n);
  g_assert_cmpint (pg_int (conn, "SELECT count(*) FROM audit"), ==, n);
  g_assert_cmpint (pg_int (conn, "SELECT count(*) FROM rows"), ==, n);
  g_assert_cmpint (pg_int (conn, "SELECT count(DISTINCT data ->> 'name') FROM rows"), ==, n);
  g_assert_cmpint (pg_int (conn, "SELECT last_mutation_id FROM clients"), ==, n);
  PQfinish (conn);

  stop_server (server2);
  g_clear_object (&engine);
  g_clear_object (&a);
  remove_tree (dir);
}

/* --- limits ----------------------------------------------------------------- */

/* A raw keep-alive connection that sent one request and got its answer. */
static GSocketConnection *
open_connection (guint16  port,
                 guint   *status)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  static const char request[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  char buffer[1024] = { 0 };
  gssize n;

  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            request, sizeof request - 1, NULL, NULL, &error));
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                           buffer, sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 12);
  *status = (guint) g_ascii_strtoull (buffer + 9, NULL, 10);
  return connection;
}

static void
test_limits (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *base = NULL;
  g_autofree char *token = NULL;
  g_autofree char *push = NULL;
  g_autofree char *pull = NULL;
  g_autofree char *big = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GSocketConnection) one = NULL;
  g_autoptr(GSocketConnection) two = NULL;
  g_autoptr(GSocketConnection) three = NULL;
  guint status;
  guint16 port;

  dir = g_dir_make_tmp ("crm-limits-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "server.db", NULL);
  add_user (db, "alice", "admin");
  server = spawn_server (db, &base, "--max-body-size", "1", "--max-connections", "2", "--rate-limit", "5", NULL);
  port = (guint16) g_ascii_strtoull (strrchr (base, ':') + 1, NULL, 10);
  token = login (base, "alice", "01900000-0000-7000-8000-c11e00000003");
  push = g_strconcat (base, "/v1/push", NULL);
  pull = g_strconcat (base, "/v1/pull?cursor=0", NULL);

  /* 2 KiB against a limit of 1 KiB: 413 before the body is read. */
  big = g_strnfill (2048, ' ');
  g_assert_cmpuint (http ("POST", push, token, big, &answer), ==, 413);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "too_large");
  g_clear_pointer (&answer, json_object_unref);

  /* A body of unknown length (chunked) could be any size: 411. */
  {
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    g_autoptr(GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
    static const char chunked[] = "POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                                  "Content-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
    char buffer[512] = { 0 };

    g_assert_no_error (error);
    g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                              chunked, sizeof chunked - 1, NULL, NULL, &error));
    g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                          buffer, sizeof buffer - 1, NULL, &error), >, 12);
    g_assert_true (g_str_has_prefix (buffer, "HTTP/1.1 411"));
  }

  /* Five requests a minute with this token, then 429 until the minute
   * is over. */
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (http ("GET", pull, token, NULL, NULL), ==, 200);
  g_assert_cmpuint (http_full ("GET", pull, token, NULL, &answer, &headers), ==, 429);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "rate_limited");
  g_assert_cmpint (g_ascii_strtoll (soup_message_headers_get_one (headers, "Retry-After"), NULL, 10), >=, 1);
  g_assert_cmpint (g_ascii_strtoll (soup_message_headers_get_one (headers, "Retry-After"), NULL, 10), <=, 60);

  /* Two connections open: a third is turned away until one closes. */
  one = open_connection (port, &status);
  g_assert_cmpuint (status, ==, 200);
  two = open_connection (port, &status);
  g_assert_cmpuint (status, ==, 200);
  three = open_connection (port, &status);
  g_assert_cmpuint (status, ==, 503);
  g_clear_object (&three);
  g_assert_true (g_io_stream_close (G_IO_STREAM (one), NULL, NULL));
  g_clear_object (&one);
  for (guint i = 0; i < 200; i++)
    {
      three = open_connection (port, &status);
      if (status == 200)
        break;
      g_clear_object (&three);
      g_usleep (20 * 1000);
    }
  g_assert_cmpuint (status, ==, 200);

  stop_server (server);
  remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  batch_ms = g_get_real_time () / 1000 - 60000;

  pg_cluster = pg_cluster_new (&pg_skip_reason, &error);
  g_assert_no_error (error);
  if (pg_skip_reason != NULL)
    g_print ("# PostgreSQL tests skip: %s\n", pg_skip_reason);

  g_test_add_func ("/server-scale/limits", test_limits);
  g_test_add_func ("/server-scale/pg/late-commit-not-skipped", test_late_commit_not_skipped);
  g_test_add_func ("/server-scale/pg/two-instances-one-client", test_two_instances_one_client);
  g_test_add_func ("/server-scale/pg/instance-killed-mid-push", test_instance_killed_mid_push);
  g_test_add_func ("/server-scale/pg/restart", test_pg_restart);
  g_test_add_func ("/server-scale/pg/restart-under-load", test_restart_under_load);
  g_test_add_func ("/server-scale/pg/migrate-sqlite", test_migrate_sqlite);
  g_test_add_data_func ("/server-scale/shared-meta-upgrade", GINT_TO_POINTER (FALSE), test_shared_meta_upgrade);
  g_test_add_data_func ("/server-scale/pg/shared-meta-upgrade", GINT_TO_POINTER (TRUE), test_shared_meta_upgrade);

  status = g_test_run ();
  g_clear_pointer (&pg_cluster, pg_cluster_free);
  g_free (pg_skip_reason);
  return status;
}
