/* crm-pipeline.h: a named sales process whose stages deals move through */
#pragma once

#include "crm-record.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE (crm_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (CrmPipeline, crm_pipeline, CRM, PIPELINE, CrmRecord)

CrmPipeline *crm_pipeline_new (void);

G_END_DECLS
