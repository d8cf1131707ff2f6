/* crm-sync-protocol.c: strict JSON codec of the sync messages, shared by server and client */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>

#include "crm-json.h"
#include "crm-sync-protocol.h"

G_DEFINE_QUARK (crm-sync-error-quark, crm_sync_error)

gboolean
crm_sync_protocol_supported (gint64 version)
{
  return version >= CRM_SYNC_PROTOCOL_OLDEST && version <= CRM_SYNC_PROTOCOL_VERSION;
}

/* @field's member of @per_field, or the one every field shares ("*"). */
static const char *
field_or_shared (JsonObject *per_field,
                 const char *field)
{
  const char *value;

  if (per_field == NULL)
    return NULL;
  value = json_object_get_string_member_with_default (per_field, field, NULL);
  return value != NULL ? value : json_object_get_string_member_with_default (per_field, "*", NULL);
}

/* The clock of @field in a pulled row's clocks: its own, or the one its
 * row's fields share ("*"); NULL when it has none. */
const char *
crm_sync_field_clock (JsonObject *hlcs,
                      const char *field)
{
  return field_or_shared (hlcs, field);
}

/* Who last wrote @field, from a pulled change's "by"; NULL when the
 * server does not know. */
const char *
crm_sync_field_author (JsonObject *authors,
                       const char *field)
{
  return field_or_shared (authors, field);
}

static const struct
{
  CrmSyncError error;
  const char *code;
  guint status;
} error_codes[] = {
  { CRM_SYNC_ERROR_FAILED, "failed", 500 },
  { CRM_SYNC_ERROR_MALFORMED, "malformed", 400 },
  { CRM_SYNC_ERROR_TOO_LARGE, "too_large", 413 },
  { CRM_SYNC_ERROR_UNAUTHORIZED, "unauthorized", 401 },
  { CRM_SYNC_ERROR_FORBIDDEN, "forbidden", 403 },
  { CRM_SYNC_ERROR_RATE_LIMITED, "rate_limited", 429 },
  { CRM_SYNC_ERROR_GAP, "mutation_gap", 409 },
  { CRM_SYNC_ERROR_DIVERGED, "client_diverged", 409 },
  { CRM_SYNC_ERROR_RESYNC, "resync_required", 409 },
  { CRM_SYNC_ERROR_SCHEMA, "schema_unsupported", 426 },
  { CRM_SYNC_ERROR_NETWORK, "network", 503 },
  { CRM_SYNC_ERROR_SERVER, "server_error", 500 },
  { CRM_SYNC_ERROR_UNAVAILABLE, "unavailable", 503 },
};

const char *
crm_sync_error_code (CrmSyncError error)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_codes); i++)
    if (error_codes[i].error == error)
      return error_codes[i].code;
  return "failed";
}

guint
crm_sync_error_http_status (CrmSyncError error)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_codes); i++)
    if (error_codes[i].error == error)
      return error_codes[i].status;
  return 500;
}

CrmSyncError
crm_sync_error_from_code (const char *code,
                          guint       http_status)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_codes); i++)
    if (g_strcmp0 (error_codes[i].code, code) == 0)
      return error_codes[i].error;
  if (http_status == 401)
    return CRM_SYNC_ERROR_UNAUTHORIZED;
  if (http_status == 426)
    return CRM_SYNC_ERROR_SCHEMA;
  if (http_status >= 500)
    return CRM_SYNC_ERROR_SERVER;
  return CRM_SYNC_ERROR_FAILED;
}

static JsonObject *
parse_object (const char  *data,
              gsize        length,
              GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;

  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                           _("The request body is empty; a JSON object was expected."));
      return NULL;
    }
  if (!g_utf8_validate (data, length, NULL))
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                           _("The request body is not UTF-8 text."));
      return NULL;
    }

  /* json-glib parses recursively; a body nesting thousands of brackets
   * would exhaust the stack, so the depth is checked on the text. Inside
   * `level` brackets a value is that deep (the root object is 0): past
   * the limit only closing brackets may follow. */
  {
    guint level = 0;
    gboolean in_string = FALSE;

    for (gsize i = 0; i < length; i++)
      {
        char c = data[i];

        if (in_string)
          {
            if (c == '\\')
              i++;
            else if (c == '"')
              in_string = FALSE;
          }
        else if (level > CRM_SYNC_MAX_DEPTH && c != '}' && c != ']' && !g_ascii_isspace (c))
          {
            g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                         _("The JSON nests deeper than %d levels."), CRM_SYNC_MAX_DEPTH);
            return NULL;
          }
        else if (c == '"')
          in_string = TRUE;
        else if (c == '{' || c == '[')
          level++;
        else if ((c == '}' || c == ']') && level > 0)
          level--;
      }
  }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &parse_error))
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("The request is not valid JSON: %s"), parse_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                           _("The request must be a JSON object."));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

JsonObject *
crm_sync_parse_object (const char  *data,
                       gsize        length,
                       GError     **error)
{
  if (length > CRM_SYNC_MAX_BODY)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_TOO_LARGE,
                   _("The request is larger than %d bytes. Send fewer changes at once."),
                   CRM_SYNC_MAX_BODY);
      return NULL;
    }
  return parse_object (data, length, error);
}

JsonObject *
crm_sync_parse_answer (const char  *data,
                       gsize        length,
                       GError     **error)
{
  if (length > CRM_SYNC_MAX_ANSWER)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_TOO_LARGE,
                   _("The server's answer is larger than %d bytes."), CRM_SYNC_MAX_ANSWER);
      return NULL;
    }
  return parse_object (data, length, error);
}

char *
crm_sync_object_to_string (JsonObject *object,
                           gsize      *length)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  char *text = crm_json_to_string (node);

  if (length != NULL)
    *length = strlen (text);
  return text;
}

JsonObject *
crm_sync_error_body (CrmSyncError  code,
                     const char   *message)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "error", crm_sync_error_code (code));
  json_object_set_string_member (object, "message", message);
  return object;
}

static JsonNode *
get_member (JsonObject  *object,
            const char  *member,
            gboolean     optional,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL && !optional)
    g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                 _("“%s” is missing."), member);
  return node;
}

static gboolean
wrong_type (const char  *member,
            const char  *expected,
            GError     **error)
{
  g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
               /* Translators: %s are a JSON member name and a type (string, integer, object, array). */
               _("“%s” must be a %s."), member, expected);
  return FALSE;
}

gboolean
crm_sync_get_string (JsonObject   *object,
                     const char   *member,
                     gboolean      optional,
                     const char  **out,
                     GError      **error)
{
  JsonNode *node = get_member (object, member, optional, error);

  *out = NULL;
  if (node == NULL)
    return optional;
  if (optional && JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return wrong_type (member, "string", error);
  *out = json_node_get_string (node);
  if (strlen (*out) > CRM_SYNC_MAX_STRING)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_TOO_LARGE,
                   _("“%s” is longer than %d bytes."), member, CRM_SYNC_MAX_STRING);
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_sync_get_int (JsonObject   *object,
                  const char   *member,
                  gboolean      optional,
                  gint64        min,
                  gint64        max,
                  gint64       *out,
                  GError      **error)
{
  JsonNode *node = get_member (object, member, optional, error);
  gint64 value;

  if (node == NULL)
    return optional;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return wrong_type (member, "integer", error);
  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("“%s” is out of range."), member);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

gboolean
crm_sync_get_object (JsonObject   *object,
                     const char   *member,
                     gboolean      optional,
                     JsonObject  **out,
                     GError      **error)
{
  JsonNode *node = get_member (object, member, optional, error);

  *out = NULL;
  if (node == NULL)
    return optional;
  if (optional && JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (member, "object", error);
  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
crm_sync_get_array (JsonObject   *object,
                    const char   *member,
                    gboolean      optional,
                    JsonArray   **out,
                    GError      **error)
{
  JsonNode *node = get_member (object, member, optional, error);

  *out = NULL;
  if (node == NULL)
    return optional;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (member, "array", error);
  *out = json_node_get_array (node);
  return TRUE;
}

gboolean
crm_sync_is_identifier (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64)
    return FALSE;
  if (!(g_ascii_islower (name[0]) || name[0] == '_'))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'))
      return FALSE;
  return TRUE;
}

static const char * const local_columns[] = { "rid", "id", "updated_at", "server_version", NULL };
static const char * const contact_derived_columns[] = {
  "name_pinyin", "name_initials", "name_sort", "lifecycle",
  "rfm_r", "rfm_f", "rfm_m", "rfm_segment",
  "first_purchase_at", "last_purchase_at", "purchase_count", "total_spent",
  NULL
};

gboolean
crm_sync_column_is_synced (const char *table,
                           const char *column)
{
  if (g_strv_contains (local_columns, column))
    return FALSE;
  if (g_strcmp0 (table, "contacts") == 0 && g_strv_contains (contact_derived_columns, column))
    return FALSE;
  return TRUE;
}

/* --- login --------------------------------------------------------------- */

void
crm_sync_login_free (CrmSyncLogin *login)
{
  if (login == NULL)
    return;
  g_free (login->user);
  if (login->password != NULL)
    memset (login->password, 0, strlen (login->password));
  g_free (login->password);
  g_free (login->client_id);
  g_free (login);
}

CrmSyncLogin *
crm_sync_login_decode (JsonObject  *object,
                       GError     **error)
{
  g_autoptr(CrmSyncLogin) login = g_new0 (CrmSyncLogin, 1);
  const char *user, *password, *client_id;

  if (!crm_sync_get_string (object, "user", FALSE, &user, error) ||
      !crm_sync_get_string (object, "password", FALSE, &password, error) ||
      !crm_sync_get_string (object, "client_id", FALSE, &client_id, error) ||
      !crm_sync_get_int (object, "schema_version", FALSE, 0, G_MAXINT32,
                         &login->schema_version, error))
    return NULL;
  if (*user == '\0' || strlen (user) > 128 || strlen (password) > 1024 ||
      strlen (client_id) != 36)
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                           _("The user, password or client id has an impossible length."));
      return NULL;
    }
  login->user = g_strdup (user);
  login->password = g_strdup (password);
  login->client_id = g_strdup (client_id);
  return g_steal_pointer (&login);
}

JsonObject *
crm_sync_login_encode (const CrmSyncLogin *login)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "user", login->user);
  json_object_set_string_member (object, "password", login->password);
  json_object_set_string_member (object, "client_id", login->client_id);
  json_object_set_int_member (object, "schema_version", login->schema_version);
  return object;
}

/* --- push ---------------------------------------------------------------- */

void
crm_sync_mutation_free (CrmSyncMutation *mutation)
{
  if (mutation == NULL)
    return;
  g_free (mutation->table);
  g_free (mutation->row_id);
  g_free (mutation->op);
  g_clear_pointer (&mutation->patch, json_object_unref);
  g_free (mutation->hlc);
  g_free (mutation);
}

CrmSyncMutation *
crm_sync_mutation_decode (JsonObject  *object,
                          GError     **error)
{
  g_autoptr(CrmSyncMutation) m = g_new0 (CrmSyncMutation, 1);
  const char *table, *row_id, *op, *hlc;
  JsonObject *patch;

  if (!crm_sync_get_int (object, "mutation_id", FALSE, 1, G_MAXINT64, &m->mutation_id, error) ||
      !crm_sync_get_string (object, "table", FALSE, &table, error) ||
      !crm_sync_get_string (object, "row_id", FALSE, &row_id, error) ||
      !crm_sync_get_string (object, "op", FALSE, &op, error) ||
      !crm_sync_get_object (object, "patch", TRUE, &patch, error) ||
      !crm_sync_get_string (object, "hlc", FALSE, &hlc, error) ||
      !crm_sync_get_int (object, "base_version", TRUE, 0, G_MAXINT64, &m->base_version, error))
    return NULL;

  if (!crm_sync_is_identifier (table))
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("Mutation %" PRId64 ": “%s” is not a table name."),
                   m->mutation_id, table);
      return NULL;
    }
  if (strlen (row_id) != 36)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("Mutation %" PRId64 ": “%s” is not a row id."),
                   m->mutation_id, row_id);
      return NULL;
    }
  if (!g_str_equal (op, "insert") && !g_str_equal (op, "update") && !g_str_equal (op, "delete"))
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("Mutation %" PRId64 ": the operation “%s” is not insert, update or delete."),
                   m->mutation_id, op);
      return NULL;
    }
  if (patch == NULL && !g_str_equal (op, "delete"))
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                   _("Mutation %" PRId64 ": an insert or update needs a patch."),
                   m->mutation_id);
      return NULL;
    }
  if (patch != NULL)
    {
      JsonObjectIter iter;
      const char *field;
      JsonNode *value;

      json_object_iter_init (&iter, patch);
      while (json_object_iter_next (&iter, &field, &value))
        {
          if (!crm_sync_is_identifier (field))
            {
              g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                           _("Mutation %" PRId64 ": “%s” is not a field name."),
                           m->mutation_id, field);
              return NULL;
            }
        }
    }

  m->table = g_strdup (table);
  m->row_id = g_strdup (row_id);
  m->op = g_strdup (op);
  m->patch = patch ? json_object_ref (patch) : NULL;
  m->hlc = g_strdup (hlc);
  return g_steal_pointer (&m);
}

JsonObject *
crm_sync_mutation_encode (const CrmSyncMutation *m)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "mutation_id", m->mutation_id);
  json_object_set_string_member (object, "table", m->table);
  json_object_set_string_member (object, "row_id", m->row_id);
  json_object_set_string_member (object, "op", m->op);
  if (m->patch != NULL)
    json_object_set_object_member (object, "patch", json_object_ref (m->patch));
  else
    json_object_set_null_member (object, "patch");
  json_object_set_string_member (object, "hlc", m->hlc);
  json_object_set_int_member (object, "base_version", m->base_version);
  return object;
}

char *
crm_sync_mutation_digest (const CrmSyncMutation *m)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *patch = NULL;

  /* base_version is left out: a retry after a pull may carry a newer one. */
  if (m->patch != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), m->patch);

      patch = crm_json_to_string (node);
    }
  g_checksum_update (sum, (const guchar *) m->table, -1);
  g_checksum_update (sum, (const guchar *) "\n", 1);
  g_checksum_update (sum, (const guchar *) m->row_id, -1);
  g_checksum_update (sum, (const guchar *) "\n", 1);
  g_checksum_update (sum, (const guchar *) m->op, -1);
  g_checksum_update (sum, (const guchar *) "\n", 1);
  g_checksum_update (sum, (const guchar *) m->hlc, -1);
  g_checksum_update (sum, (const guchar *) "\n", 1);
  if (patch != NULL)
    g_checksum_update (sum, (const guchar *) patch, -1);
  return g_strdup (g_checksum_get_string (sum));
}

void
crm_sync_push_free (CrmSyncPush *push)
{
  if (push == NULL)
    return;
  g_free (push->client_id);
  g_clear_pointer (&push->mutations, g_ptr_array_unref);
  g_free (push);
}

CrmSyncPush *
crm_sync_push_decode (JsonObject  *object,
                      GError     **error)
{
  g_autoptr(CrmSyncPush) push = g_new0 (CrmSyncPush, 1);
  const char *client_id;
  JsonArray *mutations;
  guint n;

  if (!crm_sync_get_string (object, "client_id", FALSE, &client_id, error) ||
      !crm_sync_get_int (object, "schema_version", FALSE, 0, G_MAXINT32, &push->schema_version, error) ||
      !crm_sync_get_array (object, "mutations", FALSE, &mutations, error))
    return NULL;

  n = json_array_get_length (mutations);
  if (n > CRM_SYNC_MAX_BATCH)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_TOO_LARGE,
                   _("A push may carry at most %d mutations."), CRM_SYNC_MAX_BATCH);
      return NULL;
    }

  push->client_id = g_strdup (client_id);
  push->mutations = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_sync_mutation_free);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (mutations, i);
      CrmSyncMutation *m;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_MALFORMED,
                       _("Mutation %u is not a JSON object."), i + 1);
          return NULL;
        }
      m = crm_sync_mutation_decode (json_node_get_object (node), error);
      if (m == NULL)
        return NULL;
      if (push->mutations->len > 0 &&
          m->mutation_id != ((CrmSyncMutation *) g_ptr_array_index (push->mutations, push->mutations->len - 1))->mutation_id + 1)
        {
          crm_sync_mutation_free (m);
          g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_GAP,
                               _("The mutation ids of a push must be consecutive."));
          return NULL;
        }
      g_ptr_array_add (push->mutations, m);
    }
  return g_steal_pointer (&push);
}

JsonObject *
crm_sync_push_encode (const CrmSyncPush *push)
{
  JsonObject *object = json_object_new ();
  JsonArray *array = json_array_new ();

  json_object_set_string_member (object, "client_id", push->client_id);
  json_object_set_int_member (object, "schema_version", push->schema_version);
  for (guint i = 0; i < push->mutations->len; i++)
    json_array_add_object_element (array, crm_sync_mutation_encode (g_ptr_array_index (push->mutations, i)));
  json_object_set_array_member (object, "mutations", array);
  return object;
}
