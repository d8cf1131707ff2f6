/* crm-record-private.h: column-level access for the store, which loads and writes records */
#pragma once

#include <sqlite3.h>

#include "crm-record.h"

G_BEGIN_DECLS

/* The columns every record has, before its class's own. */
enum
{
  CRM_RECORD_COLUMN_ID,
  CRM_RECORD_COLUMN_CREATED_AT,
  CRM_RECORD_COLUMN_UPDATED_AT,
  CRM_RECORD_COLUMN_SERVER_VERSION,
  CRM_RECORD_COLUMN_DELETED,
  CRM_RECORD_COLUMN_OWNER_ID,
  CRM_RECORD_N_BASE_COLUMNS
};

const GValue *crm_record_peek_value      (CrmRecord     *self,
                                          guint          index);
/* Sets column @index and, if the value differs, marks it changed and
 * notifies. */
void          crm_record_set_value       (CrmRecord     *self,
                                          guint          index,
                                          const GValue  *value);
gboolean      crm_record_is_changed_at   (CrmRecord     *self,
                                          guint          index);
void          crm_record_bind_column     (CrmRecord     *self,
                                          guint          index,
                                          sqlite3_stmt  *stmt,
                                          int            param);
/* Loads without marking anything changed and without notifying. */
void          crm_record_load_column     (CrmRecord     *self,
                                          guint          index,
                                          sqlite3_stmt  *stmt,
                                          int            column);
void          crm_record_set_string_at   (CrmRecord     *self,
                                          guint          index,
                                          const char    *text);

G_END_DECLS
