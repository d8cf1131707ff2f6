/* crm-chart-heatmap.c: a matrix of fractions as coloured cells with their values (cohort retention) */

#include "config.h"

#include <math.h>

#include "crm-chart-private.h"

void
crm_chart_heatmap_draw (cairo_t             *cr,
                        const CrmChartData  *data,
                        const CrmChartStyle *style,
                        double               width,
                        double               height)
{
  CrmChartLayout local = { 0 };
  CrmChartLayout *layout = data->layout != NULL ? data->layout : &local;
  guint rows = data->n_categories;
  guint cols = data->n_columns;
  double top, label_w = 0, note_w = 0, header_h, text_size;
  gboolean any = FALSE;

  cairo_save (cr);
  top = crm_chart_draw_frame (cr, data, style, width, height);
  crm_chart_text_size (cr, style, style->font_size, FALSE, "0", NULL, &header_h);

  for (guint r = 0; r < rows; r++)
    {
      g_autofree char *label = crm_chart_category_label (data, r);
      double w;

      crm_chart_text_size (cr, style, style->font_size, FALSE, label, &w, NULL);
      label_w = MAX (label_w, w);
      if (data->row_notes != NULL && data->row_notes[r] != NULL)
        {
          crm_chart_text_size (cr, style, style->font_size, FALSE, data->row_notes[r], &w, NULL);
          note_w = MAX (note_w, w);
        }
    }
  for (guint i = 0; i < rows * cols && data->cells != NULL; i++)
    any |= !isnan (data->cells[i]);

  layout->plot_x = label_w + style->font_size * 0.6 + (note_w > 0 ? note_w + style->font_size * 0.8 : 0);
  layout->plot_y = top + header_h * 1.3;
  layout->plot_width = MAX (width - layout->plot_x, 1);
  layout->plot_height = MAX (height - layout->plot_y, 1);
  layout->cell_width = cols > 0 ? layout->plot_width / cols : 0;
  layout->cell_height = rows > 0 ? layout->plot_height / rows : 0;
  layout->axis_min = 0;
  layout->axis_max = 1;
  layout->axis_step = 0.1;

  if (rows == 0 || cols == 0 || !any)
    {
      crm_chart_draw_empty (cr, data, style, layout->plot_x, layout->plot_y,
                            layout->plot_width, layout->plot_height);
      cairo_restore (cr);
      return;
    }

  /* Values in the cells at a size that fits "100%" in the cell. */
  {
    double w100, h;

    crm_chart_text_size (cr, style, style->font_size, FALSE, "100%", &w100, &h);
    text_size = style->font_size * MIN (MIN (1.0, layout->cell_width * 0.9 / w100),
                                        layout->cell_height * 0.85 / h);
  }

  for (guint c = 0; c < cols; c++)
    {
      const char *label = data->column_labels != NULL ? data->column_labels[c] : NULL;
      g_autofree char *fallback = label == NULL ? g_strdup_printf ("%u", c) : NULL;

      crm_chart_draw_text (cr, style, MIN (style->font_size, text_size * 1.1), FALSE, style->muted,
                           label != NULL ? label : fallback,
                           layout->plot_x + layout->cell_width * (c + 0.5), top,
                           CRM_CHART_ALIGN_CENTER, CRM_CHART_ALIGN_START, layout->cell_width);
    }

  for (guint r = 0; r < rows; r++)
    {
      g_autofree char *label = crm_chart_category_label (data, r);
      double y = layout->plot_y + layout->cell_height * r;
      double row_text = MIN (style->font_size, layout->cell_height * 0.8);

      crm_chart_draw_text (cr, style, row_text, FALSE, style->foreground, label,
                           0, y + layout->cell_height / 2,
                           CRM_CHART_ALIGN_START, CRM_CHART_ALIGN_CENTER, 0);
      if (data->row_notes != NULL && data->row_notes[r] != NULL)
        crm_chart_draw_text (cr, style, row_text, FALSE, style->muted, data->row_notes[r],
                             layout->plot_x - style->font_size * 0.6, y + layout->cell_height / 2,
                             CRM_CHART_ALIGN_END, CRM_CHART_ALIGN_CENTER, 0);

      for (guint c = 0; c < cols; c++)
        {
          double v = data->cells[r * cols + c];
          double x = layout->plot_x + layout->cell_width * c;
          double rgba[4];
          double luminance;
          g_autofree char *text = NULL;
          static const double white[4] = { 1, 1, 1, 1 };
          static const double black[4] = { 0.1, 0.1, 0.1, 1 };

          if (isnan (v))
            continue;
          crm_chart_heat_color (style, v, rgba);
          crm_chart_set_color (cr, rgba);
          /* A hairline gap between cells, in the background colour. */
          cairo_rectangle (cr, x, y, layout->cell_width - 0.5, layout->cell_height - 0.5);
          cairo_fill (cr);
          if (text_size < 3.5)
            continue;
          luminance = 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2];
          text = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, v, TRUE);
          crm_chart_draw_text (cr, style, text_size, FALSE, luminance < 0.5 ? white : black, text,
                               x + layout->cell_width / 2, y + layout->cell_height / 2,
                               CRM_CHART_ALIGN_CENTER, CRM_CHART_ALIGN_CENTER, 0);
        }
    }
  cairo_restore (cr);
}
