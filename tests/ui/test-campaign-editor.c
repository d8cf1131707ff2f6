/* test-campaign-editor.c: the campaign editor driven through its actions (content per segment, audience check, preview, save, launch) and the page's Send through a local SMTP server */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "crm-campaign-editor.h"
#include "crm-campaign-scheduler.h"
#include "crm-campaigns-page.h"
#include "crm-campaigns.h"
#include "crm-contact.h"
#include "crm-context.h"
#include "crm-store-private.h"
#include "crm-surveys.h"
#include "crm-test-ui.h"
#include "../smtp-relay.h"

typedef struct
{
  char              *dir;
  CrmStore          *store;
  GSettings         *settings;
  CrmContext        *context;
  GtkWindow         *window;
  CrmCampaignsPage  *page;
  CrmCampaignEditor *editor;
  char              *saved_id;
} Fixture;

static void
add_contact (CrmStore   *store,
             const char *name,
             const char *city,
             const char *email,
             gboolean    consent)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, name);
  g_assert_true (crm_contact_set_field_from_string (contact, "city", city, &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "email", email, &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "consent_email", consent ? "true" : "false", &error));
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
}

static void
on_saved (CrmCampaignEditor *editor,
          const char        *campaign_id,
          Fixture           *f)
{
  g_free (f->saved_id);
  f->saved_id = g_strdup (campaign_id);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("crm-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "crm.db", NULL);
  f->store = crm_store_open (path, &error);
  g_assert_no_error (error);
  add_contact (f->store, "张伟", "北京", "zw@example.com", TRUE);
  add_contact (f->store, "李娜", "上海", "ln@example.com", TRUE);
  add_contact (f->store, "王芳", "北京", "wf@example.com", FALSE);
  f->settings = g_settings_new ("com.example.Crm");
  f->context = crm_context_new (f->store, f->settings);

  f->page = g_object_new (CRM_TYPE_CAMPAIGNS_PAGE, NULL);
  crm_campaigns_page_set_context (f->page, f->context);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1200, 800);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);

  f->editor = crm_campaign_editor_new (f->context, NULL);
  g_object_add_weak_pointer (G_OBJECT (f->editor), (gpointer *) &f->editor);
  g_signal_connect (f->editor, "saved", G_CALLBACK (on_saved), f);
  gtk_window_set_transient_for (GTK_WINDOW (f->editor), f->window);
  gtk_window_present (GTK_WINDOW (f->editor));
  crm_test_ui_iterate ();
}

static gboolean
editor_gone (gpointer data)
{
  return ((Fixture *) data)->editor == NULL;
}

static gboolean
page_gone (gpointer data)
{
  return ((Fixture *) data)->page == NULL;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  /* A check or count still running holds its widget until its callback ran. */
  if (f->editor != NULL)
    crm_test_ui_destroy_window (GTK_WINDOW (f->editor));
  crm_test_ui_wait_until (editor_gone, f);
  g_object_add_weak_pointer (G_OBJECT (f->page), (gpointer *) &f->page);
  crm_test_ui_destroy_window (f->window);
  crm_test_ui_wait_until (page_gone, f);
  g_clear_object (&f->context);
  g_clear_object (&f->settings);
  g_assert_finalize_object (f->store);
  g_free (f->saved_id);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static gint64
query_int (CrmStore   *store,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (crm_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

typedef struct
{
  Fixture *f;
  guint    after;
} CheckWait;

static gboolean
checked (gpointer data)
{
  CheckWait *w = data;

  return crm_campaign_editor_get_n_checks (w->f->editor) > w->after;
}

/* Runs @action on the editor and waits for the audience check it starts. */
static void
edit (Fixture    *f,
      const char *action,
      GVariant   *parameter)
{
  CheckWait w = { f, crm_campaign_editor_get_n_checks (f->editor) };

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->editor), action, parameter));
  crm_test_ui_wait_until (checked, &w);
}

static void
test_create_preview_launch (Fixture       *f,
                            gconstpointer  data)
{
  CheckWait w = { f, 0 };

  /* A new campaign starts with one variant for the first segment (leads:
   * everyone here); the one without consent is left out and counted. */
  crm_test_ui_wait_until (checked, &w);
  g_assert_cmpint (crm_campaign_editor_get_n_members (f->editor), ==, 2);
  g_assert_nonnull (strstr (crm_campaign_editor_get_check_text (f->editor), "1 without consent"));

  edit (f, "editor.set-variant",
        g_variant_new ("(usss)", 0, "builtin:lead", "{{name}}，新品到了", "{{name}}您好！{{city}}门店见。{{last_product|}}"));
  g_assert_cmpstr (crm_campaign_editor_get_preview_subject (f->editor), ==, "张伟，新品到了");
  g_assert_cmpstr (crm_campaign_editor_get_preview_body (f->editor), ==, "张伟您好！北京门店见。");
  g_assert_nonnull (strstr (crm_campaign_editor_get_preview_member (f->editor), "张伟"));

  /* The preview steps through the members (not the one left out). */
  edit (f, "editor.preview-next", NULL);
  g_assert_cmpstr (crm_campaign_editor_get_preview_body (f->editor), ==, "李娜您好！上海门店见。");
  edit (f, "editor.preview-next", NULL);
  g_assert_cmpstr (crm_campaign_editor_get_preview_subject (f->editor), ==, "张伟，新品到了");

  /* By SMS nobody has consent or a number. */
  edit (f, "editor.set-channel", g_variant_new_string ("sms"));
  g_assert_cmpint (crm_campaign_editor_get_n_members (f->editor), ==, 0);
  edit (f, "editor.set-channel", g_variant_new_string ("email"));
  g_assert_cmpint (crm_campaign_editor_get_n_members (f->editor), ==, 2);

  /* An unknown merge field is named, and there is nothing to launch. */
  edit (f, "editor.set-variant", g_variant_new ("(usss)", 0, "builtin:lead", "s", "{{nickname}}"));
  g_assert_cmpint (crm_campaign_editor_get_n_members (f->editor), ==, -1);
  g_assert_nonnull (strstr (crm_campaign_editor_get_check_text (f->editor), "nickname"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.launch-confirmed", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM campaigns"), ==, 0);

  edit (f, "editor.set-variant",
        g_variant_new ("(usss)", 0, "builtin:lead", "{{name}}，新品到了", "{{name}}您好！"));
  /* No name, no campaign. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.save", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM campaigns"), ==, 0);
  g_assert_nonnull (f->editor);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.set-name", "s", "六月新品"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.launch-confirmed", NULL));
  crm_test_ui_iterate ();
  g_assert_null (f->editor);
  g_assert_nonnull (f->saved_id);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM campaigns WHERE name = '六月新品' AND status = 'running'"), ==, 1);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM campaign_members WHERE status = 'pending'"), ==, 2);
}

static void
test_save_and_edit_draft (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GError) error = NULL;
  CheckWait w = { f, 0 };

  crm_test_ui_wait_until (checked, &w);
  edit (f, "editor.set-variant", g_variant_new ("(usss)", 0, "builtin:lead", "", "第一封 {{name}}"));
  edit (f, "editor.set-variant", g_variant_new ("(usss)", 1, "builtin:first_time", "", "第二封"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.set-name", "s", "草稿"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.set-channel", "s", "letter"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.save", NULL));
  /* Closed; a check still running holds it until its callback ran. */
  crm_test_ui_wait_until (editor_gone, f);

  campaign = crm_store_get (f->store, CRM_TYPE_CAMPAIGN, f->saved_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (campaign), "status"), ==, "draft");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (campaign), "channel"), ==, "letter");
  g_assert_nonnull (strstr (crm_record_get_string (CRM_RECORD (campaign), "templates"), "builtin:first_time"));

  /* Opened again, it shows what was saved; a letter needs a postal address. */
  f->editor = crm_campaign_editor_new (f->context, f->saved_id);
  g_object_add_weak_pointer (G_OBJECT (f->editor), (gpointer *) &f->editor);
  gtk_window_present (GTK_WINDOW (f->editor));
  w.after = 0;
  crm_test_ui_wait_until (checked, &w);
  g_assert_cmpint (crm_campaign_editor_get_n_members (f->editor), ==, 0);
  g_assert_nonnull (strstr (crm_campaign_editor_get_check_text (f->editor), "3 without an address"));
  g_assert_cmpstr (crm_campaign_editor_get_campaign_id (f->editor), ==, f->saved_id);
}

/* {{survey_link}} needs the campaign's survey and email; editing a
 * campaign keeps its survey and the custom fields the editor does not show. */
static void
test_survey_link (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CrmSurvey) survey = crm_survey_new ();
  g_autoptr(CrmCampaign) campaign = crm_campaign_new ();
  g_autoptr(CrmCampaign) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *templates = NULL, *saved_survey = NULL;
  CheckWait w = { f, 0 };
  const char *survey_id;

  g_object_set (survey, "title", "售后回访", "status", "open", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (survey), &error));
  survey_id = crm_record_get_id (CRM_RECORD (survey));
  crm_test_ui_wait_until (checked, &w);

  edit (f, "editor.set-survey", g_variant_new_string (survey_id));
  edit (f, "editor.set-variant", g_variant_new ("(usss)", 0, "builtin:lead", "请评价", "{{name}}，请回答：{{survey_link}}"));
  crm_test_ui_save_screenshot (GTK_WIDGET (f->editor), "campaign-survey-link");
  g_assert_cmpint (crm_campaign_editor_get_n_members (f->editor), ==, 2);
  g_assert_cmpstr (crm_campaign_editor_get_preview_body (f->editor), ==, "张伟，请回答：[one-time survey link]");

  edit (f, "editor.set-survey", g_variant_new_string (""));
  g_assert_cmpint (crm_campaign_editor_get_n_members (f->editor), ==, -1);
  g_assert_nonnull (strstr (crm_campaign_editor_get_check_text (f->editor), "needs the survey"));
  edit (f, "editor.set-survey", g_variant_new_string (survey_id));
  g_assert_cmpint (crm_campaign_editor_get_n_members (f->editor), ==, 2);

  edit (f, "editor.set-channel", g_variant_new_string ("letter"));
  g_assert_nonnull (strstr (crm_campaign_editor_get_check_text (f->editor), "only works in email campaigns"));
  edit (f, "editor.set-channel", g_variant_new_string ("email"));
  g_assert_cmpint (crm_campaign_editor_get_n_members (f->editor), ==, 2);
  crm_test_ui_destroy_window (GTK_WINDOW (f->editor));
  crm_test_ui_wait_until (editor_gone, f);

  /* Made elsewhere (crmctl) with a custom field, edited and saved here. */
  templates = g_strdup_printf ("{\"variants\": [{\"segment\": \"builtin:lead\", \"body\": \"{{offer}} {{survey_link}}\"}],"
                               " \"fields\": {\"offer\": \"满200减30\"}, \"survey\": \"%s\"}", survey_id);
  g_object_set (campaign, "name", "回访", "channel", "email", "templates", templates, NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (campaign), &error));
  f->editor = crm_campaign_editor_new (f->context, crm_record_get_id (CRM_RECORD (campaign)));
  g_object_add_weak_pointer (G_OBJECT (f->editor), (gpointer *) &f->editor);
  g_signal_connect (f->editor, "saved", G_CALLBACK (on_saved), f);
  gtk_window_present (GTK_WINDOW (f->editor));
  w.after = 0;
  crm_test_ui_wait_until (checked, &w);
  g_assert_cmpstr (crm_campaign_editor_get_preview_body (f->editor), ==, "满200减30 [one-time survey link]");
  /* The fields show in the editor and can change there. */
  edit (f, "editor.set-field", g_variant_new ("(ss)", "offer", "满300减50"));
  g_assert_cmpstr (crm_campaign_editor_get_preview_body (f->editor), ==, "满300减50 [one-time survey link]");
  crm_test_ui_save_screenshot (GTK_WIDGET (f->editor), "campaign-fields");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.save", NULL));
  /* Closed; a check still running holds it until its callback ran. */
  crm_test_ui_wait_until (editor_gone, f);

  saved = crm_store_get (f->store, CRM_TYPE_CAMPAIGN, f->saved_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (crm_record_get_string (CRM_RECORD (saved), "templates"), "满300减50"));
  saved_survey = crm_campaign_templates_dup_survey (crm_record_get_string (CRM_RECORD (saved), "templates"));
  g_assert_cmpstr (saved_survey, ==, survey_id);
}

static void
on_launched (CrmCampaignScheduler *scheduler,
             const char * const   *names,
             char                **out)
{
  *out = g_strjoinv (",", (char **) names);
}

static gboolean
scheduler_done (gpointer data)
{
  return !crm_campaign_scheduler_is_running (data);
}

/* A launch time written in the editor schedules the draft; the app's
 * scheduler launches it when due. */
static void
test_schedule (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(CrmCampaignScheduler) scheduler = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *launched = NULL;
  g_autofree char *expected = crm_campaign_parse_when ("2031-01-02 08:30", NULL);
  CheckWait w = { f, 0 };
  char *id;

  crm_test_ui_wait_until (checked, &w);
  edit (f, "editor.set-variant", g_variant_new ("(usss)", 0, "builtin:lead", "元旦", "{{name}}，新年好"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.set-name", "s", "元旦问候"));

  /* Unreadable, then past: nothing saved as scheduled, the editor stays. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.set-launch-at", "s", "元旦早上"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.save", NULL));
  crm_test_ui_iterate ();
  g_assert_nonnull (f->editor);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM campaigns WHERE status = 'scheduled'"), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.set-launch-at", "s", "2020-01-01 08:00"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.save", NULL));
  crm_test_ui_iterate ();
  g_assert_nonnull (f->editor);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.set-launch-at", "s", "2031-01-02 08:30"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.save", NULL));
  crm_test_ui_wait_until (editor_gone, f);
  campaign = crm_store_get (f->store, CRM_TYPE_CAMPAIGN, f->saved_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (campaign), "status"), ==, "scheduled");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (campaign), "scheduled_at"), ==, expected);

  /* Not due yet: the scheduler leaves it; made due, it launches it. */
  scheduler = crm_campaign_scheduler_new (crm_store_get_path (f->store), f->settings);
  g_signal_connect (scheduler, "launched", G_CALLBACK (on_launched), &launched);
  crm_campaign_scheduler_run (scheduler);
  crm_test_ui_wait_until (scheduler_done, scheduler);
  g_assert_null (launched);
  id = f->saved_id;
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE campaigns SET scheduled_at = '2020-01-01T00:00:00Z' WHERE id = '%s'", id);

    g_assert_true (crm_store_exec (f->store, sql, NULL));
  }
  crm_campaign_scheduler_run (scheduler);
  crm_test_ui_wait_until (scheduler_done, scheduler);
  g_assert_cmpstr (launched, ==, "元旦问候");
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM campaigns WHERE status IN ('running', 'done')"), ==, 1);
}

/* --- sending from the page through tests/smtp-server.py ------------------- */

static gboolean
send_finished (gpointer data)
{
  Fixture *f = data;

  return !crm_campaigns_page_is_sending (f->page);
}

static void
test_send (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *log_path = g_build_filename (f->dir, "smtp.log", NULL);
  g_autofree char *python = g_find_program_in_path ("python3");
  GSubprocess *server = NULL;
  g_autofree char *log = NULL;
  guint port = 0;
  CheckWait w = { f, 0 };

  if (python == NULL)
    {
      g_test_skip ("python3 is needed for the test SMTP server");
      return;
    }
  crm_test_ui_wait_until (checked, &w);
  edit (f, "editor.set-variant", g_variant_new ("(usss)", 0, "builtin:lead", "{{name}}", "你好"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.set-name", "s", "邮件"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.launch-confirmed", NULL));
  crm_test_ui_iterate ();
  g_assert_null (f->editor);

  /* No relay set up: the send says so and nothing changes. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "campaigns.show-campaign", "s", f->saved_id));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "campaigns.send", NULL));
  crm_test_ui_wait_until (send_finished, f);
  g_assert_nonnull (strstr (crm_campaigns_page_get_last_message (f->page), "No SMTP server"));
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM campaign_members WHERE status = 'pending'"), ==, 2);

  server = smtp_relay_start (log_path, &port);
  g_settings_set_string (f->settings, "smtp-host", "127.0.0.1");
  g_settings_set_uint (f->settings, "smtp-port", port);
  g_settings_set_string (f->settings, "smtp-security", "none");
  g_settings_set_string (f->settings, "smtp-from", "news@example.com");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "campaigns.send", NULL));
  g_assert_true (crm_campaigns_page_is_sending (f->page));
  crm_test_ui_wait_until (send_finished, f);
  g_assert_cmpstr (crm_campaigns_page_get_last_message (f->page), ==, "2 sent, 0 failed");
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM campaign_members WHERE status = 'sent'"), ==, 2);
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "zw@example.com"));
  g_assert_nonnull (strstr (log, "ln@example.com"));
  g_assert_null (strstr (log, "wf@example.com"));
  smtp_relay_stop (server);
}

static void
test_letters_pdf (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "letters.pdf", NULL);
  g_autoptr(GError) error = NULL;
  CheckWait w = { f, 0 };

  crm_test_ui_wait_until (checked, &w);
  g_assert_true (crm_store_exec (f->store, "UPDATE contacts SET address = '建国路 88 号' WHERE name = '张伟'", &error));
  g_assert_no_error (error);
  edit (f, "editor.set-channel", g_variant_new_string ("letter"));
  edit (f, "editor.set-variant", g_variant_new ("(usss)", 0, "builtin:lead", "{{name}}，您好", "新品到店。"));
  g_assert_cmpint (crm_campaign_editor_get_n_members (f->editor), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.set-name", "s", "信件"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->editor), "editor.launch-confirmed", NULL));
  crm_test_ui_iterate ();
  g_assert_null (f->editor);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "campaigns.show-campaign", "s", f->saved_id));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "campaigns.export-pdf-to", "(ss)", "letters", pdf));
  crm_test_ui_wait_until (send_finished, f);
  g_assert_cmpstr (crm_campaigns_page_get_last_message (f->page), ==, "1 letter saved in letters.pdf");
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM campaign_members WHERE status = 'pending'"), ==, 1);

  /* Once posted, the toast's Mark as Sent moves the numbers. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "campaigns.mark-sent", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM campaign_members WHERE status = 'sent'"), ==, 1);
  {
    g_autofree char *stats = crm_campaigns_page_dup_stats_text (f->page);

    g_assert_nonnull (strstr (stats, "Total | 1 | 1 | 0"));
  }
}

int
main (int    argc,
      char **argv)
{
  crm_test_ui_init (&argc, &argv);
  g_test_add ("/campaign-editor/create-preview-launch", Fixture, NULL, fixture_set_up, test_create_preview_launch, fixture_tear_down);
  g_test_add ("/campaign-editor/save-and-edit-draft", Fixture, NULL, fixture_set_up, test_save_and_edit_draft, fixture_tear_down);
  g_test_add ("/campaign-editor/schedule", Fixture, NULL, fixture_set_up, test_schedule, fixture_tear_down);
  g_test_add ("/campaign-editor/survey-link", Fixture, NULL, fixture_set_up, test_survey_link, fixture_tear_down);
  g_test_add ("/campaign-editor/letters-pdf", Fixture, NULL, fixture_set_up, test_letters_pdf, fixture_tear_down);
  g_test_add ("/campaign-editor/send", Fixture, NULL, fixture_set_up, test_send, fixture_tear_down);
  return g_test_run ();
}
