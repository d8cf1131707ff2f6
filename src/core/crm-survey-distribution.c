/* crm-survey-distribution.c: one-time survey invitations for a segment or a list of contacts, consent and addresses checked */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-csv-writer.h"
#include "crm-segment.h"
#include "crm-store-private.h"
#include "crm-survey-distribution.h"
#include "crm-surveys.h"

static const char contact_sql[] =
  "SELECT name, json_extract (emails, '$[0]'),"
  " coalesce (json_extract (phones, '$[0].e164'), json_extract (phones, '$[0].raw')),"
  " consent_email, consent_sms"
  " FROM contacts WHERE id = ? AND deleted = 0";

static void
invitee_free (CrmSurveyInvitee *invitee)
{
  g_free (invitee->contact_id);
  g_free (invitee->name);
  g_free (invitee->address);
  g_free (invitee->token);
  g_free (invitee);
}

void
crm_survey_distribution_free (CrmSurveyDistribution *distribution)
{
  if (distribution == NULL)
    return;
  g_clear_pointer (&distribution->invitees, g_ptr_array_unref);
  g_free (distribution);
}

GPtrArray *
crm_survey_distribution_segment_members (CrmStore    *store,
                                         const char  *segment,
                                         GError     **error)
{
  g_autoptr(CrmSegmentInfo) info = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (segment != NULL, NULL);

  info = crm_segment_find (store, segment, error);
  if (info == NULL)
    return NULL;
  return crm_segment_dup_member_ids (store, info->rule, NULL, error);
}

/* Adds the invitation of one contact, or counts why not. */
static gboolean
invite_one (CrmStore              *store,
            sqlite3_stmt          *read,
            const char            *survey_id,
            const char            *contact_id,
            const char            *channel,
            CrmSurveyDistribution *out,
            GError               **error)
{
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  CrmSurveyInvitee *invitee;
  gboolean consent = TRUE;
  gboolean needs_address = FALSE;
  char *token;
  int rc;

  sqlite3_reset (read);
  crm_stmt_bind_text (read, 1, contact_id);
  rc = sqlite3_step (read);
  if (rc == SQLITE_DONE)
    {
      out->skipped_unknown++;
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  name = g_strdup ((const char *) sqlite3_column_text (read, 0));
  if (g_str_equal (channel, "email"))
    {
      address = g_strdup ((const char *) sqlite3_column_text (read, 1));
      consent = sqlite3_column_int (read, 3) != 0;
      needs_address = TRUE;
    }
  else if (g_str_equal (channel, "sms") || g_str_equal (channel, "phone"))
    {
      address = g_strdup ((const char *) sqlite3_column_text (read, 2));
      consent = !g_str_equal (channel, "sms") || sqlite3_column_int (read, 4) != 0;
      needs_address = TRUE;
    }
  sqlite3_reset (read);

  /* Consent first: a contact who said no is counted as such even
   * without an address. */
  if (!consent)
    {
      out->skipped_no_consent++;
      return TRUE;
    }
  if (needs_address && (address == NULL || *address == '\0'))
    {
      out->skipped_no_address++;
      return TRUE;
    }
  token = crm_surveys_invite (store, survey_id, contact_id, channel, error);
  if (token == NULL)
    return FALSE;
  invitee = g_new0 (CrmSurveyInvitee, 1);
  invitee->contact_id = g_strdup (contact_id);
  invitee->name = g_steal_pointer (&name);
  invitee->address = g_steal_pointer (&address);
  invitee->token = token;
  g_ptr_array_add (out->invitees, invitee);
  return TRUE;
}

CrmSurveyDistribution *
crm_survey_distribute (CrmStore                       *store,
                       const char                     *survey_id,
                       GPtrArray                      *contact_ids,
                       const char                     *channel,
                       GCancellable                   *cancellable,
                       CrmSurveyDistributionProgress   progress,
                       gpointer                        user_data,
                       GError                        **error)
{
  static const char * const channels[] = { "email", "sms", "letter", "phone", NULL };
  g_autoptr(CrmSurveyDistribution) out = g_new0 (CrmSurveyDistribution, 1);
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(CrmCachedStmt) read = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (contact_ids != NULL, NULL);

  if (channel == NULL || !g_strv_contains (channels, channel))
    {
      g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                   _("Survey invitations go by email, sms, letter or phone, not “%s”."),
                   channel ? channel : "");
      return NULL;
    }
  survey = crm_store_get (store, CRM_TYPE_SURVEY, survey_id, error);
  if (survey == NULL)
    return NULL;
  if (crm_record_get_deleted (CRM_RECORD (survey)) ||
      g_strcmp0 (crm_record_get_string (CRM_RECORD (survey), "status"), "closed") == 0)
    {
      g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_CLOSED,
                   _("The survey “%s” is closed and takes no more answers."),
                   crm_record_get_string (CRM_RECORD (survey), "title"));
      return NULL;
    }

  out->invitees = g_ptr_array_new_with_free_func ((GDestroyNotify) invitee_free);
  read = crm_store_prepare (store, contact_sql, error);
  if (read == NULL || !crm_store_begin (store, error))
    return NULL;
  for (guint i = 0; i < contact_ids->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !invite_one (store, read, survey_id, g_ptr_array_index (contact_ids, i), channel, out, error))
        {
          crm_store_rollback (store);
          return NULL;
        }
      if (progress != NULL && (i % 64 == 63 || i + 1 == contact_ids->len))
        progress (i + 1, contact_ids->len, user_data);
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error) || !crm_store_commit (store, error))
    {
      crm_store_rollback (store);
      return NULL;
    }
  return g_steal_pointer (&out);
}

char *
crm_survey_link (const char *base_url,
                 const char *token)
{
  gsize len = base_url != NULL ? strlen (base_url) : 0;

  while (len > 0 && base_url[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s/s/%s", (int) len, base_url != NULL ? base_url : "", token);
}

char *
crm_survey_distribution_to_csv (const CrmSurveyDistribution *distribution,
                                const char                  *base_url)
{
  static const char * const header[] = { "name", "email", "link", "contact_id" };
  GString *out = g_string_new (NULL);

  crm_csv_append_row (out, header, G_N_ELEMENTS (header), ',');
  for (guint i = 0; i < distribution->invitees->len; i++)
    {
      const CrmSurveyInvitee *invitee = g_ptr_array_index (distribution->invitees, i);
      g_autofree char *link = crm_survey_link (base_url, invitee->token);
      const char *row[] = {
        invitee->name, invitee->address && strchr (invitee->address, '@') ? invitee->address : "",
        link, invitee->contact_id,
      };

      crm_csv_append_row (out, row, G_N_ELEMENTS (row), ',');
    }
  return g_string_free (out, FALSE);
}

char *
crm_survey_contact_code (const char *contact_id)
{
  gsize len = contact_id != NULL ? strlen (contact_id) : 0;
  g_autofree char *tail = NULL;

  if (len < 12)
    return NULL;
  tail = g_ascii_strup (contact_id + len - 12, 12);
  return g_strdup_printf ("%.4s-%.4s-%.4s", tail, tail + 4, tail + 8);
}

char *
crm_survey_contact_id_for_code (CrmStore    *store,
                                const char  *code,
                                GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autoptr(GString) digits = g_string_new (NULL);
  char *id = NULL;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  for (const char *p = code; p != NULL && *p != '\0'; p++)
    {
      if (g_ascii_isxdigit (*p))
        g_string_append_c (digits, g_ascii_tolower (*p));
      else if (*p != '-' && *p != ' ')
        return NULL;
    }
  if (digits->len != 12)
    return NULL;
  /* The id ends in those digits; LIKE is case-blind and ids are lower case. */
  g_string_prepend_c (digits, '%');
  stmt = crm_store_prepare (store, "SELECT id FROM contacts WHERE id LIKE ? AND deleted = 0 LIMIT 2", error);
  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, digits->str);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  /* Two contacts with the same code: better none than the wrong one. */
  if (id != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_clear_pointer (&id, g_free);
  return id;
}
