/* crm-duplicates-dialog.c: likely duplicate contacts side by side, whose value to keep field by field, merged one pair at a time with undo */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-contact.h"
#include "crm-contact-labels.h"
#include "crm-dedupe.h"
#include "crm-duplicates-dialog.h"
#include "crm-merge.h"

struct _CrmDuplicatesDialog
{
  AdwWindow parent_instance;

  CrmContext *context;
  GPtrArray *pairs;            /* CrmDuplicatePair * */
  GCancellable *cancellable;
  CrmDuplicatePair *selected;
  gboolean keep_second;
  char *last_merge_id;
  GtkCheckButton *keep_first;
  GtkCheckButton *keep_second_button;
  GPtrArray *choices;          /* FieldChoice *, the fields that differ */

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkWidget *merge_button;
  GtkStack *stack;
  GtkListBox *pair_list;
  GtkLabel *reasons_label;
  GtkGrid *compare_grid;
};

G_DEFINE_FINAL_TYPE (CrmDuplicatesDialog, crm_duplicates_dialog, ADW_TYPE_WINDOW)

/* A field both contacts have, with different values: whose value wins. */
typedef struct
{
  const char *field;
  GtkCheckButton *first;
  GtkCheckButton *second;
  gboolean use_second;
} FieldChoice;

/* Phones, emails and tags are united and notes joined, never chosen. */
static gboolean
is_combined (const char *field)
{
  return g_str_equal (field, "phones") || g_str_equal (field, "emails") ||
         g_str_equal (field, "tags") || g_str_equal (field, "notes");
}

static void
update_actions (CrmDuplicatesDialog *self)
{
  gboolean loading = self->cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "duplicates.refresh", !loading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "duplicates.merge", !loading && self->selected != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "duplicates.keep", self->selected != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "duplicates.choose", self->selected != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "duplicates.undo", self->last_merge_id != NULL);
}

/* --- Finding pairs, in a thread on its own connection ---------------------- */

static void
find_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(CrmStore) store = NULL;
  GPtrArray *pairs;
  GError *error = NULL;

  store = crm_store_open_full (task_data, CRM_STORE_OPEN_READ_ONLY, &error);
  if (store == NULL || (pairs = crm_dedupe_find (store, CRM_DEDUPE_DEFAULT_MIN_SCORE, cancellable, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pairs, (GDestroyNotify) g_ptr_array_unref);
}

static GtkWidget *
create_pair_row (CrmDuplicatePair *pair)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_strdup_printf ("%s · %s", pair->name_a, pair->name_b);
  g_autofree char *reasons = crm_duplicate_reasons_to_string (pair->reasons);
  /* Translators: a likely duplicate's score out of 100, then why, e.g. "90 · same phone, same name". */
  g_autofree char *subtitle = g_strdup_printf (_("%u · %s"), pair->score, reasons);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

static void
on_found (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CrmDuplicatesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *pairs = g_task_propagate_pointer (G_TASK (result), &error);
  GtkWidget *child;

  g_clear_object (&self->cancellable);
  /* Closed while looking. */
  if (self->stack == NULL)
    {
      g_clear_pointer (&pairs, g_ptr_array_unref);
      return;
    }
  if (pairs == NULL)
    {
      AdwToast *toast = adw_toast_new (error->message);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_duplicate_pair_free);
    }

  self->selected = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->pair_list))) != NULL)
    gtk_list_box_remove (self->pair_list, child);
  g_clear_pointer (&self->pairs, g_ptr_array_unref);
  self->pairs = pairs;
  for (guint i = 0; i < pairs->len; i++)
    gtk_list_box_append (self->pair_list, create_pair_row (g_ptr_array_index (pairs, i)));

  gtk_stack_set_visible_child_name (self->stack, pairs->len > 0 ? "pairs" : "empty");
  if (pairs->len > 0)
    gtk_list_box_select_row (self->pair_list, gtk_list_box_get_row_at_index (self->pair_list, 0));
  update_actions (self);
}

static void
refresh (CrmDuplicatesDialog *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->cancellable != NULL)
    return;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, on_found, g_object_ref (self));
  g_task_set_task_data (task, g_strdup (crm_store_get_path (crm_context_get_store (self->context))), g_free);
  g_task_run_in_thread (task, find_thread);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  update_actions (self);
}

/* --- Comparing ---------------------------------------------------------------- */

static char *
field_text (CrmContact *contact,
            const char *field)
{
  if (contact == NULL)
    return g_strdup ("");
  if (g_str_equal (field, "phones"))
    {
      g_auto(GStrv) numbers = crm_contact_dup_phone_numbers (contact);

      return g_strjoinv (", ", numbers);
    }
  if (g_str_equal (field, "emails"))
    return g_strjoinv (", ", (GStrv) crm_contact_get_emails (contact));
  if (g_str_equal (field, "tags"))
    {
      const char * const *tags = crm_record_get_strv (CRM_RECORD (contact), "tags");

      return tags != NULL ? g_strjoinv (", ", (GStrv) tags) : g_strdup ("");
    }
  return g_strdup (crm_record_get_string (CRM_RECORD (contact), field) != NULL
                   ? crm_record_get_string (CRM_RECORD (contact), field) : "");
}

static GtkWidget *
value_label (const char *text,
             gboolean    differs)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  if (differs)
    gtk_widget_add_css_class (label, "accent");
  return label;
}

static void
set_choice (FieldChoice *choice,
            gboolean     use_second)
{
  choice->use_second = use_second;
  gtk_check_button_set_active (use_second ? choice->second : choice->first, TRUE);
}

/* Keeping the other contact starts from its values in every field. */
static void
on_keep_toggled (CrmDuplicatesDialog *self)
{
  self->keep_second = gtk_check_button_get_active (self->keep_second_button);
  for (guint i = 0; self->choices != NULL && i < self->choices->len; i++)
    set_choice (g_ptr_array_index (self->choices, i), self->keep_second);
}

static void
on_choice_toggled (GtkCheckButton *button,
                   FieldChoice    *choice)
{
  if (gtk_check_button_get_active (button))
    choice->use_second = button == choice->second;
}

static GtkWidget *
choice_button (const char *text,
               const char *field_label)
{
  GtkWidget *button = gtk_check_button_new ();
  GtkWidget *label = value_label (text, TRUE);

  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  gtk_check_button_set_child (GTK_CHECK_BUTTON (button), label);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, field_label, -1);
  return button;
}

static void
show_pair (CrmDuplicatesDialog *self)
{
  /* The fields compared side by side, in this order. */
  static const char * const fields[] = {
    "name", "phones", "emails", "gender", "birthday", "title",
    "province", "city", "address", "tags", "external_id", "notes",
  };
  CrmStore *store = crm_context_get_store (self->context);
  g_autoptr(CrmContact) a = NULL;
  g_autoptr(CrmContact) b = NULL;
  g_autofree char *reasons = NULL;
  g_autofree char *reasons_text = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->compare_grid))) != NULL)
    gtk_grid_remove (self->compare_grid, child);
  self->keep_first = NULL;
  self->keep_second_button = NULL;
  self->keep_second = FALSE;
  g_ptr_array_set_size (self->choices, 0);
  if (self->selected == NULL)
    return;

  a = crm_store_get (store, CRM_TYPE_CONTACT, self->selected->id_a, NULL);
  b = crm_store_get (store, CRM_TYPE_CONTACT, self->selected->id_b, NULL);
  reasons = crm_duplicate_reasons_to_string (self->selected->reasons);
  /* Translators: why two contacts look like one person, and the score out of 100. */
  reasons_text = g_strdup_printf (_("Likely the same: %s (score %u)"), reasons, self->selected->score);
  gtk_label_set_text (self->reasons_label, reasons_text);

  self->keep_first = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("_Keep this one")));
  self->keep_second_button = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("K_eep this one")));
  gtk_check_button_set_group (self->keep_second_button, self->keep_first);
  gtk_check_button_set_active (self->keep_first, TRUE);
  g_signal_connect_swapped (self->keep_second_button, "toggled", G_CALLBACK (on_keep_toggled), self);
  gtk_grid_attach (self->compare_grid, GTK_WIDGET (self->keep_first), 1, 0, 1, 1);
  gtk_grid_attach (self->compare_grid, GTK_WIDGET (self->keep_second_button), 2, 0, 1, 1);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *text_a = field_text (a, fields[i]);
      g_autofree char *text_b = field_text (b, fields[i]);
      gboolean differs = g_strcmp0 (text_a, text_b) != 0;
      GtkWidget *label;

      if (*text_a == '\0' && *text_b == '\0')
        continue;
      label = gtk_label_new (crm_field_label ("contacts", fields[i]));
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_label_set_yalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_grid_attach (self->compare_grid, label, 0, (int) i + 1, 1, 1);
      if (differs && *text_a != '\0' && *text_b != '\0' && !is_combined (fields[i]))
        {
          FieldChoice *choice = g_new0 (FieldChoice, 1);

          /* Both have a value: the person picks the one that is right. */
          gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
          choice->field = fields[i];
          choice->first = GTK_CHECK_BUTTON (choice_button (text_a, crm_field_label ("contacts", fields[i])));
          choice->second = GTK_CHECK_BUTTON (choice_button (text_b, crm_field_label ("contacts", fields[i])));
          gtk_check_button_set_group (choice->second, choice->first);
          gtk_check_button_set_active (choice->first, TRUE);
          g_signal_connect (choice->first, "toggled", G_CALLBACK (on_choice_toggled), choice);
          g_signal_connect (choice->second, "toggled", G_CALLBACK (on_choice_toggled), choice);
          gtk_grid_attach (self->compare_grid, GTK_WIDGET (choice->first), 1, (int) i + 1, 1, 1);
          gtk_grid_attach (self->compare_grid, GTK_WIDGET (choice->second), 2, (int) i + 1, 1, 1);
          g_ptr_array_add (self->choices, choice);
        }
      else
        {
          gtk_grid_attach (self->compare_grid, value_label (text_a, differs), 1, (int) i + 1, 1, 1);
          gtk_grid_attach (self->compare_grid, value_label (text_b, differs), 2, (int) i + 1, 1, 1);
        }
    }
}

static void
on_pair_selected (CrmDuplicatesDialog *self,
                  GtkListBoxRow       *row)
{
  int index = row != NULL ? gtk_list_box_row_get_index (row) : -1;

  /* Rows go away while the window is disposed. */
  if (self->compare_grid == NULL)
    return;
  self->selected = index >= 0 && self->pairs != NULL && (guint) index < self->pairs->len
                   ? g_ptr_array_index (self->pairs, index) : NULL;
  show_pair (self);
  update_actions (self);
}

/* --- Actions ------------------------------------------------------------------ */

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  refresh (CRM_DUPLICATES_DIALOG (widget));
}

static void
select_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmDuplicatesDialog *self = CRM_DUPLICATES_DIALOG (widget);
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->pair_list, (int) g_variant_get_uint32 (parameter));

  if (row != NULL)
    gtk_list_box_select_row (self->pair_list, row);
}

static void
keep_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmDuplicatesDialog *self = CRM_DUPLICATES_DIALOG (widget);
  gboolean second = g_str_equal (g_variant_get_string (parameter, NULL), "second");

  if (self->keep_first != NULL)
    gtk_check_button_set_active (second ? self->keep_second_button : self->keep_first, TRUE);
  self->keep_second = second;
}

/* ("field", "first"|"second"): whose value of the field the merge keeps. */
static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmDuplicatesDialog *self = CRM_DUPLICATES_DIALOG (widget);
  const char *field;
  const char *side;

  g_variant_get (parameter, "(&s&s)", &field, &side);
  for (guint i = 0; i < self->choices->len; i++)
    {
      FieldChoice *choice = g_ptr_array_index (self->choices, i);

      if (g_str_equal (choice->field, field))
        set_choice (choice, g_str_equal (side, "second"));
    }
}

static void
merge_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CrmDuplicatesDialog *self = CRM_DUPLICATES_DIALOG (widget);
  CrmStore *store = crm_context_get_store (self->context);
  g_autoptr(GError) error = NULL;
  g_autofree char *merge_id = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GPtrArray) from_other = NULL;
  const char *kept;
  const char *other;
  GtkListBoxRow *row;
  AdwToast *toast;
  guint index;

  if (self->selected == NULL)
    return;
  kept = self->keep_second ? self->selected->id_b : self->selected->id_a;
  other = self->keep_second ? self->selected->id_a : self->selected->id_b;
  /* The fields where the other contact's value was chosen. */
  from_other = g_ptr_array_new ();
  for (guint i = 0; i < self->choices->len; i++)
    {
      FieldChoice *choice = g_ptr_array_index (self->choices, i);

      if (choice->use_second != self->keep_second)
        g_ptr_array_add (from_other, (gpointer) choice->field);
    }
  g_ptr_array_add (from_other, NULL);
  if (!crm_merge_contacts_choosing (store, kept, other, (const char * const *) from_other->pdata,
                                    &merge_id, &error))
    {
      toast = adw_toast_new (error->message);
      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }

  title = g_strdup_printf (_("Merged into %s"), self->keep_second ? self->selected->name_b : self->selected->name_a);
  g_free (self->last_merge_id);
  self->last_merge_id = g_steal_pointer (&merge_id);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "duplicates.undo");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  /* Other pairs with the merged contact are stale: look again. */
  row = gtk_list_box_get_selected_row (self->pair_list);
  index = row != NULL ? (guint) gtk_list_box_row_get_index (row) : 0;
  self->selected = NULL;
  if (row != NULL)
    gtk_list_box_remove (self->pair_list, GTK_WIDGET (row));
  g_ptr_array_remove_index (self->pairs, index);
  refresh (self);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmDuplicatesDialog *self = CRM_DUPLICATES_DIALOG (widget);
  g_autoptr(GError) error = NULL;

  if (self->last_merge_id == NULL)
    return;
  if (!crm_merge_undo (crm_context_get_store (self->context), self->last_merge_id, &error))
    {
      AdwToast *toast = adw_toast_new (error->message);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }
  g_clear_pointer (&self->last_merge_id, g_free);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Merge undone")));
  refresh (self);
}

/* --- Object ------------------------------------------------------------------- */

static void
crm_duplicates_dialog_dispose (GObject *object)
{
  CrmDuplicatesDialog *self = CRM_DUPLICATES_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_DUPLICATES_DIALOG);

  G_OBJECT_CLASS (crm_duplicates_dialog_parent_class)->dispose (object);
}

static void
crm_duplicates_dialog_finalize (GObject *object)
{
  CrmDuplicatesDialog *self = CRM_DUPLICATES_DIALOG (object);

  g_clear_object (&self->context);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->pairs, g_ptr_array_unref);
  g_clear_pointer (&self->choices, g_ptr_array_unref);
  g_free (self->last_merge_id);

  G_OBJECT_CLASS (crm_duplicates_dialog_parent_class)->finalize (object);
}

static void
crm_duplicates_dialog_class_init (CrmDuplicatesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_duplicates_dialog_dispose;
  object_class->finalize = crm_duplicates_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-duplicates-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmDuplicatesDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmDuplicatesDialog, merge_button);
  gtk_widget_class_bind_template_child (widget_class, CrmDuplicatesDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmDuplicatesDialog, pair_list);
  gtk_widget_class_bind_template_child (widget_class, CrmDuplicatesDialog, reasons_label);
  gtk_widget_class_bind_template_child (widget_class, CrmDuplicatesDialog, compare_grid);
  gtk_widget_class_bind_template_callback (widget_class, on_pair_selected);

  gtk_widget_class_install_action (widget_class, "duplicates.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "duplicates.select", "u", select_action);
  gtk_widget_class_install_action (widget_class, "duplicates.keep", "s", keep_action);
  gtk_widget_class_install_action (widget_class, "duplicates.choose", "(ss)", choose_action);
  gtk_widget_class_install_action (widget_class, "duplicates.merge", NULL, merge_action);
  gtk_widget_class_install_action (widget_class, "duplicates.undo", NULL, undo_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "duplicates.undo", NULL);
}

static void
crm_duplicates_dialog_init (CrmDuplicatesDialog *self)
{
  self->choices = g_ptr_array_new_with_free_func (g_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  update_actions (self);
}

CrmDuplicatesDialog *
crm_duplicates_dialog_new (GtkWindow  *parent,
                           CrmContext *context)
{
  CrmDuplicatesDialog *self;

  g_return_val_if_fail (CRM_IS_CONTEXT (context), NULL);

  self = g_object_new (CRM_TYPE_DUPLICATES_DIALOG, "transient-for", parent, NULL);
  self->context = g_object_ref (context);
  refresh (self);
  return self;
}

const char *
crm_duplicates_dialog_get_page (CrmDuplicatesDialog *self)
{
  g_return_val_if_fail (CRM_IS_DUPLICATES_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

guint
crm_duplicates_dialog_get_n_pairs (CrmDuplicatesDialog *self)
{
  g_return_val_if_fail (CRM_IS_DUPLICATES_DIALOG (self), 0);
  return self->pairs != NULL && self->cancellable == NULL ? self->pairs->len : 0;
}

const char *
crm_duplicates_dialog_get_kept_id (CrmDuplicatesDialog *self)
{
  g_return_val_if_fail (CRM_IS_DUPLICATES_DIALOG (self), NULL);
  if (self->selected == NULL)
    return NULL;
  return self->keep_second ? self->selected->id_b : self->selected->id_a;
}
