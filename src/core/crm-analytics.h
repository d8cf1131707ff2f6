/* crm-analytics.h: the KPIs of DESIGN.md §6, computed in SQL over the store */
#pragma once

#include <glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

/* Expected customer lifetime for CLV when the caller has no setting. */
#define CRM_ANALYTICS_DEFAULT_LIFETIME_YEARS 3.0
/* Days after a campaign was sent in which a purchase counts for it. */
#define CRM_ANALYTICS_ATTRIBUTION_DAYS 30

/**
 * CrmAnalyticsQuery:
 * @from: first day of the period, a local date
 * @to: last day of the period (inclusive), a local date
 * @as_of: the day the data is looked at (for "none in the 180 days after"),
 *   an invalid date for today
 * @owner_id: (nullable): only customers (deals) of this owner
 * @province: (nullable): only customers of this province
 * @segment: (nullable): only customers of this RFM segment (rfm_segment)
 *
 * Every KPI function takes one. Initialize with crm_analytics_query_init().
 * The strings are borrowed.
 */
typedef struct
{
  GDate       from;
  GDate       to;
  GDate       as_of;
  const char *owner_id;
  const char *province;
  const char *segment;
} CrmAnalyticsQuery;

/* Parses "YYYY-MM-DD" dates; FALSE (and INVALID) when one is not a date or
 * @to is before @from. */
gboolean crm_analytics_query_init (CrmAnalyticsQuery  *query,
                                   const char         *from,
                                   const char         *to,
                                   GError            **error);
/* The same length of time just before (previous period) and a year before
 * (29 February becomes 28 February). */
void     crm_analytics_query_previous  (const CrmAnalyticsQuery *query,
                                        CrmAnalyticsQuery       *out);
void     crm_analytics_query_year_ago  (const CrmAnalyticsQuery *query,
                                        CrmAnalyticsQuery       *out);

/* A share with what it was computed from; @rate is NaN when @denominator is
 * 0 ("no data"), which callers show as such. */
typedef struct
{
  gint64 numerator;
  gint64 denominator;
  double rate;
} CrmRatio;

typedef struct
{
  gint64 revenue;            /* minor units */
  gint64 orders;
  gint64 customers;          /* distinct buyers */
  gint64 previous_revenue;   /* the period just before, same length */
  gint64 year_ago_revenue;
  double growth;             /* NaN when previous_revenue is 0 */
  double yoy_growth;         /* NaN when year_ago_revenue is 0 */
  double average_order;      /* minor units, NaN without orders */
} CrmRevenue;

gboolean crm_analytics_revenue           (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmRevenue              *out,
                                          GError                 **error);

typedef enum
{
  CRM_TIME_UNIT_DAY,
  CRM_TIME_UNIT_WEEK,        /* ISO weeks, from Monday */
  CRM_TIME_UNIT_MONTH,
  CRM_TIME_UNIT_QUARTER,
} CrmTimeUnit;

typedef struct
{
  GDate  start;              /* first day of the bucket */
  gint64 revenue;
  gint64 orders;
  gint64 customers;
} CrmSalesPoint;

/* Every bucket that overlaps the period, also the empty ones. */
typedef struct
{
  CrmTimeUnit    unit;
  guint          n_points;
  CrmSalesPoint *points;
} CrmSalesTrend;

CrmSalesTrend *crm_analytics_sales_trend (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmTimeUnit              unit,
                                          GError                 **error);
/* The same revenue and orders, with customers not counted (-1): read from
 * the per-hour summary when it can (no filter), which a chart of a year
 * of revenue needs. */
CrmSalesTrend *crm_analytics_revenue_trend (CrmStore               *store,
                                            const CrmAnalyticsQuery *query,
                                            CrmTimeUnit              unit,
                                            GError                 **error);
void           crm_sales_trend_free      (CrmSalesTrend           *trend);
/* "2024-03-04", "2024-W10", "2024-03", "2024-Q1": stable, for CSV. */
char          *crm_time_unit_format_key  (CrmTimeUnit              unit,
                                          const GDate             *start);
/* The unit that gives a readable number of points for the period. */
CrmTimeUnit    crm_time_unit_for_period  (const CrmAnalyticsQuery *query);

/* Customers with a purchase in the 365 days up to and including @date
 * (the period's last day for the query). */
gboolean crm_analytics_active_customers  (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          gint64                  *out,
                                          GError                 **error);
/* Customers whose first purchase ever is in the period. */
gboolean crm_analytics_new_customers     (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          gint64                  *out,
                                          GError                 **error);
/* Whether any customer (of the filters) bought anything up to the end of
 * the period: what every sales figure needs. */
gboolean crm_analytics_has_purchases     (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          gboolean                *out,
                                          GError                 **error);
/* Customers with ≥ 2 purchases ÷ customers with ≥ 1, in the period. */
gboolean crm_analytics_repurchase_rate   (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmRatio                *out,
                                          GError                 **error);
/* Customers active at the start (a purchase in the 365 days before it)
 * who bought nothing in the period and nothing in the 180 days after their
 * last purchase (those 180 days over by @as_of), over those active at the
 * start. */
gboolean crm_analytics_churn_rate        (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmRatio                *out,
                                          GError                 **error);

/* The churn rate of @n_months calendar months from the month of
 * @query->from (its filters and @as_of apply), in one query: @out[i] for
 * the i-th month. @final (nullable) says which months are final; see
 * crm_analytics_churn_is_final(). */
gboolean crm_analytics_churn_by_month    (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          guint                    n_months,
                                          CrmRatio                *out,
                                          gboolean                *final,
                                          GError                 **error);
/* Whether the churn rate of @query can no longer change: the period is
 * over by @as_of and so are the 180 days after each active customer's
 * last purchase (DESIGN.md §6). Until then it reads too low. */
gboolean crm_analytics_churn_is_final    (const CrmAnalyticsQuery *query);

/* Cohorts whose first-purchase month is in the period; @cells is
 * n_cohorts × n_offsets, row-major: the share of the cohort with a
 * purchase in month cohort + k, NaN where that month is after the period. */
typedef struct
{
  guint   n_cohorts;
  guint   n_offsets;
  GDate  *cohorts;           /* first day of each cohort month */
  gint64 *sizes;
  double *cells;
} CrmCohortMatrix;

CrmCohortMatrix *crm_analytics_cohort_retention (CrmStore                *store,
                                                 const CrmAnalyticsQuery *query,
                                                 GError                 **error);
void             crm_cohort_matrix_free         (CrmCohortMatrix         *matrix);
double           crm_cohort_matrix_get          (const CrmCohortMatrix   *matrix,
                                                 guint                    cohort,
                                                 guint                    offset);

/* Counts per category in a fixed order; @keys are the column values
 * (static strings), crm_analytics_category_label() translates them. */
typedef struct
{
  guint        n;
  const char **keys;
  gint64      *counts;
  gint64      *amounts;      /* revenue of the category in the period, or 0 */
  gint64       total;
} CrmDistribution;

/* Contacts per lifecycle stage (the override wins), now. */
CrmDistribution *crm_analytics_lifecycle       (CrmStore                *store,
                                                const CrmAnalyticsQuery *query,
                                                GError                 **error);
/* Contacts per RFM segment, with their revenue in the period. */
CrmDistribution *crm_analytics_rfm_segments    (CrmStore                *store,
                                                const CrmAnalyticsQuery *query,
                                                GError                 **error);
void             crm_distribution_free         (CrmDistribution         *dist);
const char      *crm_analytics_category_label  (const char              *key);

/* Average order value × purchases per customer per year × @lifetime_years,
 * from the period's purchases; NaN without purchases. */
gboolean crm_analytics_clv               (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          double                   lifetime_years,
                                          double                  *out,
                                          GError                 **error);

/* Deals closed in the period: won ÷ (won + lost). */
gboolean crm_analytics_deal_conversion   (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmRatio                *out,
                                          GError                 **error);
/* Contacts created in the period who made a purchase by @as_of. */
gboolean crm_analytics_lead_conversion   (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmRatio                *out,
                                          GError                 **error);
/* Campaign members sent in the period: who responded, and who bought within
 * CRM_ANALYTICS_ATTRIBUTION_DAYS after being sent. */
gboolean crm_analytics_campaigns         (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmRatio                *response,
                                          CrmRatio                *conversion,
                                          GError                 **error);

/* Stages of the default pipeline in order: deals created in the period
 * that reached each (funnel), and the open deals now in it with their
 * amount and the amount weighted by the stage's probability (forecast). */
typedef struct
{
  char   *name;
  int     probability;
  gboolean is_won;
  gint64  reached;
  gint64  open_count;
  gint64  open_amount;
  double  weighted_amount;
} CrmPipelineStage;

typedef struct
{
  guint             n_stages;
  CrmPipelineStage *stages;
  double            forecast;   /* Σ weighted_amount */
} CrmPipelineSummary;

CrmPipelineSummary *crm_analytics_pipeline (CrmStore                *store,
                                            const CrmAnalyticsQuery *query,
                                            GError                 **error);
void                crm_pipeline_summary_free (CrmPipelineSummary   *summary);

/* Answers of responses submitted in the period: NPS (0–10) and CSAT (1–5). */
typedef struct
{
  gint64 nps_counts[11];
  gint64 nps_answers;
  double nps;                /* −100 … 100, NaN without answers */
  gint64 csat_counts[5];     /* index 0 is the answer 1 */
  gint64 csat_answers;
  double csat;               /* share of 4–5, NaN without answers */
  double csat_average;       /* NaN without answers */
} CrmSatisfaction;

gboolean crm_analytics_satisfaction      (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmSatisfaction         *out,
                                          GError                 **error);

/* NPS and CSAT per month of the period. */
typedef struct
{
  guint   n;
  GDate  *months;
  double *nps;
  double *csat;
  gint64 *answers;
} CrmSatisfactionTrend;

CrmSatisfactionTrend *crm_analytics_satisfaction_trend (CrmStore                *store,
                                                        const CrmAnalyticsQuery *query,
                                                        GError                 **error);
void                  crm_satisfaction_trend_free      (CrmSatisfactionTrend    *trend);

/* Complaints created in the period; times in hours, NaN when none. */
typedef struct
{
  gint64 complaints;
  gint64 open;               /* not resolved or closed now */
  gint64 responded;
  gint64 resolved;
  double response_median;
  double response_p90;
  double resolution_median;
  double resolution_p90;
} CrmServiceTimes;

gboolean crm_analytics_service_times     (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmServiceTimes         *out,
                                          GError                 **error);

typedef struct
{
  char   *contact_id;
  char   *name;
  gint64  revenue;
  gint64  orders;
  GDate   last_purchase;
} CrmTopCustomer;

/* The @limit customers with the most revenue in the period. */
GPtrArray *crm_analytics_top_customers   (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          guint                    limit,
                                          GError                 **error);
void       crm_top_customer_free         (CrmTopCustomer          *customer);

typedef enum
{
  CRM_SALES_BY_OWNER,
  CRM_SALES_BY_PROVINCE,
  CRM_SALES_BY_PRODUCT,
  CRM_SALES_BY_CATEGORY,
} CrmSalesDimension;

typedef struct
{
  char   *key;             /* owner id, province, product, category; NULL: none */
  char   *label;           /* the owner's name, else the key */
  gint64  revenue;
  gint64  orders;
  gint64  customers;
  gint64  previous_revenue; /* the period just before, same length */
} CrmSalesGroup;

/* The period's sales per owner (of the customer), province, product or
 * product category, by revenue; at most @limit groups (0: all). */
GPtrArray *crm_analytics_sales_by        (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmSalesDimension        dimension,
                                          guint                    limit,
                                          GError                 **error);
void       crm_sales_group_free          (CrmSalesGroup           *group);

/* Provinces of live contacts, the most customers first (for filters). */
GStrv      crm_analytics_provinces       (CrmStore                *store,
                                          GError                 **error);

/* Every scalar KPI of the period at once, for tiles and `crmctl report kpis`. */
typedef struct
{
  CrmRevenue      revenue;
  gint64          active_customers;
  gint64          new_customers;
  CrmRatio        repurchase;
  CrmRatio        churn;
  double          clv;
  CrmRatio        deal_conversion;
  CrmRatio        lead_conversion;
  CrmRatio        campaign_response;
  CrmRatio        campaign_conversion;
  CrmSatisfaction satisfaction;
  CrmServiceTimes service;
} CrmKpis;

gboolean crm_analytics_kpis              (CrmStore                *store,
                                          const CrmAnalyticsQuery *query,
                                          CrmKpis                 *out,
                                          GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSalesTrend, crm_sales_trend_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCohortMatrix, crm_cohort_matrix_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmDistribution, crm_distribution_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmPipelineSummary, crm_pipeline_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSatisfactionTrend, crm_satisfaction_trend_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmTopCustomer, crm_top_customer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSalesGroup, crm_sales_group_free)

G_END_DECLS
