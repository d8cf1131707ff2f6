/* crm-contact-lookup.c: finding a live contact by email, phone, external id or organization name */

#include "config.h"

#include "crm-contact-lookup.h"
#include "crm-store-private.h"

/* contact_identities (migration 2) is kept by triggers, so these are
 * index lookups however many contacts there are. */
static char *
lookup (CrmStore    *store,
        const char  *sql,
        const char  *value,
        GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  int rc;

  if (value == NULL || *value == '\0')
    return NULL;
  stmt = crm_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, value, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    crm_store_take_error (store, rc, error);
  return NULL;
}

char *
crm_contact_lookup_by_email (CrmStore    *store,
                             const char  *email,
                             GError     **error)
{
  static const char sql[] =
    "SELECT c.id FROM contact_identities i JOIN contacts c ON c.rid = i.rid"
    " WHERE i.kind = 'email' AND i.value = lower (?) AND c.deleted = 0 ORDER BY c.rid LIMIT 1";

  return lookup (store, sql, email, error);
}

char *
crm_contact_lookup_by_phone (CrmStore    *store,
                             const char  *e164,
                             GError     **error)
{
  static const char sql[] =
    "SELECT c.id FROM contact_identities i JOIN contacts c ON c.rid = i.rid"
    " WHERE i.kind = 'phone' AND i.value = ? AND c.deleted = 0 ORDER BY c.rid LIMIT 1";

  return lookup (store, sql, e164, error);
}

char *
crm_contact_lookup_by_external_id (CrmStore    *store,
                                   const char  *external_id,
                                   GError     **error)
{
  static const char sql[] =
    "SELECT id FROM contacts WHERE external_id = ? AND deleted = 0 ORDER BY rid LIMIT 1";

  return lookup (store, sql, external_id, error);
}

char *
crm_contact_lookup_organization (CrmStore    *store,
                                 const char  *name,
                                 GError     **error)
{
  static const char sql[] =
    "SELECT id FROM contacts WHERE kind = 'organization' AND name = ? AND deleted = 0 ORDER BY rid LIMIT 1";

  return lookup (store, sql, name, error);
}
