/* crm-pipeline-page.h: the Pipeline workspace: deals on a board of stages (or a list), moves by drag and drop or keyboard, filters, totals and forecast */
#pragma once

#include <adwaita.h>

#include "crm-context.h"
#include "crm-deal-board.h"
#include "crm-deal-lanes.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE_PAGE (crm_pipeline_page_get_type ())
G_DECLARE_FINAL_TYPE (CrmPipelinePage, crm_pipeline_page, CRM, PIPELINE_PAGE, GtkWidget)

void          crm_pipeline_page_set_context   (CrmPipelinePage *self,
                                               CrmContext      *context);
CrmDealBoard *crm_pipeline_page_get_board     (CrmPipelinePage *self);
/* The board's lanes (none unless grouped). */
CrmDealLanes *crm_pipeline_page_get_lanes     (CrmPipelinePage *self);
/* The open deal editor, if any. */
GtkWindow    *crm_pipeline_page_get_editor    (CrmPipelinePage *self);
/* The deal the keyboard actions apply to. */
const char   *crm_pipeline_page_get_selected_deal (CrmPipelinePage *self);
/* "board", "list", "empty" or "no-pipeline". */
const char   *crm_pipeline_page_get_view_state (CrmPipelinePage *self);
const char   *crm_pipeline_page_get_summary   (CrmPipelinePage *self);

G_END_DECLS
