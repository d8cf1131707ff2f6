/* fuzz-survey-form.c: what a browser (or anyone) posts to /s/<token>,
 * through crm-server's form decoder and the answer checks of each kind of
 * question */
#include "config.h"

#include <json-glib/json-glib.h>

#include "crm-server-survey-form.h"
#include "crm-survey-form.h"
#include "fuzz-target.h"

static const char * const question_rows[] = {
  "{\"id\": \"n\", \"kind\": \"nps\", \"text\": \"Recommend us?\", \"required\": true, \"position\": 1}",
  "{\"id\": \"c\", \"kind\": \"csat\", \"text\": \"满意吗？\", \"required\": false, \"position\": 2}",
  "{\"id\": \"r\", \"kind\": \"rating\", \"text\": \"Stars\", \"position\": 3}",
  "{\"id\": \"s\", \"kind\": \"single\", \"text\": \"Store\", \"options\": [\"北京\", \"上海\"], \"position\": 4}",
  "{\"id\": \"m\", \"kind\": \"multi\", \"text\": \"Why\", \"options\": \"[\\\"price\\\", \\\"service\\\", \\\"快\\\"]\", \"position\": 5}",
  "{\"id\": \"t\", \"kind\": \"text\", \"text\": \"Anything else?\", \"required\": true, \"position\": 6}",
};

static GPtrArray *
get_questions (void)
{
  static GPtrArray *questions;

  if (questions == NULL)
    {
      questions = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_question_free);
      for (guint i = 0; i < G_N_ELEMENTS (question_rows); i++)
        {
          g_autoptr(JsonNode) node = json_from_string (question_rows[i], NULL);
          g_autoptr(GError) error = NULL;
          CrmSurveyFormQuestion *q = crm_survey_form_question_new_from_json (json_node_get_object (node), &error);

          g_assert_no_error (error);
          g_ptr_array_add (questions, q);
        }
    }
  return questions;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GPtrArray *questions = get_questions ();
  g_autoptr(GHashTable) values = NULL;

  if (size > CRM_SURVEY_FORM_MAX_BODY)
    return 0;
  values = crm_server_survey_form_decode ((const char *) data, size);
  if (values == NULL)
    return 0;

  for (guint i = 0; i < questions->len; i++)
    {
      const CrmSurveyFormQuestion *q = g_ptr_array_index (questions, i);
      g_autofree char *name = g_strdup_printf ("q-%s", q->id);
      GPtrArray *list = g_hash_table_lookup (values, name);
      g_autoptr(GPtrArray) given = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      CrmSurveyFormAnswer *answer = NULL;
      int min, max;

      for (guint j = 0; list != NULL && j < list->len; j++)
        {
          const char *value = g_ptr_array_index (list, j);

          /* The decoder hands out only UTF-8. */
          g_assert (g_utf8_validate (value, -1, NULL));
          g_ptr_array_add (given, (gpointer) value);
        }
      g_ptr_array_add (given, NULL);

      if (!crm_survey_form_parse_answer (q, i + 1, (const char * const *) given->pdata, &answer, &error))
        {
          g_assert (answer == NULL && error != NULL);
          continue;
        }
      g_assert (error == NULL);
      if (answer == NULL)
        {
          g_assert (!q->required);
          continue;
        }
      /* What is accepted is within what the question allows. */
      if (crm_survey_question_kind_scale (q->kind, &min, &max))
        g_assert (answer->has_number && answer->number >= min && answer->number <= max);
      if (q->kind == CRM_SURVEY_QUESTION_TEXT)
        g_assert (answer->text != NULL && g_utf8_strlen (answer->text, -1) <= CRM_SURVEY_MAX_TEXT);
      for (guint j = 0; answer->choices != NULL && answer->choices[j] != NULL; j++)
        g_assert (g_strv_contains ((const char * const *) q->options, answer->choices[j]));
      crm_survey_form_answer_free (answer);
    }
  return 0;
}
