/* crm-dedupe.h: finding contacts that are likely the same person, with a score and reasons */
#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_DUPLICATE_SAME_PHONE        = 1 << 0,
  CRM_DUPLICATE_SAME_EMAIL        = 1 << 1,
  CRM_DUPLICATE_SAME_NAME         = 1 << 2,
  CRM_DUPLICATE_SAME_PINYIN       = 1 << 3,   /* 张三 and 章三 */
  CRM_DUPLICATE_SIMILAR_NAME      = 1 << 4,   /* one character apart: 张三丰 and 张三峰 */
  CRM_DUPLICATE_SAME_ORGANIZATION = 1 << 5,
  CRM_DUPLICATE_SAME_REGION       = 1 << 6,
} CrmDuplicateReasons;

typedef struct
{
  char *id_a;      /* the older contact (the natural primary) */
  char *id_b;
  char *name_a;
  char *name_b;
  guint score;     /* 0–100 */
  CrmDuplicateReasons reasons;
} CrmDuplicatePair;

/* Scores: same phone 60, same email 60, same name 30, same pinyin 20,
 * similar name 15, same organization 10, same region 5, capped at 100.
 * Phone numbers compare in E.164 (so +86, 0086, spaces and dashes do not
 * matter), emails case-insensitively; names are compared only within one
 * organization or one province and city, so common names across the
 * country do not flood the list. */
#define CRM_DEDUPE_DEFAULT_MIN_SCORE 50

/* Candidate pairs with at least @min_score, best first
 * (CrmDuplicatePair *). */
GPtrArray *crm_dedupe_find                (CrmStore          *store,
                                           guint              min_score,
                                           GCancellable      *cancellable,
                                           GError           **error);
/* "same phone, same name" in the user's language. */
char      *crm_duplicate_reasons_to_string (CrmDuplicateReasons reasons);
void       crm_duplicate_pair_free        (CrmDuplicatePair  *pair);

/* Edit distance in characters (not bytes). */
guint      crm_dedupe_edit_distance       (const char        *a,
                                           const char        *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmDuplicatePair, crm_duplicate_pair_free)

G_END_DECLS
