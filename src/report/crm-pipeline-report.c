/* crm-pipeline-report.c: a printable snapshot of a pipeline board: totals, the forecast by month, and each stage's deals in a table */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "crm-chart.h"
#include "crm-forecast.h"
#include "crm-pipeline-report.h"
#include "crm-store-private.h"

static char *
money_text (gint64 minor)
{
  return crm_chart_format_value (CRM_CHART_FORMAT_MONEY, minor / 100.0, FALSE);
}

static char *
percent_text (double fraction)
{
  return crm_chart_format_value (CRM_CHART_FORMAT_PERCENT, fraction, TRUE);
}

static void
add_forecast (CrmReport   *report,
              CrmForecast *forecast)
{
  const char *headers[] = { _("Month"), _("Open deals"), _("Open amount"), _("Weighted"), _("Won"), _("Target") };
  const CrmReportAlign aligns[] = { CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END,
                                    CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_END };
  g_autoptr(GString) rates = g_string_new (NULL);
  guint table;

  crm_report_add_heading (report, _("Forecast by expected close month"));
  table = crm_report_add_table (report, G_N_ELEMENTS (headers), headers, aligns, NULL);
  for (guint i = 0; i < forecast->n_months; i++)
    {
      CrmForecastMonth *m = &forecast->months[i];
      g_autofree char *n = g_strdup_printf ("%u", m->n_open);
      g_autofree char *open = money_text (m->open_amount);
      g_autofree char *weighted = money_text (m->weighted);
      g_autofree char *won = money_text (m->won_amount);
      g_autofree char *target = m->target > 0 ? money_text (m->target) : g_strdup ("—");
      const char *cells[] = { m->month, n, open, weighted, won, target };

      crm_report_table_add_row (report, table, cells);
    }

  if (forecast->win_rate >= 0)
    {
      g_autofree char *rate = percent_text (forecast->win_rate);

      /* Translators: in the printed pipeline: won ÷ (won + lost) */
      g_string_append_printf (rates, _("Win rate: %s."), rate);
    }
  if (forecast->average_cycle_days >= 0)
    {
      if (rates->len > 0)
        g_string_append_c (rates, ' ');
      g_string_append_printf (rates, _("Average sales cycle: %.0f days."), forecast->average_cycle_days);
    }
  for (guint s = 0; s + 1 < forecast->n_stages; s++)
    if (forecast->stages[s].conversion >= 0)
      {
        g_autofree char *rate = percent_text (forecast->stages[s].conversion);

        if (rates->len > 0)
          g_string_append_c (rates, ' ');
        /* Translators: conversion from one stage to the next, in the printed pipeline */
        g_string_append_printf (rates, _("%s → %s: %s."), forecast->stages[s].name,
                                forecast->stages[s + 1].name, rate);
      }
  if (rates->len > 0)
    crm_report_add_paragraph (report, rates->str);
}

static void
add_stage (CrmReport    *report,
           CrmDealBoard *board,
           guint         stage)
{
  const char *headers[] = { _("Deal"), _("Customer"), _("Amount"), _("Close date"), _("Owner"), _("Days in stage") };
  const CrmReportAlign aligns[] = { CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END,
                                    CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END };
  const double widths[] = { 0.32, 0.22, 0.13, 0.12, 0.11, 0.10 };
  GListModel *deals = crm_deal_board_get_deals (board, stage);
  guint n = g_list_model_get_n_items (deals);
  g_autofree char *amount = money_text (crm_deal_board_get_stage_amount (board, stage));
  g_autofree char *weighted = money_text (crm_deal_board_get_stage_weighted (board, stage));
  g_autofree char *heading = NULL;
  guint table;

  if (crm_deal_board_get_stage_is_won (board, stage) || crm_deal_board_get_stage_is_lost (board, stage))
    /* Translators: a closed stage in the printed pipeline: name, deals, amount */
    heading = g_strdup_printf (ngettext ("%s: %u deal, %s", "%s: %u deals, %s", n),
                               crm_deal_board_get_stage_name (board, stage), n, amount);
  else
    /* Translators: an open stage in the printed pipeline: name, deals, amount, probability, weighted */
    heading = g_strdup_printf (ngettext ("%s: %u deal, %s (%d %%, weighted %s)",
                                         "%s: %u deals, %s (%d %%, weighted %s)", n),
                               crm_deal_board_get_stage_name (board, stage), n, amount,
                               crm_deal_board_get_stage_probability (board, stage), weighted);
  crm_report_add_heading (report, heading);
  if (n == 0)
    {
      crm_report_add_paragraph (report, _("No deals in this stage."));
      return;
    }

  table = crm_report_add_table (report, G_N_ELEMENTS (headers), headers, aligns, widths);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmDealCard) card = g_list_model_get_item (deals, i);
      g_autofree char *money = money_text (crm_deal_card_get_amount (card));
      g_autofree char *days = crm_deal_card_get_closed (card) ? g_strdup ("") :
                              g_strdup_printf ("%d", crm_deal_card_get_days_in_stage (card));
      const char *customer = crm_deal_card_get_contact_name (card);
      const char *cells[] = {
        crm_deal_card_get_title (card),
        customer != NULL ? customer : "",
        money,
        crm_deal_card_get_close_date (card) != NULL ? crm_deal_card_get_close_date (card) : "",
        crm_deal_card_get_owner_name (card) != NULL ? crm_deal_card_get_owner_name (card) : "",
        days,
      };

      crm_report_table_add_row (report, table, cells);
    }
}

CrmReport *
crm_pipeline_report_new (CrmDealBoard  *board,
                         const char    *first_month,
                         GError       **error)
{
  CrmStore *store = crm_deal_board_get_store (board);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *month = first_month != NULL ? g_strdup (first_month) : g_date_time_format (now, "%Y-%m");
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *company = crm_store_get_meta (store, "company_name");
  g_autofree char *title = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *open = money_text (crm_deal_board_get_open_amount (board));
  g_autofree char *weighted = money_text (crm_deal_board_get_weighted_amount (board));
  g_autoptr(CrmForecast) forecast = NULL;
  g_autoptr(CrmReport) report = NULL;
  const char *pipeline_name = NULL;
  guint n_open = crm_deal_board_get_n_open (board);

  for (guint i = 0; i < crm_deal_board_get_n_pipelines (board); i++)
    if (g_strcmp0 (crm_deal_board_get_pipeline_id_at (board, i), crm_deal_board_get_pipeline_id (board)) == 0)
      pipeline_name = crm_deal_board_get_pipeline_name_at (board, i);

  forecast = crm_forecast_compute (store, crm_deal_board_get_pipeline_id (board),
                                   crm_deal_board_get_owner_id (board), month, 6, error);
  if (forecast == NULL)
    return NULL;

  /* Translators: title of the printed pipeline, with the pipeline's name */
  title = g_strdup_printf (_("Sales pipeline: %s"), pipeline_name != NULL ? pipeline_name : "");
  report = crm_report_new (title, company != NULL ? company : _("Customer relationship management"), today);
  crm_report_set_paper (report, CRM_REPORT_PAPER_A4, TRUE);

  summary = g_strdup_printf (ngettext ("%u open deal worth %s; weighted by stage probability, %s.",
                                       "%u open deals worth %s; weighted by stage probability, %s.", n_open),
                             n_open, open, weighted);
  crm_report_add_paragraph (report, summary);
  add_forecast (report, forecast);
  for (guint s = 0; s < crm_deal_board_get_n_stages (board); s++)
    add_stage (report, board, s);
  return g_steal_pointer (&report);
}
