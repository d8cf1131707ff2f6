/* test-pipeline-report.c: the printed pipeline: a table per stage that breaks across pages, the forecast, a PDF */

#include "config.h"

#include "crm-deal-board.h"
#include "crm-deal-moves.h"
#include "crm-deal.h"
#include "crm-pipeline-report.h"
#include "store-fixture.h"

static void
test_pages (StoreFixture  *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pipeline = crm_pipeline_create_with_stages (f->store, "续约", NULL, &error);
  g_autoptr(CrmDealBoard) board = crm_deal_board_new (f->store);
  g_autoptr(CrmReport) report = NULL;
  g_autofree char *pdf = g_build_filename (f->dir, "pipeline.pdf", NULL);
  const CrmReportPlacement *placements;
  guint n_placements, n_pages, table_pages = 0, tables = 0;

  g_assert_no_error (error);
  g_assert_true (crm_deal_board_reload (board, &error));
  g_assert_true (crm_store_begin (f->store, &error));
  for (guint i = 0; i < 120; i++)
    {
      g_autoptr(CrmDeal) deal = crm_deal_new ();
      g_autofree char *title = g_strdup_printf ("合同 %u", i);

      g_object_set (deal, "pipeline-id", pipeline, "stage-id", crm_deal_board_get_stage_id (board, i % 2),
                    "title", title, "amount", (gint64) (i + 1) * 10000, "expected-close", "2030-01-15", NULL);
      g_assert_true (crm_store_insert (f->store, CRM_RECORD (deal), &error));
    }
  g_assert_true (crm_store_commit (f->store, &error));
  g_assert_true (crm_deal_board_reload (board, &error));

  report = crm_pipeline_report_new (board, "2030-01", &error);
  g_assert_no_error (error);
  n_pages = crm_report_paginate (report);
  /* 60 rows in each of two stages do not fit one landscape page. */
  g_assert_cmpuint (n_pages, >=, 3);
  placements = crm_report_get_placements (report, &n_placements);
  for (guint i = 0; i < n_placements; i++)
    if (placements[i].kind == CRM_REPORT_BLOCK_TABLE)
      {
        table_pages++;
        if (placements[i].first_row == 0)
          tables++;
      }
  /* The forecast and six stage tables (empty stages say so instead):
   * the forecast and the two stages with deals, one of them on more than
   * one page. */
  g_assert_cmpuint (tables, ==, 3);
  g_assert_cmpuint (table_pages, >, tables);

  g_assert_true (crm_report_write (report, CRM_REPORT_FORMAT_PDF, pdf, 0, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/pipeline-report/pages", test_pages);

  return g_test_run ();
}
