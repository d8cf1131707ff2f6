/* crm-chart-bar.c: grouped and stacked bar charts */

#include "config.h"

#include <math.h>

#include "crm-chart-private.h"

void
crm_chart_bar_draw (cairo_t             *cr,
                    const CrmChartData  *data,
                    const CrmChartStyle *style,
                    double               width,
                    double               height)
{
  CrmChartLayout local = { 0 };
  CrmChartLayout *layout = data->layout != NULL ? data->layout : &local;
  double top, axis_w, label_h, min = 0, max = 0;
  guint n = data->n_categories;

  cairo_save (cr);
  top = crm_chart_draw_frame (cr, data, style, width, height);
  top += crm_chart_draw_legend (cr, data, style, width, top, FALSE);
  crm_chart_text_size (cr, style, style->font_size, FALSE, "0", NULL, &label_h);

  for (guint i = 0; i < n; i++)
    {
      double pos = 0, neg = 0;

      for (guint s = 0; s < data->n_series; s++)
        {
          double v = data->series[s].values[i];

          if (isnan (v))
            continue;
          if (data->stacked)
            {
              if (v >= 0)
                pos += v;
              else
                neg += v;
            }
          else
            {
              max = MAX (max, v);
              min = MIN (min, v);
            }
        }
      if (data->stacked)
        {
          max = MAX (max, pos);
          min = MIN (min, neg);
        }
    }
  /* Bars start at zero: an axis that does not would exaggerate. */
  crm_chart_nice_axis (min, max, MAX ((guint) ((height - top) / (label_h * 2.5)), 2),
                       &layout->axis_min, &layout->axis_max, &layout->axis_step);
  axis_w = crm_chart_value_axis_width (cr, style, data->format, layout->axis_min, layout->axis_max);
  layout->plot_x = axis_w;
  layout->plot_y = top + label_h / 2;
  layout->plot_width = MAX (width - axis_w - style->font_size * 0.5, 1);
  layout->plot_height = MAX (height - layout->plot_y - label_h * 1.6, 1);
  layout->cell_width = n > 0 ? layout->plot_width / n : layout->plot_width;
  layout->cell_height = layout->plot_height;

  if (n == 0 || !crm_chart_has_values (data))
    {
      crm_chart_draw_empty (cr, data, style, layout->plot_x, layout->plot_y,
                            layout->plot_width, layout->plot_height);
      cairo_restore (cr);
      return;
    }
  crm_chart_draw_value_axis (cr, style, data->format, layout);
  crm_chart_draw_category_axis (cr, data, style, layout, TRUE);

  for (guint i = 0; i < n; i++)
    {
      double slot_x = layout->plot_x + layout->cell_width * i;
      double inner = layout->cell_width * 0.72;
      double pos = 0, neg = 0;
      guint k = data->stacked ? 1 : MAX (data->n_series, 1);
      double bar_w = inner / k;

      for (guint s = 0; s < data->n_series; s++)
        {
          double v = data->series[s].values[i];
          double rgba[4];
          double from, to, x;

          if (isnan (v) || v == 0)
            continue;
          if (data->stacked)
            {
              from = v >= 0 ? pos : neg;
              to = from + v;
              if (v >= 0)
                pos = to;
              else
                neg = to;
              x = slot_x + (layout->cell_width - inner) / 2;
            }
          else
            {
              from = 0;
              to = v;
              x = slot_x + (layout->cell_width - inner) / 2 + bar_w * s;
            }
          crm_chart_series_color (style, data, s, rgba);
          crm_chart_set_color (cr, rgba);
          cairo_rectangle (cr, x, crm_chart_y_for (layout, MAX (from, to)),
                           data->stacked ? inner : bar_w * 0.92,
                           crm_chart_y_for (layout, MIN (from, to)) - crm_chart_y_for (layout, MAX (from, to)));
          cairo_fill (cr);
        }
    }
  cairo_restore (cr);
}
