/* crm-dashboard-page.c: the Dashboard workspace: KPI tiles and charts for a period, owner and region */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "crm-chart-view.h"
#include "crm-dashboard-page.h"
#include "crm-date-range-button.h"
#include "crm-report-builder.h"
#include "crm-user-directory.h"

/* Tiles, in the order they are shown. */
enum {
  TILE_REVENUE,
  TILE_ORDERS,
  TILE_AVERAGE_ORDER,
  TILE_ACTIVE,
  TILE_NEW,
  TILE_REPURCHASE,
  TILE_CHURN,
  TILE_NPS,
  N_TILES
};

static const char * const tile_names[N_TILES] = {
  "revenue", "orders", "average-order", "active-customers", "new-customers", "repurchase", "churn", "nps",
};

enum {
  CHART_SALES_TREND,
  CHART_COHORTS,
  CHART_CHURN,
  CHART_NPS,
  CHART_FUNNEL,
  CHART_LIFECYCLE,
  CHART_RFM,
  N_CHARTS
};

static const char * const chart_names[N_CHARTS] = {
  "sales-trend", "cohorts", "churn-trend", "nps-answers", "funnel", "lifecycle", "rfm",
};

#define N_MONTHS 12

/* Everything one computation produced; chart data points into it, so each
 * chart view holds a reference. */
typedef struct
{
  CrmAnalyticsQuery query;
  char             *owner_id;
  char             *province;
  CrmKpis           now;
  CrmKpis           before;
  CrmChartData      tiles[N_TILES];
  CrmChartData      charts[N_CHARTS];
  GPtrArray        *keep;          /* of Kept */
  GPtrArray        *users;         /* of CrmUserEntry */
  GStrv             provinces;
} DashboardData;

typedef struct
{
  gpointer       data;
  GDestroyNotify destroy;
} Kept;

static void
kept_free (Kept *kept)
{
  kept->destroy (kept->data);
  g_free (kept);
}

static gpointer
keep (DashboardData  *data,
      gpointer        pointer,
      GDestroyNotify  destroy)
{
  Kept *kept = g_new (Kept, 1);

  kept->data = pointer;
  kept->destroy = destroy;
  g_ptr_array_add (data->keep, kept);
  return pointer;
}

static double *
keep_doubles (DashboardData *data,
              guint          n)
{
  return keep (data, g_new0 (double, MAX (n, 1)), g_free);
}

static void
dashboard_data_clear (DashboardData *data)
{
  g_clear_pointer (&data->keep, g_ptr_array_unref);
  g_clear_pointer (&data->users, g_ptr_array_unref);
  g_clear_pointer (&data->provinces, g_strfreev);
  g_free (data->owner_id);
  g_free (data->province);
}

static void
dashboard_data_unref (DashboardData *data)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify) dashboard_data_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DashboardData, dashboard_data_unref)

struct _CrmDashboardPage
{
  GtkWidget         parent_instance;

  CrmContext       *context;

  /* Template widgets */
  GtkDropDown      *period_dropdown;
  CrmDateRangeButton *range_button;
  GtkDropDown      *owner_dropdown;
  GtkDropDown      *region_dropdown;
  GtkLabel         *period_label;
  GtkSpinner       *spinner;
  GtkStack         *state_stack;
  AdwStatusPage    *error_page;
  GtkFlowBox       *tiles_box;
  GtkBox           *trend_box;
  GtkFlowBox       *charts_box;

  CrmChartView     *tiles[N_TILES];
  CrmChartView     *charts[N_CHARTS];

  char             *period;        /* month, last-month, quarter, year, custom */
  CrmAnalyticsQuery query;
  char             *owner_id;
  char             *province;
  GStrv             owner_ids;     /* parallel to the owner dropdown; "" is all */
  GStrv             provinces;     /* parallel to the region dropdown */

  DashboardData    *data;
  GCancellable     *cancellable;
  gboolean          loading;
  gboolean          stale;         /* the store changed since the last load */
  gboolean          syncing;       /* setting dropdowns from the state */
};

G_DEFINE_FINAL_TYPE (CrmDashboardPage, crm_dashboard_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* The computation, in a thread on its own read-only connection */

typedef struct
{
  char              *db_path;
  CrmAnalyticsQuery  query;
  char              *owner_id;
  char              *province;
} LoadRequest;

static void
load_request_free (LoadRequest *request)
{
  g_free (request->db_path);
  g_free (request->owner_id);
  g_free (request->province);
  g_free (request);
}

static void
twelve_months (const CrmAnalyticsQuery *query,
               CrmAnalyticsQuery       *out)
{
  *out = *query;
  g_date_clear (&out->from, 1);
  g_date_set_dmy (&out->from, 1, g_date_get_month (&query->to), g_date_get_year (&query->to));
  g_date_subtract_months (&out->from, N_MONTHS - 1);
  out->to = query->to;
}

static void
month_of (const CrmAnalyticsQuery *months,
          guint                    i,
          CrmAnalyticsQuery       *out)
{
  *out = *months;
  g_date_add_months (&out->from, i);
  out->to = out->from;
  g_date_set_day (&out->to, g_date_get_days_in_month (g_date_get_month (&out->to), g_date_get_year (&out->to)));
  /* The period's own month ends with the period. */
  if (g_date_compare (&out->to, &months->to) > 0)
    out->to = months->to;
}

static double
ratio_rate (gboolean ok,
            CrmRatio ratio)
{
  return ok ? ratio.rate : NAN;
}

/* A KPI that cannot be computed (a table of a workspace that has not
 * landed, a bad row) shows "no data yet" rather than failing the rest. */
static gboolean
degrade (gboolean  ok,
         GError  **error)
{
  if (!ok && error != NULL && *error != NULL)
    {
      g_debug ("dashboard: %s", (*error)->message);
      g_clear_error (error);
    }
  return ok;
}

static void
init_tile (CrmChartData   *tile,
           const char     *title,
           CrmChartFormat  format,
           double          value,
           double          previous,
           gboolean        lower_is_better,
           gboolean        in_points)
{
  crm_chart_data_init (tile);
  tile->title = title;
  tile->format = format;
  tile->value = value;
  tile->previous = previous;
  tile->target = lower_is_better ? -1 : NAN;
  tile->change_in_points = in_points;
  tile->empty_text = _("No data yet");
  tile->n_categories = N_MONTHS;
  tile->n_series = 1;
  tile->series = NULL;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadRequest *request = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(DashboardData) data = g_atomic_rc_box_new0 (DashboardData);
  const CrmAnalyticsQuery *q;
  CrmAnalyticsQuery previous, months;
  CrmRevenue revenue = { 0 }, revenue_before = { 0 };
  gboolean ok_revenue, ok_revenue_before, ok;
  double spark[N_TILES][N_MONTHS];
  CrmChartSeries *series;
  const char *no_data = _("No data yet");

  store = crm_store_open_full (request->db_path, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->keep = g_ptr_array_new_with_free_func ((GDestroyNotify) kept_free);
  data->owner_id = g_strdup (request->owner_id);
  data->province = g_strdup (request->province);
  data->query = request->query;
  data->query.owner_id = data->owner_id;
  data->query.province = data->province;
  q = &data->query;
  crm_analytics_query_previous (q, &previous);
  twelve_months (q, &months);

  data->users = crm_user_directory_list (store, &error);
  degrade (data->users != NULL, &error);
  data->provinces = crm_analytics_provinces (store, &error);
  degrade (data->provinces != NULL, &error);

  /* The period against the one just before. */
  ok_revenue = degrade (crm_analytics_revenue (store, q, &revenue, &error), &error);
  ok_revenue_before = degrade (crm_analytics_revenue (store, &previous, &revenue_before, &error), &error);
  data->now.revenue = revenue;
  data->before.revenue = revenue_before;
  ok = degrade (crm_analytics_active_customers (store, q, &data->now.active_customers, &error), &error);
  init_tile (&data->tiles[TILE_ACTIVE], _("Active customers"), CRM_CHART_FORMAT_NUMBER,
             ok ? data->now.active_customers : NAN, NAN, FALSE, FALSE);
  if (degrade (crm_analytics_active_customers (store, &previous, &data->before.active_customers, &error), &error))
    data->tiles[TILE_ACTIVE].previous = data->before.active_customers;
  ok = degrade (crm_analytics_new_customers (store, q, &data->now.new_customers, &error), &error);
  init_tile (&data->tiles[TILE_NEW], _("New customers"), CRM_CHART_FORMAT_NUMBER,
             ok ? data->now.new_customers : NAN, NAN, FALSE, FALSE);
  if (degrade (crm_analytics_new_customers (store, &previous, &data->before.new_customers, &error), &error))
    data->tiles[TILE_NEW].previous = data->before.new_customers;
  ok = degrade (crm_analytics_repurchase_rate (store, q, &data->now.repurchase, &error), &error);
  init_tile (&data->tiles[TILE_REPURCHASE], _("Repurchase rate"), CRM_CHART_FORMAT_PERCENT,
             ratio_rate (ok, data->now.repurchase), NAN, FALSE, TRUE);
  ok = degrade (crm_analytics_repurchase_rate (store, &previous, &data->before.repurchase, &error), &error);
  data->tiles[TILE_REPURCHASE].previous = ratio_rate (ok, data->before.repurchase);
  ok = degrade (crm_analytics_churn_rate (store, q, &data->now.churn, &error), &error);
  /* Until its 180 days are over a period's churn reads too low. */
  init_tile (&data->tiles[TILE_CHURN],
             crm_analytics_churn_is_final (q) ? _("Churn rate") : _("Churn rate (provisional)"),
             CRM_CHART_FORMAT_PERCENT,
             ratio_rate (ok, data->now.churn), NAN, TRUE, TRUE);
  ok = degrade (crm_analytics_churn_rate (store, &previous, &data->before.churn, &error), &error);
  data->tiles[TILE_CHURN].previous = ratio_rate (ok, data->before.churn);
  ok = degrade (crm_analytics_satisfaction (store, q, &data->now.satisfaction, &error), &error);
  init_tile (&data->tiles[TILE_NPS], _("NPS"), CRM_CHART_FORMAT_SCORE,
             ok ? data->now.satisfaction.nps : NAN, NAN, FALSE, TRUE);
  if (degrade (crm_analytics_satisfaction (store, &previous, &data->before.satisfaction, &error), &error))
    data->tiles[TILE_NPS].previous = data->before.satisfaction.nps;

  init_tile (&data->tiles[TILE_REVENUE], _("Revenue"), CRM_CHART_FORMAT_MONEY,
             ok_revenue && revenue.orders > 0 ? revenue.revenue / 100.0 : NAN,
             ok_revenue_before && revenue_before.orders > 0 ? revenue_before.revenue / 100.0 : NAN,
             FALSE, FALSE);
  init_tile (&data->tiles[TILE_ORDERS], _("Orders"), CRM_CHART_FORMAT_NUMBER,
             ok_revenue && revenue.orders > 0 ? revenue.orders : NAN,
             ok_revenue_before && revenue_before.orders > 0 ? revenue_before.orders : NAN,
             FALSE, FALSE);
  init_tile (&data->tiles[TILE_AVERAGE_ORDER], _("Average order value"), CRM_CHART_FORMAT_MONEY,
             ok_revenue ? revenue.average_order / 100 : NAN,
             ok_revenue_before ? revenue_before.average_order / 100 : NAN, FALSE, FALSE);

  /* Sparklines and the churn chart: the twelve months to the period's end. */
  for (guint t = 0; t < N_TILES; t++)
    for (guint i = 0; i < N_MONTHS; i++)
      spark[t][i] = NAN;
  {
    g_autoptr(CrmSalesTrend) trend = crm_analytics_revenue_trend (store, &months, CRM_TIME_UNIT_MONTH, &error);
    g_autoptr(CrmSatisfactionTrend) nps = crm_analytics_satisfaction_trend (store, &months, &error);

    degrade (trend != NULL, &error);
    for (guint i = 0; trend != NULL && i < MIN (trend->n_points, N_MONTHS); i++)
      {
        spark[TILE_REVENUE][i] = trend->points[i].revenue / 100.0;
        spark[TILE_ORDERS][i] = trend->points[i].orders;
        spark[TILE_AVERAGE_ORDER][i] = trend->points[i].orders > 0
                                         ? trend->points[i].revenue / 100.0 / trend->points[i].orders : NAN;
      }
    degrade (nps != NULL, &error);
    for (guint i = 0; nps != NULL && i < MIN (nps->n, N_MONTHS); i++)
      spark[TILE_NPS][i] = nps->nps[i];
  }
  for (guint i = 0; i < N_MONTHS; i++)
    {
      CrmAnalyticsQuery month;
      CrmRatio ratio;
      gint64 count;

      if (g_task_return_error_if_cancelled (task))
        return;
      month_of (&months, i, &month);
      if (degrade (crm_analytics_active_customers (store, &month, &count, &error), &error))
        spark[TILE_ACTIVE][i] = count;
      if (degrade (crm_analytics_new_customers (store, &month, &count, &error), &error))
        spark[TILE_NEW][i] = count;
      if (degrade (crm_analytics_repurchase_rate (store, &month, &ratio, &error), &error))
        spark[TILE_REPURCHASE][i] = ratio.rate;
    }
  /* Churn per month in one query; a month counts once it is final
   * (DESIGN.md §6), as in the printed report: the months after it would
   * read as falling churn. */
  {
    CrmRatio churn[N_MONTHS];
    gboolean final[N_MONTHS];

    if (degrade (crm_analytics_churn_by_month (store, &months, N_MONTHS, churn, final, &error), &error))
      for (guint i = 0; i < N_MONTHS; i++)
        spark[TILE_CHURN][i] = final[i] ? churn[i].rate : NAN;
  }
  series = keep (data, g_new0 (CrmChartSeries, N_TILES), g_free);
  for (guint t = 0; t < N_TILES; t++)
    {
      double *values = keep_doubles (data, N_MONTHS);

      memcpy (values, spark[t], sizeof spark[t]);
      series[t] = (CrmChartSeries) { data->tiles[t].title, values, FALSE };
      data->tiles[t].series = &series[t];
    }

  /* Sales trend: the period's buckets against the period before. */
  {
    CrmTimeUnit unit = crm_time_unit_for_period (q);
    CrmSalesTrend *trend = crm_analytics_revenue_trend (store, q, unit, &error);
    CrmSalesTrend *before = trend != NULL ? crm_analytics_revenue_trend (store, &previous, unit, &error) : NULL;
    CrmChartData *d = &data->charts[CHART_SALES_TREND];

    crm_chart_data_init (d);
    d->title = _("Revenue");
    d->format = CRM_CHART_FORMAT_MONEY;
    d->area = TRUE;
    d->empty_text = no_data;
    if (degrade (trend != NULL && before != NULL, &error))
      {
        double *now_values = keep_doubles (data, trend->n_points);
        double *before_values = keep_doubles (data, trend->n_points);
        GDate *dates = keep (data, g_new0 (GDate, MAX (trend->n_points, 1)), g_free);
        CrmChartSeries *s = keep (data, g_new0 (CrmChartSeries, 2), g_free);

        for (guint i = 0; i < trend->n_points; i++)
          {
            now_values[i] = trend->points[i].revenue / 100.0;
            before_values[i] = i < before->n_points ? before->points[i].revenue / 100.0 : NAN;
            dates[i] = trend->points[i].start;
          }
        s[0] = (CrmChartSeries) { _("This period"), now_values, FALSE };
        s[1] = (CrmChartSeries) { _("Previous period"), before_values, TRUE };
        d->n_categories = trend->n_points;
        d->dates = dates;
        d->date_unit = unit == CRM_TIME_UNIT_DAY ? CRM_CHART_DATE_DAY
                       : unit == CRM_TIME_UNIT_WEEK ? CRM_CHART_DATE_WEEK
                       : unit == CRM_TIME_UNIT_MONTH ? CRM_CHART_DATE_MONTH : CRM_CHART_DATE_QUARTER;
        d->n_series = 2;
        d->series = s;
      }
    g_clear_pointer (&trend, crm_sales_trend_free);
    g_clear_pointer (&before, crm_sales_trend_free);
  }

  if (g_task_return_error_if_cancelled (task))
    return;

  /* Retention cohorts over the twelve months. */
  {
    CrmCohortMatrix *m = crm_analytics_cohort_retention (store, &months, &error);
    CrmChartData *d = &data->charts[CHART_COHORTS];

    crm_chart_data_init (d);
    d->title = _("Retention by cohort");
    d->empty_text = no_data;
    if (degrade (m != NULL, &error))
      {
        const char **rows = keep (data, g_new0 (const char *, m->n_cohorts + 1), g_free);
        const char **notes = keep (data, g_new0 (const char *, m->n_cohorts + 1), g_free);
        const char **cols = keep (data, g_new0 (const char *, m->n_offsets + 1), g_free);

        keep (data, m, (GDestroyNotify) crm_cohort_matrix_free);
        for (guint i = 0; i < m->n_cohorts; i++)
          {
            rows[i] = keep (data, g_strdup_printf ("%04d-%02d", g_date_get_year (&m->cohorts[i]),
                                                   g_date_get_month (&m->cohorts[i])), g_free);
            g_autofree char *size = crm_chart_format_value (CRM_CHART_FORMAT_NUMBER, m->sizes[i], FALSE);

            /* Translators: the size of a cohort in the retention table. */
            notes[i] = keep (data, g_strdup_printf (_("n = %s"), size), g_free);
          }
        for (guint k = 0; k < m->n_offsets; k++)
          /* Translators: month k after a cohort's first purchase (M0, M1, …). */
          cols[k] = keep (data, g_strdup_printf (_("M%u"), k), g_free);
        d->n_categories = m->n_cohorts;
        d->categories = rows;
        d->row_notes = notes;
        d->n_columns = m->n_offsets;
        d->column_labels = cols;
        d->cells = m->cells;
      }
  }

  /* Churn per month, from the loop above. */
  {
    CrmChartData *d = &data->charts[CHART_CHURN];
    GDate *dates = keep (data, g_new0 (GDate, N_MONTHS), g_free);
    CrmChartSeries *s = keep (data, g_new0 (CrmChartSeries, 1), g_free);
    gboolean any = FALSE;

    for (guint i = 0; i < N_MONTHS; i++)
      {
        CrmAnalyticsQuery month;

        month_of (&months, i, &month);
        dates[i] = month.from;
        any |= !isnan (spark[TILE_CHURN][i]);
      }
    s[0] = (CrmChartSeries) { _("Churn rate"), data->tiles[TILE_CHURN].series->values, FALSE };
    crm_chart_data_init (d);
    d->title = _("Churn rate per month");
    d->subtitle = _("Recent months show once final, 180 days on");
    d->empty_text = no_data;
    d->format = CRM_CHART_FORMAT_PERCENT;
    if (any)
      {
        d->n_categories = N_MONTHS;
        d->dates = dates;
        d->date_unit = CRM_CHART_DATE_MONTH;
        d->n_series = 1;
        d->series = s;
      }
  }

  /* NPS answers of the period. */
  {
    CrmChartData *d = &data->charts[CHART_NPS];
    double *counts = keep_doubles (data, 11);
    CrmChartSeries *s = keep (data, g_new0 (CrmChartSeries, 1), g_free);

    for (guint i = 0; i < 11; i++)
      counts[i] = data->now.satisfaction.nps_counts[i];
    s[0] = (CrmChartSeries) { _("Answers"), counts, FALSE };
    crm_chart_data_init (d);
    d->title = _("How likely are you to recommend us? (0–10)");
    d->empty_text = no_data;
    d->value = data->now.satisfaction.nps_answers > 0 ? data->now.satisfaction.nps : NAN;
    if (data->now.satisfaction.nps_answers > 0)
      {
        d->n_categories = 11;
        d->n_series = 1;
        d->series = s;
      }
  }

  /* Pipeline funnel over the twelve months. */
  {
    CrmPipelineSummary *p = crm_analytics_pipeline (store, &months, &error);
    CrmChartData *d = &data->charts[CHART_FUNNEL];

    crm_chart_data_init (d);
    d->title = _("Deals by the furthest stage reached");
    d->empty_text = _("No pipeline yet");
    if (degrade (p != NULL, &error))
      {
        double *reached = keep_doubles (data, p->n_stages);
        const char **names = keep (data, g_new0 (const char *, p->n_stages + 1), g_free);
        CrmChartSeries *s = keep (data, g_new0 (CrmChartSeries, 1), g_free);

        keep (data, p, (GDestroyNotify) crm_pipeline_summary_free);
        for (guint i = 0; i < p->n_stages; i++)
          {
            reached[i] = p->stages[i].reached;
            names[i] = p->stages[i].name;
          }
        s[0] = (CrmChartSeries) { _("Deals"), reached, FALSE };
        d->n_categories = p->n_stages;
        d->categories = names;
        d->n_series = 1;
        d->series = s;
      }
  }

  /* Lifecycle stages and RFM segments: a bar opens those contacts. */
  for (guint c = CHART_LIFECYCLE; c <= CHART_RFM; c++)
    {
      CrmDistribution *dist = c == CHART_LIFECYCLE ? crm_analytics_lifecycle (store, q, &error)
                                                   : crm_analytics_rfm_segments (store, q, &error);
      CrmChartData *d = &data->charts[c];

      crm_chart_data_init (d);
      d->title = c == CHART_LIFECYCLE ? _("Customers by lifecycle stage") : _("Customers by RFM segment");
      d->empty_text = no_data;
      if (degrade (dist != NULL, &error))
        {
          double *counts = keep_doubles (data, dist->n);
          const char **labels = keep (data, g_new0 (const char *, dist->n + 1), g_free);
          CrmChartSeries *s = keep (data, g_new0 (CrmChartSeries, 1), g_free);

          keep (data, dist, (GDestroyNotify) crm_distribution_free);
          for (guint i = 0; i < dist->n; i++)
            {
              counts[i] = dist->counts[i];
              labels[i] = crm_analytics_category_label (dist->keys[i]);
            }
          s[0] = (CrmChartSeries) { _("Customers"), counts, FALSE };
          d->n_categories = dist->n;
          d->categories = labels;
          d->n_series = 1;
          d->series = s;
          /* The keys, for the click through to contacts. */
          d->row_notes = dist->keys;
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&data), (GDestroyNotify) dashboard_data_unref);
}

/* ---------------------------------------------------------------------- */

static void
set_loading (CrmDashboardPage *self,
             gboolean          loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
update_owner_model (CrmDashboardPage *self,
                    DashboardData    *data)
{
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_auto(GStrv) new_ids = NULL;
  guint selected = 0;

  g_strv_builder_add (ids, "");
  gtk_string_list_append (names, _("All owners"));
  for (guint i = 0; data->users != NULL && i < data->users->len; i++)
    {
      CrmUserEntry *user = data->users->pdata[i];

      g_strv_builder_add (ids, user->id);
      gtk_string_list_append (names, user->name);
    }
  new_ids = g_strv_builder_end (ids);
  if (self->owner_ids != NULL && g_strv_equal ((const char * const *) self->owner_ids,
                                               (const char * const *) new_ids))
    return;
  for (guint i = 0; new_ids[i] != NULL; i++)
    if (g_strcmp0 (new_ids[i], self->owner_id != NULL ? self->owner_id : "") == 0)
      selected = i;
  g_strfreev (self->owner_ids);
  self->owner_ids = g_steal_pointer (&new_ids);
  self->syncing = TRUE;
  gtk_drop_down_set_model (self->owner_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->owner_dropdown, selected);
  self->syncing = FALSE;
}

static void
update_region_model (CrmDashboardPage *self,
                     DashboardData    *data)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = 0;

  if (data->provinces == NULL ||
      (self->provinces != NULL && g_strv_equal ((const char * const *) self->provinces,
                                                (const char * const *) data->provinces)))
    return;
  gtk_string_list_append (names, _("All regions"));
  for (guint i = 0; data->provinces[i] != NULL; i++)
    {
      gtk_string_list_append (names, data->provinces[i]);
      if (g_strcmp0 (data->provinces[i], self->province) == 0)
        selected = i + 1;
    }
  g_strfreev (self->provinces);
  self->provinces = g_strdupv (data->provinces);
  self->syncing = TRUE;
  gtk_drop_down_set_model (self->region_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->region_dropdown, selected);
  self->syncing = FALSE;
}

static void
on_load_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CrmDashboardPage) self = user_data;
  g_autoptr(GError) error = NULL;
  DashboardData *data = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  set_loading (self, FALSE);
  if (data == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The figures could not be computed: %s"), error->message);

      adw_status_page_set_description (self->error_page, text);
      gtk_stack_set_visible_child_name (self->state_stack, "error");
      return;
    }
  g_clear_pointer (&self->data, dashboard_data_unref);
  self->data = data;
  for (guint i = 0; i < N_TILES; i++)
    crm_chart_view_set_chart (self->tiles[i], crm_chart_tile_draw, &data->tiles[i],
                              g_atomic_rc_box_acquire (data), (GDestroyNotify) dashboard_data_unref);
  {
    static const CrmChartDrawFunc draw[N_CHARTS] = {
      [CHART_SALES_TREND] = crm_chart_line_draw,
      [CHART_COHORTS] = crm_chart_heatmap_draw,
      [CHART_CHURN] = crm_chart_line_draw,
      [CHART_NPS] = crm_chart_nps_draw,
      [CHART_FUNNEL] = crm_chart_funnel_draw,
      [CHART_LIFECYCLE] = crm_chart_bar_draw,
      [CHART_RFM] = crm_chart_bar_draw,
    };

    for (guint i = 0; i < N_CHARTS; i++)
      crm_chart_view_set_chart (self->charts[i], draw[i], &data->charts[i],
                                g_atomic_rc_box_acquire (data), (GDestroyNotify) dashboard_data_unref);
  }
  update_owner_model (self, data);
  update_region_model (self, data);
  gtk_stack_set_visible_child_name (self->state_stack, "content");
}

static void
refresh (CrmDashboardPage *self)
{
  g_autoptr(GTask) task = NULL;
  LoadRequest *request;
  g_autofree char *period = NULL;

  if (self->context == NULL)
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->stale = FALSE;

  period = crm_report_builder_format_period (&self->query);
  gtk_label_set_label (self->period_label, period);

  request = g_new0 (LoadRequest, 1);
  request->db_path = g_strdup (crm_store_get_path (crm_context_get_store (self->context)));
  request->query = self->query;
  request->owner_id = g_strdup (self->owner_id);
  request->province = g_strdup (self->province);
  request->query.owner_id = NULL;
  request->query.province = NULL;
  request->query.segment = NULL;

  task = g_task_new (NULL, self->cancellable, on_load_done, g_object_ref (self));
  g_task_set_source_tag (task, refresh);
  g_task_set_task_data (task, request, (GDestroyNotify) load_request_free);
  g_task_set_return_on_cancel (task, FALSE);
  set_loading (self, TRUE);
  g_task_run_in_thread (task, load_thread);
}

/* ---------------------------------------------------------------------- */
/* Period and filters */

static void
date_text (const GDate *date,
           char         buf[16])
{
  g_snprintf (buf, 16, "%04d-%02d-%02d", g_date_get_year (date), g_date_get_month (date), g_date_get_day (date));
}

static gboolean
set_period (CrmDashboardPage *self,
            const char       *period)
{
  static const char * const periods[] = { "month", "last-month", "quarter", "year", "custom" };
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate today, from, to;
  char from_text[16], to_text[16];
  guint index = 0;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  from = to = today;
  if (g_str_equal (period, "month"))
    g_date_set_day (&from, 1);
  else if (g_str_equal (period, "last-month"))
    {
      g_date_set_day (&to, 1);
      g_date_subtract_days (&to, 1);
      from = to;
      g_date_set_day (&from, 1);
      index = 1;
    }
  else if (g_str_equal (period, "quarter"))
    {
      g_date_set_day (&from, 1);
      g_date_set_month (&from, (g_date_get_month (&today) - 1) / 3 * 3 + 1);
      index = 2;
    }
  else if (g_str_equal (period, "year"))
    {
      g_date_set_day (&from, 1);
      g_date_set_month (&from, G_DATE_JANUARY);
      index = 3;
    }
  else
    return FALSE;

  date_text (&from, from_text);
  date_text (&to, to_text);
  if (!crm_analytics_query_init (&self->query, from_text, to_text, NULL))
    return FALSE;
  g_free (self->period);
  self->period = g_strdup (periods[index]);
  self->syncing = TRUE;
  gtk_drop_down_set_selected (self->period_dropdown, index);
  gtk_widget_set_visible (GTK_WIDGET (self->range_button), FALSE);
  self->syncing = FALSE;
  return TRUE;
}

static void
period_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmDashboardPage *self = CRM_DASHBOARD_PAGE (widget);
  const char *period = g_variant_get_string (parameter, NULL);

  if (!set_period (self, period))
    {
      g_warning ("No dashboard period named “%s”", period);
      return;
    }
  refresh (self);
}

static void
range_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CrmDashboardPage *self = CRM_DASHBOARD_PAGE (widget);
  g_autoptr(GError) error = NULL;
  const char *from, *to;
  CrmAnalyticsQuery query;

  g_variant_get (parameter, "(&s&s)", &from, &to);
  if (!crm_analytics_query_init (&query, from, to, &error))
    {
      crm_date_range_button_show_error (self->range_button, error->message);
      return;
    }
  self->query = query;
  g_free (self->period);
  self->period = g_strdup ("custom");
  self->syncing = TRUE;
  gtk_drop_down_set_selected (self->period_dropdown, 4);
  gtk_widget_set_visible (GTK_WIDGET (self->range_button), TRUE);
  crm_date_range_button_set_range (self->range_button, &query.from, &query.to);
  self->syncing = FALSE;
  crm_date_range_button_popdown (self->range_button);
  refresh (self);
}

static void
owner_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CrmDashboardPage *self = CRM_DASHBOARD_PAGE (widget);
  const char *owner = g_variant_get_string (parameter, NULL);

  g_free (self->owner_id);
  self->owner_id = owner[0] != '\0' ? g_strdup (owner) : NULL;
  self->syncing = TRUE;
  for (guint i = 0; self->owner_ids != NULL && self->owner_ids[i] != NULL; i++)
    if (g_str_equal (self->owner_ids[i], owner))
      gtk_drop_down_set_selected (self->owner_dropdown, i);
  self->syncing = FALSE;
  refresh (self);
}

static void
region_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmDashboardPage *self = CRM_DASHBOARD_PAGE (widget);
  const char *region = g_variant_get_string (parameter, NULL);

  g_free (self->province);
  self->province = region[0] != '\0' ? g_strdup (region) : NULL;
  self->syncing = TRUE;
  if (self->province == NULL)
    gtk_drop_down_set_selected (self->region_dropdown, 0);
  for (guint i = 0; self->province != NULL && self->provinces != NULL && self->provinces[i] != NULL; i++)
    if (g_str_equal (self->provinces[i], region))
      gtk_drop_down_set_selected (self->region_dropdown, i + 1);
  self->syncing = FALSE;
  refresh (self);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  refresh (CRM_DASHBOARD_PAGE (widget));
}

/* The contacts behind a figure, with the dashboard's owner and region. */
static void
show_contacts_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmDashboardPage *self = CRM_DASHBOARD_PAGE (widget);
  GVariantBuilder filters;
  const char *filter, *value;

  g_variant_get (parameter, "(&s&s)", &filter, &value);
  g_variant_builder_init (&filters, G_VARIANT_TYPE ("a(ss)"));
  if (filter[0] != '\0')
    g_variant_builder_add (&filters, "(ss)", filter, value);
  if (self->owner_id != NULL)
    g_variant_builder_add (&filters, "(ss)", "owner", self->owner_id);
  if (self->province != NULL)
    g_variant_builder_add (&filters, "(ss)", "province", self->province);
  gtk_widget_activate_action_variant (widget, "win.show-contacts", g_variant_builder_end (&filters));
}

static void
on_period_selected (CrmDashboardPage *self)
{
  static const char * const periods[] = { "month", "last-month", "quarter", "year" };
  guint selected = gtk_drop_down_get_selected (self->period_dropdown);

  if (self->syncing)
    return;
  if (selected < G_N_ELEMENTS (periods))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "dashboard.period", "s", periods[selected]);
      return;
    }
  /* Custom: start from the current period and let the dates be edited. */
  crm_date_range_button_set_range (self->range_button, &self->query.from, &self->query.to);
  gtk_widget_set_visible (GTK_WIDGET (self->range_button), TRUE);
  crm_date_range_button_popup (self->range_button);
}

static void
on_range_chosen (CrmDashboardPage *self,
                 const char       *from,
                 const char       *to)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "dashboard.range", "(ss)", from, to);
}

static void
on_owner_selected (CrmDashboardPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->owner_dropdown);

  if (self->syncing || self->owner_ids == NULL || selected >= g_strv_length (self->owner_ids))
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "dashboard.owner", "s", self->owner_ids[selected]);
}

static void
on_region_selected (CrmDashboardPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->region_dropdown);

  if (self->syncing || self->provinces == NULL || selected > g_strv_length (self->provinces))
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "dashboard.region", "s",
                              selected == 0 ? "" : self->provinces[selected - 1]);
}

static void
on_chart_activated (CrmChartView     *view,
                    int               index,
                    CrmDashboardPage *self)
{
  const CrmChartData *d = crm_chart_view_get_data (view);
  const char *filter = NULL;

  if (view == self->charts[CHART_LIFECYCLE])
    filter = "lifecycle";
  else if (view == self->charts[CHART_RFM])
    filter = "rfm-segment";
  else if (view == self->tiles[TILE_CHURN])
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "dashboard.show-contacts", "(ss)", "lifecycle", "churned");
      return;
    }
  else if (view == self->tiles[TILE_ACTIVE])
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "dashboard.show-contacts", "(ss)", "", "");
      return;
    }
  if (filter == NULL || d->row_notes == NULL || index < 0 || (guint) index >= d->n_categories)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "dashboard.show-contacts", "(ss)", filter, d->row_notes[index]);
}

static void
on_store_changed (CrmDashboardPage *self)
{
  /* Figures follow edits when the dashboard is next looked at. */
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    refresh (self);
}

static void
crm_dashboard_page_map (GtkWidget *widget)
{
  CrmDashboardPage *self = CRM_DASHBOARD_PAGE (widget);

  GTK_WIDGET_CLASS (crm_dashboard_page_parent_class)->map (widget);
  if (self->stale && !self->loading)
    refresh (self);
}

/* ---------------------------------------------------------------------- */

static CrmChartView *
add_view (CrmDashboardPage *self,
          GtkWidget        *parent,
          const char       *name,
          int               width,
          int               height)
{
  GtkWidget *view = crm_chart_view_new ();

  gtk_widget_set_name (view, name);
  gtk_widget_set_size_request (view, width, height);
  gtk_widget_add_css_class (view, "card");
  gtk_widget_add_css_class (view, "dashboard-chart");
  g_signal_connect (view, "activated", G_CALLBACK (on_chart_activated), self);
  if (GTK_IS_FLOW_BOX (parent))
    gtk_flow_box_append (GTK_FLOW_BOX (parent), view);
  else
    gtk_box_append (GTK_BOX (parent), view);
  return CRM_CHART_VIEW (view);
}

static void
crm_dashboard_page_dispose (GObject *object)
{
  CrmDashboardPage *self = CRM_DASHBOARD_PAGE (object);
  GtkWidget *child;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_DASHBOARD_PAGE);
  /* The template's top box has no id, so dispose_template leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->data, dashboard_data_unref);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_dashboard_page_parent_class)->dispose (object);
}

static void
crm_dashboard_page_finalize (GObject *object)
{
  CrmDashboardPage *self = CRM_DASHBOARD_PAGE (object);

  g_free (self->period);
  g_free (self->owner_id);
  g_free (self->province);
  g_strfreev (self->owner_ids);
  g_strfreev (self->provinces);

  G_OBJECT_CLASS (crm_dashboard_page_parent_class)->finalize (object);
}

static void
crm_dashboard_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CrmDashboardPage *self = CRM_DASHBOARD_PAGE (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_dashboard_page_class_init (CrmDashboardPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_dashboard_page_dispose;
  object_class->finalize = crm_dashboard_page_finalize;
  object_class->get_property = crm_dashboard_page_get_property;
  widget_class->map = crm_dashboard_page_map;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CRM_TYPE_CHART_VIEW);
  g_type_ensure (CRM_TYPE_DATE_RANGE_BUTTON);
  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-dashboard-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, range_button);
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, owner_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, region_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, period_label);
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, state_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, tiles_box);
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, trend_box);
  gtk_widget_class_bind_template_child (widget_class, CrmDashboardPage, charts_box);
  gtk_widget_class_bind_template_callback (widget_class, on_period_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_range_chosen);
  gtk_widget_class_bind_template_callback (widget_class, on_owner_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_region_selected);

  gtk_widget_class_install_action (widget_class, "dashboard.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "dashboard.period", "s", period_action);
  gtk_widget_class_install_action (widget_class, "dashboard.range", "(ss)", range_action);
  gtk_widget_class_install_action (widget_class, "dashboard.owner", "s", owner_action);
  gtk_widget_class_install_action (widget_class, "dashboard.region", "s", region_action);
  gtk_widget_class_install_action (widget_class, "dashboard.show-contacts", "(ss)", show_contacts_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "dashboard.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "dashboard.refresh", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
crm_dashboard_page_init (CrmDashboardPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < N_TILES; i++)
    self->tiles[i] = add_view (self, GTK_WIDGET (self->tiles_box), tile_names[i], 190, 124);
  self->charts[CHART_SALES_TREND] = add_view (self, GTK_WIDGET (self->trend_box), chart_names[0], 320, 280);
  for (guint i = 1; i < N_CHARTS; i++)
    self->charts[i] = add_view (self, GTK_WIDGET (self->charts_box), chart_names[i], 340, 300);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->charts[CHART_LIFECYCLE]), "pointer");
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self->charts[CHART_RFM]), "pointer");

  set_period (self, "month");
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
}

void
crm_dashboard_page_set_context (CrmDashboardPage *self,
                                CrmContext       *context)
{
  g_return_if_fail (CRM_IS_DASHBOARD_PAGE (self));
  g_return_if_fail (CRM_IS_CONTEXT (context));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  g_signal_connect_object (crm_context_get_store (context), "changed", G_CALLBACK (on_store_changed), self,
                           G_CONNECT_SWAPPED);
  /* Computed when first looked at, not while hidden (crm_dashboard_page_map). */
  self->stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    refresh (self);
}

gboolean
crm_dashboard_page_get_loading (CrmDashboardPage *self)
{
  g_return_val_if_fail (CRM_IS_DASHBOARD_PAGE (self), FALSE);

  return self->loading;
}

const CrmAnalyticsQuery *
crm_dashboard_page_get_query (CrmDashboardPage *self)
{
  g_return_val_if_fail (CRM_IS_DASHBOARD_PAGE (self), NULL);

  return &self->query;
}

const CrmKpis *
crm_dashboard_page_get_kpis (CrmDashboardPage *self)
{
  g_return_val_if_fail (CRM_IS_DASHBOARD_PAGE (self), NULL);

  return self->data != NULL ? &self->data->now : NULL;
}

GtkWidget *
crm_dashboard_page_get_chart (CrmDashboardPage *self,
                              const char       *name)
{
  g_return_val_if_fail (CRM_IS_DASHBOARD_PAGE (self), NULL);

  for (guint i = 0; i < N_TILES; i++)
    if (g_strcmp0 (tile_names[i], name) == 0)
      return GTK_WIDGET (self->tiles[i]);
  for (guint i = 0; i < N_CHARTS; i++)
    if (g_strcmp0 (chart_names[i], name) == 0)
      return GTK_WIDGET (self->charts[i]);
  return NULL;
}
