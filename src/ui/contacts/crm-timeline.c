/* crm-timeline.c: what happened with a contact (activities and purchases) and quick logging of calls, notes, tasks */

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>

#include "crm-activity.h"
#include "crm-change-set.h"
#include "crm-contact-labels.h"
#include "crm-deal-stage-history.h"
#include "crm-purchase.h"
#include "crm-stage.h"
#include "crm-timeline.h"
#include "crm-tooltip.h"

struct _CrmTimeline
{
  GtkWidget         parent_instance;

  CrmStore         *store;
  CrmTimelineModel *model;
  char             *contact_id;
  char             *deal_id;    /* set: a deal's timeline; logging links both */

  /* Template widgets */
  GtkEntry         *quick_entry;
  GtkDropDown      *kind_dropdown;
  GtkWidget        *task_button;
  GtkStack         *stack;
  GtkListView      *list_view;
};

G_DEFINE_FINAL_TYPE (CrmTimeline, crm_timeline, GTK_TYPE_WIDGET)

enum {
  COMMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The kind filter's choices, in the order of the drop-down. */
static const CrmValueLabel kinds[] = {
  { NULL, N_("Everything") },
  { "call", N_("Calls") },
  { "email", N_("Emails") },
  { "meeting", N_("Meetings") },
  { "visit", N_("Visits") },
  { "note", N_("Notes") },
  { "task", N_("Tasks") },
  { "complaint", N_("Complaints") },
  { "purchase", N_("Purchases") },
};

static const char *
kind_icon (const char *kind)
{
  static const struct { const char *kind; const char *icon; } icons[] = {
    { "call", "call-start-symbolic" },
    { "email", "mail-unread-symbolic" },
    { "meeting", "x-office-calendar-symbolic" },
    { "visit", "user-home-symbolic" },
    { "note", "document-edit-symbolic" },
    { "task", "task-due-symbolic" },
    { "complaint", "dialog-warning-symbolic" },
    { "purchase", "emblem-documents-symbolic" },
    { "stage", "media-skip-forward-symbolic" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (icons); i++)
    if (g_strcmp0 (icons[i].kind, kind) == 0)
      return icons[i].icon;
  return "document-open-recent-symbolic";
}

static const char *
kind_label (const char *kind)
{
  static const CrmValueLabel labels[] = {
    { "call", N_("Call") },
    { "email", N_("Email") },
    { "meeting", N_("Meeting") },
    { "visit", N_("Visit") },
    { "note", N_("Note") },
    { "task", N_("Task") },
    { "complaint", N_("Complaint") },
    { "purchase", N_("Purchase") },
    { "stage", N_("Stage change") },
    { NULL, NULL }
  };

  return crm_value_label (labels, kind);
}

static void
update_state (CrmTimeline *self)
{
  gtk_stack_set_visible_child_name (self->stack,
                                    self->model != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0
                                    ? "list" : "empty");
}

/* --- Rows ------------------------------------------------------------------ */

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           CrmTimeline              *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);
  GtkWidget *time = gtk_label_new (NULL);
  GtkWidget *done = gtk_check_button_new ();

  gtk_widget_add_css_class (box, "timeline-row");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (subtitle), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (subtitle), 3);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (text), title);
  gtk_box_append (GTK_BOX (text), subtitle);
  gtk_widget_set_valign (time, GTK_ALIGN_START);
  gtk_widget_add_css_class (time, "dim-label");
  gtk_widget_add_css_class (time, "caption");
  gtk_widget_add_css_class (time, "timeline-time");
  gtk_widget_set_valign (done, GTK_ALIGN_START);
  crm_tooltip_set_text (done, _("Done"));

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), time);
  gtk_box_append (GTK_BOX (box), done);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          CrmTimeline              *self)
{
  CrmRecord *record = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *text = gtk_widget_get_next_sibling (icon);
  GtkWidget *time = gtk_widget_get_next_sibling (text);
  GtkWidget *done = gtk_widget_get_next_sibling (time);
  GtkWidget *title = gtk_widget_get_first_child (text);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  const char *at = crm_timeline_model_get_item_time (self->model, gtk_list_item_get_position (item));
  g_autofree char *title_text = NULL;
  g_autofree char *subtitle_text = NULL;
  g_autofree char *date = crm_format_date (at);
  const char *kind;

  if (CRM_IS_PURCHASE (record))
    {
      g_autofree char *amount = crm_format_money (crm_record_get_int64 (record, "amount"),
                                                  crm_record_get_string (record, "currency"));
      gint64 quantity = crm_record_get_int64 (record, "quantity");
      const char *channel = crm_record_get_string (record, "channel");

      kind = "purchase";
      /* Translators: product and amount of a purchase, "茶叶 — ¥128.00" */
      title_text = g_strdup_printf (_("%s — %s"), crm_record_get_string (record, "product"), amount);
      if (quantity > 1 && channel != NULL)
        /* Translators: quantity and sales channel of a purchase */
        subtitle_text = g_strdup_printf (_("%" PRId64 " pieces · %s"), (int64_t) quantity, channel);
      else if (quantity > 1)
        subtitle_text = g_strdup_printf (_("%" PRId64 " pieces"), (int64_t) quantity);
      else
        subtitle_text = g_strdup (channel);
    }
  else if (CRM_IS_DEAL_STAGE_HISTORY (record))
    {
      g_autoptr(CrmRecord) from = NULL;
      g_autoptr(CrmRecord) to = NULL;
      const char *from_id = crm_record_get_string (record, "from_stage_id");

      kind = "stage";
      if (self->store != NULL && from_id != NULL)
        from = crm_store_get (self->store, CRM_TYPE_STAGE, from_id, NULL);
      if (self->store != NULL)
        to = crm_store_get (self->store, CRM_TYPE_STAGE, crm_record_get_string (record, "to_stage_id"), NULL);
      if (from_id == NULL)
        /* Translators: the first entry of a deal's stage history */
        title_text = g_strdup_printf (_("Created in %s"), to != NULL ? crm_record_get_string (to, "name") : "?");
      else
        title_text = g_strdup_printf ("%s → %s", from != NULL ? crm_record_get_string (from, "name") : "?",
                                      to != NULL ? crm_record_get_string (to, "name") : "?");
    }
  else
    {
      const char *subject = crm_record_get_string (record, "subject");
      const char *body = crm_record_get_string (record, "body");

      kind = crm_record_get_string (record, "kind");
      title_text = g_strdup (subject != NULL ? subject : kind_label (kind));
      subtitle_text = g_strdup (body);
    }

  gtk_image_set_from_icon_name (GTK_IMAGE (icon), kind_icon (kind));
  crm_tooltip_set_text (icon, kind_label (kind));
  gtk_label_set_label (GTK_LABEL (title), title_text);
  gtk_label_set_label (GTK_LABEL (subtitle), subtitle_text != NULL ? subtitle_text : "");
  gtk_widget_set_visible (subtitle, subtitle_text != NULL && *subtitle_text != '\0');
  gtk_label_set_label (GTK_LABEL (time), date != NULL ? date : "");

  /* Tasks can be ticked off right here. The action is unset while the
   * state is loaded so that loading it does not toggle the task. */
  gtk_actionable_set_action_name (GTK_ACTIONABLE (done), NULL);
  gtk_widget_set_visible (done, g_strcmp0 (kind, "task") == 0);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (done),
                               CRM_IS_ACTIVITY (record) && crm_record_get_string (record, "done_at") != NULL);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (done), "s", crm_record_get_id (record));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (done), "timeline.toggle-done");
}

/* --- Actions --------------------------------------------------------------- */

static gboolean
add_activity (CrmTimeline *self,
              const char  *kind,
              const char  *subject)
{
  g_autoptr(CrmActivity) activity = crm_activity_new ();
  g_autoptr(CrmChangeSet) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *due_text = NULL;
  g_autofree char *message = NULL;
  CrmRecord *record = CRM_RECORD (activity);

  if (self->store == NULL || (self->contact_id == NULL && self->deal_id == NULL))
    return FALSE;

  if (subject == NULL || *subject == '\0')
    subject = kind_label (kind);

  if (g_str_equal (kind, "task"))
    {
      /* Due tomorrow at nine, local time: a reminder for the next day. */
      g_autoptr(GDateTime) local = g_date_time_new_now_local ();
      g_autoptr(GDateTime) tomorrow = g_date_time_add_days (local, 1);
      g_autoptr(GDateTime) nine = g_date_time_new_local (g_date_time_get_year (tomorrow),
                                                         g_date_time_get_month (tomorrow),
                                                         g_date_time_get_day_of_month (tomorrow), 9, 0, 0);
      g_autoptr(GDateTime) nine_utc = g_date_time_to_utc (nine);

      due_text = g_date_time_format (nine_utc, "%Y-%m-%dT%H:%M:%SZ");
    }

  if (!crm_record_set_field_from_string (record, "contact_id", self->contact_id, &error) ||
      !crm_record_set_field_from_string (record, "deal_id", self->deal_id, &error) ||
      !crm_record_set_field_from_string (record, "kind", kind, &error) ||
      !crm_record_set_field_from_string (record, "subject", subject, &error) ||
      !crm_record_set_field_from_string (record, due_text ? "due_at" : "done_at",
                                         due_text ? due_text : now_text, &error) ||
      !crm_store_insert (self->store, record, &error))
    {
      g_warning ("Could not add a %s to %s: %s", kind,
                 self->deal_id != NULL ? self->deal_id : self->contact_id, error->message);
      return FALSE;
    }

  changes = crm_change_set_new (self->store);
  crm_change_set_remember_insert (changes, record);
  /* Translators: "Call added", "Task added" */
  message = g_strdup_printf (_("%s added"), kind_label (kind));
  g_signal_emit (self, signals[COMMITTED], 0, changes, message);
  return TRUE;
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  const char *kind;
  const char *subject;

  g_variant_get (parameter, "(&s&s)", &kind, &subject);
  add_activity (CRM_TIMELINE (widget), kind, subject);
}

static void
quick_add_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmTimeline *self = CRM_TIMELINE (widget);
  g_autofree char *subject = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->quick_entry))));

  if (add_activity (self, g_variant_get_string (parameter, NULL), subject))
    gtk_editable_set_text (GTK_EDITABLE (self->quick_entry), "");
}

static void
on_quick_entry_activate (CrmTimeline *self)
{
  /* Enter logs a note: the commonest entry. */
  gtk_widget_activate_action (GTK_WIDGET (self), "timeline.quick-add", "s", "note");
}

static void
toggle_done_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmTimeline *self = CRM_TIMELINE (widget);
  static const char * const columns[] = { "done_at", NULL };
  g_autoptr(CrmRecord) task = NULL;
  g_autoptr(CrmChangeSet) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = NULL;
  gboolean done;

  if (self->store == NULL)
    return;

  task = crm_store_get (self->store, CRM_TYPE_ACTIVITY, g_variant_get_string (parameter, NULL), &error);
  if (task == NULL)
    {
      g_warning ("Could not load the task: %s", error->message);
      return;
    }

  changes = crm_change_set_new (self->store);
  crm_change_set_remember_fields (changes, task, columns);
  done = crm_record_get_string (task, "done_at") == NULL;
  if (done)
    {
      g_autoptr(GDateTime) time = g_date_time_new_now_utc ();
      now = g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
    }
  if (!crm_record_set_field_from_string (task, "done_at", now, &error) ||
      !crm_store_update (self->store, task, &error))
    {
      g_warning ("Could not update the task: %s", error->message);
      return;
    }
  g_signal_emit (self, signals[COMMITTED], 0, changes, done ? _("Task done") : _("Task open again"));
}

static void
on_kind_selected (CrmTimeline *self)
{
  guint selected = gtk_drop_down_get_selected (self->kind_dropdown);

  if (self->model != NULL && selected < G_N_ELEMENTS (kinds))
    crm_timeline_model_set_kind (self->model, kinds[selected].value);
}

/* --- GObject --------------------------------------------------------------- */

static void
crm_timeline_dispose (GObject *object)
{
  GtkWidget *child;
  CrmTimeline *self = (CrmTimeline *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_TIMELINE);
  /* The root box of the template is not a bound child. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->model);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_timeline_parent_class)->dispose (object);
}

static void
crm_timeline_finalize (GObject *object)
{
  CrmTimeline *self = (CrmTimeline *)object;

  g_clear_pointer (&self->contact_id, g_free);
  g_clear_pointer (&self->deal_id, g_free);

  G_OBJECT_CLASS (crm_timeline_parent_class)->finalize (object);
}

static void
crm_timeline_class_init (CrmTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_timeline_dispose;
  object_class->finalize = crm_timeline_finalize;

  /**
   * CrmTimeline::committed:
   * @changes: how to undo it
   * @message: what happened, for a toast
   */
  signals[COMMITTED] =
    g_signal_new ("committed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CRM_TYPE_CHANGE_SET, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-timeline.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CrmTimeline, quick_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmTimeline, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmTimeline, task_button);
  gtk_widget_class_bind_template_child (widget_class, CrmTimeline, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmTimeline, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_quick_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_selected);

  /* (kind, subject) */
  gtk_widget_class_install_action (widget_class, "timeline.add", "(ss)", add_action);
  /* kind; the subject is what the entry holds */
  gtk_widget_class_install_action (widget_class, "timeline.quick-add", "s", quick_add_action);
  gtk_widget_class_install_action (widget_class, "timeline.toggle-done", "s", toggle_done_action);
}

static void
crm_timeline_init (CrmTimeline *self)
{
  g_autoptr(GtkStringList) kind_names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_string_list_append (kind_names, _(kinds[i].label));
  gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (kind_names));
  update_state (self);
}

void
crm_timeline_set_store (CrmTimeline *self,
                        CrmStore    *store)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (CRM_IS_TIMELINE (self));

  if (!g_set_object (&self->store, store))
    return;

  g_clear_object (&self->model);
  if (store == NULL)
    {
      gtk_list_view_set_model (self->list_view, NULL);
      return;
    }

  self->model = crm_timeline_model_new (store);
  crm_timeline_model_set_contact_id (self->model, self->contact_id);
  crm_timeline_model_set_deal_id (self->model, self->deal_id);
  g_signal_connect_object (self->model, "items-changed", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  on_kind_selected (self);
  update_state (self);
}

void
crm_timeline_set_contact_id (CrmTimeline *self,
                             const char  *contact_id)
{
  g_return_if_fail (CRM_IS_TIMELINE (self));

  g_free (self->contact_id);
  self->contact_id = g_strdup (contact_id);
  if (self->model != NULL)
    crm_timeline_model_set_contact_id (self->model, contact_id);
  update_state (self);
}

void
crm_timeline_set_deal (CrmTimeline *self,
                       const char  *deal_id,
                       const char  *contact_id)
{
  g_return_if_fail (CRM_IS_TIMELINE (self));

  g_free (self->deal_id);
  self->deal_id = g_strdup (deal_id);
  g_free (self->contact_id);
  self->contact_id = g_strdup (contact_id);
  /* The deal editor has its own task row, with a due date. */
  gtk_widget_set_visible (self->task_button, deal_id == NULL);
  if (self->model != NULL)
    {
      crm_timeline_model_set_deal_id (self->model, deal_id);
      crm_timeline_model_set_contact_id (self->model, contact_id);
    }
  update_state (self);
}

CrmTimelineModel *
crm_timeline_get_model (CrmTimeline *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE (self), NULL);

  return self->model;
}
