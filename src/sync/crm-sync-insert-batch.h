/* crm-sync-insert-batch.h: pulled rows new to this replica, written many to a statement */
#pragma once

#include <json-glib/json-glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

typedef struct _CrmSyncInsertBatch CrmSyncInsertBatch;

/* Pinyin readings and sort key of a contact's name, derived on each
 * replica; all NULL for rows that carry no name. */
typedef struct
{
  char *full;
  char *initials;
  char *sort_key;
} CrmSyncReadings;

void                crm_sync_readings_clear        (CrmSyncReadings     *readings);
void                crm_sync_readings_compute      (CrmSyncReadings     *readings,
                                                    const char          *table,
                                                    JsonObject          *row);

GPtrArray          *crm_sync_render_members        (JsonObject          *row);

CrmSyncInsertBatch *crm_sync_insert_batch_new      (CrmStore            *store);
void                crm_sync_insert_batch_free     (CrmSyncInsertBatch  *self);
gboolean            crm_sync_insert_batch_contains (CrmSyncInsertBatch  *self,
                                                    const char          *id);
gboolean            crm_sync_insert_batch_add      (CrmSyncInsertBatch  *self,
                                                    const char          *table,
                                                    GHashTable          *columns,
                                                    gint64               rid,
                                                    const char          *id,
                                                    gint64               seq,
                                                    const char          *updated_at,
                                                    JsonObject          *row,
                                                    CrmSyncReadings     *readings,
                                                    GPtrArray           *texts,
                                                    GError             **error);
gboolean            crm_sync_insert_batch_flush    (CrmSyncInsertBatch  *self,
                                                    GError             **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CrmSyncReadings, crm_sync_readings_clear)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSyncInsertBatch, crm_sync_insert_batch_free)

G_END_DECLS
