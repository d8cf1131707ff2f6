/* crm-report-builder.c: the named reports (monthly, cohort retention, …) built from the store's KPIs */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "crm-forecast.h"
#include "crm-report-builder.h"
#include "crm-store-private.h"

static const char * const report_names[] = {
  "kpis", "sales-trend", "cohort-retention", "churn", "rfm", "funnel", "nps", "service", "monthly",
  "retention", "sales-by-owner", "sales-by-region", "sales-by-product", "campaigns", "forecast", NULL,
};

const char * const *
crm_report_builder_get_names (void)
{
  return report_names;
}

gboolean
crm_report_builder_has_name (const char *name)
{
  return name != NULL && g_strv_contains (report_names, name);
}

static char *
date_text (const GDate *date)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

char *
crm_report_builder_format_period (const CrmAnalyticsQuery *query)
{
  g_autofree char *from = date_text (&query->from);
  g_autofree char *to = date_text (&query->to);

  if (g_date_get_day (&query->from) == 1 && g_date_is_last_of_month (&query->to) &&
      g_date_get_month (&query->from) == g_date_get_month (&query->to) &&
      g_date_get_year (&query->from) == g_date_get_year (&query->to))
    {
      char buf[128];

      /* Translators: a whole month as a report period, strftime format. */
      if (g_date_strftime (buf, sizeof buf, C_("report period", "%B %Y"), &query->from) > 0)
        return g_strdup (buf);
    }
  /* Translators: a report period from one date to another. */
  return g_strdup_printf (_("%s – %s"), from, to);
}

/* The twelve months that end with the period's month. */
static void
twelve_months (const CrmAnalyticsQuery *query,
               CrmAnalyticsQuery       *out)
{
  *out = *query;
  g_date_set_day (&out->from, 1);
  g_date_set_month (&out->from, g_date_get_month (&query->to));
  g_date_set_year (&out->from, g_date_get_year (&query->to));
  g_date_subtract_months (&out->from, 11);
  out->to = query->to;
  g_date_set_day (&out->to, g_date_get_days_in_month (g_date_get_month (&out->to),
                                                      g_date_get_year (&out->to)));
}

static double *
keep_doubles (CrmReport *report,
              guint      n)
{
  return crm_report_keep (report, g_new0 (double, MAX (n, 1)), g_free);
}

static double
yuan (gint64 minor)
{
  return minor / 100.0;
}

static char *
money_text (gint64 minor)
{
  return crm_chart_format_value (CRM_CHART_FORMAT_MONEY, yuan (minor), FALSE);
}

static char *
count_text (gint64 n)
{
  return crm_chart_format_value (CRM_CHART_FORMAT_NUMBER, (double) n, FALSE);
}

static CrmChartDateUnit
chart_unit (CrmTimeUnit unit)
{
  switch (unit)
    {
    case CRM_TIME_UNIT_DAY:
      return CRM_CHART_DATE_DAY;
    case CRM_TIME_UNIT_WEEK:
      return CRM_CHART_DATE_WEEK;
    case CRM_TIME_UNIT_MONTH:
      return CRM_CHART_DATE_MONTH;
    case CRM_TIME_UNIT_QUARTER:
    default:
      return CRM_CHART_DATE_QUARTER;
    }
}

/* ---------------------------------------------------------------------- */
/* Sections */

static CrmChartData
tile (const char     *title,
      CrmChartFormat  format,
      double          value,
      double          previous,
      gboolean        lower_is_better)
{
  CrmChartData d;

  crm_chart_data_init (&d);
  d.title = title;
  d.format = format;
  d.value = value;
  d.previous = previous;
  d.target = lower_is_better ? -1 : NAN;
  /* Rates and scores change in points, not in percent of themselves. */
  d.change_in_points = format == CRM_CHART_FORMAT_PERCENT || format == CRM_CHART_FORMAT_SCORE;
  return d;
}

/* A period's churn counts only the customers whose 180 days are over, so
 * until then it reads too low, and says so. */
static const char *
churn_title (const CrmAnalyticsQuery *query)
{
  return crm_analytics_churn_is_final (query) ? _("Churn rate") : _("Churn rate (provisional)");
}

static gboolean
section_kpis (CrmReport               *report,
              CrmStore                *store,
              const CrmAnalyticsQuery *query,
              GError                 **error)
{
  CrmAnalyticsQuery previous;
  CrmKpis *now = crm_report_keep (report, g_new0 (CrmKpis, 1), g_free);
  CrmKpis *before = crm_report_keep (report, g_new0 (CrmKpis, 1), g_free);
  CrmChartData tiles[12];
  guint n = 0;

  crm_analytics_query_previous (query, &previous);
  if (!crm_analytics_kpis (store, query, now, error) ||
      !crm_analytics_kpis (store, &previous, before, error))
    return FALSE;

  crm_report_add_heading (report, _("Key figures"));
  crm_report_add_paragraph (report, _("Arrows compare with the previous period of the same length; "
                                      "blue is better, orange is worse."));
  tiles[n++] = tile (_("Revenue"), CRM_CHART_FORMAT_MONEY, yuan (now->revenue.revenue),
                     yuan (before->revenue.revenue), FALSE);
  tiles[n++] = tile (_("Orders"), CRM_CHART_FORMAT_NUMBER, now->revenue.orders, before->revenue.orders, FALSE);
  tiles[n++] = tile (_("Average order value"), CRM_CHART_FORMAT_MONEY, now->revenue.average_order / 100,
                     before->revenue.average_order / 100, FALSE);
  tiles[n++] = tile (_("Active customers"), CRM_CHART_FORMAT_NUMBER, now->active_customers,
                     before->active_customers, FALSE);
  tiles[n++] = tile (_("New customers"), CRM_CHART_FORMAT_NUMBER, now->new_customers, before->new_customers, FALSE);
  tiles[n++] = tile (_("Repurchase rate"), CRM_CHART_FORMAT_PERCENT, now->repurchase.rate,
                     before->repurchase.rate, FALSE);
  tiles[n++] = tile (churn_title (query), CRM_CHART_FORMAT_PERCENT, now->churn.rate, before->churn.rate, TRUE);
  tiles[n++] = tile (_("Customer lifetime value"), CRM_CHART_FORMAT_MONEY, now->clv / 100, before->clv / 100, FALSE);
  tiles[n++] = tile (_("Deal win rate"), CRM_CHART_FORMAT_PERCENT, now->deal_conversion.rate,
                     before->deal_conversion.rate, FALSE);
  tiles[n++] = tile (_("NPS"), CRM_CHART_FORMAT_SCORE, now->satisfaction.nps, before->satisfaction.nps, FALSE);
  tiles[n++] = tile (_("CSAT (4–5 of 5)"), CRM_CHART_FORMAT_PERCENT, now->satisfaction.csat,
                     before->satisfaction.csat, FALSE);
  tiles[n++] = tile (_("Median first response"), CRM_CHART_FORMAT_HOURS, now->service.response_median,
                     before->service.response_median, TRUE);
  crm_report_add_tiles (report, tiles, n, 4, 66);

  {
    g_autofree char *yoy = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, now->revenue.yoy_growth, FALSE);
    g_autofree char *growth = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, now->revenue.growth, FALSE);
    g_autofree char *lead = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, now->lead_conversion.rate, FALSE);
    g_autofree char *campaign = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, now->campaign_conversion.rate, FALSE);
    /* Translators: a summary under the KPI tiles; each %s is a percentage. */
    g_autofree char *text = g_strdup_printf (_("Sales growth: %s on the previous period, %s year over year. "
                                               "Lead conversion: %s. Campaign conversion (30 days): %s."),
                                             growth, yoy, lead, campaign);

    crm_report_add_paragraph (report, text);
  }
  return TRUE;
}

/* Revenue per bucket of @query and, by position (the n-th day, week or
 * month), of @compare, kept by @report for a chart. */
static gboolean
revenue_series (CrmReport               *report,
                CrmStore                *store,
                const CrmAnalyticsQuery *query,
                const CrmAnalyticsQuery *compare,
                CrmTimeUnit              unit,
                guint                   *n_points,
                double                 **values,
                double                 **compare_values,
                GDate                  **dates,
                GError                 **error)
{
  CrmSalesTrend *now, *before;

  now = crm_analytics_revenue_trend (store, query, unit, error);
  if (now == NULL)
    return FALSE;
  crm_report_keep (report, now, (GDestroyNotify) crm_sales_trend_free);
  before = crm_analytics_revenue_trend (store, compare, unit, error);
  if (before == NULL)
    return FALSE;
  crm_report_keep (report, before, (GDestroyNotify) crm_sales_trend_free);

  *n_points = now->n_points;
  *values = keep_doubles (report, now->n_points);
  *compare_values = keep_doubles (report, now->n_points);
  *dates = crm_report_keep (report, g_new0 (GDate, MAX (now->n_points, 1)), g_free);
  for (guint i = 0; i < now->n_points; i++)
    {
      (*values)[i] = yuan (now->points[i].revenue);
      (*compare_values)[i] = i < before->n_points ? yuan (before->points[i].revenue) : NAN;
      (*dates)[i] = now->points[i].start;
    }
  return TRUE;
}

static gboolean
section_sales_trend (CrmReport               *report,
                     CrmStore                *store,
                     const CrmAnalyticsQuery *query,
                     GError                 **error)
{
  CrmTimeUnit unit = crm_time_unit_for_period (query);
  CrmAnalyticsQuery year_ago, months;
  CrmChartData data;
  CrmChartSeries *series;
  double *now_values, *before_values;
  GDate *dates;
  guint n;

  crm_analytics_query_year_ago (query, &year_ago);
  if (!revenue_series (report, store, query, &year_ago, unit, &n, &now_values, &before_values, &dates, error))
    return FALSE;
  series = crm_report_keep (report, g_new0 (CrmChartSeries, 2), g_free);
  series[0] = (CrmChartSeries) { _("This period"), now_values, FALSE };
  series[1] = (CrmChartSeries) { _("Same period last year"), before_values, TRUE };

  crm_report_add_heading (report, _("Sales trend"));
  crm_chart_data_init (&data);
  data.title = _("Revenue in the period");
  data.n_categories = n;
  data.dates = dates;
  data.date_unit = chart_unit (unit);
  data.n_series = 2;
  data.series = series;
  data.format = CRM_CHART_FORMAT_MONEY;
  data.area = TRUE;
  crm_report_add_chart (report, crm_chart_line_draw, &data, 210);

  /* The twelve months to the period's end, against the twelve before. */
  twelve_months (query, &months);
  crm_analytics_query_year_ago (&months, &year_ago);
  if (!revenue_series (report, store, &months, &year_ago, CRM_TIME_UNIT_MONTH, &n, &now_values, &before_values,
                       &dates, error))
    return FALSE;
  series = crm_report_keep (report, g_new0 (CrmChartSeries, 2), g_free);
  series[0] = (CrmChartSeries) { _("Previous 12 months"), before_values, TRUE };
  series[1] = (CrmChartSeries) { _("Last 12 months"), now_values, FALSE };
  crm_chart_data_init (&data);
  data.title = _("Revenue per month, last 12 months");
  data.n_categories = n;
  data.dates = dates;
  data.date_unit = CRM_CHART_DATE_MONTH;
  data.n_series = 2;
  data.series = series;
  data.format = CRM_CHART_FORMAT_MONEY;
  crm_report_add_chart (report, crm_chart_bar_draw, &data, 210);
  return TRUE;
}

/* The months of the period, at least one: the default pipeline's open
 * deals by expected close (weighted by stage), what was won and lost, the
 * monthly target, then conversion between stages. Deals in a currency
 * other than the pipeline's are left out of the amounts and counted. */
static gboolean
section_forecast (CrmReport               *report,
                  CrmStore                *store,
                  const CrmAnalyticsQuery *query,
                  GError                 **error)
{
  const char *headers[] = { _("Month"), _("Open deals"), _("Open amount"), _("Weighted"), _("Won"), _("Target") };
  const CrmReportAlign aligns[] = { CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END,
                                    CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END };
  const double widths[] = { 0.16, 0.14, 0.18, 0.18, 0.18, 0.16 };
  const char *stage_headers[] = { _("Stage"), _("Probability"), _("Reached"), _("On to the next stage") };
  const CrmReportAlign stage_aligns[] = { CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END,
                                          CRM_REPORT_ALIGN_END };
  const double stage_widths[] = { 0.4, 0.18, 0.18, 0.24 };
  guint table;
  CrmForecast *forecast;
  CrmChartData data;
  CrmChartSeries *series;
  double *weighted, *won, *target;
  GDate *dates;

  forecast = crm_forecast_compute_for_period (store, &query->from, &query->to, error);
  if (forecast == NULL)
    return FALSE;
  crm_report_keep (report, forecast, (GDestroyNotify) crm_forecast_free);

  crm_report_add_heading (report, _("Sales forecast"));
  weighted = keep_doubles (report, forecast->n_months);
  won = keep_doubles (report, forecast->n_months);
  target = keep_doubles (report, forecast->n_months);
  dates = crm_report_keep (report, g_new0 (GDate, MAX (forecast->n_months, 1)), g_free);
  for (guint i = 0; i < forecast->n_months; i++)
    {
      const CrmForecastMonth *m = &forecast->months[i];

      weighted[i] = yuan (m->weighted);
      won[i] = yuan (m->won_amount);
      target[i] = m->target > 0 ? yuan (m->target) : NAN;
      g_date_clear (&dates[i], 1);
      g_date_set_dmy (&dates[i], 1, (GDateMonth) g_ascii_strtoull (m->month + 5, NULL, 10),
                      (GDateYear) g_ascii_strtoull (m->month, NULL, 10));
    }
  series = crm_report_keep (report, g_new0 (CrmChartSeries, 3), g_free);
  series[0] = (CrmChartSeries) { _("Weighted open deals"), weighted, FALSE };
  series[1] = (CrmChartSeries) { _("Won"), won, FALSE };
  series[2] = (CrmChartSeries) { _("Target"), target, TRUE };
  crm_chart_data_init (&data);
  data.title = _("Open deals by expected close month, weighted by stage, against what was won");
  data.n_categories = forecast->n_months;
  data.dates = dates;
  data.date_unit = CRM_CHART_DATE_MONTH;
  data.n_series = 3;
  data.series = series;
  data.format = CRM_CHART_FORMAT_MONEY;
  data.empty_text = _("No deals in these months");
  crm_report_add_chart (report, crm_chart_bar_draw, &data, 210);

  table = crm_report_add_table (report, 6, headers, aligns, widths);
  for (guint i = 0; i < forecast->n_months; i++)
    {
      const CrmForecastMonth *m = &forecast->months[i];
      g_autofree char *open = count_text (m->n_open);
      g_autofree char *amount = money_text (m->open_amount);
      g_autofree char *weighted_text = money_text (m->weighted);
      g_autofree char *won_text = money_text (m->won_amount);
      g_autofree char *target_text = m->target > 0 ? money_text (m->target) : g_strdup ("—");
      const char *cells[] = { m->month, open, amount, weighted_text, won_text, target_text };

      crm_report_table_add_row (report, table, cells);
    }

  if (forecast->n_stages > 0)
    {
      guint stages = crm_report_add_table (report, 4, stage_headers, stage_aligns, stage_widths);

      for (guint i = 0; i < forecast->n_stages; i++)
        {
          const CrmForecastStage *s = &forecast->stages[i];
          g_autofree char *probability = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, s->probability / 100.0, TRUE);
          g_autofree char *reached = count_text (s->reached);
          g_autofree char *conversion = s->conversion >= 0
                                        ? crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, s->conversion, TRUE)
                                        : g_strdup ("—");
          const char *cells[] = { s->name, probability, reached, conversion };

          crm_report_table_add_row (report, stages, cells);
        }
    }
  {
    g_autofree char *rate = forecast->win_rate >= 0
                            ? crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, forecast->win_rate, TRUE)
                            : g_strdup (_("none closed yet"));
    g_autofree char *cycle = forecast->average_cycle_days >= 0
                             ? g_strdup_printf (_("%.0f days"), forecast->average_cycle_days)
                             : g_strdup (_("none won yet"));
    /* Translators: the share of closed deals that were won, then the average days from creation to won. */
    g_autofree char *text = g_strdup_printf (_("Win rate of the deals closed in these months: %s. Average sales cycle: %s."),
                                             rate, cycle);

    crm_report_add_paragraph (report, text);
  }
  if (forecast->n_other_currency > 0)
    {
      /* Translators: %s is the currency of the figures, e.g. CNY. */
      g_autofree char *text = g_strdup_printf (ngettext ("Amounts are in %s; %u deal in another currency is not in them.",
                                                         "Amounts are in %s; %u deals in other currencies are not in them.",
                                                         forecast->n_other_currency),
                                               forecast->currency, forecast->n_other_currency);

      crm_report_add_paragraph (report, text);
    }
  return TRUE;
}

static gboolean
section_top_customers (CrmReport               *report,
                       CrmStore                *store,
                       const CrmAnalyticsQuery *query,
                       GError                 **error)
{
  g_autoptr(GPtrArray) top = crm_analytics_top_customers (store, query, 20, error);
  const char *headers[] = { "#", _("Customer"), _("Revenue"), _("Orders"), _("Last purchase") };
  const CrmReportAlign aligns[] = { CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END,
                                    CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END };
  const double widths[] = { 0.06, 0.44, 0.2, 0.12, 0.18 };
  guint table;

  if (top == NULL)
    return FALSE;
  crm_report_add_heading (report, _("Top customers"));
  if (top->len == 0)
    {
      crm_report_add_paragraph (report, _("No purchases in this period."));
      return TRUE;
    }
  table = crm_report_add_table (report, 5, headers, aligns, widths);
  for (guint i = 0; i < top->len; i++)
    {
      CrmTopCustomer *c = top->pdata[i];
      g_autofree char *rank = g_strdup_printf ("%u", i + 1);
      g_autofree char *revenue = money_text (c->revenue);
      g_autofree char *orders = count_text (c->orders);
      g_autofree char *last = date_text (&c->last_purchase);
      const char *cells[] = { rank, c->name, revenue, orders, last };

      crm_report_table_add_row (report, table, cells);
    }
  return TRUE;
}

static gboolean
section_cohorts (CrmReport               *report,
                 CrmStore                *store,
                 const CrmAnalyticsQuery *query,
                 GError                 **error)
{
  CrmAnalyticsQuery months;
  CrmCohortMatrix *m;
  CrmChartData data;
  const char **rows, **cols, **notes;

  twelve_months (query, &months);
  m = crm_analytics_cohort_retention (store, &months, error);
  if (m == NULL)
    return FALSE;
  crm_report_keep (report, m, (GDestroyNotify) crm_cohort_matrix_free);
  rows = crm_report_keep (report, g_new0 (const char *, m->n_cohorts + 1), g_free);
  notes = crm_report_keep (report, g_new0 (const char *, m->n_cohorts + 1), g_free);
  cols = crm_report_keep (report, g_new0 (const char *, m->n_offsets + 1), g_free);
  for (guint i = 0; i < m->n_cohorts; i++)
    {
      g_autofree char *size = count_text (m->sizes[i]);

      rows[i] = crm_report_keep_string (report, g_strdup_printf ("%04d-%02d", g_date_get_year (&m->cohorts[i]),
                                                                 g_date_get_month (&m->cohorts[i])));
      /* Translators: the size of a cohort in the retention table. */
      notes[i] = crm_report_keep_string (report, g_strdup_printf (_("n = %s"), size));
    }
  for (guint k = 0; k < m->n_offsets; k++)
    /* Translators: month k after a cohort's first purchase (M0, M1, …). */
    cols[k] = crm_report_keep_string (report, g_strdup_printf (_("M%u"), k));

  crm_report_add_heading (report, _("Customer retention by cohort"));
  crm_report_add_paragraph (report, _("Customers grouped by the month of their first purchase; each cell is the "
                                      "share of the group that bought again k months later."));
  crm_chart_data_init (&data);
  data.n_categories = m->n_cohorts;
  data.categories = rows;
  data.row_notes = notes;
  data.n_columns = m->n_offsets;
  data.column_labels = cols;
  data.cells = m->cells;
  crm_report_add_chart (report, crm_chart_heatmap_draw, &data, 300);
  return TRUE;
}

static gboolean
section_churn (CrmReport               *report,
               CrmStore                *store,
               const CrmAnalyticsQuery *query,
               GError                 **error)
{
  CrmAnalyticsQuery months;
  CrmDistribution *lifecycle;
  CrmChartData data;
  CrmChartSeries *series;
  double *rates, *counts;
  GDate *dates;
  const char **labels;
  CrmRatio churn[12];
  gboolean final[12];
  guint n = G_N_ELEMENTS (churn);

  twelve_months (query, &months);
  rates = keep_doubles (report, n);
  dates = crm_report_keep (report, g_new0 (GDate, n), g_free);
  if (!crm_analytics_churn_by_month (store, &months, n, churn, final, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      /* A month whose customers' 180 days are not over yet would read as
       * low churn: it is left out until it is final, as the text says. */
      rates[i] = final[i] ? churn[i].rate : NAN;
      dates[i] = months.from;
      g_date_add_months (&dates[i], i);
    }
  series = crm_report_keep (report, g_new0 (CrmChartSeries, 1), g_free);
  series[0] = (CrmChartSeries) { _("Churn rate"), rates, FALSE };

  crm_report_add_heading (report, _("Churn"));
  crm_report_add_paragraph (report, _("Churn rate: customers active at the start of a month (a purchase in the "
                                      "365 days before) who bought nothing in the month and nothing in the 180 "
                                      "days after their last purchase. Recent months are counted once their 180 "
                                      "days are over."));
  crm_chart_data_init (&data);
  data.title = _("Churn rate per month");
  data.n_categories = n;
  data.dates = dates;
  data.date_unit = CRM_CHART_DATE_MONTH;
  data.n_series = 1;
  data.series = series;
  data.format = CRM_CHART_FORMAT_PERCENT;
  crm_report_add_chart (report, crm_chart_line_draw, &data, 190);

  lifecycle = crm_analytics_lifecycle (store, query, error);
  if (lifecycle == NULL)
    return FALSE;
  crm_report_keep (report, lifecycle, (GDestroyNotify) crm_distribution_free);
  counts = keep_doubles (report, lifecycle->n);
  labels = crm_report_keep (report, g_new0 (const char *, lifecycle->n + 1), g_free);
  for (guint i = 0; i < lifecycle->n; i++)
    {
      counts[i] = lifecycle->counts[i];
      labels[i] = crm_analytics_category_label (lifecycle->keys[i]);
    }
  series = crm_report_keep (report, g_new0 (CrmChartSeries, 1), g_free);
  series[0] = (CrmChartSeries) { _("Customers"), counts, FALSE };
  crm_chart_data_init (&data);
  data.title = _("Customers by lifecycle stage (now)");
  data.n_categories = lifecycle->n;
  data.categories = labels;
  data.n_series = 1;
  data.series = series;
  crm_report_add_chart (report, crm_chart_bar_draw, &data, 180);
  return TRUE;
}

static gboolean
section_rfm (CrmReport               *report,
             CrmStore                *store,
             const CrmAnalyticsQuery *query,
             GError                 **error)
{
  CrmDistribution *rfm = crm_analytics_rfm_segments (store, query, error);
  const char *headers[] = { _("Segment"), _("Customers"), _("Share"), _("Revenue in the period") };
  const CrmReportAlign aligns[] = { CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END,
                                    CRM_REPORT_ALIGN_END };
  CrmChartData data;
  CrmChartSeries *series;
  double *counts;
  const char **labels;
  guint table;

  if (rfm == NULL)
    return FALSE;
  crm_report_keep (report, rfm, (GDestroyNotify) crm_distribution_free);
  counts = keep_doubles (report, rfm->n);
  labels = crm_report_keep (report, g_new0 (const char *, rfm->n + 1), g_free);
  for (guint i = 0; i < rfm->n; i++)
    {
      counts[i] = rfm->counts[i];
      labels[i] = crm_analytics_category_label (rfm->keys[i]);
    }
  series = crm_report_keep (report, g_new0 (CrmChartSeries, 1), g_free);
  series[0] = (CrmChartSeries) { _("Customers"), counts, FALSE };

  crm_report_add_heading (report, _("RFM segments"));
  crm_chart_data_init (&data);
  data.title = _("Customers per RFM segment");
  data.n_categories = rfm->n;
  data.categories = labels;
  data.n_series = 1;
  data.series = series;
  crm_report_add_chart (report, crm_chart_bar_draw, &data, 180);
  table = crm_report_add_table (report, 4, headers, aligns, NULL);
  for (guint i = 0; i < rfm->n; i++)
    {
      g_autofree char *count = count_text (rfm->counts[i]);
      g_autofree char *share = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT,
                                                       rfm->total > 0 ? (double) rfm->counts[i] / rfm->total : NAN,
                                                       FALSE);
      g_autofree char *revenue = money_text (rfm->amounts[i]);
      const char *cells[] = { labels[i], count, share, revenue };

      crm_report_table_add_row (report, table, cells);
    }
  return TRUE;
}

static gboolean
section_funnel (CrmReport               *report,
                CrmStore                *store,
                const CrmAnalyticsQuery *query,
                GError                 **error)
{
  CrmAnalyticsQuery months;
  CrmPipelineSummary *pipeline;
  CrmChartData data;
  CrmChartSeries *series;
  double *reached;
  const char **names;
  const char *headers[] = { _("Stage"), _("Probability"), _("Open deals"), _("Amount"), _("Weighted") };
  const CrmReportAlign aligns[] = { CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END,
                                    CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END };
  const double widths[] = { 0.36, 0.13, 0.13, 0.19, 0.19 };
  guint table;
  gint64 open_count = 0, open_amount = 0;

  twelve_months (query, &months);
  pipeline = crm_analytics_pipeline (store, &months, error);
  if (pipeline == NULL)
    return FALSE;
  crm_report_keep (report, pipeline, (GDestroyNotify) crm_pipeline_summary_free);
  reached = keep_doubles (report, pipeline->n_stages);
  names = crm_report_keep (report, g_new0 (const char *, pipeline->n_stages + 1), g_free);
  for (guint i = 0; i < pipeline->n_stages; i++)
    {
      reached[i] = pipeline->stages[i].reached;
      names[i] = pipeline->stages[i].name;
    }
  series = crm_report_keep (report, g_new0 (CrmChartSeries, 1), g_free);
  series[0] = (CrmChartSeries) { _("Deals"), reached, FALSE };

  crm_report_add_heading (report, _("Sales pipeline"));
  crm_chart_data_init (&data);
  data.title = _("Deals created in the last 12 months, by the furthest stage reached");
  data.n_categories = pipeline->n_stages;
  data.categories = names;
  data.n_series = 1;
  data.series = series;
  data.empty_text = _("No pipeline yet");
  crm_report_add_chart (report, crm_chart_funnel_draw, &data, 40 + 24.0 * MAX (pipeline->n_stages, 3));

  table = crm_report_add_table (report, 5, headers, aligns, widths);
  for (guint i = 0; i < pipeline->n_stages; i++)
    {
      CrmPipelineStage *s = &pipeline->stages[i];
      g_autofree char *probability = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, s->probability / 100.0, TRUE);
      g_autofree char *count = count_text (s->open_count);
      g_autofree char *amount = money_text (s->open_amount);
      g_autofree char *weighted = money_text ((gint64) round (s->weighted_amount));
      const char *cells[] = { s->name, probability, count, amount, weighted };

      if (s->is_won)
        continue;
      open_count += s->open_count;
      open_amount += s->open_amount;
      crm_report_table_add_row (report, table, cells);
    }
  {
    g_autofree char *count = count_text (open_count);
    g_autofree char *amount = money_text (open_amount);
    g_autofree char *forecast = money_text ((gint64) round (pipeline->forecast));
    const char *cells[] = { _("Forecast (all open deals)"), "", count, amount, forecast };

    crm_report_table_add_row (report, table, cells);
  }
  return TRUE;
}

static gboolean
section_nps (CrmReport               *report,
             CrmStore                *store,
             const CrmAnalyticsQuery *query,
             GError                 **error)
{
  CrmSatisfaction *s = crm_report_keep (report, g_new0 (CrmSatisfaction, 1), g_free);
  CrmAnalyticsQuery months;
  CrmSatisfactionTrend *trend;
  CrmChartData data;
  CrmChartSeries *series;
  double *counts, *nps;
  GDate *dates;

  if (!crm_analytics_satisfaction (store, query, s, error))
    return FALSE;
  counts = keep_doubles (report, 11);
  for (guint i = 0; i < 11; i++)
    counts[i] = s->nps_counts[i];
  series = crm_report_keep (report, g_new0 (CrmChartSeries, 1), g_free);
  series[0] = (CrmChartSeries) { _("Answers"), counts, FALSE };

  crm_report_add_heading (report, _("Customer satisfaction"));
  {
    g_autofree char *answers = count_text (s->nps_answers);
    g_autofree char *csat = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, s->csat, FALSE);
    g_autofree char *average = isnan (s->csat_average) ? g_strdup (_("n/a")) : g_strdup_printf ("%.2f", s->csat_average);
    /* Translators: %s are a count, a percentage and an average (e.g. 4.21). */
    g_autofree char *text = g_strdup_printf (_("%s answers to “How likely are you to recommend us?” in the period. "
                                               "CSAT: %s satisfied (4–5 of 5), average %s."),
                                             answers, csat, average);

    crm_report_add_paragraph (report, text);
  }
  crm_chart_data_init (&data);
  data.title = _("How likely are you to recommend us? (0–10)");
  data.n_categories = 11;
  data.n_series = 1;
  data.series = series;
  data.value = s->nps;
  crm_report_add_chart (report, crm_chart_nps_draw, &data, 200);

  twelve_months (query, &months);
  trend = crm_analytics_satisfaction_trend (store, &months, error);
  if (trend == NULL)
    return FALSE;
  crm_report_keep (report, trend, (GDestroyNotify) crm_satisfaction_trend_free);
  nps = keep_doubles (report, trend->n);
  dates = crm_report_keep (report, g_new0 (GDate, trend->n), g_free);
  for (guint i = 0; i < trend->n; i++)
    {
      nps[i] = trend->nps[i];
      dates[i] = trend->months[i];
    }
  series = crm_report_keep (report, g_new0 (CrmChartSeries, 1), g_free);
  series[0] = (CrmChartSeries) { _("NPS"), nps, FALSE };
  crm_chart_data_init (&data);
  data.title = _("NPS per month");
  data.n_categories = trend->n;
  data.dates = dates;
  data.date_unit = CRM_CHART_DATE_MONTH;
  data.n_series = 1;
  data.series = series;
  crm_report_add_chart (report, crm_chart_line_draw, &data, 170);
  return TRUE;
}

static gboolean
section_service (CrmReport               *report,
                 CrmStore                *store,
                 const CrmAnalyticsQuery *query,
                 GError                 **error)
{
  CrmServiceTimes t;
  const char *headers[] = { _("Complaints"), _("Median"), _("90th percentile") };
  const CrmReportAlign aligns[] = { CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END };
  const double widths[] = { 0.5, 0.25, 0.25 };
  guint table;

  if (!crm_analytics_service_times (store, query, &t, error))
    return FALSE;
  crm_report_add_heading (report, _("Service: complaint handling"));
  {
    g_autofree char *complaints = count_text (t.complaints);
    g_autofree char *open = count_text (t.open);
    g_autofree char *resolved = count_text (t.resolved);
    /* Translators: each %s is a count of complaints. */
    g_autofree char *text = g_strdup_printf (_("%s complaints received in the period: %s resolved, %s still open."),
                                             complaints, resolved, open);

    crm_report_add_paragraph (report, text);
  }
  table = crm_report_add_table (report, 3, headers, aligns, widths);
  {
    g_autofree char *m = crm_chart_format_value (CRM_CHART_FORMAT_HOURS, t.response_median, FALSE);
    g_autofree char *p = crm_chart_format_value (CRM_CHART_FORMAT_HOURS, t.response_p90, FALSE);
    const char *cells[] = { _("Time to first response"), m, p };

    crm_report_table_add_row (report, table, cells);
  }
  {
    g_autofree char *m = crm_chart_format_value (CRM_CHART_FORMAT_HOURS, t.resolution_median, FALSE);
    g_autofree char *p = crm_chart_format_value (CRM_CHART_FORMAT_HOURS, t.resolution_p90, FALSE);
    const char *cells[] = { _("Time to resolution"), m, p };

    crm_report_table_add_row (report, table, cells);
  }
  return TRUE;
}

/* Retention curves: per cohort, the share still buying k months after the
 * first purchase; the latest six cohorts and the average of all, weighted
 * by cohort size. */
static gboolean
section_retention_curves (CrmReport               *report,
                          CrmStore                *store,
                          const CrmAnalyticsQuery *query,
                          GError                 **error)
{
  CrmAnalyticsQuery months;
  CrmCohortMatrix *m;
  CrmChartData data;
  CrmChartSeries *series;
  const char **labels;
  double *average;
  guint n_shown, first_shown, n_series = 0;

  twelve_months (query, &months);
  m = crm_analytics_cohort_retention (store, &months, error);
  if (m == NULL)
    return FALSE;
  crm_report_keep (report, m, (GDestroyNotify) crm_cohort_matrix_free);
  labels = crm_report_keep (report, g_new0 (const char *, m->n_offsets + 1), g_free);
  for (guint k = 0; k < m->n_offsets; k++)
    labels[k] = crm_report_keep_string (report, g_strdup_printf (_("M%u"), k));
  average = keep_doubles (report, m->n_offsets);
  for (guint k = 0; k < m->n_offsets; k++)
    {
      double kept = 0, size = 0;

      for (guint i = 0; i < m->n_cohorts; i++)
        {
          double v = crm_cohort_matrix_get (m, i, k);

          if (!isnan (v) && m->sizes[i] > 0)
            {
              kept += v * m->sizes[i];
              size += m->sizes[i];
            }
        }
      average[k] = size > 0 ? kept / size : NAN;
    }

  /* The newest cohort has one month only: leave out those with fewer than
   * two observed months. */
  n_shown = m->n_cohorts > 1 ? MIN (6, m->n_cohorts - 1) : 0;
  first_shown = m->n_cohorts > 1 ? m->n_cohorts - 1 - n_shown : 0;
  series = crm_report_keep (report, g_new0 (CrmChartSeries, n_shown + 1), g_free);
  for (guint i = first_shown; i < first_shown + n_shown; i++)
    {
      double *values = keep_doubles (report, m->n_offsets);

      for (guint k = 0; k < m->n_offsets; k++)
        values[k] = crm_cohort_matrix_get (m, i, k);
      series[n_series++] = (CrmChartSeries) {
        crm_report_keep_string (report, g_strdup_printf ("%04d-%02d", g_date_get_year (&m->cohorts[i]),
                                                         g_date_get_month (&m->cohorts[i]))),
        values, FALSE };
    }
  /* Translators: the retention curve averaged over all cohorts. */
  series[n_series++] = (CrmChartSeries) { _("All cohorts"), average, TRUE };

  crm_report_add_heading (report, _("Retention curves"));
  crm_report_add_paragraph (report, _("The share of each group of new customers that bought again in each month "
                                      "after their first purchase (M0 is the month of the first purchase). The "
                                      "dashed line is the average of all groups, weighted by their size."));
  crm_chart_data_init (&data);
  data.title = _("Customers buying again, by months since the first purchase");
  data.n_categories = m->n_offsets;
  data.categories = labels;
  data.n_series = n_series;
  data.series = series;
  data.format = CRM_CHART_FORMAT_PERCENT;
  crm_report_add_chart (report, crm_chart_line_draw, &data, 240);
  return TRUE;
}

static gboolean
section_retention_summary (CrmReport               *report,
                           CrmStore                *store,
                           const CrmAnalyticsQuery *query,
                           GError                 **error)
{
  CrmAnalyticsQuery previous;
  CrmKpis *now = crm_report_keep (report, g_new0 (CrmKpis, 1), g_free);
  CrmKpis *before = crm_report_keep (report, g_new0 (CrmKpis, 1), g_free);
  CrmChartData tiles[4];

  crm_analytics_query_previous (query, &previous);
  if (!crm_analytics_active_customers (store, query, &now->active_customers, error) ||
      !crm_analytics_active_customers (store, &previous, &before->active_customers, error) ||
      !crm_analytics_new_customers (store, query, &now->new_customers, error) ||
      !crm_analytics_new_customers (store, &previous, &before->new_customers, error) ||
      !crm_analytics_repurchase_rate (store, query, &now->repurchase, error) ||
      !crm_analytics_repurchase_rate (store, &previous, &before->repurchase, error) ||
      !crm_analytics_churn_rate (store, query, &now->churn, error) ||
      !crm_analytics_churn_rate (store, &previous, &before->churn, error))
    return FALSE;
  crm_report_add_heading (report, _("Customers kept and lost"));
  tiles[0] = tile (_("Active customers"), CRM_CHART_FORMAT_NUMBER, now->active_customers,
                   before->active_customers, FALSE);
  tiles[1] = tile (_("New customers"), CRM_CHART_FORMAT_NUMBER, now->new_customers, before->new_customers, FALSE);
  tiles[2] = tile (_("Repurchase rate"), CRM_CHART_FORMAT_PERCENT, now->repurchase.rate, before->repurchase.rate,
                   FALSE);
  tiles[3] = tile (churn_title (query), CRM_CHART_FORMAT_PERCENT, now->churn.rate, before->churn.rate, TRUE);
  crm_report_add_tiles (report, tiles, 4, 4, 66);
  return TRUE;
}

/* Sales per owner, region or product: the ten biggest as bars, all in a
 * table with their share and the change on the previous period. */
static gboolean
sales_by (CrmReport               *report,
          CrmStore                *store,
          const CrmAnalyticsQuery *query,
          CrmSalesDimension        dimension,
          GError                 **error)
{
  g_autoptr(GPtrArray) groups = crm_analytics_sales_by (store, query, dimension, 0, error);
  const char *name = dimension == CRM_SALES_BY_OWNER ? _("Owner")
                     : dimension == CRM_SALES_BY_PROVINCE ? _("Region") : _("Product");
  const char *headers[] = { name, _("Revenue"), _("Share"), _("Orders"), _("Customers"), _("Change") };
  const CrmReportAlign aligns[] = { CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END,
                                    CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END };
  const double widths[] = { 0.32, 0.2, 0.1, 0.12, 0.12, 0.14 };
  const char *none = dimension == CRM_SALES_BY_OWNER ? _("No owner")
                     : dimension == CRM_SALES_BY_PROVINCE ? _("No region") : _("No product");
  CrmChartData data;
  CrmChartSeries *series;
  double *values;
  const char **labels;
  gint64 total = 0;
  guint n_bars, table;

  if (groups == NULL)
    return FALSE;
  crm_report_add_heading (report, dimension == CRM_SALES_BY_OWNER ? _("Sales by owner")
                                  : dimension == CRM_SALES_BY_PROVINCE ? _("Sales by region")
                                  : _("Sales by product"));
  if (groups->len == 0)
    {
      crm_report_add_paragraph (report, _("No purchases in this period."));
      return TRUE;
    }
  for (guint i = 0; i < groups->len; i++)
    total += ((CrmSalesGroup *) groups->pdata[i])->revenue;

  n_bars = MIN (groups->len, 10);
  values = keep_doubles (report, n_bars);
  labels = crm_report_keep (report, g_new0 (const char *, n_bars + 1), g_free);
  for (guint i = 0; i < n_bars; i++)
    {
      CrmSalesGroup *g = groups->pdata[i];

      values[i] = yuan (g->revenue);
      labels[i] = crm_report_keep_string (report, g_strdup (g->label != NULL ? g->label : none));
    }
  series = crm_report_keep (report, g_new0 (CrmChartSeries, 1), g_free);
  series[0] = (CrmChartSeries) { _("Revenue"), values, FALSE };
  crm_chart_data_init (&data);
  data.title = groups->len > 10 ? _("Revenue, the ten biggest") : _("Revenue");
  data.n_categories = n_bars;
  data.categories = labels;
  data.n_series = 1;
  data.series = series;
  data.format = CRM_CHART_FORMAT_MONEY;
  crm_report_add_chart (report, crm_chart_bar_draw, &data, 200);

  table = crm_report_add_table (report, 6, headers, aligns, widths);
  for (guint i = 0; i < groups->len; i++)
    {
      CrmSalesGroup *g = groups->pdata[i];
      g_autofree char *revenue = money_text (g->revenue);
      g_autofree char *share = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT,
                                                       total > 0 ? (double) g->revenue / total : NAN, FALSE);
      g_autofree char *orders = count_text (g->orders);
      g_autofree char *customers = count_text (g->customers);
      g_autofree char *change = NULL;
      const char *cells[6];

      if (g->previous_revenue > 0)
        {
          double c = (double) (g->revenue - g->previous_revenue) / g->previous_revenue;
          g_autofree char *amount = crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, fabs (c), FALSE);

          change = g_strdup_printf ("%s%s", c < 0 ? "−" : "+", amount);
        }
      else
        /* Translators: no sales in the previous period to compare with. */
        change = g_strdup (_("new"));
      cells[0] = g->label != NULL ? g->label : none;
      cells[1] = revenue;
      cells[2] = share;
      cells[3] = orders;
      cells[4] = customers;
      cells[5] = change;
      crm_report_table_add_row (report, table, cells);
    }
  return TRUE;
}

static gboolean
section_sales_by_owner (CrmReport *report, CrmStore *store, const CrmAnalyticsQuery *query, GError **error)
{
  return sales_by (report, store, query, CRM_SALES_BY_OWNER, error);
}

static gboolean
section_sales_by_region (CrmReport *report, CrmStore *store, const CrmAnalyticsQuery *query, GError **error)
{
  return sales_by (report, store, query, CRM_SALES_BY_PROVINCE, error);
}

static gboolean
section_sales_by_product (CrmReport *report, CrmStore *store, const CrmAnalyticsQuery *query, GError **error)
{
  return sales_by (report, store, query, CRM_SALES_BY_PRODUCT, error);
}

static gboolean
section_campaigns (CrmReport               *report,
                   CrmStore                *store,
                   const CrmAnalyticsQuery *query,
                   GError                 **error)
{
  CrmAnalyticsQuery previous;
  CrmRatio response, conversion, response_before, conversion_before;
  CrmChartData tiles[3];

  crm_analytics_query_previous (query, &previous);
  if (!crm_analytics_campaigns (store, query, &response, &conversion, error) ||
      !crm_analytics_campaigns (store, &previous, &response_before, &conversion_before, error))
    return FALSE;
  crm_report_add_heading (report, _("Campaigns"));
  if (response.denominator == 0)
    {
      crm_report_add_paragraph (report, _("No campaign messages were sent in this period."));
      return TRUE;
    }
  {
    g_autofree char *sent = count_text (response.denominator);
    /* Translators: %s is a number of campaign messages. */
    g_autofree char *text = g_strdup_printf (_("%s campaign messages sent in the period. Response: members who "
                                               "opened, answered or bought; conversion: members with a purchase "
                                               "within 30 days after being sent."), sent);

    crm_report_add_paragraph (report, text);
  }
  tiles[0] = tile (_("Messages sent"), CRM_CHART_FORMAT_NUMBER, response.denominator, response_before.denominator,
                   FALSE);
  tiles[1] = tile (_("Response rate"), CRM_CHART_FORMAT_PERCENT, response.rate, response_before.rate, FALSE);
  tiles[2] = tile (_("Conversion rate"), CRM_CHART_FORMAT_PERCENT, conversion.rate, conversion_before.rate, FALSE);
  crm_report_add_tiles (report, tiles, 3, 3, 66);
  return TRUE;
}

/* ---------------------------------------------------------------------- */

typedef gboolean (*SectionFunc) (CrmReport *, CrmStore *, const CrmAnalyticsQuery *, GError **);

static const char *
report_title (const char *name)
{
  if (g_str_equal (name, "monthly"))
    return _("Monthly management report");
  if (g_str_equal (name, "kpis"))
    return _("Key figures");
  if (g_str_equal (name, "sales-trend"))
    return _("Sales trend");
  if (g_str_equal (name, "cohort-retention"))
    return _("Customer retention by cohort");
  if (g_str_equal (name, "churn"))
    return _("Churn");
  if (g_str_equal (name, "rfm"))
    return _("RFM segments");
  if (g_str_equal (name, "funnel"))
    return _("Sales pipeline");
  if (g_str_equal (name, "nps"))
    return _("Customer satisfaction");
  if (g_str_equal (name, "retention"))
    return _("Customer retention report");
  if (g_str_equal (name, "sales-by-owner"))
    return _("Sales by owner");
  if (g_str_equal (name, "sales-by-region"))
    return _("Sales by region");
  if (g_str_equal (name, "sales-by-product"))
    return _("Sales by product");
  if (g_str_equal (name, "campaigns"))
    return _("Campaign report");
  if (g_str_equal (name, "forecast"))
    return _("Sales forecast");
  return _("Service: complaint handling");
}

const char *
crm_report_builder_get_title (const char *name)
{
  g_return_val_if_fail (crm_report_builder_has_name (name), NULL);

  return report_title (name);
}

CrmReport *
crm_report_builder_build (CrmStore                *store,
                          const char              *name,
                          const CrmAnalyticsQuery *query,
                          GError                 **error)
{
  return crm_report_builder_build_full (store, name, query, NULL, NULL, NULL, error);
}

CrmReport *
crm_report_builder_build_full (CrmStore                *store,
                               const char              *name,
                               const CrmAnalyticsQuery *query,
                               GCancellable            *cancellable,
                               CrmReportProgressFunc    progress,
                               gpointer                 user_data,
                               GError                 **error)
{
  /* Each report's sections in the order a manager reads them. */
  static const struct { const char *name; SectionFunc sections[10]; } reports[] = {
    { "kpis", { section_kpis } },
    { "sales-trend", { section_sales_trend } },
    { "cohort-retention", { section_cohorts } },
    { "churn", { section_churn } },
    { "rfm", { section_rfm } },
    { "funnel", { section_funnel } },
    { "nps", { section_nps } },
    { "service", { section_service } },
    { "monthly", { section_kpis, section_sales_trend, section_top_customers, section_cohorts, section_churn,
                   section_rfm, section_funnel, section_nps, section_service } },
    { "retention", { section_retention_summary, section_cohorts, section_retention_curves, section_churn } },
    { "sales-by-owner", { section_sales_by_owner } },
    { "sales-by-region", { section_sales_by_region } },
    { "sales-by-product", { section_sales_by_product, section_top_customers } },
    { "campaigns", { section_campaigns } },
    { "forecast", { section_forecast } },
  };
  g_autoptr(CrmReport) report = NULL;
  g_autofree char *period = crm_report_builder_format_period (query);
  g_autofree char *company = crm_store_get_meta (store, "company_name");

  if (!crm_report_builder_has_name (name))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) report_names);

      g_set_error (error, CRM_REPORT_ERROR, CRM_REPORT_ERROR_UNKNOWN,
                   _("There is no report “%s”. Reports: %s."), name, names);
      return NULL;
    }
  report = crm_report_new (report_title (name), company != NULL ? company : _("Customer relationship management"),
                           period);

  for (guint r = 0; r < G_N_ELEMENTS (reports); r++)
    {
      guint n = 0;

      if (!g_str_equal (reports[r].name, name))
        continue;
      while (n < G_N_ELEMENTS (reports[r].sections) && reports[r].sections[n] != NULL)
        n++;
      for (guint i = 0; i < n; i++)
        {
          if (progress != NULL)
            progress ((double) i / n, user_data);
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return NULL;
          if (!reports[r].sections[i] (report, store, query, error))
            return NULL;
        }
    }
  /* Laying out the pages is the last step; callers get it done. */
  crm_report_paginate (report);
  if (progress != NULL)
    progress (1.0, user_data);
  return g_steal_pointer (&report);
}
