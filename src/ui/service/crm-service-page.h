/* crm-service-page.h: the Service workspace: the complaint queue with SLA timers, quick actions and service metrics */
#pragma once

#include <adwaita.h>

#include "crm-complaint-dialog.h"
#include "crm-context.h"
#include "crm-service.h"

G_BEGIN_DECLS

#define CRM_TYPE_SERVICE_PAGE (crm_service_page_get_type ())
G_DECLARE_FINAL_TYPE (CrmServicePage, crm_service_page, CRM, SERVICE_PAGE, GtkWidget)

/* Set once, after construction, by the window that owns the context. */
void                     crm_service_page_set_context (CrmServicePage *self,
                                                       CrmContext     *context);
/* The complaints shown (CrmActivity), in queue order. */
GPtrArray               *crm_service_page_get_queue   (CrmServicePage *self);
/* Whether row @index is shown as past an SLA due time. */
gboolean                 crm_service_page_is_overdue  (CrmServicePage *self,
                                                       guint           index);
const CrmServiceMetrics *crm_service_page_get_metrics (CrmServicePage *self);
/* What the page measures SLA timers against; tests set it (ISO 8601 UTC). */
void                     crm_service_page_set_now     (CrmServicePage *self,
                                                       const char     *now);

/* The New Complaint dialog while it is open. */
CrmComplaintDialog      *crm_service_page_get_complaint_dialog (CrmServicePage *self);

G_END_DECLS
