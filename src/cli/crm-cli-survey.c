/* crm-cli-survey.c: crmctl survey: create surveys, add questions, enter responses, make web-form links, print results */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crm-cli-commands.h"
#include "crm-csv-writer.h"
#include "crm-survey-distribution.h"
#include "crm-survey-print.h"
#include "crm-survey-results.h"
#include "crm-surveys.h"

static int
survey_list (CrmCli  *cli,
             int      argc,
             char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GPtrArray) surveys = NULL;
  GError *error = NULL;

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (surveys = crm_surveys_list (store, &error)) == NULL)
    return crm_cli_fail (error);
  for (guint i = 0; i < surveys->len; i++)
    {
      CrmRecord *s = g_ptr_array_index (surveys, i);

      printf ("%s\t%s\t%s\n", crm_record_get_id (s), crm_record_get_string (s, "status"),
              crm_record_get_string (s, "title"));
    }
  return CRM_CLI_EXIT_OK;
}

static int
survey_create (CrmCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSurvey) survey = crm_survey_new ();
  const char *description = NULL;
  const char *title = NULL;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--description", &description))
        continue;
      if (title != NULL || argv[i][0] == '-')
        return crm_cli_usage_error (_("survey create takes a title and --description TEXT, not “%s”."), argv[i]);
      title = argv[i];
    }
  if (title == NULL)
    return crm_cli_usage_error (_("survey create needs a title, for example: crmctl survey create \"After-sales 2024\""));
  g_object_set (survey, "title", title, "description", description, "status", "open", NULL);
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || !crm_store_insert (store, CRM_RECORD (survey), &error))
    return crm_cli_fail (error);
  printf ("%s\n", crm_record_get_id (CRM_RECORD (survey)));
  return CRM_CLI_EXIT_OK;
}

static int
survey_add_question (CrmCli  *cli,
                     int      argc,
                     char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(CrmSurveyQuestion) question = NULL;
  g_autoptr(GPtrArray) options = g_ptr_array_new ();
  const char *positional[3] = { NULL, NULL, NULL };
  guint n_positional = 0;
  gboolean required = FALSE;
  CrmSurveyQuestionKind kind;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      const char *option;

      if (crm_cli_take_option (argc, argv, &i, "--option", &option))
        {
          if (option == NULL)
            return crm_cli_usage_error (_("--option needs a text."));
          g_ptr_array_add (options, (gpointer) option);
        }
      else if (g_str_equal (argv[i], "--required"))
        required = TRUE;
      else if (argv[i][0] == '-' || n_positional == G_N_ELEMENTS (positional))
        return crm_cli_usage_error (_("Unknown argument “%s”."), argv[i]);
      else
        positional[n_positional++] = argv[i];
    }
  if (n_positional < 2 || !crm_survey_question_kind_from_string (positional[1], &kind))
    return crm_cli_usage_error (_("survey add-question needs a survey and a kind (nps, csat, rating, single, multi or text), then the question's text."));
  g_ptr_array_add (options, NULL);

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (survey = crm_surveys_find (store, positional[0], &error)) == NULL ||
      (question = crm_surveys_add_question (store, crm_record_get_id (CRM_RECORD (survey)), kind, positional[2],
                                            (const char * const *) options->pdata, required, &error)) == NULL)
    return crm_cli_fail (error);
  printf ("%s\n", crm_record_get_id (CRM_RECORD (question)));
  return CRM_CLI_EXIT_OK;
}

static int
survey_show (CrmCli  *cli,
             int      argc,
             char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(GPtrArray) form = NULL;
  GError *error = NULL;

  if (argc != 1)
    return crm_cli_usage_error (_("survey show needs one survey (title or id)."));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (survey = crm_surveys_find (store, argv[0], &error)) == NULL ||
      (form = crm_surveys_load_form (store, crm_record_get_id (CRM_RECORD (survey)), &error)) == NULL)
    return crm_cli_fail (error);
  printf ("%s (%s)\n", crm_record_get_string (CRM_RECORD (survey), "title"),
          crm_record_get_string (CRM_RECORD (survey), "status"));
  for (guint i = 0; i < form->len; i++)
    {
      CrmSurveyFormQuestion *q = g_ptr_array_index (form, i);

      printf ("%u. [%s%s] %s\n", i + 1, crm_survey_question_kind_to_string (q->kind),
              q->required ? ", required" : "", q->text);
      for (guint o = 0; q->options[o] != NULL; o++)
        printf ("     %u) %s\n", o, q->options[o]);
    }
  return CRM_CLI_EXIT_OK;
}

static int
survey_set_status (CrmCli     *cli,
                   const char *status,
                   int         argc,
                   char      **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSurvey) survey = NULL;
  GError *error = NULL;

  if (argc != 1)
    return crm_cli_usage_error (_("Name one survey (title or id)."));
  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (survey = crm_surveys_find (store, argv[0], &error)) == NULL)
    return crm_cli_fail (error);
  g_object_set (survey, "status", status, NULL);
  if (!crm_store_update (store, CRM_RECORD (survey), &error))
    return crm_cli_fail (error);
  return CRM_CLI_EXIT_OK;
}

/* survey respond SURVEY [--contact ID] [--channel C] N=VALUE…: N is the
 * question's number; choices are option numbers, several separated by
 * commas. */
static int
survey_respond (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(GPtrArray) form = NULL;
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_answer_free);
  g_autoptr(GPtrArray) given = g_ptr_array_new ();
  g_auto(CrmSurveySubmission) out = { NULL, NULL };
  const char *contact = NULL, *channel = "phone", *name = NULL;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--contact", &contact) ||
          crm_cli_take_option (argc, argv, &i, "--channel", &channel))
        continue;
      if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else if (strchr (argv[i], '=') != NULL)
        g_ptr_array_add (given, argv[i]);
      else
        return crm_cli_usage_error (_("“%s” is not N=VALUE, for example 1=9 for the first question."), argv[i]);
    }
  if (name == NULL)
    return crm_cli_usage_error (_("survey respond needs a survey and answers, for example: crmctl survey respond NAME 1=9 2=4"));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (survey = crm_surveys_find (store, name, &error)) == NULL ||
      (form = crm_surveys_load_form (store, crm_record_get_id (CRM_RECORD (survey)), &error)) == NULL)
    return crm_cli_fail (error);
  for (guint q = 0; q < form->len; q++)
    {
      g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
      CrmSurveyFormQuestion *question = g_ptr_array_index (form, q);
      CrmSurveyFormAnswer *answer = NULL;

      for (guint g = 0; g < given->len; g++)
        {
          const char *arg = g_ptr_array_index (given, g);
          const char *eq = strchr (arg, '=');
          g_autofree char *number = g_strndup (arg, eq - arg);
          guint64 n;

          if (!g_ascii_string_to_unsigned (number, 10, 1, form->len, &n, NULL))
            return crm_cli_usage_error (_("“%s”: the survey has questions 1 to %u."), arg, form->len);
          if (n != q + 1)
            continue;
          if (question->kind == CRM_SURVEY_QUESTION_MULTI)
            {
              g_auto(GStrv) parts = g_strsplit (eq + 1, ",", -1);

              for (guint p = 0; parts[p] != NULL; p++)
                g_ptr_array_add (values, g_strdup (parts[p]));
            }
          else
            g_ptr_array_add (values, g_strdup (eq + 1));
        }
      g_ptr_array_add (values, NULL);
      if (!crm_survey_form_parse_answer (question, q + 1, (const char * const *) values->pdata, &answer, &error))
        return crm_cli_fail (error);
      if (answer != NULL)
        g_ptr_array_add (answers, answer);
    }
  if (!crm_surveys_submit (store, crm_record_get_id (CRM_RECORD (survey)), contact, channel, NULL, answers,
                           NULL, &out, &error))
    return crm_cli_fail (error);
  printf ("%s\n", out.response_id);
  if (out.complaint_id != NULL && !cli->quiet)
    fprintf (stderr, _("Opened follow-up complaint %s for this answer.\n"), out.complaint_id);
  return CRM_CLI_EXIT_OK;
}

/* survey invite SURVEY (--contact ID…|--segment NAME) [--channel C]
 * [--base-url URL] [--csv]: one one-time link per contact, consent
 * respected; what was skipped and why goes to stderr. */
static int
survey_invite (CrmCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(CrmSurveyDistribution) sent = NULL;
  const char *name = NULL, *base = NULL, *channel = "email", *segment = NULL;
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_with_free_func (g_free);
  gboolean csv = FALSE;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      const char *contact;

      if (crm_cli_take_option (argc, argv, &i, "--contact", &contact))
        {
          if (contact == NULL)
            return crm_cli_usage_error (_("--contact needs a contact id."));
          g_ptr_array_add (contacts, g_strdup (contact));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--segment", &segment))
        {
          if (segment == NULL)
            return crm_cli_usage_error (_("--segment needs a segment’s name or id."));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--base-url", &base) ||
               crm_cli_take_option (argc, argv, &i, "--channel", &channel))
        continue;
      else if (g_str_equal (argv[i], "--csv"))
        csv = TRUE;
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        return crm_cli_usage_error (_("Unknown argument “%s”."), argv[i]);
    }
  if (name == NULL || (contacts->len == 0) == (segment == NULL))
    return crm_cli_usage_error (_("survey invite needs a survey and either --contact ID (once per contact) or --segment NAME."));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_FLAGS_NONE, &error);
  if (store == NULL || (survey = crm_surveys_find (store, name, &error)) == NULL)
    return crm_cli_fail (error);
  if (segment != NULL)
    {
      g_ptr_array_unref (contacts);
      contacts = crm_survey_distribution_segment_members (store, segment, &error);
      if (contacts == NULL)
        return crm_cli_fail (error);
    }
  sent = crm_survey_distribute (store, crm_record_get_id (CRM_RECORD (survey)), contacts, channel,
                                NULL, NULL, NULL, &error);
  if (sent == NULL)
    return crm_cli_fail (error);
  /* The tokens are shown now only. */
  if (csv)
    {
      g_autofree char *text = crm_survey_distribution_to_csv (sent, base);

      fputs (text, stdout);
    }
  else
    for (guint i = 0; i < sent->invitees->len; i++)
      {
        CrmSurveyInvitee *invitee = g_ptr_array_index (sent->invitees, i);
        g_autofree char *link = crm_survey_link (base, invitee->token);

        printf ("%s,%s\n", invitee->contact_id, link);
      }
  if (!cli->quiet)
    {
      fprintf (stderr, ngettext ("%u invitation made", "%u invitations made", sent->invitees->len),
               sent->invitees->len);
      if (sent->skipped_no_consent > 0)
        fprintf (stderr, ngettext ("; %lld skipped without consent to this channel",
                                   "; %lld skipped without consent to this channel",
                                   sent->skipped_no_consent), (long long) sent->skipped_no_consent);
      if (sent->skipped_no_address > 0)
        fprintf (stderr, ngettext ("; %lld skipped without an address for this channel",
                                   "; %lld skipped without an address for this channel",
                                   sent->skipped_no_address), (long long) sent->skipped_no_address);
      if (sent->skipped_unknown > 0)
        fprintf (stderr, ngettext ("; %lld not a contact (unknown or deleted)",
                                   "; %lld not contacts (unknown or deleted)",
                                   sent->skipped_unknown), (long long) sent->skipped_unknown);
      /* TRANSLATORS: ends the summary sentence above (a full stop and a new line) */
      fputs (_(".\n"), stderr);
    }
  return CRM_CLI_EXIT_OK;
}

/* survey print SURVEY [--contact ID…|--segment NAME] [--base-url URL]
 * -o FILE.pdf: A4 forms to hand out or post, one per customer. */
static int
survey_print (CrmCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(CrmSurveyPrint) print = NULL;
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_with_free_func (g_free);
  const char *name = NULL, *base = NULL, *segment = NULL, *output = NULL;
  guint skipped = 0, pages;
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      const char *contact;

      if (crm_cli_take_option (argc, argv, &i, "--contact", &contact))
        {
          if (contact == NULL)
            return crm_cli_usage_error (_("--contact needs a contact id."));
          g_ptr_array_add (contacts, g_strdup (contact));
        }
      else if (crm_cli_take_option (argc, argv, &i, "--segment", &segment))
        {
          if (segment == NULL)
            return crm_cli_usage_error (_("--segment needs a segment’s name or id."));
        }
      else if (crm_cli_take_option (argc, argv, &i, "-o", &output) ||
               crm_cli_take_option (argc, argv, &i, "--output", &output) ||
               crm_cli_take_option (argc, argv, &i, "--base-url", &base))
        continue;
      else if (name == NULL && argv[i][0] != '-')
        name = argv[i];
      else
        return crm_cli_usage_error (_("Unknown argument “%s”."), argv[i]);
    }
  if (name == NULL || output == NULL || (contacts->len > 0 && segment != NULL))
    return crm_cli_usage_error (_("survey print needs a survey and -o FILE.pdf, with --contact ID… or --segment NAME (or neither, for a blank form)."));

  store = crm_cli_open_store (cli, base != NULL ? CRM_STORE_OPEN_FLAGS_NONE : CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (survey = crm_surveys_find (store, name, &error)) == NULL)
    return crm_cli_fail (error);
  if (segment != NULL)
    {
      g_ptr_array_unref (contacts);
      contacts = crm_survey_distribution_segment_members (store, segment, &error);
      if (contacts == NULL)
        return crm_cli_fail (error);
    }
  print = crm_survey_print_new_for_survey (store, crm_record_get_id (CRM_RECORD (survey)),
                                           contacts->len > 0 || segment != NULL ? contacts : NULL,
                                           base, NULL, NULL, NULL, &skipped, &error);
  if (print == NULL || !crm_survey_print_write_pdf (print, output, &error))
    return crm_cli_fail (error);
  pages = crm_survey_print_paginate (print);
  if (!cli->quiet)
    {
      fprintf (stderr, ngettext ("%u page written to %s", "%u pages written to %s", pages), pages, output);
      if (skipped > 0)
        fprintf (stderr, ngettext ("; %u contact left out (unknown or deleted)",
                                   "; %u contacts left out (unknown or deleted)", skipped), skipped);
      /* TRANSLATORS: ends the summary sentence above (a full stop and a new line) */
      fputs (_(".\n"), stderr);
    }
  return CRM_CLI_EXIT_OK;
}

/* --- results -------------------------------------------------------------- */

static const char *result_columns[] = {
  "question", "kind", "text", "answers", "average", "nps", "promoters", "passives", "detractors",
  "csat_percent", "distribution",
};

static char *
number_text (double value,
             int    decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];

  if (isnan (value))
    return g_strdup ("");
  g_snprintf (format, sizeof format, "%%.%df", decimals);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, format, value));
}

/* "0:1 1:0 … 10:5" for scales, "Price:3 Staff:1" for choices. */
static char *
distribution_text (const CrmSurveyQuestionResult *q)
{
  g_autoptr(GString) out = g_string_new (NULL);
  int min, max;

  if (crm_survey_question_kind_scale (q->kind, &min, &max))
    for (int v = min; v <= max; v++)
      g_string_append_printf (out, "%s%d:%" PRId64, v > min ? " " : "", v, q->counts[v]);
  else
    for (guint o = 0; q->options[o] != NULL; o++)
      g_string_append_printf (out, "%s%s:%" PRId64, o ? " " : "", q->options[o], q->option_counts[o]);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
add_number (JsonBuilder *b,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (b, name);
  if (isnan (value))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, round (value * 100) / 100);
}

static void
add_group_json (JsonBuilder          *b,
                CrmSurveyResultGroup *g,
                const char           *key_name)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, key_name);
  json_builder_add_string_value (b, g->key);
  json_builder_set_member_name (b, "responses");
  json_builder_add_int_value (b, g->responses);
  json_builder_set_member_name (b, "nps_answers");
  json_builder_add_int_value (b, g->nps_answers);
  add_number (b, "nps", g->nps);
  json_builder_set_member_name (b, "csat_answers");
  json_builder_add_int_value (b, g->csat_answers);
  add_number (b, "csat_percent", g->csat_percent);
  json_builder_end_object (b);
}

static char *
results_json (CrmSurveyResults *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "survey");
  json_builder_add_string_value (b, r->title);
  json_builder_set_member_name (b, "survey_id");
  json_builder_add_string_value (b, r->survey_id);
  json_builder_set_member_name (b, "responses");
  json_builder_add_int_value (b, r->responses);
  json_builder_set_member_name (b, "questions");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->questions->len; i++)
    {
      CrmSurveyQuestionResult *q = g_ptr_array_index (r->questions, i);
      int min, max;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "question");
      json_builder_add_int_value (b, i + 1);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, crm_survey_question_kind_to_string (q->kind));
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, q->text);
      json_builder_set_member_name (b, "answers");
      json_builder_add_int_value (b, q->answers);
      if (crm_survey_question_kind_scale (q->kind, &min, &max))
        {
          add_number (b, "average", q->average);
          json_builder_set_member_name (b, "distribution");
          json_builder_begin_object (b);
          for (int v = min; v <= max; v++)
            {
              char key[4];

              g_snprintf (key, sizeof key, "%d", v);
              json_builder_set_member_name (b, key);
              json_builder_add_int_value (b, q->counts[v]);
            }
          json_builder_end_object (b);
        }
      if (q->kind == CRM_SURVEY_QUESTION_NPS)
        {
          add_number (b, "nps", q->nps);
          json_builder_set_member_name (b, "promoters");
          json_builder_add_int_value (b, q->promoters);
          json_builder_set_member_name (b, "passives");
          json_builder_add_int_value (b, q->passives);
          json_builder_set_member_name (b, "detractors");
          json_builder_add_int_value (b, q->detractors);
        }
      if (q->kind == CRM_SURVEY_QUESTION_CSAT)
        add_number (b, "csat_percent", q->csat_percent);
      if (q->options[0] != NULL)
        {
          json_builder_set_member_name (b, "options");
          json_builder_begin_array (b);
          for (guint o = 0; q->options[o] != NULL; o++)
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "option");
              json_builder_add_string_value (b, q->options[o]);
              json_builder_set_member_name (b, "count");
              json_builder_add_int_value (b, q->option_counts[o]);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
        }
      if (q->kind == CRM_SURVEY_QUESTION_TEXT)
        {
          json_builder_set_member_name (b, "texts");
          json_builder_begin_array (b);
          for (guint t = 0; t < q->texts->len; t++)
            {
              CrmSurveyTextAnswer *a = g_ptr_array_index (q->texts, t);

              json_builder_begin_object (b);
              json_builder_set_member_name (b, "submitted_at");
              json_builder_add_string_value (b, a->submitted_at);
              json_builder_set_member_name (b, "contact");
              json_builder_add_string_value (b, a->contact_name);
              json_builder_set_member_name (b, "text");
              json_builder_add_string_value (b, a->text);
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "segments");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->segments->len; i++)
    add_group_json (b, g_ptr_array_index (r->segments, i), "segment");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "months");
  json_builder_begin_array (b);
  for (guint i = 0; i < r->months->len; i++)
    add_group_json (b, g_ptr_array_index (r->months, i), "month");
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

static char *
results_csv (CrmSurveyResults *r)
{
  GString *out = g_string_new (NULL);

  crm_csv_append_row (out, result_columns, G_N_ELEMENTS (result_columns), ',');
  for (guint i = 0; i < r->questions->len; i++)
    {
      CrmSurveyQuestionResult *q = g_ptr_array_index (r->questions, i);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *answers = g_strdup_printf ("%" PRId64, q->answers);
      g_autofree char *average = number_text (q->average, 2);
      g_autofree char *nps = number_text (q->nps, 1);
      g_autofree char *promoters = q->kind == CRM_SURVEY_QUESTION_NPS ? g_strdup_printf ("%" PRId64, q->promoters) : g_strdup ("");
      g_autofree char *passives = q->kind == CRM_SURVEY_QUESTION_NPS ? g_strdup_printf ("%" PRId64, q->passives) : g_strdup ("");
      g_autofree char *detractors = q->kind == CRM_SURVEY_QUESTION_NPS ? g_strdup_printf ("%" PRId64, q->detractors) : g_strdup ("");
      g_autofree char *csat = number_text (q->csat_percent, 1);
      g_autofree char *distribution = q->kind == CRM_SURVEY_QUESTION_TEXT ? g_strdup ("") : distribution_text (q);
      const char *row[] = {
        number, crm_survey_question_kind_to_string (q->kind), q->text, answers, average, nps,
        promoters, passives, detractors, csat, distribution,
      };

      crm_csv_append_row (out, row, G_N_ELEMENTS (row), ',');
    }
  return g_string_free (out, FALSE);
}

static void
print_results_text (CrmSurveyResults *r)
{
  printf ("%s\n", r->title);
  printf (ngettext ("%" PRId64 " response\n", "%" PRId64 " responses\n", r->responses), r->responses);
  for (guint i = 0; i < r->questions->len; i++)
    {
      CrmSurveyQuestionResult *q = g_ptr_array_index (r->questions, i);
      g_autofree char *distribution = q->kind == CRM_SURVEY_QUESTION_TEXT ? NULL : distribution_text (q);

      printf ("\n%u. %s\n", i + 1, q->text);
      printf ("   %s: %" PRId64 "\n", _("answers"), q->answers);
      if (q->kind == CRM_SURVEY_QUESTION_NPS)
        {
          g_autofree char *nps = number_text (q->nps, 1);

          printf ("   NPS: %s (%s %" PRId64 ", %s %" PRId64 ", %s %" PRId64 ")\n", *nps ? nps : "—",
                  _("promoters"), q->promoters, _("passives"), q->passives, _("detractors"), q->detractors);
        }
      if (q->kind == CRM_SURVEY_QUESTION_CSAT)
        {
          g_autofree char *csat = number_text (q->csat_percent, 1);

          printf ("   CSAT: %s%%\n", *csat ? csat : "—");
        }
      if (!isnan (q->average))
        printf ("   %s: %.2f\n", _("average"), q->average);
      if (distribution != NULL)
        printf ("   %s\n", distribution);
      for (guint t = 0; q->texts != NULL && t < q->texts->len; t++)
        {
          CrmSurveyTextAnswer *a = g_ptr_array_index (q->texts, t);

          printf ("   — %s%s%s\n", a->text, a->contact_name ? " · " : "", a->contact_name ? a->contact_name : "");
        }
    }
}

static int
survey_results (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(CrmSurveyResults) results = NULL;
  CrmSurveyResultsQuery query = { NULL, NULL, NULL, NULL };
  const char *name = NULL, *format = "text";
  GError *error = NULL;

  for (int i = 0; i < argc; i++)
    {
      if (crm_cli_take_option (argc, argv, &i, "--format", &format) ||
          crm_cli_take_option (argc, argv, &i, "--from", &query.from) ||
          crm_cli_take_option (argc, argv, &i, "--to", &query.to) ||
          crm_cli_take_option (argc, argv, &i, "--segment", &query.segment) ||
          crm_cli_take_option (argc, argv, &i, "--search", &query.text_search))
        continue;
      if (name != NULL || argv[i][0] == '-')
        return crm_cli_usage_error (_("Unknown argument “%s”."), argv[i]);
      name = argv[i];
    }
  if (name == NULL)
    return crm_cli_usage_error (_("survey results needs a survey (title or id)."));
  if (format == NULL || !(g_str_equal (format, "text") || g_str_equal (format, "csv") || g_str_equal (format, "json")))
    return crm_cli_usage_error (_("--format is text, csv or json."));

  store = crm_cli_open_store (cli, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (survey = crm_surveys_find (store, name, &error)) == NULL ||
      (results = crm_survey_results_compute (store, crm_record_get_id (CRM_RECORD (survey)), &query, &error)) == NULL)
    return crm_cli_fail (error);
  if (g_str_equal (format, "json"))
    {
      g_autofree char *text = results_json (results);

      printf ("%s\n", text);
    }
  else if (g_str_equal (format, "csv"))
    {
      g_autofree char *text = results_csv (results);

      fputs (text, stdout);
    }
  else
    print_results_text (results);
  return CRM_CLI_EXIT_OK;
}

int
crm_cli_survey (CrmCli  *cli,
                int      argc,
                char   **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;

  if (g_strcmp0 (sub, "list") == 0)
    return survey_list (cli, argc - 2, argv + 2);
  if (g_strcmp0 (sub, "create") == 0)
    return survey_create (cli, argc - 2, argv + 2);
  if (g_strcmp0 (sub, "add-question") == 0)
    return survey_add_question (cli, argc - 2, argv + 2);
  if (g_strcmp0 (sub, "show") == 0)
    return survey_show (cli, argc - 2, argv + 2);
  if (g_strcmp0 (sub, "open") == 0 || g_strcmp0 (sub, "close") == 0)
    return survey_set_status (cli, g_strcmp0 (sub, "open") == 0 ? "open" : "closed", argc - 2, argv + 2);
  if (g_strcmp0 (sub, "respond") == 0)
    return survey_respond (cli, argc - 2, argv + 2);
  if (g_strcmp0 (sub, "invite") == 0)
    return survey_invite (cli, argc - 2, argv + 2);
  if (g_strcmp0 (sub, "print") == 0)
    return survey_print (cli, argc - 2, argv + 2);
  if (g_strcmp0 (sub, "results") == 0)
    return survey_results (cli, argc - 2, argv + 2);
  return crm_cli_usage_error (_("survey needs list, create, add-question, show, open, close, respond, invite, print or results."));
}
