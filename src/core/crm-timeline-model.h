/* crm-timeline-model.h: a contact's activities and purchases, or a deal's activities and stage moves, newest first, as a GListModel */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_TIMELINE_MODEL (crm_timeline_model_get_type ())
G_DECLARE_FINAL_TYPE (CrmTimelineModel, crm_timeline_model, CRM, TIMELINE_MODEL, GObject)

/* Items are CrmActivity and CrmPurchase records. An activity is placed at
 * when it was done, else when it is due, else when it was created; a
 * purchase at purchased_at. */
CrmTimelineModel *crm_timeline_model_new             (CrmStore         *store);
const char       *crm_timeline_model_get_contact_id  (CrmTimelineModel *self);
void              crm_timeline_model_set_contact_id  (CrmTimelineModel *self,
                                                      const char       *contact_id);
/* Set: the timeline of that deal instead: its activities (CrmActivity)
 * and stage moves (CrmDealStageHistory, placed at when it moved). */
const char       *crm_timeline_model_get_deal_id     (CrmTimelineModel *self);
void              crm_timeline_model_set_deal_id     (CrmTimelineModel *self,
                                                      const char       *deal_id);
/* NULL for everything, "purchase", "stage" (a deal's moves), or an activity kind ("call", "task", ...). */
const char       *crm_timeline_model_get_kind        (CrmTimelineModel *self);
void              crm_timeline_model_set_kind        (CrmTimelineModel *self,
                                                      const char       *kind);
/* The timestamp an item is placed at (ISO 8601). */
const char       *crm_timeline_model_get_item_time   (CrmTimelineModel *self,
                                                      guint             position);

G_END_DECLS
