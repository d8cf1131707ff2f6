/* crm-server-admin.c: team administration and the audit log under /v1/admin, for admins only */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "crm-csv-writer.h"
#include "crm-hlc.h"
#include "crm-json.h"
#include "crm-server-admin.h"
#include "crm-server-private.h"
#include "crm-uuid.h"

/* The HLC replica id of changes made with the crm-server command, which
 * has no device of its own. */
#define COMMAND_CLIENT_ID "00000000-0000-7000-8000-000000000000"
#define AUDIT_MAX_PAGE 1000

static const char * const roles[] = { "admin", "manager", "analyst", "sales", "marketing", "service", NULL };

/* --- operations (shared by the handlers and the crm-server command) -------- */

static CrmServerUser *
lookup_user (CrmServer   *self,
             const char  *name_or_id,
             GError     **error)
{
  CrmServerBackend *backend = crm_server_get_backend (self);
  g_autoptr(GError) local_error = NULL;
  CrmServerUser *user = backend->vtable->find_user (backend, name_or_id, &local_error);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (user == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no user “%s”."), name_or_id);
  return user;
}

GPtrArray *
crm_server_admin_list_users (CrmServer  *self,
                             GError    **error)
{
  CrmServerBackend *backend = crm_server_get_backend (self);

  return backend->vtable->list_users (backend, error);
}

static gboolean
update_user (CrmServer      *self,
             CrmServerUser  *user,
             GError        **error)
{
  CrmServerBackend *backend = crm_server_get_backend (self);

  return backend->vtable->update_user (backend, user, error);
}

gboolean
crm_server_admin_set_disabled (CrmServer   *self,
                               const char  *name,
                               gboolean     disabled,
                               GError     **error)
{
  g_autoptr(CrmServerUser) user = lookup_user (self, name, error);

  if (user == NULL)
    return FALSE;
  user->disabled = disabled;
  return update_user (self, user, error);
}

gboolean
crm_server_admin_set_password (CrmServer   *self,
                               const char  *name,
                               const char  *password,
                               GError     **error)
{
  CrmServerBackend *backend = crm_server_get_backend (self);
  g_autoptr(CrmServerUser) user = NULL;
  char hash[crypto_pwhash_STRBYTES];

  if (password == NULL || strlen (password) < 8)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The password must have at least 8 characters."));
      return FALSE;
    }
  user = lookup_user (self, name, error);
  if (user == NULL)
    return FALSE;
  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           _("Not enough memory to hash the password."));
      return FALSE;
    }
  g_free (user->password_hash);
  user->password_hash = g_strdup (hash);
  /* Whoever knew the old password may hold a token: it goes too. */
  return update_user (self, user, error) &&
         backend->vtable->revoke_tokens (backend, user->id, error);
}

gboolean
crm_server_admin_set_role (CrmServer   *self,
                           const char  *name,
                           const char  *role,
                           GError     **error)
{
  g_autoptr(CrmServerUser) user = NULL;

  if (role == NULL || !g_strv_contains (roles, role))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The role “%s” does not exist. Use admin, manager, analyst, sales, marketing or service."),
                   role ? role : "");
      return FALSE;
    }
  user = lookup_user (self, name, error);
  if (user == NULL)
    return FALSE;
  g_free (user->role);
  user->role = g_strdup (role);
  return update_user (self, user, error);
}

gboolean
crm_server_admin_set_team (CrmServer   *self,
                           const char  *name,
                           const char  *team,
                           GError     **error)
{
  g_autoptr(CrmServerUser) user = NULL;

  if (team != NULL && strlen (team) > 128)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Give a team name of at most 128 characters."));
      return FALSE;
    }
  user = lookup_user (self, name, error);
  if (user == NULL)
    return FALSE;
  g_free (user->team);
  user->team = team != NULL && *team != '\0' ? g_strdup (team) : NULL;
  return update_user (self, user, error);
}

GPtrArray *
crm_server_admin_devices (CrmServer   *self,
                          const char  *name,
                          GError     **error)
{
  CrmServerBackend *backend = crm_server_get_backend (self);
  g_autoptr(CrmServerUser) user = lookup_user (self, name, error);

  if (user == NULL)
    return NULL;
  return backend->vtable->user_devices (backend, user->id, error);
}

gboolean
crm_server_admin_revoke_device (CrmServer   *self,
                                const char  *client_id,
                                GError     **error)
{
  CrmServerBackend *backend = crm_server_get_backend (self);

  return backend->vtable->revoke_device (backend, client_id, error);
}

/* A clock for the admin's write of a field that must win over the value
 * there now, even when that came from a clock a little ahead of ours. */
static char *
winning_hlc (const char *current,
             const char *client_id)
{
  gint64 now_ms = g_get_real_time () / 1000;
  char *hlc = crm_hlc_format (now_ms, 0, client_id);
  gint64 ms;
  guint counter;

  if (current == NULL || crm_hlc_compare (hlc, current) > 0 ||
      !crm_hlc_parse (current, &ms, &counter, NULL))
    return hlc;
  g_free (hlc);
  return counter < 0xffff ? crm_hlc_format (ms, counter + 1, client_id) : crm_hlc_format (ms + 1, 0, client_id);
}

static gboolean
reassign_steps (CrmServer         *self,
                CrmServerSession  *session,
                const char        *client_id,
                CrmServerUser     *to,
                GPtrArray         *ids,
                gint64            *moved,
                GError           **error)
{
  CrmServerBackend *backend = crm_server_get_backend (self);

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);
      g_autoptr(CrmServerRow) row = backend->vtable->get_row (backend, "contacts", id, error);
      g_autoptr(JsonObject) patch = json_object_new ();
      g_autoptr(JsonObject) result = NULL;
      JsonArray *pair;
      CrmSyncMutation m = { 0 };
      g_autofree char *hlc = NULL;

      if (row == NULL)
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          continue;
        }
      pair = json_object_get_array_member (row->meta, "owner_id");
      hlc = winning_hlc (pair ? json_array_get_string_element (pair, 0) : NULL, client_id);
      json_object_set_string_member (patch, "owner_id", to->id);
      m.table = (char *) "contacts";
      m.row_id = (char *) id;
      m.op = (char *) "update";
      m.patch = patch;
      m.hlc = hlc;
      /* Based on what the server has: not a concurrent edit. */
      m.base_version = row->seq;
      result = crm_server_apply_mutation (self, session, client_id, &m, error);
      if (result == NULL)
        return FALSE;
      if (g_strcmp0 (json_object_get_string_member (result, "status"), "applied") == 0)
        (*moved)++;
      else
        g_message ("reassign: contact %s kept its owner: %s", id,
                   json_object_get_string_member_with_default (result, "reason", "-"));
    }
  return TRUE;
}

gint64
crm_server_admin_reassign (CrmServer           *self,
                           const CrmServerUser *actor,
                           const char          *actor_client,
                           const char          *from_name,
                           const char          *to_name,
                           GError             **error)
{
  CrmServerBackend *backend = crm_server_get_backend (self);
  g_auto(CrmServerSession) session = { NULL, NULL };
  g_autoptr(CrmServerUser) from = NULL;
  g_autoptr(CrmServerUser) to = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  gint64 moved = 0;

  from = lookup_user (self, from_name, error);
  if (from == NULL)
    return -1;
  to = lookup_user (self, to_name, error);
  if (to == NULL)
    return -1;
  if (g_str_equal (from->id, to->id))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Choose another user to give the customers to."));
      return -1;
    }
  if (to->disabled)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s is disabled. Enable the account first or choose another user."), to->name);
      return -1;
    }

  session.user = g_new0 (CrmServerUser, 1);
  session.user->id = actor ? g_strdup (actor->id) : NULL;
  session.user->name = g_strdup (actor ? actor->name : "crm-server");
  session.user->role = g_strdup ("admin");
  if (actor_client == NULL)
    actor_client = COMMAND_CLIENT_ID;

  /* All or nothing: a half-moved book of customers helps no one. */
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      moved = 0;
      if (!backend->vtable->begin (backend, error))
        return -1;
      ids = backend->vtable->owned_contacts (backend, from->id, &local_error);
      if (ids != NULL &&
          reassign_steps (self, &session, actor_client, to, ids, &moved, &local_error) &&
          backend->vtable->commit (backend, &local_error))
        break;
      backend->vtable->rollback (backend);
      g_clear_pointer (&ids, g_ptr_array_unref);
      if (attempt >= 4 || !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_BUSY))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return -1;
        }
    }
  g_message ("reassign from=%s to=%s by=%s contacts=%" G_GINT64_FORMAT,
             from->name, to->name, session.user->name, moved);
  return moved;
}

static char *
format_ms (gint64 ms)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *text = time ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%S") : NULL;

  if (text == NULL)
    return g_strdup ("");
  return g_strdup_printf ("%s.%03dZ", text, (int) (ms % 1000));
}

/* A value as a person reads it: text as is, anything else as JSON. */
static char *
value_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return crm_json_to_string (node);
}

/* A spreadsheet runs a cell starting with = + - @ as a formula: such
 * values from the CRM's users get a leading apostrophe. */
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

gboolean
crm_server_admin_audit_csv (CrmServer                 *self,
                            const CrmServerAuditQuery *query,
                            FILE                      *out,
                            GError                   **error)
{
  CrmServerBackend *backend = crm_server_get_backend (self);
  static const char * const header[] = {
    "edit_time", "sync_time", "user", "device", "table", "row_id", "op", "field", "before", "after"
  };
  CrmServerAuditQuery page = *query;
  g_autoptr(GString) text = g_string_new (NULL);

  crm_csv_append_row (text, header, G_N_ELEMENTS (header), ',');
  fwrite (text->str, 1, text->len, out);
  page.limit = AUDIT_MAX_PAGE;
  for (;;)
    {
      g_autoptr(GPtrArray) entries = backend->vtable->list_audit (backend, &page, error);

      if (entries == NULL)
        return FALSE;
      for (guint i = 0; i < entries->len; i++)
        {
          CrmServerAuditEntry *entry = g_ptr_array_index (entries, i);
          g_autoptr(JsonNode) node = json_from_string (entry->changes, NULL);
          g_autofree char *edit = format_ms (entry->edit_at);
          g_autofree char *received = format_ms (entry->received_at);
          JsonObjectIter iter;
          const char *field;
          JsonNode *pair;

          page.before_id = entry->id;
          if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
            continue;
          json_object_iter_init (&iter, json_node_get_object (node));
          while (json_object_iter_next (&iter, &field, &pair))
            {
              JsonArray *values = JSON_NODE_HOLDS_ARRAY (pair) ? json_node_get_array (pair) : NULL;
              g_autofree char *before = NULL;
              g_autofree char *after = NULL;
              const char *fields[10];

              if (values == NULL || json_array_get_length (values) != 2)
                continue;
              before = csv_safe (value_text (json_array_get_element (values, 0)));
              after = csv_safe (value_text (json_array_get_element (values, 1)));
              fields[0] = edit;
              fields[1] = received;
              fields[2] = entry->user_name;
              fields[3] = entry->client_id;
              fields[4] = entry->table;
              fields[5] = entry->row_id;
              fields[6] = entry->op;
              fields[7] = field;
              fields[8] = before;
              fields[9] = after;
              g_string_truncate (text, 0);
              crm_csv_append_row (text, fields, G_N_ELEMENTS (fields), ',');
              fwrite (text->str, 1, text->len, out);
            }
        }
      if (entries->len < page.limit)
        break;
    }
  if (ferror (out))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write the audit log."));
      return FALSE;
    }
  return TRUE;
}

/* --- HTTP ------------------------------------------------------------------ */

static void
respond_problem (SoupServerMessage *msg,
                 const char        *path,
                 const char        *user,
                 const GError      *error)
{
  const char *code = NULL;
  guint status = 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    code = "not_found", status = SOUP_STATUS_NOT_FOUND;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    code = "malformed", status = SOUP_STATUS_BAD_REQUEST;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    code = "exists", status = SOUP_STATUS_CONFLICT;

  if (code != NULL)
    {
      g_autoptr(JsonObject) body = json_object_new ();
      g_autofree char *detail = g_strdup_printf ("error=%s", code);

      json_object_set_string_member (body, "error", code);
      json_object_set_string_member (body, "message", error->message);
      crm_server_respond_json (msg, status, body);
      crm_server_log_request (msg, path, status, user, detail);
      return;
    }
  crm_server_respond_error (msg, path, user, error);
}

static JsonObject *
user_json (CrmServerUser *user)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", user->id);
  json_object_set_string_member (object, "name", user->name);
  json_object_set_string_member (object, "role", user->role);
  if (user->team != NULL)
    json_object_set_string_member (object, "team", user->team);
  else
    json_object_set_null_member (object, "team");
  json_object_set_boolean_member (object, "disabled", user->disabled);
  return object;
}

static gboolean
read_json (SoupServerMessage  *msg,
           JsonObject        **out,
           GError            **error)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  *out = crm_sync_parse_object (data, length, error);
  return *out != NULL;
}

/* ISO 8601 date or date and time (UTC unless it says otherwise) as Unix ms. */
static gboolean
query_time (GHashTable  *query,
            const char  *name,
            gint64      *out,
            GError     **error)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  *out = 0;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (strlen (text) == 10)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00Z", NULL);

      time = g_date_time_new_from_iso8601 (midnight, utc);
    }
  else
    time = g_date_time_new_from_iso8601 (text, utc);
  if (time == NULL)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("“%s” must be a date like 2024-03-05 or a time like 2024-03-05T08:00:00Z."), name);
      return FALSE;
    }
  *out = g_date_time_to_unix (time) * 1000 + g_date_time_get_microsecond (time) / 1000;
  return TRUE;
}

static gboolean
query_number (GHashTable  *query,
              const char  *name,
              gint64       fallback,
              gint64       max,
              gint64      *out,
              GError     **error)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;

  *out = fallback;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (!g_ascii_string_to_signed (text, 10, 1, max, out, NULL))
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("“%s” must be a whole number from 1 to %lld."), name, (long long) max);
      return FALSE;
    }
  return TRUE;
}

static void
handle_audit (CrmServer         *self,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              CrmServerSession  *session)
{
  CrmServerBackend *backend = crm_server_get_backend (self);
  CrmServerAuditQuery filter = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServerUser) user = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonObject) body = json_object_new ();
  JsonArray *list = json_array_new ();
  const char *user_name = query ? g_hash_table_lookup (query, "user") : NULL;
  gint64 cursor, limit;

  json_object_set_array_member (body, "entries", list);
  if (!query_time (query, "since", &filter.since, &error) ||
      !query_time (query, "until", &filter.until, &error) ||
      !query_number (query, "cursor", 0, G_MAXINT64, &cursor, &error) ||
      !query_number (query, "limit", 100, AUDIT_MAX_PAGE, &limit, &error))
    {
      crm_server_respond_error (msg, path, session->user->name, error);
      return;
    }
  if (user_name != NULL && *user_name != '\0')
    {
      user = lookup_user (self, user_name, &error);
      if (user == NULL)
        {
          respond_problem (msg, path, session->user->name, error);
          return;
        }
      filter.user_id = user->id;
    }
  /* Managers read what their own team changed; admins everything. */
  if (g_str_equal (session->user->role, "manager"))
    filter.team = session->user->team ? session->user->team : "";
  filter.table = query ? g_hash_table_lookup (query, "table") : NULL;
  filter.row_id = query ? g_hash_table_lookup (query, "row") : NULL;
  filter.before_id = cursor;
  filter.limit = (guint) limit;

  entries = backend->vtable->list_audit (backend, &filter, &error);
  if (entries == NULL)
    {
      crm_server_respond_error (msg, path, session->user->name, error);
      return;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      CrmServerAuditEntry *entry = g_ptr_array_index (entries, i);
      JsonObject *object = json_object_new ();
      g_autoptr(JsonNode) changes = json_from_string (entry->changes, NULL);
      g_autofree char *edit_time = format_ms (entry->edit_at);
      g_autofree char *sync_time = format_ms (entry->received_at);

      json_object_set_int_member (object, "id", entry->id);
      json_object_set_string_member (object, "edit_time", edit_time);
      json_object_set_string_member (object, "sync_time", sync_time);
      json_object_set_string_member (object, "edit_hlc", entry->edit_hlc);
      if (entry->user_id != NULL)
        json_object_set_string_member (object, "user_id", entry->user_id);
      else
        json_object_set_null_member (object, "user_id");
      json_object_set_string_member (object, "user", entry->user_name ? entry->user_name : "");
      json_object_set_string_member (object, "device", entry->client_id ? entry->client_id : "");
      json_object_set_string_member (object, "table", entry->table);
      json_object_set_string_member (object, "row_id", entry->row_id);
      json_object_set_string_member (object, "op", entry->op);
      if (changes != NULL && JSON_NODE_HOLDS_OBJECT (changes))
        json_object_set_object_member (object, "changes", json_object_ref (json_node_get_object (changes)));
      else
        json_object_set_object_member (object, "changes", json_object_new ());
      json_array_add_object_element (list, object);
    }
  if (entries->len == filter.limit && entries->len > 0)
    json_object_set_int_member (body, "next_cursor",
                                ((CrmServerAuditEntry *) g_ptr_array_index (entries, entries->len - 1))->id);
  else
    json_object_set_null_member (body, "next_cursor");
  crm_server_respond_json (msg, SOUP_STATUS_OK, body);
  crm_server_log_request (msg, path, SOUP_STATUS_OK, session->user->name, NULL);
}

static void
respond_ok (SoupServerMessage *msg,
            const char        *path,
            const char        *user,
            guint              status,
            JsonObject        *body)
{
  crm_server_respond_json (msg, status, body);
  crm_server_log_request (msg, path, status, user, NULL);
}

static gboolean
optional_string (JsonObject  *request,
                 const char  *member,
                 const char **out,
                 GError     **error)
{
  *out = NULL;
  if (json_object_has_member (request, member) &&
      JSON_NODE_HOLDS_NULL (json_object_get_member (request, member)))
    return TRUE;
  return crm_sync_get_string (request, member, TRUE, out, error);
}

/* POST /v1/admin/users/ID with any of role, team, disabled, password. */
static gboolean
apply_user_update (CrmServer   *self,
                   const char  *name,
                   JsonObject  *request,
                   GError     **error)
{
  const char *role = NULL, *password = NULL, *team = NULL;
  g_autoptr(CrmServerUser) user = lookup_user (self, name, error);

  if (user == NULL ||
      !crm_sync_get_string (request, "role", TRUE, &role, error) ||
      !crm_sync_get_string (request, "password", TRUE, &password, error) ||
      !optional_string (request, "team", &team, error))
    return FALSE;
  if (json_object_has_member (request, "disabled") &&
      (!JSON_NODE_HOLDS_VALUE (json_object_get_member (request, "disabled")) ||
       json_node_get_value_type (json_object_get_member (request, "disabled")) != G_TYPE_BOOLEAN))
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED, _("“disabled” must be true or false."));
      return FALSE;
    }
  if (role != NULL && !crm_server_admin_set_role (self, user->id, role, error))
    return FALSE;
  if (json_object_has_member (request, "team") && !crm_server_admin_set_team (self, user->id, team, error))
    return FALSE;
  if (json_object_has_member (request, "disabled") &&
      !crm_server_admin_set_disabled (self, user->id, json_object_get_boolean_member (request, "disabled"), error))
    return FALSE;
  if (password != NULL && !crm_server_admin_set_password (self, user->id, password, error))
    return FALSE;
  return TRUE;
}

static void
handle_admin (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  CrmServer *self = user_data;
  g_auto(CrmServerSession) session = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autofree char *client_id = NULL;
  g_auto(GStrv) parts = NULL;
  const char *method = soup_server_message_get_method (msg);
  gboolean get = g_strcmp0 (method, "GET") == 0;
  gboolean post = g_strcmp0 (method, "POST") == 0;
  const char *who;
  guint n;

  if (!crm_server_authenticate (self, msg, &session, &client_id, &error))
    {
      crm_server_respond_error (msg, path, session.user ? session.user->name : NULL, error);
      return;
    }
  who = session.user->name;
  parts = g_strsplit (path + strlen ("/v1/admin"), "/", 0);
  n = g_strv_length (parts);
  /* parts[0] is the empty text before the first slash. */
  for (guint i = 0; i < n; i++)
    {
      char *decoded = g_uri_unescape_string (parts[i], NULL);

      if (decoded == NULL)
        decoded = g_strdup ("");
      g_free (parts[i]);
      parts[i] = decoded;
    }

  if (n == 2 && g_str_equal (parts[1], "audit") && get &&
      (g_str_equal (session.user->role, "admin") || g_str_equal (session.user->role, "manager")))
    {
      handle_audit (self, msg, path, query, &session);
      return;
    }
  if (!g_str_equal (session.user->role, "admin"))
    {
      g_set_error_literal (&error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_FORBIDDEN,
                           _("Only an administrator can do this."));
      crm_server_respond_error (msg, path, who, error);
      return;
    }
  if (post && !read_json (msg, &request, &error))
    {
      crm_server_respond_error (msg, path, who, error);
      return;
    }

  if (n == 2 && g_str_equal (parts[1], "users") && get)
    {
      g_autoptr(GPtrArray) users = crm_server_admin_list_users (self, &error);
      JsonArray *list = json_array_new ();

      json_object_set_array_member (body, "users", list);
      for (guint i = 0; users != NULL && i < users->len; i++)
        json_array_add_object_element (list, user_json (g_ptr_array_index (users, i)));
      if (users != NULL)
        respond_ok (msg, path, who, SOUP_STATUS_OK, body);
    }
  else if (n == 2 && g_str_equal (parts[1], "users") && post)
    {
      const char *name = NULL, *password = NULL, *role = NULL, *team = NULL;
      g_autoptr(CrmServerUser) existing = NULL;

      if (crm_sync_get_string (request, "name", FALSE, &name, &error) &&
          crm_sync_get_string (request, "password", FALSE, &password, &error) &&
          crm_sync_get_string (request, "role", FALSE, &role, &error) &&
          optional_string (request, "team", &team, &error))
        {
          CrmServerBackend *backend = crm_server_get_backend (self);

          existing = backend->vtable->find_user (backend, name, &error);
          if (existing != NULL)
            g_set_error (&error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("There is already a user “%s”."), name);
          else if (error == NULL &&
                   crm_server_add_user (self, name, password, role, team && *team ? team : NULL, &error))
            {
              g_autoptr(CrmServerUser) user = lookup_user (self, name, &error);

              if (user != NULL)
                {
                  json_object_set_object_member (body, "user", user_json (user));
                  respond_ok (msg, path, who, SOUP_STATUS_CREATED, body);
                }
            }
        }
    }
  else if (n == 3 && g_str_equal (parts[1], "users") && post)
    {
      if (apply_user_update (self, parts[2], request, &error))
        {
          g_autoptr(CrmServerUser) user = lookup_user (self, parts[2], &error);

          if (user != NULL)
            {
              json_object_set_object_member (body, "user", user_json (user));
              respond_ok (msg, path, who, SOUP_STATUS_OK, body);
            }
        }
    }
  else if (n == 4 && g_str_equal (parts[1], "users") && g_str_equal (parts[3], "devices") && get)
    {
      g_autoptr(GPtrArray) devices = crm_server_admin_devices (self, parts[2], &error);
      JsonArray *list = json_array_new ();

      json_object_set_array_member (body, "devices", list);
      for (guint i = 0; devices != NULL && i < devices->len; i++)
        {
          CrmServerDevice *device = g_ptr_array_index (devices, i);
          JsonObject *object = json_object_new ();
          g_autofree char *seen = format_ms (device->last_seen);

          json_object_set_string_member (object, "client_id", device->client_id);
          json_object_set_string_member (object, "label", device->label ? device->label : "");
          json_object_set_string_member (object, "last_seen", seen);
          json_object_set_boolean_member (object, "revoked", device->revoked);
          json_array_add_object_element (list, object);
        }
      if (devices != NULL)
        respond_ok (msg, path, who, SOUP_STATUS_OK, body);
    }
  else if (n == 4 && g_str_equal (parts[1], "devices") && g_str_equal (parts[3], "revoke") && post)
    {
      if (crm_server_admin_revoke_device (self, parts[2], &error))
        {
          json_object_set_string_member (body, "client_id", parts[2]);
          json_object_set_boolean_member (body, "revoked", TRUE);
          respond_ok (msg, path, who, SOUP_STATUS_OK, body);
        }
    }
  else if (n == 2 && g_str_equal (parts[1], "reassign") && post)
    {
      const char *from = NULL, *to = NULL;
      gint64 moved;

      if (crm_sync_get_string (request, "from", FALSE, &from, &error) &&
          crm_sync_get_string (request, "to", FALSE, &to, &error) &&
          (moved = crm_server_admin_reassign (self, session.user, client_id, from, to, &error)) >= 0)
        {
          json_object_set_int_member (body, "moved", moved);
          respond_ok (msg, path, who, SOUP_STATUS_OK, body);
        }
    }
  else
    {
      json_object_set_string_member (body, "error", "not_found");
      json_object_set_string_member (body, "message", _("There is no such administration call."));
      crm_server_respond_json (msg, SOUP_STATUS_NOT_FOUND, body);
      crm_server_log_request (msg, path, SOUP_STATUS_NOT_FOUND, who, NULL);
      return;
    }
  if (error != NULL)
    respond_problem (msg, path, who, error);
}

void
crm_server_admin_install (CrmServer  *self,
                          SoupServer *soup)
{
  soup_server_add_handler (soup, "/v1/admin", handle_admin, self, NULL);
}
