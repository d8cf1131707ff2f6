/* crm-import-dialog.h: the import assistant: choose a file, check its columns and rows, import with progress, undo */
#pragma once

#include <adwaita.h>

#include "crm-context.h"
#include "crm-import-run.h"

G_BEGIN_DECLS

#define CRM_TYPE_IMPORT_DIALOG (crm_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CrmImportDialog, crm_import_dialog, CRM, IMPORT_DIALOG, AdwWindow)

/* Actions (group "import"): choose, open (s: a path), set-encoding (s:
 * auto, UTF-8, GB18030, UTF-16, WINDOWS-1252), set-field ((us): column,
 * field or "" to ignore it), set-duplicates (s: merge, skip, create),
 * dry-run, start, cancel, undo. */
CrmImportDialog        *crm_import_dialog_new         (GtkWindow       *parent,
                                                       CrmContext      *context);
/* "choose", "preview", "progress" or "done". */
const char             *crm_import_dialog_get_page    (CrmImportDialog *self);
gboolean                crm_import_dialog_is_busy     (CrmImportDialog *self);
/* The counts of the last check or import. */
const CrmImportSummary *crm_import_dialog_get_summary (CrmImportDialog *self);
/* The last import's run (NULL before one, or after a check). */
const char             *crm_import_dialog_get_run_id  (CrmImportDialog *self);
/* The field column @column goes to, NULL when it is ignored. */
const char             *crm_import_dialog_get_field   (CrmImportDialog *self,
                                                       guint            column);

/* Undoes import run @run_id in a thread, on its own connection to
 * @store's file; emits @store's `changed` when done. */
void                    crm_import_undo_async         (CrmStore            *store,
                                                       const char          *run_id,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean                crm_import_undo_finish        (GAsyncResult        *result,
                                                       guint64             *out_reverted,
                                                       GError             **error);

G_END_DECLS
