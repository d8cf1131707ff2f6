/* crm-forecast.c: a pipeline's weighted forecast by month, won vs target, conversion between stages and the sales cycle */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "crm-forecast.h"
#include "crm-store-private.h"

static const char pipeline_sql[] =
  "SELECT id, monthly_target FROM pipelines WHERE deleted = 0"
  " AND (?1 IS NULL OR id = ?1) ORDER BY is_default DESC, position, created_at LIMIT 1";

static const char stages_sql[] =
  "SELECT id, name, probability FROM stages WHERE pipeline_id = ? AND deleted = 0 AND is_lost = 0"
  " ORDER BY is_won, position, created_at";

/* The pipeline's currency: that of most of its deals (CNY on a tie or
 * when it has none). Amounts in other currencies cannot be added to it
 * without a rate, so the figures leave those deals out and count them. */
static const char currency_sql[] =
  "SELECT currency, count (*) FROM deals WHERE pipeline_id = ? AND deleted = 0"
  " GROUP BY currency ORDER BY count (*) DESC, currency = 'CNY' DESC, currency";

/* Open deals by the month they are expected to close. The weight is
 * rounded per deal, as the board does, so both show the same figures. */
static const char open_sql[] =
  "SELECT substr (d.expected_close, 1, 7), count (*), sum (d.amount),"
  " sum (d.amount * s.probability / 100)"
  " FROM deals d JOIN stages s ON s.id = d.stage_id"
  " WHERE d.pipeline_id = :pipeline AND d.deleted = 0 AND s.is_won = 0 AND s.is_lost = 0"
  " AND d.currency = :currency AND (:owner IS NULL OR d.owner_id = :owner)"
  " AND d.expected_close >= :from AND d.expected_close < :to"
  " GROUP BY 1";

static const char closed_sql[] =
  "SELECT substr (d.closed_at, 1, 7), s.is_won, count (*), sum (d.amount),"
  " sum (julianday (d.closed_at) - julianday (substr (d.created_at, 1, 23)))"
  " FROM deals d JOIN stages s ON s.id = d.stage_id"
  " WHERE d.pipeline_id = :pipeline AND d.deleted = 0 AND (s.is_won OR s.is_lost)"
  " AND d.currency = :currency AND (:owner IS NULL OR d.owner_id = :owner)"
  " AND d.closed_at >= :from AND d.closed_at < :to"
  " GROUP BY 1, 2";

/* Every stage each deal has been in: where it is now and where its
 * history says it went. */
static const char visits_sql[] =
  "WITH d AS (SELECT id, stage_id FROM deals WHERE pipeline_id = :pipeline AND deleted = 0"
  "           AND (:owner IS NULL OR owner_id = :owner))"
  " SELECT id, stage_id FROM d"
  " UNION ALL SELECT h.deal_id, h.to_stage_id FROM deal_stage_history h JOIN d ON d.id = h.deal_id"
  " WHERE h.deleted = 0"
  " ORDER BY 1";

static void
bind_named (sqlite3_stmt *stmt,
            const char   *name,
            const char   *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index > 0)
    crm_stmt_bind_text (stmt, index, value);
}

static gboolean
parse_month (const char *text,
             int        *year,
             int        *month)
{
  return text != NULL && strlen (text) == 7 && sscanf (text, "%4d-%2d", year, month) == 2 &&
         *month >= 1 && *month <= 12;
}

static CrmForecastMonth *
find_month (CrmForecast *forecast,
            const char  *month)
{
  for (guint i = 0; month != NULL && i < forecast->n_months; i++)
    if (strcmp (forecast->months[i].month, month) == 0)
      return &forecast->months[i];
  return NULL;
}

CrmForecast *
crm_forecast_compute (CrmStore    *store,
                      const char  *pipeline_id,
                      const char  *owner_id,
                      const char  *first_month,
                      guint        n_months,
                      GError     **error)
{
  g_autoptr(CrmForecast) forecast = g_new0 (CrmForecast, 1);
  g_autofree char *pipeline = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  gint64 target = 0;
  gint64 won_cycle_count = 0;
  double won_cycle_days = 0;
  int year, month;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  if (!parse_month (first_month, &year, &month) || n_months == 0 || n_months > 120)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("A forecast needs a first month written YYYY-MM and 1 to 120 months, not “%s” and %u."),
                   first_month != NULL ? first_month : "", n_months);
      return NULL;
    }

  forecast->win_rate = -1;
  forecast->average_cycle_days = -1;
  forecast->n_months = n_months;
  forecast->months = g_new0 (CrmForecastMonth, n_months);
  for (guint i = 0; i < n_months; i++)
    {
      int y = year + (month - 1 + (int) i) / 12;
      int m = (month - 1 + (int) i) % 12 + 1;

      g_snprintf (forecast->months[i].month, sizeof forecast->months[i].month, "%04d-%02d", y, m);
    }
  from = g_strdup_printf ("%s-01", forecast->months[0].month);
  {
    int y = year + (month - 1 + (int) n_months) / 12;
    int m = (month - 1 + (int) n_months) % 12 + 1;

    to = g_strdup_printf ("%04d-%02d-01", y, m);
  }

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, pipeline_sql, error);

    if (stmt == NULL)
      return NULL;
    crm_stmt_bind_text (stmt, 1, pipeline_id);
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW)
      {
        pipeline = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
        target = sqlite3_column_int64 (stmt, 1);
      }
    else if (rc != SQLITE_DONE)
      {
        crm_store_take_error (store, rc, error);
        return NULL;
      }
  }
  g_strlcpy (forecast->currency, "CNY", sizeof forecast->currency);
  if (pipeline == NULL)
    return g_steal_pointer (&forecast);
  for (guint i = 0; i < n_months; i++)
    forecast->months[i].target = target;

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, currency_sql, error);
    gboolean first = TRUE;

    if (stmt == NULL)
      return NULL;
    crm_stmt_bind_text (stmt, 1, pipeline);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        if (first)
          g_strlcpy (forecast->currency, (const char *) sqlite3_column_text (stmt, 0), sizeof forecast->currency);
        else
          forecast->n_other_currency += (guint) sqlite3_column_int64 (stmt, 1);
        first = FALSE;
      }
    if (rc != SQLITE_DONE)
      {
        crm_store_take_error (store, rc, error);
        return NULL;
      }
  }

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, open_sql, error);

    if (stmt == NULL)
      return NULL;
    bind_named (stmt, ":pipeline", pipeline);
    bind_named (stmt, ":currency", forecast->currency);
    bind_named (stmt, ":owner", owner_id);
    bind_named (stmt, ":from", from);
    bind_named (stmt, ":to", to);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        CrmForecastMonth *m = find_month (forecast, (const char *) sqlite3_column_text (stmt, 0));

        if (m == NULL)
          continue;
        m->n_open = sqlite3_column_int (stmt, 1);
        m->open_amount = sqlite3_column_int64 (stmt, 2);
        m->weighted = sqlite3_column_int64 (stmt, 3);
      }
    if (rc != SQLITE_DONE)
      {
        crm_store_take_error (store, rc, error);
        return NULL;
      }
  }

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, closed_sql, error);

    if (stmt == NULL)
      return NULL;
    bind_named (stmt, ":pipeline", pipeline);
    bind_named (stmt, ":currency", forecast->currency);
    bind_named (stmt, ":owner", owner_id);
    bind_named (stmt, ":from", from);
    bind_named (stmt, ":to", to);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        CrmForecastMonth *m = find_month (forecast, (const char *) sqlite3_column_text (stmt, 0));
        guint count = sqlite3_column_int (stmt, 2);

        if (m == NULL)
          continue;
        if (sqlite3_column_int (stmt, 1))
          {
            m->n_won = count;
            m->won_amount = sqlite3_column_int64 (stmt, 3);
            forecast->n_won += count;
            won_cycle_days += sqlite3_column_double (stmt, 4);
            won_cycle_count += count;
          }
        else
          {
            m->n_lost = count;
            m->lost_amount = sqlite3_column_int64 (stmt, 3);
            forecast->n_lost += count;
          }
      }
    if (rc != SQLITE_DONE)
      {
        crm_store_take_error (store, rc, error);
        return NULL;
      }
  }
  if (forecast->n_won + forecast->n_lost > 0)
    forecast->win_rate = (double) forecast->n_won / (forecast->n_won + forecast->n_lost);
  if (won_cycle_count > 0)
    forecast->average_cycle_days = won_cycle_days / won_cycle_count;

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, stages_sql, error);
    g_autoptr(GArray) stages = g_array_new (FALSE, TRUE, sizeof (CrmForecastStage));

    if (stmt == NULL)
      return NULL;
    crm_stmt_bind_text (stmt, 1, pipeline);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        CrmForecastStage stage = { 0 };

        stage.stage_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
        stage.name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        stage.probability = sqlite3_column_int (stmt, 2);
        stage.conversion = -1;
        g_array_append_val (stages, stage);
      }
    forecast->n_stages = stages->len;
    forecast->stages = (CrmForecastStage *) (void *) g_array_free (g_steal_pointer (&stages), FALSE);
    if (rc != SQLITE_DONE)
      {
        crm_store_take_error (store, rc, error);
        return NULL;
      }
  }

  {
    g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, visits_sql, error);
    g_autofree char *deal = NULL;
    int furthest = -1;

    if (stmt == NULL)
      return NULL;
    bind_named (stmt, ":pipeline", pipeline);
    bind_named (stmt, ":currency", forecast->currency);
    bind_named (stmt, ":owner", owner_id);
    for (;;)
      {
        const char *id = NULL;
        const char *stage_id = NULL;

        rc = sqlite3_step (stmt);
        if (rc == SQLITE_ROW)
          {
            id = (const char *) sqlite3_column_text (stmt, 0);
            stage_id = (const char *) sqlite3_column_text (stmt, 1);
          }
        else if (rc != SQLITE_DONE)
          {
            crm_store_take_error (store, rc, error);
            return NULL;
          }

        /* One deal's rows are together: count it when the next begins. */
        if (deal != NULL && g_strcmp0 (deal, id) != 0)
          {
            for (int s = 0; s <= furthest; s++)
              forecast->stages[s].reached++;
            g_clear_pointer (&deal, g_free);
          }
        if (rc == SQLITE_DONE)
          break;
        if (deal == NULL)
          {
            deal = g_strdup (id);
            /* Every deal entered the pipeline at its first stage. */
            furthest = forecast->n_stages > 0 ? 0 : -1;
          }
        for (guint s = 0; s < forecast->n_stages; s++)
          if (g_strcmp0 (forecast->stages[s].stage_id, stage_id) == 0)
            furthest = MAX (furthest, (int) s);
      }
  }
  for (guint s = 0; s + 1 < forecast->n_stages; s++)
    if (forecast->stages[s].reached > 0)
      forecast->stages[s].conversion = (double) forecast->stages[s + 1].reached / forecast->stages[s].reached;

  return g_steal_pointer (&forecast);
}

CrmForecast *
crm_forecast_compute_for_period (CrmStore     *store,
                                 const GDate  *from,
                                 const GDate  *to,
                                 GError      **error)
{
  char first[8];
  int n_months;

  g_return_val_if_fail (g_date_valid (from) && g_date_valid (to), NULL);

  g_snprintf (first, sizeof first, "%04d-%02d", g_date_get_year (from), g_date_get_month (from));
  n_months = (g_date_get_year (to) - g_date_get_year (from)) * 12 +
             (int) g_date_get_month (to) - (int) g_date_get_month (from) + 1;
  return crm_forecast_compute (store, NULL, NULL, first, CLAMP (n_months, 1, 120), error);
}

void
crm_forecast_free (CrmForecast *forecast)
{
  if (forecast == NULL)
    return;
  for (guint i = 0; i < forecast->n_stages; i++)
    {
      g_free (forecast->stages[i].stage_id);
      g_free (forecast->stages[i].name);
    }
  g_free (forecast->stages);
  g_free (forecast->months);
  g_free (forecast);
}
