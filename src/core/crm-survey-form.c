/* crm-survey-form.c: survey questions as plain data, and the checks of an answer, shared by the desktop and crm-server */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/random.h>

#include "crm-json.h"
#include "crm-survey-form.h"

G_DEFINE_QUARK (crm-survey-error-quark, crm_survey_error)

static const char * const kind_names[] = { "nps", "csat", "rating", "single", "multi", "text", NULL };

gboolean
crm_survey_question_kind_from_string (const char            *text,
                                      CrmSurveyQuestionKind *out)
{
  for (guint i = 0; text != NULL && kind_names[i] != NULL; i++)
    if (g_str_equal (text, kind_names[i]))
      {
        *out = (CrmSurveyQuestionKind) i;
        return TRUE;
      }
  return FALSE;
}

const char *
crm_survey_question_kind_to_string (CrmSurveyQuestionKind kind)
{
  g_return_val_if_fail (kind <= CRM_SURVEY_QUESTION_TEXT, NULL);
  return kind_names[kind];
}

gboolean
crm_survey_question_kind_scale (CrmSurveyQuestionKind  kind,
                                int                   *out_min,
                                int                   *out_max)
{
  int min = 1, max = 5;

  if (kind == CRM_SURVEY_QUESTION_NPS)
    min = 0, max = 10;
  else if (kind != CRM_SURVEY_QUESTION_CSAT && kind != CRM_SURVEY_QUESTION_RATING)
    return FALSE;
  if (out_min)
    *out_min = min;
  if (out_max)
    *out_max = max;
  return TRUE;
}

const char *
crm_survey_question_default_text (CrmSurveyQuestionKind kind)
{
  switch (kind)
    {
    case CRM_SURVEY_QUESTION_NPS:
      return _("How likely is it that you would recommend us to a friend or colleague?");
    case CRM_SURVEY_QUESTION_CSAT:
      return _("How satisfied were you with our service?");
    case CRM_SURVEY_QUESTION_RATING:
      return _("How would you rate us?");
    case CRM_SURVEY_QUESTION_SINGLE:
    case CRM_SURVEY_QUESTION_MULTI:
    case CRM_SURVEY_QUESTION_TEXT:
    default:
      return "";
    }
}

static char **
options_from_node (JsonNode  *node,
                   GError   **error)
{
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GPtrArray) options = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_new0 (char *, 1);
  /* The desktop's records hold the JSON text, the server the JSON. */
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      parsed = json_from_string (json_node_get_string (node), NULL);
      node = parsed;
    }
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                           _("The options of a question must be a list of texts."));
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error_literal (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                               _("The options of a question must be a list of texts."));
          return NULL;
        }
      g_ptr_array_add (options, g_strdup (json_node_get_string (element)));
    }
  g_ptr_array_add (options, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&options), FALSE);
}

static gint64
member_int (JsonObject *row,
            const char *name)
{
  JsonNode *node = json_object_get_member (row, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
  return json_node_get_int (node);
}

static const char *
member_string (JsonObject *row,
               const char *name)
{
  JsonNode *node = json_object_get_member (row, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

CrmSurveyFormQuestion *
crm_survey_form_question_new_from_json (JsonObject  *row,
                                        GError     **error)
{
  g_autoptr(CrmSurveyFormQuestion) q = g_new0 (CrmSurveyFormQuestion, 1);
  const char *kind = member_string (row, "kind");

  if (!crm_survey_question_kind_from_string (kind, &q->kind))
    {
      g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                   _("“%s” is not a kind of question. Use nps, csat, rating, single, multi or text."),
                   kind ? kind : "");
      return NULL;
    }
  q->id = g_strdup (member_string (row, "id"));
  q->text = g_strdup (member_string (row, "text"));
  q->required = member_int (row, "required") != 0;
  q->position = member_int (row, "position");
  q->options = options_from_node (json_object_get_member (row, "options"), error);
  if (q->options == NULL)
    return NULL;
  return g_steal_pointer (&q);
}

void
crm_survey_form_question_free (CrmSurveyFormQuestion *question)
{
  if (question == NULL)
    return;
  g_free (question->id);
  g_free (question->text);
  g_strfreev (question->options);
  g_free (question);
}

static int
compare_questions (gconstpointer a,
                   gconstpointer b)
{
  const CrmSurveyFormQuestion *qa = *(CrmSurveyFormQuestion * const *) a;
  const CrmSurveyFormQuestion *qb = *(CrmSurveyFormQuestion * const *) b;

  if (qa->position != qb->position)
    return qa->position < qb->position ? -1 : 1;
  return g_strcmp0 (qa->id, qb->id);
}

void
crm_survey_form_sort (GPtrArray *questions)
{
  g_ptr_array_sort (questions, compare_questions);
}

static gboolean
parse_index (const char *text,
             guint       n_options,
             guint      *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, n_options == 0 ? 0 : n_options - 1, &value, NULL) ||
      n_options == 0)
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

gboolean
crm_survey_form_parse_answer (const CrmSurveyFormQuestion  *question,
                              guint                         number,
                              const char * const           *values,
                              CrmSurveyFormAnswer         **out_answer,
                              GError                      **error)
{
  g_autoptr(CrmSurveyFormAnswer) answer = g_new0 (CrmSurveyFormAnswer, 1);
  g_autoptr(GPtrArray) given = g_ptr_array_new ();
  guint n_options = g_strv_length (question->options);
  int min, max;

  *out_answer = NULL;
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (values[i]));

      if (*stripped != '\0')
        g_ptr_array_add (given, (gpointer) values[i]);
    }
  if (given->len == 0)
    {
      if (!question->required)
        return TRUE;
      g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_MISSING_ANSWER,
                   _("Question %u needs an answer."), number);
      return FALSE;
    }

  answer->question_id = g_strdup (question->id);
  if (crm_survey_question_kind_scale (question->kind, &min, &max))
    {
      g_autofree char *stripped = g_strstrip (g_strdup (g_ptr_array_index (given, 0)));
      gint64 value;

      if (given->len != 1 || !g_ascii_string_to_signed (stripped, 10, min, max, &value, NULL))
        {
          g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                       _("Question %u: choose one number from %d to %d."), number, min, max);
          return FALSE;
        }
      answer->has_number = TRUE;
      answer->number = value;
    }
  else if (question->kind == CRM_SURVEY_QUESTION_SINGLE || question->kind == CRM_SURVEY_QUESTION_MULTI)
    {
      g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
      g_autofree gboolean *seen = g_new0 (gboolean, MAX (n_options, 1));

      if (question->kind == CRM_SURVEY_QUESTION_SINGLE && given->len != 1)
        {
          g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                       _("Question %u: choose one of the options."), number);
          return FALSE;
        }
      for (guint i = 0; i < given->len; i++)
        {
          g_autofree char *stripped = g_strstrip (g_strdup (g_ptr_array_index (given, i)));
          guint index;

          if (!parse_index (stripped, n_options, &index))
            {
              g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                           _("Question %u: that is not one of the options."), number);
              return FALSE;
            }
          seen[index] = TRUE;
        }
      /* In the options' order, each once. */
      for (guint i = 0; i < n_options; i++)
        if (seen[i])
          g_ptr_array_add (chosen, question->options[i]);
      g_ptr_array_add (chosen, NULL);
      answer->choices = g_strdupv ((char **) chosen->pdata);
      if (question->kind == CRM_SURVEY_QUESTION_SINGLE)
        answer->text = g_strdup (answer->choices[0]);
    }
  else
    {
      const char *text = g_ptr_array_index (given, 0);

      if (given->len != 1 || !g_utf8_validate (text, -1, NULL))
        {
          g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                       _("Question %u: the answer is not readable text."), number);
          return FALSE;
        }
      if (g_utf8_strlen (text, -1) > CRM_SURVEY_MAX_TEXT)
        {
          g_set_error (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_INVALID_ANSWER,
                       _("Question %u: the answer is longer than %d characters. Shorten it."),
                       number, CRM_SURVEY_MAX_TEXT);
          return FALSE;
        }
      answer->text = g_strstrip (g_strdup (text));
    }
  *out_answer = g_steal_pointer (&answer);
  return TRUE;
}

CrmSurveyFormAnswer *
crm_survey_form_answer_new_number (const char *question_id,
                                   gint64      number)
{
  CrmSurveyFormAnswer *answer = g_new0 (CrmSurveyFormAnswer, 1);

  answer->question_id = g_strdup (question_id);
  answer->has_number = TRUE;
  answer->number = number;
  return answer;
}

CrmSurveyFormAnswer *
crm_survey_form_answer_new_text (const char *question_id,
                                 const char *text)
{
  CrmSurveyFormAnswer *answer = g_new0 (CrmSurveyFormAnswer, 1);

  answer->question_id = g_strdup (question_id);
  answer->text = g_strdup (text);
  return answer;
}

void
crm_survey_form_answer_free (CrmSurveyFormAnswer *answer)
{
  if (answer == NULL)
    return;
  g_free (answer->question_id);
  g_free (answer->text);
  g_strfreev (answer->choices);
  g_free (answer);
}

char *
crm_survey_form_answer_dup_choices_json (const CrmSurveyFormAnswer *answer)
{
  g_autoptr(JsonArray) array = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (answer->choices == NULL)
    return NULL;
  array = json_array_new ();
  for (guint i = 0; answer->choices[i] != NULL; i++)
    json_array_add_string_element (array, answer->choices[i]);
  node = json_node_init_array (json_node_alloc (), array);
  return crm_json_to_string (node);
}

gboolean
crm_survey_answer_needs_follow_up (CrmSurveyQuestionKind kind,
                                   gint64                number)
{
  if (kind == CRM_SURVEY_QUESTION_NPS)
    return number >= 0 && number <= 6;
  if (kind == CRM_SURVEY_QUESTION_CSAT)
    return number >= 1 && number <= 2;
  return FALSE;
}

char *
crm_survey_invitation_id_for_token (const char *token)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  const char *hex;

  g_return_val_if_fail (token != NULL, NULL);

  g_checksum_update (checksum, (const guchar *) "crm-survey-token:", -1);
  g_checksum_update (checksum, (const guchar *) token, -1);
  hex = g_checksum_get_string (checksum);
  return g_strdup_printf ("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

char *
crm_survey_new_token (GError **error)
{
  guchar raw[32];
  gsize filled = 0;
  GString *hex;

  while (filled < sizeof raw)
    {
      ssize_t n = getrandom (raw + filled, sizeof raw - filled, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not make a survey link: the system has no random numbers (%s)."),
                       g_strerror (saved));
          return NULL;
        }
      filled += (gsize) n;
    }
  hex = g_string_sized_new (64);
  for (guint i = 0; i < sizeof raw; i++)
    g_string_append_printf (hex, "%02x", raw[i]);
  memset (raw, 0, sizeof raw);
  return g_string_free (hex, FALSE);
}
