/* crm-admin-client.c: the app's side of crm-server's /v1/admin, and this computer's own change log */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>

#include "crm-admin-client.h"
#include "crm-csv-writer.h"
#include "crm-json.h"
#include "crm-store-private.h"
#include "crm-sync-credentials.h"
#include "crm-sync-protocol.h"

struct _CrmAdminClient
{
  GObject      parent_instance;

  char        *server_url;
  char        *user;
  char        *client_id;
  GMutex       mutex;
  char        *token;      /* guarded by mutex: calls run in threads */
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (CrmAdminClient, crm_admin_client, G_TYPE_OBJECT)

static void
crm_admin_client_finalize (GObject *object)
{
  CrmAdminClient *self = CRM_ADMIN_CLIENT (object);

  g_free (self->server_url);
  g_free (self->user);
  g_free (self->client_id);
  g_free (self->token);
  g_mutex_clear (&self->mutex);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (crm_admin_client_parent_class)->finalize (object);
}

static void
crm_admin_client_class_init (CrmAdminClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_admin_client_finalize;
}

static void
crm_admin_client_init (CrmAdminClient *self)
{
  g_mutex_init (&self->mutex);
  self->session = soup_session_new_with_options ("timeout", 60, NULL);
}

CrmAdminClient *
crm_admin_client_new (const char *server_url,
                      const char *user,
                      const char *client_id)
{
  CrmAdminClient *self = g_object_new (CRM_TYPE_ADMIN_CLIENT, NULL);
  gsize len = strlen (server_url);

  /* "https://crm.example.com/" and without the slash are the same server. */
  while (len > 0 && server_url[len - 1] == '/')
    len--;
  self->server_url = g_strndup (server_url, len);
  self->user = g_strdup (user);
  self->client_id = g_strdup (client_id);
  return self;
}

void
crm_admin_client_set_token (CrmAdminClient *self,
                            const char     *token)
{
  g_return_if_fail (CRM_IS_ADMIN_CLIENT (self));

  g_mutex_lock (&self->mutex);
  g_free (self->token);
  self->token = g_strdup (token);
  g_mutex_unlock (&self->mutex);
}

static char *
dup_token (CrmAdminClient  *self,
           GError         **error)
{
  char *token;

  g_mutex_lock (&self->mutex);
  token = g_strdup (self->token);
  g_mutex_unlock (&self->mutex);
  if (token != NULL)
    return token;
  token = crm_sync_credentials_lookup (self->server_url, self->user, self->client_id, error);
  if (token == NULL && (error == NULL || *error == NULL))
    g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED,
                         _("Sign in to the server first."));
  if (token != NULL)
    crm_admin_client_set_token (self, token);
  return token;
}

JsonObject *
crm_admin_client_call_sync (CrmAdminClient  *self,
                            const char      *method,
                            const char      *path,
                            JsonObject      *body,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  const char *data;
  gsize length;
  guint status;

  g_return_val_if_fail (CRM_IS_ADMIN_CLIENT (self), NULL);

  token = dup_token (self, error);
  if (token == NULL)
    return NULL;
  url = g_strconcat (self->server_url, path, NULL);
  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_NETWORK,
                   _("“%s” is not a server address. Use for example https://crm.example.com."), self->server_url);
      return NULL;
    }
  if (body != NULL)
    {
      char *text = crm_sync_object_to_string (body, &length);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, length);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  auth = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);

  response = soup_session_send_and_read (self->session, msg, cancellable, &local_error);
  if (response == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_NETWORK,
                     _("Cannot reach the server %s: %s"), self->server_url, local_error->message);
      return NULL;
    }
  status = soup_message_get_status (msg);
  data = g_bytes_get_data (response, &length);
  answer = length > 0 ? crm_sync_parse_answer (data, length, NULL) : NULL;
  if (status < 200 || status >= 300)
    {
      const char *code = answer ? json_object_get_string_member_with_default (answer, "error", NULL) : NULL;
      const char *message = answer ? json_object_get_string_member_with_default (answer, "message", NULL) : NULL;

      g_set_error_literal (error, CRM_SYNC_ERROR, crm_sync_error_from_code (code, status),
                           message ? message : soup_status_get_phrase (status));
      return NULL;
    }
  if (answer == NULL)
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SERVER,
                           _("The server's answer is not JSON. Is the address that of a CRM server?"));
      return NULL;
    }
  return g_steal_pointer (&answer);
}

typedef struct
{
  char *method;
  char *path;
  JsonObject *body;
} Call;

static void
call_free (Call *call)
{
  g_free (call->method);
  g_free (call->path);
  g_clear_pointer (&call->body, json_object_unref);
  g_free (call);
}

static void
call_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Call *call = task_data;
  GError *error = NULL;
  JsonObject *answer = crm_admin_client_call_sync (source_object, call->method, call->path, call->body,
                                                   cancellable, &error);

  if (answer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, (GDestroyNotify) json_object_unref);
}

void
crm_admin_client_call (CrmAdminClient      *self,
                       const char          *method,
                       const char          *path,
                       JsonObject          *body,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Call *call = g_new0 (Call, 1);

  g_return_if_fail (CRM_IS_ADMIN_CLIENT (self));

  call->method = g_strdup (method);
  call->path = g_strdup (path);
  call->body = body ? json_object_ref (body) : NULL;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_admin_client_call);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  g_task_run_in_thread (task, call_thread);
}

JsonObject *
crm_admin_client_call_finish (CrmAdminClient  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
crm_admin_client_path (const char *first_segment,
                       ...)
{
  GString *path = g_string_new ("/v1/admin");
  const char *segment = first_segment;
  va_list args;

  va_start (args, first_segment);
  while (segment != NULL)
    {
      g_string_append_c (path, '/');
      g_string_append_uri_escaped (path, segment, NULL, FALSE);
      segment = va_arg (args, const char *);
    }
  va_end (args);
  return g_string_free (path, FALSE);
}

static void
append_param (GString    *path,
              const char *name,
              const char *value)
{
  if (value == NULL || *value == '\0')
    return;
  g_string_append_c (path, strchr (path->str, '?') ? '&' : '?');
  g_string_append (path, name);
  g_string_append_c (path, '=');
  g_string_append_uri_escaped (path, value, NULL, FALSE);
}

char *
crm_admin_client_audit_path (const char *user,
                             const char *row_id,
                             const char *since,
                             const char *until,
                             gint64      cursor)
{
  GString *path = g_string_new ("/v1/admin/audit");
  g_autofree char *cursor_text = cursor > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, cursor) : NULL;

  append_param (path, "user", user);
  append_param (path, "row", row_id);
  append_param (path, "since", since);
  append_param (path, "until", until);
  append_param (path, "cursor", cursor_text);
  return g_string_free (path, FALSE);
}

static JsonNode *
parse_or_null (const char *text)
{
  JsonNode *node = text ? json_from_string (text, NULL) : NULL;

  return node ? node : json_node_new (JSON_NODE_NULL);
}

JsonArray *
crm_admin_local_audit (CrmStore    *store,
                       const char  *row_id,
                       const char  *since,
                       const char  *until,
                       guint        limit,
                       GError     **error)
{
  static const char sql[] =
    "SELECT seq, at, user_id, device, table_name, row_id, action, before, after, hlc FROM audit_log\n"
    "WHERE (?1 IS NULL OR row_id = ?1) AND (?2 IS NULL OR at >= ?2) AND (?3 IS NULL OR at < ?3)\n"
    "ORDER BY seq DESC LIMIT ?4";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);
  g_autoptr(JsonArray) entries = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, row_id && *row_id ? row_id : NULL);
  crm_stmt_bind_text (stmt, 2, since && *since ? since : NULL);
  crm_stmt_bind_text (stmt, 3, until && *until ? until : NULL);
  sqlite3_bind_int64 (stmt, 4, limit > 0 ? limit : 500);
  entries = json_array_new ();
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *entry = json_object_new ();
      JsonObject *changes = json_object_new ();
      g_autoptr(JsonNode) before = parse_or_null ((const char *) sqlite3_column_text (stmt, 7));
      g_autoptr(JsonNode) after = parse_or_null ((const char *) sqlite3_column_text (stmt, 8));
      JsonObject *before_object = JSON_NODE_HOLDS_OBJECT (before) ? json_node_get_object (before) : NULL;
      JsonObject *after_object = JSON_NODE_HOLDS_OBJECT (after) ? json_node_get_object (after) : NULL;
      JsonObject *fields = after_object ? after_object : before_object;
      JsonObjectIter iter;
      const char *field;
      JsonNode *value;

      if (fields != NULL)
        {
          json_object_iter_init (&iter, fields);
          while (json_object_iter_next (&iter, &field, &value))
            {
              JsonArray *pair = json_array_new ();
              JsonNode *old = before_object ? json_object_get_member (before_object, field) : NULL;
              JsonNode *new = after_object ? json_object_get_member (after_object, field) : NULL;

              json_array_add_element (pair, old ? json_node_copy (old) : json_node_new (JSON_NODE_NULL));
              json_array_add_element (pair, new ? json_node_copy (new) : json_node_new (JSON_NODE_NULL));
              json_object_set_array_member (changes, field, pair);
            }
        }
      json_object_set_int_member (entry, "id", sqlite3_column_int64 (stmt, 0));
      json_object_set_string_member (entry, "edit_time", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_null_member (entry, "sync_time");
      json_object_set_string_member (entry, "user", sqlite3_column_text (stmt, 2)
                                                    ? (const char *) sqlite3_column_text (stmt, 2) : "");
      json_object_set_string_member (entry, "device", sqlite3_column_text (stmt, 3)
                                                      ? (const char *) sqlite3_column_text (stmt, 3) : "");
      json_object_set_string_member (entry, "table", (const char *) sqlite3_column_text (stmt, 4));
      json_object_set_string_member (entry, "row_id", (const char *) sqlite3_column_text (stmt, 5));
      json_object_set_string_member (entry, "op", (const char *) sqlite3_column_text (stmt, 6));
      json_object_set_object_member (entry, "changes", changes);
      json_array_add_object_element (entries, entry);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&entries);
}

static char *
value_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return crm_json_to_string (node);
}

/* A spreadsheet would run a value starting with = + - @ as a formula. */
static char *
csv_safe (char *text)
{
  if (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')
    {
      char *safe = g_strconcat ("'", text, NULL);

      g_free (text);
      return safe;
    }
  return text;
}

char *
crm_admin_audit_to_csv (JsonArray *entries)
{
  static const char * const header[] = {
    "edit_time", "sync_time", "user", "device", "table", "row_id", "op", "field", "before", "after"
  };
  GString *out = g_string_new ("\xEF\xBB\xBF");

  crm_csv_append_row (out, header, G_N_ELEMENTS (header), ',');
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      JsonObject *changes = json_object_get_object_member (entry, "changes");
      JsonObjectIter iter;
      const char *field;
      JsonNode *pair;

      if (changes == NULL)
        continue;
      json_object_iter_init (&iter, changes);
      while (json_object_iter_next (&iter, &field, &pair))
        {
          JsonArray *values = JSON_NODE_HOLDS_ARRAY (pair) ? json_node_get_array (pair) : NULL;
          g_autofree char *before = NULL;
          g_autofree char *after = NULL;
          const char *fields[10];

          if (values == NULL || json_array_get_length (values) != 2 ||
              json_node_equal (json_array_get_element (values, 0), json_array_get_element (values, 1)))
            continue;
          before = csv_safe (value_text (json_array_get_element (values, 0)));
          after = csv_safe (value_text (json_array_get_element (values, 1)));
          fields[0] = json_object_get_string_member_with_default (entry, "edit_time", "");
          fields[1] = json_object_get_string_member_with_default (entry, "sync_time", "");
          fields[2] = json_object_get_string_member_with_default (entry, "user", "");
          fields[3] = json_object_get_string_member_with_default (entry, "device", "");
          fields[4] = json_object_get_string_member_with_default (entry, "table", "");
          fields[5] = json_object_get_string_member_with_default (entry, "row_id", "");
          fields[6] = json_object_get_string_member_with_default (entry, "op", "");
          fields[7] = field;
          fields[8] = before;
          fields[9] = after;
          crm_csv_append_row (out, fields, G_N_ELEMENTS (fields), ',');
        }
    }
  return g_string_free (out, FALSE);
}
