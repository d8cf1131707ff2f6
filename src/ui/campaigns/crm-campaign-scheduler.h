/* crm-campaign-scheduler.h: launches scheduled campaigns when they are due while the app runs, and sends the email ones */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRM_TYPE_CAMPAIGN_SCHEDULER (crm_campaign_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (CrmCampaignScheduler, crm_campaign_scheduler, CRM, CAMPAIGN_SCHEDULER, GObject)

/* Checks every minute, in a thread on its own connection: launches the
 * campaigns due (crm_campaign_launch_due) and sends the email ones through
 * the smtp-* settings. Emits "launched" (the campaigns' names, a strv)
 * and "failed" (a message naming the campaign and what to fix). */
CrmCampaignScheduler *crm_campaign_scheduler_new  (const char           *db_path,
                                                   GSettings            *settings);

/* Checks now, for tests. */
void                  crm_campaign_scheduler_run  (CrmCampaignScheduler *self);
gboolean              crm_campaign_scheduler_is_running (CrmCampaignScheduler *self);

G_END_DECLS
