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

/* Puts the settings back and writes the log back to the file once. */
void          crm_store_bulk_end   (CrmStoreBulk      *bulk);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmStoreBulk, crm_store_bulk_end)

G_END_DECLS
