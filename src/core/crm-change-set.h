/* crm-change-set.h: what one user action changed in the store, so that it can be undone in one step */
#pragma once

#include <glib-object.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CHANGE_SET (crm_change_set_get_type ())
G_DECLARE_FINAL_TYPE (CrmChangeSet, crm_change_set, CRM, CHANGE_SET, GObject)

CrmChangeSet *crm_change_set_new              (CrmStore            *store);

/* Before an update: keeps the current values of @columns of @record (as
 * loaded from the store, before it is changed). */
void          crm_change_set_remember_fields  (CrmChangeSet        *self,
                                               CrmRecord           *record,
                                               const char * const  *columns);
/* After an insert: undoing deletes the row. */
void          crm_change_set_remember_insert  (CrmChangeSet        *self,
                                               CrmRecord           *record);
/* After a delete: undoing brings the row back. */
void          crm_change_set_remember_delete  (CrmChangeSet        *self,
                                               GType                type,
                                               const char          *id);

/* Rows it would touch when reverted. */
guint         crm_change_set_get_n_rows       (CrmChangeSet        *self);

/* Puts back every remembered value and row, newest first, in one
 * transaction (one `changed` burst, one undo), as field-level updates so
 * sync merges them like any edit. Empties the set on success. */
gboolean      crm_change_set_revert           (CrmChangeSet        *self,
                                               GError             **error);
/* The same on another connection to the same database (a worker thread's
 * own store); @done, when given, counts the rows put back so far and a
 * cancelled @cancellable rolls everything back. */
gboolean      crm_change_set_revert_with      (CrmChangeSet        *self,
                                               CrmStore            *store,
                                               GCancellable        *cancellable,
                                               volatile gint       *done,
                                               GError             **error);

G_END_DECLS
