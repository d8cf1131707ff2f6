/* crm-chart-line.c: line and area charts over time, with comparison series */

#include "config.h"

#include <math.h>

#include "crm-chart-private.h"

static double
x_for (const CrmChartLayout *layout,
       guint                 n,
       guint                 i)
{
  if (n <= 1)
    return layout->plot_x + layout->plot_width / 2;
  return layout->plot_x + layout->plot_width * i / (n - 1);
}

void
crm_chart_draw_category_axis (cairo_t              *cr,
                              const CrmChartData   *data,
                              const CrmChartStyle  *style,
                              const CrmChartLayout *layout,
                              gboolean              slots)
{
  guint n = data->n_categories;
  double widest = 0;
  double y = layout->plot_y + layout->plot_height + style->font_size * 0.3;
  guint step;
  guint probe = MAX (n / 16, 1);

  if (n == 0)
    return;
  for (guint i = 0; i < n; i += probe)
    {
      g_autofree char *label = crm_chart_category_label (data, i);
      double w;

      crm_chart_text_size (cr, style, style->font_size, FALSE, label, &w, NULL);
      widest = MAX (widest, w);
    }
  widest += style->font_size;
  step = (guint) ceil (widest * n / MAX (layout->plot_width, 1));
  step = MAX (step, 1);
  /* Months read best every 1, 2, 3, 6 or 12. */
  if (data->date_unit == CRM_CHART_DATE_MONTH && step > 1)
    step = step <= 2 ? 2 : step <= 3 ? 3 : step <= 6 ? 6 : ((step + 11) / 12) * 12;

  for (guint i = 0; i < n; i += step)
    {
      g_autofree char *label = crm_chart_category_label (data, i);
      double x = slots ? layout->plot_x + layout->cell_width * (i + 0.5) : x_for (layout, n, i);
      CrmChartAlign align = CRM_CHART_ALIGN_CENTER;

      /* The first and last labels of a line chart stay inside the plot. */
      if (!slots && i == 0 && n > 1)
        align = CRM_CHART_ALIGN_START;
      else if (!slots && i == n - 1 && n > 1)
        align = CRM_CHART_ALIGN_END;
      crm_chart_draw_text (cr, style, style->font_size, FALSE, style->muted, label, x, y,
                           align, CRM_CHART_ALIGN_START, slots ? layout->cell_width * step : 0);
    }
}

static void
trace_series (cairo_t              *cr,
              const CrmChartLayout *layout,
              const double         *values,
              guint                 n,
              gboolean              close_area)
{
  gboolean pen_down = FALSE;
  guint run_start = 0;
  double base = crm_chart_y_for (layout, MAX (layout->axis_min, 0));

  for (guint i = 0; i < n; i++)
    {
      double x = x_for (layout, n, i);

      if (isnan (values[i]))
        {
          if (pen_down && close_area)
            {
              cairo_line_to (cr, x_for (layout, n, i - 1), base);
              cairo_line_to (cr, x_for (layout, n, run_start), base);
              cairo_close_path (cr);
            }
          pen_down = FALSE;
          continue;
        }
      if (!pen_down)
        {
          cairo_move_to (cr, x, crm_chart_y_for (layout, values[i]));
          run_start = i;
          pen_down = TRUE;
        }
      else
        cairo_line_to (cr, x, crm_chart_y_for (layout, values[i]));
    }
  if (pen_down && close_area)
    {
      cairo_line_to (cr, x_for (layout, n, n - 1), base);
      cairo_line_to (cr, x_for (layout, n, run_start), base);
      cairo_close_path (cr);
    }
}

/* A series with more points than device pixels across (ten years of days
 * on a screen) is drawn as its envelope: per pixel column one box from the
 * lowest to the highest value, stretched to meet the next column so the
 * line stays connected; with @area, from the highest value down to the
 * base. Boxes on whole pixels are cairo's fastest path; stroking thousands
 * of overlapping segments, or filling their zigzag outline, costs tens of
 * milliseconds and shows nothing more. @half_line widens the band to the
 * line's width. Returns FALSE (nothing traced) when the series is not
 * dense at this resolution or the target is not an unrotated image. */
static gboolean
trace_envelope (cairo_t              *cr,
                const CrmChartLayout *layout,
                const double         *values,
                guint                 n,
                double                half_line,
                gboolean              area)
{
  cairo_matrix_t m;
  double left, right, base;
  int first, columns;
  g_autofree double *top = NULL;
  g_autofree double *bottom = NULL;

  cairo_get_matrix (cr, &m);
  if (cairo_surface_get_type (cairo_get_target (cr)) != CAIRO_SURFACE_TYPE_IMAGE ||
      m.xy != 0 || m.yx != 0 || m.xx <= 0 || m.yy <= 0)
    return FALSE;
  left = m.xx * layout->plot_x + m.x0;
  right = m.xx * (layout->plot_x + layout->plot_width) + m.x0;
  first = (int) floor (left);
  columns = (int) ceil (right) - first + 1;
  if (n < 2 || (int) n <= columns)
    return FALSE;
  base = m.yy * crm_chart_y_for (layout, MAX (layout->axis_min, 0)) + m.y0;
  half_line *= m.yy;

  top = g_new (double, columns);
  bottom = g_new (double, columns);
  for (int c = 0; c < columns; c++)
    top[c] = bottom[c] = NAN;
  for (guint i = 0; i < n; i++)
    {
      int c;
      double y;

      if (isnan (values[i]))
        continue;
      c = CLAMP ((int) floor (m.xx * x_for (layout, n, i) + m.x0) - first, 0, columns - 1);
      y = m.yy * crm_chart_y_for (layout, values[i]) + m.y0;
      if (isnan (top[c]) || y < top[c])
        top[c] = y;
      if (isnan (bottom[c]) || y > bottom[c])
        bottom[c] = y;
    }

  cairo_save (cr);
  cairo_identity_matrix (cr);
  for (int c = 0; c < columns; c++)
    {
      double y0 = top[c], y1 = bottom[c];

      if (isnan (y0))
        continue;
      /* Meet the next column's range, so that a steep step is a line. */
      if (c + 1 < columns && !isnan (top[c + 1]))
        {
          y0 = MIN (y0, bottom[c + 1]);
          y1 = MAX (y1, top[c + 1]);
        }
      /* Whole pixels also vertically: no antialiasing to compute. */
      if (area)
        {
          y0 = round (top[c]);
          y1 = round (base);
        }
      else
        {
          y0 = floor (y0 - half_line);
          y1 = ceil (y1 + half_line);
        }
      if (y1 > y0)
        cairo_rectangle (cr, first + c, y0, 1, y1 - y0);
    }
  cairo_restore (cr);
  return TRUE;
}

void
crm_chart_line_draw (cairo_t             *cr,
                     const CrmChartData  *data,
                     const CrmChartStyle *style,
                     double               width,
                     double               height)
{
  CrmChartLayout local = { 0 };
  CrmChartLayout *layout = data->layout != NULL ? data->layout : &local;
  double top, legend, axis_w, label_h, min = 0, max = 0;
  guint n = data->n_categories;
  gboolean dense;

  cairo_save (cr);
  top = crm_chart_draw_frame (cr, data, style, width, height);
  legend = crm_chart_draw_legend (cr, data, style, width, top, TRUE);
  top += legend;
  crm_chart_text_size (cr, style, style->font_size, FALSE, "0", NULL, &label_h);

  for (guint s = 0; s < data->n_series; s++)
    for (guint i = 0; i < n; i++)
      if (!isnan (data->series[s].values[i]))
        {
          min = MIN (min, data->series[s].values[i]);
          max = MAX (max, data->series[s].values[i]);
        }
  crm_chart_nice_axis (min, max, MAX ((guint) ((height - top) / (label_h * 2.5)), 2),
                       &layout->axis_min, &layout->axis_max, &layout->axis_step);
  axis_w = crm_chart_value_axis_width (cr, style, data->format, layout->axis_min, layout->axis_max);
  layout->plot_x = axis_w;
  layout->plot_y = top + label_h / 2;
  layout->plot_width = MAX (width - axis_w - style->font_size, 1);
  layout->plot_height = MAX (height - layout->plot_y - label_h * 1.6, 1);
  layout->cell_width = n > 1 ? layout->plot_width / (n - 1) : layout->plot_width;
  layout->cell_height = layout->plot_height;

  if (n == 0 || !crm_chart_has_values (data))
    {
      crm_chart_draw_empty (cr, data, style, layout->plot_x, layout->plot_y,
                            layout->plot_width, layout->plot_height);
      cairo_restore (cr);
      return;
    }

  crm_chart_draw_value_axis (cr, style, data->format, layout);
  crm_chart_draw_category_axis (cr, data, style, layout, FALSE);

  cairo_save (cr);
  cairo_rectangle (cr, layout->plot_x - style->line_width, layout->plot_y - style->line_width,
                   layout->plot_width + 2 * style->line_width, layout->plot_height + 2 * style->line_width);
  cairo_clip (cr);
  /* Denser than two points per unit (ten years of days on a screen), round
   * joins and dashes cost most of the drawing time and cannot be seen:
   * bevel joins, and the comparison series solid but thinner. */
  dense = n > layout->plot_width / 2;
  cairo_set_line_join (cr, dense ? CAIRO_LINE_JOIN_BEVEL : CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, dense ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
  /* Comparison series first, so the current period is drawn over them. */
  for (int pass = 0; pass < 2; pass++)
    for (guint s = 0; s < data->n_series; s++)
      {
        double rgba[4];

        if ((pass == 0) != data->series[s].comparison)
          continue;
        crm_chart_series_color (style, data, s, rgba);
        if (data->area && s == 0 && !data->series[s].comparison)
          {
            if (!dense || !trace_envelope (cr, layout, data->series[s].values, n, 0, TRUE))
              trace_series (cr, layout, data->series[s].values, n, TRUE);
            cairo_set_source_rgba (cr, rgba[0], rgba[1], rgba[2], 0.18);
            cairo_fill (cr);
          }
        if (dense)
          {
            double band = style->line_width * (data->series[s].comparison ? 0.6 : 0.8);

            cairo_new_path (cr);
            if (trace_envelope (cr, layout, data->series[s].values, n, band / 2, FALSE))
              {
                cairo_set_source_rgba (cr, rgba[0], rgba[1], rgba[2], data->series[s].comparison ? 0.7 : 1.0);
                cairo_fill (cr);
                continue;
              }
          }
        trace_series (cr, layout, data->series[s].values, n, FALSE);
        crm_chart_set_color (cr, rgba);
        cairo_set_line_width (cr, style->line_width * (dense ? 0.6 : 1.0));
        if (data->series[s].comparison && dense)
          cairo_set_source_rgba (cr, rgba[0], rgba[1], rgba[2], 0.7);
        else if (data->series[s].comparison)
          {
            double dash[] = { style->line_width * 3, style->line_width * 2 };

            cairo_set_dash (cr, dash, 2, 0);
          }
        else
          cairo_set_dash (cr, NULL, 0, 0);
        cairo_stroke (cr);
        /* Few points: mark them, so a single month is visible. */
        if (n <= 24 && !data->series[s].comparison)
          for (guint i = 0; i < n; i++)
            if (!isnan (data->series[s].values[i]))
              {
                cairo_arc (cr, x_for (layout, n, i), crm_chart_y_for (layout, data->series[s].values[i]),
                           style->line_width * 1.6, 0, 2 * G_PI);
                cairo_fill (cr);
              }
      }
  cairo_restore (cr);
  cairo_restore (cr);
}
