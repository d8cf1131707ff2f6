/* test-campaign-print.c: a letter campaign's mail merge (a page per member) and 3×8 address labels as PDF, read back with pdftotext */

#include <glib.h>
#include <string.h>

#include "crm-campaign-print.h"
#include "crm-campaigns.h"
#include "crm-report.h"
#include "store-fixture.h"
#include "pdf-text.h"

static void
add_contact (CrmStore   *store,
             const char *name,
             const char *city,
             const char *address)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, name);
  g_assert_true (crm_contact_set_field_from_string (contact, "city", city, &error));
  if (address != NULL)
    g_assert_true (crm_contact_set_field_from_string (contact, "address", address, &error));
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
}

static char *
launch (CrmStore   *store,
        const char *channel)
{
  g_autoptr(CrmCampaign) campaign = crm_campaign_new ();
  g_autoptr(GError) error = NULL;
  CrmCampaignLaunch result;

  g_object_set (campaign, "name", "新春来信", "channel", channel,
                "templates", "{\"variants\": [{\"segment\": \"builtin:lead\", \"subject\": \"{{name}}，新春快乐\","
                             " \"body\": \"尊敬的{{name}}：\\n{{city}}门店为您准备了礼品。\"}]}", NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (campaign), &error));
  g_assert_true (crm_campaign_launch (store, crm_record_get_id (CRM_RECORD (campaign)), NULL, &result, &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (campaign)));
}

static void
test_letters (StoreFixture  *f,
              gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "letters.pdf", NULL);
  g_autofree char *campaign_id = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GError) error = NULL;

  add_contact (f->store, "张伟", "北京", "朝阳区建国路 88 号");
  add_contact (f->store, "李娜", "上海", "浦东新区世纪大道 100 号");
  add_contact (f->store, "王芳", "广州", "天河路 385 号");
  add_contact (f->store, "没地址", "深圳", NULL);
  campaign_id = launch (f->store, "letter");

  pieces = crm_campaign_dup_mail_merge (f->store, campaign_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pieces->len, ==, 3);
  g_assert_true (crm_campaign_print_write_pdf (pieces, FALSE, "星辰贸易", "2026-02-01", pdf, &error));
  g_assert_no_error (error);

  text = pdf_text (pdf, 0);
  if (text == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return;
    }
  /* A page per member, each with its own merged text and address. */
  g_assert_cmpuint (count_of (text, "\f"), ==, 3);
  g_assert_cmpuint (count_of (text, "新春快乐"), ==, 3);
  g_assert_cmpuint (count_of (text, "星辰贸易"), ==, 3);
  g_assert_nonnull (strstr (text, "尊敬的张伟："));
  g_assert_nonnull (strstr (text, "上海门店为您准备了礼品"));
  g_assert_nonnull (strstr (text, "天河路 385 号"));
  g_assert_null (strstr (text, "没地址"));
  g_assert_null (strstr (text, "{{"));
}

static void
test_labels (StoreFixture  *f,
             gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (f->dir, "labels.pdf", NULL);
  g_autofree char *campaign_id = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GError) error = NULL;

  /* 25 labels: a full sheet of 24 and one on a second. */
  for (int i = 0; i < 25; i++)
    {
      g_autofree char *name = g_strdup_printf ("客户%02d", i);
      g_autofree char *address = g_strdup_printf ("人民路 %d 号", i + 1);

      add_contact (f->store, name, "成都", address);
    }
  campaign_id = launch (f->store, "letter");
  pieces = crm_campaign_dup_mail_merge (f->store, campaign_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_campaign_print_n_pages (TRUE, pieces->len), ==, 2);
  g_assert_cmpuint (crm_campaign_print_n_pages (TRUE, 24), ==, 1);
  g_assert_true (crm_campaign_print_write_pdf (pieces, TRUE, NULL, NULL, pdf, &error));
  g_assert_no_error (error);

  text = pdf_text (pdf, 0);
  if (text == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return;
    }
  g_assert_cmpuint (count_of (text, "\f"), ==, 2);
  g_assert_cmpuint (count_of (text, "客户"), ==, 25);
  g_assert_nonnull (strstr (text, "成都人民路 25 号"));
  /* Labels carry no letter text. */
  g_assert_null (strstr (text, "新春快乐"));
}

static void
test_refusals (StoreFixture  *f,
               gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", "x.pdf", NULL);
  g_autofree char *email_id = NULL;
  g_autofree char *letter_id = NULL;
  g_autoptr(GPtrArray) pieces = NULL;
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *part = NULL;

  add_contact (f->store, "张伟", "北京", "建国路 88 号");
  /* Only letter campaigns print. */
  email_id = launch (f->store, "email");
  g_assert_null (crm_campaign_dup_mail_merge (f->store, email_id, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Nobody to print for is said, not an empty file. */
  g_assert_false (crm_campaign_print_write_pdf (none, FALSE, NULL, NULL, missing, &error));
  g_assert_error (error, CRM_REPORT_ERROR, CRM_REPORT_ERROR_FAILED);
  g_clear_error (&error);

  /* A folder that is not there: an error, and no file half written. */
  letter_id = launch (f->store, "letter");
  pieces = crm_campaign_dup_mail_merge (f->store, letter_id, &error);
  g_assert_no_error (error);
  g_assert_false (crm_campaign_print_write_pdf (pieces, FALSE, NULL, NULL, missing, &error));
  g_assert_error (error, CRM_REPORT_ERROR, CRM_REPORT_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "no-such-folder"));
  part = g_strconcat (missing, ".part", NULL);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  STORE_TEST ("/campaign-print/letters", test_letters);
  STORE_TEST ("/campaign-print/labels", test_labels);
  STORE_TEST ("/campaign-print/refusals", test_refusals);
  return g_test_run ();
}
