/* crm-date-range-button.c: a calendar button whose popover asks for a period's first and last day */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-date-parse.h"
#include "crm-date-range-button.h"

struct _CrmDateRangeButton
{
  GtkWidget       parent_instance;

  /* The entry a click in the calendar fills: From first, then To. */
  GtkEntry       *active_entry;
  gboolean        moving_calendar;

  /* Template widgets */
  GtkMenuButton  *menu_button;
  GtkPopover     *popover;
  GtkEntry       *from_entry;
  GtkEntry       *to_entry;
  GtkCalendar    *calendar;
  GtkLabel       *error_label;
};

G_DEFINE_FINAL_TYPE (CrmDateRangeButton, crm_date_range_button, GTK_TYPE_WIDGET)

enum {
  RANGE_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
date_text (const GDate *date,
           char         out[16])
{
  if (date == NULL || !g_date_valid (date))
    out[0] = '\0';
  else
    g_snprintf (out, 16, "%04u-%02u-%02u",
                g_date_get_year (date), g_date_get_month (date), g_date_get_day (date));
}

/* Shows the month of the date the entry holds, if it holds one. */
static void
show_entry_date (CrmDateRangeButton *self,
                 GtkEntry           *entry)
{
  g_autofree char *iso = NULL;
  g_autoptr(GDateTime) day = NULL;
  int y, m, d;

  if (!crm_date_parse (gtk_editable_get_text (GTK_EDITABLE (entry)), CRM_DATE_ORDER_DAY_FIRST, &iso, NULL) ||
      sscanf (iso, "%d-%d-%d", &y, &m, &d) != 3)
    return;
  day = g_date_time_new_local (y, m, d, 0, 0, 0);
  if (day == NULL)
    return;
  self->moving_calendar = TRUE;
  gtk_calendar_select_day (self->calendar, day);
  self->moving_calendar = FALSE;
}

static void
clear_error (CrmDateRangeButton *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->from_entry), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->to_entry), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

static void
on_entry_changed (CrmDateRangeButton *self)
{
  clear_error (self);
}

static void
on_entry_focused (GtkEventControllerFocus *controller,
                  CrmDateRangeButton      *self)
{
  GtkEntry *entry = GTK_ENTRY (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));

  if (self->active_entry == entry)
    return;
  self->active_entry = entry;
  show_entry_date (self, entry);
}

static void
on_day_selected (CrmDateRangeButton *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->calendar);
  g_autofree char *text = NULL;

  if (self->moving_calendar)
    return;
  text = g_date_time_format (day, "%Y-%m-%d");
  gtk_editable_set_text (GTK_EDITABLE (self->active_entry), text);
  /* After the first day, the next click picks the last one. */
  if (self->active_entry == self->from_entry)
    {
      self->active_entry = self->to_entry;
      gtk_widget_grab_focus (GTK_WIDGET (self->to_entry));
    }
}

static gboolean
read_entry (CrmDateRangeButton  *self,
            GtkEntry            *entry,
            char               **out_iso)
{
  g_autoptr(GError) error = NULL;

  if (crm_date_parse (gtk_editable_get_text (GTK_EDITABLE (entry)), CRM_DATE_ORDER_DAY_FIRST, out_iso, &error))
    return TRUE;
  crm_date_range_button_show_error (self, error->message);
  gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  gtk_widget_grab_focus (GTK_WIDGET (entry));
  return FALSE;
}

static void
on_apply (CrmDateRangeButton *self)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (!read_entry (self, self->from_entry, &from) || !read_entry (self, self->to_entry, &to))
    return;
  /* Show what was understood, so 2024/3/5 reads back as 2024-03-05. */
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to);
  g_signal_emit (self, signals[RANGE_CHOSEN], 0, from, to);
}

static void
on_popover_show (CrmDateRangeButton *self)
{
  self->active_entry = self->from_entry;
  show_entry_date (self, self->from_entry);
  gtk_widget_grab_focus (GTK_WIDGET (self->from_entry));
}

/* --- Public ----------------------------------------------------------------- */

GtkWidget *
crm_date_range_button_new (void)
{
  return g_object_new (CRM_TYPE_DATE_RANGE_BUTTON, NULL);
}

void
crm_date_range_button_set_range (CrmDateRangeButton *self,
                                 const GDate        *from,
                                 const GDate        *to)
{
  char from_text[16], to_text[16];

  g_return_if_fail (CRM_IS_DATE_RANGE_BUTTON (self));

  date_text (from, from_text);
  date_text (to, to_text);
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from_text);
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to_text);
  show_entry_date (self, self->from_entry);
}

void
crm_date_range_button_popup (CrmDateRangeButton *self)
{
  g_return_if_fail (CRM_IS_DATE_RANGE_BUTTON (self));

  gtk_menu_button_popup (self->menu_button);
}

void
crm_date_range_button_popdown (CrmDateRangeButton *self)
{
  g_return_if_fail (CRM_IS_DATE_RANGE_BUTTON (self));

  gtk_menu_button_popdown (self->menu_button);
}

/* Keeps the popover open with @message under the dates, e.g. when the
 * period ends before it starts. */
void
crm_date_range_button_show_error (CrmDateRangeButton *self,
                                  const char         *message)
{
  g_return_if_fail (CRM_IS_DATE_RANGE_BUTTON (self));
  g_return_if_fail (message != NULL);

  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    gtk_menu_button_popup (self->menu_button);
}

/* --- GObject --------------------------------------------------------------- */

static void
crm_date_range_button_dispose (GObject *object)
{
  CrmDateRangeButton *self = CRM_DATE_RANGE_BUTTON (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_DATE_RANGE_BUTTON);

  G_OBJECT_CLASS (crm_date_range_button_parent_class)->dispose (object);
}

static void
crm_date_range_button_class_init (CrmDateRangeButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_date_range_button_dispose;

  /**
   * CrmDateRangeButton::range-chosen:
   * @from: the first day, YYYY-MM-DD
   * @to: the last day, YYYY-MM-DD
   *
   * The user asked for this period. The handler checks it and either
   * closes the popover or calls crm_date_range_button_show_error().
   */
  signals[RANGE_CHOSEN] =
    g_signal_new ("range-chosen",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-date-range-button.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CrmDateRangeButton, menu_button);
  gtk_widget_class_bind_template_child (widget_class, CrmDateRangeButton, popover);
  gtk_widget_class_bind_template_child (widget_class, CrmDateRangeButton, from_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmDateRangeButton, to_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmDateRangeButton, calendar);
  gtk_widget_class_bind_template_child (widget_class, CrmDateRangeButton, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_day_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_popover_show);
}

static void
crm_date_range_button_init (CrmDateRangeButton *self)
{
  GtkEntry *entries[] = { NULL, NULL };

  gtk_widget_init_template (GTK_WIDGET (self));

  entries[0] = self->from_entry;
  entries[1] = self->to_entry;
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      GtkEventController *focus = gtk_event_controller_focus_new ();

      g_signal_connect (focus, "enter", G_CALLBACK (on_entry_focused), self);
      gtk_widget_add_controller (GTK_WIDGET (entries[i]), focus);
    }
  self->active_entry = self->from_entry;
}
