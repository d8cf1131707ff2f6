/* test-service-page.c: the Service workspace driven through its actions: queue order, SLA overdue, quick actions with undo, metrics */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "crm-activity.h"
#include "crm-contact.h"
#include "crm-context.h"
#include "crm-service-page.h"
#include "crm-store-private.h"
#include "crm-test-ui.h"

typedef struct
{
  char           *dir;
  CrmStore       *store;
  CrmContext     *context;
  GtkWindow      *window;
  CrmServicePage *page;
  char           *open_id;      /* urgent, open */
  char           *working_id;   /* normal, in progress */
  char           *resolved_id;  /* low, resolved */
  char           *later;        /* five hours after the complaints came in */
} Fixture;

static char *
add_complaint (Fixture    *f,
               const char *contact_id,
               const char *priority,
               const char *status)
{
  g_autoptr(CrmActivity) c = crm_activity_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (c, "kind", "complaint", "contact-id", contact_id, "priority", priority,
                "subject", "<b>Broken</b> on arrival", "category", "quality", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (c), &error));
  if (status != NULL)
    g_assert_true (crm_complaint_set_status (f->store, c, status, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (c)));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_hours (now, 5);
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("crm-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "crm.db", NULL);
  f->store = crm_store_open (path, &error);
  g_assert_no_error (error);
  f->context = crm_context_new (f->store, settings);

  crm_contact_set_name (contact, "Huang Lei");
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  f->resolved_id = add_complaint (f, crm_record_get_id (CRM_RECORD (contact)), "low", "resolved");
  f->working_id = add_complaint (f, crm_record_get_id (CRM_RECORD (contact)), "normal", "in_progress");
  f->open_id = add_complaint (f, crm_record_get_id (CRM_RECORD (contact)), "urgent", NULL);
  f->later = g_date_time_format (later, "%Y-%m-%dT%H:%M:%SZ");

  f->page = g_object_new (CRM_TYPE_SERVICE_PAGE, NULL);
  crm_service_page_set_context (f->page, f->context);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1200, 800);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);
  crm_test_ui_iterate ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_object_add_weak_pointer (G_OBJECT (f->page), (gpointer *) &f->page);
  crm_test_ui_destroy_window (f->window);
  crm_test_ui_iterate ();
  g_assert_null (f->page);
  g_clear_object (&f->context);
  g_assert_finalize_object (f->store);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->open_id);
  g_free (f->working_id);
  g_free (f->resolved_id);
  g_free (f->later);
}

static void
act (Fixture    *f,
     const char *action,
     const char *format,
     ...)
{
  GVariant *param = NULL;
  va_list args;

  if (format != NULL)
    {
      va_start (args, format);
      param = g_variant_new_va (format, NULL, &args);
      va_end (args);
    }
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->page), action, param));
  crm_test_ui_iterate ();
}

static const char *
queue_id (Fixture *f,
          guint    index)
{
  GPtrArray *queue = crm_service_page_get_queue (f->page);

  g_assert_cmpuint (index, <, queue->len);
  return crm_record_get_id (g_ptr_array_index (queue, index));
}

static CrmActivity *
load (Fixture    *f,
      const char *id)
{
  g_autoptr(GError) error = NULL;
  CrmActivity *c = crm_store_get (f->store, CRM_TYPE_ACTIVITY, id, &error);

  g_assert_no_error (error);
  return c;
}

static void
test_queue_and_sla (Fixture       *f,
                    gconstpointer  data)
{
  const CrmServiceMetrics *m;

  /* Urgent first; resolved ones are still in the default view. */
  g_assert_cmpuint (crm_service_page_get_queue (f->page)->len, ==, 3);
  g_assert_cmpstr (queue_id (f, 0), ==, f->open_id);
  g_assert_cmpstr (queue_id (f, 1), ==, f->working_id);
  g_assert_cmpstr (queue_id (f, 2), ==, f->resolved_id);
  g_assert_false (crm_service_page_is_overdue (f->page, 0));

  /* Five hours later the unanswered one is past its 4 h response target;
   * the answered one has 48 h to be resolved. */
  crm_service_page_set_now (f->page, f->later);
  g_assert_true (crm_service_page_is_overdue (f->page, 0));
  g_assert_false (crm_service_page_is_overdue (f->page, 1));
  g_assert_false (crm_service_page_is_overdue (f->page, 2));
  m = crm_service_page_get_metrics (f->page);
  g_assert_cmpint (m->backlog, ==, 2);
  g_assert_cmpint (m->overdue, ==, 1);

  /* Tighter targets: resolve within 2 h makes the one in progress late. */
  act (f, "service.set-sla", "(iib)", 60, 120, TRUE);
  g_assert_true (crm_service_page_is_overdue (f->page, 1));
  g_assert_cmpint (crm_service_page_get_metrics (f->page)->overdue, ==, 2);

  act (f, "service.filter-status", "s", "resolved");
  g_assert_cmpuint (crm_service_page_get_queue (f->page)->len, ==, 1);
  g_assert_cmpstr (queue_id (f, 0), ==, f->resolved_id);
  act (f, "service.filter-status", "s", "");
  act (f, "service.filter-priority", "s", "urgent");
  g_assert_cmpuint (crm_service_page_get_queue (f->page)->len, ==, 1);
}

static void
test_quick_actions (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CrmActivity) started = NULL;
  g_autoptr(CrmActivity) undone = NULL;
  g_autoptr(CrmActivity) rated = NULL;
  g_autoptr(CrmActivity) closed = NULL;

  crm_service_page_set_now (f->page, f->later);
  act (f, "service.set-status", "(ss)", f->open_id, "in_progress");
  started = load (f, f->open_id);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (started), "status"), ==, "in_progress");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (started), "first_response_at"), ==, f->later);
  /* Answered late is late, but no longer waiting for a response. */
  g_assert_false (crm_service_page_is_overdue (f->page, 0));

  act (f, "service.undo", NULL);
  undone = load (f, f->open_id);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (undone), "status"), ==, "open");
  g_assert_null (crm_record_get_string (CRM_RECORD (undone), "first_response_at"));
  g_assert_true (crm_service_page_is_overdue (f->page, 0));

  act (f, "service.set-satisfaction", "(si)", f->resolved_id, 4);
  rated = load (f, f->resolved_id);
  g_assert_cmpint (crm_record_get_int64 (CRM_RECORD (rated), "satisfaction"), ==, 4);
  g_assert_cmpfloat_with_epsilon (crm_service_page_get_metrics (f->page)->satisfaction, 4.0, 1e-9);

  act (f, "service.set-status", "(ss)", f->resolved_id, "closed");
  closed = load (f, f->resolved_id);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (closed), "status"), ==, "closed");
  /* Closed ones leave the default queue. */
  g_assert_cmpuint (crm_service_page_get_queue (f->page)->len, ==, 2);
}

static gint64
query_int (Fixture    *f,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (f->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* New Complaint: the reason when something is missing, the fields as
 * chosen, the owner as assignee, undo from the toast. */
static void
test_new_complaint (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  CrmComplaintDialog *dialog;
  GPtrArray *matches;
  gint64 before = query_int (f, "SELECT count(*) FROM activities WHERE kind = 'complaint' AND deleted = 0");

  crm_contact_set_name (contact, "Zhang <b>Wei</b>");
  crm_record_set_owner_id (CRM_RECORD (contact), "0190c5e2-0000-7000-8000-00000000bbbb");
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);

  act (f, "service.new-complaint", NULL);
  dialog = crm_service_page_get_complaint_dialog (f->page);
  g_assert_true (CRM_IS_COMPLAINT_DIALOG (dialog));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  /* Asking again shows the same dialog. */
  act (f, "service.new-complaint", NULL);
  g_assert_true (crm_service_page_get_complaint_dialog (f->page) == dialog);

  /* Nothing chosen: the reason is shown, nothing stored. */
  crm_complaint_dialog_set_description (dialog, "Arrived broken");
  g_assert_false (crm_complaint_dialog_create (dialog));
  g_assert_nonnull (strstr (crm_complaint_dialog_get_problem (dialog), "customer"));

  crm_complaint_dialog_search (dialog, "zhang");
  matches = crm_complaint_dialog_get_matches (dialog);
  g_assert_cmpuint (matches->len, ==, 1);
  crm_complaint_dialog_set_contact (dialog, g_ptr_array_index (matches, 0));
  g_assert_null (crm_complaint_dialog_get_problem (dialog));
  g_assert_null (crm_complaint_dialog_get_assignee (dialog));   /* the customer's owner */

  /* An empty description is refused with the reason. */
  crm_complaint_dialog_set_description (dialog, " \n\t ");
  g_assert_false (crm_complaint_dialog_create (dialog));
  g_assert_nonnull (strstr (crm_complaint_dialog_get_problem (dialog), "Describe"));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM activities WHERE kind = 'complaint' AND deleted = 0"), ==, before);

  crm_complaint_dialog_set_category (dialog, "delivery");
  crm_complaint_dialog_set_priority (dialog, "urgent");
  crm_complaint_dialog_set_description (dialog, "Arrived <i>broken</i>\nWants a new one by Friday");
  g_assert_true (crm_complaint_dialog_create (dialog));
  crm_test_ui_iterate ();
  g_assert_null (dialog);
  g_assert_null (crm_service_page_get_complaint_dialog (f->page));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM activities WHERE kind = 'complaint' AND deleted = 0"
                                 " AND status = 'open' AND priority = 'urgent' AND category = 'delivery'"
                                 " AND subject = 'Arrived <i>broken</i>'"
                                 " AND body = 'Arrived <i>broken</i>' || char (10) || 'Wants a new one by Friday'"
                                 " AND assignee_id = '0190c5e2-0000-7000-8000-00000000bbbb'"), ==, 1);
  /* In the queue at once (every complaint here is not closed). */
  g_assert_cmpint (crm_service_page_get_queue (f->page)->len, ==, before + 1);

  /* Undo from the toast takes it away again. */
  act (f, "service.undo", NULL);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM activities WHERE kind = 'complaint' AND deleted = 0"), ==, before);
}

int
main (int   argc,
      char *argv[])
{
  crm_test_ui_init (&argc, &argv);

  g_test_add ("/service-page/queue-and-sla", Fixture, NULL, fixture_set_up, test_queue_and_sla, fixture_tear_down);
  g_test_add ("/service-page/quick-actions", Fixture, NULL, fixture_set_up, test_quick_actions, fixture_tear_down);
  g_test_add ("/service-page/new-complaint", Fixture, NULL, fixture_set_up, test_new_complaint, fixture_tear_down);

  return g_test_run ();
}
