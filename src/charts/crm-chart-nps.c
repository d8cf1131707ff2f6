/* crm-chart-nps.c: answers 0–10 as bars coloured detractor, passive, promoter, with the score */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "crm-chart-private.h"

void
crm_chart_nps_draw (cairo_t             *cr,
                    const CrmChartData  *data,
                    const CrmChartStyle *style,
                    double               width,
                    double               height)
{
  CrmChartLayout local = { 0 };
  CrmChartLayout *layout = data->layout != NULL ? data->layout : &local;
  const double *counts = data->n_series > 0 && data->n_categories >= 11 ? data->series[0].values : NULL;
  double top, label_h, max = 0, total = 0, groups[3] = { 0 }, axis_w;
  /* Detractors vermillion, passives yellow-orange, promoters bluish green
   * (Okabe–Ito): told apart without red–green vision too. */
  const double *colours[3] = { style->palette[5], style->palette[1], style->palette[2] };
  const char *names[3] = { _("Detractors (0–6)"), _("Passives (7–8)"), _("Promoters (9–10)") };
  double x;

  cairo_save (cr);
  top = crm_chart_draw_frame (cr, data, style, width, height);
  crm_chart_text_size (cr, style, style->font_size, FALSE, "0", NULL, &label_h);
  for (guint i = 0; counts != NULL && i < 11; i++)
    {
      double v = isnan (counts[i]) ? 0 : counts[i];

      max = MAX (max, v);
      total += v;
      groups[i <= 6 ? 0 : i <= 8 ? 1 : 2] += v;
    }

  /* The score and the three groups in one line above the bars. */
  if (total > 0)
    {
      /* The same text as the NPS tiles show. */
      g_autofree char *score = crm_chart_format_value (CRM_CHART_FORMAT_SCORE,
                                                       isnan (data->value) ? 100.0 * (groups[2] - groups[0]) / total
                                                                           : data->value,
                                                       FALSE);
      /* Translators: the Net Promoter Score, e.g. "NPS +32". */
      g_autofree char *headline = g_strdup_printf (_("NPS %s"), score);
      double w, h;

      crm_chart_text_size (cr, style, style->title_size * 1.6, TRUE, headline, &w, &h);
      crm_chart_draw_text (cr, style, style->title_size * 1.6, TRUE, style->foreground, headline,
                           0, top, CRM_CHART_ALIGN_START, CRM_CHART_ALIGN_START, 0);
      x = w + style->font_size * 1.5;
      for (guint g = 0; g < 3; g++)
        {
          g_autofree char *share = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, groups[g] / total, TRUE);
          g_autofree char *text = g_strdup_printf ("%s %s", names[g], share);

          crm_chart_set_color (cr, colours[g]);
          cairo_rectangle (cr, x, top + h / 2 - style->font_size * 0.4, style->font_size * 0.8, style->font_size * 0.8);
          cairo_fill (cr);
          x += style->font_size * 1.2;
          x += crm_chart_draw_text (cr, style, style->font_size, FALSE, style->foreground, text,
                                    x, top + h / 2, CRM_CHART_ALIGN_START, CRM_CHART_ALIGN_CENTER, 0);
          x += style->font_size * 1.2;
        }
      top += h + style->font_size * 0.5;
    }

  crm_chart_nice_axis (0, max, MAX ((guint) ((height - top) / (label_h * 2.5)), 2),
                       &layout->axis_min, &layout->axis_max, &layout->axis_step);
  axis_w = crm_chart_value_axis_width (cr, style, CRM_CHART_FORMAT_NUMBER, layout->axis_min, layout->axis_max);
  layout->plot_x = axis_w;
  layout->plot_y = top + label_h / 2;
  layout->plot_width = MAX (width - axis_w, 1);
  layout->plot_height = MAX (height - layout->plot_y - label_h * 1.6, 1);
  layout->cell_width = layout->plot_width / 11;
  layout->cell_height = layout->plot_height;

  if (counts == NULL || total <= 0)
    {
      crm_chart_draw_empty (cr, data, style, layout->plot_x, layout->plot_y,
                            layout->plot_width, layout->plot_height);
      cairo_restore (cr);
      return;
    }
  crm_chart_draw_value_axis (cr, style, CRM_CHART_FORMAT_NUMBER, layout);
  for (guint i = 0; i < 11; i++)
    {
      double v = isnan (counts[i]) ? 0 : counts[i];
      double bx = layout->plot_x + layout->cell_width * (i + 0.15);
      double y = crm_chart_y_for (layout, v);
      char label[4];

      crm_chart_set_color (cr, colours[i <= 6 ? 0 : i <= 8 ? 1 : 2]);
      cairo_rectangle (cr, bx, y, layout->cell_width * 0.7, crm_chart_y_for (layout, 0) - y);
      cairo_fill (cr);
      g_snprintf (label, sizeof label, "%u", i);
      crm_chart_draw_text (cr, style, style->font_size, FALSE, style->muted, label,
                           layout->plot_x + layout->cell_width * (i + 0.5),
                           layout->plot_y + layout->plot_height + style->font_size * 0.3,
                           CRM_CHART_ALIGN_CENTER, CRM_CHART_ALIGN_START, 0);
    }
  cairo_restore (cr);
}
