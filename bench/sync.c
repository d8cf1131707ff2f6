/* sync.c: initial pull, one edit's round trip, and 20 clients pushing at once, over loopback
 *
 *   bench-sync [N [CLIENTS [MUTATIONS]]]
 *
 * Prints: the initial pull vs local inserts, the same pull interrupted
 * and resumed, one edit's round trip, push throughput by batch size, and
 * CLIENTS concurrent pushers (throughput, p99, exactly-once check).
 *     N          contacts of the initial pull (default 100,000)
 *     CLIENTS    concurrent pushing clients (default 20); 0 runs the
 *                initial pull and its references only; "pull" the pull
 *                alone (after the local inserts that fill the server),
 *                to compare two builds
 *     MUTATIONS  mutations each pushes (default 1,000)
 *
 * A real crm-server runs in a thread of this process on 127.0.0.1; the
 * clients are real stores in a temporary folder. The reference for the
 * pull is inserting the same contacts into a local store without sync;
 * they are contacts as people type or import them (a name, a mobile, an
 * email, an address, tags), and the server holds what pushing them would
 * store: every synced field, its clock and its author.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench-floor.h"
#include "bench-util.h"
#include "crm-contact.h"
#include "crm-hlc.h"
#include "crm-server.h"
#include "crm-store-private.h"
#include "crm-sync-engine.h"
#include "crm-uuid.h"

#define PASSWORD "bench password"

typedef struct
{
  char *db_path;
  char *url;
  GMainContext *context;
  GMainLoop *loop;
  GMutex mutex;
  GCond cond;
  gboolean ready;
} Server;

static gpointer
server_thread (gpointer data)
{
  Server *s = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServer) server = NULL;

  g_main_context_push_thread_default (s->context);
  server = crm_server_new (s->db_path, &error);
  if (server == NULL ||
      !crm_server_add_user (server, "bench", PASSWORD, "admin", NULL, &error) ||
      !crm_server_listen (server, "127.0.0.1", 0, &error))
    g_error ("server: %s", error->message);

  g_mutex_lock (&s->mutex);
  s->url = g_strdup_printf ("http://127.0.0.1:%u", crm_server_get_port (server));
  s->ready = TRUE;
  g_cond_signal (&s->cond);
  g_mutex_unlock (&s->mutex);

  g_main_loop_run (s->loop);
  crm_server_disconnect (server);
  g_main_context_pop_thread_default (s->context);
  return NULL;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, MIN (values->len - 1, (guint) (p * values->len)));
}

static CrmStore *
open_store (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  CrmStore *store = crm_store_open (path, &error);

  if (store == NULL)
    g_error ("%s", error->message);
  return store;
}

static CrmSyncEngine *
engine_for (CrmStore   *store,
            const char *url)
{
  CrmSyncEngine *engine = crm_sync_engine_new (store, url);

  crm_sync_engine_set_credentials (engine, "bench", PASSWORD);
  return engine;
}

static void
run (CrmSyncEngine *engine,
     CrmSyncStats  *stats)
{
  g_autoptr(GError) error = NULL;

  if (!crm_sync_engine_run (engine, NULL, stats, &error))
    g_error ("sync: %s", error->message);
}

/* Rows go straight into the server's storage (one transaction), as an
 * office's existing data would be there: the figure is the pull. */
/* A contact as people type or import them: a two- or three-character
 * name, a mobile, an email, an address, tags on some. */
static CrmContact *
reference_contact (guint i)
{
  static const char *surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                    "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗" };
  static const char *given[] = { "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                 "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚",
                                 "辉", "玲", "桂", "华", "红", "建", "国", "文", "斌", "宇" };
  static const char *places[][2] = { { "浙江省", "杭州" }, { "北京市", "北京" }, { "广东省", "广州" },
                                     { "江苏省", "南京" }, { "四川省", "成都" } };
  static const char *titles[] = { "经理", "总监", "采购", "销售代表" };
  static const char *sources[] = { "线下门店", "官网", "展会", "转介绍" };
  static const char *tags[] = { "会员", "会员,企业客户", "" };
  CrmContact *contact = crm_contact_new ();
  g_autofree char *name = g_strconcat (surnames[i % 20], given[i / 20 % 30],
                                       i % 2 ? given[i / 600 % 30] : "", NULL);
  g_autofree char *email = g_strdup_printf ("user%06u@example.cn", i);
  g_autofree char *phone = g_strdup_printf ("1%u%09u", 3 + i % 7, i);
  g_autofree char *address = g_strdup_printf ("人民路%u号", i % 500 + 1);
  g_autofree char *birthday = g_strdup_printf ("%u-%02u-%02u", 1960 + i % 40, i % 12 + 1, i % 28 + 1);
  const char *fields[][2] = {
    { "name", name }, { "emails", email }, { "phones", phone }, { "title", titles[i % 4] },
    { "province", places[i % 5][0] }, { "city", places[i % 5][1] }, { "address", address },
    { "source", sources[i % 4] }, { "tags", tags[i % 3] }, { "gender", i % 2 ? "male" : "female" },
    { "birthday", i % 2 ? birthday : "" },
  };

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    if (*fields[f][1] != '\0' && !crm_contact_set_field_from_string (contact, fields[f][0], fields[f][1], NULL))
      g_error ("cannot set %s", fields[f][0]);
  return contact;
}

/* The reference: the contacts inserted into a local store without sync.
 * Its outbox then holds each insert as a push would send it. */
static double
insert_locally (const char *dir,
                guint       n)
{
  g_autoptr(CrmStore) store = open_store (dir, "reference.db");
  g_autoptr(GError) error = NULL;
  double t0 = now_s ();

  crm_store_begin (store, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmContact) contact = reference_contact (i);

      if (!crm_store_insert (store, CRM_RECORD (contact), &error))
        g_error ("%s", error->message);
    }
  if (!crm_store_commit (store, &error))
    g_error ("%s", error->message);
  return now_s () - t0;
}

/* The server's rows are what pushing the reference's inserts would store:
 * every synced field the app writes, with its clock and its author. */
static void
fill_server (const char *db_path,
             const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServerBackend) backend = crm_server_sqlite_open (db_path, &error);
  g_autoptr(CrmStore) reference = open_store (dir, "reference.db");
  g_autoptr(CrmCachedStmt) stmt = NULL;

  if (backend == NULL || !backend->vtable->begin (backend, &error))
    g_error ("%s", error->message);
  stmt = crm_store_prepare (reference, "SELECT row_id, patch, hlc FROM outbox WHERE table_name = 'contacts' "
                                       "AND op = 'insert' ORDER BY mutation_id", &error);
  if (stmt == NULL)
    g_error ("%s", error->message);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) patch = json_from_string ((const char *) sqlite3_column_text (stmt, 1), &error);
      const char *hlc = (const char *) sqlite3_column_text (stmt, 2);
      CrmServerRow row = { (char *) "contacts", (char *) sqlite3_column_text (stmt, 0),
                           json_node_get_object (patch), json_object_new (), FALSE, NULL, 0 };
      JsonObjectIter iter;
      const char *field;

      json_object_iter_init (&iter, row.data);
      while (json_object_iter_next (&iter, &field, NULL))
        {
          JsonArray *meta = json_array_new ();

          json_array_add_string_element (meta, hlc);
          json_array_add_int_element (meta, 0);
          json_array_add_string_element (meta, "bench");
          json_object_set_array_member (row.meta, field, meta);
        }
      if (!backend->vtable->put_row (backend, &row, &error))
        g_error ("%s", error->message);
      json_object_unref (row.meta);
    }
  if (!backend->vtable->commit (backend, &error))
    g_error ("%s", error->message);
}

typedef struct
{
  const char *dir;
  const char *url;
  guint index;
  guint mutations;
  GArray *latencies;   /* seconds per push request */
  guint pushed;
} Client;

static gpointer
client_thread (gpointer data)
{
  Client *c = data;
  g_autofree char *name = g_strdup_printf ("client-%02u.db", c->index);
  g_autoptr(CrmStore) store = open_store (c->dir, name);
  g_autoptr(CrmSyncEngine) engine = engine_for (store, c->url);
  guint per_push = 50;

  crm_sync_engine_set_pull_enabled (engine, FALSE);
  for (guint done = 0; done < c->mutations; done += per_push)
    {
      CrmSyncStats stats = { 0 };
      double t0;

      crm_store_begin (store, NULL);
      for (guint i = done; i < MIN (done + per_push, c->mutations); i++)
        {
          g_autoptr(CrmContact) contact = crm_contact_new ();
          g_autofree char *contact_name = g_strdup_printf ("并发%02u-%05u", c->index, i);

          crm_contact_set_field_from_string (contact, "name", contact_name, NULL);
          crm_store_insert (store, CRM_RECORD (contact), NULL);
        }
      crm_store_commit (store, NULL);
      t0 = now_s ();
      run (engine, &stats);
      g_array_append_val (c->latencies, (double) { now_s () - t0 });
      c->pushed += stats.pushed;
    }
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  guint n_clients = argc > 2 ? (guint) atoi (argv[2]) : 20;
  gboolean pull_only = argc > 2 && g_str_equal (argv[2], "pull");
  guint n_mutations = argc > 3 ? (guint) atoi (argv[3]) : 1000;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("crm-bench-sync-XXXXXX", &error);
  Server server = { 0 };
  GThread *thread;
  double t0, pull_s, local_s;

  server.db_path = g_build_filename (dir, "server.db", NULL);
  printf ("bench-sync: %u contacts, %u clients × %u mutations, in %s\n", n, n_clients, n_mutations, dir);

  /* 1. Initial pull. The reference comes first: the server holds what
   * pushing its contacts would store. */
  local_s = insert_locally (dir, n);
  fill_server (server.db_path, dir);
  g_mutex_init (&server.mutex);
  g_cond_init (&server.cond);
  server.context = g_main_context_new ();
  server.loop = g_main_loop_new (server.context, FALSE);
  thread = g_thread_new ("crm-server", server_thread, &server);
  g_mutex_lock (&server.mutex);
  while (!server.ready)
    g_cond_wait (&server.cond, &server.mutex);
  g_mutex_unlock (&server.mutex);

  {
    g_autoptr(CrmStore) b = open_store (dir, "pull.db");
    g_autoptr(CrmSyncEngine) engine = engine_for (b, server.url);
    CrmSyncStats stats = { 0 };

    double cpu0, pull_cpu;

    crm_sync_engine_set_page_size (engine, CRM_SYNC_MAX_PAGE);
    t0 = now_s ();
    cpu0 = bench_cpu_seconds (RUSAGE_SELF);
    run (engine, &stats);
    pull_s = now_s () - t0;
    pull_cpu = bench_cpu_seconds (RUSAGE_SELF) - cpu0;
    if (pull_only)
      {
        printf ("initial pull: %u rows in %.2f s, %.2f s CPU; the writer waited %.2f s for pages\n",
                stats.pulled, pull_s, pull_cpu, stats.wait_usec / 1e6);
        goto stop;
      }
    printf ("initial pull: %u rows in %.2f s (%.0f rows/s), %.2f s CPU (client and server), of which "
            "building the search index %.2f s; the writer waited %.2f s for pages; "
            "inserting them locally: %.2f s; ratio %.2f (goal: pull < 5 s)\n",
            stats.pulled, pull_s, stats.pulled / pull_s, pull_cpu, stats.index_usec / 1e6,
            stats.wait_usec / 1e6, local_s, pull_s / local_s);

    /* What the goal is up against: the client's writes alone. */
    {
      static const char * const copies[] = {
        BENCH_FLOOR_COPY ("contacts"),
        BENCH_FLOOR_COPY ("contact_search_keys"),
        BENCH_FLOOR_COPY ("contact_search_fields"),
        BENCH_FLOOR_COPY_FTS,
        NULL
      };
      g_autofree char *pulled = g_strdup (crm_store_get_path (b));
      double floor_cpu = 0;
      double floor = bench_sql_floor (dir, pulled, copies, &floor_cpu);

      if (floor >= 0)
        printf ("the pulled rows copied by SQL alone into a new store (contacts and their indexes, search tables;\n"
                "  INSERT … SELECT, one transaction per table): %.2f s wall, %.2f s CPU; the pull takes %.1f× that\n",
                floor, floor_cpu, pull_s / floor);
    }
  }

  if (n_clients == 0)
    goto stop;

  /* 1b. The same pull interrupted halfway, then resumed: paged, nothing
   * fetched twice, every row once. */
  {
    g_autoptr(CrmStore) c = open_store (dir, "resumed.db");
    g_autoptr(CrmSyncEngine) engine = engine_for (c, server.url);
    g_autoptr(GError) run_error = NULL;
    CrmSyncStats first = { 0 }, rest = { 0 };
    guint pages = MAX (1, n / CRM_SYNC_MAX_PAGE / 2);
    double first_s, rest_s;
    gint64 rows, distinct;

    crm_sync_engine_set_page_size (engine, CRM_SYNC_MAX_PAGE);
    crm_sync_engine_set_max_pages (engine, pages);
    t0 = now_s ();
    if (crm_sync_engine_run (engine, NULL, &first, &run_error) ||
        !g_error_matches (run_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_error ("the pull was not interrupted");
    first_s = now_s () - t0;
    crm_sync_engine_set_max_pages (engine, 0);
    t0 = now_s ();
    run (engine, &rest);
    rest_s = now_s () - t0;
    {
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (c, "SELECT count(*), count(DISTINCT id) FROM contacts", NULL);

      sqlite3_step (stmt);
      rows = sqlite3_column_int64 (stmt, 0);
      distinct = sqlite3_column_int64 (stmt, 1);
    }
    printf ("interrupted pull: %u rows in %u pages (%.2f s), resumed: %u rows (%.2f s); %" G_GINT64_FORMAT
            " rows, %" G_GINT64_FORMAT " distinct, expected %u: %s\n",
            first.pulled, pages, first_s, rest.pulled, rest_s, rows, distinct, n,
            rows == distinct && rows == (gint64) n && first.pulled + rest.pulled == n ? "each exactly once" : "MISMATCH");
  }

  /* 2. One edit from A to B through the server. */
  {
    g_autoptr(CrmStore) a = open_store (dir, "a.db");
    g_autoptr(CrmStore) b = open_store (dir, "b.db");
    g_autoptr(CrmSyncEngine) ea = engine_for (a, server.url);
    g_autoptr(CrmSyncEngine) eb = engine_for (b, server.url);
    g_autoptr(GArray) trips = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(CrmContact) contact = crm_contact_new ();
    CrmSyncStats stats = { 0 };

    crm_sync_engine_set_pull_enabled (ea, FALSE);
    crm_contact_set_field_from_string (contact, "name", "往返", NULL);
    crm_store_insert (a, CRM_RECORD (contact), NULL);
    run (ea, &stats);
    /* B catches up with the big pull first, so only the edit is timed. */
    crm_sync_engine_set_page_size (eb, CRM_SYNC_MAX_PAGE);
    run (eb, &stats);

    for (guint i = 0; i < 30; i++)
      {
        g_autofree char *title = g_strdup_printf ("职位 %u", i);
        g_autoptr(CrmRecord) on_b = NULL;

        t0 = now_s ();
        crm_contact_set_field_from_string (contact, "title", title, NULL);
        crm_store_update (a, CRM_RECORD (contact), NULL);
        run (ea, &stats);
        run (eb, &stats);
        g_array_append_val (trips, (double) { now_s () - t0 });
        on_b = crm_store_get (b, CRM_TYPE_CONTACT, crm_record_get_id (CRM_RECORD (contact)), NULL);
        if (g_strcmp0 (crm_record_get_string (on_b, "title"), title) != 0)
          g_error ("round trip %u did not arrive", i);
      }
    printf ("edit round trip A → server → B: median %.1f ms, p90 %.1f ms over %u edits (goal < 100 ms)\n",
            percentile (trips, 0.5) * 1000, percentile (trips, 0.9) * 1000, trips->len);
  }

  /* 2b. Push throughput by mutations per request: one client pushes the
   * same number of inserts with each batch size. */
  {
    static const guint batches[] = { 1, 50, 500 };
    guint count = 2000;
    double reference = 0;

    for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
      {
        g_autofree char *name = g_strdup_printf ("batch-%u.db", batches[b]);
        g_autoptr(CrmStore) store = open_store (dir, name);
        g_autoptr(CrmSyncEngine) engine = engine_for (store, server.url);
        CrmSyncStats stats = { 0 };
        double took;

        crm_sync_engine_set_pull_enabled (engine, FALSE);
        crm_sync_engine_set_batch_size (engine, batches[b]);
        run (engine, &stats);   /* signs in; nothing to push yet */
        crm_store_begin (store, NULL);
        for (guint i = 0; i < count; i++)
          {
            g_autoptr(CrmContact) contact = crm_contact_new ();
            g_autofree char *contact_name = g_strdup_printf ("批量%u-%05u", batches[b], i);

            crm_contact_set_field_from_string (contact, "name", contact_name, NULL);
            crm_store_insert (store, CRM_RECORD (contact), NULL);
          }
        crm_store_commit (store, NULL);
        t0 = now_s ();
        run (engine, &stats);
        took = now_s () - t0;
        if (b == 0)
          reference = took;
        printf ("push of %u mutations, %u per request: %.2f s, %.0f mutations/s, %.1f× batch 1\n",
                stats.pushed, batches[b], took, stats.pushed / took, reference / took);
      }
  }

  /* 3. Concurrent pushes. */
  {
    g_autoptr(GPtrArray) threads = g_ptr_array_new ();
    g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
    Client *clients = g_new0 (Client, n_clients);
    g_autoptr(CrmStore) check = open_store (dir, "check.db");
    g_autoptr(CrmSyncEngine) ec = engine_for (check, server.url);
    CrmSyncStats stats = { 0 };
    guint pushed = 0;
    double wall;
    gint64 rows, distinct;

    t0 = now_s ();
    for (guint i = 0; i < n_clients; i++)
      {
        clients[i] = (Client) { dir, server.url, i, n_mutations, g_array_new (FALSE, FALSE, sizeof (double)), 0 };
        g_ptr_array_add (threads, g_thread_new ("client", client_thread, &clients[i]));
      }
    for (guint i = 0; i < n_clients; i++)
      {
        g_thread_join (g_ptr_array_index (threads, i));
        g_array_append_vals (all, clients[i].latencies->data, clients[i].latencies->len);
        pushed += clients[i].pushed;
        g_array_unref (clients[i].latencies);
      }
    wall = now_s () - t0;
    g_free (clients);

    crm_sync_engine_set_page_size (ec, CRM_SYNC_MAX_PAGE);
    run (ec, &stats);
    {
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (check,
        "SELECT count(*), count(DISTINCT name) FROM contacts WHERE name LIKE '并发%'", NULL);

      sqlite3_step (stmt);
      rows = sqlite3_column_int64 (stmt, 0);
      distinct = sqlite3_column_int64 (stmt, 1);
    }
    printf ("%u clients × %u mutations: %.0f mutations/s, push of 50: median %.0f ms, p99 %.0f ms; "
            "on the server %" G_GINT64_FORMAT " rows, %" G_GINT64_FORMAT " distinct, expected %u: %s\n",
            n_clients, n_mutations, pushed / wall, percentile (all, 0.5) * 1000, percentile (all, 0.99) * 1000,
            rows, distinct, n_clients * n_mutations,
            rows == distinct && rows == (gint64) n_clients * n_mutations ? "each exactly once" : "MISMATCH");
  }

stop:
  g_main_context_invoke (server.context, quit_loop, server.loop);
  g_thread_join (thread);
  g_main_loop_unref (server.loop);
  g_main_context_unref (server.context);
  bench_remove_dir (dir);
  return 0;
}
