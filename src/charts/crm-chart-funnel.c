/* crm-chart-funnel.c: the steps of a funnel as centred bars with counts and shares */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "crm-chart-private.h"

void
crm_chart_funnel_draw (cairo_t             *cr,
                       const CrmChartData  *data,
                       const CrmChartStyle *style,
                       double               width,
                       double               height)
{
  CrmChartLayout local = { 0 };
  CrmChartLayout *layout = data->layout != NULL ? data->layout : &local;
  guint n = data->n_categories;
  double top, label_w = 0, value_w = 0, first, max = 0;
  const double *values = data->n_series > 0 ? data->series[0].values : NULL;

  cairo_save (cr);
  top = crm_chart_draw_frame (cr, data, style, width, height);
  for (guint i = 0; i < n && values != NULL; i++)
    {
      g_autofree char *label = crm_chart_category_label (data, i);
      g_autofree char *value = crm_chart_format_value (data->format, values[i], FALSE);
      double w;

      crm_chart_text_size (cr, style, style->font_size, FALSE, label, &w, NULL);
      label_w = MAX (label_w, w);
      crm_chart_text_size (cr, style, style->font_size, FALSE, value, &w, NULL);
      value_w = MAX (value_w, w);
      if (!isnan (values[i]))
        max = MAX (max, values[i]);
    }
  /* "12,345 · 100%" on the right. */
  value_w += style->font_size * 4.5;

  layout->plot_x = label_w + style->font_size;
  layout->plot_y = top;
  layout->plot_width = MAX (width - layout->plot_x - value_w, 1);
  layout->plot_height = MAX (height - top, 1);
  layout->cell_width = layout->plot_width;
  layout->cell_height = n > 0 ? layout->plot_height / n : 0;
  layout->axis_min = 0;
  layout->axis_max = max;

  if (n == 0 || values == NULL || max <= 0)
    {
      crm_chart_draw_empty (cr, data, style, 0, top, width, layout->plot_height);
      cairo_restore (cr);
      return;
    }
  first = values[0];
  for (guint i = 0; i < n; i++)
    {
      double v = isnan (values[i]) ? 0 : values[i];
      double w = layout->plot_width * v / max;
      double y = layout->plot_y + layout->cell_height * i;
      double bar_h = layout->cell_height * 0.78;
      double rgba[4];
      g_autofree char *label = crm_chart_category_label (data, i);
      g_autofree char *value = crm_chart_format_value (data->format, v, FALSE);
      g_autofree char *share = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT,
                                                       first > 0 ? v / first : NAN, TRUE);
      /* Translators: a funnel step: its count, then its share of the first step. */
      g_autofree char *text = g_strdup_printf (_("%s · %s"), value, share);

      memcpy (rgba, style->palette[0], sizeof rgba);
      /* Later steps a little lighter: the eye follows the narrowing. */
      rgba[3] = 1.0 - 0.5 * i / MAX (n - 1, 1);
      crm_chart_set_color (cr, rgba);
      cairo_rectangle (cr, layout->plot_x + (layout->plot_width - w) / 2, y + (layout->cell_height - bar_h) / 2,
                       MAX (w, 1), bar_h);
      cairo_fill (cr);
      crm_chart_draw_text (cr, style, style->font_size, FALSE, style->foreground, label,
                           layout->plot_x - style->font_size * 0.6, y + layout->cell_height / 2,
                           CRM_CHART_ALIGN_END, CRM_CHART_ALIGN_CENTER, 0);
      crm_chart_draw_text (cr, style, style->font_size, FALSE, style->foreground, text,
                           layout->plot_x + layout->plot_width + style->font_size * 0.6,
                           y + layout->cell_height / 2,
                           CRM_CHART_ALIGN_START, CRM_CHART_ALIGN_CENTER, 0);
    }
  cairo_restore (cr);
}
