/* crm-survey-results.c: the results of one survey: NPS and CSAT (DESIGN.md §6), distributions, choices, free text, per segment and month */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "crm-store-private.h"
#include "crm-survey-results.h"
#include "crm-surveys.h"

static const char answers_sql[] =
  "SELECT a.question_id, a.value_number, a.value_text, a.value_choices,"
  " r.id, r.contact_id, c.name, r.submitted_at,"
  " coalesce (c.rfm_segment, ''), strftime ('%Y-%m', r.submitted_at, 'localtime')"
  " FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id AND a.deleted = 0"
  " LEFT JOIN contacts c ON c.id = r.contact_id"
  " WHERE r.survey_id = ?1 AND r.deleted = 0"
  " AND (?2 IS NULL OR r.submitted_at >= ?2) AND (?3 IS NULL OR r.submitted_at < ?3)"
  " AND (?4 IS NULL OR coalesce (c.rfm_segment, '') = ?4)"
  " ORDER BY r.submitted_at DESC, r.id";

static const char responses_sql[] =
  "SELECT r.id, coalesce (c.rfm_segment, ''), strftime ('%Y-%m', r.submitted_at, 'localtime')"
  " FROM survey_responses r LEFT JOIN contacts c ON c.id = r.contact_id"
  " WHERE r.survey_id = ?1 AND r.deleted = 0"
  " AND (?2 IS NULL OR r.submitted_at >= ?2) AND (?3 IS NULL OR r.submitted_at < ?3)"
  " AND (?4 IS NULL OR coalesce (c.rfm_segment, '') = ?4)";

double
crm_survey_nps_score (gint64 promoters,
                      gint64 detractors,
                      gint64 total)
{
  if (total <= 0)
    return NAN;
  return 100.0 * (double) (promoters - detractors) / (double) total;
}

double
crm_survey_csat_score (gint64 satisfied,
                       gint64 total)
{
  if (total <= 0)
    return NAN;
  return 100.0 * (double) satisfied / (double) total;
}

static void
text_answer_free (CrmSurveyTextAnswer *t)
{
  g_free (t->response_id);
  g_free (t->contact_id);
  g_free (t->contact_name);
  g_free (t->submitted_at);
  g_free (t->text);
  g_free (t);
}

static void
question_result_free (CrmSurveyQuestionResult *q)
{
  g_free (q->question_id);
  g_free (q->text);
  g_strfreev (q->options);
  g_free (q->option_counts);
  g_clear_pointer (&q->texts, g_ptr_array_unref);
  g_free (q);
}

static void
group_free (CrmSurveyResultGroup *g)
{
  g_free (g->key);
  g_free (g);
}

void
crm_survey_results_free (CrmSurveyResults *results)
{
  if (results == NULL)
    return;
  g_free (results->survey_id);
  g_free (results->title);
  g_clear_pointer (&results->questions, g_ptr_array_unref);
  g_clear_pointer (&results->segments, g_ptr_array_unref);
  g_clear_pointer (&results->months, g_ptr_array_unref);
  g_free (results);
}

static char *
bound (const char  *date,
       int          add_days,
       GError     **error)
{
  GDate d;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) utc = NULL;

  if (date == NULL)
    return NULL;
  g_date_clear (&d, 1);
  g_date_set_parse (&d, date);
  if (!g_date_valid (&d) || strlen (date) != 10)
    {
      g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                   _("“%s” is not a date. Write it as YYYY-MM-DD."), date);
      return NULL;
    }
  g_date_add_days (&d, add_days);
  local = g_date_time_new_local (g_date_get_year (&d), g_date_get_month (&d), g_date_get_day (&d), 0, 0, 0);
  utc = g_date_time_to_utc (local);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static CrmSurveyResultGroup *
group_for (GHashTable *groups,
           GPtrArray  *list,
           const char *key)
{
  CrmSurveyResultGroup *g = g_hash_table_lookup (groups, key ? key : "");

  if (g == NULL)
    {
      g = g_new0 (CrmSurveyResultGroup, 1);
      g->key = g_strdup (key ? key : "");
      g_hash_table_insert (groups, g->key, g);
      g_ptr_array_add (list, g);
    }
  return g;
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  return g_strcmp0 ((*(CrmSurveyResultGroup * const *) a)->key, (*(CrmSurveyResultGroup * const *) b)->key);
}

static void
finish_groups (GPtrArray *groups)
{
  g_ptr_array_sort (groups, compare_groups);
  for (guint i = 0; i < groups->len; i++)
    {
      CrmSurveyResultGroup *g = g_ptr_array_index (groups, i);
      gint64 promoters = g->nps_counts[9] + g->nps_counts[10];
      gint64 detractors = 0;

      for (int v = 0; v <= 6; v++)
        detractors += g->nps_counts[v];
      g->nps = crm_survey_nps_score (promoters, detractors, g->nps_answers);
      g->csat_percent = crm_survey_csat_score (g->csat_satisfied, g->csat_answers);
    }
}

static gboolean
text_matches (const char *text,
              const char *folded_query)
{
  g_autofree char *folded = NULL;

  if (folded_query == NULL)
    return TRUE;
  if (text == NULL)
    return FALSE;
  folded = g_utf8_casefold (text, -1);
  return strstr (folded, folded_query) != NULL;
}

CrmSurveyResults *
crm_survey_results_compute (CrmStore                     *store,
                            const char                   *survey_id,
                            const CrmSurveyResultsQuery  *query,
                            GError                      **error)
{
  g_autoptr(CrmSurveyResults) results = g_new0 (CrmSurveyResults, 1);
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(GPtrArray) form = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) segments = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) months = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *folded_query = NULL;
  CrmSurveyResultsQuery none = { NULL, NULL, NULL, NULL };
  int rc;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  if (query == NULL)
    query = &none;
  if ((query->from != NULL && (from = bound (query->from, 0, error)) == NULL) ||
      (query->to != NULL && (to = bound (query->to, 1, error)) == NULL))
    return NULL;
  if (query->text_search != NULL && *query->text_search != '\0')
    folded_query = g_utf8_casefold (query->text_search, -1);

  survey = crm_store_get (store, CRM_TYPE_SURVEY, survey_id, error);
  if (survey == NULL)
    return NULL;
  form = crm_surveys_load_form (store, survey_id, error);
  if (form == NULL)
    return NULL;

  results->survey_id = g_strdup (survey_id);
  results->title = g_strdup (crm_record_get_string (CRM_RECORD (survey), "title"));
  results->questions = g_ptr_array_new_with_free_func ((GDestroyNotify) question_result_free);
  results->segments = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  results->months = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  for (guint i = 0; i < form->len; i++)
    {
      CrmSurveyFormQuestion *fq = g_ptr_array_index (form, i);
      CrmSurveyQuestionResult *q = g_new0 (CrmSurveyQuestionResult, 1);

      q->question_id = g_strdup (fq->id);
      q->text = g_strdup (fq->text);
      q->kind = fq->kind;
      q->options = g_strdupv (fq->options);
      q->option_counts = g_new0 (gint64, g_strv_length (fq->options) + 1);
      q->texts = g_ptr_array_new_with_free_func ((GDestroyNotify) text_answer_free);
      g_ptr_array_add (results->questions, q);
      g_hash_table_insert (by_id, q->question_id, q);
    }

  /* Responses, also those without answers, per group. */
  stmt = crm_store_prepare (store, responses_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, survey_id, -1, SQLITE_TRANSIENT);
  crm_stmt_bind_text (stmt, 2, from);
  crm_stmt_bind_text (stmt, 3, to);
  crm_stmt_bind_text (stmt, 4, query->segment);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      results->responses++;
      group_for (segments, results->segments, (const char *) sqlite3_column_text (stmt, 1))->responses++;
      group_for (months, results->months, (const char *) sqlite3_column_text (stmt, 2))->responses++;
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  stmt = crm_store_prepare (store, answers_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, survey_id, -1, SQLITE_TRANSIENT);
  crm_stmt_bind_text (stmt, 2, from);
  crm_stmt_bind_text (stmt, 3, to);
  crm_stmt_bind_text (stmt, 4, query->segment);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CrmSurveyQuestionResult *q = g_hash_table_lookup (by_id, sqlite3_column_text (stmt, 0));
      gboolean has_number = sqlite3_column_type (stmt, 1) != SQLITE_NULL;
      gint64 value = sqlite3_column_int64 (stmt, 1);
      const char *text = (const char *) sqlite3_column_text (stmt, 2);
      const char *choices = (const char *) sqlite3_column_text (stmt, 3);
      int min, max;

      if (q == NULL)
        continue;   /* a deleted question */

      if (crm_survey_question_kind_scale (q->kind, &min, &max))
        {
          CrmSurveyResultGroup *groups[2];

          if (!has_number || value < min || value > max)
            continue;
          q->answers++;
          q->counts[value]++;
          groups[0] = group_for (segments, results->segments, (const char *) sqlite3_column_text (stmt, 8));
          groups[1] = group_for (months, results->months, (const char *) sqlite3_column_text (stmt, 9));
          for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
            {
              if (q->kind == CRM_SURVEY_QUESTION_NPS)
                {
                  groups[g]->nps_answers++;
                  groups[g]->nps_counts[value]++;
                }
              else if (q->kind == CRM_SURVEY_QUESTION_CSAT)
                {
                  groups[g]->csat_answers++;
                  groups[g]->csat_satisfied += value >= 4;
                }
            }
        }
      else if (q->kind == CRM_SURVEY_QUESTION_SINGLE || q->kind == CRM_SURVEY_QUESTION_MULTI)
        {
          g_autoptr(JsonNode) node = choices ? json_from_string (choices, NULL) : NULL;
          JsonArray *array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

          if (array == NULL && text == NULL)
            continue;
          q->answers++;
          for (guint o = 0; q->options[o] != NULL; o++)
            {
              gboolean chosen = FALSE;

              for (guint c = 0; array != NULL && c < json_array_get_length (array) && !chosen; c++)
                chosen = g_strcmp0 (json_array_get_string_element (array, c), q->options[o]) == 0;
              if (array == NULL)
                chosen = g_strcmp0 (text, q->options[o]) == 0;
              q->option_counts[o] += chosen;
            }
        }
      else if (text != NULL && *text != '\0')
        {
          CrmSurveyTextAnswer *t;

          q->answers++;
          if (!text_matches (text, folded_query))
            continue;
          t = g_new0 (CrmSurveyTextAnswer, 1);
          t->text = g_strdup (text);
          t->response_id = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
          t->contact_id = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
          t->contact_name = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
          t->submitted_at = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
          g_ptr_array_add (q->texts, t);
        }
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }

  for (guint i = 0; i < results->questions->len; i++)
    {
      CrmSurveyQuestionResult *q = g_ptr_array_index (results->questions, i);
      int min, max;
      gint64 sum = 0;

      q->average = q->nps = q->csat_percent = NAN;
      if (!crm_survey_question_kind_scale (q->kind, &min, &max))
        continue;
      for (int v = min; v <= max; v++)
        sum += v * q->counts[v];
      if (q->answers > 0)
        q->average = (double) sum / (double) q->answers;
      if (q->kind == CRM_SURVEY_QUESTION_NPS)
        {
          q->promoters = q->counts[9] + q->counts[10];
          q->passives = q->counts[7] + q->counts[8];
          q->detractors = q->answers - q->promoters - q->passives;
          q->nps = crm_survey_nps_score (q->promoters, q->detractors, q->answers);
        }
      else if (q->kind == CRM_SURVEY_QUESTION_CSAT)
        q->csat_percent = crm_survey_csat_score (q->counts[4] + q->counts[5], q->answers);
    }
  finish_groups (results->segments);
  finish_groups (results->months);
  return g_steal_pointer (&results);
}
