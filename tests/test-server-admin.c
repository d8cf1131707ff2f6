/* test-server-admin.c: crm-server's /v1/admin (roles, users, devices, reassignment, audit log) with real clients */

/* With CRM_TEST_STORE=postgresql the server stores in a PostgreSQL this
 * test starts (a new database per test). */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "crm-admin-client.h"
#include "crm-activity.h"
#include "crm-contact.h"
#include "crm-hlc.h"
#include "crm-server.h"
#include "crm-server-admin.h"
#include "crm-store-private.h"
#include "crm-sync-engine.h"
#include "crm-uuid.h"
#include "server-fixture.h"

#define PASSWORD "correct horse battery"

static PgCluster *pg_cluster;

static const char * const roles[] = { "admin", "manager", "analyst", "sales", "marketing", "service" };
/* A user per role; mona manages the north team, bob sells in it. */
static const char * const role_users[] = { "alice", "mona", "ann", "bob", "mia", "sam" };

typedef struct
{
  ServerFixture server;
  CrmStore *a;
  CrmStore *b;
} Fixture;

/* A user per role, in the server thread before it listens. */
static void
add_users (CrmServer *server,
           gpointer   data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_server_add_user (server, "alice", PASSWORD, "admin", NULL, &error));
  g_assert_true (crm_server_add_user (server, "mona", PASSWORD, "manager", "north", &error));
  g_assert_true (crm_server_add_user (server, "ann", PASSWORD, "analyst", NULL, &error));
  g_assert_true (crm_server_add_user (server, "bob", PASSWORD, "sales", "north", &error));
  g_assert_true (crm_server_add_user (server, "carol", PASSWORD, "sales", "south", &error));
  g_assert_true (crm_server_add_user (server, "mia", PASSWORD, "marketing", NULL, &error));
  g_assert_true (crm_server_add_user (server, "sam", PASSWORD, "service", NULL, &error));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  server_fixture_start (&f->server, pg_cluster, add_users, NULL);
  a = g_build_filename (f->server.dir, "a.db", NULL);
  b = g_build_filename (f->server.dir, "b.db", NULL);
  f->a = crm_store_open (a, &error);
  g_assert_no_error (error);
  f->b = crm_store_open (b, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  server_fixture_stop (&f->server);
}

static guint
http (Fixture     *f,
      const char  *method,
      const char  *path,
      const char  *token,
      const char  *body,
      JsonObject **out)
{
  return server_fixture_http (f->server.url, method, path, token, body, -1, out);
}

/* Signs @user in as device @client_id; the token, and the user's id. */
static char *
login_as (Fixture     *f,
          const char  *user,
          const char  *password,
          const char  *client_id,
          char       **out_user_id)
{
  g_autofree char *body = g_strdup_printf ("{\"user\":\"%s\",\"password\":\"%s\",\"client_id\":\"%s\","
                                           "\"schema_version\":%d,\"device\":\"%s laptop\"}",
                                           user, password, client_id, CRM_SYNC_PROTOCOL_VERSION, user);
  g_autoptr(JsonObject) answer = NULL;

  if (http (f, "POST", "/v1/login", NULL, body, &answer) != 200)
    return NULL;
  if (out_user_id != NULL)
    *out_user_id = g_strdup (json_object_get_string_member (json_object_get_object_member (answer, "user"), "id"));
  return g_strdup (json_object_get_string_member (answer, "token"));
}

static char *
login (Fixture    *f,
       const char *user)
{
  g_autofree char *client_id = crm_uuid_v7_new ();
  char *token = login_as (f, user, PASSWORD, client_id, NULL);

  g_assert_nonnull (token);
  return token;
}

static CrmSyncStats
sync_as (Fixture    *f,
         CrmStore   *store,
         const char *user)
{
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (store, f->server.url);
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };

  crm_sync_engine_set_credentials (engine, user, PASSWORD);
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_no_error (error);
  return stats;
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

static gint64
count (CrmStore   *store,
       const char *sql)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* Every role against every admin call: only admin gets through, and a
 * manager only to the audit log. */
static void
test_roles (Fixture       *f,
            gconstpointer  data)
{
  static const struct
  {
    const char *method;
    const char *path;
    const char *body;
    guint admin_status;
  } calls[] = {
    { "GET", "/v1/admin/users", NULL, 200 },
    { "POST", "/v1/admin/users", "{\"name\":\"newbie\",\"password\":\"long enough\",\"role\":\"sales\"}", 201 },
    { "POST", "/v1/admin/users/carol", "{\"team\":\"east\"}", 200 },
    { "GET", "/v1/admin/users/carol/devices", NULL, 200 },
    { "POST", "/v1/admin/devices/00000000-0000-7000-8000-00000000dead/revoke", "{}", 404 },
    { "POST", "/v1/admin/reassign", "{\"from\":\"carol\",\"to\":\"bob\"}", 200 },
    { "GET", "/v1/admin/audit", NULL, 200 },
  };

  for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
    {
      g_autofree char *token = login (f, role_users[r]);

      for (guint c = 0; c < G_N_ELEMENTS (calls); c++)
        {
          guint status = http (f, calls[c].method, calls[c].path, token, calls[c].body, NULL);
          guint expected = g_str_equal (roles[r], "admin") ? calls[c].admin_status : 403;

          if (g_str_equal (roles[r], "manager") && g_str_has_prefix (calls[c].path, "/v1/admin/audit"))
            expected = 200;
          g_test_message ("%s %s %s -> %u", roles[r], calls[c].method, calls[c].path, status);
          g_assert_cmpuint (status, ==, expected);
        }
    }

  /* No token, a wrong one, and nonsense paths. */
  for (guint c = 0; c < G_N_ELEMENTS (calls); c++)
    {
      g_assert_cmpuint (http (f, calls[c].method, calls[c].path, NULL, calls[c].body, NULL), ==, 401);
      g_assert_cmpuint (http (f, calls[c].method, calls[c].path, "0123456789abcdef", calls[c].body, NULL), ==, 401);
    }
  {
    g_autofree char *token = login (f, "alice");

    g_assert_cmpuint (http (f, "GET", "/v1/admin/nothing", token, NULL, NULL), ==, 404);
    g_assert_cmpuint (http (f, "DELETE", "/v1/admin/users", token, NULL, NULL), ==, 404);
    g_assert_cmpuint (http (f, "POST", "/v1/admin/users", token, "not json", NULL), ==, 400);
  }
}

static void
test_users (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *admin = login (f, "alice");
  g_autofree char *client = crm_uuid_v7_new ();
  g_autofree char *old_token = NULL;
  g_autofree char *new_token = NULL;
  g_autoptr(JsonObject) answer = NULL;
  JsonArray *users;
  gboolean found = FALSE;

  g_assert_cmpuint (http (f, "POST", "/v1/admin/users", admin,
                          "{\"name\":\"dora\",\"password\":\"first password\",\"role\":\"sales\",\"team\":\"south\"}",
                          &answer), ==, 201);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (answer, "user"), "team"), ==, "south");
  g_clear_pointer (&answer, json_object_unref);

  /* The same name twice, a role that does not exist, a short password. */
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users", admin,
                          "{\"name\":\"dora\",\"password\":\"first password\",\"role\":\"sales\"}", NULL), ==, 409);
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users", admin,
                          "{\"name\":\"eve\",\"password\":\"first password\",\"role\":\"boss\"}", NULL), ==, 400);
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users", admin,
                          "{\"name\":\"eve\",\"password\":\"short\",\"role\":\"sales\"}", NULL), ==, 400);
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users", admin, "{\"name\":\"eve\"}", NULL), ==, 400);
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users/nobody", admin, "{\"role\":\"sales\"}", NULL), ==, 404);
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users/dora", admin, "{\"role\":\"king\"}", NULL), ==, 400);
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users/dora", admin, "{\"disabled\":\"yes\"}", NULL), ==, 400);

  /* Role and team. */
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users/dora", admin,
                          "{\"role\":\"manager\",\"team\":\"north\"}", NULL), ==, 200);
  g_assert_cmpuint (http (f, "GET", "/v1/admin/users", admin, NULL, &answer), ==, 200);
  users = json_object_get_array_member (answer, "users");
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);

      if (g_str_equal (json_object_get_string_member (user, "name"), "dora"))
        {
          found = TRUE;
          g_assert_cmpstr (json_object_get_string_member (user, "role"), ==, "manager");
          g_assert_cmpstr (json_object_get_string_member (user, "team"), ==, "north");
          g_assert_false (json_object_get_boolean_member (user, "disabled"));
        }
    }
  g_assert_true (found);

  /* Disabled: the token stops working and signing in fails; enabled again: both work. */
  old_token = login_as (f, "dora", "first password", client, NULL);
  g_assert_nonnull (old_token);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", old_token, NULL, NULL), ==, 200);
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users/dora", admin, "{\"disabled\":true}", NULL), ==, 200);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", old_token, NULL, NULL), ==, 401);
  g_assert_null (login_as (f, "dora", "first password", client, NULL));
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users/dora", admin, "{\"disabled\":false}", NULL), ==, 200);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", old_token, NULL, NULL), ==, 200);

  /* A new password revokes the sign-ins made with the old one. */
  g_assert_cmpuint (http (f, "POST", "/v1/admin/users/dora", admin, "{\"password\":\"second password\"}", NULL), ==, 200);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", old_token, NULL, NULL), ==, 401);
  g_assert_null (login_as (f, "dora", "first password", client, NULL));
  new_token = login_as (f, "dora", "second password", client, NULL);
  g_assert_nonnull (new_token);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", new_token, NULL, NULL), ==, 200);
}

/* A lost laptop: the admin sees the device and revokes it; its next sync
 * is refused with 401 while the user's other device keeps working. */
static void
test_revoke_device (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *admin = login (f, "alice");
  g_autofree char *laptop = login_as (f, "bob", PASSWORD, crm_store_get_client_id (f->a), NULL);
  g_autofree char *desktop = login_as (f, "bob", PASSWORD, crm_store_get_client_id (f->b), NULL);
  g_autofree char *path = g_strdup_printf ("/v1/admin/devices/%s/revoke", crm_store_get_client_id (f->a));
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *devices;

  g_assert_cmpuint (http (f, "GET", "/v1/admin/users/bob/devices", admin, NULL, &answer), ==, 200);
  devices = json_object_get_array_member (answer, "devices");
  g_assert_cmpuint (json_array_get_length (devices), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *device = json_array_get_object_element (devices, i);

      g_assert_cmpstr (json_object_get_string_member (device, "label"), ==, "bob laptop");
      g_assert_false (json_object_get_boolean_member (device, "revoked"));
      g_assert_true (g_str_has_prefix (json_object_get_string_member (device, "last_seen"), "20"));
    }

  g_assert_cmpuint (http (f, "POST", path, admin, "{}", NULL), ==, 200);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", laptop, NULL, NULL), ==, 401);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", desktop, NULL, NULL), ==, 200);

  /* The real engine with the revoked token: 401, not a silent success. */
  {
    g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (f->a, f->server.url);
    CrmSyncStats stats = { 0 };

    crm_sync_engine_set_token (engine, laptop);
    g_assert_false (crm_sync_engine_run (engine, NULL, &stats, &error));
    g_assert_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED);
  }

  g_clear_pointer (&answer, json_object_unref);
  g_assert_cmpuint (http (f, "GET", "/v1/admin/users/bob/devices", admin, NULL, &answer), ==, 200);
  devices = json_object_get_array_member (answer, "devices");
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonObject *device = json_array_get_object_element (devices, i);

      g_assert_cmpint (json_object_get_boolean_member (device, "revoked"), ==,
                       g_str_equal (json_object_get_string_member (device, "client_id"),
                                    crm_store_get_client_id (f->a)));
    }
}

/* Bob leaves: his customers go to carol (another team) in one call. His
 * laptop pulls a remove, hers a put, and the rows under the customer follow. */
static void
test_reassign (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *admin = login (f, "alice");
  g_autofree char *first = add_contact (f->a, "赵一");
  g_autofree char *second = add_contact (f->a, "钱二");
  g_autoptr(CrmActivity) visit = crm_activity_new ();
  g_autofree char *carol_id = NULL;
  g_autofree char *carol_token = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *entries;
  CrmSyncStats stats;

  /* A visit under the first customer moves with it. */
  g_object_set (visit, "contact-id", first, "kind", "visit", "subject", "上门拜访", NULL);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (visit), &error));
  g_assert_no_error (error);
  sync_as (f, f->a, "bob");
  sync_as (f, f->b, "carol");
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM activities"), ==, 1);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM activities"), ==, 0);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM contacts WHERE deleted = 0"), ==, 2);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts WHERE deleted = 0"), ==, 0);

  g_assert_cmpuint (http (f, "POST", "/v1/admin/reassign", admin, "{\"from\":\"bob\",\"to\":\"nobody\"}", NULL), ==, 404);
  g_assert_cmpuint (http (f, "POST", "/v1/admin/reassign", admin, "{\"from\":\"bob\",\"to\":\"bob\"}", NULL), ==, 400);
  g_assert_cmpuint (http (f, "POST", "/v1/admin/reassign", admin, "{\"from\":\"bob\"}", NULL), ==, 400);
  g_assert_cmpuint (http (f, "POST", "/v1/admin/reassign", admin, "{\"from\":\"bob\",\"to\":\"carol\"}", &answer), ==, 200);
  g_assert_cmpint (json_object_get_int_member (answer, "moved"), ==, 2);
  g_clear_pointer (&answer, json_object_unref);

  stats = sync_as (f, f->a, "bob");
  g_assert_cmpuint (stats.pulled, >=, 2);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM contacts"), ==, 0);
  stats = sync_as (f, f->b, "carol");
  g_assert_cmpuint (stats.pulled, >=, 2);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM contacts WHERE deleted = 0"), ==, 2);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM activities"), ==, 0);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM activities WHERE deleted = 0"), ==, 1);
  carol_token = login_as (f, "carol", PASSWORD, crm_store_get_client_id (f->b), &carol_id);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE owner_id = '%s'", carol_id);

    g_assert_cmpint (count (f->b, sql), ==, 2);
  }

  /* Nothing left to move the second time. */
  g_assert_cmpuint (http (f, "POST", "/v1/admin/reassign", admin, "{\"from\":\"bob\",\"to\":\"carol\"}", &answer), ==, 200);
  g_assert_cmpint (json_object_get_int_member (answer, "moved"), ==, 0);
  g_clear_pointer (&answer, json_object_unref);

  /* The audit log names alice as the author of the owner change. */
  {
    g_autofree char *path = g_strdup_printf ("/v1/admin/audit?table=contacts&row=%s", first);
    JsonObject *entry;
    JsonArray *owner;

    g_assert_cmpuint (http (f, "GET", path, admin, NULL, &answer), ==, 200);
    entries = json_object_get_array_member (answer, "entries");
    g_assert_cmpuint (json_array_get_length (entries), ==, 2);
    entry = json_array_get_object_element (entries, 0);
    g_assert_cmpstr (json_object_get_string_member (entry, "user"), ==, "alice");
    owner = json_object_get_array_member (json_object_get_object_member (entry, "changes"), "owner_id");
    g_assert_nonnull (owner);
    g_assert_cmpstr (json_array_get_string_element (owner, 1), ==, carol_id);
    entry = json_array_get_object_element (entries, 1);
    g_assert_cmpstr (json_object_get_string_member (entry, "user"), ==, "bob");
    g_assert_cmpstr (json_object_get_string_member (entry, "op"), ==, "insert");
  }
}

/* An edit made offline two days ago and synced now: the log keeps both
 * times, the device, and the field's value before and after. */
static void
test_audit_offline_edit (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *admin = login (f, "alice");
  g_autofree char *id = add_contact (f->a, "孙丽");
  g_autoptr(CrmRecord) contact = NULL;
  g_autoptr(CrmHlc) clock = crm_hlc_new (crm_store_get_client_id (f->a));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  gint64 two_days_ago = g_get_real_time () / 1000 - 2 * 24 * 3600 * 1000;
  g_autofree char *old_hlc = NULL;
  g_autofree char *path = NULL;
  g_autofree char *since = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) three_days_ago = g_date_time_add_days (now, -3);
  JsonArray *entries;
  JsonObject *entry;
  JsonArray *title;
  gint64 edit_ms, sync_ms;

  /* The customer was added a week ago, before the trip. */
  {
    g_autofree char *week_ago = crm_hlc_now_at (clock, two_days_ago - 5 * 24 * 3600 * 1000);
    g_autofree char *sql = g_strdup_printf ("UPDATE outbox SET hlc = '%s'", week_ago);

    g_assert_true (crm_store_exec (f->a, sql, &error));
    g_assert_no_error (error);
  }
  sync_as (f, f->a, "bob");
  contact = crm_store_get (f->a, CRM_TYPE_CONTACT, id, &error);
  g_assert_no_error (error);
  g_assert_true (crm_record_set_field_from_string (contact, "title", "经理", &error));
  g_assert_true (crm_store_update (f->a, contact, &error));
  /* The laptop was offline when this was typed: its clock says so. */
  old_hlc = crm_hlc_now_at (clock, two_days_ago);
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE outbox SET hlc = '%s'", old_hlc);

    g_assert_true (crm_store_exec (f->a, sql, &error));
    g_assert_no_error (error);
  }
  sync_as (f, f->a, "bob");

  path = g_strdup_printf ("/v1/admin/audit?row=%s&user=bob", id);
  g_assert_cmpuint (http (f, "GET", path, admin, NULL, &answer), ==, 200);
  entries = json_object_get_array_member (answer, "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);
  entry = json_array_get_object_element (entries, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "op"), ==, "update");
  g_assert_cmpstr (json_object_get_string_member (entry, "device"), ==, crm_store_get_client_id (f->a));
  g_assert_cmpstr (json_object_get_string_member (entry, "edit_hlc"), ==, old_hlc);
  title = json_object_get_array_member (json_object_get_object_member (entry, "changes"), "title");
  g_assert_nonnull (title);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_array_get_element (title, 0)));
  g_assert_cmpstr (json_array_get_string_element (title, 1), ==, "经理");
  {
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
    g_autoptr(GDateTime) edit = g_date_time_new_from_iso8601 (json_object_get_string_member (entry, "edit_time"), utc);
    g_autoptr(GDateTime) synced = g_date_time_new_from_iso8601 (json_object_get_string_member (entry, "sync_time"), utc);

    g_assert_nonnull (edit);
    g_assert_nonnull (synced);
    edit_ms = g_date_time_to_unix (edit) * 1000 + g_date_time_get_microsecond (edit) / 1000;
    sync_ms = g_date_time_to_unix (synced) * 1000;
    g_assert_cmpint (edit_ms, ==, two_days_ago);
    g_assert_cmpint (sync_ms - edit_ms, >, 24 * 3600 * 1000);
  }
  g_clear_pointer (&answer, json_object_unref);

  /* Filters by edit date: from three days ago only the offline edit,
   * before it only the insert of a week ago. */
  since = g_date_time_format (three_days_ago, "%Y-%m-%d");
  for (guint i = 0; i < 2; i++)
    {
      g_free (path);
      path = g_strdup_printf ("/v1/admin/audit?row=%s&%s=%s", id, i == 0 ? "since" : "until", since);
      g_assert_cmpuint (http (f, "GET", path, admin, NULL, &answer), ==, 200);
      entries = json_object_get_array_member (answer, "entries");
      g_assert_cmpuint (json_array_get_length (entries), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "op"), ==,
                       i == 0 ? "update" : "insert");
      g_clear_pointer (&answer, json_object_unref);
    }

  /* Paging with a cursor, and bad filters. */
  g_assert_cmpuint (http (f, "GET", "/v1/admin/audit?limit=1", admin, NULL, &answer), ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "entries")), ==, 1);
  {
    gint64 cursor = json_object_get_int_member (answer, "next_cursor");
    g_autofree char *next = g_strdup_printf ("/v1/admin/audit?limit=1&cursor=%" G_GINT64_FORMAT, cursor);
    g_autoptr(JsonObject) page = NULL;

    g_assert_cmpint (cursor, >, 0);
    g_assert_cmpuint (http (f, "GET", next, admin, NULL, &page), ==, 200);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (page, "entries"), 0), "id"),
                     <, cursor);
  }
  g_assert_cmpuint (http (f, "GET", "/v1/admin/audit?since=yesterday", admin, NULL, NULL), ==, 400);
  g_assert_cmpuint (http (f, "GET", "/v1/admin/audit?limit=0", admin, NULL, NULL), ==, 400);
  g_assert_cmpuint (http (f, "GET", "/v1/admin/audit?user=nobody", admin, NULL, NULL), ==, 404);
}

/* A manager reads the changes of the team's members only. */
static void
test_audit_manager_team (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *manager = login (f, "mona");
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *bobs = add_contact (f->a, "北方客户");
  g_autofree char *carols = add_contact (f->b, "南方客户");
  JsonArray *entries;

  sync_as (f, f->a, "bob");
  sync_as (f, f->b, "carol");
  g_assert_cmpuint (http (f, "GET", "/v1/admin/audit", manager, NULL, &answer), ==, 200);
  entries = json_object_get_array_member (answer, "entries");
  g_assert_cmpuint (json_array_get_length (entries), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "row_id"), ==, bobs);
}

/* crm-server audit --csv: a line per changed field with both times. */
static void
test_audit_csv (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *id = add_contact (f->a, "=HYPERLINK(\"x\")");
  g_autofree char *path = g_build_filename (f->server.dir, "audit.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  CrmServerAuditQuery query = { 0 };
  FILE *out;

  sync_as (f, f->a, "bob");
  out = fopen (path, "w");
  g_assert_nonnull (out);
  query.row_id = id;
  g_assert_true (crm_server_admin_audit_csv (f->server.server, &query, out, &error));
  g_assert_no_error (error);
  fclose (out);
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_true (g_str_has_prefix (text, "edit_time,sync_time,user,device,table,row_id,op,field,before,after\r\n"));
  g_assert_nonnull (strstr (text, ",bob,"));
  /* A formula from a user never runs in the spreadsheet. */
  g_assert_nonnull (strstr (text, "\"'=HYPERLINK(\"\"x\"\")\""));
  g_assert_null (strstr (text, ",=HYPERLINK"));
}

/* The app's client: calls with the stored token, errors with the
 * server's message, and the local log in the server's shape. */
static void
test_admin_client (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CrmAdminClient) admin = crm_admin_client_new (f->server.url, "alice", crm_store_get_client_id (f->a));
  g_autoptr(CrmAdminClient) seller = crm_admin_client_new (f->server.url, "bob", crm_store_get_client_id (f->b));
  g_autofree char *admin_token = login_as (f, "alice", PASSWORD, crm_store_get_client_id (f->a), NULL);
  g_autofree char *bob_token = login_as (f, "bob", PASSWORD, crm_store_get_client_id (f->b), NULL);
  g_autofree char *devices = crm_admin_client_path ("users", "bob", "devices", NULL);
  g_autofree char *audit = crm_admin_client_audit_path ("bob", NULL, "2020-01-01", NULL, 0);
  g_autofree char *id = add_contact (f->b, "=1+1");
  g_autofree char *csv = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonArray) local = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *title_pair;

  g_assert_cmpstr (devices, ==, "/v1/admin/users/bob/devices");
  g_assert_cmpstr (audit, ==, "/v1/admin/audit?user=bob&since=2020-01-01");
  crm_admin_client_set_token (admin, admin_token);
  crm_admin_client_set_token (seller, bob_token);

  answer = crm_admin_client_call_sync (admin, "GET", devices, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (answer, "devices")), ==, 1);
  g_clear_pointer (&answer, json_object_unref);

  answer = crm_admin_client_call_sync (seller, "GET", devices, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_FORBIDDEN);
  g_assert_cmpstr (error->message, ==, "Only an administrator can do this.");
  g_clear_error (&error);

  /* Offline: the local log has the insert, with the name as typed. */
  local = crm_admin_local_audit (f->b, id, NULL, NULL, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (local), ==, 1);
  title_pair = json_object_get_array_member (json_object_get_object_member (json_array_get_object_element (local, 0),
                                                                            "changes"), "name");
  g_assert_nonnull (title_pair);
  g_assert_cmpstr (json_array_get_string_element (title_pair, 1), ==, "=1+1");
  csv = crm_admin_audit_to_csv (local);
  g_assert_nonnull (strstr (csv, ",name,,'=1+1\r\n"));
  g_clear_pointer (&local, json_array_unref);
  local = crm_admin_local_audit (f->b, "no-such-row", NULL, NULL, 10, &error);
  g_assert_cmpuint (json_array_get_length (local), ==, 0);
}

static gboolean
crmctl (const char  *db,
        char       **out_text,
        char       **err_text,
        ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) g_getenv ("CRMCTL"));
  g_ptr_array_add (args, (gpointer) "--db");
  g_ptr_array_add (args, (gpointer) db);
  va_start (ap, err_text);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  run = g_subprocess_newv ((const char * const *) args->pdata,
                           G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (run, NULL, NULL, out_text, err_text, &error));
  g_assert_no_error (error);
  return g_subprocess_get_successful (run);
}

/* Whether @text occurs in the binary @bytes. */
static gboolean
holds (const char *bytes,
       gsize       length,
       const char *text)
{
  gsize n = strlen (text);

  for (gsize i = 0; i + n <= length; i++)
    if (memcmp (bytes + i, text, n) == 0)
      return TRUE;
  return FALSE;
}

/* crmctl sync signout --wipe removes the replica, its local audit log and
 * the account, but not while changes are unsent unless forced. */
static void
test_signout_wipe (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *password_file = g_build_filename (f->server.dir, "password", NULL);
  g_autofree char *synced = add_contact (f->a, "吴军");
  g_autofree char *unsent = NULL;
  g_autofree char *user = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL, *err = NULL;

  g_assert_true (g_file_set_contents (password_file, PASSWORD, -1, &error));
  g_assert_cmpint (g_chmod (password_file, 0600), ==, 0);
  g_assert_true (crmctl (crm_store_get_path (f->a), &out, &err, "sync", "--server", f->server.url, "--user", "bob",
                         "--password-file", password_file, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  unsent = add_contact (f->a, "郑丽");
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM audit_log"), >, 0);
  /* The local log names who made the edit here. */
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM audit_log WHERE user_id = 'bob'"), ==, 1);

  g_assert_false (crmctl (crm_store_get_path (f->a), &out, &err, "sync", "signout", "--wipe", NULL));
  g_assert_nonnull (strstr (err, "1 change was not sent"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM contacts"), ==, 2);

  g_assert_true (crmctl (crm_store_get_path (f->a), &out, &err, "sync", "signout", "--wipe", "--force", NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM contacts"), ==, 0);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM outbox"), ==, 0);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM audit_log"), ==, 0);
  user = crm_store_get_meta (f->a, "sync_user");
  g_assert_null (user);
  /* Nothing readable is left in the file or its journal either. */
  {
    static const char * const suffixes[] = { "", "-wal" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *path = g_strconcat (crm_store_get_path (f->a), suffixes[i], NULL);
        g_autofree char *bytes = NULL;
        gsize length = 0;

        if (!g_file_get_contents (path, &bytes, &length, NULL))
          continue;
        g_test_message ("%s: %" G_GSIZE_FORMAT " bytes", path, length);
        g_assert_false (holds (bytes, length, "吴军"));
        g_assert_false (holds (bytes, length, "郑丽"));
      }
  }

  g_assert_false (crmctl (crm_store_get_path (f->a), &out, &err, "sync", "signout", "--bogus", NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
}

/* Runs the crm-server command on the fixture's database; its exit status. */
static int
server_command (Fixture     *f,
                const char  *input,
                char       **out_text,
                ...)
{
  g_autofree char *exe = g_build_filename (CRM_BUILD_ROOT, "src", "server", "crm-server", NULL);
  g_autofree char *db = g_build_filename (f->server.dir, "server.db", NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err_text = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, exe);
  g_ptr_array_add (args, (gpointer) (f->server.pg_url ? "--pg" : "--db"));
  g_ptr_array_add (args, f->server.pg_url ? f->server.pg_url : db);
  va_start (ap, out_text);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  run = g_subprocess_newv ((const char * const *) args->pdata,
                           G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (run, input, NULL, out_text, &err_text, &error));
  g_assert_no_error (error);
  g_test_message ("crm-server %s: %s", (const char *) g_ptr_array_index (args, 3), err_text);
  return g_subprocess_get_exit_status (run);
}

/* The same administration from the crm-server command, for a headless admin. */
static void
test_commands (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *client = crm_uuid_v7_new ();
  g_autofree char *token = login_as (f, "bob", PASSWORD, client, NULL);
  g_autofree char *id = add_contact (f->a, "孔明");
  g_autofree char *new_token = NULL;
  char *out = NULL;

  g_assert_nonnull (token);
  sync_as (f, f->a, "bob");

  g_assert_cmpint (server_command (f, NULL, &out, "user", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "bob\tsales\tnorth\tactive\t"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (server_command (f, NULL, &out, "user", "set-team", "bob", "south", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (server_command (f, NULL, &out, "user", "set-role", "bob", "king", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (server_command (f, NULL, &out, "user", "frobnicate", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (server_command (f, NULL, &out, "user", "disable", "nobody", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (server_command (f, NULL, &out, "user", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "bob\tsales\tsouth\tactive\t"));
  g_clear_pointer (&out, g_free);

  /* Disabled, the token stops; a new password replaces the old one. */
  g_assert_cmpint (server_command (f, NULL, &out, "user", "disable", "bob", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", token, NULL, NULL), ==, 401);
  g_assert_cmpint (server_command (f, NULL, &out, "user", "enable", "bob", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", token, NULL, NULL), ==, 200);
  g_assert_cmpint (server_command (f, "a new password\n", &out, "user", "passwd", "bob", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", token, NULL, NULL), ==, 401);
  g_assert_null (login_as (f, "bob", PASSWORD, client, NULL));
  new_token = login_as (f, "bob", "a new password", client, NULL);
  g_assert_nonnull (new_token);

  /* Devices and revoking one. */
  g_assert_cmpint (server_command (f, NULL, &out, "devices", "bob", NULL), ==, 0);
  g_assert_nonnull (strstr (out, client));
  g_assert_nonnull (strstr (out, crm_store_get_client_id (f->a)));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (server_command (f, NULL, &out, "revoke-device", client, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (http (f, "GET", "/v1/pull?cursor=0", new_token, NULL, NULL), ==, 401);
  g_assert_cmpint (server_command (f, NULL, &out, "revoke-device", "00000000-0000-7000-8000-00000000beef", NULL), ==, 1);
  g_clear_pointer (&out, g_free);

  /* Reassignment and the audit log as CSV. */
  g_assert_cmpint (server_command (f, NULL, &out, "reassign", "--from", "bob", "--to", "carol", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "1 customer moved from bob to carol"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (server_command (f, NULL, &out, "reassign", "--from", "bob", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (server_command (f, NULL, &out, "audit", "--csv", "--row", id, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "edit_time,sync_time,user,device,table,row_id,op,field,before,after\r\n"));
  g_assert_nonnull (strstr (out, ",crm-server,"));
  g_assert_nonnull (strstr (out, ",bob,"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (server_command (f, NULL, &out, "audit", "--csv", "--since", "someday", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
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
  ADD ("/server-admin/roles", test_roles);
  ADD ("/server-admin/users", test_users);
  ADD ("/server-admin/revoke-device", test_revoke_device);
  ADD ("/server-admin/reassign", test_reassign);
  ADD ("/server-admin/audit-offline-edit", test_audit_offline_edit);
  ADD ("/server-admin/audit-manager-team", test_audit_manager_team);
  ADD ("/server-admin/audit-csv", test_audit_csv);
  ADD ("/server-admin/signout-wipe", test_signout_wipe);
  ADD ("/server-admin/client", test_admin_client);
  ADD ("/server-admin/commands", test_commands);
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&pg_cluster, pg_cluster_free);
  return status;
}
