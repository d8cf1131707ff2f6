/* crm-duplicates-dialog.h: likely duplicate contacts side by side, merged one pair at a time with undo */
#pragma once

#include <adwaita.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_DUPLICATES_DIALOG (crm_duplicates_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CrmDuplicatesDialog, crm_duplicates_dialog, CRM, DUPLICATES_DIALOG, AdwWindow)

/* Actions (group "duplicates"): refresh, select (u: a pair's position),
 * keep (s: "first" or "second", the contact that stays), merge, undo. */
CrmDuplicatesDialog *crm_duplicates_dialog_new         (GtkWindow           *parent,
                                                        CrmContext          *context);
/* "loading", "empty" or "pairs". */
const char          *crm_duplicates_dialog_get_page    (CrmDuplicatesDialog *self);
guint                crm_duplicates_dialog_get_n_pairs (CrmDuplicatesDialog *self);
/* The id of the contact the selected pair's merge keeps. */
const char          *crm_duplicates_dialog_get_kept_id (CrmDuplicatesDialog *self);

G_END_DECLS
