/* test-campaign-sender.c: email delivery through a local SMTP server (tests/smtp-server.py): temporary failure and retry, rejection, restart mid-send without duplicates, relay down */

#include <gio/gio.h>
#include <string.h>

#include "crm-campaign-sender.h"
#include "crm-campaigns.h"
#include "crm-survey-form.h"
#include "crm-surveys.h"
#include "smtp-relay.h"
#include "store-fixture.h"

typedef struct
{
  GSubprocess *server;
  char *log_path;
  char *url;
} SmtpServer;

static gboolean
smtp_server_start (SmtpServer *s,
                   const char *dir)
{
  guint port = 0;

  s->log_path = g_build_filename (dir, "smtp.log", NULL);
  s->server = smtp_relay_start (s->log_path, &port);
  if (s->server == NULL)
    return FALSE;
  s->url = g_strdup_printf ("smtp://127.0.0.1:%u", port);
  return TRUE;
}

static void
smtp_server_stop (SmtpServer *s)
{
  g_clear_pointer (&s->server, smtp_relay_stop);
  g_clear_pointer (&s->log_path, g_free);
  g_clear_pointer (&s->url, g_free);
}

/* How many messages the server accepted for @address. */
static guint
delivered_to (SmtpServer *s,
              const char *address)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (s->log_path, &log, NULL, NULL))
    return 0;
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], address) && lines[i][strlen (address)] == '\t')
      n++;
  return n;
}

/* Field @n of the log line of the message to @address (1: the subject
 * header, 2: the body as sent), or NULL when nothing went to @address. */
static char *
logged_field (SmtpServer *s,
              const char *address,
              guint       n)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (s->log_path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], address) && lines[i][strlen (address)] == '\t')
      {
        g_auto(GStrv) fields = g_strsplit (lines[i], "\t", 3);

        g_assert_cmpuint (g_strv_length (fields), ==, 3);
        return g_strdup (fields[n]);
      }
  return NULL;
}

static char *
decode_base64 (const char *encoded)
{
  g_autofree guchar *decoded = NULL;
  gsize len = 0;

  decoded = g_base64_decode (encoded, &len);
  return g_strndup ((const char *) decoded, len);
}

static char *
subject_of (SmtpServer *s,
            const char *address)
{
  g_autofree char *header = logged_field (s, address, 1);
  g_autofree char *encoded = NULL;

  if (header == NULL)
    return NULL;
  g_assert_true (g_str_has_prefix (header, "Subject: =?UTF-8?B?") && g_str_has_suffix (header, "?="));
  encoded = g_strndup (header + strlen ("Subject: =?UTF-8?B?"), strlen (header) - strlen ("Subject: =?UTF-8?B?") - 2);
  return decode_base64 (encoded);
}

static char *
body_of (SmtpServer *s,
         const char *address)
{
  g_autofree char *body = logged_field (s, address, 2);

  return body != NULL ? decode_base64 (body) : NULL;
}

static void
add_member (CrmStore   *store,
            const char *name,
            const char *email)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;

  crm_contact_set_name (contact, name);
  g_assert_true (crm_contact_set_field_from_string (contact, "email", email, &error));
  g_assert_true (crm_contact_set_field_from_string (contact, "consent_email", "true", &error));
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
}

static char *
launch_campaign (CrmStore *store)
{
  g_autoptr(CrmCampaign) campaign = crm_campaign_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (campaign, "name", "新品通知", "channel", "email",
                "templates", "{\"variants\": [{\"segment\": \"builtin:lead\", \"subject\": \"{{name}}，新品到了\","
                             " \"body\": \"您好 {{name}}！\"}]}", NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (campaign), &error));
  g_assert_no_error (error);
  g_assert_true (crm_campaign_launch (store, crm_record_get_id (CRM_RECORD (campaign)), NULL, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (campaign)));
}

static char *
member_field (CrmStore   *store,
              const char *email,
              const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce (%s, '') FROM campaign_members WHERE address = '%s'", column, email);

  return store_query_text (store, sql);
}

static void
test_send_retry_restart (StoreFixture  *f,
                         gconstpointer  data)
{
  static const char * const ok_addresses[] = { "a@example.com", "b@example.com", "c@example.com", "d@example.com" };
  SmtpServer server = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *campaign_id = NULL;
  g_autofree char *status = NULL, *reason = NULL, *attempts = NULL, *interrupted = NULL, *subject = NULL;
  g_autofree char *campaign_status = NULL;
  g_autofree char *status_sql = NULL;
  CrmSmtpConfig config;
  CrmSendResult result;

  if (!smtp_server_start (&server, f->dir))
    {
      g_test_skip ("python3 is needed for the test SMTP server");
      return;
    }
  add_member (f->store, "张伟", "a@example.com");
  add_member (f->store, "李娜", "b@example.com");
  add_member (f->store, "王芳", "c@example.com");
  add_member (f->store, "赵六", "d@example.com");
  add_member (f->store, "Temp", "temp@example.com");
  add_member (f->store, "Reject", "reject@example.com");
  add_member (f->store, "Cut off", "cut@example.com");
  campaign_id = launch_campaign (f->store);

  crm_smtp_config_init (&config);
  config.url = server.url;
  config.from = "shop@example.com";
  config.messages_per_second = 100;
  config.retry_delay_seconds = 1;

  /* First run: stopped after two messages (as by quitting the app). */
  config.stop_after = 2;
  g_assert_true (crm_campaign_send_email (f->store, campaign_id, &config, NULL, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.sent, ==, 2);
  g_assert_cmpuint (result.pending, ==, 5);

  /* A crash while "cut" was with the relay: marked, never settled. */
  g_assert_true (crm_store_exec (f->store, "UPDATE campaign_members SET sending_at = '2026-01-01T00:00:00Z', attempts = 1"
                                           " WHERE address = 'cut@example.com'", NULL));

  /* Second run: everything else, waiting for the retry of "temp". */
  config.stop_after = 0;
  g_assert_true (crm_campaign_send_email (f->store, campaign_id, &config, NULL, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.interrupted, ==, 1);
  g_assert_cmpuint (result.retried, ==, 1);
  g_assert_cmpuint (result.sent, ==, 3);
  g_assert_cmpuint (result.failed, ==, 2);
  g_assert_cmpuint (result.pending, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (ok_addresses); i++)
    g_assert_cmpuint (delivered_to (&server, ok_addresses[i]), ==, 1);
  g_assert_cmpuint (delivered_to (&server, "temp@example.com"), ==, 1);
  g_assert_cmpuint (delivered_to (&server, "reject@example.com"), ==, 0);
  g_assert_cmpuint (delivered_to (&server, "cut@example.com"), ==, 0);

  attempts = member_field (f->store, "temp@example.com", "attempts");
  g_assert_cmpstr (attempts, ==, "2");
  status = member_field (f->store, "temp@example.com", "status");
  g_assert_cmpstr (status, ==, "sent");
  g_free (status);
  status = member_field (f->store, "reject@example.com", "status");
  g_assert_cmpstr (status, ==, "failed");
  reason = member_field (f->store, "reject@example.com", "error");
  g_assert_nonnull (strstr (reason, "550"));
  interrupted = member_field (f->store, "cut@example.com", "error");
  g_assert_nonnull (strstr (interrupted, "Interrupted"));
  subject = subject_of (&server, "a@example.com");
  g_assert_cmpstr (subject, ==, "张伟，新品到了");
  campaign_status = store_query_text (f->store, "SELECT status FROM campaigns");
  g_assert_cmpstr (campaign_status, ==, "done");

  /* A third run sends nothing again. */
  g_assert_false (crm_campaign_send_email (f->store, campaign_id, &config, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_cmpuint (delivered_to (&server, "a@example.com"), ==, 1);
  smtp_server_stop (&server);
}

static void
test_relay_down (StoreFixture  *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *campaign_id = NULL;
  g_autofree char *pending = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autofree char *url = NULL;
  CrmSmtpConfig config;
  CrmSendResult result;

  add_member (f->store, "张伟", "a@example.com");
  campaign_id = launch_campaign (f->store);

  /* A port nobody listens on: bind one, then close it. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_assert_true (g_socket_bind (socket, G_SOCKET_ADDRESS (address), FALSE, &error));
  g_clear_object (&address);
  address = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (socket, &error));
  url = g_strdup_printf ("smtp://127.0.0.1:%u", g_inet_socket_address_get_port (address));
  g_socket_close (socket, NULL);

  crm_smtp_config_init (&config);
  config.url = url;
  config.from = "shop@example.com";
  g_assert_false (crm_campaign_send_email (f->store, campaign_id, &config, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, url));
  /* Still pending, as if never tried. */
  pending = store_query_text (f->store, "SELECT status || ' ' || attempts || ' ' || (sending_at IS NULL) FROM campaign_members");
  g_assert_cmpstr (pending, ==, "pending 0 1");
}


static char *
survey_campaign (CrmStore   *store,
                 const char *survey_id)
{
  g_autoptr(CrmCampaign) campaign = crm_campaign_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *templates = g_strdup_printf (
    "{\"variants\": [{\"segment\": \"builtin:lead\", \"subject\": \"{{name}}，请评价\","
    " \"body\": \"您好 {{name}}，请点击 {{survey_link}} 回答。\"}], \"survey\": \"%s\"}", survey_id);

  g_object_set (campaign, "name", "满意度回访", "channel", "email", "templates", templates, NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (campaign), &error));
  g_assert_no_error (error);
  g_assert_true (crm_campaign_launch (store, crm_record_get_id (CRM_RECORD (campaign)), NULL, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (campaign)));
}

/* The token of the link in @body on @base. */
static char *
token_in (const char *body,
          const char *base)
{
  g_autofree char *prefix = g_strconcat (base, "/s/", NULL);
  const char *at = strstr (body, prefix);
  const char *end;

  g_assert_nonnull (at);
  at += strlen (prefix);
  end = strchr (at, ' ');
  g_assert_nonnull (end);
  return g_strndup (at, end - at);
}

static void
test_survey_link (StoreFixture  *f,
                  gconstpointer  data)
{
  SmtpServer server = { 0 };
  g_autoptr(CrmSurvey) survey = crm_survey_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *campaign_id = NULL;
  g_autofree char *body_a = NULL, *body_temp = NULL;
  g_autofree char *token_a = NULL, *token_temp = NULL;
  g_autofree char *id_a = NULL, *id_temp = NULL;
  g_autofree char *invitations = NULL, *withdrawn = NULL, *row = NULL, *sql = NULL, *pending = NULL, *ids = NULL;
  g_autofree char *zhang = NULL, *temp = NULL;
  g_autoptr(GPtrArray) answers = g_ptr_array_new ();
  g_autoptr(GPtrArray) stats = NULL;
  g_auto(CrmSurveySubmission) submission = { 0 };
  g_auto(CrmSurveySubmission) earlier = { 0 };
  CrmSmtpConfig config;
  CrmSendResult result;

  if (!smtp_server_start (&server, f->dir))
    {
      g_test_skip ("python3 is needed for the test SMTP server");
      return;
    }
  g_object_set (survey, "title", "售后回访", "status", "open", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (survey), &error));
  add_member (f->store, "张伟", "a@example.com");
  add_member (f->store, "Temp", "temp@example.com");
  add_member (f->store, "Reject", "reject@example.com");
  campaign_id = survey_campaign (f->store, crm_record_get_id (CRM_RECORD (survey)));

  crm_smtp_config_init (&config);
  config.url = server.url;
  config.from = "shop@example.com";
  config.messages_per_second = 100;
  config.retry_delay_seconds = 1;

  /* No server to serve the form: nothing goes out, nothing is made. */
  g_assert_false (crm_campaign_send_email (f->store, campaign_id, &config, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "sync server"));
  g_clear_error (&error);
  g_assert_cmpuint (delivered_to (&server, "a@example.com"), ==, 0);
  invitations = store_query_text (f->store, "SELECT count (*) FROM survey_invitations");
  g_assert_cmpstr (invitations, ==, "0");
  pending = store_query_text (f->store, "SELECT group_concat (status || attempts) FROM campaign_members");
  g_assert_cmpstr (pending, ==, "pending0,pending0,pending0");

  /* A closed survey: nothing goes out either. */
  g_object_set (survey, "status", "closed", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (survey), &error));
  config.survey_base_url = "https://crm.example.com:8443/";
  g_assert_false (crm_campaign_send_email (f->store, campaign_id, &config, NULL, NULL, NULL, &result, &error));
  g_assert_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (delivered_to (&server, "a@example.com"), ==, 0);

  g_object_set (survey, "status", "open", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (survey), &error));
  g_assert_true (crm_campaign_send_email (f->store, campaign_id, &config, NULL, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.sent, ==, 2);
  g_assert_cmpuint (result.failed, ==, 1);
  g_assert_cmpuint (result.retried, ==, 1);

  /* Each message has its member's own link, on the server's address. */
  body_a = body_of (&server, "a@example.com");
  body_temp = body_of (&server, "temp@example.com");
  g_assert_true (g_str_has_prefix (body_a, "您好 张伟，请点击 https://crm.example.com:8443/s/"));
  token_a = token_in (body_a, "https://crm.example.com:8443");
  token_temp = token_in (body_temp, "https://crm.example.com:8443");
  g_assert_cmpstr (token_a, !=, token_temp);
  g_assert_null (body_of (&server, "reject@example.com"));

  /* The token itself is never stored: the invitation's id is its digest. */
  id_a = crm_survey_invitation_id_for_token (token_a);
  sql = g_strdup_printf ("SELECT c.name || ' ' || i.channel || ' ' || i.deleted FROM survey_invitations i"
                         " JOIN contacts c ON c.id = i.contact_id WHERE i.id = '%s'", id_a);
  row = store_query_text (f->store, sql);
  g_assert_cmpstr (row, ==, "张伟 email 0");
  id_temp = crm_survey_invitation_id_for_token (token_temp);
  g_free (sql);
  sql = g_strdup_printf ("SELECT deleted FROM survey_invitations WHERE id = '%s'", id_temp);
  g_free (row);
  row = store_query_text (f->store, sql);
  g_assert_cmpstr (row, ==, "0");
  g_free (invitations);
  invitations = store_query_text (f->store, "SELECT count (*) FROM survey_invitations WHERE deleted = 0");
  g_assert_cmpstr (invitations, ==, "2");
  ids = store_query_text (f->store, "SELECT group_concat (id) FROM survey_invitations");
  g_assert_null (strstr (ids, token_a));

  /* The refused message and temp's first try took their links back. */
  withdrawn = store_query_text (f->store, "SELECT count (*) FROM survey_invitations WHERE deleted = 1");
  g_assert_cmpstr (withdrawn, ==, "2");

  /* 张伟 answers through the link: the campaign counts a response. An
   * answer from before the message (Temp's) does not count. */
  stats = crm_campaign_get_stats (f->store, campaign_id, &error);
  g_assert_cmpint (((CrmCampaignStats *) g_ptr_array_index (stats, stats->len - 1))->responded, ==, 0);
  g_clear_pointer (&stats, g_ptr_array_unref);
  zhang = store_query_text (f->store, "SELECT id FROM contacts WHERE name = '张伟'");
  temp = store_query_text (f->store, "SELECT id FROM contacts WHERE name = 'Temp'");
  g_assert_true (crm_surveys_submit (f->store, crm_record_get_id (CRM_RECORD (survey)), zhang, "web", NULL,
                                     answers, id_a, &submission, &error));
  g_assert_no_error (error);
  g_assert_true (crm_surveys_submit (f->store, crm_record_get_id (CRM_RECORD (survey)), temp, "phone",
                                     "2020-01-01T00:00:00Z", answers, NULL, &earlier, &error));
  g_assert_no_error (error);
  stats = crm_campaign_get_stats (f->store, campaign_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((CrmCampaignStats *) g_ptr_array_index (stats, stats->len - 1))->responded, ==, 1);
  g_free (row);
  row = member_field (f->store, "a@example.com", "status");
  g_assert_cmpstr (row, ==, "responded");
  smtp_server_stop (&server);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  STORE_TEST ("/campaign-sender/retry-restart", test_send_retry_restart);
  STORE_TEST ("/campaign-sender/survey-link", test_survey_link);
  STORE_TEST ("/campaign-sender/relay-down", test_relay_down);
  return g_test_run ();
}
