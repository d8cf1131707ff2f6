/* test-date-range-button.c: the custom period popover: typed dates in several forms, the calendar, and refused dates */

#include "config.h"

#include <string.h>

#include "crm-date-range-button.h"
#include "crm-test-ui.h"

typedef struct
{
  GtkWindow          *window;
  CrmDateRangeButton *button;
  GtkEntry           *from_entry;
  GtkEntry           *to_entry;
  GtkCalendar        *calendar;
  GtkLabel           *error_label;
  guint               n_chosen;
  char               *from;
  char               *to;
} Fixture;

static void
on_range_chosen (CrmDateRangeButton *button,
                 const char         *from,
                 const char         *to,
                 Fixture            *f)
{
  f->n_chosen++;
  g_free (f->from);
  g_free (f->to);
  f->from = g_strdup (from);
  f->to = g_strdup (to);
}

/* The popover's widgets, in the order the template builds them. */
static void
find_children (GtkWidget *widget,
               Fixture   *f)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_ENTRY (child))
        {
          if (f->from_entry == NULL)
            f->from_entry = GTK_ENTRY (child);
          else
            f->to_entry = GTK_ENTRY (child);
          continue;
        }
      if (GTK_IS_CALENDAR (child))
        f->calendar = GTK_CALENDAR (child);
      else if (GTK_IS_LABEL (child) && gtk_widget_has_css_class (child, "error"))
        f->error_label = GTK_LABEL (child);
      find_children (child, f);
    }
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *menu_button;

  f->window = GTK_WINDOW (gtk_window_new ());
  f->button = CRM_DATE_RANGE_BUTTON (crm_date_range_button_new ());
  gtk_window_set_child (f->window, GTK_WIDGET (f->button));
  g_signal_connect (f->button, "range-chosen", G_CALLBACK (on_range_chosen), f);
  gtk_window_present (f->window);
  crm_date_range_button_popup (f->button);
  crm_test_ui_iterate ();

  menu_button = gtk_widget_get_first_child (GTK_WIDGET (f->button));
  find_children (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button))), f);
  g_assert_nonnull (f->from_entry);
  g_assert_nonnull (f->to_entry);
  g_assert_nonnull (f->calendar);
  g_assert_nonnull (f->error_label);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  crm_test_ui_destroy_window (f->window);
  crm_test_ui_iterate ();
  g_free (f->from);
  g_free (f->to);
}

static void
type_dates (Fixture    *f,
            const char *from,
            const char *to)
{
  gtk_editable_set_text (GTK_EDITABLE (f->from_entry), from);
  gtk_editable_set_text (GTK_EDITABLE (f->to_entry), to);
  /* Enter in either entry applies. */
  g_signal_emit_by_name (f->to_entry, "activate");
}

static void
test_typed_dates (Fixture       *f,
                  gconstpointer  data)
{
  GDate from, to;

  g_date_clear (&from, 1);
  g_date_clear (&to, 1);
  g_date_set_dmy (&from, 1, G_DATE_FEBRUARY, 2024);
  g_date_set_dmy (&to, 29, G_DATE_FEBRUARY, 2024);
  crm_date_range_button_set_range (f->button, &from, &to);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (f->from_entry)), ==, "2024-02-01");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (f->to_entry)), ==, "2024-02-29");

  /* The forms people write are read back as YYYY-MM-DD. */
  type_dates (f, "2024/3/5", "2024年3月31日");
  g_assert_cmpuint (f->n_chosen, ==, 1);
  g_assert_cmpstr (f->from, ==, "2024-03-05");
  g_assert_cmpstr (f->to, ==, "2024-03-31");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (f->from_entry)), ==, "2024-03-05");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->error_label)));
}

static void
test_refused_dates (Fixture       *f,
                    gconstpointer  data)
{
  /* A day that does not exist: nothing is chosen, the popover says which. */
  type_dates (f, "2024-01-01", "2023-02-29");
  g_assert_cmpuint (f->n_chosen, ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->error_label)));
  g_assert_nonnull (strstr (gtk_label_get_label (f->error_label), "2023-02-29"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->to_entry), "error"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (f->from_entry), "error"));

  /* Editing clears the complaint. */
  gtk_editable_set_text (GTK_EDITABLE (f->to_entry), "2023-02-28");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->error_label)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (f->to_entry), "error"));

  /* Text that is no date at all, in the first entry. */
  type_dates (f, "next week", "2024-01-31");
  g_assert_cmpuint (f->n_chosen, ==, 0);
  g_assert_nonnull (strstr (gtk_label_get_label (f->error_label), "next week"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->from_entry), "error"));

  /* The page's own check (e.g. the end before the start) shows the same way. */
  crm_date_range_button_show_error (f->button, "The period ends before it starts.");
  g_assert_cmpstr (gtk_label_get_label (f->error_label), ==, "The period ends before it starts.");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->error_label)));
}

static void
test_calendar (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GDateTime) first = g_date_time_new_local (2025, 6, 3, 0, 0, 0);
  g_autoptr(GDateTime) last = g_date_time_new_local (2025, 6, 20, 0, 0, 0);

  gtk_editable_set_text (GTK_EDITABLE (f->from_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (f->to_entry), "");
  crm_date_range_button_popdown (f->button);
  crm_test_ui_iterate ();
  crm_date_range_button_popup (f->button);
  crm_test_ui_iterate ();

  /* The first click gives the first day, the second the last. */
  gtk_calendar_select_day (f->calendar, first);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (f->from_entry)), ==, "2025-06-03");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (f->to_entry)), ==, "");
  gtk_calendar_select_day (f->calendar, last);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (f->from_entry)), ==, "2025-06-03");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (f->to_entry)), ==, "2025-06-20");

  g_signal_emit_by_name (f->from_entry, "activate");
  g_assert_cmpuint (f->n_chosen, ==, 1);
  g_assert_cmpstr (f->from, ==, "2025-06-03");
  g_assert_cmpstr (f->to, ==, "2025-06-20");
}

int
main (int   argc,
      char *argv[])
{
  crm_test_ui_init (&argc, &argv);

  g_test_add ("/date-range-button/typed-dates", Fixture, NULL, fixture_set_up, test_typed_dates, fixture_tear_down);
  g_test_add ("/date-range-button/refused-dates", Fixture, NULL, fixture_set_up, test_refused_dates, fixture_tear_down);
  g_test_add ("/date-range-button/calendar", Fixture, NULL, fixture_set_up, test_calendar, fixture_tear_down);

  return g_test_run ();
}
