/* crm-sync-credentials.c: where a sign-in token is kept: the secret service, or a 0600 file when there is none */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>

#include "crm-secret-file.h"
#include "crm-store-private.h"
#include "crm-sync-credentials.h"

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "com.example.Crm.SyncToken", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "client", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

char *
crm_sync_credentials_file_path (const char *server_url,
                                const char *user,
                                const char *client_id)
{
  g_autofree char *key = g_strjoin ("\n", server_url, user, client_id, NULL);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_build_filename (g_get_user_config_dir (), "crm", "tokens", digest, NULL);
}

gboolean
crm_sync_credentials_store (const char  *server_url,
                            const char  *user,
                            const char  *client_id,
                            const char  *token,
                            GError     **error)
{
  g_autofree char *label = g_strdup_printf (_("CRM sync: %s on %s"), user, server_url);
  g_autofree char *path = crm_sync_credentials_file_path (server_url, user, client_id);
  g_autoptr(GError) local_error = NULL;

  if (secret_password_store_sync (token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                                  NULL, &local_error,
                                  "server", server_url, "user", user, "client", client_id,
                                  NULL))
    {
      /* A file from a time without a keyring would be found first. */
      g_unlink (path);
      return TRUE;
    }
  if (!crm_secret_service_absent (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_debug ("No secret service (%s); keeping the token in %s", local_error->message, path);
  return crm_secret_file_store (path, token, error);
}

char *
crm_sync_credentials_lookup (const char  *server_url,
                             const char  *user,
                             const char  *client_id,
                             GError     **error)
{
  g_autofree char *path = crm_sync_credentials_file_path (server_url, user, client_id);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  char *token;

  if (g_file_get_contents (path, &contents, NULL, NULL))
    return g_strstrip (g_steal_pointer (&contents));

  token = secret_password_lookup_sync (token_schema (), NULL, &local_error,
                                       "server", server_url, "user", user, "client", client_id,
                                       NULL);
  if (token != NULL)
    {
      char *copy = g_strdup (token);

      secret_password_free (token);
      return copy;
    }
  if (local_error != NULL && !crm_secret_service_absent (local_error))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

gboolean
crm_sync_credentials_clear (const char  *server_url,
                            const char  *user,
                            const char  *client_id,
                            GError     **error)
{
  g_autofree char *path = crm_sync_credentials_file_path (server_url, user, client_id);
  g_autoptr(GError) local_error = NULL;

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot remove the sign-in token %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  secret_password_clear_sync (token_schema (), NULL, &local_error,
                              "server", server_url, "user", user, "client", client_id,
                              NULL);
  if (local_error != NULL && !crm_secret_service_absent (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* --- the account of a database --------------------------------------------- */

gboolean
crm_sync_account_get (CrmStore  *store,
                      char     **out_server_url,
                      char     **out_user)
{
  g_autofree char *server = crm_store_get_meta (store, "sync_server");
  g_autofree char *user = crm_store_get_meta (store, "sync_user");

  if (server == NULL || user == NULL || *server == '\0' || *user == '\0')
    {
      *out_server_url = NULL;
      *out_user = NULL;
      return FALSE;
    }
  *out_server_url = g_steal_pointer (&server);
  *out_user = g_steal_pointer (&user);
  return TRUE;
}

char *
crm_sync_account_get_role (CrmStore *store)
{
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;

  if (!crm_sync_account_get (store, &server, &user) || crm_sync_account_is_signed_out (store))
    return NULL;
  return crm_store_get_meta (store, "sync_role");
}

gboolean
crm_sync_account_set_role (CrmStore    *store,
                           const char  *role,
                           GError     **error)
{
  return crm_store_set_meta (store, "sync_role", role ? role : "", error);
}

gboolean
crm_sync_account_bind (CrmStore    *store,
                       const char  *server_url,
                       const char  *user,
                       GError     **error)
{
  if (!crm_store_begin (store, error))
    return FALSE;
  if (!crm_store_set_meta (store, "sync_server", server_url, error) ||
      !crm_store_set_meta (store, "sync_user", user, error) ||
      !crm_store_set_meta (store, "sync_signed_out", "0", error) ||
      /* Who the local audit log names for the edits made here. */
      !crm_store_set_meta (store, "user_id", user, error))
    {
      crm_store_rollback (store);
      return FALSE;
    }
  return crm_store_commit (store, error);
}

gboolean
crm_sync_account_is_signed_out (CrmStore *store)
{
  g_autofree char *value = crm_store_get_meta (store, "sync_signed_out");

  return g_strcmp0 (value, "1") == 0;
}

gboolean
crm_sync_account_set_signed_out (CrmStore  *store,
                                 gboolean   signed_out,
                                 GError   **error)
{
  return crm_store_set_meta (store, "sync_signed_out", signed_out ? "1" : "0", error);
}

guint
crm_sync_account_count_unsent (CrmStore *store)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, "SELECT count(*) FROM outbox", NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return (guint) sqlite3_column_int64 (stmt, 0);
}

static gboolean
wipe_steps (CrmStore  *store,
            GError   **error)
{
  /* The local audit log quotes the customer data too. */
  static const char * const local_sync_tables[] = { "outbox", "conflicts", "audit_log" };
  static const char * const meta_keys[] = {
    "sync_cursor", "sync_conflicts_ack", "sync_last_synced", "sync_server", "sync_user", "sync_signed_out", "sync_role", "user_id",
  };
  const char * const *tables = crm_store_get_synced_tables ();
  g_autofree char *pushed = crm_store_get_meta (store, "sync_pushed_through");

  if (!crm_store_set_applying_remote (store, TRUE, error))
    return FALSE;
  /* Children before parents, so foreign keys never object. */
  for (gssize i = (gssize) g_strv_length ((char **) tables) - 1; i >= 0; i--)
    {
      /* The names come from the store's own list, not from outside. */
      g_autofree char *sql = g_strdup_printf ("DELETE FROM %s", tables[i]);

      if (!crm_store_exec (store, sql, error))
        return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (local_sync_tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM %s", local_sync_tables[i]);

      if (!crm_store_exec (store, sql, error))
        return FALSE;
    }
  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store,
                                                       "UPDATE local_state SET last_mutation_id = ?",
                                                       error);

    if (stmt == NULL)
      return FALSE;
    sqlite3_bind_int64 (stmt, 1, pushed ? g_ascii_strtoll (pushed, NULL, 10) : 0);
    if (!crm_store_step_done (store, stmt, error))
      return FALSE;
  }
  for (guint i = 0; i < G_N_ELEMENTS (meta_keys); i++)
    {
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, "DELETE FROM meta WHERE key = ?", error);

      if (stmt == NULL)
        return FALSE;
      crm_stmt_bind_text (stmt, 1, meta_keys[i]);
      if (!crm_store_step_done (store, stmt, error))
        return FALSE;
    }
  return crm_store_set_applying_remote (store, FALSE, error);
}

gboolean
crm_sync_account_wipe (CrmStore  *store,
                       GError   **error)
{
  /* Deleted rows would otherwise stay readable in the file's free pages,
   * and their old pages in the WAL until the next checkpoint. */
  if (!crm_store_exec (store, "PRAGMA secure_delete = ON", error))
    return FALSE;
  if (!crm_store_begin (store, error))
    return FALSE;
  if (!wipe_steps (store, error))
    {
      crm_store_rollback (store);
      crm_store_exec (store, "PRAGMA secure_delete = OFF", NULL);
      return FALSE;
    }
  crm_store_queue_changed (store, NULL, NULL);
  if (!crm_store_commit (store, error))
    {
      crm_store_exec (store, "PRAGMA secure_delete = OFF", NULL);
      return FALSE;
    }
  crm_store_exec (store, "PRAGMA secure_delete = OFF", NULL);
  /* Best effort: a reader of another connection may hold the WAL. */
  crm_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
  return TRUE;
}
