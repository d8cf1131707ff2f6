/* test-server-api.c: the REST API (/api/v1) of a real crm-server on 127.0.0.1, and its changes synced to a desktop */

/* With CRM_TEST_STORE=postgresql the server stores in a PostgreSQL this
 * test starts, as test-sync does. */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "crm-runtime.h"
#include "crm-server.h"
#include "crm-server-api.h"
#include "crm-server-private.h"
#include "crm-sync-engine.h"
#include "server-fixture.h"

#define PASSWORD "correct horse battery"

/* NULL: the server stores in SQLite. */
static PgCluster *pg_cluster;

typedef struct
{
  ServerFixture server;
  SoupSession *session;
  char *full_key;       /* every scope */
  char *full_key_id;
  char *read_key;       /* contacts:read only */
} Fixture;

static void
prepare_server (CrmServer *server,
                gpointer   data)
{
  static const char all_scopes[] = "contacts:read,contacts:write,purchases:read,purchases:write,"
                                   "activities:read,activities:write,deals:read,deals:write";
  Fixture *f = data;
  CrmServerBackend *backend = crm_server_get_backend (server);
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_server_add_user (server, "alice", PASSWORD, "admin", NULL, &error));
  f->full_key = crm_server_api_key_create (backend, "shop", all_scopes, &f->full_key_id, &error);
  g_assert_no_error (error);
  f->read_key = crm_server_api_key_create (backend, "reader", "contacts:read", NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  server_fixture_start (&f->server, pg_cluster, prepare_server, f);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  server_fixture_stop (&f->server);
  g_free (f->full_key);
  g_free (f->full_key_id);
  g_free (f->read_key);
}

/* One API request; returns the status and the JSON answer in @out. */
static guint
api_full (Fixture     *f,
          const char  *method,
          const char  *path,
          const char  *key,
          const char  *body,
          gssize       body_length,
          JsonObject **out)
{
  g_autofree char *url = g_strdup_printf ("%s%s", f->server.url, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize length;
  const char *data;

  g_assert_nonnull (msg);
  if (key != NULL)
    {
      g_autofree char *header = g_strdup_printf ("Bearer %s", key);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_length < 0 ? strlen (body) : (gsize) body_length);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (answer, &length);
  if (out != NULL)
    {
      JsonNode *root;

      if (!json_parser_load_from_data (parser, data, length, &error))
        g_error ("%s %s answered %u with no JSON: %.*s", method, path, soup_message_get_status (msg),
                 (int) MIN (length, 300), data);
      root = json_parser_get_root (parser);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
      *out = json_object_ref (json_node_get_object (root));
    }
  return soup_message_get_status (msg);
}

static guint
api (Fixture     *f,
     const char  *method,
     const char  *path,
     const char  *key,
     const char  *body,
     JsonObject **out)
{
  return api_full (f, method, path, key, body, -1, out);
}

/* The error code of an error answer, checking its shape on the way. */
static const char *
error_code (JsonObject *answer)
{
  JsonObject *error = json_object_get_object_member (answer, "error");

  g_assert_nonnull (error);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  return json_object_get_string_member (error, "code");
}

static char *
create_contact (Fixture    *f,
                const char *fields)
{
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpuint (api (f, "POST", "/api/v1/contacts", f->full_key, fields, &answer), ==, SOUP_STATUS_CREATED);
  return g_strdup (json_object_get_string_member (answer, "id"));
}

static guint
count_records (Fixture    *f,
               const char *collection)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/%s?limit=1000", collection);
  g_autoptr(JsonObject) answer = NULL;

  g_assert_cmpuint (api (f, "GET", path, f->full_key, NULL, &answer), ==, SOUP_STATUS_OK);
  g_assert_true (json_object_get_null_member (answer, "next_cursor"));
  return json_array_get_length (json_object_get_array_member (answer, "data"));
}

/* --- keys ------------------------------------------------------------------ */

static char *
run_cli (Fixture     *f,
         int          expected_status,
         const char  *first,
         ...)
{
  g_autofree char *exe = g_build_filename (CRM_BUILD_ROOT, "src", "server", "crm-server", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, exe);
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, (gpointer) (f->server.pg_url ? "--pg" : "--db"));
  g_ptr_array_add (argv, f->server.pg_url ? f->server.pg_url : f->server.db_path);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, expected_status);
  return g_strchomp (g_steal_pointer (&out));
}

static void
test_keys (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *key = NULL;
  g_autofree char *list = NULL;
  g_autofree char *id = NULL;
  g_autofree char *revoked = NULL;
  g_auto(GStrv) lines = NULL;
  const char *body = "{\"name\": \"Ann\"}";

  /* No key, a made-up key, a malformed header: 401. */
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts", NULL, NULL, &answer), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpstr (error_code (answer), ==, "unauthorized");
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts", "crm_0000", NULL, &answer), ==, SOUP_STATUS_UNAUTHORIZED);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts", "not-a-key", NULL, &answer), ==, SOUP_STATUS_UNAUTHORIZED);
  g_clear_pointer (&answer, json_object_unref);

  /* A key reads what its scopes allow and nothing else: 403 names the
   * missing scope. */
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts", f->read_key, NULL, &answer), ==, SOUP_STATUS_OK);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "POST", "/api/v1/contacts", f->read_key, body, &answer), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpstr (error_code (answer), ==, "insufficient_scope");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer, "error"), "scope"),
                   ==, "contacts:write");
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (answer, "error"),
                                                           "message"), "contacts:write"));
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v1/deals", f->read_key, NULL, &answer), ==, SOUP_STATUS_FORBIDDEN);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "POST", "/api/v1/purchases:bulk-upsert", f->read_key, "{\"purchases\": []}", &answer),
                    ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer, "error"), "scope"),
                   ==, "purchases:write");
  g_clear_pointer (&answer, json_object_unref);
  /* Nothing was written by the refused requests. */
  g_assert_cmpuint (count_records (f, "contacts"), ==, 0);

  /* The command line makes a key (printed once), lists it, revokes it;
   * the revoked key is refused from then on. A bad scope is refused. */
  g_free (run_cli (f, 1, "apikey", "create", "--name", "erp", "--scopes", "contacts:rwx", NULL));
  key = run_cli (f, 0, "apikey", "create", "--name", "erp", "--scopes", "contacts:write,contacts:read", NULL);
  g_assert_true (g_str_has_prefix (key, "crm_"));
  g_assert_cmpuint (api (f, "POST", "/api/v1/contacts", key, body, &answer), ==, SOUP_STATUS_CREATED);
  g_clear_pointer (&answer, json_object_unref);
  list = run_cli (f, 0, "apikey", "list", NULL);
  g_assert_null (strstr (list, key + 4));
  lines = g_strsplit (list, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "\terp\t") != NULL)
      id = g_strndup (lines[i], strcspn (lines[i], "\t"));
  g_assert_nonnull (id);
  g_free (run_cli (f, 0, "apikey", "revoke", id, NULL));
  g_free (run_cli (f, 1, "apikey", "revoke", "no-such-key", NULL));
  g_assert_cmpuint (api (f, "POST", "/api/v1/contacts", key, body, &answer), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpstr (error_code (answer), ==, "unauthorized");
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts", key, NULL, &answer), ==, SOUP_STATUS_UNAUTHORIZED);
  g_clear_pointer (&answer, json_object_unref);
  revoked = run_cli (f, 0, "apikey", "list", NULL);
  g_assert_nonnull (strstr (revoked, "revoked"));
  /* The other keys still work. */
  g_assert_cmpuint (count_records (f, "contacts"), ==, 1);
}

/* --- paging ---------------------------------------------------------------- */

static void
test_paging (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GHashTable) created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *first_id = NULL;
  g_autofree char *changed_id = NULL;
  g_autofree char *path = NULL;
  guint pages = 0;
  gint64 latest;
  JsonArray *records;

  for (guint i = 0; i < 25; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\": \"Customer %02u\", \"city\": \"Hangzhou\"}", i);
      char *id = create_contact (f, body);

      g_hash_table_add (created, id);
      if (i == 0)
        first_id = g_strdup (id);
      if (i == 7)
        changed_id = g_strdup (id);
    }

  /* 25 rows by 10: pages of 10, 10 and 5, then no cursor; no row twice,
   * none left out. */
  do
    {
      g_autofree char *page_path = cursor
        ? g_strdup_printf ("/api/v1/contacts?limit=10&cursor=%s", cursor)
        : g_strdup ("/api/v1/contacts?limit=10");

      g_clear_pointer (&answer, json_object_unref);
      g_assert_cmpuint (api (f, "GET", page_path, f->full_key, NULL, &answer), ==, SOUP_STATUS_OK);
      records = json_object_get_array_member (answer, "data");
      g_assert_cmpuint (json_array_get_length (records), ==, pages < 2 ? 10 : 5);
      for (guint i = 0; i < json_array_get_length (records); i++)
        {
          JsonObject *record = json_array_get_object_element (records, i);

          g_assert_true (g_hash_table_add (seen, g_strdup (json_object_get_string_member (record, "id"))));
          g_assert_cmpstr (json_object_get_string_member (record, "city"), ==, "Hangzhou");
          g_assert_false (json_object_get_boolean_member (record, "deleted"));
        }
      g_clear_pointer (&cursor, g_free);
      if (!json_object_get_null_member (answer, "next_cursor"))
        cursor = g_strdup (json_object_get_string_member (answer, "next_cursor"));
      pages++;
    }
  while (cursor != NULL);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 25);
  {
    GHashTableIter iter;
    const char *id;

    g_hash_table_iter_init (&iter, created);
    while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
      g_assert_true (g_hash_table_contains (seen, id));
  }
  latest = json_object_get_int_member (answer, "latest_seq");
  g_assert_cmpint (latest, >=, 25);

  /* A record changed while a client pages moves to a later page: paging
   * again with a change after the first page still finds every record,
   * and the changed one once more at the end. */
  {
    g_autoptr(GHashTable) again = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *next = NULL;
    g_autofree char *moved = NULL;
    guint rows = 0;

    do
      {
        g_autofree char *page_path = next
          ? g_strdup_printf ("/api/v1/contacts?limit=10&cursor=%s", next)
          : g_strdup ("/api/v1/contacts?limit=10");

        g_clear_pointer (&answer, json_object_unref);
        g_assert_cmpuint (api (f, "GET", page_path, f->full_key, NULL, &answer), ==, SOUP_STATUS_OK);
        records = json_object_get_array_member (answer, "data");
        for (guint i = 0; i < json_array_get_length (records); i++)
          {
            const char *id = json_object_get_string_member (json_array_get_object_element (records, i), "id");

            g_hash_table_add (again, g_strdup (id));
            rows++;
            if (moved == NULL)
              moved = g_strdup (id);
          }
        if (next == NULL)
          {
            g_autofree char *moved_path = g_strdup_printf ("/api/v1/contacts/%s", moved);
            g_autoptr(JsonObject) patched = NULL;

            g_assert_cmpuint (api (f, "PATCH", moved_path, f->full_key, "{\"notes\": \"moved\"}", &patched),
                              ==, SOUP_STATUS_OK);
          }
        g_clear_pointer (&next, g_free);
        if (!json_object_get_null_member (answer, "next_cursor"))
          next = g_strdup (json_object_get_string_member (answer, "next_cursor"));
      }
    while (next != NULL);
    g_assert_cmpuint (g_hash_table_size (again), ==, 25);
    g_assert_cmpuint (rows, ==, 26);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records,
                                                      json_array_get_length (records) - 1), "id"), ==, moved);
    latest = json_object_get_int_member (answer, "latest_seq");
  }

  /* One record by id; a PATCH changes the fields given, keeps the rest. */
  path = g_strdup_printf ("/api/v1/contacts/%s", changed_id);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "PATCH", path, f->full_key, "{\"city\": \"Suzhou\", \"consent_email\": true}", &answer),
                    ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (answer, "city"), ==, "Suzhou");
  g_assert_cmpstr (json_object_get_string_member (answer, "name"), ==, "Customer 07");
  g_assert_cmpint (json_object_get_int_member (answer, "consent_email"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (answer, "seq"), >, latest);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", path, f->full_key, NULL, &answer), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (answer, "city"), ==, "Suzhou");

  /* updated_since as a seq: only what changed after it. */
  g_free (path);
  path = g_strdup_printf ("/api/v1/contacts?updated_since=%" G_GINT64_FORMAT, latest);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", path, f->full_key, NULL, &answer), ==, SOUP_STATUS_OK);
  records = json_object_get_array_member (answer, "data");
  g_assert_cmpuint (json_array_get_length (records), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, 0), "id"), ==, changed_id);
  g_assert_true (json_object_get_null_member (answer, "next_cursor"));

  /* updated_since as a time: a past one finds all, a future one none;
   * the records' updated_at is such a time. */
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts?updated_since=2000-01-01T00:00:00Z&limit=100", f->full_key,
                         NULL, &answer), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "data")), ==, 25);
  {
    JsonObject *record = json_array_get_object_element (json_object_get_array_member (answer, "data"), 0);
    g_autoptr(GDateTime) at = g_date_time_new_from_iso8601 (json_object_get_string_member (record, "updated_at"),
                                                            NULL);

    g_assert_nonnull (at);
  }
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts?updated_since=2999-01-01", f->full_key, NULL, &answer),
                    ==, SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "data")), ==, 0);

  /* Bad paging parameters are the client's error. */
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts?limit=0", f->full_key, NULL, &answer), ==,
                    SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (error_code (answer), ==, "malformed");
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts?cursor=bogus", f->full_key, NULL, &answer), ==,
                    SOUP_STATUS_BAD_REQUEST);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts?updated_since=yesterday", f->full_key, NULL, &answer), ==,
                    SOUP_STATUS_BAD_REQUEST);
}

/* --- bulk upsert ----------------------------------------------------------- */

#define BATCH \
  "{\"purchases\": [" \
  " {\"order_ref\": \"SO-1\", \"contact_id\": \"%s\", \"product\": \"Green tea\", \"amount\": 12800," \
  "  \"purchased_at\": \"2024-03-01T10:00:00Z\", \"channel\": \"shop\"}," \
  " {\"order_ref\": \"SO-2\", \"contact\": {\"email\": \"li@example.com\"}, \"product\": \"Teapot\"," \
  "  \"amount\": 45000, \"quantity\": 2, \"purchased_at\": \"2024-03-02T10:00:00Z\"}," \
  " {\"order_ref\": \"SO-3\", \"contact\": {\"phone\": \"13800138000\"}, \"product\": \"Cups\"," \
  "  \"amount\": 9900, \"purchased_at\": \"2024-03-03T10:00:00Z\"}," \
  " {\"order_ref\": \"SO-4\", \"contact\": {\"external_id\": \"ERP-77\"}, \"product\": \"Oolong\"," \
  "  \"amount\": 15800, \"purchased_at\": \"2024-03-04T10:00:00Z\"}," \
  " {\"order_ref\": \"SO-5\", \"contact\": {\"id\": \"%s\"}, \"product\": \"Tray\"," \
  "  \"amount\": 3000, \"purchased_at\": \"2024-03-05T10:00:00Z\"}" \
  "]}"

static guint
summary_count (JsonObject *answer,
               const char *status)
{
  return json_object_get_int_member (json_object_get_object_member (answer, "summary"), status);
}

static void
test_bulk_idempotent (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *wang = create_contact (f, "{\"name\": \"王芳\"}");
  g_autofree char *li = create_contact (f, "{\"name\": \"Li Lei\", \"emails\": [\"li@example.com\"], "
                                           "\"phones\": [\"13800138000\"], \"external_id\": \"ERP-77\"}");
  g_autofree char *batch = g_strdup_printf (BATCH, wang, li);
  g_autoptr(GString) changed = g_string_new (batch);
  g_autoptr(JsonObject) answer = NULL;
  JsonArray *results;

  g_assert_cmpuint (api (f, "POST", "/api/v1/purchases:bulk-upsert", f->full_key, batch, &answer), ==,
                    SOUP_STATUS_OK);
  g_assert_cmpuint (summary_count (answer, "created"), ==, 5);
  results = json_object_get_array_member (answer, "results");
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      g_assert_cmpint (json_object_get_int_member (result, "index"), ==, i);
      g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "created");
    }
  g_assert_cmpuint (count_records (f, "purchases"), ==, 5);

  /* The same batch again, on the other path: nothing new, nothing changed. */
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "POST", "/api/v1/purchases/bulk", f->full_key, batch, &answer), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (summary_count (answer, "unchanged"), ==, 5);
  g_assert_cmpuint (summary_count (answer, "created"), ==, 0);
  g_assert_cmpuint (count_records (f, "purchases"), ==, 5);

  /* An order whose amount was corrected: that one is updated in place. */
  g_string_replace (changed, "12800", "11800", 1);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "POST", "/api/v1/purchases:bulk-upsert", f->full_key, changed->str, &answer), ==,
                    SOUP_STATUS_OK);
  g_assert_cmpuint (summary_count (answer, "updated"), ==, 1);
  g_assert_cmpuint (summary_count (answer, "unchanged"), ==, 4);
  g_assert_cmpuint (count_records (f, "purchases"), ==, 5);
  {
    JsonObject *first = json_array_get_object_element (json_object_get_array_member (answer, "results"), 0);
    g_autofree char *path = g_strdup_printf ("/api/v1/purchases/%s", json_object_get_string_member (first, "id"));
    g_autoptr(JsonObject) purchase = NULL;

    g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "updated");
    g_assert_cmpuint (api (f, "GET", path, f->full_key, NULL, &purchase), ==, SOUP_STATUS_OK);
    g_assert_cmpint (json_object_get_int_member (purchase, "amount"), ==, 11800);
    g_assert_cmpstr (json_object_get_string_member (purchase, "contact_id"), ==, wang);
    g_assert_cmpstr (json_object_get_string_member (purchase, "order_ref"), ==, "SO-1");
  }
  /* The customers were matched by email, phone, external_id and id. */
  {
    g_autoptr(JsonObject) page = NULL;
    JsonArray *records;
    guint of_li = 0;

    g_assert_cmpuint (api (f, "GET", "/api/v1/purchases", f->full_key, NULL, &page), ==, SOUP_STATUS_OK);
    records = json_object_get_array_member (page, "data");
    for (guint i = 0; i < json_array_get_length (records); i++)
      if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (records, i), "contact_id"),
                     li) == 0)
        of_li++;
    g_assert_cmpuint (of_li, ==, 4);
  }
}

static JsonObject *
result_at (JsonObject *answer,
           guint       index)
{
  JsonObject *result = json_array_get_object_element (json_object_get_array_member (answer, "results"), index);

  g_assert_cmpint (json_object_get_int_member (result, "index"), ==, index);
  return result;
}

/* The field of a failed record's first error. */
static const char *
result_error_field (JsonObject *result)
{
  JsonArray *errors;

  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "error");
  errors = json_object_get_array_member (result, "errors");
  g_assert_cmpuint (json_array_get_length (errors), >=, 1);
  g_assert_nonnull (json_object_get_string_member (json_array_get_object_element (errors, 0), "message"));
  return json_object_get_string_member (json_array_get_object_element (errors, 0), "field");
}

static void
test_bulk_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *wang = create_contact (f, "{\"name\": \"王芳\", \"emails\": [\"wang@example.com\"]}");
  g_autofree char *batch = g_strdup_printf (
    "{\"purchases\": ["
    " {\"order_ref\": \"OK-1\", \"contact_id\": \"%s\", \"product\": \"Tea\", \"amount\": 100,"
    "  \"purchased_at\": \"2024-03-01\"},"
    " {\"order_ref\": \"BAD-1\", \"contact_id\": \"%s\", \"product\": \"Tea\", \"amount\": -5,"
    "  \"purchased_at\": \"2024-03-01\"},"
    " {\"order_ref\": \"BAD-2\", \"contact_id\": \"%s\", \"product\": \"Tea\", \"colour\": \"red\","
    "  \"purchased_at\": \"2024-03-01\"},"
    " {\"contact_id\": \"%s\", \"product\": \"Tea\", \"purchased_at\": \"2024-03-01\"},"
    " {\"order_ref\": \"OK-2\", \"contact\": {\"email\": \"wang@example.com\"}, \"product\": \"Cup\","
    "  \"purchased_at\": \"2024-03-02\"},"
    " {\"order_ref\": \"BAD-3\", \"contact\": {\"email\": \"nobody@example.com\"}, \"product\": \"Cup\","
    "  \"purchased_at\": \"2024-03-02\"},"
    " 42,"
    " {\"order_ref\": \"BAD-4\", \"contact_id\": \"%s\", \"product\": \"Tea\", \"amount\": \"lots\","
    "  \"purchased_at\": \"2024-03-01\"},"
    " {\"order_ref\": \"BAD-5\", \"contact_id\": \"%s\", \"product\": \"Tea\", \"purchased_at\": \"someday\"}"
    "]}", wang, wang, wang, wang, wang, wang);
  g_autoptr(JsonObject) answer = NULL;

  /* The good records are applied, each bad one says why, by field. */
  g_assert_cmpuint (api (f, "POST", "/api/v1/purchases:bulk-upsert", f->full_key, batch, &answer), ==,
                    SOUP_STATUS_OK);
  g_assert_cmpuint (summary_count (answer, "created"), ==, 2);
  g_assert_cmpuint (summary_count (answer, "error"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (result_at (answer, 0), "status"), ==, "created");
  g_assert_cmpstr (result_error_field (result_at (answer, 1)), ==, "amount");
  g_assert_cmpstr (result_error_field (result_at (answer, 2)), ==, "colour");
  g_assert_cmpstr (result_error_field (result_at (answer, 3)), ==, "order_ref");
  g_assert_cmpstr (json_object_get_string_member (result_at (answer, 4), "status"), ==, "created");
  g_assert_cmpstr (result_error_field (result_at (answer, 5)), ==, "contact.email");
  g_assert_null (result_error_field (result_at (answer, 6)));
  g_assert_cmpstr (result_error_field (result_at (answer, 7)), ==, "amount");
  g_assert_cmpstr (result_error_field (result_at (answer, 8)), ==, "purchased_at");
  g_assert_cmpuint (count_records (f, "purchases"), ==, 2);

  /* A batch with nothing valid is refused as a whole, with the reasons. */
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "POST", "/api/v1/purchases:bulk-upsert", f->full_key,
                         "{\"purchases\": [{\"order_ref\": \"X\", \"product\": \"Tea\"}, {\"amount\": 1}]}",
                         &answer), ==, 422);
  g_assert_cmpstr (error_code (answer), ==, "validation_failed");
  g_assert_cmpstr (result_error_field (result_at (answer, 0)), ==, "contact");
  g_assert_cmpstr (result_error_field (result_at (answer, 1)), ==, "order_ref");
  g_assert_cmpuint (count_records (f, "purchases"), ==, 2);

  /* Not a batch at all. */
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "POST", "/api/v1/purchases:bulk-upsert", f->full_key, "{\"orders\": []}", &answer), ==,
                    SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (error_code (answer), ==, "malformed");
}

/* --- bad requests ---------------------------------------------------------- */

static void
shrink_body_limit (CrmServer *server,
                   gpointer   data)
{
  crm_server_set_limits (server, 64 * 1024, 0, 0);
}

static void
set_rate_limit (CrmServer *server,
                gpointer   data)
{
  crm_server_set_limits (server, 0, 0, GPOINTER_TO_UINT (data));
}

/* A body of unknown length, sent chunked. */
static guint
post_chunked (Fixture    *f,
              const char *path,
              const char *body)
{
  g_autofree char *url = g_strdup_printf ("%s%s", f->server.url, path);
  g_autofree char *header = g_strdup_printf ("Bearer %s", f->full_key);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (body, strlen (body), NULL);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
  soup_message_set_request_body (msg, "application/json", stream, -1);
  answer = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  g_assert_nonnull (strstr (text, "\"code\":\"malformed\""));
  return soup_message_get_status (msg);
}

static void
test_bad_requests (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GString) large = g_string_new ("{\"name\": \"");
  g_autofree char *id = create_contact (f, "{\"name\": \"Ann\"}");
  g_autofree char *path = g_strdup_printf ("/api/v1/contacts/%s", id);
  JsonArray *errors;

  /* Malformed JSON, and JSON that is not an object: 400. */
  g_assert_cmpuint (api (f, "POST", "/api/v1/contacts", f->full_key, "{\"name\": \"Ann\"", &answer), ==,
                    SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpstr (error_code (answer), ==, "malformed");
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "POST", "/api/v1/contacts", f->full_key, "[1, 2]", &answer), ==,
                    SOUP_STATUS_BAD_REQUEST);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "POST", "/api/v1/purchases:bulk-upsert", f->full_key, "{\"purchases\": [", &answer),
                    ==, SOUP_STATUS_BAD_REQUEST);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "PATCH", path, f->full_key, "nonsense", &answer), ==, SOUP_STATUS_BAD_REQUEST);
  g_clear_pointer (&answer, json_object_unref);

  /* Larger than --max-body-size: 413, before it is read. */
  server_fixture_call (&f->server, shrink_body_limit, NULL);
  for (guint i = 0; i < 100 * 1024; i++)
    g_string_append_c (large, 'x');
  g_string_append (large, "\"}");
  g_assert_cmpuint (api (f, "POST", "/api/v1/contacts", f->full_key, large->str, &answer), ==,
                    SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  g_assert_cmpstr (error_code (answer), ==, "too_large");
  g_clear_pointer (&answer, json_object_unref);
  /* A body whose size is not said up front: 411. */
  g_assert_cmpuint (post_chunked (f, "/api/v1/contacts", "{\"name\": \"Chunked\"}"), ==,
                    SOUP_STATUS_LENGTH_REQUIRED);

  /* Unknown and wrongly typed fields: 422, each named. */
  g_assert_cmpuint (api (f, "POST", "/api/v1/contacts", f->full_key,
                         "{\"name\": \"Bob\", \"shoe_size\": 44, \"emails\": \"bob@example.com\", \"consent_sms\": \"yes\"}",
                         &answer), ==, 422);
  g_assert_cmpstr (error_code (answer), ==, "validation_failed");
  errors = json_object_get_array_member (json_object_get_object_member (answer, "error"), "errors");
  g_assert_cmpuint (json_array_get_length (errors), ==, 3);
  g_clear_pointer (&answer, json_object_unref);
  /* A rule of the app's schema, and a purchase of a customer that does
   * not exist. */
  g_assert_cmpuint (api (f, "POST", "/api/v1/contacts", f->full_key, "{\"name\": \"  \"}", &answer), ==, 422);
  errors = json_object_get_array_member (json_object_get_object_member (answer, "error"), "errors");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (errors, 0), "field"), ==, "name");
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "POST", "/api/v1/purchases", f->full_key,
                         "{\"contact_id\": \"01890000-0000-7000-8000-000000000000\", \"product\": \"Tea\","
                         " \"purchased_at\": \"2024-01-01\"}", &answer), ==, 422);
  errors = json_object_get_array_member (json_object_get_object_member (answer, "error"), "errors");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (errors, 0), "field"), ==,
                   "contact_id");
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "PATCH", path, f->full_key, "{\"deleted\": 1}", &answer), ==, 422);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (count_records (f, "contacts"), ==, 1);
  g_assert_cmpuint (count_records (f, "purchases"), ==, 0);

  /* Unknown ids and paths: 404; a method a path does not take: 405. */
  g_assert_cmpuint (api (f, "GET", "/api/v1/contacts/01890000-0000-7000-8000-000000000000", f->full_key, NULL,
                         &answer), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpstr (error_code (answer), ==, "not_found");
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "PATCH", "/api/v1/deals/01890000-0000-7000-8000-000000000000", f->full_key,
                         "{\"title\": \"x\"}", &answer), ==, SOUP_STATUS_NOT_FOUND);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v1/segments", f->full_key, NULL, &answer), ==, SOUP_STATUS_NOT_FOUND);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "DELETE", path, f->full_key, NULL, &answer), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_assert_cmpstr (error_code (answer), ==, "method_not_allowed");
  g_clear_pointer (&answer, json_object_unref);

  /* Over --rate-limit a key is told to wait (429). */
  server_fixture_call (&f->server, set_rate_limit, GUINT_TO_POINTER (3));
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (api (f, "GET", path, f->full_key, NULL, &answer), ==, SOUP_STATUS_OK);
      g_clear_pointer (&answer, json_object_unref);
    }
  g_assert_cmpuint (api (f, "GET", path, f->full_key, NULL, &answer), ==, 429);
  g_assert_cmpstr (error_code (answer), ==, "rate_limited");
  g_clear_pointer (&answer, json_object_unref);
  /* Another key has its own count. */
  g_assert_cmpuint (api (f, "GET", path, f->read_key, NULL, &answer), ==, SOUP_STATUS_OK);
}

/* The fields the server takes for each collection, as the API checks
 * them (synced columns less id and deleted), comma-joined and sorted. */
static void
collect_columns (CrmServer *server,
                 gpointer   data)
{
  static const char * const tables[] = { "contacts", "purchases", "activities", "deals", NULL };
  GHashTable *out = data;

  for (guint i = 0; tables[i] != NULL; i++)
    {
      g_autoptr(GList) names = g_hash_table_get_keys (crm_server_get_columns (server, tables[i]));
      g_autoptr(GString) joined = g_string_new (NULL);

      names = g_list_sort (names, (GCompareFunc) strcmp);
      for (GList *l = names; l != NULL; l = l->next)
        if (!g_str_equal (l->data, "id") && !g_str_equal (l->data, "deleted"))
          g_string_append_printf (joined, "%s%s", joined->len ? "," : "", (const char *) l->data);
      g_hash_table_insert (out, g_strdup (tables[i]), g_string_free (g_steal_pointer (&joined), FALSE));
    }
}

/* The OpenAPI document is served, names every path, and its input
 * schemas list exactly the fields the server takes. */
static void
test_openapi (Fixture       *f,
              gconstpointer  data)
{
  static const char * const expected[] = {
    "/contacts", "/contacts/{id}", "/purchases", "/purchases/{id}", "/activities", "/activities/{id}",
    "/deals", "/deals/{id}", "/purchases:bulk-upsert", "/purchases/bulk", "/openapi.json", NULL
  };
  static const struct { const char *table; const char *schema; } inputs[] = {
    { "contacts", "ContactInput" }, { "purchases", "PurchaseInput" },
    { "activities", "ActivityInput" }, { "deals", "DealInput" },
  };
  g_autoptr(GHashTable) columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(JsonObject) answer = NULL;
  JsonObject *paths, *schemas;

  g_assert_cmpuint (api (f, "GET", "/api/v1/openapi.json", NULL, NULL, &answer), ==, SOUP_STATUS_OK);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (answer, "openapi"), "3.0"));
  paths = json_object_get_object_member (answer, "paths");
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_true (json_object_has_member (paths, expected[i]));
  g_assert_cmpuint (json_object_get_size (paths), ==, g_strv_length ((char **) expected));

  server_fixture_call (&f->server, collect_columns, columns);
  schemas = json_object_get_object_member (json_object_get_object_member (answer, "components"), "schemas");
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      JsonObject *properties = json_object_get_object_member (json_object_get_object_member (schemas, inputs[i].schema),
                                                              "properties");
      g_autoptr(GList) names = g_list_sort (json_object_get_members (properties), (GCompareFunc) strcmp);
      g_autoptr(GString) joined = g_string_new (NULL);

      for (GList *l = names; l != NULL; l = l->next)
        g_string_append_printf (joined, "%s%s", joined->len ? "," : "", (const char *) l->data);
      g_assert_cmpstr (joined->str, ==, g_hash_table_lookup (columns, inputs[i].table));
    }
  g_clear_pointer (&answer, json_object_unref);

  /* Its other methods are not allowed; other paths are not found. */
  g_assert_cmpuint (api (f, "POST", "/api/v1/openapi.json", NULL, "{}", &answer), ==,
                    SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (api (f, "GET", "/api/v2/contacts", NULL, NULL, &answer), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpstr (error_code (answer), ==, "not_found");
}

/* --- sync ------------------------------------------------------------------ */

static void
sync_store (Fixture  *f,
            CrmStore *store)
{
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (store, f->server.url);
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };

  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_no_error (error);
}

/* The audit entries the server holds for this key's writes. */
static gint64
audit_count (Fixture *f)
{
  static const char sql[] = "SELECT count(*) FROM audit WHERE user_id = 'api:shop' AND client_id LIKE 'api:%'"
                            " AND status = 'applied'";
  gint64 n = -1;

  if (f->server.pg_url != NULL)
    {
      PGconn *conn = PQconnectdb (f->server.pg_url);
      PGresult *result;

      g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
      result = PQexec (conn, sql);
      g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
      n = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
      PQclear (result);
      PQfinish (conn);
    }
  else
    {
      sqlite3 *db = NULL;
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_open_v2 (f->server.db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      n = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      sqlite3_close (db);
    }
  return n;
}

static void
test_sync (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->server.dir, "desktop.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = crm_store_open (path, &error);
  g_autofree char *desktop_id = NULL;
  g_autofree char *api_id = NULL;
  g_autofree char *patch_path = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *name = NULL;
  g_autofree char *product = NULL;
  g_autoptr(JsonObject) answer = NULL;

  g_assert_no_error (error);
  /* A customer made on the desktop reaches the API. */
  desktop_id = store_add_contact (store, "张伟");
  sync_store (f, store);
  patch_path = g_strdup_printf ("/api/v1/contacts/%s", desktop_id);
  g_assert_cmpuint (api (f, "GET", patch_path, f->full_key, NULL, &answer), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (answer, "name"), ==, "张伟");
  g_clear_pointer (&answer, json_object_unref);

  /* The API renames it, adds a customer and a purchase of each... */
  g_assert_cmpuint (api (f, "PATCH", patch_path, f->full_key, "{\"name\": \"张伟 (VIP)\", \"city\": \"Beijing\"}",
                         &answer), ==, SOUP_STATUS_OK);
  g_clear_pointer (&answer, json_object_unref);
  api_id = create_contact (f, "{\"name\": \"From the shop\", \"emails\": [\"shop@example.com\"]}");
  batch = g_strdup_printf ("{\"purchases\": ["
                           " {\"order_ref\": \"W-1\", \"contact_id\": \"%s\", \"product\": \"Kettle\","
                           "  \"amount\": 26000, \"purchased_at\": \"2024-05-01T09:00:00Z\"},"
                           " {\"order_ref\": \"W-2\", \"contact\": {\"email\": \"shop@example.com\"},"
                           "  \"product\": \"Mug\", \"amount\": 4000, \"purchased_at\": \"2024-05-02T09:00:00Z\"}]}",
                           desktop_id);
  g_assert_cmpuint (api (f, "POST", "/api/v1/purchases:bulk-upsert", f->full_key, batch, &answer), ==,
                    SOUP_STATUS_OK);
  g_assert_cmpuint (summary_count (answer, "created"), ==, 2);
  /* Each write is in the server's audit log, by the key. */
  g_assert_cmpint (audit_count (f), ==, 4);

  /* ...and the desktop has it all after its next sync, written by the
   * key's name. */
  sync_store (f, store);
  sql = g_strdup_printf ("SELECT name FROM contacts WHERE id = '%s'", desktop_id);
  name = store_query_text (store, sql);
  g_assert_cmpstr (name, ==, "张伟 (VIP)");
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE id = '%s' AND deleted = 0", api_id);
  g_assert_cmpint (store_query_int (store, sql), ==, 1);
  g_free (sql);
  sql = g_strdup_printf ("SELECT product FROM purchases WHERE contact_id = '%s' AND order_ref = 'W-2'", api_id);
  product = store_query_text (store, sql);
  g_assert_cmpstr (product, ==, "Mug");
  g_assert_cmpint (store_query_int (store, "SELECT count(*) FROM purchases WHERE deleted = 0"), ==, 2);
  /* The customer's derived figures follow the pulled purchases. */
  g_free (sql);
  sql = g_strdup_printf ("SELECT purchase_count FROM contacts WHERE id = '%s'", desktop_id);
  g_assert_cmpint (store_query_int (store, sql), ==, 1);
  g_clear_object (&store);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *skip = NULL;
  gboolean pg;
  int status;

  crm_runtime_init ();
  g_test_init (&argc, &argv, NULL);

  pg = g_strcmp0 (g_getenv ("CRM_TEST_STORE"), "postgresql") == 0;
  if (pg)
    {
      pg_cluster = pg_cluster_new (&skip, &error);
      if (skip != NULL)
        {
          g_print ("1..0 # SKIP %s\n", skip);
          return 0;
        }
      g_assert_no_error (error);
    }

  g_test_add ("/server-api/paging", Fixture, NULL, fixture_setup, test_paging, fixture_teardown);
  g_test_add ("/server-api/bulk-idempotent", Fixture, NULL, fixture_setup, test_bulk_idempotent, fixture_teardown);
  g_test_add ("/server-api/bulk-errors", Fixture, NULL, fixture_setup, test_bulk_errors, fixture_teardown);
  g_test_add ("/server-api/keys", Fixture, NULL, fixture_setup, test_keys, fixture_teardown);
  g_test_add ("/server-api/bad-requests", Fixture, NULL, fixture_setup, test_bad_requests, fixture_teardown);
  g_test_add ("/server-api/openapi", Fixture, NULL, fixture_setup, test_openapi, fixture_teardown);
  g_test_add ("/server-api/sync", Fixture, NULL, fixture_setup, test_sync, fixture_teardown);

  status = g_test_run ();
  g_clear_pointer (&pg_cluster, pg_cluster_free);
  return status;
}
