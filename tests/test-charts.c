/* test-charts.c: charts rendered to image surfaces, checked for geometry and colours */

#include "config.h"

#include <math.h>

#include "crm-chart-private.h"

#define W 400
#define H 300

typedef struct
{
  cairo_surface_t *surface;
  cairo_t *cr;
} Canvas;

static void
canvas_init (Canvas *c,
             int     width,
             int     height)
{
  c->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  c->cr = cairo_create (c->surface);
}

static void
canvas_clear (Canvas *c)
{
  cairo_destroy (c->cr);
  cairo_surface_destroy (c->surface);
}

static void
pixel (Canvas *c,
       int     x,
       int     y,
       double  rgb[3])
{
  guint32 *row;
  guint32 p;

  cairo_surface_flush (c->surface);
  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (x, <, cairo_image_surface_get_width (c->surface));
  g_assert_cmpint (y, <, cairo_image_surface_get_height (c->surface));
  row = (guint32 *) (void *) (cairo_image_surface_get_data (c->surface) +
                              y * cairo_image_surface_get_stride (c->surface));
  p = row[x];
  rgb[0] = ((p >> 16) & 0xff) / 255.0;
  rgb[1] = ((p >> 8) & 0xff) / 255.0;
  rgb[2] = (p & 0xff) / 255.0;
}

static gboolean
same_color (const double a[3],
            const double b[3],
            double       tolerance)
{
  return fabs (a[0] - b[0]) <= tolerance && fabs (a[1] - b[1]) <= tolerance &&
         fabs (a[2] - b[2]) <= tolerance;
}

/* The first y (from the top) in column @x with colour @rgba, or -1. */
static int
first_y_with (Canvas       *c,
              int           x,
              const double  rgba[4])
{
  for (int y = 0; y < cairo_image_surface_get_height (c->surface); y++)
    {
      double rgb[3];

      pixel (c, x, y, rgb);
      if (same_color (rgb, rgba, 2.5 / 255))
        return y;
    }
  return -1;
}

static int
last_y_with (Canvas       *c,
             int           x,
             const double  rgba[4])
{
  for (int y = cairo_image_surface_get_height (c->surface) - 1; y >= 0; y--)
    {
      double rgb[3];

      pixel (c, x, y, rgb);
      if (same_color (rgb, rgba, 2.5 / 255))
        return y;
    }
  return -1;
}

static void
test_nice_axis (void)
{
  double lo, hi, step;

  crm_chart_nice_axis (0, 87, 5, &lo, &hi, &step);
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (step, ==, 20);
  g_assert_cmpfloat (hi, ==, 100);

  crm_chart_nice_axis (0, 0.37, 5, &lo, &hi, &step);
  g_assert_cmpfloat_with_epsilon (step, 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (hi, 0.4, 1e-12);

  crm_chart_nice_axis (-12, 47, 6, &lo, &hi, &step);
  g_assert_cmpfloat (step, ==, 10);
  g_assert_cmpfloat (lo, ==, -20);
  g_assert_cmpfloat (hi, ==, 50);

  /* 1-2-5: a range of 2,300,000 in 5 steps takes 500,000. */
  crm_chart_nice_axis (0, 2300000, 5, &lo, &hi, &step);
  g_assert_cmpfloat (step, ==, 500000);
  g_assert_cmpfloat (hi, ==, 2500000);

  /* Nothing to show still gives an axis. */
  crm_chart_nice_axis (0, 0, 5, &lo, &hi, &step);
  g_assert_cmpfloat (lo, ==, 0);
  g_assert_cmpfloat (hi, >, 0);
  crm_chart_nice_axis (NAN, NAN, 5, &lo, &hi, &step);
  g_assert_cmpfloat (hi, >, lo);
}

static void
test_format (void)
{
  struct { CrmChartFormat format; double value; gboolean compact; const char *expected; } cases[] = {
    { CRM_CHART_FORMAT_MONEY, 1234567, FALSE, "¥1,234,567" },
    { CRM_CHART_FORMAT_MONEY, 1234567, TRUE, "¥1.2M" },
    { CRM_CHART_FORMAT_MONEY, 25000, TRUE, "¥25K" },
    { CRM_CHART_FORMAT_MONEY, 999, TRUE, "¥999" },
    { CRM_CHART_FORMAT_MONEY, -1200, FALSE, "-¥1,200" },
    { CRM_CHART_FORMAT_MONEY, -25000, TRUE, "-¥25K" },
    { CRM_CHART_FORMAT_MONEY, -0.3, FALSE, "¥0" },
    { CRM_CHART_FORMAT_NUMBER, -4500, FALSE, "-4,500" },
    { CRM_CHART_FORMAT_NUMBER, 0.25, FALSE, "0.25" },
    { CRM_CHART_FORMAT_PERCENT, 0.1234, FALSE, "12.3%" },
    { CRM_CHART_FORMAT_PERCENT, 0.5, TRUE, "50%" },
    { CRM_CHART_FORMAT_PERCENT, 0.004, TRUE, "0.4%" },
    { CRM_CHART_FORMAT_HOURS, 2.5, FALSE, "2.5 h" },
    /* NPS: whole points with a sign, as the NPS chart's headline reads. */
    { CRM_CHART_FORMAT_SCORE, 38.9, TRUE, "+39" },
    { CRM_CHART_FORMAT_SCORE, -12.5, FALSE, "-13" },
    { CRM_CHART_FORMAT_SCORE, -0.4, FALSE, "0" },
    { CRM_CHART_FORMAT_PERCENT, NAN, FALSE, "n/a" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = crm_chart_format_value (cases[i].format, cases[i].value, cases[i].compact);

      g_assert_cmpstr (got, ==, cases[i].expected);
    }
}

static void
test_bar_heights (void)
{
  CrmChartStyle style;
  CrmChartData data;
  CrmChartLayout layout;
  Canvas c;
  const double values[] = { 10, 20, 5 };
  const char *labels[] = { "一月", "二月", "三月" };
  CrmChartSeries series = { "收入", values, FALSE };

  crm_chart_style_init_light (&style);
  crm_chart_data_init (&data);
  data.title = "Bars";
  data.n_categories = 3;
  data.categories = labels;
  data.n_series = 1;
  data.series = &series;
  data.layout = &layout;
  canvas_init (&c, W, H);
  crm_chart_bar_draw (c.cr, &data, &style, W, H);

  /* The axis starts at zero and ends at the first nice value ≥ 20. */
  g_assert_cmpfloat (layout.axis_min, ==, 0);
  g_assert_cmpfloat (layout.axis_max, >=, 20);
  g_assert_cmpfloat (layout.axis_max - 20, <, layout.axis_step);
  g_assert_cmpfloat (layout.plot_width, >, W / 2);

  for (guint i = 0; i < 3; i++)
    {
      int x = (int) (layout.plot_x + layout.cell_width * (i + 0.5));
      int top = first_y_with (&c, x, style.palette[0]);
      int bottom = last_y_with (&c, x, style.palette[0]);

      g_assert_cmpfloat (fabs (top - crm_chart_y_for (&layout, values[i])), <=, 1.5);
      g_assert_cmpfloat (fabs (bottom + 1 - crm_chart_y_for (&layout, 0)), <=, 1.5);
    }
  /* Twice 10 is twice as tall. */
  g_assert_cmpfloat_with_epsilon (crm_chart_y_for (&layout, 0) - crm_chart_y_for (&layout, 20),
                                  2 * (crm_chart_y_for (&layout, 0) - crm_chart_y_for (&layout, 10)), 1e-9);
  canvas_clear (&c);
}

static void
test_stacked_bars (void)
{
  CrmChartStyle style;
  CrmChartData data;
  CrmChartLayout layout;
  Canvas c;
  const double a[] = { 10, 30 };
  const double b[] = { 5, 10 };
  CrmChartSeries series[] = { { "A", a, FALSE }, { "B", b, FALSE } };
  int x, top_b, top_a;

  crm_chart_style_init_light (&style);
  crm_chart_data_init (&data);
  data.n_categories = 2;
  data.n_series = 2;
  data.series = series;
  data.stacked = TRUE;
  data.layout = &layout;
  canvas_init (&c, W, H);
  crm_chart_bar_draw (c.cr, &data, &style, W, H);

  /* Stacked, the axis covers the sum (40), not the largest value. */
  g_assert_cmpfloat (layout.axis_max, >=, 40);
  x = (int) (layout.plot_x + layout.cell_width * 0.5);
  top_b = first_y_with (&c, x, style.palette[1]);
  top_a = first_y_with (&c, x, style.palette[0]);
  g_assert_cmpfloat (fabs (top_b - crm_chart_y_for (&layout, 15)), <=, 1.5);
  g_assert_cmpfloat (fabs (top_a - crm_chart_y_for (&layout, 10)), <=, 1.5);
  canvas_clear (&c);
}

static void
test_heatmap_colours (void)
{
  CrmChartStyle style;
  CrmChartData data;
  CrmChartLayout layout;
  Canvas c;
  const double cells[] = { 1.0, 0.5, 0.25, NAN };
  const char *rows[] = { "2024-01", "2024-02" };
  const char *cols[] = { "M0", "M1" };

  crm_chart_style_init_light (&style);
  crm_chart_data_init (&data);
  data.n_categories = 2;
  data.categories = rows;
  data.n_columns = 2;
  data.column_labels = cols;
  data.cells = cells;
  data.layout = &layout;
  canvas_init (&c, W, H);
  crm_chart_heatmap_draw (c.cr, &data, &style, W, H);

  for (guint r = 0; r < 2; r++)
    for (guint k = 0; k < 2; k++)
      {
        double got[3], want[4];
        /* A corner of the cell, away from its text. */
        int x = (int) (layout.plot_x + layout.cell_width * k + 3);
        int y = (int) (layout.plot_y + layout.cell_height * r + 3);

        pixel (&c, x, y, got);
        if (isnan (cells[r * 2 + k]))
          memcpy (want, style.background, sizeof want);
        else
          crm_chart_heat_color (&style, cells[r * 2 + k], want);
        g_assert_true (same_color (got, want, 2.5 / 255));
      }
  /* Darker for more retention. */
  {
    double full[4], quarter[4];

    crm_chart_heat_color (&style, 1.0, full);
    crm_chart_heat_color (&style, 0.25, quarter);
    g_assert_cmpfloat (full[0] + full[1] + full[2], <, quarter[0] + quarter[1] + quarter[2]);
  }
  canvas_clear (&c);
}

/* The same chart on a surface twice the size with the context scaled by 2
 * (HiDPI, print) lays out identically in user units. */
static void
test_line_scale (void)
{
  CrmChartStyle style;
  CrmChartData data;
  CrmChartLayout one, two;
  Canvas c1, c2;
  double values[60], previous[60];
  GDate dates[60];
  CrmChartSeries series[] = { { "本期", values, FALSE }, { "去年同期", previous, TRUE } };

  for (guint i = 0; i < 60; i++)
    {
      values[i] = 1000 + 500 * sin (i / 5.0);
      previous[i] = i == 30 ? NAN : 800 + 300 * cos (i / 7.0);
      g_date_clear (&dates[i], 1);
      g_date_set_dmy (&dates[i], 1, 1, 2024);
      g_date_add_days (&dates[i], i);
    }
  crm_chart_style_init_light (&style);
  crm_chart_data_init (&data);
  data.title = "销售趋势";
  data.subtitle = "2024-01-01 – 2024-02-29";
  data.n_categories = 60;
  data.dates = dates;
  data.date_unit = CRM_CHART_DATE_DAY;
  data.n_series = 2;
  data.series = series;
  data.format = CRM_CHART_FORMAT_MONEY;
  data.area = TRUE;

  canvas_init (&c1, W, H);
  data.layout = &one;
  crm_chart_line_draw (c1.cr, &data, &style, W, H);
  canvas_init (&c2, 2 * W, 2 * H);
  cairo_scale (c2.cr, 2, 2);
  data.layout = &two;
  crm_chart_line_draw (c2.cr, &data, &style, W, H);

  g_assert_cmpfloat (one.axis_min, ==, 0);
  g_assert_cmpfloat (one.axis_max, >=, 1500);
  g_assert_cmpfloat (one.axis_max, ==, two.axis_max);
  g_assert_cmpfloat_with_epsilon (one.plot_x, two.plot_x, 1e-9);
  g_assert_cmpfloat_with_epsilon (one.plot_y, two.plot_y, 1e-9);
  g_assert_cmpfloat_with_epsilon (one.plot_width, two.plot_width, 1e-9);

  /* The line passes through its peak (point 8), in the series colour. */
  {
    double rgb[3];
    int x = (int) (one.plot_x + one.plot_width * 8 / 59);
    int y = (int) (crm_chart_y_for (&one, values[8]));

    pixel (&c1, x, y, rgb);
    g_assert_true (same_color (rgb, style.palette[0], 40.0 / 255));
    /* Well above it is the background. */
    pixel (&c1, x, y - 10, rgb);
    g_assert_true (same_color (rgb, style.background, 2.0 / 255));
  }
  canvas_clear (&c1);
  canvas_clear (&c2);
}

/* The first and last date labels of a line chart end inside the plot:
 * nothing is drawn right of it or left of it in the label band, where a
 * label would be cut off by the edge of a narrow chart. */
static void
test_line_end_labels (void)
{
  CrmChartStyle style;
  CrmChartData data;
  CrmChartLayout layout;
  Canvas c;
  double values[6] = { 70, 150, 80, 300, 360, 90 };
  GDate dates[6];
  CrmChartSeries series[] = { { "本期", values, FALSE } };
  int top, bottom;

  for (guint i = 0; i < 6; i++)
    {
      g_date_clear (&dates[i], 1);
      g_date_set_dmy (&dates[i], 1 + i, 12, 2026);
    }
  crm_chart_style_init_light (&style);
  crm_chart_data_init (&data);
  data.n_categories = 6;
  data.dates = dates;
  data.date_unit = CRM_CHART_DATE_DAY;
  data.n_series = 1;
  data.series = series;
  data.format = CRM_CHART_FORMAT_MONEY;
  data.layout = &layout;
  canvas_init (&c, W, H);
  crm_chart_line_draw (c.cr, &data, &style, W, H);

  /* Below the value axis' "¥0", which is centred on the plot's bottom. */
  top = (int) ceil (layout.plot_y + layout.plot_height + style.font_size * 0.7);
  bottom = MIN (top + (int) (style.font_size * 1.5), H - 1);
  for (int y = top; y <= bottom; y++)
    {
      for (int x = (int) ceil (layout.plot_x + layout.plot_width) + 1; x < W; x++)
        {
          double rgb[3];

          pixel (&c, x, y, rgb);
          g_assert_true (same_color (rgb, style.background, 2.0 / 255));
        }
      for (int x = 0; x < (int) floor (layout.plot_x) - 1; x++)
        {
          double rgb[3];

          pixel (&c, x, y, rgb);
          g_assert_true (same_color (rgb, style.background, 2.0 / 255));
        }
    }
  canvas_clear (&c);
}

static void
test_dark_and_empty (void)
{
  CrmChartStyle style;
  CrmChartData data;
  CrmChartLayout layout;
  Canvas c;
  const double zeros[] = { 0, 0, 0 };
  CrmChartSeries series = { "A", zeros, FALSE };
  double rgb[3];

  crm_chart_style_init_dark (&style);
  crm_chart_data_init (&data);
  data.n_categories = 3;
  data.n_series = 1;
  data.series = &series;
  data.layout = &layout;
  canvas_init (&c, W, H);
  crm_chart_bar_draw (c.cr, &data, &style, W, H);
  pixel (&c, 1, 1, rgb);
  g_assert_true (same_color (rgb, style.background, 1.0 / 255));
  /* No data: no bars anywhere. */
  for (int x = 0; x < W; x += 3)
    g_assert_cmpint (first_y_with (&c, x, style.palette[0]), ==, -1);
  canvas_clear (&c);
}

static void
test_nps_colours (void)
{
  CrmChartStyle style;
  CrmChartData data;
  CrmChartLayout layout;
  Canvas c;
  const double counts[11] = { 1, 0, 0, 1, 0, 0, 2, 3, 5, 8, 10 };
  CrmChartSeries series = { NULL, counts, FALSE };

  crm_chart_style_init_light (&style);
  crm_chart_data_init (&data);
  data.n_categories = 11;
  data.n_series = 1;
  data.series = &series;
  data.layout = &layout;
  canvas_init (&c, W, H);
  crm_chart_nps_draw (c.cr, &data, &style, W, H);

  g_assert_cmpfloat (layout.axis_max, >=, 10);
  /* 0 is a detractor (vermillion), 8 a passive (orange), 10 a promoter. */
  g_assert_cmpint (first_y_with (&c, (int) (layout.plot_x + layout.cell_width * 0.5), style.palette[5]), >, 0);
  g_assert_cmpint (first_y_with (&c, (int) (layout.plot_x + layout.cell_width * 8.5), style.palette[1]), >, 0);
  g_assert_cmpfloat (fabs (first_y_with (&c, (int) (layout.plot_x + layout.cell_width * 10.5), style.palette[2])
                           - crm_chart_y_for (&layout, 10)), <=, 1.5);
  canvas_clear (&c);
}

static void
test_funnel_widths (void)
{
  CrmChartStyle style;
  CrmChartData data;
  CrmChartLayout layout;
  Canvas c;
  const double values[] = { 200, 100, 50 };
  const char *steps[] = { "初步接触", "方案报价", "赢单" };
  CrmChartSeries series = { NULL, values, FALSE };
  int widths[3];

  crm_chart_style_init_light (&style);
  crm_chart_data_init (&data);
  data.n_categories = 3;
  data.categories = steps;
  data.n_series = 1;
  data.series = &series;
  data.layout = &layout;
  canvas_init (&c, W, H);
  crm_chart_funnel_draw (c.cr, &data, &style, W, H);
  for (guint i = 0; i < 3; i++)
    {
      int y = (int) (layout.plot_y + layout.cell_height * (i + 0.5));

      widths[i] = 0;
      for (int x = (int) layout.plot_x; x < layout.plot_x + layout.plot_width; x++)
        {
          double rgb[3];

          pixel (&c, x, y, rgb);
          widths[i] += !same_color (rgb, style.background, 2.0 / 255);
        }
    }
  g_assert_cmpfloat (fabs (widths[0] - layout.plot_width), <=, 2);
  g_assert_cmpfloat (fabs (widths[1] - layout.plot_width / 2), <=, 2);
  g_assert_cmpfloat (fabs (widths[2] - layout.plot_width / 4), <=, 2);
  canvas_clear (&c);
}

static void
test_cjk_text (void)
{
  CrmChartStyle style;
  Canvas c;
  PangoLayout *layout;

  crm_chart_style_init_light (&style);
  canvas_init (&c, 10, 10);
  layout = crm_chart_text_layout (c.cr, &style, 12, FALSE, "客户留存 同期群 销售额");
  /* Every character has a glyph (fonts-noto-cjk), none is a hex box. */
  g_assert_cmpint (pango_layout_get_unknown_glyphs_count (layout), ==, 0);
  g_object_unref (layout);
  canvas_clear (&c);
}

static void
test_tile_and_gauge (void)
{
  CrmChartStyle style;
  CrmChartData data;
  Canvas c;
  const double spark[] = { 1, 3, 2, 5 };
  CrmChartSeries series = { NULL, spark, FALSE };
  double rgb[3];
  gboolean found = FALSE;

  crm_chart_style_init_light (&style);
  crm_chart_data_init (&data);
  data.title = "收入";
  data.value = 120000;
  data.previous = 100000;
  data.format = CRM_CHART_FORMAT_MONEY;
  data.n_categories = 4;
  data.n_series = 1;
  data.series = &series;
  canvas_init (&c, 200, 120);
  crm_chart_tile_draw (c.cr, &data, &style, 200, 120);
  /* The rise is drawn in the "better" colour. */
  for (int y = 0; y < 120 && !found; y++)
    for (int x = 0; x < 200 && !found; x++)
      {
        pixel (&c, x, y, rgb);
        found = same_color (rgb, style.positive, 3.0 / 255);
      }
  g_assert_true (found);
  canvas_clear (&c);

  crm_chart_data_init (&data);
  data.value = 0.5;
  canvas_init (&c, 200, 120);
  crm_chart_gauge_draw (c.cr, &data, &style, 200, 120);
  /* Half full: the left end of the dial is coloured, the right end not. */
  {
    double left[3], right[3];
    double r = MIN (100.0, 120 - style.font_size) * 0.95;
    double mid = r - r * 0.22 / 2;

    pixel (&c, (int) (100 - mid), (int) (r + style.font_size * 0.2 - 2), left);
    pixel (&c, (int) (100 + mid), (int) (r + style.font_size * 0.2 - 2), right);
    g_assert_true (same_color (left, style.palette[0], 3.0 / 255));
    g_assert_true (same_color (right, style.grid, 3.0 / 255));
  }
  canvas_clear (&c);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/charts/nice-axis", test_nice_axis);
  g_test_add_func ("/charts/format", test_format);
  g_test_add_func ("/charts/bar-heights", test_bar_heights);
  g_test_add_func ("/charts/stacked-bars", test_stacked_bars);
  g_test_add_func ("/charts/heatmap-colours", test_heatmap_colours);
  g_test_add_func ("/charts/line-scale", test_line_scale);
  g_test_add_func ("/charts/line-end-labels", test_line_end_labels);
  g_test_add_func ("/charts/dark-and-empty", test_dark_and_empty);
  g_test_add_func ("/charts/nps-colours", test_nps_colours);
  g_test_add_func ("/charts/funnel-widths", test_funnel_widths);
  g_test_add_func ("/charts/cjk-text", test_cjk_text);
  g_test_add_func ("/charts/tile-and-gauge", test_tile_and_gauge);

  return g_test_run ();
}
