/* crm-campaigns-page.c: the Campaigns workspace: segments with a rule editor and live count, campaigns with launch and their numbers */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>

#include "crm-campaign-editor.h"
#include "crm-campaign-print.h"
#include "crm-campaign-sender.h"
#include "crm-campaigns-page.h"
#include "crm-campaigns.h"
#include "crm-smtp-settings.h"
#include "crm-segment.h"
#include "crm-segment-builder.h"
#include "crm-segment-rule.h"
#include "crm-value.h"

#define COUNT_DELAY_MS 300

struct _CrmCampaignsPage
{
  GtkWidget parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkListBox *segments_list;
  GtkListBox *campaigns_list;
  GtkStack *detail_stack;
  GtkEntry *segment_name;
  GtkLabel *segment_description;
  CrmSegmentBuilder *builder;
  GtkLabel *builder_note;
  GtkExpander *json_expander;
  GtkTextView *rule_view;
  GtkLabel *count_label;
  GtkButton *save_button;
  GtkLabel *campaign_title;
  GtkLabel *campaign_subtitle;
  GtkGrid *stats_grid;
  GtkButton *edit_button;
  GtkButton *launch_button;
  GtkButton *send_button;
  GtkButton *cancel_send_button;
  GtkMenuButton *print_button;
  GtkProgressBar *send_progress;

  CrmContext *context;
  GPtrArray *segments;        /* CrmSegmentInfo, as listed */
  GPtrArray *campaigns;       /* CrmCampaign, as listed */
  char *segment_id;           /* in the editor; NULL for a new one */
  gboolean segment_builtin;
  char *campaign_id;          /* shown */
  GPtrArray *stats_lines;     /* char *, for tests and accessibility */
  char *last_message;         /* the latest toast, for tests */

  GCancellable *send_cancellable;  /* while a campaign is being sent */
  gint64 send_total;
  guint n_exports;            /* PDF exports and prints under way */

  gboolean from_builder;      /* the rule text is being set from the builder */
  guint count_source;
  GCancellable *count_cancellable;
  gint64 count;
};

G_DEFINE_FINAL_TYPE (CrmCampaignsPage, crm_campaigns_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static CrmStore *
get_store (CrmCampaignsPage *self)
{
  return self->context != NULL ? crm_context_get_store (self->context) : NULL;
}

static void
toast (CrmCampaignsPage *self,
       const char       *message)
{
  g_free (self->last_message);
  self->last_message = g_strdup (message);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static char *
rule_text (CrmCampaignsPage *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->rule_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Lists */

static GtkWidget *
list_row (const char *title,
          const char *subtitle)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), label);
  if (subtitle != NULL)
    {
      GtkWidget *sub = gtk_label_new (subtitle);

      gtk_label_set_xalign (GTK_LABEL (sub), 0);
      gtk_label_set_ellipsize (GTK_LABEL (sub), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (sub, "dim-label");
      gtk_widget_add_css_class (sub, "caption");
      gtk_box_append (GTK_BOX (box), sub);
    }
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static const char *
channel_label (const char *channel)
{
  if (g_strcmp0 (channel, "email") == 0)
    return C_("campaign channel", "Email");
  if (g_strcmp0 (channel, "sms") == 0)
    return _("SMS");
  if (g_strcmp0 (channel, "letter") == 0)
    return _("Letter");
  return _("Phone calls");
}

static const char *
status_label (const char *status)
{
  if (g_strcmp0 (status, "draft") == 0)
    return _("Draft");
  if (g_strcmp0 (status, "scheduled") == 0)
    return _("Scheduled");
  if (g_strcmp0 (status, "running") == 0)
    return _("Running");
  if (g_strcmp0 (status, "done") == 0)
    return C_("campaign status", "Done");
  return _("Cancelled");
}

static void
reload_lists (CrmCampaignsPage *self)
{
  CrmStore *store = get_store (self);
  g_autoptr(GError) error = NULL;
  GtkListBoxRow *row;

  /* Rows only: the campaign list's placeholder stays. */
  while ((row = gtk_list_box_get_row_at_index (self->segments_list, 0)) != NULL)
    gtk_list_box_remove (self->segments_list, GTK_WIDGET (row));
  while ((row = gtk_list_box_get_row_at_index (self->campaigns_list, 0)) != NULL)
    gtk_list_box_remove (self->campaigns_list, GTK_WIDGET (row));
  g_clear_pointer (&self->segments, g_ptr_array_unref);
  g_clear_pointer (&self->campaigns, g_ptr_array_unref);
  if (store == NULL)
    return;

  self->segments = crm_segment_list_all (store, &error);
  if (self->segments == NULL)
    {
      toast (self, error->message);
      return;
    }
  for (guint i = 0; i < self->segments->len; i++)
    {
      CrmSegmentInfo *info = g_ptr_array_index (self->segments, i);

      gtk_list_box_append (self->segments_list,
                           list_row (info->name, info->builtin ? _("Built in") : info->description));
    }

  self->campaigns = crm_campaign_list_all (store, &error);
  if (self->campaigns == NULL)
    {
      toast (self, error->message);
      return;
    }
  for (guint i = 0; i < self->campaigns->len; i++)
    {
      CrmRecord *c = g_ptr_array_index (self->campaigns, i);
      /* TRANSLATORS: campaign channel · status, e.g. "Email · Running" */
      g_autofree char *sub = g_strdup_printf (_("%s · %s"), channel_label (crm_record_get_string (c, "channel")),
                                              status_label (crm_record_get_string (c, "status")));

      gtk_list_box_append (self->campaigns_list, list_row (crm_record_get_string (c, "name"), sub));
    }
}

/* ---------------------------------------------------------------------- */
/* Live count: validated at once, counted in a thread on its own
 * read-only connection, the latest edit wins. */

typedef struct
{
  char *db_path;
  char *rule;
} CountRequest;

static void
count_request_free (CountRequest *request)
{
  g_free (request->db_path);
  g_free (request->rule);
  g_free (request);
}

static void
count_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CountRequest *request = task_data;
  g_autoptr(CrmStore) store = crm_store_open_full (request->db_path, CRM_STORE_OPEN_READ_ONLY, NULL);
  g_autoptr(GError) error = NULL;
  gint64 *count = g_new (gint64, 1);

  if (store == NULL || !crm_segment_count (store, request->rule, NULL, count, &error))
    {
      g_free (count);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                               error != NULL ? error->message : _("The database could not be opened."));
      return;
    }
  g_task_return_pointer (task, count, g_free);
}

static void
count_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CrmCampaignsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *count = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (count == NULL)
    {
      gtk_label_set_text (self->count_label, error->message);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (NULL, "%" PRId64 " contact match", "%" PRId64 " contacts match",
                                                          (gulong) *count), *count);

    self->count = *count;
    gtk_label_set_text (self->count_label, text);
  }
}

static gboolean
start_count (gpointer user_data)
{
  CrmCampaignsPage *self = user_data;
  g_autoptr(GTask) task = NULL;
  CountRequest *request;

  self->count_source = 0;
  if (get_store (self) == NULL)
    return G_SOURCE_REMOVE;
  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  self->count_cancellable = g_cancellable_new ();

  request = g_new0 (CountRequest, 1);
  request->db_path = g_strdup (crm_store_get_path (get_store (self)));
  request->rule = rule_text (self);
  /* Tasks run in a thread never get the page as source object: the thread
   * may drop the task's last reference (even when not returned on cancel),
   * and the page would then be disposed there, text views and all. Our own
   * reference is dropped in the callback, on the main thread. */
  task = g_task_new (NULL, self->count_cancellable, count_done, g_object_ref (self));
  g_task_set_source_tag (task, start_count);
  g_task_set_task_data (task, request, (GDestroyNotify) count_request_free);
  g_task_run_in_thread (task, count_thread);
  return G_SOURCE_REMOVE;
}

static void
on_rule_changed (GtkTextBuffer    *buffer,
                 CrmCampaignsPage *self)
{
  g_autofree char *rule = rule_text (self);
  g_autoptr(GError) error = NULL;

  self->count = -1;
  g_clear_handle_id (&self->count_source, g_source_remove);
  g_cancellable_cancel (self->count_cancellable);
  /* Typed as JSON (or set by an action): show it in the condition editor
   * when it fits there. */
  if (!self->from_builder)
    {
      gboolean fits = crm_segment_builder_set_rule (self->builder, rule);

      gtk_widget_set_visible (GTK_WIDGET (self->builder_note), !fits);
      if (!fits)
        gtk_expander_set_expanded (self->json_expander, TRUE);
    }
  if (!crm_segment_rule_validate (rule, &error))
    {
      gtk_label_set_text (self->count_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->count_label), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->count_label), "error");
  gtk_label_set_text (self->count_label, _("Counting…"));
  self->count_source = g_timeout_add (COUNT_DELAY_MS, start_count, self);
}

/* ---------------------------------------------------------------------- */
/* Segment editor */

static void
on_builder_changed (CrmCampaignsPage *self)
{
  g_autofree char *rule = crm_segment_builder_dup_rule (self->builder);

  self->from_builder = TRUE;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->rule_view), rule, -1);
  self->from_builder = FALSE;
}

static void
show_segment (CrmCampaignsPage     *self,
              const CrmSegmentInfo *info)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *pretty = NULL;

  g_clear_pointer (&self->segment_id, g_free);
  self->segment_builtin = info != NULL && info->builtin;
  if (info != NULL && !info->builtin)
    self->segment_id = g_strdup (info->id);
  if (info != NULL)
    root = json_from_string (info->rule, NULL);
  pretty = root != NULL ? json_to_string (root, TRUE) : g_strdup ("{\n  \"all\": [\n  ]\n}");

  gtk_editable_set_text (GTK_EDITABLE (self->segment_name), info != NULL ? info->name : "");
  gtk_editable_set_editable (GTK_EDITABLE (self->segment_name), !self->segment_builtin);
  gtk_label_set_text (self->segment_description,
                      info != NULL && info->description != NULL ? info->description
                      : _("A new segment: every contact until you add conditions."));
  gtk_text_view_set_editable (self->rule_view, !self->segment_builtin);
  crm_segment_builder_set_editable (self->builder, !self->segment_builtin);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "campaigns.save-segment", !self->segment_builtin);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->rule_view), pretty, -1);
  gtk_stack_set_visible_child_name (self->detail_stack, "segment");
  if (!self->segment_builtin)
    gtk_widget_grab_focus (GTK_WIDGET (self->segment_name));
}

static void
on_segment_activated (GtkListBox       *list,
                      GtkListBoxRow    *row,
                      CrmCampaignsPage *self)
{
  int i = gtk_list_box_row_get_index (row);

  if (self->segments != NULL && i >= 0 && (guint) i < self->segments->len)
    show_segment (self, g_ptr_array_index (self->segments, i));
}

static void
new_segment_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  show_segment (CRM_CAMPAIGNS_PAGE (widget), NULL);
}

static void
show_segment_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSegmentInfo) info = NULL;

  if (get_store (self) == NULL)
    return;
  info = crm_segment_find (get_store (self), g_variant_get_string (parameter, NULL), &error);
  if (info == NULL)
    toast (self, error->message);
  else
    show_segment (self, info);
}

static void
set_rule_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->rule_view), g_variant_get_string (parameter, NULL), -1);
}

static void
set_segment_name_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->segment_name), g_variant_get_string (parameter, NULL));
}

static void
save_segment_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);
  CrmStore *store = get_store (self);
  g_autoptr(CrmSegment) segment = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rule = rule_text (self);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->segment_name));
  gboolean ok;

  if (store == NULL || self->segment_builtin)
    return;
  if (*name == '\0')
    {
      toast (self, _("Give the segment a name first."));
      gtk_widget_grab_focus (GTK_WIDGET (self->segment_name));
      return;
    }
  if (self->segment_id != NULL)
    segment = crm_store_get (store, CRM_TYPE_SEGMENT, self->segment_id, &error);
  else
    segment = crm_segment_new ();
  if (segment == NULL)
    {
      toast (self, error->message);
      return;
    }
  g_object_set (segment, "name", name, "rule", rule, NULL);
  ok = self->segment_id != NULL ? crm_store_update (store, CRM_RECORD (segment), &error)
                                : crm_store_insert (store, CRM_RECORD (segment), &error);
  if (!ok)
    {
      toast (self, error->message);
      return;
    }
  g_free (self->segment_id);
  self->segment_id = g_strdup (crm_record_get_id (CRM_RECORD (segment)));
  reload_lists (self);
  toast (self, _("Segment saved"));
}

/* ---------------------------------------------------------------------- */
/* Campaign view */

static void
add_stat_cell (CrmCampaignsPage *self,
               const char       *text,
               int               column,
               int               row,
               gboolean          heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0 : 1);
  if (heading && row == 0)
    {
      /* Column titles wrap ("Conversion / rate") so the table fits beside the list. */
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 10);
      gtk_label_set_justify (GTK_LABEL (label), column == 0 ? GTK_JUSTIFY_LEFT : GTK_JUSTIFY_RIGHT);
      gtk_widget_set_valign (label, GTK_ALIGN_END);
    }
  if (heading)
    gtk_widget_add_css_class (label, "heading");
  else if (column > 0)
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (self->stats_grid, label, column, row, 1, 1);
}

static char *
rate_text (gint64 part,
           gint64 whole)
{
  return whole > 0 ? g_strdup_printf ("%.1f %%", 100.0 * part / whole) : g_strdup ("–");
}

static void
show_campaign (CrmCampaignsPage *self,
               const char       *campaign_id)
{
  CrmStore *store = get_store (self);
  const char *headings[] = { _("Segment"), _("Members"), _("Sent"), _("Failed"), _("Response rate"),
                             _("Conversion rate"), _("Revenue") };
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GPtrArray) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *child;
  const char *status;

  if (store == NULL)
    return;
  campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, campaign_id, &error);
  if (campaign == NULL || (stats = crm_campaign_get_stats (store, campaign_id, &error)) == NULL)
    {
      toast (self, error->message);
      return;
    }
  /* campaign_id may be self->campaign_id itself (a refresh). */
  if (campaign_id != self->campaign_id)
    {
      g_free (self->campaign_id);
      self->campaign_id = g_strdup (campaign_id);
    }
  status = crm_record_get_string (CRM_RECORD (campaign), "status");

  gtk_label_set_text (self->campaign_title, crm_record_get_string (CRM_RECORD (campaign), "name"));
  /* TRANSLATORS: channel · status · who launch left out */
  subtitle = g_strdup_printf (_("%s · %s · left out at launch: %" PRId64 " without consent, %" PRId64 " without an address"),
                              channel_label (crm_record_get_string (CRM_RECORD (campaign), "channel")),
                              status_label (status),
                              crm_record_get_int64 (CRM_RECORD (campaign), "excluded_no_consent"),
                              crm_record_get_int64 (CRM_RECORD (campaign), "excluded_no_address"));
  gtk_label_set_text (self->campaign_subtitle, subtitle);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->stats_grid))) != NULL)
    gtk_grid_remove (self->stats_grid, child);
  g_ptr_array_set_size (self->stats_lines, 0);
  for (guint c = 0; c < G_N_ELEMENTS (headings); c++)
    add_stat_cell (self, headings[c], c, 0, TRUE);
  for (guint i = 0; i < stats->len; i++)
    {
      CrmCampaignStats *s = g_ptr_array_index (stats, i);
      g_autoptr(CrmSegmentInfo) info = s->variant != NULL ? crm_segment_find (store, s->variant, NULL) : NULL;
      g_autofree char *members = g_strdup_printf ("%" PRId64, s->members);
      g_autofree char *sent = g_strdup_printf ("%" PRId64, s->sent);
      g_autofree char *failed = g_strdup_printf ("%" PRId64, s->failed);
      g_autofree char *response = rate_text (s->responded, s->sent);
      g_autofree char *conversion = rate_text (s->converted, s->sent);
      g_autofree char *revenue = crm_value_format_money (s->revenue);
      const char *row[] = { s->variant == NULL ? _("Total") : info != NULL ? info->name : s->variant,
                            members, sent, failed, response, conversion, revenue, NULL };

      for (guint c = 0; c + 1 < G_N_ELEMENTS (row); c++)
        add_stat_cell (self, row[c], c, i + 1, s->variant == NULL);
      g_ptr_array_add (self->stats_lines, g_strjoinv (" | ", (char **) row));
    }
  {
    const char *channel = crm_record_get_string (CRM_RECORD (campaign), "channel");
    gboolean draft = g_str_equal (status, "draft") || g_str_equal (status, "scheduled");
    gboolean sending = self->send_cancellable != NULL;
    CrmCampaignStats *total = stats->len > 0 ? g_ptr_array_index (stats, stats->len - 1) : NULL;

    self->send_total = total != NULL ? total->pending : 0;
    gtk_widget_set_visible (GTK_WIDGET (self->edit_button), draft);
    gtk_widget_set_visible (GTK_WIDGET (self->launch_button), draft);
    gtk_widget_set_visible (GTK_WIDGET (self->send_button),
                            g_str_equal (channel, "email") && g_str_equal (status, "running") && !sending);
    gtk_widget_set_visible (GTK_WIDGET (self->cancel_send_button), sending);
    gtk_widget_set_visible (GTK_WIDGET (self->send_progress), sending);
    gtk_widget_set_visible (GTK_WIDGET (self->print_button), g_str_equal (channel, "letter") && !draft);
  }
  gtk_stack_set_visible_child_name (self->detail_stack, "campaign");
}

static void
on_campaign_activated (GtkListBox       *list,
                       GtkListBoxRow    *row,
                       CrmCampaignsPage *self)
{
  int i = gtk_list_box_row_get_index (row);

  if (self->campaigns != NULL && i >= 0 && (guint) i < self->campaigns->len)
    show_campaign (self, crm_record_get_id (g_ptr_array_index (self->campaigns, i)));
}

static void
show_campaign_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  show_campaign (CRM_CAMPAIGNS_PAGE (widget), g_variant_get_string (parameter, NULL));
}

static void
launch_now (CrmCampaignsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  CrmCampaignLaunch launch;

  if (get_store (self) == NULL || self->campaign_id == NULL)
    return;
  if (!crm_campaign_launch (get_store (self), self->campaign_id, NULL, &launch, &error))
    {
      toast (self, error->message);
      return;
    }
  message = g_strdup_printf (_("Launched to %" PRId64 " members"), launch.members);
  toast (self, message);
  reload_lists (self);
  show_campaign (self, self->campaign_id);
}

static void
on_launch_response (AdwMessageDialog *dialog,
                    const char       *response,
                    CrmCampaignsPage *self)
{
  if (g_str_equal (response, "launch"))
    launch_now (self);
}

static void
launch_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  AdwMessageDialog *dialog;

  if (self->campaign_id == NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Launch the campaign?"),
                                                       _("Its members are fixed now: everyone in its segments with consent and an address for the channel. This cannot be undone.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "launch", _("_Launch"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "launch", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_launch_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
launch_confirmed_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  launch_now (CRM_CAMPAIGNS_PAGE (widget));
}

/* ---------------------------------------------------------------------- */
/* Campaign editor */

static void
on_editor_saved (CrmCampaignEditor *editor,
                 const char        *campaign_id,
                 CrmCampaignsPage  *self)
{
  reload_lists (self);
  show_campaign (self, campaign_id);
}

static void
open_editor (CrmCampaignsPage *self,
             const char       *campaign_id)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  CrmCampaignEditor *editor;

  if (self->context == NULL)
    return;
  editor = crm_campaign_editor_new (self->context, campaign_id);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (root));
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_editor_saved), self, 0);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
new_campaign_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  open_editor (CRM_CAMPAIGNS_PAGE (widget), NULL);
}

static void
edit_campaign_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);

  if (self->campaign_id != NULL)
    open_editor (self, self->campaign_id);
}

/* ---------------------------------------------------------------------- */
/* Sending: a thread with its own connection; the core sender marks each
 * member, so a stop or a crash leaves nothing sent twice. */

typedef struct
{
  char *db_path;
  char *campaign_id;
  CrmSmtpSettings *smtp;
  char *survey_base_url;         /* the sync server, for {{survey_link}} */
  CrmCampaignsPage *page;        /* not a reference: send_done's keeps it */
  CrmSendResult result;
} SendJob;

static void
send_job_free (SendJob *job)
{
  g_free (job->db_path);
  g_free (job->campaign_id);
  crm_smtp_settings_free (job->smtp);
  g_free (job->survey_base_url);
  g_free (job);
}

typedef struct
{
  CrmCampaignsPage *page;        /* released by the idle, on the main thread */
  CrmSendResult so_far;
} SendProgress;

static void
send_progress_free (SendProgress *p)
{
  g_object_unref (p->page);
  g_free (p);
}

static void
set_send_progress (CrmCampaignsPage    *self,
                   const CrmSendResult *so_far)
{
  g_autofree char *text = NULL;
  double done = so_far->sent + so_far->failed;

  /* TRANSLATORS: progress of a campaign send */
  text = g_strdup_printf (_("%u sent, %u failed of %" PRId64), so_far->sent, so_far->failed, self->send_total);
  gtk_progress_bar_set_text (self->send_progress, text);
  gtk_progress_bar_set_fraction (self->send_progress, self->send_total > 0 ? MIN (1.0, done / self->send_total) : 0);
}

static gboolean
send_progress_idle (gpointer data)
{
  SendProgress *p = data;
  CrmCampaignsPage *self = p->page;

  if (self->send_cancellable != NULL)
    set_send_progress (self, &p->so_far);
  return G_SOURCE_REMOVE;
}

static void
on_send_progress (const CrmSendResult *so_far,
                  gpointer             user_data)
{
  SendJob *job = user_data;
  SendProgress *p = g_new0 (SendProgress, 1);

  p->page = g_object_ref (job->page);
  p->so_far = *so_far;
  g_idle_add_full (G_PRIORITY_DEFAULT, send_progress_idle, p, (GDestroyNotify) send_progress_free);
}

static void
send_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SendJob *job = task_data;
  g_autoptr(CrmStore) store = NULL;
  g_autofree char *url = NULL;
  GError *error = NULL;
  CrmSmtpConfig config;

  if (!crm_smtp_settings_check (job->smtp, &error) ||
      !crm_smtp_settings_load_password (job->smtp, &error) ||
      (store = crm_store_open (job->db_path, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  url = crm_smtp_settings_dup_url (job->smtp);
  crm_smtp_config_init (&config);
  crm_smtp_settings_apply (job->smtp, url, &config);
  config.survey_base_url = job->survey_base_url;
  if (!crm_campaign_send_email (store, job->campaign_id, &config, cancellable, on_send_progress, job,
                                &job->result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CrmCampaignsPage) self = user_data;
  SendJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_clear_object (&self->send_cancellable);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        message = g_strdup_printf (_("Sending stopped after %u messages; the others wait for the next Send."),
                                   job->result.sent);
      else
        message = g_strdup (error->message);
    }
  else
    message = g_strdup_printf (_("%u sent, %u failed"), job->result.sent, job->result.failed);
  toast (self, message);
  if (self->campaign_id != NULL && g_str_equal (self->campaign_id, job->campaign_id))
    show_campaign (self, self->campaign_id);
  reload_lists (self);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);
  g_autoptr(GTask) task = NULL;
  SendJob *job;

  if (get_store (self) == NULL || self->campaign_id == NULL || self->send_cancellable != NULL)
    return;
  job = g_new0 (SendJob, 1);
  job->db_path = g_strdup (crm_store_get_path (get_store (self)));
  job->campaign_id = g_strdup (self->campaign_id);
  job->smtp = crm_smtp_settings_load (crm_context_get_settings (self->context));
  job->survey_base_url = g_settings_get_string (crm_context_get_settings (self->context), "sync-server");

  self->send_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->send_cancellable, send_done, g_object_ref (self));
  g_task_set_source_tag (task, send_action);
  g_task_set_task_data (task, job, (GDestroyNotify) send_job_free);
  job->page = self;
  g_task_run_in_thread (task, send_thread);
  show_campaign (self, self->campaign_id);
  set_send_progress (self, &job->result);
}

static void
cancel_send_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);

  g_cancellable_cancel (self->send_cancellable);
}

/* ---------------------------------------------------------------------- */
/* Letters and labels: the members are read in a thread on its own
 * connection, then written as PDF there or printed through
 * GtkPrintOperation here; both draw each page with
 * crm_campaign_print_draw_page(). */

typedef struct
{
  char *db_path;
  char *campaign_id;
  char *path;                 /* the PDF; NULL for the print dialog */
  char *part_path;            /* what GtkPrintOperation writes, renamed when whole */
  char *date_text;
  char *job_name;
  gboolean labels;
  gboolean through_gtk;       /* print (or export) with GtkPrintOperation */
  guint n_pieces;
  GPtrArray *pieces;          /* the mail merge, for GtkPrintOperation */
  char *company;
  gboolean finished;          /* the outcome was told */
} PrintJob;

static void
print_job_free (PrintJob *job)
{
  g_free (job->db_path);
  g_free (job->campaign_id);
  g_free (job->path);
  g_free (job->part_path);
  g_free (job->date_text);
  g_free (job->job_name);
  g_clear_pointer (&job->pieces, g_ptr_array_unref);
  g_free (job->company);
  g_free (job);
}

static void
print_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PrintJob *job = task_data;
  g_autoptr(CrmStore) store = crm_store_open_full (job->db_path, CRM_STORE_OPEN_READ_ONLY, NULL);
  g_autoptr(GPtrArray) pieces = NULL;
  g_autofree char *company = NULL;
  GError *error = NULL;

  if (store == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", _("The database could not be opened."));
      return;
    }
  pieces = crm_campaign_dup_mail_merge (store, job->campaign_id, &error);
  company = crm_store_dup_company_name (store);
  if (pieces == NULL || !crm_campaign_print_check (pieces, &error) ||
      (!job->through_gtk &&
       !crm_campaign_print_write_pdf (pieces, job->labels, company, job->date_text, job->path, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  job->n_pieces = pieces->len;
  if (job->through_gtk)
    {
      job->pieces = g_steal_pointer (&pieces);
      job->company = g_steal_pointer (&company);
    }
  g_task_return_boolean (task, TRUE);
}

/* Says how it went; letters on paper or in a PDF offer Mark as Sent. */
static void
print_finished (CrmCampaignsPage *self,
                PrintJob         *job,
                const GError     *error,
                gboolean          done)
{
  g_autofree char *message = NULL;
  g_autofree char *base = job->path != NULL ? g_path_get_basename (job->path) : NULL;
  AdwToast *t;

  if (job->finished)
    return;
  job->finished = TRUE;
  self->n_exports--;
  /* A print exported to a PDF is written next to it, so a failure leaves
   * nothing behind and a success replaces the file whole. */
  if (job->part_path != NULL && error == NULL && done && g_rename (job->part_path, job->path) != 0)
    {
      int saved = errno;
      g_autoptr(GError) rename_error = NULL;

      rename_error = g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                  _("Could not write “%s”: %s. Check that the folder exists and is writable."),
                                  job->path, g_strerror (saved));
      g_unlink (job->part_path);
      toast (self, rename_error->message);
      return;
    }
  if (job->part_path != NULL && (error != NULL || !done))
    g_unlink (job->part_path);
  if (error != NULL)
    {
      g_autofree char *text = NULL;

      /* GTK's own message ("error while writing to output stream") does
       * not say which file or what to do. */
      if (job->part_path != NULL)
        text = g_strdup_printf (_("Could not write “%s”: %s. Check that the folder exists and is writable."),
                                job->path, error->message);
      toast (self, text != NULL ? text : error->message);
      return;
    }
  if (!done)
    return;
  if (job->labels && base != NULL)
    message = g_strdup_printf (g_dngettext (NULL, "%u label saved in %s", "%u labels saved in %s", job->n_pieces),
                               job->n_pieces, base);
  else if (base != NULL)
    message = g_strdup_printf (g_dngettext (NULL, "%u letter saved in %s", "%u letters saved in %s", job->n_pieces),
                               job->n_pieces, base);
  else if (job->labels)
    message = g_strdup_printf (g_dngettext (NULL, "%u label sent to the printer", "%u labels sent to the printer",
                                            job->n_pieces), job->n_pieces);
  else
    message = g_strdup_printf (g_dngettext (NULL, "%u letter sent to the printer", "%u letters sent to the printer",
                                            job->n_pieces), job->n_pieces);
  g_free (self->last_message);
  self->last_message = g_strdup (message);
  t = adw_toast_new (message);
  /* Posting them is up to the user; once they are, the numbers should say so. */
  if (!job->labels)
    {
      adw_toast_set_button_label (t, _("_Mark as Sent"));
      adw_toast_set_action_name (t, "campaigns.mark-sent");
      adw_toast_set_timeout (t, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
on_begin_print (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                PrintJob          *job)
{
  gtk_print_operation_set_n_pages (operation, (int) crm_campaign_print_n_pages (job->labels, job->pieces->len));
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              PrintJob          *job)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  /* Laid out for A4; another paper size scales it to fit. */
  double scale = MIN (gtk_print_context_get_width (context) / CRM_CAMPAIGN_PRINT_PAGE_WIDTH,
                      gtk_print_context_get_height (context) / CRM_CAMPAIGN_PRINT_PAGE_HEIGHT);

  cairo_scale (cr, scale, scale);
  crm_campaign_print_draw_page (cr, job->pieces, job->labels, (guint) page, job->company, job->date_text);
}

static void
on_print_done (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               gpointer                 data)
{
  CrmCampaignsPage *self = data;
  PrintJob *job = g_object_get_data (G_OBJECT (operation), "crm-print-job");
  g_autoptr(GError) error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &error);
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not print."));
    }
  print_finished (self, job, error, result == GTK_PRINT_OPERATION_RESULT_APPLY);
  g_object_unref (self);
}

/* The print dialog (with its preview) or, given job->path, straight to
 * that PDF without a dialog. */
static void
run_print_operation (CrmCampaignsPage *self,
                     PrintJob         *job)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  g_autoptr(GError) error = NULL;
  GtkPrintOperationResult result;

  gtk_page_setup_set_paper_size_and_default_margins (setup, a4);
  gtk_print_operation_set_default_page_setup (operation, setup);
  /* Letters and label sheets place themselves on the whole page. */
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  gtk_print_operation_set_job_name (operation, job->job_name);
  g_object_set_data_full (G_OBJECT (operation), "crm-print-job", job, (GDestroyNotify) print_job_free);
  g_signal_connect (operation, "begin-print", G_CALLBACK (on_begin_print), job);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page), job);
  g_signal_connect (operation, "done", G_CALLBACK (on_print_done), g_object_ref (self));
  if (job->path != NULL)
    {
      job->part_path = g_strconcat (job->path, ".part", NULL);
      gtk_print_operation_set_export_filename (operation, job->part_path);
    }
  else
    gtk_print_operation_set_allow_async (operation, TRUE);
  result = gtk_print_operation_run (operation,
                                    job->path != NULL ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                                      : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                    GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), &error);
  /* "done" may have told it already; print_finished() tells it once. */
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    print_finished (self, job, error, FALSE);
  else if (result == GTK_PRINT_OPERATION_RESULT_CANCEL)
    print_finished (self, job, NULL, FALSE);
}

static void
print_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CrmCampaignsPage) self = user_data;
  PrintJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      print_finished (self, job, error, FALSE);
      return;
    }
  if (!job->through_gtk)
    {
      print_finished (self, job, NULL, TRUE);
      return;
    }
  /* The operation owns the job from here; the task keeps an empty one. */
  {
    PrintJob *owned = g_memdup2 (job, sizeof (PrintJob));

    memset (job, 0, sizeof (PrintJob));
    job->finished = TRUE;
    run_print_operation (self, owned);
  }
}

static void
mark_sent_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);
  g_autoptr(GString) ignored = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 rows = 0;

  if (get_store (self) == NULL || self->campaign_id == NULL)
    return;
  /* The list export marks the pending members of a letter campaign sent. */
  if (!crm_campaign_export_list (get_store (self), self->campaign_id, TRUE, ignored, &rows, &error))
    {
      toast (self, error->message);
      return;
    }
  show_campaign (self, self->campaign_id);
}

static void
start_print (CrmCampaignsPage *self,
             gboolean          labels,
             gboolean          through_gtk,
             const char       *path)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  PrintJob *job;

  if (get_store (self) == NULL || self->campaign_id == NULL)
    return;
  job = g_new0 (PrintJob, 1);
  job->db_path = g_strdup (crm_store_get_path (get_store (self)));
  job->campaign_id = g_strdup (self->campaign_id);
  job->path = g_strdup (path);
  job->labels = labels;
  job->through_gtk = through_gtk;
  job->date_text = g_date_time_format (now, "%x");
  /* TRANSLATORS: a print job's name: the campaign, then "letters" or "labels" */
  job->job_name = g_strdup_printf (C_("print job", "%s – %s"), gtk_label_get_text (self->campaign_title),
                                   labels ? C_("print job", "labels") : C_("print job", "letters"));
  self->n_exports++;
  task = g_task_new (NULL, NULL, print_done, g_object_ref (self));
  g_task_set_source_tag (task, start_print);
  g_task_set_task_data (task, job, (GDestroyNotify) print_job_free);
  g_task_run_in_thread (task, print_thread);
}

static void
on_print_chooser_response (GtkNativeDialog *dialog,
                           int              response,
                           gpointer         data)
{
  CrmCampaignsPage *self = data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        start_print (self, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "labels")), FALSE, path);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
export_pdf_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);
  gboolean labels = g_str_equal (g_variant_get_string (parameter, NULL), "labels");
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  if (self->campaign_id == NULL)
    return;
  chooser = gtk_file_chooser_native_new (labels ? _("Save Address Labels") : _("Save Letters"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* TRANSLATORS: file names: campaign name, then "letters" or "labels" */
  name = g_strdup_printf ("%s-%s.pdf", gtk_label_get_text (self->campaign_title),
                          labels ? C_("file name", "labels") : C_("file name", "letters"));
  g_strdelimit (name, "/\\", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_set_data (G_OBJECT (chooser), "labels", GINT_TO_POINTER (labels));
  g_signal_connect (chooser, "response", G_CALLBACK (on_print_chooser_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* No dialog: for tests and scripts. */
static void
export_pdf_to_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  const char *kind, *path;

  g_variant_get (parameter, "(&s&s)", &kind, &path);
  start_print (CRM_CAMPAIGNS_PAGE (widget), g_str_equal (kind, "labels"), FALSE, path);
}

/* campaigns.print ("letters" or "labels"): the print dialog and its preview. */
static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start_print (CRM_CAMPAIGNS_PAGE (widget), g_str_equal (g_variant_get_string (parameter, NULL), "labels"),
               TRUE, NULL);
}

/* campaigns.print-to (kind, path): the same print operation exported to a
 * PDF without a dialog, as its "Print to File" would; for tests. */
static void
print_to_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  const char *kind, *path;

  g_variant_get (parameter, "(&s&s)", &kind, &path);
  start_print (CRM_CAMPAIGNS_PAGE (widget), g_str_equal (kind, "labels"), TRUE, path);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  reload_lists (CRM_CAMPAIGNS_PAGE (widget));
}

/* ---------------------------------------------------------------------- */

static void
crm_campaigns_page_dispose (GObject *object)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (object);

  g_clear_handle_id (&self->count_source, g_source_remove);
  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  g_cancellable_cancel (self->send_cancellable);
  g_clear_object (&self->send_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CAMPAIGNS_PAGE);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_campaigns_page_parent_class)->dispose (object);
}

static void
crm_campaigns_page_finalize (GObject *object)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (object);

  g_clear_pointer (&self->segments, g_ptr_array_unref);
  g_clear_pointer (&self->campaigns, g_ptr_array_unref);
  g_clear_pointer (&self->stats_lines, g_ptr_array_unref);
  g_free (self->segment_id);
  g_free (self->campaign_id);
  g_free (self->last_message);

  G_OBJECT_CLASS (crm_campaigns_page_parent_class)->finalize (object);
}

static void
crm_campaigns_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_campaigns_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      crm_campaigns_page_set_context (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_campaigns_page_class_init (CrmCampaignsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_campaigns_page_dispose;
  object_class->finalize = crm_campaigns_page_finalize;
  object_class->get_property = crm_campaigns_page_get_property;
  object_class->set_property = crm_campaigns_page_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CRM_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CRM_TYPE_SEGMENT_BUILDER);
  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-campaigns-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, segments_list);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, campaigns_list);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, segment_name);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, segment_description);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, builder);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, builder_note);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, json_expander);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, rule_view);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, campaign_title);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, campaign_subtitle);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, stats_grid);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, edit_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, launch_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, cancel_send_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, print_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, send_progress);
  gtk_widget_class_bind_template_callback (widget_class, on_segment_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_builder_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_campaign_activated);

  gtk_widget_class_install_action (widget_class, "campaigns.new-segment", NULL, new_segment_action);
  gtk_widget_class_install_action (widget_class, "campaigns.show-segment", "s", show_segment_action);
  gtk_widget_class_install_action (widget_class, "campaigns.set-rule", "s", set_rule_action);
  gtk_widget_class_install_action (widget_class, "campaigns.set-segment-name", "s", set_segment_name_action);
  gtk_widget_class_install_action (widget_class, "campaigns.save-segment", NULL, save_segment_action);
  gtk_widget_class_install_action (widget_class, "campaigns.show-campaign", "s", show_campaign_action);
  gtk_widget_class_install_action (widget_class, "campaigns.launch", NULL, launch_action);
  gtk_widget_class_install_action (widget_class, "campaigns.launch-confirmed", NULL, launch_confirmed_action);
  gtk_widget_class_install_action (widget_class, "campaigns.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "campaigns.new-campaign", NULL, new_campaign_action);
  gtk_widget_class_install_action (widget_class, "campaigns.edit-campaign", NULL, edit_campaign_action);
  gtk_widget_class_install_action (widget_class, "campaigns.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "campaigns.cancel-send", NULL, cancel_send_action);
  gtk_widget_class_install_action (widget_class, "campaigns.export-pdf", "s", export_pdf_action);
  gtk_widget_class_install_action (widget_class, "campaigns.export-pdf-to", "(ss)", export_pdf_to_action);
  gtk_widget_class_install_action (widget_class, "campaigns.print", "s", print_action);
  gtk_widget_class_install_action (widget_class, "campaigns.print-to", "(ss)", print_to_action);
  gtk_widget_class_install_action (widget_class, "campaigns.mark-sent", NULL, mark_sent_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "campaigns.save-segment", NULL);
}

static void
crm_campaigns_page_init (CrmCampaignsPage *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->count = -1;
  placeholder = gtk_label_new (_("No campaigns yet"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->campaigns_list, placeholder);
  self->stats_lines = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect_object (gtk_text_view_get_buffer (self->rule_view), "changed",
                           G_CALLBACK (on_rule_changed), self, 0);
}

void
crm_campaigns_page_set_context (CrmCampaignsPage *self,
                                CrmContext       *context)
{
  g_return_if_fail (CRM_IS_CAMPAIGNS_PAGE (self));

  if (!g_set_object (&self->context, context))
    return;
  reload_lists (self);
  gtk_stack_set_visible_child_name (self->detail_stack, "empty");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT]);
}

const char *
crm_campaigns_page_get_view_state (CrmCampaignsPage *self)
{
  return gtk_stack_get_visible_child_name (self->detail_stack);
}

gint64
crm_campaigns_page_get_count (CrmCampaignsPage *self)
{
  return self->count;
}

const char *
crm_campaigns_page_get_count_text (CrmCampaignsPage *self)
{
  return gtk_label_get_text (self->count_label);
}

char *
crm_campaigns_page_dup_stats_text (CrmCampaignsPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < self->stats_lines->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->stats_lines, i));
  lines = g_strv_builder_end (builder);
  return g_strjoinv ("\n", lines);
}

CrmSegmentBuilder *
crm_campaigns_page_get_builder (CrmCampaignsPage *self)
{
  return self->builder;
}

char *
crm_campaigns_page_dup_rule (CrmCampaignsPage *self)
{
  return rule_text (self);
}

guint
crm_campaigns_page_get_n_segments (CrmCampaignsPage *self)
{
  return self->segments != NULL ? self->segments->len : 0;
}

guint
crm_campaigns_page_get_n_campaigns (CrmCampaignsPage *self)
{
  return self->campaigns != NULL ? self->campaigns->len : 0;
}

gboolean
crm_campaigns_page_is_sending (CrmCampaignsPage *self)
{
  return self->send_cancellable != NULL || self->n_exports > 0;
}

const char *
crm_campaigns_page_get_last_message (CrmCampaignsPage *self)
{
  return self->last_message;
}
