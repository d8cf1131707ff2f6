/* crm-segment.h: a named rule that selects contacts (first-time, dormant, RFM …) */
#pragma once

#include "crm-record.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_SEGMENT (crm_segment_get_type ())
G_DECLARE_FINAL_TYPE (CrmSegment, crm_segment, CRM, SEGMENT, CrmRecord)

/* Saving a segment validates its rule (crm-segment-rule.h). */
CrmSegment *crm_segment_new (void);

/* A segment as lists and pickers show it: a saved one (id is its UUID) or
 * a built-in one, one per lifecycle stage and RFM named segment (id
 * "builtin:first_time", "builtin:rfm_champions" …, never stored). */
typedef struct
{
  char *id;
  char *name;          /* translated for built-ins */
  char *description;
  char *rule;          /* JSON */
  gboolean builtin;
} CrmSegmentInfo;

void            crm_segment_info_free        (CrmSegmentInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSegmentInfo, crm_segment_info_free)

/* Built-ins first, then the saved segments by name. */
GPtrArray      *crm_segment_list_all         (CrmStore    *store,
                                              GError     **error);
/* By id, built-in key ("first_time", "rfm_champions") or name; NOT_FOUND
 * otherwise. */
CrmSegmentInfo *crm_segment_find             (CrmStore    *store,
                                              const char  *name_or_id,
                                              GError     **error);

/* Live contacts matching @rule_json as of @reference_date (NULL: today). */
gboolean        crm_segment_count            (CrmStore    *store,
                                              const char  *rule_json,
                                              const char  *reference_date,
                                              gint64      *out_count,
                                              GError     **error);
/* Their contacts.rid (ascending) or ids (in name order). */
GArray         *crm_segment_dup_member_rids  (CrmStore    *store,
                                              const char  *rule_json,
                                              const char  *reference_date,
                                              GError     **error);
GPtrArray      *crm_segment_dup_member_ids   (CrmStore    *store,
                                              const char  *rule_json,
                                              const char  *reference_date,
                                              GError     **error);

/* Whether @contact_id is a live contact matching @rule_json. */
gboolean        crm_segment_contains         (CrmStore    *store,
                                              const char  *rule_json,
                                              const char  *reference_date,
                                              const char  *contact_id,
                                              gboolean    *out_contains,
                                              GError     **error);

G_END_DECLS
