/* crm-surveys.c: surveys in the store: questions in order, responses with their answers, invitations, detractor follow-up */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-activity.h"
#include "crm-contact.h"
#include "crm-json.h"
#include "crm-service.h"
#include "crm-store-private.h"
#include "crm-survey-invitation.h"
#include "crm-survey-response.h"
#include "crm-record-private.h"
#include "crm-surveys.h"
#include "crm-uuid.h"

static const char list_surveys_sql[] =
  "SELECT id FROM surveys WHERE deleted = 0 ORDER BY created_at DESC, id";
static const char find_by_title_sql[] =
  "SELECT id FROM surveys WHERE deleted = 0 AND title = ? ORDER BY created_at DESC LIMIT 1";
static const char list_questions_sql[] =
  "SELECT id FROM survey_questions WHERE survey_id = ? AND deleted = 0 ORDER BY position, id";
static const char last_position_sql[] =
  "SELECT coalesce (max (position), 0) FROM survey_questions WHERE survey_id = ? AND deleted = 0";

/* Answers are written in SQL rather than as records: value_number 0 is
 * an answer (NPS 0), which an INT record property cannot tell from NULL. */
static const char insert_answer_sql[] =
  "INSERT INTO survey_answers (id, created_at, updated_at, owner_id,"
  " response_id, question_id, value_number, value_text, value_choices)"
  " VALUES (?1, ?2, ?2, (SELECT value FROM meta WHERE key = 'user_id'), ?3, ?4, ?5, ?6, ?7)";

static GPtrArray *
load_records (CrmStore      *store,
              const char    *sql,
              const char    *param,
              GType          type,
              GError       **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, sql, error);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  int rc;

  if (stmt == NULL)
    return NULL;
  if (param != NULL)
    sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  for (guint i = 0; i < ids->len; i++)
    {
      CrmRecord *record = crm_store_get (store, type, g_ptr_array_index (ids, i), error);

      if (record == NULL)
        return NULL;
      g_ptr_array_add (records, record);
    }
  return g_steal_pointer (&records);
}

GPtrArray *
crm_surveys_list (CrmStore  *store,
                  GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  return load_records (store, list_surveys_sql, NULL, CRM_TYPE_SURVEY, error);
}

CrmSurvey *
crm_surveys_find (CrmStore    *store,
                  const char  *id_or_title,
                  GError     **error)
{
  g_autoptr(GPtrArray) found = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  if (crm_uuid_is_valid (id_or_title))
    {
      g_autoptr(CrmSurvey) survey = crm_store_get (store, CRM_TYPE_SURVEY, id_or_title, NULL);

      if (survey != NULL && !crm_record_get_deleted (CRM_RECORD (survey)))
        return g_steal_pointer (&survey);
    }
  found = load_records (store, find_by_title_sql, id_or_title, CRM_TYPE_SURVEY, error);
  if (found == NULL)
    return NULL;
  if (found->len == 0)
    {
      g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_NOT_FOUND,
                   _("There is no survey “%s”. List them with “crmctl survey list”."), id_or_title);
      return NULL;
    }
  return g_object_ref (g_ptr_array_index (found, 0));
}

GPtrArray *
crm_surveys_list_questions (CrmStore    *store,
                            const char  *survey_id,
                            GError     **error)
{
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  return load_records (store, list_questions_sql, survey_id, CRM_TYPE_SURVEY_QUESTION, error);
}

GPtrArray *
crm_surveys_load_form (CrmStore    *store,
                       const char  *survey_id,
                       GError     **error)
{
  g_autoptr(GPtrArray) records = crm_surveys_list_questions (store, survey_id, error);
  g_autoptr(GPtrArray) form = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_question_free);

  if (records == NULL)
    return NULL;
  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(JsonNode) node = crm_record_to_json (g_ptr_array_index (records, i));
      CrmSurveyFormQuestion *q = crm_survey_form_question_new_from_json (json_node_get_object (node), error);

      if (q == NULL)
        return NULL;
      g_ptr_array_add (form, q);
    }
  return g_steal_pointer (&form);
}

static char *
options_json (const char * const *options)
{
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) node = NULL;

  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    json_array_add_string_element (array, options[i]);
  node = json_node_init_array (json_node_alloc (), array);
  return crm_json_to_string (node);
}

CrmSurveyQuestion *
crm_surveys_add_question (CrmStore              *store,
                          const char            *survey_id,
                          CrmSurveyQuestionKind  kind,
                          const char            *text,
                          const char * const    *options,
                          gboolean               required,
                          GError               **error)
{
  g_autoptr(CrmSurveyQuestion) question = crm_survey_question_new ();
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autofree char *options_text = options_json (options);
  guint n_options = options ? g_strv_length ((char **) options) : 0;
  gint64 position;
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  if ((kind == CRM_SURVEY_QUESTION_SINGLE || kind == CRM_SURVEY_QUESTION_MULTI) &&
      (n_options < 2 || n_options > CRM_SURVEY_MAX_OPTIONS))
    {
      g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                   _("A choice question needs 2 to %d options."), CRM_SURVEY_MAX_OPTIONS);
      return NULL;
    }
  if (text == NULL || *text == '\0')
    text = crm_survey_question_default_text (kind);

  stmt = crm_store_prepare (store, last_position_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, survey_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  position = sqlite3_column_int64 (stmt, 0) + 1;
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  g_object_set (question,
                "survey-id", survey_id,
                "kind", crm_survey_question_kind_to_string (kind),
                "text", text,
                "options", options_text,
                "required", required,
                "position", position,
                NULL);
  if (!crm_store_insert (store, CRM_RECORD (question), error))
    return NULL;
  return g_steal_pointer (&question);
}

gboolean
crm_surveys_move_question (CrmStore    *store,
                           const char  *question_id,
                           int          delta,
                           GError     **error)
{
  g_autoptr(CrmSurveyQuestion) question = NULL;
  g_autoptr(GPtrArray) questions = NULL;
  guint index = 0, other;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  question = crm_store_get (store, CRM_TYPE_SURVEY_QUESTION, question_id, error);
  if (question == NULL)
    return FALSE;
  questions = crm_surveys_list_questions (store, crm_record_get_string (CRM_RECORD (question), "survey_id"), error);
  if (questions == NULL)
    return FALSE;
  for (index = 0; index < questions->len; index++)
    if (g_str_equal (crm_record_get_id (g_ptr_array_index (questions, index)), question_id))
      break;
  if (index == questions->len || delta == 0 ||
      (delta < 0 && index == 0) || (delta > 0 && index + 1 >= questions->len))
    return TRUE;   /* already first or last */
  other = delta < 0 ? index - 1 : index + 1;

  /* Positions may repeat (two replicas appended at once): renumber. */
  if (!crm_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < questions->len; i++)
    {
      CrmRecord *q = g_ptr_array_index (questions, i);
      gint64 position = (gint64) (i == index ? other : i == other ? index : i) + 1;

      if (crm_record_get_int64 (q, "position") == position)
        continue;
      g_object_set (q, "position", position, NULL);
      if (!crm_store_update (store, q, error))
        {
          crm_store_rollback (store);
          return FALSE;
        }
    }
  return crm_store_commit (store, error);
}

void
crm_survey_submission_clear (CrmSurveySubmission *submission)
{
  g_clear_pointer (&submission->response_id, g_free);
  g_clear_pointer (&submission->complaint_id, g_free);
}

static gboolean
insert_answer (CrmStore                   *store,
               const char                 *response_id,
               const CrmSurveyFormAnswer  *answer,
               GError                    **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, insert_answer_sql, error);
  g_autofree char *id = crm_uuid_v7_new ();
  g_autofree char *hlc = crm_store_next_hlc (store);
  g_autofree char *choices = crm_survey_form_answer_dup_choices_json (answer);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, hlc, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, response_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, answer->question_id, -1, SQLITE_TRANSIENT);
  if (answer->has_number)
    sqlite3_bind_int64 (stmt, 5, answer->number);
  else
    sqlite3_bind_null (stmt, 5);
  crm_stmt_bind_text (stmt, 6, answer->text);
  crm_stmt_bind_text (stmt, 7, choices);
  if (!crm_store_step_done (store, stmt, error))
    return FALSE;
  crm_store_queue_changed (store, "survey_answers", id);
  return TRUE;
}

/* The follow-up of an unhappy answer: a complaint for the contact's owner
 * (or whoever the settings name), linked to the response. */
static gboolean
open_follow_up (CrmStore                     *store,
                CrmSurvey                    *survey,
                const char                   *contact_id,
                const char                   *response_id,
                const CrmSurveyFormQuestion  *question,
                gint64                        value,
                const CrmServiceSettings     *settings,
                char                        **out_id,
                GError                      **error)
{
  g_autoptr(CrmContact) contact = crm_store_get (store, CRM_TYPE_CONTACT, contact_id, error);
  g_autoptr(CrmActivity) complaint = crm_activity_new ();
  g_autofree char *subject = NULL;
  const char *title = crm_record_get_string (CRM_RECORD (survey), "title");
  const char *assignee;
  gboolean worst;

  if (contact == NULL)
    return FALSE;
  assignee = settings->complaint_assignee != NULL
    ? settings->complaint_assignee : crm_record_get_owner_id (CRM_RECORD (contact));
  if (question->kind == CRM_SURVEY_QUESTION_NPS)
    {
      /* TRANSLATORS: %d is the score 0–10, %s the survey's title */
      subject = g_strdup_printf (_("Follow up: NPS %d in “%s”"), (int) value, title);
      worst = value <= 3;
    }
  else
    {
      /* TRANSLATORS: %d is the score 1–5, %s the survey's title */
      subject = g_strdup_printf (_("Follow up: satisfaction %d of 5 in “%s”"), (int) value, title);
      worst = value <= 1;
    }
  g_object_set (complaint,
                "kind", "complaint",
                "contact-id", contact_id,
                "subject", subject,
                "body", question->text,
                "assignee-id", assignee,
                "priority", worst ? "high" : "normal",
                "category", "survey",
                "survey-response-id", response_id,
                NULL);
  crm_record_set_owner_id (CRM_RECORD (complaint), crm_record_get_owner_id (CRM_RECORD (contact)));
  if (!crm_store_insert (store, CRM_RECORD (complaint), error))
    return FALSE;
  *out_id = g_strdup (crm_record_get_id (CRM_RECORD (complaint)));
  return TRUE;
}

static gboolean
submit_in_transaction (CrmStore             *store,
                       CrmSurvey            *survey,
                       const char           *contact_id,
                       const char           *channel,
                       const char           *submitted_at,
                       GPtrArray            *answers,
                       const char           *invitation_id,
                       CrmSurveySubmission  *out,
                       GError              **error)
{
  const char *survey_id = crm_record_get_id (CRM_RECORD (survey));
  g_autoptr(GPtrArray) form = crm_surveys_load_form (store, survey_id, error);
  g_autoptr(CrmRecord) response = NULL;
  g_auto(CrmServiceSettings) settings = { 0 };
  const CrmSurveyFormQuestion *unhappy_question = NULL;
  gint64 unhappy_value = 0;

  if (form == NULL || !crm_service_settings_load (store, &settings, error))
    return FALSE;

  /* Every answer to a question of this survey, once; every required
   * question answered. */
  for (guint i = 0; i < form->len; i++)
    {
      const CrmSurveyFormQuestion *q = g_ptr_array_index (form, i);
      guint n = 0;

      for (guint a = 0; a < answers->len; a++)
        {
          const CrmSurveyFormAnswer *answer = g_ptr_array_index (answers, a);
          int min, max;

          if (g_strcmp0 (answer->question_id, q->id) != 0)
            continue;
          n++;
          if (crm_survey_question_kind_scale (q->kind, &min, &max) &&
              (!answer->has_number || answer->number < min || answer->number > max))
            {
              g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                           _("Question %u: choose one number from %d to %d."), i + 1, min, max);
              return FALSE;
            }
          if (answer->has_number && crm_survey_answer_needs_follow_up (q->kind, answer->number) &&
              (unhappy_question == NULL || answer->number < unhappy_value))
            {
              unhappy_question = q;
              unhappy_value = answer->number;
            }
        }
      if (n > 1)
        {
          g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                       _("Question %u is answered twice."), i + 1);
          return FALSE;
        }
      if (n == 0 && q->required)
        {
          g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_MISSING_ANSWER,
                       _("Question %u needs an answer."), i + 1);
          return FALSE;
        }
    }
  for (guint a = 0; a < answers->len; a++)
    {
      const CrmSurveyFormAnswer *answer = g_ptr_array_index (answers, a);
      gboolean known = FALSE;

      for (guint i = 0; i < form->len && !known; i++)
        known = g_strcmp0 (answer->question_id, ((CrmSurveyFormQuestion *) g_ptr_array_index (form, i))->id) == 0;
      if (!known)
        {
          g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_NOT_FOUND,
                       _("An answer is for a question that is not in this survey."));
          return FALSE;
        }
    }

  response = g_object_new (CRM_TYPE_SURVEY_RESPONSE,
                           "survey-id", survey_id,
                           "contact-id", contact_id,
                           "channel", channel,
                           "submitted-at", submitted_at,
                           NULL);
  if (!crm_store_insert (store, response, error))
    return FALSE;
  out->response_id = g_strdup (crm_record_get_id (response));
  for (guint a = 0; a < answers->len; a++)
    if (!insert_answer (store, out->response_id, g_ptr_array_index (answers, a), error))
      return FALSE;

  if (unhappy_question != NULL && contact_id != NULL && settings.auto_complaint &&
      !open_follow_up (store, survey, contact_id, out->response_id, unhappy_question, unhappy_value,
                       &settings, &out->complaint_id, error))
    return FALSE;

  if (invitation_id != NULL)
    {
      g_autoptr(CrmSurveyInvitation) invitation = crm_store_get (store, CRM_TYPE_SURVEY_INVITATION,
                                                                 invitation_id, error);

      if (invitation == NULL)
        return FALSE;
      if (crm_record_get_string (CRM_RECORD (invitation), "used_at") != NULL)
        {
          g_set_error_literal (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_TOKEN_USED,
                               _("This survey link was answered already."));
          return FALSE;
        }
      g_object_set (invitation, "used-at", submitted_at, "response-id", out->response_id, NULL);
      if (!crm_store_update (store, CRM_RECORD (invitation), error))
        return FALSE;
    }
  return TRUE;
}

gboolean
crm_surveys_submit (CrmStore             *store,
                    const char           *survey_id,
                    const char           *contact_id,
                    const char           *channel,
                    const char           *submitted_at,
                    GPtrArray            *answers,
                    const char           *invitation_id,
                    CrmSurveySubmission  *out,
                    GError              **error)
{
  g_autoptr(CrmSurvey) survey = NULL;
  g_autofree char *now = NULL;
  CrmSurveySubmission result = { NULL, NULL };

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (answers != NULL, FALSE);

  survey = crm_store_get (store, CRM_TYPE_SURVEY, survey_id, error);
  if (survey == NULL)
    return FALSE;
  if (crm_record_get_deleted (CRM_RECORD (survey)) ||
      g_strcmp0 (crm_record_get_string (CRM_RECORD (survey), "status"), "closed") == 0)
    {
      g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_CLOSED,
                   _("The survey “%s” is closed and takes no more answers."),
                   crm_record_get_string (CRM_RECORD (survey), "title"));
      return FALSE;
    }
  if (submitted_at == NULL)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_now_utc ();

      now = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
      submitted_at = now;
    }

  if (!crm_store_begin (store, error))
    return FALSE;
  if (!submit_in_transaction (store, survey, contact_id, channel, submitted_at, answers,
                              invitation_id, &result, error) ||
      !crm_store_commit (store, error))
    {
      crm_store_rollback (store);
      crm_survey_submission_clear (&result);
      return FALSE;
    }
  if (out != NULL)
    *out = result;
  else
    crm_survey_submission_clear (&result);
  return TRUE;
}

char *
crm_surveys_invite (CrmStore    *store,
                    const char  *survey_id,
                    const char  *contact_id,
                    const char  *channel,
                    GError     **error)
{
  g_autofree char *token = NULL;
  g_autofree char *id = NULL;
  g_autoptr(CrmSurveyInvitation) invitation = crm_survey_invitation_new ();

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  token = crm_survey_new_token (error);
  if (token == NULL)
    return NULL;
  id = crm_survey_invitation_id_for_token (token);
  crm_record_set_string_at (CRM_RECORD (invitation), CRM_RECORD_COLUMN_ID, id);
  g_object_set (invitation,
                "survey-id", survey_id,
                "contact-id", contact_id,
                "channel", channel != NULL ? channel : "email",
                NULL);
  if (!crm_store_insert (store, CRM_RECORD (invitation), error))
    return NULL;
  return g_steal_pointer (&token);
}
