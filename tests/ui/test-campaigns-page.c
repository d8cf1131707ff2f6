/* test-campaigns-page.c: the Campaigns workspace driven through its actions: a rule's live count and errors, saving a segment, a campaign's launch and numbers */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "crm-campaigns-page.h"
#include "crm-campaigns.h"
#include "crm-contact.h"
#include "crm-context.h"
#include "crm-store-private.h"
#include "crm-test-ui.h"
#include "../pdf-text.h"

typedef struct
{
  char             *dir;
  CrmStore         *store;
  CrmContext       *context;
  GtkWindow        *window;
  CrmCampaignsPage *page;
} Fixture;

static void
add_contact (CrmStore   *store,
             const char *name,
             const char *city,
             const char *email)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, name);
  g_assert_true (crm_contact_set_field_from_string (contact, "city", city, &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "email", email, &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "consent_email", "true", &error));
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
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
  add_contact (f->store, "张伟", "北京", "zw@example.com");
  add_contact (f->store, "李娜", "北京", "ln@example.com");
  add_contact (f->store, "王芳", "上海", "wf@example.com");
  f->context = crm_context_new (f->store, settings);

  f->page = g_object_new (CRM_TYPE_CAMPAIGNS_PAGE, NULL);
  crm_campaigns_page_set_context (f->page, f->context);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1200, 800);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);
  crm_test_ui_iterate ();
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

  g_object_add_weak_pointer (G_OBJECT (f->page), (gpointer *) &f->page);
  crm_test_ui_destroy_window (f->window);
  /* A count still running holds the page until its callback ran. */
  crm_test_ui_wait_until (page_gone, f);
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

static void
activate (Fixture    *f,
          const char *action,
          GVariant   *parameter)
{
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (f->page), action, parameter));
  crm_test_ui_iterate ();
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

#define store_count(store) query_int (store, "SELECT count (*) FROM segments WHERE name = '北京客户'")
#define store_members(store) query_int (store, "SELECT count (*) FROM campaign_members")

static gboolean
counted (gpointer data)
{
  Fixture *f = data;

  return crm_campaigns_page_get_count (f->page) >= 0;
}

static void
test_segment_editor (Fixture       *f,
                     gconstpointer  data)
{
  g_assert_cmpstr (crm_campaigns_page_get_view_state (f->page), ==, "empty");
  g_assert_cmpuint (crm_campaigns_page_get_n_segments (f->page), ==, 13);

  activate (f, "campaigns.new-segment", NULL);
  g_assert_cmpstr (crm_campaigns_page_get_view_state (f->page), ==, "segment");
  crm_test_ui_wait_until (counted, f);
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, 3);

  /* The count follows the rule as it is typed. */
  activate (f, "campaigns.set-rule", g_variant_new_string ("{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"北京\"}]}"));
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, -1);
  crm_test_ui_wait_until (counted, f);
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, 2);

  /* A mistake says where it is, and there is no count. */
  activate (f, "campaigns.set-rule", g_variant_new_string ("{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": 3}]}"));
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, -1);
  g_assert_nonnull (strstr (crm_campaigns_page_get_count_text (f->page), "all[0].value"));

  activate (f, "campaigns.set-rule", g_variant_new_string ("{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"北京\"}]}"));
  activate (f, "campaigns.set-segment-name", g_variant_new_string ("北京客户"));
  activate (f, "campaigns.save-segment", NULL);
  g_assert_cmpint (store_count (f->store), ==, 1);
  g_assert_cmpuint (crm_campaigns_page_get_n_segments (f->page), ==, 14);

  /* Built-in segments are shown, not edited. */
  activate (f, "campaigns.show-segment", g_variant_new_string ("builtin:lead"));
  crm_test_ui_wait_until (counted, f);
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, 3);
  gtk_widget_activate_action (GTK_WIDGET (f->page), "campaigns.save-segment", NULL);
  crm_test_ui_iterate ();
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM segments"), ==, 1);
}

static void
build (Fixture    *f,
       const char *action,
       GVariant   *parameter)
{
  GtkWidget *builder = GTK_WIDGET (crm_campaigns_page_get_builder (f->page));

  g_assert_true (gtk_widget_activate_action_variant (builder, action, parameter));
  crm_test_ui_iterate ();
}

static void
test_condition_builder (Fixture       *f,
                        gconstpointer  data)
{
  CrmSegmentBuilder *builder = crm_campaigns_page_get_builder (f->page);
  g_autofree char *rule = NULL;

  activate (f, "campaigns.new-segment", NULL);
  crm_test_ui_wait_until (counted, f);
  g_assert_cmpuint (crm_segment_builder_get_n_conditions (builder), ==, 0);
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, 3);

  /* Each change recounts, the stale count never shows. */
  build (f, "builder.add-condition", g_variant_new_uint32 (0));
  build (f, "builder.set-condition", g_variant_new ("(uusss)", 0, 0, "city", "eq", "北京"));
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, -1);
  crm_test_ui_wait_until (counted, f);
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, 2);
  rule = crm_campaigns_page_dup_rule (f->page);
  g_assert_nonnull (strstr (rule, "\"city\""));
  g_assert_nonnull (strstr (rule, "北京"));

  /* A group inside: all of (北京, any of (上海)) is nobody; any of them is everyone. */
  build (f, "builder.add-group", NULL);
  build (f, "builder.set-match", g_variant_new ("(us)", 1, "any"));
  build (f, "builder.set-condition", g_variant_new ("(uusss)", 1, 0, "city", "in", "上海，广州"));
  crm_test_ui_wait_until (counted, f);
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, 0);
  build (f, "builder.set-match", g_variant_new ("(us)", 0, "any"));
  crm_test_ui_wait_until (counted, f);
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, 3);
  g_assert_cmpuint (crm_segment_builder_get_n_conditions (builder), ==, 2);

  /* A value the field cannot take shows the compiler's error, and no count. */
  build (f, "builder.set-condition", g_variant_new ("(uusss)", 0, 0, "age", "between", "abc"));
  crm_test_ui_iterate ();
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, -1);
  g_assert_nonnull (strstr (crm_campaigns_page_get_count_text (f->page), "any[0].value"));
  build (f, "builder.set-condition", g_variant_new ("(uusss)", 0, 0, "age", "between", "20, 40"));
  crm_test_ui_wait_until (counted, f);
  build (f, "builder.remove-condition", g_variant_new ("(uu)", 0, 0));
  crm_test_ui_wait_until (counted, f);
  g_assert_cmpuint (crm_segment_builder_get_n_conditions (builder), ==, 1);
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, 1);

  /* JSON typed in fills the builder; one nested too deep is left to the JSON view. */
  activate (f, "campaigns.set-rule", g_variant_new_string ("{\"all\": [{\"field\": \"tags\", \"op\": \"has_any\", \"value\": [\"a\", \"b\"]},"
                                                           " {\"field\": \"city\", \"op\": \"is_set\"}]}"));
  g_assert_cmpuint (crm_segment_builder_get_n_conditions (builder), ==, 2);
  crm_test_ui_wait_until (counted, f);
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, 0);
  activate (f, "campaigns.set-rule", g_variant_new_string ("{\"all\": [{\"any\": [{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"北京\"}]}]}]}"));
  g_assert_cmpuint (crm_segment_builder_get_n_conditions (builder), ==, 0);
  crm_test_ui_wait_until (counted, f);
  g_assert_cmpint (crm_campaigns_page_get_count (f->page), ==, 2);

  /* Saved under a name. */
  activate (f, "campaigns.set-rule", g_variant_new_string ("{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"北京\"}]}"));
  activate (f, "campaigns.set-segment-name", g_variant_new_string ("北京客户"));
  activate (f, "campaigns.save-segment", NULL);
  g_assert_cmpint (store_count (f->store), ==, 1);
}

static void
test_campaign_launch (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CrmCampaign) campaign = crm_campaign_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stats = NULL;

  g_object_set (campaign, "name", "北京新品", "channel", "email",
                "templates", "{\"variants\": [{\"segment\": \"builtin:lead\", \"subject\": \"{{name}}\", \"body\": \"新品\"}]}",
                NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (campaign), &error));
  g_assert_no_error (error);
  activate (f, "campaigns.refresh", NULL);
  g_assert_cmpuint (crm_campaigns_page_get_n_campaigns (f->page), ==, 1);

  activate (f, "campaigns.show-campaign", g_variant_new_string (crm_record_get_id (CRM_RECORD (campaign))));
  g_assert_cmpstr (crm_campaigns_page_get_view_state (f->page), ==, "campaign");
  activate (f, "campaigns.launch-confirmed", NULL);
  stats = crm_campaigns_page_dup_stats_text (f->page);
  g_assert_nonnull (strstr (stats, "Leads | 3 | 0 | 0"));
  g_assert_cmpint (store_members (f->store), ==, 3);
}

static gboolean
not_printing (gpointer data)
{
  return !crm_campaigns_page_is_sending (((Fixture *) data)->page);
}

/* Letters and labels through GtkPrintOperation (exported to a PDF, what
 * the dialog's Print to File does): a page per letter with the merged
 * text, one label sheet, and a toast; a folder that does not exist is an
 * error and leaves no file. */
static void
test_print_letters (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CrmCampaign) campaign = crm_campaign_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *letters = g_build_filename (f->dir, "letters.pdf", NULL);
  g_autofree char *labels = g_build_filename (f->dir, "labels.pdf", NULL);
  g_autofree char *nowhere = g_build_filename (f->dir, "missing", "letters.pdf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *label_text = NULL;
  CrmCampaignLaunch result;
  const char *addresses[][2] = { { "赵敏", "朝阳区建国路 88 号" }, { "钱进", "浦东新区世纪大道 100 号" } };

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      g_autoptr(CrmContact) contact = crm_contact_new ();

      crm_contact_set_name (contact, addresses[i][0]);
      g_assert_true (crm_contact_set_field_from_string (contact, "address", addresses[i][1], &error));
      g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
      g_assert_no_error (error);
    }
  g_object_set (campaign, "name", "新春来信", "channel", "letter",
                "templates", "{\"variants\": [{\"segment\": \"builtin:lead\", \"subject\": \"{{name}}，新春快乐\","
                             " \"body\": \"尊敬的{{name}}：门店为您准备了礼品。\"}]}", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (campaign), &error));
  g_assert_true (crm_campaign_launch (f->store, crm_record_get_id (CRM_RECORD (campaign)), NULL, &result, &error));
  g_assert_no_error (error);
  activate (f, "campaigns.refresh", NULL);
  activate (f, "campaigns.show-campaign", g_variant_new_string (crm_record_get_id (CRM_RECORD (campaign))));

  activate (f, "campaigns.print-to", g_variant_new ("(ss)", "letters", letters));
  crm_test_ui_wait_until (not_printing, f);
  g_assert_cmpstr (crm_campaigns_page_get_last_message (f->page), ==, "2 letters saved in letters.pdf");
  activate (f, "campaigns.print-to", g_variant_new ("(ss)", "labels", labels));
  crm_test_ui_wait_until (not_printing, f);
  g_assert_cmpstr (crm_campaigns_page_get_last_message (f->page), ==, "2 labels saved in labels.pdf");

  activate (f, "campaigns.print-to", g_variant_new ("(ss)", "letters", nowhere));
  crm_test_ui_wait_until (not_printing, f);
  g_assert_true (g_str_has_prefix (crm_campaigns_page_get_last_message (f->page), "Could not write “"));
  g_assert_false (g_file_test (nowhere, G_FILE_TEST_EXISTS));
  {
    g_autofree char *part = g_strconcat (letters, ".part", NULL);

    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  }

  text = pdf_text (letters, 0);
  if (text == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return;
    }
  /* Only the two members with an address get a letter, a page each. */
  g_assert_cmpuint (count_of (text, "\f"), ==, 2);
  g_assert_cmpuint (count_of (text, "新春快乐"), ==, 2);
  g_assert_nonnull (strstr (text, "尊敬的赵敏："));
  g_assert_nonnull (strstr (text, "浦东新区世纪大道 100 号"));
  g_assert_null (strstr (text, "张伟"));
  label_text = pdf_text (labels, 0);
  g_assert_cmpuint (count_of (label_text, "\f"), ==, 1);
  g_assert_nonnull (strstr (label_text, "朝阳区建国路 88 号"));
}

int
main (int    argc,
      char **argv)
{
  crm_test_ui_init (&argc, &argv);
  g_test_add ("/campaigns-page/segment-editor", Fixture, NULL, fixture_set_up, test_segment_editor, fixture_tear_down);
  g_test_add ("/campaigns-page/condition-builder", Fixture, NULL, fixture_set_up, test_condition_builder, fixture_tear_down);
  g_test_add ("/campaigns-page/campaign-launch", Fixture, NULL, fixture_set_up, test_campaign_launch, fixture_tear_down);
  g_test_add ("/campaigns-page/print-letters", Fixture, NULL, fixture_set_up, test_print_letters, fixture_tear_down);
  return g_test_run ();
}
