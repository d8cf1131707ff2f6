/* crm-cli-report.c: crmctl report, KPIs and chart reports to PDF, SVG, PNG, CSV or JSON without a display */

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crm-json.h"
#include "crm-runtime.h"
#include "crm-analytics.h"
#include "crm-cli-commands.h"
#include "crm-forecast.h"
#include "crm-report-builder.h"

/* The data behind a report as a table: CSV and JSON are written from it. */
typedef struct
{
  GPtrArray *columns;   /* char * */
  GPtrArray *rows;      /* GPtrArray of char *, NULL for an empty cell */
} DataTable;

static void
data_table_free (DataTable *t)
{
  g_ptr_array_unref (t->columns);
  g_ptr_array_unref (t->rows);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DataTable, data_table_free)

static DataTable *
data_table_new (const char *first_column,
                ...)
{
  DataTable *t = g_new0 (DataTable, 1);
  va_list args;
  const char *name;

  t->columns = g_ptr_array_new_with_free_func (g_free);
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  va_start (args, first_column);
  for (name = first_column; name != NULL; name = va_arg (args, const char *))
    g_ptr_array_add (t->columns, g_strdup (name));
  va_end (args);
  return t;
}

static GPtrArray *
data_table_row (DataTable *t)
{
  GPtrArray *row = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (t->rows, row);
  return row;
}

static void
cell_text (GPtrArray  *row,
           const char *text)
{
  g_ptr_array_add (row, g_strdup (text));
}

static void
cell_int (GPtrArray *row,
          gint64     value)
{
  g_ptr_array_add (row, g_strdup_printf ("%" G_GINT64_FORMAT, value));
}

/* NaN ("no data") is an empty cell. */
static void
cell_double (GPtrArray *row,
             double     value,
             int        decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];

  if (isnan (value) || isinf (value))
    {
      g_ptr_array_add (row, NULL);
      return;
    }
  g_snprintf (format, sizeof format, "%%.%df", decimals);
  g_ptr_array_add (row, g_strdup (g_ascii_formatd (buf, sizeof buf, format, value)));
}

static void
cell_money (GPtrArray *row,
            double     minor)
{
  cell_double (row, minor / 100.0, 2);
}

static void
kpi_row (DataTable  *t,
         const char *name,
         double      value,
         int         decimals)
{
  GPtrArray *row = data_table_row (t);

  cell_text (row, name);
  cell_double (row, value, decimals);
}

static char *
month_key (const GDate *date)
{
  return g_strdup_printf ("%04d-%02d", g_date_get_year (date), g_date_get_month (date));
}

static DataTable *
kpis_table (CrmStore                *store,
            const CrmAnalyticsQuery *query,
            GError                 **error)
{
  g_autoptr(DataTable) t = data_table_new ("kpi", "value", NULL);
  CrmKpis k;

  if (!crm_analytics_kpis (store, query, &k, error))
    return NULL;
  kpi_row (t, "revenue", k.revenue.revenue / 100.0, 2);
  kpi_row (t, "orders", k.revenue.orders, 0);
  kpi_row (t, "customers", k.revenue.customers, 0);
  kpi_row (t, "average_order_value", k.revenue.average_order / 100.0, 2);
  kpi_row (t, "previous_revenue", k.revenue.previous_revenue / 100.0, 2);
  kpi_row (t, "sales_growth", k.revenue.growth, 4);
  kpi_row (t, "year_ago_revenue", k.revenue.year_ago_revenue / 100.0, 2);
  kpi_row (t, "sales_growth_yoy", k.revenue.yoy_growth, 4);
  kpi_row (t, "active_customers", k.active_customers, 0);
  kpi_row (t, "new_customers", k.new_customers, 0);
  kpi_row (t, "repurchase_rate", k.repurchase.rate, 4);
  kpi_row (t, "churn_rate", k.churn.rate, 4);
  kpi_row (t, "clv", k.clv / 100.0, 2);
  kpi_row (t, "deal_conversion", k.deal_conversion.rate, 4);
  kpi_row (t, "lead_conversion", k.lead_conversion.rate, 4);
  kpi_row (t, "campaign_response", k.campaign_response.rate, 4);
  kpi_row (t, "campaign_conversion", k.campaign_conversion.rate, 4);
  kpi_row (t, "nps", k.satisfaction.nps, 1);
  kpi_row (t, "nps_answers", k.satisfaction.nps_answers, 0);
  kpi_row (t, "csat", k.satisfaction.csat, 4);
  kpi_row (t, "csat_average", k.satisfaction.csat_average, 2);
  kpi_row (t, "complaints", k.service.complaints, 0);
  kpi_row (t, "complaints_open", k.service.open, 0);
  kpi_row (t, "response_median_hours", k.service.response_median, 2);
  kpi_row (t, "response_p90_hours", k.service.response_p90, 2);
  kpi_row (t, "resolution_median_hours", k.service.resolution_median, 2);
  kpi_row (t, "resolution_p90_hours", k.service.resolution_p90, 2);
  return g_steal_pointer (&t);
}

static DataTable *
sales_trend_table (CrmStore                *store,
                   const CrmAnalyticsQuery *query,
                   CrmTimeUnit              unit,
                   GError                 **error)
{
  g_autoptr(DataTable) t = data_table_new ("period", "revenue", "orders", "customers", NULL);
  g_autoptr(CrmSalesTrend) trend = crm_analytics_sales_trend (store, query, unit, error);

  if (trend == NULL)
    return NULL;
  for (guint i = 0; i < trend->n_points; i++)
    {
      GPtrArray *row = data_table_row (t);

      g_ptr_array_add (row, crm_time_unit_format_key (unit, &trend->points[i].start));
      cell_money (row, trend->points[i].revenue);
      cell_int (row, trend->points[i].orders);
      cell_int (row, trend->points[i].customers);
    }
  return g_steal_pointer (&t);
}

static DataTable *
cohort_table (CrmStore                *store,
              const CrmAnalyticsQuery *query,
              GError                 **error)
{
  g_autoptr(CrmCohortMatrix) m = crm_analytics_cohort_retention (store, query, error);
  g_autoptr(DataTable) t = NULL;

  if (m == NULL)
    return NULL;
  t = data_table_new ("cohort", "size", NULL);
  for (guint k = 0; k < m->n_offsets; k++)
    g_ptr_array_add (t->columns, g_strdup_printf ("m%u", k));
  for (guint i = 0; i < m->n_cohorts; i++)
    {
      GPtrArray *row = data_table_row (t);

      g_ptr_array_add (row, month_key (&m->cohorts[i]));
      cell_int (row, m->sizes[i]);
      for (guint k = 0; k < m->n_offsets; k++)
        cell_double (row, crm_cohort_matrix_get (m, i, k), 4);
    }
  return g_steal_pointer (&t);
}

static DataTable *
churn_table (CrmStore                *store,
             const CrmAnalyticsQuery *query,
             GError                 **error)
{
  g_autoptr(DataTable) t = data_table_new ("month", "active_at_start", "churned", "churn_rate", NULL);
  GDate month = query->from;

  g_date_set_day (&month, 1);
  for (; g_date_compare (&month, &query->to) <= 0; g_date_add_months (&month, 1))
    {
      CrmAnalyticsQuery q = *query;
      CrmRatio churn;
      GPtrArray *row;

      q.from = month;
      q.to = month;
      g_date_set_day (&q.to, g_date_get_days_in_month (g_date_get_month (&month), g_date_get_year (&month)));
      if (!crm_analytics_churn_rate (store, &q, &churn, error))
        return NULL;
      row = data_table_row (t);
      g_ptr_array_add (row, month_key (&month));
      cell_int (row, churn.denominator);
      cell_int (row, churn.numerator);
      cell_double (row, churn.rate, 4);
    }
  return g_steal_pointer (&t);
}

static DataTable *
rfm_table (CrmStore                *store,
           const CrmAnalyticsQuery *query,
           GError                 **error)
{
  g_autoptr(DataTable) t = data_table_new ("segment", "customers", "revenue", NULL);
  g_autoptr(CrmDistribution) d = crm_analytics_rfm_segments (store, query, error);

  if (d == NULL)
    return NULL;
  for (guint i = 0; i < d->n; i++)
    {
      GPtrArray *row = data_table_row (t);

      cell_text (row, d->keys[i]);
      cell_int (row, d->counts[i]);
      cell_money (row, d->amounts[i]);
    }
  return g_steal_pointer (&t);
}

static DataTable *
funnel_table (CrmStore                *store,
              const CrmAnalyticsQuery *query,
              GError                 **error)
{
  g_autoptr(DataTable) t = data_table_new ("stage", "reached", "probability", "open_deals", "open_amount",
                                           "weighted_amount", NULL);
  g_autoptr(CrmPipelineSummary) p = crm_analytics_pipeline (store, query, error);

  if (p == NULL)
    return NULL;
  for (guint i = 0; i < p->n_stages; i++)
    {
      GPtrArray *row = data_table_row (t);

      cell_text (row, p->stages[i].name);
      cell_int (row, p->stages[i].reached);
      cell_int (row, p->stages[i].probability);
      cell_int (row, p->stages[i].open_count);
      cell_money (row, p->stages[i].open_amount);
      cell_money (row, p->stages[i].weighted_amount);
    }
  return g_steal_pointer (&t);
}

/* One row per month: the default pipeline's open deals by expected close
 * (weighted by stage), won and lost deals, and the monthly target. */
static DataTable *
forecast_table (CrmStore                *store,
                const CrmAnalyticsQuery *query,
                GError                 **error)
{
  g_autoptr(DataTable) t = data_table_new ("month", "open_deals", "open_amount", "weighted", "won_deals",
                                           "won_amount", "lost_deals", "lost_amount", "target", NULL);
  g_autoptr(CrmForecast) forecast = NULL;

  forecast = crm_forecast_compute_for_period (store, &query->from, &query->to, error);
  if (forecast == NULL)
    return NULL;
  for (guint i = 0; i < forecast->n_months; i++)
    {
      const CrmForecastMonth *m = &forecast->months[i];
      GPtrArray *row = data_table_row (t);

      cell_text (row, m->month);
      cell_int (row, m->n_open);
      cell_money (row, m->open_amount);
      cell_money (row, m->weighted);
      cell_int (row, m->n_won);
      cell_money (row, m->won_amount);
      cell_int (row, m->n_lost);
      cell_money (row, m->lost_amount);
      cell_money (row, m->target);
    }
  return g_steal_pointer (&t);
}

static DataTable *
nps_table (CrmStore                *store,
           const CrmAnalyticsQuery *query,
           GError                 **error)
{
  g_autoptr(DataTable) t = data_table_new ("answer", "count", NULL);
  CrmSatisfaction s;

  if (!crm_analytics_satisfaction (store, query, &s, error))
    return NULL;
  for (int i = 0; i <= 10; i++)
    {
      GPtrArray *row = data_table_row (t);

      cell_int (row, i);
      cell_int (row, s.nps_counts[i]);
    }
  return g_steal_pointer (&t);
}

static DataTable *
service_table (CrmStore                *store,
               const CrmAnalyticsQuery *query,
               GError                 **error)
{
  g_autoptr(DataTable) t = data_table_new ("kpi", "value", NULL);
  CrmServiceTimes s;

  if (!crm_analytics_service_times (store, query, &s, error))
    return NULL;
  kpi_row (t, "complaints", s.complaints, 0);
  kpi_row (t, "open", s.open, 0);
  kpi_row (t, "responded", s.responded, 0);
  kpi_row (t, "resolved", s.resolved, 0);
  kpi_row (t, "response_median_hours", s.response_median, 2);
  kpi_row (t, "response_p90_hours", s.response_p90, 2);
  kpi_row (t, "resolution_median_hours", s.resolution_median, 2);
  kpi_row (t, "resolution_p90_hours", s.resolution_p90, 2);
  return g_steal_pointer (&t);
}

/* sales-by-owner|region|product: key,name,revenue,orders,customers,previous_revenue */
static DataTable *
sales_by_table (CrmStore                *store,
                const CrmAnalyticsQuery *query,
                CrmSalesDimension        dimension,
                GError                 **error)
{
  g_autoptr(DataTable) t = data_table_new ("key", "name", "revenue", "orders", "customers", "previous_revenue",
                                           NULL);
  g_autoptr(GPtrArray) groups = crm_analytics_sales_by (store, query, dimension, 0, error);

  if (groups == NULL)
    return NULL;
  for (guint i = 0; i < groups->len; i++)
    {
      CrmSalesGroup *g = groups->pdata[i];
      GPtrArray *row = data_table_row (t);

      cell_text (row, g->key);
      cell_text (row, g->label);
      cell_money (row, g->revenue);
      cell_int (row, g->orders);
      cell_int (row, g->customers);
      cell_money (row, g->previous_revenue);
    }
  return g_steal_pointer (&t);
}

static DataTable *
campaigns_table (CrmStore                *store,
                 const CrmAnalyticsQuery *query,
                 GError                 **error)
{
  g_autoptr(DataTable) t = data_table_new ("kpi", "value", NULL);
  CrmRatio response, conversion;

  if (!crm_analytics_campaigns (store, query, &response, &conversion, error))
    return NULL;
  kpi_row (t, "sent", response.denominator, 0);
  kpi_row (t, "responded", response.numerator, 0);
  kpi_row (t, "converted", conversion.numerator, 0);
  kpi_row (t, "response_rate", response.rate, 4);
  kpi_row (t, "conversion_rate", conversion.rate, 4);
  return g_steal_pointer (&t);
}

static void
csv_field (GString    *out,
           const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static char *
to_csv (DataTable *t)
{
  GString *out = g_string_new (NULL);

  for (guint c = 0; c < t->columns->len; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      csv_field (out, t->columns->pdata[c]);
    }
  g_string_append_c (out, '\n');
  for (guint r = 0; r < t->rows->len; r++)
    {
      GPtrArray *row = t->rows->pdata[r];

      for (guint c = 0; c < row->len; c++)
        {
          if (c > 0)
            g_string_append_c (out, ',');
          csv_field (out, row->pdata[c]);
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static void
json_append_string (GString    *out,
                    const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autofree char *quoted = crm_json_to_string (node);

  g_string_append (out, quoted);
}

/* Written by hand rather than with JsonGenerator, which prints doubles with
 * 17 digits (0.3 becomes 0.30000000000000004): a figure is written exactly
 * as the CSV has it, already rounded to its decimals. */
static char *
to_json (DataTable               *t,
         const char              *name,
         const CrmAnalyticsQuery *query)
{
  GString *out = g_string_new ("{\n  \"report\" : ");
  char from[16], to[16];

  g_date_strftime (from, sizeof from, "%Y-%m-%d", &query->from);
  g_date_strftime (to, sizeof to, "%Y-%m-%d", &query->to);
  json_append_string (out, name);
  g_string_append (out, ",\n  \"from\" : ");
  json_append_string (out, from);
  g_string_append (out, ",\n  \"to\" : ");
  json_append_string (out, to);
  g_string_append (out, ",\n  \"rows\" : [");
  for (guint r = 0; r < t->rows->len; r++)
    {
      GPtrArray *row = t->rows->pdata[r];

      g_string_append (out, r > 0 ? ",\n    {" : "\n    {");
      for (guint c = 0; c < row->len; c++)
        {
          const char *text = row->pdata[c];

          g_string_append (out, c > 0 ? ",\n      " : "\n      ");
          json_append_string (out, t->columns->pdata[c]);
          g_string_append (out, " : ");
          if (text == NULL)
            {
              g_string_append (out, "null");
              continue;
            }
          /* Figures are numbers; names, months and periods stay text. */
          if (c > 0 && g_regex_match_simple ("^-?[0-9]+(\\.[0-9]+)?$", text, 0, 0))
            g_string_append (out, text);
          else
            json_append_string (out, text);
        }
      g_string_append (out, "\n    }");
    }
  g_string_append (out, t->rows->len > 0 ? "\n  ]\n}" : "]\n}");
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------- */

/* Reports about one period default to the last whole month; trends and
 * cohorts to the twelve whole months before this one. */
static void
default_period (const char *name,
                GDate      *from,
                GDate      *to)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  gboolean year = g_str_equal (name, "sales-trend") || g_str_equal (name, "cohort-retention") ||
                  g_str_equal (name, "churn") || g_str_equal (name, "retention");

  g_date_clear (to, 1);
  g_date_set_dmy (to, 1, g_date_time_get_month (now), g_date_time_get_year (now));
  if (g_str_equal (name, "forecast"))
    {
      /* Won against target for the last six months, this one included,
       * and the weighted pipeline for the six ahead. */
      *from = *to;
      g_date_subtract_months (from, 5);
      g_date_add_months (to, 7);
      g_date_subtract_days (to, 1);
      return;
    }
  g_date_subtract_days (to, 1);
  *from = *to;
  g_date_set_day (from, 1);
  if (year)
    g_date_subtract_months (from, 11);
}

static gboolean
parse_format (const char      *text,
              CrmReportFormat *out,
              gboolean        *is_data)
{
  *is_data = FALSE;
  if (g_str_equal (text, "pdf"))
    *out = CRM_REPORT_FORMAT_PDF;
  else if (g_str_equal (text, "svg"))
    *out = CRM_REPORT_FORMAT_SVG;
  else if (g_str_equal (text, "png"))
    *out = CRM_REPORT_FORMAT_PNG;
  else if (g_str_equal (text, "csv") || g_str_equal (text, "json"))
    *is_data = TRUE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
parse_unit (const char  *text,
            CrmTimeUnit *out)
{
  static const char *names[] = { "day", "week", "month", "quarter" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (text, names[i]))
      {
        *out = (CrmTimeUnit) i;
        return TRUE;
      }
  return FALSE;
}

/* Cairo reads a font's whole CFF table to write it to a PDF: 16 MB for
 * Noto Sans CJK, and four times per report (once to look, once to subset,
 * per weight). glibc gives each such block pages of its own and returns
 * them when freed, so every read faults 4,000 fresh pages in: a third of
 * the monthly report's CPU time. Keeping freed memory in the heap lets
 * the later reads reuse the pages; crmctl exits soon after anyway. */
static void
keep_freed_memory (void)
{
  mallopt (M_MMAP_THRESHOLD, 64 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 128 * 1024 * 1024);
}

int
crm_cli_report (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *name, *from = NULL, *to = NULL, *format = NULL, *output = NULL;
  const char *paper = NULL, *unit_text = NULL, *dpi_text = NULL;
  gboolean landscape = FALSE, is_data = FALSE, has_unit = FALSE;
  CrmReportFormat report_format = CRM_REPORT_FORMAT_PDF;
  CrmTimeUnit unit = CRM_TIME_UNIT_MONTH;
  CrmAnalyticsQuery query;
  GDate from_date, to_date;
  guint64 dpi = 0;

  if (argc < 2 || !crm_report_builder_has_name (argv[1]))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) crm_report_builder_get_names ());

      return crm_cli_usage_error (_("report needs one of: %s"), names);
    }
  name = argv[1];
  for (int i = 2; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--from", &from))
        {
          if (from == NULL)
            return crm_cli_usage_error (_("--from and --to need a date (YYYY-MM-DD)"));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--to", &to))
        {
          if (to == NULL)
            return crm_cli_usage_error (_("--from and --to need a date (YYYY-MM-DD)"));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--format", &format))
        {
          if (format == NULL || !parse_format (format, &report_format, &is_data))
            return crm_cli_usage_error (_("--format must be pdf, svg, png, csv or json"));
        }
      else if (crm_cli_take_option (argc, argv, &i, "-o", &output) ||
               crm_cli_take_option (argc, argv, &i, "--output", &output))
        {
          if (output == NULL)
            return crm_cli_usage_error (_("-o needs a file name"));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--paper", &paper))
        {
          if (paper == NULL || (!g_str_equal (paper, "a4") && !g_str_equal (paper, "letter")))
            return crm_cli_usage_error (_("--paper must be a4 or letter"));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--unit", &unit_text))
        {
          if (unit_text == NULL || !parse_unit (unit_text, &unit))
            return crm_cli_usage_error (_("--unit must be day, week, month or quarter"));
          has_unit = TRUE;
        }
      else if (crm_cli_take_option (argc, argv, &i, "--dpi", &dpi_text))
        {
          if (dpi_text == NULL || !g_ascii_string_to_unsigned (dpi_text, 10, 30, 1200, &dpi, NULL))
            return crm_cli_usage_error (_("--dpi needs a number from 30 to 1200"));
        }
      else if (g_str_equal (argv[i], "--landscape"))
        landscape = TRUE;
      else
        return crm_cli_usage_error (_("unknown argument “%s” for report"), argv[i]);
    }

  /* Without --format, the output file's extension decides. */
  if (format == NULL && output != NULL)
    {
      const char *dot = strrchr (output, '.');

      if (dot != NULL)
        parse_format (dot + 1, &report_format, &is_data);
      format = dot != NULL && is_data ? dot + 1 : NULL;
    }
  if (format == NULL)
    format = report_format == CRM_REPORT_FORMAT_SVG ? "svg" : report_format == CRM_REPORT_FORMAT_PNG ? "png" : "pdf";

  default_period (name, &from_date, &to_date);
  {
    g_autofree char *default_from = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&from_date),
                                                     g_date_get_month (&from_date), g_date_get_day (&from_date));
    g_autofree char *default_to = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&to_date),
                                                   g_date_get_month (&to_date), g_date_get_day (&to_date));
    g_autofree char *from_of_to = NULL;

    /* --to alone: from the first of its month. */
    if (from == NULL && to != NULL && strlen (to) >= 8)
      from = from_of_to = g_strdup_printf ("%.8s01", to);
    if (!crm_analytics_query_init (&query, from != NULL ? from : default_from,
                                   to != NULL ? to : default_to, &error))
      return crm_cli_usage_error ("%s", error->message);
  }

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    return crm_cli_fail (g_steal_pointer (&error));

  if (is_data)
    {
      g_autoptr(DataTable) table = NULL;
      g_autofree char *text = NULL;

      if (g_str_equal (name, "kpis") || g_str_equal (name, "monthly"))
        table = kpis_table (store, &query, &error);
      else if (g_str_equal (name, "sales-trend"))
        table = sales_trend_table (store, &query, has_unit ? unit : crm_time_unit_for_period (&query), &error);
      else if (g_str_equal (name, "cohort-retention") || g_str_equal (name, "retention"))
        table = cohort_table (store, &query, &error);
      else if (g_str_equal (name, "sales-by-owner"))
        table = sales_by_table (store, &query, CRM_SALES_BY_OWNER, &error);
      else if (g_str_equal (name, "sales-by-region"))
        table = sales_by_table (store, &query, CRM_SALES_BY_PROVINCE, &error);
      else if (g_str_equal (name, "sales-by-product"))
        table = sales_by_table (store, &query, CRM_SALES_BY_PRODUCT, &error);
      else if (g_str_equal (name, "campaigns"))
        table = campaigns_table (store, &query, &error);
      else if (g_str_equal (name, "churn"))
        table = churn_table (store, &query, &error);
      else if (g_str_equal (name, "rfm"))
        table = rfm_table (store, &query, &error);
      else if (g_str_equal (name, "funnel"))
        table = funnel_table (store, &query, &error);
      else if (g_str_equal (name, "nps"))
        table = nps_table (store, &query, &error);
      else if (g_str_equal (name, "forecast"))
        table = forecast_table (store, &query, &error);
      else
        table = service_table (store, &query, &error);
      if (table == NULL)
        return crm_cli_fail (g_steal_pointer (&error));

      text = g_str_equal (format, "json") ? to_json (table, name, &query) : to_csv (table);
      if (output == NULL || g_str_equal (output, "-"))
        {
          fputs (text, stdout);
          if (g_str_equal (format, "json"))
            fputc ('\n', stdout);
          return CRM_CLI_EXIT_OK;
        }
      if (!crm_runtime_write_file (output, text, -1, &error))
        return crm_cli_fail (g_steal_pointer (&error));
      return CRM_CLI_EXIT_OK;
    }

  {
    g_autoptr(CrmReport) report = crm_report_builder_build (store, name, &query, &error);
    g_autofree char *default_output = NULL;

    if (report == NULL)
      return crm_cli_fail (g_steal_pointer (&error));
    crm_report_set_paper (report, paper != NULL && g_str_equal (paper, "letter")
                                    ? CRM_REPORT_PAPER_LETTER : CRM_REPORT_PAPER_A4,
                          landscape);
    if (output == NULL)
      output = default_output = g_strdup_printf ("%s.%s", name, format);
    keep_freed_memory ();
    if (!crm_report_write (report, report_format, output, (double) dpi, &error))
      return crm_cli_fail (g_steal_pointer (&error));
    if (!cli->quiet)
      {
        guint pages = crm_report_paginate (report);

        /* Translators: after crmctl report; %s is the file. */
        fprintf (stderr, ngettext ("Wrote %s (%u page).", "Wrote %s (%u pages).", pages), output, pages);
        fputc ('\n', stderr);
      }
  }
  return CRM_CLI_EXIT_OK;
}
