/* crm-server.c: SoupServer with login, push and pull (DESIGN.md §5), roles and visibility (§8) */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include <sqlite3.h>
#include <string.h>

#include "crm-hlc.h"
#include "crm-json.h"
#include "crm-server.h"
#include "crm-server-api.h"
#include "crm-server-private.h"
#include "crm-server-survey-form.h"
#include "crm-store-private.h"
#include "crm-sync-protocol.h"
#include "crm-uuid.h"

#define DEFAULT_TOKEN_LIFETIME (30 * 24 * 3600)
/* Failed logins per user name or address within LOGIN_WINDOW before 429. */
#define LOGIN_MAX_FAILURES 5
#define LOGIN_WINDOW_US (60 * G_USEC_PER_SEC)
/* A device's "last seen" is written at most this often. */
#define DEVICE_SEEN_INTERVAL_US (60 * G_USEC_PER_SEC)

struct _CrmServer
{
  GObject     parent_instance;

  SoupServer *soup;
  CrmServerBackend *backend;
  /* The client schema, in memory: the column list of every synced table,
   * and the CHECK constraints that validate pushed rows. */
  sqlite3    *schema;
  GHashTable *columns;         /* table -> GHashTable field -> "json"|"plain" */
  GHashTable *login_failures;  /* user name or address -> GArray of gint64 */
  gboolean    tls;
  gint64      token_lifetime;
  gint64      max_body;        /* bytes; 413 above */
  guint       rate_limit;      /* requests per token per minute; 0: none */
  GHashTable *token_requests;  /* token hash -> gint64[2] {window start, count} */
  guint       max_connections; /* 0: no limit */
  GHashTable *connections;     /* set of the GSockets of open connections */
  CrmServerSurveyForm *survey_form;   /* owned by its handler on soup */
  GHashTable *device_seen;     /* client id -> gint64 monotonic time last recorded */
};

G_DEFINE_FINAL_TYPE (CrmServer, crm_server, G_TYPE_OBJECT)

static const char * const marketing_fields[] = {
  "tags", "consent_email", "consent_email_at", "consent_sms", "consent_sms_at", NULL
};

static void
log_request (SoupServerMessage *msg,
             const char        *path,
             guint              status,
             const char        *user,
             const char        *detail)
{
  g_autofree char *remote = NULL;
  GSocketAddress *addr = soup_server_message_get_remote_address (msg);

  if (G_IS_INET_SOCKET_ADDRESS (addr))
    remote = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr)));

  g_message ("request method=%s path=%s status=%u remote=%s user=%s%s%s",
             soup_server_message_get_method (msg), path, status,
             remote ? remote : "-", user ? user : "-",
             detail ? " " : "", detail ? detail : "");
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              JsonObject        *body)
{
  gsize length;
  char *text = crm_sync_object_to_string (body, &length);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

/* The protocol's error for @error: a database that is unreachable or broke
 * a lock conflict is 503 (try again), anything else from storage 500. */
static CrmSyncError
sync_error_of (const GError *error)
{
  if (error->domain == CRM_SYNC_ERROR)
    return (CrmSyncError) error->code;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    return CRM_SYNC_ERROR_UNAVAILABLE;
  return CRM_SYNC_ERROR_SERVER;
}

/* Tells the client when trying again makes sense, unless the handler
 * already knew better (a rate limit's own window). */
static void
set_retry_after (SoupServerMessage *msg,
                 CrmSyncError       code)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (soup_message_headers_get_one (headers, "Retry-After") != NULL)
    return;
  if (code == CRM_SYNC_ERROR_UNAVAILABLE)
    soup_message_headers_replace (headers, "Retry-After", "5");
  else if (code == CRM_SYNC_ERROR_RATE_LIMITED)
    soup_message_headers_replace (headers, "Retry-After", "60");
}

static void
respond_error (SoupServerMessage *msg,
               const char        *path,
               const char        *user,
               const GError      *error)
{
  CrmSyncError code = sync_error_of (error);
  guint status = crm_sync_error_http_status (code);
  g_autoptr(JsonObject) body = crm_sync_error_body (code, error->message);
  g_autofree char *detail = g_strdup_printf ("error=%s", crm_sync_error_code (code));

  respond_json (msg, status, body);
  set_retry_after (msg, code);
  log_request (msg, path, status, user, detail);
}

/* --- schema ---------------------------------------------------------------- */

static gboolean
load_schema (CrmServer  *self,
             GError    **error)
{
  const char * const *tables = crm_store_get_synced_tables ();

  crm_store_init_sqlite ();
  if (sqlite3_open_v2 (":memory:", &self->schema, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, sqlite3_errmsg (self->schema));
      return FALSE;
    }
  if (!crm_store_migrate (self->schema, 0, NULL, error))
    return FALSE;

  /* Only the constraints matter here; the client's triggers (outbox,
   * audit, search index) would just slow every validation down. */
  {
    g_autoptr(GPtrArray) triggers = g_ptr_array_new_with_free_func (g_free);
    sqlite3_stmt *stmt = NULL;

    sqlite3_prepare_v2 (self->schema, "SELECT name FROM sqlite_master WHERE type = 'trigger'", -1, &stmt, NULL);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_ptr_array_add (triggers, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
    sqlite3_finalize (stmt);
    for (guint i = 0; i < triggers->len; i++)
      {
        /* Names from our own schema, not from a client. */
        g_autofree char *sql = g_strdup_printf ("DROP TRIGGER \"%s\"", (const char *) g_ptr_array_index (triggers, i));

        sqlite3_exec (self->schema, sql, NULL, NULL, NULL);
      }
  }

  self->columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_hash_table_unref);
  for (guint i = 0; tables[i] != NULL; i++)
    {
      GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      sqlite3_stmt *stmt = NULL;

      sqlite3_prepare_v2 (self->schema, "SELECT name, type FROM pragma_table_info (?)", -1, &stmt, NULL);
      sqlite3_bind_text (stmt, 1, tables[i], -1, SQLITE_STATIC);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *name = (const char *) sqlite3_column_text (stmt, 0);
          const char *type = (const char *) sqlite3_column_text (stmt, 1);

          if (!crm_sync_column_is_synced (tables[i], name))
            continue;
          g_hash_table_insert (fields, g_strdup (name),
                               (gpointer) (g_strcmp0 (type, "JSON_TEXT") == 0 ? "json" : "plain"));
        }
      sqlite3_finalize (stmt);
      g_hash_table_insert (self->columns, g_strdup (tables[i]), fields);
    }
  return TRUE;
}

/* Checks a whole row against the client schema's CHECK and NOT NULL
 * constraints by inserting it into the in-memory copy and rolling back. */
static gboolean
validate_row (CrmServer    *self,
              const char   *table,
              const char   *id,
              const char   *hlc,
              JsonObject   *data,
              char        **out_reason)
{
  GHashTable *fields = g_hash_table_lookup (self->columns, table);
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) values = g_string_new ("?, ?");
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  sqlite3_stmt *stmt = NULL;
  JsonObjectIter iter;
  const char *field;
  JsonNode *value;
  int rc;

  g_string_append_printf (sql, "INSERT INTO %s (id, updated_at", table);
  json_object_iter_init (&iter, data);
  while (json_object_iter_next (&iter, &field, &value))
    {
      /* Field names were checked against @fields: never user text. */
      g_string_append_printf (sql, ", %s", field);
      g_string_append (values, ", ?");
      g_ptr_array_add (names, (gpointer) field);
    }
  g_string_append_printf (sql, ") VALUES (%s)", values->str);

  sqlite3_exec (self->schema, "SAVEPOINT validate", NULL, NULL, NULL);
  rc = sqlite3_prepare_v2 (self->schema, sql->str, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, hlc, -1, SQLITE_STATIC);
      for (guint i = 0; i < names->len; i++)
        {
          JsonNode *node = json_object_get_member (data, g_ptr_array_index (names, i));
          gboolean is_json = g_strcmp0 (g_hash_table_lookup (fields, g_ptr_array_index (names, i)), "json") == 0;
          int p = (int) i + 3;

          if (JSON_NODE_HOLDS_NULL (node))
            sqlite3_bind_null (stmt, p);
          else if (is_json)
            {
              g_autofree char *text = crm_json_to_string (node);

              sqlite3_bind_text (stmt, p, text, -1, SQLITE_TRANSIENT);
            }
          else if (json_node_get_value_type (node) == G_TYPE_INT64)
            sqlite3_bind_int64 (stmt, p, json_node_get_int (node));
          else if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
            sqlite3_bind_int (stmt, p, json_node_get_boolean (node) ? 1 : 0);
          else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
            sqlite3_bind_double (stmt, p, json_node_get_double (node));
          else
            sqlite3_bind_text (stmt, p, json_node_get_string (node), -1, SQLITE_TRANSIENT);
        }
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_DONE)
    *out_reason = g_strdup_printf (_("The values break a rule of %s: %s"), table, sqlite3_errmsg (self->schema));
  sqlite3_finalize (stmt);
  sqlite3_exec (self->schema, "ROLLBACK TO validate; RELEASE validate", NULL, NULL, NULL);
  return rc == SQLITE_DONE;
}

/* Types and names of a mutation, before anything is applied: a client
 * sending these is broken, so the whole request is refused (400). */
static gboolean
check_mutation_shape (CrmServer        *self,
                      CrmSyncMutation  *m,
                      GError          **error)
{
  GHashTable *fields = g_hash_table_lookup (self->columns, m->table);

  if (fields == NULL)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("Mutation %" PRId64 ": there is no synced table “%s”."), m->mutation_id, m->table);
      return FALSE;
    }
  if (!crm_hlc_parse (m->hlc, NULL, NULL, NULL))
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("Mutation %" PRId64 ": “%s” is not a clock value."), m->mutation_id, m->hlc);
      return FALSE;
    }
  if (m->patch != NULL)
    {
      JsonObjectIter iter;
      const char *field;
      JsonNode *value;

      json_object_iter_init (&iter, m->patch);
      while (json_object_iter_next (&iter, &field, &value))
        {
          const char *kind = g_hash_table_lookup (fields, field);

          if (kind == NULL)
            {
              g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                           _("Mutation %" PRId64 ": %s has no field “%s”."), m->mutation_id, m->table, field);
              return FALSE;
            }
          if (!g_str_equal (kind, "json") && !JSON_NODE_HOLDS_VALUE (value) && !JSON_NODE_HOLDS_NULL (value))
            {
              g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                           _("Mutation %" PRId64 ": %s.%s must be a string, number, boolean or null."),
                           m->mutation_id, m->table, field);
              return FALSE;
            }
          if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING &&
              strlen (json_node_get_string (value)) > CRM_SYNC_MAX_STRING)
            {
              g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_TOO_LARGE,
                           _("Mutation %" PRId64 ": %s.%s is too long."), m->mutation_id, m->table, field);
              return FALSE;
            }
        }
    }
  return TRUE;
}

/* --- users and visibility -------------------------------------------------- */

typedef CrmServerSession Session;

void
crm_server_session_clear (CrmServerSession *session)
{
  g_clear_pointer (&session->user, crm_server_user_free);
  g_clear_pointer (&session->visible_owners, g_ptr_array_unref);
}

static gboolean
role_sees_all (const char *role)
{
  return g_strcmp0 (role, "admin") == 0 || g_strcmp0 (role, "analyst") == 0 ||
         g_strcmp0 (role, "marketing") == 0 || g_strcmp0 (role, "service") == 0;
}

static gboolean
session_sees (Session    *session,
              const char *scope_owner)
{
  /* Rows not tied to anyone (pipelines, surveys, unassigned customers)
   * are shared by the whole office. */
  if (session->visible_owners == NULL || scope_owner == NULL)
    return TRUE;
  for (guint i = 0; i < session->visible_owners->len; i++)
    if (g_str_equal (g_ptr_array_index (session->visible_owners, i), scope_owner))
      return TRUE;
  return FALSE;
}

static char *
token_hash (const char *token)
{
  guchar out[32];
  char hex[65];

  crypto_generichash (out, sizeof out, (const guchar *) token, strlen (token), NULL, 0);
  sodium_bin2hex (hex, sizeof hex, out, sizeof out);
  return g_strdup (hex);
}

/* Counts this token's requests in the current minute; FALSE (and the
 * seconds left in that minute) once it made more than self->rate_limit.
 * Per process: behind a balancer each instance counts on its own. */
static gboolean
token_within_rate (CrmServer  *self,
                   const char *hash,
                   gint64     *retry_after)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *window;

  if (self->rate_limit == 0)
    return TRUE;
  window = g_hash_table_lookup (self->token_requests, hash);
  if (window == NULL || now - window[0] >= 60 * G_USEC_PER_SEC)
    {
      /* Forget stale windows now and then, so the table stays small. */
      if (g_hash_table_size (self->token_requests) > 10000)
        g_hash_table_remove_all (self->token_requests);
      window = g_new (gint64, 2);
      window[0] = now;
      window[1] = 0;
      g_hash_table_replace (self->token_requests, g_strdup (hash), window);
    }
  window[1]++;
  if (window[1] <= (gint64) self->rate_limit)
    return TRUE;
  *retry_after = MAX (1, (window[0] + 60 * G_USEC_PER_SEC - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  return FALSE;
}

/* Keeps the admin's device list current without a write per request;
 * failing to record it never fails the request. */
static void
note_device_seen (CrmServer  *self,
                  const char *client_id,
                  const char *user_id,
                  const char *label)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *last = g_hash_table_lookup (self->device_seen, client_id);

  if (label == NULL && last != NULL && now - *last < DEVICE_SEEN_INTERVAL_US)
    return;
  if (g_hash_table_size (self->device_seen) > 10000)
    g_hash_table_remove_all (self->device_seen);
  if (!self->backend->vtable->touch_device (self->backend, client_id, user_id, label,
                                            g_get_real_time () / 1000, NULL))
    return;
  last = g_new (gint64, 1);
  *last = now;
  g_hash_table_replace (self->device_seen, g_strdup (client_id), last);
}

static gboolean
authenticate (CrmServer          *self,
              SoupServerMessage  *msg,
              Session            *session,
              char              **out_client_id,
              GError            **error)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");
  g_autofree char *hash = NULL;
  g_autofree char *user_id = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 retry_after = 0;

  if (header == NULL || !g_str_has_prefix (header, "Bearer ") || strlen (header) > 200)
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED,
                           _("Sign in first: the request has no token."));
      return FALSE;
    }
  hash = token_hash (header + strlen ("Bearer "));
  /* An unreachable database is not an expired sign-in: the client must
   * try again later, not ask its user for the password. */
  user_id = self->backend->vtable->check_token (self->backend, hash, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (user_id == NULL)
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED,
                           _("The sign-in expired or was revoked. Sign in again."));
      return FALSE;
    }
  if (!token_within_rate (self, hash, &retry_after))
    {
      g_autofree char *seconds = g_strdup_printf ("%" PRId64, retry_after);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", seconds);
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_RATE_LIMITED,
                           _("Too many requests with this sign-in. Wait a moment and try again."));
      return FALSE;
    }
  session->user = self->backend->vtable->find_user (self->backend, user_id, &local_error);
  if (session->user == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED,
                             _("The sign-in expired or was revoked. Sign in again."));
      return FALSE;
    }
  if (!role_sees_all (session->user->role))
    {
      session->visible_owners = session->user->team
        ? self->backend->vtable->team_members (self->backend, session->user->team, &local_error)
        : g_ptr_array_new_with_free_func (g_free);
      if (session->visible_owners == NULL)
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The server could not read the user's team."));
          return FALSE;
        }
      if (!g_ptr_array_find_with_equal_func (session->visible_owners, session->user->id, g_str_equal, NULL))
        g_ptr_array_add (session->visible_owners, g_strdup (session->user->id));
    }
  *out_client_id = self->backend->vtable->token_client (self->backend, hash);
  if (*out_client_id == NULL)
    {
      /* The token was there a moment ago: the database went away. */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           _("The server could not read its sign-ins. Try again in a moment."));
      return FALSE;
    }
  note_device_seen (self, *out_client_id, session->user->id, NULL);
  return TRUE;
}

/* --- login ----------------------------------------------------------------- */

static gboolean
login_rate_limited (CrmServer  *self,
                    const char *key)
{
  GArray *times = g_hash_table_lookup (self->login_failures, key);
  gint64 now = g_get_monotonic_time ();
  guint recent = 0;

  if (times == NULL)
    return FALSE;
  for (guint i = 0; i < times->len; i++)
    if (now - g_array_index (times, gint64, i) < LOGIN_WINDOW_US)
      recent++;
  return recent >= LOGIN_MAX_FAILURES;
}

static void
login_failed (CrmServer  *self,
              const char *key)
{
  GArray *times = g_hash_table_lookup (self->login_failures, key);
  gint64 now = g_get_monotonic_time ();

  if (times == NULL)
    {
      times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->login_failures, g_strdup (key), times);
    }
  if (times->len >= LOGIN_MAX_FAILURES * 2)
    g_array_remove_index (times, 0);
  g_array_append_val (times, now);
}

static char *
remote_address (SoupServerMessage *msg)
{
  GSocketAddress *addr = soup_server_message_get_remote_address (msg);

  if (G_IS_INET_SOCKET_ADDRESS (addr))
    return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr)));
  return g_strdup ("-");
}

static gboolean
read_body (SoupServerMessage  *msg,
           JsonObject        **out,
           GError            **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                           _("Use POST with a JSON body."));
      return FALSE;
    }
  *out = crm_sync_parse_object (data, length, error);
  return *out != NULL;
}

static void
handle_login (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  CrmServer *self = user_data;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(CrmSyncLogin) login = NULL;
  g_autoptr(CrmServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *address = remote_address (msg);
  g_autofree char *hash = NULL;
  JsonObject *user_object;
  guchar raw[32];
  char token[65];
  gint64 expires;

  if (!read_body (msg, &request, &error) ||
      (login = crm_sync_login_decode (request, &error)) == NULL)
    {
      respond_error (msg, path, NULL, error);
      return;
    }
  if (!crm_sync_protocol_supported (login->schema_version))
    {
      g_set_error (&error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SCHEMA,
                   _("This server speaks sync protocol %d, the client %" PRId64 ". Update the app."),
                   CRM_SYNC_PROTOCOL_VERSION, login->schema_version);
      respond_error (msg, path, login->user, error);
      return;
    }
  if (login_rate_limited (self, login->user) || login_rate_limited (self, address))
    {
      g_set_error_literal (&error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_RATE_LIMITED,
                           _("Too many failed sign-ins. Wait a minute and try again."));
      respond_error (msg, path, login->user, error);
      return;
    }

  user = self->backend->vtable->find_user (self->backend, login->user, &error);
  if (error != NULL)
    {
      respond_error (msg, path, login->user, error);
      return;
    }
  if (user == NULL || user->disabled ||
      crypto_pwhash_str_verify (user->password_hash, login->password, strlen (login->password)) != 0)
    {
      login_failed (self, login->user);
      login_failed (self, address);
      g_set_error_literal (&error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED,
                           _("The user name or password is wrong."));
      respond_error (msg, path, login->user, error);
      return;
    }

  randombytes_buf (raw, sizeof raw);
  sodium_bin2hex (token, sizeof token, raw, sizeof raw);
  hash = token_hash (token);
  expires = g_get_real_time () / G_USEC_PER_SEC + self->token_lifetime;
  if (!self->backend->vtable->add_token (self->backend, hash, user->id, login->client_id, expires, &error))
    {
      respond_error (msg, path, login->user, error);
      return;
    }

  {
    /* The device's name as the app gives it, else its User-Agent. */
    const char *label = json_object_has_member (request, "device") &&
                        JSON_NODE_HOLDS_VALUE (json_object_get_member (request, "device")) &&
                        json_node_get_value_type (json_object_get_member (request, "device")) == G_TYPE_STRING
                        ? json_object_get_string_member (request, "device") : NULL;
    g_autofree char *short_label = NULL;
    g_autofree char *valid = NULL;

    if (label == NULL || *label == '\0')
      label = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "User-Agent");
    valid = g_utf8_make_valid (label ? label : "-", -1);
    short_label = g_utf8_substring (valid, 0, MIN (g_utf8_strlen (valid, -1), 128));
    note_device_seen (self, login->client_id, user->id, short_label);
  }

  body = json_object_new ();
  json_object_set_string_member (body, "token", token);
  json_object_set_int_member (body, "expires_at", expires);
  json_object_set_int_member (body, "server_time", g_get_real_time () / 1000);
  user_object = json_object_new ();
  json_object_set_string_member (user_object, "id", user->id);
  json_object_set_string_member (user_object, "name", user->name);
  json_object_set_string_member (user_object, "role", user->role);
  if (user->team != NULL)
    json_object_set_string_member (user_object, "team", user->team);
  else
    json_object_set_null_member (user_object, "team");
  json_object_set_object_member (body, "user", user_object);
  respond_json (msg, SOUP_STATUS_OK, body);
  sodium_memzero (token, sizeof token);
  log_request (msg, path, SOUP_STATUS_OK, user->name, NULL);
}

/* --- push ------------------------------------------------------------------ */

static const char *
hlc_client (const char *hlc)
{
  return hlc != NULL && strlen (hlc) > 30 ? hlc + 30 : "";
}

/* A field's meta: [hlc, seq, author]. The author (the user's name) lets a
 * conflict say who made the other change; rows written before it was
 * kept have only [hlc, seq]. */
static JsonArray *
meta_pair (const char *hlc,
           gint64      seq,
           const char *author)
{
  JsonArray *pair = json_array_new ();

  json_array_add_string_element (pair, hlc);
  json_array_add_int_element (pair, seq);
  if (author != NULL)
    json_array_add_string_element (pair, author);
  return pair;
}

static const char *
meta_author (JsonArray *pair)
{
  JsonNode *node;

  if (pair == NULL || json_array_get_length (pair) < 3)
    return NULL;
  node = json_array_get_element (pair, 2);
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static JsonObject *
conflict_object (const char *kind,
                 const char *field,
                 const char *winner,
                 JsonNode   *pushed,
                 const char *pushed_hlc,
                 JsonNode   *server,
                 const char *server_hlc,
                 const char *server_by)
{
  JsonObject *c = json_object_new ();

  json_object_set_string_member (c, "kind", kind);
  if (field != NULL)
    json_object_set_string_member (c, "field", field);
  json_object_set_string_member (c, "winner", winner);
  json_object_set_member (c, "pushed_value", pushed ? json_node_copy (pushed) : json_node_new (JSON_NODE_NULL));
  json_object_set_string_member (c, "pushed_hlc", pushed_hlc);
  json_object_set_member (c, "server_value", server ? json_node_copy (server) : json_node_new (JSON_NODE_NULL));
  if (server_hlc != NULL)
    json_object_set_string_member (c, "server_hlc", server_hlc);
  if (server_by != NULL)
    json_object_set_string_member (c, "server_by", server_by);
  return c;
}

static gboolean
json_equal (JsonNode *a,
            JsonNode *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return json_node_equal (a, b);
}

static const char *
row_string (JsonObject *data,
            const char *field)
{
  JsonNode *node = json_object_get_member (data, field);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The office's configuration: every user sees it, whoever wrote it (a
 * pipeline an admin made must reach the reps whose deals are in it). */
static const char * const office_tables[] = {
  "roles", "teams", "users", "pipelines", "stages", "segments", "campaigns",
  "surveys", "survey_questions", NULL
};

/* Rows under a deal that carry no contact: whoever sees the deal sees
 * them, whoever wrote them (a manager's move of a rep's deal). */
static const char * const deal_children[] = { "deal_products", "deal_stage_history", NULL };

/* Whether the row @id of @table is stored, and then its scope. */
static gboolean
scope_of_row (CrmServer   *self,
              const char  *table,
              const char  *id,
              char       **out_scope)
{
  g_autoptr(CrmServerRow) row = id != NULL ? self->backend->vtable->get_row (self->backend, table, id, NULL) : NULL;

  if (row == NULL)
    return FALSE;
  *out_scope = g_strdup (row->scope_owner);
  return TRUE;
}

/* The owner of the customer a row belongs to: for a contact its owner, for
 * rows under a contact (purchases, deals, activities, …) the contact's,
 * for rows under a deal or a survey response theirs; NULL for the
 * office's configuration. */
static char *
scope_owner_of (CrmServer    *self,
                const char   *table,
                JsonObject   *data)
{
  char *scope = NULL;

  if (g_strv_contains (office_tables, table))
    return NULL;
  /* A parent not stored (yet) leaves the row its writer's, never everyone's. */
  if (!g_str_equal (table, "contacts") &&
      scope_of_row (self, "contacts", row_string (data, "contact_id"), &scope))
    return scope;
  if (g_strv_contains (deal_children, table) && scope_of_row (self, "deals", row_string (data, "deal_id"), &scope))
    return scope;
  if (g_str_equal (table, "survey_answers") &&
      scope_of_row (self, "survey_responses", row_string (data, "response_id"), &scope))
    return scope;
  return g_strdup (row_string (data, "owner_id"));
}

static char *
permission_problem (Session         *session,
                    CrmSyncMutation *m,
                    CrmServerRow    *row)
{
  const char *role = session->user->role;

  if (g_str_equal (role, "analyst"))
    return g_strdup (_("Analysts can read but not change data."));
  if (g_str_equal (role, "marketing"))
    {
      JsonObjectIter iter;
      const char *field;
      JsonNode *value;

      if (!g_str_equal (m->table, "contacts") || !g_str_equal (m->op, "update") || m->patch == NULL)
        return g_strdup (_("Marketing can change only the tags and consent of contacts."));
      json_object_iter_init (&iter, m->patch);
      while (json_object_iter_next (&iter, &field, &value))
        if (!g_strv_contains (marketing_fields, field))
          return g_strdup_printf (_("Marketing cannot change %s of a contact."), field);
    }
  if (g_str_equal (role, "service") && !g_str_equal (m->table, "activities"))
    return g_strdup (_("Service can change activities and complaints only."));
  if (row != NULL && !session_sees (session, row->scope_owner))
    return g_strdup (_("This record belongs to a customer you do not have access to."));
  if (session->visible_owners != NULL && m->patch != NULL)
    {
      const char *owner = row_string (m->patch, "owner_id");

      if (owner != NULL && !session_sees (session, owner))
        return g_strdup (_("You cannot give a record to someone outside your team."));
    }
  return NULL;
}

/* A deal that changes scope takes its product lines and stage moves
 * along, each with a new seq, so pulls send them as put or remove. */
static gboolean
rescope_deal_children (CrmServer   *self,
                       const char  *deal_id,
                       const char  *owner,
                       GError     **error)
{
  for (guint t = 0; deal_children[t] != NULL; t++)
    {
      g_autoptr(GPtrArray) rows = self->backend->vtable->rows_with_field (self->backend, deal_children[t],
                                                                          "deal_id", deal_id, error);

      if (rows == NULL)
        return FALSE;
      for (guint i = 0; i < rows->len; i++)
        {
          CrmServerRow *child = g_ptr_array_index (rows, i);

          if (g_strcmp0 (child->scope_owner, owner) == 0)
            continue;
          g_free (child->scope_owner);
          child->scope_owner = g_strdup (owner);
          if (!self->backend->vtable->put_row (self->backend, child, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* Moving a customer to another owner moves the rows under it too, each
 * with a new seq, so pulls send them as put or remove. */
static gboolean
rescope_children (CrmServer   *self,
                  const char  *contact_id,
                  const char  *owner,
                  GError     **error)
{
  g_autoptr(GPtrArray) rows = self->backend->vtable->rows_of_contact (self->backend, contact_id, error);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      CrmServerRow *child = g_ptr_array_index (rows, i);

      if (g_strcmp0 (child->scope_owner, owner) == 0 || g_str_equal (child->table, "contacts"))
        continue;
      g_free (child->scope_owner);
      child->scope_owner = g_strdup (owner);
      if (!self->backend->vtable->put_row (self->backend, child, error))
        return FALSE;
      if (g_str_equal (child->table, "deals") && !rescope_deal_children (self, child->id, owner, error))
        return FALSE;
    }
  return TRUE;
}

/* The client whose value met this push gets the conflict too, from its
 * side (its value is "local"), so both replicas can review it. */
static gboolean
tell_other_client (CrmServer        *self,
                   CrmSyncMutation  *m,
                   const char       *field,
                   const char       *winner,
                   JsonNode         *its_value,
                   const char       *its_hlc,
                   JsonNode         *pushed_value,
                   const char       *pushed_hlc,
                   const char       *pushed_by,
                   GError          **error)
{
  g_autoptr(JsonObject) c = json_object_new ();
  g_autofree char *body = NULL;

  if (its_hlc == NULL || *hlc_client (its_hlc) == '\0')
    return TRUE;
  json_object_set_string_member (c, "kind", "field");
  json_object_set_string_member (c, "table", m->table);
  json_object_set_string_member (c, "row_id", m->row_id);
  json_object_set_string_member (c, "field", field);
  json_object_set_string_member (c, "winner", winner);
  json_object_set_member (c, "local_value", its_value ? json_node_copy (its_value) : json_node_new (JSON_NODE_NULL));
  json_object_set_string_member (c, "local_hlc", its_hlc);
  json_object_set_member (c, "remote_value", json_node_copy (pushed_value));
  json_object_set_string_member (c, "remote_hlc", pushed_hlc);
  json_object_set_string_member (c, "remote_by", pushed_by);
  body = crm_sync_object_to_string (c, NULL);
  return self->backend->vtable->add_conflict (self->backend, hlc_client (its_hlc), body, error);
}

/* Notes a field's value before and after this mutation for the audit log. */
static void
note_change (JsonObject *changes,
             const char *field,
             JsonNode   *before,
             JsonNode   *after)
{
  JsonArray *pair = json_array_new ();

  json_array_add_element (pair, before ? json_node_copy (before) : json_node_new (JSON_NODE_NULL));
  json_array_add_element (pair, after ? json_node_copy (after) : json_node_new (JSON_NODE_NULL));
  json_object_set_array_member (changes, field, pair);
}

/* The authoritative audit entry of an applied change: who, from which
 * device, when it was edited (the mutation's clock, maybe days ago
 * offline) and when the server received it. */
static gboolean
record_audit (CrmServer        *self,
              Session          *session,
              const char       *client_id,
              CrmSyncMutation  *m,
              JsonObject       *changes,
              gint64            now_ms,
              GError          **error)
{
  g_autofree char *text = crm_sync_object_to_string (changes, NULL);
  CrmServerAuditEntry entry = { 0 };
  gint64 edit_ms = 0;

  crm_hlc_parse (m->hlc, &edit_ms, NULL, NULL);
  entry.received_at = now_ms;
  entry.edit_at = edit_ms;
  entry.edit_hlc = m->hlc;
  entry.user_id = session->user->id;
  entry.user_name = session->user->name;
  entry.client_id = (char *) client_id;
  entry.table = m->table;
  entry.row_id = m->row_id;
  entry.op = m->op;
  entry.changes = text;
  return self->backend->vtable->add_audit_entry (self->backend, &entry, error);
}

/* Applies one mutation inside the caller's transaction and returns its
 * result. Writes happen last (seq is taken just before commit). */
static JsonObject *
apply_mutation (CrmServer        *self,
                Session          *session,
                const char       *client_id,
                CrmSyncMutation  *m,
                GError          **error)
{
  g_autoptr(JsonObject) result = json_object_new ();
  g_autoptr(JsonArray) conflicts = json_array_new ();
  g_autoptr(JsonObject) changes = json_object_new ();
  g_autoptr(CrmServerRow) row = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *hlc = NULL;
  g_autofree char *old_scope = NULL;
  gint64 hlc_ms;
  gint64 now_ms = g_get_real_time () / 1000;
  gboolean changed = FALSE;

  json_object_set_int_member (result, "mutation_id", m->mutation_id);

  /* A client clock far ahead would win every later conflict: clamp it. */
  crm_hlc_parse (m->hlc, &hlc_ms, NULL, NULL);
  if (hlc_ms > now_ms + CRM_HLC_MAX_DRIFT_MS)
    hlc = crm_hlc_format (now_ms + CRM_HLC_MAX_DRIFT_MS, 0, hlc_client (m->hlc));
  else
    hlc = g_strdup (m->hlc);

  row = self->backend->vtable->get_row (self->backend, m->table, m->row_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  reason = permission_problem (session, m, row);
  if (reason == NULL && row == NULL && !g_str_equal (m->op, "insert"))
    {
      if (g_str_equal (m->op, "delete"))
        {
          /* Deleting what the server never had (its insert was rejected). */
          json_object_set_string_member (result, "status", "applied");
          return g_steal_pointer (&result);
        }
      reason = g_strdup_printf (_("There is no %s row %s on the server."), m->table, m->row_id);
    }
  if (reason != NULL)
    {
      json_object_set_string_member (result, "status", "rejected");
      json_object_set_string_member (result, "reason", reason);
      return g_steal_pointer (&result);
    }

  if (row == NULL)
    {
      JsonObjectIter iter;
      const char *field;
      JsonNode *value;

      row = g_new0 (CrmServerRow, 1);
      row->table = g_strdup (m->table);
      row->id = g_strdup (m->row_id);
      row->data = json_object_new ();
      row->meta = json_object_new ();
      json_object_iter_init (&iter, m->patch);
      while (json_object_iter_next (&iter, &field, &value))
        {
          json_object_set_member (row->data, field, json_node_copy (value));
          json_object_set_array_member (row->meta, field, meta_pair (hlc, 0, session->user->name));
          /* A new row's empty fields say nothing worth logging. */
          if (!JSON_NODE_HOLDS_NULL (value))
            note_change (changes, field, NULL, value);
        }
      /* A rep's new customer is theirs unless they name another owner
       * (an API key is nobody: its rows stay unassigned). */
      if (row_string (row->data, "owner_id") == NULL && session->user->id != NULL)
        {
          g_autoptr(JsonNode) owner = json_node_init_string (json_node_alloc (), session->user->id);

          note_change (changes, "owner_id", NULL, owner);
          json_object_set_string_member (row->data, "owner_id", session->user->id);
          json_object_set_array_member (row->meta, "owner_id", meta_pair (hlc, 0, session->user->name));
        }
      row->deleted = json_object_has_member (row->data, "deleted") &&
                     JSON_NODE_HOLDS_VALUE (json_object_get_member (row->data, "deleted")) &&
                     json_object_get_int_member (row->data, "deleted") != 0;
      changed = TRUE;
    }
  else if (g_str_equal (m->op, "delete") ||
           (m->patch != NULL && json_object_has_member (m->patch, "deleted") &&
            JSON_NODE_HOLDS_VALUE (json_object_get_member (m->patch, "deleted")) &&
            json_object_get_int_member (m->patch, "deleted") != 0))
    {
      /* Delete wins over concurrent edits, whatever the clocks say. */
      if (!row->deleted)
        {
          g_autoptr(JsonNode) after = json_node_init_int (json_node_alloc (), 1);

          note_change (changes, "deleted", json_object_get_member (row->data, "deleted"), after);
          row->deleted = TRUE;
          json_object_set_int_member (row->data, "deleted", 1);
          json_object_set_array_member (row->meta, "deleted", meta_pair (hlc, 0, session->user->name));
          changed = TRUE;
        }
    }
  else
    {
      /* A field may have no meta yet: rows made through the REST API hold
       * only the fields it was given. */
      JsonArray *deleted_pair = json_object_has_member (row->meta, "deleted")
                                ? json_object_get_array_member (row->meta, "deleted") : NULL;
      const char *deleted_hlc = deleted_pair ? json_array_get_string_element (deleted_pair, 0) : NULL;
      const char *deleted_by = meta_author (deleted_pair);
      /* Only a restore made after the delete undoes it: an insert or edit
       * sent again later (after client_diverged) carries an older clock. */
      gboolean restore = json_object_has_member (m->patch, "deleted") &&
                         (deleted_hlc == NULL || crm_hlc_compare (hlc, deleted_hlc) > 0);
      JsonObjectIter iter;
      const char *field;
      JsonNode *value;

      if (row->deleted && !restore)
        {
          /* Edit of a row deleted elsewhere: the delete stands, and the
           * editor keeps the edit in a conflict that can restore the row. */
          g_autoptr(JsonNode) pushed = json_node_init_object (json_node_alloc (), m->patch);
          json_array_add_object_element (conflicts,
            conflict_object ("delete_edit", NULL, "remote", pushed, hlc, NULL, deleted_hlc, deleted_by));
        }
      else
        {
          if (restore && row->deleted)
            {
              row->deleted = FALSE;
              changed = TRUE;
            }
          json_object_iter_init (&iter, m->patch);
          while (json_object_iter_next (&iter, &field, &value))
            {
              JsonArray *pair = json_object_has_member (row->meta, field)
                                ? json_object_get_array_member (row->meta, field) : NULL;
              const char *server_hlc = pair ? json_array_get_string_element (pair, 0) : NULL;
              gint64 server_seq = pair ? json_array_get_int_element (pair, 1) : 0;
              const char *server_by = meta_author (pair);
              JsonNode *server_value = json_object_get_member (row->data, field);
              gboolean concurrent = server_seq > m->base_version &&
                                    g_strcmp0 (hlc_client (server_hlc), hlc_client (hlc)) != 0;

              if (server_hlc == NULL || crm_hlc_compare (hlc, server_hlc) > 0)
                {
                  if (concurrent && !json_equal (server_value, value))
                    {
                      json_array_add_object_element (conflicts,
                        conflict_object ("field", field, "local", value, hlc, server_value, server_hlc, server_by));
                      if (!tell_other_client (self, m, field, "remote", server_value, server_hlc, value, hlc,
                                          session->user->name, error))
                        return NULL;
                    }
                  if (!json_equal (server_value, value) || server_hlc == NULL)
                    changed = TRUE;
                  if (!json_equal (server_value, value))
                    note_change (changes, field, server_value, value);
                  json_object_set_member (row->data, field, json_node_copy (value));
                  json_object_set_array_member (row->meta, field, meta_pair (hlc, 0, session->user->name));
                }
              else if (!json_equal (server_value, value))
                {
                  json_array_add_object_element (conflicts,
                    conflict_object ("field", field, "remote", value, hlc, server_value, server_hlc, server_by));
                  if (concurrent &&
                      !tell_other_client (self, m, field, "local", server_value, server_hlc, value, hlc,
                                         session->user->name, error))
                    return NULL;
                }
            }
        }
    }

  if (changed &&
      !validate_row (self, m->table, m->row_id, hlc, row->data, &reason))
    {
      json_object_set_string_member (result, "status", "rejected");
      json_object_set_string_member (result, "reason", reason);
      return g_steal_pointer (&result);
    }

  json_object_set_string_member (result, "status", "applied");
  if (json_array_get_length (conflicts) > 0)
    json_object_set_array_member (result, "conflicts", g_steal_pointer (&conflicts));

  if (changed)
    {
      old_scope = g_strdup (row->scope_owner);
      g_free (row->scope_owner);
      row->scope_owner = scope_owner_of (self, m->table, row->data);
      if (!self->backend->vtable->put_row (self->backend, row, error))
        return NULL;
      if (json_object_get_size (changes) > 0 &&
          !record_audit (self, session, client_id, m, changes, now_ms, error))
        return NULL;
      json_object_set_int_member (result, "seq", row->seq);
      if (g_str_equal (m->table, "contacts") && g_strcmp0 (old_scope, row->scope_owner) != 0 &&
          !rescope_children (self, m->row_id, row->scope_owner, error))
        return NULL;
      if (g_str_equal (m->table, "deals") && g_strcmp0 (old_scope, row->scope_owner) != 0 &&
          !rescope_deal_children (self, m->row_id, row->scope_owner, error))
        return NULL;
    }
  return g_steal_pointer (&result);
}

typedef struct
{
  guint applied;
  guint rejected;
  guint replayed;
} PushCounts;

/* One mutation of a push in its own transaction: replayed from its stored
 * result, refused (gap, diverged: FALSE with @error, and
 * last_mutation_id in @body), or applied and recorded. Nothing is added to
 * @results unless the transaction committed, so a failed attempt can be
 * made again. */
static gboolean
push_one (CrmServer        *self,
          Session          *session,
          const char       *client_id,
          CrmSyncMutation  *m,
          JsonArray        *results,
          JsonObject       *body,
          PushCounts       *counts,
          GError          **error)
{
  CrmServerBackend *backend = self->backend;
  g_autofree char *digest = crm_sync_mutation_digest (m);
  g_autoptr(JsonObject) result = NULL;
  CrmServerMutationRecord record = { m->mutation_id, digest, NULL };
  g_autofree char *result_text = NULL;
  gint64 last;

  if (!backend->vtable->begin (backend, error))
    return FALSE;
  /* Locks this client's record (PostgreSQL: FOR UPDATE), so a push of the
   * same client on another instance waits here until this one commits. */
  last = backend->vtable->client_last_mutation (backend, client_id, error);
  if (last < 0)
    {
      backend->vtable->rollback (backend);
      return FALSE;
    }
  if (m->mutation_id <= last)
    {
      g_autoptr(CrmServerMutationRecord) stored =
        backend->vtable->find_mutation (backend, client_id, m->mutation_id, NULL);

      backend->vtable->rollback (backend);
      if (stored != NULL && !g_str_equal (stored->digest, digest))
        {
          g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_DIVERGED,
                       _("Mutation %" PRId64 " differs from the one this device sent before; "
                         "the device was probably restored from an old backup. It must resync."),
                       m->mutation_id);
          json_object_set_int_member (body, "last_mutation_id", last);
          return FALSE;
        }
      if (stored != NULL)
        {
          g_autoptr(JsonNode) node = json_from_string (stored->result, NULL);

          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
            json_array_add_object_element (results, json_object_ref (json_node_get_object (node)));
        }
      counts->replayed++;
      return TRUE;
    }
  if (m->mutation_id != last + 1)
    {
      backend->vtable->rollback (backend);
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_GAP,
                   _("Mutation %" PRId64 " came before %" PRId64 "; send the mutations in order without gaps."),
                   m->mutation_id, last + 1);
      json_object_set_int_member (body, "last_mutation_id", last);
      return FALSE;
    }

  result = apply_mutation (self, session, client_id, m, error);
  if (result == NULL)
    {
      backend->vtable->rollback (backend);
      return FALSE;
    }
  result_text = crm_sync_object_to_string (result, NULL);
  record.result = result_text;
  if (!backend->vtable->audit (backend, session->user->id, client_id, m->mutation_id, m->table,
                               m->row_id, m->op, json_object_get_string_member (result, "status"), error) ||
      !backend->vtable->record_mutation (backend, client_id, session->user->id, &record, error) ||
      !backend->vtable->commit (backend, error))
    {
      backend->vtable->rollback (backend);
      return FALSE;
    }
  if (g_str_equal (json_object_get_string_member (result, "status"), "applied"))
    counts->applied++;
  else
    counts->rejected++;
  json_array_add_object_element (results, g_steal_pointer (&result));
  return TRUE;
}

static void
handle_push (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  CrmServer *self = user_data;
  g_auto(CrmServerSession) session = { NULL, NULL };
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(CrmSyncPush) push = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *client_id = NULL;
  g_autofree char *detail = NULL;
  JsonArray *results = json_array_new ();
  PushCounts counts = { 0 };

  json_object_set_array_member (body, "results", results);

  if (!read_body (msg, &request, &error) ||
      !authenticate (self, msg, &session, &client_id, &error) ||
      (push = crm_sync_push_decode (request, &error)) == NULL)
    {
      respond_error (msg, path, session.user ? session.user->name : NULL, error);
      return;
    }
  if (!crm_sync_protocol_supported (push->schema_version))
    {
      g_set_error (&error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SCHEMA,
                   _("This server speaks sync protocol %d, the client %" PRId64 ". Update the app."),
                   CRM_SYNC_PROTOCOL_VERSION, push->schema_version);
      respond_error (msg, path, session.user->name, error);
      return;
    }
  if (g_strcmp0 (client_id, push->client_id) != 0)
    {
      g_set_error_literal (&error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_FORBIDDEN,
                           _("The token was issued to another device. Sign in on this one."));
      respond_error (msg, path, session.user->name, error);
      return;
    }
  for (guint i = 0; i < push->mutations->len; i++)
    if (!check_mutation_shape (self, g_ptr_array_index (push->mutations, i), &error))
      {
        respond_error (msg, path, session.user->name, error);
        return;
      }

  for (guint i = 0; i < push->mutations->len && error == NULL; i++)
    {
      /* PostgreSQL breaks a deadlock (two pushes moving one customer's
       * rows in opposite orders) by failing one side: that side starts
       * the mutation again, as often as it takes within reason. */
      for (guint attempt = 0;; attempt++)
        {
          if (push_one (self, &session, client_id, g_ptr_array_index (push->mutations, i),
                        results, body, &counts, &error))
            break;
          if (attempt >= 4 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
            break;
          g_clear_error (&error);
        }
    }

  detail = g_strdup_printf ("client=%s applied=%u rejected=%u replayed=%u",
                            client_id, counts.applied, counts.rejected, counts.replayed);
  if (error != NULL)
    {
      CrmSyncError code = sync_error_of (error);
      guint status = crm_sync_error_http_status (code);

      json_object_set_string_member (body, "error", crm_sync_error_code (code));
      json_object_set_string_member (body, "message", error->message);
      respond_json (msg, status, body);
      set_retry_after (msg, code);
      log_request (msg, path, status, session.user->name, detail);
      return;
    }
  respond_json (msg, SOUP_STATUS_OK, body);
  log_request (msg, path, SOUP_STATUS_OK, session.user->name, detail);
}

/* --- pull ------------------------------------------------------------------ */

static gboolean
query_int (GHashTable  *query,
           const char  *name,
           gint64       fallback,
           gint64       min,
           gint64       max,
           gint64      *out,
           GError     **error)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;
  gint64 value;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("“%s” must be a whole number from %" PRId64 " to %" PRId64 "."), name, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* One change of a pull's answer, written as text: the row's fields and
 * clocks come as JSON from the storage and go out unparsed. */
static void
append_change (GString               *out,
               const CrmServerChange *change,
               gboolean               visible)
{
  g_string_append_printf (out, "{\"seq\":%" PRId64 ",\"table\":", change->seq);
  crm_json_append_string (out, change->table);
  g_string_append (out, ",\"id\":");
  crm_json_append_string (out, change->id);
  if (!visible)
    g_string_append (out, ",\"op\":\"remove\"");
  else if (change->deleted)
    {
      g_string_append (out, ",\"op\":\"delete\"");
      if (change->deleted_by != NULL)
        {
          g_string_append (out, ",\"by\":{\"deleted\":");
          crm_json_append_string (out, change->deleted_by);
          g_string_append_c (out, '}');
        }
    }
  else
    {
      g_string_append (out, ",\"op\":\"put\",\"row\":");
      g_string_append (out, change->data != NULL ? change->data : "{}");
      g_string_append (out, ",\"hlc\":");
      g_string_append (out, change->hlcs != NULL ? change->hlcs : "{}");
      g_string_append (out, ",\"by\":");
      g_string_append (out, change->authors != NULL ? change->authors : "{}");
    }
  g_string_append_c (out, '}');
}

static void
handle_pull (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  CrmServer *self = user_data;
  g_auto(CrmServerSession) session = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *detail = NULL;
  GString *text;
  gsize length;
  guint n_sent = 0;
  gint64 cursor, limit, schema, max_seq, next_cursor, ack;

  if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0)
    {
      g_set_error_literal (&error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED, _("Use GET."));
      respond_error (msg, path, NULL, error);
      return;
    }
  if (!authenticate (self, msg, &session, &client_id, &error) ||
      !query_int (query, "cursor", 0, 0, G_MAXINT64, &cursor, &error) ||
      !query_int (query, "limit", 1000, 1, CRM_SYNC_MAX_PAGE, &limit, &error) ||
      !query_int (query, "schema_version", CRM_SYNC_PROTOCOL_VERSION, 0, G_MAXINT32, &schema, &error) ||
      !query_int (query, "conflicts_ack", 0, 0, G_MAXINT64, &ack, &error))
    {
      respond_error (msg, path, session.user ? session.user->name : NULL, error);
      return;
    }
  if (!crm_sync_protocol_supported (schema))
    {
      g_set_error (&error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SCHEMA,
                   _("This server speaks sync protocol %d, the client %" PRId64 ". Update the app."),
                   CRM_SYNC_PROTOCOL_VERSION, schema);
      respond_error (msg, path, session.user->name, error);
      return;
    }

  max_seq = self->backend->vtable->max_seq (self->backend, &error);
  if (max_seq < 0)
    {
      respond_error (msg, path, session.user->name, error);
      return;
    }
  /* A cursor from the future: the server's data was replaced (restored
   * from a backup); the client must pull everything again. */
  if (cursor > max_seq)
    {
      g_set_error_literal (&error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_RESYNC,
                           _("The server does not know this sync position. Pull everything again."));
      respond_error (msg, path, session.user->name, error);
      return;
    }

  changes = self->backend->vtable->changes_after (self->backend, cursor, (guint) limit, (int) schema, &error);
  if (changes == NULL)
    {
      respond_error (msg, path, session.user->name, error);
      return;
    }

  text = g_string_sized_new (4096);
  g_string_append (text, "{\"changes\":[");
  next_cursor = cursor;
  for (guint i = 0; i < changes->len; i++)
    {
      CrmServerChange *change = g_ptr_array_index (changes, i);
      gsize before = text->len;

      if (i > 0)
        g_string_append_c (text, ',');
      /* Office rows written before they were shared carry their writer. */
      append_change (text, change, g_strv_contains (office_tables, change->table) ||
                                   session_sees (&session, change->scope_owner));
      /* A page also ends at a size, so rows with long texts never make an
       * answer larger than a client takes; it has at least one row. */
      if (i > 0 && text->len > CRM_SYNC_MAX_PAGE_BYTES)
        {
          g_string_truncate (text, before);
          break;
        }
      next_cursor = change->seq;
      n_sent++;
    }
  g_string_append (text, "],\"conflicts\":");
  {
    g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GPtrArray) bodies = self->backend->vtable->client_conflicts (self->backend, client_id, ack, ids, NULL);
    g_autoptr(JsonNode) list = json_node_init_array (json_node_alloc (), json_array_new ());
    g_autofree char *list_text = NULL;

    for (guint i = 0; bodies != NULL && i < bodies->len; i++)
      {
        g_autoptr(JsonNode) node = json_from_string (g_ptr_array_index (bodies, i), NULL);

        if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
          continue;
        json_object_set_int_member (json_node_get_object (node), "id", g_array_index (ids, gint64, i));
        json_array_add_object_element (json_node_get_array (list), json_object_ref (json_node_get_object (node)));
      }
    list_text = crm_json_to_string (list);
    g_string_append (text, list_text);
  }
  g_string_append_printf (text, ",\"cursor\":%" PRId64 ",\"more\":%s,\"latest\":%" PRId64 "}",
                          next_cursor, next_cursor < max_seq ? "true" : "false", max_seq);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  length = text->len;
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (text, FALSE), length);
  detail = g_strdup_printf ("client=%s cursor=%" G_GINT64_FORMAT " changes=%u",
                            client_id, cursor, n_sent);
  log_request (msg, path, SOUP_STATUS_OK, session.user->name, detail);
}

/* --- the rest -------------------------------------------------------------- */

static void
handle_healthz (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  static const char body[] = "{\"status\":\"ok\",\"version\":\"" PACKAGE_VERSION "\"}";

  if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      log_request (msg, path, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    body, sizeof body - 1);
  log_request (msg, path, SOUP_STATUS_OK, NULL, NULL);
}

/* Ready when the storage answers: a balancer sends no requests to an
 * instance whose database is away, while /healthz keeps it alive. */
static void
handle_readyz (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  CrmServer *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;

  if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      log_request (msg, path, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL, NULL);
      return;
    }
  if (!self->backend->vtable->ready (self->backend, &error))
    {
      g_autoptr(GError) unavailable = g_error_new_literal (CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAVAILABLE,
                                                           error->message);

      respond_error (msg, path, NULL, unavailable);
      return;
    }
  body = json_object_new ();
  json_object_set_string_member (body, "status", "ready");
  respond_json (msg, SOUP_STATUS_OK, body);
  log_request (msg, path, SOUP_STATUS_OK, NULL, NULL);
}

static void
handle_other (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "error", "not_found");
  json_object_set_string_member (body, "message", _("There is nothing here. The sync API is under /v1."));
  respond_json (msg, SOUP_STATUS_NOT_FOUND, body);
  log_request (msg, path, SOUP_STATUS_NOT_FOUND, NULL, NULL);
}

static void
refuse_early (SoupServerMessage *msg,
              guint              status,
              CrmSyncError       code,
              const char        *message)
{
  GUri *uri = soup_server_message_get_uri (msg);
  /* The REST API answers errors in its own shape. */
  g_autoptr(JsonObject) body = uri != NULL && crm_server_api_owns_path (g_uri_get_path (uri))
                               ? crm_server_api_error_body (crm_sync_error_code (code), message)
                               : crm_sync_error_body (code, message);

  respond_json (msg, status, body);
  set_retry_after (msg, code);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  log_request (msg, soup_server_message_get_uri (msg) ? g_uri_get_path (soup_server_message_get_uri (msg)) : "-",
               status, NULL, NULL);
}

/* Refuses an oversized body from its headers, before reading it, and a
 * connection over --max-connections before doing any work for it. */
static void
on_got_headers (SoupServerMessage *msg,
                gpointer           user_data)
{
  CrmServer *self = user_data;
  goffset length = soup_message_headers_get_content_length (soup_server_message_get_request_headers (msg));

  if (g_object_get_data (G_OBJECT (msg), "crm-over-limit") != NULL)
    refuse_early (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, CRM_SYNC_ERROR_UNAVAILABLE,
                  _("The server has too many connections open. Try again in a moment."));
  /* A chunked body would be read whole before anyone could count it. */
  else if (soup_message_headers_get_encoding (soup_server_message_get_request_headers (msg)) == SOUP_ENCODING_CHUNKED)
    refuse_early (msg, SOUP_STATUS_LENGTH_REQUIRED, CRM_SYNC_ERROR_MALFORMED,
                  _("Send the request with a Content-Length."));
  else if (length > self->max_body)
    refuse_early (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, CRM_SYNC_ERROR_TOO_LARGE,
                  _("The request is too large. Send fewer changes at once."));
}

/* Whether a connection is gone: closed by libsoup, or by the client while
 * idle between requests. libsoup 3.2 does not notice the latter (the socket
 * stays in CLOSE_WAIT and keeps its descriptor until the server stops), so
 * such a socket is closed here: nothing reads it any more, and a long-
 * running server would otherwise run out of descriptors. */
static gboolean
connection_gone (gpointer key,
                 gpointer value,
                 gpointer user_data)
{
  GSocket *socket = key;
  char byte;
  GInputVector vector = { &byte, 1 };
  int flags = G_SOCKET_MSG_PEEK;

  if (g_socket_is_closed (socket))
    return TRUE;
  if ((g_socket_condition_check (socket, G_IO_IN | G_IO_HUP | G_IO_ERR) & (G_IO_IN | G_IO_HUP | G_IO_ERR)) == 0)
    return FALSE;
  if (g_socket_receive_message (socket, NULL, &vector, 1, NULL, NULL, &flags, NULL, NULL) != 0)
    return FALSE;
  g_socket_close (socket, NULL);
  return TRUE;
}

/* Counts connections by their socket, from their first request until they
 * are gone, swept out just before the count matters. */
static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  CrmServer *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL && !g_hash_table_contains (self->connections, socket))
    {
      g_hash_table_foreach_remove (self->connections, connection_gone, NULL);
      g_hash_table_add (self->connections, g_object_ref (socket));
      if (self->max_connections > 0 && g_hash_table_size (self->connections) > self->max_connections)
        g_object_set_data (G_OBJECT (msg), "crm-over-limit", GINT_TO_POINTER (1));
    }
  g_signal_connect (msg, "got-headers", G_CALLBACK (on_got_headers), self);
}

static void
crm_server_finalize (GObject *object)
{
  CrmServer *self = (CrmServer *)object;

  g_clear_object (&self->soup);
  g_clear_pointer (&self->backend, crm_server_backend_free);
  g_clear_pointer (&self->schema, sqlite3_close);
  g_clear_pointer (&self->columns, g_hash_table_unref);
  g_clear_pointer (&self->login_failures, g_hash_table_unref);
  g_clear_pointer (&self->token_requests, g_hash_table_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->device_seen, g_hash_table_unref);

  G_OBJECT_CLASS (crm_server_parent_class)->finalize (object);
}

static void
crm_server_class_init (CrmServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = crm_server_finalize;
}

static void
crm_server_init (CrmServer *self)
{
  self->token_lifetime = DEFAULT_TOKEN_LIFETIME;
  self->max_body = CRM_SYNC_MAX_BODY;
  self->token_requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->connections = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->device_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->login_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_array_unref);
  self->soup = soup_server_new ("server-header", "crm-server/" PACKAGE_VERSION, NULL);
  soup_server_add_handler (self->soup, NULL, handle_other, self, NULL);
  soup_server_add_handler (self->soup, "/healthz", handle_healthz, self, NULL);
  soup_server_add_handler (self->soup, "/readyz", handle_readyz, self, NULL);
  soup_server_add_handler (self->soup, "/v1/login", handle_login, self, NULL);
  soup_server_add_handler (self->soup, "/v1/push", handle_push, self, NULL);
  soup_server_add_handler (self->soup, "/v1/pull", handle_pull, self, NULL);
  crm_server_api_install (self, self->soup);
  crm_server_admin_install (self, self->soup);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started), self);
}

CrmServer *
crm_server_new (const char  *db_path,
                GError     **error)
{
  CrmServerBackend *backend = crm_server_sqlite_open (db_path, error);

  if (backend == NULL)
    return NULL;
  return crm_server_new_for_backend (backend, error);
}

CrmServer *
crm_server_new_for_backend (CrmServerBackend  *backend,
                            GError           **error)
{
  g_autoptr(CrmServer) self = g_object_new (CRM_TYPE_SERVER, NULL);

  self->backend = backend;
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libsodium could not start");
      return NULL;
    }
  if (!load_schema (self, error))
    return NULL;
  self->survey_form = crm_server_survey_form_install (self->soup, self->backend);
  return g_steal_pointer (&self);
}

CrmServerBackend *
crm_server_get_backend (CrmServer *self)
{
  g_return_val_if_fail (CRM_IS_SERVER (self), NULL);

  return self->backend;
}

void
crm_server_set_limits (CrmServer *self,
                       gint64     max_body,
                       guint      max_connections,
                       guint      rate_limit)
{
  g_return_if_fail (CRM_IS_SERVER (self));

  /* Above the protocol's limit the JSON parser refuses anyway. */
  self->max_body = max_body > 0 ? MIN (max_body, CRM_SYNC_MAX_BODY) : CRM_SYNC_MAX_BODY;
  self->max_connections = max_connections;
  self->rate_limit = rate_limit;
}

gboolean
crm_server_listen (CrmServer   *self,
                   const char  *address,
                   guint16      port,
                   GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) sockaddr = NULL;

  g_return_val_if_fail (CRM_IS_SERVER (self), FALSE);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address. Use for example 127.0.0.1 or ::1."), address);
      return FALSE;
    }

  /* Plain HTTP carries tokens in the clear: allow it on loopback only. */
  if (!self->tls && !g_inet_address_get_is_loopback (inet))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Refusing plain HTTP on %s: it is not a loopback address. "
                     "Listen on 127.0.0.1 or give a TLS certificate."), address);
      return FALSE;
    }

  sockaddr = g_inet_socket_address_new (inet, port);
  return soup_server_listen (self->soup, sockaddr, self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, error);
}

guint16
crm_server_get_port (CrmServer *self)
{
  g_autoslist(GUri) uris = NULL;

  g_return_val_if_fail (CRM_IS_SERVER (self), 0);

  uris = soup_server_get_uris (self->soup);
  return uris ? g_uri_get_port (uris->data) : 0;
}

void
crm_server_set_tls_certificate (CrmServer       *self,
                                GTlsCertificate *certificate)
{
  g_return_if_fail (CRM_IS_SERVER (self));

  g_object_set (self->soup, "tls-certificate", certificate, NULL);
  self->tls = certificate != NULL;
}

void
crm_server_disconnect (CrmServer *self)
{
  g_return_if_fail (CRM_IS_SERVER (self));

  soup_server_disconnect (self->soup);
}

void
crm_server_set_token_lifetime (CrmServer *self,
                               gint64     seconds)
{
  self->token_lifetime = seconds;
}

gboolean
crm_server_add_user (CrmServer   *self,
                     const char  *name,
                     const char  *password,
                     const char  *role,
                     const char  *team,
                     GError     **error)
{
  static const char * const roles[] = { "admin", "manager", "analyst", "sales", "marketing", "service", NULL };
  g_autoptr(CrmServerUser) existing = NULL;
  CrmServerUser user = { 0 };
  char hash[crypto_pwhash_STRBYTES];
  g_autofree char *id = NULL;

  if (name == NULL || *name == '\0' || strlen (name) > 128)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Give a user name of 1 to 128 characters."));
      return FALSE;
    }
  if (role == NULL || !g_strv_contains (roles, role))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The role “%s” does not exist. Use admin, manager, analyst, sales, marketing or service."),
                   role ? role : "");
      return FALSE;
    }
  if (password == NULL || strlen (password) < 8)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The password must have at least 8 characters."));
      return FALSE;
    }
  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           _("Not enough memory to hash the password."));
      return FALSE;
    }

  existing = self->backend->vtable->find_user (self->backend, name, NULL);
  id = existing ? g_strdup (existing->id) : crm_uuid_v7_new ();
  user.id = id;
  user.name = (char *) name;
  user.role = (char *) role;
  user.team = (char *) team;
  user.password_hash = hash;
  return self->backend->vtable->add_user (self->backend, &user, error);
}

gboolean
crm_server_revoke_user (CrmServer   *self,
                        const char  *name,
                        GError     **error)
{
  g_autoptr(CrmServerUser) user = self->backend->vtable->find_user (self->backend, name, NULL);

  if (user == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no user “%s”."), name);
      return FALSE;
    }
  return self->backend->vtable->revoke_tokens (self->backend, user->id, error);
}

/* --- for the REST API (crm-server-private.h) -------------------------------- */

char *
crm_server_hash_token (const char *token)
{
  return token_hash (token);
}

gboolean
crm_server_within_rate (CrmServer  *self,
                        const char *hash,
                        gint64     *retry_after)
{
  return token_within_rate (self, hash, retry_after);
}

GHashTable *
crm_server_get_columns (CrmServer  *self,
                        const char *table)
{
  return g_hash_table_lookup (self->columns, table);
}

char *
crm_server_column_type (CrmServer  *self,
                        const char *table,
                        const char *field)
{
  sqlite3_stmt *stmt = NULL;
  char *type = NULL;

  sqlite3_prepare_v2 (self->schema, "SELECT type FROM pragma_table_info (?) WHERE name = ?", -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, field, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return type;
}

JsonObject *
crm_server_apply_mutation_as (CrmServer        *self,
                              CrmServerUser    *author,
                              const char       *client_id,
                              CrmSyncMutation  *m,
                              GError          **error)
{
  /* Sees everything: what the author may change was decided before. */
  CrmServerSession session = { author, NULL };

  return apply_mutation (self, &session, client_id, m, error);
}

const char *
crm_server_row_string (JsonObject *data,
                       const char *field)
{
  return row_string (data, field);
}

/* --- for the rest of crm-server (crm-server-private.h) --------------------- */

gboolean
crm_server_authenticate (CrmServer          *self,
                         SoupServerMessage  *msg,
                         CrmServerSession   *session,
                         char              **out_client_id,
                         GError            **error)
{
  return authenticate (self, msg, session, out_client_id, error);
}

void
crm_server_respond_json (SoupServerMessage *msg,
                         guint              status,
                         JsonObject        *body)
{
  respond_json (msg, status, body);
}

void
crm_server_respond_error (SoupServerMessage *msg,
                          const char        *path,
                          const char        *user,
                          const GError      *error)
{
  respond_error (msg, path, user, error);
}

void
crm_server_log_request (SoupServerMessage *msg,
                        const char        *path,
                        guint              status,
                        const char        *user,
                        const char        *detail)
{
  log_request (msg, path, status, user, detail);
}

/* @who: "owner" (the customer's owner follows up a detractor's web
 * answer, the default), "off" (nobody), or the name of an active user. */
gboolean
crm_server_set_survey_follow_up (CrmServer   *self,
                                 const char  *who,
                                 GError     **error)
{
  g_autoptr(CrmServerUser) user = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CRM_IS_SERVER (self), FALSE);
  g_return_val_if_fail (who != NULL, FALSE);

  if (g_str_equal (who, "owner") || g_str_equal (who, "off"))
    {
      crm_server_survey_form_set_follow_up (self->survey_form, g_str_equal (who, "owner"), NULL);
      return TRUE;
    }
  user = self->backend->vtable->find_user (self->backend, who, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (user == NULL || user->disabled)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Survey follow-ups: there is no active user “%s”. Use owner, off or a user name."), who);
      return FALSE;
    }
  crm_server_survey_form_set_follow_up (self->survey_form, TRUE, user->id);
  return TRUE;
}

JsonObject *
crm_server_apply_mutation (CrmServer         *self,
                           CrmServerSession  *session,
                           const char        *client_id,
                           CrmSyncMutation   *m,
                           GError           **error)
{
  return apply_mutation (self, session, client_id, m, error);
}
