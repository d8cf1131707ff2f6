/* crm-survey-form.h: survey questions as plain data, and the checks of an answer, shared by the desktop and crm-server */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CRM_SURVEY_ERROR (crm_survey_error_quark ())

typedef enum
{
  CRM_SURVEY_ERROR_INVALID_ANSWER,   /* out of range, not an option, too long */
  CRM_SURVEY_ERROR_MISSING_ANSWER,   /* a required question left empty */
  CRM_SURVEY_ERROR_NOT_FOUND,        /* no such survey, question or token */
  CRM_SURVEY_ERROR_TOKEN_USED,       /* the link was answered already */
  CRM_SURVEY_ERROR_CLOSED,           /* the survey takes no more answers */
} CrmSurveyError;

GQuark crm_survey_error_quark (void);

typedef enum
{
  CRM_SURVEY_QUESTION_NPS,       /* 0–10, "How likely are you to recommend …" */
  CRM_SURVEY_QUESTION_CSAT,      /* 1–5 satisfaction */
  CRM_SURVEY_QUESTION_RATING,    /* 1–5 stars */
  CRM_SURVEY_QUESTION_SINGLE,    /* one of the options */
  CRM_SURVEY_QUESTION_MULTI,     /* any of the options */
  CRM_SURVEY_QUESTION_TEXT,      /* free text */
} CrmSurveyQuestionKind;

/* Longest free-text answer, in characters. */
#define CRM_SURVEY_MAX_TEXT 4000
/* Most options a choice question may have. */
#define CRM_SURVEY_MAX_OPTIONS 20

typedef struct
{
  char                  *id;
  CrmSurveyQuestionKind  kind;
  char                  *text;
  char                 **options;     /* choices; NULL-terminated, never NULL */
  gboolean               required;
  gint64                 position;
} CrmSurveyFormQuestion;

/* What one response says to one question. */
typedef struct
{
  char     *question_id;
  gboolean  has_number;
  gint64    number;      /* nps, csat, rating */
  char     *text;        /* text; single: the chosen option */
  char    **choices;     /* single and multi: the chosen options, or NULL */
} CrmSurveyFormAnswer;

gboolean     crm_survey_question_kind_from_string (const char             *text,
                                                   CrmSurveyQuestionKind  *out);
const char  *crm_survey_question_kind_to_string   (CrmSurveyQuestionKind   kind);
/* The scale of nps, csat and rating questions; FALSE for the others. */
gboolean     crm_survey_question_kind_scale       (CrmSurveyQuestionKind   kind,
                                                   int                    *out_min,
                                                   int                    *out_max);
/* The standard wording of an NPS or CSAT question, translated. */
const char  *crm_survey_question_default_text     (CrmSurveyQuestionKind   kind);

/* From a survey_questions row as JSON (a record's or the server's copy):
 * id, kind, text, options (array, or its JSON text), required, position. */
CrmSurveyFormQuestion *crm_survey_form_question_new_from_json (JsonObject  *row,
                                                               GError     **error);
void                   crm_survey_form_question_free          (CrmSurveyFormQuestion *question);
/* Sorts by position, then id. */
void                   crm_survey_form_sort                   (GPtrArray   *questions);

/* Checks what a form sent for @question: @values are the form's fields as
 * text (a number for nps/csat/rating; option indexes from 0 for single and
 * multi; the text for text). No value, or only empty ones, is "not
 * answered": an error for a required question, otherwise TRUE with
 * *@out_answer NULL. @number is the question's number shown to the user,
 * for the message. */
gboolean crm_survey_form_parse_answer  (const CrmSurveyFormQuestion  *question,
                                        guint                         number,
                                        const char * const           *values,
                                        CrmSurveyFormAnswer         **out_answer,
                                        GError                      **error);
CrmSurveyFormAnswer *crm_survey_form_answer_new_number (const char *question_id,
                                                        gint64      number);
CrmSurveyFormAnswer *crm_survey_form_answer_new_text   (const char *question_id,
                                                        const char *text);
void     crm_survey_form_answer_free   (CrmSurveyFormAnswer *answer);
/* value_choices as JSON text, or NULL. */
char    *crm_survey_form_answer_dup_choices_json (const CrmSurveyFormAnswer *answer);

/* A detractor (NPS 0–6) or a dissatisfied customer (CSAT 1–2): someone
 * must follow up. */
gboolean crm_survey_answer_needs_follow_up (CrmSurveyQuestionKind  kind,
                                            gint64                 number);

/* The invitation id of a web-form token: a UUID-shaped digest (SHA-256),
 * so the token itself is never stored, on the desktop or on the server. */
char    *crm_survey_invitation_id_for_token (const char *token);
/* 32 random bytes as 64 hex characters, or NULL (and @error) when the
 * system has no randomness to give. */
char    *crm_survey_new_token               (GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSurveyFormQuestion, crm_survey_form_question_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSurveyFormAnswer, crm_survey_form_answer_free)

G_END_DECLS
