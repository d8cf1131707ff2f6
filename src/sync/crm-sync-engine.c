/* crm-sync-engine.c: push the outbox, pull by cursor, merge field by field, keep conflicts */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <libsoup/soup.h>
#include <string.h>

#include "crm-contact-search.h"
#include "crm-contact.h"
#include "crm-hlc.h"
#include "crm-json.h"
#include "crm-pulled-page.h"
#include "crm-pull-pipeline.h"
#include "crm-store-bulk.h"
#include "crm-store-private.h"
#include "crm-sync-engine.h"
#include "crm-sync-insert-batch.h"

#define DEFAULT_PAGE_SIZE 1000
#define DEFAULT_BATCH_SIZE 200

struct _CrmSyncEngine
{
  GObject parent_instance;

  CrmStore *store;
  SoupSession *session;
  char *server_url;
  char *user;
  char *password;
  char *token;
  char *role;
  guint page_size;
  guint batch_size;
  guint max_pages;
  gboolean pull_disabled;
  /* A pulled page left its transaction open: some of its rows refer to
   * rows of a later page (crm_store_commit_or_keep_dangling()). */
  gboolean page_open;
  GPtrArray *rejections;
  GHashTable *columns;   /* table -> GHashTable of synced column -> is_json */
  CrmSyncProgressFunc progress_func;
  gpointer progress_data;
  guint progress_push_total;

  /* Within a page: contacts inserted since search maintenance was paused
   * (crm_contact_search_pause()) are indexed together at its end, or
   * before a change to a contact that was there before. */
  gboolean search_paused;
  gint64 search_from;
  CrmSyncStats *page_stats;

  /* The page being applied: its contacts' search rows, worked out when it
   * was fetched, go in on resume when every contact inserted since the
   * pause had them (search_ahead); the contact put at index i got the rid
   * page_rids[i] (0 for other changes). */
  CrmContactSearchRows *page_search;
  GArray *page_search_by_sql;
  gint64 *page_rids;
  guint n_page_rids;
  gboolean search_ahead;
  gint64 next_rid;
};

G_DEFINE_FINAL_TYPE (CrmSyncEngine, crm_sync_engine, G_TYPE_OBJECT)

static void
crm_sync_engine_finalize (GObject *object)
{
  CrmSyncEngine *self = (CrmSyncEngine *)object;

  if (self->page_open)
    crm_store_rollback (self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_free (self->server_url);
  g_free (self->user);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->token);
  g_free (self->role);
  g_clear_pointer (&self->rejections, g_ptr_array_unref);
  g_clear_pointer (&self->columns, g_hash_table_unref);

  G_OBJECT_CLASS (crm_sync_engine_parent_class)->finalize (object);
}

static void
crm_sync_engine_class_init (CrmSyncEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_sync_engine_finalize;
}

static void
crm_sync_engine_init (CrmSyncEngine *self)
{
  self->page_size = DEFAULT_PAGE_SIZE;
  self->batch_size = DEFAULT_BATCH_SIZE;
  self->rejections = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_hash_table_unref);
}

CrmSyncEngine *
crm_sync_engine_new (CrmStore   *store,
                     const char *server_url)
{
  CrmSyncEngine *self = g_object_new (CRM_TYPE_SYNC_ENGINE, NULL);

  self->store = g_object_ref (store);
  self->server_url = g_strdup (server_url);
  /* Strip a trailing slash so paths join cleanly. */
  while (g_str_has_suffix (self->server_url, "/"))
    self->server_url[strlen (self->server_url) - 1] = '\0';
  self->session = soup_session_new_with_options ("timeout", 60,
                                                 "user-agent", "crm/" PACKAGE_VERSION,
                                                 NULL);
  return self;
}

void
crm_sync_engine_set_credentials (CrmSyncEngine *self,
                                 const char    *user,
                                 const char    *password)
{
  g_free (self->user);
  g_free (self->password);
  self->user = g_strdup (user);
  self->password = g_strdup (password);
}

const char *
crm_sync_engine_get_role (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), NULL);

  return self->role;
}

const char *
crm_sync_engine_get_token (CrmSyncEngine *self)
{
  return self->token;
}

void
crm_sync_engine_set_token (CrmSyncEngine *self,
                           const char    *token)
{
  g_free (self->token);
  self->token = g_strdup (token);
}

void
crm_sync_engine_set_page_size (CrmSyncEngine *self,
                               guint          page_size)
{
  self->page_size = CLAMP (page_size, 1, CRM_SYNC_MAX_PAGE);
}

void
crm_sync_engine_set_batch_size (CrmSyncEngine *self,
                                guint          batch_size)
{
  self->batch_size = CLAMP (batch_size, 1, CRM_SYNC_MAX_BATCH);
}

void
crm_sync_engine_set_max_pages (CrmSyncEngine *self,
                               guint          pages)
{
  self->max_pages = pages;
}

void
crm_sync_engine_set_pull_enabled (CrmSyncEngine *self,
                                  gboolean       enabled)
{
  self->pull_disabled = !enabled;
}

void
crm_sync_engine_set_progress_func (CrmSyncEngine       *self,
                                   CrmSyncProgressFunc  func,
                                   gpointer             user_data)
{
  self->progress_func = func;
  self->progress_data = user_data;
}

static void
report_progress (CrmSyncEngine *self,
                 guint          done,
                 guint          total)
{
  if (self->progress_func != NULL)
    self->progress_func (MIN (done, total), total, self->progress_data);
}

const char * const *
crm_sync_engine_get_rejections (CrmSyncEngine *self)
{
  static const char * const none[] = { NULL };

  /* An empty null-terminated GPtrArray may have no storage yet. */
  if (self->rejections->len == 0)
    return none;
  return (const char * const *) self->rejections->pdata;
}

/* --- HTTP ------------------------------------------------------------------ */

/* Sends a request and parses the JSON answer. A non-2xx answer becomes a
 * CRM_SYNC_ERROR from its error code; @out_body still gets the body (a
 * push answered 409 carries the results applied before the stop). */
static gboolean
request (CrmSyncEngine  *self,
         const char     *method,
         const char     *path,
         JsonObject     *payload,
         GCancellable   *cancellable,
         JsonObject    **out_body,
         GError        **error)
{
  g_autofree char *url = g_strconcat (self->server_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) parse_error = NULL;
  guint status;

  if (msg == NULL)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_NETWORK,
                   _("“%s” is not a server address. Use for example https://crm.example.com."),
                   self->server_url);
      return FALSE;
    }
  if (payload != NULL)
    {
      gsize length;
      char *text = crm_sync_object_to_string (payload, &length);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, length);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (self->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }

  response = soup_session_send_and_read (self->session, msg, cancellable, &local_error);
  if (response == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_NETWORK,
                     _("Cannot reach the server %s: %s"), self->server_url, local_error->message);
      return FALSE;
    }

  status = soup_message_get_status (msg);
  {
    gsize length;
    const char *data = g_bytes_get_data (response, &length);

    body = length > 0 ? crm_sync_parse_answer (data, length, &parse_error) : NULL;
  }

  if (status < 200 || status >= 300)
    {
      const char *code = body ? json_object_get_string_member_with_default (body, "error", NULL) : NULL;
      const char *message = body ? json_object_get_string_member_with_default (body, "message", NULL) : NULL;

      g_set_error (error, CRM_SYNC_ERROR, crm_sync_error_from_code (code, status),
                   _("The server answered %u: %s"), status,
                   message ? message : soup_status_get_phrase (status));
      if (out_body != NULL)
        *out_body = g_steal_pointer (&body);
      return FALSE;
    }
  if (body == NULL)
    {
      if (parse_error != NULL && g_error_matches (parse_error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_TOO_LARGE))
        g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SERVER, parse_error->message);
      else
        g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SERVER,
                             _("The server's answer is not JSON. Is the address that of a CRM server?"));
      return FALSE;
    }
  if (out_body != NULL)
    *out_body = g_steal_pointer (&body);
  return TRUE;
}

static gboolean
login (CrmSyncEngine  *self,
       GCancellable   *cancellable,
       GError        **error)
{
  CrmSyncLogin login = { 0 };
  g_autoptr(JsonObject) payload = NULL;
  g_autoptr(JsonObject) body = NULL;
  const char *token;

  if (self->user == NULL || self->password == NULL)
    {
      g_set_error_literal (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED,
                           _("Sign in to the server first."));
      return FALSE;
    }
  login.user = self->user;
  login.password = self->password;
  login.client_id = (char *) crm_store_get_client_id (self->store);
  login.schema_version = CRM_SYNC_PROTOCOL_VERSION;
  payload = crm_sync_login_encode (&login);
  /* Names this computer in the administrator's list of devices. */
  json_object_set_string_member (payload, "device", g_get_host_name ());

  g_clear_pointer (&self->token, g_free);
  if (!request (self, "POST", "/v1/login", payload, cancellable, &body, error))
    return FALSE;
  if (!crm_sync_get_string (body, "token", FALSE, &token, error))
    return FALSE;
  self->token = g_strdup (token);
  /* The role decides which parts of the app show (the administration);
   * the server checks it on every call anyway. */
  {
    JsonObject *user = NULL;
    const char *role = NULL;

    if (crm_sync_get_object (body, "user", TRUE, &user, NULL) && user != NULL &&
        crm_sync_get_string (user, "role", TRUE, &role, NULL) && role != NULL)
      {
        g_free (self->role);
        self->role = g_strdup (role);
      }
  }
  return TRUE;
}

gboolean
crm_sync_engine_sign_in (CrmSyncEngine  *self,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), FALSE);

  return login (self, cancellable, error);
}

/* A request that signs in again once when the token expired. */
static gboolean
authed_request (CrmSyncEngine  *self,
                const char     *method,
                const char     *path,
                JsonObject     *payload,
                GCancellable   *cancellable,
                JsonObject    **out_body,
                GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (self->token == NULL && !login (self, cancellable, error))
    return FALSE;
  if (request (self, method, path, payload, cancellable, out_body, &local_error))
    return TRUE;
  if (!g_error_matches (local_error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_UNAUTHORIZED) ||
      self->password == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (out_body != NULL)
    g_clear_pointer (out_body, json_object_unref);
  return login (self, cancellable, error) &&
         request (self, method, path, payload, cancellable, out_body, error);
}

/* --- local schema ---------------------------------------------------------- */

/* Synced columns of @table in the local schema -> whether they hold JSON. */
static GHashTable *
table_columns (CrmSyncEngine *self,
               const char    *table)
{
  GHashTable *columns = g_hash_table_lookup (self->columns, table);
  g_autoptr(CrmCachedStmt) stmt = NULL;

  if (columns != NULL || !crm_store_table_is_synced (table))
    return columns;

  stmt = crm_store_prepare (self->store, "SELECT name, type FROM pragma_table_info (?)", NULL);
  if (stmt == NULL)
    return NULL;
  columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *type = (const char *) sqlite3_column_text (stmt, 1);

      if (crm_sync_column_is_synced (table, name))
        g_hash_table_insert (columns, g_strdup (name),
                             GINT_TO_POINTER (g_strcmp0 (type, "JSON_TEXT") == 0));
    }
  g_hash_table_insert (self->columns, g_strdup (table), columns);
  return columns;
}

static char *
node_to_text (JsonNode *node)
{
  return node != NULL ? crm_json_to_string (node) : NULL;
}

/* Records a conflict unless the same one is already open (a pull and the
 * push result may both report it). */
static gboolean
record_conflict (CrmSyncEngine  *self,
                 const char     *table,
                 const char     *row_id,
                 const char     *field,
                 const char     *kind,
                 JsonNode       *local_value,
                 const char     *local_hlc,
                 JsonNode       *remote_value,
                 const char     *remote_hlc,
                 const char     *remote_by,
                 const char     *winner,
                 CrmSyncStats   *stats,
                 GError        **error)
{
  static const char exists_sql[] =
    "SELECT 1 FROM conflicts WHERE table_name = ? AND row_id = ? AND field IS ? AND kind = ?\n"
    "  AND local_hlc IS ? AND resolved = 0";
  static const char insert_sql[] =
    "INSERT INTO conflicts (table_name, row_id, field, kind, local_value, remote_value,\n"
    "  local_hlc, remote_hlc, remote_by, winner, created_at)\n"
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime ('%Y-%m-%dT%H:%M:%fZ', 'now'))";
  g_autofree char *local_text = node_to_text (local_value);
  g_autofree char *remote_text = node_to_text (remote_value);

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, exists_sql, error);

    if (stmt == NULL)
      return FALSE;
    crm_stmt_bind_text (stmt, 1, table);
    crm_stmt_bind_text (stmt, 2, row_id);
    crm_stmt_bind_text (stmt, 3, field);
    crm_stmt_bind_text (stmt, 4, kind);
    crm_stmt_bind_text (stmt, 5, local_hlc);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      return TRUE;
  }
  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, insert_sql, error);

    if (stmt == NULL)
      return FALSE;
    crm_stmt_bind_text (stmt, 1, table);
    crm_stmt_bind_text (stmt, 2, row_id);
    crm_stmt_bind_text (stmt, 3, field);
    crm_stmt_bind_text (stmt, 4, kind);
    crm_stmt_bind_text (stmt, 5, local_text);
    crm_stmt_bind_text (stmt, 6, remote_text);
    crm_stmt_bind_text (stmt, 7, local_hlc);
    crm_stmt_bind_text (stmt, 8, remote_hlc);
    crm_stmt_bind_text (stmt, 9, remote_by);
    crm_stmt_bind_text (stmt, 10, winner);
    if (!crm_store_step_done (self->store, stmt, error))
      return FALSE;
  }
  stats->conflicts++;
  crm_store_queue_changed (self->store, "conflicts", row_id);
  return TRUE;
}

/* --- push ------------------------------------------------------------------ */

static gint64
row_server_version (CrmSyncEngine *self,
                    const char    *table,
                    const char    *row_id)
{
  g_autofree char *sql = NULL;
  g_autoptr(CrmCachedStmt) stmt = NULL;

  if (!crm_store_table_is_synced (table))
    return 0;
  /* @table is one of the store's synced tables, not outside text. */
  sql = g_strdup_printf ("SELECT server_version FROM %s WHERE id = ?", table);
  stmt = crm_store_prepare (self->store, sql, NULL);
  if (stmt == NULL)
    return 0;
  crm_stmt_bind_text (stmt, 1, row_id);
  return sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

static GPtrArray *
read_outbox (CrmSyncEngine  *self,
             guint           limit,
             GError        **error)
{
  static const char sql[] =
    "SELECT mutation_id, table_name, row_id, op, patch, hlc FROM outbox ORDER BY mutation_id LIMIT ?";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, sql, error);
  g_autoptr(GPtrArray) list = NULL;

  if (stmt == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_sync_mutation_free);
  sqlite3_bind_int (stmt, 1, (int) limit);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      CrmSyncMutation *m = g_new0 (CrmSyncMutation, 1);

      m->mutation_id = sqlite3_column_int64 (stmt, 0);
      m->table = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      m->row_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      m->op = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
        {
          g_autoptr(JsonNode) node = json_from_string ((const char *) sqlite3_column_text (stmt, 4), NULL);

          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
            m->patch = json_object_ref (json_node_get_object (node));
        }
      m->hlc = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      g_ptr_array_add (list, m);
    }
  for (guint i = 0; i < list->len; i++)
    {
      CrmSyncMutation *m = g_ptr_array_index (list, i);

      m->base_version = row_server_version (self, m->table, m->row_id);
    }
  return g_steal_pointer (&list);
}

static gboolean
handle_push_results (CrmSyncEngine  *self,
                     JsonObject     *body,
                     CrmSyncStats   *stats,
                     GError        **error)
{
  static const char delete_sql[] = "DELETE FROM outbox WHERE mutation_id <= ?";
  JsonArray *results = NULL;
  gint64 through = 0;

  if (body == NULL || !json_object_has_member (body, "results"))
    return TRUE;
  if (!crm_sync_get_array (body, "results", FALSE, &results, error))
    return FALSE;
  if (json_array_get_length (results) == 0)
    return TRUE;

  if (!crm_store_begin (self->store, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonNode *node = json_array_get_element (results, i);
      JsonObject *result;
      gint64 id;
      const char *status, *reason;
      JsonArray *conflicts;
      g_autoptr(CrmCachedStmt) stmt = NULL;
      g_autofree char *table = NULL;
      g_autofree char *row_id = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      result = json_node_get_object (node);
      if (!crm_sync_get_int (result, "mutation_id", FALSE, 1, G_MAXINT64, &id, error) ||
          !crm_sync_get_string (result, "status", FALSE, &status, error) ||
          !crm_sync_get_string (result, "reason", TRUE, &reason, error) ||
          !crm_sync_get_array (result, "conflicts", TRUE, &conflicts, error))
        {
          crm_store_rollback (self->store);
          return FALSE;
        }
      through = MAX (through, id);
      stats->pushed++;

      stmt = crm_store_prepare (self->store, "SELECT table_name, row_id FROM outbox WHERE mutation_id = ?", error);
      if (stmt == NULL)
        {
          crm_store_rollback (self->store);
          return FALSE;
        }
      sqlite3_bind_int64 (stmt, 1, id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          table = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          row_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        }
      g_clear_pointer (&stmt, crm_cached_stmt_release);
      if (table == NULL)
        continue;

      if (g_strcmp0 (status, "rejected") == 0)
        {
          stats->rejected++;
          g_ptr_array_add (self->rejections,
                           g_strdup_printf ("%s %s: %s", table, row_id, reason ? reason : ""));
        }
      for (guint j = 0; conflicts != NULL && j < json_array_get_length (conflicts); j++)
        {
          JsonNode *cnode = json_array_get_element (conflicts, j);
          JsonObject *c;
          const char *kind, *field, *winner, *pushed_hlc, *server_hlc, *server_by;

          if (!JSON_NODE_HOLDS_OBJECT (cnode))
            continue;
          c = json_node_get_object (cnode);
          if (!crm_sync_get_string (c, "kind", FALSE, &kind, error) ||
              !crm_sync_get_string (c, "field", TRUE, &field, error) ||
              !crm_sync_get_string (c, "winner", FALSE, &winner, error) ||
              !crm_sync_get_string (c, "pushed_hlc", TRUE, &pushed_hlc, error) ||
              !crm_sync_get_string (c, "server_hlc", TRUE, &server_hlc, error) ||
              !crm_sync_get_string (c, "server_by", TRUE, &server_by, error) ||
              !record_conflict (self, table, row_id, field,
                                g_str_equal (kind, "delete_edit") ? "delete_edit" : "field",
                                json_object_get_member (c, "pushed_value"), pushed_hlc,
                                json_object_get_member (c, "server_value"), server_hlc, server_by,
                                g_str_equal (winner, "local") ? "local" : "remote",
                                stats, error))
            {
              crm_store_rollback (self->store);
              return FALSE;
            }
        }
    }

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, delete_sql, error);
    g_autofree char *through_text = g_strdup_printf ("%" G_GINT64_FORMAT, through);

    if (stmt == NULL)
      {
        crm_store_rollback (self->store);
        return FALSE;
      }
    sqlite3_bind_int64 (stmt, 1, through);
    if (!crm_store_step_done (self->store, stmt, error) ||
        !crm_store_set_meta (self->store, "sync_pushed_through", through_text, error))
      {
        crm_store_rollback (self->store);
        return FALSE;
      }
  }
  return crm_store_commit (self->store, error);
}

static gboolean
renumber_outbox_steps (CrmSyncEngine  *self,
                       gint64          server_last,
                       GError        **error)
{
  g_autoptr(CrmCachedStmt) renumber = NULL;
  g_autoptr(CrmCachedStmt) last = NULL;

  /* Negated first, so the new ids never collide with old ones. */
  if (!crm_store_exec (self->store, "UPDATE outbox SET mutation_id = -mutation_id", error))
    return FALSE;
  renumber = crm_store_prepare (self->store,
                                "UPDATE outbox SET mutation_id = ?1 + (SELECT count(*) FROM outbox o2 WHERE o2.mutation_id > outbox.mutation_id)",
                                error);
  if (renumber == NULL)
    return FALSE;
  sqlite3_bind_int64 (renumber, 1, server_last + 1);
  if (!crm_store_step_done (self->store, renumber, error))
    return FALSE;
  last = crm_store_prepare (self->store,
                            "UPDATE local_state SET last_mutation_id = max (?1, coalesce ((SELECT max (mutation_id) FROM outbox), 0))",
                            error);
  if (last == NULL)
    return FALSE;
  sqlite3_bind_int64 (last, 1, server_last);
  return crm_store_step_done (self->store, last, error) &&
         crm_store_set_meta (self->store, "sync_cursor", "0", error);
}

/* After client_diverged (this database was restored from an older copy,
 * so its mutation ids were already used for other changes): give the
 * unpushed mutations fresh ids after the server's last, and pull
 * everything again. Nothing local is dropped. */
static gboolean
renumber_outbox (CrmSyncEngine  *self,
                 gint64          server_last,
                 GError        **error)
{
  if (!crm_store_begin (self->store, error))
    return FALSE;
  if (!renumber_outbox_steps (self, server_last, error))
    {
      crm_store_rollback (self->store);
      return FALSE;
    }
  return crm_store_commit (self->store, error);
}

static gboolean
push (CrmSyncEngine  *self,
      GCancellable   *cancellable,
      CrmSyncStats   *stats,
      GError        **error)
{
  gboolean renumbered = FALSE;

  for (;;)
    {
      g_autoptr(GPtrArray) batch = read_outbox (self, self->batch_size, error);
      g_autoptr(JsonObject) payload = NULL;
      g_autoptr(JsonObject) body = NULL;
      g_autoptr(GError) local_error = NULL;
      CrmSyncPush request_data;
      gboolean ok;

      if (batch == NULL)
        return FALSE;
      if (batch->len == 0)
        return TRUE;

      request_data.client_id = (char *) crm_store_get_client_id (self->store);
      request_data.schema_version = CRM_SYNC_PROTOCOL_VERSION;
      request_data.mutations = batch;
      payload = crm_sync_push_encode (&request_data);

      ok = authed_request (self, "POST", "/v1/push", payload, cancellable, &body, &local_error);
      /* Results applied before a stop (409) are still acknowledged. */
      if (!handle_push_results (self, body, stats, error))
        return FALSE;
      report_progress (self, stats->pushed, self->progress_push_total);
      if (ok)
        continue;

      if (g_error_matches (local_error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_DIVERGED) && !renumbered &&
          body != NULL && json_object_has_member (body, "last_mutation_id"))
        {
          if (!renumber_outbox (self, json_object_get_int_member (body, "last_mutation_id"), error))
            return FALSE;
          renumbered = TRUE;
          continue;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
}

/* --- pull ------------------------------------------------------------------ */

/* The newest unpushed local value of each field of a row, with its clock. */
static GHashTable *
pending_fields (CrmSyncEngine *self,
                const char    *table,
                const char    *row_id,
                gboolean      *out_any)
{
  static const char sql[] =
    "SELECT patch, hlc, op FROM outbox WHERE table_name = ? AND row_id = ? ORDER BY mutation_id";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, sql, NULL);
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ptr_array_unref);

  *out_any = FALSE;
  if (stmt == NULL)
    return fields;
  crm_stmt_bind_text (stmt, 1, table);
  crm_stmt_bind_text (stmt, 2, row_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(JsonNode) node = NULL;
      const char *hlc = (const char *) sqlite3_column_text (stmt, 1);
      JsonObjectIter iter;
      const char *field;
      JsonNode *value;

      *out_any = TRUE;
      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
        continue;
      node = json_from_string ((const char *) sqlite3_column_text (stmt, 0), NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &field, &value))
        {
          GPtrArray *entry = g_ptr_array_new_with_free_func (g_free);

          /* [hlc, value as JSON text] */
          g_ptr_array_add (entry, g_strdup (hlc));
          g_ptr_array_add (entry, crm_json_to_string (value));
          g_hash_table_replace (fields, g_strdup (field), entry);
        }
    }
  return fields;
}

/* The synced fields of a local row as JSON (NULL when there is no row),
 * to write only what a pulled row changes: most pulled rows are this
 * replica's own edits coming back, and rewriting them would redo the
 * search index for nothing. */
static JsonObject *
local_row (CrmSyncEngine *self,
           const char    *table,
           const char    *id,
           GHashTable    *columns)
{
  g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s WHERE id = ?", table);
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, sql, NULL);
  JsonObject *row;
  int n;

  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;

  row = json_object_new ();
  n = sqlite3_column_count (stmt);
  for (int i = 0; i < n; i++)
    {
      const char *name = sqlite3_column_name (stmt, i);
      gpointer is_json;

      if (!g_hash_table_lookup_extended (columns, name, NULL, &is_json))
        continue;
      switch (sqlite3_column_type (stmt, i))
        {
        case SQLITE_NULL:
          json_object_set_null_member (row, name);
          break;
        case SQLITE_INTEGER:
          json_object_set_int_member (row, name, sqlite3_column_int64 (stmt, i));
          break;
        case SQLITE_FLOAT:
          json_object_set_double_member (row, name, sqlite3_column_double (stmt, i));
          break;
        default:
          {
            const char *text = (const char *) sqlite3_column_text (stmt, i);
            JsonNode *node = GPOINTER_TO_INT (is_json) ? json_from_string (text, NULL) : NULL;

            if (node != NULL)
              json_object_set_member (row, name, node);
            else
              json_object_set_string_member (row, name, text);
          }
          break;
        }
    }
  return row;
}

static gboolean resume_search (CrmSyncEngine  *self,
                               GError        **error);

/* New contacts leave their search rows to resume_search(). @ahead: the
 * contact about to be inserted has its rows in self->page_search and
 * takes its rid from next_rid. */
static gboolean
pause_search (CrmSyncEngine  *self,
              gboolean        ahead,
              GError        **error)
{
  ahead = ahead && self->page_search != NULL;
  if (self->search_paused && self->search_ahead && !ahead &&
      !resume_search (self, error))
    return FALSE;
  if (self->search_paused)
    return TRUE;
  if (!crm_contact_search_pause (self->store, &self->search_from, error))
    return FALSE;
  self->search_paused = TRUE;
  /* From 0 the index is off for a rebuild, which covers these rows. */
  self->search_ahead = ahead && self->search_from > 0;
  self->next_rid = self->search_from;
  return TRUE;
}

/* Indexes the contacts inserted since pause_search(): before a change to
 * an older contact (its triggers keep its rows) and before the page
 * commits. Rows worked out ahead serve once: contacts inserted after
 * are read back. */
static gboolean
resume_search (CrmSyncEngine  *self,
               GError        **error)
{
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  if (!self->search_paused)
    return TRUE;
  if (self->search_ahead)
    {
      ok = crm_contact_search_resume_with_rows (self->store, self->page_search, self->page_rids,
                                                self->n_page_rids, self->page_search_by_sql, error);
      g_clear_pointer (&self->page_search, crm_contact_search_rows_free);
    }
  else
    ok = crm_contact_search_resume (self->store, self->search_from, error);
  if (!ok)
    return FALSE;
  self->search_paused = FALSE;
  self->search_ahead = FALSE;
  self->search_from = 0;
  if (self->page_stats != NULL)
    self->page_stats->index_usec += g_get_monotonic_time () - start;
  return TRUE;
}

/* Checks that every field of a pulled @row is a column of @table here
 * (@columns) and gives the newest of the fields' clocks (@hlcs), NULL
 * when they have none (unless @out_updated_at is NULL). */
static gboolean
check_row (const char  *table,
           GHashTable  *columns,
           JsonObject  *row,
           JsonObject  *hlcs,
           char       **out_updated_at,
           GError     **error)
{
  g_autofree char *updated_at = NULL;
  JsonObjectIter iter;
  const char *field;

  json_object_iter_init (&iter, row);
  while (json_object_iter_next (&iter, &field, NULL))
    {
      const char *remote_hlc = out_updated_at != NULL ? crm_sync_field_clock (hlcs, field) : NULL;

      if (!g_hash_table_contains (columns, field))
        {
          g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SCHEMA,
                       _("The server sent a field %s.%s this version does not know. Update the app."),
                       table, field);
          return FALSE;
        }
      if (remote_hlc != NULL && (updated_at == NULL || crm_hlc_compare (remote_hlc, updated_at) > 0))
        {
          g_free (updated_at);
          updated_at = g_strdup (remote_hlc);
        }
    }
  if (out_updated_at != NULL)
    *out_updated_at = g_steal_pointer (&updated_at);
  return TRUE;
}

static gboolean
apply_put (CrmSyncEngine  *self,
           const char     *table,
           const char     *id,
           gint64          seq,
           JsonObject     *row,
           JsonObject     *hlcs,
           JsonObject     *authors,
           CrmSyncStats   *stats,
           GError        **error)
{
  GHashTable *columns = table_columns (self, table);
  g_autoptr(GHashTable) pending = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autofree char *updated_at = NULL;
  g_autoptr(JsonObject) current = NULL;
  gboolean exists, was_deleted;
  gboolean any_pending;
  gboolean name_changed = FALSE;
  g_auto(CrmSyncReadings) readings = { NULL, NULL, NULL };
  guint n_bound;
  JsonObjectIter iter;
  const char *field;
  JsonNode *value;
  int p;

  if (!check_row (table, columns, row, hlcs, &updated_at, error))
    return FALSE;
  current = local_row (self, table, id, columns);
  exists = current != NULL;
  was_deleted = exists && json_object_get_int_member_with_default (current, "deleted", 0) != 0;
  pending = pending_fields (self, table, id, &any_pending);

  json_object_iter_init (&iter, row);
  while (json_object_iter_next (&iter, &field, &value))
    {
      const char *remote_hlc = crm_sync_field_clock (hlcs, field);
      GPtrArray *local = g_hash_table_lookup (pending, field);

      if (local != NULL && exists)
        {
          const char *local_hlc = g_ptr_array_index (local, 0);
          g_autoptr(JsonNode) local_value = json_from_string (g_ptr_array_index (local, 1), NULL);

          if (local_value != NULL && json_node_equal (local_value, value))
            {
              /* Both sides agree; nothing to merge. */
            }
          else if (crm_hlc_compare (local_hlc, remote_hlc) > 0)
            continue;   /* the unpushed local edit is newer and will win on the server too */
          else if (!record_conflict (self, table, id, field, "field", local_value, local_hlc,
                                     value, remote_hlc,
                                     crm_sync_field_author (authors, field),
                                     "remote", stats, error))
            return FALSE;
        }
      if (g_str_equal (field, "deleted"))
        continue;
      if (exists && json_object_has_member (current, field) &&
          json_node_equal (json_object_get_member (current, field), value))
        continue;
      if (g_str_equal (field, "name") || g_str_equal (field, "kind"))
        name_changed = TRUE;
      g_ptr_array_add (names, (gpointer) field);
    }

  if (name_changed)
    crm_sync_readings_compute (&readings, table, row);
  n_bound = names->len;
  if (readings.sort_key != NULL)
    {
      g_ptr_array_add (names, (gpointer) "name_pinyin");
      g_ptr_array_add (names, (gpointer) "name_initials");
      g_ptr_array_add (names, (gpointer) "name_sort");
    }

  if (g_str_equal (table, "contacts") &&
      !(exists ? resume_search (self, error) : pause_search (self, FALSE, error)))
    return FALSE;

  /* Column names were checked against the local schema above. */
  if (exists)
    {
      g_string_append_printf (sql, "UPDATE %s SET server_version = ?1, updated_at = max (updated_at, coalesce (?2, ''))%s",
                              table, was_deleted ? ", deleted = 0" : "");
      for (guint i = 0; i < names->len; i++)
        g_string_append_printf (sql, ", %s = ?%u", (const char *) g_ptr_array_index (names, i), i + 4);
      g_string_append (sql, " WHERE id = ?3");
    }
  else
    {
      g_autoptr(GString) values = g_string_new ("?1, 0, ?2, ?3");

      g_string_append_printf (sql, "INSERT INTO %s (server_version, deleted, updated_at, id", table);
      for (guint i = 0; i < names->len; i++)
        {
          g_string_append_printf (sql, ", %s", (const char *) g_ptr_array_index (names, i));
          g_string_append_printf (values, ", ?%u", i + 4);
        }
      g_string_append_printf (sql, ") VALUES (%s)", values->str);
    }

  stmt = crm_store_prepare (self->store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  if (updated_at != NULL)
    crm_stmt_bind_text (stmt, 2, updated_at);
  else
    crm_stmt_bind_text (stmt, 2, json_object_get_string_member_with_default (row, "created_at", ""));
  crm_stmt_bind_text (stmt, 3, id);
  p = 4;
  for (guint i = 0; i < n_bound; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      crm_stmt_bind_json (stmt, p++, json_object_get_member (row, name),
                 GPOINTER_TO_INT (g_hash_table_lookup (columns, name)));
    }
  if (readings.sort_key != NULL)
    {
      crm_stmt_bind_text (stmt, p++, readings.full);
      crm_stmt_bind_text (stmt, p++, readings.initials);
      sqlite3_bind_blob (stmt, p++, readings.sort_key, (int) strlen (readings.sort_key), SQLITE_TRANSIENT);
    }
  if (!crm_store_step_done (self->store, stmt, error))
    {
      g_prefix_error (error, _("Could not apply %s %s from the server: "), table, id);
      return FALSE;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  if (updated_at != NULL && !crm_store_receive_hlc (self->store, updated_at, NULL))
    {
      /* A malformed clock from the server: keep ours, the row is stored. */
    }

  if (g_str_equal (table, "purchases"))
    {
      JsonNode *contact = json_object_get_member (row, "contact_id");

      if (contact != NULL && JSON_NODE_HOLDS_VALUE (contact) &&
          !crm_lifecycle_update_contact (self->store, json_node_get_string (contact), error))
        return FALSE;
    }
  crm_store_queue_changed (self->store, table, id);
  return TRUE;
}

/* Local rows under the deal @id that leaves this store, without
 * mutations: its product lines, and with @leaving (the deal is gone from
 * this user's view, not deleted) its stage moves, and its link from the
 * customer's activities, which stay. */
static gboolean
forget_deal_rows (CrmSyncEngine  *self,
                  const char     *id,
                  gboolean        leaving,
                  GError        **error)
{
  static const char * const statements[] = {
    "DELETE FROM deal_products WHERE deal_id = ?1",
    "DELETE FROM deal_stage_history WHERE deal_id = ?1",
    "UPDATE activities SET deal_id = NULL WHERE deal_id = ?1",
  };

  for (guint i = 0; i < (leaving ? G_N_ELEMENTS (statements) : 1); i++)
    {
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, statements[i], error);

      if (stmt == NULL)
        return FALSE;
      crm_stmt_bind_text (stmt, 1, id);
      if (!crm_store_step_done (self->store, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
apply_delete (CrmSyncEngine  *self,
              const char     *table,
              const char     *id,
              gint64          seq,
              JsonObject     *authors,
              CrmSyncStats   *stats,
              GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET deleted = 1, server_version = ? WHERE id = ?", table);
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(GHashTable) pending = NULL;
  gboolean any_pending;

  if (g_str_equal (table, "contacts") && !resume_search (self, error))
    return FALSE;
  /* A deleted deal takes its lines (their scope is the deal's). */
  if (g_str_equal (table, "deals") && !forget_deal_rows (self, id, FALSE, error))
    return FALSE;
  pending = pending_fields (self, table, id, &any_pending);
  if (g_hash_table_size (pending) > 0 && !g_hash_table_contains (pending, "deleted"))
    {
      /* Delete wins; the local edit is kept so the row can be restored. */
      g_autoptr(JsonObject) edit = json_object_new ();
      g_autoptr(JsonNode) node = NULL;
      GHashTableIter iter;
      gpointer key, value;
      const char *local_hlc = NULL;

      g_hash_table_iter_init (&iter, pending);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          GPtrArray *entry = value;
          JsonNode *v = json_from_string (g_ptr_array_index (entry, 1), NULL);

          json_object_set_member (edit, key, v ? v : json_node_new (JSON_NODE_NULL));
          if (local_hlc == NULL || crm_hlc_compare (g_ptr_array_index (entry, 0), local_hlc) > 0)
            local_hlc = g_ptr_array_index (entry, 0);
        }
      node = json_node_init_object (json_node_alloc (), edit);
      if (!record_conflict (self, table, id, NULL, "delete_edit", node, local_hlc, NULL, NULL,
                            crm_sync_field_author (authors, "deleted"),
                            "remote", stats, error))
        return FALSE;
    }

  stmt = crm_store_prepare (self->store, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  crm_stmt_bind_text (stmt, 2, id);
  if (!crm_store_step_done (self->store, stmt, error))
    return FALSE;
  crm_store_queue_changed (self->store, table, id);
  return TRUE;
}

/* No longer visible to this user: the row leaves this machine, with the
 * rows under it (a reassigned customer's purchases, deals, …). */
static gboolean
apply_remove (CrmSyncEngine  *self,
              const char     *table,
              const char     *id,
              GError        **error)
{
  static const char * const children[] = {
    "DELETE FROM activities WHERE deal_id IN (SELECT id FROM deals WHERE contact_id = ?1)",
    "DELETE FROM deal_stage_history WHERE deal_id IN (SELECT id FROM deals WHERE contact_id = ?1)",
    "DELETE FROM deal_products WHERE deal_id IN (SELECT id FROM deals WHERE contact_id = ?1)",
    "DELETE FROM survey_answers WHERE response_id IN (SELECT id FROM survey_responses WHERE contact_id = ?1)",
    "DELETE FROM activities WHERE contact_id = ?1",
    "DELETE FROM purchases WHERE contact_id = ?1",
    "DELETE FROM deals WHERE contact_id = ?1",
    "DELETE FROM campaign_members WHERE contact_id = ?1",
    "DELETE FROM survey_responses WHERE contact_id = ?1",
    "UPDATE contacts SET organization_id = NULL WHERE organization_id = ?1",
  };
  g_autofree char *sql = g_strdup_printf ("DELETE FROM %s WHERE id = ?", table);
  g_autoptr(CrmCachedStmt) stmt = NULL;

  if (g_str_equal (table, "contacts") && !resume_search (self, error))
    return FALSE;
  /* A deal no longer visible takes what hangs under it, or the deferred
   * foreign keys fail the whole page at commit. */
  if (g_str_equal (table, "deals") && !forget_deal_rows (self, id, TRUE, error))
    return FALSE;
  if (g_str_equal (table, "contacts"))
    for (guint i = 0; i < G_N_ELEMENTS (children); i++)
      {
        g_autoptr(CrmCachedStmt) child = crm_store_prepare (self->store, children[i], error);

        if (child == NULL)
          return FALSE;
        crm_stmt_bind_text (child, 1, id);
        if (!crm_store_step_done (self->store, child, error))
          return FALSE;
      }

  stmt = crm_store_prepare (self->store, sql, error);
  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, id);
  if (!crm_store_step_done (self->store, stmt, error))
    return FALSE;
  crm_store_queue_changed (self->store, table, id);
  return TRUE;
}

/* Conflicts another client's push caused with this replica's values. */
static gboolean
apply_conflicts (CrmSyncEngine  *self,
                 JsonArray      *conflicts,
                 CrmSyncStats   *stats,
                 GError        **error)
{
  gint64 ack = 0;

  for (guint i = 0; conflicts != NULL && i < json_array_get_length (conflicts); i++)
    {
      JsonNode *node = json_array_get_element (conflicts, i);
      JsonObject *c;
      const char *table, *row_id, *field, *winner, *local_hlc, *remote_hlc, *remote_by;
      gint64 id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      c = json_node_get_object (node);
      if (!crm_sync_get_int (c, "id", FALSE, 1, G_MAXINT64, &id, error) ||
          !crm_sync_get_string (c, "table", FALSE, &table, error) ||
          !crm_sync_get_string (c, "row_id", FALSE, &row_id, error) ||
          !crm_sync_get_string (c, "field", TRUE, &field, error) ||
          !crm_sync_get_string (c, "winner", FALSE, &winner, error) ||
          !crm_sync_get_string (c, "local_hlc", TRUE, &local_hlc, error) ||
          !crm_sync_get_string (c, "remote_hlc", TRUE, &remote_hlc, error) ||
          !crm_sync_get_string (c, "remote_by", TRUE, &remote_by, error))
        return FALSE;
      ack = MAX (ack, id);
      if (!crm_store_table_is_synced (table))
        continue;
      if (!record_conflict (self, table, row_id, field, "field",
                            json_object_get_member (c, "local_value"), local_hlc,
                            json_object_get_member (c, "remote_value"), remote_hlc, remote_by,
                            g_strcmp0 (winner, "local") == 0 ? "local" : "remote", stats, error))
        return FALSE;
    }
  if (ack > 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, ack);

      return crm_store_set_meta (self->store, "sync_conflicts_ack", text, error);
    }
  return TRUE;
}

/* A change of the page, its members checked in the fetch thread
 * (crm_pulled_page_get_change()); only the table is checked here, against
 * this store's schema. */
static gboolean
read_change (CrmSyncEngine    *self,
             CrmPulledPage    *page,
             guint             index,
             CrmPulledChange  *out,
             GError          **error)
{
  if (!crm_pulled_page_get_change (page, index, out, error))
    return FALSE;
  if (table_columns (self, out->table) == NULL || strlen (out->id) != 36)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SCHEMA,
                   _("The server sent a change to “%s”, which this version does not sync. Update the app."),
                   out->table);
      return FALSE;
    }
  return TRUE;
}

static gboolean
apply_change (CrmSyncEngine    *self,
              CrmPulledChange  *change,
              CrmSyncStats     *stats,
              GError          **error)
{
  if (g_str_equal (change->op, "put") && change->row != NULL)
    return apply_put (self, change->table, change->id, change->seq, change->row,
                      change->hlcs, change->authors, stats, error);
  if (g_str_equal (change->op, "delete"))
    return apply_delete (self, change->table, change->id, change->seq, change->authors, stats, error);
  if (g_str_equal (change->op, "remove"))
    return apply_remove (self, change->table, change->id, error);

  g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_SERVER,
               _("The server sent an unknown change “%s”."), change->op);
  return FALSE;
}

/* A put of a row this replica has never had: nothing to merge with. */
static gboolean
is_new_row (CrmSyncEngine      *self,
            CrmSyncInsertBatch *new_rows,
            CrmPulledChange    *change)
{
  g_autofree char *sql = NULL;
  g_autoptr(CrmCachedStmt) stmt = NULL;

  if (!g_str_equal (change->op, "put") || change->row == NULL ||
      crm_sync_insert_batch_contains (new_rows, change->id))
    return FALSE;
  sql = g_strdup_printf ("SELECT 1 FROM %s WHERE id = ?", change->table);
  stmt = crm_store_prepare (self->store, sql, NULL);
  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, change->id);
  return sqlite3_step (stmt) == SQLITE_DONE;
}

/* What apply_put() does for a new row, with the INSERT left to the
 * batch and the rest worked out with the @page (the change at @index). */
static gboolean
add_new_row (CrmSyncEngine       *self,
             CrmSyncInsertBatch  *new_rows,
             CrmPulledPage       *page,
             guint                index,
             CrmPulledChange     *change,
             GError             **error)
{
  GHashTable *columns = table_columns (self, change->table);
  const char *updated_at = crm_pulled_page_get_updated_at (page, index);
  g_auto(CrmSyncReadings) readings = { NULL, NULL, NULL };
  gint64 rid = 0;

  if (!check_row (change->table, columns, change->row, change->hlcs, NULL, error))
    return FALSE;
  crm_pulled_page_take_readings (page, index, &readings);
  if (g_str_equal (change->table, "contacts"))
    {
      if (!pause_search (self, TRUE, error))
        return FALSE;
      if (self->search_ahead && index < self->n_page_rids)
        rid = self->page_rids[index] = self->next_rid++;
    }
  return crm_sync_insert_batch_add (new_rows, change->table, columns, rid, change->id, change->seq,
                                    updated_at, change->row, &readings,
                                    crm_pulled_page_steal_texts (page, index), error);
}

static gboolean
apply_page_steps (CrmSyncEngine  *self,
                  CrmPulledPage  *page,
                  JsonArray      *changes,
                  gint64          cursor,
                  JsonArray      *conflicts,
                  CrmSyncStats   *stats,
                  GError        **error)
{
  g_autofree char *cursor_text = g_strdup_printf ("%" G_GINT64_FORMAT, cursor);
  g_autoptr(CrmSyncInsertBatch) new_rows = crm_sync_insert_batch_new (self->store);
  const char *newest;

  if (!apply_conflicts (self, conflicts, stats, error) ||
      !crm_store_set_applying_remote (self->store, TRUE, error))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      CrmPulledChange change;

      if (!read_change (self, page, i, &change, error))
        return FALSE;
      if (is_new_row (self, new_rows, &change))
        {
          if (!add_new_row (self, new_rows, page, i, &change, error))
            return FALSE;
        }
      /* Changes apply in the page's order: the new rows before this one
       * are stored first. */
      else if (!crm_sync_insert_batch_flush (new_rows, error) ||
               !apply_change (self, &change, stats, error))
        return FALSE;
      stats->pulled++;
    }

  /* This replica's clock moves past the page's newest; parsed in the
   * fetch thread, it cannot be refused. */
  newest = crm_pulled_page_get_newest_clock (page);
  if (newest != NULL)
    crm_store_receive_hlc (self->store, newest, NULL);

  /* The cursor moves with the rows it covers: an interrupted pull resumes
   * after the last page that was stored, never skipping one. */
  return crm_sync_insert_batch_flush (new_rows, error) &&
         resume_search (self, error) &&
         crm_store_set_meta (self->store, "sync_cursor", cursor_text, error) &&
         crm_store_set_applying_remote (self->store, FALSE, error);
}

/* Ends a pull's open transaction without what still refers to nothing:
 * rows whose parents are outside this user's view. */
static gboolean
commit_without_dangling (CrmSyncEngine  *self,
                         GError        **error)
{
  if (!crm_store_set_applying_remote (self->store, TRUE, error) ||
      crm_store_delete_dangling (self->store, error) < 0 ||
      !crm_store_set_applying_remote (self->store, FALSE, error))
    {
      crm_store_rollback (self->store);
      return FALSE;
    }
  return crm_store_commit (self->store, error);
}

/* A page is applied in a transaction of its own, unless rows of it refer
 * to rows still to come: a row's seq is that of its last write, so a
 * customer edited after its purchases were pulled comes pages after them.
 * The transaction then goes on with the next page, and the last page ends
 * it. */
static gboolean
apply_page (CrmSyncEngine  *self,
            CrmPulledPage  *page,
            JsonArray      *changes,
            gint64          cursor,
            JsonArray      *conflicts,
            gboolean        last,
            CrmSyncStats   *stats,
            GError        **error)
{
  gboolean ok, dangling;

  if (!self->page_open && !crm_store_begin (self->store, error))
    return FALSE;
  self->page_open = FALSE;
  self->page_stats = stats;
  self->page_search = crm_pulled_page_steal_search_rows (page, &self->page_search_by_sql);
  self->n_page_rids = json_array_get_length (changes);
  self->page_rids = g_new0 (gint64, self->n_page_rids);
  ok = apply_page_steps (self, page, changes, cursor, conflicts, stats, error);
  self->page_stats = NULL;
  g_clear_pointer (&self->page_search, crm_contact_search_rows_free);
  g_clear_pointer (&self->page_search_by_sql, g_array_unref);
  g_clear_pointer (&self->page_rids, g_free);
  self->n_page_rids = 0;
  /* A rollback takes the pause back with the rows. */
  self->search_paused = FALSE;
  self->search_ahead = FALSE;
  self->search_from = 0;
  if (!ok)
    {
      crm_store_rollback (self->store);
      return FALSE;
    }
  if (!crm_store_commit_or_keep_dangling (self->store, &dangling, error))
    return FALSE;
  if (!dangling)
    return TRUE;
  if (!last)
    {
      self->page_open = TRUE;
      return TRUE;
    }
  return commit_without_dangling (self, error);
}

/**
 * crm_sync_engine_abandon_pull:
 *
 * Rolls back what pulled pages left open (their rows referred to rows of
 * pages that did not come), so the next pull starts again from the last
 * committed cursor.
 */
void
crm_sync_engine_abandon_pull (CrmSyncEngine *self)
{
  g_return_if_fail (CRM_IS_SYNC_ENGINE (self));

  if (!self->page_open)
    return;
  self->page_open = FALSE;
  crm_store_rollback (self->store);
}

static gboolean
apply_pulled_page (CrmSyncEngine  *self,
                   CrmPulledPage  *pulled,
                   CrmSyncStats   *stats,
                   gint64         *out_cursor,
                   guint          *out_n_changes,
                   gboolean       *out_more,
                   GError        **error)
{
  JsonObject *page = crm_pulled_page_get_body (pulled);
  JsonArray *changes, *conflicts = NULL;
  gint64 next;

  if (!crm_sync_get_array (page, "changes", FALSE, &changes, error) ||
      !crm_sync_get_int (page, "cursor", FALSE, 0, G_MAXINT64, &next, error) ||
      !crm_sync_get_array (page, "conflicts", TRUE, &conflicts, error))
    {
      crm_sync_engine_abandon_pull (self);
      return FALSE;
    }
  if (!apply_page (self, pulled, changes, next, conflicts,
                   !json_object_get_boolean_member_with_default (page, "more", FALSE) ||
                   json_array_get_length (changes) == 0,
                   stats, error))
    return FALSE;
  if (out_cursor != NULL)
    *out_cursor = next;
  if (out_n_changes != NULL)
    *out_n_changes = json_array_get_length (changes);
  if (out_more != NULL)
    *out_more = json_object_get_boolean_member_with_default (page, "more", FALSE);
  return TRUE;
}

gboolean
crm_sync_engine_apply_pull_page (CrmSyncEngine  *self,
                                 JsonObject     *page,
                                 CrmSyncStats   *stats,
                                 gint64         *out_cursor,
                                 guint          *out_n_changes,
                                 gboolean       *out_more,
                                 GError        **error)
{
  g_autoptr(CrmPulledPage) pulled = NULL;

  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), FALSE);

  pulled = crm_pulled_page_new (page);
  return apply_pulled_page (self, pulled, stats, out_cursor, out_n_changes, out_more, error);
}

/* Pulled contacts are indexed page by page (resume_search()). Versions
 * before that switched the index off for a large pull and rebuilt it at
 * the end, with this meta key set meanwhile: a pull that one left
 * unfinished is completed here. */
#define BULK_PULL_KEY "sync_bulk_pull"

static gboolean
end_bulk_pull (CrmSyncEngine  *self,
               CrmSyncStats   *stats,
               GError        **error)
{
  g_autofree char *bulk = crm_store_get_meta (self->store, BULK_PULL_KEY);

  if (bulk == NULL)
    return TRUE;
  gint64 start = g_get_monotonic_time ();

  if (crm_contact_search_get_deferred (self->store) &&
      !crm_contact_search_rebuild (self->store, error))
    return FALSE;
  if (stats != NULL)
    stats->index_usec += g_get_monotonic_time () - start;
  return crm_store_set_meta (self->store, BULK_PULL_KEY, NULL, error);
}

static char *
pull_path_acked (CrmSyncEngine *self,
                 gint64         cursor,
                 const char    *ack_text)
{
  return g_strdup_printf ("/v1/pull?cursor=%" G_GINT64_FORMAT "&limit=%u&schema_version=%d&conflicts_ack=%s",
                          cursor, self->page_size, CRM_SYNC_PROTOCOL_VERSION, ack_text ? ack_text : "0");
}

static char *
pull_path (CrmSyncEngine *self,
           gint64         cursor)
{
  g_autofree char *ack_text = crm_store_get_meta (self->store, "sync_conflicts_ack");

  return pull_path_acked (self, cursor, ack_text);
}

/* While one page is written, the next ones are fetched and prepared
 * (CrmPullPipeline). Only the sending may run in another thread (libsoup
 * ≥ 3.2); the token is not changed while the pipeline runs. The pages it
 * fetches carry no conflicts, so the acknowledgement in their address
 * stays the one read when it started. */
typedef struct
{
  CrmSyncEngine *self;
  char *ack_text;
} Ahead;

static gboolean
ahead_fetch (const char    *path,
             GCancellable  *cancellable,
             JsonObject   **out_body,
             GError       **error,
             gpointer       data)
{
  Ahead *ahead = data;

  return request (ahead->self, "GET", path, NULL, cancellable, out_body, error);
}

static char *
ahead_path (gint64   cursor,
            gpointer data)
{
  Ahead *ahead = data;

  return pull_path_acked (ahead->self, cursor, ahead->ack_text);
}

static gboolean
pull_pages (CrmSyncEngine  *self,
            GCancellable   *cancellable,
            CrmSyncStats   *stats,
            GError        **error)
{
  Ahead ahead = { self, NULL };
  CrmPullPipeline *pipeline = NULL;
  gboolean resynced = FALSE;
  gboolean ok = FALSE;
  guint pages = 0;

  for (;;)
    {
      g_autofree char *cursor_text = crm_store_get_meta (self->store, "sync_cursor");
      gint64 cursor = cursor_text ? g_ascii_strtoll (cursor_text, NULL, 10) : 0;
      g_autofree char *path = pull_path (self, cursor);
      g_autoptr(CrmPulledPage) page = NULL;
      g_autoptr(JsonObject) fetched = NULL;
      g_autoptr(GError) local_error = NULL;
      JsonObject *body;
      guint n_changes;
      gint64 next;
      gboolean more;
      gint64 waited = g_get_monotonic_time ();

      if (pipeline != NULL && (page = crm_pull_pipeline_take (pipeline, path)) == NULL)
        g_clear_pointer (&pipeline, crm_pull_pipeline_free);
      if (page == NULL &&
          !authed_request (self, "GET", path, NULL, cancellable, &fetched, &local_error))
        {
          /* What open pages applied goes; their cursor was not committed. */
          crm_sync_engine_abandon_pull (self);
          if (g_error_matches (local_error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_RESYNC) && !resynced)
            {
              /* Unpushed local changes stay in the outbox; only the view
               * of the server is rebuilt. */
              resynced = TRUE;
              if (!crm_store_begin (self->store, error) ||
                  !crm_store_set_meta (self->store, "sync_cursor", "0", error) ||
                  !crm_store_commit (self->store, error))
                goto out;
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto out;
        }

      if (page == NULL)
        page = crm_pulled_page_new (fetched);
      stats->wait_usec += g_get_monotonic_time () - waited;
      body = crm_pulled_page_get_body (page);

      if (pipeline == NULL && crm_pull_pipeline_next_cursor (body, cursor, &next) &&
          (self->max_pages == 0 || pages + 1 < self->max_pages))
        {
          g_free (ahead.ack_text);
          ahead.ack_text = crm_store_get_meta (self->store, "sync_conflicts_ack");
          pipeline = crm_pull_pipeline_start (next, self->max_pages > 0 ? self->max_pages - pages - 1 : 0,
                                              cancellable, ahead_fetch, ahead_path, &ahead);
        }

      if (!apply_pulled_page (self, page, stats, &next, &n_changes, &more, error))
        goto out;
      pages++;
      {
        gint64 latest = json_object_get_int_member_with_default (body, "latest", next);
        guint left = more ? (guint) CLAMP (latest - next, 0, G_MAXINT32) : 0;

        report_progress (self, stats->pushed + stats->pulled,
                         self->progress_push_total + stats->pulled + left);
      }
      if (pipeline != NULL)
        crm_pull_pipeline_recycle (pipeline, g_steal_pointer (&page));
      if (!more || n_changes == 0)
        {
          ok = TRUE;
          goto out;
        }
      if (self->max_pages > 0 && pages >= self->max_pages)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The sync stopped before it finished; the next one continues from here."));
          goto out;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
    }

out:
  crm_pull_pipeline_free (pipeline);
  g_free (ahead.ack_text);
  if (!ok)
    crm_sync_engine_abandon_pull (self);
  return ok;
}

/* A first pull into a store without contacts: the contacts' lists,
 * reports and segments have a dozen indexes, which cost a third of such
 * a pull kept up row by row, and a tenth of it built at the end. */
static gboolean
is_first_pull (CrmSyncEngine *self)
{
  g_autofree char *cursor = crm_store_get_meta (self->store, "sync_cursor");
  g_autoptr(CrmCachedStmt) stmt = NULL;

  if (cursor != NULL && g_strcmp0 (cursor, "0") != 0)
    return FALSE;
  stmt = crm_store_prepare (self->store, "SELECT NOT EXISTS (SELECT 1 FROM contacts)", NULL);
  return stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) == 1;
}

static gboolean
pull (CrmSyncEngine  *self,
      GCancellable   *cancellable,
      CrmSyncStats   *stats,
      GError        **error)
{
  g_autoptr(CrmStoreBulk) bulk = crm_store_bulk_begin (self->store, 0, CRM_STORE_BULK_NONE);
  gboolean ok;

  /* Only contacts: no write of a pull reads their secondary indexes
   * (purchases, say, read theirs to update a contact's lifecycle). Not
   * deferring them only makes the pull slower. */
  if (is_first_pull (self))
    {
      g_autoptr(GError) defer_error = NULL;

      if (!crm_store_bulk_defer_indexes (bulk, "contacts", &defer_error))
        g_debug ("Pull: keeping the contacts' indexes up to date: %s", defer_error->message);
    }
  ok = pull_pages (self, cancellable, stats, error);

  /* After a failure the index is still built; its own error then waits. */
  if (!end_bulk_pull (self, stats, ok ? error : NULL))
    ok = FALSE;
  return ok;
}

static guint
count_outbox (CrmSyncEngine *self)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (self->store, "SELECT count(*) FROM outbox", NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

gboolean
crm_sync_engine_run (CrmSyncEngine  *self,
                     GCancellable   *cancellable,
                     CrmSyncStats   *out_stats,
                     GError        **error)
{
  CrmSyncStats stats = { 0 };
  gboolean ok;

  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), FALSE);

  g_ptr_array_set_size (self->rejections, 0);
  self->progress_push_total = count_outbox (self);
  report_progress (self, 0, self->progress_push_total);
  ok = (self->token != NULL || login (self, cancellable, error)) &&
       push (self, cancellable, &stats, error) &&
       (self->pull_disabled || pull (self, cancellable, &stats, error));
  if (ok)
    {
      g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);

      /* Shown as "last synced" after a restart; a lost write costs nothing. */
      crm_store_set_meta (self->store, "sync_last_synced", now, NULL);
    }
  if (out_stats != NULL)
    *out_stats = stats;
  return ok;
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CrmSyncStats *stats = g_new0 (CrmSyncStats, 1);
  GError *error = NULL;

  if (crm_sync_engine_run (source_object, cancellable, stats, &error))
    g_task_return_pointer (task, stats, g_free);
  else
    {
      g_free (stats);
      g_task_return_error (task, error);
    }
}

void
crm_sync_engine_run_async (CrmSyncEngine       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, crm_sync_engine_run_async);
  g_task_run_in_thread (task, run_in_thread);
}

gboolean
crm_sync_engine_run_finish (CrmSyncEngine  *self,
                            GAsyncResult   *result,
                            CrmSyncStats   *out_stats,
                            GError        **error)
{
  g_autofree CrmSyncStats *stats = g_task_propagate_pointer (G_TASK (result), error);

  if (stats == NULL)
    return FALSE;
  if (out_stats != NULL)
    *out_stats = *stats;
  return TRUE;
}

/* --- conflicts ------------------------------------------------------------- */

guint
crm_sync_count_conflicts (CrmStore *store)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, "SELECT count(*) FROM conflicts WHERE resolved = 0", NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return (guint) sqlite3_column_int (stmt, 0);
}

void
crm_sync_conflict_free (CrmSyncConflict *conflict)
{
  if (conflict == NULL)
    return;
  g_free (conflict->table);
  g_free (conflict->row_id);
  g_free (conflict->row_label);
  g_free (conflict->field);
  g_free (conflict->local_value);
  g_free (conflict->remote_value);
  g_free (conflict->local_hlc);
  g_free (conflict->remote_hlc);
  g_free (conflict->remote_by);
  g_free (conflict);
}

/* What names a row of @table for a person. */
char *
crm_sync_row_label (CrmStore   *store,
                    const char *table,
                    const char *row_id)
{
  static const struct { const char *table; const char *sql; } labels[] = {
    { "contacts", "SELECT name FROM contacts WHERE id = ?" },
    { "deals", "SELECT title FROM deals WHERE id = ?" },
    { "activities", "SELECT subject FROM activities WHERE id = ?" },
    { "purchases", "SELECT product FROM purchases WHERE id = ?" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].table, table))
      {
        g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, labels[i].sql, NULL);

        if (stmt == NULL)
          return NULL;
        crm_stmt_bind_text (stmt, 1, row_id);
        if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
          return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
        return NULL;
      }
  return NULL;
}

GPtrArray *
crm_sync_list_conflicts (CrmStore  *store,
                         GError   **error)
{
  static const char sql[] =
    "SELECT id, table_name, row_id, field, kind, local_value, remote_value, local_hlc, remote_hlc, winner,\n"
    "  remote_by\n"
    "FROM conflicts WHERE resolved = 0 ORDER BY id";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_sync_conflict_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CrmSyncConflict *c = g_new0 (CrmSyncConflict, 1);

#define DUP(i) (sqlite3_column_type (stmt, i) == SQLITE_NULL ? NULL : g_strdup ((const char *) sqlite3_column_text (stmt, i)))
      c->id = sqlite3_column_int64 (stmt, 0);
      c->table = DUP (1);
      c->row_id = DUP (2);
      c->field = DUP (3);
      c->delete_edit = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), "delete_edit") == 0;
      c->local_value = DUP (5);
      c->remote_value = DUP (6);
      c->local_hlc = DUP (7);
      c->remote_hlc = DUP (8);
      c->local_won = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 9), "local") == 0;
      c->remote_by = DUP (10);
#undef DUP
      g_ptr_array_add (list, c);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  for (guint i = 0; i < list->len; i++)
    {
      CrmSyncConflict *c = g_ptr_array_index (list, i);

      c->row_label = crm_sync_row_label (store, c->table, c->row_id);
    }
  return g_steal_pointer (&list);
}

char *
crm_sync_conflict_display_value (const char *json)
{
  g_autoptr(JsonNode) node = NULL;

  if (json == NULL)
    return g_strdup ("∅");
  node = json_from_string (json, NULL);
  if (node == NULL)
    return g_strdup (json);
  if (JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("∅");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      /* Tags, emails: "a, b" rather than ["a","b"]. */
      JsonArray *array = json_node_get_array (node);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          g_autofree char *part = NULL;

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            part = g_strdup (json_node_get_string (element));
          else
            part = crm_json_to_string (element);
          if (i > 0)
            g_string_append (text, ", ");
          g_string_append (text, part);
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      /* An edit kept from a deleted row: "field: value", one a line, in
       * the order the edit has them. */
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) fields = json_object_get_members (object);
      g_autoptr(GString) text = g_string_new (NULL);

      for (GList *l = fields; l != NULL; l = l->next)
        {
          const char *field = l->data;
          JsonNode *member = json_object_get_member (object, field);
          g_autofree char *member_json = crm_json_to_string (member);
          g_autofree char *value = crm_sync_conflict_display_value (member_json);

          g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "\n" : "", field, value);
        }
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  return g_strdup (json);
}

char *
crm_sync_hlc_client_id (const char *hlc)
{
  const char *dash;

  /* TIME-COUNTER-CLIENT: the client id is the rest after the second dash
   * that follows the time ("…Z-0000-0190…"). */
  if (hlc == NULL || (dash = strstr (hlc, "Z-")) == NULL || (dash = strchr (dash + 2, '-')) == NULL)
    return NULL;
  return g_strdup (dash + 1);
}

char *
crm_sync_client_label (const char *client_id)
{
  gsize length = client_id ? strlen (client_id) : 0;

  /* A client id is a UUIDv7: its head is the time it was made, the same
   * for computers set up the same minute; its tail is random. */
  if (length < 8)
    return g_strdup (client_id);
  return g_strdup (client_id + length - 8);
}

char *
crm_sync_hlc_device_label (const char *hlc)
{
  g_autofree char *client = crm_sync_hlc_client_id (hlc);

  return crm_sync_client_label (client);
}

/* Writes @fields (JSON object) to a row as a local edit, so it syncs. */
static gboolean
write_fields (CrmStore    *store,
              const char  *table,
              const char  *id,
              JsonObject  *fields,
              gboolean     undelete,
              GError     **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(GHashTable) json_columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *hlc = crm_store_next_hlc (store);
  JsonObjectIter iter;
  const char *field;
  JsonNode *value;

  {
    g_autoptr(CrmCachedStmt) cols = crm_store_prepare (store, "SELECT name, type FROM pragma_table_info (?)", error);

    if (cols == NULL)
      return FALSE;
    crm_stmt_bind_text (cols, 1, table);
    while (sqlite3_step (cols) == SQLITE_ROW)
      {
        const char *name = (const char *) sqlite3_column_text (cols, 0);

        if (crm_sync_column_is_synced (table, name) && !g_str_equal (name, "deleted"))
          g_hash_table_insert (json_columns, g_strdup (name),
                               GINT_TO_POINTER (g_strcmp0 ((const char *) sqlite3_column_text (cols, 1), "JSON_TEXT") == 0));
      }
  }

  g_string_append_printf (sql, "UPDATE %s SET updated_at = ?1", table);
  if (undelete)
    g_string_append (sql, ", deleted = 0");
  json_object_iter_init (&iter, fields);
  while (json_object_iter_next (&iter, &field, &value))
    {
      if (!g_hash_table_contains (json_columns, field))
        continue;
      g_ptr_array_add (names, (gpointer) field);
      g_string_append_printf (sql, ", %s = ?%u", field, names->len + 2);
    }
  g_string_append (sql, " WHERE id = ?2");

  stmt = crm_store_prepare (store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, hlc);
  crm_stmt_bind_text (stmt, 2, id);
  for (guint i = 0; i < names->len; i++)
    crm_stmt_bind_json (stmt, (int) i + 3, json_object_get_member (fields, g_ptr_array_index (names, i)),
               GPOINTER_TO_INT (g_hash_table_lookup (json_columns, g_ptr_array_index (names, i))));
  if (!crm_store_step_done (store, stmt, error))
    return FALSE;
  crm_store_queue_changed (store, table, id);
  return TRUE;
}

static gboolean
queue_mutation (CrmStore    *store,
                const char  *table,
                const char  *row_id,
                JsonObject  *fields,
                GError     **error)
{
  static const char bump_sql[] = "UPDATE local_state SET last_mutation_id = last_mutation_id + 1";
  static const char insert_sql[] =
    "INSERT INTO outbox (mutation_id, table_name, row_id, op, patch, hlc, created_at)\n"
    "VALUES ((SELECT last_mutation_id FROM local_state), ?, ?, 'update', ?, ?, strftime ('%Y-%m-%dT%H:%M:%fZ', 'now'))";
  g_autoptr(JsonObject) patch = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *hlc = crm_store_next_hlc (store);
  JsonObjectIter iter;
  const char *field;
  JsonNode *value;

  json_object_iter_init (&iter, fields);
  while (json_object_iter_next (&iter, &field, &value))
    json_object_set_member (patch, field, json_node_copy (value));
  json_object_set_int_member (patch, "deleted", 0);
  node = json_node_init_object (json_node_alloc (), patch);
  text = crm_json_to_string (node);

  if (!crm_store_exec (store, bump_sql, error))
    return FALSE;
  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, insert_sql, error);

    if (stmt == NULL)
      return FALSE;
    crm_stmt_bind_text (stmt, 1, table);
    crm_stmt_bind_text (stmt, 2, row_id);
    crm_stmt_bind_text (stmt, 3, text);
    crm_stmt_bind_text (stmt, 4, hlc);
    return crm_store_step_done (store, stmt, error);
  }
}

gboolean
crm_sync_resolve_conflict (CrmStore  *store,
                           gint64     id,
                           gboolean   keep_mine,
                           GError   **error)
{
  static const char sql[] =
    "SELECT table_name, row_id, field, kind, local_value, remote_value, winner FROM conflicts WHERE id = ? AND resolved = 0";
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);
  g_autofree char *table = NULL, *row_id = NULL, *field = NULL, *kind = NULL;
  g_autofree char *local_value = NULL, *remote_value = NULL, *winner = NULL;
  gboolean ok = TRUE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_FAILED,
                   _("There is no open conflict %" PRId64 ". Run “crmctl conflicts list”."), (int64_t) id);
      return FALSE;
    }
#define DUP(i) (sqlite3_column_type (stmt, i) == SQLITE_NULL ? NULL : g_strdup ((const char *) sqlite3_column_text (stmt, i)))
  table = DUP (0);
  row_id = DUP (1);
  field = DUP (2);
  kind = DUP (3);
  local_value = DUP (4);
  remote_value = DUP (5);
  winner = DUP (6);
#undef DUP
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  if (!crm_store_table_is_synced (table))
    {
      g_set_error (error, CRM_SYNC_ERROR, CRM_SYNC_ERROR_FAILED,
                   _("Conflict %" PRId64 " is about an unknown table."), (int64_t) id);
      return FALSE;
    }

  if (!crm_store_begin (store, error))
    return FALSE;

  if (g_strcmp0 (kind, "delete_edit") == 0)
    {
      if (keep_mine && local_value != NULL)
        {
          g_autoptr(JsonNode) node = json_from_string (local_value, NULL);

          /* The edit's values may already be in the local row (only the
           * delete came from the server), so the triggers would see no
           * change to send: write the row quietly and queue the whole
           * edit as one mutation. */
          ok = node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
               crm_store_set_applying_remote (store, TRUE, error) &&
               write_fields (store, table, row_id, json_node_get_object (node), TRUE, error) &&
               crm_store_set_applying_remote (store, FALSE, error) &&
               queue_mutation (store, table, row_id, json_node_get_object (node), error);
        }
    }
  else if (field != NULL &&
           ((keep_mine && g_strcmp0 (winner, "remote") == 0) || (!keep_mine && g_strcmp0 (winner, "local") == 0)))
    {
      g_autoptr(JsonObject) fields = json_object_new ();
      const char *text = keep_mine ? local_value : remote_value;
      JsonNode *node = text ? json_from_string (text, NULL) : NULL;

      json_object_set_member (fields, field, node ? node : json_node_new (JSON_NODE_NULL));
      ok = write_fields (store, table, row_id, fields, FALSE, error);
    }

  if (ok)
    {
      stmt = crm_store_prepare (store, "UPDATE conflicts SET resolved = 1 WHERE id = ?", error);
      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, id);
          ok = crm_store_step_done (store, stmt, error);
        }
      g_clear_pointer (&stmt, crm_cached_stmt_release);
    }
  if (!ok)
    {
      crm_store_rollback (store);
      return FALSE;
    }
  crm_store_queue_changed (store, "conflicts", row_id);
  return crm_store_commit (store, error);
}
