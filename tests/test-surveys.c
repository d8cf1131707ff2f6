/* test-surveys.c: survey questions, answers, NPS/CSAT maths, detractor follow-up, invitations */

#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "crm-activity.h"
#include "crm-segment.h"
#include "crm-service.h"
#include "crm-survey-distribution.h"
#include "crm-survey-invitation.h"
#include "crm-survey-results.h"
#include "crm-surveys.h"
#include "store-fixture.h"

typedef struct
{
  char *survey_id;
  char *nps_id;
  char *csat_id;
  char *single_id;
  char *multi_id;
  char *text_id;
} Survey;

static void
survey_clear (Survey *s)
{
  g_free (s->survey_id);
  g_free (s->nps_id);
  g_free (s->csat_id);
  g_free (s->single_id);
  g_free (s->multi_id);
  g_free (s->text_id);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Survey, survey_clear)

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
  g_assert_nonnull (q);
  return g_strdup (crm_record_get_id (CRM_RECORD (q)));
}

static void
make_survey (CrmStore *store,
             Survey   *s)
{
  static const char * const channels[] = { "Phone", "Store", "Web", NULL };
  static const char * const topics[] = { "Price", "Delivery", "Staff", NULL };
  g_autoptr(CrmSurvey) survey = crm_survey_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (survey, "title", "After-sales 2024", "status", "open", NULL);
  g_assert_true (crm_store_insert (store, CRM_RECORD (survey), &error));
  g_assert_no_error (error);
  s->survey_id = g_strdup (crm_record_get_id (CRM_RECORD (survey)));
  s->nps_id = add_question (store, s->survey_id, CRM_SURVEY_QUESTION_NPS, NULL, NULL, TRUE);
  s->csat_id = add_question (store, s->survey_id, CRM_SURVEY_QUESTION_CSAT, NULL, NULL, FALSE);
  s->single_id = add_question (store, s->survey_id, CRM_SURVEY_QUESTION_SINGLE, "Where did you buy?", channels, FALSE);
  s->multi_id = add_question (store, s->survey_id, CRM_SURVEY_QUESTION_MULTI, "What could be better?", topics, FALSE);
  s->text_id = add_question (store, s->survey_id, CRM_SURVEY_QUESTION_TEXT, "Anything else?", NULL, FALSE);
}

/* Submits an NPS answer (and a CSAT one unless @csat is 0). */
static char *
submit (CrmStore   *store,
        Survey     *s,
        const char *contact_id,
        int         nps,
        int         csat,
        const char *text,
        const char *submitted_at,
        char      **out_complaint)
{
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_answer_free);
  g_autoptr(GError) error = NULL;
  CrmSurveySubmission out = { NULL, NULL };

  g_ptr_array_add (answers, crm_survey_form_answer_new_number (s->nps_id, nps));
  if (csat > 0)
    g_ptr_array_add (answers, crm_survey_form_answer_new_number (s->csat_id, csat));
  if (text != NULL)
    g_ptr_array_add (answers, crm_survey_form_answer_new_text (s->text_id, text));
  g_assert_true (crm_surveys_submit (store, s->survey_id, contact_id, "phone", submitted_at,
                                     answers, NULL, &out, &error));
  g_assert_no_error (error);
  if (out_complaint != NULL)
    *out_complaint = g_steal_pointer (&out.complaint_id);
  g_free (out.complaint_id);
  return out.response_id;
}

static void
test_nps_score_formula (void)
{
  /* DESIGN §6: % of 9–10 minus % of 0–6. */
  g_assert_cmpfloat_with_epsilon (crm_survey_nps_score (5, 2, 10), 30.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (crm_survey_nps_score (0, 3, 3), -100.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (crm_survey_nps_score (0, 0, 7), 0.0, 1e-9);
  g_assert_true (isnan (crm_survey_nps_score (0, 0, 0)));
  g_assert_cmpfloat_with_epsilon (crm_survey_csat_score (3, 4), 75.0, 1e-9);
  g_assert_true (isnan (crm_survey_csat_score (0, 0)));
}

static void
test_results_no_responses (StoreFixture  *f,
                           gconstpointer  data)
{
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSurveyResults) r = NULL;
  CrmSurveyQuestionResult *nps, *csat;

  make_survey (f->store, &s);
  r = crm_survey_results_compute (f->store, s.survey_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->responses, ==, 0);
  g_assert_cmpuint (r->questions->len, ==, 5);
  nps = g_ptr_array_index (r->questions, 0);
  csat = g_ptr_array_index (r->questions, 1);
  g_assert_cmpint (nps->kind, ==, CRM_SURVEY_QUESTION_NPS);
  g_assert_cmpint (nps->answers, ==, 0);
  g_assert_true (isnan (nps->nps));
  g_assert_true (isnan (nps->average));
  g_assert_true (isnan (csat->csat_percent));
  g_assert_cmpuint (r->months->len, ==, 0);
}

static void
test_results_all_passives (StoreFixture  *f,
                           gconstpointer  data)
{
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSurveyResults) r = NULL;
  g_autofree char *contact = store_add_contact (f->store, "Wang Fang");
  CrmSurveyQuestionResult *nps;

  make_survey (f->store, &s);
  for (int i = 0; i < 4; i++)
    g_free (submit (f->store, &s, contact, i % 2 ? 7 : 8, 3, NULL, NULL, NULL));
  r = crm_survey_results_compute (f->store, s.survey_id, NULL, &error);
  g_assert_no_error (error);
  nps = g_ptr_array_index (r->questions, 0);
  g_assert_cmpint (nps->answers, ==, 4);
  g_assert_cmpint (nps->passives, ==, 4);
  g_assert_cmpint (nps->promoters, ==, 0);
  g_assert_cmpint (nps->detractors, ==, 0);
  /* All passives: 0, not "no data". */
  g_assert_false (isnan (nps->nps));
  g_assert_cmpfloat_with_epsilon (nps->nps, 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (nps->average, 7.5, 1e-9);
  /* CSAT 3 is neither satisfied nor a follow-up. */
  g_assert_cmpfloat_with_epsilon (((CrmSurveyQuestionResult *) g_ptr_array_index (r->questions, 1))->csat_percent,
                                  0.0, 1e-9);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM activities WHERE kind = 'complaint'"), ==, 0);
}

static void
test_results_mixed (StoreFixture  *f,
                    gconstpointer  data)
{
  static const int scores[] = { 10, 9, 9, 8, 7, 6, 0, 10, 3, 9 };
  static const int csats[] = { 5, 4, 4, 3, 5, 2, 1, 5, 3, 4 };
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSurveyResults) r = NULL;
  g_autofree char *contact = store_add_contact (f->store, "Li Lei");
  CrmSurveyQuestionResult *nps, *csat;
  CrmSurveyResultsQuery march = { "2024-03-01", "2024-03-31", NULL, NULL };

  make_survey (f->store, &s);
  for (guint i = 0; i < G_N_ELEMENTS (scores); i++)
    {
      g_autofree char *at = g_strdup_printf ("2024-%02u-10T10:00:00Z", 2 + i % 2);

      g_free (submit (f->store, &s, contact, scores[i], csats[i], NULL, at, NULL));
    }
  r = crm_survey_results_compute (f->store, s.survey_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->responses, ==, 10);
  nps = g_ptr_array_index (r->questions, 0);
  csat = g_ptr_array_index (r->questions, 1);
  /* Promoters 10, 9, 9, 10, 9 = 5; detractors 6, 0, 3 = 3: 50 − 30 = 20. */
  g_assert_cmpint (nps->promoters, ==, 5);
  g_assert_cmpint (nps->passives, ==, 2);
  g_assert_cmpint (nps->detractors, ==, 3);
  g_assert_cmpfloat_with_epsilon (nps->nps, 20.0, 1e-9);
  g_assert_cmpint (nps->counts[9], ==, 3);
  g_assert_cmpfloat_with_epsilon (nps->average, 71.0 / 10, 1e-9);
  /* CSAT: 4–5 are 5, 4, 4, 5, 5, 4 = 6 of 10. */
  g_assert_cmpfloat_with_epsilon (csat->csat_percent, 60.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (csat->average, 36.0 / 10, 1e-9);

  /* Over time: February has the even indexes, March the odd ones. */
  g_assert_cmpuint (r->months->len, ==, 2);
  {
    CrmSurveyResultGroup *feb = g_ptr_array_index (r->months, 0);
    CrmSurveyResultGroup *mar = g_ptr_array_index (r->months, 1);

    g_assert_cmpstr (feb->key, ==, "2024-02");
    /* 10, 9, 7, 0, 3: 1 promoter... 2 promoters (10, 9), 2 detractors (0, 3) */
    g_assert_cmpint (feb->nps_answers, ==, 5);
    g_assert_cmpfloat_with_epsilon (feb->nps, 0.0, 1e-9);
    g_assert_cmpstr (mar->key, ==, "2024-03");
    /* 9, 8, 6, 10, 9: 3 promoters, 1 detractor */
    g_assert_cmpfloat_with_epsilon (mar->nps, 40.0, 1e-9);
  }

  /* A period keeps only its responses. */
  crm_survey_results_free (g_steal_pointer (&r));
  r = crm_survey_results_compute (f->store, s.survey_id, &march, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r->responses, ==, 5);
  g_assert_cmpfloat_with_epsilon (((CrmSurveyQuestionResult *) g_ptr_array_index (r->questions, 0))->nps,
                                  40.0, 1e-9);
}

static void
test_results_choices_and_text (StoreFixture  *f,
                               gconstpointer  data)
{
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) form = NULL;
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_answer_free);
  g_autoptr(CrmSurveyResults) r = NULL;
  CrmSurveyResultsQuery search = { NULL, NULL, NULL, "快递" };
  const char *multi_values[] = { "2", "0", NULL };
  const char *single_values[] = { "1", NULL };
  const char *nps_values[] = { "9", NULL };
  CrmSurveyFormAnswer *answer = NULL;
  CrmSurveyQuestionResult *q;

  make_survey (f->store, &s);
  form = crm_surveys_load_form (f->store, s.survey_id, &error);
  g_assert_no_error (error);
  g_assert_true (crm_survey_form_parse_answer (g_ptr_array_index (form, 0), 1, nps_values, &answer, &error));
  g_ptr_array_add (answers, answer);
  g_assert_true (crm_survey_form_parse_answer (g_ptr_array_index (form, 2), 3, single_values, &answer, &error));
  g_assert_cmpstr (answer->text, ==, "Store");
  g_ptr_array_add (answers, answer);
  g_assert_true (crm_survey_form_parse_answer (g_ptr_array_index (form, 3), 4, multi_values, &answer, &error));
  g_assert_cmpstr (answer->choices[0], ==, "Price");
  g_assert_cmpstr (answer->choices[1], ==, "Staff");
  g_ptr_array_add (answers, answer);
  g_assert_true (crm_surveys_submit (f->store, s.survey_id, NULL, "paper", NULL, answers, NULL, NULL, &error));
  g_assert_no_error (error);
  g_free (submit (f->store, &s, NULL, 10, 0, "快递很快 <script>alert(1)</script>", NULL, NULL));
  g_free (submit (f->store, &s, NULL, 10, 0, "Friendly staff", NULL, NULL));

  r = crm_survey_results_compute (f->store, s.survey_id, &search, &error);
  g_assert_no_error (error);
  q = g_ptr_array_index (r->questions, 2);
  g_assert_cmpint (q->answers, ==, 1);
  g_assert_cmpint (q->option_counts[0], ==, 0);
  g_assert_cmpint (q->option_counts[1], ==, 1);
  q = g_ptr_array_index (r->questions, 3);
  g_assert_cmpint (q->option_counts[0], ==, 1);
  g_assert_cmpint (q->option_counts[1], ==, 0);
  g_assert_cmpint (q->option_counts[2], ==, 1);
  q = g_ptr_array_index (r->questions, 4);
  g_assert_cmpint (q->answers, ==, 2);
  g_assert_cmpuint (q->texts->len, ==, 1);
  /* Stored as typed; escaping is the job of whoever shows it. */
  g_assert_cmpstr (((CrmSurveyTextAnswer *) g_ptr_array_index (q->texts, 0))->text, ==,
                   "快递很快 <script>alert(1)</script>");
}

static void
test_form_validation (StoreFixture  *f,
                      gconstpointer  data)
{
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) form = NULL;
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_answer_free);
  g_autofree char *long_text = NULL;
  CrmSurveyFormAnswer *answer = NULL;
  const char *eleven[] = { "11", NULL };
  const char *minus[] = { "-1", NULL };
  const char *junk[] = { "9x", NULL };
  const char *two[] = { "3", "4", NULL };
  const char *empty[] = { " ", NULL };
  const char *bad_option[] = { "3", NULL };
  const char *text[2] = { NULL, NULL };

  make_survey (f->store, &s);
  form = crm_surveys_load_form (f->store, s.survey_id, &error);
  g_assert_no_error (error);

  g_assert_false (crm_survey_form_parse_answer (g_ptr_array_index (form, 0), 1, eleven, &answer, &error));
  g_assert_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER);
  g_clear_error (&error);
  g_assert_false (crm_survey_form_parse_answer (g_ptr_array_index (form, 0), 1, minus, &answer, &error));
  g_clear_error (&error);
  g_assert_false (crm_survey_form_parse_answer (g_ptr_array_index (form, 0), 1, junk, &answer, &error));
  g_clear_error (&error);
  g_assert_false (crm_survey_form_parse_answer (g_ptr_array_index (form, 0), 1, two, &answer, &error));
  g_clear_error (&error);
  /* Required and empty. */
  g_assert_false (crm_survey_form_parse_answer (g_ptr_array_index (form, 0), 1, empty, &answer, &error));
  g_assert_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_MISSING_ANSWER);
  g_clear_error (&error);
  /* Optional and empty: no answer, no error. */
  g_assert_true (crm_survey_form_parse_answer (g_ptr_array_index (form, 1), 2, empty, &answer, &error));
  g_assert_null (answer);
  g_assert_false (crm_survey_form_parse_answer (g_ptr_array_index (form, 2), 3, bad_option, &answer, &error));
  g_clear_error (&error);
  g_assert_false (crm_survey_form_parse_answer (g_ptr_array_index (form, 2), 3, two, &answer, &error));
  g_clear_error (&error);
  long_text = g_strnfill (CRM_SURVEY_MAX_TEXT + 1, 'a');
  text[0] = long_text;
  g_assert_false (crm_survey_form_parse_answer (g_ptr_array_index (form, 4), 5, text, &answer, &error));
  g_clear_error (&error);
  text[0] = "\xff\xfe";
  g_assert_false (crm_survey_form_parse_answer (g_ptr_array_index (form, 4), 5, text, &answer, &error));
  g_clear_error (&error);

  /* A response without the required NPS is refused and nothing is stored. */
  g_ptr_array_add (answers, crm_survey_form_answer_new_number (s.csat_id, 4));
  g_assert_false (crm_surveys_submit (f->store, s.survey_id, NULL, "web", NULL, answers, NULL, NULL, &error));
  g_assert_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_MISSING_ANSWER);
  g_clear_error (&error);
  /* Out of range numbers never reach the table. */
  g_ptr_array_add (answers, crm_survey_form_answer_new_number (s.nps_id, 12));
  g_assert_false (crm_surveys_submit (f->store, s.survey_id, NULL, "web", NULL, answers, NULL, NULL, &error));
  g_assert_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER);
  g_clear_error (&error);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM survey_responses"), ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM survey_answers"), ==, 0);
}

static void
test_question_order (StoreFixture  *f,
                     gconstpointer  data)
{
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) questions = NULL;

  make_survey (f->store, &s);
  g_assert_true (crm_surveys_move_question (f->store, s.text_id, -1, &error));
  g_assert_no_error (error);
  g_assert_true (crm_surveys_move_question (f->store, s.nps_id, +1, &error));
  /* First cannot go up. */
  g_assert_true (crm_surveys_move_question (f->store, s.csat_id, -1, &error));
  questions = crm_surveys_list_questions (f->store, s.survey_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (questions, 0)), ==, s.csat_id);
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (questions, 1)), ==, s.nps_id);
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (questions, 2)), ==, s.single_id);
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (questions, 3)), ==, s.text_id);
  g_assert_cmpstr (crm_record_get_id (g_ptr_array_index (questions, 4)), ==, s.multi_id);
  /* The standard NPS wording. */
  g_assert_cmpstr (crm_record_get_string (g_ptr_array_index (questions, 1), "text"), ==,
                   "How likely is it that you would recommend us to a friend or colleague?");
}

static void
test_detractor_opens_complaint (StoreFixture  *f,
                                gconstpointer  data)
{
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(CrmActivity) complaint = NULL;
  g_autofree char *response_id = NULL;
  g_autofree char *complaint_id = NULL;
  g_autofree char *none = NULL;
  g_auto(CrmServiceSettings) settings = { 0 };

  crm_contact_set_name (contact, "张伟");
  crm_record_set_owner_id (CRM_RECORD (contact), "0190c5e2-0000-7000-8000-00000000aaaa");
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (contact), &error));
  make_survey (f->store, &s);

  /* 7 is a passive, CSAT 3 neutral: nothing to follow up. */
  g_free (submit (f->store, &s, crm_record_get_id (CRM_RECORD (contact)), 7, 3, NULL, NULL, &none));
  g_assert_null (none);
  /* NPS 6 is a detractor. */
  response_id = submit (f->store, &s, crm_record_get_id (CRM_RECORD (contact)), 6, 4, NULL, NULL, &complaint_id);
  g_assert_nonnull (complaint_id);
  complaint = crm_store_get (f->store, CRM_TYPE_ACTIVITY, complaint_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "kind"), ==, "complaint");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "status"), ==, "open");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "assignee_id"), ==,
                   "0190c5e2-0000-7000-8000-00000000aaaa");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "survey_response_id"), ==, response_id);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "contact_id"), ==,
                   crm_record_get_id (CRM_RECORD (contact)));
  g_clear_pointer (&complaint_id, g_free);
  g_clear_pointer (&response_id, g_free);

  /* CSAT 2 with a promoter's NPS still needs a follow-up. */
  g_free (submit (f->store, &s, crm_record_get_id (CRM_RECORD (contact)), 10, 2, NULL, NULL, &complaint_id));
  g_assert_nonnull (complaint_id);
  g_clear_pointer (&complaint_id, g_free);
  /* No contact: nobody to call back. */
  g_free (submit (f->store, &s, NULL, 0, 1, NULL, NULL, &complaint_id));
  g_assert_null (complaint_id);

  /* Settings: a fixed assignee, then off. */
  g_assert_true (crm_service_settings_load (f->store, &settings, &error));
  settings.complaint_assignee = g_strdup ("0190c5e2-0000-7000-8000-00000000bbbb");
  g_assert_true (crm_service_settings_save (f->store, &settings, &error));
  g_free (submit (f->store, &s, crm_record_get_id (CRM_RECORD (contact)), 2, 0, NULL, NULL, &complaint_id));
  complaint = crm_store_get (f->store, CRM_TYPE_ACTIVITY, complaint_id, &error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "assignee_id"), ==,
                   "0190c5e2-0000-7000-8000-00000000bbbb");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (complaint), "priority"), ==, "high");
  g_clear_pointer (&complaint_id, g_free);
  settings.auto_complaint = FALSE;
  g_assert_true (crm_service_settings_save (f->store, &settings, &error));
  g_free (submit (f->store, &s, crm_record_get_id (CRM_RECORD (contact)), 1, 0, NULL, NULL, &complaint_id));
  g_assert_null (complaint_id);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM activities WHERE kind = 'complaint'"), ==, 3);
  /* Everything went to the outbox for sync. */
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM outbox WHERE table_name = 'survey_answers'"),
                   ==, 10);
}

static void
test_invitation_token (StoreFixture  *f,
                       gconstpointer  data)
{
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *contact = store_add_contact (f->store, "Zhao Min");
  g_autofree char *token = NULL;
  g_autofree char *other = NULL;
  g_autofree char *id = NULL;
  g_autoptr(CrmSurveyInvitation) invitation = NULL;
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_answer_free);
  g_autofree char *stored = NULL;

  make_survey (f->store, &s);
  token = crm_surveys_invite (f->store, s.survey_id, contact, "email", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token), ==, 64);
  other = crm_surveys_invite (f->store, s.survey_id, contact, "email", &error);
  g_assert_cmpstr (token, !=, other);
  id = crm_survey_invitation_id_for_token (token);
  g_assert_cmpuint (strlen (id), ==, 36);
  invitation = crm_store_get (f->store, CRM_TYPE_SURVEY_INVITATION, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (invitation), "contact_id"), ==, contact);
  /* The token itself is nowhere in the database. */
  stored = g_strdup_printf ("SELECT count(*) FROM outbox WHERE patch LIKE '%%%s%%'", token);
  g_assert_cmpint (store_query_int (f->store, stored), ==, 0);

  g_ptr_array_add (answers, crm_survey_form_answer_new_number (s.nps_id, 9));
  g_assert_true (crm_surveys_submit (f->store, s.survey_id, contact, "web", NULL, answers, id, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (crm_surveys_submit (f->store, s.survey_id, contact, "web", NULL, answers, id, NULL, &error));
  g_assert_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_TOKEN_USED);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM survey_responses"), ==, 1);
}

static void
test_closed_survey (StoreFixture  *f,
                    gconstpointer  data)
{
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_answer_free);

  make_survey (f->store, &s);
  survey = crm_surveys_find (f->store, "After-sales 2024", &error);
  g_assert_no_error (error);
  g_object_set (survey, "status", "closed", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (survey), &error));
  g_ptr_array_add (answers, crm_survey_form_answer_new_number (s.nps_id, 9));
  g_assert_false (crm_surveys_submit (f->store, s.survey_id, NULL, "web", NULL, answers, NULL, NULL, &error));
  g_assert_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_null (crm_surveys_find (f->store, "No such survey", &error));
  g_assert_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_NOT_FOUND);
}

static char *
add_contact_with (CrmStore   *store,
                  const char *name,
                  ...)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  const char *field;
  va_list args;

  crm_contact_set_name (contact, name);
  va_start (args, name);
  while ((field = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      g_assert_true (crm_contact_set_field_from_string (contact, field, value, &error));
      g_assert_no_error (error);
    }
  va_end (args);
  g_assert_true (crm_store_insert (store, CRM_RECORD (contact), &error));
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static void
count_progress (guint    done,
                guint    total,
                gpointer user_data)
{
  guint *last = user_data;

  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >, *last);
  *last = done;
}

/* A saved segment: email links only to those who agreed and have an
 * address; the others are counted by reason. */
static void
test_distribute_segment (StoreFixture  *f,
                         gconstpointer  data)
{
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSegment) beijing = crm_segment_new ();
  g_autofree char *a = add_contact_with (f->store, "有同意", "email", "a@example.com", "consent_email", "true", "city", "北京", NULL);
  g_autofree char *b = add_contact_with (f->store, "无同意", "email", "b@example.com", "city", "北京", NULL);
  g_autofree char *c = add_contact_with (f->store, "无邮箱", "consent_email", "true", "city", "北京", NULL);
  g_autofree char *d = add_contact_with (f->store, "上海客户", "email", "d@example.com", "consent_email", "true", "city", "上海", NULL);
  g_autofree char *e = add_contact_with (f->store, "Ann \"=1+1\", Ltd", "email", "e@example.com", "consent_email", "true", "city", "北京", NULL);
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(CrmSurveyDistribution) sent = NULL;
  g_autoptr(CrmSurveyDistribution) letters = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *id = NULL;
  g_autoptr(CrmSurveyInvitation) invitation = NULL;
  guint last = 0;

  make_survey (f->store, &s);
  g_object_set (beijing, "name", "北京", "rule", "{\"all\": [{\"field\": \"city\", \"op\": \"eq\", \"value\": \"北京\"}]}", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (beijing), &error));
  g_assert_no_error (error);

  members = crm_survey_distribution_segment_members (f->store, "北京", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, 4);
  sent = crm_survey_distribute (f->store, s.survey_id, members, "email", NULL, count_progress, &last, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last, ==, 4);
  g_assert_cmpuint (sent->invitees->len, ==, 2);
  g_assert_cmpint (sent->skipped_no_consent, ==, 1);
  g_assert_cmpint (sent->skipped_no_address, ==, 1);
  g_assert_cmpint (sent->skipped_unknown, ==, 0);
  for (guint i = 0; i < sent->invitees->len; i++)
    {
      CrmSurveyInvitee *invitee = g_ptr_array_index (sent->invitees, i);

      g_assert_true (g_str_equal (invitee->contact_id, a) || g_str_equal (invitee->contact_id, e));
      g_assert_nonnull (strchr (invitee->address, '@'));
    }
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM survey_invitations WHERE channel = 'email'"), ==, 2);

  /* Each link is the invitation of its contact. */
  id = crm_survey_invitation_id_for_token (((CrmSurveyInvitee *) g_ptr_array_index (sent->invitees, 0))->token);
  invitation = crm_store_get (f->store, CRM_TYPE_SURVEY_INVITATION, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (invitation), "contact_id"), ==,
                   ((CrmSurveyInvitee *) g_ptr_array_index (sent->invitees, 0))->contact_id);

  /* The CSV for a mail tool quotes what needs quoting. */
  csv = crm_survey_distribution_to_csv (sent, "https://crm.example.com/");
  g_assert_true (g_str_has_prefix (csv, "name,email,link,contact_id\r\n"));
  g_assert_nonnull (strstr (csv, "\"Ann \"\"=1+1\"\", Ltd\",e@example.com,https://crm.example.com/s/"));
  g_assert_null (strstr (csv, "b@example.com"));

  /* Printed forms need neither consent nor an address; an unknown id is
   * counted, not fatal. */
  g_ptr_array_add (members, g_strdup ("01890000-0000-7000-8000-000000000000"));
  letters = crm_survey_distribute (f->store, s.survey_id, members, "letter", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (letters->invitees->len, ==, 4);
  g_assert_cmpint (letters->skipped_unknown, ==, 1);
  g_assert_cmpint (letters->skipped_no_consent + letters->skipped_no_address, ==, 0);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM survey_invitations WHERE channel = 'letter'"), ==, 4);
  (void) b; (void) c; (void) d;
}

/* Cancelling, a closed survey, an unknown segment or channel: nothing is
 * stored. */
static void
test_distribute_faults (StoreFixture  *f,
                        gconstpointer  data)
{
  g_auto(Survey) s = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CrmSurvey) survey = NULL;

  make_survey (f->store, &s);
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("客户 %d", i);

      g_ptr_array_add (ids, add_contact_with (f->store, name, "email", "x@example.com", "consent_email", "true", NULL));
    }
  g_cancellable_cancel (cancellable);
  g_assert_null (crm_survey_distribute (f->store, s.survey_id, ids, "email", cancellable, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (crm_survey_distribute (f->store, s.survey_id, ids, "pigeon", NULL, NULL, NULL, &error));
  g_assert_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER);
  g_clear_error (&error);
  g_assert_null (crm_survey_distribution_segment_members (f->store, "no such segment", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  survey = crm_store_get (f->store, CRM_TYPE_SURVEY, s.survey_id, &error);
  g_object_set (survey, "status", "closed", NULL);
  g_assert_true (crm_store_update (f->store, CRM_RECORD (survey), &error));
  g_assert_null (crm_survey_distribute (f->store, s.survey_id, ids, "email", NULL, NULL, NULL, &error));
  g_assert_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_CLOSED);
  g_assert_cmpint (store_query_int (f->store, "SELECT count(*) FROM survey_invitations"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/surveys/nps-score-formula", test_nps_score_formula);
  STORE_TEST ("/surveys/results-no-responses", test_results_no_responses);
  STORE_TEST ("/surveys/results-all-passives", test_results_all_passives);
  STORE_TEST ("/surveys/results-mixed", test_results_mixed);
  STORE_TEST ("/surveys/results-choices-and-text", test_results_choices_and_text);
  STORE_TEST ("/surveys/form-validation", test_form_validation);
  STORE_TEST ("/surveys/question-order", test_question_order);
  STORE_TEST ("/surveys/detractor-opens-complaint", test_detractor_opens_complaint);
  STORE_TEST ("/surveys/invitation-token", test_invitation_token);
  STORE_TEST ("/surveys/closed-survey", test_closed_survey);
  STORE_TEST ("/surveys/distribute-segment", test_distribute_segment);
  STORE_TEST ("/surveys/distribute-faults", test_distribute_faults);

  return g_test_run ();
}
