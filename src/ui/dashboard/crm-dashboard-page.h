/* crm-dashboard-page.h: the Dashboard workspace: KPI tiles and charts for a period, owner and region */
#pragma once

#include <adwaita.h>

#include "crm-analytics.h"
#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_DASHBOARD_PAGE (crm_dashboard_page_get_type ())

G_DECLARE_FINAL_TYPE (CrmDashboardPage, crm_dashboard_page, CRM, DASHBOARD_PAGE, GtkWidget)

void        crm_dashboard_page_set_context (CrmDashboardPage *self,
                                            CrmContext       *context);
/* TRUE while figures are computed in the background. */
gboolean    crm_dashboard_page_get_loading (CrmDashboardPage *self);
/* The period, owner and region the figures are for. */
const CrmAnalyticsQuery *crm_dashboard_page_get_query (CrmDashboardPage *self);
/* The KPIs of the last computation (NULL before the first one). */
const CrmKpis *crm_dashboard_page_get_kpis (CrmDashboardPage *self);
/* The chart (or tile) widget named @name: "revenue", "orders", … tiles;
 * "sales-trend", "cohorts", "churn-trend", "nps-answers", "funnel", "lifecycle",
 * "rfm". */
GtkWidget  *crm_dashboard_page_get_chart   (CrmDashboardPage *self,
                                            const char       *name);

G_END_DECLS
