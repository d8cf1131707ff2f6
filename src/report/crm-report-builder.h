/* crm-report-builder.h: the named reports (monthly, cohort retention, …) built from the store's KPIs */
#pragma once

#include <gio/gio.h>

#include "crm-analytics.h"
#include "crm-report.h"
#include "crm-store.h"

G_BEGIN_DECLS

/* kpis, sales-trend, cohort-retention, churn, rfm, funnel, nps, service,
 * monthly, retention, sales-by-owner, sales-by-region, sales-by-product,
 * campaigns; NULL-terminated. */
const char * const *crm_report_builder_get_names (void);
gboolean            crm_report_builder_has_name  (const char              *name);
/* The report's title ("Monthly management report"), translated. */
const char         *crm_report_builder_get_title (const char              *name);

/* @fraction (0–1) of the sections built; called in the building thread. */
typedef void (*CrmReportProgressFunc) (double   fraction,
                                       gpointer user_data);

/* The charts and tables of report @name for the period of @query. Trends,
 * cohorts and the funnel look at the twelve months that end with the
 * period. */
CrmReport          *crm_report_builder_build     (CrmStore                *store,
                                                  const char              *name,
                                                  const CrmAnalyticsQuery *query,
                                                  GError                 **error);

/* The same, laid out (paginated), with progress and Cancel between
 * sections. */
CrmReport          *crm_report_builder_build_full (CrmStore                *store,
                                                   const char              *name,
                                                   const CrmAnalyticsQuery *query,
                                                   GCancellable            *cancellable,
                                                   CrmReportProgressFunc    progress,
                                                   gpointer                 user_data,
                                                   GError                 **error);

/* "October 2026" for a whole month, else "2026-10-03 – 2026-10-17". */
char               *crm_report_builder_format_period (const CrmAnalyticsQuery *query);

G_END_DECLS
