/* crm-pipeline-report.h: a printable snapshot of a pipeline board: totals, the forecast by month, and each stage's deals in a table */
#pragma once

#include "crm-deal-board.h"
#include "crm-report.h"

G_BEGIN_DECLS

/* Pages (A4 landscape) for what @board shows now, with its filters: a
 * summary, six months of forecast from @first_month ("YYYY-MM", NULL for
 * this month), then a heading and a table per stage. Tables break between
 * rows and repeat their header. */
CrmReport *crm_pipeline_report_new (CrmDealBoard  *board,
                                   const char    *first_month,
                                   GError       **error);

G_END_DECLS
