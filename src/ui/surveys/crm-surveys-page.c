/* crm-surveys-page.c: the Surveys workspace: survey builder, phone-survey fast entry, results with the NPS chart */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "crm-change-set.h"
#include "crm-chart-view.h"
#include "crm-contact.h"
#include "crm-contact-labels.h"
#include "crm-contact-lookup.h"
#include "crm-survey-distribution.h"
#include "crm-survey-preview.h"
#include "crm-survey-send-dialog.h"
#include "crm-surveys-page.h"
#include "crm-surveys.h"
#include "crm-value.h"

struct _CrmSurveysPage
{
  GtkWidget          parent_instance;

  CrmContext        *context;
  char              *survey_id;
  GPtrArray         *form;            /* CrmSurveyFormQuestion of the shown survey */
  CrmSurveyResults  *results;
  CrmChangeSet      *undo;

  /* Phone entry: one GPtrArray of form values (char *) per question. */
  GPtrArray         *entry_values;
  guint              entry_index;
  char              *entry_contact_id;
  char              *entry_answer;
  char              *last_link;       /* the web-form link copied last */
  GtkWindow         *last_dialog;     /* the preview or send dialog opened last (weak) */

  /* Template widgets */
  AdwToastOverlay   *toast_overlay;
  GtkEntry          *new_title_entry;
  GtkListBox        *survey_list;
  GtkStack          *main_stack;
  GtkLabel          *title_label;
  GtkLabel          *status_label;
  GtkButton         *status_button;
  AdwViewStack      *view_stack;
  GtkListBox        *questions_list;
  GtkDropDown       *kind_dropdown;
  GtkEntry          *question_entry;
  GtkEntry          *options_entry;
  GtkCheckButton    *required_check;
  GtkWidget         *entry_box;
  GtkEntry          *contact_entry;
  GtkLabel          *contact_label;
  GtkLabel          *entry_progress_label;
  GtkLabel          *entry_question_label;
  GtkLabel          *entry_hint_label;
  GtkLabel          *entry_answer_label;
  GtkEntry          *entry_text;
  GtkLabel          *summary_label;
  CrmChartView      *nps_chart;
  GtkLabel          *details_label;
  GtkSearchEntry    *text_search_entry;
  GtkListBox        *texts_list;
};

G_DEFINE_FINAL_TYPE (CrmSurveysPage, crm_surveys_page, GTK_TYPE_WIDGET)

/* In the order of the kind drop-down. */
static const CrmSurveyQuestionKind kind_order[] = {
  CRM_SURVEY_QUESTION_NPS, CRM_SURVEY_QUESTION_CSAT, CRM_SURVEY_QUESTION_RATING,
  CRM_SURVEY_QUESTION_SINGLE, CRM_SURVEY_QUESTION_MULTI, CRM_SURVEY_QUESTION_TEXT,
};

static const char *
kind_label (CrmSurveyQuestionKind kind)
{
  switch (kind)
    {
    case CRM_SURVEY_QUESTION_NPS:
      return _("NPS (0–10)");
    case CRM_SURVEY_QUESTION_CSAT:
      return _("Satisfaction (1–5)");
    case CRM_SURVEY_QUESTION_RATING:
      return _("Rating (1–5)");
    case CRM_SURVEY_QUESTION_SINGLE:
      return _("Single choice");
    case CRM_SURVEY_QUESTION_MULTI:
      return _("Multiple choice");
    case CRM_SURVEY_QUESTION_TEXT:
    default:
      return _("Free text");
    }
}

static void
show_error (CrmSurveysPage *self,
            const GError   *error)
{
  AdwToast *toast = adw_toast_new (error->message);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
show_toast (CrmSurveysPage *self,
            const char     *title,
            gboolean        can_undo)
{
  AdwToast *toast = adw_toast_new (title);

  if (can_undo)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "surveys.undo");
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static CrmStore *
get_store (CrmSurveysPage *self)
{
  return self->context ? crm_context_get_store (self->context) : NULL;
}

static void
clear_list_box (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
two_line_row (const char *title,
              const char *subtitle)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *sub = gtk_label_new (subtitle);

  /* Plain text, never markup: titles and answers are other people's text. */
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_widget_add_css_class (sub, "caption");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), sub);
  gtk_widget_set_visible (sub, subtitle != NULL && *subtitle != '\0');
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  return box;
}

static const char *
status_text (const char *status)
{
  if (g_strcmp0 (status, "open") == 0)
    return _("Open");
  if (g_strcmp0 (status, "closed") == 0)
    return _("Closed");
  return _("Draft");
}

/* --- survey list ---------------------------------------------------------- */

static void select_survey (CrmSurveysPage *self, const char *id);

static void
reload_surveys (CrmSurveysPage *self)
{
  g_autoptr(GPtrArray) surveys = NULL;
  g_autoptr(GError) error = NULL;
  GtkListBoxRow *selected_row = NULL;

  if (get_store (self) == NULL)
    return;
  surveys = crm_surveys_list (get_store (self), &error);
  if (surveys == NULL)
    {
      show_error (self, error);
      return;
    }
  g_signal_handlers_block_matched (self->survey_list, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  clear_list_box (self->survey_list);
  for (guint i = 0; i < surveys->len; i++)
    {
      CrmRecord *survey = g_ptr_array_index (surveys, i);
      GtkWidget *row = gtk_list_box_row_new ();

      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row),
                                  two_line_row (crm_record_get_string (survey, "title"),
                                                status_text (crm_record_get_string (survey, "status"))));
      g_object_set_data_full (G_OBJECT (row), "survey-id", g_strdup (crm_record_get_id (survey)), g_free);
      gtk_list_box_append (self->survey_list, row);
      if (g_strcmp0 (self->survey_id, crm_record_get_id (survey)) == 0)
        selected_row = GTK_LIST_BOX_ROW (row);
    }
  gtk_list_box_select_row (self->survey_list, selected_row);
  g_signal_handlers_unblock_matched (self->survey_list, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
}

static void
on_survey_selected (CrmSurveysPage *self,
                    GtkListBoxRow  *row)
{
  if (row != NULL)
    select_survey (self, g_object_get_data (G_OBJECT (row), "survey-id"));
}

static void
create_survey (CrmSurveysPage *self,
               const char     *title)
{
  g_autoptr(CrmSurvey) survey = crm_survey_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (title));

  if (get_store (self) == NULL || *trimmed == '\0')
    return;
  g_object_set (survey, "title", trimmed, "status", "draft", NULL);
  if (!crm_store_insert (get_store (self), CRM_RECORD (survey), &error))
    {
      show_error (self, error);
      return;
    }
  g_clear_object (&self->undo);
  self->undo = crm_change_set_new (get_store (self));
  crm_change_set_remember_insert (self->undo, CRM_RECORD (survey));
  gtk_editable_set_text (GTK_EDITABLE (self->new_title_entry), "");
  g_free (self->survey_id);
  self->survey_id = g_strdup (crm_record_get_id (CRM_RECORD (survey)));
  reload_surveys (self);
  select_survey (self, self->survey_id);
  show_toast (self, _("Survey created"), TRUE);
}

static void
on_new_title_activate (CrmSurveysPage *self)
{
  create_survey (self, gtk_editable_get_text (GTK_EDITABLE (self->new_title_entry)));
}

/* --- questions ------------------------------------------------------------ */

static void
reload_questions (CrmSurveysPage *self)
{
  g_autoptr(GError) error = NULL;

  clear_list_box (self->questions_list);
  g_clear_pointer (&self->form, g_ptr_array_unref);
  if (self->survey_id == NULL)
    return;
  self->form = crm_surveys_load_form (get_store (self), self->survey_id, &error);
  if (self->form == NULL)
    {
      show_error (self, error);
      return;
    }
  for (guint i = 0; i < self->form->len; i++)
    {
      const CrmSurveyFormQuestion *q = g_ptr_array_index (self->form, i);
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      g_autofree char *title = g_strdup_printf ("%u. %s", i + 1, q->text);
      g_autofree char *options = g_strjoinv (" · ", q->options);
      g_autofree char *subtitle = g_strdup_printf ("%s%s%s%s", kind_label (q->kind),
                                                   q->required ? _(" · required") : "",
                                                   *options ? " · " : "", options);
      GtkWidget *text = two_line_row (title, subtitle);
      struct { const char *icon; const char *tooltip; const char *action; int delta; } buttons[] = {
        { "go-up-symbolic", N_("Move up"), "surveys.move-question", -1 },
        { "go-down-symbolic", N_("Move down"), "surveys.move-question", 1 },
        { "user-trash-symbolic", N_("Delete question"), "surveys.delete-question", 0 },
      };

      gtk_widget_set_hexpand (text, TRUE);
      gtk_box_append (GTK_BOX (row), text);
      for (guint b = 0; b < G_N_ELEMENTS (buttons); b++)
        {
          GtkWidget *button = gtk_button_new_from_icon_name (buttons[b].icon);

          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_tooltip_text (button, _(buttons[b].tooltip));
          gtk_widget_add_css_class (button, "flat");
          if (buttons[b].delta != 0)
            gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(si)", q->id, buttons[b].delta);
          else
            gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", q->id);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (button), buttons[b].action);
          gtk_box_append (GTK_BOX (row), button);
        }
      gtk_list_box_append (self->questions_list, row);
    }
  if (self->form->len == 0)
    gtk_list_box_append (self->questions_list,
                         two_line_row (_("No questions yet"),
                                       _("Start with an NPS question: it has the standard wording.")));
}

static CrmSurveyQuestionKind
selected_kind (CrmSurveysPage *self)
{
  guint i = gtk_drop_down_get_selected (self->kind_dropdown);

  return i < G_N_ELEMENTS (kind_order) ? kind_order[i] : CRM_SURVEY_QUESTION_NPS;
}

static void
on_kind_changed (CrmSurveysPage *self)
{
  CrmSurveyQuestionKind kind = selected_kind (self);

  gtk_widget_set_visible (GTK_WIDGET (self->options_entry),
                          kind == CRM_SURVEY_QUESTION_SINGLE || kind == CRM_SURVEY_QUESTION_MULTI);
}

static void
add_question (CrmSurveysPage        *self,
              CrmSurveyQuestionKind  kind,
              const char            *text,
              const char            *options,
              gboolean               required)
{
  g_auto(GStrv) option_list = crm_value_split_list (options ? options : "");
  g_autoptr(CrmSurveyQuestion) question = NULL;
  g_autoptr(GError) error = NULL;

  if (self->survey_id == NULL)
    return;
  question = crm_surveys_add_question (get_store (self), self->survey_id, kind, text,
                                       (const char * const *) option_list, required, &error);
  if (question == NULL)
    {
      show_error (self, error);
      return;
    }
  g_clear_object (&self->undo);
  self->undo = crm_change_set_new (get_store (self));
  crm_change_set_remember_insert (self->undo, CRM_RECORD (question));
  gtk_editable_set_text (GTK_EDITABLE (self->question_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->options_entry), "");
  show_toast (self, _("Question added"), TRUE);
}

static void
on_add_question_clicked (CrmSurveysPage *self)
{
  add_question (self, selected_kind (self),
                gtk_editable_get_text (GTK_EDITABLE (self->question_entry)),
                gtk_editable_get_text (GTK_EDITABLE (self->options_entry)),
                gtk_check_button_get_active (self->required_check));
}

/* --- phone entry ---------------------------------------------------------- */

static GPtrArray *
current_values (CrmSurveysPage *self)
{
  if (self->entry_values == NULL || self->entry_index >= self->entry_values->len)
    return NULL;
  return g_ptr_array_index (self->entry_values, self->entry_index);
}

static void
reset_entry (CrmSurveysPage *self)
{
  g_clear_pointer (&self->entry_values, g_ptr_array_unref);
  self->entry_values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; self->form != NULL && i < self->form->len; i++)
    g_ptr_array_add (self->entry_values, g_ptr_array_new_with_free_func (g_free));
  self->entry_index = 0;
}

static void
update_entry (CrmSurveysPage *self)
{
  const CrmSurveyFormQuestion *q;
  GPtrArray *values = current_values (self);
  g_autoptr(GString) answer = g_string_new (NULL);
  g_autofree char *progress = NULL;
  int min, max;

  if (self->form == NULL || self->form->len == 0 || values == NULL)
    {
      gtk_label_set_text (self->entry_progress_label, "");
      gtk_label_set_text (self->entry_question_label, _("Add questions first, then enter answers here."));
      gtk_label_set_text (self->entry_hint_label, "");
      gtk_label_set_text (self->entry_answer_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->entry_text), FALSE);
      g_clear_pointer (&self->entry_answer, g_free);
      return;
    }
  q = g_ptr_array_index (self->form, self->entry_index);
  /* TRANSLATORS: question 2 of 5 */
  progress = g_strdup_printf (_("Question %u of %u"), self->entry_index + 1, self->form->len);
  gtk_label_set_text (self->entry_progress_label, progress);
  gtk_label_set_text (self->entry_question_label, q->text);

  if (crm_survey_question_kind_scale (q->kind, &min, &max))
    {
      g_autofree char *hint = g_strdup_printf (_("Type %d–%d, then Enter. Backspace clears."), min, max);

      gtk_label_set_text (self->entry_hint_label, hint);
    }
  else if (q->kind == CRM_SURVEY_QUESTION_SINGLE || q->kind == CRM_SURVEY_QUESTION_MULTI)
    {
      g_autoptr(GString) hint = g_string_new (q->kind == CRM_SURVEY_QUESTION_MULTI
                                              ? _("Type the numbers of all that apply, then Enter:")
                                              : _("Type the number of the answer, then Enter:"));

      for (guint o = 0; q->options[o] != NULL; o++)
        g_string_append_printf (hint, "  %u %s", o + 1, q->options[o]);
      gtk_label_set_text (self->entry_hint_label, hint->str);
    }
  else
    gtk_label_set_text (self->entry_hint_label, _("Type the answer, then Enter."));

  for (guint i = 0; i < values->len; i++)
    {
      const char *v = g_ptr_array_index (values, i);

      if (answer->len > 0)
        g_string_append (answer, ", ");
      if (q->kind == CRM_SURVEY_QUESTION_SINGLE || q->kind == CRM_SURVEY_QUESTION_MULTI)
        {
          guint64 o = g_ascii_strtoull (v, NULL, 10);

          g_string_append (answer, o < g_strv_length (q->options) ? q->options[o] : v);
        }
      else
        g_string_append (answer, v);
    }
  if (answer->len == 0)
    g_string_assign (answer, q->required ? _("—") : _("— (optional)"));
  g_free (self->entry_answer);
  self->entry_answer = g_strdup (answer->str);
  gtk_label_set_text (self->entry_answer_label, answer->str);
  gtk_widget_set_visible (GTK_WIDGET (self->entry_answer_label), q->kind != CRM_SURVEY_QUESTION_TEXT);
  gtk_widget_set_visible (GTK_WIDGET (self->entry_text), q->kind == CRM_SURVEY_QUESTION_TEXT);
  if (q->kind == CRM_SURVEY_QUESTION_TEXT)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->entry_text),
                             values->len > 0 ? g_ptr_array_index (values, 0) : "");
      if (gtk_widget_get_mapped (GTK_WIDGET (self->entry_text)))
        gtk_widget_grab_focus (GTK_WIDGET (self->entry_text));
    }
}

/* A key typed during phone entry: digits pick answers. For NPS, "1" then
 * "0" is 10. */
static gboolean
entry_type (CrmSurveysPage *self,
            const char     *text)
{
  const CrmSurveyFormQuestion *q;
  GPtrArray *values = current_values (self);
  int min, max;

  if (values == NULL)
    return FALSE;
  q = g_ptr_array_index (self->form, self->entry_index);
  if (q->kind == CRM_SURVEY_QUESTION_TEXT)
    {
      g_ptr_array_set_size (values, 0);
      if (*text != '\0')
        g_ptr_array_add (values, g_strdup (text));
      update_entry (self);
      return TRUE;
    }
  if (strlen (text) != 1 || !g_ascii_isdigit (text[0]))
    return FALSE;
  if (crm_survey_question_kind_scale (q->kind, &min, &max))
    {
      int digit = text[0] - '0';
      int value = digit;

      if (q->kind == CRM_SURVEY_QUESTION_NPS && digit == 0 && values->len == 1 &&
          g_str_equal (g_ptr_array_index (values, 0), "1"))
        value = 10;
      if (value < min || value > max)
        return FALSE;
      g_ptr_array_set_size (values, 0);
      g_ptr_array_add (values, g_strdup_printf ("%d", value));
    }
  else
    {
      guint n = g_strv_length (q->options);
      guint digit = (guint) (text[0] - '0');
      g_autofree char *index = NULL;
      gboolean removed = FALSE;

      if (digit < 1 || digit > n)
        return FALSE;
      index = g_strdup_printf ("%u", digit - 1);
      if (q->kind == CRM_SURVEY_QUESTION_SINGLE)
        g_ptr_array_set_size (values, 0);
      for (guint i = 0; i < values->len && !removed; i++)
        if (g_str_equal (g_ptr_array_index (values, i), index))
          removed = g_ptr_array_remove_index (values, i) != NULL;
      if (!removed)
        g_ptr_array_add (values, g_steal_pointer (&index));
    }
  update_entry (self);
  return TRUE;
}

/* The form values as a NULL-terminated array that does not own them (a
 * g_ptr_array_copy() would take the free function along). */
static GPtrArray *
borrowed_values (GPtrArray *values)
{
  GPtrArray *given = g_ptr_array_sized_new (values->len + 1);

  for (guint i = 0; i < values->len; i++)
    g_ptr_array_add (given, g_ptr_array_index (values, i));
  g_ptr_array_add (given, NULL);
  return given;
}

static void
entry_submit (CrmSurveysPage *self)
{
  g_autoptr(GPtrArray) answers = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_survey_form_answer_free);
  g_auto(CrmSurveySubmission) out = { NULL, NULL };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < self->form->len; i++)
    {
      GPtrArray *values = g_ptr_array_index (self->entry_values, i);
      g_autoptr(GPtrArray) given = borrowed_values (values);
      CrmSurveyFormAnswer *answer = NULL;

      if (!crm_survey_form_parse_answer (g_ptr_array_index (self->form, i), i + 1,
                                         (const char * const *) given->pdata, &answer, &error))
        {
          self->entry_index = i;
          update_entry (self);
          show_error (self, error);
          return;
        }
      if (answer != NULL)
        g_ptr_array_add (answers, answer);
    }
  if (!crm_surveys_submit (get_store (self), self->survey_id, self->entry_contact_id, "phone", NULL,
                           answers, NULL, &out, &error))
    {
      show_error (self, error);
      return;
    }
  g_clear_object (&self->undo);
  show_toast (self, out.complaint_id != NULL ? _("Answers saved — a follow-up complaint was opened")
                                             : _("Answers saved"), FALSE);
  reset_entry (self);
  gtk_editable_set_text (GTK_EDITABLE (self->contact_entry), "");
  update_entry (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->contact_entry));
}

static void
entry_next (CrmSurveysPage *self)
{
  GPtrArray *values = current_values (self);
  g_autoptr(GPtrArray) given = NULL;
  g_autoptr(GError) error = NULL;
  CrmSurveyFormAnswer *answer = NULL;

  if (values == NULL)
    return;
  given = borrowed_values (values);
  if (!crm_survey_form_parse_answer (g_ptr_array_index (self->form, self->entry_index), self->entry_index + 1,
                                     (const char * const *) given->pdata, &answer, &error))
    {
      show_error (self, error);
      return;
    }
  crm_survey_form_answer_free (answer);
  if (self->entry_index + 1 >= self->form->len)
    {
      entry_submit (self);
      return;
    }
  self->entry_index++;
  update_entry (self);
  if (g_ptr_array_index (self->form, self->entry_index) != NULL &&
      ((CrmSurveyFormQuestion *) g_ptr_array_index (self->form, self->entry_index))->kind != CRM_SURVEY_QUESTION_TEXT)
    gtk_widget_grab_focus (self->entry_box);
}

static void
entry_back (CrmSurveysPage *self)
{
  if (self->entry_index > 0)
    {
      self->entry_index--;
      update_entry (self);
    }
}

static gboolean
on_entry_key_pressed (CrmSurveysPage        *self,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      GtkEventControllerKey *controller)
{
  gunichar c = gdk_keyval_to_unicode (keyval);
  char text[8] = { 0 };
  GPtrArray *values = current_values (self);

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter)
    {
      entry_next (self);
      return TRUE;
    }
  if (keyval == GDK_KEY_BackSpace && values != NULL)
    {
      g_ptr_array_set_size (values, 0);
      update_entry (self);
      return TRUE;
    }
  if (c == 0 || !g_unichar_isdigit (c))
    return FALSE;
  g_unichar_to_utf8 (c, text);
  return entry_type (self, text);
}

static void
on_entry_text_activate (CrmSurveysPage *self)
{
  entry_type (self, gtk_editable_get_text (GTK_EDITABLE (self->entry_text)));
  entry_next (self);
}

static void
on_contact_changed (CrmSurveysPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->contact_entry));
  g_autofree char *e164 = NULL;
  g_autofree char *id = NULL;
  CrmStore *store = get_store (self);

  g_clear_pointer (&self->entry_contact_id, g_free);
  if (store == NULL || *text == '\0')
    {
      gtk_label_set_text (self->contact_label, "");
      return;
    }
  if (strchr (text, '@') != NULL)
    id = crm_contact_lookup_by_email (store, text, NULL);
  else if ((id = crm_survey_contact_id_for_code (store, text, NULL)) != NULL)
    ;   /* the code on a printed form */
  else if (crm_value_parse_phone ("phone", text, &e164, NULL))
    id = crm_contact_lookup_by_phone (store, e164, NULL);
  if (id != NULL)
    {
      g_autoptr(CrmContact) contact = crm_store_get (store, CRM_TYPE_CONTACT, id, NULL);

      gtk_label_set_text (self->contact_label, contact ? crm_record_get_string (CRM_RECORD (contact), "name") : "");
      self->entry_contact_id = g_steal_pointer (&id);
    }
  else
    gtk_label_set_text (self->contact_label, _("No customer found"));
}

static void
on_contact_activate (CrmSurveysPage *self)
{
  gtk_widget_grab_focus (self->entry_box);
}

/* --- results -------------------------------------------------------------- */

/* What the chart's data points to. */
typedef struct
{
  double         *counts;
  CrmChartSeries *series;
} ChartOwner;

static void
chart_owner_free (gpointer data)
{
  ChartOwner *owner = data;

  g_free (owner->counts);
  g_free (owner->series);
  g_free (owner);
}

/* "2024-03-05 16:00" in local time, from ISO 8601 UTC. */
static char *
local_time_text (const char *iso)
{
  g_autoptr(GDateTime) utc = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  return local ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup (iso ? iso : "");
}

/* NPS and CSAT per month or segment, one line each. */
static void
append_groups (GString             *out,
               const char          *heading,
               GPtrArray           *groups,
               const CrmValueLabel *labels)
{
  gboolean any = FALSE;

  for (guint i = 0; i < groups->len; i++)
    {
      CrmSurveyResultGroup *g = g_ptr_array_index (groups, i);
      g_autofree char *nps = isnan (g->nps) ? g_strdup (_("—")) : g_strdup_printf ("%+.0f", g->nps);
      g_autofree char *csat = isnan (g->csat_percent) ? g_strdup (_("—")) : g_strdup_printf ("%.0f%%", g->csat_percent);

      if (!any)
        g_string_append_printf (out, "\n%s\n", heading);
      any = TRUE;
      /* TRANSLATORS: a month or segment, responses, NPS, CSAT, e.g. "2024-03: 12 responses, NPS +20, CSAT 75%" */
      g_string_append_printf (out, _("   %s: %" PRId64 " responses, NPS %s, CSAT %s\n"),
                              !*g->key ? _("no segment") : labels ? crm_value_label (labels, g->key) : g->key,
                              g->responses, nps, csat);
    }
}

static void
reload_results (CrmSurveysPage *self)
{
  CrmSurveyResultsQuery query = { NULL, NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) details = g_string_new (NULL);
  g_autoptr(GString) summary = g_string_new (NULL);
  const CrmSurveyQuestionResult *nps_question = NULL;
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->text_search_entry));
  guint n_texts = 0;

  g_clear_pointer (&self->results, crm_survey_results_free);
  clear_list_box (self->texts_list);
  if (self->survey_id == NULL)
    return;
  query.text_search = *search ? search : NULL;
  self->results = crm_survey_results_compute (get_store (self), self->survey_id, &query, &error);
  if (self->results == NULL)
    {
      show_error (self, error);
      return;
    }

  g_string_append_printf (summary, ngettext ("%" PRId64 " response", "%" PRId64 " responses",
                                             self->results->responses), self->results->responses);
  for (guint i = 0; i < self->results->questions->len; i++)
    {
      CrmSurveyQuestionResult *q = g_ptr_array_index (self->results->questions, i);
      int min, max;

      if (q->kind == CRM_SURVEY_QUESTION_NPS && nps_question == NULL)
        {
          nps_question = q;
          if (!isnan (q->nps))
            g_string_append_printf (summary, _(" · NPS %+.0f"), q->nps);
        }
      if (q->kind == CRM_SURVEY_QUESTION_CSAT && !isnan (q->csat_percent))
        g_string_append_printf (summary, _(" · CSAT %.0f%%"), q->csat_percent);

      g_string_append_printf (details, "%u. %s\n", i + 1, q->text);
      if (q->answers == 0)
        g_string_append_printf (details, "   %s\n", _("No answers yet"));
      else if (crm_survey_question_kind_scale (q->kind, &min, &max))
        {
          g_string_append_printf (details, _("   %" PRId64 " answers, average %.2f"), q->answers, q->average);
          if (q->kind == CRM_SURVEY_QUESTION_NPS)
            g_string_append_printf (details, _(" · promoters %" PRId64 ", passives %" PRId64 ", detractors %" PRId64),
                                    q->promoters, q->passives, q->detractors);
          g_string_append (details, "\n   ");
          for (int v = min; v <= max; v++)
            g_string_append_printf (details, "%d: %" PRId64 "%s", v, q->counts[v], v < max ? "  " : "\n");
        }
      else if (q->kind == CRM_SURVEY_QUESTION_TEXT)
        g_string_append_printf (details, _("   %" PRId64 " answers, listed below\n"), q->answers);
      else
        {
          g_string_append (details, "   ");
          for (guint o = 0; q->options[o] != NULL; o++)
            g_string_append_printf (details, "%s: %" PRId64 "%s", q->options[o], q->option_counts[o],
                                    q->options[o + 1] ? " · " : "\n");
        }

      for (guint t = 0; q->texts != NULL && t < q->texts->len; t++)
        {
          CrmSurveyTextAnswer *a = g_ptr_array_index (q->texts, t);
          g_autofree char *when = local_time_text (a->submitted_at);
          g_autofree char *subtitle = g_strdup_printf ("%s · %s", a->contact_name ? a->contact_name : _("Anonymous"),
                                                       when);

          gtk_list_box_append (self->texts_list, two_line_row (a->text, subtitle));
          n_texts++;
        }
    }
  append_groups (details, _("By month"), self->results->months, NULL);
  append_groups (details, _("By customer segment"), self->results->segments, crm_rfm_segment_labels);
  gtk_label_set_text (self->summary_label, summary->str);
  gtk_label_set_text (self->details_label, details->str);
  gtk_widget_set_visible (GTK_WIDGET (self->texts_list), n_texts > 0);

  {
    double *counts = g_new0 (double, 11);
    CrmChartSeries *series = g_new0 (CrmChartSeries, 1);
    CrmChartData data;
    ChartOwner *owner = g_new0 (ChartOwner, 1);

    for (int v = 0; nps_question != NULL && v <= 10; v++)
      counts[v] = nps_question->counts[v];
    series[0] = (CrmChartSeries) { _("Answers"), counts, FALSE };
    crm_chart_data_init (&data);
    data.title = _("How likely are you to recommend us? (0–10)");
    data.n_categories = 11;
    data.n_series = 1;
    data.series = series;
    data.value = nps_question != NULL ? nps_question->nps : NAN;
    data.empty_text = _("No NPS answers yet");
    owner->counts = counts;
    owner->series = series;
    crm_chart_view_set_chart (self->nps_chart, crm_chart_nps_draw, &data, owner, chart_owner_free);
  }
}

static void
on_text_search_changed (CrmSurveysPage *self)
{
  reload_results (self);
}

/* --- the shown survey ----------------------------------------------------- */

static void
update_header (CrmSurveysPage *self)
{
  g_autoptr(CrmSurvey) survey = NULL;
  const char *status;

  if (self->survey_id == NULL)
    return;
  survey = crm_store_get (get_store (self), CRM_TYPE_SURVEY, self->survey_id, NULL);
  if (survey == NULL)
    return;
  status = crm_record_get_string (CRM_RECORD (survey), "status");
  gtk_label_set_text (self->title_label, crm_record_get_string (CRM_RECORD (survey), "title"));
  gtk_label_set_text (self->status_label, status_text (status));
  gtk_button_set_label (self->status_button, g_strcmp0 (status, "open") == 0 ? _("Close Survey") : _("Open Survey"));
}

static void
select_survey (CrmSurveysPage *self,
               const char     *id)
{
  g_autoptr(CrmSurvey) survey = id ? crm_store_get (get_store (self), CRM_TYPE_SURVEY, id, NULL) : NULL;

  if (survey == NULL || crm_record_get_deleted (CRM_RECORD (survey)))
    {
      g_clear_pointer (&self->survey_id, g_free);
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      return;
    }
  if (g_strcmp0 (self->survey_id, id) != 0)
    {
      g_free (self->survey_id);
      self->survey_id = g_strdup (id);
      gtk_editable_set_text (GTK_EDITABLE (self->text_search_entry), "");
    }
  gtk_stack_set_visible_child_name (self->main_stack, "survey");
  update_header (self);
  reload_questions (self);
  reset_entry (self);
  update_entry (self);
  reload_results (self);
}

static void
on_status_clicked (CrmSurveysPage *self)
{
  g_autoptr(CrmSurvey) survey = NULL;
  gboolean is_open;

  if (self->survey_id == NULL)
    return;
  survey = crm_store_get (get_store (self), CRM_TYPE_SURVEY, self->survey_id, NULL);
  if (survey == NULL)
    return;
  is_open = g_strcmp0 (crm_record_get_string (CRM_RECORD (survey), "status"), "open") == 0;
  gtk_widget_activate_action (GTK_WIDGET (self), "surveys.set-status", "s", is_open ? "closed" : "open");
}

static void
on_store_changed (CrmSurveysPage *self,
                  const char     *table,
                  const char     *id)
{
  if (table == NULL || g_str_equal (table, "surveys"))
    {
      reload_surveys (self);
      update_header (self);
    }
  if (table == NULL || g_str_equal (table, "survey_questions"))
    {
      reload_questions (self);
      reset_entry (self);
      update_entry (self);
    }
  if (table == NULL || g_str_has_prefix (table, "survey_"))
    reload_results (self);
}

/* --- actions -------------------------------------------------------------- */

static void
action_create (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  create_survey (CRM_SURVEYS_PAGE (widget), g_variant_get_string (param, NULL));
}

static void
action_select (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);

  select_survey (self, g_variant_get_string (param, NULL));
  reload_surveys (self);
}

static void
action_set_status (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);
  g_autoptr(CrmSurvey) survey = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const columns[] = { "status", NULL };
  const char *status = g_variant_get_string (param, NULL);

  if (self->survey_id == NULL)
    return;
  survey = crm_store_get (get_store (self), CRM_TYPE_SURVEY, self->survey_id, &error);
  if (survey == NULL)
    {
      show_error (self, error);
      return;
    }
  g_clear_object (&self->undo);
  self->undo = crm_change_set_new (get_store (self));
  crm_change_set_remember_fields (self->undo, CRM_RECORD (survey), columns);
  if (!crm_record_set_field_from_string (CRM_RECORD (survey), "status", status, &error) ||
      !crm_store_update (get_store (self), CRM_RECORD (survey), &error))
    {
      show_error (self, error);
      return;
    }
  show_toast (self, g_str_equal (status, "closed") ? _("Survey closed: it takes no more answers")
                                                  : _("Survey open for answers"), TRUE);
}

static void
action_add_question (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);
  const char *kind_text, *text, *options;
  gboolean required;
  CrmSurveyQuestionKind kind;

  g_variant_get (param, "(&s&s&sb)", &kind_text, &text, &options, &required);
  if (!crm_survey_question_kind_from_string (kind_text, &kind))
    return;
  add_question (self, kind, text, options, required);
}

static void
action_move_question (GtkWidget  *widget,
                      const char *name,
                      GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  const char *id;
  int delta;

  g_variant_get (param, "(&si)", &id, &delta);
  if (!crm_surveys_move_question (get_store (self), id, delta, &error))
    show_error (self, error);
}

static void
action_delete_question (GtkWidget  *widget,
                        const char *name,
                        GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  const char *id = g_variant_get_string (param, NULL);

  if (!crm_store_delete (get_store (self), CRM_TYPE_SURVEY_QUESTION, id, &error))
    {
      show_error (self, error);
      return;
    }
  g_clear_object (&self->undo);
  self->undo = crm_change_set_new (get_store (self));
  crm_change_set_remember_delete (self->undo, CRM_TYPE_SURVEY_QUESTION, id);
  show_toast (self, _("Question deleted"), TRUE);
}

static void
action_undo (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->undo == NULL)
    return;
  if (!crm_change_set_revert (self->undo, &error))
    show_error (self, error);
  g_clear_object (&self->undo);
}

static void
action_entry_type (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  entry_type (CRM_SURVEYS_PAGE (widget), g_variant_get_string (param, NULL));
}

static void
action_entry_contact (GtkWidget  *widget,
                      const char *name,
                      GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->contact_entry), g_variant_get_string (param, NULL));
}

static void
action_entry_next (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  entry_next (CRM_SURVEYS_PAGE (widget));
}

static void
action_entry_back (GtkWidget  *widget,
                   const char *name,
                   GVariant   *param)
{
  entry_back (CRM_SURVEYS_PAGE (widget));
}

/* A one-time link to the web form for the customer in the contact entry,
 * on the sync server (which serves /s/<token>); copied for an email or a
 * message. */
static void
action_copy_link (GtkWidget  *widget,
                  const char *name,
                  GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *token = NULL;
  g_autofree char *link = NULL;

  if (self->survey_id == NULL)
    return;
  if (self->entry_contact_id == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("Type the customer’s phone or email first.")));
      return;
    }
  server = g_settings_get_string (crm_context_get_settings (self->context), "sync-server");
  if (server == NULL || *server == '\0')
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("Set up a sync server in Preferences: it serves the web form.")));
      return;
    }
  token = crm_surveys_invite (get_store (self), self->survey_id, self->entry_contact_id, "email", &error);
  if (token == NULL)
    {
      show_error (self, error);
      return;
    }
  while (g_str_has_suffix (server, "/"))
    server[strlen (server) - 1] = '\0';
  link = g_strdup_printf ("%s/s/%s", server, token);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), link);
  g_free (self->last_link);
  self->last_link = g_steal_pointer (&link);
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("Link copied: it works once, after this desktop has synced")));
}

static GtkWindow *
parent_window (CrmSurveysPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static CrmSurveyPrint *
blank_form (CrmSurveysPage *self)
{
  g_autoptr(GError) error = NULL;
  CrmSurveyPrint *print = crm_survey_print_new_for_survey (get_store (self), self->survey_id, NULL, NULL,
                                                           NULL, NULL, NULL, NULL, &error);

  if (print == NULL)
    show_error (self, error);
  return print;
}

static void
action_preview (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);
  CrmSurveyPrint *print;
  CrmSurveyPreview *preview;

  if (self->survey_id == NULL || (print = blank_form (self)) == NULL)
    return;
  preview = crm_survey_preview_new (print);
  gtk_window_set_transient_for (GTK_WINDOW (preview), parent_window (self));
  gtk_window_set_modal (GTK_WINDOW (preview), TRUE);
  gtk_window_present (GTK_WINDOW (preview));
  self->last_dialog = GTK_WINDOW (preview);
  g_object_add_weak_pointer (G_OBJECT (preview), (gpointer *) &self->last_dialog);
}

static void
action_print (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);
  CrmSurveyPrint *print;

  if (self->survey_id == NULL || (print = blank_form (self)) == NULL)
    return;
  crm_survey_preview_print (parent_window (self), print);
}

static void
action_send (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);
  CrmSurveySendDialog *dialog;

  if (self->survey_id == NULL)
    return;
  dialog = crm_survey_send_dialog_new (self->context, self->survey_id);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), parent_window (self));
  gtk_window_present (GTK_WINDOW (dialog));
  self->last_dialog = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->last_dialog);
}

static void
action_search_texts (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->text_search_entry), g_variant_get_string (param, NULL));
  reload_results (self);
}

static void
action_show (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  CrmSurveysPage *self = CRM_SURVEYS_PAGE (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, g_variant_get_string (param, NULL));
}

/* --- GObject -------------------------------------------------------------- */

static void
crm_surveys_page_dispose (GObject *object)
{
  CrmSurveysPage *self = (CrmSurveysPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_SURVEYS_PAGE);
  g_clear_object (&self->context);
  g_clear_object (&self->undo);
  g_clear_pointer (&self->survey_id, g_free);
  g_clear_pointer (&self->form, g_ptr_array_unref);
  g_clear_pointer (&self->results, crm_survey_results_free);
  g_clear_pointer (&self->entry_values, g_ptr_array_unref);
  g_clear_pointer (&self->entry_contact_id, g_free);
  g_clear_pointer (&self->entry_answer, g_free);
  g_clear_pointer (&self->last_link, g_free);
  if (self->last_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->last_dialog), (gpointer *) &self->last_dialog);
  self->last_dialog = NULL;

  G_OBJECT_CLASS (crm_surveys_page_parent_class)->dispose (object);
}

static void
crm_surveys_page_class_init (CrmSurveysPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_surveys_page_dispose;

  g_type_ensure (CRM_TYPE_CHART_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-surveys-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, new_title_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, survey_list);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, status_button);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, questions_list);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, question_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, options_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, required_check);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, entry_box);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, contact_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, contact_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, entry_progress_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, entry_question_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, entry_hint_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, entry_answer_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, entry_text);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, nps_chart);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, details_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, text_search_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmSurveysPage, texts_list);
  gtk_widget_class_bind_template_callback (widget_class, on_new_title_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_survey_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_status_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_add_question_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_contact_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_contact_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_text_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_text_search_changed);

  gtk_widget_class_install_action (widget_class, "surveys.create", "s", action_create);
  gtk_widget_class_install_action (widget_class, "surveys.select", "s", action_select);
  gtk_widget_class_install_action (widget_class, "surveys.set-status", "s", action_set_status);
  gtk_widget_class_install_action (widget_class, "surveys.add-question", "(sssb)", action_add_question);
  gtk_widget_class_install_action (widget_class, "surveys.move-question", "(si)", action_move_question);
  gtk_widget_class_install_action (widget_class, "surveys.delete-question", "s", action_delete_question);
  gtk_widget_class_install_action (widget_class, "surveys.undo", NULL, action_undo);
  gtk_widget_class_install_action (widget_class, "surveys.entry-contact", "s", action_entry_contact);
  gtk_widget_class_install_action (widget_class, "surveys.entry-type", "s", action_entry_type);
  gtk_widget_class_install_action (widget_class, "surveys.entry-next", NULL, action_entry_next);
  gtk_widget_class_install_action (widget_class, "surveys.entry-back", NULL, action_entry_back);
  gtk_widget_class_install_action (widget_class, "surveys.search-texts", "s", action_search_texts);
  gtk_widget_class_install_action (widget_class, "surveys.copy-link", NULL, action_copy_link);
  gtk_widget_class_install_action (widget_class, "surveys.show", "s", action_show);
  gtk_widget_class_install_action (widget_class, "surveys.preview", NULL, action_preview);
  gtk_widget_class_install_action (widget_class, "surveys.print", NULL, action_print);
  gtk_widget_class_install_action (widget_class, "surveys.send", NULL, action_send);
}

static void
crm_surveys_page_init (CrmSurveysPage *self)
{
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  for (guint i = 0; i < G_N_ELEMENTS (kind_order); i++)
    gtk_string_list_append (kinds, kind_label (kind_order[i]));
  gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (kinds));
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (on_entry_key_pressed), self);
  gtk_widget_add_controller (self->entry_box, keys);
}

void
crm_surveys_page_set_context (CrmSurveysPage *self,
                              CrmContext     *context)
{
  g_return_if_fail (CRM_IS_SURVEYS_PAGE (self));
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  g_signal_connect_object (crm_context_get_store (context), "changed", G_CALLBACK (on_store_changed), self,
                           G_CONNECT_SWAPPED);
  reload_surveys (self);
  /* Open on the newest survey rather than on nothing. */
  {
    GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->survey_list, 0);

    if (first != NULL)
      gtk_list_box_select_row (self->survey_list, first);
  }
}

const char *
crm_surveys_page_get_survey_id (CrmSurveysPage *self)
{
  g_return_val_if_fail (CRM_IS_SURVEYS_PAGE (self), NULL);
  return self->survey_id;
}

CrmSurveyResults *
crm_surveys_page_get_results (CrmSurveysPage *self)
{
  g_return_val_if_fail (CRM_IS_SURVEYS_PAGE (self), NULL);
  return self->results;
}

guint
crm_surveys_page_get_entry_index (CrmSurveysPage *self)
{
  g_return_val_if_fail (CRM_IS_SURVEYS_PAGE (self), 0);
  return self->entry_index;
}

const char *
crm_surveys_page_get_last_link (CrmSurveysPage *self)
{
  g_return_val_if_fail (CRM_IS_SURVEYS_PAGE (self), NULL);
  return self->last_link;
}

const char *
crm_surveys_page_get_entry_answer (CrmSurveysPage *self)
{
  g_return_val_if_fail (CRM_IS_SURVEYS_PAGE (self), NULL);
  return self->entry_answer;
}

GtkWindow *
crm_surveys_page_get_last_dialog (CrmSurveysPage *self)
{
  g_return_val_if_fail (CRM_IS_SURVEYS_PAGE (self), NULL);
  return self->last_dialog;
}
