/* test-dashboard-page.c: the Dashboard workspace driven through its actions: KPIs, period, filters, click through to contacts */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "crm-application.h"
#include "crm-chart-view.h"
#include "crm-contact.h"
#include "crm-contacts-page.h"
#include "crm-context.h"
#include "crm-dashboard-page.h"
#include "crm-purchase.h"
#include "crm-test-ui.h"
#include "crm-window.h"

/* One registered application: the click-through goes through the window. */
static CrmApplication *app;

typedef struct
{
  char             *dir;
  CrmStore         *store;
  CrmContext       *context;
  CrmWindow        *window;
  CrmDashboardPage *page;
} Fixture;

static gboolean
page_loaded (gpointer data)
{
  Fixture *f = data;

  return !crm_dashboard_page_get_loading (f->page) && crm_dashboard_page_get_kpis (f->page) != NULL;
}

static void
wait_loaded (Fixture *f)
{
  crm_test_ui_wait_until (page_loaded, f);
}

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
  f->context = crm_context_new (f->store, settings);
  f->window = crm_window_new (ADW_APPLICATION (app), f->context);
  gtk_window_present (GTK_WINDOW (f->window));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.workspace", "s", "dashboard");
  f->page = CRM_DASHBOARD_PAGE (crm_test_ui_find_descendant (GTK_WIDGET (f->window), CRM_TYPE_DASHBOARD_PAGE));
  g_assert_nonnull (f->page);
  wait_loaded (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  wait_loaded (f);
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
add_contact (Fixture    *f,
             const char *name,
             const char *province)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, name);
  crm_record_set_field_from_string (CRM_RECORD (contact), "province", province, &error);
  g_assert_no_error (error);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

/* A purchase @days_ago days before now. */
static void
add_purchase (Fixture    *f,
              const char *contact_id,
              int         days_ago,
              gint64      amount)
{
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) at = g_date_time_add_minutes (now, -1 - days_ago * 24 * 60);
  g_autofree char *text = g_date_time_format (at, "%Y-%m-%dT%H:%M:%SZ");

  g_object_set (purchase, "contact-id", contact_id, "product", "茶叶", "purchased-at", text,
                "amount", amount, NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (purchase), &error));
  g_assert_no_error (error);
}

static const CrmChartData *
chart (Fixture    *f,
       const char *name)
{
  GtkWidget *view = crm_dashboard_page_get_chart (f->page, name);

  g_assert_true (CRM_IS_CHART_VIEW (view));
  return crm_chart_view_get_data (CRM_CHART_VIEW (view));
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  const CrmChartData *revenue = chart (f, "revenue");

  /* Every tile and chart says there is nothing yet rather than 0 or n/a. */
  g_assert_true (isnan (revenue->value));
  g_assert_cmpstr (revenue->empty_text, ==, "No data yet");
  g_assert_true (isnan (chart (f, "churn")->value));
  g_assert_cmpuint (chart (f, "sales-trend")->n_series, ==, 2);
  g_assert_cmpuint (chart (f, "nps-answers")->n_categories, ==, 0);
  g_assert_nonnull (chart (f, "nps-answers")->empty_text);
  g_assert_cmpint (crm_dashboard_page_get_kpis (f->page)->revenue.orders, ==, 0);
}

static void
test_kpis_follow_store (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *a = add_contact (f, "王芳", "北京");
  g_autofree char *b = add_contact (f, "Li Lei", "上海");
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_time_t (&today, time (NULL));
  /* The store changed while the page is shown: it computes again. */
  add_purchase (f, a, 0, 12000);
  add_purchase (f, b, 0, 3000);
  crm_test_ui_iterate ();
  wait_loaded (f);
  g_assert_cmpint (crm_dashboard_page_get_kpis (f->page)->revenue.revenue, ==, 15000);
  g_assert_cmpfloat (chart (f, "revenue")->value, ==, 150.0);
  g_assert_cmpfloat (chart (f, "orders")->value, ==, 2);
  /* The sparkline's last month holds this month's revenue. */
  g_assert_cmpuint (chart (f, "revenue")->n_categories, ==, 12);
  g_assert_cmpfloat (chart (f, "revenue")->series[0].values[11], ==, 150.0);

  /* Region filter: only the Beijing customer. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.region", "s", "北京");
  wait_loaded (f);
  g_assert_cmpint (crm_dashboard_page_get_kpis (f->page)->revenue.revenue, ==, 12000);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.region", "s", "");
  wait_loaded (f);
  g_assert_cmpint (crm_dashboard_page_get_kpis (f->page)->revenue.revenue, ==, 15000);

  /* Owner filter: nobody owns these customers. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.owner", "s", "01890000-0000-7000-8000-000000000001");
  wait_loaded (f);
  g_assert_cmpint (crm_dashboard_page_get_kpis (f->page)->revenue.revenue, ==, 0);
  g_assert_true (isnan (chart (f, "revenue")->value));
  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.owner", "s", "");
  wait_loaded (f);
  g_assert_cmpint (crm_dashboard_page_get_kpis (f->page)->revenue.revenue, ==, 15000);
}

/* The NPS tile reads as the NPS chart does (whole points, the period's
 * answers), and churn shows only final months (DESIGN.md §6): a month
 * counts once the 180 days after its start are over. */
static void
test_nps_and_churn (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *a = add_contact (f, "王芳", "北京");
  g_autofree char *b = add_contact (f, "Li Lei", "上海");
  const CrmChartData *churn;
  guint shown = 0;

  g_assert_cmpint (chart (f, "nps")->format, ==, CRM_CHART_FORMAT_SCORE);

  add_purchase (f, a, 420, 1000);
  add_purchase (f, b, 400, 1000);
  add_purchase (f, b, 30, 1000);
  crm_test_ui_iterate ();
  wait_loaded (f);
  churn = chart (f, "churn");
  /* This month's churn is never final. */
  g_assert_cmpstr (churn->title, ==, "Churn rate (provisional)");
  g_assert_cmpuint (churn->n_categories, ==, 12);
  for (guint i = 0; i < 12; i++)
    {
      GDate start, today;

      g_date_clear (&today, 1);
      g_date_set_time_t (&today, time (NULL));
      start = today;
      g_date_set_day (&start, 1);
      g_date_subtract_months (&start, 11 - i);
      g_date_add_days (&start, 179);
      if (g_date_compare (&start, &today) > 0)
        g_assert_true (isnan (churn->series[0].values[i]));
      else if (!isnan (churn->series[0].values[i]))
        shown++;
    }
  /* A, gone for over a year, churned in an early month that is final. */
  g_assert_cmpuint (shown, >, 0);
  g_assert_cmpstr (chart (f, "churn-trend")->subtitle, ==, "Recent months show once final, 180 days on");
}

static void
test_period (Fixture       *f,
             gconstpointer  data)
{
  const CrmAnalyticsQuery *q = crm_dashboard_page_get_query (f->page);
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_time_t (&today, time (NULL));
  g_assert_cmpint (g_date_get_day (&q->from), ==, 1);
  g_assert_cmpint (g_date_compare (&q->to, &today), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.period", "s", "year");
  wait_loaded (f);
  g_assert_cmpint (g_date_get_month (&q->from), ==, G_DATE_JANUARY);
  g_assert_cmpint (g_date_get_day (&q->from), ==, 1);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.period", "s", "quarter");
  wait_loaded (f);
  g_assert_cmpint ((g_date_get_month (&q->from) - 1) % 3, ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.period", "s", "last-month");
  wait_loaded (f);
  g_assert_true (g_date_is_last_of_month (&q->to));
  g_assert_cmpint (g_date_compare (&q->to, &today), <, 0);

  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.range", "(ss)", "2024-02-01", "2024-02-29");
  wait_loaded (f);
  g_assert_cmpint (g_date_get_year (&q->from), ==, 2024);
  g_assert_cmpint (g_date_get_day (&q->to), ==, 29);
  /* Days of a month are the sales trend's points. */
  g_assert_cmpuint (chart (f, "sales-trend")->n_categories, ==, 29);

  /* A date that does not exist changes nothing. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.range", "(ss)", "2024-02-30", "2024-03-10");
  crm_test_ui_iterate ();
  g_assert_cmpint (g_date_get_day (&q->to), ==, 29);
}

static void
test_click_through (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *view = crm_dashboard_page_get_chart (f->page, "lifecycle");
  const CrmChartData *lifecycle = crm_chart_view_get_data (CRM_CHART_VIEW (view));
  CrmContactsPage *contacts = CRM_CONTACTS_PAGE (crm_test_ui_find_descendant (GTK_WIDGET (f->window), CRM_TYPE_CONTACTS_PAGE));
  CrmContactListModel *model = crm_contacts_page_get_model (contacts);
  g_autofree char *a = add_contact (f, "王芳", "北京");
  int dormant = -1;

  add_purchase (f, a, 200, 5000);
  crm_test_ui_iterate ();
  wait_loaded (f);
  lifecycle = crm_chart_view_get_data (CRM_CHART_VIEW (view));
  g_assert_nonnull (lifecycle->row_notes);
  for (guint i = 0; i < lifecycle->n_categories; i++)
    if (g_strcmp0 (lifecycle->row_notes[i], "dormant") == 0)
      dormant = i;
  g_assert_cmpint (dormant, >=, 0);

  /* The region filter goes along to the contacts. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.region", "s", "北京");
  wait_loaded (f);
  /* Choosing the dormant bar with the keyboard, then Enter. */
  crm_chart_view_set_selected (CRM_CHART_VIEW (view), dormant);
  g_assert_cmpint (crm_chart_view_get_selected (CRM_CHART_VIEW (view)), ==, dormant);
  {
    g_autofree char *tooltip = crm_chart_view_describe (CRM_CHART_VIEW (view), dormant);

    g_assert_true (g_str_has_prefix (tooltip, "Dormant\n"));
  }
  g_signal_emit_by_name (view, "activated", dormant);
  crm_test_ui_iterate ();
  g_assert_cmpstr (crm_window_get_visible_workspace (f->window), ==, "contacts");
  g_assert_cmpstr (crm_contact_list_model_get_filter (model, CRM_CONTACT_FILTER_LIFECYCLE), ==, "dormant");
  g_assert_cmpstr (crm_contact_list_model_get_filter (model, CRM_CONTACT_FILTER_PROVINCE), ==, "北京");
  g_assert_cmpuint (crm_contact_list_model_get_n_filters (model), ==, 2);

  /* Back on the dashboard, the churn tile opens the churned customers. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.workspace", "s", "dashboard");
  gtk_widget_activate_action (GTK_WIDGET (f->page), "dashboard.region", "s", "");
  wait_loaded (f);
  g_signal_emit_by_name (crm_dashboard_page_get_chart (f->page, "churn"), "activated", 0);
  g_assert_cmpstr (crm_contact_list_model_get_filter (model, CRM_CONTACT_FILTER_LIFECYCLE), ==, "churned");
  g_assert_cmpuint (crm_contact_list_model_get_n_filters (model), ==, 1);
}

static void
test_chart_view (void)
{
  static const double values[] = { 10, 20, 30 };
  static const char * const labels[] = { "一月", "二月", "三月" };
  CrmChartSeries series = { "Revenue", values, FALSE };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = crm_chart_view_new ();
  CrmChartData data;
  g_autofree char *text = NULL;

  crm_chart_data_init (&data);
  data.title = "Test";
  data.n_categories = 3;
  data.categories = labels;
  data.n_series = 1;
  data.series = &series;
  crm_chart_view_set_chart (CRM_CHART_VIEW (view), crm_chart_bar_draw, &data, NULL, NULL);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 300);
  gtk_window_present (GTK_WINDOW (window));
  crm_test_ui_iterate ();

  g_assert_true (gtk_widget_get_focusable (view));
  g_assert_cmpint (crm_chart_view_get_selected (CRM_CHART_VIEW (view)), ==, -1);
  crm_chart_view_set_selected (CRM_CHART_VIEW (view), 7);
  g_assert_cmpint (crm_chart_view_get_selected (CRM_CHART_VIEW (view)), ==, 2);
  text = crm_chart_view_describe (CRM_CHART_VIEW (view), 1);
  g_assert_cmpstr (text, ==, "二月\n20");
  g_assert_null (crm_chart_view_describe (CRM_CHART_VIEW (view), 3));

  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &view);
  crm_test_ui_destroy_window (GTK_WINDOW (window));
  crm_test_ui_iterate ();
  g_assert_null (view);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  crm_test_ui_init (&argc, &argv);
  app = crm_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);

  g_test_add ("/dashboard/empty", Fixture, NULL, fixture_set_up, test_empty, fixture_tear_down);
  g_test_add ("/dashboard/kpis-follow-store", Fixture, NULL, fixture_set_up, test_kpis_follow_store, fixture_tear_down);
  g_test_add ("/dashboard/period", Fixture, NULL, fixture_set_up, test_period, fixture_tear_down);
  g_test_add ("/dashboard/nps-and-churn", Fixture, NULL, fixture_set_up, test_nps_and_churn, fixture_tear_down);
  g_test_add ("/dashboard/click-through", Fixture, NULL, fixture_set_up, test_click_through, fixture_tear_down);
  g_test_add_func ("/dashboard/chart-view", test_chart_view);

  ret = g_test_run ();
  g_clear_object (&app);
  return ret;
}
