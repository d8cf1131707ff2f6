/* crm-surveys.h: surveys in the store: questions in order, responses with their answers, invitations, detractor follow-up */
#pragma once

#include "crm-store.h"
#include "crm-survey.h"
#include "crm-survey-form.h"
#include "crm-survey-question.h"

G_BEGIN_DECLS

/* Surveys not deleted, newest first. */
GPtrArray  *crm_surveys_list               (CrmStore     *store,
                                            GError      **error);
/* By id, or by title (the newest of that title). */
CrmSurvey  *crm_surveys_find               (CrmStore     *store,
                                            const char   *id_or_title,
                                            GError      **error);
/* CrmSurveyQuestion records in order. */
GPtrArray  *crm_surveys_list_questions     (CrmStore     *store,
                                            const char   *survey_id,
                                            GError      **error);
/* The same as CrmSurveyFormQuestion, for checking answers. */
GPtrArray  *crm_surveys_load_form          (CrmStore     *store,
                                            const char   *survey_id,
                                            GError      **error);
/* Appends a question; @text NULL or empty takes the standard wording of
 * NPS and CSAT. */
CrmSurveyQuestion *crm_surveys_add_question (CrmStore              *store,
                                             const char            *survey_id,
                                             CrmSurveyQuestionKind  kind,
                                             const char            *text,
                                             const char * const    *options,
                                             gboolean               required,
                                             GError               **error);
/* Swaps the question with its neighbour before (@delta < 0) or after. */
gboolean    crm_surveys_move_question      (CrmStore     *store,
                                            const char   *question_id,
                                            int           delta,
                                            GError      **error);

/* What submitting a response did. */
typedef struct
{
  char *response_id;
  char *complaint_id;      /* the follow-up opened for a detractor, or NULL */
} CrmSurveySubmission;

void crm_survey_submission_clear (CrmSurveySubmission *submission);

/* Stores a response and its answers in one transaction. Every required
 * question needs an answer and every answer a question of this survey; a
 * closed survey takes none. @submitted_at NULL is now. When an answer is
 * a detractor's (NPS ≤ 6) or CSAT ≤ 2 and the response has a contact, a
 * complaint is opened for it (crm_service_settings: on by default),
 * assigned to the contact's owner unless the settings name someone, and
 * linked to the response. @invitation_id (nullable) is marked used. */
gboolean    crm_surveys_submit             (CrmStore              *store,
                                            const char            *survey_id,
                                            const char            *contact_id,
                                            const char            *channel,
                                            const char            *submitted_at,
                                            GPtrArray             *answers,
                                            const char            *invitation_id,
                                            CrmSurveySubmission   *out,
                                            GError               **error);

/* A one-time web-form link for @contact_id: stores the invitation and
 * returns its token (shown once: only a digest of it is stored). */
char       *crm_surveys_invite             (CrmStore     *store,
                                            const char   *survey_id,
                                            const char   *contact_id,
                                            const char   *channel,
                                            GError      **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CrmSurveySubmission, crm_survey_submission_clear)

G_END_DECLS
