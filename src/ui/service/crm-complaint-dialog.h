/* crm-complaint-dialog.h: a new complaint: customer, category, priority, description, assignee */
#pragma once

#include <adwaita.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_COMPLAINT_DIALOG (crm_complaint_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CrmComplaintDialog, crm_complaint_dialog, CRM, COMPLAINT_DIALOG, AdwWindow)

/* Emits "created" (the new complaint's id) and closes once one is stored. */
CrmComplaintDialog *crm_complaint_dialog_new            (CrmContext         *context);

/* What the fields do, for tests and for the page's callers. */
void                crm_complaint_dialog_search         (CrmComplaintDialog *self,
                                                         const char         *query);
/* The contacts the search shows (ids), in order. */
GPtrArray          *crm_complaint_dialog_get_matches    (CrmComplaintDialog *self);
void                crm_complaint_dialog_set_contact    (CrmComplaintDialog *self,
                                                         const char         *contact_id);
/* Keys: product, delivery, service, billing, other; low … urgent. */
void                crm_complaint_dialog_set_category   (CrmComplaintDialog *self,
                                                         const char         *category);
void                crm_complaint_dialog_set_priority   (CrmComplaintDialog *self,
                                                         const char         *priority);
void                crm_complaint_dialog_set_description (CrmComplaintDialog *self,
                                                          const char         *text);
/* The assignee as chosen: NULL is the customer's owner. */
const char         *crm_complaint_dialog_get_assignee   (CrmComplaintDialog *self);
/* What the Create button does: TRUE when stored; otherwise the reason is
 * shown (and returned by get_problem). */
gboolean            crm_complaint_dialog_create         (CrmComplaintDialog *self);
const char         *crm_complaint_dialog_get_problem    (CrmComplaintDialog *self);

G_END_DECLS
