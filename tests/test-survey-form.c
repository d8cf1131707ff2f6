/* test-survey-form.c: the /s/<token> web form of a real crm-server on 127.0.0.1, and its answers synced to desktops */

/* With CRM_TEST_STORE=postgresql the server stores in a PostgreSQL this
 * test starts, as test-sync does. */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "crm-activity.h"
#include "crm-runtime.h"
#include "crm-service.h"
#include "crm-server.h"
#include "crm-server-survey-form.h"
#include "crm-survey-invitation.h"
#include "crm-surveys.h"
#include "crm-sync-engine.h"
#include "server-fixture.h"

#define PASSWORD "correct horse battery"

/* NULL: the server stores in SQLite. */
static PgCluster *pg_cluster;

typedef struct
{
  ServerFixture server;
  CrmStore *a;
  CrmStore *b;
  SoupSession *session;
  /* The survey made on desktop a. */
  char *contact_id;
  char *survey_id;
  char *nps_name;       /* form field names: q-<question id> */
  char *choice_name;
  char *text_name;
  char *token;
  char *link;
} Fixture;

/* The user id of bob, who follows up detractors in one test. */
static char *bob_id;

/* @data: the server's --survey-follow-up, or NULL for the default. */
static void
add_users (CrmServer *server,
           gpointer   data)
{
  CrmServerBackend *backend = crm_server_get_backend (server);
  g_autoptr(CrmServerUser) bob = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_server_add_user (server, "alice", PASSWORD, "admin", NULL, &error));
  g_assert_true (crm_server_add_user (server, "bob", PASSWORD, "service", NULL, &error));
  bob = backend->vtable->find_user (backend, "bob", &error);
  g_assert_no_error (error);
  g_free (bob_id);
  bob_id = g_strdup (bob->id);

  /* Nobody by that name: refused, and the default stays. */
  g_assert_false (crm_server_set_survey_follow_up (server, "nobody", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  if (data != NULL)
    {
      g_assert_true (crm_server_set_survey_follow_up (server, data, &error));
      g_assert_no_error (error);
    }
}

static void
sync_store (Fixture  *f,
            CrmStore *store)
{
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (store, f->server.url);
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };

  crm_sync_engine_set_credentials (engine, "alice", PASSWORD);
  g_assert_true (crm_sync_engine_run (engine, NULL, &stats, &error));
  g_assert_no_error (error);
}

static char *
add_question (CrmStore              *store,
              const char            *survey_id,
              CrmSurveyQuestionKind  kind,
              const char            *text,
              const char * const    *options,
              gboolean               required)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSurveyQuestion) q = crm_surveys_add_question (store, survey_id, kind, text, options,
                                                             required, &error);

  g_assert_no_error (error);
  return g_strdup_printf ("q-%s", crm_record_get_id (CRM_RECORD (q)));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static const char * const options[] = { "Friend <script>", "Advert", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(CrmSurvey) survey = crm_survey_new ();
  g_autoptr(CrmContact) contact = crm_contact_new ();

  server_fixture_start (&f->server, pg_cluster, add_users, (gpointer) data);
  f->session = soup_session_new ();

  a = g_build_filename (f->server.dir, "a.db", NULL);
  b = g_build_filename (f->server.dir, "b.db", NULL);
  f->a = crm_store_open (a, &error);
  g_assert_no_error (error);
  f->b = crm_store_open (b, &error);
  g_assert_no_error (error);

  /* Desktop a: a customer, a survey with a required NPS, a choice and a
   * comment, and a link for the customer; then sync. */
  crm_contact_set_name (contact, "王芳");
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (contact), &error));
  f->contact_id = g_strdup (crm_record_get_id (CRM_RECORD (contact)));
  g_object_set (survey, "title", "After-sales <b>2024</b>", "description", "Tom & Jerry's \"shop\"",
                "status", "open", NULL);
  g_assert_true (crm_store_insert (f->a, CRM_RECORD (survey), &error));
  f->survey_id = g_strdup (crm_record_get_id (CRM_RECORD (survey)));
  f->nps_name = add_question (f->a, f->survey_id, CRM_SURVEY_QUESTION_NPS, NULL, NULL, TRUE);
  f->choice_name = add_question (f->a, f->survey_id, CRM_SURVEY_QUESTION_SINGLE, "How did you hear of us?",
                                 options, FALSE);
  f->text_name = add_question (f->a, f->survey_id, CRM_SURVEY_QUESTION_TEXT, "Anything else?", NULL, FALSE);
  f->token = crm_surveys_invite (f->a, f->survey_id, f->contact_id, "email", &error);
  g_assert_no_error (error);
  f->link = g_strdup_printf ("%s/s/%s", f->server.url, f->token);
  sync_store (f, f->a);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  server_fixture_stop (&f->server);
  g_free (f->contact_id);
  g_free (f->survey_id);
  g_free (f->nps_name);
  g_free (f->choice_name);
  g_free (f->text_name);
  g_free (f->token);
  g_free (f->link);
}

/* GET (@body NULL) or POST of a form; returns the status and the page. */
static guint
request (Fixture     *f,
         const char  *url,
         const char  *body,
         gssize       length,
         const char  *content_type,
         const char  *accept_language,
         char       **out_page)
{
  g_autoptr(SoupMessage) msg = soup_message_new (body ? "POST" : "GET", url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *type;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length < 0 ? strlen (body) : (gsize) length);

      soup_message_set_request_body_from_bytes (msg, content_type ? content_type
                                                                  : "application/x-www-form-urlencoded", bytes);
    }
  if (accept_language != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept-Language", accept_language);
  reply = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  if (soup_message_get_status (msg) != SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE ||
      g_strcmp0 (type, "text/html") == 0)
    g_assert_cmpstr (type, ==, "text/html");
  if (out_page != NULL)
    *out_page = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
  return soup_message_get_status (msg);
}

static char *
encode_form (const char *first_name,
             ...)
{
  GString *out = g_string_new (NULL);
  const char *name = first_name;
  va_list args;

  va_start (args, first_name);
  while (name != NULL)
    {
      const char *value = va_arg (args, const char *);
      g_autofree char *n = g_uri_escape_string (name, NULL, FALSE);
      g_autofree char *v = g_uri_escape_string (value, NULL, FALSE);

      g_string_append_printf (out, "%s%s=%s", out->len ? "&" : "", n, v);
      name = va_arg (args, const char *);
    }
  va_end (args);
  return g_string_free (out, FALSE);
}

static gint64
count (CrmStore   *store,
       const char *sql)
{
  return store_query_int (store, sql);
}

static void
test_form_page (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *page = NULL;
  g_autofree char *zh = NULL;

  g_assert_cmpuint (request (f, f->link, NULL, 0, NULL, "en-GB,en;q=0.8", &page), ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (page, "<html lang=\"en\">"));
  g_assert_nonnull (strstr (page, "name=\"viewport\""));
  /* Every text from the database is escaped. */
  g_assert_nonnull (strstr (page, "After-sales &lt;b&gt;2024&lt;/b&gt;"));
  g_assert_null (strstr (page, "<b>2024"));
  g_assert_nonnull (strstr (page, "Tom &amp; Jerry&apos;s &quot;shop&quot;"));
  g_assert_nonnull (strstr (page, "Friend &lt;script&gt;"));
  g_assert_null (strstr (page, "<script"));
  /* A plain form: posts back here, a fieldset per question, no script. */
  g_assert_nonnull (strstr (page, "<form method=\"post\""));
  g_assert_nonnull (strstr (page, f->nps_name));
  g_assert_nonnull (strstr (page, "value=\"10\" required"));
  g_assert_nonnull (strstr (page, "<legend>2. How did you hear of us?</legend>"));
  g_assert_nonnull (strstr (page, "<textarea"));

  /* Chinese by Accept-Language: the page around the author's text. */
  g_assert_cmpuint (request (f, f->link, NULL, 0, NULL, "zh-CN,zh;q=0.9,en;q=0.5", &zh), ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (zh, "<html lang=\"zh-CN\">"));
  g_assert_nonnull (strstr (zh, "提交答卷"));
  g_assert_nonnull (strstr (zh, "（必答）"));
}

static void
test_pick_language (void)
{
  g_assert_cmpstr (crm_server_survey_form_pick_language (NULL, NULL), ==, "en");
  g_assert_cmpstr (crm_server_survey_form_pick_language ("zh-CN,zh;q=0.9", NULL), ==, "zh_CN");
  g_assert_cmpstr (crm_server_survey_form_pick_language ("en-US,zh-TW;q=0.5", NULL), ==, "en");
  g_assert_cmpstr (crm_server_survey_form_pick_language ("fr, zh-Hans;q=0.7, en;q=0.3", NULL), ==, "zh_CN");
  g_assert_cmpstr (crm_server_survey_form_pick_language ("de", NULL), ==, "en");
  g_assert_cmpstr (crm_server_survey_form_pick_language ("en", "zh_CN"), ==, "zh_CN");
  g_assert_cmpstr (crm_server_survey_form_pick_language ("zh;q=garbage,,;", NULL), ==, "en");
}

static void
test_valid_submission_syncs (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *body = encode_form (f->nps_name, "4", f->choice_name, "1",
                                       f->text_name, "<script>alert('x')</script> 送货太慢", NULL);
  g_autofree char *page = NULL;
  g_autofree char *again = NULL;
  g_autofree char *get_again = NULL;
  g_autofree char *invitation_id = crm_survey_invitation_id_for_token (f->token);
  g_autoptr(CrmSurveyInvitation) invitation = NULL;
  g_autoptr(GPtrArray) complaints = NULL;
  g_autoptr(GError) error = NULL;
  CrmActivity *complaint;

  g_assert_cmpuint (request (f, f->link, body, -1, NULL, "en", &page), ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (page, "Thank you!"));

  /* The link works once. */
  g_assert_cmpuint (request (f, f->link, body, -1, NULL, "en", &again), ==, SOUP_STATUS_GONE);
  g_assert_nonnull (strstr (again, "already answered"));
  g_assert_cmpuint (request (f, f->link, NULL, 0, NULL, "zh-CN", &get_again), ==, SOUP_STATUS_GONE);
  g_assert_nonnull (strstr (get_again, "已经提交过"));

  /* Desktop b pulls everything: the response, its answers, the link used,
   * and the follow-up complaint for the detractor (NPS 4). */
  sync_store (f, f->b);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM survey_responses WHERE channel = 'web'"), ==, 1);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM survey_answers"), ==, 3);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM survey_answers WHERE value_number = 4"), ==, 1);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM survey_answers WHERE value_text = 'Advert'"), ==, 1);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM survey_answers"
                                " WHERE value_text = '<script>alert(''x'')</script> 送货太慢'"), ==, 1);
  invitation = crm_store_get (f->b, CRM_TYPE_SURVEY_INVITATION, invitation_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (crm_record_get_string (CRM_RECORD (invitation), "used_at"));
  complaints = crm_complaints_list (f->b, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (complaints->len, ==, 1);
  complaint = g_ptr_array_index (complaints, 0);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "contact_id"), ==, f->contact_id);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "status"), ==, "open");
  g_assert_nonnull (crm_record_get_string (CRM_RECORD (complaint), "survey_response_id"));

  /* And desktop a too, whose NPS now counts the web answer. */
  sync_store (f, f->a);
  g_assert_cmpint (count (f->a, "SELECT count(*) FROM survey_responses r JOIN activities c"
                                " ON c.survey_response_id = r.id WHERE r.channel = 'web'"), ==, 1);
}

/* The server decides who follows up a web answer: nobody ("off"), or
 * a named user instead of the customer's owner. */
static void
test_follow_up_setting (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *body = encode_form (f->nps_name, "2", NULL);
  g_autoptr(GPtrArray) complaints = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (request (f, f->link, body, -1, NULL, "en", NULL), ==, SOUP_STATUS_OK);
  sync_store (f, f->b);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM survey_answers WHERE value_number = 2"), ==, 1);
  complaints = crm_complaints_list (f->b, NULL, &error);
  g_assert_no_error (error);
  if (g_str_equal (data, "off"))
    {
      g_assert_cmpuint (complaints->len, ==, 0);
      return;
    }
  g_assert_cmpuint (complaints->len, ==, 1);
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (complaints, 0), "assignee_id"), ==, bob_id);
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (complaints, 0), "priority"), ==, "high");
}

static void
test_unknown_token (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *unknown = g_strdup_printf ("%s/s/%s", f->server.url,
                                              "0000000000000000000000000000000000000000000000000000000000000000");
  g_autofree char *short_token = g_strdup_printf ("%s/s/abc", f->server.url);
  g_autofree char *upper = g_strdup_printf ("%s/s/%s", f->server.url, f->token);
  g_autofree char *page = NULL;
  g_autofree char *other = NULL;
  g_autofree char *empty = g_strdup_printf ("%s/s/", f->server.url);

  g_assert_cmpuint (request (f, unknown, NULL, 0, NULL, NULL, &page), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_nonnull (strstr (page, "This link is not valid"));
  g_assert_cmpuint (request (f, short_token, NULL, 0, NULL, NULL, &other), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (request (f, empty, NULL, 0, NULL, NULL, NULL), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (request (f, unknown, "a=b", -1, NULL, NULL, NULL), ==, SOUP_STATUS_NOT_FOUND);
  /* Tokens are lowercase hex; another spelling is another token. */
  for (char *p = upper + strlen (f->server.url) + 3; *p; p++)
    *p = g_ascii_toupper (*p);
  g_assert_cmpuint (request (f, upper, NULL, 0, NULL, NULL, NULL), ==, SOUP_STATUS_NOT_FOUND);
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *missing = encode_form (f->text_name, "<script>alert(1)</script>", NULL);
  g_autofree char *out_of_range = encode_form (f->nps_name, "11", NULL);
  g_autofree char *not_an_option = encode_form (f->nps_name, "9", f->choice_name, "7", NULL);
  g_autofree char *too_long_text = g_strnfill (CRM_SURVEY_MAX_TEXT + 1, 'x');
  g_autofree char *too_long = encode_form (f->nps_name, "9", f->text_name, too_long_text, NULL);
  g_autofree char *huge = NULL;
  g_autofree char *page = NULL;
  g_autofree char *zh_page = NULL;
  g_autofree char *bad_page = NULL;
  g_autofree char *huge_page = NULL;
  GString *big = g_string_new (f->nps_name);

  /* A required answer missing: the form again, with the message and the
   * visitor's text kept, escaped. */
  g_assert_cmpuint (request (f, f->link, missing, -1, NULL, "en", &page), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_nonnull (strstr (page, "role=\"alert\""));
  g_assert_nonnull (strstr (page, "Question 1 needs an answer."));
  g_assert_nonnull (strstr (page, "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>"));
  g_assert_null (strstr (page, "<script"));
  g_assert_cmpuint (request (f, f->link, missing, -1, NULL, "zh-CN", &zh_page), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_nonnull (strstr (zh_page, "第 1 题必须作答。"));
  g_assert_cmpuint (request (f, f->link, out_of_range, -1, NULL, NULL, NULL), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_cmpuint (request (f, f->link, not_an_option, -1, NULL, NULL, NULL), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_cmpuint (request (f, f->link, too_long, -1, NULL, NULL, NULL), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);

  /* Malformed: broken escapes, invalid UTF-8, NUL bytes, no '=', not a
   * form at all. */
  g_assert_cmpuint (request (f, f->link, "q=%ZZ", -1, NULL, NULL, &bad_page), ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_nonnull (strstr (bad_page, "could not be read"));
  g_assert_cmpuint (request (f, f->link, "q=%FF%FE", -1, NULL, NULL, NULL), ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (request (f, f->link, "q=a\0b", 5, NULL, NULL, NULL), ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (request (f, f->link, "novalue", -1, NULL, NULL, NULL), ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpuint (request (f, f->link, "{\"q\": 1}", -1, "application/json", NULL, NULL), ==,
                    SOUP_STATUS_BAD_REQUEST);

  /* Oversized. */
  g_string_append (big, "=9&x=");
  while (big->len <= CRM_SURVEY_FORM_MAX_BODY)
    g_string_append (big, "aaaaaaaaaaaaaaaa");
  huge = g_string_free (big, FALSE);
  g_assert_cmpuint (request (f, f->link, huge, -1, NULL, NULL, &huge_page), ==,
                    SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  g_assert_nonnull (strstr (huge_page, "Too much text"));

  /* None of it was stored, and the link still works. */
  sync_store (f, f->b);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM survey_responses"), ==, 0);
  g_assert_cmpint (count (f->b, "SELECT count(*) FROM survey_invitations WHERE used_at IS NULL"), ==, 1);
  g_assert_cmpuint (request (f, f->link, NULL, 0, NULL, NULL, NULL), ==, SOUP_STATUS_OK);
}

static void
test_closed_survey (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = encode_form (f->nps_name, "10", NULL);
  g_autofree char *page = NULL;

  survey = crm_surveys_find (f->a, f->survey_id, &error);
  g_assert_no_error (error);
  g_object_set (survey, "status", "closed", NULL);
  g_assert_true (crm_store_update (f->a, CRM_RECORD (survey), &error));
  sync_store (f, f->a);
  g_assert_cmpuint (request (f, f->link, body, -1, NULL, "en", &page), ==, SOUP_STATUS_GONE);
  g_assert_nonnull (strstr (page, "no longer takes answers"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *skip = NULL;
  int status;

  crm_runtime_init ();
  g_test_init (&argc, &argv, NULL);

  if (g_strcmp0 (g_getenv ("CRM_TEST_STORE"), "postgresql") == 0)
    {
      pg_cluster = pg_cluster_new (&skip, &error);
      if (skip != NULL)
        {
          g_print ("1..0 # SKIP %s\n", skip);
          return 0;
        }
      g_assert_no_error (error);
    }

  g_test_add_func ("/survey-form/pick-language", test_pick_language);
  g_test_add ("/survey-form/page", Fixture, NULL, fixture_setup, test_form_page, fixture_teardown);
  g_test_add ("/survey-form/valid-submission-syncs", Fixture, NULL, fixture_setup, test_valid_submission_syncs,
              fixture_teardown);
  g_test_add ("/survey-form/unknown-token", Fixture, NULL, fixture_setup, test_unknown_token, fixture_teardown);
  g_test_add ("/survey-form/follow-up-off", Fixture, "off", fixture_setup, test_follow_up_setting,
              fixture_teardown);
  g_test_add ("/survey-form/follow-up-by-user", Fixture, "bob", fixture_setup, test_follow_up_setting,
              fixture_teardown);
  g_test_add ("/survey-form/bad-input", Fixture, NULL, fixture_setup, test_bad_input, fixture_teardown);
  g_test_add ("/survey-form/closed-survey", Fixture, NULL, fixture_setup, test_closed_survey, fixture_teardown);

  status = g_test_run ();
  g_clear_pointer (&pg_cluster, pg_cluster_free);
  g_clear_pointer (&bob_id, g_free);
  return status;
}
