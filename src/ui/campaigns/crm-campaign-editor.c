/* crm-campaign-editor.c: creates or edits a draft campaign: channel, content per segment, audience check, preview for a member, launch */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>

#include "crm-campaign-editor.h"
#include "crm-campaigns.h"
#include "crm-contact.h"
#include "crm-json.h"
#include "crm-segment.h"
#include "crm-surveys.h"

#define CHECK_DELAY_MS 300

static const char * const channels[] = { "email", "sms", "letter", "phone" };

/* One custom merge field: a name and the text it stands for. */
typedef struct
{
  GtkWidget   *row;
  GtkEditable *name;
  GtkEditable *value;
} Field;

typedef struct
{
  GtkWidget   *frame;
  GtkDropDown *segment;
  GtkEntry    *subject;
  GtkTextView *body;
} Variant;

struct _CrmCampaignEditor
{
  AdwWindow          parent_instance;

  CrmContext        *context;
  char              *campaign_id;    /* NULL until saved */
  GPtrArray         *segments;       /* CrmSegmentInfo, as the drop-downs list them */
  GPtrArray         *variants;       /* Variant */
  GtkStringList     *segment_names;
  GPtrArray         *survey_ids;     /* as survey_row lists them; NULL first, for none */
  GPtrArray         *fields;         /* Field, the custom merge fields */

  guint              check_source;
  GCancellable      *check_cancellable;
  guint              n_checks;
  gint64             n_members;      /* -1 while unknown */
  CrmCampaignLaunch  check;
  int                preview_index;

  /* Template widgets */
  AdwToastOverlay   *toast_overlay;
  AdwEntryRow       *name_row;
  AdwComboRow       *channel_row;
  AdwComboRow       *survey_row;
  AdwEntryRow       *launch_at_row;
  AdwPreferencesGroup *fields_group;
  GtkBox            *variants_box;
  GtkLabel          *check_label;
  GtkLabel          *member_label;
  GtkLabel          *preview_subject;
  GtkLabel          *preview_body;
  GtkButton         *launch_button;
};

G_DEFINE_FINAL_TYPE (CrmCampaignEditor, crm_campaign_editor, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_check (CrmCampaignEditor *self);
static void select_survey  (CrmCampaignEditor *self,
                            const char        *survey_id);

static void
toast (CrmCampaignEditor *self,
       const char        *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static const char *
current_channel (CrmCampaignEditor *self)
{
  return channels[MIN (adw_combo_row_get_selected (self->channel_row), G_N_ELEMENTS (channels) - 1)];
}

static char *
text_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static const char *
current_survey (CrmCampaignEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->survey_row);

  return selected < self->survey_ids->len ? g_ptr_array_index (self->survey_ids, selected) : NULL;
}

/* The templates JSON of what the editor shows. For the audience check an
 * empty text stands in as "…", so the audience shows before the text is
 * written (saving refuses it). */
static char *
build_templates (CrmCampaignEditor *self,
                 gboolean           for_check)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (self->fields->len > 0)
    {
      json_builder_set_member_name (builder, "fields");
      json_builder_begin_object (builder);
      for (guint i = 0; i < self->fields->len; i++)
        {
          Field *field = g_ptr_array_index (self->fields, i);
          g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (field->name)));

          if (*name == '\0')
            continue;
          json_builder_set_member_name (builder, name);
          json_builder_add_string_value (builder, gtk_editable_get_text (field->value));
        }
      json_builder_end_object (builder);
    }
  if (current_survey (self) != NULL)
    {
      json_builder_set_member_name (builder, "survey");
      json_builder_add_string_value (builder, current_survey (self));
    }
  json_builder_set_member_name (builder, "variants");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->variants->len; i++)
    {
      Variant *v = g_ptr_array_index (self->variants, i);
      guint selected = gtk_drop_down_get_selected (v->segment);
      g_autofree char *body = text_view_text (v->body);
      CrmSegmentInfo *info;

      if (self->segments == NULL || selected >= self->segments->len)
        continue;
      info = g_ptr_array_index (self->segments, selected);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "segment");
      json_builder_add_string_value (builder, info->id);
      json_builder_set_member_name (builder, "subject");
      json_builder_add_string_value (builder, gtk_editable_get_text (GTK_EDITABLE (v->subject)));
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, for_check && *g_strstrip (body) == '\0' ? "…" : body);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return crm_json_to_string (root);
}

/* ---------------------------------------------------------------------- */
/* Variants */

static void
variant_free (Variant *v)
{
  g_free (v);
}

static void
on_remove_variant (GtkButton         *button,
                   CrmCampaignEditor *self)
{
  for (guint i = 0; i < self->variants->len; i++)
    {
      Variant *v = g_ptr_array_index (self->variants, i);

      if (gtk_widget_is_ancestor (GTK_WIDGET (button), v->frame))
        {
          gtk_box_remove (self->variants_box, v->frame);
          g_ptr_array_remove_index (self->variants, i);
          schedule_check (self);
          return;
        }
    }
}

static guint
segment_position (CrmCampaignEditor *self,
                  const char        *segment_id)
{
  for (guint i = 0; self->segments != NULL && i < self->segments->len; i++)
    if (g_strcmp0 (((CrmSegmentInfo *) g_ptr_array_index (self->segments, i))->id, segment_id) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

static Variant *
add_variant (CrmCampaignEditor *self,
             const char        *segment_id,
             const char        *subject,
             const char        *body)
{
  Variant *v = g_new0 (Variant, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (_("Se_gment"));
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  guint position = segment_id != NULL ? segment_position (self, segment_id) : 0;

  v->frame = gtk_frame_new (NULL);
  v->segment = GTK_DROP_DOWN (gtk_drop_down_new (g_object_ref (G_LIST_MODEL (self->segment_names)), NULL));
  gtk_drop_down_set_enable_search (v->segment, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (v->segment), TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (v->segment));
  gtk_widget_set_tooltip_text (remove, _("Remove Variant"));
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_variant), self, 0);
  gtk_box_append (GTK_BOX (top), label);
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (v->segment));
  gtk_box_append (GTK_BOX (top), remove);

  v->subject = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (v->subject, _("Subject (email) or heading (letter)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (v->subject), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Subject"), -1);

  v->body = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (v->body, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (v->body, 6);
  gtk_text_view_set_left_margin (v->body, 6);
  gtk_text_view_set_right_margin (v->body, 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (v->body), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Text"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (v->body));
  gtk_scrolled_window_set_has_frame (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 140);

  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (v->subject));
  gtk_box_append (GTK_BOX (box), scrolled);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_frame_set_child (GTK_FRAME (v->frame), box);
  gtk_box_append (self->variants_box, v->frame);

  if (position != GTK_INVALID_LIST_POSITION)
    gtk_drop_down_set_selected (v->segment, position);
  gtk_editable_set_text (GTK_EDITABLE (v->subject), subject != NULL ? subject : "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (v->body), body != NULL ? body : "", -1);
  g_signal_connect_object (v->segment, "notify::selected", G_CALLBACK (schedule_check), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (v->subject, "changed", G_CALLBACK (schedule_check), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (v->body), "changed", G_CALLBACK (schedule_check),
                           self, G_CONNECT_SWAPPED);
  g_ptr_array_add (self->variants, v);
  schedule_check (self);
  return v;
}

/* ---------------------------------------------------------------------- */
/* Audience check and preview, in a thread on a read-only connection; the
 * latest edit wins. */

typedef struct
{
  char *db_path;
  char *channel;
  char *templates;
  int preview_index;
  /* results */
  CrmCampaignLaunch check;
  int preview_of;                 /* the index shown after clamping */
  char *member_name;
  char *subject;
  char *body;
} Check;

static void
check_free (Check *c)
{
  g_free (c->db_path);
  g_free (c->channel);
  g_free (c->templates);
  g_free (c->member_name);
  g_free (c->subject);
  g_free (c->body);
  g_free (c);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Check *c = task_data;
  g_autoptr(CrmStore) store = crm_store_open_full (c->db_path, CRM_STORE_OPEN_READ_ONLY, NULL);
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(CrmContact) contact = NULL;
  GError *error = NULL;
  const char *id;

  if (store == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", _("The database could not be opened."));
      return;
    }
  if (!crm_campaign_check_audience (store, c->channel, c->templates, NULL, &c->check, &ids, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (ids->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  c->preview_of = CLAMP (c->preview_index, 0, (int) ids->len - 1);
  id = g_ptr_array_index (ids, c->preview_of);
  campaign = crm_campaign_new ();
  g_object_set (campaign, "templates", c->templates, NULL);
  contact = crm_store_get (store, CRM_TYPE_CONTACT, id, NULL);
  c->member_name = g_strdup (contact != NULL ? crm_contact_get_name (contact) : id);
  if (!crm_campaign_preview (store, campaign, id, NULL, &c->subject, &c->body, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CrmCampaignEditor) self = user_data;
  Check *c = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *member = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->n_checks++;
      self->n_members = -1;
      gtk_label_set_text (self->check_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->check_label), "error");
      gtk_label_set_text (self->preview_subject, "");
      gtk_label_set_text (self->preview_body, "");
      gtk_label_set_text (self->member_label, "");
      return;
    }
  self->n_checks++;
  self->check = c->check;
  self->n_members = c->check.members;
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_label), "error");
  /* TRANSLATORS: the audience check of a campaign before launch */
  text = g_strdup_printf (g_dngettext (NULL,
                                       "%" PRId64 " member would get it.",
                                       "%" PRId64 " members would get it.", (gulong) c->check.members),
                          c->check.members);
  if (c->check.excluded_no_consent > 0 || c->check.excluded_no_address > 0)
    {
      g_autofree char *without = g_strdup_printf (_("Left out: %" PRId64 " without consent for this channel, "
                                                    "%" PRId64 " without an address for it."),
                                                  c->check.excluded_no_consent, c->check.excluded_no_address);
      g_autofree char *both = g_strconcat (text, "\n", without, NULL);

      g_free (text);
      text = g_steal_pointer (&both);
    }
  gtk_label_set_text (self->check_label, text);

  if (c->check.members == 0)
    {
      gtk_label_set_text (self->member_label, "");
      gtk_label_set_text (self->preview_subject, "");
      gtk_label_set_text (self->preview_body, _("Nobody to preview: choose a segment with members."));
      return;
    }
  self->preview_index = c->preview_of;
  /* TRANSLATORS: "张伟 (1 of 120)", the member a preview is for */
  member = g_strdup_printf (_("%s (%d of %" PRId64 ")"), c->member_name, c->preview_of + 1, c->check.members);
  gtk_label_set_text (self->member_label, member);
  gtk_label_set_text (self->preview_subject, c->subject != NULL ? c->subject : "");
  gtk_label_set_text (self->preview_body, c->body != NULL ? c->body : "");
}

static gboolean
start_check (gpointer user_data)
{
  CrmCampaignEditor *self = user_data;
  g_autoptr(GTask) task = NULL;
  Check *c;

  self->check_source = 0;
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  self->check_cancellable = g_cancellable_new ();

  c = g_new0 (Check, 1);
  c->db_path = g_strdup (crm_store_get_path (crm_context_get_store (self->context)));
  c->channel = g_strdup (current_channel (self));
  c->templates = build_templates (self, TRUE);
  c->preview_index = self->preview_index;
  /* Not the editor as source object: the thread may drop the task's last
   * reference, and a closed editor would then be disposed off the main
   * thread (its text views' idles removed and re-added there, a crash).
   * Our own reference is dropped in check_done, on the main thread. */
  task = g_task_new (NULL, self->check_cancellable, check_done, g_object_ref (self));
  g_task_set_source_tag (task, start_check);
  g_task_set_task_data (task, c, (GDestroyNotify) check_free);
  g_task_run_in_thread (task, check_thread);
  return G_SOURCE_REMOVE;
}

static void
schedule_check (CrmCampaignEditor *self)
{
  if (self->context == NULL)
    return;
  self->n_members = -1;
  g_cancellable_cancel (self->check_cancellable);
  g_clear_handle_id (&self->check_source, g_source_remove);
  gtk_label_set_text (self->check_label, _("Checking…"));
  self->check_source = g_timeout_add (CHECK_DELAY_MS, start_check, self);
}

/* ---------------------------------------------------------------------- */
/* Save and launch */

/* Schedules the saved draft's launch at the time written, or makes it a
 * plain draft again when the field is empty. */
static gboolean
schedule (CrmCampaignEditor  *self,
          CrmStore           *store,
          GError            **error)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->launch_at_row))));
  g_autofree char *at = NULL;

  if (*text != '\0' && (at = crm_campaign_parse_when (text, error)) == NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->launch_at_row));
      return FALSE;
    }
  return crm_campaign_schedule (store, self->campaign_id, at, error);
}

static gboolean
save (CrmCampaignEditor  *self,
      GError            **error)
{
  CrmStore *store = crm_context_get_store (self->context);
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autofree char *templates = build_templates (self, FALSE);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autoptr(GPtrArray) variants = NULL;
  gboolean ok;

  if (*name == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Give the campaign a name first."));
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return FALSE;
    }
  variants = crm_campaign_parse_templates (templates, NULL, error);
  if (variants == NULL)
    return FALSE;
  if (self->campaign_id != NULL)
    campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, self->campaign_id, error);
  else
    campaign = crm_campaign_new ();
  if (campaign == NULL)
    return FALSE;
  g_object_set (campaign, "name", name, "templates", templates, "channel", current_channel (self), NULL);
  ok = self->campaign_id != NULL ? crm_store_update (store, CRM_RECORD (campaign), error)
                                 : crm_store_insert (store, CRM_RECORD (campaign), error);
  if (!ok)
    return FALSE;
  g_free (self->campaign_id);
  self->campaign_id = g_strdup (crm_record_get_id (CRM_RECORD (campaign)));
  return schedule (self, store, error);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (widget);
  g_autoptr(GError) error = NULL;

  if (!save (self, &error))
    {
      toast (self, error->message);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, self->campaign_id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
launch_confirmed_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (widget);
  g_autoptr(GError) error = NULL;
  CrmCampaignLaunch launch;

  if (!save (self, &error) ||
      !crm_campaign_launch (crm_context_get_store (self->context), self->campaign_id, NULL, &launch, &error))
    {
      toast (self, error->message);
      if (self->campaign_id != NULL)
        g_signal_emit (self, signals[SAVED], 0, self->campaign_id);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, self->campaign_id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_launch_response (AdwMessageDialog  *dialog,
                    const char        *response,
                    CrmCampaignEditor *self)
{
  if (g_str_equal (response, "launch"))
    gtk_widget_activate_action (GTK_WIDGET (self), "editor.launch-confirmed", NULL);
}

static void
launch_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (widget);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (self->n_members < 0)
    {
      toast (self, _("Wait for the audience check, or fix what it reports."));
      return;
    }
  body = g_strdup_printf (_("%" PRId64 " members are fixed now and the campaign starts; %" PRId64
                            " are left out without consent and %" PRId64 " without an address. This cannot be undone."),
                          self->check.members, self->check.excluded_no_consent, self->check.excluded_no_address);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Launch the campaign?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "launch", _("_Launch"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "launch", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_launch_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---------------------------------------------------------------------- */
/* Actions for keyboard and tests */

static void
add_variant_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  Variant *v = add_variant (CRM_CAMPAIGN_EDITOR (widget), NULL, NULL, NULL);

  gtk_widget_grab_focus (GTK_WIDGET (v->segment));
}

static void
set_variant_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (widget);
  const char *segment, *subject, *body;
  guint32 index;
  Variant *v;

  g_variant_get (parameter, "(u&s&s&s)", &index, &segment, &subject, &body);
  while (self->variants->len <= index)
    add_variant (self, NULL, NULL, NULL);
  v = g_ptr_array_index (self->variants, index);
  gtk_drop_down_set_selected (v->segment, segment_position (self, segment));
  gtk_editable_set_text (GTK_EDITABLE (v->subject), subject);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (v->body), body, -1);
}

static void
set_name_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  gtk_editable_set_text (GTK_EDITABLE (CRM_CAMPAIGN_EDITOR (widget)->name_row), g_variant_get_string (parameter, NULL));
}

static void
set_channel_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (widget);

  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    if (g_str_equal (channels[i], g_variant_get_string (parameter, NULL)))
      adw_combo_row_set_selected (self->channel_row, i);
}

/* editor.set-launch-at TEXT: what the Launch At row says. */
static void
set_launch_at_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->launch_at_row), g_variant_get_string (parameter, NULL));
}

/* editor.set-survey ID: "" for none. */
static void
set_survey_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (widget);
  const char *id = g_variant_get_string (parameter, NULL);

  if (*id == '\0')
    adw_combo_row_set_selected (self->survey_row, 0);
  else
    select_survey (self, id);
}

static void
preview_step (CrmCampaignEditor *self,
              int                step)
{
  if (self->n_members <= 0)
    return;
  self->preview_index = (self->preview_index + step + (int) self->n_members) % (int) self->n_members;
  schedule_check (self);
}

static void
preview_next_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  preview_step (CRM_CAMPAIGN_EDITOR (widget), 1);
}

static void
preview_previous_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  preview_step (CRM_CAMPAIGN_EDITOR (widget), -1);
}

/* ---------------------------------------------------------------------- */

/* The surveys a {{survey_link}} can open: those not closed. */
static void
list_surveys (CrmCampaignEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) surveys = crm_surveys_list (crm_context_get_store (self->context), &error);
  GtkStringList *titles = GTK_STRING_LIST (adw_combo_row_get_model (self->survey_row));

  if (surveys == NULL)
    {
      toast (self, error->message);
      return;
    }
  for (guint i = 0; i < surveys->len; i++)
    {
      CrmRecord *survey = g_ptr_array_index (surveys, i);

      if (g_strcmp0 (crm_record_get_string (survey, "status"), "closed") == 0)
        continue;
      g_ptr_array_add (self->survey_ids, g_strdup (crm_record_get_id (survey)));
      gtk_string_list_append (titles, crm_record_get_string (survey, "title"));
    }
}

/* Selects @survey_id, listing it first if it is closed (the check then
 * says so) or gone. */
static void
select_survey (CrmCampaignEditor *self,
               const char        *survey_id)
{
  GtkStringList *titles = GTK_STRING_LIST (adw_combo_row_get_model (self->survey_row));
  g_autoptr(CrmSurvey) survey = NULL;

  for (guint i = 1; i < self->survey_ids->len; i++)
    if (g_str_equal (g_ptr_array_index (self->survey_ids, i), survey_id))
      {
        adw_combo_row_set_selected (self->survey_row, i);
        return;
      }
  survey = crm_store_get (crm_context_get_store (self->context), CRM_TYPE_SURVEY, survey_id, NULL);
  g_ptr_array_add (self->survey_ids, g_strdup (survey_id));
  gtk_string_list_append (titles, survey != NULL ? crm_record_get_string (CRM_RECORD (survey), "title") : survey_id);
  adw_combo_row_set_selected (self->survey_row, self->survey_ids->len - 1);
}

/* ---------------------------------------------------------------------- */
/* Custom merge fields */

static void
on_remove_field (GtkButton         *button,
                 CrmCampaignEditor *self)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);

      if (gtk_widget_is_ancestor (GTK_WIDGET (button), field->row))
        {
          adw_preferences_group_remove (self->fields_group, field->row);
          g_ptr_array_remove_index (self->fields, i);
          schedule_check (self);
          return;
        }
    }
}

static Field *
add_field (CrmCampaignEditor *self,
           const char        *name,
           const char        *value)
{
  Field *field = g_new0 (Field, 1);
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  field->row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  field->name = GTK_EDITABLE (gtk_entry_new ());
  field->value = GTK_EDITABLE (gtk_entry_new ());
  gtk_entry_set_placeholder_text (GTK_ENTRY (field->name), _("Name, e.g. offer"));
  gtk_entry_set_placeholder_text (GTK_ENTRY (field->value), _("Text"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (field->name), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Field name"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (field->value), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Field text"), -1);
  gtk_widget_set_hexpand (GTK_WIDGET (field->value), TRUE);
  gtk_widget_set_tooltip_text (remove, _("Remove Field"));
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_field), self, 0);
  gtk_box_append (GTK_BOX (field->row), GTK_WIDGET (field->name));
  gtk_box_append (GTK_BOX (field->row), GTK_WIDGET (field->value));
  gtk_box_append (GTK_BOX (field->row), remove);
  adw_preferences_group_add (self->fields_group, field->row);

  gtk_editable_set_text (field->name, name != NULL ? name : "");
  gtk_editable_set_text (field->value, value != NULL ? value : "");
  g_signal_connect_object (field->name, "changed", G_CALLBACK (schedule_check), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (field->value, "changed", G_CALLBACK (schedule_check), self, G_CONNECT_SWAPPED);
  g_ptr_array_add (self->fields, field);
  return field;
}

static void
add_field_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (widget);
  Field *field = add_field (self, NULL, NULL);

  gtk_widget_grab_focus (GTK_WIDGET (field->name));
}

/* editor.set-field (NAME, TEXT): sets the field of that name, adding it. */
static void
set_field_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (widget);
  const char *name, *value;

  g_variant_get (parameter, "(&s&s)", &name, &value);
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = g_ptr_array_index (self->fields, i);

      if (g_str_equal (gtk_editable_get_text (field->name), name))
        {
          gtk_editable_set_text (field->value, value);
          return;
        }
    }
  add_field (self, name, value);
  schedule_check (self);
}

static void
load_fields (CrmCampaignEditor *self,
             const char        *templates_json)
{
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GPtrArray) variants = crm_campaign_parse_templates (templates_json, &fields, NULL);
  g_autoptr(GList) names = NULL;

  if (variants == NULL)
    return;
  names = g_list_sort (g_hash_table_get_keys (fields), (GCompareFunc) g_utf8_collate);
  for (GList *l = names; l != NULL; l = l->next)
    add_field (self, l->data, g_hash_table_lookup (fields, l->data));
}

static void
load (CrmCampaignEditor *self,
      const char        *campaign_id)
{
  CrmStore *store = crm_context_get_store (self->context);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCampaign) campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, campaign_id, &error);
  g_autoptr(GPtrArray) variants = NULL;
  g_autofree char *survey_id = NULL;
  const char *channel;

  if (campaign == NULL ||
      (variants = crm_campaign_parse_templates (crm_record_get_string (CRM_RECORD (campaign), "templates"),
                                                NULL, &error)) == NULL)
    {
      toast (self, error->message);
      return;
    }
  self->campaign_id = g_strdup (campaign_id);
  load_fields (self, crm_record_get_string (CRM_RECORD (campaign), "templates"));
  survey_id = crm_campaign_templates_dup_survey (crm_record_get_string (CRM_RECORD (campaign), "templates"));
  if (survey_id != NULL)
    select_survey (self, survey_id);
  if (crm_record_get_string (CRM_RECORD (campaign), "scheduled_at") != NULL &&
      g_strcmp0 (crm_record_get_string (CRM_RECORD (campaign), "status"), "scheduled") == 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (crm_record_get_string (CRM_RECORD (campaign), "scheduled_at"), NULL);
      g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
      g_autofree char *text = local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : NULL;

      gtk_editable_set_text (GTK_EDITABLE (self->launch_at_row), text != NULL ? text : "");
    }
  gtk_window_set_title (GTK_WINDOW (self), _("Edit Campaign"));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), crm_record_get_string (CRM_RECORD (campaign), "name"));
  channel = crm_record_get_string (CRM_RECORD (campaign), "channel");
  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    if (g_strcmp0 (channels[i], channel) == 0)
      adw_combo_row_set_selected (self->channel_row, i);
  for (guint i = 0; i < variants->len; i++)
    {
      CrmCampaignVariant *v = g_ptr_array_index (variants, i);

      add_variant (self, v->segment, v->subject, v->body);
    }
}

CrmCampaignEditor *
crm_campaign_editor_new (CrmContext *context,
                         const char *campaign_id)
{
  CrmCampaignEditor *self = g_object_new (CRM_TYPE_CAMPAIGN_EDITOR, NULL);
  g_autoptr(GError) error = NULL;

  self->context = g_object_ref (context);
  self->segments = crm_segment_list_all (crm_context_get_store (context), &error);
  if (self->segments == NULL)
    toast (self, error->message);
  for (guint i = 0; self->segments != NULL && i < self->segments->len; i++)
    gtk_string_list_append (self->segment_names, ((CrmSegmentInfo *) g_ptr_array_index (self->segments, i))->name);

  list_surveys (self);
  if (campaign_id != NULL)
    load (self, campaign_id);
  if (self->variants->len == 0)
    add_variant (self, NULL, NULL, NULL);
  g_signal_connect_object (self->channel_row, "notify::selected", G_CALLBACK (schedule_check), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->survey_row, "notify::selected", G_CALLBACK (schedule_check), self, G_CONNECT_SWAPPED);
  schedule_check (self);
  return self;
}

const char *
crm_campaign_editor_get_check_text (CrmCampaignEditor *self)
{
  return gtk_label_get_text (self->check_label);
}

const char *
crm_campaign_editor_get_preview_subject (CrmCampaignEditor *self)
{
  return gtk_label_get_text (self->preview_subject);
}

const char *
crm_campaign_editor_get_preview_body (CrmCampaignEditor *self)
{
  return gtk_label_get_text (self->preview_body);
}

const char *
crm_campaign_editor_get_preview_member (CrmCampaignEditor *self)
{
  return gtk_label_get_text (self->member_label);
}

guint
crm_campaign_editor_get_n_checks (CrmCampaignEditor *self)
{
  return self->n_checks;
}

gint64
crm_campaign_editor_get_n_members (CrmCampaignEditor *self)
{
  return self->n_members;
}

const char *
crm_campaign_editor_get_campaign_id (CrmCampaignEditor *self)
{
  return self->campaign_id;
}

static void
crm_campaign_editor_dispose (GObject *object)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (object);

  g_clear_handle_id (&self->check_source, g_source_remove);
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CAMPAIGN_EDITOR);
  g_clear_object (&self->context);
  g_clear_object (&self->segment_names);

  G_OBJECT_CLASS (crm_campaign_editor_parent_class)->dispose (object);
}

static void
crm_campaign_editor_finalize (GObject *object)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (object);

  g_clear_pointer (&self->segments, g_ptr_array_unref);
  g_clear_pointer (&self->variants, g_ptr_array_unref);
  g_clear_pointer (&self->survey_ids, g_ptr_array_unref);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_free (self->campaign_id);

  G_OBJECT_CLASS (crm_campaign_editor_parent_class)->finalize (object);
}

static void
crm_campaign_editor_class_init (CrmCampaignEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_campaign_editor_dispose;
  object_class->finalize = crm_campaign_editor_finalize;

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-campaign-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, channel_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, survey_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, launch_at_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, fields_group);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, variants_box);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, check_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, member_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, preview_subject);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, preview_body);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, launch_button);

  gtk_widget_class_install_action (widget_class, "editor.add-variant", NULL, add_variant_action);
  gtk_widget_class_install_action (widget_class, "editor.set-variant", "(usss)", set_variant_action);
  gtk_widget_class_install_action (widget_class, "editor.set-name", "s", set_name_action);
  gtk_widget_class_install_action (widget_class, "editor.set-channel", "s", set_channel_action);
  gtk_widget_class_install_action (widget_class, "editor.set-survey", "s", set_survey_action);
  gtk_widget_class_install_action (widget_class, "editor.set-launch-at", "s", set_launch_at_action);
  gtk_widget_class_install_action (widget_class, "editor.add-field", NULL, add_field_action);
  gtk_widget_class_install_action (widget_class, "editor.set-field", "(ss)", set_field_action);
  gtk_widget_class_install_action (widget_class, "editor.preview-next", NULL, preview_next_action);
  gtk_widget_class_install_action (widget_class, "editor.preview-previous", NULL, preview_previous_action);
  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.launch", NULL, launch_action);
  gtk_widget_class_install_action (widget_class, "editor.launch-confirmed", NULL, launch_confirmed_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
crm_campaign_editor_init (CrmCampaignEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->variants = g_ptr_array_new_with_free_func ((GDestroyNotify) variant_free);
  self->segment_names = gtk_string_list_new (NULL);
  self->survey_ids = g_ptr_array_new_with_free_func (g_free);
  self->fields = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->survey_ids, NULL);
  self->n_members = -1;
}
