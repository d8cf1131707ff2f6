/* crm-local-months.h: purchases summed per customer and local month, and cohort × month counts (migration 11) */
#pragma once

#include <sqlite3.h>

#include "crm-store.h"

G_BEGIN_DECLS

/* Months the summaries know, as year × 12 + month - 1 (1900-01 … 2200-12);
 * purchases outside fall into the months at the ends. */
#define CRM_LOCAL_MONTHS_FIRST (1900 * 12)
#define CRM_LOCAL_MONTHS_LAST  (2200 * 12 + 11)

/* The local time zone as the summaries see it: a digest of its month
 * starts, equal for zones that agree on every one of them. */
const char *crm_local_months_zone_key (void);

/* Fills local_months (the local zone's month starts), purchase_months and
 * cohort_months from the purchases, and the triggers of purchase_months,
 * in the caller's transaction. */
gboolean    crm_local_months_fill     (sqlite3   *db,
                                       GError   **error);

/* Whether the summaries were built in the current local zone. */
gboolean    crm_local_months_current  (CrmStore  *store);

G_END_DECLS
