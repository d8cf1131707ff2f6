/* crm-lifecycle.h: lifecycle stage and RFM scores of contacts (DESIGN.md §6) */
#pragma once

#include <glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

/* Days of purchase history RFM frequency and monetary value look at. */
#define CRM_RFM_WINDOW_DAYS 365

/* lead: no purchase; first_time: exactly one, within 90 days; churned: none
 * in 365 days; dormant: none in 180 days; frequent: ≥ 3 in the last 365
 * days; otherwise active. @days_since_last is whole days from the last
 * purchase to the reference date. */
const char *crm_lifecycle_classify      (gint64       n_purchases,
                                         gint64       n_last_365_days,
                                         gint64       days_since_last);

/* Champions, Loyal, Potential, New, At risk, Hibernating, Lost from
 * scores 1–5, as the values of the rfm_segment column. */
const char *crm_lifecycle_rfm_segment   (int          r,
                                         int          f,
                                         int          m);

/* Scores @value 1–5 against quintile @cuts (ascending): 1 + the number of
 * cuts it exceeds, or the reverse when smaller is better (recency). */
int         crm_lifecycle_rfm_score     (double       value,
                                         const double cuts[4],
                                         gboolean     smaller_is_better);

/* Every contact's purchase totals, lifecycle and RFM as of
 * @reference_date ("YYYY-MM-DD", NULL for today). RFM quintiles are taken
 * over all contacts with a purchase, and kept for incremental updates. */
gboolean    crm_lifecycle_recompute_all (CrmStore    *store,
                                         const char  *reference_date,
                                         GError     **error);

G_END_DECLS
