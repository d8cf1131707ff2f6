/* test-sync.c: two real client stores syncing through a real crm-server on 127.0.0.1 */

/* With CRM_TEST_STORE=postgresql the server stores in a PostgreSQL this
 * test starts (a new database per test); the same scenarios must hold on
 * both backends. */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/prctl.h>

#include "crm-contact-search.h"
#include "crm-contact.h"
#include "crm-deal.h"
#include "crm-deal-products.h"
#include "crm-pipeline.h"
#include "crm-pull-pipeline.h"
#include "crm-stage.h"
#include "crm-hlc.h"
#include "crm-server.h"
#include "crm-store-private.h"
#include "crm-sync-engine.h"
#include "server-fixture.h"

#define PASSWORD "correct horse battery"

/* NULL: the server stores in SQLite. */
static PgCluster *pg_cluster;

/* crm-server runs in its own thread with its own main context, as it runs
 * in its own process in production; the clients use blocking HTTP. */
typedef struct
{
  char *dir;
  char *url;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex mutex;
  GCond cond;
  gboolean ready;
  char *pg_url;
  CrmServer *server;
  CrmStore *a;
  CrmStore *b;
} Fixture;

static gpointer
server_thread (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "server.db", NULL);
  g_autoptr(CrmServer) server = NULL;

  g_main_context_push_thread_default (f->context);
  if (f->pg_url != NULL)
    {
      CrmServerBackend *backend = crm_server_pg_open (f->pg_url, &error);

      g_assert_no_error (error);
      server = crm_server_new_for_backend (backend, &error);
    }
  else
    server = crm_server_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (crm_server_add_user (server, "alice", PASSWORD, "admin", NULL, &error));
  g_assert_true (crm_server_add_user (server, "bob", PASSWORD, "sales", "north", &error));
  g_assert_true (crm_server_add_user (server, "carol", PASSWORD, "sales", "south", &error));
  g_assert_true (crm_server_add_user (server, "ann", PASSWORD, "analyst", NULL, &error));
  g_assert_true (crm_server_add_user (server, "dave", PASSWORD, "admin", NULL, &error));
  g_assert_true (crm_server_listen (server, "127.0.0.1", 0, &error));

  g_mutex_lock (&f->mutex);
  f->url = g_strdup_printf ("http://127.0.0.1:%u", crm_server_get_port (server));
  f->server = server;
  f->ready = TRUE;
  g_cond_signal (&f->cond);
  g_mutex_unlock (&f->mutex);

  g_main_loop_run (f->loop);
  crm_server_disconnect (server);
  g_clear_object (&server);
  g_main_context_pop_thread_default (f->context);
  return NULL;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  f->dir = g_dir_make_tmp ("crm-sync-XXXXXX", &error);
  g_assert_no_error (error);
  if (pg_cluster != NULL)
    f->pg_url = pg_cluster_create_database (pg_cluster);
  g_mutex_init (&f->mutex);
  g_cond_init (&f->cond);
  f->context = g_main_context_new ();
  f->loop = g_main_loop_new (f->context, FALSE);
  f->thread = g_thread_new ("crm-server", server_thread, f);
  g_mutex_lock (&f->mutex);
  while (!f->ready)
    g_cond_wait (&f->cond, &f->mutex);
  g_mutex_unlock (&f->mutex);

  a = g_build_filename (f->dir, "a.db", NULL);
  b = g_build_filename (f->dir, "b.db", NULL);
  f->a = crm_store_open (a, &error);
  g_assert_no_error (error);
  f->b = crm_store_open (b, &error);
  g_assert_no_error (error);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Drops our reference to @object and asserts it is finalized. A GTask's
 * worker thread lets go of its task (and with it the engine and the store)
 * only just after the callback ran here, so give it a moment. */
static void
assert_finalized_soon (gpointer object)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  GWeakRef ref;

  g_weak_ref_init (&ref, object);
  g_object_unref (object);
  for (;;)
    {
      GObject *still = g_weak_ref_get (&ref);

      if (still == NULL)
        break;
      g_object_unref (still);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_weak_ref_clear (&ref);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  assert_finalized_soon (g_steal_pointer (&f->a));
  assert_finalized_soon (g_steal_pointer (&f->b));
  g_main_context_invoke (f->context, quit_loop, f->loop);
  g_thread_join (f->thread);
  g_main_loop_unref (f->loop);
  g_main_context_unref (f->context);
  g_mutex_clear (&f->mutex);
  g_cond_clear (&f->cond);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->url);
  g_free (f->pg_url);
}

static CrmSyncStats
sync_as (Fixture    *f,
         CrmStore   *store,
         const char *user)
{
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (store, f->url);
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };
  gboolean ok;

  crm_sync_engine_set_credentials (engine, user, PASSWORD);
  /* The error first: it says why. */
  ok = crm_sync_engine_run (engine, NULL, &stats, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return stats;
}

static char *
add_contact (CrmStore    *store,
             const char  *first_field,
             ...)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  const char *field = first_field;
  va_list args;

  va_start (args, first_field);
  while (field != NULL)
    {
      const char *value = va_arg (args, const char *);

      g_assert_true (crm_contact_set_field_from_string (contact, field, value, &error));
      field = va_arg (args, const char *);
    }
  va_end (args);
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static void
set_field (CrmStore   *store,
           const char *id,
           const char *field,
           const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmRecord) contact = crm_store_get (store, CRM_TYPE_CONTACT, id, &error);

  g_assert_no_error (error);
  g_assert_true (crm_record_set_field_from_string (contact, field, value, &error));
  g_assert_true (crm_store_update (store, contact, &error));
  g_assert_no_error (error);
}

static char *
get_field (CrmStore   *store,
           const char *id,
           const char *field)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmRecord) contact = crm_store_get (store, CRM_TYPE_CONTACT, id, &error);

  g_assert_no_error (error);
  return g_strdup (crm_record_get_string (contact, field));
}

static gint64
count (CrmStore   *store,
       const char *sql)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* A raw request, for what a well-behaved client never sends. */
static guint
http (Fixture     *f,
      const char  *method,
      const char  *path,
      const char  *token,
      const char  *body,
      gsize        length,
      JsonObject **out)
{
  return server_fixture_http (f->url, method, path, token, body, (gssize) length, out);
}

static char *
login (Fixture    *f,
       CrmStore   *store,
       const char *user)
{
  g_autofree char *body = g_strdup_printf ("{\"user\":\"%s\",\"password\":\"" PASSWORD "\",\"client_id\":\"%s\",\"schema_version\":%d}",
                                           user, crm_store_get_client_id (store), CRM_SYNC_PROTOCOL_VERSION);
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpuint (http (f, "POST", "/v1/login", NULL, body, strlen (body), &answer), ==, 200);
  return g_strdup (json_object_get_string_member (answer, "token"));
}

static void
assert_server_alive (Fixture *f)
{
  g_assert_cmpuint (http (f, "GET", "/healthz", NULL, NULL, 0, NULL), ==, 200);
}

static void
test_different_fields_merge (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *id = add_contact (f->a, "name", "林小雨", "emails", "lin@example.cn", NULL);
  g_autofree char *title = NULL, *city = NULL, *pinyin = NULL;
  CrmSyncStats stats;

  stats = sync_as (f, f->a, "alice");
  g_assert_cmpuint (stats.pushed, ==, 1);
  stats = sync_as (f, f->b, "alice");
  g_assert_cmpuint (stats.pulled, >=, 1);

  /* Derived fields are computed on arrival, not synced. */
  pinyin = get_field (f->b, id, "name_pinyin");
  title = get_field (f->a, id, "name_pinyin");
  g_assert_nonnull (pinyin);
  g_assert_cmpstr (pinyin, ==, title);

  set_field (f->a, id, "title", "经理");
  set_field (f->b, id, "city", "杭州");
  sync_as (f, f->a, "alice");
  stats = sync_as (f, f->b, "alice");
  g_assert_cmpuint (stats.conflicts, ==, 0);
  sync_as (f, f->a, "alice");

  for (guint i = 0; i < 2; i++)
    {
      CrmStore *s = i ? f->b : f->a;

      g_clear_pointer (&title, g_free);
      g_clear_pointer (&city, g_free);
      title = get_field (s, id, "title");
      city = get_field (s, id, "city");
      g_assert_cmpstr (title, ==, "经理");
      g_assert_cmpstr (city, ==, "杭州");
      g_assert_cmpint (count (s, "SELECT count(*) FROM conflicts"), ==, 0);
      g_assert_cmpint (count (s, "SELECT count(*) FROM outbox"), ==, 0);
    }
}

static void
test_same_field_conflict (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *id = add_contact (f->a, "name", "王芳", NULL);
  g_autofree char *ta = NULL, *tb = NULL;
  g_autoptr(GError) error = NULL;
  gint64 conflict_id;

  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "dave");

  /* B's edit is later, so B wins on both sides, whatever the push order. */
  set_field (f->a, id, "title", "经理");
  set_field (f->b, id, "title", "总监");
  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "dave");
  sync_as (f, f->a, "alice");

  ta = get_field (f->a, id, "title");
  tb = get_field (f->b, id, "title");
  g_assert_cmpstr (ta, ==, "总监");
  g_assert_cmpstr (tb, ==, "总监");
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM conflicts WHERE field = 'title' AND winner = 'local'"
                                " AND local_value = '\"总监\"' AND remote_value = '\"经理\"'"), ==, 1);
  g_assert_cmpuint (crm_sync_count_conflicts (f->b), ==, 1);
  /* A, whose value lost, hears of it too, from its side. */
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM conflicts WHERE field = 'title' AND winner = 'remote'"
                                " AND local_value = '\"经理\"' AND remote_value = '\"总监\"' AND resolved = 0"), ==, 1);
  /* Each side is told who made the other change. */
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM conflicts WHERE remote_by = 'alice'"), ==, 1);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM conflicts WHERE remote_by = 'dave'"), ==, 1);

  /* A person flips it: the loser becomes current everywhere. */
  conflict_id = count (f->b, "SELECT id FROM conflicts");
  g_assert_true (crm_sync_resolve_conflict (f->b, conflict_id, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crm_sync_count_conflicts (f->b), ==, 0);
  sync_as (f, f->b, "dave");
  sync_as (f, f->a, "alice");
  g_clear_pointer (&ta, g_free);
  g_clear_pointer (&tb, g_free);
  ta = get_field (f->a, id, "title");
  tb = get_field (f->b, id, "title");
  g_assert_cmpstr (ta, ==, "经理");
  g_assert_cmpstr (tb, ==, "经理");
}

static void
test_delete_wins (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *id = add_contact (f->a, "name", "赵敏", NULL);
  g_autofree char *notes = NULL;
  g_autoptr(CrmRecord) contact = NULL;
  g_autoptr(GError) error = NULL;
  gint64 conflict_id;

  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "dave");

  g_assert_true (crm_store_delete (f->a, CRM_TYPE_CONTACT, id, &error));
  set_field (f->b, id, "notes", "还在跟进");
  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "dave");
  sync_as (f, f->a, "alice");

  contact = crm_store_get (f->b, CRM_TYPE_CONTACT, id, &error);
  g_assert_true (crm_record_get_deleted (contact));
  g_clear_object (&contact);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM conflicts WHERE kind = 'delete_edit' AND resolved = 0"
                                " AND remote_by = 'alice'"), ==, 1);

  /* Keep mine restores the row with the edit, on both replicas. */
  conflict_id = count (f->b, "SELECT id FROM conflicts WHERE kind = 'delete_edit'");
  g_assert_true (crm_sync_resolve_conflict (f->b, conflict_id, TRUE, &error));
  g_assert_no_error (error);
  sync_as (f, f->b, "dave");
  sync_as (f, f->a, "alice");
  contact = crm_store_get (f->a, CRM_TYPE_CONTACT, id, &error);
  g_assert_false (crm_record_get_deleted (contact));
  notes = get_field (f->a, id, "notes");
  g_assert_cmpstr (notes, ==, "还在跟进");
}

static char *
push_body (CrmStore   *store,
           gint64      first_id,
           const char *row_id,
           const char *title,
           const char *hlc)
{
  return g_strdup_printf ("{\"client_id\":\"%s\",\"schema_version\":%d,\"mutations\":["
                          "{\"mutation_id\":%" G_GINT64_FORMAT ",\"table\":\"contacts\",\"row_id\":\"%s\",\"op\":\"insert\","
                          "\"patch\":{\"name\":\"测试\",\"title\":\"%s\",\"created_at\":\"%s\",\"deleted\":0},\"hlc\":\"%s\"}]}",
                          crm_store_get_client_id (store), CRM_SYNC_PROTOCOL_VERSION, first_id, row_id,
                          title, hlc, hlc);
}

static void
test_retry_and_gap (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *token = login (f, f->a, "alice");
  g_autofree char *hlc = crm_store_next_hlc (f->a);
  g_autofree char *row = g_strdup ("01900000-0000-7000-8000-000000000001");
  g_autofree char *body = push_body (f->a, 1, row, "一", hlc);
  g_autofree char *changed = push_body (f->a, 1, row, "二", hlc);
  g_autofree char *gap = push_body (f->a, 5, row, "一", hlc);
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) pulled = NULL;
  JsonArray *results;

  g_assert_cmpuint (http (f, "POST", "/v1/push", token, body, strlen (body), &first), ==, 200);
  /* The retry (an answer lost on the way back) gets the stored result. */
  g_assert_cmpuint (http (f, "POST", "/v1/push", token, body, strlen (body), &second), ==, 200);
  results = json_object_get_array_member (second, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "status"), ==, "applied");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 0), "seq"), ==,
                   json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (first, "results"), 0), "seq"));
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", token, NULL, 0, &pulled), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pulled, "changes")), ==, 1);

  /* The same id with other content: this client was restored from a backup. */
  g_assert_cmpuint (http (f, "POST", "/v1/push", token, changed, strlen (changed), &answer), ==, 409);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "client_diverged");
  g_clear_pointer (&answer, json_object_unref);

  g_assert_cmpuint (http (f, "POST", "/v1/push", token, gap, strlen (gap), &answer), ==, 409);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "mutation_gap");
  g_assert_cmpint (json_object_get_int_member (answer, "last_mutation_id"), ==, 1);
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *token = login (f, f->a, "alice");
  g_autofree char *hlc = crm_store_next_hlc (f->a);
  g_autofree char *unknown_table = g_strdup_printf ("{\"client_id\":\"%s\",\"schema_version\":1,\"mutations\":["
                                                    "{\"mutation_id\":1,\"table\":\"sqlite_master\",\"row_id\":\"01900000-0000-7000-8000-000000000001\","
                                                    "\"op\":\"update\",\"patch\":{\"x\":1},\"hlc\":\"%s\"}]}",
                                                    crm_store_get_client_id (f->a), hlc);
  g_autofree char *unknown_field = g_strdup_printf ("{\"client_id\":\"%s\",\"schema_version\":1,\"mutations\":["
                                                    "{\"mutation_id\":1,\"table\":\"contacts\",\"row_id\":\"01900000-0000-7000-8000-000000000001\","
                                                    "\"op\":\"update\",\"patch\":{\"name; DROP TABLE rows\":1},\"hlc\":\"%s\"}]}",
                                                    crm_store_get_client_id (f->a), hlc);
  g_autofree char *wrong_type = g_strdup_printf ("{\"client_id\":\"%s\",\"schema_version\":1,\"mutations\":["
                                                 "{\"mutation_id\":\"1\",\"table\":\"contacts\"}]}",
                                                 crm_store_get_client_id (f->a));
  g_autofree char *old_schema = g_strdup_printf ("{\"client_id\":\"%s\",\"schema_version\":0,\"mutations\":[]}",
                                                 crm_store_get_client_id (f->a));
  /* An invalid value is a rejected mutation, recorded, not a failed request. */
  g_autofree char *bad_value = g_strdup_printf ("{\"client_id\":\"%s\",\"schema_version\":1,\"mutations\":["
                                                "{\"mutation_id\":1,\"table\":\"contacts\",\"row_id\":\"01900000-0000-7000-8000-000000000009\","
                                                "\"op\":\"insert\",\"patch\":{\"name\":\"x\",\"gender\":\"robot\",\"created_at\":\"%s\"},\"hlc\":\"%s\"}]}",
                                                crm_store_get_client_id (f->a), hlc, hlc);
  g_autoptr(GString) deep = g_string_new ("{\"a\":");
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *huge = g_malloc (CRM_SYNC_MAX_BODY + 16);
  JsonObject *result;

  g_assert_cmpuint (http (f, "POST", "/v1/push", token, "{\"mutations\":[{", 15, &answer), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (answer, "error"), ==, "malformed");
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (http (f, "POST", "/v1/push", token, unknown_table, strlen (unknown_table), &answer), ==, 400);
  g_assert_nonnull (strstr (json_object_get_string_member (answer, "message"), "sqlite_master"));
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (http (f, "POST", "/v1/push", token, unknown_field, strlen (unknown_field), NULL), ==, 400);
  g_assert_cmpuint (http (f, "POST", "/v1/push", token, wrong_type, strlen (wrong_type), NULL), ==, 400);
  g_assert_cmpuint (http (f, "POST", "/v1/push", token, old_schema, strlen (old_schema), NULL), ==, 426);
  g_assert_cmpuint (http (f, "POST", "/v1/push", NULL, old_schema, strlen (old_schema), NULL), ==, 401);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=abc", token, NULL, 0, NULL), ==, 400);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0&limit=5001", token, NULL, 0, NULL), ==, 400);

  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "[");
  g_assert_cmpuint (http (f, "POST", "/v1/push", token, deep->str, deep->len, NULL), ==, 400);
  memset (huge, ' ', CRM_SYNC_MAX_BODY + 16);
  g_assert_cmpuint (http (f, "POST", "/v1/push", token, huge, CRM_SYNC_MAX_BODY + 16, NULL), ==, 413);
  assert_server_alive (f);

  g_assert_cmpuint (http (f, "POST", "/v1/push", token, bad_value, strlen (bad_value), &answer), ==, 200);
  result = json_array_get_object_element (json_object_get_array_member (answer, "results"), 0);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "rejected");
  g_assert_nonnull (strstr (json_object_get_string_member (result, "reason"), "contacts"));
  assert_server_alive (f);
}

/* Protocol 2 says a row's clock once when every field has it; a client
 * of protocol 1 still gets each field's, and a row edited since gets its
 * clocks field by field. */
static JsonObject *
pulled_member (Fixture    *f,
               const char *token,
               int         version,
               const char *member)
{
  g_autofree char *path = g_strdup_printf ("/v1/pull?cursor=0&schema_version=%d", version);
  g_autoptr(JsonObject) pulled = NULL;
  JsonObject *change;

  g_assert_cmpuint (http (f, "GET", path, token, NULL, 0, &pulled), ==, 200);
  change = json_array_get_object_element (json_object_get_array_member (pulled, "changes"), 0);
  return json_object_ref (json_object_get_object_member (change, member));
}

static JsonObject *
pulled_clocks (Fixture    *f,
               const char *token,
               int         version)
{
  return pulled_member (f, token, version, "hlc");
}

static void
test_shared_clocks (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *token = login (f, f->a, "alice");
  g_autofree char *hlc = crm_store_next_hlc (f->a);
  g_autofree char *later = crm_store_next_hlc (f->a);
  const char *row = "01900000-0000-7000-8000-000000000003";
  g_autofree char *insert = push_body (f->a, 1, row, "一", hlc);
  g_autofree char *update = g_strdup_printf ("{\"client_id\":\"%s\",\"schema_version\":%d,\"mutations\":["
                                             "{\"mutation_id\":2,\"table\":\"contacts\",\"row_id\":\"%s\",\"op\":\"update\","
                                             "\"patch\":{\"title\":\"二\"},\"hlc\":\"%s\"}]}",
                                             crm_store_get_client_id (f->a), CRM_SYNC_PROTOCOL_VERSION, row, later);

  g_assert_cmpuint (http (f, "POST", "/v1/push", token, insert, strlen (insert), NULL), ==, 200);
  {
    g_autoptr(JsonObject) shared = pulled_clocks (f, token, CRM_SYNC_PROTOCOL_SHARED_CLOCKS);
    g_autoptr(JsonObject) each = pulled_clocks (f, token, CRM_SYNC_PROTOCOL_OLDEST);

    g_assert_cmpuint (json_object_get_size (shared), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (shared, "*"), ==, hlc);
    g_assert_false (json_object_has_member (each, "*"));
    g_assert_cmpstr (json_object_get_string_member (each, "name"), ==, hlc);
    g_assert_cmpstr (json_object_get_string_member (each, "title"), ==, hlc);
  }

  g_assert_cmpuint (http (f, "POST", "/v1/push", token, update, strlen (update), NULL), ==, 200);
  {
    g_autoptr(JsonObject) mixed = pulled_clocks (f, token, CRM_SYNC_PROTOCOL_SHARED_CLOCKS);

    g_assert_false (json_object_has_member (mixed, "*"));
    g_assert_cmpstr (json_object_get_string_member (mixed, "name"), ==, hlc);
    g_assert_cmpstr (json_object_get_string_member (mixed, "title"), ==, later);
  }

  /* A replica takes either form: the row's clock is its newest field's. */
  sync_as (f, f->b, "alice");
  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (f->b, "SELECT title, updated_at FROM contacts WHERE id = ?", NULL);

    crm_stmt_bind_text (stmt, 1, row);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "二");
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, later);
  }

  /* Protocol 3 says the author once likewise: alice wrote every field,
   * at two times. Version 2 gets each field's. */
  {
    g_autoptr(JsonObject) shared = pulled_member (f, token, CRM_SYNC_PROTOCOL_SHARED_AUTHORS, "by");
    g_autoptr(JsonObject) each = pulled_member (f, token, CRM_SYNC_PROTOCOL_SHARED_CLOCKS, "by");

    g_assert_cmpuint (json_object_get_size (shared), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (shared, "*"), ==, "alice");
    g_assert_false (json_object_has_member (each, "*"));
    g_assert_cmpstr (json_object_get_string_member (each, "name"), ==, "alice");
    g_assert_cmpstr (json_object_get_string_member (each, "title"), ==, "alice");
  }

  /* Once dave writes a field, each field's author is said. (He writes
   * as B's computer, which syncs no more in this test.) */
  {
    g_autofree char *dave_token = login (f, f->b, "dave");
    g_autofree char *dave_hlc = crm_store_next_hlc (f->b);
    g_autofree char *by_dave = g_strdup_printf ("{\"client_id\":\"%s\",\"schema_version\":%d,\"mutations\":["
                                                "{\"mutation_id\":1,\"table\":\"contacts\",\"row_id\":\"%s\",\"op\":\"update\","
                                                "\"patch\":{\"city\":\"杭州\"},\"hlc\":\"%s\"}]}",
                                                crm_store_get_client_id (f->b), CRM_SYNC_PROTOCOL_VERSION, row, dave_hlc);
    g_autoptr(JsonObject) mixed = NULL;

    g_assert_cmpuint (http (f, "POST", "/v1/push", dave_token, by_dave, strlen (by_dave), NULL), ==, 200);
    mixed = pulled_member (f, token, CRM_SYNC_PROTOCOL_SHARED_AUTHORS, "by");
    g_assert_false (json_object_has_member (mixed, "*"));
    g_assert_cmpstr (json_object_get_string_member (mixed, "name"), ==, "alice");
    g_assert_cmpstr (json_object_get_string_member (mixed, "city"), ==, "dave");
  }
}

static void
test_clock_ahead_clamped (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CrmHlc) clock = crm_hlc_new (crm_store_get_client_id (f->a));
  gint64 now_ms = g_get_real_time () / 1000;
  g_autofree char *ahead = crm_hlc_now_at (clock, now_ms + 24 * 3600 * 1000);
  g_autofree char *token = login (f, f->a, "alice");
  g_autofree char *body = push_body (f->a, 1, "01900000-0000-7000-8000-000000000002", "未来", ahead);
  g_autoptr(JsonObject) pulled = NULL;
  JsonObject *change;
  const char *stored;
  gint64 stored_ms;

  g_assert_cmpuint (http (f, "POST", "/v1/push", token, body, strlen (body), NULL), ==, 200);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", token, NULL, 0, &pulled), ==, 200);
  change = json_array_get_object_element (json_object_get_array_member (pulled, "changes"), 0);
  stored = crm_sync_field_clock (json_object_get_object_member (change, "hlc"), "title");
  g_assert_true (crm_hlc_parse (stored, &stored_ms, NULL, NULL));
  g_assert_cmpint (stored_ms, <=, g_get_real_time () / 1000 + CRM_HLC_MAX_DRIFT_MS);
  g_assert_cmpint (stored_ms, >=, now_ms);

  /* A replica pulling it does not jump a day ahead either. */
  sync_as (f, f->b, "alice");
  {
    g_autofree char *next = crm_store_next_hlc (f->b);
    gint64 next_ms;

    g_assert_true (crm_hlc_parse (next, &next_ms, NULL, NULL));
    g_assert_cmpint (next_ms, <=, g_get_real_time () / 1000 + CRM_HLC_MAX_DRIFT_MS + 1000);
  }
}

static void
test_null_propagates (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *id = add_contact (f->a, "name", "陈晨", "title", "主管", NULL);
  g_autofree char *title = NULL;

  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "alice");
  title = get_field (f->b, id, "title");
  g_assert_cmpstr (title, ==, "主管");
  g_clear_pointer (&title, g_free);

  set_field (f->a, id, "title", "");
  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "alice");
  title = get_field (f->b, id, "title");
  g_assert_null (title);
}

/* Texts that JSON must escape travel intact: the server writes a pull's
 * answer as text around the stored rows. */
static void
test_awkward_text (Fixture       *f,
                   gconstpointer  data)
{
  static const char notes[] = "引号 \" 反斜杠 \\ 换行\n回车\r制表\t控制\x01\x1f 删除\x7f 😀 </script>";
  g_autofree char *id = add_contact (f->a, "name", "王\"小\\二", "notes", notes, NULL);
  g_autofree char *name = NULL;
  g_autofree char *got = NULL;

  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "alice");
  name = get_field (f->b, id, "name");
  got = get_field (f->b, id, "notes");
  g_assert_cmpstr (name, ==, "王\"小\\二");
  g_assert_cmpstr (got, ==, notes);
}

static void
test_resync_keeps_local (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *id = add_contact (f->a, "name", "周杰", NULL);
  g_autofree char *other = add_contact (f->b, "name", "李娜", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *city = NULL;
  g_autofree char *on_b = NULL;

  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "alice");
  sync_as (f, f->a, "alice");
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM contacts"), ==, 2);

  /* A cursor the server never handed out (its data was restored from an
   * older backup): 409 resync_required, and the local edit survives. */
  set_field (f->a, id, "city", "成都");
  g_assert_true (crm_store_begin (f->a, &error));
  g_assert_true (crm_store_set_meta (f->a, "sync_cursor", "999999", &error));
  g_assert_true (crm_store_commit (f->a, &error));
  sync_as (f, f->a, "alice");
  city = get_field (f->a, id, "city");
  g_assert_cmpstr (city, ==, "成都");
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM contacts"), ==, 2);
  g_assert_cmpint (count (f->a, "SELECT CAST (value AS INTEGER) FROM meta WHERE key = 'sync_cursor'"), <, 999999);
  sync_as (f, f->b, "alice");
  on_b = get_field (f->b, id, "city");
  g_assert_cmpstr (on_b, ==, "成都");
}

static void
test_client_diverged (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *id = add_contact (f->a, "name", "吴磊", NULL);
  g_autofree char *backup = g_build_filename (f->dir, "a-backup.db", NULL);
  g_autofree char *title = NULL, *city = NULL;
  g_autoptr(GError) error = NULL;

  sync_as (f, f->a, "alice");
  g_assert_true (crm_store_backup (f->a, backup, &error));
  set_field (f->a, id, "title", "顾问");
  sync_as (f, f->a, "alice");

  /* The laptop is restored from the backup, then edited again: its next
   * mutation id is one the server already applied with other content. */
  g_assert_true (crm_store_restore (f->a, backup, &error));
  g_assert_no_error (error);
  set_field (f->a, id, "city", "西安");
  sync_as (f, f->a, "alice");

  title = get_field (f->a, id, "title");
  city = get_field (f->a, id, "city");
  g_assert_cmpstr (title, ==, "顾问");
  g_assert_cmpstr (city, ==, "西安");
  g_clear_pointer (&title, g_free);
  g_clear_pointer (&city, g_free);
  sync_as (f, f->b, "alice");
  title = get_field (f->b, id, "title");
  city = get_field (f->b, id, "city");
  g_assert_cmpstr (title, ==, "顾问");
  g_assert_cmpstr (city, ==, "西安");
}

static void
test_visibility (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *id = add_contact (f->a, "name", "孙丽", NULL);
  g_autofree char *bob_id = NULL;
  g_autofree char *carol_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *bob_token = login (f, f->b, "bob");
  CrmSyncStats stats;

  /* Owners are server user ids; learn them from login answers. */
  {
    g_autofree char *body = g_strdup_printf ("{\"user\":\"bob\",\"password\":\"" PASSWORD "\",\"client_id\":\"%s\",\"schema_version\":1}",
                                             crm_store_get_client_id (f->b));
    g_autofree char *body2 = g_strdup_printf ("{\"user\":\"carol\",\"password\":\"" PASSWORD "\",\"client_id\":\"%s\",\"schema_version\":1}",
                                              crm_store_get_client_id (f->b));

    g_assert_cmpuint (http (f, "POST", "/v1/login", NULL, body, strlen (body), &answer), ==, 200);
    bob_id = g_strdup (json_object_get_string_member (json_object_get_object_member (answer, "user"), "id"));
    g_clear_pointer (&answer, json_object_unref);
    g_assert_cmpuint (http (f, "POST", "/v1/login", NULL, body2, strlen (body2), &answer), ==, 200);
    carol_id = g_strdup (json_object_get_string_member (json_object_get_object_member (answer, "user"), "id"));
  }

  /* Alice (admin) gives the customer to carol: bob (other team) never sees it. */
  set_field (f->a, id, "owner_id", carol_id);
  sync_as (f, f->a, "alice");
  stats = sync_as (f, f->b, "bob");
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, 0);

  /* Reassigned to bob: it arrives; back to carol: it leaves bob's laptop. */
  set_field (f->a, id, "owner_id", bob_id);
  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "bob");
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, 1);
  set_field (f->a, id, "owner_id", carol_id);
  sync_as (f, f->a, "alice");
  stats = sync_as (f, f->b, "bob");
  g_assert_cmpuint (stats.pulled, >=, 1);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, 0);

  /* Bob cannot change carol's customer: rejected with a reason, not retried. */
  {
    g_autofree char *hlc = crm_store_next_hlc (f->b);
    g_autofree char *push = g_strdup_printf ("{\"client_id\":\"%s\",\"schema_version\":1,\"mutations\":["
                                             "{\"mutation_id\":%" G_GINT64_FORMAT ",\"table\":\"contacts\",\"row_id\":\"%s\","
                                             "\"op\":\"update\",\"patch\":{\"title\":\"x\"},\"hlc\":\"%s\"}]}",
                                             crm_store_get_client_id (f->b),
                                             count (f->b, "SELECT last_mutation_id FROM local_state") + 1, id, hlc);
    JsonObject *result;

    g_clear_pointer (&answer, json_object_unref);
    g_assert_cmpuint (http (f, "POST", "/v1/push", bob_token, push, strlen (push), &answer), ==, 200);
    result = json_array_get_object_element (json_object_get_array_member (answer, "results"), 0);
    g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "rejected");
  }
  g_assert_no_error (error);
}

static char *
user_id_of (Fixture    *f,
            const char *user)
{
  g_autofree char *body = g_strdup_printf ("{\"user\":\"%s\",\"password\":\"" PASSWORD "\",\"client_id\":\"%s\",\"schema_version\":1}",
                                           user, crm_store_get_client_id (f->b));
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpuint (http (f, "POST", "/v1/login", NULL, body, strlen (body), &answer), ==, 200);
  return g_strdup (json_object_get_string_member (json_object_get_object_member (answer, "user"), "id"));
}

/* A deal's product lines travel with it: written by the admin, they reach
 * the salesman whose customer it is, his edits and removals come back,
 * and when the customer goes to another team the lines leave his laptop
 * with the deal. A deal he cannot see keeps its lines from him. */
static void
test_deal_products (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *bob_id = user_id_of (f, "bob");
  g_autofree char *carol_id = user_id_of (f, "carol");
  g_autofree char *customer = add_contact (f->a, "name", "周婷", "owner_id", bob_id, NULL);
  g_autoptr(CrmDeal) deal = crm_deal_new ();
  g_autoptr(CrmDeal) hidden = crm_deal_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tea = NULL;
  g_autofree char *cups = NULL;
  g_autofree char *secret = NULL;

  g_object_set (deal, "title", "年度茶叶采购", "contact-id", customer, NULL);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (deal), &error));
  g_assert_no_error (error);
  g_object_set (hidden, "title", "南区商机", NULL);
  crm_record_set_owner_id (CRM_RECORD (hidden), carol_id);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (hidden), &error));
  g_assert_no_error (error);
  tea = crm_deal_add_product (f->a, crm_record_get_id (CRM_RECORD (deal)), "龙井茶叶", 3, 12850, NULL, &error);
  g_assert_no_error (error);
  cups = crm_deal_add_product (f->a, crm_record_get_id (CRM_RECORD (deal)), "茶杯", 10, 1500, NULL, &error);
  g_assert_no_error (error);
  secret = crm_deal_add_product (f->a, crm_record_get_id (CRM_RECORD (hidden)), "机密", 1, 1, NULL, &error);
  g_assert_no_error (error);

  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "bob");
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deals"), ==, 1);
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deal_products WHERE deleted = 0"), ==, 2);
  g_assert_cmpint (crm_deal_products_total (f->b, crm_record_get_id (CRM_RECORD (deal)), &error),
                   ==, 3 * 12850 + 10 * 1500);

  /* Bob sells more cups and drops the tea. */
  g_assert_true (crm_deal_update_product (f->b, cups, "茶杯", 12, 1400, NULL, &error));
  g_assert_true (crm_deal_remove_product (f->b, tea, NULL, &error));
  g_assert_no_error (error);
  sync_as (f, f->b, "bob");
  sync_as (f, f->a, "alice");
  g_assert_cmpint (crm_deal_products_total (f->a, crm_record_get_id (CRM_RECORD (deal)), &error), ==, 12 * 1400);
  g_assert_cmpint (count (f->a, "SELECT deleted FROM deal_products WHERE product = '龙井茶叶'"), ==, 1);

  /* The customer goes south: the deal and its lines leave bob's store. */
  set_field (f->a, customer, "owner_id", carol_id);
  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "bob");
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deals"), ==, 0);
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deal_products"), ==, 0);
}

static void
test_analyst_read_only (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *id = add_contact (f->b, "name", "只读", NULL);
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (f->b, f->url);
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };

  crm_sync_engine_set_credentials (engine, "ann", PASSWORD);
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_cmpuint (stats.rejected, ==, 1);
  g_assert_nonnull (crm_sync_engine_get_rejections (engine)[0]);
  /* Reported once, not retried forever. */
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM outbox"), ==, 0);
}

/* The statements of the contacts' indexes, as one text to compare. */
static char *
contact_indexes (CrmStore *store)
{
  g_autoptr(CrmCachedStmt) stmt =
    crm_store_prepare (store, "SELECT group_concat (sql, ';') FROM (SELECT sql FROM sqlite_master"
                              " WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL ORDER BY name)", NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* Every row of the three search tables, as one text to compare. */
static char *
dump_search_index (CrmStore *store)
{
  static const char * const queries[] = {
    "SELECT rowid, name, pinyin, initials, emails, phones, organization, tags FROM contact_fts ORDER BY rowid",
    "SELECT key, kind, rid FROM contact_search_keys ORDER BY key, kind, rid",
    "SELECT key, rid FROM contact_search_fields ORDER BY key, rid",
  };
  GString *out = g_string_new (NULL);

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, queries[q], NULL);

      g_assert_nonnull (stmt);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int i = 0; i < sqlite3_column_count (stmt); i++)
            {
              const char *text = (const char *) sqlite3_column_text (stmt, i);

              g_string_append_printf (out, "%s|", text != NULL ? text : "<null>");
            }
          g_string_append_c (out, '\n');
        }
    }
  return g_string_free (out, FALSE);
}

static void
test_large_pull_resumes (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSyncEngine) engine = NULL;
  CrmSyncStats stats = { 0 };
  guint n = 10000;
  g_autofree char *second = NULL;

  g_assert_true (crm_store_begin (f->a, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("客户%05u", i);
      g_autofree char *id = add_contact (f->a, "name", name, NULL);

      if (i == 1)
        second = g_strdup (id);
    }
  g_assert_true (crm_store_commit (f->a, &error));
  engine = crm_sync_engine_new (f->a, f->url);
  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  crm_sync_engine_set_batch_size (engine, 500);
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_cmpuint (stats.pushed, ==, n);
  g_clear_object (&engine);

  /* Interrupted after 3 pages of 1000: those stay, the rest follows. */
  engine = crm_sync_engine_new (f->b, f->url);
  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  crm_sync_engine_set_page_size (engine, 1000);
  crm_sync_engine_set_max_pages (engine, 3);
  g_assert_false (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, 3000);
  /* B had no contacts: the pull left their list and report indexes to
   * its end, and built them even though it stopped early. */
  {
    g_autofree char *built = contact_indexes (f->b);
    g_autofree char *kept = contact_indexes (f->a);

    g_assert_cmpstr (built, ==, kept);
    g_assert_cmpint (count (f->b, "SELECT count(*) FROM meta WHERE key LIKE 'deferred_index:%'"), ==, 0);
  }
  /* Each page indexes its contacts before it commits: even stopped,
   * the pull leaves the index built for what arrived. */
  g_assert_false (crm_contact_search_get_deferred (f->b));
  {
    g_autoptr(GPtrArray) found = crm_contact_search (f->b, "客户00002", 10, 0, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (found->len, ==, 1);
  }

  /* The last page then brings new contacts and a change to one that
   * arrived before: indexed by the triggers, after the new ones. */
  set_field (f->a, second, "name", "改名客户");
  sync_as (f, f->a, "alice");

  crm_sync_engine_set_max_pages (engine, 0);
  crm_sync_engine_set_page_size (engine, 1500);
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pulled, ==, n - 3000 + 1);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, n);
  g_assert_cmpint (count (f->b, "SELECT count(DISTINCT id) FROM contacts"), ==, n);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts WHERE name_pinyin IS NULL"), ==, 0);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM outbox"), ==, 0);
  g_assert_false (crm_contact_search_get_deferred (f->b));
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM meta WHERE key = 'sync_bulk_pull' AND value IS NOT NULL"), ==, 0);
  {
    g_autoptr(GPtrArray) found = crm_contact_search (f->b, "客户09999", 10, 0, NULL, &error);
    g_autoptr(GPtrArray) renamed = crm_contact_search (f->b, "改名客户", 10, 0, NULL, &error);
    g_autoptr(GPtrArray) old_name = crm_contact_search (f->b, "客户00001", 10, 0, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpuint (renamed->len, ==, 1);
    g_assert_cmpuint (old_name->len, ==, 0);
  }
  /* The same rows as the triggers' SQL writes. */
  {
    g_autofree char *pulled = dump_search_index (f->b);
    g_autofree char *rebuilt = NULL;

    g_assert_true (crm_contact_search_rebuild (f->b, &error));
    g_assert_no_error (error);
    rebuilt = dump_search_index (f->b);
    g_assert_true (g_str_equal (pulled, rebuilt));
  }
}

/* A page's contacts get the search rows the triggers' SQL would write,
 * whatever they hold: phones, tags, an organization in the same page,
 * JSON the app never writes (left to the SQL), and a contact that was
 * there before (its triggers). */
static void
test_pulled_search_rows (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (f->b, f->url);
  g_autofree char *existing = add_contact (f->b, "name", "老朋友", NULL);
  const char *hlc = "2026-01-01T00:00:00.000Z-0000-0190c5e2-0000-7000-8000-000000000001";
  /* Newer than the local edit not pushed yet: the rename wins. */
  const char *later = "2030-01-01T00:00:00.000Z-0000-0190c5e2-0000-7000-8000-000000000001";
  g_autofree char *text = g_strdup_printf (
    "{\"cursor\": 6, \"more\": false, \"changes\": ["
    " {\"op\": \"put\", \"table\": \"contacts\", \"id\": \"01900000-0000-7000-8000-0000000000a1\", \"seq\": 1,"
    "  \"row\": {\"name\": \"阿里巴巴\", \"kind\": \"organization\", \"created_at\": \"%1$s\","
    "   \"tags\": [\"Tech\", \"大 客户\"]}, \"hlc\": {\"*\": \"%1$s\"}},"
    " {\"op\": \"put\", \"table\": \"contacts\", \"id\": \"01900000-0000-7000-8000-0000000000a2\", \"seq\": 2,"
    "  \"row\": {\"name\": \"张三丰\", \"created_at\": \"%1$s\", \"emails\": [\"Zsf@Example.COM\"],"
    "   \"phones\": [{\"e164\": \"+8613800138000\"}, {\"e164\": \"+861065529988\"}, {\"e164\": \"+14155550100\"}],"
    "   \"tags\": [\"VIP\"], \"organization_id\": \"01900000-0000-7000-8000-0000000000a1\"},"
    "  \"hlc\": {\"*\": \"%1$s\"}},"
    " {\"op\": \"put\", \"table\": \"contacts\", \"id\": \"01900000-0000-7000-8000-0000000000a3\", \"seq\": 3,"
    "  \"row\": {\"name\": \"赵六\", \"created_at\": \"%1$s\", \"emails\": [\"Odd@Example.com\", 42],"
    "   \"phones\": [{\"original\": \"no e164\"}, {\"e164\": \"+8613900001111\"}]}, \"hlc\": {\"*\": \"%1$s\"}},"
    " {\"op\": \"put\", \"table\": \"contacts\", \"id\": \"%2$s\", \"seq\": 4,"
    "  \"row\": {\"name\": \"老朋友改名\"}, \"hlc\": {\"name\": \"%3$s\"}},"
    " {\"op\": \"put\", \"table\": \"contacts\", \"id\": \"01900000-0000-7000-8000-0000000000a5\", \"seq\": 5,"
    "  \"row\": {\"name\": \"王\", \"created_at\": \"%1$s\"}, \"hlc\": {\"*\": \"%1$s\"}},"
    " {\"op\": \"put\", \"table\": \"contacts\", \"id\": \"01900000-0000-7000-8000-0000000000a6\", \"seq\": 6,"
    "  \"row\": {\"name\": \"Zhang Wei\", \"created_at\": \"%1$s\", \"emails\": [\"ZW@example.com\"]},"
    "  \"hlc\": {\"*\": \"%1$s\"}}]}", hlc, existing, later);
  g_autoptr(JsonNode) page = json_from_string (text, &error);
  CrmSyncStats stats = { 0 };

  g_assert_no_error (error);
  g_assert_true (crm_sync_engine_apply_pull_page (engine, json_node_get_object (page), &stats,
                                                  NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, 6);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts WHERE name = '老朋友改名'"), ==, 1);
  g_assert_false (crm_contact_search_get_deferred (f->b));
  {
    g_autofree char *pulled = dump_search_index (f->b);
    g_autofree char *rebuilt = NULL;

    g_assert_true (crm_contact_search_rebuild (f->b, &error));
    g_assert_no_error (error);
    rebuilt = dump_search_index (f->b);
    g_assert_cmpstr (pulled, ==, rebuilt);
  }
  {
    g_autoptr(GPtrArray) by_phone = crm_contact_search (f->b, "13800138000", 10, 0, NULL, &error);
    g_autoptr(GPtrArray) by_org = crm_contact_search (f->b, "阿里巴巴", 10, 0, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (by_phone->len, ==, 1);
    g_assert_cmpuint (by_org->len, ==, 2);
  }
}

/* A new row the store refuses, among others written in one statement:
 * the error names that row, and the page leaves nothing behind. */
static void
test_pulled_bad_row (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (f->b, f->url);
  g_autofree char *existing = add_contact (f->b, "name", "老朋友", NULL);
  g_autoptr(GString) text = g_string_new ("{\"cursor\": 100, \"more\": false, \"changes\": [");
  const char *hlc = "2026-01-01T00:00:00.000Z-0000-0190c5e2-0000-7000-8000-000000000001";
  g_autoptr(JsonNode) page = NULL;
  CrmSyncStats stats = { 0 };
  g_autofree char *cursor = crm_store_get_meta (f->b, "sync_cursor");

  /* 100 rows: a statement of 64, then of 32 and of 4; row 70 has a blank name. */
  for (guint i = 1; i <= 100; i++)
    g_string_append_printf (text, "%s{\"op\": \"put\", \"table\": \"contacts\","
                            " \"id\": \"01900000-0000-7000-8000-%012u\", \"seq\": %u,"
                            " \"row\": {\"name\": \"%s\", \"created_at\": \"%s\"}, \"hlc\": {\"*\": \"%s\"}}",
                            i > 1 ? ", " : "", i, i, i == 70 ? "  " : "客户", hlc, hlc);
  g_string_append (text, "]}");
  page = json_from_string (text->str, &error);
  g_assert_no_error (error);

  g_assert_false (crm_sync_engine_apply_pull_page (engine, json_node_get_object (page), &stats,
                                                   NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "01900000-0000-7000-8000-000000000070"));
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contact_search_keys WHERE rid <> (SELECT rid FROM contacts)"), ==, 0);
  g_assert_false (crm_contact_search_get_deferred (f->b));
  {
    g_autofree char *after = crm_store_get_meta (f->b, "sync_cursor");

    g_assert_cmpstr (after, ==, cursor);
  }
  g_assert_nonnull (existing);
}

/* Rows with long notes: a page ends at a size as well as at a row count,
 * so no answer grows past what a client accepts. */
static void
test_pull_page_bounded_by_size (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSyncEngine) engine = NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  CrmSyncStats stats = { 0 };
  guint n = 48;
  gint64 first_page;

  /* 200 KiB of notes each: about 9.6 MB in all, more than one answer may hold. */
  while (notes->len < 200 * 1024)
    g_string_append (notes, "跟进记录：客户要求报价。");
  g_assert_true (crm_store_begin (f->a, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("长备注%02u", i);
      g_autofree char *id = add_contact (f->a, "name", name, "notes", notes->str, NULL);
    }
  g_assert_true (crm_store_commit (f->a, &error));
  engine = crm_sync_engine_new (f->a, f->url);
  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  crm_sync_engine_set_batch_size (engine, 10);
  crm_sync_engine_run (engine, NULL, &stats, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pushed, ==, n);
  g_clear_object (&engine);

  engine = crm_sync_engine_new (f->b, f->url);
  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  crm_sync_engine_set_page_size (engine, CRM_SYNC_MAX_PAGE);
  crm_sync_engine_set_max_pages (engine, 1);
  g_assert_false (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  first_page = count (f->b, "SELECT count(*) FROM contacts");
  g_assert_cmpint (first_page, >, 0);
  g_assert_cmpint (first_page, <, n);

  crm_sync_engine_set_max_pages (engine, 0);
  crm_sync_engine_run (engine, NULL, &stats, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, n);
  g_assert_cmpint (count (f->b, "SELECT min (length (notes)) = max (length (notes)) FROM contacts"), ==, 1);
}

/* crmctl sync binds a database to its account as the app does, and will
 * not sync it as someone else (their customers would mix). */
static void
test_cli_sync_one_account (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *exe = g_build_filename (CRM_BUILD_ROOT, "src", "cli", "crmctl", NULL);
  g_autofree char *password_file = g_build_filename (f->dir, "password", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *user = NULL;
  g_autofree char *id = add_contact (f->a, "name", "周杰", NULL);
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (password_file, PASSWORD, -1, &error));
  g_assert_cmpint (g_chmod (password_file, 0600), ==, 0);

  run = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                          exe, "--db", crm_store_get_path (f->a), "sync", "--server", f->url,
                          "--user", "alice", "--password-file", password_file, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (run, NULL, NULL, &out, &err, &error));
  g_assert_true (g_subprocess_get_successful (run));
  g_assert_true (g_str_has_prefix (out, "pushed 1, "));
  user = crm_store_get_meta (f->a, "sync_user");
  g_assert_cmpstr (user, ==, "alice");
  g_clear_object (&run);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  run = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                          exe, "--db", crm_store_get_path (f->a), "sync", "--server", f->url,
                          "--user", "dave", "--password-file", password_file, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (run, NULL, NULL, &out, &err, &error));
  g_assert_false (g_subprocess_get_successful (run));
  g_assert_nonnull (strstr (err, "holds the data of alice"));
  g_clear_pointer (&user, g_free);
  user = crm_store_get_meta (f->a, "sync_user");
  g_assert_cmpstr (user, ==, "alice");
}

/* CrmPullPipeline against a server of N pages, read off a script: the
 * pages come in order with the addresses the writer expects, fetching
 * stops at the last page, at a failure, at conflicts, after max_pages
 * and when the pull is cancelled, and a pipeline freed while it fetches
 * stops. */
typedef struct
{
  guint pages;          /* the server's pages: cursors 0 … pages - 1 */
  guint fail_at;        /* the cursor whose fetch fails (G_MAXUINT: none) */
  guint conflicts_at;   /* the page that carries a conflict (G_MAXUINT: none) */
  guint hang_at;        /* the cursor whose answer never comes (G_MAXUINT: none) */
  gint fetched;         /* atomic */
  gint hang_cancelled;  /* atomic: the stalled fetch ended by cancelling */
} PipelineScript;

static gboolean
script_fetch (const char    *path,
              GCancellable  *cancellable,
              JsonObject   **out_body,
              GError       **error,
              gpointer       data)
{
  PipelineScript *script = data;
  guint cursor = (guint) g_ascii_strtoull (path + strlen ("page-"), NULL, 10);
  g_autofree char *text = NULL;

  g_atomic_int_inc (&script->fetched);
  /* A server that stalls: only cancelling ends the wait (20 s at most,
   * not to hang the test). */
  for (guint waited = 0; cursor == script->hang_at && waited < 2000; waited++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          g_atomic_int_set (&script->hang_cancelled, TRUE);
          return FALSE;
        }
      g_usleep (10 * 1000);
    }
  if (cursor == script->fail_at)
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED, "token revoked");
      return FALSE;
    }
  text = g_strdup_printf ("{\"changes\":[],\"conflicts\":[%s],\"cursor\":%u,\"more\":%s}",
                          cursor == script->conflicts_at ? "{\"id\":1}" : "",
                          cursor + 1, cursor + 1 < script->pages ? "true" : "false");
  *out_body = crm_sync_parse_answer (text, strlen (text), error);
  return *out_body != NULL;
}

static char *
script_path (gint64   cursor,
             gpointer data)
{
  return g_strdup_printf ("page-%" G_GINT64_FORMAT, cursor);
}

/* Takes pages from @cursor on while they come; returns how many. */
static guint
take_pages (CrmPullPipeline *pipeline,
            guint            cursor)
{
  guint taken = 0;

  for (;; cursor++)
    {
      g_autofree char *path = script_path (cursor, NULL);
      CrmPulledPage *page = crm_pull_pipeline_take (pipeline, path);

      if (page == NULL)
        return taken;
      g_assert_cmpint (json_object_get_int_member (crm_pulled_page_get_body (page), "cursor"), ==, cursor + 1);
      crm_pull_pipeline_recycle (pipeline, page);
      taken++;
    }
}

static void
test_pull_pipeline (void)
{
  /* All of them, then nothing more. */
  {
    PipelineScript script = { 50, G_MAXUINT, G_MAXUINT, G_MAXUINT, 0, FALSE };
    g_autoptr(CrmPullPipeline) pipeline = crm_pull_pipeline_start (0, 0, NULL, script_fetch, script_path, &script);

    g_assert_cmpuint (take_pages (pipeline, 0), ==, 50);
    g_assert_null (crm_pull_pipeline_take (pipeline, "page-50"));
    g_assert_cmpint (g_atomic_int_get (&script.fetched), ==, 50);
  }
  /* A failed fetch ends it: the writer asks for that page itself. */
  {
    PipelineScript script = { 50, 7, G_MAXUINT, G_MAXUINT, 0, FALSE };
    g_autoptr(CrmPullPipeline) pipeline = crm_pull_pipeline_start (3, 0, NULL, script_fetch, script_path, &script);

    g_assert_cmpuint (take_pages (pipeline, 3), ==, 4);
    g_assert_cmpint (g_atomic_int_get (&script.fetched), ==, 5);
  }
  /* A page with conflicts is the last: their acknowledgement changes
   * the next address. */
  {
    PipelineScript script = { 50, G_MAXUINT, 4, G_MAXUINT, 0, FALSE };
    g_autoptr(CrmPullPipeline) pipeline = crm_pull_pipeline_start (0, 0, NULL, script_fetch, script_path, &script);

    g_assert_cmpuint (take_pages (pipeline, 0), ==, 5);
  }
  /* max_pages, and a page the writer did not expect. */
  {
    PipelineScript script = { 50, G_MAXUINT, G_MAXUINT, G_MAXUINT, 0, FALSE };
    g_autoptr(CrmPullPipeline) pipeline = crm_pull_pipeline_start (0, 3, NULL, script_fetch, script_path, &script);
    g_autoptr(CrmPullPipeline) other = crm_pull_pipeline_start (0, 0, NULL, script_fetch, script_path, &script);

    g_assert_cmpuint (take_pages (pipeline, 0), ==, 3);
    g_assert_null (crm_pull_pipeline_take (other, "page-1"));
    g_assert_null (crm_pull_pipeline_take (other, "page-0"));
  }
  /* The pull cancelled while the server stalls: the stalled fetch ends
   * at once and the writer waiting for its page gets none. */
  {
    PipelineScript script = { 50, G_MAXUINT, G_MAXUINT, 2, 0, FALSE };
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(CrmPullPipeline) pipeline = crm_pull_pipeline_start (0, 0, cancellable, script_fetch, script_path, &script);

    for (guint cursor = 0; cursor < 2; cursor++)
      {
        g_autofree char *path = script_path (cursor, NULL);
        CrmPulledPage *page = crm_pull_pipeline_take (pipeline, path);

        g_assert_nonnull (page);
        crm_pull_pipeline_recycle (pipeline, page);
      }
    while (g_atomic_int_get (&script.fetched) < 3)   /* page 2 is asked for */
      g_usleep (1000);
    g_cancellable_cancel (cancellable);
    g_assert_null (crm_pull_pipeline_take (pipeline, "page-2"));
    g_assert_true (g_atomic_int_get (&script.hang_cancelled));
  }
  /* Freed while it is ahead: it stops without fetching everything. */
  {
    PipelineScript script = { 100000, G_MAXUINT, G_MAXUINT, G_MAXUINT, 0, FALSE };
    CrmPullPipeline *pipeline = crm_pull_pipeline_start (0, 0, NULL, script_fetch, script_path, &script);

    for (guint cursor = 0; cursor < 2; cursor++)
      {
        g_autofree char *path = script_path (cursor, NULL);

        crm_pull_pipeline_recycle (pipeline, crm_pull_pipeline_take (pipeline, path));
      }
    crm_pull_pipeline_free (pipeline);
    /* Two taken, at most two ahead and the one being asked for. */
    g_assert_cmpint (g_atomic_int_get (&script.fetched), <=, 5);
  }
}

/* The nesting limit is read off the text before json-glib, which
 * recurses, parses it: a value CRM_SYNC_MAX_DEPTH deep passes, one level
 * more does not, brackets in strings do not count. */
static void
test_json_depth (void)
{
  static const struct { const char *json; gboolean ok; } cases[] = {
    { "{\"a\":[[[[[[[1]]]]]]]}", TRUE },                 /* 1 is 8 deep */
    { "{\"a\":[[[[[[[[]]]]]]]]}", TRUE },                /* an empty container 8 deep */
    { "{\"a\":[[[[[[[[1]]]]]]]]}", FALSE },              /* 1 is 9 deep */
    { "{\"a\":[[[[[[[{\"k\":1}]]]]]]]}", FALSE },        /* a member 9 deep */
    { "{\"a\":\"[[[[[[[[[[\\\"[[\"}", TRUE },          /* brackets in a string, after an escaped quote */
    { "{ \"a\" : [ [ [ [ [ [ [ [ ] ] ] ] ] ] ] ] }", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) object = crm_sync_parse_object (cases[i].json, strlen (cases[i].json), &error);

      if (cases[i].ok)
        g_assert_no_error (error);
      else
        {
          g_assert_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED);
          g_assert_nonnull (strstr (error->message, "8"));
        }
      g_assert_true ((object != NULL) == cases[i].ok);
    }
}

/* How a conflict's values and computers read. */
static void
test_conflict_display (void)
{
  g_autofree char *edit = crm_sync_conflict_display_value ("{\"notes\":\"下周二拜访\",\"tags\":[\"VIP\",\"华东\"]}");
  g_autofree char *text = crm_sync_conflict_display_value ("\"总监\"");
  g_autofree char *none = crm_sync_conflict_display_value ("null");
  g_autofree char *device = crm_sync_hlc_device_label ("2026-11-23T16:20:13.120Z-0000-01a24a6d-55da-76eb-b25b-995a4ce72a94");
  g_autofree char *no_device = crm_sync_hlc_device_label ("2026-11-23T16:20:13.120Z");

  g_assert_cmpstr (edit, ==, "notes: 下周二拜访\ntags: VIP, 华东");
  g_assert_cmpstr (text, ==, "总监");
  g_assert_cmpstr (none, ==, "∅");
  /* The random tail of the UUIDv7, not its time-based head. */
  g_assert_cmpstr (device, ==, "4ce72a94");
  g_assert_null (no_device);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *id = add_contact (f->a, "name", "异步", NULL);
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (f->a, f->url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };

  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  crm_sync_engine_run_async (engine, NULL, on_run_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (crm_sync_engine_run_finish (engine, result, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pushed, ==, 1);
}

static void
test_token_revoked_relogin (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *id = add_contact (f->a, "name", "令牌", NULL);
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (f->a, f->url);
  g_autoptr(GError) error = NULL;
  g_autofree char *first_token = NULL;
  CrmSyncStats stats = { 0 };

  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  first_token = g_strdup (crm_sync_engine_get_token (engine));

  /* The token dies between two syncs; the next one signs in again and
   * loses nothing. */
  g_assert_true (crm_server_revoke_user (f->server, "alice", &error));
  set_field (f->a, id, "city", "南京");
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpstr (crm_sync_engine_get_token (engine), !=, first_token);

  /* Without a password to sign in again, the user is told. */
  crm_sync_engine_set_credentials (engine, NULL, NULL);
  g_assert_true (crm_server_revoke_user (f->server, "alice", &error));
  g_assert_false (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED);
}

static void
test_write_survives_restart (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *path = g_strdup (crm_store_get_path (f->a));
  g_autofree char *id = add_contact (f->a, "name", "重启", NULL);
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats;

  /* The app quits (or dies) after the write, before any sync: the
   * mutation is in the outbox of the same transaction and goes out next
   * time. */
  g_assert_finalize_object (f->a);
  f->a = crm_store_open (path, &error);
  g_assert_no_error (error);
  stats = sync_as (f, f->a, "alice");
  g_assert_cmpuint (stats.pushed, ==, 1);
  sync_as (f, f->b, "alice");
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, 1);
}

/* crm-server as its own process, to kill it with SIGKILL mid-push.
 * @db: a SQLite file, or a postgresql:// URL. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
spawn_server (const char *db,
              guint16     port)
{
  g_autofree char *exe = g_build_filename (CRM_BUILD_ROOT, "src", "server", "crm-server", NULL);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  GSubprocess *server;

  /* A failed assertion must not leave the server running (and the test
   * runner waiting on its output). */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawn (launcher, &error, exe, g_str_has_prefix (db, "postgresql:") ? "--pg" : "--db", db,
                                        "--listen", listen, NULL);
  g_assert_no_error (error);
  return server;
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
wait_for_server (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *healthz = g_strconcat (url, "/healthz", NULL);

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", healthz);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

      if (body != NULL && soup_message_get_status (msg) == 200)
        return;
      g_usleep (50 * 1000);
    }
  g_assert_not_reached ();
}

static void
test_server_killed_mid_push (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *db = pg_cluster ? pg_cluster_create_database (pg_cluster)
                                    : g_build_filename (f->dir, "killed.db", NULL);
  g_autofree char *exe = g_build_filename (CRM_BUILD_ROOT, "src", "server", "crm-server", NULL);
  guint16 port = free_port ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autoptr(GSubprocess) adduser = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(CrmSyncEngine) engine = NULL;
  g_autoptr(CrmSyncEngine) reader = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };
  guint n = 3000;

  adduser = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              exe, pg_cluster ? "--pg" : "--db", db, "adduser", "alice", "--role", "admin", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (adduser, PASSWORD "\n", NULL, NULL, NULL, &error));
  g_assert_true (g_subprocess_get_successful (adduser));

  g_assert_true (crm_store_begin (f->a, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("断电%04u", i);
      g_autofree char *id = add_contact (f->a, "name", name, NULL);
    }
  g_assert_true (crm_store_commit (f->a, &error));

  server = spawn_server (db, port);
  wait_for_server (url);
  engine = crm_sync_engine_new (f->a, url);
  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  crm_sync_engine_set_batch_size (engine, 100);
  crm_sync_engine_run_async (engine, NULL, on_run_done, &result);

  /* Kill it while the batches go through (the store belongs to the sync
   * thread meanwhile, so time it rather than look). */
  g_usleep (300 * 1000);
  g_subprocess_force_exit (server);
  g_assert_true (g_subprocess_wait (server, NULL, &error));
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (crm_sync_engine_run_finish (engine, result, &stats, &error));
  g_assert_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_NETWORK);
  g_clear_error (&error);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM outbox"), >, 0);

  /* Restarted: the rest goes through, whatever the server had applied but
   * not answered is answered from its stored results. */
  g_clear_object (&server);
  server = spawn_server (db, port);
  wait_for_server (url);
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM outbox"), ==, 0);

  reader = crm_sync_engine_new (f->b, url);
  crm_sync_engine_set_credentials (reader, "alice", PASSWORD);
  crm_sync_engine_set_page_size (reader, CRM_SYNC_MAX_PAGE);
  crm_sync_engine_run (reader, NULL, &stats, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts"), ==, n);
  g_assert_cmpint (count (f->b, "SELECT count(DISTINCT name) FROM contacts"), ==, n);
  g_subprocess_send_signal (server, SIGTERM);
  g_assert_true (g_subprocess_wait (server, NULL, &error));
}

/* A deal's stage moves reach whoever sees the deal, whoever made them;
 * a deal moved to another rep's customer leaves with its history and
 * lines, and the pull that removes it still commits. */
static void
test_deal_children_scope (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *bob_id = user_id_of (f, "bob");
  g_autofree char *carol_id = user_id_of (f, "carol");
  g_autofree char *customer = add_contact (f->a, "name", "周婷", "owner_id", bob_id, NULL);
  g_autofree char *other = add_contact (f->a, "name", "吴迪", "owner_id", carol_id, NULL);
  g_autoptr(CrmPipeline) pipeline = crm_pipeline_new ();
  g_autoptr(CrmStage) first = crm_stage_new ();
  g_autoptr(CrmStage) second = crm_stage_new ();
  g_autoptr(CrmDeal) deal = crm_deal_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_object_set (pipeline, "name", "新客户开发", NULL);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (pipeline), &error));
  g_object_set (first, "pipeline-id", crm_record_get_id (CRM_RECORD (pipeline)), "name", "初步接触",
                "position", (gint64) 0, NULL);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (first), &error));
  g_object_set (second, "pipeline-id", crm_record_get_id (CRM_RECORD (pipeline)), "name", "方案报价",
                "position", (gint64) 1, NULL);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (second), &error));
  g_object_set (deal, "title", "年度茶叶采购", "contact-id", customer,
                "pipeline-id", crm_record_get_id (CRM_RECORD (pipeline)),
                "stage-id", crm_record_get_id (CRM_RECORD (first)), NULL);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (deal), &error));
  g_assert_no_error (error);
  line = crm_deal_add_product (f->a, crm_record_get_id (CRM_RECORD (deal)), "龙井茶叶", 3, 12850, NULL, &error);
  g_assert_no_error (error);

  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "bob");
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deals"), ==, 1);
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deal_stage_history"), ==, 1);

  /* Alice (admin, not the deal's rep) moves it on: bob sees the move. */
  g_object_set (deal, "stage-id", crm_record_get_id (CRM_RECORD (second)), NULL);
  g_assert_true (crm_store_update (f->a, CRM_RECORD (deal), &error));
  g_assert_no_error (error);
  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "bob");
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deal_stage_history"), ==, 2);

  /* The deal goes to carol's customer: it leaves bob's store with its
   * moves and lines; his customer stays. */
  g_object_set (deal, "contact-id", other, NULL);
  g_assert_true (crm_store_update (f->a, CRM_RECORD (deal), &error));
  g_assert_no_error (error);
  sync_as (f, f->a, "alice");
  sync_as (f, f->b, "bob");
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deals"), ==, 0);
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deal_stage_history"), ==, 0);
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deal_products"), ==, 0);
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM contacts"), ==, 1);
}

/* A row can come pages before the row it refers to: a deal edited after
 * its first stage move has a later seq than the move. Pulled one row a
 * page, every page still commits and nothing is left dangling. */
static void
test_child_before_parent (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *customer = add_contact (f->a, "name", "周婷", NULL);
  g_autoptr(CrmPipeline) pipeline = crm_pipeline_new ();
  g_autoptr(CrmStage) stage = crm_stage_new ();
  g_autoptr(CrmDeal) deal = crm_deal_new ();
  g_autoptr(CrmSyncEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  CrmSyncStats stats = { 0 };
  gboolean ok;

  g_object_set (pipeline, "name", "新客户开发", NULL);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (pipeline), &error));
  g_object_set (stage, "pipeline-id", crm_record_get_id (CRM_RECORD (pipeline)), "name", "初步接触", NULL);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (stage), &error));
  g_object_set (deal, "title", "年度茶叶采购", "contact-id", customer,
                "pipeline-id", crm_record_get_id (CRM_RECORD (pipeline)),
                "stage-id", crm_record_get_id (CRM_RECORD (stage)), NULL);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (deal), &error));
  line = crm_deal_add_product (f->a, crm_record_get_id (CRM_RECORD (deal)), "龙井茶叶", 3, 12850, NULL, &error);
  g_assert_no_error (error);
  sync_as (f, f->a, "alice");
  /* Edited later: the deal (and its customer) now come after their rows. */
  g_object_set (deal, "title", "年度茶叶采购（二期）", NULL);
  g_assert_true (crm_store_update (f->a, CRM_RECORD (deal), &error));
  set_field (f->a, customer, "title", "采购经理");
  sync_as (f, f->a, "alice");

  engine = crm_sync_engine_new (f->b, f->url);
  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  crm_sync_engine_set_page_size (engine, 1);
  ok = crm_sync_engine_run (engine, NULL, &stats, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deals"), ==, 1);
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deal_stage_history"), ==, 1);
  g_assert_cmpint (count (f->b, "SELECT count (*) FROM deal_products"), ==, 1);
}

static JsonObject *
parse_page (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Pages applied by hand: a purchase whose customer comes a page later
 * waits in the open transaction; one whose customer never comes (outside
 * the view) is left out when the last page commits, and nothing echoes
 * to the outbox. */
static void
test_dangling_pages (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("crm-sync-dangling-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "client.db", NULL);
  g_autoptr(CrmStore) store = crm_store_open (path, &error);
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (store, "http://127.0.0.1:9");
  const char *hlc = "2024-04-01T00:00:00.000Z-0000-0000000000000001";
  g_autofree char *first = g_strdup_printf (
    "{\"cursor\": 1, \"more\": true, \"changes\": ["
    " {\"op\": \"put\", \"table\": \"purchases\", \"id\": \"01900000-0000-7000-8000-0000000000a1\", \"seq\": 1,"
    "  \"row\": {\"contact_id\": \"01900000-0000-7000-8000-0000000000c1\", \"product\": \"茶叶\", \"amount\": 300,"
    "   \"purchased_at\": \"2024-02-02T02:00:00Z\", \"created_at\": \"%s\"}, \"hlc\": {\"amount\": \"%s\"}}]}",
    hlc, hlc);
  g_autofree char *second = g_strdup_printf (
    "{\"cursor\": 2, \"more\": false, \"changes\": ["
    " {\"op\": \"put\", \"table\": \"contacts\", \"id\": \"01900000-0000-7000-8000-0000000000c1\", \"seq\": 2,"
    "  \"row\": {\"name\": \"周婷\", \"created_at\": \"%s\"}, \"hlc\": {\"name\": \"%s\"}}]}", hlc, hlc);
  g_autofree char *orphan = g_strdup_printf (
    "{\"cursor\": 3, \"more\": false, \"changes\": ["
    " {\"op\": \"put\", \"table\": \"purchases\", \"id\": \"01900000-0000-7000-8000-0000000000a2\", \"seq\": 3,"
    "  \"row\": {\"contact_id\": \"01900000-0000-7000-8000-0000000000c9\", \"product\": \"茶杯\", \"amount\": 100,"
    "   \"purchased_at\": \"2024-02-03T02:00:00Z\", \"created_at\": \"%s\"}, \"hlc\": {\"amount\": \"%s\"}}]}",
    hlc, hlc);
  g_autoptr(JsonObject) page1 = parse_page (first);
  g_autoptr(JsonObject) page2 = parse_page (second);
  g_autoptr(JsonObject) page3 = parse_page (orphan);
  CrmSyncStats stats = { 0 };
  g_autofree char *cursor = NULL;

  g_assert_no_error (error);
  g_assert_true (crm_sync_engine_apply_pull_page (engine, page1, &stats, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* Not committed yet: the purchase waits for its customer. */
  g_assert_true (crm_store_in_transaction (store));
  g_assert_true (crm_sync_engine_apply_pull_page (engine, page2, &stats, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (crm_store_in_transaction (store));
  g_assert_cmpint (count (store, "SELECT count (*) FROM purchases"), ==, 1);
  g_assert_cmpint (count (store, "SELECT count (*) FROM contacts"), ==, 1);

  g_assert_true (crm_sync_engine_apply_pull_page (engine, page3, &stats, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (crm_store_in_transaction (store));
  g_assert_cmpint (count (store, "SELECT count (*) FROM purchases"), ==, 1);
  g_assert_cmpint (count (store, "SELECT count (*) FROM outbox"), ==, 0);
  cursor = crm_store_get_meta (store, "sync_cursor");
  g_assert_cmpstr (cursor, ==, "3");

  /* Pages left open and then no more: rolled back to the last commit. */
  g_clear_pointer (&page3, json_object_unref);
  page3 = parse_page (orphan);
  json_object_set_int_member (page3, "cursor", 4);
  json_object_set_boolean_member (page3, "more", TRUE);
  g_assert_true (crm_sync_engine_apply_pull_page (engine, page3, &stats, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (crm_store_in_transaction (store));
  crm_sync_engine_abandon_pull (engine);
  g_assert_false (crm_store_in_transaction (store));
  g_free (cursor);
  cursor = crm_store_get_meta (store, "sync_cursor");
  g_assert_cmpstr (cursor, ==, "3");

  g_clear_object (&engine);
  g_clear_object (&store);
  remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *skip = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_strcmp0 (g_getenv ("CRM_TEST_STORE"), "postgresql") == 0)
    {
      pg_cluster = pg_cluster_new (&skip, &error);
      if (skip != NULL)
        {
          g_print ("1..0 # SKIP %s\n", skip);
          return 0;
        }
      g_assert_no_error (error);
    }

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync/different-fields-merge", test_different_fields_merge);
  g_test_add_func ("/sync/conflict-display", test_conflict_display);
  g_test_add_func ("/sync/json-depth", test_json_depth);
  g_test_add_func ("/sync/pull-pipeline", test_pull_pipeline);
  ADD ("/sync/same-field-conflict", test_same_field_conflict);
  ADD ("/sync/delete-wins", test_delete_wins);
  ADD ("/sync/retry-and-gap", test_retry_and_gap);
  ADD ("/sync/bad-input", test_bad_input);
  ADD ("/sync/clock-ahead-clamped", test_clock_ahead_clamped);
  ADD ("/sync/shared-clocks", test_shared_clocks);
  ADD ("/sync/pulled-search-rows", test_pulled_search_rows);
  ADD ("/sync/pulled-bad-row", test_pulled_bad_row);
  ADD ("/sync/null-propagates", test_null_propagates);
  ADD ("/sync/awkward-text", test_awkward_text);
  ADD ("/sync/resync-keeps-local", test_resync_keeps_local);
  ADD ("/sync/client-diverged", test_client_diverged);
  ADD ("/sync/visibility", test_visibility);
  ADD ("/sync/deal-products", test_deal_products);
  ADD ("/sync/deal-children-scope", test_deal_children_scope);
  ADD ("/sync/child-before-parent", test_child_before_parent);
  g_test_add_func ("/sync/dangling-pages", test_dangling_pages);
  ADD ("/sync/analyst-read-only", test_analyst_read_only);
  ADD ("/sync/large-pull-resumes", test_large_pull_resumes);
  ADD ("/sync/async", test_async);
  ADD ("/sync/token-revoked-relogin", test_token_revoked_relogin);
  ADD ("/sync/pull-page-bounded-by-size", test_pull_page_bounded_by_size);
  ADD ("/sync/cli-one-account", test_cli_sync_one_account);
  ADD ("/sync/write-survives-restart", test_write_survives_restart);
  ADD ("/sync/server-killed-mid-push", test_server_killed_mid_push);
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&pg_cluster, pg_cluster_free);
  return status;
}
