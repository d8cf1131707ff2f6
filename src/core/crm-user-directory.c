/* crm-user-directory.c: the people contacts and tasks can be assigned to */

#include "config.h"

#include "crm-store-private.h"
#include "crm-user-directory.h"

static const char list_sql[] =
  "SELECT id, coalesce (nullif (display_name, ''), username) FROM users"
  " WHERE deleted = 0 AND active = 1 ORDER BY 2, id";

static void
crm_user_entry_free (CrmUserEntry *entry)
{
  g_free (entry->id);
  g_free (entry->name);
  g_free (entry);
}

GPtrArray *
crm_user_directory_list (CrmStore  *store,
                         GError   **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) users = NULL;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  stmt = crm_store_prepare (store, list_sql, error);
  if (stmt == NULL)
    return NULL;

  users = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_user_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CrmUserEntry *entry = g_new0 (CrmUserEntry, 1);

      entry->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      entry->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      g_ptr_array_add (users, entry);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&users);
}
