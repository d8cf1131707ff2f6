/* test-survey-print.c: paper survey forms: every form on its own pages, no question cut, the PDF read back */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "crm-segment.h"
#include "crm-survey-distribution.h"
#include "crm-survey-print.h"
#include "crm-surveys.h"
#include "store-fixture.h"
#include "pdf-text.h"

#define N_FORMS 3

/* A survey long enough to need a second page per form. */
static char *
make_long_survey (CrmStore *store)
{
  static const char * const options[] = { "门店", "网店", "电话订购", "朋友推荐", "展会", "广告", "其他渠道", NULL };
  g_autoptr(CrmSurvey) survey = crm_survey_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (survey, "title", "售后满意度调查", "description", "感谢您抽出时间。", "status", "open", NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (survey), &error));
  for (int round = 0; round < 3; round++)
    {
      g_autoptr(CrmSurveyQuestion) a = crm_surveys_add_question (store, crm_record_get_id (CRM_RECORD (survey)),
                                                                 CRM_SURVEY_QUESTION_NPS, NULL, NULL, TRUE, &error);
      g_autoptr(CrmSurveyQuestion) b = crm_surveys_add_question (store, crm_record_get_id (CRM_RECORD (survey)),
                                                                 CRM_SURVEY_QUESTION_CSAT, NULL, NULL, FALSE, &error);
      g_autoptr(CrmSurveyQuestion) c = crm_surveys_add_question (store, crm_record_get_id (CRM_RECORD (survey)),
                                                                 CRM_SURVEY_QUESTION_MULTI, "您是从哪里知道我们的？请选择所有适用的渠道，包括朋友、展会和广告。",
                                                                 options, FALSE, &error);
      g_autoptr(CrmSurveyQuestion) d = crm_surveys_add_question (store, crm_record_get_id (CRM_RECORD (survey)),
                                                                 CRM_SURVEY_QUESTION_TEXT, "Anything else?", NULL, FALSE, &error);

      g_assert_no_error (error);
      g_assert_true (a != NULL && b != NULL && c != NULL && d != NULL);
    }
  return g_strdup (crm_record_get_id (CRM_RECORD (survey)));
}

static void
test_layout_and_pdf (StoreFixture  *f,
                     gconstpointer  data)
{
  g_autofree char *survey_id = make_long_survey (f->store);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CrmSurveyPrint) print = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (f->dir, "forms.pdf", NULL);
  /* g_autofree on an array would free only its first string. */
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  const CrmSurveyPrintBox *boxes;
  guint n_boxes, pages, skipped = 99;
  guint first_page[N_FORMS + 1];
  double top, bottom;

  for (int i = 0; i < N_FORMS; i++)
    {
      g_autofree char *name = g_strdup_printf ("客户%d号", i + 1);

      g_ptr_array_add (ids, store_add_contact (f->store, name));
      g_ptr_array_add (codes, crm_survey_contact_code (g_ptr_array_index (ids, i)));
    }
  g_ptr_array_add (ids, g_strdup ("01890000-0000-7000-8000-000000000000"));   /* no such contact */

  print = crm_survey_print_new_for_survey (f->store, survey_id, ids, NULL, NULL, NULL, NULL, &skipped, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (skipped, ==, 1);
  pages = crm_survey_print_paginate (print);
  boxes = crm_survey_print_get_boxes (print, &n_boxes);
  crm_survey_print_get_content_area (print, &top, &bottom);
  g_assert_cmpuint (n_boxes, ==, N_FORMS * 13);
  g_assert_cmpuint (pages, >=, 2 * N_FORMS);

  /* In order: a form's header, then its questions; each form starts a page
   * of its own; every box within the content area; none overlap. */
  for (guint b = 0; b < n_boxes; b++)
    {
      const CrmSurveyPrintBox *box = &boxes[b];

      g_assert_cmpuint (box->form, ==, b / 13);
      g_assert_cmpint (box->question, ==, (int) (b % 13) - 1);
      g_assert_cmpfloat (box->y, >=, top);
      g_assert_cmpfloat (box->y + box->height, <=, bottom);
      g_assert_cmpfloat (box->height, >, 10);
      if (box->question < 0)
        {
          first_page[box->form] = box->page;
          if (b > 0)
            g_assert_cmpuint (box->page, ==, boxes[b - 1].page + 1);
        }
      else
        {
          g_assert_cmpuint (box->page, >=, boxes[b - 1].page);
          if (box->page == boxes[b - 1].page)
            g_assert_cmpfloat (box->y, >=, boxes[b - 1].y + boxes[b - 1].height);
        }
    }
  first_page[N_FORMS] = pages;

  g_assert_true (crm_survey_print_write_pdf (print, pdf, &error));
  g_assert_no_error (error);
  for (guint form = 0; form < N_FORMS; form++)
    {
      g_autoptr(GString) all = g_string_new (NULL);

      for (guint page = first_page[form]; page < first_page[form + 1]; page++)
        {
          g_autofree char *text = pdf_text (pdf, page + 1);
          g_autofree char *footer = g_strdup_printf ("Page %u of %u", page - first_page[form] + 1,
                                                     first_page[form + 1] - first_page[form]);

          if (text == NULL)
            {
              g_test_skip ("pdftotext (poppler-utils) is not installed");
              return;
            }
          /* Every page says whose form it is, and which page of it. */
          g_assert_nonnull (strstr (text, g_ptr_array_index (codes, form)));
          for (guint other = 0; other < N_FORMS; other++)
            if (other != form)
              g_assert_null (strstr (text, g_ptr_array_index (codes, other)));
          g_assert_nonnull (strstr (text, footer));
          g_string_append (all, text);
        }
      /* The title heads the form once (the later pages' running headers
       * and the footers name it too), each question is there once. */
      g_assert_cmpuint (count_of (all->str, "Tick one box per question"), ==, 1);
      for (int q = 1; q <= 12; q++)
        {
          g_autofree char *heading = g_strdup_printf ("\n%d. ", q);

          g_assert_cmpuint (count_of (all->str, heading), ==, 1);
        }
      g_assert_cmpuint (count_of (all->str, "请选择所有适用的渠道"), ==, 3);
    }
}

/* Without customers: one blank form; a folder that is not there is an
 * error, not a crash. */
static void
test_blank_form_and_bad_path (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autofree char *survey_id = make_long_survey (f->store);
  g_autoptr(CrmSurveyPrint) print = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "missing", "forms.pdf", NULL);
  g_autofree char *code = NULL;
  g_autofree char *contact = store_add_contact (f->store, "Zhao Min");
  g_autofree char *found = NULL;
  const CrmSurveyPrintBox *boxes;
  guint n_boxes;

  print = crm_survey_print_new_for_survey (f->store, survey_id, NULL, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_survey_print_paginate (print), >=, 2);
  boxes = crm_survey_print_get_boxes (print, &n_boxes);
  g_assert_cmpuint (n_boxes, ==, 13);
  g_assert_cmpuint (boxes[0].form, ==, 0);
  g_assert_false (crm_survey_print_write_pdf (print, bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* The printed code finds the customer again, typed any way. */
  code = crm_survey_contact_code (contact);
  g_assert_cmpuint (strlen (code), ==, 14);
  found = crm_survey_contact_id_for_code (f->store, code, &error);
  g_assert_cmpstr (found, ==, contact);
  g_clear_pointer (&found, g_free);
  {
    g_autofree char *lower = g_ascii_strdown (code, -1);
    g_auto(GStrv) parts = g_strsplit (lower, "-", -1);
    g_autofree char *spaced = g_strjoinv (" ", parts);

    found = crm_survey_contact_id_for_code (f->store, spaced, &error);
    g_assert_cmpstr (found, ==, contact);
  }
  g_assert_null (crm_survey_contact_id_for_code (f->store, "0000-0000-000", &error));
  g_assert_null (crm_survey_contact_id_for_code (f->store, "%%%%-____-%%%%", &error));
  g_assert_null (crm_survey_contact_id_for_code (f->store, "0000-0000-0000", &error));
  g_assert_no_error (error);
}

/* Runs crmctl on the fixture's database; returns its exit status. */
static int
run_crmctl (StoreFixture  *f,
            char         **out,
            char         **err,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CRMCTL"));
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, f->path);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &status, &error));
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL) ? 0 : WEXITSTATUS (status);
}

static char *
add_customer (CrmStore   *store,
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
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

/* crmctl survey invite --segment and survey print, as a user types them. */
static void
test_crmctl (StoreFixture  *f,
             gconstpointer  data)
{
  g_autofree char *survey_id = NULL;
  g_autoptr(CrmSegment) segment = crm_segment_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (f->dir, "cli.pdf", NULL);
  g_autofree char *contact = NULL;
  char *out = NULL, *err = NULL;

  if (g_getenv ("CRMCTL") == NULL)
    {
      g_test_skip ("CRMCTL is not set: run through meson test");
      return;
    }
  survey_id = make_long_survey (f->store);
  contact = add_customer (f->store, "王芳", "wang@example.cn", TRUE);
  g_free (add_customer (f->store, "不同意", "no@example.cn", FALSE));
  g_free (add_customer (f->store, "无邮箱", NULL, TRUE));
  g_object_set (segment, "name", "北京", "rule", "{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"北京\"}]}", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (segment), &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_crmctl (f, &out, &err, "survey", "invite", "售后满意度调查", "--segment", "北京",
                               "--base-url", "https://crm.example.cn/", "--csv", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "name,email,link,contact_id\r\n王芳,wang@example.cn,https://crm.example.cn/s/"));
  g_assert_nonnull (strstr (out, contact));
  g_assert_null (strstr (out, "no@example.cn"));
  g_assert_cmpstr (err, ==, "1 invitation made; 1 skipped without consent to this channel;"
                            " 1 skipped without an address for this channel.\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM survey_invitations"), ==, 1);

  /* Both a list and a segment, or neither: a usage error, nothing made. */
  g_assert_cmpint (run_crmctl (f, &out, &err, "survey", "invite", "售后满意度调查", "--segment", "北京",
                               "--contact", contact, NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_crmctl (f, &out, &err, "survey", "invite", "售后满意度调查", "--segment", "no such", NULL), !=, 0);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM survey_invitations"), ==, 1);

  /* Forms for everyone in the segment: consent is about email, not paper. */
  g_assert_cmpint (run_crmctl (f, &out, &err, "survey", "print", "售后满意度调查", "--segment", "北京",
                               "-o", pdf, NULL), ==, 0);
  g_assert_nonnull (strstr (err, "pages written to"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    g_autoptr(CrmSurveyPrint) blank = crm_survey_print_new_for_survey (f->store, survey_id, NULL, NULL, NULL,
                                                                       NULL, NULL, NULL, &error);
    guint per_form = crm_survey_print_paginate (blank);

    /* Three forms as long as the blank one, each opening with its header. */
    for (guint page = 1; page <= 3 * per_form; page++)
      {
        g_autofree char *text = pdf_text (pdf, (int) page);

        if (text == NULL)
          {
            g_test_skip ("pdftotext (poppler-utils) is not installed");
            return;
          }
        g_assert_cmpint (strstr (text, "Tick one box per question") != NULL, ==, (page - 1) % per_form == 0);
      }
  }
  g_assert_cmpint (run_crmctl (f, &out, &err, "survey", "print", "售后满意度调查", NULL), ==, 2);
  g_free (out);
  g_free (err);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/survey-print/layout-and-pdf", test_layout_and_pdf);
  STORE_TEST ("/survey-print/blank-form-and-bad-path", test_blank_form_and_bad_path);
  STORE_TEST ("/survey-print/crmctl", test_crmctl);

  return g_test_run ();
}
