/* crm-deal-editor.h: a window to add or edit one deal: customer, amount, stage, close date, owner, notes, stage history, products, tasks and activity */
#pragma once

#include <adwaita.h>

#include "crm-deal-board.h"

G_BEGIN_DECLS

#define CRM_TYPE_DEAL_EDITOR (crm_deal_editor_get_type ())
G_DECLARE_FINAL_TYPE (CrmDealEditor, crm_deal_editor, CRM, DEAL_EDITOR, AdwWindow)

/* @deal_id NULL for a new deal, in @stage_id (NULL: the first stage).
 * Stages and owners come from @board's pipeline. On save it writes the
 * store, emits ::saved (CrmChangeSet to undo it, a message) and closes. */
CrmDealEditor *crm_deal_editor_new          (CrmDealBoard  *board,
                                             const char    *deal_id,
                                             const char    *stage_id);
const char    *crm_deal_editor_get_deal_id  (CrmDealEditor *self);
/* Product lines shown (saved or not), open tasks listed, and what the
 * amount row holds: for tests. */
guint          crm_deal_editor_get_n_products (CrmDealEditor *self);
guint          crm_deal_editor_get_n_open_tasks (CrmDealEditor *self);
const char    *crm_deal_editor_get_amount_text (CrmDealEditor *self);

G_END_DECLS
