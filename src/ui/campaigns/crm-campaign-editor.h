/* crm-campaign-editor.h: creates or edits a draft campaign: channel, content per segment, audience check, preview for a member, launch */
#pragma once

#include <adwaita.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_CAMPAIGN_EDITOR (crm_campaign_editor_get_type ())

G_DECLARE_FINAL_TYPE (CrmCampaignEditor, crm_campaign_editor, CRM, CAMPAIGN_EDITOR, AdwWindow)

/* @campaign_id: a draft to edit, or NULL for a new campaign. Emits
 * "saved" (campaign id) after a save or a launch. */
CrmCampaignEditor *crm_campaign_editor_new            (CrmContext        *context,
                                                       const char        *campaign_id);

/* For tests: what the audience check and the preview show, and how many
 * checks have finished (each edit starts one, in a thread). */
const char        *crm_campaign_editor_get_check_text (CrmCampaignEditor *self);
const char        *crm_campaign_editor_get_preview_subject (CrmCampaignEditor *self);
const char        *crm_campaign_editor_get_preview_body (CrmCampaignEditor *self);
const char        *crm_campaign_editor_get_preview_member (CrmCampaignEditor *self);
guint              crm_campaign_editor_get_n_checks   (CrmCampaignEditor *self);
gint64             crm_campaign_editor_get_n_members  (CrmCampaignEditor *self);
const char        *crm_campaign_editor_get_campaign_id (CrmCampaignEditor *self);

G_END_DECLS
