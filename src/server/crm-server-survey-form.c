/* crm-server-survey-form.c: /s/<token>, the plain HTML survey form customers answer in a browser
 *
 * No JavaScript, no cookies, no external resources: a form that posts back
 * to the same address. Every text from the database is HTML-escaped. The
 * token is a one-time capability: its digest is the survey_invitations row
 * id (crm_survey_invitation_id_for_token), and the response is written as
 * synced rows with this server's clock, so desktops pull it like any edit. */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <locale.h>
#include <string.h>

#include "crm-hlc.h"
#include "crm-server-survey-form.h"
#include "crm-survey-form.h"
#include "crm-uuid.h"

/* glibc caches translations per locale; changing LANGUAGE needs this bumped
 * (GNU gettext manual, "Being a gettext grok"). */
extern int _nl_msg_cat_cntr;

#define TOKEN_LENGTH 64
#define MAX_FIELDS 1000
/* The clock's replica id for rows the form writes. */
#define FORM_CLIENT_ID "crm-server-survey-form"

struct _CrmServerSurveyForm
{
  CrmServerBackend *backend;
  CrmHlc *hlc;
  gboolean follow_up;
  char *follow_up_assignee;   /* NULL: the customer's owner */
};


typedef enum
{
  PAGE_FORM,
  PAGE_THANKS,
  PAGE_UNKNOWN,
  PAGE_USED,
  PAGE_CLOSED,
  PAGE_MALFORMED,
  PAGE_TOO_LARGE,
  PAGE_METHOD,
  PAGE_FAILED,
} PageKind;

static void
survey_form_free (gpointer data)
{
  CrmServerSurveyForm *form = data;

  crm_hlc_free (form->hlc);
  g_free (form->follow_up_assignee);
  g_free (form);
}

/* --- language ------------------------------------------------------------ */

const char *
crm_server_survey_form_pick_language (const char *accept_language,
                                      const char *lang_query)
{
  g_auto(GStrv) ranges = NULL;
  double best_q = 0;
  const char *best = "en";

  if (lang_query != NULL)
    return g_ascii_strncasecmp (lang_query, "zh", 2) == 0 ? "zh_CN" : "en";
  if (accept_language == NULL || strlen (accept_language) > 1000)
    return "en";

  ranges = g_strsplit (accept_language, ",", 50);
  for (guint i = 0; ranges[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (ranges[i], ";", 4);
      g_autofree char *tag = NULL;
      double q = 1.0;

      if (parts[0] == NULL)
        continue;
      tag = g_strstrip (g_strdup (parts[0]));

      for (guint p = 1; parts[p] != NULL; p++)
        {
          g_autofree char *param = g_strstrip (g_strdup (parts[p]));

          if (g_str_has_prefix (param, "q="))
            q = g_ascii_strtod (param + 2, NULL);
        }
      if (q <= best_q)
        continue;
      if (g_ascii_strncasecmp (tag, "zh", 2) == 0)
        best = "zh_CN", best_q = q;
      else if (g_ascii_strncasecmp (tag, "en", 2) == 0)
        best = "en", best_q = q;
    }
  return best;
}

/* Translations follow LANGUAGE while a page is made; the server answers
 * one request at a time on its main context, so this is not racy there. */
static char *
language_push (const char *language)
{
  char *saved = g_strdup (g_getenv ("LANGUAGE"));

  g_setenv ("LANGUAGE", language, TRUE);
  ++_nl_msg_cat_cntr;
  return saved;
}

static void
language_pop (char *saved)
{
  if (saved != NULL)
    g_setenv ("LANGUAGE", saved, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  ++_nl_msg_cat_cntr;
  g_free (saved);
}

static const char *data_string (JsonObject *data,
                                const char *field);

/* --- HTML ---------------------------------------------------------------- */

static const char style[] =
  "body{font:1.05rem/1.5 system-ui,sans-serif;margin:0;padding:1rem;color:#1d1d1d;background:#fafafa}"
  "main{max-width:40rem;margin:0 auto}"
  "h1{font-size:1.5rem;margin:.5rem 0 1rem}"
  "fieldset{border:1px solid #ccc;border-radius:.5rem;margin:0 0 1rem;padding:.75rem 1rem;background:#fff}"
  "legend{font-weight:600;padding:0 .25rem}"
  ".scale{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0}"
  ".scale label{display:flex;flex-direction:column;align-items:center;min-width:2.6rem;"
  "padding:.35rem;border:1px solid #bbb;border-radius:.4rem;cursor:pointer}"
  ".choice label{display:block;padding:.35rem 0}"
  "input{accent-color:#1a5fb4}"
  "input:focus-visible,textarea:focus-visible,button:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}"
  "textarea{width:100%;box-sizing:border-box;min-height:6rem;font:inherit}"
  ".hint{color:#555;font-size:.9rem;margin:0}"
  ".error{color:#a51d2d;font-weight:600}"
  ".errors{border:2px solid #a51d2d;border-radius:.5rem;padding:.5rem 1rem;background:#fff}"
  "button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:.4rem;background:#1a5fb4;color:#fff}"
  "@media (prefers-color-scheme:dark){body{background:#1e1e1e;color:#eee}fieldset,.errors{background:#2a2a2a}"
  ".hint{color:#bbb}.error{color:#ff7b63}}";

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (out, escaped);
}

static void
page_begin (GString    *out,
            const char *language,
            const char *title)
{
  g_string_append_printf (out,
                          "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                          "<meta name=\"robots\" content=\"noindex\">\n<title>",
                          g_str_equal (language, "zh_CN") ? "zh-CN" : "en");
  append_escaped (out, title);
  g_string_append_printf (out, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>", style);
  append_escaped (out, title);
  g_string_append (out, "</h1>\n");
}

static void
page_end (GString *out)
{
  g_string_append (out, "</main>\n</body>\n</html>\n");
}

static void
message_page (GString    *out,
              const char *language,
              PageKind    kind)
{
  const char *title, *text;

  switch (kind)
    {
    case PAGE_THANKS:
      title = _("Thank you!");
      text = _("Your answers were saved. You can close this page.");
      break;
    case PAGE_USED:
      title = _("Already answered");
      text = _("This survey was already answered with this link. Each link can be used once. Thank you!");
      break;
    case PAGE_CLOSED:
      title = _("Survey closed");
      text = _("This survey no longer takes answers. Thank you for your interest.");
      break;
    case PAGE_MALFORMED:
      title = _("The answers could not be read");
      text = _("Your browser sent something this form does not understand. Go back, reload the page and try again.");
      break;
    case PAGE_TOO_LARGE:
      title = _("Too much text");
      text = _("The answers are longer than this form accepts. Go back, shorten the text and send again.");
      break;
    case PAGE_METHOD:
      title = _("The answers could not be read");
      text = _("Open the survey link in a browser to answer it.");
      break;
    case PAGE_FAILED:
      title = _("Something went wrong on our side");
      text = _("Your answers were not saved. Please try again in a few minutes.");
      break;
    case PAGE_UNKNOWN:
    case PAGE_FORM:
    default:
      title = _("Survey link not found");
      text = _("This link is not valid. Check that it was copied completely, or ask us for a new one.");
      break;
    }
  page_begin (out, language, title);
  g_string_append (out, "<p>");
  append_escaped (out, text);
  g_string_append (out, "</p>\n");
  page_end (out);
}

static guint
status_of (PageKind kind)
{
  switch (kind)
    {
    case PAGE_FORM:
    case PAGE_THANKS:
      return SOUP_STATUS_OK;
    case PAGE_USED:
    case PAGE_CLOSED:
      return SOUP_STATUS_GONE;
    case PAGE_MALFORMED:
      return SOUP_STATUS_BAD_REQUEST;
    case PAGE_TOO_LARGE:
      return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
    case PAGE_METHOD:
      return SOUP_STATUS_METHOD_NOT_ALLOWED;
    case PAGE_FAILED:
      return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    case PAGE_UNKNOWN:
    default:
      return SOUP_STATUS_NOT_FOUND;
    }
}

static const char *
form_field_value (GHashTable *values,
                  const char *name,
                  guint       index)
{
  GPtrArray *list = values ? g_hash_table_lookup (values, name) : NULL;

  return list != NULL && index < list->len ? g_ptr_array_index (list, index) : NULL;
}

static gboolean
form_field_has (GHashTable *values,
                const char *name,
                const char *value)
{
  GPtrArray *list = values ? g_hash_table_lookup (values, name) : NULL;

  for (guint i = 0; list != NULL && i < list->len; i++)
    if (g_str_equal (g_ptr_array_index (list, i), value))
      return TRUE;
  return FALSE;
}

static void
append_scale (GString                     *out,
              const CrmSurveyFormQuestion *q,
              const char                  *name,
              GHashTable                  *values,
              const char                  *described_by)
{
  int min, max;

  crm_survey_question_kind_scale (q->kind, &min, &max);
  g_string_append (out, "<p class=\"hint\">");
  if (q->kind == CRM_SURVEY_QUESTION_NPS)
    append_escaped (out, _("0 = not at all likely, 10 = extremely likely"));
  else if (q->kind == CRM_SURVEY_QUESTION_CSAT)
    append_escaped (out, _("1 = very dissatisfied, 5 = very satisfied"));
  else
    append_escaped (out, _("1 = poor, 5 = excellent"));
  g_string_append (out, "</p>\n<div class=\"scale\">\n");
  for (int v = min; v <= max; v++)
    {
      char value[4];

      g_snprintf (value, sizeof value, "%d", v);
      g_string_append_printf (out, "<label><input type=\"radio\" name=\"%s\" value=\"%d\"%s%s%s%s%s> %d</label>\n",
                              name, v, q->required ? " required" : "",
                              form_field_has (values, name, value) ? " checked" : "",
                              described_by ? " aria-describedby=\"" : "", described_by ? described_by : "",
                              described_by ? "\"" : "", v);
    }
  g_string_append (out, "</div>\n");
}

static void
form_page (GString     *out,
           const char  *language,
           const char  *token,
           JsonObject  *survey,
           GPtrArray   *questions,
           GHashTable  *values,
           GPtrArray   *errors)      /* per question: a message or NULL */
{
  const char *title = data_string (survey, "title");
  const char *description = data_string (survey, "description");
  gboolean any_error = FALSE;

  for (guint i = 0; errors != NULL && i < errors->len; i++)
    any_error |= g_ptr_array_index (errors, i) != NULL;

  page_begin (out, language, title);
  if (description != NULL && *description != '\0')
    {
      g_string_append (out, "<p>");
      append_escaped (out, description);
      g_string_append (out, "</p>\n");
    }
  if (any_error)
    {
      g_string_append (out, "<div class=\"errors\" role=\"alert\">\n<p class=\"error\">");
      append_escaped (out, _("Please check your answers:"));
      g_string_append (out, "</p>\n<ul>\n");
      for (guint i = 0; i < errors->len; i++)
        if (g_ptr_array_index (errors, i) != NULL)
          {
            g_string_append_printf (out, "<li><a href=\"#q%u\">", i + 1);
            append_escaped (out, g_ptr_array_index (errors, i));
            g_string_append (out, "</a></li>\n");
          }
      g_string_append (out, "</ul>\n</div>\n");
    }
  /* The token is 64 hex digits, checked before: safe in an attribute. */
  g_string_append_printf (out, "<form method=\"post\" action=\"/s/%s\" accept-charset=\"utf-8\">\n", token);
  for (guint i = 0; i < questions->len; i++)
    {
      const CrmSurveyFormQuestion *q = g_ptr_array_index (questions, i);
      const char *error = errors ? g_ptr_array_index (errors, i) : NULL;
      g_autofree char *name = g_strdup_printf ("q-%s", q->id);
      g_autofree char *error_id = error ? g_strdup_printf ("e%u", i + 1) : NULL;

      g_string_append_printf (out, "<fieldset id=\"q%u\">\n<legend>%u. ", i + 1, i + 1);
      append_escaped (out, q->text);
      if (q->required)
        {
          g_string_append (out, " <span class=\"hint\">");
          append_escaped (out, _("(required)"));
          g_string_append (out, "</span>");
        }
      g_string_append (out, "</legend>\n");
      if (error != NULL)
        {
          g_string_append_printf (out, "<p class=\"error\" id=\"%s\">", error_id);
          append_escaped (out, error);
          g_string_append (out, "</p>\n");
        }
      switch (q->kind)
        {
        case CRM_SURVEY_QUESTION_NPS:
        case CRM_SURVEY_QUESTION_CSAT:
        case CRM_SURVEY_QUESTION_RATING:
          append_scale (out, q, name, values, error_id);
          break;
        case CRM_SURVEY_QUESTION_SINGLE:
        case CRM_SURVEY_QUESTION_MULTI:
          g_string_append (out, "<div class=\"choice\">\n");
          for (guint o = 0; q->options[o] != NULL; o++)
            {
              char value[12];

              g_snprintf (value, sizeof value, "%u", o);
              g_string_append_printf (out, "<label><input type=\"%s\" name=\"%s\" value=\"%u\"%s%s> ",
                                      q->kind == CRM_SURVEY_QUESTION_SINGLE ? "radio" : "checkbox", name, o,
                                      q->required && q->kind == CRM_SURVEY_QUESTION_SINGLE ? " required" : "",
                                      form_field_has (values, name, value) ? " checked" : "");
              append_escaped (out, q->options[o]);
              g_string_append (out, "</label>\n");
            }
          g_string_append (out, "</div>\n");
          break;
        case CRM_SURVEY_QUESTION_TEXT:
        default:
          g_string_append_printf (out, "<textarea name=\"%s\" maxlength=\"%d\" aria-label=\"", name,
                                  CRM_SURVEY_MAX_TEXT);
          append_escaped (out, q->text);
          g_string_append_printf (out, "\"%s%s%s%s>", q->required ? " required" : "",
                                  error_id ? " aria-invalid=\"true\" aria-describedby=\"" : "",
                                  error_id ? error_id : "", error_id ? "\"" : "");
          append_escaped (out, form_field_value (values, name, 0));
          g_string_append (out, "</textarea>\n");
          break;
        }
      g_string_append (out, "</fieldset>\n");
    }
  g_string_append (out, "<button type=\"submit\">");
  append_escaped (out, _("Send answers"));
  g_string_append (out, "</button>\n</form>\n");
  page_end (out);
}

/* --- reading the request ------------------------------------------------- */

static gboolean
token_is_well_formed (const char *token)
{
  if (token == NULL || strlen (token) != TOKEN_LENGTH)
    return FALSE;
  for (guint i = 0; i < TOKEN_LENGTH; i++)
    if (!g_ascii_isxdigit (token[i]) || g_ascii_isupper (token[i]))
      return FALSE;
  return TRUE;
}

static char *
form_unescape (const char *text,
               gsize       length)
{
  g_autofree char *plus = g_strndup (text, length);
  char *decoded;

  g_strdelimit (plus, "+", ' ');
  decoded = g_uri_unescape_string (plus, NULL);
  if (decoded != NULL && !g_utf8_validate (decoded, -1, NULL))
    g_clear_pointer (&decoded, g_free);
  return decoded;
}

GHashTable *
crm_server_survey_form_decode (const char *body,
                               gsize       length)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_ptr_array_unref);
  const char *p = body, *end = body + length;
  guint fields = 0;

  if (memchr (body, '\0', length) != NULL)
    return NULL;
  while (p < end)
    {
      const char *amp = memchr (p, '&', end - p);
      const char *field_end = amp ? amp : end;
      const char *eq = memchr (p, '=', field_end - p);
      g_autofree char *name = NULL;
      char *value;
      GPtrArray *list;

      if (field_end == p)
        {
          p = field_end + 1;
          continue;
        }
      if (eq == NULL || ++fields > MAX_FIELDS)
        return NULL;
      name = form_unescape (p, eq - p);
      value = form_unescape (eq + 1, field_end - eq - 1);
      if (name == NULL || value == NULL)
        {
          g_free (value);
          return NULL;
        }
      list = g_hash_table_lookup (values, name);
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (values, g_strdup (name), list);
        }
      g_ptr_array_add (list, value);
      p = field_end + 1;
    }
  return g_steal_pointer (&values);
}

/* --- the survey from the server's rows ----------------------------------- */

static const char *
data_string (JsonObject *data,
             const char *field)
{
  JsonNode *node = data ? json_object_get_member (data, field) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static GPtrArray *
load_questions (CrmServerSurveyForm  *form,
                const char           *survey_id,
                GError              **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) questions = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_question_free);

  if (form->backend->vtable->rows_with_field == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "this storage cannot list survey questions");
      return NULL;
    }
  rows = form->backend->vtable->rows_with_field (form->backend, "survey_questions", "survey_id", survey_id, error);
  if (rows == NULL)
    return NULL;
  for (guint i = 0; i < rows->len; i++)
    {
      CrmServerRow *row = g_ptr_array_index (rows, i);
      g_autoptr(JsonObject) data = json_object_ref (row->data);
      CrmSurveyFormQuestion *q;

      if (row->deleted)
        continue;
      json_object_set_string_member (data, "id", row->id);
      q = crm_survey_form_question_new_from_json (data, error);
      if (q == NULL)
        return NULL;
      g_ptr_array_add (questions, q);
    }
  crm_survey_form_sort (questions);
  return g_steal_pointer (&questions);
}

/* What the token opens: the invitation and its survey, or the page that
 * says why not. */
static PageKind
open_invitation (CrmServerSurveyForm  *form,
                 const char           *token,
                 CrmServerRow        **out_invitation,
                 CrmServerRow        **out_survey)
{
  g_autofree char *id = NULL;
  g_autoptr(CrmServerRow) invitation = NULL;
  g_autoptr(CrmServerRow) survey = NULL;
  const char *status;

  if (!token_is_well_formed (token))
    return PAGE_UNKNOWN;
  id = crm_survey_invitation_id_for_token (token);
  invitation = form->backend->vtable->get_row (form->backend, "survey_invitations", id, NULL);
  if (invitation == NULL || invitation->deleted)
    return PAGE_UNKNOWN;
  if (data_string (invitation->data, "used_at") != NULL)
    return PAGE_USED;
  survey = form->backend->vtable->get_row (form->backend, "surveys", data_string (invitation->data, "survey_id"), NULL);
  if (survey == NULL || survey->deleted)
    return PAGE_UNKNOWN;
  status = data_string (survey->data, "status");
  if (g_strcmp0 (status, "closed") == 0)
    return PAGE_CLOSED;
  {
    const char *expires = data_string (invitation->data, "expires_at");
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) expires_at = expires ? g_date_time_new_from_iso8601 (expires, NULL) : NULL;

    if (expires_at != NULL && g_date_time_compare (now, expires_at) > 0)
      return PAGE_CLOSED;
  }
  if (out_invitation)
    *out_invitation = g_steal_pointer (&invitation);
  if (out_survey)
    *out_survey = g_steal_pointer (&survey);
  return PAGE_FORM;
}

/* --- writing the response ------------------------------------------------ */

static CrmServerRow *
new_row (const char *table,
         const char *hlc,
         const char *owner_id)
{
  CrmServerRow *row = g_new0 (CrmServerRow, 1);
  g_autofree char *id = crm_uuid_v7_new ();

  row->table = g_strdup (table);
  row->id = g_steal_pointer (&id);
  row->data = json_object_new ();
  row->meta = json_object_new ();
  json_object_set_string_member (row->data, "created_at", hlc);
  json_object_set_int_member (row->data, "deleted", 0);
  if (owner_id != NULL)
    json_object_set_string_member (row->data, "owner_id", owner_id);
  else
    json_object_set_null_member (row->data, "owner_id");
  return row;
}

/* Every field was written at @hlc; put_row fills in the seq. */
static void
stamp_fields (CrmServerRow *row,
              const char   *hlc)
{
  JsonObjectIter iter;
  const char *field;
  JsonNode *value;

  json_object_iter_init (&iter, row->data);
  while (json_object_iter_next (&iter, &field, &value))
    {
      JsonArray *pair = json_array_new ();

      json_array_add_string_element (pair, hlc);
      json_array_add_int_element (pair, 0);
      json_object_set_array_member (row->meta, field, pair);
    }
}

static void
set_field (CrmServerRow *row,
           const char   *field,
           JsonNode     *value,
           const char   *hlc)
{
  JsonArray *pair = json_array_new ();

  json_object_set_member (row->data, field, value);
  json_array_add_string_element (pair, hlc);
  json_array_add_int_element (pair, 0);
  json_object_set_array_member (row->meta, field, pair);
}

static JsonNode *
string_node (const char *text)
{
  return text ? json_node_init_string (json_node_alloc (), text) : json_node_new (JSON_NODE_NULL);
}

static gboolean
write_response (CrmServerSurveyForm  *form,
                const char           *token,
                CrmServerRow         *survey,
                GPtrArray            *questions,
                GPtrArray            *answers,
                PageKind             *out_page,
                GError              **error)
{
  CrmServerBackend *backend = form->backend;
  g_autoptr(CrmServerRow) invitation = NULL;
  g_autoptr(CrmServerRow) contact = NULL;
  g_autoptr(CrmServerRow) response = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *submitted_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *hlc = crm_hlc_now (form->hlc);
  const CrmSurveyFormQuestion *unhappy = NULL;
  gint64 unhappy_value = 0;
  const char *contact_id, *owner_id;

  if (!backend->vtable->begin (backend, error))
    return FALSE;
  /* Again inside the transaction: two tabs sending at once write once. */
  *out_page = open_invitation (form, token, &invitation, NULL);
  if (*out_page != PAGE_FORM)
    {
      backend->vtable->rollback (backend);
      return TRUE;
    }
  contact_id = data_string (invitation->data, "contact_id");
  owner_id = data_string (invitation->data, "owner_id");
  if (contact_id != NULL)
    contact = backend->vtable->get_row (backend, "contacts", contact_id, NULL);

  response = new_row ("survey_responses", hlc, owner_id);
  json_object_set_string_member (response->data, "survey_id", survey->id);
  json_object_set_member (response->data, "contact_id", string_node (contact ? contact_id : NULL));
  json_object_set_string_member (response->data, "channel", "web");
  json_object_set_string_member (response->data, "submitted_at", submitted_at);
  stamp_fields (response, hlc);
  response->scope_owner = g_strdup (contact ? contact->scope_owner : owner_id);
  if (!backend->vtable->put_row (backend, response, error))
    goto failed;

  for (guint i = 0; i < answers->len; i++)
    {
      const CrmSurveyFormAnswer *a = g_ptr_array_index (answers, i);
      g_autoptr(CrmServerRow) row = new_row ("survey_answers", hlc, owner_id);
      g_autofree char *choices = crm_survey_form_answer_dup_choices_json (a);

      json_object_set_string_member (row->data, "response_id", response->id);
      json_object_set_string_member (row->data, "question_id", a->question_id);
      if (a->has_number)
        json_object_set_int_member (row->data, "value_number", a->number);
      else
        json_object_set_null_member (row->data, "value_number");
      json_object_set_member (row->data, "value_text", string_node (a->text));
      json_object_set_member (row->data, "value_choices",
                              choices ? json_from_string (choices, NULL) : json_node_new (JSON_NODE_NULL));
      stamp_fields (row, hlc);
      row->scope_owner = g_strdup (owner_id);
      if (!backend->vtable->put_row (backend, row, error))
        goto failed;

      for (guint q = 0; q < questions->len; q++)
        {
          const CrmSurveyFormQuestion *question = g_ptr_array_index (questions, q);

          if (g_str_equal (question->id, a->question_id) && a->has_number &&
              crm_survey_answer_needs_follow_up (question->kind, a->number) &&
              (unhappy == NULL || a->number < unhappy_value))
            {
              unhappy = question;
              unhappy_value = a->number;
            }
        }
    }

  set_field (invitation, "used_at", string_node (submitted_at), hlc);
  set_field (invitation, "response_id", string_node (response->id), hlc);
  if (!backend->vtable->put_row (backend, invitation, error))
    goto failed;

  /* A detractor is followed up by the customer's owner, as on the
   * desktop, or by whom the server was told (crm-server --survey-follow-up). */
  if (form->follow_up && unhappy != NULL && contact != NULL)
    {
      const char *contact_owner = data_string (contact->data, "owner_id");
      const char *assignee = form->follow_up_assignee ? form->follow_up_assignee : contact_owner;
      const char *title = data_string (survey->data, "title");
      g_autoptr(CrmServerRow) complaint = new_row ("activities", hlc, contact_owner);
      g_autofree char *subject = NULL;

      if (unhappy->kind == CRM_SURVEY_QUESTION_NPS)
        subject = g_strdup_printf (_("Follow up: NPS %d in “%s”"), (int) unhappy_value, title ? title : "");
      else
        subject = g_strdup_printf (_("Follow up: satisfaction %d of 5 in “%s”"), (int) unhappy_value,
                                   title ? title : "");
      json_object_set_string_member (complaint->data, "contact_id", contact_id);
      json_object_set_string_member (complaint->data, "kind", "complaint");
      json_object_set_string_member (complaint->data, "subject", subject);
      json_object_set_string_member (complaint->data, "body", unhappy->text);
      json_object_set_member (complaint->data, "assignee_id", string_node (assignee));
      json_object_set_string_member (complaint->data, "priority",
                                     unhappy_value <= (unhappy->kind == CRM_SURVEY_QUESTION_NPS ? 3 : 1)
                                       ? "high" : "normal");
      json_object_set_string_member (complaint->data, "status", "open");
      json_object_set_string_member (complaint->data, "category", "survey");
      json_object_set_string_member (complaint->data, "survey_response_id", response->id);
      stamp_fields (complaint, hlc);
      complaint->scope_owner = g_strdup (contact->scope_owner);
      if (!backend->vtable->put_row (backend, complaint, error))
        goto failed;
    }

  if (!backend->vtable->audit (backend, NULL, FORM_CLIENT_ID, 0, "survey_responses", response->id,
                               "insert", "applied", error) ||
      !backend->vtable->commit (backend, error))
    goto failed;
  *out_page = PAGE_THANKS;
  return TRUE;

failed:
  backend->vtable->rollback (backend);
  return FALSE;
}

/* The visitor's language: core's messages go through g_dgettext(), which
 * decides once per process whether to translate, so the same texts are
 * made here with gettext(). */
static char *
answer_problem (const CrmSurveyFormQuestion *q,
                guint                        number,
                const char * const          *values,
                const GError                *error)
{
  int min, max;

  if (g_error_matches (error, CRM_SURVEY_ERROR, CRM_SURVEY_ERROR_MISSING_ANSWER))
    return g_strdup_printf (_("Question %u needs an answer."), number);
  if (crm_survey_question_kind_scale (q->kind, &min, &max))
    return g_strdup_printf (_("Question %u: choose one number from %d to %d."), number, min, max);
  if (q->kind == CRM_SURVEY_QUESTION_SINGLE && values[0] != NULL && values[1] != NULL)
    return g_strdup_printf (_("Question %u: choose one of the options."), number);
  if (q->kind == CRM_SURVEY_QUESTION_SINGLE || q->kind == CRM_SURVEY_QUESTION_MULTI)
    return g_strdup_printf (_("Question %u: that is not one of the options."), number);
  for (guint i = 0; values[i] != NULL; i++)
    if (g_utf8_validate (values[i], -1, NULL) && g_utf8_strlen (values[i], -1) > CRM_SURVEY_MAX_TEXT)
      return g_strdup_printf (_("Question %u: the answer is longer than %d characters. Shorten it."),
                              number, CRM_SURVEY_MAX_TEXT);
  return g_strdup_printf (_("Question %u: the answer is not readable text."), number);
}

/* --- the handler --------------------------------------------------------- */

static void
respond_page (SoupServerMessage *msg,
              guint              status,
              GString           *page)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gsize length = page->len;

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  /* The token is in the address: never send it on as a referrer. */
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_string_free (page, FALSE), length);
}

static void
handle_survey_form (SoupServer        *server,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  CrmServerSurveyForm *form = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *language = crm_server_survey_form_pick_language (
    soup_message_headers_get_one (request_headers, "Accept-Language"),
    query ? g_hash_table_lookup (query, "lang") : NULL);
  const char *token = g_str_has_prefix (path, "/s/") ? path + 3 : NULL;
  g_autoptr(CrmServerRow) invitation = NULL;
  g_autoptr(CrmServerRow) survey = NULL;
  g_autoptr(GPtrArray) questions = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GPtrArray) answers = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GError) error = NULL;
  gboolean any_error = FALSE;
  GString *page = g_string_new (NULL);
  char *saved_language;
  PageKind kind;
  guint status;

  kind = open_invitation (form, token, &invitation, &survey);
  if (kind == PAGE_FORM && !g_str_equal (method, "GET") && !g_str_equal (method, "HEAD") &&
      !g_str_equal (method, "POST"))
    kind = PAGE_METHOD;
  if (kind == PAGE_FORM)
    {
      questions = load_questions (form, survey->id, &error);
      if (questions == NULL)
        kind = PAGE_FAILED;
    }

  saved_language = language_push (language);
  if (kind == PAGE_FORM && g_str_equal (method, "POST"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      const char *content_type = soup_message_headers_get_content_type (request_headers, NULL);
      gsize length;
      const char *data = g_bytes_get_data (bytes, &length);

      if (length > CRM_SURVEY_FORM_MAX_BODY)
        kind = PAGE_TOO_LARGE;
      else if (g_strcmp0 (content_type, "application/x-www-form-urlencoded") != 0 ||
               (values = crm_server_survey_form_decode (data ? data : "", length)) == NULL)
        kind = PAGE_MALFORMED;
      else
        {
          answers = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_answer_free);
          errors = g_ptr_array_new_with_free_func (g_free);
          for (guint i = 0; i < questions->len; i++)
            {
              const CrmSurveyFormQuestion *q = g_ptr_array_index (questions, i);
              g_autofree char *name = g_strdup_printf ("q-%s", q->id);
              GPtrArray *list = g_hash_table_lookup (values, name);
              g_autoptr(GPtrArray) given = g_ptr_array_new ();
              g_autoptr(GError) answer_error = NULL;
              CrmSurveyFormAnswer *answer = NULL;

              for (guint v = 0; list != NULL && v < list->len; v++)
                g_ptr_array_add (given, g_ptr_array_index (list, v));
              g_ptr_array_add (given, NULL);
              if (!crm_survey_form_parse_answer (q, i + 1, (const char * const *) given->pdata, &answer,
                                                 &answer_error))
                {
                  g_ptr_array_add (errors, answer_problem (q, i + 1, (const char * const *) given->pdata,
                                                           answer_error));
                  any_error = TRUE;
                  continue;
                }
              g_ptr_array_add (errors, NULL);
              if (answer != NULL)
                g_ptr_array_add (answers, answer);
            }
        }
    }
  language_pop (saved_language);

  if (kind == PAGE_FORM && g_str_equal (method, "POST") && !any_error)
    {
      if (!write_response (form, token, survey, questions, answers, &kind, &error))
        {
          g_warning ("survey form: could not store a response: %s", error->message);
          kind = PAGE_FAILED;
        }
    }

  saved_language = language_push (language);
  if (kind == PAGE_FORM)
    form_page (page, language, token, survey->data, questions, values, errors);
  else
    message_page (page, language, kind);
  language_pop (saved_language);

  status = status_of (kind);
  /* A form sent back with problems is unprocessable, not a fresh page. */
  if (kind == PAGE_FORM && any_error)
    status = SOUP_STATUS_UNPROCESSABLE_ENTITY;
  respond_page (msg, status, page);
  /* Never log the token: it answers the survey. */
  g_message ("request method=%s path=/s/… status=%u", method, status);
}

CrmServerSurveyForm *
crm_server_survey_form_install (SoupServer       *soup,
                                CrmServerBackend *backend)
{
  CrmServerSurveyForm *form = g_new0 (CrmServerSurveyForm, 1);
  const char *messages = setlocale (LC_MESSAGES, NULL);

  form->backend = backend;
  form->hlc = crm_hlc_new (FORM_CLIENT_ID);
  form->follow_up = TRUE;
  /* gettext ignores LANGUAGE in the C locale; C.UTF-8 honours it. */
  if (messages == NULL || g_str_equal (messages, "C") || g_str_equal (messages, "POSIX"))
    setlocale (LC_MESSAGES, "C.UTF-8");
  soup_server_add_handler (soup, "/s", handle_survey_form, form, survey_form_free);
  return form;
}

void
crm_server_survey_form_set_follow_up (CrmServerSurveyForm *form,
                                      gboolean             enabled,
                                      const char          *assignee_id)
{
  g_return_if_fail (form != NULL);

  form->follow_up = enabled;
  g_free (form->follow_up_assignee);
  form->follow_up_assignee = g_strdup (assignee_id);
}
