/* crm-segment.c: a named rule that selects contacts (first-time, dormant, RFM …) */

#include "config.h"

#include "crm-segment.h"

struct _CrmSegment
{
  CrmRecord parent_instance;
};

G_DEFINE_FINAL_TYPE (CrmSegment, crm_segment, CRM_TYPE_RECORD)

/* Mirrors the segments table of migration 1 (test-store checks they agree). */
static const CrmColumn columns[] = {
  { "name", CRM_COLUMN_TEXT, CRM_COLUMN_REQUIRED, NULL, NULL, 0, 0 },
  { "description", CRM_COLUMN_TEXT, CRM_COLUMN_FLAGS_NONE, NULL, NULL, 0, 0 },
  { "rule", CRM_COLUMN_JSON, CRM_COLUMN_REQUIRED, "{}", NULL, 0, 0 },
};

static void
crm_segment_class_init (CrmSegmentClass *klass)
{
  CrmRecordClass *record_class = CRM_RECORD_CLASS (klass);

  crm_record_class_set_table (record_class, "segments", columns, G_N_ELEMENTS (columns));
}

static void
crm_segment_init (CrmSegment *self)
{
}

CrmSegment *
crm_segment_new (void)
{
  return g_object_new (CRM_TYPE_SEGMENT, NULL);
}
