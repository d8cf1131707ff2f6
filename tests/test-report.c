/* test-report.c: report pagination (tables keep their header, charts are never cut) and PDF read back */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "crm-contact.h"
#include "crm-deal-board.h"
#include "crm-deal-moves.h"
#include "crm-deal.h"
#include "crm-purchase.h"
#include "crm-report-builder.h"
#include "crm-runtime.h"
#include "store-fixture.h"
#include "pdf-text.h"

static void
content_bounds (CrmReport *report,
                double    *top,
                double    *bottom)
{
  double x, y, w, h;

  crm_report_get_content_area (report, &x, &y, &w, &h);
  *top = y;
  *bottom = y + h;
}

static void
test_table_pages (void)
{
  g_autoptr(CrmReport) report = crm_report_new ("Table test", "ACME", "2024-03");
  const char *headers[] = { "Number", "Customer name", "Amount" };
  const CrmReportAlign aligns[] = { CRM_REPORT_ALIGN_END, CRM_REPORT_ALIGN_START, CRM_REPORT_ALIGN_END };
  const CrmReportPlacement *placements;
  guint n_placements, table, pages, rows = 0, next_row = 0, table_pages = 0;
  double top, bottom;
  g_autofree char *dir = g_dir_make_tmp ("crm-report-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "table.pdf", NULL);
  g_autoptr(GError) error = NULL;

  crm_report_add_paragraph (report, "Three hundred rows follow.");
  table = crm_report_add_table (report, 3, headers, aligns, NULL);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *n = g_strdup_printf ("row-%03u", i);
      g_autofree char *amount = g_strdup_printf ("%u.00", i * 7);
      const char *cells[] = { n, "客户 Customer", amount };

      crm_report_table_add_row (report, table, cells);
    }
  pages = crm_report_paginate (report);
  g_assert_cmpuint (pages, >=, 3);
  content_bounds (report, &top, &bottom);

  placements = crm_report_get_placements (report, &n_placements);
  for (guint i = 0; i < n_placements; i++)
    {
      const CrmReportPlacement *p = &placements[i];

      if (p->kind != CRM_REPORT_BLOCK_TABLE)
        continue;
      /* Consecutive rows, each page's part inside the content area. */
      g_assert_cmpuint (p->first_row, ==, next_row);
      g_assert_cmpuint (p->n_rows, >, 0);
      g_assert_cmpfloat (p->y, >=, top - 1e-9);
      g_assert_cmpfloat (p->y + p->height, <=, bottom + 1e-9);
      next_row += p->n_rows;
      rows += p->n_rows;
      table_pages++;
    }
  g_assert_cmpuint (rows, ==, 300);
  g_assert_cmpuint (table_pages, ==, pages);

  g_assert_true (crm_report_write (report, CRM_REPORT_FORMAT_PDF, pdf, 0, &error));
  g_assert_no_error (error);
  for (guint page = 1; page <= pages; page++)
    {
      g_autofree char *text = pdf_text (pdf, page);
      g_autofree char *footer = g_strdup_printf ("Page %u of %u", page, pages);

      if (text == NULL)
        {
          g_test_skip ("pdftotext (poppler-utils) is not installed");
          break;
        }
      /* The header row is repeated on every page. */
      g_assert_nonnull (strstr (text, "Customer name"));
      g_assert_nonnull (strstr (text, footer));
      g_assert_nonnull (strstr (text, "Table test"));
    }
  {
    g_autofree char *last = pdf_text (pdf, pages);

    if (last != NULL)
      g_assert_nonnull (strstr (last, "row-299"));
  }
  g_unlink (pdf);
  g_rmdir (dir);
}

static void
test_charts_not_cut (void)
{
  g_autoptr(CrmReport) report = crm_report_new ("Charts", NULL, NULL);
  const double values[] = { 1, 2, 3 };
  CrmChartSeries series = { "A", values, FALSE };
  const CrmReportPlacement *placements;
  guint n_placements, charts = 0;
  double top, bottom;
  CrmChartData data;

  crm_chart_data_init (&data);
  data.n_categories = 3;
  data.n_series = 1;
  data.series = &series;
  for (guint i = 0; i < 5; i++)
    {
      crm_report_add_paragraph (report, "A paragraph before a chart, long enough to wrap on a narrow page, "
                                        "which moves the chart down by a line or two.");
      crm_report_add_chart (report, crm_chart_bar_draw, &data, 300);
    }
  crm_report_set_paper (report, CRM_REPORT_PAPER_LETTER, TRUE);
  g_assert_cmpuint (crm_report_paginate (report), >=, 4);
  content_bounds (report, &top, &bottom);
  placements = crm_report_get_placements (report, &n_placements);
  for (guint i = 0; i < n_placements; i++)
    if (placements[i].kind == CRM_REPORT_BLOCK_CHART)
      {
        /* Whole, inside one page's content area, at full height. */
        g_assert_cmpfloat (placements[i].y, >=, top - 1e-9);
        g_assert_cmpfloat (placements[i].y + placements[i].height, <=, bottom + 1e-9);
        g_assert_cmpfloat (placements[i].height, >=, 300);
        charts++;
      }
  g_assert_cmpuint (charts, ==, 5);
  /* Landscape Letter is 792 × 612 points. */
  g_assert_cmpfloat (crm_report_get_page_width (report), ==, 792);
}

static void
add_purchase (CrmStore   *store,
              const char *contact_id,
              const char *at,
              gint64      amount)
{
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (purchase, "contact-id", contact_id, "product", "商品", "purchased-at", at,
                "amount", amount, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (purchase), &error));
  g_assert_no_error (error);
}

static void
test_monthly_pdf (StoreFixture  *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(CrmReport) report = NULL;
  g_autofree char *pdf = g_build_filename (f->dir, "monthly.pdf", NULL);
  gboolean chinese = g_strcmp0 (g_getenv ("LANGUAGE"), "zh_CN") == 0;
  GString *all = g_string_new (NULL);
  CrmAnalyticsQuery q;
  guint pages;

  crm_contact_set_name (contact, "王小明");
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  add_purchase (f->store, crm_record_get_id (CRM_RECORD (contact)), "2024-03-05T10:00:00Z", 123456);
  add_purchase (f->store, crm_record_get_id (CRM_RECORD (contact)), "2024-02-05T10:00:00Z", 100000);

  g_assert_true (crm_analytics_query_init (&q, "2024-03-01", "2024-03-31", &error));
  report = crm_report_builder_build (f->store, "monthly", &q, &error);
  g_assert_no_error (error);
  g_assert_true (crm_report_write (report, CRM_REPORT_FORMAT_PDF, pdf, 0, &error));
  g_assert_no_error (error);
  pages = crm_report_paginate (report);
  g_assert_cmpuint (pages, >=, 2);

  for (guint page = 1; page <= pages; page++)
    {
      g_autofree char *text = pdf_text (pdf, page);

      if (text == NULL)
        {
          g_test_skip ("pdftotext (poppler-utils) is not installed");
          g_string_free (all, TRUE);
          return;
        }
      g_string_append (all, text);
    }
  /* Titles and figures: ¥1,234.56 in March shows as ¥1,235, the top
   * customer by name, growth of 23.5 % on February. */
  g_assert_nonnull (strstr (all->str, "¥1,235"));
  g_assert_nonnull (strstr (all->str, "王小明"));
  g_assert_nonnull (strstr (all->str, "23.5%"));
  if (chinese)
    {
      g_assert_nonnull (strstr (all->str, "月度经营报告"));
      g_assert_nonnull (strstr (all->str, "关键指标"));
      g_assert_nonnull (strstr (all->str, "2024年3月"));
      g_assert_nonnull (strstr (all->str, "客户留存（按同期群）"));
    }
  else
    {
      g_assert_nonnull (strstr (all->str, "Monthly management report"));
      g_assert_nonnull (strstr (all->str, "Key figures"));
      g_assert_nonnull (strstr (all->str, "March 2024"));
      g_assert_nonnull (strstr (all->str, "Customer retention by cohort"));
    }
  g_string_free (all, TRUE);
}

static void
record_progress (double   fraction,
                 gpointer user_data)
{
  GArray *steps = user_data;

  g_array_append_val (steps, fraction);
}

/* The templates of the reports workspace: each builds, reports progress up
 * to 1, and its CSV holds the data behind its charts and tables. */
static void
test_templates (StoreFixture  *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmContact) contact = crm_contact_new ();
  const char *id;
  CrmAnalyticsQuery q;

  crm_contact_set_name (contact, "王小明");
  crm_record_set_field_from_string (CRM_RECORD (contact), "province", "浙江省", &error);
  g_assert_no_error (error);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  id = crm_record_get_id (CRM_RECORD (contact));
  add_purchase (f->store, id, "2024-01-05T10:00:00Z", 5000);
  add_purchase (f->store, id, "2024-02-05T10:00:00Z", 100000);
  add_purchase (f->store, id, "2024-03-05T10:00:00Z", 123456);
  g_assert_true (crm_analytics_query_init (&q, "2024-03-01", "2024-03-31", &error));

  for (const char * const *name = (const char * const[]) { "retention", "sales-by-owner", "sales-by-region",
                                                            "sales-by-product", "campaigns", NULL };
       *name != NULL; name++)
    {
      g_autoptr(GArray) steps = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(CrmReport) report = crm_report_builder_build_full (f->store, *name, &q, NULL, record_progress,
                                                                   steps, &error);
      g_autofree char *csv = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (report);
      g_assert_cmpuint (crm_report_paginate (report), >=, 1);
      g_assert_cmpuint (steps->len, >=, 2);
      g_assert_cmpfloat (g_array_index (steps, double, steps->len - 1), ==, 1.0);
      csv = crm_report_to_csv (report);
      if (g_str_equal (*name, "sales-by-region"))
        {
          /* The table row: region, revenue, share, orders, customers, change. */
          g_assert_nonnull (strstr (csv, "浙江省,"));
          g_assert_nonnull (strstr (csv, "Revenue\n浙江省,1234.56\n"));
        }
      if (g_str_equal (*name, "retention"))
        /* The heatmap: January's cohort of one, all retained in M1 and M2. */
        g_assert_nonnull (strstr (csv, "2024-01,n = 1,1.0000,1.0000,1.0000"));
    }

  /* Cancelled before it starts: nothing built, an error that says so. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(CrmReport) report = NULL;

    g_cancellable_cancel (cancellable);
    report = crm_report_builder_build_full (f->store, "monthly", &q, cancellable, NULL, NULL, &error);
    g_assert_null (report);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

/* The forecast template: the default pipeline's open deals by expected
 * close month, weighted by their stage's probability. */
static void
test_forecast (StoreFixture  *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pipeline = crm_pipeline_create_with_stages (f->store, "新客户开发", NULL, &error);
  g_autoptr(CrmDealBoard) board = crm_deal_board_new (f->store);
  g_autoptr(CrmReport) report = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *expected = NULL;
  CrmAnalyticsQuery q;
  gint64 weighted;

  g_assert_no_error (error);
  g_assert_true (crm_deal_board_reload (board, &error));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CrmDeal) deal = crm_deal_new ();

      g_object_set (deal, "pipeline-id", pipeline, "stage-id", crm_deal_board_get_stage_id (board, i),
                    "title", i ? "年度续约" : "首单", "amount", (gint64) (i + 1) * 1000000,
                    "expected-close", "2024-04-15", NULL);
      g_assert_true (crm_store_insert (f->store, CRM_RECORD (deal), &error));
    }
  weighted = 1000000 * crm_deal_board_get_stage_probability (board, 0) / 100 +
             2000000 * crm_deal_board_get_stage_probability (board, 1) / 100;

  g_assert_true (crm_analytics_query_init (&q, "2024-03-01", "2024-04-30", &error));
  report = crm_report_builder_build (f->store, "forecast", &q, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_report_paginate (report), ==, 1);
  csv = crm_report_to_csv (report);
  /* The chart's data: March empty, April the weighted sum (in yuan). */
  expected = g_strdup_printf ("%.2f", weighted / 100.0);
  g_assert_nonnull (strstr (csv, expected));
  g_assert_true (crm_report_builder_has_name ("forecast"));
}

static void
test_monthly_pdf_chinese (void)
{
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_test_trap_subprocess ("/report/monthly-pdf", 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("LANGUAGE");
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  /* Translations from the build tree; LANGUAGE picks zh_CN in the child. */
  crm_runtime_init ();
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/report/table-pages", test_table_pages);
  g_test_add_func ("/report/charts-not-cut", test_charts_not_cut);
  STORE_TEST ("/report/monthly-pdf", test_monthly_pdf);
  STORE_TEST ("/report/templates", test_templates);
  STORE_TEST ("/report/forecast", test_forecast);
  g_test_add_func ("/report/monthly-pdf-in-chinese", test_monthly_pdf_chinese);

  return g_test_run ();
}
