/* crm-chart-view.h: a src/charts chart as a GTK widget, with hover tooltips, a crosshair and keyboard focus */
#pragma once

#include <gtk/gtk.h>

#include "crm-chart.h"

G_BEGIN_DECLS

/* The draw functions of crm-chart.h. */
typedef void (*CrmChartDrawFunc) (cairo_t             *cr,
                                  const CrmChartData  *data,
                                  const CrmChartStyle *style,
                                  double               width,
                                  double               height);

#define CRM_TYPE_CHART_VIEW (crm_chart_view_get_type ())

G_DECLARE_FINAL_TYPE (CrmChartView, crm_chart_view, CRM, CHART_VIEW, GtkWidget)

GtkWidget  *crm_chart_view_new          (void);
/* @data is copied; what it points to must live until @owner is freed with
 * @owner_free (when the chart is replaced or the view finalized). */
void        crm_chart_view_set_chart    (CrmChartView        *self,
                                         CrmChartDrawFunc     draw,
                                         const CrmChartData  *data,
                                         gpointer             owner,
                                         GDestroyNotify       owner_free);
const CrmChartData *crm_chart_view_get_data (CrmChartView    *self);
/* The point, bar, row or cell under the pointer or chosen with the arrow
 * keys; -1 for none. Heatmap cells are row × n_columns + column. */
int         crm_chart_view_get_selected (CrmChartView        *self);
void        crm_chart_view_set_selected (CrmChartView        *self,
                                         int                  index);
/* What the tooltip says about item @index. */
char       *crm_chart_view_describe     (CrmChartView        *self,
                                         int                  index);

G_END_DECLS
