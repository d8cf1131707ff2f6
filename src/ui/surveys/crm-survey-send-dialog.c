/* crm-survey-send-dialog.c: sending a survey to a segment: email links as a CSV for a mail tool, or printed forms, with progress and Cancel */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-segment.h"
#include "crm-survey-distribution.h"
#include "crm-survey-print.h"
#include "crm-survey-send-dialog.h"
#include "crm-surveys.h"

/* One send, in a thread on its own connection (the pattern of the import
 * dialog): invitations in one transaction, then the file. */
typedef struct
{
  char *db_path;
  char *survey_id;
  char *segment;       /* or NULL: contact_ids */
  GPtrArray *contact_ids;
  char *channel;
  char *path;
  char *base_url;

  GMutex lock;          /* guards done and total */
  guint done;
  guint total;

  /* Read after the task returned. */
  GError *error;
  char *summary;
} SendJob;

struct _CrmSurveySendDialog
{
  AdwWindow     parent_instance;

  CrmContext   *context;
  char         *survey_id;      /* given, or NULL: chosen in survey_row */
  GPtrArray    *survey_ids;     /* per survey_row item */
  GPtrArray    *contact_ids;    /* the customers chosen elsewhere, or NULL */
  GPtrArray    *segment_ids;
  SendJob      *job;
  GCancellable *cancellable;
  guint         progress_id;
  char         *summary;

  GtkStack       *stack;
  AdwComboRow    *survey_row;
  AdwComboRow    *segment_row;
  AdwComboRow    *channel_row;
  GtkLabel       *error_label;
  GtkButton      *send_button;
  GtkProgressBar *progress_bar;
  AdwStatusPage  *done_page;
};

G_DEFINE_FINAL_TYPE (CrmSurveySendDialog, crm_survey_send_dialog, ADW_TYPE_WINDOW)

static const char * const channels[] = { "email", "letter" };

static void
send_job_free (SendJob *job)
{
  g_free (job->db_path);
  g_free (job->survey_id);
  g_free (job->segment);
  g_clear_pointer (&job->contact_ids, g_ptr_array_unref);
  g_free (job->channel);
  g_free (job->path);
  g_free (job->base_url);
  g_mutex_clear (&job->lock);
  g_clear_error (&job->error);
  g_free (job->summary);
  g_free (job);
}

static void
on_job_progress (guint    done,
                 guint    total,
                 gpointer user_data)
{
  SendJob *job = user_data;

  g_mutex_lock (&job->lock);
  job->done = done;
  job->total = total;
  g_mutex_unlock (&job->lock);
}

static char *
summary_text (gint64 made,
              gint64 no_consent,
              gint64 no_address,
              gboolean letters)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, letters ? ngettext ("%lld form printed.", "%lld forms printed.", made)
                                       : ngettext ("%lld link made.", "%lld links made.", made),
                          (long long) made);
  if (no_consent > 0)
    {
      g_string_append_c (out, '\n');
      g_string_append_printf (out, ngettext ("%lld customer skipped: no consent to email.",
                                             "%lld customers skipped: no consent to email.", no_consent),
                              (long long) no_consent);
    }
  if (no_address > 0)
    {
      g_string_append_c (out, '\n');
      g_string_append_printf (out, ngettext ("%lld customer skipped: no email address.",
                                             "%lld customers skipped: no email address.", no_address),
                              (long long) no_address);
    }
  return g_string_free (out, FALSE);
}

static void
send_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SendJob *job = task_data;
  g_autoptr(CrmStore) store = crm_store_open (job->db_path, &job->error);
  g_autoptr(GPtrArray) members = NULL;

  if (store == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  members = job->segment != NULL ? crm_survey_distribution_segment_members (store, job->segment, &job->error)
                                 : g_ptr_array_ref (job->contact_ids);
  if (members == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_str_equal (job->channel, "email"))
    {
      g_autoptr(CrmSurveyDistribution) sent = crm_survey_distribute (store, job->survey_id, members, "email",
                                                                     cancellable, on_job_progress, job,
                                                                     &job->error);
      g_autofree char *csv = NULL;

      /* The tokens exist only in this file: if it cannot be written, the
       * links are lost, so say so rather than pretend. */
      if (sent != NULL)
        {
          csv = crm_survey_distribution_to_csv (sent, job->base_url);
          if (g_file_set_contents_full (job->path, csv, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &job->error))
            job->summary = summary_text (sent->invitees->len, sent->skipped_no_consent,
                                         sent->skipped_no_address, FALSE);
        }
    }
  else
    {
      guint skipped = 0;
      g_autoptr(CrmSurveyPrint) print = crm_survey_print_new_for_survey (store, job->survey_id, members,
                                                                         job->base_url, cancellable,
                                                                         on_job_progress, job, &skipped,
                                                                         &job->error);

      if (print != NULL && crm_survey_print_write_pdf (print, job->path, &job->error))
        job->summary = summary_text (members->len - skipped, 0, 0, TRUE);
    }
  g_task_return_boolean (task, TRUE);
}

static gboolean
update_progress (gpointer user_data)
{
  CrmSurveySendDialog *self = user_data;
  guint done, total;

  g_mutex_lock (&self->job->lock);
  done = self->job->done;
  total = self->job->total;
  g_mutex_unlock (&self->job->lock);
  if (total > 0)
    {
      g_autofree char *text = g_strdup_printf (_("%u of %u customers"), done, total);

      gtk_progress_bar_set_fraction (self->progress_bar, (double) done / total);
      gtk_progress_bar_set_text (self->progress_bar, text);
    }
  else
    gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static void
show_problem (CrmSurveySendDialog *self,
              const char          *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
on_send_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CrmSurveySendDialog) self = user_data;
  SendJob *job = self->job;

  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (self->context == NULL)
    {
      /* Closed meanwhile: the thread rolled back or finished; nothing to show. */
      g_clear_pointer (&self->job, send_job_free);
      return;
    }
  /* The window's connection learns what the thread wrote. */
  crm_store_emit_changed (crm_context_get_store (self->context), NULL);
  g_clear_pointer (&self->summary, g_free);
  if (job->error != NULL && g_error_matches (job->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->summary = g_strdup (_("Cancelled: no links were made and no file was written."));
      show_problem (self, self->summary);
      gtk_stack_set_visible_child_name (self->stack, "choose");
    }
  else if (job->error != NULL)
    {
      self->summary = g_strdup (job->error->message);
      show_problem (self, self->summary);
      gtk_stack_set_visible_child_name (self->stack, "choose");
    }
  else
    {
      self->summary = g_steal_pointer (&job->summary);
      adw_status_page_set_description (self->done_page, self->summary);
      gtk_stack_set_visible_child_name (self->stack, "done");
    }
  g_clear_pointer (&self->job, send_job_free);
  g_clear_object (&self->cancellable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button), TRUE);
}

gboolean
crm_survey_send_dialog_start (CrmSurveySendDialog *self,
                              const char          *segment,
                              const char          *channel,
                              const char          *path)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *server = NULL;
  SendJob *job;

  g_return_val_if_fail (CRM_IS_SURVEY_SEND_DIALOG (self), FALSE);

  if (self->job != NULL)
    return FALSE;
  if (crm_survey_send_dialog_get_survey_id (self) == NULL)
    {
      show_problem (self, _("There is no open survey to send. Open one in Surveys first."));
      return FALSE;
    }
  if (segment == NULL && self->contact_ids == NULL)
    return FALSE;
  server = g_settings_get_string (crm_context_get_settings (self->context), "sync-server");
  if (g_str_equal (channel, "email") && (server == NULL || *server == '\0'))
    {
      show_problem (self, _("Set up a sync server in Preferences: it serves the web form the links open."));
      return FALSE;
    }
  show_problem (self, NULL);

  job = g_new0 (SendJob, 1);
  g_mutex_init (&job->lock);
  job->db_path = g_strdup (crm_store_get_path (crm_context_get_store (self->context)));
  job->survey_id = g_strdup (crm_survey_send_dialog_get_survey_id (self));
  job->segment = g_strdup (segment);
  job->contact_ids = segment == NULL ? g_ptr_array_ref (self->contact_ids) : NULL;
  job->channel = g_strdup (channel);
  job->path = g_strdup (path);
  job->base_url = server != NULL && *server != '\0' ? g_strdup (server) : NULL;
  self->job = job;
  self->cancellable = g_cancellable_new ();

  task = g_task_new (NULL, self->cancellable, on_send_done, g_object_ref (self));
  g_task_set_task_data (task, job, NULL);
  g_task_run_in_thread (task, send_thread);

  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, NULL);
  gtk_stack_set_visible_child_name (self->stack, "progress");
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button), FALSE);
  self->progress_id = g_timeout_add (100, update_progress, self);
  return TRUE;
}

void
crm_survey_send_dialog_cancel (CrmSurveySendDialog *self)
{
  g_return_if_fail (CRM_IS_SURVEY_SEND_DIALOG (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

const char *
crm_survey_send_dialog_get_survey_id (CrmSurveySendDialog *self)
{
  guint i;

  g_return_val_if_fail (CRM_IS_SURVEY_SEND_DIALOG (self), NULL);
  if (self->survey_id != NULL)
    return self->survey_id;
  i = adw_combo_row_get_selected (self->survey_row);
  return i < self->survey_ids->len ? g_ptr_array_index (self->survey_ids, i) : NULL;
}

gboolean
crm_survey_send_dialog_is_busy (CrmSurveySendDialog *self)
{
  g_return_val_if_fail (CRM_IS_SURVEY_SEND_DIALOG (self), FALSE);
  return self->job != NULL;
}

const char *
crm_survey_send_dialog_get_summary (CrmSurveySendDialog *self)
{
  g_return_val_if_fail (CRM_IS_SURVEY_SEND_DIALOG (self), NULL);
  return self->summary;
}

/* --- choosing ---------------------------------------------------------- */

static const char *
selected_segment (CrmSurveySendDialog *self)
{
  guint i = adw_combo_row_get_selected (self->segment_row);

  if (self->contact_ids != NULL)
    return NULL;
  return i < self->segment_ids->len ? g_ptr_array_index (self->segment_ids, i) : NULL;
}

static const char *
selected_channel (CrmSurveySendDialog *self)
{
  return channels[MIN (adw_combo_row_get_selected (self->channel_row), G_N_ELEMENTS (channels) - 1)];
}

static void
on_segment_selected (CrmSurveySendDialog *self)
{
  const char *id = selected_segment (self);
  g_autoptr(CrmSegmentInfo) info = NULL;
  gint64 n = 0;

  if (self->contact_ids != NULL)
    return;
  /* How many the choice reaches, before anything is sent. */
  if (id != NULL &&
      (info = crm_segment_find (crm_context_get_store (self->context), id, NULL)) != NULL &&
      crm_segment_count (crm_context_get_store (self->context), info->rule, NULL, &n, NULL))
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%lld customer", "%lld customers", n), (long long) n);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->segment_row), text);
    }
}

static void
on_file_chosen (GtkNativeDialog *chooser,
                int              response,
                gpointer         user_data)
{
  CrmSurveySendDialog *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL && (selected_segment (self) != NULL || self->contact_ids != NULL))
        crm_survey_send_dialog_start (self, selected_segment (self), selected_channel (self), path);
    }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
on_send_clicked (CrmSurveySendDialog *self)
{
  gboolean email = g_str_equal (selected_channel (self), "email");
  GtkFileChooserNative *chooser;

  if (selected_segment (self) == NULL && self->contact_ids == NULL)
    return;
  chooser = gtk_file_chooser_native_new (email ? _("Save the Links for a Mail Tool") : _("Save the Forms to Print"),
                                         GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     /* TRANSLATORS: file names offered when saving */
                                     email ? _("survey-links.csv") : _("survey-forms.pdf"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
on_close_request (CrmSurveySendDialog *self)
{
  /* The thread stops at the next customer and rolls back. */
  crm_survey_send_dialog_cancel (self);
  return FALSE;
}

/* --- GObject ------------------------------------------------------------ */

static void
crm_survey_send_dialog_dispose (GObject *object)
{
  CrmSurveySendDialog *self = CRM_SURVEY_SEND_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_object (&self->context);
  g_clear_pointer (&self->segment_ids, g_ptr_array_unref);
  g_clear_pointer (&self->survey_ids, g_ptr_array_unref);
  g_clear_pointer (&self->contact_ids, g_ptr_array_unref);
  G_OBJECT_CLASS (crm_survey_send_dialog_parent_class)->dispose (object);
}

static void
crm_survey_send_dialog_finalize (GObject *object)
{
  CrmSurveySendDialog *self = CRM_SURVEY_SEND_DIALOG (object);

  /* The task holds the dialog until the thread is done, so no job is left. */
  g_clear_object (&self->cancellable);
  g_free (self->survey_id);
  g_free (self->summary);
  G_OBJECT_CLASS (crm_survey_send_dialog_parent_class)->finalize (object);
}

static void
crm_survey_send_dialog_class_init (CrmSurveySendDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_survey_send_dialog_dispose;
  object_class->finalize = crm_survey_send_dialog_finalize;
}

static GtkWidget *
build_choose_page (CrmSurveySendDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  g_autoptr(GtkStringList) channel_labels = gtk_string_list_new (NULL);

  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);

  self->survey_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->survey_row), _("Sur_vey"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->survey_row), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->survey_row), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->survey_row));

  self->segment_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->segment_row), _("_Recipients"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->segment_row), TRUE);
  g_signal_connect_swapped (self->segment_row, "notify::selected", G_CALLBACK (on_segment_selected), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->segment_row));

  gtk_string_list_append (channel_labels, _("Email links (CSV)"));
  gtk_string_list_append (channel_labels, _("Printed forms (PDF)"));
  self->channel_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->channel_row), _("_Channel"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->channel_row), TRUE);
  adw_combo_row_set_model (self->channel_row, G_LIST_MODEL (channel_labels));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->channel_row));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Email links are saved as a list (name, email, link) for a mail tool. They go only to customers who agreed to email and have an address."));
  gtk_box_append (GTK_BOX (box), group);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  self->send_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Send…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->send_button), "suggested-action");
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_widget_set_vexpand (buttons, TRUE);
  gtk_widget_set_valign (buttons, GTK_ALIGN_END);
  g_signal_connect_swapped (self->send_button, "clicked", G_CALLBACK (on_send_clicked), self);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->send_button));
  gtk_box_append (GTK_BOX (box), buttons);
  return box;
}

static void
crm_survey_send_dialog_init (CrmSurveySendDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *progress = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *close = gtk_button_new_with_mnemonic (_("_Close"));
  GtkWidget *label;

  self->segment_ids = g_ptr_array_new_with_free_func (g_free);
  self->survey_ids = g_ptr_array_new_with_free_func (g_free);
  gtk_window_set_title (GTK_WINDOW (self), _("Send Survey"));
  gtk_window_set_default_size (GTK_WINDOW (self), 520, 440);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_box_append (GTK_BOX (content), header);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_add_named (self->stack, build_choose_page (self), "choose");

  gtk_widget_set_margin_start (progress, 24);
  gtk_widget_set_margin_end (progress, 24);
  gtk_widget_set_valign (progress, GTK_ALIGN_CENTER);
  label = gtk_label_new (_("Making the links…"));
  gtk_widget_add_css_class (label, "title-4");
  gtk_box_append (GTK_BOX (progress), label);
  self->progress_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->progress_bar, TRUE);
  gtk_box_append (GTK_BOX (progress), GTK_WIDGET (self->progress_bar));
  gtk_widget_set_halign (cancel, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (crm_survey_send_dialog_cancel), self);
  gtk_box_append (GTK_BOX (progress), cancel);
  gtk_stack_add_named (self->stack, progress, "progress");

  self->done_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->done_page, "emblem-ok-symbolic");
  adw_status_page_set_title (self->done_page, _("Survey Sent"));
  gtk_widget_set_halign (close, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (close, "pill");
  g_signal_connect_swapped (close, "clicked", G_CALLBACK (gtk_window_close), self);
  adw_status_page_set_child (self->done_page, close);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->done_page), "done");

  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), content);
  g_signal_connect (self, "close-request", G_CALLBACK (on_close_request), NULL);
}

CrmSurveySendDialog *
crm_survey_send_dialog_new (CrmContext *context,
                            const char *survey_id)
{
  CrmSurveySendDialog *self = g_object_new (CRM_TYPE_SURVEY_SEND_DIALOG, NULL);
  g_autoptr(GPtrArray) segments = crm_segment_list_all (crm_context_get_store (context), NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(CrmSurvey) survey = crm_store_get (crm_context_get_store (context), CRM_TYPE_SURVEY, survey_id, NULL);

  self->context = g_object_ref (context);
  self->survey_id = g_strdup (survey_id);
  if (survey != NULL)
    {
      /* TRANSLATORS: the send dialog's title; %s is the survey's title */
      g_autofree char *title = g_strdup_printf (_("Send “%s”"), crm_record_get_string (CRM_RECORD (survey), "title"));

      gtk_window_set_title (GTK_WINDOW (self), title);
    }
  /* Saved segments first: they are what people make for a survey. */
  for (int pass = 0; pass < 2 && segments != NULL; pass++)
    for (guint i = 0; i < segments->len; i++)
      {
        CrmSegmentInfo *info = g_ptr_array_index (segments, i);

        if (info->builtin != (pass == 1))
          continue;
        gtk_string_list_append (names, info->name);
        g_ptr_array_add (self->segment_ids, g_strdup (info->id));
      }
  adw_combo_row_set_model (self->segment_row, G_LIST_MODEL (names));
  on_segment_selected (self);
  return self;
}

CrmSurveySendDialog *
crm_survey_send_dialog_new_for_contacts (CrmContext *context,
                                         GPtrArray  *contact_ids)
{
  CrmSurveySendDialog *self = g_object_new (CRM_TYPE_SURVEY_SEND_DIALOG, NULL);
  g_autoptr(GPtrArray) surveys = crm_surveys_list (crm_context_get_store (context), NULL);
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) recipients = gtk_string_list_new (NULL);
  g_autofree char *chosen = g_strdup_printf (ngettext ("%u selected customer", "%u selected customers",
                                                       contact_ids->len), contact_ids->len);

  self->context = g_object_ref (context);
  self->contact_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < contact_ids->len; i++)
    g_ptr_array_add (self->contact_ids, g_strdup (g_ptr_array_index (contact_ids, i)));

  /* Open surveys (and drafts), newest first: a closed one takes no answers. */
  for (guint i = 0; surveys != NULL && i < surveys->len; i++)
    {
      CrmRecord *survey = g_ptr_array_index (surveys, i);

      if (g_strcmp0 (crm_record_get_string (survey, "status"), "closed") == 0)
        continue;
      gtk_string_list_append (titles, crm_record_get_string (survey, "title"));
      g_ptr_array_add (self->survey_ids, g_strdup (crm_record_get_id (survey)));
    }
  adw_combo_row_set_model (self->survey_row, G_LIST_MODEL (titles));
  gtk_widget_set_visible (GTK_WIDGET (self->survey_row), TRUE);
  gtk_string_list_append (recipients, chosen);
  adw_combo_row_set_model (self->segment_row, G_LIST_MODEL (recipients));
  gtk_widget_set_sensitive (GTK_WIDGET (self->segment_row), FALSE);
  return self;
}
