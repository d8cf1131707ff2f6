/* crm-forecast.h: a pipeline's weighted forecast by month, won vs target, conversion between stages and the sales cycle */
#pragma once

#include <glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

typedef struct
{
  char    month[8];       /* "YYYY-MM" */
  guint   n_open;         /* open deals expected to close this month */
  gint64  open_amount;
  gint64  weighted;       /* Σ amount × stage probability ÷ 100 */
  guint   n_won;          /* deals closed this month in a won stage */
  gint64  won_amount;
  guint   n_lost;
  gint64  lost_amount;
  gint64  target;         /* the pipeline's monthly target, 0 = none */
} CrmForecastMonth;

typedef struct
{
  char   *stage_id;
  char   *name;
  int     probability;
  guint   reached;        /* deals that were ever in this stage or a later one */
  double  conversion;     /* reached of the next stage ÷ reached; < 0 for the last */
} CrmForecastStage;

typedef struct
{
  CrmForecastMonth *months;
  guint             n_months;
  CrmForecastStage *stages;   /* open stages then won ones, lost ones left out */
  guint             n_stages;
  guint             n_won;    /* closed within the months */
  guint             n_lost;
  double            win_rate;         /* won ÷ (won + lost), < 0 when none closed */
  double            average_cycle_days; /* creation to won, < 0 when none won */
  char              currency[8];      /* of the amounts: that of most of the pipeline's deals */
  guint             n_other_currency; /* deals in other currencies, left out of the amounts */
} CrmForecast;

/* @pipeline_id (NULL: the default pipeline), @owner_id (NULL: everyone),
 * @n_months months from @first_month ("YYYY-MM"). Amounts are those of
 * the deals in the pipeline's main currency; the others are counted. */
CrmForecast *crm_forecast_compute (CrmStore    *store,
                                   const char  *pipeline_id,
                                   const char  *owner_id,
                                   const char  *first_month,
                                   guint        n_months,
                                   GError     **error);
/* The same for the default pipeline and everyone, over the months from
 * @from's to @to's (at least one, at most ten years). */
CrmForecast *crm_forecast_compute_for_period (CrmStore     *store,
                                              const GDate  *from,
                                              const GDate  *to,
                                              GError      **error);
void         crm_forecast_free    (CrmForecast *forecast);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmForecast, crm_forecast_free)

G_END_DECLS
