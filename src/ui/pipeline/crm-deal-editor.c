/* crm-deal-editor.c: a window to add or edit one deal: customer, amount, stage, close date, owner, notes, stage history, products, tasks and activity */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "crm-contact-labels.h"
#include "crm-contact-search.h"
#include "crm-activity.h"
#include "crm-contact.h"
#include "crm-deal-editor.h"
#include "crm-deal-moves.h"
#include "crm-deal-products.h"
#include "crm-deal.h"
#include "crm-reminders.h"
#include "crm-timeline.h"
#include "crm-user-directory.h"
#include "crm-value.h"

/* One product line as edited; written on Save. */
typedef struct
{
  char          *id;          /* NULL until saved */
  gboolean       stored;      /* @id is a row in the store (loaded or committed) */
  GtkWidget     *row;
  GtkEntry      *product;
  GtkSpinButton *quantity;
  GtkEntry      *unit_price;
  GtkLabel      *total;
} ProductLine;

static void
product_line_free (ProductLine *line)
{
  g_free (line->id);
  g_free (line);
}

struct _CrmDealEditor
{
  AdwWindow         parent_instance;

  CrmDealBoard     *board;
  char             *deal_id;
  char             *contact_id;
  GPtrArray        *stage_ids;    /* parallel to stage_row */
  GPtrArray        *owner_ids;    /* parallel to owner_row; "" = nobody */
  GStrv             lost_reasons;
  gboolean          setting_customer;
  GPtrArray        *lines;              /* ProductLine, in order */
  GPtrArray        *removed_line_ids;   /* saved lines removed since loading */
  GtkListStore     *product_names;      /* suggestions for the product entries */
  CrmChangeSet     *activity_undo;      /* the last task or timeline entry written */
  AdwToast         *undo_toast;

  /* Template widgets */
  GtkLabel         *error_label;
  AdwEntryRow      *title_row;
  AdwEntryRow      *customer_row;
  GtkListBox       *customer_matches;
  AdwEntryRow      *amount_row;
  AdwEntryRow      *currency_row;
  AdwComboRow      *stage_row;
  AdwComboRow      *lost_reason_row;
  AdwEntryRow      *expected_close_row;
  AdwComboRow      *owner_row;
  GtkTextView      *notes_view;
  AdwPreferencesGroup *history_group;
  AdwViewStack     *view_stack;
  GtkListBox       *products_list;
  GtkLabel         *products_total_label;
  GtkStack         *activity_stack;
  GtkListBox       *tasks_list;
  GtkEntry         *task_subject_entry;
  GtkEntry         *task_due_entry;
  CrmTimeline      *timeline;
  AdwToastOverlay  *toast_overlay;
};

G_DEFINE_FINAL_TYPE (CrmDealEditor, crm_deal_editor, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static CrmStore *
get_store (CrmDealEditor *self)
{
  return crm_deal_board_get_store (self->board);
}

static void
show_error (CrmDealEditor *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static int
find_id (GPtrArray  *ids,
         const char *id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (ids, i), id != NULL ? id : "") == 0)
      return (int) i;
  return -1;
}

static const char *
selected_id (GPtrArray   *ids,
             AdwComboRow *row)
{
  guint i = adw_combo_row_get_selected (row);
  const char *id;

  if (i >= ids->len)
    return NULL;
  id = g_ptr_array_index (ids, i);
  return *id != '\0' ? id : NULL;
}

static gboolean
selected_stage_is_lost (CrmDealEditor *self)
{
  int stage = crm_deal_board_find_stage (self->board, selected_id (self->stage_ids, self->stage_row));

  return stage >= 0 && crm_deal_board_get_stage_is_lost (self->board, (guint) stage);
}

static void
on_stage_selected (CrmDealEditor *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->lost_reason_row), selected_stage_is_lost (self));
}

/* --- Customer -------------------------------------------------------------- */

static void
set_customer (CrmDealEditor *self,
              const char    *contact_id)
{
  g_autoptr(CrmContact) contact = NULL;

  g_free (self->contact_id);
  self->contact_id = g_strdup (contact_id);
  if (contact_id != NULL)
    contact = crm_store_get (get_store (self), CRM_TYPE_CONTACT, contact_id, NULL);
  self->setting_customer = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->customer_row),
                         contact != NULL ? crm_record_get_string (CRM_RECORD (contact), "name") : "");
  self->setting_customer = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->customer_matches), FALSE);
}

static void
on_customer_match_activated (CrmDealEditor *self,
                             GtkListBoxRow *row)
{
  set_customer (self, gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
on_customer_changed (CrmDealEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->customer_row));
  g_autoptr(GPtrArray) ids = NULL;
  GtkWidget *child;

  if (self->setting_customer)
    return;
  /* Typing means a different customer until one is picked. */
  g_clear_pointer (&self->contact_id, g_free);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->customer_matches))) != NULL)
    gtk_list_box_remove (self->customer_matches, child);
  if (*text != '\0')
    ids = crm_contact_search (get_store (self), text, 6, 0, NULL, NULL);

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      g_autoptr(CrmContact) contact = crm_store_get (get_store (self), CRM_TYPE_CONTACT,
                                                     g_ptr_array_index (ids, i), NULL);
      GtkWidget *row;

      if (contact == NULL)
        continue;
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     crm_record_get_string (CRM_RECORD (contact), "name"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   crm_record_get_string (CRM_RECORD (contact), "city") != NULL
                                   ? crm_record_get_string (CRM_RECORD (contact), "city") : "");
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_name (row, g_ptr_array_index (ids, i));
      gtk_list_box_append (self->customer_matches, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->customer_matches),
                          gtk_widget_get_first_child (GTK_WIDGET (self->customer_matches)) != NULL);
}


/* --- Products -------------------------------------------------------------- */

static const char *
currency (CrmDealEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->currency_row));

  return *text != '\0' ? text : "CNY";
}

/* A line's values as typed; FALSE with a message naming the line when the
 * price is not a sum of money. */
static gboolean
read_line (ProductLine  *line,
           char        **out_product,
           gint64       *out_quantity,
           gint64       *out_unit_price,
           GError      **error)
{
  g_autofree char *price = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (line->unit_price))));
  g_autoptr(GError) local_error = NULL;

  *out_product = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (line->product))));
  gtk_spin_button_update (line->quantity);
  *out_quantity = (gint64) gtk_spin_button_get_value (line->quantity);
  *out_unit_price = 0;
  if (*price != '\0' && !crm_value_parse_money ("unit_price", price, out_unit_price, &local_error))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("The unit price “%s” of “%s” is not an amount of money, e.g. 128.50."),
                   price, **out_product != '\0' ? *out_product : _("the new line"));
      return FALSE;
    }
  return TRUE;
}

/* Sum of the lines as typed, -1 when one cannot be read or it is too big. */
static gint64
update_totals (CrmDealEditor *self)
{
  gint64 sum = 0;

  for (guint i = 0; i < self->lines->len; i++)
    {
      ProductLine *line = g_ptr_array_index (self->lines, i);
      g_autofree char *product = NULL;
      g_autofree char *text = NULL;
      gint64 quantity, unit_price, total = -1;

      if (read_line (line, &product, &quantity, &unit_price, NULL))
        total = crm_deal_product_line_total (quantity, unit_price);
      if (total >= 0)
        text = crm_format_money (total, currency (self));
      gtk_label_set_text (line->total, text != NULL ? text : "—");
      if (sum >= 0 && total >= 0 && total <= CRM_DEAL_AMOUNT_MAX - sum)
        sum += total;
      else
        sum = -1;
    }

  /* While a deal has products its amount is their total, kept in step
   * rather than offered: the pipeline's figures and the forecast then
   * agree with the lines a customer is quoted, as in most CRMs. Without
   * lines the amount is typed as before. */
  gtk_editable_set_editable (GTK_EDITABLE (self->amount_row), self->lines->len == 0);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->amount_row),
                                 self->lines->len == 0 ? _("Amount") : _("Amount (total of the products)"));
  if (self->lines->len > 0)
    {
      g_autofree char *amount = sum >= 0 ? crm_value_format_money (sum) : g_strdup ("");
      g_autofree char *formatted = sum >= 0 ? crm_format_money (sum, currency (self)) : NULL;
      /* Translators: the sum of a deal's product lines, "Total: ¥1,234.00" */
      g_autofree char *label = g_strdup_printf (_("Total: %s"), formatted != NULL ? formatted : "—");

      gtk_editable_set_text (GTK_EDITABLE (self->amount_row), amount);
      gtk_label_set_text (self->products_total_label, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->products_total_label), self->lines->len > 0);
  return sum;
}

static void
remove_line (CrmDealEditor *self,
             guint          index)
{
  ProductLine *line;

  if (index >= self->lines->len)
    return;
  line = g_ptr_array_index (self->lines, index);
  if (line->id != NULL)
    g_ptr_array_add (self->removed_line_ids, g_strdup (line->id));
  gtk_list_box_remove (self->products_list, line->row);
  g_ptr_array_remove_index (self->lines, index);
  update_totals (self);
}

static void
on_remove_line_clicked (GtkButton     *button,
                        CrmDealEditor *self)
{
  for (guint i = 0; i < self->lines->len; i++)
    if (gtk_widget_is_ancestor (GTK_WIDGET (button), ((ProductLine *) g_ptr_array_index (self->lines, i))->row))
      {
        remove_line (self, i);
        return;
      }
}

static void
on_price_activate (CrmDealEditor *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "editor.add-product", NULL);
}

static ProductLine *
append_line (CrmDealEditor *self,
             const char    *id,
             const char    *product,
             gint64         quantity,
             gint64         unit_price)
{
  ProductLine *line = g_new0 (ProductLine, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *times = gtk_label_new ("×");
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autoptr(GtkEntryCompletion) completion = gtk_entry_completion_new ();
  g_autofree char *price = unit_price > 0 ? crm_value_format_money (unit_price) : NULL;

  line->id = g_strdup (id);
  line->product = GTK_ENTRY (gtk_entry_new ());
  line->quantity = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 1000000000, 1));
  line->unit_price = GTK_ENTRY (gtk_entry_new ());
  line->total = GTK_LABEL (gtk_label_new (NULL));

  gtk_widget_set_hexpand (GTK_WIDGET (line->product), TRUE);
  gtk_entry_set_placeholder_text (line->product, _("Product"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (line->product), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Product"), -1);
  gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (self->product_names));
  gtk_entry_completion_set_text_column (completion, 0);
  gtk_entry_completion_set_minimum_key_length (completion, 1);
  gtk_entry_set_completion (line->product, completion);
  gtk_editable_set_text (GTK_EDITABLE (line->product), product != NULL ? product : "");

  gtk_spin_button_set_value (line->quantity, (double) MAX (quantity, 1));
  gtk_spin_button_set_numeric (line->quantity, TRUE);
  gtk_editable_set_width_chars (GTK_EDITABLE (line->quantity), 5);
  gtk_accessible_update_property (GTK_ACCESSIBLE (line->quantity), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Quantity"), -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (line->quantity), _("Quantity"));

  gtk_entry_set_placeholder_text (line->unit_price, _("Unit price"));
  gtk_entry_set_input_purpose (line->unit_price, GTK_INPUT_PURPOSE_NUMBER);
  gtk_editable_set_width_chars (GTK_EDITABLE (line->unit_price), 10);
  gtk_entry_set_alignment (line->unit_price, 1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (line->unit_price), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Unit price"), -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (line->unit_price), _("Unit price"));
  gtk_editable_set_text (GTK_EDITABLE (line->unit_price), price != NULL ? price : "");

  gtk_label_set_xalign (line->total, 1);
  gtk_label_set_width_chars (line->total, 13);
  gtk_widget_add_css_class (GTK_WIDGET (line->total), "numeric");
  gtk_widget_set_tooltip_text (remove, _("Remove this line"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove this line"), -1);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);

  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (line->product));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (line->quantity));
  gtk_box_append (GTK_BOX (box), times);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (line->unit_price));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (line->total));
  gtk_box_append (GTK_BOX (box), remove);
  gtk_widget_add_css_class (times, "dim-label");

  line->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (line->row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (line->row), box);
  gtk_list_box_append (self->products_list, line->row);

  g_signal_connect_object (line->product, "changed", G_CALLBACK (update_totals), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (line->quantity, "value-changed", G_CALLBACK (update_totals), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (line->unit_price, "changed", G_CALLBACK (update_totals), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_line_clicked), self, 0);
  /* Enter moves from the product to its quantity, and from the price to a
   * new line, as in an order form. (GTK 4.8's spin button has no activate
   * signal.) */
  g_signal_connect_object (line->product, "activate", G_CALLBACK (gtk_widget_grab_focus), line->quantity,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (line->unit_price, "activate", G_CALLBACK (on_price_activate), self, G_CONNECT_SWAPPED);
  g_ptr_array_add (self->lines, line);
  return line;
}

static void
load_products (CrmDealEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_auto(GStrv) names = crm_deal_product_suggestions (get_store (self), NULL, 500, NULL);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    gtk_list_store_insert_with_values (self->product_names, NULL, -1, 0, names[i], -1);

  if (self->deal_id == NULL)
    return;
  lines = crm_deal_list_products (get_store (self), self->deal_id, &error);
  if (lines == NULL)
    {
      show_error (self, error->message);
      return;
    }
  for (guint i = 0; i < lines->len; i++)
    {
      CrmRecord *line = g_ptr_array_index (lines, i);

      ProductLine *row = append_line (self, crm_record_get_id (line), crm_record_get_string (line, "product"),
                                      crm_record_get_int64 (line, "quantity"),
                                      crm_record_get_int64 (line, "unit_price"));

      row->stored = TRUE;
    }
}

/* Writes the lines inside the deal's transaction: removed, changed, new. */
static gboolean
save_products (CrmDealEditor  *self,
               CrmChangeSet   *undo,
               GError        **error)
{
  CrmStore *store = get_store (self);

  for (guint i = 0; i < self->removed_line_ids->len; i++)
    if (!crm_deal_remove_product (store, g_ptr_array_index (self->removed_line_ids, i), undo, error))
      return FALSE;
  for (guint i = 0; i < self->lines->len; i++)
    {
      ProductLine *line = g_ptr_array_index (self->lines, i);
      g_autofree char *product = NULL;
      gint64 quantity, unit_price;

      if (!read_line (line, &product, &quantity, &unit_price, error))
        return FALSE;
      if (line->id != NULL)
        {
          if (!crm_deal_update_product (store, line->id, product, quantity, unit_price, undo, error))
            return FALSE;
        }
      else
        {
          line->id = crm_deal_add_product (store, self->deal_id, product, quantity, unit_price, undo, error);
          if (line->id == NULL)
            return FALSE;
        }
    }
  return TRUE;
}

/* Checks every line before anything is written, so a bad one is named
 * and the user stays on the Products page to fix it. */
static gboolean
check_products (CrmDealEditor  *self,
                GError        **error)
{
  for (guint i = 0; i < self->lines->len; i++)
    {
      ProductLine *line = g_ptr_array_index (self->lines, i);
      g_autofree char *product = NULL;
      gint64 quantity, unit_price;

      if (!read_line (line, &product, &quantity, &unit_price, error) ||
          !crm_deal_product_check (product, quantity, unit_price, error))
        {
          adw_view_stack_set_visible_child_name (self->view_stack, "products");
          gtk_widget_grab_focus (GTK_WIDGET (line->product));
          return FALSE;
        }
    }
  if (self->lines->len > 0 && update_totals (self) < 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("The products of this deal come to more than a deal can hold."));
      adw_view_stack_set_visible_child_name (self->view_stack, "products");
      return FALSE;
    }
  return TRUE;
}

static void
add_product_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmDealEditor *self = CRM_DEAL_EDITOR (widget);
  ProductLine *line = append_line (self, NULL, NULL, 1, 0);

  adw_view_stack_set_visible_child_name (self->view_stack, "products");
  update_totals (self);
  gtk_widget_grab_focus (GTK_WIDGET (line->product));
}

/* editor.set-product (index, product, quantity, unit price): typing into
 * line @index, for tests and scripts. */
static void
set_product_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmDealEditor *self = CRM_DEAL_EDITOR (widget);
  const char *product, *price;
  gint32 index, quantity;
  ProductLine *line;

  g_variant_get (parameter, "(i&si&s)", &index, &product, &quantity, &price);
  if (index < 0 || (guint) index >= self->lines->len)
    {
      g_warning ("The deal editor has no product line %d", index);
      return;
    }
  line = g_ptr_array_index (self->lines, index);
  gtk_editable_set_text (GTK_EDITABLE (line->product), product);
  gtk_spin_button_set_value (line->quantity, quantity);
  gtk_editable_set_text (GTK_EDITABLE (line->unit_price), price);
}

static void
remove_product_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  remove_line (CRM_DEAL_EDITOR (widget), (guint) g_variant_get_int32 (parameter));
}

/* --- Tasks ----------------------------------------------------------------- */

static void
on_undo_toast_dismissed (AdwToast      *toast,
                         CrmDealEditor *self)
{
  if (self->undo_toast == toast)
    g_clear_object (&self->undo_toast);
}

/* What a task or timeline entry wrote, with Undo. One toast is reused:
 * libadwaita 1.2 crashes when a toast is dismissed during its animation. */
static void
show_undo_toast (CrmDealEditor *self,
                 CrmChangeSet  *changes,
                 const char    *message)
{
  AdwToast *toast;

  g_set_object (&self->activity_undo, changes);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.undo-activity", changes != NULL);
  if (self->undo_toast != NULL)
    {
      adw_toast_set_title (self->undo_toast, message);
      return;
    }
  toast = adw_toast_new (message);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "editor.undo-activity");
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_undo_toast_dismissed), self, 0);
  self->undo_toast = g_object_ref (toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
on_activity_committed (CrmDealEditor *self,
                       CrmChangeSet  *changes,
                       const char    *message)
{
  show_undo_toast (self, changes, message);
}

static void
undo_activity_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmDealEditor *self = CRM_DEAL_EDITOR (widget);
  g_autoptr(CrmChangeSet) changes = g_steal_pointer (&self->activity_undo);
  g_autoptr(GError) error = NULL;

  gtk_widget_action_set_enabled (widget, "editor.undo-activity", FALSE);
  if (changes == NULL)
    return;
  if (!crm_change_set_revert (changes, &error))
    {
      show_error (self, error->message);
      return;
    }
  if (self->undo_toast != NULL)
    {
      adw_toast_set_title (self->undo_toast, _("Undone"));
      adw_toast_set_button_label (self->undo_toast, NULL);
      adw_toast_set_action_name (self->undo_toast, NULL);
      g_clear_object (&self->undo_toast);
    }
}

/* Tasks are written at once, as in a contact's timeline: they are things
 * to do, not fields of the deal that Cancel should throw away. */

static char *
tomorrow_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);

  return g_date_time_format (tomorrow, "%Y-%m-%d");
}

static void
load_tasks (CrmDealEditor *self)
{
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tasks_list))) != NULL)
    gtk_list_box_remove (self->tasks_list, child);
  if (self->deal_id == NULL)
    return;
  tasks = crm_reminders_list_deal_tasks (get_store (self), self->deal_id, NULL);
  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    {
      CrmRecord *task = g_ptr_array_index (tasks, i);
      const char *due = crm_record_get_string (task, "due_at");
      const char *subject = crm_record_get_string (task, "subject");
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *date = crm_format_date (due);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), subject != NULL ? subject : _("Task"));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (date != NULL)
        {
          /* Translators: when a task is due, "Due 2024-05-01" */
          g_autofree char *subtitle = g_strdup_printf (_("Due %s"), date);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
        }
      if (due != NULL && strcmp (due, now_text) < 0)
        {
          GtkWidget *overdue = gtk_label_new (_("Overdue"));

          gtk_widget_add_css_class (overdue, "error");
          gtk_widget_add_css_class (overdue, "caption-heading");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), overdue);
          gtk_widget_add_css_class (row, "overdue");
        }
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (check, _("Mark as done"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Mark as done"), -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (check), "editor.task-done");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (check), "s", crm_record_get_id (task));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_widget_set_name (row, crm_record_get_id (task));
      gtk_list_box_append (self->tasks_list, row);
    }
}

static void
task_done_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmDealEditor *self = CRM_DEAL_EDITOR (widget);
  g_autoptr(CrmRecord) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

  static const char * const columns[] = { "done_at", NULL };
  g_autoptr(CrmChangeSet) changes = crm_change_set_new (get_store (self));

  task = crm_store_get (get_store (self), CRM_TYPE_ACTIVITY, g_variant_get_string (parameter, NULL), &error);
  if (task != NULL)
    crm_change_set_remember_fields (changes, task, columns);
  if (task == NULL ||
      !crm_record_set_field_from_string (task, "done_at", now_text, &error) ||
      !crm_store_update (get_store (self), task, &error))
    {
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  load_tasks (self);
  show_undo_toast (self, changes, _("Task done"));
}

static void
add_task_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmDealEditor *self = CRM_DEAL_EDITOR (widget);
  g_autoptr(CrmActivity) task = crm_activity_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->task_subject_entry))));
  g_autofree char *due = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->task_due_entry))));
  g_autofree char *due_at = NULL;
  CrmRecord *record = CRM_RECORD (task);

  if (self->deal_id == NULL)
    return;
  if (*subject == '\0')
    {
      show_error (self, _("Say what needs doing: the task has no subject."));
      gtk_widget_grab_focus (GTK_WIDGET (self->task_subject_entry));
      return;
    }
  if (*due != '\0')
    {
      g_autofree char *date = NULL;
      g_autoptr(GDateTime) local = NULL;
      g_autoptr(GDateTime) utc = NULL;
      int y, m, d;

      /* Due at nine in the morning of that day, local time, like the
       * timeline's tasks. */
      if (!crm_value_parse_date ("due", due, &date, &error) || sscanf (date, "%d-%d-%d", &y, &m, &d) != 3)
        {
          g_autofree char *message =
            g_strdup_printf (_("The due date “%s” is not a date. Write it as YYYY-MM-DD, e.g. 2024-05-01."), due);

          show_error (self, message);
          gtk_widget_grab_focus (GTK_WIDGET (self->task_due_entry));
          return;
        }
      local = g_date_time_new_local (y, m, d, 9, 0, 0);
      utc = g_date_time_to_utc (local);
      due_at = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
    }

  if (!crm_record_set_field_from_string (record, "deal_id", self->deal_id, &error) ||
      !crm_record_set_field_from_string (record, "contact_id", self->contact_id, &error) ||
      !crm_record_set_field_from_string (record, "kind", "task", &error) ||
      !crm_record_set_field_from_string (record, "subject", subject, &error) ||
      !crm_record_set_field_from_string (record, "due_at", due_at, &error) ||
      !crm_store_insert (get_store (self), record, &error))
    {
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->task_subject_entry), "");
  load_tasks (self);
  {
    g_autoptr(CrmChangeSet) changes = crm_change_set_new (get_store (self));

    crm_change_set_remember_insert (changes, record);
    show_undo_toast (self, changes, _("Task added"));
  }
  gtk_widget_grab_focus (GTK_WIDGET (self->task_subject_entry));
}

static void
on_task_entry_activate (CrmDealEditor *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "editor.add-task", NULL);
}

static void
on_store_changed (CrmDealEditor *self,
                  const char    *table,
                  const char    *id,
                  CrmStore      *store)
{
  /* A task ticked off in the timeline leaves the open tasks too. */
  if (table == NULL || g_str_equal (table, "activities"))
    load_tasks (self);
}

static void
load_activity (CrmDealEditor *self)
{
  gtk_stack_set_visible_child_name (self->activity_stack, self->deal_id != NULL ? "activity" : "unsaved");
  if (self->deal_id == NULL)
    return;
  crm_timeline_set_store (self->timeline, get_store (self));
  crm_timeline_set_deal (self->timeline, self->deal_id, self->contact_id);
  load_tasks (self);
}

/* --- Loading --------------------------------------------------------------- */

static void
fill_choices (CrmDealEditor *self)
{
  g_autoptr(GtkStringList) stages = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) owners = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) reasons = gtk_string_list_new ((const char * const *) self->lost_reasons);
  g_autoptr(GPtrArray) users = crm_user_directory_list (get_store (self), NULL);

  for (guint i = 0; i < crm_deal_board_get_n_stages (self->board); i++)
    {
      g_autofree char *label = NULL;

      if (crm_deal_board_get_stage_is_won (self->board, i) || crm_deal_board_get_stage_is_lost (self->board, i))
        label = g_strdup (crm_deal_board_get_stage_name (self->board, i));
      else
        /* Translators: a stage and its win probability, e.g. "Proposal (50 %)" */
        label = g_strdup_printf (_("%s (%d %%)"), crm_deal_board_get_stage_name (self->board, i),
                                 crm_deal_board_get_stage_probability (self->board, i));
      gtk_string_list_append (stages, label);
      g_ptr_array_add (self->stage_ids, g_strdup (crm_deal_board_get_stage_id (self->board, i)));
    }
  adw_combo_row_set_model (self->stage_row, G_LIST_MODEL (stages));

  gtk_string_list_append (owners, _("Nobody"));
  g_ptr_array_add (self->owner_ids, g_strdup (""));
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      CrmUserEntry *user = g_ptr_array_index (users, i);

      gtk_string_list_append (owners, user->name);
      g_ptr_array_add (self->owner_ids, g_strdup (user->id));
    }
  adw_combo_row_set_model (self->owner_row, G_LIST_MODEL (owners));
  adw_combo_row_set_model (self->lost_reason_row, G_LIST_MODEL (reasons));
}

static void
load_history (CrmDealEditor *self)
{
  g_autoptr(GPtrArray) moves = crm_deal_list_moves (get_store (self), self->deal_id, NULL);

  for (guint i = 0; moves != NULL && i < moves->len; i++)
    {
      CrmDealMove *move = g_ptr_array_index (moves, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *date = crm_format_date (move->at);

      if (move->from_stage == NULL)
        /* Translators: the first entry of a deal's stage history */
        title = g_strdup_printf (_("Created in %s"), move->to_stage != NULL ? move->to_stage : "?");
      else
        title = g_strdup_printf ("%s → %s", move->from_stage, move->to_stage != NULL ? move->to_stage : "?");
      /* Translators: when and by whom a deal moved, e.g. "2024-05-01 · 周婷" */
      subtitle = move->by != NULL ? g_strdup_printf (_("%s · %s"), date, move->by) : g_strdup (date);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_preferences_group_add (self->history_group, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->history_group), moves != NULL && moves->len > 0);
}

static void
load_deal (CrmDealEditor *self,
           const char    *stage_id)
{
  g_autoptr(CrmDeal) deal = NULL;
  g_autofree char *amount = NULL;
  int i;

  if (self->deal_id != NULL)
    deal = crm_store_get (get_store (self), CRM_TYPE_DEAL, self->deal_id, NULL);
  if (deal == NULL)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("New Deal"));
      i = find_id (self->stage_ids, stage_id);
      adw_combo_row_set_selected (self->stage_row, i >= 0 ? (guint) i : 0);
      i = find_id (self->owner_ids, crm_deal_board_get_owner_id (self->board));
      adw_combo_row_set_selected (self->owner_row, i >= 0 ? (guint) i : 0);
      on_stage_selected (self);
      load_products (self);
      update_totals (self);
      load_activity (self);
      return;
    }

  gtk_window_set_title (GTK_WINDOW (self), crm_record_get_string (CRM_RECORD (deal), "title"));
  gtk_editable_set_text (GTK_EDITABLE (self->title_row), crm_record_get_string (CRM_RECORD (deal), "title"));
  set_customer (self, crm_record_get_string (CRM_RECORD (deal), "contact_id"));
  amount = crm_record_dup_field_as_string (CRM_RECORD (deal), "amount");
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), amount != NULL ? amount : "");
  gtk_editable_set_text (GTK_EDITABLE (self->currency_row), crm_record_get_string (CRM_RECORD (deal), "currency"));
  gtk_editable_set_text (GTK_EDITABLE (self->expected_close_row),
                         crm_record_get_string (CRM_RECORD (deal), "expected_close") != NULL
                         ? crm_record_get_string (CRM_RECORD (deal), "expected_close") : "");
  i = find_id (self->stage_ids, crm_record_get_string (CRM_RECORD (deal), "stage_id"));
  adw_combo_row_set_selected (self->stage_row, i >= 0 ? (guint) i : 0);
  i = find_id (self->owner_ids, crm_record_get_owner_id (CRM_RECORD (deal)));
  adw_combo_row_set_selected (self->owner_row, i >= 0 ? (guint) i : 0);
  if (crm_record_get_string (CRM_RECORD (deal), "lost_reason") != NULL)
    {
      const char *reason = crm_record_get_string (CRM_RECORD (deal), "lost_reason");

      if (!g_strv_contains ((const char * const *) self->lost_reasons, reason))
        {
          GtkStringList *list = GTK_STRING_LIST (adw_combo_row_get_model (self->lost_reason_row));

          g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

          g_strv_builder_addv (builder, (const char **) self->lost_reasons);
          g_strv_builder_add (builder, reason);
          g_strfreev (self->lost_reasons);
          self->lost_reasons = g_strv_builder_end (builder);
          gtk_string_list_append (list, reason);
        }
      for (guint r = 0; self->lost_reasons[r] != NULL; r++)
        if (g_str_equal (self->lost_reasons[r], reason))
          adw_combo_row_set_selected (self->lost_reason_row, r);
    }
  if (crm_record_get_string (CRM_RECORD (deal), "notes") != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view),
                              crm_record_get_string (CRM_RECORD (deal), "notes"), -1);
  on_stage_selected (self);
  load_history (self);
  load_products (self);
  update_totals (self);
  load_activity (self);
}

/* --- Saving ---------------------------------------------------------------- */

static gboolean
set_field (CrmDeal     *deal,
           const char  *field,
           const char  *text,
           GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));

  return crm_record_set_field_from_string (CRM_RECORD (deal), field, trimmed, error);
}

static gboolean
save (CrmDealEditor  *self,
      CrmChangeSet   *undo,
      GError        **error)
{
  static const char * const edited[] = {
    "title", "contact_id", "amount", "currency", "expected_close", "notes", "owner_id", NULL
  };
  CrmStore *store = get_store (self);
  g_autoptr(CrmDeal) deal = NULL;
  g_autofree char *notes = NULL;
  const char *stage_id = selected_id (self->stage_ids, self->stage_row);
  const char *owner_id = selected_id (self->owner_ids, self->owner_row);
  const char *reason = NULL;
  GtkTextIter start, end;
  gboolean is_new = self->deal_id == NULL;

  if (stage_id == NULL)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("This pipeline has no stages, so the deal has nowhere to go."));
      return FALSE;
    }
  if (selected_stage_is_lost (self))
    {
      guint r = adw_combo_row_get_selected (self->lost_reason_row);

      if (r < g_strv_length (self->lost_reasons))
        reason = self->lost_reasons[r];
    }

  if (is_new)
    deal = crm_deal_new ();
  else
    {
      deal = crm_store_get (store, CRM_TYPE_DEAL, self->deal_id, error);
      if (deal == NULL)
        return FALSE;
      crm_change_set_remember_fields (undo, CRM_RECORD (deal), edited);
    }

  if (!check_products (self, error))
    return FALSE;
  if (self->lines->len > 0)
    update_totals (self);

  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (self->notes_view), &start, &end);
  notes = gtk_text_buffer_get_text (gtk_text_view_get_buffer (self->notes_view), &start, &end, FALSE);
  if (!set_field (deal, "title", gtk_editable_get_text (GTK_EDITABLE (self->title_row)), error) ||
      !set_field (deal, "amount", gtk_editable_get_text (GTK_EDITABLE (self->amount_row)), error) ||
      !set_field (deal, "currency", gtk_editable_get_text (GTK_EDITABLE (self->currency_row)), error) ||
      !set_field (deal, "expected_close", gtk_editable_get_text (GTK_EDITABLE (self->expected_close_row)), error) ||
      !set_field (deal, "notes", notes, error))
    return FALSE;
  g_object_set (deal, "contact-id", self->contact_id, NULL);
  crm_record_set_owner_id (CRM_RECORD (deal), owner_id);

  if (!crm_store_begin (store, error))
    return FALSE;
  if (is_new)
    {
      /* Created in the chosen stage, then moved nowhere: a won or lost
       * choice closes it through the same path as a move. */
      g_object_set (deal, "pipeline-id", crm_deal_board_get_pipeline_id (self->board),
                    "stage-id", stage_id, NULL);
      if (reason != NULL || selected_stage_is_lost (self))
        g_object_set (deal, "lost-reason", reason, NULL);
      if (!crm_store_insert (store, CRM_RECORD (deal), error))
        {
          crm_store_rollback (store);
          return FALSE;
        }
      crm_change_set_remember_insert (undo, CRM_RECORD (deal));
      g_free (self->deal_id);
      self->deal_id = g_strdup (crm_record_get_id (CRM_RECORD (deal)));
      {
        int s = crm_deal_board_find_stage (self->board, stage_id);

        if (s >= 0 && (crm_deal_board_get_stage_is_won (self->board, s) || crm_deal_board_get_stage_is_lost (self->board, s)))
          {
            g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
            g_autofree char *closed = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

            g_object_set (deal, "closed-at", closed, NULL);
            if (!crm_store_update (store, CRM_RECORD (deal), error))
              {
                crm_store_rollback (store);
                return FALSE;
              }
          }
      }
    }
  else
    {
      if (!crm_store_update (store, CRM_RECORD (deal), error) ||
          !crm_deal_move (store, self->deal_id, stage_id, reason, undo, error))
        {
          crm_store_rollback (store);
          return FALSE;
        }
    }
  if (!save_products (self, undo, error))
    {
      crm_store_rollback (store);
      /* New lines keep no id of a row that was rolled back. */
      for (guint i = 0; i < self->lines->len; i++)
        {
          ProductLine *line = g_ptr_array_index (self->lines, i);

          if (!line->stored)
            g_clear_pointer (&line->id, g_free);
        }
      return FALSE;
    }
  if (!crm_store_commit (store, error))
    return FALSE;
  for (guint i = 0; i < self->lines->len; i++)
    ((ProductLine *) g_ptr_array_index (self->lines, i))->stored = TRUE;
  g_ptr_array_set_size (self->removed_line_ids, 0);
  return TRUE;
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmDealEditor *self = CRM_DEAL_EDITOR (widget);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(GError) error = NULL;
  gboolean is_new = self->deal_id == NULL;

  if (!save (self, undo, &error))
    {
      if (is_new)
        g_clear_pointer (&self->deal_id, g_free);
      show_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, undo, is_new ? _("Deal added") : _("Deal saved"));
  gtk_window_close (GTK_WINDOW (self));
}

/* editor.set-field (field, text): what typing into a field does, for
 * tests and scripts. */
static void
set_field_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmDealEditor *self = CRM_DEAL_EDITOR (widget);
  const char *field, *text;
  int i;

  g_variant_get (parameter, "(&s&s)", &field, &text);
  if (g_str_equal (field, "title"))
    gtk_editable_set_text (GTK_EDITABLE (self->title_row), text);
  else if (g_str_equal (field, "amount"))
    gtk_editable_set_text (GTK_EDITABLE (self->amount_row), text);
  else if (g_str_equal (field, "currency"))
    gtk_editable_set_text (GTK_EDITABLE (self->currency_row), text);
  else if (g_str_equal (field, "expected_close"))
    gtk_editable_set_text (GTK_EDITABLE (self->expected_close_row), text);
  else if (g_str_equal (field, "notes"))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view), text, -1);
  else if (g_str_equal (field, "contact_id"))
    set_customer (self, *text != '\0' ? text : NULL);
  else if (g_str_equal (field, "stage_id") && (i = find_id (self->stage_ids, text)) >= 0)
    adw_combo_row_set_selected (self->stage_row, (guint) i);
  else if (g_str_equal (field, "owner_id") && (i = find_id (self->owner_ids, text)) >= 0)
    adw_combo_row_set_selected (self->owner_row, (guint) i);
  else if (g_str_equal (field, "task_subject"))
    gtk_editable_set_text (GTK_EDITABLE (self->task_subject_entry), text);
  else if (g_str_equal (field, "task_due"))
    gtk_editable_set_text (GTK_EDITABLE (self->task_due_entry), text);
  else if (g_str_equal (field, "page"))
    adw_view_stack_set_visible_child_name (self->view_stack, text);
  else
    g_warning ("The deal editor has no field “%s” with a value “%s”", field, text);
}

/* --- GObject --------------------------------------------------------------- */

static void
crm_deal_editor_dispose (GObject *object)
{
  CrmDealEditor *self = (CrmDealEditor *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_DEAL_EDITOR);
  g_clear_object (&self->board);
  g_clear_object (&self->activity_undo);
  g_clear_object (&self->undo_toast);

  G_OBJECT_CLASS (crm_deal_editor_parent_class)->dispose (object);
}

static void
crm_deal_editor_finalize (GObject *object)
{
  CrmDealEditor *self = (CrmDealEditor *)object;

  g_free (self->deal_id);
  g_free (self->contact_id);
  g_clear_pointer (&self->stage_ids, g_ptr_array_unref);
  g_clear_pointer (&self->owner_ids, g_ptr_array_unref);
  g_strfreev (self->lost_reasons);
  g_clear_pointer (&self->lines, g_ptr_array_unref);
  g_clear_pointer (&self->removed_line_ids, g_ptr_array_unref);
  g_clear_object (&self->product_names);

  G_OBJECT_CLASS (crm_deal_editor_parent_class)->finalize (object);
}

static void
crm_deal_editor_class_init (CrmDealEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_deal_editor_dispose;
  object_class->finalize = crm_deal_editor_finalize;

  /**
   * CrmDealEditor::saved:
   * @changes: what the save wrote, to undo it
   * @message: what to tell the user ("Deal added")
   */
  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, CRM_TYPE_CHANGE_SET, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-deal-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, title_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, customer_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, customer_matches);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, amount_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, currency_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, stage_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, lost_reason_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, expected_close_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, owner_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, notes_view);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, history_group);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, products_list);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, products_total_label);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, activity_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, tasks_list);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, task_subject_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, task_due_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, timeline);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, toast_overlay);
  gtk_widget_class_bind_template_callback (widget_class, on_customer_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_customer_match_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_stage_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_task_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_activity_committed);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.set-field", "(ss)", set_field_action);
  gtk_widget_class_install_action (widget_class, "editor.add-product", NULL, add_product_action);
  /* (index, product, quantity, unit price as typed) */
  gtk_widget_class_install_action (widget_class, "editor.set-product", "(isis)", set_product_action);
  gtk_widget_class_install_action (widget_class, "editor.remove-product", "i", remove_product_action);
  gtk_widget_class_install_action (widget_class, "editor.add-task", NULL, add_task_action);
  gtk_widget_class_install_action (widget_class, "editor.task-done", "s", task_done_action);
  gtk_widget_class_install_action (widget_class, "editor.undo-activity", NULL, undo_activity_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
crm_deal_editor_init (CrmDealEditor *self)
{
  g_type_ensure (CRM_TYPE_TIMELINE);
  gtk_widget_init_template (GTK_WIDGET (self));
  self->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) product_line_free);
  self->removed_line_ids = g_ptr_array_new_with_free_func (g_free);
  self->product_names = gtk_list_store_new (1, G_TYPE_STRING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.undo-activity", FALSE);
  self->stage_ids = g_ptr_array_new_with_free_func (g_free);
  self->owner_ids = g_ptr_array_new_with_free_func (g_free);
  self->lost_reasons = crm_deal_default_lost_reasons ();
}

CrmDealEditor *
crm_deal_editor_new (CrmDealBoard *board,
                     const char   *deal_id,
                     const char   *stage_id)
{
  CrmDealEditor *self;

  g_return_val_if_fail (CRM_IS_DEAL_BOARD (board), NULL);

  self = g_object_new (CRM_TYPE_DEAL_EDITOR, NULL);
  self->board = g_object_ref (board);
  self->deal_id = g_strdup (deal_id);
  fill_choices (self);
  load_deal (self, stage_id);
  {
    g_autofree char *tomorrow = tomorrow_text ();

    gtk_editable_set_text (GTK_EDITABLE (self->task_due_entry), tomorrow);
  }
  g_signal_connect_object (get_store (self), "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  /* Line totals are shown in the deal's currency. */
  g_signal_connect_object (self->currency_row, "changed", G_CALLBACK (update_totals), self, G_CONNECT_SWAPPED);
  return self;
}

const char *
crm_deal_editor_get_deal_id (CrmDealEditor *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_EDITOR (self), NULL);

  return self->deal_id;
}

guint
crm_deal_editor_get_n_products (CrmDealEditor *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_EDITOR (self), 0);

  return self->lines->len;
}

guint
crm_deal_editor_get_n_open_tasks (CrmDealEditor *self)
{
  guint n = 0;

  g_return_val_if_fail (CRM_IS_DEAL_EDITOR (self), 0);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->tasks_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (ADW_IS_ACTION_ROW (child))
      n++;
  return n;
}

const char *
crm_deal_editor_get_amount_text (CrmDealEditor *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_EDITOR (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->amount_row));
}
