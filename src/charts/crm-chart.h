/* crm-chart.h: charts drawn with Cairo and Pango on any cairo_t, from plain data */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CRM_CHART_FORMAT_NUMBER,
  CRM_CHART_FORMAT_MONEY,     /* major units (yuan, not fen) */
  CRM_CHART_FORMAT_PERCENT,   /* a fraction: 0.25 is 25 % */
  CRM_CHART_FORMAT_HOURS,
  CRM_CHART_FORMAT_SCORE,     /* a whole score with its sign: NPS +39 */
} CrmChartFormat;

typedef enum
{
  CRM_CHART_DATE_NONE,        /* categories are labels */
  CRM_CHART_DATE_DAY,
  CRM_CHART_DATE_WEEK,
  CRM_CHART_DATE_MONTH,
  CRM_CHART_DATE_QUARTER,
} CrmChartDateUnit;

/* A series of n_categories values; NaN is a gap. A comparison series
 * (last year, the previous period) is drawn dashed and muted. */
typedef struct
{
  const char   *name;
  const double *values;
  gboolean      comparison;
} CrmChartSeries;

/* What a draw function laid out, for callers that hit-test (tooltips) and
 * for tests that check geometry. In the cairo_t's user units. */
typedef struct
{
  double plot_x;
  double plot_y;
  double plot_width;
  double plot_height;
  double axis_min;
  double axis_max;
  double axis_step;
  double cell_width;          /* heatmap cells, bar slots */
  double cell_height;
} CrmChartLayout;

/**
 * CrmChartData:
 * @title: (nullable): drawn at the top
 * @subtitle: (nullable): under the title, muted (the period)
 * @n_categories: points of line charts, bars, heatmap rows, funnel steps
 * @categories: (nullable): a label per category
 * @dates: (nullable): with @date_unit, the first day of each point
 * @series: @n_series series of @n_categories values
 * @format: how values are written on axes and labels
 * @stacked: bar charts: stack the series instead of grouping them
 * @area: line charts: fill under the first series
 * @n_columns, @column_labels, @cells: heatmap, row-major
 *   n_categories × n_columns, values 0–1, NaN for an empty cell
 * @row_notes: (nullable): heatmap, a note right of each row label (size)
 * @value, @previous, @target: KPI tile and gauge; NaN when unknown; a
 *   negative @target on a tile means lower is better
 * @change_in_points: tile: the change is @value − @previous (rates, NPS),
 *   not relative
 * @empty_text: (nullable): shown instead of the chart when there is no data
 * @layout: (nullable): receives the geometry
 */
typedef struct
{
  const char            *title;
  const char            *subtitle;
  guint                  n_categories;
  const char * const    *categories;
  const GDate           *dates;
  CrmChartDateUnit       date_unit;
  guint                  n_series;
  const CrmChartSeries  *series;
  CrmChartFormat         format;
  gboolean               stacked;
  gboolean               area;
  guint                  n_columns;
  const char * const    *column_labels;
  const double          *cells;
  const char * const    *row_notes;
  double                 value;
  double                 previous;
  double                 target;
  gboolean               change_in_points;
  const char            *empty_text;
  CrmChartLayout        *layout;
} CrmChartData;

#define CRM_CHART_PALETTE_SIZE 8

/* Colours are RGBA 0–1. Sizes are in user units: points on paper, pixels
 * on an unscaled screen surface; scale the cairo_t for HiDPI or 300 dpi. */
typedef struct
{
  double      background[4];
  double      foreground[4];
  double      muted[4];
  double      grid[4];
  double      palette[CRM_CHART_PALETTE_SIZE][4];
  double      positive[4];    /* change for the better */
  double      negative[4];
  double      heat_low[4];    /* heatmap 0 % */
  double      heat_high[4];   /* heatmap 100 % */
  const char *font_family;
  double      font_size;
  double      title_size;
  double      line_width;
  gboolean    fill_background;
} CrmChartStyle;

/* Okabe–Ito colours (safe for the common colour-vision deficiencies) on
 * white or on a dark grey. */
void crm_chart_style_init_light (CrmChartStyle *style);
void crm_chart_style_init_dark  (CrmChartStyle *style);

void crm_chart_data_init        (CrmChartData  *data);

void crm_chart_line_draw        (cairo_t             *cr,
                                 const CrmChartData  *data,
                                 const CrmChartStyle *style,
                                 double               width,
                                 double               height);
void crm_chart_bar_draw         (cairo_t             *cr,
                                 const CrmChartData  *data,
                                 const CrmChartStyle *style,
                                 double               width,
                                 double               height);
void crm_chart_heatmap_draw     (cairo_t             *cr,
                                 const CrmChartData  *data,
                                 const CrmChartStyle *style,
                                 double               width,
                                 double               height);
void crm_chart_funnel_draw      (cairo_t             *cr,
                                 const CrmChartData  *data,
                                 const CrmChartStyle *style,
                                 double               width,
                                 double               height);
/* series[0] holds 11 counts, answers 0–10; @value is the NPS. */
void crm_chart_nps_draw         (cairo_t             *cr,
                                 const CrmChartData  *data,
                                 const CrmChartStyle *style,
                                 double               width,
                                 double               height);
/* @value against @previous, with series[0] as a sparkline. */
void crm_chart_tile_draw        (cairo_t             *cr,
                                 const CrmChartData  *data,
                                 const CrmChartStyle *style,
                                 double               width,
                                 double               height);
/* @value as a fraction (0–1) on a half dial, @target marked. */
void crm_chart_gauge_draw       (cairo_t             *cr,
                                 const CrmChartData  *data,
                                 const CrmChartStyle *style,
                                 double               width,
                                 double               height);

/* Axis ticks in steps of 1, 2 or 5 × 10^n covering [min, max] with at most
 * about @max_ticks intervals. */
void  crm_chart_nice_axis       (double   min,
                                 double   max,
                                 guint    max_ticks,
                                 double  *out_min,
                                 double  *out_max,
                                 double  *out_step);
/* A value as the charts write it: grouped digits, currency, percent;
 * @compact shortens big numbers (12.3K, 1.2M; 1.2万 in Chinese). */
char *crm_chart_format_value    (CrmChartFormat  format,
                                 double          value,
                                 gboolean        compact);
/* The label of category @i: a formatted date or the category text (axes,
 * tooltips). */
char *crm_chart_category_label  (const CrmChartData  *data,
                                 guint                i);
/* The heatmap colour of a fraction (0–1), RGBA. */
void  crm_chart_heat_color      (const CrmChartStyle *style,
                                 double               fraction,
                                 double               rgba[4]);

G_END_DECLS
