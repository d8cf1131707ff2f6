/* test-reports-page.c: the Reports workspace driven through its actions: templates, period, preview, export, print, Cancel, empty state */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "crm-application.h"
#include "crm-context.h"
#include "crm-demo.h"
#include "crm-report-builder.h"
#include "crm-date-range-button.h"
#include "crm-reports-page.h"
#include "crm-test-ui.h"
#include "crm-window.h"

static CrmApplication *app;

typedef struct
{
  char           *dir;
  CrmStore       *store;
  CrmContext     *context;
  CrmWindow      *window;
  CrmReportsPage *page;
} Fixture;

static gboolean
built (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (crm_reports_page_get_state (f->page), "loading") != 0;
}

static gboolean
export_done (gpointer data)
{
  Fixture *f = data;

  return !crm_reports_page_get_exporting (f->page);
}

/* @data: the number of demo contacts (0: an empty database). */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("crm-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "crm.db", NULL);
  f->store = crm_store_open (path, &error);
  g_assert_no_error (error);
  if (GPOINTER_TO_UINT (data) > 0)
    {
      CrmDemoOptions opts;

      crm_demo_options_init (&opts);
      opts.n_contacts = GPOINTER_TO_UINT (data);
      opts.seed = 7;
      g_assert_true (crm_demo_generate (f->store, &opts, &error));
      g_assert_no_error (error);
    }
  g_settings_set_string (settings, "last-workspace", "dashboard");
  f->context = crm_context_new (f->store, settings);
  f->window = crm_window_new (ADW_APPLICATION (app), f->context);
  gtk_window_present (GTK_WINDOW (f->window));
  f->page = CRM_REPORTS_PAGE (crm_test_ui_find_descendant (GTK_WIDGET (f->window), CRM_TYPE_REPORTS_PAGE));
  g_assert_nonnull (f->page);
  /* Nothing is built before the workspace is shown. */
  crm_test_ui_iterate ();
  g_assert_null (crm_reports_page_get_report (f->page));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.workspace", "s", "reports");
  crm_test_ui_wait_until (built, f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  crm_test_ui_wait_until (built, f);
  crm_test_ui_wait_until (export_done, f);
  g_object_add_weak_pointer (G_OBJECT (f->page), (gpointer *) &f->page);
  crm_test_ui_destroy_window (GTK_WINDOW (f->window));
  crm_test_ui_iterate ();
  g_assert_null (f->page);
  g_clear_object (&f->context);
  g_assert_finalize_object (f->store);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (f->dir, name, NULL);
      g_unlink (child);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static char *
read_file (const char *path,
           gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, length, &error));
  g_assert_no_error (error);
  return contents;
}

static gboolean
contains (const char *data,
          gsize       length,
          const char *needle)
{
  gsize n = strlen (needle);

  /* The file holds binary streams: no string search past their NULs. */
  for (gsize i = 0; i + n <= length; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* A PDF of @n_pages pages (Cairo marks each "/Type /Page % N") and, when
 * @title is set, that title ("/Title (…)" for ASCII). */
static void
assert_pdf (const char *path,
            guint       n_pages,
            const char *title)
{
  gsize length = 0;
  g_autofree char *pdf = read_file (path, &length);
  g_autofree char *last = g_strdup_printf ("/Type /Page %% %u\n", n_pages);
  g_autofree char *after = g_strdup_printf ("/Type /Page %% %u\n", n_pages + 1);

  g_assert_cmpuint (length, >, 1000);
  g_assert_true (memcmp (pdf, "%PDF-", 5) == 0);
  g_assert_true (contains (pdf, length, last));
  g_assert_false (contains (pdf, length, after));
  if (title != NULL)
    {
      g_autofree char *needle = g_strdup_printf ("/Title (%s)", title);

      g_assert_true (contains (pdf, length, needle));
    }
}

static void
test_monthly_export (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "monthly.pdf", NULL);
  g_autofree char *csv_path = g_build_filename (f->dir, "monthly.csv", NULL);
  g_autofree char *partial = g_strconcat (pdf, ".part", NULL);
  g_autofree char *csv = NULL;
  const char *title = crm_report_builder_get_title ("monthly");
  CrmReport *report;

  /* The monthly report of last month is what the workspace opens with. */
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "preview");
  g_assert_cmpstr (crm_reports_page_get_template (f->page), ==, "monthly");
  report = crm_reports_page_get_report (f->page);
  g_assert_nonnull (report);
  g_assert_cmpuint (crm_report_paginate (report), >=, 3);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.export-to", "(ss)", "pdf", pdf);
  g_assert_true (crm_reports_page_get_exporting (f->page));
  crm_test_ui_wait_until (export_done, f);
  assert_pdf (pdf, crm_report_paginate (report), title);
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  g_assert_nonnull (strstr (crm_reports_page_get_last_toast (f->page), "monthly.pdf"));

  /* The data behind it: CSV with a BOM, section by section. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.export-to", "(ss)", "csv", csv_path);
  crm_test_ui_wait_until (export_done, f);
  csv = read_file (csv_path, NULL);
  g_assert_true (g_str_has_prefix (csv, "\xef\xbb\xbf"));
  g_assert_nonnull (strstr (csv, "Revenue"));
}

static void
test_template_and_period (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *png = g_build_filename (f->dir, "region.png", NULL);
  g_autofree char *png2 = g_build_filename (f->dir, "region-2.png", NULL);
  CrmReport *monthly = crm_reports_page_get_report (f->page);
  guint monthly_pages = crm_report_paginate (monthly);
  CrmReport *report;
  GtkWidget *range_button;

  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.template", "s", "sales-by-region");
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "loading");
  crm_test_ui_wait_until (built, f);
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "preview");
  g_assert_cmpstr (crm_reports_page_get_template (f->page), ==, "sales-by-region");
  g_assert_true (crm_reports_page_get_report (f->page) != monthly ||
                 crm_report_paginate (crm_reports_page_get_report (f->page)) != monthly_pages);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.period", "s", "last-year");
  crm_test_ui_wait_until (built, f);
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "preview");

  /* PNG: one image per page, the first under the name given. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.export-to", "(ss)", "png", png);
  crm_test_ui_wait_until (export_done, f);
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
  if (crm_report_paginate (crm_reports_page_get_report (f->page)) > 1)
    g_assert_true (g_file_test (png2, G_FILE_TEST_EXISTS));

  /* An unknown name changes nothing. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.template", "s", "no-such-report");
  g_assert_cmpstr (crm_reports_page_get_template (f->page), ==, "sales-by-region");

  /* A custom period that ends before it starts is refused where the dates
   * are chosen, and the report shown stays. */
  report = crm_reports_page_get_report (f->page);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.range", "(ss)", "2024-03-31", "2024-03-01");
  range_button = crm_test_ui_find_descendant (GTK_WIDGET (f->page), CRM_TYPE_DATE_RANGE_BUTTON);
  g_assert_nonnull (range_button);
  g_assert_true (gtk_widget_get_visible (range_button));
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "preview");
  g_assert_true (crm_reports_page_get_report (f->page) == report);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.range", "(ss)", "2024-03-01", "2024-03-31");
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "loading");
  crm_test_ui_wait_until (built, f);
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "preview");

  /* Back to a named period hides the dates. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.period", "s", "month");
  g_assert_false (gtk_widget_get_visible (range_button));
  crm_test_ui_wait_until (built, f);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "cancelled.pdf", NULL);
  g_autofree char *partial = g_strconcat (pdf, ".part", NULL);

  /* Cancel an export: nothing is left behind. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.export-to", "(ss)", "pdf", pdf);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.cancel", NULL);
  crm_test_ui_wait_until (export_done, f);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (crm_reports_page_get_last_toast (f->page), ==, "Export cancelled; nothing was saved.");

  /* Cancel a build: the page says so and builds again on request. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.refresh", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.cancel", NULL);
  crm_test_ui_wait_until (built, f);
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "error");
  g_assert_null (crm_reports_page_get_report (f->page));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.refresh", NULL);
  crm_test_ui_wait_until (built, f);
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "preview");
}

static void
test_print_and_errors (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "printed.pdf", NULL);
  g_autofree char *nowhere = g_build_filename (f->dir, "no-such-folder", "report.pdf", NULL);

  /* Printing to a file goes through GtkPrintOperation and draws every page. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.print-to", "s", pdf);
  crm_test_ui_iterate ();
  assert_pdf (pdf, crm_report_paginate (crm_reports_page_get_report (f->page)), NULL);

  /* A folder that does not exist: the toast says where. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.export-to", "(ss)", "pdf", nowhere);
  crm_test_ui_wait_until (export_done, f);
  g_assert_nonnull (strstr (crm_reports_page_get_last_toast (f->page), "no-such-folder"));
  g_assert_false (g_file_test (nowhere, G_FILE_TEST_EXISTS));
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "empty");
  g_assert_null (crm_reports_page_get_report (f->page));
  /* A period with nothing either. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "reports.range", "(ss)", "2001-01-01", "2001-01-31");
  crm_test_ui_wait_until (built, f);
  g_assert_cmpstr (crm_reports_page_get_state (f->page), ==, "empty");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  crm_test_ui_init (&argc, &argv);
  app = crm_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);

  g_test_add ("/reports/monthly-export", Fixture, GUINT_TO_POINTER (150), fixture_set_up, test_monthly_export,
              fixture_tear_down);
  g_test_add ("/reports/template-and-period", Fixture, GUINT_TO_POINTER (150), fixture_set_up,
              test_template_and_period, fixture_tear_down);
  g_test_add ("/reports/cancel", Fixture, GUINT_TO_POINTER (150), fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/reports/print-and-errors", Fixture, GUINT_TO_POINTER (150), fixture_set_up, test_print_and_errors,
              fixture_tear_down);
  g_test_add ("/reports/empty", Fixture, GUINT_TO_POINTER (0), fixture_set_up, test_empty, fixture_tear_down);

  ret = g_test_run ();
  g_clear_object (&app);
  return ret;
}
