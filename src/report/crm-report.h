/* crm-report.h: paginated reports (header, footer, headings, tables, charts) rendered with Cairo */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "crm-chart.h"

G_BEGIN_DECLS

#define CRM_REPORT_ERROR (crm_report_error_quark ())

typedef enum
{
  CRM_REPORT_ERROR_FAILED,
  CRM_REPORT_ERROR_UNKNOWN,
} CrmReportError;

GQuark crm_report_error_quark (void);

typedef enum
{
  CRM_REPORT_PAPER_A4,
  CRM_REPORT_PAPER_LETTER,
} CrmReportPaper;

typedef enum
{
  CRM_REPORT_FORMAT_PDF,
  CRM_REPORT_FORMAT_SVG,     /* one file per page after the first: NAME-2.svg … */
  CRM_REPORT_FORMAT_PNG,     /* likewise */
} CrmReportFormat;

typedef enum
{
  CRM_REPORT_ALIGN_START,
  CRM_REPORT_ALIGN_END,      /* numbers */
} CrmReportAlign;

/* The chart functions of crm-chart.h. */
typedef void (*CrmReportDrawFunc) (cairo_t             *cr,
                                   const CrmChartData  *data,
                                   const CrmChartStyle *style,
                                   double               width,
                                   double               height);

typedef struct _CrmReport CrmReport;

/* Where a block landed, in points from the page's top-left corner. */
typedef enum
{
  CRM_REPORT_BLOCK_HEADING,
  CRM_REPORT_BLOCK_PARAGRAPH,
  CRM_REPORT_BLOCK_CHART,
  CRM_REPORT_BLOCK_TILES,
  CRM_REPORT_BLOCK_TABLE,
  CRM_REPORT_BLOCK_PAGE_BREAK,
} CrmReportBlockKind;

typedef struct
{
  guint              block;
  CrmReportBlockKind kind;
  guint              page;       /* 0-based */
  double             y;
  double             height;
  guint              first_row;  /* tables: the rows on this page */
  guint              n_rows;
} CrmReportPlacement;

CrmReport  *crm_report_new            (const char      *title,
                                       const char      *company,
                                       const char      *period);
void        crm_report_free           (CrmReport       *report);

void        crm_report_set_paper      (CrmReport       *report,
                                       CrmReportPaper   paper,
                                       gboolean         landscape);
/* Margins in points (1/72 inch); the default is 42 (about 15 mm). */
void        crm_report_set_margins    (CrmReport       *report,
                                       double           top,
                                       double           right,
                                       double           bottom,
                                       double           left);
/* "Generated at" in the footer; the default is now. */
void        crm_report_set_generated  (CrmReport       *report,
                                       GDateTime       *when);
double      crm_report_get_page_width  (CrmReport      *report);
double      crm_report_get_page_height (CrmReport      *report);
/* The content area: below the header, above the footer. */
void        crm_report_get_content_area (CrmReport     *report,
                                         double        *x,
                                         double        *y,
                                         double        *width,
                                         double        *height);

/* The report keeps @data until it is freed: chart data points into it. */
gpointer    crm_report_keep           (CrmReport       *report,
                                       gpointer         data,
                                       GDestroyNotify   destroy);
char       *crm_report_keep_string    (CrmReport       *report,
                                       char            *string);

/* A heading keeps with what follows (never last on a page). */
void        crm_report_add_heading    (CrmReport       *report,
                                       const char      *text);
void        crm_report_add_paragraph  (CrmReport       *report,
                                       const char      *text);
/* A chart is never cut: it moves to the next page when it does not fit.
 * @data is copied; what it points to must live as long as the report. */
void        crm_report_add_chart      (CrmReport          *report,
                                       CrmReportDrawFunc   draw,
                                       const CrmChartData *data,
                                       double              height);
/* KPI tiles in rows of @per_row, each row kept whole. */
void        crm_report_add_tiles      (CrmReport          *report,
                                       const CrmChartData *tiles,
                                       guint               n_tiles,
                                       guint               per_row,
                                       double              tile_height);
/* A table breaks between rows, repeating its header on each page.
 * @widths are fractions of the content width (NULL: equal). */
guint       crm_report_add_table      (CrmReport            *report,
                                       guint                 n_columns,
                                       const char * const   *headers,
                                       const CrmReportAlign *aligns,
                                       const double         *widths);
void        crm_report_table_add_row  (CrmReport            *report,
                                       guint                 table,
                                       const char * const   *cells);
void        crm_report_add_page_break (CrmReport       *report);

/* Lays the blocks out on pages. Called by the renderers; callers may call
 * it to inspect the result. */
guint                     crm_report_paginate      (CrmReport  *report);
const CrmReportPlacement *crm_report_get_placements (CrmReport *report,
                                                    guint     *n_placements);

/* Draws page @page (0-based) on @cr, in points from the top-left corner. */
void        crm_report_render_page    (CrmReport       *report,
                                       cairo_t         *cr,
                                       guint            page);
/* PNG pages at @dpi (0 for 150). */
gboolean    crm_report_write          (CrmReport       *report,
                                       CrmReportFormat  format,
                                       const char      *path,
                                       double           dpi,
                                       GError         **error);

/* The data behind each chart, KPI tile and table, one section after
 * another (its title, a header row, the rows), as CSV; figures unformatted
 * (money in yuan with 2 decimals, rates as fractions). The file has a BOM. */
char       *crm_report_to_csv         (CrmReport       *report);
gboolean    crm_report_write_csv      (CrmReport       *report,
                                       const char      *path,
                                       GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmReport, crm_report_free)

G_END_DECLS
