/* test-service.c: complaint workflow, SLA timers across day boundaries, the queue and service metrics */

#include "config.h"

#include <math.h>

#include "crm-activity.h"
#include "crm-service.h"
#include "store-fixture.h"

static GDateTime *
utc (const char *iso)
{
  GDateTime *dt = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (dt);
  return dt;
}

static void
test_sla_across_midnight (void)
{
  CrmServiceSettings settings = { 4 * 60, 48 * 60, TRUE, NULL };
  g_autoptr(GDateTime) before = utc ("2024-03-31T23:59:59Z");
  g_autoptr(GDateTime) due = utc ("2024-04-01T02:30:00Z");
  g_autoptr(GDateTime) after = utc ("2024-04-01T02:30:01Z");
  g_autoptr(GDateTime) day_after = utc ("2024-04-02T22:30:00Z");
  g_autoptr(GDateTime) two_days_after = utc ("2024-04-02T22:30:01Z");
  /* Created late on the last day of March; the HLC form of created_at. */
  const char *created = "2024-03-31T22:30:00.000Z-0000-client-a";
  CrmSlaState sla;

  g_assert_true (crm_complaint_sla (created, NULL, NULL, &settings, before, &sla));
  g_assert_false (sla.response_late);
  g_assert_false (crm_sla_state_is_overdue (&sla, NULL, NULL));
  /* Exactly at the due time is still in time. */
  g_assert_true (crm_complaint_sla (created, NULL, NULL, &settings, due, &sla));
  g_assert_false (sla.response_late);
  g_assert_true (crm_complaint_sla (created, NULL, NULL, &settings, after, &sla));
  g_assert_true (sla.response_late);
  g_assert_false (sla.resolution_late);
  g_assert_true (crm_sla_state_is_overdue (&sla, NULL, NULL));
  /* Answered at 01:00 the next day: the response is in time, the
   * resolution runs on until two days after creation. */
  g_assert_true (crm_complaint_sla (created, "2024-04-01T01:00:00Z", NULL, &settings, day_after, &sla));
  g_assert_false (sla.response_late);
  g_assert_false (crm_sla_state_is_overdue (&sla, "2024-04-01T01:00:00Z", NULL));
  g_assert_true (crm_complaint_sla (created, "2024-04-01T01:00:00Z", NULL, &settings, two_days_after, &sla));
  g_assert_true (sla.resolution_late);
  g_assert_true (crm_sla_state_is_overdue (&sla, "2024-04-01T01:00:00Z", NULL));
  /* Answered late stays late, but is no longer overdue work once resolved. */
  g_assert_true (crm_complaint_sla (created, "2024-04-01T03:00:00Z", "2024-04-01T05:00:00Z",
                                    &settings, two_days_after, &sla));
  g_assert_true (sla.response_late);
  g_assert_false (sla.resolution_late);
  g_assert_false (crm_sla_state_is_overdue (&sla, "2024-04-01T03:00:00Z", "2024-04-01T05:00:00Z"));
  /* Across New Year too, and a target of 0 is none. */
  settings.first_response_minutes = 0;
  g_assert_true (crm_complaint_sla ("2024-12-31T23:00:00Z", NULL, NULL, &settings, two_days_after, &sla));
  g_assert_cmpint (sla.response_due, ==, G_MININT64);
  g_assert_false (sla.response_late);
  {
    g_autoptr(GDateTime) new_year = utc ("2025-01-02T23:00:00Z");
    g_autoptr(GDateTime) new_year_late = utc ("2025-01-02T23:00:01Z");

    g_assert_true (crm_complaint_sla ("2024-12-31T23:00:00Z", NULL, NULL, &settings, new_year, &sla));
    g_assert_false (sla.resolution_late);
    g_assert_true (crm_complaint_sla ("2024-12-31T23:00:00Z", NULL, NULL, &settings, new_year_late, &sla));
    g_assert_true (sla.resolution_late);
  }
  g_assert_false (crm_complaint_sla ("not a time", NULL, NULL, &settings, before, &sla));
}

static CrmActivity *
add_complaint (CrmStore   *store,
               const char *contact_id,
               const char *priority,
               const char *assignee)
{
  g_autoptr(CrmActivity) complaint = crm_activity_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (complaint, "kind", "complaint", "contact-id", contact_id, "subject", "Late delivery",
                "priority", priority, "assignee-id", assignee, "category", "delivery", NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (complaint), &error));
  g_assert_no_error (error);
  return g_steal_pointer (&complaint);
}

static void
test_status_workflow (StoreFixture  *f,
                      gconstpointer  data)
{
  g_autofree char *contact = store_add_contact (f->store, "Chen Jing");
  g_autoptr(CrmActivity) c = add_complaint (f->store, contact, "normal", NULL);
  g_autoptr(CrmActivity) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (c), "status"), ==, "open");
  g_assert_true (crm_complaint_can_move ("open", "in_progress"));
  g_assert_true (crm_complaint_can_move ("open", "resolved"));
  g_assert_true (crm_complaint_can_move ("resolved", "open"));
  g_assert_false (crm_complaint_can_move ("in_progress", "open"));
  g_assert_false (crm_complaint_can_move ("open", "open"));
  g_assert_false (crm_complaint_can_move ("open", "done"));

  g_assert_true (crm_complaint_set_status (f->store, c, "in_progress", "2024-05-01T09:00:00Z", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (c), "first_response_at"), ==, "2024-05-01T09:00:00Z");
  g_assert_null (crm_record_get_string (CRM_RECORD (c), "resolved_at"));
  g_assert_false (crm_complaint_set_status (f->store, c, "open", NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (crm_complaint_set_status (f->store, c, "resolved", "2024-05-02T10:00:00Z", &error));
  /* The first response keeps its time. */
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (c), "first_response_at"), ==, "2024-05-01T09:00:00Z");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (c), "resolved_at"), ==, "2024-05-02T10:00:00Z");
  g_assert_true (crm_complaint_set_status (f->store, c, "closed", "2024-05-03T10:00:00Z", &error));
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (c), "resolved_at"), ==, "2024-05-02T10:00:00Z");

  loaded = crm_store_get (f->store, CRM_TYPE_ACTIVITY, crm_record_get_id (CRM_RECORD (c)), &error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (loaded), "status"), ==, "closed");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (loaded), "category"), ==, "delivery");
  /* Reopened: no longer resolved. */
  g_assert_true (crm_complaint_set_status (f->store, loaded, "in_progress", "2024-05-04T10:00:00Z", &error));
  g_assert_null (crm_record_get_string (CRM_RECORD (loaded), "resolved_at"));
}

static void
test_queue_order_and_filters (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autofree char *contact = store_add_contact (f->store, "Sun Li");
  g_autoptr(CrmActivity) low = add_complaint (f->store, contact, "low", "0190c5e2-0000-7000-8000-00000000aaaa");
  g_autoptr(CrmActivity) urgent = add_complaint (f->store, contact, "urgent", NULL);
  g_autoptr(CrmActivity) normal = add_complaint (f->store, contact, "normal", "0190c5e2-0000-7000-8000-00000000aaaa");
  g_autoptr(CrmActivity) closed = add_complaint (f->store, contact, "urgent", NULL);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  CrmComplaintFilter mine = { NULL, "0190c5e2-0000-7000-8000-00000000aaaa", NULL, NULL };
  CrmComplaintFilter unassigned = { NULL, "", NULL, NULL };
  CrmComplaintFilter only_closed = { "closed", NULL, NULL, NULL };

  g_assert_true (crm_complaint_set_status (f->store, closed, "closed", NULL, &error));
  list = crm_complaints_list (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (list, 0)), ==, crm_record_get_id (CRM_RECORD (urgent)));
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (list, 1)), ==, crm_record_get_id (CRM_RECORD (normal)));
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (list, 2)), ==, crm_record_get_id (CRM_RECORD (low)));
  g_clear_pointer (&list, g_ptr_array_unref);
  list = crm_complaints_list (f->store, &mine, &error);
  g_assert_cmpuint (list->len, ==, 2);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = crm_complaints_list (f->store, &unassigned, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = crm_complaints_list (f->store, &only_closed, &error);
  g_assert_cmpuint (list->len, ==, 1);
}

static void
test_settings_round_trip (StoreFixture  *f,
                          gconstpointer  data)
{
  g_auto(CrmServiceSettings) s = { 0 };
  g_auto(CrmServiceSettings) again = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_service_settings_load (f->store, &s, &error));
  g_assert_cmpint (s.first_response_minutes, ==, CRM_SERVICE_DEFAULT_FIRST_RESPONSE_MINUTES);
  g_assert_cmpint (s.resolution_minutes, ==, CRM_SERVICE_DEFAULT_RESOLUTION_MINUTES);
  g_assert_true (s.auto_complaint);
  g_assert_null (s.complaint_assignee);
  s.first_response_minutes = 30;
  s.resolution_minutes = 600;
  g_assert_true (crm_service_settings_save (f->store, &s, &error));
  g_assert_true (crm_service_settings_load (f->store, &again, &error));
  g_assert_cmpint (again.first_response_minutes, ==, 30);
  g_assert_cmpint (again.resolution_minutes, ==, 600);
  s.resolution_minutes = -1;
  g_assert_false (crm_service_settings_save (f->store, &s, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
}

static void
test_metrics (StoreFixture  *f,
              gconstpointer  data)
{
  g_autofree char *contact = store_add_contact (f->store, "Zhou Xun");
  CrmServiceSettings settings = { 60, 24 * 60, TRUE, NULL };
  g_autoptr(GDateTime) now_dt = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_hours (now_dt, 2);
  g_autoptr(GError) error = NULL;
  CrmAnalyticsQuery query;
  CrmServiceMetrics m;

  /* Two resolved (satisfaction 4 and 2), one in progress, one open. */
  for (int i = 0; i < 4; i++)
    {
      g_autoptr(CrmActivity) c = add_complaint (f->store, contact, "normal", NULL);

      if (i < 2)
        {
          g_object_set (c, "satisfaction", (gint64) (i == 0 ? 4 : 2), NULL);
          g_assert_true (crm_complaint_set_status (f->store, c, "resolved", NULL, &error));
        }
      else if (i == 2)
        g_assert_true (crm_complaint_set_status (f->store, c, "in_progress", NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (crm_analytics_query_init (&query, "2000-01-01", "2099-12-31", &error));
  g_assert_true (crm_service_metrics (f->store, &query, &settings, now_dt, &m, &error));
  g_assert_no_error (error);
  g_assert_cmpint (m.times.complaints, ==, 4);
  g_assert_cmpint (m.backlog, ==, 2);
  g_assert_cmpint (m.overdue, ==, 0);
  g_assert_cmpint (m.rated, ==, 2);
  g_assert_cmpfloat_with_epsilon (m.satisfaction, 3.0, 1e-9);
  /* No purchases: no active customers, so no rate rather than infinity. */
  g_assert_cmpint (m.customers, ==, 0);
  g_assert_true (isnan (m.per_thousand));
  /* Two hours on, the open one has waited past its 1 hour response
   * target; the one in progress was answered in time. */
  g_assert_true (crm_service_metrics (f->store, &query, &settings, later, &m, &error));
  g_assert_cmpint (m.overdue, ==, 1);
}

static void
test_create_complaint (StoreFixture  *f,
                       gconstpointer  data)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(CrmActivity) complaint = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) long_text = g_string_new (NULL);
  const char *id;

  crm_contact_set_name (contact, "周杰");
  crm_record_set_owner_id (CRM_RECORD (contact), "0190c5e2-0000-7000-8000-00000000aaaa");
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  id = crm_record_get_id (CRM_RECORD (contact));

  /* What is missing or wrong is said, nothing stored. */
  g_assert_null (crm_complaint_create (f->store, id, "delivery", "high", "  \n ", NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (crm_complaint_create (f->store, NULL, "delivery", "high", "Late", NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (crm_complaint_create (f->store, id, "delivery", "whenever", "Late", NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (crm_complaint_create (f->store, "01890000-0000-7000-8000-000000000000", NULL, NULL, "Late", NULL, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM activities"), ==, 0);

  /* The assignee defaults to the contact's owner; the subject is the first line. */
  complaint = crm_complaint_create (f->store, id, "delivery", "high", " 送货晚了三天\n包装也破了 ", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "kind"), ==, "complaint");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "status"), ==, "open");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "subject"), ==, "送货晚了三天");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "body"), ==, "送货晚了三天\n包装也破了");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "category"), ==, "delivery");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "priority"), ==, "high");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "assignee_id"), ==,
                   "0190c5e2-0000-7000-8000-00000000aaaa");
  g_clear_object (&complaint);

  /* A long first line is shortened to 80 characters; someone else may be named. */
  for (int i = 0; i < 50; i++)
    g_string_append (long_text, "很慢");
  complaint = crm_complaint_create (f->store, id, NULL, NULL, long_text->str, "01890000-0000-7000-8000-0000000000aa", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_utf8_strlen (crm_record_get_string (CRM_RECORD (complaint), "subject"), -1), ==, 80);
  g_assert_true (g_str_has_suffix (crm_record_get_string (CRM_RECORD (complaint), "subject"), "…"));
  g_assert_null (crm_record_get_string (CRM_RECORD (complaint), "category"));
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "priority"), ==, "normal");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "assignee_id"), ==, "01890000-0000-7000-8000-0000000000aa");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/service/sla-across-midnight", test_sla_across_midnight);
  STORE_TEST ("/service/status-workflow", test_status_workflow);
  STORE_TEST ("/service/queue-order-and-filters", test_queue_order_and_filters);
  STORE_TEST ("/service/settings-round-trip", test_settings_round_trip);
  STORE_TEST ("/service/metrics", test_metrics);
  STORE_TEST ("/service/create-complaint", test_create_complaint);

  return g_test_run ();
}
