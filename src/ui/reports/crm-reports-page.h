/* crm-reports-page.h: the Reports workspace: report templates, period, page preview, print and export */
#pragma once

#include <adwaita.h>

#include "crm-context.h"
#include "crm-report.h"

G_BEGIN_DECLS

#define CRM_TYPE_REPORTS_PAGE (crm_reports_page_get_type ())

G_DECLARE_FINAL_TYPE (CrmReportsPage, crm_reports_page, CRM, REPORTS_PAGE, GtkWidget)

/* Set once, after construction, by the window that owns the context. */
void        crm_reports_page_set_context    (CrmReportsPage *self,
                                             CrmContext     *context);
/* "loading", "preview", "empty" (no purchases up to the period's end) or
 * "error". */
const char *crm_reports_page_get_state      (CrmReportsPage *self);
/* The report shown (NULL unless the state is "preview"). */
CrmReport  *crm_reports_page_get_report     (CrmReportsPage *self);
const char *crm_reports_page_get_template   (CrmReportsPage *self);
/* TRUE while an export runs in the background. */
gboolean    crm_reports_page_get_exporting  (CrmReportsPage *self);
/* The text of the last toast shown (tests read it). */
const char *crm_reports_page_get_last_toast (CrmReportsPage *self);

G_END_DECLS
