/* crm-timeline.h: what happened with a contact (activities and purchases) and quick logging of calls, notes, tasks */
#pragma once

#include <adwaita.h>

#include "crm-store.h"
#include "crm-timeline-model.h"

G_BEGIN_DECLS

#define CRM_TYPE_TIMELINE (crm_timeline_get_type ())
G_DECLARE_FINAL_TYPE (CrmTimeline, crm_timeline, CRM, TIMELINE, GtkWidget)

void              crm_timeline_set_store      (CrmTimeline *self,
                                               CrmStore    *store);
void              crm_timeline_set_contact_id (CrmTimeline *self,
                                               const char  *contact_id);
/* A deal's timeline (its activities and stage moves) instead of a
 * contact's; what is logged here gets both @deal_id and @contact_id (the
 * deal's customer, nullable). */
void              crm_timeline_set_deal       (CrmTimeline *self,
                                               const char  *deal_id,
                                               const char  *contact_id);
CrmTimelineModel *crm_timeline_get_model      (CrmTimeline *self);

G_END_DECLS
