/* crm-reminders-view.c: my tasks (overdue, today, upcoming) and the birthdays of the next 30 days */

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "crm-activity.h"
#include "crm-change-set.h"
#include "crm-contact.h"
#include "crm-contact-labels.h"
#include "crm-reminders.h"
#include "crm-reminders-view.h"
#include "crm-tooltip.h"

#define BIRTHDAY_DAYS 30

/* Rows per group: a list to act on, not a report. With a million
 * contacts a month holds tens of thousands of birthdays. */
#define GROUP_LIMIT 20

struct _CrmRemindersView
{
  GtkWidget             parent_instance;

  CrmStore             *store;
  guint                 reload_idle;
  GHashTable           *counts;      /* group name → count */
  GPtrArray            *rows;        /* rows we added, to remove on reload */

  /* Template widgets */
  GtkWidget            *scroller;
  AdwPreferencesGroup  *overdue_group;
  AdwPreferencesGroup  *today_group;
  AdwPreferencesGroup  *upcoming_group;
  AdwPreferencesGroup  *birthdays_group;
  GtkWidget            *empty_page;
};

G_DEFINE_FINAL_TYPE (CrmRemindersView, crm_reminders_view, GTK_TYPE_WIDGET)

enum {
  COMMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
now_utc (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
contact_name (CrmRemindersView *self,
              const char       *contact_id)
{
  g_autoptr(CrmContact) contact = NULL;

  if (contact_id != NULL)
    contact = crm_store_get (self->store, CRM_TYPE_CONTACT, contact_id, NULL);
  return g_strdup (contact != NULL ? crm_contact_get_name (contact) : NULL);
}

static void
add_row (CrmRemindersView    *self,
         AdwPreferencesGroup *group,
         const char          *name,
         GtkWidget           *row)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, name));

  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, g_object_ref (row));
  g_hash_table_insert (self->counts, (gpointer) name, GUINT_TO_POINTER (n + 1));
}

static GtkWidget *
task_row (CrmRemindersView *self,
          CrmRecord        *task)
{
  const char *contact_id = crm_record_get_string (task, "contact_id");
  const char *due_at = crm_record_get_string (task, "due_at");
  g_autofree char *name = contact_name (self, contact_id);
  g_autofree char *due = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *done = gtk_check_button_new ();

  if (due_at != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (due_at, NULL);
      g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

      due = local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup (due_at);
    }
  if (name != NULL && due != NULL)
    /* Translators: contact, then when a task is due */
    subtitle = g_strdup_printf (_("%s · due %s"), name, due);
  else
    subtitle = g_strdup (name != NULL ? name : due);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), crm_record_get_string (task, "subject"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : "");
  crm_tooltip_set_text (done, _("Mark as done"));
  gtk_widget_set_valign (done, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (done), "s", crm_record_get_id (task));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (done), "reminders.complete");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), done);

  if (contact_id != NULL)
    {
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", contact_id);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "contacts.show-contact");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
    }
  return row;
}

static GtkWidget *
birthday_row (CrmRemindersView *self,
              CrmContact       *contact,
              const char       *today)
{
  const char *birthday = crm_record_get_string (CRM_RECORD (contact), "birthday");
  g_autofree char *next = crm_reminders_next_birthday (birthday, today);
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *greet = gtk_button_new_with_mnemonic (_("_Greet"));
  int age = next != NULL ? atoi (next) - atoi (birthday) : 0;

  if (g_strcmp0 (next, today) == 0)
    /* Translators: a birthday today, with the age the person turns */
    subtitle = g_strdup_printf (ngettext ("Today, turns %d", "Today, turns %d", age), age);
  else
    /* Translators: date of the next birthday and the age the person turns */
    subtitle = g_strdup_printf (ngettext ("%s, turns %d", "%s, turns %d", age), next, age);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), crm_contact_get_name (contact));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (greet, GTK_ALIGN_CENTER);
  crm_tooltip_set_text (greet, _("Log that birthday greetings were sent"));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (greet), "s", crm_record_get_id (CRM_RECORD (contact)));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (greet), "reminders.greet");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), greet);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", crm_record_get_id (CRM_RECORD (contact)));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "contacts.show-contact");
  return row;
}

/* Says so when a group shows only its first GROUP_LIMIT rows. */
static void
set_group_more (AdwPreferencesGroup *group,
                gboolean             more)
{
  g_autofree char *text = NULL;

  if (more)
    text = g_strdup_printf (ngettext ("The first %d are shown", "The first %d are shown", GROUP_LIMIT), GROUP_LIMIT);
  adw_preferences_group_set_description (group, text);
}

void
crm_reminders_view_reload (CrmRemindersView *self)
{
  g_autoptr(GPtrArray) birthdays = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) local = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = NULL;
  g_autoptr(GDateTime) tomorrow = NULL;
  g_autofree char *today = g_date_time_format (local, "%Y-%m-%d");
  g_autofree char *now = now_utc ();
  g_autofree char *tomorrow_utc = NULL;
  AdwPreferencesGroup *groups[] = { self->overdue_group, self->today_group, self->upcoming_group, self->birthdays_group };
  gboolean any = FALSE;

  g_return_if_fail (CRM_IS_REMINDERS_VIEW (self));

  g_clear_handle_id (&self->reload_idle, g_source_remove);
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);

      for (guint j = 0; j < G_N_ELEMENTS (groups); j++)
        if (gtk_widget_is_ancestor (row, GTK_WIDGET (groups[j])))
          adw_preferences_group_remove (groups[j], row);
    }
  g_ptr_array_set_size (self->rows, 0);
  g_hash_table_remove_all (self->counts);

  if (self->store == NULL)
    return;

  /* "Today" ends at local midnight, compared in UTC like the stored times. */
  midnight = g_date_time_new_local (g_date_time_get_year (local), g_date_time_get_month (local),
                                    g_date_time_get_day_of_month (local), 0, 0, 0);
  tomorrow = g_date_time_add_days (midnight, 1);
  {
    g_autoptr(GDateTime) tomorrow_u = g_date_time_to_utc (tomorrow);
    tomorrow_utc = g_date_time_format (tomorrow_u, "%Y-%m-%dT%H:%M:%SZ");
  }

  {
    /* Overdue, today, upcoming (then those without a due date). */
    const char *from[] = { NULL, now, tomorrow_utc };
    const char *before[] = { now, tomorrow_utc, NULL };
    AdwPreferencesGroup *task_groups[] = { self->overdue_group, self->today_group, self->upcoming_group };
    const char *names[] = { "overdue", "today", "upcoming" };

    for (guint g = 0; g < G_N_ELEMENTS (names); g++)
      {
        g_autoptr(GPtrArray) tasks = crm_reminders_list_tasks_due (self->store, from[g], before[g], g == 2,
                                                                   GROUP_LIMIT + 1, &error);

        if (tasks == NULL)
          {
            g_warning ("Could not read the open tasks: %s", error->message);
            g_clear_error (&error);
            continue;
          }
        for (guint i = 0; i < tasks->len && i < GROUP_LIMIT; i++)
          add_row (self, task_groups[g], names[g], task_row (self, g_ptr_array_index (tasks, i)));
        set_group_more (task_groups[g], tasks->len > GROUP_LIMIT);
      }
  }

  birthdays = crm_reminders_list_birthdays (self->store, today, BIRTHDAY_DAYS, GROUP_LIMIT + 1, &error);
  if (birthdays == NULL)
    g_warning ("Could not read the birthdays: %s", error->message);
  for (guint i = 0; birthdays != NULL && i < birthdays->len && i < GROUP_LIMIT; i++)
    add_row (self, self->birthdays_group, "birthdays", birthday_row (self, g_ptr_array_index (birthdays, i), today));
  set_group_more (self->birthdays_group, birthdays != NULL && birthdays->len > GROUP_LIMIT);

  gtk_widget_set_visible (GTK_WIDGET (self->overdue_group), crm_reminders_view_count (self, "overdue") > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->today_group), crm_reminders_view_count (self, "today") > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->upcoming_group), crm_reminders_view_count (self, "upcoming") > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->birthdays_group), crm_reminders_view_count (self, "birthdays") > 0);
  any = self->rows->len > 0;
  gtk_widget_set_visible (self->empty_page, !any);
}

static gboolean
reload_idle_cb (gpointer user_data)
{
  CrmRemindersView *self = user_data;

  self->reload_idle = 0;
  crm_reminders_view_reload (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (CrmRemindersView *self,
                  const char       *table)
{
  if (table != NULL && !g_str_equal (table, "activities") && !g_str_equal (table, "contacts"))
    return;
  /* Bulk edits emit many changes: read once, when they are done. */
  if (self->reload_idle == 0)
    self->reload_idle = g_idle_add (reload_idle_cb, self);
}

static void
complete_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrmRemindersView *self = CRM_REMINDERS_VIEW (widget);
  static const char * const columns[] = { "done_at", NULL };
  g_autoptr(CrmRecord) task = NULL;
  g_autoptr(CrmChangeSet) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = now_utc ();

  task = crm_store_get (self->store, CRM_TYPE_ACTIVITY, g_variant_get_string (parameter, NULL), &error);
  if (task != NULL)
    {
      changes = crm_change_set_new (self->store);
      crm_change_set_remember_fields (changes, task, columns);
    }
  if (task == NULL ||
      !crm_record_set_field_from_string (task, "done_at", now, &error) ||
      !crm_store_update (self->store, task, &error))
    {
      g_warning ("Could not mark the task done: %s", error->message);
      return;
    }
  g_signal_emit (self, signals[COMMITTED], 0, changes, _("Task done"));
}

static void
greet_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CrmRemindersView *self = CRM_REMINDERS_VIEW (widget);
  g_autoptr(CrmActivity) greeting = crm_activity_new ();
  g_autoptr(CrmChangeSet) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *now = now_utc ();
  CrmRecord *record = CRM_RECORD (greeting);

  if (!crm_record_set_field_from_string (record, "contact_id", g_variant_get_string (parameter, NULL), &error) ||
      !crm_record_set_field_from_string (record, "kind", "email", &error) ||
      !crm_record_set_field_from_string (record, "subject", _("Birthday greetings"), &error) ||
      !crm_record_set_field_from_string (record, "done_at", now, &error) ||
      !crm_store_insert (self->store, record, &error))
    {
      g_warning ("Could not log the greeting: %s", error->message);
      return;
    }
  changes = crm_change_set_new (self->store);
  crm_change_set_remember_insert (changes, record);
  g_signal_emit (self, signals[COMMITTED], 0, changes, _("Birthday greetings logged"));
}

static void
crm_reminders_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (crm_reminders_view_parent_class)->map (widget);

  /* "Today" moves on while the app runs. */
  crm_reminders_view_reload (CRM_REMINDERS_VIEW (widget));
}

static void
crm_reminders_view_dispose (GObject *object)
{
  CrmRemindersView *self = (CrmRemindersView *)object;

  g_clear_handle_id (&self->reload_idle, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_REMINDERS_VIEW);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_reminders_view_parent_class)->dispose (object);
}

static void
crm_reminders_view_class_init (CrmRemindersViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_reminders_view_dispose;
  widget_class->map = crm_reminders_view_map;

  /**
   * CrmRemindersView::committed:
   * @changes: how to undo it
   * @message: what happened, for a toast
   */
  signals[COMMITTED] =
    g_signal_new ("committed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CRM_TYPE_CHANGE_SET, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-reminders-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CrmRemindersView, scroller);
  gtk_widget_class_bind_template_child (widget_class, CrmRemindersView, overdue_group);
  gtk_widget_class_bind_template_child (widget_class, CrmRemindersView, today_group);
  gtk_widget_class_bind_template_child (widget_class, CrmRemindersView, upcoming_group);
  gtk_widget_class_bind_template_child (widget_class, CrmRemindersView, birthdays_group);
  gtk_widget_class_bind_template_child (widget_class, CrmRemindersView, empty_page);

  gtk_widget_class_install_action (widget_class, "reminders.complete", "s", complete_action);
  gtk_widget_class_install_action (widget_class, "reminders.greet", "s", greet_action);
}

static void
crm_reminders_view_init (CrmRemindersView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->counts = g_hash_table_new (g_str_hash, g_str_equal);
  crm_reminders_view_reload (self);
}

void
crm_reminders_view_set_store (CrmRemindersView *self,
                              CrmStore         *store)
{
  g_return_if_fail (CRM_IS_REMINDERS_VIEW (self));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  crm_reminders_view_reload (self);
}

guint
crm_reminders_view_count (CrmRemindersView *self,
                          const char       *group)
{
  g_return_val_if_fail (CRM_IS_REMINDERS_VIEW (self), 0);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, group));
}
