/* crm-segment.h: a named rule that selects contacts (first-time, dormant, RFM …) */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_SEGMENT (crm_segment_get_type ())
G_DECLARE_FINAL_TYPE (CrmSegment, crm_segment, CRM, SEGMENT, CrmRecord)

CrmSegment *crm_segment_new (void);

G_END_DECLS
