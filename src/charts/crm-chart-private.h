/* crm-chart-private.h: drawing helpers the chart kinds share */
#pragma once

#include <pango/pangocairo.h>

#include "crm-chart.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_CHART_ALIGN_START,
  CRM_CHART_ALIGN_CENTER,
  CRM_CHART_ALIGN_END,
} CrmChartAlign;

void         crm_chart_set_color    (cairo_t             *cr,
                                     const double         rgba[4]);
PangoLayout *crm_chart_text_layout  (cairo_t             *cr,
                                     const CrmChartStyle *style,
                                     double               size,
                                     gboolean             bold,
                                     const char          *text);
/* Draws @text with its box anchored at (x, y) by @halign / @valign;
 * @max_width > 0 ellipsizes. Returns the width drawn. */
double       crm_chart_draw_text    (cairo_t             *cr,
                                     const CrmChartStyle *style,
                                     double               size,
                                     gboolean             bold,
                                     const double         rgba[4],
                                     const char          *text,
                                     double               x,
                                     double               y,
                                     CrmChartAlign        halign,
                                     CrmChartAlign        valign,
                                     double               max_width);
void         crm_chart_text_size    (cairo_t             *cr,
                                     const CrmChartStyle *style,
                                     double               size,
                                     gboolean             bold,
                                     const char          *text,
                                     double              *width,
                                     double              *height);
/* Background, title and subtitle; returns the y below them. */
double       crm_chart_draw_frame   (cairo_t             *cr,
                                     const CrmChartData  *data,
                                     const CrmChartStyle *style,
                                     double               width,
                                     double               height);
/* Legend entries of the series in one row right-aligned at @y; returns
 * its height (0 when there is a single series). A comparison series is a
 * dashed line where it is drawn as one (@lines), else a box like the
 * others: the swatch looks like what it stands for. */
double       crm_chart_draw_legend  (cairo_t             *cr,
                                     const CrmChartData  *data,
                                     const CrmChartStyle *style,
                                     double               width,
                                     double               y,
                                     gboolean             lines);
/* "No data" in the middle of the rectangle. */
void         crm_chart_draw_empty   (cairo_t             *cr,
                                     const CrmChartData  *data,
                                     const CrmChartStyle *style,
                                     double               x,
                                     double               y,
                                     double               width,
                                     double               height);
/* Value axis at the left of the plot: nice ticks, grid lines, labels.
 * Fills the layout's axis fields; returns the width of the labels. */
double       crm_chart_value_axis_width (cairo_t             *cr,
                                         const CrmChartStyle *style,
                                         CrmChartFormat       format,
                                         double               min,
                                         double               max);
void         crm_chart_draw_value_axis  (cairo_t             *cr,
                                         const CrmChartStyle *style,
                                         CrmChartFormat       format,
                                         CrmChartLayout      *layout);
/* Category labels under the plot, as many as fit without touching; at
 * the middle of slots (bars) or at the points (lines). */
void         crm_chart_draw_category_axis (cairo_t              *cr,
                                           const CrmChartData   *data,
                                           const CrmChartStyle  *style,
                                           const CrmChartLayout *layout,
                                           gboolean              slots);
gboolean     crm_chart_has_values       (const CrmChartData  *data);
void         crm_chart_series_color     (const CrmChartStyle *style,
                                         const CrmChartData  *data,
                                         guint                series,
                                         double               rgba[4]);
double       crm_chart_y_for            (const CrmChartLayout *layout,
                                         double               value);

G_END_DECLS
