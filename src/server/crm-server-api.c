/* crm-server-api.c: the REST API for other systems (/api/v1): scoped API keys, contacts, purchases, activities, deals */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "crm-hlc.h"
#include "crm-server-api.h"
#include "crm-server-private.h"
#include "crm-server-resources.h"
#include "crm-uuid.h"

#define API_PREFIX "/api/v1"
#define DEFAULT_LIMIT 100
#define MAX_LIMIT 1000
/* Purchases in one bulk upsert; each is its own transaction. */
#define MAX_BULK 1000
/* Rows read for one page before it is cut short (a filter that matches
 * little must not read a whole table in one request). */
#define MAX_SCAN_FACTOR 10

/* The collections of the API; the table behind each is its name. */
static const char * const collections[] = { "contacts", "purchases", "activities", "deals", NULL };

static const char * const known_scopes[] = {
  "contacts:read", "contacts:write", "purchases:read", "purchases:write",
  "activities:read", "activities:write", "deals:read", "deals:write", NULL
};

/* Fields the API never writes: the row's identity and its deletion
 * (deleting stays in the app, where it can be undone). */
static const char * const read_only_fields[] = { "id", "deleted", NULL };

/* Collections that hang under a contact: contact_id must name one. */
static const char * const contact_children[] = { "purchases", "activities", "deals", NULL };

typedef struct
{
  CrmServer *server;
  CrmServerBackend *backend;
  CrmServerApiKey *key;
  CrmServerUser author;        /* name "api:NAME", no id */
  char *author_name;
  char *client_id;             /* "api:<key id>", in the audit log */
  SoupServerMessage *msg;
  const char *path;
} Request;

static void
request_clear (Request *request)
{
  g_clear_pointer (&request->key, crm_server_api_key_free);
  g_clear_pointer (&request->author_name, g_free);
  g_clear_pointer (&request->client_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Request, request_clear)

/* --- answers --------------------------------------------------------------- */

JsonObject *
crm_server_api_error_body (const char *code,
                           const char *message)
{
  JsonObject *body = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (body, "error", error);
  return body;
}

/* All of /api, so an unknown version is answered in the API's shape too. */
gboolean
crm_server_api_owns_path (const char *path)
{
  return path != NULL && (g_str_equal (path, "/api") || g_str_has_prefix (path, "/api/"));
}

static void
respond (Request    *request,
         guint       status,
         JsonObject *body)
{
  gsize length;
  char *text = crm_sync_object_to_string (body, &length);
  g_autofree char *detail = request->key ? g_strdup_printf ("key=%s", request->key->id) : NULL;

  soup_server_message_set_status (request->msg, status, NULL);
  soup_server_message_set_response (request->msg, "application/json", SOUP_MEMORY_TAKE, text, length);
  crm_server_log_request (request->msg, request->path, status, request->author_name, detail);
}

static void
respond_error (Request    *request,
               guint       status,
               const char *code,
               const char *message)
{
  g_autoptr(JsonObject) body = crm_server_api_error_body (code, message);

  respond (request, status, body);
}

/* Storage failures: an unreachable or busy database is worth trying
 * again (503), anything else is the server's fault (500). */
static guint
storage_status (Request       *request,
                const GError  *error,
                const char   **out_code)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (request->msg), "Retry-After", "5");
      *out_code = "unavailable";
      return SOUP_STATUS_SERVICE_UNAVAILABLE;
    }
  *out_code = "server_error";
  return SOUP_STATUS_INTERNAL_SERVER_ERROR;
}

static void
respond_storage_error (Request      *request,
                       const GError *error)
{
  const char *code;
  guint status = storage_status (request, error, &code);

  respond_error (request, status, code, error->message);
}

static JsonObject *
field_error (const char *field,
             const char *message)
{
  JsonObject *error = json_object_new ();

  if (field != NULL)
    json_object_set_string_member (error, "field", field);
  else
    json_object_set_null_member (error, "field");
  json_object_set_string_member (error, "message", message);
  return error;
}

/* 422 with what is wrong, field by field. */
static void
respond_invalid (Request   *request,
                 JsonArray *errors)
{
  g_autoptr(JsonObject) body = crm_server_api_error_body ("validation_failed",
                                                          _("The record has invalid fields."));

  json_object_set_array_member (json_object_get_object_member (body, "error"), "errors",
                                json_array_ref (errors));
  respond (request, 422, body);
}

/* The newest clock of any field of @row (NULL for none). */
static const char *
row_newest_hlc (CrmServerRow *row)
{
  JsonObjectIter iter;
  JsonNode *entry;
  const char *newest = NULL;

  json_object_iter_init (&iter, row->meta);
  while (json_object_iter_next (&iter, NULL, &entry))
    {
      JsonArray *pair = JSON_NODE_HOLDS_ARRAY (entry) ? json_node_get_array (entry) : NULL;
      const char *hlc = pair && json_array_get_length (pair) > 0 ? json_array_get_string_element (pair, 0) : NULL;

      if (hlc != NULL && (newest == NULL || crm_hlc_compare (hlc, newest) > 0))
        newest = hlc;
    }
  return newest;
}

static gint64
row_updated_ms (CrmServerRow *row)
{
  const char *newest = row_newest_hlc (row);
  gint64 ms = 0;

  if (newest != NULL)
    crm_hlc_parse (newest, &ms, NULL, NULL);
  return ms;
}

/* A row as the API shows it: its fields, and id, deleted, seq (the
 * server's version of the row) and updated_at (its newest edit). */
static JsonObject *
row_to_record (CrmServerRow *row)
{
  JsonObject *record = json_object_new ();
  const char *newest = row_newest_hlc (row);
  JsonObjectIter iter;
  const char *field;
  JsonNode *value;

  json_object_set_string_member (record, "id", row->id);
  json_object_iter_init (&iter, row->data);
  while (json_object_iter_next (&iter, &field, &value))
    if (!g_str_equal (field, "deleted") && !g_str_equal (field, "id"))
      json_object_set_member (record, field, json_node_copy (value));
  json_object_set_boolean_member (record, "deleted", row->deleted);
  json_object_set_int_member (record, "seq", row->seq);
  /* A clock starts with its wall time, "2024-03-05T08:09:10.123Z". */
  if (newest != NULL && strlen (newest) >= 24)
    {
      g_autofree char *time = g_strndup (newest, 24);

      json_object_set_string_member (record, "updated_at", time);
    }
  else
    json_object_set_null_member (record, "updated_at");
  return record;
}

/* --- keys ------------------------------------------------------------------ */

static gboolean
scopes_valid (const char  *scopes,
              GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (scopes ? scopes : "", ",", -1);

  if (parts[0] == NULL || *parts[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Give the key at least one scope, for example purchases:write."));
      return FALSE;
    }
  for (guint i = 0; parts[i] != NULL; i++)
    if (!g_strv_contains (known_scopes, parts[i]))
      {
        g_autofree char *known = g_strjoinv (", ", (char **) known_scopes);

        /* Translators: the first %s is a scope given, the second the list of known ones. */
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     _("There is no scope “%s”. Scopes are %s."), parts[i], known);
        return FALSE;
      }
  return TRUE;
}

static gboolean
key_has_scope (CrmServerApiKey *key,
               const char      *scope)
{
  g_auto(GStrv) parts = g_strsplit (key->scopes, ",", -1);

  return g_strv_contains ((const char * const *) parts, scope);
}

char *
crm_server_api_key_create (CrmServerBackend  *backend,
                           const char        *name,
                           const char        *scopes,
                           char             **out_id,
                           GError           **error)
{
  CrmServerApiKey key = { 0 };
  g_autofree char *id = crm_uuid_v7_new ();
  g_autofree char *hash = NULL;
  char *text;
  guchar raw[32];
  char hex[65];

  if (name == NULL || *name == '\0' || strlen (name) > 64 || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Give the key a name of 1 to 64 characters, for example the system that uses it."));
      return NULL;
    }
  if (!scopes_valid (scopes, error))
    return NULL;
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libsodium could not start");
      return NULL;
    }

  randombytes_buf (raw, sizeof raw);
  sodium_bin2hex (hex, sizeof hex, raw, sizeof raw);
  hash = crm_server_hash_token (hex);
  key.id = id;
  key.name = (char *) name;
  key.scopes = (char *) scopes;
  key.key_hash = hash;
  key.created_at = g_get_real_time () / G_USEC_PER_SEC;
  /* The prefix tells a key from a sign-in token (and secret scanners
   * find it). */
  text = g_strdup_printf ("crm_%s", hex);
  sodium_memzero (hex, sizeof hex);
  if (!backend->vtable->add_api_key (backend, &key, error))
    {
      sodium_memzero (text, strlen (text));
      g_free (text);
      return NULL;
    }
  if (out_id != NULL)
    *out_id = g_steal_pointer (&id);
  return text;
}

/* The key of "Authorization: Bearer crm_…", live; answers 401 (or 503
 * when the database is away) and returns FALSE otherwise. */
static gboolean
authenticate (Request *request)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (request->msg),
                                                     "Authorization");
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  gint64 retry_after = 0;

  if (header == NULL || !g_str_has_prefix (header, "Bearer crm_") || strlen (header) > 200)
    {
      respond_error (request, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                     _("Send an API key: Authorization: Bearer crm_…"));
      return FALSE;
    }
  hash = crm_server_hash_token (header + strlen ("Bearer crm_"));
  request->key = request->backend->vtable->find_api_key (request->backend, hash, &error);
  if (error != NULL)
    {
      respond_storage_error (request, error);
      return FALSE;
    }
  if (request->key == NULL || request->key->revoked)
    {
      g_clear_pointer (&request->key, crm_server_api_key_free);
      respond_error (request, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                     _("The API key is unknown or was revoked."));
      return FALSE;
    }
  request->author_name = g_strdup_printf ("api:%s", request->key->name);
  request->client_id = g_strdup_printf ("api:%s", request->key->id);
  request->author.name = request->author_name;
  /* What a key may change is decided by its scopes, before anything is
   * applied; the merge then treats it like a user who sees everything. */
  request->author.role = (char *) "admin";
  if (!crm_server_within_rate (request->server, hash, &retry_after))
    {
      g_autofree char *seconds = g_strdup_printf ("%" PRId64, retry_after);

      soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                    "Retry-After", seconds);
      respond_error (request, 429, "rate_limited",
                     _("Too many requests with this key. Wait a moment and try again."));
      return FALSE;
    }
  return TRUE;
}

/* 403 naming the scope the key lacks. */
static gboolean
require_scope (Request    *request,
               const char *collection,
               const char *access)
{
  g_autofree char *scope = g_strdup_printf ("%s:%s", collection, access);
  g_autofree char *message = NULL;
  g_autoptr(JsonObject) body = NULL;

  if (key_has_scope (request->key, scope))
    return TRUE;
  message = g_strdup_printf (_("This API key lacks the scope %s."), scope);
  body = crm_server_api_error_body ("insufficient_scope", message);
  json_object_set_string_member (json_object_get_object_member (body, "error"), "scope", scope);
  respond (request, SOUP_STATUS_FORBIDDEN, body);
  return FALSE;
}

/* --- checking fields -------------------------------------------------------- */

static gboolean
is_uuid (const char *text)
{
  return text != NULL && strlen (text) == 36 && crm_uuid_is_valid (text);
}

/* Checks the fields of @fields against the client schema of @table (names,
 * types, read-only ones), adding to @errors; booleans for integer columns
 * become 0 or 1, as the app stores them. Constraints between values are
 * checked later, by the same validation a sync push goes through. */
static void
check_fields (Request    *request,
              const char *table,
              JsonObject *fields,
              JsonArray  *errors)
{
  GHashTable *columns = crm_server_get_columns (request->server, table);
  g_autoptr(GList) names = json_object_get_members (fields);

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *field = l->data;
      JsonNode *value = json_object_get_member (fields, field);
      g_autofree char *type = NULL;
      g_autofree char *message = NULL;

      if (g_strv_contains (read_only_fields, field))
        message = g_strdup_printf (_("%s cannot be changed through the API."), field);
      else if (columns == NULL || !g_hash_table_contains (columns, field))
        message = g_strdup_printf (_("%s has no field “%s”."), table, field);
      if (message != NULL)
        {
          json_array_add_object_element (errors, field_error (field, message));
          continue;
        }

      type = crm_server_column_type (request->server, table, field);
      if (JSON_NODE_HOLDS_NULL (value))
        continue;
      if (g_strcmp0 (type, "JSON_TEXT") == 0)
        {
          if (!JSON_NODE_HOLDS_ARRAY (value) && !JSON_NODE_HOLDS_OBJECT (value))
            message = g_strdup_printf (_("%s must be a JSON array or object."), field);
        }
      else if (!JSON_NODE_HOLDS_VALUE (value))
        message = g_strdup_printf (_("%s must be a string, number, boolean or null."), field);
      else if (g_strcmp0 (type, "INTEGER") == 0)
        {
          GType vtype = json_node_get_value_type (value);

          if (vtype == G_TYPE_BOOLEAN)
            json_object_set_int_member (fields, field, json_node_get_boolean (value) ? 1 : 0);
          else if (vtype != G_TYPE_INT64)
            message = g_strdup_printf (_("%s must be a whole number."), field);
        }
      else if (json_node_get_value_type (value) != G_TYPE_STRING)
        message = g_strdup_printf (_("%s must be a string."), field);
      else if (strlen (json_node_get_string (value)) > CRM_SYNC_MAX_STRING)
        message = g_strdup_printf (_("%s is too long."), field);
      if (message != NULL)
        json_array_add_object_element (errors, field_error (field, message));
    }
}

/* contact_id, when given, must name a customer the server has. */
static gboolean
check_contact (Request     *request,
               const char  *table,
               JsonObject  *fields,
               JsonArray   *errors,
               GError     **error)
{
  JsonNode *node = json_object_get_member (fields, "contact_id");
  const char *contact_id;
  g_autoptr(CrmServerRow) contact = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_strv_contains (contact_children, table) || node == NULL || JSON_NODE_HOLDS_NULL (node) ||
      !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return TRUE;
  contact_id = json_node_get_string (node);
  contact = request->backend->vtable->get_row (request->backend, "contacts", contact_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (contact == NULL || contact->deleted)
    {
      g_autofree char *message = g_strdup_printf (_("There is no contact %s."), contact_id);

      json_array_add_object_element (errors, field_error ("contact_id", message));
    }
  return TRUE;
}

/* The field a constraint message of the client schema is about ("NOT NULL
 * constraint failed: purchases.product", "CHECK constraint failed:
 * amount >= 0"): the first column name of @table in it. */
static char *
field_of_reason (Request    *request,
                 const char *table,
                 const char *reason)
{
  GHashTable *columns = crm_server_get_columns (request->server, table);
  const char *failed = reason ? strstr (reason, "constraint failed: ") : NULL;
  GHashTableIter iter;
  const char *column;
  const char *best = NULL;
  const char *best_at = NULL;

  if (failed == NULL || columns == NULL)
    return NULL;
  failed += strlen ("constraint failed: ");
  g_hash_table_iter_init (&iter, columns);
  while (g_hash_table_iter_next (&iter, (gpointer *) &column, NULL))
    {
      size_t n = strlen (column);

      for (const char *at = strstr (failed, column); at != NULL; at = strstr (at + 1, column))
        {
          gboolean starts = at == failed || !(g_ascii_isalnum (at[-1]) || at[-1] == '_');
          gboolean ends = !(g_ascii_isalnum (at[n]) || at[n] == '_');

          if (starts && ends)
            {
              if (best_at == NULL || at < best_at || (at == best_at && strlen (column) > strlen (best)))
                {
                  best = column;
                  best_at = at;
                }
              break;
            }
        }
    }
  return g_strdup (best);
}

/* --- writing --------------------------------------------------------------- */

/* A clock for this key's write of @row that is later than every clock
 * the row has: an API write is the newest edit, as it is for the system
 * that sends it, even when a desktop's clock runs ahead. */
static char *
write_hlc (Request      *request,
           CrmServerRow *row)
{
  const char *newest = row ? row_newest_hlc (row) : NULL;
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 ms = 0;
  guint counter = 0;

  if (newest != NULL && crm_hlc_parse (newest, &ms, &counter, NULL) && ms >= now_ms)
    return crm_hlc_format (ms, counter + 1, request->key->id);
  return crm_hlc_format (now_ms, 0, request->key->id);
}

/* Applies one insert or update of @table's row @id the way a sync push
 * does (crm_server_apply_mutation_as()), audited, in its own transaction.
 * Returns the result ({"status": "applied"|"rejected", "reason", …}) or
 * NULL with @error when storage failed. */
static JsonObject *
apply_change (Request     *request,
              const char  *table,
              const char  *id,
              const char  *op,
              JsonObject  *patch,
              GError     **error)
{
  CrmServerBackend *backend = request->backend;

  /* PostgreSQL breaks a deadlock by failing one side: try again. */
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(CrmServerRow) row = NULL;
      g_autoptr(JsonObject) result = NULL;
      g_autofree char *hlc = NULL;
      CrmSyncMutation m = { 0 };

      if (!backend->vtable->begin (backend, &local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      row = backend->vtable->get_row (backend, table, id, &local_error);
      if (local_error == NULL)
        {
          hlc = write_hlc (request, row);
          m.table = (char *) table;
          m.row_id = (char *) id;
          m.op = (char *) op;
          m.patch = patch;
          m.hlc = hlc;
          /* The API writes over what it sees now: never a conflict. */
          m.base_version = row ? row->seq : 0;
          result = crm_server_apply_mutation_as (request->server, &request->author, request->client_id,
                                                 &m, &local_error);
        }
      if (result != NULL && !g_str_equal (json_object_get_string_member (result, "status"), "applied"))
        {
          backend->vtable->rollback (backend);
          return g_steal_pointer (&result);
        }
      if (result != NULL &&
          backend->vtable->audit (backend, request->author_name, request->client_id, 0, table, id, op,
                                  "applied", &local_error) &&
          backend->vtable->commit (backend, &local_error))
        return g_steal_pointer (&result);
      backend->vtable->rollback (backend);
      if (attempt >= 4 || !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_BUSY))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
}

/* The errors of a rejected change, with the field the reason names. */
static JsonArray *
rejection_errors (Request    *request,
                  const char *table,
                  JsonObject *result)
{
  JsonArray *errors = json_array_new ();
  const char *reason = json_object_get_string_member_with_default (result, "reason", "");
  g_autofree char *field = field_of_reason (request, table, reason);

  json_array_add_object_element (errors, field_error (field, reason));
  return errors;
}

/* --- reading requests ------------------------------------------------------ */

/* The body as a JSON object; 400 (malformed) or 413 otherwise. */
static JsonObject *
read_object (Request *request)
{
  g_autoptr(GBytes) bytes = soup_message_body_flatten (soup_server_message_get_request_body (request->msg));
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonObject *object = crm_sync_parse_object (data, length, &error);

  if (object == NULL)
    {
      if (g_error_matches (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_TOO_LARGE))
        respond_error (request, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", error->message);
      else
        respond_error (request, SOUP_STATUS_BAD_REQUEST, "malformed", error->message);
    }
  return object;
}

/* Cursors are opaque to clients: "v1:<seq>" in URL-safe base64. */
static char *
encode_cursor (gint64 seq)
{
  g_autofree char *plain = g_strdup_printf ("v1:%" PRId64, seq);
  char *text = g_base64_encode ((const guchar *) plain, strlen (plain));
  char *pad;

  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  pad = strchr (text, '=');
  if (pad != NULL)
    *pad = '\0';
  return text;
}

static gboolean
decode_cursor (const char *text,
               gint64     *out)
{
  g_autofree guchar *plain = NULL;
  g_autofree char *string = NULL;
  g_autoptr(GString) padded = NULL;
  gsize length = 0;
  guint64 value;

  if (strlen (text) > 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  padded = g_string_new (text);
  g_strdelimit (padded->str, "-", '+');
  g_strdelimit (padded->str, "_", '/');
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');
  plain = g_base64_decode (padded->str, &length);
  string = g_strndup ((const char *) plain, length);
  if (!g_str_has_prefix (string, "v1:") ||
      !g_ascii_string_to_unsigned (string + 3, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

/* updated_since: a seq (digits), or an ISO-8601 time compared with each
 * row's newest edit. */
static gboolean
parse_updated_since (const char *text,
                     gint64     *out_seq,
                     gint64     *out_ms)
{
  guint64 value;
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    {
      *out_seq = (gint64) value;
      return TRUE;
    }
  time = g_date_time_new_from_iso8601 (text, utc);
  if (time == NULL)
    {
      /* A date alone means its midnight in UTC. */
      g_autofree char *midnight = g_strdup_printf ("%sT00:00:00Z", text);

      if (strlen (text) == 10)
        time = g_date_time_new_from_iso8601 (midnight, utc);
    }
  if (time == NULL)
    return FALSE;
  *out_ms = g_date_time_to_unix (time) * 1000 + g_date_time_get_microsecond (time) / 1000;
  return TRUE;
}

/* --- endpoints ------------------------------------------------------------- */

static void
list_records (Request    *request,
              const char *table,
              GHashTable *query)
{
  CrmServerBackend *backend = request->backend;
  const char *limit_text = query ? g_hash_table_lookup (query, "limit") : NULL;
  const char *cursor_text = query ? g_hash_table_lookup (query, "cursor") : NULL;
  const char *since_text = query ? g_hash_table_lookup (query, "updated_since") : NULL;
  const char *deleted_text = query ? g_hash_table_lookup (query, "include_deleted") : NULL;
  gboolean include_deleted = g_strcmp0 (deleted_text, "true") == 0 || g_strcmp0 (deleted_text, "1") == 0;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *data = json_array_new ();
  guint64 limit = DEFAULT_LIMIT;
  gint64 position = 0, since_ms = 0, latest;
  guint scanned = 0;
  gboolean exhausted = FALSE;

  json_object_set_array_member (body, "data", data);
  if (limit_text != NULL && !g_ascii_string_to_unsigned (limit_text, 10, 1, MAX_LIMIT, &limit, NULL))
    {
      g_autofree char *message = g_strdup_printf (_("limit must be a whole number from 1 to %d."), MAX_LIMIT);

      respond_error (request, SOUP_STATUS_BAD_REQUEST, "malformed", message);
      return;
    }
  if (since_text != NULL && !parse_updated_since (since_text, &position, &since_ms))
    {
      respond_error (request, SOUP_STATUS_BAD_REQUEST, "malformed",
                     _("updated_since must be a seq or an ISO-8601 time such as 2024-03-05T08:00:00Z."));
      return;
    }
  if (cursor_text != NULL)
    {
      gint64 cursor;

      if (!decode_cursor (cursor_text, &cursor))
        {
          respond_error (request, SOUP_STATUS_BAD_REQUEST, "malformed",
                         _("The cursor is not one this server gave out."));
          return;
        }
      position = MAX (position, cursor);
    }

  latest = backend->vtable->max_seq (backend, &error);
  if (latest < 0)
    {
      respond_storage_error (request, error);
      return;
    }

  /* Pages follow the seq: a row changed while a client pages moves to a
   * later page, so none is lost (and a changed one may come twice). */
  while (json_array_get_length (data) < limit && !exhausted && scanned < limit * MAX_SCAN_FACTOR)
    {
      guint want = (guint) limit - json_array_get_length (data);
      g_autoptr(GPtrArray) rows = backend->vtable->rows_of_table (backend, table, position, want, &error);

      if (rows == NULL)
        {
          respond_storage_error (request, error);
          return;
        }
      exhausted = rows->len < want;
      for (guint i = 0; i < rows->len; i++)
        {
          CrmServerRow *row = g_ptr_array_index (rows, i);

          position = row->seq;
          scanned++;
          if ((row->deleted && !include_deleted) || (since_ms > 0 && row_updated_ms (row) < since_ms))
            continue;
          json_array_add_object_element (data, row_to_record (row));
        }
    }

  if (exhausted)
    json_object_set_null_member (body, "next_cursor");
  else
    {
      g_autofree char *next = encode_cursor (position);

      json_object_set_string_member (body, "next_cursor", next);
    }
  json_object_set_int_member (body, "latest_seq", latest);
  respond (request, SOUP_STATUS_OK, body);
}

static void
get_record (Request    *request,
            const char *table,
            const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServerRow) row = request->backend->vtable->get_row (request->backend, table, id, &error);
  g_autoptr(JsonObject) record = NULL;

  if (error != NULL)
    {
      respond_storage_error (request, error);
      return;
    }
  if (row == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("There is no %s record %s."), table, id);

      respond_error (request, SOUP_STATUS_NOT_FOUND, "not_found", message);
      return;
    }
  record = row_to_record (row);
  respond (request, SOUP_STATUS_OK, record);
}

/* Answers with the row as stored after a change (201 or 200). */
static void
respond_row (Request    *request,
             guint       status,
             const char *table,
             const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmServerRow) row = request->backend->vtable->get_row (request->backend, table, id, &error);
  g_autoptr(JsonObject) record = NULL;

  if (row == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The record vanished after it was written."));
      respond_storage_error (request, error);
      return;
    }
  record = row_to_record (row);
  if (status == SOUP_STATUS_CREATED)
    {
      g_autofree char *location = g_strdup_printf (API_PREFIX "/%s/%s", table, id);

      soup_message_headers_replace (soup_server_message_get_response_headers (request->msg), "Location", location);
    }
  respond (request, status, record);
}

/* Fields a new row gets when the request leaves them out: created_at is
 * required by the app's schema, and is a clock value there, as the app
 * writes it; deleted is in every row a desktop inserts, and the merge
 * reads its clock. */
static void
add_defaults (Request    *request,
              JsonObject *fields)
{
  json_object_set_int_member (fields, "deleted", 0);
  if (!json_object_has_member (fields, "created_at"))
    {
      g_autofree char *now = write_hlc (request, NULL);

      json_object_set_string_member (fields, "created_at", now);
    }
}

/* Checks @fields for a write of @table and applies it. Answers itself
 * (422, 5xx) and returns FALSE when it fails; the caller answers success. */
static gboolean
write_record (Request     *request,
              const char  *table,
              const char  *id,
              const char  *op,
              JsonObject  *fields)
{
  g_autoptr(JsonArray) errors = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) result = NULL;

  check_fields (request, table, fields, errors);
  if (!check_contact (request, table, fields, errors, &error))
    {
      respond_storage_error (request, error);
      return FALSE;
    }
  if (json_array_get_length (errors) > 0)
    {
      respond_invalid (request, errors);
      return FALSE;
    }
  if (g_str_equal (op, "insert"))
    add_defaults (request, fields);
  result = apply_change (request, table, id, op, fields, &error);
  if (result == NULL)
    {
      respond_storage_error (request, error);
      return FALSE;
    }
  if (!g_str_equal (json_object_get_string_member (result, "status"), "applied"))
    {
      g_autoptr(JsonArray) rejected = rejection_errors (request, table, result);

      respond_invalid (request, rejected);
      return FALSE;
    }
  return TRUE;
}

static void
create_record (Request    *request,
               const char *table)
{
  g_autoptr(JsonObject) fields = read_object (request);
  g_autoptr(CrmServerRow) existing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  JsonNode *id_node;

  if (fields == NULL)
    return;
  /* A client may choose the id (a UUID), to create idempotently. */
  id_node = json_object_get_member (fields, "id");
  if (id_node != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (id_node) || json_node_get_value_type (id_node) != G_TYPE_STRING ||
          !is_uuid (json_node_get_string (id_node)))
        {
          g_autoptr(JsonArray) errors = json_array_new ();

          json_array_add_object_element (errors, field_error ("id", _("id must be a UUID.")));
          respond_invalid (request, errors);
          return;
        }
      id = g_strdup (json_node_get_string (id_node));
      json_object_remove_member (fields, "id");
      existing = request->backend->vtable->get_row (request->backend, table, id, &error);
      if (error != NULL)
        {
          respond_storage_error (request, error);
          return;
        }
      if (existing != NULL)
        {
          g_autofree char *message = g_strdup_printf (_("There is already a %s record %s."), table, id);

          respond_error (request, SOUP_STATUS_CONFLICT, "conflict", message);
          return;
        }
    }
  else
    id = crm_uuid_v7_new ();
  if (write_record (request, table, id, "insert", fields))
    respond_row (request, SOUP_STATUS_CREATED, table, id);
}

static void
update_record (Request    *request,
               const char *table,
               const char *id)
{
  g_autoptr(JsonObject) fields = read_object (request);
  g_autoptr(CrmServerRow) row = NULL;
  g_autoptr(GError) error = NULL;

  if (fields == NULL)
    return;
  row = request->backend->vtable->get_row (request->backend, table, id, &error);
  if (error != NULL)
    {
      respond_storage_error (request, error);
      return;
    }
  if (row == NULL || row->deleted)
    {
      g_autofree char *message = g_strdup_printf (_("There is no %s record %s."), table, id);

      respond_error (request, SOUP_STATUS_NOT_FOUND, "not_found", message);
      return;
    }
  if (json_object_get_size (fields) == 0)
    {
      respond_row (request, SOUP_STATUS_OK, table, id);
      return;
    }
  if (write_record (request, table, id, "update", fields))
    respond_row (request, SOUP_STATUS_OK, table, id);
}

/* --- bulk upsert of purchases ------------------------------------------------ */

/* The id a purchase created for @order_ref gets: the same every time, so
 * two batches racing on two server processes still make one row. */
static char *
order_ref_id (const char *order_ref)
{
  guchar hash[16];
  char hex[33];

  crypto_generichash (hash, sizeof hash, (const guchar *) order_ref, strlen (order_ref),
                      (const guchar *) "crm-order-ref", strlen ("crm-order-ref"));
  /* Shaped as a UUID, version 8 (made by the application). */
  hash[6] = (hash[6] & 0x0f) | 0x80;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  sodium_bin2hex (hex, sizeof hex, hash, sizeof hash);
  return g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  return object ? crm_server_row_string (object, name) : NULL;
}

/* The live contact that "contact" ({"id"|"external_id"|"email"|"phone"})
 * names, tried in that order; NULL with a message in @errors if none or
 * several match. */
static char *
match_contact (Request     *request,
               JsonObject  *contact,
               JsonArray   *errors,
               GError     **error)
{
  static const struct { const char *key; const char *field; gboolean array; } ways[] = {
    { "external_id", "external_id", FALSE },
    { "email", "emails", TRUE },
    { "phone", "phones", TRUE },
  };
  CrmServerBackend *backend = request->backend;
  const char *id = member_string (contact, "id");

  if (id != NULL)
    {
      g_autoptr(CrmServerRow) row = backend->vtable->get_row (backend, "contacts", id, error);

      if (row != NULL && !row->deleted)
        return g_strdup (id);
      if (error != NULL && *error != NULL)
        return NULL;
      {
        g_autofree char *message = g_strdup_printf (_("There is no contact %s."), id);

        json_array_add_object_element (errors, field_error ("contact_id", message));
      }
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (ways); i++)
    {
      const char *value = member_string (contact, ways[i].key);
      g_autoptr(GPtrArray) rows = NULL;
      g_autofree char *field = NULL;
      g_autofree char *message = NULL;

      if (value == NULL)
        continue;
      rows = ways[i].array
             ? backend->vtable->rows_with_element (backend, "contacts", ways[i].field, value, error)
             : backend->vtable->rows_with_key (backend, "contacts", ways[i].field, value, error);
      if (rows == NULL)
        return NULL;
      if (rows->len == 1)
        return g_strdup (((CrmServerRow *) g_ptr_array_index (rows, 0))->id);
      field = g_strdup_printf ("contact.%s", ways[i].key);
      if (rows->len == 0)
        message = g_strdup_printf (_("No contact has the %s “%s”."), ways[i].key, value);
      else
        message = g_strdup_printf (_("%u contacts have the %s “%s”; send contact_id instead."),
                                   rows->len, ways[i].key, value);
      json_array_add_object_element (errors, field_error (field, message));
      return NULL;
    }
  json_array_add_object_element (errors,
    field_error ("contact", _("Name the customer: contact_id, or contact with id, external_id, email or phone.")));
  return NULL;
}

/* Upserts one purchase of a batch; returns its result, or NULL with
 * @error when storage failed (the batch stops there). */
static JsonObject *
upsert_purchase (Request     *request,
                 guint        index,
                 JsonNode    *node,
                 GError     **error)
{
  CrmServerBackend *backend = request->backend;
  g_autoptr(JsonObject) result = json_object_new ();
  g_autoptr(JsonArray) errors = json_array_new ();
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(JsonObject) contact = NULL;
  g_autoptr(JsonObject) applied = NULL;
  g_autoptr(CrmServerRow) row = NULL;
  g_autoptr(JsonObject) patch = json_object_new ();
  g_autofree char *id = NULL;
  g_autofree char *contact_id = NULL;
  const char *order_ref;
  const char *status;

  json_object_set_int_member (result, "index", index);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      json_array_add_object_element (errors, field_error (NULL, _("A purchase must be a JSON object.")));
      goto failed;
    }
  /* The batch is the client's; work on a copy. */
  {
    g_autoptr(JsonNode) copy = json_node_copy (node);

    fields = json_object_ref (json_node_get_object (copy));
  }
  order_ref = member_string (fields, "order_ref");
  if (order_ref == NULL || *order_ref == '\0')
    {
      json_array_add_object_element (errors, field_error ("order_ref", _("order_ref is required.")));
      goto failed;
    }
  json_object_set_string_member (result, "order_ref", order_ref);

  if (json_object_has_member (fields, "contact"))
    {
      JsonNode *c = json_object_get_member (fields, "contact");

      if (!JSON_NODE_HOLDS_OBJECT (c))
        {
          json_array_add_object_element (errors,
            field_error ("contact", _("contact must be an object with id, external_id, email or phone.")));
          goto failed;
        }
      contact = json_object_ref (json_node_get_object (c));
      json_object_remove_member (fields, "contact");
    }
  else
    {
      contact = json_object_new ();
      if (member_string (fields, "contact_id") != NULL)
        json_object_set_string_member (contact, "id", member_string (fields, "contact_id"));
    }
  json_object_remove_member (fields, "contact_id");

  check_fields (request, "purchases", fields, errors);
  if (json_array_get_length (errors) > 0)
    goto failed;
  contact_id = match_contact (request, contact, errors, error);
  if (contact_id == NULL)
    {
      if (error != NULL && *error != NULL)
        return NULL;
      goto failed;
    }
  json_object_set_string_member (fields, "contact_id", contact_id);

  /* The purchase this order_ref already has (from the app, or an earlier
   * batch), else the id derived from it. */
  {
    g_autoptr(GPtrArray) rows = backend->vtable->rows_with_key (backend, "purchases", "order_ref", order_ref,
                                                                error);

    if (rows == NULL)
      return NULL;
    if (rows->len > 0)
      id = g_strdup (((CrmServerRow *) g_ptr_array_index (rows, 0))->id);
  }
  if (id == NULL)
    id = order_ref_id (order_ref);
  json_object_set_string_member (result, "id", id);
  row = backend->vtable->get_row (backend, "purchases", id, error);
  if (row == NULL && error != NULL && *error != NULL)
    return NULL;
  if (row != NULL && row->deleted)
    {
      json_array_add_object_element (errors,
        field_error ("order_ref", _("The purchase with this order_ref was deleted in the CRM; it is not created again.")));
      goto failed;
    }

  if (row == NULL)
    {
      add_defaults (request, fields);
      g_clear_pointer (&patch, json_object_unref);
      patch = json_object_ref (fields);
    }
  else
    {
      /* Only what differs: the same batch again changes nothing. */
      JsonObjectIter iter;
      const char *field;
      JsonNode *value;

      json_object_iter_init (&iter, fields);
      while (json_object_iter_next (&iter, &field, &value))
        {
          JsonNode *stored = json_object_get_member (row->data, field);

          if (stored == NULL || !json_node_equal (stored, value))
            json_object_set_member (patch, field, json_node_copy (value));
        }
      if (json_object_get_size (patch) == 0)
        {
          json_object_set_string_member (result, "status", "unchanged");
          json_object_set_int_member (result, "seq", row->seq);
          return g_steal_pointer (&result);
        }
    }

  applied = apply_change (request, "purchases", id, row ? "update" : "insert", patch, error);
  if (applied == NULL)
    return NULL;
  status = json_object_get_string_member (applied, "status");
  if (!g_str_equal (status, "applied"))
    {
      g_autoptr(JsonArray) rejected = rejection_errors (request, "purchases", applied);

      json_object_set_string_member (result, "status", "error");
      json_object_set_array_member (result, "errors", g_steal_pointer (&rejected));
      return g_steal_pointer (&result);
    }
  json_object_set_string_member (result, "status", row ? "updated" : "created");
  if (json_object_has_member (applied, "seq"))
    json_object_set_int_member (result, "seq", json_object_get_int_member (applied, "seq"));
  return g_steal_pointer (&result);

failed:
  json_object_set_string_member (result, "status", "error");
  json_object_set_array_member (result, "errors", g_steal_pointer (&errors));
  return g_steal_pointer (&result);
}

static void
bulk_upsert_purchases (Request *request)
{
  g_autoptr(JsonObject) request_body = read_object (request);
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *purchases;
  JsonArray *results;
  JsonObject *summary;
  guint counts[4] = { 0 };   /* created, updated, unchanged, error */
  static const char * const statuses[] = { "created", "updated", "unchanged", "error" };
  guint n;

  if (request_body == NULL)
    return;
  if (!json_object_has_member (request_body, "purchases") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (request_body, "purchases")))
    {
      respond_error (request, SOUP_STATUS_BAD_REQUEST, "malformed",
                     _("Send {\"purchases\": [ … ]}, an array of purchases."));
      return;
    }
  purchases = json_object_get_array_member (request_body, "purchases");
  n = json_array_get_length (purchases);
  if (n > MAX_BULK)
    {
      g_autofree char *message = g_strdup_printf (_("Send at most %d purchases at once."), MAX_BULK);

      respond_error (request, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", message);
      return;
    }

  body = json_object_new ();
  results = json_array_new ();
  json_object_set_array_member (body, "results", results);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *result = upsert_purchase (request, i, json_array_get_element (purchases, i), &error);

      if (result == NULL)
        {
          /* The records before this one stay applied: say how far it got. */
          g_autoptr(JsonObject) failure = NULL;
          const char *code;
          guint status;

          if (error == NULL)
            g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The server's database did not answer."));
          status = storage_status (request, error, &code);
          failure = crm_server_api_error_body (code, error->message);
          json_object_set_int_member (json_object_get_object_member (failure, "error"), "applied_before_index", i);
          json_object_set_array_member (failure, "results", json_array_ref (results));
          respond (request, status, failure);
          return;
        }
      for (guint s = 0; s < G_N_ELEMENTS (statuses); s++)
        if (g_str_equal (json_object_get_string_member (result, "status"), statuses[s]))
          counts[s]++;
      json_array_add_object_element (results, result);
    }
  summary = json_object_new ();
  for (guint s = 0; s < G_N_ELEMENTS (statuses); s++)
    json_object_set_int_member (summary, statuses[s], counts[s]);
  json_object_set_object_member (body, "summary", summary);
  if (n > 0 && counts[3] == n)
    {
      /* Nothing was applied: an error, with each record's reasons. */
      JsonObject *error_object = json_object_new ();

      json_object_set_string_member (error_object, "code", "validation_failed");
      json_object_set_string_member (error_object, "message", _("No purchase in the batch was valid."));
      json_object_set_object_member (body, "error", error_object);
      respond (request, 422, body);
      return;
    }
  respond (request, SOUP_STATUS_OK, body);
}

/* --- the OpenAPI document ------------------------------------------------------ */

static void
serve_openapi (Request *request)
{
  g_autoptr(GBytes) bytes = g_resource_lookup_data (crm_server_get_resource (),
                                                    "/com/example/Crm/server/openapi.json",
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  gsize length;
  const char *data;

  if (bytes == NULL)
    {
      respond_error (request, SOUP_STATUS_INTERNAL_SERVER_ERROR, "server_error",
                     _("The OpenAPI document is missing from this build."));
      return;
    }
  data = g_bytes_get_data (bytes, &length);
  soup_server_message_set_status (request->msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (request->msg, "application/json", SOUP_MEMORY_COPY, data, length);
  crm_server_log_request (request->msg, request->path, SOUP_STATUS_OK, NULL, NULL);
}

/* --- routing ------------------------------------------------------------------- */

static void
method_not_allowed (Request    *request,
                    const char *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg), "Allow", allow);
  respond_error (request, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                 _("This method is not allowed here."));
}

static void
not_found (Request *request)
{
  respond_error (request, SOUP_STATUS_NOT_FOUND, "not_found",
                 _("There is nothing here. See /api/v1/openapi.json for what there is."));
}

static void
handle_api (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  CrmServer *server = user_data;
  g_auto(Request) request = { 0 };
  const char *method = soup_server_message_get_method (msg);
  const char *rest = g_str_has_prefix (path, API_PREFIX) ? path + strlen (API_PREFIX) : "";
  g_auto(GStrv) parts = NULL;
  guint n_parts;

  request.server = server;
  request.backend = crm_server_get_backend (server);
  request.msg = msg;
  request.path = path;

  if (g_str_equal (rest, "/openapi.json"))
    {
      if (!g_str_equal (method, "GET"))
        method_not_allowed (&request, "GET");
      else
        serve_openapi (&request);
      return;
    }
  if (*rest != '/')
    {
      not_found (&request);
      return;
    }
  parts = g_strsplit (rest + 1, "/", -1);
  n_parts = g_strv_length (parts);

  /* Two names for one thing: a custom method, and a plain path. */
  if ((n_parts == 1 && g_str_equal (parts[0], "purchases:bulk-upsert")) ||
      (n_parts == 2 && g_str_equal (parts[0], "purchases") && g_str_equal (parts[1], "bulk")))
    {
      if (!g_str_equal (method, "POST"))
        method_not_allowed (&request, "POST");
      else if (authenticate (&request) && require_scope (&request, "purchases", "write"))
        bulk_upsert_purchases (&request);
      return;
    }
  if (n_parts < 1 || n_parts > 2 || !g_strv_contains (collections, parts[0]) ||
      (n_parts == 2 && *parts[1] == '\0'))
    {
      not_found (&request);
      return;
    }

  if (n_parts == 1)
    {
      if (g_str_equal (method, "GET"))
        {
          if (authenticate (&request) && require_scope (&request, parts[0], "read"))
            list_records (&request, parts[0], query);
        }
      else if (g_str_equal (method, "POST"))
        {
          if (authenticate (&request) && require_scope (&request, parts[0], "write"))
            create_record (&request, parts[0]);
        }
      else
        method_not_allowed (&request, "GET, POST");
      return;
    }

  if (g_str_equal (method, "GET"))
    {
      if (authenticate (&request) && require_scope (&request, parts[0], "read"))
        get_record (&request, parts[0], parts[1]);
    }
  else if (g_str_equal (method, "PATCH"))
    {
      if (authenticate (&request) && require_scope (&request, parts[0], "write"))
        update_record (&request, parts[0], parts[1]);
    }
  else
    method_not_allowed (&request, "GET, PATCH");
}

void
crm_server_api_install (CrmServer  *server,
                        SoupServer *soup)
{
  soup_server_add_handler (soup, "/api", handle_api, server, NULL);
}

void
crm_server_api_key_free (CrmServerApiKey *key)
{
  if (key == NULL)
    return;
  g_free (key->id);
  g_free (key->name);
  g_free (key->scopes);
  g_free (key->key_hash);
  g_free (key);
}
