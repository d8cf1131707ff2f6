/* crm-store.h: the local SQLite database: open, migrate, read and write records, back up */
#pragma once

#include <glib-object.h>

#include "crm-record.h"
#include "crm-store-error.h"

G_BEGIN_DECLS

#define CRM_TYPE_STORE (crm_store_get_type ())
G_DECLARE_FINAL_TYPE (CrmStore, crm_store, CRM, STORE, GObject)

typedef enum
{
  CRM_STORE_OPEN_FLAGS_NONE = 0,
  /* Open without ever writing: no migration, writes fail with READ_ONLY. */
  CRM_STORE_OPEN_READ_ONLY = 1 << 0,
} CrmStoreOpenFlags;

/* $XDG_DATA_HOME/crm/crm.db */
char         *crm_store_default_path          (void);

/* Opening never modifies a file it refuses: it is first checked read-only
 * (NOT_A_DATABASE, CORRUPT, TOO_NEW), and only then opened for writing
 * and migrated. A new file is created 0600 in a 0700 directory. */
CrmStore     *crm_store_open                  (const char         *path,
                                               GError            **error);
CrmStore     *crm_store_open_full             (const char         *path,
                                               CrmStoreOpenFlags   flags,
                                               GError            **error);

const char   *crm_store_get_path              (CrmStore           *self);
const char   *crm_store_get_client_id         (CrmStore           *self);
guint         crm_store_get_schema_version    (CrmStore           *self);
guint         crm_store_get_latest_schema_version (void);
gboolean      crm_store_is_read_only          (CrmStore           *self);

/* The next hybrid logical clock value of this replica (crm-hlc.h). */
char         *crm_store_next_hlc              (CrmStore           *self);

/* Who is signed in: recorded in the audit log with each change. */
gboolean      crm_store_set_user              (CrmStore           *self,
                                               const char         *user_id,
                                               GError            **error);

/* Transactions nest (inner levels are savepoints). Every write of the
 * store API runs in one, so a failure leaves nothing half-written, and
 * `changed` is emitted only after the outermost commit. */
gboolean      crm_store_begin                 (CrmStore           *self,
                                               GError            **error);
gboolean      crm_store_commit                (CrmStore           *self,
                                               GError            **error);
void          crm_store_rollback              (CrmStore           *self);
gboolean      crm_store_commit_or_keep_dangling (CrmStore         *self,
                                                 gboolean         *dangling,
                                                 GError          **error);
gint64        crm_store_delete_dangling       (CrmStore           *self,
                                               GError            **error);
gboolean      crm_store_in_transaction        (CrmStore           *self);

/* For the sync engine: inside its transaction, set before applying remote
 * rows (so they are not echoed to the outbox and audit log), and reset
 * before committing. */
gboolean      crm_store_set_applying_remote   (CrmStore           *self,
                                               gboolean            applying,
                                               GError            **error);

/* Another connection to the same file (the sync thread's) changed @table
 * (NULL: anything): catches this store's clock up with what that one saved
 * and emits `changed`, after the current transaction if one is open. */
void          crm_store_emit_changed          (CrmStore           *self,
                                               const char         *table);

/* Records. insert assigns id, created_at and updated_at; update writes only
 * the fields changed since the record was loaded; delete is a tombstone
 * (deleted = 1) that undelete reverses. */
gboolean      crm_store_insert                (CrmStore           *self,
                                               CrmRecord          *record,
                                               GError            **error);
gboolean      crm_store_update                (CrmStore           *self,
                                               CrmRecord          *record,
                                               GError            **error);
gboolean      crm_store_delete                (CrmStore           *self,
                                               GType               type,
                                               const char         *id,
                                               GError            **error);
gboolean      crm_store_undelete              (CrmStore           *self,
                                               GType               type,
                                               const char         *id,
                                               GError            **error);
/* Returns a new record of @type (also a deleted one; check
 * crm_record_get_deleted()), or NULL with NOT_FOUND. */
gpointer      crm_store_get                   (CrmStore           *self,
                                               GType               type,
                                               const char         *id,
                                               GError            **error);

/* The organisation's name as reports print it in their header; NULL when
 * not set. Setting an empty or NULL name clears it. At most 200 characters. */
char         *crm_store_dup_company_name      (CrmStore           *self);
gboolean      crm_store_set_company_name      (CrmStore           *self,
                                               const char         *name,
                                               GError            **error);

/* A consistent copy (SQLite online backup) while the store is in use,
 * written to a temporary file and renamed, mode 0600. */
gboolean      crm_store_backup                (CrmStore           *self,
                                               const char         *dest_path,
                                               GError            **error);
/* Checks @source_path (SQLite, intact, not newer), saves the current
 * database as PATH.bak, then replaces the contents with @source_path.
 * Emits `changed` with a NULL table. */
gboolean      crm_store_restore               (CrmStore           *self,
                                               const char         *source_path,
                                               GError            **error);
/* The same for a database that cannot be opened (corrupt): by path. */
gboolean      crm_store_restore_file          (const char         *path,
                                               const char         *source_path,
                                               GError            **error);
/* integrity_check, foreign_key_check and the search index. Problems go to
 * @out_report (one per line) and make it return FALSE with CORRUPT. */
gboolean      crm_store_check                 (CrmStore           *self,
                                               char              **out_report,
                                               GError            **error);

/* Lifecycle and RFM of every contact, as of @reference_date ("YYYY-MM-DD",
 * NULL for today), the search index if it was deferred, and the month
 * summaries if they were built in another time zone. */
gboolean      crm_store_recompute_derived     (CrmStore           *self,
                                               const char         *reference_date,
                                               GError            **error);

G_END_DECLS
