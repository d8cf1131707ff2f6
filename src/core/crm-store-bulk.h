/* crm-store-bulk.h: settings for a long run of write transactions (import, pull, demo data) */
#pragma once

#include "crm-store.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_STORE_BULK_NONE = 0,
  /* Unmap the file while the run lasts: every page it touches would stay
   * mapped and count in the process's memory. */
  CRM_STORE_BULK_UNMAP = 1 << 0,
} CrmStoreBulkFlags;

typedef struct _CrmStoreBulk CrmStoreBulk;

/* Until crm_store_bulk_end(), committed pages stay in the write-ahead log
 * instead of being copied back to the file after every commit, and the
 * page cache holds at least cache_kib (0 keeps it as it is). */
CrmStoreBulk *crm_store_bulk_begin (CrmStore          *store,
                                    gint64             cache_kib,
                                    CrmStoreBulkFlags  flags);

/* Drops the secondary (not UNIQUE) indexes of @table until the run ends,
 * when they are built again, each from a sort of the whole table: for a
 * table filled from empty that is much less work than keeping each up to
 * date row by row. Only for a table whose writes read none of them. A run
 * cut short (the program killed) leaves them to crm_store_open(). */
gboolean      crm_store_bulk_defer_indexes (CrmStoreBulk  *bulk,
                                            const char    *table,
                                            GError       **error);

/* Builds what crm_store_bulk_defer_indexes() left, then puts the settings
 * back and writes the log back to the file once. */
void          crm_store_bulk_end   (CrmStoreBulk      *bulk);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmStoreBulk, crm_store_bulk_end)

G_END_DECLS
