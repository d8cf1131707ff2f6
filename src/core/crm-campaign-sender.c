/* crm-campaign-sender.c: delivers an email campaign through an SMTP relay (libcurl): rate limit, retries with backoff, resumable without double sends */

#include "config.h"

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-campaign-sender.h"
#include "crm-campaigns.h"
#include "crm-store-private.h"
#include "crm-survey-distribution.h"
#include "crm-survey-invitation.h"
#include "crm-surveys.h"

void
crm_smtp_config_init (CrmSmtpConfig *config)
{
  memset (config, 0, sizeof *config);
  config->messages_per_second = 5;
  config->max_attempts = 5;
  config->retry_delay_seconds = 60;
}

static char *
timestamp_in (gint64 seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, seconds);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
}

/* RFC 5322 date, in English whatever the locale. */
static char *
rfc5322_date (void)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d +0000",
                          days[g_date_time_get_day_of_week (now) - 1], g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1], g_date_time_get_year (now),
                          g_date_time_get_hour (now), g_date_time_get_minute (now), g_date_time_get_second (now));
}

static void
append_base64_lines (GString    *out,
                     const char *text)
{
  g_autofree char *encoded = g_base64_encode ((const guchar *) text, strlen (text));
  gsize len = strlen (encoded);

  for (gsize i = 0; i < len; i += 76)
    {
      g_string_append_len (out, encoded + i, MIN (76, len - i));
      g_string_append (out, "\r\n");
    }
}

/* Header values must not carry line breaks (header injection). */
static char *
header_safe (const char *text)
{
  return g_strdelimit (g_strdup (text != NULL ? text : ""), "\r\n", ' ');
}

static char *
build_message (const char *from,
               const char *to,
               const char *subject,
               const char *body,
               const char *member_id)
{
  GString *m = g_string_new (NULL);
  g_autofree char *safe_from = header_safe (from);
  g_autofree char *safe_to = header_safe (to);
  g_autofree char *safe_subject = header_safe (subject);
  g_autofree char *subject_b64 = g_base64_encode ((const guchar *) safe_subject, strlen (safe_subject));
  g_autofree char *date = rfc5322_date ();

  g_string_append_printf (m, "From: %s\r\n", safe_from);
  g_string_append_printf (m, "To: %s\r\n", safe_to);
  g_string_append_printf (m, "Subject: =?UTF-8?B?%s?=\r\n", subject_b64);
  g_string_append_printf (m, "Date: %s\r\n", date);
  /* The member's id: one message per member, recognisable in bounces. */
  g_string_append_printf (m, "Message-ID: <%s@crm.invalid>\r\n", member_id);
  g_string_append (m, "MIME-Version: 1.0\r\n"
                      "Content-Type: text/plain; charset=UTF-8\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n");
  append_base64_lines (m, body != NULL ? body : "");
  return g_string_free (m, FALSE);
}

typedef struct
{
  const char *data;
  size_t len;
  size_t pos;
} Upload;

static size_t
read_upload (char   *buffer,
             size_t  size,
             size_t  nitems,
             void   *user_data)
{
  Upload *upload = user_data;
  size_t n = MIN (size * nitems, upload->len - upload->pos);

  memcpy (buffer, upload->data + upload->pos, n);
  upload->pos += n;
  return n;
}

typedef enum
{
  OUTCOME_SENT,
  OUTCOME_TEMPORARY,
  OUTCOME_PERMANENT,
  OUTCOME_RELAY_DOWN,
} Outcome;

static Outcome
deliver (CURL                *curl,
         const CrmSmtpConfig *config,
         const char          *to,
         const char          *message,
         char               **out_reason)
{
  struct curl_slist *rcpt = curl_slist_append (NULL, to);
  Upload upload = { message, strlen (message), 0 };
  char errbuf[CURL_ERROR_SIZE] = "";
  long code = 0;
  CURLcode rc;

  curl_easy_setopt (curl, CURLOPT_URL, config->url);
  curl_easy_setopt (curl, CURLOPT_MAIL_FROM, config->from);
  curl_easy_setopt (curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt (curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt (curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt (curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  if (config->starttls)
    curl_easy_setopt (curl, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
  if (config->username != NULL)
    {
      curl_easy_setopt (curl, CURLOPT_USERNAME, config->username);
      curl_easy_setopt (curl, CURLOPT_PASSWORD, config->password != NULL ? config->password : "");
    }

  rc = curl_easy_perform (curl);
  curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all (rcpt);

  if (rc == CURLE_OK)
    return OUTCOME_SENT;
  *out_reason = g_strdup_printf ("%ld %s", code, *errbuf != '\0' ? errbuf : curl_easy_strerror (rc));
  if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_CONNECT || rc == CURLE_LOGIN_DENIED ||
      rc == CURLE_USE_SSL_FAILED || rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
      rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT)
    return OUTCOME_RELAY_DOWN;
  if (code >= 500 && code < 600)
    return OUTCOME_PERMANENT;
  return OUTCOME_TEMPORARY;
}

static CURL *
new_curl (void)
{
  static gsize curl_ready = 0;

  /* Not thread-safe, so once, before any handle. */
  if (g_once_init_enter (&curl_ready))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&curl_ready, 1);
    }
  return curl_easy_init ();
}

gboolean
crm_smtp_send_message (const CrmSmtpConfig  *config,
                       const char           *to,
                       const char           *subject,
                       const char           *body,
                       const char           *message_id,
                       GError              **error)
{
  CURL *curl = new_curl ();
  g_autofree char *message = build_message (config->from, to, subject, body, message_id);
  g_autofree char *reason = NULL;
  Outcome outcome = deliver (curl, config, to, message, &reason);

  curl_easy_cleanup (curl);
  if (outcome == OUTCOME_SENT)
    return TRUE;
  g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
               _("Could not deliver through the SMTP relay %s: %s"), config->url, reason);
  return FALSE;
}

typedef struct
{
  char *id;
  char *contact_id;
  char *address;
  char *variant;
  gint64 attempts;
  char *invitation_id;        /* the survey invitation made for this send, if any */
} Member;

static void
member_clear (Member *m)
{
  g_clear_pointer (&m->id, g_free);
  g_clear_pointer (&m->contact_id, g_free);
  g_clear_pointer (&m->address, g_free);
  g_clear_pointer (&m->variant, g_free);
  g_clear_pointer (&m->invitation_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Member, member_clear)

/* A message that was with the relay when the last run stopped may or may
 * not have gone out: fail it rather than risk sending it twice. */
static gboolean
fail_interrupted (CrmStore    *store,
                  const char  *campaign_id,
                  guint       *out_count,
                  GError     **error)
{
  g_autofree char *hlc = NULL;
  g_autoptr(CrmCachedStmt) stmt = NULL;

  if (!crm_store_begin (store, error))
    return FALSE;
  hlc = crm_store_next_hlc (store);
  stmt = crm_store_prepare (store,
                            "UPDATE campaign_members SET status = 'failed', sending_at = NULL, updated_at = ?2,"
                            " error = ?3 WHERE campaign_id = ?1 AND status = 'pending' AND sending_at IS NOT NULL",
                            error);
  if (stmt == NULL)
    goto fail;
  crm_stmt_bind_text (stmt, 1, campaign_id);
  crm_stmt_bind_text (stmt, 2, hlc);
  crm_stmt_bind_text (stmt, 3, _("Interrupted while being sent; not sent again so that nobody gets it twice."));
  if (!crm_store_step_done (store, stmt, error))
    goto fail;
  *out_count = sqlite3_changes (crm_store_get_db (store));
  crm_store_queue_changed (store, "campaign_members", NULL);
  return crm_store_commit (store, error);

fail:
  crm_store_rollback (store);
  return FALSE;
}

/* The next pending member due now; FALSE with no error when there is none.
 * @out_next_retry gets the earliest later retry, if any. */
static gboolean
next_member (CrmStore    *store,
             const char  *campaign_id,
             Member      *out,
             char       **out_next_retry,
             GError     **error)
{
  g_autofree char *now = timestamp_in (0);
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store,
    "SELECT id, contact_id, address, variant, attempts FROM campaign_members"
    " WHERE campaign_id = ?1 AND deleted = 0 AND status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?2)"
    " ORDER BY rowid LIMIT 1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, campaign_id);
  crm_stmt_bind_text (stmt, 2, now);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      out->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      out->contact_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      out->address = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      out->variant = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      out->attempts = sqlite3_column_int64 (stmt, 4);
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  stmt = crm_store_prepare (store,
    "SELECT min (next_attempt_at) FROM campaign_members"
    " WHERE campaign_id = ?1 AND deleted = 0 AND status = 'pending'", error);
  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, campaign_id);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    *out_next_retry = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return FALSE;
}

static gboolean
run_update (CrmStore    *store,
            const char  *sql,
            const char  *member_id,
            const char  *text,
            const char  *text2,
            GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autofree char *hlc = NULL;

  if (!crm_store_begin (store, error))
    return FALSE;
  hlc = crm_store_next_hlc (store);
  stmt = crm_store_prepare (store, sql, error);
  if (stmt == NULL)
    {
      crm_store_rollback (store);
      return FALSE;
    }
  crm_stmt_bind_text (stmt, 1, member_id);
  crm_stmt_bind_text (stmt, 2, hlc);
  crm_stmt_bind_text (stmt, 3, text);
  crm_stmt_bind_text (stmt, 4, text2);
  if (!crm_store_step_done (store, stmt, error))
    {
      crm_store_rollback (store);
      return FALSE;
    }
  crm_store_queue_changed (store, "campaign_members", member_id);
  return crm_store_commit (store, error);
}

/* Marks @member as being sent, committed before the relay sees the
 * message (see fail_interrupted()). With @survey_id it makes the member's
 * survey invitation in the same transaction and returns its one-time
 * token in @out_token. */
static gboolean
claim_member (CrmStore    *store,
              Member      *member,
              const char  *survey_id,
              char       **out_token,
              GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autofree char *claimed_at = timestamp_in (0);
  g_autofree char *token = NULL;

  if (!crm_store_begin (store, error))
    return FALSE;
  stmt = crm_store_prepare (store, "UPDATE campaign_members SET sending_at = ?2, attempts = attempts + 1 WHERE id = ?1",
                            error);
  if (stmt == NULL)
    goto fail;
  crm_stmt_bind_text (stmt, 1, member->id);
  crm_stmt_bind_text (stmt, 2, claimed_at);
  if (!crm_store_step_done (store, stmt, error))
    goto fail;
  if (survey_id != NULL)
    {
      token = crm_surveys_invite (store, survey_id, member->contact_id, "email", error);
      if (token == NULL)
        goto fail;
      member->invitation_id = crm_survey_invitation_id_for_token (token);
    }
  crm_store_queue_changed (store, "campaign_members", member->id);
  if (!crm_store_commit (store, error))
    goto fail;
  if (out_token != NULL)
    *out_token = g_steal_pointer (&token);
  return TRUE;

fail:
  crm_store_rollback (store);
  g_clear_pointer (&member->invitation_id, g_free);
  return FALSE;
}

/* The message did not go out: its link must not answer the survey. */
static void
withdraw_invitation (CrmStore *store,
                     Member   *member)
{
  g_autoptr(GError) error = NULL;

  if (member->invitation_id != NULL &&
      !crm_store_delete (store, CRM_TYPE_SURVEY_INVITATION, member->invitation_id, &error))
    g_warning ("Could not withdraw survey invitation %s: %s", member->invitation_id, error->message);
}

/* The campaign's survey when its content has {{survey_link}}, checked to
 * take answers; NULL with no error when there is none. */
static char *
linked_survey (CrmStore             *store,
               CrmCampaign          *campaign,
               GPtrArray            *variants,
               const CrmSmtpConfig  *config,
               GError              **error)
{
  g_autofree char *survey_id = NULL;
  g_autoptr(CrmSurvey) survey = NULL;
  gboolean used = FALSE;

  for (guint i = 0; i < variants->len && !used; i++)
    used = crm_campaign_variant_uses_field (g_ptr_array_index (variants, i), "survey_link");
  if (!used)
    return NULL;
  if (config->survey_base_url == NULL || *config->survey_base_url == '\0')
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("The messages link to a survey, but no sync server is set up to serve the survey form. "
                             "Set one up in Preferences (crmctl: --survey-base-url URL) and send again."));
      return NULL;
    }
  survey_id = crm_campaign_templates_dup_survey (crm_record_get_string (CRM_RECORD (campaign), "templates"));
  survey = crm_store_get (store, CRM_TYPE_SURVEY, survey_id, NULL);
  if (survey == NULL || crm_record_get_deleted (CRM_RECORD (survey)) ||
      g_strcmp0 (crm_record_get_string (CRM_RECORD (survey), "status"), "closed") == 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("The survey the messages link to is closed or gone; nothing was sent. "
                             "Open the survey again, then send."));
      return NULL;
    }
  return g_steal_pointer (&survey_id);
}

/* Sleeps @seconds in short steps; FALSE when cancelled. */
static gboolean
wait_seconds (double        seconds,
              GCancellable *cancellable)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      g_usleep (MIN (100000, end - g_get_monotonic_time ()));
    }
  return !g_cancellable_is_cancelled (cancellable);
}

static gboolean
finish_if_done (CrmStore    *store,
                const char  *campaign_id,
                guint       *out_pending,
                GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store,
    "SELECT count (*) FROM campaign_members WHERE campaign_id = ? AND deleted = 0 AND status = 'pending'", error);
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autofree char *now = timestamp_in (0);

  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, campaign_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      crm_store_take_error (store, SQLITE_ERROR, error);
      return FALSE;
    }
  *out_pending = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  if (*out_pending > 0)
    return TRUE;
  campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, campaign_id, error);
  if (campaign == NULL)
    return FALSE;
  g_object_set (campaign, "status", "done", "sent-at", now, NULL);
  return crm_store_update (store, CRM_RECORD (campaign), error);
}

gboolean
crm_campaign_send_email (CrmStore             *store,
                         const char           *campaign_id,
                         const CrmSmtpConfig  *config,
                         GCancellable         *cancellable,
                         CrmSendProgress       progress,
                         gpointer              user_data,
                         CrmSendResult        *out_result,
                         GError              **error)
{
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GPtrArray) variants = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GHashTable) by_segment = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *survey_id = NULL;
  g_autoptr(GError) survey_error = NULL;
  CrmSendResult result = { 0 };
  gint64 last_send = 0;
  guint attempts_this_run = 0;
  gboolean ok = FALSE;
  CURL *curl = NULL;

  campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, campaign_id, error);
  if (campaign == NULL)
    return FALSE;
  if (!g_str_equal (crm_record_get_string (CRM_RECORD (campaign), "channel"), "email"))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("Only email campaigns are sent; export the list of an SMS, call or letter campaign."));
      return FALSE;
    }
  if (!g_str_equal (crm_record_get_string (CRM_RECORD (campaign), "status"), "running"))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("The campaign is %s; only a launched campaign that is still running is sent."),
                   crm_record_get_string (CRM_RECORD (campaign), "status"));
      return FALSE;
    }
  if (config->url == NULL || config->from == NULL)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("Sending needs the SMTP relay’s address and a sender address."));
      return FALSE;
    }
  variants = crm_campaign_parse_templates (crm_record_get_string (CRM_RECORD (campaign), "templates"), &fields, error);
  if (variants == NULL)
    return FALSE;
  for (guint i = 0; i < variants->len; i++)
    {
      CrmCampaignVariant *v = g_ptr_array_index (variants, i);

      if (!g_hash_table_contains (by_segment, v->segment))
        g_hash_table_insert (by_segment, v->segment, v);
    }
  survey_id = linked_survey (store, campaign, variants, config, &survey_error);
  if (survey_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&survey_error));
      return FALSE;
    }

  if (!fail_interrupted (store, campaign_id, &result.interrupted, error))
    return FALSE;
  result.failed += result.interrupted;

  curl = new_curl ();
  for (;;)
    {
      g_auto(Member) member = { 0 };
      g_autofree char *next_retry = NULL;
      g_autoptr(GHashTable) values = NULL;
      g_autofree char *subject = NULL, *body = NULL, *message = NULL, *reason = NULL;
      g_autofree char *token = NULL;
      g_autoptr(GError) local_error = NULL;
      CrmCampaignVariant *variant;
      Outcome outcome;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (config->stop_after > 0 && attempts_this_run >= config->stop_after)
        break;
      if (!next_member (store, campaign_id, &member, &next_retry, &local_error))
        {
          g_autoptr(GDateTime) due = NULL;
          g_autoptr(GDateTime) now = NULL;

          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              goto out;
            }
          if (next_retry == NULL)
            break;
          /* Only retries are left: wait for the first one. */
          due = g_date_time_new_from_iso8601 (next_retry, NULL);
          now = g_date_time_new_now_utc ();
          if (!wait_seconds (due != NULL ? MAX (0.1, g_date_time_difference (due, now) / (double) G_USEC_PER_SEC) : 1,
                             cancellable))
            {
              g_cancellable_set_error_if_cancelled (cancellable, error);
              goto out;
            }
          continue;
        }

      if (config->messages_per_second > 0 && last_send > 0)
        {
          double gap = 1.0 / config->messages_per_second - (g_get_monotonic_time () - last_send) / (double) G_USEC_PER_SEC;

          if (gap > 0 && !wait_seconds (gap, cancellable))
            {
              g_cancellable_set_error_if_cancelled (cancellable, error);
              goto out;
            }
        }

      variant = member.variant != NULL ? g_hash_table_lookup (by_segment, member.variant) : NULL;
      if (variant == NULL && variants->len > 0)
        variant = g_ptr_array_index (variants, 0);
      values = crm_campaign_contact_values (store, member.contact_id, fields, NULL, error);
      if (values == NULL || variant == NULL)
        goto out;

      /* Marked before the relay sees it, committed: see fail_interrupted(). */
      if (!claim_member (store, &member, survey_id != NULL && crm_campaign_variant_uses_field (variant, "survey_link")
                                           ? survey_id : NULL,
                         &token, error))
        goto out;
      if (token != NULL)
        g_hash_table_insert (values, g_strdup ("survey_link"), crm_survey_link (config->survey_base_url, token));
      subject = crm_campaign_render_text (variant->subject != NULL ? variant->subject
                                                                   : crm_record_get_string (CRM_RECORD (campaign), "subject"),
                                          values);
      body = crm_campaign_render_text (variant->body, values);
      message = build_message (config->from, member.address, subject, body, member.id);
      attempts_this_run++;
      last_send = g_get_monotonic_time ();
      outcome = deliver (curl, config, member.address, message, &reason);

      switch (outcome)
        {
        case OUTCOME_SENT:
          {
            g_autofree char *now = timestamp_in (0);

            if (!run_update (store, "UPDATE campaign_members SET status = 'sent', sent_at = ?3, sending_at = NULL,"
                                    " next_attempt_at = NULL, error = NULL, updated_at = ?2 WHERE id = ?1",
                             member.id, now, NULL, error))
              goto out;
            result.sent++;
          }
          break;

        case OUTCOME_TEMPORARY:
          if (member.attempts + 1 < config->max_attempts)
            {
              guint delay = config->retry_delay_seconds << MIN (member.attempts, 16);
              g_autofree char *when = timestamp_in (delay);

              withdraw_invitation (store, &member);
              if (!run_update (store, "UPDATE campaign_members SET sending_at = NULL, next_attempt_at = ?3,"
                                      " error = ?4, updated_at = ?2 WHERE id = ?1",
                               member.id, when, reason, error))
                goto out;
              result.retried++;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case OUTCOME_PERMANENT:
          withdraw_invitation (store, &member);
          if (!run_update (store, "UPDATE campaign_members SET status = 'failed', sending_at = NULL,"
                                  " next_attempt_at = NULL, error = ?3, updated_at = ?2 WHERE id = ?1",
                           member.id, reason, NULL, error))
            goto out;
          result.failed++;
          break;

        case OUTCOME_RELAY_DOWN:
          /* Nothing reached a relay: the member stays pending, as if not tried. */
          withdraw_invitation (store, &member);
          run_update (store, "UPDATE campaign_members SET sending_at = NULL, attempts = attempts - 1"
                             " WHERE id = ?1 AND ?2 IS NOT NULL", member.id, NULL, NULL, NULL);
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_FAILED,
                       _("Could not deliver through the SMTP relay %s: %s"), config->url, reason);
          goto out;

        default:
          g_assert_not_reached ();
        }
      if (progress != NULL)
        progress (&result, user_data);
    }

  ok = finish_if_done (store, campaign_id, &result.pending, error);

out:
  if (curl != NULL)
    curl_easy_cleanup (curl);
  if (!ok)
    {
      g_autoptr(GError) ignored = NULL;

      finish_if_done (store, campaign_id, &result.pending, &ignored);
    }
  if (out_result != NULL)
    *out_result = result;
  return ok;
}
