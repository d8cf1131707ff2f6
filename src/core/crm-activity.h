/* crm-activity.h: a call, meeting, visit, note, task or complaint about a contact or deal */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_ACTIVITY (crm_activity_get_type ())
G_DECLARE_FINAL_TYPE (CrmActivity, crm_activity, CRM, ACTIVITY, CrmRecord)

CrmActivity *crm_activity_new (void);

G_END_DECLS
