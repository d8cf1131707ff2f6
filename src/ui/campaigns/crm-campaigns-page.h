/* crm-campaigns-page.h: the Campaigns workspace: segments with a rule editor and live count, campaigns with launch and their numbers */
#pragma once

#include <adwaita.h>

#include "crm-context.h"
#include "crm-segment-builder.h"

G_BEGIN_DECLS

#define CRM_TYPE_CAMPAIGNS_PAGE (crm_campaigns_page_get_type ())
G_DECLARE_FINAL_TYPE (CrmCampaignsPage, crm_campaigns_page, CRM, CAMPAIGNS_PAGE, GtkWidget)

void        crm_campaigns_page_set_context    (CrmCampaignsPage *self,
                                               CrmContext       *context);
/* "empty", "segment" or "campaign": what the detail side shows. */
const char *crm_campaigns_page_get_view_state (CrmCampaignsPage *self);
/* The live count of the rule in the editor: -1 while counting or when the
 * rule is invalid (then the count text says why). */
gint64      crm_campaigns_page_get_count      (CrmCampaignsPage *self);
const char *crm_campaigns_page_get_count_text (CrmCampaignsPage *self);
/* The numbers shown for the open campaign, one line per variant. */
char       *crm_campaigns_page_dup_stats_text (CrmCampaignsPage *self);
guint       crm_campaigns_page_get_n_segments (CrmCampaignsPage *self);
guint       crm_campaigns_page_get_n_campaigns (CrmCampaignsPage *self);

/* Whether an email campaign is being sent (campaigns.send) or a PDF
 * written (campaigns.export-pdf), and the
 * latest message the page showed (a toast). */
gboolean    crm_campaigns_page_is_sending          (CrmCampaignsPage *self);
const char *crm_campaigns_page_get_last_message    (CrmCampaignsPage *self);

/* The segment editor's condition builder and the rule it shows. */
CrmSegmentBuilder *crm_campaigns_page_get_builder (CrmCampaignsPage *self);
char       *crm_campaigns_page_dup_rule            (CrmCampaignsPage *self);

G_END_DECLS
