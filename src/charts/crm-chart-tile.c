/* crm-chart-tile.c: a KPI tile (value, change, sparkline) and a half-dial gauge */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "crm-chart-private.h"

void
crm_chart_tile_draw (cairo_t             *cr,
                     const CrmChartData  *data,
                     const CrmChartStyle *style,
                     double               width,
                     double               height)
{
  /* A KPI that cannot be computed yet says so rather than "n/a". */
  gboolean empty = isnan (data->value) && data->empty_text != NULL;
  g_autofree char *value = empty ? g_strdup (data->empty_text) : crm_chart_format_value (data->format, data->value, TRUE);
  double pad = style->font_size * 0.8;
  double y = pad, h;
  double big = MIN (style->title_size * 2.0, height / 3.2);

  cairo_save (cr);
  if (style->fill_background)
    {
      crm_chart_set_color (cr, style->background);
      cairo_rectangle (cr, 0, 0, width, height);
      cairo_fill (cr);
    }
  crm_chart_set_color (cr, style->grid);
  cairo_set_line_width (cr, 0.75);
  cairo_rectangle (cr, 0.375, 0.375, width - 0.75, height - 0.75);
  cairo_stroke (cr);

  if (data->title != NULL)
    {
      crm_chart_text_size (cr, style, style->font_size, FALSE, data->title, NULL, &h);
      crm_chart_draw_text (cr, style, style->font_size, FALSE, style->muted, data->title,
                           pad, y, CRM_CHART_ALIGN_START, CRM_CHART_ALIGN_START, width - 2 * pad);
      y += h;
    }
  if (empty)
    big = style->font_size * 1.3;
  crm_chart_text_size (cr, style, big, !empty, value, NULL, &h);
  crm_chart_draw_text (cr, style, big, !empty, empty ? style->muted : style->foreground, value,
                       pad, y, CRM_CHART_ALIGN_START, CRM_CHART_ALIGN_START, width - 2 * pad);
  y += h;

  if (!isnan (data->value) && !isnan (data->previous))
    {
      double change = data->change_in_points
                        ? data->value - data->previous
                        : (data->previous != 0 ? (data->value - data->previous) / fabs (data->previous) : NAN);
      /* @target < 0 marks a KPI where lower is better (churn). */
      gboolean better = (change >= 0) != (!isnan (data->target) && data->target < 0);
      g_autofree char *amount = NULL;
      g_autofree char *text = NULL;

      if (data->change_in_points)
        {
          double scale = data->format == CRM_CHART_FORMAT_PERCENT ? 100 : 1;
          /* A score moves in whole points, as it is shown. */
          g_autofree char *points = data->format == CRM_CHART_FORMAT_SCORE
                                      ? g_strdup_printf ("%.0f", fabs (round (data->value) - round (data->previous)))
                                      : g_strdup_printf ("%.1f", fabs (change) * scale);

          /* Translators: a change of a rate or score, in points. */
          amount = g_strdup_printf (_("%s pts"), points);
        }
      else
        amount = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, fabs (change), FALSE);
      if (!isnan (change))
        {
          text = g_strdup_printf ("%s %s", change >= 0 ? "▲" : "▼", amount);
          crm_chart_text_size (cr, style, style->font_size, FALSE, text, NULL, &h);
          crm_chart_draw_text (cr, style, style->font_size, FALSE,
                               change == 0 ? style->muted : better ? style->positive : style->negative,
                               text, pad, y, CRM_CHART_ALIGN_START, CRM_CHART_ALIGN_START, width - 2 * pad);
          y += h;
        }
    }

  /* Sparkline in what is left below. */
  if (data->n_series > 0 && data->n_categories > 1 && height - y - pad > style->font_size)
    {
      const double *v = data->series[0].values;
      double min = INFINITY, max = -INFINITY;
      double sx = pad, sy = y + pad * 0.5, sw = width - 2 * pad, sh = height - y - pad * 1.5;
      gboolean pen = FALSE;

      for (guint i = 0; i < data->n_categories; i++)
        if (!isnan (v[i]))
          {
            min = MIN (min, v[i]);
            max = MAX (max, v[i]);
          }
      if (isfinite (min))
        {
          if (max == min)
            max = min + 1;
          for (guint i = 0; i < data->n_categories; i++)
            {
              double px = sx + sw * i / (data->n_categories - 1);
              double py = sy + sh * (1 - (v[i] - min) / (max - min));

              if (isnan (v[i]))
                {
                  pen = FALSE;
                  continue;
                }
              if (pen)
                cairo_line_to (cr, px, py);
              else
                cairo_move_to (cr, px, py);
              pen = TRUE;
            }
          crm_chart_set_color (cr, style->palette[0]);
          cairo_set_line_width (cr, style->line_width * 0.8);
          cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
          cairo_stroke (cr);
        }
    }
  cairo_restore (cr);
}

void
crm_chart_gauge_draw (cairo_t             *cr,
                      const CrmChartData  *data,
                      const CrmChartStyle *style,
                      double               width,
                      double               height)
{
  double top, cx, cy, r, thickness;
  g_autofree char *value = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, data->value, TRUE);

  cairo_save (cr);
  top = crm_chart_draw_frame (cr, data, style, width, height);
  r = MIN (width / 2, height - top - style->font_size) * 0.95;
  r = MAX (r, 1);
  thickness = r * 0.22;
  cx = width / 2;
  cy = top + r + style->font_size * 0.2;

  cairo_set_line_width (cr, thickness);
  crm_chart_set_color (cr, style->grid);
  cairo_arc (cr, cx, cy, r - thickness / 2, G_PI, 2 * G_PI);
  cairo_stroke (cr);
  if (!isnan (data->value))
    {
      crm_chart_set_color (cr, style->palette[0]);
      cairo_arc (cr, cx, cy, r - thickness / 2, G_PI, G_PI + G_PI * CLAMP (data->value, 0, 1));
      cairo_stroke (cr);
    }
  if (!isnan (data->target) && data->target >= 0)
    {
      double a = G_PI + G_PI * CLAMP (data->target, 0, 1);

      cairo_set_line_width (cr, style->line_width);
      crm_chart_set_color (cr, style->foreground);
      cairo_move_to (cr, cx + cos (a) * (r - thickness * 1.1), cy + sin (a) * (r - thickness * 1.1));
      cairo_line_to (cr, cx + cos (a) * (r + thickness * 0.1), cy + sin (a) * (r + thickness * 0.1));
      cairo_stroke (cr);
    }
  crm_chart_draw_text (cr, style, MIN (style->title_size * 1.6, r * 0.45), TRUE, style->foreground,
                       value, cx, cy, CRM_CHART_ALIGN_CENTER, CRM_CHART_ALIGN_END, 0);
  cairo_restore (cr);
}
