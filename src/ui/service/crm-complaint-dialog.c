/* crm-complaint-dialog.c: a new complaint: customer, category, priority, description, assignee */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-complaint-dialog.h"
#include "crm-contact-search.h"
#include "crm-contact.h"
#include "crm-service.h"
#include "crm-user-directory.h"

#define MAX_MATCHES 6

struct _CrmComplaintDialog
{
  AdwWindow      parent_instance;

  CrmContext    *context;
  GPtrArray     *matches;        /* contact ids the list shows */
  GPtrArray     *assignee_ids;   /* per assignee item after the first ("the owner") */
  char          *contact_id;

  GtkSearchEntry *search_entry;
  GtkListBox     *match_list;
  GtkLabel       *contact_label;
  AdwComboRow    *category_row;
  AdwComboRow    *priority_row;
  AdwComboRow    *assignee_row;
  GtkTextView    *description_view;
  GtkLabel       *problem_label;
};

G_DEFINE_FINAL_TYPE (CrmComplaintDialog, crm_complaint_dialog, ADW_TYPE_WINDOW)

enum { CREATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char * const categories[] = { "product", "delivery", "service", "billing", "other" };
static const char * const priorities[] = { "low", "normal", "high", "urgent" };

static const char *
category_label (guint i)
{
  switch (i)
    {
    case 0: return _("Product quality");
    case 1: return _("Delivery");
    case 2: return _("Service");
    case 3: return _("Billing");
    default: return _("Other");
    }
}

static const char *
priority_label (guint i)
{
  switch (i)
    {
    case 0: return _("Low");
    case 2: return _("High");
    case 3: return _("Urgent");
    default: return _("Normal");
    }
}

static CrmStore *
get_store (CrmComplaintDialog *self)
{
  return crm_context_get_store (self->context);
}

static void
show_problem (CrmComplaintDialog *self,
              const char         *message)
{
  gtk_label_set_text (self->problem_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), message != NULL);
}

/* --- the customer ---------------------------------------------------------- */

void
crm_complaint_dialog_search (CrmComplaintDialog *self,
                             const char         *query)
{
  g_autoptr(GPtrArray) ids = NULL;
  GtkWidget *child;

  g_return_if_fail (CRM_IS_COMPLAINT_DIALOG (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->match_list))) != NULL)
    gtk_list_box_remove (self->match_list, child);
  g_ptr_array_set_size (self->matches, 0);
  if (query == NULL || *query == '\0')
    {
      gtk_widget_set_visible (GTK_WIDGET (self->match_list), FALSE);
      return;
    }
  ids = crm_contact_search (get_store (self), query, MAX_MATCHES, 0, NULL, NULL);
  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      g_autoptr(CrmContact) contact = crm_store_get (get_store (self), CRM_TYPE_CONTACT,
                                                     g_ptr_array_index (ids, i), NULL);
      GtkWidget *row;

      if (contact == NULL)
        continue;
      row = adw_action_row_new ();
      /* Names are the customers' own text, not markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), crm_record_get_string (CRM_RECORD (contact), "name"));
      if (crm_record_get_string (CRM_RECORD (contact), "city") != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), crm_record_get_string (CRM_RECORD (contact), "city"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->match_list, row);
      g_ptr_array_add (self->matches, g_strdup (g_ptr_array_index (ids, i)));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->match_list), self->matches->len > 0);
}

GPtrArray *
crm_complaint_dialog_get_matches (CrmComplaintDialog *self)
{
  g_return_val_if_fail (CRM_IS_COMPLAINT_DIALOG (self), NULL);
  return self->matches;
}

void
crm_complaint_dialog_set_contact (CrmComplaintDialog *self,
                                  const char         *contact_id)
{
  g_autoptr(CrmContact) contact = NULL;
  const char *owner;

  g_return_if_fail (CRM_IS_COMPLAINT_DIALOG (self));

  g_clear_pointer (&self->contact_id, g_free);
  contact = contact_id != NULL ? crm_store_get (get_store (self), CRM_TYPE_CONTACT, contact_id, NULL) : NULL;
  if (contact == NULL)
    {
      gtk_label_set_text (self->contact_label, _("No customer chosen"));
      return;
    }
  self->contact_id = g_strdup (contact_id);
  gtk_label_set_text (self->contact_label, crm_record_get_string (CRM_RECORD (contact), "name"));
  show_problem (self, NULL);

  /* The customer's owner looks after it unless someone else is chosen. */
  owner = crm_record_get_owner_id (CRM_RECORD (contact));
  adw_combo_row_set_selected (self->assignee_row, 0);
  for (guint i = 0; owner != NULL && i < self->assignee_ids->len; i++)
    if (g_str_equal (g_ptr_array_index (self->assignee_ids, i), owner))
      adw_combo_row_set_selected (self->assignee_row, i + 1);
}

static void
on_search_changed (CrmComplaintDialog *self)
{
  crm_complaint_dialog_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_search_activate (CrmComplaintDialog *self)
{
  /* Enter takes the best match. */
  if (self->matches->len > 0)
    crm_complaint_dialog_set_contact (self, g_ptr_array_index (self->matches, 0));
}

static void
on_match_activated (CrmComplaintDialog *self,
                    GtkListBoxRow      *row)
{
  guint i = (guint) gtk_list_box_row_get_index (row);

  if (i < self->matches->len)
    crm_complaint_dialog_set_contact (self, g_ptr_array_index (self->matches, i));
}

/* --- the rest -------------------------------------------------------------- */

static void
select_key (AdwComboRow        *row,
            const char * const *keys,
            guint               n_keys,
            const char         *key)
{
  for (guint i = 0; i < n_keys; i++)
    if (g_strcmp0 (keys[i], key) == 0)
      adw_combo_row_set_selected (row, i);
}

void
crm_complaint_dialog_set_category (CrmComplaintDialog *self,
                                   const char         *category)
{
  g_return_if_fail (CRM_IS_COMPLAINT_DIALOG (self));
  select_key (self->category_row, categories, G_N_ELEMENTS (categories), category);
}

void
crm_complaint_dialog_set_priority (CrmComplaintDialog *self,
                                   const char         *priority)
{
  g_return_if_fail (CRM_IS_COMPLAINT_DIALOG (self));
  select_key (self->priority_row, priorities, G_N_ELEMENTS (priorities), priority);
}

void
crm_complaint_dialog_set_description (CrmComplaintDialog *self,
                                      const char         *text)
{
  g_return_if_fail (CRM_IS_COMPLAINT_DIALOG (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->description_view), text, -1);
}

const char *
crm_complaint_dialog_get_assignee (CrmComplaintDialog *self)
{
  guint i;

  g_return_val_if_fail (CRM_IS_COMPLAINT_DIALOG (self), NULL);
  i = adw_combo_row_get_selected (self->assignee_row);
  return i >= 1 && i - 1 < self->assignee_ids->len ? g_ptr_array_index (self->assignee_ids, i - 1) : NULL;
}

const char *
crm_complaint_dialog_get_problem (CrmComplaintDialog *self)
{
  g_return_val_if_fail (CRM_IS_COMPLAINT_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->problem_label)) ? gtk_label_get_text (self->problem_label) : NULL;
}

gboolean
crm_complaint_dialog_create (CrmComplaintDialog *self)
{
  g_autoptr(CrmActivity) complaint = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (CRM_IS_COMPLAINT_DIALOG (self), FALSE);

  buffer = gtk_text_view_get_buffer (self->description_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  description = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  complaint = crm_complaint_create (get_store (self), self->contact_id,
                                    categories[MIN (adw_combo_row_get_selected (self->category_row),
                                                    G_N_ELEMENTS (categories) - 1)],
                                    priorities[MIN (adw_combo_row_get_selected (self->priority_row),
                                                    G_N_ELEMENTS (priorities) - 1)],
                                    description, crm_complaint_dialog_get_assignee (self), &error);
  if (complaint == NULL)
    {
      show_problem (self, error->message);
      /* Where the fix goes. */
      if (self->contact_id == NULL)
        gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
      else
        gtk_widget_grab_focus (GTK_WIDGET (self->description_view));
      return FALSE;
    }
  g_signal_emit (self, signals[CREATED], 0, crm_record_get_id (CRM_RECORD (complaint)));
  gtk_window_close (GTK_WINDOW (self));
  return TRUE;
}

/* --- GObject ----------------------------------------------------------------- */

static void
crm_complaint_dialog_dispose (GObject *object)
{
  CrmComplaintDialog *self = CRM_COMPLAINT_DIALOG (object);

  g_clear_object (&self->context);
  G_OBJECT_CLASS (crm_complaint_dialog_parent_class)->dispose (object);
}

static void
crm_complaint_dialog_finalize (GObject *object)
{
  CrmComplaintDialog *self = CRM_COMPLAINT_DIALOG (object);

  g_ptr_array_unref (self->matches);
  g_ptr_array_unref (self->assignee_ids);
  g_free (self->contact_id);
  G_OBJECT_CLASS (crm_complaint_dialog_parent_class)->finalize (object);
}

static void
crm_complaint_dialog_class_init (CrmComplaintDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_complaint_dialog_dispose;
  object_class->finalize = crm_complaint_dialog_finalize;

  /**
   * CrmComplaintDialog::created:
   * @id: the new complaint's id
   */
  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static AdwComboRow *
combo_row (const char *title,
           GtkStringList *labels)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  adw_combo_row_set_model (row, G_LIST_MODEL (labels));
  return row;
}

static void
crm_complaint_dialog_init (CrmComplaintDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *create = gtk_button_new_with_mnemonic (_("C_reate"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *customer = adw_preferences_group_new ();
  GtkWidget *details = adw_preferences_group_new ();
  GtkWidget *description = adw_preferences_group_new ();
  GtkWidget *frame = gtk_frame_new (NULL);
  g_autoptr(GtkStringList) category_labels = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) priority_labels = gtk_string_list_new (NULL);

  self->matches = g_ptr_array_new_with_free_func (g_free);
  self->assignee_ids = g_ptr_array_new_with_free_func (g_free);

  gtk_window_set_title (GTK_WINDOW (self), _("New Complaint"));
  gtk_window_set_default_size (GTK_WINDOW (self), 480, 620);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_close), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  gtk_widget_add_css_class (create, "suggested-action");
  g_signal_connect_swapped (create, "clicked", G_CALLBACK (crm_complaint_dialog_create), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), create);
  gtk_box_append (GTK_BOX (content), header);

  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 18);

  /* Customer: type a name, pinyin, phone or email; Enter takes the first. */
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (customer), _("Customer"));
  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_search_entry_set_search_delay (self->search_entry, 150);
  g_object_set (self->search_entry, "placeholder-text", _("Name, phone or email"), NULL);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->search_entry, "activate", G_CALLBACK (on_search_activate), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (customer), GTK_WIDGET (self->search_entry));
  self->match_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->match_list), "boxed-list");
  gtk_widget_set_margin_top (GTK_WIDGET (self->match_list), 6);
  gtk_widget_set_visible (GTK_WIDGET (self->match_list), FALSE);
  g_signal_connect_swapped (self->match_list, "row-activated", G_CALLBACK (on_match_activated), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (customer), GTK_WIDGET (self->match_list));
  self->contact_label = GTK_LABEL (gtk_label_new (_("No customer chosen")));
  gtk_label_set_xalign (self->contact_label, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->contact_label), 6);
  gtk_widget_add_css_class (GTK_WIDGET (self->contact_label), "heading");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (customer), GTK_WIDGET (self->contact_label));
  gtk_box_append (GTK_BOX (box), customer);

  for (guint i = 0; i < G_N_ELEMENTS (categories); i++)
    gtk_string_list_append (category_labels, category_label (i));
  for (guint i = 0; i < G_N_ELEMENTS (priorities); i++)
    gtk_string_list_append (priority_labels, priority_label (i));
  self->category_row = combo_row (_("C_ategory"), category_labels);
  self->priority_row = combo_row (_("_Priority"), priority_labels);
  adw_combo_row_set_selected (self->priority_row, 1);
  self->assignee_row = combo_row (_("_Assignee"), NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (details), GTK_WIDGET (self->category_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (details), GTK_WIDGET (self->priority_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (details), GTK_WIDGET (self->assignee_row));
  gtk_box_append (GTK_BOX (box), details);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (description), _("Description"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (description),
                                         _("What happened and what the customer wants. The first line is the subject."));
  self->description_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_wrap_mode (self->description_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (self->description_view, 6);
  gtk_text_view_set_bottom_margin (self->description_view, 6);
  gtk_text_view_set_left_margin (self->description_view, 6);
  gtk_text_view_set_right_margin (self->description_view, 6);
  gtk_widget_set_size_request (GTK_WIDGET (self->description_view), -1, 120);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->description_view));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (description), frame);
  gtk_box_append (GTK_BOX (box), description);

  self->problem_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->problem_label, TRUE);
  gtk_label_set_xalign (self->problem_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->problem_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->problem_label));

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (content), scrolled);
  adw_window_set_content (ADW_WINDOW (self), content);
}

CrmComplaintDialog *
crm_complaint_dialog_new (CrmContext *context)
{
  CrmComplaintDialog *self = g_object_new (CRM_TYPE_COMPLAINT_DIALOG, NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) users = crm_user_directory_list (crm_context_get_store (context), NULL);

  self->context = g_object_ref (context);
  gtk_string_list_append (names, _("The customer’s owner"));
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      CrmUserEntry *u = g_ptr_array_index (users, i);

      gtk_string_list_append (names, u->name);
      g_ptr_array_add (self->assignee_ids, g_strdup (u->id));
    }
  adw_combo_row_set_model (self->assignee_row, G_LIST_MODEL (names));
  return self;
}
