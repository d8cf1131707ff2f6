/* test-surveys-page.c: the Surveys workspace driven through its actions: builder, phone entry, results */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "crm-contact.h"
#include "crm-context.h"
#include "crm-store-private.h"
#include "crm-segment.h"
#include "crm-survey-distribution.h"
#include "crm-survey-preview.h"
#include "crm-survey-send-dialog.h"
#include "crm-surveys-page.h"
#include "crm-surveys.h"
#include "crm-test-ui.h"

typedef struct
{
  char           *dir;
  CrmStore       *store;
  CrmContext     *context;
  GtkWindow      *window;
  CrmSurveysPage *page;
} Fixture;

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
  f->page = g_object_new (CRM_TYPE_SURVEYS_PAGE, NULL);
  crm_surveys_page_set_context (f->page, f->context);
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
}

static gint64
count (Fixture    *f,
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

/* A survey with a required NPS, a single choice and a free-text question. */
static void
build_survey (Fixture *f)
{
  act (f, "surveys.create", "s", "Phone check <2024>");
  g_assert_nonnull (crm_surveys_page_get_survey_id (f->page));
  act (f, "surveys.add-question", "(sssb)", "nps", "", "", TRUE);
  act (f, "surveys.add-question", "(sssb)", "single", "Where did you buy?", "Store, Web", FALSE);
  act (f, "surveys.add-question", "(sssb)", "text", "Anything else?", "", FALSE);
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_questions WHERE deleted = 0"), ==, 3);
}

static void
test_builder (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) questions = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text_id = NULL;
  g_autofree char *nps_id = NULL;

  build_survey (f);
  g_assert_cmpint (count (f, "SELECT count(*) FROM surveys WHERE title = 'Phone check <2024>'"), ==, 1);
  questions = crm_surveys_list_questions (f->store, crm_surveys_page_get_survey_id (f->page), &error);
  g_assert_no_error (error);
  nps_id = g_strdup (crm_record_get_id (g_ptr_array_index (questions, 0)));
  text_id = g_strdup (crm_record_get_id (g_ptr_array_index (questions, 2)));
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (questions, 0), "text"), ==,
                   "How likely is it that you would recommend us to a friend or colleague?");
  g_assert_true (crm_record_get_boolean (g_ptr_array_index (questions, 0), "required"));
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (questions, 1), "options"), ==, "[\"Store\",\"Web\"]");

  /* Reorder: the comment first. */
  act (f, "surveys.move-question", "(si)", text_id, -1);
  act (f, "surveys.move-question", "(si)", text_id, -1);
  g_clear_pointer (&questions, g_ptr_array_unref);
  questions = crm_surveys_list_questions (f->store, crm_surveys_page_get_survey_id (f->page), &error);
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (questions, 0)), ==, text_id);

  /* A choice question without options is refused; nothing is added. */
  act (f, "surveys.add-question", "(sssb)", "multi", "What else?", "", FALSE);
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_questions WHERE deleted = 0"), ==, 3);

  /* Delete, then undo. */
  act (f, "surveys.delete-question", "s", nps_id);
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_questions WHERE deleted = 0"), ==, 2);
  act (f, "surveys.undo", NULL);
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_questions WHERE deleted = 0"), ==, 3);

  /* Open it for answers. */
  act (f, "surveys.set-status", "s", "open");
  g_assert_cmpint (count (f, "SELECT count(*) FROM surveys WHERE status = 'open'"), ==, 1);
}

static void
test_phone_entry (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, "刘洋");
  g_assert_true (crm_contact_set_field_from_string (contact, "phones", "13812345678", &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  build_survey (f);
  act (f, "surveys.show", "s", "entry");

  /* The required NPS cannot be skipped. */
  act (f, "surveys.entry-next", NULL);
  g_assert_cmpuint (crm_surveys_page_get_entry_index (f->page), ==, 0);

  act (f, "surveys.entry-contact", "s", "138 1234 5678");
  /* "1" then "0" is 10; a digit out of range is ignored. */
  act (f, "surveys.entry-type", "s", "1");
  g_assert_cmpstr (crm_surveys_page_get_entry_answer (f->page), ==, "1");
  act (f, "surveys.entry-type", "s", "0");
  g_assert_cmpstr (crm_surveys_page_get_entry_answer (f->page), ==, "10");
  act (f, "surveys.entry-next", NULL);
  g_assert_cmpuint (crm_surveys_page_get_entry_index (f->page), ==, 1);
  /* Options by their number from 1. */
  act (f, "surveys.entry-type", "s", "7");
  act (f, "surveys.entry-type", "s", "2");
  g_assert_cmpstr (crm_surveys_page_get_entry_answer (f->page), ==, "Web");
  act (f, "surveys.entry-back", NULL);
  g_assert_cmpstr (crm_surveys_page_get_entry_answer (f->page), ==, "10");
  act (f, "surveys.entry-next", NULL);
  act (f, "surveys.entry-next", NULL);
  act (f, "surveys.entry-type", "s", "<b>fast</b> 很好");
  act (f, "surveys.entry-next", NULL);

  /* Saved, and ready for the next call. */
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_responses WHERE channel = 'phone' AND contact_id IS NOT NULL"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_answers"), ==, 3);
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_answers WHERE value_number = 10"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_answers WHERE value_text = 'Web'"), ==, 1);
  g_assert_cmpuint (crm_surveys_page_get_entry_index (f->page), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM activities WHERE kind = 'complaint'"), ==, 0);

  /* A detractor on the phone: a follow-up complaint for the customer. */
  act (f, "surveys.entry-contact", "s", "13812345678");
  act (f, "surveys.entry-type", "s", "3");
  act (f, "surveys.entry-next", NULL);
  act (f, "surveys.entry-next", NULL);
  act (f, "surveys.entry-next", NULL);
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_responses"), ==, 2);
  g_assert_cmpint (count (f, "SELECT count(*) FROM activities WHERE kind = 'complaint' AND status = 'open'"
                             " AND survey_response_id IS NOT NULL"), ==, 1);

  /* A one-time web link for the customer, on the sync server. */
  act (f, "surveys.entry-contact", "s", "13812345678");
  act (f, "surveys.copy-link", NULL);
  g_assert_null (crm_surveys_page_get_last_link (f->page));
  g_settings_set_string (crm_context_get_settings (f->context), "sync-server", "https://crm.example.cn/");
  act (f, "surveys.copy-link", NULL);
  g_assert_true (g_str_has_prefix (crm_surveys_page_get_last_link (f->page), "https://crm.example.cn/s/"));
  g_assert_cmpuint (strlen (crm_surveys_page_get_last_link (f->page)), ==, strlen ("https://crm.example.cn/s/") + 64);
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_invitations WHERE contact_id IS NOT NULL AND used_at IS NULL"), ==, 1);
}

static void
test_results (Fixture       *f,
              gconstpointer  data)
{
  CrmSurveyResults *results;
  CrmSurveyQuestionResult *nps, *text;
  GtkListBox *texts;
  GtkWidget *row, *box, *label;

  build_survey (f);
  g_assert_cmpint (crm_surveys_page_get_results (f->page)->responses, ==, 0);
  g_assert_true (isnan (((CrmSurveyQuestionResult *) g_ptr_array_index (crm_surveys_page_get_results (f->page)->questions, 0))->nps));

  act (f, "surveys.entry-type", "s", "9");
  act (f, "surveys.entry-next", NULL);
  act (f, "surveys.entry-next", NULL);
  act (f, "surveys.entry-type", "s", "<i>slow</i> delivery");
  act (f, "surveys.entry-next", NULL);
  act (f, "surveys.entry-type", "s", "5");
  act (f, "surveys.entry-next", NULL);
  act (f, "surveys.entry-next", NULL);
  act (f, "surveys.entry-type", "s", "friendly staff");
  act (f, "surveys.entry-next", NULL);

  results = crm_surveys_page_get_results (f->page);
  g_assert_cmpint (results->responses, ==, 2);
  nps = g_ptr_array_index (results->questions, 0);
  g_assert_cmpint (nps->promoters, ==, 1);
  g_assert_cmpint (nps->detractors, ==, 1);
  g_assert_cmpfloat_with_epsilon (nps->nps, 0.0, 1e-9);

  /* Free text is searchable, and shown as text, never as markup. */
  act (f, "surveys.search-texts", "s", "SLOW");
  results = crm_surveys_page_get_results (f->page);
  text = g_ptr_array_index (results->questions, 2);
  g_assert_cmpuint (text->texts->len, ==, 1);
  texts = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (f->page), CRM_TYPE_SURVEYS_PAGE, "texts_list"));
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (texts, 0));
  g_assert_nonnull (row);
  g_assert_null (gtk_list_box_get_row_at_index (texts, 1));
  box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
  label = gtk_widget_get_first_child (box);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "<i>slow</i> delivery");
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (label)));
  act (f, "surveys.search-texts", "s", "nothing like this");
  g_assert_null (gtk_list_box_get_row_at_index (texts, 0));
}

static char *
add_customer (Fixture    *f,
              const char *name,
              const char *email,
              gboolean    consent)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, name);
  g_assert_true (crm_contact_set_field_from_string (contact, "city", "北京", &error));
  if (email != NULL)
    g_assert_true (crm_contact_set_field_from_string (contact, "emails", email, &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "consent_email", consent ? "true" : "false", &error));
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static gboolean
send_finished (gpointer data)
{
  return !crm_survey_send_dialog_is_busy (data);
}

static void
test_send_and_preview (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CrmSegment) segment = crm_segment_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *csv_path = g_build_filename (f->dir, "links.csv", NULL);
  g_autofree char *pdf_path = g_build_filename (f->dir, "forms.pdf", NULL);
  g_autofree char *cancelled_path = g_build_filename (f->dir, "cancelled.csv", NULL);
  g_autofree char *csv = NULL;
  g_autofree char *pdf = NULL;
  g_auto(GStrv) lines = NULL;
  const char *segment_id;
  CrmSurveySendDialog *dialog;
  GtkWindow *preview;
  gsize pdf_len = 0;

  g_autofree char *wang = add_customer (f, "王芳", "wang@example.cn", TRUE);
  g_autofree char *code = crm_survey_contact_code (wang);
  g_autofree char *sql = NULL;
  g_free (add_customer (f, "Li, \"Lily\"", "lily@example.cn", TRUE));
  g_free (add_customer (f, "不同意", "no@example.cn", FALSE));
  g_free (add_customer (f, "无邮箱", NULL, TRUE));
  g_object_set (segment, "name", "北京客户", "rule", "{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"北京\"}]}", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (segment), &error));
  g_assert_no_error (error);
  segment_id = crm_record_get_id (CRM_RECORD (segment));
  build_survey (f);

  /* The paper form on screen. */
  act (f, "surveys.preview", NULL);
  preview = crm_surveys_page_get_last_dialog (f->page);
  g_assert_true (CRM_IS_SURVEY_PREVIEW (preview));
  g_assert_cmpuint (crm_survey_preview_get_n_pages (CRM_SURVEY_PREVIEW (preview)), ==, 1);
  gtk_window_destroy (preview);
  crm_test_ui_iterate ();
  g_assert_null (crm_surveys_page_get_last_dialog (f->page));

  act (f, "surveys.send", NULL);
  dialog = CRM_SURVEY_SEND_DIALOG (crm_surveys_page_get_last_dialog (f->page));
  g_assert_nonnull (dialog);
  /* Links need the server that serves the form. */
  g_settings_set_string (crm_context_get_settings (f->context), "sync-server", "");
  g_assert_false (crm_survey_send_dialog_start (dialog, segment_id, "email", csv_path));
  g_assert_false (g_file_test (csv_path, G_FILE_TEST_EXISTS));

  g_settings_set_string (crm_context_get_settings (f->context), "sync-server", "https://crm.example.cn");
  g_assert_true (crm_survey_send_dialog_start (dialog, segment_id, "email", csv_path));
  crm_test_ui_wait_until (send_finished, dialog);
  g_assert_cmpstr (crm_survey_send_dialog_get_summary (dialog), ==,
                   "2 links made.\n1 customer skipped: no consent to email.\n1 customer skipped: no email address.");
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, &error));
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);   /* header, two rows, the empty end */
  g_assert_cmpstr (lines[0], ==, "name,email,link,contact_id");
  g_assert_nonnull (strstr (csv, "\"Li, \"\"Lily\"\"\",lily@example.cn,https://crm.example.cn/s/"));
  g_assert_null (strstr (csv, "no@example.cn"));
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_invitations WHERE channel = 'email'"), ==, 2);

  /* Printed forms for everyone in the segment, each with a link. */
  g_assert_true (crm_survey_send_dialog_start (dialog, segment_id, "letter", pdf_path));
  crm_test_ui_wait_until (send_finished, dialog);
  g_assert_cmpstr (crm_survey_send_dialog_get_summary (dialog), ==, "4 forms printed.");
  g_assert_true (g_file_get_contents (pdf_path, &pdf, &pdf_len, &error));
  g_assert_true (pdf_len > 1000 && memcmp (pdf, "%PDF", 4) == 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_invitations WHERE channel = 'letter'"), ==, 4);

  /* A big segment, cancelled straight away: nothing made, no file. */
  g_assert_true (crm_store_begin (f->store, &error));
  for (int i = 0; i < 2000; i++)
    {
      g_autofree char *name = g_strdup_printf ("客户%04d", i);
      g_autofree char *email = g_strdup_printf ("c%d@example.cn", i);

      g_free (add_customer (f, name, email, TRUE));
    }
  g_assert_true (crm_store_commit (f->store, &error));
  g_assert_true (crm_survey_send_dialog_start (dialog, segment_id, "email", cancelled_path));
  g_assert_false (crm_survey_send_dialog_start (dialog, segment_id, "email", cancelled_path));   /* one at a time */
  crm_survey_send_dialog_cancel (dialog);
  crm_test_ui_wait_until (send_finished, dialog);
  g_assert_true (g_str_has_prefix (crm_survey_send_dialog_get_summary (dialog), "Cancelled"));
  g_assert_false (g_file_test (cancelled_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count (f, "SELECT count(*) FROM survey_invitations"), ==, 6);
  gtk_window_destroy (GTK_WINDOW (dialog));
  crm_test_ui_iterate ();

  /* Customers chosen elsewhere: the dialog asks for the survey (the
   * newest open one first) and sends to them only. */
  {
    g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *chosen_path = g_build_filename (f->dir, "chosen.csv", NULL);
    g_autofree char *chosen_csv = NULL;

    g_ptr_array_add (chosen, g_strdup (wang));
    g_ptr_array_add (chosen, g_strdup ("01890000-0000-7000-8000-000000000000"));   /* gone meanwhile */
    dialog = crm_survey_send_dialog_new_for_contacts (f->context, chosen);
    g_assert_cmpstr (crm_survey_send_dialog_get_survey_id (dialog), ==, crm_surveys_page_get_survey_id (f->page));
    g_assert_true (crm_survey_send_dialog_start (dialog, NULL, "email", chosen_path));
    crm_test_ui_wait_until (send_finished, dialog);
    g_assert_cmpstr (crm_survey_send_dialog_get_summary (dialog), ==, "1 link made.");
    g_assert_true (g_file_get_contents (chosen_path, &chosen_csv, NULL, &error));
    g_assert_nonnull (strstr (chosen_csv, "wang@example.cn"));
    g_assert_null (strstr (chosen_csv, "lily@example.cn"));
    gtk_window_destroy (GTK_WINDOW (dialog));
    crm_test_ui_iterate ();
  }

  /* Phone entry finds the customer by the code printed on the form. */
  act (f, "surveys.entry-contact", "s", code);
  act (f, "surveys.copy-link", NULL);
  sql = g_strdup_printf ("SELECT count(*) FROM survey_invitations WHERE contact_id = '%s' AND channel = 'email'", wang);
  g_assert_cmpint (count (f, sql), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  crm_test_ui_init (&argc, &argv);

  g_test_add ("/surveys-page/builder", Fixture, NULL, fixture_set_up, test_builder, fixture_tear_down);
  g_test_add ("/surveys-page/phone-entry", Fixture, NULL, fixture_set_up, test_phone_entry, fixture_tear_down);
  g_test_add ("/surveys-page/results", Fixture, NULL, fixture_set_up, test_results, fixture_tear_down);
  g_test_add ("/surveys-page/send-and-preview", Fixture, NULL, fixture_set_up, test_send_and_preview, fixture_tear_down);

  return g_test_run ();
}
