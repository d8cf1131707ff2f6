/* crm-store-private.h: what other core modules (search, import, demo, sync) see of the store */
#pragma once

#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "crm-store.h"
#include "crm-store-error.h"

G_BEGIN_DECLS

/* A statement from the store's cache: reset and unbound when released, so
 * `g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (...)` is all a caller
 * needs. Never finalize one. */
typedef sqlite3_stmt CrmCachedStmt;

void           crm_store_init_sqlite         (void);
sqlite3       *crm_store_get_db              (CrmStore     *self);
CrmCachedStmt *crm_store_prepare             (CrmStore     *self,
                                              const char   *sql,
                                              GError      **error);
void           crm_cached_stmt_release       (CrmCachedStmt *stmt);
gboolean       crm_store_step_done           (CrmStore     *self,
                                              sqlite3_stmt *stmt,
                                              GError      **error);
gboolean       crm_store_exec                (CrmStore     *self,
                                              const char   *sql,
                                              GError      **error);
void           crm_store_take_error          (CrmStore     *self,
                                              int           rc,
                                              GError      **error);
void           crm_store_queue_changed       (CrmStore     *self,
                                              const char   *table,
                                              const char   *id);
/* Local settings of this database (the settings table, not synced):
 * *@out is NULL for a key never set. */
gboolean       crm_store_get_setting         (CrmStore     *self,
                                              const char   *key,
                                              char        **out,
                                              GError      **error);
gboolean       crm_store_set_setting         (CrmStore     *self,
                                              const char   *key,
                                              const char   *value,
                                              GError      **error);
char          *crm_store_get_meta            (CrmStore     *self,
                                              const char   *key);
gboolean       crm_store_set_meta            (CrmStore     *self,
                                              const char   *key,
                                              const char   *value,
                                              GError      **error);

/* Builds the indexes a bulk run deferred and did not build at its end
 * (crm_store_bulk_defer_indexes()); crm_store_open() calls it. */
gboolean       crm_store_build_deferred_indexes (CrmStore  *self,
                                                 GError   **error);

/* For the sync engine: advance this replica's clock past @remote. */
gboolean       crm_store_receive_hlc         (CrmStore     *self,
                                              const char   *remote,
                                              GError      **error);

/* Bind helpers: NULL text binds SQL NULL. */
void           crm_stmt_bind_text            (sqlite3_stmt *stmt,
                                              int           index,
                                              const char   *text);
/* The same without a copy: @text must live until the statement is reset. */
void           crm_stmt_bind_static_text     (sqlite3_stmt *stmt,
                                              int           index,
                                              const char   *text);
/* A JSON value as SQLite stores it: NULL, an integer, a real or text;
 * arrays and objects, and everything for a column of JSON text
 * (@as_json_text), as JSON text. */
void           crm_stmt_bind_json            (sqlite3_stmt *stmt,
                                              int           index,
                                              JsonNode     *node,
                                              gboolean      as_json_text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCachedStmt, crm_cached_stmt_release)

/* crm-store-error.c */
CrmStoreError  crm_store_error_from_sqlite   (int           rc);
void           crm_store_set_error           (GError      **error,
                                              int           rc,
                                              const char   *path,
                                              const char   *detail);

/* crm-store-migrations.c */
guint          crm_store_migrations_latest   (void);
gboolean       crm_store_migrate             (sqlite3      *db,
                                              guint         from_version,
                                              const char   *path,
                                              GError      **error);
gboolean       crm_store_create_sync_triggers (sqlite3     *db,
                                               const char  *table,
                                               GError     **error);
gboolean       crm_store_table_is_synced     (const char   *table);
GStrv          crm_store_sync_inserts_sql    (sqlite3      *db,
                                              const char   *table,
                                              GError      **error);
const char * const *crm_store_get_synced_tables (void);

/* crm-contact-search.c */
gboolean       crm_contact_search_install    (sqlite3      *db,
                                              GError      **error);
gboolean       crm_contact_search_install_fields (sqlite3  *db,
                                                  GError  **error);

/* crm-lifecycle.c: keeps a contact's derived fields up to date after its
 * purchases changed; called by the store inside the write transaction. */
gboolean       crm_lifecycle_update_contact  (CrmStore     *store,
                                              const char   *contact_id,
                                              GError      **error);

G_END_DECLS
