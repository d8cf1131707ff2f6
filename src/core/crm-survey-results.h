/* crm-survey-results.h: the results of one survey: NPS and CSAT (DESIGN.md §6), distributions, choices, free text, per segment and month */
#pragma once

#include "crm-store.h"
#include "crm-survey-form.h"

G_BEGIN_DECLS

/* % promoters (9–10) − % detractors (0–6) of @total answers, −100 … 100;
 * NaN when @total is 0. */
double crm_survey_nps_score   (gint64 promoters,
                               gint64 detractors,
                               gint64 total);
/* % of answers 4–5 on the 1–5 scale, 0 … 100; NaN when @total is 0. */
double crm_survey_csat_score  (gint64 satisfied,
                               gint64 total);

typedef struct
{
  char *response_id;
  char *contact_id;      /* nullable */
  char *contact_name;    /* nullable */
  char *submitted_at;
  char *text;
} CrmSurveyTextAnswer;

typedef struct
{
  char                  *question_id;
  char                  *text;
  CrmSurveyQuestionKind  kind;
  gint64                 answers;
  gint64                 counts[11];     /* by value: NPS 0–10, CSAT and rating 1–5 */
  double                 average;        /* scales: NaN without answers */
  gint64                 promoters;      /* NPS: 9–10 */
  gint64                 passives;       /* NPS: 7–8 */
  gint64                 detractors;     /* NPS: 0–6 */
  double                 nps;            /* NPS questions, NaN otherwise or without answers */
  double                 csat_percent;   /* CSAT questions, NaN otherwise or without answers */
  char                 **options;        /* single and multi */
  gint64                *option_counts;  /* one per option */
  GPtrArray             *texts;          /* text: CrmSurveyTextAnswer, newest first */
} CrmSurveyQuestionResult;

/* NPS and CSAT of a group of responses (a segment, a month). */
typedef struct
{
  char   *key;             /* RFM segment ("" none) or "YYYY-MM" (local) */
  gint64  responses;
  gint64  nps_answers;
  gint64  nps_counts[11];
  double  nps;
  gint64  csat_answers;
  gint64  csat_satisfied;
  double  csat_percent;
} CrmSurveyResultGroup;

typedef struct
{
  char      *survey_id;
  char      *title;
  gint64     responses;
  GPtrArray *questions;    /* CrmSurveyQuestionResult, in order */
  GPtrArray *segments;     /* CrmSurveyResultGroup by RFM segment, by name */
  GPtrArray *months;       /* CrmSurveyResultGroup by month, oldest first */
} CrmSurveyResults;

typedef struct
{
  const char *from;          /* "YYYY-MM-DD" local, inclusive; NULL: from the start */
  const char *to;            /* "YYYY-MM-DD" local, inclusive; NULL: up to now */
  const char *segment;       /* RFM segment of the contact; NULL: all */
  const char *text_search;   /* only free-text answers containing it (any case) */
} CrmSurveyResultsQuery;

CrmSurveyResults *crm_survey_results_compute (CrmStore                     *store,
                                              const char                   *survey_id,
                                              const CrmSurveyResultsQuery  *query,
                                              GError                      **error);
void              crm_survey_results_free    (CrmSurveyResults             *results);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSurveyResults, crm_survey_results_free)

G_END_DECLS
